//! Connect: the platform's connected accounts (`POST /v1/accounts`, `GET /v1/accounts/{id}`),
//! their onboarding links (`POST /v1/account_links`) and login links, and the onboarding states
//! the double can put an account in (the hosted onboarding page and the test controls).
//!
//! An account is created restricted, as Stripe creates it: nothing submitted, charges and
//! payouts disabled, requirements past due. Onboarding moves it to one of three outcomes
//! ([`Onboarding`]); each change is an `account.updated` event on the connected account.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::form::Params;
use crate::ids::{new_id, random_alphanumeric};
use crate::payments::{Ctx, check_email, parse_currency};
use crate::store::{Account, Connected, Platform, Reply};

/// How long an account link can be used, as in Stripe.
const LINK_LIFETIME_SECONDS: i64 = 300;

/// What a new account must still provide before it can take payments.
const INITIAL_REQUIREMENTS: &[&str] = &[
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "representative.first_name",
    "representative.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
];

/// Where an account stands in onboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Onboarding {
    /// Just created: nothing submitted.
    Pending,
    /// Everything verified: charges and payouts enabled.
    Complete,
    /// Details submitted, but some are still missing.
    RequirementsDue,
    /// Was enabled, then lost charges and payouts until a document is provided.
    Restricted,
}

impl Onboarding {
    /// The outcomes a control or the onboarding page can choose.
    pub fn parse_outcome(outcome: &str) -> Option<Self> {
        match outcome {
            "complete" => Some(Self::Complete),
            "requirements_due" => Some(Self::RequirementsDue),
            "restricted" => Some(Self::Restricted),
            _ => None,
        }
    }

    fn details_submitted(self) -> bool {
        self != Self::Pending
    }

    fn enabled(self) -> bool {
        self == Self::Complete
    }

    /// `currently_due` (also `past_due`: the double gives no grace period).
    fn currently_due(self) -> Vec<&'static str> {
        match self {
            Self::Pending => INITIAL_REQUIREMENTS.to_vec(),
            Self::Complete => Vec::new(),
            Self::RequirementsDue => vec!["external_account", "individual.verification.document"],
            Self::Restricted => vec!["individual.verification.document"],
        }
    }
}

/// Who controls the account: the `controller` hash of `POST /v1/accounts`.
#[derive(Debug, Clone)]
pub(crate) struct Controller {
    /// `account` or `application`.
    pub fees_payer: String,
    /// `stripe` or `application`.
    pub losses_payments: String,
    /// `stripe` or `application`.
    pub requirement_collection: String,
    /// `full`, `express` or `none`.
    pub dashboard: String,
}

impl Default for Controller {
    /// A Standard-like account: Stripe collects requirements and the account pays the fees.
    fn default() -> Self {
        Self {
            fees_payer: "account".to_owned(),
            losses_payments: "stripe".to_owned(),
            requirement_collection: "stripe".to_owned(),
            dashboard: "full".to_owned(),
        }
    }
}

