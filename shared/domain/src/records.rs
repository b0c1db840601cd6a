//! The shapes of stored items, shared by the store (which writes and reads them), the
//! application services (which decide what they become) and the handlers (which show them).
//! Keys are set by the store from its `keys` module; nothing here knows about DynamoDB.

mod audit;
mod cart;
mod catalog;
mod door;
mod orders;
mod seats;
mod spot;
mod venue;

pub use audit::{AuditKind, AuditRecord};
pub use cart::{CartRecord, CartStatus, HoldRecord};
pub use catalog::{EventRecord, PerformanceRecord, SeatMapRecord};
pub use door::{ScanDirection, ScanRecord, ScanResult};
pub use orders::{
    ExchangeOf, IssuedTicketRecord, MailStatus, OrderRecord, PAY_LATER_EXPIRED, PayLater,
    PayLaterKind, PickUp, Place, PostedMail, RESERVATION_CANCELLED, RefundRecord, SaleMethod,
    TicketRecord, TicketStatus, WindowSale, check_pay_later_deadline,
};
pub use seats::{GaCapacity, GaCounter, SeatState, SeatStateRecord, ga_shards_for, plan_places};
pub use spot::Spot;
pub use venue::{
    DomainRecord, DomainStatus, HostKind, HostRecord, StaffRecord, StaffStatus, VenueRecord,
};
