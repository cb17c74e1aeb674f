//! Timestamps on the wire: RFC 3339, UTC, microsecond precision (`2026-11-21T10:00:00.123456Z`).

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Formats a timestamp the way the wire contract fixes it: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn format(ts: &DateTime<Utc>) -> String {
    with_formatted(ts, str::to_owned)
}

/// Hands `ts`, formatted as [`format`] does, to `f`. Years 0 to 9999 outside a leap second are written digit by digit
/// into a buffer on the stack, the rest by chrono (`to_rfc3339_opts(Micros, true)`), whose output the fast path
/// matches (tested): chrono's formatter took about 800 instructions a timestamp, four a span on ingest
/// (docs/benchmarks.md).
fn with_formatted<R>(ts: &DateTime<Utc>, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = *b"0000-00-00T00:00:00.000000Z";
    match write_digits(ts, &mut buf) {
        Some(text) => f(text),
        None => f(&ts.to_rfc3339_opts(SecondsFormat::Micros, true)),
    }
}

fn write_digits<'a>(ts: &DateTime<Utc>, buf: &'a mut [u8; 27]) -> Option<&'a str> {
    let year = u32::try_from(ts.year()).ok().filter(|year| *year <= 9999)?;
    let nanos = ts.nanosecond();
    // chrono keeps a leap second as a second nanosecond count.
    if nanos >= 1_000_000_000 {
        return None;
    }
    for (at, width, value) in [
        (0, 4, year),
        (5, 2, ts.month()),
        (8, 2, ts.day()),
        (11, 2, ts.hour()),
        (14, 2, ts.minute()),
        (17, 2, ts.second()),
        (20, 6, nanos / 1000),
    ] {
        let mut value = value;
        for digit in buf[at..at + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    std::str::from_utf8(buf).ok()
}

/// Parses any RFC 3339 timestamp (other producers may send other precisions or offsets).
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|ts| ts.with_timezone(&Utc))
}

/// `#[serde(with = "trace_model::time::required")]` for `DateTime<Utc>` fields.
pub mod required {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        with_formatted(ts, |text| s.serialize_str(text))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "trace_model::time::optional")]` for `Option<DateTime<Utc>>` fields.
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => with_formatted(ts, |text| s.serialize_str(text)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_with_microseconds_and_z() {
        let ts = Utc.timestamp_opt(1_700_000_000, 123_456_789).single();
        assert_eq!(ts.map(|t| format(&t)).as_deref(), Some("2023-11-14T22:13:20.123456Z"));
    }

    /// The digits written by hand are chrono's, over the years 1 to 9999 (a spread of instants with every kind of
    /// nanosecond count) and at the edges; a leap second and years past 9999 or before 0 go to chrono itself.
    #[test]
    fn the_fast_path_writes_what_chrono_writes() {
        let chrono = |ts: &DateTime<Utc>| ts.to_rfc3339_opts(SecondsFormat::Micros, true);
        let first = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or_default();
        let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single().map(|t| t.timestamp()).unwrap_or_default();
        let span = u64::try_from(last - first).unwrap_or_default();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut instants: Vec<DateTime<Utc>> = (0..20_000)
            .filter_map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let seconds = first + i64::try_from((seed >> 11) % (span + 1)).unwrap_or_default();
                let nanos = u32::try_from((seed >> 3) % 1_000_000_000).unwrap_or_default();
                Utc.timestamp_opt(seconds, nanos).single()
            })
            .collect();
        instants.extend(
            [(0, 0), (0, 999_999_999), (0, 1_000), (0, 999), (first, 0), (last, 999_999_999), (1_780_000_000, 500)]
                .into_iter()
                .filter_map(|(seconds, nanos)| Utc.timestamp_opt(seconds, nanos).single()),
        );
        for ts in &instants {
            assert_eq!(format(ts), chrono(ts), "{ts:?}");
        }
        // Beyond the digits: a leap second, a year before 0 and one past 9999 are chrono's own.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|t| t.and_utc());
        let far =
            [Utc.with_ymd_and_hms(-1, 6, 1, 0, 0, 0).single(), Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).single()];
        for ts in [leap].into_iter().chain(far).flatten() {
            assert_eq!(format(&ts), chrono(&ts), "{ts:?}");
        }
        assert_eq!(leap.map(|t| format(&t)).as_deref(), Some("2016-12-31T23:59:60.500000Z"));
    }

    #[test]
    fn parses_offsets_into_utc() {
        let ts = parse("2026-11-21T12:00:00.5+02:00").map(|t| format(&t));
        assert_eq!(ts.as_deref(), Ok("2026-11-21T10:00:00.500000Z"));
    }
}
