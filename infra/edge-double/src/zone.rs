//! The double's DNS zone: the records tests set through `/_double/dns`, which the DNS
//! listener answers from and the CloudFront side reads to decide whether a domain's CNAME
//! points at its connection group.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;

/// A DNS name as the zone keys it: lower case, no trailing dot, labels of 1–63 characters
/// out of letters, digits, `-` and `_` (for `_marquee.…` TXT names), 253 characters at most.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DnsName(String);

impl DnsName {
    pub fn parse(raw: &str) -> Result<Self, ZoneError> {
        let name = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if name.is_empty() || name.len() > 253 || !name.split('.').all(valid_label) {
            return Err(ZoneError::InvalidName(raw.to_owned()));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `self` is `other` or a name below it.
    pub fn is_at_or_below(&self, other: &DnsName) -> bool {
        self.0 == other.0
            || self
                .0
                .strip_suffix(other.0.as_str())
                .is_some_and(|head| head.ends_with('.'))
    }
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The record types the zone holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordKind {
    A,
    Cname,
    Txt,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::A => "A",
            Self::Cname => "CNAME",
            Self::Txt => "TXT",
        })
    }
}

impl RecordKind {
    pub fn parse(raw: &str) -> Result<Self, ZoneError> {
        match raw.to_ascii_uppercase().as_str() {
            "A" => Ok(Self::A),
            "CNAME" => Ok(Self::Cname),
            "TXT" => Ok(Self::Txt),
            _ => Err(ZoneError::UnsupportedType(raw.to_owned())),
        }
    }
}

/// The values of one record set, checked for their type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordSet {
    A(Vec<Ipv4Addr>),
    Cname(DnsName),
    Txt(Vec<String>),
}

impl RecordSet {
    pub fn parse(kind: RecordKind, values: &[String]) -> Result<Self, ZoneError> {
        if values.is_empty() {
            return Err(ZoneError::InvalidValue("values must not be empty".into()));
        }
        match kind {
            RecordKind::A => values
                .iter()
                .map(|v| {
                    v.parse()
                        .map_err(|_| ZoneError::InvalidValue(format!("not an IPv4 address: {v}")))
                })
                .collect::<Result<_, _>>()
                .map(Self::A),
            RecordKind::Cname => match values {
                [target] => DnsName::parse(target).map(Self::Cname),
                _ => Err(ZoneError::InvalidValue(
                    "a CNAME has exactly one value".into(),
                )),
            },
            RecordKind::Txt => {
                // One character-string holds at most 255 bytes; longer TXT values are split
                // by DNS servers, which this double does not do.
                if let Some(long) = values.iter().find(|v| v.len() > 255) {
                    return Err(ZoneError::InvalidValue(format!(
                        "a TXT value is at most 255 bytes here ({} given)",
                        long.len()
                    )));
                }
                Ok(Self::Txt(values.to_vec()))
            }
        }
    }

    pub fn kind(&self) -> RecordKind {
        match self {
            Self::A(_) => RecordKind::A,
            Self::Cname(_) => RecordKind::Cname,
            Self::Txt(_) => RecordKind::Txt,
        }
    }

