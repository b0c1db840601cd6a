//! A run of performances ("Tue–Sat 19:30, Sun 14:00, from … to …"), in the venue's timezone.
//! The local times are kept across daylight-saving changes: 19:30 stays 19:30 on the wall
//! clock, whatever the UTC instant. A time the clocks skip (02:30 when they go forward) is
//! refused with the date named; a time that happens twice (01:30 when they go back) is the
//! first of the two.

use crate::Invalid;
use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::Deserialize;

/// Performances one series may create (they are written in one transaction).
pub const MAX_SERIES_PERFORMANCES: usize = 100;
/// The longest range of dates, in days.
pub const MAX_SERIES_DAYS: i64 = 366;
/// Times per series (e.g. one per kind of day).
pub const MAX_SERIES_TIMES: usize = 14;

/// A day of the week as the API writes it: `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "tue")]
pub struct Day(pub Weekday);

impl TryFrom<String> for Day {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let day = match value.as_str() {
            "mon" => Weekday::Mon,
            "tue" => Weekday::Tue,
            "wed" => Weekday::Wed,
            "thu" => Weekday::Thu,
            "fri" => Weekday::Fri,
            "sat" => Weekday::Sat,
            "sun" => Weekday::Sun,
            _ => return Err(format!("'{value}' is not a day: use mon, tue, … sun")),
        };
        Ok(Self(day))
    }
}

/// A wall-clock time as the API writes it: `HH:MM`, 24-hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "19:30")]
pub struct ClockTime(pub NaiveTime);

impl TryFrom<String> for ClockTime {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        NaiveTime::parse_from_str(&value, "%H:%M")
            .map(Self)
            .map_err(|_| format!("'{value}' is not a time such as 19:30"))
    }
}

/// On these days, at this time.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeriesTime {
    pub days: Vec<Day>,
    pub at: ClockTime,
}

