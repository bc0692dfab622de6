//! Numeric operators (S-COND-2): integers and decimals; a value that does not parse as
//! a number matches nothing.

use super::Cmp;

pub(crate) fn parse(s: &str) -> Option<f64> {
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
