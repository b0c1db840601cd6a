//! Seat maps, events and performances, as stored.

use crate::performance::{PerformanceStatus, Schedule};
use crate::pricing::{Fee, PriceTable, Tax};
use crate::records::GaCapacity;
use crate::seatmap::{AreaId, GaArea, PriceZone, SectionId};
use crate::{EventId, PerformanceId, SeatMapId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A seat map's metadata; its sections are separate items.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapRecord {
    pub id: SeatMapId,
    pub name: String,
    pub version: u32,
    pub zones: Vec<PriceZone>,
    pub areas: Vec<GaArea>,
    pub section_ids: Vec<SectionId>,
    pub seat_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    pub id: EventId,
    pub title: String,
    pub description: String,
    /// S3 key of the event image, under the tenant's prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_key: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceRecord {
    pub id: PerformanceId,
    pub event_id: EventId,
    pub seat_map_id: SeatMapId,
    pub status: PerformanceStatus,
    pub schedule: Schedule,
    pub prices: PriceTable,
    #[serde(default)]
    pub fees: Vec<Fee>,
    #[serde(default)]
    pub taxes: Vec<Tax>,
    pub max_tickets_per_order: u32,
    pub hold_seconds: u32,
    /// Counter shards per general-admission area, fixed at creation; areas not named (and
    /// every area of performances created before shards) have one counter.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ga_shards: BTreeMap<AreaId, u16>,
    pub created_at: String,
    pub updated_at: String,
}

impl PerformanceRecord {
    /// The area's capacity and how its counter is sharded for this performance.
    pub fn ga_capacity(&self, area: &GaArea) -> GaCapacity {
        GaCapacity::new(
            area.capacity,
            self.ga_shards.get(&area.id).copied().unwrap_or(1),
        )
    }
}
