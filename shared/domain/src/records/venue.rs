//! Venues, their hostnames and domains, and staff, as stored.

use crate::{Email, Hostname, Role, Slug, TenantId, VenueSettings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VenueRecord {
    pub id: TenantId,
    pub slug: Slug,
    /// The hosted address `{slug}.{platform domain}`.
    pub hostname: Hostname,
    pub settings: VenueSettings,
    pub created_at: String,
    /// The venue's connected Stripe account (payment agreements), once onboarding started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<crate::ConnectedAccount>,
    /// The operator's fee for this venue, when it differs from the platform's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_fee: Option<crate::PlatformFee>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    Platform,
    Custom,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostRecord {
    pub hostname: Hostname,
    pub tenant: TenantId,
    pub kind: HostKind,
}

pub use crate::domains::{DomainRecord, DomainStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffStatus {
    Invited,
    Active,
}

impl StaffStatus {
    /// The stored name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffRecord {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub status: StaffStatus,
    /// argon2id PHC string; absent until an invitation is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Every staff token carries the version it was issued under; a password change moves it
    /// on, which ends every earlier session. Starts at the account's creation time in
    /// milliseconds, so a removed and re-invited member's old tokens never match again.
    #[serde(default)]
    pub token_version: i64,
    /// SHA-256 of the invitation code (the code itself is only in the email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_code_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_expires_at: Option<i64>,
    pub created_at: String,
}

// Hashes and codes stay out of logs.
impl std::fmt::Debug for StaffRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffRecord")
            .field("email", &self.email)
            .field("role", &self.role)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}