impl Controller {
    /// The legacy `type` Stripe reports for an account with these controller properties.
    fn account_type(&self) -> &'static str {
        match self.dashboard.as_str() {
            "full" => "standard",
            "express" => "express",
            _ => "custom",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ConnectedAccount {
    pub id: String,
    pub created: i64,
    pub business_name: Option<String>,
    pub business_url: Option<String>,
    pub email: Option<String>,
    pub country: String,
    pub default_currency: String,
    pub statement_descriptor: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub controller: Controller,
    pub onboarding: Onboarding,
}

impl ConnectedAccount {
    /// A new account with Stripe's defaults for a UK platform.
    pub fn new(id: String, created: i64) -> Self {
        Self {
            id,
            created,
            business_name: None,
            business_url: None,
            email: None,
            country: "GB".to_owned(),
            default_currency: "gbp".to_owned(),
            statement_descriptor: None,
            metadata: BTreeMap::new(),
            controller: Controller::default(),
            onboarding: Onboarding::Pending,
        }
    }

    pub fn charges_enabled(&self) -> bool {
        self.onboarding.enabled()
    }

    /// The static descriptor card statements show: the account's, else its business name.
    pub fn descriptor(&self) -> Option<String> {
        self.statement_descriptor
            .clone()
            .or_else(|| self.business_name.clone())
    }

    pub fn to_json(&self) -> Value {
        let due = self.onboarding.currently_due();
        let enabled = self.onboarding.enabled();
        let capability = if enabled { "active" } else { "inactive" };
        json!({
            "id": self.id,
            "object": "account",
            "business_profile": {
                "annual_revenue": null,
                "estimated_worker_count": null,
                "mcc": null,
                "name": self.business_name,
                "product_description": null,
                "support_address": null,
                "support_email": null,
                "support_phone": null,
                "support_url": null,
                "url": self.business_url,
            },
            "business_type": null,
            "capabilities": {
                "card_payments": capability,
                "transfers": capability,
            },
            "charges_enabled": enabled,
            "controller": {
                "fees": { "payer": self.controller.fees_payer },
                "is_controller": true,
                "losses": { "payments": self.controller.losses_payments },
                "requirement_collection": self.controller.requirement_collection,
                "stripe_dashboard": { "type": self.controller.dashboard },
                "type": "application",
            },
            "country": self.country,
            "created": self.created,
            "default_currency": self.default_currency,
            "details_submitted": self.onboarding.details_submitted(),
            "email": self.email,
            "external_accounts": {
                "object": "list",
                "data": [],
                "has_more": false,
                "url": format!("/v1/accounts/{}/external_accounts", self.id),
            },
            "future_requirements": {
                "alternatives": [],
                "current_deadline": null,
                "currently_due": [],
                "disabled_reason": null,
                "errors": [],
                "eventually_due": [],
                "past_due": [],
                "pending_verification": [],
            },
            "livemode": false,
            "metadata": self.metadata,
            "payouts_enabled": enabled,
            "requirements": {
                "alternatives": [],
                "current_deadline": null,
                "currently_due": due,
                "disabled_reason": (!enabled).then_some("requirements.past_due"),
                "errors": [],
                "eventually_due": due,
                "past_due": due,
                "pending_verification": [],
            },
            "settings": {
                "branding": {
                    "icon": null,
                    "logo": null,
                    "primary_color": null,
                    "secondary_color": null,
                },
                "card_payments": {
                    "decline_on": { "avs_failure": false, "cvc_failure": false },
                    "statement_descriptor_prefix": null,
                    "statement_descriptor_prefix_kana": null,
                    "statement_descriptor_prefix_kanji": null,
                },
                "dashboard": {
                    "display_name": self.business_name,
                    "timezone": "Etc/UTC",
                },
                "payments": {
                    "statement_descriptor": self.statement_descriptor,
                    "statement_descriptor_kana": null,
                    "statement_descriptor_kanji": null,
                },
                "payouts": {
                    "debit_negative_balances": true,
                    "schedule": { "delay_days": 2, "interval": "daily" },
                    "statement_descriptor": null,
                },
            },
            "tos_acceptance": { "date": null, "ip": null, "user_agent": null },
            "type": self.controller.account_type(),
        })
    }
}

/// An onboarding link: single use, valid for five minutes.
#[derive(Debug, Clone)]
pub(crate) struct AccountLink {
    pub id: String,
    pub account: String,
    pub return_url: String,
    pub refresh_url: String,
    pub created: i64,
    pub expires_at: i64,
    /// The page was shown once; showing it again sends the browser to `refresh_url`.
    pub visited: bool,
    /// A button was pressed; the link is spent.
    pub completed: bool,
}

impl AccountLink {
    pub fn expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}

/// `POST /v1/accounts`.
pub(crate) fn create_account(
    platform: &mut Platform,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let legacy_type = params.take_optional_text("type")?;
    let controller = match params.take_hash("controller")? {
        Some(hash) => Some(parse_controller(hash)?),
        None => None,
    };
    let (business_name, business_url) = match params.take_hash("business_profile")? {
        Some(mut hash) => {
            let name = hash.take_optional_text("name")?;
            let url = hash.take_optional_text("url")?;
            hash.take_optional_text("mcc")?;
            hash.take_optional_text("product_description")?;
            hash.take_optional_text("support_email")?;
            hash.finish()?;
            (name, url)
        }
        None => (None, None),
    };
    let email = params.take_optional_text("email")?;
    let country = params.take_optional_text("country")?;
    let default_currency = params.take_optional_text("default_currency")?;
    let business_type = params.take_optional_text("business_type")?;
    let statement_descriptor = match params.take_hash("settings")? {
        Some(mut settings) => {
            let descriptor = match settings.take_hash("payments")? {
                Some(mut payments) => {
                    let descriptor = payments.take_optional_text("statement_descriptor")?;
                    payments.finish()?;
                    descriptor
                }
                None => None,
            };
            settings.finish()?;
            descriptor
        }
        None => None,
    };
    if let Some(mut capabilities) = params.take_hash("capabilities")? {
        for name in ["card_payments", "transfers"] {
            if let Some(mut capability) = capabilities.take_hash(name)? {
                capability.take_bool("requested")?;
                capability.finish()?;
            }
        }
        capabilities.finish()?;
    }
    let metadata = params.take_metadata()?.unwrap_or_default();
    params.take_string_list("expand")?;
    params.finish()?;

    let controller = match (legacy_type, controller) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_request(
                "You cannot specify both type and controller. Use controller properties to \
                 configure the account.",
            )
            .param("type"));
        }
        (Some(kind), None) => Controller {
            dashboard: match kind.as_str() {
                "standard" => "full",
                "express" => "express",
                "custom" => "none",
                _ => {
                    return Err(ApiError::invalid_request(format!(
                        "Invalid type: must be one of custom, express, or standard (got {kind})."
                    ))
                    .param("type"));
                }
            }
            .to_owned(),
            ..Controller::default()
        },
        (None, controller) => controller.unwrap_or_default(),
    };
    if let Some(email) = &email {
        check_email(email, "email")?;
    }
    if let Some(descriptor) = &statement_descriptor {
        check_statement_descriptor(descriptor, "settings[payments][statement_descriptor]")?;
    }
    if let Some(kind) = &business_type
        && !["individual", "company", "non_profit", "government_entity"].contains(&kind.as_str())
    {
        return Err(ApiError::invalid_request(format!(
            "Invalid business_type: must be one of company, government_entity, individual, or \
             non_profit (got {kind})."
        ))
        .param("business_type"));
    }
    let mut account = ConnectedAccount::new(new_id("acct"), ctx.now);
    if let Some(country) = country {
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(
                ApiError::invalid_request(format!("Invalid country: {country}")).param("country"),
            );
        }
        account.country = country.to_ascii_uppercase();
    }
    if let Some(currency) = default_currency {
        account.default_currency =
            parse_currency(currency).map_err(|err| err.param("default_currency"))?;
    }
    account.business_name = business_name;
    account.business_url = business_url;
    account.email = email;
    account.statement_descriptor = statement_descriptor;
    account.metadata = metadata;
    account.controller = controller;
    let body = account.to_json();
    platform.connected.insert(
        account.id.clone(),
        Connected {
            profile: account,
            ledger: Account::default(),
        },
    );
    Ok(Reply::ok(body))
}

