//! The policy document model (SEMANTICS §2): statements with their action, resource,
//! principal and condition parts, compiled for matching, each with its source span.

use std::sync::Arc;

use serde::Serialize;

use crate::arn::ArnPattern;
use crate::condition::Condition;
use crate::pattern::Glob;
use crate::span::{Location, Source, Span};
use crate::variables::Template;

/// The kind of policy a document is, which decides which elements it must and must not
/// have (S-DOC-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyType {
    /// Identity-based policy (user, group or role; managed or inline).
    Identity,
    /// Resource-based policy (bucket, key, trust, queue, topic, function…).
    Resource,
    /// Permissions boundary.
    PermissionsBoundary,
    /// Session policy.
    Session,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
    /// VPC endpoint policy.
    VpcEndpoint,
}

impl PolicyType {
    /// Whether statements need `Resource`/`NotResource` and must not have a principal.
    pub(crate) fn is_principal_side(self) -> bool {
        matches!(
            self,
            PolicyType::Identity | PolicyType::PermissionsBoundary | PolicyType::Session | PolicyType::Scp
        )
    }

    /// The name with its article (`an SCP`, `a session policy`).
    pub fn with_article(self) -> String {
        let n = self.name();
        let vowel_sound = matches!(self, PolicyType::Identity | PolicyType::Scp | PolicyType::Rcp);
        format!("{} {n}", if vowel_sound { "an" } else { "a" })
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity-based policy",
            PolicyType::Resource => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
            PolicyType::Scp => "SCP",
            PolicyType::Rcp => "RCP",
            PolicyType::VpcEndpoint => "VPC endpoint policy",
        }
    }
}

/// `Version` (S-DOC-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyVersion {
    /// `2012-10-17`: policy variables recognised.
    #[serde(rename = "2012-10-17")]
    V2012,
    /// `2008-10-17` (also when `Version` is absent): `${…}` is literal text.
    #[serde(rename = "2008-10-17")]
    V2008,
}

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// `Allow`
    Allow,
    /// `Deny`
    Deny,
}

/// One compiled `Action`/`NotAction` entry (S-MATCH-1), lower-cased.
#[derive(Debug, Clone)]
pub(crate) enum ActionPattern {
    /// `*`
    Any,
    /// `service:pattern` with a literal service prefix.
    Service { service: Box<str>, name: Glob },
    /// A pattern whose service part holds a wildcard: matched against `service:name`.
    Whole(Glob),
}

/// The compiled entries of one `Action`/`NotAction` element, grouped for look-up: the
/// patterns with a literal service prefix are sorted by service, so a request's action
/// is checked only against the patterns of its own service.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionSet {
    any: bool,
    whole: Vec<Glob>,
    /// `(hash of service, service, name pattern)`, sorted by hash then service: a
    /// look-up compares integers, and text only on a hash match.
    by_service: Vec<(u64, Box<str>, Glob)>,
}

impl ActionSet {
    pub(crate) fn new(patterns: Vec<ActionPattern>) -> ActionSet {
        let mut set = ActionSet::default();
        for p in patterns {
            match p {
                ActionPattern::Any => set.any = true,
                ActionPattern::Whole(g) => set.whole.push(g),
                ActionPattern::Service { service, name } => {
                    set.by_service.push((crate::request::key_hash(&service), service, name))
                }
            }
        }
        set.by_service.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        set
    }

    /// Whether the request's action matches some entry.
    pub(crate) fn matches(&self, action: &crate::request::Action) -> bool {
        if self.any || self.whole.iter().any(|g| g.is_match(&action.lc)) {
            return true;
        }
        let (hash, service, name) = (action.service_hash, action.service(), action.name());
        let start = self.by_service.partition_point(|(h, _, _)| *h < hash);
        self.by_service
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|(h, _, _)| *h == hash)
            .any(|(_, s, g)| **s == *service && g.is_match(name))
    }

    /// `Some(services)` when every entry has a literal service prefix.
    fn services(&self) -> Option<impl Iterator<Item = &str>> {
        (!self.any && self.whole.is_empty()).then(|| self.by_service.iter().map(|(_, s, _)| &**s))
    }
}

/// Which statements can apply to an action of a given service: statements whose
/// `Action` lists only literal service prefixes are filed under each; the others
/// (`*`, wildcard services, `NotAction`) are always candidates. Built once per policy.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    /// `(hash of service, service, statement indices)`, sorted by hash then service.
    by_service: Vec<(u64, Box<str>, Vec<u32>)>,
    always: Vec<u32>,
}

impl ActionIndex {
    pub(crate) fn new(statements: &[Statement]) -> ActionIndex {
        let mut map: std::collections::BTreeMap<(u64, &str), Vec<u32>> = std::collections::BTreeMap::new();
        let mut always = Vec::new();
        for (i, st) in statements.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match st.actions.services().filter(|_| !st.not_action) {
                Some(services) => {
                    for svc in services {
                        let v = map.entry((crate::request::key_hash(svc), svc)).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                }
                None => always.push(i),
            }
        }
        ActionIndex {
            by_service: map.into_iter().map(|((h, k), v)| (h, k.into(), v)).collect(),
            always,
        }
    }

