//! Orders and their tickets, as stored: one item per order with its tickets inside, and a
//! small item per issued ticket under its performance for the door and the sales figures.

use super::spot::Spot;
use crate::{
    CartId, Delivery, HoldId, OrderId, OrderNumber, OrderStatus, PerformanceId, PriceType,
    TicketId, Totals, ZoneId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Checked out, not yet paid.
    Pending,
    Valid,
    Refunded,
}

/// Where a ticket sits, in words, as it was when sold (the map may change later).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketRecord {
    pub id: TicketId,
    pub performance_id: PerformanceId,
    /// The hold this ticket was checked out from.
    pub hold_id: HoldId,
    /// Stored flat, as `section` + `seat` or `area`.
    #[serde(flatten)]
    pub spot: Spot,
    /// The general-admission counter shard that counts the place (0 for seats).
    #[serde(default, skip_serializing_if = "super::cart::is_first_shard")]
    pub shard: u16,
    pub zone: ZoneId,
    pub place: Place,
    pub price_type: PriceType,
    /// What the ticket was sold for (after any discount), minor units.
    pub price: i64,
    /// Taken off the list price by a promo code, minor units.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount: i64,
    /// Per-ticket fees, minor units.
    pub fees: i64,
    pub status: TicketStatus,
}

impl TicketStatus {
    /// The stored (and wire) name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Valid => "valid",
            Self::Refunded => "refunded",
        }
    }
}

impl TicketRecord {
    /// What the ticket counts for when a refund is shared out.
    pub fn share(&self) -> i64 {
        self.price + self.fees
    }
}

/// A refund that went back to the patron.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundRecord {
    /// Stripe's refund id; `none` for free tickets.
    pub id: String,
    pub amount: i64,
    #[schema(value_type = Vec<String>)]
    pub tickets: Vec<TicketId>,
    pub reason: String,
    pub at: String,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRecord {
    pub id: OrderId,
    pub number: OrderNumber,
    pub status: OrderStatus,
    /// SHA-256 of the order token the patron got at checkout.
    pub token_hash: String,
    pub cart_id: CartId,
    pub email: String,
    pub name: String,
    /// The patron account that placed it (logged in at checkout), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron: Option<crate::Email>,
    pub delivery: Delivery,
    pub totals: Totals,
    pub tickets: Vec<TicketRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<String>,
    /// The venue's connected Stripe account the payment is made on (direct charges); `None`
    /// for a free order or one paid on the platform's own account before payment agreements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_account: Option<String>,
    /// The platform fee applied to the card payment, in minor units (0 for a free order).
    #[serde(default)]
    pub platform_fee: i64,
    /// Minor units refunded so far.
    #[serde(default)]
    pub refunded: i64,
    #[serde(default)]
    pub refunds: Vec<RefundRecord>,
    /// Why the order ended as it did (a lost seat, a cancelled performance), or the last
    /// payment problem while pending, in words for the patron.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// When the box office posted the tickets of a `mail` delivery order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<String>,
    /// The promo code it was checked out with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo: Option<crate::promo::PromoUse>,
    /// Sold by staff at the window or on the phone: who, and how it was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale: Option<WindowSale>,
    /// A will-call order's tickets handed over at the box office: when, and by whom (once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picked_up: Option<PickUp>,
    /// Made by exchanging tickets of an earlier order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeOf>,
    /// Where a `mail` delivery order's tickets are posted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<crate::postal::PostalAddress>,
    /// How a `mail` delivery order's tickets are on their way (chosen at checkout from the
    /// venue's settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<PostedMail>,
    /// The patron's telephone number, as typed at the box office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Kept unpaid until a deadline: a box office reservation or an emailed payment link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_later: Option<PayLater>,
    pub version: u32,
}

/// Where a mailed order's letter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Not yet with the provider (or the box office): waiting, or being retried.
    Pending,
    /// The provider accepted the letter; it will print and post it.
    Submitted,
    Mailed,
    InTransit,
    ProcessedForDelivery,
    /// Came back undelivered.
    Returned,
}

impl MailStatus {
    /// The stored (and wire) name, for store conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Submitted => "submitted",
            Self::Mailed => "mailed",
            Self::InTransit => "in_transit",
            Self::ProcessedForDelivery => "processed_for_delivery",
            Self::Returned => "returned",
        }
    }

    /// A provider's tracking event, by Lob's event type names (`letter.mailed`,
    /// `letter.in_transit`, `letter.processed_for_delivery`, `letter.returned_to_sender`);
    /// `None` for events that say nothing about where the letter is.
    pub fn from_tracking_event(event: &str) -> Option<Self> {
        match event {
            "letter.mailed" => Some(Self::Mailed),
            "letter.in_transit" => Some(Self::InTransit),
            "letter.in_local_area" | "letter.processed_for_delivery" => {
                Some(Self::ProcessedForDelivery)
            }
            "letter.re-routed" => Some(Self::InTransit),
            "letter.returned_to_sender" => Some(Self::Returned),
            _ => None,
        }
    }
}

/// A mailed order's fulfilment: who posts it, the provider's letter and its tracking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostedMail {
    pub fulfilment: crate::venue::Fulfilment,
    pub status: MailStatus,
    /// The provider's letter id (`ltr_…`), once it accepted the letter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter_id: Option<String>,
    /// The provider's last failure while submitting (retried until it succeeds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

