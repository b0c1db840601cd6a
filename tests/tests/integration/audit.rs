//! The audit log of staff actions: a refund's trail (who, when, what, before and after),
//! filters by kind, staff and date, one venue's log closed to another, no way to change it,
//! and staff changes recorded with the roles before and after.

use crate::helpers::spawn_app;
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn entries(reply: &crate::helpers::Reply) -> Vec<Value> {
    reply.body["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_refund_leaves_a_trail_of_who_did_what_with_the_amounts_before_and_after() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = show.venue.host.clone();
    let cart = app.new_cart(&host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let checkout = app.checkout(&host, &cart, "trail@example.org").await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    app.pay(&checkout.body, crate::checkout::VISA).await;
    let order = app.await_order(&host, &checkout.body, "paid").await;
    let order_id = checkout.body["orderId"].as_str().unwrap();
    let refunded = app
        .post(
            &host,
            &format!("/admin/v1/orders/{order_id}/refund"),
            Some(&show.token),
            json!({ "reason": "Could not come" }),
        )
        .await;
    assert_eq!(refunded.status, StatusCode::OK, "{}", refunded.body);

    let (app_at, host_at, token_at) = (&app, &host, &show.token);
    let audit = move |query: &str| {
        let path = format!("/admin/v1/audit{query}");
        async move { app_at.get(host_at, &path, Some(token_at)).await }
    };
    let trail = audit("?kind=order_refunded").await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let found = entries(&trail);
    assert_eq!(found.len(), 1, "{}", trail.body);
    let entry = &found[0];
    assert_eq!(entry["staff"], show.venue.owner_email.as_str());
    assert_eq!(entry["target"], format!("order:{order_id}"));
    assert_eq!(entry["before"]["refunded"], 0);
    assert_eq!(entry["before"]["status"], "paid");
    assert_eq!(entry["after"]["refunded"], order["totals"]["total"]);
    assert_eq!(entry["after"]["reason"], "Could not come");
    let at = chrono::DateTime::parse_from_rfc3339(entry["at"].as_str().unwrap()).unwrap();
    assert!((Utc::now() - at.with_timezone(&Utc)).num_seconds() < 120);

    // The whole log, newest first: the refund after the publishing and the owner's login.
    let all = entries(&audit("").await);
    let kinds: Vec<&str> = all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    let position = |kind: &str| {
        kinds
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_else(|| panic!("{kind} in {kinds:?}"))
    };
    assert!(position("order_refunded") < position("performance_published"));
    assert!(position("performance_published") < position("performance_created"));
    assert!(kinds.contains(&"login"));
    let times: Vec<&str> = all.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    let published = &all[position("performance_published")];
    assert_eq!(published["before"]["status"], "draft");
    assert_eq!(published["after"]["status"], "on_sale");

    // Filters: by staff, and by days in the venue's timezone.
    assert!(entries(&audit("?staff=someone-else%40example.org").await).is_empty());
    let mine = entries(
        &audit(&format!(
            "?staff={}",
            show.venue.owner_email.replace('@', "%40")
        ))
        .await,
    );
    assert_eq!(mine.len(), all.len());
    assert!(entries(&audit("?from=2020-01-01&to=2020-01-02").await).is_empty());
    let today = Utc::now().date_naive();
    let window = format!(
        "?from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    assert_eq!(entries(&audit(&window).await).len(), all.len());
    for (query, field) in [
        ("?kind=order_deleted", "kind"),
        ("?from=yesterday", "from"),
        ("?to=2026-13-01", "to"),
    ] {
        let refused = audit(query).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            refused.body
        );
        assert_eq!(refused.body["error"]["details"]["field"], field, "{query}");
    }

    // Another venue's owner sees only their own venue's log.
    let other = app.create_venue().await;
    let other_token = app.login_owner(&other).await;
    let theirs = app
        .get(&other.host, "/admin/v1/audit", Some(&other_token))
        .await;
    assert!(
        entries(&theirs)
            .iter()
            .all(|e| e["staff"] == other.owner_email.as_str()),
        "{}",
        theirs.body
    );

    // Nothing changes an entry.
    for method in [Method::DELETE, Method::PUT, Method::PATCH] {
        let reply = app
            .call(
                method.clone(),
                &host,
                "/admin/v1/audit",
                Some(&show.token),
                Some(json!({})),
            )
            .await;
        assert!(!reply.status.is_success(), "{method}: {}", reply.status);
    }
    assert_eq!(entries(&audit("?kind=order_refunded").await).len(), 1);
}

#[tokio::test]
async fn staff_invitations_role_changes_and_removals_are_recorded_with_the_roles() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let owner = app.login_owner(&venue).await;
    app.add_staff(&venue, &owner, "clerk@example.org", "box_office")
        .await;
    let path = "/admin/v1/staff/clerk%40example.org";
    let promoted = app
        .put(
            &venue.host,
            path,
            Some(&owner),
            json!({ "role": "manager" }),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let removed = app
        .call(Method::DELETE, &venue.host, path, Some(&owner), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);

    let log = app.get(&venue.host, "/admin/v1/audit", Some(&owner)).await;
    let staff_entries: Vec<Value> = entries(&log)
        .into_iter()
        .filter(|e| e["target"] == "staff:clerk@example.org")
        .collect();
    let kinds: Vec<&str> = staff_entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["staff_removed", "staff_role_changed", "staff_invited"],
        "newest first"
    );
    assert_eq!(staff_entries[0]["before"]["role"], "manager");
    assert!(
        staff_entries[0].get("after").is_none(),
        "nothing left after a removal"
    );
    assert_eq!(staff_entries[1]["before"]["role"], "box_office");
    assert_eq!(staff_entries[1]["after"]["role"], "manager");
    assert!(
        staff_entries[2].get("before").is_none(),
        "nothing before an invitation"
    );
    assert_eq!(staff_entries[2]["after"]["role"], "box_office");
    assert!(
        staff_entries
            .iter()
            .all(|e| e["staff"] == venue.owner_email.as_str())
    );
}

#[tokio::test]
async fn seat_blocks_and_password_changes_are_recorded_without_the_password() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 4, 600).await;
    let host = show.venue.host.clone();
    let blocks = format!("/admin/v1/performances/{}/blocks", show.performance);
    for action in ["block", "unblock"] {
        let done = app
            .post(
                &host,
                &blocks,
                Some(&show.token),
                json!({ "seats": [show.seats[0][0], show.seats[0][1]], "action": action }),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
    let new_password = "a fresh owner passphrase";
    let changed = app
        .post(
            &host,
            "/admin/v1/password",
            Some(&show.token),
            json!({ "currentPassword": crate::helpers::OWNER_PASSWORD, "newPassword": new_password }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let token = changed.body["token"].as_str().unwrap();

    let log = app.get(&host, "/admin/v1/audit", Some(token)).await;
    let all = entries(&log);
    let kinds: Vec<&str> = all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        &kinds[..3],
        ["password_changed", "seats_unblocked", "seats_blocked"],
        "{kinds:?}"
    );
    assert_eq!(
        all[2]["target"],
        format!("performance:{}", show.performance)
    );
    assert_eq!(all[2]["after"]["blocked"][0], show.seats[0][0].as_str());
    assert_eq!(all[1]["before"]["blocked"][1], show.seats[0][1].as_str());
    assert!(all[0].get("before").is_none() && all[0].get("after").is_none());
    assert!(
        !log.body.to_string().contains(new_password),
        "no password in the log"
    );
}
