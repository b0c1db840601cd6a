//! Holds: where it is decided who gets a seat. A cart (id plus secret token) holds seats and
//! general-admission places for several performances, up to the venue's limit, each for the
//! performance's hold time. The store's conditional transaction is the judge of every race;
//! this service decides what to ask it (which seats, which best-available block, how many
//! places), what to do when it refuses (clean up expired holds and try again, choose other
//! seats, give up), and what the expiry worker may release.

use crate::catalog::SaleCatalog;
use crate::jobs::HoldExpiryJob;
use crate::ports::{
    Catalog, Clock, HoldRefusal, HoldRequest, HoldStore, PlacesToHold, PortError, ReleaseBy,
    SeatToHold,
};
use crate::prepared::{PreparedLayout, TakenSeats, TtlCache};
use crate::retry::{Policy, retry};
use crate::tokens::{random_token, sha256_hex};
use chrono::Duration;
use marquee_domain::best_available::MAX_BEST_AVAILABLE;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::records::{
    CartRecord, CartStatus, HoldRecord, PAY_LATER_EXPIRED, PerformanceRecord,
};
use marquee_domain::seatmap::{AreaId, SeatId, ZoneId};
use marquee_domain::{CartId, Email, HoldId, Invalid, PerformanceId, TenantId};
use std::collections::HashSet;
use std::sync::Arc;

/// An abandoned cart disappears after this long.
pub const CART_LIFETIME_HOURS: i64 = 24;
/// Attempts of a best-available hold when the chosen seats are taken meanwhile.
const BEST_AVAILABLE_ATTEMPTS: usize = 5;
/// How long this instance keeps a performance's view of the taken seats once no search uses
/// it (while in use, it is re-read every [`crate::prepared::TAKEN_REFRESH`]).
const TAKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);
/// How long this instance keeps its copy of a cart it wrote or read, and how many. A copy
/// is used only while the cart's version still matches it (checked by the hold's write).
const CART_COPY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(30 * 60);
const CART_COPIES: usize = 4096;

/// Why a hold (or a release) was refused, in terms a patron or a clerk can act on.
#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    /// No such cart, or not this token's.
    #[error("no such cart")]
    CartNotFound,
    #[error("no such hold in the cart")]
    HoldNotFound,
    #[error("no such performance")]
    PerformanceNotFound,
    #[error("the cart is {0:?}, not open")]
    CartNotOpen(CartStatus),
    #[error("the performance is not on sale")]
    NotOnSale,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Seat ids that are not on the performance's map.
    #[error("unknown seats: {0:?}")]
    UnknownSeats(Vec<String>),
    /// The cart (or this performance's share of it) is full.
    #[error("the cart may hold {remaining} more tickets (at most {most})")]
    LimitExceeded { remaining: u32, most: u32 },
    #[error("seats are taken: {0:?}")]
    SeatsUnavailable(Vec<SeatId>),
    #[error("only {available} places are left in the area")]
    AreaFull { available: u32 },
    /// The cart changed since this instance's copy of it (the hold is decided again on the
    /// stored cart; a caller never sees this).
    #[error("the cart changed")]
    CartChanged,
    /// Best available found no block of that size.
    #[error("no seats together are available")]
    NoneTogether,
    /// Best available kept losing races for the blocks that are left.
    #[error("other patrons took the seats first")]
    OutRaced,
    /// Concurrent transactions kept conflicting: try again in a moment.
    #[error("too many concurrent transactions")]
    Busy,
    /// The performance changed since this instance's copy was read (retried once with a
    /// fresh copy before it is reported).
    #[error("the performance changed meanwhile")]
    PerformanceChanged,
    #[error(transparent)]
    Store(#[from] PortError),
}

/// A cart as its holder addresses it: the id and the hash of the token they were given.
#[derive(Debug, Clone)]
pub struct CartAccess {
    pub id: CartId,
    pub token_hash: String,
}

impl CartAccess {
    /// From the id in the path and the token in the header.
    pub fn new(id: CartId, token: &str) -> Self {
        let token = token.trim();
        Self {
            id,
            token_hash: sha256_hex(token),
        }
    }
}

/// What a hold asks for.
#[derive(Debug, Clone)]
pub enum HoldWanted {
    /// These seats, by id.
    Seats(Vec<String>),
    /// The best `quantity` seats together, in a zone or anywhere.
    BestAvailable { quantity: u32, zone: Option<String> },
    /// `quantity` places in a general-admission area.
    GeneralAdmission { area: String, quantity: u32 },
}

/// A new cart and the token only its holder gets.
#[derive(Debug)]
pub struct NewCart {
    pub cart: CartRecord,
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The cart with the holds that count: live ones while it is open, all once it is checked
/// out (they were extended for the payment), in the order they were held.
#[derive(Debug, Clone)]
pub struct CartContents {
    pub cart: CartRecord,
    pub holds: Vec<HoldRecord>,
}

impl CartContents {
    /// Tickets the cart may still add.
    pub fn remaining(&self) -> u32 {
        let held = u32::try_from(self.holds.len()).unwrap_or(u32::MAX);
        self.cart.limit.saturating_sub(held)
    }

