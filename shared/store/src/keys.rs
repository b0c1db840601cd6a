//! Every partition and sort key of the table. No other module builds key strings.
//!
//! Venue data is keyed under `T#{tenant}` so no query can cross tenants by construction.
//! The hostname index (`HOST#{hostname}`) is global on purpose: it is how a request finds
//! its tenant, and its conditional put is what makes hostnames unique.

use marquee_domain::{Email, Hostname, TenantId};

pub const PK: &str = "pk";
pub const SK: &str = "sk";

pub fn tenant(tenant: &TenantId) -> String {
    format!("T#{tenant}")
}

pub const VENUE_SK: &str = "VENUE";

pub fn host(hostname: &Hostname) -> String {
    format!("HOST#{hostname}")
}

pub const HOST_SK: &str = "HOST";

pub fn staff_sk(email: &Email) -> String {
    format!("STAFF#{email}")
}

pub const STAFF_PREFIX: &str = "STAFF#";

pub fn domain_sk(hostname: &Hostname) -> String {
    format!("DOMAIN#{hostname}")
}

pub const DOMAIN_PREFIX: &str = "DOMAIN#";

/// A mail job's delivery claim: makes redelivered jobs send at most once.
pub fn mail_claim(tenant: &TenantId, job_id: &str) -> String {
    format!("T#{tenant}#MAIL#{job_id}")
}

pub const MAIL_CLAIM_SK: &str = "CLAIM";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_keys_start_with_the_tenant() {
        let t = TenantId::generate();
        assert!(tenant(&t).starts_with(&format!("T#{t}")));
        assert!(mail_claim(&t, "job").starts_with(&format!("T#{t}#")));
    }
}
