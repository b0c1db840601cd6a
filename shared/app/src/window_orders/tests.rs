//! Reservations (reserve now, pay at the box office before a deadline) and cancelling a
//! window card sale that waits for its payment.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::checkout::{CheckoutError, CheckoutRequest, WindowPayment, WindowSaleRequest};
use crate::holds::CartContents;
use crate::testkit::{Venue, clerk, request, seats, start, venue, window_cart};
use chrono::Duration;
use marquee_domain::records::{CartStatus, SeatState};
use marquee_domain::{Delivery, Email};

fn reserve(contents: &CartContents, until: chrono::DateTime<chrono::Utc>) -> CheckoutRequest {
    CheckoutRequest {
        email: None,
        name: "Ada Lovelace".into(),
        delivery: Delivery::WillCall,
        window: Some(WindowSaleRequest {
            by: clerk(),
            payment: WindowPayment::Reserve {
                until: until.timestamp_millis(),
            },
            phone: Some("+44 (0)20 7946-0018".into()),
            exchange: None,
        }),
        ..request(contents, "adult")
    }
}

fn seat_state(v: &Venue, seat: &str) -> Option<SeatState> {
    let seat = marquee_domain::SeatId::parse(seat).unwrap();
    v.world
        .store
        .seat(&v.tenant, &v.performance, &seat)
        .filter(|s| s.state != SeatState::Held || s.expires_at.is_none_or(|at| at > now(v)))
        .map(|s| s.state)
}

fn now(v: &Venue) -> i64 {
    crate::ports::Clock::now(v.world.clock.as_ref()).timestamp_millis()
}

/// Two seats reserved for a day.
async fn reserved(v: &Venue) -> OrderRecord {
    let (access, contents) = window_cart(v, 2).await;
    let done = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            reserve(&contents, start() + Duration::hours(24)),
        )
        .await
        .unwrap();
    done.order
}

#[tokio::test]
async fn a_reservation_keeps_the_seats_unpaid_until_its_deadline() {
    let v = venue();
    let order = reserved(&v).await;
    assert_eq!(order.status, OrderStatus::Pending, "not sold until paid");
    assert_eq!(order.sale.as_ref().unwrap().method, SaleMethod::Reserve);
    let pay_later = order.pay_later.clone().unwrap();
    assert_eq!(pay_later.kind, PayLaterKind::Reservation);
    assert_eq!(
        pay_later.until,
        (start() + Duration::hours(24)).timestamp_millis()
    );
    assert!(v.world.payments.intents().is_empty(), "nothing charged yet");
    assert_eq!(order.phone.as_deref(), Some("+44 (0)20 7946-0018"));
    // Past the payment window and the staff hold, the seats are still the reservation's.
    v.world.clock.advance(Duration::hours(23));
    v.world.holds().sweep().await.unwrap();
    for seat in seats(&v, 2) {
        assert_eq!(seat_state(&v, &seat), Some(SeatState::Held));
    }
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &order.id)
            .unwrap()
            .status,
        OrderStatus::Pending
    );
}

