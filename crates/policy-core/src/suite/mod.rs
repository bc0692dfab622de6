//! Policy test suites: requests with the decisions they must get, for CI, and statement
//! coverage over the policies they exercise (`policy-sim test`).
//!
//! A suite is a YAML or JSON file:
//!
//! ```yaml
//! name: guardrails                     # optional; default: the file's name
//! policies:                            # the subject: a request document's `policies`,
//!   identity: [../policies/ci.json]    # paths relative to the suite file (or inline)
//!   scp: [[../policies/root-scp.json], [../policies/prod-scp.json]]
//! defaults:                            # optional: members every test's request inherits
//!   context: {aws:SecureTransport: true}
//! tests:
//!   - name: CI can deploy
//!     principal: arn:aws:iam::111122223333:role/ci
//!     action: cloudformation:CreateStack
//!     expect: Allow
//!   - name: nobody deletes prod data   # a list quantifies: one case per combination
//!     principal: [arn:aws:iam::111122223333:role/ci, arn:aws:iam::111122223333:role/dev]
//!     action: [s3:DeleteObject, s3:DeleteBucket]
//!     resource: arn:aws:s3:::prod-data/*
//!     expect: {decision: Deny, blockedBy: scp, sid: DenyProdDeletes}
//! ```
//!
//! - The suite's members: `name`, `description`, `estate` (an estate snapshot, a folder
//!   relative to the suite file: each request is resolved against it as `eval
//!   --estate` does — the principal's and the resource's policies, the organization's
//!   SCPs and RCPs, the derived context), `policies` (as in a request document; over an
//!   estate, each member given replaces the estate's, as a pull request's new SCP over
//!   the current organization), `defaults` (a request document every test inherits, as
//!   `batch --base`; it may hold the policies instead), `tests`. A suite names an
//!   estate, policies, or both.
//! - A test is a request document's members (`principal`, `action`, `resource`,
//!   `resourceAccount`, `context`, `policies`, `organization`, `sessionIssuer`, …: README,
//!   "The request document") laid over the suite's, plus `name` (required),
//!   `description`, and `expect`. `principal`, `action` and `resource` may be lists: the
//!   test has one case per combination (principals × actions × resources), each with
//!   the test's expectation.
//! - `expect`: `Allow`, `Deny` (either deny), `ExplicitDeny` or `ImplicitDeny`; or
//!   `{decision, sid, blockedBy}`: `sid` — some deciding statement has this `Sid`;
//!   `blockedBy` — the policy type that blocks (`identity`, `resource`,
//!   `permissionsBoundary`, `session`, `scp`, `rcp`, `vpcEndpoint`): for an explicit
//!   deny, a deciding `Deny` is in a policy of that type; for an implicit deny, that
//!   type's own verdict is the implicit deny. A test without `expect` fails until its
//!   outcome is recorded ([`Suite::record`]).
//! - YAML: anchors, aliases and merge keys (`<<: *common`) work (suite members named
//!   `x-…` are ignored: a place to define anchors); tags are errors; a plain number
//!   (`resourceAccount: 111122223333`) is read as its text.
//!
//! Every error of a suite is reported, each with file, line and column in the suite
//! ([`DocumentError`]). The core reads no files: policies named by path and estate
//! snapshots come through a [`SuiteLoader`]. Not yet: quantifiers over who-can answers.

mod coverage;
mod parse;
mod record;
mod run;

use std::sync::Arc;

pub use coverage::{Coverage, FileCoverage, StatementCoverage};
pub use record::Recorded;
pub use run::CaseResult;

use crate::document::{DocumentError, RequestDocument};
use crate::estate::{Estate, Resolved};
use crate::policy::Policy;
use crate::span::{Location, Source};
use crate::tree::Node;

/// What a suite needs from its surroundings: policies named by path and estate
/// snapshots, resolved against the suite file's folder.
pub trait SuiteLoader {
    /// The loader for policy paths in the suite (relative to the suite file).
    fn policies(&mut self) -> &mut dyn crate::PolicyLoader;

