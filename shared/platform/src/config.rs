//! Configuration from the environment (set by `infra/template.yaml` in AWS, by the devserver
//! locally). Secrets are wrapped so they never reach a log.

use marquee_domain::Hostname;
use std::fmt;

/// A secret value whose `Debug` and `Display` are redacted.
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The local stack: fixed demo credentials exist, payments use the Stripe test double.
    Local,
    Dev,
    Prod,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub stage: Stage,
    pub table_name: String,
    pub mail_queue_url: String,
    pub hold_expiry_queue_url: String,
    pub documents_bucket: String,
    /// Venues live at `{slug}.{platform_domain}`.
    pub platform_domain: Hostname,
    /// What a venue's custom domain must CNAME to.
    pub cname_target: String,
    /// Mail is sent from this (SES-verified) domain; venues set a reply-to address.
    pub mail_sender_domain: String,
    /// Base URL of the public site for links in mail, with `{host}` replaced per venue.
    pub public_url_template: String,
    pub jwt_secret: Secret,
    pub platform_key: Secret,
    /// Stripe's keys (from Secrets Manager in AWS); `None`: only free orders can be placed.
    pub stripe: Option<crate::payments::StripeSettings>,
    /// The live seat map's WebSocket URL for the site (`LIVE_URL`), `{host}` replaced by the
    /// venue's hostname: `wss://{api-id}.execute-api.{region}.amazonaws.com/{stage}` in AWS,
    /// `ws://{host}:{port}/live` on the devserver. `None`: no live updates.
    pub live_url: Option<String>,
    /// How long checkout keeps a paying patron's seats (`PAYMENT_WINDOW_SECONDS`, default 600).
    pub payment_window_seconds: u32,
    /// The value CloudFront sends the API origin as `X-Origin-Secret` (`ORIGIN_SECRET`): only
    /// a request carrying it may name its viewer's address (`CloudFront-Viewer-Address`).
    /// `None`: no request may.
    pub origin_secret: Option<Secret>,
    /// The secret the print-and-mail provider (Lob) signs its webhooks with
    /// (`lobWebhookSecret`); `None`: its webhooks are refused (503).
    pub lob_webhook_secret: Option<Secret>,
    /// Custom domains' edge and DNS (`EDGE_DISTRIBUTION_ID`, `EDGE_CONNECTION_GROUP_ID`,
    /// `DNS_SERVERS`); `None` in functions that do not manage domains.
    pub domains: Option<DomainSettings>,
}

/// Where custom domains are verified and served.
#[derive(Debug, Clone)]
pub struct DomainSettings {
    /// The multi-tenant (`tenant-only`) CloudFront distribution custom domains are tenants of.
    pub distribution_id: String,
    /// The connection group whose routing endpoint is the venues' CNAME target.
    pub connection_group_id: String,
    /// The DNS servers asked for the venues' records (not a cache in between).
    pub dns_servers: Vec<std::net::SocketAddr>,
}

impl DomainSettings {
    /// From the environment, when `EDGE_DISTRIBUTION_ID` is set.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let Ok(distribution_id) = std::env::var("EDGE_DISTRIBUTION_ID") else {
            return Ok(None);
        };
        let dns_servers = std::env::var("DNS_SERVERS")
            .unwrap_or_else(|_| "1.1.1.1:53,8.8.8.8:53".into())
            .split(',')
            .map(|server| {
                let server = server.trim();
                server
                    .parse()
                    .or_else(|_| format!("{server}:53").parse())
                    .map_err(|_| ConfigError(format!("DNS_SERVERS: '{server}' is not an address")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Self {
            distribution_id,
            connection_group_id: var("EDGE_CONNECTION_GROUP_ID")?,
            dns_servers,
        }))
    }
}

pub const DEFAULT_PAYMENT_WINDOW_SECONDS: u32 = 600;

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

fn var(name: &str) -> Result<String, ConfigError> {
    std::env::var(name).map_err(|_| ConfigError(format!("{name} is not set")))
}

