//! In-memory fakes of the ports, for fast unit tests of the services' logic: state
//! transitions, idempotency, error mapping and what happens when a port fails. They model
//! the store's conditions closely enough for that; the real conditions, transactions and
//! contention are tested against DynamoDB Local in the integration tests, and the product
//! path never runs on a fake.
//!
//! Every fake can be told to fail the n-th call of an operation ([`Faults::fail`]), so a
//! crash test reads like its story: "the payment succeeds, the store fails on the sale,
//! the provider redelivers, the order is paid once".

use crate::jobs::MailJob;
use crate::ports::{
    AccountRequest, AgreementStore, Amount, Balance, LinkOutcome, PaymentAccounts,
    PaymentBreakdown, Payout, ProviderAccount,
};
use crate::ports::{
    Catalog, CheckoutRefusal, CheckoutWrite, Clock, CreatedPaymentIntent, DoorStore, HoldRefusal,
    HoldRequest, HoldStore, MailQueue, OrderStore, PaymentAccount, PaymentError, PaymentEvents,
    PaymentRequest, Payments, PlacesToHold, PortError, PromoStore, RefundRequest, RefundWrite,
    ReleaseBy, SaleRefusal, SaleWrite, ScanOutcome, SeatToHold, SucceededPayment, TicketCodes,
    VerifiedCode, WriteRefusal,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::promo::{PromoCode, PromoRecord, PromoRefusal};
use marquee_domain::records::{
    CartRecord, CartStatus, EventRecord, HoldRecord, IssuedTicketRecord, OrderRecord,
    PerformanceRecord, RefundRecord, SeatMapRecord, SeatState, SeatStateRecord, Spot, TicketStatus,
    VenueRecord,
};
use marquee_domain::seatmap::{AreaId, SeatId, SectionId};
use marquee_domain::{
    CartId, EventId, HoldId, OrderId, OrderStatus, PerformanceId, SeatMap, SeatMapId, TenantId,
    TicketId,
};
use marquee_domain::{ConnectedAccount, PlatformFee, PlatformSettings};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

mod domains;
pub use domains::{FakeDns, FakeEdge, InMemoryDomains};

/// A refund of tickets as the store writes it: conditional on the order's version.
fn apply_refund(tables: &mut Tables, write: &RefundWrite<'_>) -> Result<(), WriteRefusal> {
    let tenant = write.tenant;
    let key = (tenant.clone(), write.order.id.clone());
    if tables
        .orders
        .get(&key)
        .is_none_or(|o| o.version != write.order.version)
    {
        return Err(WriteRefusal::Changed);
    }
    let mut order = write.order.clone();
    for ticket in &mut order.tickets {
        if !write.tickets.contains(&ticket.id) {
            continue;
        }
        ticket.status = TicketStatus::Refunded;
        match &ticket.spot {
            Spot::Seat { seat, .. } => {
                tables
                    .seats
                    .remove(&(tenant.clone(), ticket.performance_id.clone(), seat.clone()));
            }
            Spot::Area(area) => {
                if let Some((_, sold)) = tables.areas.get_mut(&(
                    tenant.clone(),
                    ticket.performance_id.clone(),
                    area.clone(),
                )) {
                    *sold = sold.saturating_sub(1);
                }
            }
        }
        if let Some(issued) = tables
            .issued
            .get_mut(&(tenant.clone(), ticket.performance_id.clone()))
        {
            for t in issued.iter_mut().filter(|t| t.ticket_id == ticket.id) {
                t.status = TicketStatus::Refunded;
            }
        }
    }
    order.status = write.status;
    order.refunded += write.refund.amount;
    order.refunds.push(write.refund.clone());
    order.version += 1;
    tables.orders.insert(key, order);
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding a fake's lock has failed already.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Scheduled failures: `fail("sell_order", 1)` makes the first `sell_order` call fail.
#[derive(Default)]
pub struct Faults {
    /// Per operation: calls made so far, and the call numbers that fail.
    plan: Mutex<HashMap<&'static str, (usize, Vec<usize>)>>,
    /// Per operation: the call numbers that panic (the process dies in the call, before
    /// its effect — as a hang cut by the function's timeout would).
    panics: Mutex<HashMap<&'static str, Vec<usize>>>,
}

impl Faults {
    /// The `nth` call (from 1) of `operation` fails.
    pub fn fail(&self, operation: &'static str, nth: usize) {
        let mut plan = lock(&self.plan);
        let entry = plan.entry(operation).or_default();
        entry.1.push(entry.0 + nth);
    }

    /// The `nth` call (from 1) of `operation` panics.
    pub fn panic(&self, operation: &'static str, nth: usize) {
        let calls = lock(&self.plan).get(operation).map_or(0, |(n, _)| *n);
        lock(&self.panics)
            .entry(operation)
            .or_default()
            .push(calls + nth);
    }

    /// How often `operation` was called.
    pub fn calls(&self, operation: &'static str) -> usize {
        lock(&self.plan).get(operation).map_or(0, |(n, _)| *n)
    }

    fn check(&self, operation: &'static str) -> Result<(), PortError> {
        let mut plan = lock(&self.plan);
        let entry = plan.entry(operation).or_default();
        entry.0 += 1;
        let call = entry.0;
        if lock(&self.panics)
            .get(operation)
            .is_some_and(|calls| calls.contains(&call))
        {
            drop(plan);
            panic!("{operation} panicked (fault injected)");
        }
        if entry.1.contains(&entry.0) {
            return Err(PortError::new(
                "fake",
                format!("{operation} failed (fault injected)"),
            ));
        }
        Ok(())
    }
}

/// A clock the test moves.
pub struct FakeClock(Mutex<DateTime<Utc>>);

impl FakeClock {
    pub fn at(now: DateTime<Utc>) -> Self {
        Self(Mutex::new(now))
    }

    pub fn advance(&self, by: chrono::Duration) {
        *lock(&self.0) += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

#[derive(Default)]
struct Tables {
    venues: HashMap<TenantId, VenueRecord>,
    events: HashMap<(TenantId, EventId), EventRecord>,
    performances: HashMap<(TenantId, PerformanceId), PerformanceRecord>,
    seat_maps: HashMap<(TenantId, SeatMapId), (SeatMapRecord, SeatMap)>,
    carts: HashMap<(TenantId, CartId), CartRecord>,
    holds: HashMap<(TenantId, CartId), BTreeMap<HoldId, HoldRecord>>,
    seats: HashMap<(TenantId, PerformanceId, SeatId), SeatStateRecord>,
    /// Per area: (held, sold).
    areas: HashMap<(TenantId, PerformanceId, AreaId), (u32, u32)>,
    orders: HashMap<(TenantId, OrderId), OrderRecord>,
    issued: HashMap<(TenantId, PerformanceId), Vec<IssuedTicketRecord>>,
    /// Payment provider events handled.
    provider_events: HashMap<(TenantId, String), String>,
    /// Per ticket: the door it was admitted at.
    doors: HashMap<TicketId, Option<String>>,
    scans: Vec<marquee_domain::records::ScanRecord>,
    platform: Option<PlatformSettings>,
    /// Connected account id → its venue.
    accounts: HashMap<String, TenantId>,
    /// The expiry index: when each filed cart is due (epoch ms).
    expiry_index: HashMap<(TenantId, CartId), i64>,
    promos: HashMap<(TenantId, PromoCode), PromoRecord>,
    /// Uses of a code per email address.
    promo_patrons: HashMap<(TenantId, PromoCode, String), u32>,
}

/// The table, in memory: catalog, carts, holds, seats and orders.
#[derive(Default)]
pub struct InMemoryStore {
    tables: Mutex<Tables>,
    /// Failures of any operation (a `PortError`).
    pub faults: Faults,
    /// Lost races of hold writes and releases (`HoldRefusal::Contention`), per operation.
    pub contention: Faults,
}

impl InMemoryStore {
    pub fn put_venue(&self, venue: VenueRecord) {
        lock(&self.tables).venues.insert(venue.id.clone(), venue);
    }

    /// Changes a venue's record in place (its settings, say).
    pub fn change_venue(&self, tenant: &TenantId, change: impl FnOnce(&mut VenueRecord)) {
        if let Some(venue) = lock(&self.tables).venues.get_mut(tenant) {
            change(venue);
        }
    }

    pub fn put_event(&self, tenant: &TenantId, event: EventRecord) {
        lock(&self.tables)
            .events
            .insert((tenant.clone(), event.id.clone()), event);
    }

    pub fn put_performance(&self, tenant: &TenantId, performance: PerformanceRecord) {
        lock(&self.tables)
            .performances
            .insert((tenant.clone(), performance.id.clone()), performance);
    }

    pub fn put_seat_map(&self, tenant: &TenantId, record: SeatMapRecord, map: SeatMap) {
        lock(&self.tables)
            .seat_maps
            .insert((tenant.clone(), record.id.clone()), (record, map));
    }

    pub fn set_performance_status(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        status: PerformanceStatus,
    ) {
        if let Some(p) = lock(&self.tables)
            .performances
            .get_mut(&(tenant.clone(), performance.clone()))
        {
            p.status = status;
        }
    }

    pub fn stored_performance(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Option<PerformanceRecord> {
        lock(&self.tables)
            .performances
            .get(&(tenant.clone(), performance.clone()))
            .cloned()
    }

    /// A seat's stored state, if it has one.
    pub fn seat(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        seat: &SeatId,
    ) -> Option<SeatStateRecord> {
        lock(&self.tables)
            .seats
            .get(&(tenant.clone(), performance.clone(), seat.clone()))
            .cloned()
    }

    /// A general-admission area's (held, sold).
    pub fn area(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        area: &AreaId,
    ) -> (u32, u32) {
        lock(&self.tables)
            .areas
            .get(&(tenant.clone(), performance.clone(), area.clone()))
            .copied()
            .unwrap_or_default()
    }

    pub fn stored_order(&self, tenant: &TenantId, order: &OrderId) -> Option<OrderRecord> {
        lock(&self.tables)
            .orders
            .get(&(tenant.clone(), order.clone()))
            .cloned()
    }

    /// How many carts exist (of every venue).
    pub fn cart_count(&self) -> usize {
        lock(&self.tables).carts.len()
    }

    pub fn stored_cart(&self, tenant: &TenantId, cart: &CartId) -> Option<CartRecord> {
        lock(&self.tables)
            .carts
            .get(&(tenant.clone(), cart.clone()))
            .cloned()
    }

    /// The tickets issued for a performance.
    pub fn performance_tickets_of(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Vec<IssuedTicketRecord> {
        lock(&self.tables)
            .issued
            .get(&(tenant.clone(), performance.clone()))
            .cloned()
            .unwrap_or_default()
    }

    /// The door's log.
    pub fn scans(&self) -> Vec<marquee_domain::records::ScanRecord> {
        lock(&self.tables).scans.clone()
    }

    /// Seats with a sold state, across performances.
    pub fn sold_seats(&self) -> usize {
        lock(&self.tables)
            .seats
            .values()
            .filter(|s| s.state == SeatState::Sold)
            .count()
    }
}

/// Whether a seat state lets a new hold take it at `now`.
fn seat_free(state: Option<&SeatStateRecord>, now: i64) -> bool {
    match state {
        None => true,
        Some(s) => s.state == SeatState::Held && s.expires_at.is_some_and(|at| at <= now),
    }
}

#[async_trait]
impl Catalog for InMemoryStore {
    async fn venue(&self, tenant: &TenantId) -> Result<Option<VenueRecord>, PortError> {
        self.faults.check("venue")?;
        Ok(lock(&self.tables).venues.get(tenant).cloned())
    }

    async fn performance(
        &self,
        tenant: &TenantId,
        id: &PerformanceId,
    ) -> Result<Option<PerformanceRecord>, PortError> {
        self.faults.check("performance")?;
        Ok(lock(&self.tables)
            .performances
            .get(&(tenant.clone(), id.clone()))
            .cloned())
    }

    async fn event(
        &self,
        tenant: &TenantId,
        id: &EventId,
    ) -> Result<Option<EventRecord>, PortError> {
        self.faults.check("event")?;
        Ok(lock(&self.tables)
            .events
            .get(&(tenant.clone(), id.clone()))
            .cloned())
    }

    async fn seat_map(
        &self,
        tenant: &TenantId,
        id: &SeatMapId,
    ) -> Result<Option<(SeatMapRecord, SeatMap)>, PortError> {
        self.faults.check("seat_map")?;
        Ok(lock(&self.tables)
            .seat_maps
            .get(&(tenant.clone(), id.clone()))
            .cloned())
    }

    async fn seat_states(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        sections: &[SectionId],
    ) -> Result<Vec<(SeatId, SeatStateRecord)>, PortError> {
        self.faults.check("seat_states")?;
        Ok(lock(&self.tables)
            .seats
            .iter()
            .filter(|((t, p, _), s)| {
                t == tenant && p == performance && sections.contains(&s.section)
            })
            .map(|((_, _, id), s)| (id.clone(), s.clone()))
            .collect())
    }

    async fn platform_settings(&self) -> Result<PlatformSettings, PortError> {
        self.faults.check("platform_settings")?;
        Ok(lock(&self.tables).platform.unwrap_or_default())
    }
}

#[async_trait]
impl AgreementStore for InMemoryStore {
    async fn put_platform_settings(&self, settings: &PlatformSettings) -> Result<(), PortError> {
        self.faults.check("put_platform_settings")?;
        lock(&self.tables).platform = Some(*settings);
        Ok(())
    }

    async fn set_venue_fee(
        &self,
        tenant: &TenantId,
        fee: Option<PlatformFee>,
    ) -> Result<bool, PortError> {
        self.faults.check("set_venue_fee")?;
        Ok(lock(&self.tables)
            .venues
            .get_mut(tenant)
            .map(|venue| venue.platform_fee = fee)
            .is_some())
    }

    async fn link_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<LinkOutcome, PortError> {
        self.faults.check("link_account")?;
        let mut tables = lock(&self.tables);
        let venue = tables
            .venues
            .get_mut(tenant)
            .ok_or_else(|| PortError::new("link_account", "no such venue"))?;
        if let Some(existing) = &venue.payments {
            return Ok(LinkOutcome::AlreadyLinked(existing.clone()));
        }
        venue.payments = Some(account.clone());
        tables
            .accounts
            .insert(account.account_id.clone(), tenant.clone());
        Ok(LinkOutcome::Linked)
    }

    async fn update_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<(), PortError> {
        self.faults.check("update_account")?;
        let mut tables = lock(&self.tables);
        match tables
            .venues
            .get_mut(tenant)
            .and_then(|v| v.payments.as_mut())
        {
            Some(stored) if stored.account_id == account.account_id => {
                *stored = account.clone();
                Ok(())
            }
            _ => Err(PortError::new("update_account", "not the venue's account")),
        }
    }

    async fn tenant_for_account(&self, account_id: &str) -> Result<Option<TenantId>, PortError> {
        self.faults.check("tenant_for_account")?;
        Ok(lock(&self.tables).accounts.get(account_id).cloned())
    }

    async fn connected_accounts(&self) -> Result<Vec<(String, TenantId)>, PortError> {
        self.faults.check("connected_accounts")?;
        Ok(lock(&self.tables)
            .accounts
            .iter()
            .map(|(a, t)| (a.clone(), t.clone()))
            .collect())
    }
}

impl Tables {
    /// The cart's condition for a hold, as the store's transaction checks it.
    fn take_from_cart(&mut self, request: &HoldRequest<'_>, count: u32) -> Result<(), HoldRefusal> {
        let key = (request.tenant.clone(), request.cart_id.clone());
        let stored = self
            .performances
            .get(&(request.tenant.clone(), request.performance.clone()));
        let on_sale = stored.is_some_and(|p| p.status == PerformanceStatus::OnSale);
        if on_sale && stored.is_some_and(|p| p.updated_at != request.performance_updated_at) {
            return Err(HoldRefusal::PerformanceChanged);
        }
        if request.new_cart.is_some() {
            // The store's conditional put: the cart must not exist yet.
            if self.carts.contains_key(&key) {
                return Err(HoldRefusal::CartNotFound);
            }
            return if on_sale {
                Ok(())
            } else {
                Err(HoldRefusal::NotOnSale)
            };
        }
        let cart = self.carts.get(&key).ok_or(HoldRefusal::CartNotFound)?;
        if cart.token_hash != request.token_hash {
            return Err(HoldRefusal::CartNotFound);
        }
        if cart.status != CartStatus::Open {
            return Err(HoldRefusal::CartNotOpen(cart.status));
        }
        if request.cart_version.is_some_and(|v| v != cart.version) {
            return Err(HoldRefusal::CartChanged);
        }
        let for_performance = cart
            .perf_remaining
            .get(request.performance.as_str())
            .copied()
            .unwrap_or(request.performance_limit);
        let remaining = cart.remaining.min(for_performance);
        if !on_sale {
            return Err(HoldRefusal::NotOnSale);
        }
        if remaining < count {
            return Err(HoldRefusal::LimitExceeded { remaining });
        }
        Ok(())
    }

    fn commit_take(&mut self, request: &HoldRequest<'_>, holds: &[HoldRecord]) {
        let count = u32::try_from(holds.len()).unwrap_or(u32::MAX);
        let key = (request.tenant.clone(), request.cart_id.clone());
        if let Some(new_cart) = request.new_cart {
            self.carts.insert(key.clone(), new_cart.clone());
        } else if let Some(cart) = self.carts.get_mut(&key) {
            cart.remaining -= count;
            let left = cart
                .perf_remaining
                .entry(request.performance.to_string())
                .or_insert(request.performance_limit);
            *left -= count;
            cart.version += 1;
        }
        // Filed for the sweep unless filed already, as the store's `if_not_exists`.
        self.expiry_index
            .entry(key.clone())
            .or_insert(request.expires_at);
        let entry = self.holds.entry(key).or_default();
        for hold in holds {
            entry.insert(hold.hold_id.clone(), hold.clone());
        }
    }
}

#[async_trait]
impl HoldStore for InMemoryStore {
    async fn create_cart(&self, tenant: &TenantId, cart: &CartRecord) -> Result<(), PortError> {
        self.faults.check("create_cart")?;
        lock(&self.tables)
            .carts
            .insert((tenant.clone(), cart.id.clone()), cart.clone());
        Ok(())
    }

    async fn cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
    ) -> Result<Option<(CartRecord, Vec<HoldRecord>)>, PortError> {
        self.faults.check("cart")?;
        let tables = lock(&self.tables);
        let key = (tenant.clone(), cart.clone());
        Ok(tables.carts.get(&key).map(|c| {
            let mut holds: Vec<HoldRecord> = tables
                .holds
                .get(&key)
                .map(|h| h.values().cloned().collect())
                .unwrap_or_default();
            holds.sort_by(|a, b| (&a.created_at, &a.hold_id).cmp(&(&b.created_at, &b.hold_id)));
            (c.clone(), holds)
        }))
    }

    async fn hold(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        hold: &HoldId,
    ) -> Result<Option<HoldRecord>, PortError> {
        self.faults.check("hold")?;
        Ok(lock(&self.tables)
            .holds
            .get(&(tenant.clone(), cart.clone()))
            .and_then(|h| h.get(hold))
            .cloned())
    }

    async fn hold_seats(
        &self,
        request: &HoldRequest<'_>,
        seats: &[SeatToHold],
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        self.faults.check("hold_seats")?;
        if self.contention.check("hold_seats").is_err() {
            return Err(HoldRefusal::Contention);
        }
        let mut tables = lock(&self.tables);
        let count = u32::try_from(seats.len()).unwrap_or(u32::MAX);
        let cart = tables.take_from_cart(request, count);
        if let Err(refusal @ (HoldRefusal::CartNotFound | HoldRefusal::CartNotOpen(_))) = cart {
            return Err(refusal);
        }
        if let Err(refusal @ HoldRefusal::NotOnSale) = cart {
            return Err(refusal);
        }
        let taken: Vec<SeatId> = seats
            .iter()
            .filter(|s| {
                let key = (
                    request.tenant.clone(),
                    request.performance.clone(),
                    s.seat.clone(),
                );
                !seat_free(tables.seats.get(&key), request.now)
            })
            .map(|s| s.seat.clone())
            .collect();
        if !taken.is_empty() {
            return Err(HoldRefusal::SeatsUnavailable(taken));
        }
        cart?;
        let holds: Vec<HoldRecord> = seats
            .iter()
            .map(|s| HoldRecord {
                hold_id: s.hold_id.clone(),
                performance_id: request.performance.clone(),
                spot: Spot::Seat {
                    section: s.section.clone(),
                    seat: s.seat.clone(),
                },
                shard: 0,
                zone: s.zone.clone(),
                expires_at: request.expires_at,
                created_at: request.created_at.to_owned(),
            })
            .collect();
        for s in seats {
            tables.seats.insert(
                (
                    request.tenant.clone(),
                    request.performance.clone(),
                    s.seat.clone(),
                ),
                SeatStateRecord {
                    seat: s.seat.clone(),
                    section: s.section.clone(),
                    state: SeatState::Held,
                    cart: Some(request.cart_id.clone()),
                    hold_id: Some(s.hold_id.clone()),
                    expires_at: Some(request.expires_at),
                    order: None,
                },
            );
        }
        tables.commit_take(request, &holds);
        Ok(holds)
    }

    async fn hold_places(
        &self,
        request: &HoldRequest<'_>,
        places: &PlacesToHold<'_>,
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        self.faults.check("hold_places")?;
        let mut tables = lock(&self.tables);
        let quantity = u32::try_from(places.hold_ids.len()).unwrap_or(u32::MAX);
        let cart = tables.take_from_cart(request, quantity);
        if let Err(
            refusal @ (HoldRefusal::CartNotFound
            | HoldRefusal::CartNotOpen(_)
            | HoldRefusal::NotOnSale),
        ) = cart
        {
            return Err(refusal);
        }
        let key = (
            request.tenant.clone(),
            request.performance.clone(),
            places.area.clone(),
        );
        let (held, sold) = tables.areas.get(&key).copied().unwrap_or_default();
        // One counter per area: the fake models the area's total, which is what the
        // services see; the store's shards are tested against DynamoDB Local.
        if held + sold + quantity > places.capacity.places {
            return Err(HoldRefusal::AreaFull {
                available: places.capacity.places.saturating_sub(held + sold),
            });
        }
        cart?;
        tables.areas.insert(key, (held + quantity, sold));
        let holds: Vec<HoldRecord> = places
            .hold_ids
            .iter()
            .map(|id| HoldRecord {
                hold_id: id.clone(),
                performance_id: request.performance.clone(),
                spot: Spot::Area(places.area.clone()),
                shard: 0,
                zone: places.zone.clone(),
                expires_at: request.expires_at,
                created_at: request.created_at.to_owned(),
            })
            .collect();
        tables.commit_take(request, &holds);
        Ok(holds)
    }

    async fn release_hold(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        hold: &HoldRecord,
        by: ReleaseBy<'_>,
        now: i64,
    ) -> Result<(), HoldRefusal> {
        self.faults.check("release_hold")?;
        if self.contention.check("release_hold").is_err() {
            return Err(HoldRefusal::Contention);
        }
        let mut tables = lock(&self.tables);
        let key = (tenant.clone(), cart.clone());
        let record = tables.carts.get(&key).ok_or(HoldRefusal::CartNotFound)?;
        if let ReleaseBy::Patron(token) = by {
            if record.token_hash != token {
                return Err(HoldRefusal::CartNotFound);
            }
            if record.status != CartStatus::Open {
                return Err(HoldRefusal::CartNotOpen(record.status));
            }
        }
        let stored = tables
            .holds
            .get(&key)
            .and_then(|h| h.get(&hold.hold_id))
            .cloned()
            .ok_or(HoldRefusal::HoldGone)?;
        if by == ReleaseBy::Expiry && stored.expires_at > now {
            return Err(HoldRefusal::HoldGone);
        }
        match &stored.spot {
            Spot::Seat { seat, .. } => {
                let seat_key = (tenant.clone(), stored.performance_id.clone(), seat.clone());
                let ours = tables.seats.get(&seat_key).is_some_and(|s| {
                    s.state == SeatState::Held
                        && s.cart.as_ref() == Some(cart)
                        && s.hold_id.as_ref() == Some(&stored.hold_id)
                });
                if ours {
                    tables.seats.remove(&seat_key);
                }
            }
            Spot::Area(area) => {
                let area_key = (tenant.clone(), stored.performance_id.clone(), area.clone());
                if let Some((held, _)) = tables.areas.get_mut(&area_key) {
                    *held = held.saturating_sub(1);
                }
            }
        }
        if let Some(h) = tables.holds.get_mut(&key) {
            h.remove(&stored.hold_id);
        }
        if let Some(c) = tables.carts.get_mut(&key) {
            c.remaining += 1;
            if let Some(left) = c.perf_remaining.get_mut(stored.performance_id.as_str()) {
                *left += 1;
            }
            c.version += 1;
        }
        Ok(())
    }

    async fn expire_cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        version: u32,
    ) -> Result<bool, PortError> {
        self.faults.check("expire_cart")?;
        let mut tables = lock(&self.tables);
        let key = (tenant.clone(), cart.clone());
        match tables.carts.get_mut(&key) {
            Some(c) if c.status == CartStatus::Open && c.version == version => {
                c.status = CartStatus::Expired;
                tables.expiry_index.remove(&key);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn abandon_promo_checkout(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        reason: &str,
    ) -> Result<bool, PortError> {
        self.faults.check("abandon_promo_checkout")?;
        let Some(stored) = lock(&self.tables)
            .orders
            .get(&(tenant.clone(), order.clone()))
            .cloned()
        else {
            return Ok(false);
        };
        if stored.status != OrderStatus::Pending || stored.promo.is_none() {
            return Ok(false);
        }
        match OrderStore::cancel_pending_order(self, tenant, &stored, reason).await {
            Ok(()) => Ok(true),
            Err(WriteRefusal::Changed) => Ok(false),
            Err(WriteRefusal::Store(e)) => Err(e),
        }
    }

    async fn expire_pay_later_order(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        now: i64,
        reason: &str,
    ) -> Result<Option<OrderRecord>, PortError> {
        self.faults.check("expire_pay_later_order")?;
        let mut tables = lock(&self.tables);
        let Some(stored) = tables.orders.get_mut(&(tenant.clone(), order.clone())) else {
            return Ok(None);
        };
        if !stored
            .pay_later
            .as_ref()
            .is_some_and(|p| p.has_expired(now))
        {
            return Ok(None);
        }
        match stored.status {
            OrderStatus::Pending => {
                stored.status = OrderStatus::Cancelled;
                stored.problem = Some(reason.to_owned());
                stored.version += 1;
                Ok(Some(stored.clone()))
            }
            OrderStatus::Cancelled => Ok(Some(stored.clone())),
            _ => Ok(None),
        }
    }

    async fn file_for_expiry(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        version: Option<u32>,
        next: Option<i64>,
    ) -> Result<bool, PortError> {
        self.faults.check("file_for_expiry")?;
        let mut tables = lock(&self.tables);
        let key = (tenant.clone(), cart.clone());
        let current = tables.carts.get(&key).map(|c| c.version);
        if current.is_none() || version.is_some_and(|v| Some(v) != current) {
            return Ok(false);
        }
        match next {
            Some(at) => tables.expiry_index.insert(key, at),
            None => tables.expiry_index.remove(&key),
        };
        Ok(true)
    }

    async fn carts_due(&self, now: i64) -> Result<Vec<(TenantId, CartId)>, PortError> {
        self.faults.check("carts_due")?;
        let tables = lock(&self.tables);
        let mut due: Vec<(TenantId, CartId)> = tables
            .expiry_index
            .iter()
            .filter(|(_, due)| **due <= now)
            .map(|(key, _)| key.clone())
            .collect();
        due.sort();
        Ok(due)
    }
}

impl InMemoryStore {
    /// When the cart is due in the expiry index, if it is filed.
    pub fn filed_for_expiry(&self, tenant: &TenantId, cart: &CartId) -> Option<i64> {
        lock(&self.tables)
            .expiry_index
            .get(&(tenant.clone(), cart.clone()))
            .copied()
    }
}

#[async_trait]
impl PromoStore for InMemoryStore {
    async fn promos(&self, tenant: &TenantId) -> Result<Vec<PromoRecord>, PortError> {
        self.faults.check("promos")?;
        Ok(lock(&self.tables)
            .promos
            .iter()
            .filter(|((t, _), _)| t == tenant)
            .map(|(_, p)| p.clone())
            .collect())
    }

    async fn promo(
        &self,
        tenant: &TenantId,
        code: &PromoCode,
    ) -> Result<Option<PromoRecord>, PortError> {
        self.faults.check("promo")?;
        Ok(lock(&self.tables)
            .promos
            .get(&(tenant.clone(), code.clone()))
            .cloned())
    }

    async fn create_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("create_promo")?;
        let mut tables = lock(&self.tables);
        let key = (tenant.clone(), promo.code.clone());
        if tables.promos.contains_key(&key) {
            return Err(WriteRefusal::Changed);
        }
        tables.promos.insert(key, promo.clone());
        Ok(())
    }

    async fn replace_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("replace_promo")?;
        let mut tables = lock(&self.tables);
        let stored = tables
            .promos
            .get_mut(&(tenant.clone(), promo.code.clone()))
            .filter(|p| p.version == promo.version)
            .ok_or(WriteRefusal::Changed)?;
        *stored = PromoRecord {
            uses: stored.uses,
            version: promo.version + 1,
            ..promo.clone()
        };
        Ok(())
    }

    async fn set_cart_promo(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        token_hash: &str,
        code: Option<&PromoCode>,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("set_cart_promo")?;
        let mut tables = lock(&self.tables);
        let cart = tables
            .carts
            .get_mut(&(tenant.clone(), cart.clone()))
            .filter(|c| c.token_hash == token_hash && c.status == CartStatus::Open)
            .ok_or(WriteRefusal::Changed)?;
        cart.promo = code.cloned();
        cart.version += 1;
        Ok(())
    }
}

#[async_trait]
impl OrderStore for InMemoryStore {
    async fn checkout(&self, write: &CheckoutWrite<'_>) -> Result<(), CheckoutRefusal> {
        self.faults.check("checkout")?;
        let mut tables = lock(&self.tables);
        let key = (write.tenant.clone(), write.cart_id.clone());
        let cart = tables
            .carts
            .get(&key)
            .ok_or(CheckoutRefusal::CartNotFound)?;
        if cart.token_hash != write.token_hash {
            return Err(CheckoutRefusal::CartNotFound);
        }
        if cart.status != CartStatus::Open {
            return Err(CheckoutRefusal::CartNotOpen(cart.status));
        }
        if cart.version != write.cart_version {
            return Err(CheckoutRefusal::CartChanged);
        }
        let stored = tables.holds.get(&key).cloned().unwrap_or_default();
        let expired: Vec<HoldId> = write
            .holds
            .iter()
            .filter(|h| {
                stored
                    .get(&h.hold_id)
                    .is_none_or(|s| s.expires_at <= write.now)
            })
            .map(|h| h.hold_id.clone())
            .collect();
        if !expired.is_empty() {
            return Err(CheckoutRefusal::HoldsExpired(expired));
        }
        let order_key = (write.tenant.clone(), write.order.id.clone());
        if tables.orders.contains_key(&order_key) {
            return Err(PortError::new("fake", "the order exists already").into());
        }
        if let Some(promo) = write.promo {
            let code_key = (write.tenant.clone(), promo.code.clone());
            let stored = tables
                .promos
                .get(&code_key)
                .ok_or(CheckoutRefusal::PromoChanged)?;
            if stored.version != promo.version || stored.retired {
                return Err(CheckoutRefusal::PromoChanged);
            }
            if stored.max_uses.is_some_and(|max| stored.uses >= max) {
                return Err(CheckoutRefusal::Promo(PromoRefusal::Exhausted));
            }
            let patron_key = (
                write.tenant.clone(),
                promo.code.clone(),
                write.order.email.to_lowercase(),
            );
            let used = tables.promo_patrons.get(&patron_key).copied().unwrap_or(0);
            if stored.per_patron.is_some_and(|per| used >= per) {
                return Err(CheckoutRefusal::Promo(PromoRefusal::PatronLimit));
            }
            if stored.per_patron.is_some() {
                tables.promo_patrons.insert(patron_key, used + 1);
            }
            if let Some(stored) = tables.promos.get_mut(&code_key) {
                stored.uses += 1;
            }
        }
        for hold in write.holds {
            if let Some(h) = tables
                .holds
                .get_mut(&key)
                .and_then(|h| h.get_mut(&hold.hold_id))
            {
                h.expires_at = write.hold_until;
            }
            if let Spot::Seat { seat, .. } = &hold.spot
                && let Some(s) = tables.seats.get_mut(&(
                    write.tenant.clone(),
                    hold.performance_id.clone(),
                    seat.clone(),
                ))
            {
                s.expires_at = Some(write.hold_until);
            }
        }
        if let Some(c) = tables.carts.get_mut(&key) {
            c.status = CartStatus::Checkout;
            c.order_id = Some(write.order.id.clone());
            c.version += 1;
        }
        tables.orders.insert(order_key, write.order.clone());
        Ok(())
    }

    async fn order(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<Option<OrderRecord>, PortError> {
        self.faults.check("order")?;
        Ok(self.stored_order(tenant, id))
    }

    async fn set_payment_intent(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        payment_intent: &str,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("set_payment_intent")?;
        let mut tables = lock(&self.tables);
        let order = tables
            .orders
            .get_mut(&(tenant.clone(), order.clone()))
            .filter(|o| o.status == OrderStatus::Pending)
            .ok_or(WriteRefusal::Changed)?;
        order.payment_intent = Some(payment_intent.to_owned());
        order.version += 1;
        Ok(())
    }

    async fn reopen_cart_after_failed_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        problem: &str,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("reopen_cart_after_failed_payment")?;
        let mut tables = lock(&self.tables);
        let cart_key = (tenant.clone(), order.cart_id.clone());
        let order_key = (tenant.clone(), order.id.clone());
        let cart_ok = tables.carts.get(&cart_key).is_some_and(|c| {
            c.status == CartStatus::Checkout && c.order_id.as_ref() == Some(&order.id)
        });
        let order_ok = tables
            .orders
            .get(&order_key)
            .is_some_and(|o| o.status == OrderStatus::Pending);
        if !(cart_ok && order_ok) {
            return Err(WriteRefusal::Changed);
        }
        if let Some(c) = tables.carts.get_mut(&cart_key) {
            c.status = CartStatus::Open;
            c.version += 1;
        }
        if let Some(o) = tables.orders.get_mut(&order_key) {
            o.problem = Some(problem.to_owned());
        }
        Ok(())
    }

    async fn cancel_pending_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        reason: &str,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("cancel_pending_order")?;
        let mut tables = lock(&self.tables);
        let stored = tables
            .orders
            .get_mut(&(tenant.clone(), order.id.clone()))
            .filter(|o| o.status == OrderStatus::Pending)
            .ok_or(WriteRefusal::Changed)?;
        stored.status = OrderStatus::Cancelled;
        stored.problem = Some(reason.to_owned());
        stored.version += 1;
        if let Some(promo) = &order.promo {
            if let Some(p) = tables.promos.get_mut(&(tenant.clone(), promo.code.clone())) {
                p.uses = p.uses.saturating_sub(1);
            }
            if promo.per_patron
                && let Some(used) = tables.promo_patrons.get_mut(&(
                    tenant.clone(),
                    promo.code.clone(),
                    order.email.to_lowercase(),
                ))
            {
                *used = used.saturating_sub(1);
            }
        }
        Ok(())
    }

    async fn set_window_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        sale: &marquee_domain::records::WindowSale,
        stripe_account: Option<&str>,
        platform_fee: i64,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("set_window_payment")?;
        let mut tables = lock(&self.tables);
        let stored = tables
            .orders
            .get_mut(&(tenant.clone(), order.id.clone()))
            .filter(|o| o.status == OrderStatus::Pending && o.version == order.version)
            .ok_or(WriteRefusal::Changed)?;
        stored.sale = Some(sale.clone());
        stored.stripe_account = stripe_account.map(str::to_owned);
        stored.platform_fee = platform_fee;
        stored.payment_intent = None;
        stored.version += 1;
        Ok(())
    }

    async fn sell_order(&self, write: &SaleWrite<'_>) -> Result<(), SaleRefusal> {
        self.faults.check("sell_order")?;
        let mut tables = lock(&self.tables);
        let tenant = write.tenant;
        let order_key = (tenant.clone(), write.order.id.clone());
        if tables
            .orders
            .get(&order_key)
            .is_none_or(|o| o.status != OrderStatus::Pending)
        {
            return Err(SaleRefusal::NotPending);
        }
        let live: HashMap<&HoldId, &HoldRecord> =
            write.holds.iter().map(|h| (&h.hold_id, h)).collect();
        let mut lost_seats = Vec::new();
        let mut lost_areas = Vec::new();
        let mut fresh_places: HashMap<(PerformanceId, AreaId), u32> = HashMap::new();
        let mut kept_places: HashMap<(PerformanceId, AreaId), u32> = HashMap::new();
        for ticket in &write.order.tickets {
            match &ticket.spot {
                Spot::Seat { seat, .. } => {
                    let key = (tenant.clone(), ticket.performance_id.clone(), seat.clone());
                    let ok = match tables.seats.get(&key) {
                        None => true,
                        Some(s) => {
                            s.state == SeatState::Held
                                && (s.expires_at.is_some_and(|at| at <= write.now)
                                    || (s.cart.as_ref() == Some(&write.order.cart_id)
                                        && s.hold_id.as_ref() == Some(&ticket.hold_id)))
                        }
                    };
                    if !ok {
                        lost_seats.push(seat.clone());
                    }
                }
                Spot::Area(area) => {
                    let key = (ticket.performance_id.clone(), area.clone());
                    if live.contains_key(&ticket.hold_id) {
                        *kept_places.entry(key).or_default() += 1;
                    } else {
                        *fresh_places.entry(key).or_default() += 1;
                    }
                }
            }
        }
        for ((performance, area), fresh) in &fresh_places {
            let (held, sold) = tables
                .areas
                .get(&(tenant.clone(), performance.clone(), area.clone()))
                .copied()
                .unwrap_or_default();
            let capacity = write
                .capacities
                .get(&(performance.clone(), area.clone()))
                .map_or(0, |c| c.places);
            if held + sold + fresh > capacity {
                lost_areas.push(area.clone());
            }
        }
        if !lost_seats.is_empty() || !lost_areas.is_empty() {
            return Err(SaleRefusal::PlacesLost {
                seats: lost_seats,
                areas: lost_areas,
            });
        }
        if let Some(swap) = &write.exchange {
            let earlier = (tenant.clone(), swap.order.id.clone());
            if tables
                .orders
                .get(&earlier)
                .is_none_or(|o| o.version != swap.order.version)
            {
                return Err(SaleRefusal::Stale);
            }
        }
        for ticket in &write.order.tickets {
            if let Spot::Seat { section, seat } = &ticket.spot {
                tables.seats.insert(
                    (tenant.clone(), ticket.performance_id.clone(), seat.clone()),
                    SeatStateRecord {
                        seat: seat.clone(),
                        section: section.clone(),
                        state: SeatState::Sold,
                        cart: Some(write.order.cart_id.clone()),
                        hold_id: None,
                        expires_at: None,
                        order: Some(write.order.id.to_string()),
                    },
                );
            }
        }
        for ((performance, area), kept) in kept_places {
            let entry = tables
                .areas
                .entry((tenant.clone(), performance, area))
                .or_default();
            entry.0 = entry.0.saturating_sub(kept);
            entry.1 += kept;
        }
        for ((performance, area), fresh) in fresh_places {
            let entry = tables
                .areas
                .entry((tenant.clone(), performance, area))
                .or_default();
            entry.1 += fresh;
        }
        let cart_key = (tenant.clone(), write.order.cart_id.clone());
        if let Some(holds) = tables.holds.get_mut(&cart_key) {
            for ticket in &write.order.tickets {
                holds.remove(&ticket.hold_id);
            }
        }
        if let Some(c) = tables.carts.get_mut(&cart_key) {
            c.status = CartStatus::Completed;
            c.version += 1;
        }
        tables.expiry_index.remove(&cart_key);
        let mut sold = write.order.clone();
        sold.status = OrderStatus::Paid;
        sold.paid_at = Some(write.paid_at.to_owned());
        sold.problem = None;
        sold.version += 1;
        for ticket in &mut sold.tickets {
            ticket.status = TicketStatus::Valid;
        }
        for ticket in &sold.tickets {
            tables
                .issued
                .entry((tenant.clone(), ticket.performance_id.clone()))
                .or_default()
                .push(IssuedTicketRecord {
                    ticket_id: ticket.id.clone(),
                    order_id: sold.id.clone(),
                    order_number: sold.number.clone(),
                    performance_id: ticket.performance_id.clone(),
                    status: TicketStatus::Valid,
                    price: ticket.price,
                    fees: ticket.fees,
                    place: ticket.place.clone(),
                    price_type: ticket.price_type.clone(),
                    inside: false,
                    admissions: 0,
                    admitted_at: None,
                });
        }
        tables.orders.insert(order_key, sold);
        if let Some(swap) = &write.exchange {
            // Checked above, under the same lock: the earlier order is as read.
            apply_refund(
                &mut tables,
                &RefundWrite {
                    tenant,
                    order: swap.order,
                    tickets: swap.tickets,
                    refund: swap.refund,
                    status: swap.status,
                },
            )
            .map_err(|_| SaleRefusal::Stale)?;
        }
        Ok(())
    }

    async fn record_unfulfilled_refund(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        refund: &RefundRecord,
        reason: &str,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("record_unfulfilled_refund")?;
        let mut tables = lock(&self.tables);
        let stored = tables
            .orders
            .get_mut(&(tenant.clone(), order.id.clone()))
            .filter(|o| matches!(o.status, OrderStatus::Pending | OrderStatus::Cancelled))
            .ok_or(WriteRefusal::Changed)?;
        stored.status = OrderStatus::Refunded;
        stored.refunded = refund.amount;
        stored.refunds.push(refund.clone());
        stored.problem = Some(reason.to_owned());
        stored.version += 1;
        Ok(())
    }

    async fn release_cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        holds: &[HoldRecord],
        now: i64,
    ) -> Result<(), PortError> {
        self.faults.check("release_cart")?;
        for hold in holds {
            match self
                .release_hold(tenant, cart, hold, ReleaseBy::Closing, now)
                .await
            {
                Ok(()) | Err(HoldRefusal::HoldGone) => {}
                Err(HoldRefusal::Store(e)) => return Err(e),
                Err(_) => {}
            }
        }
        if let Some(c) = lock(&self.tables)
            .carts
            .get_mut(&(tenant.clone(), cart.clone()))
            && c.status != CartStatus::Completed
        {
            c.status = CartStatus::Expired;
        }
        Ok(())
    }

    async fn refund_tickets(&self, write: &RefundWrite<'_>) -> Result<(), WriteRefusal> {
        self.faults.check("refund_tickets")?;
        let mut tables = lock(&self.tables);
        apply_refund(&mut tables, write)
    }

    async fn performance_tickets(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Vec<IssuedTicketRecord>, PortError> {
        self.faults.check("performance_tickets")?;
        Ok(lock(&self.tables)
            .issued
            .get(&(tenant.clone(), performance.clone()))
            .cloned()
            .unwrap_or_default())
    }
}

#[async_trait]
impl DoorStore for InMemoryStore {
    async fn scan_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
        entering: bool,
        door: Option<&str>,
        at: &str,
    ) -> Result<ScanOutcome, PortError> {
        self.faults.check("scan_ticket")?;
        let mut tables = lock(&self.tables);
        let tables = &mut *tables;
        let Some(issued) = tables
            .issued
            .get_mut(&(tenant.clone(), performance.clone()))
            .and_then(|all| all.iter_mut().find(|t| &t.ticket_id == ticket))
        else {
            return Ok(ScanOutcome::Unknown);
        };
        if issued.status == TicketStatus::Refunded {
            return Ok(ScanOutcome::Refunded);
        }
        if issued.status != TicketStatus::Valid {
            return Ok(ScanOutcome::Unknown);
        }
        Ok(match (entering, issued.inside) {
            (true, false) => {
                issued.inside = true;
                issued.admissions += 1;
                issued.admitted_at = Some(at.to_owned());
                tables.doors.insert(ticket.clone(), door.map(str::to_owned));
                ScanOutcome::Admitted
            }
            (true, true) => ScanOutcome::AlreadyUsed {
                at: issued.admitted_at.clone(),
                door: tables.doors.get(ticket).cloned().flatten(),
            },
            (false, true) => {
                issued.inside = false;
                ScanOutcome::Left
            }
            (false, false) => ScanOutcome::NotInside,
        })
    }

    async fn issued_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
    ) -> Result<Option<IssuedTicketRecord>, PortError> {
        self.faults.check("issued_ticket")?;
        Ok(lock(&self.tables)
            .issued
            .get(&(tenant.clone(), performance.clone()))
            .and_then(|all| all.iter().find(|t| &t.ticket_id == ticket))
            .cloned())
    }

    async fn log_scan(
        &self,
        _tenant: &TenantId,
        _performance: &PerformanceId,
        record: &marquee_domain::records::ScanRecord,
    ) -> Result<(), PortError> {
        self.faults.check("log_scan")?;
        lock(&self.tables).scans.push(record.clone());
        Ok(())
    }
}

#[async_trait]
impl PaymentEvents for InMemoryStore {
    async fn seen(&self, tenant: &TenantId, event_id: &str) -> Result<bool, PortError> {
        self.faults.check("seen")?;
        Ok(lock(&self.tables)
            .provider_events
            .contains_key(&(tenant.clone(), event_id.to_owned())))
    }

    async fn record(
        &self,
        tenant: &TenantId,
        event_id: &str,
        kind: &str,
        outcome: &str,
        _remember_until: i64,
    ) -> Result<(), PortError> {
        self.faults.check("record")?;
        lock(&self.tables).provider_events.insert(
            (tenant.clone(), event_id.to_owned()),
            format!("{kind}: {outcome}"),
        );
        Ok(())
    }
}

/// Ticket codes: `"{tenant}.{performance}.{ticket}.ok"` verifies, anything else does not.
#[derive(Default)]
pub struct FakeCodes;

impl FakeCodes {
    pub fn code(tenant: &TenantId, performance: &PerformanceId, ticket: &TicketId) -> String {
        format!("{tenant}.{performance}.{ticket}.ok")
    }
}

#[async_trait]
impl TicketCodes for FakeCodes {
    async fn verify(
        &self,
        tenant: &TenantId,
        code: &str,
    ) -> Result<Option<VerifiedCode>, PortError> {
        let parts: Vec<&str> = code.split('.').collect();
        Ok(match parts.as_slice() {
            [t, performance, ticket, "ok"] if *t == tenant.as_str() => Some(VerifiedCode {
                performance: (*performance).to_owned(),
                ticket: (*ticket).to_owned(),
            }),
            _ => None,
        })
    }
}

/// A payment made through the fake provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeIntent {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub metadata: HashMap<String, String>,
    /// The connected account it was made on (`None`: the platform's).
    pub account: Option<String>,
    pub application_fee: i64,
    /// Keyed in by staff for a phone order (`payment_method_options.card.moto`).
    pub moto: bool,
    pub cancelled: bool,
    /// When the patron paid (see [`FakePayments::pay`]); `None` while unpaid.
    pub paid_at: Option<DateTime<Utc>>,
}

