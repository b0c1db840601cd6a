use super::fonts::Weight;
use super::text::{Line, Typesetter, clean};
use super::*;
use crate::codes::{TicketCode, VenueKey, sign, verify};
use lopdf::content::Content as PdfContent;
use lopdf::{Dictionary, Object};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn key() -> VenueKey {
    VenueKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap()
}

fn signed_code(ticket: &str) -> String {
    let code = TicketCode::new(
        "01jd8x3k9m2n4p6q8r0s2t4v6w",
        "01jd8x4a1b2c3d4e5f6g7h8j9k",
        ticket,
    )
    .unwrap();
    sign(&key(), &code)
}

const SEATS: [&str; 3] = [
    "Orchestra · Row C · Seat 12",
    "Orchestra · Row C · Seat 13",
    "Lawn (general admission)",
];
const TICKET_IDS: [&str; 3] = [
    "01jd8x5z9y8x7w6v5t4s3r2q1a",
    "01jd8x5z9y8x7w6v5t4s3r2q1b",
    "01jd8x5z9y8x7w6v5t4s3r2q1c",
];

fn document() -> TicketDocument {
    TicketDocument {
        venue_name: "Royal Hall".into(),
        primary_colour: "#1d4ed8".into(),
        order_number: "M-10428".into(),
        tickets: SEATS
            .iter()
            .zip(TICKET_IDS)
            .map(|(seat, id)| TicketPage {
                event_title: "The Nutcracker".into(),
                starts_at_local: "Saturday 5 December 2026, 19:30 GMT".into(),
                place: (*seat).into(),
                price_type: "Adult".into(),
                price: "£35.00".into(),
                ticket_id: id.into(),
                code: signed_code(id),
            })
            .collect(),
    }
}

/// Where Debian's fonts-noto-cjk puts Noto Sans CJK (`infra/local/install.sh` installs it).
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// The bundled fonts plus Noto Sans CJK JP, loaded once for all tests.
fn fonts_with_cjk() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let bytes = std::fs::read(CJK_FONT).unwrap_or_else(|e| {
            panic!(
                "the CJK tests need {CJK_FONT} ({e}): install Debian's fonts-noto-cjk \
                 (bash infra/local/install.sh does, or apt-get install fonts-noto-cjk)"
            )
        });
        Fonts::bundled().with_cjk(bytes, 0).unwrap()
    })
}

fn pages(pdf: &[u8]) -> (lopdf::Document, Vec<lopdf::ObjectId>) {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages = doc.get_pages().into_values().collect();
    (doc, pages)
}

/// The page's text as a reader shows it: runs drawn on the same baseline (one per font)
/// joined, one line per baseline, decoded through each font's ToUnicode map.
fn page_text(doc: &lopdf::Document, page: lopdf::ObjectId) -> String {
    let encodings: BTreeMap<Vec<u8>, lopdf::Encoding> = doc
        .get_page_fonts(page)
        .unwrap()
        .into_iter()
        .map(|(name, font)| (name, font.get_font_encoding(doc).unwrap()))
        .collect();
    let content = PdfContent::decode(&doc.get_page_content(page)).unwrap();
    let mut text = String::new();
    let mut font = None;
    let mut baseline: Option<f32> = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => font = encodings.get(op.operands[0].as_name().unwrap()),
            "Tm" => {
                let y = op.operands[5].as_float().unwrap();
                if baseline.is_some_and(|b| (b - y).abs() > 0.5) {
                    text.push('\n');
                }
                baseline = Some(y);
            }
            "TJ" | "Tj" => {
                let strings: Vec<&Object> = match &op.operands[0] {
                    Object::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for string in strings {
                    if let Object::String(bytes, _) = string {
                        text.push_str(&font.unwrap().bytes_to_string(bytes).unwrap());
                    }
                }
            }
            _ => {}
        }
    }
    text
}

