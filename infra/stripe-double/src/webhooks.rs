//! Events and their delivery. A handler's events become `evt_…` objects in Stripe's shape and
//! are sent in the background to every target — the configured webhook URL and the platform's
//! registered endpoints — signed like Stripe signs them, and retried with exponential backoff
//! while the receiver answers anything but 2xx (or cannot be reached).
//!
//! Connect routing, as Stripe does it: an event of a connected account carries top-level
//! `account` and goes only to `connect=true` endpoints and the configured Connect target
//! (`--forward-connect-to`); the platform's own events go only to the others.
//!
//! Test controls can hold deliveries and release them in another order, delay them, and resend
//! an event (the same bytes with a fresh signature), which is how the receiver's handling of
//! duplicates, reordering and lateness is tested.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::header::{CONTENT_TYPE, USER_AGENT};
use serde_json::{Value, json};

use crate::App;
use crate::errors::ApiError;
use crate::ids::new_id;
use crate::objects::WebhookEndpoint;
use crate::signature::{sign, unix_now};
use crate::store::{Attempt, Delivery, DeliveryState, EventDraft, EventRecord, Store, Target};

/// One delivery to perform.
struct Job {
    platform_id: String,
    event_id: String,
    delivery: usize,
    url: String,
    secret: String,
    payload: String,
    delay: Duration,
}

/// Renders the new events of the platform and its connected accounts, records them, and starts
/// their deliveries (unless the platform is holding deliveries).
pub(crate) fn publish(app: &App, store: &mut Store, platform_id: &str) {
    let platform = store.platform_mut(platform_id);
    let mut drafts: Vec<(Option<String>, EventDraft)> = Vec::new();
    for (account_id, connected) in &mut platform.connected {
        for draft in std::mem::take(&mut connected.ledger.drafts) {
            drafts.push((Some(account_id.clone()), draft));
        }
    }
    for draft in std::mem::take(&mut platform.own.drafts) {
        drafts.push((None, draft));
    }
    let mut jobs = Vec::new();
    for (account, draft) in drafts {
        let targets = targets_for(app, &platform.endpoints, draft.kind, account.is_some());
        let id = new_id("evt");
        let mut payload = json!({
            "id": id,
            "object": "event",
            "api_version": app.config.api_version,
            "created": draft.created,
            "data": { "object": draft.object },
            "livemode": false,
            "pending_webhooks": targets.len(),
            "request": {
                "id": draft.request_id,
                "idempotency_key": draft.idempotency_key,
            },
            "type": draft.kind,
        });
        if let (Some(account), Some(object)) = (&account, payload.as_object_mut()) {
            object.insert("account".into(), Value::String(account.clone()));
        }
        let payload = payload.to_string();
        let state = if platform.holding {
            DeliveryState::Held
        } else {
            DeliveryState::Pending
        };
        let deliveries: Vec<Delivery> = targets
            .iter()
            .map(|target| Delivery::new(target, false, state))
            .collect();
        if !platform.holding {
            for (index, target) in targets.iter().enumerate() {
                jobs.push(Job {
                    platform_id: platform_id.to_owned(),
                    event_id: id.clone(),
                    delivery: index,
                    url: target.url.clone(),
                    secret: target.secret.clone(),
                    payload: payload.clone(),
                    delay: platform.webhook_delay,
                });
            }
        }
        tracing::info!(event = %id, kind = draft.kind, account = ?account, targets = targets.len(), held = platform.holding, "event created");
        platform.events.push(EventRecord {
            id,
            kind: draft.kind,
            created: draft.created,
            account,
            payload,
            deliveries,
        });
    }
    // Independent deliveries run concurrently, as Stripe's do (no ordering guarantee).
    for job in jobs {
        run_in_order(app, vec![job]);
    }
}

