//! The audit log: what a staff member did, when, to what, and the values before and after.
//! Entries are only ever added.

use serde::{Deserialize, Serialize};

/// What was done. New kinds are added at the end; stored entries keep their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    Login,
    EventCreated,
    EventEdited,
    PerformanceCreated,
    PerformanceEdited,
    PerformancePublished,
    PerformancePaused,
    PerformanceCancelled,
    OrderRefunded,
    SettingsChanged,
    StaffInvited,
    StaffRoleChanged,
    StaffRemoved,
    PromoCreated,
    PromoEdited,
    PromoDeleted,
    SeatsBlocked,
    SeatsUnblocked,
    PasswordChanged,
    /// A box office sale (cash or card).
    OrderSold,
    /// Complimentary tickets given.
    TicketsComped,
    /// A will-call order's tickets handed over.
    TicketsPickedUp,
    /// Tickets exchanged for others (another performance of the event, or other seats).
    TicketsExchanged,
    /// Seats reserved at the box office, to pay later.
    OrderReserved,
    /// A reservation paid at the box office (cash, or a card payment started).
    ReservationPaid,
    /// A reservation cancelled by staff before its deadline.
    ReservationCancelled,
    /// A box office card sale cancelled while it waited for the payment.
    CardSaleCancelled,
}

impl AuditKind {
    pub const ALL: [Self; 27] = [
        Self::Login,
        Self::EventCreated,
        Self::EventEdited,
        Self::PerformanceCreated,
        Self::PerformanceEdited,
        Self::PerformancePublished,
        Self::PerformancePaused,
        Self::PerformanceCancelled,
        Self::OrderRefunded,
        Self::SettingsChanged,
        Self::StaffInvited,
        Self::StaffRoleChanged,
        Self::StaffRemoved,
        Self::PromoCreated,
        Self::PromoEdited,
        Self::PromoDeleted,
        Self::SeatsBlocked,
        Self::SeatsUnblocked,
        Self::PasswordChanged,
        Self::OrderSold,
        Self::TicketsComped,
        Self::TicketsPickedUp,
        Self::TicketsExchanged,
        Self::OrderReserved,
        Self::ReservationPaid,
        Self::ReservationCancelled,
        Self::CardSaleCancelled,
    ];

    /// The name as stored and as the API writes it (`order_refunded`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::EventCreated => "event_created",
            Self::EventEdited => "event_edited",
            Self::PerformanceCreated => "performance_created",
            Self::PerformanceEdited => "performance_edited",
            Self::PerformancePublished => "performance_published",
            Self::PerformancePaused => "performance_paused",
            Self::PerformanceCancelled => "performance_cancelled",
            Self::OrderRefunded => "order_refunded",
            Self::SettingsChanged => "settings_changed",
            Self::StaffInvited => "staff_invited",
            Self::StaffRoleChanged => "staff_role_changed",
            Self::StaffRemoved => "staff_removed",
            Self::PromoCreated => "promo_created",
            Self::PromoEdited => "promo_edited",
            Self::PromoDeleted => "promo_deleted",
            Self::SeatsBlocked => "seats_blocked",
            Self::SeatsUnblocked => "seats_unblocked",
            Self::PasswordChanged => "password_changed",
            Self::OrderSold => "order_sold",
            Self::TicketsComped => "tickets_comped",
            Self::TicketsPickedUp => "tickets_picked_up",
            Self::TicketsExchanged => "tickets_exchanged",
            Self::OrderReserved => "order_reserved",
            Self::ReservationPaid => "reservation_paid",
            Self::ReservationCancelled => "reservation_cancelled",
            Self::CardSaleCancelled => "card_sale_cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// One entry. `before` and `after` are JSON texts of the values that changed (absent for
/// something created, or for an action without a before, such as a login).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// RFC 3339 UTC with milliseconds: the entries sort by it.
    pub at: String,
    /// Unique among entries of the same millisecond.
    pub id: String,
    /// The staff member's email.
    pub staff: String,
    pub kind: AuditKind,
    /// What it was done to, e.g. `order:01J…`.
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.as_str().to_owned()))
            );
        }
        assert_eq!(AuditKind::parse("order_deleted"), None);
    }
}
