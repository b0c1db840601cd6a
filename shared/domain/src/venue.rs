//! A venue's settings: what the public site shows and the limits its sales obey.

use crate::{Email, Invalid};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub const DEFAULT_HOLD_SECONDS: u32 = 600;
/// A hold's expiry message rides one SQS delay, which is at most 15 minutes. Very short
/// holds suit flash sales (and tests); the default is ten minutes.
pub const HOLD_SECONDS_RANGE: std::ops::RangeInclusive<u32> = 10..=900;
/// How long the box office may keep a reservation unpaid, at most (hours).
pub const DEFAULT_RESERVE_HOURS: u32 = 72;
/// A venue may let reservations run up to a month.
pub const RESERVE_HOURS_RANGE: std::ops::RangeInclusive<u32> = 1..=744;
/// How long a payment link emailed for a phone order keeps the seats (hours).
pub const DEFAULT_PAYMENT_LINK_HOURS: u32 = 24;
/// At least an hour (longer than a queue delay can be, so the sweep releases it), at most a week.
pub const PAYMENT_LINK_HOURS_RANGE: std::ops::RangeInclusive<u32> = 1..=168;
pub const DEFAULT_MAX_TICKETS: u32 = 10;
/// At most 30 tickets per order: checkout extends every hold and its seat in one DynamoDB
/// transaction (at most 100 items), and the sale sells them in another.
pub const MAX_TICKETS_RANGE: std::ops::RangeInclusive<u32> = 1..=30;

/// An IANA timezone such as `Europe/London`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        chrono_tz::Tz::from_str(value.trim())
            .map(Self)
            .map_err(|_| {
                Invalid::new(
                    "timezone",
                    format!("'{value}' is not an IANA timezone such as Europe/London"),
                )
            })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// The same time on the clock in this zone `days` calendar days after `at` (a run
    /// moved to next season stays at 19:30 whether or not the clocks changed in between).
    /// `None` when that time does not exist that day (the clocks go forward over it); the
    /// earlier of two when it happens twice.
    pub fn same_time_days_later(
        self,
        at: chrono::DateTime<chrono::Utc>,
        days: u32,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::TimeZone;
        let local = at.with_timezone(&self.0).naive_local();
        let later = local.checked_add_days(chrono::Days::new(u64::from(days)))?;
        self.0
            .from_local_datetime(&later)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
    }
}

/// An ISO 4217 currency Marquee can charge in (Stripe's common settlement currencies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(usize);

/// (code, digits after the decimal point)
const CURRENCIES: &[(&str, u8)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("CHF", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("MXN", 2),
    ("BRL", 2),
    ("SGD", 2),
    ("HKD", 2),
    ("ZAR", 2),
    ("JPY", 0),
    ("KRW", 0),
];

impl Currency {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let upper = value.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .position(|(code, _)| *code == upper)
            .map(Self)
            .ok_or_else(|| {
                Invalid::new(
                    "currency",
                    format!("'{value}' is not a supported ISO 4217 currency"),
                )
            })
    }

    pub fn code(self) -> &'static str {
        CURRENCIES[self.0].0
    }

    /// Digits after the decimal point: amounts are stored in these minor units.
    pub fn minor_digits(self) -> u8 {
        CURRENCIES[self.0].1
    }
}

/// A colour as `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HexColour(String);

