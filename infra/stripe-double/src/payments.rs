//! What each endpoint does to an account: PaymentIntents (create, retrieve, confirm, cancel),
//! charges, refunds and webhook endpoints, with Stripe's validation and error wording. On a
//! connected account (a direct charge) a successful charge also books the platform's
//! application fee, and a refund can return part of it.
//!
//! Every operation runs under the store's lock and returns either a [`Reply`] (which may be an
//! error Stripe records, such as a card decline, and which an idempotent retry gets again) or
//! an [`ApiError`] for a request Stripe refuses before doing anything (never recorded).

use serde_json::{Value, json};

use crate::accounts::check_descriptor_characters;
use crate::cards::{self, Decline, Outcome};
use crate::errors::ApiError;
use crate::form::Params;
use crate::ids::{new_id, random_alphanumeric};
use crate::money::{
    self, ApplicationFee, BalanceTransaction, FeeDetail, FeeRefund, fee_refund_share, stripe_fee,
};
use crate::objects::{
    Card, Charge, ChargeFailure, IntentStatus, PaymentIntent, PaymentMethod, Refund,
    WebhookEndpoint,
};
use crate::store::{Account, Platform, Reply, RequestInfo, Scope};

/// The request-independent facts an operation needs.
pub(crate) struct Ctx {
    /// Unix seconds.
    pub now: i64,
    pub request: RequestInfo,
    pub api_version: String,
    /// The platform's account id (`acct_…` of its secret key).
    pub platform_id: String,
}

impl Ctx {
    /// For a test control or the onboarding page: now, no idempotency key.
    pub fn control(app: &crate::App, request_id: String, platform_id: &str) -> Self {
        Self {
            now: crate::signature::unix_now(),
            request: RequestInfo {
                request_id: Some(request_id),
                idempotency_key: None,
            },
            api_version: app.config.api_version.clone(),
            platform_id: platform_id.to_owned(),
        }
    }
}

const INTENT_EXPANDABLE: &[&str] = &[
    "latest_charge",
    "latest_charge.balance_transaction",
    "payment_method",
];

/// What card statements show for the platform's own charges.
const PLATFORM_DESCRIPTOR: &str = "MARQUEE";

/// Largest amount Stripe accepts (eight digits).
const MAX_AMOUNT: i64 = 99_999_999;

pub(crate) fn create_intent(
    scope: &mut Scope,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let amount = params.take_integer("amount")?;
    let application_fee_amount = params.take_integer("application_fee_amount")?;
    let currency = params.take_text("currency")?;
    let metadata = params.take_metadata()?.unwrap_or_default();
    let description = params.take_optional_text("description")?;
    let receipt_email = params.take_optional_text("receipt_email")?;
    let statement_descriptor_suffix = params.take_optional_text("statement_descriptor_suffix")?;
    let automatic = match params.take_hash("automatic_payment_methods")? {
        Some(mut hash) => {
            let enabled = hash.take_bool("enabled")?;
            let allow_redirects = hash.take_optional_text("allow_redirects")?;
            hash.finish()?;
            Some((enabled, allow_redirects))
        }
        None => None,
    };
    let payment_method_types = params.take_string_list("payment_method_types")?;
    // Only the card's mail/telephone-order flag: what a box office keying in a card sends.
    let moto = match params.take_hash("payment_method_options")? {
        Some(mut options) => {
            let moto = match options.take_hash("card")? {
                Some(mut card) => {
                    let moto = card.take_bool("moto")?;
                    card.finish()?;
                    moto
                }
                None => None,
            };
            options.finish()?;
            moto
        }
        None => None,
    };
    let payment_method = params.take_optional_text("payment_method")?;
    let confirm = params.take_bool("confirm")?.unwrap_or(false);
    let capture_method = params.take_optional_text("capture_method")?;
    // Only used for redirect-based methods, which the double does not have.
    params.take_optional_text("return_url")?;
    let expand = take_expand(&mut params, INTENT_EXPANDABLE)?;
    params.finish()?;

    let amount = amount.ok_or_else(|| ApiError::missing("amount"))?;
    let currency = parse_currency(currency.ok_or_else(|| ApiError::missing("currency"))?)?;
    check_amount(amount, &currency)?;
    if let Some(fee) = application_fee_amount {
        check_application_fee(fee, amount, scope.connected.is_some())?;
    }
    if let Some(suffix) = &statement_descriptor_suffix {
        check_descriptor_suffix(suffix)?;
    }
    if let Some(email) = &receipt_email {
        check_email(email, "receipt_email")?;
    }
    match capture_method.as_deref() {
        None | Some("automatic" | "automatic_async") => {}
        Some("manual") => {
            return Err(ApiError::invalid_request(
                "The Stripe double does not support capture_method=manual.",
            )
            .param("capture_method"));
        }
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "Invalid capture_method: must be one of automatic, automatic_async, or manual \
                 (got {other})."
            ))
            .param("capture_method"));
        }
    }
    if automatic.is_some() && payment_method_types.is_some() {
        return Err(ApiError::invalid_request(
            "You may only specify one of these parameters: automatic_payment_methods, \
             payment_method_types.",
        )
        .code("parameters_exclusive")
        .param("automatic_payment_methods"));
    }
    let automatic_payment_methods = match (&automatic, &payment_method_types) {
        (_, Some(_)) => None,
        (None, None) => Some("always".to_owned()),
        (Some((None, _)), None) => {
            return Err(ApiError::missing("automatic_payment_methods[enabled]"));
        }
        (Some((Some(false), _)), None) => None,
        (Some((Some(true), allow)), None) => match allow.as_deref() {
            None | Some("always") => Some("always".to_owned()),
            Some("never") => Some("never".to_owned()),
            Some(other) => {
                return Err(ApiError::invalid_request(format!(
                    "Invalid automatic_payment_methods[allow_redirects]: must be one of always \
                     or never (got {other})."
                ))
                .param("automatic_payment_methods[allow_redirects]"));
            }
        },
    };
    let payment_method_types = payment_method_types.unwrap_or_else(|| vec!["card".to_owned()]);
    if payment_method_types.is_empty() || payment_method_types.iter().any(|t| t != "card") {
        return Err(ApiError::invalid_request(
            "The Stripe double supports only the `card` payment method type.",
        )
        .param("payment_method_types"));
    }
    if confirm {
        check_charges_enabled(scope)?;
    }
    let account = &mut *scope.account;
    let payment_method = payment_method
        .map(|value| resolve_payment_method(account, &value, ctx.now))
        .transpose()?;
    if confirm && payment_method.is_none() {
        return Err(missing_payment_method());
    }

    let id = new_id("pi");
    let intent = PaymentIntent {
        client_secret: format!("{id}_secret_{}", random_alphanumeric(25)),
        id: id.clone(),
        amount,
        currency,
        created: ctx.now,
        description,
        receipt_email,
        statement_descriptor_suffix,
        application_fee_amount,
        metadata,
        automatic_payment_methods,
        payment_method_types,
        moto,
        status: if payment_method.is_some() {
            IntentStatus::RequiresConfirmation
        } else {
            IntentStatus::RequiresPaymentMethod
        },
        payment_method: payment_method.clone(),
        latest_charge: None,
        last_payment_error: None,
        amount_received: 0,
        canceled_at: None,
        cancellation_reason: None,
    };
    account.intents.insert(id.clone(), intent);
    match payment_method {
        Some(payment_method) if confirm => {
            Ok(charge_intent(scope, &id, &payment_method, &expand, ctx))
        }
        _ => render_intent(scope.account, &id, &expand),
    }
}

