// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use lambda_http::tower::ServiceExt;
use marquee_platform::secrets::Secrets;
use marquee_platform::{Config, aws, documents::Documents, mail::MailQueue, telemetry};
use marquee_store::Store;

/// The app is built at the first request, not at init: its configuration needs the secret,
/// fetched then (init budget 50 ms) and kept for the instance's life.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let secrets = Secrets::from_env(&sdk, &endpoints);
    let app = tokio::sync::OnceCell::new();
    let (sdk, endpoints, secrets, app) = (&sdk, &endpoints, &secrets, &app);
    lambda_http::run(lambda_http::service_fn(
        move |request: lambda_http::Request| async move {
            let router = app
                .get_or_try_init(|| build(sdk, endpoints, secrets))
                .await?;
            let response = router.clone().oneshot(request).await?;
            Ok::<_, lambda_http::Error>(response)
        },
    ))
    .await
}

async fn build(
    sdk: &aws::SdkConfig,
    endpoints: &aws::Endpoints,
    secrets: &Secrets,
) -> Result<axum::Router, lambda_http::Error> {
    let config = Config::from_env_with(secrets.get().await?)?;
    let store = Store::new(aws::dynamodb(sdk, endpoints), &config.table_name);
    let mail = MailQueue::new(aws::sqs(sdk, endpoints), &config.mail_queue_url);
    let documents = Documents::new(aws::s3(sdk, endpoints), &config.documents_bucket);
    let payments = config.payments()?;
    let domains = match &config.domains {
        Some(settings) => marquee_platform::services::custom_domains(
            &store,
            aws::cloudfront(sdk, endpoints),
            settings,
            &config,
        )?,
        None => return Err("EDGE_DISTRIBUTION_ID is not set: custom domains need the edge".into()),
    };
    let state = admin_api::AdminState::new(config, store, mail, documents, payments, domains)
        .with_report_inline_limit(admin_api::exports::inline_limit_from_env()?);
    Ok(admin_api::router(state).layer(axum::middleware::from_fn(
        marquee_platform::http::lambda_source_address,
    )))
}
