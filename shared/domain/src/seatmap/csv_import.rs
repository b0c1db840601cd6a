//! CSV import of a seat map, one seat per line, for venues that keep their chart in a
//! spreadsheet or export it from their old box-office system.

use super::{
    Loc, MAX_SEATS, PriceZoneInput, RowInput, SeatInput, SeatMap, SeatMapInput, SectionInput,
    sanitise_id,
};
use std::collections::HashMap;
use std::fmt;

/// Why a CSV seat map was refused, pointing at the line (1-based; the header is line 1) and,
/// where one is to blame, the column as the venue knows it (`"price zone"`).
///
/// Line 0 means the problem is not in the file (the map's name).
///
/// The file: a header line, then one seat per line, rows listed left to right.
/// Required columns: `section, row, seat, price zone, best-available rank, x, y, note` (the
/// note may be empty). Optional: `accessible, restricted view, companion` (`yes/no`,
/// `true/false`, `y/n`, `1/0`; empty means no) and `section name`. Column names are
/// case-insensitive, spaces, `_` and `-` in them are ignored, order is free, unknown columns
/// are skipped. Fields may be separated by `,`, `;` or tabs, and quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CsvError {
    /// 1-based line of the file (a quoted line break counts); 0 for the map's name.
    pub line: usize,
    /// The column as named above, e.g. `price zone`.
    pub column: Option<String>,
    /// What is wrong, for the venue to fix.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.column) {
            (0, _) => f.write_str(&self.message),
            (line, Some(column)) => write!(f, "line {line}, column '{column}': {}", self.message),
            (line, None) => write!(f, "line {line}: {}", self.message),
        }
    }
}

impl CsvError {
    fn at(line: usize, column: Option<Column>, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.map(|c| c.display_name().to_owned()),
            message: message.into(),
        }
    }
}

/// The columns, required ones first; `COLUMNS[c as usize] == c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Section,
    Row,
    Seat,
    Zone,
    Rank,
    X,
    Y,
    Note,
    SectionName,
    Accessible,
    RestrictedView,
    Companion,
}

const COLUMNS: [Column; 12] = [
    Column::Section,
    Column::Row,
    Column::Seat,
    Column::Zone,
    Column::Rank,
    Column::X,
    Column::Y,
    Column::Note,
    Column::SectionName,
    Column::Accessible,
    Column::RestrictedView,
    Column::Companion,
];

impl Column {
    fn display_name(self) -> &'static str {
        match self {
            Column::Section => "section",
            Column::SectionName => "section name",
            Column::Row => "row",
            Column::Seat => "seat",
            Column::Zone => "price zone",
            Column::Rank => "best-available rank",
            Column::X => "x",
            Column::Y => "y",
            Column::Note => "note",
            Column::Accessible => "accessible",
            Column::RestrictedView => "restricted view",
            Column::Companion => "companion",
        }
    }

    fn required(self) -> bool {
        !matches!(
            self,
            Column::SectionName | Column::Accessible | Column::RestrictedView | Column::Companion
        )
    }

    /// The header cell, lower-cased without spaces, `_` and `-`: `Price_Zone` → `pricezone`.
    fn matches(self, normalised_header: &str) -> bool {
        let wanted = self
            .display_name()
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-'));
        wanted.eq(normalised_header.bytes())
    }
}

fn normalise_header(cell: &str) -> String {
    cell.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Spreadsheets in many locales save with `;`; exports from databases often use tabs.
fn sniff_delimiter(csv: &str) -> u8 {
    let header = csv.lines().next().unwrap_or_default();
    let count = |d: u8| header.bytes().filter(|&b| b == d).count();
    // Commas win ties: a comma file with a stray `;` in a column name stays a comma file.
    [b';', b'\t'].into_iter().fold(
        b',',
        |best, d| if count(d) > count(best) { d } else { best },
    )
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" => Some(true),
        _ => None,
    }
}

struct SectionDraft {
    first_line: usize,
    input: SectionInput,
    rows_by_label: HashMap<String, usize>,
    /// Per row: the line of each seat, for error messages.
    seat_lines: Vec<Vec<usize>>,
}

