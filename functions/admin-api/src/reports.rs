//! Sales reports for a venue manager, from the daily running totals the `sales-reports`
//! worker keeps (`marquee_store::reports`): the end of one day, and sales over a range of
//! days, each as JSON or CSV. Days are the venue's own (its timezone).

use crate::AdminState;
use crate::exports::CsvOut;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use marquee_domain::reports::{csv_safe, day, line};
use marquee_domain::{Currency, Invalid, Money, Permission, Timezone};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use marquee_store::{DayFigures, Figures, LineFigures};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// The longest range one sales report covers.
pub(crate) const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndOfDayQuery {
    /// The venue-local day, `YYYY-MM-DD`.
    date: String,
    /// `json` (the default) or `csv`.
    #[param(inline)]
    format: Option<ReportFormat>,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct SalesQuery {
    /// First venue-local day, `YYYY-MM-DD`.
    from: String,
    /// Last venue-local day, included; at most 366 days after `from`.
    to: String,
    /// Only this event's performances.
    event_id: Option<String>,
    /// `json` (the default) or `csv`.
    #[param(inline)]
    format: Option<ReportFormat>,
}

/// Money figures are minor units of `currency`.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaySummary {
    /// Orders paid (a free order counts; a payment sent straight back does not).
    orders: i64,
    tickets: i64,
    subtotal: i64,
    /// Taken off by promo codes.
    discount: i64,
    fees: i64,
    tax: i64,
    /// What patrons paid: subtotal − discount + fees + tax.
    total: i64,
    /// Orders paid by card, and their amount.
    card_orders: i64,
    card_amount: i64,
    /// Orders that cost nothing without being comps (free prices, 100 % codes).
    free_orders: i64,
    promo_orders: i64,
    /// Box office sales paid in cash, and cash paid back for refunds of such sales: the
    /// drawers should hold `cashAmount − cashRefunded`.
    cash_orders: i64,
    cash_amount: i64,
    cash_refunded: i64,
    /// Complimentary tickets given by staff, and what they would have cost.
    comp_orders: i64,
    comp_tickets: i64,
    comp_value: i64,
    refunds: i64,
    refunded: i64,
    refunded_tickets: i64,
    /// total − refunded: what the day brought in.
    net: i64,
}

impl DaySummary {
    fn of(figures: &Figures) -> Self {
        let total = figures.get(day::TOTAL);
        let refunded = figures.get(day::REFUNDED);
        Self {
            orders: figures.get(day::ORDERS),
            tickets: figures.get(day::TICKETS),
            subtotal: figures.get(day::SUBTOTAL),
            discount: figures.get(day::DISCOUNT),
            fees: figures.get(day::FEES),
            tax: figures.get(day::TAX),
            total,
            card_orders: figures.get(day::CARD_ORDERS),
            card_amount: figures.get(day::CARD_AMOUNT),
            free_orders: figures.get(day::FREE_ORDERS),
            promo_orders: figures.get(day::PROMO_ORDERS),
            cash_orders: figures.get(day::CASH_ORDERS),
            cash_amount: figures.get(day::CASH_AMOUNT),
            cash_refunded: figures.get(day::CASH_REFUNDED),
            comp_orders: figures.get(day::COMP_ORDERS),
            comp_tickets: figures.get(day::COMP_TICKETS),
            comp_value: figures.get(day::COMP_VALUE),
            refunds: figures.get(day::REFUNDS),
            refunded,
            refunded_tickets: figures.get(day::REFUNDED_TICKETS),
            net: total - refunded,
        }
    }

