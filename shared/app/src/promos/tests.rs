#![allow(clippy::unwrap_used)]

use super::*;
use crate::checkout::CheckoutError;
use crate::ports::OrderStore;
use crate::testkit::{Venue, held, request, seats, venue, wanted_seats};
use chrono::Duration;
use marquee_domain::OrderStatus;
use marquee_domain::promo::PromoInput;

fn terms(code: &str) -> PromoInput {
    PromoInput {
        code: code.into(),
        percent_off: Some(25),
        amount_off: None,
        max_uses: None,
        per_patron: None,
        valid_from: None,
        valid_to: None,
        event_ids: Vec::new(),
        performance_ids: Vec::new(),
        price_types: Vec::new(),
        unlocks: Vec::new(),
        version: None,
    }
}

async fn create(v: &Venue, input: PromoInput) -> PromoRecord {
    v.world.promos().create(&v.tenant, &input).await.unwrap()
}

/// A cart holding `n` seats (from the `first`th) with `code` applied.
async fn cart_with_code(
    v: &Venue,
    first: usize,
    n: usize,
    code: &str,
) -> (CartAccess, crate::holds::CartContents) {
    let ids = seats(v, first + n)[first..].to_vec();
    let (_, access, contents) = held(v, &wanted_seats(&ids)).await;
    v.world
        .promos()
        .apply(&v.tenant, &access, code)
        .await
        .unwrap();
    (access, contents)
}

#[tokio::test]
async fn a_code_on_the_cart_takes_its_percentage_off_each_ticket_at_checkout() {
    let v = venue();
    create(&v, terms("spring25")).await;
    let (access, contents) = cart_with_code(&v, 0, 2, "Spring25").await;
    let done = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert_eq!(
        (done.order.totals.subtotal, done.order.totals.discount),
        (10_000, 2_500)
    );
    assert_eq!(done.order.totals.total, 7_500, "2 × $50.00 less 25 %");
    assert_eq!(v.world.payments.intents()[0].amount, 7_500);
    assert!(
        done.order
            .tickets
            .iter()
            .all(|t| (t.price, t.discount) == (3_750, 1_250))
    );
    let promo = v.world.promos().list(&v.tenant).await.unwrap();
    assert_eq!(promo[0].uses, 1, "the checkout counted a use");
}

#[tokio::test]
async fn the_last_use_goes_to_one_checkout_and_the_next_is_told_it_is_used_up() {
    let v = venue();
    let mut input = terms("ONCE");
    input.max_uses = Some(1);
    create(&v, input).await;
    let (first, first_contents) = cart_with_code(&v, 0, 1, "ONCE").await;
    let (second, second_contents) = cart_with_code(&v, 1, 1, "ONCE").await;
    let checkout = v.world.checkout();
    checkout
        .checkout(&v.tenant, &first, request(&first_contents, "adult"))
        .await
        .unwrap();
    let err = checkout
        .checkout(&v.tenant, &second, request(&second_contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Promo(PromoRefusal::Exhausted)),
        "{err:?}"
    );
    // Applying it now is refused up front.
    let (_, third, _) = held(&v, &wanted_seats(&seats(&v, 3)[2..])).await;
    let err = v
        .world
        .promos()
        .apply(&v.tenant, &third, "once")
        .await
        .unwrap_err();
    assert!(matches!(err, PromoError::Refused(PromoRefusal::Exhausted)));
}

#[tokio::test]
async fn a_checkout_cancelled_unpaid_gives_its_use_back() {
    let v = venue();
    let mut input = terms("ONCE");
    input.max_uses = Some(1);
    input.per_patron = Some(1);
    create(&v, input).await;
    let (access, contents) = cart_with_code(&v, 0, 1, "ONCE").await;
    let checkout = v.world.checkout();
    let first = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    // The payment failed; the patron reopens the cart and checks out again: the first order
    // is cancelled and its use comes back, so the second checkout gets it.
    v.world
        .store
        .reopen_cart_after_failed_payment(&v.tenant, &first.order, "declined")
        .await
        .unwrap();
    let second = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert_eq!(second.order.totals.discount, 1_250);
    let stored = v
        .world
        .store
        .stored_order(&v.tenant, &first.order.id)
        .unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    assert_eq!(v.world.promos().list(&v.tenant).await.unwrap()[0].uses, 1);
}

