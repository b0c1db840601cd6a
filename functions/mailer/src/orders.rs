//! Order mail: the confirmation of a paid order, the notice of a refund, and of a moved
//! performance. The job names the order; the mailer reads it (and the venue, events and
//! performances) and renders in Rust.
//! Everything a user typed (names, titles) is HTML-escaped.

use crate::MailError;
use crate::render::escape_html;
use marquee_domain::money::Money;
use marquee_domain::{Email, OrderId, PerformanceId, TenantId};
use marquee_platform::mail::{Attachment, OutgoingEmail};
use marquee_platform::tickets::{self, place_words};
use marquee_store::{OrderRecord, Store, TicketStatus, VenueRecord};
use std::collections::HashMap;

/// A ticket line as the patron reads it.
pub struct TicketLine {
    pub event_title: String,
    /// In the venue's timezone, e.g. "Sat 5 Dec 2026, 19:30 (America/New_York)".
    pub when: String,
    pub place: String,
    pub price_type: String,
    pub price: String,
}

/// Everything an order email shows.
pub struct OrderMail {
    pub venue: VenueRecord,
    pub order: OrderRecord,
    pub lines: Vec<TicketLine>,
    pub performances: HashMap<marquee_domain::PerformanceId, tickets::PerformanceInfo>,
}

/// Reads what the order's mail needs. `None`: the order or venue is gone (nothing to send).
pub async fn load(
    store: &Store,
    tenant: &TenantId,
    order_id: &OrderId,
) -> Result<Option<OrderMail>, MailError> {
    let (Some(venue), Some(order)) = (
        store.venue(tenant).await?,
        store.order(tenant, order_id).await?,
    ) else {
        return Ok(None);
    };
    // A walk-up at the box office may leave no email address: nothing to send.
    if order.email.is_empty() {
        return Ok(None);
    }
    let performances = tickets::performances_of(store, &venue, &order).await?;
    let currency = order.totals.currency;
    let lines = order
        .tickets
        .iter()
        .map(|t| {
            let info = performances.get(&t.performance_id);
            TicketLine {
                event_title: info.map(|i| i.event_title.clone()).unwrap_or_default(),
                when: info.map(|i| i.when.clone()).unwrap_or_default(),
                place: place_words(&t.place),
                price_type: t.price_type.to_string(),
                price: Money::from_minor(t.price + t.fees, currency).to_string(),
            }
        })
        .collect();
    Ok(Some(OrderMail {
        venue,
        order,
        lines,
        performances,
    }))
}

fn recipient(order: &OrderRecord) -> Result<Email, MailError> {
    Email::parse(&order.email).map_err(|e| MailError::Invalid(e.message))
}

fn ticket_rows_html(lines: &[TicketLine]) -> String {
    lines
        .iter()
        .map(|l| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:right\">{}</td></tr>",
                escape_html(&l.event_title),
                escape_html(&l.when),
                escape_html(&l.place),
                escape_html(&l.price_type),
                escape_html(&l.price)
            )
        })
        .collect()
}

fn ticket_rows_text(lines: &[TicketLine]) -> String {
    lines
        .iter()
        .map(|l| {
            format!(
                "- {} — {} — {} — {} — {}\n",
                l.event_title, l.when, l.place, l.price_type, l.price
            )
        })
        .collect()
}

fn from_name(venue: &VenueRecord) -> String {
    venue.settings.name.clone()
}

