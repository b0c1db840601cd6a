//! Card payments through Stripe: PaymentIntents for checkouts, refunds, and the verification
//! of Stripe's webhook signatures.
//!
//! Card details never reach Marquee: the browser hands them to Stripe (the Payment Element,
//! or locally the test double's card form) with the PaymentIntent's client secret, and Stripe
//! tells Marquee the outcome through a signed webhook. The same `async-stripe` client talks
//! to Stripe in AWS and to the repository's Stripe double locally (its base URL configured).

use crate::config::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;
#[cfg(feature = "stripe")]
use std::str::FromStr;
#[cfg(feature = "stripe")]
#[cfg(feature = "stripe")]
use stripe::{IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
#[cfg(feature = "stripe")]
use stripe_client_core::CustomizableStripeRequest;
#[cfg(feature = "stripe")]
use stripe_core::payment_intent::{
    CancelPaymentIntent, CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods,
    ListPaymentIntent,
};
#[cfg(feature = "stripe")]
use stripe_core::refund::CreateRefund;

/// Stripe's own tolerance for a webhook's timestamp.
pub const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

/// How payments are taken, as the site's payment settings tell the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// The local Stripe double: the site shows a test-card form.
    Local,
    /// Stripe's test mode (`sk_test_…`).
    Test,
    /// Real money.
    Live,
    /// No Stripe keys configured: only free orders can be checked out.
    Disabled,
}

/// Where and how to reach Stripe.
#[derive(Clone, Debug)]
pub struct StripeSettings {
    pub secret_key: Secret,
    pub publishable_key: String,
    pub webhook_secret: Secret,
    /// The Connect endpoint's signing secret: venues' accounts' events.
    pub connect_webhook_secret: Secret,
    /// Stripe's API by default; the double's URL locally.
    pub api_base: Option<String>,
    /// Whether this is the local double (for the site's payment settings).
    pub local: bool,
}

pub use marquee_app::ports::{
    AccountRequest, Amount, Balance, CreatedPaymentIntent, PaymentAccount, PaymentBreakdown,
    PaymentError, PaymentRequest, Payout, ProviderAccount, RefundRequest, SucceededPayment,
};

/// PaymentIntents per page when listing (Stripe's maximum).
#[cfg(feature = "stripe")]
const LIST_PAGE: i64 = 100;

#[cfg(feature = "stripe")]
/// What a Stripe failure means to the caller: a refusal (4xx, except 429) or a reason to
/// try again later.
fn payment_error(err: StripeError) -> PaymentError {
    {
        match err {
            StripeError::Stripe(e, status) if status < 500 && status != 429 => {
                PaymentError::Refused {
                    status,
                    message: e.message.unwrap_or_default(),
                }
            }
            other => PaymentError::Unavailable(other.to_string()),
        }
    }
}

#[cfg(feature = "stripe")]
/// The Stripe client, or none when payments are not configured.
#[derive(Clone)]
pub struct Payments {
    client: Option<stripe::Client>,
    publishable_key: String,
    webhook_secret: Secret,
    connect_webhook_secret: Secret,
    mode: PaymentMode,
    /// The Stripe double's base URL, for the local test-card form.
    test_card_url: Option<String>,
}

#[cfg(feature = "stripe")]
impl std::fmt::Debug for Payments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payments")
            .field("mode", &self.mode)
            .finish()
    }
}

#[cfg(feature = "stripe")]
use crate::tls::install_crypto_provider;

#[cfg(feature = "stripe")]
impl Payments {
    pub fn new(settings: StripeSettings) -> Result<Self, PaymentError> {
        install_crypto_provider();
        let mut builder = stripe::ClientBuilder::new(settings.secret_key.expose());
        if let Some(base) = &settings.api_base {
            builder = builder.url(base.clone());
        }
        let client = builder
            .build()
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        let mode = if settings.local {
            PaymentMode::Local
        } else if settings.secret_key.expose().starts_with("sk_live_") {
            PaymentMode::Live
        } else {
            PaymentMode::Test
        };
        Ok(Self {
            client: Some(client),
            publishable_key: settings.publishable_key,
            webhook_secret: settings.webhook_secret,
            connect_webhook_secret: settings.connect_webhook_secret,
            mode,
            test_card_url: settings.api_base.filter(|_| settings.local),
        })
    }

