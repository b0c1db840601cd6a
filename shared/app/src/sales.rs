//! Sales: what happens to an order after checkout. A payment completes it (or goes back
//! when its places were lost), a free order completes at once, a declined card reopens the
//! cart, staff refund tickets, a cancelled performance refunds everyone.
//!
//! The rule that never bends: no paid order is silently dropped and no seat is sold twice.
//! A payment for seats that are gone (the hold expired and someone else bought them) goes
//! back to the patron, the order is recorded as refunded with the reason, and the patron is
//! told by email.

use crate::delivery::TicketDelivery;
use crate::ports::{
    Capacities, Catalog, Clock, ExchangeSwap, HoldStore, OrderStore, PaymentAccount, PaymentError,
    PaymentEvents, Payments, PortError, RefundRequest, RefundWrite, SaleRefusal, SaleWrite,
    WriteRefusal,
};
use crate::retry::{Policy, retry};
use marquee_domain::order::refund_amount;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::records::{ExchangeOf, OrderRecord, RefundRecord, TicketStatus};
use marquee_domain::seatmap::SeatId;
use marquee_domain::{Invalid, OrderId, OrderStatus, PerformanceId, TenantId, TicketId};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why the payment of a checkout that was replaced goes back (also the cancelled order's
/// `problem`, which a payment arriving later is refunded with).
pub const REPLACED: &str =
    "This checkout was replaced by a newer one, so the payment was returned.";

/// Why a sale, a refund or a cancellation did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SaleError {
    #[error("no such order")]
    OrderNotFound,
    /// Nothing left to refund (or not a paid order).
    #[error("the order has nothing to refund: {0}")]
    NotRefundable(String),
    #[error("tickets not valid in this order: {0:?}")]
    UnknownTickets(Vec<TicketId>),
    /// The order changed while it was being refunded: reload and try again.
    #[error("the order changed meanwhile")]
    OrderChanged,
    /// A free order whose places were taken before it completed.
    #[error("seats were taken: {0:?}")]
    SeatsLost(Vec<SeatId>),
    /// An exchange whose earlier tickets were refunded or exchanged before it completed.
    #[error("the exchanged tickets changed meanwhile")]
    ExchangeChanged,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] PortError),
}

impl From<WriteRefusal> for SaleError {
    fn from(e: WriteRefusal) -> Self {
        match e {
            WriteRefusal::Changed => Self::OrderChanged,
            WriteRefusal::Store(e) => Self::Store(e),
        }
    }
}

/// What became of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The order is paid and its tickets issued.
    Sold,
    /// It already was (a duplicate or late event).
    AlreadyDone,
    /// The payment could not be fulfilled and went back.
    Refunded { reason: String },
    /// Nothing of ours (unknown order or PaymentIntent).
    Ignored,
}

impl PaymentOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sold => "sold",
            Self::AlreadyDone => "already_done",
            Self::Refunded { .. } => "refunded",
            Self::Ignored => "ignored",
        }
    }
}

/// A payment the provider reported as succeeded.
#[derive(Debug, Clone)]
pub struct PaymentReceived<'a> {
    pub payment_intent: &'a str,
    pub amount: i64,
    /// ISO 4217, any case.
    pub currency: &'a str,
}

/// How far the refunds of a cancelled performance have got.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CancellationProgress {
    /// Orders with tickets for the performance.
    pub orders: usize,
    /// Of those, refunded for this performance (now or before).
    pub refunded: usize,
    /// Refunds that failed this time (they are retried by calling cancel again).
    pub failed: usize,
    /// Not reached within this call: call again to continue.
    pub remaining: usize,
}

impl CancellationProgress {
    pub fn complete(&self) -> bool {
        self.refunded == self.orders
    }
}

pub struct Sales {
    catalog: Arc<dyn Catalog>,
    carts: Arc<dyn HoldStore>,
    orders: Arc<dyn OrderStore>,
    payments: Arc<dyn Payments>,
    delivery: Arc<TicketDelivery>,
    clock: Arc<dyn Clock>,
}

