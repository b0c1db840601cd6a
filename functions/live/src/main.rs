// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use live::{LiveState, StaffCheck};
use marquee_platform::secrets::Secrets;
use marquee_platform::{aws, telemetry};
use marquee_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let table = std::env::var("TABLE_NAME")?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), table);
    // The secret (the token signing key) is read at the first staff subscription, not here.
    let staff = StaffCheck::from_secrets(Secrets::from_env(&sdk, &endpoints), store.clone());
    let state = LiveState::new(store, staff);
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            live::handle_event(state, event.payload)
                .await
                .map_err(lambda_runtime::Error::from)
        },
    ))
    .await
}
