//! Tickets as the customer holds them, with no I/O: the signed code a door scanner checks,
//! the PDF the mailer attaches, and the calendar file that goes with it.
//!
//! - [`codes`]: `M1.…` ticket codes, HMAC-SHA256 signed with a per-venue key
//!   (see `docs/ticket-codes.md`).
//! - [`pdf`]: one A6 page per ticket with the code as a QR code, its text in embedded,
//!   subset Noto fonts ([`Fonts`]: Latin, Greek, Cyrillic, Hebrew and Arabic bundled, a
//!   CJK font when the caller supplies one).
//! - [`ics`]: an RFC 5545 calendar event for the performance.

pub mod codes;
pub mod ics;
pub mod pdf;

pub use codes::{CodeError, KeyError, TicketCode, VenueKey, parse_unverified, sign, verify};
pub use ics::{CalendarEvent, DEFAULT_DURATION, render_ics};
pub use pdf::{
    FontError, Fonts, LABELS_PER_SHEET, Paper, PdfError, TicketDocument, TicketPage, qr_modules,
    render_address_labels, render_ticket_letter, render_tickets, render_tickets_on,
    render_tickets_with,
};
