//! A generated arena of any size, the shared fixture for tests and benchmarks in every crate:
//! realistic enough (oval of sections around a floor, ranks rising away from the stage,
//! accessible seats, a standing floor) to exercise best-available and the seat-map payload.

use super::{
    AreaId, GaArea, HexColour, MAX_SEATS, PriceZone, Row, Seat, SeatId, SeatMap, Section,
    SectionId, ZoneId,
};
use std::f64::consts::PI;
use std::fmt::Write;

const SECTIONS: usize = 40;
const SEATS_PER_ROW: usize = 25;
/// Centre of the oval, in the middle of the coordinate range so that any size fits.
const CENTRE: (f64, f64) = (50_000.0, 50_000.0);
const FLOOR_RADII: (f64, f64) = (2_000.0, 1_400.0);
const ROW_DEPTH: f64 = 90.0;
/// Sections this close (in radians) to the stage look at it from the side or behind.
const SIDE_VIEW_ANGLE: f64 = PI / 6.0;

/// An arena with exactly `seats` reserved seats (capped at [`MAX_SEATS`]) and one
/// general-admission floor.
///
/// Up to 40 sections `101`… in an oval around the floor, rows `A`, `B`, … of 25 seats
/// (the last row of a section may be shorter), seat ids `{section}-{row}-{seat}`
/// (`101-A-1`). Zones: `floor` (the GA area, capacity 2000), `premium` (rows A–E),
/// `standard` (F–L), `upper` (the rest). Ranks grow with the distance from the stage at the
/// top of the oval; sections beside the stage are restricted-view and rank worse. Every
/// fourth section has two accessible seats and a companion seat at the start of row A.
pub fn generate_arena(seats: usize) -> SeatMap {
    let seats = seats.min(MAX_SEATS);
    let section_count = seats.div_ceil(SEATS_PER_ROW).min(SECTIONS);
    let zone = |id: &str| ZoneId(id.to_owned());
    let colour = |hex: &str| HexColour::parse(hex).ok();
    let zones = vec![
        PriceZone {
            id: zone("floor"),
            name: "Floor (standing)".into(),
            colour: colour("#2a9d8f"),
        },
        PriceZone {
            id: zone("premium"),
            name: "Premium".into(),
            colour: colour("#e76f51"),
        },
        PriceZone {
            id: zone("standard"),
            name: "Standard".into(),
            colour: colour("#f4a261"),
        },
        PriceZone {
            id: zone("upper"),
            name: "Upper tier".into(),
            colour: colour("#264653"),
        },
    ];

    let stage = (CENTRE.0, CENTRE.1 - FLOOR_RADII.1 * 0.8);
    let mut sections = Vec::with_capacity(section_count);
    for k in 0..section_count {
        let in_section = seats / section_count + usize::from(k < seats % section_count);
        let width = 2.0 * PI / section_count as f64;
        // Section 0 starts just right of the stage (top of the oval, y grows downwards).
        let start = -PI / 2.0 + k as f64 * width;
        let middle = start + width / 2.0;
        let from_stage = (middle + PI / 2.0).min(3.0 * PI / 2.0 - middle);
        let side_view = section_count > 1 && from_stage < SIDE_VIEW_ANGLE;
        let id = format!("{}", 101 + k);
        let mut rows = Vec::with_capacity(in_section.div_ceil(SEATS_PER_ROW));
        let mut remaining = in_section;
        let mut r = 0;
        while remaining > 0 {
            let in_row = remaining.min(SEATS_PER_ROW);
            remaining -= in_row;
            let label = row_label(r);
            let zone_id = match r {
                0..5 => "premium",
                5..12 => "standard",
                _ => "upper",
            };
            let radii = (
                FLOOR_RADII.0 + ROW_DEPTH * r as f64,
                FLOOR_RADII.1 + ROW_DEPTH * r as f64,
            );
            let row_seats = (0..in_row)
                .map(|i| {
                    // Seats fill the section's arc from its left edge, a small aisle each side.
                    let angle = start + width * (0.05 + 0.9 * (i as f64 + 0.5) / in_row as f64);
                    let x = tenth(CENTRE.0 + radii.0 * angle.cos());
                    let y = tenth(CENTRE.1 + radii.1 * angle.sin());
                    let distance = (x - stage.0).hypot(y - stage.1);
                    let accessible = k % 4 == 0 && r == 0 && i < 2;
                    let companion = k % 4 == 0 && r == 0 && i == 2;
                    let seat_label = (i + 1).to_string();
                    Seat {
                        id: SeatId(format!("{id}-{label}-{seat_label}")),
                        label: seat_label,
                        x,
                        y,
                        zone: zone(zone_id),
                        // Whole tens of units: neighbours often tie, as in real charts.
                        rank: 1 + (distance / 10.0) as u32 + if side_view { 500 } else { 0 },
                        accessible,
                        restricted_view: side_view,
                        companion,
                        note: accessible.then(|| "Wheelchair space".to_owned()),
                    }
                })
                .collect();
            rows.push(Row {
                label,
                seats: row_seats,
            });
            r += 1;
        }
        sections.push(Section {
            name: format!("Section {id}"),
            id: SectionId(id),
            rows,
        });
    }

    SeatMap {
        name: "Generated Arena".into(),
        zones,
        sections,
        areas: vec![GaArea {
            id: AreaId("floor".into()),
            name: "Standing floor".into(),
            zone: zone("floor"),
            capacity: 2_000,
            x: CENTRE.0,
            y: CENTRE.1,
        }],
    }
}

/// The seats of [`generate_arena`]`(seats)` as a CSV import file, with every optional column.
/// The general-admission floor has no place in a seat CSV and is left out, and zones are
/// named by their ids.
pub fn arena_csv(seats: usize) -> String {
    let map = generate_arena(seats);
    let mut csv = String::with_capacity(64 * map.seat_count() + 128);
    csv.push_str(
        "section,section name,row,seat,price zone,best-available rank,x,y,\
         accessible,restricted view,companion,note\n",
    );
    let flag = |value: bool| if value { "yes" } else { "no" };
    for (section, row, seat) in map.seats() {
        // Writing to a String cannot fail.
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            section.id,
            section.name,
            row.label,
            seat.label,
            seat.zone,
            seat.rank,
            seat.x,
            seat.y,
            flag(seat.accessible),
            flag(seat.restricted_view),
            flag(seat.companion),
            seat.note.as_deref().unwrap_or_default(),
        );
    }
    csv
}

/// Rounds to a tenth, so coordinates print short and read back exactly from CSV.
fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// `A`…`Z`, `AA`, `AB`, …: spreadsheet-style row letters for any number of rows.
fn row_label(mut index: usize) -> String {
    let mut label = Vec::new();
    loop {
        label.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    label.reverse();
    String::from_utf8_lossy(&label).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_labels_continue_past_z() {
        let labels: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(row_label)
            .collect();
        assert_eq!(labels, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }
}
