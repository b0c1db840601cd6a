//! Writes a sample ticket PDF and calendar file, to look at the layout by eye:
//! `cargo run -p marquee-tickets --example sample_tickets -- /tmp/tickets` writes
//! `/tmp/tickets.pdf` and `/tmp/tickets.ics`. With a CJK font as a second argument
//! (`/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc` from Debian's
//! fonts-noto-cjk), it also writes `/tmp/tickets-world-N.pdf`: tickets in Greek, Cyrillic,
//! Japanese, Korean, Chinese, Hebrew and Arabic.

use chrono::{TimeZone, Utc};
use marquee_tickets::{
    CalendarEvent, Fonts, TicketCode, TicketDocument, TicketPage, VenueKey, render_ics,
    render_tickets, render_tickets_with, sign,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stem = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample-tickets".into());
    let key = VenueKey::generate();
    let places = [
        "Orchestra · Row C · Seat 12",
        "Grand Tier Boxes (Stage Left) · Box 4 · Seat 2",
        "Lawn (general admission)",
    ];
    let tickets = places
        .iter()
        .enumerate()
        .map(|(i, place)| {
            let ticket_id = format!("01jd8x5z9y8x7w6v5t4s3r2q1{i}");
            let code = TicketCode::new(
                "01jd8x3k9m2n4p6q8r0s2t4v6w",
                "01jd8x4a1b2c3d4e5f6g7h8j9k",
                &ticket_id,
            )?;
            Ok(TicketPage {
                event_title: if i == 1 {
                    "Tchaikovsky’s The Nutcracker — a Christmas gala with the Springfield \
                     Philharmonic Orchestra and Łódź Ballet"
                        .into()
                } else {
                    "The Nutcracker".into()
                },
                starts_at_local: "Saturday 5 December 2026, 19:30 GMT".into(),
                place: (*place).into(),
                price_type: "Adult".into(),
                price: "£35.00".into(),
                code: sign(&key, &code),
                ticket_id,
            })
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let document = TicketDocument {
        venue_name: "Théâtre Royal".into(),
        primary_colour: "#7c1d2e".into(),
        order_number: "M-10428".into(),
        tickets,
    };
    std::fs::write(format!("{stem}.pdf"), render_tickets(&document)?)?;
    let event = CalendarEvent {
        uid: "01jd8x6order-01jd8x4perf@tickets.example.com".into(),
        issued_at: Utc::now(),
        starts_at: Utc
            .with_ymd_and_hms(2026, 12, 5, 19, 30, 0)
            .single()
            .ok_or("bad date")?,
        duration: None,
        summary: "The Nutcracker".into(),
        location: "Théâtre Royal, 1 Main St, Springfield".into(),
        description: "Orchestra · Row C · Seat 12\nOrder M-10428".into(),
    };
    std::fs::write(format!("{stem}.ics"), render_ics(&event))?;

    if let Some(cjk) = std::env::args().nth(2) {
        let fonts = Fonts::bundled().with_cjk(std::fs::read(cjk)?, 0)?;
        let world = [
            (
                "Θέατρο Ηρώδου Αττικού",
                "Η Ορέστεια του Αισχύλου",
                "Κάτω διάζωμα · Σειρά Γ · Θέση 12",
                "Κανονικό",
            ),
            (
                "Большой театр",
                "Лебединое озеро",
                "Партер · Ряд 5 · Место 14",
                "Взрослый",
            ),
            ("東京文化会館", "東京オペラ 椿姫", "1階 C列 12番", "一般"),
            ("예술의전당", "오페라 라 트라비아타", "1층 A열 12번", "일반"),
            ("国家大剧院", "歌剧《茶花女》", "池座 3排 12号", "成人"),
            (
                "הבימה",
                "המלט מאת שייקספיר, 2026",
                "אולם רובינא · שורה 7 · מושב 12",
                "מבוגר",
            ),
            (
                "دار الأوبرا المصرية",
                "عايدة لفيردي 2026",
                "الصالة الرئيسية · صف 4 · مقعد 9",
                "بالغ",
            ),
        ];
        let tickets = world
            .iter()
            .enumerate()
            .map(|(i, (venue, title, place, price_type))| {
                let ticket_id = format!("01jd8x5z9y8x7w6v5t4s3r2q2{i}");
                let code = TicketCode::new(
                    "01jd8x3k9m2n4p6q8r0s2t4v6w",
                    "01jd8x4a1b2c3d4e5f6g7h8j9k",
                    &ticket_id,
                )?;
                Ok(TicketDocument {
                    venue_name: (*venue).into(),
                    primary_colour: "#1d4ed8".into(),
                    order_number: "M-10428".into(),
                    tickets: vec![TicketPage {
                        event_title: (*title).into(),
                        starts_at_local: "Saturday 5 December 2026, 19:30 EET".into(),
                        place: (*place).into(),
                        price_type: (*price_type).into(),
                        price: "€35.00".into(),
                        code: sign(&key, &code),
                        ticket_id,
                    }],
                })
            })
            .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
        // One document per venue, as the mailer sends them; written side by side.
        for (i, document) in tickets.iter().enumerate() {
            std::fs::write(
                format!("{stem}-world-{i}.pdf"),
                render_tickets_with(document, &fonts)?,
            )?;
        }
    }
    Ok(())
}
