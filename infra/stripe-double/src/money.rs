//! Where the money goes: balance transactions (one per charge, refund, application fee, fee
//! refund and payout), application fees (the platform's cut of a direct charge), balances and
//! payouts.
//!
//! Simplifications, documented in `docs/stripe-double.md`: Stripe's fee is 2.9 % + 30 minor
//! units (half up) in every currency; funds are available at once (`available_on` is the
//! creation time, nothing is ever pending); a refund does not return Stripe's fee.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::form::Params;
use crate::ids::new_id;
use crate::payments::{Ctx, parse_currency};
use crate::store::{Account, Platform, Reply};

/// How a payout reaches the bank: `arrival_date` is this many days later.
const PAYOUT_ARRIVAL_DAYS: i64 = 2;

/// Stripe's processing fee for a card charge: 2.9 % (rounded half up) plus 30 minor units.
pub(crate) fn stripe_fee(amount: i64) -> i64 {
    (amount * 29 + 500) / 1000 + 30
}

/// The part of an application fee a refund returns: the fee in proportion to the refund,
/// rounded half up, and whatever is left once the charge is refunded in full (so the parts
/// add up to the fee).
pub(crate) fn fee_refund_share(
    fee: i64,
    fee_left: i64,
    refund: i64,
    charge_amount: i64,
    charge_fully_refunded: bool,
) -> i64 {
    if charge_fully_refunded || charge_amount <= 0 {
        return fee_left;
    }
    let share = (2 * fee * refund + charge_amount) / (2 * charge_amount);
    share.min(fee_left)
}

/// One line of a balance transaction's `fee_details`.
#[derive(Debug, Clone)]
pub(crate) struct FeeDetail {
    pub amount: i64,
    /// `stripe_fee` or `application_fee`.
    pub kind: &'static str,
    pub description: String,
    pub application: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct BalanceTransaction {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub created: i64,
    /// `charge`, `refund`, `application_fee`, `application_fee_refund` or `payout`.
    pub kind: &'static str,
    pub fee_details: Vec<FeeDetail>,
    /// The charge, refund, fee, fee refund or payout it records.
    pub source: String,
    pub description: Option<String>,
}

impl BalanceTransaction {
    pub fn new(
        kind: &'static str,
        amount: i64,
        currency: &str,
        source: &str,
        created: i64,
    ) -> Self {
        Self {
            id: new_id("txn"),
            amount,
            currency: currency.to_owned(),
            created,
            kind,
            fee_details: Vec::new(),
            source: source.to_owned(),
            description: None,
        }
    }

    pub fn fee(&self) -> i64 {
        self.fee_details.iter().map(|detail| detail.amount).sum()
    }

    pub fn net(&self) -> i64 {
        self.amount - self.fee()
    }

    fn reporting_category(&self) -> &'static str {
        match self.kind {
            "application_fee" => "platform_earning",
            "application_fee_refund" => "platform_earning_refund",
            other => other,
        }
    }

    pub fn to_json(&self) -> Value {
        let fee_details: Vec<Value> = self
            .fee_details
            .iter()
            .map(|detail| {
                json!({
                    "amount": detail.amount,
                    "application": detail.application,
                    "currency": self.currency,
                    "description": detail.description,
                    "type": detail.kind,
                })
            })
            .collect();
        json!({
            "id": self.id,
            "object": "balance_transaction",
            "amount": self.amount,
            "available_on": self.created,
            "balance_type": "payments",
            "created": self.created,
            "currency": self.currency,
            "description": self.description,
            "exchange_rate": null,
            "fee": self.fee(),
            "fee_details": fee_details,
            "net": self.net(),
            "reporting_category": self.reporting_category(),
            "source": self.source,
            "status": "available",
            "type": self.kind,
        })
    }
}

/// A refunded part of an application fee (`fr_…`).
#[derive(Debug, Clone)]
pub(crate) struct FeeRefund {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub created: i64,
    pub fee: String,
    pub balance_transaction: String,
}

impl FeeRefund {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "fee_refund",
            "amount": self.amount,
            "balance_transaction": self.balance_transaction,
            "created": self.created,
            "currency": self.currency,
            "fee": self.fee,
            "metadata": {},
        })
    }
}

/// The platform's cut of a direct charge (`fee_…`), an object of the platform's.
#[derive(Debug, Clone)]
pub(crate) struct ApplicationFee {
    pub id: String,
    /// The connected account the charge was made on.
    pub account: String,
    /// `ca_…`: the platform as a Connect application.
    pub application: String,
    pub amount: i64,
    pub amount_refunded: i64,
    pub charge: String,
    pub currency: String,
    pub created: i64,
    pub balance_transaction: String,
    /// Oldest first.
    pub refunds: Vec<FeeRefund>,
}

