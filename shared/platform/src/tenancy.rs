//! Which venue a request is for: its `Host` header, looked up in the hostname index
//! (`HOST#{hostname}`). Hits are cached for a minute per Lambda instance; misses are not,
//! so a venue created a moment ago answers at once.

use crate::ApiError;
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
}

impl Tenancy {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cache: Arc::default(),
        }
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
/// 404.
pub async fn resolve_tenant(
    State(tenancy): State<Tenancy>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
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
