//! Stripe-style identifiers: a type prefix and random letters and digits (`pi_3Nf…`).

use rand::Rng;
use rand::distr::Alphanumeric;

/// `{prefix}_` and 24 random alphanumerics, like Stripe's ids.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_alphanumeric(24))
}

pub(crate) fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}
