//! Payment agreements as stored: the operator's settings (`PLATFORM` / `SETTINGS`), each
//! venue's connected account and fee (attributes of its venue item), and the index from a
//! connected account to its venue (`PLATFORM#ACCOUNTS` / `ACCT#{id}`), which the provider's
//! account events and reconciliation read.

use crate::error::{applied, condition_failed_at};
use crate::tenancy::{item, key, s};
use crate::{Store, StoreError, keys};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use marquee_app::ports::{AgreementStore, LinkOutcome, PortError};
use marquee_domain::{ConnectedAccount, PlatformFee, PlatformSettings, TenantId};
use serde::{Deserialize, Serialize};

/// A connected account's venue.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountIndex {
    account_id: String,
    tenant: TenantId,
}

impl Store {
    pub async fn platform_settings(&self) -> Result<PlatformSettings, StoreError> {
        Ok(self
            .get(keys::PLATFORM.to_owned(), keys::PLATFORM_SETTINGS_SK)
            .await?
            .unwrap_or_default())
    }

    pub async fn put_platform_settings(
        &self,
        settings: &PlatformSettings,
    ) -> Result<(), StoreError> {
        self.put(item(
            keys::PLATFORM.to_owned(),
            keys::PLATFORM_SETTINGS_SK,
            settings,
        )?)
        .await
    }

    /// Sets (or clears) the venue's own fee; `false` when there is no such venue.
    pub async fn set_venue_fee(
        &self,
        tenant: &TenantId,
        fee: Option<PlatformFee>,
    ) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), keys::VENUE_SK)))
            .condition_expression("attribute_exists(pk)");
        let update = match fee {
            Some(fee) => update
                .update_expression("SET platformFee = :f")
                .expression_attribute_values(":f", serde_dynamo::to_attribute_value(fee)?),
            None => update.update_expression("REMOVE platformFee"),
        };
        applied(update.send().await)
    }

    /// Gives the venue `account` unless it has one, and indexes it, in one transaction.
    pub async fn link_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<LinkOutcome, StoreError> {
        let venue = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), keys::VENUE_SK)))
            .update_expression("SET payments = :p")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(payments)")
            .expression_attribute_values(":p", serde_dynamo::to_attribute_value(account)?)
            .build()
            .map_err(StoreError::dynamo)?;
        let index = AccountIndex {
            account_id: account.account_id.clone(),
            tenant: tenant.clone(),
        };
        let index = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::PLATFORM_ACCOUNTS.to_owned(),
                &keys::account_sk(&account.account_id),
                &index,
            )?))
            .build()
            .map_err(StoreError::dynamo)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(venue).build())
            .transact_items(TransactWriteItem::builder().put(index).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(LinkOutcome::Linked),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e)
                    if condition_failed_at(e.cancellation_reasons(), 0) =>
                {
                    let existing = self
                        .venue(tenant)
                        .await?
                        .and_then(|v| v.payments)
                        .ok_or(StoreError::ConditionFailed)?;
                    Ok(LinkOutcome::AlreadyLinked(existing))
                }
                other => Err(StoreError::dynamo(other)),
            },
        }
    }

    /// Stores a newer state of the venue's account: only the account it has.
    pub async fn update_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), keys::VENUE_SK)))
            .update_expression("SET payments = :p")
            .condition_expression("payments.accountId = :id")
            .expression_attribute_values(":p", serde_dynamo::to_attribute_value(account)?)
            .expression_attribute_values(":id", s(&account.account_id))
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::ConditionFailed,
                err => StoreError::dynamo(err),
            })?;
        Ok(())
    }

    pub async fn tenant_for_account(
        &self,
        account_id: &str,
    ) -> Result<Option<TenantId>, StoreError> {
        let index: Option<AccountIndex> = self
            .get(
                keys::PLATFORM_ACCOUNTS.to_owned(),
                &keys::account_sk(account_id),
            )
            .await?;
        Ok(index.map(|i| i.tenant))
    }

    pub async fn connected_accounts(&self) -> Result<Vec<(String, TenantId)>, StoreError> {
        let index: Vec<AccountIndex> = self
            .query_prefix(keys::PLATFORM_ACCOUNTS.to_owned(), keys::ACCOUNT_PREFIX)
            .await?;
        Ok(index
            .into_iter()
            .map(|i| (i.account_id, i.tenant))
            .collect())
    }
}

#[async_trait]
impl AgreementStore for Store {
    async fn put_platform_settings(&self, settings: &PlatformSettings) -> Result<(), PortError> {
        Ok(Store::put_platform_settings(self, settings).await?)
    }

    async fn set_venue_fee(
        &self,
        tenant: &TenantId,
        fee: Option<PlatformFee>,
    ) -> Result<bool, PortError> {
        Ok(Store::set_venue_fee(self, tenant, fee).await?)
    }

    async fn link_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<LinkOutcome, PortError> {
        Ok(Store::link_account(self, tenant, account).await?)
    }

    async fn update_account(
        &self,
        tenant: &TenantId,
        account: &ConnectedAccount,
    ) -> Result<(), PortError> {
        Ok(Store::update_account(self, tenant, account).await?)
    }

    async fn tenant_for_account(&self, account_id: &str) -> Result<Option<TenantId>, PortError> {
        Ok(Store::tenant_for_account(self, account_id).await?)
    }

    async fn connected_accounts(&self) -> Result<Vec<(String, TenantId)>, PortError> {
        Ok(Store::connected_accounts(self).await?)
    }
}
