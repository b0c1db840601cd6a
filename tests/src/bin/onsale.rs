//! The onsale benchmark: N virtual patrons race for a 2,000-seat performance on the local
//! stack, over real HTTP through the devserver, with explicit picks (skewed to the best
//! seats, falling back to best available) and best-available requests. Writes JSON and an
//! SVG chart, and checks every seat afterwards: oversold must be 0.
//!
//! `make bench-onsale` (runs it inside a private local stack). Bounded: each patron makes at
//! most a few requests and the whole run stops after `MAX_SECONDS`.
//!
//! `ONSALE_MODE=seated` (default) or `ga` (one general-admission area of the same capacity,
//! patrons asking for 2-4 places); `ONSALE_FIRST_HOLD=0` makes each patron start an empty cart
//! and then hold (two requests), as clients did before a cart could start with its first
//! hold. Each run writes `docs/bench/onsale[-ga][-two-requests].json` and its chart, with
//! HTTP requests, hold-expiry queue messages and DynamoDB calls and consumed capacity per
//! granted hold, the DynamoDB calls of a lone first hold once the race is over, and the CPU
//! seconds each process used (this process: client and server; DynamoDB Local; moto).

use anyhow::{Context, bail, ensure};
use chrono::{Duration, Utc};
use devserver::{DevOptions, DevServer};
use futures::StreamExt;
use marquee_domain::seatmap::generate_arena;
use marquee_domain::{PerformanceId, TenantId};
use marquee_platform::aws::Endpoints;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const SEATS: usize = 2_000;
const PATRONS: usize = 600;
/// Requests in flight at once (a browser-like client count the 2-core machine can drive).
const CONCURRENCY: usize = 64;
const MAX_SECONDS: u64 = 180;

/// What the patrons race for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Seated,
    GeneralAdmission,
}

/// The general-admission area of the `ga` run.
const GA_AREA: &str = "floor";

/// What one patron did: their request samples, and the seats granted (cart id, seat ids).
type Session = (Vec<Sample>, Vec<(String, Vec<String>)>);

