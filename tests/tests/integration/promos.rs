//! Promo codes over HTTP against the local stack: staff create and change them, a patron puts
//! one on the cart and pays the discounted total, the last use goes to exactly one of many
//! carts checking out at once, a cancelled checkout gives its use back, and every refusal has
//! its own code.

use crate::checkout::VISA;
use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with_payment_window};
use crate::holds::Show;
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

type Cart = (String, String);

impl TestApp {
    async fn create_promo(&self, show: &Show, body: Value) -> Reply {
        self.post(
            &show.venue.host,
            "/admin/v1/promo-codes",
            Some(&show.token),
            body,
        )
        .await
    }

    async fn apply_promo(&self, show: &Show, cart: &Cart, code: &str) -> Reply {
        self.cart_call(
            Method::POST,
            &show.venue.host,
            &format!("/api/v1/carts/{}/promo", cart.0),
            &cart.1,
            Some(json!({ "code": code })),
        )
        .await
    }

    async fn promo_codes(&self, show: &Show) -> Vec<Value> {
        let list = self
            .get(&show.venue.host, "/admin/v1/promo-codes", Some(&show.token))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        list.body["promoCodes"].as_array().unwrap().clone()
    }

    /// A cart holding the seats with `code` applied.
    async fn cart_with_code(&self, show: &Show, seats: &[&str], code: &str) -> Cart {
        let cart = self.new_cart(&show.venue.host).await;
        let held = self.hold_seats(show, &cart, seats).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let applied = self.apply_promo(show, &cart, code).await;
        assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
        cart
    }
}

#[tokio::test]
async fn a_patron_pays_the_discounted_total_and_staff_see_the_use_counted() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 4, 600).await;
    let created = app
        .create_promo(
            &show,
            json!({ "code": "spring20", "percentOff": 20, "maxUses": 100 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["code"], "SPRING20");
    assert_eq!(created.body["status"], "active");

    let cart = app
        .cart_with_code(&show, &[&show.seats[0][0], &show.seats[0][1]], "Spring20")
        .await;
    let view = app.cart(&show.venue.host, &cart).await;
    assert_eq!(view.body["promo"]["code"], "SPRING20");
    assert_eq!(view.body["promo"]["percentOff"], 20);

    let checkout = app
        .checkout(&show.venue.host, &cart, "promo@example.org")
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    let totals = &checkout.body["totals"];
    assert_eq!(totals["subtotal"], 10_000, "2 × $50.00 (zone A)");
    assert_eq!(totals["discount"], 2_000);
    assert_eq!(totals["total"], 8_000);
    assert_eq!(totals["lines"][0]["discount"], 1_000);
    assert_eq!(app.pay(&checkout.body, VISA).await.status, StatusCode::OK);
    assert_eq!(
        app.charge_of(&checkout.body).await["amount"],
        8_000,
        "the card is charged the discounted total"
    );
    let order = app
        .await_order(&show.venue.host, &checkout.body, "paid")
        .await;
    assert_eq!(order["totals"]["total"], 8_000);

    let codes = app.promo_codes(&show).await;
    assert_eq!(codes[0]["uses"], 1, "{codes:?}");
}

#[tokio::test]
async fn many_carts_checking_out_at_once_share_the_last_uses_exactly() {
    let app = spawn_app().await;
    let show = app.grid_show(4, 6, 600).await;
    let created = app
        .create_promo(
            &show,
            json!({ "code": "LASTTWO", "amountOff": 500, "maxUses": 2 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let mut carts = Vec::new();
    for (i, seat) in show.seats.iter().flatten().take(12).enumerate() {
        let cart = app.cart_with_code(&show, &[seat], "lasttwo").await;
        carts.push((cart, format!("racer{i}@example.org")));
    }
    let attempts = futures::future::join_all(
        carts
            .iter()
            .map(|(cart, email)| app.checkout(&show.venue.host, cart, email)),
    )
    .await;
    let granted: Vec<&Reply> = attempts
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert_eq!(granted.len(), 2, "{attempts:?}");
    assert!(granted.iter().all(|r| r.body["totals"]["discount"] == 500));
    for refused in attempts.iter().filter(|r| r.status != StatusCode::CREATED) {
        // A checkout that lost a race to a concurrent transaction may be told to try again.
        assert!(
            refused.error_code() == "promo_exhausted" || refused.error_code() == "busy",
            "{refused:?}"
        );
    }
    assert_eq!(app.promo_codes(&show).await[0]["uses"], 2);
    assert_eq!(app.promo_codes(&show).await[0]["status"], "used_up");
    // Applying it now is refused at once.
    let late = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &late, &[&show.seats[3][5]]).await;
    let refused = app.apply_promo(&show, &late, "LASTTWO").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_code(), "promo_exhausted");
}

#[tokio::test]
async fn a_checkout_abandoned_for_another_gives_its_use_back() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    app.create_promo(
        &show,
        json!({ "code": "ONEONLY", "percentOff": 50, "maxUses": 1, "perPatron": 1 }),
    )
    .await;
    let cart = app
        .cart_with_code(&show, &[&show.seats[0][0]], "ONEONLY")
        .await;
    let first = app
        .checkout(&show.venue.host, &cart, "twice@example.org")
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // The card is declined: the cart opens again and the patron checks out once more. The
    // first order is cancelled and its use returns, so the second checkout gets the code.
    let declined = app.pay(&first.body, crate::checkout::DECLINED).await;
    assert_ne!(declined.status, StatusCode::OK);
    app.await_cart_status(&show.venue.host, &cart, "open").await;
    let second = app
        .checkout(&show.venue.host, &cart, "twice@example.org")
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["totals"]["discount"], 2_500);
    let codes = app.promo_codes(&show).await;
    assert_eq!(codes[0]["uses"], 1, "one use, not two: {codes:?}");
}

