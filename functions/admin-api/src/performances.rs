//! Performances of an event: schedule, seat map, prices, fees, taxes, limits; publishing,
//! pausing and cancelling; blocked seats.

use crate::AdminState;
use crate::events::load_event;
use crate::seatmaps::parse_map_id;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use marquee_app::agreements::PaymentAgreements;
use marquee_domain::performance::{PerformanceStatus, Schedule};
use marquee_domain::pricing::{Fee, PriceRow, PriceTable, Tax};
use marquee_domain::records::AuditKind;
use marquee_domain::seatmap::{SeatId, SeatIndex, SeatMap};
use marquee_domain::series::{SeriesTime, series_starts};
use marquee_domain::{EventId, Invalid, OrderId, PerformanceId, Permission, SeatMapId};
use marquee_platform::auth::StaffAuth;
use marquee_platform::views::PerformanceView;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{PerformanceRecord, StoreError, TicketStatus, VenueRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePerformanceRequest {
    starts_at: DateTime<Utc>,
    seat_map_id: String,
    on_sale_at: Option<DateTime<Utc>>,
    off_sale_at: Option<DateTime<Utc>>,
    prices: Vec<PriceRow>,
    #[serde(default)]
    fees: Vec<Fee>,
    #[serde(default)]
    taxes: Vec<Tax>,
    /// 1 to 30; the venue's setting when absent.
    #[schema(minimum = 1, maximum = 30)]
    max_tickets_per_order: Option<u32>,
    /// 10 to 900; the venue's setting when absent.
    #[schema(minimum = 10, maximum = 900)]
    hold_seconds: Option<u32>,
}

/// Add a performance to an event (as a draft).
#[utoipa::path(post, path = "/admin/v1/events/{eventId}/performances", params(("eventId" = String, Path)), request_body = CreatePerformanceRequest,
    responses((status = 201, body = PerformanceView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 404, description = "no such event"), (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn create_performance(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(event_id): Path<String>,
    Json(body): Json<CreatePerformanceRequest>,
) -> Result<(StatusCode, axum::Json<PerformanceView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let event = load_event(&state, &auth, &event_id).await?;
    let venue = load_venue(&state, &auth).await?;
    let now = Utc::now();
    let schedule = Schedule::new(body.starts_at, body.on_sale_at, body.off_sale_at, now)?;
    let terms = Terms {
        seat_map_id: body.seat_map_id,
        prices: body.prices,
        fees: body.fees,
        taxes: body.taxes,
        max_tickets_per_order: body.max_tickets_per_order,
        hold_seconds: body.hold_seconds,
    };
    let draft = Draft::new(&state, &auth, &venue, terms).await?;
    let record = draft.performance(&event.id, schedule, now);
    state.store.put_performance(&auth.tenant, &record).await?;
    tracing::info!(tenant = %auth.tenant, performance = %record.id, "performance created");
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::PerformanceCreated,
        format!("performance:{}", record.id),
        None,
        crate::audit::json(&record),
    )
    .await;
    let view = PerformanceView::new(
        &record,
        Some(&draft.layout),
        venue.settings.timezone,
        venue.settings.currency,
        now,
    );
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// A run of performances: every date from `from` to `to` (in the venue's timezone) whose
/// weekday one of `times` names, at that local time; the other fields as for one
/// performance, the same for each.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSeriesRequest {
    seat_map_id: String,
    /// When every performance of the series goes on sale; now when absent. Each one's sale
    /// closes at its start.
    on_sale_at: Option<DateTime<Utc>>,
    #[schema(value_type = String, format = Date, example = "2027-03-02")]
    from: NaiveDate,
    #[schema(value_type = String, format = Date, example = "2027-03-28")]
    to: NaiveDate,
    /// e.g. `[{ "days": ["tue","wed","thu","fri","sat"], "at": "19:30" }, { "days": ["sun"], "at": "14:00" }]`
    times: Vec<SeriesTime>,
    prices: Vec<PriceRow>,
    #[serde(default)]
    fees: Vec<Fee>,
    #[serde(default)]
    taxes: Vec<Tax>,
    #[schema(minimum = 1, maximum = 30)]
    max_tickets_per_order: Option<u32>,
    #[schema(minimum = 10, maximum = 900)]
    hold_seconds: Option<u32>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesView {
    /// In order of their start.
    performances: Vec<PerformanceView>,
}

/// Add a run of performances to an event (as drafts), all or none.
#[utoipa::path(post, path = "/admin/v1/events/{eventId}/performances/series", params(("eventId" = String, Path)), request_body = CreateSeriesRequest,
    responses((status = 201, body = SeriesView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 404, description = "no such event"),
        (status = 422, description = "invalid_field (a time the clocks skip, a range over 366 days or 100 performances, no date on those days, a start in the past); invalid_body")),
    security(("staff" = [])))]
pub async fn create_series(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(event_id): Path<String>,
    Json(body): Json<CreateSeriesRequest>,
) -> Result<(StatusCode, axum::Json<SeriesView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let event = load_event(&state, &auth, &event_id).await?;
    let venue = load_venue(&state, &auth).await?;
    let now = Utc::now();
    let starts = series_starts(
        body.from,
        body.to,
        &body.times,
        venue.settings.timezone.tz(),
    )?;
    let schedules = starts
        .into_iter()
        .map(|start| Schedule::new(start, body.on_sale_at, None, now))
        .collect::<Result<Vec<_>, Invalid>>()
        .map_err(|e| Invalid::new("from", format!("a performance of the series {}", e.message)))?;
    let terms = Terms {
        seat_map_id: body.seat_map_id,
        prices: body.prices,
        fees: body.fees,
        taxes: body.taxes,
        max_tickets_per_order: body.max_tickets_per_order,
        hold_seconds: body.hold_seconds,
    };
    let draft = Draft::new(&state, &auth, &venue, terms).await?;
    let records: Vec<PerformanceRecord> = schedules
        .into_iter()
        .map(|schedule| draft.performance(&event.id, schedule, now))
        .collect();
    state
        .store
        .create_performances(&auth.tenant, &records)
        .await?;
    tracing::info!(tenant = %auth.tenant, event = %event.id, count = records.len(), "performance series created");
    for record in &records {
        crate::audit::staff_did(
            &state,
            &auth,
            marquee_domain::records::AuditKind::PerformanceCreated,
            format!("performance:{}", record.id),
            None,
            crate::audit::json(record),
        )
        .await;
    }
    let performances = records
        .iter()
        .map(|record| {
            PerformanceView::new(
                record,
                Some(&draft.layout),
                venue.settings.timezone,
                venue.settings.currency,
                now,
            )
        })
        .collect();
    Ok((StatusCode::CREATED, axum::Json(SeriesView { performances })))
}

async fn load_venue(state: &AdminState, auth: &StaffAuth) -> Result<VenueRecord, ApiError> {
    state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))
}

