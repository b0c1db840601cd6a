//! Paper for posted tickets, on US Letter: address labels in the Avery 5160 layout for the
//! box office's own posting, and the letter a print-and-mail provider prints and posts (the
//! recipient's address where a window envelope shows it, then one ticket per page).

use super::fonts::Weight;
use super::text::{Line, Typesetter};
use super::{Fonts, INK, LABEL_GREY, PdfError, Rgb, TicketDocument, fill, qr_modules};
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag};
use krilla::{Document, SerializeSettings};

/// US Letter, 8.5″ × 11″, in points.
pub const LETTER_WIDTH: f32 = 612.0;
pub const LETTER_HEIGHT: f32 = 792.0;
const INCH: f32 = 72.0;

/// Avery 5160: 3 columns × 10 rows of 2⅝″ × 1″ labels; ½″ top margin, 3⁄16″ side margin,
/// ⅛″ between columns, none between rows.
pub const LABELS_PER_SHEET: usize = 30;
const LABEL_COLUMNS: usize = 3;
const LABEL_WIDTH: f32 = 2.625 * INCH;
const LABEL_HEIGHT: f32 = 1.0 * INCH;
const LABEL_TOP: f32 = 0.5 * INCH;
const LABEL_LEFT: f32 = 0.1875 * INCH;
const LABEL_PITCH_X: f32 = 2.75 * INCH;
/// Text inside a label keeps clear of its edges (printers drift).
const LABEL_PADDING: f32 = 0.1 * INCH;
const LABEL_LINES: usize = 6;

/// Where a #10 window envelope shows the recipient: from ⅞″ from the left and 2″ from the
/// top of the folded letter's first page, 3½″ wide.
const WINDOW_LEFT: f32 = 0.875 * INCH;
const WINDOW_TOP: f32 = 2.0 * INCH;
const WINDOW_WIDTH: f32 = 3.5 * INCH;
const MARGIN: f32 = 0.75 * INCH;

/// Address labels, one per address (its lines as written on an envelope), 30 to a sheet
/// in the Avery 5160 layout. No addresses: one blank sheet.
pub fn render_address_labels(
    addresses: &[Vec<String>],
    fonts: &Fonts,
) -> Result<Vec<u8>, PdfError> {
    let typesetter = Typesetter::new(fonts);
    let mut pdf = document_for("Address labels");
    let sheets = addresses.chunks(LABELS_PER_SHEET);
    let sheets: Vec<&[Vec<String>]> = if addresses.is_empty() {
        vec![&[]]
    } else {
        sheets.collect()
    };
    for sheet in sheets {
        let mut page = pdf.start_page_with(letter());
        let mut surface = page.surface();
        let mut canvas = LetterCanvas {
            surface: &mut surface,
            typesetter: &typesetter,
        };
        for (i, lines) in sheet.iter().enumerate() {
            let (row, column) = (i / LABEL_COLUMNS, i % LABEL_COLUMNS);
            let left = LABEL_LEFT + column as f32 * LABEL_PITCH_X + LABEL_PADDING;
            let top = LABEL_TOP + row as f32 * LABEL_HEIGHT + LABEL_PADDING;
            let width = LABEL_WIDTH - 2.0 * LABEL_PADDING;
            // Six lines fit at 8 pt; a longer address shrinks to fit the label's height.
            let count = lines.len().clamp(1, LABEL_LINES);
            let size = if count <= 5 { 9.0 } else { 8.0 };
            let leading = (LABEL_HEIGHT - 2.0 * LABEL_PADDING) / count as f32;
            canvas.tag_label();
            for (n, text) in lines.iter().take(LABEL_LINES).enumerate() {
                let weight = if n == 0 {
                    Weight::Bold
                } else {
                    Weight::Regular
                };
                if let Some(line) = typesetter.lines(text, weight, size, width, 1).first() {
                    let baseline = top + n as f32 * leading + size;
                    canvas.text(line, size, INK, left, baseline);
                }
            }
            canvas.end_tag();
        }
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| PdfError::Write(e.to_string()))
}

