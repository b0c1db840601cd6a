//! The box-office admin API (`/admin/v1/*`) and the operator's platform API
//! (`/platform/v1/*`): onboarding venues, staff login and invitations, venue settings and
//! custom domains. Every `/admin` route resolves its venue from `Host` and checks the
//! staff member's role.

mod attendance;
mod audit;
mod auth;
mod boxoffice;
mod domains;
mod door;
mod events;
mod exchanges;
pub mod exports;
mod orders;
mod patron_history;
mod patrons;
mod payments;
mod performances;
mod platform;
mod printing;
mod promos;
mod reports;
mod reservations;
mod seatmaps;
mod staff;
mod venue;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post, put};
use axum::{Json, Router, middleware};
use marquee_app::sales::Sales;
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

/// What the admin handlers may use.
#[derive(Clone)]
pub struct AdminState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenancy: Tenancy,
    pub jwt: JwtKeys,
    pub mail: MailQueue,
    pub documents: Documents,
    pub sales: Arc<Sales>,
    /// Mail to ticket holders about their orders (a moved performance).
    pub delivery: Arc<marquee_app::delivery::TicketDelivery>,
    pub agreements: Arc<marquee_app::agreements::PaymentAgreements>,
    pub door: Arc<marquee_app::door::Door>,
    pub domains: Arc<marquee_app::domains::CustomDomains>,
    pub promos: Arc<marquee_app::promos::Promos>,
    /// Box office carts and the window's sales: the web's holds and checkout.
    pub holds: Arc<marquee_app::holds::Holds>,
    pub checkout: Arc<marquee_app::checkout::Checkout>,
    /// Exchanges at the box office, on the same holds and checkout.
    pub exchanges: Arc<marquee_app::exchanges::Exchanges>,
    /// Reservations paid or cancelled; waiting card sales cancelled.
    pub window_orders: Arc<marquee_app::window_orders::WindowOrders>,
    /// For the card payments of window sales (Stripe.js needs the publishable key).
    pub payments: Payments,
    /// What staff tokens are checked against.
    pub sessions: Sessions,
    /// Rate limits on logins, invitation codes and password changes.
    pub limiter: Limiter,
    /// CSV reports larger than this many bytes go to S3 and are answered with a redirect
    /// (`exports`); `REPORT_INLINE_LIMIT_BYTES` in the function's environment.
    pub report_inline_limit: usize,
    /// The fonts of tickets printed at the window (the CJK one read from the documents
    /// bucket once).
    pub fonts: marquee_platform::tickets::TicketFonts,
}

impl AdminState {
    pub fn new(
        config: Config,
        store: Store,
        mail: MailQueue,
        documents: Documents,
        payments: Payments,
        domains: Arc<marquee_app::domains::CustomDomains>,
    ) -> Self {
        let catalog = services::sale_catalog(&store);
        let holds = services::holds(&store, catalog.clone());
        let window_sales = services::sales(
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
            window_sales.clone(),
            payments.clone(),
            config.payment_window_seconds,
        );
        let exchanges = Arc::new(marquee_app::exchanges::Exchanges::new(
            catalog.clone(),
            holds.clone(),
            checkout.clone(),
            Arc::new(store.clone()),
            Arc::new(payments.clone()),
        ));
        let window_orders =
            services::window_orders(&store, catalog.clone(), window_sales, payments.clone());
        Self {
            domains,
            promos: services::promos(&store, holds.clone(), catalog),
            holds,
            checkout,
            exchanges,
            window_orders,
            payments: payments.clone(),
            delivery: Arc::new(marquee_app::delivery::TicketDelivery::new(
                services::sale_catalog(&store),
                Arc::new(mail.clone()),
                config.public_url_template.clone(),
            )),
            // Ticket-signing keys are read once per venue by this instance.
            door: services::door(&store, marquee_platform::tickets::KeyCache::default()),
            agreements: services::payment_agreements(&store, payments.clone()),
            sales: services::sales(
                &store,
                services::sale_catalog(&store),
                payments,
                mail.clone(),
                &config.public_url_template,
            ),
            fonts: marquee_platform::tickets::TicketFonts::new(documents.clone()),
            documents,
            jwt: JwtKeys::new(&config.jwt_secret),
            tenancy: Tenancy::new(store.clone())
                .with_client_addresses(ClientAddresses::from_config(&config)),
            sessions: Sessions::new(store.clone()),
            limiter: Limiter::new(store.clone()),
            config: Arc::new(config),
            store,
            mail,
            report_inline_limit: exports::DEFAULT_INLINE_LIMIT_BYTES,
        }
    }