/// The confirmation, with the tickets as a PDF (for e-tickets) and a calendar file per
/// performance. `key` signs the tickets' codes.
pub fn confirmation(
    mail: &OrderMail,
    view_url: &str,
    key: &marquee_tickets::VenueKey,
    fonts: &marquee_tickets::Fonts,
) -> Result<OutgoingEmail, MailError> {
    let venue = &mail.venue.settings;
    let order = &mail.order;
    let total = Money::from_minor(order.totals.total, order.totals.currency).to_string();
    let valid: Vec<&TicketLine> = mail
        .lines
        .iter()
        .zip(&order.tickets)
        .filter(|(_, t)| t.status == TicketStatus::Valid)
        .map(|(l, _)| l)
        .collect();
    let count = valid.len();
    let delivery = match order.delivery {
        marquee_domain::Delivery::Email => {
            "Your tickets are attached. Show them on your phone or printed at the door."
        }
        marquee_domain::Delivery::Mail => "The box office will post your tickets to you.",
        marquee_domain::Delivery::Print => {
            "Your tickets were printed at the box office; they are attached here too."
        }
        marquee_domain::Delivery::WillCall => {
            "Collect your tickets at the box office (bring this email or the order number); they are attached here too."
        }
    };
    let text = format!(
        "Thank you, {name}.\n\nYour order {number} at {venue} is confirmed: {count} ticket{s}, {total} paid.\n\n{rows}\n{delivery}\n\nSee your order and download your tickets: {view_url}\n",
        name = order.name,
        number = order.number,
        venue = venue.name,
        s = if count == 1 { "" } else { "s" },
        rows = ticket_rows_text(&mail.lines),
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">\
         <div style=\"background:{colour};color:#fff;padding:12px 16px\"><strong>{venue}</strong></div>\
         <h1>Your tickets</h1>\
         <p>Thank you, {name}. Your order <strong>{number}</strong> is confirmed: {count} ticket{s}, {total} paid.</p>\
         <table cellpadding=\"6\" style=\"border-collapse:collapse\"><tr><th align=\"left\">Event</th><th align=\"left\">When</th><th align=\"left\">Where</th><th align=\"left\">Type</th><th align=\"right\">Price</th></tr>{rows}</table>\
         <p>{delivery}</p>\
         <p><a href=\"{url}\">See your order and download your tickets</a></p>\
         </body></html>",
        colour = escape_html(venue.branding.primary_colour.as_str()),
        venue = escape_html(&venue.name),
        name = escape_html(&order.name),
        number = escape_html(order.number.as_str()),
        s = if count == 1 { "" } else { "s" },
        total = escape_html(&total),
        rows = ticket_rows_html(&mail.lines),
        delivery = escape_html(delivery),
        url = escape_html(view_url),
    );
    Ok(OutgoingEmail {
        from_name: from_name(&mail.venue),
        reply_to: venue.email_sender.clone(),
        to: recipient(order)?,
        subject: format!("Your tickets for {} — order {}", venue.name, order.number),
        text,
        html,
        attachments: confirmation_attachments(mail, key, fonts)?,
    })
}

fn confirmation_attachments(
    mail: &OrderMail,
    key: &marquee_tickets::VenueKey,
    fonts: &marquee_tickets::Fonts,
) -> Result<Vec<Attachment>, MailError> {
    let mut attachments = Vec::new();
    if mail.order.delivery == marquee_domain::Delivery::Email {
        let pdf = tickets::order_pdf(key, fonts, &mail.venue, &mail.order, &mail.performances)?;
        attachments.push(Attachment {
            filename: format!("tickets-{}.pdf", mail.order.number),
            content_type: "application/pdf".into(),
            data: pdf,
        });
    }
    for (filename, ics) in tickets::order_calendars(&mail.venue, &mail.order, &mail.performances) {
        attachments.push(Attachment {
            filename,
            content_type: "text/calendar; charset=UTF-8; method=PUBLISH".into(),
            data: ics.into_bytes(),
        });
    }
    Ok(attachments)
}