impl Sales {
    pub fn new(
        catalog: Arc<dyn Catalog>,
        carts: Arc<dyn HoldStore>,
        orders: Arc<dyn OrderStore>,
        payments: Arc<dyn Payments>,
        delivery: Arc<TicketDelivery>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            carts,
            orders,
            payments,
            delivery,
            clock,
        }
    }

    /// A payment succeeded: sell the order's places, or give the money back if they are
    /// gone. Safe to call again for the same payment (duplicate or late events).
    pub async fn complete_payment(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        payment: &PaymentReceived<'_>,
    ) -> Result<PaymentOutcome, SaleError> {
        let Some(order) = self.orders.order(tenant, order_id).await? else {
            return Ok(PaymentOutcome::Ignored);
        };
        self.complete_payment_of(tenant, order, payment).await
    }

    /// `complete_payment` for an order already read (the webhook reads it to check the
    /// event's account).
    async fn complete_payment_of(
        &self,
        tenant: &TenantId,
        order: OrderRecord,
        payment: &PaymentReceived<'_>,
    ) -> Result<PaymentOutcome, SaleError> {
        let for_this_order = order
            .payment_intent
            .as_deref()
            .is_none_or(|pi| pi == payment.payment_intent);
        if !for_this_order {
            // A payment on an intent the order no longer uses: it buys nothing.
            self.refund_stray_payment(tenant, &order, payment).await?;
            return Ok(PaymentOutcome::Refunded {
                reason: "a second payment for the same order".into(),
            });
        }
        match order.status {
            OrderStatus::Paid | OrderStatus::PartiallyRefunded => {
                // A repeated event: make sure the confirmation went out (it dedupes).
                self.delivery.order_paid(tenant, &order).await?;
                return Ok(PaymentOutcome::AlreadyDone);
            }
            OrderStatus::Refunded => {
                // Refunded by an earlier delivery, which may have stopped before it freed the
                // cart or told the patron: finish that (both are safe to repeat).
                if let Some(refund) = order.refunds.iter().find(|r| r.tickets.is_empty()) {
                    self.finish_unfulfilled(tenant, &order, &refund.id).await?;
                }
                return Ok(PaymentOutcome::AlreadyDone);
            }
            OrderStatus::Cancelled => {
                // Cancelled by a newer checkout, or by an earlier delivery of this payment that
                // decided to refund it and stopped before it finished: the stored reason says which.
                let reason = order.problem.clone().unwrap_or_else(|| REPLACED.to_owned());
                return self
                    .refund_unfulfilled(tenant, &order, payment, &reason)
                    .await;
            }
            OrderStatus::Pending => {}
        }
        let amount_matches = payment.amount == order.totals.total
            && payment
                .currency
                .eq_ignore_ascii_case(order.totals.currency.code());
        if !amount_matches {
            tracing::error!(order = %order.id, "payment amount or currency differs from the order");
            let reason = "The payment did not match the order total, so it was returned.";
            return self
                .refund_unfulfilled(tenant, &order, payment, reason)
                .await;
        }
        if let Some(cancelled) = self.cancelled_performance(tenant, &order).await? {
            let reason = format!("{cancelled} was cancelled, so the payment was returned.");
            return self
                .refund_unfulfilled(tenant, &order, payment, &reason)
                .await;
        }
        match self.sell(tenant, &order).await {
            Ok(()) => {
                self.delivery.order_paid(tenant, &order).await?;
                Ok(PaymentOutcome::Sold)
            }
            Err(SaleRefusal::NotPending) => Ok(PaymentOutcome::AlreadyDone),
            Err(SaleRefusal::PlacesLost { seats, areas }) => {
                tracing::warn!(order = %order.id, ?seats, ?areas, "paid after the holds expired and the places were taken");
                let reason = "Your seats were taken by someone else after your reservation ran out, \
                              so your payment was refunded in full.";
                self.refund_unfulfilled(tenant, &order, payment, reason)
                    .await
            }
            Err(SaleRefusal::ExchangeChanged) => {
                tracing::warn!(order = %order.id, "paid for an exchange whose earlier tickets changed meanwhile");
                let reason = "The tickets you were exchanging were changed at the box office \
                              meanwhile, so your payment was refunded in full.";
                self.refund_unfulfilled(tenant, &order, payment, reason)
                    .await
            }
            Err(SaleRefusal::Store(e)) => Err(e.into()),
            Err(other @ (SaleRefusal::Stale | SaleRefusal::Contention)) => {
                Err(PortError::transient("sale", other.to_string()).into())
            }
        }
    }

    /// The name of a performance of the order that was cancelled meanwhile, if any.
    async fn cancelled_performance(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<Option<String>, PortError> {
        for performance in order.performances() {
            let Some(record) = self.catalog.performance(tenant, &performance).await? else {
                continue;
            };
            if record.status == PerformanceStatus::Cancelled {
                let title = self
                    .catalog
                    .event(tenant, &record.event_id)
                    .await?
                    .map_or_else(|| "The performance".to_owned(), |e| e.title);
                return Ok(Some(title));
            }
        }
        Ok(None)
    }

    /// Runs the sale transaction, reading the cart again when it went stale.
    async fn sell(&self, tenant: &TenantId, order: &OrderRecord) -> Result<(), SaleRefusal> {
        // Only a pending order can be paid (the store's condition says the same).
        order.status.pay().map_err(|_| SaleRefusal::NotPending)?;
        let capacities = self.capacities(tenant, order).await?;
        retry(
            Policy::SALE,
            |e| matches!(e, SaleRefusal::Stale | SaleRefusal::Contention),
            |_| async {
                let holds = self
                    .carts
                    .cart(tenant, &order.cart_id)
                    .await?
                    .map(|(_, holds)| holds)
                    .unwrap_or_default();
                let now = self.clock.now();
                // An exchange: the earlier order as it is now, its tickets voided in the
                // same transaction (conditional on this read).
                let earlier = match &order.exchange {
                    Some(exchange) => Some(self.exchanged(tenant, order, exchange, now).await?),
                    None => None,
                };
                self.orders
                    .sell_order(&SaleWrite {
                        tenant,
                        order,
                        holds: &holds,
                        capacities: &capacities,
                        now: now.timestamp_millis(),
                        paid_at: &now.to_rfc3339(),
                        exchange: earlier
                            .as_ref()
                            .map(|(earlier, refund, status)| ExchangeSwap {
                                order: earlier,
                                tickets: &refund.tickets,
                                refund,
                                status: *status,
                            }),
                    })
                    .await
            },
        )
        .await
    }

    /// The earlier order of an exchange as read now, the refund record that voids its
    /// exchanged tickets (paying back the surplus, if any), and its status after.
    async fn exchanged(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        exchange: &ExchangeOf,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(OrderRecord, RefundRecord, OrderStatus), SaleRefusal> {
        let earlier = self
            .orders
            .order(tenant, &exchange.order)
            .await?
            .ok_or(SaleRefusal::ExchangeChanged)?;
        let valid: Vec<&TicketId> = earlier
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Valid)
            .map(|t| &t.id)
            .collect();
        if !earlier.status.has_valid_tickets()
            || !exchange.tickets.iter().all(|id| valid.contains(&id))
        {
            return Err(SaleRefusal::ExchangeChanged);
        }
        let status = earlier
            .status
            .refund(exchange.tickets.len() == valid.len())
            .map_err(|_| SaleRefusal::ExchangeChanged)?;
        let refund = RefundRecord {
            id: exchange_refund_id(&order.id),
            amount: exchange.surplus,
            tickets: exchange.tickets.clone(),
            reason: format!("Exchanged for order {}", order.number),
            at: now.to_rfc3339(),
        };
        Ok((earlier, refund, status))
    }

    /// Capacities of the general-admission areas the order has places in.
    async fn capacities(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<Capacities, PortError> {
        let mut capacities = Capacities::new();
        for performance in order.performances() {
            if !order
                .tickets
                .iter()
                .any(|t| t.performance_id == performance && t.spot.area().is_some())
            {
                continue;
            }
            let Some(record) = self.catalog.performance(tenant, &performance).await? else {
                continue;
            };
            if let Some((map, _)) = self.catalog.seat_map(tenant, &record.seat_map_id).await? {
                for area in map.areas {
                    capacities.insert(
                        (performance.clone(), area.id.clone()),
                        record.ga_capacity(&area),
                    );
                }
            }
        }
        Ok(capacities)
    }

    /// Gives a whole payment back and records the order as refunded with `reason`; frees
    /// whatever the cart still holds; tells the patron.
    async fn refund_unfulfilled(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        payment: &PaymentReceived<'_>,
        reason: &str,
    ) -> Result<PaymentOutcome, SaleError> {
        // The decision is written first, as a state, not a lock: a pending order is cancelled
        // with the reason, so a redelivery after a crash anywhere below refunds again (the
        // same idempotency key: the same refund) instead of selling places that came free
        // meanwhile to a patron whose money already went back.
        if order.status.cancel().is_ok() {
            match self
                .orders
                .cancel_pending_order(tenant, order, reason)
                .await
            {
                Ok(()) | Err(WriteRefusal::Changed) => {}
                Err(WriteRefusal::Store(e)) => return Err(e.into()),
            }
        }
        let refund_id = self
            .payments
            .refund(RefundRequest {
                account: PaymentAccount::of(order.stripe_account.as_deref()),
                payment_intent: payment.payment_intent,
                amount: payment.amount,
                idempotency_key: format!("unfulfilled-{}-{}", order.id, payment.payment_intent),
                metadata: metadata(tenant, &order.id),
                // A payment that bought nothing leaves the platform nothing either.
                refund_application_fee: order.stripe_account.is_some(),
            })
            .await?;
        let refund = RefundRecord {
            id: refund_id.clone(),
            amount: payment.amount,
            tickets: Vec::new(),
            reason: reason.to_owned(),
            at: self.clock.now().to_rfc3339(),
        };
        // Recorded unless the order is past that already (an earlier delivery recorded it).
        if order.status.refund_unfulfilled().is_ok() {
            match self
                .orders
                .record_unfulfilled_refund(tenant, order, &refund, reason)
                .await
            {
                Ok(()) | Err(WriteRefusal::Changed) => {}
                Err(WriteRefusal::Store(e)) => return Err(e.into()),
            }
        }
        self.finish_unfulfilled(tenant, order, &refund_id).await?;
        Ok(PaymentOutcome::Refunded {
            reason: reason.to_owned(),
        })
    }

    /// After a payment went back: whatever the cart still holds is freed, and the patron is
    /// told (the notice's job id dedupes a repeat).
    async fn finish_unfulfilled(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        refund_id: &str,
    ) -> Result<(), SaleError> {
        if let Some((cart, holds)) = self.carts.cart(tenant, &order.cart_id).await?
            && cart.order_id.as_ref() == Some(&order.id)
            && cart.status != marquee_domain::records::CartStatus::Expired
        {
            let now = self.clock.now().timestamp_millis();
            self.orders
                .release_cart(tenant, &order.cart_id, &holds, now)
                .await?;
        }
        self.delivery
            .order_refunded(tenant, &order.id, refund_id)
            .await?;
        Ok(())
    }

    /// A payment on a PaymentIntent the order does not use (a superseded checkout paid in
    /// another tab): it goes back whole; the order itself is untouched.
    async fn refund_stray_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        payment: &PaymentReceived<'_>,
    ) -> Result<(), SaleError> {
        let refund_id = self
            .payments
            .refund(RefundRequest {
                account: PaymentAccount::of(order.stripe_account.as_deref()),
                payment_intent: payment.payment_intent,
                amount: payment.amount,
                idempotency_key: format!("stray-{}-{}", order.id, payment.payment_intent),
                metadata: metadata(tenant, &order.id),
                refund_application_fee: order.stripe_account.is_some(),
            })
            .await?;
        tracing::warn!(order = %order.id, refund = %refund_id, "refunded a payment on a superseded PaymentIntent");
        Ok(())
    }

    /// A free order completes at once: the same sale, no payment.
    pub async fn complete_free_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<(), SaleError> {
        match self.sell(tenant, order).await {
            Ok(()) => Ok(self.delivery.order_paid(tenant, order).await?),
            Err(SaleRefusal::PlacesLost { seats, .. }) => {
                if let Err(e) = self
                    .orders
                    .cancel_pending_order(tenant, order, "Some places were no longer free.")
                    .await
                {
                    tracing::warn!(order = %order.id, error = ?e, "could not cancel a free order whose places were lost");
                }
                Err(SaleError::SeatsLost(seats))
            }
            Err(SaleRefusal::ExchangeChanged) => {
                if let Err(e) = self
                    .orders
                    .cancel_pending_order(tenant, order, "The exchanged tickets changed meanwhile.")
                    .await
                {
                    tracing::warn!(order = %order.id, error = ?e, "could not cancel an exchange whose tickets changed");
                }
                Err(SaleError::ExchangeChanged)
            }
            Err(SaleRefusal::NotPending) => Ok(()),
            Err(SaleRefusal::Store(e)) => Err(e.into()),
            Err(other) => Err(PortError::transient("sale", other.to_string()).into()),
        }
    }

    /// A declined card: the order stays pending with the reason, and the cart opens again.
    /// Whether the cart was reopened (a late event for a settled order changes nothing).
    pub async fn payment_failed(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        problem: &str,
    ) -> Result<bool, SaleError> {
        let Some(order) = self.orders.order(tenant, order_id).await? else {
            return Ok(false);
        };
        if order.status != OrderStatus::Pending {
            return Ok(false);
        }
        match self
            .orders
            .reopen_cart_after_failed_payment(tenant, &order, problem)
            .await
        {
            Ok(()) => Ok(true),
            Err(WriteRefusal::Changed) => Ok(false),
            Err(WriteRefusal::Store(e)) => Err(e.into()),
        }
    }

    /// Refunds tickets of a paid order (all valid ones when `tickets` is `None`): the money
    /// through the provider, then the tickets voided and the places back on sale in one
    /// transaction. A retry after a failure reuses the same idempotency key (the order's
    /// version), so the patron is never refunded twice; and if nobody retries, the provider's
    /// event about the refund carries the decision in its metadata and writes it down
    /// ([`Sales::refund_issued`]), so money returned always ends as refunded tickets.
    pub async fn refund_tickets(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        tickets: Option<&[TicketId]>,
        reason: &str,
    ) -> Result<OrderRecord, SaleError> {
        let order = self
            .orders
            .order(tenant, order_id)
            .await?
            .ok_or(SaleError::OrderNotFound)?;
        if !order.status.has_valid_tickets() {
            return Err(SaleError::NotRefundable(format!(
                "A {} order has nothing to refund",
                order.status.as_str()
            )));
        }
        let valid: Vec<_> = order
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Valid)
            .collect();
        let chosen: Vec<TicketId> = match tickets {
            None => valid.iter().map(|t| t.id.clone()).collect(),
            Some(ids) => {
                let unknown: Vec<TicketId> = ids
                    .iter()
                    .filter(|id| !valid.iter().any(|t| &t.id == *id))
                    .cloned()
                    .collect();
                if !unknown.is_empty() {
                    return Err(SaleError::UnknownTickets(unknown));
                }
                let mut ids = ids.to_vec();
                ids.sort();
                ids.dedup();
                ids
            }
        };
        if chosen.is_empty() {
            return Err(SaleError::NotRefundable(
                "The order has no valid tickets left".into(),
            ));
        }
        let amount = refundable(&order, &chosen)?;
        // An order made by an exchange was paid partly on the earlier order's payment (the
        // credit): this order's own payment goes back first, then the rest there.
        let own = amount.min((order.totals.total - order.refunded).max(0));
        let carried = amount - own;
        let refund_id = match (&order.payment_intent, own) {
            (Some(intent), own) if own > 0 => {
                // The platform's fee goes back in proportion when the operator says so.
                let refund_application_fee = order.stripe_account.is_some()
                    && order.platform_fee > 0
                    && self.catalog.platform_settings().await?.refund_platform_fee;
                self.payments
                    .refund(RefundRequest {
                        account: PaymentAccount::of(order.stripe_account.as_deref()),
                        payment_intent: intent,
                        amount: own,
                        idempotency_key: format!("refund-{}-v{}", order.id, order.version),
                        metadata: refund_metadata(tenant, &order, &chosen, reason),
                        refund_application_fee,
                    })
                    .await?
            }
            _ => format!("none-{}-v{}", order.id, order.version),
        };
        if carried > 0
            && let Some(exchange) = &order.exchange
        {
            self.refund_carried(tenant, &order, exchange, carried)
                .await?;
        }
        // A crash from here on leaves the money returned and the tickets valid: the provider's
        // event about this refund (`refund_issued`), or a retry with the same key, finishes.
        self.record_refund(tenant, &order, &chosen, amount, &refund_id, reason)
            .await?;
        self.orders
            .order(tenant, order_id)
            .await?
            .ok_or(SaleError::OrderNotFound)
    }

    /// The part of a refund an exchanged order's credit paid: back on the earlier order's card
    /// (keyed by this order's version, so a retry never pays twice; its provider event carries
    /// no tickets and records nothing), or from the drawer when that order was paid in cash.
    async fn refund_carried(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        exchange: &ExchangeOf,
        amount: i64,
    ) -> Result<(), SaleError> {
        let Some(earlier) = self.orders.order(tenant, &exchange.order).await? else {
            return Ok(());
        };
        let Some(intent) = &earlier.payment_intent else {
            return Ok(()); // paid in cash: the clerk pays it back from the drawer
        };
        let mut metadata = metadata(tenant, &earlier.id);
        metadata.insert("exchanged_order".to_owned(), order.id.to_string());
        self.payments
            .refund(RefundRequest {
                account: PaymentAccount::of(earlier.stripe_account.as_deref()),
                payment_intent: intent,
                amount,
                idempotency_key: format!("refund-{}-v{}-carried", order.id, order.version),
                metadata,
                refund_application_fee: false,
            })
            .await?;
        Ok(())
    }

    /// Writes a refund that was paid out: the tickets voided and their places back on sale,
    /// the order's refunded amount and status, in one transaction conditional on the order's
    /// version; then tells the patron.
    async fn record_refund(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        chosen: &[TicketId],
        amount: i64,
        refund_id: &str,
        reason: &str,
    ) -> Result<(), SaleError> {
        let valid = order
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Valid)
            .count();
        let refund = RefundRecord {
            id: refund_id.to_owned(),
            amount,
            tickets: chosen.to_vec(),
            reason: reason.to_owned(),
            at: self.clock.now().to_rfc3339(),
        };
        let status = order.status.refund(chosen.len() == valid)?;
        self.orders
            .refund_tickets(&RefundWrite {
                tenant,
                order,
                tickets: chosen,
                refund: &refund,
                status,
            })
            .await?;
        if let Err(e) = self
            .delivery
            .order_refunded(tenant, &order.id, refund_id)
            .await
        {
            tracing::error!(order = %order.id, error = ?e, "could not queue the refund notice");
        }
        Ok(())
    }

    /// The provider reports a refund of tickets (its `refund.created` event, with the
    /// metadata `refund_tickets` gave it). If the process that asked for it stopped before
    /// writing it down, this writes it: the tickets are voided and the patron told, as the
    /// refund said. Already recorded: nothing to do (the notice is made sure of; it dedupes).
    pub async fn refund_issued(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        issued: &RefundIssued<'_>,
    ) -> Result<&'static str, SaleError> {
        for _ in 0..3 {
            let Some(order) = self.orders.order(tenant, order_id).await? else {
                return Ok("ignored");
            };
            if order.refunds.iter().any(|r| r.id == issued.refund_id) {
                self.delivery
                    .order_refunded(tenant, &order.id, issued.refund_id)
                    .await?;
                return Ok("refund_already_recorded");
            }
            let still_valid = issued.tickets.iter().all(|id| {
                order
                    .tickets
                    .iter()
                    .any(|t| &t.id == id && t.status == TicketStatus::Valid)
            });
            if order.version != issued.order_version || !still_valid || issued.tickets.is_empty() {
                // Someone changed the order after this refund was decided and before it was
                // written: a person must look (the money went back; the tickets say otherwise).
                tracing::error!(order = %order.id, refund = issued.refund_id, "a refund was paid out but the order changed before it was recorded");
                return Ok("refund_unmatched");
            }
            match self
                .record_refund(
                    tenant,
                    &order,
                    issued.tickets,
                    issued.amount,
                    issued.refund_id,
                    issued.reason,
                )
                .await
            {
                Ok(()) => return Ok("refund_recorded"),
                // Written meanwhile (the retry of the staff member's request): look again.
                Err(SaleError::OrderChanged) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(PortError::transient("refund", "the order kept changing").into())
    }

    /// Refunds every valid ticket of a cancelled performance, order by order, for up to
    /// `budget`. Safe to run again: refunded tickets are not refunded twice.
    pub async fn refund_performance(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        budget: Duration,
    ) -> Result<CancellationProgress, SaleError> {
        let started = Instant::now();
        let issued = self.orders.performance_tickets(tenant, performance).await?;
        let mut per_order: BTreeMap<OrderId, Vec<TicketId>> = BTreeMap::new();
        let mut orders_seen: BTreeMap<OrderId, ()> = BTreeMap::new();
        for ticket in issued {
            orders_seen.insert(ticket.order_id.clone(), ());
            if ticket.status == TicketStatus::Valid {
                per_order
                    .entry(ticket.order_id)
                    .or_default()
                    .push(ticket.ticket_id);
            }
        }
        let mut progress = CancellationProgress {
            orders: orders_seen.len(),
            refunded: orders_seen.len() - per_order.len(),
            ..Default::default()
        };
        let todo: Vec<(OrderId, Vec<TicketId>)> = per_order.into_iter().collect();
        for batch in todo.chunks(4) {
            if started.elapsed() > budget {
                progress.remaining += batch.len();
                continue;
            }
            let results = futures::future::join_all(batch.iter().map(|(order, tickets)| {
                self.refund_tickets(
                    tenant,
                    order,
                    Some(tickets),
                    "The performance was cancelled, so your tickets were refunded.",
                )
            }))
            .await;
            for ((order, _), result) in batch.iter().zip(results) {
                match result {
                    Ok(_) => progress.refunded += 1,
                    Err(e) => {
                        tracing::error!(%order, error = ?e, "refund of a cancelled performance failed");
                        progress.failed += 1;
                    }
                }
            }
        }
        Ok(progress)
    }
}

