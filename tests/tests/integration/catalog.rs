//! The catalog through the HTTP API: seat maps (CSV and JSON), events, performances,
//! prices, publishing, blocks, and what patrons see.

use crate::helpers::{Reply, TestApp, Venue, spawn_app};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Two sections of the stalls and a balcony row; zones A (front) and B.
pub const SMALL_CSV: &str = "\
Section,Row,Seat,Price Zone,Best-Available Rank,X,Y,Note,Accessible
Stalls Left,A,1,A,1,10,10,,yes
Stalls Left,A,2,A,2,20,10,,
Stalls Left,B,1,B,5,10,20,,
Stalls Left,B,2,B,6,20,20,,
Stalls Right,A,1,A,3,40,10,,
Stalls Right,A,2,A,4,50,10,\"Aisle, restricted\",
Balcony,A,1,B,7,30,40,,
";

impl TestApp {
    pub async fn import_csv(
        &self,
        venue: &Venue,
        token: &str,
        name: &str,
        csv: &str,
    ) -> crate::helpers::Reply {
        let request = self
            .http
            .post(self.url(&format!("/admin/v1/seatmaps/import?name={name}")))
            .header("host", &venue.host)
            .header("content-type", "text/csv")
            .bearer_auth(token)
            .body(csv.to_owned());
        crate::helpers::Reply::from(request.send().await.unwrap()).await
    }

    /// An event with one performance on `map` a week from now, priced for zones A and B.
    pub async fn create_performance(
        &self,
        venue: &Venue,
        token: &str,
        map: &str,
    ) -> (String, String) {
        let event = self
            .post(
                &venue.host,
                "/admin/v1/events",
                Some(token),
                json!({ "title": "Hamlet", "description": "The Dane." }),
            )
            .await;
        assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
        let event_id = event.body["id"].as_str().unwrap().to_owned();
        let body = json!({
            "startsAt": (Utc::now() + Duration::days(7)).to_rfc3339(),
            "seatMapId": map,
            "prices": [
                { "zone": "A", "priceType": "adult", "amount": 4500 },
                { "zone": "A", "priceType": "student", "amount": 2500 },
                { "zone": "B", "priceType": "adult", "amount": 3000 },
            ],
            "fees": [ { "name": "Booking fee", "basis": "per_ticket", "fixed": 150 } ],
        });
        let performance = self
            .post(
                &venue.host,
                &format!("/admin/v1/events/{event_id}/performances"),
                Some(token),
                body,
            )
            .await;
        assert_eq!(
            performance.status,
            StatusCode::CREATED,
            "{}",
            performance.body
        );
        (
            event_id,
            performance.body["id"].as_str().unwrap().to_owned(),
        )
    }

    /// A venue with the small seat map and a published performance on it.
    pub async fn published_performance(&self) -> (Venue, String, String) {
        let venue = self.create_venue().await;
        let token = self.login_owner(&venue).await;
        let map = self.import_csv(&venue, &token, "Small", SMALL_CSV).await;
        assert_eq!(map.status, StatusCode::CREATED, "{}", map.body);
        let (_, performance) = self
            .create_performance(&venue, &token, map.body["id"].as_str().unwrap())
            .await;
        let published = self
            .post(
                &venue.host,
                &format!("/admin/v1/performances/{performance}/publish"),
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        (venue, token, performance)
    }
}

fn section_status(status: &Value, section: &str) -> String {
    status["sections"][section]
        .as_str()
        .unwrap_or_else(|| panic!("section {section} in {status}"))
        .to_owned()
}

#[tokio::test]
async fn staff_publish_from_csv_and_patrons_see_prices_and_seats() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;

    let map = app
        .import_csv(&venue, &token, "Main%20House", SMALL_CSV)
        .await;
    assert_eq!(map.status, StatusCode::CREATED, "{}", map.body);
    assert_eq!(map.body["name"], "Main House");
    assert_eq!(map.body["seatCount"], 7);
    assert_eq!(map.body["sections"], 3);
    let layout = &map.body["layout"];
    let note = layout.to_string();
    assert!(
        note.contains("Aisle, restricted"),
        "quoted CSV note kept: {note}"
    );
    let map_id = map.body["id"].as_str().unwrap();

