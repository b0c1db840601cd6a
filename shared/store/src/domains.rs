//! Custom domains as stored: each venue's claims (`T#{tenant}` / `DOMAIN#{hostname}`, in the
//! check schedule on gsi1 while a check is due), the proven hostname's claim
//! (`HOST#{hostname}` / `CLAIM`: the first venue to prove it) and, once active, the hostname
//! index item (`HOST#{hostname}` / `HOST`) through which requests find the venue.

use crate::error::applied;
use crate::tenancy::{item, key, n, s};
use crate::{DomainRecord, HostKind, HostRecord, Store, StoreError, keys};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem};
use marquee_app::ports::{AddOutcome, DomainStore, PortError};
use marquee_domain::{Hostname, TenantId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Who proved a hostname first.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HostClaim {
    hostname: Hostname,
    tenant: TenantId,
}

impl Store {
    /// The claim's item: its record, and its place in the check schedule while one is due.
    fn domain_item(
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item = item(
            keys::tenant(tenant),
            &keys::domain_sk(&record.hostname),
            record,
        )?;
        if let Some(at) = record.next_check_at {
            item.insert("gsi1pk".into(), s(keys::DOMAIN_CHECKS));
            item.insert(
                "gsi1sk".into(),
                s(keys::domain_check_sk(at, tenant, &record.hostname)),
            );
        }
        Ok(item)
    }

    /// Whether another venue than `tenant` serves or has proven `hostname`: one query of the
    /// hostname's partition reads both its `HOST` and its `CLAIM` item.
    async fn hostname_owner_elsewhere(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<bool, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(keys::host(hostname)));
        let owners: Vec<HostClaim> = self
            .query_all(query)
            .await?
            .into_iter()
            .map(serde_dynamo::from_item)
            .collect::<Result<_, _>>()?;
        Ok(owners.iter().any(|owner| owner.tenant != *tenant))
    }

    pub async fn add_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<AddOutcome, StoreError> {
        if self
            .hostname_owner_elsewhere(tenant, &record.hostname)
            .await?
        {
            return Ok(AddOutcome::TakenElsewhere);
        }
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::domain_item(tenant, record)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(AddOutcome::Added),
            Err(e) => match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => {
                    let existing = self
                        .domain(tenant, &record.hostname)
                        .await?
                        .ok_or(StoreError::ConditionFailed)?;
                    Ok(AddOutcome::Exists(Box::new(existing)))
                }
                err => Err(StoreError::dynamo(err)),
            },
        }
    }

    pub async fn domain(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<Option<DomainRecord>, StoreError> {
        self.get(keys::tenant(tenant), &keys::domain_sk(hostname))
            .await
    }

    /// Claims whose next check is due at `now`, soonest first.
    pub async fn due_domains(
        &self,
        now: i64,
        limit: usize,
    ) -> Result<Vec<(TenantId, Hostname)>, StoreError> {
        // `~` sorts after every digit and `#`: every check due at `now` or before.
        let upto = format!("{:012}~", now.max(0));
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :pk AND gsi1sk <= :upto")
            .expression_attribute_values(":pk", s(keys::DOMAIN_CHECKS))
            .expression_attribute_values(":upto", s(upto))
            .projection_expression("gsi1sk")
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                let sk = item.get("gsi1sk")?.as_s().ok()?;
                let mut parts = sk.splitn(3, '#').skip(1);
                let tenant = TenantId::parse(parts.next()?).ok()?;
                let hostname = Hostname::parse(parts.next()?).ok()?;
                Some((tenant, hostname))
            })
            .collect())
    }

    fn versioned_put(&self, tenant: &TenantId, record: &DomainRecord) -> Result<Put, StoreError> {
        let mut written = record.clone();
        written.version = record.version + 1;
        let condition = if record.version == 0 {
            // Stored before claims had versions, or never written again since added.
            "attribute_exists(pk) AND (attribute_not_exists(version) OR version = :v)"
        } else {
            "attribute_exists(pk) AND version = :v"
        };
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::domain_item(tenant, &written)?))
            .condition_expression(condition)
            .expression_attribute_values(":v", n(record.version))
            .build()
            .map_err(StoreError::dynamo)
    }

    pub async fn save_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .put(self.versioned_put(tenant, record)?)
                    .build(),
            )
            .send()
            .await;
        cancelled_means_false(result)
    }

    pub async fn claim_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<bool, StoreError> {
        let claim = HostClaim {
            hostname: hostname.clone(),
            tenant: tenant.clone(),
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::host(hostname),
                keys::HOST_CLAIM_SK,
                &claim,
            )?))
            .condition_expression("attribute_not_exists(pk) OR tenant = :t")
            .expression_attribute_values(":t", s(tenant.as_str()))
            .send()
            .await;
        applied(put)
    }

    /// The claim saved as active, and the hostname mapped to the venue, in one transaction:
    /// only while the venue holds the hostname's claim.
    pub async fn activate_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, StoreError> {
        let claimed = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::host(&record.hostname), keys::HOST_CLAIM_SK)))
            .condition_expression("tenant = :t")
            .expression_attribute_values(":t", s(tenant.as_str()))
            .build()
            .map_err(StoreError::dynamo)?;
        let host = HostRecord {
            hostname: record.hostname.clone(),
            tenant: tenant.clone(),
            kind: HostKind::Custom,
        };
        let host = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::host(&record.hostname),
                keys::HOST_SK,
                &host,
            )?))
            .condition_expression("attribute_not_exists(pk) OR tenant = :t")
            .expression_attribute_values(":t", s(tenant.as_str()))
            .build()
            .map_err(StoreError::dynamo)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .condition_check(claimed)
                    .build(),
            )
            .transact_items(TransactWriteItem::builder().put(host).build())
            .transact_items(
                TransactWriteItem::builder()
                    .put(self.versioned_put(tenant, record)?)
                    .build(),
            )
            .send()
            .await;
        cancelled_means_false(result)
    }

    /// Deletes the hostname's index item and its claim, each only if it is the venue's.
    pub async fn release_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<(), StoreError> {
        for sk in [keys::HOST_SK, keys::HOST_CLAIM_SK] {
            let deleted = self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::host(hostname), sk)))
                .condition_expression(
                    "attribute_not_exists(pk) OR (tenant = :t AND NOT kind = :platform)",
                )
                .expression_attribute_values(":t", s(tenant.as_str()))
                .expression_attribute_values(":platform", s("platform"))
                .send()
                .await;
            if let Err(e) = deleted {
                match e.into_service_error() {
                    // Another venue's: not ours to release.
                    err if err.is_conditional_check_failed_exception() => {}
                    err => return Err(StoreError::dynamo(err)),
                }
            }
        }
        Ok(())
    }

    pub async fn delete_domain(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::tenant(tenant), &keys::domain_sk(hostname))))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }
}

