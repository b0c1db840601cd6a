// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;
use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use seat_events::{ApiGatewayPush, SeatEvents};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let live_endpoint = std::env::var("LIVE_ENDPOINT")?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), table);
    let management = aws::apigateway_management(&sdk, &endpoints, &live_endpoint);
    let state = SeatEvents::new(store.clone(), ApiGatewayPush::new(store, management));
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        // Boxed: the SDK's nested futures are too deep for rustc's layout query otherwise.
        let response = Box::pin(state.handle_batch(&event.payload)).await;
        Ok::<DynamoDbEventResponse, lambda_runtime::Error>(response)
    }))
    .await
}
