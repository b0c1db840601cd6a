//! Postal addresses for mailed tickets: the per-country rules (which fields are required,
//! the postcode's pattern, what is written in capitals, the allowed regions where the list
//! is short) read from `data/addresses.json`, and the [`PostalAddress`] an address becomes
//! once it passes them. A field that fails is named as `address.<field>`, so the form shows
//! the error beside it.

use crate::Invalid;
use regex_lite::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The longest recipient name a letter's address block takes (the print-and-mail provider's
/// limit, 40 characters).
pub const MAX_NAME: usize = 40;
/// The longest street line (the provider's limit).
pub const MAX_LINE: usize = 64;
/// The longest city or region.
pub const MAX_PLACE: usize = 60;

/// One country's address rules, as in `data/addresses.json`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressFormat {
    /// ISO 3166-1 alpha-2, e.g. `GB` (filled in from the data file's key).
    #[serde(default)]
    pub code: String,
    /// The country's name in English.
    pub name: String,
    /// Required besides `name` and `line1` (always required): of `city`, `region`,
    /// `postalCode`.
    pub required: Vec<String>,
    /// Fields written in capitals on the envelope (`city`, `region`, `postalCode`).
    pub upper: Vec<String>,
    pub city_label: String,
    pub region_label: String,
    pub postal_code_label: String,
    /// The whole postcode must match this (after upper-casing where `upper` says so).
    pub postal_code_pattern: String,
    pub postal_code_example: String,
    /// The allowed regions where the list is short; any text otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
}

#[derive(Deserialize)]
struct AddressData {
    countries: BTreeMap<String, AddressFormat>,
}

/// A country's rules with its postcode pattern compiled.
struct Rules {
    format: AddressFormat,
    postal_code: Regex,
}

static RULES: LazyLock<BTreeMap<String, Rules>> = LazyLock::new(|| {
    // The file is part of the build and its test parses every entry; a mistake in it fails
    // `cargo test` (`every_country_in_the_data_file_compiles`), never a request.
    let data: AddressData = match serde_json::from_str(include_str!("../data/addresses.json")) {
        Ok(data) => data,
        Err(_) => return BTreeMap::new(),
    };
    data.countries
        .into_iter()
        .filter_map(|(code, mut format)| {
            let postal_code = Regex::new(&format!("^(?:{})$", format.postal_code_pattern)).ok()?;
            format.code = code.clone();
            Some((
                code,
                Rules {
                    format,
                    postal_code,
                },
            ))
        })
        .collect()
});

/// The rules of `code`'s country, if it is in the data file.
pub fn address_format(code: &str) -> Option<&'static AddressFormat> {
    RULES.get(code).map(|r| &r.format)
}

/// Every country in the data file, by code.
pub fn known_countries() -> impl Iterator<Item = &'static str> {
    RULES.keys().map(String::as_str)
}

/// Every country's rules, by code: what a venue may choose to ship to.
pub fn all_formats() -> Vec<AddressFormat> {
    RULES.values().map(|r| r.format.clone()).collect()
}

/// What the site tells patrons about mailed tickets, when the venue posts them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailOffer {
    /// Added to a mailed order (minor units of the venue's currency).
    pub fee: i64,
    /// Mail closes this many days before the performance.
    pub cutoff_days: u32,
    /// The countries tickets are posted to, each with its address form's rules.
    pub countries: Vec<AddressFormat>,
}

impl MailOffer {
    /// `None` when the venue does not post tickets.
    pub fn of(settings: &crate::venue::MailSettings) -> Option<Self> {
        settings.enabled.then(|| Self {
            fee: settings.fee,
            cutoff_days: settings.cutoff_days,
            countries: settings
                .countries
                .iter()
                .map(|c| c.format().clone())
                .collect(),
        })
    }
}

/// A country mail can go to: an ISO 3166-1 alpha-2 code in the data file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let code = value.trim().to_ascii_uppercase();
        if RULES.contains_key(&code) {
            Ok(Self(code))
        } else {
            Err(Invalid::new(
                "country",
                format!(
                    "'{}' is not a country tickets can be posted to",
                    value.trim()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn format(&self) -> &'static AddressFormat {
        // Parsed from the same table, so it is there.
        &RULES[&self.0].format
    }
}

impl TryFrom<String> for CountryCode {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Invalid> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> String {
        value.0
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address as typed (every field optional, so a missing one is named, not a parse error).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    /// The recipient, at most 40 characters.
    pub name: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    /// State, province or county, where the country uses one.
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    pub country: Option<String>,
}

impl AddressInput {
    /// Reads an address from its JSON, naming the field that is not text (`address.city`)
    /// or not an address field at all, where a typed body would only say "invalid body".
    pub fn from_json(value: &serde_json::Value) -> Result<Self, Invalid> {
        let object = value
            .as_object()
            .ok_or_else(|| Invalid::new("address", "must be an object"))?;
        let mut input = Self::default();
        for (key, field) in object {
            let (name, slot): (&'static str, &mut Option<String>) = match key.as_str() {
                "name" => ("address.name", &mut input.name),
                "line1" => ("address.line1", &mut input.line1),
                "line2" => ("address.line2", &mut input.line2),
                "city" => ("address.city", &mut input.city),
                "region" => ("address.region", &mut input.region),
                "postalCode" => ("address.postalCode", &mut input.postal_code),
                "country" => ("address.country", &mut input.country),
                _ => {
                    return Err(Invalid::new(
                        "address",
                        "has a field that is not part of an address",
                    ));
                }
            };
            *slot = match field {
                serde_json::Value::Null => None,
                serde_json::Value::String(text) => Some(text.clone()),
                _ => return Err(Invalid::new(name, "must be text")),
            };
        }
        Ok(input)
    }
}

/// An address that passed its country's rules, tidied (trimmed, capitals where the country
/// writes them, the region as listed).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub postal_code: String,
    #[schema(value_type = String, example = "US")]
    pub country: CountryCode,
}

// Addresses stay out of logs.
impl std::fmt::Debug for PostalAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostalAddress({})", self.country)
    }
}

