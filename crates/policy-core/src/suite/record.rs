//! `--record`: today's outcomes written into the suite as expectations, by editing the
//! suite's text in place (comments, order and layout elsewhere are kept).
//!
//! - A test whose expectation holds is left as it is.
//! - A test whose cases all get one decision gets `expect: <decision>` (replacing a
//!   failing `expect`, or added after its last member).
//! - A test whose lists give cases different decisions is replaced by one test per
//!   case, each a one-line mapping in JSON form (valid YAML too), named after the case.

use super::{ExpectedDecision, Suite, SuiteFormat, Test};
use crate::tree::{emit, Cursor, EmitOptions, Kind, Node, Places};

/// What [`Suite::record`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The suite's new text (the old one when nothing changed).
    pub text: String,
    /// Tests whose expectation was written.
    pub recorded: usize,
    /// Tests replaced by one test per case (their cases' decisions differ).
    pub split: usize,
    /// Tests left as they were (their expectation holds).
    pub unchanged: usize,
}

/// Where the text of `n` really ends: a block collection's span may run on to the next
/// token, so its end is its last child's; trailing whitespace is not part of it.
fn content_end(text: &str, n: &Node) -> usize {
    let start = n.span.start as usize;
    let flow = matches!(text.get(start..start + 1), Some("{" | "["));
    let end = match &n.kind {
        Kind::Map(m) if !flow => m.last().map_or(n.span.end as usize, |(_, _, v)| content_end(text, v)),
        Kind::Seq(s) if !flow => s.last().map_or(n.span.end as usize, |v| content_end(text, v)),
        _ => n.span.end as usize,
    };
    let mut end = end.min(text.len()).max(start);
    while end > start
        && text
            .get(end - 1..end)
            .is_some_and(|c| c.chars().all(char::is_whitespace))
    {
        end -= 1;
    }
    end
}

/// The column (0-based, in characters) where `at` is on its line.
fn column_of(text: &str, at: usize) -> usize {
    let line_start = text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    text.get(line_start..at).map_or(0, |s| s.chars().count())
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// `node` as one line of JSON.
fn json_of(node: &Node, format: SuiteFormat) -> String {
    let mut out = String::new();
    let opts = EmitOptions {
        opaque_prefix: '\u{1}',
        numbers_as_strings: format == SuiteFormat::Yaml,
        align: None,
    };
    emit(node, &mut out, &mut Places::new(), opts, &mut Cursor::default());
    out
}

impl Suite {
    /// Runs every test that has a case whose name contains `filter` (all tests without
    /// one) and writes the outcomes as expectations into the suite's text (see the
    /// module's rules). Pure: the caller writes the text.
    pub fn record(&self, filter: Option<&str>) -> Recorded {
        let text = self.source().text();
        let format = self.format();
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let (mut recorded, mut split, mut unchanged) = (0, 0, 0);
        for t in &self.tests {
            if filter.is_some_and(|f| !t.cases.iter().any(|c| c.name.contains(f))) {
                continue;
            }
            let results: Vec<super::CaseResult> = t
                .cases
                .iter()
                .enumerate()
                .map(|(ci, c)| super::run::run_case(self, (0, ci), t.expect.as_ref(), c))
                .collect();
            if results.iter().all(|r| r.passed) {
                unchanged += 1;
                continue;
            }
            let first = results.first().map(|r| r.response.decision);
            if results.iter().all(|r| Some(r.response.decision) == first) {
                if let Some(d) = first {
                    edits.push(set_expect(text, format, t, ExpectedDecision::of(d)));
                    recorded += 1;
                }
            } else {
                edits.push(split_test(text, format, t, &results));
                split += 1;
            }
        }
        edits.sort_by_key(|(s, _, _)| std::cmp::Reverse(*s));
        let mut out = text.to_string();
        for (s, e, new) in edits {
            if s <= e && e <= out.len() && out.is_char_boundary(s) && out.is_char_boundary(e) {
                out.replace_range(s..e, &new);
            }
        }
        Recorded {
            text: out,
            recorded,
            split,
            unchanged,
        }
    }
}

/// The edit that gives `t` the expectation `d`.
fn set_expect(text: &str, format: SuiteFormat, t: &Test, d: ExpectedDecision) -> (usize, usize, String) {
    let entry = match format {
        SuiteFormat::Json => format!("\"expect\": {}", json_string(&d.to_string())),
        SuiteFormat::Yaml => format!("expect: {d}"),
    };
    let Kind::Map(members) = &t.node.kind else {
        return (0, 0, String::new());
    };
    if let Some((_, span, v)) = members.iter().find(|(k, _, _)| k == "expect") {
        return (span.start as usize, content_end(text, v), entry);
    }
    let start = t.node.span.start as usize;
    let flow = text.get(start..start + 1) == Some("{");
    let Some((_, _, last)) = members.last() else {
        return (0, 0, String::new());
    };
    let end = content_end(text, last);
    if flow {
        return (end, end, format!(", {entry}"));
    }
    // A block mapping: a new line at the test's indentation, after any comment that
    // ends the last member's line.
    let at = text
        .get(end..)
        .and_then(|r| r.find('\n'))
        .map_or(text.len(), |i| end + i);
    let indent = " ".repeat(column_of(text, start));
    (at, at, format!("\n{indent}{entry}"))
}

/// The edit that replaces `t` by one test per case, each expecting its decision.
fn split_test(text: &str, format: SuiteFormat, t: &Test, results: &[super::CaseResult]) -> (usize, usize, String) {
    let Kind::Map(members) = &t.node.kind else {
        return (0, 0, String::new());
    };
    let start = t.node.span.start as usize;
    let end = content_end(text, &t.node);
    let mut tests = Vec::new();
    for (case, r) in t.cases.iter().zip(results) {
        let mut parts = vec![format!("\"name\": {}", json_string(&case.name))];
        for (k, _, v) in members {
            if matches!(k.as_str(), "name" | "expect") {
                continue;
            }
            let value = match case.picks.iter().find(|(q, _)| q == k) {
                Some((_, pick)) => pick.to_string(),
                None => json_of(v, format),
            };
            parts.push(format!("{}: {value}", json_string(k)));
        }
        parts.push(format!(
            "\"expect\": {}",
            json_string(&ExpectedDecision::of(r.response.decision).to_string())
        ));
        tests.push(format!("{{{}}}", parts.join(", ")));
    }
    let flow = text.get(start..start + 1) == Some("{");
    let before = text.get(..start).unwrap_or("");
    let dash = before.trim_end_matches([' ', '\t']).ends_with('-');
    let sep = if format == SuiteFormat::Yaml && !flow && dash {
        let dash_at = before.trim_end_matches([' ', '\t']).len() - 1;
        format!("\n{}- ", " ".repeat(column_of(text, dash_at)))
    } else {
        format!(",\n{}", " ".repeat(column_of(text, start)))
    };
    (start, end, tests.join(&sep))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    #[test]
    fn content_end_stops_at_the_last_value() {
        let text = "tests:\n  - name: a\n    action: [x, y]\n    principal: p   # who\n\n  - name: b\n";
        let root = crate::tree::yaml_tree(text, crate::tree::Flavor::Data).unwrap();
        let Kind::Seq(tests) = &root.get("tests").unwrap().kind else {
            unreachable!()
        };
        let end = content_end(text, &tests[0]);
        assert_eq!(
            &text[..end],
            "tests:\n  - name: a\n    action: [x, y]\n    principal: p"
        );
    }
}