impl HexColour {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let v = value.trim().to_ascii_lowercase();
        let ok =
            v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(Self(v))
        } else {
            Err(Invalid::new(
                "colour",
                format!("'{value}' is not a colour like #1a2b3c"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `https` URL (or `http` on localhost, for local development).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let v = value.trim();
        let rest = v.strip_prefix("https://").or_else(|| {
            v.strip_prefix("http://")
                .filter(|r| r.starts_with("localhost") || r.contains(".localhost"))
        });
        let ok = rest.is_some_and(|r| {
            !r.is_empty() && !r.contains(char::is_whitespace) && !r.contains(['<', '>', '"', '\''])
        }) && v.len() <= 2048;
        if ok {
            Ok(Self(v.to_owned()))
        } else {
            Err(Invalid::new("logoUrl", "must be an https URL"))
        }
    }
}

macro_rules! into_string {
    ($($t:ty),*) => {$(
        impl TryFrom<String> for $t {
            type Error = Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
    )*};
}
into_string!(Timezone, Currency, HexColour, WebUrl);

impl From<Timezone> for String {
    fn from(v: Timezone) -> Self {
        v.0.name().to_owned()
    }
}
impl From<Currency> for String {
    fn from(v: Currency) -> Self {
        v.code().to_owned()
    }
}
impl From<HexColour> for String {
    fn from(v: HexColour) -> Self {
        v.0
    }
}
impl From<WebUrl> for String {
    fn from(v: WebUrl) -> Self {
        v.0
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    pub primary_colour: HexColour,
    pub accent_colour: HexColour,
    pub logo_url: Option<WebUrl>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            primary_colour: HexColour("#5b2a86".into()),
            accent_colour: HexColour("#f2a541".into()),
            logo_url: None,
        }
    }
}

/// Everything a venue can set about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VenueSettings {
    pub name: String,
    pub timezone: Timezone,
    pub currency: Currency,
    pub hold_seconds: u32,
    pub max_tickets_per_order: u32,
    /// Where replies to the venue's mail go; mail itself is sent from the platform domain.
    pub email_sender: Option<Email>,
    pub branding: Branding,
    /// Tickets posted to patrons: whether, for how much, until when, where, and by whom.
    #[serde(default)]
    pub mail: MailSettings,
    /// The longest a box office reservation may stay unpaid (hours).
    #[serde(default = "default_reserve_hours")]
    pub reserve_hours: u32,
    /// How long an emailed payment link keeps the seats (hours).
    #[serde(default = "default_payment_link_hours")]
    pub payment_link_hours: u32,
    /// Staff may key in cards for phone orders (mail/telephone order): only once Stripe has
    /// enabled MOTO on the venue's account, or 3-D Secure challenges would reach the clerk.
    #[serde(default)]
    pub moto_enabled: bool,
}

fn default_reserve_hours() -> u32 {
    DEFAULT_RESERVE_HOURS
}

fn default_payment_link_hours() -> u32 {
    DEFAULT_PAYMENT_LINK_HOURS
}

/// Who prints and posts mailed tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// The box office prints, labels and posts them (the to-post list).
    #[default]
    InHouse,
    /// A print-and-mail provider prints and posts them (Lob's letters).
    Provider,
}

/// The default last day for mailing: a week before the performance.
pub const DEFAULT_MAIL_CUTOFF_DAYS: u32 = 7;
/// Mail may close up to 90 days before a performance.
pub const MAIL_CUTOFF_DAYS_RANGE: std::ops::RangeInclusive<u32> = 0..=90;

/// A venue's mailed tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailSettings {
    /// Patrons and clerks may choose `delivery: "mail"`.
    pub enabled: bool,
    /// Added to a mailed order as its own line of the totals (minor units).
    #[schema(minimum = 0, maximum = 99_999_999)]
    pub fee: i64,
    /// Mail closes this many days before the (earliest) performance of the order.
    #[schema(minimum = 0, maximum = 90)]
    pub cutoff_days: u32,
    /// ISO 3166-1 alpha-2 codes of the countries tickets are posted to.
    #[schema(value_type = Vec<String>)]
    pub countries: Vec<crate::postal::CountryCode>,
    pub fulfilment: Fulfilment,
    /// Where undeliverable letters go back to (the print-and-mail provider needs one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_address: Option<crate::postal::PostalAddress>,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            fee: 0,
            cutoff_days: DEFAULT_MAIL_CUTOFF_DAYS,
            countries: Vec::new(),
            fulfilment: Fulfilment::InHouse,
            return_address: None,
        }
    }
}

impl MailSettings {
    /// When mail closes for a performance starting at `starts_at`.
    pub fn closes_at(
        &self,
        starts_at: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        starts_at - chrono::Duration::days(i64::from(self.cutoff_days))
    }
}

/// A change to the mail settings; only the fields sent change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MailSettingsUpdate {
    pub enabled: Option<bool>,
    /// Minor units, 0 to 99,999,999.
    #[schema(minimum = 0, maximum = 99_999_999)]
    pub fee: Option<i64>,
    /// 0 to 90.
    #[schema(minimum = 0, maximum = 90)]
    pub cutoff_days: Option<u32>,
    /// ISO 3166-1 alpha-2 codes, each in the address data (`GET /api/v1/address-formats`).
    pub countries: Option<Vec<String>>,
    pub fulfilment: Option<Fulfilment>,
    /// The venue's own address, for returned letters; required to post through the provider.
    pub return_address: Option<crate::postal::AddressInput>,
}

