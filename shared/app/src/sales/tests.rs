#![allow(clippy::unwrap_used)]

use super::*;
use crate::checkout::CheckedOut;
use crate::testkit::{ACCOUNT, Venue, cart, checked_out, pay, seats, venue, wanted_seats};
use chrono::Duration as Minutes;
use futures::FutureExt;
use marquee_domain::records::{CartStatus, SeatState};
use std::panic::AssertUnwindSafe;

fn received(done: &CheckedOut) -> (String, i64) {
    (
        done.payment.as_ref().unwrap().id.clone(),
        done.order.totals.total,
    )
}

fn seat(v: &Venue, n: usize) -> SeatId {
    SeatId::parse(&seats(v, n + 1)[n]).unwrap()
}

#[tokio::test]
async fn a_payment_sells_the_seats_issues_the_tickets_and_sends_them_once() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    assert_eq!(pay(&v, &done).await.unwrap(), PaymentOutcome::Sold);
    let order = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert!(
        order
            .tickets
            .iter()
            .all(|t| t.status == TicketStatus::Valid)
    );
    assert_eq!(
        v.world
            .store
            .seat(&v.tenant, &v.performance, &seat(&v, 0))
            .unwrap()
            .state,
        SeatState::Sold
    );
    // Stripe delivers the event again: nothing more is sold, the mail job is the same one.
    assert_eq!(pay(&v, &done).await.unwrap(), PaymentOutcome::AlreadyDone);
    let mail = v.world.queues.mail_jobs();
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[0].id, mail[1].id, "the mailer sends a job id once");
    assert_eq!(v.world.store.sold_seats(), 2);
    assert!(v.world.payments.refunds().is_empty());
}

#[tokio::test]
async fn the_store_fails_on_the_sale_the_provider_redelivers_and_the_order_is_paid_once() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    v.world.store.faults.fail("sell_order", 1);
    assert!(matches!(pay(&v, &done).await, Err(SaleError::Store(_))));
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap()
            .status,
        OrderStatus::Pending,
        "nothing was half done"
    );
    assert_eq!(pay(&v, &done).await.unwrap(), PaymentOutcome::Sold);
    assert_eq!(pay(&v, &done).await.unwrap(), PaymentOutcome::AlreadyDone);
    assert_eq!(v.world.store.sold_seats(), 2);
    assert!(v.world.payments.refunds().is_empty());
}

#[tokio::test]
async fn the_mail_queue_fails_after_the_sale_and_the_redelivery_sends_the_tickets() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    v.world.queues.faults.fail("enqueue", 1);
    assert!(pay(&v, &done).await.is_err(), "the provider will retry");
    assert!(v.world.queues.mail_jobs().is_empty());
    assert_eq!(pay(&v, &done).await.unwrap(), PaymentOutcome::AlreadyDone);
    assert_eq!(
        v.world.queues.mail_jobs().len(),
        1,
        "the confirmation goes out after all"
    );
}

#[tokio::test]
async fn a_payment_for_seats_taken_meanwhile_goes_back_whole_with_the_reason() {
    let v = venue();
    let (access, done) = checked_out(&v, 1).await;
    // The payment window ends and someone else takes the seat before the payment arrives.
    v.world.clock.advance(Minutes::seconds(601));
    let holds = v.world.holds();
    let other = cart(&v, &holds).await;
    holds
        .hold(
            &v.tenant,
            &other,
            v.performance.as_str(),
            &wanted_seats(&seats(&v, 1)),
        )
        .await
        .unwrap();
    let outcome = pay(&v, &done).await.unwrap();
    assert!(
        matches!(outcome, PaymentOutcome::Refunded { .. }),
        "{outcome:?}"
    );
    let refunds = v.world.payments.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, done.order.totals.total);
    let order = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    assert_eq!(order.refunded, done.order.totals.total);
    assert!(order.problem.unwrap().contains("taken by someone else"));
    let held_by = v
        .world
        .store
        .seat(&v.tenant, &v.performance, &seat(&v, 0))
        .unwrap();
    assert_eq!(
        held_by.cart.as_ref(),
        Some(&other.id),
        "the other patron keeps it"
    );
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Expired
    );
    let mail = v.world.queues.mail_jobs();
    assert!(
        mail.last().unwrap().id.contains("-refund-"),
        "the patron is told"
    );
    // A redelivery changes nothing and refunds nothing more.
    assert_eq!(pay(&v, &done).await.unwrap(), PaymentOutcome::AlreadyDone);
    assert_eq!(v.world.payments.refunds().len(), 1);
}