    let (event_id, performance) = app.create_performance(&venue, &token, map_id).await;
    // A draft is invisible to patrons.
    assert_eq!(
        app.get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&venue.host, "/api/v1/events", None).await.body["events"],
        json!([])
    );

    let published = app
        .post(
            &venue.host,
            &format!("/admin/v1/performances/{performance}/publish"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(published.body["status"], "on_sale");

    let events = app.get(&venue.host, "/api/v1/events", None).await;
    assert_eq!(events.status, StatusCode::OK);
    assert_eq!(events.body["events"][0]["id"], event_id);
    assert_eq!(events.body["events"][0]["title"], "Hamlet");
    assert_eq!(
        events.body["events"][0]["performances"][0]["id"],
        performance
    );

    let detail = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None,
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.body["eventTitle"], "Hamlet");
    assert_eq!(detail.body["selling"], true);
    assert_eq!(detail.body["maxTicketsPerOrder"], 10);
    assert_eq!(detail.body["holdSeconds"], 600);
    assert_eq!(detail.body["startsAt"]["timezone"], "Europe/London");
    let prices = detail.body["prices"].as_array().unwrap();
    let student_a = prices
        .iter()
        .find(|p| p["zone"] == "A" && p["priceType"] == "student")
        .unwrap();
    assert_eq!(
        student_a["price"],
        json!({ "amount": 2500, "currency": "GBP" })
    );
    assert_eq!(detail.body["availability"]["seats"]["total"], 7);
    assert_eq!(detail.body["availability"]["seats"]["available"], 7);

    let seatmap = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}/seatmap"),
            None,
        )
        .await;
    assert_eq!(seatmap.status, StatusCode::OK, "{}", seatmap.body);
    let sections = seatmap.body["layout"]["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 3);
    let first_seat = &sections[0]["rows"][0]["seats"][0];
    assert_eq!(first_seat["accessible"], true);
    let stalls_left = sections[0]["id"].as_str().unwrap();
    assert_eq!(section_status(&seatmap.body["status"], stalls_left), "ffff");
}

