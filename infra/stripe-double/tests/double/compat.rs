//! The double driven through async-stripe (the pinned client the product uses) with a custom
//! base URL: every request shape it sends is accepted, and every response (including the
//! 402 card error with the intent inside) deserializes into its types.

use std::collections::HashMap;

use stripe::{
    ApiErrorsCode, ApiErrorsType, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError,
    StripeRequest,
};
use stripe_core::PaymentIntentStatus;
use stripe_core::payment_intent::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent,
    CreatePaymentIntentAutomaticPaymentMethods, RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_types::Currency;

use crate::support::TestDouble;

#[tokio::test]
async fn async_stripe_creates_confirms_declines_refunds_and_cancels_against_the_double() {
    // The workspace enables both of rustls' providers (ring for reqwest, aws-lc-rs for the AWS
    // SDK and async-stripe), so rustls cannot choose one by itself: a process must install one
    // before building a Stripe client, or the client panics. The product must do the same.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let double = TestDouble::spawn().await;
    let client = ClientBuilder::new(double.key.clone())
        .url(double.url.clone())
        .build()
        .expect("client");

    let metadata: HashMap<String, String> = [
        ("cart_id".to_owned(), "c_42".to_owned()),
        ("cart_version".to_owned(), "3".to_owned()),
    ]
    .into();
    let create = || {
        CreatePaymentIntent::new(4200, Currency::GBP)
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
            .metadata(metadata.clone())
            .description("3 tickets")
            .receipt_email("patron@example.com")
    };
    let key = IdempotencyKey::new("cart-c_42-v3").expect("key");
    let intent = create()
        .customize()
        .request_strategy(RequestStrategy::Idempotent(key.clone()))
        .send(&client)
        .await
        .expect("create");
    assert_eq!(intent.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(intent.amount, 4200);
    assert_eq!(
        intent.metadata.get("cart_id").map(String::as_str),
        Some("c_42")
    );
    assert!(
        intent
            .client_secret
            .as_deref()
            .is_some_and(|s| s.contains("_secret_"))
    );

    let replayed = create()
        .customize()
        .request_strategy(RequestStrategy::Idempotent(key.clone()))
        .send(&client)
        .await
        .expect("idempotent replay");
    assert_eq!(replayed.id, intent.id);
    let conflicting = CreatePaymentIntent::new(4300, Currency::GBP)
        .customize()
        .request_strategy(RequestStrategy::Idempotent(key))
        .send(&client)
        .await;
    match conflicting {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(error.type_, ApiErrorsType::IdempotencyError);
        }
        other => panic!("expected an idempotency error, got {other:?}"),
    }

    let declined = ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method("pm_card_chargeDeclined")
        .send(&client)
        .await;
    match declined {
        Err(StripeError::Stripe(error, 402)) => {
            assert_eq!(error.type_, ApiErrorsType::CardError);
            assert_eq!(error.code, Some(ApiErrorsCode::CardDeclined));
            assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
            let failed = error
                .payment_intent
                .expect("the intent comes with the error");
            assert_eq!(failed.status, PaymentIntentStatus::RequiresPaymentMethod);
            assert!(failed.last_payment_error.is_some());
            assert!(error.payment_method.is_some());
        }
        other => panic!("expected a card error, got {other:?}"),
    }

    let paid = ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method("pm_card_visa")
        .send(&client)
        .await
        .expect("confirm");
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    assert_eq!(paid.amount_received, 4200);

    let refund = CreateRefund::new()
        .payment_intent(intent.id.as_str())
        .amount(1200)
        .send(&client)
        .await
        .expect("refund");
    assert_eq!(refund.amount, 1200);
    let over = CreateRefund::new()
        .payment_intent(intent.id.as_str())
        .amount(5000)
        .send(&client)
        .await;
    match over {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(error.type_, ApiErrorsType::InvalidRequestError);
            assert_eq!(error.param.as_deref(), Some("amount"));
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }

    let fetched = RetrievePaymentIntent::new(intent.id.clone())
        .expand(vec!["latest_charge".to_owned()])
        .send(&client)
        .await
        .expect("retrieve");
    let charge = fetched
        .latest_charge
        .as_ref()
        .and_then(|charge| charge.as_object())
        .expect("expanded charge");
    assert_eq!(charge.amount_refunded, 1200);

    let abandoned = create().send(&client).await.expect("create another");
    let canceled = CancelPaymentIntent::new(abandoned.id.clone())
        .send(&client)
        .await
        .expect("cancel");
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);

    let missing = RetrievePaymentIntent::new("pi_does_not_exist")
        .send(&client)
        .await;
    assert!(
        matches!(missing, Err(StripeError::Stripe(_, 404))),
        "{missing:?}"
    );

    let unauthenticated = ClientBuilder::new("sk_live_not_accepted")
        .url(double.url.clone())
        .build()
        .expect("client");
    let refused = RetrievePaymentIntent::new(intent.id.clone())
        .send(&unauthenticated)
        .await;
    assert!(
        matches!(refused, Err(StripeError::Stripe(_, 401))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn async_stripe_lists_payment_intents_page_by_page_with_their_charges() {
    use stripe_core::payment_intent::ListPaymentIntent;
    use stripe_types::{RangeBoundsTs, RangeQueryTs};

    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let double = TestDouble::spawn().await;
    let client = ClientBuilder::new(double.key.clone())
        .url(double.url.clone())
        .build()
        .expect("client");
    let paid = double.paid_intent(1500).await;
    double.create_intent(900).await;
    double.paid_intent(2500).await;
    let since = paid["created"].as_i64().expect("created");

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut list = ListPaymentIntent::new()
            .created(RangeQueryTs::Bounds(RangeBoundsTs {
                gte: Some(since),
                ..Default::default()
            }))
            .limit(2)
            .expand(vec!["data.latest_charge".to_owned()]);
        if let Some(last) = &after {
            list = list.starting_after(last.clone());
        }
        let page = list.send(&client).await.expect("list");
        assert!(page.data.len() <= 2);
        after = page.data.last().map(|intent| intent.id.to_string());
        seen.extend(page.data);
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 3, "every intent once");
    let succeeded: Vec<_> = seen
        .iter()
        .filter(|intent| intent.status == PaymentIntentStatus::Succeeded)
        .collect();
    assert_eq!(succeeded.len(), 2);
    for intent in succeeded {
        let charge = intent
            .latest_charge
            .as_ref()
            .and_then(|c| c.as_object())
            .expect("the charge is expanded");
        assert_eq!(charge.amount_refunded, 0);
        assert_eq!(
            intent.metadata.get("cart_id").map(String::as_str),
            Some("cart_1")
        );
    }
}

#[tokio::test]
async fn async_stripe_reads_connect_objects_of_a_direct_charge() {
    use stripe_connect::account::{
        CreateAccount, CreateAccountBusinessProfile, CreateAccountController,
        CreateAccountControllerFees, CreateAccountControllerFeesPayer,
        CreateAccountControllerLosses, CreateAccountControllerLossesPayments,
        CreateAccountControllerRequirementCollection, CreateAccountControllerStripeDashboard,
        CreateAccountControllerStripeDashboardType, CreateAccountSettings, PaymentsSettingsSpecs,
        RetrieveAccount,
    };
    use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
    use stripe_connect::application_fee::{ListApplicationFee, RetrieveApplicationFee};
    use stripe_connect::login_link::CreateAccountLoginLink;
    use stripe_core::balance::RetrieveForMyAccountBalance;
    use stripe_core::balance_transaction::RetrieveBalanceTransaction;
    use stripe_core::charge::RetrieveCharge;
    use stripe_core::payment_intent::RetrievePaymentIntent;
    use stripe_core::payout::ListPayout;
    use stripe_core::refund::CreateRefund;

    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let double = TestDouble::spawn().await;
    let client = ClientBuilder::new(double.key.clone())
        .url(double.url.clone())
        .build()
        .expect("client");

    let mut controller = CreateAccountController::new();
    controller.fees = Some(CreateAccountControllerFees {
        payer: Some(CreateAccountControllerFeesPayer::Account),
    });
    controller.losses = Some(CreateAccountControllerLosses {
        payments: Some(CreateAccountControllerLossesPayments::Stripe),
    });
    controller.requirement_collection = Some(CreateAccountControllerRequirementCollection::Stripe);
    controller.stripe_dashboard = Some(CreateAccountControllerStripeDashboard {
        type_: Some(CreateAccountControllerStripeDashboardType::Full),
    });
    let mut profile = CreateAccountBusinessProfile::new();
    profile.name = Some("The Roxy".to_owned());
    let mut settings = CreateAccountSettings::new();
    let mut payments = PaymentsSettingsSpecs::new();
    payments.statement_descriptor = Some("THE ROXY".to_owned());
    settings.payments = Some(payments);
    let account = CreateAccount::new()
        .controller(controller)
        .business_profile(profile)
        .settings(settings)
        .email("box-office@roxy.example")
        .default_currency(Currency::GBP)
        .customize()
        .request_strategy(RequestStrategy::Idempotent(
            IdempotencyKey::new("venue-roxy").expect("key"),
        ))
        .send(&client)
        .await
        .expect("create account");
    assert_eq!(account.charges_enabled, Some(false));
    assert!(
        account
            .requirements
            .as_ref()
            .and_then(|r| r.currently_due.as_ref())
            .is_some_and(|due| !due.is_empty())
    );
    let fetched = RetrieveAccount::new(account.id.clone())
        .send(&client)
        .await
        .expect("retrieve account");
    assert_eq!(fetched.id, account.id);

    let link = CreateAccountLink::new(
        account.id.as_str(),
        CreateAccountLinkType::AccountOnboarding,
    )
    .return_url("http://roxy.localhost:3000/admin/payments?onboarding=return")
    .refresh_url("http://roxy.localhost:3000/admin/payments?onboarding=refresh")
    .send(&client)
    .await
    .expect("account link");
    assert_eq!(link.expires_at, link.created + 300);
    let refused = CreateAccountLoginLink::new(account.id.clone())
        .send(&client)
        .await;
    assert!(
        matches!(refused, Err(StripeError::Stripe(_, 400))),
        "{refused:?}"
    );

    let onboarded = double
        .post_json(
            &format!("/_double/accounts/{}/onboarding", account.id),
            serde_json::json!({ "outcome": "complete" }),
        )
        .await;
    assert_eq!(onboarded.status, 200);
    let intent = double
        .paid_direct_charge(account.id.as_str(), 10_000, 300)
        .await;
    let intent_id = intent["id"].as_str().expect("id").to_owned();

    let fetched = RetrievePaymentIntent::new(intent_id.as_str())
        .expand(vec!["latest_charge.balance_transaction".to_owned()])
        .customize()
        .account_id(account.id.clone())
        .send(&client)
        .await
        .expect("retrieve intent");
    assert_eq!(fetched.application_fee_amount, Some(300));
    let charge = fetched
        .latest_charge
        .as_ref()
        .and_then(|charge| charge.as_object())
        .expect("expanded charge");
    let transaction = charge
        .balance_transaction
        .as_ref()
        .and_then(|t| t.as_object())
        .expect("expanded balance transaction");
    assert_eq!(transaction.fee, 620);
    assert_eq!(transaction.net, 9380);
    assert_eq!(transaction.fee_details.len(), 2);
    let by_id = RetrieveBalanceTransaction::new(transaction.id.clone())
        .customize()
        .account_id(account.id.clone())
        .send(&client)
        .await
        .expect("balance transaction");
    assert_eq!(by_id.amount, 10_000);
    let charge = RetrieveCharge::new(charge.id.clone())
        .customize()
        .account_id(account.id.clone())
        .send(&client)
        .await
        .expect("charge");
    let fee_id = charge
        .application_fee
        .as_ref()
        .map(|fee| fee.id().clone())
        .expect("application fee");

    CreateRefund::new()
        .payment_intent(intent_id.as_str())
        .amount(2500)
        .refund_application_fee(true)
        .customize()
        .account_id(account.id.clone())
        .send(&client)
        .await
        .expect("refund");
    let fee = RetrieveApplicationFee::new(fee_id.clone())
        .send(&client)
        .await
        .expect("application fee");
    assert_eq!(fee.amount, 300);
    assert_eq!(fee.amount_refunded, 75);
    assert_eq!(fee.refunds.data.len(), 1);
    let fees = ListApplicationFee::new()
        .charge(charge.id.as_str())
        .send(&client)
        .await
        .expect("list fees");
    assert_eq!(fees.data.len(), 1);

    let balance = RetrieveForMyAccountBalance::new()
        .customize()
        .account_id(account.id.clone())
        .send(&client)
        .await
        .expect("balance");
    // 10000 − 620, then −2500 + 75.
    assert_eq!(balance.available[0].amount, 6955);
    double
        .post_json(
            &format!("/_double/accounts/{}/payouts", account.id),
            serde_json::json!({}),
        )
        .await;
    let payouts = ListPayout::new()
        .limit(10)
        .customize()
        .account_id(account.id.clone())
        .send(&client)
        .await
        .expect("payouts");
    assert_eq!(payouts.data.len(), 1);
    assert_eq!(payouts.data[0].amount, 6955);
}
