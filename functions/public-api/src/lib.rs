//! The patron-facing API (`/api/v1/*`) of each venue's site. Every route resolves its venue
//! from the `Host` header.

mod site;

use axum::routing::get;
use axum::{Json, Router, middleware};
use marquee_platform::tenancy::{Tenancy, resolve_tenant};
use marquee_platform::{Config, Stage, http};
use marquee_store::Store;
use std::sync::Arc;
use utoipa::OpenApi;

/// What the public handlers may use.
#[derive(Clone)]
pub struct PublicState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenancy: Tenancy,
}

impl PublicState {
    pub fn new(config: Config, store: Store) -> Self {
        Self {
            tenancy: Tenancy::new(store.clone()),
            config: Arc::new(config),
            store,
        }
    }

    pub fn is_local(&self) -> bool {
        self.config.stage == Stage::Local
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Marquee public API",
        description = "The patron-facing API of a venue's site. Staff endpoints: /admin/openapi.json."
    ),
    paths(site::get_site)
)]
pub struct PublicApiDoc;

pub fn router(state: PublicState) -> Router {
    let venue_routes = Router::new()
        .route("/api/v1/site", get(site::get_site))
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
