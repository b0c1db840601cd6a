//! The double's state: connection groups, distribution tenants with their managed
//! certificates, and the DNS zone. Certificates and deployments progress lazily: every call
//! first runs [`Store::advance`], which issues a pending certificate once each of its domains
//! has pointed its CNAME at the tenant's routing endpoint for `issue_delay`, and deploys.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::errors::ApiError;
use crate::ids;
use crate::zone::{DnsName, Zone};

#[derive(Debug, Clone)]
pub struct ConnectionGroup {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub routing_endpoint: DnsName,
    pub ipv6_enabled: bool,
    pub enabled: bool,
    pub is_default: bool,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub etag: String,
}

/// Who serves the HTTP validation token while the certificate is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHost {
    /// CloudFront serves it, so the domain's DNS must already point at CloudFront.
    CloudFront,
    /// The customer's own server does; the double takes that as done.
    SelfHosted,
}

impl TokenHost {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        match raw {
            "cloudfront" => Ok(Self::CloudFront),
            "self-hosted" => Ok(Self::SelfHosted),
            other => Err(ApiError::invalid_argument(format!(
                "ValidationTokenHost must be cloudfront or self-hosted, not {other:?}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CloudFront => "cloudfront",
            Self::SelfHosted => "self-hosted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStatus {
    PendingValidation,
    Issued,
    Failed,
    ValidationTimedOut,
}

impl CertificateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingValidation => "pending-validation",
            Self::Issued => "issued",
            Self::Failed => "failed",
            Self::ValidationTimedOut => "validation-timed-out",
        }
    }

    /// The outcomes a test may force through `/_double/certificates`.
    pub fn parse_forced(raw: &str) -> Option<Self> {
        match raw {
            "issued" => Some(Self::Issued),
            "failed" => Some(Self::Failed),
            "validation-timed-out" => Some(Self::ValidationTimedOut),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ManagedCertificate {
    pub arn: String,
    pub token_host: TokenHost,
    pub status: CertificateStatus,
    /// The HTTP validation token file of each domain.
    pub tokens: Vec<(DnsName, String)>,
    /// Since when every domain's DNS has been ready (reset when it stops being so).
    ready_since: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    InProgress { since: Instant },
    Deployed,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub distribution_id: String,
    pub connection_group_id: String,
    pub domains: Vec<DnsName>,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub etag: String,
    pub certificate: Option<ManagedCertificate>,
    pub status: TenantStatus,
}

impl Tenant {
    pub fn status_str(&self) -> &'static str {
        match self.status {
            TenantStatus::InProgress { .. } => "InProgress",
            TenantStatus::Deployed => "Deployed",
        }
    }

    /// A domain serves traffic once the tenant is enabled and deployed.
    pub fn domains_active(&self) -> bool {
        self.enabled && self.status == TenantStatus::Deployed
    }

    fn touch(&mut self) {
        self.modified = Utc::now();
        self.etag = ids::etag();
    }
}

#[derive(Debug, Clone)]
pub struct CertificateRequest {
    pub token_host: TokenHost,
    pub primary_domain: Option<DnsName>,
}

#[derive(Debug, Clone)]
pub struct NewConnectionGroup {
    pub name: String,
    pub ipv6_enabled: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewTenant {
    pub distribution_id: String,
    pub name: String,
    pub domains: Vec<DnsName>,
    pub connection_group_id: Option<String>,
    pub enabled: bool,
    pub certificate: Option<CertificateRequest>,
}

/// An update: what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct TenantChanges {
    pub distribution_id: Option<String>,
    pub domains: Option<Vec<DnsName>>,
    pub connection_group_id: Option<String>,
    pub enabled: Option<bool>,
    pub certificate: Option<CertificateRequest>,
}

/// What VerifyDnsConfiguration reports for one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsCheck {
    pub domain: DnsName,
    pub valid: bool,
    pub reason: String,
}

#[derive(Debug)]
pub struct Store {
    pub zone: Zone,
    groups: BTreeMap<String, ConnectionGroup>,
    tenants: BTreeMap<String, Tenant>,
    routing_suffix: DnsName,
    issue_delay: Duration,
}

impl Store {
    pub fn new(routing_suffix: DnsName, issue_delay: Duration) -> Self {
        Self {
            zone: Zone::default(),
            groups: BTreeMap::new(),
            tenants: BTreeMap::new(),
            routing_suffix,
            issue_delay,
        }
    }

