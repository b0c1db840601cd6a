use super::*;
use crate::codes::{TicketCode, VenueKey, sign, verify};
use lopdf::content::Content as PdfContent;

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

fn pages(pdf: &[u8]) -> (lopdf::Document, Vec<lopdf::ObjectId>) {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages = doc.get_pages().into_values().collect();
    (doc, pages)
}

#[test]
fn three_tickets_read_back_as_three_pages_with_their_text() {
    let pdf = render_tickets(&document()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let (doc, pages) = pages(&pdf);
    assert_eq!(pages.len(), 3);
    for (number, (seat, id)) in SEATS.iter().zip(TICKET_IDS).enumerate() {
        let page_number = u32::try_from(number + 1).unwrap();
        let text = doc.extract_text(&[page_number]).unwrap();
        for expected in [
            *seat,
            "M-10428",
            id,
            "Royal Hall",
            "The Nutcracker",
            "Saturday 5 December 2026, 19:30 GMT",
            "Adult · £35.00",
        ] {
            assert!(
                text.contains(expected),
                "page {page_number} lacks {expected:?}:\n{text}"
            );
        }
        // Each page carries its own seat only.
        for other in SEATS.iter().filter(|s| *s != seat) {
            assert!(!text.contains(other), "page {page_number} shows {other:?}");
        }
    }
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
    assert!(table.starts_with("xref\n0 12\n0000000000 65535 f \n"));
    let entries: Vec<&str> = table.lines().skip(3).take(11).collect();
    assert_eq!(entries.len(), 11);
    for (id, entry) in (1..).zip(entries) {
        assert_eq!(entry.len(), 19, "entries are 20 bytes with ' \\n'");
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

/// The `re` operators inside the page's `/QRCode` marked content, back as modules.
fn drawn_modules(doc: &lopdf::Document, page: lopdf::ObjectId, side: usize) -> Vec<Vec<bool>> {
    let content = PdfContent::decode(&doc.get_page_content(page)).unwrap();
    let mut grid = vec![vec![false; side]; side];
    let mut inside = false;
    let mut rectangles = 0;
    for op in &content.operations {
        match op.operator.as_str() {
            "BMC" => inside = op.operands[0].as_name().unwrap() == b"QRCode",
            "EMC" => inside = false,
            "re" if inside => {
                let n: Vec<usize> = op
                    .operands
                    .iter()
                    .map(|o| o.as_float().unwrap() as usize)
                    .collect();
                let (x, y, width, height) = (n[0], n[1], n[2], n[3]);
                assert_eq!(height, 1);
                grid[side - 1 - y][x..x + width].fill(true);
                rectangles += 1;
            }
            _ => {}
        }
    }
    assert!(rectangles > side, "{rectangles} rectangles");
    grid
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

#[test]
fn hostile_text_stays_text() {
    let mut document = document();
    document.venue_name = "Théâtre (du) \\ ) Tj /F9 9 Tf (".into();
    document.tickets[0].event_title =
        "Лебединое озеро 白鳥の湖 🩰\nLine two\r\n(Łódź, Dvořák) — “ﬁnal”".into();
    document.tickets[0].place = "Row \u{0}\u{7} 3\tSeat e\u{301}".into();
    document.order_number = "%%EOF endstream endobj".into();
    let pdf = render_tickets(&document).unwrap();
    assert!(
        pdf.iter().skip(15).all(|b| b.is_ascii()),
        "bytes past the header are ASCII"
    );
    let (doc, pages) = pages(&pdf);
    assert_eq!(pages.len(), 3);
    let text = doc.extract_text(&[1]).unwrap();
    for expected in [
        "Théâtre (du) \\ ) Tj /F9 9 Tf (",
        // Wrapped onto two lines; the line break is the reader's.
        "????????? ????? ???? ? Line two\n(Lódz, Dvorák) — “final”",
        "Row 3 Seat e",
        "%%EOF endstream endobj",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Only the fonts and operators we wrote: no injected /F9.
    assert!(!String::from_utf8_lossy(&doc.get_page_content(pages[0])).contains("/F9 9 Tf\n"));
}

#[test]
fn win_ansi_transliterates_or_replaces() {
    assert_eq!(win_ansi("Café"), b"Caf\xE9");
    assert_eq!(win_ansi("€5 – “ok”"), b"\x805 \x96 \x93ok\x94");
    assert_eq!(win_ansi("Łódź"), b"L\xF3dz");
    assert_eq!(win_ansi("Ĳssel ŉ Ș"), b"IJssel 'n S");
    assert_eq!(win_ansi("ﬁre‐fly"), b"fire-fly");
    assert_eq!(win_ansi("a\u{301}\u{200B}b"), b"ab");
    assert_eq!(win_ansi("a\nb\tc"), b"a b c");
    assert_eq!(win_ansi("東京 🎟️"), b"?? ?");
    assert_eq!(win_ansi("Ő Œ ſ"), b"O \x8C s");
}

#[test]
fn the_latin_extended_a_table_lines_up() {
    for (c, base) in [
        ('\u{100}', "A"),
        ('ą', "a"),
        ('Č', "C"),
        ('đ', "d"),
        ('ğ', "g"),
        ('İ', "I"),
        ('ı', "i"),
        ('ĸ', "k"),
        ('Ŀ', "L"),
        ('ł', "l"),
        ('ń', "n"),
        ('Ŋ', "N"),
        ('ő', "o"),
        ('ř', "r"),
        ('ś', "s"),
        ('ť', "t"),
        ('ů', "u"),
        ('Ŵ', "W"),
        ('ŷ', "y"),
        ('Ź', "Z"),
        ('ż', "z"),
        ('ſ', "s"),
    ] {
        assert_eq!(transliterate(c), base, "{c}");
    }
}

#[test]
fn pdf_strings_escape_their_syntax() {
    assert_eq!(pdf_string(b"a(b)c\\d"), "(a\\(b\\)c\\\\d)");
    assert_eq!(pdf_string(b"\xE9\x85\n"), "(\\351\\205\\012)");
    assert_eq!(utf16_hex_string("é🎟"), "<FEFF00E9D83CDF9F>");
}

#[test]
fn long_text_wraps_within_the_page_and_ends_with_an_ellipsis() {
    let title = win_ansi(&"A Midsummer Night's Dream ".repeat(10));
    let lines = wrap(&title, Font::Bold, 15.0, TEXT_WIDTH, 3);
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert!(Font::Bold.width(line, 15.0) <= TEXT_WIDTH);
    }
    assert_eq!(lines[2].last(), Some(&0x85));
    // One unbroken word longer than a line is cut anywhere rather than overflowing.
    let word = vec![b'W'; 200];
    let lines = wrap(&word, Font::Regular, 10.0, TEXT_WIDTH, 2);
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| Font::Regular.width(l, 10.0) <= TEXT_WIDTH)
    );
    // Short text is left alone.
    assert_eq!(
        wrap(b"Adult", Font::Regular, 10.0, TEXT_WIDTH, 1),
        vec![b"Adult".to_vec()]
    );
    assert!(wrap(b"", Font::Regular, 10.0, TEXT_WIDTH, 1).is_empty());
}

#[test]
fn long_venue_names_shrink_then_cut() {
    let short = win_ansi("Royal Hall");
    assert_eq!(
        shrink_to_fit(&short, Font::Bold, 16.0, 11.0, TEXT_WIDTH).0,
        16.0
    );
    let long =
        win_ansi("The Royal Philharmonic Concert Hall and Assembly Rooms of Greater Springfield");
    let (size, line) = shrink_to_fit(&long, Font::Bold, 16.0, 11.0, TEXT_WIDTH);
    assert_eq!(size, 11.0);
    assert!(Font::Bold.width(&line, size) <= TEXT_WIDTH);
    assert_eq!(line.last(), Some(&0x85));
}

#[test]
fn huge_text_still_renders_quickly() {
    let mut document = document();
    document.tickets[0].event_title = "word ".repeat(200_000);
    document.venue_name = "x".repeat(100_000);
    let pdf = render_tickets(&document).unwrap();
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
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
    let content = String::from_utf8(doc.get_page_content(pages[0])).unwrap();
    assert!(content.starts_with(&format!("{FALLBACK_COLOUR} rg")));
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
    let pdf = render_tickets(&document()).unwrap();
    assert!(pdf.len() < 3 * 12_000, "{} bytes", pdf.len());
}
