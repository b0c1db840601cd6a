//! Onboarding: the platform operator creates a venue, which answers at once on its hosted
//! address.

use crate::AdminState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use marquee_domain::{
    Currency, Email, Hostname, Password, Role, Slug, TenantId, Timezone, VenueSettings,
};
use marquee_platform::auth::{hash_password, secrets_match};
use marquee_platform::{ApiError, http::Json};
use marquee_store::{StaffRecord, StaffStatus, StoreError, VenueRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateVenueRequest {
    name: String,
    slug: String,
    timezone: String,
    currency: String,
    owner_email: String,
    owner_password: String,
    #[serde(default)]
    owner_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedVenue {
    venue: VenueSummary,
}

#[derive(Serialize, ToSchema)]
pub struct VenueSummary {
    id: String,
    slug: String,
    hostname: String,
}

/// Create a venue with its owner account.
#[utoipa::path(post, path = "/platform/v1/venues", request_body = CreateVenueRequest,
    params(("X-Platform-Key" = String, Header, description = "The platform operator's key")),
    responses((status = 201, body = CreatedVenue), (status = 400, description = "malformed_json"), (status = 401, description = "no or wrong X-Platform-Key"),
        (status = 409, description = "slug_taken"), (status = 422, description = "invalid_field; invalid_body")))]
pub async fn create_venue(
    State(state): State<AdminState>,
    headers: HeaderMap,
    Json(body): Json<CreateVenueRequest>,
) -> Result<(StatusCode, axum::Json<CreatedVenue>), ApiError> {
    let key = headers
        .get("x-platform-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !secrets_match(key, &state.config.platform_key) {
        return Err(ApiError::unauthorized("A valid X-Platform-Key is required"));
    }
    let slug = Slug::parse(&body.slug)?;
    let settings = VenueSettings::new(
        &body.name,
        Timezone::parse(&body.timezone)?,
        Currency::parse(&body.currency)?,
    )?;
    let owner_email = Email::parse(&body.owner_email)?;
    let password = Password::parse_new(&body.owner_password, &owner_email)?;
    let now = Utc::now().to_rfc3339();
    let venue = VenueRecord {
        id: TenantId::generate(),
        hostname: Hostname::for_slug(&slug, &state.config.platform_domain),
        slug,
        settings,
        created_at: now.clone(),
    };
    let owner = StaffRecord {
        name: body.owner_name.unwrap_or_else(|| "Owner".into()),
        email: owner_email,
        role: Role::Owner,
        status: StaffStatus::Active,
        password_hash: Some(hash_password(&password).await?),
        token_version: Utc::now().timestamp_millis(),
        invite_code_hash: None,
        invite_expires_at: None,
        created_at: now,
    };
    match state.store.create_venue(&venue, &owner).await {
        Ok(()) => {}
        Err(StoreError::HostnameTaken) => {
            return Err(ApiError::conflict(
                "slug_taken",
                format!("The slug '{}' is already in use", venue.slug),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %venue.id, slug = %venue.slug, "venue created");
    let summary = VenueSummary {
        id: venue.id.to_string(),
        slug: venue.slug.to_string(),
        hostname: venue.hostname.to_string(),
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedVenue { venue: summary }),
    ))
}
