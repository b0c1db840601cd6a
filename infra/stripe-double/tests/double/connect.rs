//! Connect with direct charges: connected accounts and their onboarding, the `Stripe-Account`
//! header, application fees and their refunds, balances, payouts and Connect webhooks.

use serde_json::{Value, json};
use stripe_double::{DEFAULT_TOLERANCE, verify};

use crate::support::{CONNECT_WEBHOOK_SECRET, TestDouble, id};

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    stripe_double::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

const RETURN_URL: &str = "http://roxy.localhost:3000/admin/payments?onboarding=return";
const REFRESH_URL: &str = "http://roxy.localhost:3000/admin/payments?onboarding=refresh";

async fn create_account(double: &TestDouble, name: &str) -> Value {
    let created = double
        .post_idempotent(
            "/v1/accounts",
            &format!("venue-{name}"),
            &[
                ("controller[fees][payer]", "account"),
                ("controller[losses][payments]", "stripe"),
                ("controller[requirement_collection]", "stripe"),
                ("controller[stripe_dashboard][type]", "full"),
                ("business_profile[name]", name),
                ("email", "box-office@roxy.example"),
                ("country", "GB"),
                ("default_currency", "gbp"),
                ("settings[payments][statement_descriptor]", "THE ROXY"),
                ("metadata[venue_id]", "v_roxy"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    created.body
}

async fn onboarding_link(double: &TestDouble, account: &str) -> String {
    let link = double
        .post(
            "/v1/account_links",
            &[
                ("account", account),
                ("type", "account_onboarding"),
                ("return_url", RETURN_URL),
                ("refresh_url", REFRESH_URL),
            ],
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    assert_eq!(link.body["object"], "account_link");
    let created = link.body["created"].as_i64().expect("created");
    assert_eq!(link.body["expires_at"].as_i64(), Some(created + 300));
    link.body["url"].as_str().expect("url").to_owned()
}

#[tokio::test]
async fn a_new_account_is_restricted_until_onboarding_completes_on_the_hosted_page() {
    let (double, connect) = TestDouble::spawn_with_connect().await;
    let account = create_account(&double, "The Roxy").await;
    let account_id = id(&account).to_owned();
    assert!(account_id.starts_with("acct_"));
    assert_eq!(account["object"], "account");
    assert_eq!(account["type"], "standard");
    assert_eq!(account["charges_enabled"], false);
    assert_eq!(account["payouts_enabled"], false);
    assert_eq!(account["details_submitted"], false);
    assert_eq!(account["controller"]["type"], "application");
    assert_eq!(account["controller"]["is_controller"], true);
    assert_eq!(account["controller"]["fees"]["payer"], "account");
    assert_eq!(account["controller"]["stripe_dashboard"]["type"], "full");
    assert_eq!(account["business_profile"]["name"], "The Roxy");
    assert_eq!(
        account["settings"]["payments"]["statement_descriptor"],
        "THE ROXY"
    );
    assert_eq!(account["metadata"]["venue_id"], "v_roxy");
    assert_eq!(
        account["requirements"]["disabled_reason"],
        "requirements.past_due"
    );
    let due = account["requirements"]["currently_due"]
        .as_array()
        .expect("currently_due");
    assert!(due.contains(&json!("external_account")));
    assert!(due.contains(&json!("tos_acceptance.date")));
    let fetched = double.get(&format!("/v1/accounts/{account_id}")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, account);

    let url = onboarding_link(&double, &account_id).await;
    assert!(url.starts_with(&format!("{}/_double/onboarding/", double.url)));
    let browser = no_redirects();
    let page = browser.get(&url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("The Roxy"));
    assert!(html.contains(&account_id));
    assert!(html.contains(">Complete onboarding</button>"));
    assert!(html.contains(">Leave requirements due</button>"));
    // Single use: the page is not shown twice.
    let again = browser.get(&url).send().await.expect("page again");
    assert_eq!(again.status(), 303);
    assert_eq!(location(&again), REFRESH_URL);

    let pressed = browser
        .post(&url)
        .form(&[("outcome", "complete")])
        .send()
        .await
        .expect("button");
    assert_eq!(pressed.status(), 303);
    assert_eq!(location(&pressed), RETURN_URL);
    let spent = browser
        .post(&url)
        .form(&[("outcome", "complete")])
        .send()
        .await
        .expect("button again");
    assert_eq!(location(&spent), REFRESH_URL);

    let onboarded = double.get(&format!("/v1/accounts/{account_id}")).await.body;
    assert_eq!(onboarded["charges_enabled"], true);
    assert_eq!(onboarded["payouts_enabled"], true);
    assert_eq!(onboarded["details_submitted"], true);
    assert_eq!(onboarded["requirements"]["currently_due"], json!([]));
    assert_eq!(onboarded["requirements"]["disabled_reason"], Value::Null);

    let received = connect.wait_for(1).await;
    let event = received[0].event();
    assert_eq!(event["type"], "account.updated");
    assert_eq!(event["account"], account_id.as_str());
    assert_eq!(event["data"]["object"]["charges_enabled"], true);
    assert!(
        verify(
            &received[0].signature,
            received[0].body.as_bytes(),
            CONNECT_WEBHOOK_SECRET,
            DEFAULT_TOLERANCE
        )
        .is_ok()
    );
    // The platform's own target gets only the platform's events.
    assert!(double.receiver.received().is_empty());
}

#[tokio::test]
async fn leaving_requirements_due_keeps_charges_off() {
    let double = TestDouble::spawn().await;
    let account_id = id(&create_account(&double, "The Roxy").await).to_owned();
    let url = onboarding_link(&double, &account_id).await;
    let browser = no_redirects();
    browser.get(&url).send().await.expect("page");
    let pressed = browser
        .post(&url)
        .form(&[("outcome", "requirements_due")])
        .send()
        .await
        .expect("button");
    assert_eq!(location(&pressed), RETURN_URL);
    let account = double.get(&format!("/v1/accounts/{account_id}")).await.body;
    assert_eq!(account["details_submitted"], true);
    assert_eq!(account["charges_enabled"], false);
    assert!(
        account["requirements"]["currently_due"]
            .as_array()
            .is_some_and(|due| !due.is_empty())
    );
}

#[tokio::test]
async fn controls_set_each_onboarding_outcome_and_send_account_updated_to_connect_endpoints() {
    let double = TestDouble::spawn().await;
    let connect_hook = crate::support::Receiver::start().await;
    let ordinary_hook = crate::support::Receiver::start().await;
    for (url, connect) in [(connect_hook.url(), "true"), (ordinary_hook.url(), "false")] {
        let registered = double
            .post(
                "/v1/webhook_endpoints",
                &[
                    ("url", url.as_str()),
                    ("enabled_events[]", "*"),
                    ("connect", connect),
                ],
            )
            .await;
        assert_eq!(registered.status, 200, "{}", registered.body);
    }
    let seeded = double
        .post_json(
            "/_double/accounts",
            json!({ "id": "acct_demo_venue", "businessName": "Demo Hall", "outcome": "complete" }),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    assert_eq!(seeded.body["id"], "acct_demo_venue");
    assert_eq!(seeded.body["charges_enabled"], true);

    let restricted = double
        .post_json(
            "/_double/accounts/acct_demo_venue/onboarding",
            json!({ "outcome": "restricted" }),
        )
        .await;
    assert_eq!(restricted.status, 200, "{}", restricted.body);
    assert_eq!(restricted.body["charges_enabled"], false);
    assert_eq!(restricted.body["payouts_enabled"], false);
    assert_eq!(
        restricted.body["requirements"]["past_due"],
        json!(["individual.verification.document"])
    );
    assert_eq!(
        restricted.body["requirements"]["disabled_reason"],
        "requirements.past_due"
    );
    let due = double
        .post_json(
            "/_double/accounts/acct_demo_venue/onboarding",
            json!({ "outcome": "requirements_due" }),
        )
        .await;
    assert_eq!(due.body["details_submitted"], true);
    assert_eq!(due.body["charges_enabled"], false);
    let bad = double
        .post_json(
            "/_double/accounts/acct_demo_venue/onboarding",
            json!({ "outcome": "sideways" }),
        )
        .await;
    assert_eq!(bad.status, 400);

    // Seeding again resets the same account (the devserver does it at every start).
    let reset = double
        .post_json(
            "/_double/accounts",
            json!({ "id": "acct_demo_venue", "outcome": "complete" }),
        )
        .await;
    assert_eq!(reset.body["charges_enabled"], true);
    assert_eq!(reset.body["business_profile"]["name"], "Demo Hall");

    // complete (seed), restricted, requirements_due, complete (reset).
    let received = connect_hook.wait_for(4).await;
    for webhook in &received {
        let event = webhook.event();
        assert_eq!(event["type"], "account.updated");
        assert_eq!(event["account"], "acct_demo_venue");
    }
    let refused = double
        .send_as_platform(
            "sk_test_another_platform",
            double
                .http
                .post(double.url("/_double/accounts"))
                .json(&json!({ "id": "acct_demo_venue" })),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(ordinary_hook.received().is_empty());
}

#[tokio::test]
async fn objects_of_a_connected_account_are_invisible_elsewhere() {
    let double = TestDouble::spawn().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let lyric = double.connected_account("The Lyric", "complete").await;
    let intent = double
        .post_as(
            &roxy,
            "/v1/payment_intents",
            &[("amount", "2500"), ("currency", "gbp")],
        )
        .await;
    assert_eq!(intent.status, 200, "{}", intent.body);
    let path = format!("/v1/payment_intents/{}", id(&intent.body));

    assert_eq!(double.get_as(&roxy, &path).await.status, 200);
    let from_platform = double.get(&path).await;
    assert_eq!(from_platform.status, 404);
    assert_eq!(from_platform.body["error"]["code"], "resource_missing");
    assert_eq!(
        from_platform.body["error"]["message"],
        format!("No such payment_intent: '{}'", id(&intent.body))
    );
    assert_eq!(double.get_as(&lyric, &path).await.status, 404);

    double.create_intent(1000).await;
    let listed = double.get_as(&roxy, "/v1/payment_intents").await;
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed.body["data"][0]["id"], intent.body["id"]);
    let own = double.get("/v1/payment_intents").await;
    assert_eq!(own.body["data"].as_array().map(Vec::len), Some(1));
    assert!(
        double.get_as(&lyric, "/v1/payment_intents").await.body["data"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let unknown = double.get_as("acct_nobody", "/v1/payment_intents").await;
    assert_eq!(unknown.status, 403);
    assert_eq!(unknown.body["error"]["code"], "account_invalid");
    assert_eq!(unknown.body["error"]["type"], "invalid_request_error");
    let other = "sk_test_another_platform";
    let foreign = double
        .send_as_platform(
            other,
            double
                .http
                .get(double.url("/v1/payment_intents"))
                .header("Stripe-Account", &roxy),
        )
        .await;
    assert_eq!(foreign.status, 403);
    let message = foreign.body["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains(&roxy), "{message}");
    assert!(!message.contains("another_platform"), "the key is masked");
    let account = double
        .send_as_platform(
            other,
            double.http.get(double.url(&format!("/v1/accounts/{roxy}"))),
        )
        .await;
    assert_eq!(account.status, 403);
}

#[tokio::test]
async fn a_direct_charge_books_the_application_fee_on_the_platform() {
    let (double, connect) = TestDouble::spawn_with_connect().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let intent = double
        .post_as(
            &roxy,
            "/v1/payment_intents",
            &[
                ("amount", "10000"),
                ("currency", "gbp"),
                ("application_fee_amount", "300"),
                ("statement_descriptor_suffix", "Hamlet 14/3"),
                ("automatic_payment_methods[enabled]", "true"),
            ],
        )
        .await;
    assert_eq!(intent.status, 200, "{}", intent.body);
    assert_eq!(intent.body["application_fee_amount"], 300);
    let confirmed = double
        .post_as(
            &roxy,
            &format!("/v1/payment_intents/{}/confirm", id(&intent.body)),
            &[("payment_method", "pm_card_visa")],
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let expanded = double
        .get_as(
            &roxy,
            &format!(
                "/v1/payment_intents/{}?expand[]=latest_charge.balance_transaction",
                id(&intent.body)
            ),
        )
        .await
        .body;
    let charge = &expanded["latest_charge"];
    assert_eq!(charge["application_fee_amount"], 300);
    assert_eq!(
        charge["calculated_statement_descriptor"],
        "THE ROXY* HAMLET 14/3"
    );
    let fee_id = charge["application_fee"].as_str().expect("fee id");
    assert!(fee_id.starts_with("fee_"));
    let transaction = &charge["balance_transaction"];
    assert!(id(transaction).starts_with("txn_"));
    assert_eq!(transaction["type"], "charge");
    assert_eq!(transaction["status"], "available");
    assert_eq!(transaction["amount"], 10_000);
    // Stripe's 2.9 % + 30 (320) and the application fee (300).
    assert_eq!(transaction["fee"], 620);
    assert_eq!(transaction["net"], 9380);
    assert_eq!(transaction["source"], charge["id"]);
    assert_eq!(transaction["fee_details"][0]["type"], "stripe_fee");
    assert_eq!(transaction["fee_details"][0]["amount"], 320);
    assert_eq!(transaction["fee_details"][1]["type"], "application_fee");
    assert_eq!(transaction["fee_details"][1]["amount"], 300);
    let by_id = double
        .get_as(
            &roxy,
            &format!("/v1/balance_transactions/{}", id(transaction)),
        )
        .await;
    assert_eq!(&by_id.body, transaction);
    assert_eq!(
        double
            .get(&format!("/v1/balance_transactions/{}", id(transaction)))
            .await
            .status,
        404
    );

    let fees = double
        .get(&format!(
            "/v1/application_fees?charge={}",
            charge["id"].as_str().unwrap_or_default()
        ))
        .await
        .body;
    assert_eq!(fees["data"].as_array().map(Vec::len), Some(1));
    let fee = &fees["data"][0];
    assert_eq!(fee["id"], fee_id);
    assert_eq!(fee["account"], roxy.as_str());
    assert_eq!(fee["amount"], 300);
    assert_eq!(fee["amount_refunded"], 0);
    assert_eq!(fee["refunded"], false);
    assert_eq!(fee["charge"], charge["id"]);
    assert_eq!(fee["currency"], "gbp");
    assert_eq!(
        double
            .get(&format!("/v1/application_fees/{fee_id}"))
            .await
            .body,
        *fee
    );

    // The connected account's events carry `account`; the fee's event is the platform's.
    let received = connect.wait_for(2).await;
    let kinds: Vec<Value> = received.iter().map(|r| r.event()["type"].clone()).collect();
    assert!(
        kinds.contains(&json!("payment_intent.succeeded")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&json!("charge.succeeded")), "{kinds:?}");
    assert!(
        received
            .iter()
            .all(|r| r.event()["account"] == roxy.as_str())
    );
    let platform = double.receiver.wait_for(1).await;
    let fee_event = platform[0].event();
    assert_eq!(fee_event["type"], "application_fee.created");
    assert!(fee_event.get("account").is_none());
}

#[tokio::test]
async fn application_fees_are_only_for_direct_charges_within_the_amount() {
    let double = TestDouble::spawn().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let on_platform = double
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "1000"),
                ("currency", "gbp"),
                ("application_fee_amount", "100"),
            ],
        )
        .await;
    assert_eq!(on_platform.status, 400);
    assert_eq!(on_platform.body["error"]["param"], "application_fee_amount");
    for (fee, status) in [("1001", 400), ("-1", 400), ("1000", 200)] {
        let created = double
            .post_as(
                &roxy,
                "/v1/payment_intents",
                &[
                    ("amount", "1000"),
                    ("currency", "gbp"),
                    ("application_fee_amount", fee),
                ],
            )
            .await;
        assert_eq!(created.status, status, "{fee}: {}", created.body);
    }
    for suffix in [
        "HAMLET <3",
        "\"QUOTED\"",
        "12345",
        "A SUFFIX THAT IS FAR TOO LONG",
    ] {
        let created = double
            .post_as(
                &roxy,
                "/v1/payment_intents",
                &[
                    ("amount", "1000"),
                    ("currency", "gbp"),
                    ("statement_descriptor_suffix", suffix),
                ],
            )
            .await;
        assert_eq!(created.status, 400, "{suffix}");
        assert_eq!(
            created.body["error"]["param"],
            "statement_descriptor_suffix"
        );
    }
}

#[tokio::test]
async fn an_account_without_charges_refuses_the_payment() {
    let double = TestDouble::spawn().await;
    let roxy = double.connected_account("The Roxy", "restricted").await;
    let intent = double
        .post_as(
            &roxy,
            "/v1/payment_intents",
            &[("amount", "1000"), ("currency", "gbp")],
        )
        .await;
    assert_eq!(intent.status, 200, "an intent can be created");
    let confirmed = double
        .post_as(
            &roxy,
            &format!("/v1/payment_intents/{}/confirm", id(&intent.body)),
            &[("payment_method", "pm_card_visa")],
        )
        .await;
    assert_eq!(confirmed.status, 400);
    assert!(
        confirmed.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot currently make live charges"))
    );
    let still = double
        .get_as(&roxy, &format!("/v1/payment_intents/{}", id(&intent.body)))
        .await;
    assert_eq!(still.body["status"], "requires_payment_method");
    assert_eq!(still.body["latest_charge"], Value::Null);
}

#[tokio::test]
async fn a_refund_can_return_the_application_fee_in_proportion() {
    let double = TestDouble::spawn().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let intent = double.paid_direct_charge(&roxy, 2500, 125).await;
    let refund = double
        .post_as(
            &roxy,
            "/v1/refunds",
            &[
                ("payment_intent", id(&intent)),
                ("amount", "250"),
                ("refund_application_fee", "true"),
                ("metadata[reason]", "seat moved"),
            ],
        )
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    let charge_id = intent["latest_charge"].as_str().expect("charge");
    let fee = &double
        .get(&format!("/v1/application_fees?charge={charge_id}"))
        .await
        .body["data"][0];
    // 125 × 250 / 2500 = 12.5, half up.
    assert_eq!(fee["amount_refunded"], 13);
    assert_eq!(fee["refunded"], false);
    let fee_refund = &fee["refunds"]["data"][0];
    assert!(id(fee_refund).starts_with("fr_"));
    assert_eq!(fee_refund["object"], "fee_refund");
    assert_eq!(fee_refund["amount"], 13);
    assert_eq!(fee_refund["fee"], fee["id"]);

    let transaction = double
        .get_as(
            &roxy,
            &format!(
                "/v1/balance_transactions/{}",
                refund.body["balance_transaction"]
                    .as_str()
                    .unwrap_or_default()
            ),
        )
        .await
        .body;
    assert_eq!(transaction["type"], "refund");
    assert_eq!(transaction["amount"], -250);
    assert_eq!(transaction["fee"], -13);
    assert_eq!(transaction["net"], -237);

    // Without returning the fee, then the rest with it: the fee is refunded in full.
    let kept = double
        .post_as(
            &roxy,
            "/v1/refunds",
            &[
                ("payment_intent", id(&intent)),
                ("amount", "250"),
                ("refund_application_fee", "false"),
            ],
        )
        .await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    let rest = double
        .post_as(
            &roxy,
            "/v1/refunds",
            &[
                ("payment_intent", id(&intent)),
                ("refund_application_fee", "true"),
            ],
        )
        .await;
    assert_eq!(rest.body["amount"], 2000);
    let fee = &double
        .get(&format!("/v1/application_fees?charge={charge_id}"))
        .await
        .body["data"][0];
    assert_eq!(fee["amount_refunded"], 125);
    assert_eq!(fee["refunded"], true);
    assert_eq!(fee["refunds"]["data"].as_array().map(Vec::len), Some(2));

    let own = double.paid_intent(1000).await;
    let refused = double
        .post(
            "/v1/refunds",
            &[
                ("payment_intent", id(&own)),
                ("refund_application_fee", "true"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["param"], "refund_application_fee");
}

#[tokio::test]
async fn balances_count_charges_fees_refunds_and_payouts() {
    let (double, connect) = TestDouble::spawn_with_connect().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let intent = double.paid_direct_charge(&roxy, 10_000, 300).await;
    double
        .post_as(
            &roxy,
            "/v1/refunds",
            &[
                ("payment_intent", id(&intent)),
                ("amount", "1000"),
                ("refund_application_fee", "true"),
            ],
        )
        .await;
    let balance = double.get_as(&roxy, "/v1/balance").await.body;
    assert_eq!(balance["object"], "balance");
    assert_eq!(balance["livemode"], false);
    // 10000 − 320 − 300, then −1000 + 30 of the fee back.
    assert_eq!(balance["available"][0]["amount"], 8410);
    assert_eq!(balance["available"][0]["currency"], "gbp");
    assert_eq!(balance["pending"][0]["amount"], 0);
    let platform = double.get("/v1/balance").await.body;
    assert_eq!(platform["available"][0]["amount"], 270);

    let first = double
        .post_json(
            &format!("/_double/accounts/{roxy}/payouts"),
            json!({ "amount": 410 }),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let rest = double
        .post_json(&format!("/_double/accounts/{roxy}/payouts"), json!({}))
        .await;
    assert_eq!(rest.body["amount"], 8000);
    assert_eq!(rest.body["status"], "paid");
    assert_eq!(rest.body["method"], "standard");
    assert_eq!(rest.body["type"], "bank_account");
    assert!(id(&rest.body).starts_with("po_"));
    assert!(rest.body["arrival_date"].as_i64() > rest.body["created"].as_i64());
    let empty = double
        .post_json(&format!("/_double/accounts/{roxy}/payouts"), json!({}))
        .await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.body["error"]["code"], "balance_insufficient");
    assert_eq!(
        double.get_as(&roxy, "/v1/balance").await.body["available"][0]["amount"],
        0
    );

    let page = double.get_as(&roxy, "/v1/payouts?limit=1").await.body;
    assert_eq!(page["object"], "list");
    assert_eq!(page["has_more"], true);
    let newest = id(&page["data"][0]).to_owned();
    let next = double
        .get_as(
            &roxy,
            &format!("/v1/payouts?limit=1&starting_after={newest}"),
        )
        .await
        .body;
    assert_eq!(next["has_more"], false);
    let ids = [newest, id(&next["data"][0]).to_owned()];
    assert!(ids.contains(&id(&rest.body).to_owned()));
    assert!(ids.contains(&id(&first.body).to_owned()));
    assert!(
        double.get("/v1/payouts").await.body["data"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let paid: Vec<Value> = connect
        .wait_for(8)
        .await
        .iter()
        .map(|r| r.event())
        .filter(|event| event["type"] == "payout.paid")
        .collect();
    assert_eq!(paid.len(), 2);
    assert!(paid.iter().all(|event| event["account"] == roxy.as_str()));
}

#[tokio::test]
async fn login_links_are_only_for_express_dashboard_accounts() {
    let double = TestDouble::spawn().await;
    let full = id(&create_account(&double, "The Roxy").await).to_owned();
    let refused = double
        .post(&format!("/v1/accounts/{full}/login_links"), &[])
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["type"], "invalid_request_error");
    let express = double
        .post(
            "/v1/accounts",
            &[
                ("controller[fees][payer]", "application"),
                ("controller[losses][payments]", "application"),
                ("controller[stripe_dashboard][type]", "express"),
            ],
        )
        .await;
    assert_eq!(express.status, 200, "{}", express.body);
    assert_eq!(express.body["type"], "express");
    let link = double
        .post(
            &format!("/v1/accounts/{}/login_links", id(&express.body)),
            &[],
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    assert_eq!(link.body["object"], "login_link");
}

type UnknownParameterCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test]
async fn new_endpoints_refuse_unknown_and_invalid_parameters() {
    let double = TestDouble::spawn().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    // (path, form, the parameter named in the error)
    let cases: Vec<UnknownParameterCase> = vec![
        (
            "/v1/accounts",
            vec![("controller[fees][payr]", "account")],
            "controller[fees][payr]",
        ),
        ("/v1/accounts", vec![("colour", "red")], "colour"),
        (
            "/v1/account_links",
            vec![
                ("account", roxy.as_str()),
                ("type", "account_onboarding"),
                ("return_url", RETURN_URL),
                ("refresh_url", REFRESH_URL),
                ("return", "x"),
            ],
            "return",
        ),
    ];
    for (path, form, param) in cases {
        let refused = double.post(path, &form).await;
        assert_eq!(refused.status, 400, "{path}");
        assert_eq!(refused.body["error"]["code"], "parameter_unknown", "{path}");
        assert_eq!(refused.body["error"]["param"], param, "{path}");
    }
    for path in [
        "/v1/application_fees?chrge=x",
        "/v1/balance?x=1",
        "/v1/payouts?limt=1",
        "/v1/balance_transactions?x=1",
    ] {
        let refused = double.get(path).await;
        assert_eq!(refused.status, 400, "{path}");
        assert_eq!(refused.body["error"]["code"], "parameter_unknown", "{path}");
    }
    let refused = double
        .post(&format!("/v1/accounts/{roxy}/login_links"), &[("x", "1")])
        .await;
    assert_eq!(refused.body["error"]["code"], "parameter_unknown");

    let descriptor = double
        .post(
            "/v1/accounts",
            &[("settings[payments][statement_descriptor]", "RXY")],
        )
        .await;
    assert_eq!(descriptor.status, 400);
    assert_eq!(
        descriptor.body["error"]["param"],
        "settings[payments][statement_descriptor]"
    );
    let relative = double
        .post(
            "/v1/account_links",
            &[
                ("account", roxy.as_str()),
                ("type", "account_onboarding"),
                ("return_url", "/admin/payments"),
                ("refresh_url", REFRESH_URL),
            ],
        )
        .await;
    assert_eq!(relative.status, 400);
    assert_eq!(relative.body["error"]["param"], "return_url");
    let missing = double
        .post(
            "/v1/account_links",
            &[("account", roxy.as_str()), ("type", "account_onboarding")],
        )
        .await;
    assert_eq!(missing.body["error"]["code"], "parameter_missing");
}

#[tokio::test]
async fn the_card_form_pays_an_intent_of_a_connected_account() {
    let (double, connect) = TestDouble::spawn_with_connect().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let intent = double
        .post_as(
            &roxy,
            "/v1/payment_intents",
            &[
                ("amount", "4200"),
                ("currency", "gbp"),
                ("application_fee_amount", "150"),
            ],
        )
        .await
        .body;
    let paid = double
        .http
        .post(double.url(&format!("/_double/payment_intents/{}/pay", id(&intent))))
        .header("Origin", "http://roxy.localhost:3000")
        .json(&json!({
            "clientSecret": intent["client_secret"],
            "cardNumber": "4242 4242 4242 4242",
            "expMonth": 12,
            "expYear": 40,
            "cvc": "123",
        }))
        .send()
        .await
        .expect("pay");
    let paid = TestDouble::read(paid).await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.body["status"], "succeeded");
    let charge = double
        .get_as(
            &roxy,
            &format!(
                "/v1/charges/{}",
                paid.body["latest_charge"].as_str().unwrap_or_default()
            ),
        )
        .await
        .body;
    assert_eq!(charge["application_fee_amount"], 150);
    let succeeded = connect.wait_for(2).await;
    assert!(
        succeeded
            .iter()
            .all(|r| r.event()["account"] == roxy.as_str())
    );
}

#[tokio::test]
async fn requests_are_counted_per_platform_by_route_and_account() {
    let double = TestDouble::spawn().await;
    let roxy = double.connected_account("The Roxy", "complete").await;
    let intent = double
        .post_as(
            &roxy,
            "/v1/payment_intents",
            &[("amount", "2500"), ("currency", "gbp")],
        )
        .await;
    let path = format!("/v1/payment_intents/{}", id(&intent.body));
    double.get_as(&roxy, &path).await;
    double.get_as(&roxy, &path).await;
    double.create_intent(1000).await;
    // Another platform's calls are its own.
    double
        .send_as_platform(
            "sk_test_another_platform",
            double.http.get(double.url("/v1/payment_intents")),
        )
        .await;

    let counted = double.get("/_double/requests").await;
    assert_eq!(counted.status, 200, "{}", counted.body);
    assert_eq!(
        counted.body["requests"],
        json!({
            "POST /v1/payment_intents on account": 1,
            "GET /v1/payment_intents/{id} on account": 2,
            "POST /v1/payment_intents": 1,
        }),
        "control calls (/_double/…) are not counted"
    );
    assert_eq!(counted.body["total"], 4);
}
