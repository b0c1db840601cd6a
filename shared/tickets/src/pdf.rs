//! Ticket PDFs, the ticket code drawn as a QR code: one A6 page per ticket for email, or for
//! printing at the box office ([`Paper`]) one 5.5″ × 2″ page per ticket for thermal ticket
//! stock, or four tickets to an A4 or US Letter sheet with cut lines.
//!
//! Written with [krilla](https://docs.rs/krilla), with the text in embedded Noto fonts
//! cut down to the glyphs each document uses (see [`Fonts`]), so venue names, titles and
//! places print in the script they are written in: Latin, Greek and Cyrillic always,
//! Hebrew and Arabic right to left with their letters joined, Chinese, Japanese and Korean
//! when the caller supplies a CJK font ([`Fonts::with_cjk`], [`render_tickets_with`]).
//! A character no font has prints as a missing-glyph box; nothing panics. The text is
//! searchable and copyable (each font carries a ToUnicode map).
//!
//! Not yet: vertical text, scripts needing their own Noto font (Devanagari, Thai and other
//! South and South-East Asian scripts, Armenian, Georgian, Ethiopic) and emoji, which
//! print as boxes; bold CJK is the regular face stroked, not a real bold.
//!
//! Nothing a user types can inject PDF syntax: text is only ever shown as glyph ids.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineJoin, Paint, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag};
use krilla::{Document, SerializeSettings};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

mod fonts;
mod post;
mod text;

use fonts::Weight;
pub use fonts::{FontError, Fonts};
pub use post::{LABELS_PER_SHEET, render_address_labels, render_ticket_letter};
use text::{Line, Typesetter};

/// A6 portrait in points (105 × 148 mm): prints on any paper and reads well on a phone.
const PAGE_WIDTH: f32 = 297.64;
const PAGE_HEIGHT: f32 = 419.53;
const MARGIN: f32 = 20.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BAND_HEIGHT: f32 = 54.0;
/// The QR code's side including its 4-module quiet zone. At ~45 modules a module is about
/// 0.9 mm: comfortably above what phone cameras and door scanners resolve on paper.
const QR_SIDE: f32 = 140.0;
const QR_BOTTOM: f32 = 36.0;
const QR_QUIET_MODULES: usize = 4;

/// Box-office ticket stock, landscape: 5.5″ × 2″ in points.
const STOCK_WIDTH: f32 = 396.0;
const STOCK_HEIGHT: f32 = 144.0;
const STOCK_MARGIN: f32 = 12.0;
const STOCK_BAND_HEIGHT: f32 = 22.0;
/// The QR code's side on stock, quiet zone included: a module is still about 0.8 mm.
const STOCK_QR_SIDE: f32 = 112.0;
/// The text column on stock, left of the QR code.
const STOCK_TEXT_WIDTH: f32 = STOCK_WIDTH - 2.0 * STOCK_MARGIN - STOCK_QR_SIDE - 10.0;

/// Sheets in points, portrait.
const A4: (f32, f32) = (595.28, 841.89);
const LETTER: (f32, f32) = (612.0, 792.0);

/// Used when the venue colour is not `#rrggbb`: the tickets still go out.
const FALLBACK_COLOUR: Rgb = Rgb(0.2, 0.2, 0.2);
const LABEL_GREY: Rgb = Rgb(0.45, 0.45, 0.45);
const INK: Rgb = Rgb(0.0, 0.0, 0.0);
const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);

/// What a ticket document is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// One A6 ticket a page: the emailed PDF, printable anywhere and readable on a phone.
    #[default]
    A6,
    /// Box-office ticket stock (thermal ticket printers): one 5.5″ × 2″ ticket a page.
    Stock,
    /// Four A6 tickets to an A4 sheet, with cut lines.
    A4,
    /// Four tickets to a US Letter sheet (the A6 ticket at 94%), with cut lines.
    Letter,
}

/// The tickets of one order, as the mailer attaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDocument {
    pub venue_name: String,
    /// The venue's brand colour, `#rrggbb`; drawn as the band at the top of each ticket.
    pub primary_colour: String,
    pub order_number: String,
    pub tickets: Vec<TicketPage>,
}

