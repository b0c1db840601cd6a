//! Seat maps: a venue's layout of price zones, reserved seats (sections → rows → seats) and
//! general-admission areas, parsed once from JSON ([`SeatMap::parse`]) or CSV
//! ([`SeatMap::from_csv`]) into a [`SeatMap`] that is valid by construction.
//!
//! Ids of zones, sections, seats and areas become parts of DynamoDB keys (`SEAT#{seat}`), so
//! they are restricted to `[A-Za-z0-9_.-]`, never `#`.
//!
//! Also here: the live [`SeatStatus`] of a seat and its compact per-section encoding
//! ([`section_status`]), an O(1) seat lookup ([`SeatIndex`]) and a generated arena fixture
//! ([`generate_arena`], [`arena_csv`]) for tests and benchmarks.

mod arena;
mod csv_import;

pub use arena::{arena_csv, generate_arena};
pub use csv_import::CsvError;

use crate::{HexColour, Invalid};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The most reserved seats one map may hold (the largest arenas hold about 20,000).
pub const MAX_SEATS: usize = 50_000;
/// Drawing coordinates are in `0..=MAX_COORDINATE` (arbitrary units, chosen by the venue).
pub const MAX_COORDINATE: f64 = 100_000.0;
/// The largest capacity of one general-admission area.
pub const MAX_AREA_CAPACITY: u32 = 100_000;

const ID_MAX_CHARS: usize = 48;
const NAME_MAX_CHARS: usize = 120;
const LABEL_MAX_CHARS: usize = 16;
const NOTE_MAX_CHARS: usize = 200;
/// Rows up to this long are checked for repeated labels without a hash map.
const SHORT_ROW: usize = 64;

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn parse_id(value: &str, field: &'static str) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() || value.len() > ID_MAX_CHARS {
        return Err(Invalid::new(field, "must be 1 to 48 characters"));
    }
    if !value.chars().all(is_id_char) {
        return Err(Invalid::new(
            field,
            format!("'{value}' may contain only letters, digits, '_', '.' and '-'"),
        ));
    }
    Ok(value.to_owned())
}

/// Turns free text (a CSV cell, `{section}-{row}-{seat}`) into the id charset: every other
/// character becomes `-`, and the result is cut to 48 characters. Distinct inputs may collide
/// ("Box A" and "Box-A"); validation then reports the duplicate id.
fn sanitise_id(raw: &str) -> Option<String> {
    let id: String = raw
        .trim()
        .chars()
        .map(|c| if is_id_char(c) { c } else { '-' })
        .take(ID_MAX_CHARS)
        .collect();
    (!id.is_empty()).then_some(id)
}

macro_rules! layout_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Accepts 1 to 48 characters of `[A-Za-z0-9_.-]` (surrounding blanks are dropped).
            pub fn parse(value: &str) -> Result<Self, Invalid> {
                parse_id(value, $field).map(Self)
            }

            /// Makes an id out of free text by replacing characters outside the id charset
            /// with `-` and cutting it to 48 characters; `None` for blank text.
            pub fn sanitised(raw: &str) -> Option<Self> {
                sanitise_id(raw).map(Self)
            }

            /// The id as text, e.g. for a key.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        // Lets callers look ids up in sets and maps by `&str` without allocating.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

layout_id!(
    /// A price zone's id, e.g. `stalls`; prices are set per zone × price type.
    ZoneId,
    "zone"
);
layout_id!(
    /// A section's id, e.g. `101`; seat state is partitioned by performance + section.
    SectionId,
    "section"
);
layout_id!(
    /// A seat's id, unique within its map, e.g. `101-A-12`.
    SeatId,
    "seat"
);
layout_id!(
    /// A general-admission area's id, e.g. `floor`.
    AreaId,
    "area"
);

/// A venue's seating chart.
///
/// Make one with [`SeatMap::parse`], [`SeatMap::from_csv`], [`SeatMap::from_parts`] or by
/// deserializing, which all validate it. The fields are public for reading; a map assembled
/// by hand skips validation (the searches here stay panic-free on such a map, but may give
/// odd answers).
///
/// JSON: `{"name", "zones": [PriceZone], "sections": [Section], "areas": [GaArea]}`.
/// Deserializing re-runs validation (a few milliseconds for 20,000 seats).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", try_from = "SeatMapParts")]
pub struct SeatMap {
    /// 1 to 120 characters.
    pub name: String,
    pub zones: Vec<PriceZone>,
    /// In the venue's order.
    pub sections: Vec<Section>,
    pub areas: Vec<GaArea>,
}

