//! The patron-facing API (`/api/v1/*`) of each venue's site. Every route resolves its venue
//! from the `Host` header.

mod account;
mod carts;
pub mod catalog;
mod orders;
mod printmail;
mod site;

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router, middleware};
use marquee_app::catalog::SaleCatalog;
use marquee_app::checkout::Checkout;
use marquee_app::holds::Holds;
use marquee_platform::auth::JwtKeys;
use marquee_platform::auth::Sessions;
use marquee_platform::documents::Documents;
use marquee_platform::http::ApiConventions;
use marquee_platform::limits::Limiter;
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::Payments;
use marquee_platform::tenancy::{ClientAddresses, Tenancy, resolve_tenant};
use marquee_platform::{Config, http, services};
use marquee_store::Store;
use std::sync::Arc;
use utoipa::OpenApi;

/// What the public handlers may use.
#[derive(Clone)]
pub struct PublicState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenancy: Tenancy,
    pub documents: Documents,
    /// The fonts of re-printed tickets (the CJK one read from the documents bucket once).
    pub fonts: marquee_platform::tickets::TicketFonts,
    /// For the payment settings the browser needs (publishable key, mode).
    pub payments: Payments,
    /// Published performances and prepared seat maps, cached per instance.
    pub catalog: Arc<SaleCatalog>,
    pub holds: Arc<Holds>,
    pub promos: Arc<marquee_app::promos::Promos>,
    pub checkout: Arc<Checkout>,
    pub orders: Arc<marquee_app::orders::Orders>,
    /// Account mail (password reset codes).
    pub mail: MailQueue,
    /// Patron tokens, and what they are checked against.
    pub jwt: JwtKeys,
    pub sessions: Sessions,
    /// Rate limits on logins, registrations and reset codes.
    pub limiter: Limiter,
    /// The print-and-mail provider's tracking of mailed orders' letters.
    pub letters: Arc<marquee_app::printmail::LetterTracking>,
}

impl PublicState {
    pub fn new(
        config: Config,
        store: Store,
        documents: Documents,
        payments: Payments,
        mail: MailQueue,
    ) -> Self {
        let catalog = services::sale_catalog(&store);
        let holds = services::holds(&store, catalog.clone());
        let sales = services::sales(
            &store,
            catalog.clone(),
            payments.clone(),
            mail.clone(),
            &config.public_url_template,
        );
        let checkout = services::checkout(
            &store,
            catalog.clone(),
            holds.clone(),
            sales,
            payments.clone(),
            config.payment_window_seconds,
        );
        let promos = services::promos(&store, holds.clone(), catalog.clone());
        Self {
            jwt: JwtKeys::new(&config.jwt_secret),
            promos,
            payments,
            tenancy: Tenancy::new(store.clone())
                .with_client_addresses(ClientAddresses::from_config(&config)),
            sessions: Sessions::new(store.clone()),
            limiter: Limiter::new(store.clone()),
            letters: Arc::new(marquee_app::printmail::LetterTracking::new(
                Arc::new(store.clone()),
                Arc::new(marquee_app::ports::SystemClock),
            )),
            config: Arc::new(config),
            orders: Arc::new(marquee_app::orders::Orders::new(Arc::new(store.clone()))),
            store,
            fonts: marquee_platform::tickets::TicketFonts::new(documents.clone()),
            documents,
            catalog,
            holds,
            checkout,
            mail,
        }
    }
}

impl FromRef<PublicState> for JwtKeys {
    fn from_ref(state: &PublicState) -> Self {
        state.jwt.clone()
    }
}

impl FromRef<PublicState> for Sessions {
    fn from_ref(state: &PublicState) -> Self {
        state.sessions.clone()
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
        printmail::webhook,
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
        carts::apply_promo,
        carts::remove_promo,
        orders::checkout,
        orders::get_order,
        orders::tickets_pdf,
        account::register,
        account::login,
        account::request_reset,
        account::confirm_reset,
        account::orders,
    ),
    // What PerformanceView's `prices[].price`, `fees` and `taxes` hold, named so that clients can
    // use them (the view itself still shows them as plain objects).
    components(schemas(
        marquee_domain::money::Money,
        marquee_domain::pricing::Fee,
        marquee_domain::pricing::Tax
    )),
    modifiers(&ApiConventions),
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
            "/api/v1/carts/{cartId}/promo",
            axum::routing::post(carts::apply_promo).delete(carts::remove_promo),
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
    // The print-and-mail provider's events come to any venue's host (or none): each letter
    // names its venue and order in its metadata, checked with the signature.
    let provider = Router::new().route(
        "/api/v1/printmail/webhook",
        axum::routing::post(printmail::webhook),
    );
    http::with_conventions(venue_routes.merge(provider).merge(docs).with_state(state))
}
