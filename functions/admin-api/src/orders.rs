//! Orders for the box office: lookup by number, email or name; one order in full; refunds of
//! a whole order or listed tickets; and the refunds of a cancelled performance.

use crate::AdminState;
use axum::extract::{Path, Query, State};
use futures::{StreamExt, TryStreamExt};
use marquee_domain::{OrderId, OrderNumber, Permission, TicketId};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{OrderRecord, TicketStatus};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

/// How many recent orders a name or email search looks through.
const SEARCH_WINDOW: i32 = 500;
/// Orders read at once for the to-post list.
const READS_AT_ONCE: usize = 16;
/// A cancellation refunds for at most this long per request; calling again continues.
pub(crate) const CANCEL_BUDGET: Duration = Duration::from_secs(20);

/// What every view of an order shows first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderHeader {
    id: String,
    number: String,
    status: marquee_domain::OrderStatus,
    name: String,
    email: String,
    /// Minor units of `currency`.
    #[schema(minimum = 0)]
    total: i64,
    /// At most `total`.
    #[schema(minimum = 0)]
    refunded: i64,
    currency: String,
    created_at: String,
}

impl From<&OrderRecord> for OrderHeader {
    fn from(order: &OrderRecord) -> Self {
        Self {
            id: order.id.to_string(),
            number: order.number.to_string(),
            status: order.status,
            name: order.name.clone(),
            email: order.email.clone(),
            total: order.totals.total,
            refunded: order.refunded,
            currency: order.totals.currency.code().to_owned(),
            created_at: order.created_at.clone(),
        }
    }
}

/// An order in a list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    #[serde(flatten)]
    header: OrderHeader,
    /// How many tickets.
    tickets: usize,
    /// Where a mailed order's tickets go (on the to-post list).
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<marquee_domain::PostalAddress>,
}

impl From<&OrderRecord> for OrderSummary {
    fn from(order: &OrderRecord) -> Self {
        Self {
            header: order.into(),
            tickets: order.tickets.len(),
            address: order.address.clone(),
        }
    }
}

#[derive(Deserialize)]
pub struct OrderSearch {
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    orders: Vec<OrderSummary>,
}

