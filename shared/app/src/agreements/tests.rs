#![allow(clippy::unwrap_used)]

use super::*;
use crate::checkout::CheckoutError;
use crate::holds::HoldWanted;
use crate::ports::{Catalog, OrderStore};
use crate::sales::{EventOutcome, PaymentEvent, PaymentReceived};
use crate::testkit::{ACCOUNT, Venue, checked_out, held, pay, request, seats, venue};
use marquee_domain::OrderStatus;

fn urls() -> OnboardingUrls {
    OnboardingUrls {
        return_url: "https://little.example.com/admin/payments?onboarding=return".into(),
        refresh_url: "https://little.example.com/admin/payments?onboarding=refresh".into(),
    }
}

/// The venue as it was before payment agreements: no connected account.
async fn unconnected() -> Venue {
    let v = venue();
    let mut record = v.world.store.venue(&v.tenant).await.unwrap().unwrap();
    record.payments = None;
    v.world.store.put_venue(record);
    v
}

/// The operator's default fee and refund policy.
async fn operator_sets(v: &Venue, basis_points: u32, fixed_per_ticket: i64, refund: bool) {
    v.world
        .agreements()
        .set_platform_settings(PlatformSettings {
            platform_fee: PlatformFee {
                basis_points,
                fixed_per_ticket,
            },
            refund_platform_fee: refund,
        })
        .await
        .unwrap();
}

fn provider_account(id: &str, charges: bool, payouts: bool) -> ProviderAccount {
    ProviderAccount {
        id: id.to_owned(),
        charges_enabled: charges,
        payouts_enabled: payouts,
        details_submitted: true,
        requirements: if charges {
            Vec::new()
        } else {
            vec!["individual.verification.document".into()]
        },
        disabled_reason: (!charges).then(|| "requirements.past_due".to_owned()),
    }
}

#[tokio::test]
async fn a_venue_without_an_account_is_not_connected_and_cannot_take_card_payments() {
    let v = unconnected().await;
    let agreement = v
        .world
        .agreements()
        .agreement(&v.tenant, false)
        .await
        .unwrap();
    assert_eq!(agreement.status, PaymentsStatus::NotConnected);
    assert_eq!(agreement.account, None);

    // A paid checkout is refused before anything is written or charged.
    let (holds, access, contents) = held(&v, &HoldWanted::Seats(seats(&v, 1))).await;
    let refused = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(matches!(refused, CheckoutError::PaymentsNotReady(ref why) if why.contains("Connect")));
    assert!(v.world.payments.intents().is_empty());
    let cart = holds.contents(&v.tenant, &access).await.unwrap();
    assert_eq!(cart.holds.len(), 1, "the patron keeps the seat");

    // A free order needs no account.
    let free = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "comp"))
        .await
        .unwrap();
    assert_eq!(free.order.status, OrderStatus::Paid);
    assert_eq!(free.order.stripe_account, None);
}

#[tokio::test]
async fn only_an_owner_starts_onboarding_and_the_venue_gets_one_account_however_often_asked() {
    let v = unconnected().await;
    let agreements = v.world.agreements();
    for role in [Role::Manager, Role::BoxOffice, Role::Scanner] {
        let refused = agreements
            .start_onboarding(&v.tenant, role, "owner@example.com", &urls())
            .await
            .unwrap_err();
        assert!(matches!(refused, AgreementError::NotOwner), "{role:?}");
    }
    assert!(v.world.payments.account_ids().is_empty());

    let back = urls();
    let (first, second) = futures::join!(
        agreements.start_onboarding(&v.tenant, Role::Owner, "owner@example.com", &back),
        agreements.start_onboarding(&v.tenant, Role::Owner, "owner@example.com", &back),
    );
    assert_ne!(first.unwrap(), second.unwrap(), "each link is single-use");
    assert_eq!(v.world.payments.account_ids().len(), 1);
    let links = v.world.payments.links.lock().unwrap().clone();
    assert!(links.iter().all(|(account, back)| {
        account == &v.world.payments.account_ids()[0] && back == &urls().return_url
    }));

    let agreement = agreements.agreement(&v.tenant, false).await.unwrap();
    assert_eq!(agreement.status, PaymentsStatus::Incomplete);
    assert!(!agreement.account.unwrap().requirements.is_empty());
}

