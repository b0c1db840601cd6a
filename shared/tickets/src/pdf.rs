//! Ticket PDFs: one A6 page per ticket, the ticket code drawn as a QR code.
//!
//! Written by hand rather than with a PDF crate: a ticket needs two of the standard 14
//! fonts (Helvetica and Helvetica-Bold, which every reader has, so nothing is embedded),
//! a few filled rectangles and some lines of text. That keeps the mailer small and a
//! 10-ticket PDF well under a millisecond.
//!
//! Text is shown in WinAnsiEncoding (Windows-1252), which covers Western European
//! languages. Anything outside it is transliterated where that is unambiguous
//! (`Ł` → `L`, `ř` → `r`, `ﬁ` → `fi`, combining accents dropped) and
//! otherwise printed as `?` (Greek, Cyrillic, CJK, emoji). Line breaks and tabs become
//! spaces. Nothing a user types can end a PDF string early or inject PDF operators:
//! every string is escaped, and bytes outside printable ASCII are written as octal.

use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

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

/// Used when the venue colour is not `#rrggbb`: the tickets still go out.
const FALLBACK_COLOUR: Rgb = Rgb(0.2, 0.2, 0.2);
const LABEL_GREY: Rgb = Rgb(0.45, 0.45, 0.45);
const INK: Rgb = Rgb(0.0, 0.0, 0.0);
const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);

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
}

/// The whole document as PDF bytes.
pub fn render_tickets(document: &TicketDocument) -> Result<Vec<u8>, PdfError> {
    if document.tickets.is_empty() {
        return Err(PdfError::NoTickets);
    }
    let band = parse_colour(&document.primary_colour).unwrap_or(FALLBACK_COLOUR);
    let count = document.tickets.len();

    // Objects 1–5 are fixed; each page then takes two: the page and its content.
    const CATALOG: usize = 1;
    const PAGES: usize = 2;
    const REGULAR: usize = 3;
    const BOLD: usize = 4;
    const INFO: usize = 5;
    let page_id = |i: usize| 6 + 2 * i;

    let mut pdf = PdfWriter::new();
    pdf.object(CATALOG, &format!("<< /Type /Catalog /Pages {PAGES} 0 R >>"));
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", page_id(i))).collect();
    pdf.object(
        PAGES,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {count} >>",
            kids.join(" ")
        ),
    );
    pdf.object(
        REGULAR,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    );
    pdf.object(
        BOLD,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    );
    // Capped: it is only shown in a title bar, and user text must not bloat the file.
    let title: String = format!(
        "{} tickets, order {}",
        document.venue_name, document.order_number
    )
    .chars()
    .take(200)
    .collect();
    pdf.object(
        INFO,
        &format!(
            "<< /Title {} /Producer (Marquee) >>",
            utf16_hex_string(&title)
        ),
    );

    for (i, ticket) in document.tickets.iter().enumerate() {
        let content = page_content(document, ticket, band, i + 1, count)?;
        let page = page_id(i);
        pdf.object(
            page,
            &format!(
                "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                 /Resources << /Font << /F1 {REGULAR} 0 R /F2 {BOLD} 0 R >> >> \
                 /Contents {} 0 R >>",
                page + 1
            ),
        );
        pdf.stream(page + 1, &content);
    }
    Ok(pdf.finish(CATALOG, INFO))
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

