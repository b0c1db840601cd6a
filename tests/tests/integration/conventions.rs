//! Bad input always gets a 4xx with the JSON error body, never a 500.

use crate::helpers::{Reply, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn malformed_wrong_typed_and_incomplete_bodies_are_4xx_json() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let send = |body: &'static str, content_type: &'static str| {
        let request = app
            .http
            .post(app.url("/admin/v1/login"))
            .header("host", &venue.host)
            .header("content-type", content_type)
            .body(body);
        async move { Reply::from(request.send().await.unwrap()).await }
    };
    let cases = [
        (
            "{\"email\": ",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "not json at all",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "{\"email\": 42, \"password\": \"x\"}",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "{\"email\": \"a@b.org\"}",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "{\"email\": \"a@b.org\", \"password\": \"x\", \"admin\": true}",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "[]",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "{\"email\": \"a@b.org\", \"password\": \"x\"}",
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let reply = send(body, content_type).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{body}");
    }
    // The missing field is named, without internal detail.
    let reply = send("{\"email\": \"a@b.org\"}", "application/json").await;
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let huge = "x".repeat(200 * 1024);
    let reply = app
        .put(
            &venue.host,
            "/admin/v1/venue",
            Some(&token),
            json!({ "name": huge }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "body_too_large");
    let site = app.get(&venue.host, "/api/v1/site", None).await;
    assert_eq!(
        site.body["name"],
        format!("Venue {}", venue.slug),
        "nothing was saved"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let reply = app.get(&venue.host, "/api/v1/nothing-here", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
    let reply = app
        .call(
            reqwest::Method::DELETE,
            &venue.host,
            "/api/v1/site",
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error_code(), "method_not_allowed");
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let response = app
        .http
        .get(app.url("/api/v1/site"))
        .header("host", &venue.host)
        .send()
        .await
        .unwrap();
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID request id: {id}");
}

#[tokio::test]
async fn openapi_documents_are_served() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let public = app.get(&venue.host, "/api/openapi.json", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.body["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        public.body["openapi"]
    );
    assert!(public.body["paths"]["/api/v1/site"]["get"].is_object());
    let admin = app.get(&venue.host, "/admin/openapi.json", None).await;
    for path in [
        "/admin/v1/login",
        "/admin/v1/staff",
        "/admin/v1/domains",
        "/admin/v1/venue",
        "/platform/v1/venues",
    ] {
        assert!(admin.body["paths"][path].is_object(), "{path} documented");
    }
}
