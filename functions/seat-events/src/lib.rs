//! The `seat-events` worker: turns the table's stream (DynamoDB Streams, new and old images)
//! into live seat map messages and pushes them to each performance's subscribers, and tells
//! staff watching a performance's sales when its figures may have changed (a seat or place
//! taken or let go, a ticket issued, refunded or scanned).
//!
//! [`seat_changes`] is pure: stream records in, per-performance updates out — every seat
//! change of one performance in one message, general-admission counters as tickets taken.
//! [`SeatEvents`] adds what needs I/O: the areas' capacities (to turn "taken" into
//! "available") and delivery through a [`LivePush`], which is API Gateway's
//! `PostToConnection` in AWS ([`ApiGatewayPush`]) and the devserver's in-process hub locally.
//! The Lambda and the devserver's stream tailer both hand it `aws_lambda_events` records, so
//! the path from a write to a subscriber is the same code in both.
//!
//! A hold that expires changes no item, so it produces no record: subscribers learn that
//! the seat is free when the hold-expiry worker deletes it (a `REMOVE`), and the holder's own
//! page refreshes when its countdown ends.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_apigatewaymanagement::primitives::Blob;
use chrono::Utc;
use marquee_domain::seatmap::{AreaId, SeatStatus};
use marquee_domain::{PerformanceId, TenantId};
use marquee_store::keys::{self, GaCounterKey, SeatStateKey};
use marquee_store::{
    ConnectionId, GaCapacity, LiveChannel, SeatState, SeatStateRecord, Store, StoreError,
};
use serde::Deserialize;
use serde_dynamo::{AttributeValue, Item};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use marquee_platform::live::{LiveMessage, SeatChange};

/// Seat changes per message: keeps a message far below API Gateway's 128 KB frame limit
/// (about 45 bytes a change) when a stream batch touches many seats of one performance.
pub const MAX_CHANGES_PER_MESSAGE: usize = 1000;

/// What one performance's subscribers must hear about, from one batch of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveUpdate {
    pub tenant: TenantId,
    pub performance: PerformanceId,
    pub change: Change,
    /// Index of the earliest record of the batch behind this update: where a retry starts.
    pub first_record: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The latest visible status of each changed seat, in the order they first changed.
    Seats(Vec<SeatChange>),
    /// Tickets of the area held or sold; subscribers get the capacity minus this. For an
    /// area with several counter shards this is one shard's figure, and the total is read.
    GaTaken { area: AreaId, taken: u32 },
    /// The sales figures may have changed (staff watching them read them again).
    Sales,
}

impl Change {
    fn channel(&self) -> LiveChannel {
        match self {
            Self::Seats(_) | Self::GaTaken { .. } => LiveChannel::Seats,
            Self::Sales => LiveChannel::Sales,
        }
    }
}

