//! Sales reports against the local stack: the devserver's stream tailer feeds the
//! `sales-reports` worker as Lambda would; the figures reconcile with the orders they count,
//! a record delivered again adds nothing, and the CSV never starts a formula.

use crate::checkout::VISA;
use crate::helpers::{Reply, TestApp, spawn_app};
use crate::holds::Show;
use aws_lambda_events::dynamodb::EventRecord;
use chrono::{Duration, Utc};
use marquee_domain::TenantId;
use marquee_store::keys;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Instant;

impl TestApp {
    /// Holds `seats`, optionally with a promo code, checks out and pays: the paid order.
    async fn buy(&self, show: &Show, seats: &[&str], code: Option<&str>) -> Value {
        let cart = self.new_cart(&show.venue.host).await;
        let held = self.hold_seats(show, &cart, seats).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        if let Some(code) = code {
            let applied = self
                .cart_call(
                    Method::POST,
                    &show.venue.host,
                    &format!("/api/v1/carts/{}/promo", cart.0),
                    &cart.1,
                    Some(json!({ "code": code })),
                )
                .await;
            assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
        }
        let checkout = self
            .checkout(&show.venue.host, &cart, "report@example.org")
            .await;
        assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
        assert_eq!(self.pay(&checkout.body, VISA).await.status, StatusCode::OK);
        let order = self
            .await_order(&show.venue.host, &checkout.body, "paid")
            .await;
        json!({ "checkout": checkout.body, "order": order })
    }

    /// The sales report over yesterday to tomorrow (UTC), so that a sale near the venue's
    /// midnight is in it whichever day it fell on.
    async fn sales_around_today(&self, show: &Show, extra: &str) -> Reply {
        let today = Utc::now().date_naive();
        self.get(
            &show.venue.host,
            &format!(
                "/admin/v1/reports/sales?from={}&to={}{extra}",
                today - Duration::days(1),
                today + Duration::days(1)
            ),
            Some(&show.token),
        )
        .await
    }

