//! The `/v1` endpoints: authentication by secret key, the `Stripe-Account` header (which
//! connected account a request acts on), form-encoded parameters, idempotency keys, and
//! Stripe's response headers. What each endpoint does lives in `payments`, `accounts` and
//! `money`.

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

use crate::errors::ApiError;
use crate::form::{self, Params};
use crate::ids::new_id;
use crate::payments::{self, Ctx};
use crate::signature::unix_now;
use crate::store::{
    Account, IdempotentResult, Platform, Reply, RequestInfo, Scope, account_id_for,
};
use crate::{App, accounts, money, webhooks};

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
        .route("/v1/accounts", post(create_account))
        .route("/v1/accounts/{id}", get(retrieve_account))
        .route("/v1/accounts/{id}/login_links", post(create_login_link))
        .route("/v1/account_links", post(create_account_link))
        .route("/v1/application_fees", get(list_application_fees))
        .route("/v1/application_fees/{id}", get(retrieve_application_fee))
        .route("/v1/balance", get(retrieve_balance))
        .route("/v1/balance_transactions", get(list_balance_transactions))
        .route(
            "/v1/balance_transactions/{id}",
            get(retrieve_balance_transaction),
        )
        .route("/v1/payouts", get(list_payouts))
        .route("/v1/payouts/{id}", get(retrieve_payout))
}

/// What every `/v1` request carries: the platform (by its secret key) and the account it acts
/// on (`Stripe-Account`, checked to be one of the platform's).
struct Caller {
    platform_id: String,
    account: Option<String>,
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
        |platform, account, params, ctx| {
            on_scope(platform, account, |scope| {
                payments::create_intent(scope, params, ctx)
            })
        },
    )
}

async fn list_payment_intents(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        payments::list_intents(ledger(platform, account)?, params)
    })
}

async fn retrieve_payment_intent(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        payments::retrieve_intent(ledger(platform, account)?, &id, params)
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
        |platform, account, params, ctx| {
            on_scope(platform, account, |scope| {
                payments::confirm_intent(scope, &id, params, ctx)
            })
        },
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
        |platform, account, params, ctx| {
            on_scope(platform, account, |scope| {
                payments::cancel_intent(scope.account, &id, params, ctx)
            })
        },
    )
}

async fn retrieve_charge(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        payments::retrieve_charge(ledger(platform, account)?, &id, params)
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
        |platform, account, params, ctx| {
            on_scope(platform, account, |scope| {
                payments::create_refund(scope, params, ctx)
            })
        },
    )
}

async fn retrieve_refund(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        payments::retrieve_refund(ledger(platform, account)?, &id, params)
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
        |platform, account, params, ctx| {
            platform_only(account, "webhook endpoints")?;
            payments::create_webhook_endpoint(platform, params, ctx)
        },
    )
}

async fn delete_webhook_endpoint(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = caller(&app, &headers).and_then(|caller| {
        platform_only(caller.account.as_deref(), "webhook endpoints")?;
        let params = form::parse(query.unwrap_or_default().as_bytes())?;
        let mut store = app.lock();
        payments::delete_webhook_endpoint(store.platform_mut(&caller.platform_id), &id, params)
    });
    match result {
        Ok(reply) => reply_response(&reply),
        Err(err) => error_response(&err),
    }
}

async fn create_account(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    mutate(
        &app,
        request_id,
        &headers,
        "/v1/accounts",
        &body,
        |platform, account, params, ctx| {
            platform_only(account, "connected accounts")?;
            accounts::create_account(platform, params, ctx)
        },
    )
}

async fn retrieve_account(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let masked = masked_key(&headers);
    read(&app, &headers, query, |platform, account, params| {
        platform_only(account, "connected accounts")?;
        if !platform.owns(&id) {
            return Err(ApiError::no_access(&masked, &id));
        }
        accounts::retrieve_account(platform, &id, params)
    })
}

async fn create_login_link(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = format!("/v1/accounts/{id}/login_links");
    let masked = masked_key(&headers);
    mutate(
        &app,
        request_id,
        &headers,
        &endpoint,
        &body,
        |platform, account, params, ctx| {
            platform_only(account, "login links")?;
            if !platform.owns(&id) {
                return Err(ApiError::no_access(&masked, &id));
            }
            accounts::create_login_link(platform, &app.base_url, &id, params, ctx)
        },
    )
}