/// One ticket; every string is already formatted for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPage {
    pub event_title: String,
    /// In the venue's zone, e.g. "Saturday 5 December 2026, 19:30 GMT".
    pub starts_at_local: String,
    /// e.g. "Orchestra · Row C · Seat 12" or "Lawn (general admission)".
    pub place: String,
    /// e.g. "Adult".
    pub price_type: String,
    /// e.g. "£35.00".
    pub price: String,
    pub ticket_id: String,
    /// The signed ticket code (see [`crate::codes::sign`]) the QR code carries.
    pub code: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("a ticket document needs at least one ticket")]
    NoTickets,
    #[error("the ticket code cannot be drawn as a QR code: {0}")]
    Qr(#[from] QrError),
    /// Not expected with the bundled fonts; a supplied font krilla cannot embed would be one.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// The whole document as PDF bytes, with the bundled fonts ([`Fonts::bundled`]): no CJK.
pub fn render_tickets(document: &TicketDocument) -> Result<Vec<u8>, PdfError> {
    render_tickets_with(document, &Fonts::bundled())
}

/// The whole document as A6 pages, set in `fonts`.
pub fn render_tickets_with(document: &TicketDocument, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    render_tickets_on(document, fonts, Paper::A6)
}

/// The whole document as PDF bytes on `paper`, set in `fonts`.
pub fn render_tickets_on(
    document: &TicketDocument,
    fonts: &Fonts,
    paper: Paper,
) -> Result<Vec<u8>, PdfError> {
    if document.tickets.is_empty() {
        return Err(PdfError::NoTickets);
    }
    // Encoded first, so that a code too long for a QR code fails before any drawing.
    let modules = document
        .tickets
        .iter()
        .map(|t| qr_modules(&t.code))
        .collect::<Result<Vec<_>, _>>()?;
    let band = parse_colour(&document.primary_colour).unwrap_or(FALLBACK_COLOUR);
    let count = document.tickets.len();
    let typesetter = Typesetter::new(fonts);

    let mut pdf = Document::new_with(SerializeSettings {
        // The document info dictionary carries the title; XMP would only repeat it.
        xmp_metadata: false,
        ..SerializeSettings::default()
    });
    // Capped: it is only shown in a title bar, and user text must not bloat the file.
    let title: String = format!(
        "{} tickets, order {}",
        document.venue_name, document.order_number
    )
    .chars()
    .take(200)
    .collect();
    pdf.set_metadata(Metadata::new().title(title).producer("Marquee".into()));

    let tickets = document.tickets.iter().zip(&modules).enumerate();
    match paper {
        Paper::A6 | Paper::Stock => {
            let (width, height) = match paper {
                Paper::Stock => (STOCK_WIDTH, STOCK_HEIGHT),
                _ => (PAGE_WIDTH, PAGE_HEIGHT),
            };
            let size = PageSettings::from_wh(width, height)
                .unwrap_or_else(|| unreachable!("A6 and ticket stock are valid page sizes"));
            for (i, (ticket, modules)) in tickets {
                let mut page = pdf.start_page_with(size.clone());
                let mut surface = page.surface();
                let counter = format!("{} / {count}", i + 1);
                if paper == Paper::Stock {
                    let mut canvas = Canvas::new(&mut surface, &typesetter, STOCK_HEIGHT)
                        .column(STOCK_MARGIN, STOCK_TEXT_WIDTH);
                    draw_stock(&mut canvas, document, ticket, modules, band, &counter);
                } else {
                    let mut canvas = Canvas::new(&mut surface, &typesetter, PAGE_HEIGHT);
                    draw_page(&mut canvas, document, ticket, modules, band, &counter);
                }
                surface.finish();
                page.finish();
            }
        }
        Paper::A4 | Paper::Letter => {
            let (width, height) = if paper == Paper::A4 { A4 } else { LETTER };
            let size = PageSettings::from_wh(width, height)
                .unwrap_or_else(|| unreachable!("A4 and Letter are valid page sizes"));
            // Two by two A6 cells, scaled down only where the sheet is smaller than A4.
            let scale = (width / (2.0 * PAGE_WIDTH))
                .min(height / (2.0 * PAGE_HEIGHT))
                .min(1.0);
            let (cell_width, cell_height) = (PAGE_WIDTH * scale, PAGE_HEIGHT * scale);
            let left = (width - 2.0 * cell_width) / 2.0;
            let top = (height - 2.0 * cell_height) / 2.0;
            let tickets: Vec<_> = tickets.collect();
            for sheet in tickets.chunks(4) {
                let mut page = pdf.start_page_with(size.clone());
                let mut surface = page.surface();
                {
                    let mut canvas = Canvas::new(&mut surface, &typesetter, height);
                    let (bottom, right) =
                        (height - top - 2.0 * cell_height, left + 2.0 * cell_width);
                    canvas.cut_line(left + cell_width, bottom, left + cell_width, height - top);
                    canvas.cut_line(left, bottom + cell_height, right, bottom + cell_height);
                }
                for (k, (i, (ticket, modules))) in sheet.iter().enumerate() {
                    let (column, row) = ((k % 2) as f32, (k / 2) as f32);
                    surface.push_transform(&Transform::from_row(
                        scale,
                        0.0,
                        0.0,
                        scale,
                        left + column * cell_width,
                        top + row * cell_height,
                    ));
                    let mut canvas = Canvas::new(&mut surface, &typesetter, PAGE_HEIGHT);
                    let counter = format!("{} / {count}", i + 1);
                    draw_page(&mut canvas, document, ticket, modules, band, &counter);
                    surface.pop();
                }
                surface.finish();
                page.finish();
            }
        }
    }
    pdf.finish().map_err(|e| PdfError::Write(e.to_string()))
}

/// The QR code for `code` at medium error correction (15% of it can be scuffed or
/// folded away), as rows of modules from the top, `true` for dark. No quiet zone.
pub fn qr_modules(code: &str) -> Result<Vec<Vec<bool>>, PdfError> {
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M)?;
    let width = qr.width();
    Ok(qr
        .to_colors()
        .chunks(width)
        .map(|row| row.iter().map(|c| *c == Color::Dark).collect())
        .collect())
}

