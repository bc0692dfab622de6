//! Numeric operators (S-COND-2): integers and decimals; a value that does not parse as
//! a number matches nothing.

use super::Cmp;

pub(crate) fn parse(s: &str) -> Option<f64> {
    // Up to 15 decimal digits (most request values: `120`, `1795420800`) are an integer
    // below 2^53, which `f64` holds exactly: what `parse::<f64>` gives, without it.
    // One pass over the bytes: their value as digits, and whether all are digits (the
    // value of fifteen bytes of up to 255 each fits a `u64`).
    let b = s.as_bytes();
    if !b.is_empty() && b.len() <= 15 {
        let (n, digits) = b.iter().fold((0u64, true), |(n, all), &c| {
            let d = c.wrapping_sub(b'0');
            (n * 10 + u64::from(d), all & (d < 10))
        });
        if digits {
            return Some(n as f64);
        }
    }
    s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

pub(crate) fn compile(raw: &[String]) -> Vec<Option<f64>> {
    raw.iter().map(|s| parse(s)).collect()
}

pub(crate) fn any_match(cmp: Cmp, vals: &[Option<f64>], v: &str) -> bool {
    let Some(x) = parse(v) else { return false };
    vals.iter()
        .flatten()
        .any(|p| x.partial_cmp(p).is_some_and(|o| cmp.holds(o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_read_as_the_float_parser_reads_them() {
        for s in [
            "0",
            "7",
            "007",
            "120",
            "1795420800",
            "999999999999999",
            "9999999999999999",
            "\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}",
            "12a",
            "1/2",
            "1:2",
            " 12",
            "1.5",
            "",
            "x",
        ] {
            assert_eq!(
                parse(s),
                s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
                "{s:?}"
            );
        }
    }
}
