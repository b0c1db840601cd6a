//! The security headers of every venue site and its APIs, defined once. In AWS, CloudFront adds
//! them (the `WebSecurityHeaders` response-headers policy in `infra/template.yaml`, attached to
//! every cache behaviour); locally the devserver adds them to the same responses (the web app
//! and the HTTP APIs). The template test checks that the template says what this module says.
//!
//! The Content Security Policy allows what the built app loads and nothing more: its own
//! module scripts and stylesheets (Vite emits no inline script or style), Stripe.js and its
//! Payment Element frames (as Stripe documents them: `js.stripe.com` and `*.js.stripe.com`
//! scripts and frames, `hooks.stripe.com` frames for 3-D Secure, `api.stripe.com`
//! connections), the live seat map WebSocket, and venue logos (any https image: a venue
//! gives its logo's address). Locally the same sources point at the devserver's stand-ins.

use anyhow::Context;
use axum::http::{HeaderMap, HeaderValue, header};

/// Where a source's address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Written the same in AWS and locally: a keyword (`'self'`), a scheme or a fixed origin.
    Fixed(&'static str),
    /// The live seat map's WebSocket API (`live.url` of `GET /api/v1/site`).
    LiveApi,
    /// The repository's Stripe double, to which the local test-card form posts the card.
    /// Nothing in AWS, where cards go through Stripe.js.
    StripeDouble,
}

/// One directive of the policy.
#[derive(Debug, Clone, Copy)]
pub struct Directive {
    pub name: &'static str,
    pub sources: &'static [Source],
}

const SELF: Source = Source::Fixed("'self'");
const NONE: Source = Source::Fixed("'none'");
const STRIPE_JS: Source = Source::Fixed("https://js.stripe.com");
const STRIPE_JS_SUBDOMAINS: Source = Source::Fixed("https://*.js.stripe.com");

pub const CONTENT_SECURITY_POLICY: &[Directive] = &[
    Directive {
        name: "default-src",
        sources: &[SELF],
    },
    Directive {
        name: "script-src",
        sources: &[SELF, STRIPE_JS, STRIPE_JS_SUBDOMAINS],
    },
    Directive {
        name: "style-src",
        sources: &[SELF],
    },
    Directive {
        name: "img-src",
        // https: for venue logos (an https address of the venue's choosing).
        sources: &[SELF, Source::Fixed("https:")],
    },
    Directive {
        name: "connect-src",
        sources: &[
            SELF,
            Source::LiveApi,
            Source::Fixed("https://api.stripe.com"),
            Source::StripeDouble,
        ],
    },
    Directive {
        name: "frame-src",
        sources: &[
            STRIPE_JS,
            STRIPE_JS_SUBDOMAINS,
            Source::Fixed("https://hooks.stripe.com"),
        ],
    },
    Directive {
        name: "object-src",
        sources: &[NONE],
    },
    Directive {
        name: "base-uri",
        sources: &[SELF],
    },
    Directive {
        name: "form-action",
        sources: &[SELF],
    },
    Directive {
        name: "frame-ancestors",
        sources: &[NONE],
    },
];

/// `X-Content-Type-Options`.
pub const CONTENT_TYPE_OPTIONS: &str = "nosniff";
/// `X-Frame-Options` (for browsers that predate `frame-ancestors`).
pub const FRAME_OPTIONS: &str = "DENY";
/// `Referrer-Policy`.
pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";
/// `Strict-Transport-Security`: one year, every venue subdomain. Sent only by CloudFront (see
/// [`SecurityHeaders::apply`]).
pub const HSTS_MAX_AGE_SECONDS: u32 = 31_536_000;
pub const HSTS_INCLUDE_SUBDOMAINS: bool = true;

/// CloudFront refuses a longer `ContentSecurityPolicy` in a response-headers policy.
pub const CLOUDFRONT_MAX_CSP_LENGTH: usize = 1783;

/// The policy as the template writes it: an `Fn::Sub` string naming the stack's resources.
/// Documents (event images, ticket PDFs, uploads) are the site's own `/documents/…` ('self').
pub fn cloudformation_content_security_policy() -> String {
    render(|source| match source {
        Source::Fixed(fixed) => vec![fixed.to_owned()],
        Source::LiveApi => {
            vec!["wss://${LiveApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}".to_owned()]
        }
        Source::StripeDouble => Vec::new(),
    })
}

/// `Strict-Transport-Security` as CloudFront sends it.
pub fn strict_transport_security() -> String {
    let mut value = format!("max-age={HSTS_MAX_AGE_SECONDS}");
    if HSTS_INCLUDE_SUBDOMAINS {
        value.push_str("; includeSubDomains");
    }
    value
}

