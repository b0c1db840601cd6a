//! The CloudFront calls under `/2020-05-31/`: connection groups, distribution tenants, their
//! managed certificates and the DNS check, in CloudFront's REST-XML with `ETag`/`If-Match`.

use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::App;
use crate::errors::ApiError;
use crate::store::{
    CertificateRequest, ConnectionGroup, NewConnectionGroup, NewTenant, Tenant, TenantChanges,
    TokenHost,
};
use crate::xml::{self, Body, NAMESPACE, XmlWriter};
use crate::zone::DnsName;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/2020-05-31/connection-group",
            post(create_connection_group).get(get_connection_group_by_endpoint),
        )
        .route(
            "/2020-05-31/connection-group/{identifier}",
            get(get_connection_group),
        )
        .route(
            "/2020-05-31/distribution-tenant",
            post(create_tenant).get(get_tenant_by_domain),
        )
        .route(
            "/2020-05-31/distribution-tenant/{id}",
            get(get_tenant).put(update_tenant).delete(delete_tenant),
        )
        .route("/2020-05-31/distribution-tenants", post(list_tenants))
        .route(
            "/2020-05-31/managed-certificate/{identifier}",
            get(get_managed_certificate),
        )
        .route("/2020-05-31/verify-dns-configuration", post(verify_dns))
        .route_layer(axum::middleware::from_fn(check_request))
}

/// Every call must be SigV4-signed (the signature itself is not checked: the double has no
/// secrets) and may carry only the query parameters its operation defines.
async fn check_request(request: Request, next: Next) -> Response {
    if let Err(err) = check_signature(request.headers()) {
        return err.into_response();
    }
    let allowed: &[&str] = match (request.method(), request.uri().path()) {
        (&Method::GET, "/2020-05-31/distribution-tenant") => &["domain"],
        (&Method::GET, "/2020-05-31/connection-group") => &["RoutingEndpoint"],
        _ => &[],
    };
    let query = request.uri().query().unwrap_or_default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if !allowed.contains(&key) {
            return ApiError::invalid_argument(format!(
                "query parameter {key} is not supported by the edge double here"
            ))
            .into_response();
        }
    }
    next.run(request).await
}

fn check_signature(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::missing_authentication());
    };
    let authorization = authorization.to_str().unwrap_or_default();
    let Some(parts) = authorization.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err(ApiError::incomplete_signature(
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm",
        ));
    };
    let field = |name: &str| {
        parts
            .split(',')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
            .filter(|v| !v.is_empty())
    };
    let (Some(credential), Some(_), Some(_)) = (
        field("Credential"),
        field("SignedHeaders"),
        field("Signature"),
    ) else {
        return Err(ApiError::incomplete_signature(
            "Authorization header requires Credential, SignedHeaders and Signature",
        ));
    };
    if !headers.contains_key("x-amz-date") && !headers.contains_key(header::DATE) {
        return Err(ApiError::incomplete_signature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header",
        ));
    }
    // access-key/date/region/service/aws4_request
    if credential.split('/').nth(3) != Some("cloudfront") {
        return Err(ApiError::incomplete_signature(
            "Credential should be scoped to correct service: 'cloudfront'",
        ));
    }
    Ok(())
}

fn body_text(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|_| ApiError::malformed_body("the body is not UTF-8"))
}

fn xml_response(status: StatusCode, etag: Option<&str>, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(xml::CONTENT_TYPE),
    );
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert(header::ETAG, etag);
    }
    response
}

fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

// --- connection groups ---

async fn create_connection_group(
    State(app): State<App>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let doc = xml::document(body_text(&body)?)?;
    let body = xml::parse(&doc, "CreateConnectionGroupRequest")?;
    body.only(&["Name", "Ipv6Enabled", "Enabled"])?;
    let new = NewConnectionGroup {
        name: body.required("Name")?,
        ipv6_enabled: body.flag("Ipv6Enabled")?.unwrap_or(true),
        enabled: body.flag("Enabled")?.unwrap_or(true),
    };
    let group = app.lock().create_connection_group(new)?;
    tracing::info!(id = %group.id, endpoint = %group.routing_endpoint, "connection group created");
    Ok(xml_response(
        StatusCode::CREATED,
        Some(&group.etag),
        render_group(&group),
    ))
}

async fn get_connection_group(
    State(app): State<App>,
    Path(identifier): Path<String>,
) -> Result<Response, ApiError> {
    let store = app.lock();
    let group = store.connection_group(&identifier)?;
    Ok(xml_response(
        StatusCode::OK,
        Some(&group.etag),
        render_group(group),
    ))
}

