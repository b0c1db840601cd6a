//! The ports: what the services need from the world, each a small trait named for what it
//! does. The real adapters live beside their technology — DynamoDB in `marquee-store`, SQS,
//! SES and Stripe in `marquee-platform` — and in-memory fakes in [`crate::fakes`].
//!
//! A port's error says what the service must decide on (a seat taken, a cart not open); any
//! other failure is a [`PortError`] that keeps its source for the logs.

use crate::jobs::MailJob;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::domains::{DnsFindings, DomainRecord};
use marquee_domain::promo::{PromoCode, PromoRecord, PromoRefusal};
use marquee_domain::records::{
    CartRecord, CartStatus, EventRecord, GaCapacity, HoldRecord, IssuedTicketRecord, OrderRecord,
    PerformanceRecord, RefundRecord, SeatMapRecord, SeatStateRecord, VenueRecord, WindowSale,
};
use marquee_domain::seatmap::{AreaId, SeatId, SectionId, ZoneId};
use marquee_domain::{
    CartId, ConnectedAccount, HoldId, Hostname, OrderId, OrderStatus, PerformanceId, PlatformFee,
    PlatformSettings, SeatMap, SeatMapId, TenantId, TicketId,
};
use std::collections::HashMap;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A port failed for a reason no rule decides on (the network, a throttled table, a bug).
#[derive(Debug, thiserror::Error)]
#[error("{what} failed")]
pub struct PortError {
    what: &'static str,
    retryable: bool,
    #[source]
    source: BoxError,
}

impl PortError {
    /// A failure of `what` (e.g. "DynamoDB") caused by `source`.
    pub fn new(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self {
            what,
            retryable: false,
            source: source.into(),
        }
    }

    /// A failure that may pass if the call is made again (throttling, a timeout, a 5xx).
    pub fn transient(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self {
            retryable: true,
            ..Self::new(what, source)
        }
    }

    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

/// The time, so services can be tested at any instant.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The venue's catalog as the sale needs it: read only.
#[async_trait]
pub trait Catalog: Send + Sync {
    async fn venue(&self, tenant: &TenantId) -> Result<Option<VenueRecord>, PortError>;
    async fn performance(
        &self,
        tenant: &TenantId,
        id: &PerformanceId,
    ) -> Result<Option<PerformanceRecord>, PortError>;
    async fn event(
        &self,
        tenant: &TenantId,
        id: &marquee_domain::EventId,
    ) -> Result<Option<EventRecord>, PortError>;
    async fn seat_map(
        &self,
        tenant: &TenantId,
        id: &SeatMapId,
    ) -> Result<Option<(SeatMapRecord, SeatMap)>, PortError>;
    /// The seats of a performance that have a state (held, sold, blocked), by section.
    async fn seat_states(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        sections: &[SectionId],
    ) -> Result<Vec<(SeatId, SeatStateRecord)>, PortError>;
    /// The operator's settings (the default platform fee, the refund policy); the defaults
    /// when the operator never set them.
    async fn platform_settings(&self) -> Result<PlatformSettings, PortError>;
}

/// What a hold asks the store for.
#[derive(Debug, Clone)]
pub struct HoldRequest<'a> {
    pub tenant: &'a TenantId,
    pub cart_id: &'a CartId,
    pub token_hash: &'a str,
    pub performance: &'a PerformanceId,
    /// The `updatedAt` of the performance as the hold was decided on: the write is refused
    /// with [`HoldRefusal::PerformanceChanged`] if the performance has changed since.
    pub performance_updated_at: &'a str,
    /// The performance's own ticket limit per order.
    pub performance_limit: u32,
    pub expires_at: i64,
    pub now: i64,
    pub created_at: &'a str,
    /// The cart does not exist yet: the hold creates it, exactly as given (its budget already
    /// reduced by this hold), in the same transaction, so a refused first hold leaves nothing.
    pub new_cart: Option<&'a CartRecord>,
    /// The cart's version in the caller's copy of it: the write is refused with
    /// [`HoldRefusal::CartChanged`] if the cart has changed since (`None`: whatever its
    /// version). With it, the caller knows the cart after the hold without reading it back.
    pub cart_version: Option<u32>,
}