/// What the payment provider reported about an order's payment.
#[derive(Debug, Clone)]
pub enum PaymentEvent<'a> {
    Succeeded(PaymentReceived<'a>),
    Failed {
        problem: &'a str,
    },
    /// A refund of tickets was paid out (see [`Sales::refund_issued`]).
    Refunded(RefundIssued<'a>),
}

/// A refund of tickets as the provider reports it, with what `refund_tickets` decided (the
/// refund's metadata).
#[derive(Debug, Clone)]
pub struct RefundIssued<'a> {
    pub refund_id: &'a str,
    pub amount: i64,
    /// The order's version when the refund was decided.
    pub order_version: u32,
    pub tickets: &'a [TicketId],
    pub reason: &'a str,
}

/// What became of a provider event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Delivered before and handled then.
    Duplicate,
    /// What the sale made of it (`sold`, `refunded`, `cart_reopened`, …).
    Handled(&'static str),
}

/// How long a handled event id is remembered (Stripe retries for up to three days).
const EVENT_MEMORY_DAYS: i64 = 30;

/// The payment provider's events, each handled once.
pub struct PaymentWebhook {
    sales: Arc<Sales>,
    events: Arc<dyn PaymentEvents>,
    clock: Arc<dyn Clock>,
}

impl PaymentWebhook {
    pub fn new(sales: Arc<Sales>, events: Arc<dyn PaymentEvents>, clock: Arc<dyn Clock>) -> Self {
        Self {
            sales,
            events,
            clock,
        }
    }

