//! Staff login. Each attempt is counted before the password is checked; the fifth failure
//! in a row locks the account for 15 minutes.

use crate::AdminState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use marquee_domain::{Email, Password, Role};
use marquee_platform::auth::{issue_staff_token, verify_password};
use marquee_platform::tenancy::Tenant;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{StaffStatus, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub const MAX_FAILED_LOGINS: u32 = 5;
pub const LOCK_MINUTES: i64 = 15;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    token: String,
    expires_at: String,
    email: String,
    role: Role,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "The email or password is wrong",
    )
}

fn locked(until: chrono::DateTime<Utc>) -> ApiError {
    let seconds = (until - Utc::now()).num_seconds().max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "account_locked",
        "Too many failed logins; this account is locked for a while",
    )
    .with_details(json!({ "retryAfterSeconds": seconds }))
}

/// Log in as staff of the venue on this host.
#[utoipa::path(post, path = "/admin/v1/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, description = "malformed_json"), (status = 401, description = "invalid_credentials"),
        (status = 422, description = "invalid_body"), (status = 429, description = "account_locked with details.retryAfterSeconds")))]
pub async fn login(
    State(state): State<AdminState>,
    tenant: Tenant,
    Json(body): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, ApiError> {
    let password = Password::for_login(&body.password);
    let account = match Email::parse(&body.email) {
        Ok(email) => state
            .store
            .staff(&tenant.id, &email)
            .await?
            .filter(|s| s.status == StaffStatus::Active),
        Err(_) => None,
    };
    let Some(account) = account else {
        // Same work as a wrong password, so timing does not reveal which accounts exist.
        verify_password(None, &password).await;
        return Err(invalid_credentials());
    };
    let now = Utc::now();
    let attempt = match state
        .store
        .reserve_login_attempt(&tenant.id, &account.email, MAX_FAILED_LOGINS, now)
        .await
    {
        Ok(attempt) => attempt,
        Err(StoreError::Locked { until }) => return Err(locked(until)),
        Err(StoreError::AttemptsExhausted) => {
            // The attempt that used the last try has not written the lock yet (or never will).
            let until = now + Duration::minutes(LOCK_MINUTES);
            state
                .store
                .lock_account(&tenant.id, &account.email, until)
                .await?;
            return Err(locked(until));
        }
        Err(e) => return Err(e.into()),
    };
    if !verify_password(account.password_hash.clone(), &password).await {
        if attempt.attempts >= MAX_FAILED_LOGINS {
            state
                .store
                .lock_account(
                    &tenant.id,
                    &account.email,
                    now + Duration::minutes(LOCK_MINUTES),
                )
                .await?;
            tracing::warn!(tenant = %tenant.id, "staff account locked after repeated failed logins");
        }
        return Err(invalid_credentials());
    }
    state
        .store
        .clear_login_failures(&tenant.id, &account.email)
        .await?;
    let (token, expires) =
        issue_staff_token(&state.jwt, &tenant.id, &account.email, account.role, now)?;
    Ok(axum::Json(LoginResponse {
        token,
        expires_at: expires.to_rfc3339(),
        email: account.email.to_string(),
        role: account.role,
    }))
}
