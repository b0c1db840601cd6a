//! Venue settings through the admin API.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_owner_edits_settings_and_the_site_shows_them() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let change = json!({
        "name": "The Grand <Hall>",
        "timezone": "America/Chicago",
        "currency": "usd",
        "holdSeconds": 300,
        "maxTicketsPerOrder": 6,
        "emailSender": "Box.Office@Example.org",
        "primaryColour": "#112233",
        "accentColour": "#AABBCC",
        "logoUrl": "https://cdn.example.org/logo.png",
    });
    let reply = app
        .put(&venue.host, "/admin/v1/venue", Some(&token), change)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["settings"]["emailSender"],
        "box.office@example.org"
    );

    let site = app.get(&venue.host, "/api/v1/site", None).await;
    assert_eq!(site.body["name"], "The Grand <Hall>");
    assert_eq!(site.body["timezone"], "America/Chicago");
    assert_eq!(site.body["currency"], "USD");
    assert_eq!(site.body["holdSeconds"], 300);
    assert_eq!(site.body["maxTicketsPerOrder"], 6);
    assert_eq!(site.body["branding"]["primaryColour"], "#112233");
    assert_eq!(site.body["branding"]["accentColour"], "#aabbcc");
    assert_eq!(
        site.body["branding"]["logoUrl"],
        "https://cdn.example.org/logo.png"
    );

    // Partial updates change only what is sent.
    let reply = app
        .put(
            &venue.host,
            "/admin/v1/venue",
            Some(&token),
            json!({ "holdSeconds": 900 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let site = app.get(&venue.host, "/api/v1/site", None).await;
    assert_eq!(site.body["holdSeconds"], 900);
    assert_eq!(site.body["timezone"], "America/Chicago");
}

#[tokio::test]
async fn invalid_settings_name_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let cases = [
        (json!({ "timezone": "Atlantis/Capital" }), "timezone"),
        (json!({ "currency": "DOGE" }), "currency"),
        (json!({ "holdSeconds": 5 }), "holdSeconds"),
        (json!({ "maxTicketsPerOrder": 0 }), "maxTicketsPerOrder"),
        (json!({ "emailSender": "nope" }), "emailSender"),
        (json!({ "primaryColour": "red" }), "primaryColour"),
        (json!({ "logoUrl": "javascript:alert(1)" }), "logoUrl"),
        // One bad field among good ones: nothing is saved.
        (
            json!({ "name": "Renamed", "timezone": "Nowhere/Town" }),
            "timezone",
        ),
    ];
    for (change, field) in cases {
        let reply = app
            .put(&venue.host, "/admin/v1/venue", Some(&token), change.clone())
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{change}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"]["details"]["field"], field, "{change}");
    }
    let reply = app
        .put(
            &venue.host,
            "/admin/v1/venue",
            Some(&token),
            json!({ "holdSeconds": "ten" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let site = app.get(&venue.host, "/api/v1/site", None).await;
    assert_eq!(site.body["name"], format!("Venue {}", venue.slug));
    assert_eq!(site.body["timezone"], "Europe/London");
    assert_eq!(site.body["holdSeconds"], 600);
}