pub(crate) fn retrieve_intent(
    account: &Account,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    let client_secret = params.take_optional_text("client_secret")?;
    let expand = take_expand(&mut params, INTENT_EXPANDABLE)?;
    params.finish()?;
    let intent = find_intent(account, id)?;
    if client_secret.is_some_and(|secret| secret != intent.client_secret) {
        return Err(client_secret_mismatch());
    }
    render_intent(account, id, &expand)
}

/// `GET /v1/payment_intents`: newest first, `created` (exact or bounds), `limit` (1–100,
/// default 10), `starting_after` (an id from the previous page), `expand[]=data.…`; the page
/// says `has_more`.
pub(crate) fn list_intents(account: &Account, mut params: Params) -> Result<Reply, ApiError> {
    let created = params.take_range("created")?.unwrap_or_default();
    let limit = params.take_integer("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_request(format!(
            "Invalid limit: must be between 1 and 100 (got {limit})."
        ))
        .param("limit"));
    }
    let starting_after = params.take_optional_text("starting_after")?;
    let expand: Vec<String> = params
        .take_string_list("expand")?
        .unwrap_or_default()
        .into_iter()
        .map(|path| match path.strip_prefix("data.") {
            Some(inner) if INTENT_EXPANDABLE.contains(&inner) => Ok(inner.to_owned()),
            _ => Err(ApiError::invalid_request(format!(
                "This property cannot be expanded ({path})."
            ))
            .param("expand")),
        })
        .collect::<Result<_, _>>()?;
    params.finish()?;

    let mut intents: Vec<&PaymentIntent> = account
        .intents
        .values()
        .filter(|intent| created.contains(intent.created))
        .collect();
    // Newest first; the id breaks ties within a second, so pages never overlap.
    intents.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
    let start = match &starting_after {
        Some(cursor) => {
            let position = intents
                .iter()
                .position(|intent| intent.id == *cursor)
                .ok_or_else(|| {
                    ApiError::no_such("payment_intent", cursor, "starting_after", false)
                })?;
            position + 1
        }
        None => 0,
    };
    let limit = usize::try_from(limit).unwrap_or(10);
    let page: Vec<Value> = intents
        .iter()
        .skip(start)
        .take(limit)
        .map(|intent| account.render_intent(intent, &expand))
        .collect();
    let has_more = intents.len() > start + page.len();
    Ok(Reply::ok(json!({
        "object": "list",
        "url": "/v1/payment_intents",
        "has_more": has_more,
        "data": page,
    })))
}