impl ApplicationFee {
    pub fn to_json(&self) -> Value {
        let refunds: Vec<Value> = self.refunds.iter().rev().map(FeeRefund::to_json).collect();
        json!({
            "id": self.id,
            "object": "application_fee",
            "account": self.account,
            "amount": self.amount,
            "amount_refunded": self.amount_refunded,
            "application": self.application,
            "balance_transaction": self.balance_transaction,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "fee_source": { "charge": self.charge, "type": "charge" },
            "livemode": false,
            "originating_transaction": null,
            "refunded": self.amount_refunded == self.amount,
            "refunds": {
                "object": "list",
                "data": refunds,
                "has_more": false,
                "url": format!("/v1/application_fees/{}/refunds", self.id),
            },
        })
    }
}

/// A payout to the account's bank account (`po_…`); the double pays out at once.
#[derive(Debug, Clone)]
pub(crate) struct Payout {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub created: i64,
    pub arrival_date: i64,
    pub balance_transaction: String,
    pub destination: String,
}

impl Payout {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payout",
            "amount": self.amount,
            "application_fee": null,
            "application_fee_amount": null,
            "arrival_date": self.arrival_date,
            "automatic": false,
            "balance_transaction": self.balance_transaction,
            "created": self.created,
            "currency": self.currency,
            "description": null,
            "destination": self.destination,
            "failure_balance_transaction": null,
            "failure_code": null,
            "failure_message": null,
            "livemode": false,
            "metadata": {},
            "method": "standard",
            "original_payout": null,
            "reconciliation_status": "completed",
            "reversed_by": null,
            "source_type": "card",
            "statement_descriptor": null,
            "status": "paid",
            "trace_id": null,
            "type": "bank_account",
        })
    }
}

/// The platform's id as a Connect application (`ca_…`), derived from its account id.
pub(crate) fn application_id(platform_account: &str) -> String {
    format!(
        "ca_{}",
        platform_account
            .strip_prefix("acct_")
            .unwrap_or(platform_account)
    )
}

/// `GET /v1/balance`: every transaction's net, per currency, available at once.
pub(crate) fn retrieve_balance(
    account: &Account,
    default_currency: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    params.take_string_list("expand")?;
    params.finish()?;
    let mut available = available_by_currency(account);
    if available.is_empty() {
        available.insert(default_currency.to_owned(), 0);
    }
    let amounts = |zero: bool| -> Vec<Value> {
        available
            .iter()
            .map(|(currency, amount)| {
                let amount = if zero { 0 } else { *amount };
                json!({
                    "amount": amount,
                    "currency": currency,
                    "source_types": { "card": amount },
                })
            })
            .collect()
    };
    Ok(Reply::ok(json!({
        "object": "balance",
        "available": amounts(false),
        "livemode": false,
        "pending": amounts(true),
    })))
}

fn available_by_currency(account: &Account) -> BTreeMap<String, i64> {
    let mut available = BTreeMap::new();
    for transaction in account.balance_transactions.values() {
        *available.entry(transaction.currency.clone()).or_insert(0) += transaction.net();
    }
    available
}

pub(crate) fn retrieve_balance_transaction(
    account: &Account,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    params.take_string_list("expand")?;
    params.finish()?;
    account
        .balance_transactions
        .get(id)
        .map(|transaction| Reply::ok(transaction.to_json()))
        .ok_or_else(|| ApiError::no_such("balance transaction", id, "id", true))
}

/// `GET /v1/balance_transactions`: newest first, `type`, `source`, `limit`, `starting_after`.
pub(crate) fn list_balance_transactions(
    account: &Account,
    mut params: Params,
) -> Result<Reply, ApiError> {
    let kind = params.take_optional_text("type")?;
    let source = params.take_optional_text("source")?;
    let paging = Paging::take(&mut params)?;
    params.finish()?;
    let items: Vec<(&str, i64, Value)> = account
        .balance_transactions
        .values()
        .filter(|t| kind.as_deref().is_none_or(|kind| t.kind == kind))
        .filter(|t| source.as_deref().is_none_or(|source| t.source == source))
        .map(|t| (t.id.as_str(), t.created, t.to_json()))
        .collect();
    paging.page(items, "/v1/balance_transactions", "balance_transaction")
}

/// `GET /v1/payouts`: newest first, `limit`, `starting_after`.
pub(crate) fn list_payouts(account: &Account, mut params: Params) -> Result<Reply, ApiError> {
    let status = params.take_optional_text("status")?;
    let paging = Paging::take(&mut params)?;
    params.finish()?;
    let items: Vec<(&str, i64, Value)> = account
        .payouts
        .values()
        .filter(|_| status.as_deref().is_none_or(|status| status == "paid"))
        .map(|p| (p.id.as_str(), p.created, p.to_json()))
        .collect();
    paging.page(items, "/v1/payouts", "payout")
}

pub(crate) fn retrieve_payout(
    account: &Account,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    params.take_string_list("expand")?;
    params.finish()?;
    account
        .payouts
        .get(id)
        .map(|payout| Reply::ok(payout.to_json()))
        .ok_or_else(|| ApiError::no_such("payout", id, "id", true))
}