    fn add(&mut self, other: &DaySummary) {
        self.orders += other.orders;
        self.tickets += other.tickets;
        self.subtotal += other.subtotal;
        self.discount += other.discount;
        self.fees += other.fees;
        self.tax += other.tax;
        self.total += other.total;
        self.card_orders += other.card_orders;
        self.card_amount += other.card_amount;
        self.free_orders += other.free_orders;
        self.promo_orders += other.promo_orders;
        self.cash_orders += other.cash_orders;
        self.cash_amount += other.cash_amount;
        self.cash_refunded += other.cash_refunded;
        self.comp_orders += other.comp_orders;
        self.comp_tickets += other.comp_tickets;
        self.comp_value += other.comp_value;
        self.refunds += other.refunds;
        self.refunded += other.refunded;
        self.refunded_tickets += other.refunded_tickets;
        self.net += other.net;
    }
}

/// Tickets of one performance at one price type in one zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesLine {
    performance_id: String,
    event_id: String,
    event_title: String,
    /// The performance's start, venue-local (`2027-03-01T19:30`).
    starts_at: String,
    price_type: String,
    zone: String,
    /// The zone's name on the performance's seat map (the id when unknown).
    zone_name: String,
    tickets: i64,
    /// Ticket prices paid (after discounts), without fees.
    amount: i64,
    discount: i64,
    fees: i64,
    refunded_tickets: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndOfDayReport {
    date: NaiveDate,
    #[schema(value_type = String, example = "USD")]
    currency: Currency,
    summary: DaySummary,
    /// Box office sales per staff member (online sales are the summary less these).
    by_staff: Vec<StaffSales>,
    lines: Vec<SalesLine>,
}

/// One staff member's box office sales of the day; money in minor units.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffSales {
    staff: String,
    orders: i64,
    tickets: i64,
    total: i64,
    /// Cash taken: what this member's drawer should hold.
    cash_orders: i64,
    cash_amount: i64,
    card_orders: i64,
    card_amount: i64,
    comp_orders: i64,
    comp_tickets: i64,
}

