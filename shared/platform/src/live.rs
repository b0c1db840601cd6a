//! The live seat map protocol (API.md, "Live seat map (WebSocket)"), spoken by the `live`
//! function behind API Gateway's WebSocket API and by the devserver's `/live`:
//!
//! - the client sends `{"action": "subscribe", "performanceId": "…"}` (and may send
//!   `{"action": "ping"}` to keep an idle connection open: API Gateway closes it after ten
//!   silent minutes);
//! - the server answers `{"type": "subscribed", "performanceId": "…"}`, `{"type": "pong"}` or
//!   `{"type": "error", "code": "not_found" | "bad_request" | "too_many_subscriptions", …}`,
//!   and pushes `{"type": "seats", "performanceId", "changes": [{"seatId", "status"}]}` and
//!   `{"type": "ga", "performanceId", "areaId", "available"}` as seats and areas change.
//!
//! Staff watch a performance's sales the same way, on the `sales` channel, with their access
//! token in the message (the socket is public and its handshake carries no credentials):
//! `{"action": "subscribe", "channel": "sales", "performanceId": "…", "token": "…"}`. The
//! token is checked as the admin API checks it (this venue's, unexpired, issuer, version, an
//! active account whose role may view sales); a refusal is `unauthorized` or `forbidden`.
//! The server answers `{"type": "subscribed", "channel": "sales", …}` and pushes
//! `{"type": "sales", "performanceId"}` when the figures may have changed (a seat or place
//! held, let go or sold, a ticket issued, refunded or scanned): the client reads them again
//! from `GET /admin/v1/performances/{performanceId}/sales`, so the figures have one source.
//! The subscription ends when the token expires.
//!
//! Messages carry states, never deltas, so a repeated or reordered delivery is harmless.

use crate::Secret;
use marquee_domain::PerformanceId;
use marquee_domain::seatmap::{AreaId, SeatId, SeatStatus};
pub use marquee_store::LiveChannel;
use serde::{Deserialize, Serialize};

/// What a client sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ClientRequest {
    /// The raw id: an unknown or malformed one is answered `not_found`, like the HTTP API.
    Subscribe {
        performance_id: String,
        #[serde(default)]
        channel: LiveChannel,
        /// A staff access token (the `sales` channel).
        #[serde(default)]
        token: Option<Secret>,
    },
    Ping,
}

impl ClientRequest {
    /// Reads a client's message; anything else gets a `bad_request` error to send back.
    pub fn parse(body: &str) -> Result<Self, LiveMessage> {
        serde_json::from_str(body).map_err(|_| {
            LiveMessage::error(
                "bad_request",
                "Send {\"action\": \"subscribe\", \"performanceId\": \"…\"}",
                None,
            )
        })
    }
}

/// One seat's new status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatChange {
    pub seat_id: SeatId,
    pub status: SeatStatus,
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum LiveMessage {
    /// Seats of the performance whose status changed (the latest status of each).
    Seats {
        performance_id: PerformanceId,
        changes: Vec<SeatChange>,
    },
    /// Tickets still available in a general-admission area.
    Ga {
        performance_id: PerformanceId,
        area_id: AreaId,
        available: u32,
    },
    /// A performance's sales figures may have changed (staff, `sales` channel).
    Sales {
        performance_id: PerformanceId,
    },
    /// The subscription is in place: changes from now on are sent.
    Subscribed {
        performance_id: PerformanceId,
        #[serde(default, skip_serializing_if = "is_seats")]
        channel: LiveChannel,
    },
    Pong,
    Error {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        performance_id: Option<String>,
    },
}

fn is_seats(channel: &LiveChannel) -> bool {
    *channel == LiveChannel::Seats
}

impl LiveMessage {
    pub fn error(code: &str, message: &str, performance_id: Option<&str>) -> Self {
        Self::Error {
            code: code.to_owned(),
            message: message.to_owned(),
            performance_id: performance_id.map(str::to_owned),
        }
    }

