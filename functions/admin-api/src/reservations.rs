//! The box office's own orders after the sale: a reservation paid (cash with change, or a
//! card on the venue's Stripe account) or cancelled before its deadline, and a card sale
//! cancelled while it waits for its payment. Handlers parse and map errors; `WindowOrders`
//! decides. Each action is audited with the staff member who did it.

use crate::AdminState;
use crate::audit::staff_did;
use axum::extract::{Path, State};
use marquee_app::window_orders::ReservationPayment;
use marquee_domain::records::AuditKind;
use marquee_domain::{OrderId, OrderStatus, Permission, Totals};
use marquee_platform::auth::StaffAuth;
use marquee_platform::payments::PaymentMode;
use marquee_platform::{ApiError, http::Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

fn order_id(raw: &str) -> Result<OrderId, ApiError> {
    OrderId::parse(raw).map_err(|_| ApiError::not_found("Order"))
}

/// How a reservation is paid at the box office.
#[derive(Deserialize, ToSchema)]
#[serde(
    tag = "method",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum PayBody {
    /// Cash handed over, in minor units: at least the total.
    Cash {
        #[schema(minimum = 0, maximum = 99_999_999)]
        tendered: i64,
    },
    /// A card through the venue's Stripe account (the answer carries the PaymentIntent).
    Card,
}

/// A card payment to confirm with Stripe.js on the venue's account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardPaymentView {
    client_secret: String,
    payment_intent_id: String,
    stripe_account: Option<String>,
    publishable_key: String,
    mode: PaymentMode,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationPaidView {
    order_id: String,
    number: String,
    /// `paid` for cash (the tickets are issued); `pending` until a card payment succeeds.
    status: OrderStatus,
    totals: Totals,
    /// Cash to hand back, in minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    change_due: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<CardPaymentView>,
}

/// Take the payment of a reservation: cash (paid at once, tickets issued, change due) or a
/// card (a PaymentIntent on the venue's account; the order is paid when it succeeds).
#[utoipa::path(post, path = "/admin/v1/orders/{orderId}/pay", params(("orderId" = String, Path)), request_body = PayBody,
    responses((status = 200, body = ReservationPaidView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 404, description = "no such order"),
        (status = 409, description = "already_paid; reservation_expired (its deadline passed); order_cancelled; not_reserved; payment_underway; payments_not_ready; order_changed; seat_unavailable"),
        (status = 422, description = "invalid_field (tendered below the total); invalid_body"),
        (status = 502, description = "the payment provider refused"), (status = 503, description = "busy; payments unavailable")),
    security(("staff" = [])))]
pub async fn pay_reservation(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(raw): Path<String>,
    Json(body): Json<PayBody>,
) -> Result<axum::Json<ReservationPaidView>, ApiError> {
    auth.require(Permission::Sell)?;
    let id = order_id(&raw)?;
    let payment = match body {
        PayBody::Cash { tendered } => ReservationPayment::Cash { tendered },
        PayBody::Card => ReservationPayment::Card,
    };
    let paid = state
        .window_orders
        .pay_reservation(&auth.tenant, &id, &auth.email, payment)
        .await?;
    let order = paid.order;
    let sale = order.sale.clone();
    staff_did(
        &state,
        &auth,
        AuditKind::ReservationPaid,
        format!("order {}", order.number),
        None,
        Some(json!({
            "method": sale.as_ref().map(|s| s.method),
            "total": order.totals.total,
            "status": order.status,
        })),
    )
    .await;
    let payment = paid.payment.map(|intent| CardPaymentView {
        client_secret: intent.client_secret,
        payment_intent_id: intent.id,
        stripe_account: order.stripe_account.clone(),
        publishable_key: state.payments.publishable_key().to_owned(),
        mode: state.payments.mode(),
    });
    Ok(axum::Json(ReservationPaidView {
        order_id: order.id.to_string(),
        number: order.number.to_string(),
        status: order.status,
        totals: order.totals,
        change_due: sale.and_then(|s| s.change),
        payment,
    }))
}

/// What a cancellation left.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelledView {
    order_id: String,
    number: String,
    /// `cancelled`.
    status: OrderStatus,
    /// The box office cart the seats went back to (a cancelled card sale), to sell again.
    #[serde(skip_serializing_if = "Option::is_none")]
    cart_id: Option<String>,
}

/// Cancel a reservation before its deadline: its seats are released at once.
#[utoipa::path(delete, path = "/admin/v1/orders/{orderId}/reservation", params(("orderId" = String, Path)),
    responses((status = 200, body = OrderCancelledView), (status = 401), (status = 403), (status = 404, description = "no such order"),
        (status = 409, description = "already_paid; reservation_expired; order_cancelled; not_reserved; payment_underway; order_changed"),
        (status = 502, description = "the payment provider refused"), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn cancel_reservation(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(raw): Path<String>,
) -> Result<axum::Json<OrderCancelledView>, ApiError> {
    auth.require(Permission::Sell)?;
    let id = order_id(&raw)?;
    let order = state
        .window_orders
        .cancel_reservation(&auth.tenant, &id)
        .await?;
    staff_did(
        &state,
        &auth,
        AuditKind::ReservationCancelled,
        format!("order {}", order.number),
        None,
        Some(json!({ "tickets": order.tickets.len(), "total": order.totals.total })),
    )
    .await;
    Ok(axum::Json(OrderCancelledView {
        order_id: order.id.to_string(),
        number: order.number.to_string(),
        status: order.status,
        cart_id: None,
    }))
}

/// Cancel a box office card sale still waiting for its payment: the PaymentIntent is
/// cancelled and the seats go back to the cart (open again), to take another payment or
/// release them.
#[utoipa::path(post, path = "/admin/v1/orders/{orderId}/cancel", params(("orderId" = String, Path)),
    responses((status = 200, body = OrderCancelledView), (status = 401), (status = 403), (status = 404, description = "no such order"),
        (status = 409, description = "already_paid; not_waiting_card_sale (not a pending box office card sale); payment_underway (the payment went through); order_changed"),
        (status = 502, description = "the payment provider refused"), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn cancel_card_sale(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(raw): Path<String>,
) -> Result<axum::Json<OrderCancelledView>, ApiError> {
    auth.require(Permission::Sell)?;
    let id = order_id(&raw)?;
    let order = state
        .window_orders
        .cancel_card_sale(&auth.tenant, &id)
        .await?;
    staff_did(
        &state,
        &auth,
        AuditKind::CardSaleCancelled,
        format!("order {}", order.number),
        None,
        Some(json!({ "total": order.totals.total })),
    )
    .await;
    Ok(axum::Json(OrderCancelledView {
        order_id: order.id.to_string(),
        number: order.number.to_string(),
        status: order.status,
        cart_id: Some(order.cart_id.to_string()),
    }))
}
