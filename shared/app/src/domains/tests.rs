#![allow(clippy::unwrap_used)]

use super::*;
use crate::fakes::{FakeClock, FakeDns, FakeEdge, InMemoryDomains};
use chrono::{Duration, TimeZone, Utc};

const EDGE: &str = "d123.edge.example.net";

struct World {
    store: Arc<InMemoryDomains>,
    dns: Arc<FakeDns>,
    edge: Arc<FakeEdge>,
    clock: Arc<FakeClock>,
    domains: CustomDomains,
}

fn world() -> World {
    let store = Arc::new(InMemoryDomains::default());
    let dns = Arc::new(FakeDns::default());
    let edge = Arc::new(FakeEdge::default());
    let clock = Arc::new(FakeClock::at(
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap(),
    ));
    let domains = CustomDomains::new(
        store.clone(),
        dns.clone(),
        edge.clone(),
        clock.clone(),
        EDGE.into(),
        Hostname::parse("marquee.example").unwrap(),
    );
    World {
        store,
        dns,
        edge,
        clock,
        domains,
    }
}

fn host(name: &str) -> Hostname {
    Hostname::parse(name).unwrap()
}

/// A venue's claim on `name`, proven and with its certificate issued.
async fn active(w: &World, venue: &TenantId, name: &Hostname) {
    let claim = w.domains.add(venue, name.clone()).await.unwrap();
    w.dns.create(&claim, EDGE);
    w.domains.verify(venue, name).await.unwrap();
    w.edge.issue_all();
    let active = w.domains.verify(venue, name).await.unwrap();
    assert_eq!(active.status, DomainStatus::Active);
}

#[tokio::test]
async fn a_domain_goes_from_pending_dns_to_active_once_its_records_and_certificate_are_there() {
    let w = world();
    let venue = TenantId::generate();
    let tickets = host("tickets.example.org");
    let claim = w.domains.add(&venue, tickets.clone()).await.unwrap();
    assert_eq!(claim.status, DomainStatus::PendingDns);
    assert_eq!(
        w.store.serving(&tickets),
        None,
        "a pending claim serves nothing"
    );

    // Nothing created yet: still pending, with what is missing and a later check.
    let checked = w.domains.verify(&venue, &tickets).await.unwrap();
    assert_eq!(checked.status, DomainStatus::PendingDns);
    let reason = checked.reason.clone().unwrap();
    assert!(
        reason.contains("_marquee.tickets.example.org") && reason.contains(EDGE),
        "{reason}"
    );
    assert!(checked.checked_at.is_some());
    assert!(checked.next_check_at.unwrap() > w.clock.now().timestamp());

    w.dns.create(&claim, EDGE);
    let proven = w.domains.verify(&venue, &tickets).await.unwrap();
    assert_eq!(proven.status, DomainStatus::IssuingCertificate);
    assert_eq!(w.edge.hostnames(), vec![tickets.clone()]);
    assert_eq!(w.store.serving(&tickets), None, "no certificate yet");

    // The schedule finds the certificate issued.
    w.edge.issue_all();
    w.clock.advance(Duration::minutes(1));
    let report = w.domains.check_due(10).await.unwrap();
    assert_eq!(report.activated, 1, "{report:?}");
    let active = w.store.stored(&venue, &tickets).unwrap();
    assert_eq!(active.status, DomainStatus::Active);
    assert_eq!(w.store.serving(&tickets), Some(venue));
}

#[tokio::test]
async fn several_venues_may_claim_a_hostname_and_the_first_to_prove_it_wins() {
    let w = world();
    let (squatter, owner) = (TenantId::generate(), TenantId::generate());
    let name = host("tickets.example.org");
    w.domains.add(&squatter, name.clone()).await.unwrap();
    let real = w.domains.add(&owner, name.clone()).await.unwrap();
    // The squatter cannot prove it with the owner's token: the TXT record is the owner's.
    w.dns.create(&real, EDGE);
    let squatted = w.domains.verify(&squatter, &name).await.unwrap();
    assert_eq!(squatted.status, DomainStatus::PendingDns);
    let proven = w.domains.verify(&owner, &name).await.unwrap();
    assert_eq!(proven.status, DomainStatus::IssuingCertificate);

    // Once proven, nobody else can add it.
    let late = w.domains.add(&TenantId::generate(), name.clone()).await;
    assert!(matches!(late, Err(DomainError::Taken)), "{late:?}");
    // A venue that also had the records right but came second is told it was claimed.
    let second = w.store.stored(&squatter, &name).unwrap();
    w.dns.set_txt("_marquee.tickets.example.org", &second.token);
    let told = w.domains.verify(&squatter, &name).await.unwrap();
    assert_eq!(told.status, DomainStatus::Failed);
    assert!(told.reason.unwrap().contains("Another venue proved"));
}

