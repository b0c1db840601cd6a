//! Ticket rendering against the mailer's budget of ≤ 20 ms of CPU per ticket, and the cost
//! of signing and checking a code (the door scanner checks one per customer).
//!
//! `cargo bench -p marquee-tickets` (add `-- --quick` for a fast look). The CJK figure needs
//! Debian's fonts-noto-cjk (`infra/local/install.sh` installs it) and is skipped without it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use marquee_tickets::{
    Fonts, TicketCode, TicketDocument, TicketPage, VenueKey, qr_modules, render_tickets,
    render_tickets_with, sign, verify,
};
use std::hint::black_box;

const TICKETS: usize = 10;
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn key() -> VenueKey {
    VenueKey::generate()
}

fn code(i: usize) -> TicketCode {
    // Three 26-character ULIDs: the size of a real code.
    let ticket = format!("01jd8x5z9y8x7w6v5t4s3r2q{i:02}");
    TicketCode::new(
        "01jd8x3k9m2n4p6q8r0s2t4v6w",
        "01jd8x4a1b2c3d4e5f6g7h8j9k",
        &ticket,
    )
    .unwrap_or_else(|e| panic!("bench ids are valid: {e}"))
}

fn document(key: &VenueKey) -> TicketDocument {
    TicketDocument {
        venue_name: "Théâtre Royal".into(),
        primary_colour: "#7c1d2e".into(),
        order_number: "M-10428".into(),
        tickets: (0..TICKETS)
            .map(|i| TicketPage {
                event_title: "Tchaikovsky’s The Nutcracker — a Christmas gala with the \
                              Springfield Philharmonic Orchestra"
                    .into(),
                starts_at_local: "Saturday 5 December 2026, 19:30 GMT".into(),
                place: format!("Orchestra · Row C · Seat {}", 10 + i),
                price_type: "Adult".into(),
                price: "£35.00".into(),
                ticket_id: code(i).ticket().to_owned(),
                code: sign(key, &code(i)),
            })
            .collect(),
    }
}

fn pdf(c: &mut Criterion) {
    let key = key();
    let document = document(&key);
    let mut group = c.benchmark_group("pdf");
    // Per-element figures are per ticket.
    group.throughput(Throughput::Elements(TICKETS as u64));
    group.bench_function("render_tickets (10 tickets)", |b| {
        b.iter(|| render_tickets(black_box(&document)))
    });
    // A Japanese order: the CJK font (loaded once, as the mailer keeps it) is subset too.
    match std::fs::read(CJK_FONT) {
        Ok(bytes) => {
            let fonts = Fonts::bundled()
                .with_cjk(bytes, 0)
                .unwrap_or_else(|e| panic!("{CJK_FONT}: {e}"));
            let mut japanese = document.clone();
            japanese.venue_name = "新国立劇場 オペラパレス".into();
            for (i, ticket) in japanese.tickets.iter_mut().enumerate() {
                ticket.event_title = "ヴェルディ 椿姫 — 新国立劇場オペラ 2026/2027シーズン".into();
                ticket.place = format!("1階 C列 {}番", 10 + i);
                ticket.price_type = "一般".into();
                ticket.price = "¥18,000".into();
            }
            group.bench_function("render_tickets_with CJK (10 tickets)", |b| {
                b.iter(|| render_tickets_with(black_box(&japanese), &fonts))
            });
        }
        Err(e) => eprintln!("skipping the CJK benchmark: {CJK_FONT}: {e}"),
    }
    group.finish();

    // What the mailer pays once per instance, at its first PDF: parsing the CJK font read
    // from S3 (the bundled fonts are parsed once per process, on first use).
    if let Ok(bytes) = std::fs::read(CJK_FONT) {
        let mut fonts = c.benchmark_group("fonts");
        fonts.sample_size(10);
        fonts.bench_function("with_cjk (load the CJK font)", |b| {
            b.iter(|| Fonts::bundled().with_cjk(black_box(bytes.clone()), 0))
        });
        fonts.finish();
    }

    let signed = sign(&key, &code(0));
    c.bench_function("qr_modules (one code)", |b| {
        b.iter(|| qr_modules(black_box(&signed)))
    });
}

fn codes(c: &mut Criterion) {
    let key = key();
    let ticket = code(0);
    let signed = sign(&key, &ticket);
    c.bench_function("sign", |b| {
        b.iter(|| sign(black_box(&key), black_box(&ticket)))
    });
    c.bench_function("verify", |b| {
        b.iter(|| verify(black_box(&key), black_box(&signed)))
    });
    c.bench_function("sign + verify", |b| {
        b.iter(|| verify(&key, &sign(black_box(&key), black_box(&ticket))))
    });
}

criterion_group!(benches, pdf, codes);
criterion_main!(benches);
