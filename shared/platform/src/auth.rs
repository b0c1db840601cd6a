//! Staff and patron authentication: argon2id password hashes, JWTs bound to a tenant, an
//! audience and the account's token version, and the `StaffAuth` / `PatronAuth` extractors
//! that refuse expired, tampered, future-dated and other-venue tokens, and tokens of removed
//! accounts or of sessions ended by a password change (checked against the account on each
//! request, through a short per-instance cache: see [`Sessions`]).

use crate::tenancy::Tenant;
use crate::{ApiError, Secret};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::{header, request::Parts};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use marquee_domain::{Email, Password, Permission, Role, TenantId};
use marquee_store::{StaffStatus, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;

pub const STAFF_AUDIENCE: &str = "marquee-staff";
const ISSUER: &str = "marquee";
pub const STAFF_TOKEN_HOURS: i64 = 12;

/// Keys for signing and checking tokens (HS256 with the platform's secret).
#[derive(Clone)]
pub struct JwtKeys(Arc<(EncodingKey, DecodingKey)>);

impl JwtKeys {
    pub fn new(secret: &Secret) -> Self {
        let bytes = secret.expose().as_bytes();
        Self(Arc::new((
            EncodingKey::from_secret(bytes),
            DecodingKey::from_secret(bytes),
        )))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffClaims {
    /// The staff member's email.
    pub sub: String,
    /// The tenant the token is valid for.
    pub tid: TenantId,
    /// The role when the token was issued (for display: the account's current role decides).
    pub role: Role,
    /// The account's token version when the token was issued.
    pub ver: i64,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// The staff account a token is issued for.
pub struct StaffAccount<'a> {
    pub email: &'a Email,
    pub role: Role,
    pub token_version: i64,
}

pub fn issue_staff_token(
    keys: &JwtKeys,
    tenant: &TenantId,
    account: StaffAccount<'_>,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), ApiError> {
    let expires = now + Duration::hours(STAFF_TOKEN_HOURS);
    let claims = StaffClaims {
        sub: account.email.to_string(),
        tid: tenant.clone(),
        role: account.role,
        ver: account.token_version,
        aud: STAFF_AUDIENCE.into(),
        iss: ISSUER.into(),
        iat: now.timestamp(),
        exp: expires.timestamp(),
    };
    let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.0.0)
        .map_err(ApiError::internal)?;
    Ok((token, expires))
}

/// An authenticated staff member of the request's venue.
#[derive(Debug, Clone)]
pub struct StaffAuth {
    pub tenant: TenantId,
    pub email: Email,
    pub role: Role,
}

impl StaffAuth {
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "The {} role may not do this",
                self.role
            )))
        }
    }
}

impl<S> FromRequestParts<S> for StaffAuth
where
    JwtKeys: FromRef<S>,
    Sessions: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tenant = Tenant::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized("Log in first: send Authorization: Bearer <token>")
            })?;
        verify_staff_token(
            token,
            &tenant.id,
            &JwtKeys::from_ref(state),
            &Sessions::from_ref(state),
            Utc::now(),
        )
        .await
        .map(|(auth, _)| auth)
    }
}

/// Checks a staff token for `tenant` at `now`: signature, audience, issuer, expiry, not
/// issued in the future, issued by this venue, and the account still active with the token's
/// version (a removed member or a session ended by a password change is refused; a changed
/// role applies at once). Answers the staff member and when the token expires.
pub async fn verify_staff_token(
    token: &str,
    tenant: &TenantId,
    keys: &JwtKeys,
    sessions: &Sessions,
    now: DateTime<Utc>,
) -> Result<(StaffAuth, DateTime<Utc>), ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[STAFF_AUDIENCE]);
    validation.set_issuer(&[ISSUER]);
    validation.leeway = 5;
    let claims = jsonwebtoken::decode::<StaffClaims>(token, &keys.0.1, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                ApiError::unauthorized("Your session has expired; log in again")
            }
            _ => ApiError::unauthorized("The token is not valid"),
        })?
        .claims;
    issued_in_the_past(claims.iat, now)?;
    // A token is valid only on the venue that issued it.
    if claims.tid != *tenant {
        return Err(ApiError::unauthorized(
            "The token is not valid for this venue",
        ));
    }
    let email =
        Email::parse(&claims.sub).map_err(|_| ApiError::unauthorized("The token is not valid"))?;
    let session = sessions
        .staff(&claims.tid, &email)
        .await?
        .filter(|session| session.token_version == claims.ver)
        .ok_or_else(ended)?;
    let expires = DateTime::from_timestamp(claims.exp, 0)
        .ok_or_else(|| ApiError::unauthorized("The token is not valid"))?;
    Ok((
        StaffAuth {
            tenant: claims.tid,
            email,
            role: session.role,
        },
        expires,
    ))
}

