//! Seat maps, events and performances.

use crate::error::applied;
use crate::tenancy::{item, key};
use crate::{EventRecord, PerformanceRecord, SeatMapRecord, Store, StoreError, keys};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::seatmap::{SeatMap, Section};
use marquee_domain::{EventId, PerformanceId, SeatMapId, TenantId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// DynamoDB's item limit is 400 KB; keep a margin for attribute overhead.
const MAX_SECTION_BYTES: usize = 350 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SectionItem {
    position: u32,
    section: Section,
}

/// One page of performances by start time.
#[derive(Debug, Clone)]
pub struct PerformancePage {
    pub performances: Vec<PerformanceRecord>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

impl Store {
    /// Writes a seat map as `version`: its sections first, then the metadata that makes that
    /// version current. A failure part-way leaves only unreferenced section items behind.
    pub async fn put_seat_map(
        &self,
        tenant: &TenantId,
        record: &SeatMapRecord,
        map: &SeatMap,
    ) -> Result<(), StoreError> {
        let partition = keys::seat_map_sections(tenant, &record.id);
        let mut writes = Vec::with_capacity(map.sections.len());
        for (position, section) in map.sections.iter().enumerate() {
            let section_item = SectionItem {
                position: u32::try_from(position).unwrap_or(u32::MAX),
                section: section.clone(),
            };
            let size = serde_json::to_vec(&section_item)
                .map(|v| v.len())
                .unwrap_or(usize::MAX);
            if size > MAX_SECTION_BYTES {
                return Err(StoreError::TooLarge(format!(
                    "section '{}' is too large to store ({} KB); split it into smaller sections",
                    section.id,
                    size / 1024
                )));
            }
            let sk = keys::seat_map_section_sk(record.version, &section.id);
            writes.push(
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(item(partition.clone(), &sk, &section_item)?))
                            .build()
                            .map_err(StoreError::dynamo)?,
                    )
                    .build(),
            );
        }
        self.batch_write(writes).await?;
        self.put(item(
            keys::tenant(tenant),
            &keys::seat_map_sk(&record.id),
            record,
        )?)
        .await?;
        Ok(())
    }

    /// Deletes the section items of an old layout version (after a replacement).
    pub async fn delete_seat_map_version(
        &self,
        tenant: &TenantId,
        map: &SeatMapId,
        version: u32,
    ) -> Result<(), StoreError> {
        let partition = keys::seat_map_sections(tenant, map);
        let keys_only: Vec<HashMap<String, AttributeValue>> = self
            .query_keys(partition.clone(), &keys::seat_map_version_prefix(version))
            .await?;
        let writes = keys_only
            .into_iter()
            .filter_map(|k| DeleteRequest::builder().set_key(Some(k)).build().ok())
            .map(|d| WriteRequest::builder().delete_request(d).build())
            .collect();
        self.batch_write(writes).await
    }

    pub async fn seat_map_record(
        &self,
        tenant: &TenantId,
        map: &SeatMapId,
    ) -> Result<Option<SeatMapRecord>, StoreError> {
        self.get(keys::tenant(tenant), &keys::seat_map_sk(map))
            .await
    }

    /// A seat map with its layout, as of its current version.
    pub async fn seat_map(
        &self,
        tenant: &TenantId,
        map: &SeatMapId,
    ) -> Result<Option<(SeatMapRecord, SeatMap)>, StoreError> {
        let Some(record) = self.seat_map_record(tenant, map).await? else {
            return Ok(None);
        };
        let mut items: Vec<SectionItem> = self
            .query_prefix(
                keys::seat_map_sections(tenant, map),
                &keys::seat_map_version_prefix(record.version),
            )
            .await?;
        items.sort_by_key(|i| i.position);
        let layout = SeatMap {
            name: record.name.clone(),
            zones: record.zones.clone(),
            sections: items.into_iter().map(|i| i.section).collect(),
            areas: record.areas.clone(),
        };
        Ok(Some((record, layout)))
    }

    pub async fn seat_maps(&self, tenant: &TenantId) -> Result<Vec<SeatMapRecord>, StoreError> {
        self.query_prefix(keys::tenant(tenant), keys::SEAT_MAP_PREFIX)
            .await
    }

    pub async fn put_event(
        &self,
        tenant: &TenantId,
        event: &EventRecord,
    ) -> Result<(), StoreError> {
        self.put(item(
            keys::tenant(tenant),
            &keys::event_sk(&event.id),
            event,
        )?)
        .await?;
        Ok(())
    }

    pub async fn event(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<Option<EventRecord>, StoreError> {
        self.get(keys::tenant(tenant), &keys::event_sk(event)).await
    }

    pub async fn events(&self, tenant: &TenantId) -> Result<Vec<EventRecord>, StoreError> {
        self.query_prefix(keys::tenant(tenant), keys::EVENT_PREFIX)
            .await
    }

    /// Several events at once (at most 100 ids), in no particular order.
    pub async fn events_by_id(
        &self,
        tenant: &TenantId,
        ids: &[EventId],
    ) -> Result<Vec<EventRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = ids
            .iter()
            .map(|id| key(keys::tenant(tenant), &keys::event_sk(id)))
            .collect();
        self.batch_get(wanted, false)
            .await?
            .into_iter()
            .map(|item| Ok(serde_dynamo::from_item(item)?))
            .collect()
    }

    pub async fn put_performance(
        &self,
        tenant: &TenantId,
        performance: &PerformanceRecord,
    ) -> Result<(), StoreError> {
        self.put(performance_item(tenant, performance)?).await
    }

    /// Replaces a performance with its edited record, if it is still as it was when read
    /// (`updatedAt` = `expected`) and not cancelled; `ConditionFailed` otherwise. The whole
    /// item is written, so its index keys follow a changed start.
    pub async fn replace_performance(
        &self,
        tenant: &TenantId,
        performance: &PerformanceRecord,
        expected: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(performance_item(tenant, performance)?))
            .condition_expression("updatedAt = :expected AND #status <> :cancelled")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":expected", AttributeValue::S(expected.to_owned()))
            .expression_attribute_values(
                ":cancelled",
                serde_dynamo::to_attribute_value(PerformanceStatus::Cancelled)?,
            )
            .send()
            .await;
        if applied(result)? {
            Ok(())
        } else {
            Err(StoreError::ConditionFailed)
        }
    }

    /// Creates several new performances (a series) in one transaction: all or none.
    pub async fn create_performances(
        &self,
        tenant: &TenantId,
        performances: &[PerformanceRecord],
    ) -> Result<(), StoreError> {
        let items = performances
            .iter()
            .map(|p| self.put_new(performance_item(tenant, p)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    pub async fn performance(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Option<PerformanceRecord>, StoreError> {
        self.get(keys::performance(tenant, performance), keys::PERFORMANCE_SK)
            .await
    }

    /// Moves a performance from `from` to `to`; `ConditionFailed` if someone changed it first.
    pub async fn set_performance_status(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        from: PerformanceStatus,
        to: PerformanceStatus,
        now: &str,
    ) -> Result<(), StoreError> {
        let status = |s: PerformanceStatus| serde_dynamo::to_attribute_value(s);
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::performance(tenant, performance),
                keys::PERFORMANCE_SK,
            )))
            .update_expression("SET #status = :to, updatedAt = :now")
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", status(from)?)
            .expression_attribute_values(":to", status(to)?)
            .expression_attribute_values(":now", AttributeValue::S(now.to_owned()))
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::ConditionFailed,
                err => StoreError::dynamo(err),
            })?;
        Ok(())
    }

    /// An event's performances by start time.
    pub async fn event_performances(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<Vec<PerformanceRecord>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(
                ":pk",
                AttributeValue::S(keys::event_performances(tenant, event)),
            );
        let items = self.query_all(query).await?;
        Ok(items
            .into_iter()
            .map(serde_dynamo::from_item)
            .collect::<Result<_, _>>()?)
    }

    /// The venue's performances starting in `[from, to)` (RFC 3339 UTC), by start time,
    /// `limit` at a time; `after` is the previous page's `next`.
    pub async fn performances_between(
        &self,
        tenant: &TenantId,
        from: &str,
        to: &str,
        after: Option<&str>,
        limit: i32,
    ) -> Result<PerformancePage, StoreError> {
        let lower = after.map_or_else(|| from.to_owned(), |a| format!("{a}~"));
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi2")
            .key_condition_expression("gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", AttributeValue::S(keys::venue_performances(tenant)))
            .expression_attribute_values(":from", AttributeValue::S(lower))
            .expression_attribute_values(":to", AttributeValue::S(to.to_owned()))
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        let next = out
            .last_evaluated_key
            .as_ref()
            .and_then(|k| k.get("gsi2sk"))
            .and_then(|v| v.as_s().ok())
            .cloned();
        let performances = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(serde_dynamo::from_item)
            .collect::<Result<_, _>>()?;
        Ok(PerformancePage { performances, next })
    }

    /// Every performance of the venue (for checks such as "which use this seat map").
    pub async fn all_performances(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<PerformanceRecord>, StoreError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .performances_between(tenant, "0", "~", after.as_deref(), 500)
                .await?;
            all.extend(page.performances);
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(all),
            }
        }
    }

    async fn query_keys(
        &self,
        pk: String,
        prefix: &str,
    ) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .projection_expression("pk, sk")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()));
        self.query_all(query).await
    }

    /// BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed.
    pub(crate) async fn batch_write(&self, writes: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in writes.chunks(25) {
            let mut pending = HashMap::from([(self.table.clone(), chunk.to_vec())]);
            let policy = marquee_app::retry::Policy::THROTTLED;
            let mut attempt = 0u32;
            loop {
                let out = self
                    .client
                    .batch_write_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await
                    .map_err(StoreError::sdk)?;
                match out.unprocessed_items {
                    Some(rest) if rest.values().any(|v| !v.is_empty()) => {
                        attempt += 1;
                        if attempt >= policy.attempts {
                            return Err(StoreError::Cancelled(
                                "batch write left items unprocessed".into(),
                            ));
                        }
                        tokio::time::sleep(policy.delay(attempt)).await;
                        pending = rest;
                    }
                    _ => break,
                }
            }
        }
        Ok(())
    }
}

/// A performance's item, filed under its event and its venue by start time.
fn performance_item(
    tenant: &TenantId,
    performance: &PerformanceRecord,
) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let mut item = item(
        keys::performance(tenant, &performance.id),
        keys::PERFORMANCE_SK,
        performance,
    )?;
    let by_start = keys::performance_by_start(
        &performance
            .schedule
            .starts_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        &performance.id,
    );
    item.insert(
        "gsi1pk".into(),
        AttributeValue::S(keys::event_performances(tenant, &performance.event_id)),
    );
    item.insert("gsi1sk".into(), AttributeValue::S(by_start.clone()));
    item.insert(
        "gsi2pk".into(),
        AttributeValue::S(keys::venue_performances(tenant)),
    );
    item.insert("gsi2sk".into(), AttributeValue::S(by_start));
    Ok(item)
}
