//! Mailed tickets at checkout, online and at the window: the address is required and checked
//! per country, the venue's fee is its own line of the totals, and mail closes before the show.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::testkit::{Venue, held, request, seats, venue, wanted_seats};
use marquee_domain::records::MailStatus;
use marquee_domain::{AddressInput, CountryCode, Fulfilment};

const FEE: i64 = 350;

/// The venue posts tickets to the US and Canada for $3.50, closing `cutoff_days` before.
fn mailing_venue(cutoff_days: u32) -> Venue {
    let v = venue();
    v.world.store.change_venue(&v.tenant, |venue| {
        venue.settings.mail = marquee_domain::MailSettings {
            enabled: true,
            fee: FEE,
            cutoff_days,
            countries: vec![
                CountryCode::parse("US").unwrap(),
                CountryCode::parse("CA").unwrap(),
            ],
            fulfilment: Fulfilment::Provider,
            return_address: None,
        };
    });
    v
}

fn address(postal_code: &str) -> AddressInput {
    AddressInput {
        name: Some("Ada Lovelace".into()),
        line1: Some("1 Infinite Loop".into()),
        line2: None,
        city: Some("Cupertino".into()),
        region: Some("CA".into()),
        postal_code: Some(postal_code.into()),
        country: Some("US".into()),
    }
}

/// Checks out the `seat`-th seat (one per attempt: a refused attempt keeps its hold).
async fn check_out_by_mail(
    v: &Venue,
    seat: usize,
    address: Option<AddressInput>,
    window: Option<WindowSaleRequest>,
) -> Result<CheckedOut, CheckoutError> {
    let (_, access, contents) = held(v, &wanted_seats(&seats(v, 5)[seat..=seat])).await;
    let mut request = request(&contents, "adult");
    request.delivery = Delivery::Mail;
    request.address = address;
    request.window = window;
    v.world
        .checkout()
        .checkout(&v.tenant, &access, request)
        .await
}

fn field(e: CheckoutError) -> &'static str {
    match e {
        CheckoutError::Invalid(invalid) => invalid.field,
        other => panic!("not an invalid field: {other:?}"),
    }
}

#[tokio::test]
async fn a_mailed_order_needs_an_address_that_passes_its_country_rules() {
    let v = mailing_venue(3);
    let none = check_out_by_mail(&v, 0, None, None).await.unwrap_err();
    assert_eq!(field(none), "address");
    let bad = check_out_by_mail(&v, 1, Some(address("9501")), None)
        .await
        .unwrap_err();
    assert_eq!(field(bad), "address.postalCode");
    let mut abroad = address("SW1A 2AA");
    abroad.country = Some("GB".into());
    let refused = check_out_by_mail(&v, 2, Some(abroad), None)
        .await
        .unwrap_err();
    assert_eq!(
        field(refused),
        "address.country",
        "not a country it ships to"
    );
    assert!(
        v.world.payments.intents().is_empty(),
        "nothing was sent to the payment provider"
    );
}

#[tokio::test]
async fn the_mailing_fee_is_its_own_line_and_the_address_is_kept() {
    let v = mailing_venue(3);
    let done = check_out_by_mail(&v, 0, Some(address("95014")), None)
        .await
        .unwrap();
    assert_eq!(done.order.totals.mailing, FEE);
    assert_eq!(done.order.totals.total, 5_000 + FEE);
    assert_eq!(v.world.payments.intents()[0].amount, 5_000 + FEE);
    let stored = v
        .world
        .store
        .stored_order(&v.tenant, &done.order.id)
        .unwrap();
    let kept = stored.address.unwrap();
    assert_eq!(
        (kept.city.as_str(), kept.postal_code.as_str()),
        ("CUPERTINO", "95014")
    );
    let mail = stored.mail.unwrap();
    assert_eq!(mail.status, MailStatus::Pending);
    assert_eq!(mail.fulfilment, Fulfilment::Provider);
}

#[tokio::test]
async fn mail_closes_the_set_number_of_days_before_the_performance() {
    // The performance is 7 days away: a 7-day cutoff has passed.
    let v = mailing_venue(7);
    let closed = check_out_by_mail(&v, 0, Some(address("95014")), None)
        .await
        .unwrap_err();
    assert!(
        matches!(closed, CheckoutError::MailClosed { days: 7 }),
        "{closed:?}"
    );
}

#[tokio::test]
async fn a_venue_that_does_not_post_refuses_mail_and_an_address_without_mail() {
    let v = venue();
    let refused = check_out_by_mail(&v, 0, Some(address("95014")), None)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, CheckoutError::MailNotOffered),
        "{refused:?}"
    );

    let v = mailing_venue(3);
    let (_, access, contents) = held(&v, &wanted_seats(&seats(&v, 1))).await;
    let mut emailed = request(&contents, "adult");
    emailed.address = Some(address("95014"));
    let refused = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, emailed)
        .await
        .unwrap_err();
    assert_eq!(field(refused), "address");
}

#[tokio::test]
async fn at_the_window_cash_covers_the_fee_and_a_comp_posts_free() {
    let v = mailing_venue(3);
    let clerk = Email::parse("clerk@example.org").unwrap();
    let cash = |tendered| {
        Some(WindowSaleRequest {
            by: clerk.clone(),
            payment: WindowPayment::Cash { tendered },
            phone: None,
            exchange: None,
        })
    };
    let short = check_out_by_mail(&v, 0, Some(address("95014")), cash(5_000))
        .await
        .unwrap_err();
    assert_eq!(field(short), "tendered", "the fee is part of what is due");
    let sold = check_out_by_mail(&v, 1, Some(address("95014")), cash(6_000))
        .await
        .unwrap();
    assert_eq!(sold.order.status, OrderStatus::Paid);
    assert_eq!(sold.order.sale.unwrap().change, Some(6_000 - 5_000 - FEE));

    let comp = Some(WindowSaleRequest {
        by: clerk.clone(),
        payment: WindowPayment::Comp {
            reason: "Press".into(),
        },
        phone: None,
        exchange: None,
    });
    let comped = check_out_by_mail(&v, 2, Some(address("95014")), comp)
        .await
        .unwrap();
    assert_eq!(
        (comped.order.totals.mailing, comped.order.totals.total),
        (0, 0)
    );
    assert!(comped.order.address.is_some());
}
