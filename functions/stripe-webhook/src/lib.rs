//! The `stripe-webhook` function (`POST /api/v1/stripe/webhook`): Stripe's signed events about
//! payments. The signature is checked on the raw, undecoded body before anything is parsed;
//! the order comes from the PaymentIntent's metadata. Stripe delivers some events twice and
//! in any order: the sale is idempotent by construction, and a handled event is recorded
//! after its effect so a repeat is answered without redoing the work.
//!
//! - `payment_intent.succeeded`: the order's held seats become sold and the tickets are
//!   issued, or, when the seats were lost meanwhile, the payment is refunded (see
//!   `marquee_app::sales`).
//! - `payment_intent.payment_failed`: the cart opens again with its holds.
//! - `refund.created` of a refund of tickets (its metadata carries what was decided): if the
//!   process that asked for it stopped before writing it down, the tickets are refunded now.
//! - `account.updated` (Connect endpoint only): a venue's connected account changed; its
//!   state is stored (`marquee_app::agreements`). An account of no venue is ignored.
//! - Anything else is acknowledged and ignored.
//!
//! Two endpoints, each with its own signing secret: `/api/v1/stripe/webhook` receives the
//! platform account's own events, `/api/v1/stripe/connect-webhook` those of venues' connected
//! accounts (with direct charges every sale's events arrive there, each naming its
//! `account`). An event is only ever applied to an order whose payment is on the event's
//! account: another account's event is ignored and logged.
//!
//! The handler verifies and parses; `marquee_app::sales::PaymentWebhook` decides. A failure
//! (or a crash at any point) answers nothing good, so Stripe retries, and the retry finishes
//! the work or finds it done.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use chrono::Utc;
use marquee_app::agreements::{AccountEvent, PaymentAgreements};
use marquee_app::ports::ProviderAccount;
use marquee_app::sales::{
    EventOutcome, PaymentEvent, PaymentReceived, PaymentWebhook, REFUND_ORDER_VERSION,
    REFUND_REASON, REFUND_TICKETS, RefundIssued,
};
use marquee_domain::{OrderId, TenantId, TicketId};
use marquee_platform::mail::MailQueue;
use marquee_platform::payments::{Payments, WEBHOOK_TOLERANCE_SECONDS, verify_webhook_signature};
use marquee_platform::{ApiError, Secret, http, services};
use marquee_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct WebhookState {
    pub events: Arc<PaymentWebhook>,
    pub agreements: Arc<PaymentAgreements>,
    pub webhook_secret: Secret,
    pub connect_webhook_secret: Secret,
}

impl WebhookState {
    /// `public_url_template`: links in mail, `{host}` replaced by the venue's hostname.
    pub fn new(
        public_url_template: &str,
        store: Store,
        payments: Payments,
        mail: MailQueue,
    ) -> Self {
        let webhook_secret = payments.webhook_secret().clone();
        let connect_webhook_secret = payments.connect_webhook_secret().clone();
        Self {
            agreements: services::payment_agreements(&store, payments.clone()),
            events: services::payment_webhook(
                &store,
                services::sales(
                    &store,
                    services::sale_catalog(&store),
                    payments,
                    mail,
                    public_url_template,
                ),
            ),
            webhook_secret,
            connect_webhook_secret,
        }
    }
}

pub fn router(state: WebhookState) -> Router {
    http::with_conventions(
        Router::new()
            .route("/api/v1/stripe/webhook", post(receive_platform_event))
            .route(
                "/api/v1/stripe/connect-webhook",
                post(receive_connect_event),
            )
            .with_state(state),
    )
}

/// The parts of a Stripe event Marquee reads.
#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    /// The connected account the event happened on (Connect endpoint events only).
    #[serde(default)]
    account: Option<String>,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: Value,
}

/// A connected account, as `account.updated` carries it.
#[derive(Debug, Deserialize)]
struct AccountObject {
    id: String,
    #[serde(default)]
    charges_enabled: bool,
    #[serde(default)]
    payouts_enabled: bool,
    #[serde(default)]
    details_submitted: bool,
    #[serde(default)]
    requirements: Option<RequirementsObject>,
}

#[derive(Debug, Default, Deserialize)]
struct RequirementsObject {
    #[serde(default)]
    currently_due: Option<Vec<String>>,
    #[serde(default)]
    past_due: Option<Vec<String>>,
    #[serde(default)]
    disabled_reason: Option<String>,
}

impl AccountObject {
    fn into_provider(self) -> ProviderAccount {
        let requirements = self.requirements.unwrap_or_default();
        let due = ProviderAccount::due(
            requirements.past_due.into_iter().flatten(),
            requirements.currently_due.into_iter().flatten(),
        );
        ProviderAccount {
            id: self.id,
            charges_enabled: self.charges_enabled,
            payouts_enabled: self.payouts_enabled,
            details_submitted: self.details_submitted,
            requirements: due,
            disabled_reason: requirements.disabled_reason,
        }
    }
}

/// Which of the two endpoints an event came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Platform,
    Connect,
}

/// A PaymentIntent, or a refund (the fields they share).
#[derive(Debug, Deserialize)]
struct PaymentIntentObject {
    id: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    amount: i64,
    #[serde(default)]
    amount_received: Option<i64>,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    metadata: HashMap<String, String>,
    #[serde(default)]
    last_payment_error: Option<PaymentErrorObject>,
}

#[derive(Debug, Deserialize)]
struct PaymentErrorObject {
    #[serde(default)]
    message: Option<String>,
}

