//! The app's secrets: token signing (`jwtSecret`), the platform operator's key
//! (`platformKey`), Stripe's keys and the value CloudFront sends the API origin
//! (`originSecret`).
//!
//! In AWS they are one JSON secret in Secrets Manager; a function's template passes only its
//! name (`SECRET_ID`), never a value, so nothing secret is readable through
//! `lambda:GetFunctionConfiguration`. The secret is fetched on first use, not at init (the
//! init budget is 50 ms), and kept for the life of the instance; a failed fetch is tried
//! again by the next request. Locally (`SECRET_ID` unset) the same values come from
//! environment variables (`JWT_SECRET`, `PLATFORM_KEY`, `STRIPE_SECRET_KEY`,
//! `STRIPE_WEBHOOK_SECRET`, `STRIPE_CONNECT_WEBHOOK_SECRET`, `STRIPE_PUBLISHABLE_KEY`,
//! `ORIGIN_SECRET`, `LOB_API_KEY`, `LOB_WEBHOOK_SECRET`), and the devserver
//! and tests build their configuration directly.

use crate::config::Secret;
use serde::Deserialize;

/// The environment variable naming the Secrets Manager secret (its name or ARN).
pub const SECRET_ID_VAR: &str = "SECRET_ID";

/// The secret's values. A key the secret does not have is `None` (a function that does not
/// call Stripe runs without Stripe's keys).
#[derive(Debug, Clone, Default)]
pub struct AppSecrets {
    pub jwt_secret: Option<Secret>,
    pub platform_key: Option<Secret>,
    pub stripe_secret_key: Option<Secret>,
    pub stripe_webhook_secret: Option<Secret>,
    /// The Connect endpoint's own signing secret (venues' payment and account events).
    pub stripe_connect_webhook_secret: Option<Secret>,
    /// Not secret (browsers get it), kept beside the secret key it belongs with.
    pub stripe_publishable_key: Option<String>,
    pub origin_secret: Option<Secret>,
    /// The print-and-mail provider's (Lob's) API key, and the secret its webhooks are
    /// signed with.
    pub lob_api_key: Option<Secret>,
    pub lob_webhook_secret: Option<Secret>,
}

/// The secret's JSON object, as documented in README ("Secrets").
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretDocument {
    jwt_secret: Option<String>,
    platform_key: Option<String>,
    stripe_secret_key: Option<String>,
    stripe_webhook_secret: Option<String>,
    stripe_connect_webhook_secret: Option<String>,
    stripe_publishable_key: Option<String>,
    origin_secret: Option<String>,
    lob_api_key: Option<String>,
    lob_webhook_secret: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The message never contains the secret's value.
    #[error("the secret is not a JSON object of strings: {0}")]
    Malformed(String),
    #[error("the secret has no string value")]
    NotAString,
    #[error("fetching the secret: {0}")]
    Fetch(String),
}

/// An empty value counts as absent, as an empty environment variable does.
fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

impl AppSecrets {
    /// Local mode: the values from environment variables.
    pub fn from_env() -> Self {
        let var = |name: &str| present(std::env::var(name).ok());
        Self {
            jwt_secret: var("JWT_SECRET").map(Secret::new),
            platform_key: var("PLATFORM_KEY").map(Secret::new),
            stripe_secret_key: var("STRIPE_SECRET_KEY").map(Secret::new),
            stripe_webhook_secret: var("STRIPE_WEBHOOK_SECRET").map(Secret::new),
            stripe_connect_webhook_secret: var("STRIPE_CONNECT_WEBHOOK_SECRET").map(Secret::new),
            stripe_publishable_key: var("STRIPE_PUBLISHABLE_KEY"),
            origin_secret: var("ORIGIN_SECRET").map(Secret::new),
            lob_api_key: var("LOB_API_KEY").map(Secret::new),
            lob_webhook_secret: var("LOB_WEBHOOK_SECRET").map(Secret::new),
        }
    }