pub(super) fn import(name: &str, csv: &str) -> Result<SeatMap, CsvError> {
    // Excel writes a byte-order mark that would otherwise stick to the first column's name.
    let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(csv))
        .trim(csv::Trim::All)
        .from_reader(csv.as_bytes());

    let headers = reader.headers().map_err(from_csv_error)?.clone();
    let mut positions: [Option<usize>; COLUMNS.len()] = [None; COLUMNS.len()];
    for (index, cell) in headers.iter().enumerate() {
        let normalised = normalise_header(cell);
        if let Some(c) = COLUMNS.iter().position(|c| c.matches(&normalised)) {
            if positions[c].is_some() {
                return Err(CsvError::at(
                    1,
                    Some(COLUMNS[c]),
                    "the column appears twice in the header",
                ));
            }
            positions[c] = Some(index);
        }
    }
    if let Some(missing) = COLUMNS
        .iter()
        .zip(positions)
        .find(|(c, p)| c.required() && p.is_none())
    {
        return Err(CsvError::at(
            1,
            Some(*missing.0),
            format!(
                "the header has no '{}' column (required: section, row, seat, price zone, \
                 best-available rank, x, y, note)",
                missing.0.display_name()
            ),
        ));
    }
    let column_index = |column: Column| positions[column as usize];

    let mut sections: Vec<SectionDraft> = Vec::new();
    let mut sections_by_value: HashMap<String, usize> = HashMap::new();
    let mut zones: Vec<PriceZoneInput> = Vec::new();
    let mut zone_lines: Vec<usize> = Vec::new();
    let mut zone_ids_by_value: HashMap<String, String> = HashMap::new();
    let mut seat_count = 0usize;

    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(from_csv_error)? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        seat_count += 1;
        if seat_count > MAX_SEATS {
            return Err(CsvError::at(
                line,
                None,
                format!("the file has more than {MAX_SEATS} seats"),
            ));
        }
        let cell = |column: Column| -> &str {
            column_index(column)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
        };
        let required = |column: Column| -> Result<&str, CsvError> {
            let value = cell(column);
            if value.is_empty() {
                Err(CsvError::at(line, Some(column), "is empty"))
            } else {
                Ok(value)
            }
        };
        let number = |column: Column| -> Result<f64, CsvError> {
            required(column)?
                .parse::<f64>()
                .map_err(|_| CsvError::at(line, Some(column), "is not a number"))
        };
        let flag = |column: Column| -> Result<bool, CsvError> {
            parse_flag(cell(column))
                .ok_or_else(|| CsvError::at(line, Some(column), "must be yes or no"))
        };

        let section_value = required(Column::Section)?;
        let row_label = required(Column::Row)?;
        let seat_label = required(Column::Seat)?;
        let zone_value = required(Column::Zone)?;
        let rank = required(Column::Rank)?.parse::<u32>().map_err(|_| {
            CsvError::at(line, Some(Column::Rank), "is not a whole number from 1 up")
        })?;
        let x = number(Column::X)?;
        let y = number(Column::Y)?;
        let accessible = flag(Column::Accessible)?;
        let restricted_view = flag(Column::RestrictedView)?;
        let companion = flag(Column::Companion)?;
        let note = cell(Column::Note);

        let zone_id = match zone_ids_by_value.get(zone_value) {
            Some(id) => id.clone(),
            None => {
                let id = sanitise_id(zone_value).unwrap_or_default();
                zone_ids_by_value.insert(zone_value.to_owned(), id.clone());
                zones.push(PriceZoneInput {
                    id: id.clone(),
                    name: Some(zone_value.to_owned()),
                    colour: None,
                });
                zone_lines.push(line);
                id
            }
        };

        let s = match sections_by_value.get(section_value) {
            Some(&s) => s,
            None => {
                sections.push(SectionDraft {
                    first_line: line,
                    input: SectionInput {
                        id: sanitise_id(section_value).unwrap_or_default(),
                        name: None,
                        rows: Vec::new(),
                    },
                    rows_by_label: HashMap::new(),
                    seat_lines: Vec::new(),
                });
                sections_by_value.insert(section_value.to_owned(), sections.len() - 1);
                sections.len() - 1
            }
        };
        let draft = &mut sections[s];
        let section_name = cell(Column::SectionName);
        if draft.input.name.is_none() && !section_name.is_empty() {
            draft.input.name = Some(section_name.to_owned());
        }
        let r = match draft.rows_by_label.get(row_label) {
            Some(&r) => r,
            None => {
                draft.input.rows.push(RowInput {
                    label: row_label.to_owned(),
                    seats: Vec::new(),
                });
                draft.seat_lines.push(Vec::new());
                draft
                    .rows_by_label
                    .insert(row_label.to_owned(), draft.input.rows.len() - 1);
                draft.input.rows.len() - 1
            }
        };
        draft.input.rows[r].seats.push(SeatInput {
            id: None,
            label: seat_label.to_owned(),
            x,
            y,
            zone: zone_id,
            rank,
            accessible,
            restricted_view,
            companion,
            note: (!note.is_empty()).then(|| note.to_owned()),
        });
        draft.seat_lines[r].push(line);
    }

    if seat_count == 0 {
        return Err(CsvError::at(1, None, "the file has a header but no seats"));
    }

    let mut section_lines = Vec::with_capacity(sections.len());
    let mut seat_lines = Vec::with_capacity(sections.len());
    let mut inputs = Vec::with_capacity(sections.len());
    for draft in sections {
        section_lines.push(draft.first_line);
        seat_lines.push(draft.seat_lines);
        inputs.push(draft.input);
    }
    let input = SeatMapInput {
        name: name.to_owned(),
        zones,
        sections: inputs,
        areas: Vec::new(),
    };
    SeatMap::parse_input(input).map_err(|fault| {
        let line_of = |loc: Loc| match loc {
            Loc::Map | Loc::Area(_) => 0,
            Loc::Zone(z) => zone_lines.get(z).copied().unwrap_or(0),
            Loc::Section(s) => section_lines.get(s).copied().unwrap_or(0),
            Loc::Row(s, r) => first_line_of_row(&seat_lines, s, r),
            Loc::Seat(s, r, i) => seat_lines
                .get(s)
                .and_then(|rows| rows.get(r))
                .and_then(|seats| seats.get(i))
                .copied()
                .unwrap_or(0),
        };
        let line = line_of(fault.loc);
        let message = match fault.earlier {
            Some(earlier) => format!("{} line {}", fault.message, line_of(earlier)),
            None => fault.message,
        };
        if line == 0 {
            // Only the map's name is outside the file.
            return CsvError {
                line: 0,
                column: None,
                message: format!("{}: {message}", fault.loc.path(fault.field)),
            };
        }
        CsvError::at(line, column_for(fault.loc, fault.field), message)
    })
}

