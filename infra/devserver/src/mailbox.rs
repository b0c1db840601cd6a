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
    pub body: String,
    #[serde(default)]
    pub destinations: serde_json::Value,
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
    let data: serde_json::Value = client
        .get(format!("{moto_url}/moto-api/data.json"))
        .send()
        .await?
        .json()
        .await?;
    let messages = data
        .pointer("/ses/Message")
        .cloned()
        .unwrap_or(serde_json::Value::Array(vec![]));
    Ok(serde_json::from_value(messages)?)
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
                page.push_str(&format!(
                    "<article><h2>{}</h2><p>From {} to {}</p><pre>{}</pre></article>",
                    escape(&mail.subject),
                    escape(&mail.source),
                    escape(&mail.destinations.to_string()),
                    escape(&mail.body)
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
