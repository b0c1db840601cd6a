//! Pricing: a performance's price table (price zone × price type), its fees and taxes, and
//! the totals of an order computed from them — always on the server, never trusted from the
//! browser.
//!
//! All amounts are integer minor units of the venue's currency. Percentages are basis points
//! (1 bp = 0.01 %), computed in `i128` and rounded half away from zero:
//! - a per-ticket percent fee on each ticket's price, rounded per ticket;
//! - a per-order percent fee on the subtotal;
//! - each exclusive tax on subtotal + fees, each tax rounded on its own;
//! - the inclusive tax portion (informative) as `gross × bp / (10000 + Σ inclusive bp)`.

use crate::seatmap::ZoneId;
use crate::{Currency, Invalid};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The largest price or fixed fee, in minor units: 999,999.99 in a two-decimal currency, and
/// the most one card payment can be (Stripe's limit, 99,999,999 of the smallest unit).
pub const MAX_AMOUNT: i64 = 99_999_999;
/// The largest order total one card payment can take (Stripe's limit), in minor units.
pub const MAX_CHARGE: i64 = 99_999_999;
/// 100 %.
pub const MAX_BASIS_POINTS: u32 = 10_000;

const NAME_MAX_CHARS: usize = 60;

/// A kind of ticket with its own price: `adult`, `senior`, `student`… 1 to 32 characters of
/// `[a-z0-9_-]`, lower-cased on parse.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct PriceType(String);

impl PriceType {
    /// Accepts 1 to 32 characters of `[a-z0-9_-]` after trimming and lower-casing.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim().to_ascii_lowercase();
        if value.is_empty() || value.len() > 32 {
            return Err(Invalid::new("priceType", "must be 1 to 32 characters"));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(Invalid::new(
                "priceType",
                format!("'{value}' may contain only letters, digits, '_' and '-'"),
            ));
        }
        Ok(Self(value))
    }

    /// The price type as text, e.g. `senior`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PriceType {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PriceType> for String {
    fn from(value: PriceType) -> Self {
        value.0
    }
}

