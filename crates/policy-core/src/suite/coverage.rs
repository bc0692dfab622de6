//! Statement coverage: which statements of the policies under test decided at least one
//! case, and which never did; as an OPA-shaped JSON report and as LCOV.
//!
//! A statement *decided* a case when it is among the response's deciding statements
//! (every matching `Deny` of an explicit deny, every matching `Allow` of an allow; an
//! implicit deny has none). Statements are keyed by file, line and column, so a policy
//! file used by several suites (or loaded as several policy types) counts once.

use std::collections::{BTreeMap, HashMap};

use std::sync::Arc;

use serde_json::{json, Value};

use crate::eval::PolicySlot;
use crate::explain::Response;
use crate::policy::Policy;
use crate::span::Span;

/// One statement's coverage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementCoverage {
    /// `Statement[2]`, prefixed with the policy's place in its file when it is part of a
    /// larger file (`RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[2]`).
    pub label: String,
    /// `Sid`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// 1-based line where the statement starts.
    pub line: u32,
    /// 1-based column where it starts.
    pub column: u32,
    /// 1-based line where it ends.
    pub end_line: u32,
    /// How many cases it decided.
    pub hits: usize,
}

/// The statements of one policy file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileCoverage {
    /// The file, as the policies name it.
    pub file: String,
    /// Its statements, in file order.
    pub statements: Vec<StatementCoverage>,
}

impl FileCoverage {
    /// How many statements decided at least one case.
    pub fn covered(&self) -> usize {
        self.statements.iter().filter(|s| s.hits > 0).count()
    }

    /// Covered statements in percent of all (100 for a file without statements).
    pub fn percent(&self) -> f64 {
        percent(self.covered(), self.statements.len())
    }
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

/// Statement coverage over a set of policies.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    files: BTreeMap<String, FileCoverage>,
    /// file → (line, column) → statement index in its file's list (before sorting).
    index: HashMap<String, HashMap<(u32, u32), usize>>,
}

impl Coverage {
    /// Coverage over no statement yet.
    pub fn new() -> Coverage {
        Coverage::default()
    }

    /// Adds a statement unless one is known at `file`, `line`, `column`.
    fn add_statement(&mut self, file: &str, s: StatementCoverage) {
        let key = (s.line, s.column);
        if self.index.get(file).is_some_and(|f| f.contains_key(&key)) {
            return;
        }
        let fc = self.files.entry(file.to_string()).or_insert_with(|| FileCoverage {
            file: file.to_string(),
            statements: Vec::new(),
        });
        self.index
            .entry(file.to_string())
            .or_default()
            .insert(key, fc.statements.len());
        fc.statements.push(s);
    }

    /// Statement `i` of `policy` where the policy's source has it.
    fn statement(policy: &Policy, i: usize) -> Option<StatementCoverage> {
        let loc = policy.statement_location(i)?;
        let end_line = policy
            .source()
            .locate(Span::new(loc.end.saturating_sub(1) as usize, loc.end as usize))
            .line;
        Some(StatementCoverage {
            label: match policy.pointer() {
                Some(p) => format!("{p}.Statement[{i}]"),
                None => format!("Statement[{i}]"),
            },
            sid: policy.sid(i).map(str::to_string),
            line: loc.line,
            column: loc.column,
            end_line: end_line.max(loc.line),
            hits: 0,
        })
    }

    /// Adds `policy`'s statements (once: a statement already added is kept).
    pub fn add_policy(&mut self, policy: &Policy) {
        for i in 0..policy.statement_count() {
            if let Some(s) = Coverage::statement(policy, i) {
                self.add_statement(policy.source().name(), s);
            }
        }
    }

