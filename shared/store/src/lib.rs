//! DynamoDB access for Marquee: the key schema (in [`keys`], the only place keys are built),
//! item mapping with `serde_dynamo`, and conditional writes whose failures come back as typed
//! errors (`HostnameTaken`, `ConditionFailed`, …) instead of SDK exceptions. The application layer's
//! store ports (`HoldStore`, `OrderStore`, `Catalog`) are implemented for [`Store`] in `ports`.

mod agreements;
mod audit;
mod carts;
mod catalog;
mod directory;
mod domains;
mod error;
pub mod keys;
mod limits;
mod live;
mod mail;
mod orders;
mod patrons;
mod ports;
mod promos;
mod reports;
mod reservations;
mod seats;
mod staff;
mod tenancy;
mod tickets;

pub use audit::{AuditFilter, AuditPage};
pub use catalog::PerformancePage;
pub use error::StoreError;
pub use live::{
    ConnectionId, LIVE_CONNECTION_SECONDS, LiveChannel, LiveConnectionRecord,
    MAX_LIVE_SUBSCRIPTIONS,
};
pub use mail::MailLease;
pub use marquee_app::ports::ScanOutcome;
pub use marquee_app::ports::{
    Capacities, CheckoutRefusal, HoldRefusal, HoldRequest, ReleaseBy, SaleRefusal, SeatToHold,
};
pub use marquee_domain::records::ScanRecord;
pub use marquee_domain::records::{
    CartRecord, CartStatus, DomainRecord, DomainStatus, EventRecord, GaCapacity, GaCounter,
    HoldRecord, HostKind, HostRecord, IssuedTicketRecord, OrderRecord, PerformanceRecord, Place,
    RefundRecord, SeatMapRecord, SeatState, SeatStateRecord, Spot, StaffRecord, StaffStatus,
    TicketRecord, TicketStatus, VenueRecord,
};
pub use patrons::{MAX_RESET_ATTEMPTS, PatronRecord};
pub use reports::{DayFigures, Demand, Figures, LineFigures};
pub use seats::MAX_SEATS_PER_TRANSACTION;
pub use staff::StaffSessionRecord;
pub use tickets::Attendance;

use aws_sdk_dynamodb::Client;

/// The one table, with the client that reaches it.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
    /// Sharded general-admission areas' totals as last read, per instance (see
    /// [`Store::ga_counter`]).
    area_totals: seats::AreaTotals,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            area_totals: seats::AreaTotals::default(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
