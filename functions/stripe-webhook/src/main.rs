// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use marquee_platform::mail::MailQueue;
use marquee_platform::{Config, aws, telemetry};
use marquee_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), &config.table_name);
    let mail = MailQueue::new(aws::sqs(&sdk, &endpoints), &config.mail_queue_url);
    let state = stripe_webhook::WebhookState::new(&config, store, config.payments()?, mail);
    lambda_http::run(stripe_webhook::router(state)).await
}
