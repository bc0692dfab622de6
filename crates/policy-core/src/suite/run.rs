//! Running a suite: every case decided, its outcome checked against the expectation.

use super::{Case, Coverage, Expectation, ExpectedDecision, Suite, Test};
use crate::eval::{evaluate_with, Decision, EvalOptions, Verdict};
use crate::explain::Response;

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The test's index in [`Suite::tests`].
    pub test: usize,
    /// The case's index in the test's [`Test::cases`].
    pub case: usize,
    /// Whether the outcome is the expected one.
    pub passed: bool,
    /// Why not, in words (`expected ExplicitDeny, got Allow`); `None` when it passed.
    pub failure: Option<String>,
    /// The response, with near misses when the case failed (what `policy-sim eval`
    /// prints).
    pub response: Response,
}

/// The policy type of a response label: `scp[1][0].Statement[2]` and `scp[1]` → `scp`.
fn label_type(label: &str) -> &str {
    label.split(['[', '.']).next().unwrap_or(label)
}

/// Why `resp` does not meet `e`, or `None` when it does.
pub(crate) fn unmet(e: &Expectation, resp: &Response) -> Option<String> {
    let got = || {
        let mut s = resp.decision.to_string();
        let blockers = blockers(resp);
        if !blockers.is_empty() {
            s.push_str(&format!(" (blocked by {})", blockers.join(", ")));
        }
        s
    };
    if !e.decision.matches(resp.decision) {
        return Some(format!("expected {}, got {}", e.decision, got()));
    }
    if let Some(b) = e.blocked_by {
        if !blockers(resp).iter().any(|x| x == b) {
            return Some(format!("expected {e}, got {}", got()));
        }
    }
    if let Some(sid) = &e.sid {
        if !resp.deciding.iter().any(|d| d.sid.as_deref() == Some(sid)) {
            let deciding = if resp.deciding.is_empty() {
                "no statement decided".to_string()
            } else {
                format!(
                    "deciding: {}",
                    resp.deciding
                        .iter()
                        .map(|d| match &d.sid {
                            Some(s) => format!("{} (Sid `{s}`)", d.label),
                            None => format!("{} (no Sid)", d.label),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Some(format!("expected {e}, got {}; {deciding}", resp.decision));
        }
    }
    None
}

/// The policy types that block the request: for an explicit deny, those of the deciding
/// `Deny` statements; for an implicit deny, those whose own verdict is the implicit deny.
fn blockers(resp: &Response) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        if !out.iter().any(|x| x == t) {
            out.push(t.to_string());
        }
    };
    match resp.decision {
        Decision::Allow => {}
        Decision::ExplicitDeny => {
            for d in &resp.deciding {
                add(label_type(&d.label));
            }
        }
        Decision::ImplicitDeny => {
            for v in &resp.policies {
                if v.verdict == Verdict::ImplicitDeny {
                    add(label_type(&v.policy));
                }
            }
        }
    }
    out
}

/// The response to `case` (with near misses when asked), its statements located in the
/// suite file (inline policies) or the estate's snapshot (when the case was resolved
/// against one).
fn respond(suite: &Suite, case: &Case, near_misses: bool) -> Response {
    let (policies, request) = (case.policy_set(), case.request());
    let ev = evaluate_with(policies, request, EvalOptions { near_misses });
    let mut response = Response::new(&ev, policies, request, None);
    if let (Some(resolved), Some(estate)) = (case.resolved(), suite.estate()) {
        resolved.relocate(estate, &mut response);
    }
    suite.inline.relocate(&mut response);
    response
}

/// Decides `case` and checks it against `expect`.
pub(crate) fn run_case(
    suite: &Suite,
    (test_index, case_index): (usize, usize),
    expect: Option<&Expectation>,
    case: &Case,
) -> CaseResult {
    let mut response = respond(suite, case, false);
    let failure = match expect {
        Some(e) => unmet(e, &response),
        None => Some("the test has no `expect`: add one, or record today's outcome with `--record`".to_string()),
    };
    if failure.is_some() {
        response = respond(suite, case, true);
    }
    CaseResult {
        test: test_index,
        case: case_index,
        passed: failure.is_none(),
        failure,
        response,
    }
}

impl Suite {
    /// Runs the cases whose name contains `filter` (all without one), in order; each
    /// deciding statement is counted in `coverage` when given.
    pub fn run(&self, filter: Option<&str>, mut coverage: Option<&mut Coverage>) -> Vec<CaseResult> {
        let mut out = Vec::new();
        for (ti, t) in self.tests.iter().enumerate() {
            for (ci, c) in t.cases.iter().enumerate() {
                if filter.is_some_and(|f| !c.name.contains(f)) {
                    continue;
                }
                let r = run_case(self, (ti, ci), t.expect.as_ref(), c);
                if let Some(cov) = coverage.as_deref_mut() {
                    cov.record(&r.response);
                }
                out.push(r);
            }
        }
        out
    }

    /// The test and case of a result.
    pub fn case_of(&self, r: &CaseResult) -> Option<(&Test, &Case)> {
        let t = self.tests.get(r.test)?;
        Some((t, t.cases.get(r.case)?))
    }
}

impl ExpectedDecision {
    /// The expectation a decision records as (`--record`).
    pub fn of(d: Decision) -> ExpectedDecision {
        match d {
            Decision::Allow => ExpectedDecision::Allow,
            Decision::ExplicitDeny => ExpectedDecision::ExplicitDeny,
            Decision::ImplicitDeny => ExpectedDecision::ImplicitDeny,
        }
    }
}
