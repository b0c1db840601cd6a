//! Mailed tickets over HTTP against the local stack: the postal address checked per country
//! at the web checkout and at the window, the venue's mailing fee in the totals, mail closing
//! before the performance; then fulfilment — in-house (the to-post list, Avery labels, "mark
//! mailed") and through the print-and-mail provider's double (one letter per order whatever
//! fails and is retried, signed tracking webhooks).

use crate::helpers::{Reply, TestApp, spawn_app};
use crate::holds::Show;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The mailing fee every test venue charges, in cents.
const FEE: i64 = 450;

impl TestApp {
    /// Turns on mailed tickets at the show's venue: to the US and Canada, for `FEE`,
    /// closing `cutoff_days` before the performance, posted by `fulfilment`.
    async fn enable_mail(&self, show: &Show, cutoff_days: u32, fulfilment: &str) {
        let settings = self
            .put(
                &show.venue.host,
                "/admin/v1/venue",
                Some(&show.token),
                json!({ "mail": {
                    "enabled": true, "fee": FEE, "cutoffDays": cutoff_days,
                    "countries": ["US", "ca"], "fulfilment": fulfilment,
                } }),
            )
            .await;
        assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
        assert_eq!(
            settings.body["settings"]["mail"]["countries"],
            json!(["US", "CA"])
        );
    }

    /// Holds `seats` in a new web cart and checks out by mail with `address` (if any).
    async fn mail_checkout(&self, show: &Show, seats: &[&str], address: Option<Value>) -> Reply {
        let cart = self.new_cart(&show.venue.host).await;
        let held = self.hold_seats(show, &cart, seats).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let tickets: Vec<Value> = held.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!({ "holdId": i["holdId"], "priceType": "adult" }))
            .collect();
        let mut body = json!({
            "email": crate::helpers::unique("mail-patron") + "@example.org",
            "name": "Pat Patron",
            "delivery": "mail",
            "tickets": tickets,
        });
        if let Some(address) = address {
            body["address"] = address;
        }
        self.checkout_with(&show.venue.host, &cart, body).await
    }
}

pub(crate) fn us_address(postal_code: &str) -> Value {
    json!({
        "name": "Ada Lovelace", "line1": "1 Infinite Loop", "city": "Cupertino",
        "region": "CA", "postalCode": postal_code, "country": "US",
    })
}

fn assert_field(reply: &Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "invalid_field", "{}", reply.body);
    assert_eq!(
        reply.body["error"]["details"]["field"], field,
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_web_patron_posting_tickets_gives_an_address_that_passes_its_country_rules() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let seat = |n: usize| show.seats[0][n].clone();

    // The venue does not post tickets yet.
    let refused = app
        .mail_checkout(&show, &[&seat(0)], Some(us_address("95014")))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "mail_not_offered");

    app.enable_mail(&show, 2, "in_house").await;
    let site = app.get(&show.venue.host, "/api/v1/site", None).await;
    assert_eq!(site.body["mail"]["fee"], FEE);
    let countries = site.body["mail"]["countries"].as_array().unwrap();
    assert_eq!(countries.len(), 2);
    assert_eq!(countries[0]["code"], "US");
    assert_eq!(countries[0]["postalCodeLabel"], "ZIP code");

    let without = app.mail_checkout(&show, &[&seat(1)], None).await;
    assert_field(&without, "address");
    let mut no_city = us_address("95014");
    no_city["city"] = json!("");
    assert_field(
        &app.mail_checkout(&show, &[&seat(2)], Some(no_city)).await,
        "address.city",
    );
    let bad = app
        .mail_checkout(&show, &[&seat(3)], Some(us_address("9501")))
        .await;
    assert_field(&bad, "address.postalCode");
    let mut wrong_type = us_address("95014");
    wrong_type["postalCode"] = json!(95014);
    assert_field(
        &app.mail_checkout(&show, &[&seat(4)], Some(wrong_type))
            .await,
        "address.postalCode",
    );

    let done = app
        .mail_checkout(&show, &[&seat(5)], Some(us_address("95014-2083")))
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.body["totals"]["mailing"], FEE);
    assert_eq!(
        done.body["totals"]["total"],
        3000 + FEE,
        "the seat (the row's last, in the cheaper zone B) and the fee"
    );
    let order = app.order(&show.venue.host, &done.body).await;
    assert_eq!(order.body["address"]["city"], "CUPERTINO");
    assert_eq!(order.body["mailStatus"], "pending");
}

