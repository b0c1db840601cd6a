//! The print-and-mail provider, Lob: its letters API behind the `PrintMail` port (feature
//! `printmail`), and the check of its signed webhooks (always built: the public API checks
//! them without linking an HTTP client).
//!
//! Locally `infra/lob-double` plays Lob (`LOB_API_URL`), as the Stripe double plays Stripe.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Webhooks older (or newer) than this are refused: a captured request cannot be replayed
/// later.
pub const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

/// Why a webhook was refused (never the secret, never the body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookSignatureError {
    #[error("the Lob-Signature or Lob-Signature-Timestamp header is missing")]
    Missing,
    #[error("the timestamp is not a time")]
    BadTimestamp,
    #[error("the timestamp is too far from now")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks Lob's signature of a webhook: HMAC-SHA256 with the webhook secret over
/// `timestamp + "." + raw body`, hex, compared in constant time; the timestamp (Unix
/// seconds, or milliseconds as Lob sends) within [`WEBHOOK_TOLERANCE_SECONDS`] of `now`.
pub fn verify_webhook(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), WebhookSignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(WebhookSignatureError::Missing);
    };
    let timestamp = timestamp.trim();
    let number: i64 = timestamp
        .parse()
        .map_err(|_| WebhookSignatureError::BadTimestamp)?;
    // Milliseconds from 2001 on have 13 digits; seconds will have 10 until 2286.
    let seconds = if number > 100_000_000_000 {
        number / 1000
    } else {
        number
    };
    if (now.timestamp() - seconds).abs() > WEBHOOK_TOLERANCE_SECONDS {
        return Err(WebhookSignatureError::Stale);
    }
    let given = hex::decode(signature.trim()).map_err(|_| WebhookSignatureError::Mismatch)?;
    let mut mac = signer(secret);
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given)
        .map_err(|_| WebhookSignatureError::Mismatch)
}

