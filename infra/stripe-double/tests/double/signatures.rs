//! The double's signatures checked independently of its own code: a known answer computed
//! with Python's `hmac` module, and a from-scratch check of delivered webhooks that follows
//! Stripe's documented steps (split the header on `,`, take `t` and `v1`, HMAC-SHA256 of
//! `"{t}.{body}"` keyed with the whole `whsec_…` secret, compare, check the age ≤ 300 s).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use stripe_double::{DEFAULT_TOLERANCE, SignatureError, sign, verify, verify_at};

use crate::support::{TestDouble, WEBHOOK_SECRET};

const KNOWN_BODY: &str = r#"{"id":"evt_known","object":"event"}"#;
/// `hmac.new(b"whsec_double_tests_0123456789", b"1700000000." + KNOWN_BODY, sha256).hexdigest()`
const KNOWN_DIGEST: &str = "2731c3600bbb5dd8f06d716f5cc5cb6efa4cdbd428c4f5b3d24e7ce235f07549";

#[test]
fn sign_matches_a_digest_computed_elsewhere() {
    assert_eq!(
        sign(WEBHOOK_SECRET, 1_700_000_000, KNOWN_BODY.as_bytes()),
        format!("t=1700000000,v1={KNOWN_DIGEST}")
    );
}

#[test]
fn verify_accepts_the_documented_scheme_and_rejects_stale_timestamps() {
    let header = format!("t=1700000000,v1={KNOWN_DIGEST}");
    let body = KNOWN_BODY.as_bytes();
    assert_eq!(
        verify_at(
            &header,
            body,
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE,
            1_700_000_300
        ),
        Ok(1_700_000_000)
    );
    assert_eq!(
        verify_at(
            &header,
            body,
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE,
            1_700_000_301
        ),
        Err(SignatureError::TooOld { age_seconds: 301 })
    );
    // A real-time check of a header signed now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        verify(
            &sign(WEBHOOK_SECRET, now, body),
            body,
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE
        )
        .is_ok()
    );
    assert!(
        verify(
            &sign(WEBHOOK_SECRET, now - 301, body),
            body,
            WEBHOOK_SECRET,
            DEFAULT_TOLERANCE
        )
        .is_err()
    );
}

/// Stripe's documented manual verification, written without the crate's code.
fn independently_verified(header: &str, body: &str, secret: &str, now: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    signatures.contains(&expected) && now - timestamp <= 300
}

#[tokio::test]
async fn delivered_webhooks_pass_an_independent_check() {
    let double = TestDouble::spawn().await;
    double.paid_intent(2500).await;
    let received = double.receiver.wait_for(1).await;
    let webhook = &received[0];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(webhook.signature.starts_with("t="), "{}", webhook.signature);
    assert!(independently_verified(
        &webhook.signature,
        &webhook.body,
        WEBHOOK_SECRET,
        now
    ));
    assert!(!independently_verified(
        &webhook.signature,
        &webhook.body,
        "whsec_wrong",
        now
    ));
    assert!(!independently_verified(
        &webhook.signature,
        &format!("{} ", webhook.body),
        WEBHOOK_SECRET,
        now
    ));
    assert!(!independently_verified(
        &webhook.signature,
        &webhook.body,
        WEBHOOK_SECRET,
        now + 301
    ));
}