/// The drawing operators of one ticket page.
fn page_content(
    document: &TicketDocument,
    ticket: &TicketPage,
    band: Rgb,
    number: usize,
    count: usize,
) -> Result<String, PdfError> {
    let mut page = Content::default();

    // Header band with the venue's name, in whichever of white or black reads better on it.
    let band_bottom = PAGE_HEIGHT - BAND_HEIGHT;
    page.rect(band, 0.0, band_bottom, PAGE_WIDTH, BAND_HEIGHT);
    let on_band = band.readable_text();
    let counter = win_ansi(&format!("{number} / {count}"));
    let counter_width = Font::Regular.width(&counter, 8.0);
    page.text(
        Font::Regular,
        8.0,
        on_band,
        PAGE_WIDTH - MARGIN - counter_width,
        PAGE_HEIGHT - 16.0,
        &counter,
    );
    let venue = win_ansi(&document.venue_name);
    let (venue_size, venue_line) = shrink_to_fit(&venue, Font::Bold, 16.0, 11.0, TEXT_WIDTH);
    page.text(
        Font::Bold,
        venue_size,
        on_band,
        MARGIN,
        band_bottom + (BAND_HEIGHT - venue_size * 0.7) / 2.0,
        &venue_line,
    );

    // The text block runs down from the band; its line limits keep it above the QR code:
    // at most 3 + 2 + 2 + 1 lines ends at y ≈ 181, and the QR code's box tops out at 176.
    let mut y = band_bottom - 26.0;
    for line in wrap(
        &win_ansi(&ticket.event_title),
        Font::Bold,
        15.0,
        TEXT_WIDTH,
        3,
    ) {
        page.text(Font::Bold, 15.0, INK, MARGIN, y, &line);
        y -= 18.0;
    }
    y -= 4.0;
    y = page.field(y, "WHEN", &ticket.starts_at_local, Font::Regular, 10.5, 2);
    y = page.field(y, "WHERE", &ticket.place, Font::Bold, 12.0, 2);
    let price = [ticket.price_type.as_str(), ticket.price.as_str()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    page.field(y, "PRICE", &price, Font::Regular, 10.5, 1);

    // The QR code, centred at the bottom, wrapped in marked content so that tools (and
    // this crate's tests) can find the modules in the page.
    let modules = qr_modules(&ticket.code)?;
    let side = modules.len();
    let module = QR_SIDE / (side + 2 * QR_QUIET_MODULES) as f32;
    let origin_x = (PAGE_WIDTH - QR_SIDE) / 2.0 + QR_QUIET_MODULES as f32 * module;
    let origin_y = QR_BOTTOM + QR_QUIET_MODULES as f32 * module;
    page.qr(&modules, module, origin_x, origin_y);

    // Order number and ticket id under the code, for the box office to look up by hand.
    let footer = [
        (Font::Bold, 8.0, format!("Order {}", document.order_number)),
        (Font::Regular, 7.0, format!("Ticket {}", ticket.ticket_id)),
    ];
    let mut y = QR_BOTTOM - 8.0;
    for (font, size, text) in footer {
        let line = wrap(&win_ansi(&text), font, size, TEXT_WIDTH, 1)
            .into_iter()
            .next()
            .unwrap_or_default();
        let x = (PAGE_WIDTH - font.width(&line, size)) / 2.0;
        page.text(font, size, INK, x, y, &line);
        y -= 10.0;
    }
    Ok(page.ops)
}

#[derive(Default)]
struct Content {
    ops: String,
}

impl Content {
    fn rect(&mut self, colour: Rgb, x: f32, y: f32, width: f32, height: f32) {
        let _ = writeln!(
            self.ops,
            "{colour} rg {x:.2} {y:.2} {width:.2} {height:.2} re f"
        );
    }

    /// One line of already-encoded text with its baseline at `(x, y)`.
    fn text(&mut self, font: Font, size: f32, colour: Rgb, x: f32, y: f32, encoded: &[u8]) {
        if encoded.is_empty() {
            return;
        }
        let _ = writeln!(
            self.ops,
            "{colour} rg BT /{} {size:.1} Tf {x:.2} {y:.2} Td {} Tj ET",
            font.resource(),
            pdf_string(encoded)
        );
    }

    /// A small grey label over a value of up to `max_lines`; returns the next label's
    /// baseline.
    fn field(
        &mut self,
        y: f32,
        label: &str,
        value: &str,
        font: Font,
        size: f32,
        max_lines: usize,
    ) -> f32 {
        self.text(Font::Regular, 7.0, LABEL_GREY, MARGIN, y, label.as_bytes());
        let leading = size + 2.5;
        let mut baseline = y - size - 2.0;
        for (i, line) in wrap(&win_ansi(value), font, size, TEXT_WIDTH, max_lines)
            .iter()
            .enumerate()
        {
            if i > 0 {
                baseline -= leading;
            }
            self.text(font, size, INK, MARGIN, baseline, line);
        }
        baseline - 17.0
    }

    /// Dark modules as one filled path of horizontal runs, in a coordinate system where a
    /// module is one unit: fewer, shorter operators than a square per module, and one
    /// fill means no hairline seams between touching runs in viewers that anti-alias.
    fn qr(&mut self, modules: &[Vec<bool>], module: f32, x: f32, y: f32) {
        let side = modules.len();
        let _ = writeln!(
            self.ops,
            "/QRCode BMC q {INK} rg {module:.4} 0 0 {module:.4} {x:.3} {y:.3} cm"
        );
        for (row_index, row) in modules.iter().enumerate() {
            // PDF's y axis points up; row 0 is the top row.
            let row_y = side - 1 - row_index;
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
                let _ = writeln!(self.ops, "{start} {row_y} {} 1 re", column - start);
            }
        }
        self.ops.push_str("f Q EMC\n");
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

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} {:.3} {:.3}", self.0, self.1, self.2)
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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    /// Width in points of WinAnsi-encoded `text` at `size`.
    fn width(self, text: &[u8], size: f32) -> f32 {
        let units: u32 = text.iter().map(|&b| u32::from(self.advance(b))).sum();
        units as f32 * size / 1000.0
    }

    /// Advance width of one WinAnsi byte, in 1/1000 em. Accented letters are as wide as
    /// their base letter; rare symbols get a full em, so a line may wrap early but never
    /// runs off the page.
    fn advance(self, byte: u8) -> u16 {
        let table = match self {
            Font::Regular => &HELVETICA_ASCII,
            Font::Bold => &HELVETICA_BOLD_ASCII,
        };
        let ascii = |c: u8| table[usize::from(c - b' ')];
        match byte {
            b' '..=b'~' => ascii(byte),
            0x8A => ascii(b'S'),
            0x9A => ascii(b's'),
            0x8E => ascii(b'Z'),
            0x9E => ascii(b'z'),
            0x9F | 0xDD => ascii(b'Y'),
            0xFD | 0xFF => ascii(b'y'),
            0xC0..=0xC5 => ascii(b'A'),
            0xC7 => ascii(b'C'),
            0xC8..=0xCB => ascii(b'E'),
            0xCC..=0xCF => ascii(b'I'),
            0xD0 => ascii(b'D'),
            0xD1 => ascii(b'N'),
            0xD2..=0xD6 | 0xD8 => ascii(b'O'),
            0xD9..=0xDC => ascii(b'U'),
            0xDE => ascii(b'P'),
            0xE0..=0xE5 => ascii(b'a'),
            0xE7 => ascii(b'c'),
            0xE8..=0xEB => ascii(b'e'),
            0xF0 | 0xF2..=0xF6 | 0xF8 => ascii(b'o').max(611),
            0xF1 => ascii(b'n'),
            0xF9..=0xFC => ascii(b'u'),
            0xFE => ascii(b'p'),
            0xEC..=0xEF | 0x91 | 0x92 | 0x82 | 0xA0 | 0xB7 => 278,
            0x93 | 0x94 | 0x84 => 500,
            0x80 | 0x96 | 0x83 | 0x86 | 0x87 | 0xA2..=0xA5 | 0xA7 => 556,
            0xD7 | 0xF7 | 0xAC | 0xB1 => 584,
            0xDF => 611,
            0xA9 | 0xAE => 737,
            0xE6 => 889,
            _ => 1000,
        }
    }
}

