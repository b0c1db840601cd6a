//! `/live`: the live seat map WebSocket, served in-process the way API Gateway's WebSocket
//! API and the `live` function serve it in AWS (same venue resolution, same subscribe
//! checks, same messages), and the [`LiveHub`] of subscribers that the `seat-events` worker
//! pushes to here instead of calling `PostToConnection`.

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use marquee_domain::{PerformanceId, TenantId};
use marquee_platform::ApiError;
use marquee_platform::live::{ClientRequest, LiveChannel, LiveMessage};
use marquee_store::MAX_LIVE_SUBSCRIPTIONS;
use seat_events::{Delivery, LivePush, PushError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

type Outbox = mpsc::UnboundedSender<String>;

/// A performance watched on one channel.
type Slot = (TenantId, PerformanceId, LiveChannel);

/// Open connections and the performances they watch.
#[derive(Clone, Default)]
pub struct LiveHub(Arc<Mutex<Subscribers>>);

#[derive(Default)]
struct Subscribers {
    next_connection: u64,
    connections: HashMap<u64, Connection>,
    /// Subscribers of each slot, and when each subscription ends.
    watching: HashMap<Slot, HashMap<u64, (Outbox, DateTime<Utc>)>>,
}

struct Connection {
    outbox: Outbox,
    performances: Vec<Slot>,
}

impl Subscribers {
    fn remove(&mut self, connection: u64) {
        let Some(gone) = self.connections.remove(&connection) else {
            return;
        };
        for slot in gone.performances {
            if let Some(subscribers) = self.watching.get_mut(&slot) {
                subscribers.remove(&connection);
                if subscribers.is_empty() {
                    self.watching.remove(&slot);
                }
            }
        }
    }
}

impl LiveHub {
    fn lock(&self) -> MutexGuard<'_, Subscribers> {
        // A panic while holding the lock leaves plain maps behind; keep serving them.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn connect(&self) -> (u64, mpsc::UnboundedReceiver<String>) {
        let (outbox, inbox) = mpsc::unbounded_channel();
        let mut hub = self.lock();
        hub.next_connection += 1;
        let id = hub.next_connection;
        hub.connections.insert(
            id,
            Connection {
                outbox,
                performances: Vec::new(),
            },
        );
        (id, inbox)
    }

    /// `false` when the connection already watches the most performances allowed on the
    /// slot's channel.
    fn subscribe(&self, connection: u64, slot: Slot, until: DateTime<Utc>) -> bool {
        let mut hub = self.lock();
        let Some(open) = hub.connections.get_mut(&connection) else {
            return false;
        };
        if !open.performances.contains(&slot) {
            let on_channel = open.performances.iter().filter(|s| s.2 == slot.2).count();
            if on_channel >= MAX_LIVE_SUBSCRIPTIONS {
                return false;
            }
            open.performances.push(slot.clone());
        }
        let outbox = open.outbox.clone();
        hub.watching
            .entry(slot)
            .or_default()
            .insert(connection, (outbox, until));
        true
    }

    fn disconnect(&self, connection: u64) {
        self.lock().remove(connection);
    }
}

impl LivePush for LiveHub {
    async fn push(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        channel: LiveChannel,
        message: &LiveMessage,
    ) -> Result<Delivery, PushError> {
        let text = message.to_json();
        let mut delivery = Delivery::default();
        let mut hub = self.lock();
        let mut gone = Vec::new();
        let now = Utc::now();
        let slot = (tenant.clone(), performance.clone(), channel);
        if let Some(subscribers) = hub.watching.get(&slot) {
            // A subscription past its end (a staff token expired) hears nothing more.
            let current = subscribers.iter().filter(|(_, (_, until))| *until > now);
            for (connection, (outbox, _)) in current {
                if outbox.send(text.clone()).is_ok() {
                    delivery.delivered += 1;
                } else {
                    gone.push(*connection);
                }
            }
        }
        delivery.gone = gone.len();
        for connection in gone {
            hub.remove(connection);
        }
        Ok(delivery)
    }
}

/// What `/live` needs.
pub(crate) struct LiveSocket {
    live: ::live::LiveState,
    hub: LiveHub,
}

pub(crate) fn routes(live: ::live::LiveState, hub: LiveHub) -> Router {
    let state = Arc::new(LiveSocket { live, hub });
    Router::new().route("/live", get(open)).with_state(state)
}

/// The handshake: refused (404, like `$connect` refused by the authorizer) unless a venue
/// answers at `Host` or `Origin`.
async fn open(
    State(state): State<Arc<LiveSocket>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let tenancy = &state.live.tenancy;
    match ::live::venue_of_connection(tenancy, header(header::HOST), header(header::ORIGIN)).await {
        Ok(Some(venue)) => upgrade.on_upgrade(move |socket| serve(socket, state, venue.id)),
        Ok(None) => ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_host",
            "No venue answers at this address",
        )
        .into_response(),
        Err(error) => error.into_response(),
    }
}

async fn serve(mut socket: WebSocket, state: Arc<LiveSocket>, tenant: TenantId) {
    let (connection, mut pushed) = state.hub.connect();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    // Pings are answered by axum; binary frames mean nothing here.
                    Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                let reply = reply(&state, &tenant, connection, text.as_str()).await;
                if socket.send(Message::Text(reply.to_json().into())).await.is_err() {
                    break;
                }
            }
            message = pushed.recv() => {
                let Some(message) = message else { break };
                if socket.send(Message::Text(message.into())).await.is_err() {
                    break;
                }
            }
        }
    }
    state.hub.disconnect(connection);
}

async fn reply(state: &LiveSocket, tenant: &TenantId, connection: u64, body: &str) -> LiveMessage {
    let (performance_id, channel, token) = match ClientRequest::parse(body) {
        Err(refusal) => return refusal,
        Ok(ClientRequest::Ping) => return LiveMessage::Pong,
        Ok(ClientRequest::Subscribe {
            performance_id,
            channel,
            token,
        }) => (performance_id, channel, token),
    };
    let target = ::live::subscription_target(
        &state.live,
        tenant,
        &performance_id,
        channel,
        token.as_ref(),
        Utc::now(),
    )
    .await;
    match target {
        Err(refusal) => refusal,
        Ok((performance, until)) => {
            let slot = (tenant.clone(), performance.clone(), channel);
            if state.hub.subscribe(connection, slot, until) {
                LiveMessage::Subscribed {
                    performance_id: performance,
                    channel,
                }
            } else {
                LiveMessage::too_many_subscriptions(&performance_id)
            }
        }
    }
}
