//! CloudFront's multi-tenant calls through `aws-sdk-cloudfront`, as Marquee makes them for a
//! venue's custom domain.

use aws_sdk_cloudfront::error::ProvideErrorMetadata;
use aws_sdk_cloudfront::types::{
    DnsConfigurationStatus, DomainItem, DomainStatus, ManagedCertificateRequest,
    ManagedCertificateStatus, ValidationTokenHost,
};

use crate::support::{TestEdge, spawn_edge, spawn_edge_with};

const DISTRIBUTION: &str = "E1MARQUEEMULTI";

fn domain(name: &str) -> DomainItem {
    DomainItem::builder()
        .domain(name)
        .build()
        .expect("domain item")
}

fn managed_certificate(host: ValidationTokenHost) -> ManagedCertificateRequest {
    ManagedCertificateRequest::builder()
        .validation_token_host(host)
        .build()
        .expect("certificate request")
}

/// A connection group and its routing endpoint.
async fn connection_group(edge: &TestEdge, name: &str) -> (String, String) {
    let created = edge
        .cloudfront
        .create_connection_group()
        .name(name)
        .enabled(true)
        .send()
        .await
        .expect("connection group created");
    let group = created.connection_group().expect("group in the answer");
    assert!(created.e_tag().is_some());
    (
        group.id().expect("id").to_owned(),
        group
            .routing_endpoint()
            .expect("routing endpoint")
            .to_owned(),
    )
}

async fn tenant_for(edge: &TestEdge, group_id: &str, name: &str, host: &str) -> String {
    edge.cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name(name)
        .domains(domain(host))
        .connection_group_id(group_id)
        .enabled(true)
        .managed_certificate_request(managed_certificate(ValidationTokenHost::CloudFront))
        .send()
        .await
        .expect("tenant created")
        .distribution_tenant()
        .and_then(|t| t.id())
        .expect("tenant id")
        .to_owned()
}