#[test]
fn three_tickets_read_back_as_three_pages_with_their_text() {
    let pdf = render_tickets(&document()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7\n"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    let (doc, pages) = pages(&pdf);
    assert_eq!(pages.len(), 3);
    for (number, (seat, id)) in SEATS.iter().zip(TICKET_IDS).enumerate() {
        let page_number = u32::try_from(number + 1).unwrap();
        // lopdf's own extraction reads it as well as ours: a line in one font is one text
        // object.
        let text = doc.extract_text(&[page_number]).unwrap();
        let ours = page_text(&doc, pages[number]);
        for expected in [
            *seat,
            "M-10428",
            id,
            "Royal Hall",
            "The Nutcracker",
            "Saturday 5 December 2026, 19:30 GMT",
            "Adult · £35.00",
            &format!("{page_number} / 3"),
        ] {
            assert!(
                text.contains(expected) && ours.contains(expected),
                "page {page_number} lacks {expected:?}:\n{text}"
            );
        }
        // Each page carries its own seat only.
        for other in SEATS.iter().filter(|s| *s != seat) {
            assert!(!text.contains(other), "page {page_number} shows {other:?}");
        }
    }
    let title = doc
        .trailer
        .get_deref(b"Info", &doc)
        .and_then(Object::as_dict)
        .and_then(|info| info.get(b"Title"))
        .and_then(lopdf::decode_text_string)
        .unwrap();
    assert_eq!(title, "Royal Hall tickets, order M-10428");
}

#[test]
fn the_cross_reference_table_points_at_each_object() {
    let pdf = render_tickets(&document()).unwrap();
    let tail = std::str::from_utf8(&pdf[pdf.len() - 40..]).unwrap();
    let startxref: usize = tail
        .rsplit("startxref\n")
        .next()
        .and_then(|rest| rest.lines().next())
        .unwrap()
        .parse()
        .unwrap();
    let table = std::str::from_utf8(&pdf[startxref..]).unwrap();
    let mut lines = table.split("\r\n").flat_map(|l| l.split('\n'));
    assert_eq!(lines.next(), Some("xref"));
    let size: usize = lines
        .next()
        .and_then(|l| l.strip_prefix("0 "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(size > 10, "{size} objects");
    assert_eq!(lines.next(), Some("0000000000 65535 f"));
    for id in 1..size {
        let entry = lines.next().unwrap();
        let offset: usize = entry[..10].parse().unwrap();
        assert!(
            pdf[offset..].starts_with(format!("{id} 0 obj\n").as_bytes()),
            "object {id}"
        );
    }
}

/// The modules as a greyscale picture (black on white, with a quiet zone), decoded the way
/// a door scanner's camera would.
fn decode_modules(modules: &[Vec<bool>]) -> String {
    const SCALE: usize = 4;
    const QUIET: usize = 4;
    let side = modules.len();
    let pixels = (side + 2 * QUIET) * SCALE;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        let (mx, my) = (x / SCALE, y / SCALE);
        let dark = (QUIET..QUIET + side).contains(&mx)
            && (QUIET..QUIET + side).contains(&my)
            && modules[my - QUIET][mx - QUIET];
        if dark { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().unwrap().1
}

#[test]
fn qr_modules_decode_back_to_a_code_that_verifies() {
    let code = signed_code(TICKET_IDS[0]);
    let modules = qr_modules(&code).unwrap();
    let side = modules.len();
    assert!(modules.iter().all(|row| row.len() == side));
    // Version 7 at medium correction: 45 modules, about 0.9 mm each on the ticket.
    assert!(side <= 49, "{side} modules");
    let decoded = decode_modules(&modules);
    assert_eq!(decoded, code);
    assert_eq!(verify(&key(), &decoded).unwrap().ticket(), TICKET_IDS[0]);
}

/// The rectangles of the path inside the page's `/Artifact` marked content (the QR code;
/// drawn in module units, row 0 at the top), back as modules.
fn drawn_modules(doc: &lopdf::Document, page: lopdf::ObjectId, side: usize) -> Vec<Vec<bool>> {
    let mut codes = drawn_codes(doc, page, side);
    assert_eq!(codes.len(), 1, "the QR code is the page's one artifact");
    codes.remove(0)
}

/// Each `/Artifact` of the page (a QR code of `side` modules), in drawing order.
fn drawn_codes(doc: &lopdf::Document, page: lopdf::ObjectId, side: usize) -> Vec<Vec<Vec<bool>>> {
    let content = PdfContent::decode(&doc.get_page_content(page)).unwrap();
    let mut codes = Vec::new();
    let mut inside = false;
    let mut corners: Vec<(usize, usize)> = Vec::new();
    let mut rectangles = 0;
    for op in &content.operations {
        let point = || {
            let n: Vec<f32> = op.operands.iter().map(|o| o.as_float().unwrap()).collect();
            assert!(n.iter().all(|v| v.fract() == 0.0), "whole modules: {n:?}");
            (n[0] as usize, n[1] as usize)
        };
        match op.operator.as_str() {
            "BMC" | "BDC" => {
                inside = op.operands[0].as_name().unwrap() == b"Artifact";
                if inside {
                    codes.push(vec![vec![false; side]; side]);
                    rectangles = 0;
                }
            }
            "EMC" if inside => {
                assert!(rectangles > side, "{rectangles} rectangles");
                inside = false;
            }
            "m" if inside => corners = vec![point()],
            "l" if inside => corners.push(point()),
            "h" if inside && !corners.is_empty() => {
                assert_eq!(corners.len(), 4, "a rectangle: {corners:?}");
                let (x0, y0) = corners[0];
                let x1 = corners.iter().map(|c| c.0).max().unwrap();
                let y1 = corners.iter().map(|c| c.1).max().unwrap();
                assert_eq!(y1 - y0, 1, "one row high");
                let grid = codes.last_mut().unwrap();
                grid[y0][x0..x1].fill(true);
                rectangles += 1;
                corners.clear();
            }
            _ => {}
        }
    }
    codes
}

/// The page's size in points, from its media box.
fn page_size(doc: &lopdf::Document, page: lopdf::ObjectId) -> (f32, f32) {
    let dict = doc.get_dictionary(page).unwrap();
    let b: Vec<f32> = dict
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    (b[2] - b[0], b[3] - b[1])
}

#[test]
fn ticket_stock_is_one_five_and_a_half_by_two_inch_ticket_a_page() {
    let document = document();
    let pdf = render_tickets_on(&document, &Fonts::bundled(), Paper::Stock).unwrap();
    let (doc, pages) = pages(&pdf);
    assert_eq!(pages.len(), 3);
    for (page, ticket) in pages.into_iter().zip(&document.tickets) {
        let (width, height) = page_size(&doc, page);
        assert!((width - 5.5 * 72.0).abs() < 0.5 && (height - 2.0 * 72.0).abs() < 0.5);
        let text = page_text(&doc, page);
        for expected in [
            "Royal Hall",
            "The Nutcracker",
            &ticket.starts_at_local,
            &ticket.place,
            "Adult · £35.00",
            &format!("Order M-10428 · Ticket {}", ticket.ticket_id),
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from {text:?}"
            );
        }
        let expected = qr_modules(&ticket.code).unwrap();
        let drawn = drawn_modules(&doc, page, expected.len());
        assert_eq!(decode_modules(&drawn), ticket.code);
    }
}

#[test]
fn a4_and_letter_sheets_carry_four_tickets_each_in_order() {
    let mut document = document();
    // Five tickets: a full sheet and one on the second.
    let more: Vec<TicketPage> = document.tickets[..2]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let id = format!("01jd8x5z9y8x7w6v5t4s3r2q2{i}");
            TicketPage {
                code: signed_code(&id),
                ticket_id: id,
                ..t.clone()
            }
        })
        .collect();
    document.tickets.extend(more);
    for (paper, (width, height)) in [
        (Paper::A4, (595.28, 841.89)),
        (Paper::Letter, (612.0, 792.0)),
    ] {
        let pdf = render_tickets_on(&document, &Fonts::bundled(), paper).unwrap();
        let (doc, pages) = pages(&pdf);
        assert_eq!(pages.len(), 2, "{paper:?}");
        let mut tickets = document.tickets.iter();
        for (page, count) in pages.into_iter().zip([4, 1]) {
            let size = page_size(&doc, page);
            assert!(
                (size.0 - width).abs() < 0.5 && (size.1 - height).abs() < 0.5,
                "{paper:?} {size:?}"
            );
            let text = page_text(&doc, page);
            let side = qr_modules(&document.tickets[0].code).unwrap().len();
            let codes = drawn_codes(&doc, page, side);
            assert_eq!(codes.len(), count, "{paper:?}");
            for drawn in codes {
                let ticket = tickets.next().unwrap();
                assert_eq!(decode_modules(&drawn), ticket.code, "{paper:?}");
                assert!(text.contains(&ticket.ticket_id), "{paper:?}: {text:?}");
            }
        }
    }
}

#[test]
fn the_qr_code_drawn_on_each_page_is_its_ticket_code() {
    let document = document();
    let pdf = render_tickets(&document).unwrap();
    let (doc, pages) = pages(&pdf);
    for (page, ticket) in pages.into_iter().zip(&document.tickets) {
        let expected = qr_modules(&ticket.code).unwrap();
        let drawn = drawn_modules(&doc, page, expected.len());
        assert_eq!(drawn, expected);
        let decoded = decode_modules(&drawn);
        assert_eq!(decoded, ticket.code);
        assert_eq!(verify(&key(), &decoded).unwrap().ticket(), ticket.ticket_id);
    }
}

/// The ticket the brief asked for: a Greek venue, a Japanese title, a Korean place and a
/// Cyrillic price type (tickets carry no patron name).
fn world_document() -> TicketDocument {
    let mut document = document();
    document.venue_name = "Θέατρο Ηρώδου Αττικού".into();
    document.tickets.truncate(1);
    let ticket = &mut document.tickets[0];
    ticket.event_title = "東京オペラ 椿姫".into();
    ticket.place = "1층 A열 12번".into();
    ticket.price_type = "Взрослый".into();
    ticket.price = "€35.00".into();
    document
}

/// The page's fonts as (base font name, embedded font file size, original font file size).
fn embedded_fonts(doc: &lopdf::Document, page: lopdf::ObjectId) -> Vec<(String, usize)> {
    let mut fonts: Vec<(String, usize)> = doc
        .get_page_fonts(page)
        .unwrap()
        .values()
        .map(|font: &&Dictionary| {
            assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
            assert!(font.get(b"ToUnicode").is_ok(), "text can be copied");
            let descendant = font
                .get(b"DescendantFonts")
                .and_then(Object::as_array)
                .map(|fonts| doc.dereference(&fonts[0]).unwrap().1)
                .and_then(Object::as_dict)
                .unwrap();
            let descriptor = descendant.get_deref(b"FontDescriptor", doc).unwrap();
            let descriptor = descriptor.as_dict().unwrap();
            let file = [&b"FontFile2"[..], b"FontFile3"]
                .iter()
                .find_map(|key| descriptor.get_deref(key, doc).ok())
                .and_then(|file| file.as_stream().ok())
                .expect("the font is embedded");
            let name =
                String::from_utf8(font.get(b"BaseFont").unwrap().as_name().unwrap().to_vec());
            (name.unwrap(), file.content.len())
        })
        .collect();
    fonts.sort();
    fonts
}

#[test]
fn greek_cyrillic_japanese_and_korean_print_as_themselves() {
    let document = world_document();
    let pdf = render_tickets_with(&document, fonts_with_cjk()).unwrap();
    let (doc, pages) = pages(&pdf);
    let text = page_text(&doc, pages[0]);
    for expected in [
        "Θέατρο Ηρώδου Αττικού",
        "東京オペラ 椿姫",
        "1층 A열 12번",
        "Взрослый · €35.00",
        "Order M-10428",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains(['?', '\u{FFFD}']), "{text}");

    // Three fonts, embedded as subsets (the six-letter tag): a few kilobytes each, from
    // fonts of half a megabyte and (CJK) nineteen.
    let fonts = embedded_fonts(&doc, pages[0]);
    let names: Vec<&str> = fonts
        .iter()
        .map(|(name, _)| name.split_once('+').unwrap().1)
        .collect();
    assert_eq!(
        names,
        [
            "NotoSans-Bold",
            "NotoSans-Regular",
            "NotoSansCJKjp-Regular-Identity-H"
        ],
        "{fonts:?}"
    );
    for (name, size) in &fonts {
        assert!(
            name.as_bytes()[..6].iter().all(u8::is_ascii_uppercase),
            "{name}"
        );
        assert!(*size < 20_000, "{name}: {size} bytes");
    }
    assert!(pdf.len() < 40_000, "{} bytes", pdf.len());

    let expected = qr_modules(&document.tickets[0].code).unwrap();
    let drawn = drawn_modules(&doc, pages[0], expected.len());
    assert_eq!(decode_modules(&drawn), document.tickets[0].code);
}

#[test]
fn without_a_cjk_font_cjk_text_prints_as_boxes_and_the_rest_as_itself() {
    let pdf = render_tickets(&world_document()).unwrap();
    let (doc, pages) = pages(&pdf);
    let text = page_text(&doc, pages[0]);
    assert!(text.contains("Θέατρο Ηρώδου Αττικού"), "{text}");
    assert!(text.contains("Взрослый · €35.00"), "{text}");
    // The title is all missing glyphs (glyph 0), nothing else drawn in its place.
    let fonts = embedded_fonts(&doc, pages[0]);
    assert_eq!(fonts.len(), 2, "{fonts:?}");
}

#[test]
fn hostile_text_stays_text() {
    let mut document = document();
    document.venue_name = "Théâtre (du) \\ ) Tj /F9 9 Tf (".into();
    document.tickets[0].event_title =
        "Лебединое озеро 🩰\nLine two\r\n(Łódź, Dvořák) — “ﬁnal”".into();
    document.tickets[0].place = "Row \u{0}\u{7} 3\tSeat e\u{301} \u{202E}21".into();
    document.order_number = "%%EOF endstream endobj".into();
    let pdf = render_tickets(&document).unwrap();
    let (doc, pages) = pages(&pdf);
    assert_eq!(pages.len(), 3);
    let text = page_text(&doc, pages[0]);
    for expected in [
        "Théâtre (du) \\ ) Tj /F9 9 Tf (",
        // An emoji no font has is a missing-glyph box, copied as U+FFFD.
        "Лебединое озеро \u{FFFD} Line two\n(Łódź, Dvořák) — “ﬁnal”",
        // Controls dropped, so the right-to-left override does not turn 21 into 12. The
        // shaper composes the accent (the copied text is the composed letter).
        "Row 3 Seat é 21",
        "Order %%EOF endstream endobj",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Only the fonts and operators we wrote: every font selected is one of the page's.
    let fonts = doc.get_page_fonts(pages[0]).unwrap();
    let content = PdfContent::decode(&doc.get_page_content(pages[0])).unwrap();
    for op in content.operations.iter().filter(|op| op.operator == "Tf") {
        assert!(fonts.contains_key(op.operands[0].as_name().unwrap()));
    }
}

fn line_text(line: &Line<'_>) -> String {
    line.runs.iter().map(|run| run.text.as_str()).collect()
}

#[test]
fn long_text_wraps_within_the_page_and_ends_with_an_ellipsis() {
    let fonts = Fonts::bundled();
    let set = Typesetter::new(&fonts);
    let title = "A Midsummer Night's Dream ".repeat(10);
    let lines = set.lines(&title, Weight::Bold, 15.0, TEXT_WIDTH, 3);
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert!(line.width * 15.0 <= TEXT_WIDTH);
    }
    assert_eq!(line_text(&lines[0]), "A Midsummer Night's Dream A");
    assert!(
        line_text(&lines[2]).ends_with('…'),
        "{}",
        line_text(&lines[2])
    );
    // One unbroken word longer than a line is cut anywhere rather than overflowing.
    let word = "W".repeat(200);
    let lines = set.lines(&word, Weight::Regular, 10.0, TEXT_WIDTH, 2);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.width * 10.0 <= TEXT_WIDTH));
    // Short text is left alone.
    let lines = set.lines("Adult", Weight::Regular, 10.0, TEXT_WIDTH, 1);
    assert_eq!(lines.iter().map(line_text).collect::<Vec<_>>(), ["Adult"]);
    assert!(
        set.lines("", Weight::Regular, 10.0, TEXT_WIDTH, 1)
            .is_empty()
    );
    assert!(
        set.lines(" \n\t", Weight::Regular, 10.0, TEXT_WIDTH, 1)
            .is_empty()
    );
}