/// A price zone: seats and areas in it share prices. JSON `{"id", "name", "colour"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceZone {
    pub id: ZoneId,
    pub name: String,
    /// How the seat map draws the zone, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub colour: Option<HexColour>,
}

/// A block of rows. Seat state is partitioned by section, and the store keeps one item per
/// section, so a section also round-trips through serde on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub id: SectionId,
    pub name: String,
    pub rows: Vec<Row>,
}

/// A row of seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// As printed on the ticket, e.g. `AA`.
    pub label: String,
    /// In physical left-to-right order: two seats are adjacent exactly when they are
    /// consecutive here.
    pub seats: Vec<Seat>,
}

/// A reserved seat. False flags and a missing note are left out of the JSON to keep a
/// 20,000-seat layout small; they read back as `false` / `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seat {
    pub id: SeatId,
    /// As printed on the ticket, e.g. `12`.
    pub label: String,
    /// Drawing position, `0..=100000`.
    pub x: f64,
    pub y: f64,
    pub zone: ZoneId,
    /// Best-available rank: lower is better; ties allowed.
    pub rank: u32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub accessible: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub restricted_view: bool,
    /// A companion seat next to an accessible one.
    #[serde(default, skip_serializing_if = "is_false")]
    pub companion: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A general-admission (standing or unreserved) area: patrons buy a quantity, not a seat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GaArea {
    pub id: AreaId,
    pub name: String,
    pub zone: ZoneId,
    pub capacity: u32,
    /// Where the map draws the area's label.
    pub x: f64,
    pub y: f64,
}

/// Why a seat map was refused: `path` points into the submitted JSON, e.g.
/// `sections[2].rows[0].seats[3].zone`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SeatMapError {
    /// Where in the submitted JSON, e.g. `zones[1].id`.
    pub path: String,
    pub message: String,
}

/// A seat map as typed by staff (`POST /admin/v1/seatmaps`). The JSON of a [`SeatMap`] is
/// also a valid input, so a map can be fetched, edited and posted back.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeatMapInput {
    /// 1 to 120 characters.
    pub name: String,
    pub zones: Vec<PriceZoneInput>,
    #[serde(default)]
    pub sections: Vec<SectionInput>,
    #[serde(default)]
    pub areas: Vec<GaAreaInput>,
}

/// A price zone as typed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceZoneInput {
    /// 1 to 48 characters of `[A-Za-z0-9_.-]`.
    pub id: String,
    /// Defaults to the id.
    #[serde(default)]
    pub name: Option<String>,
    /// `#rrggbb`.
    #[serde(default)]
    pub colour: Option<String>,
}

/// A section as typed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SectionInput {
    /// 1 to 48 characters of `[A-Za-z0-9_.-]`.
    pub id: String,
    /// Defaults to the id.
    #[serde(default)]
    pub name: Option<String>,
    pub rows: Vec<RowInput>,
}

/// A row as typed: seats left to right.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RowInput {
    /// 1 to 16 characters, unique within the section.
    pub label: String,
    /// A map has at most 50,000 seats (`MAX_SEATS`) in all.
    #[schema(max_items = 50_000)]
    pub seats: Vec<SeatInput>,
}

/// A seat as typed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeatInput {
    /// Defaults to `{sectionId}-{rowLabel}-{seatLabel}` with characters outside
    /// `[A-Za-z0-9_.-]` replaced by `-`.
    #[serde(default)]
    pub id: Option<String>,
    /// 1 to 16 characters, unique within the row.
    pub label: String,
    pub x: f64,
    pub y: f64,
    /// A declared zone id.
    pub zone: String,
    /// 1 or more; lower is better.
    pub rank: u32,
    #[serde(default)]
    pub accessible: bool,
    #[serde(default)]
    pub restricted_view: bool,
    #[serde(default)]
    pub companion: bool,
    /// Up to 200 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// A general-admission area as typed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GaAreaInput {
    /// 1 to 48 characters of `[A-Za-z0-9_.-]`, not equal to a section id.
    pub id: String,
    /// Defaults to the id.
    #[serde(default)]
    pub name: Option<String>,
    pub zone: String,
    /// 1 to 100000.
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: u32,
    pub x: f64,
    pub y: f64,
}

