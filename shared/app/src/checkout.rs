//! Checkout: price the cart on the server (the client never sends an amount), move it to
//! `checkout` with its holds extended for the payment window and the pending order written,
//! in one store transaction; then open the payment — or, for a free order, complete the sale
//! at once.

use crate::agreements::{AgreementError, PaymentAgreements};
use crate::catalog::SaleCatalog;
use crate::holds::{CartAccess, HoldError, Holds};
use crate::ports::{
    CheckoutRefusal, CheckoutWrite, Clock, CreatedPaymentIntent, OrderStore, PaymentAccount,
    PaymentError, PaymentRequest, Payments, PortError, PromoStore, WriteRefusal,
};
use crate::prepared::PreparedLayout;
use crate::sales::{SaleError, Sales};
use crate::tokens::{random_token, sha256_hex};
use chrono::Duration;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::pricing::{MAX_CHARGE, OrderLine, PricingError, compute_totals};
use marquee_domain::promo::{PromoRecord, PromoRefusal, PromoUse};
use marquee_domain::records::{
    CartStatus, ExchangeOf, HoldRecord, OrderRecord, PayLater, PayLaterKind, PerformanceRecord,
    Place, SaleMethod, Spot, TicketRecord, TicketStatus, WindowSale, check_pay_later_deadline,
};
use marquee_domain::{
    CartId, Currency, Delivery, Email, HoldId, Invalid, LineTotal, OrderId, OrderNumber,
    OrderStatus, PerformanceId, PriceType, TenantId, TicketId, Totals,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Why a checkout did not go through.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("no such cart")]
    CartNotFound,
    #[error("the cart is {0:?}, not open")]
    CartNotOpen(CartStatus),
    /// A hold was added or released while checking out.
    #[error("the cart changed")]
    CartChanged,
    /// Holds that ran out before checkout.
    #[error("holds expired: {0:?}")]
    HoldsExpired(Vec<String>),
    /// Listed holds that are not the cart's.
    #[error("unknown holds: {0:?}")]
    UnknownHolds(Vec<String>),
    /// Live holds with no price type chosen.
    #[error("holds without a price type: {0:?}")]
    MissingTickets(Vec<String>),
    #[error("'{price_type}' is not a price of the ticket's zone")]
    InvalidPriceType {
        hold_id: HoldId,
        price_type: String,
        available: Vec<String>,
    },
    #[error("a performance in the cart is no longer on sale")]
    NotOnSale(PerformanceId),
    /// Card details keyed in by staff, but the venue has not turned MOTO on.
    #[error("mail/telephone order payments are not enabled for this venue")]
    MotoNotEnabled,
    /// The venue cannot take card payments now (no connected account, onboarding unfinished,
    /// or charges disabled by the provider): why, in words.
    #[error("{0}")]
    PaymentsNotReady(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A free order whose places were taken before it completed.
    #[error("seats were taken: {0:?}")]
    SeatsLost(Vec<marquee_domain::SeatId>),
    /// An exchange whose earlier tickets changed before it completed: nothing was sold.
    #[error("the exchanged tickets changed meanwhile")]
    ExchangeChanged,
    #[error("too many concurrent transactions")]
    Busy,
    /// The venue does not post tickets.
    #[error("the venue does not post tickets")]
    MailNotOffered,
    /// Too close to the performance for the tickets to arrive by post.
    #[error("mail closed {days} days before the performance")]
    MailClosed { days: u32 },
    /// The cart's promo code cannot be used (any more).
    #[error(transparent)]
    Promo(PromoRefusal),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] PortError),
}

impl From<HoldError> for CheckoutError {
    fn from(e: HoldError) -> Self {
        match e {
            HoldError::Store(e) => Self::Store(e),
            _ => Self::CartNotFound,
        }
    }
}

/// What the patron checks out with.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// Required online; a walk-up at the window may have none (tickets printed or collected).
    pub email: Option<Email>,
    pub name: String,
    pub delivery: Delivery,
    /// One price type per live hold: `(hold id, price type)` as sent.
    pub tickets: Vec<(String, String)>,
    /// The patron account it is filed under, when logged in.
    pub patron: Option<Email>,
    /// A box office sale: who sells, and how it is paid.
    pub window: Option<WindowSaleRequest>,
    /// Where `mail` delivery posts the tickets, as typed (checked against the venue's
    /// countries and the country's rules here).
    pub address: Option<marquee_domain::AddressInput>,
}

