//! `/_dev/mail`: the mail sent through the local SES (moto), newest first.

use axum::extract::State;
use axum::response::Html;
use mail_parser::{MessageParser, MimeHeaders};
use serde::Deserialize;
use std::sync::Arc;

pub struct MailboxState {
    pub moto_url: String,
    pub client: reqwest::Client,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SentMail {
    pub id: String,
    pub source: String,
    pub subject: String,
    /// The plain-text body (or the only body of a simple message).
    pub body: String,
    #[serde(default)]
    pub destinations: serde_json::Value,
    /// Files attached to a raw (MIME) message.
    #[serde(default, skip)]
    pub attachments: Vec<SentAttachment>,
}

#[derive(Debug, Clone)]
pub struct SentAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A message moto kept as raw MIME.
#[derive(Debug, Clone, Deserialize)]
struct RawSent {
    id: String,
    source: String,
    #[serde(default)]
    destinations: serde_json::Value,
    raw_data: String,
}

/// Reads a raw message (whatever MIME the mailer wrote) as a mail client would: the decoded
/// subject, the first text body and every attachment, decoded.
fn parse_raw(raw: RawSent) -> SentMail {
    let mut mail = SentMail {
        id: raw.id,
        source: raw.source,
        subject: String::new(),
        body: String::new(),
        destinations: raw.destinations,
        attachments: Vec::new(),
    };
    let Some(message) = MessageParser::default().parse(raw.raw_data.as_bytes()) else {
        return mail;
    };
    mail.subject = message.subject().unwrap_or_default().to_owned();
    mail.body = message.body_text(0).unwrap_or_default().into_owned();
    mail.attachments = message
        .attachments()
        .map(|part| SentAttachment {
            filename: part.attachment_name().unwrap_or_default().to_owned(),
            // The media type alone (`text/calendar`), without its parameters.
            content_type: part
                .content_type()
                .map(|t| match t.subtype() {
                    Some(subtype) => format!("{}/{subtype}", t.ctype()),
                    None => t.ctype().to_owned(),
                })
                .unwrap_or_default(),
            data: part.contents().to_vec(),
        })
        .collect();
    mail
}

impl SentMail {
    /// Whether `address` is among the recipients.
    pub fn is_to(&self, address: &str) -> bool {
        self.destinations
            .to_string()
            .to_lowercase()
            .contains(&format!("\"{}\"", address.to_lowercase()))
    }
}

/// Every message moto's SES has accepted, oldest first.
pub async fn sent_mail(client: &reqwest::Client, moto_url: &str) -> anyhow::Result<Vec<SentMail>> {
    // moto serialises all its state for data.json and now and then fails (an error page) while
    // another request changes that state: a few quick retries.
    let mut attempt = 0;
    let data: serde_json::Value = loop {
        attempt += 1;
        let answer = async {
            client
                .get(format!("{moto_url}/moto-api/data.json"))
                .send()
                .await?
                .error_for_status()?
                .json::<serde_json::Value>()
                .await
        }
        .await;
        match answer {
            Ok(data) => break data,
            Err(_) if attempt < 5 => {
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let messages = data
        .pointer("/ses/Message")
        .cloned()
        .unwrap_or(serde_json::Value::Array(vec![]));
    let mut mails: Vec<SentMail> = serde_json::from_value(messages)?;
    let raw = data
        .pointer("/ses/RawMessage")
        .cloned()
        .unwrap_or(serde_json::Value::Array(vec![]));
    let raw: Vec<RawSent> = serde_json::from_value(raw)?;
    mails.extend(raw.into_iter().map(parse_raw));
    Ok(mails)
}

pub async fn mail_page(State(state): State<Arc<MailboxState>>) -> Html<String> {
    let mut page = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Marquee local mail</title>\
         <style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}article{border:1px solid #ccc;\
         padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}</style></head><body><h1>Mail sent locally</h1>",
    );
    match sent_mail(&state.client, &state.moto_url).await {
        Ok(mails) if mails.is_empty() => page.push_str("<p>No mail yet.</p>"),
        Ok(mails) => {
            for mail in mails.iter().rev() {
                // Shown as text: the HTML of a mail is not trusted here.
                let attachments: Vec<String> = mail
                    .attachments
                    .iter()
                    .map(|a| {
                        format!(
                            "{} ({}, {} bytes)",
                            a.filename,
                            a.content_type,
                            a.data.len()
                        )
                    })
                    .collect();
                page.push_str(&format!(
                    "<article><h2>{}</h2><p>From {} to {}</p><pre>{}</pre><p>Attachments: {}</p></article>",
                    escape(&mail.subject),
                    escape(&mail.source),
                    escape(&mail.destinations.to_string()),
                    escape(&mail.body),
                    escape(&if attachments.is_empty() { "none".to_owned() } else { attachments.join(", ") })
                ));
            }
        }
        Err(e) => page.push_str(&format!(
            "<p>Could not read the local SES: {}</p>",
            escape(&e.to_string())
        )),
    }
    page.push_str("</body></html>");
    Html(page)
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