/// Where in a map a validation problem is: rendered as a JSON path for [`SeatMap::parse`] and
/// as a line number for [`SeatMap::from_csv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    Map,
    Zone(usize),
    Section(usize),
    Row(usize, usize),
    Seat(usize, usize, usize),
    Area(usize),
}

impl Loc {
    fn path(self, field: &str) -> String {
        let base = match self {
            Loc::Map => String::new(),
            Loc::Zone(z) => format!("zones[{z}]"),
            Loc::Section(s) => format!("sections[{s}]"),
            Loc::Row(s, r) => format!("sections[{s}].rows[{r}]"),
            Loc::Seat(s, r, i) => format!("sections[{s}].rows[{r}].seats[{i}]"),
            Loc::Area(a) => format!("areas[{a}]"),
        };
        match (base.is_empty(), field.is_empty()) {
            (true, _) => field.to_owned(),
            (false, true) => base,
            (false, false) => format!("{base}.{field}"),
        }
    }
}

/// A validation problem before it is rendered for JSON or CSV.
#[derive(Debug)]
struct Fault {
    loc: Loc,
    field: &'static str,
    message: String,
    /// For duplicates: the earlier place that already uses the value; the message ends with
    /// "… is already used by" and the renderer appends that place.
    earlier: Option<Loc>,
}

impl Fault {
    fn new(loc: Loc, field: &'static str, message: impl Into<String>) -> Self {
        Self {
            loc,
            field,
            message: message.into(),
            earlier: None,
        }
    }

    fn duplicate(loc: Loc, field: &'static str, value: &str, earlier: Loc) -> Self {
        Self {
            loc,
            field,
            message: format!("'{value}' is already used by"),
            earlier: Some(earlier),
        }
    }

    fn into_seat_map_error(self) -> SeatMapError {
        let message = match self.earlier {
            Some(earlier) => format!("{} {}", self.message, earlier.path("")),
            None => self.message,
        };
        SeatMapError {
            path: self.loc.path(self.field),
            message,
        }
    }
}

fn check_text(
    value: &str,
    max_chars: usize,
    loc: Loc,
    field: &'static str,
    what: &str,
) -> Result<(), Fault> {
    let chars = value.chars().count();
    if chars == 0
        || chars > max_chars
        || value.trim() != value
        || value.chars().any(char::is_control)
    {
        return Err(Fault::new(
            loc,
            field,
            format!("{what} must be 1 to {max_chars} printable characters"),
        ));
    }
    Ok(())
}

fn check_point(x: f64, y: f64, loc: Loc) -> Result<(), Fault> {
    for (value, field) in [(x, "x"), (y, "y")] {
        // `contains` is false for NaN, so this also refuses NaN and infinities.
        if !(0.0..=MAX_COORDINATE).contains(&value) {
            return Err(Fault::new(loc, field, "must be a number from 0 to 100000"));
        }
    }
    Ok(())
}

fn trimmed_or(value: Option<String>, default: &str) -> String {
    match value {
        Some(v) if !v.trim().is_empty() => v.trim().to_owned(),
        _ => default.to_owned(),
    }
}

impl SeatMap {
    /// Checks a layout typed by staff, naming the first problem by its JSON path.
    pub fn parse(input: SeatMapInput) -> Result<SeatMap, SeatMapError> {
        Self::parse_input(input).map_err(Fault::into_seat_map_error)
    }

    /// Reassembles a map from parts kept separately (the store keeps one item per section),
    /// validating it as a whole again.
    pub fn from_parts(
        name: String,
        zones: Vec<PriceZone>,
        sections: Vec<Section>,
        areas: Vec<GaArea>,
    ) -> Result<SeatMap, SeatMapError> {
        validate(SeatMap {
            name,
            zones,
            sections,
            areas,
        })
        .map_err(Fault::into_seat_map_error)
    }

