//! The `/v1` API: intents, confirmation with test cards, idempotency, authentication, refunds,
//! and the local card form.

use serde_json::json;

use crate::support::{TestDouble, id};

#[tokio::test]
async fn a_new_intent_waits_for_a_payment_method() {
    let double = TestDouble::spawn().await;
    let created = double
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "4250"),
                ("currency", "GBP"),
                ("metadata[cart_id]", "c_123"),
                ("metadata[cart_version]", "4"),
                ("description", "2 tickets"),
                ("receipt_email", "patron@example.com"),
                ("automatic_payment_methods[enabled]", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let intent = created.body;
    let intent_id = id(&intent);
    assert!(intent_id.starts_with("pi_"));
    assert_eq!(intent["object"], "payment_intent");
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["amount"], 4250);
    assert_eq!(intent["currency"], "gbp");
    assert_eq!(
        intent["metadata"],
        json!({ "cart_id": "c_123", "cart_version": "4" })
    );
    assert_eq!(intent["automatic_payment_methods"]["enabled"], true);
    assert_eq!(intent["livemode"], false);
    let secret = intent["client_secret"].as_str().unwrap();
    assert!(
        secret.starts_with(&format!("{intent_id}_secret_")),
        "{secret}"
    );
    assert!(created.headers.get("request-id").is_some());

    let fetched = double
        .get(&format!("/v1/payment_intents/{intent_id}"))
        .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, intent);
}