fn ended() -> ApiError {
    ApiError::unauthorized("This session has ended; log in again")
}

/// A token "issued" later than now (beyond the clock leeway) was not issued by us as it says:
/// refused, whatever its expiry.
fn issued_in_the_past(iat: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    if iat > now.timestamp() + 5 {
        return Err(ApiError::unauthorized("The token is not valid"));
    }
    Ok(())
}

pub const PATRON_AUDIENCE: &str = "marquee-patron";
pub const PATRON_TOKEN_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PatronClaims {
    /// The patron's email.
    pub sub: String,
    pub tid: TenantId,
    /// The account's token version when the token was issued.
    pub ver: i64,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// A patron's token: their venue only, a patron audience (never accepted as staff), 30 days.
pub fn issue_patron_token(
    keys: &JwtKeys,
    tenant: &TenantId,
    email: &Email,
    token_version: i64,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), ApiError> {
    let expires = now + Duration::days(PATRON_TOKEN_DAYS);
    let claims = PatronClaims {
        sub: email.to_string(),
        tid: tenant.clone(),
        ver: token_version,
        aud: PATRON_AUDIENCE.into(),
        iss: ISSUER.into(),
        iat: now.timestamp(),
        exp: expires.timestamp(),
    };
    let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.0.0)
        .map_err(ApiError::internal)?;
    Ok((token, expires))
}

/// A logged-in patron of the request's venue.
#[derive(Debug, Clone)]
pub struct PatronAuth {
    pub tenant: TenantId,
    pub email: Email,
}

impl PatronAuth {
    /// The patron of a bearer token, if the request carries one; an invalid, expired,
    /// other-venue or ended token is refused (never silently ignored).
    pub async fn from_headers(
        keys: &JwtKeys,
        sessions: &Sessions,
        tenant: &TenantId,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<Self>, ApiError> {
        let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Ok(None);
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[PATRON_AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        let claims = jsonwebtoken::decode::<PatronClaims>(token, &keys.0.1, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("Your session has expired; log in again")
                }
                _ => ApiError::unauthorized("The token is not valid"),
            })?
            .claims;
        issued_in_the_past(claims.iat, Utc::now())?;
        if &claims.tid != tenant {
            return Err(ApiError::unauthorized(
                "The token is not valid for this venue",
            ));
        }
        let email = Email::parse(&claims.sub)
            .map_err(|_| ApiError::unauthorized("The token is not valid"))?;
        if sessions.patron(&claims.tid, &email).await? != Some(claims.ver) {
            return Err(ended());
        }
        Ok(Some(Self {
            tenant: claims.tid,
            email,
        }))
    }
}

impl<S> FromRequestParts<S> for PatronAuth
where
    JwtKeys: FromRef<S>,
    Sessions: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tenant = Tenant::from_request_parts(parts, state).await?;
        Self::from_headers(
            &JwtKeys::from_ref(state),
            &Sessions::from_ref(state),
            &tenant.id,
            &parts.headers,
        )
        .await?
        .ok_or_else(|| ApiError::unauthorized("Log in first: send Authorization: Bearer <token>"))
    }
}

/// How long an instance trusts what it last read of an account's token version and role:
/// a removed member's tokens, and sessions ended by a password change elsewhere, stop working
/// within this time (at once on the instance that made the change).
pub const SESSION_CACHE: std::time::Duration = std::time::Duration::from_secs(30);

/// What a staff token is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffSession {
    pub role: Role,
    pub token_version: i64,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Account {
    Staff(TenantId, Email),
    Patron(TenantId, Email),
}

#[derive(Clone, Copy)]
enum Current {
    Staff(Option<StaffSession>),
    Patron(Option<i64>),
}

