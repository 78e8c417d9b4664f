//! `…DateTimeUtc` fields: ISO-8601 strings in UTC, as the sample code shows
//! (`"2022-04-01T06:00:00.000Z"`).
//!
//! An ASP.NET backend may drop the `Z` for a `DateTime` of unspecified kind; the field name
//! promises UTC, so such a value is read as UTC.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// `null` or missing → `None`; a parseable string → `Some`; anything else is an error.
pub(super) fn optional<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };

    parse(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom("a …DateTimeUtc field is not an ISO-8601 time"))
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();

    if let Ok(zoned) = DateTime::parse_from_rfc3339(text) {
        return Some(zoned.with_timezone(&Utc));
    }

    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_zoned_and_unzoned_times_as_utc() {
        let expected = "2022-04-01T06:00:00Z";

        for text in [
            "2022-04-01T06:00:00.000Z",
            "2022-04-01T08:00:00+02:00",
            "2022-04-01T06:00:00",
            "2022-04-01T06:00:00.0000000",
        ] {
            let parsed = parse(text).expect("valid time");
            assert_eq!(
                parsed.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                expected
            );
        }

        assert!(parse("yesterday").is_none());
        assert!(parse("2022-04-01").is_none());
    }
}