/// A refund made through the fake provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRefund {
    pub id: String,
    pub payment_intent: String,
    pub amount: i64,
    pub metadata: HashMap<String, String>,
    pub account: Option<String>,
    pub refund_application_fee: bool,
}

/// The payment provider: idempotency keys return the first answer, as Stripe's do.
#[derive(Default)]
pub struct FakePayments {
    intents: Mutex<BTreeMap<String, FakeIntent>>,
    refunds: Mutex<BTreeMap<String, FakeRefund>>,
    /// Connected accounts by idempotency key.
    accounts: Mutex<BTreeMap<String, ProviderAccount>>,
    /// Onboarding links made: (account, return URL).
    pub links: Mutex<Vec<(String, String)>>,
    /// Provider failures: `Unavailable` for scheduled calls.
    pub faults: Faults,
    /// When set, every call is refused as if payments were not configured.
    pub disabled: Mutex<bool>,
}

impl FakePayments {
    pub fn intents(&self) -> Vec<FakeIntent> {
        lock(&self.intents).values().cloned().collect()
    }

    /// Refunds actually made (one per idempotency key).
    pub fn refunds(&self) -> Vec<FakeRefund> {
        lock(&self.refunds).values().cloned().collect()
    }

    /// The provider changes a connected account (onboarding finished, charges disabled, …).
    pub fn set_account(&self, account: ProviderAccount) {
        for stored in lock(&self.accounts)
            .values_mut()
            .filter(|a| a.id == account.id)
        {
            *stored = account.clone();
        }
    }

