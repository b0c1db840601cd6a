//! Tickets as documents: the venue's signing key, each ticket's signed code, the order's PDF
//! (one page per valid ticket) and a calendar file per performance. Used by the mailer (the
//! confirmation's attachments) and the public API (re-printing from the order page).

use crate::documents::Documents;
use marquee_app::ports::PortError;
use marquee_domain::money::Money;
use marquee_domain::{PerformanceId, TenantId};
use marquee_store::{OrderRecord, Place, Store, TicketRecord, TicketStatus, VenueRecord};
use marquee_tickets::{
    CalendarEvent, Fonts, Paper, TicketCode, TicketDocument, TicketPage, VenueKey,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The venue's ticket-signing key, created on first use.
pub async fn venue_key(store: &Store, tenant: &TenantId) -> Result<VenueKey, PortError> {
    let encoded = store
        .ticket_key(tenant, || VenueKey::generate().to_base64())
        .await?;
    VenueKey::from_base64(&encoded).map_err(|e| PortError::new("ticket keys", e))
}

/// Venue signing keys read by this instance (they never change): the door checks a code and
/// the mailer signs tickets without reading the key again.
#[derive(Clone, Default)]
pub struct KeyCache(Arc<Mutex<HashMap<TenantId, VenueKey>>>);

impl KeyCache {
    pub async fn get(&self, store: &Store, tenant: &TenantId) -> Result<VenueKey, PortError> {
        // A map of whole keys is never half-written, so a lock poisoned by a panic elsewhere
        // still holds good data.
        let cached = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant)
            .cloned();
        if let Some(key) = cached {
            return Ok(key);
        }
        let key = venue_key(store, tenant).await?;
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.clone(), key.clone());
        Ok(key)
    }
}

/// The venue's ticket codes, checked with its key (read once per instance).
#[derive(Clone)]
pub struct VenueCodes {
    store: Store,
    keys: KeyCache,
}

impl VenueCodes {
    pub fn new(store: Store, keys: KeyCache) -> Self {
        Self { store, keys }
    }
}

#[async_trait::async_trait]
impl marquee_app::ports::TicketCodes for VenueCodes {
    async fn verify(
        &self,
        tenant: &TenantId,
        code: &str,
    ) -> Result<Option<marquee_app::ports::VerifiedCode>, marquee_app::ports::PortError> {
        // Another venue's code, or no code at all: refused before any key is read.
        let Ok(claimed) = marquee_tickets::parse_unverified(code) else {
            return Ok(None);
        };
        if claimed.tenant() != tenant.as_str() {
            return Ok(None);
        }
        let key = self.keys.get(&self.store, tenant).await?;
        match marquee_tickets::verify(&key, code) {
            Ok(ticket) => Ok(Some(marquee_app::ports::VerifiedCode {
                performance: ticket.performance().to_owned(),
                ticket: ticket.ticket().to_owned(),
            })),
            Err(_) => {
                tracing::warn!(%tenant, "a forged or altered ticket code was scanned");
                Ok(None)
            }
        }
    }
}

/// Where the CJK font (Noto Sans CJK, ~19 MB, too big for a Lambda zip) is kept in the
/// documents bucket; the deploy uploads it (docs/deploy.md), the local stack seeds it.
pub const CJK_FONT_KEY: &str = "platform/fonts/NotoSansCJK-Regular.ttc";

/// The fonts tickets are set in: the bundled ones (Latin, Greek, Cyrillic, Hebrew, Arabic)
/// plus the CJK font, read from the documents bucket at the first PDF and kept for the
/// instance's life. Without it (not uploaded, unreadable), tickets still print, with CJK
/// characters as boxes; a failed read is tried again at the next PDF.
#[derive(Clone)]
pub struct TicketFonts {
    documents: Documents,
    loaded: Arc<tokio::sync::OnceCell<Fonts>>,
}

impl TicketFonts {
    pub fn new(documents: Documents) -> Self {
        Self {
            documents,
            loaded: Arc::default(),
        }
    }

