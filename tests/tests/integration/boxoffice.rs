//! The box office over HTTP against the local stack: a clerk sells at the window from a
//! staff cart on the same seats as the web — cash with change, a card through the venue's
//! account, comps for a reason and only for roles allowed to give them — and two clerks and
//! a web patron racing for one seat: one wins, the others hear "taken" at once.

use crate::checkout::VISA;
use crate::helpers::{Reply, TestApp, spawn_app};
use crate::holds::Show;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

impl TestApp {
    /// A box office cart of `token`'s, holding `seats` of the show.
    async fn window_cart(&self, show: &Show, token: &str, seats: &[&str]) -> Value {
        let host = &show.venue.host;
        let cart = self
            .post(host, "/admin/v1/carts", Some(token), json!({}))
            .await;
        assert_eq!(cart.status, StatusCode::CREATED, "{}", cart.body);
        let id = cart.body["cartId"].as_str().unwrap();
        let held = self
            .post(
                host,
                &format!("/admin/v1/carts/{id}/holds"),
                Some(token),
                json!({ "performanceId": show.performance, "seats": seats }),
            )
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        held.body
    }

    async fn sell(&self, show: &Show, token: &str, cart: &Value, body: Value) -> Reply {
        let tickets: Vec<Value> = cart["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!({ "holdId": i["holdId"], "priceType": "adult" }))
            .collect();
        let mut body = body;
        body["tickets"] = json!(tickets);
        self.post(
            &show.venue.host,
            &format!("/admin/v1/carts/{}/sell", cart["cartId"].as_str().unwrap()),
            Some(token),
            body,
        )
        .await
    }
}

#[tokio::test]
async fn a_clerk_sells_for_cash_with_change_and_the_seats_are_sold_at_once() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let clerk = app
        .add_staff(
            &show.venue,
            &show.token,
            "cash-clerk@example.org",
            "box_office",
        )
        .await;
    let cart = app
        .window_cart(&show, &clerk, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    assert_eq!(
        cart["holdSeconds"], 1800,
        "a box office hold lasts 30 minutes"
    );
    assert_eq!(app.statuses(&show).await, "hhff", "patrons see them taken");

    // The clerk asks for the total first.
    let tickets: Vec<Value> = cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({ "holdId": i["holdId"], "priceType": "adult" }))
        .collect();
    let quote_path = format!("/admin/v1/carts/{}/quote", cart["cartId"].as_str().unwrap());
    let quote = app
        .post(
            &show.venue.host,
            &quote_path,
            Some(&clerk),
            json!({ "tickets": tickets }),
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.body);
    assert_eq!(quote.body["total"], 10_000);
    let comp_quote = app
        .post(
            &show.venue.host,
            &quote_path,
            Some(&clerk),
            json!({ "tickets": tickets, "comp": true }),
        )
        .await;
    assert_eq!(comp_quote.body["total"], 0);

    // Short of the total: refused, nothing changes.
    let short = app
        .sell(
            &show,
            &clerk,
            &cart,
            json!({ "payment": { "method": "cash", "tendered": 9_999 }, "delivery": "print" }),
        )
        .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
    assert_eq!(short.body["error"]["details"]["field"], "tendered");
    assert_eq!(app.statuses(&show).await, "hhff");

    let sold = app
        .sell(
            &show,
            &clerk,
            &cart,
            json!({ "payment": { "method": "cash", "tendered": 12_000 }, "delivery": "print" }),
        )
        .await;
    assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.body);
    assert_eq!(sold.body["status"], "paid");
    assert_eq!(sold.body["totals"]["total"], 10_000, "2 × $50.00");
    assert_eq!(sold.body["changeDue"], 2_000);
    assert!(sold.body.get("payment").is_none());
    assert_eq!(app.statuses(&show).await, "ssff");

    // The trail says who sold it and how.
    let audit = app
        .get(
            &show.venue.host,
            "/admin/v1/audit?kind=order_sold",
            Some(&show.token),
        )
        .await;
    let entry = &audit.body["entries"][0];
    assert_eq!(entry["staff"], "cash-clerk@example.org", "{}", audit.body);
    assert!(entry["after"].to_string().contains("cash"), "{entry}");
}

