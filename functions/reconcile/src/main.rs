// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::config::{public_url_template, required};
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::{Payments, StripeSettings};
use marquee_platform::secrets::Secrets;
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use reconcile::{ReconcileState, lookback_days_from_env, reconcile_payments};

/// Only what a sale uses: the table, the mail queue, links in mail and Stripe. Stripe's keys
/// come from the secret (`SECRET_ID`), fetched at the first run and kept for the instance's
/// life; locally from the environment.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), required("TABLE_NAME")?);
    let mail = MailQueue::new(aws::sqs(&sdk, &endpoints), required("MAIL_QUEUE_URL")?);
    let secrets = Secrets::from_env(&sdk, &endpoints);
    let state = tokio::sync::OnceCell::new();
    let (secrets, state, store, mail) = (&secrets, &state, &store, &mail);
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let state = state
                .get_or_try_init(|| async {
                    let settings = StripeSettings::from_secrets(secrets.get().await?)
                        .ok_or("Stripe is not configured")?;
                    Ok::<_, lambda_runtime::Error>(ReconcileState::new(
                        store,
                        Payments::new(settings)?,
                        mail.clone(),
                        &public_url_template(),
                        lookback_days_from_env(),
                    ))
                })
                .await?;
            let report = reconcile_payments(state).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(report)?)
        },
    ))
    .await
}