#[tokio::test]
async fn a_deadline_must_be_ahead_before_the_show_and_within_the_venues_maximum() {
    let v = venue();
    let (access, contents) = window_cart(&v, 1).await;
    let checkout = v.world.checkout();
    let refused = |until| {
        let checkout = checkout.clone();
        let access = access.clone();
        let request = reserve(&contents, until);
        let tenant = v.tenant.clone();
        async move {
            match checkout.checkout(&tenant, &access, request).await {
                Err(CheckoutError::Invalid(invalid)) => invalid,
                other => panic!("{other:?}"),
            }
        }
    };
    let past = refused(start() - Duration::minutes(1)).await;
    assert_eq!(past.field, "until");
    assert!(past.message.contains("future"), "{}", past.message);
    // The performance starts in 7 days; the default maximum is 72 hours.
    let after_show = refused(start() + Duration::days(8)).await;
    assert!(
        after_show.message.contains("start"),
        "{}",
        after_show.message
    );
    let too_long = refused(start() + Duration::hours(73)).await;
    assert!(
        too_long.message.contains("72 hours"),
        "{}",
        too_long.message
    );

    let mut anonymous = reserve(&contents, start() + Duration::hours(1));
    anonymous.window.as_mut().unwrap().phone = None;
    let err = checkout
        .checkout(&v.tenant, &access, anonymous)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CheckoutError::Invalid(i) if i.field == "patron"),
        "{err:?}"
    );
    let mut bad_phone = reserve(&contents, start() + Duration::hours(1));
    bad_phone.window.as_mut().unwrap().phone = Some("call me".into());
    let err = checkout
        .checkout(&v.tenant, &access, bad_phone)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CheckoutError::Invalid(i) if i.field == "phone"),
        "{err:?}"
    );
    // Nothing was written: the cart is still open and can be reserved within the rules.
    checkout
        .checkout(
            &v.tenant,
            &access,
            reserve(&contents, start() + Duration::hours(72)),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reservation_paid_in_cash_is_sold_with_change_once() {
    let v = venue();
    let order = reserved(&v).await;
    let orders = v.world.window_orders();
    let short = orders
        .pay_reservation(
            &v.tenant,
            &order.id,
            &clerk(),
            ReservationPayment::Cash { tendered: 9_999 },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&short, WindowOrderError::Invalid(i) if i.field == "tendered"),
        "{short:?}"
    );
    let paid = orders
        .pay_reservation(
            &v.tenant,
            &order.id,
            &clerk(),
            ReservationPayment::Cash { tendered: 12_000 },
        )
        .await
        .unwrap();
    assert_eq!(paid.order.status, OrderStatus::Paid);
    let stored = v.world.store.stored_order(&v.tenant, &order.id).unwrap();
    assert_eq!(stored.status, OrderStatus::Paid);
    let sale = stored.sale.unwrap();
    assert_eq!(
        (sale.method, sale.tendered, sale.change),
        (SaleMethod::Cash, Some(12_000), Some(2_000))
    );
    for seat in seats(&v, 2) {
        assert_eq!(seat_state(&v, &seat), Some(SeatState::Sold));
    }
    let again = orders
        .pay_reservation(
            &v.tenant,
            &order.id,
            &clerk(),
            ReservationPayment::Cash { tendered: 12_000 },
        )
        .await
        .unwrap_err();
    assert!(matches!(again, WindowOrderError::AlreadyPaid), "{again:?}");
    // The sweep at the old deadline changes nothing of a paid reservation.
    v.world.clock.advance(Duration::hours(25));
    v.world.holds().sweep().await.unwrap();
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &order.id)
            .unwrap()
            .status,
        OrderStatus::Paid
    );
}

#[tokio::test]
async fn the_sweep_releases_an_unpaid_reservation_at_its_deadline_once() {
    let v = venue();
    let order = reserved(&v).await;
    let orders = v.world.window_orders();
    v.world.clock.advance(Duration::hours(24));
    // Past the deadline, before any sweep: too late to pay.
    let late = orders
        .pay_reservation(
            &v.tenant,
            &order.id,
            &clerk(),
            ReservationPayment::Cash { tendered: 10_000 },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(late, WindowOrderError::ReservationExpired),
        "{late:?}"
    );
    let first = v.world.holds().sweep().await.unwrap();
    assert_eq!(first.released, 2);
    assert_eq!(first.orders_expired, 1);
    let stored = v.world.store.stored_order(&v.tenant, &order.id).unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    assert_eq!(stored.problem.as_deref(), Some(PAY_LATER_EXPIRED));
    for seat in seats(&v, 2) {
        assert_eq!(seat_state(&v, &seat), None, "free again");
    }
    let second = v.world.holds().sweep().await.unwrap();
    assert_eq!(
        (second.released, second.orders_expired),
        (0, 0),
        "a second sweep changes nothing"
    );
    let unchanged = v.world.store.stored_order(&v.tenant, &order.id).unwrap();
    assert_eq!(
        (unchanged.status, unchanged.version),
        (stored.status, stored.version)
    );
    let after = orders
        .pay_reservation(&v.tenant, &order.id, &clerk(), ReservationPayment::Card)
        .await
        .unwrap_err();
    assert!(
        matches!(after, WindowOrderError::ReservationExpired),
        "{after:?}"
    );
}

#[tokio::test]
async fn a_sweep_that_fails_half_way_is_finished_by_the_next() {
    let v = venue();
    let order = reserved(&v).await;
    v.world
        .clock
        .advance(Duration::hours(24) + Duration::seconds(1));
    // The seats are released, then the order's cancellation fails.
    v.world.store.faults.fail("expire_pay_later_order", 1);
    assert!(v.world.holds().sweep().await.is_err());
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &order.id)
            .unwrap()
            .status,
        OrderStatus::Pending
    );
    let again = v.world.holds().sweep().await.unwrap();
    assert_eq!(again.orders_expired, 1);
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &order.id)
            .unwrap()
            .status,
        OrderStatus::Cancelled
    );
    assert_eq!(v.world.holds().sweep().await.unwrap().orders_expired, 0);
}