/// What a new performance is sold on, as the request gives it.
struct Terms {
    seat_map_id: String,
    prices: Vec<PriceRow>,
    fees: Vec<Fee>,
    taxes: Vec<Tax>,
    max_tickets_per_order: Option<u32>,
    hold_seconds: Option<u32>,
}

/// Those terms checked against the venue and the seat map, ready to make performances.
struct Draft {
    map_id: SeatMapId,
    layout: SeatMap,
    prices: PriceTable,
    fees: Vec<Fee>,
    taxes: Vec<Tax>,
    max_tickets: u32,
    hold_seconds: u32,
}

impl Draft {
    async fn new(
        state: &AdminState,
        auth: &StaffAuth,
        venue: &VenueRecord,
        terms: Terms,
    ) -> Result<Self, ApiError> {
        let unknown_map = || Invalid::new("seatMapId", "is not a seat map of this venue");
        let map_id = parse_map_id(&terms.seat_map_id).map_err(|_| unknown_map())?;
        let (_, layout) = state
            .store
            .seat_map(&auth.tenant, &map_id)
            .await?
            .ok_or_else(unknown_map)?;
        let zones = layout.zone_ids();
        // Fees and taxes were checked as they were deserialised.
        let prices = PriceTable::parse(terms.prices, &zones).map_err(Invalid::from)?;
        let max_tickets = checked_max_tickets(
            terms
                .max_tickets_per_order
                .unwrap_or(venue.settings.max_tickets_per_order),
        )?;
        let hold_seconds =
            checked_hold_seconds(terms.hold_seconds.unwrap_or(venue.settings.hold_seconds))?;
        Ok(Self {
            map_id,
            layout,
            prices,
            fees: terms.fees,
            taxes: terms.taxes,
            max_tickets,
            hold_seconds,
        })
    }

