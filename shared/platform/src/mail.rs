//! Mail: the job contract between the functions that ask for mail and the `mailer` that
//! renders and sends it, the SQS producer for those jobs, and the SES v2 sender.

use marquee_app::ports::PortError;
use marquee_domain::Email;

pub use marquee_app::jobs::{MailJob, MailMessage};

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

/// Base64 in lines of 76 characters, as MIME wants.
fn base64_lines(data: &[u8]) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38);
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// An RFC 2047 encoded word, so any subject or name survives the ASCII-only header.
fn encoded_word(text: &str) -> String {
    use base64::Engine;
    format!(
        "=?UTF-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

/// A header parameter value with nothing that could end the header or the quoted string.
fn safe_filename(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect()
}

/// The whole message as MIME: multipart/mixed with a multipart/alternative (text and HTML)
/// and the attachments, every part base64 so any UTF-8 text and binary file is safe.
pub fn mime_message(from: &str, mail: &OutgoingEmail, boundary_seed: &str) -> String {
    let mixed = format!("mixed-{boundary_seed}");
    let alternative = format!("alt-{boundary_seed}");
    let mut m = String::new();
    m.push_str(&format!("From: {from}\r\n"));
    m.push_str(&format!("To: {}\r\n", mail.to.as_str()));
    if let Some(reply_to) = &mail.reply_to {
        m.push_str(&format!("Reply-To: {}\r\n", reply_to.as_str()));
    }
    m.push_str(&format!("Subject: {}\r\n", encoded_word(&mail.subject)));
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{mixed}\"\r\n\r\n"
    ));
    m.push_str(&format!("--{mixed}\r\n"));
    m.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{alternative}\"\r\n\r\n"
    ));
    for (kind, body) in [("text/plain", &mail.text), ("text/html", &mail.html)] {
        m.push_str(&format!("--{alternative}\r\n"));
        m.push_str(&format!("Content-Type: {kind}; charset=UTF-8\r\n"));
        m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        m.push_str(&base64_lines(body.as_bytes()));
    }
    m.push_str(&format!("--{alternative}--\r\n"));
    for attachment in &mail.attachments {
        let name = safe_filename(&attachment.filename);
        m.push_str(&format!("--{mixed}\r\n"));
        m.push_str(&format!(
            "Content-Type: {}; name=\"{name}\"\r\n",
            attachment.content_type
        ));
        m.push_str(&format!(
            "Content-Disposition: attachment; filename=\"{name}\"\r\n"
        ));
        m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        m.push_str(&base64_lines(&attachment.data));
    }
    m.push_str(&format!("--{mixed}--\r\n"));
    m
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
        let from = format!("\"{display}\" <no-reply@{}>", self.sender_domain);
        let content = if mail.attachments.is_empty() {
            EmailContent::builder().simple(message).build()
        } else {
            let from_header = format!(
                "{} <no-reply@{}>",
                encoded_word(&mail.from_name),
                self.sender_domain
            );
            let raw = mime_message(&from_header, mail, &ulid::Ulid::new().to_string());
            EmailContent::builder()
                .raw(
                    RawMessage::builder()
                        .data(aws_sdk_sesv2::primitives::Blob::new(raw.into_bytes()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mime_message_carries_both_bodies_and_every_attachment_intact() {
        use base64::Engine;
        let pdf = b"%PDF-1.4 \x00\xff binary".to_vec();
        let mail = OutgoingEmail {
            from_name: "Théâtre".into(),
            reply_to: None,
            to: Email::parse("patron@example.org").expect("email"),
            subject: "Vos billets — commande K7QM-3XPD".into(),
            text: "Merci ✓".into(),
            html: "<p>Merci ✓</p>".into(),
            attachments: vec![Attachment {
                filename: "tickets \"K7QM\".pdf\r\nX-Evil: 1".into(),
                content_type: "application/pdf".into(),
                data: pdf.clone(),
            }],
        };
        let raw = mime_message("x <no-reply@example.org>", &mail, "b1");
        assert!(raw.is_ascii(), "headers and bodies are ASCII on the wire");
        assert!(
            !raw.contains("X-Evil: 1\r\n"),
            "no header injection through a file name"
        );
        assert!(raw.contains("Subject: =?UTF-8?B?"));
        assert!(raw.contains("Content-Type: application/pdf; name=\"ticketsK7QM.pdfX-Evil1\""));
        // The attachment's base64 decodes back to the same bytes.
        let start = raw.find("application/pdf").expect("part");
        let body_start = raw[start..].find("\r\n\r\n").expect("body") + start + 4;
        let body_end = raw[body_start..].find("--mixed-b1--").expect("end") + body_start;
        let encoded: String = raw[body_start..body_end].split_whitespace().collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64");
        assert_eq!(decoded, pdf);
        assert!(
            raw.lines().all(|l| l.len() <= 998),
            "no line over the SMTP limit"
        );
    }
}