/// The signature Lob would send (for the double and tests).
pub fn sign_webhook(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = signer(secret);
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn signer(secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

#[cfg(feature = "printmail")]
pub use client::LobLetters;

#[cfg(feature = "printmail")]
mod client {
    use crate::config::Secret;
    use marquee_app::ports::{LetterRequest, PortError, PrintMail, SentLetter};
    use marquee_domain::PostalAddress;

    /// Lob's letters API (`POST /v1/letters`), authenticated with the API key.
    #[derive(Clone)]
    pub struct LobLetters {
        http: reqwest::Client,
        base_url: String,
        api_key: ApiKey,
    }

    #[derive(Clone)]
    enum ApiKey {
        Given(Secret),
        /// `lobApiKey` of the app's secret, fetched at the first letter.
        FromSecrets(std::sync::Arc<crate::secrets::Secrets>),
    }

    impl LobLetters {
        /// The key from the app's secrets (`lobApiKey`), read when the first letter is sent.
        pub fn with_secrets(
            base_url: impl Into<String>,
            secrets: std::sync::Arc<crate::secrets::Secrets>,
        ) -> Self {
            Self {
                api_key: ApiKey::FromSecrets(secrets),
                ..Self::new(base_url, Secret::new(""))
            }
        }

        async fn key(&self) -> Result<Secret, PortError> {
            match &self.api_key {
                ApiKey::Given(key) => Ok(key.clone()),
                ApiKey::FromSecrets(secrets) => secrets
                    .get()
                    .await
                    .map_err(|e| PortError::transient("secrets", e.to_string()))?
                    .lob_api_key
                    .clone()
                    .ok_or_else(|| PortError::new("Lob", "the secret has no lobApiKey")),
            }
        }

        /// `base_url`: `https://api.lob.com`, or the local double's.
        pub fn new(base_url: impl Into<String>, api_key: Secret) -> Self {
            crate::tls::install_crypto_provider();
            Self {
                http: reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(20))
                    .build()
                    .unwrap_or_default(),
                base_url: base_url.into().trim_end_matches('/').to_owned(),
                api_key: ApiKey::Given(api_key),
            }
        }
    }

    /// An address as Lob's form fields (`to[address_line1]` …).
    fn address_fields(
        form: reqwest::multipart::Form,
        prefix: &str,
        name: &str,
        address: Option<&PostalAddress>,
    ) -> reqwest::multipart::Form {
        let mut form = form.text(format!("{prefix}[name]"), name.to_owned());
        if let Some(a) = address {
            form = form
                .text(format!("{prefix}[address_line1]"), a.line1.clone())
                .text(format!("{prefix}[address_city]"), a.city.clone())
                .text(format!("{prefix}[address_zip]"), a.postal_code.clone())
                .text(format!("{prefix}[address_country]"), a.country.to_string());
            if let Some(line2) = &a.line2 {
                form = form.text(format!("{prefix}[address_line2]"), line2.clone());
            }
            if let Some(region) = &a.region {
                form = form.text(format!("{prefix}[address_state]"), region.clone());
            }
        }
        form
    }

    #[async_trait::async_trait]
    impl PrintMail for LobLetters {
        async fn send_letter(&self, letter: &LetterRequest) -> Result<SentLetter, PortError> {
            let pdf = reqwest::multipart::Part::bytes(letter.pdf.clone())
                .file_name("tickets.pdf")
                .mime_str("application/pdf")
                .map_err(|e| PortError::new("Lob", e))?;
            let mut form = reqwest::multipart::Form::new()
                .text(
                    "description",
                    letter.description.chars().take(255).collect::<String>(),
                )
                .text("color", "false")
                .text("double_sided", "false")
                // Lob prints the address on a page of its own in front of ours, where its
                // envelope's window shows it.
                .text("address_placement", "insert_blank_page")
                .text("use_type", "operational")
                .part("file", pdf);
            form = address_fields(form, "to", &letter.to.name, Some(&letter.to));
            form = address_fields(form, "from", &letter.from_name, letter.from.as_ref());
            for (key, value) in &letter.metadata {
                form = form.text(format!("metadata[{key}]"), value.clone());
            }
            let key = self.key().await?;
            let response = self
                .http
                .post(format!("{}/v1/letters", self.base_url))
                .basic_auth(key.expose(), Some(""))
                .header("Idempotency-Key", &letter.idempotency_key)
                .multipart(form)
                .send()
                .await
                .map_err(|e| PortError::transient("Lob", e))?;
            let status = response.status();
            if !status.is_success() {
                // Lob's error body names the problem; it has no secret in it.
                let body = response.text().await.unwrap_or_default();
                let message: String = body.chars().take(300).collect();
                let error = format!("Lob answered {status}: {message}");
                return Err(if status.is_server_error() || status.as_u16() == 429 {
                    PortError::transient("Lob", error)
                } else {
                    PortError::new("Lob", error)
                });
            }
            #[derive(serde::Deserialize)]
            struct Created {
                id: String,
            }
            let created: Created = response
                .json()
                .await
                .map_err(|e| PortError::transient("Lob", e))?;
            Ok(SentLetter { id: created.id })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_signed_webhook_verifies_and_anything_else_is_refused() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 19, 0, 0).unwrap();
        let body = br#"{"event_type":{"id":"letter.mailed"}}"#;
        let ts = now.timestamp_millis().to_string();
        let signature = sign_webhook("whsec", &ts, body);
        assert_eq!(
            verify_webhook("whsec", Some(&ts), Some(&signature), body, now),
            Ok(())
        );
        let seconds = now.timestamp().to_string();
        let by_seconds = sign_webhook("whsec", &seconds, body);
        assert_eq!(
            verify_webhook("whsec", Some(&seconds), Some(&by_seconds), body, now),
            Ok(())
        );
        assert_eq!(
            verify_webhook("other", Some(&ts), Some(&signature), body, now),
            Err(WebhookSignatureError::Mismatch)
        );
        assert_eq!(
            verify_webhook("whsec", Some(&ts), Some(&signature), b"{}", now),
            Err(WebhookSignatureError::Mismatch)
        );
        let later = now + chrono::Duration::minutes(6);
        assert_eq!(
            verify_webhook("whsec", Some(&ts), Some(&signature), body, later),
            Err(WebhookSignatureError::Stale)
        );
        assert_eq!(
            verify_webhook("whsec", None, Some(&signature), body, now),
            Err(WebhookSignatureError::Missing)
        );
        assert_eq!(
            verify_webhook("whsec", Some("yesterday"), Some(&signature), body, now),
            Err(WebhookSignatureError::BadTimestamp)
        );
    }
}
