//! Performances: when they are, when they sell, and the life cycle of their sale.

use crate::Invalid;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const DEFAULT_MAX_TICKETS: u32 = 10;
pub const DEFAULT_HOLD_SECONDS: u32 = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PerformanceStatus {
    Draft,
    OnSale,
    Paused,
    SoldOut,
    Cancelled,
}

impl PerformanceStatus {
    /// The stored (and wire) name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::OnSale => "on_sale",
            Self::Paused => "paused",
            Self::SoldOut => "sold_out",
            Self::Cancelled => "cancelled",
        }
    }

    /// Publishing puts a draft or paused performance on sale.
    pub fn publish(self) -> Result<Self, Invalid> {
        match self {
            Self::Draft | Self::Paused => Ok(Self::OnSale),
            Self::OnSale => Err(Invalid::new("status", "the performance is already on sale")),
            Self::SoldOut => Err(Invalid::new("status", "the performance is sold out")),
            Self::Cancelled => Err(Invalid::new(
                "status",
                "a cancelled performance cannot be published",
            )),
        }
    }

    pub fn pause(self) -> Result<Self, Invalid> {
        match self {
            Self::OnSale | Self::SoldOut => Ok(Self::Paused),
            _ => Err(Invalid::new(
                "status",
                "only a performance on sale can be paused",
            )),
        }
    }

    pub fn cancel(self) -> Result<Self, Invalid> {
        match self {
            Self::Cancelled => Err(Invalid::new(
                "status",
                "the performance is already cancelled",
            )),
            _ => Ok(Self::Cancelled),
        }
    }

    /// Whether staff have published it (its seat map is then in use by patrons).
    pub fn is_published(self) -> bool {
        matches!(self, Self::OnSale | Self::Paused | Self::SoldOut)
    }
}

/// When a performance starts and when it may be sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub starts_at: DateTime<Utc>,
    pub on_sale_at: DateTime<Utc>,
    pub off_sale_at: DateTime<Utc>,
}

impl Schedule {
    /// A new performance's schedule. Sales open now unless said otherwise and close at the
    /// start unless said otherwise.
    pub fn new(
        starts_at: DateTime<Utc>,
        on_sale_at: Option<DateTime<Utc>>,
        off_sale_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, Invalid> {
        if starts_at <= now {
            return Err(Invalid::new("startsAt", "must be in the future"));
        }
        if starts_at > now + Duration::days(5 * 365) {
            return Err(Invalid::new("startsAt", "must be within five years"));
        }
        let on_sale_at = on_sale_at.unwrap_or(now);
        let off_sale_at = off_sale_at.unwrap_or(starts_at);
        if off_sale_at <= on_sale_at {
            return Err(Invalid::new("offSaleAt", "must be after onSaleAt"));
        }
        if off_sale_at > starts_at + Duration::hours(12) {
            return Err(Invalid::new(
                "offSaleAt",
                "must be no later than 12 hours after the start",
            ));
        }
        Ok(Self {
            starts_at,
            on_sale_at,
            off_sale_at,
        })
    }

    pub fn is_selling(&self, now: DateTime<Utc>) -> bool {
        self.on_sale_at <= now && now < self.off_sale_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn publish_pause_cancel() {
        use PerformanceStatus::*;
        assert_eq!(Draft.publish(), Ok(OnSale));
        assert_eq!(OnSale.pause(), Ok(Paused));
        assert_eq!(Paused.publish(), Ok(OnSale));
        assert!(OnSale.publish().is_err());
        assert!(Cancelled.publish().is_err());
        assert!(Draft.pause().is_err());
        assert_eq!(Draft.cancel(), Ok(Cancelled));
        assert!(Cancelled.cancel().is_err());
    }

    #[test]
    fn schedule_defaults_and_rules() {
        let start = now() + Duration::days(7);
        let s = Schedule::new(start, None, None, now()).unwrap();
        assert_eq!(s.on_sale_at, now());
        assert_eq!(s.off_sale_at, start);
        assert!(s.is_selling(now()));
        assert!(!s.is_selling(start));
        assert_eq!(
            Schedule::new(now() - Duration::hours(1), None, None, now())
                .unwrap_err()
                .field,
            "startsAt"
        );
        let late = Schedule::new(start, Some(start), Some(start - Duration::days(1)), now());
        assert_eq!(late.unwrap_err().field, "offSaleAt");
    }
}
