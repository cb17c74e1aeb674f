//! Timestamps on the wire: RFC 3339, UTC, microsecond precision (`2026-11-21T10:00:00.123456Z`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Formats a timestamp the way the wire contract fixes it.
pub fn format(ts: &DateTime<Utc>) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses any RFC 3339 timestamp (other producers may send other precisions or offsets).
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|ts| ts.with_timezone(&Utc))
}

/// `#[serde(with = "trace_model::time::required")]` for `DateTime<Utc>` fields.
pub mod required {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(ts))
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
            Some(ts) => s.serialize_str(&format(ts)),
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

    #[test]
    fn parses_offsets_into_utc() {
        let ts = parse("2026-11-21T12:00:00.5+02:00").map(|t| format(&t));
        assert_eq!(ts.as_deref(), Ok("2026-11-21T10:00:00.500000Z"));
    }
}
