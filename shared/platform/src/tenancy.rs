//! Which venue a request is for: its `Host` header, looked up in the hostname index
//! (`HOST#{hostname}`). Hits are cached for a minute per Lambda instance; misses are not,
//! so a venue created a moment ago answers at once. Where the request came from (the
//! client's address, for rate limits) is settled here too.

use crate::config::{Config, Secret, Stage};
use crate::{ApiError, auth::secrets_match};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use marquee_domain::{Hostname, TenantId};
use marquee_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CACHE_TTL: Duration = Duration::from_secs(60);

/// Resolves hostnames to tenants, with a small positive cache.
#[derive(Clone)]
pub struct Tenancy {
    store: Store,
    cache: Arc<Mutex<HashMap<Hostname, (TenantId, Instant)>>>,
    addresses: ClientAddresses,
}

impl Tenancy {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cache: Arc::default(),
            addresses: ClientAddresses::default(),
        }
    }

    /// Which headers may name the client's address (see [`ClientAddresses`]).
    pub fn with_client_addresses(mut self, addresses: ClientAddresses) -> Self {
        self.addresses = addresses;
        self
    }

    pub async fn resolve(&self, hostname: &Hostname) -> Result<Option<TenantId>, ApiError> {
        // A poisoned lock still holds whole entries, so its data is taken back, not skipped.
        let lock = || {
            self.cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let cached = lock()
            .get(hostname)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(tenant, _)| tenant.clone());
        if let Some(tenant) = cached {
            return Ok(Some(tenant));
        }
        let tenant = self.store.tenant_for_host(hostname).await?;
        if let Some(tenant) = &tenant {
            lock().insert(hostname.clone(), (tenant.clone(), Instant::now()));
        }
        Ok(tenant)
    }
}

/// The venue a request is for, set by [`resolve_tenant`].
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: TenantId,
    pub hostname: Hostname,
}

/// The viewer's `Host` as CloudFront saw it: CloudFront must send the API origin its own
/// hostname, so a viewer-request function copies the venue's host into this header. It names
/// a venue exactly as `Host` would, so a client that sets it by hand gains nothing it could
/// not get by calling that venue's host directly.
pub const VIEWER_HOST: &str = "x-viewer-host";

/// Middleware: finds the tenant from `X-Viewer-Host` (behind CloudFront) or `Host`, or answers
/// 404. Where CloudFront fronts the API (an origin secret is configured), a request that does
/// not carry the secret did not come through CloudFront and is refused (403 `direct_access`):
/// HTTP APIs have no resource policy or WAF of their own, and a direct caller could name any
/// host and any viewer address.
pub async fn resolve_tenant(
    State(tenancy): State<Tenancy>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if !tenancy.addresses.through_the_edge(&req) {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "direct_access",
            "Call the venue's own address, not the API directly",
        ));
    }
    let unknown = || {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "unknown_host",
            "No venue answers at this address",
        )
    };
    let host = req
        .headers()
        .get(VIEWER_HOST)
        .or_else(|| req.headers().get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())
        .ok_or_else(unknown)?;
    let hostname = Hostname::from_host_header(host).map_err(|_| unknown())?;
    let id = tenancy.resolve(&hostname).await?.ok_or_else(unknown)?;
    tracing::Span::current().record("tenant", id.as_str());
    let client = tenancy.addresses.of(&req);
    req.extensions_mut().insert(client);
    req.extensions_mut().insert(Tenant { id, hostname });
    Ok(next.run(req).await)
}

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Tenant>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route is not behind resolve_tenant"))
    }
}

/// The address of the client a request came from (an IP address as text), for rate limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(String);

impl ClientAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The address of the connection the request arrived on, set by the entry point: API
/// Gateway's `sourceIp` in Lambda (CloudFront's address when the API sits behind it).
#[derive(Debug, Clone)]
pub struct SourceAddress(pub String);

/// CloudFront's header naming the viewer (`198.51.100.10:46532`, `2001:db8::1:46532`).
pub const VIEWER_ADDRESS: &str = "cloudfront-viewer-address";
/// The header only CloudFront adds to requests to the API origin (its value is a secret).
pub const ORIGIN_SECRET: &str = "x-origin-secret";

