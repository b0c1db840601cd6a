//! The `hold-expiry` worker: each hold sends a job delayed by its duration; the hold service
//! (`marquee_app::holds::Holds::release_expired`) then releases the holds that are still
//! expired and still the cart's, gives places back to general-admission counters, and marks
//! carts with nothing left as expired. Redelivered or late jobs are harmless. A job that
//! fails is reported as a partial batch failure: SQS retries it alone, then the DLQ.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use marquee_app::holds::Holds;
use marquee_app::jobs::HoldExpiryJob;
use marquee_app::ports::PortError;
use marquee_platform::batch::isolated;
use marquee_platform::jobs::HoldExpiryQueue;
use marquee_platform::services;
use marquee_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct ExpiryState {
    pub holds: Arc<Holds>,
}

impl ExpiryState {
    /// `queue` is where a job goes on when its holds were extended (checkout) past it.
    pub fn new(store: Store, queue: HoldExpiryQueue) -> Self {
        Self {
            holds: services::holds(&store, services::sale_catalog(&store), queue),
        }
    }
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
