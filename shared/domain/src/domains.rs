//! Custom domains: a venue proves that it controls a hostname with two DNS records, then the
//! edge gives the hostname a certificate and routes it to the venue's site.
//!
//! `pending_dns → issuing_certificate → active`, or `failed` with the reason. Pure rules
//! only: which records to create, what a DNS answer proves, when to look again and when to
//! give up. `marquee_app::domains` does the I/O.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::Hostname;

/// How long a claim may wait for its DNS records or its certificate before it fails.
pub const GIVE_UP_AFTER: Duration = Duration::hours(72);
/// An active domain's records are looked at again this often (a domain whose DNS stops
/// pointing to us is flagged).
pub const ACTIVE_RECHECK: Duration = Duration::hours(6);
/// The first look after a change; the wait doubles with each check up to `MAX_BACKOFF`.
const FIRST_BACKOFF_SECONDS: i64 = 60;
const MAX_BACKOFF_SECONDS: i64 = 3_600;
/// While the edge issues the certificate (minutes), look more often.
const ISSUING_BACKOFF_SECONDS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    /// Waiting for the venue's TXT and CNAME records. Serves nothing.
    #[serde(alias = "pending_verification")]
    PendingDns,
    /// The hostname is proven and the venue's; the edge is issuing its certificate.
    IssuingCertificate,
    /// The site answers on the hostname.
    Active,
    /// Given up (the reason says why); verifying again starts over.
    Failed,
}

impl DomainStatus {
    /// The stored name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingDns => "pending_dns",
            Self::IssuingCertificate => "issuing_certificate",
            Self::Active => "active",
            Self::Failed => "failed",
        }
    }
}

/// A venue's claim on a hostname, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainRecord {
    pub hostname: Hostname,
    pub status: DomainStatus,
    pub created_at: String,
    /// The value of the `_marquee.{hostname}` TXT record that proves the claim: random per
    /// claim, so no venue can claim a hostname set up for another.
    #[serde(default)]
    pub token: String,
    /// When the current attempt started (the 72 hours count from here); `created_at` until
    /// a failed claim is verified again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_started_at: Option<String>,
    /// Checks made in the current state (the backoff grows with it).
    #[serde(default)]
    pub checks: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// When the scheduled check looks next (unix seconds); none once failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_check_at: Option<i64>,
    /// Why it failed, or what is still missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The edge's tenant for this hostname (a CloudFront distribution tenant id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge_id: Option<String>,
    /// Set while an active domain's CNAME no longer points to the edge (it keeps serving).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_lost_at: Option<String>,
    /// Bumped by every write: two checks of one claim at once cannot both apply.
    #[serde(default)]
    pub version: u64,
}

impl DomainRecord {
    /// A new claim, waiting for its DNS records.
    pub fn claim(hostname: Hostname, now: DateTime<Utc>) -> Self {
        Self {
            hostname,
            status: DomainStatus::PendingDns,
            created_at: now.to_rfc3339(),
            token: new_token(),
            attempt_started_at: None,
            checks: 0,
            checked_at: None,
            next_check_at: Some(now.timestamp()),
            reason: None,
            edge_id: None,
            dns_lost_at: None,
            version: 0,
        }
    }

    /// Gives a claim stored before DNS verification its token (and a first check).
    pub fn ensure_token(&mut self, now: DateTime<Utc>) {
        if self.token.is_empty() {
            self.token = new_token();
            self.attempt_started_at = Some(now.to_rfc3339());
            self.next_check_at.get_or_insert(now.timestamp());
        }
    }

    /// The records the venue creates at its DNS provider.
    pub fn records(&self, edge_target: &str) -> Vec<DnsRecord> {
        vec![
            DnsRecord {
                kind: "TXT",
                name: verification_name(&self.hostname),
                value: self.token.clone(),
                purpose: "proves that the venue controls the hostname",
            },
            DnsRecord {
                kind: "CNAME",
                name: self.hostname.to_string(),
                value: edge_target.to_owned(),
                purpose: "sends the hostname's visitors to the venue's site",
            },
        ]
    }

