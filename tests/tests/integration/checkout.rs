//! Checkout, payment and refunds end to end over HTTP: the devserver's public, admin and
//! webhook routes, the local stack, and the stack's Stripe double (each test its own account),
//! which takes the card like the browser's card form does and delivers signed webhooks.

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with_payment_window};
use crate::holds::Show;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(crate) const VISA: &str = "4242424242424242";
pub(crate) const DECLINED: &str = "4000000000000002";

/// A cart token pair: (id, token).
type Cart = (String, String);

impl TestApp {
    pub(crate) fn stripe_url(&self) -> String {
        self.server
            .config
            .stripe
            .as_ref()
            .and_then(|s| s.api_base.clone())
            .expect("the Stripe double runs in the local stack (MARQUEE_STRIPE_URL)")
    }

    pub(crate) fn stripe_key(&self) -> String {
        self.server
            .config
            .stripe
            .as_ref()
            .map(|s| s.secret_key.expose().to_owned())
            .expect("a Stripe key")
    }

    /// A call on the double, as this test's Stripe account.
    pub(crate) async fn stripe(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.stripe_on(None, method, path, body).await
    }

    /// A request to the double on a venue's connected account (`Stripe-Account`).
    pub(crate) async fn stripe_on(
        &self,
        account: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.stripe_url()))
            .bearer_auth(self.stripe_key());
        if let Some(account) = account {
            request = request.header("stripe-account", account);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("the double answers")).await
    }

    /// Checks out every live hold of the cart at `price_type`.
    pub async fn checkout(&self, host: &str, cart: &Cart, email: &str) -> Reply {
        let view = self.cart(host, cart).await;
        let tickets: Vec<Value> = view.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| json!({ "holdId": item["holdId"], "priceType": "adult" }))
            .collect();
        self.checkout_with(
            host,
            cart,
            json!({ "email": email, "name": "Pat Patron", "tickets": tickets }),
        )
        .await
    }

    pub async fn checkout_with(&self, host: &str, cart: &Cart, body: Value) -> Reply {
        self.cart_call(
            Method::POST,
            host,
            &format!("/api/v1/carts/{}/checkout", cart.0),
            &cart.1,
            Some(body),
        )
        .await
    }

    /// Pays as the browser's test-card form does: card number and client secret to the
    /// double, never to Marquee.
    pub async fn pay(&self, checkout: &Value, card: &str) -> Reply {
        let payment = &checkout["payment"];
        let id = payment["paymentIntentId"].as_str().unwrap();
        let reply = self
            .http
            .post(format!(
                "{}/_double/payment_intents/{id}/pay",
                self.stripe_url()
            ))
            .json(&json!({
                "clientSecret": payment["clientSecret"],
                "cardNumber": card,
                "expMonth": 12,
                "expYear": 2030,
                "cvc": "123",
            }))
            .send()
            .await
            .expect("the double answers");
        Reply::from(reply).await
    }

    pub async fn order(&self, host: &str, checkout: &Value) -> Reply {
        let request = self
            .http
            .get(self.url(&format!(
                "/api/v1/orders/{}",
                checkout["orderId"].as_str().unwrap()
            )))
            .header("host", host)
            .header("x-order-token", checkout["orderToken"].as_str().unwrap());
        Reply::from(request.send().await.expect("request is sent")).await
    }

    /// Waits until the order reaches `status` (the webhook arrives in the background).
    pub async fn await_order(&self, host: &str, checkout: &Value, status: &str) -> Value {
        let started = Instant::now();
        loop {
            let order = self.order(host, checkout).await;
            assert_eq!(order.status, StatusCode::OK, "{}", order.body);
            if order.body["status"] == status {
                return order.body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the order never became {status}: {}",
                order.body
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn await_cart_status(&self, host: &str, cart: &Cart, status: &str) -> Value {
        let started = Instant::now();
        loop {
            let view = self.cart(host, cart).await;
            if view.body["status"] == status {
                return view.body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the cart never became {status}: {}",
                view.body
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The charge behind a PaymentIntent, from the double: amount and amount refunded.
    pub(crate) async fn charge_of(&self, checkout: &Value) -> Value {
        let id = checkout["payment"]["paymentIntentId"].as_str().unwrap();
        let intent = self
            .stripe_on(
                checkout["payment"]["stripeAccount"].as_str(),
                Method::GET,
                &format!("/v1/payment_intents/{id}?expand[]=latest_charge"),
                None,
            )
            .await;
        assert_eq!(intent.status, StatusCode::OK, "{}", intent.body);
        intent.body["latest_charge"].clone()
    }

    /// The webhook events the double recorded for this test's account.
    pub(crate) async fn stripe_events(&self, kind: &str) -> Vec<Value> {
        let events = self
            .stripe(Method::GET, &format!("/_double/events?type={kind}"), None)
            .await;
        events.body["data"].as_array().cloned().unwrap_or_default()
    }

    async fn admin_orders(&self, show: &Show) -> Vec<Value> {
        let list = self
            .get(&show.venue.host, "/admin/v1/orders", Some(&show.token))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        list.body["orders"].as_array().cloned().unwrap_or_default()
    }
}

fn seat_index(show: &Show, seat: &str) -> usize {
    show.seats.iter().flatten().position(|s| s == seat).unwrap()
}

fn status_of(statuses: &str, index: usize) -> char {
    statuses.chars().nth(index).unwrap()
}

#[tokio::test]
async fn a_patron_pays_once_for_seats_of_two_performances_and_gets_the_tickets() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 6, 600).await;
    let map = app
        .get(
            &show.venue.host,
            &format!("/admin/v1/performances/{}", show.performance),
            Some(&show.token),
        )
        .await
        .body["seatMapId"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.publish_on(&show.venue, &show.token, &map, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    // Two zone-A seats (5000 each) tonight, one zone-B seat (3000) at the second performance.
    let (a1, a2) = (show.seats[0][0].clone(), show.seats[0][1].clone());
    let b1 = show.seats[1][0].clone();
    assert_eq!(
        app.hold_seats(&show, &cart, &[&a1, &a2]).await.status,
        StatusCode::CREATED
    );
    let other = app
        .hold(
            &show.venue.host,
            &cart,
            json!({ "performanceId": second, "seats": [b1] }),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);

    let checkout = app
        .checkout(&show.venue.host, &cart, "patron@example.org")
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    let checkout = checkout.body;
    assert_eq!(checkout["totals"]["total"], 13000, "{checkout}");
    assert_eq!(checkout["status"], "pending");
    let number = checkout["orderNumber"].as_str().unwrap();
    assert_eq!(
        number.len(),
        9,
        "a readable number like K7QM-3XPD: {number}"
    );
    // The cart is now being paid for: it takes no more holds.
    let cart_view = app.cart(&show.venue.host, &cart).await;
    assert_eq!(cart_view.body["status"], "checkout");
    let more = app.hold_seats(&show, &cart, &[&show.seats[0][3]]).await;
    assert_eq!(more.status, StatusCode::CONFLICT, "{}", more.body);
    assert_eq!(more.body["error"]["code"], "cart_not_open");

    let paid = app.pay(&checkout, VISA).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    assert_eq!(order["tickets"].as_array().unwrap().len(), 3);
    assert!(
        order["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "valid" && t["eventTitle"] == "Torture Test"),
        "{order}"
    );
    // The charge is what the server computed.
    assert_eq!(app.charge_of(&checkout).await["amount"], 13000);

    let statuses = app.statuses(&show).await;
    assert_eq!(status_of(&statuses, seat_index(&show, &a1)), 's');
    assert_eq!(status_of(&statuses, seat_index(&show, &a2)), 's');
    let second_status = app
        .get(
            &show.venue.host,
            &format!("/api/v1/performances/{second}/seatmap/status"),
            None,
        )
        .await;
    let second_statuses = second_status.body["sections"]["Hall"].as_str().unwrap();
    assert_eq!(status_of(second_statuses, seat_index(&show, &b1)), 's');
    assert_eq!(
        app.cart(&show.venue.host, &cart).await.body["status"],
        "completed"
    );

    let mail = app
        .wait_for_mail("patron@example.org", Duration::from_secs(20))
        .await;
    assert!(mail.subject.contains(number), "{}", mail.subject);
    assert!(mail.body.contains("Torture Test"), "{}", mail.body);

    // Staff find the order by its number, as typed at the box office.
    let found = app
        .get(
            &show.venue.host,
            &format!(
                "/admin/v1/orders?q={}",
                number.to_lowercase().replace('-', "")
            ),
            Some(&show.token),
        )
        .await;
    assert_eq!(found.body["orders"][0]["number"], number, "{}", found.body);
}

#[tokio::test]
async fn a_declined_card_reopens_the_cart_with_its_holds_and_another_card_then_pays() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    let seat = show.seats[0][2].clone();
    app.hold_seats(&show, &cart, &[&seat]).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "declined@example.org")
        .await
        .body;

    let declined = app.pay(&checkout, DECLINED).await;
    assert_eq!(
        declined.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        declined.body
    );
    let cart_view = app.await_cart_status(&show.venue.host, &cart, "open").await;
    assert_eq!(
        cart_view["items"].as_array().unwrap().len(),
        1,
        "the hold stays"
    );
    let order = app.order(&show.venue.host, &checkout).await.body;
    assert_eq!(order["status"], "pending");
    assert!(
        order["problem"].as_str().is_some_and(|p| !p.is_empty()),
        "the decline is explained: {order}"
    );
    let statuses = app.statuses(&show).await;
    assert_eq!(status_of(&statuses, seat_index(&show, &seat)), 'h');

    // The patron tries another card on the same payment.
    assert_eq!(app.pay(&checkout, VISA).await.status, StatusCode::OK);
    app.await_order(&show.venue.host, &checkout, "paid").await;
    let statuses = app.statuses(&show).await;
    assert_eq!(status_of(&statuses, seat_index(&show, &seat)), 's');
}

#[tokio::test]
async fn duplicate_and_out_of_order_webhooks_settle_the_order_once() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "twice@example.org")
        .await
        .body;

    // Hold deliveries, decline once and then pay, and deliver newest first: the success
    // arrives before the failure.
    app.stripe(Method::POST, "/_double/webhooks/hold", Some(json!({})))
        .await;
    assert_eq!(
        app.pay(&checkout, DECLINED).await.status,
        StatusCode::PAYMENT_REQUIRED
    );
    assert_eq!(app.pay(&checkout, VISA).await.status, StatusCode::OK);
    let released = app
        .stripe(
            Method::POST,
            "/_double/webhooks/release",
            Some(json!({ "order": "reverse" })),
        )
        .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    app.await_order(&show.venue.host, &checkout, "paid").await;

    // The late failure must not reopen the paid cart.
    let started = Instant::now();
    while app.stripe_events("payment_intent.payment_failed").await[0]["deliveries"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["state"] != "delivered"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "failure never delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.cart(&show.venue.host, &cart).await.body["status"],
        "completed"
    );

    // The success again, twice: still one order, one set of sold seats, one email.
    let succeeded = app.stripe_events("payment_intent.succeeded").await;
    let event = succeeded[0]["id"].as_str().unwrap();
    for _ in 0..2 {
        let resent = app
            .stripe(
                Method::POST,
                &format!("/_double/events/{event}/resend"),
                Some(json!({})),
            )
            .await;
        assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    }
    app.wait_for_mail("twice@example.org", Duration::from_secs(20))
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        app.mail_to("twice@example.org").await.len(),
        1,
        "one confirmation"
    );
    let order = app.order(&show.venue.host, &checkout).await.body;
    assert_eq!(order["status"], "paid");
    assert_eq!(order["refunded"], 0);
    assert_eq!(app.admin_orders(&show).await.len(), 1);
    assert_eq!(&app.statuses(&show).await[..2], "ss");
}

#[tokio::test]
async fn webhooks_with_bad_signatures_stale_timestamps_or_unknown_intents_change_nothing() {
    let app = spawn_app().await;
    let secret = app
        .server
        .config
        .stripe
        .as_ref()
        .unwrap()
        .webhook_secret
        .expose()
        .to_owned();
    let show = app.grid_show(1, 4, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "forged@example.org")
        .await
        .body;
    let forged = json!({
        "id": "evt_forged", "object": "event", "type": "payment_intent.succeeded",
        "data": { "object": {
            "id": checkout["payment"]["paymentIntentId"], "object": "payment_intent",
            "amount": 5000, "amount_received": 5000, "currency": "gbp", "status": "succeeded",
            "metadata": { "tenant": show.venue.id, "order_id": checkout["orderId"] }
        } }
    })
    .to_string();
    let send = |body: String, signature: Option<String>| {
        let mut request = app
            .http
            .post(app.url("/api/v1/stripe/webhook"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        async move { Reply::from(request.send().await.unwrap()).await }
    };
    let now = chrono::Utc::now().timestamp();

    let unsigned = send(forged.clone(), None).await;
    assert_eq!(
        unsigned.status,
        StatusCode::BAD_REQUEST,
        "{}",
        unsigned.body
    );
    assert_eq!(unsigned.body["error"]["code"], "invalid_signature");
    let wrong_key = send(
        forged.clone(),
        Some(format!(
            "t={now},v1={}",
            sign("whsec_attacker", now, &forged)
        )),
    )
    .await;
    assert_eq!(wrong_key.status, StatusCode::BAD_REQUEST);
    let stale = now - 301;
    let replayed = send(
        forged.clone(),
        Some(format!("t={stale},v1={}", sign(&secret, stale, &forged))),
    )
    .await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST, "older than 300 s");
    // Signed over other bytes than those sent (re-serialised JSON).
    let reformatted =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&forged).unwrap()).unwrap();
    let tampered = send(
        reformatted,
        Some(format!("t={now},v1={}", sign(&secret, now, &forged))),
    )
    .await;
    assert_eq!(tampered.status, StatusCode::BAD_REQUEST);

    // Correctly signed, but about a PaymentIntent and order Marquee does not know.
    let unknown = json!({
        "id": "evt_unknown", "object": "event", "type": "payment_intent.succeeded",
        "data": { "object": { "id": "pi_nobody", "object": "payment_intent", "amount": 100,
            "currency": "gbp", "metadata": { "tenant": show.venue.id, "order_id": "01aaaaaaaaaaaaaaaaaaaaaaaa" } } }
    })
    .to_string();
    let ignored = send(
        unknown.clone(),
        Some(format!("t={now},v1={}", sign(&secret, now, &unknown))),
    )
    .await;
    assert_eq!(ignored.status, StatusCode::OK, "{}", ignored.body);
    let no_metadata = json!({ "id": "evt_other", "object": "event", "type": "payment_intent.succeeded",
        "data": { "object": { "id": "pi_x", "object": "payment_intent", "amount": 1, "currency": "gbp" } } })
    .to_string();
    let ignored = send(
        no_metadata.clone(),
        Some(format!("t={now},v1={}", sign(&secret, now, &no_metadata))),
    )
    .await;
    assert_eq!(ignored.status, StatusCode::OK, "{}", ignored.body);

    // Nothing was sold: the order is still waiting for its real payment.
    let order = app.order(&show.venue.host, &checkout).await.body;
    assert_eq!(order["status"], "pending", "{order}");
    assert_eq!(&app.statuses(&show).await[..1], "h");
}

