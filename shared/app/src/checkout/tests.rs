#![allow(clippy::unwrap_used)]

use super::*;
use crate::holds::HoldWanted;
use crate::testkit::{cart, checked_out, held, request, seats, start, venue, wanted_seats};
use marquee_domain::SeatId;
use marquee_domain::records::SeatState;

#[tokio::test]
async fn checkout_prices_from_the_table_keeps_the_seats_for_the_payment_and_opens_it() {
    let v = venue();
    let (access, done) = checked_out(&v, 2).await;
    assert_eq!(
        done.order.totals.total, 10_000,
        "2 × $50.00 from the price table"
    );
    assert_eq!(done.order.status, OrderStatus::Pending);
    let intent = done.payment.as_ref().unwrap();
    assert_eq!(
        done.order.payment_intent.as_deref(),
        Some(intent.id.as_str())
    );
    let intents = v.world.payments.intents();
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0].amount, 10_000);
    let window_end = (start() + Duration::seconds(600)).timestamp_millis();
    assert_eq!(done.hold_until, window_end);
    let cart = v.world.store.stored_cart(&v.tenant, &access.id).unwrap();
    assert_eq!(cart.status, CartStatus::Checkout);
    assert_eq!(cart.order_id.as_ref(), Some(&done.order.id));
    let seat = SeatId::parse(&seats(&v, 1)[0]).unwrap();
    let state = v
        .world
        .store
        .seat(&v.tenant, &v.performance, &seat)
        .unwrap();
    assert_eq!(
        state.expires_at,
        Some(window_end),
        "the seat lasts the payment window"
    );
    let stored = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(
        stored.token_hash,
        crate::tokens::sha256_hex(&done.order_token)
    );
    assert!(stored.tickets.iter().all(|t| t.place.seat_label.is_some()));
}

#[tokio::test]
async fn every_live_hold_needs_exactly_one_price_type() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let performance = v.performance.as_str();
    holds
        .hold(
            &v.tenant,
            &access,
            performance,
            &wanted_seats(&seats(&v, 2)),
        )
        .await
        .unwrap();
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    let checkout = v.world.checkout();
    let mut one_missing = request(&contents, "adult");
    one_missing.tickets.pop();
    let err = checkout
        .checkout(&v.tenant, &access, one_missing)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::MissingTickets(ref h) if h.len() == 1),
        "{err:?}"
    );
    let mut unknown = request(&contents, "adult");
    unknown
        .tickets
        .push(("01hzzzzzzzzzzzzzzzzzzzzzzz".into(), "adult".into()));
    let err = checkout
        .checkout(&v.tenant, &access, unknown)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::UnknownHolds(_)), "{err:?}");
    let mut twice = request(&contents, "adult");
    twice.tickets.push(twice.tickets[0].clone());
    let err = checkout
        .checkout(&v.tenant, &access, twice)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::Invalid(ref i) if i.field == "tickets"));
    let mut none = request(&contents, "adult");
    none.tickets.clear();
    let err = checkout
        .checkout(&v.tenant, &access, none)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::Invalid(_)));
    let err = checkout
        .checkout(&v.tenant, &access, request(&contents, "student"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CheckoutError::InvalidPriceType { available, .. } if available.contains(&"adult".to_owned())),
        "{err:?}"
    );
    assert!(v.world.payments.intents().is_empty(), "nothing was charged");
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Open
    );
}

#[tokio::test]
async fn an_expired_hold_is_named_and_nothing_is_checked_out() {
    let v = venue();
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    v.world.clock.advance(Duration::seconds(601));
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::HoldsExpired(ref h) if h.len() == 1),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_free_order_completes_at_once_without_the_payment_provider() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 2);
    holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap();
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    let done = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "comp"))
        .await
        .unwrap();
    assert!(done.payment.is_none());
    assert_eq!(done.order.status, OrderStatus::Paid);
    assert!(v.world.payments.intents().is_empty());
    let stored = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(stored.status, OrderStatus::Paid);
    let seat = SeatId::parse(&ids[0]).unwrap();
    assert_eq!(
        v.world
            .store
            .seat(&v.tenant, &v.performance, &seat)
            .unwrap()
            .state,
        SeatState::Sold
    );
    let mail = v.world.queues.mail_jobs();
    assert_eq!(mail.len(), 1, "the tickets go out");
    assert_eq!(mail[0].id, format!("order-{}-confirmation", done.order.id));
}