    /// A new draft performance of `event` on these terms.
    fn performance(
        &self,
        event: &EventId,
        schedule: Schedule,
        now: DateTime<Utc>,
    ) -> PerformanceRecord {
        let stamp = now.to_rfc3339();
        PerformanceRecord {
            id: PerformanceId::generate(),
            event_id: event.clone(),
            seat_map_id: self.map_id.clone(),
            status: PerformanceStatus::Draft,
            schedule,
            prices: self.prices.clone(),
            fees: self.fees.clone(),
            taxes: self.taxes.clone(),
            max_tickets_per_order: self.max_tickets,
            hold_seconds: self.hold_seconds,
            ga_shards: marquee_domain::records::ga_shards_for(&self.layout.areas),
            created_at: stamp.clone(),
            updated_at: stamp,
        }
    }
}

/// Every order with a valid ticket for the performance is told it moved (once per move).
async fn tell_ticket_holders(
    state: &AdminState,
    auth: &StaffAuth,
    performance: &PerformanceId,
    was: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let tickets = state
        .store
        .performance_tickets(&auth.tenant, performance)
        .await?;
    let orders: BTreeSet<OrderId> = tickets
        .into_iter()
        .filter(|t| t.status == TicketStatus::Valid)
        .map(|t| t.order_id)
        .collect();
    let orders: Vec<OrderId> = orders.into_iter().collect();
    state
        .delivery
        .performance_moved(&auth.tenant, performance, was, now, &orders)
        .await?;
    tracing::info!(tenant = %auth.tenant, performance = %performance, orders = orders.len(), "ticket holders told of the move");
    Ok(())
}

fn checked_max_tickets(value: u32) -> Result<u32, Invalid> {
    if marquee_domain::venue::MAX_TICKETS_RANGE.contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new(
            "maxTicketsPerOrder",
            "must be between 1 and 30",
        ))
    }
}

fn checked_hold_seconds(value: u32) -> Result<u32, Invalid> {
    if marquee_domain::venue::HOLD_SECONDS_RANGE.contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new("holdSeconds", "must be between 10 and 900"))
    }
}

/// What to change; a field left out keeps its value. The seat map cannot change (tickets
/// may be sold on it).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditPerformanceRequest {
    /// The `updatedAt` of the copy the edit was made on: if the performance changed since
    /// (another edit, a publish or pause), the edit is refused with 409 `edit_conflict`.
    updated_at: Option<String>,
    starts_at: Option<DateTime<Utc>>,
    on_sale_at: Option<DateTime<Utc>>,
    /// When left out and the sale closed at the start, it still closes at the (new) start.
    off_sale_at: Option<DateTime<Utc>>,
    /// The whole price table. Carts already in checkout and sold tickets keep their prices;
    /// a checkout started after the change pays the new ones.
    prices: Option<Vec<PriceRow>>,
    fees: Option<Vec<Fee>>,
    taxes: Option<Vec<Tax>>,
    #[schema(minimum = 1, maximum = 30)]
    max_tickets_per_order: Option<u32>,
    #[schema(minimum = 10, maximum = 900)]
    hold_seconds: Option<u32>,
}

/// Edit a performance: time, sales window, limits, fees, taxes, prices. When a published
/// performance's start moves, every order with a valid ticket for it is emailed the new time.
#[utoipa::path(put, path = "/admin/v1/performances/{performanceId}", params(("performanceId" = String, Path)), request_body = EditPerformanceRequest,
    responses((status = 200, body = PerformanceView), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "edit_conflict (changed since `updatedAt`); performance_cancelled"),
        (status = 422, description = "invalid_field; invalid_body; unpriced_zones (a published performance must keep a price for every zone)")),
    security(("staff" = [])))]