/// Turns stream records into live updates, at `now_ms` (epoch milliseconds: a held seat
/// whose `expiresAt` has passed counts as free). Items other than seat states,
/// general-admission counters and issued tickets are ignored, and so is a seat map change
/// nobody can see (a hold extended). Each performance with a seat, counter or ticket change
/// also gets one [`Change::Sales`], after its seat map updates.
pub fn seat_changes(records: &[EventRecord], now_ms: i64) -> Vec<LiveUpdate> {
    let mut updates: Vec<LiveUpdate> = Vec::new();
    let mut seat_updates: HashMap<(TenantId, PerformanceId), usize> = HashMap::new();
    let mut area_updates: HashMap<(TenantId, PerformanceId, AreaId), usize> = HashMap::new();
    let mut sales: Vec<(TenantId, PerformanceId, usize)> = Vec::new();
    let mut touched = |tenant: &TenantId, performance: &PerformanceId, index: usize| {
        if !sales
            .iter()
            .any(|(t, p, _)| t == tenant && p == performance)
        {
            sales.push((tenant.clone(), performance.clone(), index));
        }
    };
    for (index, record) in records.iter().enumerate() {
        let Some((pk, sk)) = record_key(record) else {
            continue;
        };
        if let Some((tenant, performance)) = keys::parse_ticket_key(pk, sk) {
            touched(&tenant, &performance, index);
        } else if let Some(key) = keys::parse_seat_state_key(pk, sk) {
            let Some(status) = seat_status_change(record, &key, now_ms) else {
                continue;
            };
            touched(&key.tenant, &key.performance, index);
            let slot = (key.tenant.clone(), key.performance.clone());
            let open = seat_updates.get(&slot).copied().filter(|&at| {
                matches!(&updates[at].change, Change::Seats(c) if c.len() < MAX_CHANGES_PER_MESSAGE)
            });
            let at = open.unwrap_or_else(|| {
                updates.push(LiveUpdate {
                    tenant: key.tenant.clone(),
                    performance: key.performance.clone(),
                    change: Change::Seats(Vec::new()),
                    first_record: index,
                });
                seat_updates.insert(slot, updates.len() - 1);
                updates.len() - 1
            });
            if let Change::Seats(changes) = &mut updates[at].change {
                match changes.iter_mut().find(|c| c.seat_id == key.seat) {
                    Some(change) => change.status = status,
                    None => changes.push(SeatChange {
                        seat_id: key.seat,
                        status,
                    }),
                }
            }
        } else if let Some(key) = keys::parse_ga_counter_key(pk, sk) {
            // A counter moving places from held to sold changes no seat map, but the sales.
            touched(&key.tenant, &key.performance, index);
            let Some(taken) = ga_taken_change(record, &key) else {
                continue;
            };
            // A sharded area's shards all land here: the update says only that the area
            // changed, and its figure is read from every shard when it is delivered.
            let GaCounterKey {
                tenant,
                performance,
                area,
                shard: _,
            } = key;
            let slot = (tenant.clone(), performance.clone(), area.clone());
            match area_updates.get(&slot) {
                Some(&at) => updates[at].change = Change::GaTaken { area, taken },
                None => {
                    updates.push(LiveUpdate {
                        tenant,
                        performance,
                        change: Change::GaTaken { area, taken },
                        first_record: index,
                    });
                    area_updates.insert(slot, updates.len() - 1);
                }
            }
        }
    }
    updates.extend(
        sales
            .into_iter()
            .map(|(tenant, performance, first_record)| LiveUpdate {
                tenant,
                performance,
                change: Change::Sales,
                first_record,
            }),
    );
    updates
}

fn record_key(record: &EventRecord) -> Option<(&str, &str)> {
    let keys = &record.change.keys;
    Some((string(keys, keys::PK)?, string(keys, keys::SK)?))
}

fn string<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name)? {
        AttributeValue::S(value) => Some(value),
        _ => None,
    }
}

/// The images of a record: `None` for an image the event has none of (INSERT's old image,
/// REMOVE's new one); `Err` for one that is there but unreadable.
fn images<T: for<'de> Deserialize<'de>>(
    record: &EventRecord,
) -> Result<(Option<T>, Option<T>), serde_dynamo::Error> {
    let read = |image: &Item| -> Result<Option<T>, serde_dynamo::Error> {
        if image.is_empty() {
            Ok(None)
        } else {
            serde_dynamo::from_item(image.clone()).map(Some)
        }
    };
    let old = read(&record.change.old_image)?;
    let new = match record.event_name.as_str() {
        "REMOVE" => None,
        _ => read(&record.change.new_image)?,
    };
    Ok((old, new))
}

/// The seat's new status, if subscribers must hear about it.
fn seat_status_change(record: &EventRecord, key: &SeatStateKey, now_ms: i64) -> Option<SeatStatus> {
    let (old, new) = match images::<SeatStateRecord>(record) {
        Ok(images) => images,
        Err(error) => {
            tracing::warn!(seat = %key.seat, %error, "unreadable seat state image; skipped");
            return None;
        }
    };
    if new.is_none() && record.event_name != "REMOVE" {
        // No new image (the stream is not NEW_AND_OLD_IMAGES): the status is unknown.
        return None;
    }
    let new = new.map_or(SeatStatus::Free, |r| r.status(now_ms));
    announce(old.as_ref(), new, now_ms).then_some(new)
}

/// Whether a seat moving from `old` to `new` is news to someone. Subscribers who loaded the
/// seat map before an old hold expired were told "held" (nothing is sent when a hold
/// expires); those who loaded it since see "free". The change is sent unless both already
/// see `new`: so deleting an expired hold sends "free", a new hold over an expired one
/// sends "held", and extending a live hold sends nothing.
fn announce(old: Option<&SeatStateRecord>, new: SeatStatus, now_ms: i64) -> bool {
    let told_before = old.map_or(SeatStatus::Free, |r| match r.state {
        SeatState::Held => SeatStatus::Held,
        SeatState::Sold => SeatStatus::Sold,
        SeatState::Blocked => SeatStatus::Blocked,
    });
    let seen_now = old.map_or(SeatStatus::Free, |r| r.status(now_ms));
    told_before != new || seen_now != new
}

