//! The window benchmark (issue 15): box office sales from seat pick to printed tickets, over
//! real HTTP through the devserver, one after another as at a window. For each sale: a staff
//! cart, a best-available hold of `TICKETS` seats (the seat pick), the cash sale with print
//! delivery, and the tickets as a PDF for 5.5″ × 2″ ticket stock; each step timed from the
//! client, so every figure is server time plus loopback. Writes `docs/bench/window.json`.
//!
//! `make bench-window` (runs it inside a private local stack). Bounded: `SALES` sales.

use anyhow::{Context, ensure};
use chrono::{Duration, Utc};
use devserver::DevOptions;
use marquee_domain::seatmap::generate_arena;
use marquee_platform::aws::Endpoints;
use marquee_tests::bench::percentiles;
use serde_json::{Value, json};
use std::time::Instant;

const SALES: usize = 40;
const WARM_UP: usize = 3;
const TICKETS: u32 = 2;
const SEATS: usize = 400;

struct Window {
    http: reqwest::Client,
    base: String,
    host: String,
    token: String,
}

#[derive(Default)]
struct Steps {
    cart: Vec<f64>,
    pick: Vec<f64>,
    sell: Vec<f64>,
    pdf: Vec<f64>,
    total: Vec<f64>,
    pdf_bytes: Vec<f64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    marquee_platform::tls::install_crypto_provider();
    let endpoints = Endpoints::from_env();
    ensure!(
        endpoints.dynamodb.is_some() && endpoints.moto.is_some(),
        "run through `make bench-window` (it starts the local stack)"
    );
    let server = devserver::start(DevOptions {
        port: 0,
        endpoints,
        prefix: format!("bench-window-{}", Utc::now().timestamp()),
        workers: true,
        visibility_timeout: 10,
        web_dist: DevOptions::default_web_dist(),
        stripe: devserver::LocalStripe::from_env(),
        payment_window_seconds: marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS,
        cjk_font: None,
        origin_secret: None,
        dynamodb_interceptor: None,
        report_inline_limit: None,
    })
    .await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let venue = marquee_tests::bench::bench_venue(&server, &http, "Window Hall", "window").await?;
    let window = Window {
        http,
        base: venue.base.clone(),
        host: venue.host.clone(),
        token: venue.owner_token.clone(),
    };
    let performance = window.performance().await?;
    let mut ignored = Steps::default();
    for _ in 0..WARM_UP {
        window.sale(&performance, &mut ignored).await?;
    }
    let mut steps = Steps::default();
    for _ in 0..SALES {
        window.sale(&performance, &mut steps).await?;
    }
    let report = json!({
        "sales": SALES,
        "ticketsPerSale": TICKETS,
        "paper": "stock (5.5 × 2 in, one ticket a page)",
        "openCartMs": percentiles(&mut steps.cart),
        "seatPickMs": percentiles(&mut steps.pick),
        "cashSaleMs": percentiles(&mut steps.sell),
        "ticketsPdfMs": percentiles(&mut steps.pdf),
        "seatPickToPrintedPdfMs": percentiles(&mut steps.total),
        "pdfBytes": percentiles(&mut steps.pdf_bytes),
        "note": "sequential window sales on one 2-core machine, devserver and local stack (DynamoDB Local, moto) in the same process group; each step timed at the client over loopback; a debug-free (bench profile) build",
    });
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/bench/window.json");
    std::fs::write(out, serde_json::to_string_pretty(&report)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

impl Window {
    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("host", &self.host)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        ensure!(status.is_success(), "{path}: {status} {body}");
        Ok(body)
    }

    async fn performance(&self) -> anyhow::Result<String> {
        let map = self
            .post(
                "/admin/v1/seatmaps",
                serde_json::to_value(generate_arena(SEATS))?,
            )
            .await?;
        let prices: Vec<Value> = map["layout"]["zones"]
            .as_array()
            .context("zones")?
            .iter()
            .map(|z| json!({ "zone": z["id"], "priceType": "adult", "amount": 4250 }))
            .collect();
        let event = self
            .post("/admin/v1/events", json!({ "title": "Window" }))
            .await?;
        let created = self
            .post(
                &format!(
                    "/admin/v1/events/{}/performances",
                    event["id"].as_str().context("event")?
                ),
                json!({ "startsAt": (Utc::now() + Duration::days(30)).to_rfc3339(),
                    "seatMapId": map["id"], "prices": prices }),
            )
            .await?;
        let id = created["id"].as_str().context("performance")?.to_owned();
        self.post(&format!("/admin/v1/performances/{id}/publish"), json!({}))
            .await?;
        Ok(id)
    }

    /// One window sale, its steps timed into `steps`.
    async fn sale(&self, performance: &str, steps: &mut Steps) -> anyhow::Result<()> {
        let started = Instant::now();
        let cart = self.post("/admin/v1/carts", json!({})).await?;
        let cart_id = cart["cartId"].as_str().context("cart")?.to_owned();
        let opened = Instant::now();
        let held = self
            .post(
                &format!("/admin/v1/carts/{cart_id}/holds"),
                json!({ "performanceId": performance, "bestAvailable": { "quantity": TICKETS } }),
            )
            .await?;
        let picked = Instant::now();
        let tickets: Vec<Value> = held["items"]
            .as_array()
            .context("items")?
            .iter()
            .map(|i| json!({ "holdId": i["holdId"], "priceType": "adult" }))
            .collect();
        let sold = self
            .post(
                &format!("/admin/v1/carts/{cart_id}/sell"),
                json!({ "tickets": tickets, "payment": { "method": "cash", "tendered": 10_000 }, "delivery": "print" }),
            )
            .await?;
        let paid = Instant::now();
        let order = sold["orderId"].as_str().context("order")?;
        let pdf = self
            .http
            .get(format!(
                "{}/admin/v1/orders/{order}/tickets.pdf?format=stock",
                self.base
            ))
            .header("host", &self.host)
            .bearer_auth(&self.token)
            .send()
            .await?;
        ensure!(pdf.status().is_success(), "tickets.pdf: {}", pdf.status());
        let bytes = pdf.bytes().await?;
        ensure!(bytes.starts_with(b"%PDF-"), "not a PDF");
        let printed = Instant::now();
        let ms = |from: Instant, to: Instant| (to - from).as_secs_f64() * 1000.0;
        steps.cart.push(ms(started, opened));
        steps.pick.push(ms(opened, picked));
        steps.sell.push(ms(picked, paid));
        steps.pdf.push(ms(paid, printed));
        steps.total.push(ms(opened, printed));
        steps.pdf_bytes.push(bytes.len() as f64);
        Ok(())
    }
}