#[tokio::test]
async fn a_reservation_paid_by_card_is_sold_when_the_payment_succeeds() {
    let v = venue();
    let order = reserved(&v).await;
    let paid = v
        .world
        .window_orders()
        .pay_reservation(&v.tenant, &order.id, &clerk(), ReservationPayment::Card)
        .await
        .unwrap();
    assert_eq!(paid.order.status, OrderStatus::Pending);
    let intent = paid.payment.unwrap();
    let fake = v
        .world
        .payments
        .intents()
        .into_iter()
        .find(|i| i.id == intent.id)
        .unwrap();
    assert_eq!(fake.account.as_deref(), Some(crate::testkit::ACCOUNT));
    assert_eq!(fake.amount, 10_000);
    let outcome = v
        .world
        .sales()
        .complete_payment(
            &v.tenant,
            &order.id,
            &crate::sales::PaymentReceived {
                payment_intent: &intent.id,
                amount: 10_000,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert!(matches!(outcome, crate::sales::PaymentOutcome::Sold));
    let stored = v.world.store.stored_order(&v.tenant, &order.id).unwrap();
    assert_eq!(stored.status, OrderStatus::Paid);
    assert_eq!(stored.sale.unwrap().method, SaleMethod::Card);
}

#[tokio::test]
async fn a_reservation_cancelled_early_frees_its_seats_at_once() {
    let v = venue();
    let order = reserved(&v).await;
    let orders = v.world.window_orders();
    orders
        .cancel_reservation(&v.tenant, &order.id)
        .await
        .unwrap();
    let stored = v.world.store.stored_order(&v.tenant, &order.id).unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    for seat in seats(&v, 2) {
        assert_eq!(seat_state(&v, &seat), None);
    }
    let pay = orders
        .pay_reservation(
            &v.tenant,
            &order.id,
            &clerk(),
            ReservationPayment::Cash { tendered: 10_000 },
        )
        .await
        .unwrap_err();
    assert!(matches!(pay, WindowOrderError::Cancelled), "{pay:?}");
}

#[tokio::test]
async fn a_waiting_card_sale_is_cancelled_and_its_seats_go_back_to_the_cart() {
    let v = venue();
    let (access, contents) = window_cart(&v, 2).await;
    let mut sell = reserve(&contents, start() + Duration::hours(1));
    sell.window.as_mut().unwrap().payment = WindowPayment::Card;
    let done = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, sell)
        .await
        .unwrap();
    let intent = done.payment.unwrap().id;
    let orders = v.world.window_orders();
    orders
        .cancel_card_sale(&v.tenant, &done.order.id)
        .await
        .unwrap();
    assert!(
        v.world
            .payments
            .intents()
            .iter()
            .any(|i| i.id == intent && i.cancelled),
        "the PaymentIntent is cancelled"
    );
    let stored = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    let cart = v.world.holds().contents(&v.tenant, &access).await.unwrap();
    assert_eq!(cart.cart.status, CartStatus::Open, "back to the clerk");
    assert_eq!(cart.holds.len(), 2);
    // Not a waiting card sale any more.
    let again = orders
        .cancel_card_sale(&v.tenant, &done.order.id)
        .await
        .unwrap_err();
    assert!(
        matches!(again, WindowOrderError::NotWaitingCardSale),
        "{again:?}"
    );
    // A reservation is not a card sale either.
    let other = venue();
    let reservation = reserved(&other).await;
    let err = other
        .world
        .window_orders()
        .cancel_card_sale(&other.tenant, &reservation.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, WindowOrderError::NotWaitingCardSale),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_reservation_shorter_than_the_staff_hold_is_swept_at_its_own_deadline() {
    let v = venue();
    let (access, contents) = window_cart(&v, 1).await;
    let done = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            reserve(&contents, start() + Duration::minutes(5)),
        )
        .await
        .unwrap();
    v.world.clock.advance(Duration::minutes(6));
    let swept = v.world.holds().sweep().await.unwrap();
    assert_eq!((swept.released, swept.orders_expired), (1, 1));
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &done.order.id)
            .unwrap()
            .status,
        OrderStatus::Cancelled
    );
}

