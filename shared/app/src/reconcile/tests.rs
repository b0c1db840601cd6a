#![allow(clippy::unwrap_used)]

use super::*;
use crate::checkout::CheckedOut;
use crate::holds::Holds;
use crate::testkit::{ACCOUNT, Venue, cart, checked_out, pay, seats, venue, wanted_seats};
use chrono::Duration;
use std::collections::HashSet;

const LOOKBACK_DAYS: i64 = 3;

/// The patron pays at the provider; the webhook never comes.
fn paid_at_provider(v: &Venue, done: &CheckedOut) {
    let intent = &done.payment.as_ref().unwrap().id;
    v.world.payments.pay(intent, v.world.clock.now());
}

async fn reconcile(v: &Venue) -> ReconcileReport {
    v.world
        .reconciliation()
        .reconcile(
            PaymentAccount::Connected(ACCOUNT),
            Duration::days(LOOKBACK_DAYS),
        )
        .await
        .unwrap()
}

fn status(v: &Venue, done: &CheckedOut) -> OrderStatus {
    v.world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap()
        .status
}

/// Mail jobs by id (the mailer sends each id once).
fn mail_ids(v: &Venue) -> HashSet<String> {
    v.world
        .queues
        .mail_jobs()
        .into_iter()
        .map(|j| j.id)
        .collect()
}

/// Another patron holds the first `n` seats after `done`'s payment window ran out.
async fn seats_taken_after_the_window(v: &Venue, n: usize) -> Arc<Holds> {
    v.world.clock.advance(Duration::seconds(601));
    let holds = v.world.holds();
    let other = cart(v, &holds).await;
    holds
        .hold(
            &v.tenant,
            &other,
            v.performance.as_str(),
            &wanted_seats(&seats(v, n)),
        )
        .await
        .unwrap();
    holds
}

#[tokio::test]
async fn a_payment_whose_webhook_never_arrived_is_fulfilled_and_its_tickets_sent() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    paid_at_provider(&v, &done);
    assert_eq!(status(&v, &done), OrderStatus::Pending);

    let report = reconcile(&v).await;
    assert_eq!(
        report,
        ReconcileReport {
            checked: 1,
            fixed: 1,
            ..ReconcileReport::default()
        }
    );
    assert_eq!(status(&v, &done), OrderStatus::Paid);
    assert_eq!(v.world.store.sold_seats(), 2);
    assert_eq!(mail_ids(&v).len(), 1, "the confirmation is queued");
}

#[tokio::test]
async fn a_fulfilled_order_is_left_alone() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    paid_at_provider(&v, &done);
    pay(&v, &done).await.unwrap(); // the webhook came
    let before = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    let jobs = v.world.queues.mail_jobs().len();

    let report = reconcile(&v).await;
    assert_eq!(
        report,
        ReconcileReport {
            checked: 1,
            already_fine: 1,
            ..ReconcileReport::default()
        }
    );
    let after = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(after.version, before.version, "not written");
    assert_eq!(v.world.queues.mail_jobs().len(), jobs, "nothing queued");
    assert!(v.world.payments.refunds().is_empty());
}

#[tokio::test]
async fn a_payment_whose_seats_were_taken_is_refunded_whole() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    paid_at_provider(&v, &done);
    seats_taken_after_the_window(&v, 1).await;

    let report = reconcile(&v).await;
    assert_eq!(
        report,
        ReconcileReport {
            checked: 1,
            refunded: 1,
            ..ReconcileReport::default()
        }
    );
    assert_eq!(status(&v, &done), OrderStatus::Refunded);
    let refunds = v.world.payments.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, done.order.totals.total);
    assert_eq!(
        v.world.store.sold_seats(),
        0,
        "the other patron's hold stands"
    );
    assert_eq!(mail_ids(&v).len(), 1, "the patron is told");
}

