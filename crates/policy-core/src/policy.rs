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
    pub(crate) actions: Vec<ActionPattern>,
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
