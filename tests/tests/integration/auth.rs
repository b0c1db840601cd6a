//! Staff login and the checks every token goes through (rate limits, removal and password
//! changes: access.rs).

use crate::helpers::{OWNER_PASSWORD, spawn_app};
use chrono::Utc;
use jsonwebtoken::{EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn owner_logs_in_and_wrong_passwords_are_refused() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;

    let ok = app
        .login_reply(
            &venue.host,
            &venue.owner_email.to_uppercase(),
            OWNER_PASSWORD,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["role"], "owner");
    let token = ok.body["token"].as_str().unwrap();
    assert_eq!(
        app.get(&venue.host, "/admin/v1/venue", Some(token))
            .await
            .status,
        StatusCode::OK
    );

    for (email, password) in [
        (venue.owner_email.as_str(), "wrong password!"),
        ("nobody@example.org", OWNER_PASSWORD),
        ("not-an-email", "x"),
    ] {
        let reply = app.login_reply(&venue.host, email, password).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(
            reply.error_code(),
            "invalid_credentials",
            "same answer whether or not the account exists"
        );
    }
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    sub: &'a str,
    tid: &'a str,
    role: &'a str,
    ver: i64,
    aud: &'a str,
    iss: &'a str,
    iat: i64,
    exp: i64,
}

