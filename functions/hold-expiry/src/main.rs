// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use hold_expiry::{ExpiryState, handle_event};
use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let state = ExpiryState::new(Store::new(aws::dynamodb(&sdk, &endpoints), table));
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle_event(state, event.payload).await
    }))
    .await
}