/// The letter a print-and-mail provider posts: a first page with the recipient's address
/// where a window envelope shows it and what is enclosed, then each ticket on its own page
/// with its QR code.
pub fn render_ticket_letter(
    document: &TicketDocument,
    address: &[String],
    fonts: &Fonts,
) -> Result<Vec<u8>, PdfError> {
    if document.tickets.is_empty() {
        return Err(PdfError::NoTickets);
    }
    let typesetter = Typesetter::new(fonts);
    let mut pdf = document_for(&format!(
        "{} tickets, order {}",
        document.venue_name, document.order_number
    ));
    let text_width = LETTER_WIDTH - 2.0 * MARGIN;
    {
        let mut page = pdf.start_page_with(letter());
        let mut surface = page.surface();
        let mut canvas = LetterCanvas {
            surface: &mut surface,
            typesetter: &typesetter,
        };
        if let Some(line) = typesetter
            .lines(&document.venue_name, Weight::Bold, 14.0, text_width, 1)
            .first()
        {
            canvas.text(line, 14.0, INK, MARGIN, 0.75 * INCH);
        }
        for (n, text) in address.iter().take(7).enumerate() {
            let weight = if n == 0 {
                Weight::Bold
            } else {
                Weight::Regular
            };
            if let Some(line) = typesetter
                .lines(text, weight, 11.0, WINDOW_WIDTH, 1)
                .first()
            {
                canvas.text(
                    line,
                    11.0,
                    INK,
                    WINDOW_LEFT,
                    WINDOW_TOP + 11.0 + n as f32 * 14.0,
                );
            }
        }
        let count = document.tickets.len();
        let intro = format!(
            "Order {}: your {count} ticket{} enclosed, one per page. Bring them to the door; \
             each QR code is scanned once.",
            document.order_number,
            if count == 1 { " is" } else { "s are" }
        );
        let mut y = 4.5 * INCH;
        for line in typesetter.lines(&intro, Weight::Regular, 11.0, text_width, 4) {
            canvas.text(&line, 11.0, INK, MARGIN, y);
            y += 15.0;
        }
        for ticket in &document.tickets {
            y += 6.0;
            let summary = format!(
                "{} — {} — {}",
                ticket.event_title, ticket.starts_at_local, ticket.place
            );
            for line in typesetter.lines(&summary, Weight::Regular, 10.0, text_width, 2) {
                canvas.text(&line, 10.0, LABEL_GREY, MARGIN, y);
                y += 13.0;
            }
            if y > LETTER_HEIGHT - MARGIN {
                break;
            }
        }
        surface.finish();
        page.finish();
    }
    let count = document.tickets.len();
    for (i, ticket) in document.tickets.iter().enumerate() {
        let modules = qr_modules(&ticket.code)?;
        let mut page = pdf.start_page_with(letter());
        let mut surface = page.surface();
        let mut canvas = LetterCanvas {
            surface: &mut surface,
            typesetter: &typesetter,
        };
        let mut y = MARGIN + 12.0;
        let header = format!("{} · {} / {count}", document.venue_name, i + 1);
        for line in typesetter.lines(&header, Weight::Regular, 10.0, text_width, 1) {
            canvas.text(&line, 10.0, LABEL_GREY, MARGIN, y);
        }
        y += 30.0;
        for line in typesetter.lines(&ticket.event_title, Weight::Bold, 22.0, text_width, 3) {
            canvas.text(&line, 22.0, INK, MARGIN, y);
            y += 27.0;
        }
        let price = [ticket.price_type.as_str(), ticket.price.as_str()]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        for (label, value) in [
            ("WHEN", ticket.starts_at_local.as_str()),
            ("WHERE", ticket.place.as_str()),
            ("PRICE", price.as_str()),
        ] {
            y += 10.0;
            for line in typesetter.lines(label, Weight::Regular, 8.0, text_width, 1) {
                canvas.text(&line, 8.0, LABEL_GREY, MARGIN, y);
            }
            y += 16.0;
            for line in typesetter.lines(value, Weight::Regular, 13.0, text_width, 2) {
                canvas.text(&line, 13.0, INK, MARGIN, y);
                y += 16.0;
            }
        }
        // A 3″ QR code, centred in the lower half of the page.
        let side = 3.0 * INCH;
        let module = side / (modules.len() + 8) as f32;
        let left = (LETTER_WIDTH - side) / 2.0 + 4.0 * module;
        let top = LETTER_HEIGHT - MARGIN - side - 40.0 + 4.0 * module;
        canvas.qr(&modules, module, left, top);
        let footer = format!(
            "Order {} · Ticket {}",
            document.order_number, ticket.ticket_id
        );
        for line in typesetter.lines(&footer, Weight::Regular, 9.0, text_width, 1) {
            let x = (LETTER_WIDTH - line.width * 9.0) / 2.0;
            canvas.text(&line, 9.0, INK, x, LETTER_HEIGHT - MARGIN - 20.0);
        }
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| PdfError::Write(e.to_string()))
}

fn letter() -> PageSettings {
    PageSettings::from_wh(LETTER_WIDTH, LETTER_HEIGHT)
        .unwrap_or_else(|| unreachable!("US Letter is a valid page size"))
}