    pub fn values(&self) -> Vec<String> {
        match self {
            Self::A(addrs) => addrs.iter().map(ToString::to_string).collect(),
            Self::Cname(target) => vec![target.to_string()],
            Self::Txt(values) => values.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ZoneError {
    #[error("invalid DNS name: {0:?}")]
    InvalidName(String),
    #[error("unsupported record type {0:?} (A, CNAME or TXT)")]
    UnsupportedType(String),
    #[error("{0}")]
    InvalidValue(String),
    #[error("{0} already has other records; a CNAME cannot sit beside them")]
    CnameConflict(DnsName),
}

/// Every record set, keyed by name and type.
#[derive(Debug, Default)]
pub struct Zone {
    records: BTreeMap<(DnsName, RecordKind), RecordSet>,
}

/// One record set as `GET /_double/dns` lists it.
#[derive(Debug, Serialize)]
pub struct RecordView {
    pub name: DnsName,
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub values: Vec<String>,
}

impl Zone {
    /// Replaces the set of `set.kind()` at `name`. A CNAME may not share its name with any
    /// other record (RFC 1034 §3.6.2), in either order.
    pub fn put(&mut self, name: DnsName, set: RecordSet) -> Result<(), ZoneError> {
        let kind = set.kind();
        let others = self
            .records
            .keys()
            .filter(|(n, k)| *n == name && *k != kind)
            .map(|(_, k)| *k)
            .collect::<Vec<_>>();
        if !others.is_empty() && (kind == RecordKind::Cname || others.contains(&RecordKind::Cname))
        {
            return Err(ZoneError::CnameConflict(name));
        }
        self.records.insert((name, kind), set);
        Ok(())
    }

    /// Removes a set; false when there was none.
    pub fn delete(&mut self, name: &DnsName, kind: RecordKind) -> bool {
        self.records.remove(&(name.clone(), kind)).is_some()
    }

    pub fn get(&self, name: &DnsName, kind: RecordKind) -> Option<&RecordSet> {
        self.records.get(&(name.clone(), kind))
    }

    pub fn cname(&self, name: &DnsName) -> Option<&DnsName> {
        match self.get(name, RecordKind::Cname) {
            Some(RecordSet::Cname(target)) => Some(target),
            _ => None,
        }
    }

    /// True when the name, or a name below it, has records: a name with only descendants
    /// (an "empty non-terminal") exists, and answers NOERROR without data, not NXDOMAIN.
    pub fn name_exists(&self, name: &DnsName) -> bool {
        self.records.keys().any(|(n, _)| n.is_at_or_below(name))
    }

    pub fn list(&self) -> Vec<RecordView> {
        self.records
            .iter()
            .map(|((name, kind), set)| RecordView {
                name: name.clone(),
                kind: *kind,
                values: set.values(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &str) -> DnsName {
        DnsName::parse(raw).expect("valid name")
    }

    #[test]
    fn names_ignore_case_and_the_trailing_dot() {
        assert_eq!(name("Tickets.Example.ORG."), name("tickets.example.org"));
        assert!(DnsName::parse("").is_err());
        assert!(DnsName::parse("a..b").is_err());
        assert!(DnsName::parse("bad name.org").is_err());
        assert!(name("_marquee.tickets.example.org").is_at_or_below(&name("example.org")));
        assert!(!name("notexample.org").is_at_or_below(&name("example.org")));
    }

    #[test]
    fn a_cname_stands_alone() {
        let mut zone = Zone::default();
        let host = name("tickets.example.org");
        let txt = RecordSet::parse(RecordKind::Txt, &["v".into()]).expect("txt");
        zone.put(host.clone(), txt).expect("put");
        let cname =
            RecordSet::parse(RecordKind::Cname, &["x.edge.localhost".into()]).expect("cname");
        assert_eq!(
            zone.put(host.clone(), cname.clone()),
            Err(ZoneError::CnameConflict(host.clone()))
        );
        assert!(zone.delete(&host, RecordKind::Txt));
        zone.put(host.clone(), cname).expect("put cname");
        assert_eq!(zone.cname(&host), Some(&name("x.edge.localhost")));
        assert!(zone.name_exists(&name("example.org")));
        assert!(!zone.name_exists(&name("other.example.org")));
    }

    #[test]
    fn values_are_checked_for_their_type() {
        assert!(RecordSet::parse(RecordKind::A, &["300.1.1.1".into()]).is_err());
        assert!(RecordSet::parse(RecordKind::Cname, &["a.org".into(), "b.org".into()]).is_err());
        assert!(RecordSet::parse(RecordKind::Txt, &[]).is_err());
        assert!(RecordKind::parse("MX").is_err());
        assert_eq!(RecordKind::parse("txt"), Ok(RecordKind::Txt));
    }
}