/// A sale by staff at the window or on the phone.
#[derive(Debug, Clone)]
pub struct WindowSaleRequest {
    pub by: Email,
    pub payment: WindowPayment,
    /// The patron's telephone number, checked loosely (`parse_phone`).
    pub phone: Option<String>,
    /// Tickets of an earlier order exchanged for these: their worth is credited, and they
    /// stop admitting in the sale's transaction.
    pub exchange: Option<ExchangeCredit>,
}

/// The earlier side of an exchange, as the exchange service decided it.
#[derive(Debug, Clone)]
pub struct ExchangeCredit {
    pub order: OrderId,
    pub number: OrderNumber,
    pub tickets: Vec<TicketId>,
    /// What the exchanged tickets are worth (their refundable share, minor units).
    pub credit: i64,
    /// The exchange fee added (minor units).
    pub fee: i64,
}

/// How a box office sale is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowPayment {
    /// Cash handed over (minor units): at least the total; the change is given back.
    Cash { tendered: i64 },
    /// A card through the venue's Stripe account, as online.
    Card,
    /// A phone order's card keyed in by staff (mail/telephone order, no 3-D Secure): only
    /// where the venue turned MOTO on (`VenueSettings::moto_enabled`), since its Stripe
    /// account must allow it.
    Moto,
    /// Complimentary: every ticket at 0, for a reason (the caller checks the permission).
    Comp { reason: String },
    /// Nothing to pay: an exchange whose credit covers the new tickets.
    Covered,
    /// Reserved, to be paid at the box office later: the places stay held until `until`
    /// (epoch ms) — in the future, no later than the performance's start nor than the venue's
    /// `reserve_hours` from now — and are released by the sweep if it is not paid by then.
    /// Needs the patron's name and an email address or a telephone number.
    Reserve { until: i64 },
    /// A phone order paid through a link emailed to the patron: the places stay held for the
    /// venue's `payment_link_hours` (no later than the performance's start) while the card
    /// payment waits; then the sweep releases them. Needs the patron's email address.
    PaymentLink,
}

/// Longest comp reason kept.
const MAX_REASON: usize = 500;

/// A checkout that went through.
#[derive(Debug)]
pub struct CheckedOut {
    pub order: OrderRecord,
    /// The secret to read the order with. Shown once.
    pub order_token: String,
    /// Until when the places are kept for the payment (epoch ms).
    pub hold_until: i64,
    /// `None` for a free order, which is complete already.
    pub payment: Option<CreatedPaymentIntent>,
}

pub struct Checkout {
    catalog: Arc<SaleCatalog>,
    holds: Arc<Holds>,
    orders: Arc<dyn OrderStore>,
    promos: Arc<dyn PromoStore>,
    payments: Arc<dyn Payments>,
    sales: Arc<Sales>,
    clock: Arc<dyn Clock>,
    /// How long the places are kept for the payment.
    payment_window: Duration,
}

