//! "Did you mean" suggestions: the candidate nearest to a word in edit distance
//! (Levenshtein, ASCII case ignored), within a small bound.
//!
//! Cost is bounded whatever the word: a candidate whose length differs from the word's
//! by more than the bound is skipped without comparing, and a comparison computes only
//! the diagonal band of the edit-distance table that the bound allows, stopping as soon
//! as a row exceeds it. One look-up costs O(|word| + Σ (bound × |candidate|)), so a
//! 100 KB action name against the 17,000 actions of the catalog costs no more than an
//! ordinary one.

/// Largest edit distance a suggestion may be at.
pub(crate) const MAX_DISTANCE: usize = 3;

/// The edit distance between `a` and `b` when it is at most `max`, else `None`.
fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    let inf = max + 1;
    // Row `i` of the table: `row[j]` = distance(a[..i], b[..j]); only `j` within `max`
    // of `i` is computed, and a cell first written in a later row still holds `inf`.
    let mut prev: Vec<usize> = (0..=m).map(|j| j.min(inf)).collect();
    let mut cur = vec![inf; m + 1];
    for i in 1..=n {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        let first = if lo == 1 { i.min(inf) } else { inf };
        if let Some(c) = cur.get_mut(lo - 1) {
            *c = first;
        }
        let ca = a.get(i - 1).copied();
        let mut row_min = first;
        for j in lo..=hi {
            let sub = prev.get(j - 1).copied().unwrap_or(inf) + usize::from(ca != b.get(j - 1).copied());
            let del = prev.get(j).copied().unwrap_or(inf) + 1;
            let ins = cur.get(j - 1).copied().unwrap_or(inf) + 1;
            let v = sub.min(del).min(ins).min(inf);
            if let Some(c) = cur.get_mut(j) {
                *c = v;
            }
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(m).copied().filter(|d| *d <= max)
}

/// The first of `candidates` nearest to `word` within edit distance `max` (ASCII case
/// ignored), if any.
pub(crate) fn closest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    let w: Vec<char> = word.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut best: Option<(usize, &'a str)> = None;
    let mut buf: Vec<char> = Vec::new();
    for c in candidates {
        // Only a strictly nearer candidate can replace the best so far.
        let bound = match best {
            Some((0, _)) => break,
            Some((d, _)) => d - 1,
            None => max,
        };
        buf.clear();
        buf.extend(c.chars().map(|ch| ch.to_ascii_lowercase()));
        if let Some(d) = distance_within(&w, &buf, bound) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The closest of `candidates` to `word` within distance [`MAX_DISTANCE`].
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    closest_within(word, candidates.iter().copied(), MAX_DISTANCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full table, for comparison.
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }

    #[test]
    fn banded_distance_is_the_distance_within_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "kitten",
            "sitting",
            "GetObject",
            "getobjekt",
            "PutObject",
            "é𝄞x",
            "ex",
        ];
        for a in words {
            for b in words {
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for max in 0..5 {
                    let d = distance(a, b);
                    assert_eq!(
                        distance_within(&ac, &bc, max),
                        (d <= max).then_some(d),
                        "{a:?} {b:?} {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn suggestions_at_and_past_the_bound() {
        assert_eq!(closest("Efect", &["Effect", "Action"]), Some("Effect"));
        assert_eq!(closest("Actionxyz", &["Action"]), Some("Action"));
        assert_eq!(closest("Actionwxyz", &["Action"]), None);
        // The first of equally near candidates.
        assert_eq!(closest("ab", &["aa", "bb"]), Some("aa"));
        assert_eq!(closest("statement", &["Statement"]), Some("Statement"));
    }

    #[test]
    fn a_huge_word_is_compared_with_nothing() {
        let word = "s".repeat(1_000_000);
        let names: Vec<String> = (0..20_000).map(|i| format!("Action{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(closest(&word, &names), None);
    }
}
