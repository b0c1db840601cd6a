//! Test-only endpoints under `/_double/` (none of them exists in Stripe):
//!
//! - `GET  /_double/health` — readiness, no key needed.
//! - `GET  /_double/events[?type=…]` and `GET /_double/events/{id}` — the account's events, each
//!   with the exact payload sent and every delivery attempt.
//! - `POST /_double/events/{id}/resend` — deliver an event again (a duplicate).
//! - `POST /_double/webhooks/hold`, `POST /_double/webhooks/release` — hold new deliveries,
//!   then send them in creation order, newest first, or a given order.
//! - `POST /_double/webhooks/delay` — deliver later by N seconds.
//! - `POST /_double/payment_intents/{id}/pay` — the local card form's confirm, authorized by the
//!   intent's client secret (as Stripe.js is), with CORS for the venues' `*.localhost` origins;
//!   it finds the intent on the platform or on any connected account.
//! - `POST /_double/accounts` — create (or reset) a connected account with a chosen id, already
//!   in an onboarding state (the devserver's seeded venue is "already connected").
//! - `POST /_double/accounts/{id}/onboarding` — move a connected account to an onboarding
//!   outcome (`complete`, `requirements_due`, `restricted`): `account.updated`.
//! - `POST /_double/accounts/{id}/payouts` — pay out (default: the whole available balance).
//!
//! `health`, `pay` and the `/_double/accounts/{id}/…` controls need no key (the intent's client
//! secret or the account id says whose); the others take the platform's secret key, like the
//! API.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::accounts::{self, ConnectedAccount, Onboarding};
use crate::api::{RequestId, authenticate, error_response, reply_response};
use crate::errors::ApiError;
use crate::ids::new_id;
use crate::payments::{self, Ctx, TypedCard};
use crate::signature::unix_now;
use crate::store::{Account, Connected, Reply, RequestInfo, Store};
use crate::webhooks::{self, ReleaseOrder};
use crate::{App, cards, form, money};

/// Longest delivery delay the controls accept.
const MAX_DELAY_SECONDS: u64 = 3600;

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/_double/health", get(health))
        .route("/_double/events", get(list_events))
        .route("/_double/requests", get(list_requests))
        .route("/_double/events/{id}", get(get_event))
        .route("/_double/events/{id}/resend", post(resend_event))
        .route("/_double/webhooks/hold", post(hold_deliveries))
        .route("/_double/webhooks/release", post(release_deliveries))
        .route("/_double/webhooks/delay", post(delay_deliveries))
        .route(
            "/_double/payment_intents/{id}/pay",
            post(pay).options(pay_preflight),
        )
        .route("/_double/accounts", post(seed_account))
        .route("/_double/accounts/{id}/onboarding", post(onboard_account))
        .route("/_double/accounts/{id}/payouts", post(pay_out))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedAccountRequest {
    id: Option<String>,
    business_name: Option<String>,
    outcome: Option<String>,
}