/// A counter image: `taken` once the holds code keeps it, else `held + sold`.
#[derive(Debug, Deserialize)]
struct CounterImage {
    #[serde(default)]
    held: i64,
    #[serde(default)]
    sold: i64,
    #[serde(default)]
    taken: Option<i64>,
}

impl CounterImage {
    fn taken(&self) -> u32 {
        let taken = self.taken.unwrap_or(self.held.saturating_add(self.sold));
        u32::try_from(taken.max(0)).unwrap_or(u32::MAX)
    }
}

/// The area's new count of tickets taken, if it changed.
fn ga_taken_change(record: &EventRecord, key: &GaCounterKey) -> Option<u32> {
    let (old, new) = match images::<CounterImage>(record) {
        Ok(images) => images,
        Err(error) => {
            tracing::warn!(area = %key.area, %error, "unreadable GA counter image; skipped");
            return None;
        }
    };
    if new.is_none() && record.event_name != "REMOVE" {
        return None;
    }
    let old = old.map_or(0, |c| c.taken());
    let new = new.map_or(0, |c| c.taken());
    (old != new).then_some(new)
}

/// How a delivery went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: usize,
    /// Connections that had closed; their subscriptions are removed.
    pub gone: usize,
    /// Connections that could not be reached for another reason (logged, not retried: the
    /// page catches up on its next seat map load).
    pub failed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sends a message to every subscriber of a performance on a channel.
pub trait LivePush: Send + Sync {
    fn push(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        channel: LiveChannel,
        message: &LiveMessage,
    ) -> impl Future<Output = Result<Delivery, PushError>> + Send;
}

/// Delivery through API Gateway: the subscription items of the performance, then
/// `PostToConnection` to each.
#[derive(Clone)]
pub struct ApiGatewayPush {
    store: Store,
    client: aws_sdk_apigatewaymanagement::Client,
}

/// Posts in flight at once per message.
const POST_CONCURRENCY: usize = 50;

enum Posted {
    Delivered,
    Gone,
    Failed,
}

impl ApiGatewayPush {
    pub fn new(store: Store, client: aws_sdk_apigatewaymanagement::Client) -> Self {
        Self { store, client }
    }

    async fn post(&self, connection: &ConnectionId, data: Blob) -> Posted {
        match self
            .client
            .post_to_connection()
            .connection_id(connection.as_str())
            .data(data)
            .send()
            .await
        {
            Ok(_) => Posted::Delivered,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => Posted::Gone,
            Err(e) => {
                tracing::warn!(%connection, error = %aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e), "live push failed");
                Posted::Failed
            }
        }
    }
}

impl LivePush for ApiGatewayPush {
    async fn push(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        channel: LiveChannel,
        message: &LiveMessage,
    ) -> Result<Delivery, PushError> {
        let connections = self
            .store
            .live_subscribers(tenant, performance, channel, Utc::now())
            .await?;
        let data = Blob::new(message.to_json().into_bytes());
        let mut delivery = Delivery::default();
        for chunk in connections.chunks(POST_CONCURRENCY) {
            let posts = chunk.iter().map(|c| self.post(c, data.clone()));
            let outcomes = futures::future::join_all(posts).await;
            for (connection, outcome) in chunk.iter().zip(outcomes) {
                match outcome {
                    Posted::Delivered => delivery.delivered += 1,
                    Posted::Failed => delivery.failed += 1,
                    Posted::Gone => {
                        delivery.gone += 1;
                        // Its $disconnect may never have come; the TTL is the backstop.
                        if let Err(error) = self
                            .store
                            .remove_live_subscription(tenant, performance, channel, connection)
                            .await
                        {
                            tracing::warn!(%connection, %error, "could not remove a gone subscription");
                        }
                    }
                }
            }
        }
        Ok(delivery)
    }
}

/// General-admission capacities per performance, from its seat map's metadata item. Kept a
/// minute per instance: a counter item does not know its area's capacity, and reading the
/// performance and its map for every counter change would double the worker's reads.
#[derive(Clone, Default)]
pub struct AreaCapacities(Arc<Mutex<CapacityCache>>);

type CapacityCache =
    HashMap<(TenantId, PerformanceId), (Instant, Arc<HashMap<AreaId, GaCapacity>>)>;

impl AreaCapacities {
    const TTL: Duration = Duration::from_secs(60);
    const MAX_ENTRIES: usize = 512;

