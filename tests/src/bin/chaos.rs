//! The process-level chaos test (`make test-chaos`): 50 paid checkouts over HTTP against a
//! devserver on a private local stack, paid through the Stripe double, while the process that
//! handles Stripe's webhooks — this binary again, run with `--serve-webhook`, on its own port
//! and registered with the double — is SIGKILLed at random moments and restarted. The double
//! redelivers what was not acknowledged; the devserver's reconciliation (every 2 s here)
//! catches what the double gave up on. Then it checks: every succeeded payment ended as sold
//! tickets or a refund, no seat was sold twice, and each order's mail went out exactly once
//! (the mailer runs in the devserver, which is not killed, so the one duplicate window —
//! a crash between SES accepting and the message id recorded — is never opened here: any
//! second mail fails the run). Prints one line and exits non-zero on any violation.

use anyhow::{Context, bail, ensure};
use devserver::{DevOptions, LocalStripe, WebhookOnly};
use futures::StreamExt;
use marquee_platform::aws::Endpoints;
use marquee_platform::config::Secret;
use marquee_platform::payments::StripeSettings;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHECKOUTS: usize = 50;
/// Checkouts in flight at once.
const CONCURRENCY: usize = 10;
/// The whole run, settling included, must end within this.
const MAX_SECONDS: u64 = 240;
const VISA: &str = "4242424242424242";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    marquee_platform::tls::install_crypto_provider();
    if std::env::args().any(|a| a == "--serve-webhook") {
        return serve_webhook().await;
    }
    let started = Instant::now();
    let endpoints = Endpoints::from_env();
    let moto_url = endpoints
        .moto
        .clone()
        .context("run through `make test-chaos`")?;
    let local =
        LocalStripe::from_env().context("MARQUEE_STRIPE_URL: run through `make test-chaos`")?;
    let secret_key = format!("sk_test_chaos_{}", std::process::id());
    let server = devserver::start(DevOptions {
        port: 0,
        endpoints,
        prefix: format!("chaos{}", std::process::id()),
        workers: true,
        visibility_timeout: 1,
        web_dist: DevOptions::default_web_dist(),
        stripe: Some(LocalStripe {
            secret_key: secret_key.clone(),
            register_webhook: false,
            reconcile_every: Some(Duration::from_secs(2)),
            ..local.clone()
        }),
        payment_window_seconds: marquee_platform::config::DEFAULT_PAYMENT_WINDOW_SECONDS,
        cjk_font: None,
        origin_secret: None,
        dynamodb_interceptor: None,
        report_inline_limit: None,
    })
    .await?;
    let http = reqwest::Client::builder().no_proxy().build()?;

    // The webhook process: its own port, registered with the double as this account's endpoint.
    let webhook_port = free_port()?;
    let endpoint: Value = http
        .post(format!("{}/v1/webhook_endpoints", local.url))
        .bearer_auth(&secret_key)
        .form(&[
            (
                "url",
                format!("http://127.0.0.1:{webhook_port}/api/v1/stripe/connect-webhook"),
            ),
            ("enabled_events[]", "*".to_owned()),
            // Venues' sales are direct charges on their connected accounts: their events
            // arrive at the Connect endpoint.
            ("connect", "true".to_owned()),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let webhook_secret = endpoint["secret"]
        .as_str()
        .context("endpoint secret")?
        .to_owned();
    let child_env = vec![
        ("CHAOS_WEBHOOK_PORT", webhook_port.to_string()),
        ("CHAOS_TABLE", server.config.table_name.clone()),
        ("CHAOS_MAIL_QUEUE_URL", server.config.mail_queue_url.clone()),
        (
            "CHAOS_PUBLIC_URL_TEMPLATE",
            server.config.public_url_template.clone(),
        ),
        ("CHAOS_STRIPE_KEY", secret_key.clone()),
        ("CHAOS_WEBHOOK_SECRET", webhook_secret),
    ];
    let mut webhook = spawn_webhook(&child_env)?;
    wait_listening(webhook_port).await?;

    let venue = marquee_tests::bench::bench_venue(&server, &http, "Chaos Hall", "chaos").await?;
    let performance = set_up_show(&http, &venue).await?;

    // The burst, with the killer running beside it.
    let burst_started = Instant::now();
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let killer = {
        let env = child_env.clone();
        tokio::spawn(async move {
            let mut kills = 0usize;
            let mut seed = seed();
            loop {
                let wait = 200 + next(&mut seed) % 1200;
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                    _ = stop_rx.changed() => break,
                }
                let _ = webhook.kill(); // SIGKILL
                let _ = webhook.wait();
                kills += 1;
                tokio::time::sleep(Duration::from_millis(100 + next(&mut seed) % 900)).await;
                match spawn_webhook(&env) {
                    Ok(child) => webhook = child,
                    Err(e) => return Err(e),
                }
            }
            Ok((webhook, kills))
        })
    };
    let mut checkouts = Vec::new();
    let mut pending = futures::stream::iter(0..CHECKOUTS)
        .map(|i| paid_checkout(&http, &venue, &performance, i))
        .buffer_unordered(CONCURRENCY);
    while let Some(result) = pending.next().await {
        checkouts.push(result?);
    }
    drop(pending);
    let burst = burst_started.elapsed();
    // Keep killing a little longer, so deliveries in flight are cut too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let (mut webhook, kills) = killer.await??;
    ensure!(kills >= 3, "only {kills} kills during the burst");

    // Settle: the double redelivers, reconciliation finishes the rest.
    let settle_started = Instant::now();
    let paid: Vec<&Checkout> = checkouts.iter().filter(|c| c.paid).collect();
    let mut statuses: HashMap<String, Value> = HashMap::new();
    loop {
        statuses.clear();
        for checkout in &paid {
            statuses.insert(
                checkout.order_id.clone(),
                order(&http, &venue, checkout).await?,
            );
        }
        let open = statuses
            .values()
            .filter(|o| o["status"] != "paid" && o["status"] != "refunded")
            .count();
        if open == 0 {
            break;
        }
        if started.elapsed() > Duration::from_secs(MAX_SECONDS) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let settle = settle_started.elapsed();

    // The invariants.
    let fulfilled: Vec<&Value> = statuses
        .values()
        .filter(|o| o["status"] == "paid")
        .collect();
    let refunded = statuses
        .values()
        .filter(|o| o["status"] == "refunded")
        .count();
    let lost = paid.len() - fulfilled.len() - refunded;
    let mut owner_of_seat: HashMap<String, String> = HashMap::new();
    let mut double_sold = 0;
    for order in &fulfilled {
        for ticket in order["tickets"].as_array().into_iter().flatten() {
            // Section, row and seat as the patron sees them: one seat, one place.
            let seat = ticket["place"].to_string();
            let id = order["id"].as_str().unwrap_or_default().to_owned();
            if owner_of_seat.insert(seat, id).is_some() {
                double_sold += 1;
            }
        }
    }
    let sold_in_map = seat_statuses(&http, &venue, &performance)
        .await?
        .chars()
        .filter(|c| *c == 's')
        .count();
    let tickets: usize = fulfilled
        .iter()
        .map(|o| o["tickets"].as_array().map_or(0, Vec::len))
        .sum();
    // Every order's one mail (confirmation or refund notice) went out, once.
    let mail_deadline = Instant::now() + Duration::from_secs(60);
    let (mails, wrong) = loop {
        let sent = devserver::sent_mail(&http, &moto_url).await?;
        let mut per_address: HashMap<String, usize> = HashMap::new();
        for mail in &sent {
            for checkout in &paid {
                if mail.destinations.to_string().contains(&checkout.email) {
                    *per_address.entry(checkout.email.clone()).or_default() += 1;
                }
            }
        }
        let wrong: Vec<String> = paid
            .iter()
            .filter(|c| per_address.get(&c.email).copied().unwrap_or(0) != 1)
            .map(|c| {
                format!(
                    "{}: {}",
                    c.email,
                    per_address.get(&c.email).copied().unwrap_or(0)
                )
            })
            .collect();
        let mails: usize = per_address.values().sum();
        if wrong.is_empty() || Instant::now() > mail_deadline {
            break (mails, wrong);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let _ = webhook.kill();
    let _ = webhook.wait();

    println!(
        "paid {}, fulfilled {}, refunded {}, lost {}, mails {} ({} kills; burst {:.1} s, settled in {:.1} s, total {:.1} s)",
        paid.len(),
        fulfilled.len(),
        refunded,
        lost,
        mails,
        kills,
        burst.as_secs_f64(),
        settle.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    ensure!(
        paid.len() == CHECKOUTS,
        "only {} of {CHECKOUTS} checkouts were paid",
        paid.len()
    );
    ensure!(
        lost == 0,
        "{lost} paid orders were neither fulfilled nor refunded"
    );
    ensure!(double_sold == 0, "{double_sold} seats sold twice");
    ensure!(
        sold_in_map == tickets,
        "the seat map shows {sold_in_map} seats sold for {tickets} tickets"
    );
    if !wrong.is_empty() {
        bail!("mail not sent exactly once: {}", wrong.join(", "));
    }
    Ok(())
}

/// One patron: a cart, two seats best available, checkout, paid through the double.
struct Checkout {
    email: String,
    order_id: String,
    order_token: String,
    paid: bool,
}

async fn paid_checkout(
    http: &reqwest::Client,
    venue: &marquee_tests::bench::BenchVenue,
    performance: &str,
    i: usize,
) -> anyhow::Result<Checkout> {
    let base = &venue.base;
    let host = &venue.host;
    let cart: Value = http
        .post(format!("{base}/api/v1/carts"))
        .header("host", host)
        .send()
        .await?
        .json()
        .await?;
    let cart_id = cart["cartId"].as_str().context("cart")?;
    let token = cart["cartToken"].as_str().context("cart token")?;
    // Concurrent patrons may collide on the same best seats: try again, as the site does.
    let mut held = Value::Null;
    for attempt in 1..=10u64 {
        held = http
            .post(format!("{base}/api/v1/carts/{cart_id}/holds"))
            .header("host", host)
            .header("x-cart-token", token)
            .json(&json!({ "performanceId": performance, "bestAvailable": { "quantity": 2 } }))
            .send()
            .await?
            .json()
            .await?;
        if held["items"].is_array() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
    }
    let tickets: Vec<Value> = held["items"]
        .as_array()
        .with_context(|| format!("hold: {held}"))?
        .iter()
        .map(|item| json!({ "holdId": item["holdId"], "priceType": "adult" }))
        .collect();
    let email = format!("chaos-{i}@example.org");
    let checkout: Value = http
        .post(format!("{base}/api/v1/carts/{cart_id}/checkout"))
        .header("host", host)
        .header("x-cart-token", token)
        .json(&json!({ "email": email, "name": "Chaos Patron", "tickets": tickets }))
        .send()
        .await?
        .json()
        .await?;
    let payment = &checkout["payment"];
    let intent = payment["paymentIntentId"]
        .as_str()
        .with_context(|| format!("checkout: {checkout}"))?;
    let stripe = std::env::var("MARQUEE_STRIPE_URL")?;
    let paid = http
        .post(format!("{stripe}/_double/payment_intents/{intent}/pay"))
        .json(&json!({
            "clientSecret": payment["clientSecret"],
            "cardNumber": VISA,
            "expMonth": 12,
            "expYear": 2030,
            "cvc": "123",
        }))
        .send()
        .await?
        .status()
        .is_success();
    Ok(Checkout {
        email,
        order_id: checkout["orderId"].as_str().context("order id")?.to_owned(),
        order_token: checkout["orderToken"]
            .as_str()
            .context("order token")?
            .to_owned(),
        paid,
    })
}

async fn order(
    http: &reqwest::Client,
    venue: &marquee_tests::bench::BenchVenue,
    checkout: &Checkout,
) -> anyhow::Result<Value> {
    Ok(http
        .get(format!(
            "{}/api/v1/orders/{}",
            venue.base, checkout.order_id
        ))
        .header("host", &venue.host)
        .header("x-order-token", &checkout.order_token)
        .send()
        .await?
        .json()
        .await?)
}

async fn seat_statuses(
    http: &reqwest::Client,
    venue: &marquee_tests::bench::BenchVenue,
    performance: &str,
) -> anyhow::Result<String> {
    let status: Value = http
        .get(format!(
            "{}/api/v1/performances/{performance}/seatmap/status",
            venue.base
        ))
        .header("host", &venue.host)
        .send()
        .await?
        .json()
        .await?;
    Ok(status["sections"]["Hall"]
        .as_str()
        .with_context(|| format!("status: {status}"))?
        .to_owned())
}

/// A 10 × 12 hall (120 seats for 100 tickets), published with one price.
async fn set_up_show(
    http: &reqwest::Client,
    venue: &marquee_tests::bench::BenchVenue,
) -> anyhow::Result<String> {
    let post = |path: &str, body: Value| {
        http.post(format!("{}{path}", venue.base))
            .header("host", &venue.host)
            .bearer_auth(&venue.owner_token)
            .json(&body)
            .send()
    };
    let mut csv = String::from("Section,Row,Seat,Price Zone,Best-Available Rank,X,Y,Note\n");
    for r in 0..10u8 {
        for n in 1..=12 {
            let row = (b'A' + r) as char;
            csv.push_str(&format!(
                "Hall,{row},{n},A,{},{},{},\n",
                1 + usize::from(r) * 100 + n,
                n * 10,
                usize::from(r) * 10
            ));
        }
    }
    let map: Value = http
        .post(format!("{}/admin/v1/seatmaps/import?name=Hall", venue.base))
        .header("host", &venue.host)
        .header("content-type", "text/csv")
        .bearer_auth(&venue.owner_token)
        .body(csv)
        .send()
        .await?
        .json()
        .await?;
    let map_id = map["id"]
        .as_str()
        .with_context(|| format!("seat map: {map}"))?;
    let event: Value = post("/admin/v1/events", json!({ "title": "Chaos" }))
        .await?
        .json()
        .await?;
    let event_id = event["id"].as_str().context("event")?;
    let created: Value = post(
        &format!("/admin/v1/events/{event_id}/performances"),
        json!({
            "startsAt": (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339(),
            "seatMapId": map_id,
            "prices": [{ "zone": "A", "priceType": "adult", "amount": 2500 }],
        }),
    )
    .await?
    .json()
    .await?;
    let performance = created["id"]
        .as_str()
        .with_context(|| format!("performance: {created}"))?;
    let published = post(
        &format!("/admin/v1/performances/{performance}/publish"),
        json!({}),
    )
    .await?;
    ensure!(
        published.status().is_success(),
        "publish: {}",
        published.text().await?
    );
    Ok(performance.to_owned())
}

/// `--serve-webhook`: the killable process.
async fn serve_webhook() -> anyhow::Result<()> {
    let var = |name: &str| std::env::var(name).with_context(|| name.to_owned());
    devserver::serve_stripe_webhook(WebhookOnly {
        port: var("CHAOS_WEBHOOK_PORT")?.parse()?,
        endpoints: Endpoints::from_env(),
        table_name: var("CHAOS_TABLE")?,
        mail_queue_url: var("CHAOS_MAIL_QUEUE_URL")?,
        public_url_template: var("CHAOS_PUBLIC_URL_TEMPLATE")?,
        stripe: StripeSettings {
            secret_key: Secret::new(var("CHAOS_STRIPE_KEY")?),
            publishable_key: String::new(),
            webhook_secret: Secret::new(var("CHAOS_WEBHOOK_SECRET")?),
            connect_webhook_secret: Secret::new(var("CHAOS_WEBHOOK_SECRET")?),
            api_base: Some(var("MARQUEE_STRIPE_URL")?),
            local: true,
        },
    })
    .await
}

fn spawn_webhook(env: &[(&'static str, String)]) -> anyhow::Result<Child> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("--serve-webhook")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    Ok(command.spawn()?)
}

async fn wait_listening(port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        ensure!(
            Instant::now() < deadline,
            "the webhook process never listened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        | 1
}

fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}
