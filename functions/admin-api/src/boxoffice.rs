//! The box office (`box_office` role and above): staff carts on the same holds as the web —
//! so a seat is never sold twice between the window and the web — and the window's sale:
//! cash with change, a card through the venue's Stripe account, or complimentary tickets (a
//! reason, and the comp permission). Handlers parse and map errors; `Holds` and `Checkout`
//! decide.

use crate::AdminState;
use crate::audit::staff_did;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use marquee_app::checkout::{CheckoutRequest, WindowPayment, WindowSaleRequest};
use marquee_app::holds::{CartContents, HoldWanted, STAFF_HOLD_SECONDS};
use marquee_domain::records::{AuditKind, CartStatus, PayLaterKind, SaleMethod};
use marquee_domain::{CartId, Delivery, Email, Invalid, OrderStatus, Permission, Totals};
use marquee_platform::auth::StaffAuth;
use marquee_platform::payments::PaymentMode;
use marquee_platform::refusals::cart_not_found;
use marquee_platform::requests::HoldBody;
use marquee_platform::{ApiError, http::Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A box office cart and its holds.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffCartView {
    cart_id: String,
    status: CartStatus,
    /// Tickets it may still hold.
    remaining: u32,
    /// How long each hold lasts, in seconds.
    hold_seconds: u32,
    /// When the first of its holds expires, if it holds anything (RFC 3339).
    expires_at: Option<String>,
    items: Vec<StaffCartItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffCartItem {
    hold_id: String,
    performance_id: String,
    /// The seat's id, or `null` for a general-admission place.
    seat_id: Option<String>,
    /// The general-admission area's id, for a place.
    area_id: Option<String>,
    zone: String,
    expires_at: String,
}

fn millis(at: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn view(contents: CartContents) -> StaffCartView {
    let items = contents
        .holds
        .iter()
        .map(|h| {
            let (seat_id, area_id) = match &h.spot {
                marquee_domain::records::Spot::Seat { seat, .. } => (Some(seat.to_string()), None),
                marquee_domain::records::Spot::Area(area) => (None, Some(area.to_string())),
            };
            StaffCartItem {
                hold_id: h.hold_id.to_string(),
                performance_id: h.performance_id.to_string(),
                seat_id,
                area_id,
                zone: h.zone.to_string(),
                expires_at: millis(h.expires_at),
            }
        })
        .collect();
    StaffCartView {
        cart_id: contents.cart.id.to_string(),
        status: contents.cart.status,
        remaining: contents.remaining(),
        hold_seconds: STAFF_HOLD_SECONDS,
        expires_at: contents.expires_at().map(millis),
        items,
    }
}

/// The staff member's access to a box office cart of this venue.
async fn access(
    state: &AdminState,
    auth: &StaffAuth,
    raw: &str,
) -> Result<marquee_app::holds::CartAccess, ApiError> {
    let id = CartId::parse(raw).map_err(|_| cart_not_found())?;
    Ok(state.holds.staff_access(&auth.tenant, &id).await?)
}

/// Open a box office cart: its holds last longer than a patron's and it may hold a group.
#[utoipa::path(post, path = "/admin/v1/carts",
    responses((status = 201, body = StaffCartView), (status = 401), (status = 403), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn create_cart(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<(StatusCode, axum::Json<StaffCartView>), ApiError> {
    auth.require(Permission::Sell)?;
    let created = state
        .holds
        .create_staff_cart(&auth.tenant, &auth.email)
        .await?;
    let contents = CartContents {
        cart: created.cart,
        holds: Vec::new(),
    };
    Ok((StatusCode::CREATED, axum::Json(view(contents))))
}

/// A box office cart with its live holds.
#[utoipa::path(get, path = "/admin/v1/carts/{cartId}", params(("cartId" = String, Path)),
    responses((status = 200, body = StaffCartView), (status = 401), (status = 403), (status = 404, description = "cart_not_found"), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn get_cart(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(cart_id): Path<String>,
) -> Result<axum::Json<StaffCartView>, ApiError> {
    auth.require(Permission::Sell)?;
    let access = access(&state, &auth, &cart_id).await?;
    let contents = state.holds.contents(&auth.tenant, &access).await?;
    Ok(axum::Json(view(contents)))
}

/// Hold seats (explicit, best available) or general-admission places, as a patron's cart
/// does: the same seats, the same conditional writes.
#[utoipa::path(post, path = "/admin/v1/carts/{cartId}/holds", params(("cartId" = String, Path)), request_body = HoldBody,
    responses((status = 201, body = StaffCartView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 404, description = "cart_not_found; no such performance"),
        (status = 409, description = "seat_unavailable with details.seats; not_on_sale; cart_not_open"),
        (status = 422, description = "limit_exceeded; unknown_seats; invalid_field; invalid_body"), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn add_hold(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(cart_id): Path<String>,
    Json(body): Json<HoldBody>,
) -> Result<(StatusCode, axum::Json<StaffCartView>), ApiError> {
    auth.require(Permission::Sell)?;
    let access = access(&state, &auth, &cart_id).await?;
    let performance_id = body.performance_id.clone();
    let wanted = HoldWanted::try_from(body)?;
    state
        .holds
        .hold_for_staff(&auth.tenant, &access, &performance_id, &wanted)
        .await?;
    let contents = state.holds.contents(&auth.tenant, &access).await?;
    Ok((StatusCode::CREATED, axum::Json(view(contents))))
}

/// Release one hold of a box office cart.
#[utoipa::path(delete, path = "/admin/v1/carts/{cartId}/holds/{holdId}", params(("cartId" = String, Path), ("holdId" = String, Path)),
    responses((status = 200, body = StaffCartView), (status = 401), (status = 403), (status = 404, description = "cart_not_found; no such hold"),
        (status = 409, description = "cart_not_open"), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn release_hold(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path((cart_id, hold_id)): Path<(String, String)>,
) -> Result<axum::Json<StaffCartView>, ApiError> {
    auth.require(Permission::Sell)?;
    let access = access(&state, &auth, &cart_id).await?;
    state.holds.release(&auth.tenant, &access, &hold_id).await?;
    let contents = state.holds.contents(&auth.tenant, &access).await?;
    Ok(axum::Json(view(contents)))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteBody {
    /// One per held ticket (a box office cart holds at most 100).
    #[schema(max_items = 100)]
    tickets: Vec<SaleTicket>,
    /// Complimentary: the quote is 0 (what the comp is worth is the quote without it).
    #[serde(default)]
    comp: bool,
    /// `mail` adds the venue's mailing fee.
    #[serde(default)]
    delivery: Option<Delivery>,
}

/// What selling the cart's tickets at these price types costs, priced as the sale will be:
/// the total to ask for before taking cash or a card.
#[utoipa::path(post, path = "/admin/v1/carts/{cartId}/quote", params(("cartId" = String, Path)), request_body = QuoteBody,
    responses((status = 200, body = Totals), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 404, description = "cart_not_found"), (status = 410, description = "holds_expired"),
        (status = 422, description = "missing_tickets; unknown_holds; invalid_price_type; invalid_field; invalid_body"),
        (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn quote(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(cart_id): Path<String>,
    Json(body): Json<QuoteBody>,
) -> Result<axum::Json<Totals>, ApiError> {
    auth.require(Permission::Sell)?;
    let access = access(&state, &auth, &cart_id).await?;
    let tickets: Vec<(String, String)> = body
        .tickets
        .into_iter()
        .map(|t| (t.hold_id, t.price_type))
        .collect();
    if tickets.is_empty() {
        return Err(Invalid::new("tickets", "list a price type for every held ticket").into());
    }
    let totals = state
        .checkout
        .quote(
            &auth.tenant,
            &access,
            &tickets,
            body.comp,
            body.delivery == Some(Delivery::Mail),
        )
        .await?;
    Ok(axum::Json(totals))
}

/// Who the tickets are for; none for an anonymous walk-up.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SalePatron {
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaleTicket {
    hold_id: String,
    #[schema(example = "adult")]
    price_type: String,
}

/// How the sale is paid.
#[derive(Deserialize, ToSchema)]
#[serde(
    tag = "method",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum SalePayment {
    /// Cash handed over, in minor units: at least the total.
    Cash {
        #[schema(minimum = 0, maximum = 99_999_999)]
        tendered: i64,
    },
    /// A card through the venue's Stripe account (the answer carries the PaymentIntent):
    /// presented at the window, or for a phone order (`phone`).
    Card {
        #[serde(default)]
        phone: Option<PhoneOrder>,
    },
    /// Complimentary tickets: price 0, a reason, and the comp permission.
    Comp { reason: String },
    /// Reserved, to pay at the box office later: the seats stay held until `until` (RFC
    /// 3339; in the future, no later than the performance's start nor the venue's
    /// `reserveHours` from now). Needs the patron's name and an email address or phone.
    Reserve { until: String },
}

/// How a phone order's card is paid.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PhoneOrder {
    /// A payment link emailed to the patron (the default for phone orders): the seats are
    /// kept for the venue's `paymentLinkHours` while the patron pays on the venue's site.
    Link,
    /// The clerk keys the card in (mail/telephone order): only where the venue enabled MOTO.
    Moto,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SellBody {
    patron: Option<SalePatron>,
    /// One per held ticket (a box office cart holds at most 100).
    #[schema(max_items = 100)]
    tickets: Vec<SaleTicket>,
    payment: SalePayment,
    delivery: Delivery,
    /// The postal address of a `mail` delivery (required then, refused otherwise).
    #[schema(value_type = Option<marquee_domain::AddressInput>)]
    address: Option<serde_json::Value>,
}

/// A card payment to confirm with Stripe.js on the venue's account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalePaymentView {
    pub(crate) client_secret: String,
    pub(crate) payment_intent_id: String,
    pub(crate) stripe_account: Option<String>,
    pub(crate) publishable_key: String,
    pub(crate) mode: PaymentMode,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SoldView {
    order_id: String,
    number: String,
    /// `paid` for cash and comps; `pending` until a card payment succeeds.
    status: OrderStatus,
    totals: Totals,
    /// Cash to hand back, in minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    change_due: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<SalePaymentView>,
    /// A reservation: the seats are kept unpaid until then (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    reserved_until: Option<String>,
    /// A phone order paid through an emailed link: to whom, until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_link: Option<PaymentLinkView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLinkView {
    sent_to: String,
    /// The seats are released if it is not paid by then (RFC 3339).
    until: String,
    /// `false`: the email could not be queued; cancel the sale (`POST /orders/{id}/cancel`)
    /// and sell again, or take the card another way.
    sent: bool,
}

/// Sell a box office cart: cash (change due), card, or complimentary. Cash and comps are
/// paid at once and the seats sold; a card sale is pending until its payment succeeds.
#[utoipa::path(post, path = "/admin/v1/carts/{cartId}/sell", params(("cartId" = String, Path)), request_body = SellBody,
    responses((status = 201, body = SoldView), (status = 400, description = "malformed_json"), (status = 401),
        (status = 403, description = "forbidden: selling, or comps, are not this role's"),
        (status = 404, description = "cart_not_found"),
        (status = 409, description = "cart_not_open; cart_changed; seats_taken; payments_not_ready"),
        (status = 410, description = "holds_expired"),
        (status = 422, description = "invalid_field (tendered below the total, reason, delivery, email — a payment link needs one —, phone, patron, until — a reservation's deadline past, after the performance's start or beyond the venue's reserveHours —, payment — a payment link once the performance has started —, address.<field>); moto_not_enabled (card details keyed in, phone: moto, where the venue has not enabled MOTO); missing_tickets; unknown_holds; invalid_price_type; invalid_body; mail_not_offered; mail_closed"),
        (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn sell(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(cart_id): Path<String>,
    Json(body): Json<SellBody>,
) -> Result<(StatusCode, axum::Json<SoldView>), ApiError> {
    auth.require(Permission::Sell)?;
    let payment = match body.payment {
        SalePayment::Cash { tendered } => WindowPayment::Cash { tendered },
        SalePayment::Card { phone: None } => WindowPayment::Card,
        SalePayment::Card {
            phone: Some(PhoneOrder::Moto),
        } => WindowPayment::Moto,
        SalePayment::Card {
            phone: Some(PhoneOrder::Link),
        } => WindowPayment::PaymentLink,
        SalePayment::Comp { reason } => {
            auth.require(Permission::Comp)?;
            WindowPayment::Comp { reason }
        }
        SalePayment::Reserve { until } => {
            if body.patron.is_none() {
                return Err(Invalid::new(
                    "patron",
                    "a reservation needs the patron's name and an email address or telephone number",
                )
                .into());
            }
            let until = chrono::DateTime::parse_from_rfc3339(until.trim()).map_err(|_| {
                Invalid::new("until", "an RFC 3339 time, e.g. 2026-12-07T18:00:00Z")
            })?;
            WindowPayment::Reserve {
                until: until.timestamp_millis(),
            }
        }
    };
    let address = body
        .address
        .as_ref()
        .map(marquee_domain::AddressInput::from_json)
        .transpose()?;
    let reserving = matches!(payment, WindowPayment::Reserve { .. });
    let phone = body
        .patron
        .as_ref()
        .and_then(|p| p.phone.as_deref())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    let (name, email) = match &body.patron {
        Some(patron) => {
            let email = match patron.email.as_deref().map(str::trim) {
                Some(raw) if !raw.is_empty() => {
                    Some(Email::parse(raw).map_err(|e| Invalid::new("email", e.message))?)
                }
                _ => None,
            };
            if patron
                .phone
                .as_deref()
                .is_some_and(|p| p.chars().count() > 40)
            {
                return Err(Invalid::new("phone", "at most 40 characters").into());
            }
            (
                marquee_domain::names::parse_display_name(&patron.name)?,
                email,
            )
        }
        None => ("Box office customer".to_owned(), None),
    };
    let access = access(&state, &auth, &cart_id).await?;
    let request = CheckoutRequest {
        email,
        name,
        delivery: body.delivery,
        tickets: body
            .tickets
            .into_iter()
            .map(|t| (t.hold_id, t.price_type))
            .collect(),
        patron: None,
        window: Some(WindowSaleRequest {
            by: auth.email.clone(),
            payment,
            exchange: None,
            phone,
        }),
        address,
    };
    let done = state
        .checkout
        .checkout(&auth.tenant, &access, request)
        .await?;
    let sale = done.order.sale.clone();
    let comp = sale.as_ref().is_some_and(|s| s.method == SaleMethod::Comp);
    staff_did(
        &state,
        &auth,
        if comp {
            AuditKind::TicketsComped
        } else if reserving {
            AuditKind::OrderReserved
        } else {
            AuditKind::OrderSold
        },
        format!("order {}", done.order.number),
        None,
        Some(json!({
            "method": sale.as_ref().map(|s| s.method),
            "tickets": done.order.tickets.len(),
            "total": done.order.totals.total,
            "reason": sale.as_ref().and_then(|s| s.reason.clone()),
            "until": done.order.pay_later.as_ref().map(|p| millis(p.until)),
        })),
    )
    .await;
    let link = done
        .order
        .pay_later
        .as_ref()
        .filter(|p| p.kind == PayLaterKind::PaymentLink);
    let payment_link = match link {
        Some(link) => {
            let sent = match state
                .delivery
                .payment_link(&auth.tenant, &done.order.id, &done.order_token)
                .await
            {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(order = %done.order.id, error = %e, "payment link email not queued");
                    false
                }
            };
            Some(PaymentLinkView {
                sent_to: done.order.email.clone(),
                until: millis(link.until),
                sent,
            })
        }
        None => None,
    };
    // The patron pays a link's intent on the venue's site, not the clerk's screen.
    let payment = done
        .payment
        .filter(|_| link.is_none())
        .map(|intent| SalePaymentView {
            client_secret: intent.client_secret,
            payment_intent_id: intent.id,
            stripe_account: done.order.stripe_account.clone(),
            publishable_key: state.payments.publishable_key().to_owned(),
            mode: state.payments.mode(),
        });
    Ok((
        StatusCode::CREATED,
        axum::Json(SoldView {
            order_id: done.order.id.to_string(),
            number: done.order.number.to_string(),
            status: done.order.status,
            totals: done.order.totals,
            change_due: sale.and_then(|s| s.change),
            payment,
            reserved_until: done
                .order
                .pay_later
                .as_ref()
                .filter(|p| p.kind == PayLaterKind::Reservation)
                .map(|p| millis(p.until)),
            payment_link,
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WillCallQuery {
    /// Part of the patron's name or the order number (any case).
    q: Option<String>,
}

/// A will-call order of the performance, waiting or collected.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WillCallOrder {
    order_id: String,
    number: String,
    name: String,
    email: String,
    /// Valid tickets of this performance in the order.
    tickets: u32,
    /// Collected: when, and by whom.
    picked_up: Option<marquee_domain::records::PickUp>,
    /// A reservation still to pay (take the payment with `POST /admin/v1/orders/{orderId}/pay`).
    to_pay: bool,
    /// A reservation's deadline (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    reserved_until: Option<String>,
    /// What the order costs (a reservation: what is due), with its currency.
    total: marquee_domain::Money,
    /// The patron's telephone number, if given at the box office.
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
}

impl WillCallOrder {
    fn of(order: marquee_domain::records::OrderRecord, tickets: u32) -> Self {
        // A reservation, paid at the window (a payment link is the patron's to pay).
        let to_pay = order.status == OrderStatus::Pending
            && order
                .pay_later
                .as_ref()
                .is_some_and(|p| p.kind == PayLaterKind::Reservation);
        Self {
            tickets,
            to_pay,
            reserved_until: order.pay_later.as_ref().map(|p| millis(p.until)),
            total: marquee_domain::Money::from_minor(order.totals.total, order.totals.currency),
            order_id: order.id.to_string(),
            number: order.number.to_string(),
            name: order.name,
            email: order.email,
            phone: order.phone,
            picked_up: order.picked_up,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WillCallList {
    /// Reservations to pay first, then orders waiting, then collected; by name.
    orders: Vec<WillCallOrder>,
}

/// Orders of a performance to collect at the box office (`will_call`), and its reservations
/// still to pay (`toPay`, before their deadline), searchable by name or order number.
#[utoipa::path(get, path = "/admin/v1/performances/{performanceId}/will-call", params(("performanceId" = String, Path), WillCallQuery),
    responses((status = 200, body = WillCallList), (status = 401), (status = 403), (status = 404)),
    security(("staff" = [])))]
pub async fn will_call(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(performance_id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<WillCallQuery>,
) -> Result<axum::Json<WillCallList>, ApiError> {
    auth.require(Permission::Sell)?;
    let performance = crate::performances::load_performance(&state, &auth, &performance_id).await?;
    let tickets = state
        .store
        .performance_tickets(&auth.tenant, &performance.id)
        .await?;
    let mut counts: std::collections::BTreeMap<marquee_domain::OrderId, u32> = Default::default();
    for ticket in tickets
        .iter()
        .filter(|t| t.status == marquee_domain::records::TicketStatus::Valid)
    {
        *counts.entry(ticket.order_id.clone()).or_default() += 1;
    }
    let needle = query
        .q
        .as_deref()
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let reads = counts.keys().map(|id| state.store.order(&auth.tenant, id));
    let orders = futures::future::try_join_all(reads).await?;
    // Reservations still to pay: pending, before their deadline (the sweep cancels them).
    let reserved = state
        .store
        .performance_reservations(&auth.tenant, &performance.id)
        .await?;
    let reads = reserved
        .iter()
        .filter(|id| !counts.contains_key(*id))
        .map(|id| state.store.order(&auth.tenant, id));
    let reservations = futures::future::try_join_all(reads).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let to_pay = reservations.into_iter().flatten().filter(|o| {
        o.status == OrderStatus::Pending
            && o.pay_later
                .as_ref()
                .is_some_and(|p| p.kind == PayLaterKind::Reservation && !p.has_expired(now))
    });
    let mut list: Vec<WillCallOrder> = orders
        .into_iter()
        .flatten()
        .filter(|o| o.delivery == Delivery::WillCall && o.status.has_valid_tickets())
        .chain(to_pay)
        .filter(|o| {
            needle.as_ref().is_none_or(|q| {
                o.name.to_lowercase().contains(q.as_str())
                    || o.number.to_string().to_lowercase().contains(q.as_str())
            })
        })
        .map(|o| {
            let tickets = match counts.get(&o.id) {
                Some(count) => *count,
                // A reservation's tickets are not issued yet: those of this performance.
                None => u32::try_from(
                    o.tickets
                        .iter()
                        .filter(|t| t.performance_id == performance.id)
                        .count(),
                )
                .unwrap_or(u32::MAX),
            };
            WillCallOrder::of(o, tickets)
        })
        .collect();
    list.sort_by(|a, b| {
        (!a.to_pay, a.picked_up.is_some(), a.name.to_lowercase()).cmp(&(
            !b.to_pay,
            b.picked_up.is_some(),
            b.name.to_lowercase(),
        ))
    });
    Ok(axum::Json(WillCallList { orders: list }))
}

/// The patron collects a will-call order: marked once, with who handed it over and when.
#[utoipa::path(post, path = "/admin/v1/orders/{orderId}/pickup", params(("orderId" = String, Path)),
    responses((status = 200, body = WillCallOrder), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "already_picked_up (details.pickedUp: when and by whom); not_will_call")),
    security(("staff" = [])))]
pub async fn pick_up(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(order_id): Path<String>,
) -> Result<axum::Json<WillCallOrder>, ApiError> {
    auth.require(Permission::Sell)?;
    let order = crate::orders::load_order(&state, &auth, &order_id).await?;
    let already = |order: &marquee_domain::records::OrderRecord| {
        order.picked_up.as_ref().map(|p| {
            ApiError::conflict(
                "already_picked_up",
                format!(
                    "These tickets were handed over already, by {} at {}",
                    p.by, p.at
                ),
            )
            .with_details(json!({ "pickedUp": p }))
        })
    };
    if let Some(refusal) = already(&order) {
        return Err(refusal);
    }
    if order.delivery != Delivery::WillCall || !order.status.has_valid_tickets() {
        return Err(ApiError::conflict(
            "not_will_call",
            "Only paid orders kept for collection can be picked up",
        ));
    }
    let pick_up = marquee_domain::records::PickUp {
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        by: auth.email.clone(),
    };
    match state
        .store
        .mark_picked_up(&auth.tenant, &order.id, &pick_up)
        .await
    {
        Ok(()) => {}
        Err(marquee_store::StoreError::ConditionFailed) => {
            // Another clerk was quicker, or the order changed: say which.
            let now = crate::orders::load_order(&state, &auth, &order_id).await?;
            return Err(already(&now).unwrap_or_else(|| {
                ApiError::conflict(
                    "not_will_call",
                    "Only paid orders kept for collection can be picked up",
                )
            }));
        }
        Err(e) => return Err(e.into()),
    }
    staff_did(
        &state,
        &auth,
        AuditKind::TicketsPickedUp,
        format!("order {}", order.number),
        None,
        Some(json!({ "at": pick_up.at })),
    )
    .await;
    let tickets = order
        .tickets
        .iter()
        .filter(|t| t.status == marquee_domain::records::TicketStatus::Valid)
        .count();
    let tickets = u32::try_from(tickets).unwrap_or(u32::MAX);
    Ok(axum::Json(WillCallOrder::of(
        marquee_domain::records::OrderRecord {
            picked_up: Some(pick_up),
            ..order
        },
        tickets,
    )))
}