    /// True when `name` is the routing endpoint of a connection group (the DNS listener
    /// answers A 127.0.0.1 for those).
    pub fn is_routing_endpoint(&self, name: &DnsName) -> bool {
        self.groups.values().any(|g| g.routing_endpoint == *name)
    }

    // --- connection groups ---

    pub fn create_connection_group(
        &mut self,
        new: NewConnectionGroup,
    ) -> Result<ConnectionGroup, ApiError> {
        validate_name(&new.name)?;
        if self.groups.values().any(|g| g.name == new.name) {
            return Err(ApiError::already_exists(format!(
                "a connection group named {} already exists",
                new.name
            )));
        }
        Ok(self.insert_group(new, false))
    }

    fn insert_group(&mut self, new: NewConnectionGroup, is_default: bool) -> ConnectionGroup {
        let id = ids::connection_group_id();
        let now = Utc::now();
        let endpoint = format!("{}.{}", ids::routing_label(), self.routing_suffix);
        let group = ConnectionGroup {
            arn: format!(
                "arn:aws:cloudfront::{}:connection-group/{id}",
                ids::ACCOUNT_ID
            ),
            id: id.clone(),
            name: new.name,
            // The label and the suffix are both valid, so the name is.
            routing_endpoint: DnsName::parse(&endpoint)
                .unwrap_or_else(|_| self.routing_suffix.clone()),
            ipv6_enabled: new.ipv6_enabled,
            enabled: new.enabled,
            is_default,
            created: now,
            modified: now,
            etag: ids::etag(),
        };
        self.groups.insert(id, group.clone());
        group
    }

    /// By id, ARN or name, as CloudFront accepts.
    pub fn connection_group(&self, identifier: &str) -> Result<&ConnectionGroup, ApiError> {
        self.groups
            .values()
            .find(|g| g.id == identifier || g.arn == identifier || g.name == identifier)
            .ok_or_else(|| {
                ApiError::not_found(format!("connection group {identifier} does not exist"))
            })
    }