impl Config {
    /// Reads the configuration from the environment, secrets included (local mode; see
    /// [`crate::secrets`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(&crate::secrets::AppSecrets::from_env())
    }

    /// Reads the configuration a deployed function gets from its template, with the secrets
    /// it fetched (in AWS the environment names the secret but holds none of its values).
    pub fn from_env_with(secrets: &crate::secrets::AppSecrets) -> Result<Self, ConfigError> {
        let stage = match var("MARQUEE_STAGE")?.as_str() {
            "local" => Stage::Local,
            "dev" => Stage::Dev,
            "prod" => Stage::Prod,
            other => {
                return Err(ConfigError(format!(
                    "MARQUEE_STAGE '{other}' is not local, dev or prod"
                )));
            }
        };
        let platform_domain =
            Hostname::parse(&var("PLATFORM_DOMAIN")?).map_err(|e| ConfigError(e.to_string()))?;
        let jwt_secret = secrets
            .jwt_secret
            .as_ref()
            .map(|s| s.expose().to_owned())
            .ok_or_else(|| ConfigError("JWT_SECRET (jwtSecret) is not set".into()))?;
        if jwt_secret.len() < 32 {
            return Err(ConfigError(
                "JWT_SECRET must be at least 32 characters".into(),
            ));
        }
        Ok(Self {
            stage,
            table_name: var("TABLE_NAME")?,
            mail_queue_url: var("MAIL_QUEUE_URL")?,
            hold_expiry_queue_url: var("HOLD_EXPIRY_QUEUE_URL")?,
            documents_bucket: var("DOCUMENTS_BUCKET")?,
            cname_target: std::env::var("CNAME_TARGET")
                .unwrap_or_else(|_| format!("cname.{platform_domain}")),
            mail_sender_domain: std::env::var("MAIL_SENDER_DOMAIN")
                .unwrap_or_else(|_| platform_domain.to_string()),
            public_url_template: std::env::var("PUBLIC_URL_TEMPLATE")
                .unwrap_or_else(|_| "https://{host}".into()),
            platform_domain,
            jwt_secret: Secret::new(jwt_secret),
            // Only the function serving /platform has it; elsewhere no key matches (see `secrets_match`).
            platform_key: secrets
                .platform_key
                .clone()
                .unwrap_or_else(|| Secret::new("")),
            stripe: crate::payments::StripeSettings::from_secrets(secrets),
            live_url: std::env::var("LIVE_URL").ok().filter(|url| !url.is_empty()),
            payment_window_seconds: std::env::var("PAYMENT_WINDOW_SECONDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(DEFAULT_PAYMENT_WINDOW_SECONDS),
            origin_secret: secrets.origin_secret.clone(),
            lob_webhook_secret: secrets.lob_webhook_secret.clone(),
            domains: DomainSettings::from_env()?,
        })
    }

    /// The Stripe client this configuration asks for.
    #[cfg(feature = "stripe")]
    pub fn payments(&self) -> Result<crate::payments::Payments, ConfigError> {
        match &self.stripe {
            Some(settings) => crate::payments::Payments::new(settings.clone())
                .map_err(|e| ConfigError(e.to_string())),
            None => Ok(crate::payments::Payments::disabled()),
        }
    }

    /// The public address of a venue host, for links in mail.
    pub fn public_url(&self, host: &Hostname) -> String {
        self.public_url_template.replace("{host}", host.as_str())
    }

    /// The live seat map's WebSocket URL as a venue host's site connects to it.
    pub fn live_url(&self, host: &Hostname) -> Option<String> {
        self.live_url
            .as_ref()
            .map(|template| template.replace("{host}", host.as_str()))
    }
}

impl crate::payments::StripeSettings {
    /// `STRIPE_SECRET_KEY`, `STRIPE_PUBLISHABLE_KEY`, `STRIPE_WEBHOOK_SECRET` and optionally
    /// `STRIPE_API_BASE` (the local double); no secret key means no Stripe.
    pub fn from_env() -> Option<Self> {
        Self::from_secrets(&crate::secrets::AppSecrets::from_env())
    }

    /// Stripe's keys from the fetched secrets (`STRIPE_API_BASE` still from the environment);
    /// no secret key means no Stripe.
    pub fn from_secrets(secrets: &crate::secrets::AppSecrets) -> Option<Self> {
        Some(crate::payments::StripeSettings {
            secret_key: secrets.stripe_secret_key.clone()?,
            publishable_key: secrets.stripe_publishable_key.clone().unwrap_or_default(),
            webhook_secret: secrets
                .stripe_webhook_secret
                .clone()
                .unwrap_or_else(|| Secret::new("")),
            connect_webhook_secret: secrets
                .stripe_connect_webhook_secret
                .clone()
                .unwrap_or_else(|| Secret::new("")),
            api_base: std::env::var("STRIPE_API_BASE")
                .ok()
                .filter(|url| !url.is_empty()),
            local: std::env::var("MARQUEE_STAGE").is_ok_and(|stage| stage == "local"),
        })
    }
}

/// A variable a function cannot run without.
pub fn required(name: &str) -> Result<String, ConfigError> {
    var(name)
}

/// Links in mail: `PUBLIC_URL_TEMPLATE`, `https://{host}` by default.
pub fn public_url_template() -> String {
    std::env::var("PUBLIC_URL_TEMPLATE").unwrap_or_else(|_| "https://{host}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(format!("{:?}", Secret::new("s3cr3t")), "Secret(***)");
    }
}