#[tokio::test]
async fn refusals_name_the_reason_and_change_nothing() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    // Bad terms.
    for (body, field) in [
        (json!({ "code": "X", "percentOff": 10 }), "code"),
        (
            json!({ "code": "BOTH", "percentOff": 10, "amountOff": 100 }),
            "percentOff",
        ),
        (json!({ "code": "MUCH", "percentOff": 150 }), "percentOff"),
        (
            json!({ "code": "BACKWARDS", "percentOff": 10, "validFrom": "2027-05-01T00:00:00Z", "validTo": "2027-04-01T00:00:00Z" }),
            "validTo",
        ),
    ] {
        let refused = app.create_promo(&show, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(
            refused.body["error"]["details"]["field"], field,
            "{}",
            refused.body
        );
    }
    app.create_promo(&show, json!({ "code": "TAKEN", "percentOff": 10 }))
        .await;
    let twice = app
        .create_promo(&show, json!({ "code": "taken", "percentOff": 5 }))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.error_code(), "promo_code_taken");

    let past = (Utc::now() - Duration::days(1)).to_rfc3339();
    app.create_promo(
        &show,
        json!({ "code": "OLD", "percentOff": 10, "validTo": past }),
    )
    .await;
    app.create_promo(
        &show,
        json!({ "code": "ELSEWHERE", "percentOff": 10, "performanceIds": ["01j00000000000000000000000"] }),
    )
    .await;
    app.create_promo(
        &show,
        json!({ "code": "STUDENTS", "percentOff": 10, "priceTypes": ["student"] }),
    )
    .await;
    let cart = app.new_cart(&host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    for (code, status, error) in [
        ("OLD", StatusCode::UNPROCESSABLE_ENTITY, "promo_expired"),
        (
            "ELSEWHERE",
            StatusCode::UNPROCESSABLE_ENTITY,
            "promo_not_applicable",
        ),
        (
            "NOSUCHCODE",
            StatusCode::UNPROCESSABLE_ENTITY,
            "promo_not_applicable",
        ),
    ] {
        let refused = app.apply_promo(&show, &cart, code).await;
        assert_eq!(
            (refused.status, refused.error_code()),
            (status, error),
            "{code}: {}",
            refused.body
        );
    }
    assert!(app.cart(&host, &cart).await.body.get("promo").is_none());
    // A code for students only, with adult tickets: refused at checkout, then removed.
    assert_eq!(
        app.apply_promo(&show, &cart, "STUDENTS").await.status,
        StatusCode::OK
    );
    let refused = app.checkout(&host, &cart, "adult@example.org").await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "promo_not_applicable");
    let removed = app
        .cart_call(
            Method::DELETE,
            &host,
            &format!("/api/v1/carts/{}/promo", cart.0),
            &cart.1,
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let paid_in_full = app.checkout(&host, &cart, "adult@example.org").await;
    assert_eq!(
        paid_in_full.status,
        StatusCode::CREATED,
        "{}",
        paid_in_full.body
    );
    assert_eq!(paid_in_full.body["totals"]["discount"], 0);
    assert_eq!(paid_in_full.body["totals"]["total"], 5_000);
}

