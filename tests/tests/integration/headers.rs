//! The security headers CloudFront adds in AWS come with a venue's pages, its API and its
//! assets locally too (`devserver::security_headers`, which the template test holds to the
//! template), and the devserver's mailbox answers only on its own host.

use crate::helpers::{TestApp, start_app, unique};
use devserver::LocalStripe;
use devserver::security_headers::cloudformation_content_security_policy;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::path::PathBuf;

/// A small web build of the test's own: the real `web/dist` is not built before the Rust tests.
struct WebBuild(PathBuf);

impl WebBuild {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(unique("marquee-web-"));
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>Tickets</title>\
             <script type=\"module\" src=\"/assets/index.js\"></script><div id=\"app\"></div>",
        )
        .unwrap();
        std::fs::write(dir.join("assets/index.js"), "export {};\n").unwrap();
        Self(dir)
    }
}

impl Drop for WebBuild {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `spawn_app()`, serving `web` as the web app.
async fn spawn_app_serving(web: &WebBuild) -> TestApp {
    start_app(|options| {
        options.workers = false;
        options.web_dist = web.0.clone();
    })
    .await
}

async fn get(app: &TestApp, host: &str, path: &str) -> (StatusCode, HeaderMap) {
    let response = app
        .http
        .get(app.url(path))
        .header("host", host)
        .send()
        .await
        .expect("request is sent");
    (response.status(), response.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// The directives of a policy, each with its sources.
fn directives(policy: &str) -> Vec<(&str, Vec<&str>)> {
    policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect()
}

fn sources<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
    directives(policy)
        .into_iter()
        .find(|(directive, _)| *directive == name)
        .map(|(_, sources)| sources)
        .unwrap_or_default()
}

/// An origin as a CSP source: `http://127.0.0.1:4566/` → `http://127.0.0.1:4566`.
fn origin(url: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .origin()
        .ascii_serialization()
}

#[tokio::test]
async fn a_venue_page_its_api_and_its_assets_carry_the_security_headers() {
    let web = WebBuild::new();
    let app = spawn_app_serving(&web).await;
    let venue = app.create_venue().await;
    let port = app.server.addr.port();
    let stripe_double = LocalStripe::from_env()
        .map(|stripe| format!(" {}", origin(&stripe.url)))
        .unwrap_or_default();
    let expected = format!(
        "default-src 'self'; \
         script-src 'self' https://js.stripe.com https://*.js.stripe.com; \
         style-src 'self'; \
         img-src 'self' https:; \
         connect-src 'self' ws://localhost:{port} ws://*.localhost:{port} https://api.stripe.com{stripe_double}; \
         frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; \
         object-src 'none'; \
         base-uri 'self'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    );

    for (path, status) in [
        ("/", StatusCode::OK),
        // A page the single-page app routes itself: index.html.
        ("/events/some-event", StatusCode::OK),
        ("/assets/index.js", StatusCode::OK),
        ("/api/v1/site", StatusCode::OK),
        ("/api/v1/no-such-thing", StatusCode::NOT_FOUND),
        ("/admin/v1/venue", StatusCode::UNAUTHORIZED),
    ] {
        let (actual, headers) = get(&app, &venue.host, path).await;
        assert_eq!(actual, status, "{path}");
        assert_eq!(
            header(&headers, "content-security-policy"),
            Some(expected.as_str()),
            "{path}"
        );
        assert_eq!(
            header(&headers, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header(&headers, "x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            header(&headers, "referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
        // Plain HTTP: browsers ignore HSTS here, and it would pin localhost to HTTPS behind a
        // local TLS proxy. CloudFront sends it (the template test checks its value).
        assert_eq!(
            header(&headers, "strict-transport-security"),
            None,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_policies_allow_the_app_stripe_and_their_own_resources_only() {
    let web = WebBuild::new();
    let app = spawn_app_serving(&web).await;
    let (_, headers) = get(&app, "demo.localhost", "/").await;
    let local = header(&headers, "content-security-policy")
        .expect("a CSP")
        .to_owned();
    let aws = cloudformation_content_security_policy();

    for policy in [local.as_str(), aws.as_str()] {
        for (directive, sources) in directives(policy) {
            for source in sources {
                assert!(
                    !source.starts_with("'unsafe-")
                        && ![
                            "'strict-dynamic'",
                            "*",
                            "data:",
                            "blob:",
                            "http:",
                            "ws:",
                            "wss:"
                        ]
                        .contains(&source),
                    "{directive} allows {source} in {policy}"
                );
            }
        }
        // Only the app's own scripts and styles, and Stripe.js.
        assert_eq!(
            sources(policy, "script-src"),
            ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
        );
        assert_eq!(sources(policy, "style-src"), ["'self'"]);
        assert_eq!(sources(policy, "default-src"), ["'self'"]);
        assert_eq!(
            sources(policy, "frame-src"),
            [
                "https://js.stripe.com",
                "https://*.js.stripe.com",
                "https://hooks.stripe.com"
            ]
        );
        assert_eq!(sources(policy, "frame-ancestors"), ["'none'"]);
        assert_eq!(sources(policy, "object-src"), ["'none'"]);
        assert_eq!(sources(policy, "base-uri"), ["'self'"]);
        assert_eq!(sources(policy, "form-action"), ["'self'"]);
        assert!(sources(policy, "connect-src").contains(&"https://api.stripe.com"));
    }

    // Connections: AWS's live WebSocket API; locally its stand-in and the Stripe double's
    // test-card endpoint, all on loopback. Documents are the site's own (/documents/…), so
    // no bucket or S3 endpoint is named anywhere.
    for source in sources(&local, "connect-src") {
        assert!(
            source == "'self'"
                || source == "https://api.stripe.com"
                || source.starts_with("http://127.0.0.1:")
                || source.starts_with("ws://localhost:")
                || source.starts_with("ws://*.localhost:"),
            "local connect-src allows {source}"
        );
    }
    for policy in [&local, &aws] {
        assert!(
            !policy.contains(&origin(&app.moto_url)) && !policy.contains("DocumentsBucket"),
            "{policy}"
        );
    }
    if let Some(stripe) = LocalStripe::from_env() {
        assert!(sources(&local, "connect-src").contains(&origin(&stripe.url).as_str()));
    }
    assert_eq!(
        sources(&aws, "connect-src"),
        [
            "'self'",
            "wss://${LiveApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
            "https://api.stripe.com"
        ]
    );
}

#[tokio::test]
async fn the_mailbox_answers_on_localhost_only() {
    let web = WebBuild::new();
    let app = spawn_app_serving(&web).await;
    let venue = app.create_venue().await;
    let port = app.server.addr.port();

    for host in [
        venue.host.clone(),
        format!("{}:{port}", venue.host),
        format!("demo.localhost:{port}"),
    ] {
        let (status, headers) = get(&app, &host, "/_dev/mail").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "on {host}");
        assert!(
            headers.contains_key("content-security-policy"),
            "the 404 on a venue host carries the edge's headers"
        );
    }
    for host in [
        "localhost".to_owned(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        let response = app
            .http
            .get(app.url("/_dev/mail"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "on {host}");
        let page = response.text().await.unwrap();
        assert!(page.contains("Mail sent locally"), "on {host}: {page}");
    }
}
