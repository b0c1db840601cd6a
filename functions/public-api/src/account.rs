//! Patron accounts: register, log in, reset a forgotten password with a code sent by email,
//! and the patron's orders. Accounts belong to one venue; tokens are bound to it and to the
//! patron audience (a patron token is never a staff token). Logging out is the site dropping
//! its token. Checking out while logged in files the order under the account; guests need
//! no account.

use crate::PublicState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use marquee_domain::{Email, Invalid, Password};
use marquee_platform::auth::{
    PatronAuth, hash_password, issue_patron_token, random_token, sha256_hex, verify_password,
};
use marquee_platform::limits::{
    PATRON_LOGIN, PATRON_REGISTRATION, PATRON_RESET_CONFIRM, PATRON_RESET_REQUEST,
};
use marquee_platform::mail::{MailJob, MailMessage};
use marquee_platform::tenancy::{ClientAddress, Tenant};
use marquee_platform::{ApiError, http::Json};
use marquee_store::{PatronRecord, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a password-reset code works.
const RESET_MINUTES: i64 = 30;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    email: String,
    name: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    token: String,
    expires_at: String,
    email: String,
    name: String,
}

const RATE_LIMITED: &str = "rate_limited with Retry-After and details.retryAfterSeconds: too many attempts from this address or for this email (the same whether or not it has an account)";

fn parse_email(raw: &str) -> Result<Email, ApiError> {
    Email::parse(raw).map_err(|e| Invalid::new("email", e.message).into())
}

fn token_for(
    state: &PublicState,
    tenant: &Tenant,
    patron: &PatronRecord,
) -> Result<TokenResponse, ApiError> {
    let (token, expires) = issue_patron_token(
        &state.jwt,
        &tenant.id,
        &patron.email,
        patron.token_version,
        Utc::now(),
    )?;
    Ok(TokenResponse {
        token,
        expires_at: expires.to_rfc3339(),
        email: patron.email.to_string(),
        name: patron.name.clone(),
    })
}

/// Create an account at this venue.
#[utoipa::path(post, path = "/api/v1/account/register", request_body = RegisterRequest,
    responses((status = 201, body = TokenResponse), (status = 400, description = "malformed_json"), (status = 409, description = "account_exists"),
        (status = 422, description = "invalid_field; invalid_body"), (status = 429, description = RATE_LIMITED)))]
pub async fn register(
    State(state): State<PublicState>,
    tenant: Tenant,
    client: ClientAddress,
    Json(body): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<TokenResponse>), ApiError> {
    // Not given back: each registration is an account (and a password hash's work).
    let _attempt = state
        .limiter
        .check(
            &tenant.id,
            &PATRON_REGISTRATION,
            &body.email,
            &client,
            Utc::now(),
        )
        .await?;
    let email = parse_email(&body.email)?;
    let name = marquee_domain::names::parse_display_name(&body.name)?;
    let password = Password::parse_new(&body.password, &email)?;
    let patron = PatronRecord {
        email,
        name,
        password_hash: hash_password(&password).await?,
        created_at: Utc::now().to_rfc3339(),
        reset_code_hash: None,
        reset_expires_at: None,
        reset_attempts: 0,
        token_version: Utc::now().timestamp_millis(),
    };
    match state.store.create_patron(&tenant.id, &patron).await {
        Ok(()) => {}
        Err(StoreError::AlreadyExists) => {
            return Err(ApiError::conflict(
                "account_exists",
                "There is already an account with this email; log in or reset the password",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(token_for(&state, &tenant, &patron)?),
    ))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "The email or password is wrong",
    )
}

/// Log in.
#[utoipa::path(post, path = "/api/v1/account/login", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 400, description = "malformed_json"), (status = 401, description = "invalid_credentials"),
        (status = 422, description = "invalid_body"), (status = 429, description = RATE_LIMITED)))]