    /// No Stripe: free orders still work; paid checkouts answer 503.
    pub fn disabled() -> Self {
        Self {
            client: None,
            publishable_key: String::new(),
            webhook_secret: Secret::new(""),
            connect_webhook_secret: Secret::new(""),
            mode: PaymentMode::Disabled,
            test_card_url: None,
        }
    }

    /// Locally, where the site's test-card form sends the card: the Stripe double (never
    /// Marquee). `None` with real Stripe, whose Payment Element takes the card instead.
    pub fn test_card_url(&self) -> Option<&str> {
        self.test_card_url.as_deref()
    }

    pub fn mode(&self) -> PaymentMode {
        self.mode
    }

    pub fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    pub fn webhook_secret(&self) -> &Secret {
        &self.webhook_secret
    }

    pub fn connect_webhook_secret(&self) -> &Secret {
        &self.connect_webhook_secret
    }

    fn client(&self) -> Result<&stripe::Client, PaymentError> {
        self.client.as_ref().ok_or(PaymentError::Disabled)
    }

    pub async fn create_payment_intent(
        &self,
        request: PaymentRequest<'_>,
    ) -> Result<CreatedPaymentIntent, PaymentError> {
        let client = self.client()?;
        let Ok(currency) = stripe_types::Currency::from_str(&request.currency.to_lowercase());
        let key = IdempotencyKey::new(request.idempotency_key)
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        let mut create = CreatePaymentIntent::new(request.amount, currency)
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
            .description(request.description)
            .receipt_email(request.receipt_email)
            .metadata(request.metadata);
        // A direct charge: the venue's account takes the payment, the platform its fee.
        if matches!(request.account, PaymentAccount::Connected(_)) && request.application_fee > 0 {
            create = create.application_fee_amount(request.application_fee);
        }
        // Card details keyed in by staff for a phone order: no 3-D Secure challenge.
        if request.moto {
            let mut card =
                stripe_core::payment_intent::CreatePaymentIntentPaymentMethodOptionsCard::new();
            card.moto = Some(true);
            let mut options =
                stripe_core::payment_intent::CreatePaymentIntentPaymentMethodOptions::new();
            options.card = Some(card);
            create = create.payment_method_options(options);
        }
        let intent = on_account(
            create
                .customize()
                .request_strategy(RequestStrategy::Idempotent(key)),
            request.account,
        )?
        .send(client)
        .await
        .map_err(payment_error)?;
        let client_secret = intent
            .client_secret
            .ok_or_else(|| PaymentError::Unavailable("no client secret in the answer".into()))?;
        Ok(CreatedPaymentIntent {
            id: intent.id.to_string(),
            client_secret,
        })
    }

