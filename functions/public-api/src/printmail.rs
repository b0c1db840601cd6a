//! The print-and-mail provider's (Lob's) tracking webhooks: verified on the raw body, then a
//! mailed order's letter moves on (mailed, in transit, processed for delivery, returned).

use crate::PublicState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use marquee_domain::records::MailStatus;
use marquee_domain::{OrderId, TenantId};
use marquee_platform::ApiError;
use marquee_platform::printmail::verify_webhook;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookReceived {
    /// `updated`, or `ignored` (an event about nothing we track, or old news).
    outcome: &'static str,
}

/// A print-and-mail provider event (Lob's webhook, `Lob-Signature` over
/// `Lob-Signature-Timestamp + "." + body`). Events that say nothing about where a letter is
/// are answered 200 and ignored.
#[utoipa::path(post, path = "/api/v1/printmail/webhook",
    responses((status = 200, body = WebhookReceived),
        (status = 400, description = "invalid_signature: a missing, stale or wrong signature (nothing changes); invalid_body"),
        (status = 503, description = "printmail_not_configured: no webhook secret; busy")))]
pub async fn webhook(
    State(state): State<PublicState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, axum::Json<WebhookReceived>), ApiError> {
    let secret = state.config.lob_webhook_secret.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "printmail_not_configured",
            "Print-and-mail webhooks are not configured",
        )
    })?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(e) = verify_webhook(
        secret.expose(),
        header("lob-signature-timestamp"),
        header("lob-signature"),
        &body,
        chrono::Utc::now(),
    ) {
        tracing::warn!(reason = %e, "print-and-mail webhook refused");
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_signature",
            "The webhook's signature does not verify",
        ));
    }
    let event: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "The event is not JSON",
        )
    })?;
    let ignored = || {
        Ok((
            StatusCode::OK,
            axum::Json(WebhookReceived { outcome: "ignored" }),
        ))
    };
    let Some(status) = event["event_type"]["id"]
        .as_str()
        .and_then(MailStatus::from_tracking_event)
    else {
        return ignored();
    };
    let letter = &event["body"];
    let (Some(letter_id), Ok(tenant), Ok(order)) = (
        letter["id"].as_str(),
        TenantId::parse(letter["metadata"]["tenant"].as_str().unwrap_or_default()),
        OrderId::parse(letter["metadata"]["order_id"].as_str().unwrap_or_default()),
    ) else {
        return ignored();
    };
    match state
        .letters
        .track(&tenant, &order, letter_id, status)
        .await?
    {
        marquee_app::printmail::TrackingOutcome::Updated(status) => {
            tracing::info!(%tenant, %order, ?status, "letter tracked");
            Ok((
                StatusCode::OK,
                axum::Json(WebhookReceived { outcome: "updated" }),
            ))
        }
        marquee_app::printmail::TrackingOutcome::Ignored => ignored(),
    }
}