#[tokio::test]
async fn a_claim_gives_up_after_72_hours_and_verifying_again_starts_over() {
    let w = world();
    let venue = TenantId::generate();
    let name = host("tickets.example.org");
    let claim = w.domains.add(&venue, name.clone()).await.unwrap();
    let mut checks = 0;
    for _ in 0..200 {
        w.clock.advance(Duration::hours(1));
        checks += w.domains.check_due(10).await.unwrap().checked;
    }
    let failed = w.store.stored(&venue, &name).unwrap();
    assert_eq!(failed.status, DomainStatus::Failed);
    assert!(
        failed
            .reason
            .as_deref()
            .unwrap()
            .starts_with("Gave up after 72 hours")
    );
    assert!(checks <= 80, "backed off to hourly checks: {checks}");
    assert_eq!(failed.next_check_at, None, "no more scheduled checks");

    w.dns.create(&claim, EDGE);
    let again = w.domains.verify(&venue, &name).await.unwrap();
    assert_eq!(again.status, DomainStatus::IssuingCertificate);
}

#[tokio::test]
async fn an_active_domain_whose_cname_moves_away_is_flagged_and_keeps_serving() {
    let w = world();
    let venue = TenantId::generate();
    let name = host("tickets.example.org");
    active(&w, &venue, &name).await;

    w.dns
        .set_cname("tickets.example.org", "somewhere-else.example.com");
    w.clock.advance(Duration::hours(7));
    w.domains.check_due(10).await.unwrap();
    let flagged = w.store.stored(&venue, &name).unwrap();
    assert_eq!(flagged.status, DomainStatus::Active);
    assert!(flagged.dns_lost_at.is_some());
    assert!(flagged.reason.unwrap().contains("no longer points"));
    assert_eq!(w.store.serving(&name), Some(venue.clone()));

    w.dns.set_cname("tickets.example.org", EDGE);
    w.clock.advance(Duration::hours(7));
    w.domains.check_due(10).await.unwrap();
    let restored = w.store.stored(&venue, &name).unwrap();
    assert_eq!(restored.dns_lost_at, None);
    assert_eq!(restored.reason, None);
}

#[tokio::test]
async fn removing_a_domain_detaches_it_and_frees_the_hostname() {
    let w = world();
    let (venue, other) = (TenantId::generate(), TenantId::generate());
    let name = host("tickets.example.org");
    active(&w, &venue, &name).await;

    w.domains.remove(&venue, &name).await.unwrap();
    assert_eq!(w.store.serving(&name), None);
    assert!(w.edge.hostnames().is_empty());
    assert!(w.store.stored(&venue, &name).is_none());
    assert!(matches!(
        w.domains.remove(&venue, &name).await,
        Err(DomainError::NotFound)
    ));
    let next = w.domains.add(&other, name.clone()).await.unwrap();
    assert_eq!(next.status, DomainStatus::PendingDns);
}

#[tokio::test]
async fn a_removal_that_stopped_half_way_finishes_when_asked_again() {
    let w = world();
    let venue = TenantId::generate();
    let name = host("tickets.example.org");
    let claim = w.domains.add(&venue, name.clone()).await.unwrap();
    w.dns.create(&claim, EDGE);
    w.domains.verify(&venue, &name).await.unwrap();
    w.edge.faults.fail("edge_detach", 1);
    assert!(w.domains.remove(&venue, &name).await.is_err());
    assert!(
        w.store.stored(&venue, &name).is_some(),
        "kept, to finish later"
    );
    w.domains.remove(&venue, &name).await.unwrap();
    assert!(w.edge.hostnames().is_empty());
    assert!(w.store.stored(&venue, &name).is_none());
}