/// A one-off migration's record that it ran.
#[derive(Debug, Serialize, Deserialize)]
struct MigrationMarker {
    moved: usize,
    at: String,
}

/// The migration that moves claims made before DNS verification (`pending_verification`,
/// which served at once) to `pending_dns`.
const LEGACY_DOMAINS_MIGRATION: &str = "domains-pending-dns";

impl Store {
    /// Once per table: every claim stored as `pending_verification` loses the hostname index
    /// item the old code wrote at registration (it served a hostname nobody had proven),
    /// gets its TXT token and is scheduled for a check now. A marker item records that it
    /// ran, so later calls cost one read; running it twice changes nothing. Answers how many
    /// claims it moved.
    pub async fn migrate_legacy_domains(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, StoreError> {
        let marker = keys::migration_sk(LEGACY_DOMAINS_MIGRATION);
        let done: Option<MigrationMarker> = self.get(keys::PLATFORM.to_owned(), &marker).await?;
        if done.is_some() {
            return Ok(0);
        }
        let mut moved = 0;
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(sk, :domain) AND #status = :legacy")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":domain", s(keys::DOMAIN_PREFIX))
                .expression_attribute_values(":legacy", s("pending_verification"))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            for item in page.items() {
                let Some(tenant) = item
                    .get(keys::PK)
                    .and_then(|pk| pk.as_s().ok())
                    .and_then(|pk| pk.strip_prefix("T#"))
                    .and_then(|t| TenantId::parse(t).ok())
                else {
                    continue;
                };
                let mut record: DomainRecord = serde_dynamo::from_item(item.clone())?;
                self.release_hostname(&tenant, &record.hostname).await?;
                record.ensure_token(now);
                record.next_check_at = Some(now.timestamp());
                // Written as it was read (version 0): a claim changed meanwhile is left alone.
                Store::save_domain(self, &tenant, &record).await?;
                moved += 1;
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let done = MigrationMarker {
            moved,
            at: now.to_rfc3339(),
        };
        self.put(item(keys::PLATFORM.to_owned(), &marker, &done)?)
            .await?;
        if moved > 0 {
            tracing::info!(moved, "custom domain claims moved to pending_dns");
        }
        Ok(moved)
    }
}

/// A transaction whose condition failed answers `false`; other failures are errors.
fn cancelled_means_false<T, R>(
    result: Result<T, aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError, R>>,
) -> Result<bool, StoreError>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) => match err.into_service_error() {
            TransactWriteItemsError::TransactionCanceledException(e)
                if e.cancellation_reasons()
                    .iter()
                    .any(|r| r.code() == Some("ConditionalCheckFailed")) =>
            {
                Ok(false)
            }
            other => Err(StoreError::dynamo(other)),
        },
    }
}

#[async_trait]
impl DomainStore for Store {
    async fn add_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<AddOutcome, PortError> {
        Ok(Store::add_domain(self, tenant, record).await?)
    }

    async fn domain(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<Option<DomainRecord>, PortError> {
        Ok(Store::domain(self, tenant, hostname).await?)
    }

    async fn domains(&self, tenant: &TenantId) -> Result<Vec<DomainRecord>, PortError> {
        Ok(Store::domains(self, tenant).await?)
    }

    async fn due_domains(
        &self,
        now: i64,
        limit: usize,
    ) -> Result<Vec<(TenantId, Hostname)>, PortError> {
        Ok(Store::due_domains(self, now, limit).await?)
    }

    async fn save_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, PortError> {
        Ok(Store::save_domain(self, tenant, record).await?)
    }

    async fn claim_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<bool, PortError> {
        Ok(Store::claim_hostname(self, tenant, hostname).await?)
    }

    async fn activate_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, PortError> {
        Ok(Store::activate_domain(self, tenant, record).await?)
    }

    async fn release_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<(), PortError> {
        Ok(Store::release_hostname(self, tenant, hostname).await?)
    }

    async fn delete_domain(&self, tenant: &TenantId, hostname: &Hostname) -> Result<(), PortError> {
        Ok(Store::delete_domain(self, tenant, hostname).await?)
    }
}
