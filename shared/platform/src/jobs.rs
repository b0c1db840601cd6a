//! The hold-expiry job: sent with every hold, delayed by the hold's duration, so the
//! `hold-expiry` worker can clean up after the deadline. Correctness never waits for it:
//! an expired hold is already free to every reader and writer.

#[cfg(feature = "sqs")]
use marquee_app::ports::PortError;

/// SQS delays a message by at most 15 minutes.
pub const MAX_DELAY_SECONDS: i64 = 900;

pub use marquee_app::jobs::HoldExpiryJob;

#[cfg(feature = "sqs")]
#[derive(Clone, Debug)]
pub struct HoldExpiryQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

#[cfg(feature = "sqs")]
impl HoldExpiryQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    /// Enqueues the job to arrive about two seconds after `expires_at` (or after 15 minutes, whichever is
    /// sooner; the worker sends it on again if the hold was extended meanwhile).
    pub async fn schedule(&self, job: &HoldExpiryJob, now_ms: i64) -> Result<(), PortError> {
        // Rounded up, plus a margin, so the job never arrives before the deadline.
        let delay = ((job.expires_at - now_ms + 999) / 1000 + 2).clamp(0, MAX_DELAY_SECONDS);
        let body =
            serde_json::to_string(job).map_err(|e| PortError::new("hold-expiry queue", e))?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .delay_seconds(i32::try_from(delay).unwrap_or(900))
            .send()
            .await
            .map_err(|e| PortError::transient("hold-expiry queue", e))?;
        Ok(())
    }
}

#[cfg(feature = "sqs")]
#[async_trait::async_trait]
impl marquee_app::ports::HoldExpiryQueue for HoldExpiryQueue {
    async fn schedule(&self, job: &HoldExpiryJob, now_ms: i64) -> Result<(), PortError> {
        HoldExpiryQueue::schedule(self, job, now_ms).await
    }
}
