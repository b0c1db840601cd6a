//! The Stripe objects the double keeps, and their JSON as Stripe renders it (every field a
//! client may require is present; the ones the double does not model are `null`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::cards::Outcome;
use crate::errors::ErrorObject;

/// A PaymentIntent's `status`. The double never needs `requires_action`, `processing` or
/// `requires_capture` (no 3-D Secure, no manual capture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    Succeeded,
    Canceled,
}

impl IntentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresConfirmation => "requires_confirmation",
            Self::Succeeded => "succeeded",
            Self::Canceled => "canceled",
        }
    }

    pub fn confirmable(self) -> bool {
        matches!(
            self,
            Self::RequiresPaymentMethod | Self::RequiresConfirmation
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PaymentIntent {
    pub id: String,
    pub client_secret: String,
    pub amount: i64,
    pub currency: String,
    pub created: i64,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    /// Only on a connected account (a direct charge): the platform's cut.
    pub application_fee_amount: Option<i64>,
    pub metadata: BTreeMap<String, String>,
    /// `Some(allow_redirects)` when automatic payment methods are on.
    pub automatic_payment_methods: Option<String>,
    pub payment_method_types: Vec<String>,
    /// `payment_method_options[card][moto]` as sent (a card keyed in by staff).
    pub moto: Option<bool>,
    pub status: IntentStatus,
    pub payment_method: Option<String>,
    pub latest_charge: Option<String>,
    pub last_payment_error: Option<ErrorObject>,
    pub amount_received: i64,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
}

impl PaymentIntent {
    /// The intent's JSON; `latest_charge` and `payment_method` are ids unless expanded objects
    /// are given.
    pub fn to_json(&self, latest_charge: Option<Value>, payment_method: Option<Value>) -> Value {
        json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": 0,
            "amount_details": null,
            "amount_received": self.amount_received,
            "application": null,
            "application_fee_amount": self.application_fee_amount,
            "automatic_payment_methods": self.automatic_payment_methods.as_ref().map(|allow| json!({
                "allow_redirects": allow,
                "enabled": true,
            })),
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": "automatic_async",
            "client_secret": self.client_secret,
            "confirmation_method": "automatic",
            "created": self.created,
            "currency": self.currency,
            "customer": null,
            "description": self.description,
            "last_payment_error": self.last_payment_error,
            "latest_charge": latest_charge.or_else(|| self.latest_charge.clone().map(Value::String)),
            "livemode": false,
            "metadata": self.metadata,
            "next_action": null,
            "on_behalf_of": null,
            "payment_method": payment_method.or_else(|| self.payment_method.clone().map(Value::String)),
            "payment_method_configuration_details": null,
            "payment_method_options": match self.moto {
                Some(moto) => json!({ "card": { "moto": moto } }),
                None => json!({}),
            },
            "payment_method_types": self.payment_method_types,
            "processing": null,
            "receipt_email": self.receipt_email,
            "review": null,
            "setup_future_usage": null,
            "shipping": null,
            "source": null,
            "statement_descriptor": null,
            "statement_descriptor_suffix": self.statement_descriptor_suffix,
            "status": self.status.as_str(),
            "transfer_data": null,
            "transfer_group": null,
        })
    }
}

/// The card of a payment method: what Stripe keeps of a card number.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub brand: String,
    pub last4: String,
    pub funding: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

impl Card {
    fn to_json(&self) -> Value {
        json!({
            "brand": self.brand,
            "checks": {
                "address_line1_check": null,
                "address_postal_code_check": null,
                "cvc_check": "pass",
            },
            "country": "US",
            "display_brand": self.brand,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "fingerprint": format!("dbl{}{}", self.brand, self.last4),
            "funding": self.funding,
            "last4": self.last4,
            "wallet": null,
        })
    }
}

fn empty_billing_details() -> Value {
    json!({
        "address": {
            "city": null, "country": null, "line1": null, "line2": null,
            "postal_code": null, "state": null,
        },
        "email": null,
        "name": null,
        "phone": null,
        "tax_id": null,
    })
}

#[derive(Debug, Clone)]
pub(crate) struct PaymentMethod {
    pub id: String,
    pub created: i64,
    pub card: Card,
    /// What charging this card does (test mode decides by card number).
    pub outcome: Outcome,
}

impl PaymentMethod {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": empty_billing_details(),
            "card": self.card.to_json(),
            "created": self.created,
            "customer": null,
            "livemode": false,
            "metadata": {},
            "type": "card",
        })
    }
}

