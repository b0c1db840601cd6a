//! The venue's public settings: what the site needs to draw itself and take payments.

use crate::PublicState;
use axum::extract::State;
use marquee_domain::Branding;
use marquee_platform::ApiError;
use marquee_platform::tenancy::Tenant;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    name: String,
    slug: String,
    hostname: String,
    timezone: String,
    currency: String,
    branding: BrandingView,
    hold_seconds: u32,
    max_tickets_per_order: u32,
    payments: Payments,
    /// The live seat map WebSocket (`null` when the stack has none).
    live: Option<Live>,
    /// Tickets by post: the fee, the cutoff, and the address form of each country shipped
    /// to (`null` when the venue does not post tickets).
    mail: Option<marquee_domain::postal::MailOffer>,
}

/// The site's colours (`#rrggbb`) and logo.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrandingView {
    primary_colour: String,
    accent_colour: String,
    logo_url: Option<String>,
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

/// Where the site opens the live seat map's WebSocket: the WebSocket API's URL in AWS,
/// `ws://{host}:{port}/live` on the devserver.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Live {
    url: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payments {
    provider: &'static str,
    publishable_key: String,
    /// `local` means the Stripe test double: the site shows a test-card form. `disabled`:
    /// only free tickets can be ordered.
    mode: marquee_platform::payments::PaymentMode,
    /// Local mode only: the Stripe double's base URL, where the test-card form posts the card
    /// (`POST {testCardUrl}/_double/payment_intents/{id}/pay`).
    test_card_url: Option<String>,
}

/// The venue's public settings.
#[utoipa::path(get, path = "/api/v1/site", responses((status = 200, body = Site), (status = 404, description = "unknown_host")))]
pub async fn get_site(
    State(state): State<PublicState>,
    tenant: Tenant,
) -> Result<axum::Json<Site>, ApiError> {
    let venue = state
        .store
        .venue(&tenant.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let s = venue.settings;
    let mail = marquee_domain::postal::MailOffer::of(&s.mail);
    Ok(axum::Json(Site {
        mail,
        name: s.name,
        slug: venue.slug.to_string(),
        hostname: tenant.hostname.to_string(),
        timezone: String::from(s.timezone),
        currency: s.currency.code().to_owned(),
        branding: s.branding.into(),
        hold_seconds: s.hold_seconds,
        max_tickets_per_order: s.max_tickets_per_order,
        payments: Payments {
            provider: "stripe",
            publishable_key: state.payments.publishable_key().to_owned(),
            mode: state.payments.mode(),
            test_card_url: state.payments.test_card_url().map(str::to_owned),
        },
        live: state
            .config
            .live_url(&tenant.hostname)
            .map(|url| Live { url }),
    }))
}

#[cfg(test)]
mod tests {
    use super::BrandingView;
    use marquee_domain::Branding;

    /// The view is what the branding itself serialises to, so typing it changed no JSON.
    #[test]
    fn branding_view_has_the_branding_json() {
        let mut branding = Branding::default();
        assert_eq!(
            serde_json::to_value(BrandingView::from(branding.clone())).unwrap(),
            serde_json::to_value(&branding).unwrap()
        );
        branding.logo_url = Some(serde_json::from_str("\"https://example.org/logo.png\"").unwrap());
        assert_eq!(
            serde_json::to_value(BrandingView::from(branding.clone())).unwrap(),
            serde_json::to_value(&branding).unwrap()
        );
    }
}
