//! Exchanges over HTTP against the local stack: a patron's tickets moved to a dearer later
//! performance for cash, to a cheaper one with the surplus back on the card, and to a sold
//! seat (nothing changes); the old codes stop at the door at once.

use crate::checkout::VISA;
use crate::helpers::{TestApp, spawn_app};
use crate::holds::Show;
use crate::tickets::{code_of, paid_order};
use reqwest::StatusCode;
use serde_json::{Value, json};

impl TestApp {
    /// Another published performance of the show's event, stalls (zone A) at `adult`.
    async fn sister_performance(&self, show: &Show, adult: i64) -> String {
        let host = &show.venue.host;
        let first = self
            .get(
                host,
                &format!("/admin/v1/performances/{}", show.performance),
                Some(&show.token),
            )
            .await;
        let event = first.body["eventId"].as_str().unwrap();
        let created = self
            .post(
                host,
                &format!("/admin/v1/events/{event}/performances"),
                Some(&show.token),
                json!({
                    "startsAt": (chrono::Utc::now() + chrono::Duration::days(9)).to_rfc3339(),
                    "seatMapId": first.body["seatMapId"],
                    "holdSeconds": 600,
                    "prices": [ { "zone": "A", "priceType": "adult", "amount": adult }, { "zone": "B", "priceType": "adult", "amount": 3000 } ],
                }),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let published = self
            .post(
                host,
                &format!("/admin/v1/performances/{id}/publish"),
                Some(&show.token),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        id
    }

    /// The order as staff see it (`GET /admin/v1/orders/{id}`, 200 asserted).
    pub(crate) async fn admin_order(&self, show: &Show, id: &str) -> Value {
        let order = self
            .get(
                &show.venue.host,
                &format!("/admin/v1/orders/{id}"),
                Some(&show.token),
            )
            .await;
        assert_eq!(order.status, StatusCode::OK, "{}", order.body);
        order.body
    }
}

fn ticket_ids(order: &Value) -> Vec<Value> {
    order["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect()
}

#[tokio::test]
async fn a_patron_moves_to_a_dearer_night_for_cash_and_the_old_codes_stop_at_once() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let (_, order) = paid_order(&app, &show, &[0, 1], "exchange-up@example.org").await;
    let old_code = code_of(&app, &show, &order, 0).await;
    let later = app.sister_performance(&show, 7000).await;
    let order_id = order["id"].as_str().unwrap();
    let path = format!("/admin/v1/orders/{order_id}/exchange");
    let body = json!({
        "ticketIds": ticket_ids(&order),
        "performanceId": later,
        "seats": [show.seats[0][2], show.seats[0][3]],
        "fee": 500,
    });

    // The quote: $140 of new tickets, $100 of credit, a $5 fee: $45 to pay. Nothing held.
    let mut quote = body.clone();
    quote["quote"] = json!(true);
    let quoted = app.post(&host, &path, Some(&show.token), quote).await;
    assert_eq!(quoted.status, StatusCode::OK, "{}", quoted.body);
    assert_eq!(
        quoted.body["figures"],
        json!({ "newTotal": 14_000, "credit": 10_000, "fee": 500, "due": 4_500, "surplus": 0 })
    );

    // No payment for what is due: refused, nothing changes.
    let unpaid = app
        .post(&host, &path, Some(&show.token), body.clone())
        .await;
    assert_eq!(
        unpaid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unpaid.body
    );
    assert_eq!(unpaid.body["error"]["details"]["field"], "payment");
    assert_eq!(app.statuses(&show).await, "ssffff");

    let mut paid = body.clone();
    paid["payment"] = json!({ "method": "cash", "tendered": 5_000 });
    let done = app
        .post(&host, &path, Some(&show.token), paid.clone())
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.body["status"], "paid");
    assert_eq!(done.body["changeDue"], 500);
    assert_eq!(done.body["totals"]["total"], 4_500);
    assert_eq!(
        app.statuses(&show).await,
        "ffffff",
        "the old seats are on sale again"
    );

    // The old tickets are refused at the door at once; the order says why.
    let scanned = app.scan(&show, &show.token, &old_code, "in", "North").await;
    assert_ne!(scanned.body["result"], "ok", "{}", scanned.body);
    let old = app.admin_order(&show, order_id).await;
    assert_eq!(old["status"], "refunded");
    let number = done.body["number"].as_str().unwrap();
    assert_eq!(
        old["refunds"][0]["reason"],
        format!("Exchanged for order {number}")
    );
    assert_eq!(old["refunded"], 0);

    // Done twice: the tickets are no longer valid, so nothing more happens.
    let again = app.post(&host, &path, Some(&show.token), paid).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let new = app
        .admin_order(&show, done.body["orderId"].as_str().unwrap())
        .await;
    assert_eq!(new["tickets"].as_array().unwrap().len(), 2);
    assert!(
        new["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "valid")
    );

    let audit = app
        .get(
            &host,
            "/admin/v1/audit?kind=tickets_exchanged",
            Some(&show.token),
        )
        .await;
    assert_eq!(
        audit.body["entries"].as_array().unwrap().len(),
        1,
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn a_cheaper_night_pays_the_surplus_back_on_the_card_and_a_sold_seat_changes_nothing() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let (_, order) = paid_order(&app, &show, &[0, 1], "exchange-down@example.org").await;
    let (_, other) = paid_order(&app, &show, &[4], "exchange-other@example.org").await;
    let order_id = order["id"].as_str().unwrap();
    let path = format!("/admin/v1/orders/{order_id}/exchange");

    // To a sold seat: refused, the order and the map as they were.
    let refused = app
        .post(
            &host,
            &path,
            Some(&show.token),
            json!({ "ticketIds": ticket_ids(&order), "performanceId": show.performance, "seats": [show.seats[0][3], show.seats[0][4]] }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_code(), "seat_unavailable");
    assert_eq!(app.statuses(&show).await, "ssffsf");
    assert_eq!(app.admin_order(&show, order_id).await["status"], "paid");

    // Another order's ticket is not this order's to exchange.
    let foreign = app
        .post(
            &host,
            &path,
            Some(&show.token),
            json!({ "ticketIds": ticket_ids(&other), "performanceId": show.performance, "seats": [show.seats[0][3]] }),
        )
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        foreign.body
    );
    assert_eq!(foreign.error_code(), "unknown_tickets");

    let cheaper = app.sister_performance(&show, 3000).await;
    let done = app
        .post(
            &host,
            &path,
            Some(&show.token),
            json!({ "ticketIds": ticket_ids(&order), "performanceId": cheaper, "bestAvailable": { "quantity": 2 } }),
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.body["figures"]["surplus"], 4_000);
    assert_eq!(done.body["surplusTo"], "card", "{}", done.body);
    let old = app.admin_order(&show, order_id).await;
    assert_eq!(old["refunded"], 4_000, "$100 paid, $60 of new tickets");
    assert_eq!(old["status"], "refunded");
}

#[tokio::test]
async fn a_card_top_up_exchanges_when_the_card_is_paid() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let (_, order) = paid_order(&app, &show, &[0], "exchange-card@example.org").await;
    let later = app.sister_performance(&show, 6000).await;
    let order_id = order["id"].as_str().unwrap();
    let done = app
        .post(
            &host,
            &format!("/admin/v1/orders/{order_id}/exchange"),
            Some(&show.token),
            json!({ "ticketIds": ticket_ids(&order), "performanceId": later, "bestAvailable": { "quantity": 1 }, "payment": { "method": "card" } }),
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.body["status"], "pending");
    assert_eq!(done.body["totals"]["total"], 1_000);
    assert_eq!(
        app.admin_order(&show, order_id).await["status"],
        "paid",
        "still valid until paid"
    );
    assert_eq!(app.pay(&done.body, VISA).await.status, StatusCode::OK);
    let mut exchanged = false;
    for _ in 0..100 {
        if app.admin_order(&show, order_id).await["status"] == "refunded" {
            exchanged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        exchanged,
        "the payment's webhook sold the new ticket and voided the old one"
    );
    let new = app
        .admin_order(&show, done.body["orderId"].as_str().unwrap())
        .await;
    assert_eq!(new["status"], "paid");
}
