use marquee_platform::{Config, aws, documents::Documents, telemetry};
use marquee_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let sdk = aws::sdk_config().await;
    let store = Store::new(
        aws::dynamodb(&sdk, &aws::Endpoints::from_env()),
        &config.table_name,
    );
    lambda_http::run(public_api::router(public_api::PublicState::new(
        config, store,
    )))
    .await
}
