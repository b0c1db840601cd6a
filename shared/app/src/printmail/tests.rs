//! Letters through the print-and-mail provider: sent once from the paid order's job whatever
//! fails or crashes in between, a failure leaves the order "mail pending" for the retry, and
//! tracking only moves forward.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::jobs::MailMessage;
use crate::testkit::{Venue, held, pay, request, seats, venue, wanted_seats};
use marquee_domain::{AddressInput, CountryCode, MailSettings, PostalAddress};

fn provider_venue(fulfilment: Fulfilment) -> Venue {
    let v = venue();
    v.world.store.change_venue(&v.tenant, |venue| {
        venue.settings.mail = MailSettings {
            enabled: true,
            fee: 300,
            cutoff_days: 1,
            countries: vec![CountryCode::parse("US").unwrap()],
            fulfilment,
            return_address: None,
        };
    });
    v
}

/// A paid order of one seat, posted to Cupertino.
async fn paid_mail_order(v: &Venue) -> OrderId {
    let (_, access, contents) = held(v, &wanted_seats(&seats(v, 1))).await;
    let mut request = request(&contents, "adult");
    request.delivery = Delivery::Mail;
    request.address = Some(AddressInput {
        name: Some("Ada Lovelace".into()),
        line1: Some("1 Infinite Loop".into()),
        line2: None,
        city: Some("Cupertino".into()),
        region: Some("CA".into()),
        postal_code: Some("95014".into()),
        country: Some("US".into()),
    });
    let done = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request)
        .await
        .unwrap();
    pay(v, &done).await.unwrap();
    done.order.id
}

async fn send(v: &Venue, order: &OrderId) -> Result<LetterOutcome, PortError> {
    v.world
        .letters()
        .send_letter(&v.tenant, order, "Little Theatre", None::<PostalAddress>)
        .await
}

fn mail_of(v: &Venue, order: &OrderId) -> PostedMail {
    v.world
        .store
        .stored_order(&v.tenant, order)
        .unwrap()
        .mail
        .unwrap()
}

fn posted_notices(v: &Venue, order: &OrderId) -> usize {
    v.world
        .queues
        .mail_jobs()
        .iter()
        .filter(|j| j.id == format!("order-{order}-posted"))
        .count()
}

#[tokio::test]
async fn a_paid_order_queues_its_letter_and_the_job_sends_it_once() {
    let v = provider_venue(Fulfilment::Provider);
    let order = paid_mail_order(&v).await;
    let jobs = v.world.queues.mail_jobs();
    assert!(
        jobs.iter().any(|j| j.id == letter_key(&order)
            && matches!(&j.message, MailMessage::PrintLetter { order_id } if order_id == &order)),
        "the paid order queued its letter"
    );
    let sent = send(&v, &order).await.unwrap();
    assert_eq!(
        sent,
        LetterOutcome::Sent {
            letter_id: "ltr_fake0".into()
        }
    );
    let mail = mail_of(&v, &order);
    assert_eq!(mail.status, MailStatus::Submitted);
    assert_eq!(mail.letter_id.as_deref(), Some("ltr_fake0"));
    let letters = v.world.printmail.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].idempotency_key, letter_key(&order));
    assert_eq!(letters[0].to.postal_code, "95014");
    assert_eq!(
        posted_notices(&v, &order),
        1,
        "the patron hears it is in the post"
    );

    // SQS delivers the job again: nothing more is sent.
    let again = send(&v, &order).await.unwrap();
    assert_eq!(
        again,
        LetterOutcome::AlreadySent {
            letter_id: "ltr_fake0".into()
        }
    );
    assert_eq!(v.world.printmail.letters().len(), 1);
}

