//! Payment agreements: each venue is paid directly through its own connected Stripe account
//! (direct charges: the venue is the merchant of record), and the platform takes its fee.
//!
//! - Onboarding: the owner starts it; the account is created once per venue (the provider's
//!   idempotency key and a conditional link in the store), then a single-use onboarding link
//!   is made each time. Coming back, or the provider's `account.updated` event, stores the
//!   account's state; a venue sells only while its account can take charges.
//! - The platform fee: the operator's default or the venue's own; see [`PlatformFee`].
//! - After the sale: balance, payouts and each payment's fees, read from the provider.

use crate::ports::{
    AccountRequest, AgreementStore, Balance, Catalog, Clock, LinkOutcome, PaymentAccount,
    PaymentAccounts, PaymentBreakdown, PaymentError, Payout, PortError, ProviderAccount,
};
use crate::prepared::TtlCache;
use marquee_domain::records::VenueRecord;
use marquee_domain::{
    ConnectedAccount, PaymentsStatus, PlatformFee, PlatformSettings, Role, TenantId,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How long an instance shows the same balance and payouts before asking the provider again.
const PAYOUTS_TTL: Duration = Duration::from_secs(60);
/// Payouts shown.
const PAYOUTS_SHOWN: u8 = 10;

#[derive(Debug, thiserror::Error)]
pub enum AgreementError {
    #[error("no such venue")]
    VenueNotFound,
    #[error("only an owner can change payment settings")]
    NotOwner,
    /// The venue has no connected account yet.
    #[error("the venue has not connected a Stripe account")]
    NotConnected,
    /// The venue's account cannot take charges: why, in words for staff.
    #[error("{0}")]
    NotReady(String),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] PortError),
}

/// A venue's payment agreement as the admin shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub status: PaymentsStatus,
    pub account: Option<ConnectedAccount>,
    /// The fee that applies to the venue's card sales.
    pub platform_fee: PlatformFee,
    /// Whether it is the venue's own (rather than the platform's default).
    pub fee_overridden: bool,
    pub refund_platform_fee: bool,
}

/// Where the provider sends the venue back after onboarding.
#[derive(Debug, Clone)]
pub struct OnboardingUrls {
    pub return_url: String,
    pub refresh_url: String,
}

/// Balance and recent payouts of a venue's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutsView {
    pub balance: Balance,
    pub payouts: Vec<Payout>,
}

/// What became of a provider event about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEvent {
    Updated(PaymentsStatus),
    /// Not an account of any venue: ignored.
    UnknownAccount,
}

pub struct PaymentAgreements {
    catalog: Arc<dyn Catalog>,
    store: Arc<dyn AgreementStore>,
    accounts: Arc<dyn PaymentAccounts>,
    clock: Arc<dyn Clock>,
    payouts: TtlCache<TenantId, PayoutsView>,
}