/// Advance widths of `' '..='~'` from Adobe's font metrics for Helvetica, 1/1000 em.
#[rustfmt::skip]
const HELVETICA_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // p..~
];

/// The same for Helvetica-Bold.
#[rustfmt::skip]
const HELVETICA_BOLD_ASCII: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0..?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P.._
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // `..o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,      // p..~
];

/// The largest size from `largest` down to `smallest` at which `text` fits on one line;
/// at `smallest` it is cut with an ellipsis.
fn shrink_to_fit(
    text: &[u8],
    font: Font,
    largest: f32,
    smallest: f32,
    max_width: f32,
) -> (f32, Vec<u8>) {
    let mut size = largest;
    while size > smallest && font.width(text, size) > max_width {
        size -= 1.0;
    }
    let line = wrap(text, font, size, max_width, 1)
        .into_iter()
        .next()
        .unwrap_or_default();
    (size, line)
}

/// `text` broken into at most `max_lines` lines no wider than `max_width`, at spaces where
/// possible (a word longer than a line is broken anywhere). If it does not fit, the last
/// line ends with an ellipsis.
fn wrap(text: &[u8], font: Font, size: f32, max_width: f32, max_lines: usize) -> Vec<Vec<u8>> {
    let fits = |line: &[u8]| font.width(line, size) <= max_width;
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    // Stops one line past the limit: that is enough to know an ellipsis is due, and keeps
    // the work bounded however long the text.
    'words: for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        if lines.len() > max_lines {
            break;
        }
        if !current.is_empty() {
            let mut candidate = current.clone();
            candidate.push(b' ');
            candidate.extend_from_slice(word);
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            lines.push(std::mem::take(&mut current));
        }
        for &byte in word {
            current.push(byte);
            if !fits(&current) && current.len() > 1 {
                current.pop();
                lines.push(std::mem::take(&mut current));
                current.push(byte);
                if lines.len() > max_lines {
                    break 'words;
                }
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            const ELLIPSIS: u8 = 0x85;
            last.push(ELLIPSIS);
            while last.len() > 1 && !fits(last) {
                last.remove(last.len() - 2);
            }
        }
    }
    lines
}

