//! An edge double for local development and tests of custom domains: the part of
//! CloudFront's multi-tenant (SaaS Manager) API that Marquee calls, and a DNS server for the
//! records that prove a venue owns its hostname. It is never deployed; `make dev` and
//! `make test` run it because neither CloudFront nor real DNS can be reached from here, and
//! moto does not implement these calls.
//!
//! It owns, on 127.0.0.1:
//! - the CloudFront API under `/2020-05-31/` (`api`): connection groups, distribution tenants,
//!   their CloudFront-managed certificates and the DNS check, in CloudFront's REST-XML with
//!   `ETag`/`If-Match` and CloudFront's error codes, for the real `aws-sdk-cloudfront` client
//!   with its endpoint URL pointed here;
//! - the state and its rules (`store`): a certificate is issued once every domain's CNAME
//!   points at the tenant's routing endpoint for `issue_delay`, and the tenant deploys;
//! - a DNS zone (`zone`) served over UDP and TCP (`dns`), and set by tests through the JSON
//!   controls under `/_double/` (`controls`).
//!
//! See `docs/edge-double.md` for the calls, the controls and how to run it.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let double = edge_double::start(edge_double::Config::default()).await?;
//! // CloudFront client: endpoint_url(double.url()); resolver: double.dns_addr()
//! double.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod controls;
mod dns;
mod errors;
mod ids;
mod store;
mod xml;
mod zone;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use store::Store;
use zone::DnsName;

/// How the double runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port of the HTTP API and controls on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Port of the DNS listener (UDP and TCP) on 127.0.0.1; 0 picks a free one.
    pub dns_port: u16,
    /// How long a domain's CNAME must point at its routing endpoint before the certificate
    /// is issued (ACM takes minutes; tests want none).
    pub issue_delay: Duration,
    /// Routing endpoints are `d…{13}.{routing_suffix}` (CloudFront's are under
    /// `cloudfront.net`).
    pub routing_suffix: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            dns_port: 0,
            issue_delay: Duration::from_secs(1),
            routing_suffix: DEFAULT_ROUTING_SUFFIX.to_owned(),
        }
    }
}

pub const DEFAULT_ROUTING_SUFFIX: &str = "edge.localhost";

/// Shared by every handler and the DNS listener.
#[derive(Clone)]
pub(crate) struct App(Arc<AppInner>);

pub(crate) struct AppInner {
    store: Mutex<Store>,
    pub routing_suffix: DnsName,
    pub dns_addr: SocketAddr,
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

/// A running double. Dropping it stops both listeners.
pub struct EdgeHandle {
    api_addr: SocketAddr,
    dns_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl EdgeHandle {
    /// `http://127.0.0.1:{port}`: the CloudFront client's endpoint URL and the controls' base.
    pub fn url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    pub fn api_addr(&self) -> SocketAddr {
        self.api_addr
    }

    /// Where the DNS listener answers, over UDP and TCP.
    pub fn dns_addr(&self) -> SocketAddr {
        self.dns_addr
    }

    /// Stops both listeners and lets HTTP requests in flight finish.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for EdgeHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Binds the API and DNS listeners on 127.0.0.1 and serves them in the background.
pub async fn start(config: Config) -> std::io::Result<EdgeHandle> {
    let routing_suffix = DnsName::parse(&config.routing_suffix)
        .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidInput, err.to_string()))?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let api_addr = listener.local_addr()?;
    let (udp, tcp) = bind_dns(config.dns_port).await?;
    let dns_addr = udp.local_addr()?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let app = App(Arc::new(AppInner {
        store: Mutex::new(Store::new(routing_suffix.clone(), config.issue_delay)),
        routing_suffix,
        dns_addr,
    }));
    let router = router(app.clone());
    let mut stop = shutdown_rx.clone();
    let api = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            // Err: the handle is gone, which also means stop.
            let _ = stop.wait_for(|stopped| *stopped).await;
        });
        if let Err(err) = serve.await {
            tracing::error!(error = %err, "edge double server failed");
        }
    });
    let udp = tokio::spawn(dns::serve_udp(udp, app.clone(), shutdown_rx.clone()));
    let tcp = tokio::spawn(dns::serve_tcp(tcp, app, shutdown_rx));
    tracing::info!(%api_addr, %dns_addr, "edge double listening");
    Ok(EdgeHandle {
        api_addr,
        dns_addr,
        shutdown: shutdown_tx,
        tasks: vec![api, udp, tcp],
    })
}

/// UDP and TCP on the same port. With port 0 the UDP port is picked first, and another is
/// tried in the rare case that its TCP twin is taken.
async fn bind_dns(port: u16) -> std::io::Result<(UdpSocket, TcpListener)> {
    let mut attempts = 0;
    loop {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let picked = udp.local_addr()?.port();
        match TcpListener::bind((Ipv4Addr::LOCALHOST, picked)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(err) if port != 0 || attempts >= 10 => return Err(err),
            Err(_) => attempts += 1,
        }
    }
}

fn router(app: App) -> Router {
    api::routes()
        .merge(controls::routes())
        .fallback(api::unknown_operation)
        .method_not_allowed_fallback(api::unknown_operation)
        .with_state(app)
}