impl PaymentAgreements {
    pub fn new(
        catalog: Arc<dyn Catalog>,
        store: Arc<dyn AgreementStore>,
        accounts: Arc<dyn PaymentAccounts>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            store,
            accounts,
            clock,
            payouts: TtlCache::new(PAYOUTS_TTL, 256),
        }
    }

    async fn venue(&self, tenant: &TenantId) -> Result<VenueRecord, AgreementError> {
        self.catalog
            .venue(tenant)
            .await?
            .ok_or(AgreementError::VenueNotFound)
    }

    /// The venue's agreement; with `refresh`, the account's state is read from the provider
    /// first (when the venue comes back from onboarding).
    pub async fn agreement(
        &self,
        tenant: &TenantId,
        refresh: bool,
    ) -> Result<Agreement, AgreementError> {
        let venue = self.venue(tenant).await?;
        let account = match (&venue.payments, refresh) {
            (Some(stored), true) => Some(self.refresh(tenant, stored).await?),
            (stored, _) => stored.clone(),
        };
        let settings = self.catalog.platform_settings().await?;
        Ok(Agreement {
            status: account
                .as_ref()
                .map_or(PaymentsStatus::NotConnected, ConnectedAccount::status),
            account,
            platform_fee: venue.platform_fee.unwrap_or(settings.platform_fee),
            fee_overridden: venue.platform_fee.is_some(),
            refund_platform_fee: settings.refund_platform_fee,
        })
    }

    async fn refresh(
        &self,
        tenant: &TenantId,
        stored: &ConnectedAccount,
    ) -> Result<ConnectedAccount, AgreementError> {
        let fresh = self.accounts.account(&stored.account_id).await?;
        let record = fresh.into_record(self.clock.now().to_rfc3339(), Some(stored));
        if &record != stored {
            self.store.update_account(tenant, &record).await?;
        }
        Ok(record)
    }

    /// Starts (or resumes) onboarding: the venue's account, created once, and a fresh
    /// single-use link to the provider's onboarding. Owners only.
    pub async fn start_onboarding(
        &self,
        tenant: &TenantId,
        role: Role,
        owner_email: &str,
        urls: &OnboardingUrls,
    ) -> Result<String, AgreementError> {
        if role != Role::Owner {
            return Err(AgreementError::NotOwner);
        }
        let venue = self.venue(tenant).await?;
        let account_id = match &venue.payments {
            Some(account) => account.account_id.clone(),
            None => self.open_account(&venue, owner_email).await?,
        };
        Ok(self
            .accounts
            .onboarding_link(&account_id, &urls.return_url, &urls.refresh_url)
            .await?)
    }

    /// Creates the venue's account at the provider and links it. Two owners pressing at once
    /// get one account: the provider's idempotency key names the venue, and the store links
    /// only the first.
    async fn open_account(
        &self,
        venue: &VenueRecord,
        owner_email: &str,
    ) -> Result<String, AgreementError> {
        let created = self
            .accounts
            .create_account(AccountRequest {
                business_name: &venue.settings.name,
                email: Some(owner_email),
                currency: venue.settings.currency.code(),
                statement_descriptor: marquee_domain::agreements::statement_descriptor(
                    &venue.settings.name,
                ),
                metadata: HashMap::from([
                    ("tenant".to_owned(), venue.id.to_string()),
                    ("slug".to_owned(), venue.slug.to_string()),
                ]),
                idempotency_key: format!("connect-account-{}", venue.id),
            })
            .await?;
        let record = created.into_record(self.clock.now().to_rfc3339(), None);
        match self.store.link_account(&venue.id, &record).await? {
            LinkOutcome::Linked => {
                tracing::info!(tenant = %venue.id, account = %record.account_id, "connected account created");
                Ok(record.account_id)
            }
            LinkOutcome::AlreadyLinked(existing) => Ok(existing.account_id),
        }
    }

    /// The provider's `account.updated`: stores the account's new state for its venue.
    pub async fn account_updated(
        &self,
        account: ProviderAccount,
    ) -> Result<AccountEvent, AgreementError> {
        let Some(tenant) = self.store.tenant_for_account(&account.id).await? else {
            tracing::info!(account = %account.id, "account event for an account of no venue ignored");
            return Ok(AccountEvent::UnknownAccount);
        };
        let venue = self.venue(&tenant).await?;
        let Some(stored) = venue.payments.filter(|p| p.account_id == account.id) else {
            return Ok(AccountEvent::UnknownAccount);
        };
        let record = account.into_record(self.clock.now().to_rfc3339(), Some(&stored));
        let status = record.status();
        if record != stored {
            self.store.update_account(&tenant, &record).await?;
        }
        if status != stored.status() {
            tracing::info!(tenant = %tenant, account = %record.account_id, ?status, "payments status changed");
        }
        Ok(AccountEvent::Updated(status))
    }

    /// Whether the venue may sell by card now (publishing on sale, a paid checkout): its
    /// account takes charges. The refusal says why, for staff.
    pub fn ready_to_sell(venue: &VenueRecord) -> Result<&ConnectedAccount, AgreementError> {
        match &venue.payments {
            Some(account) if account.charges_enabled => Ok(account),
            None => Err(AgreementError::NotReady(
                "Connect a Stripe account on the Payments page before selling tickets by card."
                    .into(),
            )),
            Some(account) if account.status() == PaymentsStatus::Restricted => {
                Err(AgreementError::NotReady(format!(
                    "Stripe has disabled card payments for this venue ({}). Open the Payments \
                     page to see what Stripe needs.",
                    account
                        .disabled_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                )))
            }
            Some(_) => Err(AgreementError::NotReady(
                "Finish setting up the venue's Stripe account on the Payments page before \
                 selling tickets by card."
                    .into(),
            )),
        }
    }

    /// Balance and recent payouts, from the provider (kept a minute by this instance).
    pub async fn payouts(&self, tenant: &TenantId) -> Result<Arc<PayoutsView>, AgreementError> {
        if let Some(hit) = self.payouts.get(tenant) {
            return Ok(hit);
        }
        let venue = self.venue(tenant).await?;
        let account = venue.payments.ok_or(AgreementError::NotConnected)?;
        let (balance, payouts) = futures::try_join!(
            self.accounts.balance(&account.account_id),
            self.accounts.payouts(&account.account_id, PAYOUTS_SHOWN)
        )?;
        let view = Arc::new(PayoutsView { balance, payouts });
        self.payouts.put(tenant.clone(), view.clone());
        Ok(view)
    }

    /// Where an order's payment went: gross, the provider's fee, the platform's, net.
    pub async fn payment_breakdown(
        &self,
        stripe_account: Option<&str>,
        payment_intent: &str,
    ) -> Result<Option<PaymentBreakdown>, AgreementError> {
        Ok(self
            .accounts
            .payment_breakdown(PaymentAccount::of(stripe_account), payment_intent)
            .await?)
    }

    /// The operator sets the default fee (already checked: [`PlatformFee::parse`]) and the
    /// refund policy.
    pub async fn set_platform_settings(
        &self,
        settings: PlatformSettings,
    ) -> Result<(), AgreementError> {
        Ok(self.store.put_platform_settings(&settings).await?)
    }

    /// The operator sets (or with `None` clears) a venue's own fee.
    pub async fn set_venue_fee(
        &self,
        tenant: &TenantId,
        fee: Option<PlatformFee>,
    ) -> Result<(), AgreementError> {
        if self.store.set_venue_fee(tenant, fee).await? {
            Ok(())
        } else {
            Err(AgreementError::VenueNotFound)
        }
    }
}

#[cfg(test)]
mod tests;
