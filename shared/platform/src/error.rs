//! The HTTP error type every function returns, and its JSON body
//! `{ "error": { "code", "message", "details" } }`.
//!
//! Unexpected failures are logged with their cause and shown to the client only as
//! `internal_error`: no internal state ever reaches a response.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use marquee_domain::Invalid;
use marquee_store::StoreError;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// Sent as `Retry-After` (seconds) with a 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 429 `rate_limited`, with `Retry-After` and `details.retryAfterSeconds`.
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        let seconds = retry_after_seconds.max(1);
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many attempts; please wait a little and try again",
        )
        .with_details(json!({ "retryAfterSeconds": seconds }));
        error.retry_after = Some(seconds);
        error
    }

    /// An unexpected failure: logged here with its cause, shown to the client as a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side; please try again",
        )
    }

    /// The standard body for a status that has no more specific error (405, 413, …).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not_found", "No such resource"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method_not_allowed", "This method is not allowed here")
            }
            StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "The request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "Send the body as application/json",
            ),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long"),
            s if s.is_server_error() => (
                "internal_error",
                "Something went wrong on our side; please try again",
            ),
            _ => ("bad_request", "The request could not be understood"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(details) = self.details {
            error["details"] = details;
        }
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// A value that failed domain validation: 422 naming the field.
impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            invalid.to_string(),
        )
        .with_details(json!({ "field": invalid.field }))
    }
}

impl ApiError {
    /// An unexpected failure with a source chain: the whole chain is logged.
    pub fn internal_error(err: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::internal(chain)
    }
}

/// Store failures a handler did not expect are internal errors.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::internal_error(&err)
    }
}

/// A port failed (the table, a queue, the mail service): an internal error, or "busy" when
/// a moment later may work.
impl From<marquee_app::ports::PortError> for ApiError {
    fn from(err: marquee_app::ports::PortError) -> Self {
        if err.is_retryable() {
            tracing::warn!(error = ?err, "a transient failure reached the client");
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Many people are buying right now; please try again",
            );
        }
        Self::internal_error(&err)
    }
}