/// The order version and tickets a refund of tickets was decided on (its metadata).
fn refund_of_tickets(object: &PaymentIntentObject) -> Option<(u32, Vec<TicketId>)> {
    let version = object.metadata.get(REFUND_ORDER_VERSION)?.parse().ok()?;
    let tickets = object
        .metadata
        .get(REFUND_TICKETS)?
        .split(',')
        .map(TicketId::parse)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some((version, tickets))
}

fn bad_request(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

async fn receive_platform_event(
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let secret = state.webhook_secret.clone();
    receive_event(&state, Endpoint::Platform, &secret, &headers, &body).await
}

async fn receive_connect_event(
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let secret = state.connect_webhook_secret.clone();
    receive_event(&state, Endpoint::Connect, &secret, &headers, &body).await
}

fn ignored() -> Json<Value> {
    Json(json!({ "received": true, "handled": false }))
}

async fn receive_event(
    state: &WebhookState,
    endpoint: Endpoint,
    secret: &Secret,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Json<Value>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    // An endpoint without a configured secret verifies nothing: every event is refused.
    let verified = if secret.expose().is_empty() {
        Err(marquee_platform::payments::SignatureError::Mismatch)
    } else {
        verify_webhook_signature(
            signature,
            body,
            secret.expose(),
            Utc::now().timestamp(),
            WEBHOOK_TOLERANCE_SECONDS,
        )
    };
    if let Err(e) = verified {
        tracing::warn!(error = %e, ?endpoint, "refused a webhook with a bad signature");
        return Err(bad_request(
            "invalid_signature",
            "The Stripe signature does not verify",
        ));
    }
    // Signed by Stripe but not an event we understand: acknowledged, so it is not retried.
    let Ok(event) = serde_json::from_slice::<Event>(body) else {
        return Ok(ignored());
    };
    // Connect events name their account; the platform's own never do.
    let account = match (endpoint, event.account.as_deref()) {
        (Endpoint::Connect, Some(account)) => Some(account),
        (Endpoint::Platform, None) => None,
        _ => {
            tracing::warn!(event = %event.id, ?endpoint, "an event on the wrong endpoint ignored");
            return Ok(ignored());
        }
    };
    if event.kind == "account.updated" {
        return account_updated(state, &event, account).await;
    }
    let Ok(intent) = serde_json::from_value::<PaymentIntentObject>(event.data.object.clone())
    else {
        return Ok(ignored());
    };
    let intent = &intent;
    let handled = matches!(
        (event.kind.as_str(), intent.object.as_str()),
        (
            "payment_intent.succeeded" | "payment_intent.payment_failed",
            "payment_intent"
        ) | ("refund.created", "refund")
    );
    let target = intent
        .metadata
        .get("tenant")
        .and_then(|t| TenantId::parse(t).ok())
        .zip(
            intent
                .metadata
                .get("order_id")
                .and_then(|o| OrderId::parse(o).ok()),
        );
    let (true, Some((tenant, order))) = (handled, target) else {
        tracing::info!(event = %event.id, kind = %event.kind, "webhook event ignored");
        return Ok(Json(json!({ "received": true, "handled": false })));
    };
    let refunded_tickets = refund_of_tickets(intent);
    let payment = PaymentReceived {
        payment_intent: &intent.id,
        amount: intent.amount_received.unwrap_or(intent.amount),
        currency: &intent.currency,
    };
    let problem = intent
        .last_payment_error
        .as_ref()
        .and_then(|e| e.message.as_deref())
        .unwrap_or("The payment was declined.");
    let what = match event.kind.as_str() {
        "payment_intent.payment_failed" => PaymentEvent::Failed { problem },
        "refund.created" => {
            // Refunds Marquee did not decide ticket by ticket (a lost sale's, or one made in
            // the Stripe Dashboard) carry no such metadata: nothing to write down here.
            let Some((order_version, tickets)) = &refunded_tickets else {
                tracing::info!(event = %event.id, "refund without tickets ignored");
                return Ok(Json(json!({ "received": true, "handled": false })));
            };
            PaymentEvent::Refunded(RefundIssued {
                refund_id: &intent.id,
                amount: intent.amount,
                order_version: *order_version,
                tickets,
                reason: intent
                    .metadata
                    .get(REFUND_REASON)
                    .map_or("Refunded", String::as_str),
            })
        }
        _ => PaymentEvent::Succeeded(payment),
    };
    match state
        .events
        .handle(&tenant, &order, &event.id, &event.kind, account, what)
        .await?
    {
        EventOutcome::Duplicate => {
            tracing::info!(event = %event.id, "duplicate webhook event ignored");
            Ok(Json(json!({ "received": true, "duplicate": true })))
        }
        EventOutcome::Handled(outcome) => {
            tracing::info!(event = %event.id, kind = %event.kind, %order, outcome, "webhook event handled");
            Ok(Json(json!({ "received": true, "outcome": outcome })))
        }
    }
}

/// A venue's connected account changed: its state is stored. An account of no venue (or an
/// event about one account carrying another) is acknowledged and ignored.
async fn account_updated(
    state: &WebhookState,
    event: &Event,
    account: Option<&str>,
) -> Result<Json<Value>, ApiError> {
    let Ok(object) = serde_json::from_value::<AccountObject>(event.data.object.clone()) else {
        return Ok(ignored());
    };
    if account != Some(object.id.as_str()) {
        tracing::warn!(event = %event.id, "an account event about another account ignored");
        return Ok(ignored());
    }
    match state
        .agreements
        .account_updated(object.into_provider())
        .await?
    {
        AccountEvent::UnknownAccount => Ok(ignored()),
        AccountEvent::Updated(status) => {
            tracing::info!(event = %event.id, ?status, "account event handled");
            Ok(Json(json!({ "received": true, "status": status })))
        }
    }
}
