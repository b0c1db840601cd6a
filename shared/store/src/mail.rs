//! Delivery claims for mail jobs: a job is sent at most once even when SQS delivers it twice.

use crate::tenancy::key;
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use marquee_domain::TenantId;

/// How long a claim blocks a second delivery; longer than SQS keeps any message.
const CLAIM_DAYS: i64 = 15;

impl Store {
    /// Claims the job for sending. `false` means it was already sent (or is being sent).
    pub async fn claim_mail_job(
        &self,
        tenant: &TenantId,
        job_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let expires = now + chrono::Duration::days(CLAIM_DAYS);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some({
                let mut item = key(keys::mail_claim(tenant, job_id), keys::MAIL_CLAIM_SK);
                item.insert("claimedAt".into(), AttributeValue::S(now.to_rfc3339()));
                item.insert(
                    "ttl".into(),
                    AttributeValue::N(expires.timestamp().to_string()),
                );
                item
            }))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) => match err.into_service_error() {
                e if e.is_conditional_check_failed_exception() => Ok(false),
                e => Err(StoreError::dynamo(e)),
            },
        }
    }

    /// Gives the claim back after a failed send, so the retry can send.
    pub async fn release_mail_claim(
        &self,
        tenant: &TenantId,
        job_id: &str,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::mail_claim(tenant, job_id),
                keys::MAIL_CLAIM_SK,
            )))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }
}