    /// Imports a CSV file with one seat per line; see [`CsvError`] for the columns.
    pub fn from_csv(name: &str, csv: &str) -> Result<SeatMap, CsvError> {
        csv_import::import(name, csv)
    }

    fn parse_input(input: SeatMapInput) -> Result<SeatMap, Fault> {
        // Counted first so that an oversized upload is refused before any work is done on it.
        let seat_count: usize = input
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .map(|r| r.seats.len())
            .sum();
        check_seat_count(seat_count)?;

        let zones = input
            .zones
            .into_iter()
            .enumerate()
            .map(|(z, zone)| {
                let loc = Loc::Zone(z);
                let id = ZoneId::parse(&zone.id).map_err(|e| Fault::new(loc, "id", e.message))?;
                let colour = match zone.colour.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(c) => Some(
                        HexColour::parse(c).map_err(|e| Fault::new(loc, "colour", e.message))?,
                    ),
                };
                Ok(PriceZone {
                    name: trimmed_or(zone.name, id.as_str()),
                    id,
                    colour,
                })
            })
            .collect::<Result<Vec<_>, Fault>>()?;

        let mut sections = Vec::with_capacity(input.sections.len());
        for (s, section) in input.sections.into_iter().enumerate() {
            let id = SectionId::parse(&section.id)
                .map_err(|e| Fault::new(Loc::Section(s), "id", e.message))?;
            let mut rows = Vec::with_capacity(section.rows.len());
            for (r, row) in section.rows.into_iter().enumerate() {
                let label = row.label.trim().to_owned();
                let mut seats = Vec::with_capacity(row.seats.len());
                for (i, seat) in row.seats.into_iter().enumerate() {
                    let loc = Loc::Seat(s, r, i);
                    let seat_label = seat.label.trim().to_owned();
                    let seat_id = match seat.id.as_deref().map(str::trim) {
                        Some(explicit) if !explicit.is_empty() => SeatId::parse(explicit),
                        _ => SeatId::sanitised(&format!("{id}-{label}-{seat_label}"))
                            .ok_or_else(|| Invalid::new("seat", "is empty")),
                    }
                    .map_err(|e| Fault::new(loc, "id", e.message))?;
                    let zone = ZoneId::parse(&seat.zone)
                        .map_err(|e| Fault::new(loc, "zone", e.message))?;
                    let note = seat
                        .note
                        .map(|n| n.trim().to_owned())
                        .filter(|n| !n.is_empty());
                    seats.push(Seat {
                        id: seat_id,
                        label: seat_label,
                        x: seat.x,
                        y: seat.y,
                        zone,
                        rank: seat.rank,
                        accessible: seat.accessible,
                        restricted_view: seat.restricted_view,
                        companion: seat.companion,
                        note,
                    });
                }
                rows.push(Row { label, seats });
            }
            sections.push(Section {
                name: trimmed_or(section.name, id.as_str()),
                id,
                rows,
            });
        }

        let areas = input
            .areas
            .into_iter()
            .enumerate()
            .map(|(a, area)| {
                let loc = Loc::Area(a);
                let id = AreaId::parse(&area.id).map_err(|e| Fault::new(loc, "id", e.message))?;
                let zone =
                    ZoneId::parse(&area.zone).map_err(|e| Fault::new(loc, "zone", e.message))?;
                Ok(GaArea {
                    name: trimmed_or(area.name, id.as_str()),
                    id,
                    zone,
                    capacity: area.capacity,
                    x: area.x,
                    y: area.y,
                })
            })
            .collect::<Result<Vec<_>, Fault>>()?;