pub(crate) fn confirm_intent(
    scope: &mut Scope,
    id: &str,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let payment_method = params.take_optional_text("payment_method")?;
    let receipt_email = params.take_optional_text("receipt_email")?;
    params.take_optional_text("return_url")?;
    // Stripe.js sends it; it changes nothing here.
    params.take_bool("use_stripe_sdk")?;
    let expand = take_expand(&mut params, INTENT_EXPANDABLE)?;
    params.finish()?;

    let intent = find_intent(scope.account, id)?;
    check_confirmable(intent)?;
    let attached = intent.payment_method.clone();
    check_charges_enabled(scope)?;
    let account = &mut *scope.account;
    if let Some(email) = &receipt_email {
        check_email(email, "receipt_email")?;
    }
    let payment_method = match payment_method {
        Some(value) => resolve_payment_method(account, &value, ctx.now)?,
        None => attached.ok_or_else(missing_payment_method)?,
    };
    if let Some(intent) = account.intents.get_mut(id)
        && receipt_email.is_some()
    {
        intent.receipt_email = receipt_email;
    }
    Ok(charge_intent(scope, id, &payment_method, &expand, ctx))
}

pub(crate) fn cancel_intent(
    account: &mut Account,
    id: &str,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let reason = params.take_optional_text("cancellation_reason")?;
    let expand = take_expand(&mut params, INTENT_EXPANDABLE)?;
    params.finish()?;
    if let Some(reason) = &reason
        && ![
            "duplicate",
            "fraudulent",
            "requested_by_customer",
            "abandoned",
        ]
        .contains(&reason.as_str())
    {
        return Err(ApiError::invalid_request(
            "Invalid cancellation_reason: must be one of duplicate, fraudulent, \
             requested_by_customer, or abandoned",
        )
        .param("cancellation_reason"));
    }
    let intent = find_intent_mut(account, id)?;
    if matches!(
        intent.status,
        IntentStatus::Succeeded | IntentStatus::Canceled
    ) {
        return Err(ApiError::invalid_request(format!(
            "You cannot cancel this PaymentIntent because it has a status of {}. Only a \
             PaymentIntent with one of the following statuses may be canceled: \
             requires_payment_method, requires_capture, requires_confirmation, requires_action, \
             processing.",
            intent.status.as_str()
        ))
        .code("payment_intent_unexpected_state"));
    }
    intent.status = IntentStatus::Canceled;
    intent.canceled_at = Some(ctx.now);
    intent.cancellation_reason = reason;
    let event_object = intent.to_json(None, None);
    account.emit(
        "payment_intent.canceled",
        event_object,
        ctx.now,
        &ctx.request,
    );
    render_intent(account, id, &expand)
}

/// The card a patron typed into the local card form.
pub(crate) struct TypedCard {
    /// Digits only.
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub cvc: String,
}

/// What confirming with a card typed into the browser does: Stripe.js would turn the card
/// into a payment method and confirm the intent with it.
pub(crate) fn pay_with_card(
    scope: &mut Scope,
    id: &str,
    card: &TypedCard,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    check_confirmable(find_intent(scope.account, id)?)?;
    check_charges_enabled(scope)?;
    if !cards::luhn_valid(&card.number) {
        return Err(
            ApiError::card_error("incorrect_number", "Your card number is incorrect.")
                .param("number"),
        );
    }
    if !(1..=12).contains(&card.exp_month) {
        return Err(ApiError::card_error(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
        )
        .param("exp_month"));
    }
    let (year, month) = year_month(ctx.now);
    if card.exp_year < year || (card.exp_year == year && card.exp_month < month) {
        return Err(ApiError::card_error(
            "invalid_expiry_year",
            "Your card's expiration year is invalid.",
        )
        .param("exp_year"));
    }
    let test_card = cards::by_number(&card.number);
    let brand = test_card.map_or_else(|| brand_of(&card.number), |c| c.brand);
    let cvc_len = if brand == "amex" { 4 } else { 3 };
    if card.cvc.len() != cvc_len || !card.cvc.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            ApiError::card_error("invalid_cvc", "Your card's security code is invalid.")
                .param("cvc"),
        );
    }
    let outcome = match test_card {
        Some(test_card) => test_card.outcome,
        // Stripe's test mode declines every real card number.
        None => Outcome::Decline(Decline {
            code: "card_declined",
            decline_code: "test_mode_live_card",
            message: "Your card was declined. Your request was in test mode, but used a non \
                      test (live) card. For a list of valid test cards, visit: \
                      https://stripe.com/docs/testing.",
        }),
    };
    let payment_method = PaymentMethod {
        id: new_id("pm"),
        created: ctx.now,
        card: Card {
            brand: brand.to_owned(),
            last4: card.number[card.number.len().saturating_sub(4)..].to_owned(),
            funding: test_card.map_or("credit", |c| c.funding).to_owned(),
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        },
        outcome,
    };
    let payment_method_id = payment_method.id.clone();
    scope
        .account
        .payment_methods
        .insert(payment_method_id.clone(), payment_method);
    Ok(charge_intent(scope, id, &payment_method_id, &[], ctx))
}