    /// When the first hold expires (the countdown), if the cart holds anything.
    pub fn expires_at(&self) -> Option<i64> {
        self.holds.iter().map(|h| h.expires_at).min()
    }
}

/// What the expiry sweep (or a job from the queue) did with one cart.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExpirySweep {
    pub released: usize,
    /// 1 when the cart still holds something: it was filed again for its next hold's end.
    pub rescheduled: usize,
    pub cart_expired: bool,
    /// Reservations and payment links whose deadline passed unpaid: cancelled.
    pub orders_expired: usize,
}

/// What one run of the scheduled sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Carts that were due.
    pub carts: usize,
    pub released: usize,
    pub carts_expired: usize,
    /// Reservations and payment links cancelled at their deadline.
    pub orders_expired: usize,
}

/// Why a promo checkout's order was cancelled when its payment window ended.
pub const PROMO_CHECKOUT_ABANDONED: &str =
    "The payment window ended before the payment arrived; the promo code was released.";

pub struct Holds {
    catalog: Arc<SaleCatalog>,
    store: Arc<dyn HoldStore>,
    clock: Arc<dyn Clock>,
    /// Seats known to be taken, per performance, for best-available searches.
    taken: TtlCache<(TenantId, PerformanceId), TakenSeats>,
    /// Carts as this instance last wrote or read them (all their holds, live or not).
    carts: TtlCache<(TenantId, CartId), CartContents>,
}

