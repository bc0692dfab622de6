//! Date operators (S-COND-3): W3C ISO 8601 dates and date-times (`2020-01-01`,
//! `2020-01-01T00:00:00Z`, with fractional seconds or an offset), or epoch seconds.
//! No wildcards; a value that does not parse matches nothing.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::Cmp;

/// Milliseconds since the epoch.
pub(crate) fn parse(s: &str) -> Option<i64> {
    // The form AWS gives `aws:CurrentTime` and `aws:TokenIssueTime` in, without chrono.
    parse_utc_seconds(s).or_else(|| parse_general(s))
}

/// [`parse`] of any text, by chrono.
fn parse_general(s: &str) -> Option<i64> {
    let s = s.trim();
    // W3C ISO 8601 profile: `YYYY` and `YYYY-MM` are dates too (a bare year is not
    // read as epoch seconds).
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_general(&format!("{s}-01-01"));
    }
    if s.len() == 7 && s.as_bytes().get(4) == Some(&b'-') {
        if let Some(d) = parse_general(&format!("{s}-01")) {
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

/// `YYYY-MM-DDTHH:MM:SSZ` read in place when every field is in range (seconds up to
/// 59): the milliseconds since the epoch that chrono's RFC 3339 reading (the next step
/// of [`parse`]) gives for it, by the proleptic Gregorian calendar. `None` for any other
/// text, leap seconds included, which [`parse`] then reads in full: the answer is
/// [`parse`]'s either way (`utc_seconds_read_as_chrono_reads_them`), without chrono's
/// general reading on every evaluation of a date condition.
fn parse_utc_seconds(s: &str) -> Option<i64> {
    let b: &[u8; 20] = s.as_bytes().try_into().ok()?;
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    if at(4) != b'-' || at(7) != b'-' || at(10) != b'T' || at(13) != b':' || at(16) != b':' || at(19) != b'Z' {
        return None;
    }
    // The digit at `i`, and the two-digit number at `i`.
    let digit = |i: usize| at(i).is_ascii_digit().then(|| i64::from(at(i) - b'0'));
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let (year, month, day) = (two(0)? * 100 + two(2)?, two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=month_days).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 (the civil-from-days inverse, years from March).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
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

    proptest::proptest! {
        /// The in-place reading of `YYYY-MM-DDTHH:MM:SSZ` gives chrono's answer for
        /// every field value in and out of range (leap years, month ends, leap seconds),
        /// gives one whenever chrono reads the text with seconds below 60, and `parse`
        /// answers as the reading by chrono alone.
        #[test]
        fn utc_seconds_read_as_chrono_reads_them(
            year in 0i64..10_000,
            month in 0i64..14,
            day in 0i64..33,
            hour in 0i64..25,
            minute in 0i64..61,
            second in 0i64..61,
        ) {
            let s = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
            let chrono = chrono::DateTime::parse_from_rfc3339(&s).ok().map(|d| d.timestamp_millis());
            let fast = super::parse_utc_seconds(&s);
            if let Some(ms) = fast {
                proptest::prop_assert_eq!(Some(ms), chrono, "{}", s);
            } else if second < 60 {
                proptest::prop_assert_eq!(chrono, None, "{}", s);
            }
            proptest::prop_assert_eq!(parse(&s), super::parse_general(&s), "{}", s);
        }
    }

    #[test]
    fn utc_seconds_examples() {
        for s in [
            "2026-12-03T18:27:00Z",
            "2000-02-29T23:59:59Z",
            "1900-02-28T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let chrono = chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
            assert_eq!(super::parse_utc_seconds(s), Some(chrono), "{s}");
        }
        for s in [
            "1900-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-03 18:27:00Z",
            "2026-12-03T18:27:00z",
            "2026-12-03T18:27:60Z",
            "+026-12-03T18:27:00Z",
        ] {
            assert_eq!(super::parse_utc_seconds(s), None, "{s}");
        }
    }
}
