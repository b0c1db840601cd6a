//! Seat states of a performance, as stored. Sparse: no item means free. A hold whose
//! `expiresAt` has passed counts as free for every reader and writer.

use crate::seatmap::{SeatId, SeatStatus, SectionId};
use crate::{CartId, HoldId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatState {
    Held,
    Sold,
    Blocked,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatStateRecord {
    pub seat: SeatId,
    pub section: SectionId,
    pub state: SeatState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<CartId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_id: Option<HoldId>,
    /// Epoch milliseconds; a held seat is free once this has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

impl SeatState {
    /// The stored name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Sold => "sold",
            Self::Blocked => "blocked",
        }
    }
}

impl SeatStateRecord {
    /// What a patron sees at `now_ms`.
    pub fn status(&self, now_ms: i64) -> SeatStatus {
        match self.state {
            SeatState::Held if self.expires_at.is_some_and(|at| at > now_ms) => SeatStatus::Held,
            SeatState::Held => SeatStatus::Free,
            SeatState::Sold => SeatStatus::Sold,
            SeatState::Blocked => SeatStatus::Blocked,
        }
    }
}

/// Tickets of a general-admission area taken for one performance. No item: none taken.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GaCounter {
    #[serde(default)]
    pub held: u32,
    #[serde(default)]
    pub sold: u32,
}