fn payment_link(contents: &CartContents, email: Option<&str>) -> CheckoutRequest {
    CheckoutRequest {
        email: email.map(|e| Email::parse(e).unwrap()),
        name: "Ada Lovelace".into(),
        delivery: Delivery::Email,
        window: Some(WindowSaleRequest {
            by: clerk(),
            payment: WindowPayment::PaymentLink,
            phone: None,
            exchange: None,
        }),
        ..request(contents, "adult")
    }
}

#[tokio::test]
async fn a_payment_link_keeps_the_seats_for_the_venues_hours_and_sells_when_the_patron_pays() {
    let v = venue();
    let (access, contents) = window_cart(&v, 2).await;
    let checkout = v.world.checkout();
    let no_email = checkout
        .checkout(&v.tenant, &access, payment_link(&contents, None))
        .await
        .unwrap_err();
    assert!(
        matches!(&no_email, CheckoutError::Invalid(e) if e.field == "email"),
        "{no_email:?}"
    );
    let done = checkout
        .checkout(
            &v.tenant,
            &access,
            payment_link(&contents, Some("ada@example.org")),
        )
        .await
        .unwrap();
    assert_eq!(done.order.status, OrderStatus::Pending);
    let link = done.order.pay_later.clone().unwrap();
    assert_eq!(link.kind, PayLaterKind::PaymentLink);
    assert_eq!(
        link.until,
        (start() + Duration::hours(24)).timestamp_millis(),
        "the venue's paymentLinkHours (24 by default)"
    );
    let intent = done
        .payment
        .as_ref()
        .expect("a card payment to take")
        .id
        .clone();
    let account = crate::ports::PaymentAccount::of(done.order.stripe_account.as_deref());
    assert!(
        crate::ports::Payments::payable_secret(v.world.payments.as_ref(), account, &intent)
            .await
            .unwrap()
            .is_some(),
        "the link's page can show the card form"
    );

    // Past the payment window and the staff hold the seats are still the order's; the
    // patron pays on the second day and the seats are sold.
    v.world.clock.advance(Duration::hours(20));
    v.world.holds().sweep().await.unwrap();
    for seat in seats(&v, 2) {
        assert_eq!(seat_state(&v, &seat), Some(SeatState::Held));
    }
    let total = done.order.totals.total;
    let outcome = v
        .world
        .sales()
        .complete_payment(
            &v.tenant,
            &done.order.id,
            &crate::sales::PaymentReceived {
                payment_intent: &intent,
                amount: total,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome, crate::sales::PaymentOutcome::Sold),
        "{outcome:?}"
    );
    for seat in seats(&v, 2) {
        assert_eq!(seat_state(&v, &seat), Some(SeatState::Sold));
    }
}

#[tokio::test]
async fn an_unpaid_payment_link_is_cancelled_at_its_deadline_and_the_seats_are_free() {
    let v = venue();
    let (access, contents) = window_cart(&v, 1).await;
    let done = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            payment_link(&contents, Some("ada@example.org")),
        )
        .await
        .unwrap();
    v.world.clock.advance(Duration::hours(24));
    v.world.holds().sweep().await.unwrap();
    let order = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(seat_state(&v, &seats(&v, 1)[0]), None, "free again");

    // The patron pays a minute late: the money goes back, nothing is sold.
    let intent = done.payment.unwrap().id;
    let late = v
        .world
        .sales()
        .complete_payment(
            &v.tenant,
            &done.order.id,
            &crate::sales::PaymentReceived {
                payment_intent: &intent,
                amount: done.order.totals.total,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(late, crate::sales::PaymentOutcome::Refunded { .. }),
        "{late:?}"
    );
    assert_eq!(v.world.store.sold_seats(), 0);
}

#[tokio::test]
async fn the_clerk_cancels_a_payment_link_before_the_patron_pays() {
    let v = venue();
    let (access, contents) = window_cart(&v, 1).await;
    let done = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            payment_link(&contents, Some("ada@example.org")),
        )
        .await
        .unwrap();
    let cancelled = v
        .world
        .window_orders()
        .cancel_card_sale(&v.tenant, &done.order.id)
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    let intent = done.payment.unwrap().id;
    assert!(
        v.world
            .payments
            .intents()
            .iter()
            .any(|i| i.id == intent && i.cancelled),
        "the link can no longer be paid"
    );
}