impl StaffSales {
    fn of(staff: &str, figures: &Figures) -> Self {
        use marquee_domain::reports::staff as f;
        Self {
            staff: staff.to_owned(),
            orders: figures.get(f::ORDERS),
            tickets: figures.get(f::TICKETS),
            total: figures.get(f::TOTAL),
            cash_orders: figures.get(f::CASH_ORDERS),
            cash_amount: figures.get(f::CASH_AMOUNT),
            card_orders: figures.get(f::CARD_ORDERS),
            card_amount: figures.get(f::CARD_AMOUNT),
            comp_orders: figures.get(f::COMP_ORDERS),
            comp_tickets: figures.get(f::COMP_TICKETS),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesDay {
    date: NaiveDate,
    /// The venue's whole day; absent when the report is for one event.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<DaySummary>,
    /// The day's tickets (of the event, when one is asked for).
    tickets: i64,
    amount: i64,
    refunded_tickets: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesReport {
    from: NaiveDate,
    to: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    #[schema(value_type = String, example = "USD")]
    currency: Currency,
    /// Every day of the range, in order (the chart).
    days: Vec<SalesDay>,
    /// The whole range, venue-wide; absent for one event.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<DaySummary>,
    /// Per performance, price type and zone over the range.
    lines: Vec<SalesLine>,
}

pub(crate) fn parse_day(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new(field, "must be a date such as 2027-03-01"))
}

/// Names for the lines: each performance's event and start, venue-local, and its seat map's
/// zone names.
struct Names {
    performances: HashMap<String, (String, String, String)>,
    zones: HashMap<(String, String), String>,
}

impl Names {
    async fn load(state: &AdminState, auth: &StaffAuth, zone: Timezone) -> Result<Self, ApiError> {
        let events: HashMap<String, String> = state
            .store
            .events(&auth.tenant)
            .await?
            .into_iter()
            .map(|e| (e.id.to_string(), e.title))
            .collect();
        let records = state.store.all_performances(&auth.tenant).await?;
        let mut maps: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut zones = HashMap::new();
        for p in &records {
            let map_id = p.seat_map_id.to_string();
            if !maps.contains_key(&map_id) {
                let names = match state.store.seat_map(&auth.tenant, &p.seat_map_id).await? {
                    Some((_, layout)) => layout
                        .zones
                        .iter()
                        .map(|z| (z.id.to_string(), z.name.clone()))
                        .collect(),
                    None => Vec::new(),
                };
                maps.insert(map_id.clone(), names);
            }
            for (zone, name) in maps.get(&map_id).into_iter().flatten() {
                zones.insert((p.id.to_string(), zone.clone()), name.clone());
            }
        }
        let performances = records
            .into_iter()
            .map(|p| {
                let starts = p
                    .schedule
                    .starts_at
                    .with_timezone(&zone.tz())
                    .format("%Y-%m-%dT%H:%M")
                    .to_string();
                let title = events.get(p.event_id.as_str()).cloned().unwrap_or_default();
                (p.id.to_string(), (p.event_id.to_string(), title, starts))
            })
            .collect();
        Ok(Self {
            performances,
            zones,
        })
    }

    fn line(&self, figures: &LineFigures) -> SalesLine {
        let (event_id, event_title, starts_at) = self
            .performances
            .get(&figures.performance)
            .cloned()
            .unwrap_or_default();
        SalesLine {
            performance_id: figures.performance.clone(),
            event_id,
            event_title,
            starts_at,
            price_type: figures.price_type.clone(),
            zone: figures.zone.clone(),
            zone_name: self
                .zones
                .get(&(figures.performance.clone(), figures.zone.clone()))
                .cloned()
                .unwrap_or_else(|| figures.zone.clone()),
            tickets: figures.figures.get(line::TICKETS),
            amount: figures.figures.get(line::AMOUNT),
            discount: figures.figures.get(line::DISCOUNT),
            fees: figures.figures.get(line::FEES),
            refunded_tickets: figures.figures.get(line::REFUNDED_TICKETS),
        }
    }
}

pub(crate) async fn venue_basics(
    state: &AdminState,
    auth: &StaffAuth,
) -> Result<(Timezone, Currency), ApiError> {
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    Ok((venue.settings.timezone, venue.settings.currency))
}

/// A day's sales: payments by method, refunds, promo and free orders, and tickets per
/// performance, price type and zone.
#[utoipa::path(get, path = "/admin/v1/reports/end-of-day", params(EndOfDayQuery),
    responses((status = 200, description = "The report; `format=csv`: the same as CSV (a summary, then the lines)",
            content((EndOfDayReport = "application/json"), (String = "text/csv"))),
        (status = 303, description = "`format=csv` larger than the inline limit (`REPORT_INLINE_LIMIT_BYTES`, default 5 MB): the file was written to the documents bucket; fetch it from `Location` (a presigned link for 15 minutes, relative to the venue's site)",
            body = crate::exports::ReportExport, headers(("Location" = String, description = "The presigned link"))),
        (status = 400, description = "invalid query"), (status = 401), (status = 403), (status = 422, description = "invalid_field: date")),
    security(("staff" = [])))]
pub async fn end_of_day(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(query): Query<EndOfDayQuery>,
) -> Result<Response, ApiError> {
    auth.require(Permission::ViewSales)?;
    let date = parse_day("date", &query.date)?;
    let (zone, currency) = venue_basics(&state, &auth).await?;
    let figures: DayFigures = state.store.report_day(&auth.tenant, date).await?;
    let names = Names::load(&state, &auth, zone).await?;
    let report = EndOfDayReport {
        date,
        currency,
        summary: DaySummary::of(&figures.day),
        by_staff: figures
            .staff
            .iter()
            .map(|(staff, f)| StaffSales::of(staff, f))
            .collect(),
        lines: figures.lines.iter().map(|l| names.line(l)).collect(),
    };
    match query.format.unwrap_or_default() {
        ReportFormat::Json => Ok(axum::Json(report).into_response()),
        ReportFormat::Csv => {
            let mut out = CsvOut::new(&state, &auth.tenant, format!("end-of-day-{date}.csv"));
            end_of_day_csv(&report, &mut out).await?;
            out.finish().await
        }
    }
}

/// A report's range of venue-local days, `from` to `to` included, at most [`MAX_DAYS`].
pub(crate) fn parse_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let from = parse_day("from", from)?;
    let to = parse_day("to", to)?;
    if to < from {
        return Err(Invalid::new("to", "must not be before from").into());
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(Invalid::new("to", format!("a report covers at most {MAX_DAYS} days")).into());
    }
    Ok((from, to))
}

