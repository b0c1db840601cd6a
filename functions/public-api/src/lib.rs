//! The patron-facing API (`/api/v1/*`) of each venue's site. Every route resolves its venue
//! from the `Host` header.

mod catalog;
mod site;

use axum::routing::get;
use axum::{Json, Router, middleware};
use marquee_domain::seatmap::SeatMap;
use marquee_platform::documents::Documents;
use marquee_platform::tenancy::{Tenancy, resolve_tenant};
use marquee_platform::{Config, Stage, http};
use marquee_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use utoipa::OpenApi;

/// What the public handlers may use.
#[derive(Clone)]
pub struct PublicState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenancy: Tenancy,
    pub documents: Documents,
    pub layouts: LayoutCache,
}

impl PublicState {
    pub fn new(config: Config, store: Store, documents: Documents) -> Self {
        Self {
            tenancy: Tenancy::new(store.clone()),
            config: Arc::new(config),
            store,
            documents,
            layouts: LayoutCache::default(),
        }
    }

    pub fn is_local(&self) -> bool {
        self.config.stage == Stage::Local
    }
}

/// Seat map layouts by (tenant, map, version): a version never changes, so an entry never
/// goes stale; the cache only bounds memory.
#[derive(Clone, Default)]
pub struct LayoutCache(Arc<Mutex<HashMap<(String, String, u32), Arc<SeatMap>>>>);

impl LayoutCache {
    const CAPACITY: usize = 32;

    fn get(&self, key: &(String, String, u32)) -> Option<Arc<SeatMap>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: (String, String, u32), layout: Arc<SeatMap>) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= Self::CAPACITY {
                cache.clear();
            }
            cache.insert(key, layout);
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Marquee public API",
        description = "The patron-facing API of a venue's site. Staff endpoints: /admin/openapi.json."
    ),
    paths(
        site::get_site,
        catalog::list_events,
        catalog::get_event,
        catalog::event_image,
        catalog::get_performance,
        catalog::get_seat_map,
        catalog::get_seat_map_status,
    )
)]
pub struct PublicApiDoc;

pub fn router(state: PublicState) -> Router {
    let venue_routes = Router::new()
        .route("/api/v1/site", get(site::get_site))
        .route("/api/v1/events", get(catalog::list_events))
        .route("/api/v1/events/{eventId}", get(catalog::get_event))
        .route("/api/v1/events/{eventId}/image", get(catalog::event_image))
        .route(
            "/api/v1/performances/{performanceId}",
            get(catalog::get_performance),
        )
        .route(
            "/api/v1/performances/{performanceId}/seatmap",
            get(catalog::get_seat_map),
        )
        .route(
            "/api/v1/performances/{performanceId}/seatmap/status",
            get(catalog::get_seat_map_status),
        )
        .route_layer(middleware::from_fn_with_state(
            state.tenancy.clone(),
            resolve_tenant,
        ));
    let docs = Router::new().route(
        "/api/openapi.json",
        get(|| async { Json(PublicApiDoc::openapi()) }),
    );
    http::with_conventions(venue_routes.merge(docs).with_state(state))
}
