//! Live subscriptions: API Gateway WebSocket connections and the performances they watch, on
//! one of two channels — a performance's seat map (anyone), or its sales figures (staff).
//!
//! A connection item (`T#{tenant}#WS#{connection}`) is written at `$connect` and lists the
//! performances the connection subscribed to per channel (`performances`, `sales`), so
//! `$disconnect` removes exactly its subscription items. A subscription item
//! (`T#{tenant}#PERF#{performance}#WS` or `…#WSSALES` / `CONN#{connection}`) is what the
//! `seat-events` worker queries to fan a change out. Both carry a TTL of at most two hours,
//! API Gateway's longest connection (a staff subscription's ends with its token); TTL only
//! tidies up what a missed `$disconnect` left behind, and readers skip items past it.

use crate::tenancy::{item, key};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use marquee_domain::{Hostname, Invalid, PerformanceId, TenantId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How many performances one connection may watch at once.
pub const MAX_LIVE_SUBSCRIPTIONS: usize = 20;

/// API Gateway closes a WebSocket connection after two hours at the latest.
pub const LIVE_CONNECTION_SECONDS: i64 = 2 * 3600;

/// What a subscription watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LiveChannel {
    /// The seat map: seats and general-admission places as they change. Public.
    #[default]
    Seats,
    /// The sales figures changed (staff with the sales permission).
    Sales,
}

impl LiveChannel {
    /// The connection item's string set listing this channel's subscriptions.
    fn attribute(self) -> &'static str {
        match self {
            Self::Seats => "performances",
            Self::Sales => "sales",
        }
    }
}

/// A WebSocket connection id as API Gateway assigns it (e.g. `L0SM9cOFvHcCIhw=`); part of keys,
/// so it never contains `#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConnectionId(String);

impl ConnectionId {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let ok = !value.is_empty()
            && value.len() <= 128
            && value.bytes().all(|b| b.is_ascii_graphic() && b != b'#');
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new("connectionId", "is not a connection id"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConnectionId {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ConnectionId> for String {
    fn from(id: ConnectionId) -> Self {
        id.0
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A connection, opened on one of a venue's hostnames.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveConnectionRecord {
    pub connection_id: ConnectionId,
    pub hostname: Hostname,
    pub connected_at: String,
    /// A string set (`ADD`ed to by each subscribe); absent until the first one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub performances: Vec<PerformanceId>,
    /// The performances whose sales figures it watches (a string set, like `performances`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sales: Vec<PerformanceId>,
    /// Epoch seconds.
    pub ttl: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionItem {
    connection_id: ConnectionId,
    ttl: i64,
}

impl Store {
    /// Records a connection opened on `hostname` (one of the tenant's).
    pub async fn put_live_connection(
        &self,
        tenant: &TenantId,
        connection: &ConnectionId,
        hostname: &Hostname,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let record = LiveConnectionRecord {
            connection_id: connection.clone(),
            hostname: hostname.clone(),
            connected_at: now.to_rfc3339(),
            performances: Vec::new(),
            sales: Vec::new(),
            ttl: now.timestamp() + LIVE_CONNECTION_SECONDS,
        };
        self.put(item(
            keys::live_connection(tenant, connection),
            keys::LIVE_CONNECTION_SK,
            &record,
        )?)
        .await?;
        Ok(())
    }

    pub async fn live_connection(
        &self,
        tenant: &TenantId,
        connection: &ConnectionId,
    ) -> Result<Option<LiveConnectionRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::live_connection(tenant, connection),
                keys::LIVE_CONNECTION_SK,
            )))
            // A disconnect may follow a subscribe by milliseconds.
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Subscribes a connection to a performance's changes on `channel` until `until` (at the
    /// latest the connection's own end). `ConditionFailed` when the connection is unknown or
    /// already watches [`MAX_LIVE_SUBSCRIPTIONS`] other performances on that channel.
    /// Subscribing twice is harmless.
    pub async fn add_live_subscription(
        &self,
        tenant: &TenantId,
        connection: &ConnectionId,
        performance: &PerformanceId,
        channel: LiveChannel,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // The connection item first: it is what `$disconnect` cleans up from, so a
        // subscription item never exists without its entry there.
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::live_connection(tenant, connection),
                keys::LIVE_CONNECTION_SK,
            )))
            .update_expression("ADD #set :set")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(#set) \
                 OR size(#set) < :max OR contains(#set, :performance))",
            )
            .expression_attribute_names("#set", channel.attribute())
            .expression_attribute_values(":set", AttributeValue::Ss(vec![performance.to_string()]))
            .expression_attribute_values(
                ":max",
                AttributeValue::N(MAX_LIVE_SUBSCRIPTIONS.to_string()),
            )
            .expression_attribute_values(":performance", AttributeValue::S(performance.to_string()))
            .send()
            .await
            .map_err(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => StoreError::ConditionFailed,
                err => StoreError::dynamo(err),
            })?;
        let subscription = SubscriptionItem {
            connection_id: connection.clone(),
            ttl: until.timestamp(),
        };
        self.put(item(
            keys::live_subscribers(tenant, performance, channel),
            &keys::live_subscriber_sk(connection),
            &subscription,
        )?)
        .await?;
        Ok(())
    }

    /// Removes a connection and all its subscriptions (`$disconnect`). Unknown connections are
    /// fine: API Gateway may deliver a disconnect twice, or after the TTL removed the item.
    pub async fn remove_live_connection(
        &self,
        tenant: &TenantId,
        connection: &ConnectionId,
    ) -> Result<(), StoreError> {
        let Some(record) = self.live_connection(tenant, connection).await? else {
            return Ok(());
        };
        let watched = record.performances.iter().map(|p| (p, LiveChannel::Seats));
        let removals = watched
            .chain(record.sales.iter().map(|p| (p, LiveChannel::Sales)))
            .map(|(performance, channel)| {
                self.remove_live_subscription(tenant, performance, channel, connection)
            });
        futures::future::try_join_all(removals).await?;
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::live_connection(tenant, connection),
                keys::LIVE_CONNECTION_SK,
            )))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    /// The connections watching a performance on `channel`, leaving out those past their TTL
    /// that DynamoDB has not deleted yet.
    pub async fn live_subscribers(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        channel: LiveChannel,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConnectionId>, StoreError> {
        let items: Vec<SubscriptionItem> = self
            .query_prefix(
                keys::live_subscribers(tenant, performance, channel),
                keys::LIVE_SUBSCRIBER_PREFIX,
            )
            .await?;
        let now = now.timestamp();
        Ok(items
            .into_iter()
            .filter(|s| s.ttl > now)
            .map(|s| s.connection_id)
            .collect())
    }

    /// Removes one subscription (its connection is gone).
    pub async fn remove_live_subscription(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        channel: LiveChannel,
        connection: &ConnectionId,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::live_subscribers(tenant, performance, channel),
                &keys::live_subscriber_sk(connection),
            )))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_are_key_safe() {
        assert!(ConnectionId::parse("L0SM9cOFvHcCIhw=").is_ok());
        assert!(ConnectionId::parse("01j0000000000000000000000a").is_ok());
        for bad in ["", "a#b", "a b", "a\nb", &"x".repeat(129)] {
            assert!(ConnectionId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
