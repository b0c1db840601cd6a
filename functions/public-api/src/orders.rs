//! Checkout and orders. Checkout prices the cart on the server (the client never sends an
//! amount), moves it to `checkout`, extends its holds for the payment window and opens a
//! Stripe PaymentIntent; the webhook completes the sale. Orders are read with the secret
//! order token the checkout returned.

use crate::PublicState;
use crate::catalog::layout;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, Utc};
use marquee_domain::names::parse_display_name;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::pricing::{OrderLine, PricingError, compute_totals};
use marquee_domain::{
    Delivery, Email, Invalid, OrderId, OrderNumber, OrderStatus, PerformanceId, PriceType,
    TicketId, Totals,
};
use marquee_platform::auth::{PatronAuth, random_token, sha256_hex};
use marquee_platform::jobs::HoldExpiryJob;
use marquee_platform::payments::{PaymentMode, PaymentRequest};
use marquee_platform::sales::payment_error;
use marquee_platform::tenancy::Tenant;
use marquee_platform::views::LocalTime;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{
    CartStatus, CheckoutError, CheckoutWrite, HoldRecord, OrderRecord, PerformanceRecord, Place,
    RefundRecord, TicketRecord, TicketStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutTicket {
    hold_id: String,
    /// A price type of the seat's zone, e.g. `adult`.
    price_type: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutBody {
    email: String,
    name: String,
    #[serde(default)]
    delivery: Option<Delivery>,
    /// One entry per held ticket.
    tickets: Vec<CheckoutTicket>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    provider: &'static str,
    /// For Stripe.js (`confirmPayment`) or, locally, the test double's card form.
    client_secret: String,
    payment_intent_id: String,
    publishable_key: String,
    mode: PaymentMode,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutView {
    order_id: String,
    order_number: String,
    /// The secret to read the order with (`X-Order-Token` or `?token=`). Shown once.
    order_token: String,
    status: OrderStatus,
    totals: Totals,
    /// `null` for a free order, which is complete already.
    payment: Option<PaymentView>,
    /// Until when the seats are kept for the payment.
    holds_until: String,
}

fn checkout_refusal(e: CheckoutError) -> ApiError {
    match e {
        CheckoutError::CartNotFound => {
            ApiError::new(StatusCode::NOT_FOUND, "cart_not_found", "Cart not found")
        }
        CheckoutError::CartNotOpen(status) => cart_not_open(status),
        CheckoutError::CartChanged => ApiError::conflict(
            "cart_changed",
            "The cart changed while checking out; review it and try again",
        ),
        CheckoutError::HoldsExpired(holds) => hold_expired(&holds),
        CheckoutError::Contention => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Many people are buying right now; please try again",
        ),
        CheckoutError::Store(e) => e.into(),
    }
}

fn cart_not_open(status: CartStatus) -> ApiError {
    let message = match status {
        CartStatus::Checkout => "This cart is already being paid for",
        CartStatus::Completed => "This cart has been paid for already",
        CartStatus::Expired | CartStatus::Open => "This cart has expired; start again",
    };
    ApiError::conflict("cart_not_open", message).with_details(json!({ "status": status }))
}

fn hold_expired(holds: &[String]) -> ApiError {
    ApiError::conflict(
        "hold_expired",
        "Your reservation of some tickets ran out; choose them again",
    )
    .with_details(json!({ "holds": holds }))
}

/// What the patron is buying, priced: the lines in the order given, the totals summed over
/// the performances (each priced with its own table, fees and taxes).
struct Priced {
    tickets: Vec<TicketRecord>,
    totals: Totals,
}

/// Check out: price the cart, keep its seats for the payment and open a payment.
#[utoipa::path(post, path = "/api/v1/carts/{cartId}/checkout", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)), request_body = CheckoutBody,
    responses((status = 201, body = CheckoutView), (status = 404, description = "cart_not_found"),
        (status = 409, description = "cart_not_open; cart_changed; hold_expired; not_on_sale; seat_unavailable (free order)"),
        (status = 422, description = "invalid_field; missing_tickets; unknown_holds; invalid_price_type"),
        (status = 502, description = "payment_provider_error"), (status = 503, description = "payments_unavailable")))]