    /// The area's capacity and shards; `None` when the performance, its map or the area is
    /// unknown.
    pub async fn capacity(
        &self,
        store: &Store,
        tenant: &TenantId,
        performance: &PerformanceId,
        area: &AreaId,
    ) -> Result<Option<GaCapacity>, StoreError> {
        let slot = (tenant.clone(), performance.clone());
        // A poisoned lock still holds whole entries (an insert or a clear either happened or
        // not), so its data is reused rather than the cache silently skipped.
        let cached = lock(&self.0)
            .get(&slot)
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, areas)| areas.clone());
        let areas = match cached {
            Some(areas) => areas,
            None => {
                let areas = Arc::new(Self::load(store, tenant, performance).await?);
                let mut cache = lock(&self.0);
                if cache.len() >= Self::MAX_ENTRIES {
                    cache.clear();
                }
                cache.insert(slot, (Instant::now(), areas.clone()));
                areas
            }
        };
        Ok(areas.get(area).copied())
    }

    async fn load(
        store: &Store,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<HashMap<AreaId, GaCapacity>, StoreError> {
        let Some(performance) = store.performance(tenant, performance).await? else {
            return Ok(HashMap::new());
        };
        let Some(map) = store
            .seat_map_record(tenant, &performance.seat_map_id)
            .await?
        else {
            return Ok(HashMap::new());
        };
        Ok(map
            .areas
            .into_iter()
            .map(|area| (area.id.clone(), performance.ga_capacity(&area)))
            .collect())
    }
}

/// The worker: stream batch in, messages out to subscribers.
pub struct SeatEvents<P> {
    store: Store,
    push: P,
    capacities: AreaCapacities,
}

impl<P: LivePush> SeatEvents<P> {
    pub fn new(store: Store, push: P) -> Self {
        Self {
            store,
            push,
            capacities: AreaCapacities::default(),
        }
    }

    /// Delivers the batch's updates. If one fails (the store could not be read), the
    /// response names the earliest record behind it and Lambda retries from there; the
    /// updates already sent go again then, which is harmless because they carry states.
    pub async fn handle_batch(&self, event: &Event) -> DynamoDbEventResponse {
        let updates = seat_changes(&event.records, Utc::now().timestamp_millis());
        let mut first_failed: Option<usize> = None;
        for update in &updates {
            match self.deliver(update).await {
                Ok(delivery) => tracing::debug!(
                    tenant = %update.tenant,
                    performance = %update.performance,
                    delivered = delivery.delivered,
                    gone = delivery.gone,
                    failed = delivery.failed,
                    "live update sent"
                ),
                Err(error) => {
                    tracing::warn!(tenant = %update.tenant, performance = %update.performance, %error, "live update failed; the batch will be retried from it");
                    first_failed = Some(
                        first_failed.map_or(update.first_record, |f| f.min(update.first_record)),
                    );
                }
            }
        }
        let mut response = DynamoDbEventResponse::default();
        if let Some(index) = first_failed {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = event
                .records
                .get(index)
                .and_then(|r| r.change.sequence_number.clone());
            response.batch_item_failures.push(failure);
        }
        response
    }

    async fn deliver(&self, update: &LiveUpdate) -> Result<Delivery, PushError> {
        let message = match &update.change {
            Change::Seats(changes) => LiveMessage::Seats {
                performance_id: update.performance.clone(),
                changes: changes.clone(),
            },
            Change::GaTaken { area, taken } => {
                let capacity = self
                    .capacities
                    .capacity(&self.store, &update.tenant, &update.performance, area)
                    .await?;
                let Some(capacity) = capacity else {
                    return Ok(Delivery::default());
                };
                let taken = if capacity.shards() == 1 {
                    *taken
                } else {
                    self.store
                        .ga_counter_shards(
                            &update.tenant,
                            &update.performance,
                            area,
                            capacity,
                            true,
                        )
                        .await?
                        .iter()
                        .map(|shard| shard.held + shard.sold)
                        .sum()
                };
                LiveMessage::Ga {
                    performance_id: update.performance.clone(),
                    area_id: area.clone(),
                    available: capacity.places.saturating_sub(taken),
                }
            }
            Change::Sales => LiveMessage::Sales {
                performance_id: update.performance.clone(),
            },
        };
        let channel = update.change.channel();
        self.push
            .push(&update.tenant, &update.performance, channel, &message)
            .await
    }
}

#[cfg(test)]
mod tests;

/// A cache's lock, taken back if a panic poisoned it (its entries are always whole).
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| {
        tracing::error!("a cache lock was poisoned by a panic; its data is reused");
        poisoned.into_inner()
    })
}