/// A seat to hold, already located in the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatToHold {
    pub hold_id: HoldId,
    pub section: SectionId,
    pub seat: SeatId,
    pub zone: ZoneId,
}

/// Places in a general-admission area to hold.
#[derive(Debug, Clone)]
pub struct PlacesToHold<'a> {
    pub area: &'a AreaId,
    pub zone: &'a ZoneId,
    /// The area's capacity and its counter shards for this performance.
    pub capacity: GaCapacity,
    pub hold_ids: &'a [HoldId],
}

/// Who releases a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseBy<'a> {
    /// The patron, with the cart's token hash, while the cart is open.
    Patron(&'a str),
    /// The expiry worker, only once the hold's time has passed.
    Expiry,
    /// A cart that will not be sold (its payment went back): at once.
    Closing,
}

/// Why the store refused a hold or a release.
#[derive(Debug, thiserror::Error)]
pub enum HoldRefusal {
    /// No such cart, or the wrong token (the same to the caller).
    #[error("no such cart")]
    CartNotFound,
    #[error("the cart is {0:?}, not open")]
    CartNotOpen(CartStatus),
    #[error("the performance is not on sale")]
    NotOnSale,
    #[error("the cart may hold {remaining} more tickets")]
    LimitExceeded { remaining: u32 },
    #[error("seats are taken: {0:?}")]
    SeatsUnavailable(Vec<SeatId>),
    #[error("only {available} places are left in the area")]
    AreaFull { available: u32 },
    /// The hold is gone already (released, sold) or, for the worker, not yet expired.
    #[error("the hold is gone or not due")]
    HoldGone,
    /// Another transaction touched the same items at the same moment: try again.
    #[error("a concurrent transaction conflicted")]
    Contention,
    /// The performance changed (still on sale) since the copy the hold was decided on.
    #[error("the performance changed")]
    PerformanceChanged,
    /// The cart changed (another hold, a release, the sweep) since the caller's copy of it.
    #[error("the cart changed")]
    CartChanged,
    #[error(transparent)]
    Store(#[from] PortError),
}

/// Carts and their holds: the conditional writes that decide who gets a seat.
#[async_trait]
pub trait HoldStore: Send + Sync {
    async fn create_cart(&self, tenant: &TenantId, cart: &CartRecord) -> Result<(), PortError>;
    /// The cart and its holds (expired ones included), read consistently.
    async fn cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
    ) -> Result<Option<(CartRecord, Vec<HoldRecord>)>, PortError>;
    async fn hold(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        hold: &HoldId,
    ) -> Result<Option<HoldRecord>, PortError>;
    /// Holds explicit seats: all or none.
    async fn hold_seats(
        &self,
        request: &HoldRequest<'_>,
        seats: &[SeatToHold],
    ) -> Result<Vec<HoldRecord>, HoldRefusal>;
    /// Holds places of a general-admission area against its capacity: all or none.
    async fn hold_places(
        &self,
        request: &HoldRequest<'_>,
        places: &PlacesToHold<'_>,
    ) -> Result<Vec<HoldRecord>, HoldRefusal>;
    /// Releases one hold; its seat is freed only while it is still this hold's.
    async fn release_hold(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        hold: &HoldRecord,
        by: ReleaseBy<'_>,
        now: i64,
    ) -> Result<(), HoldRefusal>;
    /// Marks an open cart expired and takes it out of the expiry index, if it is still at
    /// `version` (nothing held or released since it was read). Whether it did.
    async fn expire_cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        version: u32,
    ) -> Result<bool, PortError>;
    /// Files the cart in the expiry index for the time `next` (epoch ms), or takes it out
    /// (`None`), if it is still at `version` (`None`: at any version). Whether it did. (A
    /// hold files its cart itself, in its own write, unless the cart is filed already.)
    async fn file_for_expiry(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        version: Option<u32>,
        next: Option<i64>,
    ) -> Result<bool, PortError>;
    /// The carts filed for expiry at `now` (epoch ms) or before.
    async fn carts_due(&self, now: i64) -> Result<Vec<(TenantId, CartId)>, PortError>;
    /// A checkout with a promo code whose payment window ended unpaid: its order, if still
    /// pending, is cancelled and the code's use given back (as `OrderStore::
    /// cancel_pending_order` does). Whether it was.
    async fn abandon_promo_checkout(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        reason: &str,
    ) -> Result<bool, PortError>;
    /// An order kept unpaid until a deadline (`OrderRecord::pay_later`) whose deadline is past
    /// at `now` (epoch ms): cancelled with `reason` if still pending. The order as stored
    /// afterwards when it is such an order and cancelled (now or by an earlier sweep), so
    /// that a repeat can finish what follows; `None` otherwise.
    async fn expire_pay_later_order(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        now: i64,
        reason: &str,
    ) -> Result<Option<OrderRecord>, PortError>;
}