/// Creates a connected account of the key's platform with the chosen id (or a new one), or
/// resets an existing one of its own to the given state; its objects are kept.
async fn seed_account(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = authenticate(&app, &headers).and_then(|platform_id| {
        let request: SeedAccountRequest = parse_json(
            &body,
            r#"{"id"?: "acct_…", "businessName"?: string, "outcome"?: "complete" | "requirements_due" | "restricted"}"#,
        )?;
        let outcome = parse_outcome(request.outcome.as_deref())?;
        let id = request.id.unwrap_or_else(|| new_id("acct"));
        let valid_id = id.strip_prefix("acct_").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !valid_id {
            return Err(ApiError::invalid_request(format!(
                "Invalid id: {id} (an account id is acct_ and letters, digits or _)."
            ))
            .param("id"));
        }
        let ctx = Ctx::control(&app, request_id.0, &platform_id);
        let mut store = app.lock();
        if store.owner_of(&id).is_some_and(|owner| owner != platform_id) {
            return Err(ApiError::invalid_request(format!(
                "{id} is a connected account of another platform."
            ))
            .param("id"));
        }
        let platform = store.platform_mut(&platform_id);
        let connected = platform
            .connected
            .entry(id.clone())
            .or_insert_with(|| Connected {
                profile: ConnectedAccount::new(id.clone(), ctx.now),
                ledger: Account::default(),
            });
        if request.business_name.is_some() {
            connected.profile.business_name = request.business_name;
        }
        if let Some(outcome) = outcome {
            if connected.profile.onboarding == outcome {
                // Same state: nothing happened, so no event.
            } else {
                accounts::set_onboarding(connected, outcome, &ctx);
            }
        }
        let body = connected.profile.to_json();
        webhooks::publish(&app, &mut store, &platform_id);
        Ok(Reply::ok(body))
    });
    respond(result)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OnboardRequest {
    outcome: Option<String>,
}

async fn onboard_account(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = parse_json::<OnboardRequest>(
        &body,
        r#"{"outcome": "complete" | "requirements_due" | "restricted"}"#,
    )
    .and_then(|request| {
        let outcome = parse_outcome(request.outcome.as_deref())?
            .ok_or_else(|| ApiError::missing("outcome"))?;
        let mut store = app.lock();
        let platform_id = store
            .owner_of(&id)
            .ok_or_else(|| ApiError::no_such("account", &id, "id", true))?;
        let ctx = Ctx::control(&app, request_id.0, &platform_id);
        let connected = store
            .platform_mut(&platform_id)
            .connected
            .get_mut(&id)
            .ok_or_else(|| ApiError::no_such("account", &id, "id", true))?;
        accounts::set_onboarding(connected, outcome, &ctx);
        let body = connected.profile.to_json();
        webhooks::publish(&app, &mut store, &platform_id);
        Ok(Reply::ok(body))
    });
    respond(result)
}

fn parse_outcome(outcome: Option<&str>) -> Result<Option<Onboarding>, ApiError> {
    outcome
        .map(|outcome| {
            Onboarding::parse_outcome(outcome).ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "Invalid outcome: must be complete, requirements_due or restricted (got \
                     {outcome})."
                ))
                .param("outcome")
            })
        })
        .transpose()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PayoutRequest {
    amount: Option<i64>,
    currency: Option<String>,
}

async fn pay_out(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = parse_json::<PayoutRequest>(&body, r#"{"amount"?: integer, "currency"?: "gbp"}"#)
        .and_then(|request| {
            let mut store = app.lock();
            let platform_id = store
                .owner_of(&id)
                .ok_or_else(|| ApiError::no_such("account", &id, "id", true))?;
            let ctx = Ctx::control(&app, request_id.0, &platform_id);
            let connected = store
                .platform_mut(&platform_id)
                .connected
                .get_mut(&id)
                .ok_or_else(|| ApiError::no_such("account", &id, "id", true))?;
            let currency = connected.profile.default_currency.clone();
            let reply = money::pay_out(
                &mut connected.ledger,
                request.amount,
                request.currency,
                &currency,
                &ctx,
            )?;
            webhooks::publish(&app, &mut store, &platform_id);
            Ok(reply)
        });
    respond(result)
}

async fn health() -> Response {
    Json(json!({ "ok": true })).into_response()
}

/// How many API requests the key's platform made, by `{METHOD} {route}` (with ` on account`
/// when made with `Stripe-Account`), since the double started.
async fn list_requests(State(app): State<App>, headers: HeaderMap) -> Response {
    let result = authenticate(&app, &headers).map(|platform_id| {
        let mut store = app.lock();
        let requests = &store.platform_mut(&platform_id).requests;
        let total: u64 = requests.values().sum();
        Reply::ok(json!({ "total": total, "requests": requests }))
    });
    respond(result)
}

async fn list_events(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = authenticate(&app, &headers).and_then(|account_id| {
        let mut params = form::parse(query.unwrap_or_default().as_bytes())?;
        let kind = params.take_optional_text("type")?;
        params.finish()?;
        let mut store = app.lock();
        let data: Vec<_> = store
            .platform_mut(&account_id)
            .events
            .iter()
            .filter(|event| kind.as_deref().is_none_or(|kind| event.kind == kind))
            .map(webhooks::event_json)
            .collect();
        Ok(Reply::ok(json!({ "object": "list", "data": data })))
    });
    respond(result)
}

async fn get_event(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let result = authenticate(&app, &headers).and_then(|account_id| {
        let mut store = app.lock();
        store
            .platform_mut(&account_id)
            .events
            .iter()
            .find(|event| event.id == id)
            .map(|event| Reply::ok(webhooks::event_json(event)))
            .ok_or_else(|| ApiError::no_such("event", &id, "id", true))
    });
    respond(result)
}

async fn resend_event(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = authenticate(&app, &headers).and_then(|account_id| {
        let mut store = app.lock();
        let deliveries = webhooks::resend(&app, &mut store, &account_id, &id)?;
        Ok(Reply::ok(json!({ "id": id, "deliveries": deliveries })))
    });
    respond(result)
}

async fn hold_deliveries(State(app): State<App>, headers: HeaderMap) -> Response {
    let result = authenticate(&app, &headers).map(|account_id| {
        app.lock().platform_mut(&account_id).holding = true;
        Reply::ok(json!({ "holding": true }))
    });
    respond(result)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReleaseRequest {
    /// `created` (default) or `reverse`.
    order: Option<String>,
    event_ids: Option<Vec<String>>,
}

async fn release_deliveries(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let result = authenticate(&app, &headers).and_then(|account_id| {
        let request: ReleaseRequest = parse_json(
            &body,
            r#"{"order": "created" | "reverse"} or {"eventIds": ["evt_…", …]}"#,
        )?;
        let order = match (request.order.as_deref(), request.event_ids) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_request(
                    "Give either order or eventIds, not both.",
                ));
            }
            (None, Some(ids)) => ReleaseOrder::Events(ids),
            (None | Some("created"), None) => ReleaseOrder::Created,
            (Some("reverse"), None) => ReleaseOrder::Reverse,
            (Some(other), None) => {
                return Err(ApiError::invalid_request(format!(
                    "Invalid order: must be created or reverse (got {other})."
                ))
                .param("order"));
            }
        };
        let mut store = app.lock();
        let released = webhooks::release(&app, &mut store, &account_id, order)?;
        Ok(Reply::ok(json!({ "released": released })))
    });
    respond(result)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DelayRequest {
    seconds: u64,
}

