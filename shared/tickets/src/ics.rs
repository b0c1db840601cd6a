//! An RFC 5545 calendar file (`.ics`) for a performance, attached to the ticket email so
//! the customer can add it to their calendar in one tap.
//!
//! Times are written in UTC (`…Z`): every calendar shows them in the reader's own zone, and
//! no `VTIMEZONE` block has to be generated for the venue's zone.

use chrono::{DateTime, TimeDelta, Utc};

/// How long a performance is assumed to last when the caller does not say.
pub const DEFAULT_DURATION: TimeDelta = TimeDelta::hours(2);

/// RFC 5545 §3.1: a content line is at most 75 octets, not counting the CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// One performance as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Globally unique and stable, so re-sending the email updates the event instead of
    /// adding a second one: e.g. `<order id>-<performance id>@<venue host>`.
    pub uid: String,
    /// When this calendar entry was made (`DTSTAMP`): the order's time, not "now", so the
    /// same order always renders the same file.
    pub issued_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    /// [`DEFAULT_DURATION`] when `None`, zero or negative.
    pub duration: Option<TimeDelta>,
    /// The event title.
    pub summary: String,
    /// The venue's name and address; left out when empty.
    pub location: String,
    /// Seats, order number, door times…; left out when empty.
    pub description: String,
}

/// The event as a complete `VCALENDAR` with CRLF line endings and folded lines.
pub fn render_ics(event: &CalendarEvent) -> String {
    let duration = event
        .duration
        .filter(|d| *d > TimeDelta::zero())
        .unwrap_or(DEFAULT_DURATION);
    // A duration so large that the end overflows the calendar is not a real performance.
    let ends_at = event
        .starts_at
        .checked_add_signed(duration)
        .or_else(|| event.starts_at.checked_add_signed(DEFAULT_DURATION))
        .unwrap_or(event.starts_at);

    let mut out = String::with_capacity(512);
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Marquee//Tickets//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
    ] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
    push_line(&mut out, &format!("DTSTAMP:{}", utc(event.issued_at)));
    push_line(&mut out, &format!("DTSTART:{}", utc(event.starts_at)));
    push_line(&mut out, &format!("DTEND:{}", utc(ends_at)));
    push_line(
        &mut out,
        &format!("SUMMARY:{}", escape_text(&event.summary)),
    );
    if !event.location.is_empty() {
        push_line(
            &mut out,
            &format!("LOCATION:{}", escape_text(&event.location)),
        );
    }
    if !event.description.is_empty() {
        push_line(
            &mut out,
            &format!("DESCRIPTION:{}", escape_text(&event.description)),
        );
    }
    push_line(&mut out, "STATUS:CONFIRMED");
    push_line(&mut out, "END:VEVENT");
    push_line(&mut out, "END:VCALENDAR");
    out
}