impl Checkout {
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per port or service it uses; built in two places"
    )]
    pub fn new(
        catalog: Arc<SaleCatalog>,
        holds: Arc<Holds>,
        orders: Arc<dyn OrderStore>,
        promos: Arc<dyn PromoStore>,
        payments: Arc<dyn Payments>,
        sales: Arc<Sales>,
        clock: Arc<dyn Clock>,
        payment_window_seconds: u32,
    ) -> Self {
        Self {
            catalog,
            holds,
            orders,
            promos,
            payments,
            sales,
            clock,
            payment_window: Duration::seconds(i64::from(payment_window_seconds)),
        }
    }

    pub async fn checkout(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        request: CheckoutRequest,
    ) -> Result<CheckedOut, CheckoutError> {
        if request.tickets.is_empty() {
            return Err(Invalid::new("tickets", "list a price type for every held ticket").into());
        }
        check_window_request(&request)?;
        let (cart, holds) = self.holds.load(tenant, access).await?;
        if cart.status != CartStatus::Open {
            return Err(CheckoutError::CartNotOpen(cart.status));
        }
        let now = self.clock.now();
        let now_ms = now.timestamp_millis();
        let live: Vec<&HoldRecord> = holds.iter().filter(|h| h.is_live(now_ms)).collect();
        let chosen = match_tickets(&request.tickets, &holds, &live)?;
        let venue = self
            .catalog
            .venue(tenant)
            .await?
            .ok_or(CheckoutError::CartNotFound)?;
        // The code is read afresh and checked here; the checkout's transaction counts the use
        // only if the code is still as read and has a use left.
        let promo = match &cart.promo {
            Some(code) => {
                let promo = self
                    .promos
                    .promo(tenant, code)
                    .await?
                    .ok_or(CheckoutError::Promo(PromoRefusal::Unknown))?;
                match promo.refusal_at(now) {
                    None => {}
                    // An earlier checkout of this cart may hold the last use; it is given
                    // back when that order is abandoned below, and the transaction decides.
                    Some(PromoRefusal::Exhausted) if cart.order_id.is_some() => {}
                    Some(refusal) => return Err(CheckoutError::Promo(refusal)),
                }
                Some(promo)
            }
            None => None,
        };
        let mut priced = self
            .price(
                tenant,
                &chosen,
                promo.as_ref(),
                venue.settings.currency,
                request.window.is_some(),
            )
            .await?;
        if promo.is_some() && priced.totals.discount == 0 && !priced.unlocked {
            return Err(CheckoutError::Promo(PromoRefusal::NotApplicable));
        }
        let exchange = match request.window.as_ref().and_then(|w| w.exchange.as_ref()) {
            Some(credit) => Some(apply_exchange(credit, &mut priced)?),
            None => None,
        };
        let mail = postal::mail_terms(
            &venue,
            request.delivery,
            request.address.as_ref(),
            priced.first_start,
            now,
        )?;
        if let Some(terms) = &mail {
            postal::add_mailing_fee(&mut priced.totals, terms.fee)?;
        }
        let sale = match &request.window {
            Some(window) => Some(window_sale(window, &mut priced)?),
            None => None,
        };
        let moto = request
            .window
            .as_ref()
            .is_some_and(|w| w.payment == WindowPayment::Moto);
        if moto && !venue.settings.moto_enabled {
            return Err(CheckoutError::MotoNotEnabled);
        }
        let pay_later_until = match request.window.as_ref().map(|w| &w.payment) {
            Some(WindowPayment::Reserve { until }) => {
                check_pay_later_deadline(
                    *until,
                    now_ms,
                    priced
                        .first_start
                        .map_or(i64::MAX, |start| start.timestamp_millis()),
                    venue.settings.reserve_hours,
                )?;
                Some((*until, PayLaterKind::Reservation))
            }
            Some(WindowPayment::PaymentLink) => {
                let first_start = priced
                    .first_start
                    .map_or(i64::MAX, |start| start.timestamp_millis());
                let hours = venue.settings.payment_link_hours;
                let until = now_ms
                    .saturating_add(i64::from(hours).saturating_mul(3_600_000))
                    .min(first_start);
                check_pay_later_deadline(until, now_ms, first_start, hours).map_err(|_| {
                    Invalid::new(
                        "payment",
                        "the performance has started: a payment link is too late",
                    )
                })?;
                Some((until, PayLaterKind::PaymentLink))
            }
            _ => None,
        };
        // Refused here, before anything is written or sent to the payment provider.
        if priced.totals.total > MAX_CHARGE {
            let most = marquee_domain::Money::from_minor(MAX_CHARGE, venue.settings.currency);
            return Err(Invalid::new(
                "tickets",
                format!(
                    "the order total is above the most one card payment can be ({most}); \
                     buy fewer tickets at a time"
                ),
            )
            .into());
        }
        // A card payment goes to the venue's own account, with the platform's fee; refused
        // here, before anything is written, when the venue cannot take one.
        let by_card = sale.as_ref().is_none_or(|s| s.method == SaleMethod::Card);
        let (stripe_account, platform_fee) = if priced.totals.total > 0 && by_card {
            let account = PaymentAgreements::ready_to_sell(&venue).map_err(|e| match e {
                AgreementError::NotReady(why) => CheckoutError::PaymentsNotReady(why),
                other => CheckoutError::PaymentsNotReady(other.to_string()),
            })?;
            let fee = match venue.platform_fee {
                Some(fee) => fee,
                None => self.catalog.platform_settings().await?.platform_fee,
            };
            (
                Some(account.account_id.clone()),
                fee.amount(priced.totals.total, priced.tickets.len()),
            )
        } else {
            (None, 0)
        };

        // A previous checkout of this cart (its payment failed, the patron changed the cart)
        // will not be paid now: cancel its order and its PaymentIntent.
        if let Some(previous) = &cart.order_id {
            self.abandon(tenant, previous).await;
        }

        let order_token = random_token(24);
        let order = OrderRecord {
            id: OrderId::generate(),
            number: OrderNumber::generate(),
            status: OrderStatus::Pending,
            token_hash: sha256_hex(&order_token),
            cart_id: access.id.clone(),
            email: request.email.map(|e| e.to_string()).unwrap_or_default(),
            name: request.name,
            patron: request.patron,
            delivery: request.delivery,
            totals: priced.totals,
            tickets: priced.tickets,
            payment_intent: None,
            stripe_account,
            platform_fee,
            refunded: 0,
            refunds: Vec::new(),
            problem: None,
            created_at: now.to_rfc3339(),
            paid_at: None,
            posted_at: None,
            promo: promo.as_ref().map(|p| PromoUse {
                code: p.code.clone(),
                per_patron: p.per_patron.is_some(),
            }),
            sale,
            picked_up: None,
            exchange,
            address: mail.as_ref().map(|m| m.address.clone()),
            mail: mail.map(|m| m.mail),
            phone: request.window.as_ref().and_then(|w| w.phone.clone()),
            pay_later: pay_later_until.map(|(until, kind)| PayLater { kind, until }),
            version: 0,
        };
        // A reservation keeps its places until its deadline (the sweep releases them then).
        let hold_until =
            pay_later_until.map_or_else(|| (now + self.payment_window).timestamp_millis(), |r| r.0);
        let extended: Vec<HoldRecord> = live
            .iter()
            .map(|h| HoldRecord {
                expires_at: hold_until,
                ..(*h).clone()
            })
            .collect();
        self.orders
            .checkout(&CheckoutWrite {
                tenant,
                cart_id: &access.id,
                token_hash: &access.token_hash,
                cart_version: cart.version,
                holds: &extended,
                hold_until,
                now: now_ms,
                order: &order,
                promo: promo.as_ref(),
            })
            .await
            .map_err(|e| match e {
                CheckoutRefusal::CartNotFound => CheckoutError::CartNotFound,
                CheckoutRefusal::CartNotOpen(status) => CheckoutError::CartNotOpen(status),
                CheckoutRefusal::CartChanged => CheckoutError::CartChanged,
                CheckoutRefusal::HoldsExpired(holds) => {
                    CheckoutError::HoldsExpired(holds.iter().map(ToString::to_string).collect())
                }
                CheckoutRefusal::Contention => CheckoutError::Busy,
                CheckoutRefusal::Promo(refusal) => CheckoutError::Promo(refusal),
                // Staff changed the code meanwhile: the patron tries again on its new terms.
                CheckoutRefusal::PromoChanged => CheckoutError::CartChanged,
                CheckoutRefusal::Store(e) => CheckoutError::Store(e),
            })?;
        // The extended holds need nothing sent: the sweep that finds the cart at its old
        // time files it again for the end of the payment window.
        // A reservation may end before the cart's old time: the sweep must find it then. (If
        // this fails, it is released at the old time; until then the places count as free
        // and the reservation cannot be paid, so nothing is sold late.)
        if order.pay_later.is_some()
            && let Err(e) = self
                .holds
                .sweep_cart_at(tenant, &access.id, hold_until)
                .await
        {
            tracing::warn!(order = %order.id, error = %e, "reservation not filed for its deadline; swept at the cart's old time");
        }

        // Nothing to wait for when it is free, or paid in cash at the window.
        let paid_already = order.totals.total == 0
            || order
                .sale
                .as_ref()
                .is_some_and(|s| s.method == SaleMethod::Cash);
        let reserved = order
            .pay_later
            .as_ref()
            .is_some_and(|p| p.kind == PayLaterKind::Reservation);
        let payment = if reserved {
            None // paid later, at the box office
        } else if paid_already {
            self.sales
                .complete_free_order(tenant, &order)
                .await
                .map_err(|e| match e {
                    SaleError::SeatsLost(seats) => CheckoutError::SeatsLost(seats),
                    SaleError::ExchangeChanged => CheckoutError::ExchangeChanged,
                    SaleError::Store(e) => CheckoutError::Store(e),
                    other => CheckoutError::Store(PortError::new("sale", other.to_string())),
                })?;
            None
        } else {
            Some(
                self.open_payment(
                    tenant,
                    &order,
                    &access.id,
                    cart.version,
                    &venue.settings.name,
                    moto,
                )
                .await?,
            )
        };
        let order = OrderRecord {
            status: if payment.is_none() && order.pay_later.is_none() {
                OrderStatus::Paid
            } else {
                OrderStatus::Pending
            },
            payment_intent: payment.as_ref().map(|p| p.id.clone()),
            ..order
        };
        tracing::info!(order = %order.id, cart = %access.id, total = order.totals.total, "checked out");
        Ok(CheckedOut {
            order,
            order_token,
            hold_until,
            payment,
        })
    }

    /// Prices the tickets from each performance's current price table, fees and taxes,
    /// read afresh (a price change applies to the next checkout), less the promo code's
    /// discount on the tickets it applies to. A hidden price type is refused unless the
    /// promo code unlocks it, or the box office sells it (`staff`).
    async fn price(
        &self,
        tenant: &TenantId,
        chosen: &[(&HoldRecord, &str)],
        promo: Option<&PromoRecord>,
        currency: Currency,
        staff: bool,
    ) -> Result<Priced, CheckoutError> {
        // Group by performance, keeping each ticket's position.
        let mut groups: BTreeMap<&PerformanceId, Vec<usize>> = BTreeMap::new();
        for (i, (hold, _)) in chosen.iter().enumerate() {
            groups.entry(&hold.performance_id).or_default().push(i);
        }
        let mut tickets: Vec<Option<TicketRecord>> = vec![None; chosen.len()];
        let mut sum = Totals {
            lines: Vec::new(),
            subtotal: 0,
            discount: 0,
            fees: 0,
            tax: 0,
            tax_included: 0,
            mailing: 0,
            total: 0,
            currency,
        };
        let mut unlocked = false;
        let mut first_start: Option<chrono::DateTime<chrono::Utc>> = None;
        for (performance_id, positions) in groups {
            let performance = self
                .catalog
                .published(tenant, performance_id)
                .await?
                .ok_or_else(|| CheckoutError::NotOnSale(performance_id.clone()))?;
            if performance.status != PerformanceStatus::OnSale {
                return Err(CheckoutError::NotOnSale(performance.id));
            }
            let starts = performance.schedule.starts_at;
            first_start = Some(first_start.map_or(starts, |first| first.min(starts)));
            let layout = self.catalog.layout(tenant, &performance).await?;
            let mut lines = Vec::with_capacity(positions.len());
            for &i in &positions {
                let (hold, raw) = chosen[i];
                let price_type = PriceType::parse(raw)
                    .map_err(|_| invalid_price_type(hold, raw, &performance, promo))?;
                if !staff && performance.prices.is_hidden(&hold.zone, &price_type) {
                    let unlocks = promo.is_some_and(|p| {
                        p.unlocks(&performance.event_id, &performance.id, &price_type)
                    });
                    if !unlocks {
                        return Err(invalid_price_type(hold, raw, &performance, promo));
                    }
                    unlocked = true;
                }
                let discount = promo
                    .filter(|p| p.applies_to(&performance.event_id, &performance.id, &price_type))
                    .map(PromoRecord::discount);
                lines.push(OrderLine {
                    zone: hold.zone.clone(),
                    price_type,
                    discount,
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
                    invalid_price_type(hold, raw, &performance, promo)
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
                    spot: hold.spot.clone(),
                    shard: hold.shard,
                    zone: hold.zone.clone(),
                    place: place(&layout, &hold.spot),
                    price_type: line.price_type.clone(),
                    price: line.price - line.discount,
                    discount: line.discount,
                    fees: line.fees,
                    status: TicketStatus::Pending,
                });
            }
            let overflow = || Invalid::new("tickets", "the order total is out of range");
            sum.subtotal = sum
                .subtotal
                .checked_add(totals.subtotal)
                .ok_or_else(overflow)?;
            sum.discount = sum
                .discount
                .checked_add(totals.discount)
                .ok_or_else(overflow)?;
            sum.fees = sum.fees.checked_add(totals.fees).ok_or_else(overflow)?;
            sum.tax = sum.tax.checked_add(totals.tax).ok_or_else(overflow)?;
            sum.tax_included = sum
                .tax_included
                .checked_add(totals.tax_included)
                .ok_or_else(overflow)?;
            sum.total = sum.total.checked_add(totals.total).ok_or_else(overflow)?;
        }
        let tickets: Vec<TicketRecord> = tickets.into_iter().flatten().collect();
        sum.lines = tickets
            .iter()
            .map(|t| LineTotal {
                zone: t.zone.clone(),
                price_type: t.price_type.clone(),
                price: t.price + t.discount,
                discount: t.discount,
                fees: t.fees,
            })
            .collect();
        Ok(Priced {
            tickets,
            totals: sum,
            first_start,
            unlocked,
        })
    }

    /// What a box office sale of the cart would cost, as the sale will price it: the
    /// clerk tells the patron the total before taking the money (a comp costs nothing;
    /// posting the tickets adds the venue's mailing fee).
    pub async fn quote(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        tickets: &[(String, String)],
        comp: bool,
        mail: bool,
    ) -> Result<Totals, CheckoutError> {
        let (_, holds) = self.holds.load(tenant, access).await?;
        let now_ms = self.clock.now().timestamp_millis();
        let live: Vec<&HoldRecord> = holds.iter().filter(|h| h.is_live(now_ms)).collect();
        let chosen = match_tickets(tickets, &holds, &live)?;
        let venue = self
            .catalog
            .venue(tenant)
            .await?
            .ok_or(CheckoutError::CartNotFound)?;
        let mut priced = self
            .price(tenant, &chosen, None, venue.settings.currency, true)
            .await?;
        if mail && venue.settings.mail.enabled {
            postal::add_mailing_fee(&mut priced.totals, venue.settings.mail.fee)?;
        }
        if comp {
            zero(&mut priced);
        }
        Ok(priced.totals)
    }

    /// Cancels the order of an earlier checkout of the cart and its PaymentIntent. If that
    /// payment succeeds anyway, the sale finds the order cancelled and refunds it.
    async fn abandon(&self, tenant: &TenantId, previous: &OrderId) {
        let Ok(Some(order)) = self.orders.order(tenant, previous).await else {
            return;
        };
        if order.status.cancel().is_err() {
            return; // paid or settled meanwhile: nothing to abandon
        }
        if let Err(e) = self
            .orders
            .cancel_pending_order(tenant, &order, crate::sales::REPLACED)
            .await
        {
            tracing::warn!(order = %previous, error = ?e, "could not cancel the previous checkout's order");
        }
        if let Some(intent) = &order.payment_intent
            && let Err(e) = self
                .payments
                .cancel_payment_intent(PaymentAccount::of(order.stripe_account.as_deref()), intent)
                .await
        {
            tracing::warn!(order = %previous, error = %e, "could not cancel the previous PaymentIntent");
        }
    }

    /// The cart opens again and the order is cancelled: a checkout that cannot be paid.
    async fn undo_checkout(&self, tenant: &TenantId, order: &OrderRecord, problem: &str) {
        if let Err(reopen) = self
            .orders
            .reopen_cart_after_failed_payment(tenant, order, problem)
            .await
        {
            tracing::warn!(order = %order.id, error = ?reopen, "could not reopen the cart");
        }
        if let Err(cancel) = self
            .orders
            .cancel_pending_order(tenant, order, problem)
            .await
        {
            tracing::warn!(order = %order.id, error = ?cancel, "could not cancel the order");
        }
    }

    /// Opens the PaymentIntent. If the provider fails, the cart opens again and the order is
    /// cancelled, so the patron can simply try again.
    async fn open_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        cart: &CartId,
        cart_version: u32,
        venue_name: &str,
        moto: bool,
    ) -> Result<CreatedPaymentIntent, CheckoutError> {
        let metadata = HashMap::from([
            ("tenant".to_owned(), tenant.to_string()),
            ("order_id".to_owned(), order.id.to_string()),
            ("cart_id".to_owned(), cart.to_string()),
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
            idempotency_key: format!("checkout-{cart}-v{cart_version}"),
            account: PaymentAccount::of(order.stripe_account.as_deref()),
            application_fee: order.platform_fee,
            moto,
        };
        let intent = match self.payments.create_payment_intent(request).await {
            Ok(intent) => intent,
            Err(e) => {
                self.undo_checkout(tenant, order, "The payment could not be started.")
                    .await;
                return Err(e.into());
            }
        };
        match self
            .orders
            .set_payment_intent(tenant, &order.id, &intent.id)
            .await
        {
            Ok(()) => Ok(intent),
            Err(e) => {
                // The order cannot be tied to its payment: give the cart back and cancel the
                // intent, so the patron can simply try again. (Should the intent be paid
                // anyway, the sale finds the order cancelled and refunds it.)
                self.undo_checkout(tenant, order, "The payment could not be started.")
                    .await;
                if let Err(cancel) = self
                    .payments
                    .cancel_payment_intent(
                        PaymentAccount::of(order.stripe_account.as_deref()),
                        &intent.id,
                    )
                    .await
                {
                    tracing::warn!(order = %order.id, error = %cancel, "could not cancel the PaymentIntent");
                }
                Err(match e {
                    WriteRefusal::Store(e) => e.into(),
                    WriteRefusal::Changed => CheckoutError::CartChanged,
                })
            }
        }
    }
}

