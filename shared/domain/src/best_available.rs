//! Best available: the patron asks for N seats (in a zone or anywhere) and gets the best
//! adjacent block by the venue's ranking, or `None` — promptly, even on a nearly full house
//! (the system Marquee replaces once looped forever there).
//!
//! [`BestAvailable::new`] flattens a map once into arrays of ranks and zones and, for every
//! zone and quantity, lists the rows that could hold such a block ordered by the best total
//! rank they could offer. [`BestAvailable::find`] walks that list and stops as soon as no
//! later row can beat the block in hand, so an empty house costs a few rows and a full one
//! at most one pass over the seats.

use crate::seatmap::{SeatId, SeatMap, ZoneId};

/// The most seats one best-available request may ask for.
pub const MAX_BEST_AVAILABLE: u32 = 10;

const QUANTITIES: usize = MAX_BEST_AVAILABLE as usize;

/// A row as a slice of the flat seat arrays.
#[derive(Debug, Clone, Copy)]
struct RowSpan {
    start: usize,
    len: usize,
}

/// A row that has at least one block of the quantity (in the zone), with the lowest total
/// rank any of its blocks has — a bound on what the row can offer whatever is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    best_sum: u64,
    row: usize,
}

/// A map prepared for best-available searches. Build once per seat map and keep it (it owns
/// its data): about a millisecond for 20,000 seats.
#[derive(Debug, Clone)]
pub struct BestAvailable {
    /// Every seat in map order (section, row, left to right).
    ids: Vec<SeatId>,
    ranks: Vec<u32>,
    /// Index into `zone_ids`.
    zones: Vec<usize>,
    /// `rank_sums[i]` = sum of `ranks[..i]`, so a block's total is one subtraction.
    rank_sums: Vec<u64>,
    rows: Vec<RowSpan>,
    zone_ids: Vec<ZoneId>,
    /// `candidates[slot][quantity - 1]`, sorted; slot 0 is "any zone", slot `1 + z` zone `z`.
    candidates: Vec<Vec<Vec<Candidate>>>,
}

/// The block chosen so far.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// Leaves a lone free seat between it and a taken seat or the row's end.
    makes_orphan: bool,
    sum: u64,
    max: u32,
    /// Flat index of its first seat: earlier in the map wins ties.
    start: usize,
}

impl BestAvailable {
    /// Prepares `map` for searches.
    pub fn new(map: &SeatMap) -> Self {
        let zone_ids = map.zone_ids();
        let seat_count = map.seat_count();
        let mut ids = Vec::with_capacity(seat_count);
        let mut ranks = Vec::with_capacity(seat_count);
        let mut zones = Vec::with_capacity(seat_count);
        let mut rank_sums = Vec::with_capacity(seat_count + 1);
        rank_sums.push(0u64);
        let mut rows = Vec::new();
        for section in &map.sections {
            for row in &section.rows {
                rows.push(RowSpan {
                    start: ids.len(),
                    len: row.seats.len(),
                });
                for seat in &row.seats {
                    ids.push(seat.id.clone());
                    ranks.push(seat.rank);
                    // A valid map has every seat's zone declared; `0` only guards the impossible.
                    zones.push(zone_ids.iter().position(|z| *z == seat.zone).unwrap_or(0));
                    let total = rank_sums.last().copied().unwrap_or(0);
                    rank_sums.push(total + u64::from(seat.rank));
                }
            }
        }

        let slots = zone_ids.len() + 1;
        let mut candidates = vec![vec![Vec::new(); QUANTITIES]; slots];
        let mut best_in_slot: Vec<Option<u64>> = vec![None; slots];
        // `same_zone_run[i]`: how many seats from `i` rightwards share seat i's zone.
        let mut same_zone_run: Vec<usize> = Vec::new();
        for (r, span) in rows.iter().enumerate() {
            let zones_of_row = &zones[span.start..span.start + span.len];
            same_zone_run.clear();
            same_zone_run.resize(span.len, 1);
            for i in (0..span.len.saturating_sub(1)).rev() {
                if zones_of_row[i] == zones_of_row[i + 1] {
                    same_zone_run[i] = same_zone_run[i + 1] + 1;
                }
            }
            for quantity in 1..=QUANTITIES.min(span.len) {
                best_in_slot.iter_mut().for_each(|b| *b = None);
                for s in 0..=span.len - quantity {
                    let sum = rank_sums[span.start + s + quantity] - rank_sums[span.start + s];
                    let mut offer = |slot: usize| {
                        let best = &mut best_in_slot[slot];
                        *best = Some(best.map_or(sum, |b| b.min(sum)));
                    };
                    offer(0);
                    if same_zone_run[s] >= quantity {
                        offer(1 + zones_of_row[s]);
                    }
                }
                for (slot, best) in best_in_slot.iter().enumerate() {
                    if let Some(best_sum) = *best {
                        candidates[slot][quantity - 1].push(Candidate { best_sum, row: r });
                    }
                }
            }
        }
        for lists in &mut candidates {
            for list in lists.iter_mut() {
                list.sort_unstable();
            }
        }

        Self {
            ids,
            ranks,
            zones,
            rank_sums,
            rows,
            zone_ids,
            candidates,
        }
    }

