//! The catalog as a sale reads it: published performances and prepared seat maps, kept by
//! each instance for a few seconds so a hold stays one DynamoDB round trip. Staleness is
//! bounded and safe: whether a performance is on sale is re-checked inside every hold
//! transaction, and checkout prices from a fresh read.

use crate::ports::{Catalog, PortError};
use crate::prepared::{PreparedLayout, TtlCache};
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::records::{PerformanceRecord, VenueRecord};
use marquee_domain::{PerformanceId, PlatformSettings, SeatMapId, TenantId};
use std::sync::Arc;
use std::time::Duration;

/// How long a performance or layout is reused by an instance before it is read again.
const CACHE_TTL: Duration = Duration::from_secs(5);
/// How long the operator's settings are reused.
const PLATFORM_TTL: Duration = Duration::from_secs(30);

pub struct SaleCatalog {
    catalog: Arc<dyn Catalog>,
    layouts: TtlCache<(TenantId, SeatMapId), PreparedLayout>,
    performances: TtlCache<(TenantId, PerformanceId), PerformanceRecord>,
    venues: TtlCache<TenantId, VenueRecord>,
    platform: TtlCache<(), PlatformSettings>,
}

impl SaleCatalog {
    pub fn new(catalog: Arc<dyn Catalog>) -> Self {
        Self {
            catalog,
            layouts: TtlCache::new(CACHE_TTL, 64),
            performances: TtlCache::new(CACHE_TTL, 1024),
            venues: TtlCache::new(CACHE_TTL, 256),
            platform: TtlCache::new(PLATFORM_TTL, 1),
        }
    }

    pub fn port(&self) -> &Arc<dyn Catalog> {
        &self.catalog
    }

    pub async fn venue(&self, tenant: &TenantId) -> Result<Option<VenueRecord>, PortError> {
        self.catalog.venue(tenant).await
    }

    /// The venue, kept by this instance for 5 s: what a new cart needs (its ticket limit),
    /// so that an onsale's carts cost no read each.
    pub async fn venue_cached(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<Arc<VenueRecord>>, PortError> {
        if let Some(hit) = self.venues.get(tenant) {
            return Ok(Some(hit));
        }
        let Some(venue) = self.catalog.venue(tenant).await? else {
            return Ok(None);
        };
        let venue = Arc::new(venue);
        self.venues.put(tenant.clone(), venue.clone());
        Ok(Some(venue))
    }

    /// The operator's settings, kept by this instance for half a minute (a fee change applies
    /// to checkouts from then on).
    pub async fn platform_settings(&self) -> Result<PlatformSettings, PortError> {
        if let Some(hit) = self.platform.get(&()) {
            return Ok(*hit);
        }
        let settings = self.catalog.platform_settings().await?;
        self.platform.put((), Arc::new(settings));
        Ok(settings)
    }

    /// A performance patrons may see (anything but a draft), read now.
    pub async fn published(
        &self,
        tenant: &TenantId,
        id: &PerformanceId,
    ) -> Result<Option<PerformanceRecord>, PortError> {
        Ok(self
            .catalog
            .performance(tenant, id)
            .await?
            .filter(|p| p.status != PerformanceStatus::Draft))
    }

    /// A published performance, from this instance's cache or the store.
    pub async fn published_cached(
        &self,
        tenant: &TenantId,
        id: &PerformanceId,
    ) -> Result<Option<Arc<PerformanceRecord>>, PortError> {
        let key = (tenant.clone(), id.clone());
        if let Some(hit) = self.performances.get(&key) {
            return Ok(Some(hit));
        }
        let Some(performance) = self.published(tenant, id).await? else {
            return Ok(None);
        };
        let performance = Arc::new(performance);
        self.performances.put(key, performance.clone());
        Ok(Some(performance))
    }

    /// Forgets this instance's copy of a performance (a write found it out of date).
    pub fn forget_performance(&self, tenant: &TenantId, id: &PerformanceId) {
        self.performances.remove(&(tenant.clone(), id.clone()));
    }

    /// The performance's seat map, prepared for holds.
    pub async fn layout(
        &self,
        tenant: &TenantId,
        performance: &PerformanceRecord,
    ) -> Result<Arc<PreparedLayout>, PortError> {
        let key = (tenant.clone(), performance.seat_map_id.clone());
        if let Some(hit) = self.layouts.get(&key) {
            return Ok(hit);
        }
        let (record, map) = self
            .catalog
            .seat_map(tenant, &performance.seat_map_id)
            .await?
            .ok_or_else(|| {
                PortError::new("catalog", "a performance refers to a missing seat map")
            })?;
        let prepared = Arc::new(PreparedLayout::new(record.version, map));
        self.layouts.put(key, prepared.clone());
        Ok(prepared)
    }
}