/// `GET /v1/application_fees`: the platform's fees, newest first; `charge` filters.
pub(crate) fn list_application_fees(
    platform: &Platform,
    mut params: Params,
) -> Result<Reply, ApiError> {
    let charge = params.take_optional_text("charge")?;
    let created = params.take_range("created")?.unwrap_or_default();
    let paging = Paging::take(&mut params)?;
    params.finish()?;
    let items: Vec<(&str, i64, Value)> = platform
        .application_fees
        .values()
        .filter(|fee| charge.as_deref().is_none_or(|charge| fee.charge == charge))
        .filter(|fee| created.contains(fee.created))
        .map(|fee| (fee.id.as_str(), fee.created, fee.to_json()))
        .collect();
    paging.page(items, "/v1/application_fees", "application_fee")
}

pub(crate) fn retrieve_application_fee(
    platform: &Platform,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    params.take_string_list("expand")?;
    params.finish()?;
    platform
        .application_fees
        .get(id)
        .map(|fee| Reply::ok(fee.to_json()))
        .ok_or_else(|| ApiError::no_such("application fee", id, "id", true))
}

/// The control's payout: `amount` (default: all that is available in `currency`), paid at
/// once. Records `payout.created` and `payout.paid` on the account.
pub(crate) fn pay_out(
    account: &mut Account,
    amount: Option<i64>,
    currency: Option<String>,
    default_currency: &str,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let currency = match currency {
        Some(currency) => parse_currency(currency)?,
        None => default_currency.to_owned(),
    };
    let available = available_by_currency(account)
        .get(&currency)
        .copied()
        .unwrap_or(0);
    let amount = amount.unwrap_or(available);
    if amount < 1 {
        return Err(ApiError::invalid_request(format!(
            "Nothing to pay out: the available {currency} balance is {available}."
        ))
        .code("balance_insufficient")
        .param("amount"));
    }
    if amount > available {
        return Err(ApiError::invalid_request(format!(
            "You have insufficient funds in your Stripe account for this transfer. Your card \
             balance is too low. You can use the /v1/balance endpoint to view your Stripe \
             balance (available: {available} {currency}, requested: {amount})."
        ))
        .code("balance_insufficient")
        .param("amount"));
    }
    let id = new_id("po");
    let mut transaction = BalanceTransaction::new("payout", -amount, &currency, &id, ctx.now);
    transaction.description = Some("STRIPE PAYOUT".to_owned());
    let payout = Payout {
        id: id.clone(),
        amount,
        currency,
        created: ctx.now,
        arrival_date: ctx.now + PAYOUT_ARRIVAL_DAYS * 86_400,
        balance_transaction: transaction.id.clone(),
        destination: "ba_double_bank_account".to_owned(),
    };
    let body = payout.to_json();
    account
        .balance_transactions
        .insert(transaction.id.clone(), transaction);
    account.payouts.insert(id, payout);
    account.emit("payout.created", body.clone(), ctx.now, &ctx.request);
    account.emit("payout.paid", body.clone(), ctx.now, &ctx.request);
    Ok(Reply::ok(body))
}

/// `limit` (1–100, default 10) and `starting_after` of a list request.
struct Paging {
    limit: usize,
    starting_after: Option<String>,
}

impl Paging {
    fn take(params: &mut Params) -> Result<Self, ApiError> {
        let limit = params.take_integer("limit")?.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::invalid_request(format!(
                "Invalid limit: must be between 1 and 100 (got {limit})."
            ))
            .param("limit"));
        }
        Ok(Self {
            limit: usize::try_from(limit).unwrap_or(10),
            starting_after: params.take_optional_text("starting_after")?,
        })
    }

    /// Stripe's list: newest first (ties broken by id), the page after the cursor, `has_more`.
    fn page(
        &self,
        mut items: Vec<(&str, i64, Value)>,
        url: &str,
        object: &str,
    ) -> Result<Reply, ApiError> {
        items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(a.0)));
        let start = match &self.starting_after {
            Some(cursor) => {
                items
                    .iter()
                    .position(|(id, _, _)| id == cursor)
                    .ok_or_else(|| ApiError::no_such(object, cursor, "starting_after", false))?
                    + 1
            }
            None => 0,
        };
        let page: Vec<Value> = items
            .into_iter()
            .skip(start)
            .take(self.limit + 1)
            .map(|(_, _, value)| value)
            .collect();
        let has_more = page.len() > self.limit;
        let data: Vec<Value> = page.into_iter().take(self.limit).collect();
        Ok(Reply::ok(json!({
            "object": "list",
            "url": url,
            "has_more": has_more,
            "data": data,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_fee_is_2_9_percent_half_up_plus_30() {
        assert_eq!(stripe_fee(10_000), 320);
        // 2.9 % of 2500 is 72.5: rounded up.
        assert_eq!(stripe_fee(2500), 103);
        // 2.9 % of 1234 is 35.786.
        assert_eq!(stripe_fee(1234), 66);
    }

    #[test]
    fn fee_refunds_are_proportional_and_add_up_to_the_fee() {
        // A third of a 300 fee on 1000: 100.
        assert_eq!(fee_refund_share(300, 300, 333, 1000, false), 100);
        // 250 of a 2500 charge with a fee of 125: 12.5, half up.
        assert_eq!(fee_refund_share(125, 125, 250, 2500, false), 13);
        // The last refund takes what is left.
        assert_eq!(fee_refund_share(125, 87, 1750, 2500, true), 87);
    }
}