/// Sales over a range of days (at most 366), venue-wide or for one event: a row per day for
/// the chart, and tickets per performance, price type and zone over the range.
#[utoipa::path(get, path = "/admin/v1/reports/sales", params(SalesQuery),
    responses((status = 200, description = "The report; `format=csv`: one row per day, performance, price type and zone",
            content((SalesReport = "application/json"), (String = "text/csv"))),
        (status = 303, description = "`format=csv` larger than the inline limit (`REPORT_INLINE_LIMIT_BYTES`, default 5 MB): the file was written to the documents bucket; fetch it from `Location` (a presigned link for 15 minutes, relative to the venue's site)",
            body = crate::exports::ReportExport, headers(("Location" = String, description = "The presigned link"))),
        (status = 400, description = "invalid query"), (status = 401), (status = 403), (status = 422, description = "invalid_field: from, to, eventId")),
    security(("staff" = [])))]
pub async fn sales(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(query): Query<SalesQuery>,
) -> Result<Response, ApiError> {
    auth.require(Permission::ViewSales)?;
    let (from, to) = crate::reports::parse_range(&query.from, &query.to)?;
    let (zone, currency) = venue_basics(&state, &auth).await?;
    let names = Names::load(&state, &auth, zone).await?;
    let event = match query.event_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            if !names.performances.values().any(|(e, _, _)| e == id)
                && state
                    .store
                    .events(&auth.tenant)
                    .await?
                    .iter()
                    .all(|e| e.id.as_str() != id)
            {
                return Err(Invalid::new("eventId", "is not an event of this venue").into());
            }
            Some(id.to_owned())
        }
        _ => None,
    };
    let read = state.store.report_days(&auth.tenant, from, to).await?;
    let mut days = Vec::with_capacity(read.len());
    let mut summary = DaySummary::default();
    let mut totals: BTreeMap<(String, String, String), SalesLine> = BTreeMap::new();
    let mut rows = Vec::new();
    for (date, figures) in &read {
        let lines: Vec<SalesLine> = figures
            .lines
            .iter()
            .map(|l| names.line(l))
            .filter(|l| event.as_ref().is_none_or(|e| &l.event_id == e))
            .collect();
        let day_summary = DaySummary::of(&figures.day);
        summary.add(&day_summary);
        days.push(SalesDay {
            date: *date,
            summary: event.is_none().then_some(day_summary),
            tickets: lines.iter().map(|l| l.tickets).sum(),
            amount: lines.iter().map(|l| l.amount).sum(),
            refunded_tickets: lines.iter().map(|l| l.refunded_tickets).sum(),
        });
        for l in lines {
            let key = (
                l.performance_id.clone(),
                l.price_type.clone(),
                l.zone.clone(),
            );
            let total = totals.entry(key).or_insert_with(|| SalesLine {
                tickets: 0,
                amount: 0,
                discount: 0,
                fees: 0,
                refunded_tickets: 0,
                ..l.clone()
            });
            total.tickets += l.tickets;
            total.amount += l.amount;
            total.discount += l.discount;
            total.fees += l.fees;
            total.refunded_tickets += l.refunded_tickets;
            rows.push((*date, l));
        }
    }
    match query.format.unwrap_or_default() {
        ReportFormat::Json => Ok(axum::Json(SalesReport {
            from,
            to,
            summary: event.is_none().then_some(summary),
            event_id: event,
            currency,
            days,
            lines: totals.into_values().collect(),
        })
        .into_response()),
        ReportFormat::Csv => {
            let mut out = CsvOut::new(&state, &auth.tenant, format!("sales-{from}-to-{to}.csv"));
            sales_csv(&rows, currency, &mut out).await?;
            out.finish().await
        }
    }
}

