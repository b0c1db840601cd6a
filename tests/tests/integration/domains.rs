//! Custom domains over HTTP against the local stack and the edge double (CloudFront's
//! multi-tenant calls and a DNS server): a claim serves nothing until its TXT proof and CNAME
//! are found by a real resolver, then the edge issues the certificate and the site answers
//! there; the first venue to prove a hostname wins; removing frees it.

use crate::helpers::{Reply, TestApp, Venue, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

impl TestApp {
    fn edge_url(&self) -> String {
        std::env::var("MARQUEE_EDGE_URL").expect("the edge double runs in the local stack")
    }

    /// Creates (or with no values deletes) a record in the local DNS server.
    async fn dns(&self, name: &str, kind: &str, values: &[&str]) {
        let url = format!("{}/_double/dns/{name}/{kind}", self.edge_url());
        let request = if values.is_empty() {
            self.http.delete(url)
        } else {
            self.http.put(url).json(&json!({ "values": values }))
        };
        let response = request.send().await.expect("the edge double answers");
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// Creates the records the answer told the venue to create.
    async fn create_records(&self, domain: &Value) {
        for record in domain["records"].as_array().unwrap() {
            self.dns(
                record["name"].as_str().unwrap(),
                record["type"].as_str().unwrap(),
                &[record["value"].as_str().unwrap()],
            )
            .await;
        }
    }

    async fn add_domain(&self, venue: &Venue, token: &str, hostname: &str) -> Reply {
        self.post(
            &venue.host,
            "/admin/v1/domains",
            Some(token),
            json!({ "hostname": hostname }),
        )
        .await
    }

    async fn verify_domain(&self, venue: &Venue, token: &str, hostname: &str) -> Reply {
        self.post(
            &venue.host,
            &format!("/admin/v1/domains/{hostname}/verify"),
            Some(token),
            json!({}),
        )
        .await
    }

    async fn listed_domain(&self, venue: &Venue, token: &str, hostname: &str) -> Option<Value> {
        let listed = self
            .get(&venue.host, "/admin/v1/domains", Some(token))
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        listed.body["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["hostname"] == hostname)
            .cloned()
    }

    /// Waits for the scheduled checks (every 2 s locally) to move the domain to `status`.
    async fn await_domain(
        &self,
        venue: &Venue,
        token: &str,
        hostname: &str,
        status: &str,
    ) -> Value {
        let started = Instant::now();
        loop {
            let domain = self.listed_domain(venue, token, hostname).await.unwrap();
            if domain["status"] == status {
                return domain;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{hostname} never became {status}: {domain}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

#[tokio::test]
async fn a_custom_domain_serves_its_venue_only_once_proven_and_certified_and_stops_when_removed() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let custom = format!("tickets.{}.example.org", venue.slug);

    let added = app.add_domain(&venue, &token, &custom.to_uppercase()).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let domain = added.body;
    assert_eq!(domain["hostname"], custom.as_str(), "stored lower-cased");
    assert_eq!(domain["status"], "pending_dns");
    let records = domain["records"].as_array().unwrap();
    assert_eq!(records[0]["type"], "TXT");
    assert_eq!(records[0]["name"], format!("_marquee.{custom}"));
    assert!(
        records[0]["value"]
            .as_str()
            .unwrap()
            .starts_with("marquee-verify=")
    );
    assert_eq!(records[1]["type"], "CNAME");
    assert_eq!(records[1]["value"], domain["cnameTarget"]);
    assert!(
        domain["cnameTarget"]
            .as_str()
            .unwrap()
            .ends_with(".edge.localhost"),
        "the edge's routing endpoint: {domain}"
    );
    // A claim nobody has proven serves nothing.
    assert_eq!(
        app.get(&custom, "/api/v1/site", None).await.status,
        StatusCode::NOT_FOUND
    );

    // Checked before the records exist: still pending, and says what is missing.
    let early = app.verify_domain(&venue, &token, &custom).await;
    assert_eq!(early.status, StatusCode::OK, "{}", early.body);
    assert_eq!(early.body["status"], "pending_dns");
    assert!(
        early.body["reason"].as_str().unwrap().contains("TXT"),
        "{}",
        early.body
    );
    assert!(early.body["checkedAt"].is_string());

    // Only the CNAME: still not proven.
    app.dns(&custom, "CNAME", &[domain["cnameTarget"].as_str().unwrap()])
        .await;
    let half = app.verify_domain(&venue, &token, &custom).await;
    assert_eq!(half.body["status"], "pending_dns", "{}", half.body);
    app.create_records(&domain).await;
    let proven = app.verify_domain(&venue, &token, &custom).await;
    assert_eq!(
        proven.body["status"], "issuing_certificate",
        "{}",
        proven.body
    );
    assert_eq!(
        app.get(&custom, "/api/v1/site", None).await.status,
        StatusCode::NOT_FOUND
    );

    // The scheduled check finds the certificate issued.
    app.await_domain(&venue, &token, &custom, "active").await;
    let site = app.get(&custom, "/api/v1/site", None).await;
    assert_eq!(site.status, StatusCode::OK, "{}", site.body);
    assert_eq!(site.body["slug"], venue.slug);
    assert_eq!(site.body["hostname"], custom.as_str());
    // The owner's token works on the custom domain too: same venue.
    assert_eq!(
        app.get(&custom, "/admin/v1/venue", Some(&token))
            .await
            .status,
        StatusCode::OK
    );
    // The hosted address keeps working throughout.
    assert_eq!(
        app.get(&venue.host, "/api/v1/site", None).await.status,
        StatusCode::OK
    );

    // The CNAME moved away: flagged, still serving.
    app.dns(&custom, "CNAME", &["elsewhere.example.com"]).await;
    let flagged = app.verify_domain(&venue, &token, &custom).await.body;
    assert_eq!(flagged["status"], "active");
    assert!(flagged["dnsLostAt"].is_string(), "{flagged}");
    assert_eq!(
        app.get(&custom, "/api/v1/site", None).await.status,
        StatusCode::OK
    );

    let removed = app
        .call(
            reqwest::Method::DELETE,
            &venue.host,
            &format!("/admin/v1/domains/{custom}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert!(app.listed_domain(&venue, &token, &custom).await.is_none());
    let again = app
        .call(
            reqwest::Method::DELETE,
            &venue.host,
            &format!("/admin/v1/domains/{custom}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // Free for another venue, which can prove it and go live: the hostname's claim, index
    // item and edge tenant were all released. (Instances that served the hostname may keep
    // answering from their host cache for up to a minute; the edge stops at once.)
    let other = app.create_venue().await;
    let other_token = app.login_owner(&other).await;
    let next = app.add_domain(&other, &other_token, &custom).await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
    app.create_records(&next.body).await;
    app.verify_domain(&other, &other_token, &custom).await;
    app.await_domain(&other, &other_token, &custom, "active")
        .await;
}

#[tokio::test]
async fn venues_racing_to_prove_one_hostname_one_wins_and_nobody_can_squat_it() {
    let app = spawn_app().await;
    let a = app.create_venue().await;
    let b = app.create_venue().await;
    let (ta, tb) = (app.login_owner(&a).await, app.login_owner(&b).await);
    for round in 0..4 {
        let hostname = format!("tickets{round}.shared-{}.example.org", a.slug);
        // Both may claim it while nobody has proven it.
        let (ra, rb) = tokio::join!(
            app.add_domain(&a, &ta, &hostname),
            app.add_domain(&b, &tb, &hostname),
        );
        assert_eq!(
            (ra.status, rb.status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{} / {}",
            ra.body,
            rb.body
        );
        // A squatter without the DNS cannot get anywhere: nothing is created yet.
        assert_eq!(
            app.verify_domain(&a, &ta, &hostname).await.body["status"],
            "pending_dns"
        );
        // Both venues' proofs are in DNS (one TXT name can hold several values).
        let tokens = [
            ra.body["records"][0]["value"].as_str().unwrap(),
            rb.body["records"][0]["value"].as_str().unwrap(),
        ];
        app.dns(&format!("_marquee.{hostname}"), "TXT", &tokens)
            .await;
        app.dns(
            &hostname,
            "CNAME",
            &[ra.body["cnameTarget"].as_str().unwrap()],
        )
        .await;
        let (va, vb) = tokio::join!(
            app.verify_domain(&a, &ta, &hostname),
            app.verify_domain(&b, &tb, &hostname),
        );
        let mut outcomes = [
            va.body["status"].as_str().unwrap().to_owned(),
            vb.body["status"].as_str().unwrap().to_owned(),
        ];
        outcomes.sort();
        assert_eq!(
            outcomes,
            ["failed", "issuing_certificate"],
            "round {round}: {} / {}",
            va.body,
            vb.body
        );
        let (loser, winner) = if va.body["status"] == "failed" {
            (&va, (&b, &tb))
        } else {
            (&vb, (&a, &ta))
        };
        assert!(
            loser.body["reason"]
                .as_str()
                .unwrap()
                .contains("Another venue proved"),
            "{}",
            loser.body
        );
        app.await_domain(winner.0, winner.1, &hostname, "active")
            .await;
        assert_eq!(
            app.get(&hostname, "/api/v1/site", None).await.body["slug"],
            winner.0.slug
        );
        // Now nobody else can even claim it.
        let late = app.create_venue().await;
        let late_token = app.login_owner(&late).await;
        let refused = app.add_domain(&late, &late_token, &hostname).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert_eq!(refused.error_code(), "hostname_taken");
    }
}

#[tokio::test]
async fn bad_hostnames_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    for bad in [
        "not a host",
        "-x.example.org",
        "localhost",
        "other.localhost",
        "10.0.0.1",
        "",
    ] {
        let reply = app
            .post(
                &venue.host,
                "/admin/v1/domains",
                Some(&token),
                json!({ "hostname": bad }),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"]["details"]["field"], "hostname", "{bad}");
    }
    // A venue's own hosted address is taken by construction.
    let other = app.create_venue().await;
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/domains",
            Some(&token),
            json!({ "hostname": other.host }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn only_owners_manage_domains() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    let manager = app
        .add_staff(
            &venue,
            &owner,
            &format!("manager@{}.example.org", venue.slug),
            "manager",
        )
        .await;
    let reply = app
        .post(
            &venue.host,
            "/admin/v1/domains",
            Some(&manager),
            json!({ "hostname": "tickets.m.example.org" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), "forbidden");
    assert_eq!(
        app.get("tickets.m.example.org", "/api/v1/site", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn claims_registered_before_dns_verification_stop_serving_and_join_the_schedule() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let legacy = format!("old.{}.example.org", venue.slug);
    // What the earlier code wrote at registration: the claim and, at once, the index item.
    let sdk = marquee_platform::aws::sdk_config().await;
    let dynamodb =
        marquee_platform::aws::dynamodb(&sdk, &marquee_platform::aws::Endpoints::from_env());
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let table = &app.server.config.table_name;
    for item in [
        vec![
            ("pk", s(&format!("T#{}", venue.id))),
            ("sk", s(&format!("DOMAIN#{legacy}"))),
            ("hostname", s(&legacy)),
            ("status", s("pending_verification")),
            ("createdAt", s("2026-11-01T10:00:00+00:00")),
        ],
        vec![
            ("pk", s(&format!("HOST#{legacy}"))),
            ("sk", s("HOST")),
            ("hostname", s(&legacy)),
            ("tenant", s(&venue.id)),
            ("kind", s("custom")),
        ],
    ] {
        dynamodb
            .put_item()
            .table_name(table)
            .set_item(Some(
                item.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ))
            .send()
            .await
            .unwrap();
    }
    // Another devserver instance's cache would still know the old mapping; ask the store.
    assert!(
        app.server
            .store
            .tenant_for_host(&marquee_domain::Hostname::parse(&legacy).unwrap())
            .await
            .unwrap()
            .is_some()
    );

    let moved = app
        .server
        .store
        .migrate_legacy_domains(chrono::Utc::now())
        .await
        .unwrap();
    // The devserver already ran it once at start (nothing to move then), so this table's
    // marker exists: nothing runs twice.
    assert_eq!(moved, 0, "the marker written at start stops a second run");
    // A table without the marker: run it as a new deploy would.
    dynamodb
        .delete_item()
        .table_name(table)
        .key("pk", s("PLATFORM"))
        .key("sk", s("MIGRATION#domains-pending-dns"))
        .send()
        .await
        .unwrap();
    let moved = app
        .server
        .store
        .migrate_legacy_domains(chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert!(
        app.server
            .store
            .tenant_for_host(&marquee_domain::Hostname::parse(&legacy).unwrap())
            .await
            .unwrap()
            .is_none(),
        "no longer served unproven"
    );
    let listed = app.listed_domain(&venue, &token, &legacy).await.unwrap();
    assert_eq!(listed["status"], "pending_dns");
    assert!(
        listed["records"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("marquee-verify=")
    );
    assert!(listed["nextCheckAt"].is_string(), "scheduled: {listed}");
    // And it can be proven like any claim.
    app.create_records(&listed).await;
    app.await_domain(&venue, &token, &legacy, "active").await;
    assert_eq!(
        app.server
            .store
            .migrate_legacy_domains(chrono::Utc::now())
            .await
            .unwrap(),
        0
    );
}
