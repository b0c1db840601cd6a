// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use marquee_platform::{Config, aws, documents::Documents, mail::MailQueue, telemetry};
use marquee_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), &config.table_name);
    let mail = MailQueue::new(aws::sqs(&sdk, &endpoints), &config.mail_queue_url);
    let documents = Documents::new(aws::s3(&sdk, &endpoints), &config.documents_bucket);
    let payments = config.payments()?;
    let state = admin_api::AdminState::new(config, store, mail, documents, payments);
    let app = admin_api::router(state).layer(axum::middleware::from_fn(
        marquee_platform::http::lambda_source_address,
    ));
    lambda_http::run(app).await
}
