//! The custom domains' adapters: DNS through `hickory-resolver` (asking the configured
//! servers directly, never a cache in between) and the edge through CloudFront's
//! multi-tenant distribution (`aws-sdk-cloudfront`): one distribution tenant per custom
//! domain, in the platform's connection group, with a CloudFront-managed certificate.
//! Locally both are the edge double (`infra/edge-double`).

use async_trait::async_trait;
use aws_sdk_cloudfront::error::ProvideErrorMetadata;
use aws_sdk_cloudfront::types::{
    DomainItem, ManagedCertificateRequest, ManagedCertificateStatus, ValidationTokenHost,
};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use marquee_app::ports::{DnsLookup, EdgeDomains, EdgeRefusal, EdgeState, PortError};
use marquee_domain::Hostname;
use marquee_domain::domains::{DnsFindings, verification_name};
use std::net::SocketAddr;
use std::time::Duration;

/// Asks the given DNS servers (UDP, then TCP for long answers).
pub struct HickoryDns {
    resolver: TokioResolver,
}

impl HickoryDns {
    pub fn new(servers: &[SocketAddr]) -> Result<Self, PortError> {
        let servers = servers
            .iter()
            .flat_map(|addr| {
                [
                    NameServerConfig::udp(addr.ip()),
                    NameServerConfig::tcp(addr.ip()),
                ]
                .map(|mut server| {
                    for connection in &mut server.connections {
                        connection.port = addr.port();
                    }
                    server
                })
            })
            .collect();
        let mut options = ResolverOpts::default();
        options.timeout = Duration::from_secs(3);
        options.attempts = 2;
        // A venue fixing its records should see the fix at the next check.
        options.cache_size = 0;
        let mut builder = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(servers),
            TokioRuntimeProvider::default(),
        );
        *builder.options_mut() = options;
        let resolver = builder.build().map_err(|e| PortError::new("DNS", e))?;
        Ok(Self { resolver })
    }

    /// The answers of one type at `name` (fully qualified); none when the name or the type
    /// does not exist.
    async fn answers(&self, name: &str, kind: RecordType) -> Result<Vec<RData>, PortError> {
        match self.resolver.lookup(format!("{name}."), kind).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .map(|record| record.data.clone())
                .collect()),
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(PortError::transient("DNS", e)),
        }
    }
}

#[async_trait]
impl DnsLookup for HickoryDns {
    async fn findings(&self, hostname: &Hostname) -> Result<DnsFindings, PortError> {
        let proof = verification_name(hostname);
        let (txt, cname) = tokio::try_join!(
            self.answers(&proof, RecordType::TXT),
            self.answers(hostname.as_str(), RecordType::CNAME),
        )?;
        Ok(DnsFindings {
            txt: txt
                .into_iter()
                .filter_map(|data| match data {
                    RData::TXT(txt) => Some(txt.to_string()),
                    _ => None,
                })
                .collect(),
            cname: cname.into_iter().find_map(|data| match data {
                RData::CNAME(target) => Some(target.0.to_ascii()),
                _ => None,
            }),
        })
    }
}

/// CloudFront's multi-tenant distribution: a tenant per custom domain.
pub struct CloudFrontEdge {
    client: aws_sdk_cloudfront::Client,
    distribution_id: String,
    connection_group_id: String,
}

impl CloudFrontEdge {
    pub fn new(
        client: aws_sdk_cloudfront::Client,
        distribution_id: String,
        connection_group_id: String,
    ) -> Self {
        Self {
            client,
            distribution_id,
            connection_group_id,
        }
    }

    /// The tenant serving `hostname`, if there is one.
    async fn tenant_of(&self, hostname: &Hostname) -> Result<Option<String>, PortError> {
        match self
            .client
            .get_distribution_tenant_by_domain()
            .domain(hostname.as_str())
            .send()
            .await
        {
            Ok(found) => Ok(found
                .distribution_tenant()
                .and_then(|t| t.id())
                .map(str::to_owned)),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(edge_error(e)),
        }
    }
}

/// The tenant's name: the hostname (CloudFront allows letters, digits, `-`, `.` and `_`).
fn tenant_name(hostname: &Hostname) -> String {
    hostname.as_str().to_owned()
}