#[tokio::test]
async fn when_the_provider_fails_the_cart_opens_again_and_a_retry_goes_through() {
    let v = venue();
    let (holds, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    let checkout = v.world.checkout();
    v.world.payments.faults.fail("create_payment_intent", 1);
    let err = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Payment(PaymentError::Unavailable(_))),
        "{err:?}"
    );
    let cart = v.world.store.stored_cart(&v.tenant, &access.id).unwrap();
    assert_eq!(cart.status, CartStatus::Open, "the patron can try again");
    let first_order = cart.order_id.unwrap();
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &first_order)
            .unwrap()
            .status,
        OrderStatus::Cancelled
    );
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    let done = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert!(done.payment.is_some());
    assert_ne!(done.order.id, first_order);
}

#[tokio::test]
async fn checking_out_again_cancels_the_previous_order_and_its_payment() {
    let v = venue();
    let (access, first) = checked_out(&v, 1).await;
    // The card is declined: the cart opens again.
    let sales = v.world.sales();
    assert!(
        sales
            .payment_failed(&v.tenant, &first.order.id, "Your card was declined.")
            .await
            .unwrap()
    );
    let holds = v.world.holds();
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    let second = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert_eq!(
        v.world
            .store
            .stored_order(&v.tenant, &first.order.id)
            .unwrap()
            .status,
        OrderStatus::Cancelled
    );
    let intents = v.world.payments.intents();
    let old = intents
        .iter()
        .find(|i| Some(i.id.as_str()) == first.order.payment_intent.as_deref())
        .unwrap();
    assert!(old.cancelled, "the old PaymentIntent is cancelled");
    assert_ne!(
        second.payment.unwrap().id,
        old.id,
        "a new cart version, a new intent"
    );
}

#[tokio::test]
async fn a_performance_taken_off_sale_after_the_hold_cannot_be_checked_out() {
    let v = venue();
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    v.world
        .store
        .set_performance_status(&v.tenant, &v.performance, PerformanceStatus::Paused);
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::NotOnSale(ref p) if p == &v.performance),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_store_failure_at_checkout_charges_nothing_and_a_wrong_token_finds_no_cart() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ga = HoldWanted::GeneralAdmission {
        area: "pit".into(),
        quantity: 2,
    };
    holds
        .hold(&v.tenant, &access, v.performance.as_str(), &ga)
        .await
        .unwrap();
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    v.world.store.faults.fail("checkout", 1);
    let checkout = v.world.checkout();
    let err = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::Store(_)), "{err:?}");
    assert!(v.world.payments.intents().is_empty());
    let stranger = crate::holds::CartAccess::new(access.id.clone(), "guess");
    let err = checkout
        .checkout(&v.tenant, &stranger, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::CartNotFound));
    let done = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert_eq!(done.order.totals.total, 4_000, "2 standing places × $20.00");
    assert!(
        done.order
            .tickets
            .iter()
            .all(|t| t.place.area_name.as_deref() == Some("Standing pit"))
    );
}

#[tokio::test]
async fn when_the_order_cannot_be_tied_to_its_payment_the_intent_is_cancelled_and_the_cart_reopens()
{
    let v = venue();
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    v.world.store.faults.fail("set_payment_intent", 1);
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::Store(_)), "{err:?}");
    let intents = v.world.payments.intents();
    assert_eq!(intents.len(), 1);
    assert!(
        intents[0].cancelled,
        "nobody can pay a checkout we could not record"
    );
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Open,
        "the patron can try again"
    );
}

#[tokio::test]
async fn an_order_total_above_what_one_card_payment_can_be_is_refused_before_the_provider() {
    let v = venue();
    // The most a price may be, on every seat: 5 × 999,999.99 is above one card payment.
    let mut performance = v
        .world
        .store
        .stored_performance(&v.tenant, &v.performance)
        .unwrap();
    let zones = [marquee_domain::ZoneId::parse("stalls").unwrap()];
    performance.prices = marquee_domain::PriceTable::parse(
        vec![marquee_domain::PriceRow {
            zone: "stalls".into(),
            price_type: "adult".into(),
            amount: marquee_domain::pricing::MAX_AMOUNT,
            hidden: false,
        }],
        &zones,
    )
    .unwrap();
    v.world.store.put_performance(&v.tenant, performance);
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 2))).await;
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Invalid(ref i) if i.field == "tickets"),
        "{err:?}"
    );
    assert!(
        v.world.payments.intents().is_empty(),
        "nothing was sent to the provider"
    );
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Open,
        "nothing was written"
    );
}
