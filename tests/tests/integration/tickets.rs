//! Tickets after the sale: the confirmation mail with the PDF and calendar attachments (read
//! back from the local SES), the PDF download through a presigned S3 link, the door (signed
//! codes, one admission under concurrent scans, re-entry, refunded and forged tickets), the
//! sales figures and the to-post list.

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with_cjk_font};
use crate::holds::Show;
use marquee_domain::TenantId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const VISA: &str = "4242424242424242";

/// A paid order of `seats` (indexes in the first row) on the show: (checkout, order view).
pub(crate) async fn paid_order(
    app: &TestApp,
    show: &Show,
    seats: &[usize],
    email: &str,
) -> (Value, Value) {
    let cart = app.new_cart(&show.venue.host).await;
    let ids: Vec<&str> = seats.iter().map(|i| show.seats[0][*i].as_str()).collect();
    let held = app.hold_seats(show, &cart, &ids).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let checkout = app.checkout(&show.venue.host, &cart, email).await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    let checkout = checkout.body;
    assert_eq!(app.pay(&checkout, VISA).await.status, StatusCode::OK);
    let order = app.await_order(&show.venue.host, &checkout, "paid").await;
    (checkout, order)
}

/// The signed code of a ticket, as printed in its QR code.
pub(crate) async fn code_of(app: &TestApp, show: &Show, order: &Value, index: usize) -> String {
    let tenant = TenantId::parse(&show.venue.id).unwrap();
    let key = marquee_platform::tickets::venue_key(&app.server.store, &tenant)
        .await
        .unwrap();
    let order_id = marquee_domain::OrderId::parse(order["id"].as_str().unwrap()).unwrap();
    let record = app
        .server
        .store
        .order(&tenant, &order_id)
        .await
        .unwrap()
        .unwrap();
    marquee_platform::tickets::ticket_code(&key, &tenant, &record.tickets[index]).unwrap()
}

impl TestApp {
    pub(crate) async fn scan(
        &self,
        show: &Show,
        token: &str,
        code: &str,
        direction: &str,
        door: &str,
    ) -> Reply {
        self.post(
            &show.venue.host,
            "/admin/v1/scan",
            Some(token),
            json!({ "code": code, "performanceId": show.performance, "direction": direction, "door": door }),
        )
        .await
    }
}

#[tokio::test]
async fn the_confirmation_carries_the_tickets_pdf_and_a_calendar_entry() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let (_, order) = paid_order(&app, &show, &[2, 3], "tickets@example.org").await;
    let number = order["number"].as_str().unwrap();
    let mail = app
        .wait_for_mail("tickets@example.org", Duration::from_secs(30))
        .await;
    assert!(mail.subject.contains(number), "{}", mail.subject);
    assert!(
        mail.body.contains(number),
        "the text part names the order: {}",
        mail.body
    );
    let pdf = mail
        .attachments
        .iter()
        .find(|a| a.content_type == "application/pdf")
        .unwrap_or_else(|| panic!("a PDF attachment: {:?}", mail.attachments));
    assert!(pdf.data.starts_with(b"%PDF-"), "a PDF file");
    let pages = pdf_pages(&pdf.data);
    assert_eq!(pages.len(), 2, "one page per ticket");
    assert!(
        pages.iter().all(|page| page.contains(number)),
        "every page shows the order number: {pages:?}"
    );
    let calendar = mail
        .attachments
        .iter()
        .find(|a| a.content_type.starts_with("text/calendar"))
        .expect("a calendar attachment");
    let ics = String::from_utf8_lossy(&calendar.data);
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("SUMMARY:Torture Test"),
        "{ics}"
    );
}

/// The text of each page, as a PDF reader extracts it (the fonts are embedded subsets, so
/// the file itself holds glyph ids, not the text).
fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).expect("a PDF that parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|n| document.extract_text(&[*n]).expect("the page's text"))
        .collect()
}

