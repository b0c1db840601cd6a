//! Marquee's domain: the pure rules of the box office, with no I/O and no AWS types.
//!
//! Values are parsed once at the boundary into newtypes (`Slug::parse`, `Email::parse`, …);
//! once a value exists it is valid, so the rest of the code never re-checks it.

pub mod agreements;
pub mod best_available;
pub mod domains;
pub mod ids;
pub mod money;
pub mod names;
pub mod order;
pub mod password;
pub mod patrons;
pub mod performance;
pub mod postal;
pub mod pricing;
pub mod promo;
pub mod records;
pub mod reports;
pub mod roles;
pub mod seatmap;
pub mod series;
pub mod venue;

pub use ids::{
    CartId, EventId, HoldId, OrderId, PerformanceId, ScanId, SeatMapId, TenantId, TicketId,
};
pub use names::{Email, Hostname, Slug};
pub use order::{Delivery, OrderNumber, OrderStatus};
pub use password::Password;
pub use postal::{AddressInput, CountryCode, PostalAddress};
pub use roles::{Permission, Role};
pub use venue::{
    Branding, Currency, Fulfilment, HexColour, MailSettings, MailSettingsUpdate, Timezone,
    VenueSettings, VenueSettingsUpdate,
};

pub use agreements::{ConnectedAccount, PaymentsStatus, PlatformFee, PlatformSettings};
pub use best_available::{BestAvailable, MAX_BEST_AVAILABLE};
pub use money::{Money, MoneyError};
pub use pricing::{
    Discount, Fee, FeeAmount, FeeBasis, LineTotal, OrderLine, PriceEntry, PriceRow, PriceTable,
    PriceTableError, PriceType, PricingError, Tax, Totals, compute_totals,
};
pub use seatmap::{
    AreaId, CsvError, GaArea, MAX_SEATS, PriceZone, Row, Seat, SeatId, SeatIndex, SeatLocation,
    SeatMap, SeatMapError, SeatMapInput, SeatPosition, SeatStatus, Section, SectionId, ZoneId,
    arena_csv, generate_arena, section_status,
};

/// A value that failed to parse, with a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
