//! The `reconcile` function: on a schedule (EventBridge, every 15 minutes), every Stripe
//! PaymentIntent that succeeded within the look-back window and whose order is neither
//! fulfilled nor refunded is completed through the same idempotent sale as the webhook
//! (`marquee_app::reconcile`). It is the safety net for webhooks that never arrived or whose
//! every delivery failed; the report is logged as one line.

use marquee_app::ports::{PaymentAccount, PaymentError};
use marquee_app::reconcile::{ReconcileReport, Reconciliation};
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::Payments;
use marquee_platform::services;
use marquee_store::Store;
use std::sync::Arc;

/// How far back a run looks by default: Stripe retries a webhook for three days.
pub const DEFAULT_LOOKBACK_DAYS: i64 = 3;

pub struct ReconcileState {
    pub reconciliation: Arc<Reconciliation>,
    pub lookback_days: i64,
}

impl ReconcileState {
    /// `public_url_template`: links in the mail a completed sale sends.
    pub fn new(
        store: &Store,
        payments: Payments,
        mail: MailQueue,
        public_url_template: &str,
        lookback_days: i64,
    ) -> Self {
        let sales = services::sales(
            store,
            services::sale_catalog(store),
            payments.clone(),
            mail,
            public_url_template,
        );
        Self {
            reconciliation: services::reconciliation(store, sales, payments),
            lookback_days,
        }
    }
}

/// One run over the platform's account (each venue's connected account once payment
/// agreements land), logged as one line.
pub async fn reconcile_payments(state: &ReconcileState) -> Result<ReconcileReport, PaymentError> {
    let account = PaymentAccount::Platform;
    let report = state
        .reconciliation
        .reconcile(account, chrono::Duration::days(state.lookback_days))
        .await
        .inspect_err(
            |e| tracing::error!(error = %e, "reconciliation could not list the payments"),
        )?;
    report.log(account, state.lookback_days);
    Ok(report)
}

/// `RECONCILE_LOOKBACK_DAYS`, or the default.
pub fn lookback_days_from_env() -> i64 {
    std::env::var("RECONCILE_LOOKBACK_DAYS")
        .ok()
        .and_then(|days| days.parse().ok())
        .filter(|days| *days > 0)
        .unwrap_or(DEFAULT_LOOKBACK_DAYS)
}