async fn get_connection_group_by_endpoint(
    State(app): State<App>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let endpoint = query_value(query.as_deref(), "RoutingEndpoint")
        .ok_or_else(|| ApiError::invalid_argument("RoutingEndpoint is required"))?;
    let endpoint = DnsName::parse(&endpoint)
        .map_err(|_| ApiError::invalid_argument(format!("invalid RoutingEndpoint {endpoint:?}")))?;
    let store = app.lock();
    let group = store.connection_group_by_endpoint(&endpoint)?;
    Ok(xml_response(
        StatusCode::OK,
        Some(&group.etag),
        render_group(group),
    ))
}

fn render_group(group: &ConnectionGroup) -> String {
    let mut xml = XmlWriter::document();
    xml.open_ns("ConnectionGroup", NAMESPACE);
    xml.text("Id", &group.id);
    xml.text("Name", &group.name);
    xml.text("Arn", &group.arn);
    xml.text("CreatedTime", &time(&group.created));
    xml.text("LastModifiedTime", &time(&group.modified));
    xml.flag("Ipv6Enabled", group.ipv6_enabled);
    xml.text("RoutingEndpoint", group.routing_endpoint.as_str());
    xml.text("Status", "Deployed");
    xml.flag("Enabled", group.enabled);
    xml.flag("IsDefault", group.is_default);
    xml.close("ConnectionGroup");
    xml.finish()
}

// --- tenants ---

fn domains(body: &Body<'_>) -> Result<Vec<DnsName>, ApiError> {
    let Some(list) = body.child("Domains") else {
        return Err(ApiError::invalid_argument("Domains is required"));
    };
    list.items()
        .iter()
        .map(|item| {
            item.only(&["Domain"])?;
            let raw = item.required("Domain")?;
            DnsName::parse(&raw).map_err(|_| {
                ApiError::invalid_argument(format!(
                    "invalid domain {raw:?} (wildcards are not supported by the edge double)"
                ))
            })
        })
        .collect()
}

fn certificate_request(body: &Body<'_>) -> Result<Option<CertificateRequest>, ApiError> {
    let Some(request) = body.child("ManagedCertificateRequest") else {
        return Ok(None);
    };
    request.only(&[
        "ValidationTokenHost",
        "PrimaryDomainName",
        "CertificateTransparencyLoggingPreference",
    ])?;
    let primary_domain = match request.text("PrimaryDomainName") {
        Some(raw) => Some(DnsName::parse(&raw).map_err(|_| {
            ApiError::invalid_argument(format!("invalid PrimaryDomainName {raw:?}"))
        })?),
        None => None,
    };
    Ok(Some(CertificateRequest {
        token_host: TokenHost::parse(&request.required("ValidationTokenHost")?)?,
        primary_domain,
    }))
}

async fn create_tenant(State(app): State<App>, body: Bytes) -> Result<Response, ApiError> {
    let doc = xml::document(body_text(&body)?)?;
    let body = xml::parse(&doc, "CreateDistributionTenantRequest")?;
    body.only(&[
        "DistributionId",
        "Name",
        "Domains",
        "ConnectionGroupId",
        "Enabled",
        "ManagedCertificateRequest",
    ])?;
    let new = NewTenant {
        distribution_id: body.required("DistributionId")?,
        name: body.required("Name")?,
        domains: domains(&body)?,
        connection_group_id: body.text("ConnectionGroupId").filter(|id| !id.is_empty()),
        enabled: body.flag("Enabled")?.unwrap_or(true),
        certificate: certificate_request(&body)?,
    };
    let tenant = app.lock().create_tenant(new, Instant::now())?;
    tracing::info!(id = %tenant.id, domains = ?tenant.domains, "distribution tenant created");
    Ok(xml_response(
        StatusCode::CREATED,
        Some(&tenant.etag),
        render_tenant(&tenant),
    ))
}

async fn get_tenant(
    State(app): State<App>,
    Path(identifier): Path<String>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.advance(Instant::now());
    let tenant = store.tenant(&identifier)?;
    Ok(xml_response(
        StatusCode::OK,
        Some(&tenant.etag),
        render_tenant(tenant),
    ))
}

async fn get_tenant_by_domain(
    State(app): State<App>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let domain = query_value(query.as_deref(), "domain")
        .ok_or_else(|| ApiError::invalid_argument("domain is required"))?;
    let mut store = app.lock();
    store.advance(Instant::now());
    let tenant = store.tenant_by_domain(&domain)?;
    Ok(xml_response(
        StatusCode::OK,
        Some(&tenant.etag),
        render_tenant(tenant),
    ))
}

