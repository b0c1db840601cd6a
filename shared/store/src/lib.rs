//! DynamoDB access for Marquee: the key schema (in [`keys`], the only place keys are built),
//! item mapping with `serde_dynamo`, and conditional writes whose failures come back as typed
//! errors (`HostnameTaken`, `Locked`, …) instead of SDK exceptions.

mod carts;
mod catalog;
mod error;
pub mod keys;
mod live;
mod mail;
mod orders;
mod patrons;
mod records;
mod seats;
mod staff;
mod tenancy;
mod tickets;

pub use carts::{
    CartRecord, CartStatus, HoldError, HoldRecord, HoldRequest, ReleaseBy, SeatToHold,
};
pub use catalog::{EventRecord, PerformancePage, PerformanceRecord, SeatMapRecord};
pub use error::StoreError;
pub use live::{
    ConnectionId, LIVE_CONNECTION_SECONDS, LiveConnectionRecord, MAX_LIVE_SUBSCRIPTIONS,
};
pub use orders::{
    Capacities, CheckoutError, CheckoutWrite, IssuedTicketRecord, OrderRecord, Place, RefundRecord,
    SaleError, TicketRecord, TicketStatus,
};
pub use patrons::{MAX_RESET_ATTEMPTS, PatronRecord};
pub use records::{
    DomainRecord, DomainStatus, HostKind, HostRecord, StaffRecord, StaffStatus, VenueRecord,
};
pub use seats::{GaCounter, MAX_SEATS_PER_TRANSACTION, SeatState, SeatStateRecord};
pub use staff::LoginAttempt;
pub use tickets::{Attendance, ScanOutcome, ScanRecord};

use aws_sdk_dynamodb::Client;

/// The one table, with the client that reaches it.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
