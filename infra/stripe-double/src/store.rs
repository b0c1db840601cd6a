//! The double's in-memory state. Each secret key is its own account (as each Stripe account
//! has its own keys), so tests that use different keys never see each other's objects or
//! events, even against one shared double.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::objects::{Charge, PaymentIntent, PaymentMethod, Refund, WebhookEndpoint};

/// A response as sent, kept so an idempotent retry gets exactly the same one.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
        }
    }
}

/// The first response to a request with an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub(crate) struct IdempotentResult {
    /// `POST /v1/payment_intents`: a key may be reused only on the same endpoint…
    pub endpoint: String,
    /// …with the same parameters.
    pub fingerprint: String,
    pub request_id: String,
    pub reply: Reply,
}

/// The account a secret key belongs to: `acct_` and a digest of the key (never the key).
pub(crate) fn account_id_for(secret_key: &str) -> String {
    let digest = hex::encode(Sha256::digest(secret_key.as_bytes()));
    format!("acct_{}", &digest[..16])
}

/// An event a handler has produced, not yet rendered or scheduled (webhooks::publish does
/// that once the handler is done).
#[derive(Debug, Clone)]
pub(crate) struct EventDraft {
    pub kind: &'static str,
    pub object: Value,
    pub created: i64,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeliveryState {
    /// Waiting for `POST /_double/webhooks/release`.
    Held,
    /// Scheduled, being attempted, or waiting for the next retry.
    Pending,
    Delivered,
    /// Every attempt failed.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Attempt {
    /// Unix time in milliseconds.
    pub at_ms: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where an event is sent and with which secret.
#[derive(Clone)]
pub(crate) struct Target {
    pub url: String,
    pub secret: String,
    /// `we_…` for endpoints registered through the API, `None` for the configured one.
    pub endpoint: Option<String>,
}

/// One delivery of an event to one target (a resend is another delivery).
#[derive(Clone, Serialize)]
pub(crate) struct Delivery {
    pub url: String,
    pub endpoint: Option<String>,
    pub resend: bool,
    pub state: DeliveryState,
    pub attempts: Vec<Attempt>,
    #[serde(skip)]
    pub secret: String,
}

impl Delivery {
    pub fn new(target: &Target, resend: bool, state: DeliveryState) -> Self {
        Self {
            url: target.url.clone(),
            endpoint: target.endpoint.clone(),
            resend,
            state,
            attempts: Vec::new(),
            secret: target.secret.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct EventRecord {
    pub id: String,
    pub kind: &'static str,
    pub created: i64,
    /// The exact bytes sent, so a resend is byte-for-byte the same event.
    pub payload: String,
    pub deliveries: Vec<Delivery>,
}

#[derive(Default)]
pub(crate) struct Account {
    pub intents: HashMap<String, PaymentIntent>,
    pub charges: HashMap<String, Charge>,
    pub refunds: HashMap<String, Refund>,
    pub payment_methods: HashMap<String, PaymentMethod>,
    pub idempotency: HashMap<String, IdempotentResult>,
    pub endpoints: Vec<WebhookEndpoint>,
    /// In creation order.
    pub events: Vec<EventRecord>,
    pub drafts: Vec<EventDraft>,
    /// Deliveries wait this long before their first attempt (`/_double/webhooks/delay`).
    pub webhook_delay: Duration,
    /// New deliveries are held until released (`/_double/webhooks/hold`).
    pub holding: bool,
}

impl Account {
    pub fn emit(&mut self, kind: &'static str, object: Value, created: i64, request: &RequestInfo) {
        self.drafts.push(EventDraft {
            kind,
            object,
            created,
            request_id: request.request_id.clone(),
            idempotency_key: request.idempotency_key.clone(),
        });
    }

    pub fn event_mut(&mut self, id: &str) -> Option<&mut EventRecord> {
        self.events.iter_mut().find(|event| event.id == id)
    }

    /// An intent's JSON, with the listed properties expanded.
    pub fn render_intent(&self, intent: &PaymentIntent, expand: &[String]) -> Value {
        let wants = |path: &str| expand.iter().any(|e| e == path);
        let charge = intent
            .latest_charge
            .as_ref()
            .filter(|_| wants("latest_charge"))
            .and_then(|id| self.charges.get(id))
            .map(Charge::to_json);
        let payment_method = intent
            .payment_method
            .as_ref()
            .filter(|_| wants("payment_method"))
            .and_then(|id| self.payment_methods.get(id))
            .map(PaymentMethod::to_json);
        intent.to_json(charge, payment_method)
    }
}

/// What an event records about the API request that caused it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestInfo {
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
pub(crate) struct Store {
    /// By `account_id_for(secret key)`.
    pub accounts: HashMap<String, Account>,
}

impl Store {
    pub fn account_mut(&mut self, account_id: &str) -> &mut Account {
        self.accounts.entry(account_id.to_owned()).or_default()
    }
}
