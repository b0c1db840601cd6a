//! The door: the venue's ticket-signing key, checking a ticket in (once) or out, and the
//! scan log. A ticket is admitted by a conditional update of its one small item, so two doors
//! scanning it at the same instant admit it once.

use crate::tenancy::{item, key, s};
use crate::{IssuedTicketRecord, ScanOutcome, ScanRecord, Store, StoreError, TicketStatus, keys};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use marquee_domain::{PerformanceId, TenantId, TicketId};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TicketKeyRecord {
    /// Base64 of the key. In AWS the table is encrypted at rest and only the functions that
    /// sign or verify codes can read it.
    key: String,
}

impl Store {
    /// The venue's ticket-signing key (base64), created by the first caller: a conditional put
    /// so two first callers agree on one key.
    pub async fn ticket_key(
        &self,
        tenant: &TenantId,
        fresh: impl FnOnce() -> String,
    ) -> Result<String, StoreError> {
        if let Some(found) = self
            .get::<TicketKeyRecord>(keys::venue_keys(tenant), keys::TICKET_KEY_SK)
            .await?
        {
            return Ok(found.key);
        }
        let record = TicketKeyRecord { key: fresh() };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::venue_keys(tenant),
                keys::TICKET_KEY_SK,
                &record,
            )?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(record.key),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                self.get::<TicketKeyRecord>(keys::venue_keys(tenant), keys::TICKET_KEY_SK)
                    .await?
                    .map(|r| r.key)
                    .ok_or(StoreError::ConditionFailed)
            }
            Err(e) => Err(StoreError::sdk(e)),
        }
    }

    pub async fn issued_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
    ) -> Result<Option<IssuedTicketRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::performance_tickets(tenant, performance),
                &keys::ticket_sk(ticket),
            )))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Checks a ticket in (`inside` true) or out: a conditional update on the ticket's item,
    /// valid and not already in (or in, to go out).
    pub async fn scan_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
        inside: bool,
        door: Option<&str>,
        at: &str,
    ) -> Result<ScanOutcome, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::performance_tickets(tenant, performance),
                &keys::ticket_sk(ticket),
            )))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":valid", s(TicketStatus::Valid.as_str()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        update = if inside {
            update
                .update_expression("SET inside = :yes, admittedAt = :at, door = :door, admissions = if_not_exists(admissions, :zero) + :one")
                .condition_expression("#status = :valid AND (attribute_not_exists(inside) OR inside = :no)")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .expression_attribute_values(":at", AttributeValue::S(at.to_owned()))
                .expression_attribute_values(
                    ":door",
                    door.map_or(AttributeValue::Null(true), |d| AttributeValue::S(d.to_owned())),
                )
                .expression_attribute_values(":zero", AttributeValue::N("0".into()))
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
        } else {
            update
                .update_expression("SET inside = :no, leftAt = :at")
                .condition_expression("#status = :valid AND inside = :yes")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .expression_attribute_values(":at", AttributeValue::S(at.to_owned()))
        };
        match update.send().await {
            Ok(_) => Ok(if inside {
                ScanOutcome::Admitted
            } else {
                ScanOutcome::Left
            }),
            Err(e) => {
                let service = e.into_service_error();
                if !service.is_conditional_check_failed_exception() {
                    return Err(StoreError::dynamo(service));
                }
                let old = match &service {
                    aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => c.item().cloned(),
                    _ => None,
                };
                let Some(old) = old else {
                    return Ok(ScanOutcome::Unknown);
                };
                let text = |name: &str| old.get(name).and_then(|v| v.as_s().ok()).cloned();
                if text("status").as_deref() == Some(TicketStatus::Refunded.as_str()) {
                    return Ok(ScanOutcome::Refunded);
                }
                if text("status").as_deref() != Some(TicketStatus::Valid.as_str()) {
                    return Ok(ScanOutcome::Unknown);
                }
                Ok(if inside {
                    ScanOutcome::AlreadyUsed {
                        at: text("admittedAt"),
                        door: text("door"),
                    }
                } else {
                    ScanOutcome::NotInside
                })
            }
        }
    }

    /// Appends a line to the performance's scan log.
    pub async fn log_scan(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        scan_id: &marquee_domain::ScanId,
        record: &ScanRecord,
    ) -> Result<(), StoreError> {
        self.put(item(
            keys::performance_scans(tenant, performance),
            &keys::scan_sk(&record.at, scan_id.as_str()),
            record,
        )?)
        .await
    }
}

/// Attendance of a performance from its issued tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendance {
    pub sold: u32,
    pub refunded: u32,
    pub inside: u32,
    pub admitted_ever: u32,
    /// Minor units of the valid tickets (price + fees).
    pub revenue: i64,
}

impl Attendance {
    pub fn of(tickets: &[IssuedTicketRecord]) -> Self {
        let mut a = Attendance::default();
        for t in tickets {
            match t.status {
                TicketStatus::Valid => {
                    a.sold += 1;
                    a.revenue += t.price + t.fees;
                    if t.inside {
                        a.inside += 1;
                    }
                    if t.admissions > 0 {
                        a.admitted_ever += 1;
                    }
                }
                TicketStatus::Refunded => a.refunded += 1,
                TicketStatus::Pending => {}
            }
        }
        a
    }
}