#[tokio::test]
async fn a_custom_domain_goes_from_pending_to_deployed_and_is_removed() {
    let edge = spawn_edge().await;
    let (group_id, endpoint) = connection_group(&edge, "marquee-venues").await;
    assert!(endpoint.ends_with(".edge.localhost"), "{endpoint}");
    let group = edge
        .cloudfront
        .get_connection_group()
        .identifier("marquee-venues")
        .send()
        .await
        .expect("group by name");
    assert_eq!(
        group.connection_group().and_then(|g| g.routing_endpoint()),
        Some(endpoint.as_str())
    );
    let by_endpoint = edge
        .cloudfront
        .get_connection_group_by_routing_endpoint()
        .routing_endpoint(&endpoint)
        .send()
        .await
        .expect("group by routing endpoint");
    assert_eq!(
        by_endpoint.connection_group().and_then(|g| g.id()),
        Some(group_id.as_str())
    );

    // The venue adds tickets.example.org.
    let created = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-01JVENUE")
        .domains(domain("tickets.example.org"))
        .connection_group_id(&group_id)
        .enabled(true)
        .managed_certificate_request(
            ManagedCertificateRequest::builder()
                .validation_token_host(ValidationTokenHost::CloudFront)
                .primary_domain_name("tickets.example.org")
                .build()
                .expect("request"),
        )
        .send()
        .await
        .expect("tenant created");
    let tenant = created.distribution_tenant().expect("tenant");
    let tenant_id = tenant.id().expect("id").to_owned();
    assert!(tenant_id.starts_with("dt_"));
    assert_eq!(tenant.distribution_id(), Some(DISTRIBUTION));
    assert_eq!(tenant.connection_group_id(), Some(group_id.as_str()));
    assert_eq!(tenant.status(), Some("InProgress"));
    assert_eq!(tenant.enabled(), Some(true));
    assert!(tenant.created_time().is_some());
    let domains = tenant.domains();
    assert_eq!(domains.len(), 1);
    assert_eq!(domains[0].domain(), "tickets.example.org");
    assert_eq!(domains[0].status(), Some(&DomainStatus::Inactive));
    let first_etag = created.e_tag().expect("etag").to_owned();

    // No CNAME yet: the certificate waits, and the DNS check says why.
    let certificate = edge
        .cloudfront
        .get_managed_certificate_details()
        .identifier(&tenant_id)
        .send()
        .await
        .expect("certificate details");
    let details = certificate.managed_certificate_details().expect("details");
    assert_eq!(
        details.certificate_status(),
        Some(&ManagedCertificateStatus::PendingValidation)
    );
    assert_eq!(
        details.validation_token_host(),
        Some(&ValidationTokenHost::CloudFront)
    );
    assert!(
        details
            .certificate_arn()
            .is_some_and(|arn| arn.starts_with("arn:aws:acm:"))
    );
    let tokens = details.validation_token_details();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].domain(), "tickets.example.org");
    assert!(
        tokens[0]
            .redirect_from()
            .is_some_and(|from| from.starts_with("tickets.example.org/.well-known/pki-validation/"))
    );
    let check = edge
        .cloudfront
        .verify_dns_configuration()
        .identifier(&tenant_id)
        .domain("tickets.example.org")
        .send()
        .await
        .expect("dns check");
    let configs = check.dns_configuration_list();
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0].status(), &DnsConfigurationStatus::Invalid);
    assert!(configs[0].reason().is_some_and(|r| r.contains("no CNAME")));

    // A CNAME somewhere else is still wrong.
    edge.set_record("tickets.example.org", "CNAME", &["old-host.example.net"])
        .await;
    let check = edge
        .cloudfront
        .verify_dns_configuration()
        .identifier("venue-01JVENUE")
        .send()
        .await
        .expect("dns check by name");
    assert_eq!(
        check.dns_configuration_list()[0].status(),
        &DnsConfigurationStatus::Invalid
    );

    // The venue points its hostname at the routing endpoint (trailing dot, other case).
    edge.set_record(
        "Tickets.Example.org.",
        "CNAME",
        &[&format!("{}.", endpoint.to_uppercase())],
    )
    .await;
    let check = edge
        .cloudfront
        .verify_dns_configuration()
        .identifier(&tenant_id)
        .send()
        .await
        .expect("dns check");
    assert_eq!(
        check.dns_configuration_list()[0].status(),
        &DnsConfigurationStatus::Valid
    );
    let certificate = edge
        .cloudfront
        .get_managed_certificate_details()
        .identifier(&tenant_id)
        .send()
        .await
        .expect("certificate details");
    assert_eq!(
        certificate
            .managed_certificate_details()
            .and_then(|d| d.certificate_status()),
        Some(&ManagedCertificateStatus::Issued)
    );
    let deployed = edge
        .cloudfront
        .get_distribution_tenant_by_domain()
        .domain("tickets.example.org")
        .send()
        .await
        .expect("tenant by domain");
    let tenant = deployed.distribution_tenant().expect("tenant");
    assert_eq!(tenant.id(), Some(tenant_id.as_str()));
    assert_eq!(tenant.status(), Some("Deployed"));
    assert_eq!(tenant.domains()[0].status(), Some(&DomainStatus::Active));
    let etag = deployed.e_tag().expect("etag").to_owned();
    assert_ne!(etag, first_etag, "deploying is a new version");

    // Another venue cannot take the same hostname, in any spelling.
    let duplicate = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-other")
        .domains(domain("TICKETS.example.org"))
        .connection_group_id(&group_id)
        .send()
        .await
        .expect_err("domain taken");
    assert!(
        duplicate
            .as_service_error()
            .is_some_and(|e| e.is_cname_already_exists()),
        "{duplicate:?}"
    );
    let same_name = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-01JVENUE")
        .domains(domain("other.example.org"))
        .send()
        .await
        .expect_err("name taken");
    assert!(
        same_name
            .as_service_error()
            .is_some_and(|e| e.is_entity_already_exists())
    );

    // Removing the domain: deleting needs the tenant disabled and the current version.
    let enabled = edge
        .cloudfront
        .delete_distribution_tenant()
        .id(&tenant_id)
        .if_match(&etag)
        .send()
        .await
        .expect_err("still enabled");
    assert!(
        enabled
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_disabled()),
        "{enabled:?}"
    );
    let stale = edge
        .cloudfront
        .update_distribution_tenant()
        .id(&tenant_id)
        .if_match(&first_etag)
        .enabled(false)
        .send()
        .await
        .expect_err("stale version");
    assert!(
        stale
            .as_service_error()
            .is_some_and(|e| e.is_precondition_failed()),
        "{stale:?}"
    );
    let unversioned = edge
        .cloudfront
        .update_distribution_tenant()
        .id(&tenant_id)
        .enabled(false)
        .send()
        .await
        .expect_err("no If-Match");
    assert!(
        unversioned
            .as_service_error()
            .is_some_and(|e| e.is_invalid_if_match_version())
    );
    let disabled = edge
        .cloudfront
        .update_distribution_tenant()
        .id(&tenant_id)
        .if_match(&etag)
        .enabled(false)
        .send()
        .await
        .expect("disabled");
    let tenant = disabled.distribution_tenant().expect("tenant");
    assert_eq!(tenant.enabled(), Some(false));
    assert_eq!(tenant.domains()[0].status(), Some(&DomainStatus::Inactive));
    let disabled_etag = disabled.e_tag().expect("etag").to_owned();
    assert_ne!(disabled_etag, etag);
    let wrong = edge
        .cloudfront
        .delete_distribution_tenant()
        .id(&tenant_id)
        .if_match(&etag)
        .send()
        .await
        .expect_err("old version");
    assert!(
        wrong
            .as_service_error()
            .is_some_and(|e| e.is_precondition_failed())
    );
    edge.cloudfront
        .delete_distribution_tenant()
        .id(&tenant_id)
        .if_match(&disabled_etag)
        .send()
        .await
        .expect("deleted");
    let gone = edge
        .cloudfront
        .get_distribution_tenant()
        .identifier(&tenant_id)
        .send()
        .await
        .expect_err("gone");
    assert!(
        gone.as_service_error()
            .is_some_and(|e| e.is_entity_not_found())
    );
    let gone = edge
        .cloudfront
        .get_distribution_tenant_by_domain()
        .domain("tickets.example.org")
        .send()
        .await
        .expect_err("gone");
    assert!(
        gone.as_service_error()
            .is_some_and(|e| e.is_entity_not_found())
    );

    // The hostname is free again.
    tenant_for(&edge, &group_id, "venue-again", "tickets.example.org").await;
}

