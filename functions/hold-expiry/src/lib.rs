//! The `hold-expiry` worker. Every minute (an EventBridge schedule) it sweeps the carts whose
//! next hold has ended (`marquee_app::holds::Holds::sweep`): it releases the holds that are
//! still expired and still the cart's, gives places back to general-admission counters,
//! files carts that still hold something for their next hold's end, and marks carts whose
//! holds ran out as expired. Holds send no message; jobs already on the hold-expiry queue
//! (sent before the sweep) are still honoured, each cleaning up its cart the same way.
//! Redelivered or late jobs and overlapping sweeps are harmless. A job that fails is
//! reported as a partial batch failure: SQS retries it alone, then the DLQ.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use marquee_app::holds::Holds;
use marquee_app::jobs::HoldExpiryJob;
use marquee_app::ports::PortError;
use marquee_platform::batch::isolated;
use marquee_platform::services;
use marquee_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct ExpiryState {
    pub holds: Arc<Holds>,
}

impl ExpiryState {
    pub fn new(store: Store) -> Self {
        Self {
            holds: services::holds(&store, services::sale_catalog(&store)),
        }
    }
}

/// The function's two triggers: a batch from the hold-expiry queue (answered with its
/// partial failures) or anything else — the EventBridge schedule's event — a sweep.
pub async fn handle_event(
    state: &ExpiryState,
    payload: serde_json::Value,
) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
    if payload.get("Records").is_some() {
        let batch: SqsEvent = serde_json::from_value(payload)?;
        let response = release_expired_holds(state, batch).await;
        return Ok(serde_json::to_value(response)?);
    }
    sweep(state).await?;
    Ok(serde_json::Value::Null)
}

/// The scheduled sweep; an error once every due cart was tried (the ones that failed stay
/// due, and the next sweep tries them again).
pub async fn sweep(state: &ExpiryState) -> Result<(), PortError> {
    let report = state.holds.sweep().await?;
    if report.carts > 0 {
        tracing::info!(
            carts = report.carts,
            released = report.released,
            expired = report.carts_expired,
            "expired holds swept"
        );
    }
    Ok(())
}

/// Why one job failed (it is retried alone).
#[derive(Debug, thiserror::Error)]
pub enum ExpiryError {
    #[error("the job is not a hold-expiry job")]
    Malformed(#[from] serde_json::Error),
    #[error("the message has no body")]
    Empty,
    #[error("releasing the holds failed")]
    Release(#[from] PortError),
}

pub async fn release_expired_holds(state: &ExpiryState, event: SqsEvent) -> SqsBatchResponse {
    let results =
        futures::future::join_all(event.records.iter().map(|m| isolated(process(state, m)))).await;
    let mut response = SqsBatchResponse::default();
    for (message, result) in event.records.iter().zip(results) {
        if let Err(error) = result {
            let id = message.message_id.clone().unwrap_or_default();
            tracing::warn!(message_id = %id, error = ?error, "hold-expiry job failed; SQS will retry it");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn process(state: &ExpiryState, message: &SqsMessage) -> Result<(), ExpiryError> {
    let job: HoldExpiryJob =
        serde_json::from_str(message.body.as_deref().ok_or(ExpiryError::Empty)?)?;
    let sweep = state.holds.release_expired(&job).await?;
    if sweep.released > 0 {
        tracing::info!(tenant = %job.tenant, cart = %job.cart_id, released = sweep.released, "expired holds released");
    }
    Ok(())
}
