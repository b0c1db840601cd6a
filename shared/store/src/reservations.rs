//! The index of reservations per performance (orders kept unpaid until a deadline), written
//! with the checkout, read by the will-call list.

use crate::tenancy::{item, n};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use marquee_domain::records::{OrderRecord, PayLaterKind};
use marquee_domain::{OrderId, PerformanceId, TenantId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The index items are kept this long after the deadline (then TTL deletes them).
const KEPT_AFTER_DEADLINE_SECONDS: i64 = 7 * 24 * 3600;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReservationRef {
    order_id: OrderId,
}

/// One index item per performance of a reservation (none for any other order).
pub(crate) fn reservation_items(
    tenant: &TenantId,
    order: &OrderRecord,
) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
    let Some(pay_later) = order
        .pay_later
        .as_ref()
        .filter(|p| p.kind == PayLaterKind::Reservation)
    else {
        return Ok(Vec::new());
    };
    order
        .performances()
        .into_iter()
        .map(|performance| {
            let mut record = item(
                keys::performance_reservations(tenant, &performance),
                &keys::reservation_sk(&order.id),
                &ReservationRef {
                    order_id: order.id.clone(),
                },
            )?;
            record.insert(
                "ttl".into(),
                n(pay_later.until / 1000 + KEPT_AFTER_DEADLINE_SECONDS),
            );
            Ok(record)
        })
        .collect()
}

/// How long an unposted order stays on the to-post index at most (TTL): more than a season.
const TO_POST_KEPT_SECONDS: i64 = 400 * 24 * 3600;

/// The order's to-post index item: for tickets the box office posts itself (none otherwise).
pub(crate) fn to_post_items(
    tenant: &TenantId,
    order: &OrderRecord,
) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
    let in_house = order.delivery == marquee_domain::Delivery::Mail
        && order
            .mail
            .as_ref()
            .is_none_or(|m| m.fulfilment == marquee_domain::Fulfilment::InHouse);
    if !in_house {
        return Ok(Vec::new());
    }
    let mut record = item(
        keys::orders_to_post(tenant),
        &keys::reservation_sk(&order.id),
        &ReservationRef {
            order_id: order.id.clone(),
        },
    )?;
    let created = chrono::DateTime::parse_from_rfc3339(&order.created_at)
        .map_or_else(|_| chrono::Utc::now().timestamp(), |at| at.timestamp());
    record.insert("ttl".into(), n(created + TO_POST_KEPT_SECONDS));
    Ok(vec![record])
}

impl Store {
    /// The orders the box office may have to post (any state: their records say which).
    pub async fn orders_to_post(&self, tenant: &TenantId) -> Result<Vec<OrderId>, StoreError> {
        let refs: Vec<ReservationRef> = self
            .query_prefix(keys::orders_to_post(tenant), keys::RESERVATION_PREFIX)
            .await?;
        Ok(refs.into_iter().map(|r| r.order_id).collect())
    }

    /// Takes a posted order off the to-post index (the list skips posted orders anyway).
    pub async fn forget_posted(
        &self,
        tenant: &TenantId,
        order: &OrderId,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::orders_to_post(tenant)))
            .key("sk", AttributeValue::S(keys::reservation_sk(order)))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    /// The orders reserved for a performance (paid, cancelled and expired ones included).
    pub async fn performance_reservations(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Vec<OrderId>, StoreError> {
        let refs: Vec<ReservationRef> = self
            .query_prefix(
                keys::performance_reservations(tenant, performance),
                keys::RESERVATION_PREFIX,
            )
            .await?;
        Ok(refs.into_iter().map(|r| r.order_id).collect())
    }
}
