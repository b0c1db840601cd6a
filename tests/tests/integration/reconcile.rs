//! Reconciliation end to end: a payment whose webhook never arrives (the Stripe double holds
//! its deliveries) is completed by the devserver's reconciliation timer — what the
//! `reconcile` function's schedule does in AWS — and the late webhook then changes nothing.

use crate::helpers::{TestApp, start_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const VISA: &str = "4242424242424242";

/// An app whose reconciliation runs every half second.
async fn app_reconciling() -> TestApp {
    start_app(|options| {
        let stripe = options
            .stripe
            .as_mut()
            .expect("the Stripe double runs in the local stack (MARQUEE_STRIPE_URL)");
        stripe.reconcile_every = Some(Duration::from_millis(500));
    })
    .await
}

/// A control call on the double, as this test's Stripe account.
async fn double(app: &TestApp, path: &str) -> Value {
    let stripe = app.server.config.stripe.as_ref().expect("Stripe");
    let base = stripe.api_base.clone().expect("the double's URL");
    let request = if path.starts_with("/_double/events") {
        app.http.get(format!("{base}{path}"))
    } else {
        app.http.post(format!("{base}{path}")).json(&json!({}))
    };
    let response = request
        .bearer_auth(stripe.secret_key.expose())
        .send()
        .await
        .expect("the double answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("JSON")
}

/// The first delivery state of every `payment_intent.succeeded` event.
async fn succeeded_deliveries(app: &TestApp) -> Vec<String> {
    double(app, "/_double/events?type=payment_intent.succeeded").await["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            e["deliveries"][0]["state"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_payment_whose_webhook_never_arrived_is_completed_by_reconciliation_and_mailed_once() {
    let app = app_reconciling().await;
    let show = app.grid_show(1, 6, 600).await;
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    let email = "no-webhook@example.org";
    let checkout = app.checkout(&show.venue.host, &cart, email).await.body;

    // The webhook never comes: the double holds every delivery.
    double(&app, "/_double/webhooks/hold").await;
    assert_eq!(app.pay(&checkout, VISA).await.status, StatusCode::OK);
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    assert_eq!(
        succeeded_deliveries(&app).await,
        ["held"],
        "not by the webhook"
    );
    assert_eq!(
        order["tickets"].as_array().map(Vec::len),
        Some(2),
        "{order}"
    );
    assert_eq!(&app.statuses(&show).await[..2], "ss");
    app.wait_for_mail(email, Duration::from_secs(20)).await;

    // The webhook arrives late after all: recognised as done, nothing sold or sent again.
    double(&app, "/_double/webhooks/release").await;
    let started = Instant::now();
    while succeeded_deliveries(&app).await != ["delivered"] {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the late webhook was never delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Reconciliation keeps running meanwhile; give it and the mailer a few rounds.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(app.mail_to(email).await.len(), 1, "one confirmation");
    let after = app.order(&show.venue.host, &checkout).await.body;
    assert_eq!(after["status"], "paid");
    assert_eq!(after["refunded"], 0);
    let sold = app
        .statuses(&show)
        .await
        .chars()
        .filter(|c| *c == 's')
        .count();
    assert_eq!(sold, 2, "no other seat sold");
}
