//! Catalog views shared by the public and admin APIs: what a performance or an event looks
//! like on the wire. Times are UTC instants plus the venue's local rendering.

use chrono::{DateTime, Utc};
use marquee_domain::money::Money;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::pricing::{Fee, Tax};
use marquee_domain::seatmap::SeatMap;
use marquee_domain::{Currency, Timezone};
use marquee_store::{EventRecord, PerformanceRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// An instant with its rendering in the venue's timezone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalTime {
    /// RFC 3339, UTC.
    pub utc: String,
    /// RFC 3339 with the venue's offset, e.g. `2026-12-01T19:30:00-05:00`.
    pub local: String,
    pub timezone: String,
}

impl LocalTime {
    pub fn new(at: DateTime<Utc>, timezone: Timezone) -> Self {
        Self {
            utc: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            local: at
                .with_timezone(&timezone.tz())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            timezone: String::from(timezone),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceView {
    pub zone: String,
    pub zone_name: String,
    pub price_type: String,
    pub price: Money,
    /// Offered only with a promo code that unlocks it (staff views; patrons never see it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceView {
    pub id: String,
    pub event_id: String,
    pub status: PerformanceStatus,
    pub starts_at: LocalTime,
    pub on_sale_at: LocalTime,
    pub off_sale_at: LocalTime,
    /// Whether patrons can buy now (on sale and inside the sales window).
    pub selling: bool,
    pub seat_map_id: String,
    pub prices: Vec<PriceView>,
    pub fees: Vec<Fee>,
    pub taxes: Vec<Tax>,
    pub max_tickets_per_order: u32,
    pub hold_seconds: u32,
    /// When it last changed: an edit sends it back, and is refused if it changed since.
    pub updated_at: String,
}

impl PerformanceView {
    /// The view for patrons: hidden prices left out (a promo code that unlocks them lists
    /// them on the cart).
    pub fn for_patrons(mut self) -> Self {
        self.prices.retain(|p| !p.hidden);
        self
    }

    pub fn new(
        record: &PerformanceRecord,
        layout: Option<&SeatMap>,
        timezone: Timezone,
        currency: Currency,
        now: DateTime<Utc>,
    ) -> Self {
        let zone_name = |zone: &str| {
            layout
                .and_then(|m| m.zones.iter().find(|z| z.id.as_str() == zone))
                .map_or_else(|| zone.to_owned(), |z| z.name.clone())
        };
        let prices = record
            .prices
            .entries()
            .iter()
            .map(|p| PriceView {
                zone: p.zone.to_string(),
                zone_name: zone_name(p.zone.as_str()),
                price_type: p.price_type.to_string(),
                price: Money::from_minor(p.amount, currency),
                hidden: p.hidden,
            })
            .collect();
        Self {
            id: record.id.to_string(),
            event_id: record.event_id.to_string(),
            status: record.status,
            starts_at: LocalTime::new(record.schedule.starts_at, timezone),
            on_sale_at: LocalTime::new(record.schedule.on_sale_at, timezone),
            off_sale_at: LocalTime::new(record.schedule.off_sale_at, timezone),
            selling: record.status == PerformanceStatus::OnSale && record.schedule.is_selling(now),
            seat_map_id: record.seat_map_id.to_string(),
            prices,
            fees: record.fees.clone(),
            taxes: record.taxes.clone(),
            max_tickets_per_order: record.max_tickets_per_order,
            hold_seconds: record.hold_seconds,
            updated_at: record.updated_at.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Where the image can be fetched (a redirect to a short-lived URL), if there is one.
    pub image_url: Option<String>,
    pub performances: Vec<PerformanceView>,
}

impl EventView {
    pub fn new(event: &EventRecord, performances: Vec<PerformanceView>) -> Self {
        Self {
            id: event.id.to_string(),
            title: event.title.clone(),
            description: event.description.clone(),
            image_url: event
                .image_key
                .as_ref()
                .map(|_| format!("/api/v1/events/{}/image", event.id)),
            performances,
        }
    }
}
