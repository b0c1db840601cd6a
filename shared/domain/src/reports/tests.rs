#![allow(clippy::unwrap_used)]

use super::*;
use crate::pricing::Totals;
use crate::promo::{PromoCode, PromoUse};
use crate::records::{Place, RefundRecord, Spot, TicketRecord, TicketStatus};
use crate::{
    CartId, Currency, Delivery, HoldId, OrderId, OrderNumber, PerformanceId, PriceType, TicketId,
    ZoneId,
};

fn ticket(performance: &PerformanceId, price_type: &str, price: i64) -> TicketRecord {
    TicketRecord {
        id: TicketId::generate(),
        performance_id: performance.clone(),
        hold_id: HoldId::generate(),
        spot: Spot::Area(crate::AreaId::parse("lawn").unwrap()),
        shard: 0,
        zone: ZoneId::parse("a").unwrap(),
        place: Place::default(),
        price_type: PriceType::parse(price_type).unwrap(),
        price,
        discount: 0,
        fees: 150,
        status: TicketStatus::Valid,
    }
}

fn pending(tickets: Vec<TicketRecord>) -> OrderRecord {
    let subtotal: i64 = tickets.iter().map(|t| t.price).sum();
    let fees: i64 = tickets.iter().map(|t| t.fees).sum();
    OrderRecord {
        sale: None,
        picked_up: None,
        exchange: None,
        address: None,
        mail: None,
        phone: None,
        pay_later: None,
        id: OrderId::generate(),
        number: OrderNumber::generate(),
        status: OrderStatus::Pending,
        token_hash: String::new(),
        cart_id: CartId::generate(),
        email: "pat@example.org".into(),
        name: "Pat".into(),
        patron: None,
        delivery: Delivery::Email,
        totals: Totals {
            lines: Vec::new(),
            subtotal,
            discount: 0,
            fees,
            tax: 0,
            tax_included: 0,
            mailing: 0,
            total: subtotal + fees,
            currency: Currency::parse("USD").unwrap(),
        },
        tickets,
        payment_intent: None,
        stripe_account: None,
        platform_fee: 0,
        refunded: 0,
        refunds: Vec::new(),
        problem: None,
        created_at: "2027-03-01T03:30:00Z".into(),
        paid_at: None,
        posted_at: None,
        promo: None,
        version: 0,
    }
}

fn paid(order: &OrderRecord, at: &str) -> OrderRecord {
    OrderRecord {
        status: OrderStatus::Paid,
        paid_at: Some(at.into()),
        ..order.clone()
    }
}

fn never(_: &PerformanceId) -> Option<chrono::DateTime<chrono::Utc>> {
    None
}

fn new_york() -> Timezone {
    Timezone::parse("America/New_York").unwrap()
}

fn day_figure(change: &ReportChange, name: &str) -> i64 {
    change
        .increments
        .iter()
        .find(|i| i.target == Target::Day)
        .and_then(|i| i.add.iter().find(|(n, _)| *n == name))
        .map_or(0, |(_, v)| *v)
}

#[test]
fn a_payment_counts_once_on_the_venue_local_day_it_was_paid() {
    let show = PerformanceId::generate();
    let order = pending(vec![
        ticket(&show, "adult", 5000),
        ticket(&show, "adult", 5000),
        ticket(&show, "child", 2500),
    ]);
    // 02:30 UTC on 2 March is still 1 March in New York.
    let sold = paid(&order, "2027-03-02T02:30:00Z");
    let changes = report_changes(Some(&order), &sold, &new_york(), &never);
    assert_eq!(changes.len(), 1);
    let sale = &changes[0];
    assert_eq!(sale.key, format!("sale:{}", order.id));
    assert_eq!(sale.date, NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
    assert_eq!(day_figure(sale, day::ORDERS), 1);
    assert_eq!(day_figure(sale, day::TICKETS), 3);
    assert_eq!(day_figure(sale, day::TOTAL), 12_950);
    assert_eq!(day_figure(sale, day::CARD_AMOUNT), 12_950);
    let lines: Vec<&Increment> = sale
        .increments
        .iter()
        .filter(|i| matches!(i.target, Target::Line { .. }))
        .collect();
    assert_eq!(lines.len(), 2, "adult and child: one line each");
    assert!(lines[0].add.contains(&(line::TICKETS, 2)));
    assert!(lines[0].add.contains(&(line::AMOUNT, 10_000)));
    // Written again (a later edit of the paid order, a redelivered record): nothing new.
    assert!(report_changes(Some(&sold), &sold, &new_york(), &never).is_empty());
    // A pending order counts nothing.
    assert!(report_changes(None, &order, &new_york(), &never).is_empty());
}

#[test]
fn each_refund_counts_once_with_its_own_key() {
    let show = PerformanceId::generate();
    let sold = paid(
        &pending(vec![
            ticket(&show, "adult", 5000),
            ticket(&show, "adult", 5000),
        ]),
        "2027-03-01T18:00:00Z",
    );
    let mut refunded = sold.clone();
    refunded.status = OrderStatus::PartiallyRefunded;
    refunded.refunds.push(RefundRecord {
        id: "re_1".into(),
        amount: 5150,
        tickets: vec![sold.tickets[0].id.clone()],
        reason: "requested_by_customer".into(),
        at: "2027-03-03T15:00:00Z".into(),
    });
    let changes = report_changes(Some(&sold), &refunded, &new_york(), &never);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].key, format!("refund:{}:0", sold.id));
    assert_eq!(
        changes[0].date,
        NaiveDate::from_ymd_opt(2027, 3, 3).unwrap()
    );
    assert_eq!(day_figure(&changes[0], day::REFUNDED), 5150);
    assert_eq!(day_figure(&changes[0], day::REFUNDED_TICKETS), 1);
    // Seen with no old image (a first delivery of a later record): sale and refund, each
    // under the key that makes a second count of it a no-op.
    let keys: Vec<String> = report_changes(None, &refunded, &new_york(), &never)
        .into_iter()
        .map(|c| c.key)
        .collect();
    assert_eq!(
        keys,
        [format!("sale:{}", sold.id), format!("refund:{}:0", sold.id)]
    );
}

