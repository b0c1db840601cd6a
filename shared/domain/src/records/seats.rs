//! Seat states of a performance, as stored. Sparse: no item means free. A hold whose
//! `expiresAt` has passed counts as free for every reader and writer.

use crate::seatmap::{GaArea, SeatId, SeatStatus, SectionId};
use crate::{CartId, HoldId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatState {
    Held,
    Sold,
    Blocked,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatStateRecord {
    pub seat: SeatId,
    pub section: SectionId,
    pub state: SeatState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<CartId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_id: Option<HoldId>,
    /// Epoch milliseconds; a held seat is free once this has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

impl SeatState {
    /// The stored name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Sold => "sold",
            Self::Blocked => "blocked",
        }
    }
}

impl SeatStateRecord {
    /// What a patron sees at `now_ms`.
    pub fn status(&self, now_ms: i64) -> SeatStatus {
        match self.state {
            SeatState::Held if self.expires_at.is_some_and(|at| at > now_ms) => SeatStatus::Held,
            SeatState::Held => SeatStatus::Free,
            SeatState::Sold => SeatStatus::Sold,
            SeatState::Blocked => SeatStatus::Blocked,
        }
    }
}

/// Tickets of a general-admission area taken for one performance. No item: none taken.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GaCounter {
    #[serde(default)]
    pub held: u32,
    #[serde(default)]
    pub sold: u32,
}

/// A general-admission area's capacity as its counter shards share it. Spreading the places
/// over several counter items keeps a big onsale from queueing on one item: each hold and
/// sale writes one shard (or, near a sell-out, a few), and the available figure is the sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GaCapacity {
    pub places: u32,
    /// 1 to [`GaCapacity::MAX_SHARDS`].
    shards: u16,
}

impl GaCapacity {
    /// One shard per this many places.
    pub const PLACES_PER_SHARD: u32 = 250;
    pub const MAX_SHARDS: u16 = 64;

    /// The shard count a new performance gets for an area of `places`: one per 250 places,
    /// at least one and at most 64. Fixed when the performance is created, so a later
    /// change of the area's capacity moves no counts between shards.
    pub fn shards_for(places: u32) -> u16 {
        let wanted = places.div_ceil(Self::PLACES_PER_SHARD).max(1);
        u16::try_from(wanted).map_or(Self::MAX_SHARDS, |n| n.min(Self::MAX_SHARDS))
    }

    /// `shards` is clamped to 1..=64.
    pub fn new(places: u32, shards: u16) -> Self {
        Self {
            places,
            shards: shards.clamp(1, Self::MAX_SHARDS),
        }
    }

    /// One counter for the whole area (performances created before shards).
    pub fn single(places: u32) -> Self {
        Self::new(places, 1)
    }

    pub fn shards(&self) -> u16 {
        self.shards
    }

    /// The places shard `shard` may count: an equal share, the first shards taking one more
    /// each until the remainder is used up, so the shares add up to the area's capacity.
    pub fn shard_places(&self, shard: u16) -> u32 {
        if shard >= self.shards {
            return 0;
        }
        let shards = u32::from(self.shards);
        self.places / shards + u32::from(u32::from(shard) < self.places % shards)
    }
}

/// Where a hold of `quantity` places takes them from, given each shard's free places: one
/// shard with room, the first found from `start` on; or, when no shard has enough alone
/// (near a sell-out), the fewest shards, fullest first. `None` when the shards together
/// have fewer than `quantity`.
pub fn plan_places(free: &[u32], quantity: u32, start: usize) -> Option<Vec<(u16, u32)>> {
    let total: u64 = free.iter().map(|&f| u64::from(f)).sum();
    if total < u64::from(quantity) || quantity == 0 || free.is_empty() {
        return None;
    }
    let count = free.len();
    let shard = |k: usize| u16::try_from(k).unwrap_or(u16::MAX);
    if let Some(k) = (0..count)
        .map(|i| (start + i) % count)
        .find(|&k| free[k] >= quantity)
    {
        return Some(vec![(shard(k), quantity)]);
    }
    let mut fullest: Vec<usize> = (0..count).filter(|&k| free[k] > 0).collect();
    fullest.sort_by_key(|&k| std::cmp::Reverse(free[k]));
    let mut left = quantity;
    let mut plan = Vec::new();
    for k in fullest {
        let take = free[k].min(left);
        plan.push((shard(k), take));
        left -= take;
        if left == 0 {
            break;
        }
    }
    Some(plan)
}

/// The shard count of each area of a new performance's map, for those with more than one.
pub fn ga_shards_for(areas: &[GaArea]) -> std::collections::BTreeMap<crate::seatmap::AreaId, u16> {
    areas
        .iter()
        .map(|area| (area.id.clone(), GaCapacity::shards_for(area.capacity)))
        .filter(|(_, shards)| *shards > 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shard_per_250_places_up_to_64() {
        assert_eq!(GaCapacity::shards_for(0), 1);
        assert_eq!(GaCapacity::shards_for(30), 1);
        assert_eq!(GaCapacity::shards_for(250), 1);
        assert_eq!(GaCapacity::shards_for(251), 2);
        assert_eq!(GaCapacity::shards_for(20_000), 64);
        assert_eq!(GaCapacity::shards_for(u32::MAX), 64);
    }

    #[test]
    fn the_shares_add_up_to_the_capacity_and_differ_by_at_most_one() {
        for (places, shards) in [(0, 1), (30, 1), (501, 3), (20_000, 64), (65, 64), (7, 64)] {
            let capacity = GaCapacity::new(places, shards);
            let shares: Vec<u32> = (0..capacity.shards())
                .map(|k| capacity.shard_places(k))
                .collect();
            assert_eq!(shares.iter().sum::<u32>(), places, "{places} over {shards}");
            let (least, most) = (shares.iter().min(), shares.iter().max());
            assert!(most.unwrap() - least.unwrap() <= 1, "{shares:?}");
            assert_eq!(capacity.shard_places(capacity.shards()), 0);
        }
    }

    #[test]
    fn a_hold_takes_from_one_shard_with_room_starting_where_it_was_told() {
        assert_eq!(plan_places(&[5, 5, 5], 3, 1), Some(vec![(1, 3)]));
        assert_eq!(plan_places(&[5, 2, 5], 3, 1), Some(vec![(2, 3)]));
        assert_eq!(
            plan_places(&[5, 2, 2], 3, 1),
            Some(vec![(0, 3)]),
            "wraps round"
        );
        assert_eq!(plan_places(&[4], 4, 7), Some(vec![(0, 4)]));
    }

    #[test]
    fn near_a_sell_out_a_hold_is_split_over_the_fewest_shards() {
        assert_eq!(plan_places(&[1, 3, 2, 0], 5, 0), Some(vec![(1, 3), (2, 2)]));
        assert_eq!(plan_places(&[1, 1, 1, 1], 4, 2).map(|p| p.len()), Some(4));
        assert_eq!(plan_places(&[1, 1, 1, 1], 5, 0), None, "fewer than wanted");
        assert_eq!(plan_places(&[0, 0], 1, 0), None);
        assert_eq!(plan_places(&[], 1, 0), None);
    }

    #[test]
    fn a_shard_count_out_of_range_is_clamped() {
        assert_eq!(GaCapacity::new(10, 0).shards(), 1);
        assert_eq!(GaCapacity::new(10, 500).shards(), 64);
    }
}
