//! Sales reports as running totals: each change to an order that a report counts (a sale, a
//! refund) becomes a [`ReportChange`] — a key naming the change, the venue-local day it
//! belongs to, and the increments it adds to that day's figures. The store applies a change
//! once per key (stream records arrive at least once), so reading a day's report is reading
//! a handful of items, however many orders the venue has.

use crate::records::{OrderRecord, SaleMethod};
use crate::{OrderStatus, Timezone};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The day's figures (`DAY`), as attribute names.
pub mod day {
    pub const ORDERS: &str = "orders";
    pub const TICKETS: &str = "tickets";
    pub const TOTAL: &str = "total";
    pub const SUBTOTAL: &str = "subtotal";
    pub const DISCOUNT: &str = "discount";
    pub const FEES: &str = "fees";
    pub const TAX: &str = "tax";
    pub const CARD_ORDERS: &str = "cardOrders";
    pub const CARD_AMOUNT: &str = "cardAmount";
    pub const FREE_ORDERS: &str = "freeOrders";
    pub const PROMO_ORDERS: &str = "promoOrders";
    pub const REFUNDS: &str = "refunds";
    pub const REFUNDED: &str = "refunded";
    pub const REFUNDED_TICKETS: &str = "refundedTickets";
    /// Box office sales paid in cash: what goes in the drawer.
    pub const CASH_ORDERS: &str = "cashOrders";
    pub const CASH_AMOUNT: &str = "cashAmount";
    /// Complimentary tickets given by staff, and what they would have cost.
    pub const COMP_ORDERS: &str = "compOrders";
    pub const COMP_TICKETS: &str = "compTickets";
    pub const COMP_VALUE: &str = "compValue";
    /// Refunds of cash sales, paid back from the drawer.
    pub const CASH_REFUNDED: &str = "cashRefunded";
}

/// One staff member's box office sales on a day, as attribute names (`orders`, `tickets`
/// and `total` as in [`day`], with the cash, card and comp parts).
pub mod staff {
    pub const ORDERS: &str = "orders";
    pub const TICKETS: &str = "tickets";
    pub const TOTAL: &str = "total";
    pub const CASH_ORDERS: &str = "cashOrders";
    pub const CASH_AMOUNT: &str = "cashAmount";
    pub const CARD_ORDERS: &str = "cardOrders";
    pub const CARD_AMOUNT: &str = "cardAmount";
    pub const COMP_ORDERS: &str = "compOrders";
    pub const COMP_TICKETS: &str = "compTickets";
}

/// A ticket line's figures (per performance × price type × zone), as attribute names.
pub mod line {
    pub const TICKETS: &str = "tickets";
    pub const AMOUNT: &str = "amount";
    pub const DISCOUNT: &str = "discount";
    pub const FEES: &str = "fees";
    pub const REFUNDED_TICKETS: &str = "refundedTickets";
}

/// A performance's demand figures, as attribute names: per zone (`sold`, and how soon after
/// sales opened), per seat (`tried`: held, then let go without buying).
pub mod demand {
    pub const SOLD: &str = "sold";
    pub const WITHIN_HOUR: &str = "soldWithinHour";
    pub const WITHIN_DAY: &str = "soldWithinDay";
    pub const WITHIN_WEEK: &str = "soldWithinWeek";
    pub const LATER: &str = "soldLater";
    pub const TRIED: &str = "tried";
}

/// A performance's attendance figures, as attribute names: tickets valid now (sold, less
/// refunded) and, of those, tickets scanned in at least once.
pub mod attendance {
    pub const SOLD: &str = "sold";
    pub const ADMITTED: &str = "admitted";
}

/// What a change adds to one figure set of its day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Increment {
    pub target: Target,
    pub add: Vec<(&'static str, i64)>,
}

/// Which figures: the day's, or one ticket line's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Day,
    Line {
        performance: String,
        price_type: String,
        zone: String,
    },
    /// A performance's zone: tickets sold, and how soon after sales opened.
    Zone {
        performance: String,
        zone: String,
    },
    /// A performance's seat: how often it was held and let go.
    Seat {
        performance: String,
        seat: String,
    },
    /// A staff member's box office sales of the day.
    Staff {
        staff: String,
    },
    /// A performance's attendance: tickets valid and tickets admitted.
    Attendance {
        performance: String,
    },
}

/// One counted change of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportChange {
    /// Names the change, so it is counted once: `sale:{order}` or `refund:{order}:{n}`.
    pub key: String,
    /// The venue-local day it is reported on.
    pub date: NaiveDate,
    pub increments: Vec<Increment>,
}

fn local_date(at: &str, zone: &Timezone) -> Option<NaiveDate> {
    let at = DateTime::parse_from_rfc3339(at).ok()?;
    Some(at.with_timezone(&zone.tz()).date_naive())
}

fn line_target(ticket: &crate::records::TicketRecord) -> Target {
    Target::Line {
        performance: ticket.performance_id.to_string(),
        price_type: ticket.price_type.to_string(),
        zone: ticket.zone.to_string(),
    }
}