    pub fn account_ids(&self) -> Vec<String> {
        lock(&self.accounts)
            .values()
            .map(|a| a.id.clone())
            .collect()
    }

    /// The patron pays the intent at `at` (what the provider then lists as succeeded).
    pub fn pay(&self, id: &str, at: DateTime<Utc>) {
        for intent in lock(&self.intents).values_mut().filter(|i| i.id == id) {
            intent.paid_at = Some(at);
        }
    }

    fn check(&self, operation: &'static str) -> Result<(), PaymentError> {
        if *lock(&self.disabled) {
            return Err(PaymentError::Disabled);
        }
        self.faults
            .check(operation)
            .map_err(|e| PaymentError::Unavailable(e.to_string()))
    }
}

#[async_trait]
impl Payments for FakePayments {
    async fn create_payment_intent(
        &self,
        request: PaymentRequest<'_>,
    ) -> Result<CreatedPaymentIntent, PaymentError> {
        self.check("create_payment_intent")?;
        let mut intents = lock(&self.intents);
        let count = intents.len();
        let intent = intents
            .entry(request.idempotency_key.clone())
            .or_insert_with(|| FakeIntent {
                moto: request.moto,
                id: format!("pi_fake_{count}"),
                amount: request.amount,
                currency: request.currency.to_lowercase(),
                metadata: request.metadata.clone(),
                account: connected(request.account),
                application_fee: request.application_fee,
                cancelled: false,
                paid_at: None,
            });
        Ok(CreatedPaymentIntent {
            id: intent.id.clone(),
            client_secret: format!("{}_secret", intent.id),
        })
    }