#[tokio::test]
async fn an_abandoned_onboarding_stays_incomplete_resumes_and_connects_on_return() {
    let v = unconnected().await;
    let agreements = v.world.agreements();
    agreements
        .start_onboarding(&v.tenant, Role::Owner, "owner@example.com", &urls())
        .await
        .unwrap();
    let id = v.world.payments.account_ids()[0].clone();

    // Abandoned: coming back without finishing changes nothing.
    let back = agreements.agreement(&v.tenant, true).await.unwrap();
    assert_eq!(back.status, PaymentsStatus::Incomplete);
    // Resumed: the same account, a new link.
    agreements
        .start_onboarding(&v.tenant, Role::Owner, "owner@example.com", &urls())
        .await
        .unwrap();
    assert_eq!(v.world.payments.account_ids(), vec![id.clone()]);

    // Finished at the provider: the return reads it at once.
    v.world
        .payments
        .set_account(provider_account(&id, true, true));
    let back = agreements.agreement(&v.tenant, true).await.unwrap();
    assert_eq!(back.status, PaymentsStatus::Connected);
    let stored = agreements.agreement(&v.tenant, false).await.unwrap();
    assert_eq!(
        stored.status,
        PaymentsStatus::Connected,
        "stored, not only shown"
    );
}

#[tokio::test]
async fn account_events_keep_the_state_current_and_a_restricted_venue_stops_selling() {
    let v = unconnected().await;
    let agreements = v.world.agreements();
    agreements
        .start_onboarding(&v.tenant, Role::Owner, "owner@example.com", &urls())
        .await
        .unwrap();
    let id = v.world.payments.account_ids()[0].clone();
    assert_eq!(
        agreements
            .account_updated(provider_account(&id, true, true))
            .await
            .unwrap(),
        AccountEvent::Updated(PaymentsStatus::Connected)
    );
    let (_, sold) = checked_out(&v, 1).await;
    pay(&v, &sold).await.unwrap();

    // Stripe disables charges: restricted (not incomplete), with the reason.
    assert_eq!(
        agreements
            .account_updated(provider_account(&id, false, false))
            .await
            .unwrap(),
        AccountEvent::Updated(PaymentsStatus::Restricted)
    );
    let (_, access, contents) = held(&v, &HoldWanted::Seats(vec![seats(&v, 2)[1].clone()])).await;
    let refused = v
        .world
        .checkout()
        .checkout(&v.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, CheckoutError::PaymentsNotReady(ref why) if why.contains("requirements.past_due"))
    );
    // Existing orders keep working: a refund still goes through on the venue's account.
    let refunded = v
        .world
        .sales()
        .refund_tickets(&v.tenant, &sold.order.id, None, "Patron asked")
        .await
        .unwrap();
    assert_eq!(refunded.status, OrderStatus::Refunded);
    assert_eq!(
        v.world.payments.refunds()[0].account.as_deref(),
        Some(id.as_str())
    );
}

#[tokio::test]
async fn an_event_about_an_account_of_no_venue_is_ignored() {
    let v = venue();
    let outcome = v
        .world
        .agreements()
        .account_updated(provider_account("acct_stranger", true, true))
        .await
        .unwrap();
    assert_eq!(outcome, AccountEvent::UnknownAccount);
}

#[tokio::test]
async fn a_card_payment_is_made_on_the_venues_account_with_the_platform_fee() {
    let v = venue();
    operator_sets(&v, 250, 50, true).await;
    let (_, done) = checked_out(&v, 2).await;
    // 2 × $50.00: 2.5 % is $2.50, plus 2 × $0.50.
    assert_eq!(done.order.totals.total, 10_000);
    assert_eq!(done.order.platform_fee, 350);
    assert_eq!(done.order.stripe_account.as_deref(), Some(ACCOUNT));
    let intent = &v.world.payments.intents()[0];
    assert_eq!(intent.account.as_deref(), Some(ACCOUNT));
    assert_eq!(intent.application_fee, 350);

    // The venue's own fee wins over the default.
    v.world
        .agreements()
        .set_venue_fee(
            &v.tenant,
            Some(PlatformFee {
                basis_points: 0,
                fixed_per_ticket: 25,
            }),
        )
        .await
        .unwrap();
    let (_, own) = crate::testkit::checked_out_seats(&v, &seats(&v, 3)[2..]).await;
    assert_eq!(own.order.platform_fee, 25);
    let agreement = v
        .world
        .agreements()
        .agreement(&v.tenant, false)
        .await
        .unwrap();
    assert!(agreement.fee_overridden);
    assert_eq!(agreement.platform_fee.fixed_per_ticket, 25);
}