/// What a checkout writes: the cart to `checkout`, its holds extended, the pending order.
#[derive(Debug)]
pub struct CheckoutWrite<'a> {
    pub tenant: &'a TenantId,
    pub cart_id: &'a CartId,
    pub token_hash: &'a str,
    /// The cart version read: the checkout applies to exactly the holds that were priced.
    pub cart_version: u32,
    pub holds: &'a [HoldRecord],
    /// The end of the payment window (epoch ms): every hold and its seat last until then.
    pub hold_until: i64,
    pub now: i64,
    pub order: &'a OrderRecord,
    /// The promo code the order uses: a use is counted in the same transaction, if the code
    /// is still at the version that priced the order and has a use left (in all, and for
    /// the order's email address when the code limits that).
    pub promo: Option<&'a PromoRecord>,
}

/// Why the store refused a checkout.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutRefusal {
    #[error("no such cart")]
    CartNotFound,
    #[error("the cart is not open")]
    CartNotOpen(CartStatus),
    /// The cart changed (a hold added or released) since it was read.
    #[error("the cart changed")]
    CartChanged,
    #[error("holds expired: {0:?}")]
    HoldsExpired(Vec<HoldId>),
    #[error("a concurrent transaction conflicted")]
    Contention,
    /// The promo code has no use left, in all or for this email address.
    #[error(transparent)]
    Promo(PromoRefusal),
    /// Staff edited or deleted the promo code since it was read.
    #[error("the promo code changed")]
    PromoChanged,
    #[error(transparent)]
    Store(#[from] PortError),
}

/// Promo codes, and the code a cart carries.
#[async_trait]
pub trait PromoStore: Send + Sync {
    /// The venue's codes, deleted ones included, by code.
    async fn promos(&self, tenant: &TenantId) -> Result<Vec<PromoRecord>, PortError>;
    async fn promo(
        &self,
        tenant: &TenantId,
        code: &PromoCode,
    ) -> Result<Option<PromoRecord>, PortError>;
    /// A new code; `Changed` if the venue has (or had) one with that name.
    async fn create_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), WriteRefusal>;
    /// The code with new terms (or deleted), if it is still at `promo.version`; the stored
    /// version goes up by one and its use count is left as it is.
    async fn replace_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), WriteRefusal>;
    /// Puts the code on an open cart, or takes it off; `Changed` if the cart is not open.
    async fn set_cart_promo(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        token_hash: &str,
        code: Option<&PromoCode>,
    ) -> Result<(), WriteRefusal>;
}

