//! Webhook delivery: shape, signature, retries, duplicates, reordering, lateness and
//! endpoints registered through the API.

use std::time::{Duration, Instant};

use serde_json::json;
use stripe_double::{DEFAULT_TOLERANCE, verify};

use crate::support::{Receiver, TestDouble, WEBHOOK_SECRET, id};

#[tokio::test]
async fn a_successful_payment_sends_a_signed_payment_intent_succeeded_event() {
    let double = TestDouble::spawn().await;
    let intent = double.paid_intent(2500).await;

    let received = double.receiver.wait_for(1).await;
    let webhook = &received[0];
    assert!(
        verify(
            &webhook.signature,
            webhook.body.as_bytes(),
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE
        )
        .is_ok()
    );
    let event = webhook.event();
    assert!(id(&event).starts_with("evt_"));
    assert_eq!(event["object"], "event");
    assert_eq!(event["type"], "payment_intent.succeeded");
    assert_eq!(event["livemode"], false);
    assert_eq!(event["api_version"], stripe_double::API_VERSION);
    assert_eq!(event["pending_webhooks"], 1);
    assert!(event["created"].is_i64());
    assert!(event["request"]["id"].as_str().unwrap().starts_with("req_"));
    assert_eq!(event["data"]["object"]["id"], intent["id"]);
    assert_eq!(event["data"]["object"]["status"], "succeeded");
    assert_eq!(event["data"]["object"]["metadata"]["cart_id"], "cart_1");

    let listed = double.events().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["event"], event);
    assert_eq!(listed[0]["deliveries"][0]["state"], "delivered");
    assert_eq!(listed[0]["deliveries"][0]["attempts"][0]["status"], 200);
}