    /// Adds the statements of every policy `suite`'s requests are decided against; over
    /// an estate, each where the snapshot has it, as responses locate deciding statements
    /// ([`crate::estate::Resolved::relocate`]: a policy held in a JSON string, or shared by
    /// several principals, at its own place in the snapshot's files).
    pub fn add_suite(&mut self, suite: &super::Suite) {
        let Some(estate) = suite.estate() else {
            for p in suite.policies() {
                if !suite.inline.is_inline(p.source()) {
                    self.add_policy(p);
                    continue;
                }
                // Written in the suite: where the suite file has it.
                for i in 0..p.statement_count() {
                    let Some(mut s) = Coverage::statement(p, i) else {
                        continue;
                    };
                    if let Some((line, column, end_line)) = suite.inline.locate_span(s.line, s.column) {
                        (s.line, s.column, s.end_line) = (line, column, end_line);
                    }
                    self.add_statement(p.source().name(), s);
                }
            }
            return;
        };
        let mut seen_sets = std::collections::HashSet::new();
        // (policy, where the estate puts its first statement): statements added.
        let mut seen_places = std::collections::HashSet::new();
        for case in suite.tests.iter().flat_map(|t| t.cases.iter()) {
            let Some(resolved) = case.resolved() else { continue };
            if !seen_sets.insert(std::ptr::from_ref(case.policy_set())) {
                continue;
            }
            let slots = super::parse::slots(case.policy_set());
            // Where the estate puts each policy's first statement: a policy already
            // added at that place is skipped.
            let first: Vec<(PolicySlot, &Arc<Policy>)> = slots
                .iter()
                .filter(|(_, p)| p.statement_count() > 0)
                .map(|(s, p)| (*s, *p))
                .collect();
            let mut probe = located(&first, |_| 0..1);
            resolved.relocate(estate, &mut probe);
            let new: Vec<(PolicySlot, &Arc<Policy>)> = first
                .iter()
                .zip(&probe.deciding)
                .filter(|((_, p), d)| seen_places.insert((Arc::as_ptr(p), d.file.clone(), d.line, d.column)))
                .map(|(sp, _)| *sp)
                .collect();
            if new.is_empty() {
                continue;
            }
            // Every statement of those as if it decided, then located by the estate.
            let mut resp = located(&new, |p| 0..p.statement_count());
            let items: Vec<(&Arc<Policy>, usize)> = new
                .iter()
                .flat_map(|(_, p)| (0..p.statement_count()).map(move |i| (*p, i)))
                .collect();
            resolved.relocate(estate, &mut resp);
            for (d, (p, i)) in resp.deciding.into_iter().zip(items) {
                let (Some(f), Some(line), Some(column), Some(mut s)) =
                    (d.file, d.line, d.column, Coverage::statement(p, i))
                else {
                    continue;
                };
                if suite.inline.is_inline(p.source()) {
                    if let Some((line, column, end_line)) = suite.inline.locate_span(s.line, s.column) {
                        (s.line, s.column, s.end_line) = (line, column, end_line);
                    }
                } else if (f.as_str(), line, column) != (p.source().name(), s.line, s.column) {
                    // Moved into the snapshot: one line (a policy held in a JSON string
                    // is on one line of its file).
                    s.line = line;
                    s.column = column;
                    s.end_line = line;
                    if let Some(path) = d.path.filter(|p| !p.is_empty()) {
                        s.label = path;
                    }
                }
                self.add_statement(&f, s);
            }
        }
    }

    /// Counts the deciding statements of `resp` (those added before), each once however
    /// many of its slots decided (the same SCP attached at several levels).
    pub fn record(&mut self, resp: &Response) {
        for (n, d) in resp.deciding.iter().enumerate() {
            let (Some(file), Some(line), Some(column)) = (&d.file, d.line, d.column) else {
                continue;
            };
            let seen =
                resp.deciding.iter().take(n).any(|e| {
                    e.line == Some(line) && e.column == Some(column) && e.file.as_deref() == Some(file.as_str())
                });
            if seen {
                continue;
            }
            let Some(&i) = self.index.get(file.as_str()).and_then(|f| f.get(&(line, column))) else {
                continue;
            };
            if let Some(s) = self.files.get_mut(file).and_then(|f| f.statements.get_mut(i)) {
                s.hits += 1;
            }
        }
    }

    /// The files, by name, each with its statements in file order.
    pub fn files(&self) -> Vec<FileCoverage> {
        self.files
            .values()
            .map(|f| {
                let mut f = f.clone();
                f.statements.sort_by_key(|s| (s.line, s.column));
                f
            })
            .collect()
    }

    /// (covered statements, all statements).
    pub fn totals(&self) -> (usize, usize) {
        self.files
            .values()
            .fold((0, 0), |(c, t), f| (c + f.covered(), t + f.statements.len()))
    }

    /// Covered statements in percent of all (100 when there is none).
    pub fn percent(&self) -> f64 {
        let (c, t) = self.totals();
        percent(c, t)
    }

