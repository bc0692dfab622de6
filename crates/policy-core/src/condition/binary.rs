//! `BinaryEquals` (S-COND-4): policy and request values are base64; the decoded bytes
//! are compared. A value that is not base64 matches nothing.

use base64::Engine;

fn decode(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s.trim()).ok()
}

pub(crate) fn compile(raw: &[String]) -> Vec<Option<Vec<u8>>> {
    raw.iter().map(|s| decode(s)).collect()
}

pub(crate) fn any_match(vals: &[Option<Vec<u8>>], v: &str) -> bool {
    let Some(x) = decode(v) else { return false };
    vals.iter().flatten().any(|p| *p == x)
}