#[test]
fn cjk_text_wraps_between_characters_but_not_before_closing_punctuation() {
    let set = Typesetter::new(fonts_with_cjk());
    let title = "東京オペラ「椿姫」。".repeat(6);
    let lines = set.lines(&title, Weight::Bold, 15.0, TEXT_WIDTH, 3);
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert!(line.width * 15.0 <= TEXT_WIDTH);
        let text = line_text(line);
        assert!(!text.starts_with(['。', '」']), "{text}");
        assert!(!text.ends_with('「'), "{text}");
    }
    assert!(line_text(&lines[2]).ends_with('…'));
    // Korean breaks at spaces, like Latin text.
    let lines = set.lines(
        &"오페라 라 트라비아타 ".repeat(4),
        Weight::Bold,
        15.0,
        TEXT_WIDTH,
        3,
    );
    assert_eq!(line_text(&lines[0]), "오페라 라 트라비아타 오페라 라");
}

#[test]
fn long_venue_names_shrink_then_cut() {
    let fonts = Fonts::bundled();
    let set = Typesetter::new(&fonts);
    let (size, line) = set.shrink_to_fit("Royal Hall", Weight::Bold, 16.0, 11.0, TEXT_WIDTH);
    assert_eq!(size, 16.0);
    assert_eq!(line_text(&line.unwrap()), "Royal Hall");
    let long = "The Royal Philharmonic Concert Hall and Assembly Rooms of Greater Springfield";
    let (size, line) = set.shrink_to_fit(long, Weight::Bold, 16.0, 11.0, TEXT_WIDTH);
    let line = line.unwrap();
    assert_eq!(size, 11.0);
    assert!(line.width * size <= TEXT_WIDTH);
    assert!(line_text(&line).ends_with('…'));
}