#[tokio::test]
async fn confirming_with_the_visa_test_card_succeeds() {
    let double = TestDouble::spawn().await;
    let intent = double.create_intent(2500).await;
    let confirmed = double
        .post(
            &format!("/v1/payment_intents/{}/confirm", id(&intent)),
            &[
                ("payment_method", "pm_card_visa"),
                ("expand[]", "latest_charge"),
            ],
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let intent = confirmed.body;
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount_received"], 2500);
    assert!(
        intent["payment_method"]
            .as_str()
            .unwrap()
            .starts_with("pm_")
    );
    assert_eq!(intent["latest_charge"]["status"], "succeeded");
    assert_eq!(
        intent["latest_charge"]["payment_method_details"]["card"]["last4"],
        "4242"
    );
    assert_eq!(intent["last_payment_error"], serde_json::Value::Null);

    let again = double
        .post(
            &format!("/v1/payment_intents/{}/confirm", id(&intent)),
            &[("payment_method", "pm_card_visa")],
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(
        again.body["error"]["code"],
        "payment_intent_unexpected_state"
    );
}

#[tokio::test]
async fn a_declined_card_is_a_402_card_error_and_the_intent_can_be_retried() {
    let double = TestDouble::spawn().await;
    let intent = double.create_intent(2500).await;
    let confirm_path = format!("/v1/payment_intents/{}/confirm", id(&intent));
    let declined = double
        .post(
            &confirm_path,
            &[("payment_method", "pm_card_chargeDeclined")],
        )
        .await;
    assert_eq!(declined.status, 402, "{}", declined.body);
    let error = &declined.body["error"];
    assert_eq!(error["type"], "card_error");
    assert_eq!(error["code"], "card_declined");
    assert_eq!(error["decline_code"], "generic_decline");
    assert_eq!(error["message"], "Your card was declined.");
    assert!(error["charge"].as_str().unwrap().starts_with("ch_"));
    assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
    assert_eq!(
        declined.headers.get("stripe-should-retry").unwrap(),
        "false"
    );

    let fetched = double
        .get(&format!("/v1/payment_intents/{}", id(&intent)))
        .await;
    assert_eq!(fetched.body["status"], "requires_payment_method");
    assert_eq!(fetched.body["last_payment_error"]["code"], "card_declined");
    assert_eq!(
        fetched.body["last_payment_error"]["payment_method"]["card"]["last4"],
        "0002"
    );
    assert_eq!(fetched.body["payment_method"], serde_json::Value::Null);

    let insufficient = double
        .post(
            &confirm_path,
            &[("payment_method", "pm_card_chargeDeclinedInsufficientFunds")],
        )
        .await;
    assert_eq!(insufficient.status, 402);
    assert_eq!(
        insufficient.body["error"]["decline_code"],
        "insufficient_funds"
    );

    let paid = double
        .post(&confirm_path, &[("payment_method", "pm_card_visa")])
        .await;
    assert_eq!(paid.status, 200);
    assert_eq!(paid.body["status"], "succeeded");
    assert_eq!(paid.body["last_payment_error"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_same_idempotency_key_with_the_same_body_returns_the_same_intent() {
    let double = TestDouble::spawn().await;
    let form = [
        ("amount", "1800"),
        ("currency", "gbp"),
        ("metadata[cart_id]", "c_9"),
        ("metadata[cart_version]", "2"),
    ];
    let first = double
        .post_idempotent("/v1/payment_intents", "cart-c_9-v2", &form)
        .await;
    assert_eq!(first.status, 200);
    // Same parameters in another order are the same request.
    let reordered = [form[3], form[2], form[1], form[0]];
    let second = double
        .post_idempotent("/v1/payment_intents", "cart-c_9-v2", &reordered)
        .await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body, first.body);
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(
        second.headers.get("original-request"),
        first.headers.get("request-id")
    );

    let other = double
        .post_idempotent(
            "/v1/payment_intents",
            "cart-c_9-v2",
            &[("amount", "1900"), ("currency", "gbp")],
        )
        .await;
    assert_eq!(other.status, 400, "{}", other.body);
    assert_eq!(other.body["error"]["type"], "idempotency_error");

    let elsewhere = double
        .post_idempotent(
            "/v1/refunds",
            "cart-c_9-v2",
            &[("payment_intent", id(&first.body))],
        )
        .await;
    assert_eq!(elsewhere.status, 400);
    assert_eq!(elsewhere.body["error"]["type"], "idempotency_error");

    let without_key = double.post("/v1/payment_intents", &form).await;
    assert_ne!(id(&without_key.body), id(&first.body));
}

#[tokio::test]
async fn a_replayed_decline_is_the_same_decline_and_charges_once() {
    let double = TestDouble::spawn().await;
    let intent = double.create_intent(2500).await;
    let path = format!("/v1/payment_intents/{}/confirm", id(&intent));
    let form = [("payment_method", "pm_card_chargeDeclined")];
    let first = double.post_idempotent(&path, "confirm-1", &form).await;
    let second = double.post_idempotent(&path, "confirm-1", &form).await;
    assert_eq!((first.status, second.status), (402, 402));
    assert_eq!(first.body, second.body);
    let failures: Vec<_> = double
        .events()
        .await
        .into_iter()
        .filter(|event| event["type"] == "payment_intent.payment_failed")
        .collect();
    assert_eq!(failures.len(), 1);
}

#[tokio::test]
async fn requests_need_a_test_secret_key() {
    let double = TestDouble::spawn().await;
    let url = double.url("/v1/payment_intents");
    let form = [("amount", "1000"), ("currency", "gbp")];

    let anonymous =
        TestDouble::read(double.http.post(&url).form(&form).send().await.unwrap()).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["error"]["type"], "invalid_request_error");
    assert!(
        anonymous.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("You did not provide an API key")
    );

    for key in ["sk_live_0123456789abcdef", "garbage", "sk_test_"] {
        let refused = TestDouble::read(
            double
                .http
                .post(&url)
                .bearer_auth(key)
                .form(&form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(refused.status, 401, "{key}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("Invalid API Key provided"), "{message}");
        assert!(
            !message.contains("0123456789abcdef"),
            "the key is masked: {message}"
        );
    }

    let publishable = TestDouble::read(
        double
            .http
            .post(&url)
            .bearer_auth("pk_test_abc")
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(publishable.status, 401);
    assert_eq!(publishable.body["error"]["code"], "secret_key_required");

    // curl -u sk_test_…: sends HTTP basic auth.
    let basic = TestDouble::read(
        double
            .http
            .post(&url)
            .basic_auth(&double.key, Some(""))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(basic.status, 200, "{}", basic.body);
}

#[tokio::test]
async fn each_secret_key_is_its_own_account() {
    let double = TestDouble::spawn().await;
    let intent = double.create_intent(1000).await;
    let other = double
        .http
        .get(double.url(&format!("/v1/payment_intents/{}", id(&intent))))
        .bearer_auth("sk_test_another_account")
        .send()
        .await
        .unwrap();
    let other = TestDouble::read(other).await;
    assert_eq!(other.status, 404);
    assert_eq!(other.body["error"]["code"], "resource_missing");
    assert_eq!(
        other.body["error"]["message"],
        format!("No such payment_intent: '{}'", id(&intent))
    );
}

#[tokio::test]
async fn invalid_parameters_get_stripes_errors() {
    let double = TestDouble::spawn().await;
    // (form, expected code, expected param)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (&[("currency", "gbp")], "parameter_missing", "amount"),
        (
            &[("amount", "12.5"), ("currency", "gbp")],
            "parameter_invalid_integer",
            "amount",
        ),
        (
            &[("amount", "10"), ("currency", "gbp")],
            "amount_too_small",
            "amount",
        ),
        (
            &[("amount", "1000"), ("currency", "gbp"), ("colour", "red")],
            "parameter_unknown",
            "colour",
        ),
        (
            &[
                ("amount", "1000"),
                ("currency", "gbp"),
                ("automatic_payment_methods[enabeld]", "true"),
            ],
            "parameter_unknown",
            "automatic_payment_methods[enabeld]",
        ),
    ];
    for (form, code, param) in cases {
        let response = double.post("/v1/payment_intents", form).await;
        assert_eq!(response.status, 400, "{form:?}: {}", response.body);
        assert_eq!(response.body["error"]["code"], *code, "{form:?}");
        assert_eq!(response.body["error"]["param"], *param, "{form:?}");
    }

    let json_body = double
        .post_json(
            "/v1/payment_intents",
            json!({ "amount": 1000, "currency": "gbp" }),
        )
        .await;
    assert_eq!(json_body.status, 400);

    let unknown_card = double
        .post(
            &format!(
                "/v1/payment_intents/{}/confirm",
                id(&double.create_intent(1000).await)
            ),
            &[("payment_method", "pm_card_nonexistent")],
        )
        .await;
    assert_eq!(unknown_card.status, 400);
    assert_eq!(unknown_card.body["error"]["code"], "resource_missing");
    assert_eq!(unknown_card.body["error"]["param"], "payment_method");

    let unknown_url = double.get("/v1/customers").await;
    assert_eq!(unknown_url.status, 404);
    assert_eq!(unknown_url.body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn a_payment_can_be_refunded_in_parts_but_not_beyond_what_is_left() {
    let double = TestDouble::spawn().await;
    let intent = double.paid_intent(5000).await;
    let intent_id = id(&intent);

    let partial = double
        .post(
            "/v1/refunds",
            &[
                ("payment_intent", intent_id),
                ("amount", "2000"),
                ("reason", "requested_by_customer"),
                ("metadata[order_id]", "o_1"),
            ],
        )
        .await;
    assert_eq!(partial.status, 200, "{}", partial.body);
    assert!(id(&partial.body).starts_with("re_"));
    assert_eq!(partial.body["object"], "refund");
    assert_eq!(partial.body["status"], "succeeded");
    assert_eq!(partial.body["amount"], 2000);
    assert_eq!(partial.body["payment_intent"], intent_id);
    assert_eq!(partial.body["metadata"]["order_id"], "o_1");

    let too_much = double
        .post(
            "/v1/refunds",
            &[("payment_intent", intent_id), ("amount", "3001")],
        )
        .await;
    assert_eq!(too_much.status, 400, "{}", too_much.body);
    assert_eq!(too_much.body["error"]["type"], "invalid_request_error");
    assert_eq!(too_much.body["error"]["code"], "amount_too_large");
    assert_eq!(too_much.body["error"]["param"], "amount");
    assert_eq!(
        too_much.body["error"]["message"],
        "Refund amount (£30.01) is greater than unrefunded amount on charge (£30.00)"
    );

    // No amount: the rest.
    let rest = double
        .post("/v1/refunds", &[("payment_intent", intent_id)])
        .await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_eq!(rest.body["amount"], 3000);

    let charge = double
        .get(&format!(
            "/v1/charges/{}",
            intent["latest_charge"].as_str().unwrap()
        ))
        .await;
    assert_eq!(charge.body["amount_refunded"], 5000);
    assert_eq!(charge.body["refunded"], true);
    let expanded = double
        .get(&format!(
            "/v1/payment_intents/{intent_id}?expand[]=latest_charge"
        ))
        .await;
    assert_eq!(expanded.body["latest_charge"]["amount_refunded"], 5000);

    let nothing_left = double
        .post("/v1/refunds", &[("payment_intent", intent_id)])
        .await;
    assert_eq!(nothing_left.status, 400);
    assert_eq!(
        nothing_left.body["error"]["code"],
        "charge_already_refunded"
    );

    let fetched = double
        .get(&format!("/v1/refunds/{}", id(&partial.body)))
        .await;
    assert_eq!(fetched.body, partial.body);
}

#[tokio::test]
async fn an_unpaid_intent_cannot_be_refunded_but_can_be_canceled() {
    let double = TestDouble::spawn().await;
    let intent = double.create_intent(1000).await;
    let refund = double
        .post("/v1/refunds", &[("payment_intent", id(&intent))])
        .await;
    assert_eq!(refund.status, 400);

    let path = format!("/v1/payment_intents/{}/cancel", id(&intent));
    let canceled = double
        .post(&path, &[("cancellation_reason", "abandoned")])
        .await;
    assert_eq!(canceled.status, 200, "{}", canceled.body);
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(canceled.body["cancellation_reason"], "abandoned");
    assert!(canceled.body["canceled_at"].is_i64());

    let confirm = double
        .post(
            &format!("/v1/payment_intents/{}/confirm", id(&intent)),
            &[("payment_method", "pm_card_visa")],
        )
        .await;
    assert_eq!(confirm.status, 400);
    assert_eq!(
        confirm.body["error"]["code"],
        "payment_intent_unexpected_state"
    );
    let paid = double.paid_intent(1000).await;
    let cancel_paid = double
        .post(&format!("/v1/payment_intents/{}/cancel", id(&paid)), &[])
        .await;
    assert_eq!(cancel_paid.status, 400);
}

#[tokio::test]
async fn the_card_form_pays_with_a_test_card_number_and_the_client_secret() {
    let double = TestDouble::spawn().await;
    let pay = |intent: &serde_json::Value, secret: &str, number: &str| {
        let path = format!("/_double/payment_intents/{}/pay", id(intent));
        let body = json!({
            "clientSecret": secret,
            "cardNumber": number,
            "expMonth": 12,
            "expYear": 2099,
            "cvc": "123",
        });
        let request = double
            .http
            .post(double.url(&path))
            .header("Origin", "http://demo.localhost:3000")
            .json(&body);
        async move { TestDouble::read(request.send().await.unwrap()).await }
    };

    let intent = double.create_intent(2500).await;
    let secret = intent["client_secret"].as_str().unwrap().to_owned();

    let wrong_secret = pay(&intent, "pi_x_secret_y", "4242424242424242").await;
    assert_eq!(wrong_secret.status, 400);
    assert_eq!(wrong_secret.body["error"]["param"], "client_secret");

    let insufficient = pay(&intent, &secret, "4000 0000 0000 9995").await;
    assert_eq!(insufficient.status, 402);
    assert_eq!(
        insufficient.body["error"]["decline_code"],
        "insufficient_funds"
    );
    assert_eq!(
        insufficient
            .headers
            .get("access-control-allow-origin")
            .unwrap(),
        "http://demo.localhost:3000"
    );
    assert!(
        !insufficient.body.to_string().contains("4000000000009995"),
        "the card number is never echoed"
    );

    let declined = pay(&intent, &secret, "4000000000000002").await;
    assert_eq!(declined.body["error"]["decline_code"], "generic_decline");

    let mistyped = pay(&intent, &secret, "4242424242424241").await;
    assert_eq!(mistyped.status, 402);
    assert_eq!(mistyped.body["error"]["code"], "incorrect_number");

    let paid = pay(&intent, &secret, "4242 4242 4242 4242").await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.body["status"], "succeeded");

    let foreign = double
        .http
        .post(double.url(&format!("/_double/payment_intents/{}/pay", id(&intent))))
        .header("Origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);

    let preflight = double
        .http
        .request(
            reqwest::Method::OPTIONS,
            double.url(&format!("/_double/payment_intents/{}/pay", id(&intent))),
        )
        .header("Origin", "http://venue-2.localhost:5173")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://venue-2.localhost:5173"
    );
}

#[tokio::test]
async fn payment_intents_are_listed_newest_first_with_created_limit_and_cursor() {
    let double = TestDouble::spawn().await;
    let mut ids = Vec::new();
    for amount in [1000, 2000, 3000] {
        ids.push(id(&double.create_intent(amount).await).to_owned());
    }
    let first = double.get("/v1/payment_intents?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["object"], "list");
    assert_eq!(first.body["url"], "/v1/payment_intents");
    assert_eq!(first.body["has_more"], true);
    let page: Vec<String> = first.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| id(i).to_owned())
        .collect();
    assert_eq!(page.len(), 2);
    let rest = double
        .get(&format!(
            "/v1/payment_intents?limit=2&starting_after={}",
            page[1]
        ))
        .await;
    assert_eq!(rest.body["has_more"], false);
    let mut all = page.clone();
    all.extend(
        rest.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| id(i).to_owned()),
    );
    let mut sorted = all.clone();
    sorted.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(sorted, expected, "every intent exactly once");

    // created: bounds in the future find nothing; an exact value finds its second.
    let future = double
        .get("/v1/payment_intents?created[gte]=4102444800")
        .await;
    assert_eq!(future.body["data"].as_array().unwrap().len(), 0);
    let created = first.body["data"][0]["created"].as_i64().unwrap();
    let exact = double
        .get(&format!("/v1/payment_intents?created={created}&limit=100"))
        .await;
    assert!(!exact.body["data"].as_array().unwrap().is_empty());

    // Stripe's refusals: a limit out of range, an unknown cursor, an unknown parameter.
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("starting_after=pi_nope", "starting_after"),
        ("expand[]=customer", "expand"),
    ] {
        let refused = double.get(&format!("/v1/payment_intents?{query}")).await;
        assert!(
            refused.status == 400 || refused.status == 404,
            "{query}: {}",
            refused.status
        );
        assert_eq!(refused.body["error"]["param"], param, "{query}");
    }
    let unknown = double.get("/v1/payment_intents?colour=red").await;
    assert_eq!(unknown.status, 400);
}