impl PostalAddress {
    /// Checks `input` against its country's rules; the country must be one of `shipping`
    /// (the venue's). The first problem names its field (`address.postalCode`).
    pub fn parse(input: &AddressInput, shipping: &[CountryCode]) -> Result<Self, Invalid> {
        let country = match text(input.country.as_deref()) {
            None => return Err(Invalid::new("address.country", "choose a country")),
            Some(raw) => CountryCode::parse(raw)
                .ok()
                .filter(|c| shipping.contains(c))
                .ok_or_else(|| {
                    Invalid::new(
                        "address.country",
                        format!("tickets are not posted to '{raw}'"),
                    )
                })?,
        };
        let rules = &RULES[country.as_str()];
        let format = &rules.format;
        let required = |field: &str| format.required.iter().any(|f| f == field);
        let upper = |field: &str, value: &str| {
            if format.upper.iter().any(|f| f == field) {
                value.to_uppercase()
            } else {
                value.to_owned()
            }
        };

        let name = text(input.name.as_deref())
            .ok_or_else(|| Invalid::new("address.name", "enter the recipient's name"))?;
        limit("address.name", name, MAX_NAME)?;
        let line1 = text(input.line1.as_deref())
            .ok_or_else(|| Invalid::new("address.line1", "enter the street address"))?;
        limit("address.line1", line1, MAX_LINE)?;
        let line2 = text(input.line2.as_deref());
        if let Some(line2) = line2 {
            limit("address.line2", line2, MAX_LINE)?;
        }

        let city = text(input.city.as_deref());
        let city = match city {
            Some(city) => {
                limit("address.city", city, MAX_PLACE)?;
                upper("city", city)
            }
            None if required("city") => {
                return Err(Invalid::new(
                    "address.city",
                    format!("enter the {}", format.city_label.to_lowercase()),
                ));
            }
            None => String::new(),
        };

        let region = match text(input.region.as_deref()) {
            Some(region) => {
                limit("address.region", region, MAX_PLACE)?;
                if format.regions.is_empty() {
                    Some(upper("region", region))
                } else {
                    let listed = format
                        .regions
                        .iter()
                        .find(|r| r.eq_ignore_ascii_case(region))
                        .ok_or_else(|| {
                            Invalid::new(
                                "address.region",
                                format!(
                                    "'{region}' is not a {} of {}",
                                    format.region_label.to_lowercase(),
                                    format.name
                                ),
                            )
                        })?;
                    Some(listed.clone())
                }
            }
            None if required("region") => {
                return Err(Invalid::new(
                    "address.region",
                    format!("choose the {}", format.region_label.to_lowercase()),
                ));
            }
            None => None,
        };

        // Every listed country gets a postcode: the letter's address block needs it.
        let postal_code = text(input.postal_code.as_deref()).ok_or_else(|| {
            Invalid::new(
                "address.postalCode",
                format!("enter the {}", format.postal_code_label.to_lowercase()),
            )
        })?;
        let postal_code = upper("postalCode", postal_code);
        if !rules.postal_code.is_match(&postal_code) {
            return Err(Invalid::new(
                "address.postalCode",
                format!(
                    "'{postal_code}' is not a {} of {} (like {})",
                    format.postal_code_label.to_lowercase(),
                    format.name,
                    format.postal_code_example
                ),
            ));
        }

        Ok(Self {
            name: name.to_owned(),
            line1: line1.to_owned(),
            line2: line2.map(str::to_owned),
            city,
            region,
            postal_code,
            country,
        })
    }

    /// The lines of the address block, as written on an envelope (the country's name last,
    /// in capitals, for mail crossing a border).
    pub fn lines(&self) -> Vec<String> {
        let format = self.country.format();
        let mut lines = vec![self.name.clone(), self.line1.clone()];
        lines.extend(self.line2.clone());
        let place = match self.country.as_str() {
            // City, STATE ZIP.
            "US" | "CA" | "AU" => format!(
                "{} {} {}",
                self.city,
                self.region.as_deref().unwrap_or_default(),
                self.postal_code
            )
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
            // Post town, then the postcode on its own line.
            "GB" | "IE" => {
                let mut place = self.city.clone();
                if let Some(region) = &self.region {
                    place = format!("{place}\n{region}");
                }
                format!("{place}\n{}", self.postal_code)
            }
            // City, postcode.
            "NZ" => format!("{} {}", self.city, self.postal_code),
            // Postcode City (most of Europe); Italy adds the province.
            _ => {
                let mut place = format!("{} {}", self.postal_code, self.city);
                if let Some(region) = &self.region {
                    place = format!("{place} {region}");
                }
                place
            }
        };
        lines.extend(place.split('\n').map(str::to_owned));
        lines.push(format.name.to_uppercase());
        lines
    }
}

fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn limit(field: &'static str, value: &str, most: usize) -> Result<(), Invalid> {
    if value.chars().count() > most {
        return Err(Invalid::new(field, format!("at most {most} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must be one line of text"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
