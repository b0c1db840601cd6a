//! What happens to an order after checkout, shared by the functions that cause it: the Stripe
//! webhook (a payment arrived or failed), the public API (a free order completes at once) and
//! the admin API (refunds, a cancelled performance).
//!
//! The rule that never bends: no paid order is silently dropped and no seat is sold twice.
//! A payment for seats that are gone (the hold expired and someone else bought them) goes
//! back to the patron through Stripe, the order is recorded as refunded with the reason, and
//! the patron is told by email.

use crate::ApiError;
use crate::mail::{MailJob, MailMessage, MailQueue};
use crate::payments::{PaymentError, Payments};
use axum::http::StatusCode;
use chrono::Utc;
use marquee_domain::order::refund_amount;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::{OrderId, OrderStatus, TenantId, TicketId};
use marquee_store::{
    Capacities, OrderRecord, RefundRecord, SaleError, Store, StoreError, TicketStatus,
};
use std::collections::HashMap;

/// Attempts of a sale whose reads went stale or whose transaction conflicted.
const SALE_ATTEMPTS: usize = 5;

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

/// A payment Stripe reported as succeeded.
#[derive(Debug, Clone)]
pub struct PaymentReceived<'a> {
    pub payment_intent: &'a str,
    pub amount: i64,
    /// ISO 4217, any case.
    pub currency: &'a str,
}

#[derive(Clone)]
pub struct Sales {
    pub store: Store,
    pub payments: Payments,
    pub mail: MailQueue,
    /// Links in mail: `{host}` replaced by the venue's hostname.
    pub public_url_template: String,
}

impl Sales {
    /// Where the patron sees the order again.
    async fn order_url(&self, tenant: &TenantId, order: &OrderId) -> Result<String, ApiError> {
        let venue = self
            .store
            .venue(tenant)
            .await?
            .ok_or_else(|| ApiError::not_found("Venue"))?;
        Ok(format!(
            "{}/orders/{order}",
            self.public_url_template
                .replace("{host}", venue.hostname.as_str())
        ))
    }

    async fn send_confirmation(&self, tenant: &TenantId, order: &OrderId) -> Result<(), ApiError> {
        let view_url = self.order_url(tenant, order).await?;
        let job = MailJob::once(
            tenant.clone(),
            format!("order-{order}-confirmation"),
            MailMessage::OrderConfirmation {
                order_id: order.clone(),
                view_url,
            },
        );
        self.mail.enqueue(&job).await
    }

    async fn send_refund_notice(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        refund_id: &str,
    ) -> Result<(), ApiError> {
        let view_url = self.order_url(tenant, order).await?;
        let job = MailJob::once(
            tenant.clone(),
            format!("order-{order}-refund-{refund_id}"),
            MailMessage::OrderRefunded {
                order_id: order.clone(),
                refund_id: refund_id.to_owned(),
                view_url,
            },
        );
        self.mail.enqueue(&job).await
    }

