// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use mailer::{Letters, MailRetry, MailerState, send_mail_batch};
use marquee_platform::documents::Documents;
use marquee_platform::mail::MailQueue;
use marquee_platform::printmail::LobLetters;
use marquee_platform::secrets::Secrets;
use marquee_platform::tickets::TicketFonts;
use marquee_platform::{aws, mail::SesMailer, telemetry};
use marquee_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let sender_domain = std::env::var("MAIL_SENDER_DOMAIN")?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let state = MailerState {
        store: Store::new(aws::dynamodb(&sdk, &endpoints), table),
        ses: SesMailer::new(aws::sesv2(&sdk, &endpoints), sender_domain),
        keys: Default::default(),
        fonts: TicketFonts::new(Documents::new(
            aws::s3(&sdk, &endpoints),
            std::env::var("DOCUMENTS_BUCKET")?,
        )),
        retry: Some(MailRetry {
            sqs: aws::sqs(&sdk, &endpoints),
            queue_url: std::env::var("MAIL_QUEUE_URL")?,
            base_seconds: 30,
        }),
        // Lob's key is read from the app's secret at the first letter, not at init.
        letters: Some(Letters {
            provider: std::sync::Arc::new(LobLetters::with_secrets(
                std::env::var("LOB_API_URL").unwrap_or_else(|_| "https://api.lob.com".into()),
                std::sync::Arc::new(Secrets::from_env(&sdk, &endpoints)),
            )),
            queue: MailQueue::new(aws::sqs(&sdk, &endpoints), std::env::var("MAIL_QUEUE_URL")?),
            public_url_template: std::env::var("PUBLIC_URL_TEMPLATE")
                .unwrap_or_else(|_| "https://{host}".into()),
        }),
    };
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, lambda_runtime::Error>(send_mail_batch(state, event.payload).await)
    }))
    .await
}
