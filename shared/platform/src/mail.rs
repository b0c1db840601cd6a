//! Mail: the job contract between the functions that ask for mail and the `mailer` that
//! renders and sends it, the SQS producer for those jobs, and the SES v2 sender.

#[cfg(feature = "ses")]
use mail_builder::MessageBuilder;
#[cfg(feature = "ses")]
use mail_builder::headers::address::Address;
#[cfg(feature = "ses")]
use mail_builder::headers::content_type::ContentType;
#[cfg(feature = "ses")]
use mail_builder::headers::date::Date;
#[cfg(feature = "sqs")]
use marquee_app::ports::PortError;
use marquee_domain::Email;

pub use marquee_app::jobs::{MailJob, MailMessage};

/// Puts mail jobs on the mail queue.
#[cfg(feature = "sqs")]
#[derive(Clone, Debug)]
pub struct MailQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

#[cfg(feature = "sqs")]
impl MailQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    pub async fn enqueue(&self, job: &MailJob) -> Result<(), PortError> {
        let body = serde_json::to_string(job).map_err(|e| PortError::new("mail queue", e))?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| PortError::transient("mail queue", e))?;
        Ok(())
    }
}

#[cfg(feature = "sqs")]
#[async_trait::async_trait]
impl marquee_app::ports::MailQueue for MailQueue {
    async fn enqueue(&self, job: &MailJob) -> Result<(), PortError> {
        MailQueue::enqueue(self, job).await
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
    pub attachments: Vec<Attachment>,
}

/// A file sent with an email (ticket PDF, calendar entry).
#[derive(Clone)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Attachment({}, {} bytes)",
            self.filename,
            self.data.len()
        )
    }
}

/// The one address mail is sent from: `no-reply` at the verified SES identity.
#[cfg(feature = "ses")]
fn sender_address(sender_domain: &str) -> String {
    format!("no-reply@{sender_domain}")
}

/// An attachment's `Content-Type`: the caller's media type with its parameters (such as
/// `text/calendar; charset=UTF-8; method=PUBLISH`), plus `name` for the mail clients that
/// read the file name there rather than in `Content-Disposition`.
#[cfg(feature = "ses")]
fn attachment_content_type(attachment: &Attachment) -> ContentType<'_> {
    let mut fields = attachment.content_type.split(';');
    let media_type = fields.next().unwrap_or_default().trim();
    let media_type = if media_type.is_empty() {
        "application/octet-stream"
    } else {
        media_type
    };
    fields
        .filter_map(|field| field.split_once('='))
        .fold(
            ContentType::new(media_type),
            |content_type, (key, value)| {
                content_type.attribute(key.trim(), value.trim().trim_matches('"'))
            },
        )
        .attribute("name", attachment.filename.as_str())
}

/// The whole message as MIME, ready for SES as raw content: From (`no-reply@{sender_domain}`
/// under the mail's display name), To, Reply-To when set, Subject, Date, a Message-ID
/// `<{ulid}@{sender_domain}>`, a multipart/alternative with the text and HTML, and every
/// attachment. `mail-builder` encodes whatever needs it (RFC 2047 headers, RFC 2231 file names,
/// quoted-printable or base64 bodies), so any UTF-8 text and binary file is safe on the wire.
#[cfg(feature = "ses")]
pub fn mime_message(sender_domain: &str, mail: &OutgoingEmail) -> Vec<u8> {
    let from_name = mail.from_name.trim();
    let mut message = MessageBuilder::new()
        .from(Address::new_address(
            (!from_name.is_empty()).then_some(from_name),
            sender_address(sender_domain),
        ))
        .to(mail.to.as_str())
        .subject(mail.subject.as_str())
        .date(Date::now())
        .message_id(format!("{}@{sender_domain}", ulid::Ulid::new()))
        .text_body(mail.text.as_str())
        .html_body(mail.html.as_str());
    if let Some(reply_to) = &mail.reply_to {
        message = message.reply_to(reply_to.as_str());
    }
    for attachment in &mail.attachments {
        message = message.attachment(
            attachment_content_type(attachment),
            attachment.filename.as_str(),
            attachment.data.as_slice(),
        );
    }
    let mut raw = Vec::new();
    message.serialize(&mut raw);
    raw
}

#[cfg(feature = "ses")]
#[derive(Debug, thiserror::Error)]
#[error("SES refused the message: {0}")]
pub struct SendError(pub String);

/// The application layer's mail transport: SES (a refusal is worth retrying later: SES
/// throttles and has brief outages; the job's retries and dead-letter queue bound it).
#[cfg(feature = "ses")]
#[async_trait::async_trait]
impl marquee_app::mail::MailTransport<OutgoingEmail> for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, marquee_app::ports::PortError> {
        SesMailer::send(self, email)
            .await
            .map_err(|e| marquee_app::ports::PortError::transient("SES", e))
    }
}

/// Sends mail through SES v2 from `{local}@{sender domain}` (the one verified identity).
#[cfg(feature = "ses")]
#[derive(Clone, Debug)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    sender_domain: String,
}

#[cfg(feature = "ses")]
impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, sender_domain: impl Into<String>) -> Self {
        Self {
            client,
            sender_domain: sender_domain.into(),
        }
    }

    pub async fn send(&self, mail: &OutgoingEmail) -> Result<String, SendError> {
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, RawMessage};
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
        let from = format!("\"{display}\" <{}>", sender_address(&self.sender_domain));
        let content = if mail.attachments.is_empty() {
            EmailContent::builder().simple(message).build()
        } else {
            let raw = mime_message(&self.sender_domain, mail);
            EmailContent::builder()
                .raw(
                    RawMessage::builder()
                        .data(aws_sdk_sesv2::primitives::Blob::new(raw))
                        .build()
                        .map_err(|e| SendError(e.to_string()))?,
                )
                .build()
        };
        let out = self
            .client
            .send_email()
            .from_email_address(from)
            .destination(
                Destination::builder()
                    .to_addresses(mail.to.as_str())
                    .build(),
            )
            .set_reply_to_addresses(mail.reply_to.as_ref().map(|r| vec![r.to_string()]))
            .content(content)
            .send()
            .await
            .map_err(|e| SendError(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()))?;
        Ok(out.message_id.unwrap_or_default())
    }
}

#[cfg(all(test, feature = "ses"))]
mod tests;
