//! What the benchmark binaries share (the integration tests live in `tests/integration`).

pub mod bench {
    //! Setting up a bench venue over HTTP, as an operator and its owner would.

    use anyhow::Context;
    use marquee_domain::TenantId;
    use serde_json::{Value, json};

    const OWNER_PASSWORD: &str = "bench owner passphrase";

    /// A venue created through the platform API, with its owner logged in.
    pub struct BenchVenue {
        /// `http://127.0.0.1:{port}` of the devserver.
        pub base: String,
        pub host: String,
        pub tenant: TenantId,
        pub owner_token: String,
    }

    /// Creates venue `slug` (Europe/London, GBP) and logs its owner in.
    pub async fn bench_venue(
        server: &devserver::DevServer,
        http: &reqwest::Client,
        name: &str,
        slug: &str,
    ) -> anyhow::Result<BenchVenue> {
        let base = format!("http://{}", server.addr);
        let owner = format!("owner@{slug}.example.org");
        let venue: Value = http
            .post(format!("{base}/platform/v1/venues"))
            .header("host", "localhost")
            .header("x-platform-key", devserver::LOCAL_PLATFORM_KEY)
            .json(&json!({ "name": name, "slug": slug, "timezone": "Europe/London", "currency": "GBP", "ownerEmail": owner, "ownerPassword": OWNER_PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let host = venue["venue"]["hostname"]
            .as_str()
            .with_context(|| format!("venue: {venue}"))?
            .to_owned();
        let tenant = TenantId::parse(venue["venue"]["id"].as_str().context("venue id")?)?;
        let login: Value = http
            .post(format!("{base}/admin/v1/login"))
            .header("host", &host)
            .json(&json!({ "email": owner, "password": OWNER_PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let owner_token = login["token"].as_str().context("token")?.to_owned();
        devserver::seed::connect_venue(server, &host, &owner_token).await?;
        Ok(BenchVenue {
            base,
            host,
            tenant,
            owner_token,
        })
    }
}