fn first_line_of_row(seat_lines: &[Vec<Vec<usize>>], s: usize, r: usize) -> usize {
    seat_lines
        .get(s)
        .and_then(|rows| rows.get(r))
        .and_then(|seats| seats.first())
        .copied()
        .unwrap_or(0)
}

/// The CSV column a validation problem is about.
fn column_for(loc: Loc, field: &str) -> Option<Column> {
    match (loc, field) {
        (Loc::Zone(_), _) | (_, "zone") => Some(Column::Zone),
        (Loc::Section(_), "id") => Some(Column::Section),
        (Loc::Section(_), "name") => Some(Column::SectionName),
        (Loc::Row(..), _) => Some(Column::Row),
        // A seat's id is made of its section, row and seat; the seat column is the usual fix.
        (Loc::Seat(..), "id" | "label") => Some(Column::Seat),
        (Loc::Seat(..), "rank") => Some(Column::Rank),
        (Loc::Seat(..), "x") => Some(Column::X),
        (Loc::Seat(..), "y") => Some(Column::Y),
        (Loc::Seat(..), "note") => Some(Column::Note),
        _ => None,
    }
}

fn from_csv_error(error: csv::Error) -> CsvError {
    let line = error.position().map_or(0, |p| p.line() as usize);
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields but the header has {expected_len}"),
        _ => "is not valid CSV".to_owned(),
    };
    CsvError::at(line, None, message)
}