pub async fn checkout(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
    Json(body): Json<CheckoutBody>,
) -> Result<(StatusCode, axum::Json<CheckoutView>), ApiError> {
    let token = crate::carts::cart_token(&headers)?;
    let cart_id = crate::carts::valid_cart_id(&cart_id)?.to_owned();
    // Logged in: the order is also filed under the account (a guest needs none).
    let patron = PatronAuth::from_headers(&state.jwt, &tenant.id, &headers)?;
    let email = Email::parse(&body.email).map_err(|e| Invalid::new("email", e.message))?;
    let name = parse_display_name(&body.name)?;
    let delivery = body.delivery.unwrap_or(Delivery::Email);
    if body.tickets.is_empty() {
        return Err(Invalid::new("tickets", "list a price type for every held ticket").into());
    }
    let (cart, holds) = crate::carts::load_cart(&state, &tenant, &cart_id, &token).await?;
    if cart.status != CartStatus::Open {
        return Err(cart_not_open(cart.status));
    }
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let live: Vec<&HoldRecord> = holds.iter().filter(|h| h.expires_at > now_ms).collect();
    let chosen = match_tickets(&body.tickets, &holds, &live)?;

    let venue = state
        .store
        .venue(&tenant.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let priced = price(&state, &tenant, &chosen, venue.settings.currency).await?;

    // A previous checkout of this cart (its payment failed, the patron changed the cart) will
    // not be paid now: cancel its order and its PaymentIntent.
    if let Some(previous) = &cart.order_id {
        abandon_previous(&state, &tenant, previous).await;
    }

    let order_token = random_token(24);
    let order = OrderRecord {
        id: OrderId::generate(),
        number: OrderNumber::generate(),
        status: OrderStatus::Pending,
        token_hash: sha256_hex(&order_token),
        cart_id: cart_id.clone(),
        email: email.to_string(),
        name,
        patron: patron.map(|p| p.email),
        delivery,
        totals: priced.totals,
        tickets: priced.tickets,
        payment_intent: None,
        refunded: 0,
        refunds: Vec::new(),
        problem: None,
        created_at: now.to_rfc3339(),
        paid_at: None,
        posted_at: None,
        version: 0,
    };
    let window = i64::from(state.config.payment_window_seconds);
    let hold_until = (now + Duration::seconds(window)).timestamp_millis();
    let extended: Vec<HoldRecord> = live.iter().map(|h| (*h).clone()).collect();
    state
        .store
        .checkout(&CheckoutWrite {
            tenant: &tenant.id,
            cart_id: &cart_id,
            token_hash: &token,
            cart_version: cart.version,
            holds: &extended,
            hold_until,
            now: now_ms,
            order: &order,
        })
        .await
        .map_err(checkout_refusal)?;
    schedule_release(&state, &tenant, &cart_id, &extended, hold_until).await;

    let payment = if order.totals.total == 0 {
        state.sales.complete_free_order(&tenant.id, &order).await?;
        None
    } else {
        Some(
            open_payment(
                &state,
                &tenant,
                &order,
                &cart_id,
                cart.version,
                &venue.settings.name,
            )
            .await?,
        )
    };
    let status = if payment.is_none() {
        OrderStatus::Paid
    } else {
        OrderStatus::Pending
    };
    tracing::info!(order = %order.id, cart = %cart_id, total = order.totals.total, "checked out");
    Ok((
        StatusCode::CREATED,
        axum::Json(CheckoutView {
            order_id: order.id.to_string(),
            order_number: order.number.to_string(),
            order_token,
            status,
            totals: order.totals,
            payment,
            holds_until: crate::carts::millis(hold_until),
        }),
    ))
}

/// Pairs each listed ticket with a live hold of the cart: every live hold needs a price type,
/// each exactly once; a hold that ran out is named.
fn match_tickets<'a>(
    tickets: &'a [CheckoutTicket],
    all: &[HoldRecord],
    live: &[&'a HoldRecord],
) -> Result<Vec<(&'a HoldRecord, &'a str)>, ApiError> {
    let by_id: HashMap<&str, &HoldRecord> = live.iter().map(|h| (h.hold_id.as_str(), *h)).collect();
    let mut seen = HashSet::new();
    let mut chosen = Vec::with_capacity(tickets.len());
    let mut unknown = Vec::new();
    let mut expired = Vec::new();
    for ticket in tickets {
        if !seen.insert(ticket.hold_id.as_str()) {
            return Err(Invalid::new(
                "tickets",
                format!("hold '{}' is listed twice", ticket.hold_id),
            )
            .into());
        }
        match by_id.get(ticket.hold_id.as_str()) {
            Some(hold) => chosen.push((*hold, ticket.price_type.as_str())),
            None if all.iter().any(|h| h.hold_id == ticket.hold_id) => {
                expired.push(ticket.hold_id.clone())
            }
            None => unknown.push(ticket.hold_id.clone()),
        }
    }
    if !expired.is_empty() {
        return Err(hold_expired(&expired));
    }
    if !unknown.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_holds",
            "Some tickets are not held in this cart",
        )
        .with_details(json!({ "holds": unknown })));
    }
    let missing: Vec<&str> = live
        .iter()
        .filter(|h| !seen.contains(h.hold_id.as_str()))
        .map(|h| h.hold_id.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_tickets",
            "Choose a price type for every ticket in the cart",
        )
        .with_details(json!({ "holds": missing })));
    }
    Ok(chosen)
}

