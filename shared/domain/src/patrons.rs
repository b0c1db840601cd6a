//! The box office's patron directory: who bought (or holds an account), found by a prefix of
//! their name (any case, accents ignored), email address or telephone digits. DynamoDB has
//! no full-text search, so each order files one entry per way to find it (see
//! `marquee_store::directory`); a search reads one prefix and groups the entries by patron.

use crate::{Invalid, OrderId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The most patrons a search answers with.
pub const MAX_PATRONS: usize = 20;
/// The shortest search.
pub const MIN_QUERY_CHARS: usize = 2;

/// A name as searched: accents removed, lower case, only letters, digits and single spaces
/// (`"  Zoë  O'Brien "` → `"zoe obrien"`).
pub fn search_name(raw: &str) -> String {
    let folded: String = raw
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The digits of a telephone number, as searched (`"+44 (20) 7946-0018"` → `"442079460018"`).
pub fn phone_digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// What a search looks for: each prefix that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatronQuery {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl PatronQuery {
    /// `q` as typed: text with `@` is an email address; digits (with the usual phone
    /// punctuation) are a telephone number; anything else is a name or the start of an email
    /// address.
    pub fn parse(q: &str) -> Result<Self, Invalid> {
        let q = q.trim();
        if q.chars().count() < MIN_QUERY_CHARS {
            return Err(Invalid::new("q", "type at least 2 characters"));
        }
        if q.chars().count() > 120 {
            return Err(Invalid::new("q", "at most 120 characters"));
        }
        let phone_like = q
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'));
        let digits = phone_digits(q);
        if phone_like && digits.len() >= MIN_QUERY_CHARS {
            return Ok(Self {
                name: None,
                email: None,
                phone: Some(digits),
            });
        }
        let email = q.to_lowercase();
        if q.contains('@') {
            return Ok(Self {
                name: None,
                email: Some(email),
                phone: None,
            });
        }
        let name = search_name(q);
        Ok(Self {
            name: (name.chars().count() >= MIN_QUERY_CHARS).then_some(name),
            email: Some(email),
            phone: None,
        })
    }
}

/// One way to find one order's patron, as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The order; `None` for a patron account (it has no order yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// When the order (or account) was made, RFC 3339.
    pub at: String,
}

/// A patron found: the details of their latest order, and how many orders they placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatronSummary {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub orders: u32,
    /// RFC 3339; absent for an account that never ordered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_order_at: Option<String>,
}

/// Groups entries by patron — the same email address, else the same phone digits, else the
/// same name — newest details first, at most `limit` patrons, most recent first.
pub fn summarise(
    entries: impl IntoIterator<Item = DirectoryEntry>,
    limit: usize,
) -> Vec<PatronSummary> {
    struct Group {
        latest: DirectoryEntry,
        orders: std::collections::BTreeSet<OrderId>,
        last_order_at: Option<String>,
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for entry in entries {
        let key = match (&entry.email, &entry.phone) {
            (Some(email), _) => format!("e:{}", email.to_lowercase()),
            (None, Some(phone)) => format!("p:{}", phone_digits(phone)),
            (None, None) => format!("n:{}", search_name(&entry.name)),
        };
        let group = groups.entry(key).or_insert_with(|| Group {
            latest: entry.clone(),
            orders: Default::default(),
            last_order_at: None,
        });
        if let Some(order) = &entry.order_id {
            group.orders.insert(order.clone());
            if group
                .last_order_at
                .as_deref()
                .is_none_or(|at| at < entry.at.as_str())
            {
                group.last_order_at = Some(entry.at.clone());
            }
        }
        if entry.at > group.latest.at {
            // The newest name and phone; an email or phone once given is kept.
            let phone = entry.phone.clone().or_else(|| group.latest.phone.clone());
            let email = entry.email.clone().or_else(|| group.latest.email.clone());
            group.latest = DirectoryEntry {
                phone,
                email,
                ..entry
            };
        }
    }
    let mut found: Vec<PatronSummary> = groups
        .into_values()
        .map(|g| PatronSummary {
            name: g.latest.name,
            email: g.latest.email,
            phone: g.latest.phone,
            orders: u32::try_from(g.orders.len()).unwrap_or(u32::MAX),
            last_order_at: g.last_order_at,
        })
        .collect();
    found.sort_by(|a, b| {
        b.last_order_at
            .cmp(&a.last_order_at)
            .then_with(|| a.name.cmp(&b.name))
    });
    found.truncate(limit);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_searched_without_case_or_accents() {
        assert_eq!(search_name("  Zoë  O'Brien "), "zoe obrien");
        assert_eq!(search_name("ÉMILE Zola"), "emile zola");
        assert_eq!(search_name("Łukasz"), "łukasz", "a letter of its own stays");
        assert_eq!(phone_digits("+44 (20) 7946-0018"), "442079460018");
    }

    #[test]
    fn a_query_is_a_phone_an_email_or_a_name() {
        assert!(PatronQuery::parse(" a ").is_err(), "too short");
        assert_eq!(
            PatronQuery::parse("555 01").unwrap(),
            PatronQuery {
                name: None,
                email: None,
                phone: Some("55501".into())
            }
        );
        assert_eq!(
            PatronQuery::parse("Ada@Ex").unwrap().email.as_deref(),
            Some("ada@ex")
        );
        let name = PatronQuery::parse("Zoë").unwrap();
        assert_eq!(name.name.as_deref(), Some("zoe"));
        assert_eq!(name.email.as_deref(), Some("zoë"), "or an email's start");
    }

    #[test]
    fn entries_are_grouped_by_patron_with_their_order_count() {
        let entry =
            |name: &str, email: Option<&str>, phone: Option<&str>, at: &str| DirectoryEntry {
                name: name.into(),
                email: email.map(Into::into),
                phone: phone.map(Into::into),
                order_id: Some(OrderId::generate()),
                at: at.into(),
            };
        let found = summarise(
            [
                entry("Ada", Some("ada@example.org"), None, "2026-01-01T00:00:00Z"),
                entry(
                    "Ada King",
                    Some("ADA@example.org"),
                    Some("555 0100"),
                    "2026-02-01T00:00:00Z",
                ),
                entry("Bob", None, Some("555-0199"), "2026-01-15T00:00:00Z"),
            ],
            20,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "Ada King");
        assert_eq!(found[0].orders, 2);
        assert_eq!(found[0].phone.as_deref(), Some("555 0100"));
        assert_eq!(
            found[0].last_order_at.as_deref(),
            Some("2026-02-01T00:00:00Z")
        );
        assert_eq!(found[1].name, "Bob");
        assert_eq!(
            summarise(found.iter().map(|_| entry("X", None, None, "")), 1).len(),
            1
        );
    }
}