fn parse_controller(mut hash: Params) -> Result<Controller, ApiError> {
    let mut controller = Controller::default();
    if let Some(mut fees) = hash.take_hash("fees")? {
        if let Some(payer) = fees.take_optional_text("payer")? {
            controller.fees_payer = one_of(
                payer,
                &["account", "application"],
                "controller[fees][payer]",
            )?;
        }
        fees.finish()?;
    }
    if let Some(mut losses) = hash.take_hash("losses")? {
        if let Some(payments) = losses.take_optional_text("payments")? {
            controller.losses_payments = one_of(
                payments,
                &["application", "stripe"],
                "controller[losses][payments]",
            )?;
        }
        losses.finish()?;
    }
    if let Some(collection) = hash.take_optional_text("requirement_collection")? {
        controller.requirement_collection = one_of(
            collection,
            &["application", "stripe"],
            "controller[requirement_collection]",
        )?;
    }
    if let Some(mut dashboard) = hash.take_hash("stripe_dashboard")? {
        if let Some(kind) = dashboard.take_optional_text("type")? {
            controller.dashboard = one_of(
                kind,
                &["express", "full", "none"],
                "controller[stripe_dashboard][type]",
            )?;
        }
        dashboard.finish()?;
    }
    hash.finish()?;
    // Stripe's rule: an account with the full Dashboard pays its own fees and losses, and
    // Stripe collects its requirements.
    if controller.dashboard == "full"
        && (controller.fees_payer != "account"
            || controller.losses_payments != "stripe"
            || controller.requirement_collection != "stripe")
    {
        return Err(ApiError::invalid_request(
            "Accounts with controller[stripe_dashboard][type]=full must have \
             controller[fees][payer]=account, controller[losses][payments]=stripe and \
             controller[requirement_collection]=stripe.",
        )
        .param("controller[stripe_dashboard][type]"));
    }
    Ok(controller)
}

