//! Carts and their holds: a patron's (or a clerk's) tickets on the way to an order.

use super::spot::Spot;
use crate::{CartId, HoldId, OrderId, PerformanceId, ZoneId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CartStatus {
    Open,
    Checkout,
    Completed,
    Expired,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartRecord {
    pub id: CartId,
    /// SHA-256 of the cart token; the token itself only the patron has.
    pub token_hash: String,
    pub status: CartStatus,
    /// The ticket limit of the cart (the venue's setting when it was created).
    pub limit: u32,
    /// Tickets that can still be held: `limit` minus live holds.
    pub remaining: u32,
    /// The same per performance, created at the performance's first hold.
    #[serde(default)]
    pub perf_remaining: HashMap<String, u32>,
    pub version: u32,
    /// The order of the cart's current checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// The promo code the patron entered, applied at checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo: Option<crate::promo::PromoCode>,
    /// A box office cart: the staff member who opened it (its holds last longer, and only
    /// staff reach it, without the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<crate::Email>,
    pub created_at: String,
    /// DynamoDB TTL (epoch seconds): abandoned carts disappear.
    pub ttl: i64,
}

impl CartStatus {
    /// The stored (and wire) name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Checkout => "checkout",
            Self::Completed => "completed",
            Self::Expired => "expired",
        }
    }
}

impl std::fmt::Debug for CartRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CartRecord")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("remaining", &self.remaining)
            .finish()
    }
}

/// One held ticket: a seat, or a place in a general-admission area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldRecord {
    pub hold_id: HoldId,
    pub performance_id: PerformanceId,
    /// Stored flat, as `section` + `seat` or `area`.
    #[serde(flatten)]
    pub spot: Spot,
    /// The general-admission counter shard the place was taken from (0 for seats).
    #[serde(default, skip_serializing_if = "is_first_shard")]
    pub shard: u16,
    pub zone: ZoneId,
    /// Epoch milliseconds.
    pub expires_at: i64,
    pub created_at: String,
}

impl HoldRecord {
    /// Whether the hold still keeps its place at `now_ms`.
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.expires_at > now_ms
    }
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
pub(crate) fn is_first_shard(shard: &u16) -> bool {
    *shard == 0
}