    pub fn connection_group_by_endpoint(
        &self,
        endpoint: &DnsName,
    ) -> Result<&ConnectionGroup, ApiError> {
        self.groups
            .values()
            .find(|g| g.routing_endpoint == *endpoint)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "no connection group has the routing endpoint {endpoint}"
                ))
            })
    }

    /// The account's default connection group, made on first use like CloudFront's.
    fn default_group_id(&mut self) -> String {
        if let Some(group) = self.groups.values().find(|g| g.is_default) {
            return group.id.clone();
        }
        let new = NewConnectionGroup {
            name: "default-connection-group".into(),
            ipv6_enabled: true,
            enabled: true,
        };
        self.insert_group(new, true).id
    }

    fn routing_endpoint_of(&self, tenant: &Tenant) -> Option<&DnsName> {
        self.groups
            .get(&tenant.connection_group_id)
            .map(|g| &g.routing_endpoint)
    }

    // --- tenants ---

    pub fn create_tenant(&mut self, new: NewTenant, now: Instant) -> Result<Tenant, ApiError> {
        validate_name(&new.name)?;
        if new.distribution_id.trim().is_empty() {
            return Err(ApiError::invalid_argument("DistributionId is required"));
        }
        if self.tenants.values().any(|t| t.name == new.name) {
            return Err(ApiError::already_exists(format!(
                "a distribution tenant named {} already exists",
                new.name
            )));
        }
        self.check_domains(&new.domains, None)?;
        let group_id = match new.connection_group_id {
            Some(id) => self.connection_group(&id)?.id.clone(),
            None => self.default_group_id(),
        };
        let certificate = new
            .certificate
            .map(|request| managed_certificate(request, &new.domains))
            .transpose()?;
        let id = ids::tenant_id();
        let created = Utc::now();
        let tenant = Tenant {
            arn: format!(
                "arn:aws:cloudfront::{}:distribution-tenant/{id}",
                ids::ACCOUNT_ID
            ),
            id: id.clone(),
            name: new.name,
            distribution_id: new.distribution_id,
            connection_group_id: group_id,
            domains: new.domains,
            enabled: new.enabled,
            created,
            modified: created,
            etag: ids::etag(),
            certificate,
            status: TenantStatus::InProgress { since: now },
        };
        self.tenants.insert(id.clone(), tenant);
        self.advance(now);
        self.tenant_by_id(&id).cloned()
    }

    /// Domains must be given, distinct, and served by no other tenant.
    fn check_domains(&self, domains: &[DnsName], except: Option<&str>) -> Result<(), ApiError> {
        if domains.is_empty() {
            return Err(ApiError::invalid_argument(
                "Domains needs at least one domain",
            ));
        }
        for (i, domain) in domains.iter().enumerate() {
            if domains[..i].contains(domain) {
                return Err(ApiError::invalid_argument(format!(
                    "{domain} is listed twice"
                )));
            }
            let taken = self
                .tenants
                .values()
                .any(|t| Some(t.id.as_str()) != except && t.domains.contains(domain));
            if taken {
                return Err(ApiError::cname_already_exists(format!(
                    "One or more of the CNAMEs you provided are already associated with a \
                     different resource: {domain}"
                )));
            }
        }
        Ok(())
    }

    fn tenant_by_id(&self, id: &str) -> Result<&Tenant, ApiError> {
        self.tenants
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("distribution tenant {id} does not exist")))
    }

    /// By id, ARN or name, as CloudFront accepts for reads.
    pub fn tenant(&self, identifier: &str) -> Result<&Tenant, ApiError> {
        self.tenants
            .values()
            .find(|t| t.id == identifier || t.arn == identifier || t.name == identifier)
            .ok_or_else(|| {
                ApiError::not_found(format!("distribution tenant {identifier} does not exist"))
            })
    }

    pub fn tenant_by_domain(&self, domain: &str) -> Result<&Tenant, ApiError> {
        let domain = DnsName::parse(domain)
            .map_err(|_| ApiError::invalid_argument(format!("invalid domain {domain:?}")))?;
        self.tenants
            .values()
            .find(|t| t.domains.contains(&domain))
            .ok_or_else(|| {
                ApiError::not_found(format!("no distribution tenant has the domain {domain}"))
            })
    }

    pub fn tenants(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.values()
    }

    pub fn update_tenant(
        &mut self,
        id: &str,
        if_match: Option<&str>,
        changes: TenantChanges,
        now: Instant,
    ) -> Result<Tenant, ApiError> {
        let current = self.tenant_by_id(id)?;
        check_if_match(if_match, &current.etag)?;
        if let Some(domains) = &changes.domains {
            self.check_domains(domains, Some(id))?;
        }
        let group_id = match &changes.connection_group_id {
            Some(group) => Some(self.connection_group(group)?.id.clone()),
            None => None,
        };
        let domains = changes
            .domains
            .clone()
            .unwrap_or_else(|| current.domains.clone());
        let domains_changed = domains != current.domains;
        let certificate = match changes.certificate {
            Some(request) => Some(managed_certificate(request, &domains)?),
            // A certificate only covers the domains it was issued for: new domains need a
            // new one, requested with the same options.
            None => match &current.certificate {
                Some(cert) if domains_changed => Some(managed_certificate(
                    CertificateRequest {
                        token_host: cert.token_host,
                        primary_domain: None,
                    },
                    &domains,
                )?),
                other => other.clone(),
            },
        };
        let tenant = self.tenants.get_mut(id).ok_or_else(|| {
            ApiError::not_found(format!("distribution tenant {id} does not exist"))
        })?;
        if let Some(distribution_id) = changes.distribution_id {
            tenant.distribution_id = distribution_id;
        }
        if let Some(group_id) = group_id {
            tenant.connection_group_id = group_id;
        }
        if let Some(enabled) = changes.enabled {
            tenant.enabled = enabled;
        }
        tenant.domains = domains;
        tenant.certificate = certificate;
        tenant.status = TenantStatus::InProgress { since: now };
        tenant.touch();
        self.advance(now);
        self.tenant_by_id(id).cloned()
    }

    pub fn delete_tenant(&mut self, id: &str, if_match: Option<&str>) -> Result<(), ApiError> {
        let tenant = self.tenant_by_id(id)?;
        check_if_match(if_match, &tenant.etag)?;
        if tenant.enabled {
            return Err(ApiError::not_disabled(
                "The distribution tenant you are trying to delete has not been disabled.",
            ));
        }
        self.tenants.remove(id);
        Ok(())
    }

    /// VerifyDnsConfiguration: whether each domain (or the one given) has a CNAME to the
    /// tenant's routing endpoint in the double's zone.
    pub fn verify_dns(
        &self,
        identifier: &str,
        domain: Option<&str>,
    ) -> Result<Vec<DnsCheck>, ApiError> {
        let tenant = self.tenant(identifier)?;
        let domains = match domain {
            Some(raw) => vec![
                DnsName::parse(raw)
                    .map_err(|_| ApiError::invalid_argument(format!("invalid domain {raw:?}")))?,
            ],
            None => tenant.domains.clone(),
        };
        let endpoint = self.routing_endpoint_of(tenant);
        Ok(domains
            .into_iter()
            .map(|domain| {
                let (valid, reason) = match (self.zone.cname(&domain), endpoint) {
                    (Some(target), Some(endpoint)) if target == endpoint => (
                        true,
                        format!("{domain} has a CNAME to the routing endpoint {endpoint}"),
                    ),
                    (Some(target), Some(endpoint)) => (
                        false,
                        format!(
                            "{domain} has a CNAME to {target}, not to the routing endpoint \
                             {endpoint}"
                        ),
                    ),
                    (None, Some(endpoint)) => (
                        false,
                        format!("{domain} has no CNAME record; point it at {endpoint}"),
                    ),
                    (_, None) => (false, "the tenant's connection group is gone".to_owned()),
                };
                DnsCheck {
                    domain,
                    valid,
                    reason,
                }
            })
            .collect())
    }

    /// Forces a tenant's certificate to an outcome (a test control).
    pub fn force_certificate(
        &mut self,
        identifier: &str,
        status: CertificateStatus,
        now: Instant,
    ) -> Result<(), ApiError> {
        let id = self.tenant(identifier)?.id.clone();
        let tenant = self.tenants.get_mut(&id).ok_or_else(|| {
            ApiError::not_found(format!("distribution tenant {id} does not exist"))
        })?;
        let cert = tenant.certificate.as_mut().ok_or_else(|| {
            ApiError::not_found(format!(
                "distribution tenant {id} has no managed certificate"
            ))
        })?;
        cert.status = status;
        tenant.touch();
        self.advance(now);
        Ok(())
    }

    /// Moves certificates and deployments on to where they are at `now`.
    pub fn advance(&mut self, now: Instant) {
        let delay = self.issue_delay;
        let endpoints: BTreeMap<String, DnsName> = self
            .groups
            .values()
            .map(|g| (g.id.clone(), g.routing_endpoint.clone()))
            .collect();
        for tenant in self.tenants.values_mut() {
            let mut changed = false;
            if let Some(cert) = tenant.certificate.as_mut()
                && cert.status == CertificateStatus::PendingValidation
            {
                let ready = match cert.token_host {
                    TokenHost::SelfHosted => true,
                    TokenHost::CloudFront => {
                        let endpoint = endpoints.get(&tenant.connection_group_id);
                        tenant
                            .domains
                            .iter()
                            .all(|d| endpoint.is_some() && self.zone.cname(d) == endpoint)
                    }
                };
                if ready {
                    let since = *cert.ready_since.get_or_insert(now);
                    if now.duration_since(since) >= delay {
                        cert.status = CertificateStatus::Issued;
                        changed = true;
                    }
                } else {
                    cert.ready_since = None;
                }
            }
            if let TenantStatus::InProgress { since } = tenant.status {
                let deployable = match &tenant.certificate {
                    Some(cert) => cert.status == CertificateStatus::Issued,
                    None => now.duration_since(since) >= delay,
                };
                if deployable {
                    tenant.status = TenantStatus::Deployed;
                    changed = true;
                }
            }
            if changed {
                tenant.touch();
            }
        }
    }
}