fn one_of(value: String, allowed: &[&str], param: &str) -> Result<String, ApiError> {
    if allowed.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(ApiError::invalid_request(format!(
            "Invalid {param}: must be one of {} (got {value}).",
            allowed.join(", ")
        ))
        .param(param))
    }
}

/// Stripe's rules for a statement descriptor: 5 to 22 Latin characters, at least one letter,
/// none of `<>\'"*`.
pub(crate) fn check_statement_descriptor(descriptor: &str, param: &str) -> Result<(), ApiError> {
    let length = descriptor.chars().count();
    if !(5..=22).contains(&length) {
        return Err(ApiError::invalid_request(format!(
            "The statement descriptor must be between 5 and 22 characters long (got {length})."
        ))
        .param(param));
    }
    check_descriptor_characters(descriptor, param)
}

/// The character rules every descriptor part follows (also a payment's suffix).
pub(crate) fn check_descriptor_characters(text: &str, param: &str) -> Result<(), ApiError> {
    if let Some(bad) = text.chars().find(|c| "<>\\'\"*".contains(*c)) {
        return Err(ApiError::invalid_request(format!(
            "The statement descriptor cannot contain the character {bad}: it may not contain any \
             of < > \\ ' \" *."
        ))
        .param(param));
    }
    if !text.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return Err(ApiError::invalid_request(
            "The statement descriptor may contain only Latin characters.",
        )
        .param(param));
    }
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(ApiError::invalid_request(
            "The statement descriptor must contain at least one letter.",
        )
        .param(param));
    }
    Ok(())
}

/// `GET /v1/accounts/{id}`; the caller has checked the account is the platform's.
pub(crate) fn retrieve_account(
    platform: &Platform,
    id: &str,
    mut params: Params,
) -> Result<Reply, ApiError> {
    params.take_string_list("expand")?;
    params.finish()?;
    let connected = platform
        .connected
        .get(id)
        .ok_or_else(|| ApiError::no_such("account", id, "account", true))?;
    Ok(Reply::ok(connected.profile.to_json()))
}

