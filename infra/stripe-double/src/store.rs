//! The double's in-memory state. Each secret key is its own platform account (as each Stripe
//! account has its own keys), so tests that use different keys never see each other's objects
//! or events, even against one shared double. A platform's connected accounts (Connect) live
//! inside it, each with its own objects, reached with the `Stripe-Account` header.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::accounts::{AccountLink, ConnectedAccount};
use crate::money::{ApplicationFee, BalanceTransaction, Payout};
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
    /// The connected account the event is about (`Stripe-Account`), `None` for the platform's
    /// own: it decides which endpoints receive the event.
    pub account: Option<String>,
    /// The exact bytes sent, so a resend is byte-for-byte the same event.
    pub payload: String,
    pub deliveries: Vec<Delivery>,
}

/// The objects of one Stripe account: a platform's own, or a connected account's.
#[derive(Default)]
pub(crate) struct Account {
    pub intents: HashMap<String, PaymentIntent>,
    pub charges: HashMap<String, Charge>,
    pub refunds: HashMap<String, Refund>,
    pub payment_methods: HashMap<String, PaymentMethod>,
    pub balance_transactions: HashMap<String, BalanceTransaction>,
    pub payouts: HashMap<String, Payout>,
    /// Events drafted by the request being handled (see `webhooks::publish`).
    pub drafts: Vec<EventDraft>,
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

    /// An intent's JSON, with the listed properties expanded (`latest_charge`,
    /// `latest_charge.balance_transaction`, `payment_method`).
    pub fn render_intent(&self, intent: &PaymentIntent, expand: &[String]) -> Value {
        let wants = |path: &str| expand.iter().any(|e| e == path);
        let with_transaction = wants("latest_charge.balance_transaction");
        let charge = intent
            .latest_charge
            .as_ref()
            .filter(|_| wants("latest_charge") || with_transaction)
            .and_then(|id| self.charges.get(id))
            .map(|charge| self.render_charge(charge, with_transaction));
        let payment_method = intent
            .payment_method
            .as_ref()
            .filter(|_| wants("payment_method"))
            .and_then(|id| self.payment_methods.get(id))
            .map(PaymentMethod::to_json);
        intent.to_json(charge, payment_method)
    }

    /// A charge's JSON, its balance transaction expanded or not.
    pub fn render_charge(&self, charge: &Charge, expand_transaction: bool) -> Value {
        let transaction = charge
            .balance_transaction
            .as_ref()
            .filter(|_| expand_transaction)
            .and_then(|id| self.balance_transactions.get(id))
            .map(BalanceTransaction::to_json);
        charge.to_json(transaction)
    }
}

/// A connected account: what Stripe knows about the business, and its own objects.
pub(crate) struct Connected {
    pub profile: ConnectedAccount,
    pub ledger: Account,
}

/// What a secret key reaches: the platform's own account, its connected accounts, and what
/// belongs to the platform as a whole (application fees, onboarding links, webhooks).
#[derive(Default)]
pub(crate) struct Platform {
    pub own: Account,
    /// By `acct_…`.
    pub connected: HashMap<String, Connected>,
    pub application_fees: HashMap<String, ApplicationFee>,
    /// By link id (the last segment of the onboarding page's URL).
    pub account_links: HashMap<String, AccountLink>,
    /// By (`Stripe-Account` or empty, key): Stripe scopes keys to the account acted on.
    pub idempotency: HashMap<(String, String), IdempotentResult>,
    pub endpoints: Vec<WebhookEndpoint>,
    /// The platform's and its connected accounts' events, in creation order.
    pub events: Vec<EventRecord>,
    /// Deliveries wait this long before their first attempt (`/_double/webhooks/delay`).
    pub webhook_delay: Duration,
    /// New deliveries are held until released (`/_double/webhooks/hold`).
    pub holding: bool,
    /// API requests made with the platform's key, by `{METHOD} {route}` (`… on account` with
    /// `Stripe-Account`): what `/_double/requests` reports, so that benchmarks count calls.
    pub requests: std::collections::BTreeMap<String, u64>,
}

/// The account a request acts on, and (for a connected account) the platform's parts a
/// direct charge touches.
pub(crate) struct Scope<'a> {
    pub account: &'a mut Account,
    pub connected: Option<ConnectedScope<'a>>,
}

pub(crate) struct ConnectedScope<'a> {
    pub profile: &'a mut ConnectedAccount,
    /// The platform's own account, where application fees are booked.
    pub platform: &'a mut Account,
    pub application_fees: &'a mut HashMap<String, ApplicationFee>,
}

impl Platform {
    /// The account a `Stripe-Account` header names (`None`: the platform's own).
    pub fn scope(&mut self, account: Option<&str>) -> Option<Scope<'_>> {
        let Platform {
            own,
            connected,
            application_fees,
            ..
        } = self;
        match account {
            None => Some(Scope {
                account: own,
                connected: None,
            }),
            Some(id) => {
                let connected = connected.get_mut(id)?;
                Some(Scope {
                    account: &mut connected.ledger,
                    connected: Some(ConnectedScope {
                        profile: &mut connected.profile,
                        platform: own,
                        application_fees,
                    }),
                })
            }
        }
    }

    pub fn ledger(&self, account: Option<&str>) -> Option<&Account> {
        match account {
            None => Some(&self.own),
            Some(id) => self.connected.get(id).map(|connected| &connected.ledger),
        }
    }

    pub fn event_mut(&mut self, id: &str) -> Option<&mut EventRecord> {
        self.events.iter_mut().find(|event| event.id == id)
    }

    /// Forgets the events a refused request drafted: it had no effects.
    pub fn discard_drafts(&mut self) {
        self.own.drafts.clear();
        for connected in self.connected.values_mut() {
            connected.ledger.drafts.clear();
        }
    }

    /// Whether this connected account is one of the platform's.
    pub fn owns(&self, account_id: &str) -> bool {
        self.connected.contains_key(account_id)
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
    pub platforms: HashMap<String, Platform>,
}

impl Store {
    pub fn platform_mut(&mut self, platform_id: &str) -> &mut Platform {
        self.platforms.entry(platform_id.to_owned()).or_default()
    }

    /// The platform a connected account belongs to.
    pub fn owner_of(&self, account_id: &str) -> Option<String> {
        self.platforms
            .iter()
            .find(|(_, platform)| platform.owns(account_id))
            .map(|(platform_id, _)| platform_id.clone())
    }
}
