//! The checkout benchmark (issue 13): sequential purchases on a venue paid through Stripe
//! Connect, over real HTTP through the devserver and the stack's Stripe double. For each
//! purchase: a cart, a best-available hold of two seats, the checkout (timed: it creates the
//! PaymentIntent on the venue's account), the card payment through the double's card form,
//! and the wait until the webhook has sold the seats (timed). The double counts every Stripe
//! API request by route (`GET /_double/requests`), read before and after each phase, so the
//! Stripe requests per checkout and per webhook are counted, not estimated. Writes
//! `docs/bench/checkout.json`.
//!
//! `make bench-checkout` (runs it inside a private local stack). Bounded: `PURCHASES`
//! purchases, one at a time.

use anyhow::{Context, bail, ensure};
use chrono::{Duration, Utc};
use devserver::{DevOptions, LocalStripe};
use marquee_domain::seatmap::generate_arena;
use marquee_platform::aws::Endpoints;
use marquee_tests::bench::percentiles;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Instant;

const PURCHASES: usize = 60;
const WARM_UP: usize = 5;
const SEATS: usize = 400;
const VISA: &str = "4242424242424242";

struct Bench {
    http: reqwest::Client,
    base: String,
    host: String,
    stripe_url: String,
    stripe_key: String,
}

