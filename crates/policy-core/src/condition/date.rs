//! Date operators (S-COND-3): W3C ISO 8601 dates and date-times (`2020-01-01`,
//! `2020-01-01T00:00:00Z`, with fractional seconds or an offset), or epoch seconds.
//! No wildcards; a value that does not parse matches nothing.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::Cmp;

/// Milliseconds since the epoch.
pub(crate) fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    // W3C ISO 8601 profile: `YYYY` and `YYYY-MM` are dates too (a bare year is not
    // read as epoch seconds).
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        return parse(&format!("{s}-01-01"));
    }
    if s.len() == 7 && s.as_bytes().get(4) == Some(&b'-') {
        if let Some(d) = parse(&format!("{s}-01")) {
            return Some(d);
        }
    }
    if !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.contains("--")
        && s.matches('-').count() <= 1
    {
        if let Ok(secs) = s.parse::<f64>() {
            return Some((secs * 1000.0) as i64);
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp_millis());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%MZ",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp_millis())
}

pub(crate) fn compile(raw: &[String]) -> Vec<Option<i64>> {
    raw.iter().map(|s| parse(s)).collect()
}

pub(crate) fn any_match(cmp: Cmp, vals: &[Option<i64>], v: &str) -> bool {
    let Some(x) = parse(v) else { return false };
    vals.iter().flatten().any(|p| cmp.holds(x.cmp(p)))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_iso_and_epoch() {
        let day = parse("2020-01-01").unwrap();
        assert_eq!(parse("2020-01-01T00:00:00Z"), Some(day));
        assert_eq!(parse("2020-01-01T01:00:00+01:00"), Some(day));
        assert_eq!(parse("1577836800"), Some(day));
        assert_eq!(parse("2020-01-01T00:00:00.000Z"), Some(day));
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2020"), Some(day));
        assert_eq!(parse("2020-01"), Some(day));
    }
}
