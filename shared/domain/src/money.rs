//! Money: an integer amount of a currency's minor units (cents, pence; whole yen for JPY).
//!
//! Never floats: a price of 42.50 USD is `Money { amount: 4250, currency: USD }`, and every
//! sum is checked, so an overflow is an error rather than a wrong bill.

use crate::{Currency, Invalid};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in minor units of a currency. On the wire: `{"amount": 4250, "currency": "USD"}`.
///
/// The amount may be negative (a refund, a difference); [`Money::price`] is the constructor
/// for things that must not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Money {
    /// Minor units: cents for USD, whole yen for JPY.
    amount: i64,
    /// ISO 4217 code.
    #[schema(value_type = String, example = "USD")]
    currency: Currency,
}

/// Why two amounts could not be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Adding dollars to euros has no meaning; the caller mixed up two venues or orders.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The currency of `self`.
        left: Currency,
        /// The currency of the other amount.
        right: Currency,
    },
    /// The result does not fit in 64 bits of minor units.
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    /// Any amount of minor units, including a negative one.
    pub fn from_minor(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// An amount that is meant to be charged: a price is never negative.
    pub fn price(amount: i64, currency: Currency) -> Result<Self, Invalid> {
        if amount < 0 {
            return Err(Invalid::new("amount", "must not be negative"));
        }
        Ok(Self::from_minor(amount, currency))
    }

    /// The amount in minor units.
    pub fn amount(self) -> i64 {
        self.amount
    }

    /// The currency the amount is in.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Whether the amount is nothing.
    pub fn is_zero(self) -> bool {
        self.amount == 0
    }

    /// `self + other`, refusing different currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::from_minor(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// `self - other`, refusing different currencies and overflow. The result may be negative.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money::from_minor(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// `self × quantity`, e.g. a ticket price times the number of tickets.
    pub fn checked_mul(self, quantity: i64) -> Result<Money, MoneyError> {
        self.amount
            .checked_mul(quantity)
            .map(|amount| Money::from_minor(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl Money {
    /// The major-unit amount with the currency's own number of decimals and no currency:
    /// `42.50`, `-3.05`, `1200` — for CSV exports and spreadsheets.
    pub fn decimal(self) -> String {
        let digits = u32::from(self.currency.minor_digits());
        let sign = if self.amount < 0 { "-" } else { "" };
        // unsigned_abs: i64::MIN has no positive i64 counterpart.
        let magnitude = self.amount.unsigned_abs();
        if digits == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10u64.pow(digits);
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = digits as usize
        )
    }
}

/// `42.50 USD`, `-3.05 EUR`, `1200 JPY`: the major-unit amount with the currency's own number
/// of decimals, for mail and logs (the web formats for the patron's locale itself).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }
    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn wire_shape_is_amount_and_code() {
        let money = Money::price(4250, usd()).unwrap();
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(json, r#"{"amount":4250,"currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, money);
    }

    #[test]
    fn unknown_currency_or_fractional_amount_is_refused() {
        assert!(serde_json::from_str::<Money>(r#"{"amount":1,"currency":"XYZ"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":42.5,"currency":"USD"}"#).is_err());
    }

    #[test]
    fn prices_are_never_negative() {
        assert_eq!(Money::price(-1, usd()).unwrap_err().field, "amount");
        assert!(Money::price(0, usd()).is_ok());
        assert_eq!(
            Money::from_minor(-1, usd()).amount(),
            -1,
            "refunds may be negative"
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let a = Money::from_minor(100, usd());
        let b = Money::from_minor(100, eur());
        assert!(matches!(
            a.checked_add(b),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert!(a.checked_sub(b).is_err());
        assert_eq!(a.checked_add(a).unwrap().amount(), 200);
        assert_eq!(
            a.checked_sub(Money::from_minor(150, usd()))
                .unwrap()
                .amount(),
            -50
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let max = Money::from_minor(i64::MAX, usd());
        assert_eq!(
            max.checked_add(Money::from_minor(1, usd())),
            Err(MoneyError::Overflow)
        );
        assert_eq!(max.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(
            Money::from_minor(250, usd())
                .checked_mul(3)
                .unwrap()
                .amount(),
            750
        );
    }

    #[test]
    fn displays_with_the_currency_decimals() {
        assert_eq!(Money::from_minor(4250, usd()).to_string(), "42.50 USD");
        assert_eq!(Money::from_minor(-305, eur()).to_string(), "-3.05 EUR");
        assert_eq!(Money::from_minor(7, usd()).to_string(), "0.07 USD");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::from_minor(1200, jpy).to_string(), "1200 JPY");
        assert_eq!(
            Money::from_minor(i64::MIN, usd()).to_string(),
            "-92233720368547758.08 USD"
        );
    }
}