/// What the patron is buying, priced: the lines in the order given, the totals summed over
/// the performances (each priced with its own table, fees and taxes).
struct Priced {
    tickets: Vec<TicketRecord>,
    totals: Totals,
    /// When the earliest of the tickets' performances starts.
    first_start: Option<chrono::DateTime<chrono::Utc>>,
    /// Some ticket is of a hidden price type the promo code unlocked.
    unlocked: bool,
}

/// A window sale's request checked before anything is read: a comp has a reason, cash is an
/// amount, a walk-up without an email address does not ask for emailed tickets, and print
/// is for the window only.
fn check_window_request(request: &CheckoutRequest) -> Result<(), CheckoutError> {
    match &request.window {
        None if request.delivery == Delivery::Print => Err(Invalid::new(
            "delivery",
            "printed tickets are for sales at the box office; choose email",
        )
        .into()),
        None if request.email.is_none() => {
            Err(Invalid::new("email", "enter an email address").into())
        }
        None => Ok(()),
        Some(window) => {
            if let Some(phone) = &window.phone {
                parse_phone(phone)?;
            }
            if matches!(window.payment, WindowPayment::Reserve { .. })
                && request.email.is_none()
                && window.phone.is_none()
            {
                return Err(Invalid::new(
                    "patron",
                    "a reservation needs the patron's email address or telephone number",
                )
                .into());
            }
            if window.payment == WindowPayment::PaymentLink && request.email.is_none() {
                return Err(Invalid::new(
                    "email",
                    "a payment link is emailed: enter the patron's email address",
                )
                .into());
            }
            if request.email.is_none() && request.delivery == Delivery::Email {
                return Err(Invalid::new(
                    "delivery",
                    "emailed tickets need the patron's email address; print them or keep them for collection",
                )
                .into());
            }
            match &window.payment {
                WindowPayment::Comp { reason } if reason.trim().is_empty() => {
                    Err(Invalid::new("reason", "say why the tickets are complimentary").into())
                }
                WindowPayment::Comp { reason } if reason.chars().count() > MAX_REASON => {
                    Err(Invalid::new("reason", format!("at most {MAX_REASON} characters")).into())
                }
                WindowPayment::Cash { tendered }
                    if !(0..=marquee_domain::pricing::MAX_AMOUNT).contains(tendered) =>
                {
                    Err(Invalid::new("tendered", "the cash handed over, in minor units").into())
                }
                _ => Ok(()),
            }
        }
    }
}