fn edge_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> PortError {
    PortError::transient("CloudFront", e)
}

#[async_trait]
impl EdgeDomains for CloudFrontEdge {
    async fn attach(&self, hostname: &Hostname) -> Result<Result<String, EdgeRefusal>, PortError> {
        let domain = DomainItem::builder()
            .domain(hostname.as_str())
            .build()
            .map_err(|e| PortError::new("CloudFront", e))?;
        let certificate = ManagedCertificateRequest::builder()
            .validation_token_host(ValidationTokenHost::CloudFront)
            .primary_domain_name(hostname.as_str())
            .build()
            .map_err(|e| PortError::new("CloudFront", e))?;
        let created = self
            .client
            .create_distribution_tenant()
            .distribution_id(&self.distribution_id)
            .name(tenant_name(hostname))
            .domains(domain)
            .connection_group_id(&self.connection_group_id)
            .managed_certificate_request(certificate)
            .enabled(true)
            .send()
            .await;
        match created {
            Ok(created) => created
                .distribution_tenant()
                .and_then(|t| t.id())
                .map(|id| Ok(id.to_owned()))
                .ok_or_else(|| PortError::new("CloudFront", "a tenant without an id")),
            // Made by an earlier attempt that stopped before recording it: the same tenant.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_already_exists()) =>
            {
                self.tenant_of(hostname)
                    .await?
                    .map(Ok)
                    .ok_or_else(|| PortError::transient("CloudFront", "the tenant's name is taken"))
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_cname_already_exists()) =>
            {
                match self.tenant_of(hostname).await? {
                    Some(id) => Ok(Ok(id)),
                    None => Ok(Err(EdgeRefusal::InUse)),
                }
            }
            Err(e) => Err(edge_error(e)),
        }
    }

    async fn state(&self, edge_id: &str) -> Result<EdgeState, PortError> {
        let certificate = self
            .client
            .get_managed_certificate_details()
            .identifier(edge_id)
            .send()
            .await
            .map_err(edge_error)?;
        let status = certificate
            .managed_certificate_details()
            .and_then(|d| d.certificate_status());
        match status {
            Some(ManagedCertificateStatus::Issued) => {}
            Some(
                failed @ (ManagedCertificateStatus::Failed
                | ManagedCertificateStatus::Revoked
                | ManagedCertificateStatus::Expired
                | ManagedCertificateStatus::ValidationTimedOut),
            ) => {
                return Ok(EdgeState::Failed(format!(
                    "certificate {}",
                    failed.as_str()
                )));
            }
            _ => return Ok(EdgeState::Issuing),
        }
        let tenant = self
            .client
            .get_distribution_tenant()
            .identifier(edge_id)
            .send()
            .await
            .map_err(edge_error)?;
        let deployed = tenant
            .distribution_tenant()
            .and_then(|t| t.status())
            .is_some_and(|status| status == "Deployed");
        Ok(if deployed {
            EdgeState::Deployed
        } else {
            EdgeState::Issuing
        })
    }

    async fn detach(&self, edge_id: &str) -> Result<(), PortError> {
        let tenant = match self
            .client
            .get_distribution_tenant()
            .identifier(edge_id)
            .send()
            .await
        {
            Ok(tenant) => tenant,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_not_found()) =>
            {
                return Ok(());
            }
            Err(e) => return Err(edge_error(e)),
        };
        let mut etag = tenant.e_tag().unwrap_or_default().to_owned();
        let enabled = tenant
            .distribution_tenant()
            .and_then(|t| t.enabled())
            .unwrap_or(false);
        if enabled {
            let disabled = self
                .client
                .update_distribution_tenant()
                .id(edge_id)
                .if_match(&etag)
                .enabled(false)
                .send()
                .await
                .map_err(edge_error)?;
            etag = disabled.e_tag().unwrap_or_default().to_owned();
        }
        match self
            .client
            .delete_distribution_tenant()
            .id(edge_id)
            .if_match(&etag)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_not_found()) =>
            {
                Ok(())
            }
            Err(e) => {
                tracing::warn!(
                    edge_id,
                    code = e.code().unwrap_or("unknown"),
                    "CloudFront tenant not deleted yet"
                );
                Err(edge_error(e))
            }
        }
    }
}
