//! Mail delivery leases: a mail job is sent once in practice even when SQS delivers it twice.
//!
//! A delivery takes a lease that expires (not a claim that must be given back): while it
//! runs, another delivery of the same job waits (SQS retries it later); once SES accepted the
//! message, its message id is recorded and every later delivery skips. A delivery whose
//! worker crashed leaves a lease that simply runs out, and the next delivery sends — unless a
//! message id was recorded. The one window that can send twice: a crash after SES accepted
//! the message and before its id was recorded.

use crate::tenancy::{key, n, s};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};
use marquee_domain::TenantId;

/// How long the record of a job is kept; longer than SQS keeps any message.
const KEEP_DAYS: i64 = 15;

/// What a delivery of a mail job may do (the application layer's `MailLease`).
pub use marquee_app::mail::MailLease;

impl Store {
    /// Takes the job's lease, unless it was sent or another delivery holds a live lease.
    pub async fn lease_mail_job(
        &self,
        tenant: &TenantId,
        job_id: &str,
        now: DateTime<Utc>,
        lease_seconds: i64,
    ) -> Result<MailLease, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::mail_claim(tenant, job_id), keys::MAIL_CLAIM_SK)))
            .update_expression(
                "SET leaseUntil = :until, #ttl = :ttl, attempts = if_not_exists(attempts, :zero) + :one",
            )
            .condition_expression(
                "attribute_not_exists(messageId) AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)",
            )
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":until", n(now.timestamp() + lease_seconds))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(
                ":ttl",
                n((now + chrono::Duration::days(KEEP_DAYS)).timestamp()),
            )
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(MailLease::Acquired),
            Err(err) => match err.into_service_error() {
                aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(e) => {
                    let sent = e
                        .item()
                        .and_then(|old| old.get("messageId"))
                        .and_then(|v| v.as_s().ok())
                        .cloned();
                    Ok(match sent {
                        Some(message_id) => MailLease::Sent { message_id },
                        None => MailLease::Busy,
                    })
                }
                e => Err(StoreError::dynamo(e)),
            },
        }
    }

    /// Records that SES accepted the job's message: no later delivery sends it again.
    pub async fn record_mail_sent(
        &self,
        tenant: &TenantId,
        job_id: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::mail_claim(tenant, job_id),
                keys::MAIL_CLAIM_SK,
            )))
            .update_expression("SET messageId = :id, sentAt = :at REMOVE leaseUntil")
            .expression_attribute_values(":id", s(message_id))
            .expression_attribute_values(":at", AttributeValue::S(at.to_rfc3339()))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    /// Ends a lease early after a failed send, so the retry need not wait for it to run out
    /// (only an optimisation: correctness never depends on it).
    pub async fn end_mail_lease(&self, tenant: &TenantId, job_id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::mail_claim(tenant, job_id),
                keys::MAIL_CLAIM_SK,
            )))
            .update_expression("REMOVE leaseUntil")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(messageId)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                e if e.is_conditional_check_failed_exception() => Ok(()),
                e => Err(StoreError::dynamo(e)),
            },
        }
    }
}