#[tokio::test]
async fn staff_edit_and_delete_codes_and_the_audit_log_keeps_the_before_and_after() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    app.create_promo(&show, json!({ "code": "FLASH", "percentOff": 10 }))
        .await;
    let edited = app
        .put(
            &host,
            "/admin/v1/promo-codes/flash",
            Some(&show.token),
            json!({ "code": "FLASH", "amountOff": 700, "maxUses": 5 }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["amountOff"], 700);
    assert_eq!(edited.body["version"], 1);
    let stale = app
        .put(
            &host,
            "/admin/v1/promo-codes/FLASH",
            Some(&show.token),
            json!({ "code": "FLASH", "percentOff": 90, "version": 0 }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.error_code(), "edit_conflict");
    assert!(edited.body.get("percentOff").is_none(), "{}", edited.body);
    let cart = app
        .cart_with_code(&show, &[&show.seats[0][0]], "FLASH")
        .await;
    let deleted = app
        .call(
            Method::DELETE,
            &host,
            "/admin/v1/promo-codes/FLASH",
            Some(&show.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    // The cart that had it is refused at checkout; the code is listed as deleted.
    let refused = app.checkout(&host, &cart, "late@example.org").await;
    assert_eq!(
        refused.error_code(),
        "promo_not_applicable",
        "{}",
        refused.body
    );
    assert_eq!(app.promo_codes(&show).await[0]["status"], "deleted");
    let again = app
        .call(
            Method::DELETE,
            &host,
            "/admin/v1/promo-codes/FLASH",
            Some(&show.token),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    let audit = app
        .get(
            &host,
            "/admin/v1/audit?kind=promo_edited",
            Some(&show.token),
        )
        .await;
    let entry = &audit.body["entries"][0];
    assert_eq!(entry["target"], "promo:FLASH");
    assert_eq!(entry["before"]["percentOff"], 10);
    assert_eq!(entry["after"]["amountOff"], 700);
}

#[tokio::test]
async fn a_promo_checkout_nobody_pays_gives_its_use_back_when_the_sweep_finds_it() {
    // Holds of 10 s, a payment window of 3 s: the devserver's sweep finds the checkout
    // abandoned within seconds.
    let app = spawn_app_with_payment_window(3).await;
    let show = app.grid_show(1, 4, 10).await;
    app.create_promo(
        &show,
        json!({ "code": "LASTONE", "percentOff": 10, "maxUses": 1 }),
    )
    .await;
    let cart = app
        .cart_with_code(&show, &[&show.seats[0][0]], "LASTONE")
        .await;
    let checkout = app
        .checkout(&show.venue.host, &cart, "gone@example.org")
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    assert_eq!(app.promo_codes(&show).await[0]["uses"], 1);
    let started = std::time::Instant::now();
    loop {
        let order = app.order(&show.venue.host, &checkout.body).await;
        if order.body["status"] == "cancelled" {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "the abandoned checkout was never cancelled: {}",
            order.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(
        app.promo_codes(&show).await[0]["uses"],
        0,
        "the use is back"
    );
    let next = app
        .cart_with_code(&show, &[&show.seats[0][1]], "LASTONE")
        .await;
    let paid = app
        .checkout(&show.venue.host, &next, "next@example.org")
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
}

/// A hidden price (here `friends`, $20.00 in zone A) is never shown to patrons; a code that
/// unlocks it lists it on the cart and sells it at checkout; without the code it is refused,
/// and staff see it marked hidden.
#[tokio::test]
async fn a_hidden_price_is_shown_and_sold_only_with_a_code_that_unlocks_it() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let path = format!("/admin/v1/performances/{}", show.performance);
    let before = app.get(&host, &path, Some(&show.token)).await;
    let edited = app
        .put(
            &host,
            &path,
            Some(&show.token),
            json!({
                "updatedAt": before.body["updatedAt"],
                "prices": [
                    { "zone": "A", "priceType": "adult", "amount": 5000 },
                    { "zone": "A", "priceType": "friends", "amount": 2000, "hidden": true },
                    { "zone": "B", "priceType": "adult", "amount": 3000 }
                ],
            }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let staff_prices = edited.body["prices"].as_array().unwrap();
    assert!(
        staff_prices
            .iter()
            .any(|p| p["priceType"] == "friends" && p["hidden"] == true),
        "{staff_prices:?}"
    );
    let public = app
        .get(
            &host,
            &format!("/api/v1/performances/{}", show.performance),
            None,
        )
        .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(
        !public.body.to_string().contains("friends"),
        "patrons never see a hidden price: {}",
        public.body
    );

    let created = app
        .create_promo(&show, json!({ "code": "friends", "unlocks": ["friends"] }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["unlocks"], json!(["friends"]));

    // Without the code: refused, naming the prices this seat does have.
    let plain = app.new_cart(&host).await;
    app.hold_seats(&show, &plain, &[&show.seats[0][0]]).await;
    let items = app.cart(&host, &plain).await.body["items"].clone();
    let friends_for = |items: &Value| -> Vec<Value> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!({ "holdId": i["holdId"], "priceType": "friends" }))
            .collect()
    };
    let refused = app
        .checkout_with(
            &host,
            &plain,
            json!({ "email": "pat@example.org", "name": "Pat", "tickets": friends_for(&items) }),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["error"]["code"], "invalid_price_type");
    assert_eq!(
        refused.body["error"]["details"]["available"],
        json!(["adult"])
    );

    // With it: the cart lists the unlocked price, and checkout sells it.
    let cart = app
        .cart_with_code(&show, &[&show.seats[0][1], &show.seats[0][2]], "FRIENDS")
        .await;
    let view = app.cart(&host, &cart).await;
    assert_eq!(
        view.body["promo"]["unlocks"],
        json!([{ "performanceId": show.performance, "zone": "A", "priceType": "friends", "amount": 2000 }])
    );
    let checkout = app
        .checkout_with(
            &host,
            &cart,
            json!({ "email": "friend@example.org", "name": "Fran", "tickets": friends_for(&view.body["items"]) }),
        )
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    assert_eq!(checkout.body["totals"]["subtotal"], 4_000, "2 × $20.00");
    assert_eq!(app.pay(&checkout.body, VISA).await.status, StatusCode::OK);
    let order = app.await_order(&host, &checkout.body, "paid").await;
    assert_eq!(order["totals"]["subtotal"], 4_000);
    assert_eq!(app.promo_codes(&show).await[0]["uses"], 1);
}