#[tokio::test]
async fn expired_tampered_forged_and_missing_tokens_are_refused() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let secret = app.server.config.jwt_secret.expose().as_bytes().to_vec();
    let sign = |claims: &Claims, key: &[u8]| {
        jsonwebtoken::encode(&Header::default(), claims, &EncodingKey::from_secret(key)).unwrap()
    };
    let now = Utc::now().timestamp();
    // The account's token version, read from a real token's payload.
    let real = app.login_owner(&venue).await;
    let payload: serde_json::Value =
        serde_json::from_slice(&base64_decode(real.split('.').nth(1).unwrap())).unwrap();
    let base = Claims {
        sub: &venue.owner_email,
        tid: &venue.id,
        role: "owner",
        ver: payload["ver"].as_i64().unwrap(),
        aud: "marquee-staff",
        iss: "marquee",
        iat: now,
        exp: now + 600,
    };

    // The crafted token is accepted when everything is right: the refusals below are real.
    let good = sign(&base, &secret);
    assert_eq!(
        app.get(&venue.host, "/admin/v1/venue", Some(&good))
            .await
            .status,
        StatusCode::OK
    );

    let expired = sign(
        &Claims {
            iat: now - 7200,
            exp: now - 3600,
            ..base
        },
        &secret,
    );
    let forged = sign(&base, b"some-other-secret-of-sufficient-length!!");
    let wrong_audience = sign(
        &Claims {
            aud: "marquee-patron",
            ..base
        },
        &secret,
    );
    let from_the_future = sign(
        &Claims {
            iat: now + 3600,
            exp: now + 7200,
            ..base
        },
        &secret,
    );
    let old_version = sign(
        &Claims {
            ver: base.ver - 1,
            ..base
        },
        &secret,
    );
    let wrong_issuer = sign(
        &Claims {
            iss: "someone-else",
            ..base
        },
        &secret,
    );
    // The same token with its role changed in the payload, signature kept.
    let parts: Vec<&str> = good.split('.').collect();
    let payload = String::from_utf8(base64_decode(parts[1]))
        .unwrap()
        .replace("\"owner\"", "\"manager\"");
    assert!(payload.contains("\"manager\""));
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64_encode(payload.as_bytes()),
        parts[2]
    );

    for (what, token) in [
        ("expired", expired),
        ("forged", forged),
        ("wrong audience", wrong_audience),
        ("issued in the future", from_the_future),
        ("wrong issuer", wrong_issuer),
        ("an earlier token version", old_version),
        ("tampered", tampered),
        ("garbage", "abc.def.ghi".into()),
    ] {
        let reply = app.get(&venue.host, "/admin/v1/venue", Some(&token)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "unauthorized");
    }
    let reply = app.get(&venue.host, "/admin/v1/venue", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_for_one_venue_is_refused_on_another() {
    let app = spawn_app().await;
    let a = app.create_venue().await;
    let b = app.create_venue().await;
    let token_a = app.login_owner(&a).await;
    let reply = app.get(&b.host, "/admin/v1/venue", Some(&token_a)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = app
        .put(
            &b.host,
            "/admin/v1/venue",
            Some(&token_a),
            json!({ "name": "Hijacked" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&b.host, "/api/v1/site", None).await.body["name"],
        format!("Venue {}", b.slug)
    );
    // And the owner of A cannot log in on B's host with A's credentials.
    assert_eq!(
        app.login_reply(&b.host, &a.owner_email, OWNER_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn roles_limit_what_staff_can_do() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    let scanner = app
        .add_staff(
            &venue,
            &owner,
            &format!("door@{}.example.org", venue.slug),
            "scanner",
        )
        .await;
    let manager = app
        .add_staff(
            &venue,
            &owner,
            &format!("boss@{}.example.org", venue.slug),
            "manager",
        )
        .await;

    // A scanner may read the venue but not change it, list staff or invite.
    assert_eq!(
        app.get(&venue.host, "/admin/v1/venue", Some(&scanner))
            .await
            .status,
        StatusCode::OK
    );
    let reply = app
        .put(
            &venue.host,
            "/admin/v1/venue",
            Some(&scanner),
            json!({ "name": "Scanner's Hall" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), "forbidden");
    assert_eq!(
        app.get(&venue.host, "/admin/v1/staff", Some(&scanner))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let invite = json!({ "email": "x@example.org", "name": "X", "role": "scanner" });
    assert_eq!(
        app.post(&venue.host, "/admin/v1/staff", Some(&scanner), invite)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A manager may invite, but not an owner, and may not change venue settings.
    let invite_owner = json!({ "email": "y@example.org", "name": "Y", "role": "owner" });
    assert_eq!(
        app.post(&venue.host, "/admin/v1/staff", Some(&manager), invite_owner)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.put(
            &venue.host,
            "/admin/v1/venue",
            Some(&manager),
            json!({ "name": "M" })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let staff = app
        .get(&venue.host, "/admin/v1/staff", Some(&manager))
        .await;
    assert_eq!(staff.status, StatusCode::OK);
    let roles: Vec<&str> = staff.body["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles.len(), 3, "{roles:?}");
    assert!(
        !staff.body.to_string().contains("passwordHash")
            && !staff.body.to_string().contains("argon2")
    );

    assert_eq!(
        app.get(&venue.host, "/api/v1/site", None).await.body["name"],
        format!("Venue {}", venue.slug)
    );
}

#[tokio::test]
async fn invitations_cannot_be_accepted_with_a_wrong_code_or_twice() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    let email = format!("new@{}.example.org", venue.slug);
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/staff",
            Some(&owner),
            json!({ "email": email, "name": "N", "role": "box_office" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["status"], "invited");
    // An invited account cannot log in before accepting.
    assert_eq!(
        app.login_reply(&venue.host, &email, "anything at all!")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let accept =
        |code: &str, password: &str| json!({ "email": email, "code": code, "password": password });
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/staff/accept",
            None,
            accept("00000000000000000000000000000000", "a fine passphrase"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "invalid_invitation");

    let mail = app
        .wait_for_mail(&email, std::time::Duration::from_secs(20))
        .await;
    let code = crate::helpers::invitation_code(&mail.body).unwrap();
    let weak = app
        .post(
            &venue.host,
            "/admin/v1/staff/accept",
            None,
            accept(&code, "weak"),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["error"]["details"]["field"], "password");

    let ok = app
        .post(
            &venue.host,
            "/admin/v1/staff/accept",
            None,
            accept(&code, "a fine passphrase"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let again = app
        .post(
            &venue.host,
            "/admin/v1/staff/accept",
            None,
            accept(&code, "another passphrase"),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.login_reply(&venue.host, &email, "a fine passphrase")
            .await
            .status,
        StatusCode::OK
    );

    // Re-inviting an active member is refused.
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/staff",
            Some(&owner),
            json!({ "email": email, "name": "N", "role": "owner" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.error_code(), "staff_exists");
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
