use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;
use lambda_runtime::{LambdaEvent, service_fn};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use sales_reports::SalesReports;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let sdk = aws::sdk_config().await;
    let store = Store::new(aws::dynamodb(&sdk, &aws::Endpoints::from_env()), table);
    let state = &SalesReports::new(store);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<DynamoDbEventResponse, lambda_runtime::Error>(
            Box::pin(state.handle_batch(&event.payload)).await,
        )
    }))
    .await
}