/// Prices the tickets from each performance's current price table, fees and taxes.
async fn price(
    state: &PublicState,
    tenant: &Tenant,
    chosen: &[(&HoldRecord, &str)],
    currency: marquee_domain::Currency,
) -> Result<Priced, ApiError> {
    // Group by performance, keeping each ticket's position.
    let mut groups: BTreeMap<&PerformanceId, Vec<usize>> = BTreeMap::new();
    for (i, (hold, _)) in chosen.iter().enumerate() {
        groups.entry(&hold.performance_id).or_default().push(i);
    }
    let mut tickets: Vec<Option<TicketRecord>> = vec![None; chosen.len()];
    let mut sum = Totals {
        lines: Vec::new(),
        subtotal: 0,
        fees: 0,
        tax: 0,
        tax_included: 0,
        total: 0,
        currency,
    };
    for (performance_id, positions) in groups {
        // Read afresh, not from the cache: a price change applies to the next checkout.
        let performance: PerformanceRecord = state
            .store
            .performance(&tenant.id, performance_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Performance"))?;
        if performance.status != PerformanceStatus::OnSale {
            return Err(ApiError::conflict(
                "not_on_sale",
                "A performance in the cart is no longer on sale",
            )
            .with_details(json!({ "performanceId": performance.id })));
        }
        let prepared = layout(state, tenant, &performance).await?;
        let mut lines = Vec::with_capacity(positions.len());
        for &i in &positions {
            let (hold, raw) = chosen[i];
            let price_type =
                PriceType::parse(raw).map_err(|_| invalid_price_type(hold, raw, &performance))?;
            lines.push(OrderLine {
                zone: hold.zone.clone(),
                price_type,
            });
        }
        let totals = compute_totals(
            &lines,
            &performance.prices,
            &performance.fees,
            &performance.taxes,
            currency,
        )
        .map_err(|e| match e {
            PricingError::Unpriced { line, .. } => {
                let (hold, raw) = chosen[positions[line]];
                invalid_price_type(hold, raw, &performance)
            }
            PricingError::Overflow => {
                Invalid::new("tickets", "the order total is out of range").into()
            }
        })?;
        for (k, &i) in positions.iter().enumerate() {
            let (hold, _) = chosen[i];
            let line = &totals.lines[k];
            tickets[i] = Some(TicketRecord {
                id: TicketId::generate(),
                performance_id: hold.performance_id.clone(),
                hold_id: hold.hold_id.clone(),
                section: hold.section.clone(),
                seat: hold.seat.clone(),
                area: hold.area.clone(),
                zone: hold.zone.clone(),
                place: place(&prepared, hold),
                price_type: line.price_type.clone(),
                price: line.price,
                fees: line.fees,
                status: TicketStatus::Pending,
            });
        }
        sum.subtotal += totals.subtotal;
        sum.fees += totals.fees;
        sum.tax += totals.tax;
        sum.tax_included += totals.tax_included;
        sum.total += totals.total;
    }
    let tickets: Vec<TicketRecord> = tickets.into_iter().flatten().collect();
    sum.lines = tickets
        .iter()
        .map(|t| marquee_domain::LineTotal {
            zone: t.zone.clone(),
            price_type: t.price_type.clone(),
            price: t.price,
            fees: t.fees,
        })
        .collect();
    Ok(Priced {
        tickets,
        totals: sum,
    })
}

fn invalid_price_type(hold: &HoldRecord, raw: &str, performance: &PerformanceRecord) -> ApiError {
    let available: Vec<&str> = performance
        .prices
        .price_types_in(&hold.zone)
        .into_iter()
        .map(PriceType::as_str)
        .collect();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_price_type",
        format!("'{raw}' is not a price of this ticket's zone"),
    )
    .with_details(json!({ "holdId": hold.hold_id, "priceType": raw, "available": available }))
}

