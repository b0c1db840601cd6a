// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use marquee_platform::config::{public_url_template, required};
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::{Payments, StripeSettings};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;

/// Only what the webhook uses: the table, the mail queue, links in mail and Stripe (no
/// staff or patron token secrets).
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), required("TABLE_NAME")?);
    let mail = MailQueue::new(aws::sqs(&sdk, &endpoints), required("MAIL_QUEUE_URL")?);
    let payments = match StripeSettings::from_env() {
        Some(settings) => Payments::new(settings)?,
        None => Payments::disabled(),
    };
    let state = stripe_webhook::WebhookState::new(&public_url_template(), store, payments, mail);
    lambda_http::run(stripe_webhook::router(state)).await
}