    /// The estate snapshot at `path` (relative to the suite file), read once however
    /// many suites name it (the CLI reads a folder in the AWS CLI layout, README
    /// "Estates").
    ///
    /// Errors: the snapshot cannot be read (the message says why). By default every
    /// snapshot is an error: a loader without files (the browser) has none.
    fn estate(&mut self, path: &str) -> Result<Arc<Estate>, String> {
        Err(format!("cannot read the estate snapshot `{path}` here"))
    }
}

impl<T: crate::PolicyLoader> SuiteLoader for T {
    fn policies(&mut self) -> &mut dyn crate::PolicyLoader {
        self
    }
}

/// The decision a test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ExpectedDecision {
    /// `Allow`.
    Allow,
    /// `Deny`: an explicit or an implicit deny.
    Deny,
    /// `ExplicitDeny`.
    ExplicitDeny,
    /// `ImplicitDeny`.
    ImplicitDeny,
}

impl ExpectedDecision {
    /// The names, as written in a suite.
    pub const NAMES: [&'static str; 4] = ["Allow", "Deny", "ExplicitDeny", "ImplicitDeny"];

    /// The decision named `s` (case-sensitive, as in a suite).
    pub fn parse(s: &str) -> Option<ExpectedDecision> {
        match s {
            "Allow" => Some(ExpectedDecision::Allow),
            "Deny" => Some(ExpectedDecision::Deny),
            "ExplicitDeny" => Some(ExpectedDecision::ExplicitDeny),
            "ImplicitDeny" => Some(ExpectedDecision::ImplicitDeny),
            _ => None,
        }
    }

    /// Whether `d` is this decision (`Deny` accepts either deny).
    pub fn matches(self, d: crate::Decision) -> bool {
        use crate::Decision as D;
        matches!(
            (self, d),
            (ExpectedDecision::Allow, D::Allow)
                | (ExpectedDecision::ExplicitDeny, D::ExplicitDeny)
                | (ExpectedDecision::ImplicitDeny, D::ImplicitDeny)
                | (ExpectedDecision::Deny, D::ExplicitDeny | D::ImplicitDeny)
        )
    }
}

impl std::fmt::Display for ExpectedDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ExpectedDecision::Allow => "Allow",
            ExpectedDecision::Deny => "Deny",
            ExpectedDecision::ExplicitDeny => "ExplicitDeny",
            ExpectedDecision::ImplicitDeny => "ImplicitDeny",
        })
    }
}

/// The policy types `blockedBy` names, as the response labels them.
pub const POLICY_TYPES: [&str; 7] = [
    "identity",
    "resource",
    "permissionsBoundary",
    "session",
    "scp",
    "rcp",
    "vpcEndpoint",
];

/// What a test expects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expectation {
    /// The decision.
    pub decision: ExpectedDecision,
    /// Some deciding statement has this `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The policy type that blocks (one of [`POLICY_TYPES`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<&'static str>,
}

impl std::fmt::Display for Expectation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.decision)?;
        if let Some(b) = self.blocked_by {
            write!(f, " blocked by `{b}`")?;
        }
        if let Some(s) = &self.sid {
            write!(f, " by the statement with Sid `{s}`")?;
        }
        Ok(())
    }
}

/// The format of a suite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuiteFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl SuiteFormat {
    /// The format of the file named `name` holding `text`: `.json` files and texts that
    /// start with `{` are JSON, everything else YAML.
    pub fn detect(name: &str, text: &str) -> SuiteFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json")
            || (!lower.ends_with(".yaml") && !lower.ends_with(".yml") && text.trim_start().starts_with('{'))
        {
            SuiteFormat::Json
        } else {
            SuiteFormat::Yaml
        }
    }
}