    /// Candidate statement indices for the request's action, in document order.
    pub(crate) fn candidates(&self, action: &crate::request::Action) -> Candidates<'_> {
        let (hash, service) = (action.service_hash, action.service());
        let start = self.by_service.partition_point(|(h, _, _)| *h < hash);
        let listed = self
            .by_service
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|(h, _, _)| *h == hash)
            .find(|(_, s, _)| **s == *service)
            .map_or(&[][..], |(_, _, v)| v.as_slice());
        Candidates {
            a: listed,
            b: &self.always,
        }
    }
}

/// The merge of two sorted index lists.
pub(crate) struct Candidates<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for Candidates<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let (head, rest) = if take_a {
            self.a.split_first()?
        } else {
            self.b.split_first()?
        };
        if take_a {
            self.a = rest;
        } else {
            self.b = rest;
        }
        Some(*head as usize)
    }
}

/// One compiled `Resource`/`NotResource` entry (S-MATCH-2).
#[derive(Debug, Clone)]
pub(crate) enum ResourcePattern {
    Arn(ArnPattern),
    /// Holds policy variables, resolved per request (S-VAR-1).
    Var(Template),
}

/// One `Principal`/`NotPrincipal` entry (S-MATCH-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous included.
    Everyone,
    /// A 12-digit id or `arn:aws:iam::<id>:root`: the account (delegates, S-EVAL-5).
    Account(String),
    /// An IAM user, assumed-role session or federated-user ARN: exact match.
    Arn(String),
    /// An IAM role ARN: the role and its sessions.
    Role { account: String, name: String, arn: String },
    /// `{"Service": …}` (compared case-insensitively).
    Service(String),
    /// `{"Federated": …}`.
    Federated(String),
    /// `{"CanonicalUser": …}`.
    CanonicalUser(String),
    /// A value the engine cannot resolve offline (a unique id such as `AIDA…`, or a
    /// placeholder): matches only a request whose `aws:userid` is that id; otherwise a
    /// `Deny` naming it is indeterminate (fail-closed, S-COND-8).
    Unresolved(String),
}

impl PrincipalEntry {
    /// Classifies an `AWS` principal value (S-MATCH-3).
    pub(crate) fn from_aws(v: &str) -> PrincipalEntry {
        if v == "*" {
            return PrincipalEntry::Everyone;
        }
        if crate::request::is_account_id(v) {
            return PrincipalEntry::Account(v.to_string());
        }
        if let Some([_, _, service, _, account, res]) = crate::arn::split(v) {
            if crate::request::is_account_id(account) {
                match (service, res.split_once('/')) {
                    ("iam", None) if res == "root" => return PrincipalEntry::Account(account.to_string()),
                    ("iam", Some(("role", rest))) if !rest.is_empty() => {
                        return PrincipalEntry::Role {
                            account: account.to_string(),
                            name: rest.rsplit('/').next().unwrap_or(rest).to_string(),
                            arn: v.to_string(),
                        }
                    }
                    ("iam", Some(("user", rest))) | ("sts", Some(("assumed-role" | "federated-user", rest)))
                        if !rest.is_empty() =>
                    {
                        return PrincipalEntry::Arn(v.to_string())
                    }
                    _ => {}
                }
            }
        }
        PrincipalEntry::Unresolved(v.to_string())
    }
}

/// A `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalSpec {
    pub(crate) negated: bool,
    pub(crate) entries: Vec<PrincipalEntry>,
}

/// One statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) not_action: bool,
    pub(crate) actions: ActionSet,
    /// `None`: no `Resource` element (the policy's own resource, in resource-based
    /// policies such as trust policies).
    pub(crate) resource: Option<(bool, Vec<ResourcePattern>)>,
    pub(crate) principal: Option<PrincipalSpec>,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) span: Span,
}

/// A parsed, validated policy document. Cheap to share: wrap in `Arc` and reuse across
/// requests; parsing is the only expensive step.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) source: Arc<Source>,
    pub(crate) span: Span,
    pub(crate) ty: PolicyType,
    pub(crate) version: PolicyVersion,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    pub(crate) index: ActionIndex,
}

impl Policy {
    /// The policy's type.
    pub fn policy_type(&self) -> PolicyType {
        self.ty
    }

    /// The source the policy was parsed from.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// `Version`.
    pub fn version(&self) -> PolicyVersion {
        self.version
    }

    /// `Id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The number of statements.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// The `Sid` of statement `index`, if any.
    pub fn sid(&self, index: usize) -> Option<&str> {
        self.statements.get(index).and_then(|s| s.sid.as_deref())
    }

    /// Where statement `index` starts.
    pub fn statement_location(&self, index: usize) -> Option<Location> {
        self.statements.get(index).map(|s| self.source.locate(s.span))
    }

    /// Where the whole document is.
    pub fn location(&self) -> Location {
        self.source.locate(self.span)
    }
}
