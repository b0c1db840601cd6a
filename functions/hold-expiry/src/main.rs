// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use aws_lambda_events::sqs::SqsEvent;
use hold_expiry::{ExpiryState, release_expired_holds, sweep};
use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use serde_json::Value;

/// Two triggers: the hold-expiry queue (jobs sent before the sweep) and the schedule.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let state = ExpiryState::new(Store::new(aws::dynamodb(&sdk, &endpoints), table));
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        if event.payload.get("Records").is_some() {
            let batch: SqsEvent = serde_json::from_value(event.payload)?;
            let response = release_expired_holds(state, batch).await;
            return Ok::<Value, lambda_runtime::Error>(serde_json::to_value(response)?);
        }
        sweep(state).await?;
        Ok(Value::Null)
    }))
    .await
}