async fn create_account_link(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    mutate(
        &app,
        request_id,
        &headers,
        "/v1/account_links",
        &body,
        |platform, account, params, ctx| {
            platform_only(account, "account links")?;
            accounts::create_account_link(platform, &app.base_url, params, ctx)
        },
    )
}

async fn list_application_fees(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        platform_only(account, "application fees")?;
        money::list_application_fees(platform, params)
    })
}

async fn retrieve_application_fee(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        platform_only(account, "application fees")?;
        money::retrieve_application_fee(platform, &id, params)
    })
}

async fn retrieve_balance(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        let currency = match account {
            Some(id) => platform
                .connected
                .get(id)
                .map_or(PLATFORM_CURRENCY, |c| c.profile.default_currency.as_str()),
            None => PLATFORM_CURRENCY,
        };
        money::retrieve_balance(ledger(platform, account)?, currency, params)
    })
}

async fn list_balance_transactions(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        money::list_balance_transactions(ledger(platform, account)?, params)
    })
}

async fn retrieve_balance_transaction(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        money::retrieve_balance_transaction(ledger(platform, account)?, &id, params)
    })
}

async fn list_payouts(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        money::list_payouts(ledger(platform, account)?, params)
    })
}

async fn retrieve_payout(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read(&app, &headers, query, |platform, account, params| {
        money::retrieve_payout(ledger(platform, account)?, &id, params)
    })
}

/// The currency a platform's empty balance is shown in (Marquee's platform is British).
const PLATFORM_CURRENCY: &str = "gbp";

/// Runs `operation` on the account the request acts on.
fn on_scope<T>(
    platform: &mut Platform,
    account: Option<&str>,
    operation: impl FnOnce(&mut Scope) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut scope = platform
        .scope(account)
        .ok_or_else(|| ApiError::invalid_request("No such account."))?;
    operation(&mut scope)
}

fn ledger<'a>(platform: &'a Platform, account: Option<&str>) -> Result<&'a Account, ApiError> {
    platform
        .ledger(account)
        .ok_or_else(|| ApiError::invalid_request("No such account."))
}

/// Refuses a `Stripe-Account` header on endpoints that serve only the platform's own objects.
fn platform_only(account: Option<&str>, what: &str) -> Result<(), ApiError> {
    match account {
        None => Ok(()),
        Some(_) => Err(ApiError::invalid_request(format!(
            "The Stripe double serves {what} for the platform only: send this request without \
             the Stripe-Account header."
        ))),
    }
}