/// Sends the event again to every current target: the same payload (same `id`), a fresh
/// signature. Returns the number of deliveries started (or held).
pub(crate) fn resend(
    app: &App,
    store: &mut Store,
    platform_id: &str,
    event_id: &str,
) -> Result<usize, ApiError> {
    let platform = store.platform_mut(platform_id);
    let targets = match platform.events.iter().find(|event| event.id == event_id) {
        Some(event) => targets_for(
            app,
            &platform.endpoints,
            event.kind,
            event.account.is_some(),
        ),
        None => return Err(ApiError::no_such("event", event_id, "id", true)),
    };
    let holding = platform.holding;
    let delay = platform.webhook_delay;
    let Some(event) = platform.event_mut(event_id) else {
        return Err(ApiError::no_such("event", event_id, "id", true));
    };
    let state = if holding {
        DeliveryState::Held
    } else {
        DeliveryState::Pending
    };
    let mut jobs = Vec::new();
    for target in &targets {
        event.deliveries.push(Delivery::new(target, true, state));
        jobs.push(Job {
            platform_id: platform_id.to_owned(),
            event_id: event.id.clone(),
            delivery: event.deliveries.len() - 1,
            url: target.url.clone(),
            secret: target.secret.clone(),
            payload: event.payload.clone(),
            delay,
        });
    }
    if !holding {
        for job in jobs {
            run_in_order(app, vec![job]);
        }
    }
    Ok(targets.len())
}

/// In which order held deliveries go out.
pub(crate) enum ReleaseOrder {
    /// The order the events were created in.
    Created,
    /// Newest first.
    Reverse,
    /// These events first, in this order, then any others in creation order.
    Events(Vec<String>),
}

/// Stops holding and sends every held delivery, one after another in the requested order
/// (each waits until the previous one is delivered or has given up). Returns how many.
pub(crate) fn release(
    app: &App,
    store: &mut Store,
    platform_id: &str,
    order: ReleaseOrder,
) -> Result<usize, ApiError> {
    let platform = store.platform_mut(platform_id);
    let mut held: Vec<(usize, usize)> = Vec::new();
    for (event_index, event) in platform.events.iter().enumerate() {
        for (delivery_index, delivery) in event.deliveries.iter().enumerate() {
            if delivery.state == DeliveryState::Held {
                held.push((event_index, delivery_index));
            }
        }
    }
    match order {
        ReleaseOrder::Created => {}
        ReleaseOrder::Reverse => held.reverse(),
        ReleaseOrder::Events(ids) => {
            let mut rank = Vec::with_capacity(held.len());
            for id in &ids {
                let position = platform.events.iter().position(|event| event.id == *id);
                match position {
                    Some(position) if held.iter().any(|(e, _)| *e == position) => {
                        rank.push(position);
                    }
                    _ => {
                        return Err(ApiError::invalid_request(format!(
                            "Event {id} has no held deliveries."
                        ))
                        .param("eventIds"));
                    }
                }
            }
            // A stable sort keeps creation order among the unlisted events.
            held.sort_by_key(|(event, _)| {
                rank.iter()
                    .position(|ranked| ranked == event)
                    .unwrap_or(usize::MAX)
            });
        }
    }
    platform.holding = false;
    let delay = platform.webhook_delay;
    let mut jobs = Vec::with_capacity(held.len());
    for (event_index, delivery_index) in held {
        let Some(event) = platform.events.get_mut(event_index) else {
            continue;
        };
        let Some(delivery) = event.deliveries.get_mut(delivery_index) else {
            continue;
        };
        delivery.state = DeliveryState::Pending;
        jobs.push(Job {
            platform_id: platform_id.to_owned(),
            event_id: event.id.clone(),
            delivery: delivery_index,
            url: delivery.url.clone(),
            secret: delivery.secret.clone(),
            payload: event.payload.clone(),
            delay,
        });
    }
    let released = jobs.len();
    run_in_order(app, jobs);
    Ok(released)
}