impl Holds {
    pub fn new(
        catalog: Arc<SaleCatalog>,
        store: Arc<dyn HoldStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            store,
            clock,
            taken: TtlCache::new(TAKEN_LIFETIME, 256),
            carts: TtlCache::new(CART_COPY_LIFETIME, CART_COPIES),
        }
    }

    /// Starts a cart with the venue's ticket limit.
    pub async fn create_cart(&self, tenant: &TenantId) -> Result<NewCart, HoldError> {
        let new = self.new_cart(tenant, None).await?;
        self.store.create_cart(tenant, &new.cart).await?;
        Ok(new)
    }

    /// Starts a box office cart for `staff`: up to [`STAFF_CART_LIMIT`] tickets, held for
    /// [`STAFF_HOLD_SECONDS`], reached by staff without its token ([`Holds::staff_access`]).
    pub async fn create_staff_cart(
        &self,
        tenant: &TenantId,
        staff: &Email,
    ) -> Result<NewCart, HoldError> {
        let new = self.new_cart(tenant, Some(staff)).await?;
        self.store.create_cart(tenant, &new.cart).await?;
        Ok(new)
    }

    /// Staff access to one of the venue's box office carts (a patron's cart is not found).
    pub async fn staff_access(
        &self,
        tenant: &TenantId,
        cart: &CartId,
    ) -> Result<CartAccess, HoldError> {
        match self.store.cart(tenant, cart).await? {
            Some((cart, _)) if cart.staff.is_some() => Ok(CartAccess {
                id: cart.id,
                token_hash: cart.token_hash,
            }),
            _ => Err(HoldError::CartNotFound),
        }
    }

    /// Starts a cart with its first hold, in one write: the cart exists only if the hold
    /// was granted, so a refused hold (taken seats, a full area, a paused sale) leaves nothing.
    pub async fn create_cart_with_hold(
        &self,
        tenant: &TenantId,
        performance_id: &str,
        wanted: &HoldWanted,
    ) -> Result<(NewCart, Vec<HoldRecord>), HoldError> {
        let new = self.new_cart(tenant, None).await?;
        let access = CartAccess::new(new.cart.id.clone(), &new.token);
        let (holds, cart) = self
            .hold_with(
                tenant,
                &access,
                Cart::New(&new.cart),
                performance_id,
                wanted,
                Terms::Patron,
            )
            .await?;
        if let Some(cart) = cart {
            self.remember(
                tenant,
                &CartContents {
                    cart,
                    holds: holds.clone(),
                },
            );
        }
        Ok((new, holds))
    }

    /// A cart not yet written, with the venue's ticket limit (a box office cart's own for
    /// `staff`) and a fresh token.
    async fn new_cart(
        &self,
        tenant: &TenantId,
        staff: Option<&Email>,
    ) -> Result<NewCart, HoldError> {
        let venue = self
            .catalog
            .venue_cached(tenant)
            .await?
            .ok_or(HoldError::CartNotFound)?;
        let now = self.clock.now();
        let token = random_token(24);
        let expires_at = now + Duration::hours(CART_LIFETIME_HOURS);
        let limit = match staff {
            Some(_) => STAFF_CART_LIMIT,
            None => venue.settings.max_tickets_per_order,
        };
        let cart = CartRecord {
            id: CartId::generate(),
            token_hash: sha256_hex(&token),
            status: CartStatus::Open,
            limit,
            remaining: limit,
            perf_remaining: Default::default(),
            version: 0,
            order_id: None,
            promo: None,
            staff: staff.cloned(),
            created_at: now.to_rfc3339(),
            ttl: expires_at.timestamp(),
        };
        Ok(NewCart {
            cart,
            token,
            expires_at,
        })
    }

    /// The cart, if the token is its own (a wrong token is the same as no cart).
    pub async fn load(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
    ) -> Result<(CartRecord, Vec<HoldRecord>), HoldError> {
        match self.store.cart(tenant, &access.id).await? {
            Some((cart, holds)) if cart.token_hash == access.token_hash => Ok((cart, holds)),
            _ => Err(HoldError::CartNotFound),
        }
    }

    /// The cart with the holds that count now.
    pub async fn contents(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
    ) -> Result<CartContents, HoldError> {
        let (cart, holds) = self.load(tenant, access).await?;
        self.carts.put(
            (tenant.clone(), cart.id.clone()),
            Arc::new(CartContents {
                cart: cart.clone(),
                holds: holds.clone(),
            }),
        );
        Ok(self.show(cart, holds))
    }

    /// The holds that count, in order.
    fn show(&self, cart: CartRecord, holds: Vec<HoldRecord>) -> CartContents {
        let now = self.clock.now().timestamp_millis();
        let mut holds: Vec<HoldRecord> = holds
            .into_iter()
            .filter(|h| h.is_live(now) || cart.status != CartStatus::Open)
            .collect();
        holds.sort_by(|a, b| {
            (
                &a.created_at,
                &a.performance_id,
                a.spot.section(),
                seat_order(a),
            )
                .cmp(&(
                    &b.created_at,
                    &b.performance_id,
                    b.spot.section(),
                    seat_order(b),
                ))
        });
        CartContents { cart, holds }
    }

    /// Remembers the cart as a write left it, with all its holds.
    fn remember(&self, tenant: &TenantId, contents: &CartContents) {
        self.carts.put(
            (tenant.clone(), contents.cart.id.clone()),
            Arc::new(contents.clone()),
        );
    }

    /// Holds what is wanted and returns the cart as the hold leaves it. When this instance
    /// has a copy of the cart, the hold's write is conditioned on the cart being unchanged
    /// since, and the answer is built from the copy and what was written: the write is the
    /// only DynamoDB call. Without a copy, or when the cart has changed, it is decided on the
    /// stored cart and read back.
    pub async fn hold_and_show(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        performance_id: &str,
        wanted: &HoldWanted,
    ) -> Result<CartContents, HoldError> {
        let key = (tenant.clone(), access.id.clone());
        if let Some(copy) = self
            .carts
            .get(&key)
            .filter(|copy| copy.cart.token_hash == access.token_hash)
        {
            match self
                .hold_with(
                    tenant,
                    access,
                    Cart::Copy(&copy.cart),
                    performance_id,
                    wanted,
                    Terms::Patron,
                )
                .await
            {
                Ok((new, Some(cart))) => {
                    // The write was conditioned on the copy's version: the cart is the copy
                    // plus what was written.
                    let mut holds = copy.holds.clone();
                    holds.extend(new);
                    let contents = CartContents { cart, holds };
                    self.remember(tenant, &contents);
                    return Ok(self.show(contents.cart, contents.holds));
                }
                // A hold on a copy always returns the cart it left.
                Ok((_, None)) => {}
                Err(HoldError::CartChanged) => self.carts.remove(&key),
                Err(e) => return Err(e),
            }
        }
        self.hold(tenant, access, performance_id, wanted).await?;
        self.contents(tenant, access).await
    }

    /// Holds what is wanted of a performance for the cart, all or nothing, and arranges the
    /// clean-up after the hold time.
    pub async fn hold(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        performance_id: &str,
        wanted: &HoldWanted,
    ) -> Result<Vec<HoldRecord>, HoldError> {
        self.hold_with(
            tenant,
            access,
            Cart::Stored,
            performance_id,
            wanted,
            Terms::Patron,
        )
        .await
        .map(|(holds, _)| holds)
    }

    /// A hold for a box office cart ([`Holds::staff_access`]): held for
    /// [`STAFF_HOLD_SECONDS`], up to [`STAFF_CART_LIMIT`] tickets of a performance, and
    /// outside the performance's online sales window as long as it is on sale.
    pub async fn hold_for_staff(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        performance_id: &str,
        wanted: &HoldWanted,
    ) -> Result<Vec<HoldRecord>, HoldError> {
        self.hold_with(
            tenant,
            access,
            Cart::Stored,
            performance_id,
            wanted,
            Terms::Staff,
        )
        .await
        .map(|(holds, _)| holds)
    }

    /// A hold for `cart`; returns the holds and, for a new cart or a copy, the cart as the
    /// write left it.
    async fn hold_with(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        cart: Cart<'_>,
        performance_id: &str,
        wanted: &HoldWanted,
        terms: Terms,
    ) -> Result<(Vec<HoldRecord>, Option<CartRecord>), HoldError> {
        match self
            .hold_once(tenant, access, cart, performance_id, wanted, terms)
            .await
        {
            // This instance's copy was out of date (edited, or paused and resumed within the
            // cache's lifetime): decide again on a fresh one.
            Err(HoldError::PerformanceChanged) => {
                if let Ok(id) = PerformanceId::parse(performance_id) {
                    self.catalog.forget_performance(tenant, &id);
                }
                self.hold_once(tenant, access, cart, performance_id, wanted, terms)
                    .await
                    .map_err(|e| match e {
                        HoldError::PerformanceChanged => HoldError::Busy,
                        other => other,
                    })
            }
            other => other,
        }
    }

    async fn hold_once(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        cart: Cart<'_>,
        performance_id: &str,
        wanted: &HoldWanted,
        terms: Terms,
    ) -> Result<(Vec<HoldRecord>, Option<CartRecord>), HoldError> {
        let performance = self.performance(tenant, performance_id).await?;
        let now = self.clock.now();
        let selling = match terms {
            Terms::Patron => performance.schedule.is_selling(now),
            // The window sells before online sales open and after they close, until the
            // performance has started.
            Terms::Staff => now < performance.schedule.starts_at,
        };
        if performance.status != PerformanceStatus::OnSale || !selling {
            return Err(HoldError::NotOnSale);
        }
        let layout = self.catalog.layout(tenant, &performance).await?;
        let attempt = Attempt {
            holds: self,
            tenant,
            access,
            cart,
            performance: &performance,
            layout: &layout,
            terms,
        };
        let holds = match wanted {
            HoldWanted::Seats(seats) => attempt.explicit(seats).await?,
            HoldWanted::BestAvailable { quantity, zone } => {
                attempt.best_available(*quantity, zone.as_deref()).await?
            }
            HoldWanted::GeneralAdmission { area, quantity } => {
                attempt.general_admission(area, *quantity).await?
            }
        };
        // Nothing is sent for the clean-up: the cart's write put it in the expiry index,
        // where the scheduled sweep finds it (`Holds::sweep`).
        let count = u32::try_from(holds.len()).unwrap_or(u32::MAX);
        let after = attempt.cart_after(count);
        Ok((holds, after))
    }

    /// The patron gives one hold back.
    pub async fn release(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        hold_id: &str,
    ) -> Result<(), HoldError> {
        let (_, holds) = self.load(tenant, access).await?;
        let hold = HoldId::parse(hold_id)
            .ok()
            .and_then(|id| holds.into_iter().find(|h| h.hold_id == id))
            .ok_or(HoldError::HoldNotFound)?;
        let now = self.clock.now().timestamp_millis();
        let by = ReleaseBy::Patron(&access.token_hash);
        let released = retry(
            Policy::CONTENTION,
            |e| matches!(e, HoldRefusal::Contention),
            |_| self.store.release_hold(tenant, &access.id, &hold, by, now),
        )
        .await;
        match released {
            Ok(()) => Ok(()),
            Err(HoldRefusal::HoldGone) => Err(HoldError::HoldNotFound),
            Err(e) => Err(refusal(e, 0)),
        }
    }

    /// Files the cart for the sweep at `at` (epoch ms): a checkout whose places are kept
    /// until a deadline earlier than the cart's holds would have ended (a reservation) is
    /// cleaned up then, not at its old time.
    pub async fn sweep_cart_at(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        at: i64,
    ) -> Result<(), PortError> {
        self.store
            .file_for_expiry(tenant, cart, None, Some(at))
            .await
            .map(|_| ())
    }

    /// A job from the hold-expiry queue. Holds no longer send jobs (the sweep finds their
    /// carts in the expiry index); jobs sent before that are still honoured: the cart is
    /// cleaned up as the sweep would, which files it in the index if it holds anything.
    pub async fn release_expired(&self, job: &HoldExpiryJob) -> Result<ExpirySweep, PortError> {
        self.sweep_cart(&job.tenant, &job.cart_id).await
    }

    /// The scheduled sweep (every minute in AWS): cleans up every cart filed in the expiry
    /// index for a time that has come. A cart that fails stays filed, so the next sweep
    /// tries it again; the others are not held up by it, and the failure is returned after
    /// them (the function's error alarm sees it). Overlapping sweeps only repeat idempotent
    /// work.
    pub async fn sweep(&self) -> Result<SweepReport, PortError> {
        let now = self.clock.now().timestamp_millis();
        let mut report = SweepReport::default();
        let mut failure = None;
        for (tenant, cart) in self.store.carts_due(now).await? {
            report.carts += 1;
            match self.sweep_cart(&tenant, &cart).await {
                Ok(done) => {
                    report.released += done.released;
                    report.carts_expired += usize::from(done.cart_expired);
                    report.orders_expired += done.orders_expired;
                }
                Err(error) => {
                    tracing::warn!(%tenant, cart = %cart, %error, "cart not cleaned up; the next sweep tries again");
                    failure.get_or_insert(error);
                }
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    /// Cleans up one cart: releases its expired holds; files it again for its next live
    /// hold's end while it holds anything; otherwise marks a cart whose holds ran out as
    /// expired, or (emptied by its holder, or checked out) takes it out of the index.
    async fn sweep_cart(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
    ) -> Result<ExpirySweep, PortError> {
        let mut sweep = ExpirySweep::default();
        // Each release, and any hold racing the sweep, moves the cart's version: look again.
        for _ in 0..4 {
            let Some((cart, holds)) = self.store.cart(tenant, cart_id).await? else {
                return Ok(sweep); // discarded (TTL)
            };
            let now = self.clock.now().timestamp_millis();
            let mut next = None;
            let mut released_now = 0;
            for hold in &holds {
                if hold.is_live(now) {
                    next = Some(next.map_or(hold.expires_at, |n: i64| n.min(hold.expires_at)));
                } else if self
                    .release_expired_hold(tenant, cart_id, hold, now)
                    .await?
                {
                    released_now += 1;
                }
            }
            if released_now > 0 {
                sweep.released += released_now;
                continue; // each release moved the cart's version
            }
            if next.is_none()
                && let Some(order) = &cart.order_id
                && self
                    .store
                    .expire_pay_later_order(tenant, order, now, PAY_LATER_EXPIRED)
                    .await?
                    .is_some()
            {
                // A reservation or payment link whose deadline passed unpaid: its places were
                // released above (or by an earlier sweep) and the order is cancelled now.
                sweep.orders_expired += 1;
            }
            if next.is_none() && sweep.released > 0 && cart.status == CartStatus::Open {
                // The holder let them run out: the cart ends too, unless it changed meanwhile.
                if self
                    .store
                    .expire_cart(tenant, cart_id, cart.version)
                    .await?
                {
                    sweep.cart_expired = true;
                    return Ok(sweep);
                }
                continue;
            }
            if next.is_none()
                && cart.status == CartStatus::Checkout
                && cart.promo.is_some()
                && let Some(order) = &cart.order_id
            {
                // A promo code's use must not stay with a checkout nobody paid: the order
                // is cancelled (a payment that still arrives is refunded in full, as for
                // any cancelled order) and the use goes back to the code.
                self.store
                    .abandon_promo_checkout(tenant, order, PROMO_CHECKOUT_ABANDONED)
                    .await?;
            }
            sweep.rescheduled = usize::from(next.is_some());
            if self
                .store
                .file_for_expiry(tenant, cart_id, Some(cart.version), next)
                .await?
            {
                return Ok(sweep);
            }
        }
        // Still changing after four looks: leave it filed, whatever its version, for the
        // next live hold or a minute from now, rather than lose it.
        let now = self.clock.now().timestamp_millis();
        self.store
            .file_for_expiry(tenant, cart_id, None, Some(now + 60_000))
            .await?;
        Ok(sweep)
    }

    /// The worker releases one expired hold; whether it did (a hold gone meanwhile —
    /// released, sold, or handled by another sweep — is not an error).
    async fn release_expired_hold(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
        hold: &HoldRecord,
        now: i64,
    ) -> Result<bool, PortError> {
        let released = retry(
            Policy::CONTENTION,
            |e| matches!(e, HoldRefusal::Contention),
            |_| {
                self.store
                    .release_hold(tenant, cart_id, hold, ReleaseBy::Expiry, now)
            },
        )
        .await;
        match released {
            Ok(()) => Ok(true),
            Err(HoldRefusal::HoldGone | HoldRefusal::CartNotFound) => Ok(false),
            Err(HoldRefusal::Store(e)) => Err(e),
            Err(other) => Err(PortError::new("hold store", other.to_string())),
        }
    }

    async fn performance(
        &self,
        tenant: &TenantId,
        raw: &str,
    ) -> Result<Arc<PerformanceRecord>, HoldError> {
        let id = PerformanceId::parse(raw).map_err(|_| HoldError::PerformanceNotFound)?;
        self.catalog
            .published_cached(tenant, &id)
            .await?
            .ok_or(HoldError::PerformanceNotFound)
    }

    fn catalog_port(&self) -> &Arc<dyn Catalog> {
        self.catalog.port()
    }
}

/// The store's refusal as the service reports it.
fn refusal(e: HoldRefusal, most: u32) -> HoldError {
    match e {
        HoldRefusal::CartNotFound => HoldError::CartNotFound,
        HoldRefusal::CartNotOpen(status) => HoldError::CartNotOpen(status),
        HoldRefusal::NotOnSale => HoldError::NotOnSale,
        HoldRefusal::LimitExceeded { remaining } => HoldError::LimitExceeded { remaining, most },
        HoldRefusal::SeatsUnavailable(seats) => HoldError::SeatsUnavailable(seats),
        HoldRefusal::AreaFull { available } => HoldError::AreaFull { available },
        HoldRefusal::HoldGone => HoldError::HoldNotFound,
        // Arming was tried once already: something keeps changing the cart.
        HoldRefusal::Contention => HoldError::Busy,
        HoldRefusal::PerformanceChanged => HoldError::PerformanceChanged,
        HoldRefusal::CartChanged => HoldError::CartChanged,
        HoldRefusal::Store(e) => HoldError::Store(e),
    }
}

/// The cart a hold is for, as far as the caller knows it.
#[derive(Clone, Copy)]
enum Cart<'a> {
    /// Not written yet: the hold's write creates it (its first hold).
    New(&'a CartRecord),
    /// This instance's copy: the write is conditioned on the cart's version.
    Copy(&'a CartRecord),
    /// Known by id and token only.
    Stored,
}

/// What one hold attempt writes.
enum Operation<'a> {
    Seats(&'a [SeatToHold]),
    Places(PlacesToHold<'a>),
}

/// One hold request against one performance.
struct Attempt<'a> {
    holds: &'a Holds,
    tenant: &'a TenantId,
    access: &'a CartAccess,
    cart: Cart<'a>,
    performance: &'a PerformanceRecord,
    layout: &'a PreparedLayout,
    terms: Terms,
}

/// Whose terms a hold is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Terms {
    /// The performance's ticket limit and hold time, within its online sales window.
    Patron,
    /// The box office's: [`STAFF_CART_LIMIT`] and [`STAFF_HOLD_SECONDS`].
    Staff,
}

/// Tickets a box office cart may hold (a group at the window).
pub const STAFF_CART_LIMIT: u32 = 100;

/// How long a box office hold lasts: longer than a patron's, for a phone call or a queue
/// at the window. Released by the scheduled sweep like any other.
pub const STAFF_HOLD_SECONDS: u32 = 30 * 60;

impl Attempt<'_> {
    fn most(&self) -> u32 {
        match self.terms {
            Terms::Patron => self.performance.max_tickets_per_order,
            Terms::Staff => STAFF_CART_LIMIT,
        }
    }

    fn check_quantity(&self, quantity: usize) -> Result<(), HoldError> {
        if quantity == 0 {
            return Err(Invalid::new("quantity", "ask for at least one ticket").into());
        }
        if quantity > self.most() as usize {
            return Err(HoldError::LimitExceeded {
                remaining: self.most(),
                most: self.most(),
            });
        }
        Ok(())
    }

    /// Runs the write; on a full budget, releases this cart's expired holds (the expiry
    /// worker may not have run yet) and tries once more; retries conflicting transactions.
    async fn write(&self, operation: &Operation<'_>) -> Result<Vec<HoldRecord>, HoldRefusal> {
        let mut cleaned = false;
        loop {
            let result = retry(
                Policy::CONTENTION,
                |e| matches!(e, HoldRefusal::Contention),
                |_| self.write_once(operation),
            )
            .await;
            match result {
                // A new cart has no expired holds, and its budget was checked before writing.
                Err(HoldRefusal::LimitExceeded { .. })
                    if !cleaned && !matches!(self.cart, Cart::New(_)) =>
                {
                    cleaned = true;
                    if !self.release_expired_of_cart().await? {
                        return Err(HoldRefusal::LimitExceeded {
                            remaining: self.remaining().await?,
                        });
                    }
                }
                other => return other,
            }
        }
    }

    async fn write_once(&self, operation: &Operation<'_>) -> Result<Vec<HoldRecord>, HoldRefusal> {
        let now = self.holds.clock.now();
        let created_at = now.to_rfc3339();
        let count = match operation {
            Operation::Seats(seats) => seats.len(),
            Operation::Places(places) => places.hold_ids.len(),
        };
        let new_cart = match self.cart {
            Cart::New(cart) => {
                Some(self.first_hold_budget(cart, u32::try_from(count).unwrap_or(u32::MAX))?)
            }
            _ => None,
        };
        let cart_version = match self.cart {
            Cart::Copy(cart) => Some(cart.version),
            _ => None,
        };
        let request = HoldRequest {
            tenant: self.tenant,
            cart_id: &self.access.id,
            token_hash: &self.access.token_hash,
            performance: &self.performance.id,
            performance_updated_at: &self.performance.updated_at,
            performance_limit: self.most(),
            expires_at: self.expires_at(now),
            now: now.timestamp_millis(),
            created_at: &created_at,
            new_cart: new_cart.as_ref(),
            cart_version,
        };
        match operation {
            Operation::Seats(seats) => self.holds.store.hold_seats(&request, seats).await,
            Operation::Places(places) => self.holds.store.hold_places(&request, places).await,
        }
    }

    /// When a hold made at `now` ends (epoch ms).
    fn expires_at(&self, now: chrono::DateTime<chrono::Utc>) -> i64 {
        let seconds = match self.terms {
            Terms::Patron => self.performance.hold_seconds,
            Terms::Staff => STAFF_HOLD_SECONDS,
        };
        (now + Duration::seconds(i64::from(seconds))).timestamp_millis()
    }

    /// The new cart as its first hold of `count` tickets leaves it, or the refusal the store
    /// would give an existing cart with that budget.
    fn first_hold_budget(&self, cart: &CartRecord, count: u32) -> Result<CartRecord, HoldRefusal> {
        let remaining = cart.limit.min(self.most());
        if count > remaining {
            return Err(HoldRefusal::LimitExceeded { remaining });
        }
        Ok(self.taken_from(cart, count))
    }

    /// `cart` once a hold of `count` tickets of this performance is taken from its budget,
    /// as the store's write does it.
    fn taken_from(&self, cart: &CartRecord, count: u32) -> CartRecord {
        let mut cart = cart.clone();
        let key = self.performance.id.to_string();
        let for_performance = cart
            .perf_remaining
            .get(&key)
            .copied()
            .unwrap_or(self.most());
        cart.remaining = cart.remaining.saturating_sub(count);
        cart.perf_remaining
            .insert(key, for_performance.saturating_sub(count));
        cart.version += 1;
        cart
    }

    /// The cart as a granted hold of `count` tickets left it, when the caller knew it.
    fn cart_after(&self, count: u32) -> Option<CartRecord> {
        match self.cart {
            Cart::New(cart) | Cart::Copy(cart) => Some(self.taken_from(cart, count)),
            Cart::Stored => None,
        }
    }

    /// Releases this cart's holds whose time has passed; whether there were any.
    async fn release_expired_of_cart(&self) -> Result<bool, HoldRefusal> {
        let Some((_, holds)) = self.holds.store.cart(self.tenant, &self.access.id).await? else {
            return Ok(false);
        };
        let now = self.holds.clock.now().timestamp_millis();
        let mut any = false;
        for hold in holds.iter().filter(|h| !h.is_live(now)) {
            match self
                .holds
                .store
                .release_hold(self.tenant, &self.access.id, hold, ReleaseBy::Expiry, now)
                .await
            {
                Ok(()) => any = true,
                Err(HoldRefusal::HoldGone) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(any)
    }

    /// What the cart may still add for this performance, once cleaning up freed nothing:
    /// the cart's own limit and the performance's limit per order, less the live holds.
    async fn remaining(&self) -> Result<u32, PortError> {
        let Some((cart, holds)) = self.holds.store.cart(self.tenant, &self.access.id).await? else {
            return Ok(0);
        };
        let now = self.holds.clock.now().timestamp_millis();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let live = holds.iter().filter(|h| h.is_live(now));
        let all = count(live.clone().count());
        let here = count(
            live.filter(|h| h.performance_id == self.performance.id)
                .count(),
        );
        Ok(cart
            .limit
            .saturating_sub(all)
            .min(self.most().saturating_sub(here)))
    }

    async fn explicit(&self, raw: &[String]) -> Result<Vec<HoldRecord>, HoldError> {
        self.check_quantity(raw.len())?;
        let mut seen = HashSet::new();
        let mut seats = Vec::with_capacity(raw.len());
        let mut unknown = Vec::new();
        for id in raw {
            if !seen.insert(id.as_str()) {
                return Err(Invalid::new("seats", format!("'{id}' is listed twice")).into());
            }
            match self.locate(id) {
                Some(seat) => seats.push(seat),
                None => unknown.push(id.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(HoldError::UnknownSeats(unknown));
        }
        self.write(&Operation::Seats(&seats))
            .await
            .map_err(|e| refusal(e, self.most()))
    }

    fn locate(&self, raw: &str) -> Option<SeatToHold> {
        let id = SeatId::parse(raw).ok()?;
        let position = *self.layout.index.get(&id)?;
        let at = self.layout.map.seat_at(position)?;
        Some(SeatToHold {
            hold_id: HoldId::generate(),
            section: at.section.clone(),
            seat: id,
            zone: at.seat.zone.clone(),
        })
    }

    async fn best_available(
        &self,
        quantity: u32,
        zone: Option<&str>,
    ) -> Result<Vec<HoldRecord>, HoldError> {
        if quantity > MAX_BEST_AVAILABLE {
            return Err(Invalid::new(
                "quantity",
                format!("ask for at most {MAX_BEST_AVAILABLE} seats together"),
            )
            .into());
        }
        self.check_quantity(quantity as usize)?;
        let zone = match zone {
            Some(raw) => Some(
                ZoneId::parse(raw)
                    .ok()
                    .filter(|z| self.layout.map.zones.iter().any(|known| &known.id == z))
                    .ok_or_else(|| Invalid::new("zone", "is not a price zone of this seat map"))?,
            ),
            None => None,
        };
        let (mut taken, mut fresh) = self.taken_seats(false).await?;
        // Concurrent searches all want the same best block. Each request passes over the
        // seats this instance's other requests are writing, and after a lost race a
        // different random fifth of the free seats, so the racers spread over the next-best
        // blocks instead of colliding again and again.
        let salt: u64 = rand::random::<u64>() | 1;
        let mut lost_races = 0u64;
        for _ in 0..BEST_AVAILABLE_ATTEMPTS {
            let spread_salt = (lost_races > 0).then_some(salt ^ lost_races);
            let Some(choice) = self.choose(&taken, quantity, zone.as_ref(), spread_salt) else {
                if fresh {
                    return Err(HoldError::NoneTogether);
                }
                // A cached view may miss a seat released a moment ago: look once more.
                (taken, fresh) = self.taken_seats(true).await?;
                continue;
            };
            let seats: Vec<SeatToHold> = choice
                .iter()
                .filter_map(|id| self.locate(id.as_str()))
                .collect();
            let trying = taken.try_seats(&choice);
            let written = self.write(&Operation::Seats(&seats)).await;
            drop(trying);
            match written {
                Ok(holds) => {
                    taken.add(choice);
                    return Ok(holds);
                }
                // Someone was faster: the transaction's cancellation reasons name the seats;
                // count them as taken and choose again, without reading the sections again.
                Err(HoldRefusal::SeatsUnavailable(lost)) => {
                    lost_races += 1;
                    taken.add(lost);
                }
                Err(e) => return Err(refusal(e, self.most())),
            }
        }
        // Seats are left, but other patrons kept taking them first: worth trying again.
        Err(HoldError::OutRaced)
    }

    /// The best block not known to be taken: preferably one no other request of this
    /// instance is writing and, after a lost race (`spread_salt`), outside a random fifth of
    /// the seats; failing that, any block not known to be taken.
    fn choose(
        &self,
        taken: &TakenSeats,
        quantity: u32,
        zone: Option<&ZoneId>,
        spread_salt: Option<u64>,
    ) -> Option<Vec<SeatId>> {
        taken.view(|is_taken, is_tried| {
            let find = |skip: &dyn Fn(&SeatId) -> bool| {
                self.layout
                    .best
                    .find(quantity, zone, |seat| is_taken(seat) || skip(seat))
            };
            spread_salt
                .and_then(|salt| find(&|seat| is_tried(seat) || spread(seat, salt)))
                .or_else(|| find(is_tried))
                .or_else(|| find(&|_| false))
        })
    }

    /// This instance's view of the taken seats. It is read from the store the first time
    /// (by one request while the others wait), when `reload` asks for it, or when it is older
    /// than its refresh time and no other request is reading it already (the others go on
    /// with the last view meanwhile): an onsale does not re-read every section once per
    /// waiting request. Returns the view and whether it was just read.
    async fn taken_seats(&self, reload: bool) -> Result<(Arc<TakenSeats>, bool), PortError> {
        let key = (self.tenant.clone(), self.performance.id.clone());
        let view = self
            .holds
            .taken
            .get_or_insert_with(key.clone(), TakenSeats::unread);
        let mut read_here = false;
        view.first_read
            .get_or_try_init(|| async {
                read_here = true;
                self.read_taken(&view).await
            })
            .await?;
        if !read_here {
            if reload {
                self.read_taken(&view).await?;
            } else if let Some(claim) = view.claim_refresh() {
                self.read_taken(&view).await?;
                drop(claim);
            } else {
                return Ok((view, false));
            }
        }
        // Put back, so that a view in use does not reach the end of its lifetime.
        self.holds.taken.put(key, view.clone());
        Ok((view, true))
    }

    /// Reads every section's taken seats into `view`.
    async fn read_taken(&self, view: &TakenSeats) -> Result<(), PortError> {
        let sections: Vec<_> = self
            .layout
            .map
            .sections
            .iter()
            .map(|s| s.id.clone())
            .collect();
        let states = self
            .holds
            .catalog_port()
            .seat_states(self.tenant, &self.performance.id, &sections)
            .await?;
        let now = self.holds.clock.now().timestamp_millis();
        view.replace(
            states
                .into_iter()
                .filter(|(_, s)| !s.status(now).is_free())
                .map(|(id, _)| id),
        );
        Ok(())
    }

    async fn general_admission(
        &self,
        raw_area: &str,
        quantity: u32,
    ) -> Result<Vec<HoldRecord>, HoldError> {
        self.check_quantity(quantity as usize)?;
        let area = AreaId::parse(raw_area)
            .ok()
            .and_then(|id| self.layout.map.areas.iter().find(|a| a.id == id))
            .ok_or_else(|| {
                Invalid::new("areaId", "is not a general-admission area of this seat map")
            })?;
        if quantity > area.capacity {
            return Err(HoldError::AreaFull {
                available: area.capacity,
            });
        }
        let hold_ids: Vec<HoldId> = (0..quantity).map(|_| HoldId::generate()).collect();
        let places = PlacesToHold {
            area: &area.id,
            zone: &area.zone,
            capacity: self.performance.ga_capacity(area),
            hold_ids: &hold_ids,
        };
        self.write(&Operation::Places(places))
            .await
            .map_err(|e| refusal(e, self.most()))
    }
}

/// Orders seats of a row naturally: "A-2" before "A-10".
fn seat_order(hold: &HoldRecord) -> (String, u64) {
    let id = hold
        .spot
        .seat()
        .map(ToString::to_string)
        .unwrap_or_default();
    let digits: String = id
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (
        id.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned(),
        digits.parse().unwrap_or(0),
    )
}

/// Whether a seat is passed over in this attempt: about one in five, differently per
/// request and attempt (FNV-1a of the seat id, salted).
fn spread(seat: &SeatId, salt: u64) -> bool {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ salt;
    for byte in seat.as_str().bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash.is_multiple_of(5)
}

#[cfg(test)]
mod tests;
