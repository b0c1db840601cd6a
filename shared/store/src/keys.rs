//! Every partition and sort key of the table. No other module builds key strings.
//!
//! Venue data is keyed under `T#{tenant}` so no query can cross tenants by construction.
//! The hostname index (`HOST#{hostname}`) is global on purpose: it is how a request finds
//! its tenant, and its conditional put is what makes hostnames unique.

use marquee_domain::seatmap::{AreaId, SeatId, SectionId};
use marquee_domain::{Email, EventId, Hostname, PerformanceId, SeatMapId, TenantId};

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

pub fn seat_map_sk(map: &SeatMapId) -> String {
    format!("MAP#{map}")
}

pub const SEAT_MAP_PREFIX: &str = "MAP#";

/// The partition holding a seat map's sections, one item per section per layout version.
pub fn seat_map_sections(tenant: &TenantId, map: &SeatMapId) -> String {
    format!("T#{tenant}#MAP#{map}")
}

/// Sections of one layout version: a replaced layout is written under a new version and
/// switched to by one metadata write, so readers never see a half-replaced map.
pub fn seat_map_section_sk(version: u32, section: &SectionId) -> String {
    format!("SECTION#{version:06}#{section}")
}

pub fn seat_map_version_prefix(version: u32) -> String {
    format!("SECTION#{version:06}#")
}

pub fn event_sk(event: &EventId) -> String {
    format!("EVENT#{event}")
}

pub const EVENT_PREFIX: &str = "EVENT#";

/// A performance has its own partition, so it can be read by id alone.
pub fn performance(tenant: &TenantId, performance: &PerformanceId) -> String {
    format!("T#{tenant}#PERF#{performance}")
}

pub const PERFORMANCE_SK: &str = "PERF";

/// gsi1: an event's performances, by start time.
pub fn event_performances(tenant: &TenantId, event: &EventId) -> String {
    format!("T#{tenant}#E#{event}")
}

/// gsi2: all of a venue's performances, by start time (the public "what's on").
pub fn venue_performances(tenant: &TenantId) -> String {
    format!("T#{tenant}#PERFS")
}

/// Sort key of a performance in both indexes: RFC 3339 UTC sorts as time.
pub fn performance_by_start(starts_at: &str, performance: &PerformanceId) -> String {
    format!("{starts_at}#{performance}")
}

/// Seat state items of one section of one performance. Partitioning by performance *and*
/// section spreads an onsale over many partitions (each takes 1,000 writes/s).
pub fn seat_states(tenant: &TenantId, performance: &PerformanceId, section: &SectionId) -> String {
    format!("T#{tenant}#PERF#{performance}#SEC#{section}")
}

pub fn seat_sk(seat: &SeatId) -> String {
    format!("SEAT#{seat}")
}

pub const SEAT_PREFIX: &str = "SEAT#";

/// A general-admission area's counter for one performance.
pub fn ga_counter(tenant: &TenantId, performance: &PerformanceId, area: &AreaId) -> String {
    format!("T#{tenant}#PERF#{performance}#GA#{area}")
}

pub const GA_COUNTER_SK: &str = "COUNT";

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
