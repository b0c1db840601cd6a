//! CloudFront's `/documents/*` behaviour, locally: the presigned URLs the APIs hand out are
//! relative to the venue's site (`marquee_platform::documents::through_site`); this passes
//! them on to the stack's S3 (moto, path-style), which checks the signature, and returns its
//! answer. Only the headers S3's signatures and answers use cross, as with the template's
//! origin request policy.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use marquee_platform::documents::SITE_PREFIX;

/// The largest body passed on: above the 5 MB image limit, so S3 (whose signature covers
/// the length) is the one that refuses a wrong size.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// What reaches S3 from the viewer's request.
const REQUEST_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::RANGE];

/// What reaches the viewer from S3's answer.
const RESPONSE_HEADERS: [HeaderName; 6] = [
    header::CONTENT_TYPE,
    header::CONTENT_DISPOSITION,
    header::ETAG,
    header::LAST_MODIFIED,
    header::CACHE_CONTROL,
    header::CONTENT_RANGE,
];

#[derive(Clone)]
pub struct DocumentsOrigin {
    pub client: reqwest::Client,
    /// The stack's S3 endpoint, e.g. `http://127.0.0.1:5000`.
    pub s3_url: String,
}

impl DocumentsOrigin {
    pub async fn forward(&self, request: Request) -> Response {
        match self.try_forward(request).await {
            Ok(response) => response,
            Err(e) => {
                tracing::warn!(error = %e, "documents: S3 did not answer");
                StatusCode::BAD_GATEWAY.into_response()
            }
        }
    }

    async fn try_forward(&self, request: Request) -> anyhow::Result<Response> {
        let (parts, body) = request.into_parts();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let rest = path_and_query
            .strip_prefix(SITE_PREFIX)
            .unwrap_or(path_and_query);
        let mut forwarded = self
            .client
            .request(parts.method, format!("{}{rest}", self.s3_url));
        for name in REQUEST_HEADERS {
            if let Some(value) = parts.headers.get(&name) {
                forwarded = forwarded.header(name, value);
            }
        }
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
        let Ok(body) = body else {
            return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
        };
        let answer = forwarded.body(body).send().await?;
        let mut response = Response::builder().status(answer.status().as_u16());
        for name in RESPONSE_HEADERS {
            if let Some(value) = answer.headers().get(&name) {
                response = response.header(name, value);
            }
        }
        Ok(response.body(Body::from(answer.bytes().await?))?)
    }
}
