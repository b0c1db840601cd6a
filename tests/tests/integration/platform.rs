//! Onboarding through the platform API.

use crate::helpers::{spawn_app, unique};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn creating_a_venue_needs_the_platform_key() {
    let app = spawn_app().await;
    let slug = unique("v");
    for key in ["", "wrong-key", "local-platform-ke"] {
        let reply = app.create_venue_reply(&slug, key).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{key}");
        assert_eq!(reply.error_code(), "unauthorized");
    }
    assert_eq!(
        app.get(&format!("{slug}.localhost"), "/api/v1/site", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn slugs_are_unique() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let reply = app
        .create_venue_reply(&venue.slug, devserver::LOCAL_PLATFORM_KEY)
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.error_code(), "slug_taken");
    // The first venue is untouched.
    assert_eq!(
        app.get(&venue.host, "/api/v1/site", None).await.body["name"],
        format!("Venue {}", venue.slug)
    );
}

#[tokio::test]
async fn bad_venue_input_names_the_field_and_saves_nothing() {
    let app = spawn_app().await;
    let cases = [
        ("slug", json!({ "slug": "Bad Slug" })),
        ("timezone", json!({ "timezone": "Mars/Base" })),
        ("currency", json!({ "currency": "ABC" })),
        ("email", json!({ "ownerEmail": "not-an-email" })),
        ("password", json!({ "ownerPassword": "short" })),
        ("name", json!({ "name": "" })),
    ];
    for (field, change) in cases {
        let slug = unique("v");
        let mut body = json!({
            "name": "A Venue", "slug": slug, "timezone": "Europe/Paris", "currency": "EUR",
            "ownerEmail": "owner@example.org", "ownerPassword": "a perfectly fine passphrase",
        });
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = app
            .http
            .post(app.url("/platform/v1/venues"))
            .header("host", "localhost")
            .header("x-platform-key", devserver::LOCAL_PLATFORM_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        let reply = crate::helpers::Reply::from(reply).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"]["details"]["field"], field);
        assert_eq!(
            app.get(&format!("{slug}.localhost"), "/api/v1/site", None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}
