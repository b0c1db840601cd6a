//! The reports benchmark: a venue's year of 100,000 paid orders (and 5,000 refunds) counted
//! into the daily running totals exactly as the `sales-reports` worker counts them (the same
//! domain function, the same store transaction), then the report endpoints timed over HTTP:
//! the end of one busy day and a whole year's sales, as JSON and as CSV. Checks that the
//! year's figures add up to the orders generated. Writes `docs/bench/reports.json`.
//!
//! `make bench-reports` (inside a private local stack). Bounded: `ORDERS` orders.

use anyhow::{Context, ensure};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use devserver::DevOptions;
use futures::StreamExt;
use marquee_domain::pricing::Totals;
use marquee_domain::records::{OrderRecord, Place, RefundRecord, Spot, TicketRecord, TicketStatus};
use marquee_domain::reports::report_changes;
use marquee_domain::{
    AreaId, CartId, Currency, Delivery, HoldId, OrderId, OrderNumber, OrderStatus, PerformanceId,
    PriceType, TicketId, Timezone, ZoneId,
};
use marquee_platform::aws::Endpoints;
use marquee_tests::bench::bench_venue;
use serde_json::{Value, json};
use std::time::Instant;

const ORDERS: usize = 100_000;
/// One order in this many is partly refunded later.
const REFUND_EVERY: usize = 20;
const PERFORMANCES: usize = 40;
const IN_FLIGHT: usize = 64;