    /// The answer to a subscription to a performance that is not this venue's, not
    /// published, or not an id at all: indistinguishable on purpose.
    pub fn not_found(performance_id: &str) -> Self {
        Self::error(
            "not_found",
            "No such performance at this venue",
            Some(performance_id),
        )
    }

    pub fn too_many_subscriptions(performance_id: &str) -> Self {
        Self::error(
            "too_many_subscriptions",
            "This connection watches too many performances; open another",
            Some(performance_id),
        )
    }

    /// The JSON text sent on the socket.
    pub fn to_json(&self) -> String {
        // Serializing these plain enums cannot fail; an empty object would be the fallback.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_have_the_documented_shape() {
        let performance = PerformanceId::generate();
        let seats = LiveMessage::Seats {
            performance_id: performance.clone(),
            changes: vec![SeatChange {
                seat_id: SeatId::parse("A-1").unwrap(),
                status: SeatStatus::Blocked,
            }],
        };
        assert_eq!(
            serde_json::to_value(&seats).unwrap(),
            json!({ "type": "seats", "performanceId": performance.to_string(),
                    "changes": [ { "seatId": "A-1", "status": "blocked" } ] })
        );
        let ga = LiveMessage::Ga {
            performance_id: performance.clone(),
            area_id: AreaId::parse("lawn").unwrap(),
            available: 12,
        };
        assert_eq!(
            serde_json::to_value(&ga).unwrap(),
            json!({ "type": "ga", "performanceId": performance.to_string(), "areaId": "lawn", "available": 12 })
        );
        assert_eq!(
            serde_json::to_value(LiveMessage::not_found("x")).unwrap()["code"],
            "not_found"
        );
        assert_eq!(LiveMessage::Pong.to_json(), r#"{"type":"pong"}"#);
        assert_eq!(
            serde_json::to_value(LiveMessage::Sales {
                performance_id: performance.clone()
            })
            .unwrap(),
            json!({ "type": "sales", "performanceId": performance.to_string() })
        );
        let subscribed = |channel| LiveMessage::Subscribed {
            performance_id: performance.clone(),
            channel,
        };
        assert_eq!(
            serde_json::to_value(subscribed(LiveChannel::Seats)).unwrap(),
            json!({ "type": "subscribed", "performanceId": performance.to_string() })
        );
        assert_eq!(
            serde_json::to_value(subscribed(LiveChannel::Sales)).unwrap(),
            json!({ "type": "subscribed", "performanceId": performance.to_string(), "channel": "sales" })
        );
    }

    #[test]
    fn client_requests_parse_or_get_bad_request() {
        assert!(matches!(
            ClientRequest::parse(r#"{"action":"subscribe","performanceId":"p1"}"#),
            Ok(ClientRequest::Subscribe { performance_id, channel: LiveChannel::Seats, token: None })
                if performance_id == "p1"
        ));
        let Ok(ClientRequest::Subscribe {
            channel: LiveChannel::Sales,
            token: Some(token),
            ..
        }) = ClientRequest::parse(
            r#"{"action":"subscribe","channel":"sales","performanceId":"p1","token":"t0k"}"#,
        )
        else {
            panic!("a sales subscription parses");
        };
        assert_eq!(token.expose(), "t0k");
        assert!(
            !format!("{token:?}").contains("t0k"),
            "tokens are never printed"
        );
        assert!(matches!(
            ClientRequest::parse(r#"{"action":"ping"}"#),
            Ok(ClientRequest::Ping)
        ));
        for bad in [
            "",
            "null",
            "{}",
            r#"{"action":"subscribe"}"#,
            r#"{"action":"dance"}"#,
            r#"{"action":"subscribe","channel":"gossip","performanceId":"p1"}"#,
        ] {
            let Err(LiveMessage::Error { code, .. }) = ClientRequest::parse(bad) else {
                panic!("{bad} is refused");
            };
            assert_eq!(code, "bad_request");
        }
    }
}