    /// The best `quantity` adjacent free seats (left to right), all in `zone` if one is
    /// given, or `None` if there are none (also for a quantity of 0 or over
    /// [`MAX_BEST_AVAILABLE`], or an unknown zone).
    ///
    /// Best means the lowest total rank, then the lowest worst rank, then the earliest in the
    /// map. A block that would strand a single free seat against a taken seat or the end of
    /// the row is only chosen when every block would. `is_taken` says whether a seat is held,
    /// sold or blocked; it is asked at most once per seat.
    pub fn find(
        &self,
        quantity: u32,
        zone: Option<&ZoneId>,
        mut is_taken: impl FnMut(&SeatId) -> bool,
    ) -> Option<Vec<SeatId>> {
        if quantity == 0 || quantity > MAX_BEST_AVAILABLE {
            return None;
        }
        let quantity = quantity as usize;
        let zone_index = match zone {
            None => None,
            Some(zone) => Some(self.zone_ids.iter().position(|z| z == zone)?),
        };
        let slot = zone_index.map_or(0, |z| z + 1);
        let candidates = &self.candidates[slot][quantity - 1];

        let mut best: Option<Block> = None;
        let mut probe = Probe {
            ids: &self.ids,
            start: 0,
            known: Vec::new(),
            is_taken: &mut is_taken,
        };
        for candidate in candidates {
            if let Some(b) = best {
                // Rows are sorted by the best they could offer: none further on can do better.
                // An orphan-making block is kept only until any clean one turns up, so it
                // never stops the walk.
                if !b.makes_orphan && candidate.best_sum > b.sum {
                    break;
                }
            }
            let span = self.rows[candidate.row];
            probe.enter(span);
            let usable = |probe: &mut Probe<'_, _>, i: usize| {
                zone_index.is_none_or(|z| self.zones[span.start + i] == z) && probe.is_free(i)
            };
            // Each window is checked right to left, so a taken seat skips every window that
            // contains it: a nearly full row costs about len / quantity questions, not len.
            let mut s = 0;
            'windows: while s + quantity <= span.len {
                for j in (s..s + quantity).rev() {
                    if !usable(&mut probe, j) {
                        s = j + 1;
                        continue 'windows;
                    }
                }
                loop {
                    let start = span.start + s;
                    let block = Block {
                        makes_orphan: probe.strands_a_seat(s, quantity, span.len),
                        sum: self.rank_sums[start + quantity] - self.rank_sums[start],
                        max: 0,
                        start,
                    };
                    best = Some(match best {
                        None => self.with_max(block, quantity),
                        Some(b) => self.better(b, block, quantity),
                    });
                    // Slide one seat while the seat entering the window is usable; else the
                    // next window starts past it.
                    if s + quantity < span.len && usable(&mut probe, s + quantity) {
                        s += 1;
                    } else {
                        s += quantity + 1;
                        break;
                    }
                }
            }
        }
        best.map(|b| self.ids[b.start..b.start + quantity].to_vec())
    }

    fn with_max(&self, mut block: Block, quantity: usize) -> Block {
        block.max = self.ranks[block.start..block.start + quantity]
            .iter()
            .copied()
            .max()
            .unwrap_or(0);
        block
    }

    /// The better of the block in hand and a new one; the worst rank is only worked out when
    /// the totals tie.
    fn better(&self, held: Block, new: Block, quantity: usize) -> Block {
        let coarse = (new.makes_orphan, new.sum).cmp(&(held.makes_orphan, held.sum));
        match coarse {
            std::cmp::Ordering::Less => self.with_max(new, quantity),
            std::cmp::Ordering::Greater => held,
            std::cmp::Ordering::Equal => {
                let new = self.with_max(new, quantity);
                if (new.max, new.start) < (held.max, held.start) {
                    new
                } else {
                    held
                }
            }
        }
    }

    /// The zones this map has, in the map's order.
    pub fn zones(&self) -> &[ZoneId] {
        &self.zone_ids
    }

    /// The number of seats searched.
    pub fn seat_count(&self) -> usize {
        self.ids.len()
    }
}