#[test]
fn a_payment_refunded_because_its_seats_were_gone_is_neither_a_sale_nor_a_refund() {
    let show = PerformanceId::generate();
    let order = pending(vec![ticket(&show, "adult", 5000)]);
    let mut bounced = order.clone();
    bounced.status = OrderStatus::Refunded;
    bounced.refunds.push(RefundRecord {
        id: "re_2".into(),
        amount: 5150,
        tickets: Vec::new(),
        reason: "seats_lost".into(),
        at: "2027-03-01T18:00:00Z".into(),
    });
    assert!(report_changes(Some(&order), &bounced, &new_york(), &never).is_empty());
}

#[test]
fn a_promo_order_and_a_free_order_are_counted_as_such() {
    let show = PerformanceId::generate();
    let mut order = pending(vec![ticket(&show, "comp", 0)]);
    order.totals.fees = 0;
    order.totals.total = 0;
    order.promo = Some(PromoUse {
        code: PromoCode::parse("FREE").unwrap(),
        per_patron: false,
    });
    let change = &report_changes(
        None,
        &paid(&order, "2027-03-01T18:00:00Z"),
        &new_york(),
        &never,
    )[0];
    assert_eq!(day_figure(change, day::FREE_ORDERS), 1);
    assert_eq!(day_figure(change, day::CARD_ORDERS), 0);
    assert_eq!(day_figure(change, day::PROMO_ORDERS), 1);
}

#[test]
fn csv_cells_never_start_a_formula() {
    assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    assert_eq!(csv_safe("+1"), "'+1");
    assert_eq!(csv_safe("-2"), "'-2");
    assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(csv_safe("Hamlet"), "Hamlet");
}

#[test]
fn demand_counts_how_soon_each_zone_sold_and_each_seat_let_go() {
    let show = PerformanceId::generate();
    let order = pending(vec![
        ticket(&show, "adult", 5000),
        ticket(&show, "adult", 5000),
    ]);
    let opened = chrono::DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let on_sale = |_: &PerformanceId| Some(opened);
    let soon = report_changes(
        None,
        &paid(&order, "2027-03-01T10:30:00Z"),
        &new_york(),
        &on_sale,
    );
    let zone = soon[0]
        .increments
        .iter()
        .find(|i| matches!(i.target, Target::Zone { .. }))
        .unwrap();
    assert!(zone.add.contains(&(demand::SOLD, 2)));
    assert!(zone.add.contains(&(demand::WITHIN_HOUR, 2)));
    let late = report_changes(
        None,
        &paid(&order, "2027-03-20T10:30:00Z"),
        &new_york(),
        &on_sale,
    );
    assert!(
        late[0]
            .increments
            .iter()
            .any(|i| i.add.contains(&(demand::LATER, 2)))
    );

    let seat = crate::SeatId::parse("hall-a-1").unwrap();
    let hold = HoldId::generate();
    let tried = seat_let_go(&show, &seat, &hold, opened, &new_york());
    assert_eq!(tried.key, format!("tried:{show}:{seat}:{hold}"));
    assert_eq!(tried.increments[0].add, vec![(demand::TRIED, 1)]);
}

fn figure(change: &ReportChange, target: &Target, name: &str) -> i64 {
    change
        .increments
        .iter()
        .find(|i| i.target == *target)
        .and_then(|i| i.add.iter().find(|(n, _)| *n == name))
        .map_or(0, |(_, v)| *v)
}