async fn update_tenant(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let doc = xml::document(body_text(&body)?)?;
    let body = xml::parse(&doc, "UpdateDistributionTenantRequest")?;
    body.only(&[
        "DistributionId",
        "Domains",
        "ConnectionGroupId",
        "Enabled",
        "ManagedCertificateRequest",
    ])?;
    let changes = TenantChanges {
        distribution_id: body.text("DistributionId").filter(|d| !d.is_empty()),
        domains: match body.child("Domains") {
            Some(_) => Some(domains(&body)?),
            None => None,
        },
        connection_group_id: body.text("ConnectionGroupId").filter(|id| !id.is_empty()),
        enabled: body.flag("Enabled")?,
        certificate: certificate_request(&body)?,
    };
    let now = Instant::now();
    let mut store = app.lock();
    store.advance(now);
    let tenant = store.update_tenant(&id, if_match(&headers), changes, now)?;
    tracing::info!(id = %tenant.id, enabled = tenant.enabled, "distribution tenant updated");
    Ok(xml_response(
        StatusCode::OK,
        Some(&tenant.etag),
        render_tenant(&tenant),
    ))
}

async fn delete_tenant(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.advance(Instant::now());
    store.delete_tenant(&id, if_match(&headers))?;
    tracing::info!(%id, "distribution tenant deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_tenants(State(app): State<App>, body: Bytes) -> Result<Response, ApiError> {
    let text = body_text(&body)?;
    // The SDK sends no body when no field is set.
    let (mut filter_distribution, mut filter_group, mut marker, mut max_items) =
        (None, None, None, 100usize);
    if !text.trim().is_empty() {
        let doc = xml::document(text)?;
        let body = xml::parse(&doc, "ListDistributionTenantsRequest")?;
        body.only(&["AssociationFilter", "Marker", "MaxItems"])?;
        if let Some(filter) = body.child("AssociationFilter") {
            filter.only(&["DistributionId", "ConnectionGroupId"])?;
            filter_distribution = filter.text("DistributionId");
            filter_group = filter.text("ConnectionGroupId");
        }
        marker = body.text("Marker").filter(|m| !m.is_empty());
        if let Some(raw) = body.text("MaxItems") {
            max_items = raw
                .parse()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid_argument(format!("MaxItems must be 1 to 100, not {raw}"))
                })?;
        }
    }
    let mut store = app.lock();
    store.advance(Instant::now());
    let matching: Vec<&Tenant> = store
        .tenants()
        .filter(|t| {
            filter_distribution
                .as_ref()
                .is_none_or(|d| *d == t.distribution_id)
        })
        .filter(|t| {
            filter_group
                .as_ref()
                .is_none_or(|g| *g == t.connection_group_id)
        })
        // Tenants are kept in id order, so the marker (the last id returned) resumes there.
        .filter(|t| marker.as_ref().is_none_or(|m| t.id.as_str() > m.as_str()))
        .collect();
    let page = &matching[..matching.len().min(max_items)];
    let mut xml = XmlWriter::document();
    xml.open_ns("ListDistributionTenantsResult", NAMESPACE);
    if matching.len() > page.len()
        && let Some(last) = page.last()
    {
        xml.text("NextMarker", &last.id);
    }
    xml.open("DistributionTenantList");
    for tenant in page {
        xml.open("DistributionTenantSummary");
        xml.text("Id", &tenant.id);
        xml.text("DistributionId", &tenant.distribution_id);
        xml.text("Name", &tenant.name);
        xml.text("Arn", &tenant.arn);
        write_domains(&mut xml, tenant);
        xml.text("ConnectionGroupId", &tenant.connection_group_id);
        xml.text("CreatedTime", &time(&tenant.created));
        xml.text("LastModifiedTime", &time(&tenant.modified));
        xml.text("ETag", &tenant.etag);
        xml.flag("Enabled", tenant.enabled);
        xml.text("Status", tenant.status_str());
        xml.close("DistributionTenantSummary");
    }
    xml.close("DistributionTenantList");
    xml.close("ListDistributionTenantsResult");
    Ok(xml_response(StatusCode::OK, None, xml.finish()))
}

fn write_domains(xml: &mut XmlWriter, tenant: &Tenant) {
    let status = if tenant.domains_active() {
        "active"
    } else {
        "inactive"
    };
    xml.open("Domains");
    for domain in &tenant.domains {
        // The SDK reads list items named `member`.
        xml.open("member");
        xml.text("Domain", domain.as_str());
        xml.text("Status", status);
        xml.close("member");
    }
    xml.close("Domains");
}