/// What a window sale records, with the priced tickets adjusted: a comp costs nothing (its
/// list value is kept for the reports); cash must cover the total.
fn window_sale(
    window: &WindowSaleRequest,
    priced: &mut Priced,
) -> Result<WindowSale, CheckoutError> {
    let mut sale = WindowSale {
        by: window.by.clone(),
        method: SaleMethod::Card,
        tendered: None,
        change: None,
        reason: None,
        comp_value: None,
    };
    match &window.payment {
        WindowPayment::Card | WindowPayment::Moto | WindowPayment::PaymentLink => {}
        WindowPayment::Cash { tendered } => {
            let total = priced.totals.total;
            if *tendered < total {
                let due = marquee_domain::Money::from_minor(total, priced.totals.currency);
                return Err(
                    Invalid::new("tendered", format!("less than the total of {due}")).into(),
                );
            }
            sale.method = SaleMethod::Cash;
            sale.tendered = Some(*tendered);
            sale.change = Some(tendered - total);
        }
        WindowPayment::Comp { reason } => {
            sale.method = SaleMethod::Comp;
            sale.reason = Some(reason.trim().to_owned());
            sale.comp_value = Some(priced.totals.subtotal - priced.totals.discount);
            zero(priced);
        }
        WindowPayment::Covered => {
            let total = priced.totals.total;
            if total > 0 {
                let due = marquee_domain::Money::from_minor(total, priced.totals.currency);
                return Err(Invalid::new(
                    "payment",
                    format!("the exchange costs {due} more: take it in cash or by card"),
                )
                .into());
            }
            sale.method = SaleMethod::Exchange;
        }
        WindowPayment::Reserve { .. } => sale.method = SaleMethod::Reserve,
    }
    Ok(sale)
}