    /// When the current attempt started.
    pub fn attempt_started(&self) -> Option<DateTime<Utc>> {
        let started = self
            .attempt_started_at
            .as_deref()
            .unwrap_or(&self.created_at);
        DateTime::parse_from_rfc3339(started)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Whether the attempt has waited longer than `GIVE_UP_AFTER`.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.attempt_started()
            .is_some_and(|started| now - started > GIVE_UP_AFTER)
    }

    /// Moves to `status` (checks start again from the first backoff).
    pub fn become_(&mut self, status: DomainStatus, now: DateTime<Utc>) {
        self.status = status;
        self.checks = 0;
        self.reason = None;
        self.next_check_at = match status {
            DomainStatus::Failed => None,
            DomainStatus::Active => Some((now + ACTIVE_RECHECK).timestamp()),
            _ => Some(now.timestamp() + self.backoff_seconds()),
        };
    }

    /// Notes a check that changed nothing and schedules the next one.
    pub fn checked(&mut self, now: DateTime<Utc>) {
        self.checked_at = Some(now.to_rfc3339());
        self.checks = self.checks.saturating_add(1);
        self.next_check_at = match self.status {
            DomainStatus::Failed => None,
            DomainStatus::Active => Some((now + ACTIVE_RECHECK).timestamp()),
            _ => Some(now.timestamp() + self.backoff_seconds()),
        };
    }

    /// Gives up with `reason`: no more scheduled checks.
    pub fn fail(&mut self, reason: impl Into<String>, now: DateTime<Utc>) {
        self.become_(DomainStatus::Failed, now);
        self.checked_at = Some(now.to_rfc3339());
        self.reason = Some(reason.into());
    }

    /// A failed claim verified again: a new attempt with a new 72 hours.
    pub fn restart(&mut self, now: DateTime<Utc>) {
        self.become_(DomainStatus::PendingDns, now);
        self.attempt_started_at = Some(now.to_rfc3339());
        self.edge_id = None;
        self.next_check_at = Some(now.timestamp());
    }

    fn backoff_seconds(&self) -> i64 {
        if self.status == DomainStatus::IssuingCertificate {
            return ISSUING_BACKOFF_SECONDS;
        }
        let doubled = FIRST_BACKOFF_SECONDS.saturating_mul(1_i64 << self.checks.min(12));
        doubled.min(MAX_BACKOFF_SECONDS)
    }
}

/// A record the venue creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    /// `TXT` or `CNAME`.
    pub kind: &'static str,
    pub name: String,
    pub value: String,
    pub purpose: &'static str,
}

/// `_marquee.{hostname}`: where the proof lives.
pub fn verification_name(hostname: &Hostname) -> String {
    format!("_marquee.{hostname}")
}

fn new_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::rng();
    let random: String = (0..26)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("marquee-verify={random}")
}

/// What DNS says about a claim's two records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsFindings {
    /// The TXT values found at `_marquee.{hostname}`.
    pub txt: Vec<String>,
    /// Where the hostname's CNAME points, if it has one.
    pub cname: Option<String>,
}

impl DnsFindings {
    pub fn proves(&self, token: &str) -> bool {
        self.txt.iter().any(|value| value.trim() == token)
    }

    pub fn points_to(&self, edge_target: &str) -> bool {
        self.cname
            .as_deref()
            .is_some_and(|cname| same_name(cname, edge_target))
    }

    /// What is still missing, in words the venue can act on; `None` when both are right.
    pub fn missing(&self, record: &DomainRecord, edge_target: &str) -> Option<String> {
        let mut missing = Vec::new();
        if !self.proves(&record.token) {
            missing.push(format!(
                "the TXT record {} with the value {} was not found",
                verification_name(&record.hostname),
                record.token
            ));
        }
        if !self.points_to(edge_target) {
            missing.push(match &self.cname {
                Some(other) => format!(
                    "{} is a CNAME to {other}, not to {edge_target}",
                    record.hostname
                ),
                None => format!(
                    "the CNAME record {} → {edge_target} was not found",
                    record.hostname
                ),
            });
        }
        (!missing.is_empty()).then(|| capitalise(&missing.join("; ")))
    }
}

