//! Stripe's error responses: `{"error": {"type", "code", "decline_code", "message", "param", …}}`
//! with the HTTP status Stripe uses for each kind (400 invalid request, 401 authentication,
//! 402 card error, 403 an account the key may not act on, 404 missing object).

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;

/// The `error` object of a Stripe error response; also an intent's `last_payment_error`.
/// Absent fields are left out, as Stripe does.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ErrorObject {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<Value>,
}

/// A request that Stripe would refuse, with its status code.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    /// Boxed: errors travel through every `Result` here and should stay small.
    pub error: Box<ErrorObject>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error: Box::new(ErrorObject {
                kind,
                code: None,
                decline_code: None,
                message: message.into(),
                param: None,
                doc_url: None,
                charge: None,
                payment_method: None,
                payment_intent: None,
            }),
        }
    }

    /// 400 `invalid_request_error`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// 402 `card_error`.
    pub fn card_error(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYMENT_REQUIRED, "card_error", message).code(code)
    }

    /// 400 `idempotency_error`.
    pub fn idempotency(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "idempotency_error", message)
    }

    /// 401: no usable secret key.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_request_error", message)
    }

    /// 403: the key may not act on the account a `Stripe-Account` header (or the URL) names.
    pub fn no_access(masked_key: &str, account: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "invalid_request_error",
            format!(
                "The provided key '{masked_key}' does not have access to account '{account}' (or \
                 that account does not exist). Application access may have been revoked."
            ),
        )
        .code("account_invalid")
    }

    /// 404 for an object named in the URL; 400 when the id came in a parameter.
    pub fn no_such(object: &str, id: &str, param: &str, in_path: bool) -> Self {
        let status = if in_path {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::BAD_REQUEST
        };
        Self::new(
            status,
            "invalid_request_error",
            format!("No such {object}: '{id}'"),
        )
        .code("resource_missing")
        .param(param)
    }

    /// 400 `parameter_missing`.
    pub fn missing(param: &str) -> Self {
        Self::invalid_request(format!("Missing required param: {param}."))
            .code("parameter_missing")
            .param(param)
    }

    /// 400 `parameter_unknown`.
    pub fn unknown_parameter(param: &str) -> Self {
        Self::invalid_request(format!("Received unknown parameter: {param}"))
            .code("parameter_unknown")
            .param(param)
    }

    /// 404 for a URL the double does not serve, worded like Stripe's.
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!(
                "Unrecognized request URL ({method}: {path}). The Stripe double implements only \
                 the endpoints listed in docs/stripe-double.md."
            ),
        )
    }

    /// Sets `code` and the matching `doc_url`.
    pub fn code(mut self, code: &str) -> Self {
        self.error.doc_url = Some(format!(
            "https://stripe.com/docs/error-codes/{}",
            code.replace('_', "-")
        ));
        self.error.code = Some(code.to_owned());
        self
    }

    pub fn param(mut self, param: &str) -> Self {
        self.error.param = Some(param.to_owned());
        self
    }

    pub fn decline_code(mut self, decline_code: &str) -> Self {
        self.error.decline_code = Some(decline_code.to_owned());
        self
    }

    /// The response body, `{"error": {…}}`.
    pub fn body(&self) -> Value {
        serde_json::json!({ "error": self.error })
    }
}
