//! The patron-facing API (`/api/v1/*`) of each venue's site. Every route resolves its venue
//! from the `Host` header.

mod account;
mod carts;
pub mod catalog;
mod orders;
mod prepared;
mod site;

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router, middleware};
use marquee_platform::auth::JwtKeys;
use marquee_platform::documents::Documents;
use marquee_platform::jobs::HoldExpiryQueue;
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::Payments;
use marquee_platform::sales::Sales;
use marquee_platform::tenancy::{Tenancy, resolve_tenant};
use marquee_platform::{Config, http};
use marquee_store::PerformanceRecord;
use marquee_store::Store;
use prepared::{PreparedLayout, TakenSeats, TtlCache};
use std::sync::Arc;
use std::time::Duration;

/// How long a performance or layout is reused by an instance before it is read again.
const CACHE_TTL: Duration = Duration::from_secs(5);
/// How long a best-available search reuses this instance's view of the taken seats. The
/// hold transaction decides; a stale view only costs a retry.
const TAKEN_TTL: Duration = Duration::from_secs(1);
use utoipa::OpenApi;

/// What the public handlers may use.
#[derive(Clone)]
pub struct PublicState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenancy: Tenancy,
    pub documents: Documents,
    pub hold_expiry: HoldExpiryQueue,
    pub payments: Payments,
    pub sales: Sales,
    /// Patron tokens.
    pub jwt: JwtKeys,
    pub layouts: Arc<TtlCache<(String, String), PreparedLayout>>,
    pub performances: Arc<TtlCache<(String, String), PerformanceRecord>>,
    /// Seats known to be taken, per performance, for best-available searches.
    pub taken: Arc<TtlCache<(String, String), TakenSeats>>,
}

impl PublicState {
    pub fn new(
        config: Config,
        store: Store,
        documents: Documents,
        hold_expiry: HoldExpiryQueue,
        payments: Payments,
        mail: MailQueue,
    ) -> Self {
        let sales = Sales {
            store: store.clone(),
            payments: payments.clone(),
            mail,
            public_url_template: config.public_url_template.clone(),
        };
        Self {
            jwt: JwtKeys::new(&config.jwt_secret),
            payments,
            sales,
            tenancy: Tenancy::new(store.clone()),
            config: Arc::new(config),
            store,
            documents,
            hold_expiry,
            layouts: Arc::new(TtlCache::new(CACHE_TTL, 64)),
            performances: Arc::new(TtlCache::new(CACHE_TTL, 1024)),
            taken: Arc::new(TtlCache::new(TAKEN_TTL, 256)),
        }
    }
}

impl FromRef<PublicState> for JwtKeys {
    fn from_ref(state: &PublicState) -> Self {
        state.jwt.clone()
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
        carts::create_cart,
        carts::get_cart,
        carts::add_hold,
        carts::release_hold,
        orders::checkout,
        orders::get_order,
        orders::tickets_pdf,
        account::register,
        account::login,
        account::request_reset,
        account::confirm_reset,
        account::orders,
    )
)]
pub struct PublicApiDoc;

pub fn router(state: PublicState) -> Router {
    let venue_routes = Router::new()
        .route("/api/v1/site", get(site::get_site))
        .route("/api/v1/carts", axum::routing::post(carts::create_cart))
        .route("/api/v1/carts/{cartId}", get(carts::get_cart))
        .route(
            "/api/v1/carts/{cartId}/holds",
            axum::routing::post(carts::add_hold),
        )
        .route(
            "/api/v1/carts/{cartId}/holds/{holdId}",
            axum::routing::delete(carts::release_hold),
        )
        .route(
            "/api/v1/carts/{cartId}/checkout",
            axum::routing::post(orders::checkout),
        )
        .route("/api/v1/orders/{orderId}", get(orders::get_order))
        .route(
            "/api/v1/orders/{orderId}/tickets.pdf",
            get(orders::tickets_pdf),
        )
        .route(
            "/api/v1/account/register",
            axum::routing::post(account::register),
        )
        .route("/api/v1/account/login", axum::routing::post(account::login))
        .route(
            "/api/v1/account/password-reset",
            axum::routing::post(account::request_reset),
        )
        .route(
            "/api/v1/account/password-reset/confirm",
            axum::routing::post(account::confirm_reset),
        )
        .route("/api/v1/account/orders", get(account::orders))
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