/// Why the store refused a sale.
#[derive(Debug, thiserror::Error)]
pub enum SaleRefusal {
    /// The order is no longer pending (already sold, cancelled or refunded).
    #[error("the order is not pending")]
    NotPending,
    /// Seats someone else holds or bought meanwhile; general-admission areas now full.
    #[error("places were lost: {seats:?} {areas:?}")]
    PlacesLost {
        seats: Vec<SeatId>,
        areas: Vec<AreaId>,
    },
    /// The state read before the transaction changed under it: read again and retry.
    #[error("the cart changed during the sale")]
    Stale,
    #[error("a concurrent transaction conflicted")]
    Contention,
    /// An exchange whose earlier tickets are no longer all valid (refunded, exchanged).
    #[error("the exchanged tickets changed")]
    ExchangeChanged,
    #[error(transparent)]
    Store(#[from] PortError),
}

/// A conditional write whose condition no longer held: the order changed meanwhile.
#[derive(Debug, thiserror::Error)]
pub enum WriteRefusal {
    #[error("the order is not in the expected state")]
    Changed,
    #[error(transparent)]
    Store(#[from] PortError),
}

/// A general-admission area's capacity (and shards), for the sale of places whose hold was
/// released.
pub type Capacities = HashMap<(PerformanceId, AreaId), GaCapacity>;

/// The sale of one order, as the store writes it.
#[derive(Debug)]
pub struct SaleWrite<'a> {
    pub tenant: &'a TenantId,
    pub order: &'a OrderRecord,
    pub holds: &'a [HoldRecord],
    pub capacities: &'a Capacities,
    pub now: i64,
    pub paid_at: &'a str,
    /// An exchange: the earlier order's tickets voided in the same transaction.
    pub exchange: Option<ExchangeSwap<'a>>,
}

/// The earlier order's side of an exchange, written in the sale's transaction: its tickets
/// voided and their places back on sale, conditional on the order as read.
#[derive(Debug)]
pub struct ExchangeSwap<'a> {
    pub order: &'a OrderRecord,
    pub tickets: &'a [TicketId],
    pub refund: &'a RefundRecord,
    pub status: OrderStatus,
}

/// A refund of tickets, as the store writes it.
#[derive(Debug)]
pub struct RefundWrite<'a> {
    pub tenant: &'a TenantId,
    pub order: &'a OrderRecord,
    pub tickets: &'a [TicketId],
    pub refund: &'a RefundRecord,
    pub status: OrderStatus,
}

/// Orders and their tickets: checkout, the sale, refunds.
#[async_trait]
pub trait OrderStore: Send + Sync {
    async fn checkout(&self, write: &CheckoutWrite<'_>) -> Result<(), CheckoutRefusal>;
    async fn order(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<Option<OrderRecord>, PortError>;
    /// Records the PaymentIntent of a pending order.
    async fn set_payment_intent(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        payment_intent: &str,
    ) -> Result<(), WriteRefusal>;
    /// The cart opens again with its holds and the order keeps the problem.
    async fn reopen_cart_after_failed_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        problem: &str,
    ) -> Result<(), WriteRefusal>;
    /// The order is cancelled unpaid; a promo code's use it counted is given back with it.
    async fn cancel_pending_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        reason: &str,
    ) -> Result<(), WriteRefusal>;
    /// How a pending box office order is being paid now (a reservation taken in cash or by
    /// card): its sale, the connected account and the platform fee; an earlier
    /// PaymentIntent is forgotten (the caller cancelled it). `Changed` unless the order is
    /// still pending at `order.version`; the version goes up by one.
    async fn set_window_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        sale: &WindowSale,
        stripe_account: Option<&str>,
        platform_fee: i64,
    ) -> Result<(), WriteRefusal>;
    /// Held places become sold, the tickets are issued and the order is paid: all or none.
    async fn sell_order(&self, write: &SaleWrite<'_>) -> Result<(), SaleRefusal>;
    /// A payment that bought nothing went back: the order is refunded with the reason.
    async fn record_unfulfilled_refund(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        refund: &RefundRecord,
        reason: &str,
    ) -> Result<(), WriteRefusal>;
    /// Frees whatever the cart still holds and closes it.
    async fn release_cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        holds: &[HoldRecord],
        now: i64,
    ) -> Result<(), PortError>;
    /// Tickets voided, places back on sale, the refund recorded: all or none.
    async fn refund_tickets(&self, write: &RefundWrite<'_>) -> Result<(), WriteRefusal>;
    /// The tickets issued for a performance.
    async fn performance_tickets(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Vec<IssuedTicketRecord>, PortError>;
}

/// Why the payment provider did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("payments are not configured")]
    Disabled,
    /// The provider refused the request (a 4xx with its error object).
    #[error("the payment provider refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// The provider could not be reached or failed (5xx, 429, timeouts): worth retrying.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
}

