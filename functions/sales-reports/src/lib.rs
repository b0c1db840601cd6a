//! The `sales-reports` worker: keeps each venue's daily sales figures from the table's stream.
//! Every order item written (new and old images) goes through
//! `marquee_domain::reports::report_changes`; each change it names (a sale, a refund) is
//! counted once by `marquee_store` (a marker per change in the same transaction), so a batch
//! retried after a failure, or a record delivered twice, adds nothing twice. A failure is
//! reported from the first record that could not be counted: Lambda retries from there.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use marquee_domain::reports::report_changes;
use marquee_domain::{TenantId, Timezone};
use marquee_store::keys;
use marquee_store::{OrderRecord, Store, StoreError};
use serde_dynamo::AttributeValue;
use std::collections::HashMap;
use std::sync::Mutex;

pub struct SalesReports {
    store: Store,
    /// Each venue's timezone, read once per instance (it decides which day a sale is on).
    zones: Mutex<HashMap<TenantId, Timezone>>,
}

fn text(item: &serde_dynamo::Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value.clone()),
        _ => None,
    }
}

fn order(image: &serde_dynamo::Item) -> Option<OrderRecord> {
    if image.is_empty() {
        return None;
    }
    serde_dynamo::from_item(image.clone()).ok()
}

impl SalesReports {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            zones: Mutex::default(),
        }
    }

    async fn zone(&self, tenant: &TenantId) -> Result<Option<Timezone>, StoreError> {
        if let Some(zone) = self.zones.lock().ok().and_then(|z| z.get(tenant).copied()) {
            return Ok(Some(zone));
        }
        let Some(venue) = self.store.venue(tenant).await? else {
            return Ok(None);
        };
        let zone = venue.settings.timezone;
        if let Ok(mut zones) = self.zones.lock() {
            zones.insert(tenant.clone(), zone);
        }
        Ok(Some(zone))
    }

    /// Counts what one record adds to the reports; how many changes were new.
    pub async fn count_record(&self, record: &EventRecord) -> Result<usize, StoreError> {
        let keys_of = &record.change.keys;
        let (Some(pk), Some(sk)) = (text(keys_of, keys::PK), text(keys_of, keys::SK)) else {
            return Ok(0);
        };
        let Some((tenant, _)) = keys::parse_order_key(&pk, &sk) else {
            return Ok(0);
        };
        let Some(new) = order(&record.change.new_image) else {
            return Ok(0); // removed: orders are never deleted
        };
        let old = order(&record.change.old_image);
        let Some(zone) = self.zone(&tenant).await? else {
            return Ok(0);
        };
        let now = chrono::Utc::now().timestamp_millis();
        let mut counted = 0;
        for change in report_changes(old.as_ref(), &new, &zone) {
            if self
                .store
                .count_report_change(&tenant, &change, now)
                .await?
            {
                counted += 1;
            }
        }
        Ok(counted)
    }

    pub async fn handle_batch(&self, event: &Event) -> DynamoDbEventResponse {
        let mut response = DynamoDbEventResponse::default();
        for record in &event.records {
            if let Err(error) = self.count_record(record).await {
                tracing::warn!(%error, "sales figures not updated; the batch is retried from this record");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = record.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
                break;
            }
        }
        response
    }
}