#[test]
fn hebrew_and_arabic_read_right_to_left_with_numbers_left_to_right() {
    let fonts = Fonts::bundled();
    let set = Typesetter::new(&fonts);
    let lines = set.lines("שורה 7 · מושב 12", Weight::Bold, 12.0, TEXT_WIDTH, 1);
    let line = &lines[0];
    assert!(line.rtl);
    // Runs from the left: "12" first, "שורה" (the first word) last; each number reads
    // left to right.
    let visual = line_text(line);
    let at = |s: &str| visual.find(s).unwrap();
    assert!(at("12") < at("מושב") && at("מושב") < at("7") && at("7") < at("שורה"));
    assert!(line.runs.windows(2).all(|w| w[0].x < w[1].x));

    // Arabic letters take their joined forms: the word's glyphs differ from the letters
    // shaped one by one.
    let glyphs = |text: &str| -> Vec<u32> {
        set.lines(text, Weight::Regular, 12.0, TEXT_WIDTH, 1)[0]
            .runs
            .iter()
            .flat_map(|run| run.glyphs.iter().map(|g| g.glyph_id.to_u32()))
            .collect()
    };
    let word = glyphs("عايدة");
    let mut letters: Vec<u32> = "عايدة"
        .chars()
        .flat_map(|c| glyphs(&c.to_string()))
        .collect();
    letters.reverse();
    assert_eq!(word.len(), letters.len());
    assert_ne!(word, letters);
    assert!(!word.contains(&0), "every letter has a glyph");
}

