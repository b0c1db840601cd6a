//! Venue settings.

use crate::AdminState;
use axum::extract::State;
use marquee_domain::{Branding, Permission, VenueSettings, VenueSettingsUpdate};
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
    settings: VenueSettingsView,
    /// The countries tickets can be posted to (the address data), for `mail.countries`.
    postal_countries: Vec<marquee_domain::postal::AddressFormat>,
}

/// The venue's settings as staff see and edit them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenueSettingsView {
    name: String,
    /// IANA timezone, e.g. `Europe/London`.
    timezone: String,
    /// ISO 4217 code.
    currency: String,
    hold_seconds: u32,
    max_tickets_per_order: u32,
    /// Where replies to the venue's mail go.
    email_sender: Option<String>,
    branding: BrandingView,
    /// Tickets by post.
    mail: marquee_domain::MailSettings,
    /// The longest a box office reservation may stay unpaid (hours).
    reserve_hours: u32,
    /// How long an emailed payment link keeps the seats (hours).
    payment_link_hours: u32,
    /// Staff may key in cards for phone orders (MOTO).
    moto_enabled: bool,
}

/// The site's colours (`#rrggbb`) and logo.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrandingView {
    primary_colour: String,
    accent_colour: String,
    logo_url: Option<String>,
}

impl From<VenueSettings> for VenueSettingsView {
    fn from(s: VenueSettings) -> Self {
        Self {
            name: s.name,
            timezone: String::from(s.timezone),
            currency: s.currency.code().to_owned(),
            hold_seconds: s.hold_seconds,
            max_tickets_per_order: s.max_tickets_per_order,
            email_sender: s.email_sender.map(String::from),
            branding: s.branding.into(),
            mail: s.mail,
            reserve_hours: s.reserve_hours,
            payment_link_hours: s.payment_link_hours,
            moto_enabled: s.moto_enabled,
        }
    }
}

impl From<Branding> for BrandingView {
    fn from(b: Branding) -> Self {
        Self {
            primary_colour: String::from(b.primary_colour),
            accent_colour: String::from(b.accent_colour),
            logo_url: b.logo_url.map(String::from),
        }
    }
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
        settings: venue.settings.into(),
        postal_countries: marquee_domain::postal::all_formats(),
    }))
}

/// Change settings (owner). Only the fields sent change; each is validated.
#[utoipa::path(put, path = "/admin/v1/venue", request_body = VenueSettingsUpdate,
    responses((status = 200, body = VenueView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
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
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::SettingsChanged,
        format!("venue:{}", venue.id),
        crate::audit::json(&venue.settings),
        crate::audit::json(&settings),
    )
    .await;
    Ok(axum::Json(VenueView {
        id: venue.id.to_string(),
        slug: venue.slug.to_string(),
        hostname: venue.hostname.to_string(),
        settings: settings.into(),
        postal_countries: marquee_domain::postal::all_formats(),
    }))
}

#[cfg(test)]
mod tests {
    use super::VenueSettingsView;
    use marquee_domain::{Currency, Email, HexColour, Timezone, VenueSettings};

    /// The view is what the settings themselves serialise to, so typing it changed no JSON.
    #[test]
    fn settings_view_has_the_settings_json() {
        let mut settings = VenueSettings::new(
            "The Old Vic",
            Timezone::parse("Europe/London").unwrap(),
            Currency::parse("GBP").unwrap(),
        )
        .unwrap();
        let bare = serde_json::to_value(&settings).unwrap();
        assert_eq!(
            serde_json::to_value(VenueSettingsView::from(settings.clone())).unwrap(),
            bare
        );
        settings.email_sender = Some(Email::parse("box@example.org").unwrap());
        settings.branding.accent_colour = HexColour::parse("#112233").unwrap();
        settings.branding.logo_url =
            Some(serde_json::from_str("\"https://example.org/logo.png\"").unwrap());
        let full = serde_json::to_value(&settings).unwrap();
        assert_eq!(
            serde_json::to_value(VenueSettingsView::from(settings)).unwrap(),
            full
        );
    }
}
