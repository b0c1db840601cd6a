//! The MIME the mailer sends, read back with a real parser (`mail-parser`), as a recipient's
//! mail client would read it.

use super::*;
use mail_parser::{Message, MessageParser, MimeHeaders};

const PDF: &[u8] =
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n\x00\x01\xff binary stream\r\n--not-a-boundary\n%%EOF\n";
const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n\
                   SUMMARY:Ορέστεια — 東京公演\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn email(address: &str) -> Email {
    Email::parse(address).expect("a valid address")
}

/// A confirmation like the mailer's: non-ASCII venue, subject and bodies, the tickets PDF and a
/// calendar entry.
fn confirmation() -> OutgoingEmail {
    OutgoingEmail {
        from_name: "Θέατρο Ηρώδου Αττικού".into(),
        reply_to: Some(email("boxoffice@odeon.example.org")),
        to: email("zoe@example.org"),
        subject: "Τα εισιτήριά σας — Ορέστεια, παράσταση K7QM-3XPD".into(),
        text: "Γεια σου Zoë,\n\nΕυχαριστούμε ✓ — 2 εισιτήρια.\nhttps://odeon.example.org/orders/K7QM\n"
            .into(),
        html: "<p>Γεια σου <b>Zoë</b>,</p>\n<p>Ευχαριστούμε ✓ — 2 εισιτήρια.</p>\n".into(),
        attachments: vec![
            Attachment {
                filename: "tickets.pdf".into(),
                content_type: "application/pdf".into(),
                data: PDF.to_vec(),
            },
            Attachment {
                filename: "oresteia.ics".into(),
                content_type: "text/calendar; charset=UTF-8; method=PUBLISH".into(),
                data: ICS.as_bytes().to_vec(),
            },
        ],
    }
}

fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(raw)
        .expect("the message parses as MIME")
}

/// Text parts travel with CRLF line ends; the recipient sees the same lines.
fn lines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

#[test]
fn the_headers_name_sender_recipient_date_and_a_message_id_at_the_sender_domain() {
    let raw = mime_message("odeon.example.org", &confirmation());
    let message = parse(&raw);

    let from = message.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.name(), Some("Θέατρο Ηρώδου Αττικού"));
    assert_eq!(from.address(), Some("no-reply@odeon.example.org"));
    let to = message.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("zoe@example.org"));
    let reply_to = message
        .reply_to()
        .and_then(|a| a.first())
        .expect("Reply-To");
    assert_eq!(reply_to.address(), Some("boxoffice@odeon.example.org"));
    assert_eq!(
        message.subject(),
        Some("Τα εισιτήριά σας — Ορέστεια, παράσταση K7QM-3XPD")
    );

    let date = message.date().expect("a Date header that parses");
    let age = chrono::Utc::now().timestamp() - date.to_timestamp();
    assert!((0..60).contains(&age), "dated now, not {date}");

    let id = message.message_id().expect("a Message-ID");
    let (unique, domain) = id.split_once('@').expect("id@domain");
    assert_eq!(domain, "odeon.example.org");
    assert!(!unique.is_empty());
    let raw_text = String::from_utf8_lossy(&raw);
    assert!(
        raw_text.contains(&format!("Message-ID: <{id}>\r\n")),
        "{raw_text}"
    );
}

#[test]
fn every_message_has_its_own_message_id() {
    let mail = confirmation();
    let first = mime_message("odeon.example.org", &mail);
    let second = mime_message("odeon.example.org", &mail);
    assert_ne!(
        parse(&first).message_id().expect("first id"),
        parse(&second).message_id().expect("second id")
    );
}

#[test]
fn a_japanese_subject_longer_than_a_header_line_comes_back_whole() {
    let subject = "ご注文のチケット：ハムレット（シェイクスピア）新国立劇場 中劇場、\
                   2026年6月12日 19:00 開演 — 注文番号 K7QM-3XPD";
    let mail = OutgoingEmail {
        from_name: "新国立劇場".into(),
        subject: subject.into(),
        ..confirmation()
    };
    let raw = mime_message("example.org", &mail);
    let message = parse(&raw);
    assert_eq!(message.subject(), Some(subject));
    assert_eq!(
        message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name()),
        Some("新国立劇場")
    );
}