async fn delay_deliveries(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let result = authenticate(&app, &headers).and_then(|account_id| {
        let request: DelayRequest = parse_json(&body, r#"{"seconds": <non-negative integer>}"#)?;
        if request.seconds > MAX_DELAY_SECONDS {
            return Err(ApiError::invalid_request(format!(
                "seconds must be at most {MAX_DELAY_SECONDS}."
            ))
            .param("seconds"));
        }
        app.lock().platform_mut(&account_id).webhook_delay = Duration::from_secs(request.seconds);
        Ok(Reply::ok(json!({ "delaySeconds": request.seconds })))
    });
    respond(result)
}

/// The card form's request. Deliberately no `Debug`: it holds a card number.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PayRequest {
    client_secret: Option<String>,
    card_number: Option<String>,
    exp_month: Option<i64>,
    exp_year: Option<i64>,
    cvc: Option<String>,
}

async fn pay(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let origin = match check_origin(&headers) {
        OriginCheck::Absent => None,
        OriginCheck::Allowed(origin) => Some(origin),
        OriginCheck::Refused => return refused_origin(),
    };
    let result = parse_pay(&body).and_then(|(client_secret, card)| {
        let mut store = app.lock();
        // No secret key here, so find the intent by its id: on a platform's own account or on
        // one of its connected accounts (a direct charge).
        let (platform_id, account) = find_intent(&store, &id)
            .ok_or_else(|| ApiError::no_such("payment_intent", &id, "intent", true))?;
        let ctx = Ctx {
            now: unix_now(),
            request: RequestInfo {
                request_id: Some(request_id.0),
                idempotency_key: None,
            },
            api_version: app.config.api_version.clone(),
            platform_id: platform_id.clone(),
        };
        let platform = store.platform_mut(&platform_id);
        let reply = match platform.scope(account.as_deref()) {
            Some(mut scope) => {
                let matches = scope
                    .account
                    .intents
                    .get(&id)
                    .is_some_and(|intent| intent.client_secret == client_secret);
                if matches {
                    payments::pay_with_card(&mut scope, &id, &card, &ctx)
                } else {
                    Err(payments::client_secret_mismatch())
                }
            }
            None => Err(ApiError::no_such("payment_intent", &id, "intent", true)),
        };
        if reply.is_err() {
            platform.discard_drafts();
        }
        webhooks::publish(&app, &mut store, &platform_id);
        reply
    });
    let mut response = respond(result);
    if let Some(origin) = origin {
        add_cors(response.headers_mut(), origin);
    }
    response
}

/// The platform and (for a direct charge) the connected account holding an intent.
fn find_intent(store: &Store, id: &str) -> Option<(String, Option<String>)> {
    store.platforms.iter().find_map(|(platform_id, platform)| {
        if platform.own.intents.contains_key(id) {
            return Some((platform_id.clone(), None));
        }
        platform
            .connected
            .iter()
            .find(|(_, connected)| connected.ledger.intents.contains_key(id))
            .map(|(account_id, _)| (platform_id.clone(), Some(account_id.clone())))
    })
}

