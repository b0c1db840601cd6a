//! The seat-map hot paths on a 20,000-seat arena, against DESIGN.md's performance budgets:
//! best available ≤ 1 ms; the seat-map status well inside a 5 ms handler; a CSV import of
//! the whole arena well under 100 ms.
//!
//! `cargo bench -p marquee-domain` (add `-- --quick` for a fast look).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use marquee_domain::{
    BestAvailable, SeatId, SeatIndex, SeatMap, SeatStatus, ZoneId, arena_csv, generate_arena,
    section_status,
};
use std::collections::HashSet;
use std::hint::black_box;

const SEATS: usize = 20_000;

/// splitmix64: a deterministic stream, so every run benchmarks the same house.
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

/// About `percent` % of the seats, chosen at random from `seed`: what a handler would have
/// after reading the performance's taken seats.
fn taken(map: &SeatMap, percent: u64, seed: u64) -> HashSet<SeatId> {
    let mut random = SplitMix(seed);
    map.seats()
        .filter(|_| random.next() % 100 < percent)
        .map(|(_, _, seat)| seat.id.clone())
        .collect()
}

fn best_available(c: &mut Criterion) {
    let arena = generate_arena(SEATS);
    let best = BestAvailable::new(&arena);
    let upper = ZoneId::parse("upper").ok();
    let houses = [
        ("empty", HashSet::new()),
        ("half_taken", taken(&arena, 50, 1)),
        ("99pct_taken", taken(&arena, 99, 2)),
        ("full", taken(&arena, 100, 3)),
    ];

    let mut group = c.benchmark_group("best_available_20k");
    for (house, taken) in &houses {
        group.bench_function(format!("find4_{house}"), |b| {
            b.iter(|| best.find(black_box(4), None, |id| taken.contains(id)))
        });
    }
    let (_, half) = &houses[1];
    group.bench_function("find4_upper_zone_half_taken", |b| {
        b.iter(|| best.find(black_box(4), upper.as_ref(), |id| half.contains(id)))
    });
    group.bench_function("find10_half_taken", |b| {
        b.iter(|| best.find(black_box(10), None, |id| half.contains(id)))
    });
    group.bench_function("new", |b| b.iter(|| BestAvailable::new(black_box(&arena))));
    group.finish();
}

fn seat_map(c: &mut Criterion) {
    let arena = generate_arena(SEATS);
    let sold = taken(&arena, 30, 4);
    let csv = arena_csv(SEATS);
    assert!(SeatMap::from_csv("Arena", &csv).is_ok());

    let mut group = c.benchmark_group("seat_map_20k");
    group.bench_function("section_status_all_sections", |b| {
        b.iter(|| {
            arena
                .sections
                .iter()
                .map(|section| {
                    section_status(section, |id| {
                        if sold.contains(id) {
                            SeatStatus::Sold
                        } else {
                            SeatStatus::Free
                        }
                    })
                })
                .collect::<Vec<String>>()
        })
    });
    group.bench_function("from_csv", |b| {
        b.iter(|| SeatMap::from_csv("Arena", black_box(&csv)))
    });
    group.bench_function("seat_index_new", |b| {
        b.iter(|| SeatIndex::new(black_box(&arena)).len())
    });
    group.bench_function("from_parts_validation", |b| {
        b.iter_batched(
            || arena.clone(),
            |m| SeatMap::from_parts(m.name, m.zones, m.sections, m.areas).is_ok(),
            BatchSize::LargeInput,
        )
    });
    let json = serde_json::to_string(&arena).unwrap_or_default();
    group.bench_function("deserialize_validated_json", |b| {
        b.iter(|| serde_json::from_str::<SeatMap>(black_box(&json)).is_ok())
    });
    group.finish();
}

criterion_group!(benches, best_available, seat_map);
criterion_main!(benches);
