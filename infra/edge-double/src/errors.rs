//! CloudFront's error responses: `<ErrorResponse><Error><Type/><Code/><Message/></Error>
//! <RequestId/></ErrorResponse>` with the status CloudFront uses for each code, so the SDK
//! turns them into its typed errors (`EntityNotFound`, `CnameAlreadyExists`, …).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::xml::{NAMESPACE, XmlWriter};

/// One refused call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "EntityNotFound", message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "EntityAlreadyExists", message)
    }

    /// A domain already served by another tenant.
    pub fn cname_already_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CNAMEAlreadyExists", message)
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    /// `If-Match` missing where it is required.
    pub fn invalid_if_match() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidIfMatchVersion",
            "The If-Match version is missing or not valid for the resource.",
        )
    }

    /// `If-Match` is not the resource's current ETag.
    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The precondition in one or more of the request fields evaluated to false.",
        )
    }

    pub fn not_disabled(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ResourceNotDisabled", message)
    }

    pub fn missing_authentication() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationToken",
            "Missing Authentication Token",
        )
    }

    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "IncompleteSignature", message)
    }

    pub fn malformed_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "MalformedXML", message)
    }

    /// No CloudFront call the double knows is at this method and path.
    pub fn unknown_operation(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "UnknownOperation",
            format!(
                "the edge double implements no CloudFront call at {method} {path} \
                 (see docs/edge-double.md)"
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut xml = XmlWriter::document();
        xml.open_ns("ErrorResponse", NAMESPACE);
        xml.open("Error");
        // CloudFront says "Sender" for the caller's mistakes, "Receiver" for its own.
        let kind = if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        xml.text("Type", kind);
        xml.text("Code", self.code);
        xml.text("Message", &self.message);
        xml.close("Error");
        xml.text("RequestId", &crate::ids::request_id());
        xml.close("ErrorResponse");
        let mut response = (self.status, xml.finish()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(crate::xml::CONTENT_TYPE),
        );
        response
    }
}
