//! Custom domains: a venue adds a hostname, proves it with two DNS records, and the edge
//! issues its certificate; then the site answers there. Several venues may claim one
//! hostname while pending; the first to prove it wins, and the others are told.
//!
//! Each check moves a claim at most one step (`pending_dns → issuing_certificate → active`,
//! or `failed`) and is written conditionally on the claim's version, so the scheduled check
//! and a "verify now" at the same moment cannot both apply. Every step is safe to redo: the
//! hostname claim, the edge tenant and the activation are each idempotent.

use crate::ports::{
    AddOutcome, Clock, DnsLookup, DomainStore, EdgeDomains, EdgeRefusal, EdgeState, PortError,
};
use marquee_domain::domains::{DnsRecord, DomainRecord, DomainStatus};
use marquee_domain::{Hostname, Invalid, TenantId};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("another venue has this hostname")]
    Taken,
    #[error("no such domain")]
    NotFound,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// What one scheduled run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub checked: usize,
    pub activated: usize,
    pub failed: usize,
    /// Checks that could not run (DNS or the edge unreachable); retried next time.
    pub errors: usize,
}

pub struct CustomDomains {
    store: Arc<dyn DomainStore>,
    dns: Arc<dyn DnsLookup>,
    edge: Arc<dyn EdgeDomains>,
    clock: Arc<dyn Clock>,
    /// What the venue's CNAME points to: the edge's routing endpoint.
    edge_target: String,
    platform_domain: Hostname,
    /// Caps the wait until a claim's next scheduled check (the devserver checks every
    /// second or two; in AWS the backoff stands).
    max_wait: Option<chrono::Duration>,
}

impl CustomDomains {
    pub fn new(
        store: Arc<dyn DomainStore>,
        dns: Arc<dyn DnsLookup>,
        edge: Arc<dyn EdgeDomains>,
        clock: Arc<dyn Clock>,
        edge_target: String,
        platform_domain: Hostname,
    ) -> Self {
        Self {
            store,
            dns,
            edge,
            clock,
            edge_target,
            platform_domain,
            max_wait: None,
        }
    }

    /// Never waits longer than `max_wait` between scheduled checks (local mode).
    pub fn with_max_wait(mut self, max_wait: chrono::Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }

    pub fn edge_target(&self) -> &str {
        &self.edge_target
    }

    /// The records the venue creates for `record`.
    pub fn records(&self, record: &DomainRecord) -> Vec<DnsRecord> {
        record.records(&self.edge_target)
    }

    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<DomainRecord>, DomainError> {
        let now = self.clock.now();
        let mut domains = self.store.domains(tenant).await?;
        for domain in &mut domains {
            domain.ensure_token(now);
        }
        Ok(domains)
    }

    /// Adds a pending claim: it serves nothing until both records are found.
    pub async fn add(
        &self,
        tenant: &TenantId,
        hostname: Hostname,
    ) -> Result<DomainRecord, DomainError> {
        if !hostname.is_registrable() {
            return Err(Invalid::new(
                "hostname",
                "must be a full name such as tickets.myvenue.org",
            )
            .into());
        }
        if hostname.is_within(&self.platform_domain) {
            return Err(Invalid::new(
                "hostname",
                "addresses under the platform domain are assigned by the platform",
            )
            .into());
        }
        let record = DomainRecord::claim(hostname, self.clock.now());
        match self.store.add_domain(tenant, &record).await? {
            AddOutcome::Added => {
                tracing::info!(%tenant, hostname = %record.hostname, "custom domain claimed");
                Ok(record)
            }
            AddOutcome::Exists(existing) => Ok(*existing),
            AddOutcome::TakenElsewhere => Err(DomainError::Taken),
        }
    }

