//! `spawn_app()` and the typed helpers the tests read through.

use devserver::{DevOptions, DevServer, LocalStripe};
use marquee_platform::aws::Endpoints;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const OWNER_PASSWORD: &str = "a long owner passphrase";

pub struct TestApp {
    pub server: DevServer,
    pub http: reqwest::Client,
    pub moto_url: String,
}

/// A venue created through the platform API, with its owner.
#[derive(Debug, Clone)]
pub struct Venue {
    pub id: String,
    pub slug: String,
    pub host: String,
    pub owner_email: String,
}

/// A response, read: status plus JSON body (`Value::Null` when there is none).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub async fn from(response: Response) -> Self {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, body }
    }

    /// The error code of an API error body; panics (failing the test) when the body is not one.
    pub fn error_code(&self) -> &str {
        let code = self.body.pointer("/error/code").and_then(Value::as_str);
        assert!(
            code.is_some()
                && self
                    .body
                    .pointer("/error/message")
                    .and_then(Value::as_str)
                    .is_some(),
            "expected the JSON error body, got {} {}",
            self.status,
            self.body
        );
        code.unwrap_or_default()
    }
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", ulid::Ulid::new().to_string().to_lowercase())
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_payment_window(marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS).await
}

/// An app with the CJK font in its documents bucket, as a deployed one has (its upload is
/// ~19 MB, so only the tests that print CJK ask for it).
pub async fn spawn_app_with_cjk_font() -> TestApp {
    let font = DevOptions::system_cjk_font()
        .expect("the CJK font (Debian's fonts-noto-cjk) is missing: run `make install`");
    start_app(|options| options.cjk_font = Some(font)).await
}

/// An app whose checkouts keep the seats only `seconds` for the payment (races after expiry).
pub async fn spawn_app_with_payment_window(seconds: u32) -> TestApp {
    start_app(|options| options.payment_window_seconds = seconds).await
}

/// An app on the local stack with its own resources and Stripe account; `adjust` changes
/// the devserver's options from the defaults every test uses.
pub async fn start_app(adjust: impl FnOnce(&mut DevOptions)) -> TestApp {
    marquee_platform::telemetry::init_for_tests();
    let endpoints = Endpoints::from_env();
    let moto_url = endpoints
        .moto
        .clone()
        .expect("MARQUEE_MOTO_URL is not set: run the tests through `make test` (it starts the local stack)");
    assert!(
        endpoints.dynamodb.is_some(),
        "MARQUEE_DYNAMODB_URL is not set: run the tests through `make test`"
    );
    let prefix = unique("t");
    // Each test is its own account on the stack's Stripe double (one per secret key).
    let stripe = LocalStripe::from_env().map(|local| LocalStripe {
        secret_key: format!("sk_test_{prefix}"),
        ..local
    });
    let mut options = DevOptions {
        port: 0,
        endpoints,
        prefix,
        workers: true,
        visibility_timeout: 1,
        web_dist: DevOptions::default_web_dist(),
        stripe,
        payment_window_seconds: marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS,
        cjk_font: None,
        origin_secret: None,
        dynamodb_interceptor: None,
        report_inline_limit: None,
    };
    adjust(&mut options);
    let server = devserver::start(options).await.expect("devserver starts");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client");
    TestApp {
        server,
        http,
        moto_url,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    /// Sends a request to `path` as if to `host`, with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        host: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("host", host);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("request is sent")).await
    }

    pub async fn get(&self, host: &str, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, host, path, token, None).await
    }

    pub async fn post(&self, host: &str, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, host, path, token, Some(body)).await
    }

    pub async fn put(&self, host: &str, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, host, path, token, Some(body)).await
    }

    pub async fn create_venue_reply(&self, slug: &str, key: &str) -> Reply {
        let body = json!({
            "name": format!("Venue {slug}"),
            "slug": slug,
            "timezone": "Europe/London",
            "currency": "GBP",
            "ownerEmail": format!("owner@{slug}.example.org"),
            "ownerPassword": OWNER_PASSWORD,
        });
        let request = self
            .http
            .post(self.url("/platform/v1/venues"))
            .header("host", "localhost")
            .header("x-platform-key", key)
            .json(&body);
        Reply::from(request.send().await.expect("request is sent")).await
    }

    /// A fresh venue with a unique slug, its Stripe account connected in the double (as an
    /// owner who finished onboarding), so that it can sell by card.
    pub async fn create_venue(&self) -> Venue {
        let venue = self.create_unconnected_venue().await;
        let token = self.login_owner(&venue).await;
        devserver::seed::connect_venue(&self.server, &venue.host, &token)
            .await
            .expect("the venue's account connects in the Stripe double");
        venue
    }

    /// A fresh venue that has not connected a Stripe account (as the platform creates it).
    pub async fn create_unconnected_venue(&self) -> Venue {
        let slug = unique("v");
        let reply = self
            .create_venue_reply(&slug, devserver::LOCAL_PLATFORM_KEY)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        Venue {
            id: reply.body["venue"]["id"]
                .as_str()
                .expect("venue id")
                .to_owned(),
            host: reply.body["venue"]["hostname"]
                .as_str()
                .expect("hostname")
                .to_owned(),
            owner_email: format!("owner@{slug}.example.org"),
            slug,
        }
    }

    pub async fn login_reply(&self, host: &str, email: &str, password: &str) -> Reply {
        self.post(
            host,
            "/admin/v1/login",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn login_owner(&self, venue: &Venue) -> String {
        let reply = self
            .login_reply(&venue.host, &venue.owner_email, OWNER_PASSWORD)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["token"].as_str().expect("token").to_owned()
    }

    /// Invites `email` with `role`, reads the code from the invitation email sent through the
    /// mail worker and the local SES, accepts it, and returns the new staff member's token.
    pub async fn add_staff(
        &self,
        venue: &Venue,
        owner_token: &str,
        email: &str,
        role: &str,
    ) -> String {
        let reply = self
            .post(
                &venue.host,
                "/admin/v1/staff",
                Some(owner_token),
                json!({ "email": email, "name": "New Staff", "role": role }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let mail = self.wait_for_mail(email, Duration::from_secs(20)).await;
        let code = invitation_code(&mail.body).expect("the invitation carries a code");
        let reply = self
            .post(
                &venue.host,
                "/admin/v1/staff/accept",
                None,
                json!({ "email": email, "code": code, "password": "staff member passphrase" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn mail_to(&self, address: &str) -> Vec<devserver::SentMail> {
        devserver::sent_mail(&self.http, &self.moto_url)
            .await
            .expect("moto answers")
            .into_iter()
            .filter(|m| m.is_to(address))
            .collect()
    }

    /// Waits until a mail to `address` has been sent.
    pub async fn wait_for_mail(&self, address: &str, timeout: Duration) -> devserver::SentMail {
        let start = Instant::now();
        loop {
            if let Some(mail) = self.mail_to(address).await.into_iter().next() {
                return mail;
            }
            assert!(
                start.elapsed() < timeout,
                "no mail to {address} within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The code in an invitation email (after "code=").
pub fn invitation_code(body: &str) -> Option<String> {
    let start = body.find("code=")? + "code=".len();
    Some(
        body[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect(),
    )
}
