//! The `mailer` worker: consumes mail jobs from SQS, renders them in Rust and sends them
//! through SES v2. A delivery takes a lease on its job that expires, and records SES's
//! message id once sent, so a redelivered job is sent once in practice (see
//! `marquee_store`'s mail module for the one window that can send twice); a job that fails is
//! reported in the batch response, retried by SQS, and after the queue's receive limit lands
//! in the dead-letter queue.

pub mod orders;
mod render;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use marquee_app::mail::{Delivered, DeliveryError, MailComposer, MailDelivery};
use marquee_app::ports::{PortError, SystemClock};
use marquee_platform::batch::isolated;
use marquee_platform::mail::{MailJob, MailMessage, OutgoingEmail, SesMailer};
use marquee_store::Store;
use std::sync::Arc;

pub use render::render;

#[derive(Clone)]
pub struct MailerState {
    pub store: Store,
    pub ses: SesMailer,
    /// Ticket-signing keys, read once per venue per instance.
    pub keys: marquee_platform::tickets::KeyCache,
    /// The tickets' fonts (the CJK one read from the documents bucket at the first PDF).
    pub fonts: marquee_platform::tickets::TicketFonts,
    /// Backs failed jobs off (exponentially) instead of retrying at the queue's visibility
    /// timeout; `None`: plain SQS retries.
    pub retry: Option<MailRetry>,
    /// Mailed tickets' letters: the print-and-mail provider, and this queue for the
    /// "in the post" notices; `None`: letter jobs fail (and are retried) until configured.
    pub letters: Option<Letters>,
}

/// What a letter job needs besides the state's store, keys and fonts.
#[derive(Clone)]
pub struct Letters {
    pub provider: Arc<dyn marquee_app::ports::PrintMail>,
    pub queue: marquee_platform::mail::MailQueue,
    /// Links in mail: `{host}` replaced by the venue's hostname.
    pub public_url_template: String,
}

/// Retries with backoff: a failed job is hidden for `base × 2^(attempt − 1)` seconds (at most
/// 15 minutes) before SQS delivers it again; after the queue's receive limit (5) it goes to
/// the dead-letter queue.
#[derive(Clone, Debug)]
pub struct MailRetry {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub base_seconds: u32,
}