fn render_tenant(tenant: &Tenant) -> String {
    let mut xml = XmlWriter::document();
    xml.open_ns("DistributionTenant", NAMESPACE);
    xml.text("Id", &tenant.id);
    xml.text("DistributionId", &tenant.distribution_id);
    xml.text("Name", &tenant.name);
    xml.text("Arn", &tenant.arn);
    write_domains(&mut xml, tenant);
    xml.text("ConnectionGroupId", &tenant.connection_group_id);
    xml.text("CreatedTime", &time(&tenant.created));
    xml.text("LastModifiedTime", &time(&tenant.modified));
    xml.flag("Enabled", tenant.enabled);
    xml.text("Status", tenant.status_str());
    xml.close("DistributionTenant");
    xml.finish()
}

// --- certificates and DNS ---

async fn get_managed_certificate(
    State(app): State<App>,
    Path(identifier): Path<String>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.advance(Instant::now());
    let tenant = store.tenant(&identifier)?;
    let cert = tenant.certificate.as_ref().ok_or_else(|| {
        ApiError::not_found(format!(
            "distribution tenant {identifier} has no CloudFront-managed certificate"
        ))
    })?;
    let mut xml = XmlWriter::document();
    xml.open_ns("ManagedCertificateDetails", NAMESPACE);
    xml.text("CertificateArn", &cert.arn);
    xml.text("CertificateStatus", cert.status.as_str());
    xml.text("ValidationTokenHost", cert.token_host.as_str());
    xml.open("ValidationTokenDetails");
    for (domain, token) in &cert.tokens {
        xml.open("member");
        xml.text("Domain", domain.as_str());
        xml.text(
            "RedirectTo",
            &format!("validation.{}/{token}.txt", app.routing_suffix),
        );
        xml.text(
            "RedirectFrom",
            &format!("{domain}/.well-known/pki-validation/{token}.txt"),
        );
        xml.close("member");
    }
    xml.close("ValidationTokenDetails");
    xml.close("ManagedCertificateDetails");
    Ok(xml_response(StatusCode::OK, None, xml.finish()))
}

async fn verify_dns(State(app): State<App>, body: Bytes) -> Result<Response, ApiError> {
    let doc = xml::document(body_text(&body)?)?;
    let body = xml::parse(&doc, "VerifyDnsConfigurationRequest")?;
    body.only(&["Domain", "Identifier"])?;
    let identifier = body.required("Identifier")?;
    let domain = body.text("Domain").filter(|d| !d.is_empty());
    let mut store = app.lock();
    store.advance(Instant::now());
    let checks = store.verify_dns(&identifier, domain.as_deref())?;
    let mut xml = XmlWriter::document();
    xml.open_ns("VerifyDnsConfigurationResult", NAMESPACE);
    xml.open("DnsConfigurationList");
    for check in checks {
        xml.open("DnsConfiguration");
        xml.text("Domain", check.domain.as_str());
        let status = if check.valid {
            "valid-configuration"
        } else {
            "invalid-configuration"
        };
        xml.text("Status", status);
        xml.text("Reason", &check.reason);
        xml.close("DnsConfiguration");
    }
    xml.close("DnsConfigurationList");
    xml.close("VerifyDnsConfigurationResult");
    Ok(xml_response(StatusCode::OK, None, xml.finish()))
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The first value of `key` in a query string, percent-decoded.
fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    let query = query?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Anything under the API prefix that no route matched.
pub async fn unknown_operation(method: Method, uri: axum::http::Uri) -> Response {
    ApiError::unknown_operation(method.as_str(), uri.path()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value(Some("domain=tickets.example.org"), "domain").as_deref(),
            Some("tickets.example.org")
        );
        assert_eq!(
            query_value(Some("a=1&domain=x%2Ey"), "domain").as_deref(),
            Some("x.y")
        );
        assert_eq!(
            query_value(Some("domain=%"), "domain").as_deref(),
            Some("%")
        );
        assert_eq!(query_value(None, "domain"), None);
    }

    #[test]
    fn signatures_must_be_sigv4_for_cloudfront() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            check_signature(&headers).expect_err("unsigned").code,
            "MissingAuthenticationToken"
        );
        headers.insert("x-amz-date", HeaderValue::from_static("20260101T000000Z"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=abc",
            ),
        );
        assert_eq!(
            check_signature(&headers).expect_err("wrong service").code,
            "IncompleteSignature"
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cloudfront/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=abc",
            ),
        );
        assert!(check_signature(&headers).is_ok());
    }
}