impl MailSettingsUpdate {
    pub fn apply(self, current: &MailSettings) -> Result<MailSettings, Invalid> {
        let mut next = current.clone();
        if let Some(enabled) = self.enabled {
            next.enabled = enabled;
        }
        if let Some(fee) = self.fee {
            if !(0..=crate::pricing::MAX_AMOUNT).contains(&fee) {
                return Err(Invalid::new("mail.fee", "0 to 99999999 minor units"));
            }
            next.fee = fee;
        }
        if let Some(days) = self.cutoff_days {
            if !MAIL_CUTOFF_DAYS_RANGE.contains(&days) {
                return Err(Invalid::new("mail.cutoffDays", "0 to 90 days"));
            }
            next.cutoff_days = days;
        }
        if let Some(countries) = self.countries {
            let mut parsed = Vec::with_capacity(countries.len());
            for code in &countries {
                let code = crate::postal::CountryCode::parse(code)
                    .map_err(|e| Invalid::new("mail.countries", e.message))?;
                if !parsed.contains(&code) {
                    parsed.push(code);
                }
            }
            next.countries = parsed;
        }
        if let Some(fulfilment) = self.fulfilment {
            next.fulfilment = fulfilment;
        }
        if let Some(input) = self.return_address {
            let anywhere: Vec<crate::postal::CountryCode> = crate::postal::known_countries()
                .filter_map(|c| crate::postal::CountryCode::parse(c).ok())
                .collect();
            next.return_address = Some(
                crate::postal::PostalAddress::parse(&input, &anywhere).map_err(|e| {
                    Invalid::new(
                        "mail.returnAddress",
                        format!("{}: {}", e.field.trim_start_matches("address."), e.message),
                    )
                })?,
            );
        }
        if next.enabled && next.fulfilment == Fulfilment::Provider && next.return_address.is_none()
        {
            return Err(Invalid::new(
                "mail.returnAddress",
                "the print-and-mail provider needs the venue's return address",
            ));
        }
        if next.enabled && next.countries.is_empty() {
            return Err(Invalid::new(
                "mail.countries",
                "list at least one country to post tickets to",
            ));
        }
        Ok(next)
    }
}

impl VenueSettings {
    pub fn new(name: &str, timezone: Timezone, currency: Currency) -> Result<Self, Invalid> {
        Ok(Self {
            name: crate::names::parse_display_name(name)?,
            timezone,
            currency,
            hold_seconds: DEFAULT_HOLD_SECONDS,
            max_tickets_per_order: DEFAULT_MAX_TICKETS,
            email_sender: None,
            branding: Branding::default(),
            mail: MailSettings::default(),
            reserve_hours: DEFAULT_RESERVE_HOURS,
            payment_link_hours: DEFAULT_PAYMENT_LINK_HOURS,
            moto_enabled: false,
        })
    }
}

/// A partial change to the settings, as typed by staff. Every field is optional;
/// `apply` checks each one given and returns the new settings, or the first problem.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VenueSettingsUpdate {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
    /// Seconds a hold lasts: 10 to 900 (`HOLD_SECONDS_RANGE`).
    #[schema(minimum = 10, maximum = 900)]
    pub hold_seconds: Option<u32>,
    /// 1 to 30 (`MAX_TICKETS_RANGE`).
    #[schema(minimum = 1, maximum = 30)]
    pub max_tickets_per_order: Option<u32>,
    /// An email address, or an empty string to clear it.
    pub email_sender: Option<String>,
    pub primary_colour: Option<String>,
    pub accent_colour: Option<String>,
    /// A URL, or an empty string to clear it.
    pub logo_url: Option<String>,
    /// Mailed tickets; only the fields sent change.
    pub mail: Option<MailSettingsUpdate>,
    /// The longest a reservation may stay unpaid: 1 to 744 hours (`RESERVE_HOURS_RANGE`).
    #[schema(minimum = 1, maximum = 744)]
    pub reserve_hours: Option<u32>,
    /// How long an emailed payment link keeps the seats: 1 to 168 hours.
    #[schema(minimum = 1, maximum = 168)]
    pub payment_link_hours: Option<u32>,
    /// Card details keyed in by staff for phone orders: turn on only once Stripe has enabled
    /// MOTO payments on the venue's account.
    pub moto_enabled: Option<bool>,
}