#[tokio::test]
async fn a_crash_after_the_refund_of_a_lost_sale_never_refunds_twice() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    v.world.clock.advance(Minutes::seconds(601));
    let holds = v.world.holds();
    let other = cart(&v, &holds).await;
    holds
        .hold(
            &v.tenant,
            &other,
            v.performance.as_str(),
            &wanted_seats(&seats(&v, 1)),
        )
        .await
        .unwrap();
    v.world.store.faults.fail("record_unfulfilled_refund", 1);
    assert!(pay(&v, &done).await.is_err());
    assert_eq!(v.world.payments.refunds().len(), 1, "the money went back");
    let outcome = pay(&v, &done).await.unwrap();
    assert!(matches!(outcome, PaymentOutcome::Refunded { .. }));
    assert_eq!(
        v.world.payments.refunds().len(),
        1,
        "same key: not refunded twice"
    );
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap()
            .status,
        OrderStatus::Refunded
    );
}

#[tokio::test]
async fn a_wrong_amount_a_replaced_checkout_and_a_stray_intent_are_all_refunded() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    let (intent, amount) = received(&done);
    let sales = v.world.sales();
    let short = sales
        .complete_payment(
            &v.tenant,
            &done.order.id,
            &PaymentReceived {
                payment_intent: &intent,
                amount: amount - 1,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert!(matches!(short, PaymentOutcome::Refunded { .. }));
    assert_eq!(
        v.world.store.sold_seats(),
        0,
        "nothing sold for a wrong amount"
    );

    let (_, second) = checked_out(&v, 1).await;
    let stray = sales
        .complete_payment(
            &v.tenant,
            &second.order.id,
            &PaymentReceived {
                payment_intent: "pi_from_another_tab",
                amount: second.order.totals.total,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert!(matches!(stray, PaymentOutcome::Refunded { .. }));
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &second.order.id)
            .unwrap()
            .status,
        OrderStatus::Pending,
        "the order itself is untouched"
    );
    assert_eq!(v.world.payments.refunds().len(), 2);
    let unknown = sales
        .complete_payment(
            &v.tenant,
            &OrderId::generate(),
            &PaymentReceived {
                payment_intent: "pi_x",
                amount: 1,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert_eq!(unknown, PaymentOutcome::Ignored);
}

#[tokio::test]
async fn a_payment_for_a_cancelled_performance_goes_back_naming_the_show() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    v.world
        .store
        .set_performance_status(&v.tenant, &v.performance, PerformanceStatus::Cancelled);
    let outcome = pay(&v, &done).await.unwrap();
    assert!(
        matches!(&outcome, PaymentOutcome::Refunded { reason } if reason.contains("La Traviata")),
        "{outcome:?}"
    );
    assert_eq!(v.world.store.sold_seats(), 0);
}

#[tokio::test]
async fn a_declined_card_reopens_the_cart_and_a_late_decline_changes_nothing() {
    let v = venue();
    let (access, done) = checked_out(&v, 1).await;
    let sales = v.world.sales();
    assert!(
        sales
            .payment_failed(&v.tenant, &done.order.id, "Declined")
            .await
            .unwrap()
    );
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Open
    );
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap()
            .problem
            .as_deref(),
        Some("Declined")
    );
    let (_, paid) = crate::testkit::checked_out_seats(&v, &seats(&v, 3)[1..]).await;
    pay(&v, &paid).await.unwrap();
    assert!(
        !sales
            .payment_failed(&v.tenant, &paid.order.id, "late")
            .await
            .unwrap()
    );
    assert!(
        !sales
            .payment_failed(&v.tenant, &OrderId::generate(), "?")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn refunds_share_the_total_put_seats_back_and_a_retry_never_refunds_twice() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    pay(&v, &done).await.unwrap();
    let sales = v.world.sales();
    let first = done.order.tickets[0].id.clone();
    // The store fails after the provider refunded: the retry uses the same key.
    v.world.store.faults.fail("refund_tickets", 1);
    let err = sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&first)),
            "Changed plans",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SaleError::Store(_)));
    let order = sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&first)),
            "Changed plans",
        )
        .await
        .unwrap();
    assert_eq!(
        v.world.payments.refunds().len(),
        1,
        "one refund at the provider"
    );
    assert_eq!(order.status, OrderStatus::PartiallyRefunded);
    assert_eq!(order.refunded, 5_000);
    assert_eq!(
        v.world.store.sold_seats(),
        1,
        "the refunded seat is on sale again"
    );
    // Refunding it again is refused; the rest refunds what is left.
    let again = sales
        .refund_tickets(&v.tenant, &done.order.id, Some(&[first]), "again")
        .await
        .unwrap_err();
    assert!(matches!(again, SaleError::UnknownTickets(_)));
    let order = sales
        .refund_tickets(&v.tenant, &done.order.id, None, "The rest")
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    assert_eq!(order.refunded, 10_000);
    let done_already = sales
        .refund_tickets(&v.tenant, &done.order.id, None, "nothing left")
        .await
        .unwrap_err();
    assert!(matches!(done_already, SaleError::NotRefundable(_)));
    let missing = sales
        .refund_tickets(&v.tenant, &OrderId::generate(), None, "?")
        .await
        .unwrap_err();
    assert!(matches!(missing, SaleError::OrderNotFound));
}