pub async fn edit_performance(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(performance_id): Path<String>,
    Json(body): Json<EditPerformanceRequest>,
) -> Result<axum::Json<PerformanceView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let current = load_performance(&state, &auth, &performance_id).await?;
    let venue = load_venue(&state, &auth).await?;
    let edit_conflict = || {
        ApiError::conflict(
            "edit_conflict",
            "Someone changed this performance meanwhile; reload it and edit again",
        )
    };
    if current.status == PerformanceStatus::Cancelled {
        return Err(ApiError::conflict(
            "performance_cancelled",
            "A cancelled performance cannot be edited",
        ));
    }
    if body
        .updated_at
        .as_ref()
        .is_some_and(|seen| *seen != current.updated_at)
    {
        return Err(edit_conflict());
    }
    let (_, layout) = state
        .store
        .seat_map(&auth.tenant, &current.seat_map_id)
        .await?
        .ok_or_else(|| ApiError::internal("performance refers to a missing seat map"))?;
    let now = Utc::now();
    let old = &current.schedule;
    let starts_at = body.starts_at.unwrap_or(old.starts_at);
    let off_sale_at = body.off_sale_at.or_else(|| {
        // A sale that closed at the start keeps closing at the start.
        (old.off_sale_at != old.starts_at).then_some(old.off_sale_at)
    });
    let schedule = Schedule::new(
        starts_at,
        Some(body.on_sale_at.unwrap_or(old.on_sale_at)),
        off_sale_at,
        now,
    )?;
    let mut edited = current.clone();
    edited.schedule = schedule;
    if let Some(rows) = body.prices {
        edited.prices = PriceTable::parse(rows, &layout.zone_ids()).map_err(Invalid::from)?;
        let missing = edited.prices.missing_zones(&layout.zone_ids());
        if current.status != PerformanceStatus::Draft && !missing.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unpriced_zones",
                "A performance on sale needs a price for every zone of its seat map",
            )
            .with_details(json!({ "zones": missing })));
        }
    }
    if let Some(fees) = body.fees {
        edited.fees = fees;
    }
    if let Some(taxes) = body.taxes {
        edited.taxes = taxes;
    }
    if let Some(max) = body.max_tickets_per_order {
        edited.max_tickets_per_order = checked_max_tickets(max)?;
    }
    if let Some(seconds) = body.hold_seconds {
        edited.hold_seconds = checked_hold_seconds(seconds)?;
    }
    edited.updated_at = now.to_rfc3339();
    match state
        .store
        .replace_performance(&auth.tenant, &edited, &current.updated_at)
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => return Err(edit_conflict()),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %auth.tenant, performance = %edited.id, "performance edited");
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::PerformanceEdited,
        format!("performance:{}", edited.id),
        crate::audit::json(&current),
        crate::audit::json(&edited),
    )
    .await;
    let (was, now_starts) = (current.schedule.starts_at, edited.schedule.starts_at);
    if was != now_starts && current.status != PerformanceStatus::Draft {
        tell_ticket_holders(&state, &auth, &edited.id, was, now_starts).await?;
    }
    Ok(axum::Json(PerformanceView::new(
        &edited,
        Some(&layout),
        venue.settings.timezone,
        venue.settings.currency,
        now,
    )))
}

pub(crate) async fn load_performance(
    state: &AdminState,
    auth: &StaffAuth,
    raw: &str,
) -> Result<PerformanceRecord, ApiError> {
    let id = PerformanceId::parse(raw).map_err(|_| ApiError::not_found("Performance"))?;
    state
        .store
        .performance(&auth.tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Performance"))
}

/// One performance.
#[utoipa::path(get, path = "/admin/v1/performances/{performanceId}", params(("performanceId" = String, Path)),
    responses((status = 200, body = PerformanceView), (status = 401), (status = 403), (status = 404)), security(("staff" = [])))]
pub async fn get_performance(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(performance_id): Path<String>,
) -> Result<axum::Json<PerformanceView>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let performance = load_performance(&state, &auth, &performance_id).await?;
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let layout = state
        .store
        .seat_map(&auth.tenant, &performance.seat_map_id)
        .await?
        .map(|(_, l)| l);
    Ok(axum::Json(PerformanceView::new(
        &performance,
        layout.as_ref(),
        venue.settings.timezone,
        venue.settings.currency,
        Utc::now(),
    )))
}

#[derive(Clone, Copy)]
enum Transition {
    Publish,
    Pause,
    Cancel,
}

