//! The one retry policy: a few attempts with exponential backoff and full jitter, for calls
//! that lost a race (a conflicting DynamoDB transaction) or met a transient failure
//! (throttling, a 5xx or 429 from a provider, a timeout). Whether an error is worth another
//! try is the caller's decision; how long to wait is decided here.

use std::future::Future;
use std::time::Duration;

/// How many times to try and how long to wait between tries.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Policy {
    /// Transactions that conflicted with another one on the same items: quick, few.
    pub const CONTENTION: Self = Self {
        attempts: 4,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(200),
    };

    /// A sale whose reads went stale: a little more patient, since a paid order waits on it.
    pub const SALE: Self = Self {
        attempts: 5,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(500),
    };

    /// Work the service throttled (unprocessed batch items): backs off further.
    pub const THROTTLED: Self = Self {
        attempts: 9,
        base: Duration::from_millis(40),
        cap: Duration::from_millis(1_000),
    };

    /// The wait before attempt `n + 1` (after `n` failures): up to `base * 2^(n-1)`, capped,
    /// with full jitter so racers spread out instead of colliding again.
    pub fn delay(&self, failures: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        let ceiling = exp.min(self.cap);
        let millis = u64::try_from(ceiling.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        Duration::from_millis(millis / 2 + rand::random::<u64>() % (millis / 2 + 1))
    }
}

/// Runs `operation` until it succeeds, fails with an error `retryable` refuses, or the
/// policy's attempts are used up (then the last error is returned).
pub async fn retry<T, E, F, Fut>(
    policy: Policy,
    retryable: impl Fn(&E) -> bool,
    mut operation: F,
) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match operation(attempt).await {
            Err(e) if attempt < policy.attempts && retryable(&e) => {
                tokio::time::sleep(policy.delay(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn retries_what_is_retryable_until_it_passes() {
        let calls = AtomicU32::new(0);
        let result: Result<u32, &str> = retry(
            Policy::CONTENTION,
            |_| true,
            |n| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move { if n < 3 { Err("busy") } else { Ok(n) } }
            },
        )
        .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn gives_up_after_the_policys_attempts_with_the_last_error() {
        let calls = AtomicU32::new(0);
        let result: Result<(), String> = retry(
            Policy::CONTENTION,
            |_| true,
            |n| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move { Err(format!("busy {n}")) }
            },
        )
        .await;
        assert_eq!(result, Err("busy 4".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), Policy::CONTENTION.attempts);
    }

    #[tokio::test]
    async fn does_not_retry_a_final_refusal() {
        let calls = AtomicU32::new(0);
        let result: Result<(), &str> = retry(
            Policy::SALE,
            |e| *e == "busy",
            |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err("sold out") }
            },
        )
        .await;
        assert_eq!(result, Err("sold out"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waits_grow_but_stay_under_the_cap() {
        let policy = Policy::CONTENTION;
        for failures in 1..10 {
            let wait = policy.delay(failures);
            assert!(wait <= policy.cap, "{wait:?} after {failures}");
            assert!(wait >= Duration::from_millis(1));
        }
    }
}