#[tokio::test]
async fn the_certificate_waits_for_the_issue_delay() {
    let edge = spawn_edge_with(edge_double::Config {
        issue_delay: std::time::Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let (group_id, endpoint) = connection_group(&edge, "venues").await;
    let tenant_id = tenant_for(&edge, &group_id, "venue-a", "tickets.example.org").await;
    edge.set_record("tickets.example.org", "CNAME", &[&endpoint])
        .await;
    let status = |edge: &TestEdge, id: String| {
        let request = edge.cloudfront.get_distribution_tenant().identifier(id);
        async move {
            request
                .send()
                .await
                .expect("tenant")
                .distribution_tenant()
                .and_then(|t| t.status())
                .map(str::to_owned)
        }
    };
    assert_eq!(
        status(&edge, tenant_id.clone()).await.as_deref(),
        Some("InProgress")
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(status(&edge, tenant_id).await.as_deref(), Some("Deployed"));
}

#[tokio::test]
async fn tenants_are_listed_and_found_by_arn_or_name() {
    let edge = spawn_edge().await;
    let (group_id, _) = connection_group(&edge, "venues").await;
    let first = tenant_for(&edge, &group_id, "venue-a", "a.example.org").await;
    tenant_for(&edge, &group_id, "venue-b", "b.example.org").await;
    // Without a connection group, the account's default one serves the tenant.
    let default = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id("E2OTHER")
        .name("venue-c")
        .domains(domain("c.example.org"))
        .send()
        .await
        .expect("tenant in the default group");
    let default_group = default
        .distribution_tenant()
        .and_then(|t| t.connection_group_id())
        .expect("group")
        .to_owned();
    assert_ne!(default_group, group_id);
    let group = edge
        .cloudfront
        .get_connection_group()
        .identifier(&default_group)
        .send()
        .await
        .expect("default group");
    assert_eq!(
        group.connection_group().and_then(|g| g.is_default()),
        Some(true)
    );

    let listed = edge
        .cloudfront
        .list_distribution_tenants()
        .send()
        .await
        .expect("listed");
    assert_eq!(listed.distribution_tenant_list().len(), 3);
    let in_group = edge
        .cloudfront
        .list_distribution_tenants()
        .association_filter(
            aws_sdk_cloudfront::types::DistributionTenantAssociationFilter::builder()
                .connection_group_id(&group_id)
                .build(),
        )
        .max_items(1)
        .send()
        .await
        .expect("first page");
    assert_eq!(in_group.distribution_tenant_list().len(), 1);
    let marker = in_group.next_marker().expect("more").to_owned();
    let next = edge
        .cloudfront
        .list_distribution_tenants()
        .association_filter(
            aws_sdk_cloudfront::types::DistributionTenantAssociationFilter::builder()
                .connection_group_id(&group_id)
                .build(),
        )
        .marker(marker)
        .send()
        .await
        .expect("second page");
    assert_eq!(next.distribution_tenant_list().len(), 1);
    assert!(next.next_marker().is_none());

    let arn = format!("arn:aws:cloudfront::123456789012:distribution-tenant/{first}");
    let by_arn = edge
        .cloudfront
        .get_distribution_tenant()
        .identifier(arn)
        .send()
        .await
        .expect("by arn");
    assert_eq!(
        by_arn.distribution_tenant().and_then(|t| t.name()),
        Some("venue-a")
    );
}

#[tokio::test]
async fn self_hosted_validation_does_not_wait_for_the_cname() {
    let edge = spawn_edge().await;
    let (group_id, _) = connection_group(&edge, "venues").await;
    let created = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-a")
        .domains(domain("tickets.example.org"))
        .connection_group_id(&group_id)
        .managed_certificate_request(managed_certificate(ValidationTokenHost::SelfHosted))
        .send()
        .await
        .expect("created");
    let id = created
        .distribution_tenant()
        .and_then(|t| t.id())
        .expect("id");
    let details = edge
        .cloudfront
        .get_managed_certificate_details()
        .identifier(id)
        .send()
        .await
        .expect("details");
    assert_eq!(
        details
            .managed_certificate_details()
            .and_then(|d| d.certificate_status()),
        Some(&ManagedCertificateStatus::Issued)
    );
}

#[tokio::test]
async fn a_failed_certificate_can_be_forced() {
    let edge = spawn_edge().await;
    let (group_id, _) = connection_group(&edge, "venues").await;
    let id = tenant_for(&edge, &group_id, "venue-a", "tickets.example.org").await;
    let response = edge
        .http()
        .post(edge.control(&format!("certificates/{id}")))
        .json(&serde_json::json!({ "status": "failed" }))
        .send()
        .await
        .expect("control");
    assert_eq!(response.status(), 204);
    let details = edge
        .cloudfront
        .get_managed_certificate_details()
        .identifier(&id)
        .send()
        .await
        .expect("details");
    assert_eq!(
        details
            .managed_certificate_details()
            .and_then(|d| d.certificate_status()),
        Some(&ManagedCertificateStatus::Failed)
    );
}

#[tokio::test]
async fn mistakes_are_refused_with_cloudfronts_errors() {
    let edge = spawn_edge().await;
    let missing_group = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-a")
        .domains(domain("tickets.example.org"))
        .connection_group_id("cg_doesnotexist")
        .send()
        .await
        .expect_err("unknown group");
    assert!(
        missing_group
            .as_service_error()
            .is_some_and(|e| e.is_entity_not_found())
    );
    let bad_domain = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-a")
        .domains(domain("not a domain"))
        .send()
        .await
        .expect_err("bad domain");
    assert!(
        bad_domain
            .as_service_error()
            .is_some_and(|e| e.is_invalid_argument())
    );
    let unsupported = edge
        .cloudfront
        .create_distribution_tenant()
        .distribution_id(DISTRIBUTION)
        .name("venue-a")
        .domains(domain("tickets.example.org"))
        .tags(
            aws_sdk_cloudfront::types::Tags::builder()
                .items(
                    aws_sdk_cloudfront::types::Tag::builder()
                        .key("venue")
                        .build()
                        .expect("tag"),
                )
                .build(),
        )
        .send()
        .await
        .expect_err("tags are not modelled");
    assert_eq!(unsupported.code(), Some("InvalidArgument"));
    assert!(unsupported.message().is_some_and(|m| m.contains("Tags")));
    let no_certificate = edge
        .cloudfront
        .get_managed_certificate_details()
        .identifier("nobody")
        .send()
        .await
        .expect_err("unknown tenant");
    assert!(
        no_certificate
            .as_service_error()
            .is_some_and(|e| e.is_entity_not_found())
    );
}

#[tokio::test]
async fn unsigned_and_unknown_requests_are_refused() {
    let edge = spawn_edge().await;
    let unsigned = edge
        .http()
        .get(format!(
            "{}/2020-05-31/distribution-tenant/dt_x",
            edge.double.url()
        ))
        .send()
        .await
        .expect("reachable");
    assert_eq!(unsigned.status(), 403);
    let body = unsigned.text().await.expect("body");
    assert!(
        body.contains("<Code>MissingAuthenticationToken</Code>"),
        "{body}"
    );

    let unknown = edge
        .http()
        .get(format!("{}/2020-05-31/distribution", edge.double.url()))
        .send()
        .await
        .expect("reachable");
    assert_eq!(unknown.status(), 404);
    let body = unknown.text().await.expect("body");
    assert!(body.contains("UnknownOperation"), "{body}");
}
