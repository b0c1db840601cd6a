//! Exchanges over the in-memory ports: the new places held first, the old tickets voided in
//! the sale's transaction, the difference taken in cash or by card, or paid back.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::ports::Catalog;
use crate::testkit::{Venue, checked_out, pay, seats, venue, wanted_seats};
use marquee_domain::SeatId;
use marquee_domain::pricing::{PriceRow, PriceTable};
use marquee_domain::records::{PerformanceRecord, SaleMethod, SeatState};
use marquee_domain::{EventId, ZoneId};

fn clerk() -> Email {
    Email::parse("clerk@example.com").unwrap()
}

/// Another performance of the venue's event (or of another event), adult stalls at `adult`.
async fn another_performance(v: &Venue, adult: i64, event: Option<EventId>) -> PerformanceId {
    let mut record: PerformanceRecord = v
        .world
        .store
        .performance(&v.tenant, &v.performance)
        .await
        .unwrap()
        .unwrap();
    record.id = PerformanceId::generate();
    if let Some(event) = event {
        record.event_id = event;
    }
    let zones = [
        ZoneId::parse("stalls").unwrap(),
        ZoneId::parse("standing").unwrap(),
    ];
    let row = |zone: &str, amount| PriceRow {
        zone: zone.into(),
        price_type: "adult".into(),
        amount,
        hidden: false,
    };
    record.prices =
        PriceTable::parse(vec![row("stalls", adult), row("standing", 2000)], &zones).unwrap();
    let id = record.id.clone();
    v.world.store.put_performance(&v.tenant, record);
    id
}

/// A web order of two stalls seats at $50.00, paid by card.
async fn paid_order(v: &Venue) -> OrderRecord {
    let (_, done) = checked_out(v, 2).await;
    pay(v, &done).await.unwrap();
    v.world
        .store
        .order(&v.tenant, &done.order.id)
        .await
        .unwrap()
        .unwrap()
}

fn request(order: &OrderRecord, performance: &PerformanceId, seats: &[String]) -> ExchangeRequest {
    ExchangeRequest {
        by: clerk(),
        order: order.id.clone(),
        tickets: order.tickets.iter().map(|t| t.id.clone()).collect(),
        performance: performance.to_string(),
        wanted: wanted_seats(seats),
        price_types: Vec::new(),
        fee: 0,
        payment: None,
        quote_only: false,
    }
}

fn seat_state(v: &Venue, performance: &PerformanceId, seat: &str) -> Option<SeatState> {
    v.world
        .store
        .seat(&v.tenant, performance, &SeatId::parse(seat).unwrap())
        .map(|s| s.state)
}

async fn reload(v: &Venue, order: &OrderRecord) -> OrderRecord {
    v.world
        .store
        .order(&v.tenant, &order.id)
        .await
        .unwrap()
        .unwrap()
}