/// The free/taken state of the seats of the row being searched, asked of the caller at most
/// once per seat and only when needed.
struct Probe<'a, F> {
    ids: &'a [SeatId],
    /// Flat index of the row's first seat.
    start: usize,
    /// Per seat of the row: `None` until asked, then whether it is free.
    known: Vec<Option<bool>>,
    is_taken: &'a mut F,
}

impl<F: FnMut(&SeatId) -> bool> Probe<'_, F> {
    fn enter(&mut self, span: RowSpan) {
        self.start = span.start;
        self.known.clear();
        self.known.resize(span.len, None);
    }

    /// Whether seat `i` of the row is free.
    fn is_free(&mut self, i: usize) -> bool {
        if let Some(free) = self.known[i] {
            return free;
        }
        let free = !(self.is_taken)(&self.ids[self.start + i]);
        self.known[i] = Some(free);
        free
    }

    /// Whether taking `quantity` seats from `start` leaves a free seat with no free neighbour
    /// (taken or row end on both sides) that had one before. Neighbours count whatever their
    /// zone: a stranded seat is as hard to sell in any zone.
    fn strands_a_seat(&mut self, start: usize, quantity: usize, len: usize) -> bool {
        let end = start + quantity;
        let left =
            start >= 1 && self.is_free(start - 1) && (start == 1 || !self.is_free(start - 2));
        let right = end < len && self.is_free(end) && (end + 1 == len || !self.is_free(end + 1));
        left || right
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seatmap::{SeatMapInput, generate_arena};
    use std::collections::HashSet;

    /// A map of one section `S` whose rows `A`, `B`, … hold seats `(zone, rank)`, with ids
    /// `S-A-1`, `S-A-2`, …
    fn map(rows: &[&[(&str, u32)]]) -> SeatMap {
        let rows_json: Vec<serde_json::Value> = rows
            .iter()
            .enumerate()
            .map(|(r, seats)| {
                let label = char::from(b'A' + r as u8).to_string();
                let seats: Vec<serde_json::Value> = seats
                    .iter()
                    .enumerate()
                    .map(|(i, (zone, rank))| {
                        serde_json::json!({
                            "label": (i + 1).to_string(), "x": i as f64, "y": r as f64,
                            "zone": zone, "rank": rank,
                        })
                    })
                    .collect();
                serde_json::json!({ "label": label, "seats": seats })
            })
            .collect();
        let input: SeatMapInput = serde_json::from_value(serde_json::json!({
            "name": "Test",
            "zones": [{ "id": "a" }, { "id": "b" }],
            "sections": [{ "id": "S", "rows": rows_json }],
        }))
        .unwrap();
        SeatMap::parse(input).unwrap()
    }

    /// A map with one zone `a` and rows of the given ranks.
    fn ranked(rows: &[&[u32]]) -> SeatMap {
        let rows: Vec<Vec<(&str, u32)>> = rows
            .iter()
            .map(|r| r.iter().map(|&rank| ("a", rank)).collect())
            .collect();
        let rows: Vec<&[(&str, u32)]> = rows.iter().map(Vec::as_slice).collect();
        map(&rows)
    }

    fn ids(seats: &[&str]) -> Option<Vec<SeatId>> {
        Some(seats.iter().map(|s| SeatId::parse(s).unwrap()).collect())
    }

    fn taken(seats: &[&str]) -> impl Fn(&SeatId) -> bool {
        let set: HashSet<String> = seats.iter().map(|s| s.to_string()).collect();
        move |id: &SeatId| set.contains(id.as_str())
    }

    fn nothing_taken(_: &SeatId) -> bool {
        false
    }

    #[test]
    fn picks_adjacent_seats_over_better_scattered_ones() {
        let best = BestAvailable::new(&ranked(&[&[1, 9, 1, 9, 2, 2]]));
        assert_eq!(best.find(2, None, nothing_taken), ids(&["S-A-5", "S-A-6"]));
    }

    #[test]
    fn prefers_the_lowest_total_rank() {
        let best = BestAvailable::new(&ranked(&[&[5, 5, 5, 5, 5], &[1, 2, 3, 2, 1]]));
        assert_eq!(
            best.find(3, None, nothing_taken),
            ids(&["S-B-1", "S-B-2", "S-B-3"]),
            "row B's 6 beats row A's 15; within B the first of two equal blocks wins"
        );
    }

    #[test]
    fn ties_go_to_the_lower_worst_seat_then_the_earlier_one() {
        let best = BestAvailable::new(&ranked(&[&[1, 3, 9, 2, 2, 9, 9]]));
        assert_eq!(best.find(2, None, nothing_taken), ids(&["S-A-4", "S-A-5"]));
        let best = BestAvailable::new(&ranked(&[&[4, 4, 9, 9], &[4, 4, 9, 9]]));
        assert_eq!(best.find(2, None, nothing_taken), ids(&["S-A-1", "S-A-2"]));
    }

    #[test]
    fn a_zone_keeps_the_whole_block_inside_it() {
        let best = BestAvailable::new(&map(&[&[
            ("a", 1),
            ("a", 1),
            ("b", 5),
            ("b", 6),
            ("a", 1),
            ("b", 7),
            ("b", 7),
        ]]));
        let b = ZoneId::parse("b").unwrap();
        assert_eq!(
            best.find(2, Some(&b), nothing_taken),
            ids(&["S-A-3", "S-A-4"])
        );
        assert_eq!(best.find(3, Some(&b), nothing_taken), None);
        let a = ZoneId::parse("a").unwrap();
        assert_eq!(
            best.find(2, Some(&a), nothing_taken),
            ids(&["S-A-1", "S-A-2"])
        );
        let unknown = ZoneId::parse("balcony").unwrap();
        assert_eq!(best.find(1, Some(&unknown), nothing_taken), None);
    }

    #[test]
    fn a_taken_seat_splits_a_row() {
        let best = BestAvailable::new(&ranked(&[&[1, 1, 1, 1, 1]]));
        let is_taken = taken(&["S-A-3"]);
        assert_eq!(best.find(3, None, &is_taken), None);
        assert_eq!(best.find(2, None, &is_taken), ids(&["S-A-1", "S-A-2"]));
    }

    #[test]
    fn does_not_strand_a_single_seat_when_a_clean_block_exists() {
        // Row A: four free seats, the best ranks; row B: exactly three, worse ranks.
        let best = BestAvailable::new(&ranked(&[&[1, 1, 1, 1], &[5, 5, 5]]));
        assert_eq!(
            best.find(3, None, nothing_taken),
            ids(&["S-B-1", "S-B-2", "S-B-3"]),
            "taking three of row A's four would leave one seat alone"
        );
        // With row B gone, stranding a seat is better than selling nothing.
        let is_taken = taken(&["S-B-2"]);
        assert_eq!(
            best.find(3, None, &is_taken),
            ids(&["S-A-1", "S-A-2", "S-A-3"])
        );
    }

    #[test]
    fn a_seat_already_alone_is_not_a_new_orphan() {
        // Seat 1 is alone already (seat 2 is taken): taking 5-6 strands nothing new.
        let best = BestAvailable::new(&ranked(&[&[1, 1, 2, 2, 1, 1, 9]]));
        let is_taken = taken(&["S-A-2", "S-A-7"]);
        assert_eq!(best.find(2, None, &is_taken), ids(&["S-A-5", "S-A-6"]));
        assert_eq!(
            best.find(1, None, &is_taken),
            ids(&["S-A-1"]),
            "filling a lone seat is ideal"
        );
    }

    #[test]
    fn the_best_ranks_lose_to_a_block_that_strands_nobody() {
        // Free: 1 | 3 4 5 6 |. 4-5 ranks best but would leave 3 and 6 alone.
        let best = BestAvailable::new(&ranked(&[&[1, 9, 3, 1, 1, 3, 9]]));
        let is_taken = taken(&["S-A-2", "S-A-7"]);
        assert_eq!(best.find(2, None, &is_taken), ids(&["S-A-3", "S-A-4"]));
    }

    #[test]
    fn quantity_must_be_one_to_ten() {
        let best = BestAvailable::new(&generate_arena(500));
        assert_eq!(best.find(0, None, nothing_taken), None);
        assert_eq!(best.find(11, None, nothing_taken), None);
        assert_eq!(
            best.find(10, None, nothing_taken).map(|s| s.len()),
            Some(10)
        );
    }

    #[test]
    fn a_block_longer_than_any_row_is_none() {
        let best = BestAvailable::new(&ranked(&[&[1, 1, 1], &[1, 1]]));
        assert_eq!(best.find(4, None, nothing_taken), None);
    }

    #[test]
    fn full_and_nearly_full_houses_say_none() {
        let arena = generate_arena(20_000);
        let best = BestAvailable::new(&arena);
        let mut asked = 0;
        let full = |_: &SeatId| {
            asked += 1;
            true
        };
        assert_eq!(best.find(4, None, full), None);
        // At most one question per four seats: a taken seat rules out every window it is in.
        assert!(asked <= 20_000 / 4, "{asked} questions");
        // Every other seat free: plenty of singles, never a pair.
        let mut asked = 0;
        let alternate = |id: &SeatId| {
            asked += 1;
            id.as_str()
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n % 2 == 0)
        };
        assert_eq!(best.find(2, None, alternate), None);
        assert!(asked <= 20_000, "each seat is asked about at most once");
        assert_eq!(
            best.find(1, None, |id| id.as_str() != "140-T-25"),
            ids(&["140-T-25"])
        );
    }

    #[test]
    fn an_empty_arena_gives_the_seats_nearest_the_stage() {
        let arena = generate_arena(20_000);
        let best = BestAvailable::new(&arena);
        let seats = best.find(4, None, nothing_taken).unwrap();
        assert_eq!(seats.len(), 4);
        let index = crate::seatmap::SeatIndex::new(&arena);
        let located: Vec<_> = seats.iter().map(|s| index.locate(s).unwrap()).collect();
        assert!(located.iter().all(|l| l.row == "A"));
        let positions: Vec<usize> = located.iter().map(|l| l.position.seat).collect();
        assert!(positions.windows(2).all(|w| w[1] == w[0] + 1));
        let worst = located.iter().map(|l| l.seat.rank).max().unwrap();
        let row_a_best = arena
            .seats()
            .filter(|(_, row, _)| row.label == "A")
            .map(|(_, _, seat)| seat.rank)
            .min()
            .unwrap();
        assert!(worst < row_a_best + 100, "the block sits near the stage");
    }

    /// Every block, the slow way, for cross-checking the pruned search.
    fn brute_force(
        map: &SeatMap,
        quantity: usize,
        zone: Option<&ZoneId>,
        is_taken: &dyn Fn(&SeatId) -> bool,
    ) -> Option<Vec<SeatId>> {
        // (strands a seat, total rank, worst rank, place in the map): lower is better.
        type Key = (bool, u64, u32, usize);
        let mut best: Option<(Key, Vec<SeatId>)> = None;
        let mut order = 0;
        for section in &map.sections {
            for row in &section.rows {
                let free: Vec<bool> = row.seats.iter().map(|s| !is_taken(&s.id)).collect();
                for s in 0..row.seats.len().saturating_sub(quantity - 1) {
                    let block = &row.seats[s..s + quantity];
                    let ok = block
                        .iter()
                        .zip(&free[s..])
                        .all(|(seat, free)| *free && zone.is_none_or(|z| seat.zone == *z));
                    if ok {
                        let end = s + quantity;
                        let strands = (s >= 1 && free[s - 1] && (s == 1 || !free[s - 2]))
                            || (end < free.len()
                                && free[end]
                                && (end + 1 == free.len() || !free[end + 1]));
                        let key = (
                            strands,
                            block.iter().map(|s| u64::from(s.rank)).sum(),
                            block.iter().map(|s| s.rank).max().unwrap(),
                            order + s,
                        );
                        if best.as_ref().is_none_or(|(k, _)| key < *k) {
                            best = Some((key, block.iter().map(|s| s.id.clone()).collect()));
                        }
                    }
                }
                order += row.seats.len();
            }
        }
        best.map(|(_, seats)| seats)
    }

    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn mixed_zone_rows_match_brute_force() {
        let mut random = SplitMix(11);
        let zones = [
            None,
            Some(ZoneId::parse("a").unwrap()),
            Some(ZoneId::parse("b").unwrap()),
        ];
        for round in 0..300 {
            let rows: Vec<Vec<(&str, u32)>> = (0..1 + random.next() % 4)
                .map(|_| {
                    (0..1 + random.next() % 12)
                        .map(|_| {
                            let zone = if random.next().is_multiple_of(3) {
                                "b"
                            } else {
                                "a"
                            };
                            (zone, 1 + (random.next() % 6) as u32)
                        })
                        .collect()
                })
                .collect();
            let rows: Vec<&[(&str, u32)]> = rows.iter().map(Vec::as_slice).collect();
            let layout = map(&rows);
            let taken_percent = random.next() % 80;
            let taken: HashSet<SeatId> = layout
                .seats()
                .filter(|_| random.next() % 100 < taken_percent)
                .map(|(_, _, seat)| seat.id.clone())
                .collect();
            let is_taken = |id: &SeatId| taken.contains(id);
            let quantity = 1 + (random.next() % 5) as usize;
            let zone = zones[round % 3].as_ref();
            assert_eq!(
                BestAvailable::new(&layout).find(quantity as u32, zone, is_taken),
                brute_force(&layout, quantity, zone, &is_taken),
                "round {round}: {rows:?}, {quantity} seats, taken {taken:?}, zone {zone:?}"
            );
        }
    }

    #[test]
    fn pruned_search_matches_brute_force() {
        let arena = generate_arena(3_000);
        let best = BestAvailable::new(&arena);
        let mut random = SplitMix(7);
        let mut next = move || random.next();
        let zones = [
            None,
            Some(ZoneId::parse("premium").unwrap()),
            Some(ZoneId::parse("upper").unwrap()),
        ];
        for round in 0..60 {
            let taken_percent = [0, 30, 60, 90, 97][round % 5];
            let taken: HashSet<SeatId> = arena
                .seats()
                .filter(|_| next() % 100 < taken_percent)
                .map(|(_, _, seat)| seat.id.clone())
                .collect();
            let is_taken = |id: &SeatId| taken.contains(id);
            let quantity = 1 + (next() % 10) as usize;
            let zone = zones[round % 3].as_ref();
            assert_eq!(
                best.find(quantity as u32, zone, is_taken),
                brute_force(&arena, quantity, zone, &is_taken),
                "round {round}: {quantity} seats, {taken_percent}% taken, zone {zone:?}"
            );
        }
    }
}