    /// The client secret of a PaymentIntent still waiting for the patron's card.
    pub async fn payable_secret(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<Option<String>, PaymentError> {
        use stripe_core::PaymentIntentStatus as Status;
        let intent = on_account(
            stripe_core::payment_intent::RetrievePaymentIntent::new(id).customize(),
            account,
        )?
        .send(self.client()?)
        .await
        .map_err(payment_error)?;
        let waiting = matches!(
            intent.status,
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction
        );
        Ok(intent.client_secret.filter(|_| waiting))
    }

    /// Cancels a PaymentIntent that will not be paid. Refused once it has succeeded.
    pub async fn cancel_payment_intent(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<(), PaymentError> {
        on_account(CancelPaymentIntent::new(id).customize(), account)?
            .send(self.client()?)
            .await
            .map_err(payment_error)?;
        Ok(())
    }

    /// Refunds `amount` of a PaymentIntent; the same key never refunds twice.
    pub async fn refund(&self, request: RefundRequest<'_>) -> Result<String, PaymentError> {
        let key = IdempotencyKey::new(request.idempotency_key)
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        let mut create = CreateRefund::new()
            .payment_intent(request.payment_intent)
            .amount(request.amount)
            .metadata(request.metadata);
        if matches!(request.account, PaymentAccount::Connected(_)) {
            create = create.refund_application_fee(request.refund_application_fee);
        }
        let refund = on_account(
            create
                .customize()
                .request_strategy(RequestStrategy::Idempotent(key)),
            request.account,
        )?
        .send(self.client()?)
        .await
        .map_err(payment_error)?;
        Ok(refund.id.to_string())
    }

    /// Every PaymentIntent created since `since` that succeeded, page by page, each with its
    /// charge expanded for the amount refunded.
    pub async fn succeeded_payments(
        &self,
        account: PaymentAccount<'_>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<SucceededPayment>, PaymentError> {
        let client = self.client()?;
        let mut succeeded = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut list = ListPaymentIntent::new()
                .created(stripe_types::RangeQueryTs::Bounds(
                    stripe_types::RangeBoundsTs {
                        gte: Some(since.timestamp()),
                        ..Default::default()
                    },
                ))
                .limit(LIST_PAGE)
                .expand(vec!["data.latest_charge".to_owned()]);
            if let Some(last) = &after {
                list = list.starting_after(last.clone());
            }
            let page = on_account(list.customize(), account)?
                .send(client)
                .await
                .map_err(payment_error)?;
            after = page.data.last().map(|intent| intent.id.to_string());
            for intent in page.data {
                if intent.status != stripe_core::PaymentIntentStatus::Succeeded {
                    continue;
                }
                let amount_refunded = intent
                    .latest_charge
                    .as_ref()
                    .and_then(|charge| charge.as_object())
                    .map_or(0, |charge| charge.amount_refunded);
                succeeded.push(SucceededPayment {
                    payment_intent: intent.id.to_string(),
                    amount: intent.amount_received,
                    currency: intent.currency.to_string(),
                    created: intent.created,
                    metadata: intent.metadata,
                    amount_refunded,
                });
            }
            if !page.has_more || after.is_none() {
                return Ok(succeeded);
            }
        }
    }
}

#[cfg(feature = "stripe")]
#[async_trait::async_trait]
impl marquee_app::ports::Payments for Payments {
    async fn create_payment_intent(
        &self,
        request: PaymentRequest<'_>,
    ) -> Result<CreatedPaymentIntent, PaymentError> {
        Payments::create_payment_intent(self, request).await
    }