impl fmt::Display for PriceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One row of a price table as typed: `{"zone": "stalls", "priceType": "adult", "amount": 4250}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceRow {
    pub zone: String,
    pub price_type: String,
    /// Minor units, 0 to 99999999 (999,999.99 in a two-decimal currency).
    #[schema(minimum = 0, maximum = 99_999_999)]
    pub amount: i64,
    /// Offered only to carts with a promo code that unlocks this price type (e.g. a
    /// `friends` price); patrons never see it otherwise.
    #[serde(default)]
    pub hidden: bool,
}

/// One price: a zone × price type costs `amount` minor units. Same JSON as [`PriceRow`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceEntry {
    pub zone: ZoneId,
    pub price_type: PriceType,
    /// Minor units, 0 to 99,999,999 (`MAX_AMOUNT`).
    #[schema(minimum = 0, maximum = 99_999_999)]
    pub amount: i64,
    /// Offered only with a promo code that unlocks it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// A performance's prices, at most one per zone × price type, none negative.
/// JSON: a list of [`PriceEntry`] rows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<PriceEntry>", into = "Vec<PriceEntry>")]
pub struct PriceTable {
    prices: Vec<PriceEntry>,
}

/// Why a price table was refused: `row` is the index of the offending row, `field` its
/// JSON field. Converts into [`Invalid`] (field `prices`) for handlers that report those.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("prices[{row}].{field}: {message}")]
pub struct PriceTableError {
    /// Index of the row in the submitted list.
    pub row: usize,
    /// `zone`, `priceType` or `amount`.
    pub field: &'static str,
    pub message: String,
}

impl From<PriceTableError> for Invalid {
    fn from(error: PriceTableError) -> Self {
        Invalid::new(
            "prices",
            format!("[{}].{}: {}", error.row, error.field, error.message),
        )
    }
}

impl PriceTableError {
    fn new(row: usize, field: &'static str, message: impl Into<String>) -> Self {
        Self {
            row,
            field,
            message: message.into(),
        }
    }
}

fn check_amount(amount: i64) -> Result<(), String> {
    if amount < 0 {
        return Err("must not be negative".into());
    }
    if amount > MAX_AMOUNT {
        return Err(format!("must be at most {MAX_AMOUNT}"));
    }
    Ok(())
}

impl PriceTable {
    /// Checks typed rows against the zones of the performance's seat map: each zone must be
    /// one of `zones`, each amount 0 to [`MAX_AMOUNT`], each zone × type priced once.
    pub fn parse(rows: Vec<PriceRow>, zones: &[ZoneId]) -> Result<PriceTable, PriceTableError> {
        let mut prices = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            let zone =
                ZoneId::parse(&row.zone).map_err(|e| PriceTableError::new(i, "zone", e.message))?;
            if !zones.contains(&zone) {
                return Err(PriceTableError::new(
                    i,
                    "zone",
                    format!("'{zone}' is not a zone of the seat map"),
                ));
            }
            let price_type = PriceType::parse(&row.price_type)
                .map_err(|e| PriceTableError::new(i, "priceType", e.message))?;
            prices.push(PriceEntry {
                zone,
                price_type,
                amount: row.amount,
                hidden: row.hidden,
            });
        }
        Self::from_prices(prices)
    }

    fn from_prices(prices: Vec<PriceEntry>) -> Result<PriceTable, PriceTableError> {
        for (i, price) in prices.iter().enumerate() {
            check_amount(price.amount).map_err(|m| PriceTableError::new(i, "amount", m))?;
            // Tables are a handful of rows; a quadratic check beats hashing here.
            if prices[..i]
                .iter()
                .any(|p| p.zone == price.zone && p.price_type == price.price_type)
            {
                return Err(PriceTableError::new(
                    i,
                    "priceType",
                    format!(
                        "'{}' in zone '{}' is priced twice",
                        price.price_type, price.zone
                    ),
                ));
            }
        }
        Ok(PriceTable { prices })
    }

    /// The price of a ticket of `price_type` in `zone`, if the table has one.
    pub fn price(&self, zone: &ZoneId, price_type: &PriceType) -> Option<i64> {
        self.prices
            .iter()
            .find(|p| p.zone == *zone && p.price_type == *price_type)
            .map(|p| p.amount)
    }

    /// The zones among `zones` with no price at all: seats there could not be sold. Pass
    /// [`SeatMap::used_zone_ids`](crate::SeatMap::used_zone_ids) before publishing.
    pub fn missing_zones(&self, zones: &[ZoneId]) -> Vec<ZoneId> {
        zones
            .iter()
            .filter(|z| !self.prices.iter().any(|p| p.zone == **z))
            .cloned()
            .collect()
    }

    /// The prices, in the order given.
    pub fn entries(&self) -> &[PriceEntry] {
        &self.prices
    }

    /// The price types offered to everyone in `zone` (hidden ones left out), in the table's
    /// order.
    pub fn price_types_in(&self, zone: &ZoneId) -> Vec<&PriceType> {
        self.prices
            .iter()
            .filter(|p| p.zone == *zone && !p.hidden)
            .map(|p| &p.price_type)
            .collect()
    }

    /// Whether `price_type` in `zone` is offered only with a promo code that unlocks it.
    pub fn is_hidden(&self, zone: &ZoneId, price_type: &PriceType) -> bool {
        self.prices
            .iter()
            .any(|p| p.zone == *zone && p.price_type == *price_type && p.hidden)
    }
}

impl TryFrom<Vec<PriceEntry>> for PriceTable {
    type Error = PriceTableError;
    fn try_from(prices: Vec<PriceEntry>) -> Result<Self, Self::Error> {
        Self::from_prices(prices)
    }
}

impl From<PriceTable> for Vec<PriceEntry> {
    fn from(table: PriceTable) -> Self {
        table.prices
    }
}

// The OpenAPI document shows the list the JSON is, not the struct around it.
impl utoipa::PartialSchema for PriceTable {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("PriceEntry"))
            .into()
    }
}

impl utoipa::ToSchema for PriceTable {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "PriceEntry".to_owned(),
            <PriceEntry as utoipa::PartialSchema>::schema(),
        ));
        <PriceEntry as utoipa::ToSchema>::schemas(schemas);
    }
}

/// What a fee is charged on. JSON `"per_ticket"` / `"per_order"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// Charged on every ticket.
    PerTicket,
    /// Charged once on an order with tickets.
    PerOrder,
}

/// How much a fee is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeAmount {
    /// Minor units per ticket or per order.
    Fixed(i64),
    /// Basis points of the ticket's price (per ticket) or of the subtotal (per order).
    Percent(u32),
}

/// A fee added on top of prices (booking fee, restoration levy).
///
/// JSON: `{"name": "Booking fee", "basis": "per_ticket", "fixed": 150}` or
/// `{"name": "Card fee", "basis": "per_order", "percentBp": 250}` — exactly one of `fixed`
/// (minor units) and `percentBp` (basis points, 250 = 2.5 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FeeWire", into = "FeeWire")]
pub struct Fee {
    name: String,
    basis: FeeBasis,
    amount: FeeAmount,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = Fee)]
struct FeeWire {
    /// 1 to 60 characters.
    name: String,
    basis: FeeBasis,
    /// Minor units, 0 to 99999999. Exactly one of `fixed` and `percentBp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 99_999_999)]
    fixed: Option<i64>,
    /// Basis points, 0 to 10000 (250 = 2.5 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10_000)]
    percent_bp: Option<u32>,
}

