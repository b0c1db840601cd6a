//! Exchanges at the box office (`sell` permission): a patron's tickets moved to another
//! performance of the same event, or to other seats of the same one, in one step. Handlers
//! parse and map errors; `Exchanges` decides (see its module for how the swap stays atomic).

use crate::AdminState;
use crate::audit::staff_did;
use crate::boxoffice::SalePaymentView;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use marquee_app::exchanges::{
    ExchangeError, ExchangeFigures, ExchangeOutcome, ExchangeRequest, SurplusBack, TopUp,
};
use marquee_domain::records::AuditKind;
use marquee_domain::{Invalid, OrderId, OrderStatus, Permission, TicketId, Totals};
use marquee_platform::auth::StaffAuth;
use marquee_platform::requests::{BestAvailableRequest, GeneralAdmissionRequest, HoldBody};
use marquee_platform::{ApiError, http::Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// How the difference is paid when the new tickets cost more.
#[derive(Deserialize, ToSchema)]
#[serde(
    tag = "method",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ExchangePayment {
    /// Cash handed over, in minor units: at least what is due.
    Cash {
        #[schema(minimum = 0, maximum = 99_999_999)]
        tendered: i64,
    },
    /// A card through the venue's Stripe account; the old tickets are exchanged when it is paid.
    Card,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExchangeBody {
    /// Valid tickets of the order to exchange (at most 20).
    #[schema(min_items = 1, max_items = 20)]
    ticket_ids: Vec<String>,
    /// A performance of the same event (the same one for other seats).
    performance_id: String,
    /// The new places: exactly one of these, as many as `ticketIds`.
    #[schema(max_items = 20)]
    seats: Option<Vec<String>>,
    best_available: Option<BestAvailableRequest>,
    general_admission: Option<GeneralAdmissionRequest>,
    /// A price type per new ticket, in the order's ticket order; default each old one's.
    #[schema(max_items = 20)]
    price_types: Option<Vec<String>>,
    /// The exchange fee, minor units (default 0).
    #[schema(minimum = 0, maximum = 100_000)]
    fee: Option<i64>,
    /// Needed when the new tickets cost more than the old ones are worth.
    payment: Option<ExchangePayment>,
    /// Only the figures: the places are let go again and nothing changes.
    #[serde(default)]
    quote: bool,
}

/// What the exchange costs, minor units of the venue's currency.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeFiguresView {
    /// The new tickets at today's prices, fees and taxes.
    new_total: i64,
    /// What the old tickets are worth (what a refund of them would return).
    credit: i64,
    fee: i64,
    /// To take now.
    due: i64,
    /// To pay back to the patron.
    surplus: i64,
}

impl From<ExchangeFigures> for ExchangeFiguresView {
    fn from(f: ExchangeFigures) -> Self {
        Self {
            new_total: f.new_total,
            credit: f.credit,
            fee: f.fee,
            due: f.due,
            surplus: f.surplus,
        }
    }
}

/// Where the surplus went.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurplusTo {
    /// Refunded on the original card.
    Card,
    /// The original order was paid in cash: pay it from the drawer.
    Cash,
    /// The card refund failed: the exchange stands; refund the amount by hand.
    Failed,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeView {
    figures: ExchangeFiguresView,
    /// The new tickets' totals before the credit (a quote), or the new order's (the
    /// difference and the fee).
    totals: Totals,
    /// The new order (absent for a quote).
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    /// `paid`, or `pending` until the card payment of the difference succeeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<OrderStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change_due: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<SalePaymentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    surplus_to: Option<SurplusTo>,
    /// Why the card refund failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    surplus_problem: Option<String>,
}

fn refused(e: ExchangeError) -> ApiError {
    match e {
        ExchangeError::OrderNotFound => ApiError::not_found("Order"),
        ExchangeError::PerformanceNotFound => ApiError::not_found("Performance"),
        ExchangeError::NotExchangeable(message) => ApiError::conflict("not_exchangeable", message),
        ExchangeError::UnknownTickets(tickets) => unknown_tickets(&tickets),
        ExchangeError::Hold(e) => e.into(),
        ExchangeError::Checkout(e) => e.into(),
        ExchangeError::Invalid(e) => e.into(),
        ExchangeError::Store(e) => e.into(),
    }
}

fn unknown_tickets(tickets: &[impl ToString]) -> ApiError {
    let tickets: Vec<String> = tickets.iter().map(ToString::to_string).collect();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_tickets",
        "Some tickets are not valid tickets of this order",
    )
    .with_details(json!({ "tickets": tickets }))
}