/// What a checkout asks the provider to charge.
#[derive(Debug, Clone)]
pub struct PaymentRequest<'a> {
    pub amount: i64,
    /// ISO 4217 code, any case.
    pub currency: &'a str,
    pub description: String,
    pub receipt_email: &'a str,
    /// Leads the webhook back to the order: tenant, order and cart ids.
    pub metadata: HashMap<String, String>,
    /// The same key returns the same PaymentIntent (a retried checkout never charges twice).
    pub idempotency_key: String,
    /// Whose PaymentIntent it is: the venue's connected account (a direct charge).
    pub account: PaymentAccount<'a>,
    /// The platform's fee, taken from the payment by the provider (0: none).
    pub application_fee: i64,
    /// A mail/telephone order keyed in by staff (`payment_method_options.card.moto`): exempt
    /// from 3-D Secure; only where the provider enabled MOTO on the account.
    pub moto: bool,
}

/// A PaymentIntent ready for the browser.
#[derive(Debug, Clone)]
pub struct CreatedPaymentIntent {
    pub id: String,
    pub client_secret: String,
}

/// A refund to make; the same key never refunds twice.
#[derive(Debug, Clone)]
pub struct RefundRequest<'a> {
    /// The account the payment was made on.
    pub account: PaymentAccount<'a>,
    pub payment_intent: &'a str,
    pub amount: i64,
    pub idempotency_key: String,
    pub metadata: HashMap<String, String>,
    /// Whether the platform's fee goes back in proportion too (direct charges only).
    pub refund_application_fee: bool,
}

/// Whose payments to look at: the platform's own provider account, or a venue's connected
/// account (Stripe Connect, once payment agreements land: `Stripe-Account: acct_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentAccount<'a> {
    Platform,
    Connected(&'a str),
}

impl<'a> PaymentAccount<'a> {
    /// The account an order's payment is on (`stripe_account`, or the platform's own).
    pub fn of(stripe_account: Option<&'a str>) -> Self {
        stripe_account.map_or(Self::Platform, Self::Connected)
    }
}

/// A payment the provider holds as succeeded, as reconciliation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SucceededPayment {
    pub payment_intent: String,
    /// What was received, in minor units.
    pub amount: i64,
    /// ISO 4217, any case.
    pub currency: String,
    /// When the PaymentIntent was created (Unix seconds).
    pub created: i64,
    /// What the checkout gave it: the tenant and order ids lead back to the order.
    pub metadata: HashMap<String, String>,
    /// How much of it went back already (refunds of any kind).
    pub amount_refunded: i64,
}

