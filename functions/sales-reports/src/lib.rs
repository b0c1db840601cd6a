//! The `sales-reports` worker: keeps each venue's daily sales figures and each performance's
//! demand figures from the table's stream. Every order item written (new and old images)
//! goes through `marquee_domain::reports::report_changes`; every seat state removed while
//! held (a hold released or run out) is a seat tried and not bought
//! (`marquee_domain::reports::seat_let_go`); every issued ticket written goes through
//! `marquee_domain::reports::ticket_changes` (a performance's attendance). Each change is counted once by `marquee_store`
//! (a marker per change in the same transaction), so a batch retried after a failure, or a
//! record delivered twice, adds nothing twice. A failure is reported from the first record
//! that could not be counted: Lambda retries from there.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use chrono::{DateTime, Utc};
use marquee_domain::reports::{report_changes, seat_let_go, ticket_changes};
use marquee_domain::{PerformanceId, TenantId, Timezone};
use marquee_store::keys;
use marquee_store::{
    IssuedTicketRecord, OrderRecord, SeatState, SeatStateRecord, Store, StoreError,
};
use serde_dynamo::AttributeValue;
use std::collections::HashMap;
use std::sync::Mutex;

pub struct SalesReports {
    store: Store,
    /// Each venue's timezone, read once per instance (it decides which day a sale is on).
    zones: Mutex<HashMap<TenantId, Timezone>>,
    /// When each performance's sales opened, read once per instance.
    on_sale: Mutex<HashMap<PerformanceId, Option<DateTime<Utc>>>>,
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
            on_sale: Mutex::default(),
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

    async fn on_sale_at(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        if let Some(known) = self
            .on_sale
            .lock()
            .ok()
            .and_then(|m| m.get(performance).copied())
        {
            return Ok(known);
        }
        let at = self
            .store
            .performance(tenant, performance)
            .await?
            .map(|p| p.schedule.on_sale_at);
        if let Ok(mut known) = self.on_sale.lock() {
            known.insert(performance.clone(), at);
        }
        Ok(at)
    }

    /// Counts what one record adds to the reports; how many changes were new.
    pub async fn count_record(&self, record: &EventRecord) -> Result<usize, StoreError> {
        let keys_of = &record.change.keys;
        let (Some(pk), Some(sk)) = (text(keys_of, keys::PK), text(keys_of, keys::SK)) else {
            return Ok(0);
        };
        if let Some(seat) = keys::parse_seat_state_key(&pk, &sk) {
            return self.count_let_go(record, seat).await;
        }
        if let Some((tenant, _)) = keys::parse_ticket_key(&pk, &sk) {
            return self.count_ticket(record, &tenant).await;
        }
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
        let mut on_sale = HashMap::new();
        for ticket in &new.tickets {
            if !on_sale.contains_key(&ticket.performance_id) {
                let at = self.on_sale_at(&tenant, &ticket.performance_id).await?;
                on_sale.insert(ticket.performance_id.clone(), at);
            }
        }
        let now = Utc::now().timestamp_millis();
        let mut counted = 0;
        let opened = |p: &PerformanceId| on_sale.get(p).copied().flatten();
        for change in report_changes(old.as_ref(), &new, &zone, &opened) {
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

    /// An issued ticket written: what it changes in its performance's attendance.
    async fn count_ticket(
        &self,
        record: &EventRecord,
        tenant: &TenantId,
    ) -> Result<usize, StoreError> {
        let image = |image: &serde_dynamo::Item| -> Option<IssuedTicketRecord> {
            if image.is_empty() {
                return None;
            }
            serde_dynamo::from_item(image.clone()).ok()
        };
        let old = image(&record.change.old_image);
        let new = image(&record.change.new_image);
        if new.is_none() {
            return Ok(0);
        }
        let Some(zone) = self.zone(tenant).await? else {
            return Ok(0);
        };
        let now = Utc::now().timestamp_millis();
        let mut counted = 0;
        for change in ticket_changes(old.as_ref(), new.as_ref(), &zone) {
            if self.store.count_report_change(tenant, &change, now).await? {
                counted += 1;
            }
        }
        Ok(counted)
    }

    /// A seat state removed while held: the seat was tried and not bought.
    async fn count_let_go(
        &self,
        record: &EventRecord,
        key: keys::SeatStateKey,
    ) -> Result<usize, StoreError> {
        if record.event_name != "REMOVE" || record.change.old_image.is_empty() {
            return Ok(0);
        }
        let Ok(old) =
            serde_dynamo::from_item::<_, SeatStateRecord>(record.change.old_image.clone())
        else {
            return Ok(0);
        };
        let (SeatState::Held, Some(hold)) = (old.state, old.hold_id) else {
            return Ok(0);
        };
        let Some(zone) = self.zone(&key.tenant).await? else {
            return Ok(0);
        };
        let change = seat_let_go(&key.performance, &key.seat, &hold, Utc::now(), &zone);
        let now = Utc::now().timestamp_millis();
        Ok(usize::from(
            self.store
                .count_report_change(&key.tenant, &change, now)
                .await?,
        ))
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