const LINE_HEADER: [&str; 10] = [
    "Event",
    "Performance",
    "Price type",
    "Zone",
    "Tickets",
    "Amount",
    "Discount",
    "Fees",
    "Refunded tickets",
    "Performance id",
];

fn line_record(l: &SalesLine, currency: Currency) -> Vec<String> {
    let money = |amount: i64| Money::from_minor(amount, currency).decimal();
    vec![
        csv_safe(&l.event_title),
        l.starts_at.clone(),
        csv_safe(&l.price_type),
        csv_safe(&l.zone_name),
        l.tickets.to_string(),
        money(l.amount),
        money(l.discount),
        money(l.fees),
        l.refunded_tickets.to_string(),
        l.performance_id.clone(),
    ]
}

/// The summary as figure/value rows, a blank row, then the lines.
async fn end_of_day_csv(report: &EndOfDayReport, out: &mut CsvOut<'_>) -> Result<(), ApiError> {
    let money = |amount: i64| Money::from_minor(amount, report.currency).decimal();
    let s = &report.summary;
    let summary: [(&str, String); 22] = [
        ("Date", report.date.to_string()),
        ("Currency", report.currency.to_string()),
        ("Orders", s.orders.to_string()),
        ("Tickets", s.tickets.to_string()),
        ("Subtotal", money(s.subtotal)),
        ("Discount", money(s.discount)),
        ("Fees", money(s.fees)),
        ("Tax", money(s.tax)),
        ("Total", money(s.total)),
        ("Card orders", s.card_orders.to_string()),
        ("Card amount", money(s.card_amount)),
        ("Free orders", s.free_orders.to_string()),
        ("Promo code orders", s.promo_orders.to_string()),
        ("Cash orders", s.cash_orders.to_string()),
        ("Cash amount", money(s.cash_amount)),
        ("Cash refunded", money(s.cash_refunded)),
        ("Comp orders", s.comp_orders.to_string()),
        ("Comp tickets", s.comp_tickets.to_string()),
        ("Comp value", money(s.comp_value)),
        ("Refunds", s.refunds.to_string()),
        ("Refunded", money(s.refunded)),
        ("Net", money(s.net)),
    ];
    out.row(["Figure", "Value"]).await?;
    for (name, value) in summary {
        out.row([name, value.as_str()]).await?;
    }
    out.row([""]).await?;
    if !report.by_staff.is_empty() {
        out.row([
            "Staff",
            "Orders",
            "Tickets",
            "Total",
            "Cash orders",
            "Cash",
            "Card orders",
            "Card",
            "Comp orders",
            "Comp tickets",
        ])
        .await?;
        for st in &report.by_staff {
            out.row([
                csv_safe(&st.staff),
                st.orders.to_string(),
                st.tickets.to_string(),
                money(st.total),
                st.cash_orders.to_string(),
                money(st.cash_amount),
                st.card_orders.to_string(),
                money(st.card_amount),
                st.comp_orders.to_string(),
                st.comp_tickets.to_string(),
            ])
            .await?;
        }
        out.row([""]).await?;
    }
    out.row(LINE_HEADER).await?;
    for l in &report.lines {
        out.row(line_record(l, report.currency)).await?;
    }
    Ok(())
}

async fn sales_csv(
    rows: &[(NaiveDate, SalesLine)],
    currency: Currency,
    out: &mut CsvOut<'_>,
) -> Result<(), ApiError> {
    let mut header = vec!["Date"];
    header.extend(LINE_HEADER);
    out.row(&header).await?;
    for (date, l) in rows {
        let mut record = vec![date.to_string()];
        record.extend(line_record(l, currency));
        out.row(&record).await?;
    }
    Ok(())
}