#[tokio::test]
async fn running_twice_changes_nothing() {
    let v = venue();
    let (_, sold) = checked_out(&v, 1).await;
    paid_at_provider(&v, &sold);
    let (_, lost) = checked_out_other_seat(&v).await;
    paid_at_provider(&v, &lost);
    // The second order's seat is taken once its window ran out.
    seats_taken_after_the_window_of(&v, &lost).await;

    let first = reconcile(&v).await;
    assert_eq!((first.fixed, first.refunded), (1, 1), "{first:?}");
    let orders: Vec<_> = [&sold, &lost]
        .iter()
        .map(|d| v.world.store.stored_order(&v.tenant, &d.order.id).unwrap())
        .collect();
    let jobs = v.world.queues.mail_jobs().len();

    let second = reconcile(&v).await;
    assert_eq!(
        second,
        ReconcileReport {
            checked: 2,
            already_fine: 2,
            ..ReconcileReport::default()
        }
    );
    for (done, before) in [&sold, &lost].iter().zip(&orders) {
        let after = v
            .world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap();
        assert_eq!(after.version, before.version);
        assert_eq!(after.status, before.status);
    }
    assert_eq!(v.world.payments.refunds().len(), 1, "refunded once");
    assert_eq!(
        v.world.queues.mail_jobs().len(),
        jobs,
        "nothing queued again"
    );
    assert_eq!(v.world.store.sold_seats(), 1);
}

/// A second order for the second seat.
async fn checked_out_other_seat(v: &Venue) -> (crate::holds::CartAccess, CheckedOut) {
    let second = seats(v, 2)[1].clone();
    crate::testkit::checked_out_seats(v, &[second]).await
}

/// Another patron takes `done`'s seats after its payment window ran out.
async fn seats_taken_after_the_window_of(v: &Venue, done: &CheckedOut) {
    v.world.clock.advance(Duration::seconds(601));
    let holds = v.world.holds();
    let other = cart(v, &holds).await;
    let ids: Vec<String> = done
        .order
        .tickets
        .iter()
        .filter_map(|t| t.spot.seat().map(ToString::to_string))
        .collect();
    holds
        .hold(
            &v.tenant,
            &other,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reconciliation_racing_the_webhook_sells_once_and_queues_one_confirmation() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    paid_at_provider(&v, &done);
    let (report, webhook) = tokio::join!(reconcile(&v), pay(&v, &done));
    let webhook = webhook.unwrap();
    assert_eq!(report.checked, 1);
    assert_eq!(report.fixed + report.already_fine, 1, "{report:?}");
    assert!(
        matches!(webhook, PaymentOutcome::Sold | PaymentOutcome::AlreadyDone),
        "{webhook:?}"
    );
    assert_eq!(status(&v, &done), OrderStatus::Paid);
    assert_eq!(v.world.store.sold_seats(), 2);
    assert_eq!(mail_ids(&v).len(), 1);
    assert!(v.world.payments.refunds().is_empty());
}

#[tokio::test]
async fn a_failure_is_counted_and_the_next_run_completes_it() {
    let v = venue();
    let (_, done) = checked_out(&v, 2).await;
    paid_at_provider(&v, &done);
    v.world.store.faults.fail("sell_order", 1);
    let first = reconcile(&v).await;
    assert_eq!((first.checked, first.failed), (1, 1), "{first:?}");
    assert_eq!(status(&v, &done), OrderStatus::Pending);
    let second = reconcile(&v).await;
    assert_eq!((second.fixed, second.failed), (1, 0), "{second:?}");
    assert_eq!(status(&v, &done), OrderStatus::Paid);
}

#[tokio::test]
async fn payments_older_than_the_lookback_and_unknown_orders_are_not_touched() {
    let v = venue();
    let (_, old) = checked_out(&v, 1).await;
    paid_at_provider(&v, &old);
    v.world
        .clock
        .advance(Duration::days(LOOKBACK_DAYS) + Duration::hours(1));
    let report = reconcile(&v).await;
    assert_eq!(report, ReconcileReport::default());
    assert_eq!(status(&v, &old), OrderStatus::Pending);

    // The provider fails to list: the run fails and says so.
    v.world.payments.faults.fail("succeeded_payments", 1);
    assert!(
        v.world
            .reconciliation()
            .reconcile(
                PaymentAccount::Connected(ACCOUNT),
                Duration::days(LOOKBACK_DAYS)
            )
            .await
            .is_err()
    );
}