    /// Handles one event for one order, reported by the provider account `account` (`None`:
    /// the platform's own). An event whose account is not the one the order's payment is
    /// on is ignored and logged: one venue's account can never settle another's order.
    /// Nothing is claimed first: the sale is idempotent by
    /// construction (keyed by the order and its PaymentIntent), so a redelivery after a crash
    /// at any point finishes the work or finds it done. The event is recorded after its
    /// effect, so a delivery that was handled is recognised without doing the work again.
    pub async fn handle(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        event_id: &str,
        kind: &str,
        account: Option<&str>,
        event: PaymentEvent<'_>,
    ) -> Result<EventOutcome, SaleError> {
        if self.events.seen(tenant, event_id).await? {
            return Ok(EventOutcome::Duplicate);
        }
        let record = self.sales.orders.order(tenant, order).await?;
        if let Some(record) = &record
            && record.stripe_account.as_deref() != account
        {
            tracing::warn!(event = %event_id, %order, account = account.unwrap_or("platform"), "an event from another account than the order's payment ignored");
            return Ok(EventOutcome::Handled("wrong_account"));
        }
        let outcome = match (event, record) {
            (PaymentEvent::Succeeded(_), None) => PaymentOutcome::Ignored.as_str(),
            (PaymentEvent::Succeeded(payment), Some(record)) => self
                .sales
                .complete_payment_of(tenant, record, &payment)
                .await?
                .as_str(),
            (PaymentEvent::Failed { problem }, _) => {
                if self.sales.payment_failed(tenant, order, problem).await? {
                    "cart_reopened"
                } else {
                    "ignored"
                }
            }
            (PaymentEvent::Refunded(refund), _) => {
                self.sales.refund_issued(tenant, order, &refund).await?
            }
        };
        let remember_until = self.clock.now().timestamp() + EVENT_MEMORY_DAYS * 86_400;
        // The work is done; failing to note that only costs a redelivery that finds it done.
        if let Err(e) = self
            .events
            .record(tenant, event_id, kind, outcome, remember_until)
            .await
        {
            tracing::warn!(event = %event_id, error = ?e, "could not record a handled event");
        }
        Ok(EventOutcome::Handled(outcome))
    }
}