/// RFC 5545 §3.3.5 form 2: UTC date-time.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (§3.3.11): backslash, semicolon and comma escaped, every line break as
/// `\n`. Other control characters are not allowed in TEXT, so they are dropped.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                // CRLF is one line break, not two.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (§3.1): each continuation starts with one space,
/// which counts towards its 75. Folds fall between characters, never inside one UTF-8
/// sequence, so every physical line is valid UTF-8 on its own.
fn push_line(out: &mut String, line: &str) {
    let mut octets = 0;
    for c in line.chars() {
        if octets + c.len_utf8() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "01jd8x6order-01jd8x4perf@tickets.example.com".into(),
            issued_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 15, 0).unwrap(),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 5, 19, 30, 0).unwrap(),
            duration: None,
            summary: "The Nutcracker".into(),
            location: "Royal Hall, 1 Main St, Springfield".into(),
            description: "Orchestra · Row C · Seat 12\nOrder 1042".into(),
        }
    }

    /// Undoes folding: a CRLF followed by one space or tab disappears.
    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "").replace("\r\n\t", "")
    }

    #[test]
    fn renders_a_complete_event_in_utc() {
        let ics = render_ics(&event());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        let ics = unfold(&ics);
        for line in [
            "UID:01jd8x6order-01jd8x4perf@tickets.example.com",
            "DTSTAMP:20261102T091500Z",
            "DTSTART:20261205T193000Z",
            "DTEND:20261205T213000Z",
            "SUMMARY:The Nutcracker",
            "LOCATION:Royal Hall\\, 1 Main St\\, Springfield",
            "DESCRIPTION:Orchestra · Row C · Seat 12\\nOrder 1042",
        ] {
            assert!(
                ics.contains(&format!("\r\n{line}\r\n")),
                "{line} missing:\n{ics}"
            );
        }
    }

    #[test]
    fn line_endings_are_crlf_only() {
        let ics = render_ics(&event());
        let bare_lf = ics
            .char_indices()
            .filter(|&(i, c)| c == '\n' && !ics[..i].ends_with('\r'))
            .count();
        assert_eq!(bare_lf, 0);
        assert_eq!(ics.matches('\r').count(), ics.matches('\n').count());
    }

    #[test]
    fn a_given_duration_sets_the_end() {
        let mut e = event();
        e.duration = Some(TimeDelta::minutes(150));
        assert!(render_ics(&e).contains("\r\nDTEND:20261205T220000Z\r\n"));
        e.duration = Some(TimeDelta::zero());
        assert!(render_ics(&e).contains("\r\nDTEND:20261205T213000Z\r\n"));
        e.duration = Some(TimeDelta::minutes(-30));
        assert!(render_ics(&e).contains("\r\nDTEND:20261205T213000Z\r\n"));
        e.duration = Some(TimeDelta::MAX);
        assert!(render_ics(&e).contains("\r\nDTEND:20261205T213000Z\r\n"));
    }

    #[test]
    fn text_escaping() {
        assert_eq!(escape_text(r"a\b"), r"a\\b");
        assert_eq!(escape_text("a;b,c"), r"a\;b\,c");
        assert_eq!(
            escape_text("one\ntwo\r\nthree\rfour"),
            r"one\ntwo\nthree\nfour"
        );
        assert_eq!(
            escape_text("colon: and \"quotes\""),
            "colon: and \"quotes\""
        );
        assert_eq!(escape_text("bell\u{7}\u{0}null"), "bellnull");
        assert_eq!(escape_text("tab\there"), "tab\there");
        // A user cannot end the value and start a property of their own.
        let mut e = event();
        e.summary = "Show\r\nEND:VEVENT\r\nBEGIN:VEVENT\nSUMMARY:Fake;x,y\\".into();
        let ics = render_ics(&e);
        let unfolded = unfold(&ics);
        let lines: Vec<&str> = unfolded.split("\r\n").collect();
        assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 1);
        assert_eq!(lines.iter().filter(|l| **l == "END:VEVENT").count(), 1);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("SUMMARY:")).count(),
            1
        );
        assert!(unfolded.contains(
            "\r\nSUMMARY:Show\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:Fake\\;x\\,y\\\\\r\n"
        ));
    }

    #[test]
    fn empty_location_and_description_are_left_out() {
        let mut e = event();
        e.location.clear();
        e.description.clear();
        let ics = render_ics(&e);
        assert!(!ics.contains("LOCATION"));
        assert!(!ics.contains("DESCRIPTION"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut e = event();
        // Two-, three- and four-byte characters, so folds land at every offset within one.
        e.summary = "Le Lac des Cygnes — été ".repeat(6) + &"🎻".repeat(40);
        e.description = "x".repeat(500);
        e.location = "é".repeat(200);
        let ics = render_ics(&e);
        for line in ics.split("\r\n") {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line}",
                line.len()
            );
        }
        let physical: Vec<&str> = ics.split("\r\n").collect();
        assert!(physical.iter().filter(|l| l.starts_with(' ')).count() > 10);
        let unfolded = unfold(&ics);
        assert!(unfolded.contains(&format!("\r\nSUMMARY:{}\r\n", e.summary)));
        assert!(unfolded.contains(&format!("\r\nDESCRIPTION:{}\r\n", e.description)));
        assert!(unfolded.contains(&format!("\r\nLOCATION:{}\r\n", e.location)));
    }

    #[test]
    fn a_line_of_exactly_75_octets_is_not_folded() {
        let mut out = String::new();
        push_line(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        let mut out = String::new();
        push_line(&mut out, &"a".repeat(76));
        assert_eq!(out, format!("{}\r\n a\r\n", "a".repeat(75)));
        // The continuation's leading space counts: 74 more octets fit after it.
        let mut out = String::new();
        push_line(&mut out, &"a".repeat(75 + 74 + 1));
        assert_eq!(
            out,
            format!("{}\r\n {}\r\n a\r\n", "a".repeat(75), "a".repeat(74))
        );
    }
}
