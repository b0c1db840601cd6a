//! The demo venue of `make dev`, created through the platform API like any venue.

use crate::{DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, DEMO_SLUG, DevServer, LOCAL_PLATFORM_KEY};
use anyhow::Context;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// Creates the demo venue unless it exists.
pub async fn seed_demo(server: &DevServer) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "name": "Demo Playhouse",
        "slug": DEMO_SLUG,
        "timezone": "America/New_York",
        "currency": "USD",
        "ownerEmail": DEMO_OWNER_EMAIL,
        "ownerPassword": DEMO_OWNER_PASSWORD,
        "ownerName": "Demo Owner",
    });
    let request = Request::post("/platform/v1/venues")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("x-platform-key", LOCAL_PLATFORM_KEY)
        .body(Body::from(body.to_string()))
        .context("building the seed request")?;
    let response = server
        .router
        .clone()
        .oneshot(request)
        .await
        .context("seeding the demo venue")?;
    match response.status() {
        StatusCode::CREATED => tracing::info!("demo venue created"),
        StatusCode::CONFLICT => tracing::info!("demo venue already exists"),
        other => anyhow::bail!("seeding the demo venue failed with {other}"),
    }
    Ok(())
}
