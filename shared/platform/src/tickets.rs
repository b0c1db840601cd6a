//! Tickets as documents: the venue's signing key, each ticket's signed code, the order's PDF
//! (one page per valid ticket) and a calendar file per performance. Used by the mailer (the
//! confirmation's attachments) and the public API (re-printing from the order page).

use crate::ApiError;
use marquee_domain::money::Money;
use marquee_domain::{PerformanceId, TenantId};
use marquee_store::{OrderRecord, Place, Store, TicketRecord, TicketStatus, VenueRecord};
use marquee_tickets::{CalendarEvent, TicketCode, TicketDocument, TicketPage, VenueKey};
use std::collections::HashMap;

/// The venue's ticket-signing key, created on first use.
pub async fn venue_key(store: &Store, tenant: &TenantId) -> Result<VenueKey, ApiError> {
    let encoded = store
        .ticket_key(tenant, || VenueKey::generate().to_base64())
        .await?;
    VenueKey::from_base64(&encoded).map_err(ApiError::internal)
}

/// Venue signing keys read by this instance (they never change): the door checks a code and
/// the mailer signs tickets without reading the key again.
#[derive(Clone, Default)]
pub struct KeyCache(std::sync::Arc<std::sync::Mutex<HashMap<TenantId, VenueKey>>>);

impl KeyCache {
    pub async fn get(&self, store: &Store, tenant: &TenantId) -> Result<VenueKey, ApiError> {
        if let Some(key) = self.0.lock().ok().and_then(|m| m.get(tenant).cloned()) {
            return Ok(key);
        }
        let key = venue_key(store, tenant).await?;
        if let Ok(mut keys) = self.0.lock() {
            keys.insert(tenant.clone(), key.clone());
        }
        Ok(key)
    }
}

/// The signed code of one ticket (what its QR code holds and the door scans).
pub fn ticket_code(
    key: &VenueKey,
    tenant: &TenantId,
    ticket: &TicketRecord,
) -> Result<String, ApiError> {
    let code = TicketCode::new(
        tenant.as_str(),
        ticket.performance_id.as_str(),
        ticket.id.as_str(),
    )
    .map_err(ApiError::internal)?;
    Ok(marquee_tickets::sign(key, &code))
}

/// "Orchestra, row C, seat 12" or "Lawn (general admission)".
pub fn place_words(place: &Place) -> String {
    if let Some(area) = &place.area_name {
        return format!("{area} (general admission)");
    }
    let mut parts = Vec::new();
    if let Some(section) = &place.section_name {
        parts.push(section.clone());
    }
    if let Some(row) = &place.row {
        parts.push(format!("row {row}"));
    }
    if let Some(seat) = &place.seat_label {
        parts.push(format!("seat {seat}"));
    }
    parts.join(", ")
}

/// What the order's documents say about each performance.
pub struct PerformanceInfo {
    pub id: PerformanceId,
    pub event_title: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    /// "Saturday 5 December 2026, 19:30 (Europe/London)".
    pub when: String,
}

/// Reads the title and start of each performance of the order.
pub async fn performances_of(
    store: &Store,
    venue: &VenueRecord,
    order: &OrderRecord,
) -> Result<HashMap<PerformanceId, PerformanceInfo>, ApiError> {
    let timezone = venue.settings.timezone;
    let mut found = HashMap::new();
    for id in order.performances() {
        let Some(performance) = store.performance(&venue.id, &id).await? else {
            continue;
        };
        let event_title = store
            .event(&venue.id, &performance.event_id)
            .await?
            .map(|e| e.title)
            .unwrap_or_default();
        let starts_at = performance.schedule.starts_at;
        let when = format!(
            "{} ({})",
            starts_at
                .with_timezone(&timezone.tz())
                .format("%A %-d %B %Y, %H:%M"),
            String::from(timezone)
        );
        found.insert(
            id.clone(),
            PerformanceInfo {
                id,
                event_title,
                starts_at,
                when,
            },
        );
    }
    Ok(found)
}

/// The PDF of an order's valid tickets, one page each.
pub fn order_pdf(
    key: &VenueKey,
    venue: &VenueRecord,
    order: &OrderRecord,
    performances: &HashMap<PerformanceId, PerformanceInfo>,
) -> Result<Vec<u8>, ApiError> {
    let currency = order.totals.currency;
    let tickets = order
        .tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Valid)
        .map(|t| {
            let info = performances.get(&t.performance_id);
            Ok(TicketPage {
                event_title: info.map(|i| i.event_title.clone()).unwrap_or_default(),
                starts_at_local: info.map(|i| i.when.clone()).unwrap_or_default(),
                place: place_words(&t.place),
                price_type: t.price_type.to_string(),
                price: Money::from_minor(t.price + t.fees, currency).to_string(),
                ticket_id: t.id.to_string(),
                code: ticket_code(key, &venue.id, t)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    marquee_tickets::render_tickets(&TicketDocument {
        venue_name: venue.settings.name.clone(),
        primary_colour: venue.settings.branding.primary_colour.as_str().to_owned(),
        order_number: order.number.to_string(),
        tickets,
    })
    .map_err(ApiError::internal)
}

/// One calendar file per performance of the order: (file name, contents).
pub fn order_calendars(
    venue: &VenueRecord,
    order: &OrderRecord,
    performances: &HashMap<PerformanceId, PerformanceInfo>,
) -> Vec<(String, String)> {
    let issued_at = order
        .paid_at
        .as_deref()
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map_or_else(chrono::Utc::now, |at| at.with_timezone(&chrono::Utc));
    let mut ids: Vec<&PerformanceId> = performances.keys().collect();
    ids.sort();
    ids.into_iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let info = performances.get(id)?;
            let count = order
                .tickets
                .iter()
                .filter(|t| &t.performance_id == id && t.status == TicketStatus::Valid)
                .count();
            let ics = marquee_tickets::render_ics(&CalendarEvent {
                uid: format!("{}-{}@{}", order.id, info.id, venue.hostname),
                issued_at,
                starts_at: info.starts_at,
                duration: None,
                summary: info.event_title.clone(),
                location: venue.settings.name.clone(),
                description: format!("Order {}: {count} ticket(s).", order.number),
            });
            Some((format!("event-{}.ics", i + 1), ics))
        })
        .collect()
}

/// Where an order's PDF is kept: per order version, so a refund (a new version) makes a new
/// PDF without the refunded tickets.
pub fn pdf_key(tenant: &TenantId, order: &OrderRecord) -> String {
    crate::documents::Documents::key(
        tenant,
        &format!("orders/{}/tickets-v{}.pdf", order.id, order.version),
    )
}
