//! Seat states of a performance. Sparse: no item means free. A hold whose `expiresAt` has
//! passed counts as free for every reader and writer, whether or not the expiry worker has
//! cleaned it up yet.

use crate::error::condition_failed_at;
use crate::tenancy::{item, key, s};
use crate::{GaCapacity, GaCounter, SeatState, SeatStateRecord, Store, StoreError, keys};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use marquee_domain::seatmap::{AreaId, SeatId, SectionId};
use marquee_domain::{PerformanceId, TenantId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// DynamoDB's limit of actions in one transaction.
pub const MAX_SEATS_PER_TRANSACTION: usize = 100;

/// How long the total of a sharded area's counters is reused for the seat map and the door:
/// during an onsale every patron's seat map asks for it, and each read is one item per shard.
/// Holds never use it (they are decided by the shards' conditions); live updates read the
/// shards afresh.
const AREA_TOTAL_TTL: Duration = Duration::from_secs(1);
/// Entries kept before the cache is emptied.
const AREA_TOTALS_KEPT: usize = 1024;

type AreaKey = (TenantId, PerformanceId, AreaId);

/// Sharded areas' totals as last read, with when.
#[derive(Clone, Debug, Default)]
pub(crate) struct AreaTotals(Arc<Mutex<HashMap<AreaKey, (Instant, GaCounter)>>>);

impl AreaTotals {
    fn get(&self, key: &AreaKey) -> Option<GaCounter> {
        lock(&self.0)
            .get(key)
            .filter(|(at, _)| at.elapsed() < AREA_TOTAL_TTL)
            .map(|(_, total)| total.clone())
    }

    fn put(&self, key: AreaKey, total: GaCounter) {
        let mut totals = lock(&self.0);
        if totals.len() >= AREA_TOTALS_KEPT {
            totals.clear();
        }
        totals.insert(key, (Instant::now(), total));
    }
}

/// The cache's lock; a panic elsewhere cannot leave an entry half written, so a poisoned
/// lock's data is still good.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    /// What an area's shards count together. One shard is one read, as before shards; a
    /// sharded area's total is read at most once per second per instance.
    pub async fn ga_counter(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        area: &AreaId,
        capacity: GaCapacity,
    ) -> Result<GaCounter, StoreError> {
        if capacity.shards() == 1 {
            return Ok(self
                .get(
                    keys::ga_counter(tenant, performance, area, 0),
                    keys::GA_COUNTER_SK,
                )
                .await?
                .unwrap_or_default());
        }
        let key = (tenant.clone(), performance.clone(), area.clone());
        if let Some(total) = self.area_totals.get(&key) {
            return Ok(total);
        }
        let shards = self
            .ga_counter_shards(tenant, performance, area, capacity, false)
            .await?;
        let total = shards
            .iter()
            .fold(GaCounter::default(), |sum, shard| GaCounter {
                held: sum.held + shard.held,
                sold: sum.sold + shard.sold,
            });
        self.area_totals.put(key, total.clone());
        Ok(total)
    }

    /// Each shard's count, in shard order (a shard without an item counts nothing).
    pub async fn ga_counter_shards(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        area: &AreaId,
        capacity: GaCapacity,
        consistent: bool,
    ) -> Result<Vec<GaCounter>, StoreError> {
        let pks: Vec<String> = (0..capacity.shards())
            .map(|shard| keys::ga_counter(tenant, performance, area, shard))
            .collect();
        let wanted = pks
            .iter()
            .map(|pk| key(pk.clone(), keys::GA_COUNTER_SK))
            .collect();
        let mut counters = vec![GaCounter::default(); pks.len()];
        for found in self.batch_get(wanted, consistent).await? {
            let at = found
                .get(keys::PK)
                .and_then(|v| v.as_s().ok())
                .and_then(|pk| pks.iter().position(|p| p == pk));
            if let Some(at) = at {
                counters[at] = serde_dynamo::from_item(found)?;
            }
        }
        Ok(counters)
    }

    /// Whether patrons hold or bought tickets of the area.
    pub async fn ga_area_in_use(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        area: &AreaId,
        capacity: GaCapacity,
    ) -> Result<bool, StoreError> {
        let counter = self.ga_counter(tenant, performance, area, capacity).await?;
        Ok(counter.held + counter.sold > 0)
    }

    /// The stored states of one section's seats (absent seats are free).
    pub async fn section_seat_states(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        section: &SectionId,
    ) -> Result<Vec<SeatStateRecord>, StoreError> {
        self.query_prefix(
            keys::seat_states(tenant, performance, section),
            keys::SEAT_PREFIX,
        )
        .await
    }

    /// The stored states of every seat of the given sections, read in parallel.
    pub async fn seat_states(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        sections: &[SectionId],
    ) -> Result<HashMap<SeatId, SeatStateRecord>, StoreError> {
        let reads = sections
            .iter()
            .map(|section| self.section_seat_states(tenant, performance, section));
        let per_section = futures::future::try_join_all(reads).await?;
        Ok(per_section
            .into_iter()
            .flatten()
            .map(|r| (r.seat.clone(), r))
            .collect())
    }

    /// Blocks seats (house seats, kills) in one transaction: all or none. Seats held or sold
    /// by patrons are refused and named.
    pub async fn block_seats(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        seats: &[(SectionId, SeatId)],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        if seats.len() > MAX_SEATS_PER_TRANSACTION {
            return Err(StoreError::TooLarge(format!(
                "at most {MAX_SEATS_PER_TRANSACTION} seats can be changed at once"
            )));
        }
        let mut request = self.client.transact_write_items();
        for (section, seat) in seats {
            let record = SeatStateRecord {
                seat: seat.clone(),
                section: section.clone(),
                state: SeatState::Blocked,
                cart: None,
                hold_id: None,
                expires_at: None,
                order: None,
            };
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item(keys::seat_states(tenant, performance, section), &keys::seat_sk(seat), &record)?))
                .condition_expression("attribute_not_exists(pk) OR #state = :blocked OR (#state = :held AND expiresAt <= :now)")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":blocked", s(SeatState::Blocked.as_str()))
                .expression_attribute_values(":held", s(SeatState::Held.as_str()))
                .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
                .build()
                .map_err(StoreError::dynamo)?;
            request = request.transact_items(TransactWriteItem::builder().put(put).build());
        }
        self.send_seat_transaction(request, seats).await
    }

    /// Unblocks seats in one transaction; seats that are not blocked are refused and named.
    pub async fn unblock_seats(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        seats: &[(SectionId, SeatId)],
    ) -> Result<(), StoreError> {
        if seats.len() > MAX_SEATS_PER_TRANSACTION {
            return Err(StoreError::TooLarge(format!(
                "at most {MAX_SEATS_PER_TRANSACTION} seats can be changed at once"
            )));
        }
        let mut request = self.client.transact_write_items();
        for (section, seat) in seats {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::seat_states(tenant, performance, section),
                    &keys::seat_sk(seat),
                )))
                .condition_expression("#state = :blocked")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":blocked", s(SeatState::Blocked.as_str()))
                .build()
                .map_err(StoreError::dynamo)?;
            request = request.transact_items(TransactWriteItem::builder().delete(delete).build());
        }
        self.send_seat_transaction(request, seats).await
    }

    /// Sends a transaction with one action per seat, naming the seats whose condition failed.
    async fn send_seat_transaction(
        &self,
        request: aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder,
        seats: &[(SectionId, SeatId)],
    ) -> Result<(), StoreError> {
        if seats.is_empty() {
            return Ok(());
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e) => {
                    let reasons = e.cancellation_reasons();
                    let failed: Vec<SeatId> = seats
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| condition_failed_at(reasons, *i))
                        .map(|(_, (_, seat))| seat.clone())
                        .collect();
                    if failed.is_empty() {
                        // Cancelled for another reason (a conflicting transaction): retryable.
                        Err(StoreError::Cancelled(format!("transaction cancelled: {e}")))
                    } else {
                        Err(StoreError::SeatsUnavailable(failed))
                    }
                }
                other => Err(StoreError::dynamo(other)),
            },
        }
    }
}
