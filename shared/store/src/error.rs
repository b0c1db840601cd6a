use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::CancellationReason;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the hostname is already registered")]
    HostnameTaken,
    #[error("the item already exists")]
    AlreadyExists,
    #[error("the item does not exist or is not in the expected state")]
    ConditionFailed,
    #[error("the account is locked until {until}")]
    Locked {
        until: chrono::DateTime<chrono::Utc>,
    },
    #[error("no login attempts are left before the account locks")]
    AttemptsExhausted,
    #[error("{0}")]
    TooLarge(String),
    #[error("seats are not available: {0:?}")]
    SeatsUnavailable(Vec<marquee_domain::seatmap::SeatId>),
    #[error("an item could not be mapped: {0}")]
    Mapping(#[from] serde_dynamo::Error),
    #[error("DynamoDB call failed: {0}")]
    Dynamo(String),
}

impl StoreError {
    /// An SDK failure, keeping the service's error code and message (never item contents).
    pub(crate) fn sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata,
        R: std::fmt::Debug,
    {
        let detail = match &err {
            SdkError::ServiceError(e) => {
                let inner = e.err();
                format!(
                    "{}: {}",
                    inner.code().unwrap_or("unknown"),
                    inner.message().unwrap_or("")
                )
            }
            other => format!("{other:?}"),
        };
        Self::Dynamo(detail)
    }
}

/// Whether a cancelled transaction failed its condition at position `index`.
pub(crate) fn condition_failed_at(reasons: &[CancellationReason], index: usize) -> bool {
    reasons.get(index).and_then(|r| r.code()) == Some("ConditionalCheckFailed")
}

/// Whether a cancelled transaction lost to a concurrent one (worth retrying).
pub(crate) fn is_conflict(reasons: &[CancellationReason]) -> bool {
    reasons
        .iter()
        .any(|r| matches!(r.code(), Some("TransactionConflict")))
}

/// A request builder's error (a missing required field: a bug here) as a store error.
pub(crate) fn build<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Dynamo(e.to_string()))
}