/// A POST: authenticate, parse the form, honour the `Idempotency-Key` (scoped to the account
/// acted on, as Stripe scopes it), run the operation under the lock, then publish the events it
/// produced.
fn mutate(
    app: &App,
    request_id: RequestId,
    headers: &HeaderMap,
    endpoint: &str,
    body: &[u8],
    operation: impl FnOnce(&mut Platform, Option<&str>, Params, &Ctx) -> Result<Reply, ApiError>,
) -> Response {
    let prepared = caller(app, headers).and_then(|caller| {
        check_form_body(headers, body)?;
        let params = form::parse(body)?;
        let key = idempotency_key(headers)?;
        Ok((caller, params, key))
    });
    let (caller, params, key) = match prepared {
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
        platform_id: caller.platform_id.clone(),
    };
    let fingerprint = params.fingerprint();

    let mut store = app.lock();
    let platform = store.platform_mut(&caller.platform_id);
    let saved_under = key
        .clone()
        .map(|key| (caller.account.clone().unwrap_or_default(), key));
    if let Some(saved_under) = &saved_under
        && let Some(saved) = platform.idempotency.get(saved_under)
    {
        return replay(saved, &saved_under.1, endpoint, &fingerprint);
    }
    match operation(platform, caller.account.as_deref(), params, &ctx) {
        Ok(reply) => {
            if let Some(saved_under) = saved_under {
                platform.idempotency.insert(
                    saved_under,
                    IdempotentResult {
                        endpoint: endpoint.to_owned(),
                        fingerprint,
                        request_id: request_id.0,
                        reply: reply.clone(),
                    },
                );
            }
            webhooks::publish(app, &mut store, &caller.platform_id);
            let mut response = reply_response(&reply);
            if let Some(value) = key.and_then(|key| HeaderValue::from_str(&key).ok()) {
                response.headers_mut().insert("idempotency-key", value);
            }
            response
        }
        Err(err) => {
            // A refused request has no effects, so nothing it may have drafted is published.
            platform.discard_drafts();
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
    operation: impl FnOnce(&Platform, Option<&str>, Params) -> Result<Reply, ApiError>,
) -> Response {
    let result = caller(app, headers).and_then(|caller| {
        let params = form::parse(query.unwrap_or_default().as_bytes())?;
        let mut store = app.lock();
        operation(
            store.platform_mut(&caller.platform_id),
            caller.account.as_deref(),
            params,
        )
    });
    match result {
        Ok(reply) => reply_response(&reply),
        Err(err) => error_response(&err),
    }
}

/// The platform of the request's key, and the connected account its `Stripe-Account` header
/// names: one of the platform's, else Stripe's 403 `account_invalid`. A header naming the
/// platform itself acts on the platform.
fn caller(app: &App, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let platform_id = authenticate(app, headers)?;
    let account = headers
        .get("stripe-account")
        .map(|value| value.to_str().unwrap_or_default().trim().to_owned())
        .filter(|account| !account.is_empty() && *account != platform_id);
    if let Some(account) = &account {
        let owned = app
            .lock()
            .platforms
            .get(&platform_id)
            .is_some_and(|platform| platform.owns(account));
        if !owned {
            return Err(ApiError::no_access(&masked_key(headers), account));
        }
    }
    Ok(Caller {
        platform_id,
        account,
    })
}

/// The account of the request's secret key: `Authorization: Bearer sk_test_…` (or HTTP basic
/// auth with the key as user name, as `curl -u sk_test_…:` sends it). Live keys are refused,
/// so a real key pasted by mistake never becomes an account here.
pub(crate) fn authenticate(app: &App, headers: &HeaderMap) -> Result<String, ApiError> {
    let key = secret_key(headers)?;
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

/// The key of the `Authorization` header, as given.
fn secret_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::unauthenticated(
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details.",
        ));
    };
    let value = value.to_str().unwrap_or_default();
    if let Some(token) = value.strip_prefix("Bearer ") {
        Ok(token.trim().to_owned())
    } else if let Some(encoded) = value.strip_prefix("Basic ") {
        Ok(STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|user_pass| {
                user_pass
                    .split_once(':')
                    .map_or(user_pass.clone(), |(user, _)| user.to_owned())
            })
            .unwrap_or_default())
    } else {
        Err(ApiError::unauthenticated(
            "Invalid Authorization header: use 'Authorization: Bearer sk_test_…'.",
        ))
    }
}

/// The request's key as Stripe shows it in errors (masked).
fn masked_key(headers: &HeaderMap) -> String {
    secret_key(headers)
        .map(|key| mask_key(&key))
        .unwrap_or_default()
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
    count_request(&app, &request);
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

/// Counts a Stripe API request (`/v1/…`) made with a valid key against its platform, by route
/// template, so that `GET /_double/requests` can tell how many calls a use case costs.
fn count_request(app: &App, request: &Request) {
    let path = request.uri().path();
    if !path.starts_with("/v1/") {
        return;
    }
    let Ok(platform_id) = authenticate(app, request.headers()) else {
        return;
    };
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(path, |matched| matched.as_str());
    let on_account = if request.headers().contains_key("stripe-account") {
        " on account"
    } else {
        ""
    };
    let key = format!("{} {route}{on_account}", request.method());
    *app.lock()
        .platform_mut(&platform_id)
        .requests
        .entry(key)
        .or_default() += 1;
}

/// Stripe's answer to a URL or method it does not serve.
pub(crate) async fn unrecognized(request: Request) -> Response {
    error_response(&ApiError::unrecognized_url(
        request.method().as_str(),
        request.uri().path(),
    ))
}