async fn transition(
    state: &AdminState,
    auth: &StaffAuth,
    raw: &str,
    transition: Transition,
) -> Result<axum::Json<PerformanceView>, ApiError> {
    let mut performance = load_performance(state, auth, raw).await?;
    let conflict = |e: Invalid| ApiError::conflict("invalid_transition", e.message);
    let next = match transition {
        Transition::Publish => performance.status.publish().map_err(conflict)?,
        Transition::Pause => performance.status.pause().map_err(conflict)?,
        Transition::Cancel => performance.status.cancel().map_err(conflict)?,
    };
    let (_, layout) = state
        .store
        .seat_map(&auth.tenant, &performance.seat_map_id)
        .await?
        .ok_or_else(|| ApiError::internal("performance refers to a missing seat map"))?;
    if matches!(transition, Transition::Publish) {
        let missing = performance.prices.missing_zones(&layout.zone_ids());
        if !missing.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unpriced_zones",
                "Every price zone of the seat map needs a price",
            )
            .with_details(json!({ "zones": missing })));
        }
    }
    let now = Utc::now();
    match state
        .store
        .set_performance_status(
            &auth.tenant,
            &performance.id,
            performance.status,
            next,
            &now.to_rfc3339(),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => {
            return Err(ApiError::conflict(
                "invalid_transition",
                "The performance changed meanwhile; reload and try again",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %auth.tenant, performance = %performance.id, from = ?performance.status, to = ?next, staff = ?auth.email, "performance status changed");
    let kind = match transition {
        Transition::Publish => AuditKind::PerformancePublished,
        Transition::Pause => AuditKind::PerformancePaused,
        Transition::Cancel => AuditKind::PerformanceCancelled,
    };
    crate::audit::staff_did(
        state,
        auth,
        kind,
        format!("performance:{}", performance.id),
        Some(json!({ "status": performance.status })),
        Some(json!({ "status": next })),
    )
    .await;
    performance.status = next;
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    Ok(axum::Json(PerformanceView::new(
        &performance,
        Some(&layout),
        venue.settings.timezone,
        venue.settings.currency,
        now,
    )))
}

/// Put a performance on sale (every price zone must have a price).
#[utoipa::path(post, path = "/admin/v1/performances/{performanceId}/publish", params(("performanceId" = String, Path)),
    responses((status = 200, body = PerformanceView), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "invalid_transition; payments_not_ready: the venue's Stripe account cannot take card payments (message says why)"), (status = 422, description = "unpriced_zones with details.zones")), security(("staff" = [])))]
pub async fn publish(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> Result<axum::Json<PerformanceView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    // On sale by card only while the venue's Stripe account can take charges (a performance
    // that costs nothing needs no payments).
    let current = load_performance(&state, &auth, &id).await?;
    let paid = current.prices.entries().iter().any(|p| p.amount > 0) || !current.fees.is_empty();
    if paid {
        let venue = state
            .store
            .venue(&auth.tenant)
            .await?
            .ok_or_else(|| ApiError::not_found("Venue"))?;
        PaymentAgreements::ready_to_sell(&venue)?;
    }
    transition(&state, &auth, &id, Transition::Publish).await
}

/// Stop sales for a while.
#[utoipa::path(post, path = "/admin/v1/performances/{performanceId}/pause", params(("performanceId" = String, Path)),
    responses((status = 200, body = PerformanceView), (status = 401), (status = 403), (status = 404), (status = 409, description = "invalid_transition")),
    security(("staff" = [])))]
pub async fn pause(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> Result<axum::Json<PerformanceView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    transition(&state, &auth, &id, Transition::Pause).await
}

/// A cancelled performance and how far the refunds of its orders have got.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelledView {
    #[serde(flatten)]
    performance: PerformanceView,
    refunds: crate::orders::CancellationProgress,
}

/// Cancel a performance and refund every order's tickets for it. Large performances are
/// refunded over several calls: the answer says how many orders remain, and calling again
/// (also on an already cancelled performance) continues without refunding anything twice.
#[utoipa::path(post, path = "/admin/v1/performances/{performanceId}/cancel", params(("performanceId" = String, Path)),
    responses((status = 200, body = CancelledView, description = "cancelled; every order refunded"),
        (status = 202, body = CancelledView, description = "cancelled; refunds remain: call again"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "invalid_transition"), (status = 503, description = "busy")), security(("staff" = [])))]
pub async fn cancel(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<CancelledView>), ApiError> {
    auth.require(Permission::Refund)?;
    auth.require(Permission::EditCatalog)?;
    let current = load_performance(&state, &auth, &id).await?;
    let axum::Json(performance) = if current.status == PerformanceStatus::Cancelled {
        view(&state, &auth, &current).await?
    } else {
        transition(&state, &auth, &id, Transition::Cancel).await?
    };
    let refunds: crate::orders::CancellationProgress = state
        .sales
        .refund_performance(&auth.tenant, &current.id, crate::orders::CANCEL_BUDGET)
        .await?
        .into();
    let status = if refunds.complete() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((
        status,
        axum::Json(CancelledView {
            performance,
            refunds,
        }),
    ))
}

