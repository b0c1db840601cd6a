//! Staff accounts: invitations, and the login-attempt budget that locks an account after
//! repeated failures.

use crate::tenancy::{item, key, s};
use crate::{StaffRecord, StaffStatus};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use marquee_domain::{Email, TenantId};

/// The outcome of reserving a login attempt before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempt {
    /// Attempts since the last success, this one included.
    pub attempts: u32,
}

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
            .set_key(Some(key(keys::tenant(tenant), &keys::staff_sk(email))))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    pub async fn list_staff(&self, tenant: &TenantId) -> Result<Vec<StaffRecord>, StoreError> {
        self.query_prefix(keys::tenant(tenant), keys::STAFF_PREFIX)
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
                keys::tenant(tenant),
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
            .set_key(Some(key(keys::tenant(tenant), &keys::staff_sk(email))))
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

    /// Counts a login attempt before the password is checked, so parallel guesses cannot
    /// outrun the lock: at most `max` attempts are granted between successes. Refused with
    /// `Locked` while the account is locked, and `AttemptsExhausted` once `max` is used up.
    pub async fn reserve_login_attempt(
        &self,
        tenant: &TenantId,
        email: &Email,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<LoginAttempt, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), &keys::staff_sk(email))))
            .update_expression("ADD failedLogins :one")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now) \
                 AND (attribute_not_exists(failedLogins) OR failedLogins < :max)",
            )
            .expression_attribute_values(":one", num(1))
            .expression_attribute_values(":max", num(i64::from(max)))
            .expression_attribute_values(":now", num(now.timestamp()))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match out {
            Ok(out) => {
                let record: StaffRecord = serde_dynamo::from_item(out.attributes.unwrap_or_default())?;
                Ok(LoginAttempt { attempts: record.failed_logins })
            }
            Err(err) => match err.into_service_error() {
                aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(e) => {
                    let Some(item) = e.item else { return Err(StoreError::ConditionFailed) };
                    let until = item
                        .get("lockedUntil")
                        .and_then(|v| v.as_n().ok())
                        .and_then(|n| n.parse().ok())
                        .and_then(|secs: i64| DateTime::from_timestamp(secs, 0))
                        .filter(|until| *until > now);
                    match until {
                        Some(until) => Err(StoreError::Locked { until }),
                        None => Err(StoreError::AttemptsExhausted),
                    }
                }
                other => Err(StoreError::dynamo(other)),
            },
        }
    }

    /// Locks the account until `until` and starts a fresh attempt count for afterwards.
    pub async fn lock_account(
        &self,
        tenant: &TenantId,
        email: &Email,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), &keys::staff_sk(email))))
            .update_expression("SET lockedUntil = :until, failedLogins = :zero")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":until", num(until.timestamp()))
            .expression_attribute_values(":zero", num(0))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    pub async fn clear_login_failures(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), &keys::staff_sk(email))))
            .update_expression("SET failedLogins = :zero REMOVE lockedUntil")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":zero", num(0))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }
}