/// One price zone's demand.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ZoneDemand {
    zone: String,
    name: String,
    /// Seats and general-admission places in the zone.
    capacity: i64,
    /// Tickets sold (refunds not taken off).
    sold: i64,
    /// Of those, sold within an hour of sales opening, within a day, a week, or later.
    sold_within_hour: i64,
    sold_within_day: i64,
    sold_within_week: i64,
    sold_later: i64,
    /// Times a seat of the zone was held and let go (released or run out) without a sale.
    tried: i64,
}

/// A seat that was held and let go.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatDemand {
    seat_id: String,
    zone: String,
    tried: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DemandReport {
    performance_id: String,
    on_sale_at: chrono::DateTime<chrono::Utc>,
    /// In the seat map's zone order.
    zones: Vec<ZoneDemand>,
    /// Most tried first (the heat map over the seat map).
    seats: Vec<SeatDemand>,
}

/// Where demand was: per zone, how many sold and how soon after sales opened, and which seats
/// patrons held and let go without buying (counted from the table's stream).
#[utoipa::path(get, path = "/admin/v1/performances/{performanceId}/demand", params(("performanceId" = String, Path)),
    responses((status = 200, body = DemandReport), (status = 401), (status = 403), (status = 404)), security(("staff" = [])))]
pub async fn demand(
    State(state): State<AdminState>,
    auth: StaffAuth,
    axum::extract::Path(performance_id): axum::extract::Path<String>,
) -> Result<axum::Json<DemandReport>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let performance = crate::performances::load_performance(&state, &auth, &performance_id).await?;
    let (_, layout) = state
        .store
        .seat_map(&auth.tenant, &performance.seat_map_id)
        .await?
        .ok_or_else(|| ApiError::internal("performance refers to a missing seat map"))?;
    let figures = state.store.demand(&auth.tenant, &performance.id).await?;
    let mut seat_zone = HashMap::new();
    let mut capacity: HashMap<String, i64> = HashMap::new();
    for section in &layout.sections {
        for row in &section.rows {
            for seat in &row.seats {
                seat_zone.insert(seat.id.to_string(), seat.zone.to_string());
                *capacity.entry(seat.zone.to_string()).or_default() += 1;
            }
        }
    }
    for area in &layout.areas {
        *capacity.entry(area.zone.to_string()).or_default() += i64::from(area.capacity);
    }
    let mut seats: Vec<SeatDemand> = figures
        .seats
        .iter()
        .map(|(seat, f)| SeatDemand {
            seat_id: seat.clone(),
            zone: seat_zone.get(seat).cloned().unwrap_or_default(),
            tried: f.get(marquee_domain::reports::demand::TRIED),
        })
        .collect();
    seats.sort_by(|a, b| b.tried.cmp(&a.tried).then(a.seat_id.cmp(&b.seat_id)));
    let zones = layout
        .zones
        .iter()
        .map(|z| {
            use marquee_domain::reports::demand as d;
            let id = z.id.to_string();
            let sold = figures
                .zones
                .iter()
                .find(|(zone, _)| zone == &id)
                .map(|(_, f)| f.clone())
                .unwrap_or_default();
            ZoneDemand {
                name: z.name.clone(),
                capacity: capacity.get(&id).copied().unwrap_or(0),
                sold: sold.get(d::SOLD),
                sold_within_hour: sold.get(d::WITHIN_HOUR),
                sold_within_day: sold.get(d::WITHIN_DAY),
                sold_within_week: sold.get(d::WITHIN_WEEK),
                sold_later: sold.get(d::LATER),
                tried: seats.iter().filter(|s| s.zone == id).map(|s| s.tried).sum(),
                zone: id,
            }
        })
        .collect();
    Ok(axum::Json(DemandReport {
        performance_id: performance.id.to_string(),
        on_sale_at: performance.schedule.on_sale_at,
        zones,
        seats,
    }))
}
