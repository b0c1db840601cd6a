//! Reconciliation: the safety net under the webhook, as Stripe's own guidance has it. Every
//! PaymentIntent that succeeded in the last days is compared with its order; one whose order
//! is neither fulfilled nor refunded (its webhook never arrived, or every delivery failed) is
//! completed through the same idempotent sale as the webhook ([`Sales::complete_payment`],
//! keyed by the PaymentIntent), so running it while the webhook is being handled, or twice,
//! changes nothing.
//!
//! It runs per provider account: each venue's connected account ([`PaymentAccount::Connected`]),
//! where its card payments are made (direct charges), and the platform's own for payments
//! made before payment agreements. A payment is only ever matched with an order whose payment
//! is on the same account.

use crate::ports::Clock;
use crate::ports::{OrderStore, PaymentAccount, PaymentError, Payments, SucceededPayment};
use crate::sales::{PaymentOutcome, PaymentReceived, Sales};
use futures::StreamExt;
use marquee_domain::{OrderId, OrderStatus, TenantId};
use std::sync::Arc;

/// How many payments are checked at once.
const CONCURRENCY: usize = 8;

/// What a run found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReconcileReport {
    /// Succeeded payments looked at.
    pub checked: usize,
    /// Their order was fulfilled or refunded already (by the webhook, or a run before).
    pub already_fine: usize,
    /// Completed now: the order is paid and its tickets issued and sent.
    pub fixed: usize,
    /// Completed now by giving the money back (the seats were lost, the show cancelled, the
    /// checkout replaced, …).
    pub refunded: usize,
    /// Not ours (no order in the metadata) or the order does not exist: a person must look.
    pub unmatched: usize,
    /// Could not be completed this time (a store or provider failure): the next run retries.
    pub failed: usize,
}

impl ReconcileReport {
    /// Adds another account's figures.
    pub fn add(&mut self, other: &ReconcileReport) {
        self.checked += other.checked;
        self.already_fine += other.already_fine;
        self.fixed += other.fixed;
        self.refunded += other.refunded;
        self.unmatched += other.unmatched;
        self.failed += other.failed;
    }

    /// Writes the report as one structured line.
    pub fn log(&self, account: PaymentAccount<'_>, lookback_days: i64) {
        let account = match account {
            PaymentAccount::Platform => "platform",
            PaymentAccount::Connected(id) => id,
        };
        if self.failed > 0 || self.unmatched > 0 {
            tracing::warn!(
                account,
                lookback_days,
                checked = self.checked,
                already_fine = self.already_fine,
                fixed = self.fixed,
                refunded = self.refunded,
                unmatched = self.unmatched,
                failed = self.failed,
                "reconciliation"
            );
        } else {
            tracing::info!(
                account,
                lookback_days,
                checked = self.checked,
                already_fine = self.already_fine,
                fixed = self.fixed,
                refunded = self.refunded,
                unmatched = self.unmatched,
                failed = self.failed,
                "reconciliation"
            );
        }
    }
}

/// What became of one payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    AlreadyFine,
    Fixed,
    Refunded,
    Unmatched,
    Failed,
}

pub struct Reconciliation {
    sales: Arc<Sales>,
    orders: Arc<dyn OrderStore>,
    payments: Arc<dyn Payments>,
    clock: Arc<dyn Clock>,
}