/// The accounts' current token versions (and staff roles), read from the table and cached
/// per instance for [`SESSION_CACHE`].
#[derive(Clone)]
pub struct Sessions {
    store: Store,
    ttl: std::time::Duration,
    cache: Arc<Mutex<HashMap<Account, (Current, Instant)>>>,
}

impl Sessions {
    pub fn new(store: Store) -> Self {
        Self::with_ttl(store, SESSION_CACHE)
    }

    pub fn with_ttl(store: Store, ttl: std::time::Duration) -> Self {
        Self {
            store,
            ttl,
            cache: Arc::default(),
        }
    }

    fn cached(&self, account: &Account) -> Option<Current> {
        self.lock()
            .get(account)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(current, _)| *current)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Account, (Current, Instant)>> {
        // Entries are written whole, so a poisoned lock's data is still good.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember(&self, account: Account, current: Current) {
        let mut cache = self.lock();
        // Bounded: expired entries go first; a flood of distinct accounts only costs reads.
        if cache.len() >= 10_000 {
            let ttl = self.ttl;
            cache.retain(|_, (_, at)| at.elapsed() < ttl);
            if cache.len() >= 10_000 {
                cache.clear();
            }
        }
        cache.insert(account, (current, Instant::now()));
    }

    /// An active staff member's role and token version; `None` if removed or not active.
    pub async fn staff(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Option<StaffSession>, ApiError> {
        let account = Account::Staff(tenant.clone(), email.clone());
        if let Some(Current::Staff(session)) = self.cached(&account) {
            return Ok(session);
        }
        let session = self
            .store
            .staff_session(tenant, email)
            .await?
            .filter(|r| r.status == StaffStatus::Active)
            .map(|r| StaffSession {
                role: r.role,
                token_version: r.token_version,
            });
        self.remember(account, Current::Staff(session));
        Ok(session)
    }

    /// A patron account's token version; `None` if there is no such account.
    pub async fn patron(&self, tenant: &TenantId, email: &Email) -> Result<Option<i64>, ApiError> {
        let account = Account::Patron(tenant.clone(), email.clone());
        if let Some(Current::Patron(version)) = self.cached(&account) {
            return Ok(version);
        }
        let version = self
            .store
            .patron(tenant, email)
            .await?
            .map(|p| p.token_version);
        self.remember(account, Current::Patron(version));
        Ok(version)
    }

    /// Forgets what this instance read of a staff member, after changing them here.
    pub fn forget_staff(&self, tenant: &TenantId, email: &Email) {
        self.lock()
            .remove(&Account::Staff(tenant.clone(), email.clone()));
    }

    /// Forgets what this instance read of a patron, after changing their password here.
    pub fn forget_patron(&self, tenant: &TenantId, email: &Email) {
        self.lock()
            .remove(&Account::Patron(tenant.clone(), email.clone()));
    }
}

/// Hashes a password with argon2id (OWASP parameters: 19 MiB, 2 passes). CPU-heavy: runs
/// on the blocking pool.
pub async fn hash_password(password: &Password) -> Result<String, ApiError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// A hash nobody's password matches, verified against when the account does not exist so
/// that a missing account takes as long to refuse as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(random_token(16).as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Checks a password against a stored hash (or the dummy hash when there is none).
pub async fn verify_password(hash: Option<String>, password: &Password) -> bool {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let verified = PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        });
        known && verified
    })
    .await
    .unwrap_or(false)
}

/// Random secrets (invitation codes, cart tokens) and their stored SHA-256.
pub use marquee_app::tokens::{random_token, sha256_hex};

/// Compares secrets in constant time. An unset (empty) secret matches nothing.
pub fn secrets_match(given: &str, expected: &Secret) -> bool {
    marquee_app::tokens::secrets_match(given, expected.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_secret_matches_nothing() {
        assert!(!secrets_match("", &Secret::new("")));
        assert!(secrets_match("key", &Secret::new("key")));
        assert!(!secrets_match("ke", &Secret::new("key")));
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_own_hash() {
        let password = Password::for_login("correct horse battery");
        let hash = hash_password(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "argon2id: {hash}");
        assert!(verify_password(Some(hash.clone()), &password).await);
        assert!(!verify_password(Some(hash), &Password::for_login("wrong horse battery")).await);
        assert!(
            !verify_password(None, &password).await,
            "no account never verifies"
        );
    }
}