    /// The report in the shape of OPA's `opa test --coverage` JSON: `files` → per file
    /// `covered` and `not_covered` (row ranges: each statement's first to last line),
    /// `covered_lines`, `not_covered_lines` and `coverage` (percent of those lines), and
    /// the same totals at the top. Beside OPA's members, per file and at the top:
    /// `covered_statements`, `not_covered_statements` and `statement_coverage`
    /// (percent of statements, what `--coverage-min` checks).
    pub fn to_opa_json(&self) -> Value {
        let mut files = serde_json::Map::new();
        let (mut all_cov_lines, mut all_not_lines) = (0usize, 0usize);
        for f in self.files() {
            let range = |s: &StatementCoverage| json!({"start": {"row": s.line}, "end": {"row": s.end_line}});
            let covered: Vec<Value> = f.statements.iter().filter(|s| s.hits > 0).map(range).collect();
            let not_covered: Vec<Value> = f.statements.iter().filter(|s| s.hits == 0).map(range).collect();
            let (cov_lines, not_lines) = line_counts(&f);
            all_cov_lines += cov_lines;
            all_not_lines += not_lines;
            let covered_statements = f.covered();
            files.insert(
                f.file.clone(),
                json!({
                    "covered": covered,
                    "not_covered": not_covered,
                    "covered_lines": cov_lines,
                    "not_covered_lines": not_lines,
                    "coverage": round2(percent(cov_lines, cov_lines + not_lines)),
                    "covered_statements": covered_statements,
                    "not_covered_statements": f.statements.len() - covered_statements,
                    "statement_coverage": round2(f.percent()),
                }),
            );
        }
        let (c, t) = self.totals();
        json!({
            "files": files,
            "covered_lines": all_cov_lines,
            "not_covered_lines": all_not_lines,
            "coverage": round2(percent(all_cov_lines, all_cov_lines + all_not_lines)),
            "covered_statements": c,
            "not_covered_statements": t - c,
            "statement_coverage": round2(self.percent()),
        })
    }

    /// The report as LCOV tracefile text (`genhtml`, Codecov, editors): per file, `DA`
    /// for every line of every statement with the number of cases the statement
    /// decided, and each statement as a function (`FN`/`FNDA`, named by its label and
    /// `Sid`), so that "functions" are statements.
    pub fn to_lcov(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        for f in self.files() {
            let _ = writeln!(o, "TN:");
            let _ = writeln!(o, "SF:{}", f.file);
            let names: Vec<String> = f
                .statements
                .iter()
                .map(|s| {
                    let n = match &s.sid {
                        Some(sid) => format!("{} {sid}", s.label),
                        None => s.label.clone(),
                    };
                    n.replace([',', '\n', '\r'], " ")
                })
                .collect();
            for (s, n) in f.statements.iter().zip(&names) {
                let _ = writeln!(o, "FN:{},{n}", s.line);
            }
            for (s, n) in f.statements.iter().zip(&names) {
                let _ = writeln!(o, "FNDA:{},{n}", s.hits);
            }
            let _ = writeln!(o, "FNF:{}", f.statements.len());
            let _ = writeln!(o, "FNH:{}", f.covered());
            let lines = line_hits(&f);
            for (line, hits) in &lines {
                let _ = writeln!(o, "DA:{line},{hits}");
            }
            let _ = writeln!(o, "LF:{}", lines.len());
            let _ = writeln!(o, "LH:{}", lines.values().filter(|h| **h > 0).count());
            let _ = writeln!(o, "end_of_record");
        }
        o
    }
}

/// Hits per line: every line of a statement gets the statement's hits (summed where
/// statements share a line).
fn line_hits(f: &FileCoverage) -> BTreeMap<u32, usize> {
    let mut lines = BTreeMap::new();
    for s in &f.statements {
        for l in s.line..=s.end_line {
            *lines.entry(l).or_insert(0) += s.hits;
        }
    }
    lines
}

/// (covered lines, not covered lines) of a file.
fn line_counts(f: &FileCoverage) -> (usize, usize) {
    let lines = line_hits(f);
    let covered = lines.values().filter(|h| **h > 0).count();
    (covered, lines.len() - covered)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A response whose deciding statements are statements `range(policy)` of each policy,
/// where the policy's source has them (for [`crate::estate::Resolved::relocate`]).
fn located(slots: &[(PolicySlot, &Arc<Policy>)], range: impl Fn(&Policy) -> std::ops::Range<usize>) -> Response {
    let mut deciding = Vec::new();
    for (slot, p) in slots {
        for i in range(p) {
            let loc = p.statement_location(i);
            deciding.push(crate::DecidingItem {
                label: format!("{slot}.Statement[{i}]"),
                effect: None,
                sid: None,
                file: Some(p.source().name().to_string()),
                line: loc.as_ref().map(|l| l.line),
                column: loc.as_ref().map(|l| l.column),
                path: p.pointer().map(|_| String::new()),
                conditions: Vec::new(),
            });
        }
    }
    Response {
        id: None,
        decision: crate::Decision::ImplicitDeny,
        deciding,
        reasons: Vec::new(),
        service_constraints: Vec::new(),
        policies: Vec::new(),
        missing_context_keys: Vec::new(),
        indeterminate: Vec::new(),
        derived_context_keys: Vec::new(),
        assumptions: Vec::new(),
        near_misses: Vec::new(),
    }
}