fn check_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(Invalid::new("name", "must be 1 to 60 printable characters"));
    }
    Ok(name.to_owned())
}

fn check_basis_points(bp: u32, field: &'static str) -> Result<(), Invalid> {
    if bp > MAX_BASIS_POINTS {
        return Err(Invalid::new(
            field,
            "must be at most 10000 basis points (100 %)",
        ));
    }
    Ok(())
}

impl Fee {
    /// A fee named 1 to 60 characters; a fixed amount is 0 to [`MAX_AMOUNT`], a percentage
    /// 0 to 10000 basis points.
    pub fn new(name: &str, basis: FeeBasis, amount: FeeAmount) -> Result<Fee, Invalid> {
        match amount {
            FeeAmount::Fixed(minor) => {
                check_amount(minor).map_err(|m| Invalid::new("fixed", m))?;
            }
            FeeAmount::Percent(bp) => check_basis_points(bp, "percentBp")?,
        }
        Ok(Fee {
            name: check_name(name)?,
            basis,
            amount,
        })
    }

    /// As shown to the patron, e.g. "Booking fee".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Per ticket or per order.
    pub fn basis(&self) -> FeeBasis {
        self.basis
    }

    /// Fixed or a percentage.
    pub fn amount(&self) -> FeeAmount {
        self.amount
    }
}

impl TryFrom<FeeWire> for Fee {
    type Error = Invalid;
    fn try_from(wire: FeeWire) -> Result<Self, Self::Error> {
        let amount = match (wire.fixed, wire.percent_bp) {
            (Some(minor), None) => FeeAmount::Fixed(minor),
            (None, Some(bp)) => FeeAmount::Percent(bp),
            _ => {
                return Err(Invalid::new(
                    "fixed",
                    "give exactly one of fixed and percentBp",
                ));
            }
        };
        Fee::new(&wire.name, wire.basis, amount)
    }
}

impl From<Fee> for FeeWire {
    fn from(fee: Fee) -> Self {
        let (fixed, percent_bp) = match fee.amount {
            FeeAmount::Fixed(minor) => (Some(minor), None),
            FeeAmount::Percent(bp) => (None, Some(bp)),
        };
        FeeWire {
            name: fee.name,
            basis: fee.basis,
            fixed,
            percent_bp,
        }
    }
}

// The OpenAPI document shows the wire shape, not the Rust enum inside.
impl utoipa::PartialSchema for Fee {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <FeeWire as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Fee {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Fee")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <FeeWire as utoipa::ToSchema>::schemas(schemas);
    }
}

/// A tax. Exclusive taxes are added to subtotal + fees; inclusive ones are already inside the
/// prices and only reported. JSON: `{"name": "VAT", "rateBp": 2000, "inclusive": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", try_from = "TaxWire")]
pub struct Tax {
    /// 1 to 60 characters.
    name: String,
    /// Basis points, 0 to 10000 (2000 = 20 %).
    #[schema(minimum = 0, maximum = 10_000)]
    rate_bp: u32,
    inclusive: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TaxWire {
    name: String,
    rate_bp: u32,
    inclusive: bool,
}

impl TryFrom<TaxWire> for Tax {
    type Error = Invalid;
    fn try_from(wire: TaxWire) -> Result<Self, Self::Error> {
        Tax::new(&wire.name, wire.rate_bp, wire.inclusive)
    }
}

impl Tax {
    /// A tax named 1 to 60 characters at 0 to 10000 basis points.
    pub fn new(name: &str, rate_bp: u32, inclusive: bool) -> Result<Tax, Invalid> {
        check_basis_points(rate_bp, "rateBp")?;
        Ok(Tax {
            name: check_name(name)?,
            rate_bp,
            inclusive,
        })
    }

    /// As shown on receipts, e.g. "VAT".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rate in basis points (2000 = 20 %).
    pub fn rate_bp(&self) -> u32 {
        self.rate_bp
    }

    /// Whether prices already include the tax.
    pub fn inclusive(&self) -> bool {
        self.inclusive
    }
}

/// Money off a ticket's price (a promo code's): whole percent, or minor units per ticket.
/// Never more than the price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    Percent(u32),
    PerTicket(i64),
}

/// A ticket in an order: where it is, which price type the patron chose, and the discount on
/// it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub zone: ZoneId,
    pub price_type: PriceType,
    pub discount: Option<Discount>,
}

/// One ticket's share of the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LineTotal {
    pub zone: ZoneId,
    pub price_type: PriceType,
    /// Minor units, from the price table: 0 to 99,999,999 (`MAX_AMOUNT`).
    #[schema(minimum = 0, maximum = 99_999_999)]
    pub price: i64,
    /// Taken off the price by a promo code, minor units (at most the price).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub discount: i64,
    /// The per-ticket fees on this ticket (on the discounted price), minor units.
    #[schema(minimum = 0)]
    pub fees: i64,
}

