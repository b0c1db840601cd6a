// Deeply nested async state machines (AWS SDK + lambda_runtime) exceed the default query
// depth in some builds.
#![recursion_limit = "256"]

//! `cargo run -p devserver -- [--seed-demo]`: the whole of Marquee on 127.0.0.1, against the
//! local stack started by `infra/local/stack.sh` (its endpoints come from the environment).

use anyhow::Context;
use devserver::{
    DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, DevOptions, LOCAL_PLATFORM_KEY, LocalStripe,
};
use marquee_platform::{aws::Endpoints, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let seed = std::env::args().any(|a| a == "--seed-demo");
    let port = std::env::var("MARQUEE_DEV_PORT")
        .ok()
        .map(|p| p.parse())
        .transpose()
        .context("MARQUEE_DEV_PORT")?
        .unwrap_or(3000);
    let endpoints = Endpoints::from_env();
    anyhow::ensure!(
        endpoints.dynamodb.is_some() && endpoints.moto.is_some(),
        "MARQUEE_DYNAMODB_URL and MARQUEE_MOTO_URL must point at the local stack (use `make dev`)"
    );
    let server = devserver::start(DevOptions {
        port,
        endpoints,
        prefix: "marquee-local".into(),
        workers: true,
        visibility_timeout: 10,
        web_dist: DevOptions::default_web_dist(),
        // Reconciliation every minute unless MARQUEE_RECONCILE_EVERY_SECONDS says otherwise.
        stripe: LocalStripe::from_env().map(|local| LocalStripe {
            reconcile_every: local
                .reconcile_every
                .or(Some(std::time::Duration::from_secs(60))),
            ..local
        }),
        payment_window_seconds: marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS,
        cjk_font: DevOptions::system_cjk_font(),
        origin_secret: None,
        dynamodb_interceptor: None,
        report_inline_limit: None,
    })
    .await?;
    if seed {
        devserver::seed::seed_demo(&server).await?;
    }
    let base = server.url_for("demo.localhost");
    println!("\nMarquee is running locally:");
    println!("  site       {base}/api/v1/site");
    println!("  admin      {base}/admin   (login {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD})");
    println!("  mail       {}/_dev/mail", server.url_for("localhost"));
    println!(
        "  platform   POST {}/platform/v1/venues with X-Platform-Key: {LOCAL_PLATFORM_KEY}",
        server.url_for("localhost")
    );
    println!("  API docs   {base}/api/openapi.json and {base}/admin/openapi.json\n");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}