/// Find orders by number (exact), or by email or name (part of it), newest first.
#[utoipa::path(get, path = "/admin/v1/orders", params(("q" = Option<String>, Query)),
    responses((status = 200, body = OrderList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn search_orders(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(search): Query<OrderSearch>,
) -> Result<axum::Json<OrderList>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let q = search.q.unwrap_or_default().trim().to_lowercase();
    if let Ok(number) = OrderNumber::parse(&q)
        && let Some(order) = state.store.order_by_number(&auth.tenant, &number).await?
    {
        return Ok(axum::Json(OrderList {
            orders: vec![OrderSummary::from(&order)],
        }));
    }
    let recent = state
        .store
        .recent_orders(&auth.tenant, SEARCH_WINDOW)
        .await?;
    let orders = recent
        .iter()
        .filter(|o| {
            q.is_empty()
                || o.email.to_lowercase().contains(&q)
                || o.name.to_lowercase().contains(&q)
        })
        .take(100)
        .map(OrderSummary::from)
        .collect();
    Ok(axum::Json(OrderList { orders }))
}

pub(crate) async fn load_order(
    state: &AdminState,
    auth: &StaffAuth,
    raw: &str,
) -> Result<OrderRecord, ApiError> {
    let id = OrderId::parse(raw).map_err(|_| ApiError::not_found("Order"))?;
    state
        .store
        .order(&auth.tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Order"))
}

/// An order as staff see it: contact, tickets with their status, totals and refunds.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    #[serde(flatten)]
    header: OrderHeader,
    delivery: marquee_domain::Delivery,
    totals: marquee_domain::Totals,
    tickets: Vec<TicketLine>,
    refunds: Vec<marquee_store::RefundRecord>,
    problem: Option<String>,
    paid_at: Option<String>,
    posted_at: Option<String>,
    /// A will-call order collected at the box office: when, and by whom.
    picked_up: Option<marquee_domain::records::PickUp>,
    /// A box office sale: who sold it and how it was paid.
    sale: Option<marquee_domain::records::WindowSale>,
    /// Made by exchanging tickets of an earlier order.
    exchange: Option<marquee_domain::records::ExchangeOf>,
    /// Where a mailed order's tickets are posted to.
    address: Option<marquee_domain::PostalAddress>,
    /// Where a mailed order's tickets are (`null` for other deliveries).
    mail_status: Option<marquee_domain::records::MailStatus>,
    /// A mailed order's fulfilment: who posts it, the provider's letter id, the last
    /// provider problem while it is retried.
    mail: Option<marquee_domain::records::PostedMail>,
    /// The venue's Stripe account the card payment was made on.
    stripe_account: Option<String>,
    /// The platform fee applied to the card payment (minor units; 0 for free orders).
    #[schema(minimum = 0)]
    platform_fee: i64,
    /// Where the card payment went, from Stripe (only on `GET /admin/v1/orders/{orderId}`
    /// for a paid card order, when Stripe answers).
    payment: Option<crate::payments::PaymentFigures>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketLine {
    id: String,
    performance_id: String,
    place: marquee_store::Place,
    price_type: String,
    /// Minor units, 0 to 99,999,999.
    #[schema(minimum = 0, maximum = 99_999_999)]
    price: i64,
    #[schema(minimum = 0)]
    fees: i64,
    status: TicketStatus,
}

impl From<&OrderRecord> for OrderDetail {
    fn from(order: &OrderRecord) -> Self {
        Self {
            header: order.into(),
            delivery: order.delivery,
            totals: order.totals.clone(),
            tickets: order
                .tickets
                .iter()
                .map(|t| TicketLine {
                    id: t.id.to_string(),
                    performance_id: t.performance_id.to_string(),
                    place: t.place.clone(),
                    price_type: t.price_type.to_string(),
                    price: t.price,
                    fees: t.fees,
                    status: t.status,
                })
                .collect(),
            refunds: order.refunds.clone(),
            problem: order.problem.clone(),
            paid_at: order.paid_at.clone(),
            posted_at: order.posted_at.clone(),
            picked_up: order.picked_up.clone(),
            sale: order.sale.clone(),
            exchange: order.exchange.clone(),
            address: order.address.clone(),
            mail_status: order.mail_status(),
            mail: order.mail.clone(),
            stripe_account: order.stripe_account.clone(),
            platform_fee: order.platform_fee,
            payment: None,
        }
    }
}

/// One order.
#[utoipa::path(get, path = "/admin/v1/orders/{orderId}", params(("orderId" = String, Path)),
    responses((status = 200, body = OrderDetail), (status = 401), (status = 403), (status = 404)), security(("staff" = [])))]
pub async fn get_order(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(order_id): Path<String>,
) -> Result<axum::Json<OrderDetail>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let order = load_order(&state, &auth, &order_id).await?;
    let mut detail = OrderDetail::from(&order);
    if let (Some(intent), true) = (&order.payment_intent, order.paid_at.is_some()) {
        // The figures are a convenience: the order shows without them if Stripe cannot answer.
        match state
            .agreements
            .payment_breakdown(order.stripe_account.as_deref(), intent)
            .await
        {
            Ok(figures) => detail.payment = figures.map(Into::into),
            Err(e) => {
                tracing::warn!(order = %order.id, error = %e, "no payment figures from Stripe")
            }
        }
    }
    Ok(axum::Json(detail))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundRequest {
    /// Ticket ids to refund (an order has at most 30); all valid tickets when absent.
    #[schema(max_items = 30)]
    tickets: Option<Vec<String>>,
    /// Shown to the patron in the refund email.
    reason: Option<String>,
}

/// Refund a whole order or listed tickets: the money through Stripe (each ticket's share of
/// the total, taxes and fees included; the last refund returns exactly what is left), the
/// tickets voided, the seats back on sale.
#[utoipa::path(post, path = "/admin/v1/orders/{orderId}/refund", params(("orderId" = String, Path)), request_body = RefundRequest,
    responses((status = 200, body = OrderDetail), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "not_refundable; order_changed"),
        (status = 422, description = "unknown_tickets with details.tickets; invalid_field; invalid_body"),
        (status = 502, description = "payment_provider_error; payment_provider_unavailable"),
        (status = 503, description = "payments_unavailable; busy")), security(("staff" = [])))]
