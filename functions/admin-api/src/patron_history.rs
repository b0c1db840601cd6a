//! One patron's history at the venue: every order placed with an email address (guest,
//! account or box office), from the venue's email index (`keys::email_orders`, written with
//! each checkout) and one batch read of the orders. Staff who may see reports see the same
//! orders in the order lookup; an address with no orders is an empty list, like any other.

use crate::AdminState;
use crate::exports::CsvOut;
use crate::reports::{ReportFormat, venue_basics};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use marquee_domain::reports::csv_safe;
use marquee_domain::{
    Currency, Email, Invalid, Money, OrderStatus, PerformanceId, Permission, Timezone,
};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use marquee_store::OrderRecord;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatronQuery {
    /// The patron's email address (any case).
    email: String,
    /// `json` (the default) or `csv`.
    #[param(inline)]
    format: Option<ReportFormat>,
}

/// A performance an order has tickets for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatronPerformance {
    performance_id: String,
    event_title: String,
    /// Venue-local start (`2027-03-01T19:30`).
    starts_at: String,
    tickets: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatronOrder {
    order_id: String,
    number: String,
    /// When it was placed, venue-local (`2027-03-01T19:30`).
    placed_at: String,
    status: OrderStatus,
    performances: Vec<PatronPerformance>,
    tickets: i64,
    /// What the patron paid (0 for an order never paid).
    paid: i64,
    refunded: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    promo_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatronTotals {
    orders: i64,
    /// Tickets of paid orders.
    tickets: i64,
    /// Paid, before refunds.
    spent: i64,
    refunded: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatronHistory {
    email: String,
    #[schema(value_type = String, example = "USD")]
    currency: Currency,
    /// Newest first.
    orders: Vec<PatronOrder>,
    totals: PatronTotals,
}

fn local(at: &str, zone: Timezone) -> String {
    DateTime::parse_from_rfc3339(at).map_or_else(
        |_| at.to_owned(),
        |t| {
            t.with_timezone(&zone.tz())
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        },
    )
}

/// Every order placed with this email address at the venue, newest first, with what each
/// paid and got back; totals over them. An address with no orders: an empty list.
#[utoipa::path(get, path = "/admin/v1/reports/patron", params(PatronQuery),
    responses((status = 200, description = "The history; `format=csv`: one row per order, then the totals",
            content((PatronHistory = "application/json"), (String = "text/csv"))),
        (status = 303, description = "`format=csv` larger than the inline limit: fetch it from `Location` (a presigned link for 15 minutes)",
            body = crate::exports::ReportExport, headers(("Location" = String, description = "The presigned link"))),
        (status = 400, description = "invalid query"), (status = 401), (status = 403), (status = 422, description = "invalid_field: email")),
    security(("staff" = [])))]
pub async fn patron_history(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(query): Query<PatronQuery>,
) -> Result<Response, ApiError> {
    auth.require(Permission::ViewSales)?;
    let email = Email::parse(&query.email)
        .map_err(|_| Invalid::new("email", "must be an email address"))?;
    let (zone, currency) = venue_basics(&state, &auth).await?;
    let ids = state.store.email_order_ids(&auth.tenant, &email).await?;
    let mut orders: Vec<OrderRecord> = state.store.orders_by_id(&auth.tenant, &ids).await?;
    orders.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
    let wanted: BTreeSet<PerformanceId> = orders
        .iter()
        .flat_map(|o| o.tickets.iter().map(|t| t.performance_id.clone()))
        .collect();
    let mut starts = HashMap::new();
    let mut event_ids = BTreeSet::new();
    for id in &wanted {
        if let Some(p) = state.store.performance(&auth.tenant, id).await? {
            event_ids.insert(p.event_id.clone());
            starts.insert(
                id.clone(),
                (
                    p.event_id.to_string(),
                    p.schedule
                        .starts_at
                        .with_timezone(&zone.tz())
                        .format("%Y-%m-%dT%H:%M")
                        .to_string(),
                ),
            );
        }
    }
    let event_ids: Vec<_> = event_ids.into_iter().collect();
    let titles: HashMap<String, String> = state
        .store
        .events_by_id(&auth.tenant, &event_ids)
        .await?
        .into_iter()
        .map(|e| (e.id.to_string(), e.title))
        .collect();
    let mut totals = PatronTotals::default();
    let lines: Vec<PatronOrder> = orders
        .iter()
        .map(|o| {
            let mut performances: Vec<PatronPerformance> = Vec::new();
            for t in &o.tickets {
                if let Some(p) = performances
                    .iter_mut()
                    .find(|p| p.performance_id == t.performance_id.as_str())
                {
                    p.tickets += 1;
                    continue;
                }
                let (event, starts_at) = starts.get(&t.performance_id).cloned().unwrap_or_default();
                performances.push(PatronPerformance {
                    performance_id: t.performance_id.to_string(),
                    event_title: titles.get(event.as_str()).cloned().unwrap_or_default(),
                    starts_at,
                    tickets: 1,
                });
            }
            let paid = if o.paid_at.is_some() {
                o.totals.total
            } else {
                0
            };
            let refunded = if o.paid_at.is_some() { o.refunded } else { 0 };
            totals.orders += 1;
            if o.paid_at.is_some() {
                totals.tickets += o.tickets.len() as i64;
            }
            totals.spent += paid;
            totals.refunded += refunded;
            PatronOrder {
                order_id: o.id.to_string(),
                number: o.number.to_string(),
                placed_at: local(&o.created_at, zone),
                status: o.status,
                performances,
                tickets: o.tickets.len() as i64,
                paid,
                refunded,
                promo_code: o.promo.as_ref().map(|p| p.code.to_string()),
            }
        })
        .collect();
    let history = PatronHistory {
        email: email.to_string(),
        currency,
        orders: lines,
        totals,
    };
    match query.format.unwrap_or_default() {
        ReportFormat::Json => Ok(axum::Json(history).into_response()),
        ReportFormat::Csv => {
            let mut out = CsvOut::new(&state, &auth.tenant, "patron-history.csv");
            patron_csv(&history, &mut out).await?;
            out.finish().await
        }
    }
}

async fn patron_csv(history: &PatronHistory, out: &mut CsvOut<'_>) -> Result<(), ApiError> {
    let money = |amount: i64| Money::from_minor(amount, history.currency).decimal();
    out.row([
        "Order",
        "Placed",
        "Status",
        "Performances",
        "Tickets",
        "Paid",
        "Refunded",
        "Promo code",
        "Email",
    ])
    .await?;
    for o in &history.orders {
        let performances = o
            .performances
            .iter()
            .map(|p| format!("{} {} ×{}", p.event_title, p.starts_at, p.tickets))
            .collect::<Vec<_>>()
            .join("; ");
        out.row([
            o.number.clone(),
            o.placed_at.clone(),
            o.status.as_str().to_owned(),
            csv_safe(&performances),
            o.tickets.to_string(),
            money(o.paid),
            money(o.refunded),
            csv_safe(o.promo_code.as_deref().unwrap_or_default()),
            csv_safe(&history.email),
        ])
        .await?;
    }
    let t = &history.totals;
    out.row([
        format!("Total ({} orders)", t.orders),
        String::new(),
        String::new(),
        String::new(),
        t.tickets.to_string(),
        money(t.spent),
        money(t.refunded),
        String::new(),
        String::new(),
    ])
    .await
}
