//! Custom domains in memory: the store's claims and conditions, a DNS zone the test edits,
//! and an edge whose certificates the test issues or fails.

use super::{Faults, lock};
use crate::ports::{
    AddOutcome, DnsLookup, DomainStore, EdgeDomains, EdgeRefusal, EdgeState, PortError,
};
use async_trait::async_trait;
use marquee_domain::domains::{DnsFindings, DomainRecord, verification_name};
use marquee_domain::{Hostname, TenantId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

#[derive(Default)]
struct DomainTables {
    domains: BTreeMap<(TenantId, Hostname), DomainRecord>,
    /// Proven hostnames: the venue that proved each first.
    claims: HashMap<Hostname, TenantId>,
    /// Hostnames that serve a venue's site.
    hosts: HashMap<Hostname, TenantId>,
}

#[derive(Default)]
pub struct InMemoryDomains {
    tables: Mutex<DomainTables>,
    pub faults: Faults,
}

impl InMemoryDomains {
    /// The venue the site answers for on `hostname`, if any.
    pub fn serving(&self, hostname: &Hostname) -> Option<TenantId> {
        lock(&self.tables).hosts.get(hostname).cloned()
    }

    pub fn stored(&self, tenant: &TenantId, hostname: &Hostname) -> Option<DomainRecord> {
        lock(&self.tables)
            .domains
            .get(&(tenant.clone(), hostname.clone()))
            .cloned()
    }

    /// Stores a record as it is (e.g. one written before DNS verification existed).
    pub fn put(&self, tenant: &TenantId, record: DomainRecord) {
        lock(&self.tables)
            .domains
            .insert((tenant.clone(), record.hostname.clone()), record);
    }

    fn save(tables: &mut DomainTables, tenant: &TenantId, record: &DomainRecord) -> bool {
        let key = (tenant.clone(), record.hostname.clone());
        match tables.domains.get(&key) {
            Some(stored) if stored.version == record.version => {
                let mut written = record.clone();
                written.version += 1;
                tables.domains.insert(key, written);
                true
            }
            _ => false,
        }
    }
}

#[async_trait]
impl DomainStore for InMemoryDomains {
    async fn add_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<AddOutcome, PortError> {
        self.faults.check("add_domain")?;
        let mut tables = lock(&self.tables);
        let elsewhere = |owner: Option<&TenantId>| owner.is_some_and(|owner| owner != tenant);
        if elsewhere(tables.claims.get(&record.hostname))
            || elsewhere(tables.hosts.get(&record.hostname))
        {
            return Ok(AddOutcome::TakenElsewhere);
        }
        let key = (tenant.clone(), record.hostname.clone());
        if let Some(existing) = tables.domains.get(&key) {
            return Ok(AddOutcome::Exists(Box::new(existing.clone())));
        }
        tables.domains.insert(key, record.clone());
        Ok(AddOutcome::Added)
    }

    async fn domain(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<Option<DomainRecord>, PortError> {
        self.faults.check("domain")?;
        Ok(self.stored(tenant, hostname))
    }

    async fn domains(&self, tenant: &TenantId) -> Result<Vec<DomainRecord>, PortError> {
        self.faults.check("domains")?;
        Ok(lock(&self.tables)
            .domains
            .iter()
            .filter(|((t, _), _)| t == tenant)
            .map(|(_, record)| record.clone())
            .collect())
    }

    async fn due_domains(
        &self,
        now: i64,
        limit: usize,
    ) -> Result<Vec<(TenantId, Hostname)>, PortError> {
        self.faults.check("due_domains")?;
        let tables = lock(&self.tables);
        let mut due: Vec<(i64, TenantId, Hostname)> = tables
            .domains
            .iter()
            .filter_map(|((tenant, hostname), record)| {
                record
                    .next_check_at
                    .filter(|at| *at <= now)
                    .map(|at| (at, tenant.clone(), hostname.clone()))
            })
            .collect();
        due.sort();
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(_, tenant, hostname)| (tenant, hostname))
            .collect())
    }

    async fn save_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, PortError> {
        self.faults.check("save_domain")?;
        Ok(Self::save(&mut lock(&self.tables), tenant, record))
    }

    async fn claim_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<bool, PortError> {
        self.faults.check("claim_hostname")?;
        let mut tables = lock(&self.tables);
        let owner = tables
            .claims
            .entry(hostname.clone())
            .or_insert_with(|| tenant.clone());
        Ok(owner == tenant)
    }

    async fn activate_domain(
        &self,
        tenant: &TenantId,
        record: &DomainRecord,
    ) -> Result<bool, PortError> {
        self.faults.check("activate_domain")?;
        let mut tables = lock(&self.tables);
        if tables.claims.get(&record.hostname) != Some(tenant) {
            return Ok(false);
        }
        if !Self::save(&mut tables, tenant, record) {
            return Ok(false);
        }
        tables.hosts.insert(record.hostname.clone(), tenant.clone());
        Ok(true)
    }

    async fn release_hostname(
        &self,
        tenant: &TenantId,
        hostname: &Hostname,
    ) -> Result<(), PortError> {
        self.faults.check("release_hostname")?;
        let mut tables = lock(&self.tables);
        if tables.hosts.get(hostname) == Some(tenant) {
            tables.hosts.remove(hostname);
        }
        if tables.claims.get(hostname) == Some(tenant) {
            tables.claims.remove(hostname);
        }
        Ok(())
    }

    async fn delete_domain(&self, tenant: &TenantId, hostname: &Hostname) -> Result<(), PortError> {
        self.faults.check("delete_domain")?;
        lock(&self.tables)
            .domains
            .remove(&(tenant.clone(), hostname.clone()));
        Ok(())
    }
}