/// An event as the test controls show it: the payload as sent, and every delivery's attempts.
pub(crate) fn event_json(event: &EventRecord) -> Value {
    json!({
        "id": event.id,
        "type": event.kind,
        "created": event.created,
        "account": event.account,
        "event": serde_json::from_str::<Value>(&event.payload).unwrap_or(Value::Null),
        "deliveries": event.deliveries,
    })
}

/// Where an event goes: a connected account's events to the Connect target and `connect=true`
/// endpoints, the platform's own to the others.
fn targets_for(
    app: &App,
    endpoints: &[WebhookEndpoint],
    kind: &str,
    from_connected_account: bool,
) -> Vec<Target> {
    let configured = if from_connected_account {
        &app.config.connect_webhook
    } else {
        &app.config.webhook
    };
    let configured = configured.iter().map(|webhook| Target {
        url: webhook.url.clone(),
        secret: webhook.secret.clone(),
        endpoint: None,
    });
    let registered = endpoints
        .iter()
        .filter(|endpoint| endpoint.wants(kind, from_connected_account))
        .map(|endpoint| Target {
            url: endpoint.url.clone(),
            secret: endpoint.secret.clone(),
            endpoint: Some(endpoint.id.clone()),
        });
    configured.chain(registered).collect()
}

fn run_in_order(app: &App, jobs: Vec<Job>) {
    if jobs.is_empty() {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        for job in jobs {
            deliver(&app, job).await;
        }
    });
}

/// Waits out the delay, then tries until a 2xx or the attempts run out. Each attempt is
/// signed afresh (with the time it is sent), as Stripe does.
async fn deliver(app: &App, job: Job) {
    let mut shutdown = app.shutdown.clone();
    if !job.delay.is_zero() && !sleep_unless_shutdown(&mut shutdown, job.delay).await {
        return;
    }
    let policy = &app.config.retry;
    let attempts = policy.max_attempts.max(1);
    for attempt in 1..=attempts {
        if *shutdown.borrow() {
            return;
        }
        let signature = sign(&job.secret, unix_now(), job.payload.as_bytes());
        let sent = app
            .http
            .post(&job.url)
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .header(USER_AGENT, "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .header("Stripe-Signature", signature)
            .timeout(policy.timeout)
            .body(job.payload.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(err) => (None, Some(describe(&err.without_url()))),
        };
        let delivered = status.is_some_and(|status| (200..300).contains(&status));
        let state = if delivered {
            DeliveryState::Delivered
        } else if attempt == attempts {
            DeliveryState::Failed
        } else {
            DeliveryState::Pending
        };
        tracing::info!(event = %job.event_id, attempt, status, error, state = ?state, "webhook delivery");
        record_attempt(
            app,
            &job,
            Attempt {
                at_ms: unix_now_ms(),
                status,
                error,
            },
            state,
        );
        if state != DeliveryState::Pending {
            return;
        }
        let factor = 2u32.saturating_pow(attempt - 1);
        let backoff = policy.first_backoff.saturating_mul(factor);
        if !sleep_unless_shutdown(&mut shutdown, backoff).await {
            return;
        }
    }
}

/// Sleeps; false if the double is shutting down meanwhile.
async fn sleep_unless_shutdown(
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
    duration: Duration,
) -> bool {
    tokio::select! {
        () = tokio::time::sleep(duration) => !*shutdown.borrow(),
        _ = shutdown.changed() => false,
    }
}

fn record_attempt(app: &App, job: &Job, attempt: Attempt, state: DeliveryState) {
    let mut store = app.lock();
    let Some(platform) = store.platforms.get_mut(&job.platform_id) else {
        return;
    };
    let Some(delivery) = platform
        .event_mut(&job.event_id)
        .and_then(|event| event.deliveries.get_mut(job.delivery))
    else {
        return;
    };
    delivery.attempts.push(attempt);
    delivery.state = state;
}

/// An error with its causes ("error sending request: … Connection refused"), since reqwest's
/// own message stops at the first line.
fn describe(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
