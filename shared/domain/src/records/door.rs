//! The door's log, as stored: one line per scan.

use serde::{Deserialize, Serialize};

/// Which way a ticket goes through the door.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScanDirection {
    #[default]
    In,
    Out,
}

/// What the door person is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScanResult {
    Ok,
    AlreadyUsed,
    WrongPerformance,
    Refunded,
    Invalid,
    /// Scanned out, but not checked in.
    NotInside,
}

/// One line of the door's log.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanRecord {
    /// Empty when the code named no ticket of the venue.
    pub ticket_id: String,
    pub direction: ScanDirection,
    pub result: ScanResult,
    pub door: Option<String>,
    pub staff: String,
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_names_it_always_had() {
        let record = ScanRecord {
            ticket_id: "t".into(),
            direction: ScanDirection::Out,
            result: ScanResult::AlreadyUsed,
            door: None,
            staff: "s".into(),
            at: "now".into(),
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["direction"], "out");
        assert_eq!(json["result"], "already_used");
    }
}