/// `text` in WinAnsiEncoding, one byte per character shown (see the module docs for what
/// happens to characters the encoding lacks).
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '..='~' => out.push(c as u8),
            // Latin-1's printable upper half is WinAnsi's too.
            '\u{A1}'..='\u{FF}' => out.push(c as u32 as u8),
            '\u{A0}'
            | '\t'
            | '\n'
            | '\r'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => out.push(b' '),
            // Invisible: controls, combining accents (so a decomposed "é" shows as "e"),
            // zero-width joiners and variation selectors.
            '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{300}'..='\u{36F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' => {}
            c => match win_ansi_extra(c) {
                Some(byte) => out.push(byte),
                None => out.extend_from_slice(transliterate(c).as_bytes()),
            },
        }
    }
    out
}

/// WinAnsi's additions over Latin-1, in 0x80–0x9F.
fn win_ansi_extra(c: char) -> Option<u8> {
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// Base letters of U+0100–U+017F (Latin Extended-A), one per character. `?` marks the
/// ones WinAnsi has or that need two letters; those are handled before this table.
const LATIN_EXTENDED_A: &[u8; 128] = b"AaAaAaCcCcCcCcDd\
DdEeEeEeEeEeGgGg\
GgGgHhHhIiIiIiIi\
Ii??JjKkkLlLlLlL\
lLlNnNnNn?NnOoOo\
Oo??RrRrRrSsSsSs\
??TtTtTtUuUuUuUu\
UuUuWwYy?ZzZz??s";

/// ASCII for a character WinAnsi lacks: a base letter or look-alike, else `?`.
fn transliterate(c: char) -> &'static str {
    match c {
        'Ĳ' => "IJ",
        'ĳ' => "ij",
        'ŉ' => "'n",
        'Ș' | 'Ş' => "S",
        'ș' | 'ş' => "s",
        'Ț' | 'Ţ' => "T",
        'ț' | 'ţ' => "t",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        '‐' | '‑' | '‒' | '−' | '⁃' => "-",
        '―' => "-",
        '′' | '‛' => "'",
        '″' | '‟' => "\"",
        '⁄' | '∕' => "/",
        '\u{100}'..='\u{17F}' => {
            let index = c as usize - 0x100;
            match LATIN_EXTENDED_A.get(index..=index) {
                Some(b"?") | None => "?",
                Some(letter) => std::str::from_utf8(letter).unwrap_or("?"),
            }
        }
        _ => "?",
    }
}

/// A PDF literal string: `(`, `)` and `\` escaped, everything outside printable ASCII
/// as a three-digit octal escape, so the file stays ASCII and no byte is read as syntax.
fn pdf_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b' '..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push(')');
    out
}

/// A text string outside page content (document info): UTF-16BE with a byte order mark,
/// so any Unicode title shows correctly in the reader's title bar.
fn utf16_hex_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// Numbered objects, written in order, with the cross-reference table that lets a
/// reader find each by byte offset.
struct PdfWriter {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl PdfWriter {
    fn new() -> Self {
        let mut out = Vec::with_capacity(16 * 1024);
        // The second line's high bytes tell transfer tools the file is binary.
        out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
        Self {
            out,
            offsets: Vec::new(),
        }
    }

    fn begin(&mut self, id: usize) {
        debug_assert_eq!(id, self.offsets.len() + 1, "objects are written in order");
        self.offsets.push(self.out.len());
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    fn object(&mut self, id: usize, body: &str) {
        self.begin(id);
        self.out.extend_from_slice(body.as_bytes());
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, id: usize, data: &str) {
        self.begin(id);
        self.out
            .extend_from_slice(format!("<< /Length {} >>\nstream\n", data.len()).as_bytes());
        self.out.extend_from_slice(data.as_bytes());
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn finish(mut self, root: usize, info: usize) -> Vec<u8> {
        let xref = self.out.len();
        let size = self.offsets.len() + 1;
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for offset in &self.offsets {
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        );
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}

#[cfg(test)]
mod tests;
