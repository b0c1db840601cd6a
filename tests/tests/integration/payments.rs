//! Payment agreements over HTTP (issue 13): a venue's onboarding with Stripe Connect through
//! the admin API and the double's hosted page, sales on the venue's own connected account
//! with the platform's fee, refunds of that fee per the operator's policy, and the Connect
//! webhook endpoint, which ignores events of other accounts.

use crate::checkout::{VISA, sign};
use crate::helpers::{Reply, TestApp, Venue, spawn_app};
use crate::holds::{Show, grid_csv};
use chrono::{Duration as Days, Utc};
use reqwest::{Method, StatusCode, redirect};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

impl TestApp {
    async fn payments(&self, venue: &Venue, token: &str, refresh: bool) -> Value {
        let path = if refresh {
            "/admin/v1/payments?refresh=true"
        } else {
            "/admin/v1/payments"
        };
        let view = self.get(&venue.host, path, Some(token)).await;
        assert_eq!(view.status, StatusCode::OK, "{}", view.body);
        view.body
    }

    /// Waits until `account.updated` (delivered by the double in the background) has moved
    /// the venue's payments to `status`, without asking Stripe again.
    async fn await_payments(&self, venue: &Venue, token: &str, status: &str) -> Value {
        let started = Instant::now();
        loop {
            let view = self.payments(venue, token, false).await;
            if view["status"] == status {
                return view;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the venue's payments never became {status}: {view}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn operator(&self, method: Method, path: &str, body: Value) -> Reply {
        let request = self
            .http
            .request(method, self.url(path))
            .header("host", "localhost")
            .header("x-platform-key", devserver::LOCAL_PLATFORM_KEY)
            .json(&body);
        Reply::from(request.send().await.expect("request is sent")).await
    }

    /// Pays for `seats` of the show: (checkout answer, the paid order as the patron sees it).
    async fn paid_order(&self, show: &Show, seats: &[&str], email: &str) -> (Value, Value) {
        let cart = self.new_cart(&show.venue.host).await;
        let held = self.hold_seats(show, &cart, seats).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let checkout = self.checkout(&show.venue.host, &cart, email).await;
        assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
        let paid = self.pay(&checkout.body, VISA).await;
        assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
        let order = self
            .await_order(&show.venue.host, &checkout.body, "paid")
            .await;
        (checkout.body, order)
    }

    /// The platform's application fee taken on the order's charge.
    async fn application_fee(&self, checkout: &Value) -> Value {
        let charge = self.charge_of(checkout).await;
        let fee = charge["application_fee"]
            .as_str()
            .unwrap_or_else(|| panic!("the charge carries an application fee: {charge}"));
        let reply = self
            .stripe(Method::GET, &format!("/v1/application_fees/{fee}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    }

    async fn restrict(&self, account: &str) {
        let reply = self
            .stripe(
                Method::POST,
                &format!("/_double/accounts/{account}/onboarding"),
                Some(json!({ "outcome": "restricted" })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    fn connect_secret(&self) -> String {
        let stripe = self.server.config.stripe.as_ref().unwrap();
        stripe.connect_webhook_secret.expose().to_owned()
    }

    async fn send_event(&self, path: &str, secret: &str, event: &Value) -> Reply {
        let body = event.to_string();
        let now = Utc::now().timestamp();
        let request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .header(
                "stripe-signature",
                format!("t={now},v1={}", sign(secret, now, &body)),
            )
            .body(body);
        Reply::from(request.send().await.expect("request is sent")).await
    }
}

/// What the double's hosted onboarding page does when the owner presses a button: the
/// account's new state, then a 303 back to the venue (return URL; the refresh URL when the
/// link was already used).
async fn press(link: &str, outcome: &str) -> String {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(link).send().await.unwrap();
    if page.status() == StatusCode::SEE_OTHER {
        // A spent or expired link shows no page: straight back to the venue.
        return page.headers()["location"].to_str().unwrap().to_owned();
    }
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Leave requirements due"), "{html}");
    let pressed = client
        .post(link)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(pressed.status(), StatusCode::SEE_OTHER);
    pressed.headers()["location"].to_str().unwrap().to_owned()
}

async fn start_onboarding(app: &TestApp, venue: &Venue, token: &str) -> Reply {
    app.post(
        &venue.host,
        "/admin/v1/payments/onboarding",
        Some(token),
        json!({}),
    )
    .await
}

#[tokio::test]
async fn a_venue_connects_through_onboarding_and_only_then_sells_by_card() {
    let app = spawn_app().await;
    let venue = app.create_unconnected_venue().await;
    let owner = app.login_owner(&venue).await;

    let fresh = app.payments(&venue, &owner, false).await;
    assert_eq!(fresh["status"], "not_connected", "{fresh}");
    assert!(fresh["accountId"].is_null());
    let payouts = app
        .get(&venue.host, "/admin/v1/payments/payouts", Some(&owner))
        .await;
    assert_eq!(payouts.status, StatusCode::CONFLICT, "{}", payouts.body);
    assert_eq!(payouts.error_code(), "payments_not_connected");

    // A priced performance cannot go on sale before the venue can take cards.
    let map = app
        .import_csv(&venue, &owner, "Grid", &grid_csv(1, 4))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&owner),
            json!({ "title": "Opening Night" }),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let performance = app
        .post(
            &venue.host,
            &format!("/admin/v1/events/{event}/performances"),
            Some(&owner),
            json!({
                "startsAt": (Utc::now() + Days::days(5)).to_rfc3339(),
                "seatMapId": map,
                "prices": [ { "zone": "A", "priceType": "adult", "amount": 5000 },
                    { "zone": "B", "priceType": "adult", "amount": 3000 } ],
            }),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let publish = format!("/admin/v1/performances/{performance}/publish");
    let refused = app
        .post(&venue.host, &publish, Some(&owner), json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_code(), "payments_not_ready");

    // Only the owner changes payment settings; a manager reads them.
    let manager_email = format!("{}@example.org", crate::helpers::unique("manager"));
    let manager = app
        .add_staff(&venue, &owner, &manager_email, "manager")
        .await;
    let forbidden = start_onboarding(&app, &venue, &manager).await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.body
    );
    assert!(app.payments(&venue, &manager, false).await["accountId"].is_null());

    // The owner leaves Stripe with requirements due: back on the venue's own host, the
    // state is read again at once and lists what Stripe still needs.
    let started = start_onboarding(&app, &venue, &owner).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let link = started.body["url"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&app.stripe_url()), "{link}");
    let back = press(&link, "requirements_due").await;
    assert!(
        back.contains(&venue.host) && back.ends_with("/admin/payments?onboarding=return"),
        "{back}"
    );
    let incomplete = app.payments(&venue, &owner, true).await;
    assert_eq!(incomplete["status"], "incomplete", "{incomplete}");
    assert!(
        !incomplete["requirements"].as_array().unwrap().is_empty(),
        "{incomplete}"
    );
    let account = incomplete["accountId"].as_str().unwrap().to_owned();
    // A spent link sends the owner to the refresh URL, where a new one is made.
    let spent = press(&link, "complete").await;
    assert!(
        spent.ends_with("/admin/payments?onboarding=refresh"),
        "{spent}"
    );
    assert_eq!(
        app.payments(&venue, &owner, true).await["status"],
        "incomplete"
    );
    let still_refused = app
        .post(&venue.host, &publish, Some(&owner), json!({}))
        .await;
    assert_eq!(still_refused.error_code(), "payments_not_ready");

    // Resuming continues with the same account; finishing connects the venue (the state
    // arrives by account.updated on the Connect endpoint, not by asking Stripe).
    let resumed = start_onboarding(&app, &venue, &owner).await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.body);
    let resumed_link = resumed.body["url"].as_str().unwrap();
    assert_ne!(resumed_link, link, "a fresh single-use link");
    press(resumed_link, "complete").await;
    let connected = app.await_payments(&venue, &owner, "connected").await;
    assert_eq!(connected["accountId"], account.as_str());
    assert_eq!(connected["chargesEnabled"], true);
    assert_eq!(connected["payoutsEnabled"], true);
    assert!(connected["dashboardUrl"].is_string(), "{connected}");
    let published = app
        .post(&venue.host, &publish, Some(&owner), json!({}))
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    // Onboarding again never makes a second account.
    start_onboarding(&app, &venue, &owner).await;
    assert_eq!(
        app.payments(&venue, &owner, true).await["accountId"],
        account.as_str()
    );
}

#[tokio::test]
async fn a_card_sale_is_made_on_the_venues_account_with_the_platform_fee_which_refunds_follow() {
    let app = spawn_app().await;
    let settings = app
        .operator(
            Method::PUT,
            "/platform/v1/settings",
            json!({ "platformFee": { "basisPoints": 250, "fixedPerTicket": 30 } }),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    let show = app.grid_show(1, 6, 600).await;
    let account = app.payments(&show.venue, &show.token, false).await["accountId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (a1, a2) = (show.seats[0][0].clone(), show.seats[0][1].clone());
    let (checkout, _) = app.paid_order(&show, &[&a1, &a2], "fan@example.org").await;

    // The PaymentIntent lives on the venue's account, invisible from the platform's.
    assert_eq!(checkout["payment"]["stripeAccount"], account.as_str());
    let intent_id = checkout["payment"]["paymentIntentId"].as_str().unwrap();
    let from_platform = app
        .stripe(
            Method::GET,
            &format!("/v1/payment_intents/{intent_id}"),
            None,
        )
        .await;
    assert_eq!(from_platform.status, StatusCode::NOT_FOUND);
    // 2.5 % of 10000 plus 30 for each of two tickets.
    let expected_fee = 250 + 2 * 30;
    let charge = app.charge_of(&checkout).await;
    assert_eq!(charge["amount"], 10000);
    assert_eq!(charge["application_fee_amount"], expected_fee, "{charge}");
    assert!(
        charge["calculated_statement_descriptor"]
            .as_str()
            .unwrap()
            .starts_with("VENUE"),
        "the venue's name on the patron's statement: {charge}"
    );

    // Staff see what the venue keeps.
    let order_id = checkout["orderId"].as_str().unwrap();
    let detail = app
        .get(
            &show.venue.host,
            &format!("/admin/v1/orders/{order_id}"),
            Some(&show.token),
        )
        .await
        .body;
    assert_eq!(detail["stripeAccount"], account.as_str(), "{detail}");
    assert_eq!(detail["platformFee"], expected_fee);
    let figures = &detail["payment"];
    assert_eq!(figures["gross"], 10000, "{detail}");
    assert_eq!(figures["platformFee"], expected_fee);
    let stripe_fee = figures["stripeFee"].as_i64().unwrap();
    assert!(stripe_fee > 0, "{detail}");
    assert_eq!(figures["net"], 10000 - expected_fee - stripe_fee);

    // Refunding one of the two tickets gives back half the fee (the default policy).
    let ticket = detail["tickets"][0]["id"].clone();
    let refund_path = format!("/admin/v1/orders/{order_id}/refund");
    let partial = app
        .post(
            &show.venue.host,
            &refund_path,
            Some(&show.token),
            json!({ "tickets": [ticket] }),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{}", partial.body);
    let fee = app.application_fee(&checkout).await;
    assert_eq!(fee["amount"], expected_fee);
    assert_eq!(fee["amount_refunded"], expected_fee / 2, "{fee}");

    // With refundPlatformFee off, the platform keeps its fee on a cancellation's refunds,
    // which are still made on the venue's account.
    let keep = app
        .operator(
            Method::PUT,
            "/platform/v1/settings",
            json!({ "platformFee": { "basisPoints": 250, "fixedPerTicket": 30 }, "refundPlatformFee": false }),
        )
        .await;
    assert_eq!(keep.status, StatusCode::OK, "{}", keep.body);
    let (second, _) = app
        .paid_order(&show, &[&show.seats[0][2]], "second@example.org")
        .await;
    assert_eq!(
        app.charge_of(&second).await["application_fee_amount"],
        125 + 30
    );
    let cancelled = app
        .post(
            &show.venue.host,
            &format!("/admin/v1/performances/{}/cancel", show.performance),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["refunds"]["failed"], 0, "{}", cancelled.body);
    let first_charge = app.charge_of(&checkout).await;
    assert_eq!(first_charge["amount_refunded"], 10000, "{first_charge}");
    let second_charge = app.charge_of(&second).await;
    assert_eq!(second_charge["amount_refunded"], 5000, "{second_charge}");
    assert_eq!(
        app.application_fee(&checkout).await["amount_refunded"],
        expected_fee / 2,
        "the half refunded before the policy changed, nothing since"
    );
    assert_eq!(app.application_fee(&second).await["amount_refunded"], 0);
}

#[tokio::test]
async fn a_venues_own_fee_overrides_the_default_and_an_unknown_venue_is_404() {
    let app = spawn_app().await;
    app.operator(
        Method::PUT,
        "/platform/v1/settings",
        json!({ "platformFee": { "basisPoints": 500, "fixedPerTicket": 0 } }),
    )
    .await;
    let show = app.grid_show(1, 4, 600).await;
    let own = app
        .operator(
            Method::PUT,
            &format!("/platform/v1/venues/{}", show.venue.id),
            json!({ "platformFee": { "basisPoints": 100, "fixedPerTicket": 10 } }),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(
        app.payments(&show.venue, &show.token, false).await["platformFee"],
        json!({ "basisPoints": 100, "fixedPerTicket": 10 })
    );
    let (checkout, _) = app
        .paid_order(&show, &[&show.seats[0][0]], "own-fee@example.org")
        .await;
    assert_eq!(app.charge_of(&checkout).await["application_fee_amount"], 60);

    let unknown = app
        .operator(
            Method::PUT,
            "/platform/v1/venues/01aaaaaaaaaaaaaaaaaaaaaaaa",
            json!({ "platformFee": null }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let negative = app
        .operator(
            Method::PUT,
            "/platform/v1/settings",
            json!({ "platformFee": { "basisPoints": -1, "fixedPerTicket": 0 } }),
        )
        .await;
    assert!(negative.status.is_client_error(), "{}", negative.body);
}

#[tokio::test]
async fn a_restricted_venue_stops_new_checkouts_but_keeps_its_orders_and_refunds() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let account = app.payments(&show.venue, &show.token, false).await["accountId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (checkout, _) = app
        .paid_order(&show, &[&show.seats[0][0]], "before@example.org")
        .await;

    app.restrict(&account).await;
    let restricted = app
        .await_payments(&show.venue, &show.token, "restricted")
        .await;
    assert_eq!(restricted["chargesEnabled"], false);
    assert!(restricted["disabledReason"].is_string(), "{restricted}");

    let cart = app.new_cart(&show.venue.host).await;
    let held = app.hold_seats(&show, &cart, &[&show.seats[0][1]]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let refused = app
        .checkout(&show.venue.host, &cart, "after@example.org")
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_code(), "payments_not_ready");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("card"),
        "{}",
        refused.body
    );
    // Nothing was written: the cart still holds its seat and is open.
    assert_eq!(
        app.cart(&show.venue.host, &cart).await.body["status"],
        "open"
    );

    let order_id = checkout["orderId"].as_str().unwrap();
    let refund = app
        .post(
            &show.venue.host,
            &format!("/admin/v1/orders/{order_id}/refund"),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    assert_eq!(app.charge_of(&checkout).await["amount_refunded"], 5000);
    assert_eq!(
        app.order(&show.venue.host, &checkout).await.body["status"],
        "refunded"
    );
}

#[tokio::test]
async fn connect_events_of_another_account_or_signed_with_the_wrong_secret_change_nothing() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let account = app.payments(&show.venue, &show.token, false).await["accountId"]
        .as_str()
        .unwrap()
        .to_owned();
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "forged@example.org")
        .await
        .body;
    let succeeded = |id: &str, on: &str| {
        json!({
            "id": id, "object": "event", "type": "payment_intent.succeeded", "account": on,
            "data": { "object": {
                "id": checkout["payment"]["paymentIntentId"], "object": "payment_intent",
                "amount": 5000, "amount_received": 5000, "currency": "gbp", "status": "succeeded",
                "metadata": { "tenant": show.venue.id, "order_id": checkout["orderId"] }
            } }
        })
    };
    let connect = app.connect_secret();
    let endpoint = "/api/v1/stripe/connect-webhook";

    // Correctly signed, but from another venue's account: ignored and answered 200.
    let other = app
        .send_event(endpoint, &connect, &succeeded("evt_other", "acct_other"))
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    // Signed with the platform endpoint's secret: refused.
    let platform_secret = app
        .server
        .config
        .stripe
        .as_ref()
        .unwrap()
        .webhook_secret
        .expose()
        .to_owned();
    let wrong_secret = app
        .send_event(
            endpoint,
            &platform_secret,
            &succeeded("evt_wrong", &account),
        )
        .await;
    assert_eq!(wrong_secret.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_secret.error_code(), "invalid_signature");
    // A Connect event sent to the platform endpoint is not the platform's: ignored.
    let misrouted = app
        .send_event(
            "/api/v1/stripe/webhook",
            &platform_secret,
            &succeeded("evt_misrouted", &account),
        )
        .await;
    assert_eq!(misrouted.status, StatusCode::OK, "{}", misrouted.body);
    // account.updated for an account no venue has: 200, nothing changes.
    let unknown = app
        .send_event(
            endpoint,
            &connect,
            &json!({ "id": "evt_unknown_account", "object": "event", "type": "account.updated",
                "account": "acct_nobody", "data": { "object": { "id": "acct_nobody",
                "object": "account", "charges_enabled": false, "payouts_enabled": false } } }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::OK, "{}", unknown.body);

    let order = app.order(&show.venue.host, &checkout).await.body;
    assert_eq!(order["status"], "pending", "{order}");
    assert_eq!(&app.statuses(&show).await[..1], "h");
    assert_eq!(
        app.payments(&show.venue, &show.token, false).await["status"],
        "connected"
    );

    // The real payment's event comes from the venue's account and sells the seat.
    app.pay(&checkout, VISA).await;
    app.await_order(&show.venue.host, &checkout, "paid").await;
}