/// One request of a test: the test itself, or one combination of its lists.
#[derive(Debug, Clone)]
pub struct Case {
    /// The test's name, followed for a quantified test by the combination
    /// (`nobody deletes prod data [arn:aws:iam::111122223333:role/ci, s3:DeleteObject]`).
    pub name: String,
    /// The request and its policies.
    pub document: RequestDocument,
    /// For a quantified test: the value of each list member in this case (`principal`,
    /// `action`, `resource`), as JSON.
    pub(crate) picks: Vec<(&'static str, serde_json::Value)>,
    /// In a suite over an estate: the request resolved against it (its policies, the
    /// derived context).
    pub(crate) resolved: Option<Resolved>,
}

impl Case {
    /// The request the case decides: with the context the estate derives, in a suite
    /// over an estate.
    pub fn request(&self) -> &crate::Request {
        self.resolved.as_ref().map_or(&self.document.request, Resolved::request)
    }

    /// The policies the case is decided against: the estate's (with the ones the suite
    /// gives in their place), in a suite over an estate.
    pub fn policy_set(&self) -> &crate::PolicySet {
        self.resolved
            .as_ref()
            .map_or(&self.document.policies, Resolved::policies)
    }

    /// Every policy the case is decided against, in slot order.
    pub fn policies(&self) -> impl Iterator<Item = &Arc<Policy>> {
        parse::slots(self.policy_set()).into_iter().map(|(_, p)| p)
    }

    /// The request resolved against the suite's estate, if it has one.
    pub fn resolved(&self) -> Option<&Resolved> {
        self.resolved.as_ref()
    }
}

/// A test of a suite.
#[derive(Debug, Clone)]
pub struct Test {
    /// `name`.
    pub name: String,
    /// Where the test starts in the suite file.
    pub location: Location,
    /// `expect`; `None` when the test has none yet.
    pub expect: Option<Expectation>,
    /// The test's cases, one per combination of its lists (one for a test without).
    pub cases: Vec<Case>,
    /// The test's node in the suite file.
    pub(crate) node: Node,
}

/// A parsed suite: its tests, each case's request and policies, ready to run.
#[derive(Debug, Clone)]
pub struct Suite {
    /// `name`, or the file's name.
    pub name: String,
    /// The tests, in file order.
    pub tests: Vec<Test>,
    /// Warnings from parsing the suite's policies (unknown operators…).
    pub warnings: Vec<crate::Diagnostic>,
    source: Arc<Source>,
    format: SuiteFormat,
    /// Every policy the suite's requests use, once each (the coverage's statements).
    policies: Vec<Arc<Policy>>,
    /// `estate`: the snapshot the requests are resolved against.
    estate: Option<Arc<Estate>>,
    /// Where inline policies are in the suite file.
    pub(crate) inline: parse::InlineMap,
}

impl Suite {
    /// Parses the suite in `source` (YAML or JSON, [`SuiteFormat::detect`]), loading
    /// the policies it names by path through `loader`. `env` is a request document
    /// every request inherits below the suite's `defaults` (the CLI's clock values).
    ///
    /// Errors: every error of the suite, each with file, line, column and path
    /// (`tests[2].expect`): YAML or JSON syntax, unknown or missing members, values of
    /// the wrong form, invalid or unreadable policies (with their diagnostics).
    pub fn parse(
        source: &Arc<Source>,
        loader: &mut dyn SuiteLoader,
        env: &crate::PartialDocument,
    ) -> Result<Suite, Vec<DocumentError>> {
        parse::parse(source, loader, env)
    }

    /// The suite file.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// The suite file's format.
    pub fn format(&self) -> SuiteFormat {
        self.format
    }

    /// Every policy the suite's requests are decided against, once each.
    pub fn policies(&self) -> &[Arc<Policy>] {
        &self.policies
    }

    /// The estate snapshot the suite's requests are resolved against (`estate`).
    pub fn estate(&self) -> Option<&Arc<Estate>> {
        self.estate.as_ref()
    }

    /// The number of cases (requests) of the suite.
    pub fn case_count(&self) -> usize {
        self.tests.iter().map(|t| t.cases.len()).sum()
    }
}