pub async fn login(
    State(state): State<PublicState>,
    tenant: Tenant,
    client: ClientAddress,
    Json(body): Json<LoginRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let attempt = state
        .limiter
        .check(&tenant.id, &PATRON_LOGIN, &body.email, &client, Utc::now())
        .await?;
    let password = Password::for_login(&body.password);
    let patron = match Email::parse(&body.email) {
        Ok(email) => state.store.patron(&tenant.id, &email).await?,
        Err(_) => None,
    };
    // Same work for a missing account as for a wrong password.
    let verified =
        verify_password(patron.as_ref().map(|p| p.password_hash.clone()), &password).await;
    match patron {
        Some(patron) if verified => {
            state.limiter.succeeded(attempt).await;
            Ok(axum::Json(token_for(&state, &tenant, &patron)?))
        }
        _ => Err(invalid_credentials()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetRequest {
    email: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequested {
    /// Always true: whether the account exists is not revealed.
    accepted: bool,
}

/// Ask for a password-reset code by email. The answer is the same whether or not the account
/// exists.
#[utoipa::path(post, path = "/api/v1/account/password-reset", request_body = ResetRequest,
    responses((status = 202, body = ResetRequested), (status = 400, description = "malformed_json"), (status = 422, description = "invalid_field; invalid_body"),
        (status = 429, description = RATE_LIMITED)))]
pub async fn request_reset(
    State(state): State<PublicState>,
    tenant: Tenant,
    client: ClientAddress,
    Json(body): Json<ResetRequest>,
) -> Result<(StatusCode, axum::Json<ResetRequested>), ApiError> {
    // Not given back: each request may send an email.
    let _attempt = state
        .limiter
        .check(
            &tenant.id,
            &PATRON_RESET_REQUEST,
            &body.email,
            &client,
            Utc::now(),
        )
        .await?;
    let email = parse_email(&body.email)?;
    if state.store.patron(&tenant.id, &email).await?.is_some() {
        let code = reset_code();
        let expires = Utc::now() + Duration::minutes(RESET_MINUTES);
        state
            .store
            .set_reset_code(
                &tenant.id,
                &email,
                &sha256_hex(&code),
                &expires.to_rfc3339(),
            )
            .await?;
        let venue = state
            .store
            .venue(&tenant.id)
            .await?
            .ok_or_else(|| ApiError::not_found("Venue"))?;
        let job = MailJob::new(
            tenant.id.clone(),
            MailMessage::PasswordReset {
                to: email,
                venue_name: venue.settings.name,
                code,
                reset_url: format!(
                    "{}/account/reset",
                    state.config.public_url(&tenant.hostname)
                ),
            },
        );
        state.mail.enqueue(&job).await?;
    }
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(ResetRequested { accepted: true }),
    ))
}

/// Eight digits, grouped for reading: `4821-0937`.
fn reset_code() -> String {
    let digits: String = random_token(8)
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .take(8)
        .collect();
    format!("{}-{}", &digits[..4], &digits[4..])
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetConfirm {
    email: String,
    code: String,
    password: String,
}

/// Set a new password with the emailed code (valid 30 minutes, five tries); logs in.
#[utoipa::path(post, path = "/api/v1/account/password-reset/confirm", request_body = ResetConfirm,
    responses((status = 200, body = TokenResponse), (status = 400, description = "invalid_code; malformed_json"), (status = 422, description = "invalid_field; invalid_body"),
        (status = 429, description = RATE_LIMITED)))]
pub async fn confirm_reset(
    State(state): State<PublicState>,
    tenant: Tenant,
    client: ClientAddress,
    Json(body): Json<ResetConfirm>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let attempt = state
        .limiter
        .check(
            &tenant.id,
            &PATRON_RESET_CONFIRM,
            &body.email,
            &client,
            Utc::now(),
        )
        .await?;
    let email = parse_email(&body.email)?;
    let password = Password::parse_new(&body.password, &email)?;
    let invalid_code = || {
        ApiError::bad_request(
            "invalid_code",
            "The code is wrong or has expired; ask for a new one",
        )
    };
    let Some(patron) = state.store.patron(&tenant.id, &email).await? else {
        return Err(invalid_code());
    };
    let code: String = body.code.chars().filter(char::is_ascii_digit).collect();
    let code = if code.len() == 8 {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code
    };
    let hash = hash_password(&password).await?;
    match state
        .store
        .reset_password(
            &tenant.id,
            &email,
            &sha256_hex(&code),
            &hash,
            &Utc::now().to_rfc3339(),
        )
        .await
    {
        Ok(()) => {
            state.limiter.succeeded(attempt).await;
            // Every earlier session ends (the reset moved the token version on).
            state.sessions.forget_patron(&tenant.id, &email);
            let patron = state
                .store
                .patron(&tenant.id, &email)
                .await?
                .unwrap_or(patron);
            Ok(axum::Json(token_for(&state, &tenant, &patron)?))
        }
        Err(StoreError::ConditionFailed) => Err(invalid_code()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountOrder {
    id: String,
    number: String,
    status: marquee_domain::OrderStatus,
    tickets: usize,
    #[schema(minimum = 0)]
    total: i64,
    currency: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccountOrders {
    orders: Vec<AccountOrder>,
}

/// The logged-in patron's orders, newest first (open one with the same token).
#[utoipa::path(get, path = "/api/v1/account/orders",
    responses((status = 200, body = AccountOrders), (status = 401)), security(("patron" = [])))]
pub async fn orders(
    State(state): State<PublicState>,
    patron: PatronAuth,
) -> Result<axum::Json<AccountOrders>, ApiError> {
    let ids = state
        .store
        .patron_order_ids(&patron.tenant, &patron.email)
        .await?;
    let mut orders = Vec::with_capacity(ids.len());
    for id in ids.iter().take(100) {
        if let Some(order) = state.store.order(&patron.tenant, id).await? {
            orders.push(AccountOrder {
                id: order.id.to_string(),
                number: order.number.to_string(),
                status: order.status,
                tickets: order.tickets.len(),
                total: order.totals.total,
                currency: order.totals.currency.code().to_owned(),
                created_at: order.created_at,
            });
        }
    }
    Ok(axum::Json(AccountOrders { orders }))
}