pub async fn refund_order(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(order_id): Path<String>,
    Json(body): Json<RefundRequest>,
) -> Result<axum::Json<OrderDetail>, ApiError> {
    auth.require(Permission::Refund)?;
    // An order holds at most the largest tickets-per-order setting; a longer list is a mistake
    // (or a probe), refused before anything is read.
    let most = *marquee_domain::venue::MAX_TICKETS_RANGE.end() as usize;
    if body
        .tickets
        .as_ref()
        .is_some_and(|listed| listed.len() > most)
    {
        return Err(marquee_domain::Invalid::new(
            "tickets",
            format!("list at most {most} tickets, or none to refund all"),
        )
        .into());
    }
    let order = load_order(&state, &auth, &order_id).await?;
    let tickets = match &body.tickets {
        Some(raw) => Some(
            raw.iter()
                .map(|id| {
                    TicketId::parse(id).map_err(|_| {
                        marquee_domain::Invalid::new(
                            "tickets",
                            format!("'{id}' is not a ticket id"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("Refunded by the box office.");
    if reason.chars().count() > 500 {
        return Err(
            marquee_domain::Invalid::new("reason", "must be at most 500 characters").into(),
        );
    }
    let refunded = state
        .sales
        .refund_tickets(&auth.tenant, &order.id, tickets.as_deref(), reason)
        .await?;
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::OrderRefunded,
        format!("order:{}", order.id),
        Some(serde_json::json!({ "refunded": order.refunded, "status": order.status })),
        Some(serde_json::json!({
            "refunded": refunded.refunded,
            "status": refunded.status,
            "reason": reason,
            "tickets": body.tickets,
        })),
    )
    .await;
    tracing::info!(tenant = %auth.tenant, order = %order.id, staff = ?auth.email, "order refunded");
    Ok(axum::Json(OrderDetail::from(&refunded)))
}

/// How far the refunds of a cancelled performance have got.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancellationProgress {
    /// Orders with tickets for the performance.
    pub orders: usize,
    /// Of those, refunded for this performance (now or before).
    pub refunded: usize,
    /// Refunds that failed this time (they are retried by calling cancel again).
    pub failed: usize,
    /// Not reached within this request: call cancel again to continue.
    pub remaining: usize,
}

impl From<marquee_app::sales::CancellationProgress> for CancellationProgress {
    fn from(p: marquee_app::sales::CancellationProgress) -> Self {
        Self {
            orders: p.orders,
            refunded: p.refunded,
            failed: p.failed,
            remaining: p.remaining,
        }
    }
}

impl CancellationProgress {
    pub fn complete(&self) -> bool {
        self.refunded == self.orders
    }
}

/// Paid mailed orders the box office posts itself (not those the print-and-mail provider
/// posts) and has not posted yet, oldest first.
async fn orders_to_post(
    state: &AdminState,
    auth: &StaffAuth,
) -> Result<Vec<OrderRecord>, ApiError> {
    // The to-post index, not the recent orders: an unposted order stays listed however many
    // orders came after it.
    let ids = state.store.orders_to_post(&auth.tenant).await?;
    let read: Vec<Option<OrderRecord>> = futures::stream::iter(ids)
        .map(|id| {
            let (store, tenant) = (state.store.clone(), auth.tenant.clone());
            async move { store.order(&tenant, &id).await }
        })
        .buffer_unordered(READS_AT_ONCE)
        .try_collect()
        .await?;
    let mut orders: Vec<OrderRecord> = read
        .into_iter()
        .flatten()
        .filter(|o| {
            o.delivery == marquee_domain::Delivery::Mail
                && o.status.has_valid_tickets()
                && o.posted_at.is_none()
                && o.mail
                    .as_ref()
                    .is_none_or(|m| m.fulfilment == marquee_domain::Fulfilment::InHouse)
        })
        .collect();
    orders.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    Ok(orders)
}

/// Paid orders whose tickets the box office must post, oldest first, with their addresses.
#[utoipa::path(get, path = "/admin/v1/orders/to-post",
    responses((status = 200, body = OrderList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn to_post(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<OrderList>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let orders = orders_to_post(&state, &auth)
        .await?
        .iter()
        .map(OrderSummary::from)
        .collect();
    Ok(axum::Json(OrderList { orders }))
}

/// Address labels for the to-post list, in its order: Avery 5160 (30 labels of 2⅝″ × 1″ to
/// a US Letter sheet); no orders to post, one blank sheet.
#[utoipa::path(get, path = "/admin/v1/orders/to-post/labels.pdf",
    responses((status = 200, content_type = "application/pdf", description = "the labels"), (status = 401), (status = 403)),
    security(("staff" = [])))]
pub async fn to_post_labels(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::response::Response, ApiError> {
    auth.require(Permission::ViewSales)?;
    let addresses: Vec<Vec<String>> = orders_to_post(&state, &auth)
        .await?
        .iter()
        .filter_map(|o| o.address.as_ref().map(marquee_domain::PostalAddress::lines))
        .collect();
    let pdf = tokio::task::spawn_blocking(move || {
        marquee_tickets::render_address_labels(&addresses, &marquee_tickets::Fonts::bundled())
    })
    .await
    .map_err(|e| ApiError::internal(format!("the labels could not be drawn: {e}")))?
    .map_err(|e| ApiError::internal(format!("the labels could not be drawn: {e}")))?;
    Ok(axum::response::IntoResponse::into_response((
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "inline; filename=\"labels.pdf\"",
            ),
        ],
        pdf,
    )))
}

/// Mark a `mail` delivery order as posted ("mark mailed"): it leaves the to-post list and
/// the patron is emailed that the tickets are in the post (once).
#[utoipa::path(post, path = "/admin/v1/orders/{orderId}/posted", params(("orderId" = String, Path)),
    responses((status = 200, body = OrderDetail), (status = 401), (status = 403), (status = 404), (status = 409, description = "not_to_post"),
        (status = 503, description = "busy: the patron's email could not be queued; marking it again queues it")),
    security(("staff" = [])))]
pub async fn mark_posted(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(order_id): Path<String>,
) -> Result<axum::Json<OrderDetail>, ApiError> {
    auth.require(Permission::Refund)?;
    let order = load_order(&state, &auth, &order_id).await?;
    match state
        .store
        .mark_posted(&auth.tenant, &order.id, &chrono::Utc::now().to_rfc3339())
        .await
    {
        Ok(()) => {
            // Off the to-post index: the list skips posted orders anyway, so a failure here
            // only leaves an item that TTL removes.
            if let Err(e) = state.store.forget_posted(&auth.tenant, &order.id).await {
                tracing::warn!(order = %order.id, error = %e, "posted order left on the to-post index");
            }
            state
                .delivery
                .tickets_posted(&auth.tenant, &order.id)
                .await?
        }
        Err(marquee_store::StoreError::ConditionFailed) => {
            // Posted already: its email may not have been queued then (the job id makes a
            // second one harmless).
            if order.posted_at.is_some() {
                state
                    .delivery
                    .tickets_posted(&auth.tenant, &order.id)
                    .await?;
            }
            return Err(ApiError::conflict(
                "not_to_post",
                "Only paid orders for posting that are not yet posted can be marked posted",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let order = load_order(&state, &auth, &order_id).await?;
    let mut detail = OrderDetail::from(&order);
    if let (Some(intent), true) = (&order.payment_intent, order.paid_at.is_some()) {
        // The figures are a convenience: the order shows without them if Stripe cannot answer.
        match state
            .agreements
            .payment_breakdown(order.stripe_account.as_deref(), intent)
            .await
        {
            Ok(figures) => detail.payment = figures.map(Into::into),
            Err(e) => {
                tracing::warn!(order = %order.id, error = %e, "no payment figures from Stripe")
            }
        }
    }
    Ok(axum::Json(detail))
}