/// Why a charge failed: the decline's code, decline code and message.
#[derive(Debug, Clone)]
pub(crate) struct ChargeFailure {
    pub code: String,
    pub decline_code: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Charge {
    pub id: String,
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub created: i64,
    pub payment_intent: String,
    pub payment_method: String,
    pub card: Card,
    pub failure: Option<ChargeFailure>,
    pub metadata: BTreeMap<String, String>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    /// `fee_…` on the platform, for a direct charge with an application fee.
    pub application_fee: Option<String>,
    pub application_fee_amount: Option<i64>,
    /// `txn_…`, once the charge succeeded.
    pub balance_transaction: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    /// What the card statement shows: the account's descriptor, or its prefix, `* ` and the
    /// suffix.
    pub calculated_statement_descriptor: String,
}

impl Charge {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }

    pub fn refundable(&self) -> i64 {
        if self.succeeded() {
            self.amount - self.amount_refunded
        } else {
            0
        }
    }

    /// The charge's JSON; `balance_transaction` is an id unless the expanded object is given.
    pub fn to_json(&self, balance_transaction: Option<Value>) -> Value {
        let succeeded = self.succeeded();
        let outcome = match &self.failure {
            None => json!({
                "network_status": "approved_by_network",
                "reason": null,
                "risk_level": "normal",
                "seller_message": "Payment complete.",
                "type": "authorized",
            }),
            Some(failure) => json!({
                "network_status": "declined_by_network",
                "reason": failure.decline_code,
                "risk_level": "normal",
                "seller_message": "The bank did not return any further details with this decline.",
                "type": "issuer_declined",
            }),
        };
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": if succeeded { self.amount } else { 0 },
            "amount_refunded": self.amount_refunded,
            "application": null,
            "application_fee": self.application_fee,
            "application_fee_amount": self.application_fee_amount,
            "balance_transaction": balance_transaction
                .or_else(|| self.balance_transaction.clone().map(Value::String)),
            "billing_details": empty_billing_details(),
            "calculated_statement_descriptor": self.calculated_statement_descriptor,
            "captured": succeeded,
            "created": self.created,
            "currency": self.currency,
            "customer": null,
            "description": self.description,
            "disputed": false,
            "failure_balance_transaction": null,
            "failure_code": self.failure.as_ref().map(|f| f.code.clone()),
            "failure_message": self.failure.as_ref().map(|f| f.message.clone()),
            "fraud_details": {},
            "livemode": false,
            "metadata": self.metadata,
            "on_behalf_of": null,
            "outcome": outcome,
            "paid": succeeded,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "payment_method_details": {
                "card": self.card.to_json(),
                "type": "card",
            },
            "receipt_email": self.receipt_email,
            "receipt_url": null,
            "refunded": succeeded && self.amount_refunded == self.amount,
            "review": null,
            "shipping": null,
            "source_transfer": null,
            "statement_descriptor": null,
            "statement_descriptor_suffix": self.statement_descriptor_suffix,
            "status": if succeeded { "succeeded" } else { "failed" },
            "transfer_data": null,
            "transfer_group": null,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub id: String,
    pub amount: i64,
    pub charge: String,
    pub payment_intent: String,
    pub currency: String,
    pub created: i64,
    pub reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub balance_transaction: String,
}

impl Refund {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": self.balance_transaction,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "destination_details": null,
            "metadata": self.metadata,
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": "succeeded",
            "transfer_reversal": null,
        })
    }
}

/// An endpoint registered with `POST /v1/webhook_endpoints`: the platform's events go to it
/// (or, with `connect=true`, its connected accounts' events), signed with its own secret.
#[derive(Clone)]
pub(crate) struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    /// `connect=true`: receives the connected accounts' events, and only those.
    pub connect: bool,
}

impl WebhookEndpoint {
    pub fn wants(&self, event_type: &str, from_connected_account: bool) -> bool {
        self.connect == from_connected_account
            && self
                .enabled_events
                .iter()
                .any(|enabled| enabled == "*" || enabled == event_type)
    }

    /// Stripe shows the secret only in the response that creates the endpoint.
    pub fn to_json(&self, with_secret: bool, api_version: &str) -> Value {
        let mut value = json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": api_version,
            "application": null,
            "created": self.created,
            "description": self.description,
            "enabled_events": self.enabled_events,
            "livemode": false,
            "metadata": self.metadata,
            "status": "enabled",
            "url": self.url,
        });
        if with_secret && let Some(object) = value.as_object_mut() {
            object.insert("secret".into(), Value::String(self.secret.clone()));
        }
        value
    }
}