async fn view(
    state: &AdminState,
    auth: &StaffAuth,
    performance: &PerformanceRecord,
) -> Result<axum::Json<PerformanceView>, ApiError> {
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let layout = state
        .store
        .seat_map(&auth.tenant, &performance.seat_map_id)
        .await?
        .map(|(_, l)| l);
    Ok(axum::Json(PerformanceView::new(
        performance,
        layout.as_ref(),
        venue.settings.timezone,
        venue.settings.currency,
        Utc::now(),
    )))
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum BlockAction {
    Block,
    Unblock,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlocksRequest {
    /// 1 to 100 seat ids.
    #[schema(min_items = 1, max_items = 100)]
    seats: Vec<String>,
    action: BlockAction,
}

/// The seats whose block changed, as they were sent.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BlocksResult {
    performance_id: String,
    seats: Vec<String>,
    action: BlockAction,
}

/// Block seats (house seats, kills) or unblock them: all listed seats or none.
#[utoipa::path(post, path = "/admin/v1/performances/{performanceId}/blocks", params(("performanceId" = String, Path)), request_body = BlocksRequest,
    responses((status = 200, body = BlocksResult), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "seat_unavailable / not_blocked with details.seats"),
        (status = 422, description = "unknown_seats with details.seats; invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn blocks(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(performance_id): Path<String>,
    Json(body): Json<BlocksRequest>,
) -> Result<axum::Json<BlocksResult>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let performance = load_performance(&state, &auth, &performance_id).await?;
    if body.seats.is_empty() || body.seats.len() > marquee_store::MAX_SEATS_PER_TRANSACTION {
        return Err(Invalid::new("seats", "list 1 to 100 seats").into());
    }
    let (_, layout) = state
        .store
        .seat_map(&auth.tenant, &performance.seat_map_id)
        .await?
        .ok_or_else(|| ApiError::internal("performance refers to a missing seat map"))?;
    let index = SeatIndex::new(&layout);
    let mut seats = Vec::new();
    let mut unknown = Vec::new();
    for raw in &body.seats {
        match SeatId::parse(raw)
            .ok()
            .and_then(|id| index.locate(&id).map(|at| (at.section.clone(), id)))
        {
            Some(found) if !seats.contains(&found) => seats.push(found),
            Some(_) => {}
            None => unknown.push(raw.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_seats",
            "Some seats are not on this performance's seat map",
        )
        .with_details(json!({ "seats": unknown })));
    }
    let result = match body.action {
        BlockAction::Block => {
            state
                .store
                .block_seats(
                    &auth.tenant,
                    &performance.id,
                    &seats,
                    Utc::now().timestamp_millis(),
                )
                .await
        }
        BlockAction::Unblock => {
            state
                .store
                .unblock_seats(&auth.tenant, &performance.id, &seats)
                .await
        }
    };
    match result {
        Ok(()) => {}
        Err(StoreError::SeatsUnavailable(taken)) => {
            let (code, message) = match body.action {
                BlockAction::Block => ("seat_unavailable", "Some seats are held or sold"),
                BlockAction::Unblock => ("not_blocked", "Some seats are not blocked"),
            };
            return Err(ApiError::conflict(code, message).with_details(json!({ "seats": taken })));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %auth.tenant, performance = %performance.id, seats = seats.len(), staff = ?auth.email, "seat blocks changed");
    let (kind, before, after) = match body.action {
        BlockAction::Block => (
            marquee_domain::records::AuditKind::SeatsBlocked,
            None,
            Some(json!({ "blocked": body.seats })),
        ),
        BlockAction::Unblock => (
            marquee_domain::records::AuditKind::SeatsUnblocked,
            Some(json!({ "blocked": body.seats })),
            None,
        ),
    };
    crate::audit::staff_did(
        &state,
        &auth,
        kind,
        format!("performance:{}", performance.id),
        before,
        after,
    )
    .await;
    Ok(axum::Json(BlocksResult {
        performance_id: performance.id.to_string(),
        seats: body.seats,
        action: body.action,
    }))
}
