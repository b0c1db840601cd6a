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
use marquee_domain::seatmap::SeatStatus;
use marquee_domain::{PerformanceId, Permission, TicketId};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{Attendance, ScanOutcome, ScanRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    In,
    Out,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScanRequest {
    /// What the QR code holds (or what was typed).
    code: String,
    /// The performance this door admits to.
    performance_id: String,
    #[serde(default)]
    direction: Direction,
    /// Which door or scanner, for "already used at … at door …".
    door: Option<String>,
}

#[derive(Serialize, ToSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScanResult {
    Ok,
    AlreadyUsed,
    WrongPerformance,
    Refunded,
    Invalid,
    /// Scanned out, but not checked in.
    NotInside,
}

impl ScanResult {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::AlreadyUsed => "already_used",
            Self::WrongPerformance => "wrong_performance",
            Self::Refunded => "refunded",
            Self::Invalid => "invalid",
            Self::NotInside => "not_inside",
        }
    }
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

fn respond(result: ScanResult, message: impl Into<String>) -> ScanResponse {
    ScanResponse {
        result,
        message: message.into(),
        ticket_id: None,
        used_at: None,
        door: None,
        place: None,
    }
}

/// Check a ticket in (or out, for re-entry).
#[utoipa::path(post, path = "/admin/v1/scan", request_body = ScanRequest,
    responses((status = 200, body = ScanResponse, description = "result: ok, already_used, wrong_performance, refunded, invalid, not_inside")), security(("staff" = [])))]
pub async fn scan(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(body): Json<ScanRequest>,
) -> Result<axum::Json<ScanResponse>, ApiError> {
    auth.require(Permission::Scan)?;
    let performance = PerformanceId::parse(&body.performance_id)?;
    let door = body
        .door
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(40).collect::<String>());
    let code = body.code.trim();
    let response = check(
        &state,
        &auth,
        &performance,
        code,
        body.direction,
        door.as_deref(),
    )
    .await?;
    let now = Utc::now().to_rfc3339();
    let record = ScanRecord {
        ticket_id: response.ticket_id.clone().unwrap_or_default(),
        direction: if body.direction == Direction::In {
            "in"
        } else {
            "out"
        }
        .to_owned(),
        result: response.result.as_str().to_owned(),
        door,
        staff: auth.email.to_string(),
        at: now,
    };
    if let Err(e) = state
        .store
        .log_scan(
            &auth.tenant,
            &performance,
            &ulid::Ulid::new().to_string(),
            &record,
        )
        .await
    {
        tracing::error!(error = %e, "could not log a scan");
    }
    Ok(axum::Json(response))
}

async fn check(
    state: &AdminState,
    auth: &StaffAuth,
    performance: &PerformanceId,
    code: &str,
    direction: Direction,
    door: Option<&str>,
) -> Result<ScanResponse, ApiError> {
    let invalid = || respond(ScanResult::Invalid, "Not a valid ticket");
    // Another venue's code, or no code at all: refused before any key or ticket is read.
    let Ok(claimed) = marquee_tickets::parse_unverified(code) else {
        return Ok(invalid());
    };
    if claimed.tenant() != auth.tenant.as_str() {
        return Ok(invalid());
    }
    let key = state.keys.get(&state.store, &auth.tenant).await?;
    let Ok(ticket) = marquee_tickets::verify(&key, code) else {
        tracing::warn!(tenant = %auth.tenant, "a forged or altered ticket code was scanned");
        return Ok(invalid());
    };
    let Ok(ticket_id) = TicketId::parse(ticket.ticket()) else {
        return Ok(invalid());
    };
    if ticket.performance() != performance.as_str() {
        return Ok(ScanResponse {
            ticket_id: Some(ticket_id.to_string()),
            ..respond(
                ScanResult::WrongPerformance,
                "This ticket is for another performance",
            )
        });
    }
    let now = Utc::now().to_rfc3339();
    let outcome = state
        .store
        .scan_ticket(
            &auth.tenant,
            performance,
            &ticket_id,
            direction == Direction::In,
            door,
            &now,
        )
        .await?;
    let issued = state
        .store
        .issued_ticket(&auth.tenant, performance, &ticket_id)
        .await?;
    let place = issued
        .as_ref()
        .map(|t| marquee_platform::tickets::place_words(&t.place));
    let base = |result, message: String| ScanResponse {
        ticket_id: Some(ticket_id.to_string()),
        place: place.clone(),
        ..respond(result, message)
    };
    Ok(match outcome {
        ScanOutcome::Admitted => base(ScanResult::Ok, "OK to enter".into()),
        ScanOutcome::Left => base(ScanResult::Ok, "Checked out; may come back in".into()),
        ScanOutcome::AlreadyUsed { at, door } => {
            let when = at
                .as_deref()
                .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
                .map(|a| a.format("%H:%M:%S").to_string())
                .unwrap_or_default();
            let message = match &door {
                Some(d) => format!("Already used at {when} (door {d})"),
                None => format!("Already used at {when}"),
            };
            ScanResponse {
                used_at: at,
                door,
                ..base(ScanResult::AlreadyUsed, message)
            }
        }
        ScanOutcome::NotInside => base(
            ScanResult::NotInside,
            "This ticket is not checked in".into(),
        ),
        ScanOutcome::Refunded => base(ScanResult::Refunded, "Refunded: not valid for entry".into()),
        ScanOutcome::Unknown => invalid(),
    })
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
    responses((status = 200, body = SalesView), (status = 404)), security(("staff" = [])))]
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
            .ga_counter(&auth.tenant, &performance.id, &area.id)
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