        validate(SeatMap {
            name: input.name.trim().to_owned(),
            zones,
            sections,
            areas,
        })
    }

    /// The number of reserved seats (general-admission capacity not included).
    pub fn seat_count(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.rows)
            .map(|r| r.seats.len())
            .sum()
    }

    /// The declared zone ids, in the map's order.
    pub fn zone_ids(&self) -> Vec<ZoneId> {
        self.zones.iter().map(|z| z.id.clone()).collect()
    }

    /// The zone ids that at least one seat or area is in, in the map's order: the zones a
    /// performance's price table must price.
    pub fn used_zone_ids(&self) -> Vec<ZoneId> {
        let used: HashSet<&ZoneId> = self
            .seats()
            .map(|(_, _, seat)| &seat.zone)
            .chain(self.areas.iter().map(|a| &a.zone))
            .collect();
        self.zones
            .iter()
            .filter(|z| used.contains(&z.id))
            .map(|z| z.id.clone())
            .collect()
    }

    /// The zone with this id.
    pub fn zone(&self, id: &ZoneId) -> Option<&PriceZone> {
        self.zones.iter().find(|z| z.id == *id)
    }

    /// The section with this id.
    pub fn section(&self, id: &SectionId) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == *id)
    }

    /// The general-admission area with this id.
    pub fn area(&self, id: &AreaId) -> Option<&GaArea> {
        self.areas.iter().find(|a| a.id == *id)
    }

    /// Every seat with its section and row, sections and rows in order, seats left to right.
    pub fn seats(&self) -> impl Iterator<Item = (&Section, &Row, &Seat)> {
        self.sections.iter().flat_map(|section| {
            section
                .rows
                .iter()
                .flat_map(move |row| row.seats.iter().map(move |seat| (section, row, seat)))
        })
    }

    /// The seat at a position found by [`SeatIndex`] or kept from an earlier lookup.
    pub fn seat_at(&self, position: SeatPosition) -> Option<SeatLocation<'_>> {
        let section = self.sections.get(position.section)?;
        let row = section.rows.get(position.row)?;
        let seat = row.seats.get(position.seat)?;
        Some(SeatLocation {
            position,
            section: &section.id,
            row: &row.label,
            seat,
        })
    }
}

impl Section {
    /// The number of seats in the section: the length of its status string.
    pub fn seat_count(&self) -> usize {
        self.rows.iter().map(|r| r.seats.len()).sum()
    }
}

fn check_seat_count(count: usize) -> Result<(), Fault> {
    if count > MAX_SEATS {
        return Err(Fault::new(
            Loc::Map,
            "sections",
            format!("has {count} seats; a map may have at most {MAX_SEATS}"),
        ));
    }
    Ok(())
}