/// The provider's report of a refund, as the webhook passes it on, from what the fake
/// provider was asked (its metadata).
async fn deliver_refund_event(
    v: &Venue,
    order: &OrderId,
    refund: &crate::fakes::FakeRefund,
    event_id: &str,
) -> EventOutcome {
    let tickets: Vec<TicketId> = refund.metadata[REFUND_TICKETS]
        .split(',')
        .map(|t| TicketId::parse(t).unwrap())
        .collect();
    v.world
        .payment_webhook()
        .handle(
            &v.tenant,
            order,
            event_id,
            "refund.created",
            Some(ACCOUNT),
            PaymentEvent::Refunded(RefundIssued {
                refund_id: &refund.id,
                amount: refund.amount,
                order_version: refund.metadata[REFUND_ORDER_VERSION].parse().unwrap(),
                tickets: &tickets,
                reason: &refund.metadata[REFUND_REASON],
            }),
        )
        .await
        .unwrap()
}

fn refund_notices(v: &Venue) -> usize {
    v.world
        .queues
        .mail_jobs()
        .into_iter()
        .filter(|j| j.id.contains("refund"))
        .map(|j| j.id)
        .collect::<std::collections::HashSet<_>>()
        .len()
}

#[tokio::test]
async fn a_refund_paid_out_by_a_process_that_crashed_is_written_by_the_providers_event() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    pay(&v, &done).await.unwrap();
    let sales = v.world.sales();
    let first = done.order.tickets[0].id.clone();
    // The process stops right after the provider paid the refund out; nobody retries.
    v.world.store.faults.fail("refund_tickets", 1);
    sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&first)),
            "Changed plans",
        )
        .await
        .unwrap_err();
    let refunds = v.world.payments.refunds();
    assert_eq!(refunds.len(), 1);
    let stored = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(stored.refunded, 0, "not written down yet");

    // The provider's event writes it: the ticket voided, its seat on sale, the patron told.
    let outcome = deliver_refund_event(&v, &done.order.id, &refunds[0], "evt_refund").await;
    assert_eq!(outcome, EventOutcome::Handled("refund_recorded"));
    let order = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(order.status, OrderStatus::PartiallyRefunded);
    assert_eq!(order.refunded, refunds[0].amount);
    assert_eq!(order.refunds.len(), 1);
    assert_eq!(order.refunds[0].reason, "Changed plans");
    assert_eq!(
        v.world.store.sold_seats(),
        1,
        "the refunded seat is on sale again"
    );
    assert_eq!(refund_notices(&v), 1);

    // Redelivered: recognised. The staff member's retry finds the ticket already refunded.
    let again = deliver_refund_event(&v, &done.order.id, &refunds[0], "evt_refund").await;
    assert_eq!(again, EventOutcome::Duplicate);
    let other_delivery =
        deliver_refund_event(&v, &done.order.id, &refunds[0], "evt_refund_2").await;
    assert_eq!(
        other_delivery,
        EventOutcome::Handled("refund_already_recorded")
    );
    let retry = sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&first)),
            "Changed plans",
        )
        .await
        .unwrap_err();
    assert!(matches!(retry, SaleError::UnknownTickets(_)));
    assert_eq!(v.world.payments.refunds().len(), 1, "paid out once");
    assert_eq!(refund_notices(&v), 1, "told once");
}