fn parse_pay(body: &[u8]) -> Result<(String, TypedCard), ApiError> {
    let request: PayRequest = parse_json(
        body,
        r#"{"clientSecret": string, "cardNumber": string, "expMonth": integer, "expYear": integer, "cvc": string}"#,
    )?;
    let client_secret = request
        .client_secret
        .ok_or_else(|| ApiError::missing("clientSecret"))?;
    let number = request
        .card_number
        .ok_or_else(|| ApiError::missing("cardNumber"))?;
    let number = cards::normalize_number(&number).ok_or_else(|| {
        ApiError::card_error("incorrect_number", "Your card number is incorrect.").param("number")
    })?;
    let exp_month = request
        .exp_month
        .ok_or_else(|| ApiError::missing("expMonth"))?;
    let exp_year = request
        .exp_year
        .ok_or_else(|| ApiError::missing("expYear"))?;
    // Two-digit years, as typed into "MM / YY".
    let exp_year = if (0..100).contains(&exp_year) {
        exp_year + 2000
    } else {
        exp_year
    };
    let cvc = request.cvc.ok_or_else(|| ApiError::missing("cvc"))?;
    Ok((
        client_secret,
        TypedCard {
            number,
            exp_month,
            exp_year,
            cvc,
        },
    ))
}

async fn pay_preflight(headers: HeaderMap) -> Response {
    match check_origin(&headers) {
        OriginCheck::Allowed(origin) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            let headers = response.headers_mut();
            add_cors(headers, origin);
            headers.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, OPTIONS"),
            );
            headers.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            response
        }
        OriginCheck::Absent => StatusCode::NO_CONTENT.into_response(),
        OriginCheck::Refused => refused_origin(),
    }
}

enum OriginCheck {
    /// No `Origin` header: not a browser (curl, tests).
    Absent,
    /// A local venue origin: `http://localhost[:port]`, `http://{venue}.localhost[:port]` or
    /// `http://127.0.0.1[:port]`.
    Allowed(HeaderValue),
    Refused,
}

fn check_origin(headers: &HeaderMap) -> OriginCheck {
    match headers.get(ORIGIN) {
        None => OriginCheck::Absent,
        Some(origin) if origin.to_str().ok().is_some_and(is_local_origin) => {
            OriginCheck::Allowed(origin.clone())
        }
        Some(_) => OriginCheck::Refused,
    }
}

fn refused_origin() -> Response {
    let error = ApiError::invalid_request(
        "The Stripe double's card form accepts only http://localhost, http://*.localhost and \
         http://127.0.0.1 origins.",
    );
    let mut response = error_response(&error);
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

fn is_local_origin(origin: &str) -> bool {
    let Some(authority) = origin.strip_prefix("http://") else {
        return false;
    };
    let host = match authority.rsplit_once(':') {
        Some((host, port)) => {
            if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            host
        }
        None => authority,
    };
    if host == "localhost" || host == "127.0.0.1" {
        return true;
    }
    host.strip_suffix(".localhost").is_some_and(|labels| {
        !labels.is_empty()
            && labels.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    })
}

fn add_cors(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(VARY, HeaderValue::from_static("Origin"));
}

/// A JSON body (an empty body counts as `{}`); `expected` describes it for the error message.
fn parse_json<T: DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    // serde's own message may quote the offending value, which could be a card number.
    serde_json::from_slice(body).map_err(|err| {
        ApiError::invalid_request(format!(
            "Invalid JSON body (line {}, column {}): expected {expected}.",
            err.line(),
            err.column()
        ))
    })
}

fn respond(result: Result<Reply, ApiError>) -> Response {
    match result {
        Ok(reply) => reply_response(&reply),
        Err(err) => error_response(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_http_origins_are_allowed() {
        for origin in [
            "http://localhost:3000",
            "http://demo.localhost:3000",
            "http://my-venue.localhost",
            "http://127.0.0.1:5173",
        ] {
            assert!(is_local_origin(origin), "{origin}");
        }
        for origin in [
            "https://demo.localhost:3000",
            "http://evil.com",
            "http://localhost.evil.com",
            "http://.localhost",
            "http://demo.localhost:",
            "http://demo.localhost:3000/path",
            "null",
        ] {
            assert!(!is_local_origin(origin), "{origin}");
        }
    }
}