impl PostedMail {
    pub fn pending(fulfilment: crate::venue::Fulfilment) -> Self {
        Self {
            fulfilment,
            status: MailStatus::Pending,
            letter_id: None,
            problem: None,
            updated_at: None,
        }
    }
}

/// An order whose places are kept, unpaid, until a deadline. It stays `pending` (so no report
/// counts it as sold) until it is paid; at the deadline the scheduled sweep releases its
/// places and cancels it ([`PAY_LATER_EXPIRED`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayLater {
    pub kind: PayLaterKind,
    /// The deadline (epoch ms).
    pub until: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayLaterKind {
    /// Reserved at the box office, to be paid there (will-call shows it as "to pay").
    Reservation,
    /// A phone order: the patron pays through a link emailed to them.
    PaymentLink,
}

/// Why an order kept unpaid until a deadline was cancelled when it passed.
pub const PAY_LATER_EXPIRED: &str = "The reservation ran out before it was paid.";
/// Why a reservation was cancelled by staff before its deadline.
pub const RESERVATION_CANCELLED: &str = "The reservation was cancelled by the box office.";

impl PayLater {
    /// Whether the deadline has passed at `now` (epoch ms).
    pub fn has_expired(&self, now: i64) -> bool {
        now >= self.until
    }
}

/// Checks a pay-later deadline: in the future, no later than the first performance's start,
/// and within the venue's maximum from now. Times in epoch ms.
pub fn check_pay_later_deadline(
    until: i64,
    now: i64,
    first_start: i64,
    max_hours: u32,
) -> Result<(), crate::Invalid> {
    if until <= now {
        return Err(crate::Invalid::new("until", "must be in the future"));
    }
    if until > first_start {
        return Err(crate::Invalid::new(
            "until",
            "must be no later than the performance's start",
        ));
    }
    let most = now.saturating_add(i64::from(max_hours).saturating_mul(3_600_000));
    if until > most {
        return Err(crate::Invalid::new(
            "until",
            format!("the venue keeps reservations for at most {max_hours} hours"),
        ));
    }
    Ok(())
}

/// Tickets collected at the box office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PickUp {
    pub at: String,
    /// The staff member who handed them over.
    #[schema(value_type = String)]
    pub by: crate::Email,
}

/// How a box office sale was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaleMethod {
    Cash,
    Card,
    /// Complimentary: nothing paid.
    Comp,
    /// Reserved, not paid yet: becomes `cash` or `card` when it is paid.
    Reserve,
    /// An exchange the exchanged tickets pay for in full (nothing more to pay).
    Exchange,
}

/// An order made by exchanging tickets of an earlier order: those tickets stop admitting in
/// the same transaction that sells this order's, and what they were worth is credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeOf {
    /// The earlier order, and its number to show.
    #[schema(value_type = String)]
    pub order: crate::OrderId,
    #[schema(value_type = String)]
    pub number: crate::OrderNumber,
    /// Its tickets exchanged for this order's.
    #[schema(value_type = Vec<String>)]
    pub tickets: Vec<crate::TicketId>,
    /// What those tickets were worth (their refundable share, minor units), taken off this
    /// order's total.
    pub credit: i64,
    /// The venue's exchange fee, added to this order's total.
    pub fee: i64,
    /// What the credit exceeds this order by, paid back on the earlier order (its card, or
    /// cash from the drawer).
    pub surplus: i64,
}

/// A sale made by staff: who made it, and the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowSale {
    #[schema(value_type = String)]
    pub by: crate::Email,
    pub method: SaleMethod,
    /// Cash handed over, and the change given back (minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tendered: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
    /// Why tickets were given away (comps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What comps would have cost at the prices of the day (minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comp_value: Option<i64>,
}

impl std::fmt::Debug for OrderRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No contact details or tokens in logs.
        f.debug_struct("OrderRecord")
            .field("id", &self.id)
            .field("number", &self.number)
            .field("status", &self.status)
            .field("tickets", &self.tickets.len())
            .field("total", &self.totals.total)
            .finish()
    }
}

impl OrderRecord {
    /// Where a mailed order's tickets are: the provider's tracking, or for the box office's
    /// own posting, mailed once marked posted. `None` for other deliveries.
    pub fn mail_status(&self) -> Option<MailStatus> {
        if self.delivery != crate::Delivery::Mail {
            return None;
        }
        match &self.mail {
            Some(mail) if mail.fulfilment == crate::venue::Fulfilment::Provider => {
                Some(mail.status)
            }
            _ if self.posted_at.is_some() => Some(MailStatus::Mailed),
            _ => Some(MailStatus::Pending),
        }
    }

    /// The performances the order has tickets for, each once.
    pub fn performances(&self) -> Vec<PerformanceId> {
        let mut ids: Vec<PerformanceId> = self
            .tickets
            .iter()
            .map(|t| t.performance_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// A ticket as the door and the sales figures see it, under its performance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedTicketRecord {
    pub ticket_id: TicketId,
    pub order_id: OrderId,
    pub order_number: OrderNumber,
    pub performance_id: PerformanceId,
    pub status: TicketStatus,
    pub price: i64,
    pub fees: i64,
    pub place: Place,
    pub price_type: PriceType,
    /// At the door now (checked in and not out).
    #[serde(default)]
    pub inside: bool,
    /// Times checked in.
    #[serde(default)]
    pub admissions: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admitted_at: Option<String>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(amount: &i64) -> bool {
    *amount == 0
}