#[tokio::test]
async fn comps_need_a_reason_and_a_role_that_may_give_them() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let clerk = app
        .add_staff(
            &show.venue,
            &show.token,
            "comp-clerk@example.org",
            "box_office",
        )
        .await;
    let cart = app.window_cart(&show, &clerk, &[&show.seats[0][0]]).await;
    let comp = json!({ "payment": { "method": "comp", "reason": "Press night" }, "delivery": "will_call", "patron": { "name": "A Critic" } });
    let refused = app.sell(&show, &clerk, &cart, comp.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // The owner's own cart: no reason, refused; with one, free and paid.
    let cart = app
        .window_cart(&show, &show.token, &[&show.seats[0][1]])
        .await;
    let no_reason = app
        .sell(
            &show,
            &show.token,
            &cart,
            json!({ "payment": { "method": "comp", "reason": " " }, "delivery": "will_call" }),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.body["error"]["details"]["field"], "reason");
    let given = app.sell(&show, &show.token, &cart, comp).await;
    assert_eq!(given.status, StatusCode::CREATED, "{}", given.body);
    assert_eq!(given.body["status"], "paid");
    assert_eq!(given.body["totals"]["total"], 0);
    assert_eq!(
        app.statuses(&show).await,
        "hsff",
        "the clerk's seat stays held"
    );
}