pub(crate) fn retrieve_charge(
    account: &Account,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    let expand = take_expand(&mut params, &["balance_transaction"])?;
    params.finish()?;
    let charge = account
        .charges
        .get(id)
        .ok_or_else(|| ApiError::no_such("charge", id, "id", true))?;
    Ok(Reply::ok(account.render_charge(charge, !expand.is_empty())))
}

pub(crate) fn create_refund(
    scope: &mut Scope,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let payment_intent = params.take_optional_text("payment_intent")?;
    let charge = params.take_optional_text("charge")?;
    let amount = params.take_integer("amount")?;
    let reason = params.take_optional_text("reason")?;
    let refund_application_fee = params.take_bool("refund_application_fee")?;
    let metadata = params.take_metadata()?.unwrap_or_default();
    take_expand(&mut params, &[])?;
    params.finish()?;
    if refund_application_fee.is_some() && scope.connected.is_none() {
        return Err(ApiError::invalid_request(
            "refund_application_fee can only be used when refunding a charge made on behalf of              a connected account (with the Stripe-Account header) that has an application fee.",
        )
        .param("refund_application_fee"));
    }
    let account = &mut *scope.account;

    let charge_id = match (&payment_intent, &charge) {
        (None, None) => {
            return Err(ApiError::invalid_request(
                "One of the following params should be provided for this request: \
                 payment_intent or charge.",
            ));
        }
        (Some(intent_id), charge) => {
            let intent = account.intents.get(intent_id).ok_or_else(|| {
                ApiError::no_such("payment_intent", intent_id, "payment_intent", false)
            })?;
            let latest = intent
                .latest_charge
                .clone()
                .filter(|_| intent.status == IntentStatus::Succeeded)
                .ok_or_else(|| {
                    ApiError::invalid_request(format!(
                        "This PaymentIntent ({intent_id}) does not have a successful charge to \
                         refund."
                    ))
                    .param("payment_intent")
                })?;
            if charge.as_ref().is_some_and(|charge| *charge != latest) {
                return Err(ApiError::invalid_request(
                    "The charge and payment_intent parameters refer to different payments.",
                )
                .param("charge"));
            }
            latest
        }
        (None, Some(charge_id)) => charge_id.clone(),
    };
    if let Some(reason) = &reason
        && !["duplicate", "fraudulent", "requested_by_customer"].contains(&reason.as_str())
    {
        return Err(ApiError::invalid_request(
            "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
        )
        .param("reason"));
    }
    let charge = account
        .charges
        .get_mut(&charge_id)
        .ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge", false))?;
    if !charge.succeeded() {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} failed, so there is nothing to refund."
        ))
        .code("charge_not_refundable"));
    }
    let refundable = charge.refundable();
    if refundable == 0 {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} has already been refunded."
        ))
        .code("charge_already_refunded"));
    }
    let amount = match amount {
        None => refundable,
        Some(amount) if amount < 1 => {
            return Err(ApiError::invalid_request(
                "Invalid positive integer: amount must be at least 1.",
            )
            .code("parameter_invalid_integer")
            .param("amount"));
        }
        Some(amount) if amount > refundable => {
            return Err(ApiError::invalid_request(format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                format_money(amount, &charge.currency),
                format_money(refundable, &charge.currency)
            ))
            .code("amount_too_large")
            .param("amount"));
        }
        Some(amount) => amount,
    };
    charge.amount_refunded += amount;
    let refund_id = new_id("re");
    let mut transaction =
        BalanceTransaction::new("refund", -amount, &charge.currency, &refund_id, ctx.now);
    let fee_refund = match (&mut scope.connected, &charge.application_fee) {
        (Some(connected), Some(fee_id)) if refund_application_fee == Some(true) => {
            let fully_refunded = charge.refundable() == 0;
            let charge_amount = charge.amount;
            connected
                .application_fees
                .get_mut(fee_id)
                .map(|fee| {
                    let share = fee_refund_share(
                        fee.amount,
                        fee.amount - fee.amount_refunded,
                        amount,
                        charge_amount,
                        fully_refunded,
                    );
                    refund_fee(fee, connected.platform, share, ctx)
                })
                .unwrap_or(0)
        }
        _ => 0,
    };
    if fee_refund > 0 {
        // The connected account gets the refunded part of the application fee back.
        transaction.fee_details.push(FeeDetail {
            amount: -fee_refund,
            kind: "application_fee",
            description: "Application fee refund".to_owned(),
            application: Some(money::application_id(&ctx.platform_id)),
        });
    }
    let refund = Refund {
        id: refund_id,
        amount,
        charge: charge_id.clone(),
        payment_intent: charge.payment_intent.clone(),
        currency: charge.currency.clone(),
        created: ctx.now,
        reason,
        metadata,
        balance_transaction: transaction.id.clone(),
    };
    let charge_json = charge.to_json(None);
    let refund_json = refund.to_json();
    account
        .balance_transactions
        .insert(transaction.id.clone(), transaction);
    account.refunds.insert(refund.id.clone(), refund);
    account.emit("refund.created", refund_json.clone(), ctx.now, &ctx.request);
    account.emit("charge.refunded", charge_json, ctx.now, &ctx.request);
    Ok(Reply::ok(refund_json))
}