    pub async fn get(&self) -> Fonts {
        let loaded = self
            .loaded
            .get_or_try_init(|| async {
                let bytes = match self.documents.get(CJK_FONT_KEY).await {
                    Ok(Some(bytes)) => bytes,
                    Ok(None) => {
                        tracing::warn!(
                            key = CJK_FONT_KEY,
                            "no CJK font uploaded; CJK text prints as boxes"
                        );
                        return Ok(Fonts::bundled());
                    }
                    Err(e) => return Err(e),
                };
                let started = std::time::Instant::now();
                let fonts =
                    tokio::task::spawn_blocking(move || Fonts::bundled().with_cjk(bytes, 0))
                        .await
                        .map_err(|e| PortError::new("font loading", e))?;
                match fonts {
                    Ok(fonts) => {
                        tracing::info!(
                            ms = started.elapsed().as_millis() as u64,
                            "CJK font loaded"
                        );
                        Ok(fonts)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the uploaded CJK font is unusable");
                        Ok(Fonts::bundled())
                    }
                }
            })
            .await;
        match loaded {
            Ok(fonts) => fonts.clone(),
            Err(e) => {
                tracing::warn!(error = ?e, "could not read the CJK font; trying again next time");
                Fonts::bundled()
            }
        }
    }
}

/// The signed code of one ticket (what its QR code holds and the door scans).
pub fn ticket_code(
    key: &VenueKey,
    tenant: &TenantId,
    ticket: &TicketRecord,
) -> Result<String, PortError> {
    let code = TicketCode::new(
        tenant.as_str(),
        ticket.performance_id.as_str(),
        ticket.id.as_str(),
    )
    .map_err(|e| PortError::new("ticket codes", e))?;
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
) -> Result<HashMap<PerformanceId, PerformanceInfo>, PortError> {
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

/// The PDF of an order's valid tickets, one A6 page each (as emailed).
pub fn order_pdf(
    key: &VenueKey,
    fonts: &Fonts,
    venue: &VenueRecord,
    order: &OrderRecord,
    performances: &HashMap<PerformanceId, PerformanceInfo>,
) -> Result<Vec<u8>, PortError> {
    order_pdf_on(key, fonts, venue, order, performances, Paper::A6)
}

/// The PDF of an order's valid tickets on `paper` (ticket stock, A4 or Letter at the window).
pub fn order_pdf_on(
    key: &VenueKey,
    fonts: &Fonts,
    venue: &VenueRecord,
    order: &OrderRecord,
    performances: &HashMap<PerformanceId, PerformanceInfo>,
    paper: Paper,
) -> Result<Vec<u8>, PortError> {
    marquee_tickets::render_tickets_on(
        &order_document(key, venue, order, performances)?,
        fonts,
        paper,
    )
    .map_err(|e| PortError::new("ticket PDF", e))
}

/// The letter a print-and-mail provider posts: US Letter, the order's address where a
/// window envelope shows it, then its valid tickets one per page.
pub fn order_letter_pdf(
    key: &VenueKey,
    fonts: &Fonts,
    venue: &VenueRecord,
    order: &OrderRecord,
    performances: &HashMap<PerformanceId, PerformanceInfo>,
) -> Result<Vec<u8>, PortError> {
    let address = order
        .address
        .as_ref()
        .map(marquee_domain::PostalAddress::lines)
        .unwrap_or_default();
    marquee_tickets::render_ticket_letter(
        &order_document(key, venue, order, performances)?,
        &address,
        fonts,
    )
    .map_err(|e| PortError::new("ticket letter", e))
}

/// The order's valid tickets as the PDFs show them.
fn order_document(
    key: &VenueKey,
    venue: &VenueRecord,
    order: &OrderRecord,
    performances: &HashMap<PerformanceId, PerformanceInfo>,
) -> Result<TicketDocument, PortError> {
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
        .collect::<Result<Vec<_>, PortError>>()?;
    Ok(TicketDocument {
        venue_name: venue.settings.name.clone(),
        primary_colour: venue.settings.branding.primary_colour.as_str().to_owned(),
        order_number: order.number.to_string(),
        tickets,
    })
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