/// Adds `add` to `target`'s increment, creating it in first-seen order.
fn bump(increments: &mut Vec<Increment>, target: Target, add: &[(&'static str, i64)]) {
    let at = match increments.iter().position(|i| i.target == target) {
        Some(at) => at,
        None => {
            increments.push(Increment {
                target,
                add: Vec::new(),
            });
            increments.len() - 1
        }
    };
    for (name, amount) in add {
        match increments[at].add.iter_mut().find(|(n, _)| n == name) {
            Some((_, total)) => *total += amount,
            None => increments[at].add.push((name, *amount)),
        }
    }
}

fn is_sold(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded
    )
}

/// How soon after sales opened a ticket sold.
fn speed(on_sale_at: Option<DateTime<Utc>>, paid_at: &str) -> &'static str {
    let (Some(open), Ok(paid)) = (on_sale_at, DateTime::parse_from_rfc3339(paid_at)) else {
        return demand::LATER;
    };
    let after = paid.with_timezone(&Utc) - open;
    if after <= Duration::hours(1) {
        demand::WITHIN_HOUR
    } else if after <= Duration::days(1) {
        demand::WITHIN_DAY
    } else if after <= Duration::weeks(1) {
        demand::WITHIN_WEEK
    } else {
        demand::LATER
    }
}

/// What one write of an order (its item before and after) adds to the reports: the sale when
/// the order became paid, and each refund added to it. Anything else counts nothing.
/// `on_sale_at` tells when each performance's sales opened (for the demand figures).
pub fn report_changes(
    old: Option<&OrderRecord>,
    new: &OrderRecord,
    zone: &Timezone,
    on_sale_at: &dyn Fn(&crate::PerformanceId) -> Option<DateTime<Utc>>,
) -> Vec<ReportChange> {
    let mut changes = Vec::new();
    let was_sold = old.is_some_and(|o| is_sold(o.status) && o.paid_at.is_some());
    if !was_sold
        && is_sold(new.status)
        && let Some(date) = new.paid_at.as_deref().and_then(|at| local_date(at, zone))
    {
        let totals = &new.totals;
        let method = new.sale.as_ref().map(|s| s.method);
        let cash = method == Some(SaleMethod::Cash);
        let comp = method == Some(SaleMethod::Comp);
        let card = totals.total > 0 && !cash;
        let tickets = new.tickets.len() as i64;
        let mut increments = Vec::new();
        bump(
            &mut increments,
            Target::Day,
            &[
                (day::ORDERS, 1),
                (day::TICKETS, new.tickets.len() as i64),
                (day::TOTAL, totals.total),
                (day::SUBTOTAL, totals.subtotal),
                (day::DISCOUNT, totals.discount),
                (day::FEES, totals.fees),
                (day::TAX, totals.tax),
                (day::CARD_ORDERS, i64::from(card)),
                (day::CARD_AMOUNT, if card { totals.total } else { 0 }),
                (day::FREE_ORDERS, i64::from(totals.total == 0 && !comp)),
                (day::PROMO_ORDERS, i64::from(new.promo.is_some())),
                (day::CASH_ORDERS, i64::from(cash)),
                (day::CASH_AMOUNT, if cash { totals.total } else { 0 }),
                (day::COMP_ORDERS, i64::from(comp)),
                (day::COMP_TICKETS, if comp { tickets } else { 0 }),
                (
                    day::COMP_VALUE,
                    new.sale
                        .as_ref()
                        .and_then(|s| s.comp_value)
                        .filter(|_| comp)
                        .unwrap_or(0),
                ),
            ],
        );
        if let Some(sale) = &new.sale {
            bump(
                &mut increments,
                Target::Staff {
                    staff: sale.by.to_string(),
                },
                &[
                    (staff::ORDERS, 1),
                    (staff::TICKETS, tickets),
                    (staff::TOTAL, totals.total),
                    (staff::CASH_ORDERS, i64::from(cash)),
                    (staff::CASH_AMOUNT, if cash { totals.total } else { 0 }),
                    (staff::CARD_ORDERS, i64::from(card)),
                    (staff::CARD_AMOUNT, if card { totals.total } else { 0 }),
                    (staff::COMP_ORDERS, i64::from(comp)),
                    (staff::COMP_TICKETS, if comp { tickets } else { 0 }),
                ],
            );
        }
        for ticket in &new.tickets {
            bump(
                &mut increments,
                line_target(ticket),
                &[
                    (line::TICKETS, 1),
                    (line::AMOUNT, ticket.price),
                    (line::DISCOUNT, ticket.discount),
                    (line::FEES, ticket.fees),
                ],
            );
        }
        let paid_at = new.paid_at.as_deref().unwrap_or_default();
        for ticket in &new.tickets {
            let soon = speed(on_sale_at(&ticket.performance_id), paid_at);
            bump(
                &mut increments,
                Target::Zone {
                    performance: ticket.performance_id.to_string(),
                    zone: ticket.zone.to_string(),
                },
                &[(demand::SOLD, 1), (soon, 1)],
            );
        }
        changes.push(ReportChange {
            key: format!("sale:{}", new.id),
            date,
            increments,
        });
    }
    // A payment that bought nothing and went straight back was never a sale: not a refund.
    let counted = if new.paid_at.is_some() {
        old.map_or(0, |o| o.refunds.len())
    } else {
        new.refunds.len()
    };
    for (n, refund) in new.refunds.iter().enumerate().skip(counted) {
        let Some(date) = local_date(&refund.at, zone) else {
            continue;
        };
        let mut increments = Vec::new();
        bump(
            &mut increments,
            Target::Day,
            &[
                (day::REFUNDS, 1),
                (day::REFUNDED, refund.amount),
                (day::REFUNDED_TICKETS, refund.tickets.len() as i64),
                (
                    day::CASH_REFUNDED,
                    if new
                        .sale
                        .as_ref()
                        .is_some_and(|s| s.method == SaleMethod::Cash)
                    {
                        refund.amount
                    } else {
                        0
                    },
                ),
            ],
        );
        for ticket in new
            .tickets
            .iter()
            .filter(|t| refund.tickets.contains(&t.id))
        {
            bump(
                &mut increments,
                line_target(ticket),
                &[(line::REFUNDED_TICKETS, 1)],
            );
        }
        changes.push(ReportChange {
            key: format!("refund:{}:{n}", new.id),
            date,
            increments,
        });
    }
    changes
}

