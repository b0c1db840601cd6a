//! Rate limits on logins, registrations and codes: DynamoDB counters per subject and fixed
//! window (see `marquee_store`'s `count_request`). Each guarded request counts against a
//! limit per account *and* client address, per address, and per account, so an attacker at
//! one address is slowed down without locking the account's owner out at another, and an
//! unknown email is counted exactly like a known one (nothing tells which accounts exist).
//! Attempts are counted before they are checked, so parallel guesses cannot outrun a limit;
//! a login that succeeds clears the failures of its account at its address and gives its
//! other counts back ([`Limiter::succeeded`]), so the limits count failures, not a busy box
//! office logging in all day.

use crate::ApiError;
use crate::tenancy::ClientAddress;
use chrono::{DateTime, Utc};
use marquee_app::tokens::sha256_hex;
use marquee_domain::TenantId;
use marquee_store::Store;

/// At most `max` requests per `window_seconds` for one subject.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u32,
    pub window_seconds: i64,
}

const fn per_minutes(max: u32, minutes: i64) -> Limit {
    Limit {
        max,
        window_seconds: minutes * 60,
    }
}

/// What is limited, and how much from one address to one account, from one address in all,
/// and to one account from everywhere.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub name: &'static str,
    pub account_and_address: Limit,
    pub address: Limit,
    pub account: Limit,
}

pub const STAFF_LOGIN: Guard = Guard {
    name: "staff-login",
    account_and_address: per_minutes(5, 15),
    address: per_minutes(20, 15),
    account: per_minutes(100, 60),
};

/// Accepting a staff invitation (the emailed code).
pub const STAFF_INVITATION: Guard = Guard {
    name: "staff-invitation",
    account_and_address: per_minutes(5, 15),
    address: per_minutes(20, 15),
    account: per_minutes(20, 60),
};

/// Changing one's own password (the current one is checked).
pub const STAFF_PASSWORD: Guard = Guard {
    name: "staff-password",
    account_and_address: per_minutes(5, 15),
    address: per_minutes(20, 15),
    account: per_minutes(20, 60),
};

pub const PATRON_LOGIN: Guard = Guard {
    name: "patron-login",
    account_and_address: per_minutes(10, 15),
    address: per_minutes(30, 15),
    account: per_minutes(100, 60),
};

pub const PATRON_REGISTRATION: Guard = Guard {
    name: "patron-register",
    account_and_address: per_minutes(5, 60),
    address: per_minutes(10, 60),
    account: per_minutes(10, 60),
};

/// Asking for a password-reset code (each sends an email).
pub const PATRON_RESET_REQUEST: Guard = Guard {
    name: "patron-reset",
    account_and_address: per_minutes(3, 15),
    address: per_minutes(10, 15),
    account: per_minutes(5, 15),
};

/// Entering a password-reset code (each code also allows only five tries).
pub const PATRON_RESET_CONFIRM: Guard = Guard {
    name: "patron-reset-code",
    account_and_address: per_minutes(10, 15),
    address: per_minutes(30, 15),
    account: per_minutes(30, 60),
};

#[derive(Clone)]
pub struct Limiter {
    store: Store,
}

impl Limiter {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Counts one request by `client` for `account` (the email as typed, known or not);
    /// 429 `rate_limited` with `Retry-After` once any of the guard's limits is used up.
    pub async fn check(
        &self,
        tenant: &TenantId,
        guard: &Guard,
        account: &str,
        client: &ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<Attempt, ApiError> {
        let mut attempt = Attempt {
            tenant: tenant.clone(),
            counted: Vec::with_capacity(3),
        };
        let account = account.trim().to_lowercase();
        let address = client.as_str();
        let checks = [
            (
                "pair",
                format!("{account}\n{address}"),
                guard.account_and_address,
            ),
            ("addr", address.to_owned(), guard.address),
            ("acct", account, guard.account),
        ];
        for (kind, subject, limit) in checks {
            // Hashed: the key stays short and holds no email or address.
            let digest = sha256_hex(&subject);
            let bucket = format!("{}#{kind}#{}", guard.name, &digest[..32]);
            let start = now.timestamp() - now.timestamp().rem_euclid(limit.window_seconds);
            let end = start + limit.window_seconds;
            let allowed = self
                .store
                .count_request(tenant, &bucket, start, end, limit.max)
                .await?;
            if !allowed {
                tracing::warn!(tenant = %tenant, limit = guard.name, kind, "rate limited");
                let wait = u64::try_from(end - now.timestamp()).unwrap_or(1);
                return Err(ApiError::rate_limited(wait));
            }
            attempt.counted.push((kind, bucket, start));
        }
        Ok(attempt)
    }

    /// The attempt succeeded (the password or code was right): the account's failures from
    /// this address are forgotten, and its other counts given back. Best effort: a failure
    /// here only leaves the attempt counted.
    pub async fn succeeded(&self, attempt: Attempt) {
        for (kind, bucket, start) in &attempt.counted {
            let given_back = if *kind == "pair" {
                self.store
                    .clear_count(&attempt.tenant, bucket, *start)
                    .await
            } else {
                self.store
                    .uncount_request(&attempt.tenant, bucket, *start)
                    .await
            };
            if let Err(e) = given_back {
                tracing::warn!(error = %e, "a successful attempt's count was not given back");
            }
        }
    }
}

/// What one guarded request counted (see [`Limiter::succeeded`]).
#[must_use = "a successful attempt should be given back with Limiter::succeeded"]
pub struct Attempt {
    tenant: TenantId,
    /// What was counted: kind (`pair`, `addr`, `acct`), bucket, window start.
    counted: Vec<(&'static str, String, i64)>,
}
