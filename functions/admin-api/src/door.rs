//! The door: scanning tickets in and out, and a performance's sales and attendance.
//!
//! A code is checked cryptographically first (HMAC with the venue's key, kept in memory once
//! read), so a forged or altered code is refused without reading any ticket. A genuine code
//! is then admitted by one conditional write on the ticket's item: two doors scanning the
//! same ticket at the same instant admit it once.

use crate::AdminState;
use crate::performances::load_performance;
use axum::extract::{Path, State};
use chrono::Utc;
use marquee_app::door::{Scan, Scanned};
use marquee_domain::records::{ScanDirection, ScanResult};
use marquee_domain::seatmap::SeatStatus;
use marquee_domain::{PerformanceId, Permission};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use marquee_store::Attendance;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScanRequest {
    /// What the QR code holds (or what was typed).
    code: String,
    /// The performance this door admits to.
    performance_id: String,
    #[serde(default)]
    direction: ScanDirection,
    /// Which door or scanner, for "already used at … at door …".
    door: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanResponse {
    result: ScanResult,
    /// What the door person reads, e.g. "Already used at 19:42 (door North)".
    message: String,
    ticket_id: Option<String>,
    /// For already_used: when and where it was first admitted.
    used_at: Option<String>,
    door: Option<String>,
    /// Where the ticket holder sits.
    place: Option<String>,
}

/// Check a ticket in (or out, for re-entry).
#[utoipa::path(post, path = "/admin/v1/scan", request_body = ScanRequest,
    responses((status = 200, body = ScanResponse, description = "result: ok, already_used, wrong_performance, refunded, invalid, not_inside"),
        (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 422, description = "invalid_field; invalid_body"),
        (status = 503, description = "busy")), security(("staff" = [])))]
pub async fn scan(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(body): Json<ScanRequest>,
) -> Result<axum::Json<ScanResponse>, ApiError> {
    auth.require(Permission::Scan)?;
    let performance = PerformanceId::parse(&body.performance_id)?;
    let staff = auth.email.to_string();
    let scanned = state
        .door
        .scan(
            &auth.tenant,
            Scan {
                performance: &performance,
                code: &body.code,
                direction: body.direction,
                door: body.door,
                staff: &staff,
            },
        )
        .await?;
    Ok(axum::Json(response(scanned, body.direction)))
}

/// What the door person reads.
fn response(scanned: Scanned, direction: ScanDirection) -> ScanResponse {
    let message = match scanned.result {
        ScanResult::Ok if direction == ScanDirection::Out => {
            "Checked out; may come back in".to_owned()
        }
        ScanResult::Ok => "OK to enter".to_owned(),
        ScanResult::AlreadyUsed => {
            let when = scanned
                .used_at
                .as_deref()
                .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
                .map(|a| a.format("%H:%M:%S").to_string())
                .unwrap_or_default();
            match &scanned.used_door {
                Some(d) => format!("Already used at {when} (door {d})"),
                None => format!("Already used at {when}"),
            }
        }
        ScanResult::WrongPerformance => "This ticket is for another performance".to_owned(),
        ScanResult::NotInside => "This ticket is not checked in".to_owned(),
        ScanResult::Refunded => "Refunded: not valid for entry".to_owned(),
        ScanResult::Invalid => "Not a valid ticket".to_owned(),
    };
    ScanResponse {
        result: scanned.result,
        message,
        ticket_id: scanned.ticket.map(|t| t.to_string()),
        used_at: scanned.used_at,
        door: scanned.used_door,
        place: scanned
            .place
            .as_ref()
            .map(marquee_platform::tickets::place_words),
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesView {
    performance_id: String,
    currency: String,
    /// Valid tickets sold.
    sold: u32,
    refunded: u32,
    /// Minor units: price + fees of the valid tickets.
    #[schema(minimum = 0)]
    revenue: i64,
    /// Seats and places held in carts right now.
    held: u32,
    blocked: u32,
    available: u32,
    capacity: u32,
    /// At the door: inside now, and admitted at least once.
    inside: u32,
    admitted: u32,
}

/// Sales and attendance of a performance.
#[utoipa::path(get, path = "/admin/v1/performances/{performanceId}/sales", params(("performanceId" = String, Path)),
    responses((status = 200, body = SalesView), (status = 401), (status = 403), (status = 404)), security(("staff" = [])))]
pub async fn sales(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> Result<axum::Json<SalesView>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let performance = load_performance(&state, &auth, &id).await?;
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let tickets = state
        .store
        .performance_tickets(&auth.tenant, &performance.id)
        .await?;
    let attendance = Attendance::of(&tickets);
    let (_, layout) = state
        .store
        .seat_map(&auth.tenant, &performance.seat_map_id)
        .await?
        .ok_or_else(|| ApiError::internal("performance refers to a missing seat map"))?;
    let sections: Vec<_> = layout.sections.iter().map(|s| s.id.clone()).collect();
    let states = state
        .store
        .seat_states(&auth.tenant, &performance.id, &sections)
        .await?;
    let now = Utc::now().timestamp_millis();
    let (mut held, mut blocked, mut taken) = (0u32, 0u32, 0u32);
    for record in states.values() {
        match record.status(now) {
            SeatStatus::Held => held += 1,
            SeatStatus::Blocked => blocked += 1,
            SeatStatus::Sold => {}
            SeatStatus::Free => continue,
        }
        taken += 1;
    }
    let seats = u32::try_from(
        layout
            .sections
            .iter()
            .map(|s| s.rows.iter().map(|r| r.seats.len()).sum::<usize>())
            .sum::<usize>(),
    )
    .unwrap_or(u32::MAX);
    let mut capacity = seats;
    let mut available = seats.saturating_sub(taken);
    for area in &layout.areas {
        let counter = state
            .store
            .ga_counter(
                &auth.tenant,
                &performance.id,
                &area.id,
                performance.ga_capacity(area),
            )
            .await?;
        capacity += area.capacity;
        held += counter.held;
        available += area.capacity.saturating_sub(counter.held + counter.sold);
    }
    Ok(axum::Json(SalesView {
        performance_id: performance.id.to_string(),
        currency: venue.settings.currency.code().to_owned(),
        sold: attendance.sold,
        refunded: attendance.refunded,
        revenue: attendance.revenue,
        held,
        blocked,
        available,
        capacity,
        inside: attendance.inside,
        admitted: attendance.admitted_ever,
    }))
}