    async fn cancel_payment_intent(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<(), PaymentError> {
        Payments::cancel_payment_intent(self, account, id).await
    }

    async fn refund(&self, request: RefundRequest<'_>) -> Result<String, PaymentError> {
        Payments::refund(self, request).await
    }

    async fn payable_secret(
        &self,
        account: PaymentAccount<'_>,
        id: &str,
    ) -> Result<Option<String>, PaymentError> {
        Payments::payable_secret(self, account, id).await
    }

    async fn succeeded_payments(
        &self,
        account: PaymentAccount<'_>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<SucceededPayment>, PaymentError> {
        Payments::succeeded_payments(self, account, since).await
    }
}

#[cfg(feature = "stripe")]
/// The request made on the venue's connected account (`Stripe-Account`), or the platform's.
fn on_account<T>(
    request: CustomizableStripeRequest<T>,
    account: PaymentAccount<'_>,
) -> Result<CustomizableStripeRequest<T>, PaymentError> {
    match account {
        PaymentAccount::Platform => Ok(request),
        PaymentAccount::Connected(id) => Ok(request.account_id(
            stripe::AccountId::from_str(id)
                .map_err(|e| PaymentError::Unavailable(format!("account id: {e:?}")))?,
        )),
    }
}

#[cfg(feature = "stripe")]
/// Stripe's account as the platform reads it.
fn provider_account(account: stripe_connect::Account) -> ProviderAccount {
    let requirements = account.requirements.as_ref();
    let due = ProviderAccount::due(
        requirements
            .into_iter()
            .flat_map(|r| r.past_due.iter().flatten().cloned()),
        requirements
            .into_iter()
            .flat_map(|r| r.currently_due.iter().flatten().cloned()),
    );
    ProviderAccount {
        id: account.id.to_string(),
        charges_enabled: account.charges_enabled.unwrap_or(false),
        payouts_enabled: account.payouts_enabled.unwrap_or(false),
        details_submitted: account.details_submitted.unwrap_or(false),
        requirements: due,
        disabled_reason: requirements
            .and_then(|r| r.disabled_reason.as_ref())
            .map(|reason| reason.as_str().to_owned()),
    }
}

#[cfg(feature = "stripe")]
fn account_id(id: &str) -> Result<stripe::AccountId, PaymentError> {
    stripe::AccountId::from_str(id)
        .map_err(|e| PaymentError::Unavailable(format!("account id: {e:?}")))
}

#[cfg(feature = "stripe")]
#[async_trait::async_trait]
impl marquee_app::ports::PaymentAccounts for Payments {
    /// A connected account for direct charges, set up the way Stripe recommends for them: the
    /// full Stripe Dashboard, Stripe collects requirements and carries losses, the account
    /// pays Stripe's fees (the Standard-like configuration).
    async fn create_account(
        &self,
        request: AccountRequest<'_>,
    ) -> Result<ProviderAccount, PaymentError> {
        use stripe_connect::account::{
            CreateAccount, CreateAccountBusinessProfile, CreateAccountController,
            CreateAccountControllerFees, CreateAccountControllerFeesPayer,
            CreateAccountControllerLosses, CreateAccountControllerLossesPayments,
            CreateAccountControllerRequirementCollection, CreateAccountControllerStripeDashboard,
            CreateAccountControllerStripeDashboardType, CreateAccountSettings,
            PaymentsSettingsSpecs,
        };
        let key = IdempotencyKey::new(request.idempotency_key)
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        let mut controller = CreateAccountController::new();
        controller.fees = Some(CreateAccountControllerFees {
            payer: Some(CreateAccountControllerFeesPayer::Account),
        });
        controller.losses = Some(CreateAccountControllerLosses {
            payments: Some(CreateAccountControllerLossesPayments::Stripe),
        });
        controller.requirement_collection =
            Some(CreateAccountControllerRequirementCollection::Stripe);
        controller.stripe_dashboard = Some(CreateAccountControllerStripeDashboard {
            type_: Some(CreateAccountControllerStripeDashboardType::Full),
        });
        let mut profile = CreateAccountBusinessProfile::new();
        profile.name = Some(request.business_name.to_owned());
        let mut payments = PaymentsSettingsSpecs::new();
        payments.statement_descriptor = Some(request.statement_descriptor);
        let mut settings = CreateAccountSettings::new();
        settings.payments = Some(payments);
        let Ok(currency) = stripe_types::Currency::from_str(&request.currency.to_lowercase());
        let mut create = CreateAccount::new()
            .controller(controller)
            .business_profile(profile)
            .settings(settings)
            .default_currency(currency)
            .metadata(request.metadata);
        if let Some(email) = request.email {
            create = create.email(email);
        }
        let account = create
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(self.client()?)
            .await
            .map_err(payment_error)?;
        Ok(provider_account(account))
    }

    async fn account(&self, id: &str) -> Result<ProviderAccount, PaymentError> {
        let account = stripe_connect::account::RetrieveAccount::new(account_id(id)?)
            .send(self.client()?)
            .await
            .map_err(payment_error)?;
        Ok(provider_account(account))
    }

    async fn onboarding_link(
        &self,
        account: &str,
        return_url: &str,
        refresh_url: &str,
    ) -> Result<String, PaymentError> {
        use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
        let link = CreateAccountLink::new(account, CreateAccountLinkType::AccountOnboarding)
            .return_url(return_url)
            .refresh_url(refresh_url)
            .send(self.client()?)
            .await
            .map_err(payment_error)?;
        Ok(link.url)
    }

    async fn balance(&self, account: &str) -> Result<Balance, PaymentError> {
        let balance = stripe_core::balance::RetrieveForMyAccountBalance::new()
            .customize()
            .account_id(account_id(account)?)
            .send(self.client()?)
            .await
            .map_err(payment_error)?;
        let amounts = |funds: &[stripe_core::BalanceAmount]| {
            funds
                .iter()
                .map(|f| Amount {
                    amount: f.amount,
                    currency: f.currency.to_string(),
                })
                .collect()
        };
        Ok(Balance {
            available: amounts(&balance.available),
            pending: amounts(&balance.pending),
        })
    }

