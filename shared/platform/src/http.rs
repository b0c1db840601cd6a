//! HTTP conventions shared by every function: the JSON body extractor whose rejections are
//! API errors, the body size limit, request ids and tracing spans, and a guarantee that
//! every error response carries the JSON error body.

use crate::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, OptionalFromRequest, Request};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Router, body::Body};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Largest accepted request body unless a route sets its own.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A JSON body. Malformed JSON is 400, a wrong shape (missing field, wrong type) is 422,
/// a missing content type 415 and an oversized body 413 — always with the error body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// An optional JSON body: none when the request has no content type (and so no body), as
/// with axum's own `Option<Json<T>>`; otherwise the same rules as [`Json`].
impl<S, T> OptionalFromRequest<S> for Json<T>
where
    axum::Json<T>: OptionalFromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        match <axum::Json<T> as OptionalFromRequest<S>>::from_request(req, state).await {
            Ok(value) => Ok(value.map(|axum::Json(value)| Self(value))),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                // serde's message names the field and what was expected; it holds no state of ours.
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    e.body_text(),
                )
            }
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::bad_request("malformed_json", "The body is not valid JSON")
            }
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            }
            other => ApiError::from_status(other.status()),
        }
    }
}

/// Wraps a function's routes with the shared layers: body limit, request id, tracing span,
/// JSON error bodies and a JSON 404 for unknown paths.
/// The answer to a request whose handler panicked: logged with the panic's message (it names
/// code, never data), answered as a plain `internal_error`.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::internal(format!("a handler panicked: {message}")).into_response()
}

pub fn with_conventions(router: Router) -> Router {
    router
        .fallback(|| async { ApiError::from_status(StatusCode::NOT_FOUND) })
        .layer(middleware::from_fn(json_error_bodies))
        // A panic in a handler is that request's logged 500 (the JSON error body), never the
        // end of the instance.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(DefaultBodyLimit::max(DEFAULT_BODY_LIMIT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let request_id = req
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %request_id,
                        tenant = tracing::field::Empty,
                    )
                })
                // Only method, path and status: never headers, bodies or query strings.
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
}

/// Error responses produced outside our handlers (405 from the router, 413 from a body
/// limit, …) get the same JSON body as ours.
async fn json_error_bodies(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        if status.is_server_error() {
            // The framework's own text (e.g. a missing extension) helps us, not the client.
            let bytes = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap_or_default();
            tracing::error!(%status, body = %String::from_utf8_lossy(&bytes), "replaced a non-JSON server error");
            return ApiError::from_status(status).into_response();
        }
        let mut replaced = ApiError::from_status(status).into_response();
        if let Some(allow) = response.headers().get(header::ALLOW) {
            replaced.headers_mut().insert(header::ALLOW, allow.clone());
        }
        return replaced;
    }
    response
}

/// Completes an OpenAPI document: the bearer-token security schemes its routes name
/// (`staff`, `patron`: JWTs from the login endpoints), the refusals of the shared layers
/// (unknown venue host, JSON body too large or of another type, unreadable query string,
/// internal error) on every route they apply to, and the JSON error body every refusal has.
pub struct ApiConventions;

impl utoipa::Modify for ApiConventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in [
            (
                "staff",
                "A staff token from POST /admin/v1/login (Authorization: Bearer …)",
            ),
            (
                "patron",
                "A patron token from POST /api/v1/account/login (Authorization: Bearer …)",
            ),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .description(Some(description))
                        .build(),
                ),
            );
        }
        components.schemas.insert(
            "ErrorBody".into(),
            <ErrorBody as utoipa::PartialSchema>::schema(),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                document_shared_refusals(path, operation);
                // Every 4xx and 5xx a route documents answers with that body.
                for (status, response) in operation.responses.responses.iter_mut() {
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    if let (true, utoipa::openapi::RefOr::T(response)) = (is_error, response)
                        && response.content.is_empty()
                    {
                        response.content.insert(
                            "application/json".into(),
                            utoipa::openapi::content::ContentBuilder::new()
                                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                                .build(),
                        );
                    }
                }
            }
        }
        components.schemas.insert(
            "ErrorDetail".into(),
            <ErrorDetail as utoipa::PartialSchema>::schema(),
        );
    }
}

/// The refusals of the shared layers, which no handler annotation names: added to an
/// operation, or named in the description of the response it already documents.
fn document_shared_refusals(path: &str, operation: &mut utoipa::openapi::path::Operation) {
    // `CatchPanicLayer` and every unexpected error: logged, never explained to the client.
    let mut refusals = vec![(
        "500",
        "internal_error",
        "an unexpected failure, logged with the request id",
    )];
    // `resolve_tenant` runs before every venue route (`/api/v1/…`, `/admin/v1/…`).
    if path.starts_with("/api/v1/") || path.starts_with("/admin/v1/") {
        refusals.push(("404", "unknown_host", "no venue answers at this Host"));
        refusals.push((
            "403",
            "direct_access",
            "in AWS, a request that did not come through CloudFront",
        ));
    }
    // `Json`, and the body limit of `with_conventions`.
    let takes_json = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.contains_key("application/json"));
    if takes_json {
        refusals.push(("413", "body_too_large", "over 64 KiB"));
        refusals.push((
            "415",
            "unsupported_media_type",
            "the body is not application/json",
        ));
    }
    // `Query`: a parameter given twice, or one of the wrong type.
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| parameter.parameter_in == utoipa::openapi::path::ParameterIn::Query);
    if has_query {
        refusals.push(("400", "bad_request", "an unreadable query string"));
    }
    for (status, code, when) in refusals {
        match operation.responses.responses.get_mut(status) {
            Some(utoipa::openapi::RefOr::T(response)) => {
                if !response.description.contains(code) {
                    // A response documented without words is the handler's own plain refusal.
                    let own = match (response.description.as_str(), status) {
                        ("", "404") => "not_found",
                        ("", "403") => "forbidden",
                        ("", "400") => "bad_request",
                        (own, _) => own,
                    };
                    response.description = format!("{own}; {code} ({when})");
                }
            }
            Some(utoipa::openapi::RefOr::Ref(_)) => {}
            None => {
                operation.responses.responses.insert(
                    status.into(),
                    utoipa::openapi::ResponseBuilder::new()
                        .description(format!("{code} ({when})"))
                        .into(),
                );
            }
        }
    }
}

/// Every refusal's JSON body: `{"error": {"code", "message", "details"?}}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `seat_unavailable`, `invalid_field`.
    pub code: String,
    /// For people.
    pub message: String,
    /// What the code needs, e.g. `seats` taken or the `field` that is invalid.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// Middleware for the HTTP functions in Lambda: records API Gateway's `sourceIp` as the
/// request's [`SourceAddress`](crate::tenancy::SourceAddress), the client's address when
/// nothing more trusted names it (see [`ClientAddresses`](crate::tenancy::ClientAddresses)).
#[cfg(feature = "lambda")]
pub async fn lambda_source_address(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let source = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        Some(RequestContext::ApiGatewayV1(context)) => context.identity.source_ip.clone(),
        _ => None,
    };
    if let Some(address) = source {
        req.extensions_mut()
            .insert(crate::tenancy::SourceAddress(address));
    }
    next.run(req).await
}

#[cfg(test)]
mod panic_tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_router_keeps_serving() {
        let app = with_conventions(
            Router::new()
                .route("/boom", get(boom))
                .route("/fine", get(|| async { "fine" })),
        );
        let boom = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(boom.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(boom.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "internal_error");
        let fine = app
            .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(fine.status(), StatusCode::OK);
    }
}