fn document_for(title: &str) -> Document {
    let mut pdf = Document::new_with(SerializeSettings {
        xmp_metadata: false,
        ..SerializeSettings::default()
    });
    let title: String = title.chars().take(200).collect();
    pdf.set_metadata(Metadata::new().title(title).producer("Marquee".into()));
    pdf
}

/// A letter page's surface, drawn on from the top left (as krilla measures).
struct LetterCanvas<'a, 'b, 'f> {
    surface: &'a mut Surface<'b>,
    typesetter: &'a Typesetter<'f>,
}

impl LetterCanvas<'_, '_, '_> {
    /// A line with its baseline `baseline` points from the top of the page.
    fn text(&mut self, line: &Line<'_>, size: f32, colour: Rgb, x: f32, baseline: f32) {
        let _ = self.typesetter;
        self.surface.set_fill(Some(fill(colour)));
        for run in &line.runs {
            self.surface.draw_glyphs(
                Point::from_xy(x + run.x * size, baseline),
                &run.glyphs,
                run.face.pdf.clone(),
                &run.text,
                size,
                false,
            );
        }
    }

    /// Each label's text is one marked-content block, so a reader (and the tests) can tell
    /// the labels apart.
    fn tag_label(&mut self) {
        self.surface
            .start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Other,
            )));
    }

    fn end_tag(&mut self) {
        self.surface.end_tagged();
    }

    /// Dark modules as filled runs, a module being `module` points, the code's top left at
    /// `(left, top)` from the page's top left.
    fn qr(&mut self, modules: &[Vec<bool>], module: f32, left: f32, top: f32) {
        let mut path = PathBuilder::new();
        for (row_index, row) in modules.iter().enumerate() {
            let mut column = 0;
            while column < row.len() {
                if !row[column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < row.len() && row[column] {
                    column += 1;
                }
                if let Some(rect) =
                    Rect::from_xywh(start as f32, row_index as f32, (column - start) as f32, 1.0)
                {
                    path.push_rect(rect);
                }
            }
        }
        let Some(path) = path.finish() else {
            return;
        };
        self.surface
            .push_transform(&Transform::from_row(module, 0.0, 0.0, module, left, top));
        self.surface.set_fill(Some(fill(INK)));
        self.surface.draw_path(&path);
        self.surface.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::TicketPage;

    fn address(n: usize) -> Vec<String> {
        vec![
            format!("Patron {n}"),
            "1 Infinite Loop".into(),
            "CUPERTINO CA 95014".into(),
            "UNITED STATES".into(),
        ]
    }

    fn page_count(pdf: &[u8]) -> usize {
        lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
    }

    /// Labels on each page, counted by their marked-content blocks.
    fn labels_per_page(pdf: &[u8]) -> Vec<usize> {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        doc.get_pages()
            .values()
            .map(|id| {
                let content = doc.get_and_decode_page_content(*id).unwrap();
                content
                    .operations
                    .iter()
                    .filter(|op| matches!(op.operator.as_str(), "BMC" | "BDC"))
                    .count()
            })
            .collect()
    }

    #[test]
    fn thirty_labels_fill_a_letter_sheet_and_the_thirty_first_starts_another() {
        let fonts = Fonts::bundled();
        let addresses: Vec<Vec<String>> = (0..31).map(address).collect();
        let pdf = render_address_labels(&addresses, &fonts).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(labels_per_page(&pdf), [30, 1]);
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let first = *doc.get_pages().values().next().unwrap();
        let media: Vec<f32> = doc
            .get_dictionary(first)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_float().unwrap())
            .collect();
        assert_eq!(media, [0.0, 0.0, LETTER_WIDTH, LETTER_HEIGHT]);
    }

    #[test]
    fn no_addresses_is_one_blank_sheet() {
        let pdf = render_address_labels(&[], &Fonts::bundled()).unwrap();
        assert_eq!(labels_per_page(&pdf), [0]);
    }

    #[test]
    fn the_letter_has_the_address_page_then_a_page_per_ticket() {
        let ticket = |n: usize| TicketPage {
            event_title: "La Traviata".into(),
            starts_at_local: "Saturday 5 December 2026, 19:30 EST".into(),
            place: format!("Stalls · Row A · Seat {n}"),
            price_type: "Adult".into(),
            price: "$50.00".into(),
            ticket_id: format!("T{n}"),
            code: format!("M1.code-{n}"),
        };
        let document = TicketDocument {
            venue_name: "Little Theatre".into(),
            primary_colour: "#112233".into(),
            order_number: "K7QM-3XPD".into(),
            tickets: vec![ticket(1), ticket(2)],
        };
        let pdf = render_ticket_letter(&document, &address(1), &Fonts::bundled()).unwrap();
        assert_eq!(page_count(&pdf), 3);
    }
}
