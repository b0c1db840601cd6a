//! Opaque identifiers. New ids are ULIDs: sortable by creation time and unguessable enough
//! for keys (never used as secrets — those come from `rand`).

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a venue (tenant). Every key of venue data starts with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    pub fn generate() -> Self {
        Self(ulid::Ulid::new().to_string().to_lowercase())
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let ok = value.len() == 26
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new("tenantId", "is not a tenant id"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TenantId> for String {
    fn from(id: TenantId) -> Self {
        id.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_are_unique() {
        let a = TenantId::generate();
        let b = TenantId::generate();
        assert_ne!(a, b);
        assert_eq!(TenantId::parse(a.as_str()), Ok(a));
    }

    #[test]
    fn rejects_foreign_shapes() {
        assert!(TenantId::parse("T#abc").is_err());
        assert!(TenantId::parse("").is_err());
        assert!(
            TenantId::parse("01HZZZZZZZZZZZZZZZZZZZZZZZ").is_err(),
            "upper case is not ours"
        );
    }
}

/// Ids of catalog things: lower-case ULIDs, opaque to clients.
macro_rules! ulid_id {
    ($($name:ident => $field:literal),* $(,)?) => {$(
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self(ulid::Ulid::new().to_string().to_lowercase())
            }

            /// Parses an id from a URL or body. Anything else is "not found" to the caller,
            /// never an internal error.
            pub fn parse(value: &str) -> Result<Self, Invalid> {
                let ok = value.len() == 26 && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                if ok { Ok(Self(value.to_owned())) } else { Err(Invalid::new($field, "is not a valid id")) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

ulid_id!(
    SeatMapId => "seatMapId",
    EventId => "eventId",
    PerformanceId => "performanceId",
    OrderId => "orderId",
    TicketId => "ticketId",
    CartId => "cartId",
    HoldId => "holdId",
    ScanId => "scanId",
);