#[tokio::test]
async fn the_event_of_a_refund_already_written_changes_nothing() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    pay(&v, &done).await.unwrap();
    let sales = v.world.sales();
    let order = sales
        .refund_tickets(&v.tenant, &done.order.id, None, "Cancelled plans")
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    let refunds = v.world.payments.refunds();
    let outcome = deliver_refund_event(&v, &done.order.id, &refunds[0], "evt_late").await;
    assert_eq!(outcome, EventOutcome::Handled("refund_already_recorded"));
    let after = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(after.refunded, order.refunded);
    assert_eq!(after.version, order.version);
    assert_eq!(refund_notices(&v), 1);
}

#[tokio::test]
async fn another_refund_waits_until_a_refund_paid_out_is_written_down() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    pay(&v, &done).await.unwrap();
    let sales = v.world.sales();
    let [first, second] = [
        done.order.tickets[0].id.clone(),
        done.order.tickets[1].id.clone(),
    ];
    v.world.store.faults.fail("refund_tickets", 1);
    sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&first)),
            "one",
        )
        .await
        .unwrap_err();
    // A refund of the other ticket now would be decided on the same version of the order: the
    // provider refuses the reused key, so nothing is paid out that could not be written down.
    let refused = sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&second)),
            "two",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, SaleError::Payment(PaymentError::Refused { .. })),
        "{refused:?}"
    );
    assert_eq!(v.world.payments.refunds().len(), 1);
    // Once the first refund's event has written it, the second goes through.
    let paid_out = v.world.payments.refunds().remove(0);
    let outcome = deliver_refund_event(&v, &done.order.id, &paid_out, "evt_first").await;
    assert_eq!(outcome, EventOutcome::Handled("refund_recorded"));
    let order = sales
        .refund_tickets(
            &v.tenant,
            &done.order.id,
            Some(std::slice::from_ref(&second)),
            "two",
        )
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    assert_eq!(order.refunded, done.order.totals.total);
    assert_eq!(v.world.payments.refunds().len(), 2);
    // A stale event (the order moved on since) never writes a second time.
    let stale = RefundIssued {
        refund_id: "re_unknown",
        amount: 1,
        order_version: paid_out.metadata[REFUND_ORDER_VERSION].parse().unwrap(),
        tickets: std::slice::from_ref(&first),
        reason: "one",
    };
    let outcome = sales
        .refund_issued(&v.tenant, &done.order.id, &stale)
        .await
        .unwrap();
    assert_eq!(outcome, "refund_unmatched");
    let after = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(after.refunds.len(), 2, "nothing guessed");
}

