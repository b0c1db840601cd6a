//! Orders: their life cycle, their human-readable numbers, and how a refund of some tickets
//! is shared out of what the patron paid.
//!
//! ```text
//! pending ──pay──▶ paid ──refund some──▶ partially_refunded ──refund the rest──▶ refunded
//!    │               └──────────────refund all──────────────────────────────────▶ refunded
//!    ├──cancel──▶ cancelled          (checkout abandoned or replaced: nothing was paid)
//!    └──refund unfulfilled──▶ refunded  (paid, but a seat was lost: the payment goes back)
//! ```

use crate::Invalid;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Checked out, waiting for the payment.
    Pending,
    Paid,
    PartiallyRefunded,
    Refunded,
    /// Never paid: the patron went back to the cart or checked out again.
    Cancelled,
}

impl OrderStatus {
    /// The payment arrived and every ticket was issued.
    pub fn pay(self) -> Result<Self, Invalid> {
        match self {
            Self::Pending => Ok(Self::Paid),
            other => Err(transition(other, Self::Paid)),
        }
    }

    /// The payment arrived but the order could not be fulfilled: all of it goes back.
    pub fn refund_unfulfilled(self) -> Result<Self, Invalid> {
        match self {
            Self::Pending | Self::Cancelled => Ok(Self::Refunded),
            other => Err(transition(other, Self::Refunded)),
        }
    }

    /// Some tickets of a paid order were refunded; `all` when none is left.
    pub fn refund(self, all: bool) -> Result<Self, Invalid> {
        match self {
            Self::Paid | Self::PartiallyRefunded if all => Ok(Self::Refunded),
            Self::Paid | Self::PartiallyRefunded => Ok(Self::PartiallyRefunded),
            other => Err(transition(other, Self::Refunded)),
        }
    }

    /// A checkout that will not be paid.
    pub fn cancel(self) -> Result<Self, Invalid> {
        match self {
            Self::Pending => Ok(Self::Cancelled),
            other => Err(transition(other, Self::Cancelled)),
        }
    }

    /// Whether the order holds tickets that admit someone.
    pub fn has_valid_tickets(self) -> bool {
        matches!(self, Self::Paid | Self::PartiallyRefunded)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Cancelled => "cancelled",
        }
    }
}

fn transition(from: OrderStatus, to: OrderStatus) -> Invalid {
    Invalid::new(
        "status",
        format!("a {} order cannot become {}", from.as_str(), to.as_str()),
    )
}

/// Crockford's base-32 alphabet: no I, L, O or U, so a number read over the phone is not
/// misheard or mistyped.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What a patron reads out at the box office: `K7QM-3XPD`. Eight random characters (40 bits)
/// make a collision within one venue negligible; the order id stays the real key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderNumber(String);