/// DNS names compare without case and without the trailing dot.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap() + Duration::hours(hours)
    }

    fn claim() -> DomainRecord {
        DomainRecord::claim(Hostname::parse("tickets.example.org").unwrap(), at(0))
    }

    const EDGE: &str = "edge.example.net";

    #[test]
    fn a_claim_names_both_records_with_a_token_of_its_own() {
        let a = claim();
        let b = claim();
        assert_ne!(a.token, b.token);
        assert!(a.token.starts_with("marquee-verify="));
        let records = a.records(EDGE);
        assert_eq!(records[0].kind, "TXT");
        assert_eq!(records[0].name, "_marquee.tickets.example.org");
        assert_eq!(records[0].value, a.token);
        assert_eq!(records[1].kind, "CNAME");
        assert_eq!(records[1].name, "tickets.example.org");
        assert_eq!(records[1].value, EDGE);
    }

    #[test]
    fn dns_proves_a_claim_only_with_its_own_token_and_the_edge_as_cname() {
        let record = claim();
        let right = DnsFindings {
            txt: vec!["other".into(), format!(" {} ", record.token)],
            cname: Some("EDGE.example.net.".into()),
        };
        assert!(right.missing(&record, EDGE).is_none());
        let another_venues = DnsFindings {
            txt: vec![claim().token],
            cname: Some(EDGE.into()),
        };
        let missing = another_venues.missing(&record, EDGE).unwrap();
        assert!(
            missing.starts_with("The TXT record _marquee.tickets.example.org"),
            "{missing}"
        );
        let elsewhere = DnsFindings {
            txt: vec![record.token.clone()],
            cname: Some("old-host.example.com".into()),
        };
        let missing = elsewhere.missing(&record, EDGE).unwrap();
        assert!(
            missing.contains("CNAME to old-host.example.com"),
            "{missing}"
        );
        let nothing = DnsFindings {
            txt: vec![],
            cname: None,
        };
        let missing = nothing.missing(&record, EDGE).unwrap();
        assert!(
            missing.contains("TXT") && missing.contains("CNAME record"),
            "{missing}"
        );
    }

    #[test]
    fn checks_back_off_from_a_minute_to_an_hour_and_give_up_after_72_hours() {
        let mut record = claim();
        let mut waits = Vec::new();
        for _ in 0..9 {
            let now = at(1);
            record.checked(now);
            waits.push(record.next_check_at.unwrap() - now.timestamp());
        }
        assert_eq!(waits[..4], [120, 240, 480, 960]);
        assert_eq!(*waits.last().unwrap(), 3_600);
        assert!(!record.overdue(at(72)));
        assert!(record.overdue(at(73)));
        record.fail("gone", at(73));
        assert_eq!(record.status, DomainStatus::Failed);
        assert_eq!(record.next_check_at, None);
        record.restart(at(80));
        assert_eq!(record.status, DomainStatus::PendingDns);
        assert!(
            !record.overdue(at(150)),
            "a new attempt has its own 72 hours"
        );
        assert!(record.overdue(at(153)));
    }

    #[test]
    fn records_stored_before_dns_verification_read_as_pending_dns() {
        let stored = r#"{"hostname":"tickets.example.org","status":"pending_verification","createdAt":"2026-12-01T10:00:00+00:00"}"#;
        let record: DomainRecord = serde_json::from_str(stored).unwrap();
        assert_eq!(record.status, DomainStatus::PendingDns);
        assert_eq!(record.token, "", "the service gives it a token");
        assert_eq!(record.next_check_at, None);
    }
}
