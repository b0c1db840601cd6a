// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use hold_expiry::{ExpiryState, release_expired_holds};
use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::{aws, jobs::HoldExpiryQueue, telemetry};
use marquee_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let queue_url = std::env::var("HOLD_EXPIRY_QUEUE_URL")?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let state = ExpiryState::new(
        Store::new(aws::dynamodb(&sdk, &endpoints), table),
        HoldExpiryQueue::new(aws::sqs(&sdk, &endpoints), queue_url),
    );
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, lambda_runtime::Error>(
            release_expired_holds(state, event.payload).await,
        )
    }))
    .await
}
