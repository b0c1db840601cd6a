//! Box office sales: staff carts (longer holds, a larger limit, reached without the token)
//! and the window's payments — cash with change, comps for a reason, walk-ups without an
//! email address.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::holds::{STAFF_CART_LIMIT, STAFF_HOLD_SECONDS};
use crate::testkit::{Venue, cart, clerk, request, seats, start, venue, wanted_seats, window_cart};
use marquee_domain::SeatId;
use marquee_domain::records::SeatState;

fn at_window(contents: &crate::holds::CartContents, payment: WindowPayment) -> CheckoutRequest {
    CheckoutRequest {
        email: None,
        delivery: Delivery::Print,
        window: Some(WindowSaleRequest {
            by: clerk(),
            payment,
            exchange: None,
            phone: None,
        }),
        ..request(contents, "adult")
    }
}

fn seat_state(v: &Venue, seat: &str) -> SeatState {
    let seat = SeatId::parse(seat).unwrap();
    v.world
        .store
        .seat(&v.tenant, &v.performance, &seat)
        .unwrap()
        .state
}

#[tokio::test]
async fn a_cash_sale_is_paid_at_once_with_the_change_and_who_sold_it() {
    let v = venue();
    let (access, contents) = window_cart(&v, 2).await;
    assert_eq!(
        contents.holds[0].expires_at,
        (start() + chrono::Duration::seconds(i64::from(STAFF_HOLD_SECONDS))).timestamp_millis(),
        "a box office hold lasts longer"
    );
    let done = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            at_window(&contents, WindowPayment::Cash { tendered: 12_000 }),
        )
        .await
        .unwrap();
    assert!(done.payment.is_none(), "no card payment to open");
    assert!(v.world.payments.intents().is_empty());
    assert_eq!(done.order.status, OrderStatus::Paid);
    let total = done.order.totals.total;
    assert_eq!(total, 10_000, "2 × $50.00");
    let sale = done.order.sale.clone().unwrap();
    assert_eq!(
        (sale.method, sale.tendered, sale.change),
        (SaleMethod::Cash, Some(12_000), Some(2_000))
    );
    assert_eq!(sale.by, clerk());
    assert_eq!(done.order.email, "", "a walk-up leaves no address");
    assert_eq!(seat_state(&v, &seats(&v, 1)[0]), SeatState::Sold);
}

#[tokio::test]
async fn cash_short_of_the_total_is_refused_and_changes_nothing() {
    let v = venue();
    let (access, contents) = window_cart(&v, 2).await;
    let err = v
        .world
        .checkout()
        .checkout(
            &v.tenant,
            &access,
            at_window(&contents, WindowPayment::Cash { tendered: 9_999 }),
        )
        .await
        .unwrap_err();
    let CheckoutError::Invalid(invalid) = err else {
        panic!("{err:?}");
    };
    assert_eq!(invalid.field, "tendered");
    assert!(invalid.message.contains("100.00"), "{}", invalid.message);
    let still = v.world.holds().contents(&v.tenant, &access).await.unwrap();
    assert_eq!(still.cart.status, CartStatus::Open);
    assert_eq!(still.holds.len(), 2, "the seats stay held for the clerk");
    assert_eq!(seat_state(&v, &seats(&v, 1)[0]), SeatState::Held);
}

#[tokio::test]
async fn a_comp_costs_nothing_keeps_its_reason_and_its_list_value() {
    let v = venue();
    let (access, contents) = window_cart(&v, 2).await;
    let checkout = v.world.checkout();
    let refused = checkout
        .checkout(
            &v.tenant,
            &access,
            at_window(
                &contents,
                WindowPayment::Comp {
                    reason: "  ".into(),
                },
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, CheckoutError::Invalid(i) if i.field == "reason"),
        "{refused:?}"
    );
    let done = checkout
        .checkout(
            &v.tenant,
            &access,
            at_window(
                &contents,
                WindowPayment::Comp {
                    reason: "Press night".into(),
                },
            ),
        )
        .await
        .unwrap();
    assert_eq!(done.order.status, OrderStatus::Paid);
    assert_eq!(done.order.totals.total, 0);
    assert!(
        done.order
            .tickets
            .iter()
            .all(|t| t.price == 0 && t.fees == 0)
    );
    let sale = done.order.sale.unwrap();
    assert_eq!(sale.method, SaleMethod::Comp);
    assert_eq!(sale.reason.as_deref(), Some("Press night"));
    assert_eq!(sale.comp_value, Some(10_000));
    assert!(v.world.payments.intents().is_empty());
}

#[tokio::test]
async fn a_card_sale_at_the_window_opens_a_payment_like_online() {
    let v = venue();
    let (access, contents) = window_cart(&v, 1).await;
    let mut sell = at_window(&contents, WindowPayment::Card);
    sell.email = Some(Email::parse("caller@example.com").unwrap());
    sell.delivery = Delivery::Email;
    let done = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, sell)
        .await
        .unwrap();
    assert!(done.payment.is_some());
    assert_eq!(done.order.status, OrderStatus::Pending);
    assert_eq!(done.order.sale.unwrap().method, SaleMethod::Card);
}

#[tokio::test]
async fn emailed_tickets_need_an_address_and_print_is_for_the_window_only() {
    let v = venue();
    let (access, contents) = window_cart(&v, 1).await;
    let mut sell = at_window(&contents, WindowPayment::Cash { tendered: 5_000 });
    sell.delivery = Delivery::Email;
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, sell)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CheckoutError::Invalid(i) if i.field == "delivery"),
        "{err:?}"
    );

    let holds = v.world.holds();
    let online = cart(&v, &holds).await;
    holds
        .hold(
            &v.tenant,
            &online,
            v.performance.as_str(),
            &wanted_seats(&seats(&v, 3)[2..]),
        )
        .await
        .unwrap();
    let contents = holds.contents(&v.tenant, &online).await.unwrap();
    let mut print = request(&contents, "adult");
    print.delivery = Delivery::Print;
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &online, print)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CheckoutError::Invalid(i) if i.field == "delivery"),
        "{err:?}"
    );
}

#[tokio::test]
async fn staff_reach_only_box_office_carts_which_hold_more_than_a_patron_may() {
    let v = venue();
    let holds = v.world.holds();
    let patrons = cart(&v, &holds).await;
    assert!(matches!(
        holds.staff_access(&v.tenant, &patrons.id).await,
        Err(crate::holds::HoldError::CartNotFound)
    ));
    // The venue's patrons may hold 6 at once; the window sells a group of 10.
    let created = holds.create_staff_cart(&v.tenant, &clerk()).await.unwrap();
    assert_eq!(created.cart.limit, STAFF_CART_LIMIT);
    let access = holds
        .staff_access(&v.tenant, &created.cart.id)
        .await
        .unwrap();
    let seated = holds
        .hold_for_staff(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&seats(&v, 5)),
        )
        .await
        .unwrap();
    let standing = holds
        .hold_for_staff(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &crate::holds::HoldWanted::GeneralAdmission {
                area: "pit".into(),
                quantity: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!(seated.len() + standing.len(), 10);
}
