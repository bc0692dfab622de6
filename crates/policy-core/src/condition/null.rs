//! `Null` (S-COND-4): `true` holds when the key is absent from the request context,
//! `false` when it is present. It has no `IfExists` form (S-COND-6).

pub(crate) fn compile(raw: &[String]) -> Vec<Option<bool>> {
    raw.iter()
        .map(|s| match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
        .collect()
}