fn done(outcome: ExchangeOutcome) -> Exchanged {
    match outcome {
        ExchangeOutcome::Done(done) => *done,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn dearer_seats_cost_the_difference_and_the_fee_in_cash_and_the_old_tickets_stop_at_once() {
    let v = venue();
    let order = paid_order(&v).await;
    let later = another_performance(&v, 7000, None).await;
    let new_seats = seats(&v, 2);
    let mut ask = request(&order, &later, &new_seats);
    ask.fee = 500;

    // Without a payment: refused, naming what is due, and nothing changes.
    let err = v
        .world
        .exchanges()
        .exchange(&v.tenant, ask.clone())
        .await
        .unwrap_err();
    let ExchangeError::Checkout(CheckoutError::Invalid(invalid)) = err else {
        panic!("{err:?}");
    };
    assert_eq!(invalid.field, "payment");
    assert!(invalid.message.contains("45.00"), "{}", invalid.message);
    assert_eq!(reload(&v, &order).await.version, order.version);
    assert_eq!(
        seat_state(&v, &later, &new_seats[0]),
        None,
        "the new seats went back"
    );

    ask.payment = Some(TopUp::Cash { tendered: 5_000 });
    let exchanged = done(v.world.exchanges().exchange(&v.tenant, ask).await.unwrap());
    assert_eq!(
        exchanged.figures,
        ExchangeFigures {
            new_total: 14_000,
            credit: 10_000,
            fee: 500,
            due: 4_500,
            surplus: 0
        }
    );
    assert_eq!(exchanged.change_due, Some(500));
    let new = reload(&v, &exchanged.order).await;
    assert_eq!(new.status, OrderStatus::Paid);
    assert_eq!(
        new.totals.total, 4_500,
        "the order's own payment: the difference and the fee"
    );
    assert_eq!(new.sale.as_ref().unwrap().method, SaleMethod::Cash);
    let of = new.exchange.as_ref().unwrap();
    assert_eq!(
        (of.order.clone(), of.credit, of.fee),
        (order.id.clone(), 10_000, 500)
    );
    assert!(
        new.tickets
            .iter()
            .all(|t| t.status == TicketStatus::Valid && t.performance_id == later)
    );

    let old = reload(&v, &order).await;
    assert_eq!(old.status, OrderStatus::Refunded, "every ticket exchanged");
    assert!(
        old.tickets
            .iter()
            .all(|t| t.status == TicketStatus::Refunded)
    );
    assert_eq!(
        old.refunded, 0,
        "no money back: it paid for the new tickets"
    );
    assert_eq!(
        old.refunds[0].reason,
        format!("Exchanged for order {}", new.number)
    );
    for seat in seats(&v, 2) {
        assert_eq!(
            seat_state(&v, &v.performance, &seat),
            None,
            "the old seat is on sale again"
        );
        assert_eq!(seat_state(&v, &later, &seat), Some(SeatState::Sold));
    }
    assert!(v.world.payments.refunds().is_empty());
}

#[tokio::test]
async fn cheaper_seats_pay_the_surplus_back_on_the_old_card_once() {
    let v = venue();
    let order = paid_order(&v).await;
    let cheaper = another_performance(&v, 3000, None).await;
    let exchanged = done(
        v.world
            .exchanges()
            .exchange(&v.tenant, request(&order, &cheaper, &seats(&v, 2)))
            .await
            .unwrap(),
    );
    assert_eq!(exchanged.figures.due, 0);
    assert_eq!(exchanged.figures.surplus, 4_000);
    assert_eq!(exchanged.surplus_back, Some(SurplusBack::Card));
    let new = reload(&v, &exchanged.order).await;
    assert_eq!(new.status, OrderStatus::Paid);
    assert_eq!(new.totals.total, 0);
    assert_eq!(new.sale.as_ref().unwrap().method, SaleMethod::Exchange);
    let refunds = v.world.payments.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, 4_000);
    assert_eq!(
        Some(&refunds[0].payment_intent),
        order.payment_intent.as_ref()
    );
    assert!(
        !refunds[0]
            .metadata
            .contains_key(crate::sales::REFUND_TICKETS),
        "the provider's event records nothing"
    );
    let old = reload(&v, &order).await;
    assert_eq!(old.refunded, 4_000);
    assert_eq!(old.refunds[0].id, exchange_refund_id(&new.id));
}

#[tokio::test]
async fn an_exchange_to_taken_seats_or_another_event_changes_nothing() {
    let v = venue();
    let order = paid_order(&v).await;
    // Seats 3 and 4 are the patron's already (the order has 1 and 2): only 3 is free.
    let taken = seats(&v, 3)[1..].to_vec();
    let err = v
        .world
        .exchanges()
        .exchange(&v.tenant, request(&order, &v.performance, &taken))
        .await
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Hold(_)), "{err:?}");
    let other_event = another_performance(&v, 5000, Some(EventId::generate())).await;
    let err = v
        .world
        .exchanges()
        .exchange(&v.tenant, request(&order, &other_event, &seats(&v, 2)))
        .await
        .unwrap_err();
    let ExchangeError::Invalid(invalid) = err else {
        panic!("{err:?}");
    };
    assert_eq!(invalid.field, "performanceId");
    let after = reload(&v, &order).await;
    assert_eq!(after.version, order.version);
    assert!(
        after
            .tickets
            .iter()
            .all(|t| t.status == TicketStatus::Valid)
    );
    assert_eq!(
        seat_state(&v, &v.performance, &seats(&v, 3)[2]),
        None,
        "the hold went back"
    );
}