#[tokio::test]
async fn mail_closes_the_set_number_of_days_before_the_performance() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 2, 600).await;
    // The performance is 5 days away.
    app.enable_mail(&show, 7, "in_house").await;
    let closed = app
        .mail_checkout(&show, &[&show.seats[0][0]], Some(us_address("95014")))
        .await;
    assert_eq!(
        closed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        closed.body
    );
    assert_eq!(closed.error_code(), "mail_closed");
    let too_far = app
        .put(
            &show.venue.host,
            "/admin/v1/venue",
            Some(&show.token),
            json!({ "mail": { "cutoffDays": 91 } }),
        )
        .await;
    assert_eq!(too_far.body["error"]["details"]["field"], "mail.cutoffDays");
}

#[tokio::test]
async fn a_clerk_posts_tickets_sold_at_the_window_with_the_fee_in_the_cash_due() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    app.enable_mail(&show, 2, "in_house").await;
    let host = &show.venue.host;
    let cart = app
        .post(host, "/admin/v1/carts", Some(&show.token), json!({}))
        .await;
    let cart_id = cart.body["cartId"].as_str().unwrap().to_owned();
    let held = app
        .post(
            host,
            &format!("/admin/v1/carts/{cart_id}/holds"),
            Some(&show.token),
            json!({ "performanceId": show.performance, "seats": [show.seats[0][0]] }),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let tickets = json!([{ "holdId": held.body["items"][0]["holdId"], "priceType": "adult" }]);
    let quote = app
        .post(
            host,
            &format!("/admin/v1/carts/{cart_id}/quote"),
            Some(&show.token),
            json!({ "tickets": tickets, "delivery": "mail" }),
        )
        .await;
    assert_eq!(quote.body["total"], 5000 + FEE, "{}", quote.body);
    let sell_path = format!("/admin/v1/carts/{cart_id}/sell");
    let sell = |address: Value, tendered: i64| {
        app.post(
            host,
            &sell_path,
            Some(&show.token),
            json!({
                "patron": { "name": "Walk Up" },
                "tickets": tickets,
                "payment": { "method": "cash", "tendered": tendered },
                "delivery": "mail",
                "address": address,
            }),
        )
    };
    let mut no_region = us_address("95014");
    no_region["region"] = json!(null);
    assert_field(&sell(no_region, 10_000).await, "address.region");
    let sold = sell(us_address("95014"), 10_000).await;
    assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.body);
    assert_eq!(sold.body["changeDue"], 10_000 - 5000 - FEE);
    let order = app
        .get(
            host,
            &format!(
                "/admin/v1/orders/{}",
                sold.body["orderId"].as_str().unwrap()
            ),
            Some(&show.token),
        )
        .await;
    assert_eq!(order.body["delivery"], "mail");
    assert_eq!(order.body["address"]["postalCode"], "95014");
    assert_eq!(order.body["mailStatus"], "pending");
}

impl TestApp {
    /// Sells `seat` at the window for cash, posted to a US address, to a patron with a
    /// unique email address; the order id and that address.
    async fn window_mail_sale(&self, show: &Show, seat: &str, name: &str) -> (String, String) {
        let host = &show.venue.host;
        let cart = self
            .post(host, "/admin/v1/carts", Some(&show.token), json!({}))
            .await;
        let cart_id = cart.body["cartId"].as_str().unwrap().to_owned();
        let held = self
            .post(
                host,
                &format!("/admin/v1/carts/{cart_id}/holds"),
                Some(&show.token),
                json!({ "performanceId": show.performance, "seats": [seat] }),
            )
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let email = crate::helpers::unique("posted") + "@example.org";
        let mut address = us_address("95014");
        address["name"] = json!(name);
        let sold = self
            .post(
                host,
                &format!("/admin/v1/carts/{cart_id}/sell"),
                Some(&show.token),
                json!({
                    "patron": { "name": name, "email": email },
                    "tickets": [{ "holdId": held.body["items"][0]["holdId"], "priceType": "adult" }],
                    "payment": { "method": "cash", "tendered": 10_000 },
                    "delivery": "mail",
                    "address": address,
                }),
            )
            .await;
        assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.body);
        (sold.body["orderId"].as_str().unwrap().to_owned(), email)
    }
}

