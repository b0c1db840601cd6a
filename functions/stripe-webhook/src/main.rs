// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use lambda_http::tower::ServiceExt;
use marquee_platform::config::{public_url_template, required};
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::{Payments, StripeSettings};
use marquee_platform::secrets::Secrets;
use marquee_platform::{aws, telemetry};
use marquee_store::Store;

/// Only what the webhook uses: the table, the mail queue, links in mail and Stripe (no
/// staff or patron token secrets). Stripe's keys come from the secret, fetched at the first
/// request (not at init: budget 50 ms) and kept for the instance's life.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let secrets = Secrets::from_env(&sdk, &endpoints);
    let app = tokio::sync::OnceCell::new();
    let (sdk, endpoints, secrets, app) = (&sdk, &endpoints, &secrets, &app);
    lambda_http::run(lambda_http::service_fn(
        move |request: lambda_http::Request| async move {
            let router = app
                .get_or_try_init(|| build(sdk, endpoints, secrets))
                .await?;
            let response = router.clone().oneshot(request).await?;
            Ok::<_, lambda_http::Error>(response)
        },
    ))
    .await
}

async fn build(
    sdk: &aws::SdkConfig,
    endpoints: &aws::Endpoints,
    secrets: &Secrets,
) -> Result<axum::Router, lambda_http::Error> {
    let store = Store::new(aws::dynamodb(sdk, endpoints), required("TABLE_NAME")?);
    let mail = MailQueue::new(aws::sqs(sdk, endpoints), required("MAIL_QUEUE_URL")?);
    let payments = match StripeSettings::from_secrets(secrets.get().await?) {
        Some(settings) => Payments::new(settings)?,
        None => Payments::disabled(),
    };
    let state = stripe_webhook::WebhookState::new(&public_url_template(), store, payments, mail);
    Ok(stripe_webhook::router(state))
}
