//! Venue settings.

use crate::AdminState;
use axum::extract::State;
use marquee_domain::{Permission, VenueSettings, VenueSettingsUpdate};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenueView {
    id: String,
    slug: String,
    hostname: String,
    #[schema(value_type = Object)]
    settings: VenueSettings,
}

/// The venue's settings (any staff member).
#[utoipa::path(get, path = "/admin/v1/venue", responses((status = 200, body = VenueView), (status = 401)), security(("staff" = [])))]
pub async fn get_venue(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<VenueView>, ApiError> {
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    Ok(axum::Json(VenueView {
        id: venue.id.to_string(),
        slug: venue.slug.to_string(),
        hostname: venue.hostname.to_string(),
        settings: venue.settings,
    }))
}

/// Change settings (owner). Only the fields sent change; each is validated.
#[utoipa::path(put, path = "/admin/v1/venue", request_body = VenueSettingsUpdate,
    responses((status = 200, body = VenueView), (status = 403), (status = 422)), security(("staff" = [])))]
pub async fn update_venue(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(update): Json<VenueSettingsUpdate>,
) -> Result<axum::Json<VenueView>, ApiError> {
    auth.require(Permission::ManageVenue)?;
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let settings = update.apply(&venue.settings)?;
    state
        .store
        .update_venue_settings(&auth.tenant, &settings)
        .await?;
    tracing::info!(tenant = %auth.tenant, staff = ?auth.email, "venue settings changed");
    Ok(axum::Json(VenueView {
        id: venue.id.to_string(),
        slug: venue.slug.to_string(),
        hostname: venue.hostname.to_string(),
        settings,
    }))
}
