//! The audit log of staff actions: one partition per venue (`T#{tenant}#AUDIT`), sorted by
//! time. Entries are only added (a conditional put), never changed: the functions' roles deny
//! updates and deletes in that partition (infra/permissions.yaml).

use crate::tenancy::item;
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use marquee_domain::TenantId;
use marquee_domain::records::{AuditKind, AuditRecord};
use std::collections::HashMap;

/// Which entries to list; every part optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub staff: Option<String>,
    pub kind: Option<AuditKind>,
    /// RFC 3339 UTC bounds of `at`, `from` included, `to` excluded.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One page of entries, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    /// Where the next (older) page starts, if there may be one.
    pub next: Option<String>,
}

impl Store {
    /// Adds an entry (never replaces one).
    pub async fn append_audit(
        &self,
        tenant: &TenantId,
        entry: &AuditRecord,
    ) -> Result<(), StoreError> {
        let sk = keys::audit_sk(&entry.at, &entry.id);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(keys::audit(tenant), &sk, entry)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    /// Up to `limit` entries matching `filter`, newest first, older than `after` (a previous
    /// page's `next`).
    pub async fn audit_page(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
        after: Option<&str>,
        limit: usize,
    ) -> Result<AuditPage, StoreError> {
        let pk = keys::audit(tenant);
        // Sort keys start with a year; `~` sorts after every character of one (DynamoDB
        // takes no empty string in a key condition).
        let lower = filter.from.clone().unwrap_or_else(|| "0".to_owned());
        let upper = filter.to.clone().unwrap_or_else(|| "~".to_owned());
        let mut values = HashMap::from([
            (":pk".to_owned(), AttributeValue::S(pk.clone())),
            (":lower".to_owned(), AttributeValue::S(lower)),
            (":upper".to_owned(), AttributeValue::S(upper)),
        ]);
        let mut conditions = Vec::new();
        if let Some(staff) = &filter.staff {
            values.insert(":staff".into(), AttributeValue::S(staff.clone()));
            conditions.push("staff = :staff");
        }
        if let Some(kind) = filter.kind {
            values.insert(":kind".into(), AttributeValue::S(kind.as_str().to_owned()));
            conditions.push("kind = :kind");
        }
        let mut start = after.map(|sk| {
            HashMap::from([
                ("pk".to_owned(), AttributeValue::S(pk.clone())),
                ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
            ])
        });
        let mut entries: Vec<AuditRecord> = Vec::new();
        let mut more = false;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :lower AND :upper")
                .set_filter_expression((!conditions.is_empty()).then(|| conditions.join(" AND ")))
                .set_expression_attribute_values(Some(values.clone()))
                .scan_index_forward(false)
                .limit(i32::try_from(limit.max(1) * 2).unwrap_or(100))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(StoreError::sdk)?;
            for found in out.items.unwrap_or_default() {
                entries.push(serde_dynamo::from_item(found)?);
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() && entries.len() < limit => start = Some(key),
                Some(key) if !key.is_empty() => {
                    more = true;
                    break;
                }
                _ => break,
            }
        }
        if entries.len() > limit {
            entries.truncate(limit);
            more = true;
        }
        let next = more
            .then(|| entries.last().map(|e| keys::audit_sk(&e.at, &e.id)))
            .flatten();
        Ok(AuditPage { entries, next })
    }
}
