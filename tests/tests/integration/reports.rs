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

impl TestApp {
    /// Holds `seats`, checks out as `email` (a guest) and pays: (checkout, paid order view).
    async fn buy_as(&self, show: &Show, seats: &[&str], email: &str) -> (Value, Value) {
        let cart = self.new_cart(&show.venue.host).await;
        let held = self.hold_seats(show, &cart, seats).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let checkout = self.checkout(&show.venue.host, &cart, email).await;
        assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
        assert_eq!(self.pay(&checkout.body, VISA).await.status, StatusCode::OK);
        let order = self
            .await_order(&show.venue.host, &checkout.body, "paid")
            .await;
        (checkout.body, order)
    }

    /// Scans the `index`th ticket of `order` at the show's door.
    async fn admit(&self, show: &Show, order: &Value, index: usize, direction: &str) -> Reply {
        let tenant = TenantId::parse(&show.venue.id).unwrap();
        let key = marquee_platform::tickets::venue_key(&self.server.store, &tenant)
            .await
            .unwrap();
        let order_id = marquee_domain::OrderId::parse(order["id"].as_str().unwrap()).unwrap();
        let record = self
            .server
            .store
            .order(&tenant, &order_id)
            .await
            .unwrap()
            .unwrap();
        let code =
            marquee_platform::tickets::ticket_code(&key, &tenant, &record.tickets[index]).unwrap();
        self.post(
            &show.venue.host,
            "/admin/v1/scan",
            Some(&show.token),
            json!({ "code": code, "performanceId": show.performance, "direction": direction }),
        )
        .await
    }

    /// A GET whose answer is text (a CSV): status and body.
    async fn get_text(&self, host: &str, path: &str, token: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(self.url(path))
            .header("host", host)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// The attendance report from yesterday over the next 30 days (UTC), `extra` appended.
    async fn attendance(&self, host: &str, token: &str, extra: &str) -> Reply {
        let today = Utc::now().date_naive();
        self.get(
            host,
            &format!(
                "/admin/v1/reports/attendance?from={}&to={}{extra}",
                today - Duration::days(1),
                today + Duration::days(30)
            ),
            Some(token),
        )
        .await
    }

    /// Another devserver on this app's resources (no workers), whose CSV reports larger than
    /// `bytes` are exported to S3.
    async fn twin_with_inline_limit(&self, bytes: usize) -> TestApp {
        let prefix = self.server.resources.table_name.clone();
        crate::helpers::start_app(|options| {
            options.prefix = prefix;
            options.workers = false;
            options.stripe = None;
            options.report_inline_limit = Some(bytes);
        })
        .await
    }
}

#[tokio::test]
async fn attendance_reconciles_with_the_tickets_scanned_in() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let row = &show.seats[0];
    let (_, first) = app
        .buy_as(&show, &[&row[0], &row[1]], "a@example.org")
        .await;
    let (_, second) = app
        .buy_as(&show, &[&row[2], &row[3]], "b@example.org")
        .await;
    let (refunded, _) = app.buy_as(&show, &[&row[4]], "c@example.org").await;
    // Both of the first order in; one of the second in, out and in again (one admission).
    for (order, index, direction) in [
        (&first, 0, "in"),
        (&first, 1, "in"),
        (&second, 0, "in"),
        (&second, 0, "out"),
        (&second, 0, "in"),
    ] {
        let scanned = app.admit(&show, order, index, direction).await;
        assert_eq!(scanned.status, StatusCode::OK, "{}", scanned.body);
        assert_eq!(scanned.body["result"], "ok", "{}", scanned.body);
    }
    let refund = app
        .post(
            &host,
            &format!(
                "/admin/v1/orders/{}/refund",
                refunded["orderId"].as_str().unwrap()
            ),
            Some(&show.token),
            json!({ "reason": "Could not come" }),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);