/// The start of every performance of the series, in order: each date from `from` to `to`
/// (both included) whose weekday a time names, at that local time in `tz`.
pub fn series_starts(
    from: NaiveDate,
    to: NaiveDate,
    times: &[SeriesTime],
    tz: chrono_tz::Tz,
) -> Result<Vec<DateTime<Utc>>, Invalid> {
    if to < from {
        return Err(Invalid::new("to", "must be on or after from"));
    }
    if (to - from).num_days() >= MAX_SERIES_DAYS {
        return Err(Invalid::new(
            "to",
            format!("a series spans at most {MAX_SERIES_DAYS} days"),
        ));
    }
    if times.is_empty() || times.len() > MAX_SERIES_TIMES {
        return Err(Invalid::new(
            "times",
            format!("give 1 to {MAX_SERIES_TIMES} times"),
        ));
    }
    if times.iter().any(|t| t.days.is_empty()) {
        return Err(Invalid::new("times", "every time needs at least one day"));
    }
    let mut starts = Vec::new();
    for date in from.iter_days().take_while(|d| *d <= to) {
        let mut ats: Vec<NaiveTime> = times
            .iter()
            .filter(|t| t.days.iter().any(|d| d.0 == date.weekday()))
            .map(|t| t.at.0)
            .collect();
        ats.sort_unstable();
        ats.dedup();
        for at in ats {
            let start = match tz.from_local_datetime(&date.and_time(at)) {
                LocalResult::Single(start) => start,
                LocalResult::Ambiguous(first, _) => first,
                LocalResult::None => {
                    return Err(Invalid::new(
                        "times",
                        format!(
                            "{} does not exist on {date} in {} (the clocks go forward)",
                            at.format("%H:%M"),
                            tz.name()
                        ),
                    ));
                }
            };
            starts.push(start.with_timezone(&Utc));
            if starts.len() > MAX_SERIES_PERFORMANCES {
                return Err(Invalid::new(
                    "to",
                    format!(
                        "a series creates at most {MAX_SERIES_PERFORMANCES} performances; split it"
                    ),
                ));
            }
        }
    }
    if starts.is_empty() {
        return Err(Invalid::new(
            "times",
            "no performance falls between from and to on those days",
        ));
    }
    Ok(starts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono_tz::America::New_York;
    use serde_json::json;

    fn times(value: serde_json::Value) -> Vec<SeriesTime> {
        serde_json::from_value(value).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn evening_shows_keep_their_wall_clock_time_when_the_clocks_go_forward() {
        // 2027-03-14 (a Sunday) is the change in New York: EST (−5) before, EDT (−4) after.
        let run = times(json!([
            { "days": ["tue", "wed", "thu", "fri", "sat"], "at": "19:30" },
            { "days": ["sun"], "at": "14:00" }
        ]));
        let starts = series_starts(date("2027-03-12"), date("2027-03-17"), &run, New_York).unwrap();
        assert_eq!(
            starts,
            [
                utc("2027-03-13T00:30:00Z"), // Fri 19:30 EST
                utc("2027-03-14T00:30:00Z"), // Sat 19:30 EST
                utc("2027-03-14T18:00:00Z"), // Sun 14:00 EDT
                utc("2027-03-16T23:30:00Z"), // Tue 19:30 EDT
                utc("2027-03-17T23:30:00Z"), // Wed 19:30 EDT
            ]
        );
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first() {
        let skipped = times(json!([{ "days": ["sun"], "at": "02:30" }]));
        let refused =
            series_starts(date("2027-03-14"), date("2027-03-14"), &skipped, New_York).unwrap_err();
        assert_eq!(refused.field, "times");
        assert!(
            refused.message.contains("2027-03-14"),
            "{}",
            refused.message
        );
        let repeated = times(json!([{ "days": ["sun"], "at": "01:30" }]));
        let starts =
            series_starts(date("2027-11-07"), date("2027-11-07"), &repeated, New_York).unwrap();
        assert_eq!(
            starts,
            [utc("2027-11-07T05:30:00Z")],
            "01:30 EDT, the first"
        );
    }

    #[test]
    fn two_times_on_one_day_are_in_order_and_a_repeated_time_counts_once() {
        let run = times(json!([
            { "days": ["sat"], "at": "19:30" },
            { "days": ["sat", "sun"], "at": "14:00" },
            { "days": ["sat"], "at": "14:00" }
        ]));
        let starts = series_starts(
            date("2027-06-05"),
            date("2027-06-06"),
            &run,
            chrono_tz::Europe::London,
        )
        .unwrap();
        assert_eq!(
            starts,
            [
                utc("2027-06-05T13:00:00Z"),
                utc("2027-06-05T18:30:00Z"),
                utc("2027-06-06T13:00:00Z"),
            ]
        );
    }

    #[test]
    fn bad_ranges_and_times_are_refused_with_their_field() {
        let daily =
            times(json!([{ "days": ["mon","tue","wed","thu","fri","sat","sun"], "at": "19:00" }]));
        let field = |from: &str, to: &str, t: &[SeriesTime]| {
            series_starts(date(from), date(to), t, New_York)
                .unwrap_err()
                .field
        };
        assert_eq!(field("2027-05-02", "2027-05-01", &daily), "to");
        assert_eq!(
            field("2027-01-01", "2028-01-02", &daily),
            "to",
            "over 366 days"
        );
        assert_eq!(
            field("2027-01-01", "2027-05-01", &daily),
            "to",
            "over 100 performances"
        );
        assert_eq!(field("2027-01-01", "2027-01-02", &[]), "times");
        let no_days = times(json!([{ "days": [], "at": "19:00" }]));
        assert_eq!(field("2027-01-01", "2027-01-02", &no_days), "times");
        let mondays = times(json!([{ "days": ["mon"], "at": "19:00" }]));
        assert_eq!(
            field("2027-01-05", "2027-01-09", &mondays),
            "times",
            "no Monday in the range"
        );
        assert!(
            serde_json::from_value::<Vec<SeriesTime>>(
                json!([{ "days": ["monday"], "at": "19:00" }])
            )
            .is_err()
        );
        assert!(
            serde_json::from_value::<Vec<SeriesTime>>(json!([{ "days": ["mon"], "at": "7pm" }]))
                .is_err()
        );
    }
}