/// What an order costs, in minor units of `currency`. JSON:
/// `{"lines": [{"zone", "priceType", "price", "discount", "fees"}], "subtotal", "discount",
/// "fees", "tax", "taxIncluded", "total", "currency": "USD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// In the order given.
    pub lines: Vec<LineTotal>,
    /// The sum of the prices.
    #[schema(minimum = 0)]
    pub subtotal: i64,
    /// The sum of the lines' discounts: off the subtotal before fees and taxes.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub discount: i64,
    /// Per-ticket and per-order fees together.
    #[schema(minimum = 0)]
    pub fees: i64,
    /// Exclusive taxes, added to the total.
    #[schema(minimum = 0)]
    pub tax: i64,
    /// The part of subtotal + fees that is inclusive tax, for receipts; not added again.
    #[schema(minimum = 0)]
    pub tax_included: i64,
    /// The venue's mailing fee of a mailed order (its own line; not taxed), refunded in
    /// proportion like the other fees.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub mailing: i64,
    /// subtotal − discount + fees + tax + mailing: what the patron pays. A checkout is refused (422) above
    /// 99,999,999 (`MAX_CHARGE`, Stripe's limit for one payment).
    #[schema(minimum = 0)]
    pub total: i64,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
}

/// Why totals could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The table has no price for a ticket's zone × price type.
    #[error("lines[{line}]: no {price_type} price in zone {zone}")]
    Unpriced {
        /// Index of the line in the order.
        line: usize,
        zone: ZoneId,
        price_type: PriceType,
    },
    /// An amount does not fit in 64 bits of minor units.
    #[error("the order total is out of range")]
    Overflow,
}

