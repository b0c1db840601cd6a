//! Where a ticket is: a numbered seat, or a place in a general-admission area.

use crate::seatmap::{AreaId, SeatId, SectionId};
use serde::{Deserialize, Serialize};

/// A seat or a general-admission place: exactly one, never both or neither.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SpotItem", into = "SpotItem")]
pub enum Spot {
    Seat { section: SectionId, seat: SeatId },
    Area(AreaId),
}

impl Spot {
    pub fn seat(&self) -> Option<&SeatId> {
        match self {
            Self::Seat { seat, .. } => Some(seat),
            Self::Area(_) => None,
        }
    }

    pub fn section(&self) -> Option<&SectionId> {
        match self {
            Self::Seat { section, .. } => Some(section),
            Self::Area(_) => None,
        }
    }

    pub fn area(&self) -> Option<&AreaId> {
        match self {
            Self::Area(area) => Some(area),
            Self::Seat { .. } => None,
        }
    }
}

/// The stored shape: optional `section`, `seat` and `area` attributes beside the others.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SpotItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    section: Option<SectionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seat: Option<SeatId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    area: Option<AreaId>,
}

impl From<Spot> for SpotItem {
    fn from(spot: Spot) -> Self {
        match spot {
            Spot::Seat { section, seat } => Self {
                section: Some(section),
                seat: Some(seat),
                area: None,
            },
            Spot::Area(area) => Self {
                area: Some(area),
                ..Self::default()
            },
        }
    }
}

impl TryFrom<SpotItem> for Spot {
    type Error = &'static str;
    fn try_from(item: SpotItem) -> Result<Self, Self::Error> {
        match item {
            SpotItem {
                section: Some(section),
                seat: Some(seat),
                area: None,
            } => Ok(Self::Seat { section, seat }),
            SpotItem {
                section: None,
                seat: None,
                area: Some(area),
            } => Ok(Self::Area(area)),
            _ => Err("a ticket is either a seat (section and seat) or an area, not both"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spot_is_stored_in_the_shape_it_always_had() {
        let seat = Spot::Seat {
            section: SectionId::parse("stalls").unwrap(),
            seat: SeatId::parse("A-1").unwrap(),
        };
        let json = serde_json::to_value(&seat).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "section": "stalls", "seat": "A-1" })
        );
        assert_eq!(serde_json::from_value::<Spot>(json).unwrap(), seat);
        let area = serde_json::json!({ "area": "floor" });
        assert_eq!(
            serde_json::from_value::<Spot>(area)
                .unwrap()
                .area()
                .map(AreaId::as_str),
            Some("floor")
        );
    }

    #[test]
    fn a_spot_with_both_or_neither_is_refused() {
        let both = serde_json::json!({ "section": "s", "seat": "A-1", "area": "floor" });
        assert!(serde_json::from_value::<Spot>(both).is_err());
        assert!(serde_json::from_value::<Spot>(serde_json::json!({})).is_err());
    }
}