#[test]
fn the_text_and_html_alternatives_decode_to_what_was_written() {
    let mail = confirmation();
    let raw = mime_message("odeon.example.org", &mail);
    let message = parse(&raw);
    assert_eq!(message.text_body_count(), 1);
    assert_eq!(message.html_body_count(), 1);
    let text = message.text_part(0).expect("a text part");
    assert!(text.is_content_type("text", "plain"));
    let html = message.html_part(0).expect("an HTML part");
    assert!(html.is_content_type("text", "html"));
    assert_eq!(
        lines(text.text_contents().expect("text")),
        lines(&mail.text)
    );
    assert_eq!(
        lines(html.text_contents().expect("html")),
        lines(&mail.html)
    );
}

#[test]
fn the_pdf_comes_back_byte_for_byte_under_its_name_and_type() {
    let raw = mime_message("odeon.example.org", &confirmation());
    let message = parse(&raw);
    assert_eq!(message.attachment_count(), 2);
    let pdf = message.attachment(0).expect("the PDF");
    assert_eq!(pdf.attachment_name(), Some("tickets.pdf"));
    assert!(pdf.is_content_type("application", "pdf"));
    assert_eq!(pdf.contents(), PDF);
    assert!(
        pdf.content_disposition()
            .is_some_and(|disposition| disposition.is_attachment())
    );
}

#[test]
fn the_calendar_entry_is_text_calendar_with_its_method() {
    let raw = mime_message("odeon.example.org", &confirmation());
    let message = parse(&raw);
    let ics = message.attachment(1).expect("the calendar entry");
    assert_eq!(ics.attachment_name(), Some("oresteia.ics"));
    let content_type = ics.content_type().expect("a Content-Type");
    assert_eq!(content_type.ctype(), "text");
    assert_eq!(content_type.subtype(), Some("calendar"));
    assert_eq!(content_type.attribute("method"), Some("PUBLISH"));
    assert_eq!(ics.contents(), ICS.as_bytes());
}

#[test]
fn without_a_reply_to_the_header_is_absent() {
    let mail = OutgoingEmail {
        reply_to: None,
        ..confirmation()
    };
    let raw = mime_message("odeon.example.org", &mail);
    assert!(parse(&raw).reply_to().is_none());
}

#[test]
fn the_wire_format_is_ascii_in_short_lines() {
    let raw = mime_message("odeon.example.org", &confirmation());
    assert!(raw.is_ascii(), "headers and bodies are ASCII on the wire");
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.split("\r\n").all(|line| line.len() <= 998),
        "no line over the SMTP limit"
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
}

#[test]
fn line_breaks_in_names_and_subjects_do_not_inject_headers() {
    let mail = OutgoingEmail {
        from_name: "Odeon\r\nBcc: victim@example.org".into(),
        subject: "Tickets\r\nX-Evil: 1".into(),
        attachments: vec![Attachment {
            filename: "tickets \"K7QM\".pdf\r\nX-Evil: 1".into(),
            content_type: "application/pdf".into(),
            data: PDF.to_vec(),
        }],
        ..confirmation()
    };
    let raw = mime_message("odeon.example.org", &mail);
    let message = parse(&raw);
    let header_names: Vec<&str> = message.headers().iter().map(|h| h.name()).collect();
    assert!(
        !header_names
            .iter()
            .any(|name| name.eq_ignore_ascii_case("Bcc") || name.eq_ignore_ascii_case("X-Evil")),
        "{header_names:?}"
    );
    let pdf = message.attachment(0).expect("the PDF");
    assert_eq!(
        pdf.attachment_name(),
        Some("tickets \"K7QM\".pdf\r\nX-Evil: 1"),
        "the name is carried encoded, not cut"
    );
    assert!(
        pdf.headers()
            .iter()
            .all(|h| !h.name().eq_ignore_ascii_case("X-Evil")),
        "no header injected into the part"
    );
    assert_eq!(pdf.contents(), PDF);
}
