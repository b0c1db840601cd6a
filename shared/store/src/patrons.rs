//! Patron accounts (per venue, in the venue's patron partition that only the public API may
//! read): the password hash, the token version, a pending password-reset code (hashed,
//! expiring, five tries), and the index of the patron's orders.

use crate::tenancy::{item, key};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use marquee_domain::{Email, OrderId, TenantId};
use serde::{Deserialize, Serialize};

/// Wrong codes allowed before a reset code stops working.
pub const MAX_RESET_ATTEMPTS: u32 = 5;

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatronRecord {
    pub email: Email,
    pub name: String,
    pub password_hash: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_code_hash: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_expires_at: Option<String>,
    #[serde(default)]
    pub reset_attempts: u32,
    /// As for staff: every patron token carries it; a password reset moves it on and so ends
    /// every earlier session.
    #[serde(default)]
    pub token_version: i64,
}

impl std::fmt::Debug for PatronRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatronRecord")
            .field("email", &self.email)
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatronOrderRef {
    order_id: OrderId,
}

impl Store {
    /// Creates an account; `AlreadyExists` if the email has one at this venue.
    pub async fn create_patron(
        &self,
        tenant: &TenantId,
        patron: &PatronRecord,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::patron_accounts(tenant),
                &keys::patron_sk(&patron.email),
                patron,
            )?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::AlreadyExists)
            }
            Err(e) => Err(StoreError::sdk(e)),
        }
    }

    pub async fn patron(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Option<PatronRecord>, StoreError> {
        self.get(keys::patron_accounts(tenant), &keys::patron_sk(email))
            .await
    }

    /// Stores a new reset code (replacing any earlier one) with its expiry.
    pub async fn set_reset_code(
        &self,
        tenant: &TenantId,
        email: &Email,
        code_hash: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::patron_accounts(tenant),
                &keys::patron_sk(email),
            )))
            .update_expression("SET resetCodeHash = :h, resetExpiresAt = :e, resetAttempts = :zero")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":h", AttributeValue::S(code_hash.to_owned()))
            .expression_attribute_values(":e", AttributeValue::S(expires_at.to_owned()))
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .send()
            .await
            .map(|_| ())
            .map_err(StoreError::sdk)
    }

    /// Sets a new password if `code_hash` is the pending, unexpired code with tries left; the
    /// code is used up either way on success. `ConditionFailed` otherwise (and a try is
    /// counted).
    pub async fn reset_password(
        &self,
        tenant: &TenantId,
        email: &Email,
        code_hash: &str,
        password_hash: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::patron_accounts(tenant),
                &keys::patron_sk(email),
            )))
            .update_expression(
                "SET passwordHash = :p REMOVE resetCodeHash, resetExpiresAt ADD tokenVersion :one",
            )
            .condition_expression(
                "resetCodeHash = :h AND resetExpiresAt > :now AND resetAttempts < :max",
            )
            .expression_attribute_values(":p", AttributeValue::S(password_hash.to_owned()))
            .expression_attribute_values(":h", AttributeValue::S(code_hash.to_owned()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_owned()))
            .expression_attribute_values(":max", AttributeValue::N(MAX_RESET_ATTEMPTS.to_string()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                // Count the wrong try (only while a code is pending).
                let _ = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key(
                        keys::patron_accounts(tenant),
                        &keys::patron_sk(email),
                    )))
                    .update_expression("SET resetAttempts = resetAttempts + :one")
                    .condition_expression("attribute_exists(resetCodeHash)")
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .send()
                    .await;
                Err(StoreError::ConditionFailed)
            }
            Err(e) => Err(StoreError::sdk(e)),
        }
    }

    /// The ids of a patron's orders, newest first.
    pub async fn patron_order_ids(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Vec<OrderId>, StoreError> {
        let refs: Vec<PatronOrderRef> = self
            .query_prefix(
                keys::patron_orders(tenant, email),
                keys::PATRON_ORDER_PREFIX,
            )
            .await?;
        Ok(refs.into_iter().rev().map(|r| r.order_id).collect())
    }

    /// The ids of every order placed with this contact email, newest first (guest orders
    /// too; orders from before the index existed are not in it).
    pub async fn email_order_ids(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Vec<OrderId>, StoreError> {
        let refs: Vec<PatronOrderRef> = self
            .query_prefix(keys::email_orders(tenant, email), keys::PATRON_ORDER_PREFIX)
            .await?;
        Ok(refs.into_iter().rev().map(|r| r.order_id).collect())
    }
}

/// The index item linking an order to its contact email (written with the checkout).
pub(crate) fn email_order_item(
    tenant: &TenantId,
    email: &Email,
    created_at: &str,
    order: &OrderId,
) -> Result<std::collections::HashMap<String, AttributeValue>, StoreError> {
    item(
        keys::email_orders(tenant, email),
        &keys::patron_order_sk(created_at, order),
        &PatronOrderRef {
            order_id: order.clone(),
        },
    )
}

/// The index item linking an order to its patron (written with the checkout).
pub(crate) fn patron_order_item(
    tenant: &TenantId,
    email: &Email,
    created_at: &str,
    order: &OrderId,
) -> Result<std::collections::HashMap<String, AttributeValue>, StoreError> {
    item(
        keys::patron_orders(tenant, email),
        &keys::patron_order_sk(created_at, order),
        &PatronOrderRef {
            order_id: order.clone(),
        },
    )
}
