// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::config::{public_url_template, required};
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::{Payments, StripeSettings};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use reconcile::{ReconcileState, lookback_days_from_env, reconcile_payments};

/// Only what a sale uses: the table, the mail queue, links in mail and Stripe.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), required("TABLE_NAME")?);
    let mail = MailQueue::new(aws::sqs(&sdk, &endpoints), required("MAIL_QUEUE_URL")?);
    let payments = Payments::new(StripeSettings::from_env().ok_or("Stripe is not configured")?)?;
    let state = ReconcileState::new(
        &store,
        payments,
        mail,
        &public_url_template(),
        lookback_days_from_env(),
    );
    let state = &state;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let report = reconcile_payments(state).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(report)?)
        },
    ))
    .await
}