impl OrderNumber {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let chars: String = (0..8)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self(format!("{}-{}", &chars[..4], &chars[4..]))
    }

    /// Accepts what a person types: any case, with or without the dash, and the letters
    /// Crockford maps to digits (O → 0, I and L → 1).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let cleaned: String = raw
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect();
        let valid = cleaned.len() == 8 && cleaned.bytes().all(|b| ALPHABET.contains(&b));
        if !valid {
            return Err(Invalid::new(
                "orderNumber",
                "is 8 letters and digits, like K7QM-3XPD",
            ));
        }
        Ok(Self(format!("{}-{}", &cleaned[..4], &cleaned[4..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrderNumber {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Invalid> {
        Self::parse(&value)
    }
}

impl From<OrderNumber> for String {
    fn from(value: OrderNumber) -> String {
        value.0
    }
}

/// How the patron gets the tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// E-tickets by email (the default).
    Email,
    /// Printed and posted by the box office.
    Mail,
    /// Printed at the window when sold there (box office only).
    Print,
    /// Collected at the box office: the order waits on the performance's will-call list.
    WillCall,
}

/// How much of `total` goes back when the tickets with `refunding` shares (price + fees) are
/// refunded out of `remaining` shares still valid, `already_refunded` having gone back before.
///
/// Each ticket's part is proportional to its share, so taxes and per-order fees are returned
/// in the same proportion; the last refund returns exactly what is left, so rounding never
/// leaves a cent behind or returns one too many.
pub fn refund_amount(
    total: i64,
    already_refunded: i64,
    refunding: i64,
    remaining: i64,
) -> Result<i64, Invalid> {
    let left = total - already_refunded;
    if refunding <= 0 || remaining <= 0 || refunding > remaining || left < 0 {
        return Err(Invalid::new("tickets", "nothing to refund"));
    }
    if refunding == remaining {
        return Ok(left);
    }
    // left × refunding / remaining, rounded half up, in 128 bits so it cannot overflow.
    let numerator = i128::from(left) * i128::from(refunding);
    let denominator = i128::from(remaining);
    let amount = (2 * numerator + denominator) / (2 * denominator);
    i64::try_from(amount).map_err(|_| Invalid::new("tickets", "amount out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_paid_then_refunded_in_parts() {
        let paid = OrderStatus::Pending.pay().expect("pay");
        assert_eq!(paid, OrderStatus::Paid);
        let partly = paid.refund(false).expect("partial");
        assert_eq!(partly, OrderStatus::PartiallyRefunded);
        assert_eq!(partly.refund(true), Ok(OrderStatus::Refunded));
        assert!(OrderStatus::Refunded.refund(true).is_err());
        assert!(OrderStatus::Paid.pay().is_err(), "paid twice");
    }

    #[test]
    fn a_pending_order_can_be_cancelled_but_a_paid_one_cannot() {
        assert_eq!(OrderStatus::Pending.cancel(), Ok(OrderStatus::Cancelled));
        assert!(OrderStatus::Paid.cancel().is_err());
        assert!(OrderStatus::Cancelled.pay().is_err());
        assert!(
            OrderStatus::Pending.refund(true).is_err(),
            "nothing was paid"
        );
    }

    #[test]
    fn a_payment_that_cannot_be_fulfilled_is_refunded_whole() {
        assert_eq!(
            OrderStatus::Pending.refund_unfulfilled(),
            Ok(OrderStatus::Refunded)
        );
        // Paid after the patron abandoned that checkout: the money still goes back.
        assert_eq!(
            OrderStatus::Cancelled.refund_unfulfilled(),
            Ok(OrderStatus::Refunded)
        );
        assert!(OrderStatus::Paid.refund_unfulfilled().is_err());
    }

    #[test]
    fn order_numbers_are_readable_and_forgiving_to_type() {
        for _ in 0..200 {
            let number = OrderNumber::generate();
            assert_eq!(number.as_str().len(), 9);
            assert_eq!(OrderNumber::parse(number.as_str()), Ok(number.clone()));
            assert!(!number.as_str().contains(['I', 'L', 'O', 'U']));
        }
        assert_eq!(
            OrderNumber::parse(" k7qm3xpd ").map(|n| n.to_string()),
            Ok("K7QM-3XPD".to_owned())
        );
        assert_eq!(
            OrderNumber::parse("o1il-ABCD").map(|n| n.to_string()),
            Ok("0111-ABCD".to_owned())
        );
        assert!(OrderNumber::parse("K7QM-3XP").is_err());
        assert!(OrderNumber::parse("K7QM-3XPU").is_err());
        assert!(OrderNumber::parse("").is_err());
    }

    #[test]
    fn partial_refunds_are_proportional_and_add_up_to_the_total() {
        // Three tickets of 1000, 1000 and 500 (shares), paid 2875 with fees and tax.
        let total = 2875;
        let first = refund_amount(total, 0, 1000, 2500).expect("first");
        assert_eq!(first, 1150);
        let second = refund_amount(total, first, 500, 1500).expect("second");
        // 1725 × 500 / 1500 = 575
        assert_eq!(second, 575);
        let last = refund_amount(total, first + second, 1000, 1000).expect("last");
        assert_eq!(first + second + last, total);
    }

    #[test]
    fn rounding_never_refunds_more_than_was_paid() {
        // 1001 split in three equal shares: 334 + 334 + 333.
        let a = refund_amount(1001, 0, 1, 3).expect("a");
        let b = refund_amount(1001, a, 1, 2).expect("b");
        let c = refund_amount(1001, a + b, 1, 1).expect("c");
        assert_eq!((a, b, c), (334, 334, 333));
        assert!(refund_amount(100, 0, 0, 3).is_err());
        assert!(refund_amount(100, 0, 4, 3).is_err());
    }
}
