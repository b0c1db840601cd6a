//! Marquee's domain: the pure rules of the box office, with no I/O and no AWS types.
//!
//! Values are parsed once at the boundary into newtypes (`Slug::parse`, `Email::parse`, …);
//! once a value exists it is valid, so the rest of the code never re-checks it.

pub mod ids;
pub mod names;
pub mod password;
pub mod roles;
pub mod venue;

pub use ids::TenantId;
pub use names::{Email, Hostname, Slug};
pub use password::Password;
pub use roles::{Permission, Role};
pub use venue::{Branding, Currency, HexColour, Timezone, VenueSettings, VenueSettingsUpdate};

/// A value that failed to parse, with a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