    let started = Instant::now();
    let report = loop {
        let reply = app.attendance(&host, &show.token, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let totals = &reply.body["totals"];
        if totals["sold"] == 4 && totals["admitted"] == 3 {
            break reply.body;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "attendance never reached 4 sold, 3 admitted: {}",
            reply.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let line = &report["performances"][0];
    assert_eq!(report["performances"].as_array().unwrap().len(), 1);
    assert_eq!(line["performanceId"], show.performance.as_str());
    assert_eq!(line["eventTitle"], "Torture Test");
    assert_eq!(
        (
            line["sold"].clone(),
            line["admitted"].clone(),
            line["noShows"].clone()
        ),
        (json!(4), json!(3), json!(1))
    );
    assert_eq!(line["admittedPercent"], 75.0);
    // The door's own count, read from every ticket, says the same.
    let door = app
        .get(
            &host,
            &format!("/admin/v1/performances/{}/sales", show.performance),
            Some(&show.token),
        )
        .await;
    assert_eq!(door.status, StatusCode::OK, "{}", door.body);
    assert_eq!(door.body["admitted"], line["admitted"], "{}", door.body);

    // A ticket's record delivered again (even without its old image) counts nothing.
    let tenant = TenantId::parse(&show.venue.id).unwrap();
    let order_id = marquee_domain::OrderId::parse(first["id"].as_str().unwrap()).unwrap();
    let record = app
        .server
        .store
        .order(&tenant, &order_id)
        .await
        .unwrap()
        .unwrap();
    let performance = marquee_domain::PerformanceId::parse(&show.performance).unwrap();
    let pk = keys::performance_tickets(&tenant, &performance);
    let sk = keys::ticket_sk(&record.tickets[0].id);
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
            aws_sdk_dynamodb::types::AttributeValue::S(sk.clone()),
        )
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let mut again = EventRecord::default();
    again.change.keys = serde_dynamo::Item::from(std::collections::HashMap::from([
        (
            keys::PK.to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::S(pk),
        ),
        (
            keys::SK.to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::S(sk),
        ),
    ]));
    again.change.new_image = serde_dynamo::Item::from(item);
    let worker = sales_reports::SalesReports::new(app.server.store.clone());
    assert_eq!(worker.count_record(&again).await.unwrap(), 0);
    let after = app.attendance(&host, &show.token, "").await.body;
    assert_eq!(after["totals"], report["totals"]);

    // The CSV: one row per performance, then the totals.
    let today = Utc::now().date_naive();
    let (status, text) = app
        .get_text(
            &host,
            &format!(
                "/admin/v1/reports/attendance?from={}&to={}&format=csv",
                today - Duration::days(1),
                today + Duration::days(30)
            ),
            &show.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&rows[0][3], "4");
    assert_eq!(&rows[0][4], "3");
    assert_eq!(&rows[0][6], "75.0");
    assert!(rows[1][0].starts_with("Total (1 performances)"));

    // Bad ranges and another venue's event are refused; another venue sees nothing of it.
    for (query, field) in [
        ("from=2027-01-10&to=2027-01-01", "to"),
        ("from=2027-01-01&to=tomorrow", "to"),
        (
            "from=2027-01-01&to=2027-01-02&eventId=01j00000000000000000000000",
            "eventId",
        ),
    ] {
        let refused = app
            .get(
                &host,
                &format!("/admin/v1/reports/attendance?{query}"),
                Some(&show.token),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(refused.body["error"]["details"]["field"], field, "{query}");
    }
    let other = app.create_venue().await;
    let stranger = app.login_owner(&other).await;
    let theirs = app.attendance(&other.host, &stranger, "").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body["totals"]["performances"], 0);
    let event_id = line["eventId"].as_str().unwrap();
    let foreign = app
        .attendance(&other.host, &stranger, &format!("&eventId={event_id}"))
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    let scanner = app
        .add_staff(
            &show.venue,
            &show.token,
            "attendance-door@example.org",
            "scanner",
        )
        .await;
    let forbidden = app.attendance(&host, &scanner, "").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_patrons_history_has_their_guest_orders_newest_first_refunds_included() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let row = &show.seats[0];
    let (_, older) = app
        .buy_as(&show, &[&row[0], &row[1]], "Pat@Example.org")
        .await;
    let (newer, _) = app.buy_as(&show, &[&row[2]], "pat@example.org").await;
    app.buy_as(&show, &[&row[3]], "someone.else@example.org")
        .await;
    let refund = app
        .post(
            &host,
            &format!(
                "/admin/v1/orders/{}/refund",
                newer["orderId"].as_str().unwrap()
            ),
            Some(&show.token),
            json!({ "reason": "Could not come" }),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);

    let history = app
        .get(
            &host,
            "/admin/v1/reports/patron?email=PAT%40example.org",
            Some(&show.token),
        )
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let orders = history.body["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2, "{}", history.body);
    assert_eq!(orders[0]["orderId"], newer["orderId"], "newest first");
    assert_eq!(orders[0]["status"], "refunded");
    assert_eq!(orders[0]["refunded"], refund.body["refunded"]);
    assert_eq!(orders[1]["orderId"], older["id"]);
    assert_eq!(orders[1]["number"], older["number"]);
    assert_eq!(orders[1]["tickets"], 2);
    assert_eq!(orders[1]["paid"], older["totals"]["total"]);
    assert_eq!(orders[1]["performances"][0]["eventTitle"], "Torture Test");
    assert_eq!(orders[1]["performances"][0]["tickets"], 2);
    let totals = &history.body["totals"];
    assert_eq!(totals["orders"], 2);
    assert_eq!(totals["tickets"], 3);
    assert_eq!(
        totals["spent"],
        orders[0]["paid"].as_i64().unwrap() + orders[1]["paid"].as_i64().unwrap()
    );
    assert_eq!(totals["refunded"], refund.body["refunded"]);

    let (status, text) = app
        .get_text(
            &host,
            "/admin/v1/reports/patron?email=pat%40example.org&format=csv",
            &show.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text.lines().count(), 4, "header, 2 orders, totals: {text}");

    // Unknown address: an empty list. Not an address: refused. Another venue: nothing.
    let unknown = app
        .get(
            &host,
            "/admin/v1/reports/patron?email=nobody%40example.org",
            Some(&show.token),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.body["orders"], json!([]));
    assert_eq!(unknown.body["totals"]["orders"], 0);
    let refused = app
        .get(
            &host,
            "/admin/v1/reports/patron?email=pat",
            Some(&show.token),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["error"]["details"]["field"], "email");
    let other = app.create_venue().await;
    let stranger = app.login_owner(&other).await;
    let theirs = app
        .get(
            &other.host,
            "/admin/v1/reports/patron?email=pat%40example.org",
            Some(&stranger),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body["orders"], json!([]));
}

#[tokio::test]
async fn a_csv_over_the_inline_limit_redirects_to_a_presigned_link_with_the_same_body() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 4, 600).await;
    let host = show.venue.host.clone();
    app.buy(&show, &[&show.seats[0][0], &show.seats[1][0]], None)
        .await;
    app.await_figures(&show, 1, 0).await;
    let today = Utc::now().date_naive();
    let path = format!(
        "/admin/v1/reports/sales?from={}&to={}&format=csv",
        today - Duration::days(1),
        today + Duration::days(1)
    );
    let (status, expected) = app.get_text(&host, &path, &show.token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(expected.len() > 200, "{expected}");

    let small = app.twin_with_inline_limit(200).await;
    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = no_redirects
        .get(small.url(&path))
        .header("host", &host)
        .bearer_auth(&show.token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["url"], location.as_str());
    assert_eq!(body["expiresInSeconds"], 900);
    assert_eq!(body["bytes"], expected.len());
    let tenant = show.venue.id.as_str();
    assert!(
        location.starts_with("/documents/")
            && location.contains(&format!("/{tenant}/exports/"))
            && location.contains(".csv?")
            && location.contains("X-Amz-Signature"),
        "{location}"
    );

    // The link, through the site's /documents/ (as the browser follows it), holds the same CSV.
    let file = no_redirects
        .get(small.url(&location))
        .header("host", &host)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("sales-"),
    );
    assert_eq!(file.text().await.unwrap(), expected);
    // A client that follows redirects (as the web's fetch does) gets the file directly,
    // even with the staff token on the request.
    let followed = small
        .http
        .get(small.url(&path))
        .header("host", &host)
        .bearer_auth(&show.token)
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), StatusCode::OK);
    assert_eq!(followed.text().await.unwrap(), expected);
    // Another venue's staff cannot fetch the export's key with a link of their own making:
    // the signature covers the key.
    let tampered = location.replace(tenant, "01j00000000000000000000000");
    let refused = no_redirects
        .get(small.url(&tampered))
        .header("host", &host)
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error(), "{}", refused.status());
}