/// A DNS zone the test edits.
#[derive(Default)]
pub struct FakeDns {
    txt: Mutex<HashMap<String, Vec<String>>>,
    cname: Mutex<HashMap<String, String>>,
    pub faults: Faults,
}

impl FakeDns {
    /// Creates the records a venue was told to create.
    pub fn create(&self, record: &DomainRecord, edge_target: &str) {
        self.set_txt(&verification_name(&record.hostname), &record.token);
        self.set_cname(record.hostname.as_str(), edge_target);
    }

    pub fn set_txt(&self, name: &str, value: &str) {
        lock(&self.txt).insert(name.to_owned(), vec![value.to_owned()]);
    }

    pub fn set_cname(&self, name: &str, target: &str) {
        lock(&self.cname).insert(name.to_owned(), target.to_owned());
    }

    pub fn remove_cname(&self, name: &str) {
        lock(&self.cname).remove(name);
    }
}

#[async_trait]
impl DnsLookup for FakeDns {
    async fn findings(&self, hostname: &Hostname) -> Result<DnsFindings, PortError> {
        self.faults.check("dns")?;
        Ok(DnsFindings {
            txt: lock(&self.txt)
                .get(&verification_name(hostname))
                .cloned()
                .unwrap_or_default(),
            cname: lock(&self.cname).get(hostname.as_str()).cloned(),
        })
    }
}

/// An edge whose certificates stay issuing until the test says otherwise.
#[derive(Default)]
pub struct FakeEdge {
    /// Edge id → (hostname, state).
    tenants: Mutex<HashMap<String, (Hostname, EdgeState)>>,
    /// Hostnames another distribution serves.
    elsewhere: Mutex<HashSet<Hostname>>,
    pub faults: Faults,
}

impl FakeEdge {
    pub fn issue_all(&self) {
        for (_, state) in lock(&self.tenants).values_mut() {
            *state = EdgeState::Deployed;
        }
    }

    pub fn fail_all(&self, reason: &str) {
        for (_, state) in lock(&self.tenants).values_mut() {
            *state = EdgeState::Failed(reason.to_owned());
        }
    }

    pub fn served_elsewhere(&self, hostname: &Hostname) {
        lock(&self.elsewhere).insert(hostname.clone());
    }

    pub fn hostnames(&self) -> Vec<Hostname> {
        let mut names: Vec<Hostname> = lock(&self.tenants)
            .values()
            .map(|(h, _)| h.clone())
            .collect();
        names.sort();
        names
    }
}

#[async_trait]
impl EdgeDomains for FakeEdge {
    async fn attach(&self, hostname: &Hostname) -> Result<Result<String, EdgeRefusal>, PortError> {
        self.faults.check("edge_attach")?;
        if lock(&self.elsewhere).contains(hostname) {
            return Ok(Err(EdgeRefusal::InUse));
        }
        let id = format!("dt_{hostname}");
        lock(&self.tenants)
            .entry(id.clone())
            .or_insert_with(|| (hostname.clone(), EdgeState::Issuing));
        Ok(Ok(id))
    }

    async fn state(&self, edge_id: &str) -> Result<EdgeState, PortError> {
        self.faults.check("edge_state")?;
        lock(&self.tenants)
            .get(edge_id)
            .map(|(_, state)| state.clone())
            .ok_or_else(|| PortError::new("edge", "no such tenant"))
    }

    async fn detach(&self, edge_id: &str) -> Result<(), PortError> {
        self.faults.check("edge_detach")?;
        lock(&self.tenants).remove(edge_id);
        Ok(())
    }
}