/// The ticket's place in words, from the map as it is now.
fn place(prepared: &crate::prepared::PreparedLayout, hold: &HoldRecord) -> Place {
    if let Some(seat_id) = &hold.seat {
        let located = prepared
            .index
            .get(seat_id)
            .and_then(|p| prepared.map.seat_at(*p));
        return Place {
            section_name: located.and_then(|at| {
                prepared
                    .map
                    .sections
                    .iter()
                    .find(|s| &s.id == at.section)
                    .map(|s| s.name.clone())
            }),
            row: located.map(|at| at.row.to_owned()),
            seat_label: Some(
                located.map_or_else(|| seat_id.to_string(), |at| at.seat.label.clone()),
            ),
            area_name: None,
        };
    }
    Place {
        area_name: hold.area.as_ref().map(|area| {
            prepared
                .map
                .areas
                .iter()
                .find(|a| &a.id == area)
                .map_or_else(|| area.to_string(), |a| a.name.clone())
        }),
        ..Place::default()
    }
}

/// Cancels the order of an earlier checkout of the cart and its PaymentIntent. If that
/// payment succeeds anyway, the webhook finds the order cancelled and refunds it.
async fn abandon_previous(state: &PublicState, tenant: &Tenant, previous: &OrderId) {
    let Ok(Some(order)) = state.store.order(&tenant.id, previous).await else {
        return;
    };
    if order.status != OrderStatus::Pending {
        return;
    }
    if let Err(e) = state
        .store
        .cancel_pending_order(&tenant.id, previous, "Replaced by a newer checkout.")
        .await
    {
        tracing::warn!(order = %previous, error = %e, "could not cancel the previous checkout's order");
    }
    if let Some(intent) = &order.payment_intent
        && let Err(e) = state.payments.cancel_payment_intent(intent).await
    {
        tracing::warn!(order = %previous, error = %e, "could not cancel the previous PaymentIntent");
    }
}

/// Makes sure the holds are released if the payment never comes.
async fn schedule_release(
    state: &PublicState,
    tenant: &Tenant,
    cart_id: &str,
    holds: &[HoldRecord],
    until: i64,
) {
    let job = HoldExpiryJob {
        tenant: tenant.id.clone(),
        cart_id: cart_id.to_owned(),
        hold_ids: holds.iter().map(|h| h.hold_id.clone()).collect(),
        expires_at: until,
    };
    if let Err(e) = state
        .hold_expiry
        .schedule(&job, Utc::now().timestamp_millis())
        .await
    {
        tracing::error!(cart = %cart_id, error = %e.message, "could not schedule hold expiry");
    }
}

