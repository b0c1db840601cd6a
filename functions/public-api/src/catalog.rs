//! What's on: upcoming events, an event, a performance with its prices and availability,
//! and the seat map with the live status of every seat and general-admission area.

use crate::PublicState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use marquee_app::prepared::PreparedLayout;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::seatmap::{AreaId, SeatId, SeatMap, SeatStatus, section_status};
use marquee_domain::{EventId, PerformanceId};
use marquee_platform::ApiError;
use marquee_platform::tenancy::Tenant;
use marquee_platform::views::{EventView, PerformanceView};
use marquee_store::{GaCounter, PerformanceRecord, SeatStateRecord, VenueRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use utoipa::ToSchema;

const PAGE_SIZE: i32 = 100;

async fn venue(state: &PublicState, tenant: &Tenant) -> Result<VenueRecord, ApiError> {
    state
        .store
        .venue(&tenant.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))
}

/// A published performance of the tenant, or 404 (drafts do not exist for patrons).
async fn published_performance(
    state: &PublicState,
    tenant: &Tenant,
    raw: &str,
) -> Result<PerformanceRecord, ApiError> {
    let id = PerformanceId::parse(raw).map_err(|_| ApiError::not_found("Performance"))?;
    state
        .catalog
        .published(&tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Performance"))
}

/// The performance's seat map, prepared for holds; cached for a few seconds per instance.
async fn layout(
    state: &PublicState,
    tenant: &Tenant,
    performance: &PerformanceRecord,
) -> Result<Arc<PreparedLayout>, ApiError> {
    Ok(state.catalog.layout(&tenant.id, performance).await?)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct EventsQuery {
    /// Earliest start (RFC 3339); default now.
    from: Option<DateTime<Utc>>,
    /// Latest start (RFC 3339); default a year from `from`.
    to: Option<DateTime<Utc>>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsPage {
    events: Vec<EventView>,
    next_cursor: Option<String>,
}

/// Upcoming events on sale, with their performances on sale, by date.
#[utoipa::path(get, path = "/api/v1/events", params(EventsQuery),
    responses((status = 200, body = EventsPage), (status = 400, description = "invalid_range; invalid_cursor; a malformed query")))]
pub async fn list_events(
    State(state): State<PublicState>,
    tenant: Tenant,
    Query(query): Query<EventsQuery>,
) -> Result<axum::Json<EventsPage>, ApiError> {
    let now = Utc::now();
    let from = query.from.unwrap_or(now).max(now);
    let to = query.to.unwrap_or(from + Duration::days(366));
    if to < from {
        return Err(ApiError::bad_request(
            "invalid_range",
            "'to' must be after 'from'",
        ));
    }
    let after = match &query.cursor {
        Some(cursor) => Some(decode_cursor(cursor)?),
        None => None,
    };
    let secs = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let page = state
        .store
        .performances_between(
            &tenant.id,
            &secs(from),
            &format!("{}~", secs(to)),
            after.as_deref(),
            PAGE_SIZE,
        )
        .await?;
    let venue = venue(&state, &tenant).await?;
    let mut by_event: Vec<(EventId, Vec<PerformanceView>)> = Vec::new();
    for performance in page
        .performances
        .iter()
        .filter(|p| p.status == PerformanceStatus::OnSale && p.schedule.is_selling(now))
    {
        let view = PerformanceView::new(
            performance,
            None,
            venue.settings.timezone,
            venue.settings.currency,
            now,
        )
        .for_patrons();
        match by_event
            .iter_mut()
            .find(|(id, _)| *id == performance.event_id)
        {
            Some((_, views)) => views.push(view),
            None => by_event.push((performance.event_id.clone(), vec![view])),
        }
    }
    let ids: Vec<EventId> = by_event.iter().map(|(id, _)| id.clone()).collect();
    let mut records: HashMap<EventId, _> = state
        .store
        .events_by_id(&tenant.id, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let events = by_event
        .into_iter()
        .filter_map(|(id, performances)| {
            records
                .remove(&id)
                .map(|event| EventView::new(&event, performances))
        })
        .collect();
    Ok(axum::Json(EventsPage {
        events,
        next_cursor: page.next.map(|n| encode_cursor(&n)),
    }))
}

fn encode_cursor(position: &str) -> String {
    position.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    let invalid =
        || ApiError::bad_request("invalid_cursor", "The cursor is not one this API gave out");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 256 {
        return Err(invalid());
    }
    let bytes: Result<Vec<u8>, _> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&cursor[i..i + 2], 16))
        .collect();
    String::from_utf8(bytes.map_err(|_| invalid())?).map_err(|_| invalid())
}

