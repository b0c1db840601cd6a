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
//! - Anything else is acknowledged and ignored.
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
    pub webhook_secret: Secret,
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
        Self {
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
        }
    }
}

pub fn router(state: WebhookState) -> Router {
    http::with_conventions(
        Router::new()
            .route("/api/v1/stripe/webhook", post(receive_event))
            .with_state(state),
    )
}

/// The parts of a Stripe event Marquee reads.
#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: PaymentIntentObject,
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

async fn receive_event(
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = verify_webhook_signature(
        signature,
        &body,
        state.webhook_secret.expose(),
        Utc::now().timestamp(),
        WEBHOOK_TOLERANCE_SECONDS,
    ) {
        tracing::warn!(error = %e, "refused a webhook with a bad signature");
        return Err(bad_request(
            "invalid_signature",
            "The Stripe signature does not verify",
        ));
    }
    // Signed by Stripe but not an event we understand: acknowledged, so it is not retried.
    let Ok(event) = serde_json::from_slice::<Event>(&body) else {
        return Ok(Json(json!({ "received": true, "handled": false })));
    };
    let intent = &event.data.object;
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
        .handle(&tenant, &order, &event.id, &event.kind, what)
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
