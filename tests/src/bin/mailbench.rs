//! The mail worker benchmark: how many order confirmations — each rendered in Rust with its
//! ticket PDF (QR codes) and calendar attachment, and sent as raw MIME through SES v2 — one
//! `mailer` instance sends per second on the local stack (moto's SES). Batches of 10, one
//! batch at a time, as one Lambda instance receives them from SQS. Writes
//! `docs/bench/mail-batch{size}.json` and checks that every email arrived once.
//!
//! `make bench-mail` (runs it inside a private local stack). Bounded: `EMAILS` messages.

use anyhow::{Context, ensure};
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use chrono::{Duration, Utc};
use devserver::DevOptions;
use marquee_domain::seatmap::generate_arena;
use marquee_domain::{OrderId, TenantId};
use marquee_platform::aws::{self, Endpoints};
use marquee_platform::mail::{MailJob, MailMessage, SesMailer};
use serde_json::{Value, json};
use std::time::Instant;

const EMAILS: usize = 300;
/// Messages per invocation (`MAILBENCH_BATCH`): SQS gives Lambda up to 10 per batch, or up to
/// 100 with a batching window.
fn batch_size() -> usize {
    std::env::var("MAILBENCH_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
        .filter(|b| (1..=100).contains(b))
        .unwrap_or(10)
}
const TICKETS_PER_ORDER: u32 = 4;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    marquee_platform::tls::install_crypto_provider();
    let endpoints = Endpoints::from_env();
    ensure!(
        endpoints.dynamodb.is_some() && endpoints.moto.is_some(),
        "run through `make bench-mail` (it starts the local stack)"
    );
    let moto = endpoints.moto.clone().context("moto")?;
    let server = devserver::start(DevOptions {
        port: 0,
        endpoints: endpoints.clone(),
        prefix: format!("bench-mail-{}", Utc::now().timestamp()),
        // The benchmark drives the mailer itself.
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
    let (tenant, order) = free_order(&server, &http).await?;

    let sdk = aws::sdk_config().await;
    let state = mailer::MailerState {
        store: server.store.clone(),
        ses: SesMailer::new(aws::sesv2(&sdk, &endpoints), devserver::LOCAL_SENDER_DOMAIN),
        keys: Default::default(),
        fonts: marquee_platform::tickets::TicketFonts::new(
            marquee_platform::documents::Documents::new(
                aws::s3(&sdk, &endpoints),
                &server.config.documents_bucket,
            ),
        ),
        retry: None,
        letters: None,
    };
    let before = devserver::sent_mail(&http, &moto).await?.len();
    let started = Instant::now();
    let mut batch_ms = Vec::new();
    let size = batch_size();
    for batch in 0..EMAILS.div_ceil(size) {
        let records = (0..size.min(EMAILS - batch * size))
            .map(|i| {
                let job = MailJob::once(
                    tenant.clone(),
                    format!("bench-{batch}-{i}"),
                    MailMessage::OrderConfirmation {
                        order_id: order.clone(),
                        view_url: "http://bench.localhost/orders".into(),
                    },
                );
                let mut record = SqsMessage::default();
                record.message_id = Some(format!("m-{batch}-{i}"));
                record.body = serde_json::to_string(&job).ok();
                record
            })
            .collect();
        let mut event = SqsEvent::default();
        event.records = records;
        let t = Instant::now();
        let response = mailer::send_mail_batch(&state, event).await;
        ensure!(
            response.batch_item_failures.is_empty(),
            "mail failed: {} of a batch",
            response.batch_item_failures.len()
        );
        batch_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let seconds = started.elapsed().as_secs_f64();
    let sent = devserver::sent_mail(&http, &moto).await?;
    let new: Vec<_> = sent.iter().skip(before).collect();
    ensure!(
        new.len() == EMAILS,
        "{} of {EMAILS} emails arrived",
        new.len()
    );
    ensure!(
        new.iter().all(|m| m
            .attachments
            .iter()
            .any(|a| a.content_type == "application/pdf")),
        "every email carries its PDF"
    );
    let pdf_bytes = new[0]
        .attachments
        .iter()
        .find(|a| a.content_type == "application/pdf")
        .map_or(0, |a| a.data.len());
    batch_ms.sort_by(f64::total_cmp);
    let render_per_second = render_only(&server.store, &tenant, &order).await?;
    let per_second = EMAILS as f64 / seconds;
    let result = json!({
        "emails": EMAILS,
        "ticketsPerEmail": TICKETS_PER_ORDER,
        "pdfBytes": pdf_bytes,
        "seconds": (seconds * 100.0).round() / 100.0,
        "emailsPerSecond": (per_second * 10.0).round() / 10.0,
        "emailsPerHour": (per_second * 3600.0).round(),
        "vsTheatreManager12000PerHour": (per_second * 3600.0 / 12_000.0 * 10.0).round() / 10.0,
        "batchSize": size,
        "batchMsP50": batch_ms[batch_ms.len() / 2],
        "batchMsMax": batch_ms.last().copied().unwrap_or_default(),
        "renderOnlyEmailsPerSecondOneCore": render_per_second.round(),
        "note": "one mailer instance, each batch sent concurrently, local stack (moto SES, DynamoDB Local) on 2 cores; renderOnly = the mailer's own CPU work per email (PDF with QR codes, calendar, MIME) on one core",
    });
    let path = format!(
        "{}/../docs/bench/mail-batch{size}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(path, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}

/// The mailer's own CPU work per confirmation, without I/O: the mailer's rendering (HTML and
/// text, the ticket PDF with its QR codes, the calendar files) and the MIME message, on one
/// core.
async fn render_only(
    store: &marquee_store::Store,
    tenant: &TenantId,
    order: &OrderId,
) -> anyhow::Result<f64> {
    let mail = mailer::orders::load(store, tenant, order)
        .await?
        .context("the order")?;
    let key = marquee_platform::tickets::venue_key(store, tenant).await?;
    let fonts = marquee_tickets::Fonts::bundled();
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        let email =
            mailer::orders::confirmation(&mail, "http://bench.localhost/orders", &key, &fonts)?;
        std::hint::black_box(marquee_platform::mail::mime_message("example.org", &email));
    }
    Ok(f64::from(rounds) / started.elapsed().as_secs_f64())
}

/// A venue, a free performance and one free order of four tickets, through the HTTP API.
async fn free_order(
    server: &devserver::DevServer,
    http: &reqwest::Client,
) -> anyhow::Result<(TenantId, OrderId)> {
    let marquee_tests::bench::BenchVenue {
        base,
        host,
        tenant,
        owner_token: token,
    } = marquee_tests::bench::bench_venue(server, http, "Bench Hall", "mailbench").await?;
    let call = |path: String, body: Value, auth: bool| {
        let mut request = http
            .post(format!("{base}{path}"))
            .header("host", &host)
            .json(&body);
        if auth {
            request = request.bearer_auth(&token);
        }
        request.send()
    };
    let map: Value = call(
        "/admin/v1/seatmaps".into(),
        serde_json::to_value(generate_arena(200))?,
        true,
    )
    .await?
    .json()
    .await?;
    let zones: Vec<Value> = map["layout"]["zones"]
        .as_array()
        .context("zones")?
        .iter()
        .map(|z| json!({ "zone": z["id"], "priceType": "guest", "amount": 0 }))
        .collect();
    let event: Value = call(
        "/admin/v1/events".into(),
        json!({ "title": "Mail Bench Gala" }),
        true,
    )
    .await?
    .json()
    .await?;
    let performance: Value = call(
        format!("/admin/v1/events/{}/performances", event["id"].as_str().context("event")?),
        json!({ "startsAt": (Utc::now() + Duration::days(10)).to_rfc3339(), "seatMapId": map["id"], "prices": zones }),
        true,
    )
    .await?
    .json()
    .await?;
    let performance = performance["id"]
        .as_str()
        .context("performance")?
        .to_owned();
    call(
        format!("/admin/v1/performances/{performance}/publish"),
        json!({}),
        true,
    )
    .await?;
    let cart: Value = call("/api/v1/carts".into(), json!({}), false)
        .await?
        .json()
        .await?;
    let (cart_id, cart_token) = (
        cart["cartId"].as_str().context("cart")?.to_owned(),
        cart["cartToken"].as_str().context("cart token")?.to_owned(),
    );
    let held: Value = http
        .post(format!("{base}/api/v1/carts/{cart_id}/holds"))
        .header("host", &host)
        .header("x-cart-token", &cart_token)
        .json(&json!({ "performanceId": performance, "bestAvailable": { "quantity": TICKETS_PER_ORDER } }))
        .send()
        .await?
        .json()
        .await?;
    let tickets: Vec<Value> = held["items"]
        .as_array()
        .with_context(|| format!("hold: {held}"))?
        .iter()
        .map(|i| json!({ "holdId": i["holdId"], "priceType": "guest" }))
        .collect();
    let checkout: Value = http
        .post(format!("{base}/api/v1/carts/{cart_id}/checkout"))
        .header("host", &host)
        .header("x-cart-token", &cart_token)
        .json(&json!({ "email": "bench@example.org", "name": "Bench Patron", "tickets": tickets }))
        .send()
        .await?
        .json()
        .await?;
    ensure!(checkout["status"] == "paid", "free checkout: {checkout}");
    Ok((
        tenant,
        OrderId::parse(checkout["orderId"].as_str().context("order")?)?,
    ))
}
