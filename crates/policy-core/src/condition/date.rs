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
    // The separators and the fourteen digits tested a word at a time (`digits`); the
    // bytes then read as digits without further tests.
    let word = |at: usize| {
        b.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    };
    // `YYYY-MM-`, `DDTHH:MM`, `HH:MM:SSZ` (the last overlapping the second).
    const SEP0: u64 = u64::from_le_bytes(*b"\0\0\0\0-\0\0-");
    const SEP1: u64 = u64::from_le_bytes(*b"\0\0T\0\0:\0\0");
    const SEP2: u64 = u64::from_le_bytes(*b"\0:\0\0:\0\0Z");
    const DIG0: u64 = u64::from_le_bytes([1, 1, 1, 1, 0, 1, 1, 0]);
    const DIG1: u64 = u64::from_le_bytes([1, 1, 0, 1, 1, 0, 1, 1]);
    const DIG2: u64 = u64::from_le_bytes([1, 0, 1, 1, 0, 1, 1, 0]);
    let (w0, w1, w2) = (word(0), word(8), word(12));
    // (`&`, not `&&`: six tests without a branch each.)
    let form = sep_ok(w0, SEP0, DIG0) & sep_ok(w1, SEP1, DIG1) & sep_ok(w2, SEP2, DIG2);
    if !(form & digits(w0, DIG0) & digits(w1, DIG1) & digits(w2, DIG2)) {
        return None;
    }
    let [y0, y1, y2, y3, _, m0, m1, _, d0, d1, _, h0, h1, _, n0, n1, _, s0, s1, _] = *b;
    // (Unsigned arithmetic: divisions by constants cost less than signed ones.)
    let two = |hi: u8, lo: u8| u32::from(hi & 0x0f) * 10 + u32::from(lo & 0x0f);
    let (year, month, day) = (two(y0, y1) * 100 + two(y2, y3), two(m0, m1), two(d0, d1));
    let (hour, minute, second) = (two(h0, h1), two(n0, n1), two(s0, s1));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    // Days of each month of a common year, and before it.
    const DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const BEFORE: [u32; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let month_days = DAYS.get(month as usize)? + u32::from(leap && month == 2);
    if day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01: the days of the years before, counted from 400 years
    // earlier (the same leap years, and every count unsigned), with the leap years among
    // `1..y` (`0` is one too, on both sides of the difference), those of 1970 taken away.
    let days_to_year = |y: u32| {
        let x = y - 1;
        y * 365 + x / 4 - x / 100 + x / 400
    };
    let days = i64::from(days_to_year(year + 400)) - i64::from(days_to_year(1970 + 400))
        + i64::from(BEFORE.get(month as usize)? + u32::from(leap && month > 2) + day - 1);
    Some(((days * 24 + i64::from(hour)) * 60 + i64::from(minute)) * 60_000 + i64::from(second) * 1000)
}

/// Whether the bytes of the little-endian word `w` outside the digit places of `dig`
/// (a byte of `1` per place) are those of `sep`.
#[inline(always)]
fn sep_ok(w: u64, sep: u64, dig: u64) -> bool {
    w & !(dig * 0xff) == sep
}

/// Whether every byte of the little-endian word `w` at a digit place of `dig` (a byte
/// of `1` per place) is an ASCII digit: its high half `3`, and still `3` with 6 added
/// (no byte carries into the next: a byte of high half `3` plus 6 is at most `0x45`).
#[inline(always)]
fn digits(w: u64, dig: u64) -> bool {
    let high = dig * 0xf0;
    let t = w & (dig * 0xff);
    t & high == dig * 0x30 && (t + dig * 6) & high == dig * 0x30
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

    /// A reference reading of `YYYY-MM-DDTHH:MM:SSZ`: the form tested byte by byte (as
    /// before the tests went a word at a time), each field's digits on their own, and
    /// the calendar chrono's.
    fn utc_seconds_byte_by_byte(s: &str) -> Option<i64> {
        let b: &[u8; 20] = s.as_bytes().try_into().ok()?;
        let at = |i: usize| b[i];
        if at(4) != b'-' || at(7) != b'-' || at(10) != b'T' || at(13) != b':' || at(16) != b':' || at(19) != b'Z' {
            return None;
        }
        let digit = |i: usize| at(i).is_ascii_digit().then(|| i64::from(at(i) - b'0'));
        let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
        let (year, month, day) = (two(0)? * 100 + two(2)?, two(5)?, two(8)?);
        let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
        let utc = chrono::NaiveDate::from_ymd_opt(
            i32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        )?
        .and_hms_opt(
            u32::try_from(hour).ok()?,
            u32::try_from(minute).ok()?,
            u32::try_from(second).ok()?,
        )?;
        Some(utc.and_utc().timestamp_millis())
    }

    proptest::proptest! {
        /// A date-time of the form in range, or with one byte replaced by a digit, a
        /// separator or another byte: the word-at-a-time reading answers as the
        /// byte-by-byte one (every place tested for what belongs there).
        #[test]
        fn utc_seconds_tests_every_byte(
            fields in (0u32..10_000, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60),
            replace in proptest::option::of((0usize..20, 0usize..64)),
        ) {
            const OTHERS: &[u8] = b"0123456789-:TZ/ ;@\x7f";
            let (year, month, day, hour, minute, second) = fields;
            let s = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
            let mut bytes = s.into_bytes();
            if let Some((at, k)) = replace {
                bytes[at] = OTHERS[k % OTHERS.len()];
            }
            let s = String::from_utf8(bytes).unwrap();
            proptest::prop_assert_eq!(super::parse_utc_seconds(&s), utc_seconds_byte_by_byte(&s), "{}", s);
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
