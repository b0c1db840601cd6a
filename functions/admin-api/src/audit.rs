//! The audit log: every handler that changes something records who did what to which, with
//! the values before and after; owners and managers read it, filtered by staff, kind and
//! date. Nobody can change an entry: there is no route for it, and the function's role may
//! not update or delete in the log's partition.

use crate::AdminState;
use axum::extract::{Query, State};
use chrono::{NaiveDate, SecondsFormat, TimeZone, Utc};
use marquee_domain::records::{AuditKind, AuditRecord};
use marquee_domain::{Invalid, Permission, TenantId};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use marquee_store::AuditFilter;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// Entries per page.
const PAGE: usize = 50;

/// What a staff member did, for the log.
pub(crate) struct Action<'a> {
    pub kind: AuditKind,
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub staff: &'a str,
}

/// A value as the log keeps it.
pub(crate) fn json<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// Records an action that has happened. The action stands whatever happens here: a failed
/// write is logged as an error (the entry is lost, the action is not undone).
pub(crate) async fn record(state: &AdminState, tenant: &TenantId, action: Action<'_>) {
    let entry = AuditRecord {
        at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        id: ulid::Ulid::new().to_string(),
        staff: action.staff.to_owned(),
        kind: action.kind,
        target: action.target,
        before: action.before.map(|v| v.to_string()),
        after: action.after.map(|v| v.to_string()),
    };
    if let Err(e) = state.store.append_audit(tenant, &entry).await {
        tracing::error!(tenant = %tenant, kind = entry.kind.as_str(), error = %e, "audit entry not recorded");
    }
}

/// Records `auth`'s action.
pub(crate) async fn staff_did(
    state: &AdminState,
    auth: &StaffAuth,
    kind: AuditKind,
    target: String,
    before: Option<Value>,
    after: Option<Value>,
) {
    record(
        state,
        &auth.tenant,
        Action {
            kind,
            target,
            before,
            after,
            staff: auth.email.as_str(),
        },
    )
    .await;
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A staff member's email.
    staff: Option<String>,
    /// One kind of action, e.g. `order_refunded`.
    kind: Option<String>,
    /// First day (YYYY-MM-DD, in the venue's timezone).
    from: Option<String>,
    /// Last day, included.
    to: Option<String>,
    /// The previous page's `next`.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    at: String,
    staff: String,
    kind: AuditKind,
    target: String,
    /// The values before the action (absent for something created or a login).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    before: Option<Value>,
    /// The values after it (absent when nothing is left, e.g. a removal).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    after: Option<Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditList {
    /// Newest first.
    entries: Vec<AuditEntry>,
    /// Send as `cursor` for older entries; absent on the last page.
    next: Option<String>,
}

/// The staff actions of the venue, newest first.
#[utoipa::path(get, path = "/admin/v1/audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 400, description = "invalid query"), (status = 401), (status = 403),
        (status = 422, description = "invalid_field: kind, from, to, cursor")), security(("staff" = [])))]
pub async fn list_audit(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(query): Query<AuditQuery>,
) -> Result<axum::Json<AuditList>, ApiError> {
    auth.require(Permission::ManageStaff)?;
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let tz = venue.settings.timezone.tz();
    let day_start = |field: &'static str, raw: &str, days_after: i64| {
        let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| Invalid::new(field, "must be a date such as 2026-12-31"))?;
        let day = day + chrono::Duration::days(days_after);
        let midnight = day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .ok_or_else(|| Invalid::new(field, "is not a day in the venue's timezone"))?;
        Ok::<_, Invalid>(
            midnight
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        )
    };
    let kind = match query.kind.as_deref() {
        Some(raw) => Some(AuditKind::parse(raw).ok_or_else(|| {
            Invalid::new(
                "kind",
                format!(
                    "must be one of {}",
                    AuditKind::ALL.map(AuditKind::as_str).join(", ")
                ),
            )
        })?),
        None => None,
    };
    let filter = AuditFilter {
        staff: query.staff.map(|s| s.trim().to_lowercase()),
        kind,
        from: query
            .from
            .as_deref()
            .map(|d| day_start("from", d, 0))
            .transpose()?,
        to: query
            .to
            .as_deref()
            .map(|d| day_start("to", d, 1))
            .transpose()?,
    };
    if let Some(cursor) = &query.cursor
        && (cursor.len() > 64 || !cursor.contains('#'))
    {
        return Err(Invalid::new("cursor", "is not a page of this list").into());
    }
    let page = state
        .store
        .audit_page(&auth.tenant, &filter, query.cursor.as_deref(), PAGE)
        .await?;
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(axum::Json(AuditList {
        entries: page
            .entries
            .into_iter()
            .map(|e| AuditEntry {
                at: e.at,
                staff: e.staff,
                kind: e.kind,
                target: e.target,
                before: parse(e.before),
                after: parse(e.after),
            })
            .collect(),
        next: page.next,
    }))
}