    async fn payable_secret(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<Option<String>, PaymentError> {
        self.check("payable_secret")?;
        let account = connected(account);
        Ok(lock(&self.intents)
            .values()
            .find(|i| i.id == id && i.account == account)
            .filter(|i| !i.cancelled && i.paid_at.is_none())
            .map(|i| format!("{}_secret", i.id)))
    }

    async fn cancel_payment_intent(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<(), PaymentError> {
        self.check("cancel_payment_intent")?;
        let account = connected(account);
        for intent in lock(&self.intents)
            .values_mut()
            .filter(|i| i.id == id && i.account == account)
        {
            intent.cancelled = true;
        }
        Ok(())
    }

    async fn refund(&self, request: RefundRequest<'_>) -> Result<String, PaymentError> {
        self.check("refund")?;
        let mut refunds = lock(&self.refunds);
        let count = refunds.len();
        let refund = refunds
            .entry(request.idempotency_key.clone())
            .or_insert_with(|| FakeRefund {
                id: format!("re_fake_{count}"),
                payment_intent: request.payment_intent.to_owned(),
                amount: request.amount,
                metadata: request.metadata.clone(),
                account: connected(request.account),
                refund_application_fee: request.refund_application_fee,
            });
        // As Stripe: a key reused with other parameters is refused, not answered.
        if refund.amount != request.amount
            || refund.metadata != request.metadata
            || refund.refund_application_fee != request.refund_application_fee
        {
            return Err(PaymentError::Refused {
                status: 400,
                message: "Keys for idempotent requests can only be used with the same \
                          parameters they were first used with."
                    .into(),
            });
        }
        Ok(refund.id.clone())
    }

    /// Paid intents (their payment time stands for their creation time here).
    async fn succeeded_payments(
        &self,
        account: PaymentAccount<'_>,
        since: DateTime<Utc>,
    ) -> Result<Vec<SucceededPayment>, PaymentError> {
        self.check("succeeded_payments")?;
        let refunds = self.refunds();
        let account = connected(account);
        Ok(lock(&self.intents)
            .values()
            .filter(|intent| intent.account == account)
            .filter_map(|intent| {
                let paid_at = intent.paid_at.filter(|at| *at >= since)?;
                Some(SucceededPayment {
                    payment_intent: intent.id.clone(),
                    amount: intent.amount,
                    currency: intent.currency.clone(),
                    created: paid_at.timestamp(),
                    metadata: intent.metadata.clone(),
                    amount_refunded: refunds
                        .iter()
                        .filter(|r| r.payment_intent == intent.id)
                        .map(|r| r.amount)
                        .sum(),
                })
            })
            .collect())
    }
}

fn connected(account: PaymentAccount<'_>) -> Option<String> {
    match account {
        PaymentAccount::Platform => None,
        PaymentAccount::Connected(id) => Some(id.to_owned()),
    }
}

#[async_trait]
impl PaymentAccounts for FakePayments {
    /// A new account has onboarding ahead of it; the same key gives the same account.
    async fn create_account(
        &self,
        request: AccountRequest<'_>,
    ) -> Result<ProviderAccount, PaymentError> {
        self.check("create_account")?;
        let mut accounts = lock(&self.accounts);
        let count = accounts.len();
        Ok(accounts
            .entry(request.idempotency_key.clone())
            .or_insert_with(|| ProviderAccount {
                id: format!("acct_fake_{count}"),
                charges_enabled: false,
                payouts_enabled: false,
                details_submitted: false,
                requirements: vec!["external_account".into(), "tos_acceptance.date".into()],
                disabled_reason: Some("requirements.past_due".into()),
            })
            .clone())
    }

    async fn account(&self, id: &str) -> Result<ProviderAccount, PaymentError> {
        self.check("account")?;
        lock(&self.accounts)
            .values()
            .find(|a| a.id == id)
            .cloned()
            .ok_or(PaymentError::Refused {
                status: 403,
                message: "no such account".into(),
            })
    }

    async fn onboarding_link(
        &self,
        account: &str,
        return_url: &str,
        _refresh_url: &str,
    ) -> Result<String, PaymentError> {
        self.check("onboarding_link")?;
        let mut links = lock(&self.links);
        links.push((account.to_owned(), return_url.to_owned()));
        Ok(format!(
            "https://connect.example/setup/{account}/{}",
            links.len()
        ))
    }

    /// What the account's paid intents left it: their amounts less the fees, less refunds.
    async fn balance(&self, account: &str) -> Result<Balance, PaymentError> {
        self.check("balance")?;
        let refunds = self.refunds();
        let mut available = BTreeMap::<String, i64>::new();
        for intent in lock(&self.intents)
            .values()
            .filter(|i| i.paid_at.is_some() && i.account.as_deref() == Some(account))
        {
            let refunded: i64 = refunds
                .iter()
                .filter(|r| r.payment_intent == intent.id)
                .map(|r| r.amount)
                .sum();
            *available.entry(intent.currency.clone()).or_default() +=
                intent.amount - intent.application_fee - refunded;
        }
        Ok(Balance {
            available: available
                .into_iter()
                .map(|(currency, amount)| Amount { amount, currency })
                .collect(),
            pending: Vec::new(),
        })
    }

    async fn payouts(&self, _account: &str, _limit: u8) -> Result<Vec<Payout>, PaymentError> {
        self.check("payouts")?;
        Ok(Vec::new())
    }

    /// The fake provider charges no fee of its own.
    async fn payment_breakdown(
        &self,
        account: PaymentAccount<'_>,
        payment_intent: &str,
    ) -> Result<Option<PaymentBreakdown>, PaymentError> {
        self.check("payment_breakdown")?;
        let account = connected(account);
        Ok(lock(&self.intents)
            .values()
            .find(|i| i.id == payment_intent && i.account == account && i.paid_at.is_some())
            .map(|i| PaymentBreakdown {
                gross: i.amount,
                provider_fee: 0,
                application_fee: i.application_fee,
                net: i.amount - i.application_fee,
                currency: i.currency.clone(),
            }))
    }
}

/// The mail queue's jobs, kept in order.
#[derive(Default)]
pub struct FakeQueues {
    mail: Mutex<Vec<MailJob>>,
    pub faults: Faults,
}

impl FakeQueues {
    pub fn mail_jobs(&self) -> Vec<MailJob> {
        lock(&self.mail).clone()
    }
}

#[async_trait]
impl MailQueue for FakeQueues {
    async fn enqueue(&self, job: &MailJob) -> Result<(), PortError> {
        self.faults.check("enqueue")?;
        lock(&self.mail).push(job.clone());
        Ok(())
    }
}

#[async_trait]
impl crate::ports::PostedMailStore for InMemoryStore {
    async fn order(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<Option<OrderRecord>, PortError> {
        self.faults.check("order")?;
        Ok(self.stored_order(tenant, id))
    }

    async fn write_posted_mail(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        expected_letter: Option<&str>,
        mail: &marquee_domain::records::PostedMail,
    ) -> Result<(), WriteRefusal> {
        self.faults.check("write_posted_mail")?;
        let mut tables = lock(&self.tables);
        let stored = tables
            .orders
            .get_mut(&(tenant.clone(), order.clone()))
            .ok_or(WriteRefusal::Changed)?;
        let current = stored.mail.as_ref().and_then(|m| m.letter_id.as_deref());
        // As the store's condition: no letter yet, or the expected one (or the same one).
        let allowed = match expected_letter {
            None => current.is_none() || current == mail.letter_id.as_deref(),
            Some(letter) => current == Some(letter),
        };
        if !allowed {
            return Err(WriteRefusal::Changed);
        }
        stored.mail = Some(mail.clone());
        stored.version += 1;
        Ok(())
    }
}

/// A print-and-mail provider: letters by idempotency key (a retry gets the same letter),
/// `faults` on `send_letter`.
#[derive(Default)]
pub struct FakePrintMail {
    letters: Mutex<Vec<crate::ports::LetterRequest>>,
    pub faults: Faults,
}

impl FakePrintMail {
    /// The letters made (one per idempotency key).
    pub fn letters(&self) -> Vec<crate::ports::LetterRequest> {
        lock(&self.letters).clone()
    }
}

#[async_trait]
impl crate::ports::PrintMail for FakePrintMail {
    async fn send_letter(
        &self,
        letter: &crate::ports::LetterRequest,
    ) -> Result<crate::ports::SentLetter, PortError> {
        self.faults.check("send_letter")?;
        let mut letters = lock(&self.letters);
        let index = match letters
            .iter()
            .position(|l| l.idempotency_key == letter.idempotency_key)
        {
            Some(index) => index,
            None => {
                letters.push(letter.clone());
                letters.len() - 1
            }
        };
        Ok(crate::ports::SentLetter {
            id: format!("ltr_fake{index}"),
        })
    }
}

/// Renders a letter as a few bytes naming the order.
pub struct FakeLetters;

#[async_trait]
impl crate::ports::LetterRenderer for FakeLetters {
    async fn render_letter(
        &self,
        _tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<Vec<u8>, PortError> {
        Ok(format!("%PDF letter for {}", order.id).into_bytes())
    }
}

/// Everything a service test needs, wired like production but in memory.
pub struct World {
    pub store: Arc<InMemoryStore>,
    pub payments: Arc<FakePayments>,
    pub queues: Arc<FakeQueues>,
    pub clock: Arc<FakeClock>,
    pub printmail: Arc<FakePrintMail>,
}

impl World {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            store: Arc::default(),
            payments: Arc::default(),
            queues: Arc::default(),
            clock: Arc::new(FakeClock::at(now)),
            printmail: Arc::default(),
        }
    }

    pub fn tracking(&self) -> Arc<crate::printmail::LetterTracking> {
        Arc::new(crate::printmail::LetterTracking::new(
            self.store.clone(),
            self.clock.clone(),
        ))
    }

    pub fn letters(&self) -> Arc<crate::printmail::LetterFulfilment> {
        Arc::new(crate::printmail::LetterFulfilment::new(
            self.store.clone(),
            Arc::new(FakeLetters),
            self.printmail.clone(),
            Arc::new(crate::delivery::TicketDelivery::new(
                self.catalog(),
                self.queues.clone(),
                "https://{host}",
            )),
            self.clock.clone(),
        ))
    }

    pub fn catalog(&self) -> Arc<crate::catalog::SaleCatalog> {
        Arc::new(crate::catalog::SaleCatalog::new(self.store.clone()))
    }

    pub fn holds(&self) -> Arc<crate::holds::Holds> {
        Arc::new(crate::holds::Holds::new(
            self.catalog(),
            self.store.clone(),
            self.clock.clone(),
        ))
    }

    pub fn sales(&self) -> Arc<crate::sales::Sales> {
        let delivery = Arc::new(crate::delivery::TicketDelivery::new(
            self.catalog(),
            self.queues.clone(),
            "https://{host}",
        ));
        Arc::new(crate::sales::Sales::new(
            self.store.clone(),
            self.store.clone(),
            self.store.clone(),
            self.payments.clone(),
            delivery,
            self.clock.clone(),
        ))
    }

    pub fn promos(&self) -> Arc<crate::promos::Promos> {
        Arc::new(crate::promos::Promos::new(
            self.store.clone(),
            self.holds(),
            self.catalog(),
            self.clock.clone(),
        ))
    }

    pub fn reconciliation(&self) -> Arc<crate::reconcile::Reconciliation> {
        Arc::new(crate::reconcile::Reconciliation::new(
            self.sales(),
            self.store.clone(),
            self.payments.clone(),
            self.clock.clone(),
        ))
    }

    pub fn payment_webhook(&self) -> Arc<crate::sales::PaymentWebhook> {
        Arc::new(crate::sales::PaymentWebhook::new(
            self.sales(),
            self.store.clone(),
            self.clock.clone(),
        ))
    }

    pub fn agreements(&self) -> Arc<crate::agreements::PaymentAgreements> {
        Arc::new(crate::agreements::PaymentAgreements::new(
            self.store.clone(),
            self.store.clone(),
            self.payments.clone(),
            self.clock.clone(),
        ))
    }

    pub fn door(&self) -> Arc<crate::door::Door> {
        Arc::new(crate::door::Door::new(
            Arc::new(FakeCodes),
            self.store.clone(),
            self.clock.clone(),
        ))
    }

    pub fn window_orders(&self) -> Arc<crate::window_orders::WindowOrders> {
        Arc::new(crate::window_orders::WindowOrders::new(
            self.catalog(),
            self.store.clone(),
            self.store.clone(),
            self.payments.clone(),
            self.sales(),
            self.clock.clone(),
        ))
    }

    /// Checkout with a 10-minute payment window.
    pub fn checkout(&self) -> Arc<crate::checkout::Checkout> {
        Arc::new(crate::checkout::Checkout::new(
            self.catalog(),
            self.holds(),
            self.store.clone(),
            self.store.clone(),
            self.payments.clone(),
            self.sales(),
            self.clock.clone(),
            600,
        ))
    }

    pub fn exchanges(&self) -> crate::exchanges::Exchanges {
        crate::exchanges::Exchanges::new(
            self.catalog(),
            self.holds(),
            self.checkout(),
            self.store.clone(),
            self.payments.clone(),
        )
    }
}
