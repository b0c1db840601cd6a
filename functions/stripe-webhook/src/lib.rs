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
use marquee_app::sales::{EventOutcome, PaymentEvent, PaymentReceived, PaymentWebhook};
use marquee_domain::{OrderId, TenantId};
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
    let handled = matches!(
        event.kind.as_str(),
        "payment_intent.succeeded" | "payment_intent.payment_failed"
    );
    let intent = &event.data.object;
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
    let (true, "payment_intent", Some((tenant, order))) = (handled, intent.object.as_str(), target)
    else {
        tracing::info!(event = %event.id, kind = %event.kind, "webhook event ignored");
        return Ok(Json(json!({ "received": true, "handled": false })));
    };
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
    let what = if event.kind == "payment_intent.payment_failed" {
        PaymentEvent::Failed { problem }
    } else {
        PaymentEvent::Succeeded(payment)
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
