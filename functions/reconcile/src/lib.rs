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
    /// Where the venues' connected accounts are listed.
    pub store: Store,
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
            store: store.clone(),
            lookback_days,
        }
    }
}

/// One run over every venue's connected account (where their card payments are made) and
/// the platform's own (payments from before payment agreements), each logged as one line;
/// the reports summed. An account whose payments cannot be listed is logged and skipped (the
/// next run tries again); the run fails only when nothing could be listed.
pub async fn reconcile_payments(state: &ReconcileState) -> Result<ReconcileReport, PaymentError> {
    let lookback = chrono::Duration::days(state.lookback_days);
    let connected = state.store.connected_accounts().await.map_err(|e| {
        tracing::error!(error = %e, "reconciliation could not list the connected accounts");
        PaymentError::Unavailable(e.to_string())
    })?;
    let accounts: Vec<PaymentAccount<'_>> = std::iter::once(PaymentAccount::Platform)
        .chain(
            connected
                .iter()
                .map(|(account, _)| PaymentAccount::Connected(account)),
        )
        .collect();
    let mut total = ReconcileReport::default();
    let mut last_error = None;
    let mut listed = 0;
    for account in accounts {
        match state.reconciliation.reconcile(account, lookback).await {
            Ok(report) => {
                report.log(account, state.lookback_days);
                total.add(&report);
                listed += 1;
            }
            Err(e) => {
                tracing::error!(?account, error = %e, "reconciliation could not list the payments");
                last_error = Some(e);
            }
        }
    }
    match (listed, last_error) {
        (0, Some(e)) => Err(e),
        _ => Ok(total),
    }
}

/// `RECONCILE_LOOKBACK_DAYS`, or the default.
pub fn lookback_days_from_env() -> i64 {
    std::env::var("RECONCILE_LOOKBACK_DAYS")
        .ok()
        .and_then(|days| days.parse().ok())
        .filter(|days| *days > 0)
        .unwrap_or(DEFAULT_LOOKBACK_DAYS)
}