/// An exchange: its fee added, then the exchanged tickets' worth taken off the total (as a
/// discount), as far as it goes; what is left of the credit is the surplus paid back.
fn apply_exchange(credit: &ExchangeCredit, priced: &mut Priced) -> Result<ExchangeOf, Invalid> {
    let overflow = || Invalid::new("fee", "the exchange total is out of range");
    if credit.fee < 0 || credit.credit < 0 {
        return Err(Invalid::new("fee", "the exchange fee cannot be negative"));
    }
    let totals = &mut priced.totals;
    totals.fees = totals.fees.checked_add(credit.fee).ok_or_else(overflow)?;
    totals.total = totals.total.checked_add(credit.fee).ok_or_else(overflow)?;
    let applied = credit.credit.min(totals.total);
    totals.discount += applied;
    totals.total -= applied;
    Ok(ExchangeOf {
        order: credit.order.clone(),
        number: credit.number.clone(),
        tickets: credit.tickets.clone(),
        credit: credit.credit,
        fee: credit.fee,
        surplus: credit.credit - applied,
    })
}

/// A telephone number as typed at the box office, checked loosely: digits, spaces, `+`, `-`,
/// `.` and parentheses, with 6 to 20 digits. Returns its digits (what patron search matches).
pub fn parse_phone(raw: &str) -> Result<String, Invalid> {
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')');
    if !raw.chars().all(allowed) {
        return Err(Invalid::new(
            "phone",
            "use digits, spaces, +, - and parentheses only",
        ));
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if !(6..=20).contains(&digits.len()) {
        return Err(Invalid::new("phone", "must have 6 to 20 digits"));
    }
    Ok(digits)
}

