//! Secrets handed to patrons (cart and order tokens, codes): random, and stored only as their
//! SHA-256.

use rand::{RngCore, TryRngCore};
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // Panics only if the OS has no randomness to give, as rand 0.8's `OsRng` did.
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// What is stored instead of a token or code.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Compares a secret (or its digest) with the stored one in constant time; an empty stored
/// value matches nothing.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}
