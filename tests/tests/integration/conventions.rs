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

/// Both OpenAPI documents, as the devserver serves them on a venue's host.
async fn served_documents() -> Vec<(&'static str, serde_json::Value)> {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let mut documents = Vec::new();
    for (name, path) in [
        ("public", "/api/openapi.json"),
        ("admin", "/admin/openapi.json"),
    ] {
        let reply = app.get(&venue.host, path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        documents.push((name, reply.body));
    }
    documents
}

/// Every operation of a document with its method and path.
fn operations(doc: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            found.push((format!("{method} {path}"), operation));
        }
    }
    found
}

// A JSON body too large or sent as another type is refused by the shared layers, not by the
// handler; the fuzz step (infra/local/fuzz.sh) fails on any status a route does not document.
#[tokio::test]
async fn every_json_body_documents_the_413_and_415_it_can_get() {
    for (name, doc) in served_documents().await {
        for (operation_name, operation) in operations(&doc) {
            if operation["requestBody"]["content"]["application/json"].is_null() {
                continue;
            }
            for status in ["413", "415"] {
                let response = &operation["responses"][status];
                assert!(
                    response.is_object(),
                    "{name}: {operation_name} does not document {status}"
                );
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{name}: {operation_name} {status}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415_as_documented() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let reply = Reply::from(
        app.http
            .post(app.url("/api/v1/account/login"))
            .header("host", &venue.host)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.body["error"]["code"], "unsupported_media_type");
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Collects the numbers and arrays (`where`, schema) reachable from a request body schema.
fn request_fields<'a>(
    doc: &'a serde_json::Value,
    schema: &'a serde_json::Value,
    at: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<(String, &'a serde_json::Value)>,
) {
    if let Some(reference) = schema["$ref"].as_str() {
        if seen.iter().any(|s| s == reference) {
            return;
        }
        seen.push(reference.to_owned());
    }
    let schema = resolve(doc, schema);
    for combined in ["allOf", "oneOf", "anyOf"] {
        for part in schema[combined].as_array().into_iter().flatten() {
            request_fields(doc, part, at, seen, out);
        }
    }
    if let Some(properties) = schema["properties"].as_object() {
        for (field, property) in properties {
            let at = format!("{at}.{field}");
            out.push((at.clone(), resolve(doc, property)));
            request_fields(doc, property, &at, seen, out);
        }
    }
    if !schema["items"].is_null() {
        request_fields(doc, &schema["items"], &format!("{at}[]"), seen, out);
    }
}

// Issue 12 point 6: every money amount and quantity a client sends has documented bounds,
// the same ones the domain checks (prices and fees ≤ 99,999,999 minor units, basis points
// ≤ 10,000, tickets per order ≤ 30, best available ≤ 10).
#[tokio::test]
async fn every_money_amount_and_quantity_sent_has_documented_bounds() {
    let bounded_numbers = [
        "amount",
        "fixed",
        "percentBp",
        "rateBp",
        "quantity",
        "capacity",
        "size",
        "holdSeconds",
        "maxTicketsPerOrder",
        "tendered",
    ];
    let bounded_lists = ["seats", "tickets"];
    let mut checked = 0;
    for (name, doc) in served_documents().await {
        for (operation_name, operation) in operations(&doc) {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            if body.is_null() {
                continue;
            }
            let mut fields = Vec::new();
            request_fields(&doc, body, "body", &mut Vec::new(), &mut fields);
            for (at, schema) in fields {
                let field = at.rsplit('.').next().unwrap_or_default();
                if bounded_numbers.contains(&field) {
                    checked += 1;
                    assert!(
                        schema["minimum"].is_number() && schema["maximum"].is_number(),
                        "{name}: {operation_name} {at} has no minimum and maximum: {schema}"
                    );
                }
                if bounded_lists.contains(&field) && schema["type"].to_string().contains("array") {
                    checked += 1;
                    assert!(
                        schema["maxItems"].is_number(),
                        "{name}: {operation_name} {at} has no maxItems: {schema}"
                    );
                }
            }
        }
    }
    assert!(checked >= 15, "only {checked} fields checked");
}

#[tokio::test]
async fn a_refund_listing_more_tickets_than_an_order_can_hold_is_refused_before_any_lookup() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let tickets: Vec<String> = (0..31).map(|i| format!("T{i:025}")).collect();
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/orders/01JZZZZZZZZZZZZZZZZZZZZZZZ/refund",
            Some(&token),
            json!({ "tickets": tickets }),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["error"]["code"], "invalid_field");
    assert_eq!(reply.body["error"]["details"]["field"], "tickets");
}

// Every venue route runs behind `resolve_tenant`, and every query string is read by `Query`:
// their refusals are documented on each route they apply to, and they are what is sent.
#[tokio::test]
async fn every_route_documents_the_refusals_of_the_shared_layers() {
    for (name, doc) in served_documents().await {
        for (operation_name, operation) in operations(&doc) {
            let path = operation_name
                .split_once(' ')
                .map(|(_, p)| p)
                .unwrap_or_default();
            if path.starts_with("/api/v1/") || path.starts_with("/admin/v1/") {
                let unknown_host = operation["responses"]["404"]["description"].as_str();
                assert!(
                    unknown_host.is_some_and(|d| d.contains("unknown_host")),
                    "{name}: {operation_name} does not document 404 unknown_host"
                );
                let direct = operation["responses"]["403"]["description"].as_str();
                assert!(
                    direct.is_some_and(|d| d.contains("direct_access")),
                    "{name}: {operation_name} does not document 403 direct_access"
                );
            }
            assert!(
                operation["responses"]["500"].is_object(),
                "{name}: {operation_name} does not document 500 internal_error"
            );
            let has_query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|parameter| parameter["in"] == "query");
            if has_query {
                assert!(
                    operation["responses"]["400"].is_object(),
                    "{name}: {operation_name} has a query string and does not document 400"
                );
            }
        }
    }
}

#[tokio::test]
async fn an_unknown_host_and_an_unreadable_query_string_are_refused_as_documented() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let unknown = app.get("nobody.example.org", "/api/v1/site", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_eq!(unknown.body["error"]["code"], "unknown_host");
    let twice = app
        .get(&venue.host, "/admin/v1/orders?q=a&q=b", Some(&token))
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.body);
    assert!(twice.body["error"]["code"].is_string(), "{}", twice.body);
}