#[tokio::test]
async fn an_unpaid_order_cannot_be_refunded_and_a_provider_outage_is_reported() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    let sales = v.world.sales();
    let pending = sales
        .refund_tickets(&v.tenant, &done.order.id, None, "?")
        .await
        .unwrap_err();
    assert!(matches!(pending, SaleError::NotRefundable(_)));
    pay(&v, &done).await.unwrap();
    v.world.payments.faults.fail("refund", 1);
    let down = sales
        .refund_tickets(&v.tenant, &done.order.id, None, "?")
        .await
        .unwrap_err();
    assert!(matches!(
        down,
        SaleError::Payment(PaymentError::Unavailable(_))
    ));
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap()
            .status,
        OrderStatus::Paid,
        "no ticket voided without the money going back"
    );
}

#[tokio::test]
async fn cancelling_a_performance_refunds_every_order_once() {
    let v = venue();
    let (_, a) = checked_out(&v, 2).await;
    pay(&v, &a).await.unwrap();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &crate::holds::HoldWanted::GeneralAdmission {
                area: "pit".into(),
                quantity: 3,
            },
        )
        .await
        .unwrap();
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    let b = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            crate::testkit::request(&contents, "adult"),
        )
        .await
        .unwrap();
    pay(&v, &b).await.unwrap();
    let sales = v.world.sales();
    let budget = std::time::Duration::from_secs(20);
    let progress = sales
        .refund_performance(&v.tenant, &v.performance, budget)
        .await
        .unwrap();
    assert_eq!(progress.orders, 2);
    assert!(progress.complete(), "{progress:?}");
    assert_eq!(v.world.payments.refunds().len(), 2);
    let pit = marquee_domain::AreaId::parse("pit").unwrap();
    assert_eq!(v.world.store.area(&v.tenant, &v.performance, &pit), (0, 0));
    let again = sales
        .refund_performance(&v.tenant, &v.performance, budget)
        .await
        .unwrap();
    assert_eq!((again.orders, again.refunded, again.failed), (2, 2, 0));
    assert_eq!(
        v.world.payments.refunds().len(),
        2,
        "nobody is refunded twice"
    );
}

#[tokio::test]
async fn a_failed_refund_during_a_cancellation_is_counted_and_done_on_the_next_call() {
    let v = venue();
    let (_, a) = checked_out(&v, 1).await;
    pay(&v, &a).await.unwrap();
    v.world.payments.faults.fail("refund", 1);
    let sales = v.world.sales();
    let budget = std::time::Duration::from_secs(20);
    let first = sales
        .refund_performance(&v.tenant, &v.performance, budget)
        .await
        .unwrap();
    assert_eq!((first.refunded, first.failed), (0, 1));
    assert!(!first.complete());
    let second = sales
        .refund_performance(&v.tenant, &v.performance, budget)
        .await
        .unwrap();
    assert!(second.complete());
}

#[tokio::test]
async fn a_provider_event_is_handled_once_and_a_failed_one_again_on_redelivery() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    let webhook = v.world.payment_webhook();
    let (intent, amount) = received(&done);
    let event = || {
        PaymentEvent::Succeeded(PaymentReceived {
            payment_intent: &intent,
            amount,
            currency: "usd",
        })
    };
    let kind = "payment_intent.succeeded";
    // The sale fails: the event is forgotten, so the provider's retry is handled afresh.
    v.world.store.faults.fail("sell_order", 1);
    assert!(
        webhook
            .handle(
                &v.tenant,
                &done.order.id,
                "evt_1",
                kind,
                Some(ACCOUNT),
                event()
            )
            .await
            .is_err()
    );
    let outcome = webhook
        .handle(
            &v.tenant,
            &done.order.id,
            "evt_1",
            kind,
            Some(ACCOUNT),
            event(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, EventOutcome::Handled("sold"));
    let again = webhook
        .handle(
            &v.tenant,
            &done.order.id,
            "evt_1",
            kind,
            Some(ACCOUNT),
            event(),
        )
        .await
        .unwrap();
    assert_eq!(again, EventOutcome::Duplicate);
    // Another event about the same payment (Stripe sends some twice under new ids): no effect.
    let other = webhook
        .handle(
            &v.tenant,
            &done.order.id,
            "evt_2",
            kind,
            Some(ACCOUNT),
            event(),
        )
        .await
        .unwrap();
    assert_eq!(other, EventOutcome::Handled("already_done"));
    assert_eq!(v.world.store.sold_seats(), 1);
}