#[derive(Debug, Clone)]
struct Sample {
    /// Milliseconds since the start.
    at_ms: f64,
    latency_ms: f64,
    kind: &'static str,
    status: u16,
    seats: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    marquee_platform::tls::install_crypto_provider();
    let endpoints = Endpoints::from_env();
    ensure!(
        endpoints.dynamodb.is_some() && endpoints.moto.is_some(),
        "run through `make bench-onsale` (it starts the local stack)"
    );
    // Selling needs a connected Stripe account (the stack's double); the run itself makes no
    // payments.
    let stripe = devserver::LocalStripe::from_env()
        .map(|local| devserver::LocalStripe {
            secret_key: format!("sk_test_bench_onsale_{}", Utc::now().timestamp_millis()),
            ..local
        })
        .context("the local stack's Stripe double (MARQUEE_STRIPE_URL)")?;
    let meter = marquee_tests::dynamo_meter::DynamoMeter::default();
    let server = devserver::start(DevOptions {
        port: 0,
        endpoints,
        prefix: format!("bench-onsale-{}", Utc::now().timestamp()),
        workers: true,
        visibility_timeout: 10,
        web_dist: DevOptions::default_web_dist(),
        stripe: Some(stripe),
        payment_window_seconds: marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS,
        cjk_font: None,
        origin_secret: None,
        dynamodb_interceptor: Some(meter.interceptor()),
        report_inline_limit: None,
    })
    .await?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()?;
    let mode = match std::env::var("ONSALE_MODE").as_deref() {
        Ok("ga") => Mode::GeneralAdmission,
        Ok("seated") | Err(_) => Mode::Seated,
        Ok(other) => bail!("ONSALE_MODE is seated or ga, not {other}"),
    };
    let first_hold = std::env::var("ONSALE_FIRST_HOLD").as_deref() != Ok("0");
    let (host, performance, tenant) = set_up(&server, &http, mode).await?;
    let layout: Value = http
        .get(format!(
            "http://{}/api/v1/performances/{performance}/seatmap",
            server.addr
        ))
        .header("host", &host)
        .send()
        .await?
        .json()
        .await?;
    let rows: Vec<Vec<String>> = layout["layout"]["sections"]
        .as_array()
        .context("sections")?
        .iter()
        .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
        .map(|r| {
            r["seats"]
                .as_array()
                .map(|seats| {
                    seats
                        .iter()
                        .filter_map(|s| s["id"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    println!(
        "onsale ({mode:?}, first hold in the cart request: {first_hold}): {} seats in {} rows, {PATRONS} patrons, {CONCURRENCY} at a time",
        rows.iter().map(Vec::len).sum::<usize>(),
        rows.len()
    );

    // The expiry worker is kept away while the patrons race (no hold expires in a run), so
    // every message the holds sent is still on the queue to be counted afterwards.
    let paused = server.pause_queue_workers().await;
    meter.take();
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    let seed = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let base = format!("http://{}", server.addr);
    let results: Vec<Session> = futures::stream::iter(0..PATRONS)
        .map(|patron| {
            let http = http.clone();
            let base = base.clone();
            let host = host.clone();
            let performance = performance.clone();
            let rows = &rows;
            let seed = seed.fetch_add(0x6a09_e667_f3bc_c909, Ordering::Relaxed) ^ patron as u64;
            let session = Patron {
                http,
                base,
                host,
                performance,
                first_hold,
                mode,
            };
            async move { session.run(rows, seed, start).await }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let wall = start.elapsed().as_secs_f64();
    let cpu_after = cpu_seconds();
    let dynamodb = meter.take();
    let messages = expiry_messages(&server).await?;
    drop(paused);

    let samples: Vec<Sample> = results
        .iter()
        .flat_map(|(s, _)| s.iter().cloned())
        .collect();
    let granted: Vec<(String, Vec<String>)> = results.into_iter().flat_map(|(_, g)| g).collect();
    let oversold = match mode {
        Mode::Seated => verify(&server, &tenant, &performance, &granted).await?,
        Mode::GeneralAdmission => verify_places(&server, &tenant, &performance, &granted).await?,
    };

    // Lone patrons once the race is over: the DynamoDB calls of one uncontended first hold,
    // explicit seats or GA places.
    let taken: std::collections::HashSet<&String> =
        granted.iter().flat_map(|(_, seats)| seats).collect();
    let probe = match mode {
        Mode::Seated => {
            let free: Vec<&String> = rows
                .iter()
                .flatten()
                .filter(|s| !taken.contains(s))
                .take(6)
                .collect();
            json!({ "performanceId": performance, "seats": free })
        }
        Mode::GeneralAdmission => {
            json!({ "performanceId": performance, "generalAdmission": { "areaId": GA_AREA, "quantity": 2 } })
        }
    };
    // The live seat map's stream worker catches up first (its reads are metered too). The
    // first lone hold warms this instance's caches (performance, seat map, venue: 5 s); the
    // second, at once after it, is the one counted; then a later hold in that cart
    // (`POST /carts/{id}/holds`), counted too.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mut last_cart = None;
    for (round, seats) in [0, 2].into_iter().enumerate() {
        let body = match mode {
            Mode::Seated => {
                json!({ "performanceId": performance, "seats": &probe["seats"].as_array().context("free seats")?[seats..seats + 2] })
            }
            Mode::GeneralAdmission => probe.clone(),
        };
        if round == 1 {
            meter.take();
        }
        let answer = http
            .post(format!("{base}/api/v1/carts"))
            .header("host", &host)
            .json(&body)
            .send()
            .await?;
        ensure!(
            answer.status() == reqwest::StatusCode::CREATED,
            "the lone patron's hold: {}",
            answer.status()
        );
        last_cart = Some(answer.json::<Value>().await?);
    }
    let lone_hold = meter.take();
    let cart = last_cart.context("the lone patron's cart")?;
    let body = match mode {
        Mode::Seated => {
            json!({ "performanceId": performance, "seats": &probe["seats"].as_array().context("free seats")?[4..6] })
        }
        Mode::GeneralAdmission => probe.clone(),
    };
    let answer = http
        .post(format!(
            "{base}/api/v1/carts/{}/holds",
            cart["cartId"].as_str().context("cart id")?
        ))
        .header("host", &host)
        .header(
            "x-cart-token",
            cart["cartToken"].as_str().context("cart token")?,
        )
        .json(&body)
        .send()
        .await?;
    ensure!(
        answer.status() == reqwest::StatusCode::CREATED,
        "the lone patron's later hold: {}",
        answer.status()
    );
    let shown = answer.json::<Value>().await?;
    ensure!(
        shown["items"].as_array().map(Vec::len) == Some(4),
        "the later hold answers the whole cart: {shown}"
    );
    let later_hold = meter.take();

    let ok: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.kind != "cart" && s.status == 201)
        .collect();
    let mut latencies: Vec<f64> = samples
        .iter()
        .filter(|s| s.kind != "cart")
        .map(|s| s.latency_ms)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let seats_held: usize = ok.iter().map(|s| s.seats).sum();
    let conflicts = samples
        .iter()
        .filter(|s| s.kind != "cart" && s.status == 409)
        .count();
    let errors = samples
        .iter()
        .filter(|s| s.kind != "cart" && s.status >= 500)
        .count();
    let granted_holds = ok.len().max(1) as f64;
    let cpu: serde_json::Map<String, Value> = cpu_after
        .iter()
        .map(|(process, after)| {
            let before = cpu_before.get(process).copied().unwrap_or(0.0);
            (
                process.clone(),
                json!(((after - before) * 100.0).round() / 100.0),
            )
        })
        .collect();
    let report = json!({
        "mode": match mode { Mode::Seated => "seated", Mode::GeneralAdmission => "general admission" },
        "firstHoldInCartRequest": first_hold,
        "httpRequests": samples.len(),
        "httpRequestsPerGrantedHold": samples.len() as f64 / granted_holds,
        "holdExpiryMessages": messages,
        "holdExpiryMessagesPerHold": messages as f64 / latencies.len().max(1) as f64,
        "loneFirstHoldDynamodbCalls": lone_hold.calls,
        "loneLaterHoldDynamodbCalls": later_hold.calls,
        "dynamodb": {
            "calls": dynamodb.calls,
            "callsPerGrantedHold": dynamodb.calls.values().sum::<u64>() as f64 / granted_holds,
            "capacityUnits": dynamodb.capacity_units,
            "capacityUnitsPerGrantedHold": dynamodb.capacity_units / granted_holds,
            "callsReportingCapacity": dynamodb.calls_with_capacity,
            "note": "every DynamoDB call of the devserver during the race (the hold requests and the live seat map's stream worker; the expiry worker is paused); capacity as DynamoDB Local reports it for answered calls (a cancelled transaction reports none)",
        },
        "cpuSeconds": cpu,
        "seats": SEATS,
        "patrons": PATRONS,
        "concurrency": CONCURRENCY,
        "wallSeconds": wall,
        "holdRequests": latencies.len(),
        "holdsGranted": ok.len(),
        "holdsPerSecond": ok.len() as f64 / wall,
        "seatsHeld": seats_held,
        "seatsHeldPerSecond": seats_held as f64 / wall,
        "conflicts": conflicts,
        "serverErrors": errors,
        "latencyMs": { "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": latencies.last().copied().unwrap_or(0.0) },
        "byKind": by_kind(&samples),
        "oversold": oversold,
        "note": "local stack: DynamoDB Local (Java, in-memory) + moto, devserver built with the bench profile (opt-level 3), one 2-core machine; client, server and database share the CPU",
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/bench");
    std::fs::create_dir_all(&dir)?;
    let name = format!(
        "onsale{}{}",
        if mode == Mode::GeneralAdmission {
            "-ga"
        } else {
            ""
        },
        if first_hold { "" } else { "-two-requests" }
    );
    std::fs::write(
        dir.join(format!("{name}.json")),
        serde_json::to_string_pretty(&report)?,
    )?;
    std::fs::write(dir.join(format!("{name}.svg")), chart(&samples, wall))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    ensure!(oversold == 0, "OVERSOLD: {oversold} seats");
    Ok(())
}

async fn set_up(
    server: &DevServer,
    http: &reqwest::Client,
    mode: Mode,
) -> anyhow::Result<(String, String, TenantId)> {
    let marquee_tests::bench::BenchVenue {
        base,
        host,
        tenant,
        owner_token: token,
    } = marquee_tests::bench::bench_venue(server, http, "Bench Arena", "bench").await?;
    let post = |path: String, body: Value| {
        http.post(format!("{base}{path}"))
            .header("host", &host)
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let layout = match mode {
        Mode::Seated => serde_json::to_value(generate_arena(SEATS))?,
        Mode::GeneralAdmission => json!({
            "name": "Festival field",
            "zones": [ { "id": "ga", "name": "General admission" } ],
            "sections": [],
            "areas": [ { "id": GA_AREA, "name": "The Floor", "zone": "ga", "capacity": SEATS, "x": 1.0, "y": 1.0 } ],
        }),
    };
    let map: Value = post("/admin/v1/seatmaps".into(), layout)
        .await?
        .json()
        .await?;
    let map_id = map["id"]
        .as_str()
        .with_context(|| format!("seat map: {map}"))?
        .to_owned();
    let zones: Vec<String> = map["layout"]["zones"]
        .as_array()
        .context("zones")?
        .iter()
        .filter_map(|z| z["id"].as_str().map(str::to_owned))
        .collect();
    let event: Value = post(
        "/admin/v1/events".into(),
        json!({ "title": "The Big Onsale" }),
    )
    .await?
    .json()
    .await?;
    let prices: Vec<Value> = zones
        .iter()
        .map(|z| json!({ "zone": z, "priceType": "adult", "amount": 5000 }))
        .collect();
    let body = json!({ "startsAt": (Utc::now() + Duration::days(30)).to_rfc3339(), "seatMapId": map_id, "prices": prices });
    let created: Value = post(
        format!(
            "/admin/v1/events/{}/performances",
            event["id"].as_str().context("event")?
        ),
        body,
    )
    .await?
    .json()
    .await?;
    let performance = created["id"]
        .as_str()
        .with_context(|| format!("performance: {created}"))?
        .to_owned();
    let published = post(
        format!("/admin/v1/performances/{performance}/publish"),
        json!({}),
    )
    .await?;
    if !published.status().is_success() {
        bail!("publish failed: {}", published.text().await?);
    }
    Ok((host, performance, tenant))
}

/// One patron's client.
struct Patron {
    http: reqwest::Client,
    base: String,
    host: String,
    performance: String,
    /// Start the cart with the first hold (one request), rather than an empty cart first.
    first_hold: bool,
    mode: Mode,
}

/// A cart's id and token.
type Cart = (String, String);

impl Patron {
    /// Up to three attempts: seated, an explicit pick near the best rows (seven in ten
    /// patrons) or a best-available request, falling back to best available after a
    /// conflict; general admission, 2-4 places. Returns the samples and what was granted
    /// (cart id, seat ids or, for places, hold ids).
    async fn run(self, rows: &[Vec<String>], mut seed: u64, start: Instant) -> Session {
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut samples = Vec::new();
        let mut granted = Vec::new();
        if start.elapsed().as_secs() > MAX_SECONDS {
            return (samples, granted);
        }
        let mut cart: Option<Cart> = None;
        if !self.first_hold {
            let t = Instant::now();
            let Ok(response) = self.post("/api/v1/carts", None, &json!({})).await else {
                return (samples, granted);
            };
            samples.push(Sample {
                at_ms: ms(start),
                latency_ms: t.elapsed().as_secs_f64() * 1000.0,
                kind: "cart",
                status: response.status().as_u16(),
                seats: 0,
            });
            let Ok(body) = response.json::<Value>().await else {
                return (samples, granted);
            };
            cart = credentials(&body);
            if cart.is_none() {
                return (samples, granted);
            }
        }
        let quantity = 2 + (next() % 3) as usize;
        let mut explicit = self.mode == Mode::Seated && next() % 10 < 7;
        for _ in 0..3 {
            let body = if self.mode == Mode::GeneralAdmission {
                json!({ "performanceId": self.performance, "generalAdmission": { "areaId": GA_AREA, "quantity": quantity } })
            } else if explicit {
                // Popularity: most patrons aim at the front quarter of the rows.
                let band = (rows.len() / 4).max(1);
                let row = &rows[(next() as usize % band).min(rows.len() - 1)];
                if row.len() < quantity {
                    explicit = false;
                    continue;
                }
                let first = next() as usize % (row.len() - quantity + 1);
                json!({ "performanceId": self.performance, "seats": &row[first..first + quantity] })
            } else {
                json!({ "performanceId": self.performance, "bestAvailable": { "quantity": quantity } })
            };
            let kind = match (self.mode, explicit) {
                (Mode::GeneralAdmission, _) => "general_admission",
                (Mode::Seated, true) => "explicit",
                (Mode::Seated, false) => "best_available",
            };
            let t = Instant::now();
            let response = match &cart {
                Some((id, token)) => {
                    self.post(&format!("/api/v1/carts/{id}/holds"), Some(token), &body)
                        .await
                }
                None => self.post("/api/v1/carts", None, &body).await,
            };
            let Ok(response) = response else {
                break;
            };
            let status = response.status().as_u16();
            let reply: Value = response.json().await.unwrap_or(Value::Null);
            samples.push(Sample {
                at_ms: ms(start),
                latency_ms: t.elapsed().as_secs_f64() * 1000.0,
                kind,
                status,
                seats: if status == 201 { quantity } else { 0 },
            });
            if status == 201 {
                let Some((cart_id, _)) = cart.clone().or_else(|| credentials(&reply)) else {
                    break;
                };
                let held = reply["items"]
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| match self.mode {
                                Mode::Seated => i["seat"]["id"].as_str(),
                                Mode::GeneralAdmission => i["holdId"].as_str(),
                            })
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                granted.push((cart_id, held));
                break;
            }
            let reason = &reply["error"]["details"]["reason"];
            if status == 409
                && !explicit
                && (reason == "none_available" || self.mode == Mode::GeneralAdmission)
            {
                break; // sold out for this quantity
            }
            explicit = false;
        }
        (samples, granted)
    }

    async fn post(
        &self,
        path: &str,
        cart_token: Option<&str>,
        body: &Value,
    ) -> reqwest::Result<reqwest::Response> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("host", &self.host)
            .json(body);
        if let Some(token) = cart_token {
            request = request.header("x-cart-token", token);
        }
        request.send().await
    }
}

/// A cart's id and token from the answer that started it.
fn credentials(body: &Value) -> Option<Cart> {
    Some((
        body["cartId"].as_str()?.to_owned(),
        body["cartToken"].as_str()?.to_owned(),
    ))
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Reads every seat item: each seat must be held by exactly the cart that was told it got
/// it. Returns the number of seats that violate that (oversold).
async fn verify(
    server: &DevServer,
    tenant: &TenantId,
    performance: &str,
    granted: &[(String, Vec<String>)],
) -> anyhow::Result<usize> {
    let performance = PerformanceId::parse(performance)?;
    let record = server
        .store
        .performance(tenant, &performance)
        .await?
        .context("performance")?;
    let (_, layout) = server
        .store
        .seat_map(tenant, &record.seat_map_id)
        .await?
        .context("layout")?;
    let sections: Vec<_> = layout.sections.iter().map(|s| s.id.clone()).collect();
    let stored = server
        .store
        .seat_states(tenant, &performance, &sections)
        .await?;
    let mut promised: HashMap<&str, &str> = HashMap::new();
    let mut oversold = 0;
    for (cart, seats) in granted {
        for seat in seats {
            if promised.insert(seat, cart).is_some() {
                oversold += 1; // two patrons were told they have this seat
            }
        }
    }
    let stored_ids: HashSet<String> = stored.keys().map(ToString::to_string).collect();
    for (seat, cart) in &promised {
        match stored.iter().find(|(id, _)| id.as_str() == *seat) {
            Some((_, state)) if state.cart.as_ref().map(|c| c.as_str()) == Some(*cart) => {}
            _ => oversold += 1,
        }
    }
    ensure!(
        stored_ids.len() == promised.len(),
        "{} seats stored as held but {} granted",
        stored_ids.len(),
        promised.len()
    );
    Ok(oversold)
}

fn by_kind(samples: &[Sample]) -> Value {
    let mut out = serde_json::Map::new();
    for kind in ["cart", "explicit", "best_available", "general_admission"] {
        let mut of_kind: Vec<f64> = samples
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.latency_ms)
            .collect();
        of_kind.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            of_kind
                .get(((of_kind.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let granted = samples
            .iter()
            .filter(|s| s.kind == kind && s.status == 201)
            .count();
        out.insert(kind.into(), json!({ "requests": of_kind.len(), "granted": granted, "p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99) }));
    }
    Value::Object(out)
}

/// Holds granted per second over time (bars) and hold latency (dots), as a plain SVG.
fn chart(samples: &[Sample], wall: f64) -> String {
    let (w, h, pad) = (900.0, 360.0, 50.0);
    let seconds = wall.ceil().max(1.0) as usize;
    let mut per_second = vec![0usize; seconds + 1];
    for s in samples
        .iter()
        .filter(|s| s.kind != "cart" && s.status == 201)
    {
        per_second[(s.at_ms / 1000.0) as usize] += 1;
    }
    let max_rate = *per_second.iter().max().unwrap_or(&1) as f64;
    let max_latency = samples
        .iter()
        .filter(|s| s.kind != "cart")
        .map(|s| s.latency_ms)
        .fold(1.0, f64::max);
    let x = |t_ms: f64| pad + (t_ms / 1000.0) / seconds as f64 * (w - 2.0 * pad);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\
         <text x=\"{pad}\" y=\"20\">Onsale: holds granted per second (bars, left scale, max {max_rate:.0}/s) and hold latency (dots, right scale, max {max_latency:.0} ms)</text>"
    );
    let bar_w = (w - 2.0 * pad) / seconds as f64;
    for (i, count) in per_second.iter().enumerate() {
        let bh = *count as f64 / max_rate * (h - 2.0 * pad);
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#9ecae1\"/>",
            pad + i as f64 * bar_w,
            h - pad - bh,
            (bar_w - 1.0).max(1.0)
        ));
    }
    for s in samples.iter().filter(|s| s.kind != "cart") {
        let colour = match s.status {
            201 => "#2b8cbe",
            409 => "#f03b20",
            _ => "#000000",
        };
        let y = h - pad - s.latency_ms / max_latency * (h - 2.0 * pad);
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"1.5\" fill=\"{colour}\"/>",
            x(s.at_ms)
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{pad}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"black\"/><text x=\"{pad}\" y=\"{2}\">0 s</text><text x=\"{3}\" y=\"{2}\">{wall:.1} s</text>\
         <text x=\"{pad}\" y=\"{4}\">blue dots: granted · red: seat taken (409)</text></svg>",
        h - pad,
        w - pad,
        h - pad + 15.0,
        w - pad - 30.0,
        h - 10.0
    ));
    svg
}

/// Messages on the hold-expiry queue (visible, delayed or in flight).
async fn expiry_messages(server: &DevServer) -> anyhow::Result<usize> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let names = [
        A::ApproximateNumberOfMessages,
        A::ApproximateNumberOfMessagesDelayed,
        A::ApproximateNumberOfMessagesNotVisible,
    ];
    let attributes = server
        .sqs
        .get_queue_attributes()
        .queue_url(&server.config.hold_expiry_queue_url)
        .set_attribute_names(Some(names.to_vec()))
        .send()
        .await?
        .attributes
        .unwrap_or_default();
    Ok(names
        .iter()
        .filter_map(|name| attributes.get(name).and_then(|v| v.parse::<usize>().ok()))
        .sum())
}

/// CPU seconds (user + system) used so far by this process (client and devserver), DynamoDB
/// Local and moto, read from /proc.
fn cpu_seconds() -> HashMap<String, f64> {
    let ticks = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    let used = |pid: &str| -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let user: f64 = fields.get(11)?.parse().ok()?;
        let system: f64 = fields.get(12)?.parse().ok()?;
        Some((user + system) / ticks)
    };
    let mut out = HashMap::new();
    if let Some(own) = used("self") {
        out.insert("bench client + devserver".to_owned(), own);
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let process = if cmdline.contains("DynamoDBLocal") {
            "DynamoDB Local"
        } else if cmdline.contains("moto") && !cmdline.contains("bash") {
            "moto"
        } else {
            continue;
        };
        if let Some(seconds) = used(&pid) {
            *out.entry(process.to_owned()).or_default() += seconds;
        }
    }
    out
}

/// General admission: the area's counter shards together must equal the places granted,
/// and none may exceed its share of the capacity. Returns the places over (oversold).
async fn verify_places(
    server: &DevServer,
    tenant: &TenantId,
    performance: &str,
    granted: &[(String, Vec<String>)],
) -> anyhow::Result<usize> {
    let performance = PerformanceId::parse(performance)?;
    let record = server
        .store
        .performance(tenant, &performance)
        .await?
        .context("the benchmark's performance")?;
    let (map, _) = server
        .store
        .seat_map(tenant, &record.seat_map_id)
        .await?
        .context("the benchmark's seat map")?;
    let area = map
        .areas
        .iter()
        .find(|a| a.id.as_str() == GA_AREA)
        .context("the benchmark's area")?;
    let capacity = record.ga_capacity(area);
    let shards = server
        .store
        .ga_counter_shards(tenant, &performance, &area.id, capacity, true)
        .await?;
    let mut taken = 0;
    let mut over = 0;
    for (shard, count) in (0..).zip(&shards) {
        let counted = count.held as usize + count.sold as usize;
        over += counted.saturating_sub(capacity.shard_places(shard) as usize);
        taken += counted;
    }
    let promised: usize = granted.iter().map(|(_, places)| places.len()).sum();
    ensure!(
        taken == promised,
        "{taken} places counted as taken but {promised} granted"
    );
    println!(
        "general admission: {} counter shards, {taken} places taken",
        shards.len()
    );
    Ok(over + taken.saturating_sub(SEATS))
}