/// Opens the PaymentIntent. If Stripe fails, the cart opens again and the order is
/// cancelled, so the patron can simply try again.
async fn open_payment(
    state: &PublicState,
    tenant: &Tenant,
    order: &OrderRecord,
    cart_id: &str,
    cart_version: u32,
    venue_name: &str,
) -> Result<PaymentView, ApiError> {
    let metadata = HashMap::from([
        ("tenant".to_owned(), tenant.id.to_string()),
        ("order_id".to_owned(), order.id.to_string()),
        ("cart_id".to_owned(), cart_id.to_owned()),
        ("order_number".to_owned(), order.number.to_string()),
    ]);
    let count = order.tickets.len();
    let request = PaymentRequest {
        amount: order.totals.total,
        currency: order.totals.currency.code(),
        description: format!(
            "{venue_name}: {count} ticket{} (order {})",
            if count == 1 { "" } else { "s" },
            order.number
        ),
        receipt_email: &order.email,
        metadata,
        idempotency_key: format!("checkout-{cart_id}-v{cart_version}"),
    };
    let intent = match state.payments.create_payment_intent(request).await {
        Ok(intent) => intent,
        Err(e) => {
            let _ = state
                .store
                .reopen_cart_after_failed_payment(
                    &tenant.id,
                    order,
                    "The payment could not be started.",
                )
                .await;
            let _ = state
                .store
                .cancel_pending_order(&tenant.id, &order.id, "The payment could not be started.")
                .await;
            return Err(payment_error(e));
        }
    };
    state
        .store
        .set_payment_intent(&tenant.id, &order.id, &intent.id)
        .await?;
    Ok(PaymentView {
        provider: "stripe",
        client_secret: intent.client_secret,
        payment_intent_id: intent.id,
        publishable_key: state.payments.publishable_key().to_owned(),
        mode: state.payments.mode(),
    })
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    id: String,
    performance_id: String,
    event_title: String,
    starts_at: Option<LocalTime>,
    place: Place,
    price_type: String,
    price: i64,
    fees: i64,
    status: TicketStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundView {
    amount: i64,
    reason: String,
    at: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    id: String,
    number: String,
    status: OrderStatus,
    email: String,
    name: String,
    delivery: Delivery,
    totals: Totals,
    tickets: Vec<TicketView>,
    /// Minor units returned to the patron so far.
    refunded: i64,
    refunds: Vec<RefundView>,
    /// Why the order ended as it did, or the last payment problem while pending.
    problem: Option<String>,
    created_at: String,
    paid_at: Option<String>,
}

#[derive(Deserialize)]
pub struct OrderQuery {
    token: Option<String>,
}

/// An order, with the order token from checkout (`X-Order-Token`, or `?token=` in links).
#[utoipa::path(get, path = "/api/v1/orders/{orderId}", params(("orderId" = String, Path), ("X-Order-Token" = Option<String>, Header), ("token" = Option<String>, Query)),
    responses((status = 200, body = OrderView), (status = 401), (status = 404)))]
pub async fn get_order(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    Query(query): Query<OrderQuery>,
) -> Result<axum::Json<OrderView>, ApiError> {
    let order = authorized_order(&state, &tenant, &headers, &order_id, query.token).await?;
    Ok(axum::Json(order_view(&state, &tenant, order).await?))
}

