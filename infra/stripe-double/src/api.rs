//! The `/v1` endpoints: authentication by secret key, form-encoded parameters, idempotency
//! keys, and Stripe's response headers. What each endpoint does lives in `payments`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::App;
use crate::errors::ApiError;
use crate::form::{self, Params};
use crate::ids::new_id;
use crate::payments::{self, Ctx};
use crate::signature::unix_now;
use crate::store::{Account, IdempotentResult, Reply, RequestInfo, account_id_for};
use crate::webhooks;

/// The `req_…` id of the request being handled (also sent back as `Request-Id`).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/v1/payment_intents",
            post(create_payment_intent).get(list_payment_intents),
        )
        .route("/v1/payment_intents/{id}", get(retrieve_payment_intent))
        .route(
            "/v1/payment_intents/{id}/confirm",
            post(confirm_payment_intent),
        )
        .route(
            "/v1/payment_intents/{id}/cancel",
            post(cancel_payment_intent),
        )
        .route("/v1/charges/{id}", get(retrieve_charge))
        .route("/v1/refunds", post(create_refund))
        .route("/v1/refunds/{id}", get(retrieve_refund))
        .route("/v1/webhook_endpoints", post(create_webhook_endpoint))
        .route(
            "/v1/webhook_endpoints/{id}",
            delete(delete_webhook_endpoint),
        )
}

async fn create_payment_intent(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = "/v1/payment_intents";
    mutate(
        &app,
        request_id,
        &headers,
        endpoint,
        &body,
        payments::create_intent,
    )
}

async fn list_payment_intents(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |account, params| {
        payments::list_intents(account, params)
    })
}

async fn retrieve_payment_intent(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |account, params| {
        payments::retrieve_intent(account, &id, params)
    })
}

async fn confirm_payment_intent(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = format!("/v1/payment_intents/{id}/confirm");
    mutate(
        &app,
        request_id,
        &headers,
        &endpoint,
        &body,
        |account, params, ctx| payments::confirm_intent(account, &id, params, ctx),
    )
}

async fn cancel_payment_intent(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = format!("/v1/payment_intents/{id}/cancel");
    mutate(
        &app,
        request_id,
        &headers,
        &endpoint,
        &body,
        |account, params, ctx| payments::cancel_intent(account, &id, params, ctx),
    )
}

async fn retrieve_charge(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |account, params| {
        payments::retrieve_charge(account, &id, params)
    })
}

async fn create_refund(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    mutate(
        &app,
        request_id,
        &headers,
        "/v1/refunds",
        &body,
        payments::create_refund,
    )
}

async fn retrieve_refund(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |account, params| {
        payments::retrieve_refund(account, &id, params)
    })
}

async fn create_webhook_endpoint(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = "/v1/webhook_endpoints";
    mutate(
        &app,
        request_id,
        &headers,
        endpoint,
        &body,
        payments::create_webhook_endpoint,
    )
}

async fn delete_webhook_endpoint(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = authenticate(&app, &headers).and_then(|account_id| {
        let params = form::parse(query.unwrap_or_default().as_bytes())?;
        let mut store = app.lock();
        payments::delete_webhook_endpoint(store.account_mut(&account_id), &id, params)
    });
    match result {
        Ok(reply) => reply_response(&reply),
        Err(err) => error_response(&err),
    }
}

/// A POST: authenticate, parse the form, honour the `Idempotency-Key`, run the operation under
/// the lock, then publish the events it produced.
fn mutate(
    app: &App,
    request_id: RequestId,
    headers: &HeaderMap,
    endpoint: &str,
    body: &[u8],
    operation: impl FnOnce(&mut Account, Params, &Ctx) -> Result<Reply, ApiError>,
) -> Response {
    let prepared = authenticate(app, headers).and_then(|account_id| {
        check_form_body(headers, body)?;
        let params = form::parse(body)?;
        let key = idempotency_key(headers)?;
        Ok((account_id, params, key))
    });
    let (account_id, params, key) = match prepared {
        Ok(prepared) => prepared,
        Err(err) => return error_response(&err),
    };
    let ctx = Ctx {
        now: unix_now(),
        request: RequestInfo {
            request_id: Some(request_id.0.clone()),
            idempotency_key: key.clone(),
        },
        api_version: app.config.api_version.clone(),
    };
    let fingerprint = params.fingerprint();

    let mut store = app.lock();
    let account = store.account_mut(&account_id);
    if let Some(key) = &key
        && let Some(saved) = account.idempotency.get(key)
    {
        return replay(saved, key, endpoint, &fingerprint);
    }
    match operation(account, params, &ctx) {
        Ok(reply) => {
            if let Some(key) = &key {
                account.idempotency.insert(
                    key.clone(),
                    IdempotentResult {
                        endpoint: endpoint.to_owned(),
                        fingerprint,
                        request_id: request_id.0,
                        reply: reply.clone(),
                    },
                );
            }
            webhooks::publish(app, &mut store, &account_id);
            let mut response = reply_response(&reply);
            if let Some(value) = key.and_then(|key| HeaderValue::from_str(&key).ok()) {
                response.headers_mut().insert("idempotency-key", value);
            }
            response
        }
        Err(err) => {
            // A refused request has no effects, so nothing it may have drafted is published.
            account.drafts.clear();
            error_response(&err)
        }
    }
}