impl VenueSettingsUpdate {
    pub fn apply(self, current: &VenueSettings) -> Result<VenueSettings, Invalid> {
        let mut next = current.clone();
        if let Some(name) = self.name {
            next.name = crate::names::parse_display_name(&name)?;
        }
        if let Some(tz) = self.timezone {
            next.timezone = Timezone::parse(&tz)?;
        }
        if let Some(currency) = self.currency {
            next.currency = Currency::parse(&currency)?;
        }
        if let Some(seconds) = self.hold_seconds {
            if !HOLD_SECONDS_RANGE.contains(&seconds) {
                return Err(Invalid::new("holdSeconds", "must be between 10 and 900"));
            }
            next.hold_seconds = seconds;
        }
        if let Some(max) = self.max_tickets_per_order {
            if !MAX_TICKETS_RANGE.contains(&max) {
                return Err(Invalid::new(
                    "maxTicketsPerOrder",
                    "must be between 1 and 30",
                ));
            }
            next.max_tickets_per_order = max;
        }
        if let Some(hours) = self.reserve_hours {
            if !RESERVE_HOURS_RANGE.contains(&hours) {
                return Err(Invalid::new("reserveHours", "must be between 1 and 744"));
            }
            next.reserve_hours = hours;
        }
        if let Some(hours) = self.payment_link_hours {
            if !PAYMENT_LINK_HOURS_RANGE.contains(&hours) {
                return Err(Invalid::new(
                    "paymentLinkHours",
                    "must be between 1 and 168",
                ));
            }
            next.payment_link_hours = hours;
        }
        if let Some(moto) = self.moto_enabled {
            next.moto_enabled = moto;
        }
        if let Some(sender) = self.email_sender {
            next.email_sender = if sender.trim().is_empty() {
                None
            } else {
                Some(Email::parse(&sender).map_err(|e| Invalid::new("emailSender", e.message))?)
            };
        }
        if let Some(colour) = self.primary_colour {
            next.branding.primary_colour =
                HexColour::parse(&colour).map_err(|e| Invalid::new("primaryColour", e.message))?;
        }
        if let Some(colour) = self.accent_colour {
            next.branding.accent_colour =
                HexColour::parse(&colour).map_err(|e| Invalid::new("accentColour", e.message))?;
        }
        if let Some(url) = self.logo_url {
            next.branding.logo_url = if url.trim().is_empty() {
                None
            } else {
                Some(WebUrl::parse(&url)?)
            };
        }
        if let Some(mail) = self.mail {
            next.mail = mail.apply(&next.mail)?;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_later_keeps_the_time_on_the_clock_across_a_change_of_clocks() {
        use chrono::TimeZone;
        let ny = Timezone::parse("America/New_York").unwrap();
        // Friday 12 March 2027, 19:30 EST; a week later the clocks have gone forward.
        let before = chrono::Utc.with_ymd_and_hms(2027, 3, 13, 0, 30, 0).unwrap();
        let week_on = ny.same_time_days_later(before, 7).unwrap();
        assert_eq!(
            week_on,
            chrono::Utc
                .with_ymd_and_hms(2027, 3, 19, 23, 30, 0)
                .unwrap(),
            "19:30 EDT"
        );
        // 02:30 on the day the clocks skip it does not exist.
        let early = chrono::Utc.with_ymd_and_hms(2027, 3, 7, 7, 30, 0).unwrap(); // 02:30 EST
        assert_eq!(ny.same_time_days_later(early, 7), None);
    }

    fn settings() -> VenueSettings {
        VenueSettings::new(
            "Grand Opera",
            Timezone::parse("Europe/Paris").unwrap(),
            Currency::parse("eur").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn timezones_are_iana_names() {
        assert!(Timezone::parse("America/New_York").is_ok());
        assert!(Timezone::parse("Mars/Olympus_Mons").is_err());
        assert!(Timezone::parse("EST5EDT ; drop").is_err());
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::parse("usd").unwrap().minor_digits(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().minor_digits(), 0);
        assert!(Currency::parse("XYZ").is_err());
    }

    #[test]
    fn update_changes_only_given_fields() {
        let update = VenueSettingsUpdate {
            hold_seconds: Some(300),
            primary_colour: Some("#AABBCC".into()),
            ..Default::default()
        };
        let next = update.apply(&settings()).unwrap();
        assert_eq!(next.hold_seconds, 300);
        assert_eq!(
            String::from(next.branding.primary_colour.clone()),
            "#aabbcc"
        );
        assert_eq!(next.name, "Grand Opera");
    }

    #[test]
    fn update_names_the_bad_field() {
        let cases = [
            (
                VenueSettingsUpdate {
                    timezone: Some("Nowhere/City".into()),
                    ..Default::default()
                },
                "timezone",
            ),
            (
                VenueSettingsUpdate {
                    hold_seconds: Some(5),
                    ..Default::default()
                },
                "holdSeconds",
            ),
            (
                VenueSettingsUpdate {
                    max_tickets_per_order: Some(0),
                    ..Default::default()
                },
                "maxTicketsPerOrder",
            ),
            (
                VenueSettingsUpdate {
                    email_sender: Some("nope".into()),
                    ..Default::default()
                },
                "emailSender",
            ),
            (
                VenueSettingsUpdate {
                    logo_url: Some("javascript:alert(1)".into()),
                    ..Default::default()
                },
                "logoUrl",
            ),
            (
                VenueSettingsUpdate {
                    name: Some(" ".into()),
                    ..Default::default()
                },
                "name",
            ),
        ];
        for (update, field) in cases {
            assert_eq!(update.apply(&settings()).unwrap_err().field, field);
        }
    }

    #[test]
    fn settings_round_trip_as_json() {
        let json = serde_json::to_value(settings()).unwrap();
        assert_eq!(json["timezone"], "Europe/Paris");
        assert_eq!(json["currency"], "EUR");
        let back: VenueSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings());
    }
}
