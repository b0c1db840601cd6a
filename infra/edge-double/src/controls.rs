//! Test controls under `/_double/` (JSON, never part of CloudFront's API): the DNS records
//! the listener answers and CloudFront's checks read, a forced certificate outcome, health.

use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use crate::App;
use crate::store::CertificateStatus;
use crate::zone::{DnsName, RecordKind, RecordSet, ZoneError};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/_double/health", get(health))
        .route("/_double/dns", get(list_records))
        .route(
            "/_double/dns/{name}/{kind}",
            put(put_record).delete(delete_record),
        )
        .route(
            "/_double/certificates/{identifier}",
            post(force_certificate),
        )
}

/// A refused control call: `{"error": "…"}`.
struct ControlError(StatusCode, String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<ZoneError> for ControlError {
    fn from(err: ZoneError) -> Self {
        let status = match err {
            ZoneError::CnameConflict(_) => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        Self(status, err.to_string())
    }
}

async fn health(State(app): State<App>) -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "dns": app.dns_addr.to_string() }))
}

async fn list_records(State(app): State<App>) -> Json<serde_json::Value> {
    Json(json!({ "records": app.lock().zone.list() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordValues {
    values: Vec<String>,
}

async fn put_record(
    State(app): State<App>,
    Path((name, kind)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ControlError> {
    let name = DnsName::parse(&name)?;
    let kind = RecordKind::parse(&kind)?;
    let values: RecordValues = serde_json::from_slice(&body).map_err(|err| {
        ControlError(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"values\": [\"…\"]}}: {err}"),
        )
    })?;
    let set = RecordSet::parse(kind, &values.values)?;
    let mut store = app.lock();
    store.zone.put(name.clone(), set.clone())?;
    // A CNAME that now points at a routing endpoint starts its certificate's clock.
    store.advance(Instant::now());
    tracing::info!(%name, %kind, "dns record set");
    Ok(Json(json!({ "name": name, "type": kind, "values": set.values() })).into_response())
}

async fn delete_record(
    State(app): State<App>,
    Path((name, kind)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    let name = DnsName::parse(&name)?;
    let kind = RecordKind::parse(&kind)?;
    let mut store = app.lock();
    if !store.zone.delete(&name, kind) {
        return Err(ControlError(
            StatusCode::NOT_FOUND,
            format!("no {kind} record at {name}"),
        ));
    }
    store.advance(Instant::now());
    tracing::info!(%name, %kind, "dns record deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForcedStatus {
    status: String,
}

/// Ends a tenant's certificate validation now, e.g. `{"status": "failed"}`, for tests of
/// what Marquee shows when CloudFront gives up.
async fn force_certificate(
    State(app): State<App>,
    Path(identifier): Path<String>,
    Json(forced): Json<ForcedStatus>,
) -> Result<StatusCode, ControlError> {
    let status = CertificateStatus::parse_forced(&forced.status).ok_or_else(|| {
        ControlError(
            StatusCode::BAD_REQUEST,
            "status must be issued, failed or validation-timed-out".into(),
        )
    })?;
    app.lock()
        .force_certificate(&identifier, status, Instant::now())
        .map_err(|err| ControlError(err.status, err.message))?;
    Ok(StatusCode::NO_CONTENT)
}