/// A performance of the order moved: its new time (as stored now) and the old one. `None`
/// when the order no longer has a valid ticket for it.
pub fn moved_notice(
    mail: &OrderMail,
    performance: &PerformanceId,
    was: chrono::DateTime<chrono::Utc>,
    view_url: &str,
) -> Option<OutgoingEmail> {
    let venue = &mail.venue.settings;
    let order = &mail.order;
    let info = mail.performances.get(performance)?;
    let holds_one = order
        .tickets
        .iter()
        .any(|t| &t.performance_id == performance && t.status == TicketStatus::Valid);
    if !holds_one {
        return None;
    }
    let timezone = venue.timezone;
    let before = format!(
        "{} ({})",
        was.with_timezone(&timezone.tz())
            .format("%A %-d %B %Y, %H:%M"),
        String::from(timezone)
    );
    let text = format!(
        "Hello {name},\n\n{title} has moved. It was {before}; it is now {now}.\n\nYour tickets of order {number} stay valid for the new time; nothing needs doing. If the new time does not suit you, reply to this email.\n\nYour order: {view_url}\n",
        name = order.name,
        title = info.event_title,
        now = info.when,
        number = order.number,
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">\
         <div style=\"background:{colour};color:#fff;padding:12px 16px\"><strong>{venue}</strong></div>\
         <h1>{title} has moved</h1>\
         <p>Hello {name}, {title} was {before}. <strong>It is now {now}.</strong></p>\
         <p>Your tickets of order <strong>{number}</strong> stay valid for the new time; nothing needs doing. If the new time does not suit you, reply to this email.</p>\
         <p><a href=\"{url}\">See your order</a></p>\
         </body></html>",
        colour = escape_html(venue.branding.primary_colour.as_str()),
        venue = escape_html(&venue.name),
        title = escape_html(&info.event_title),
        name = escape_html(&order.name),
        before = escape_html(&before),
        now = escape_html(&info.when),
        number = escape_html(order.number.as_str()),
        url = escape_html(view_url),
    );
    Some(OutgoingEmail {
        from_name: from_name(&mail.venue),
        reply_to: venue.email_sender.clone(),
        to: recipient(order).ok()?,
        subject: format!("{} has moved to {}", info.event_title, info.when),
        text,
        html,
        attachments: Vec::new(),
    })
}

/// The tickets of a mailed order are in the post, to the address on the order.
pub fn posted_notice(mail: &OrderMail, view_url: &str) -> Result<OutgoingEmail, MailError> {
    let venue = &mail.venue.settings;
    let order = &mail.order;
    let address = order
        .address
        .as_ref()
        .map(|a| a.lines().join("\n"))
        .unwrap_or_default();
    let count = order.tickets.len();
    let tickets = if count == 1 {
        "Your ticket is".to_owned()
    } else {
        format!("Your {count} tickets are")
    };
    let text = format!(
        "Hello {name},\n\n{tickets} in the post (order {number} at {venue}), to:\n\n{address}\n\nAllow a few days for delivery. Your order: {view_url}\n",
        name = order.name,
        number = order.number,
        venue = venue.name,
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">\
         <div style=\"background:{colour};color:#fff;padding:12px 16px\"><strong>{venue}</strong></div>\
         <h1>Your tickets are in the post</h1>\
         <p>Hello {name}, {tickets} in the post (order <strong>{number}</strong>), to:</p>\
         <p>{address}</p>\
         <p>Allow a few days for delivery. <a href=\"{url}\">See your order</a></p>\
         </body></html>",
        colour = escape_html(venue.branding.primary_colour.as_str()),
        venue = escape_html(&venue.name),
        name = escape_html(&order.name),
        tickets = escape_html(&tickets.to_lowercase()),
        number = escape_html(order.number.as_str()),
        address = address
            .lines()
            .map(escape_html)
            .collect::<Vec<_>>()
            .join("<br>"),
        url = escape_html(view_url),
    );
    Ok(OutgoingEmail {
        from_name: from_name(&mail.venue),
        reply_to: venue.email_sender.clone(),
        to: recipient(order)?,
        subject: format!(
            "Your tickets are in the post: order {} at {}",
            order.number, venue.name
        ),
        text,
        html,
        attachments: Vec::new(),
    })
}

