//! Custom domains: a venue registers `tickets.myvenue.org`, creates the CNAME we name, and
//! the site answers there. Hostnames are globally unique (conditional put).

use crate::AdminState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use marquee_domain::{Hostname, Invalid, Permission};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{DomainRecord, DomainStatus, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainView {
    hostname: String,
    cname_target: String,
    status: DomainStatus,
}

#[derive(Serialize, ToSchema)]
pub struct DomainList {
    domains: Vec<DomainView>,
}

fn view(state: &AdminState, record: DomainRecord) -> DomainView {
    DomainView {
        hostname: record.hostname.to_string(),
        cname_target: state.config.cname_target.clone(),
        status: record.status,
    }
}

/// The venue's custom domains (owner).
#[utoipa::path(get, path = "/admin/v1/domains", responses((status = 200, body = DomainList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn list_domains(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<DomainList>, ApiError> {
    auth.require(Permission::ManageVenue)?;
    let domains = state
        .store
        .domains(&auth.tenant)
        .await?
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

/// Register a custom hostname (owner); answers with the CNAME record to create.
#[utoipa::path(post, path = "/admin/v1/domains", request_body = RegisterDomainRequest,
    responses((status = 201, body = DomainView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 409, description = "hostname_taken"), (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn register_domain(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(body): Json<RegisterDomainRequest>,
) -> Result<(StatusCode, axum::Json<DomainView>), ApiError> {
    auth.require(Permission::ManageVenue)?;
    let hostname = Hostname::parse(&body.hostname)?;
    if !hostname.is_registrable() {
        return Err(Invalid::new(
            "hostname",
            "must be a full name such as tickets.myvenue.org",
        )
        .into());
    }
    if hostname.is_within(&state.config.platform_domain) {
        return Err(Invalid::new(
            "hostname",
            "addresses under the platform domain are assigned by the platform",
        )
        .into());
    }
    let record = DomainRecord::claim(hostname, Utc::now());
    match state.store.register_domain(&auth.tenant, &record).await {
        Ok(()) => {}
        Err(StoreError::HostnameTaken) => {
            return Err(ApiError::conflict(
                "hostname_taken",
                "This hostname is already registered",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %auth.tenant, "custom domain registered");
    Ok((StatusCode::CREATED, axum::Json(view(&state, record))))
}
