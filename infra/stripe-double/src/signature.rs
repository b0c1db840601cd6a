//! Stripe's webhook signature scheme: the `Stripe-Signature` header is
//! `t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{raw body}")}`, where the key is the whole
//! `whsec_…` string. A header may carry several `v1` entries (during secret rotation) and
//! entries of other schemes (`v0`), which are ignored.
//!
//! The product's webhook handler must implement its own check (it must not depend on this
//! crate); [`verify`] is the reference it can mirror, and the crate's tests prove both against
//! an independent implementation.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How old a signature's timestamp may be, as in Stripe's libraries (five minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a `Stripe-Signature` header was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header has no t= timestamp")]
    MissingTimestamp,
    #[error("the Stripe-Signature header has no v1= signature")]
    MissingSignature,
    #[error("no v1 signature matches the payload")]
    Mismatch,
    #[error("the signature's timestamp is {age_seconds} s old, more than the tolerance")]
    TooOld { age_seconds: i64 },
}

/// The value of a `Stripe-Signature` header for `payload` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let digest = hex::encode(mac_for(secret, timestamp, payload).finalize().into_bytes());
    format!("t={timestamp},v1={digest}")
}

/// Checks a `Stripe-Signature` header against the raw request body, now.
///
/// Returns the signed timestamp. Rejects a header without a matching `v1` signature, or whose
/// timestamp is more than `tolerance` in the past (replays); like Stripe's libraries it does
/// not reject timestamps in the future.
pub fn verify(
    header: &str,
    payload: &[u8],
    secret: &str,
    tolerance: Duration,
) -> Result<i64, SignatureError> {
    verify_at(header, payload, secret, tolerance, unix_now())
}

/// [`verify`] with an explicit current time, in Unix seconds.
pub fn verify_at(
    header: &str,
    payload: &[u8],
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => candidates.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
    if candidates.is_empty() {
        return Err(SignatureError::MissingSignature);
    }
    let matches = candidates.iter().any(|candidate| {
        let Ok(expected) = hex::decode(candidate) else {
            return false;
        };
        // verify_slice compares in constant time.
        mac_for(secret, timestamp, payload)
            .verify_slice(&expected)
            .is_ok()
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age_seconds = now.saturating_sub(timestamp);
    if age_seconds > tolerance {
        return Err(SignatureError::TooOld { age_seconds });
    }
    Ok(timestamp)
}

fn mac_for(secret: &str, timestamp: i64, payload: &[u8]) -> HmacSha256 {
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event"}"#;

    #[test]
    fn a_signature_verifies_until_it_is_older_than_the_tolerance() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(
            verify_at(&header, BODY, SECRET, DEFAULT_TOLERANCE, 1_700_000_300),
            Ok(1_700_000_000)
        );
        assert_eq!(
            verify_at(&header, BODY, SECRET, DEFAULT_TOLERANCE, 1_700_000_301),
            Err(SignatureError::TooOld { age_seconds: 301 })
        );
    }

    #[test]
    fn another_body_or_secret_does_not_verify() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        let now = 1_700_000_001;
        assert_eq!(
            verify_at(&header, b"{}", SECRET, DEFAULT_TOLERANCE, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_at(&header, BODY, "whsec_other", DEFAULT_TOLERANCE, now),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_matching_v1_is_accepted_and_other_schemes_are_ignored() {
        let good = sign(SECRET, 1_700_000_000, BODY);
        let digest = good.split_once(",v1=").map(|(_, d)| d).unwrap_or_default();
        let header = format!(
            "t=1700000000,v0={digest},v1={},v1={digest}",
            "00".repeat(32)
        );
        assert!(verify_at(&header, BODY, SECRET, DEFAULT_TOLERANCE, 1_700_000_000).is_ok());
        let only_v0 = format!("t=1700000000,v0={digest}");
        assert_eq!(
            verify_at(&only_v0, BODY, SECRET, DEFAULT_TOLERANCE, 1_700_000_000),
            Err(SignatureError::MissingSignature)
        );
        assert_eq!(
            verify_at(&format!("v1={digest}"), BODY, SECRET, DEFAULT_TOLERANCE, 0),
            Err(SignatureError::MissingTimestamp)
        );
    }
}