/// A phone order's payment link: what the tickets are, the total, until when the seats are
/// kept, and the link to pay. `None` once the order is paid or cancelled (nothing to pay).
pub fn payment_link_notice(mail: &OrderMail, pay_url: &str) -> Option<OutgoingEmail> {
    let venue = &mail.venue.settings;
    let order = &mail.order;
    let until = order
        .pay_later
        .as_ref()
        .filter(|_| order.status == marquee_domain::OrderStatus::Pending)?
        .until;
    let until = chrono::DateTime::from_timestamp_millis(until)?
        .with_timezone(&venue.timezone.tz())
        .format("%A %-d %B %Y, %H:%M")
        .to_string();
    let total = Money::from_minor(order.totals.total, order.totals.currency).to_string();
    let rows: String = mail
        .lines
        .iter()
        .map(|l| {
            format!(
                "- {}, {}: {} ({}, {})\n",
                l.event_title, l.when, l.place, l.price_type, l.price
            )
        })
        .collect();
    let text = format!(
        "Hello {name},\n\nThe box office at {venue} is keeping these seats for you (order {number}):\n\n{rows}\nTotal: {total}\n\nPay by card here before {until}, or the seats are released: {pay_url}\n",
        name = order.name,
        number = order.number,
        venue = venue.name,
    );
    let html_rows: String = mail
        .lines
        .iter()
        .map(|l| {
            format!(
                "<li>{}, {}: {} ({}, {})</li>",
                escape_html(&l.event_title),
                escape_html(&l.when),
                escape_html(&l.place),
                escape_html(&l.price_type),
                escape_html(&l.price)
            )
        })
        .collect();
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">\
         <div style=\"background:{colour};color:#fff;padding:12px 16px\"><strong>{venue}</strong></div>\
         <h1>Pay for your tickets</h1>\
         <p>Hello {name}, the box office is keeping these seats for you (order <strong>{number}</strong>):</p>\
         <ul>{html_rows}</ul><p>Total: <strong>{total}</strong></p>\
         <p><a href=\"{url}\">Pay by card</a> before {until}, or the seats are released.</p>\
         </body></html>",
        colour = escape_html(venue.branding.primary_colour.as_str()),
        venue = escape_html(&venue.name),
        name = escape_html(&order.name),
        number = escape_html(order.number.as_str()),
        total = escape_html(&total),
        url = escape_html(pay_url),
        until = escape_html(&until),
    );
    Some(OutgoingEmail {
        from_name: from_name(&mail.venue),
        reply_to: venue.email_sender.clone(),
        to: recipient(order).ok()?,
        subject: format!(
            "Pay for your tickets: order {} at {}",
            order.number, venue.name
        ),
        text,
        html,
        attachments: Vec::new(),
    })
}

pub fn refund_notice(
    mail: &OrderMail,
    refund_id: &str,
    view_url: &str,
) -> Result<OutgoingEmail, MailError> {
    let venue = &mail.venue.settings;
    let order = &mail.order;
    let Some(refund) = order.refunds.iter().find(|r| r.id == refund_id) else {
        return Err(MailError::Invalid(format!(
            "order {} has no refund {refund_id}",
            order.id
        )));
    };
    let amount = Money::from_minor(refund.amount, order.totals.currency).to_string();
    let text = format!(
        "Hello {name},\n\n{amount} of your order {number} at {venue} has been refunded to your card.\n\n{reason}\n\nIt can take 5–10 days to appear on your statement. Your order: {view_url}\n",
        name = order.name,
        number = order.number,
        venue = venue.name,
        reason = refund.reason,
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">\
         <div style=\"background:{colour};color:#fff;padding:12px 16px\"><strong>{venue}</strong></div>\
         <h1>Refund of {amount}</h1>\
         <p>Hello {name}, {amount} of your order <strong>{number}</strong> has been refunded to your card.</p>\
         <p>{reason}</p>\
         <p>It can take 5–10 days to appear on your statement. <a href=\"{url}\">See your order</a></p>\
         </body></html>",
        colour = escape_html(venue.branding.primary_colour.as_str()),
        venue = escape_html(&venue.name),
        amount = escape_html(&amount),
        name = escape_html(&order.name),
        number = escape_html(order.number.as_str()),
        reason = escape_html(&refund.reason),
        url = escape_html(view_url),
    );
    Ok(OutgoingEmail {
        from_name: from_name(&mail.venue),
        reply_to: venue.email_sender.clone(),
        to: recipient(order)?,
        subject: format!("Refund for order {} at {}", order.number, venue.name),
        text,
        html,
        attachments: Vec::new(),
    })
}
