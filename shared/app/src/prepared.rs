//! Per-instance caches that keep a hold to one DynamoDB round trip: the performance record
//! and the prepared seat map (layout, seat index, best-available tables) for a few seconds.
//! Staleness is bounded and safe: whether a performance is on sale is re-checked inside
//! every hold transaction; a layout change reaches holds within the TTL.

use marquee_domain::best_available::BestAvailable;
use marquee_domain::seatmap::{SeatId, SeatMap, SeatPosition};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A seat map ready for holds.
pub struct PreparedLayout {
    pub version: u32,
    pub map: SeatMap,
    pub index: HashMap<SeatId, SeatPosition>,
    pub best: BestAvailable,
}

impl PreparedLayout {
    pub fn new(version: u32, map: SeatMap) -> Self {
        let index = map
            .sections
            .iter()
            .enumerate()
            .flat_map(|(s, section)| {
                section.rows.iter().enumerate().flat_map(move |(r, row)| {
                    row.seats.iter().enumerate().map(move |(i, seat)| {
                        (
                            seat.id.clone(),
                            SeatPosition {
                                section: s,
                                row: r,
                                seat: i,
                            },
                        )
                    })
                })
            })
            .collect();
        let best = BestAvailable::new(&map);
        Self {
            version,
            map,
            index,
            best,
        }
    }
}

/// Seats a best-available search should skip: read from the store at most once per TTL,
/// then kept current with what this instance learns (its own holds, lost races).
#[derive(Default)]
pub struct TakenSeats(pub Mutex<std::collections::HashSet<SeatId>>);

impl TakenSeats {
    pub fn add(&self, seats: impl IntoIterator<Item = SeatId>) {
        lock(&self.0).extend(seats);
    }

    pub fn contains(&self, seat: &SeatId) -> bool {
        lock(&self.0).contains(seat)
    }
}

/// A small map whose entries expire; bounded by clearing when full.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, Arc<V>)>>,
}

impl<K: Eq + Hash, V> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        lock(&self.entries)
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Forgets an entry known to be out of date.
    pub fn remove(&self, key: &K) {
        lock(&self.entries).remove(key);
    }

    pub fn put(&self, key: K, value: Arc<V>) {
        let mut entries = lock(&self.entries);
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }
}

/// A cache's lock. A panic while it was held poisons it; every value these caches hold is
/// whole at every instant (an insert or a clear either happened or not), so the data is
/// still good: it is taken back, and the poisoning is logged rather than hidden.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned: PoisonError<MutexGuard<'_, T>>| {
            tracing::error!("a cache lock was poisoned by a panic; its data is reused");
            poisoned.into_inner()
        })
}
