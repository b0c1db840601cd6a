//! Names users type: venue slugs, hostnames, email addresses.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's or venue's name as typed: trimmed, 1 to 120 characters, no control characters.
pub fn parse_display_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(Invalid::new(
            "name",
            "must be 1 to 120 printable characters",
        ));
    }
    Ok(name.to_owned())
}

/// Slugs that would shadow platform hosts.
const RESERVED_SLUGS: &[&str] = &[
    "www", "api", "admin", "app", "mail", "static", "assets", "cdn", "platform", "status", "help",
    "support", "docs", "live", "ws", "auth", "login", "cname",
];

/// A venue's short name: its hosted address is `{slug}.{platform domain}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        let invalid = |m: &str| Err(Invalid::new("slug", m));
        if !(3..=40).contains(&value.len()) {
            return invalid("must be 3 to 40 characters");
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return invalid("may contain only lower-case letters, digits and '-'");
        }
        if !value.as_bytes()[0].is_ascii_lowercase() || value.ends_with('-') || value.contains("--")
        {
            return invalid("must start with a letter, not end with '-' and not contain '--'");
        }
        if RESERVED_SLUGS.contains(&value) {
            return invalid("is reserved");
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A DNS hostname, lower-cased, without port or trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hostname(String);

impl Hostname {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim().trim_end_matches('.').to_ascii_lowercase();
        let invalid = |m: &str| Err(Invalid::new("hostname", m));
        if value.is_empty() || value.len() > 253 {
            return invalid("must be 1 to 253 characters");
        }
        let labels: Vec<&str> = value.split('.').collect();
        for label in &labels {
            let ok_chars = label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if label.is_empty()
                || label.len() > 63
                || !ok_chars
                || label.starts_with('-')
                || label.ends_with('-')
            {
                return invalid("each label must be 1 to 63 letters, digits or inner '-'");
            }
        }
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return invalid("must be a name, not an IP address");
        }
        Ok(Self(value))
    }

    /// The hostname from an HTTP `Host` header, which may carry a port.
    pub fn from_host_header(value: &str) -> Result<Self, Invalid> {
        let without_port = match value.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => value,
        };
        Self::parse(without_port)
    }

    /// The hosted address of a venue.
    pub fn for_slug(slug: &Slug, platform_domain: &Hostname) -> Self {
        Self(format!("{}.{}", slug.as_str(), platform_domain.as_str()))
    }

    /// Whether the name has a parent domain (`tickets.example.org`, not `localhost`): only
    /// such names can be registered as a venue's own domain.
    pub fn is_registrable(&self) -> bool {
        self.0.contains('.')
    }

    /// Whether this name is `domain` itself or lies under it.
    pub fn is_within(&self, domain: &Hostname) -> bool {
        self.0 == domain.0 || self.0.ends_with(&format!(".{}", domain.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, lower-cased so that it can serve as an identity.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim().to_lowercase();
        let invalid = || Err(Invalid::new("email", "is not a valid email address"));
        let Some((local, domain)) = value.split_once('@') else {
            return invalid();
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok
            || value.len() > 254
            || !Hostname::parse(domain).is_ok_and(|d| d.is_registrable())
        {
            return invalid();
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

// Addresses are personal data: keep them out of debug logs.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.split('@').nth(1).unwrap_or_default();
        write!(f, "Email(***@{domain})")
    }
}

macro_rules! string_newtype_conversions {
    ($($t:ty),*) => {$(
        impl TryFrom<String> for $t {
            type Error = Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> Self {
                value.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
string_newtype_conversions!(Slug, Hostname, Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::parse("grand-opera").map(|s| s.0),
            Ok("grand-opera".into())
        );
        for bad in [
            "ab",
            "Grand",
            "9lives",
            "bad-",
            "a--b",
            "www",
            "has space",
            &"x".repeat(41),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn hostnames_normalise_and_validate() {
        assert_eq!(
            Hostname::parse("Tickets.MyVenue.org.").map(|h| h.0),
            Ok("tickets.myvenue.org".into())
        );
        assert!(!Hostname::parse("localhost").unwrap().is_registrable());
        assert!(
            Hostname::parse("tickets.example.org")
                .unwrap()
                .is_registrable()
        );
        for bad in [
            "-a.example.org",
            "a..b",
            "a_b.example.org",
            "10.0.0.1",
            "",
            "a.b-",
        ] {
            assert!(Hostname::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Hostname::parse(&format!("{}.org", "a".repeat(64))).is_err());
    }

    #[test]
    fn host_header_port_is_dropped() {
        assert_eq!(
            Hostname::from_host_header("demo.localhost:3000").map(|h| h.0),
            Ok("demo.localhost".into())
        );
        assert_eq!(
            Hostname::from_host_header("demo.localhost").map(|h| h.0),
            Ok("demo.localhost".into())
        );
    }

    #[test]
    fn within_domain() {
        let platform = Hostname::parse("marquee.example").unwrap();
        assert!(
            Hostname::parse("a.marquee.example")
                .unwrap()
                .is_within(&platform)
        );
        assert!(
            Hostname::parse("marquee.example")
                .unwrap()
                .is_within(&platform)
        );
        assert!(
            !Hostname::parse("evilmarquee.example")
                .unwrap()
                .is_within(&platform)
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Owner@Demo.Localhost ").map(|e| e.0),
            Ok("owner@demo.localhost".into())
        );
        for bad in [
            "no-at",
            "@x.org",
            "a@",
            "a@b",
            "a b@x.org",
            "a@@x.org",
            ".a@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn email_debug_hides_the_person() {
        let email = Email::parse("jane@example.org").unwrap();
        assert_eq!(format!("{email:?}"), "Email(***@example.org)");
    }
}
