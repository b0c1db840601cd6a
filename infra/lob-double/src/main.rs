//! `lob-double [--port N]`: Lob's letters API as Marquee uses it, on 127.0.0.1 (port 0 picks
//! a free one), until SIGINT or SIGTERM. Prints `listening on 127.0.0.1:PORT` once ready.
//!
//! - `POST /v1/letters` (basic auth, any `test_` key; multipart form): makes a letter, or with
//!   an `Idempotency-Key` seen before, answers the same letter again — never a second one.
//! - `POST /_double/fail` `{ "count": n }`: the next n letter requests fail with 500.
//! - `GET /_double/letters`: every letter made, `{ letters: [{ id, idempotencyKey, to, metadata }],
//!   failuresLeft }`.
//! - `POST /_double/letters/{id}/events` `{ "type": "letter.mailed", "url", "secret" }`: sends
//!   Lob's webhook for the letter to `url`, signed with `secret` (`Lob-Signature` =
//!   hex HMAC-SHA256 of `timestamp + "." + body`, `Lob-Signature-Timestamp` in ms); answers
//!   the receiver's status.
//! - `GET /_double/health`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Default)]
struct Double {
    letters: Vec<Value>,
    /// Idempotency key → index in `letters`.
    keys: BTreeMap<String, usize>,
    failures_left: u32,
}

type Shared = Arc<Mutex<Double>>;

fn lock(state: &Shared) -> MutexGuard<'_, Double> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // reqwest's rustls needs the process's provider (see marquee_platform::tls).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let mut args = std::env::args().skip(1);
    let mut port: u16 = std::env::var("LOB_DOUBLE_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|p| p.parse().ok())) {
            ("--port", Some(p)) => port = p,
            _ => {
                eprintln!("usage: lob-double [--port N]");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/v1/letters", post(create_letter))
        .route("/_double/fail", post(fail_next))
        .route("/_double/letters", get(list_letters))
        .route("/_double/letters/{id}/events", post(send_event))
        .route("/_double/health", get(|| async { "ok" }))
        .with_state(state);
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("lob-double: cannot listen: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("listening on {addr}");
    }
    let shutdown = async {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return,
            };
        tokio::select! {
            _ = term.recv() => {},
            _ = tokio::signal::ctrl_c() => {},
        }
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("lob-double: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "message": message, "status_code": status.as_u16() } })),
    )
        .into_response()
}

/// The text fields of a multipart form, by name (files skipped). Enough for what Marquee
/// sends; not a general parser.
fn form_fields(headers: &HeaderMap, body: &[u8]) -> Option<BTreeMap<String, String>> {
    let content_type = headers.get("content-type")?.to_str().ok()?;
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let mut fields = BTreeMap::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        if head.contains("filename=") {
            fields.insert("file".to_owned(), format!("{} bytes", value.len()));
            continue;
        }
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|n| n.split('"').next())
        else {
            continue;
        };
        fields.insert(name.to_owned(), value.trim_end_matches("\r\n").to_owned());
    }
    Some(fields)
}

async fn create_letter(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic "));
    if !authorised {
        return error(StatusCode::UNAUTHORIZED, "Missing authentication");
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut double = lock(&state);
    if double.failures_left > 0 {
        double.failures_left -= 1;
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error (injected)",
        );
    }
    if let Some(index) = key.as_ref().and_then(|k| double.keys.get(k)) {
        return Json(double.letters[*index].clone()).into_response();
    }
    let Some(fields) = form_fields(&headers, &body) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "expected a multipart form",
        );
    };
    for required in ["to[name]", "to[address_line1]", "file", "use_type"] {
        if !fields.contains_key(required) {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{required} is required"),
            );
        }
    }
    let pick = |prefix: &str| -> Value {
        fields
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(']'))
                    .map(|name| (name.to_owned(), Value::String(v.clone())))
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let letter = json!({
        "id": format!("ltr_{}", ulid::Ulid::new().to_string().to_lowercase()),
        "object": "letter",
        "description": fields.get("description"),
        "idempotencyKey": key,
        "to": pick("to["),
        "from": pick("from["),
        "metadata": pick("metadata["),
        "file": fields.get("file"),
        "date_created": chrono::Utc::now().to_rfc3339(),
    });
    double.letters.push(letter.clone());
    if let Some(key) = key {
        let index = double.letters.len() - 1;
        double.keys.insert(key, index);
    }
    Json(letter).into_response()
}

async fn fail_next(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    let count = body["count"].as_u64().unwrap_or(1);
    lock(&state).failures_left = u32::try_from(count).unwrap_or(u32::MAX);
    StatusCode::NO_CONTENT.into_response()
}

async fn list_letters(State(state): State<Shared>) -> Response {
    let double = lock(&state);
    Json(json!({ "letters": double.letters, "failuresLeft": double.failures_left })).into_response()
}

async fn send_event(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Json(request): Json<Value>,
) -> Response {
    let letter = lock(&state)
        .letters
        .iter()
        .find(|l| l["id"] == id.as_str())
        .cloned();
    let Some(letter) = letter else {
        return error(StatusCode::NOT_FOUND, "no such letter");
    };
    let (Some(kind), Some(url), Some(secret)) = (
        request["type"].as_str(),
        request["url"].as_str(),
        request["secret"].as_str(),
    ) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "type, url and secret are required",
        );
    };
    let event = json!({
        "id": format!("evt_{}", ulid::Ulid::new().to_string().to_lowercase()),
        "object": "event",
        "event_type": { "id": kind, "resource": "letters", "object": "event_type" },
        "reference_id": id,
        "date_created": chrono::Utc::now().to_rfc3339(),
        "body": letter,
    });
    let body = event.to_string();
    let timestamp = request["timestamp"].as_str().map_or_else(
        || chrono::Utc::now().timestamp_millis().to_string(),
        str::to_owned,
    );
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "bad secret");
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    let sent = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("lob-signature", signature)
        .header("lob-signature-timestamp", timestamp)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => Json(json!({ "status": response.status().as_u16() })).into_response(),
        Err(e) => error(StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}