/// One ticket page; `counter` is e.g. "2 / 3". Coordinates are points from the bottom
/// left, as in PDF.
fn draw_page(
    page: &mut Canvas<'_, '_, '_>,
    document: &TicketDocument,
    ticket: &TicketPage,
    modules: &[Vec<bool>],
    band: Rgb,
    counter: &str,
) {
    let typesetter = page.typesetter;
    // Header band with the venue's name, in whichever of white or black reads better on it.
    let band_bottom = PAGE_HEIGHT - BAND_HEIGHT;
    page.rect(band, 0.0, band_bottom, PAGE_WIDTH, BAND_HEIGHT);
    let on_band = band.readable_text();
    for line in typesetter.lines(counter, Weight::Regular, 8.0, TEXT_WIDTH, 1) {
        let x = PAGE_WIDTH - MARGIN - line.width * 8.0;
        page.text(&line, 8.0, on_band, x, PAGE_HEIGHT - 16.0);
    }
    let (venue_size, venue_line) =
        typesetter.shrink_to_fit(&document.venue_name, Weight::Bold, 16.0, 11.0, TEXT_WIDTH);
    if let Some(line) = venue_line {
        let baseline = band_bottom + (BAND_HEIGHT - venue_size * 0.7) / 2.0;
        page.text_in_column(&line, venue_size, on_band, baseline);
    }

    // The text block runs down from the band; its line limits keep it above the QR code:
    // at most 3 + 2 + 2 + 1 lines ends at y ≈ 181, and the QR code's box tops out at 176.
    let mut y = band_bottom - 26.0;
    for line in typesetter.lines(&ticket.event_title, Weight::Bold, 15.0, TEXT_WIDTH, 3) {
        page.text_in_column(&line, 15.0, INK, y);
        y -= 18.0;
    }
    y -= 4.0;
    let mut field = |y: f32, label: &str, value: &str, weight: Weight, size: f32, lines: usize| {
        for line in typesetter.lines(label, Weight::Regular, 7.0, TEXT_WIDTH, 1) {
            page.text(&line, 7.0, LABEL_GREY, MARGIN, y);
        }
        let leading = size + 2.5;
        let mut baseline = y - size - 2.0;
        for (i, line) in typesetter
            .lines(value, weight, size, TEXT_WIDTH, lines)
            .iter()
            .enumerate()
        {
            if i > 0 {
                baseline -= leading;
            }
            page.text_in_column(line, size, INK, baseline);
        }
        baseline - 17.0
    };
    y = field(y, "WHEN", &ticket.starts_at_local, Weight::Regular, 10.5, 2);
    y = field(y, "WHERE", &ticket.place, Weight::Bold, 12.0, 2);
    let price = [ticket.price_type.as_str(), ticket.price.as_str()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    field(y, "PRICE", &price, Weight::Regular, 10.5, 1);

    // The QR code, centred at the bottom.
    let side = modules.len();
    let module = QR_SIDE / (side + 2 * QR_QUIET_MODULES) as f32;
    let left = (PAGE_WIDTH - QR_SIDE) / 2.0 + QR_QUIET_MODULES as f32 * module;
    let bottom = QR_BOTTOM + QR_QUIET_MODULES as f32 * module;
    page.qr(modules, module, left, bottom);

    // Order number and ticket id under the code, for the box office to look up by hand.
    let footer = [
        (
            Weight::Bold,
            8.0,
            format!("Order {}", document.order_number),
        ),
        (Weight::Regular, 7.0, format!("Ticket {}", ticket.ticket_id)),
    ];
    let mut y = QR_BOTTOM - 8.0;
    for (weight, size, text) in footer {
        for line in typesetter.lines(&text, weight, size, TEXT_WIDTH, 1) {
            let x = (PAGE_WIDTH - line.width * size) / 2.0;
            page.text(&line, size, INK, x, y);
        }
        y -= 10.0;
    }
}

/// One ticket on 5.5″ × 2″ stock: the venue's band across the top, the text on the left,
/// the QR code on the right, the order number and ticket id at the bottom of the text.
fn draw_stock(
    page: &mut Canvas<'_, '_, '_>,
    document: &TicketDocument,
    ticket: &TicketPage,
    modules: &[Vec<bool>],
    band: Rgb,
    counter: &str,
) {
    let typesetter = page.typesetter;
    let band_bottom = STOCK_HEIGHT - STOCK_BAND_HEIGHT;
    page.rect(band, 0.0, band_bottom, STOCK_WIDTH, STOCK_BAND_HEIGHT);
    let on_band = band.readable_text();
    for line in typesetter.lines(counter, Weight::Regular, 7.0, STOCK_QR_SIDE, 1) {
        let x = STOCK_WIDTH - STOCK_MARGIN - line.width * 7.0;
        page.text(&line, 7.0, on_band, x, band_bottom + 8.0);
    }
    let (venue_size, venue_line) = typesetter.shrink_to_fit(
        &document.venue_name,
        Weight::Bold,
        11.0,
        8.0,
        STOCK_TEXT_WIDTH,
    );
    if let Some(line) = venue_line {
        page.text_in_column(&line, venue_size, on_band, band_bottom + 7.5);
    }

    let mut y = band_bottom - 15.0;
    for line in typesetter.lines(&ticket.event_title, Weight::Bold, 12.0, STOCK_TEXT_WIDTH, 2) {
        page.text_in_column(&line, 12.0, INK, y);
        y -= 14.0;
    }
    y -= 1.0;
    let mut field = |y: f32, label: &str, value: &str, weight: Weight, size: f32| {
        for line in typesetter.lines(label, Weight::Regular, 6.0, STOCK_TEXT_WIDTH, 1) {
            page.text(&line, 6.0, LABEL_GREY, STOCK_MARGIN, y);
        }
        let baseline = y - size - 1.0;
        for line in typesetter.lines(value, weight, size, STOCK_TEXT_WIDTH, 1) {
            page.text_in_column(&line, size, INK, baseline);
        }
        baseline - 9.5
    };
    y = field(y, "WHEN", &ticket.starts_at_local, Weight::Regular, 9.0);
    y = field(y, "WHERE", &ticket.place, Weight::Bold, 10.0);
    let price = [ticket.price_type.as_str(), ticket.price.as_str()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    field(y, "PRICE", &price, Weight::Regular, 9.0);

    let side = modules.len();
    let module = STOCK_QR_SIDE / (side + 2 * QR_QUIET_MODULES) as f32;
    let qr_left = STOCK_WIDTH - STOCK_MARGIN - STOCK_QR_SIDE;
    let qr_bottom = (band_bottom - STOCK_QR_SIDE) / 2.0;
    let quiet = QR_QUIET_MODULES as f32 * module;
    page.qr(modules, module, qr_left + quiet, qr_bottom + quiet);

    let footer = format!(
        "Order {} · Ticket {}",
        document.order_number, ticket.ticket_id
    );
    for line in typesetter.lines(&footer, Weight::Regular, 6.0, STOCK_TEXT_WIDTH, 1) {
        page.text(&line, 6.0, LABEL_GREY, STOCK_MARGIN, 8.0);
    }
}

/// A page's surface, drawn on in PDF coordinates (krilla's origin is the top left; `height`
/// is the height of the page or cell being drawn), the document's fonts, and the text
/// column right-to-left lines are set against.
struct Canvas<'a, 'b, 'f> {
    surface: &'a mut Surface<'b>,
    typesetter: &'a Typesetter<'f>,
    height: f32,
    column_left: f32,
    column_width: f32,
}

impl<'a, 'b, 'f> Canvas<'a, 'b, 'f> {
    /// An A6 ticket's canvas: its text column runs between the margins.
    fn new(surface: &'a mut Surface<'b>, typesetter: &'a Typesetter<'f>, height: f32) -> Self {
        Self {
            surface,
            typesetter,
            height,
            column_left: MARGIN,
            column_width: TEXT_WIDTH,
        }
    }

    fn column(self, left: f32, width: f32) -> Self {
        Self {
            column_left: left,
            column_width: width,
            ..self
        }
    }
}

impl Canvas<'_, '_, '_> {
    /// A thin dashed grey line to cut along.
    fn cut_line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let mut path = PathBuilder::new();
        path.move_to(x1, self.height - y1);
        path.line_to(x2, self.height - y2);
        let Some(path) = path.finish() else {
            return;
        };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            paint: LABEL_GREY.into(),
            width: 0.5,
            dash: Some(StrokeDash {
                array: vec![4.0, 3.0],
                offset: 0.0,
            }),
            ..Stroke::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }

    fn rect(&mut self, colour: Rgb, x: f32, y: f32, width: f32, height: f32) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(x, self.height - y - height, width, height) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.set_fill(Some(fill(colour)));
            self.surface.draw_path(&path);
        }
    }

    /// A line of the text column: from the left margin, or ending at the right margin if
    /// it is right-to-left text.
    fn text_in_column(&mut self, line: &Line<'_>, size: f32, colour: Rgb, baseline: f32) {
        let x = if line.rtl {
            self.column_left + self.column_width - line.width * size
        } else {
            self.column_left
        };
        self.text(line, size, colour, x, baseline);
    }

    /// A line with its baseline starting at `(x, baseline)`.
    fn text(&mut self, line: &Line<'_>, size: f32, colour: Rgb, x: f32, baseline: f32) {
        self.surface.set_fill(Some(fill(colour)));
        for run in &line.runs {
            // A font without a bold weight is thickened with a thin outline of the glyphs.
            let stroke = run.face.synthetic_bold.then(|| Stroke {
                paint: colour.into(),
                width: size * 0.03,
                line_join: LineJoin::Round,
                ..Stroke::default()
            });
            self.surface.set_stroke(stroke);
            self.surface.draw_glyphs(
                Point::from_xy(x + run.x * size, self.height - baseline),
                &run.glyphs,
                run.face.pdf.clone(),
                &run.text,
                size,
                false,
            );
        }
        self.surface.set_stroke(None);
    }

    /// Dark modules as one filled path of horizontal runs, in a coordinate system where a
    /// module is one unit and row 0 is the top row: fewer, shorter operators than a square
    /// per module, and one fill means no hairline seams between touching runs in viewers
    /// that anti-alias. Marked as an artifact: it is not text for a screen reader, and
    /// tools (and this crate's tests) can find it in the page.
    fn qr(&mut self, modules: &[Vec<bool>], module: f32, left: f32, bottom: f32) {
        let top = bottom + modules.len() as f32 * module;
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
            .start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Other,
            )));
        self.surface.push_transform(&Transform::from_row(
            module,
            0.0,
            0.0,
            module,
            left,
            self.height - top,
        ));
        self.surface.set_fill(Some(fill(INK)));
        self.surface.draw_path(&path);
        self.surface.pop();
        self.surface.end_tagged();
    }
}

fn fill(colour: Rgb) -> Fill {
    Fill {
        paint: colour.into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
struct Rgb(f32, f32, f32);

impl Rgb {
    /// White or black, whichever contrasts more with this colour (WCAG relative luminance).
    fn readable_text(self) -> Rgb {
        fn linear(c: f32) -> f32 {
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        let luminance = 0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2);
        let against_white = 1.05 / (luminance + 0.05);
        let against_black = (luminance + 0.05) / 0.05;
        if against_white >= against_black {
            WHITE
        } else {
            INK
        }
    }
}

impl From<Rgb> for Paint {
    fn from(colour: Rgb) -> Paint {
        let channel = |c: f32| (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        rgb::Color::new(channel(colour.0), channel(colour.1), channel(colour.2)).into()
    }
}

/// `#rrggbb` (either case) as a PDF colour.
fn parse_colour(text: &str) -> Option<Rgb> {
    let hex = text.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(&hex[i..i + 2], 16)
            .ok()
            .map(|v| f32::from(v) / 255.0)
    };
    Some(Rgb(channel(0)?, channel(2)?, channel(4)?))
}

#[cfg(test)]
mod tests;