/// The card payment provider (Stripe).
#[async_trait]
pub trait Payments: Send + Sync {
    async fn create_payment_intent(
        &self,
        request: PaymentRequest<'_>,
    ) -> Result<CreatedPaymentIntent, PaymentError>;
    /// Cancels a PaymentIntent that will not be paid. Refused once it has succeeded.
    async fn cancel_payment_intent(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<(), PaymentError>;
    /// The refund's id.
    async fn refund(&self, request: RefundRequest<'_>) -> Result<String, PaymentError>;
    /// The client secret of a PaymentIntent still waiting to be paid (a payment link's
    /// page shows its card form); `None` once it succeeded, is processing or was cancelled.
    async fn payable_secret(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<Option<String>, PaymentError>;
    /// Every PaymentIntent of `account` created at or after `since` that succeeded, oldest
    /// pages first (all pages read).
    async fn succeeded_payments(
        &self,
        account: PaymentAccount<'_>,
        since: DateTime<Utc>,
    ) -> Result<Vec<SucceededPayment>, PaymentError>;
}

/// What the platform asks the provider to open for a venue: a connected account that takes
/// direct charges (the venue is the merchant of record, sees the full provider dashboard,
/// pays the provider's fees; the provider collects requirements and carries losses).
#[derive(Debug, Clone)]
pub struct AccountRequest<'a> {
    pub business_name: &'a str,
    pub email: Option<&'a str>,
    /// ISO 4217, any case.
    pub currency: &'a str,
    /// What the patron's card statement shows.
    pub statement_descriptor: String,
    pub metadata: HashMap<String, String>,
    /// One account per venue, even when the request is repeated.
    pub idempotency_key: String,
}

/// A connected account as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAccount {
    pub id: String,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    /// Currently due and past due, each once.
    pub requirements: Vec<String>,
    pub disabled_reason: Option<String>,
}

impl ProviderAccount {
    /// The requirements as one list: past due and currently due, sorted, each once.
    pub fn due(
        past_due: impl IntoIterator<Item = String>,
        currently_due: impl IntoIterator<Item = String>,
    ) -> Vec<String> {
        let mut due: Vec<String> = past_due.into_iter().chain(currently_due).collect();
        due.sort();
        due.dedup();
        due
    }

    /// The state to store, read at `now` (RFC 3339), after `previous`.
    pub fn into_record(self, now: String, previous: Option<&ConnectedAccount>) -> ConnectedAccount {
        ConnectedAccount {
            account_id: self.id,
            charges_enabled: self.charges_enabled,
            payouts_enabled: self.payouts_enabled,
            details_submitted: self.details_submitted,
            requirements: self.requirements,
            disabled_reason: self.disabled_reason,
            ever_enabled: false,
            updated_at: now,
        }
        .updated(previous)
    }
}

/// An amount in one currency (minor units, ISO 4217 in lower case as the provider says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub amount: i64,
    pub currency: String,
}

/// A connected account's balance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balance {
    pub available: Vec<Amount>,
    pub pending: Vec<Amount>,
}

/// Money sent from a connected account to the venue's bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub id: String,
    pub amount: Amount,
    /// `paid`, `pending`, `in_transit`, `canceled`, `failed`.
    pub status: String,
    /// Unix seconds.
    pub arrival_date: i64,
    pub created: i64,
}

/// Where a payment's money went, from the provider's balance transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentBreakdown {
    pub gross: i64,
    /// The provider's own processing fee.
    pub provider_fee: i64,
    /// The platform's fee.
    pub application_fee: i64,
    /// What the venue keeps.
    pub net: i64,
    pub currency: String,
}

/// The provider's connected accounts (Stripe Connect).
#[async_trait]
pub trait PaymentAccounts: Send + Sync {
    async fn create_account(
        &self,
        request: AccountRequest<'_>,
    ) -> Result<ProviderAccount, PaymentError>;
    async fn account(&self, id: &str) -> Result<ProviderAccount, PaymentError>;
    /// A single-use link to the provider's onboarding for the account; the venue comes back
    /// to `return_url`, or to `refresh_url` when the link expired.
    async fn onboarding_link(
        &self,
        account: &str,
        return_url: &str,
        refresh_url: &str,
    ) -> Result<String, PaymentError>;
    async fn balance(&self, account: &str) -> Result<Balance, PaymentError>;
    /// The newest payouts first.
    async fn payouts(&self, account: &str, limit: u8) -> Result<Vec<Payout>, PaymentError>;
    /// `None` while the payment has no balance transaction (not succeeded).
    async fn payment_breakdown(
        &self,
        account: PaymentAccount<'_>,
        payment_intent: &str,
    ) -> Result<Option<PaymentBreakdown>, PaymentError>;
}

/// What linking a new account to a venue found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    Linked,
    /// The venue had an account already (another request linked one first): use it.
    AlreadyLinked(ConnectedAccount),
}