/// The saved response for a repeated key, or Stripe's `idempotency_error` when the key was
/// first used on another endpoint or with other parameters.
fn replay(saved: &IdempotentResult, key: &str, endpoint: &str, fingerprint: &str) -> Response {
    if saved.endpoint != endpoint {
        return error_response(&ApiError::idempotency(format!(
            "Keys for idempotent requests can only be used for the same endpoint they were first \
             used for ('{}' vs '{endpoint}'). Try using a key other than '{key}' if you meant to \
             execute a different request.",
            saved.endpoint
        )));
    }
    if saved.fingerprint != fingerprint {
        return error_response(&ApiError::idempotency(format!(
            "Keys for idempotent requests can only be used with the same parameters they were \
             first used with. Try using a key other than '{key}' if you meant to execute a \
             different request."
        )));
    }
    let mut response = reply_response(&saved.reply);
    let headers = response.headers_mut();
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Ok(value) = HeaderValue::from_str(&saved.request_id) {
        headers.insert("original-request", value);
    }
    if let Ok(value) = HeaderValue::from_str(key) {
        headers.insert("idempotency-key", value);
    }
    response
}

/// A GET: authenticate, parse the query string, run the lookup.
fn read(
    app: &App,
    headers: &HeaderMap,
    query: Option<String>,
    operation: impl FnOnce(&Account, Params) -> Result<Reply, ApiError>,
) -> Response {
    let result = authenticate(app, headers).and_then(|account_id| {
        let params = form::parse(query.unwrap_or_default().as_bytes())?;
        let mut store = app.lock();
        operation(store.account_mut(&account_id), params)
    });
    match result {
        Ok(reply) => reply_response(&reply),
        Err(err) => error_response(&err),
    }
}

/// The account of the request's secret key: `Authorization: Bearer sk_test_…` (or HTTP basic
/// auth with the key as user name, as `curl -u sk_test_…:` sends it). Live keys are refused,
/// so a real key pasted by mistake never becomes an account here.
pub(crate) fn authenticate(app: &App, headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::unauthenticated(
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details.",
        ));
    };
    let value = value.to_str().unwrap_or_default();
    let key = if let Some(token) = value.strip_prefix("Bearer ") {
        token.trim().to_owned()
    } else if let Some(encoded) = value.strip_prefix("Basic ") {
        STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|user_pass| {
                user_pass
                    .split_once(':')
                    .map_or(user_pass.clone(), |(user, _)| user.to_owned())
            })
            .unwrap_or_default()
    } else {
        return Err(ApiError::unauthenticated(
            "Invalid Authorization header: use 'Authorization: Bearer sk_test_…'.",
        ));
    };
    if key.starts_with("pk_") {
        return Err(ApiError::unauthenticated(
            "This API call cannot be made with a publishable API key. Please use a secret API \
             key.",
        )
        .code("secret_key_required"));
    }
    let accepted = key.len() > "sk_test_".len()
        && key.starts_with("sk_test_")
        && app
            .config
            .api_key
            .as_ref()
            .is_none_or(|expected| *expected == key);
    if !accepted {
        return Err(ApiError::unauthenticated(format!(
            "Invalid API Key provided: {}",
            mask_key(&key)
        )));
    }
    Ok(account_id_for(&key))
}

/// `sk_test_********************1234`, as Stripe shows a wrong key.
fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 12))
}

fn check_form_body(headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    if body.is_empty() {
        return Ok(());
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(ApiError::invalid_request(format!(
            "Invalid request: Stripe takes application/x-www-form-urlencoded bodies, not \
             '{content_type}'."
        )))
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::invalid_request("Invalid Idempotency-Key header."))?
        .trim();
    if key.is_empty() {
        return Ok(None);
    }
    if key.len() > 255 {
        return Err(ApiError::invalid_request(
            "Idempotency keys can be at most 255 characters long.",
        ));
    }
    Ok(Some(key.to_owned()))
}

pub(crate) fn reply_response(reply: &Reply) -> Response {
    let mut response = (reply.status, Json(&reply.body)).into_response();
    // Stripe tells clients not to retry requests that can only fail again.
    if reply.status.is_client_error() && reply.status != StatusCode::CONFLICT {
        response
            .headers_mut()
            .insert("stripe-should-retry", HeaderValue::from_static("false"));
    }
    response
}

pub(crate) fn error_response(error: &ApiError) -> Response {
    reply_response(&Reply {
        status: error.status,
        body: error.body(),
    })
}

/// Adds `Request-Id` and `Stripe-Version` to every response and logs the request (method,
/// path and status only: bodies may hold card numbers and headers hold keys).
pub(crate) async fn stripe_headers(
    State(app): State<App>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = new_id("req");
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    let version = request
        .headers()
        .get("stripe-version")
        .cloned()
        .or_else(|| HeaderValue::from_str(&app.config.api_version).ok());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), request_id, "request");
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("request-id", value);
    }
    if let Some(version) = version {
        headers.insert("stripe-version", version);
    }
    response
}

/// Stripe's answer to a URL or method it does not serve.
pub(crate) async fn unrecognized(request: Request) -> Response {
    error_response(&ApiError::unrecognized_url(
        request.method().as_str(),
        request.uri().path(),
    ))
}
