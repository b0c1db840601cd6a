//! Onboarding: the platform operator creates a venue, which answers at once on its hosted
//! address.

use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use marquee_domain::{
    Currency, Email, Hostname, Password, PlatformFee, PlatformSettings, Role, Slug, TenantId,
    Timezone, VenueSettings,
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
    operator(&state, &headers)?;
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
        // Not connected: the owner connects a Stripe account from the Payments page.
        payments: None,
        platform_fee: None,
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

/// Only the platform operator: its key in `X-Platform-Key`.
fn operator(state: &AdminState, headers: &HeaderMap) -> Result<(), ApiError> {
    let key = headers
        .get("x-platform-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if secrets_match(key, &state.config.platform_key) {
        Ok(())
    } else {
        Err(ApiError::unauthorized("A valid X-Platform-Key is required"))
    }
}

/// The operator's settings for every venue.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformSettingsBody {
    /// The default fee on card sales (venues without their own).
    platform_fee: PlatformFee,
    /// Whether refunds give the platform fee back in proportion (a payment that bought
    /// nothing always gives it back whole). Default true.
    #[serde(default = "yes")]
    refund_platform_fee: bool,
}

fn yes() -> bool {
    true
}

/// Set the default platform fee and the refund policy.
#[utoipa::path(put, path = "/platform/v1/settings", request_body = PlatformSettingsBody,
    params(("X-Platform-Key" = String, Header, description = "The platform operator's key")),
    responses((status = 200, body = PlatformSettingsBody), (status = 400, description = "malformed_json"),
        (status = 401, description = "no or wrong X-Platform-Key"), (status = 422, description = "invalid_field; invalid_body")))]
pub async fn put_settings(
    State(state): State<AdminState>,
    headers: HeaderMap,
    Json(body): Json<PlatformSettingsBody>,
) -> Result<axum::Json<PlatformSettingsBody>, ApiError> {
    operator(&state, &headers)?;
    let settings = PlatformSettings {
        platform_fee: body.platform_fee.parse()?,
        refund_platform_fee: body.refund_platform_fee,
    };
    state.agreements.set_platform_settings(settings).await?;
    tracing::info!(
        basis_points = settings.platform_fee.basis_points,
        fixed = settings.platform_fee.fixed_per_ticket,
        refund = settings.refund_platform_fee,
        "platform settings changed"
    );
    Ok(axum::Json(body))
}

/// The operator's settings for one venue.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VenueOperatorSettings {
    /// The venue's own fee; `null` returns it to the platform's default.
    platform_fee: Option<PlatformFee>,
}

/// Set (or with `null` clear) one venue's platform fee.
#[utoipa::path(put, path = "/platform/v1/venues/{venueId}", request_body = VenueOperatorSettings,
    params(("venueId" = String, Path), ("X-Platform-Key" = String, Header, description = "The platform operator's key")),
    responses((status = 200, body = VenueOperatorSettings), (status = 400, description = "malformed_json"),
        (status = 401, description = "no or wrong X-Platform-Key"), (status = 404, description = "not_found"),
        (status = 422, description = "invalid_field; invalid_body")))]
pub async fn update_venue(
    State(state): State<AdminState>,
    headers: HeaderMap,
    Path(venue_id): Path<String>,
    Json(body): Json<VenueOperatorSettings>,
) -> Result<axum::Json<VenueOperatorSettings>, ApiError> {
    operator(&state, &headers)?;
    let tenant = TenantId::parse(&venue_id).map_err(|_| ApiError::not_found("Venue"))?;
    let fee = body.platform_fee.map(PlatformFee::parse).transpose()?;
    state.agreements.set_venue_fee(&tenant, fee).await?;
    tracing::info!(%tenant, ?fee, "venue platform fee changed");
    Ok(axum::Json(VenueOperatorSettings { platform_fee: fee }))
}
