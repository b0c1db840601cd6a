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

impl Store {
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
