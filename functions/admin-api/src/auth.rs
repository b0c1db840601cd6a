//! Staff login. Every attempt is counted before the password is checked (per account and
//! client address, per address, per account: `marquee_platform::limits::STAFF_LOGIN`), so an
//! attacker is slowed down without locking the owner out from their own address, and an
//! unknown email is answered and counted exactly like a wrong password.

use crate::AdminState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use marquee_domain::{Email, Password, Role};
use marquee_platform::auth::{StaffAccount, issue_staff_token, verify_password};
use marquee_platform::limits::STAFF_LOGIN;
use marquee_platform::tenancy::{ClientAddress, Tenant};
use marquee_platform::{ApiError, http::Json};
use marquee_store::StaffStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 254)]
    email: String,
    #[schema(max_length = 1024)]
    password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: String,
    pub email: String,
    pub role: Role,
}

pub(crate) fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "The email or password is wrong",
    )
}

/// Log in as staff of the venue on this host.
#[utoipa::path(post, path = "/admin/v1/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, description = "malformed_json"), (status = 401, description = "invalid_credentials (also for an email that has no account)"),
        (status = 422, description = "invalid_body"),
        (status = 429, description = "rate_limited with Retry-After and details.retryAfterSeconds: too many attempts from this address or for this account")))]
pub async fn login(
    State(state): State<AdminState>,
    tenant: Tenant,
    client: ClientAddress,
    Json(body): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, ApiError> {
    let now = Utc::now();
    let attempt = state
        .limiter
        .check(&tenant.id, &STAFF_LOGIN, &body.email, &client, now)
        .await?;
    let password = Password::for_login(&body.password);
    let account = match Email::parse(&body.email) {
        Ok(email) => state
            .store
            .staff(&tenant.id, &email)
            .await?
            .filter(|s| s.status == StaffStatus::Active),
        Err(_) => None,
    };
    // Same work for a missing account as for a wrong password, so timing does not tell.
    let verified = verify_password(
        account.as_ref().and_then(|a| a.password_hash.clone()),
        &password,
    )
    .await;
    let Some(account) = account.filter(|_| verified) else {
        return Err(invalid_credentials());
    };
    state.limiter.succeeded(attempt).await;
    let (token, expires) = issue_staff_token(
        &state.jwt,
        &tenant.id,
        StaffAccount {
            email: &account.email,
            role: account.role,
            token_version: account.token_version,
        },
        now,
    )?;
    crate::audit::record(
        &state,
        &tenant.id,
        crate::audit::Action {
            kind: marquee_domain::records::AuditKind::Login,
            target: format!("staff:{}", account.email.as_str()),
            before: None,
            after: Some(serde_json::json!({ "role": account.role })),
            staff: account.email.as_str(),
        },
    )
    .await;
    Ok(axum::Json(LoginResponse {
        token,
        expires_at: expires.to_rfc3339(),
        email: account.email.to_string(),
        role: account.role,
    }))
}
