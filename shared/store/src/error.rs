use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::CancellationReason;
use marquee_app::ports::{CheckoutRefusal, HoldRefusal, PortError, SaleRefusal, WriteRefusal};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the hostname is already registered")]
    HostnameTaken,
    #[error("the item already exists")]
    AlreadyExists,
    #[error("the item does not exist or is not in the expected state")]
    ConditionFailed,
    #[error("{0}")]
    TooLarge(String),
    #[error("seats are not available: {0:?}")]
    SeatsUnavailable(Vec<marquee_domain::seatmap::SeatId>),
    #[error("an item could not be mapped")]
    Mapping(#[from] serde_dynamo::Error),
    /// A store operation built on the application layer's ports failed.
    #[error(transparent)]
    Port(#[from] PortError),
    /// A transaction was cancelled for a reason no caller decides on.
    #[error("the transaction was cancelled: {0}")]
    Cancelled(String),
    #[error("DynamoDB call failed: {detail}")]
    Dynamo {
        /// The service's error code and message (never item contents).
        detail: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// An SDK failure, keeping the service's error code and message (never item contents).
    pub(crate) fn sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: std::error::Error
            + aws_sdk_dynamodb::error::ProvideErrorMetadata
            + Send
            + Sync
            + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
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
            other => other.to_string(),
        };
        Self::Dynamo {
            detail,
            source: Box::new(err),
        }
    }

    /// A service error already taken out of its `SdkError`.
    pub(crate) fn dynamo(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Dynamo {
            detail: err.to_string(),
            source: Box::new(err),
        }
    }

    /// Whether calling again may succeed (throttling, a timeout, a conflicting transaction).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Dynamo { detail, .. } => {
                detail.contains("Throttl")
                    || detail.contains("ProvisionedThroughputExceeded")
                    || detail.contains("RequestLimitExceeded")
                    || detail.contains("InternalServerError")
                    || detail.contains("TransactionInProgress")
                    || detail.contains("timeout")
                    || detail.contains("dispatch failure")
            }
            _ => false,
        }
    }
}

/// A conditional write's outcome: `true` when it was applied, `false` when its condition
/// refused it; any other failure is an error.
pub(crate) fn applied<O, E, R>(result: Result<O, SdkError<E, R>>) -> Result<bool, StoreError>
where
    E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(SdkError::ServiceError(e))
            if e.err().code() == Some("ConditionalCheckFailedException") =>
        {
            Ok(false)
        }
        Err(e) => Err(StoreError::sdk(e)),
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
pub(crate) fn build<T, E: std::error::Error + Send + Sync + 'static>(
    result: Result<T, E>,
) -> Result<T, StoreError> {
    result.map_err(StoreError::dynamo)
}

impl From<StoreError> for PortError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            PortError::transient("DynamoDB", e)
        } else {
            PortError::new("DynamoDB", e)
        }
    }
}

impl From<StoreError> for HoldRefusal {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConditionFailed => Self::HoldGone,
            e => Self::Store(e.into()),
        }
    }
}

impl From<StoreError> for CheckoutRefusal {
    fn from(e: StoreError) -> Self {
        Self::Store(e.into())
    }
}

impl From<StoreError> for SaleRefusal {
    fn from(e: StoreError) -> Self {
        Self::Store(e.into())
    }
}

impl From<StoreError> for WriteRefusal {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConditionFailed => Self::Changed,
            e => Self::Store(e.into()),
        }
    }
}