    /// A payment succeeded: sell the order's seats, or give the money back if they are gone.
    /// Safe to call again for the same payment (duplicate or late events).
    pub async fn complete_payment(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        payment: &PaymentReceived<'_>,
    ) -> Result<PaymentOutcome, ApiError> {
        let Some(order) = self.store.order(tenant, order_id).await? else {
            return Ok(PaymentOutcome::Ignored);
        };
        let for_this_order = order
            .payment_intent
            .as_deref()
            .is_none_or(|pi| pi == payment.payment_intent);
        let amount_matches = payment.amount == order.totals.total
            && payment
                .currency
                .eq_ignore_ascii_case(order.totals.currency.code());
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
                self.send_confirmation(tenant, &order.id).await?;
                return Ok(PaymentOutcome::AlreadyDone);
            }
            OrderStatus::Refunded => return Ok(PaymentOutcome::AlreadyDone),
            OrderStatus::Cancelled => {
                let reason =
                    "This checkout was replaced by a newer one, so the payment was returned.";
                return self
                    .refund_unfulfilled(tenant, &order, payment, reason)
                    .await;
            }
            OrderStatus::Pending => {}
        }
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
                self.send_confirmation(tenant, &order.id).await?;
                Ok(PaymentOutcome::Sold)
            }
            Err(SaleError::NotPending) => Ok(PaymentOutcome::AlreadyDone),
            Err(SaleError::PlacesLost { seats, areas }) => {
                tracing::warn!(order = %order.id, ?seats, ?areas, "paid after the holds expired and the places were taken");
                let reason = "Your seats were taken by someone else after your reservation ran out, \
                              so your payment was refunded in full.";
                self.refund_unfulfilled(tenant, &order, payment, reason)
                    .await
            }
            Err(e) => Err(ApiError::internal(e)),
        }
    }

    /// The name of a performance of the order that was cancelled meanwhile, if any.
    async fn cancelled_performance(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<Option<String>, ApiError> {
        for performance in order.performances() {
            let Some(record) = self.store.performance(tenant, &performance).await? else {
                continue;
            };
            if record.status == PerformanceStatus::Cancelled {
                let title = self
                    .store
                    .event(tenant, &record.event_id)
                    .await?
                    .map_or_else(|| "The performance".to_owned(), |e| e.title);
                return Ok(Some(title));
            }
        }
        Ok(None)
    }

    /// Runs the sale transaction, re-reading the cart when it went stale.
    async fn sell(&self, tenant: &TenantId, order: &OrderRecord) -> Result<(), SaleError> {
        let capacities = self.capacities(tenant, order).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let holds = self
                .store
                .cart(tenant, &order.cart_id)
                .await?
                .map(|(_, holds)| holds)
                .unwrap_or_default();
            let now = Utc::now();
            match self
                .store
                .sell_order(
                    tenant,
                    order,
                    &holds,
                    &capacities,
                    now.timestamp_millis(),
                    &now.to_rfc3339(),
                )
                .await
            {
                Err(SaleError::Stale | SaleError::Contention) if attempt < SALE_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * attempt as u64)).await;
                }
                other => return other,
            }
        }
    }

    /// Capacities of the general-admission areas the order has places in.
    async fn capacities(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<Capacities, StoreError> {
        let mut capacities = Capacities::new();
        for performance in order.performances() {
            if !order
                .tickets
                .iter()
                .any(|t| t.performance_id == performance && t.area.is_some())
            {
                continue;
            }
            let Some(record) = self.store.performance(tenant, &performance).await? else {
                continue;
            };
            if let Some(map) = self
                .store
                .seat_map_record(tenant, &record.seat_map_id)
                .await?
            {
                for area in map.areas {
                    capacities.insert((performance.clone(), area.id.clone()), area.capacity);
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
    ) -> Result<PaymentOutcome, ApiError> {
        let refund_id = self
            .payments
            .refund(
                payment.payment_intent,
                payment.amount,
                &format!("unfulfilled-{}-{}", order.id, payment.payment_intent),
                metadata(tenant, &order.id),
            )
            .await
            .map_err(payment_error)?;
        let refund = RefundRecord {
            id: refund_id.clone(),
            amount: payment.amount,
            tickets: Vec::new(),
            reason: reason.to_owned(),
            at: Utc::now().to_rfc3339(),
        };
        match self
            .store
            .record_unfulfilled_refund(tenant, order, &refund, reason)
            .await
        {
            // Already recorded by an earlier delivery of the same event.
            Ok(()) | Err(StoreError::ConditionFailed) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some((cart, holds)) = self.store.cart(tenant, &order.cart_id).await?
            && cart.order_id.as_ref() == Some(&order.id)
        {
            self.store
                .release_cart(
                    tenant,
                    &order.cart_id,
                    &holds,
                    Utc::now().timestamp_millis(),
                )
                .await?;
        }
        self.send_refund_notice(tenant, &order.id, &refund_id)
            .await?;
        Ok(PaymentOutcome::Refunded {
            reason: reason.to_owned(),
        })
    }

    /// A payment on a PaymentIntent the order does not use (a superseded checkout paid in
    /// another tab): it goes back whole; the order itself is untouched.
    async fn refund_stray_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        payment: &PaymentReceived<'_>,
    ) -> Result<(), ApiError> {
        let refund_id = self
            .payments
            .refund(
                payment.payment_intent,
                payment.amount,
                &format!("stray-{}-{}", order.id, payment.payment_intent),
                metadata(tenant, &order.id),
            )
            .await
            .map_err(payment_error)?;
        tracing::warn!(order = %order.id, refund = %refund_id, "refunded a payment on a superseded PaymentIntent");
        Ok(())
    }

    /// A free order completes at once: the same sale, no Stripe.
    pub async fn complete_free_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<(), ApiError> {
        match self.sell(tenant, order).await {
            Ok(()) => self.send_confirmation(tenant, &order.id).await,
            Err(SaleError::PlacesLost { seats, .. }) => {
                let _ = self
                    .store
                    .cancel_pending_order(tenant, &order.id, "Some places were no longer free.")
                    .await;
                Err(ApiError::conflict(
                    "seat_unavailable",
                    "Some of your seats were taken before the order completed",
                )
                .with_details(serde_json::json!({ "seats": seats })))
            }
            Err(e) => Err(ApiError::internal(e)),
        }
    }

    /// A declined card: the order stays pending with the reason, and the cart opens again.
    pub async fn payment_failed(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        problem: &str,
    ) -> Result<bool, ApiError> {
        let Some(order) = self.store.order(tenant, order_id).await? else {
            return Ok(false);
        };
        if order.status != OrderStatus::Pending {
            return Ok(false); // a late event for an order already settled
        }
        match self
            .store
            .reopen_cart_after_failed_payment(tenant, &order, problem)
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Refunds tickets of a paid order (all valid ones when `tickets` is `None`): the money
    /// through Stripe, then the tickets voided and the seats back on sale in one transaction.
    /// A retry after a failure reuses the same Stripe idempotency key (the order's version),
    /// so the patron is never refunded twice.
    pub async fn refund_tickets(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        tickets: Option<&[TicketId]>,
        reason: &str,
    ) -> Result<OrderRecord, ApiError> {
        let order = self
            .store
            .order(tenant, order_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Order"))?;
        if !order.status.has_valid_tickets() {
            return Err(ApiError::conflict(
                "not_refundable",
                format!("A {} order has nothing to refund", order.status.as_str()),
            ));
        }
        let valid: Vec<&marquee_store::TicketRecord> = order
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Valid)
            .collect();
        let chosen: Vec<TicketId> = match tickets {
            None => valid.iter().map(|t| t.id.clone()).collect(),
            Some(ids) => {
                let unknown: Vec<&TicketId> = ids
                    .iter()
                    .filter(|id| !valid.iter().any(|t| &t.id == *id))
                    .collect();
                if !unknown.is_empty() {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unknown_tickets",
                        "Some tickets are not valid tickets of this order",
                    )
                    .with_details(serde_json::json!({ "tickets": unknown })));
                }
                let mut ids = ids.to_vec();
                ids.sort();
                ids.dedup();
                ids
            }
        };
        if chosen.is_empty() {
            return Err(ApiError::conflict(
                "not_refundable",
                "The order has no valid tickets left",
            ));
        }
        let remaining: i64 = valid.iter().map(|t| t.share()).sum();
        let refunding: i64 = valid
            .iter()
            .filter(|t| chosen.contains(&t.id))
            .map(|t| t.share())
            .sum();
        let all = chosen.len() == valid.len();
        let amount = if order.totals.total == 0 {
            0
        } else if remaining == 0 {
            // Free tickets in a paid order (fees only): the last refund returns what is left.
            if all {
                order.totals.total - order.refunded
            } else {
                0
            }
        } else {
            refund_amount(order.totals.total, order.refunded, refunding, remaining)?
        };
        let refund_id = match (&order.payment_intent, amount) {
            (Some(intent), amount) if amount > 0 => self
                .payments
                .refund(
                    intent,
                    amount,
                    &format!("refund-{}-v{}", order.id, order.version),
                    metadata(tenant, &order.id),
                )
                .await
                .map_err(payment_error)?,
            _ => format!("none-{}-v{}", order.id, order.version),
        };
        let refund = RefundRecord {
            id: refund_id.clone(),
            amount,
            tickets: chosen.clone(),
            reason: reason.to_owned(),
            at: Utc::now().to_rfc3339(),
        };
        let status = order.status.refund(all)?;
        match self
            .store
            .refund_tickets(tenant, &order, &chosen, &refund, status)
            .await
        {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => {
                return Err(ApiError::conflict(
                    "order_changed",
                    "The order changed meanwhile; reload it and try again",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        if let Err(e) = self.send_refund_notice(tenant, &order.id, &refund_id).await {
            tracing::error!(order = %order.id, error = %e.message, "could not queue the refund notice");
        }
        self.store
            .order(tenant, order_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Order"))
    }
}

fn metadata(tenant: &TenantId, order: &OrderId) -> HashMap<String, String> {
    HashMap::from([
        ("tenant".to_owned(), tenant.to_string()),
        ("order_id".to_owned(), order.to_string()),
    ])
}

/// Stripe's refusal or absence, as the caller should hear it.
pub fn payment_error(error: PaymentError) -> ApiError {
    match error {
        PaymentError::Disabled => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "payments_unavailable",
            "Card payments are not set up for this venue",
        ),
        PaymentError::Refused { message, .. } => {
            tracing::error!(%message, "Stripe refused a request");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "payment_provider_error",
                "The payment provider refused the request",
            )
        }
        PaymentError::Unavailable(message) => {
            tracing::error!(%message, "Stripe is unavailable");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "payment_provider_unavailable",
                "The payment provider could not be reached; please try again",
            )
        }
    }
}