#[tokio::test]
async fn a_provider_failure_leaves_the_order_pending_and_the_retry_sends_one_letter() {
    let v = provider_venue(Fulfilment::Provider);
    let order = paid_mail_order(&v).await;
    v.world.printmail.faults.fail("send_letter", 1);
    assert!(
        send(&v, &order).await.is_err(),
        "the job fails, so it is retried"
    );
    let pending = mail_of(&v, &order);
    assert_eq!(pending.status, MailStatus::Pending);
    assert!(
        pending.problem.is_some(),
        "the problem is noted on the order"
    );
    assert_eq!(posted_notices(&v, &order), 0);

    assert!(matches!(
        send(&v, &order).await.unwrap(),
        LetterOutcome::Sent { .. }
    ));
    let mail = mail_of(&v, &order);
    assert_eq!((mail.status, mail.problem), (MailStatus::Submitted, None));
    assert_eq!(v.world.printmail.letters().len(), 1);
}

#[tokio::test]
async fn a_crash_between_the_provider_and_the_write_still_makes_one_letter() {
    let v = provider_venue(Fulfilment::Provider);
    let order = paid_mail_order(&v).await;
    // The provider accepts the letter; writing its id fails (the process dies there).
    v.world.store.faults.fail("write_posted_mail", 1);
    assert!(send(&v, &order).await.is_err());
    assert_eq!(mail_of(&v, &order).letter_id, None);
    // The redelivered job asks again with the same key: the provider's same letter.
    assert!(matches!(
        send(&v, &order).await.unwrap(),
        LetterOutcome::Sent { .. }
    ));
    assert_eq!(
        v.world.printmail.letters().len(),
        1,
        "one letter, never two"
    );
    assert_eq!(mail_of(&v, &order).letter_id.as_deref(), Some("ltr_fake0"));
}

#[tokio::test]
async fn a_crash_in_the_provider_call_is_retried_to_one_letter() {
    let v = provider_venue(Fulfilment::Provider);
    let order = paid_mail_order(&v).await;
    v.world.printmail.faults.panic("send_letter", 1);
    let letters = v.world.letters();
    let tenant = v.tenant.clone();
    let id = order.clone();
    let crashed = tokio::spawn(async move {
        letters
            .send_letter(&tenant, &id, "Little Theatre", None)
            .await
    })
    .await;
    assert!(crashed.is_err(), "the attempt died");
    assert!(matches!(
        send(&v, &order).await.unwrap(),
        LetterOutcome::Sent { .. }
    ));
    assert_eq!(v.world.printmail.letters().len(), 1);
}

#[tokio::test]
async fn tracking_moves_the_letter_forward_only_and_only_for_its_letter() {
    let v = provider_venue(Fulfilment::Provider);
    let order = paid_mail_order(&v).await;
    send(&v, &order).await.unwrap();
    let letters = v.world.tracking();
    let track = |letter: &'static str, status| {
        let letters = letters.clone();
        let (tenant, order) = (v.tenant.clone(), order.clone());
        async move {
            letters
                .track(&tenant, &order, letter, status)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        track("ltr_fake0", MailStatus::InTransit).await,
        TrackingOutcome::Updated(MailStatus::InTransit)
    );
    assert_eq!(
        track("ltr_fake0", MailStatus::Mailed).await,
        TrackingOutcome::Ignored,
        "late"
    );
    assert_eq!(
        track("ltr_other", MailStatus::Returned).await,
        TrackingOutcome::Ignored
    );
    assert_eq!(mail_of(&v, &order).status, MailStatus::InTransit);
    assert_eq!(
        track("ltr_fake0", MailStatus::Returned).await,
        TrackingOutcome::Updated(MailStatus::Returned)
    );
}

#[tokio::test]
async fn orders_the_box_office_posts_itself_send_no_letter() {
    let v = provider_venue(Fulfilment::InHouse);
    let order = paid_mail_order(&v).await;
    assert!(
        !v.world
            .queues
            .mail_jobs()
            .iter()
            .any(|j| j.id == letter_key(&order)),
        "no letter job"
    );
    assert_eq!(
        send(&v, &order).await.unwrap(),
        LetterOutcome::NothingToSend
    );
    assert!(v.world.printmail.letters().is_empty());
}