    /// Waits until the stream worker has counted `orders` orders and `refunds` refunds.
    async fn await_figures(&self, show: &Show, orders: i64, refunds: i64) -> Value {
        let started = Instant::now();
        loop {
            let report = self.sales_around_today(show, "").await;
            assert_eq!(report.status, StatusCode::OK, "{}", report.body);
            let summary = &report.body["summary"];
            if summary["orders"] == orders && summary["refunds"] == refunds {
                return report.body;
            }
            assert!(
                started.elapsed().as_secs() < 20,
                "the figures never reached {orders} orders and {refunds} refunds: {summary}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

fn sum(orders: &[&Value], pointer: &str) -> i64 {
    orders
        .iter()
        .map(|o| o.pointer(pointer).and_then(Value::as_i64).unwrap_or(0))
        .sum()
}

#[tokio::test]
async fn the_days_figures_add_up_to_the_orders_they_count_and_refunds_come_off() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 4, 600).await;
    let host = show.venue.host.clone();
    let created = app
        .post(
            &host,
            "/admin/v1/promo-codes",
            Some(&show.token),
            json!({ "code": "HALF", "percentOff": 50 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // Zone A (front row) is $50.00, zone B $30.00.
    let first = app
        .buy(&show, &[&show.seats[0][0], &show.seats[1][0]], None)
        .await;
    let second = app.buy(&show, &[&show.seats[0][1]], Some("HALF")).await;
    let third = app.buy(&show, &[&show.seats[1][1]], None).await;
    let orders = [&first["order"], &second["order"], &third["order"]];

    let refund = app
        .post(
            &host,
            &format!(
                "/admin/v1/orders/{}/refund",
                third["checkout"]["orderId"].as_str().unwrap()
            ),
            Some(&show.token),
            json!({ "reason": "Could not come" }),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);

    let report = app.await_figures(&show, 3, 1).await;
    let summary = &report["summary"];
    assert_eq!(summary["tickets"], 4);
    assert_eq!(summary["total"], sum(&orders, "/totals/total"));
    assert_eq!(summary["subtotal"], sum(&orders, "/totals/subtotal"));
    assert_eq!(summary["discount"], 2_500, "half of one $50.00 seat");
    assert_eq!(summary["discount"], sum(&orders, "/totals/discount"));
    assert_eq!(summary["cardAmount"], summary["total"]);
    assert_eq!(summary["promoOrders"], 1);
    assert_eq!(summary["refunded"], refund.body["refunded"]);
    assert_eq!(
        summary["net"],
        summary["total"].as_i64().unwrap() - summary["refunded"].as_i64().unwrap()
    );
    let days = report["days"].as_array().unwrap();
    assert_eq!(days.len(), 3, "every day of the range");
    assert_eq!(
        days.iter()
            .map(|d| d["tickets"].as_i64().unwrap())
            .sum::<i64>(),
        4
    );
    // Per price type and zone: 2 in A (one at half price), 2 in B (one refunded).
    let lines = report["lines"].as_array().unwrap();
    let zone = |z: &str| lines.iter().find(|l| l["zone"] == z).unwrap().clone();
    assert_eq!(
        (zone("A")["tickets"].clone(), zone("A")["amount"].clone()),
        (json!(2), json!(7_500))
    );
    assert_eq!(zone("B")["refundedTickets"], 1);
    assert_eq!(zone("A")["eventTitle"], "Torture Test");

    // The end of the day the sales fell on says the same.
    let day = days
        .iter()
        .find(|d| d["tickets"].as_i64().unwrap() > 0)
        .unwrap()["date"]
        .as_str()
        .unwrap()
        .to_owned();
    let eod = app
        .get(
            &host,
            &format!("/admin/v1/reports/end-of-day?date={day}"),
            Some(&show.token),
        )
        .await;
    assert_eq!(eod.status, StatusCode::OK, "{}", eod.body);
    if days
        .iter()
        .filter(|d| d["tickets"].as_i64().unwrap() > 0)
        .count()
        == 1
    {
        assert_eq!(eod.body["summary"]["total"], summary["total"]);
    }
}

#[tokio::test]
async fn a_stream_record_delivered_again_adds_nothing() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let bought = app.buy(&show, &[&show.seats[0][0]], None).await;
    let before = app.await_figures(&show, 1, 0).await;

    // The order's item as the stream carries it, handed to the worker again: first as the
    // same change (old image pending), then as if no old image were known.
    let tenant = TenantId::parse(&show.venue.id).unwrap();
    let order_id = bought["checkout"]["orderId"].as_str().unwrap();
    let pk = format!("T#{tenant}#ORDER#{order_id}");
    let item = app
        .server
        .store
        .client()
        .get_item()
        .table_name(app.server.store.table())
        .key(
            keys::PK,
            aws_sdk_dynamodb::types::AttributeValue::S(pk.clone()),
        )
        .key(
            keys::SK,
            aws_sdk_dynamodb::types::AttributeValue::S(keys::ORDER_SK.into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let mut record = EventRecord::default();
    record.change.keys = serde_dynamo::Item::from(std::collections::HashMap::from([
        (
            keys::PK.to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::S(pk),
        ),
        (
            keys::SK.to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::S(keys::ORDER_SK.into()),
        ),
    ]));
    record.change.new_image = serde_dynamo::Item::from(item);
    let worker = sales_reports::SalesReports::new(app.server.store.clone());
    assert_eq!(worker.count_record(&record).await.unwrap(), 0);
    assert_eq!(worker.count_record(&record).await.unwrap(), 0);
    let after = app.sales_around_today(&show, "").await.body;
    assert_eq!(after["summary"], before["summary"]);
}

#[tokio::test]
async fn the_csv_export_escapes_formulas_and_bad_ranges_are_refused() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let performance = app
        .get(
            &host,
            &format!("/admin/v1/performances/{}", show.performance),
            Some(&show.token),
        )
        .await;
    let event_id = performance.body["eventId"].as_str().unwrap().to_owned();
    let renamed = app
        .put(
            &host,
            &format!("/admin/v1/events/{event_id}"),
            Some(&show.token),
            json!({ "title": "=HYPERLINK(\"http://evil.example\",\"Hamlet\")" }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    app.buy(&show, &[&show.seats[0][0]], None).await;
    app.await_figures(&show, 1, 0).await;

    let response = app
        .http
        .get(app.url(&format!(
            "/admin/v1/reports/sales?from={}&to={}&eventId={event_id}&format=csv",
            Utc::now().date_naive() - Duration::days(1),
            Utc::now().date_naive() + Duration::days(1),
        )))
        .header("host", &host)
        .bearer_auth(&show.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "Date");
    assert_eq!(&headers[1], "Event");
    let first = rows.records().next().unwrap().unwrap();
    assert!(
        first[1].starts_with("'="),
        "the title cannot run as a formula: {}",
        &first[1]
    );
    assert_eq!(&first[5], "1", "one ticket");
    assert_eq!(&first[6], "50.00");

    for (query, field) in [
        ("from=2027-01-10&to=2027-01-01", "to"),
        ("from=2026-01-01&to=2027-06-01", "to"),
        ("from=yesterday&to=2027-01-01", "from"),
        (
            "from=2027-01-01&to=2027-01-02&eventId=01j00000000000000000000000",
            "eventId",
        ),
    ] {
        let refused = app
            .get(
                &host,
                &format!("/admin/v1/reports/sales?{query}"),
                Some(&show.token),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            refused.body
        );
        assert_eq!(refused.body["error"]["details"]["field"], field, "{query}");
    }
    // A scanner may not read the figures.
    let scanner = app
        .add_staff(
            &show.venue,
            &show.token,
            "reports-door@example.org",
            "scanner",
        )
        .await;
    let forbidden = app
        .get(
            &host,
            "/admin/v1/reports/end-of-day?date=2027-01-01",
            Some(&scanner),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn demand_shows_the_seats_let_go_and_how_soon_each_zone_sold() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 4, 600).await;
    let host = show.venue.host.clone();
    // Two patrons hold the same front seat in turn and let it go; a third buys another.
    let wanted = show.seats[0][2].clone();
    for _ in 0..2 {
        let cart = app.new_cart(&host).await;
        let held = app.hold_seats(&show, &cart, &[&wanted]).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let hold = held.body["items"][0]["holdId"].as_str().unwrap().to_owned();
        let released = app
            .cart_call(
                Method::DELETE,
                &host,
                &format!("/api/v1/carts/{}/holds/{hold}", cart.0),
                &cart.1,
                None,
            )
            .await;
        assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    }
    app.buy(&show, &[&show.seats[0][0]], None).await;

    let path = format!("/admin/v1/performances/{}/demand", show.performance);
    let started = Instant::now();
    let report = loop {
        let reply = app.get(&host, &path, Some(&show.token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let zone_a = reply.body["zones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|z| z["zone"] == "A")
            .cloned()
            .unwrap();
        if zone_a["sold"] == 1 && zone_a["tried"] == 2 {
            break reply.body;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "demand never showed the sale and the two tries: {}",
            reply.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(report["seats"][0]["seatId"], wanted.as_str());
    assert_eq!(report["seats"][0]["tried"], 2);
    assert_eq!(
        report["seats"].as_array().unwrap().len(),
        1,
        "the sold seat was not let go"
    );
    let zone_a = report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "A")
        .unwrap();
    assert_eq!(zone_a["soldWithinHour"], 1, "sales opened at publishing");
    assert_eq!(zone_a["capacity"], 4);
    let other = app.create_venue().await;
    let stranger = app.login_owner(&other).await;
    let hidden = app.get(&other.host, &path, Some(&stranger)).await;
    assert_eq!(
        hidden.status,
        StatusCode::NOT_FOUND,
        "another venue's performance"
    );
}
