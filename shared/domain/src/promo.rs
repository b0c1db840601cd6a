//! Promo codes: a discount a venue gives to whoever types the code — a percentage or a fixed
//! amount off each ticket it applies to — limited to some events, performances or price
//! types, to a validity window, and to a number of uses in all and per patron (counted by
//! email address, guests included).
//!
//! A use is counted when an order checks out with the code (a conditional counter in the
//! checkout's own transaction, so the last use goes to exactly one order) and given back when
//! that order is cancelled without being paid.

use crate::pricing::Discount;
use crate::{EventId, Invalid, PerformanceId, PriceType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// At most this many events, performances or price types in one code's scope.
pub const MAX_SCOPE: usize = 100;

/// A code as patrons type it: 3 to 32 letters, digits, `-` or `_`, case-insensitive (kept in
/// capitals).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PromoCode(String);

impl PromoCode {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let code = value.trim().to_ascii_uppercase();
        if !(3..=32).contains(&code.len()) {
            return Err(Invalid::new("code", "a code has 3 to 32 characters"));
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Invalid::new(
                "code",
                "a code has only letters, digits, '-' and '_'",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PromoCode {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PromoCode> for String {
    fn from(code: PromoCode) -> Self {
        code.0
    }
}

impl fmt::Display for PromoCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A promo code as staff write it (`POST /admin/v1/promo-codes`, `PUT …/{codeId}`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromoInput {
    /// 3 to 32 letters, digits, `-` or `_`; patrons may type it in any case.
    #[schema(example = "SPRING20")]
    pub code: String,
    /// Whole percent off each ticket's price, 1 to 100. At most one of `percentOff` and
    /// `amountOff`; a code with neither must unlock price types.
    #[schema(minimum = 1, maximum = 100)]
    pub percent_off: Option<u32>,
    /// Minor units off each ticket's price (never below zero).
    #[schema(minimum = 1, maximum = 99_999_999)]
    pub amount_off: Option<i64>,
    /// Orders that may use it, in all.
    #[schema(minimum = 1)]
    pub max_uses: Option<u32>,
    /// Orders one email address may use it for.
    #[schema(minimum = 1)]
    pub per_patron: Option<u32>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    /// Only tickets of these events (empty or absent: every event).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub event_ids: Vec<String>,
    /// Only tickets of these performances.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub performance_ids: Vec<String>,
    /// Only tickets of these price types (e.g. `adult`).
    #[serde(default)]
    pub price_types: Vec<String>,
    /// Hidden price types (e.g. `friends`) a cart with this code may buy, in the events and
    /// performances it covers.
    #[serde(default)]
    pub unlocks: Vec<String>,
    /// On a change: the `version` the form was filled from; the change is refused (409
    /// `edit_conflict`) if someone changed the code since. Ignored on create.
    pub version: Option<u32>,
}

/// A stored promo code: its terms, and how many orders used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoRecord {
    pub code: PromoCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_patron: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub event_ids: Vec<EventId>,
    #[serde(default)]
    pub performance_ids: Vec<PerformanceId>,
    #[serde(default)]
    pub price_types: Vec<PriceType>,
    /// Hidden price types it unlocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlocks: Vec<PriceType>,
    /// Orders checked out with it and not cancelled unpaid.
    #[serde(default)]
    pub uses: u32,
    /// Deleted by staff: no longer accepted. Kept, so that its uses stay counted and the
    /// code is not handed out again with a fresh count.
    #[serde(default)]
    pub retired: bool,
    pub version: u32,
    pub created_at: String,
}

/// Why a code cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoRefusal {
    #[error("there is no such code")]
    Unknown,
    #[error("the code is valid from {0}")]
    NotYet(DateTime<Utc>),
    #[error("the code expired on {0}")]
    Expired(DateTime<Utc>),
    #[error("the code has been used as often as it may be")]
    Exhausted,
    #[error("this email address has used the code as often as it may")]
    PatronLimit,
    #[error("the code does not apply to any ticket in the cart")]
    NotApplicable,
}

impl PromoRefusal {
    /// The API's error code for it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired(_) => "promo_expired",
            Self::Exhausted | Self::PatronLimit => "promo_exhausted",
            Self::Unknown | Self::NotYet(_) | Self::NotApplicable => "promo_not_applicable",
        }
    }
}

fn parse_all<T>(
    values: &[String],
    field: &'static str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Vec<T>, Invalid> {
    if values.len() > MAX_SCOPE {
        return Err(Invalid::new(
            field,
            format!("list at most {MAX_SCOPE}; leave it empty for all"),
        ));
    }
    let mut parsed = Vec::with_capacity(values.len());
    for value in values {
        parsed.push(parse(value).map_err(|e| Invalid::new(field, e.message))?);
    }
    Ok(parsed)
}

impl PromoRecord {
    /// A new code from what staff wrote, unused.
    pub fn create(input: &PromoInput, now: DateTime<Utc>) -> Result<Self, Invalid> {
        let mut record = Self {
            code: PromoCode::parse(&input.code)?,
            percent_off: None,
            amount_off: None,
            max_uses: None,
            per_patron: None,
            valid_from: None,
            valid_to: None,
            event_ids: Vec::new(),
            performance_ids: Vec::new(),
            price_types: Vec::new(),
            unlocks: Vec::new(),
            uses: 0,
            retired: false,
            version: 0,
            created_at: now.to_rfc3339(),
        };
        record.set_terms(input)?;
        Ok(record)
    }

    /// The same code with new terms; its uses stay counted.
    pub fn edit(&self, input: &PromoInput) -> Result<Self, Invalid> {
        if PromoCode::parse(&input.code)? != self.code {
            return Err(Invalid::new(
                "code",
                "a code cannot be renamed; create a new one",
            ));
        }
        let mut record = self.clone();
        record.set_terms(input)?;
        Ok(record)
    }

    fn set_terms(&mut self, input: &PromoInput) -> Result<(), Invalid> {
        let unlocks = parse_all(&input.unlocks, "unlocks", PriceType::parse)?;
        match (input.percent_off, input.amount_off) {
            (Some(p), None) if (1..=100).contains(&p) => {}
            (Some(_), None) => return Err(Invalid::new("percentOff", "1 to 100 percent")),
            (None, Some(a)) if (1..=crate::pricing::MAX_AMOUNT).contains(&a) => {}
            (None, Some(_)) => {
                return Err(Invalid::new(
                    "amountOff",
                    "an amount above zero, in minor units",
                ));
            }
            (None, None) if !unlocks.is_empty() => {}
            (None, None) => {
                return Err(Invalid::new(
                    "percentOff",
                    "give percentOff or amountOff, or price types it unlocks",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Invalid::new(
                    "percentOff",
                    "give either percentOff or amountOff, not both",
                ));
            }
        }
        if input.max_uses == Some(0) {
            return Err(Invalid::new("maxUses", "at least 1, or leave it out"));
        }
        if input.per_patron == Some(0) {
            return Err(Invalid::new("perPatron", "at least 1, or leave it out"));
        }
        if let (Some(from), Some(to)) = (input.valid_from, input.valid_to)
            && to <= from
        {
            return Err(Invalid::new("validTo", "must be after validFrom"));
        }
        self.percent_off = input.percent_off;
        self.amount_off = input.amount_off;
        self.max_uses = input.max_uses;
        self.per_patron = input.per_patron;
        self.valid_from = input.valid_from;
        self.valid_to = input.valid_to;
        self.event_ids = parse_all(&input.event_ids, "eventIds", |v| {
            EventId::parse(v).map_err(|_| Invalid::new("eventIds", format!("'{v}' is not an id")))
        })?;
        self.performance_ids = parse_all(&input.performance_ids, "performanceIds", |v| {
            PerformanceId::parse(v)
                .map_err(|_| Invalid::new("performanceIds", format!("'{v}' is not an id")))
        })?;
        self.price_types = parse_all(&input.price_types, "priceTypes", PriceType::parse)?;
        self.unlocks = unlocks;
        Ok(())
    }

    /// Whether it takes money off tickets at all (a code may only unlock price types).
    pub fn takes_off(&self) -> bool {
        self.percent_off.is_some() || self.amount_off.is_some()
    }

    /// Whether a cart with this code may buy the hidden `price_type` of this event and
    /// performance.
    pub fn unlocks(
        &self,
        event: &EventId,
        performance: &PerformanceId,
        price_type: &PriceType,
    ) -> bool {
        self.covers(event, performance) && self.unlocks.contains(price_type)
    }

    pub fn discount(&self) -> Discount {
        match (self.percent_off, self.amount_off) {
            (Some(percent), _) => Discount::Percent(percent),
            (None, Some(amount)) => Discount::PerTicket(amount),
            (None, None) => Discount::PerTicket(0),
        }
    }

    /// Why the code cannot be used at `now`, if it cannot (whatever is in the cart).
    pub fn refusal_at(&self, now: DateTime<Utc>) -> Option<PromoRefusal> {
        if self.retired {
            return Some(PromoRefusal::Unknown);
        }
        if let Some(from) = self.valid_from
            && now < from
        {
            return Some(PromoRefusal::NotYet(from));
        }
        if let Some(to) = self.valid_to
            && now >= to
        {
            return Some(PromoRefusal::Expired(to));
        }
        if self.max_uses.is_some_and(|max| self.uses >= max) {
            return Some(PromoRefusal::Exhausted);
        }
        None
    }

    /// Whether the code is for tickets of this event and performance (any price type).
    pub fn covers(&self, event: &EventId, performance: &PerformanceId) -> bool {
        (self.event_ids.is_empty() || self.event_ids.contains(event))
            && (self.performance_ids.is_empty() || self.performance_ids.contains(performance))
    }

    /// Whether it takes money off this ticket.
    pub fn applies_to(
        &self,
        event: &EventId,
        performance: &PerformanceId,
        price_type: &PriceType,
    ) -> bool {
        self.takes_off()
            && self.covers(event, performance)
            && (self.price_types.is_empty() || self.price_types.contains(price_type))
    }
}

/// What an order records of the code it used, to give the use back if it is cancelled unpaid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoUse {
    pub code: PromoCode,
    /// Whether the checkout counted a use against the patron's email address too.
    #[serde(default)]
    pub per_patron: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input(code: &str) -> PromoInput {
        PromoInput {
            code: code.into(),
            percent_off: Some(20),
            amount_off: None,
            max_uses: None,
            per_patron: None,
            valid_from: None,
            valid_to: None,
            event_ids: Vec::new(),
            performance_ids: Vec::new(),
            price_types: Vec::new(),
            unlocks: Vec::new(),
            version: None,
        }
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, day, 12, 0, 0).unwrap()
    }

    #[test]
    fn codes_are_case_insensitive_words() {
        assert_eq!(
            PromoCode::parse(" spring-20 ").unwrap().as_str(),
            "SPRING-20"
        );
        assert_eq!(PromoCode::parse("ab").unwrap_err().field, "code");
        assert!(PromoCode::parse("TEN OFF").is_err());
        assert!(PromoCode::parse("=CMD()").is_err());
    }

    #[test]
    fn a_code_is_either_percent_or_amount_off() {
        let mut both = input("BOTH");
        both.amount_off = Some(500);
        assert_eq!(
            PromoRecord::create(&both, at(1)).unwrap_err().field,
            "percentOff"
        );
        let mut neither = input("NONE");
        neither.percent_off = None;
        assert!(PromoRecord::create(&neither, at(1)).is_err());
        let mut too_much = input("MUCH");
        too_much.percent_off = Some(101);
        assert!(PromoRecord::create(&too_much, at(1)).is_err());
        let mut amount = input("FIVE");
        amount.percent_off = None;
        amount.amount_off = Some(500);
        let record = PromoRecord::create(&amount, at(1)).unwrap();
        assert_eq!(record.discount(), Discount::PerTicket(500));
    }

    #[test]
    fn a_code_may_only_unlock_hidden_price_types_in_its_scope() {
        let mut friends = input("FRIENDS");
        friends.percent_off = None;
        friends.unlocks = vec!["Friends".into()];
        let event = EventId::generate();
        friends.event_ids = vec![event.to_string()];
        let record = PromoRecord::create(&friends, at(1)).unwrap();
        let performance = PerformanceId::generate();
        let friends_type = PriceType::parse("friends").unwrap();
        assert!(!record.takes_off());
        assert!(record.unlocks(&event, &performance, &friends_type));
        assert!(!record.unlocks(&EventId::generate(), &performance, &friends_type));
        assert!(!record.unlocks(&event, &performance, &PriceType::parse("adult").unwrap()));
        assert!(
            !record.applies_to(&event, &performance, &friends_type),
            "it takes nothing off"
        );
        let mut bad = friends.clone();
        bad.unlocks = vec!["no spaces".into()];
        assert_eq!(
            PromoRecord::create(&bad, at(1)).unwrap_err().field,
            "unlocks"
        );
    }

    #[test]
    fn the_window_and_the_use_limit_refuse_with_their_own_reasons() {
        let mut terms = input("WINDOW");
        terms.valid_from = Some(at(5));
        terms.valid_to = Some(at(10));
        terms.max_uses = Some(2);
        let mut record = PromoRecord::create(&terms, at(1)).unwrap();
        assert_eq!(record.refusal_at(at(4)), Some(PromoRefusal::NotYet(at(5))));
        assert_eq!(record.refusal_at(at(5)), None);
        assert_eq!(
            record.refusal_at(at(10)),
            Some(PromoRefusal::Expired(at(10)))
        );
        record.uses = 2;
        assert_eq!(record.refusal_at(at(6)), Some(PromoRefusal::Exhausted));
        assert_eq!(PromoRefusal::Exhausted.code(), "promo_exhausted");
        record.uses = 0;
        record.retired = true;
        assert_eq!(record.refusal_at(at(6)), Some(PromoRefusal::Unknown));
        terms.valid_to = Some(at(5));
        assert_eq!(
            PromoRecord::create(&terms, at(1)).unwrap_err().field,
            "validTo"
        );
    }

    #[test]
    fn the_scope_limits_events_performances_and_price_types() {
        let event = EventId::generate();
        let other_event = EventId::generate();
        let performance = PerformanceId::generate();
        let mut terms = input("SCOPED");
        terms.event_ids = vec![event.to_string()];
        terms.price_types = vec!["student".into()];
        let record = PromoRecord::create(&terms, at(1)).unwrap();
        let student = PriceType::parse("student").unwrap();
        let adult = PriceType::parse("adult").unwrap();
        assert!(record.applies_to(&event, &performance, &student));
        assert!(!record.applies_to(&event, &performance, &adult));
        assert!(!record.applies_to(&other_event, &performance, &student));
        assert!(record.covers(&event, &performance));
        terms.event_ids = vec!["not-an-id".into()];
        assert_eq!(
            PromoRecord::create(&terms, at(1)).unwrap_err().field,
            "eventIds"
        );
    }

    #[test]
    fn an_edit_keeps_the_uses_and_the_code() {
        let mut record = PromoRecord::create(&input("KEEP"), at(1)).unwrap();
        record.uses = 3;
        let mut terms = input("keep");
        terms.percent_off = Some(50);
        let edited = record.edit(&terms).unwrap();
        assert_eq!((edited.uses, edited.percent_off), (3, Some(50)));
        assert_eq!(record.edit(&input("OTHER")).unwrap_err().field, "code");
    }
}
