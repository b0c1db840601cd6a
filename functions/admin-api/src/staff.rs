//! Staff: an owner or manager invites someone by email with a role (the invitation email
//! carries a one-time code with which the new member sets a password), changes a member's
//! role or removes them (never the last owner); each member changes their own password, which
//! ends every other session.

use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use marquee_domain::{Email, Password, Permission, Role};
use marquee_platform::auth::{
    StaffAccount, StaffAuth, hash_password, issue_staff_token, random_token, sha256_hex,
    verify_password,
};
use marquee_platform::limits::{STAFF_INVITATION, STAFF_PASSWORD};
use marquee_platform::mail::{MailJob, MailMessage};
use marquee_platform::tenancy::ClientAddress;
use marquee_platform::tenancy::Tenant;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{StaffRecord, StaffStatus, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const INVITATION_DAYS: i64 = 7;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffMember {
    email: String,
    name: String,
    role: Role,
    status: StaffStatus,
    created_at: String,
}

impl From<StaffRecord> for StaffMember {
    fn from(r: StaffRecord) -> Self {
        Self {
            email: r.email.to_string(),
            name: r.name,
            role: r.role,
            status: r.status,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffList {
    staff: Vec<StaffMember>,
}

/// List the venue's staff.
#[utoipa::path(get, path = "/admin/v1/staff", responses((status = 200, body = StaffList), (status = 401), (status = 403)),
    security(("staff" = [])))]
pub async fn list_staff(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<StaffList>, ApiError> {
    auth.require(Permission::ManageStaff)?;
    let staff = state
        .store
        .list_staff(&auth.tenant)
        .await?
        .into_iter()
        .map(StaffMember::from)
        .collect();
    Ok(axum::Json(StaffList { staff }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    email: String,
    name: String,
    role: Role,
}

/// Invite a staff member; they receive an email with a code to set their password.
#[utoipa::path(post, path = "/admin/v1/staff", request_body = InviteRequest,
    responses((status = 201, body = StaffMember), (status = 400, description = "malformed_json"), (status = 401),
        (status = 403, description = "the role may not invite, or not this role"), (status = 409, description = "staff_exists"),
        (status = 422, description = "invalid_field; invalid_body")),
    security(("staff" = [])))]
pub async fn invite_staff(
    State(state): State<AdminState>,
    tenant: Tenant,
    auth: StaffAuth,
    Json(body): Json<InviteRequest>,
) -> Result<(StatusCode, axum::Json<StaffMember>), ApiError> {
    auth.require(Permission::ManageStaff)?;
    if !auth.role.may_invite(body.role) {
        return Err(ApiError::forbidden(format!(
            "A {} may not invite a {}",
            auth.role, body.role
        )));
    }
    let email = Email::parse(&body.email)?;
    let name = marquee_domain::names::parse_display_name(&body.name)?;
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let now = Utc::now();
    let code = random_token(16);
    let record = StaffRecord {
        email: email.clone(),
        name,
        role: body.role,
        status: StaffStatus::Invited,
        password_hash: None,
        token_version: now.timestamp_millis(),
        invite_code_hash: Some(sha256_hex(&code)),
        invite_expires_at: Some((now + Duration::days(INVITATION_DAYS)).timestamp()),
        created_at: now.to_rfc3339(),
    };
    match state.store.put_invitation(&auth.tenant, &record).await {
        Ok(()) => {}
        Err(StoreError::AlreadyExists) => {
            return Err(ApiError::conflict(
                "staff_exists",
                "This person already has an account at this venue",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let accept_url = format!(
        "{}/admin/accept-invite?email={}&code={code}",
        state.config.public_url(&tenant.hostname),
        query_escape(email.as_str())
    );
    let message = MailMessage::StaffInvitation {
        to: email,
        venue_name: venue.settings.name,
        role: body.role,
        accept_url,
        code,
    };
    state
        .mail
        .enqueue(&MailJob::new(auth.tenant.clone(), message))
        .await?;
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::StaffInvited,
        format!("staff:{}", record.email.as_str()),
        None,
        Some(serde_json::json!({ "role": record.role })),
    )
    .await;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    email: String,
    code: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptResponse {
    token: String,
    expires_at: String,
    email: String,
    role: Role,
}

/// Accept an invitation: set a password with the emailed code, and log in.
#[utoipa::path(post, path = "/admin/v1/staff/accept", request_body = AcceptRequest,
    responses((status = 200, body = AcceptResponse), (status = 400, description = "invalid_invitation; malformed_json"),
        (status = 422, description = "invalid_field; invalid_body"),
        (status = 429, description = "rate_limited with Retry-After: too many codes tried from this address or for this email")))]
pub async fn accept_invitation(
    State(state): State<AdminState>,
    tenant: Tenant,
    client: ClientAddress,
    Json(body): Json<AcceptRequest>,
) -> Result<axum::Json<AcceptResponse>, ApiError> {
    // Not given back: an invitation is accepted once.
    let _attempt = state
        .limiter
        .check(
            &tenant.id,
            &STAFF_INVITATION,
            &body.email,
            &client,
            Utc::now(),
        )
        .await?;
    let invalid = || {
        ApiError::bad_request(
            "invalid_invitation",
            "The invitation code is wrong or has expired",
        )
    };
    let email = Email::parse(&body.email).map_err(|_| invalid())?;
    let password = Password::parse_new(&body.password, &email)?;
    let hash = hash_password(&password).await?;
    let now = Utc::now();
    match state
        .store
        .accept_invitation(
            &tenant.id,
            &email,
            &sha256_hex(body.code.trim()),
            &hash,
            now,
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => return Err(invalid()),
        Err(e) => return Err(e.into()),
    }
    let account = state
        .store
        .staff(&tenant.id, &email)
        .await?
        .ok_or_else(invalid)?;
    let (token, expires) = issue_staff_token(
        &state.jwt,
        &tenant.id,
        StaffAccount {
            email: &email,
            role: account.role,
            token_version: account.token_version,
        },
        now,
    )?;
    Ok(axum::Json(AcceptResponse {
        token,
        expires_at: expires.to_rfc3339(),
        email: email.to_string(),
        role: account.role,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStaffRequest {
    role: Role,
}

fn staff_path(raw: &str) -> Result<Email, ApiError> {
    // Any malformed address names nobody: 404 like a member of another venue.
    Email::parse(raw).map_err(|_| ApiError::not_found("Staff member"))
}

fn last_owner() -> ApiError {
    ApiError::conflict(
        "last_owner",
        "The venue needs at least one owner: make someone else an owner first",
    )
}

/// Another active owner than `email`, who must still be one when `email` stops being one.
/// `None` (there is no other): the change would leave the venue without an owner.
async fn other_owner(
    state: &AdminState,
    tenant: &marquee_domain::TenantId,
    email: &Email,
) -> Result<Option<Email>, ApiError> {
    Ok(state
        .store
        .list_staff(tenant)
        .await?
        .into_iter()
        .find(|s| s.role == Role::Owner && s.status == StaffStatus::Active && &s.email != email)
        .map(|s| s.email))
}

/// How a change to `member` that takes away their ownership (if they have it) is written:
/// with another owner who must remain, or refused with `last_owner`.
async fn keep_an_owner(
    state: &AdminState,
    tenant: &marquee_domain::TenantId,
    member: &StaffRecord,
    new_role: Option<Role>,
) -> Result<Option<Email>, ApiError> {
    let loses_ownership = member.role == Role::Owner
        && member.status == StaffStatus::Active
        && new_role != Some(Role::Owner);
    if !loses_ownership {
        return Ok(None);
    }
    match other_owner(state, tenant, &member.email).await? {
        Some(owner) => Ok(Some(owner)),
        None => Err(last_owner()),
    }
}

/// The member `auth` may change: they exist at this venue, and `auth` may hand out both
/// their current role and `new_role`.
async fn member_for_change(
    state: &AdminState,
    auth: &StaffAuth,
    email: &Email,
    new_role: Option<Role>,
) -> Result<StaffRecord, ApiError> {
    auth.require(Permission::ManageStaff)?;
    let member = state
        .store
        .staff(&auth.tenant, email)
        .await?
        .ok_or_else(|| ApiError::not_found("Staff member"))?;
    let may = auth.role.may_invite(member.role) && new_role.is_none_or(|r| auth.role.may_invite(r));
    if !may {
        return Err(ApiError::forbidden(format!(
            "A {} may not change a {}{}",
            auth.role,
            member.role,
            new_role.map(|r| format!(" into a {r}")).unwrap_or_default()
        )));
    }
    Ok(member)
}

/// Change a staff member's role. Takes effect on their next request (within 30 seconds on
/// every server). The last owner cannot stop being one.
#[utoipa::path(put, path = "/admin/v1/staff/{email}", request_body = ChangeStaffRequest,
    params(("email" = String, Path, description = "The member's email")),
    responses((status = 200, body = StaffMember), (status = 400, description = "malformed_json"), (status = 401),
        (status = 403, description = "the role may not manage staff, or not this member or role"), (status = 404, description = "not_found"),
        (status = 409, description = "last_owner: the venue's only owner cannot be demoted; concurrent_change: the member changed meanwhile, try again"),
        (status = 422, description = "invalid_body")),
    security(("staff" = [])))]
pub async fn change_staff(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(email): Path<String>,
    Json(body): Json<ChangeStaffRequest>,
) -> Result<axum::Json<StaffMember>, ApiError> {
    let email = staff_path(&email)?;
    let mut member = member_for_change(&state, &auth, &email, Some(body.role)).await?;
    if member.role == body.role {
        return Ok(axum::Json(member.into()));
    }
    let keep = keep_an_owner(&state, &auth.tenant, &member, Some(body.role)).await?;
    match state
        .store
        .change_staff_role(&auth.tenant, &email, member.role, body.role, keep.as_ref())
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => return Err(concurrent_change()),
        Err(e) => return Err(e.into()),
    }
    state.sessions.forget_staff(&auth.tenant, &email);
    tracing::info!(tenant = %auth.tenant, from = %member.role, to = %body.role, "staff role changed");
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::StaffRoleChanged,
        format!("staff:{}", email.as_str()),
        Some(serde_json::json!({ "role": member.role })),
        Some(serde_json::json!({ "role": body.role })),
    )
    .await;
    member.role = body.role;
    Ok(axum::Json(member.into()))
}

fn concurrent_change() -> ApiError {
    ApiError::conflict(
        "concurrent_change",
        "This staff member (or the venue's other owner) changed meanwhile; reload and try again",
    )
}

/// Remove a staff member (or withdraw an invitation). Their sessions end at once here and
/// within 30 seconds everywhere. The last owner cannot be removed.
#[utoipa::path(delete, path = "/admin/v1/staff/{email}",
    params(("email" = String, Path, description = "The member's email")),
    responses((status = 204, description = "removed"), (status = 401),
        (status = 403, description = "the role may not manage staff, or not this member"), (status = 404, description = "not_found"),
        (status = 409, description = "last_owner: the venue's only owner cannot be removed; concurrent_change")),
    security(("staff" = [])))]
pub async fn remove_staff(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    let email = staff_path(&email)?;
    let member = member_for_change(&state, &auth, &email, None).await?;
    let keep = keep_an_owner(&state, &auth.tenant, &member, None).await?;
    match state
        .store
        .remove_staff(&auth.tenant, &email, member.role, keep.as_ref())
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => return Err(concurrent_change()),
        Err(e) => return Err(e.into()),
    }
    state.sessions.forget_staff(&auth.tenant, &email);
    tracing::info!(tenant = %auth.tenant, role = %member.role, "staff member removed");
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::StaffRemoved,
        format!("staff:{}", email.as_str()),
        Some(serde_json::json!({ "role": member.role })),
        None,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(max_length = 1024)]
    current_password: String,
    /// The same rule as every new password (`marquee_domain::Password::parse_new`).
    #[schema(min_length = 12, max_length = 128)]
    new_password: String,
}

/// Change your own password. Every other session (other browsers, devices, stolen tokens)
/// ends; the answer carries a fresh token for this one.
#[utoipa::path(post, path = "/admin/v1/password", request_body = ChangePasswordRequest,
    responses((status = 200, body = crate::auth::LoginResponse), (status = 400, description = "malformed_json"),
        (status = 401, description = "unauthorized; invalid_credentials: the current password is wrong"),
        (status = 422, description = "invalid_field (the new password is too weak); invalid_body"),
        (status = 429, description = "rate_limited with Retry-After")),
    security(("staff" = [])))]