/// Seconds to wait before the next attempt after the `attempt`-th (1-based) failed.
pub fn retry_delay(attempt: u32, base_seconds: u32) -> i32 {
    let factor = 1u64 << attempt.saturating_sub(1).min(20);
    let delay = u64::from(base_seconds).saturating_mul(factor).min(900);
    i32::try_from(delay).unwrap_or(900)
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the job is not a mail job: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("the message has no body")]
    Empty,
    #[error(transparent)]
    Store(#[from] marquee_store::StoreError),
    #[error(transparent)]
    Send(#[from] marquee_platform::mail::SendError),
    /// Reading what the mail is about, or making its tickets, failed.
    #[error(transparent)]
    Documents(#[from] marquee_app::ports::PortError),
    #[error("the job cannot be rendered: {0}")]
    Invalid(String),
    #[error("another delivery of the job is sending it")]
    Busy,
    #[error("the mail could not be delivered: {0}")]
    Delivery(PortError),
    #[error("no print-and-mail provider is configured")]
    NoPrintMail,
}

/// Sends every job of the batch; the ids of those that failed go back to SQS for a retry.
pub async fn send_mail_batch(state: &MailerState, event: SqsEvent) -> SqsBatchResponse {
    let delivery = delivery(state);
    let results = futures::future::join_all(
        event
            .records
            .iter()
            .map(|m| isolated(send_message(state, &delivery, m))),
    )
    .await;
    let mut response = SqsBatchResponse::default();
    for (message, result) in event.records.iter().zip(results) {
        if let Err(error) = result {
            let id = message.message_id.clone().unwrap_or_default();
            tracing::warn!(message_id = %id, error = ?error, "mail job failed; SQS will retry it");
            back_off(state, message).await;
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

/// Hides a failed message for its backoff delay.
async fn back_off(state: &MailerState, message: &SqsMessage) {
    let (Some(retry), Some(receipt)) = (&state.retry, &message.receipt_handle) else {
        return;
    };
    let attempt: u32 = message
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    if let Err(e) = retry
        .sqs
        .change_message_visibility()
        .queue_url(&retry.queue_url)
        .receipt_handle(receipt)
        .visibility_timeout(retry_delay(attempt, retry.base_seconds))
        .send()
        .await
    {
        tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), "could not delay the retry");
    }
}

async fn send_message(
    state: &MailerState,
    delivery: &MailDelivery<OutgoingEmail>,
    message: &SqsMessage,
) -> Result<(), MailError> {
    let job: MailJob = serde_json::from_str(message.body.as_deref().ok_or(MailError::Empty)?)?;
    if let MailMessage::PrintLetter { order_id } = &job.message {
        return send_letter(state, &job.tenant, order_id).await;
    }
    match delivery.deliver(&job).await {
        Ok(Delivered::Sent { message_id }) => {
            tracing::info!(job = %job.id, tenant = %job.tenant, %message_id, "mail sent");
            Ok(())
        }
        Ok(Delivered::AlreadySent { message_id }) => {
            tracing::info!(job = %job.id, %message_id, "mail job already sent; skipping the redelivery");
            Ok(())
        }
        Ok(Delivered::Dropped) => {
            tracing::warn!(job = %job.id, "mail job is about something that no longer exists; dropped");
            Ok(())
        }
        Err(DeliveryError::Busy) => Err(MailError::Busy),
        Err(DeliveryError::Port(e)) => Err(MailError::Delivery(e)),
    }
}

/// A mailed order's letter to the print-and-mail provider, once (`LetterFulfilment`); a
/// failure leaves the order "mail pending" and fails the job, so SQS brings it back.
async fn send_letter(
    state: &MailerState,
    tenant: &marquee_domain::TenantId,
    order: &marquee_domain::OrderId,
) -> Result<(), MailError> {
    let letters = state.letters.as_ref().ok_or(MailError::NoPrintMail)?;
    let Some(venue) = state.store.venue(tenant).await? else {
        return Ok(());
    };
    let catalog = marquee_platform::services::sale_catalog(&state.store);
    let fulfilment = marquee_app::printmail::LetterFulfilment::new(
        Arc::new(state.store.clone()),
        Arc::new(LetterPdf(state.clone())),
        letters.provider.clone(),
        Arc::new(marquee_app::delivery::TicketDelivery::new(
            catalog,
            Arc::new(letters.queue.clone()),
            letters.public_url_template.clone(),
        )),
        Arc::new(SystemClock),
    );
    let outcome = fulfilment
        .send_letter(
            tenant,
            order,
            &venue.settings.name,
            venue.settings.mail.return_address.clone(),
        )
        .await
        .map_err(MailError::Delivery)?;
    tracing::info!(%tenant, %order, ?outcome, "letter job done");
    Ok(())
}

/// The US Letter PDF of an order's tickets, rendered here (keys and fonts of this worker).
struct LetterPdf(MailerState);

#[async_trait::async_trait]
impl marquee_app::ports::LetterRenderer for LetterPdf {
    async fn render_letter(
        &self,
        tenant: &marquee_domain::TenantId,
        order: &marquee_store::OrderRecord,
    ) -> Result<Vec<u8>, PortError> {
        let state = &self.0;
        let venue = state
            .store
            .venue(tenant)
            .await?
            .ok_or_else(|| PortError::new("letter", "the order's venue is gone"))?;
        let performances =
            marquee_platform::tickets::performances_of(&state.store, &venue, order).await?;
        let key = state.keys.get(&state.store, tenant).await?;
        let fonts = state.fonts.get().await;
        let order = order.clone();
        tokio::task::spawn_blocking(move || {
            marquee_platform::tickets::order_letter_pdf(&key, &fonts, &venue, &order, &performances)
        })
        .await
        .map_err(|e| PortError::new("letter", e.to_string()))?
    }
}

/// The mail service over this worker's adapters: leases in DynamoDB, rendering here, SES.
fn delivery(state: &MailerState) -> MailDelivery<OutgoingEmail> {
    MailDelivery::new(
        Arc::new(state.store.clone()),
        Arc::new(Composer(state.clone())),
        Arc::new(state.ses.clone()),
        Arc::new(SystemClock),
    )
}

struct Composer(MailerState);

#[async_trait::async_trait]
impl MailComposer<OutgoingEmail> for Composer {
    async fn compose(&self, job: &MailJob) -> Result<Option<OutgoingEmail>, PortError> {
        compose(&self.0, job).await.map_err(|e| match e {
            MailError::Documents(e) | MailError::Delivery(e) => e,
            MailError::Store(e) => e.into(),
            other => PortError::new("mail rendering", other.to_string()),
        })
    }
}

/// Renders a job, reading what it is about. `None`: nothing to send any more.
async fn compose(state: &MailerState, job: &MailJob) -> Result<Option<OutgoingEmail>, MailError> {
    match &job.message {
        MailMessage::StaffInvitation { .. } | MailMessage::PasswordReset { .. } => {
            Ok(render(&job.message))
        }
        MailMessage::OrderConfirmation { order_id, view_url } => {
            let Some(mail) = orders::load(&state.store, &job.tenant, order_id).await? else {
                return Ok(None);
            };
            let key = state.keys.get(&state.store, &job.tenant).await?;
            // The PDF's QR codes are CPU work: on the blocking pool, so a batch renders on
            // every core of the instance while other jobs wait on SES.
            let fonts = state.fonts.get().await;
            let view_url = view_url.clone();
            tokio::task::spawn_blocking(move || {
                orders::confirmation(&mail, &view_url, &key, &fonts)
            })
            .await
            .map_err(|e| MailError::Invalid(e.to_string()))?
            .map(Some)
        }
        MailMessage::OrderRefunded {
            order_id,
            refund_id,
            view_url,
        } => {
            let Some(mail) = orders::load(&state.store, &job.tenant, order_id).await? else {
                return Ok(None);
            };
            orders::refund_notice(&mail, refund_id, view_url).map(Some)
        }
        MailMessage::PaymentLink { order_id, pay_url } => {
            let Some(mail) = orders::load(&state.store, &job.tenant, order_id).await? else {
                return Ok(None);
            };
            Ok(orders::payment_link_notice(&mail, pay_url))
        }
        // Not an email: handled before the mail delivery (`send_letter`).
        MailMessage::PrintLetter { .. } => Ok(None),
        MailMessage::TicketsPosted { order_id, view_url } => {
            let Some(mail) = orders::load(&state.store, &job.tenant, order_id).await? else {
                return Ok(None);
            };
            orders::posted_notice(&mail, view_url).map(Some)
        }
        MailMessage::PerformanceMoved {
            order_id,
            performance_id,
            was,
            view_url,
        } => {
            let Some(mail) = orders::load(&state.store, &job.tenant, order_id).await? else {
                return Ok(None);
            };
            // Refunded since, or the performance is gone: nothing to tell.
            Ok(orders::moved_notice(&mail, performance_id, *was, view_url))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn retries_back_off_exponentially_up_to_fifteen_minutes() {
        let delays: Vec<i32> = (1..=5).map(|n| retry_delay(n, 30)).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480]);
        assert_eq!(retry_delay(6, 30), 900);
        assert_eq!(retry_delay(40, 30), 900);
        assert_eq!(retry_delay(0, 30), 30);
    }
}