/// Exchange tickets of an order for places at another performance of the same event (or
/// other seats of the same one): the new places are held first; the old tickets stop
/// admitting in the same transaction that sells the new ones; the difference is taken in
/// cash or by card, or paid back (on the original card, or from the drawer for cash).
/// `quote: true` answers the figures and changes nothing.
#[utoipa::path(post, path = "/admin/v1/orders/{orderId}/exchange", params(("orderId" = String, Path)), request_body = ExchangeBody,
    responses((status = 200, body = ExchangeView, description = "a quote"), (status = 201, body = ExchangeView, description = "exchanged (or pending its card payment)"),
        (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 404, description = "no such order or performance"),
        (status = 409, description = "seat_unavailable with details.seats; not_on_sale; not_exchangeable; exchange_changed"),
        (status = 422, description = "unknown_tickets; invalid_field (performanceId: another event; payment: what is due; tendered; quantity; fee); limit_exceeded; unknown_seats"),
        (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn exchange(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(order_id): Path<String>,
    Json(body): Json<ExchangeBody>,
) -> Result<(StatusCode, axum::Json<ExchangeView>), ApiError> {
    auth.require(Permission::Sell)?;
    let order = OrderId::parse(&order_id).map_err(|_| ApiError::not_found("Order"))?;
    let tickets = body
        .ticket_ids
        .iter()
        .map(|raw| TicketId::parse(raw).map_err(|_| unknown_tickets(&[raw])))
        .collect::<Result<Vec<_>, _>>()?;
    let wanted = marquee_app::holds::HoldWanted::try_from(HoldBody {
        performance_id: body.performance_id.clone(),
        seats: body.seats,
        best_available: body.best_available,
        general_admission: body.general_admission,
    })?;
    let quote = body.quote;
    let request = ExchangeRequest {
        by: auth.email.clone(),
        order,
        tickets,
        performance: body.performance_id,
        wanted,
        price_types: body.price_types.unwrap_or_default(),
        fee: body.fee.unwrap_or(0),
        payment: body.payment.map(|p| match p {
            ExchangePayment::Cash { tendered } => TopUp::Cash { tendered },
            ExchangePayment::Card => TopUp::Card,
        }),
        quote_only: quote,
    };
    if request.tickets.is_empty() {
        return Err(Invalid::new("ticketIds", "choose the tickets to exchange").into());
    }
    let outcome = state
        .exchanges
        .exchange(&auth.tenant, request)
        .await
        .map_err(refused)?;
    let done = match outcome {
        ExchangeOutcome::Quote { figures, totals } => {
            return Ok((
                StatusCode::OK,
                axum::Json(ExchangeView {
                    figures: figures.into(),
                    totals,
                    order_id: None,
                    number: None,
                    status: None,
                    change_due: None,
                    payment: None,
                    surplus_to: None,
                    surplus_problem: None,
                }),
            ));
        }
        ExchangeOutcome::Done(done) => *done,
    };
    let from = done
        .order
        .exchange
        .as_ref()
        .map(|e| e.number.to_string())
        .unwrap_or_default();
    staff_did(
        &state,
        &auth,
        AuditKind::TicketsExchanged,
        format!("order {from} → order {}", done.order.number),
        None,
        Some(json!({
            "tickets": done.order.tickets.len(),
            "due": done.figures.due,
            "surplus": done.figures.surplus,
            "fee": done.figures.fee,
            "method": done.order.sale.as_ref().map(|s| s.method),
        })),
    )
    .await;
    let payment = done.payment.map(|intent| SalePaymentView {
        client_secret: intent.client_secret,
        payment_intent_id: intent.id,
        stripe_account: done.order.stripe_account.clone(),
        publishable_key: state.payments.publishable_key().to_owned(),
        mode: state.payments.mode(),
    });
    let (surplus_to, surplus_problem) = match done.surplus_back {
        None => (None, None),
        Some(SurplusBack::Card) => (Some(SurplusTo::Card), None),
        Some(SurplusBack::Cash) => (Some(SurplusTo::Cash), None),
        Some(SurplusBack::Failed(why)) => (Some(SurplusTo::Failed), Some(why)),
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(ExchangeView {
            figures: done.figures.into(),
            order_id: Some(done.order.id.to_string()),
            number: Some(done.order.number.to_string()),
            status: Some(done.order.status),
            totals: done.order.totals,
            change_due: done.change_due,
            payment,
            surplus_to,
            surplus_problem,
        }),
    ))
}