/// The order, if the token is its own; anything else is "not found".
pub(crate) async fn authorized_order(
    state: &PublicState,
    tenant: &Tenant,
    headers: &HeaderMap,
    order_id: &str,
    query_token: Option<String>,
) -> Result<OrderRecord, ApiError> {
    let token = headers
        .get("x-order-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query_token);
    let patron = PatronAuth::from_headers(&state.jwt, &tenant.id, headers)?;
    let id = OrderId::parse(order_id).map_err(|_| ApiError::not_found("Order"))?;
    let order = state
        .store
        .order(&tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Order"))?;
    // The patron whose account placed it may open it with their own token.
    if let Some(patron) = &patron
        && token.is_none()
    {
        return if order.patron.as_ref() == Some(&patron.email) {
            Ok(order)
        } else {
            Err(ApiError::not_found("Order"))
        };
    }
    let token = token.ok_or_else(|| ApiError::unauthorized("Send the order's X-Order-Token"))?;
    let given = sha256_hex(token.trim());
    if !marquee_platform::auth::secrets_match(
        &given,
        &marquee_platform::Secret::new(order.token_hash.clone()),
    ) {
        return Err(ApiError::not_found("Order"));
    }
    Ok(order)
}

async fn order_view(
    state: &PublicState,
    tenant: &Tenant,
    order: OrderRecord,
) -> Result<OrderView, ApiError> {
    let venue = state
        .store
        .venue(&tenant.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let mut performances: HashMap<PerformanceId, (String, Option<LocalTime>)> = HashMap::new();
    for id in order.performances() {
        let performance: Option<Arc<PerformanceRecord>> =
            crate::catalog::cached_performance(state, tenant, id.as_str())
                .await
                .ok();
        let title = match &performance {
            Some(p) => state
                .store
                .event(&tenant.id, &p.event_id)
                .await?
                .map(|e| e.title)
                .unwrap_or_default(),
            None => String::new(),
        };
        let starts = performance
            .as_ref()
            .map(|p| LocalTime::new(p.schedule.starts_at, venue.settings.timezone));
        performances.insert(id, (title, starts));
    }
    let tickets = order
        .tickets
        .iter()
        .map(|t| {
            let (title, starts) = performances
                .get(&t.performance_id)
                .cloned()
                .unwrap_or_default();
            TicketView {
                id: t.id.to_string(),
                performance_id: t.performance_id.to_string(),
                event_title: title,
                starts_at: starts,
                place: t.place.clone(),
                price_type: t.price_type.to_string(),
                price: t.price,
                fees: t.fees,
                status: t.status,
            }
        })
        .collect();
    Ok(OrderView {
        id: order.id.to_string(),
        number: order.number.to_string(),
        status: order.status,
        email: order.email,
        name: order.name,
        delivery: order.delivery,
        totals: order.totals,
        tickets,
        refunded: order.refunded,
        refunds: order
            .refunds
            .into_iter()
            .map(|r: RefundRecord| RefundView {
                amount: r.amount,
                reason: r.reason,
                at: r.at,
            })
            .collect(),
        problem: order.problem,
        created_at: order.created_at,
        paid_at: order.paid_at,
    })
}

/// How long a ticket download link works.
const TICKETS_LINK_SECONDS: u64 = 300;

/// The order's tickets as a PDF: a redirect to a short-lived link to the file (made on first
/// request, and again after a refund changes the order).
#[utoipa::path(get, path = "/api/v1/orders/{orderId}/tickets.pdf", params(("orderId" = String, Path), ("X-Order-Token" = Option<String>, Header), ("token" = Option<String>, Query)),
    responses((status = 302, description = "Location: a presigned link to the PDF, valid 5 minutes"), (status = 404), (status = 409, description = "no_tickets: nothing paid or all refunded")))]
pub async fn tickets_pdf(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    Query(query): Query<OrderQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    use marquee_platform::tickets;
    let order = authorized_order(&state, &tenant, &headers, &order_id, query.token).await?;
    let has_tickets = order.status.has_valid_tickets()
        && order
            .tickets
            .iter()
            .any(|t| t.status == TicketStatus::Valid);
    if !has_tickets {
        return Err(ApiError::conflict(
            "no_tickets",
            "This order has no valid tickets to print",
        ));
    }
    let key = tickets::pdf_key(&tenant.id, &order);
    if !state.documents.exists(&key).await? {
        let venue = state
            .store
            .venue(&tenant.id)
            .await?
            .ok_or_else(|| ApiError::not_found("Venue"))?;
        let signing = tickets::venue_key(&state.store, &tenant.id).await?;
        let performances = tickets::performances_of(&state.store, &venue, &order).await?;
        let pdf = tickets::order_pdf(&signing, &venue, &order, &performances)?;
        state.documents.put(&key, pdf, "application/pdf").await?;
    }
    let url = state
        .documents
        .presign_get(&key, std::time::Duration::from_secs(TICKETS_LINK_SECONDS))
        .await?;
    Ok((
        StatusCode::FOUND,
        [
            (axum::http::header::LOCATION, url),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response())
}