/// A seat held and let go (its hold released or run out, the seat state removed while held):
/// one more try at it, counted once per hold, on the venue-local day it was let go.
pub fn seat_let_go(
    performance: &crate::PerformanceId,
    seat: &crate::SeatId,
    hold: &crate::HoldId,
    at: DateTime<Utc>,
    zone: &Timezone,
) -> ReportChange {
    ReportChange {
        key: format!("tried:{performance}:{seat}:{hold}"),
        date: at.with_timezone(&zone.tz()).date_naive(),
        increments: vec![Increment {
            target: Target::Seat {
                performance: performance.to_string(),
                seat: seat.to_string(),
            },
            add: vec![(demand::TRIED, 1)],
        }],
    }
}

/// What one write of an issued ticket (its item before and after) adds to its performance's
/// attendance: becoming valid (sold), being refunded while valid (no longer sold, nor
/// admitted if it had been), and its first admission. Each is keyed by the ticket and what
/// happened to it, so a record delivered twice counts once; a ticket is sold, refunded and
/// first admitted at most once each. The markers are kept under the venue-local day the
/// ticket was issued (its id is a ULID): the same for every delivery of every record of it.
pub fn ticket_changes(
    old: Option<&crate::records::IssuedTicketRecord>,
    new: Option<&crate::records::IssuedTicketRecord>,
    zone: &Timezone,
) -> Vec<ReportChange> {
    use crate::records::TicketStatus;
    let Some(new) = new else {
        return Vec::new(); // tickets are never deleted
    };
    let issued = ulid::Ulid::from_string(&new.ticket_id.as_str().to_uppercase())
        .ok()
        .and_then(|id| DateTime::<Utc>::from_timestamp_millis(id.timestamp_ms() as i64))
        .unwrap_or_default();
    let date = issued.with_timezone(&zone.tz()).date_naive();
    let was_valid = old.is_some_and(|o| o.status == TicketStatus::Valid);
    let was_admitted = old.is_some_and(|o| o.admissions > 0);
    let change = |what: &str, add: Vec<(&'static str, i64)>| ReportChange {
        key: format!("ticket-{what}:{}", new.ticket_id),
        date,
        increments: vec![Increment {
            target: Target::Attendance {
                performance: new.performance_id.to_string(),
            },
            add,
        }],
    };
    let mut changes = Vec::new();
    match (was_valid, new.status) {
        (false, TicketStatus::Valid) => {
            changes.push(change("sold", vec![(attendance::SOLD, 1)]));
        }
        (true, TicketStatus::Refunded) => {
            let mut add = vec![(attendance::SOLD, -1)];
            if was_admitted {
                add.push((attendance::ADMITTED, -1));
            }
            changes.push(change("refunded", add));
        }
        _ => {}
    }
    if !was_admitted && new.admissions > 0 && new.status == TicketStatus::Valid {
        changes.push(change("admitted", vec![(attendance::ADMITTED, 1)]));
    }
    changes
}

/// Of the tickets sold, the share admitted, in percent to one decimal (`None` when none sold).
pub fn admitted_percent(sold: i64, admitted: i64) -> Option<f64> {
    if sold <= 0 {
        return None;
    }
    let share = (admitted.clamp(0, sold) as f64) * 100.0 / (sold as f64);
    Some((share * 10.0).round() / 10.0)
}

/// Text for a CSV cell that a spreadsheet will not run as a formula: a cell starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice).
pub fn csv_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests;