/// Marked-content blocks per page: one per label.
fn labels_per_page(pdf: &[u8]) -> Vec<usize> {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF");
    doc.get_pages()
        .values()
        .map(|id| {
            doc.get_and_decode_page_content(*id)
                .expect("page content")
                .operations
                .iter()
                .filter(|op| matches!(op.operator.as_str(), "BMC" | "BDC"))
                .count()
        })
        .collect()
}

#[tokio::test]
async fn the_box_office_posts_tickets_from_the_to_post_list_with_avery_labels() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    app.enable_mail(&show, 2, "in_house").await;
    let host = &show.venue.host;
    let mut sold = Vec::new();
    for (n, name) in ["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra"]
        .iter()
        .enumerate()
    {
        sold.push(app.window_mail_sale(&show, &show.seats[0][n], name).await);
    }

    let list = app
        .get(host, "/admin/v1/orders/to-post", Some(&show.token))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let orders = list.body["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 3, "{}", list.body);
    assert_eq!(orders[0]["id"], sold[0].0.as_str(), "oldest first");
    assert_eq!(orders[0]["address"]["name"], "Ada Lovelace");
    assert_eq!(orders[0]["address"]["city"], "CUPERTINO");

    let labels = app
        .http
        .get(app.url("/admin/v1/orders/to-post/labels.pdf"))
        .header("host", host)
        .bearer_auth(&show.token)
        .send()
        .await
        .unwrap();
    assert_eq!(labels.status(), StatusCode::OK);
    assert_eq!(labels.headers()["content-type"], "application/pdf");
    let pdf = labels.bytes().await.unwrap();
    assert_eq!(labels_per_page(&pdf), [3], "one Letter sheet, three labels");
    let text = lopdf::Document::load_mem(&pdf)
        .unwrap()
        .extract_text(&[1])
        .unwrap();
    assert!(text.contains("Grace Hopper"), "{text}");

    // Mark mailed: the patron hears the tickets are in the post; the order leaves the list.
    let (first, email) = &sold[0];
    let posted = app
        .post(
            host,
            &format!("/admin/v1/orders/{first}/posted"),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    assert_eq!(posted.body["mailStatus"], "mailed");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mails = app.mail_to(email).await;
        if mails.iter().any(|m| m.subject.contains("in the post")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no posted notice: {mails:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let list = app
        .get(host, "/admin/v1/orders/to-post", Some(&show.token))
        .await;
    assert_eq!(list.body["orders"].as_array().unwrap().len(), 2);
}

impl TestApp {
    fn lob_url(&self) -> String {
        std::env::var("MARQUEE_LOB_URL").expect("the Lob double runs in the local stack")
    }

    /// The double's letters for `order`.
    async fn letters_for(&self, order: &str) -> (Vec<Value>, u64) {
        let all: Value = self
            .http
            .get(format!("{}/_double/letters", self.lob_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let letters = all["letters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["metadata"]["order_id"] == order)
            .cloned()
            .collect();
        (letters, all["failuresLeft"].as_u64().unwrap_or(0))
    }

    /// Waits until the double has a letter for `order`.
    async fn await_letter(&self, order: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
        loop {
            let (letters, _) = self.letters_for(order).await;
            if let Some(letter) = letters.first() {
                return letter.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no letter for {order}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// A web order of `seat` posted through the provider, paid by card.
    async fn paid_provider_order(&self, show: &Show, seat: &str) -> Value {
        let done = self
            .mail_checkout(show, &[seat], Some(us_address("95014")))
            .await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
        self.pay(&done.body, crate::checkout::VISA).await;
        self.await_order(&show.venue.host, &done.body, "paid").await;
        done.body
    }
}

async fn enable_provider(app: &TestApp, show: &Show) {
    let settings = app
        .put(
            &show.venue.host,
            "/admin/v1/venue",
            Some(&show.token),
            json!({ "mail": {
                "enabled": true, "fee": FEE, "cutoffDays": 2, "countries": ["US"],
                "fulfilment": "provider",
                "returnAddress": {
                    "name": "Box Office", "line1": "1 Theatre Row", "city": "New York",
                    "region": "NY", "postalCode": "10036", "country": "US",
                },
            } }),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
}

#[tokio::test]
async fn the_provider_posts_one_letter_per_paid_order_and_its_signed_webhooks_track_it() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    enable_provider(&app, &show).await;
    let checkout = app.paid_provider_order(&show, &show.seats[0][0]).await;
    let order = checkout["orderId"].as_str().unwrap();
    let letter = app.await_letter(order).await;
    assert_eq!(letter["to"]["address_zip"], "95014");
    assert_eq!(letter["idempotencyKey"], format!("order-{order}-letter"));
    let letter_id = letter["id"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let detail = app.admin_order(&show, order).await;
        if detail["mail"]["letterId"] == letter_id.as_str() {
            assert_eq!(detail["mailStatus"], "submitted");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "letter id never recorded: {detail}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // Lob's signed event: the order's letter is mailed.
    let webhook = app.url("/api/v1/printmail/webhook");
    let sent: Value = app
        .http
        .post(format!(
            "{}/_double/letters/{letter_id}/events",
            app.lob_url()
        ))
        .json(&json!({ "type": "letter.mailed", "url": webhook,
                       "secret": devserver::LOCAL_LOB_WEBHOOK_SECRET }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["status"], 200, "{sent}");
    assert_eq!(app.admin_order(&show, order).await["mailStatus"], "mailed");
    let patron = app.order(&show.venue.host, &checkout).await;
    assert_eq!(patron.body["mailStatus"], "mailed");

    // Signed with another secret, or stale: refused, nothing changes.
    for (secret, timestamp) in [
        ("not-the-secret", None),
        (devserver::LOCAL_LOB_WEBHOOK_SECRET, Some("1000000000000")),
    ] {
        let mut request =
            json!({ "type": "letter.returned_to_sender", "url": webhook, "secret": secret });
        if let Some(ts) = timestamp {
            request["timestamp"] = json!(ts);
        }
        let refused: Value = app
            .http
            .post(format!(
                "{}/_double/letters/{letter_id}/events",
                app.lob_url()
            ))
            .json(&request)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(refused["status"], 400, "{refused}");
    }
    assert_eq!(app.admin_order(&show, order).await["mailStatus"], "mailed");
    // An event about nothing we track: 200, ignored.
    let unknown: Value = app
        .http
        .post(format!(
            "{}/_double/letters/{letter_id}/events",
            app.lob_url()
        ))
        .json(&json!({ "type": "letter.viewed", "url": webhook,
                       "secret": devserver::LOCAL_LOB_WEBHOOK_SECRET }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["status"], 200);
    assert_eq!(
        app.letters_for(order).await.0.len(),
        1,
        "exactly one letter"
    );
}

#[tokio::test]
async fn a_provider_failure_leaves_the_order_pending_and_the_retry_posts_one_letter() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    enable_provider(&app, &show).await;
    let failing = app
        .http
        .post(format!("{}/_double/fail", app.lob_url()))
        .json(&json!({ "count": 1 }))
        .send()
        .await
        .unwrap();
    assert!(failing.status().is_success());
    let checkout = app.paid_provider_order(&show, &show.seats[0][1]).await;
    let order = checkout["orderId"].as_str().unwrap();
    app.await_letter(order).await;
    let (letters, failures_left) = app.letters_for(order).await;
    assert_eq!(failures_left, 0, "the first attempt failed");
    assert_eq!(letters.len(), 1, "retried to exactly one letter");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let detail = app.admin_order(&show, order).await;
        if detail["mailStatus"] == "submitted" {
            assert!(detail["mail"]["problem"].is_null(), "{detail}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never submitted: {detail}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Give any stray redelivery a moment: still one letter.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(app.letters_for(order).await.0.len(), 1);
}
