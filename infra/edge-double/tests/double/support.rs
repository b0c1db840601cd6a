//! A double per test (`spawn_edge`), with the CloudFront client and a resolver pointed at
//! it, and typed helpers for the DNS controls.

use std::time::Duration;

use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::config::{BehaviorVersion, Credentials, Region};
use edge_double::EdgeHandle;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;

pub struct TestEdge {
    pub double: EdgeHandle,
    pub cloudfront: aws_sdk_cloudfront::Client,
    http: reqwest::Client,
}

/// A double that issues certificates as soon as the DNS is right.
pub async fn spawn_edge() -> TestEdge {
    spawn_edge_with(edge_double::Config {
        issue_delay: Duration::ZERO,
        ..Default::default()
    })
    .await
}

pub async fn spawn_edge_with(config: edge_double::Config) -> TestEdge {
    let double = edge_double::start(config)
        .await
        .expect("edge double starts");
    let config = aws_sdk_cloudfront::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEDGEDOUBLE",
            "test-secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(double.url())
        // The double's refusals are final; a retry would only slow the tests down.
        .retry_config(RetryConfig::disabled())
        .build();
    // reqwest's rustls needs the process's provider (see marquee_platform::tls).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    TestEdge {
        cloudfront: aws_sdk_cloudfront::Client::from_conf(config),
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client"),
        double,
    }
}

impl TestEdge {
    pub fn control(&self, path: &str) -> String {
        format!("{}/_double/{path}", self.double.url())
    }

    /// `PUT /_double/dns/{name}/{type}`, which must succeed.
    pub async fn set_record(&self, name: &str, kind: &str, values: &[&str]) {
        let response = self
            .http
            .put(self.control(&format!("dns/{name}/{kind}")))
            .json(&serde_json::json!({ "values": values }))
            .send()
            .await
            .expect("control reachable");
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }

    pub async fn delete_record(&self, name: &str, kind: &str) -> reqwest::StatusCode {
        self.http
            .delete(self.control(&format!("dns/{name}/{kind}")))
            .send()
            .await
            .expect("control reachable")
            .status()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A resolver that asks only the double, over UDP (or TCP when `tcp`).
    pub fn resolver(&self, tcp: bool) -> TokioResolver {
        let addr = self.double.dns_addr();
        let mut server = if tcp {
            NameServerConfig::tcp(addr.ip())
        } else {
            NameServerConfig::udp(addr.ip())
        };
        for connection in &mut server.connections {
            connection.port = addr.port();
        }
        let mut options = ResolverOpts::default();
        options.timeout = Duration::from_secs(2);
        options.attempts = 1;
        let mut builder = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(vec![server]),
            TokioRuntimeProvider::default(),
        );
        *builder.options_mut() = options;
        builder.build().expect("resolver")
    }
}