impl Reconciliation {
    pub fn new(
        sales: Arc<Sales>,
        orders: Arc<dyn OrderStore>,
        payments: Arc<dyn Payments>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            sales,
            orders,
            payments,
            clock,
        }
    }

    /// Completes every payment of `account` that succeeded within the last `lookback` and
    /// whose order is neither fulfilled nor refunded. Fails only when the provider cannot list
    /// the payments; a payment that cannot be completed is counted and left for the next run.
    pub async fn reconcile(
        &self,
        account: PaymentAccount<'_>,
        lookback: chrono::Duration,
    ) -> Result<ReconcileReport, PaymentError> {
        let since = self.clock.now() - lookback;
        let payments = self.payments.succeeded_payments(account, since).await?;
        let mut report = ReconcileReport {
            checked: payments.len(),
            ..ReconcileReport::default()
        };
        // Owned items: a future borrowing from the list would not be `Send` for every lifetime.
        let verdicts: Vec<Verdict> = futures::stream::iter(payments)
            .map(|payment| async move { self.settle(account_id(account), &payment).await })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for verdict in verdicts {
            match verdict {
                Verdict::AlreadyFine => report.already_fine += 1,
                Verdict::Fixed => report.fixed += 1,
                Verdict::Refunded => report.refunded += 1,
                Verdict::Unmatched => report.unmatched += 1,
                Verdict::Failed => report.failed += 1,
            }
        }
        Ok(report)
    }

    /// One payment: looked up, and completed if its order is not settled.
    async fn settle(&self, account: Option<&str>, payment: &SucceededPayment) -> Verdict {
        let target = payment
            .metadata
            .get("tenant")
            .and_then(|t| TenantId::parse(t).ok())
            .zip(
                payment
                    .metadata
                    .get("order_id")
                    .and_then(|o| OrderId::parse(o).ok()),
            );
        let Some((tenant, order_id)) = target else {
            tracing::warn!(payment_intent = %payment.payment_intent, "a succeeded payment names no order");
            return Verdict::Unmatched;
        };
        let order = match self.orders.order(&tenant, &order_id).await {
            Ok(Some(order)) => order,
            Ok(None) => {
                tracing::warn!(payment_intent = %payment.payment_intent, order = %order_id, "a succeeded payment's order does not exist");
                return Verdict::Unmatched;
            }
            Err(e) => {
                tracing::error!(order = %order_id, error = ?e, "reconciliation could not read an order");
                return Verdict::Failed;
            }
        };
        if order.stripe_account.as_deref() != account {
            // Metadata naming another venue's order: never settled from this account.
            tracing::warn!(payment_intent = %payment.payment_intent, order = %order_id, "a succeeded payment names an order whose payment is on another account");
            return Verdict::Unmatched;
        }
        let this_intent = order
            .payment_intent
            .as_deref()
            .is_none_or(|pi| pi == payment.payment_intent);
        let settled = if this_intent {
            matches!(
                order.status,
                OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded
            )
        } else {
            // A payment on an intent the order no longer uses buys nothing: settled once it
            // went back whole.
            payment.amount_refunded >= payment.amount
        };
        if settled {
            return Verdict::AlreadyFine;
        }
        let received = PaymentReceived {
            payment_intent: &payment.payment_intent,
            amount: payment.amount,
            currency: &payment.currency,
        };
        match self
            .sales
            .complete_payment(&tenant, &order_id, &received)
            .await
        {
            Ok(PaymentOutcome::Sold) => {
                tracing::warn!(order = %order_id, payment_intent = %payment.payment_intent, "reconciliation fulfilled a paid order the webhook had not");
                Verdict::Fixed
            }
            Ok(PaymentOutcome::Refunded { reason }) => {
                tracing::warn!(order = %order_id, payment_intent = %payment.payment_intent, reason, "reconciliation refunded a paid order that could not be fulfilled");
                Verdict::Refunded
            }
            // The webhook finished it meanwhile.
            Ok(PaymentOutcome::AlreadyDone) => Verdict::AlreadyFine,
            Ok(PaymentOutcome::Ignored) => Verdict::Unmatched,
            Err(e) => {
                tracing::error!(order = %order_id, error = ?e, "reconciliation could not complete a paid order");
                Verdict::Failed
            }
        }
    }
}

fn account_id(account: PaymentAccount<'_>) -> Option<&str> {
    match account {
        PaymentAccount::Platform => None,
        PaymentAccount::Connected(id) => Some(id),
    }
}

#[cfg(test)]
mod tests;
