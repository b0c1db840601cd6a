//! A Stripe test double for local development and tests: the parts of Stripe's API that
//! Marquee's checkout uses, on 127.0.0.1, with Stripe's JSON shapes, error shapes and status
//! codes, and webhooks signed the way Stripe signs them. It is never deployed; `make dev` and
//! `make test` run it because Stripe cannot be reached from here.
//!
//! It owns:
//! - the `/v1` API (`api`, `payments`): PaymentIntents (create, retrieve, confirm, cancel),
//!   charges, refunds and webhook endpoints, with form-encoded bodies in Stripe's bracket
//!   notation, `Authorization: Bearer sk_test_…` and `Idempotency-Key` semantics;
//! - Connect with direct charges (`accounts`, `money`, `onboarding`): connected accounts and
//!   their onboarding (a local hosted-onboarding page), the `Stripe-Account` header,
//!   application fees and their refunds, balances, balance transactions and payouts;
//! - test cards (`cards`): `pm_card_visa`, `pm_card_chargeDeclined`, … and their numbers;
//! - events and webhook delivery (`webhooks`), signed by [`sign`], retried with backoff;
//! - test-only controls under `/_double/` (`controls`), including the local card form's
//!   confirm endpoint.
//!
//! State is in memory and per secret key: every `sk_test_…` key is its own platform account,
//! with its own connected accounts.
//! See `docs/stripe-double.md` for the endpoint list and how to run it.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let (addr, double) = stripe_double::start(stripe_double::Config::default()).await?;
//! // point the Stripe client at double.url() with any sk_test_… key
//! double.shutdown().await;
//! # let _ = addr;
//! # Ok(())
//! # }
//! ```

mod accounts;
mod api;
mod cards;
mod controls;
mod errors;
mod form;
mod ids;
mod money;
mod objects;
mod onboarding;
mod payments;
mod signature;
mod store;
mod webhooks;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use signature::{DEFAULT_TOLERANCE, SignatureError, sign, verify, verify_at};

use store::Store;

/// The API version events are rendered in: the one the pinned async-stripe release speaks.
pub const API_VERSION: &str = "2026-09-30.endive";

/// How the double runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// When set, only this `sk_test_…` key is accepted; otherwise every `sk_test_…` key is,
    /// each as its own account.
    pub api_key: Option<String>,
    /// Where every account's events are delivered (as `stripe listen --forward-to` would),
    /// in addition to endpoints registered through `POST /v1/webhook_endpoints`.
    pub webhook: Option<WebhookTarget>,
    /// Where connected accounts' events are delivered (as `stripe listen
    /// --forward-connect-to` would), in addition to `connect=true` endpoints. Events of a
    /// connected account never go to `webhook`, and the platform's own never come here.
    pub connect_webhook: Option<WebhookTarget>,
    pub retry: RetryPolicy,
    /// `api_version` of events and webhook endpoints.
    pub api_version: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            api_key: None,
            webhook: None,
            connect_webhook: None,
            retry: RetryPolicy::default(),
            api_version: API_VERSION.to_owned(),
        }
    }
}

/// A webhook URL and the `whsec_…` secret its events are signed with.
#[derive(Clone)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// How often a delivery that was not acknowledged is retried: attempt `n` (from 1) waits
/// `first_backoff × 2^(n-1)` before attempt `n + 1`. Not acknowledged, as with Stripe: any
/// answer but a 2xx, a connection refused or reset, or no answer within `timeout`. Stripe
/// retries for up to three days; the double gives up much sooner so tests see the outcome.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, including the first.
    pub max_attempts: u32,
    pub first_backoff: Duration,
    /// How long one attempt waits for the receiver's answer.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            first_backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Shared by every handler and delivery task.
#[derive(Clone)]
pub(crate) struct App(Arc<AppInner>);

pub(crate) struct AppInner {
    store: Mutex<Store>,
    pub config: Config,
    /// `http://127.0.0.1:{port}`: where the onboarding pages are served.
    pub base_url: String,
    pub http: reqwest::Client,
    pub shutdown: watch::Receiver<bool>,
}

impl std::ops::Deref for App {
    type Target = AppInner;

    fn deref(&self) -> &AppInner {
        &self.0
    }
}

impl App {
    /// The state. Critical sections never await, so a poisoned lock (a panic mid-update in a
    /// test double) is still the best state there is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running double. Dropping it stops the server and any pending deliveries.
pub struct DoubleHandle {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl DoubleHandle {
    /// `http://127.0.0.1:{port}`: the base URL for a Stripe client (which appends `/v1/…`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests, lets requests in flight finish, and stops deliveries.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for DoubleHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Binds 127.0.0.1 on the configured port and serves the double in the background.
pub async fn start(config: Config) -> std::io::Result<(SocketAddr, DoubleHandle)> {
    install_crypto_provider();
    let http = reqwest::Client::builder()
        // Webhook receivers are local; a proxy from the environment must not intercept them.
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(std::io::Error::other)?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let app = App(Arc::new(AppInner {
        store: Mutex::new(Store::default()),
        config,
        base_url: format!("http://{addr}"),
        http,
        shutdown: shutdown_rx.clone(),
    }));
    let router = router(app);
    let mut stop = shutdown_rx;
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            // Err: the handle is gone, which also means stop.
            let _ = stop.wait_for(|stopped| *stopped).await;
        });
        if let Err(err) = serve.await {
            tracing::error!(error = %err, "stripe double server failed");
        }
    });
    tracing::info!(%addr, "stripe double listening");
    Ok((
        addr,
        DoubleHandle {
            addr,
            shutdown: shutdown_tx,
            server: Some(server),
        },
    ))
}

fn router(app: App) -> Router {
    api::routes()
        .merge(controls::routes())
        .merge(onboarding::routes())
        .fallback(api::unrecognized)
        .method_not_allowed_fallback(api::unrecognized)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            api::stripe_headers,
        ))
        .with_state(app)
}

/// rustls's process-wide provider, aws-lc-rs (the workspace's one crypto library): reqwest's
/// rustls has no fallback when Cargo unifies its TLS feature into this build. Repeats do nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