#[tokio::test]
async fn a_declined_card_event_reopens_the_cart_once() {
    let v = venue();
    let (access, done) = checked_out(&v, 1).await;
    let webhook = v.world.payment_webhook();
    let failed = || PaymentEvent::Failed {
        problem: "Your card was declined.",
    };
    let kind = "payment_intent.payment_failed";
    let outcome = webhook
        .handle(
            &v.tenant,
            &done.order.id,
            "evt_f",
            kind,
            Some(ACCOUNT),
            failed(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, EventOutcome::Handled("cart_reopened"));
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Open
    );
    let late = webhook
        .handle(
            &v.tenant,
            &done.order.id,
            "evt_g",
            kind,
            Some(ACCOUNT),
            failed(),
        )
        .await
        .unwrap();
    assert_eq!(late, EventOutcome::Handled("ignored"));
}

/// Every port call the payment flow makes, in the store, the provider and the queue.
const STORE_CALLS: [&str; 11] = [
    "seen",
    "order",
    "performance",
    "cart",
    "sell_order",
    "cancel_pending_order",
    "record_unfulfilled_refund",
    "release_cart",
    "release_hold",
    "venue",
    "record",
];

/// Delivers the event until it is handled (a crash answers an error; the provider retries).
async fn deliver_until_handled(v: &Venue, done: &CheckedOut) -> EventOutcome {
    let (intent, amount) = received(done);
    let webhook = v.world.payment_webhook();
    for _ in 0..4 {
        let event = PaymentEvent::Succeeded(PaymentReceived {
            payment_intent: &intent,
            amount,
            currency: "usd",
        });
        // A panic in a delivery is that delivery's failure, as in the worker.
        let delivery = AssertUnwindSafe(webhook.handle(
            &v.tenant,
            &done.order.id,
            "evt_x",
            "payment_intent.succeeded",
            Some(ACCOUNT),
            event,
        ))
        .catch_unwind()
        .await;
        if let Ok(Ok(outcome)) = delivery {
            return outcome;
        }
    }
    panic!("the event was never handled");
}

/// How the process stops in a call: the call fails, or the process dies in it (a panic; a
/// hang cut by the function's timeout ends the same way: nothing after it runs).
#[derive(Debug, Clone, Copy)]
enum Crash {
    Error,
    Panic,
}

/// Schedules the crash at the first call of `operation` of the port `fails`.
fn inject(v: &Venue, fails: &str, operation: &'static str, crash: Crash) {
    let faults = match fails {
        "store" => &v.world.store.faults,
        "queue" => &v.world.queues.faults,
        _ => &v.world.payments.faults,
    };
    match crash {
        Crash::Error => faults.fail(operation, 1),
        Crash::Panic => faults.panic(operation, 1),
    }
}

#[tokio::test]
async fn a_crash_at_any_step_of_a_sale_then_redelivery_sells_once_and_sends_the_tickets() {
    for ((fails, crash_at), crash) in STORE_CALLS
        .iter()
        .map(|op| ("store", *op))
        .chain([("queue", "enqueue")])
        .flat_map(|at| [(at, Crash::Error), (at, Crash::Panic)])
    {
        let crash_at: &'static str = crash_at;
        let v = venue();
        let (_, done) = checked_out(&v, 2).await;
        inject(&v, fails, crash_at, crash);
        let crash_at = format!("{crash_at} ({crash:?})");
        deliver_until_handled(&v, &done).await;
        // Whatever the first delivery did, the redeliveries finished it.
        let order = v
            .world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap();
        assert_eq!(order.status, OrderStatus::Paid, "crash at {crash_at}");
        assert_eq!(v.world.store.sold_seats(), 2, "crash at {crash_at}");
        assert!(v.world.payments.refunds().is_empty(), "crash at {crash_at}");
        let confirmations: std::collections::HashSet<String> = v
            .world
            .queues
            .mail_jobs()
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(
            confirmations.len(),
            1,
            "one confirmation (by job id), crash at {crash_at}"
        );
    }
}

