//! Checkout and orders over HTTP. Checkout (`marquee_app::checkout`) prices the cart on the
//! server (the client never sends an amount), moves it to `checkout`, extends its holds for
//! the payment window and opens a Stripe PaymentIntent; the webhook completes the sale.
//! Orders are read with the secret order token the checkout returned.

use crate::PublicState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use marquee_app::checkout::CheckoutRequest;
use marquee_app::orders::OrderAccess;
use marquee_app::ports::PaymentAccount;
use marquee_domain::names::parse_display_name;
use marquee_domain::records::{
    OrderRecord, PayLaterKind, PerformanceRecord, Place, RefundRecord, TicketStatus,
};
use marquee_domain::{Delivery, Email, Invalid, OrderStatus, PerformanceId, Totals};
use marquee_platform::auth::PatronAuth;
use marquee_platform::payments::PaymentMode;
use marquee_platform::tenancy::Tenant;
use marquee_platform::views::LocalTime;
use marquee_platform::{ApiError, http::Json};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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
    /// One entry per held ticket (a cart holds at most 30).
    #[schema(min_items = 1, max_items = 30)]
    tickets: Vec<CheckoutTicket>,
    /// Required for `delivery: "mail"` (and only then): checked against the venue's
    /// countries and the country's rules (`GET /api/v1/site`, `mail.countries`).
    #[schema(value_type = Option<marquee_domain::AddressInput>)]
    address: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    provider: &'static str,
    /// For Stripe.js (`confirmPayment`) or, locally, the test double's card form.
    client_secret: String,
    payment_intent_id: String,
    /// The venue's Stripe account the PaymentIntent lives on: initialise Stripe.js with it
    /// (`Stripe(publishableKey, { stripeAccount })`).
    stripe_account: Option<String>,
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

/// Check out: price the cart, keep its seats for the payment and open a payment.
#[utoipa::path(post, path = "/api/v1/carts/{cartId}/checkout", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)), request_body = CheckoutBody,
    responses((status = 201, body = CheckoutView), (status = 400, description = "malformed_json"), (status = 401), (status = 404, description = "cart_not_found"),
        (status = 409, description = "cart_not_open; cart_changed; hold_expired; not_on_sale; seat_unavailable (free order); payments_not_ready (the venue cannot take card payments now); promo_exhausted (the cart's promo code is used up, in all or for this email address)"),
        (status = 422, description = "invalid_field (details.field names it, e.g. address.postalCode); missing_tickets; unknown_holds; invalid_price_type; promo_not_applicable; promo_expired; mail_not_offered (the venue does not post tickets); mail_closed (too close to the performance to post them)"),
        (status = 502, description = "payment_provider_error; payment_provider_unavailable"), (status = 503, description = "payments_unavailable; busy")))]