    async fn payouts(&self, account: &str, limit: u8) -> Result<Vec<Payout>, PaymentError> {
        let page = stripe_core::payout::ListPayout::new()
            .limit(i64::from(limit))
            .customize()
            .account_id(account_id(account)?)
            .send(self.client()?)
            .await
            .map_err(payment_error)?;
        Ok(page
            .data
            .into_iter()
            .map(|payout| Payout {
                id: payout.id.to_string(),
                amount: Amount {
                    amount: payout.amount,
                    currency: payout.currency.to_string(),
                },
                status: payout.status,
                arrival_date: payout.arrival_date,
                created: payout.created,
            })
            .collect())
    }

    async fn payment_breakdown(
        &self,
        account: PaymentAccount<'_>,
        payment_intent: &str,
    ) -> Result<Option<PaymentBreakdown>, PaymentError> {
        let intent = on_account(
            stripe_core::payment_intent::RetrievePaymentIntent::new(payment_intent)
                .expand(vec!["latest_charge.balance_transaction".to_owned()])
                .customize(),
            account,
        )?
        .send(self.client()?)
        .await
        .map_err(payment_error)?;
        let Some(transaction) = intent
            .latest_charge
            .as_ref()
            .and_then(|charge| charge.as_object())
            .and_then(|charge| charge.balance_transaction.as_ref())
            .and_then(|transaction| transaction.as_object())
        else {
            return Ok(None);
        };
        let fee_of = |kind: &str| -> i64 {
            transaction
                .fee_details
                .iter()
                .filter(|detail| detail.type_ == kind)
                .map(|detail| detail.amount)
                .sum()
        };
        Ok(Some(PaymentBreakdown {
            gross: transaction.amount,
            provider_fee: fee_of("stripe_fee"),
            application_fee: fee_of("application_fee"),
            net: transaction.net,
            currency: transaction.currency.to_string(),
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Verifies a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) against the raw request body:
/// HMAC-SHA256 keyed with the whole `whsec_…` secret over `"{t}.{body}"`, any `v1` may match
/// (Stripe sends two while a secret is rolled), compared in constant time, and the timestamp
/// within `tolerance` seconds of `now` (replays of old deliveries are refused).
pub fn verify_webhook_signature(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match name {
            "t" => timestamp = Some(value.parse().map_err(|_| SignatureError::Malformed)?),
            "v1" => {
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {} // v0 and future schemes are ignored, as Stripe's libraries do
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().any(|signature| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    #[test]
    fn a_correct_signature_within_tolerance_is_accepted() {
        let header = format!("t=1000,v1={}", sign(SECRET, 1000, BODY));
        assert_eq!(
            verify_webhook_signature(Some(&header), BODY, SECRET, 1200, 300),
            Ok(())
        );
    }

    #[test]
    fn any_of_several_signatures_may_match_while_a_secret_rolls() {
        let header = format!(
            "t=1000,v1={},v1={},v0=abc",
            sign("whsec_old", 1000, BODY),
            sign(SECRET, 1000, BODY)
        );
        assert_eq!(
            verify_webhook_signature(Some(&header), BODY, SECRET, 1000, 300),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_a_wrong_secret_or_an_old_timestamp_is_refused() {
        let header = format!("t=1000,v1={}", sign(SECRET, 1000, BODY));
        let changed = br#"{"id":"evt_1","type":"payment_intent.succeeded" }"#;
        assert_eq!(
            verify_webhook_signature(Some(&header), changed, SECRET, 1000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_webhook_signature(Some(&header), BODY, "whsec_other", 1000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_webhook_signature(Some(&header), BODY, SECRET, 1301, 300),
            Err(SignatureError::Stale)
        );
        // The timestamp is signed: moving it forward breaks the signature.
        let moved = header.replace("t=1000", "t=1250");
        assert_eq!(
            verify_webhook_signature(Some(&moved), BODY, SECRET, 1301, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_are_refused_without_panicking() {
        for header in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1000",
            "garbage",
            "t=1000,v1=zz",
        ] {
            assert!(
                verify_webhook_signature(Some(header), BODY, SECRET, 1000, 300).is_err(),
                "{header}"
            );
        }
        assert_eq!(
            verify_webhook_signature(None, BODY, SECRET, 1000, 300),
            Err(SignatureError::Missing)
        );
    }
}