/// Complimentary: every ticket, fee and tax at 0.
fn zero(priced: &mut Priced) {
    for ticket in &mut priced.tickets {
        ticket.price = 0;
        ticket.discount = 0;
        ticket.fees = 0;
    }
    let totals = &mut priced.totals;
    for line in &mut totals.lines {
        line.price = 0;
        line.discount = 0;
        line.fees = 0;
    }
    (totals.subtotal, totals.discount, totals.fees) = (0, 0, 0);
    (totals.tax, totals.tax_included, totals.total) = (0, 0, 0);
    totals.mailing = 0;
}

/// Pairs each listed ticket with a live hold of the cart: every live hold needs a price type,
/// each exactly once; a hold that ran out is named.
fn match_tickets<'a>(
    tickets: &'a [(String, String)],
    all: &[HoldRecord],
    live: &[&'a HoldRecord],
) -> Result<Vec<(&'a HoldRecord, &'a str)>, CheckoutError> {
    let by_id: HashMap<&str, &HoldRecord> = live.iter().map(|h| (h.hold_id.as_str(), *h)).collect();
    let mut seen = HashSet::new();
    let mut chosen = Vec::with_capacity(tickets.len());
    let mut unknown = Vec::new();
    let mut expired = Vec::new();
    for (hold_id, price_type) in tickets {
        if !seen.insert(hold_id.as_str()) {
            return Err(
                Invalid::new("tickets", format!("hold '{hold_id}' is listed twice")).into(),
            );
        }
        match by_id.get(hold_id.as_str()) {
            Some(hold) => chosen.push((*hold, price_type.as_str())),
            None if all.iter().any(|h| h.hold_id.as_str() == hold_id) => {
                expired.push(hold_id.clone())
            }
            None => unknown.push(hold_id.clone()),
        }
    }
    if !expired.is_empty() {
        return Err(CheckoutError::HoldsExpired(expired));
    }
    if !unknown.is_empty() {
        return Err(CheckoutError::UnknownHolds(unknown));
    }
    let missing: Vec<String> = live
        .iter()
        .filter(|h| !seen.contains(h.hold_id.as_str()))
        .map(|h| h.hold_id.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(CheckoutError::MissingTickets(missing));
    }
    Ok(chosen)
}

