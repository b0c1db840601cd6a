//! Queue batches (SQS → Lambda): each message's work runs on its own, so that a panic in one
//! message is that message's failure — logged, and retried by SQS like any other failure —
//! never a sandbox killed with the rest of the batch in flight.

use std::fmt::Debug;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// How one message's work ended when it did not succeed.
#[derive(Debug)]
pub enum Failed<E> {
    Error(E),
    /// The work panicked; the panic's message.
    Panicked(String),
}

/// Runs one message's work, turning a panic into [`Failed::Panicked`].
pub async fn isolated<T, E: Debug>(
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, Failed<E>> {
    match futures::FutureExt::catch_unwind(AssertUnwindSafe(work)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Failed::Error(error)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "(no message)".into());
            tracing::error!(panic = %message, "a queue message's work panicked");
            Err(Failed::Panicked(message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn work(n: u32) -> Result<u32, String> {
        match n {
            0 => panic!("message zero is poison"),
            1 => Err("a plain failure".into()),
            n => Ok(n),
        }
    }

    #[tokio::test]
    async fn a_panic_fails_only_its_own_message() {
        let results = futures::future::join_all((0..4).map(|n| isolated(work(n)))).await;
        assert!(matches!(&results[0], Err(Failed::Panicked(m)) if m.contains("poison")));
        assert!(matches!(&results[1], Err(Failed::Error(e)) if e == "a plain failure"));
        assert!(matches!(results[2], Ok(2)));
        assert!(matches!(results[3], Ok(3)));
    }
}