pub(crate) fn sign(secret: &str, t: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_payment_after_the_holds_expired_takes_the_seats_that_are_still_free() {
    let app = spawn_app_with_payment_window(2).await;
    let show = app.grid_show(1, 6, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "slow@example.org")
        .await
        .body;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        &app.statuses(&show).await[..2],
        "ff",
        "the payment window has passed"
    );

    assert_eq!(app.pay(&checkout, VISA).await.status, StatusCode::OK);
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    assert_eq!(order["refunded"], 0);
    assert_eq!(&app.statuses(&show).await[..2], "ss");
}

#[tokio::test]
async fn a_payment_after_a_seat_went_to_someone_else_is_refunded_in_full_and_explained() {
    let app = spawn_app_with_payment_window(2).await;
    let show = app.grid_show(1, 6, 600).await;
    let slow = app.new_cart(&show.venue.host).await;
    let (first, second) = (show.seats[0][0].clone(), show.seats[0][1].clone());
    app.hold_seats(&show, &slow, &[&first, &second]).await;
    let checkout = app
        .checkout(&show.venue.host, &slow, "unlucky@example.org")
        .await
        .body;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Someone else takes one of the seats once the window has passed.
    let fast = app.new_cart(&show.venue.host).await;
    let taken = app.hold_seats(&show, &fast, &[&second]).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);

    assert_eq!(app.pay(&checkout, VISA).await.status, StatusCode::OK);
    let order = app
        .await_order(&show.venue.host, &checkout, "refunded")
        .await;
    assert_eq!(order["refunded"], order["totals"]["total"]);
    assert!(
        order["problem"]
            .as_str()
            .unwrap()
            .contains("taken by someone else"),
        "{order}"
    );
    let charge = app.charge_of(&checkout).await;
    assert_eq!(
        charge["amount_refunded"], charge["amount"],
        "refunded through Stripe"
    );
    let mail = app
        .wait_for_mail("unlucky@example.org", Duration::from_secs(20))
        .await;
    assert!(mail.subject.starts_with("Refund"), "{}", mail.subject);

    // The other buyer's hold is untouched; the first seat is not left sold or held.
    let statuses = app.statuses(&show).await;
    assert_eq!(status_of(&statuses, 1), 'h', "{statuses}");
    assert_eq!(status_of(&statuses, 0), 'f', "{statuses}");
    let fast_cart = app.cart(&show.venue.host, &fast).await;
    assert_eq!(fast_cart.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn amounts_come_from_the_price_table_never_from_the_client() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let hold_id = app.cart(&show.venue.host, &cart).await.body["items"][0]["holdId"].clone();

    let with_amount = app
        .checkout_with(
            &show.venue.host,
            &cart,
            json!({ "email": "a@example.org", "name": "A", "total": 1,
                    "tickets": [{ "holdId": hold_id, "priceType": "adult" }] }),
        )
        .await;
    assert!(with_amount.status.is_client_error(), "{}", with_amount.body);
    let with_price = app
        .checkout_with(
            &show.venue.host,
            &cart,
            json!({ "email": "a@example.org", "name": "A",
                    "tickets": [{ "holdId": hold_id, "priceType": "adult", "price": 1 }] }),
        )
        .await;
    assert!(with_price.status.is_client_error(), "{}", with_price.body);
    let unknown_type = app
        .checkout_with(
            &show.venue.host,
            &cart,
            json!({ "email": "a@example.org", "name": "A",
                    "tickets": [{ "holdId": hold_id, "priceType": "free-for-me" }] }),
        )
        .await;
    assert_eq!(unknown_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_type.body["error"]["code"], "invalid_price_type");
    assert_eq!(
        unknown_type.body["error"]["details"]["available"],
        json!(["adult"])
    );
    let missing = app
        .checkout_with(
            &show.venue.host,
            &cart,
            json!({ "email": "a@example.org", "name": "A", "tickets": [] }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_email = app
        .checkout_with(
            &show.venue.host,
            &cart,
            json!({ "email": "not-an-email", "name": "A",
                    "tickets": [{ "holdId": hold_id, "priceType": "adult" }] }),
        )
        .await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_email.body["error"]["details"]["field"], "email");
    // Nothing above moved the cart.
    assert_eq!(
        app.cart(&show.venue.host, &cart).await.body["status"],
        "open"
    );

    let checkout = app.checkout(&show.venue.host, &cart, "a@example.org").await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    assert_eq!(checkout.body["totals"]["total"], 5000);
    let intent = app
        .stripe_on(
            checkout.body["payment"]["stripeAccount"].as_str(),
            Method::GET,
            &format!(
                "/v1/payment_intents/{}",
                checkout.body["payment"]["paymentIntentId"]
                    .as_str()
                    .unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(intent.body["amount"], 5000);
    assert_eq!(intent.body["currency"], "gbp");
}

#[tokio::test]
async fn concurrent_checkouts_of_one_cart_make_one_order_and_one_payment() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    let attempts = futures::future::join_all(
        (0..8).map(|_| app.checkout(&show.venue.host, &cart, "racer@example.org")),
    )
    .await;
    let created: Vec<&Reply> = attempts
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert_eq!(created.len(), 1, "{attempts:?}");
    assert!(
        attempts
            .iter()
            .filter(|r| r.status != StatusCode::CREATED)
            .all(|r| r.status == StatusCode::CONFLICT),
        "{attempts:?}"
    );
    let orders = app.admin_orders(&show).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(app.pay(&created[0].body, VISA).await.status, StatusCode::OK);
    app.await_order(&show.venue.host, &created[0].body, "paid")
        .await;
}

#[tokio::test]
async fn refunds_put_seats_back_on_sale_and_never_return_more_than_was_paid() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 4, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    // 5000 + 3000.
    let (front, back) = (show.seats[0][0].clone(), show.seats[1][0].clone());
    app.hold_seats(&show, &cart, &[&front, &back]).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "refund@example.org")
        .await
        .body;
    app.pay(&checkout, VISA).await;
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    let order_id = checkout["orderId"].as_str().unwrap();
    let back_ticket = order["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["price"] == 3000)
        .unwrap()["id"]
        .clone();

    // The scanner role may not refund.
    let refund_path = format!("/admin/v1/orders/{order_id}/refund");
    let partial = app
        .post(
            &show.venue.host,
            &refund_path,
            Some(&show.token),
            json!({ "tickets": [back_ticket], "reason": "Could not come" }),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{}", partial.body);
    assert_eq!(partial.body["status"], "partially_refunded");
    assert_eq!(partial.body["refunded"], 3000);
    let statuses = app.statuses(&show).await;
    assert_eq!(
        status_of(&statuses, seat_index(&show, &back)),
        'f',
        "back on sale"
    );
    assert_eq!(status_of(&statuses, seat_index(&show, &front)), 's');
    let again = app
        .post(
            &show.venue.host,
            &refund_path,
            Some(&show.token),
            json!({ "tickets": [back_ticket] }),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );

    // Someone else can buy the refunded seat at once.
    let next = app.new_cart(&show.venue.host).await;
    assert_eq!(
        app.hold_seats(&show, &next, &[&back]).await.status,
        StatusCode::CREATED
    );

    let rest = app
        .post(&show.venue.host, &refund_path, Some(&show.token), json!({}))
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);
    assert_eq!(rest.body["status"], "refunded");
    let charge = app.charge_of(&checkout).await;
    assert_eq!(charge["amount_refunded"], 8000);
    assert_eq!(charge["amount"], 8000);
    let none_left = app
        .post(&show.venue.host, &refund_path, Some(&show.token), json!({}))
        .await;
    assert_eq!(none_left.status, StatusCode::CONFLICT);
    let patron = app.order(&show.venue.host, &checkout).await.body;
    assert_eq!(patron["status"], "refunded");
    assert_eq!(patron["refunds"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn cancelling_a_performance_refunds_every_order_once_however_often_it_is_asked() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let mut checkouts = Vec::new();
    for (i, seats) in [[0, 1], [2, 3]].iter().enumerate() {
        let cart = app.new_cart(&show.venue.host).await;
        app.hold_seats(
            &show,
            &cart,
            &[&show.seats[0][seats[0]], &show.seats[0][seats[1]]],
        )
        .await;
        let checkout = app
            .checkout(&show.venue.host, &cart, &format!("buyer{i}@example.org"))
            .await
            .body;
        app.pay(&checkout, VISA).await;
        app.await_order(&show.venue.host, &checkout, "paid").await;
        checkouts.push(checkout);
    }
    let cancel_path = format!("/admin/v1/performances/{}/cancel", show.performance);
    for _ in 0..2 {
        let cancelled = app
            .post(&show.venue.host, &cancel_path, Some(&show.token), json!({}))
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(cancelled.body["status"], "cancelled");
        assert_eq!(cancelled.body["refunds"]["orders"], 2);
        assert_eq!(cancelled.body["refunds"]["refunded"], 2);
        assert_eq!(cancelled.body["refunds"]["failed"], 0);
    }
    for checkout in &checkouts {
        let order = app.order(&show.venue.host, checkout).await.body;
        assert_eq!(order["status"], "refunded");
        let charge = app.charge_of(checkout).await;
        assert_eq!(charge["amount_refunded"], 10000, "refunded once: {charge}");
    }
}

#[tokio::test]
async fn a_free_order_completes_without_a_payment() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let map = app
        .import_csv(&venue, &token, "Grid", &crate::holds::grid_csv(1, 4))
        .await;
    let event = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&token),
            json!({ "title": "Open rehearsal" }),
        )
        .await;
    let created = app
        .post(
            &venue.host,
            &format!("/admin/v1/events/{}/performances", event.body["id"].as_str().unwrap()),
            Some(&token),
            json!({
                "startsAt": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339(),
                "seatMapId": map.body["id"],
                "prices": [ { "zone": "A", "priceType": "guest", "amount": 0 }, { "zone": "B", "priceType": "guest", "amount": 0 } ],
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let performance = created.body["id"].as_str().unwrap().to_owned();
    app.post(
        &venue.host,
        &format!("/admin/v1/performances/{performance}/publish"),
        Some(&token),
        json!({}),
    )
    .await;
    let cart = app.new_cart(&venue.host).await;
    let held = app
        .hold(
            &venue.host,
            &cart,
            json!({ "performanceId": performance, "bestAvailable": { "quantity": 2 } }),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let tickets: Vec<Value> = held.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({ "holdId": i["holdId"], "priceType": "guest" }))
        .collect();
    let mail = app
        .put(
            &venue.host,
            "/admin/v1/venue",
            Some(&token),
            json!({ "mail": { "enabled": true, "cutoffDays": 1, "countries": ["US"] } }),
        )
        .await;
    assert_eq!(mail.status, StatusCode::OK, "{}", mail.body);
    let checkout = app
        .checkout_with(
            &venue.host,
            &cart,
            json!({ "email": "guest@example.org", "name": "Guest", "delivery": "mail", "tickets": tickets,
                    "address": crate::mail::us_address("95014") }),
        )
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    assert_eq!(checkout.body["status"], "paid");
    assert_eq!(checkout.body["payment"], Value::Null);
    let order = app.order(&venue.host, &checkout.body).await.body;
    assert_eq!(order["status"], "paid");
    assert_eq!(order["delivery"], "mail");
    app.wait_for_mail("guest@example.org", Duration::from_secs(20))
        .await;
}

#[tokio::test]
async fn an_order_is_only_shown_with_its_token_and_on_its_own_venue() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "private@example.org")
        .await
        .body;
    let path = format!("/api/v1/orders/{}", checkout["orderId"].as_str().unwrap());
    assert_eq!(
        app.get(&show.venue.host, &path, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = app
        .get(
            &show.venue.host,
            &format!("{path}?token=not-the-token"),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let right = app
        .get(
            &show.venue.host,
            &format!("{path}?token={}", checkout["orderToken"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    let other = app.create_venue().await;
    let elsewhere = app
        .get(
            &other.host,
            &format!("{path}?token={}", checkout["orderToken"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "another venue's order"
    );
}

#[tokio::test]
async fn a_performance_says_sold_out_when_nothing_is_left_and_not_after_a_refund() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 3, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    let seats: Vec<&str> = show.seats[0].iter().map(String::as_str).collect();
    app.hold_seats(&show, &cart, &seats).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "everything@example.org")
        .await
        .body;
    app.pay(&checkout, VISA).await;
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    let path = format!("/api/v1/performances/{}", show.performance);
    let sold_out = |expected: bool| {
        let app = &app;
        let path = path.clone();
        let host = show.venue.host.clone();
        async move {
            let started = Instant::now();
            loop {
                let reply = app.get(&host, &path, None).await;
                if reply.body["availability"]["soldOut"] == expected {
                    return;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "soldOut never became {expected}: {}",
                    reply.body
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    sold_out(true).await;
    let refund = app
        .post(
            &show.venue.host,
            &format!(
                "/admin/v1/orders/{}/refund",
                checkout["orderId"].as_str().unwrap()
            ),
            Some(&show.token),
            json!({ "tickets": [order["tickets"][0]["id"]] }),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    sold_out(false).await;
}

/// The admin API asked Stripe for a refund and stopped before writing it down (simulated by
/// asking the double directly, with the metadata Marquee sends): Stripe's `refund.created`
/// event writes it, so money returned always ends as refunded tickets and a told patron.
#[tokio::test]
async fn a_refund_paid_out_but_never_written_is_written_by_stripes_event() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    let seats = [show.seats[0][0].clone(), show.seats[0][1].clone()];
    app.hold_seats(&show, &cart, &[&seats[0], &seats[1]]).await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "halfway@example.org")
        .await
        .body;
    app.pay(&checkout, VISA).await;
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    let ticket = &order["tickets"][0];
    let tenant = marquee_domain::TenantId::parse(&show.venue.id).unwrap();
    let order_id = marquee_domain::OrderId::parse(checkout["orderId"].as_str().unwrap()).unwrap();
    let stored = app
        .server
        .store
        .order(&tenant, &order_id)
        .await
        .unwrap()
        .unwrap();
    let intent = checkout["payment"]["paymentIntentId"].as_str().unwrap();
    let refund = app
        .http
        .post(format!("{}/v1/refunds", app.stripe_url()))
        .bearer_auth(app.stripe_key())
        .header(
            "stripe-account",
            checkout["payment"]["stripeAccount"].as_str().unwrap(),
        )
        .header(
            "idempotency-key",
            format!("refund-{}-v{}", stored.id, stored.version),
        )
        .form(&[
            ("payment_intent", intent.to_owned()),
            ("amount", ticket["price"].to_string()),
            ("metadata[tenant]", show.venue.id.clone()),
            ("metadata[order_id]", stored.id.to_string()),
            ("metadata[order_version]", stored.version.to_string()),
            (
                "metadata[tickets]",
                ticket["id"].as_str().unwrap().to_owned(),
            ),
            ("metadata[reason]", "Could not come".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert!(refund.status().is_success(), "{:?}", refund.text().await);

    let order = app
        .await_order(&show.venue.host, &checkout, "partially_refunded")
        .await;
    assert_eq!(order["refunded"], ticket["price"]);
    assert_eq!(order["tickets"][0]["status"], "refunded");
    assert_eq!(order["refunds"][0]["reason"], "Could not come");
    let charge = app.charge_of(&checkout).await;
    assert_eq!(charge["amount_refunded"], ticket["price"], "paid out once");
    let statuses = app.statuses(&show).await;
    let mut states: Vec<char> = seats
        .iter()
        .map(|seat| status_of(&statuses, seat_index(&show, seat)))
        .collect();
    states.sort_unstable();
    assert_eq!(
        states,
        ['f', 's'],
        "the refunded ticket's seat is back on sale"
    );
    // The patron is told once.
    let started = Instant::now();
    loop {
        let notices = app
            .mail_to("halfway@example.org")
            .await
            .into_iter()
            .filter(|m| m.subject.to_lowercase().contains("refund"))
            .count();
        if notices == 1 {
            break;
        }
        assert!(notices < 2, "told twice");
        assert!(started.elapsed() < Duration::from_secs(20), "never told");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
