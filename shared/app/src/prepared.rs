//! Per-instance caches that keep a hold to one DynamoDB round trip: the performance record
//! and the prepared seat map (layout, seat index, best-available tables) for a few seconds.
//! Staleness is bounded and safe: whether a performance is on sale is re-checked inside
//! every hold transaction; a layout change reaches holds within the TTL.

use marquee_domain::best_available::BestAvailable;
use marquee_domain::seatmap::{SeatId, SeatMap, SeatPosition};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Seats a best-available search should skip: read from the store at most once per
/// [`TAKEN_REFRESH`] (one request re-reads while the others go on with the last view), then
/// kept current with what this instance learns (its own holds, lost races). Also the seats
/// this instance's searches are writing right now, so that concurrent requests choose
/// different blocks instead of racing each other for the same one. Both are hints: the hold
/// transaction decides, and a wrong hint only costs a retry.
pub struct TakenSeats {
    seats: Mutex<HashSet<SeatId>>,
    trying: Mutex<HashSet<SeatId>>,
    read_at: Mutex<Instant>,
    refreshing: AtomicBool,
    /// Set once the view was first read: until then, one request reads and the others wait
    /// for it rather than each reading every section at the start of an onsale.
    pub first_read: tokio::sync::OnceCell<()>,
}

/// How long a view of the taken seats is used before one request reads it again.
pub const TAKEN_REFRESH: Duration = Duration::from_secs(1);

impl TakenSeats {
    /// A view of `seats`, read just now.
    pub fn new(seats: impl IntoIterator<Item = SeatId>) -> Self {
        Self {
            first_read: tokio::sync::OnceCell::new_with(Some(())),
            ..Self::unread()
        }
        .with(seats)
    }

    /// A view still to be read (see [`TakenSeats::first_read`]).
    pub fn unread() -> Self {
        Self {
            seats: Mutex::new(HashSet::new()),
            trying: Mutex::new(HashSet::new()),
            read_at: Mutex::new(Instant::now()),
            refreshing: AtomicBool::new(false),
            first_read: tokio::sync::OnceCell::new(),
        }
    }

    fn with(self, seats: impl IntoIterator<Item = SeatId>) -> Self {
        self.replace(seats);
        self
    }

    pub fn add(&self, seats: impl IntoIterator<Item = SeatId>) {
        lock(&self.seats).extend(seats);
    }

    pub fn contains(&self, seat: &SeatId) -> bool {
        lock(&self.seats).contains(seat)
    }

    /// Replaces the view with a fresh read from the store.
    pub fn replace(&self, seats: impl IntoIterator<Item = SeatId>) {
        *lock(&self.seats) = seats.into_iter().collect();
        *lock(&self.read_at) = Instant::now();
    }

    /// Whether the caller should read the view again: it is older than [`TAKEN_REFRESH`] and
    /// no other request is reading it. The returned guard ends the claim when dropped.
    pub fn claim_refresh(&self) -> Option<RefreshClaim<'_>> {
        if lock(&self.read_at).elapsed() < TAKEN_REFRESH {
            return None;
        }
        self.refreshing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| RefreshClaim(&self.refreshing))
    }

    /// Marks seats as being written by one request until the returned guard is dropped.
    pub fn try_seats(&self, seats: &[SeatId]) -> Trying<'_> {
        lock(&self.trying).extend(seats.iter().cloned());
        Trying {
            taken: self,
            seats: seats.to_vec(),
        }
    }

    /// Runs `f` with two tests on one consistent view: whether a seat is taken, and whether
    /// another request of this instance is writing it.
    pub fn view<R>(
        &self,
        f: impl FnOnce(&dyn Fn(&SeatId) -> bool, &dyn Fn(&SeatId) -> bool) -> R,
    ) -> R {
        let seats = lock(&self.seats);
        let trying = lock(&self.trying);
        f(&|seat| seats.contains(seat), &|seat| trying.contains(seat))
    }
}

/// A request's claim to re-read the taken seats; released when dropped, even on an error.
pub struct RefreshClaim<'a>(&'a AtomicBool);

impl Drop for RefreshClaim<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Seats one request is writing; no longer marked once dropped (granted or not).
pub struct Trying<'a> {
    taken: &'a TakenSeats,
    seats: Vec<SeatId>,
}

impl Drop for Trying<'_> {
    fn drop(&mut self) {
        let mut trying = lock(&self.taken.trying);
        for seat in &self.seats {
            trying.remove(seat);
        }
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

    /// The entry while it lives, or a new one from `make`.
    pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> Arc<V> {
        let mut entries = lock(&self.entries);
        if let Some((at, value)) = entries.get(&key)
            && at.elapsed() < self.ttl
        {
            return value.clone();
        }
        if entries.len() >= self.capacity {
            entries.clear();
        }
        let value = Arc::new(make());
        entries.insert(key, (Instant::now(), value.clone()));
        value
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_at_a_time_re_reads_a_stale_view_of_the_taken_seats() {
        let view = TakenSeats::new([]);
        assert!(
            view.claim_refresh().is_none(),
            "a fresh view is used as it is"
        );
        *lock(&view.read_at) -= TAKEN_REFRESH;
        let claim = view.claim_refresh();
        assert!(claim.is_some(), "a stale view is read again");
        assert!(
            view.claim_refresh().is_none(),
            "the others go on with the last view meanwhile"
        );
        drop(claim);
        assert!(
            view.claim_refresh().is_some(),
            "a read that ended (even with an error) lets the next request read"
        );
        view.replace([]);
        assert!(view.claim_refresh().is_none(), "a replaced view is fresh");
    }
}