pub async fn checkout(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
    Json(body): Json<CheckoutBody>,
) -> Result<(StatusCode, axum::Json<CheckoutView>), ApiError> {
    let access = crate::carts::cart_access(&headers, &cart_id)?;
    // Logged in: the order is also filed under the account (a guest needs none).
    let patron =
        PatronAuth::from_headers(&state.jwt, &state.sessions, &tenant.id, &headers).await?;
    let request = CheckoutRequest {
        email: Some(Email::parse(&body.email).map_err(|e| Invalid::new("email", e.message))?),
        name: parse_display_name(&body.name)?,
        delivery: body.delivery.unwrap_or(Delivery::Email),
        tickets: body
            .tickets
            .into_iter()
            .map(|t| (t.hold_id, t.price_type))
            .collect(),
        patron: patron.map(|p| p.email),
        window: None,
        address: body
            .address
            .as_ref()
            .map(marquee_domain::AddressInput::from_json)
            .transpose()?,
    };
    let done = state
        .checkout
        .checkout(&tenant.id, &access, request)
        .await?;
    let payment = done.payment.map(|intent| PaymentView {
        provider: "stripe",
        client_secret: intent.client_secret,
        payment_intent_id: intent.id,
        stripe_account: done.order.stripe_account.clone(),
        publishable_key: state.payments.publishable_key().to_owned(),
        mode: state.payments.mode(),
    });
    Ok((
        StatusCode::CREATED,
        axum::Json(CheckoutView {
            order_id: done.order.id.to_string(),
            order_number: done.order.number.to_string(),
            order_token: done.order_token,
            status: done.order.status,
            totals: done.order.totals,
            payment,
            holds_until: crate::carts::millis(done.hold_until),
        }),
    ))
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
    /// Minor units, 0 to 99,999,999.
    #[schema(minimum = 0, maximum = 99_999_999)]
    price: i64,
    #[schema(minimum = 0)]
    fees: i64,
    status: TicketStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundView {
    #[schema(minimum = 0)]
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
    /// Minor units returned to the patron so far, at most the total.
    #[schema(minimum = 0)]
    refunded: i64,
    refunds: Vec<RefundView>,
    /// Why the order ended as it did, or the last payment problem while pending.
    problem: Option<String>,
    created_at: String,
    paid_at: Option<String>,
    /// Where a mailed order's tickets are posted to.
    address: Option<marquee_domain::PostalAddress>,
    /// Where a mailed order's tickets are (`null` for other deliveries).
    mail_status: Option<marquee_domain::records::MailStatus>,
    /// A phone order to pay through its emailed link: the card payment to confirm, while it
    /// waits (`null` otherwise, and once the deadline passed).
    payment: Option<PaymentView>,
    /// A phone order's link: the seats are released if it is not paid by then (RFC 3339).
    pay_by: Option<String>,
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

/// How the reader proves the order is theirs: the order token (`X-Order-Token`, or `?token=`
/// in links), else their patron login.
async fn order_access(
    state: &PublicState,
    tenant: &Tenant,
    headers: &HeaderMap,
    query_token: Option<String>,
) -> Result<OrderAccess, ApiError> {
    let token = headers
        .get("x-order-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query_token);
    if let Some(token) = token {
        return Ok(OrderAccess::Token(token));
    }
    match PatronAuth::from_headers(&state.jwt, &state.sessions, &tenant.id, headers).await? {
        Some(patron) => Ok(OrderAccess::Patron(patron.email)),
        None => Err(ApiError::unauthorized("Send the order's X-Order-Token")),
    }
}

/// The order, if the reader may see it; anything else is "not found".
pub(crate) async fn authorized_order(
    state: &PublicState,
    tenant: &Tenant,
    headers: &HeaderMap,
    order_id: &str,
    query_token: Option<String>,
) -> Result<OrderRecord, ApiError> {
    let access = order_access(state, tenant, headers, query_token).await?;
    Ok(state
        .orders
        .for_holder(&tenant.id, order_id, &access)
        .await?)
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
        let performance: Option<Arc<PerformanceRecord>> = state
            .catalog
            .published_cached(&tenant.id, &id)
            .await
            .ok()
            .flatten();
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
    let mail_status = order.mail_status();
    let (payment, pay_by) = link_payment(state, &order).await;
    Ok(OrderView {
        id: order.id.to_string(),
        number: order.number.to_string(),
        status: order.status,
        email: order.email,
        name: order.name,
        delivery: order.delivery,
        address: order.address,
        mail_status,
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
        payment,
        pay_by,
    })
}

/// A pending phone order's payment link: its card payment while the intent waits and the
/// deadline has not passed. A provider failure shows the order without it (and is logged).
async fn link_payment(
    state: &PublicState,
    order: &OrderRecord,
) -> (Option<PaymentView>, Option<String>) {
    let link = order
        .pay_later
        .as_ref()
        .filter(|p| p.kind == PayLaterKind::PaymentLink && order.status == OrderStatus::Pending);
    let (Some(link), Some(intent)) = (link, order.payment_intent.as_deref()) else {
        return (None, None);
    };
    let pay_by = crate::carts::millis(link.until);
    if link.has_expired(chrono::Utc::now().timestamp_millis()) {
        return (None, Some(pay_by));
    }
    let account = PaymentAccount::of(order.stripe_account.as_deref());
    let payment = match state.payments.payable_secret(account, intent).await {
        Ok(secret) => secret.map(|client_secret| PaymentView {
            provider: "stripe",
            client_secret,
            payment_intent_id: intent.to_owned(),
            stripe_account: order.stripe_account.clone(),
            publishable_key: state.payments.publishable_key().to_owned(),
            mode: state.payments.mode(),
        }),
        Err(e) => {
            tracing::warn!(order = %order.id, error = %e, "payment link's intent not read");
            None
        }
    };
    (payment, Some(pay_by))
}

/// How long a ticket download link works.
const TICKETS_LINK_SECONDS: u64 = 300;

/// The order's tickets as a PDF: a redirect to a short-lived link to the file (made on first
/// request, and again after a refund changes the order).
#[utoipa::path(get, path = "/api/v1/orders/{orderId}/tickets.pdf", params(("orderId" = String, Path), ("X-Order-Token" = Option<String>, Header), ("token" = Option<String>, Query)),
    responses((status = 302, description = "Location: a presigned link to the PDF, valid 5 minutes"), (status = 401), (status = 404),
        (status = 409, description = "no_tickets: nothing paid or all refunded")))]
pub async fn tickets_pdf(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    Query(query): Query<OrderQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    use marquee_platform::tickets;
    let access = order_access(&state, &tenant, &headers, query.token).await?;
    let order = state
        .orders
        .printable(&tenant.id, &order_id, &access)
        .await?;
    let key = tickets::pdf_key(&tenant.id, &order);
    if !state.documents.exists(&key).await? {
        let venue = state
            .store
            .venue(&tenant.id)
            .await?
            .ok_or_else(|| ApiError::not_found("Venue"))?;
        let signing = tickets::venue_key(&state.store, &tenant.id).await?;
        let performances = tickets::performances_of(&state.store, &venue, &order).await?;
        let fonts = state.fonts.get().await;
        let pdf = tickets::order_pdf(&signing, &fonts, &venue, &order, &performances)?;
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
