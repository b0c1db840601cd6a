//! Staff accounts, in the venue's staff partition (only the admin API may read it whole; the
//! `live` function may read the three attributes of [`Store::staff_session`]): invitations,
//! role changes and removal (never of the last owner), password changes, and the token
//! version that ends every session issued before it.

use crate::error::build;
use crate::tenancy::{item, key, s};
use crate::{StaffRecord, StaffStatus};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, ReturnValue, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use marquee_domain::Role;
use marquee_domain::{Email, TenantId};

fn num(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

impl Store {
    pub async fn staff(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Option<StaffRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::staff_accounts(tenant),
                &keys::staff_sk(email),
            )))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// What a staff token is checked against — the account's role, status and token
    /// version, and nothing else (no hash, no code): the only read of the staff partition
    /// the `live` function's role allows (`dynamodb:Attributes` in the template).
    pub async fn staff_session(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Option<StaffSessionRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::staff_accounts(tenant),
                &keys::staff_sk(email),
            )))
            .projection_expression("#role, #status, tokenVersion")
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#status", "status")
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    pub async fn list_staff(&self, tenant: &TenantId) -> Result<Vec<StaffRecord>, StoreError> {
        self.query_prefix(keys::staff_accounts(tenant), keys::STAFF_PREFIX)
            .await
    }

    /// Stores an invitation. Re-inviting someone who has not yet accepted replaces the
    /// invitation; an active account is never overwritten.
    pub async fn put_invitation(
        &self,
        tenant: &TenantId,
        record: &StaffRecord,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::staff_accounts(tenant),
                &keys::staff_sk(&record.email),
                record,
            )?))
            .condition_expression("attribute_not_exists(pk) OR #status = :invited")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":invited", s(StaffStatus::Invited.as_str()))
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::AlreadyExists,
                err => StoreError::dynamo(err),
            })?;
        Ok(())
    }

    /// Turns an invitation into an active account, if the code matches and has not expired.
    pub async fn accept_invitation(
        &self,
        tenant: &TenantId,
        email: &Email,
        code_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::staff_accounts(tenant), &keys::staff_sk(email))))
            .update_expression("SET #status = :active, passwordHash = :hash REMOVE inviteCodeHash, inviteExpiresAt")
            .condition_expression("#status = :invited AND inviteCodeHash = :code AND inviteExpiresAt > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", s(StaffStatus::Active.as_str()))
            .expression_attribute_values(":invited", s(StaffStatus::Invited.as_str()))
            .expression_attribute_values(":hash", AttributeValue::S(password_hash.to_owned()))
            .expression_attribute_values(":code", AttributeValue::S(code_hash.to_owned()))
            .expression_attribute_values(":now", num(now.timestamp()))
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::ConditionFailed,
                err => StoreError::dynamo(err),
            })?;
        Ok(())
    }

    /// Changes a member's role. `expected` is the role the caller decided on (a concurrent
    /// change makes this fail with `ConditionFailed`). Demoting an owner names another
    /// active owner who must still be one when the change is written (`keep_owner`), so two
    /// owners demoting each other at once cannot leave the venue without one.
    pub async fn change_staff_role(
        &self,
        tenant: &TenantId,
        email: &Email,
        expected: Role,
        role: Role,
        keep_owner: Option<&Email>,
    ) -> Result<(), StoreError> {
        let update = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::staff_accounts(tenant),
                    &keys::staff_sk(email),
                )))
                .update_expression("SET #role = :role")
                .condition_expression("#role = :expected")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":role", s(role.as_str()))
                .expression_attribute_values(":expected", s(expected.as_str()))
                .build(),
        )?;
        self.write_keeping_an_owner(
            tenant,
            TransactWriteItem::builder().update(update).build(),
            keep_owner,
        )
        .await
    }

    /// Removes a member (or a pending invitation) whose role is still `expected`; with
    /// `keep_owner` as in [`Store::change_staff_role`]. Their tokens stop working because
    /// their account is gone.
    pub async fn remove_staff(
        &self,
        tenant: &TenantId,
        email: &Email,
        expected: Role,
        keep_owner: Option<&Email>,
    ) -> Result<(), StoreError> {
        let delete = build(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::staff_accounts(tenant),
                    &keys::staff_sk(email),
                )))
                .condition_expression("#role = :expected")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":expected", s(expected.as_str()))
                .build(),
        )?;
        self.write_keeping_an_owner(
            tenant,
            TransactWriteItem::builder().delete(delete).build(),
            keep_owner,
        )
        .await
    }

    async fn write_keeping_an_owner(
        &self,
        tenant: &TenantId,
        write: TransactWriteItem,
        keep_owner: Option<&Email>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.client.transact_write_items().transact_items(write);
        if let Some(owner) = keep_owner {
            let check = build(
                ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(
                        keys::staff_accounts(tenant),
                        &keys::staff_sk(owner),
                    )))
                    .condition_expression("#role = :owner AND #status = :active")
                    .expression_attribute_names("#role", "role")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":owner", s(Role::Owner.as_str()))
                    .expression_attribute_values(":active", s(StaffStatus::Active.as_str()))
                    .build(),
            )?;
            transaction = transaction
                .transact_items(TransactWriteItem::builder().condition_check(check).build());
        }
        match transaction.send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(_) => {
                    Err(StoreError::ConditionFailed)
                }
                other => Err(StoreError::dynamo(other)),
            },
        }
    }

    /// Sets an active member's password and moves their token version on, which ends every
    /// session issued before. Returns the new version (for the caller's fresh token).
    pub async fn set_staff_password(
        &self,
        tenant: &TenantId,
        email: &Email,
        password_hash: &str,
    ) -> Result<i64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::staff_accounts(tenant),
                &keys::staff_sk(email),
            )))
            .update_expression("SET passwordHash = :hash ADD tokenVersion :one")
            .condition_expression("#status = :active")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", s(StaffStatus::Active.as_str()))
            .expression_attribute_values(":hash", AttributeValue::S(password_hash.to_owned()))
            .expression_attribute_values(":one", num(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::ConditionFailed,
                err => StoreError::dynamo(err),
            })?;
        let record: StaffRecord = serde_dynamo::from_item(out.attributes.unwrap_or_default())?;
        Ok(record.token_version)
    }
}

/// A staff account's role, status and token version ([`Store::staff_session`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffSessionRecord {
    pub role: Role,
    pub status: StaffStatus,
    #[serde(default)]
    pub token_version: i64,
}
