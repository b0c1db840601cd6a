//! The seat-map status of a 20,000-seat arena: the handler's CPU work (status strings for
//! every section from the stored seat states, then JSON) and the size of what it sends,
//! gzipped. Half the seats are taken (held, sold, blocked), at random but seeded.

use chrono::Utc;
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use marquee_domain::seatmap::{SeatMap, generate_arena};
use marquee_store::{SeatState, SeatStateRecord};
use public_api::catalog::build_status;
use std::collections::HashMap;
use std::io::Write;

fn half_taken(map: &SeatMap) -> HashMap<marquee_domain::seatmap::SeatId, SeatStateRecord> {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let far_future = Utc::now().timestamp_millis() + 3_600_000;
    let mut states = HashMap::new();
    for section in &map.sections {
        for seat in section.rows.iter().flat_map(|r| r.seats.iter()) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let state = match rng % 6 {
                0 => SeatState::Held,
                1 | 2 => SeatState::Sold,
                3 => SeatState::Blocked,
                _ => continue,
            };
            states.insert(
                seat.id.clone(),
                SeatStateRecord {
                    seat: seat.id.clone(),
                    section: section.id.clone(),
                    state,
                    cart: None,
                    hold_id: None,
                    expires_at: Some(far_future),
                    order: None,
                },
            );
        }
    }
    states
}

fn gzipped_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).ok();
    encoder.finish().map(|v| v.len()).unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let map = generate_arena(20_000);
    let states = half_taken(&map);
    let counters = HashMap::new();
    let (status, _) = build_status("01perf", &map, &states, &counters, Utc::now());
    let json = serde_json::to_vec(&status).unwrap_or_default();
    println!(
        "seat-map status for 20,000 seats: {} bytes JSON, {} bytes gzipped",
        json.len(),
        gzipped_len(&json)
    );
    let layout = serde_json::to_vec(&map).unwrap_or_default();
    println!(
        "seat-map layout for 20,000 seats: {} bytes JSON, {} bytes gzipped",
        layout.len(),
        gzipped_len(&layout)
    );
    c.bench_function("seat_map_status_20000_build_and_serialise", |b| {
        b.iter(|| {
            let (status, _) = build_status(
                "01perf",
                black_box(&map),
                black_box(&states),
                &counters,
                Utc::now(),
            );
            serde_json::to_vec(&status).unwrap_or_default()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