#[tokio::test]
async fn a_card_sale_at_the_window_is_paid_through_the_venues_account() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let cart = app
        .window_cart(&show, &show.token, &[&show.seats[0][2]])
        .await;
    let sold = app
        .sell(
            &show,
            &show.token,
            &cart,
            json!({ "payment": { "method": "card" }, "delivery": "email",
                    "patron": { "name": "Phone Caller", "email": "caller@example.org", "phone": "+1 555 0100" } }),
        )
        .await;
    assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.body);
    assert_eq!(sold.body["status"], "pending");
    assert!(sold.body["payment"]["clientSecret"].is_string());
    assert_eq!(app.pay(&sold.body, VISA).await.status, StatusCode::OK);
    let order_id = sold.body["orderId"].as_str().unwrap();
    let mut paid = false;
    for _ in 0..100 {
        let order = app
            .get(
                &show.venue.host,
                &format!("/admin/v1/orders/{order_id}"),
                Some(&show.token),
            )
            .await;
        assert_eq!(order.status, StatusCode::OK, "{}", order.body);
        if order.body["status"] == "paid" {
            paid = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(paid, "the card payment completes the sale");
    assert_eq!(app.statuses(&show).await, "ffsf");
}

#[tokio::test]
async fn bad_requests_are_refused_and_other_carts_are_not_found() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let cart = app
        .window_cart(&show, &show.token, &[&show.seats[0][0]])
        .await;
    for (body, field) in [
        (
            json!({ "payment": { "method": "cash", "tendered": 5_000 }, "delivery": "email" }),
            "delivery",
        ),
        (
            json!({ "payment": { "method": "reserve", "until": "2030-01-01T00:00:00Z" }, "delivery": "will_call" }),
            "patron",
        ),
        (
            json!({ "payment": { "method": "cash", "tendered": 5_000 }, "delivery": "print", "address": {} }),
            "address",
        ),
        (
            json!({ "payment": { "method": "cash", "tendered": 5_000 }, "delivery": "print", "patron": { "name": "X", "email": "not an email" } }),
            "email",
        ),
    ] {
        let refused = app.sell(&show, &show.token, &cart, body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
        assert_eq!(refused.body["error"]["details"]["field"], field, "{body}");
    }
    assert_eq!(app.statuses(&show).await, "hfff", "nothing was sold");

    // A patron's cart is not a box office cart; another venue's staff find nothing.
    let patron = app.new_cart(&host).await;
    let path = format!("/admin/v1/carts/{}", patron.0);
    let reply = app.get(&host, &path, Some(&show.token)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    let other = app.create_venue().await;
    let other_owner = app.login_owner(&other).await;
    let path = format!("/admin/v1/carts/{}", cart["cartId"].as_str().unwrap());
    let reply = app.get(&other.host, &path, Some(&other_owner)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // A scanner may not sell.
    let scanner = app
        .add_staff(&show.venue, &show.token, "box-door@example.org", "scanner")
        .await;
    let reply = app
        .call(
            Method::POST,
            &host,
            "/admin/v1/carts",
            Some(&scanner),
            Some(json!({})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

/// Two clerks and a web patron go for the same seat at once: exactly one holds it, and the
/// others are told it is taken.
#[tokio::test]
async fn two_clerks_and_a_web_patron_race_for_one_seat_and_one_wins() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let seat = show.seats[0][3].clone();
    let first = app
        .add_staff(
            &show.venue,
            &show.token,
            "race-first@example.org",
            "box_office",
        )
        .await;
    let second = app
        .add_staff(
            &show.venue,
            &show.token,
            "race-second@example.org",
            "box_office",
        )
        .await;
    for round in 0..5 {
        let mut carts = Vec::new();
        for token in [&first, &second] {
            let cart = app
                .post(&host, "/admin/v1/carts", Some(token), json!({}))
                .await;
            carts.push((
                token.clone(),
                cart.body["cartId"].as_str().unwrap().to_owned(),
            ));
        }
        let web = app.new_cart(&host).await;
        let hold = json!({ "performanceId": show.performance, "seats": [seat] });
        let (path_a, path_b) = (
            format!("/admin/v1/carts/{}/holds", carts[0].1),
            format!("/admin/v1/carts/{}/holds", carts[1].1),
        );
        let wanted = [seat.as_str()];
        let (a, b, c) = tokio::join!(
            app.post(&host, &path_a, Some(&carts[0].0), hold.clone()),
            app.post(&host, &path_b, Some(&carts[1].0), hold.clone()),
            app.hold_seats(&show, &web, &wanted),
        );
        let replies = [&a, &b, &c];
        let won = replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        assert_eq!(won, 1, "round {round}: {replies:?}");
        for lost in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_eq!(lost.status, StatusCode::CONFLICT, "{}", lost.body);
            assert_eq!(
                lost.body["error"]["code"], "seat_unavailable",
                "{}",
                lost.body
            );
        }
        // Whoever won lets go for the next round.
        let (path, token) = if a.status == StatusCode::CREATED {
            (
                format!(
                    "/admin/v1/carts/{}/holds/{}",
                    carts[0].1,
                    a.body["items"][0]["holdId"].as_str().unwrap()
                ),
                Some(carts[0].0.as_str()),
            )
        } else if b.status == StatusCode::CREATED {
            (
                format!(
                    "/admin/v1/carts/{}/holds/{}",
                    carts[1].1,
                    b.body["items"][0]["holdId"].as_str().unwrap()
                ),
                Some(carts[1].0.as_str()),
            )
        } else {
            let hold_id = c.body["items"][0]["holdId"].as_str().unwrap().to_owned();
            let released = app
                .cart_call(
                    Method::DELETE,
                    &host,
                    &format!("/api/v1/carts/{}/holds/{hold_id}", web.0),
                    &web.1,
                    None,
                )
                .await;
            assert_eq!(released.status, StatusCode::OK);
            continue;
        };
        let released = app.call(Method::DELETE, &host, &path, token, None).await;
        assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    }
}

/// The end of the day counts the window: cash for the drawer (per clerk), comps apart, and
/// each staff member's sales; the figures come from the table's stream.
#[tokio::test]
async fn the_end_of_day_counts_the_cash_in_each_drawer_and_the_comps() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let clerk = app
        .add_staff(
            &show.venue,
            &show.token,
            "eod-clerk@example.org",
            "box_office",
        )
        .await;
    let cart = app
        .window_cart(&show, &clerk, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    let sold = app
        .sell(
            &show,
            &clerk,
            &cart,
            json!({ "payment": { "method": "cash", "tendered": 10_000 }, "delivery": "print" }),
        )
        .await;
    assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.body);
    let cart = app
        .window_cart(&show, &show.token, &[&show.seats[0][2]])
        .await;
    let comped = app
        .sell(
            &show,
            &show.token,
            &cart,
            json!({ "payment": { "method": "comp", "reason": "Sponsor" }, "delivery": "will_call" }),
        )
        .await;
    assert_eq!(comped.status, StatusCode::CREATED, "{}", comped.body);

    // The venue-local day of the sales: the day the range report finds them on.
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    let started = std::time::Instant::now();
    let report = loop {
        let range = app
            .get(
                &host,
                &format!("/admin/v1/reports/sales?from={from}&to={to}"),
                Some(&show.token),
            )
            .await;
        let day = range.body["days"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["tickets"].as_i64().unwrap_or(0) >= 3)
            .map(|d| d["date"].as_str().unwrap().to_owned());
        if let Some(day) = day {
            let eod = app
                .get(
                    &host,
                    &format!("/admin/v1/reports/end-of-day?date={day}"),
                    Some(&show.token),
                )
                .await;
            if eod.body["byStaff"].as_array().is_some_and(|s| s.len() == 2) {
                break eod.body;
            }
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the day's figures never counted both sales: {}",
            range.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    let summary = &report["summary"];
    assert_eq!(summary["cashOrders"], 1);
    assert_eq!(summary["cashAmount"], 10_000, "what the drawer should hold");
    assert_eq!(summary["compTickets"], 1);
    assert_eq!(summary["compValue"], 5_000);
    assert_eq!(summary["cardOrders"], 0);
    let staff = report["byStaff"].as_array().unwrap();
    let of = |email: &str| staff.iter().find(|s| s["staff"] == email).unwrap().clone();
    assert_eq!(of("eod-clerk@example.org")["cashAmount"], 10_000);
    assert_eq!(of("eod-clerk@example.org")["tickets"], 2);
    let owner = staff
        .iter()
        .find(|s| s["staff"] != "eod-clerk@example.org")
        .unwrap();
    assert_eq!(owner["compTickets"], 1);

    // The cash sale refunded at the window: paid back from the drawer, no card involved.
    let order_id = sold.body["orderId"].as_str().unwrap();
    let refunded = app
        .post(
            &host,
            &format!("/admin/v1/orders/{order_id}/refund"),
            Some(&show.token),
            json!({ "reason": "Changed their mind" }),
        )
        .await;
    assert_eq!(refunded.status, StatusCode::OK, "{}", refunded.body);
    let date = report["date"].as_str().unwrap().to_owned();
    let started = std::time::Instant::now();
    loop {
        let eod = app
            .get(
                &host,
                &format!("/admin/v1/reports/end-of-day?date={date}"),
                Some(&show.token),
            )
            .await;
        if eod.body["summary"]["cashRefunded"] == 10_000 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the cash refund was never counted: {}",
            eod.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

/// Will call: an order kept for collection is on its performance's list, found by name or
/// number, handed over once (by whom, when); a second pick-up is refused with who did it.
#[tokio::test]
async fn will_call_orders_are_listed_and_handed_over_once() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let clerk = app
        .add_staff(
            &show.venue,
            &show.token,
            "willcall-clerk@example.org",
            "box_office",
        )
        .await;
    let cart = app
        .window_cart(&show, &clerk, &[&show.seats[0][0], &show.seats[0][1]])
        .await;
    let kept = app
        .sell(
            &show,
            &clerk,
            &cart,
            json!({ "payment": { "method": "cash", "tendered": 10_000 }, "delivery": "will_call",
                    "patron": { "name": "Wanda Waiting" } }),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    let cart = app.window_cart(&show, &clerk, &[&show.seats[0][2]]).await;
    let printed = app
        .sell(
            &show,
            &clerk,
            &cart,
            json!({ "payment": { "method": "cash", "tendered": 5_000 }, "delivery": "print" }),
        )
        .await;
    assert_eq!(printed.status, StatusCode::CREATED, "{}", printed.body);

    let list_path = format!("/admin/v1/performances/{}/will-call", show.performance);
    let list = app.get(&host, &list_path, Some(&clerk)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let orders = list.body["orders"].as_array().unwrap();
    assert_eq!(
        orders.len(),
        1,
        "printed tickets are not waiting: {}",
        list.body
    );
    assert_eq!(orders[0]["name"], "Wanda Waiting");
    assert_eq!(orders[0]["tickets"], 2);
    assert!(orders[0]["pickedUp"].is_null());
    let number = kept.body["number"].as_str().unwrap();
    for q in ["wanda", &number[number.len() - 4..]] {
        let found = app
            .get(&host, &format!("{list_path}?q={q}"), Some(&clerk))
            .await;
        assert_eq!(found.body["orders"].as_array().unwrap().len(), 1, "{q}");
    }
    let none = app
        .get(&host, &format!("{list_path}?q=nobody"), Some(&clerk))
        .await;
    assert!(none.body["orders"].as_array().unwrap().is_empty());

    let order_id = kept.body["orderId"].as_str().unwrap();
    let pickup = format!("/admin/v1/orders/{order_id}/pickup");
    let first = app.post(&host, &pickup, Some(&clerk), json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["pickedUp"]["by"], "willcall-clerk@example.org");
    let again = app.post(&host, &pickup, Some(&show.token), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "already_picked_up");
    assert_eq!(
        again.body["error"]["details"]["pickedUp"]["by"],
        "willcall-clerk@example.org"
    );
    let listed = app.get(&host, &list_path, Some(&clerk)).await;
    assert_eq!(
        listed.body["orders"][0]["pickedUp"]["by"],
        "willcall-clerk@example.org"
    );
    // A printed order is not for collection.
    let printed_id = printed.body["orderId"].as_str().unwrap();
    let refused = app
        .post(
            &host,
            &format!("/admin/v1/orders/{printed_id}/pickup"),
            Some(&clerk),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.body["error"]["code"], "not_will_call");
}

/// The text of each page of a PDF, as a reader extracts it.
fn pdf_page_texts(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).expect("a PDF that parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|n| document.extract_text(&[*n]).expect("the page's text"))
        .collect()
}

#[tokio::test]
async fn window_tickets_print_on_ticket_stock_a4_or_letter() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let clerk = app
        .add_staff(
            &show.venue,
            &show.token,
            &format!("{}@example.org", crate::helpers::unique("print-clerk")),
            "box_office",
        )
        .await;
    let seats: Vec<&str> = show.seats[0][..5].iter().map(String::as_str).collect();
    let cart = app.window_cart(&show, &clerk, &seats).await;
    let sold = app
        .sell(
            &show,
            &clerk,
            &cart,
            json!({ "payment": { "method": "cash", "tendered": 25_000 }, "delivery": "print" }),
        )
        .await;
    assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.body);
    let order_id = sold.body["orderId"].as_str().unwrap().to_owned();
    let number = sold.body["number"].as_str().unwrap().to_owned();
    let print = |format: &str| {
        let request = app
            .http
            .get(app.url(&format!(
                "/admin/v1/orders/{order_id}/tickets.pdf?format={format}"
            )))
            .header("host", &host)
            .bearer_auth(&clerk);
        async move { request.send().await.expect("request is sent") }
    };

    // Five tickets: five stock tickets, two A4 or Letter sheets (four a sheet).
    for (format, pages) in [("stock", 5), ("a4", 2), ("letter", 2)] {
        let response = print(format).await;
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        assert_eq!(
            response.headers()["content-type"],
            "application/pdf",
            "{format}"
        );
        let pdf = response.bytes().await.unwrap();
        let texts = pdf_page_texts(&pdf);
        assert_eq!(texts.len(), pages, "{format}");
        let all = texts.concat();
        assert_eq!(
            all.matches(&format!("Order {number}")).count(),
            5,
            "{format}: every ticket shows the order number: {all}"
        );
    }
    let bad = print("postcard").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Another venue's staff: not found. Once refunded: nothing to print.
    let other = app.create_venue().await;
    let other_token = app.login_owner(&other).await;
    let stranger = app
        .get(
            &other.host,
            &format!("/admin/v1/orders/{order_id}/tickets.pdf"),
            Some(&other_token),
        )
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "{}", stranger.body);
    let refunded = app
        .post(
            &host,
            &format!("/admin/v1/orders/{order_id}/refund"),
            Some(&show.token),
            json!({ "reason": "Changed their mind" }),
        )
        .await;
    assert_eq!(refunded.status, StatusCode::OK, "{}", refunded.body);
    let gone = app
        .get(
            &host,
            &format!("/admin/v1/orders/{order_id}/tickets.pdf?format=stock"),
            Some(&clerk),
        )
        .await;
    assert_eq!(gone.status, StatusCode::CONFLICT, "{}", gone.body);
    assert_eq!(gone.error_code(), "no_tickets");
}
