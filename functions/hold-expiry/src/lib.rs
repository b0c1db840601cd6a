//! The `hold-expiry` worker: each hold sends a job delayed by its duration; this worker then
//! deletes holds that are still expired and still belong to that cart, gives the places back
//! to general-admission counters, and marks carts with nothing left as expired. Redelivered
//! or late jobs are harmless: a hold already released is skipped, a seat someone else took
//! after the deadline is left alone. Failures are retried by SQS and end in the DLQ.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::Utc;
use marquee_platform::jobs::{HoldExpiryJob, HoldExpiryQueue};
use marquee_store::{HoldError, Store, StoreError};

#[derive(Clone)]
pub struct ExpiryState {
    pub store: Store,
    /// To send a job on when its holds were extended (checkout) past the delay.
    pub queue: HoldExpiryQueue,
}

#[derive(Debug, thiserror::Error)]
pub enum ExpiryError {
    #[error("the job is not a hold-expiry job: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("the message has no body")]
    Empty,
    #[error(transparent)]
    Hold(#[from] HoldError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("re-scheduling failed: {0}")]
    Schedule(String),
}

pub async fn release_expired_holds(state: &ExpiryState, event: SqsEvent) -> SqsBatchResponse {
    let results = futures::future::join_all(event.records.iter().map(|m| process(state, m))).await;
    let mut response = SqsBatchResponse::default();
    for (message, result) in event.records.iter().zip(results) {
        if let Err(error) = result {
            let id = message.message_id.clone().unwrap_or_default();
            tracing::warn!(message_id = %id, %error, "hold-expiry job failed; SQS will retry it");
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
    let now = Utc::now().timestamp_millis();
    let mut extended = Vec::new();
    let mut released = 0usize;
    for hold_id in &job.hold_ids {
        let Some(hold) = state.store.hold(&job.tenant, &job.cart_id, hold_id).await? else {
            continue; // released by the patron, sold, or handled by an earlier delivery
        };
        if hold.expires_at > now {
            extended.push((hold_id.clone(), hold.expires_at));
            continue;
        }
        match state
            .store
            .release_hold(
                &job.tenant,
                &job.cart_id,
                &hold,
                marquee_store::ReleaseBy::Expiry,
                now,
            )
            .await
        {
            Ok(()) => released += 1,
            // Gone meanwhile (released, sold, or another delivery of this job).
            Err(HoldError::Store(StoreError::ConditionFailed) | HoldError::CartNotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(latest) = extended.iter().map(|(_, at)| *at).max() {
        let job = HoldExpiryJob {
            hold_ids: extended.into_iter().map(|(id, _)| id).collect(),
            expires_at: latest,
            ..job.clone()
        };
        state
            .queue
            .schedule(&job, now)
            .await
            .map_err(|e| ExpiryError::Schedule(e.message))?;
    } else if released > 0
        && let Some((_, holds)) = state.store.cart(&job.tenant, &job.cart_id).await?
        && holds.iter().all(|h| h.expires_at <= now)
    {
        state.store.expire_cart(&job.tenant, &job.cart_id).await?;
    }
    if released > 0 {
        tracing::info!(tenant = %job.tenant, cart = %job.cart_id, released, "expired holds released");
    }
    Ok(())
}
