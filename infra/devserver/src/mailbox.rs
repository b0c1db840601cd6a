//! `/_dev/mail`: the mail sent through the local SES (moto), newest first.

use axum::extract::State;
use axum::response::Html;
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

fn decode_base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    let compact: String = text.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .unwrap_or_default()
}

/// `=?UTF-8?B?…?=` back to text (what the mailer writes); anything else as it is.
fn decode_header(value: &str) -> String {
    value
        .strip_prefix("=?UTF-8?B?")
        .and_then(|v| v.strip_suffix("?="))
        .map(|encoded| String::from_utf8_lossy(&decode_base64(encoded)).into_owned())
        .unwrap_or_else(|| value.to_owned())
}

fn header<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

fn boundary_of(content_type: &str) -> Option<&str> {
    let start = content_type.find("boundary=\"")? + "boundary=\"".len();
    let end = content_type[start..].find('"')? + start;
    Some(&content_type[start..end])
}

/// Reads the MIME the mailer writes (nested multiparts, base64 parts) into a SentMail.
fn parse_raw(raw: RawSent) -> SentMail {
    let text = raw.raw_data.replace("\r\n", "\n");
    let (headers, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut mail = SentMail {
        id: raw.id,
        source: raw.source,
        subject: header(headers, "Subject")
            .map(decode_header)
            .unwrap_or_default(),
        body: String::new(),
        destinations: raw.destinations,
        attachments: Vec::new(),
    };
    collect_parts(
        header(headers, "Content-Type").unwrap_or(""),
        body,
        &mut mail,
    );
    mail
}

fn collect_parts(content_type: &str, body: &str, mail: &mut SentMail) {
    let Some(boundary) = boundary_of(content_type) else {
        return;
    };
    let delimiter = format!("--{boundary}");
    for part in body.split(&delimiter).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.trim_start_matches('\n');
        let (headers, content) = part.split_once("\n\n").unwrap_or((part, ""));
        let kind = header(headers, "Content-Type").unwrap_or("");
        if kind.starts_with("multipart/") {
            collect_parts(kind, content, mail);
        } else if let Some(disposition) = header(headers, "Content-Disposition") {
            let filename = disposition
                .split("filename=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("")
                .to_owned();
            mail.attachments.push(SentAttachment {
                filename,
                content_type: kind.split(';').next().unwrap_or("").to_owned(),
                data: decode_base64(content),
            });
        } else if kind.starts_with("text/plain") {
            mail.body = String::from_utf8_lossy(&decode_base64(content)).into_owned();
        }
    }
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
