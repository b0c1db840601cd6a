//! The box office's patron directory (see `marquee_domain::patrons`): entries written with
//! each checkout — the same keys for the same order, so a repeated write changes nothing —
//! and searched by sort-key prefix.

use crate::tenancy::{item, s};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use marquee_domain::TenantId;
use marquee_domain::patrons::{DirectoryEntry, PatronQuery, phone_digits, search_name};
use marquee_domain::records::OrderRecord;
use std::collections::HashMap;

/// Entries read per prefix searched: enough for 20 patrons with a few orders each.
const READ_PER_PREFIX: i32 = 200;

/// The order's entries: by name, email and phone, for a patron with an email address or a
/// telephone number (an anonymous walk-up files none).
pub(crate) fn directory_items(
    tenant: &TenantId,
    order: &OrderRecord,
) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
    let email = Some(order.email.trim().to_lowercase()).filter(|e| !e.is_empty());
    let phone = order.phone.clone().filter(|p| !phone_digits(p).is_empty());
    if email.is_none() && phone.is_none() {
        return Ok(Vec::new());
    }
    let entry = DirectoryEntry {
        name: order.name.clone(),
        email: email.clone(),
        phone: phone.clone(),
        order_id: Some(order.id.clone()),
        at: order.created_at.clone(),
    };
    let mut prefixes = Vec::new();
    let name = search_name(&order.name);
    if !name.is_empty() {
        prefixes.push(keys::directory_name_prefix(&name));
    }
    if let Some(email) = &email {
        prefixes.push(keys::directory_email_prefix(email));
    }
    if let Some(phone) = &phone {
        prefixes.push(keys::directory_phone_prefix(&phone_digits(phone)));
    }
    prefixes
        .iter()
        .map(|prefix| {
            item(
                keys::patron_directory(tenant),
                &keys::directory_sk(prefix, &order.id),
                &entry,
            )
        })
        .collect()
}

impl Store {
    /// The directory entries matching the query's prefixes (each read up to a limit).
    pub async fn search_patrons(
        &self,
        tenant: &TenantId,
        query: &PatronQuery,
    ) -> Result<Vec<DirectoryEntry>, StoreError> {
        let prefixes = [
            query.name.as_deref().map(keys::directory_name_prefix),
            query.email.as_deref().map(keys::directory_email_prefix),
            query.phone.as_deref().map(keys::directory_phone_prefix),
        ];
        let mut found = Vec::new();
        for prefix in prefixes.into_iter().flatten() {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(keys::patron_directory(tenant)))
                .expression_attribute_values(":prefix", s(&prefix))
                .limit(READ_PER_PREFIX)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            for record in out.items.unwrap_or_default() {
                found.push(serde_dynamo::from_item(record)?);
            }
        }
        Ok(found)
    }
}