#[test]
fn box_office_sales_count_cash_for_the_drawer_comps_apart_and_each_clerk_s_own() {
    let performance = PerformanceId::generate();
    let clerk = crate::Email::parse("clerk@example.org").unwrap();
    let window = |method, total_zero: bool| {
        let mut order = pending(vec![
            ticket(&performance, "adult", 4_000),
            ticket(&performance, "adult", 4_000),
        ]);
        if total_zero {
            order.totals.subtotal = 0;
            order.totals.fees = 0;
            order.totals.total = 0;
        }
        order.sale = Some(crate::records::WindowSale {
            by: clerk.clone(),
            method,
            tendered: None,
            change: None,
            reason: None,
            comp_value: total_zero.then_some(8_000),
        });
        order
    };
    let staff = Target::Staff {
        staff: "clerk@example.org".into(),
    };

    let cash = window(SaleMethod::Cash, false);
    let total = cash.totals.total;
    let changes = report_changes(
        Some(&cash),
        &paid(&cash, "2027-03-01T18:00:00Z"),
        &new_york(),
        &never,
    );
    let sale = &changes[0];
    assert_eq!(day_figure(sale, day::CASH_AMOUNT), total);
    assert_eq!(day_figure(sale, day::CASH_ORDERS), 1);
    assert_eq!(day_figure(sale, day::CARD_ORDERS), 0, "cash is not card");
    assert_eq!(figure(sale, &staff, staff::CASH_AMOUNT), total);
    assert_eq!(figure(sale, &staff, staff::TICKETS), 2);

    // Half of it refunded: paid back from the drawer.
    let mut refunded = paid(&cash, "2027-03-01T18:00:00Z");
    let before = refunded.clone();
    refunded.refunds.push(RefundRecord {
        id: "none-x-v1".into(),
        amount: total / 2,
        tickets: vec![refunded.tickets[0].id.clone()],
        reason: "Could not stay".into(),
        at: "2027-03-01T20:00:00Z".into(),
    });
    let changes = report_changes(Some(&before), &refunded, &new_york(), &never);
    assert_eq!(day_figure(&changes[0], day::CASH_REFUNDED), total / 2);

    let comp = window(SaleMethod::Comp, true);
    let changes = report_changes(
        Some(&comp),
        &paid(&comp, "2027-03-01T18:05:00Z"),
        &new_york(),
        &never,
    );
    let given = &changes[0];
    assert_eq!(day_figure(given, day::COMP_ORDERS), 1);
    assert_eq!(day_figure(given, day::COMP_TICKETS), 2);
    assert_eq!(day_figure(given, day::COMP_VALUE), 8_000);
    assert_eq!(
        day_figure(given, day::FREE_ORDERS),
        0,
        "a comp is counted as a comp"
    );
    assert_eq!(figure(given, &staff, staff::COMP_TICKETS), 2);

    // An online sale has no staff figures.
    let online = pending(vec![ticket(&performance, "adult", 4_000)]);
    let changes = report_changes(
        Some(&online),
        &paid(&online, "2027-03-01T18:10:00Z"),
        &new_york(),
        &never,
    );
    assert!(
        changes[0]
            .increments
            .iter()
            .all(|i| !matches!(i.target, Target::Staff { .. }))
    );
    assert_eq!(day_figure(&changes[0], day::CARD_ORDERS), 1);
}

/// One ticket's item at successive writes (the same ids each time within a thread).
fn issued(status: TicketStatus, admissions: u32) -> crate::records::IssuedTicketRecord {
    thread_local! {
        static IDS: (TicketId, OrderId, OrderNumber, PerformanceId) = (
            TicketId::generate(),
            OrderId::generate(),
            OrderNumber::generate(),
            PerformanceId::generate(),
        );
    }
    let (ticket_id, order_id, order_number, performance_id) = IDS.with(Clone::clone);
    crate::records::IssuedTicketRecord {
        ticket_id,
        order_id,
        order_number,
        performance_id,
        status,
        price: 2500,
        fees: 150,
        place: Place::default(),
        price_type: PriceType::parse("adult").unwrap(),
        inside: admissions > 0,
        admissions,
        admitted_at: None,
    }
}

/// Applies changes as the store does: each key once.
fn apply(
    figures: &mut std::collections::HashMap<&'static str, i64>,
    counted: &mut std::collections::HashSet<String>,
    changes: &[ReportChange],
) {
    for change in changes {
        if !counted.insert(change.key.clone()) {
            continue;
        }
        for increment in &change.increments {
            for (name, amount) in &increment.add {
                *figures.entry(name).or_default() += amount;
            }
        }
    }
}

