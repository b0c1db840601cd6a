//! Staff invitations: an owner or manager invites someone by email with a role; the
//! invitation email carries a one-time code with which the new staff member sets a password.

use crate::AdminState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use marquee_domain::{Email, Password, Permission, Role};
use marquee_platform::auth::{
    StaffAuth, hash_password, issue_staff_token, random_token, sha256_hex,
};
use marquee_platform::mail::{MailJob, MailMessage};
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
        failed_logins: 0,
        locked_until: None,
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
        (status = 422, description = "invalid_field; invalid_body")))]
pub async fn accept_invitation(
    State(state): State<AdminState>,
    tenant: Tenant,
    Json(body): Json<AcceptRequest>,
) -> Result<axum::Json<AcceptResponse>, ApiError> {
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
    let (token, expires) = issue_staff_token(&state.jwt, &tenant.id, &email, account.role, now)?;
    Ok(axum::Json(AcceptResponse {
        token,
        expires_at: expires.to_rfc3339(),
        email: email.to_string(),
        role: account.role,
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