/// Payment agreements as stored: the operator's settings, each venue's account and fee.
#[async_trait]
pub trait AgreementStore: Send + Sync {
    async fn put_platform_settings(&self, settings: &PlatformSettings) -> Result<(), PortError>;
    /// Sets or clears a venue's own fee; `false` when there is no such venue.
    async fn set_venue_fee(
        &self,
        tenant: &TenantId,
        fee: Option<PlatformFee>,
    ) -> Result<bool, PortError>;
    /// Gives the venue its account, only if it has none, and indexes the account's id.
    async fn link_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<LinkOutcome, PortError>;
    /// Stores a newer state of the venue's account (only the same account).
    async fn update_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<(), PortError>;
    /// The venue whose account this is.
    async fn tenant_for_account(&self, account_id: &str) -> Result<Option<TenantId>, PortError>;
    /// Every venue's account id, for reconciliation.
    async fn connected_accounts(&self) -> Result<Vec<(String, TenantId)>, PortError>;
}

/// The queue of mail for the mailer.
#[async_trait]
pub trait MailQueue: Send + Sync {
    async fn enqueue(&self, job: &MailJob) -> Result<(), PortError>;
}

/// A ticket code whose signature verified with the venue's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCode {
    pub performance: String,
    pub ticket: String,
}

/// Ticket codes: signed with the venue's key, checked at the door.
#[async_trait]
pub trait TicketCodes: Send + Sync {
    /// The code's contents if it is the venue's own and its signature verifies; `None` for
    /// anything else (another venue's code, a forged or altered one, not a code at all).
    async fn verify(
        &self,
        tenant: &TenantId,
        code: &str,
    ) -> Result<Option<VerifiedCode>, PortError>;
}

/// What the ticket's item said when it was scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    Admitted,
    /// Already inside: when and at which door.
    AlreadyUsed {
        at: Option<String>,
        door: Option<String>,
    },
    /// Checked out (re-entry allowed).
    Left,
    /// Scanned out but was not inside.
    NotInside,
    Refunded,
    Unknown,
}

/// The door's writes: admitting a ticket once, and the log.
#[async_trait]
pub trait DoorStore: Send + Sync {
    /// Checks a ticket in (`entering`) or out, by one conditional write.
    async fn scan_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
        entering: bool,
        door: Option<&str>,
        at: &str,
    ) -> Result<ScanOutcome, PortError>;
    async fn issued_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
    ) -> Result<Option<IssuedTicketRecord>, PortError>;
    async fn log_scan(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        record: &marquee_domain::records::ScanRecord,
    ) -> Result<(), PortError>;
}

/// The payment provider's events already handled, recorded after their effect (never as a
/// lock before it), so a redelivery of a handled event is recognised cheaply.
#[async_trait]
pub trait PaymentEvents: Send + Sync {
    /// Whether the event was handled (and recorded) before.
    async fn seen(&self, tenant: &TenantId, event_id: &str) -> Result<bool, PortError>;
    /// Notes the event as handled, with what came of it.
    async fn record(
        &self,
        tenant: &TenantId,
        event_id: &str,
        kind: &str,
        outcome: &str,
        remember_until: i64,
    ) -> Result<(), PortError>;
}

/// What DNS answers about a custom domain's two records (`_marquee.{hostname}` TXT and the
/// hostname's CNAME), from the resolvers the platform trusts.
#[async_trait]
pub trait DnsLookup: Send + Sync {
    async fn findings(&self, hostname: &Hostname) -> Result<DnsFindings, PortError>;
}

/// Where the edge stands with a hostname's certificate and routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeState {
    /// The certificate is being issued or the routing deployed.
    Issuing,
    /// Certificate issued and routing deployed: the hostname serves the venue's site.
    Deployed,
    /// The edge gave up (the reason, in its words).
    Failed(String),
}

/// The edge refused a hostname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeRefusal {
    /// Another distribution (possibly another AWS account's) already serves it.
    InUse,
}

