//! Custom hostnames: syntax, platform space, global uniqueness.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn two_venues_racing_for_one_hostname_one_wins() {
    let app = spawn_app().await;
    let a = app.create_venue().await;
    let b = app.create_venue().await;
    let (ta, tb) = (app.login_owner(&a).await, app.login_owner(&b).await);
    for round in 0..5 {
        let hostname = format!("tickets{round}.shared-{}.example.org", a.slug);
        let body = json!({ "hostname": hostname });
        let (ra, rb) = tokio::join!(
            app.post(&a.host, "/admin/v1/domains", Some(&ta), body.clone()),
            app.post(&b.host, "/admin/v1/domains", Some(&tb), body.clone()),
        );
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            ra.body,
            rb.body
        );
        let (winner, loser, loser_reply) = if ra.status == StatusCode::CREATED {
            (&a, &b, &rb)
        } else {
            (&b, &a, &ra)
        };
        assert_eq!(loser_reply.error_code(), "hostname_taken");
        // The hostname serves the winner, and the loser has nothing half-registered.
        assert_eq!(
            app.get(&hostname, "/api/v1/site", None).await.body["slug"],
            winner.slug
        );
        let loser_token = if loser.slug == a.slug { &ta } else { &tb };
        let listed = app
            .get(&loser.host, "/admin/v1/domains", Some(loser_token))
            .await;
        assert!(
            !listed.body["domains"].to_string().contains(&hostname),
            "{}",
            listed.body
        );
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