fn metadata(tenant: &TenantId, order: &OrderId) -> HashMap<String, String> {
    HashMap::from([
        ("tenant".to_owned(), tenant.to_string()),
        ("order_id".to_owned(), order.to_string()),
    ])
}

/// Metadata keys of a refund of tickets: what was decided, so that the provider's event can
/// write it down if the process that asked for it could not (see `refund_issued`).
pub const REFUND_ORDER_VERSION: &str = "order_version";
pub const REFUND_TICKETS: &str = "tickets";
pub const REFUND_REASON: &str = "reason";

fn refund_metadata(
    tenant: &TenantId,
    order: &OrderRecord,
    tickets: &[TicketId],
    reason: &str,
) -> HashMap<String, String> {
    let mut metadata = metadata(tenant, &order.id);
    metadata.insert(REFUND_ORDER_VERSION.to_owned(), order.version.to_string());
    // An order has at most a few dozen tickets: 27 characters each stays within Stripe's
    // 500 characters per value for any order a cart can make (10 places).
    let tickets: Vec<String> = tickets.iter().map(ToString::to_string).collect();
    metadata.insert(REFUND_TICKETS.to_owned(), tickets.join(","));
    // Stripe allows 500 characters per value.
    let reason: String = reason.chars().take(450).collect();
    metadata.insert(REFUND_REASON.to_owned(), reason);
    metadata
}

