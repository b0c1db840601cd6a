//! Venues, their hostnames and custom domains.

use crate::error::condition_failed_at;
use crate::{DomainRecord, HostKind, HostRecord, StaffRecord, VenueRecord};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use marquee_domain::{Hostname, TenantId, VenueSettings};
use serde::Serialize;
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

/// An item with its keys, ready to put.
pub(crate) fn item<T: Serialize>(pk: String, sk: &str, record: &T) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record)?;
    item.insert(keys::PK.into(), AttributeValue::S(pk));
    item.insert(keys::SK.into(), AttributeValue::S(sk.to_owned()));
    Ok(item)
}

/// A string attribute value.
pub(crate) fn s(value: impl AsRef<str>) -> AttributeValue {
    AttributeValue::S(value.as_ref().to_owned())
}

/// A number attribute value.
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (keys::PK.to_owned(), AttributeValue::S(pk)),
        (keys::SK.to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

impl Store {
    pub(crate) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        sk: &str,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Reads items by key (any number: in batches of 100, unprocessed keys asked again),
    /// in no particular order; absent items are simply not returned.
    pub(crate) async fn batch_get(
        &self,
        keys: Vec<Item>,
        consistent: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(100) {
            let wanted = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(consistent)
                .build()
                .map_err(StoreError::dynamo)?;
            let mut request = HashMap::from([(self.table.clone(), wanted)]);
            let mut attempts = 0;
            loop {
                let out = self
                    .client
                    .batch_get_item()
                    .set_request_items(Some(request))
                    .send()
                    .await
                    .map_err(StoreError::sdk)?;
                found.extend(
                    out.responses
                        .unwrap_or_default()
                        .remove(&self.table)
                        .unwrap_or_default(),
                );
                match out.unprocessed_keys {
                    Some(rest) if !rest.is_empty() && attempts < 5 => request = rest,
                    Some(rest) if !rest.is_empty() => {
                        return Err(StoreError::Cancelled(
                            "batch get left keys unprocessed".into(),
                        ));
                    }
                    _ => break,
                }
                attempts += 1;
            }
        }
        Ok(found)
    }

    /// Writes an item, replacing any item with the same key.
    pub(crate) async fn put(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::dynamo)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Creates a venue, its hosted hostname and its owner in one transaction: the hostname's
    /// conditional put makes slugs unique, and nothing is left behind when it fails.
    pub async fn create_venue(
        &self,
        venue: &VenueRecord,
        owner: &StaffRecord,
    ) -> Result<(), StoreError> {
        let tenant_pk = keys::tenant(&venue.id);
        let host = HostRecord {
            hostname: venue.hostname.clone(),
            tenant: venue.id.clone(),
            kind: HostKind::Platform,
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(self.put_new(item(tenant_pk, keys::VENUE_SK, venue)?)?)
            .transact_items(self.put_new(item(
                keys::host(&venue.hostname),
                keys::HOST_SK,
                &host,
            )?)?)
            .transact_items(self.put_new(item(
                keys::staff_accounts(&venue.id),
                &keys::staff_sk(&owner.email),
                owner,
            )?)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e)
                    if condition_failed_at(e.cancellation_reasons(), 1) =>
                {
                    Err(StoreError::HostnameTaken)
                }
                TransactWriteItemsError::TransactionCanceledException(_) => {
                    Err(StoreError::AlreadyExists)
                }
                other => Err(StoreError::dynamo(other)),
            },
        }
    }

    pub async fn venue(&self, tenant: &TenantId) -> Result<Option<VenueRecord>, StoreError> {
        self.get(keys::tenant(tenant), keys::VENUE_SK).await
    }

    pub async fn update_venue_settings(
        &self,
        tenant: &TenantId,
        settings: &VenueSettings,
    ) -> Result<(), StoreError> {
        let value = serde_dynamo::to_attribute_value(settings)?;
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), keys::VENUE_SK)))
            .update_expression("SET settings = :s")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":s", value)
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::ConditionFailed,
                err => StoreError::dynamo(err),
            })?;
        Ok(())
    }

    /// The tenant that answers on `hostname`, if any.
    pub async fn tenant_for_host(
        &self,
        hostname: &Hostname,
    ) -> Result<Option<TenantId>, StoreError> {
        let record: Option<HostRecord> = self.get(keys::host(hostname), keys::HOST_SK).await?;
        Ok(record.map(|r| r.tenant))
    }

    pub async fn domains(&self, tenant: &TenantId) -> Result<Vec<DomainRecord>, StoreError> {
        self.query_prefix(keys::tenant(tenant), keys::DOMAIN_PREFIX)
            .await
    }

    /// Every item of a partition whose sort key starts with `prefix`, following pages.
    pub(crate) async fn query_prefix<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
    ) -> Result<Vec<T>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()));
        let items = self.query_all(query).await?;
        Ok(items
            .into_iter()
            .map(serde_dynamo::from_item)
            .collect::<Result<_, _>>()?)
    }

    /// Runs a query to its last page.
    pub(crate) async fn query_all(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(items),
            }
        }
    }
}
