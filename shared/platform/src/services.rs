//! Wiring: the application services built on the real adapters (DynamoDB, SQS, Stripe). Each
//! function builds only the services it uses.

use crate::jobs::HoldExpiryQueue;
use crate::mail::MailQueue;
use crate::payments::Payments;
use marquee_app::catalog::SaleCatalog;
use marquee_app::checkout::Checkout;
use marquee_app::delivery::TicketDelivery;
use marquee_app::door::Door;
use marquee_app::holds::Holds;
use marquee_app::ports::{Clock, SystemClock};
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
pub fn holds(store: &Store, catalog: Arc<SaleCatalog>, expiry: HoldExpiryQueue) -> Arc<Holds> {
    Arc::new(Holds::new(
        catalog,
        Arc::new(store.clone()),
        Arc::new(expiry),
        clock(),
    ))
}

/// Sales (payments, refunds, cancellations) and the mail they trigger.
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
    Arc::new(Sales::new(
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        Arc::new(payments),
        delivery,
        clock(),
    ))
}

/// Checkout, over the holds and sales it completes.
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
        Arc::new(payments),
        sales,
        clock(),
        payment_window_seconds,
    ))
}

/// The door, checking codes with the venue keys in `keys`.
pub fn door(store: &Store, keys: crate::tickets::KeyCache) -> Arc<Door> {
    Arc::new(Door::new(
        Arc::new(crate::tickets::VenueCodes::new(store.clone(), keys)),
        Arc::new(store.clone()),
        clock(),
    ))
}

/// Payment events, each handled once, completing sales.
pub fn payment_webhook(store: &Store, sales: Arc<Sales>) -> Arc<PaymentWebhook> {
    Arc::new(PaymentWebhook::new(sales, Arc::new(store.clone()), clock()))
}