/// A price type the ticket's zone does not offer this cart, naming those it does: everyone's,
/// and the hidden ones its promo code unlocks.
fn invalid_price_type(
    hold: &HoldRecord,
    raw: &str,
    performance: &PerformanceRecord,
    promo: Option<&PromoRecord>,
) -> CheckoutError {
    let unlocked = performance.prices.entries().iter().filter(|p| {
        p.zone == hold.zone
            && p.hidden
            && promo.is_some_and(|promo| {
                promo.unlocks(&performance.event_id, &performance.id, &p.price_type)
            })
    });
    CheckoutError::InvalidPriceType {
        hold_id: hold.hold_id.clone(),
        price_type: raw.to_owned(),
        available: performance
            .prices
            .price_types_in(&hold.zone)
            .into_iter()
            .chain(unlocked.map(|p| &p.price_type))
            .map(|p| p.as_str().to_owned())
            .collect(),
    }
}

/// The ticket's place in words, from the map as it is now.
pub fn place(layout: &PreparedLayout, spot: &Spot) -> Place {
    match spot {
        Spot::Seat { seat, .. } => {
            let located = layout.index.get(seat).and_then(|p| layout.map.seat_at(*p));
            Place {
                section_name: located.and_then(|at| {
                    layout
                        .map
                        .sections
                        .iter()
                        .find(|s| &s.id == at.section)
                        .map(|s| s.name.clone())
                }),
                row: located.map(|at| at.row.to_owned()),
                seat_label: Some(
                    located.map_or_else(|| seat.to_string(), |at| at.seat.label.clone()),
                ),
                area_name: None,
            }
        }
        Spot::Area(area) => Place {
            area_name: Some(
                layout
                    .map
                    .areas
                    .iter()
                    .find(|a| &a.id == area)
                    .map_or_else(|| area.to_string(), |a| a.name.clone()),
            ),
            ..Place::default()
        },
    }
}

mod postal;
#[cfg(test)]
mod postal_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod window_tests;