/// Every rule a map obeys, on typed parts. Returns the first problem in document order.
fn validate(map: SeatMap) -> Result<SeatMap, Fault> {
    check_text(&map.name, NAME_MAX_CHARS, Loc::Map, "name", "the name")?;
    let seat_count = map.seat_count();
    check_seat_count(seat_count)?;
    if seat_count == 0 && map.areas.is_empty() {
        return Err(Fault::new(
            Loc::Map,
            "sections",
            "a map needs at least one seat or general-admission area",
        ));
    }

    let mut zones: HashMap<&str, usize> = HashMap::with_capacity(map.zones.len());
    for (z, zone) in map.zones.iter().enumerate() {
        let loc = Loc::Zone(z);
        if let Some(&earlier) = zones.get(zone.id.as_str()) {
            return Err(Fault::duplicate(
                loc,
                "id",
                zone.id.as_str(),
                Loc::Zone(earlier),
            ));
        }
        zones.insert(zone.id.as_str(), z);
        check_text(&zone.name, NAME_MAX_CHARS, loc, "name", "a zone name")?;
    }
    let check_zone = |zone: &ZoneId, loc: Loc| {
        if zones.contains_key(zone.as_str()) {
            Ok(())
        } else {
            Err(Fault::new(
                loc,
                "zone",
                format!("'{zone}' is not one of the map's zones"),
            ))
        }
    };

    let mut sections: HashMap<&str, usize> = HashMap::with_capacity(map.sections.len());
    let mut seat_ids: HashMap<&str, Loc> = HashMap::with_capacity(seat_count);
    let mut row_labels: HashMap<&str, usize> = HashMap::new();
    let mut seat_labels: HashMap<&str, usize> = HashMap::new();
    let mut last_zone: Option<&ZoneId> = None;
    for (s, section) in map.sections.iter().enumerate() {
        let loc = Loc::Section(s);
        if let Some(&earlier) = sections.get(section.id.as_str()) {
            return Err(Fault::duplicate(
                loc,
                "id",
                section.id.as_str(),
                Loc::Section(earlier),
            ));
        }
        sections.insert(section.id.as_str(), s);
        check_text(&section.name, NAME_MAX_CHARS, loc, "name", "a section name")?;
        if section.rows.is_empty() {
            return Err(Fault::new(loc, "rows", "a section needs at least one row"));
        }
        row_labels.clear();
        for (r, row) in section.rows.iter().enumerate() {
            let loc = Loc::Row(s, r);
            check_text(&row.label, LABEL_MAX_CHARS, loc, "label", "a row label")?;
            if let Some(&earlier) = row_labels.get(row.label.as_str()) {
                return Err(Fault::duplicate(
                    loc,
                    "label",
                    &row.label,
                    Loc::Row(s, earlier),
                ));
            }
            row_labels.insert(&row.label, r);
            if row.seats.is_empty() {
                return Err(Fault::new(loc, "seats", "a row needs at least one seat"));
            }
            seat_labels.clear();
            for (i, seat) in row.seats.iter().enumerate() {
                let loc = Loc::Seat(s, r, i);
                // Labels first: a repeated label also repeats the default id, and the label is
                // what the venue typed.
                check_text(&seat.label, LABEL_MAX_CHARS, loc, "label", "a seat label")?;
                // Rows are short: comparing with the seats before beats hashing, up to a point.
                let earlier = if row.seats.len() <= SHORT_ROW {
                    row.seats[..i]
                        .iter()
                        .position(|other| other.label == seat.label)
                } else {
                    seat_labels.insert(&seat.label, i)
                };
                if let Some(earlier) = earlier {
                    return Err(Fault::duplicate(
                        loc,
                        "label",
                        &seat.label,
                        Loc::Seat(s, r, earlier),
                    ));
                }
                if let Some(earlier) = seat_ids.insert(seat.id.as_str(), loc) {
                    return Err(Fault::duplicate(loc, "id", seat.id.as_str(), earlier));
                }
                check_point(seat.x, seat.y, loc)?;
                // Neighbours nearly always share a zone: only look up a zone that changed.
                if last_zone != Some(&seat.zone) {
                    check_zone(&seat.zone, loc)?;
                    last_zone = Some(&seat.zone);
                }
                if seat.rank == 0 {
                    return Err(Fault::new(loc, "rank", "must be at least 1"));
                }
                if let Some(note) = &seat.note {
                    let chars = note.chars().count();
                    if chars == 0 || chars > NOTE_MAX_CHARS {
                        return Err(Fault::new(loc, "note", "must be 1 to 200 characters"));
                    }
                }
            }
        }
    }

    let mut areas: HashMap<&str, usize> = HashMap::with_capacity(map.areas.len());
    for (a, area) in map.areas.iter().enumerate() {
        let loc = Loc::Area(a);
        if let Some(&earlier) = areas.get(area.id.as_str()) {
            return Err(Fault::duplicate(
                loc,
                "id",
                area.id.as_str(),
                Loc::Area(earlier),
            ));
        }
        // Areas and sections share the performance's key space (`GA#{area}`, `SEC#{section}`)
        // and the patron's view of the map, where one name must mean one place.
        if let Some(&section) = sections.get(area.id.as_str()) {
            return Err(Fault::duplicate(
                loc,
                "id",
                area.id.as_str(),
                Loc::Section(section),
            ));
        }
        areas.insert(area.id.as_str(), a);
        check_text(&area.name, NAME_MAX_CHARS, loc, "name", "an area name")?;
        check_zone(&area.zone, loc)?;
        if !(1..=MAX_AREA_CAPACITY).contains(&area.capacity) {
            return Err(Fault::new(loc, "capacity", "must be 1 to 100000"));
        }
        check_point(area.x, area.y, loc)?;
    }

    Ok(map)
}

/// The serde shape of a [`SeatMap`], validated on the way in.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeatMapParts {
    name: String,
    zones: Vec<PriceZone>,
    #[serde(default)]
    sections: Vec<Section>,
    #[serde(default)]
    areas: Vec<GaArea>,
}

