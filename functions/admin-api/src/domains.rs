//! Custom domains: a venue adds `tickets.myvenue.org`, creates the two DNS records we name
//! (a TXT record proving it controls the hostname, and the CNAME to the edge), and the site
//! answers there once the edge has issued its certificate. The decisions are
//! `marquee_app::domains::CustomDomains`'.

use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use marquee_app::domains::DomainError;
use marquee_domain::domains::{DomainRecord, DomainStatus};
use marquee_domain::{Hostname, Permission};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A record the venue creates at its DNS provider.
#[derive(Serialize, ToSchema)]
pub struct DnsRecordView {
    /// `TXT` or `CNAME`.
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    value: String,
    /// What the record is for, in words.
    purpose: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainView {
    hostname: String,
    status: DomainStatus,
    /// What the hostname's CNAME points to: the edge's endpoint.
    cname_target: String,
    /// The records to create: the TXT proof and the CNAME.
    records: Vec<DnsRecordView>,
    /// Why it failed, or what is still missing (pending), or that an active domain's CNAME
    /// moved away.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// When the records were last checked (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    checked_at: Option<String>,
    /// When the next scheduled check is due (RFC 3339); none once failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_check_at: Option<String>,
    /// Set while an active domain's CNAME no longer points to the edge (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    dns_lost_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DomainList {
    domains: Vec<DomainView>,
}

fn view(state: &AdminState, record: DomainRecord) -> DomainView {
    let records = state
        .domains
        .records(&record)
        .into_iter()
        .map(|r| DnsRecordView {
            kind: r.kind,
            name: r.name,
            value: r.value,
            purpose: r.purpose,
        })
        .collect();
    DomainView {
        hostname: record.hostname.to_string(),
        status: record.status,
        cname_target: state.domains.edge_target().to_owned(),
        records,
        reason: record.reason,
        checked_at: record.checked_at,
        next_check_at: record
            .next_check_at
            .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
            .map(|at| at.to_rfc3339()),
        dns_lost_at: record.dns_lost_at,
    }
}

fn refusal(e: DomainError) -> ApiError {
    match e {
        DomainError::Invalid(invalid) => invalid.into(),
        DomainError::Taken => {
            ApiError::conflict("hostname_taken", "Another venue has proven this hostname")
        }
        DomainError::NotFound => ApiError::not_found("Domain"),
        DomainError::Port(e) if e.is_retryable() => {
            tracing::warn!(error = ?e, "DNS or the edge did not answer");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "upstream_unavailable",
                "DNS or the edge did not answer; please try again in a minute",
            )
        }
        DomainError::Port(e) => e.into(),
    }
}

/// A hostname from the path; anything unparseable is simply not one of the venue's.
fn hostname(raw: &str) -> Result<Hostname, ApiError> {
    Hostname::parse(raw).map_err(|_| ApiError::not_found("Domain"))
}

/// The venue's custom domains (owner).
#[utoipa::path(get, path = "/admin/v1/domains", responses((status = 200, body = DomainList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn list_domains(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<DomainList>, ApiError> {
    auth.require(Permission::ManageVenue)?;
    let domains = state
        .domains
        .list(&auth.tenant)
        .await
        .map_err(refusal)?
        .into_iter()
        .map(|d| view(&state, d))
        .collect();
    Ok(axum::Json(DomainList { domains }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterDomainRequest {
    hostname: String,
}

/// Add a custom hostname (owner): a pending claim that serves nothing until its two DNS
/// records are found; the answer names them.
#[utoipa::path(post, path = "/admin/v1/domains", request_body = RegisterDomainRequest,
    responses((status = 201, body = DomainView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 409, description = "hostname_taken: another venue has proven it"), (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn register_domain(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(body): Json<RegisterDomainRequest>,
) -> Result<(StatusCode, axum::Json<DomainView>), ApiError> {
    auth.require(Permission::ManageVenue)?;
    let hostname = Hostname::parse(&body.hostname)?;
    let record = state
        .domains
        .add(&auth.tenant, hostname)
        .await
        .map_err(refusal)?;
    Ok((StatusCode::CREATED, axum::Json(view(&state, record))))
}

/// Check the domain's records now instead of waiting for the scheduled check (owner); a
/// failed domain starts a new attempt.
#[utoipa::path(post, path = "/admin/v1/domains/{hostname}/verify", params(("hostname" = String, Path)),
    responses((status = 200, body = DomainView), (status = 401), (status = 403), (status = 404, description = "not_found"),
        (status = 502, description = "upstream_unavailable: DNS or the edge did not answer; try again")), security(("staff" = [])))]
pub async fn verify_domain(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(raw): Path<String>,
) -> Result<axum::Json<DomainView>, ApiError> {
    auth.require(Permission::ManageVenue)?;
    let record = state
        .domains
        .verify(&auth.tenant, &hostname(&raw)?)
        .await
        .map_err(refusal)?;
    Ok(axum::Json(view(&state, record)))
}

/// Detach the domain and release the hostname (owner).
#[utoipa::path(delete, path = "/admin/v1/domains/{hostname}", params(("hostname" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404, description = "not_found"),
        (status = 502, description = "upstream_unavailable: the edge did not answer; removing again finishes")), security(("staff" = [])))]
pub async fn remove_domain(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    auth.require(Permission::ManageVenue)?;
    state
        .domains
        .remove(&auth.tenant, &hostname(&raw)?)
        .await
        .map_err(refusal)?;
    Ok(StatusCode::NO_CONTENT)
}