fn managed_certificate(
    request: CertificateRequest,
    domains: &[DnsName],
) -> Result<ManagedCertificate, ApiError> {
    if let Some(primary) = request.primary_domain
        && !domains.contains(&primary)
    {
        return Err(ApiError::invalid_argument(format!(
            "PrimaryDomainName {primary} is not one of the tenant's domains"
        )));
    }
    Ok(ManagedCertificate {
        arn: ids::certificate_arn(),
        token_host: request.token_host,
        status: CertificateStatus::PendingValidation,
        tokens: domains
            .iter()
            .map(|d| (d.clone(), ids::validation_token()))
            .collect(),
        ready_since: None,
    })
}

fn check_if_match(if_match: Option<&str>, etag: &str) -> Result<(), ApiError> {
    match if_match {
        None | Some("") => Err(ApiError::invalid_if_match()),
        Some(given) if given == etag => Ok(()),
        Some(_) => Err(ApiError::precondition_failed()),
    }
}

/// Names of connection groups and tenants: 1–128 letters, digits, `-`, `.` and `_`.
fn validate_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_argument(format!(
            "invalid Name {name:?}: 1-128 letters, digits, '-', '.' or '_'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::{RecordKind, RecordSet};

    fn name(raw: &str) -> DnsName {
        DnsName::parse(raw).expect("valid name")
    }

    fn store(delay: Duration) -> Store {
        Store::new(name("edge.localhost"), delay)
    }

    fn tenant(store: &mut Store, domain: &str, now: Instant) -> Tenant {
        let group = store
            .create_connection_group(NewConnectionGroup {
                name: format!("group-{domain}"),
                ipv6_enabled: true,
                enabled: true,
            })
            .expect("group");
        store
            .create_tenant(
                NewTenant {
                    distribution_id: "E1MULTI".into(),
                    name: format!("venue-{domain}"),
                    domains: vec![name(domain)],
                    connection_group_id: Some(group.id),
                    enabled: true,
                    certificate: Some(CertificateRequest {
                        token_host: TokenHost::CloudFront,
                        primary_domain: None,
                    }),
                },
                now,
            )
            .expect("tenant")
    }

    fn point(store: &mut Store, domain: &str, target: &DnsName) {
        let set = RecordSet::parse(RecordKind::Cname, &[target.to_string()]).expect("cname");
        store.zone.put(name(domain), set).expect("put");
    }

    #[test]
    fn the_certificate_waits_for_the_cname_and_the_delay() {
        let start = Instant::now();
        let mut store = store(Duration::from_secs(1));
        let created = tenant(&mut store, "tickets.example.org", start);
        let endpoint = store
            .connection_group(&created.connection_group_id)
            .expect("group")
            .routing_endpoint
            .clone();
        store.advance(start + Duration::from_secs(5));
        let cert = |store: &Store| {
            store
                .tenant(&created.id)
                .expect("tenant")
                .certificate
                .clone()
                .expect("cert")
        };
        assert_eq!(cert(&store).status, CertificateStatus::PendingValidation);

        point(&mut store, "tickets.example.org", &endpoint);
        store.advance(start + Duration::from_secs(6));
        assert_eq!(cert(&store).status, CertificateStatus::PendingValidation);
        store.advance(start + Duration::from_millis(7_100));
        assert_eq!(cert(&store).status, CertificateStatus::Issued);
        let deployed = store.tenant(&created.id).expect("tenant");
        assert_eq!(deployed.status, TenantStatus::Deployed);
        assert_ne!(
            deployed.etag, created.etag,
            "a status change is a new version"
        );
    }

    #[test]
    fn a_cname_elsewhere_is_not_enough() {
        let now = Instant::now();
        let mut store = store(Duration::ZERO);
        let created = tenant(&mut store, "tickets.example.org", now);
        point(
            &mut store,
            "tickets.example.org",
            &name("elsewhere.example.net"),
        );
        store.advance(now);
        let checks = store.verify_dns(&created.name, None).expect("verify");
        assert!(!checks[0].valid);
        assert!(checks[0].reason.contains("elsewhere.example.net"));
        assert_eq!(
            store.tenant(&created.id).expect("tenant").status_str(),
            "InProgress"
        );
    }

    #[test]
    fn domains_belong_to_one_tenant() {
        let now = Instant::now();
        let mut store = store(Duration::ZERO);
        tenant(&mut store, "tickets.example.org", now);
        let err = store
            .create_tenant(
                NewTenant {
                    distribution_id: "E1MULTI".into(),
                    name: "other".into(),
                    domains: vec![name("TICKETS.example.org.")],
                    connection_group_id: None,
                    enabled: true,
                    certificate: None,
                },
                now,
            )
            .expect_err("duplicate");
        assert_eq!(err.code, "CNAMEAlreadyExists");
    }

    #[test]
    fn deleting_needs_the_current_version_and_a_disabled_tenant() {
        let now = Instant::now();
        let mut store = store(Duration::ZERO);
        let created = tenant(&mut store, "tickets.example.org", now);
        let etag = store.tenant(&created.id).expect("tenant").etag.clone();
        assert_eq!(
            store
                .delete_tenant(&created.id, None)
                .expect_err("no If-Match")
                .code,
            "InvalidIfMatchVersion"
        );
        assert_eq!(
            store
                .delete_tenant(&created.id, Some("E0LD"))
                .expect_err("stale")
                .code,
            "PreconditionFailed"
        );
        assert_eq!(
            store
                .delete_tenant(&created.id, Some(&etag))
                .expect_err("enabled")
                .code,
            "ResourceNotDisabled"
        );
        let disabled = store
            .update_tenant(
                &created.id,
                Some(&etag),
                TenantChanges {
                    enabled: Some(false),
                    ..TenantChanges::default()
                },
                now,
            )
            .expect("disable");
        store
            .delete_tenant(&created.id, Some(&disabled.etag))
            .expect("deleted");
        assert!(store.tenant(&created.id).is_err());
    }
}