/// The edge in front of custom domains: a tenant per hostname with a managed certificate
/// (CloudFront's multi-tenant distribution).
#[async_trait]
pub trait EdgeDomains: Send + Sync {
    /// Gives the hostname a tenant, or finds the one it already has; answers its id.
    async fn attach(&self, hostname: &Hostname) -> Result<Result<String, EdgeRefusal>, PortError>;
    async fn state(&self, edge_id: &str) -> Result<EdgeState, PortError>;
    /// Stops serving the hostname and removes its tenant; done when it is already gone.
    async fn detach(&self, edge_id: &str) -> Result<(), PortError>;
}

/// A claim added next to the venue's others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    Added,
    /// The venue already claims this hostname.
    Exists(Box<DomainRecord>),
    /// Another venue proved (or serves) this hostname.
    TakenElsewhere,
}

/// Custom domains as stored: each venue's claims, the global hostname claim and index, and
/// the schedule of checks.
#[async_trait]
pub trait DomainStore: Send + Sync {
    async fn add_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<AddOutcome, PortError>;
    async fn domain(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<Option<DomainRecord>, PortError>;
    async fn domains(&self, tenant: &TenantId) -> Result<Vec<DomainRecord>, PortError>;
    /// Claims whose next check is due at `now` (unix seconds), oldest first, at most `limit`.
    async fn due_domains(
        &self,
        now: i64,
        limit: usize,
    ) -> Result<Vec<(TenantId, Hostname)>, PortError>;
    /// Stores `record` as version `record.version + 1`, only if the stored one is still
    /// `record.version`; `false` when someone else wrote it first.
    async fn save_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, PortError>;
    /// Takes the hostname for the venue once it is proven: the first venue wins. `true` when
    /// it is (now or already) this venue's.
    async fn claim_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<bool, PortError>;
    /// Saves `record` (as `save_domain`) and maps its hostname to the venue, in one write.
    async fn activate_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, PortError>;
    /// Stops mapping the hostname to the venue and gives up its claim (only the venue's own).
    async fn release_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<(), PortError>;
    async fn delete_domain(&self, tenant: &TenantId, hostname: &Hostname) -> Result<(), PortError>;
}

/// A letter for a print-and-mail provider: the tickets as a US Letter PDF, the address.
#[derive(Clone)]
pub struct LetterRequest {
    /// The same for every attempt at the same letter, so the provider makes it once.
    pub idempotency_key: String,
    pub description: String,
    pub to: marquee_domain::PostalAddress,
    /// The sender's name on the envelope (the venue).
    pub from_name: String,
    /// Where the provider sends returned letters (the venue's return address).
    pub from: Option<marquee_domain::PostalAddress>,
    pub pdf: Vec<u8>,
    /// Comes back with the provider's tracking events (tenant, order id).
    pub metadata: HashMap<String, String>,
}

/// The provider's letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentLetter {
    /// e.g. `ltr_4868c3b754655f90`.
    pub id: String,
}

/// Printing and posting letters (Lob's letters API). Every failure is a `PortError`: the
/// letter's job is retried (with the same idempotency key) until it is accepted.
#[async_trait]
pub trait PrintMail: Send + Sync {
    async fn send_letter(&self, letter: &LetterRequest) -> Result<SentLetter, PortError>;
}

/// The US Letter PDF of an order's tickets, with the address where a window envelope shows
/// it (the ticket renderer, with the venue's signing key and fonts).
#[async_trait]
pub trait LetterRenderer: Send + Sync {
    async fn render_letter(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<Vec<u8>, PortError>;
}

/// A mailed order's fulfilment as stored on the order.
#[async_trait]
pub trait PostedMailStore: Send + Sync {
    async fn order(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<Option<OrderRecord>, PortError>;
    /// Writes the order's mail record if its letter is still `letter` (`None`: no letter
    /// recorded yet); `Changed` otherwise.
    async fn write_posted_mail(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        expected_letter: Option<&str>,
        mail: &marquee_domain::records::PostedMail,
    ) -> Result<(), WriteRefusal>;
}
