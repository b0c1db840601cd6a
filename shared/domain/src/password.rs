//! Password strength policy. Hashing lives in the platform crate (argon2id); this module
//! only decides which passwords are acceptable.

use crate::{Email, Invalid};
use std::fmt;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

/// Passwords seen most often in breach corpora, in the forms that pass the length rule.
const COMMON: &[&str] = &[
    "password1234",
    "123456789012",
    "qwertyuiop12",
    "iloveyou1234",
    "passwordpassword",
    "qwertyqwerty",
    "111111111111",
    "abcdefghijkl",
    "letmeinletmein",
    "administrator",
    "welcome12345",
    "changeme1234",
    "password123!",
    "p@ssw0rd1234",
];

/// A password that meets the policy. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks a new password; `email` is the account's, which the password must not contain.
    pub fn parse_new(value: &str, email: &Email) -> Result<Self, Invalid> {
        let invalid = |m: &str| Err(Invalid::new("password", m));
        let chars = value.chars().count();
        if chars < MIN_LENGTH {
            return invalid("must be at least 12 characters");
        }
        if chars > MAX_LENGTH {
            return invalid("must be at most 128 characters");
        }
        let lower = value.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return invalid("is too common");
        }
        let distinct = {
            let mut seen: Vec<char> = lower.chars().collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len()
        };
        if distinct < 5 {
            return invalid("must use at least 5 different characters");
        }
        if lower.contains(email.as_str()) || lower == email.local_part() {
            return invalid("must not be or contain your email address");
        }
        Ok(Self(value.to_owned()))
    }

    /// A password typed at login: never checked against the policy (it may predate it).
    pub fn for_login(value: &str) -> Self {
        Self(value.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("jane.doe@example.org").unwrap()
    }

    #[test]
    fn accepts_a_reasonable_passphrase() {
        assert!(Password::parse_new("correct horse battery", &email()).is_ok());
    }

    #[test]
    fn refuses_weak_passwords() {
        for weak in [
            "short",
            "password1234",
            "aaaaaaaaaaaaaaa",
            "ababababababab",
            "jane.doe",
            "x jane.doe@example.org x",
        ] {
            assert!(
                Password::parse_new(weak, &email()).is_err(),
                "{weak} should be refused"
            );
        }
        assert!(
            Password::parse_new(&"abcdef".repeat(30), &email()).is_err(),
            "too long"
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let p = Password::for_login("hunter2hunter2");
        assert_eq!(format!("{p:?}"), "Password(***)");
    }
}