#[test]
fn attendance_counts_a_ticket_sold_admitted_and_refunded_once_each_however_often_delivered() {
    let zone = new_york();
    let pending = issued(TicketStatus::Pending, 0);
    let valid = issued(TicketStatus::Valid, 0);
    let inside = issued(TicketStatus::Valid, 1);
    let back_in = issued(TicketStatus::Valid, 2);
    let mut out = issued(TicketStatus::Valid, 1);
    out.inside = false;
    let refunded = issued(TicketStatus::Refunded, 1);

    let sold = ticket_changes(None, Some(&valid), &zone);
    assert_eq!(sold.len(), 1);
    assert_eq!(sold[0].key, format!("ticket-sold:{}", valid.ticket_id));
    let issued: chrono::DateTime<chrono::Utc> =
        ulid::Ulid::from_string(&valid.ticket_id.as_str().to_uppercase())
            .unwrap()
            .datetime()
            .into();
    assert_eq!(
        sold[0].date,
        issued.with_timezone(&zone.tz()).date_naive(),
        "the venue-local day the ticket was issued, whenever its records come"
    );
    assert_eq!(
        sold[0].increments[0].target,
        Target::Attendance {
            performance: valid.performance_id.to_string()
        }
    );
    // A pending ticket becoming valid is a sale too.
    assert_eq!(
        ticket_changes(Some(&pending), Some(&valid), &zone)[0].key,
        sold[0].key
    );

    let mut figures = std::collections::HashMap::new();
    let mut counted = std::collections::HashSet::new();
    let writes = [
        (None, &valid),
        (Some(&valid), &inside),
        (Some(&inside), &out),
        (Some(&out), &back_in),
    ];
    // Every record delivered twice (a retried batch).
    for _ in 0..2 {
        for (old, new) in writes {
            apply(
                &mut figures,
                &mut counted,
                &ticket_changes(old, Some(new), &zone),
            );
        }
    }
    assert_eq!(figures[attendance::SOLD], 1);
    assert_eq!(
        figures[attendance::ADMITTED],
        1,
        "re-entry is not a second admission"
    );

    for _ in 0..2 {
        apply(
            &mut figures,
            &mut counted,
            &ticket_changes(Some(&back_in), Some(&refunded), &zone),
        );
    }
    assert_eq!(figures[attendance::SOLD], 0);
    assert_eq!(figures[attendance::ADMITTED], 0);
    // Writes that change neither status nor first admission count nothing.
    assert!(ticket_changes(Some(&refunded), Some(&refunded), &zone).is_empty());
    assert!(ticket_changes(Some(&valid), None, &zone).is_empty());
}

#[test]
fn a_refund_before_the_door_takes_only_the_sale_back() {
    let valid = issued(TicketStatus::Valid, 0);
    let refunded = issued(TicketStatus::Refunded, 0);
    let changes = ticket_changes(Some(&valid), Some(&refunded), &new_york());
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].increments[0].add, vec![(attendance::SOLD, -1)]);
}

#[test]
fn the_admitted_share_is_a_percentage_to_one_decimal() {
    assert_eq!(admitted_percent(0, 0), None);
    assert_eq!(admitted_percent(3, 2), Some(66.7));
    assert_eq!(admitted_percent(8, 8), Some(100.0));
    assert_eq!(
        admitted_percent(4, 9),
        Some(100.0),
        "never above every ticket"
    );
}

#[test]
fn a_reservation_counts_nothing_until_it_is_paid_then_counts_as_paid() {
    let performance = PerformanceId::generate();
    let mut reserved = pending(vec![ticket(&performance, "adult", 4_000)]);
    reserved.sale = Some(crate::records::WindowSale {
        by: crate::Email::parse("clerk@example.org").unwrap(),
        method: SaleMethod::Reserve,
        tendered: None,
        change: None,
        reason: None,
        comp_value: None,
    });
    reserved.pay_later = Some(crate::records::PayLater {
        kind: crate::records::PayLaterKind::Reservation,
        until: 1_800_000_000_000,
    });
    // Written, then cancelled at its deadline: never sold, nothing counted.
    assert!(report_changes(None, &reserved, &new_york(), &never).is_empty());
    let expired = OrderRecord {
        status: OrderStatus::Cancelled,
        ..reserved.clone()
    };
    assert!(report_changes(Some(&reserved), &expired, &new_york(), &never).is_empty());
    // Paid in cash at the window: one cash sale.
    let mut cash = paid(&reserved, "2027-03-01T18:00:00Z");
    if let Some(sale) = cash.sale.as_mut() {
        sale.method = SaleMethod::Cash;
    }
    let changes = report_changes(Some(&reserved), &cash, &new_york(), &never);
    assert_eq!(day_figure(&changes[0], day::ORDERS), 1);
    assert_eq!(day_figure(&changes[0], day::CASH_ORDERS), 1);
}