/// Returns `share` of the application fee to the connected account: a `fee_refund` on the fee,
/// booked against the platform's balance, and `application_fee.refunded` for the platform.
fn refund_fee(fee: &mut ApplicationFee, platform: &mut Account, share: i64, ctx: &Ctx) -> i64 {
    if share <= 0 {
        return 0;
    }
    let id = new_id("fr");
    let transaction = BalanceTransaction::new(
        "application_fee_refund",
        -share,
        &fee.currency,
        &id,
        ctx.now,
    );
    fee.refunds.push(FeeRefund {
        id,
        amount: share,
        currency: fee.currency.clone(),
        created: ctx.now,
        fee: fee.id.clone(),
        balance_transaction: transaction.id.clone(),
    });
    fee.amount_refunded += share;
    platform
        .balance_transactions
        .insert(transaction.id.clone(), transaction);
    platform.emit(
        "application_fee.refunded",
        fee.to_json(),
        ctx.now,
        &ctx.request,
    );
    share
}

pub(crate) fn retrieve_refund(
    account: &Account,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    take_expand(&mut params, &[])?;
    params.finish()?;
    let refund = account
        .refunds
        .get(id)
        .ok_or_else(|| ApiError::no_such("refund", id, "id", true))?;
    Ok(Reply::ok(refund.to_json()))
}

pub(crate) fn create_webhook_endpoint(
    platform: &mut Platform,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let url = params.take_optional_text("url")?;
    let connect = params.take_bool("connect")?.unwrap_or(false);
    let enabled_events = params.take_string_list("enabled_events")?;
    let description = params.take_optional_text("description")?;
    let metadata = params.take_metadata()?.unwrap_or_default();
    // Events are always rendered in the double's one API version.
    params.take_optional_text("api_version")?;
    params.finish()?;
    let url = url.ok_or_else(|| ApiError::missing("url"))?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ApiError::invalid_request(format!("Invalid URL: {url}")).param("url"));
    }
    let enabled_events = enabled_events
        .filter(|events| !events.is_empty())
        .ok_or_else(|| ApiError::missing("enabled_events"))?;
    let endpoint = WebhookEndpoint {
        id: new_id("we"),
        url,
        secret: format!("whsec_{}", random_alphanumeric(32)),
        enabled_events,
        description,
        metadata,
        created: ctx.now,
        connect,
    };
    let body = endpoint.to_json(true, &ctx.api_version);
    platform.endpoints.push(endpoint);
    Ok(Reply::ok(body))
}

pub(crate) fn delete_webhook_endpoint(
    platform: &mut Platform,
    id: &str,
    params: Params,
) -> Result<Reply, ApiError> {
    params.finish()?;
    let before = platform.endpoints.len();
    platform.endpoints.retain(|endpoint| endpoint.id != id);
    if platform.endpoints.len() == before {
        return Err(ApiError::no_such("webhook_endpoint", id, "id", true));
    }
    Ok(Reply::ok(
        json!({ "id": id, "object": "webhook_endpoint", "deleted": true }),
    ))
}