/// An event with its published performances.
#[utoipa::path(get, path = "/api/v1/events/{eventId}", params(("eventId" = String, Path)), responses((status = 200, body = EventView), (status = 404)))]
pub async fn get_event(
    State(state): State<PublicState>,
    tenant: Tenant,
    Path(event_id): Path<String>,
) -> Result<axum::Json<EventView>, ApiError> {
    let id = EventId::parse(&event_id).map_err(|_| ApiError::not_found("Event"))?;
    let event = state
        .store
        .event(&tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Event"))?;
    let venue = venue(&state, &tenant).await?;
    let now = Utc::now();
    let performances: Vec<PerformanceView> = state
        .store
        .event_performances(&tenant.id, &id)
        .await?
        .iter()
        .filter(|p| p.status != PerformanceStatus::Draft)
        .map(|p| {
            PerformanceView::new(
                p,
                None,
                venue.settings.timezone,
                venue.settings.currency,
                now,
            )
            .for_patrons()
        })
        .collect();
    if performances.is_empty() {
        return Err(ApiError::not_found("Event"));
    }
    Ok(axum::Json(EventView::new(&event, performances)))
}

/// The event's image: a redirect to a short-lived URL.
#[utoipa::path(get, path = "/api/v1/events/{eventId}/image", params(("eventId" = String, Path)), responses((status = 302), (status = 404)))]
pub async fn event_image(
    State(state): State<PublicState>,
    tenant: Tenant,
    Path(event_id): Path<String>,
) -> Result<Response, ApiError> {
    let id = EventId::parse(&event_id).map_err(|_| ApiError::not_found("Image"))?;
    let key = state
        .store
        .event(&tenant.id, &id)
        .await?
        .and_then(|e| e.image_key)
        .ok_or_else(|| ApiError::not_found("Image"))?;
    let url = state
        .documents
        .presign_get(&key, std::time::Duration::from_secs(300))
        .await?;
    Ok((
        StatusCode::FOUND,
        [(header::CACHE_CONTROL, "private, max-age=240")],
        Redirect::to(&url),
    )
        .into_response())
}

#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SeatCounts {
    total: u32,
    available: u32,
    held: u32,
    sold: u32,
    blocked: u32,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaAvailability {
    area_id: String,
    name: String,
    zone: String,
    capacity: u32,
    available: u32,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Availability {
    seats: SeatCounts,
    areas: Vec<AreaAvailability>,
    /// Nothing left to buy right now: every seat and place is sold, held or blocked (held
    /// ones may come back when their holds run out).
    sold_out: bool,
}

impl Availability {
    fn nothing_left(seats: &SeatCounts, areas: &[AreaAvailability]) -> bool {
        seats.available == 0 && areas.iter().all(|a| a.available == 0)
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceDetail {
    #[serde(flatten)]
    performance: PerformanceView,
    event_title: String,
    availability: Availability,
}

/// The live status of a performance's seats and areas, in the compact form patrons' seat
/// maps read: one character per seat (`f` free, `h` held, `s` sold, `b` blocked) per section,
/// in row and seat order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapStatus {
    performance_id: String,
    sections: BTreeMap<String, String>,
    /// Tickets still available per general-admission area.
    areas: BTreeMap<String, u32>,
    at: String,
}

/// Reads every section's seat states and every area's counter.
pub(crate) async fn seat_map_status(
    state: &PublicState,
    tenant: &Tenant,
    performance: &PerformanceRecord,
    layout: &SeatMap,
) -> Result<(SeatMapStatus, Availability), ApiError> {
    let section_ids: Vec<_> = layout.sections.iter().map(|s| s.id.clone()).collect();
    let states = state
        .store
        .seat_states(&tenant.id, &performance.id, &section_ids)
        .await?;
    let mut counters = HashMap::new();
    for area in &layout.areas {
        let capacity = performance.ga_capacity(area);
        counters.insert(
            area.id.clone(),
            state
                .store
                .ga_counter(&tenant.id, &performance.id, &area.id, capacity)
                .await?,
        );
    }
    Ok(build_status(
        performance.id.as_str(),
        layout,
        &states,
        &counters,
        Utc::now(),
    ))
}

/// The status of every seat and area from the stored states: the handler's CPU work,
/// separate from its reads so it can be measured (`benches/seat_map_status.rs`).
pub fn build_status(
    performance_id: &str,
    layout: &SeatMap,
    states: &HashMap<SeatId, SeatStateRecord>,
    counters: &HashMap<AreaId, GaCounter>,
    now: DateTime<Utc>,
) -> (SeatMapStatus, Availability) {
    let now_ms = now.timestamp_millis();
    let mut counts = SeatCounts::default();
    let mut sections = BTreeMap::new();
    for section in &layout.sections {
        let status = section_status(section, |seat| {
            states
                .get(seat)
                .map_or(SeatStatus::Free, |s| s.status(now_ms))
        });
        for code in status.chars() {
            counts.total += 1;
            match SeatStatus::from_code(code) {
                Some(SeatStatus::Free) => counts.available += 1,
                Some(SeatStatus::Held) => counts.held += 1,
                Some(SeatStatus::Sold) => counts.sold += 1,
                Some(SeatStatus::Blocked) | None => counts.blocked += 1,
            }
        }
        sections.insert(section.id.to_string(), status);
    }
    let mut areas = BTreeMap::new();
    let mut area_availability = Vec::new();
    for area in &layout.areas {
        let counter = counters.get(&area.id).cloned().unwrap_or_default();
        let available = area.capacity.saturating_sub(counter.held + counter.sold);
        areas.insert(area.id.to_string(), available);
        area_availability.push(AreaAvailability {
            area_id: area.id.to_string(),
            name: area.name.clone(),
            zone: area.zone.to_string(),
            capacity: area.capacity,
            available,
        });
    }
    let status = SeatMapStatus {
        performance_id: performance_id.to_owned(),
        sections,
        areas,
        at: now.to_rfc3339(),
    };
    (
        status,
        Availability {
            sold_out: Availability::nothing_left(&counts, &area_availability),
            seats: counts,
            areas: area_availability,
        },
    )
}

/// A performance: times in the venue's timezone, prices, fees, limits, availability.
#[utoipa::path(get, path = "/api/v1/performances/{performanceId}", params(("performanceId" = String, Path)),
    responses((status = 200, body = PerformanceDetail), (status = 404)))]
pub async fn get_performance(
    State(state): State<PublicState>,
    tenant: Tenant,
    Path(performance_id): Path<String>,
) -> Result<axum::Json<PerformanceDetail>, ApiError> {
    let performance = published_performance(&state, &tenant, &performance_id).await?;
    let venue = venue(&state, &tenant).await?;
    let layout = layout(&state, &tenant, &performance).await?;
    let (_, availability) = seat_map_status(&state, &tenant, &performance, &layout.map).await?;
    let event_title = state
        .store
        .event(&tenant.id, &performance.event_id)
        .await?
        .map(|e| e.title)
        .unwrap_or_default();
    let view = PerformanceView::new(
        &performance,
        Some(&layout.map),
        venue.settings.timezone,
        venue.settings.currency,
        Utc::now(),
    )
    .for_patrons();
    Ok(axum::Json(PerformanceDetail {
        performance: view,
        event_title,
        availability,
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapWithStatus {
    #[schema(value_type = SeatMap)]
    layout: SharedLayout,
    status: SeatMapStatus,
}

/// Serialises the cached layout without copying it.
pub struct SharedLayout(Arc<PreparedLayout>);

impl Serialize for SharedLayout {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.map.serialize(serializer)
    }
}

/// The seat map's layout with the status of every seat and area.
#[utoipa::path(get, path = "/api/v1/performances/{performanceId}/seatmap", params(("performanceId" = String, Path)),
    responses((status = 200, body = SeatMapWithStatus), (status = 404)))]
pub async fn get_seat_map(
    State(state): State<PublicState>,
    tenant: Tenant,
    Path(performance_id): Path<String>,
) -> Result<axum::Json<SeatMapWithStatus>, ApiError> {
    let performance = published_performance(&state, &tenant, &performance_id).await?;
    let layout = layout(&state, &tenant, &performance).await?;
    let (status, _) = seat_map_status(&state, &tenant, &performance, &layout.map).await?;
    Ok(axum::Json(SeatMapWithStatus {
        layout: SharedLayout(layout),
        status,
    }))
}

/// Only the status part, for refreshing a seat map already drawn.
#[utoipa::path(get, path = "/api/v1/performances/{performanceId}/seatmap/status", params(("performanceId" = String, Path)),
    responses((status = 200, body = SeatMapStatus), (status = 404)))]
pub async fn get_seat_map_status(
    State(state): State<PublicState>,
    tenant: Tenant,
    Path(performance_id): Path<String>,
) -> Result<axum::Json<SeatMapStatus>, ApiError> {
    let performance = published_performance(&state, &tenant, &performance_id).await?;
    let layout = layout(&state, &tenant, &performance).await?;
    let (status, _) = seat_map_status(&state, &tenant, &performance, &layout.map).await?;
    Ok(axum::Json(status))
}