#[tokio::test]
async fn a_crash_at_any_step_of_a_refund_then_redelivery_refunds_once_and_never_sells() {
    for ((fails, crash_at), crash) in STORE_CALLS
        .iter()
        .map(|op| ("store", *op))
        .chain([("queue", "enqueue"), ("provider", "refund")])
        .flat_map(|at| [(at, Crash::Error), (at, Crash::Panic)])
    {
        let crash_at: &'static str = crash_at;
        let v = venue();
        let (_, done) = checked_out(&v, 1).await;
        // The payment window ends and another patron takes the seat before the payment lands.
        v.world.clock.advance(Minutes::seconds(601));
        let holds = v.world.holds();
        let other = cart(&v, &holds).await;
        let ids = seats(&v, 1);
        holds
            .hold(
                &v.tenant,
                &other,
                v.performance.as_str(),
                &wanted_seats(&ids),
            )
            .await
            .unwrap();
        inject(&v, fails, crash_at, crash);
        // Meanwhile the other patron gives the seat back: it is free when the retry comes.
        let first = v.world.payment_webhook();
        let (intent, amount) = received(&done);
        let _ = AssertUnwindSafe(first.handle(
            &v.tenant,
            &done.order.id,
            "evt_x",
            "payment_intent.succeeded",
            Some(ACCOUNT),
            PaymentEvent::Succeeded(PaymentReceived {
                payment_intent: &intent,
                amount,
                currency: "usd",
            }),
        ))
        .catch_unwind()
        .await;
        let crash_at_name = crash_at;
        let crash_at = format!("{crash_at} ({crash:?})");
        let held = holds.contents(&v.tenant, &other).await.unwrap();
        for hold in &held.holds {
            holds
                .release(&v.tenant, &other, hold.hold_id.as_str())
                .await
                .unwrap();
        }
        let outcome = deliver_until_handled(&v, &done).await;
        let order = v
            .world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap();
        let refunds = v.world.payments.refunds();
        let mail: std::collections::HashSet<String> = v
            .world
            .queues
            .mail_jobs()
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(mail.len(), 1, "one mail (by job id), crash at {crash_at}");
        // A crash before the refund was decided leaves nothing behind: the retry may sell the
        // seat that came free. From the decision on, the payment only ever goes back.
        // The calls made once the refund was decided (the order cancelled with the reason).
        let decided = [
            "record_unfulfilled_refund",
            "release_cart",
            "release_hold",
            "venue",
            "enqueue",
            "record",
            "refund",
        ]
        .contains(&crash_at_name);
        match order.status {
            OrderStatus::Paid => {
                assert!(
                    !decided,
                    "sold after the refund was decided, crash at {crash_at}"
                );
                assert_eq!(v.world.store.sold_seats(), 1, "crash at {crash_at}");
                assert!(refunds.is_empty(), "paid and refunded, crash at {crash_at}");
            }
            OrderStatus::Refunded => {
                assert_eq!(v.world.store.sold_seats(), 0, "crash at {crash_at}");
                assert_eq!(refunds.len(), 1, "refunded once, crash at {crash_at}");
                assert_eq!(refunds[0].amount, done.order.totals.total);
                assert!(
                    order.problem.unwrap().contains("taken by someone else"),
                    "the patron is told why, crash at {crash_at}"
                );
            }
            other => panic!("the payment ended {other:?} ({outcome:?}), crash at {crash_at}"),
        }
    }
}