#[tokio::test]
async fn a_card_top_up_swaps_the_tickets_when_it_is_paid_and_not_before() {
    let v = venue();
    let order = paid_order(&v).await;
    let later = another_performance(&v, 6000, None).await;
    let mut ask = request(&order, &later, &seats(&v, 2));
    ask.payment = Some(TopUp::Card);
    let exchanged = done(v.world.exchanges().exchange(&v.tenant, ask).await.unwrap());
    assert_eq!(exchanged.order.status, OrderStatus::Pending);
    assert_eq!(exchanged.order.totals.total, 2_000);
    let old = reload(&v, &order).await;
    assert!(
        old.tickets.iter().all(|t| t.status == TicketStatus::Valid),
        "still admits until paid"
    );

    let intent = exchanged.payment.as_ref().unwrap().id.clone();
    let outcome = v
        .world
        .sales()
        .complete_payment(
            &v.tenant,
            &exchanged.order.id,
            &crate::sales::PaymentReceived {
                payment_intent: &intent,
                amount: 2_000,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert_eq!(outcome, crate::sales::PaymentOutcome::Sold);
    let old = reload(&v, &order).await;
    assert!(
        old.tickets
            .iter()
            .all(|t| t.status == TicketStatus::Refunded)
    );
    assert_eq!(reload(&v, &exchanged.order).await.status, OrderStatus::Paid);
}

#[tokio::test]
async fn a_top_up_paid_after_the_old_tickets_were_refunded_is_given_back_and_sells_nothing() {
    let v = venue();
    let order = paid_order(&v).await;
    let later = another_performance(&v, 6000, None).await;
    let mut ask = request(&order, &later, &seats(&v, 2));
    ask.payment = Some(TopUp::Card);
    let exchanged = done(v.world.exchanges().exchange(&v.tenant, ask).await.unwrap());
    // Meanwhile, someone refunds the old tickets.
    v.world
        .sales()
        .refund_tickets(&v.tenant, &order.id, None, "changed their mind")
        .await
        .unwrap();
    let intent = exchanged.payment.as_ref().unwrap().id.clone();
    let outcome = v
        .world
        .sales()
        .complete_payment(
            &v.tenant,
            &exchanged.order.id,
            &crate::sales::PaymentReceived {
                payment_intent: &intent,
                amount: 2_000,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome, crate::sales::PaymentOutcome::Refunded { .. }),
        "{outcome:?}"
    );
    let new = reload(&v, &exchanged.order).await;
    assert_eq!(new.status, OrderStatus::Refunded);
    assert!(new.tickets.iter().all(|t| t.status != TicketStatus::Valid));
    assert_eq!(
        seat_state(&v, &later, &seats(&v, 1)[0]),
        None,
        "nothing sold at the later show"
    );
}

#[tokio::test]
async fn a_quote_holds_nothing_and_changes_nothing() {
    let v = venue();
    let order = paid_order(&v).await;
    let cheaper = another_performance(&v, 3000, None).await;
    let mut ask = request(&order, &cheaper, &seats(&v, 2));
    ask.quote_only = true;
    let ExchangeOutcome::Quote { figures, .. } =
        v.world.exchanges().exchange(&v.tenant, ask).await.unwrap()
    else {
        panic!("a quote");
    };
    assert_eq!((figures.due, figures.surplus), (0, 4_000));
    assert_eq!(seat_state(&v, &cheaper, &seats(&v, 1)[0]), None);
    assert_eq!(reload(&v, &order).await.version, order.version);

    assert_eq!(figures, super::figures(6_000, 10_000, 0));
    assert_eq!(
        super::figures(6_000, 0, 300).due,
        6_300,
        "a comp's tickets are worth nothing"
    );
}

#[tokio::test]
async fn refunding_an_exchanged_order_returns_the_credit_on_the_first_card_too() {
    let v = venue();
    let order = paid_order(&v).await;
    let later = another_performance(&v, 7000, None).await;
    let mut ask = request(&order, &later, &seats(&v, 2));
    ask.payment = Some(TopUp::Cash { tendered: 4_000 });
    let exchanged = done(v.world.exchanges().exchange(&v.tenant, ask).await.unwrap());
    // The show is off: the whole $140 goes back, $40 from the drawer and $100 on the card.
    let refunded = v
        .world
        .sales()
        .refund_tickets(&v.tenant, &exchanged.order.id, None, "cancelled")
        .await
        .unwrap();
    assert_eq!(refunded.refunded, 14_000);
    assert_eq!(refunded.status, OrderStatus::Refunded);
    let refunds = v.world.payments.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].amount, 10_000);
    assert_eq!(
        Some(&refunds[0].payment_intent),
        order.payment_intent.as_ref()
    );
    assert!(
        !refunds[0]
            .metadata
            .contains_key(crate::sales::REFUND_TICKETS)
    );
}