#[tokio::test]
async fn a_bad_csv_names_the_line_and_column_and_saves_nothing() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;

    let missing_column = "Section,Row,Seat,Best-Available Rank,X,Y,Note\nA,1,1,1,0,0,\n";
    let reply = app.import_csv(&venue, &token, "Bad", missing_column).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "invalid_csv");
    assert_eq!(reply.body["error"]["details"]["line"], 1);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("zone"),
        "{}",
        reply.body
    );

    let bad_number = "Section,Row,Seat,Price Zone,Best-Available Rank,X,Y,Note\nS,A,1,A,1,10,10,\nS,A,2,A,two,20,10,\n";
    let reply = app.import_csv(&venue, &token, "Bad", bad_number).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["error"]["details"]["line"], 3);
    assert!(
        reply.body["error"]["details"]["column"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("rank")
    );

    let duplicate = "Section,Row,Seat,Price Zone,Best-Available Rank,X,Y,Note\nS,A,1,A,1,10,10,\nS,A,1,A,2,20,10,\n";
    let reply = app.import_csv(&venue, &token, "Dup", duplicate).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );

    let listed = app
        .get(&venue.host, "/admin/v1/seatmaps", Some(&token))
        .await;
    assert_eq!(listed.body["seatMaps"], json!([]), "nothing saved");

    let wrong_type = app
        .http
        .post(app.url("/admin/v1/seatmaps/import"))
        .header("host", &venue.host)
        .header("content-type", "application/json")
        .bearer_auth(&token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn json_seat_maps_are_validated_with_the_field_path() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let seat = |id: &str, zone: &str| json!({ "id": id, "label": id, "x": 1.0, "y": 1.0, "zone": zone, "rank": 1 });
    let map = |seats: Vec<Value>| {
        json!({
            "name": "Studio",
            "zones": [ { "id": "A", "name": "Front" } ],
            "sections": [ { "id": "main", "name": "Main", "rows": [ { "label": "A", "seats": seats } ] } ],
            "areas": [],
        })
    };
    let ok = app
        .post(
            &venue.host,
            "/admin/v1/seatmaps",
            Some(&token),
            map(vec![seat("s1", "A"), seat("s2", "A")]),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

    let mut twin = seat("s1", "A");
    twin["label"] = json!("s1b");
    for (seats, what) in [
        (vec![seat("s1", "A"), twin], "duplicate seat id"),
        (vec![seat("s1", "Z")], "unknown zone"),
    ] {
        let reply = app
            .post(&venue.host, "/admin/v1/seatmaps", Some(&token), map(seats))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "invalid_seat_map");
        assert!(
            reply.body["error"]["details"]["field"]
                .as_str()
                .unwrap()
                .starts_with("sections[0]"),
            "{what}: {}",
            reply.body
        );
    }
    let listed = app
        .get(&venue.host, "/admin/v1/seatmaps", Some(&token))
        .await;
    assert_eq!(listed.body["seatMaps"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_performances_name_the_problem_and_save_nothing() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let map = app.import_csv(&venue, &token, "Small", SMALL_CSV).await;
    let map_id = map.body["id"].as_str().unwrap().to_owned();
    let event = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&token),
            json!({ "title": "Macbeth" }),
        )
        .await;
    let event_id = event.body["id"].as_str().unwrap().to_owned();
    let good = || {
        json!({
            "startsAt": (Utc::now() + Duration::days(3)).to_rfc3339(),
            "seatMapId": map_id,
            "prices": [ { "zone": "A", "priceType": "adult", "amount": 1000 } ],
        })
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "startsAt",
            json!({ "startsAt": (Utc::now() - Duration::hours(1)).to_rfc3339() }),
        ),
        (
            "seatMapId",
            json!({ "seatMapId": "01aaaaaaaaaaaaaaaaaaaaaaaa" }),
        ),
        (
            "prices",
            json!({ "prices": [ { "zone": "A", "priceType": "adult", "amount": -5 } ] }),
        ),
        (
            "prices",
            json!({ "prices": [ { "zone": "Q", "priceType": "adult", "amount": 100 } ] }),
        ),
        ("holdSeconds", json!({ "holdSeconds": 5 })),
    ];
    for (field, change) in cases {
        let mut body = good();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = app
            .post(
                &venue.host,
                &format!("/admin/v1/events/{event_id}/performances"),
                Some(&token),
                body,
            )
            .await;
        assert_names_field(&reply, field);
    }
    let event = app
        .get(
            &venue.host,
            &format!("/admin/v1/events/{event_id}"),
            Some(&token),
        )
        .await;
    assert_eq!(event.body["performances"], json!([]), "nothing saved");

    // A zone without a price cannot go on sale.
    let created = app
        .post(
            &venue.host,
            &format!("/admin/v1/events/{event_id}/performances"),
            Some(&token),
            good(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let reply = app
        .post(
            &venue.host,
            &format!("/admin/v1/performances/{id}/publish"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "unpriced_zones");
    assert_eq!(reply.body["error"]["details"]["zones"], json!(["B"]));
}

#[tokio::test]
async fn another_venues_ids_are_not_found() {
    let app = spawn_app().await;
    let (venue, token, performance) = app.published_performance().await;
    let other = app.create_venue().await;
    let other_token = app.login_owner(&other).await;
    let event_id = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None,
        )
        .await
        .body["eventId"]
        .as_str()
        .unwrap()
        .to_owned();
    let maps = app
        .get(&venue.host, "/admin/v1/seatmaps", Some(&token))
        .await;
    let map_id = maps.body["seatMaps"][0]["id"].as_str().unwrap().to_owned();

    for path in [
        format!("/api/v1/performances/{performance}"),
        format!("/api/v1/performances/{performance}/seatmap"),
        format!("/api/v1/events/{event_id}"),
    ] {
        let reply = app.get(&other.host, &path, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error_code(), "not_found");
    }
    for path in [
        format!("/admin/v1/seatmaps/{map_id}"),
        format!("/admin/v1/events/{event_id}"),
        format!("/admin/v1/performances/{performance}"),
    ] {
        assert_eq!(
            app.get(&other.host, &path, Some(&other_token)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let reply = app
        .post(
            &other.host,
            &format!("/admin/v1/performances/{performance}/cancel"),
            Some(&other_token),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None
        )
        .await
        .body["status"],
        "on_sale"
    );
    // Garbage ids are 404 too, never 500.
    assert_eq!(
        app.get(&venue.host, "/api/v1/performances/not-an-id", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn box_office_and_scanners_cannot_edit_the_catalog() {
    let app = spawn_app().await;
    let (venue, owner, performance) = app.published_performance().await;
    let box_office = app
        .add_staff(
            &venue,
            &owner,
            &format!("bo@{}.example.org", venue.slug),
            "box_office",
        )
        .await;
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&box_office),
            json!({ "title": "Sneaky" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.import_csv(&venue, &box_office, "x", SMALL_CSV)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reply = app
        .post(
            &venue.host,
            &format!("/admin/v1/performances/{performance}/pause"),
            Some(&box_office),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // Reading is fine for the box office.
    assert_eq!(
        app.get(
            &venue.host,
            &format!("/admin/v1/performances/{performance}"),
            Some(&box_office)
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn pausing_hides_a_performance_from_the_listing() {
    let app = spawn_app().await;
    let (venue, token, performance) = app.published_performance().await;
    assert_eq!(
        app.get(&venue.host, "/api/v1/events", None).await.body["events"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let reply = app
        .post(
            &venue.host,
            &format!("/admin/v1/performances/{performance}/pause"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.get(&venue.host, "/api/v1/events", None).await.body["events"],
        json!([])
    );
    let detail = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None,
        )
        .await;
    assert_eq!(detail.body["status"], "paused");
    assert_eq!(detail.body["selling"], false);
    let again = app
        .post(
            &venue.host,
            &format!("/admin/v1/performances/{performance}/pause"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "invalid_transition");
}

#[tokio::test]
async fn blocked_seats_show_on_the_map_and_can_be_released() {
    let app = spawn_app().await;
    let (venue, token, performance) = app.published_performance().await;
    let seatmap = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}/seatmap"),
            None,
        )
        .await;
    let section = seatmap.body["layout"]["sections"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seats: Vec<String> = seatmap.body["layout"]["sections"][0]["rows"][0]["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let path = format!("/admin/v1/performances/{performance}/blocks");

    let reply = app
        .post(
            &venue.host,
            &path,
            Some(&token),
            json!({ "seats": [seats[0], "nope"], "action": "block" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["error"]["details"]["seats"], json!(["nope"]));

    let reply = app
        .post(
            &venue.host,
            &path,
            Some(&token),
            json!({ "seats": [seats[0], seats[1]], "action": "block" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let status = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}/seatmap/status"),
            None,
        )
        .await;
    assert_eq!(section_status(&status.body, &section), "bbff");
    let detail = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None,
        )
        .await;
    assert_eq!(detail.body["availability"]["seats"]["blocked"], 2);

    let reply = app
        .post(
            &venue.host,
            &path,
            Some(&token),
            json!({ "seats": [seats[0]], "action": "unblock" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = app
        .post(
            &venue.host,
            &path,
            Some(&token),
            json!({ "seats": [seats[0], seats[1]], "action": "unblock" }),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CONFLICT,
        "seat 0 is no longer blocked: all or nothing"
    );
    assert_eq!(reply.body["error"]["details"]["seats"], json!([seats[0]]));
    let status = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}/seatmap/status"),
            None,
        )
        .await;
    assert_eq!(section_status(&status.body, &section), "fbff");
}

#[tokio::test]
async fn an_event_image_is_uploaded_and_served_through_the_venues_own_site() {
    let app = spawn_app().await;
    let (venue, token, performance) = app.published_performance().await;
    let event_id = app
        .get(
            &venue.host,
            &format!("/api/v1/performances/{performance}"),
            None,
        )
        .await
        .body["eventId"]
        .as_str()
        .unwrap()
        .to_owned();
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\nnot really a png but bytes".to_vec();

    let bad = app
        .post(
            &venue.host,
            &format!("/admin/v1/events/{event_id}/image"),
            Some(&token),
            json!({ "contentType": "text/html", "size": 10 }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let big = app
        .post(
            &venue.host,
            &format!("/admin/v1/events/{event_id}/image"),
            Some(&token),
            json!({ "contentType": "image/png", "size": 50_000_000 }),
        )
        .await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY);

    let upload = app
        .post(
            &venue.host,
            &format!("/admin/v1/events/{event_id}/image"),
            Some(&token),
            json!({ "contentType": "image/png", "size": png.len() }),
        )
        .await;
    assert_eq!(upload.status, StatusCode::CREATED, "{}", upload.body);
    let key = upload.body["key"].as_str().unwrap().to_owned();
    assert!(
        key.starts_with(&format!("{}/events/{event_id}/", venue.id)),
        "tenant prefix: {key}"
    );
    // The presigned URL is on the venue's own site (same-origin on any of its hostnames, so
    // the bucket needs no CORS rules); the site passes it on to S3, which checks it.
    let url = upload.body["url"].as_str().unwrap();
    assert!(
        url.starts_with("/documents/") && url.contains("X-Amz-Signature="),
        "{url}"
    );
    let mut put = app
        .http
        .put(app.url(url))
        .header("host", &venue.host)
        .body(png.clone());
    for (name, value) in upload.body["headers"].as_object().unwrap() {
        put = put.header(name.as_str(), value.as_str().unwrap());
    }
    let put = put
        .header("content-type", "image/png")
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "upload: {}", put.status());

    // Someone else's key is refused.
    let forged = format!(
        "{}/events/{event_id}/image.png",
        "01bbbbbbbbbbbbbbbbbbbbbbbb"
    );
    let reply = app
        .put(
            &venue.host,
            &format!("/admin/v1/events/{event_id}"),
            Some(&token),
            json!({ "imageKey": forged }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    let reply = app
        .put(
            &venue.host,
            &format!("/admin/v1/events/{event_id}"),
            Some(&token),
            json!({ "imageKey": key }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let image = no_redirect
        .get(app.url(&format!("/api/v1/events/{event_id}/image")))
        .header("host", &venue.host)
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::FOUND);
    let location = image.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/documents/"), "{location}");
    let bytes = app
        .http
        .get(app.url(&location))
        .header("host", &venue.host)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), png.as_slice());
}

#[tokio::test]
async fn the_demo_venue_has_a_theatre_a_lawn_and_three_events() {
    let app = spawn_app().await;
    devserver::seed::seed_demo(&app.server).await.unwrap();
    // Seeding again is harmless.
    devserver::seed::seed_demo(&app.server).await.unwrap();
    let host = "demo.localhost";
    let events = app.get(host, "/api/v1/events", None).await;
    let events = events.body["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 3, "{events:?}");
    let performances: Vec<String> = events
        .iter()
        .flat_map(|e| {
            e["performances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(performances.len() >= 6);
    let detail = app
        .get(
            host,
            &format!("/api/v1/performances/{}", performances[0]),
            None,
        )
        .await;
    assert_eq!(detail.body["availability"]["seats"]["total"], 500);
    assert_eq!(detail.body["availability"]["areas"][0]["capacity"], 300);
    assert_eq!(detail.body["startsAt"]["timezone"], "America/New_York");
    let seatmap = app
        .get(
            host,
            &format!("/api/v1/performances/{}/seatmap", performances[0]),
            None,
        )
        .await;
    let names: Vec<&str> = seatmap.body["layout"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Orchestra", "Mezzanine", "Balcony"]);
    assert!(
        seatmap.body["layout"]
            .to_string()
            .contains("\"accessible\":true")
    );
}

#[tokio::test]
async fn the_listing_filters_by_date_and_pages() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let map = app.import_csv(&venue, &token, "Small", SMALL_CSV).await;
    let map_id = map.body["id"].as_str().unwrap();
    let event = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&token),
            json!({ "title": "Series" }),
        )
        .await;
    let event_id = event.body["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for days in [2, 4, 40] {
        let body = json!({
            "startsAt": (Utc::now() + Duration::days(days)).to_rfc3339(),
            "seatMapId": map_id,
            "prices": [ { "zone": "A", "priceType": "adult", "amount": 1000 }, { "zone": "B", "priceType": "adult", "amount": 800 } ],
        });
        let created = app
            .post(
                &venue.host,
                &format!("/admin/v1/events/{event_id}/performances"),
                Some(&token),
                body,
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        app.post(
            &venue.host,
            &format!("/admin/v1/performances/{id}/publish"),
            Some(&token),
            json!({}),
        )
        .await;
        ids.push(id);
    }
    let to = (Utc::now() + Duration::days(10))
        .to_rfc3339()
        .replace('+', "%2B");
    let soon = app
        .get(&venue.host, &format!("/api/v1/events?to={to}"), None)
        .await;
    assert_eq!(soon.status, StatusCode::OK, "{}", soon.body);
    let listed: Vec<&str> = soon.body["events"][0]["performances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [ids[0].as_str(), ids[1].as_str()],
        "by start time, within the range"
    );
    let bad = app.get(&venue.host, "/api/v1/events?cursor=zz", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "invalid_cursor");
}

#[tokio::test]
async fn a_price_above_what_one_card_payment_can_be_is_refused() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let map = app.import_csv(&venue, &token, "Bounds", SMALL_CSV).await;
    assert_eq!(map.status, StatusCode::CREATED, "{}", map.body);
    let event = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&token),
            json!({ "title": "Bounds" }),
        )
        .await;
    let path = format!(
        "/admin/v1/events/{}/performances",
        event.body["id"].as_str().unwrap()
    );
    let zone = map.body["layout"]["zones"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (amount, status) in [
        (1_000_000_000_i64, StatusCode::UNPROCESSABLE_ENTITY),
        (100_000_000, StatusCode::UNPROCESSABLE_ENTITY),
        (99_999_999, StatusCode::CREATED),
    ] {
        let reply = app
            .post(
                &venue.host,
                &path,
                Some(&token),
                json!({
                    "startsAt": (Utc::now() + Duration::days(5)).to_rfc3339(),
                    "seatMapId": map.body["id"],
                    "prices": [ { "zone": zone, "priceType": "adult", "amount": amount } ],
                }),
            )
            .await;
        assert_eq!(reply.status, status, "{amount}: {}", reply.body);
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(reply.error_code(), "invalid_field", "{}", reply.body);
        }
    }
}

/// A run of performances keeps its wall-clock times across the change to summer time (in
/// London on 2027-03-28), is written all or none, and names what is wrong with a bad one.
#[tokio::test]
async fn a_series_of_performances_keeps_local_times_across_a_clock_change() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let map = app.import_csv(&venue, &token, "Small", SMALL_CSV).await;
    let map_id = map.body["id"].as_str().unwrap().to_owned();
    let event = app
        .post(
            &venue.host,
            "/admin/v1/events",
            Some(&token),
            json!({ "title": "Twelfth Night" }),
        )
        .await;
    let event_id = event.body["id"].as_str().unwrap().to_owned();
    let path = format!("/admin/v1/events/{event_id}/performances/series");
    let series = |from: &str, to: &str, times: Value| {
        json!({
            "seatMapId": map_id,
            "from": from,
            "to": to,
            "times": times,
            "prices": [
                { "zone": "A", "priceType": "adult", "amount": 3000 },
                { "zone": "B", "priceType": "adult", "amount": 2000 }
            ],
            "holdSeconds": 300,
        })
    };
    let week = json!([
        { "days": ["tue", "wed", "thu", "fri", "sat"], "at": "19:30" },
        { "days": ["sun"], "at": "14:00" }
    ]);
    let created = app
        .post(
            &venue.host,
            &path,
            Some(&token),
            series("2027-03-23", "2027-03-30", week.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let starts: Vec<(&str, &str)> = created.body["performances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["startsAt"]["utc"].as_str().unwrap(),
                p["startsAt"]["local"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            ("2027-03-23T19:30:00Z", "2027-03-23T19:30:00+00:00"),
            ("2027-03-24T19:30:00Z", "2027-03-24T19:30:00+00:00"),
            ("2027-03-25T19:30:00Z", "2027-03-25T19:30:00+00:00"),
            ("2027-03-26T19:30:00Z", "2027-03-26T19:30:00+00:00"),
            ("2027-03-27T19:30:00Z", "2027-03-27T19:30:00+00:00"),
            ("2027-03-28T13:00:00Z", "2027-03-28T14:00:00+01:00"),
            ("2027-03-30T18:30:00Z", "2027-03-30T19:30:00+01:00"),
        ]
    );
    let first = &created.body["performances"][0];
    assert_eq!(first["status"], "draft");
    assert_eq!(first["holdSeconds"], 300);
    let listed = app
        .get(
            &venue.host,
            &format!("/admin/v1/events/{event_id}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        listed.body["performances"].as_array().unwrap().len(),
        7,
        "the event lists every performance of the series"
    );

    // Bad series: each names its field, and none saves anything.
    let daily =
        json!([{ "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "at": "19:30" }]);
    let cases = [
        (
            "times",
            series(
                "2027-03-28",
                "2027-03-28",
                json!([{ "days": ["sun"], "at": "01:30" }]),
            ),
        ),
        ("to", series("2027-03-02", "2027-03-01", week.clone())),
        ("to", series("2027-01-01", "2027-06-30", daily.clone())),
        (
            "times",
            series(
                "2027-03-29",
                "2027-03-29",
                json!([{ "days": ["sun"], "at": "19:30" }]),
            ),
        ),
        ("from", series("2026-01-01", "2026-01-07", daily)),
        ("prices", {
            let mut body = series("2027-04-06", "2027-04-07", week.clone());
            body["prices"] = json!([{ "zone": "Q", "priceType": "adult", "amount": 100 }]);
            body
        }),
    ];
    for (field, body) in cases {
        let reply = app.post(&venue.host, &path, Some(&token), body).await;
        assert_names_field(&reply, field);
    }
    for body in [
        json!({ "seatMapId": map_id, "from": "2027-04-06", "to": "2027-04-07", "times": [{ "days": ["monday"], "at": "19:30" }], "prices": [] }),
        json!({ "seatMapId": map_id, "from": "6 April", "to": "2027-04-07", "times": week, "prices": [] }),
    ] {
        let reply = app.post(&venue.host, &path, Some(&token), body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
    }
    let listed = app
        .get(
            &venue.host,
            &format!("/admin/v1/events/{event_id}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        listed.body["performances"].as_array().unwrap().len(),
        7,
        "nothing saved"
    );

    // Another venue's event is not found.
    let other = app.create_venue().await;
    let other_token = app.login_owner(&other).await;
    let reply = app
        .post(
            &other.host,
            &path,
            Some(&other_token),
            series(
                "2027-04-06",
                "2027-04-07",
                json!([{ "days": ["tue"], "at": "19:30" }]),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
}

/// Staff edit a performance on sale: a patron already in checkout pays the price they were
/// shown, the next checkout pays the new one; a moved start takes its sale's end along; a
/// stale or bad edit changes nothing.
#[tokio::test]
async fn an_edited_price_applies_to_the_next_checkout_and_never_to_one_under_way() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let path = format!("/admin/v1/performances/{}", show.performance);
    let before = app.get(&host, &path, Some(&show.token)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);

    // A patron is paying for seat 1 at the old price.
    let paying = app.new_cart(&host).await;
    app.hold_seats(&show, &paying, &[&show.seats[0][0]]).await;
    let under_way = app.checkout(&host, &paying, "first@example.org").await;
    assert_eq!(under_way.status, StatusCode::CREATED, "{}", under_way.body);
    let old_subtotal = under_way.body["totals"]["subtotal"].as_i64().unwrap();

    let edit = |body: Value| app.put(&host, &path, Some(&show.token), body);
    let edited = edit(json!({
        "updatedAt": before.body["updatedAt"],
        "prices": [
            { "zone": "A", "priceType": "adult", "amount": 9900 },
            { "zone": "B", "priceType": "adult", "amount": 4400 }
        ],
        "holdSeconds": 300,
    }))
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["holdSeconds"], 300);
    assert_ne!(edited.body["updatedAt"], before.body["updatedAt"]);

    let paid = app.pay(&under_way.body, crate::checkout::VISA).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let order = app.await_order(&host, &under_way.body, "paid").await;
    assert_eq!(
        order["totals"]["subtotal"].as_i64(),
        Some(old_subtotal),
        "the price the patron was shown"
    );
    let next = app.new_cart(&host).await;
    app.hold_seats(&show, &next, &[&show.seats[0][1]]).await;
    let priced = app.checkout(&host, &next, "next@example.org").await;
    assert_eq!(priced.status, StatusCode::CREATED, "{}", priced.body);
    assert_eq!(priced.body["totals"]["subtotal"], 9900, "the new price");

    // An edit made on an old copy is refused and changes nothing.
    let stale =
        edit(json!({ "updatedAt": before.body["updatedAt"], "maxTicketsPerOrder": 2 })).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.error_code(), "edit_conflict");

    // Moved two days later: the sale still closes at the start.
    let starts =
        chrono::DateTime::parse_from_rfc3339(edited.body["startsAt"]["utc"].as_str().unwrap())
            .unwrap()
            + Duration::days(2);
    let moved = edit(json!({ "startsAt": starts.to_rfc3339() })).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        moved.body["startsAt"]["utc"],
        moved.body["offSaleAt"]["utc"]
    );
    assert_eq!(moved.body["holdSeconds"], 300, "what was not sent is kept");
    let public = app
        .get(
            &host,
            &format!("/api/v1/performances/{}", show.performance),
            None,
        )
        .await;
    assert_eq!(public.body["startsAt"], moved.body["startsAt"]);
    // The patron who paid is told once; the one still paying has no ticket to be told about.
    let started = std::time::Instant::now();
    loop {
        let notices: Vec<_> = app
            .mail_to("first@example.org")
            .await
            .into_iter()
            .filter(|m| m.subject.contains("has moved"))
            .collect();
        assert!(notices.len() <= 1, "told twice");
        if let Some(notice) = notices.first() {
            assert!(notice.body.contains("stay valid"), "{}", notice.body);
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "never told"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        app.mail_to("next@example.org")
            .await
            .iter()
            .all(|m| !m.subject.contains("has moved"))
    );

    // Bad edits name their field, and nothing changes.
    for (field, body) in [
        (
            "startsAt",
            json!({ "startsAt": (Utc::now() - Duration::hours(1)).to_rfc3339() }),
        ),
        ("holdSeconds", json!({ "holdSeconds": 5 })),
        ("maxTicketsPerOrder", json!({ "maxTicketsPerOrder": 31 })),
        (
            "prices",
            json!({ "prices": [{ "zone": "Q", "priceType": "adult", "amount": 100 }] }),
        ),
    ] {
        let reply = edit(body).await;
        assert_names_field(&reply, field);
    }
    let unpriced =
        edit(json!({ "prices": [{ "zone": "A", "priceType": "adult", "amount": 100 }] })).await;
    assert_eq!(
        unpriced.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unpriced.body
    );
    assert_eq!(unpriced.error_code(), "unpriced_zones");
    assert_eq!(unpriced.body["error"]["details"]["zones"], json!(["B"]));
    let now = app.get(&host, &path, Some(&show.token)).await;
    assert_eq!(
        now.body["updatedAt"], moved.body["updatedAt"],
        "nothing changed"
    );

    // Another venue's staff cannot see it; a cancelled performance cannot be edited.
    let other = app.create_venue().await;
    let other_token = app.login_owner(&other).await;
    let foreign = app
        .put(
            &other.host,
            &path,
            Some(&other_token),
            json!({ "holdSeconds": 60 }),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let cancelled = app
        .post(
            &host,
            &format!("{path}/cancel"),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let refused = edit(json!({ "holdSeconds": 60 })).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.error_code(), "performance_cancelled");
}

/// A bad request is refused with 422, naming the field (or a field under it) in
/// `details.field`.
fn assert_names_field(reply: &Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}: {}",
        reply.body
    );
    assert!(
        reply.body["error"]["details"]["field"]
            .as_str()
            .unwrap_or_default()
            .starts_with(field),
        "{field}: {}",
        reply.body
    );
}

#[tokio::test]
async fn an_event_is_duplicated_for_next_season_with_its_performances_as_drafts() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let original = app
        .get(
            &host,
            &format!("/admin/v1/performances/{}", show.performance),
            Some(&show.token),
        )
        .await
        .body;
    let event_id = original["eventId"].as_str().unwrap().to_owned();
    let path = format!("/admin/v1/events/{event_id}/duplicate");

    let bare = app.post(&host, &path, Some(&show.token), json!({})).await;
    assert_eq!(bare.status, StatusCode::CREATED, "{}", bare.body);
    assert_eq!(bare.body["title"], "Torture Test (copy)");
    assert_eq!(bare.body["performances"].as_array().unwrap().len(), 0);

    let next_year = app
        .post(
            &host,
            &path,
            Some(&show.token),
            json!({ "title": "Torture Test 2028", "shiftDays": 364 }),
        )
        .await;
    assert_eq!(next_year.status, StatusCode::CREATED, "{}", next_year.body);
    let copies = next_year.body["performances"].as_array().unwrap();
    assert_eq!(copies.len(), 1);
    let copy = &copies[0];
    assert_eq!(copy["status"], "draft", "not on sale until published");
    assert_ne!(copy["id"], show.performance.as_str());
    // 364 days on, at the same time on the venue's clock (whatever its clocks did).
    let local = |view: &Value| {
        chrono::DateTime::parse_from_rfc3339(view["startsAt"]["local"].as_str().unwrap())
            .unwrap()
            .naive_local()
    };
    assert_eq!(
        local(copy),
        local(&original) + chrono::Duration::days(364),
        "{} → {}",
        original["startsAt"],
        copy["startsAt"]
    );
    assert_eq!(copy["prices"], original["prices"], "the same price table");
    // The copy is the new event's own: publishing it leaves the original alone.
    let published = app
        .post(
            &host,
            &format!(
                "/admin/v1/performances/{}/publish",
                copy["id"].as_str().unwrap()
            ),
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);

    let refused = app
        .post(&host, &path, Some(&show.token), json!({ "shiftDays": 0 }))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["error"]["details"]["field"], "shiftDays");
    let missing = app
        .post(
            &host,
            "/admin/v1/events/01j00000000000000000000000/duplicate",
            Some(&show.token),
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
