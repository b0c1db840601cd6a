//! Seat holds through the HTTP API: carts, explicit seats, the limit, release, expiry, best
//! available and general admission — and the torture tests that check every seat afterwards.

use crate::helpers::{Reply, TestApp, Venue, spawn_app};
use chrono::{Duration, Utc};
use marquee_domain::records::{GaCapacity, GaCounter, HoldRecord};
use marquee_domain::{CartId, PerformanceId, TenantId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// `rows` rows of `per_row` seats in one section `hall`; rank grows from the front row and
/// from the centre; zone A for the first half of the rows, B after. Plus an area `lawn`.
/// (Zone B is the back half of the rows; a one-row grid has its last seat in zone B.)
pub fn grid_csv(rows: usize, per_row: usize) -> String {
    let mut csv = String::from("Section,Row,Seat,Price Zone,Best-Available Rank,X,Y,Note\n");
    for r in 0..rows {
        let row = (b'A' + r as u8) as char;
        for n in 1..=per_row {
            let zone = if (rows > 1 && r < rows.div_ceil(2)) || (rows == 1 && n < per_row) {
                "A"
            } else {
                "B"
            };
            let from_centre = (2 * n as i64 - per_row as i64 - 1).unsigned_abs() as usize;
            let rank = 1 + r * 100 + from_centre;
            csv.push_str(&format!(
                "Hall,{row},{n},{zone},{rank},{},{},\n",
                n * 10,
                r * 10
            ));
        }
    }
    csv
}

pub struct Show {
    pub venue: Venue,
    pub token: String,
    pub performance: String,
    pub seats: Vec<Vec<String>>,
}

impl TestApp {
    /// A published performance on a grid seat map, with the given hold duration.
    pub async fn grid_show(&self, rows: usize, per_row: usize, hold_seconds: u32) -> Show {
        let venue = self.create_venue().await;
        let token = self.login_owner(&venue).await;
        let map = self
            .import_csv(&venue, &token, "Grid", &grid_csv(rows, per_row))
            .await;
        assert_eq!(map.status, StatusCode::CREATED, "{}", map.body);
        let performance = self
            .publish_on(
                &venue,
                &token,
                map.body["id"].as_str().unwrap(),
                hold_seconds,
            )
            .await;
        let layout = self
            .get(
                &venue.host,
                &format!("/api/v1/performances/{performance}/seatmap"),
                None,
            )
            .await;
        let seats = layout.body["layout"]["sections"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row["seats"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["id"].as_str().unwrap().to_owned())
                    .collect()
            })
            .collect();
        Show {
            venue,
            token,
            performance,
            seats,
        }
    }

    pub async fn publish_on(
        &self,
        venue: &Venue,
        token: &str,
        map: &str,
        hold_seconds: u32,
    ) -> String {
        let event = self
            .post(
                &venue.host,
                "/admin/v1/events",
                Some(token),
                json!({ "title": "Torture Test" }),
            )
            .await;
        let body = json!({
            "startsAt": (Utc::now() + Duration::days(5)).to_rfc3339(),
            "seatMapId": map,
            "holdSeconds": hold_seconds,
            "prices": [ { "zone": "A", "priceType": "adult", "amount": 5000 }, { "zone": "B", "priceType": "adult", "amount": 3000 } ],
        });
        let created = self
            .post(
                &venue.host,
                &format!(
                    "/admin/v1/events/{}/performances",
                    event.body["id"].as_str().unwrap()
                ),
                Some(token),
                body,
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let published = self
            .post(
                &venue.host,
                &format!("/admin/v1/performances/{id}/publish"),
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        id
    }

    /// A new cart: (id, token).
    /// Under the torture tests' load DynamoDB Local can time a write out waiting for a lock
    /// (AWS would not); the API then says 503 busy, and a client tries again.
    /// A new venue whose seat map is one general-admission area `area` of `capacity` places
    /// (price zone A; zone B unused), published with holds of `hold_seconds`: the venue, its
    /// owner's token and the performance id.
    pub async fn ga_show(
        &self,
        area: &str,
        capacity: u32,
        hold_seconds: u32,
    ) -> (Venue, String, String) {
        let venue = self.create_venue().await;
        let token = self.login_owner(&venue).await;
        let map = json!({
            "name": format!("{area} only"),
            "zones": [ { "id": "A", "name": area }, { "id": "B", "name": "Unused" } ],
            "sections": [],
            "areas": [ { "id": area, "name": format!("The {area}"), "zone": "A", "capacity": capacity, "x": 1.0, "y": 1.0 } ],
        });
        let map = self
            .post(&venue.host, "/admin/v1/seatmaps", Some(&token), map)
            .await;
        assert_eq!(map.status, StatusCode::CREATED, "{}", map.body);
        let performance = self
            .publish_on(
                &venue,
                &token,
                map.body["id"].as_str().unwrap(),
                hold_seconds,
            )
            .await;
        (venue, token, performance)
    }

    /// An area's capacity as its shards share it, and each shard's count, read consistently.
    pub async fn ga_shards(
        &self,
        venue: &Venue,
        performance: &str,
        area: &str,
    ) -> (GaCapacity, Vec<GaCounter>) {
        let tenant = TenantId::parse(&venue.id).unwrap();
        let performance = PerformanceId::parse(performance).unwrap();
        let store = &self.server.store;
        let record = store.performance(&tenant, &performance).await.unwrap();
        let record = record.expect("the performance");
        let (map, _) = store
            .seat_map(&tenant, &record.seat_map_id)
            .await
            .unwrap()
            .unwrap();
        let area = map.areas.iter().find(|a| a.id.as_str() == area).unwrap();
        let capacity = record.ga_capacity(area);
        let counts = store
            .ga_counter_shards(&tenant, &performance, &area.id, capacity, true)
            .await
            .unwrap();
        (capacity, counts)
    }

    /// The cart's holds as stored (with the shard each general-admission place came from).
    pub async fn stored_holds(&self, venue: &Venue, cart: &(String, String)) -> Vec<HoldRecord> {
        let tenant = TenantId::parse(&venue.id).unwrap();
        let cart = CartId::parse(&cart.0).unwrap();
        let stored = self.server.store.cart(&tenant, &cart).await.unwrap();
        stored.map(|(_, holds)| holds).unwrap_or_default()
    }

    pub async fn new_cart(&self, host: &str) -> (String, String) {
        let mut reply = self.post(host, "/api/v1/carts", None, json!({})).await;
        for _ in 0..5 {
            if reply.status != StatusCode::SERVICE_UNAVAILABLE {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            reply = self.post(host, "/api/v1/carts", None, json!({})).await;
        }
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        (
            reply.body["cartId"].as_str().unwrap().to_owned(),
            reply.body["cartToken"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn cart_call(
        &self,
        method: Method,
        host: &str,
        path: &str,
        cart_token: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("host", host)
            .header("x-cart-token", cart_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("request is sent")).await
    }

    pub async fn hold(&self, host: &str, cart: &(String, String), body: Value) -> Reply {
        self.cart_call(
            Method::POST,
            host,
            &format!("/api/v1/carts/{}/holds", cart.0),
            &cart.1,
            Some(body),
        )
        .await
    }

    pub async fn hold_seats(&self, show: &Show, cart: &(String, String), seats: &[&str]) -> Reply {
        self.hold(
            &show.venue.host,
            cart,
            json!({ "performanceId": show.performance, "seats": seats }),
        )
        .await
    }

    pub async fn cart(&self, host: &str, cart: &(String, String)) -> Reply {
        self.cart_call(
            Method::GET,
            host,
            &format!("/api/v1/carts/{}", cart.0),
            &cart.1,
            None,
        )
        .await
    }

    /// The seat statuses of the show's only section, one char per seat.
    pub async fn statuses(&self, show: &Show) -> String {
        let status = self
            .get(
                &show.venue.host,
                &format!("/api/v1/performances/{}/seatmap/status", show.performance),
                None,
            )
            .await;
        status.body["sections"]["Hall"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", status.body))
            .to_owned()
    }
}

fn held_seats(cart: &Value) -> Vec<String> {
    cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["seat"]["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn holding_showing_and_releasing_seats() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 6, 600).await;
    let host = show.venue.host.clone();
    let cart = app.new_cart(&host).await;
    let (a1, a2) = (show.seats[0][0].clone(), show.seats[0][1].clone());

    let reply = app.hold_seats(&show, &cart, &[&a1, &a2]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(held_seats(&reply.body), [a1.clone(), a2.clone()]);
    let item = &reply.body["items"][0];
    assert_eq!(item["seat"]["row"], "A");
    assert_eq!(item["seat"]["label"], "1");
    assert_eq!(item["zone"], "A");
    assert_eq!(reply.body["remaining"], 8);
    assert!(reply.body["expiresAt"].as_str().is_some());
    assert_eq!(&app.statuses(&show).await[..3], "hhf");

    // Another patron asking for one of them is told exactly which seat is taken; nothing held.
    let other = app.new_cart(&host).await;
    let a3 = show.seats[0][2].clone();
    let reply = app.hold_seats(&show, &other, &[&a3, &a2]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.error_code(), "seat_unavailable");
    assert_eq!(reply.body["error"]["details"]["seats"], json!([a2]));
    assert_eq!(app.cart(&host, &other).await.body["items"], json!([]));
    assert_eq!(
        &app.statuses(&show).await[..3],
        "hhf",
        "the free seat of the refused request stays free"
    );

    // Release one: it is free at once.
    let hold_id = app.cart(&host, &cart).await.body["items"][1]["holdId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/carts/{}/holds/{hold_id}", cart.0);
    let reply = app
        .cart_call(Method::DELETE, &host, &path, &cart.1, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(held_seats(&reply.body), std::slice::from_ref(&a1));
    assert_eq!(reply.body["remaining"], 9);
    assert_eq!(&app.statuses(&show).await[..3], "hff");
    assert_eq!(
        app.cart_call(Method::DELETE, &host, &path, &cart.1, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.hold_seats(&show, &other, &[&a2]).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_eleventh_seat_is_refused_across_performances() {
    let app = spawn_app().await;
    let show = app.grid_show(2, 8, 600).await;
    let map_id = app
        .get(
            &show.venue.host,
            &format!("/api/v1/performances/{}", show.performance),
            None,
        )
        .await
        .body["seatMapId"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.publish_on(&show.venue, &show.token, &map_id, 600).await;
    let host = show.venue.host.clone();
    let cart = app.new_cart(&host).await;
    let first_six: Vec<&str> = show.seats[0][..6].iter().map(String::as_str).collect();
    assert_eq!(
        app.hold_seats(&show, &cart, &first_six).await.status,
        StatusCode::CREATED
    );
    let reply = app
        .hold(
            &host,
            &cart,
            json!({ "performanceId": second, "seats": &show.seats[0][..4] }),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "a cart holds several performances: {}",
        reply.body
    );
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 10);

    let reply = app.hold_seats(&show, &cart, &[&show.seats[1][0]]).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "limit_exceeded");
    assert_eq!(reply.body["error"]["details"]["remaining"], 0);
    assert_eq!(
        &app.statuses(&show).await[8..9],
        "f",
        "nothing held by the refused request"
    );

    // Eleven seats in one request are refused too, in a fresh cart.
    let fresh = app.new_cart(&host).await;
    let eleven: Vec<&str> = show
        .seats
        .iter()
        .flatten()
        .take(11)
        .map(String::as_str)
        .collect();
    let reply = app.hold_seats(&show, &fresh, &eleven).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "limit_exceeded");
}

#[tokio::test]
async fn bad_hold_requests_are_clear_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let cart = app.new_cart(&host).await;
    let seat = show.seats[0][0].clone();

    // Cart token missing, wrong, or the cart on another venue's host.
    let path = format!("/api/v1/carts/{}/holds", cart.0);
    let reply = app
        .post(
            &host,
            &path,
            None,
            json!({ "performanceId": show.performance, "seats": [seat] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let wrong = (cart.0.clone(), "0".repeat(48));
    assert_eq!(
        app.hold_seats(&show, &wrong, &[&seat]).await.status,
        StatusCode::NOT_FOUND
    );
    let other = app.create_venue().await;
    let reply = app
        .hold(
            &other.host,
            &cart,
            json!({ "performanceId": show.performance, "seats": [seat] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.cart(&other.host, &cart).await.status,
        StatusCode::NOT_FOUND
    );

    let cases = [
        (
            json!({ "performanceId": show.performance, "seats": ["nope"] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_seats",
        ),
        (
            json!({ "performanceId": show.performance, "seats": [seat, seat] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "performanceId": show.performance, "seats": [] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "performanceId": show.performance }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({ "performanceId": show.performance, "seats": [seat], "bestAvailable": { "quantity": 1 } }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({ "performanceId": "01aaaaaaaaaaaaaaaaaaaaaaaa", "seats": [seat] }),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            json!({ "performanceId": show.performance, "bestAvailable": { "quantity": 2, "zone": "Z" } }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "performanceId": show.performance, "generalAdmission": { "areaId": "nowhere", "quantity": 1 } }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "performanceId": show.performance, "seats": "A-1" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let reply = app.hold(&host, &cart, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{body}");
    }

    // A blocked seat cannot be held; a paused performance cannot be sold.
    let blocks = format!("/admin/v1/performances/{}/blocks", show.performance);
    app.post(
        &host,
        &blocks,
        Some(&show.token),
        json!({ "seats": [show.seats[0][5]], "action": "block" }),
    )
    .await;
    let reply = app.hold_seats(&show, &cart, &[&show.seats[0][5]]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(
        reply.body["error"]["details"]["seats"],
        json!([show.seats[0][5]])
    );
    app.post(
        &host,
        &format!("/admin/v1/performances/{}/pause", show.performance),
        Some(&show.token),
        json!({}),
    )
    .await;
    // The pause reaches holds at once: it is checked inside the hold transaction.
    let reply = app.hold_seats(&show, &cart, &[&seat]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.error_code(), "not_on_sale");
    assert_eq!(app.cart(&host, &cart).await.body["items"], json!([]));
    assert_eq!(app.statuses(&show).await, "fffffb");
}

#[tokio::test]
async fn an_expired_hold_is_free_at_once_and_the_worker_cleans_up_after() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 10).await;
    let host = show.venue.host.clone();
    let cart = app.new_cart(&host).await;
    let (s1, s2) = (show.seats[0][0].clone(), show.seats[0][1].clone());
    let reply = app.hold_seats(&show, &cart, &[&s1, &s2]).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let expires = chrono::DateTime::parse_from_rfc3339(reply.body["expiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(&app.statuses(&show).await[..2], "hh");

    // Just after the deadline, with the worker kept away (its job is due two seconds later,
    // but a loaded machine can take longer than that to look):
    let paused = app.server.pause_queue_workers().await;
    let wait =
        (expires - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(150);
    tokio::time::sleep(wait).await;
    let stored = app
        .server
        .store
        .section_seat_states(&tenant(&show), &perf(&show), &section())
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        2,
        "the worker has not run yet: the items are still there"
    );
    assert_eq!(
        &app.statuses(&show).await[..2],
        "ff",
        "free to everyone without the worker"
    );
    assert_eq!(app.cart(&host, &cart).await.body["items"], json!([]));
    // ... and the next hold's condition lets another patron take it at once.
    let other = app.new_cart(&host).await;
    let taken = app.hold_seats(&show, &other, &[&s1]).await;
    assert_eq!(taken.status, StatusCode::CREATED);
    // That hold lasts 10 s too: a slow clean-up below may outlive it.
    let other_expires =
        chrono::DateTime::parse_from_rfc3339(taken.body["expiresAt"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc);

    // The worker then releases what is still this cart's, leaving the other patron's seat.
    drop(paused);
    let start = Instant::now();
    loop {
        let stored = app
            .server
            .store
            .section_seat_states(&tenant(&show), &perf(&show), &section())
            .await
            .unwrap();
        let (record, holds) = app
            .server
            .store
            .cart(
                &tenant(&show),
                &marquee_domain::CartId::parse(&cart.0).unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
        // The worker releases the holds, then marks the cart: wait for its last write.
        if holds.is_empty() && record.status == marquee_domain::records::CartStatus::Expired {
            assert!(
                stored
                    .iter()
                    .all(|s| s.cart.as_ref().map(|c| c.as_str()) == Some(other.0.as_str())),
                "only the other patron's seat may be left: {stored:?}"
            );
            if Utc::now() < other_expires {
                assert_eq!(stored.len(), 1, "the other patron's live hold is kept");
            }
            break;
        }
        // A job that failed under a loaded suite (DynamoDB Local lock timeouts) comes back
        // after the queue's backoff, so the wait is long; it is usually a second or two.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(120),
            "the worker did not clean up: {stored:?} {record:?} {holds:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let view = app.cart(&host, &cart).await;
    assert_eq!(view.body["status"], "expired");
    let statuses = app.statuses(&show).await;
    if Utc::now() < other_expires {
        assert_eq!(&statuses[..2], "hf");
    } else {
        assert_eq!(&statuses[..2], "ff", "the other patron's hold ran out too");
    }
}

fn tenant(show: &Show) -> marquee_domain::TenantId {
    marquee_domain::TenantId::parse(&show.venue.id).unwrap()
}

fn perf(show: &Show) -> marquee_domain::PerformanceId {
    marquee_domain::PerformanceId::parse(&show.performance).unwrap()
}

fn section() -> marquee_domain::seatmap::SectionId {
    marquee_domain::seatmap::SectionId::parse("Hall").unwrap()
}

#[tokio::test]
async fn best_available_picks_adjacent_seats_by_rank_and_avoids_orphans() {
    let app = spawn_app().await;
    let show = app.grid_show(3, 6, 600).await;
    let host = show.venue.host.clone();
    let best = |quantity: u32, zone: Option<&str>| json!({ "performanceId": show.performance, "bestAvailable": { "quantity": quantity, "zone": zone } });

    // The centre of the front row first.
    let cart = app.new_cart(&host).await;
    let reply = app.hold(&host, &cart, best(2, None)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let mut got = held_seats(&reply.body);
    got.sort();
    assert_eq!(got, [show.seats[0][2].clone(), show.seats[0][3].clone()]);

    // Zone B is rows B.. only (rows split: A,B in A; C in B for three rows).
    let reply = app
        .hold(&host, &app.new_cart(&host).await, best(3, Some("B")))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert!(
        held_seats(&reply.body)
            .iter()
            .all(|s| show.seats[2].contains(s)),
        "{}",
        reply.body
    );

    // Row A now has 2 free on each side: asking 3 must not take a row that leaves one alone
    // when a clean block exists (row B: 6 free → take 3 centre-ish, leaving 3 and 0? no orphan).
    let reply = app
        .hold(&host, &app.new_cart(&host).await, best(3, Some("A")))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert!(
        held_seats(&reply.body)
            .iter()
            .all(|s| show.seats[1].contains(s)),
        "row B, not split row A: {}",
        reply.body
    );
    let statuses = app.statuses(&show).await;
    let row_b = &statuses[6..12];
    assert!(
        !row_b.starts_with("fh") && !row_b.ends_with("hf") && !row_b.contains("hfh"),
        "no single orphan in row B: {row_b}"
    );
}

#[tokio::test]
async fn best_available_on_a_nearly_full_and_a_full_house_answers_promptly() {
    let app = spawn_app().await;
    let show = app.grid_show(4, 10, 600).await;
    let host = show.venue.host.clone();
    // Block every other seat: 20 singles left, no two together.
    let blocks: Vec<&String> = show
        .seats
        .iter()
        .flat_map(|row| row.iter().step_by(2))
        .collect();
    let reply = app
        .post(
            &host,
            &format!("/admin/v1/performances/{}/blocks", show.performance),
            Some(&show.token),
            json!({ "seats": blocks, "action": "block" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let ask = |quantity: u32| json!({ "performanceId": show.performance, "bestAvailable": { "quantity": quantity } });
    let start = Instant::now();
    let reply = app.hold(&host, &app.new_cart(&host).await, ask(2)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["error"]["details"]["reason"], "none_available");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(15),
        "prompt: {:?}",
        start.elapsed()
    );

    // Singles are still sold one by one until the house is full, then a prompt "none".
    for _ in 0..20 {
        let reply = app.hold(&host, &app.new_cart(&host).await, ask(1)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    assert!(!app.statuses(&show).await.contains('f'));
    let start = Instant::now();
    let reply = app.hold(&host, &app.new_cart(&host).await, ask(1)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(start.elapsed() < std::time::Duration::from_secs(15));
}

#[tokio::test]
async fn general_admission_never_goes_over_capacity() {
    let app = spawn_app().await;
    let (venue, _, performance) = app.ga_show("lawn", 300, 600).await;
    let ga = |quantity: u32| json!({ "performanceId": performance, "generalAdmission": { "areaId": "lawn", "quantity": quantity } });

    // 200 patrons race for 300 places, 1–4 each (500 asked for).
    let requests = (0..200u32).map(|i| {
        let app = &app;
        let host = venue.host.clone();
        async move {
            let cart = app.new_cart(&host).await;
            let quantity = 1 + i % 4;
            let reply = app.hold(&host, &cart, ga(quantity)).await;
            (cart, quantity, reply)
        }
    });
    let results = futures::future::join_all(requests).await;
    let mut granted = 0u32;
    for (cart, quantity, reply) in &results {
        let items = app.cart(&venue.host, cart).await.body["items"]
            .as_array()
            .unwrap()
            .len() as u32;
        match reply.status {
            StatusCode::CREATED => {
                granted += quantity;
                assert_eq!(items, *quantity);
            }
            StatusCode::CONFLICT => assert_eq!(items, 0, "a refused request holds nothing"),
            // DynamoDB Local timed the transaction out waiting for a lock (AWS would not).
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(reply.error_code(), "busy");
                assert_eq!(items, 0, "a busy request holds nothing");
            }
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    assert!(granted <= 300, "over capacity: {granted}");
    assert!(
        granted >= 297,
        "capacity left unused while patrons were refused: {granted}"
    );
    let status_path = format!("/api/v1/performances/{performance}/seatmap/status");
    seat_map_shows(
        &app,
        &venue.host,
        &status_path,
        "lawn",
        u64::from(300 - granted),
    )
    .await;

    // Every counter shard, read afterwards: none over its share, and each counts exactly
    // the stored holds that name it.
    let (capacity, counts) = app.ga_shards(&venue, &performance, "lawn").await;
    assert_eq!(capacity.shards(), 2, "300 places are counted on two shards");
    let mut holds_on = vec![0u32; counts.len()];
    for (cart, _, reply) in &results {
        if reply.status == StatusCode::CREATED {
            for hold in app.stored_holds(&venue, cart).await {
                holds_on[usize::from(hold.shard)] += 1;
            }
        }
    }
    for (shard, count) in (0..).zip(&counts) {
        assert!(
            count.held + count.sold <= capacity.shard_places(shard),
            "shard {shard} over its share: {count:?}"
        );
        assert_eq!(count.held, holds_on[usize::from(shard)], "shard {shard}");
    }
    assert_eq!(counts.iter().map(|c| c.held).sum::<u32>(), granted);

    // A released place goes back to its own shard at once, and to the area's figure.
    let (cart, _, reply) = results
        .iter()
        .find(|(_, _, r)| r.status == StatusCode::CREATED)
        .unwrap();
    let hold_id = reply.body["items"][0]["holdId"].as_str().unwrap();
    let released = app.stored_holds(&venue, cart).await;
    let shard = released
        .iter()
        .find(|h| h.hold_id.as_str() == hold_id)
        .unwrap()
        .shard;
    let path = format!("/api/v1/carts/{}/holds/{hold_id}", cart.0);
    assert_eq!(
        app.cart_call(Method::DELETE, &venue.host, &path, &cart.1, None)
            .await
            .status,
        StatusCode::OK
    );
    seat_map_shows(
        &app,
        &venue.host,
        &status_path,
        "lawn",
        u64::from(300 - granted + 1),
    )
    .await;
    let (_, after) = app.ga_shards(&venue, &performance, "lawn").await;
    let shard = usize::from(shard);
    assert_eq!(after[shard].held + 1, counts[shard].held);
    assert_eq!(after[1 - shard].held, counts[1 - shard].held);
}

/// Near a sell-out the last places of a sharded area may be on different shards, none with
/// enough alone: one hold takes them from several shards in one write, the live figure and
/// the seat map count every shard, and each released place goes back to its own shard.
#[tokio::test]
async fn the_last_places_of_a_sharded_area_sell_even_when_no_shard_has_enough_alone() {
    let app = spawn_app().await;
    let (venue, token, performance) = app.ga_show("field", 500, 600).await;
    let (capacity, _) = app.ga_shards(&venue, &performance, "field").await;
    assert_eq!(capacity.shards(), 2);
    assert_eq!(
        (capacity.shard_places(0), capacity.shard_places(1)),
        (250, 250)
    );

    // 498 places sold earlier, 249 counted on each shard: one place left on each.
    let tenant = TenantId::parse(&venue.id).unwrap();
    let performance_id = PerformanceId::parse(&performance).unwrap();
    let area = marquee_domain::seatmap::AreaId::parse("field").unwrap();
    for shard in 0..2 {
        let pk = marquee_store::keys::ga_counter(&tenant, &performance_id, &area, shard);
        app.server
            .store
            .client()
            .put_item()
            .table_name(app.server.store.table())
            .item("pk", aws_sdk_dynamodb::types::AttributeValue::S(pk))
            .item(
                "sk",
                aws_sdk_dynamodb::types::AttributeValue::S("COUNT".into()),
            )
            .item(
                "held",
                aws_sdk_dynamodb::types::AttributeValue::N("0".into()),
            )
            .item(
                "sold",
                aws_sdk_dynamodb::types::AttributeValue::N("249".into()),
            )
            .item(
                "taken",
                aws_sdk_dynamodb::types::AttributeValue::N("249".into()),
            )
            .send()
            .await
            .unwrap();
    }
    let status_path = format!("/api/v1/performances/{performance}/seatmap/status");
    let status = app.get(&venue.host, &status_path, None).await;
    assert_eq!(
        status.body["areas"]["field"], 2,
        "the seat map adds the shards up"
    );

    let mut socket = app.live_subscriber(&venue.host, &performance).await;
    let ga = |quantity: u32| json!({ "performanceId": performance, "generalAdmission": { "areaId": "field", "quantity": quantity } });
    let cart = app.new_cart(&venue.host).await;
    let reply = app.hold(&venue.host, &cart, ga(2)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let holds = app.stored_holds(&venue, &cart).await;
    let mut shards: Vec<u16> = holds.iter().map(|h| h.shard).collect();
    shards.sort_unstable();
    assert_eq!(shards, vec![0, 1], "one place from each shard");
    let (_, counts) = app.ga_shards(&venue, &performance, "field").await;
    assert!(
        counts.iter().all(|c| c.held == 1 && c.sold == 249),
        "{counts:?}"
    );
    // Figures are states: an update for the counts written above may still be on its way
    // first; the area's figure reaches 0 and says so.
    loop {
        let update = crate::live::next_update(&mut socket).await;
        assert_eq!(update["type"], "ga", "{update}");
        assert_eq!(update["areaId"], "field", "{update}");
        if update["available"] == 0 {
            break;
        }
        assert!(update["available"].as_u64() <= Some(2), "{update}");
    }

    // Sold out: the next patron hears that nothing is left.
    let other = app.new_cart(&venue.host).await;
    let reply = app.hold(&venue.host, &other, ga(1)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["error"]["details"]["available"], 0);

    // One place given back: to its own shard, and then to the next patron.
    let given_back = &holds[0];
    let path = format!("/api/v1/carts/{}/holds/{}", cart.0, given_back.hold_id);
    let reply = app
        .cart_call(Method::DELETE, &venue.host, &path, &cart.1, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (_, counts) = app.ga_shards(&venue, &performance, "field").await;
    assert_eq!(counts[usize::from(given_back.shard)].held, 0);
    assert_eq!(counts[usize::from(1 - given_back.shard)].held, 1);
    let reply = app.hold(&venue.host, &other, ga(1)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    seat_map_shows(&app, &venue.host, &status_path, "field", 0).await;

    // The first patron pays for the place still held: sold on the shard it was held on.
    let kept = &holds[1];
    let checkout = app.checkout(&venue.host, &cart, "field@example.org").await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    let paid = app.pay(&checkout.body, crate::checkout::VISA).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    app.await_order(&venue.host, &checkout.body, "paid").await;
    let (_, counts) = app.ga_shards(&venue, &performance, "field").await;
    let shard = usize::from(kept.shard);
    assert_eq!(
        (counts[shard].held, counts[shard].sold),
        (0, 250),
        "{counts:?}"
    );
    assert_eq!(counts.iter().map(|c| c.held + c.sold).sum::<u32>(), 500);

    // Refunded: the place goes back to that same shard.
    let order_id = checkout.body["orderId"].as_str().unwrap();
    let refund = app
        .post(
            &venue.host,
            &format!("/admin/v1/orders/{order_id}/refund"),
            Some(&token),
            json!({ "reason": "Could not come" }),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    let (_, counts) = app.ga_shards(&venue, &performance, "field").await;
    assert_eq!(
        (counts[shard].held, counts[shard].sold),
        (0, 249),
        "{counts:?}"
    );
    seat_map_shows(&app, &venue.host, &status_path, "field", 1).await;
}

/// The seat map's figure for `area` comes to `expected`: a sharded area's total is read at
/// most once a second per instance, so a change shows within about a second.
async fn seat_map_shows(app: &TestApp, host: &str, status_path: &str, area: &str, expected: u64) {
    let started = Instant::now();
    loop {
        let status = app.get(host, status_path, None).await;
        let shown = status.body["areas"][area].as_u64();
        if shown == Some(expected) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the seat map still shows {shown:?}, not {expected}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// 200 patrons per round, several rounds, each holding 1–6 random seats of a 60-seat house
/// with fresh carts; afterwards every seat is checked against every response.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn torture_no_seat_is_ever_held_twice() {
    let app = spawn_app().await;
    let show = app.grid_show(6, 10, 600).await;
    let host = show.venue.host.clone();
    let all: Vec<String> = show.seats.iter().flatten().cloned().collect();
    let tenant = tenant(&show);
    let performance = perf(&show);
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut total_ok = 0;
    let mut total_conflicts = 0;
    for round in 0..3 {
        let mut wanted: Vec<Vec<String>> = Vec::new();
        for _ in 0..200 {
            let count = 1 + (next() % 6) as usize;
            let mut seats = HashSet::new();
            while seats.len() < count {
                seats.insert(all[(next() % all.len() as u64) as usize].clone());
            }
            wanted.push(seats.into_iter().collect());
        }
        let requests = wanted.iter().map(|seats| {
            let app = &app;
            let host = host.clone();
            let performance = show.performance.clone();
            async move {
                let cart = app.new_cart(&host).await;
                let reply = app
                    .hold(
                        &host,
                        &cart,
                        json!({ "performanceId": performance, "seats": seats }),
                    )
                    .await;
                (cart, reply)
            }
        });
        let results = futures::future::join_all(requests).await;

        let stored = app
            .server
            .store
            .section_seat_states(&tenant, &performance, &section())
            .await
            .unwrap();
        let owner: HashMap<String, String> = stored
            .iter()
            .map(|s| {
                (
                    s.seat.to_string(),
                    s.cart.as_ref().map(ToString::to_string).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(owner.len(), stored.len(), "one item per seat");
        let mut claimed: HashMap<String, String> = HashMap::new();
        for ((cart, reply), seats) in results.iter().zip(&wanted) {
            let (stored_cart, holds) = app
                .server
                .store
                .cart(&tenant, &marquee_domain::CartId::parse(&cart.0).unwrap())
                .await
                .unwrap()
                .unwrap();
            match reply.status {
                StatusCode::CREATED => {
                    total_ok += 1;
                    for seat in seats {
                        assert_eq!(
                            owner.get(seat),
                            Some(&cart.0),
                            "round {round}: {seat} granted to {} but stored for {:?}",
                            cart.0,
                            owner.get(seat)
                        );
                        assert!(
                            claimed.insert(seat.clone(), cart.0.clone()).is_none(),
                            "round {round}: {seat} granted twice"
                        );
                    }
                    assert_eq!(holds.len(), seats.len());
                    assert_eq!(
                        stored_cart.remaining as usize,
                        10 - seats.len(),
                        "cart count matches its holds"
                    );
                }
                StatusCode::CONFLICT => {
                    total_conflicts += 1;
                    assert_eq!(reply.error_code(), "seat_unavailable");
                    let taken: Vec<String> =
                        serde_json::from_value(reply.body["error"]["details"]["seats"].clone())
                            .unwrap();
                    assert!(
                        !taken.is_empty() && taken.iter().all(|s| seats.contains(s)),
                        "names only requested seats: {taken:?}"
                    );
                    assert!(
                        holds.is_empty(),
                        "round {round}: a refused request left holds behind"
                    );
                    assert_eq!(stored_cart.remaining, 10);
                }
                // DynamoDB Local timed the transaction out waiting for a lock (AWS would
                // not): busy, and it must have left nothing either.
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert_eq!(reply.error_code(), "busy");
                    assert!(
                        holds.is_empty(),
                        "round {round}: a busy request left holds behind"
                    );
                    assert_eq!(stored_cart.remaining, 10);
                }
                other => panic!("round {round}: unexpected {other}: {}", reply.body),
            }
        }
        // Every stored hold belongs to a successful response: nothing stray.
        assert_eq!(
            claimed.len(),
            owner.len(),
            "round {round}: stored holds without a successful response"
        );
        // Free everything for the next round by blocking and unblocking? No: release via carts.
        for (cart, reply) in &results {
            if reply.status == StatusCode::CREATED {
                for item in reply.body["items"].as_array().unwrap() {
                    let path = format!(
                        "/api/v1/carts/{}/holds/{}",
                        cart.0,
                        item["holdId"].as_str().unwrap()
                    );
                    assert_eq!(
                        app.cart_call(Method::DELETE, &host, &path, &cart.1, None)
                            .await
                            .status,
                        StatusCode::OK
                    );
                }
            }
        }
        assert!(
            !app.statuses(&show).await.contains('h'),
            "round {round}: all released"
        );
    }
    println!("torture: {total_ok} holds granted, {total_conflicts} refused over 3 rounds of 200");
    assert!(
        total_ok > 0 && total_conflicts > 0,
        "the rounds must actually contend"
    );
}

#[tokio::test]
async fn a_seat_map_cannot_drop_seats_that_patrons_hold() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let held = show.seats[0][3].clone();
    assert_eq!(
        app.hold_seats(&show, &app.new_cart(&host).await, &[&held])
            .await
            .status,
        StatusCode::CREATED
    );
    let map_id = app
        .get(
            &host,
            &format!("/api/v1/performances/{}", show.performance),
            None,
        )
        .await
        .body["seatMapId"]
        .as_str()
        .unwrap()
        .to_owned();
    let current = app
        .get(
            &host,
            &format!("/admin/v1/seatmaps/{map_id}"),
            Some(&show.token),
        )
        .await;
    let mut layout = current.body["layout"].clone();

    // Dropping the held seat is refused, naming it; nothing changes.
    let mut without = layout.clone();
    without["sections"][0]["rows"][0]["seats"]
        .as_array_mut()
        .unwrap()
        .pop();
    let reply = app
        .call(
            Method::PUT,
            &host,
            &format!("/admin/v1/seatmaps/{map_id}"),
            Some(&show.token),
            Some(without),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.error_code(), "seats_in_use");
    assert_eq!(reply.body["error"]["details"]["seats"][0]["seatId"], held);
    assert_eq!(app.statuses(&show).await, "fffh");

    // Dropping a free seat and renaming things is fine, and the held seat stays held.
    layout["sections"][0]["rows"][0]["seats"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    layout["name"] = json!("Grid, revised");
    let reply = app
        .call(
            Method::PUT,
            &host,
            &format!("/admin/v1/seatmaps/{map_id}"),
            Some(&show.token),
            Some(layout),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["version"], 2);
    assert_eq!(reply.body["seatCount"], 3);
    // (The public site may serve the old layout for up to 5 s from an instance's cache.)
    let stored = app
        .get(
            &host,
            &format!("/admin/v1/seatmaps/{map_id}"),
            Some(&show.token),
        )
        .await;
    assert_eq!(stored.body["layout"]["name"], "Grid, revised");
    assert_eq!(
        app.statuses(&show)
            .await
            .chars()
            .filter(|c| *c == 'h')
            .count(),
        1,
        "the held seat is still held"
    );
}

/// Items in the test's own table: a refused first hold must not change the count.
async fn stored_items(app: &TestApp) -> i32 {
    let store = &app.server.store;
    let mut count = 0;
    let mut start = None;
    loop {
        let page = store
            .client()
            .scan()
            .table_name(store.table())
            .select(aws_sdk_dynamodb::types::Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        count += page.count();
        start = page.last_evaluated_key;
        if start.is_none() {
            return count;
        }
    }
}

/// A later hold answers with the whole cart without reading it back when this instance knows
/// the cart; a cart changed meanwhile (a release) is decided and shown as stored. Either way
/// the answer is what the cart's own address shows.
#[tokio::test]
async fn a_later_hold_answers_the_whole_cart_as_stored_whether_or_not_it_changed_meanwhile() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 12, 600).await;
    let host = show.venue.host.clone();
    let seat = |i: usize| show.seats[0][i].as_str();
    let created = app
        .post(
            &host,
            "/api/v1/carts",
            None,
            json!({ "performanceId": show.performance, "seats": [seat(0), seat(1)] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let cart = (
        created.body["cartId"].as_str().unwrap().to_owned(),
        created.body["cartToken"].as_str().unwrap().to_owned(),
    );
    let seats_of = |reply: &Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["seat"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (app_at, host_at, cart_at) = (&app, &host, &cart);
    let same_as_stored = move |held: Reply| async move {
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let stored = app_at.cart(host_at, cart_at).await;
        assert_eq!(held.body, stored.body, "the answer is the cart as stored");
        held
    };

    let held = same_as_stored(app.hold_seats(&show, &cart, &[seat(2)]).await).await;
    assert_eq!(seats_of(&held), [seat(0), seat(1), seat(2)]);
    assert_eq!(
        held.body["remaining"],
        held.body["limit"].as_u64().unwrap() - 3
    );

    // A seat given back changes the cart; the next hold still answers it as stored.
    let first = held.body["items"][0]["holdId"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/carts/{}/holds/{first}", cart.0);
    let released = app
        .cart_call(Method::DELETE, &host, &path, &cart.1, None)
        .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    let held = same_as_stored(app.hold_seats(&show, &cart, &[seat(3), seat(4)]).await).await;
    assert_eq!(seats_of(&held), [seat(1), seat(2), seat(3), seat(4)]);
    assert_eq!(
        held.body["remaining"],
        held.body["limit"].as_u64().unwrap() - 4
    );

    // A refused later hold changes nothing, and the cart's next hold is still right.
    let taken = app.hold_seats(&show, &cart, &[seat(4), seat(5)]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let held = same_as_stored(app.hold_seats(&show, &cart, &[seat(5)]).await).await;
    assert_eq!(seats_of(&held).len(), 5);
    assert_eq!(&app.statuses(&show).await[..7], "fhhhhhf");
}

#[tokio::test]
async fn a_cart_and_its_first_hold_are_one_request_and_a_refused_hold_makes_no_cart() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 12, 600).await;
    let host = show.venue.host.clone();
    let (s1, s2, s3) = (&show.seats[0][0], &show.seats[0][1], &show.seats[0][2]);

    let created = app
        .post(
            &host,
            "/api/v1/carts",
            None,
            json!({ "performanceId": show.performance, "seats": [s1, s2] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = &created.body;
    let cart = (
        body["cartId"].as_str().unwrap().to_owned(),
        body["cartToken"].as_str().unwrap().to_owned(),
    );
    let seats: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["seat"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(seats, [s1.as_str(), s2.as_str()]);
    assert_eq!(body["status"], "open");
    assert_eq!(body["remaining"], body["limit"].as_u64().unwrap() - 2);
    assert!(body["holdsExpireAt"].is_string() && body["expiresAt"].is_string());
    assert_eq!(&app.statuses(&show).await[..3], "hhf");
    // The same cart as the cart's own address shows it, and later holds go there.
    let view = app.cart(&host, &cart).await.body;
    assert_eq!(view["items"], body["items"]);
    assert_eq!(view["expiresAt"], body["holdsExpireAt"]);
    assert_eq!(
        app.hold_seats(&show, &cart, &[s3]).await.status,
        StatusCode::CREATED
    );

    // Refused first holds leave nothing: no cart, no hold, no seat.
    let before = stored_items(&app).await;
    let taken = app
        .post(
            &host,
            "/api/v1/carts",
            None,
            json!({ "performanceId": show.performance, "seats": [&show.seats[0][5], s1] }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert_eq!(taken.error_code(), "seat_unavailable");
    assert_eq!(taken.body["error"]["details"]["seats"], json!([s1]));
    let eleven: Vec<&String> = show.seats[0][1..12].iter().collect();
    let too_many = app
        .post(
            &host,
            "/api/v1/carts",
            None,
            json!({ "performanceId": show.performance, "seats": eleven }),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_many.error_code(), "limit_exceeded");
    let unnamed = app
        .post(&host, "/api/v1/carts", None, json!({ "seats": [s3] }))
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unnamed.body["error"]["details"]["field"], "performanceId");
    let both = app
        .post(
            &host,
            "/api/v1/carts",
            None,
            json!({ "performanceId": show.performance, "seats": [s3],
                    "bestAvailable": { "quantity": 1 } }),
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_items(&app).await, before, "nothing was written");
    assert_eq!(&app.statuses(&show).await[..6], "hhhfff");

    let pause = app
        .post(
            &host,
            &format!("/admin/v1/performances/{}/pause", show.performance),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(pause.status, StatusCode::OK, "{}", pause.body);
    // The pause is written (and its audit entry); the refused hold below writes nothing.
    let before = stored_items(&app).await;
    let paused = app
        .post(
            &host,
            "/api/v1/carts",
            None,
            json!({ "performanceId": show.performance, "bestAvailable": { "quantity": 2 } }),
        )
        .await;
    assert_eq!(paused.status, StatusCode::CONFLICT, "{}", paused.body);
    assert_eq!(paused.error_code(), "not_on_sale");
    assert_eq!(stored_items(&app).await, before);

    // Without a first hold (no body at all, or an empty object) it is an empty cart, as before.
    let bare = app
        .http
        .post(app.url("/api/v1/carts"))
        .header("host", &host)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::CREATED);
    let bare: Value = bare.json().await.unwrap();
    assert!(
        bare["cartToken"].is_string() && bare.get("items").is_none(),
        "{bare}"
    );
}

/// Messages waiting on the hold-expiry queue (delayed or visible).
async fn expiry_messages(app: &TestApp) -> usize {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let attributes = app
        .server
        .sqs
        .get_queue_attributes()
        .queue_url(&app.server.config.hold_expiry_queue_url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesDelayed)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    [
        A::ApproximateNumberOfMessages,
        A::ApproximateNumberOfMessagesDelayed,
        A::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .map(|name| {
        attributes
            .get(name)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    })
    .sum()
}

#[tokio::test]
async fn holds_send_no_message_and_the_sweep_gives_expired_places_back() {
    let app = spawn_app().await;
    let (venue, _, performance) = app.ga_show("yard", 20, 10).await;
    let ga = |quantity: u32| json!({ "performanceId": performance, "generalAdmission": { "areaId": "yard", "quantity": quantity } });
    let status_path = format!("/api/v1/performances/{performance}/seatmap/status");
    let paused = app.server.pause_queue_workers().await;

    // A cart started with its first hold, then two more holds; and a cart started empty.
    let created = app.post(&venue.host, "/api/v1/carts", None, ga(2)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let cart = (
        created.body["cartId"].as_str().unwrap().to_owned(),
        created.body["cartToken"].as_str().unwrap().to_owned(),
    );
    for _ in 0..2 {
        let reply = app.hold(&venue.host, &cart, ga(1)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let empty = app.new_cart(&venue.host).await;
    let reply = app.hold(&venue.host, &empty, ga(3)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(
        expiry_messages(&app).await,
        0,
        "seven places held, no message"
    );
    let status = app.get(&venue.host, &status_path, None).await;
    assert_eq!(status.body["areas"]["yard"], 20 - 7);

    // Both carts are filed in the expiry index for when their holds end, and not before.
    let store = &app.server.store;
    let now = Utc::now().timestamp_millis();
    assert!(store.carts_due(now).await.unwrap().is_empty());
    let later: Vec<String> = store
        .carts_due(now + 60_000)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, cart)| cart.to_string())
        .collect();
    assert!(
        later.contains(&cart.0) && later.contains(&empty.0),
        "{later:?}"
    );

    // Once they end, the sweep gives the places back (general admission is counted, not
    // lazily free) and closes both carts.
    drop(paused);
    let start = Instant::now();
    loop {
        let status = app.get(&venue.host, &status_path, None).await;
        let mut closed = true;
        for c in [&cart, &empty] {
            closed &= app.cart(&venue.host, c).await.body["status"] == "expired";
        }
        if status.body["areas"]["yard"] == 20 && closed {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "not swept: {}",
            status.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(
        store.carts_due(now + 60_000).await.unwrap().is_empty(),
        "out of the index"
    );
    assert_eq!(expiry_messages(&app).await, 0);
}

/// The hold-expiry Lambda's entry point: EventBridge's scheduled event runs the sweep; a
/// batch from the queue (a job sent before the sweep) cleans up its cart the same way.
#[tokio::test]
async fn the_expiry_function_sweeps_on_its_schedule_and_still_takes_queued_jobs() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 10).await;
    let _paused = app.server.pause_queue_workers().await;
    let swept = app.new_cart(&show.venue.host).await;
    let queued = app.new_cart(&show.venue.host).await;
    for (cart, seat) in [(&swept, &show.seats[0][0]), (&queued, &show.seats[0][1])] {
        assert_eq!(
            app.hold_seats(&show, cart, &[seat]).await.status,
            StatusCode::CREATED
        );
    }
    let store = app.server.store.clone();
    let state = hold_expiry::ExpiryState::new(store.clone());
    // The queued job's cart is taken out of the index, as if filed by a job instead.
    let tenant = tenant(&show);
    let queued_id = CartId::parse(&queued.0).unwrap();
    assert!(
        store
            .file_for_expiry(&tenant, &queued_id, None, None)
            .await
            .unwrap()
    );
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;

    let scheduled = json!({
        "version": "0", "id": "c5f0a8b2-0000-4000-8000-000000000000",
        "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
        "time": Utc::now().to_rfc3339(), "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/marquee-sweep"], "detail": {}
    });
    let answer = hold_expiry::handle_event(&state, scheduled).await.unwrap();
    assert_eq!(answer, Value::Null);
    assert_eq!(
        app.cart(&show.venue.host, &swept).await.body["status"],
        "expired"
    );
    assert_eq!(
        app.cart(&show.venue.host, &queued).await.body["status"],
        "open",
        "not in the index: the sweep does not see it"
    );

    let job = json!({ "tenant": show.venue.id, "cartId": queued.0, "holdIds": [], "expiresAt": 0 });
    let batch = json!({ "Records": [ {
        "messageId": "m-1", "receiptHandle": "r-1", "body": job.to_string(),
        "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:hold-expiry", "awsRegion": "eu-west-1"
    } ] });
    let answer = hold_expiry::handle_event(&state, batch).await.unwrap();
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    assert_eq!(
        app.cart(&show.venue.host, &queued).await.body["status"],
        "expired"
    );
    let left = store
        .section_seat_states(&tenant, &perf(&show), &section())
        .await
        .unwrap();
    assert!(left.is_empty(), "both seats' items released: {left:?}");
}

#[tokio::test]
async fn a_sale_paused_and_resumed_within_the_cache_lifetime_sells_at_once() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let cart = app.new_cart(&host).await;
    // The first hold caches the performance in this instance.
    assert_eq!(
        app.hold_seats(&show, &cart, &[&show.seats[0][0]])
            .await
            .status,
        StatusCode::CREATED
    );
    for action in ["pause", "publish"] {
        let reply = app
            .post(
                &host,
                &format!("/admin/v1/performances/{}/{action}", show.performance),
                Some(&show.token),
                json!({}),
            )
            .await;
        assert!(reply.status.is_success(), "{action}: {}", reply.body);
    }
    // The cached copy is on sale but out of date: the hold's condition on the performance's
    // updatedAt refuses it, and the hold is decided again on a fresh copy.
    let reply = app.hold_seats(&show, &cart, &[&show.seats[0][1]]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(app.statuses(&show).await, "hhff");
}