/// Which request headers may name the client's address. Behind CloudFront, API Gateway's
/// `sourceIp` is CloudFront's, so the viewer's address is taken from
/// `CloudFront-Viewer-Address`, but only from a request that carries the origin secret:
/// anyone else could set that header to any address. Locally (the devserver) the address
/// comes from `X-Forwarded-For` otherwise, so tests can play several clients.
#[derive(Clone, Default)]
pub struct ClientAddresses {
    origin_secret: Option<Secret>,
    trust_forwarded_for: bool,
}

impl ClientAddresses {
    pub fn from_config(config: &Config) -> Self {
        Self {
            origin_secret: config.origin_secret.clone(),
            trust_forwarded_for: config.stage == Stage::Local,
        }
    }

    /// Whether the request came through CloudFront: it carries the origin secret, or no
    /// secret is configured (the devserver).
    fn through_the_edge(&self, req: &Request) -> bool {
        self.origin_secret.as_ref().is_none_or(|secret| {
            req.headers()
                .get(ORIGIN_SECRET)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|given| secrets_match(given.trim(), secret))
        })
    }

    fn of(&self, req: &Request) -> ClientAddress {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let from_cloudfront = self.origin_secret.as_ref().and_then(|secret| {
            let given = header(ORIGIN_SECRET)?;
            secrets_match(given, secret)
                .then(|| header(VIEWER_ADDRESS))
                .flatten()
                .map(without_port)
        });
        let forwarded = || {
            self.trust_forwarded_for
                .then(|| header("x-forwarded-for"))
                .flatten()
                .and_then(|list| list.split(',').next())
                .map(str::trim)
        };
        let source = || {
            req.extensions()
                .get::<SourceAddress>()
                .map(|s| s.0.as_str())
        };
        ClientAddress(
            from_cloudfront
                .as_deref()
                .or_else(forwarded)
                .or_else(source)
                .unwrap_or("unknown")
                .to_owned(),
        )
    }
}

/// `198.51.100.10:46532` → `198.51.100.10`; `2001:db8::1:46532` → `2001:db8::1`.
fn without_port(address: &str) -> String {
    address
        .rsplit_once(':')
        .map_or(address, |(ip, _port)| ip)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned()
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ClientAddress>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route is not behind resolve_tenant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = axum::http::Request::builder().uri("/");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut req = builder.body(axum::body::Body::empty()).unwrap();
        req.extensions_mut()
            .insert(SourceAddress("203.0.113.9".into()));
        req
    }

    fn behind_cloudfront() -> ClientAddresses {
        ClientAddresses {
            origin_secret: Some(Secret::new("origin-secret")),
            trust_forwarded_for: false,
        }
    }

    #[test]
    fn the_viewer_address_is_trusted_only_with_the_origin_secret() {
        let addresses = behind_cloudfront();
        let trusted = request(&[
            (ORIGIN_SECRET, "origin-secret"),
            (VIEWER_ADDRESS, "198.51.100.10:46532"),
        ]);
        assert_eq!(addresses.of(&trusted).as_str(), "198.51.100.10");
        let ipv6 = request(&[
            (ORIGIN_SECRET, "origin-secret"),
            (VIEWER_ADDRESS, "2001:db8::1:46532"),
        ]);
        assert_eq!(addresses.of(&ipv6).as_str(), "2001:db8::1");
        let forged = request(&[
            (ORIGIN_SECRET, "guess"),
            (VIEWER_ADDRESS, "198.51.100.10:46532"),
        ]);
        assert_eq!(addresses.of(&forged).as_str(), "203.0.113.9");
        let without = request(&[(VIEWER_ADDRESS, "198.51.100.10:46532")]);
        assert_eq!(addresses.of(&without).as_str(), "203.0.113.9");
        assert!(addresses.through_the_edge(&trusted));
        assert!(!addresses.through_the_edge(&forged));
        assert!(!addresses.through_the_edge(&without));
        assert!(ClientAddresses::default().through_the_edge(&without));
    }

    #[test]
    fn forwarded_for_counts_only_locally() {
        let spoofed = request(&[("x-forwarded-for", "192.0.2.1, 10.0.0.1")]);
        assert_eq!(behind_cloudfront().of(&spoofed).as_str(), "203.0.113.9");
        let local = ClientAddresses {
            origin_secret: None,
            trust_forwarded_for: true,
        };
        assert_eq!(local.of(&spoofed).as_str(), "192.0.2.1");
    }
}