/// `POST /v1/account_links`: the URL is the double's own onboarding page.
pub(crate) fn create_account_link(
    platform: &mut Platform,
    base_url: &str,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    let account = params.take_optional_text("account")?;
    let kind = params.take_optional_text("type")?;
    let return_url = params.take_optional_text("return_url")?;
    let refresh_url = params.take_optional_text("refresh_url")?;
    if let Some(collect) = params.take_optional_text("collect")? {
        one_of(collect, &["currently_due", "eventually_due"], "collect")?;
    }
    if let Some(mut options) = params.take_hash("collection_options")? {
        options.take_optional_text("fields")?;
        options.take_optional_text("future_requirements")?;
        options.finish()?;
    }
    params.take_string_list("expand")?;
    params.finish()?;

    let account = account.ok_or_else(|| ApiError::missing("account"))?;
    let kind = kind.ok_or_else(|| ApiError::missing("type"))?;
    let return_url = return_url.ok_or_else(|| ApiError::missing("return_url"))?;
    let refresh_url = refresh_url.ok_or_else(|| ApiError::missing("refresh_url"))?;
    let connected = platform
        .connected
        .get(&account)
        .ok_or_else(|| ApiError::no_such("account", &account, "account", false))?;
    match kind.as_str() {
        "account_onboarding" => {}
        "account_update" if connected.profile.controller.dashboard == "full" => {
            return Err(ApiError::invalid_request(
                "You cannot create `account_update` type Account Links for accounts with access \
                 to the full Stripe Dashboard.",
            )
            .param("type"));
        }
        "account_update" => {}
        other => {
            return Err(ApiError::invalid_request(format!(
                "Invalid type: must be one of account_onboarding or account_update (got {other})."
            ))
            .param("type"));
        }
    }
    for (param, url) in [("return_url", &return_url), ("refresh_url", &refresh_url)] {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ApiError::invalid_request(format!(
                "Not a valid URL: {param} must be an absolute http or https URL."
            ))
            .code("url_invalid")
            .param(param));
        }
    }
    let link = AccountLink {
        id: random_alphanumeric(24),
        account,
        return_url,
        refresh_url,
        created: ctx.now,
        expires_at: ctx.now + LINK_LIFETIME_SECONDS,
        visited: false,
        completed: false,
    };
    let body = json!({
        "object": "account_link",
        "created": link.created,
        "expires_at": link.expires_at,
        "url": format!("{base_url}/_double/onboarding/{}", link.id),
    });
    platform.account_links.insert(link.id.clone(), link);
    Ok(Reply::ok(body))
}

/// `POST /v1/accounts/{id}/login_links`: only for accounts on the Express Dashboard.
pub(crate) fn create_login_link(
    platform: &Platform,
    base_url: &str,
    id: &str,
    mut params: Params,
    ctx: &Ctx,
) -> Result<Reply, ApiError> {
    params.take_string_list("expand")?;
    params.finish()?;
    let connected = platform
        .connected
        .get(id)
        .ok_or_else(|| ApiError::no_such("account", id, "account", true))?;
    if connected.profile.controller.dashboard != "express" {
        return Err(ApiError::invalid_request(
            "Cannot create a login link for an account that does not use the Express Dashboard. \
             You can only create login links for accounts that use the Express Dashboard and are \
             connected to your platform.",
        )
        .param("account"));
    }
    Ok(Reply::ok(json!({
        "object": "login_link",
        "created": ctx.now,
        "url": format!("{base_url}/_double/express/{id}/{}", random_alphanumeric(12)),
    })))
}

/// Moves the account to `onboarding` and records `account.updated` on it.
pub(crate) fn set_onboarding(connected: &mut Connected, onboarding: Onboarding, ctx: &Ctx) {
    connected.profile.onboarding = onboarding;
    let object = connected.profile.to_json();
    connected
        .ledger
        .emit("account.updated", object, ctx.now, &ctx.request);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_follow_stripes_rules() {
        let param = "settings[payments][statement_descriptor]";
        assert!(check_statement_descriptor("THE ROXY", param).is_ok());
        assert!(check_statement_descriptor("ROXY", param).is_err());
        assert!(check_statement_descriptor("THE ROXY THEATRE LONDON", param).is_err());
        assert!(check_statement_descriptor("12345", param).is_err());
        assert!(check_statement_descriptor("ROXY*TIX", param).is_err());
        assert!(check_statement_descriptor("ROXY'S", param).is_err());
        assert!(check_statement_descriptor("CAFÉ ROXY", param).is_err());
    }

    #[test]
    fn outcomes_set_the_flags_stripe_reports() {
        let mut account = ConnectedAccount::new("acct_1".to_owned(), 0);
        let json = account.to_json();
        assert_eq!(json["charges_enabled"], false);
        assert_eq!(
            json["requirements"]["disabled_reason"],
            "requirements.past_due"
        );
        account.onboarding = Onboarding::Complete;
        let json = account.to_json();
        assert_eq!(json["charges_enabled"], true);
        assert_eq!(json["requirements"]["currently_due"], json!([]));
        assert_eq!(json["requirements"]["disabled_reason"], Value::Null);
        account.onboarding = Onboarding::Restricted;
        let json = account.to_json();
        assert_eq!(json["details_submitted"], true);
        assert_eq!(
            json["requirements"]["past_due"],
            json!(["individual.verification.document"])
        );
    }
}