/// Charges the intent's amount to the payment method and records the outcome on the intent:
/// `succeeded` (with a balance transaction, and on a connected account the platform's
/// application fee), or a decline (402, with `last_payment_error` set and the intent back to
/// `requires_payment_method`, as Stripe does).
fn charge_intent(
    scope: &mut Scope,
    intent_id: &str,
    payment_method_id: &str,
    expand: &[String],
    ctx: &Ctx,
) -> Reply {
    let descriptor = match &scope.connected {
        Some(connected) => connected.profile.descriptor(),
        None => Some(PLATFORM_DESCRIPTOR.to_owned()),
    };
    let account = &mut *scope.account;
    let Some(payment_method) = account.payment_methods.get(payment_method_id).cloned() else {
        return error_reply(ApiError::no_such(
            "PaymentMethod",
            payment_method_id,
            "payment_method",
            false,
        ));
    };
    let Some(intent) = account.intents.get_mut(intent_id) else {
        return error_reply(ApiError::no_such(
            "payment_intent",
            intent_id,
            "intent",
            true,
        ));
    };
    let charge_id = new_id("ch");
    let failure = match payment_method.outcome {
        Outcome::Approve => None,
        Outcome::Decline(decline) => Some(decline),
    };
    let mut charge = Charge {
        id: charge_id.clone(),
        amount: intent.amount,
        amount_refunded: 0,
        currency: intent.currency.clone(),
        created: ctx.now,
        payment_intent: intent.id.clone(),
        payment_method: payment_method.id.clone(),
        card: payment_method.card.clone(),
        failure: failure.map(|decline| ChargeFailure {
            code: decline.code.to_owned(),
            decline_code: decline.decline_code.to_owned(),
            message: decline.message.to_owned(),
        }),
        metadata: intent.metadata.clone(),
        description: intent.description.clone(),
        receipt_email: intent.receipt_email.clone(),
        application_fee: None,
        application_fee_amount: None,
        balance_transaction: None,
        statement_descriptor_suffix: intent.statement_descriptor_suffix.clone(),
        calculated_statement_descriptor: calculated_descriptor(
            descriptor.as_deref().unwrap_or(PLATFORM_DESCRIPTOR),
            intent.statement_descriptor_suffix.as_deref(),
        ),
    };
    intent.latest_charge = Some(charge_id.clone());
    match failure {
        None => {
            intent.status = IntentStatus::Succeeded;
            intent.amount_received = intent.amount;
            intent.payment_method = Some(payment_method.id.clone());
            intent.last_payment_error = None;
            let fee_amount = intent.application_fee_amount.filter(|fee| *fee > 0);
            let intent_json = intent.to_json(None, None);
            let mut transaction = BalanceTransaction::new(
                "charge",
                charge.amount,
                &charge.currency,
                &charge_id,
                ctx.now,
            );
            transaction.description = charge.description.clone();
            transaction.fee_details.push(FeeDetail {
                amount: stripe_fee(charge.amount),
                kind: "stripe_fee",
                description: "Stripe processing fees".to_owned(),
                application: None,
            });
            if let (Some(connected), Some(fee_amount)) = (&mut scope.connected, fee_amount) {
                let application = money::application_id(&ctx.platform_id);
                transaction.fee_details.push(FeeDetail {
                    amount: fee_amount,
                    kind: "application_fee",
                    description: "Application fee".to_owned(),
                    application: Some(application.clone()),
                });
                let fee_id = new_id("fee");
                let fee_transaction = BalanceTransaction::new(
                    "application_fee",
                    fee_amount,
                    &charge.currency,
                    &fee_id,
                    ctx.now,
                );
                let fee = ApplicationFee {
                    id: fee_id.clone(),
                    account: connected.profile.id.clone(),
                    application,
                    amount: fee_amount,
                    amount_refunded: 0,
                    charge: charge_id.clone(),
                    currency: charge.currency.clone(),
                    created: ctx.now,
                    balance_transaction: fee_transaction.id.clone(),
                    refunds: Vec::new(),
                };
                connected.platform.emit(
                    "application_fee.created",
                    fee.to_json(),
                    ctx.now,
                    &ctx.request,
                );
                connected
                    .platform
                    .balance_transactions
                    .insert(fee_transaction.id.clone(), fee_transaction);
                connected.application_fees.insert(fee_id.clone(), fee);
                charge.application_fee = Some(fee_id);
                charge.application_fee_amount = Some(fee_amount);
            }
            charge.balance_transaction = Some(transaction.id.clone());
            // The platform's own charges keep the event set the double always sent.
            if scope.connected.is_some() {
                account.emit(
                    "charge.succeeded",
                    charge.to_json(None),
                    ctx.now,
                    &ctx.request,
                );
            }
            account
                .balance_transactions
                .insert(transaction.id.clone(), transaction);
            account.charges.insert(charge_id, charge);
            account.emit(
                "payment_intent.succeeded",
                intent_json,
                ctx.now,
                &ctx.request,
            );
            match account.intents.get(intent_id) {
                Some(intent) => Reply::ok(account.render_intent(intent, expand)),
                None => error_reply(ApiError::no_such(
                    "payment_intent",
                    intent_id,
                    "intent",
                    true,
                )),
            }
        }
        Some(decline) => {
            let mut error = ApiError::card_error(decline.code, decline.message)
                .decline_code(decline.decline_code);
            error.error.charge = Some(charge_id.clone());
            error.error.payment_method = Some(payment_method.to_json());
            intent.status = IntentStatus::RequiresPaymentMethod;
            intent.payment_method = None;
            intent.last_payment_error = Some((*error.error).clone());
            let intent_json = intent.to_json(None, None);
            account.charges.insert(charge_id, charge);
            account.emit(
                "payment_intent.payment_failed",
                intent_json.clone(),
                ctx.now,
                &ctx.request,
            );
            error.error.payment_intent = Some(intent_json);
            error_reply(error)
        }
    }
}

/// What the card statement shows: the descriptor alone, or (with a suffix) its first 10
/// characters as the prefix, `* ` and the suffix; upper case, at most 22 characters.
fn calculated_descriptor(descriptor: &str, suffix: Option<&str>) -> String {
    let full = match suffix {
        None => descriptor.to_owned(),
        Some(suffix) => {
            let prefix: String = descriptor.chars().take(10).collect();
            format!("{}* {suffix}", prefix.trim_end())
        }
    };
    full.to_uppercase().chars().take(22).collect()
}

