//! The `live` function: the routes of the live seat map's API Gateway WebSocket API —
//! `$connect` (and its REQUEST authorizer), `$disconnect`, `subscribe` and `$default` — see
//! [`marquee_platform::live`] for the protocol. The devserver serves the same protocol at
//! `/live` with [`venue_of_connection`] and [`subscription_target`] from here.
//!
//! Tenancy: a connection belongs to the venue whose site opened it, resolved once, when it
//! opens, from the `Host` header (the venue's own hostname, as on the devserver) or else from
//! the `Origin` header, which browsers always send on a WebSocket handshake (in AWS the socket
//! is on the WebSocket API's own host, as API Gateway cannot map a WebSocket API to the
//! venues' wildcard domain next to the HTTP API). Message routes carry no headers: the
//! authorizer's context (tenant, hostname) is what API Gateway hands to every later route of
//! the connection. Every key written starts with that tenant, and only published
//! performances of that venue can be watched — anything else is `not_found`, as in the HTTP
//! API. The seat map is public, so `Origin` (forgeable outside browsers) only scopes which
//! venue's public data a connection sees. A performance's sales figures are not: a `sales`
//! subscription carries a staff token, checked like the admin API's ([`StaffCheck`]).

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayCustomAuthorizerResponse, ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use chrono::{DateTime, Utc};
use http::HeaderMap;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::{Hostname, PerformanceId, Permission, TenantId};
use marquee_platform::auth::{JwtKeys, Sessions, verify_staff_token};
use marquee_platform::live::{ClientRequest, LiveChannel, LiveMessage};
use marquee_platform::secrets::Secrets;
use marquee_platform::tenancy::{Tenancy, Tenant};
use marquee_platform::{ApiError, Secret};
use marquee_store::{ConnectionId, LIVE_CONNECTION_SECONDS, Store, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

/// What the handlers use.
#[derive(Clone)]
pub struct LiveState {
    pub store: Store,
    pub tenancy: Tenancy,
    pub staff: StaffCheck,
}

impl LiveState {
    pub fn new(store: Store, staff: StaffCheck) -> Self {
        Self {
            tenancy: Tenancy::new(store.clone()),
            store,
            staff,
        }
    }
}

/// Checks the staff token of a `sales` subscription: the platform's signing key (from the
/// app's secret, read at the first staff subscription and kept) and the accounts' current
/// sessions, as the admin API does.
#[derive(Clone)]
pub struct StaffCheck {
    keys: Arc<tokio::sync::OnceCell<JwtKeys>>,
    secrets: Option<Arc<Secrets>>,
    sessions: Sessions,
}

impl StaffCheck {
    /// With the signing key at hand (the devserver).
    pub fn with_keys(keys: JwtKeys, store: Store) -> Self {
        Self {
            keys: Arc::new(tokio::sync::OnceCell::new_with(Some(keys))),
            secrets: None,
            sessions: Sessions::new(store),
        }
    }

    /// With the key in the app's secret, fetched when first needed (Lambda).
    pub fn from_secrets(secrets: Secrets, store: Store) -> Self {
        Self {
            keys: Arc::new(tokio::sync::OnceCell::new()),
            secrets: Some(Arc::new(secrets)),
            sessions: Sessions::new(store),
        }
    }

    async fn keys(&self) -> Result<&JwtKeys, String> {
        self.keys
            .get_or_try_init(|| async {
                let secrets = self.secrets.as_ref().ok_or("no signing key")?;
                let app = secrets.get().await.map_err(|e| e.to_string())?;
                let secret = app.jwt_secret.as_ref().ok_or("jwtSecret is not set")?;
                Ok(JwtKeys::new(secret))
            })
            .await
    }

    /// The end of the subscription `token` allows on `tenant`'s sales: the token's expiry
    /// (at most a connection's life). Refusals are the message to send back.
    async fn allow_sales(
        &self,
        tenant: &TenantId,
        token: Option<&Secret>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, LiveMessage> {
        let Some(token) = token else {
            return Err(LiveMessage::error(
                "unauthorized",
                "Send your staff token to watch sales",
                None,
            ));
        };
        let keys = self.keys().await.map_err(|error| {
            tracing::error!(%tenant, %error, "the token signing key could not be read");
            unavailable()
        })?;
        let (staff, expires) = match verify_staff_token(
            token.expose(),
            tenant,
            keys,
            &self.sessions,
            now,
        )
        .await
        {
            Ok(verified) => verified,
            Err(error) if error.status == http::StatusCode::UNAUTHORIZED => {
                return Err(LiveMessage::error("unauthorized", &error.message, None));
            }
            Err(error) => {
                tracing::error!(%tenant, error = %error.message, "checking a staff token failed");
                return Err(unavailable());
            }
        };
        if !staff.role.allows(Permission::ViewSales) {
            return Err(LiveMessage::error(
                "forbidden",
                &format!("The {} role may not view sales", staff.role),
                None,
            ));
        }
        Ok(expires.min(now + chrono::Duration::seconds(LIVE_CONNECTION_SECONDS)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("not a WebSocket route or authorizer event: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("the venue could not be looked up: {0}")]
    Lookup(String),
}

/// The venue a WebSocket handshake is for: its `Host` if a venue answers there, else its
/// `Origin`'s host. `None`: neither is a venue's.
pub async fn venue_of_connection(
    tenancy: &Tenancy,
    host: Option<&str>,
    origin: Option<&str>,
) -> Result<Option<Tenant>, ApiError> {
    let candidates = [
        host.and_then(|h| Hostname::from_host_header(h).ok()),
        origin.and_then(origin_host),
    ];
    for hostname in candidates.into_iter().flatten() {
        if let Some(id) = tenancy.resolve(&hostname).await? {
            return Ok(Some(Tenant { id, hostname }));
        }
    }
    Ok(None)
}

/// `https://tickets.example.org[:port]` → `tickets.example.org`.
fn origin_host(origin: &str) -> Option<Hostname> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    Hostname::from_host_header(rest.trim_end_matches('/')).ok()
}

/// What a subscribe request may watch, and until when: on the seat map channel, one of the
/// venue's published performances; on the sales channel, any of its performances for a
/// staff member who may view sales (until the token expires). An unknown performance is
/// answered `not_found`; a missing or bad token `unauthorized`, a role that may not view
/// sales `forbidden`.
pub async fn subscription_target(
    state: &LiveState,
    tenant: &TenantId,
    raw_id: &str,
    channel: LiveChannel,
    token: Option<&Secret>,
    now: DateTime<Utc>,
) -> Result<(PerformanceId, DateTime<Utc>), LiveMessage> {
    let until = match channel {
        LiveChannel::Seats => now + chrono::Duration::seconds(LIVE_CONNECTION_SECONDS),
        LiveChannel::Sales => state.staff.allow_sales(tenant, token, now).await?,
    };
    let Ok(id) = PerformanceId::parse(raw_id) else {
        return Err(LiveMessage::not_found(raw_id));
    };
    match state.store.performance(tenant, &id).await {
        Ok(Some(p)) if p.status != PerformanceStatus::Draft || channel == LiveChannel::Sales => {
            Ok((p.id, until))
        }
        Ok(_) => Err(LiveMessage::not_found(raw_id)),
        Err(error) => {
            tracing::error!(%tenant, %error, "reading a performance for a live subscription failed");
            Err(unavailable())
        }
    }
}

fn unavailable() -> LiveMessage {
    LiveMessage::error(
        "unavailable",
        "Live updates are unavailable right now; try again",
        None,
    )
}

/// The Lambda entry point: an authorizer request or a WebSocket route event.
pub async fn handle_event(state: &LiveState, event: Value) -> Result<Value, LiveError> {
    if event.get("methodArn").is_some() {
        let request: ApiGatewayCustomAuthorizerRequestTypeRequest = serde_json::from_value(event)?;
        Ok(serde_json::to_value(authorize(state, &request).await?)?)
    } else {
        let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event)?;
        Ok(serde_json::to_value(
            handle_route(state, &request, Utc::now()).await,
        )?)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The `$connect` authorizer: allows a handshake made for a venue and hands its tenant and
/// hostname to the connection's routes; denies any other (403 to the client).
pub async fn authorize(
    state: &LiveState,
    request: &ApiGatewayCustomAuthorizerRequestTypeRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, LiveError> {
    let venue = venue_of_connection(
        &state.tenancy,
        header(&request.headers, "host"),
        header(&request.headers, "origin"),
    )
    .await
    .map_err(|e| LiveError::Lookup(e.message))?;
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".into()];
    statement.resource = vec![request.method_arn.clone().unwrap_or_default()];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".into());
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    match venue {
        Some(venue) => {
            statement.effect = IamPolicyEffect::Allow;
            response.principal_id = Some(venue.id.to_string());
            response.context =
                json!({ "tenant": venue.id.to_string(), "hostname": venue.hostname.to_string() });
        }
        None => {
            statement.effect = IamPolicyEffect::Deny;
            response.principal_id = Some("unknown-host".into());
        }
    }
    policy.statement = vec![statement];
    response.policy_document = policy;
    Ok(response)
}

/// The venue of a route event: from the authorizer's context, or — for a `$connect`
/// without an authorizer in front — from its headers.
async fn route_venue(
    state: &LiveState,
    request: &ApiGatewayWebsocketProxyRequest,
    route: &str,
) -> Result<Option<(TenantId, Hostname)>, LiveError> {
    let fields = &request.request_context.authorizer.fields;
    let field = |name: &str| fields.get(name).and_then(Value::as_str);
    if let (Some(tenant), Some(hostname)) = (field("tenant"), field("hostname")) {
        return Ok(TenantId::parse(tenant)
            .ok()
            .zip(Hostname::parse(hostname).ok()));
    }
    if route != "$connect" {
        return Ok(None);
    }
    let venue = venue_of_connection(
        &state.tenancy,
        header(&request.headers, "host"),
        header(&request.headers, "origin"),
    )
    .await
    .map_err(|e| LiveError::Lookup(e.message))?;
    Ok(venue.map(|v| (v.id, v.hostname)))
}

fn respond(status: i64, message: Option<&LiveMessage>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.body = message.map(|m| Body::Text(m.to_json()));
    response
}

/// A WebSocket route: `$connect` records the connection, `$disconnect` removes it and its
/// subscriptions, and messages (`subscribe`, `$default`) are answered with the reply the
/// client receives (the routes have a `$default` route response).
pub async fn handle_route(
    state: &LiveState,
    request: &ApiGatewayWebsocketProxyRequest,
    now: DateTime<Utc>,
) -> ApiGatewayProxyResponse {
    let context = &request.request_context;
    let route = context.route_key.as_deref().unwrap_or("$default");
    let Some(connection) = context
        .connection_id
        .as_deref()
        .and_then(|c| ConnectionId::parse(c).ok())
    else {
        return respond(400, None);
    };
    let venue = match route_venue(state, request, route).await {
        Ok(venue) => venue,
        Err(error) => {
            tracing::error!(%connection, %error, "live connection's venue unknown");
            return respond(500, Some(&unavailable()));
        }
    };
    match (route, venue) {
        ("$connect", Some((tenant, hostname))) => {
            match state
                .store
                .put_live_connection(&tenant, &connection, &hostname, now)
                .await
            {
                Ok(()) => respond(200, None),
                Err(error) => {
                    tracing::error!(%tenant, %connection, %error, "recording a live connection failed");
                    respond(500, None)
                }
            }
        }
        ("$connect", None) => respond(403, None),
        ("$disconnect", Some((tenant, _))) => {
            if let Err(error) = state
                .store
                .remove_live_connection(&tenant, &connection)
                .await
            {
                // The TTL removes what is left; nobody is waiting for this answer.
                tracing::warn!(%tenant, %connection, %error, "removing a live connection failed");
            }
            respond(200, None)
        }
        ("$disconnect", None) => respond(200, None),
        (_, Some((tenant, _))) => {
            let body = request.body.as_deref().unwrap_or_default();
            let reply = message_reply(state, &tenant, &connection, body, now).await;
            respond(200, Some(&reply))
        }
        (_, None) => respond(
            200,
            Some(&LiveMessage::error("forbidden", "Unknown connection", None)),
        ),
    }
}

/// The answer to a client's message on a connection of `tenant`'s.
async fn message_reply(
    state: &LiveState,
    tenant: &TenantId,
    connection: &ConnectionId,
    body: &str,
    now: DateTime<Utc>,
) -> LiveMessage {
    let (performance_id, channel, token) = match ClientRequest::parse(body) {
        Err(refusal) => return refusal,
        Ok(ClientRequest::Ping) => return LiveMessage::Pong,
        Ok(ClientRequest::Subscribe {
            performance_id,
            channel,
            token,
        }) => (performance_id, channel, token),
    };
    let target =
        subscription_target(state, tenant, &performance_id, channel, token.as_ref(), now).await;
    let (performance, until) = match target {
        Ok(target) => target,
        Err(refusal) => return refusal,
    };
    match state
        .store
        .add_live_subscription(tenant, connection, &performance, channel, until)
        .await
    {
        Ok(()) => LiveMessage::Subscribed {
            performance_id: performance,
            channel,
        },
        Err(StoreError::ConditionFailed) => LiveMessage::too_many_subscriptions(&performance_id),
        Err(error) => {
            tracing::error!(%tenant, %connection, %error, "recording a live subscription failed");
            unavailable()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_name_their_host() {
        let host = |o: &str| origin_host(o).map(|h| h.to_string());
        assert_eq!(
            host("https://demo.marquee.example"),
            Some("demo.marquee.example".into())
        );
        assert_eq!(
            host("http://demo.localhost:5173"),
            Some("demo.localhost".into())
        );
        assert_eq!(host("null"), None);
        assert_eq!(host("demo.example"), None);
    }

    #[test]
    fn route_events_and_authorizer_requests_parse() {
        let connect: ApiGatewayWebsocketProxyRequest = serde_json::from_value(json!({
            "headers": { "Host": "abc.execute-api.eu-west-1.amazonaws.com", "Origin": "https://demo.marquee.example" },
            "requestContext": {
                "routeKey": "$connect", "eventType": "CONNECT", "connectionId": "L0SM9cOFvHcCIhw=",
                "connectedAt": 1, "requestTimeEpoch": 1, "apiId": "abc", "stage": "dev",
                "authorizer": { "principalId": "t", "tenant": "01j00000000000000000000000", "hostname": "demo.marquee.example" }
            },
            "isBase64Encoded": false
        }))
        .unwrap();
        let fields = &connect.request_context.authorizer.fields;
        assert_eq!(fields["tenant"], "01j00000000000000000000000");
        assert_eq!(
            connect.request_context.connection_id.as_deref(),
            Some("L0SM9cOFvHcCIhw=")
        );
        assert_eq!(
            header(&connect.headers, "origin"),
            Some("https://demo.marquee.example")
        );

        let authorizer: ApiGatewayCustomAuthorizerRequestTypeRequest =
            serde_json::from_value(json!({
                "type": "REQUEST",
                "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/$connect",
                "headers": { "Host": "abc.execute-api.eu-west-1.amazonaws.com" },
                "requestContext": { "routeKey": "$connect", "connectionId": "L0SM9cOFvHcCIhw=" }
            }))
            .unwrap();
        assert_eq!(
            header(&authorizer.headers, "host"),
            Some("abc.execute-api.eu-west-1.amazonaws.com")
        );
    }

    #[test]
    fn an_allow_policy_carries_the_venue_to_later_routes() {
        let mut response = ApiGatewayCustomAuthorizerResponse::<Value>::default();
        response.context = json!({ "tenant": "t", "hostname": "h" });
        let value = serde_json::to_value(&response).unwrap();
        assert_eq!(value["context"]["tenant"], "t");
        assert!(value.get("policyDocument").is_some());
    }
}
