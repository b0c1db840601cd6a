//! The demo venue of `make dev`, created through the platform and admin APIs like any venue:
//! a 500-seat proscenium theatre (orchestra, mezzanine, balcony; an accessible row), a
//! general-admission lawn for 300, and three events with performances in the coming weeks.

use crate::{DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, DEMO_SLUG, DevServer, LOCAL_PLATFORM_KEY};
use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc};
use serde_json::{Value, json};
use tower::ServiceExt;

const DEMO_HOST: &str = "demo.localhost";

/// Creates the demo venue and its catalog unless the venue exists.
pub async fn seed_demo(server: &DevServer) -> anyhow::Result<()> {
    let venue = json!({
        "name": "Demo Playhouse",
        "slug": DEMO_SLUG,
        "timezone": "America/New_York",
        "currency": "USD",
        "ownerEmail": DEMO_OWNER_EMAIL,
        "ownerPassword": DEMO_OWNER_PASSWORD,
        "ownerName": "Demo Owner",
    });
    let (status, _) = call(
        server,
        "POST",
        "localhost",
        "/platform/v1/venues",
        None,
        Some(venue),
    )
    .await?;
    let created = match status {
        StatusCode::CREATED => {
            tracing::info!("demo venue created");
            true
        }
        StatusCode::CONFLICT => {
            tracing::info!("demo venue already exists");
            false
        }
        other => bail!("creating the demo venue failed with {other}"),
    };
    let (_, login) = expect(
        call(
            server,
            "POST",
            DEMO_HOST,
            "/admin/v1/login",
            None,
            Some(json!({ "email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD })),
        )
        .await?,
        StatusCode::OK,
        "logging in as the demo owner",
    )?;
    let token = login["token"].as_str().context("login token")?.to_owned();
    // Already connected in the double, so `make dev` sells at once (also after the double
    // restarted with the venue still in the table).
    connect_venue(server, DEMO_HOST, &token).await?;
    if !created {
        return Ok(());
    }
    let (_, map) = expect(
        call(
            server,
            "POST",
            DEMO_HOST,
            "/admin/v1/seatmaps",
            Some(&token),
            Some(theatre()),
        )
        .await?,
        StatusCode::CREATED,
        "creating the demo seat map",
    )?;
    let map_id = map["id"].as_str().context("seat map id")?.to_owned();

    let events = [
        (
            "The Tempest",
            "Shakespeare's last play: a storm, an island, and a magician who lets go.",
            vec![(8, 19, 30), (9, 19, 30), (15, 14, 0)],
        ),
        (
            "Jazz at Dusk",
            "A quartet under the lights, with the lawn open for picnics.",
            vec![(12, 20, 0), (19, 20, 0)],
        ),
        (
            "Peter and the Wolf",
            "Prokofiev's tale for the whole family, narrated live.",
            vec![(10, 11, 0), (17, 11, 0)],
        ),
    ];
    let zone = chrono_tz::America::New_York;
    for (title, description, dates) in events {
        let (_, event) = expect(
            call(
                server,
                "POST",
                DEMO_HOST,
                "/admin/v1/events",
                Some(&token),
                Some(json!({ "title": title, "description": description })),
            )
            .await?,
            StatusCode::CREATED,
            "creating a demo event",
        )?;
        let event_id = event["id"].as_str().context("event id")?.to_owned();
        for (days, hour, minute) in dates {
            let day = (Utc::now() + Duration::days(days))
                .with_timezone(&zone)
                .date_naive();
            let time = NaiveTime::from_hms_opt(hour, minute, 0).context("time")?;
            let starts = zone
                .from_local_datetime(&day.and_time(time))
                .single()
                .with_context(|| format!("{} {time} is ambiguous in New York", day.ordinal()))?;
            let body = json!({
                "startsAt": starts.with_timezone(&Utc).to_rfc3339(),
                "seatMapId": map_id,
                "prices": prices(),
                "fees": [ { "name": "Booking fee", "basis": "per_ticket", "fixed": 200 } ],
                "taxes": [ { "name": "Sales tax", "rateBp": 875, "inclusive": false } ],
            });
            let (_, performance) = expect(
                call(
                    server,
                    "POST",
                    DEMO_HOST,
                    &format!("/admin/v1/events/{event_id}/performances"),
                    Some(&token),
                    Some(body),
                )
                .await?,
                StatusCode::CREATED,
                "creating a demo performance",
            )?;
            let id = performance["id"].as_str().context("performance id")?;
            expect(
                call(
                    server,
                    "POST",
                    DEMO_HOST,
                    &format!("/admin/v1/performances/{id}/publish"),
                    Some(&token),
                    Some(json!({})),
                )
                .await?,
                StatusCode::OK,
                "publishing a demo performance",
            )?;
        }
    }
    tracing::info!(
        "demo catalog created: 3 events, 7 performances, a 500-seat theatre and a 300-person lawn"
    );
    Ok(())
}

/// Connects a venue's Stripe account in the local double, as an owner finishing onboarding
/// would: onboarding started through the admin API (the account is created), the double's
/// account completed (or made again under the same id when the double restarted), and the
/// state read back. Returns the account id; without a Stripe double, does nothing.
pub async fn connect_venue(
    server: &DevServer,
    host: &str,
    owner_token: &str,
) -> anyhow::Result<Option<String>> {
    let Some(stripe) = server.config.stripe.as_ref() else {
        return Ok(None);
    };
    let double = stripe.api_base.clone().context("the double's URL")?;
    let payments = |refresh: bool| {
        call(
            server,
            "GET",
            host,
            if refresh {
                "/admin/v1/payments?refresh=true"
            } else {
                "/admin/v1/payments"
            },
            Some(owner_token),
            None,
        )
    };
    let (_, current) = expect(payments(false).await?, StatusCode::OK, "reading payments")?;
    if current["accountId"].is_null() {
        expect(
            call(
                server,
                "POST",
                host,
                "/admin/v1/payments/onboarding",
                Some(owner_token),
                None,
            )
            .await?,
            StatusCode::OK,
            "starting onboarding",
        )?;
    }
    let (_, started) = expect(payments(false).await?, StatusCode::OK, "reading payments")?;
    let account = started["accountId"]
        .as_str()
        .context("an account id after onboarding started")?
        .to_owned();
    reqwest::Client::builder()
        .no_proxy()
        .build()?
        .post(format!("{double}/_double/accounts"))
        .bearer_auth(stripe.secret_key.expose())
        .json(&json!({ "id": account, "outcome": "complete" }))
        .send()
        .await
        .context("reaching the Stripe double")?
        .error_for_status()
        .context("completing the account in the Stripe double")?;
    let (_, connected) = expect(payments(true).await?, StatusCode::OK, "refreshing payments")?;
    if connected["status"] != "connected" {
        bail!("the venue's account did not connect: {connected}");
    }
    Ok(Some(account))
}

fn prices() -> Value {
    let mut rows = Vec::new();
    for (zone, adult) in [
        ("premium", 8500),
        ("standard", 6000),
        ("balcony", 3500),
        ("lawn", 2500),
    ] {
        rows.push(json!({ "zone": zone, "priceType": "adult", "amount": adult }));
        rows.push(json!({ "zone": zone, "priceType": "senior", "amount": adult * 8 / 10 }));
        rows.push(json!({ "zone": zone, "priceType": "student", "amount": adult / 2 }));
    }
    Value::Array(rows)
}

/// Orchestra 10 × 24, mezzanine 6 × 20, balcony 7 × 20 = 500 seats; row J of the
/// orchestra is the accessible row (wheelchair spaces with companion seats).
fn theatre() -> Value {
    let mut rank = 0u32;
    let mut section = |id: &str,
                       name: &str,
                       rows: &[char],
                       seats: u32,
                       top: f64,
                       zone_for: &dyn Fn(usize) -> &'static str| {
        let rows: Vec<Value> = rows
            .iter()
            .enumerate()
            .map(|(r, label)| {
                let width = f64::from(seats) * 30.0;
                let seats: Vec<Value> = (1..=seats)
                    .map(|n| {
                        rank += 1;
                        // Centre seats rank better than the ends of the same row.
                        let from_centre = (f64::from(n) - f64::from(seats + 1) / 2.0).abs();
                        let accessible = id == "orchestra" && *label == 'J' && (n <= 2 || n > seats - 2);
                        json!({
                            "id": format!("{id}-{label}-{n}"),
                            "label": n.to_string(),
                            "x": 500.0 - width / 2.0 + f64::from(n) * 30.0,
                            "y": top + r as f64 * 32.0,
                            "zone": zone_for(r),
                            "rank": rank + (from_centre * 4.0) as u32,
                            "accessible": accessible,
                            "companion": id == "orchestra" && *label == 'J' && (n == 3 || n == seats - 2),
                        })
                    })
                    .collect();
                json!({ "label": label.to_string(), "seats": seats })
            })
            .collect();
        json!({ "id": id, "name": name, "rows": rows })
    };
    let orchestra = section(
        "orchestra",
        "Orchestra",
        &['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'],
        24,
        120.0,
        &|r| if r < 5 { "premium" } else { "standard" },
    );
    let mezzanine = section(
        "mezzanine",
        "Mezzanine",
        &['K', 'L', 'M', 'N', 'O', 'P'],
        20,
        480.0,
        &|_| "standard",
    );
    let balcony = section(
        "balcony",
        "Balcony",
        &['Q', 'R', 'S', 'T', 'U', 'V', 'W'],
        20,
        700.0,
        &|_| "balcony",
    );
    json!({
        "name": "Demo Playhouse",
        "zones": [
            { "id": "premium", "name": "Premium", "colour": "#b8336a" },
            { "id": "standard", "name": "Standard", "colour": "#3c6e71" },
            { "id": "balcony", "name": "Balcony", "colour": "#d9a441" },
            { "id": "lawn", "name": "Lawn", "colour": "#5a9e4b" },
        ],
        "sections": [orchestra, mezzanine, balcony],
        "areas": [ { "id": "lawn", "name": "The Lawn", "zone": "lawn", "capacity": 300, "x": 500.0, "y": 1000.0 } ],
    })
}

async fn call(
    server: &DevServer,
    method: &str,
    host: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> anyhow::Result<(StatusCode, Value)> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("content-type", "application/json");
    if path.starts_with("/platform/") {
        request = request.header("x-platform-key", LOCAL_PLATFORM_KEY);
    }
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::from(body.map(|b| b.to_string()).unwrap_or_default()))?;
    let response = server.router.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024).await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

fn expect(
    (status, body): (StatusCode, Value),
    wanted: StatusCode,
    what: &str,
) -> anyhow::Result<(StatusCode, Value)> {
    if status != wanted {
        bail!("{what} failed with {status}: {body}");
    }
    Ok((status, body))
}