/// Stripe requests by route, as the double counted them.
type Counts = BTreeMap<String, u64>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    marquee_platform::tls::install_crypto_provider();
    let endpoints = Endpoints::from_env();
    ensure!(
        endpoints.dynamodb.is_some() && endpoints.moto.is_some(),
        "run through `make bench-checkout` (it starts the local stack)"
    );
    let stripe = LocalStripe::from_env()
        .map(|local| LocalStripe {
            secret_key: format!("sk_test_bench_checkout_{}", Utc::now().timestamp_millis()),
            ..local
        })
        .context("the local stack's Stripe double (MARQUEE_STRIPE_URL)")?;
    let (stripe_url, stripe_key) = (stripe.url.clone(), stripe.secret_key.clone());
    let meter = marquee_tests::dynamo_meter::DynamoMeter::default();
    let server = devserver::start(DevOptions {
        port: 0,
        endpoints,
        prefix: format!("bench-checkout-{}", Utc::now().timestamp()),
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
    let http = reqwest::Client::builder().no_proxy().build()?;
    let base = format!("http://{}", server.addr);
    let fee = json!({ "platformFee": { "basisPoints": 250, "fixedPerTicket": 30 } });
    let settings = http
        .put(format!("{base}/platform/v1/settings"))
        .header("host", "localhost")
        .header("x-platform-key", devserver::LOCAL_PLATFORM_KEY)
        .json(&fee)
        .send()
        .await?;
    ensure!(settings.status().is_success(), "platform settings");
    let venue =
        marquee_tests::bench::bench_venue(&server, &http, "Checkout Hall", "checkout").await?;
    let bench = Bench {
        http,
        base,
        host: venue.host.clone(),
        stripe_url,
        stripe_key,
    };
    let performance = bench.performance(&venue.owner_token).await?;

    for _ in 0..WARM_UP {
        bench.purchase(&performance).await?;
    }
    // The mail of the warm-up purchases is sent before the metering starts.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    meter.take();
    let mut checkout_ms = Vec::new();
    let mut sale_ms = Vec::new();
    let mut at_checkout = Counts::new();
    let mut after_payment = Counts::new();
    for _ in 0..PURCHASES {
        let timing = bench.purchase(&performance).await?;
        checkout_ms.push(timing.checkout_ms);
        sale_ms.push(timing.sale_ms);
        add(&mut at_checkout, &timing.checkout_requests);
        add(&mut after_payment, &timing.sale_requests);
    }
    // ... and the last ones' mail before it stops.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let dynamodb = meter.take();
    let before_view = bench.requests().await?;
    let order = bench.last_order(&venue.owner_token).await?;
    let order_view = difference(&bench.requests().await?, &before_view);

    let report = json!({
        "purchases": PURCHASES,
        "ticketsPerPurchase": 2,
        "checkoutLatencyMs": percentiles(&mut checkout_ms),
        "paymentToSoldMs": percentiles(&mut sale_ms),
        "stripeRequestsPerPurchase": {
            "checkout": per_purchase(&at_checkout),
            "webhookSale": per_purchase(&after_payment),
        },
        "stripeRequestsPerAdminOrderView": order_view,
        "dynamodbPerPurchase": {
            "calls": dynamodb.calls.iter().map(|(op, n)| (op.to_string(), json!(*n as f64 / PURCHASES as f64))).collect::<Map<String, Value>>(),
            "capacityUnits": dynamodb.capacity_units / PURCHASES as f64,
            "capacityUnitsPerTicket": dynamodb.capacity_units / (2 * PURCHASES) as f64,
            "note": "every DynamoDB call of the devserver from the first metered purchase to 5 s after the last: cart, hold, checkout, payment webhook and sale, the ticket mail (its lease, the order, the codes) and the live seat map's stream worker; capacity as DynamoDB Local reports it (transactional writes count double)",
        },
        "lastOrderPayment": order["payment"],
        "note": "sequential purchases on one 2-core machine, devserver and local stack in the same process group; the card form's own request (/_double/…/pay) is not a Marquee request and is not counted",
    });
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/bench/checkout.json");
    std::fs::write(out, serde_json::to_string_pretty(&report)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

struct Timing {
    checkout_ms: f64,
    sale_ms: f64,
    checkout_requests: Counts,
    sale_requests: Counts,
}

impl Bench {
    async fn performance(&self, token: &str) -> anyhow::Result<String> {
        let post = |path: String, body: Value| {
            self.http
                .post(format!("{}{path}", self.base))
                .header("host", &self.host)
                .bearer_auth(token)
                .json(&body)
                .send()
        };
        let map: Value = post(
            "/admin/v1/seatmaps".into(),
            serde_json::to_value(generate_arena(SEATS))?,
        )
        .await?
        .json()
        .await?;
        let prices: Vec<Value> = map["layout"]["zones"]
            .as_array()
            .context("zones")?
            .iter()
            .map(|z| json!({ "zone": z["id"], "priceType": "adult", "amount": 4250 }))
            .collect();
        let event: Value = post("/admin/v1/events".into(), json!({ "title": "Checkout" }))
            .await?
            .json()
            .await?;
        let created: Value = post(
            format!(
                "/admin/v1/events/{}/performances",
                event["id"].as_str().context("event")?
            ),
            json!({ "startsAt": (Utc::now() + Duration::days(30)).to_rfc3339(),
                "seatMapId": map["id"], "prices": prices }),
        )
        .await?
        .json()
        .await?;
        let id = created["id"]
            .as_str()
            .with_context(|| format!("performance: {created}"))?
            .to_owned();
        let published = post(format!("/admin/v1/performances/{id}/publish"), json!({})).await?;
        if !published.status().is_success() {
            bail!("publish failed: {}", published.text().await?);
        }
        Ok(id)
    }

    async fn requests(&self) -> anyhow::Result<Counts> {
        let counted: Value = self
            .http
            .get(format!("{}/_double/requests", self.stripe_url))
            .bearer_auth(&self.stripe_key)
            .send()
            .await?
            .json()
            .await?;
        serde_json::from_value(counted["requests"].clone()).context("request counts")
    }

    async fn purchase(&self, performance: &str) -> anyhow::Result<Timing> {
        let cart: Value = self
            .http
            .post(format!("{}/api/v1/carts", self.base))
            .header("host", &self.host)
            .send()
            .await?
            .json()
            .await?;
        let id = cart["cartId"].as_str().context("cart id")?;
        let token = cart["cartToken"].as_str().context("cart token")?;
        let held = self
            .http
            .post(format!("{}/api/v1/carts/{id}/holds", self.base))
            .header("host", &self.host)
            .header("x-cart-token", token)
            .json(&json!({ "performanceId": performance, "bestAvailable": { "quantity": 2 } }))
            .send()
            .await?;
        ensure!(
            held.status().as_u16() == 201,
            "hold: {}",
            held.text().await?
        );
        let view: Value = self
            .http
            .get(format!("{}/api/v1/carts/{id}", self.base))
            .header("host", &self.host)
            .header("x-cart-token", token)
            .send()
            .await?
            .json()
            .await?;
        let tickets: Vec<Value> = view["items"]
            .as_array()
            .with_context(|| format!("cart items: {view}"))?
            .iter()
            .map(|item| json!({ "holdId": item["holdId"], "priceType": "adult" }))
            .collect();

        let before = self.requests().await?;
        let started = Instant::now();
        let checkout = self
            .http
            .post(format!("{}/api/v1/carts/{id}/checkout", self.base))
            .header("host", &self.host)
            .header("x-cart-token", token)
            .json(&json!({ "email": "bench@example.org", "name": "Bench Patron", "tickets": tickets }))
            .send()
            .await?;
        let checkout_ms = started.elapsed().as_secs_f64() * 1000.0;
        ensure!(
            checkout.status().as_u16() == 201,
            "checkout: {}",
            checkout.text().await?
        );
        let checkout: Value = checkout.json().await?;
        let after_checkout = self.requests().await?;

        let payment = &checkout["payment"];
        let started = Instant::now();
        let paid = self
            .http
            .post(format!(
                "{}/_double/payment_intents/{}/pay",
                self.stripe_url,
                payment["paymentIntentId"].as_str().context("intent")?
            ))
            .json(
                &json!({ "clientSecret": payment["clientSecret"], "cardNumber": VISA,
                "expMonth": 12, "expYear": 2030, "cvc": "123" }),
            )
            .send()
            .await?;
        ensure!(
            paid.status().is_success(),
            "payment: {}",
            paid.text().await?
        );
        loop {
            let order: Value = self
                .http
                .get(format!(
                    "{}/api/v1/orders/{}",
                    self.base,
                    checkout["orderId"].as_str().context("order id")?
                ))
                .header("host", &self.host)
                .header(
                    "x-order-token",
                    checkout["orderToken"].as_str().context("order token")?,
                )
                .send()
                .await?
                .json()
                .await?;
            if order["status"] == "paid" {
                break;
            }
            ensure!(started.elapsed().as_secs() < 30, "never paid: {order}");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let sale_ms = started.elapsed().as_secs_f64() * 1000.0;
        let after_sale = self.requests().await?;
        Ok(Timing {
            checkout_ms,
            sale_ms,
            checkout_requests: difference(&after_checkout, &before),
            sale_requests: difference(&after_sale, &after_checkout),
        })
    }

    async fn last_order(&self, token: &str) -> anyhow::Result<Value> {
        let list: Value = self
            .http
            .get(format!("{}/admin/v1/orders", self.base))
            .header("host", &self.host)
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let id = list["orders"][0]["id"].as_str().context("an order")?;
        Ok(self
            .http
            .get(format!("{}/admin/v1/orders/{id}", self.base))
            .header("host", &self.host)
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?)
    }
}

fn difference(after: &Counts, before: &Counts) -> Counts {
    after
        .iter()
        .map(|(route, n)| (route.clone(), n - before.get(route).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn add(total: &mut Counts, more: &Counts) {
    for (route, n) in more {
        *total.entry(route.clone()).or_default() += n;
    }
}

fn per_purchase(counts: &Counts) -> Value {
    let mut out = Map::new();
    for (route, n) in counts {
        out.insert(route.clone(), json!(*n as f64 / PURCHASES as f64));
    }
    let total: u64 = counts.values().sum();
    out.insert("total".into(), json!(total as f64 / PURCHASES as f64));
    Value::Object(out)
}