#[test]
fn right_to_left_titles_are_set_against_the_right_margin() {
    let mut document = document();
    document.tickets.truncate(1);
    document.tickets[0].event_title = "המלט".into();
    let pdf = render_tickets(&document).unwrap();
    let (doc, pages) = pages(&pdf);
    let content = PdfContent::decode(&doc.get_page_content(pages[0])).unwrap();
    // The title is the only text at 15 pt; it ends at the right margin.
    let mut size = 0.0;
    let mut title_x = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => size = op.operands[1].as_float().unwrap(),
            "Tm" if size == 15.0 => title_x = Some(op.operands[4].as_float().unwrap()),
            _ => {}
        }
    }
    let x = title_x.unwrap();
    assert!(x > PAGE_WIDTH / 2.0 && x < PAGE_WIDTH - MARGIN, "{x}");
}

#[test]
fn text_is_cleaned_of_controls_and_cut() {
    assert_eq!(clean("  a\n\nb\tc  ", 100), ("a b c".into(), false));
    assert_eq!(
        clean("a\u{0}\u{7}b\u{200B}c\u{FEFF}", 100),
        ("abc".into(), false)
    );
    assert_eq!(
        clean("\u{202E}21\u{202C} \u{2067}x\u{2069}", 100),
        ("21 x".into(), false)
    );
    // Joiners and combining marks stay: Arabic and Indic shaping and accents need them.
    assert_eq!(
        clean("e\u{301}\u{200D}", 100),
        ("e\u{301}\u{200D}".into(), false)
    );
    assert_eq!(clean("abcdef", 3), ("abc".into(), true));
    assert_eq!(clean("ab cd", 3), ("ab".into(), true));
}

