//! Payment agreements in the admin: the venue's Stripe account (connect, finish setup, its
//! state), the platform fee that applies, balance and recent payouts. The owner alone starts
//! onboarding; managers and owners see the page.

use crate::AdminState;
use axum::extract::{Extension, Query, State};
use marquee_app::agreements::{Agreement, OnboardingUrls};
use marquee_app::ports::{Amount, PaymentBreakdown};
use marquee_domain::{PaymentsStatus, Permission, PlatformFee};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use marquee_platform::tenancy::Tenant;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The venue's payment agreement.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentsView {
    status: PaymentsStatus,
    /// The connected Stripe account (`acct_…`), once onboarding started.
    account_id: Option<String>,
    charges_enabled: bool,
    payouts_enabled: bool,
    /// What Stripe still needs (currently due and past due), e.g. `external_account`.
    requirements: Vec<String>,
    /// Why Stripe disabled charges (`requirements.past_due`, `rejected.fraud`, …).
    disabled_reason: Option<String>,
    /// Where the venue manages its account: its own Stripe Dashboard.
    dashboard_url: Option<String>,
    /// When the account's state was last read from Stripe (RFC 3339).
    checked_at: Option<String>,
    /// The fee the platform takes from each card sale.
    platform_fee: PlatformFee,
    /// Whether refunds give the platform fee back in proportion.
    refund_platform_fee: bool,
}

impl PaymentsView {
    fn new(agreement: Agreement, dashboard: &str) -> Self {
        let account = agreement.account;
        Self {
            status: agreement.status,
            dashboard_url: account.as_ref().map(|_| dashboard.to_owned()),
            account_id: account.as_ref().map(|a| a.account_id.clone()),
            charges_enabled: account.as_ref().is_some_and(|a| a.charges_enabled),
            payouts_enabled: account.as_ref().is_some_and(|a| a.payouts_enabled),
            requirements: account
                .as_ref()
                .map(|a| a.requirements.clone())
                .unwrap_or_default(),
            disabled_reason: account.as_ref().and_then(|a| a.disabled_reason.clone()),
            checked_at: account.map(|a| a.updated_at),
            platform_fee: agreement.platform_fee,
            refund_platform_fee: agreement.refund_platform_fee,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentsQuery {
    /// Read the account's state from Stripe now (coming back from onboarding).
    #[serde(default)]
    refresh: bool,
}

/// Where a venue with full Stripe Dashboard access manages its own account (it logs in
/// there with its own Stripe credentials; login links are for Express accounts only).
const STRIPE_DASHBOARD: &str = "https://dashboard.stripe.com/";

/// The venue's payment agreement: whether it can take card payments, what Stripe needs, the
/// platform fee.
#[utoipa::path(get, path = "/admin/v1/payments", params(PaymentsQuery),
    responses((status = 200, body = PaymentsView), (status = 401), (status = 403),
        (status = 502, description = "payment_provider_error; payment_provider_unavailable (with refresh)")),
    security(("staff" = [])))]
pub async fn get_payments(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(query): Query<PaymentsQuery>,
) -> Result<axum::Json<PaymentsView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let agreement = state
        .agreements
        .agreement(&auth.tenant, query.refresh)
        .await?;
    Ok(axum::Json(PaymentsView::new(agreement, STRIPE_DASHBOARD)))
}

/// A Stripe onboarding link.
#[derive(Serialize, ToSchema)]
pub struct OnboardingLink {
    /// Single use, valid for a few minutes: send the browser there now.
    url: String,
}

/// Start or resume Stripe onboarding (owner only): the venue's connected account is created
/// on first use; the answer is a fresh single-use link to Stripe's onboarding, which sends the
/// owner back to the Payments page on the venue's own host.
#[utoipa::path(post, path = "/admin/v1/payments/onboarding",
    responses((status = 200, body = OnboardingLink), (status = 401), (status = 403, description = "forbidden: not an owner"),
        (status = 502, description = "payment_provider_error; payment_provider_unavailable"),
        (status = 503, description = "payments_unavailable")),
    security(("staff" = [])))]
pub async fn start_onboarding(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Extension(tenant): Extension<Tenant>,
) -> Result<axum::Json<OnboardingLink>, ApiError> {
    let page = format!(
        "{}/admin/payments",
        state
            .config
            .public_url_template
            .replace("{host}", tenant.hostname.as_str())
    );
    let urls = OnboardingUrls {
        return_url: format!("{page}?onboarding=return"),
        refresh_url: format!("{page}?onboarding=refresh"),
    };
    let url = state
        .agreements
        .start_onboarding(&auth.tenant, auth.role, auth.email.as_str(), &urls)
        .await?;
    tracing::info!(tenant = %auth.tenant, "onboarding link made");
    Ok(axum::Json(OnboardingLink { url }))
}

/// Money in one currency, in minor units (ISO 4217, upper case).
#[derive(Serialize, ToSchema)]
pub struct MoneyView {
    amount: i64,
    currency: String,
}

impl From<&Amount> for MoneyView {
    fn from(a: &Amount) -> Self {
        Self {
            amount: a.amount,
            currency: a.currency.to_ascii_uppercase(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutView {
    id: String,
    amount: MoneyView,
    /// `paid`, `pending`, `in_transit`, `canceled` or `failed`.
    status: String,
    /// RFC 3339.
    arrival_date: String,
    created: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BalanceView {
    available: Vec<MoneyView>,
    pending: Vec<MoneyView>,
}

/// The venue's Stripe balance and recent payouts.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutsView {
    balance: BalanceView,
    /// Newest first, at most 10.
    payouts: Vec<PayoutView>,
}

fn instant(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339()
}

/// Balance and recent payouts of the venue's Stripe account (read from Stripe, kept a minute).
#[utoipa::path(get, path = "/admin/v1/payments/payouts",
    responses((status = 200, body = PayoutsView), (status = 401), (status = 403),
        (status = 409, description = "payments_not_connected"),
        (status = 502, description = "payment_provider_error; payment_provider_unavailable"),
        (status = 503, description = "payments_unavailable")),
    security(("staff" = [])))]
pub async fn payouts(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<PayoutsView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let view = state.agreements.payouts(&auth.tenant).await?;
    Ok(axum::Json(PayoutsView {
        balance: BalanceView {
            available: view.balance.available.iter().map(MoneyView::from).collect(),
            pending: view.balance.pending.iter().map(MoneyView::from).collect(),
        },
        payouts: view
            .payouts
            .iter()
            .map(|p| PayoutView {
                id: p.id.clone(),
                amount: MoneyView::from(&p.amount),
                status: p.status.clone(),
                arrival_date: instant(p.arrival_date),
                created: instant(p.created),
            })
            .collect(),
    }))
}

/// Where an order's card payment went, from Stripe's balance transaction: gross, Stripe's
/// fee, the platform's fee and what the venue keeps (minor units of `currency`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFigures {
    gross: i64,
    stripe_fee: i64,
    platform_fee: i64,
    net: i64,
    currency: String,
}

impl From<PaymentBreakdown> for PaymentFigures {
    fn from(b: PaymentBreakdown) -> Self {
        Self {
            gross: b.gross,
            stripe_fee: b.provider_fee,
            platform_fee: b.application_fee,
            net: b.net,
            currency: b.currency.to_ascii_uppercase(),
        }
    }
}