    /// CSV reports larger than `bytes` are exported to S3 instead of answered inline.
    #[must_use]
    pub fn with_report_inline_limit(mut self, bytes: usize) -> Self {
        self.report_inline_limit = bytes;
        self
    }
}

impl FromRef<AdminState> for JwtKeys {
    fn from_ref(state: &AdminState) -> Self {
        state.jwt.clone()
    }
}

impl FromRef<AdminState> for Sessions {
    fn from_ref(state: &AdminState) -> Self {
        state.sessions.clone()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Marquee admin API",
        description = "Venue staff and platform operator endpoints."
    ),
    paths(
        platform::create_venue,
        platform::put_settings,
        platform::update_venue,
        payments::get_payments,
        payments::start_onboarding,
        payments::payouts,
        auth::login,
        venue::get_venue,
        venue::update_venue,
        staff::list_staff,
        staff::invite_staff,
        staff::accept_invitation,
        staff::change_staff,
        staff::remove_staff,
        staff::change_password,
        staff::session,
        domains::list_domains,
        domains::register_domain,
        domains::verify_domain,
        domains::remove_domain,
        seatmaps::create_seat_map,
        seatmaps::import_seat_map,
        seatmaps::list_seat_maps,
        seatmaps::get_seat_map,
        seatmaps::replace_seat_map,
        events::create_event,
        events::list_events,
        events::get_event,
        events::update_event,
        events::duplicate_event,
        events::image_upload,
        audit::list_audit,
        promos::list_promo_codes,
        promos::create_promo_code,
        promos::update_promo_code,
        promos::delete_promo_code,
        reports::end_of_day,
        reports::sales,
        attendance::attendance_report,
        patron_history::patron_history,
        reports::demand,
        boxoffice::create_cart,
        boxoffice::get_cart,
        boxoffice::add_hold,
        boxoffice::release_hold,
        boxoffice::quote,
        boxoffice::will_call,
        boxoffice::pick_up,
        boxoffice::sell,
        reservations::pay_reservation,
        patrons::search_patrons,
        reservations::cancel_reservation,
        reservations::cancel_card_sale,
        performances::create_performance,
        performances::create_series,
        performances::get_performance,
        performances::edit_performance,
        performances::publish,
        performances::pause,
        performances::cancel,
        performances::blocks,
        orders::search_orders,
        orders::get_order,
        orders::refund_order,
        orders::to_post,
        orders::to_post_labels,
        orders::mark_posted,
        printing::tickets_pdf,
        exchanges::exchange,
        door::scan,
        door::sales,
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
pub struct AdminApiDoc;

pub fn router(state: AdminState) -> Router {
    let venue_routes = Router::new()
        .route("/admin/v1/login", post(auth::login))
        .route(
            "/admin/v1/venue",
            get(venue::get_venue).put(venue::update_venue),
        )
        .route(
            "/admin/v1/staff",
            get(staff::list_staff).post(staff::invite_staff),
        )
        .route("/admin/v1/staff/accept", post(staff::accept_invitation))
        .route(
            "/admin/v1/staff/{email}",
            put(staff::change_staff).delete(staff::remove_staff),
        )
        .route("/admin/v1/password", post(staff::change_password))
        .route("/admin/v1/session", get(staff::session))
        .route(
            "/admin/v1/domains",
            get(domains::list_domains).post(domains::register_domain),
        )
        .route(
            "/admin/v1/domains/{hostname}",
            axum::routing::delete(domains::remove_domain),
        )
        .route(
            "/admin/v1/domains/{hostname}/verify",
            post(domains::verify_domain),
        )
        .route("/admin/v1/audit", get(audit::list_audit))
        .route(
            "/admin/v1/events/{eventId}/duplicate",
            post(events::duplicate_event),
        )
        .route("/admin/v1/reports/end-of-day", get(reports::end_of_day))
        .route("/admin/v1/carts", post(boxoffice::create_cart))
        .route("/admin/v1/carts/{cartId}", get(boxoffice::get_cart))
        .route("/admin/v1/carts/{cartId}/holds", post(boxoffice::add_hold))
        .route(
            "/admin/v1/carts/{cartId}/holds/{holdId}",
            axum::routing::delete(boxoffice::release_hold),
        )
        .route("/admin/v1/carts/{cartId}/quote", post(boxoffice::quote))
        .route(
            "/admin/v1/performances/{performanceId}/will-call",
            get(boxoffice::will_call),
        )
        .route(
            "/admin/v1/orders/{orderId}/pickup",
            post(boxoffice::pick_up),
        )
        .route("/admin/v1/carts/{cartId}/sell", post(boxoffice::sell))
        .route("/admin/v1/patrons", get(patrons::search_patrons))
        .route(
            "/admin/v1/orders/{orderId}/pay",
            post(reservations::pay_reservation),
        )
        .route(
            "/admin/v1/orders/{orderId}/reservation",
            axum::routing::delete(reservations::cancel_reservation),
        )
        .route(
            "/admin/v1/orders/{orderId}/cancel",
            post(reservations::cancel_card_sale),
        )
        .route("/admin/v1/reports/sales", get(reports::sales))
        .route(
            "/admin/v1/reports/attendance",
            get(attendance::attendance_report),
        )
        .route(
            "/admin/v1/reports/patron",
            get(patron_history::patron_history),
        )
        .route(
            "/admin/v1/performances/{performanceId}/demand",
            get(reports::demand),
        )
        .route(
            "/admin/v1/promo-codes",
            get(promos::list_promo_codes).post(promos::create_promo_code),
        )
        .route(
            "/admin/v1/promo-codes/{codeId}",
            put(promos::update_promo_code).delete(promos::delete_promo_code),
        )
        .route(
            "/admin/v1/events",
            get(events::list_events).post(events::create_event),
        )
        .route(
            "/admin/v1/events/{eventId}",
            get(events::get_event).put(events::update_event),
        )
        .route(
            "/admin/v1/events/{eventId}/image",
            post(events::image_upload),
        )
        .route(
            "/admin/v1/events/{eventId}/performances",
            post(performances::create_performance),
        )
        .route(
            "/admin/v1/events/{eventId}/performances/series",
            post(performances::create_series),
        )
        .route(
            "/admin/v1/performances/{performanceId}",
            get(performances::get_performance).put(performances::edit_performance),
        )
        .route(
            "/admin/v1/performances/{performanceId}/publish",
            post(performances::publish),
        )
        .route(
            "/admin/v1/performances/{performanceId}/pause",
            post(performances::pause),
        )
        .route(
            "/admin/v1/performances/{performanceId}/cancel",
            post(performances::cancel),
        )
        .route(
            "/admin/v1/performances/{performanceId}/blocks",
            post(performances::blocks),
        )
        .route("/admin/v1/payments", get(payments::get_payments))
        .route(
            "/admin/v1/payments/onboarding",
            post(payments::start_onboarding),
        )
        .route("/admin/v1/payments/payouts", get(payments::payouts))
        .route("/admin/v1/orders", get(orders::search_orders))
        .route("/admin/v1/orders/to-post", get(orders::to_post))
        .route(
            "/admin/v1/orders/to-post/labels.pdf",
            get(orders::to_post_labels),
        )
        .route(
            "/admin/v1/orders/{orderId}/posted",
            post(orders::mark_posted),
        )
        .route("/admin/v1/scan", post(door::scan))
        .route(
            "/admin/v1/performances/{performanceId}/sales",
            get(door::sales),
        )
        .route("/admin/v1/orders/{orderId}", get(orders::get_order))
        .route(
            "/admin/v1/orders/{orderId}/tickets.pdf",
            get(printing::tickets_pdf),
        )
        .route(
            "/admin/v1/orders/{orderId}/exchange",
            post(exchanges::exchange),
        )
        .route(
            "/admin/v1/orders/{orderId}/refund",
            post(orders::refund_order),
        )
        .merge(
            Router::new()
                .route(
                    "/admin/v1/seatmaps",
                    get(seatmaps::list_seat_maps).post(seatmaps::create_seat_map),
                )
                .route("/admin/v1/seatmaps/import", post(seatmaps::import_seat_map))
                .route(
                    "/admin/v1/seatmaps/{mapId}",
                    get(seatmaps::get_seat_map).put(seatmaps::replace_seat_map),
                )
                .layer(DefaultBodyLimit::max(seatmaps::SEAT_MAP_BODY_LIMIT)),
        )
        .route_layer(middleware::from_fn_with_state(
            state.tenancy.clone(),
            resolve_tenant,
        ));
    let platform_routes = Router::new()
        .route("/platform/v1/venues", post(platform::create_venue))
        .route("/platform/v1/settings", put(platform::put_settings))
        .route("/platform/v1/venues/{venueId}", put(platform::update_venue))
        .route(
            "/admin/openapi.json",
            get(|| async { Json(AdminApiDoc::openapi()) }),
        );
    http::with_conventions(venue_routes.merge(platform_routes).with_state(state))
}
