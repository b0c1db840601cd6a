//! The DNS listener through `hickory-resolver`, the resolver Marquee uses to check a
//! venue's `_marquee.{hostname}` TXT record and its CNAME.

use std::net::Ipv4Addr;

use hickory_resolver::proto::rr::{RData, RecordType};

use crate::support::spawn_edge;

fn txt_values(lookup: &hickory_resolver::lookup::Lookup) -> Vec<String> {
    lookup
        .answers()
        .iter()
        .filter_map(|record| match &record.data {
            RData::TXT(txt) => Some(txt.to_string()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn txt_records_answer_as_set_and_change_at_once() {
    let edge = spawn_edge().await;
    edge.set_record(
        "_marquee.Tickets.Example.org",
        "TXT",
        &["marquee-verify=tok_123", "other"],
    )
    .await;
    for tcp in [false, true] {
        let resolver = edge.resolver(tcp);
        let lookup = resolver
            .txt_lookup("_marquee.tickets.example.org.")
            .await
            .expect("txt answer");
        let mut values = txt_values(&lookup);
        values.sort();
        assert_eq!(values, ["marquee-verify=tok_123", "other"], "tcp: {tcp}");
    }
    // Nothing is cached: a replaced record answers at once.
    let resolver = edge.resolver(false);
    edge.set_record(
        "_marquee.tickets.example.org",
        "TXT",
        &["marquee-verify=tok_456"],
    )
    .await;
    let lookup = resolver
        .txt_lookup("_marquee.tickets.example.org.")
        .await
        .expect("txt answer");
    assert_eq!(txt_values(&lookup), ["marquee-verify=tok_456"]);
}

#[tokio::test]
async fn a_cname_is_answered_and_followed_to_the_routing_endpoint() {
    let edge = spawn_edge().await;
    let group = edge
        .cloudfront
        .create_connection_group()
        .name("venues")
        .send()
        .await
        .expect("group");
    let endpoint = group
        .connection_group()
        .and_then(|g| g.routing_endpoint())
        .expect("endpoint")
        .to_owned();
    edge.set_record("tickets.example.org", "CNAME", &[&endpoint])
        .await;
    let resolver = edge.resolver(false);

    let cname = resolver
        .lookup("tickets.example.org.", RecordType::CNAME)
        .await
        .expect("cname answer");
    let targets: Vec<String> = cname
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::CNAME(target) => Some(target.0.to_ascii()),
            _ => None,
        })
        .collect();
    assert_eq!(targets, [format!("{endpoint}.")]);

    // The hostname resolves through the CNAME to 127.0.0.1.
    let a = resolver
        .ipv4_lookup("tickets.example.org.")
        .await
        .expect("a answer");
    let addrs: Vec<Ipv4Addr> = a
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.0),
            _ => None,
        })
        .collect();
    assert_eq!(addrs, [Ipv4Addr::LOCALHOST]);
}

#[tokio::test]
async fn unknown_names_are_nxdomain_and_known_names_without_the_type_are_empty() {
    let edge = spawn_edge().await;
    edge.set_record("_marquee.tickets.example.org", "TXT", &["v"])
        .await;
    let resolver = edge.resolver(false);

    let missing = resolver
        .txt_lookup("nothing-here.example.org.")
        .await
        .expect_err("nxdomain");
    assert!(missing.is_nx_domain(), "{missing:?}");

    // tickets.example.org has no records itself but one below it: it exists, without data.
    let empty = resolver
        .txt_lookup("tickets.example.org.")
        .await
        .expect_err("no records");
    assert!(
        empty.is_no_records_found() && !empty.is_nx_domain(),
        "{empty:?}"
    );

    // Deleted records are gone at once.
    assert_eq!(
        edge.delete_record("_marquee.tickets.example.org", "TXT")
            .await,
        204
    );
    let gone = resolver
        .txt_lookup("_marquee.tickets.example.org.")
        .await
        .expect_err("nxdomain");
    assert!(gone.is_nx_domain(), "{gone:?}");
    assert_eq!(
        edge.delete_record("_marquee.tickets.example.org", "TXT")
            .await,
        404
    );
}

#[tokio::test]
async fn the_controls_list_and_check_records() {
    let edge = spawn_edge().await;
    edge.set_record("tickets.example.org.", "cname", &["X.Edge.Localhost"])
        .await;
    edge.set_record("_marquee.tickets.example.org", "TXT", &["v"])
        .await;
    let listed: serde_json::Value = edge
        .http()
        .get(edge.control("dns"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed,
        serde_json::json!({ "records": [
            { "name": "_marquee.tickets.example.org", "type": "TXT", "values": ["v"] },
            { "name": "tickets.example.org", "type": "CNAME", "values": ["x.edge.localhost"] },
        ]})
    );
    let put = |path: &str, body: serde_json::Value| {
        edge.http().put(edge.control(path)).json(&body).send()
    };
    let conflict = put(
        "dns/tickets.example.org/TXT",
        serde_json::json!({ "values": ["v"] }),
    )
    .await
    .expect("reachable");
    assert_eq!(conflict.status(), 409);
    let two_targets = put(
        "dns/www.example.org/CNAME",
        serde_json::json!({ "values": ["a.org", "b.org"] }),
    )
    .await
    .expect("reachable");
    assert_eq!(two_targets.status(), 400);
    let mx = put(
        "dns/example.org/MX",
        serde_json::json!({ "values": ["10 mx.org"] }),
    )
    .await
    .expect("reachable");
    assert_eq!(mx.status(), 400);
    let typo = put("dns/example.org/TXT", serde_json::json!({ "value": ["x"] }))
        .await
        .expect("reachable");
    assert_eq!(typo.status(), 400);
    let health: serde_json::Value = edge
        .http()
        .get(edge.control("health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["dns"], edge.double.dns_addr().to_string());
}
