//! Rate-limit counters: one item per subject and fixed time window in the venue's limits
//! partition, counted with a conditional `ADD` so parallel requests cannot overrun a limit.
//! The window is part of the key, so a new window starts from zero however late TTL deletes
//! the old item (TTL only cleans up).

use crate::tenancy::key;
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use marquee_domain::TenantId;

fn num(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

impl Store {
    /// Counts one request against `bucket` in the window that starts at `window_start` and
    /// ends at `window_end` (epoch seconds). `false` once `max` have been counted in it.
    pub async fn count_request(
        &self,
        tenant: &TenantId,
        bucket: &str,
        window_start: i64,
        window_end: i64,
        max: u32,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::limits(tenant),
                &keys::limit_sk(bucket, window_start),
            )))
            .update_expression("ADD hits :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(hits) OR hits < :max")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", num(1))
            .expression_attribute_values(":max", num(i64::from(max)))
            // A day after the window: long enough for anyone reading the counters afterwards.
            .expression_attribute_values(":ttl", num(window_end + 86_400))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(StoreError::sdk(e)),
        }
    }

    /// Gives back one request counted in a window (an attempt that succeeded), so that limits
    /// count failures and attempts still in flight, never a legitimate user's successes.
    pub async fn uncount_request(
        &self,
        tenant: &TenantId,
        bucket: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::limits(tenant),
                &keys::limit_sk(bucket, window_start),
            )))
            .update_expression("ADD hits :minus")
            .condition_expression("hits > :zero")
            .expression_attribute_values(":minus", num(-1))
            .expression_attribute_values(":zero", num(0))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Already at zero (or gone with its window): nothing to give back.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(StoreError::sdk(e)),
        }
    }

    /// Starts a counter's window over (the account's owner proved who they are).
    pub async fn clear_count(
        &self,
        tenant: &TenantId,
        bucket: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::limits(tenant),
                &keys::limit_sk(bucket, window_start),
            )))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }
}