/// `numerator / denominator` rounded half away from zero; `denominator` is positive.
fn divide_rounded(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

/// `amount × bp / 10000`, rounded.
fn basis_points_of(amount: i128, bp: u32) -> Result<i128, PricingError> {
    amount
        .checked_mul(i128::from(bp))
        .map(|n| divide_rounded(n, i128::from(MAX_BASIS_POINTS)))
        .ok_or(PricingError::Overflow)
}

fn add(a: i128, b: i128) -> Result<i128, PricingError> {
    a.checked_add(b).ok_or(PricingError::Overflow)
}

fn to_minor(value: i128) -> Result<i64, PricingError> {
    i64::try_from(value).map_err(|_| PricingError::Overflow)
}

/// Prices an order: each line's price from `table`, less its discount; fees and taxes as the
/// module describes, on the discounted prices. An empty order costs nothing — per-order fees
/// apply only to an order with tickets.
pub fn compute_totals(
    lines: &[OrderLine],
    table: &PriceTable,
    fees: &[Fee],
    taxes: &[Tax],
    currency: Currency,
) -> Result<Totals, PricingError> {
    let mut line_totals = Vec::with_capacity(lines.len());
    let mut subtotal: i128 = 0;
    let mut discount_total: i128 = 0;
    let mut fee_total: i128 = 0;
    for (i, line) in lines.iter().enumerate() {
        let price =
            table
                .price(&line.zone, &line.price_type)
                .ok_or_else(|| PricingError::Unpriced {
                    line: i,
                    zone: line.zone.clone(),
                    price_type: line.price_type.clone(),
                })?;
        let discount = match line.discount {
            None => 0,
            Some(Discount::Percent(percent)) => {
                basis_points_of(i128::from(price), percent.saturating_mul(100))?
            }
            Some(Discount::PerTicket(amount)) => i128::from(amount.max(0)),
        }
        .min(i128::from(price));
        let paid = i128::from(price) - discount;
        let mut line_fees: i128 = 0;
        for fee in fees.iter().filter(|f| f.basis == FeeBasis::PerTicket) {
            let amount = match fee.amount {
                FeeAmount::Fixed(minor) => i128::from(minor),
                FeeAmount::Percent(bp) => basis_points_of(paid, bp)?,
            };
            line_fees = add(line_fees, amount)?;
        }
        subtotal = add(subtotal, i128::from(price))?;
        discount_total = add(discount_total, discount)?;
        fee_total = add(fee_total, line_fees)?;
        line_totals.push(LineTotal {
            zone: line.zone.clone(),
            price_type: line.price_type.clone(),
            price,
            discount: to_minor(discount)?,
            fees: to_minor(line_fees)?,
        });
    }
    if !lines.is_empty() {
        for fee in fees.iter().filter(|f| f.basis == FeeBasis::PerOrder) {
            let amount = match fee.amount {
                FeeAmount::Fixed(minor) => i128::from(minor),
                FeeAmount::Percent(bp) => basis_points_of(subtotal - discount_total, bp)?,
            };
            fee_total = add(fee_total, amount)?;
        }
    }

    let gross = add(subtotal - discount_total, fee_total)?;
    let mut tax: i128 = 0;
    for t in taxes.iter().filter(|t| !t.inclusive) {
        tax = add(tax, basis_points_of(gross, t.rate_bp)?)?;
    }
    // Several inclusive taxes all sit on the same net amount: gross = net × (1 + Σ rates), so
    // each one's share divides by the sum of their rates, not by its own rate alone.
    let inclusive_bp: i128 = taxes
        .iter()
        .filter(|t| t.inclusive)
        .map(|t| i128::from(t.rate_bp))
        .sum();
    let mut tax_included: i128 = 0;
    for t in taxes.iter().filter(|t| t.inclusive) {
        let share = gross
            .checked_mul(i128::from(t.rate_bp))
            .map(|n| divide_rounded(n, i128::from(MAX_BASIS_POINTS) + inclusive_bp))
            .ok_or(PricingError::Overflow)?;
        tax_included = add(tax_included, share)?;
    }

    Ok(Totals {
        lines: line_totals,
        subtotal: to_minor(subtotal)?,
        discount: to_minor(discount_total)?,
        fees: to_minor(fee_total)?,
        tax: to_minor(tax)?,
        tax_included: to_minor(tax_included)?,
        mailing: 0,
        total: to_minor(add(gross, tax)?)?,
        currency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: &str) -> ZoneId {
        ZoneId::parse(id).unwrap()
    }

    fn row(zone: &str, price_type: &str, amount: i64) -> PriceRow {
        PriceRow {
            zone: zone.into(),
            price_type: price_type.into(),
            amount,
            hidden: false,
        }
    }

    fn table(rows: &[(&str, &str, i64)]) -> PriceTable {
        let rows: Vec<PriceRow> = rows.iter().map(|(z, t, a)| row(z, t, *a)).collect();
        PriceTable::parse(rows, &[zone("stalls"), zone("circle")]).unwrap()
    }

    fn tickets(n: usize, zone_id: &str, price_type: &str) -> Vec<OrderLine> {
        (0..n)
            .map(|_| OrderLine {
                zone: zone(zone_id),
                price_type: PriceType::parse(price_type).unwrap(),
                discount: None,
            })
            .collect()
    }

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn fee(basis: FeeBasis, amount: FeeAmount) -> Fee {
        Fee::new("Booking fee", basis, amount).unwrap()
    }

    fn totals(lines: &[OrderLine], prices: &PriceTable, fees: &[Fee], taxes: &[Tax]) -> Totals {
        compute_totals(lines, prices, fees, taxes, usd()).unwrap()
    }

    #[test]
    fn price_types_are_lower_case_words() {
        assert_eq!(PriceType::parse(" Senior ").unwrap().as_str(), "senior");
        assert!(PriceType::parse("under-16_kids").is_ok());
        for bad in ["", "a b", "étudiant", &"x".repeat(33), "adult#1"] {
            assert!(PriceType::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_table_names_the_bad_row() {
        let zones = [zone("stalls")];
        let error = PriceTable::parse(
            vec![row("stalls", "adult", 4250), row("balcony", "adult", 3000)],
            &zones,
        )
        .unwrap_err();
        assert_eq!((error.row, error.field), (1, "zone"));
        assert_eq!(
            error.to_string(),
            "prices[1].zone: 'balcony' is not a zone of the seat map"
        );
        assert_eq!(
            Invalid::from(error).to_string(),
            "prices: [1].zone: 'balcony' is not a zone of the seat map"
        );

        let error = PriceTable::parse(vec![row("stalls", "adult", -1)], &zones).unwrap_err();
        assert_eq!((error.row, error.field), (0, "amount"));

        let error = PriceTable::parse(
            vec![row("stalls", "adult", 4250), row("stalls", "ADULT", 4000)],
            &zones,
        )
        .unwrap_err();
        assert_eq!((error.row, error.field), (1, "priceType"));
        assert!(error.message.contains("priced twice"));

        let error = PriceTable::parse(vec![row("stalls", "adult", MAX_AMOUNT + 1)], &zones);
        assert!(error.is_err());
    }

    #[test]
    fn hidden_prices_are_priced_but_not_offered_to_everyone() {
        let zones = [zone("stalls")];
        let mut friends = row("stalls", "friends", 2000);
        friends.hidden = true;
        let prices =
            PriceTable::parse(vec![row("stalls", "adult", 4250), friends], &zones).unwrap();
        let friends = PriceType::parse("friends").unwrap();
        let adult = PriceType::parse("adult").unwrap();
        assert_eq!(prices.price(&zone("stalls"), &friends), Some(2000));
        assert!(prices.is_hidden(&zone("stalls"), &friends));
        assert!(!prices.is_hidden(&zone("stalls"), &adult));
        assert_eq!(prices.price_types_in(&zone("stalls")), vec![&adult]);
        // Stored as JSON and read back, the flag stays; visible rows do not carry it.
        let json = serde_json::to_value(&prices).unwrap();
        assert_eq!(json[0].get("hidden"), None);
        assert_eq!(json[1]["hidden"], true);
        let back: PriceTable = serde_json::from_value(json).unwrap();
        assert_eq!(back, prices);
    }

    #[test]
    fn a_table_prices_and_reports_unpriced_zones() {
        let prices = table(&[
            ("stalls", "adult", 4250),
            ("stalls", "senior", 3500),
            ("circle", "adult", 0),
        ]);
        let adult = PriceType::parse("adult").unwrap();
        let senior = PriceType::parse("senior").unwrap();
        assert_eq!(prices.price(&zone("stalls"), &senior), Some(3500));
        assert_eq!(
            prices.price(&zone("circle"), &adult),
            Some(0),
            "comps are free"
        );
        assert_eq!(prices.price(&zone("circle"), &senior), None);
        assert_eq!(
            prices.missing_zones(&[zone("stalls"), zone("circle"), zone("box")]),
            vec![zone("box")]
        );
        assert_eq!(
            prices.price_types_in(&zone("stalls")),
            vec![&adult, &senior]
        );
    }

    #[test]
    fn a_table_round_trips_as_a_list_of_rows() {
        let prices = table(&[("stalls", "adult", 4250)]);
        let json = serde_json::to_string(&prices).unwrap();
        assert_eq!(
            json,
            r#"[{"zone":"stalls","priceType":"adult","amount":4250}]"#
        );
        assert_eq!(serde_json::from_str::<PriceTable>(&json).unwrap(), prices);
        let twice = r#"[{"zone":"a","priceType":"adult","amount":1},{"zone":"a","priceType":"adult","amount":2}]"#;
        assert!(serde_json::from_str::<PriceTable>(twice).is_err());
    }

    #[test]
    fn fixed_fee_per_ticket() {
        let prices = table(&[("stalls", "adult", 4250)]);
        let fees = [fee(FeeBasis::PerTicket, FeeAmount::Fixed(150))];
        let t = totals(&tickets(2, "stalls", "adult"), &prices, &fees, &[]);
        assert_eq!((t.subtotal, t.fees, t.tax, t.total), (8500, 300, 0, 8800));
        assert!(t.lines.iter().all(|l| l.price == 4250 && l.fees == 150));
    }

    #[test]
    fn fixed_fee_per_order_is_charged_once() {
        let prices = table(&[("stalls", "adult", 4250)]);
        let fees = [fee(FeeBasis::PerOrder, FeeAmount::Fixed(200))];
        let t = totals(&tickets(3, "stalls", "adult"), &prices, &fees, &[]);
        assert_eq!((t.subtotal, t.fees, t.total), (12750, 200, 12950));
        assert!(t.lines.iter().all(|l| l.fees == 0));
    }

    #[test]
    fn percent_fees_round_per_ticket_or_on_the_subtotal() {
        let prices = table(&[("stalls", "adult", 1010)]);
        let lines = tickets(3, "stalls", "adult");
        // 5 % of 10.10 is 0.505 → 0.51 per ticket, 1.53 for three.
        let per_ticket = [fee(FeeBasis::PerTicket, FeeAmount::Percent(500))];
        let t = totals(&lines, &prices, &per_ticket, &[]);
        assert_eq!((t.fees, t.total), (153, 3183));
        assert_eq!(t.lines[0].fees, 51);
        // 5 % of 30.30 is 1.515 → 1.52 once.
        let per_order = [fee(FeeBasis::PerOrder, FeeAmount::Percent(500))];
        let t = totals(&lines, &prices, &per_order, &[]);
        assert_eq!((t.fees, t.total), (152, 3182));
    }

    #[test]
    fn halves_round_away_from_zero_and_less_rounds_down() {
        let fees = [fee(FeeBasis::PerTicket, FeeAmount::Percent(250))];
        // 2.5 % of 13.00 = 0.325 → 0.33; of 12.50 = 0.3125 → 0.31; of 0.20 = 0.005 → 0.01.
        for (price, expected) in [(1300, 33), (1250, 31), (20, 1), (19, 0)] {
            let prices = table(&[("stalls", "adult", price)]);
            let t = totals(&tickets(1, "stalls", "adult"), &prices, &fees, &[]);
            assert_eq!(t.fees, expected, "fee on {price}");
        }
        assert_eq!(divide_rounded(-15, 10), -2);
        assert_eq!(divide_rounded(-14, 10), -1);
    }

    #[test]
    fn yen_have_no_decimals_but_are_still_minor_units() {
        let prices = table(&[("stalls", "adult", 5500)]);
        let fees = [fee(FeeBasis::PerTicket, FeeAmount::Percent(250))];
        let jpy = Currency::parse("JPY").unwrap();
        let t = compute_totals(&tickets(2, "stalls", "adult"), &prices, &fees, &[], jpy).unwrap();
        // 2.5 % of ¥5500 = ¥137.5 → ¥138 each.
        assert_eq!((t.subtotal, t.fees, t.total), (11000, 276, 11276));
        assert_eq!(t.currency.code(), "JPY");
    }

    #[test]
    fn exclusive_taxes_are_added_on_prices_and_fees() {
        let prices = table(&[("stalls", "adult", 1000)]);
        let fees = [fee(FeeBasis::PerOrder, FeeAmount::Fixed(5))];
        // Two taxes on 10.05: 5 % = 0.5025 → 0.50 and 7.5 % = 0.75375 → 0.75, each rounded on
        // its own (one 12.5 % tax would give 1.26).
        let taxes = [
            Tax::new("State", 500, false).unwrap(),
            Tax::new("City", 750, false).unwrap(),
        ];
        let t = totals(&tickets(1, "stalls", "adult"), &prices, &fees, &taxes);
        assert_eq!(
            (t.subtotal, t.fees, t.tax, t.tax_included, t.total),
            (1000, 5, 125, 0, 1130)
        );
    }

    #[test]
    fn inclusive_taxes_are_reported_not_added() {
        let prices = table(&[("stalls", "adult", 1000)]);
        let fees = [fee(FeeBasis::PerTicket, FeeAmount::Fixed(100))];
        let vat = [Tax::new("VAT", 2000, true).unwrap()];
        let t = totals(&tickets(1, "stalls", "adult"), &prices, &fees, &vat);
        // 11.00 includes 20 % VAT: 11.00 × 20/120 = 1.8333 → 1.83.
        assert_eq!((t.tax, t.tax_included, t.total), (0, 183, 1100));

        let exclusive = [Tax::new("Sales tax", 2000, false).unwrap()];
        let t = totals(&tickets(1, "stalls", "adult"), &prices, &fees, &exclusive);
        assert_eq!((t.tax, t.tax_included, t.total), (220, 0, 1320));
    }

    #[test]
    fn several_inclusive_taxes_share_the_net_amount() {
        let prices = table(&[("stalls", "adult", 11_500)]);
        // Net 100.00 + 10 % + 5 % = 115.00: the shares are exactly 10.00 and 5.00.
        let taxes = [
            Tax::new("A", 1000, true).unwrap(),
            Tax::new("B", 500, true).unwrap(),
        ];
        let t = totals(&tickets(1, "stalls", "adult"), &prices, &[], &taxes);
        assert_eq!((t.tax_included, t.total), (1500, 11_500));
    }

    #[test]
    fn an_empty_order_costs_nothing() {
        let prices = table(&[("stalls", "adult", 4250)]);
        let fees = [
            fee(FeeBasis::PerOrder, FeeAmount::Fixed(200)),
            fee(FeeBasis::PerTicket, FeeAmount::Fixed(150)),
        ];
        let vat = [Tax::new("VAT", 2000, false).unwrap()];
        let t = totals(&[], &prices, &fees, &vat);
        assert_eq!(
            (t.subtotal, t.fees, t.tax, t.tax_included, t.total),
            (0, 0, 0, 0, 0)
        );
        assert!(t.lines.is_empty());
    }

    #[test]
    fn an_unpriced_ticket_is_named() {
        let prices = table(&[("stalls", "adult", 4250)]);
        let mut lines = tickets(1, "stalls", "adult");
        lines.extend(tickets(1, "stalls", "student"));
        let error = compute_totals(&lines, &prices, &[], &[], usd()).unwrap_err();
        assert_eq!(
            error,
            PricingError::Unpriced {
                line: 1,
                zone: zone("stalls"),
                price_type: PriceType::parse("student").unwrap(),
            }
        );
        assert_eq!(
            error.to_string(),
            "lines[1]: no student price in zone stalls"
        );
    }

    #[test]
    fn out_of_range_results_are_errors() {
        assert_eq!(
            to_minor(i128::from(i64::MAX) + 1),
            Err(PricingError::Overflow)
        );
        assert_eq!(basis_points_of(i128::MAX, 2), Err(PricingError::Overflow));
    }

    #[test]
    fn fee_and_tax_wire_shapes() {
        let fixed: Fee =
            serde_json::from_str(r#"{"name":"Booking fee","basis":"per_ticket","fixed":150}"#)
                .unwrap();
        assert_eq!(fixed.amount(), FeeAmount::Fixed(150));
        assert_eq!(fixed.basis(), FeeBasis::PerTicket);
        let percent: Fee =
            serde_json::from_str(r#"{"name":"Card fee","basis":"per_order","percentBp":250}"#)
                .unwrap();
        assert_eq!(
            serde_json::to_string(&percent).unwrap(),
            r#"{"name":"Card fee","basis":"per_order","percentBp":250}"#
        );
        for bad in [
            r#"{"name":"X","basis":"per_order"}"#,
            r#"{"name":"X","basis":"per_order","fixed":1,"percentBp":1}"#,
            r#"{"name":"X","basis":"per_order","fixed":-1}"#,
            r#"{"name":"X","basis":"per_order","percentBp":10001}"#,
            r#"{"name":"","basis":"per_order","fixed":1}"#,
            r#"{"name":"X","basis":"per_seat","fixed":1}"#,
            r#"{"name":"X","basis":"per_order","fixed":1,"extra":true}"#,
        ] {
            assert!(
                serde_json::from_str::<Fee>(bad).is_err(),
                "{bad} should be refused"
            );
        }

        let vat: Tax =
            serde_json::from_str(r#"{"name":"VAT","rateBp":2000,"inclusive":true}"#).unwrap();
        assert_eq!((vat.rate_bp(), vat.inclusive()), (2000, true));
        assert_eq!(
            serde_json::to_string(&vat).unwrap(),
            r#"{"name":"VAT","rateBp":2000,"inclusive":true}"#
        );
        assert!(
            serde_json::from_str::<Tax>(r#"{"name":"VAT","rateBp":20000,"inclusive":true}"#)
                .is_err()
        );
    }

    #[test]
    fn openapi_shows_the_wire_shapes() {
        use utoipa::{PartialSchema, ToSchema};
        let fee = serde_json::to_value(Fee::schema()).unwrap();
        let properties = fee["properties"].as_object().unwrap();
        assert!(properties.contains_key("fixed") && properties.contains_key("percentBp"));
        assert_eq!(<Fee as ToSchema>::name(), "Fee");
        let table = serde_json::to_value(PriceTable::schema()).unwrap();
        assert_eq!(table["type"], "array");
        let mut schemas = Vec::new();
        PriceTable::schemas(&mut schemas);
        assert!(schemas.iter().any(|(name, _)| name == "PriceEntry"));
    }

    #[test]
    fn totals_wire_shape() {
        let prices = table(&[("stalls", "adult", 4250)]);
        let t = totals(&tickets(1, "stalls", "adult"), &prices, &[], &[]);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "lines": [{"zone": "stalls", "priceType": "adult", "price": 4250, "discount": 0, "fees": 0}],
                "subtotal": 4250, "discount": 0, "fees": 0, "tax": 0, "taxIncluded": 0, "mailing": 0, "total": 4250,
                "currency": "USD",
            })
        );
    }

    #[test]
    fn a_discount_comes_off_the_price_before_percent_fees_and_tax() {
        let prices = table(&[("stalls", "adult", 5000)]);
        let mut lines = tickets(2, "stalls", "adult");
        lines[0].discount = Some(Discount::Percent(20));
        lines[1].discount = Some(Discount::PerTicket(800));
        let fees = [fee(FeeBasis::PerTicket, FeeAmount::Percent(1000))];
        let taxes = [Tax::new("Sales tax", 1000, false).unwrap()];
        let t = totals(&lines, &prices, &fees, &taxes);
        assert_eq!(
            (t.lines[0].price, t.lines[0].discount, t.lines[0].fees),
            (5000, 1000, 400)
        );
        assert_eq!(
            (t.lines[1].price, t.lines[1].discount, t.lines[1].fees),
            (5000, 800, 420)
        );
        assert_eq!((t.subtotal, t.discount, t.fees), (10000, 1800, 820));
        // Tax on (10000 − 1800 + 820) = 9020.
        assert_eq!(t.tax, 902);
        assert_eq!(t.total, 10000 - 1800 + 820 + 902);
    }

    #[test]
    fn a_discount_never_makes_a_ticket_cost_less_than_nothing() {
        let prices = table(&[("stalls", "student", 300)]);
        let mut lines = tickets(1, "stalls", "student");
        lines[0].discount = Some(Discount::PerTicket(500));
        let t = totals(&lines, &prices, &[], &[]);
        assert_eq!((t.discount, t.total), (300, 0));
        lines[0].discount = Some(Discount::Percent(100));
        assert_eq!(totals(&lines, &prices, &[], &[]).total, 0);
    }
}