#[tokio::test]
async fn one_email_address_may_use_a_code_as_often_as_it_allows() {
    let v = venue();
    let mut input = terms("MEMBER");
    input.per_patron = Some(1);
    create(&v, input).await;
    let (first, first_contents) = cart_with_code(&v, 0, 1, "MEMBER").await;
    let (second, second_contents) = cart_with_code(&v, 1, 1, "MEMBER").await;
    let checkout = v.world.checkout();
    checkout
        .checkout(&v.tenant, &first, request(&first_contents, "adult"))
        .await
        .unwrap();
    let err = checkout
        .checkout(&v.tenant, &second, request(&second_contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Promo(PromoRefusal::PatronLimit)),
        "{err:?}"
    );
    let mut other = request(&second_contents, "adult");
    other.email = Some(marquee_domain::Email::parse("friend@example.com").unwrap());
    checkout.checkout(&v.tenant, &second, other).await.unwrap();
}

#[tokio::test]
async fn a_code_for_another_event_or_past_its_dates_is_refused_with_its_reason() {
    let v = venue();
    let mut elsewhere = terms("ELSEWHERE");
    elsewhere.event_ids = vec![marquee_domain::EventId::generate().to_string()];
    create(&v, elsewhere).await;
    let mut soon_over = terms("SOONOVER");
    soon_over.valid_to = Some(v.world.clock.now() + Duration::minutes(5));
    create(&v, soon_over).await;
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    let promos = v.world.promos();
    let err = promos
        .apply(&v.tenant, &access, "ELSEWHERE")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        PromoError::Refused(PromoRefusal::NotApplicable)
    ));
    let err = promos
        .apply(&v.tenant, &access, "NOSUCH")
        .await
        .unwrap_err();
    assert!(matches!(err, PromoError::Refused(PromoRefusal::Unknown)));
    promos.apply(&v.tenant, &access, "SOONOVER").await.unwrap();
    // It ran out between the cart and the checkout.
    v.world.clock.advance(Duration::minutes(6));
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Promo(PromoRefusal::Expired(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_code_limited_to_other_price_types_is_refused_at_checkout_and_can_be_removed() {
    let v = venue();
    let mut students = terms("STUDENTS");
    students.price_types = vec!["student".into()];
    create(&v, students).await;
    let (access, contents) = cart_with_code(&v, 0, 1, "STUDENTS").await;
    let checkout = v.world.checkout();
    let err = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Promo(PromoRefusal::NotApplicable)),
        "{err:?}"
    );
    v.world.promos().remove(&v.tenant, &access).await.unwrap();
    let done = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert_eq!(done.order.totals.discount, 0);
}

#[tokio::test]
async fn staff_edit_a_code_keeping_its_uses_and_a_deleted_code_is_refused_and_not_reused() {
    let v = venue();
    create(&v, terms("FLASH")).await;
    let (access, contents) = cart_with_code(&v, 0, 1, "FLASH").await;
    v.world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    let promos = v.world.promos();
    let mut more = terms("flash");
    more.percent_off = Some(50);
    let (before, after) = promos.edit(&v.tenant, "FLASH", &more).await.unwrap();
    assert_eq!(
        (before.percent_off, after.percent_off),
        (Some(25), Some(50))
    );
    assert_eq!(after.uses, 1);
    promos.retire(&v.tenant, "flash").await.unwrap();
    let (_, other, _) = held(&v, &wanted_seats(&seats(&v, 2)[1..])).await;
    let err = promos.apply(&v.tenant, &other, "FLASH").await.unwrap_err();
    assert!(matches!(err, PromoError::Refused(PromoRefusal::Unknown)));
    let err = promos.create(&v.tenant, &terms("FLASH")).await.unwrap_err();
    assert!(matches!(err, PromoError::Taken(_)));
    let err = promos.edit(&v.tenant, "FLASH", &more).await.unwrap_err();
    assert!(matches!(err, PromoError::NotFound));
}

#[tokio::test]
async fn a_change_made_from_a_stale_form_is_refused() {
    let v = venue();
    let created = create(&v, terms("TWICE")).await;
    let promos = v.world.promos();
    let mut first = terms("TWICE");
    first.version = Some(created.version);
    first.percent_off = Some(30);
    promos.edit(&v.tenant, "TWICE", &first).await.unwrap();
    let mut second = terms("TWICE");
    second.version = Some(created.version);
    second.percent_off = Some(40);
    let err = promos.edit(&v.tenant, "TWICE", &second).await.unwrap_err();
    assert!(matches!(err, PromoError::Changed), "{err:?}");
    let stored = &promos.list(&v.tenant).await.unwrap()[0];
    assert_eq!(stored.percent_off, Some(30), "the first change stands");
}