#[tokio::test]
async fn a_decline_sends_payment_failed_and_a_refund_sends_refund_and_charge_events() {
    let double = TestDouble::spawn().await;
    let intent = double.create_intent(3000).await;
    let path = format!("/v1/payment_intents/{}/confirm", id(&intent));
    double
        .post(&path, &[("payment_method", "pm_card_chargeDeclined")])
        .await;
    double
        .post(&path, &[("payment_method", "pm_card_visa")])
        .await;
    double
        .post(
            "/v1/refunds",
            &[("payment_intent", id(&intent)), ("amount", "1000")],
        )
        .await;

    let received = double.receiver.wait_for(4).await;
    let mut types: Vec<String> = received
        .iter()
        .map(|r| r.event()["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "charge.refunded",
            "payment_intent.payment_failed",
            "payment_intent.succeeded",
            "refund.created"
        ]
    );
    let by_type = |kind: &str| {
        received
            .iter()
            .map(|r| r.event())
            .find(|event| event["type"] == kind)
            .unwrap()
    };
    let failed = by_type("payment_intent.payment_failed");
    assert_eq!(
        failed["data"]["object"]["last_payment_error"]["decline_code"],
        "generic_decline"
    );
    assert_eq!(
        failed["data"]["object"]["status"],
        "requires_payment_method"
    );
    let refunded = by_type("charge.refunded");
    assert_eq!(refunded["data"]["object"]["object"], "charge");
    assert_eq!(refunded["data"]["object"]["amount_refunded"], 1000);
    assert_eq!(refunded["data"]["object"]["payment_intent"], intent["id"]);
    let refund = by_type("refund.created");
    assert_eq!(refund["data"]["object"]["amount"], 1000);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_until_the_receiver_accepts_it() {
    let double = TestDouble::spawn().await;
    double.receiver.fail_next(2);
    double.paid_intent(2500).await;

    let received = double.receiver.wait_for(3).await;
    let answers: Vec<u16> = received.iter().map(|r| r.answered).collect();
    assert_eq!(answers, [500, 500, 200]);
    // The same event each time, each attempt signed afresh and valid.
    let first = received[0].event();
    for attempt in &received {
        assert_eq!(attempt.event()["id"], first["id"]);
        assert!(
            verify(
                &attempt.signature,
                attempt.body.as_bytes(),
                WEBHOOK_SECRET,
                DEFAULT_TOLERANCE
            )
            .is_ok()
        );
    }
    let listed = wait_for_state(&double, "delivered").await;
    let attempts = listed["deliveries"][0]["attempts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attempts.len(), 3);
    // Backoff doubles: 50 ms then 100 ms (with some slack for scheduling).
    let at = |i: usize| attempts[i]["at_ms"].as_i64().unwrap();
    assert!(at(1) - at(0) >= 45, "{attempts:?}");
    assert!(at(2) - at(1) >= 95, "{attempts:?}");
}

#[tokio::test]
async fn a_delivery_gives_up_after_the_last_attempt() {
    let double = TestDouble::spawn().await;
    double.receiver.fail_next(100);
    double.paid_intent(2500).await;
    let received = double.receiver.wait_for(4).await;
    assert!(received.iter().all(|r| r.answered == 500));
    let listed = wait_for_state(&double, "failed").await;
    assert_eq!(
        listed["deliveries"][0]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn an_event_can_be_resent_as_a_duplicate() {
    let double = TestDouble::spawn().await;
    double.paid_intent(2500).await;
    let original = double.receiver.wait_for(1).await.remove(0);
    let event_id = id(&original.event()).to_owned();

    let resent = double
        .post(&format!("/_double/events/{event_id}/resend"), &[])
        .await;
    assert_eq!(resent.status, 200, "{}", resent.body);
    let received = double.receiver.wait_for(2).await;
    assert_eq!(
        received[1].body, original.body,
        "byte-for-byte the same event"
    );
    assert!(
        verify(
            &received[1].signature,
            received[1].body.as_bytes(),
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE
        )
        .is_ok()
    );

    let event = double.get(&format!("/_double/events/{event_id}")).await;
    assert_eq!(event.body["deliveries"][1]["resend"], true);
}

#[tokio::test]
async fn held_events_can_be_released_newest_first_or_in_a_given_order() {
    let double = TestDouble::spawn().await;
    let held = double.post("/_double/webhooks/hold", &[]).await;
    assert_eq!(held.status, 200);
    let intent = double.paid_intent(2500).await;
    double
        .post("/v1/refunds", &[("payment_intent", id(&intent))])
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        double.receiver.received().is_empty(),
        "nothing is sent while held"
    );
    let events = double.events().await;
    let ids: Vec<&str> = events.iter().map(id).collect();
    assert_eq!(events[0]["type"], "payment_intent.succeeded");
    assert_eq!(events[0]["deliveries"][0]["state"], "held");

    let released = double
        .post_json("/_double/webhooks/release", json!({ "order": "reverse" }))
        .await;
    assert_eq!(released.body["released"], 3);
    let received = double.receiver.wait_for(3).await;
    let order: Vec<String> = received.iter().map(|r| id(&r.event()).to_owned()).collect();
    assert_eq!(order, [ids[2], ids[1], ids[0]]);

    // Explicit order: the listed event first, the others after in creation order.
    double.post("/_double/webhooks/hold", &[]).await;
    let second = double.paid_intent(1000).await;
    double
        .post("/v1/refunds", &[("payment_intent", id(&second))])
        .await;
    let events = double.events().await;
    let new_ids: Vec<&str> = events[3..].iter().map(id).collect();
    let released = double
        .post_json(
            "/_double/webhooks/release",
            json!({ "eventIds": [new_ids[1]] }),
        )
        .await;
    assert_eq!(released.status, 200, "{}", released.body);
    let received = double.receiver.wait_for(6).await;
    let order: Vec<String> = received[3..]
        .iter()
        .map(|r| id(&r.event()).to_owned())
        .collect();
    assert_eq!(order, [new_ids[1], new_ids[0], new_ids[2]]);
}

#[tokio::test]
async fn deliveries_can_be_made_late() {
    let double = TestDouble::spawn().await;
    let delayed = double
        .post_json("/_double/webhooks/delay", json!({ "seconds": 1 }))
        .await;
    assert_eq!(delayed.status, 200, "{}", delayed.body);
    let paid_at = Instant::now();
    double.paid_intent(2500).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(double.receiver.received().is_empty());
    double.receiver.wait_for(1).await;
    assert!(paid_at.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn endpoints_registered_through_the_api_get_their_own_signed_events() {
    let double = TestDouble::spawn().await;
    let endpoint_receiver = Receiver::start().await;
    let created = double
        .post(
            "/v1/webhook_endpoints",
            &[
                ("url", endpoint_receiver.url().as_str()),
                ("enabled_events[]", "payment_intent.succeeded"),
                ("enabled_events[]", "payment_intent.payment_failed"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(id(&created.body).starts_with("we_"));
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));

    let intent = double.paid_intent(2500).await;
    double
        .post("/v1/refunds", &[("payment_intent", id(&intent))])
        .await;
    let received = endpoint_receiver.wait_for(1).await;
    assert!(
        verify(
            &received[0].signature,
            received[0].body.as_bytes(),
            &secret,
            DEFAULT_TOLERANCE
        )
        .is_ok()
    );
    assert!(
        verify(
            &received[0].signature,
            received[0].body.as_bytes(),
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE
        )
        .is_err()
    );
    assert_eq!(received[0].event()["pending_webhooks"], 2);
    // The configured URL gets everything; this endpoint only what it subscribed to.
    double.receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(endpoint_receiver.received().len(), 1);

    let deleted = double
        .http
        .delete(double.url(&format!("/v1/webhook_endpoints/{}", id(&created.body))))
        .bearer_auth(&double.key)
        .send()
        .await
        .unwrap();
    let deleted = TestDouble::read(deleted).await;
    assert_eq!(deleted.body["deleted"], true);
}

/// Polls the first event until its first delivery reaches `state`.
async fn wait_for_state(double: &TestDouble, state: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let events = double.events().await;
        if let Some(event) = events.first()
            && event["deliveries"][0]["state"] == state
        {
            return event.clone();
        }
        assert!(
            Instant::now() < deadline,
            "delivery never became {state}: {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Unacknowledged like Stripe counts it: the first attempt finds nothing listening (connection
/// refused), the second gets no answer within the timeout, the third is answered 200.
#[tokio::test]
async fn a_refused_connection_and_a_timeout_are_retried_until_acknowledged() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // A free port with nothing on it yet.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let config = stripe_double::Config {
        webhook: Some(stripe_double::WebhookTarget {
            url: format!("http://127.0.0.1:{port}/webhook"),
            secret: crate::support::WEBHOOK_SECRET.to_owned(),
        }),
        retry: stripe_double::RetryPolicy {
            max_attempts: 4,
            first_backoff: Duration::from_millis(150),
            timeout: Duration::from_millis(300),
        },
        ..stripe_double::Config::default()
    };
    let (_, handle) = stripe_double::start(config).await.unwrap();
    let double = TestDouble::wrapping(handle).await;
    double.paid_intent(2500).await;

    // Attempt 1 is refused; then the receiver comes up, silent on its first connection.
    wait_for_attempts(&double, 1).await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let receiver = tokio::spawn(async move {
        let mut held = Vec::new();
        for answered in [false, true] {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = vec![0u8; 64 * 1024];
            let _ = socket.read(&mut buffer).await;
            if answered {
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            } else {
                held.push(socket); // never answers
            }
        }
        held.len()
    });
    let event = wait_for_state(&double, "delivered").await;
    let attempts = event["deliveries"][0]["attempts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert!(
        attempts[0]["error"].as_str().unwrap().contains("onnect"),
        "{attempts:?}"
    );
    assert!(
        attempts[1]["error"].as_str().unwrap().contains("timed out"),
        "{attempts:?}"
    );
    assert_eq!(attempts[2]["status"], 200);
    // Backoff doubles between attempts: 150 ms, then 300 ms (+ the 300 ms timeout).
    let at = |i: usize| attempts[i]["at_ms"].as_i64().unwrap();
    assert!(at(1) - at(0) >= 140, "{attempts:?}");
    assert!(at(2) - at(1) >= 290, "{attempts:?}");
    assert_eq!(receiver.await.unwrap(), 1);
}

/// Polls the first event until its first delivery has `n` attempts.
async fn wait_for_attempts(double: &TestDouble, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let events = double.events().await;
        let made = events
            .first()
            .and_then(|e| e["deliveries"][0]["attempts"].as_array().map(Vec::len))
            .unwrap_or(0);
        if made >= n {
            return;
        }
        assert!(Instant::now() < deadline, "no attempt: {events:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
