//! The contracts of queued work: what the services put on a queue and the workers take off.
//! Serialized as JSON in SQS message bodies; the field names are the wire format.

use marquee_domain::{CartId, Email, HoldId, OrderId, PerformanceId, Role, TenantId};
use serde::{Deserialize, Serialize};

/// Cleans up after holds once they have expired. Correctness never waits for it: an expired
/// hold is already free to every reader and writer.
///
/// One job per cart (no `holdIds`): sent after the cart's first granted hold, it releases whatever
/// has expired when it arrives and sends itself on while the cart holds anything, so a
/// cart's later holds cost no message. A job naming `holdIds` (a checkout's, or one sent
/// before per-cart jobs) looks after those holds only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldExpiryJob {
    pub tenant: TenantId,
    pub cart_id: CartId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hold_ids: Vec<HoldId>,
    /// Epoch milliseconds.
    pub expires_at: i64,
}

/// One email to render and send. `id` makes redelivery harmless (the mailer claims it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailJob {
    pub id: String,
    pub tenant: TenantId,
    pub message: MailMessage,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum MailMessage {
    StaffInvitation {
        to: Email,
        venue_name: String,
        role: Role,
        accept_url: String,
        code: String,
    },
    /// A patron asked to reset their password: the code to type.
    PasswordReset {
        to: Email,
        venue_name: String,
        code: String,
        reset_url: String,
    },
    /// The order is paid: its tickets and where to see them again. The mailer reads the order.
    OrderConfirmation { order_id: OrderId, view_url: String },
    /// Money went back to the patron (a refund by staff, or a payment that could not be
    /// fulfilled).
    OrderRefunded {
        order_id: OrderId,
        refund_id: String,
        view_url: String,
    },
    /// A phone order to pay through a link: what it is, until when the seats are kept, and
    /// the link (it carries the order's token, so it stays out of logs).
    PaymentLink { order_id: OrderId, pay_url: String },
    /// Not an email: a mailed order's letter, for the print-and-mail provider (the mailer
    /// sends it through `printmail::LetterFulfilment`).
    PrintLetter { order_id: OrderId },
    /// A mailed order's tickets were posted (by the box office, or handed to the
    /// print-and-mail provider): where to, and where to follow the order.
    TicketsPosted { order_id: OrderId, view_url: String },
    /// A performance the order has tickets for moved: when it is now (the mailer reads it),
    /// when it was. The tickets stay valid.
    PerformanceMoved {
        order_id: OrderId,
        performance_id: PerformanceId,
        was: chrono::DateTime<chrono::Utc>,
        view_url: String,
    },
}

// Codes and addresses stay out of logs.
impl std::fmt::Debug for MailMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::StaffInvitation { role, .. } => write!(f, "StaffInvitation({role})"),
            Self::PasswordReset { .. } => write!(f, "PasswordReset"),
            Self::OrderConfirmation { order_id, .. } => write!(f, "OrderConfirmation({order_id})"),
            Self::OrderRefunded { order_id, .. } => write!(f, "OrderRefunded({order_id})"),
            Self::PerformanceMoved { order_id, .. } => write!(f, "PerformanceMoved({order_id})"),
            Self::TicketsPosted { order_id, .. } => write!(f, "TicketsPosted({order_id})"),
            Self::PrintLetter { order_id } => write!(f, "PrintLetter({order_id})"),
            Self::PaymentLink { order_id, .. } => write!(f, "PaymentLink({order_id})"),
        }
    }
}

impl MailJob {
    pub fn new(tenant: TenantId, message: MailMessage) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            tenant,
            message,
        }
    }

    /// A job that must go out once however often it is asked for (a retried webhook asks
    /// again): the id is derived from what it is about, so the mailer's claim dedupes it.
    pub fn once(tenant: TenantId, id: String, message: MailMessage) -> Self {
        Self {
            id,
            tenant,
            message,
        }
    }
}
