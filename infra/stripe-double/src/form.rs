//! Stripe's request parameters: `application/x-www-form-urlencoded` bodies (and query strings)
//! with bracket notation for nesting — `metadata[cart_id]=c1`,
//! `automatic_payment_methods[enabled]=true`, lists as `expand[]=x` or `expand[0]=x`.
//!
//! Handlers `take_*` the parameters they know and then call [`Params::finish`], which rejects
//! anything left over the way Stripe does (`parameter_unknown`), so a typo in the product's
//! request fails loudly here instead of being silently ignored.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::errors::ApiError;

/// One decoded parameter value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Param {
    Text(String),
    Map(BTreeMap<String, Param>),
    List(Vec<Param>),
}

/// A range filter's bounds (each inclusive or exclusive as named).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Range {
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl Range {
    pub fn contains(&self, value: i64) -> bool {
        self.gt.is_none_or(|b| value > b)
            && self.gte.is_none_or(|b| value >= b)
            && self.lt.is_none_or(|b| value < b)
            && self.lte.is_none_or(|b| value <= b)
    }
}

/// Marks a key that is used both as a scalar and as a hash or list (`a=1&a[b]=2`).
struct Conflict;

/// Parses a form body or query string.
pub(crate) fn parse(input: &[u8]) -> Result<Params, ApiError> {
    let mut fields = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(input) {
        let Some((name, path)) = split_key(&key) else {
            return Err(ApiError::invalid_request(format!(
                "Invalid parameter name: {key}"
            )));
        };
        if insert_into_map(&mut fields, name.clone(), &path, value.into_owned()).is_err() {
            return Err(ApiError::invalid_request(format!(
                "Invalid value for {name}: it is used both as a single value and as a hash or array."
            ))
            .param(&name));
        }
    }
    Ok(Params {
        prefix: String::new(),
        fields,
    })
}