#[tokio::test]
async fn a_hostname_another_distribution_serves_fails_and_is_released() {
    let w = world();
    let (venue, other) = (TenantId::generate(), TenantId::generate());
    let name = host("tickets.example.org");
    let claim = w.domains.add(&venue, name.clone()).await.unwrap();
    w.edge.served_elsewhere(&name);
    w.dns.create(&claim, EDGE);
    let failed = w.domains.verify(&venue, &name).await.unwrap();
    assert_eq!(failed.status, DomainStatus::Failed);
    assert!(
        failed
            .reason
            .unwrap()
            .contains("another CloudFront distribution")
    );
    assert!(
        w.domains.add(&other, name).await.is_ok(),
        "not kept claimed"
    );
}

#[tokio::test]
async fn a_certificate_the_edge_cannot_issue_fails_with_its_reason() {
    let w = world();
    let venue = TenantId::generate();
    let name = host("tickets.example.org");
    let claim = w.domains.add(&venue, name.clone()).await.unwrap();
    w.dns.create(&claim, EDGE);
    w.domains.verify(&venue, &name).await.unwrap();
    w.edge.fail_all("CAA record forbids Amazon");
    let failed = w.domains.verify(&venue, &name).await.unwrap();
    assert_eq!(failed.status, DomainStatus::Failed);
    assert!(failed.reason.unwrap().contains("CAA record forbids Amazon"));
    assert_eq!(w.store.serving(&name), None);
}

#[tokio::test]
async fn a_dns_failure_during_the_schedule_is_retried_and_does_not_stop_other_checks() {
    let w = world();
    let (a, b) = (TenantId::generate(), TenantId::generate());
    let first = w.domains.add(&a, host("a.example.org")).await.unwrap();
    let second = w.domains.add(&b, host("b.example.org")).await.unwrap();
    w.dns.create(&first, EDGE);
    w.dns.create(&second, EDGE);
    w.dns.faults.fail("dns", 1);
    let report = w.domains.check_due(10).await.unwrap();
    assert_eq!((report.checked, report.errors), (1, 1), "{report:?}");
    let report = w.domains.check_due(10).await.unwrap();
    assert_eq!(report.checked, 1, "the failed one is still due: {report:?}");
    for (tenant, name) in [(&a, "a.example.org"), (&b, "b.example.org")] {
        assert_eq!(
            w.store.stored(tenant, &host(name)).unwrap().status,
            DomainStatus::IssuingCertificate
        );
    }
}

#[tokio::test]
async fn a_check_that_read_the_claim_before_another_wrote_it_applies_nothing() {
    let w = world();
    let venue = TenantId::generate();
    let name = host("tickets.example.org");
    let claim = w.domains.add(&venue, name.clone()).await.unwrap();
    w.dns.create(&claim, EDGE);
    // The scheduled check read the claim; "verify now" moves it first.
    let read_by_schedule = w.store.stored(&venue, &name).unwrap();
    let verified = w.domains.verify(&venue, &name).await.unwrap();
    assert_eq!(verified.status, DomainStatus::IssuingCertificate);
    w.edge.issue_all();
    let late = w.domains.check(&venue, read_by_schedule).await.unwrap();
    assert_eq!(late, verified, "the late check answers what was stored");
    let stored = w.store.stored(&venue, &name).unwrap();
    assert_eq!(stored.version, 1, "written once");
    assert_eq!(w.edge.hostnames(), vec![name], "one edge tenant");
}

#[tokio::test]
async fn platform_subdomains_and_bare_names_are_refused_and_legacy_claims_get_a_token() {
    let w = world();
    let venue = TenantId::generate();
    for bad in ["box.marquee.example", "localhost"] {
        let refused = w.domains.add(&venue, host(bad)).await;
        assert!(
            matches!(refused, Err(DomainError::Invalid(_))),
            "{bad}: {refused:?}"
        );
    }
    let legacy: DomainRecord = serde_json::from_str(
        r#"{"hostname":"old.example.org","status":"pending_verification","createdAt":"2026-12-01T10:00:00+00:00"}"#,
    )
    .unwrap();
    w.store.put(&venue, legacy);
    let listed = w.domains.list(&venue).await.unwrap();
    assert!(listed[0].token.starts_with("marquee-verify="));
    let checked = w
        .domains
        .verify(&venue, &host("old.example.org"))
        .await
        .unwrap();
    assert_eq!(checked.status, DomainStatus::PendingDns);
    assert!(checked.token.starts_with("marquee-verify="));
    assert_eq!(
        w.store
            .stored(&venue, &host("old.example.org"))
            .unwrap()
            .token,
        checked.token,
        "the token is kept once written"
    );
}
