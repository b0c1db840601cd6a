//! Carts and seat holds: the heart of Marquee.
//!
//! A hold is one `TransactWriteItems`: the cart's update (token, status and the remaining
//! ticket budget checked in its condition), a condition check that the performance is on
//! sale, and per seat a conditional put of the seat (`free`, or `held` with a past
//! `expiresAt`) plus the hold's own item in the cart. Every seat or none, in one round trip;
//! the cancellation reasons say which seats were taken.

use crate::error::{applied, build, condition_failed_at, is_conflict};
use crate::tenancy::{item, key, n, s};
use crate::{
    CartRecord, CartStatus, GaCapacity, HoldRecord, HoldRefusal, HoldRequest, ReleaseBy, SeatState,
    SeatStateRecord, SeatToHold, Spot, Store, StoreError, keys,
};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    CancellationReason, ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::records::plan_places;
use marquee_domain::seatmap::{AreaId, SeatId, ZoneId};
use marquee_domain::{CartId, HoldId, PerformanceId, TenantId};

/// A hold's condition on an existing cart: the token, open, and room in its budget (overall
/// and for the performance).
const CART_TAKES: &str = "tokenHash = :token AND #status = :open AND remaining >= :n \
     AND (attribute_not_exists(perfRemaining.#p) OR perfRemaining.#p >= :n)";
/// The same, and the cart unchanged since the caller's copy (`:v`).
const CART_AT_VERSION_TAKES: &str = "tokenHash = :token AND #status = :open AND remaining >= :n \
     AND (attribute_not_exists(perfRemaining.#p) OR perfRemaining.#p >= :n) AND version = :v";

impl Store {
    pub async fn create_cart(
        &self,
        tenant: &TenantId,
        cart: &CartRecord,
    ) -> Result<(), StoreError> {
        let put = self.put_new(item(keys::cart(tenant, &cart.id), keys::CART_SK, cart)?)?;
        self.client
            .transact_write_items()
            .transact_items(put)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    /// The cart and its holds (expired ones included), read consistently.
    pub async fn cart(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
    ) -> Result<Option<(CartRecord, Vec<HoldRecord>)>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(keys::cart(tenant, cart_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        let mut cart = None;
        let mut holds = Vec::new();
        for item in out.items.unwrap_or_default() {
            match item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
            {
                Some(keys::CART_SK) => cart = Some(serde_dynamo::from_item::<_, CartRecord>(item)?),
                Some(sk) if sk.starts_with(keys::HOLD_PREFIX) => {
                    holds.push(serde_dynamo::from_item(item)?)
                }
                _ => {}
            }
        }
        holds.sort_by(|a: &HoldRecord, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.hold_id.cmp(&b.hold_id))
        });
        Ok(cart.map(|c| (c, holds)))
    }

    pub async fn hold(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
        hold_id: &HoldId,
    ) -> Result<Option<HoldRecord>, StoreError> {
        self.get(keys::cart(tenant, cart_id), &keys::hold_sk(hold_id))
            .await
    }