#[tokio::test]
async fn a_promo_checkout_left_unpaid_gives_its_use_back_when_the_payment_window_ends() {
    let v = venue();
    let mut input = terms("LASTONE");
    input.max_uses = Some(1);
    create(&v, input).await;
    let (access, contents) = cart_with_code(&v, 0, 1, "LASTONE").await;
    let done = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    assert_eq!(v.world.promos().list(&v.tenant).await.unwrap()[0].uses, 1);
    // The patron never pays. The sweep runs as the clock passes the holds' and the payment
    // window's ends.
    let holds = v.world.holds();
    for _ in 0..3 {
        v.world.clock.advance(Duration::minutes(11));
        holds.sweep().await.unwrap();
    }
    let order = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(
        order.problem.as_deref(),
        Some(crate::holds::PROMO_CHECKOUT_ABANDONED)
    );
    assert_eq!(
        v.world.promos().list(&v.tenant).await.unwrap()[0].uses,
        0,
        "the use is back"
    );
    // Someone else gets it now.
    let (other, other_contents) = cart_with_code(&v, 1, 1, "LASTONE").await;
    v.world
        .checkout()
        .checkout(&v.tenant, &other, request(&other_contents, "adult"))
        .await
        .unwrap();
}

/// Adds a hidden `friends` price ($20.00) to the stalls of the venue's performance.
fn add_hidden_friends_price(v: &Venue) {
    let mut performance = v
        .world
        .store
        .stored_performance(&v.tenant, &v.performance)
        .unwrap();
    let mut rows: Vec<marquee_domain::PriceRow> = performance
        .prices
        .entries()
        .iter()
        .map(|p| marquee_domain::PriceRow {
            zone: p.zone.to_string(),
            price_type: p.price_type.to_string(),
            amount: p.amount,
            hidden: p.hidden,
        })
        .collect();
    rows.push(marquee_domain::PriceRow {
        zone: "stalls".into(),
        price_type: "friends".into(),
        amount: 2_000,
        hidden: true,
    });
    let zones: Vec<_> = rows
        .iter()
        .map(|r| marquee_domain::ZoneId::parse(&r.zone).unwrap())
        .collect();
    performance.prices = marquee_domain::PriceTable::parse(rows, &zones).unwrap();
    v.world.store.put_performance(&v.tenant, performance);
}

#[tokio::test]
async fn a_hidden_price_is_sold_only_to_a_cart_whose_code_unlocks_it() {
    let v = venue();
    add_hidden_friends_price(&v);
    let mut friends = terms("FRIENDS");
    friends.percent_off = None;
    friends.unlocks = vec!["friends".into()];
    create(&v, friends).await;
    let checkout = v.world.checkout();

    // Without the code, the hidden price is not offered: refused, naming what is.
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    let err = checkout
        .checkout(&v.tenant, &access, request(&contents, "friends"))
        .await
        .unwrap_err();
    let CheckoutError::InvalidPriceType { available, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(!available.contains(&"friends".to_owned()), "{available:?}");
    assert!(available.contains(&"adult".to_owned()), "{available:?}");

    // With it, the friends price is sold at its price, and the use is counted.
    let (access, contents) = cart_with_code(&v, 1, 2, "friends").await;
    let done = checkout
        .checkout(&v.tenant, &access, request(&contents, "friends"))
        .await
        .unwrap();
    assert_eq!(done.order.totals.subtotal, 4_000, "2 × $20.00");
    assert_eq!(done.order.totals.discount, 0);
    assert!(
        done.order
            .tickets
            .iter()
            .all(|t| t.price_type.as_str() == "friends")
    );
    assert_eq!(v.world.promos().list(&v.tenant).await.unwrap()[0].uses, 1);

    // A code that only unlocks, on a cart buying everyone's prices, applies to nothing.
    let (access, contents) = cart_with_code(&v, 3, 1, "friends").await;
    let err = checkout
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Promo(PromoRefusal::NotApplicable)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_code_unlocks_only_within_its_events() {
    let v = venue();
    add_hidden_friends_price(&v);
    let mut elsewhere = terms("ELSEWHERE");
    elsewhere.percent_off = None;
    elsewhere.unlocks = vec!["friends".into()];
    elsewhere.performance_ids = vec![marquee_domain::PerformanceId::generate().to_string()];
    create(&v, elsewhere).await;
    let ids = seats(&v, 1);
    let (_, access, contents) = held(&v, &wanted_seats(&ids)).await;
    // Applying a code for another performance is refused up front.
    let err = v
        .world
        .promos()
        .apply(&v.tenant, &access, "elsewhere")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        PromoError::Refused(PromoRefusal::NotApplicable)
    ));
    let err = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "friends"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::InvalidPriceType { .. }),
        "{err:?}"
    );
}
