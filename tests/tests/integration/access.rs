//! Access that holds, tried from outside through HTTP: rate limits that slow an attacker at
//! one address without locking the owner out at another and answer unknown emails like known
//! ones, staff removal and role changes, the last owner, and password changes that end every
//! other session. The devserver takes the client's address from `X-Forwarded-For`, so a test
//! can be an attacker and the owner at once.

use crate::helpers::{OWNER_PASSWORD, Reply, TestApp, Venue, spawn_app, start_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ATTACKER: &str = "192.0.2.66";
const OWNER_AT_HOME: &str = "198.51.100.7";

/// A request from `address`, with its `Retry-After` header if any.
async fn from(
    app: &TestApp,
    address: &str,
    method: Method,
    host: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (Reply, Option<u64>) {
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("host", host)
        .header("x-forwarded-for", address);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request is sent");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (Reply::from(response).await, retry_after)
}

async fn staff_login(
    app: &TestApp,
    address: &str,
    venue: &Venue,
    email: &str,
    password: &str,
) -> (Reply, Option<u64>) {
    from(
        app,
        address,
        Method::POST,
        &venue.host,
        "/admin/v1/login",
        None,
        Some(json!({ "email": email, "password": password })),
    )
    .await
}

fn assert_rate_limited(reply: &Reply, retry_after: Option<u64>, window_seconds: u64) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "rate_limited");
    let retry_after = retry_after.expect("429 carries Retry-After");
    assert!(
        (1..=window_seconds).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert_eq!(
        reply.body["error"]["details"]["retryAfterSeconds"].as_u64(),
        Some(retry_after)
    );
}

#[tokio::test]
async fn an_attacker_at_one_address_does_not_lock_the_owner_out_at_another() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    for attempt in 1..=5 {
        let (reply, _) = staff_login(&app, ATTACKER, &venue, &venue.owner_email, "a guess").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // The attacker is slowed down: even the right password is not tried from there now.
    let (reply, retry_after) =
        staff_login(&app, ATTACKER, &venue, &venue.owner_email, OWNER_PASSWORD).await;
    assert_rate_limited(&reply, retry_after, 15 * 60);
    // The owner, at their own address, logs in as usual.
    let (reply, _) = staff_login(
        &app,
        OWNER_AT_HOME,
        &venue,
        &venue.owner_email,
        OWNER_PASSWORD,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn an_unknown_email_is_answered_and_limited_exactly_like_a_known_one() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..6 {
        let (reply, _) =
            staff_login(&app, "192.0.2.1", &venue, &venue.owner_email, "a guess").await;
        known.push((reply.status, reply.error_code().to_owned()));
        let (reply, _) =
            staff_login(&app, "192.0.2.2", &venue, "nobody@example.org", "a guess").await;
        unknown.push((reply.status, reply.error_code().to_owned()));
    }
    assert_eq!(known, unknown, "nothing tells which emails are staff");
    assert_eq!(known[4].0, StatusCode::UNAUTHORIZED);
    assert_eq!(known[5].0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_address_cannot_try_many_accounts() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    for i in 0..20 {
        let (reply, _) = staff_login(
            &app,
            ATTACKER,
            &venue,
            &format!("guess{i}@example.org"),
            "a guess",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (reply, retry_after) =
        staff_login(&app, ATTACKER, &venue, "guess99@example.org", "a guess").await;
    assert_rate_limited(&reply, retry_after, 15 * 60);
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_limit() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let guesses = (0..20).map(|i| {
        let (app, venue) = (&app, &venue);
        async move {
            staff_login(
                app,
                ATTACKER,
                venue,
                &venue.owner_email,
                &format!("guess {i}"),
            )
            .await
            .0
            .status
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(tried, 5, "exactly five passwords are tried: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS)
    );
}

#[tokio::test]
async fn successful_logins_do_not_use_up_the_limit() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    for round in 0..3 {
        for _ in 0..4 {
            let (reply, _) =
                staff_login(&app, OWNER_AT_HOME, &venue, &venue.owner_email, "typo").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        let (reply, _) = staff_login(
            &app,
            OWNER_AT_HOME,
            &venue,
            &venue.owner_email,
            OWNER_PASSWORD,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "round {round}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn patron_logins_registrations_and_reset_codes_are_rate_limited() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let host = venue.host.as_str();
    let post = |address: &'static str, path: &'static str, body: Value| {
        let app = &app;
        async move { from(app, address, Method::POST, host, path, None, Some(body)).await }
    };
    let (registered, _) = post(
        OWNER_AT_HOME,
        "/api/v1/account/register",
        json!({ "email": "fan@example.org", "name": "Fan", "password": "a patron passphrase" }),
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );

    // Logins: ten tries per account from one address, known or not, then 429; the patron
    // at another address is not locked out.
    for email in ["fan@example.org", "stranger@example.org"] {
        for attempt in 1..=10 {
            let (reply, _) = post(
                ATTACKER,
                "/api/v1/account/login",
                json!({ "email": email, "password": "a guess" }),
            )
            .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{email} {attempt}");
        }
        let (reply, retry_after) = post(
            ATTACKER,
            "/api/v1/account/login",
            json!({ "email": email, "password": "a guess" }),
        )
        .await;
        assert_rate_limited(&reply, retry_after, 15 * 60);
    }
    let (reply, _) = post(
        OWNER_AT_HOME,
        "/api/v1/account/login",
        json!({ "email": "fan@example.org", "password": "a patron passphrase" }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // Reset codes by email: three per account and address in 15 minutes, the same for an
    // email without an account.
    for email in ["fan@example.org", "stranger@example.org"] {
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let (reply, _) = post(
                "192.0.2.9",
                "/api/v1/account/password-reset",
                json!({ "email": email }),
            )
            .await;
            statuses.push(reply.status);
        }
        assert_eq!(
            statuses,
            [
                StatusCode::ACCEPTED,
                StatusCode::ACCEPTED,
                StatusCode::ACCEPTED,
                StatusCode::TOO_MANY_REQUESTS
            ],
            "{email}"
        );
    }

    // Entering codes: ten wrong codes from one address, then 429.
    for attempt in 1..=10 {
        let (reply, _) = post(
            "192.0.2.10",
            "/api/v1/account/password-reset/confirm",
            json!({ "email": "fan@example.org", "code": "0000-0000", "password": "another passphrase" }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "attempt {attempt}");
    }
    let (reply, retry_after) = post(
        "192.0.2.10",
        "/api/v1/account/password-reset/confirm",
        json!({ "email": "fan@example.org", "code": "0000-0000", "password": "another passphrase" }),
    )
    .await;
    assert_rate_limited(&reply, retry_after, 15 * 60);

    // Registrations: ten per address an hour.
    for i in 0..9 {
        let (reply, _) = post(
            "192.0.2.11",
            "/api/v1/account/register",
            json!({ "email": format!("fan{i}@example.org"), "name": "Fan", "password": "a patron passphrase" }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "registration {i}");
    }
    let (reply, _) = post(
        "192.0.2.11",
        "/api/v1/account/register",
        json!({ "email": "fan@example.org", "name": "Fan", "password": "a patron passphrase" }),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CONFLICT,
        "the tenth is counted too"
    );
    let (reply, retry_after) = post(
        "192.0.2.11",
        "/api/v1/account/register",
        json!({ "email": "fan10@example.org", "name": "Fan", "password": "a patron passphrase" }),
    )
    .await;
    assert_rate_limited(&reply, retry_after, 60 * 60);
}

async fn staff_members(app: &TestApp, venue: &Venue, token: &str) -> Vec<(String, String)> {
    let reply = app.get(&venue.host, "/admin/v1/staff", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["email"].as_str().unwrap().to_owned(),
                s["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn member_path(email: &str) -> String {
    format!("/admin/v1/staff/{}", email.replace('@', "%40"))
}

#[tokio::test]
async fn a_removed_member_is_out_at_once_and_a_role_change_applies_at_once() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    let clerk_email = format!("clerk@{}.example.org", venue.slug);
    let clerk = app.add_staff(&venue, &owner, &clerk_email, "scanner").await;
    assert_eq!(
        app.get(&venue.host, "/admin/v1/staff", Some(&clerk))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Promoted: the same token now carries the new role's rights.
    let reply = app
        .put(
            &venue.host,
            &member_path(&clerk_email),
            Some(&owner),
            json!({ "role": "manager" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["role"], "manager");
    // The member's own session says so too (the admin shows what they may do now).
    let session = app
        .get(&venue.host, "/admin/v1/session", Some(&clerk))
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(session.body["role"], "manager");
    assert_eq!(session.body["email"], clerk_email.as_str());
    assert_eq!(
        app.get(&venue.host, "/admin/v1/staff", Some(&clerk))
            .await
            .status,
        StatusCode::OK
    );
    // A manager may not touch an owner.
    let reply = app
        .call(
            Method::DELETE,
            &venue.host,
            &member_path(&venue.owner_email),
            Some(&clerk),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);

    // Removed: their token stops working, and they are no longer listed.
    let reply = app
        .call(
            Method::DELETE,
            &venue.host,
            &member_path(&clerk_email),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    for path in ["/admin/v1/venue", "/admin/v1/session"] {
        let reply = app.get(&venue.host, path, Some(&clerk)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            reply.body
        );
    }
    assert!(
        !staff_members(&app, &venue, &owner)
            .await
            .iter()
            .any(|(email, _)| *email == clerk_email)
    );
    let (reply, _) = staff_login(
        &app,
        OWNER_AT_HOME,
        &venue,
        &clerk_email,
        "staff member passphrase",
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Gone is gone; another venue's member is not found either.
    let reply = app
        .call(
            Method::DELETE,
            &venue.host,
            &member_path(&clerk_email),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let other = app.create_venue().await;
    let reply = app
        .put(
            &venue.host,
            &member_path(&other.owner_email),
            Some(&owner),
            json!({ "role": "scanner" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    let other_owner = app.login_owner(&other).await;
    assert_eq!(
        app.get(&other.host, "/admin/v1/venue", Some(&other_owner))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_or_demoted() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    let me = member_path(&venue.owner_email);
    let reply = app
        .call(Method::DELETE, &venue.host, &me, Some(&owner), None)
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.error_code(), "last_owner");
    let reply = app
        .put(&venue.host, &me, Some(&owner), json!({ "role": "manager" }))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.error_code(), "last_owner");

    // Two owners removing each other at the same moment: one of them stays an owner.
    let second_email = format!("partner@{}.example.org", venue.slug);
    let second = app.add_staff(&venue, &owner, &second_email, "owner").await;
    let second_path = member_path(&second_email);
    let (a, b) = tokio::join!(
        app.call(
            Method::DELETE,
            &venue.host,
            &second_path,
            Some(&owner),
            None
        ),
        app.call(Method::DELETE, &venue.host, &me, Some(&second), None),
    );
    let removed = [&a, &b]
        .iter()
        .filter(|r| r.status == StatusCode::NO_CONTENT)
        .count();
    assert!(removed <= 1, "{a:?} {b:?}");
    let survivors = [&venue.owner_email, &second_email];
    // Whoever is left, the venue still has an active owner who can log in and act.
    let mut owners = 0;
    for email in survivors {
        let password = if *email == venue.owner_email {
            OWNER_PASSWORD
        } else {
            "staff member passphrase"
        };
        let (reply, _) = staff_login(&app, OWNER_AT_HOME, &venue, email, password).await;
        if reply.status == StatusCode::OK && reply.body["role"] == "owner" {
            owners += 1;
        }
    }
    assert!(owners >= 1, "the venue kept an owner: {a:?} {b:?}");
    assert_eq!(owners, 2 - removed, "{a:?} {b:?}");
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let laptop = app.login_owner(&venue).await;
    let stolen = app.login_owner(&venue).await;
    let change =
        |current: &str, new: &str| json!({ "currentPassword": current, "newPassword": new });

    let reply = app
        .post(
            &venue.host,
            "/admin/v1/password",
            Some(&laptop),
            change("not it", "a brand new passphrase"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "invalid_credentials");
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/password",
            Some(&laptop),
            change(OWNER_PASSWORD, "short"),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );

    let reply = app
        .post(
            &venue.host,
            "/admin/v1/password",
            Some(&laptop),
            change(OWNER_PASSWORD, "a brand new passphrase"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let fresh = reply.body["token"].as_str().unwrap().to_owned();
    for (what, token) in [("the other session", &stolen), ("the old token", &laptop)] {
        let reply = app.get(&venue.host, "/admin/v1/venue", Some(token)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.get(&venue.host, "/admin/v1/venue", Some(&fresh))
            .await
            .status,
        StatusCode::OK
    );
    let (old, _) = staff_login(
        &app,
        OWNER_AT_HOME,
        &venue,
        &venue.owner_email,
        OWNER_PASSWORD,
    )
    .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let (new, _) = staff_login(
        &app,
        OWNER_AT_HOME,
        &venue,
        &venue.owner_email,
        "a brand new passphrase",
    )
    .await;
    assert_eq!(new.status, StatusCode::OK);
}

/// Behind CloudFront every request arrives from CloudFront's addresses: the viewer's address
/// is taken from `CloudFront-Viewer-Address`, and only from a request that carries the origin
/// secret only CloudFront adds. A request without it did not come through CloudFront (someone
/// calling API Gateway directly, naming any host and any viewer) and is refused outright.
#[tokio::test]
async fn behind_cloudfront_only_its_requests_are_served_and_tell_viewers_apart() {
    let app = start_app(|options| options.origin_secret = Some("cloudfront-only".into())).await;
    let venue = app.create_unconnected_venue().await;
    let login = |secret: Option<&'static str>, viewer: &'static str, password: &'static str| {
        let (app, venue) = (&app, &venue);
        async move {
            let mut request = app
                .http
                .post(app.url("/admin/v1/login"))
                .header("host", &venue.host)
                .header("x-forwarded-for", ATTACKER)
                .header("cloudfront-viewer-address", viewer)
                .json(&json!({ "email": venue.owner_email, "password": password }));
            if let Some(secret) = secret {
                request = request.header("x-origin-secret", secret);
            }
            Reply::from(request.send().await.unwrap()).await
        }
    };
    // Direct calls, with a guessed secret or none, are refused before anything is looked at.
    for secret in [None, Some("a guess")] {
        let reply = login(secret, "203.0.113.1:443", OWNER_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert_eq!(reply.error_code(), "direct_access");
        let site = app
            .http
            .get(app.url("/api/v1/site"))
            .header("host", &venue.host)
            .send()
            .await
            .unwrap();
        assert_eq!(site.status(), StatusCode::FORBIDDEN);
    }
    // Through CloudFront, a viewer who guesses is limited by their own address...
    for _ in 0..5 {
        let reply = login(Some("cloudfront-only"), "2001:db8::9:40000", "a guess").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    }
    let reply = login(Some("cloudfront-only"), "2001:db8::9:40001", OWNER_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the same viewer from another port is the same address"
    );
    // ...while the owner, another viewer, logs in.
    let reply = login(
        Some("cloudfront-only"),
        "198.51.100.7:51234",
        OWNER_PASSWORD,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// Another instance (its own session cache) stops accepting a removed member's token once its
/// cache entry is older than the cache's lifetime (30 s in production: "within a minute").
#[tokio::test]
async fn another_instance_forgets_a_removed_member_within_its_cache_lifetime() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    let email = format!("leaver@{}.example.org", venue.slug);
    app.add_staff(&venue, &owner, &email, "box_office").await;
    let lifetime = std::time::Duration::from_secs(4);
    let elsewhere = marquee_platform::auth::Sessions::with_ttl(app.server.store.clone(), lifetime);
    let tenant = marquee_domain::TenantId::parse(&venue.id).unwrap();
    let member = marquee_domain::Email::parse(&email).unwrap();
    assert!(elsewhere.staff(&tenant, &member).await.unwrap().is_some());
    let cached_at = std::time::Instant::now();

    let reply = app
        .call(
            Method::DELETE,
            &venue.host,
            &member_path(&email),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let still_cached = elsewhere.staff(&tenant, &member).await.unwrap().is_some();
    // A suite that loads DynamoDB Local can make the removal itself outlast the lifetime.
    if cached_at.elapsed() < lifetime {
        assert!(still_cached, "still cached there for a moment");
    }
    tokio::time::sleep(lifetime).await;
    assert!(
        elsewhere.staff(&tenant, &member).await.unwrap().is_none(),
        "gone there once the entry is older than the cache's lifetime"
    );
}