    /// The secret string as Secrets Manager holds it. Unknown keys are ignored, so a key
    /// added for a newer version does not break an older one.
    pub fn from_json(text: &str) -> Result<Self, SecretsError> {
        // Only the kind of error and where: serde_json's own message may quote the value.
        let doc: SecretDocument = serde_json::from_str(text).map_err(|e| {
            SecretsError::Malformed(format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        Ok(Self {
            jwt_secret: present(doc.jwt_secret).map(Secret::new),
            platform_key: present(doc.platform_key).map(Secret::new),
            stripe_secret_key: present(doc.stripe_secret_key).map(Secret::new),
            stripe_webhook_secret: present(doc.stripe_webhook_secret).map(Secret::new),
            stripe_connect_webhook_secret: present(doc.stripe_connect_webhook_secret)
                .map(Secret::new),
            stripe_publishable_key: present(doc.stripe_publishable_key),
            origin_secret: present(doc.origin_secret).map(Secret::new),
            lob_api_key: present(doc.lob_api_key).map(Secret::new),
            lob_webhook_secret: present(doc.lob_webhook_secret).map(Secret::new),
        })
    }
}

/// Where this instance's secrets come from, and the copy it fetched.
pub struct Secrets {
    source: Source,
    fetched: tokio::sync::OnceCell<AppSecrets>,
}

enum Source {
    Env,
    #[cfg(feature = "secrets")]
    SecretsManager {
        client: aws_sdk_secretsmanager::Client,
        secret_id: String,
    },
}

impl Secrets {
    /// Values from environment variables (local mode).
    pub fn from_env_vars() -> Self {
        Self {
            source: Source::Env,
            fetched: tokio::sync::OnceCell::new(),
        }
    }

    /// The secret named `secret_id`, fetched with `client` on first use.
    #[cfg(feature = "secrets")]
    pub fn secrets_manager(
        client: aws_sdk_secretsmanager::Client,
        secret_id: impl Into<String>,
    ) -> Self {
        Self {
            source: Source::SecretsManager {
                client,
                secret_id: secret_id.into(),
            },
            fetched: tokio::sync::OnceCell::new(),
        }
    }

    /// Secrets Manager when `SECRET_ID` is set (AWS), environment variables otherwise. Makes
    /// no call: the secret is fetched by the first [`Secrets::get`].
    #[cfg(feature = "secrets")]
    pub fn from_env(sdk: &aws_config::SdkConfig, endpoints: &crate::aws::Endpoints) -> Self {
        match std::env::var(SECRET_ID_VAR)
            .ok()
            .filter(|id| !id.is_empty())
        {
            Some(id) => Self::secrets_manager(crate::aws::secretsmanager(sdk, endpoints), id),
            None => Self::from_env_vars(),
        }
    }

    /// The secrets, fetched on the first call and kept for the life of the instance. A
    /// failed fetch is not kept: the next call tries again.
    pub async fn get(&self) -> Result<&AppSecrets, SecretsError> {
        self.fetched.get_or_try_init(|| self.fetch()).await
    }

    async fn fetch(&self) -> Result<AppSecrets, SecretsError> {
        match &self.source {
            Source::Env => Ok(AppSecrets::from_env()),
            #[cfg(feature = "secrets")]
            Source::SecretsManager { client, secret_id } => {
                let output = client
                    .get_secret_value()
                    .secret_id(secret_id)
                    .send()
                    .await
                    .map_err(|e| {
                        SecretsError::Fetch(
                            aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string(),
                        )
                    })?;
                let text = output.secret_string().ok_or(SecretsError::NotAString)?;
                AppSecrets::from_json(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_document_uses_the_readme_keys() {
        let secrets = AppSecrets::from_json(
            r#"{"jwtSecret": "j", "platformKey": "p", "stripeSecretKey": "sk",
                "stripeWebhookSecret": "wh", "stripePublishableKey": "pk",
                "originSecret": "o", "somethingNewer": "ignored"}"#,
        )
        .unwrap();
        assert_eq!(secrets.jwt_secret.unwrap().expose(), "j");
        assert_eq!(secrets.platform_key.unwrap().expose(), "p");
        assert_eq!(secrets.stripe_secret_key.unwrap().expose(), "sk");
        assert_eq!(secrets.stripe_webhook_secret.unwrap().expose(), "wh");
        assert_eq!(secrets.stripe_publishable_key.as_deref(), Some("pk"));
        assert_eq!(secrets.origin_secret.unwrap().expose(), "o");
    }

    #[test]
    fn missing_and_empty_keys_are_absent() {
        let secrets = AppSecrets::from_json(r#"{"jwtSecret": "j", "originSecret": ""}"#).unwrap();
        assert!(secrets.origin_secret.is_none());
        assert!(secrets.stripe_secret_key.is_none());
    }

    #[test]
    fn errors_and_debug_never_show_a_value() {
        let err = AppSecrets::from_json(r#"{"jwtSecret": 12345678}"#).unwrap_err();
        assert!(!err.to_string().contains("12345678"), "{err}");
        let err = AppSecrets::from_json("not json s3cr3t").unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
        let secrets = AppSecrets::from_json(r#"{"jwtSecret": "s3cr3t"}"#).unwrap();
        assert!(!format!("{secrets:?}").contains("s3cr3t"));
    }
}