/// `application_fee_amount` is for direct charges (a `Stripe-Account` header) only, and at
/// most the amount.
fn check_application_fee(fee: i64, amount: i64, direct: bool) -> Result<(), ApiError> {
    if !direct {
        return Err(ApiError::invalid_request(
            "Can only apply an application_fee_amount when the PaymentIntent is attempting a              direct payment (using an OAuth key or Stripe-Account header) or destination payment              (using `transfer_data[destination]`).",
        )
        .param("application_fee_amount"));
    }
    if fee < 0 {
        return Err(ApiError::invalid_request(
            "Invalid non-negative integer: application_fee_amount must be at least 0.",
        )
        .code("parameter_invalid_integer")
        .param("application_fee_amount"));
    }
    if fee > amount {
        return Err(ApiError::invalid_request(format!(
            "The application fee ({fee}) cannot be greater than the amount of the PaymentIntent              ({amount})."
        ))
        .code("amount_too_large")
        .param("application_fee_amount"));
    }
    Ok(())
}

/// A payment's statement descriptor suffix: at most 22 characters, at least one letter, none
/// of `<>\'"*`.
fn check_descriptor_suffix(suffix: &str) -> Result<(), ApiError> {
    let param = "statement_descriptor_suffix";
    if suffix.chars().count() > 22 {
        return Err(ApiError::invalid_request(
            "The statement descriptor suffix must be at most 22 characters long.",
        )
        .param(param));
    }
    check_descriptor_characters(suffix, param)
}

/// A connected account that cannot take charges (onboarding not done, or restricted since)
/// refuses them, as Stripe does when the charge is attempted.
fn check_charges_enabled(scope: &Scope) -> Result<(), ApiError> {
    match &scope.connected {
        Some(connected) if !connected.profile.charges_enabled() => Err(ApiError::invalid_request(
            "This Connect account cannot currently make live charges. The              `requirements.disabled_reason` property on the account will provide information              about why this account is currently disabled. If you are a customer trying to make              a purchase, please contact the owner of this site. Your transaction has not been              processed.",
        )),
        _ => Ok(()),
    }
}

fn error_reply(error: ApiError) -> Reply {
    Reply {
        status: error.status,
        body: error.body(),
    }
}

fn render_intent(account: &Account, id: &str, expand: &[String]) -> Result<Reply, ApiError> {
    let intent = find_intent(account, id)?;
    Ok(Reply::ok(account.render_intent(intent, expand)))
}

fn find_intent<'a>(account: &'a Account, id: &str) -> Result<&'a PaymentIntent, ApiError> {
    account
        .intents
        .get(id)
        .ok_or_else(|| ApiError::no_such("payment_intent", id, "intent", true))
}

fn find_intent_mut<'a>(
    account: &'a mut Account,
    id: &str,
) -> Result<&'a mut PaymentIntent, ApiError> {
    account
        .intents
        .get_mut(id)
        .ok_or_else(|| ApiError::no_such("payment_intent", id, "intent", true))
}

fn check_confirmable(intent: &PaymentIntent) -> Result<(), ApiError> {
    match intent.status {
        status if status.confirmable() => Ok(()),
        IntentStatus::Succeeded => Err(ApiError::invalid_request(
            "You cannot confirm this PaymentIntent because it has already succeeded after being \
             previously confirmed.",
        )
        .code("payment_intent_unexpected_state")),
        status => Err(ApiError::invalid_request(format!(
            "You cannot confirm this PaymentIntent because it has a status of {}. Only a \
             PaymentIntent with one of the following statuses may be confirmed: \
             requires_confirmation, requires_payment_method.",
            status.as_str()
        ))
        .code("payment_intent_unexpected_state")),
    }
}

pub(crate) fn client_secret_mismatch() -> ApiError {
    ApiError::invalid_request(
        "The client_secret provided does not match any associated PaymentIntent on this account.",
    )
    .param("client_secret")
}

fn missing_payment_method() -> ApiError {
    ApiError::invalid_request(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update \
         the PaymentIntent with a payment method and then confirm it again.",
    )
    .code("payment_intent_unexpected_state")
    .param("payment_method")
}

/// A `pm_card_*` test token becomes a new payment method, as in Stripe's test mode; a `pm_…`
/// created earlier (by the card form) is used as it is.
fn resolve_payment_method(
    account: &mut Account,
    value: &str,
    now: i64,
) -> Result<String, ApiError> {
    if account.payment_methods.contains_key(value) {
        return Ok(value.to_owned());
    }
    let Some(card) = cards::by_token(value) else {
        return Err(ApiError::no_such(
            "PaymentMethod",
            value,
            "payment_method",
            false,
        ));
    };
    let (year, _) = year_month(now);
    let payment_method = PaymentMethod {
        id: new_id("pm"),
        created: now,
        card: Card {
            brand: card.brand.to_owned(),
            last4: card.last4().to_owned(),
            funding: card.funding.to_owned(),
            exp_month: 12,
            exp_year: year + 1,
        },
        outcome: card.outcome,
    };
    let id = payment_method.id.clone();
    account.payment_methods.insert(id.clone(), payment_method);
    Ok(id)
}