/// `a[b][]` → (`a`, [`b`, ``]).
fn split_key(key: &str) -> Option<(String, Vec<String>)> {
    let (name, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if name.is_empty() {
        return None;
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        path.push(inner[..end].to_owned());
        rest = &inner[end + 1..];
    }
    Some((name.to_owned(), path))
}

fn insert_into_map(
    map: &mut BTreeMap<String, Param>,
    key: String,
    path: &[String],
    value: String,
) -> Result<(), Conflict> {
    match path.split_first() {
        None => match map.get(&key) {
            Some(Param::Map(_) | Param::List(_)) => Err(Conflict),
            // A repeated scalar: the last one wins.
            _ => {
                map.insert(key, Param::Text(value));
                Ok(())
            }
        },
        Some((segment, rest)) => {
            let child = map.entry(key).or_insert_with(|| empty_container(segment));
            insert_into(child, segment, rest, value)
        }
    }
}

fn empty_container(segment: &str) -> Param {
    if segment.is_empty() {
        Param::List(Vec::new())
    } else {
        Param::Map(BTreeMap::new())
    }
}

fn insert_into(
    node: &mut Param,
    segment: &str,
    rest: &[String],
    value: String,
) -> Result<(), Conflict> {
    match node {
        Param::Map(map) if !segment.is_empty() => {
            insert_into_map(map, segment.to_owned(), rest, value)
        }
        Param::List(items) if segment.is_empty() => match rest.split_first() {
            None => {
                items.push(Param::Text(value));
                Ok(())
            }
            Some((next, deeper)) => {
                // `a[][x]=1&a[][y]=2&a[][x]=3` makes two elements: a new one starts when a
                // key repeats (Rack's rule, which Stripe follows).
                let continue_last = !next.is_empty()
                    && matches!(items.last(), Some(Param::Map(m)) if !m.contains_key(next.as_str()));
                if !continue_last {
                    items.push(empty_container(next));
                }
                match items.last_mut() {
                    Some(last) => insert_into(last, next, deeper, value),
                    None => Err(Conflict),
                }
            }
        },
        _ => Err(Conflict),
    }
}

/// The parameters of one request (or one nested hash of it).
#[derive(Debug, Clone)]
pub(crate) struct Params {
    /// How error messages name this hash: `` at the top, `automatic_payment_methods` inside.
    prefix: String,
    fields: BTreeMap<String, Param>,
}

impl Params {
    /// A canonical rendering of all parameters, for idempotency comparisons.
    pub fn fingerprint(&self) -> String {
        serde_json::to_string(&self.fields).unwrap_or_default()
    }

    fn name(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}[{key}]", self.prefix)
        }
    }

    /// A string parameter, as sent (possibly empty).
    pub fn take_text(&mut self, key: &str) -> Result<Option<String>, ApiError> {
        match self.fields.remove(key) {
            None => Ok(None),
            Some(Param::Text(text)) => Ok(Some(text)),
            Some(_) => Err(ApiError::invalid_request(format!(
                "Invalid string: {} must be a string, not a hash or array.",
                self.name(key)
            ))
            .param(&self.name(key))),
        }
    }

    /// A string parameter where an empty value means "not set", as in Stripe.
    pub fn take_optional_text(&mut self, key: &str) -> Result<Option<String>, ApiError> {
        Ok(self.take_text(key)?.filter(|text| !text.is_empty()))
    }

    pub fn take_integer(&mut self, key: &str) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.take_text(key)? else {
            return Ok(None);
        };
        text.parse::<i64>().map(Some).map_err(|_| {
            ApiError::invalid_request(format!("Invalid integer: {text}"))
                .code("parameter_invalid_integer")
                .param(&self.name(key))
        })
    }

    /// A range filter such as `created`: an exact integer (`created=1700000000`) or bounds
    /// (`created[gte]=…&created[lt]=…`).
    pub fn take_range(&mut self, key: &str) -> Result<Option<Range>, ApiError> {
        match self.fields.get(key) {
            None => Ok(None),
            Some(Param::Map(_)) => {
                let Some(mut bounds) = self.take_hash(key)? else {
                    return Ok(None);
                };
                let range = Range {
                    gt: bounds.take_integer("gt")?,
                    gte: bounds.take_integer("gte")?,
                    lt: bounds.take_integer("lt")?,
                    lte: bounds.take_integer("lte")?,
                };
                bounds.finish()?;
                Ok(Some(range))
            }
            Some(_) => Ok(self.take_integer(key)?.map(|exact| Range {
                gte: Some(exact),
                lte: Some(exact),
                ..Range::default()
            })),
        }
    }

    pub fn take_bool(&mut self, key: &str) -> Result<Option<bool>, ApiError> {
        let Some(text) = self.take_text(key)? else {
            return Ok(None);
        };
        match text.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(
                ApiError::invalid_request(format!("Invalid boolean: {text}"))
                    .param(&self.name(key)),
            ),
        }
    }

    /// A nested hash such as `automatic_payment_methods[…]`.
    pub fn take_hash(&mut self, key: &str) -> Result<Option<Params>, ApiError> {
        let name = self.name(key);
        match self.fields.remove(key) {
            None => Ok(None),
            Some(Param::Map(fields)) => Ok(Some(Params {
                prefix: name,
                fields,
            })),
            Some(_) => Err(ApiError::invalid_request(format!(
                "Invalid hash: {name} must be a hash, e.g. {name}[key]=value."
            ))
            .param(&name)),
        }
    }

    /// A list of strings: `expand[]=a&expand[]=b` or `expand[0]=a&expand[1]=b`.
    pub fn take_string_list(&mut self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        let name = self.name(key);
        let invalid = || {
            ApiError::invalid_request(format!(
                "Invalid array: {name} must be an array of strings, e.g. {name}[]=value."
            ))
            .param(&name)
        };
        let items: Vec<Param> = match self.fields.remove(key) {
            None => return Ok(None),
            Some(Param::List(items)) => items,
            // Indexed form: every key a number, ordered by that number.
            Some(Param::Map(map)) => {
                let mut indexed = Vec::with_capacity(map.len());
                for (index, item) in map {
                    indexed.push((index.parse::<usize>().map_err(|_| invalid())?, item));
                }
                indexed.sort_by_key(|(index, _)| *index);
                indexed.into_iter().map(|(_, item)| item).collect()
            }
            Some(Param::Text(_)) => return Err(invalid()),
        };
        items
            .into_iter()
            .map(|item| match item {
                Param::Text(text) => Ok(text),
                _ => Err(invalid()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `metadata[key]=value` with Stripe's limits (50 keys, keys ≤ 40 and values ≤ 500
    /// characters). Empty values unset a key, so they are left out.
    pub fn take_metadata(&mut self) -> Result<Option<BTreeMap<String, String>>, ApiError> {
        // `metadata=` (empty) clears all metadata in Stripe.
        if matches!(self.fields.get("metadata"), Some(Param::Text(text)) if text.is_empty()) {
            self.fields.remove("metadata");
            return Ok(Some(BTreeMap::new()));
        }
        let Some(mut hash) = self.take_hash("metadata")? else {
            return Ok(None);
        };
        let keys: Vec<String> = hash.fields.keys().cloned().collect();
        let mut metadata = BTreeMap::new();
        for key in keys {
            let value = hash.take_text(&key)?.unwrap_or_default();
            if key.chars().count() > 40 {
                return Err(ApiError::invalid_request(
                    "Metadata keys can have a maximum length of 40 characters.",
                )
                .param(&format!("metadata[{key}]")));
            }
            if value.chars().count() > 500 {
                return Err(ApiError::invalid_request(
                    "Metadata values can have a maximum length of 500 characters.",
                )
                .param(&format!("metadata[{key}]")));
            }
            if !value.is_empty() {
                metadata.insert(key, value);
            }
        }
        if metadata.len() > 50 {
            return Err(
                ApiError::invalid_request("You can specify up to 50 keys in metadata.")
                    .param("metadata"),
            );
        }
        Ok(Some(metadata))
    }

    /// Rejects any parameter that no `take_*` call consumed.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.fields.into_iter().next() {
            None => Ok(()),
            Some((key, value)) => {
                let mut name = if self.prefix.is_empty() {
                    key
                } else {
                    format!("{}[{key}]", self.prefix)
                };
                // Name the innermost key, as Stripe does: `automatic_payment_methods[foo]`.
                let mut value = value;
                while let Param::Map(map) = value {
                    match map.into_iter().next() {
                        Some((inner, inner_value)) => {
                            name = format!("{name}[{inner}]");
                            value = inner_value;
                        }
                        None => break,
                    }
                }
                Err(ApiError::unknown_parameter(&name))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(input: &str) -> String {
        match parse(input.as_bytes()) {
            Ok(params) => params.fingerprint(),
            Err(err) => format!("error: {}", err.error.message),
        }
    }

    #[test]
    fn brackets_nest_hashes_and_lists() {
        assert_eq!(
            fields(
                "amount=2500&metadata%5Bcart_id%5D=c1&metadata[version]=3\
                 &automatic_payment_methods[enabled]=true&expand[]=a&expand[]=b"
            ),
            r#"{"amount":"2500","automatic_payment_methods":{"enabled":"true"},"expand":["a","b"],"metadata":{"cart_id":"c1","version":"3"}}"#
        );
        assert_eq!(
            fields("items[][price]=1&items[][qty]=2&items[][price]=3"),
            r#"{"items":[{"price":"1","qty":"2"},{"price":"3"}]}"#
        );
    }

    #[test]
    fn the_order_of_parameters_does_not_change_the_fingerprint() {
        assert_eq!(
            fields("a=1&metadata[x]=1&metadata[y]=2"),
            fields("metadata[y]=2&a=1&metadata[x]=1")
        );
    }

    #[test]
    fn a_key_used_as_scalar_and_hash_is_rejected() {
        assert!(fields("a=1&a[b]=2").starts_with("error"));
        assert!(fields("a[b]=2&a=1").starts_with("error"));
        assert!(fields("[x]=1").starts_with("error"));
        assert!(fields("a[b=1").starts_with("error"));
    }

    #[test]
    fn indexed_lists_come_back_in_index_order() {
        let mut params = parse(b"expand[1]=b&expand[0]=a&expand[10]=c").unwrap();
        assert_eq!(
            params.take_string_list("expand").unwrap(),
            Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
        );
    }

    #[test]
    fn leftovers_are_named_like_stripe_names_them() {
        let mut params = parse(b"amount=1&automatic_payment_methods[enabled]=true").unwrap();
        params.take_integer("amount").unwrap();
        let err = params.finish().unwrap_err();
        assert_eq!(
            err.error.message,
            "Received unknown parameter: automatic_payment_methods[enabled]"
        );
        let mut params = parse(b"automatic_payment_methods[enabeld]=true").unwrap();
        let mut apm = params
            .take_hash("automatic_payment_methods")
            .unwrap()
            .unwrap();
        assert_eq!(apm.take_bool("enabled").unwrap(), None);
        assert_eq!(
            apm.finish().unwrap_err().error.param.as_deref(),
            Some("automatic_payment_methods[enabeld]")
        );
    }

    #[test]
    fn bad_scalars_are_invalid_requests() {
        let mut params = parse(b"amount=12.5&confirm=yes").unwrap();
        assert_eq!(
            params
                .take_integer("amount")
                .unwrap_err()
                .error
                .code
                .as_deref(),
            Some("parameter_invalid_integer")
        );
        assert!(params.take_bool("confirm").is_err());
    }

    #[test]
    fn empty_metadata_values_are_dropped() {
        let mut params = parse(b"metadata[a]=1&metadata[b]=").unwrap();
        let metadata = params.take_metadata().unwrap().unwrap();
        assert_eq!(metadata.len(), 1);
        let mut params = parse(b"metadata=").unwrap();
        assert_eq!(params.take_metadata().unwrap(), Some(BTreeMap::new()));
    }
}