async fn refund_with_policy(refund_platform_fee: bool) -> bool {
    let v = venue();
    operator_sets(&v, 500, 0, refund_platform_fee).await;
    let (_, done) = checked_out(&v, 2).await;
    pay(&v, &done).await.unwrap();
    let ticket = done.order.tickets[0].id.clone();
    v.world
        .sales()
        .refund_tickets(&v.tenant, &done.order.id, Some(&[ticket]), "Patron asked")
        .await
        .unwrap();
    let refunds = v.world.payments.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].account.as_deref(), Some(ACCOUNT));
    refunds[0].refund_application_fee
}

#[tokio::test]
async fn a_refund_gives_the_platform_fee_back_per_the_operators_policy() {
    assert!(refund_with_policy(true).await);
    assert!(!refund_with_policy(false).await);
}

#[tokio::test]
async fn a_payment_that_bought_nothing_gives_the_platform_fee_back_whatever_the_policy() {
    let v = venue();
    operator_sets(&v, 500, 0, false).await;
    let (_, done) = checked_out(&v, 1).await;
    // Paid for a different amount: it goes back whole, fee included.
    let intent = done.payment.as_ref().unwrap().id.clone();
    v.world
        .sales()
        .complete_payment(
            &v.tenant,
            &done.order.id,
            &PaymentReceived {
                payment_intent: &intent,
                amount: 1,
                currency: "usd",
            },
        )
        .await
        .unwrap();
    let refunds = v.world.payments.refunds();
    assert!(refunds[0].refund_application_fee);
    assert_eq!(refunds[0].account.as_deref(), Some(ACCOUNT));
}

#[tokio::test]
async fn an_event_from_another_account_than_the_orders_is_ignored() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    let intent = done.payment.as_ref().unwrap().id.clone();
    let event = || {
        PaymentEvent::Succeeded(PaymentReceived {
            payment_intent: &intent,
            amount: done.order.totals.total,
            currency: "usd",
        })
    };
    let webhook = v.world.payment_webhook();
    for account in [Some("acct_other_venue"), None] {
        let outcome = webhook
            .handle(
                &v.tenant,
                &done.order.id,
                "evt_cross",
                "payment_intent.succeeded",
                account,
                event(),
            )
            .await
            .unwrap();
        assert_eq!(outcome, EventOutcome::Handled("wrong_account"));
    }
    let order = v
        .world
        .store
        .order(&v.tenant, &done.order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending, "nothing sold");

    // From the order's own account the same event sells.
    let outcome = webhook
        .handle(
            &v.tenant,
            &done.order.id,
            "evt_cross",
            "payment_intent.succeeded",
            Some(ACCOUNT),
            event(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, EventOutcome::Handled("sold"));
}

#[tokio::test]
async fn reconciliation_never_settles_an_order_from_another_account() {
    let v = venue();
    let (_, done) = checked_out(&v, 1).await;
    let intent = done.payment.as_ref().unwrap().id.clone();
    v.world.payments.pay(&intent, crate::testkit::start());
    // The platform's own account has no such payment; another venue's account names the
    // order but is not its account.
    let report = v
        .world
        .reconciliation()
        .reconcile(PaymentAccount::Platform, chrono::Duration::days(3))
        .await
        .unwrap();
    assert_eq!(report.checked, 0);
    let report = v
        .world
        .reconciliation()
        .reconcile(
            PaymentAccount::Connected(ACCOUNT),
            chrono::Duration::days(3),
        )
        .await
        .unwrap();
    assert_eq!(report.fixed, 1);
}

#[tokio::test]
async fn the_payments_page_figures_come_from_the_venues_account() {
    let v = venue();
    operator_sets(&v, 1_000, 0, true).await;
    let (_, done) = checked_out(&v, 1).await;
    let intent = done.payment.as_ref().unwrap().id.clone();
    v.world.payments.pay(&intent, crate::testkit::start());
    let view = v.world.agreements().payouts(&v.tenant).await.unwrap();
    assert_eq!(view.balance.available[0].amount, 5_000 - 500);
    let breakdown = v
        .world
        .agreements()
        .payment_breakdown(Some(ACCOUNT), &intent)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (breakdown.gross, breakdown.application_fee, breakdown.net),
        (5_000, 500, 4_500)
    );
    // Another account does not see it.
    assert_eq!(
        v.world
            .agreements()
            .payment_breakdown(Some("acct_other"), &intent)
            .await
            .unwrap(),
        None
    );
}