/// What refunding `chosen` (valid tickets of `order`) gives back: their share of what was
/// paid, fees and taxes in proportion; the last tickets get exactly what is left.
pub fn refundable(order: &OrderRecord, chosen: &[TicketId]) -> Result<i64, Invalid> {
    let valid: Vec<_> = order
        .tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Valid)
        .collect();
    let remaining: i64 = valid.iter().map(|t| t.share()).sum();
    let refunding: i64 = valid
        .iter()
        .filter(|t| chosen.contains(&t.id))
        .map(|t| t.share())
        .sum();
    let all = chosen.len() == valid.len();
    let paid = paid_for(order);
    Ok(if paid == 0 {
        0
    } else if remaining == 0 {
        // Free tickets in a paid order (fees only): the last refund returns what is left.
        if all { paid - order.refunded } else { 0 }
    } else {
        refund_amount(paid, order.refunded, refunding, remaining)?
    })
}

/// What the patron paid for an order: its own total, and for an exchange the part of the
/// earlier tickets' worth it used.
pub fn paid_for(order: &OrderRecord) -> i64 {
    order.totals.total + order.exchange.as_ref().map_or(0, |e| e.credit - e.surplus)
}

/// The refund record (and the provider's idempotency key) of an exchange's surplus, from the
/// new order: one per exchange, whoever writes it.
pub fn exchange_refund_id(order: &OrderId) -> String {
    format!("exchange-{order}")
}

#[cfg(test)]
mod tests;
