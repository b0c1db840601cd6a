//! Promo codes: list, create, change, delete. The rules are `marquee_app::promos`; a code's
//! id in paths is the code itself (case-insensitive).

use crate::AdminState;
use crate::audit::{json, staff_did};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use marquee_domain::Permission;
use marquee_domain::promo::{PromoInput, PromoRecord, PromoRefusal};
use marquee_domain::records::AuditKind;
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use serde::Serialize;
use utoipa::ToSchema;

/// Where a code stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PromoStatus {
    Active,
    /// Its `validFrom` is still to come.
    Scheduled,
    Expired,
    UsedUp,
    Deleted,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromoCodeView {
    /// The code, in capitals: its id in paths.
    #[schema(example = "SPRING20")]
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent_off: Option<u32>,
    /// Minor units off each ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_off: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_uses: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_patron: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_from: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_to: Option<DateTime<Utc>>,
    event_ids: Vec<String>,
    performance_ids: Vec<String>,
    price_types: Vec<String>,
    /// Hidden price types a cart with it may buy.
    unlocks: Vec<String>,
    /// Orders checked out with it (a checkout cancelled unpaid gives its use back).
    uses: u32,
    status: PromoStatus,
    /// Send it back with a change: a change from a stale copy is refused.
    version: u32,
    created_at: String,
}

impl PromoCodeView {
    fn of(promo: PromoRecord, now: DateTime<Utc>) -> Self {
        let status = match promo.refusal_at(now) {
            None => PromoStatus::Active,
            Some(PromoRefusal::NotYet(_)) => PromoStatus::Scheduled,
            Some(PromoRefusal::Expired(_)) => PromoStatus::Expired,
            Some(PromoRefusal::Exhausted | PromoRefusal::PatronLimit) => PromoStatus::UsedUp,
            Some(PromoRefusal::Unknown | PromoRefusal::NotApplicable) => PromoStatus::Deleted,
        };
        Self {
            code: promo.code.to_string(),
            percent_off: promo.percent_off,
            amount_off: promo.amount_off,
            max_uses: promo.max_uses,
            per_patron: promo.per_patron,
            valid_from: promo.valid_from,
            valid_to: promo.valid_to,
            event_ids: promo.event_ids.iter().map(ToString::to_string).collect(),
            performance_ids: promo
                .performance_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            price_types: promo.price_types.iter().map(ToString::to_string).collect(),
            unlocks: promo.unlocks.iter().map(ToString::to_string).collect(),
            uses: promo.uses,
            status,
            version: promo.version,
            created_at: promo.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromoCodeList {
    /// Current codes by name, then deleted ones.
    promo_codes: Vec<PromoCodeView>,
}

fn target(promo: &PromoRecord) -> String {
    format!("promo:{}", promo.code)
}

/// The venue's promo codes, with their use counts.
#[utoipa::path(get, path = "/admin/v1/promo-codes",
    responses((status = 200, body = PromoCodeList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn list_promo_codes(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<PromoCodeList>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let now = Utc::now();
    let codes = state.promos.list(&auth.tenant).await?;
    Ok(axum::Json(PromoCodeList {
        promo_codes: codes
            .into_iter()
            .map(|p| PromoCodeView::of(p, now))
            .collect(),
    }))
}

/// A new promo code: percent or amount off each ticket it applies to.
#[utoipa::path(post, path = "/admin/v1/promo-codes", request_body = PromoInput,
    responses((status = 201, body = PromoCodeView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 409, description = "promo_code_taken (the venue has or had that code)"), (status = 422, description = "invalid_field; invalid_body")),
    security(("staff" = [])))]
pub async fn create_promo_code(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(body): Json<PromoInput>,
) -> Result<(StatusCode, axum::Json<PromoCodeView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let promo = state.promos.create(&auth.tenant, &body).await?;
    staff_did(
        &state,
        &auth,
        AuditKind::PromoCreated,
        target(&promo),
        None,
        json(&promo),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        axum::Json(PromoCodeView::of(promo, Utc::now())),
    ))
}

/// New terms for a code (the code itself cannot change); its uses stay counted.
#[utoipa::path(put, path = "/admin/v1/promo-codes/{codeId}", params(("codeId" = String, Path, description = "the code")), request_body = PromoInput,
    responses((status = 200, body = PromoCodeView), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "edit_conflict"), (status = 422, description = "invalid_field; invalid_body")),
    security(("staff" = [])))]
pub async fn update_promo_code(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(code): Path<String>,
    Json(body): Json<PromoInput>,
) -> Result<axum::Json<PromoCodeView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let (before, after) = state.promos.edit(&auth.tenant, &code, &body).await?;
    staff_did(
        &state,
        &auth,
        AuditKind::PromoEdited,
        target(&after),
        json(&before),
        json(&after),
    )
    .await;
    Ok(axum::Json(PromoCodeView::of(after, Utc::now())))
}

/// Delete a code: patrons can no longer use it (carts holding it are refused at checkout);
/// orders that used it keep their discount, and the code is not handed out again.
#[utoipa::path(delete, path = "/admin/v1/promo-codes/{codeId}", params(("codeId" = String, Path, description = "the code")),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 409, description = "edit_conflict")),
    security(("staff" = [])))]
pub async fn delete_promo_code(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let before = state.promos.retire(&auth.tenant, &code).await?;
    staff_did(
        &state,
        &auth,
        AuditKind::PromoDeleted,
        target(&before),
        json(&before),
        None,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
