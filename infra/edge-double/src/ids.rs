//! Identifiers shaped like CloudFront's: `cg_…` and `dt_…` ids, ETags, request ids and
//! certificate ARNs.

use rand::Rng;
use rand::distr::Alphanumeric;

/// The account every ARN names; the double has no accounts.
pub const ACCOUNT_ID: &str = "123456789012";

fn alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn lower_alphanumeric(len: usize) -> String {
    alphanumeric(len).to_ascii_lowercase()
}

pub fn connection_group_id() -> String {
    format!("cg_{}", alphanumeric(27))
}

pub fn tenant_id() -> String {
    format!("dt_{}", alphanumeric(27))
}

/// The label of a routing endpoint, like CloudFront's `d111111abcdef8`.
pub fn routing_label() -> String {
    format!("d{}", lower_alphanumeric(13))
}

pub fn etag() -> String {
    format!("E{}", alphanumeric(13).to_ascii_uppercase())
}

pub fn request_id() -> String {
    uuid_like()
}

pub fn certificate_arn() -> String {
    format!(
        "arn:aws:acm:us-east-1:{ACCOUNT_ID}:certificate/{}",
        uuid_like()
    )
}

/// The file name of an HTTP validation token.
pub fn validation_token() -> String {
    lower_alphanumeric(32)
}

fn uuid_like() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(rand::rng().random_range(0..16), 16).unwrap_or('0'))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