fn take_expand(params: &mut Params, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
    let expand = params.take_string_list("expand")?.unwrap_or_default();
    if let Some(bad) = expand.iter().find(|path| !allowed.contains(&path.as_str())) {
        return Err(ApiError::invalid_request(format!(
            "This property cannot be expanded ({bad})."
        ))
        .param("expand"));
    }
    Ok(expand)
}

pub(crate) fn parse_currency(currency: String) -> Result<String, ApiError> {
    let lower = currency.to_ascii_lowercase();
    if lower.len() == 3 && lower.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(lower)
    } else {
        Err(ApiError::invalid_request(format!("Invalid currency: {currency}.")).param("currency"))
    }
}

/// Currencies without minor units: their amounts are whole units.
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Stripe's minimum charge, in minor units of the charge currency.
fn minimum_amount(currency: &str) -> i64 {
    match currency {
        "gbp" => 30,
        "dkk" => 250,
        "sek" | "nok" => 300,
        "pln" => 200,
        "hkd" => 400,
        "mxn" => 1000,
        "czk" => 1500,
        "huf" => 17500,
        _ => 50,
    }
}

fn check_amount(amount: i64, currency: &str) -> Result<(), ApiError> {
    let minimum = minimum_amount(currency);
    if amount < minimum {
        return Err(ApiError::invalid_request(format!(
            "Amount must be at least {} {currency}",
            format_money(minimum, currency)
        ))
        .code("amount_too_small")
        .param("amount"));
    }
    if amount > MAX_AMOUNT {
        return Err(ApiError::invalid_request(format!(
            "Amount must be no more than {}",
            format_money(MAX_AMOUNT, currency)
        ))
        .code("amount_too_large")
        .param("amount"));
    }
    Ok(())
}

pub(crate) fn check_email(email: &str, param: &str) -> Result<(), ApiError> {
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err(
            ApiError::invalid_request(format!("Invalid email address: {email}"))
                .code("email_invalid")
                .param(param),
        )
    }
}

/// `$12.50`, `€3.00`, `£0.30`, `¥500`, `12.50 CHF`.
fn format_money(amount: i64, currency: &str) -> String {
    let symbol = match currency {
        "usd" | "cad" | "aud" | "nzd" | "sgd" | "hkd" | "mxn" => Some("$"),
        "eur" => Some("€"),
        "gbp" => Some("£"),
        "jpy" => Some("¥"),
        _ => None,
    };
    let number = if ZERO_DECIMAL.contains(&currency) {
        amount.to_string()
    } else {
        format!("{}.{:02}", amount / 100, amount % 100)
    };
    match symbol {
        Some(symbol) => format!("{symbol}{number}"),
        None => format!("{number} {}", currency.to_ascii_uppercase()),
    }
}

/// The card brand a real card number belongs to, from its first digits.
fn brand_of(digits: &str) -> &'static str {
    if digits.starts_with('4') {
        "visa"
    } else if digits.starts_with("34") || digits.starts_with("37") {
        "amex"
    } else if digits.starts_with('5') || digits.starts_with('2') {
        "mastercard"
    } else {
        "unknown"
    }
}

/// The UTC calendar year and month of a Unix time (days-to-civil, from Howard Hinnant's
/// date algorithms).
fn year_month(unix_seconds: i64) -> (i64, i64) {
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_month_matches_known_dates() {
        assert_eq!(year_month(0), (1970, 1));
        // 2024-02-29T12:00:00Z
        assert_eq!(year_month(1_709_208_000), (2024, 2));
        // 2030-12-31T23:59:59Z
        assert_eq!(year_month(1_924_991_999), (2030, 12));
    }

    #[test]
    fn money_is_formatted_per_currency() {
        assert_eq!(format_money(2500, "usd"), "$25.00");
        assert_eq!(format_money(30, "gbp"), "£0.30");
        assert_eq!(format_money(500, "jpy"), "¥500");
        assert_eq!(format_money(1205, "chf"), "12.05 CHF");
    }

    #[test]
    fn descriptors_combine_prefix_and_suffix_like_stripe() {
        assert_eq!(calculated_descriptor("The Roxy", None), "THE ROXY");
        assert_eq!(
            calculated_descriptor("Roxy Theatre London", Some("Hamlet")),
            "ROXY THEAT* HAMLET"
        );
        assert_eq!(
            calculated_descriptor("ROXY", Some("A very long suffix here")),
            "ROXY* A VERY LONG SUFF"
        );
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(check_email("patron@example.com", "receipt_email").is_ok());
        assert!(check_email("patron", "receipt_email").is_err());
        assert!(check_email("a b@example.com", "receipt_email").is_err());
    }
}
