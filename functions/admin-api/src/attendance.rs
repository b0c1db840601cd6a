//! Attendance (scanned vs sold) per performance over a range of venue-local days, from the
//! running figures the `sales-reports` worker keeps per performance from the issued tickets'
//! changes (`marquee_domain::reports::ticket_changes`): one index query for the performances
//! starting in the range and one batch read per 100 of them — no ticket is read.

use crate::AdminState;
use crate::exports::CsvOut;
use crate::reports::{ReportFormat, venue_basics};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, SecondsFormat, TimeZone, Utc};
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::reports::{admitted_percent, attendance, csv_safe};
use marquee_domain::{Invalid, Permission, Timezone};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// Performances read from the index at once.
const PAGE: i32 = 500;

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AttendanceQuery {
    /// First venue-local day of the performances, `YYYY-MM-DD`.
    from: String,
    /// Last venue-local day, included; at most 366 days after `from`.
    to: String,
    /// Only this event's performances.
    event_id: Option<String>,
    /// `json` (the default) or `csv`.
    #[param(inline)]
    format: Option<ReportFormat>,
}

/// One performance's door figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceLine {
    performance_id: String,
    event_id: String,
    event_title: String,
    /// The performance's start, venue-local (`2027-03-01T19:30`).
    starts_at: String,
    cancelled: bool,
    /// Valid tickets (sold, less refunded).
    sold: i64,
    /// Of those, scanned in at least once.
    admitted: i64,
    /// sold − admitted.
    no_shows: i64,
    /// admitted ÷ sold in percent, one decimal; absent when nothing was sold.
    #[serde(skip_serializing_if = "Option::is_none")]
    admitted_percent: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceTotals {
    performances: i64,
    sold: i64,
    admitted: i64,
    no_shows: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    admitted_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceReport {
    from: NaiveDate,
    to: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    /// By start time.
    performances: Vec<AttendanceLine>,
    totals: AttendanceTotals,
}

/// The instant a venue-local day starts.
fn day_start(zone: Timezone, day: NaiveDate) -> String {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let at = zone
        .tz()
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc));
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Tickets sold and admitted per performance whose venue-local start day is in the range
/// (drafts left out), with totals. Counted from the door as it happens; a ticket sold or
/// scanned a second ago may not be in it yet.
#[utoipa::path(get, path = "/admin/v1/reports/attendance", params(AttendanceQuery),
    responses((status = 200, description = "The report; `format=csv`: one row per performance, then the totals",
            content((AttendanceReport = "application/json"), (String = "text/csv"))),
        (status = 303, description = "`format=csv` larger than the inline limit: fetch it from `Location` (a presigned link for 15 minutes)",
            body = crate::exports::ReportExport, headers(("Location" = String, description = "The presigned link"))),
        (status = 400, description = "invalid query"), (status = 401), (status = 403), (status = 422, description = "invalid_field: from, to, eventId")),
    security(("staff" = [])))]
pub async fn attendance_report(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(query): Query<AttendanceQuery>,
) -> Result<Response, ApiError> {
    auth.require(Permission::ViewSales)?;
    let (from, to) = crate::reports::parse_range(&query.from, &query.to)?;
    let (zone, _) = venue_basics(&state, &auth).await?;
    let events: HashMap<String, String> = state
        .store
        .events(&auth.tenant)
        .await?
        .into_iter()
        .map(|e| (e.id.to_string(), e.title))
        .collect();
    let event = match query.event_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            if !events.contains_key(id) {
                return Err(Invalid::new("eventId", "is not an event of this venue").into());
            }
            Some(id.to_owned())
        }
        _ => None,
    };
    let (start, end) = (
        day_start(zone, from),
        day_start(zone, to.succ_opt().unwrap_or(to)),
    );
    let mut performances = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .store
            .performances_between(&auth.tenant, &start, &end, after.as_deref(), PAGE)
            .await?;
        performances.extend(page.performances.into_iter().filter(|p| {
            p.status != PerformanceStatus::Draft
                && event.as_ref().is_none_or(|e| p.event_id.as_str() == e)
        }));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let ids: Vec<_> = performances.iter().map(|p| p.id.clone()).collect();
    let figures = state.store.attendance(&auth.tenant, &ids).await?;
    let mut totals = AttendanceTotals::default();
    let lines: Vec<AttendanceLine> = performances
        .iter()
        .map(|p| {
            let counted = figures.get(p.id.as_str());
            let sold = counted.map_or(0, |f| f.get(attendance::SOLD)).max(0);
            let admitted = counted
                .map_or(0, |f| f.get(attendance::ADMITTED))
                .clamp(0, sold);
            totals.performances += 1;
            totals.sold += sold;
            totals.admitted += admitted;
            AttendanceLine {
                performance_id: p.id.to_string(),
                event_id: p.event_id.to_string(),
                event_title: events.get(p.event_id.as_str()).cloned().unwrap_or_default(),
                starts_at: p
                    .schedule
                    .starts_at
                    .with_timezone(&zone.tz())
                    .format("%Y-%m-%dT%H:%M")
                    .to_string(),
                cancelled: p.status == PerformanceStatus::Cancelled,
                sold,
                admitted,
                no_shows: sold - admitted,
                admitted_percent: admitted_percent(sold, admitted),
            }
        })
        .collect();
    totals.no_shows = totals.sold - totals.admitted;
    totals.admitted_percent = admitted_percent(totals.sold, totals.admitted);
    let report = AttendanceReport {
        from,
        to,
        event_id: event,
        performances: lines,
        totals,
    };
    match query.format.unwrap_or_default() {
        ReportFormat::Json => Ok(axum::Json(report).into_response()),
        ReportFormat::Csv => {
            let mut out = CsvOut::new(
                &state,
                &auth.tenant,
                format!("attendance-{from}-to-{to}.csv"),
            );
            attendance_csv(&report, &mut out).await?;
            out.finish().await
        }
    }
}

fn percent(value: Option<f64>) -> String {
    value.map(|p| format!("{p:.1}")).unwrap_or_default()
}

async fn attendance_csv(report: &AttendanceReport, out: &mut CsvOut<'_>) -> Result<(), ApiError> {
    out.row([
        "Event",
        "Performance",
        "Cancelled",
        "Sold",
        "Admitted",
        "No-shows",
        "Admitted %",
        "Performance id",
    ])
    .await?;
    for l in &report.performances {
        out.row([
            csv_safe(&l.event_title),
            l.starts_at.clone(),
            if l.cancelled { "yes" } else { "" }.to_owned(),
            l.sold.to_string(),
            l.admitted.to_string(),
            l.no_shows.to_string(),
            percent(l.admitted_percent),
            l.performance_id.clone(),
        ])
        .await?;
    }
    let t = &report.totals;
    out.row([
        format!("Total ({} performances)", t.performances),
        String::new(),
        String::new(),
        t.sold.to_string(),
        t.admitted.to_string(),
        t.no_shows.to_string(),
        percent(t.admitted_percent),
        String::new(),
    ])
    .await
}