    /// The cart's part of a hold: token, status and budget in the condition; or, for a cart's
    /// first hold, the new cart itself (its budget already reduced by the caller).
    fn take_from_cart(
        &self,
        request: &HoldRequest<'_>,
        count: u32,
    ) -> Result<TransactWriteItem, StoreError> {
        // Filed in the expiry index for the sweep, unless the cart is filed already (for an
        // earlier hold's end, which comes first).
        let (expiry_pk, expiry_sk) = (
            keys::expiry_partition(request.cart_id),
            keys::expiry_sk(request.expires_at, request.tenant, request.cart_id),
        );
        if let Some(cart) = request.new_cart {
            let mut new = item(keys::cart(request.tenant, &cart.id), keys::CART_SK, cart)?;
            new.insert(keys::EXPIRY_PK.into(), s(&expiry_pk));
            new.insert(keys::EXPIRY_SK.into(), s(&expiry_sk));
            return self.put_new(new);
        }
        let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::cart(request.tenant, request.cart_id), keys::CART_SK)))
                .update_expression(
                    "SET remaining = remaining - :n, perfRemaining.#p = if_not_exists(perfRemaining.#p, :plimit) - :n, version = version + :one, \
                     gsi3pk = if_not_exists(gsi3pk, :expiry_pk), gsi3sk = if_not_exists(gsi3sk, :expiry_sk)",
                )
                .condition_expression(match request.cart_version {
                    None => CART_TAKES,
                    Some(_) => CART_AT_VERSION_TAKES,
                })
                .expression_attribute_values(":expiry_pk", s(&expiry_pk))
                .expression_attribute_values(":expiry_sk", s(&expiry_sk))
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#p", request.performance.as_str())
                .expression_attribute_values(":token", s(request.token_hash))
                .expression_attribute_values(":open", s(CartStatus::Open.as_str()))
                .expression_attribute_values(":n", n(count))
                .expression_attribute_values(":plimit", n(request.performance_limit))
                .expression_attribute_values(":one", n(1))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(version) = request.cart_version {
            update = update.expression_attribute_values(":v", n(version));
        }
        let update = build(update.build())?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The performance is on sale and unchanged since the hold's copy was read.
    fn performance_on_sale(
        &self,
        request: &HoldRequest<'_>,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = build(
            ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::performance(request.tenant, request.performance),
                    keys::PERFORMANCE_SK,
                )))
                .condition_expression("#status = :on_sale AND updatedAt = :updated")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":on_sale", s(PerformanceStatus::OnSale.as_str()))
                .expression_attribute_values(":updated", s(request.performance_updated_at))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build(),
        )?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    fn put_hold_item(
        &self,
        request: &HoldRequest<'_>,
        hold: &HoldRecord,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item(
                    keys::cart(request.tenant, request.cart_id),
                    &keys::hold_sk(&hold.hold_id),
                    hold,
                )?))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Holds explicit seats: all or none, in one transaction.
    pub async fn hold_seats(
        &self,
        request: &HoldRequest<'_>,
        seats: &[SeatToHold],
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        let count = u32::try_from(seats.len()).unwrap_or(u32::MAX);
        let mut items = vec![
            self.take_from_cart(request, count)?,
            self.performance_on_sale(request)?,
        ];
        let mut holds = Vec::with_capacity(seats.len());
        for seat in seats {
            let state = SeatStateRecord {
                seat: seat.seat.clone(),
                section: seat.section.clone(),
                state: SeatState::Held,
                cart: Some(request.cart_id.to_owned()),
                hold_id: Some(seat.hold_id.clone()),
                expires_at: Some(request.expires_at),
                order: None,
            };
            let put = build(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item(
                        keys::seat_states(request.tenant, request.performance, &seat.section),
                        &keys::seat_sk(&seat.seat),
                        &state,
                    )?))
                    .condition_expression(
                        "attribute_not_exists(pk) OR (#state = :held AND expiresAt <= :now)",
                    )
                    .expression_attribute_names("#state", "state")
                    .expression_attribute_values(":held", s(SeatState::Held.as_str()))
                    .expression_attribute_values(":now", n(request.now))
                    .build(),
            )?;
            items.push(TransactWriteItem::builder().put(put).build());
            holds.push(HoldRecord {
                hold_id: seat.hold_id.clone(),
                performance_id: request.performance.clone(),
                spot: Spot::Seat {
                    section: seat.section.clone(),
                    seat: seat.seat.clone(),
                },
                shard: 0,
                zone: seat.zone.clone(),
                expires_at: request.expires_at,
                created_at: request.created_at.to_owned(),
            });
        }
        for hold in &holds {
            items.push(self.put_hold_item(request, hold)?);
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(holds),
            Err(err) => Err(hold_failure(err.into_service_error(), request, |reasons| {
                let taken: Vec<SeatId> = seats
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| condition_failed_at(reasons, i + 2))
                    .map(|(_, s)| s.seat.clone())
                    .collect();
                (!taken.is_empty()).then_some(HoldRefusal::SeatsUnavailable(taken))
            })),
        }
    }

    /// Holds `quantity` places of a general-admission area against its capacity. The places
    /// come from one counter shard picked at random; when it has too few, the shards are
    /// read afresh and the places taken where they are (from several shards in the same
    /// transaction near a sell-out), so the last places of a sharded area sell as surely as
    /// those of one counter.
    pub async fn hold_general_admission(
        &self,
        request: &HoldRequest<'_>,
        area: &AreaId,
        zone: &ZoneId,
        capacity: GaCapacity,
        hold_ids: &[HoldId],
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        const PLANS: usize = 4;
        let quantity = u32::try_from(hold_ids.len()).unwrap_or(u32::MAX);
        if quantity > capacity.places {
            return Err(HoldRefusal::AreaFull {
                available: capacity.places,
            });
        }
        // A fresh random shard on every call, so a request retried after a conflict
        // starts somewhere else than the shard it collided on.
        let start = rand::random_range(0..1024usize);
        let shards = usize::from(capacity.shards());
        let mut plan = vec![(u16::try_from(start % shards).unwrap_or(0), quantity)];
        for _ in 0..PLANS {
            match self
                .hold_places_from(request, area, zone, capacity, hold_ids, &plan)
                .await
            {
                Err(HoldRefusal::AreaFull { .. }) if shards > 1 => {}
                other => return other,
            }
            let counts = self
                .ga_counter_shards(request.tenant, request.performance, area, capacity, true)
                .await?;
            let free: Vec<u32> = counts
                .iter()
                .zip(0..)
                .map(|(count, shard)| {
                    capacity
                        .shard_places(shard)
                        .saturating_sub(count.held + count.sold)
                })
                .collect();
            plan = match plan_places(&free, quantity, start) {
                Some(plan) => plan,
                None => {
                    return Err(HoldRefusal::AreaFull {
                        available: free.iter().sum(),
                    });
                }
            };
        }
        Err(HoldRefusal::Contention)
    }

    /// One attempt of [`Store::hold_general_admission`]: `plan` names the shards and how many
    /// places each gives, in the order of `hold_ids`.
    async fn hold_places_from(
        &self,
        request: &HoldRequest<'_>,
        area: &AreaId,
        zone: &ZoneId,
        capacity: GaCapacity,
        hold_ids: &[HoldId],
        plan: &[(u16, u32)],
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        let quantity = u32::try_from(hold_ids.len()).unwrap_or(u32::MAX);
        let mut items = vec![
            self.take_from_cart(request, quantity)?,
            self.performance_on_sale(request)?,
        ];
        let mut shard_of = Vec::with_capacity(hold_ids.len());
        for &(shard, places) in plan {
            let most = capacity.shard_places(shard).saturating_sub(places);
            let counter = build(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(keys::ga_counter(request.tenant, request.performance, area, shard), keys::GA_COUNTER_SK)))
                    .update_expression("SET taken = if_not_exists(taken, :zero) + :q, held = if_not_exists(held, :zero) + :q")
                    .condition_expression("attribute_not_exists(taken) OR taken <= :most")
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":q", n(places))
                    .expression_attribute_values(":most", n(most))
                    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                    .build(),
            )?;
            items.push(TransactWriteItem::builder().update(counter).build());
            shard_of.extend(std::iter::repeat_n(shard, places as usize));
        }
        let counters = 2..items.len();
        let holds: Vec<HoldRecord> = hold_ids
            .iter()
            .zip(shard_of)
            .map(|(hold_id, shard)| HoldRecord {
                hold_id: hold_id.clone(),
                performance_id: request.performance.clone(),
                spot: Spot::Area(area.clone()),
                shard,
                zone: zone.clone(),
                expires_at: request.expires_at,
                created_at: request.created_at.to_owned(),
            })
            .collect();
        for hold in &holds {
            items.push(self.put_hold_item(request, hold)?);
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(holds),
            Err(err) => Err(hold_failure(err.into_service_error(), request, |reasons| {
                // What the refusing shards still had (the whole area's figure when it
                // has one counter; a sharded hold reads every shard next).
                let mut refused = false;
                let mut available = 0;
                for (at, &(shard, _)) in counters.clone().zip(plan) {
                    if !condition_failed_at(reasons, at) {
                        continue;
                    }
                    refused = true;
                    let taken = reasons
                        .get(at)
                        .and_then(|r| r.item())
                        .and_then(|i| i.get("taken"))
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(u32::MAX);
                    available += capacity.shard_places(shard).saturating_sub(taken);
                }
                refused.then_some(HoldRefusal::AreaFull { available })
            })),
        }
    }

    /// Releases one hold (see [`ReleaseBy`] for who may, and when). The seat is freed only
    /// while it is still this hold's; a seat someone else took after expiry is left alone.
    pub async fn release_hold(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
        hold: &HoldRecord,
        by: ReleaseBy<'_>,
        now: i64,
    ) -> Result<(), HoldRefusal> {
        let token_hash = match by {
            ReleaseBy::Patron(token) => Some(token),
            ReleaseBy::Expiry | ReleaseBy::Closing => None,
        };
        for free_the_seat in [true, false] {
            let mut cart_update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::cart(tenant, cart_id), keys::CART_SK)))
                .update_expression("SET remaining = remaining + :one, perfRemaining.#p = perfRemaining.#p + :one, version = version + :one")
                .expression_attribute_names("#p", hold.performance_id.as_str())
                .expression_attribute_values(":one", n(1))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
            cart_update = match token_hash {
                Some(token) => cart_update
                    .condition_expression("tokenHash = :token AND #status = :open")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":token", s(token))
                    .expression_attribute_values(":open", s(CartStatus::Open.as_str())),
                None => cart_update.condition_expression("attribute_exists(pk)"),
            };
            let mut hold_delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::cart(tenant, cart_id),
                    &keys::hold_sk(&hold.hold_id),
                )))
                .condition_expression("attribute_exists(pk)");
            if by == ReleaseBy::Expiry {
                hold_delete = hold_delete
                    .condition_expression("attribute_exists(pk) AND expiresAt <= :now")
                    .expression_attribute_values(":now", n(now));
            }
            let mut items = vec![
                TransactWriteItem::builder()
                    .update(build(cart_update.build())?)
                    .build(),
                TransactWriteItem::builder()
                    .delete(build(hold_delete.build())?)
                    .build(),
            ];
            match &hold.spot {
                Spot::Seat { section, seat } if free_the_seat => {
                    let delete = build(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(
                                keys::seat_states(tenant, &hold.performance_id, section),
                                &keys::seat_sk(seat),
                            )))
                            .condition_expression(
                                "#state = :held AND cart = :cart AND holdId = :hold",
                            )
                            .expression_attribute_names("#state", "state")
                            .expression_attribute_values(":held", s(SeatState::Held.as_str()))
                            .expression_attribute_values(":cart", s(cart_id))
                            .expression_attribute_values(":hold", s(&hold.hold_id))
                            .build(),
                    )?;
                    items.push(TransactWriteItem::builder().delete(delete).build());
                }
                Spot::Area(area) => {
                    let update = build(
                        Update::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(
                                keys::ga_counter(tenant, &hold.performance_id, area, hold.shard),
                                keys::GA_COUNTER_SK,
                            )))
                            .update_expression("SET taken = taken - :one, held = held - :one")
                            .condition_expression("held >= :one")
                            .expression_attribute_values(":one", n(1))
                            .build(),
                    )?;
                    items.push(TransactWriteItem::builder().update(update).build());
                }
                _ => {}
            }
            match self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(err) => match err.into_service_error() {
                    TransactWriteItemsError::TransactionCanceledException(e) => {
                        let reasons = e.cancellation_reasons();
                        if condition_failed_at(reasons, 0) {
                            return Err(cart_refusal(
                                reasons.first(),
                                token_hash,
                                &hold.performance_id,
                                None,
                            ));
                        }
                        if condition_failed_at(reasons, 1) {
                            // Already released (or, for the worker, not yet expired).
                            return Err(HoldRefusal::HoldGone);
                        }
                        if condition_failed_at(reasons, 2)
                            && hold.spot.seat().is_some()
                            && free_the_seat
                        {
                            continue; // the seat is someone else's now: release the hold only
                        }
                        return Err(if is_conflict(reasons) {
                            HoldRefusal::Contention
                        } else {
                            StoreError::ConditionFailed.into()
                        });
                    }
                    other => return Err(StoreError::dynamo(other).into()),
                },
            }
        }
        Err(StoreError::ConditionFailed.into())
    }

    /// Marks an open cart expired and takes it out of the expiry index, if it is still at
    /// `version`; whether it did.
    pub async fn expire_cart(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
        version: u32,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::cart(tenant, cart_id), keys::CART_SK)))
            .update_expression("SET #status = :expired REMOVE gsi3pk, gsi3sk")
            .condition_expression("#status = :open AND version = :v")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", s(CartStatus::Open.as_str()))
            .expression_attribute_values(":expired", s(CartStatus::Expired.as_str()))
            .expression_attribute_values(":v", n(version))
            .send()
            .await;
        applied(result)
    }

    /// Files the cart in the expiry index for `next` (epoch ms), or takes it out (`None`), if
    /// it is still at `version` (`None`: whatever its version); whether it did.
    pub async fn file_for_expiry(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
        version: Option<u32>,
        next: Option<i64>,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::cart(tenant, cart_id), keys::CART_SK)));
        update = match next {
            Some(at) => update
                .update_expression("SET gsi3pk = :pk, gsi3sk = :sk")
                .expression_attribute_values(":pk", s(keys::expiry_partition(cart_id)))
                .expression_attribute_values(":sk", s(keys::expiry_sk(at, tenant, cart_id))),
            None => update.update_expression("REMOVE gsi3pk, gsi3sk"),
        };
        update = match version {
            Some(v) => update
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(v)),
            None => update.condition_expression("attribute_exists(pk)"),
        };
        applied(update.send().await)
    }

    /// The carts filed in the expiry index for `now` (epoch ms) or earlier, every partition.
    pub async fn carts_due(&self, now: i64) -> Result<Vec<(TenantId, CartId)>, StoreError> {
        let upto = format!("{:013}$", now.max(0)); // '$' sorts after '#': every entry of `now`
        let mut due = Vec::new();
        for shard in 0..keys::EXPIRY_SHARDS {
            let mut start = None;
            loop {
                let out = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(keys::EXPIRY_INDEX)
                    .key_condition_expression("gsi3pk = :pk AND gsi3sk < :upto")
                    .expression_attribute_values(":pk", s(keys::expiry_partition_of_shard(shard)))
                    .expression_attribute_values(":upto", s(&upto))
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .map_err(StoreError::sdk)?;
                due.extend(
                    out.items()
                        .iter()
                        .filter_map(|item| item.get(keys::EXPIRY_SK)?.as_s().ok())
                        .filter_map(|sk| keys::parse_expiry_sk(sk)),
                );
                match out.last_evaluated_key {
                    Some(next) if !next.is_empty() => start = Some(next),
                    _ => break,
                }
            }
        }
        Ok(due)
    }
}

