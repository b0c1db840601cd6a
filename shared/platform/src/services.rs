//! Wiring: the application services built on the real adapters (DynamoDB, SQS, Stripe). Each
//! function builds only the services it uses.

#[cfg(all(feature = "sqs", feature = "stripe"))]
use crate::mail::MailQueue;
#[cfg(feature = "stripe")]
use crate::payments::Payments;
use marquee_app::catalog::SaleCatalog;
#[cfg(all(feature = "sqs", feature = "stripe"))]
use marquee_app::checkout::Checkout;
#[cfg(all(feature = "sqs", feature = "stripe"))]
use marquee_app::delivery::TicketDelivery;
#[cfg(feature = "tickets")]
use marquee_app::door::Door;
use marquee_app::holds::Holds;
use marquee_app::ports::{Clock, SystemClock};
#[cfg(all(feature = "sqs", feature = "stripe"))]
use marquee_app::reconcile::Reconciliation;
#[cfg(all(feature = "sqs", feature = "stripe"))]
use marquee_app::sales::{PaymentWebhook, Sales};
use marquee_store::Store;
use std::sync::Arc;

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// The catalog as a sale reads it, with this instance's caches.
pub fn sale_catalog(store: &Store) -> Arc<SaleCatalog> {
    Arc::new(SaleCatalog::new(Arc::new(store.clone())))
}

/// Holds, for the site and the expiry worker.
pub fn holds(store: &Store, catalog: Arc<SaleCatalog>) -> Arc<Holds> {
    Arc::new(Holds::new(catalog, Arc::new(store.clone()), clock()))
}

/// Sales (payments, refunds, cancellations) and the mail they trigger.
#[cfg(all(feature = "sqs", feature = "stripe"))]
pub fn sales(
    store: &Store,
    catalog: Arc<SaleCatalog>,
    payments: Payments,
    mail: MailQueue,
    public_url_template: &str,
) -> Arc<Sales> {
    let delivery = Arc::new(TicketDelivery::new(
        catalog,
        Arc::new(mail),
        public_url_template,
    ));
    // One store serves the three ports.
    let store = Arc::new(store.clone());
    Arc::new(Sales::new(
        store.clone(),
        store.clone(),
        store,
        Arc::new(payments),
        delivery,
        clock(),
    ))
}

/// Checkout, over the holds and sales it completes.
#[cfg(all(feature = "sqs", feature = "stripe"))]
pub fn checkout(
    store: &Store,
    catalog: Arc<SaleCatalog>,
    holds: Arc<Holds>,
    sales: Arc<Sales>,
    payments: Payments,
    payment_window_seconds: u32,
) -> Arc<Checkout> {
    Arc::new(Checkout::new(
        catalog,
        holds,
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        Arc::new(payments),
        sales,
        clock(),
        payment_window_seconds,
    ))
}

/// The box office's own orders after the sale: reservations paid or cancelled, waiting card
/// sales cancelled.
#[cfg(all(feature = "sqs", feature = "stripe"))]
pub fn window_orders(
    store: &Store,
    catalog: Arc<SaleCatalog>,
    sales: Arc<Sales>,
    payments: Payments,
) -> Arc<marquee_app::window_orders::WindowOrders> {
    let store = Arc::new(store.clone());
    Arc::new(marquee_app::window_orders::WindowOrders::new(
        catalog,
        store.clone(),
        store,
        Arc::new(payments),
        sales,
        clock(),
    ))
}

/// Promo codes: staff manage them, patrons put them on carts.
pub fn promos(
    store: &Store,
    holds: Arc<Holds>,
    catalog: Arc<SaleCatalog>,
) -> Arc<marquee_app::promos::Promos> {
    Arc::new(marquee_app::promos::Promos::new(
        Arc::new(store.clone()),
        holds,
        catalog,
        clock(),
    ))
}

/// The door, checking codes with the venue keys in `keys`.
#[cfg(feature = "tickets")]
pub fn door(store: &Store, keys: crate::tickets::KeyCache) -> Arc<Door> {
    Arc::new(Door::new(
        Arc::new(crate::tickets::VenueCodes::new(store.clone(), keys)),
        Arc::new(store.clone()),
        clock(),
    ))
}

/// Payment events, each handled once, completing sales.
#[cfg(all(feature = "sqs", feature = "stripe"))]
pub fn payment_webhook(store: &Store, sales: Arc<Sales>) -> Arc<PaymentWebhook> {
    Arc::new(PaymentWebhook::new(sales, Arc::new(store.clone()), clock()))
}

/// Reconciliation: succeeded payments completed through `sales` when their webhook never did.
#[cfg(all(feature = "sqs", feature = "stripe"))]
pub fn reconciliation(store: &Store, sales: Arc<Sales>, payments: Payments) -> Arc<Reconciliation> {
    Arc::new(Reconciliation::new(
        sales,
        Arc::new(store.clone()),
        Arc::new(payments),
        clock(),
    ))
}

/// Payment agreements: venues' connected accounts, the platform fee, balance and payouts.
#[cfg(feature = "stripe")]
pub fn payment_agreements(
    store: &Store,
    payments: Payments,
) -> Arc<marquee_app::agreements::PaymentAgreements> {
    let store = Arc::new(store.clone());
    Arc::new(marquee_app::agreements::PaymentAgreements::new(
        store.clone(),
        store,
        Arc::new(payments),
        Arc::new(marquee_app::ports::SystemClock),
    ))
}

/// Custom domains: DNS checks against the configured servers, tenants of the multi-tenant
/// CloudFront distribution.
#[cfg(feature = "domains")]
pub fn custom_domains(
    store: &Store,
    cloudfront: aws_sdk_cloudfront::Client,
    settings: &crate::config::DomainSettings,
    config: &crate::Config,
) -> Result<Arc<marquee_app::domains::CustomDomains>, crate::config::ConfigError> {
    let dns = crate::domains::HickoryDns::new(&settings.dns_servers)
        .map_err(|e| crate::config::ConfigError::new(format!("DNS resolver: {e}")))?;
    let edge = crate::domains::CloudFrontEdge::new(
        cloudfront,
        settings.distribution_id.clone(),
        settings.connection_group_id.clone(),
    );
    let domains = marquee_app::domains::CustomDomains::new(
        Arc::new(store.clone()),
        Arc::new(dns),
        Arc::new(edge),
        Arc::new(marquee_app::ports::SystemClock),
        config.cname_target.clone(),
        config.platform_domain.clone(),
    );
    Ok(Arc::new(match config.stage {
        // The devserver's timer checks every 2 seconds; nobody waits minutes locally.
        crate::Stage::Local => domains.with_max_wait(chrono::Duration::seconds(1)),
        _ => domains,
    }))
}