impl TryFrom<SeatMapParts> for SeatMap {
    type Error = SeatMapError;
    fn try_from(parts: SeatMapParts) -> Result<Self, Self::Error> {
        SeatMap::from_parts(parts.name, parts.zones, parts.sections, parts.areas)
    }
}

/// Where a seat is in its map: indexes into `sections`, `rows` and `seats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeatPosition {
    /// Index into [`SeatMap::sections`].
    pub section: usize,
    /// Index into [`Section::rows`].
    pub row: usize,
    /// Index into [`Row::seats`].
    pub seat: usize,
}

/// A seat with the ids that place it: what a hold needs to address the seat's item
/// (`PERF#…#SEC#{section}`, `SEAT#{seat}`) and to price it (its zone).
#[derive(Debug, Clone, Copy)]
pub struct SeatLocation<'a> {
    pub position: SeatPosition,
    /// The section, which partitions the seat's state in the store.
    pub section: &'a SectionId,
    /// The row's label.
    pub row: &'a str,
    pub seat: &'a Seat,
}

impl<'a> SeatLocation<'a> {
    /// The price zone, which with the price type sets the seat's price.
    pub fn zone(&self) -> &'a ZoneId {
        &self.seat.zone
    }
}

/// Seat id → place in the map, built once per map (a few hundred microseconds for 20,000
/// seats) for O(1) lookups, e.g. to find the sections of the seats in a hold request.
#[derive(Debug, Clone)]
pub struct SeatIndex<'a> {
    map: &'a SeatMap,
    positions: HashMap<&'a str, SeatPosition>,
}

impl<'a> SeatIndex<'a> {
    /// Indexes every seat of `map`.
    pub fn new(map: &'a SeatMap) -> Self {
        let mut positions = HashMap::with_capacity(map.seat_count());
        for (s, section) in map.sections.iter().enumerate() {
            for (r, row) in section.rows.iter().enumerate() {
                for (i, seat) in row.seats.iter().enumerate() {
                    let position = SeatPosition {
                        section: s,
                        row: r,
                        seat: i,
                    };
                    positions.insert(seat.id.as_str(), position);
                }
            }
        }
        Self { map, positions }
    }

    /// The seat with this id, or `None` if the map has no such seat.
    pub fn locate(&self, id: &SeatId) -> Option<SeatLocation<'a>> {
        let position = *self.positions.get(id.as_str())?;
        self.map.seat_at(position)
    }

    /// The number of seats indexed.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether the map has no reserved seats.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// A seat's state for one performance. JSON: `"free" | "held" | "sold" | "blocked"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeatStatus {
    /// Nobody has it (or a hold on it has expired).
    Free,
    /// In someone's cart until the hold expires.
    Held,
    /// Paid for.
    Sold,
    /// Kept off sale by the venue (house seats, kills).
    Blocked,
}

impl SeatStatus {
    /// The one-letter code used in per-section status strings: `f`, `h`, `s`, `b`.
    pub fn code(self) -> char {
        match self {
            SeatStatus::Free => 'f',
            SeatStatus::Held => 'h',
            SeatStatus::Sold => 's',
            SeatStatus::Blocked => 'b',
        }
    }

    /// The status for a one-letter code, if it is one.
    pub fn from_code(code: char) -> Option<Self> {
        match code {
            'f' => Some(SeatStatus::Free),
            'h' => Some(SeatStatus::Held),
            's' => Some(SeatStatus::Sold),
            'b' => Some(SeatStatus::Blocked),
            _ => None,
        }
    }

    /// Whether a patron can take the seat now.
    pub fn is_free(self) -> bool {
        self == SeatStatus::Free
    }
}

/// The compact status of a section for the public seat map: one [`SeatStatus::code`] per
/// seat, rows in order, seats left to right, e.g. `"ffhs…"`. The client pairs it with the
/// layout it already has, so a 20,000-seat house costs 20,000 bytes before compression.
pub fn section_status(
    section: &Section,
    mut status_of: impl FnMut(&SeatId) -> SeatStatus,
) -> String {
    let mut out = String::with_capacity(section.seat_count());
    for row in &section.rows {
        for seat in &row.seats {
            out.push(status_of(&seat.id).code());
        }
    }
    out
}

#[cfg(test)]
mod tests;