#[test]
fn huge_text_still_renders_quickly() {
    let mut document = document();
    document.tickets[0].event_title = "word ".repeat(200_000);
    document.venue_name = "x".repeat(100_000);
    let started = std::time::Instant::now();
    let pdf = render_tickets(&document).unwrap();
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
    // Unoptimised and on a busy machine; optimised it is a few milliseconds.
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn colours() {
    assert_eq!(parse_colour("#FF8000"), Some(Rgb(1.0, 128.0 / 255.0, 0.0)));
    assert_eq!(parse_colour(" #ff8000 "), parse_colour("#FF8000"));
    for bad in ["", "#", "ff8000", "#ff800", "#ff80001", "#gg8000", "#ff80é"] {
        assert_eq!(parse_colour(bad), None, "{bad}");
    }
    assert_eq!(parse_colour("#1d4ed8").unwrap().readable_text(), WHITE);
    assert_eq!(parse_colour("#000000").unwrap().readable_text(), WHITE);
    assert_eq!(parse_colour("#facc15").unwrap().readable_text(), INK);
    assert_eq!(parse_colour("#ffffff").unwrap().readable_text(), INK);
}

#[test]
fn a_bad_colour_falls_back_instead_of_failing() {
    let mut document = document();
    document.primary_colour = "blue".into();
    let pdf = render_tickets(&document).unwrap();
    let (doc, pages) = pages(&pdf);
    let content = PdfContent::decode(&doc.get_page_content(pages[0])).unwrap();
    let band = content
        .operations
        .iter()
        .find(|op| op.operator == "rg")
        .unwrap();
    let channels: Vec<f32> = band
        .operands
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    let Rgb(r, g, b) = FALLBACK_COLOUR;
    for (drawn, expected) in channels.into_iter().zip([r, g, b]) {
        assert!(
            (drawn - expected).abs() < 0.5 / 255.0,
            "{drawn} vs {expected}"
        );
    }
}

#[test]
fn an_order_without_tickets_or_an_oversized_code_is_an_error() {
    let mut document = document();
    document.tickets[1].code = "x".repeat(5_000);
    assert!(matches!(render_tickets(&document), Err(PdfError::Qr(_))));
    document.tickets.clear();
    assert!(matches!(
        render_tickets(&document),
        Err(PdfError::NoTickets)
    ));
}

#[test]
fn a_ticket_is_a_few_kilobytes() {
    // Three tickets: two font subsets of about 8 kB each, and 4–5 kB of drawing per page.
    let pdf = render_tickets(&document()).unwrap();
    assert!(pdf.len() < 40_000, "{} bytes", pdf.len());
    let (doc, pages) = pages(&pdf);
    let fonts = embedded_fonts(&doc, pages[0]);
    assert_eq!(fonts.len(), 2, "{fonts:?}");
    assert!(fonts.iter().all(|(_, size)| *size < 12_000), "{fonts:?}");
}

#[test]
fn fonts_that_are_not_cjk_fonts_are_refused() {
    assert!(matches!(
        Fonts::bundled().with_cjk(b"not a font".to_vec(), 0),
        Err(FontError::Unreadable { index: 0 })
    ));
    let latin = include_bytes!("../../fonts/NotoSans-Regular.ttf").to_vec();
    assert!(matches!(
        Fonts::bundled().with_cjk(latin.clone(), 1),
        Err(FontError::Unreadable { index: 1 })
    ));
    assert!(matches!(
        Fonts::bundled().with_cjk(latin, 0),
        Err(FontError::NotCjk { missing: '東' })
    ));
}

#[test]
fn fonts_can_be_shared_across_threads() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Fonts>();
}
