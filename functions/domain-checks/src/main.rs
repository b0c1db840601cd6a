//! The custom domains' scheduled check (EventBridge, every 5 minutes): every claim whose
//! next check is due is looked at once — its DNS proof, its certificate at the edge, or an
//! active domain's CNAME (`marquee_app::domains::CustomDomains::check_due`). The devserver
//! runs the same every 2 seconds.

// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

use lambda_runtime::{LambdaEvent, service_fn};
use marquee_app::domains::CustomDomains;
use marquee_app::ports::SystemClock;
use marquee_domain::Hostname;
use marquee_platform::config::{DomainSettings, required};
use marquee_platform::domains::{CloudFrontEdge, HickoryDns};
use marquee_platform::{aws, telemetry};
use marquee_store::Store;
use std::sync::Arc;

/// Claims looked at per run; the rest wait for the next run (a run stays well inside its
/// timeout: each check is two DNS questions or two CloudFront calls).
const BATCH: usize = 200;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let sdk = aws::sdk_config().await;
    let endpoints = aws::Endpoints::from_env();
    let settings = DomainSettings::from_env()?.ok_or("EDGE_DISTRIBUTION_ID is not set")?;
    let store = Store::new(aws::dynamodb(&sdk, &endpoints), required("TABLE_NAME")?);
    // Once per table (a marker item makes later cold starts one read): claims made before
    // DNS verification stop serving and join the schedule.
    store.migrate_legacy_domains(chrono::Utc::now()).await?;
    let domains = CustomDomains::new(
        Arc::new(store),
        Arc::new(HickoryDns::new(&settings.dns_servers)?),
        Arc::new(CloudFrontEdge::new(
            aws::cloudfront(&sdk, &endpoints),
            settings.distribution_id.clone(),
            settings.connection_group_id.clone(),
        )),
        Arc::new(SystemClock),
        required("CNAME_TARGET")?,
        Hostname::parse(&required("PLATFORM_DOMAIN")?)?,
    );
    let domains = &domains;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let report = domains.check_due(BATCH).await?;
            tracing::info!(
                checked = report.checked,
                activated = report.activated,
                failed = report.failed,
                errors = report.errors,
                "custom domain checks"
            );
            Ok::<_, lambda_runtime::Error>(serde_json::json!({
                "checked": report.checked,
                "activated": report.activated,
                "failed": report.failed,
                "errors": report.errors,
            }))
        },
    ))
    .await
}
