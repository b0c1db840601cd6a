//! Mail: the job contract between the functions that ask for mail and the `mailer` that
//! renders and sends it, the SQS producer for those jobs, and the SES v2 sender.

use crate::ApiError;
use marquee_domain::{Email, OrderId, Role, TenantId};
use serde::{Deserialize, Serialize};

/// One email to render and send. `id` makes redelivery harmless (see `claim_mail_job`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailJob {
    pub id: String,
    pub tenant: TenantId,
    pub message: MailMessage,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum MailMessage {
    StaffInvitation {
        to: Email,
        venue_name: String,
        role: Role,
        accept_url: String,
        code: String,
    },
    /// The order is paid: its tickets and where to see them again. The mailer reads the order.
    OrderConfirmation { order_id: OrderId, view_url: String },
    /// Money went back to the patron (a refund by staff, or a payment that could not be
    /// fulfilled).
    OrderRefunded {
        order_id: OrderId,
        refund_id: String,
        view_url: String,
    },
}

impl std::fmt::Debug for MailMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::StaffInvitation { role, .. } => write!(f, "StaffInvitation({role})"),
            Self::OrderConfirmation { order_id, .. } => write!(f, "OrderConfirmation({order_id})"),
            Self::OrderRefunded { order_id, .. } => write!(f, "OrderRefunded({order_id})"),
        }
    }
}

impl MailJob {
    pub fn new(tenant: TenantId, message: MailMessage) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            tenant,
            message,
        }
    }

    /// A job that must go out once however often it is asked for (a retried webhook asks
    /// again): the id is derived from what it is about, so the mailer's claim dedupes it.
    pub fn once(tenant: TenantId, id: String, message: MailMessage) -> Self {
        Self {
            id,
            tenant,
            message,
        }
    }
}

/// Puts mail jobs on the mail queue.
#[derive(Clone, Debug)]
pub struct MailQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl MailQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    pub async fn enqueue(&self, job: &MailJob) -> Result<(), ApiError> {
        let body = serde_json::to_string(job).map_err(ApiError::internal)?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| {
                ApiError::internal(format!(
                    "mail queue: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                ))
            })?;
        Ok(())
    }
}

/// A rendered email.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub from_name: String,
    pub reply_to: Option<Email>,
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
#[error("SES refused the message: {0}")]
pub struct SendError(pub String);

/// Sends mail through SES v2 from `{local}@{sender domain}` (the one verified identity).
#[derive(Clone, Debug)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    sender_domain: String,
}

impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, sender_domain: impl Into<String>) -> Self {
        Self {
            client,
            sender_domain: sender_domain.into(),
        }
    }

    pub async fn send(&self, mail: &OutgoingEmail) -> Result<String, SendError> {
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
        let content = |text: &str| {
            Content::builder()
                .data(text)
                .charset("UTF-8")
                .build()
                .map_err(|e| SendError(e.to_string()))
        };
        let message = Message::builder()
            .subject(content(&mail.subject)?)
            .body(
                Body::builder()
                    .text(content(&mail.text)?)
                    .html(content(&mail.html)?)
                    .build(),
            )
            .build();
        // Display names are quoted; quotes and backslashes inside are dropped rather than escaped.
        let display: String = mail
            .from_name
            .chars()
            .filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n'))
            .collect();
        let out = self
            .client
            .send_email()
            .from_email_address(format!("\"{display}\" <no-reply@{}>", self.sender_domain))
            .destination(
                Destination::builder()
                    .to_addresses(mail.to.as_str())
                    .build(),
            )
            .set_reply_to_addresses(mail.reply_to.as_ref().map(|r| vec![r.to_string()]))
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| SendError(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()))?;
        Ok(out.message_id.unwrap_or_default())
    }
}