/// Why the cart refused: gone or the wrong token (the same to the caller: not found), not
/// open, or over its budget (overall or for this performance).
fn cart_refusal(
    reason: Option<&CancellationReason>,
    token_hash: Option<&str>,
    performance: &PerformanceId,
    version: Option<u32>,
) -> HoldRefusal {
    let Some(item) = reason.and_then(|r| r.item()) else {
        return HoldRefusal::CartNotFound;
    };
    let Ok(cart) = serde_dynamo::from_item::<_, CartRecord>(item.clone()) else {
        return HoldRefusal::CartNotFound;
    };
    if token_hash.is_some_and(|token| token != cart.token_hash) {
        return HoldRefusal::CartNotFound;
    }
    if cart.status != CartStatus::Open {
        return HoldRefusal::CartNotOpen(cart.status);
    }
    if version.is_some_and(|v| v != cart.version) {
        return HoldRefusal::CartChanged;
    }
    let for_performance = cart
        .perf_remaining
        .get(performance.as_str())
        .copied()
        .unwrap_or(cart.remaining);
    let remaining = cart.remaining.min(for_performance);
    HoldRefusal::LimitExceeded { remaining }
}

/// Turns a cancelled hold transaction into the reason a patron should hear: the cart's own
/// problems first (unknown, not open), then the performance, then taken seats, then the limit.
fn hold_failure(
    err: TransactWriteItemsError,
    request: &HoldRequest<'_>,
    taken: impl Fn(&[CancellationReason]) -> Option<HoldRefusal>,
) -> HoldRefusal {
    let TransactWriteItemsError::TransactionCanceledException(e) = err else {
        return StoreError::dynamo(err).into();
    };
    let reasons = e.cancellation_reasons();
    let cart = condition_failed_at(reasons, 0).then(|| {
        cart_refusal(
            reasons.first(),
            Some(request.token_hash),
            request.performance,
            request.cart_version,
        )
    });
    if let Some(refusal) = cart
        .as_ref()
        .filter(|r| !matches!(r, HoldRefusal::LimitExceeded { .. }))
    {
        return match refusal {
            HoldRefusal::CartNotOpen(status) => HoldRefusal::CartNotOpen(*status),
            HoldRefusal::CartChanged => HoldRefusal::CartChanged,
            _ => HoldRefusal::CartNotFound,
        };
    }
    if condition_failed_at(reasons, 1) {
        let still_on_sale = reasons
            .get(1)
            .and_then(|r| r.item())
            .and_then(|item| item.get("status"))
            .and_then(|v| v.as_s().ok())
            .is_some_and(|status| status == PerformanceStatus::OnSale.as_str());
        return if still_on_sale {
            HoldRefusal::PerformanceChanged
        } else {
            HoldRefusal::NotOnSale
        };
    }
    if let Some(taken) = taken(reasons) {
        return taken;
    }
    if let Some(limit) = cart {
        return limit;
    }
    if is_conflict(reasons) {
        return HoldRefusal::Contention;
    }
    StoreError::Cancelled(format!("hold transaction cancelled: {e}")).into()
}