fn order(n: usize, performances: &[PerformanceId], year: NaiveDate) -> OrderRecord {
    let performance = &performances[n % performances.len()];
    let count = 1 + n % 4;
    let tickets: Vec<TicketRecord> = (0..count)
        .map(|i| {
            let price = [4_500, 3_000, 2_000][(n + i) % 3];
            TicketRecord {
                id: TicketId::generate(),
                performance_id: performance.clone(),
                hold_id: HoldId::generate(),
                spot: Spot::Area(AreaId::parse("floor").expect("an area id")),
                shard: 0,
                zone: ZoneId::parse(["stalls", "circle", "balcony"][(n + i) % 3]).expect("a zone"),
                place: Place::default(),
                price_type: PriceType::parse(["adult", "concession"][(n / 3 + i) % 2])
                    .expect("a price type"),
                price,
                discount: 0,
                fees: 150,
                status: TicketStatus::Valid,
            }
        })
        .collect();
    let subtotal: i64 = tickets.iter().map(|t| t.price).sum();
    let fees: i64 = tickets.iter().map(|t| t.fees).sum();
    // Spread over the year, every day some, at a time of day that varies.
    let day = year + Duration::days((n % 365) as i64);
    let paid_at = Utc
        .from_utc_datetime(
            &day.and_hms_opt(9 + (n % 12) as u32, (n % 60) as u32, 0)
                .expect("a time"),
        )
        .to_rfc3339();
    let mut refunds = Vec::new();
    if n.is_multiple_of(REFUND_EVERY) {
        refunds.push(RefundRecord {
            id: format!("re_{n}"),
            amount: tickets[0].price + tickets[0].fees,
            tickets: vec![tickets[0].id.clone()],
            reason: "requested_by_customer".into(),
            at: paid_at.clone(),
        });
    }
    OrderRecord {
        sale: None,
        picked_up: None,
        exchange: None,
        address: None,
        mail: None,
        phone: None,
        pay_later: None,
        id: OrderId::generate(),
        number: OrderNumber::generate(),
        status: if refunds.is_empty() {
            OrderStatus::Paid
        } else {
            OrderStatus::PartiallyRefunded
        },
        token_hash: String::new(),
        cart_id: CartId::generate(),
        email: format!("patron{n}@example.org"),
        name: "Bench Patron".into(),
        patron: None,
        delivery: Delivery::Email,
        totals: Totals {
            lines: Vec::new(),
            subtotal,
            discount: 0,
            fees,
            tax: 0,
            tax_included: 0,
            mailing: 0,
            total: subtotal + fees,
            currency: Currency::parse("GBP").expect("GBP"),
        },
        tickets,
        payment_intent: None,
        stripe_account: None,
        platform_fee: 0,
        refunded: 0,
        refunds,
        problem: None,
        created_at: paid_at.clone(),
        paid_at: Some(paid_at),
        posted_at: None,
        promo: None,
        version: 1,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// Times `runs` GETs of `path`: milliseconds, sorted; and the last body's size.
async fn time_get(
    http: &reqwest::Client,
    base: &str,
    host: &str,
    token: &str,
    path: &str,
    runs: usize,
) -> anyhow::Result<(Vec<f64>, usize, String)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = String::new();
    for _ in 0..runs {
        let started = Instant::now();
        let response = http
            .get(format!("{base}{path}"))
            .header("host", host)
            .bearer_auth(token)
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        last = response.text().await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((times, last.len(), last))
}

fn summary(times: &[f64], bytes: usize) -> Value {
    json!({
        "runs": times.len(),
        "p50Ms": (percentile(times, 0.5) * 10.0).round() / 10.0,
        "p95Ms": (percentile(times, 0.95) * 10.0).round() / 10.0,
        "maxMs": (times[times.len() - 1] * 10.0).round() / 10.0,
        "bytes": bytes,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    marquee_platform::tls::install_crypto_provider();
    let endpoints = Endpoints::from_env();
    ensure!(
        endpoints.dynamodb.is_some(),
        "run through `make bench-reports` (it starts the local stack)"
    );
    let server = devserver::start(DevOptions {
        port: 0,
        endpoints: endpoints.clone(),
        prefix: format!("bench-reports-{}", Utc::now().timestamp()),
        // The figures are counted here, not by the stream tailer.
        workers: false,
        visibility_timeout: 10,
        web_dist: DevOptions::default_web_dist(),
        stripe: None,
        payment_window_seconds: marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS,
        cjk_font: DevOptions::system_cjk_font(),
        origin_secret: None,
        dynamodb_interceptor: None,
        report_inline_limit: None,
    })
    .await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let venue = bench_venue(&server, &http, "Reports Hall", "reports-hall").await?;
    let zone = Timezone::parse("Europe/London")?;
    let year = NaiveDate::from_ymd_opt(2027, 1, 1).context("a date")?;
    let opened = Utc.from_utc_datetime(&year.and_hms_opt(9, 0, 0).context("a time")?);
    let performances: Vec<PerformanceId> = (0..PERFORMANCES)
        .map(|_| PerformanceId::generate())
        .collect();

    // Count the year, as the worker would, IN_FLIGHT changes at a time.
    let started = Instant::now();
    let mut expected_total: i64 = 0;
    let mut expected_refunded: i64 = 0;
    let mut changes = Vec::with_capacity(ORDERS + ORDERS / REFUND_EVERY);
    for n in 0..ORDERS {
        let sold = order(n, &performances, year);
        expected_total += sold.totals.total;
        expected_refunded += sold.refunds.iter().map(|r| r.amount).sum::<i64>();
        changes.extend(report_changes(None, &sold, &zone, &|_| Some(opened)));
    }
    let store = &server.store;
    let tenant = &venue.tenant;
    let counted: Vec<anyhow::Result<bool>> =
        futures::stream::iter(changes.iter().map(|c| async move {
            let now = Utc::now().timestamp_millis();
            Ok(store.count_report_change(tenant, c, now).await?)
        }))
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let mut new = 0usize;
    for c in counted {
        new += usize::from(c?);
    }
    let counting_s = started.elapsed().as_secs_f64();
    ensure!(
        new == changes.len(),
        "{new} of {} changes counted",
        changes.len()
    );
    println!(
        "counted {} changes of {ORDERS} orders in {counting_s:.1} s ({:.0}/s)",
        changes.len(),
        changes.len() as f64 / counting_s
    );

    let busy_day = year + Duration::days(100);
    let (eod, eod_bytes, _) = time_get(
        &http,
        &venue.base,
        &venue.host,
        &venue.owner_token,
        &format!("/admin/v1/reports/end-of-day?date={busy_day}"),
        20,
    )
    .await?;
    let year_path = format!(
        "/admin/v1/reports/sales?from={year}&to={}",
        year + Duration::days(364)
    );
    let (sales, sales_bytes, body) = time_get(
        &http,
        &venue.base,
        &venue.host,
        &venue.owner_token,
        &year_path,
        10,
    )
    .await?;
    let (csv, csv_bytes, _) = time_get(
        &http,
        &venue.base,
        &venue.host,
        &venue.owner_token,
        &format!("{year_path}&format=csv"),
        5,
    )
    .await?;
    let report: Value = serde_json::from_str(&body)?;
    let summary_of = &report["summary"];
    ensure!(
        summary_of["orders"] == ORDERS && summary_of["total"] == expected_total,
        "the year's figures do not add up: {summary_of} (expected {ORDERS} orders, {expected_total})"
    );
    ensure!(
        summary_of["refunded"] == expected_refunded,
        "refunds do not add up: {summary_of}"
    );
    let result = json!({
        "orders": ORDERS,
        "refunds": ORDERS / REFUND_EVERY,
        "performances": PERFORMANCES,
        "days": 365,
        "countingSeconds": (counting_s * 10.0).round() / 10.0,
        "changesPerSecond": (changes.len() as f64 / counting_s).round(),
        "endOfDay": summary(&eod, eod_bytes),
        "salesYearJson": summary(&sales, sales_bytes),
        "salesYearCsv": summary(&csv, csv_bytes),
        "reconciles": true,
        "machine": "DynamoDB Local on this machine; devserver and bench in one process",
        "at": Utc::now().to_rfc3339(),
    });
    println!("{}", serde_json::to_string_pretty(&result)?);
    let path = format!("{}/../docs/bench/reports.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(path, serde_json::to_string_pretty(&result)?)?;
    Ok(())
}