    /// Checks a claim now instead of waiting for the schedule; a failed claim starts again.
    pub async fn verify(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<DomainRecord, DomainError> {
        let mut record = self
            .store
            .domain(tenant, hostname)
            .await?
            .ok_or(DomainError::NotFound)?;
        if record.status == DomainStatus::Failed {
            record.restart(self.clock.now());
        }
        Ok(self.check(tenant, record).await?)
    }

    /// Detaches and forgets a claim; the hostname is free for anyone again.
    pub async fn remove(&self, tenant: &TenantId, hostname: &Hostname) -> Result<(), DomainError> {
        let record = self
            .store
            .domain(tenant, hostname)
            .await?
            .ok_or(DomainError::NotFound)?;
        // Stop serving first, then the edge, then the record: a crash between the steps
        // leaves the record, and removing it again finishes the rest.
        self.store.release_hostname(tenant, hostname).await?;
        if let Some(edge_id) = &record.edge_id {
            self.edge.detach(edge_id).await?;
        }
        self.store.delete_domain(tenant, hostname).await?;
        tracing::info!(%tenant, %hostname, "custom domain removed");
        Ok(())
    }

    /// The scheduled check: every claim whose next check is due, at most `limit`.
    pub async fn check_due(&self, limit: usize) -> Result<CheckReport, PortError> {
        let now = self.clock.now().timestamp();
        let mut report = CheckReport::default();
        for (tenant, hostname) in self.store.due_domains(now, limit).await? {
            let Some(record) = self.store.domain(&tenant, &hostname).await? else {
                continue;
            };
            let before = record.status;
            match self.check(&tenant, record).await {
                Ok(after) => {
                    report.checked += 1;
                    if after.status != before {
                        match after.status {
                            DomainStatus::Active => report.activated += 1,
                            DomainStatus::Failed => report.failed += 1,
                            _ => {}
                        }
                    }
                }
                Err(e) => {
                    report.errors += 1;
                    tracing::warn!(%tenant, %hostname, error = ?e, "custom domain check failed; retried next time");
                }
            }
        }
        Ok(report)
    }

    /// Moves the claim one step if it can, writes what was found, and answers the claim as
    /// stored afterwards.
    async fn check(
        &self,
        tenant: &TenantId,
        record: DomainRecord,
    ) -> Result<DomainRecord, PortError> {
        let now = self.clock.now();
        let mut next = record.clone();
        next.ensure_token(now);
        match record.status {
            DomainStatus::Failed => return Ok(record),
            DomainStatus::PendingDns => {
                let findings = self.dns.findings(&record.hostname).await?;
                match findings.missing(&next, &self.edge_target) {
                    Some(missing) if next.overdue(now) => {
                        next.fail(format!("Gave up after 72 hours. {missing}."), now);
                    }
                    Some(missing) => {
                        next.checked(now);
                        next.reason = Some(format!("{missing}."));
                    }
                    None => self.proven(tenant, &mut next).await?,
                }
            }
            DomainStatus::IssuingCertificate => {
                let state = match &record.edge_id {
                    Some(edge_id) => self.edge.state(edge_id).await?,
                    None => EdgeState::Failed("no edge tenant was recorded".into()),
                };
                match state {
                    EdgeState::Deployed => {
                        next.become_(DomainStatus::Active, now);
                        next.checked_at = Some(now.to_rfc3339());
                        return self.written(tenant, next, true).await;
                    }
                    EdgeState::Failed(reason) => {
                        next.fail(
                            format!("The certificate could not be issued: {reason}"),
                            now,
                        );
                    }
                    EdgeState::Issuing if next.overdue(now) => {
                        next.fail("The certificate was not issued within 72 hours.", now);
                    }
                    EdgeState::Issuing => next.checked(now),
                }
            }
            DomainStatus::Active => {
                let findings = self.dns.findings(&record.hostname).await?;
                if findings.points_to(&self.edge_target) {
                    next.dns_lost_at = None;
                    next.reason = None;
                } else {
                    next.dns_lost_at.get_or_insert_with(|| now.to_rfc3339());
                    next.reason = Some(format!(
                        "{} no longer points to {}: visitors may not reach the site. Restore the CNAME record.",
                        record.hostname, self.edge_target
                    ));
                    tracing::warn!(%tenant, hostname = %record.hostname, "an active custom domain's CNAME moved away");
                }
                next.checked(now);
            }
        }
        self.written(tenant, next, false).await
    }

    /// Both records are right: take the hostname (first venue wins) and ask the edge for a
    /// certificate.
    async fn proven(&self, tenant: &TenantId, next: &mut DomainRecord) -> Result<(), PortError> {
        let now = self.clock.now();
        if !self.store.claim_hostname(tenant, &next.hostname).await? {
            next.fail(
                "Another venue proved this hostname first. Ask your DNS administrator which venue the records were made for.",
                now,
            );
            return Ok(());
        }
        match self.edge.attach(&next.hostname).await? {
            Ok(edge_id) => {
                next.become_(DomainStatus::IssuingCertificate, now);
                next.checked_at = Some(now.to_rfc3339());
                next.edge_id = Some(edge_id);
            }
            Err(EdgeRefusal::InUse) => {
                self.store.release_hostname(tenant, &next.hostname).await?;
                next.fail(
                    "This hostname is already served by another CloudFront distribution. Remove it there first.",
                    now,
                );
            }
        }
        Ok(())
    }

    async fn written(
        &self,
        tenant: &TenantId,
        mut next: DomainRecord,
        activate: bool,
    ) -> Result<DomainRecord, PortError> {
        if let Some(max_wait) = self.max_wait {
            let latest = (self.clock.now() + max_wait).timestamp();
            next.next_check_at = next.next_check_at.map(|at| at.min(latest));
        }
        let saved = if activate {
            self.store.activate_domain(tenant, &next).await?
        } else {
            self.store.save_domain(tenant, &next).await?
        };
        if saved {
            if next.status == DomainStatus::Active && activate {
                tracing::info!(%tenant, hostname = %next.hostname, "custom domain active");
            }
            return Ok(DomainRecord {
                version: next.version + 1,
                ..next
            });
        }
        // Another check wrote first: what it wrote is the answer.
        self.store
            .domain(tenant, &next.hostname)
            .await?
            .ok_or_else(|| PortError::new("custom domain", "removed while being checked"))
    }
}

#[cfg(test)]
mod tests;