pub async fn change_password(
    State(state): State<AdminState>,
    auth: StaffAuth,
    client: ClientAddress,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<axum::Json<crate::auth::LoginResponse>, ApiError> {
    let now = Utc::now();
    let attempt = state
        .limiter
        .check(
            &auth.tenant,
            &STAFF_PASSWORD,
            auth.email.as_str(),
            &client,
            now,
        )
        .await?;
    let account = state
        .store
        .staff(&auth.tenant, &auth.email)
        .await?
        .ok_or_else(|| ApiError::unauthorized("This session has ended; log in again"))?;
    let current = Password::for_login(&body.current_password);
    if !verify_password(account.password_hash.clone(), &current).await {
        return Err(crate::auth::invalid_credentials());
    }
    state.limiter.succeeded(attempt).await;
    let new = Password::parse_new(&body.new_password, &auth.email)?;
    let hash = hash_password(&new).await?;
    let token_version = match state
        .store
        .set_staff_password(&auth.tenant, &auth.email, &hash)
        .await
    {
        Ok(version) => version,
        Err(StoreError::ConditionFailed) => {
            return Err(ApiError::unauthorized(
                "This session has ended; log in again",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    state.sessions.forget_staff(&auth.tenant, &auth.email);
    tracing::info!(tenant = %auth.tenant, "staff password changed; other sessions ended");
    // Who and when only: no trace of the password itself.
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::PasswordChanged,
        format!("staff:{}", auth.email),
        None,
        None,
    )
    .await;
    let (token, expires) = issue_staff_token(
        &state.jwt,
        &auth.tenant,
        StaffAccount {
            email: &auth.email,
            role: account.role,
            token_version,
        },
        now,
    )?;
    Ok(axum::Json(crate::auth::LoginResponse {
        token,
        expires_at: expires.to_rfc3339(),
        email: auth.email.to_string(),
        role: account.role,
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    email: String,
    name: String,
    /// The member's role now (it may have changed since they logged in).
    role: Role,
}

/// Who this token belongs to, with their current role: the admin shows what the member may
/// do now, even if an owner changed their role since they logged in.
#[utoipa::path(get, path = "/admin/v1/session",
    responses((status = 200, body = SessionView), (status = 401, description = "unauthorized: no token, or the session has ended")),
    security(("staff" = [])))]
pub async fn session(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<SessionView>, ApiError> {
    let member = state
        .store
        .staff(&auth.tenant, &auth.email)
        .await?
        .ok_or_else(|| ApiError::unauthorized("This session has ended; log in again"))?;
    Ok(axum::Json(SessionView {
        email: member.email.to_string(),
        name: member.name,
        role: auth.role,
    }))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_escape_encodes_reserved_characters() {
        assert_eq!(super::query_escape("a+b@x.org"), "a%2Bb%40x.org");
    }
}