#[tokio::test]
async fn a_greek_venue_and_a_japanese_title_print_as_themselves_on_the_tickets() {
    let app = spawn_app_with_cjk_font().await;
    let show = app.grid_show(1, 4, 600).await;
    let venue_name = "Θέατρο Ηρώδου Αττικού";
    let title = "東京オペラ 椿姫";
    let renamed = app
        .put(
            &show.venue.host,
            "/admin/v1/venue",
            Some(&show.token),
            json!({ "name": venue_name }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let events = app
        .get(&show.venue.host, "/admin/v1/events", Some(&show.token))
        .await;
    let event = events.body["events"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", events.body))
        .to_owned();
    let retitled = app
        .put(
            &show.venue.host,
            &format!("/admin/v1/events/{event}"),
            Some(&show.token),
            json!({ "title": title }),
        )
        .await;
    assert_eq!(retitled.status, StatusCode::OK, "{}", retitled.body);
    // The public API keeps a performance for a few seconds; the sale reads the fresh title.
    tokio::time::sleep(Duration::from_secs(6)).await;
    paid_order(&app, &show, &[0], "cjk@example.org").await;
    let mail = app
        .wait_for_mail("cjk@example.org", Duration::from_secs(30))
        .await;
    let pdf = mail
        .attachments
        .iter()
        .find(|a| a.content_type == "application/pdf")
        .expect("a PDF attachment");
    let pages = pdf_pages(&pdf.data);
    assert_eq!(pages.len(), 1);
    let text: String = pages[0].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(venue_name),
        "the venue prints in Greek: {text}"
    );
    assert!(
        text.contains("椿姫"),
        "the title prints in Japanese: {text}"
    );
    assert!(!text.contains('?'), "no character is lost: {text}");
}

#[tokio::test]
async fn tickets_can_be_downloaded_again_through_a_short_lived_link() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let (checkout, order) = paid_order(&app, &show, &[0], "reprint@example.org").await;
    let path = format!(
        "/api/v1/orders/{}/tickets.pdf?token={}",
        checkout["orderId"].as_str().unwrap(),
        checkout["orderToken"].as_str().unwrap()
    );
    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..2 {
        let reply = no_redirects
            .get(app.url(&path))
            .header("host", &show.venue.host)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::FOUND);
        let location = reply.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.contains("X-Amz-Signature"),
            "a presigned link: {location}"
        );
        assert!(
            location.contains(&show.venue.id),
            "under the tenant's prefix"
        );
        assert!(
            location.starts_with("/documents/"),
            "on the venue's own site: {location}"
        );
        let pdf = no_redirects
            .get(app.url(&location))
            .header("host", &show.venue.host)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        let bytes = pdf.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(String::from_utf8_lossy(&bytes).contains(order["number"].as_str().unwrap()));
    }
    let wrong = app
        .get(
            &show.venue.host,
            &format!(
                "/api/v1/orders/{}/tickets.pdf?token=nope",
                checkout["orderId"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_ticket_is_admitted_once_even_when_two_doors_scan_it_at_the_same_instant() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let (_, order) = paid_order(&app, &show, &[0, 1], "door@example.org").await;
    let code = code_of(&app, &show, &order, 0).await;
    let scanner = app
        .add_staff(&show.venue, &show.token, "scanner@example.org", "scanner")
        .await;

    let scans = futures::future::join_all((0..10).map(|i| {
        app.scan(
            &show,
            &scanner,
            &code,
            "in",
            if i % 2 == 0 { "North" } else { "South" },
        )
    }))
    .await;
    let ok: Vec<&Reply> = scans.iter().filter(|r| r.body["result"] == "ok").collect();
    assert_eq!(ok.len(), 1, "{scans:?}");
    assert!(
        scans
            .iter()
            .filter(|r| r.body["result"] != "ok")
            .all(|r| r.body["result"] == "already_used" && r.body["usedAt"].is_string()),
        "{scans:?}"
    );
    let again = app.scan(&show, &scanner, &code, "in", "East").await;
    assert_eq!(again.body["result"], "already_used");
    assert!(
        again.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Already used at")
    );

    // Out for a break, and back in.
    assert_eq!(
        app.scan(&show, &scanner, &code, "out", "North").await.body["result"],
        "ok"
    );
    assert_eq!(
        app.scan(&show, &scanner, &code, "out", "North").await.body["result"],
        "not_inside"
    );
    assert_eq!(
        app.scan(&show, &scanner, &code, "in", "North").await.body["result"],
        "ok"
    );

    let sales = app
        .get(
            &show.venue.host,
            &format!("/admin/v1/performances/{}/sales", show.performance),
            Some(&show.token),
        )
        .await;
    assert_eq!(sales.status, StatusCode::OK, "{}", sales.body);
    assert_eq!(sales.body["sold"], 2);
    assert_eq!(sales.body["inside"], 1);
    assert_eq!(sales.body["admitted"], 1);
    assert_eq!(sales.body["revenue"], 10000);
    assert_eq!(sales.body["available"], 4);
    // The scanner role may scan but not see sales or refund.
    let refused = app
        .get(
            &show.venue.host,
            &format!("/admin/v1/performances/{}/sales", show.performance),
            Some(&scanner),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forged_refunded_and_misdirected_tickets_are_turned_away() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let (checkout, order) = paid_order(&app, &show, &[0, 1], "turned@example.org").await;
    let code = code_of(&app, &show, &order, 0).await;

    // One character changed anywhere: refused by the signature, whatever it claims.
    for i in [3, code.len() / 2, code.len() - 1] {
        let mut forged: Vec<char> = code.chars().collect();
        forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        let reply = app.scan(&show, &show.token, &forged, "in", "North").await;
        assert_eq!(reply.body["result"], "invalid", "{forged}: {}", reply.body);
    }
    assert_eq!(
        app.scan(&show, &show.token, "hello", "in", "North")
            .await
            .body["result"],
        "invalid"
    );

    // The same ticket at another performance's door.
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
    let other = app.publish_on(&show.venue, &show.token, &map, 600).await;
    let elsewhere = app
        .post(
            &show.venue.host,
            "/admin/v1/scan",
            Some(&show.token),
            json!({ "code": code, "performanceId": other }),
        )
        .await;
    assert_eq!(
        elsewhere.body["result"], "wrong_performance",
        "{}",
        elsewhere.body
    );

    // Another venue's staff cannot use this venue's tickets.
    let rival = app.create_venue().await;
    let rival_token = app.login_owner(&rival).await;
    let foreign = app
        .post(
            &rival.host,
            "/admin/v1/scan",
            Some(&rival_token),
            json!({ "code": code, "performanceId": show.performance }),
        )
        .await;
    assert_eq!(foreign.body["result"], "invalid", "{}", foreign.body);

    // A refunded ticket is refused at the door.
    let ticket = order["tickets"][0]["id"].clone();
    let refund = app
        .post(
            &show.venue.host,
            &format!(
                "/admin/v1/orders/{}/refund",
                checkout["orderId"].as_str().unwrap()
            ),
            Some(&show.token),
            json!({ "tickets": [ticket] }),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    let refused = app.scan(&show, &show.token, &code, "in", "North").await;
    assert_eq!(refused.body["result"], "refunded", "{}", refused.body);
    // The other ticket of the order still admits.
    let second = code_of(&app, &show, &order, 1).await;
    assert_eq!(
        app.scan(&show, &show.token, &second, "in", "North")
            .await
            .body["result"],
        "ok"
    );
}

#[tokio::test]
async fn orders_for_posting_wait_in_the_to_post_list_until_posted() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let mail = app
        .put(
            &show.venue.host,
            "/admin/v1/venue",
            Some(&show.token),
            json!({ "mail": { "enabled": true, "cutoffDays": 1, "countries": ["US"] } }),
        )
        .await;
    assert_eq!(mail.status, StatusCode::OK, "{}", mail.body);
    let cart = app.new_cart(&show.venue.host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let hold = app.cart(&show.venue.host, &cart).await.body["items"][0]["holdId"].clone();
    let checkout = app
        .checkout_with(
            &show.venue.host,
            &cart,
            json!({ "email": "post@example.org", "name": "By Post", "delivery": "mail",
                    "tickets": [{ "holdId": hold, "priceType": "adult" }],
                    "address": crate::mail::us_address("95014") }),
        )
        .await
        .body;
    app.pay(&checkout, VISA).await;
    app.await_order(&show.venue.host, &checkout, "paid").await;
    let mail = app
        .wait_for_mail("post@example.org", Duration::from_secs(30))
        .await;
    assert!(
        mail.attachments
            .iter()
            .all(|a| a.content_type != "application/pdf"),
        "posted tickets are not e-mailed"
    );
    let list = app
        .get(
            &show.venue.host,
            "/admin/v1/orders/to-post",
            Some(&show.token),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["orders"][0]["id"], checkout["orderId"]);
    let order_id = checkout["orderId"].as_str().unwrap();
    let posted = app
        .post(
            &show.venue.host,
            &format!("/admin/v1/orders/{order_id}/posted"),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    assert!(posted.body["postedAt"].is_string());
    let list = app
        .get(
            &show.venue.host,
            "/admin/v1/orders/to-post",
            Some(&show.token),
        )
        .await;
    assert_eq!(list.body["orders"], json!([]));
    let twice = app
        .post(
            &show.venue.host,
            &format!("/admin/v1/orders/{order_id}/posted"),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}