/// Where the devserver's stand-ins for the policy's resources answer.
#[derive(Debug, Clone)]
pub struct LocalOrigins {
    /// The devserver's port: it serves the live WebSocket (`ws://{host}:{port}/live`).
    pub port: u16,
    /// The Stripe double's base URL, when card payments are on.
    pub stripe_double: Option<String>,
}

/// The headers the devserver adds to every web app and API response.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    content_security_policy: HeaderValue,
}

impl SecurityHeaders {
    pub fn local(origins: &LocalOrigins) -> anyhow::Result<Self> {
        let stripe_double = origins.stripe_double.as_deref().map(origin).transpose()?;
        let port = origins.port;
        let policy = render(|source| match source {
            Source::Fixed(fixed) => vec![fixed.to_owned()],
            // 'self' covers ws: on the page's own host and port in CSP Level 3 browsers; named
            // anyway for those that only match ws: explicitly.
            Source::LiveApi => vec![
                format!("ws://localhost:{port}"),
                format!("ws://*.localhost:{port}"),
            ],
            Source::StripeDouble => stripe_double.iter().cloned().collect(),
        });
        Ok(Self {
            content_security_policy: HeaderValue::try_from(policy)
                .context("the local Content-Security-Policy is not a header value")?,
        })
    }

    pub fn content_security_policy(&self) -> &HeaderValue {
        &self.content_security_policy
    }

    /// Sets the headers on a response, replacing any the origin set, as CloudFront does
    /// (`Override: true`). `Strict-Transport-Security` is left out: the devserver speaks plain
    /// HTTP, over which browsers ignore it (RFC 6797 §8.1); and behind a local TLS proxy it
    /// would pin `localhost` and all its subdomains to HTTPS for a year.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            self.content_security_policy.clone(),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static(CONTENT_TYPE_OPTIONS),
        );
        headers.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static(FRAME_OPTIONS),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static(REFERRER_POLICY),
        );
    }
}

fn render(mut sources_of: impl FnMut(Source) -> Vec<String>) -> String {
    CONTENT_SECURITY_POLICY
        .iter()
        .map(|directive| {
            let mut words = vec![directive.name.to_owned()];
            words.extend(directive.sources.iter().flat_map(|&s| sources_of(s)));
            words.join(" ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `http://127.0.0.1:4566/` → `http://127.0.0.1:4566`: a CSP source is an origin.
fn origin(url: &str) -> anyhow::Result<String> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("{url} is not a URL"))?;
    anyhow::ensure!(parsed.has_host(), "{url} has no host");
    Ok(parsed.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directive<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
        policy
            .split(';')
            .map(str::split_whitespace)
            .find_map(|mut words| (words.next() == Some(name)).then(|| words.collect()))
            .unwrap_or_default()
    }

    #[test]
    fn the_template_policy_names_the_stack_resources_and_no_local_origin() {
        let policy = cloudformation_content_security_policy();
        assert_eq!(
            directive(&policy, "connect-src"),
            [
                "'self'",
                "wss://${LiveApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
                "https://api.stripe.com",
            ]
        );
        assert!(!policy.contains("localhost") && !policy.contains("http:"));
        assert!(policy.len() <= CLOUDFRONT_MAX_CSP_LENGTH);
    }

    #[test]
    fn locally_the_resources_are_the_devserver_and_the_local_stack() -> anyhow::Result<()> {
        let headers = SecurityHeaders::local(&LocalOrigins {
            port: 3000,
            stripe_double: Some("http://127.0.0.1:8702".into()),
        })?;
        let policy = headers.content_security_policy().to_str()?;
        assert_eq!(
            directive(policy, "connect-src"),
            [
                "'self'",
                "ws://localhost:3000",
                "ws://*.localhost:3000",
                "https://api.stripe.com",
                "http://127.0.0.1:8702",
            ]
        );
        assert_eq!(directive(policy, "img-src"), ["'self'", "https:"]);
        // Everything else is the template's policy.
        let template = cloudformation_content_security_policy();
        for name in ["script-src", "style-src", "frame-src", "frame-ancestors"] {
            assert_eq!(
                directive(policy, name),
                directive(&template, name),
                "{name}"
            );
        }
        Ok(())
    }

    #[test]
    fn hsts_is_a_year_with_subdomains() {
        assert_eq!(
            strict_transport_security(),
            "max-age=31536000; includeSubDomains"
        );
    }
}
