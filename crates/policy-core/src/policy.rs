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
    /// Every policy type, in declaration order.
    pub const ALL: [PolicyType; 7] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::PermissionsBoundary,
        PolicyType::Session,
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::VpcEndpoint,
    ];

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
    /// An entry that is not `service:Name` (no colon, an empty part, whitespace, a
    /// placeholder such as `<action>`): whether it names the request's action cannot be
    /// known, so a statement that hinges on it is indeterminate (S-MATCH-1, S-COND-8).
    /// `service`: the lower-cased text before the first colon when it is a plain
    /// service prefix (the entry can then only concern that service), else `None`.
    Malformed { service: Option<Box<str>>, text: Box<str> },
}

/// Why an `Action`/`NotAction` entry is malformed, when it is: whitespace in it (`"s3:GetObject "`,
/// `" s3:GetObject"`, `"s3: GetObject"`), or an empty service prefix or action name (`"s3:"`,
/// `"s3:   "`, `":GetObject"`). AWS names actions `service:ActionName`, without spaces
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>).
/// `None` for other entries, `*` included. Also an entry with no colon or more than
/// one, and control characters (S-MATCH-1).
pub(crate) fn malformed_action(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Some("is empty");
    }
    if t == "*" {
        return (t.len() != text.len()).then_some("has whitespace around it");
    }
    if text.contains(char::is_control) {
        return Some("holds a control character");
    }
    let Some((svc, name)) = t.split_once(':') else {
        return Some("has no `:` between a service prefix and an action name");
    };
    if svc.trim().is_empty() {
        return Some("names no service prefix");
    }
    if name.trim().is_empty() {
        return Some("names no action");
    }
    if name.contains(':') {
        return Some("has more than one `:`");
    }
    if t.contains(char::is_whitespace) {
        Some("holds whitespace")
    } else if t.len() != text.len() {
        Some("has whitespace around it")
    } else {
        None
    }
}

/// The compiled entries of one `Action`/`NotAction` element, grouped for look-up:
/// names without wildcards by the hash of `service:name` (most entries: a look-up is a
/// binary search over integers), wildcard names by the hash of their service.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionSet {
    any: bool,
    whole: Vec<Glob>,
    /// `(hash of service:name, service:name)`, sorted.
    exact: Vec<(u64, Box<str>)>,
    /// `(hash of service, service, name pattern)`, sorted, for names with wildcards.
    by_service: Vec<(u64, Box<str>, Glob)>,
    /// Malformed entries: the service they can concern (`None`: any) and the entry as
    /// written.
    malformed: Vec<(Option<Box<str>>, Box<str>)>,
}

impl ActionSet {
    pub(crate) fn new(patterns: Vec<ActionPattern>) -> ActionSet {
        use crate::request::key_hash;
        let mut set = ActionSet::default();
        for p in patterns {
            match p {
                ActionPattern::Any => set.any = true,
                ActionPattern::Whole(g) => set.whole.push(g),
                ActionPattern::Service {
                    service,
                    name: Glob::Exact(name),
                } => {
                    let full = format!("{service}:{name}");
                    set.exact.push((key_hash(&full), full.into()));
                }
                ActionPattern::Service { service, name } => set.by_service.push((key_hash(&service), service, name)),
                ActionPattern::Malformed { service, text } => set.malformed.push((service, text)),
            }
        }
        set.exact.sort();
        set.exact.dedup();
        set.by_service.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        set
    }

    /// Whether the request's action matches some entry.
    pub(crate) fn matches(&self, action: &crate::request::Action) -> bool {
        if self.any || self.whole.iter().any(|g| g.is_match(&action.lc)) {
            return true;
        }
        if sorted_find(&self.exact, action.full_hash, |(h, _)| *h).any(|(_, full)| **full == *action.lc) {
            return true;
        }
        let (service, name) = (action.service(), action.name());
        sorted_find(&self.by_service, action.service_hash, |(h, _, _)| *h)
            .any(|(_, s, g)| **s == *service && g.is_match(name))
    }

    /// Whether some malformed entry could concern the request's action (when no valid
    /// entry matches, the statement's action match is then indeterminate).
    pub(crate) fn malformed_may_match(&self, action: &crate::request::Action) -> bool {
        self.malformed
            .iter()
            .any(|(s, _)| s.as_deref().is_none_or(|s| s == action.service()))
    }

    /// The statement's action match: `True` when a valid entry matches, `Indeterminate`
    /// when none does but a malformed entry could (S-MATCH-1), else `False`.
    pub(crate) fn matches_tri(&self, action: &crate::request::Action) -> crate::condition::Tri {
        use crate::condition::Tri;
        if self.matches(action) {
            Tri::True
        } else if !self.malformed.is_empty() && self.malformed_may_match(action) {
            Tri::Indeterminate
        } else {
            Tri::False
        }
    }

    /// The service prefixes the entries name, or `None` when some entry may name any
    /// service (`*`, a wildcard in the service part, a malformed entry).
    pub(crate) fn services(&self) -> Option<Vec<&str>> {
        if self.any || !self.whole.is_empty() || !self.malformed.is_empty() {
            return None;
        }
        let mut out: Vec<&str> = self
            .exact
            .iter()
            .map(|(_, full)| full.split_once(':').map_or(&**full, |(s, _)| s))
            .chain(self.by_service.iter().map(|(_, s, _)| &**s))
            .collect();
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// The malformed entries as written, for explanations.
    pub(crate) fn malformed_entries(&self) -> impl Iterator<Item = &str> {
        self.malformed.iter().map(|(_, t)| &**t)
    }

    /// Whether every entry has a literal service prefix (the statement can be indexed).
    fn indexable(&self) -> bool {
        !self.any && self.whole.is_empty() && self.malformed.is_empty()
    }
}

/// The entries of a slice sorted by `key` whose key is `want`.
fn sorted_find<T>(items: &[T], want: u64, key: impl Fn(&T) -> u64 + Copy) -> impl Iterator<Item = &T> {
    let start = items.partition_point(|t| key(t) < want);
    items
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(move |t| key(t) == want)
}

/// Which statements can apply to a request's action, built once per policy: statements
/// naming the exact action, statements with a wildcard name in the action's service,
/// and the statements that cannot be indexed (`*`, wildcard services, `NotAction`).
/// Keyed by the precomputed hashes, so a look-up is one probe.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    /// hash of `service:name` → `(service:name, statements)` (a list: hashes may collide).
    exact: IdMap<Vec<(Box<str>, Vec<u32>)>>,
    /// hash of `service` → `(service, statements)`.
    by_service: IdMap<Vec<(Box<str>, Vec<u32>)>>,
    always: Vec<u32>,
    /// One bit per indexed service (bit `hash % 64` of its prefix): a request whose
    /// service's bit is clear has no exact or per-service candidates, without a probe.
    service_bits: u64,
}

/// The [`ActionIndex::service_bits`] bit of a service prefix hash.
fn service_bit(hash: u64) -> u64 {
    1 << (hash % 64)
}

/// A map keyed by a hash computed elsewhere ([`crate::request::key_hash`]): no rehashing.
type IdMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Passes a `u64` key through unchanged.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl ActionIndex {
    pub(crate) fn new(statements: &[Statement]) -> ActionIndex {
        fn file(map: &mut IdMap<Vec<(Box<str>, Vec<u32>)>>, hash: u64, key: &str, i: u32) {
            let bucket = map.entry(hash).or_default();
            let pos = match bucket.iter().position(|(k, _)| **k == *key) {
                Some(p) => p,
                None => {
                    bucket.push((key.into(), Vec::new()));
                    bucket.len() - 1
                }
            };
            if let Some((_, v)) = bucket.get_mut(pos) {
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
        let mut index = ActionIndex::default();
        for (i, st) in statements.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            if st.not_action || !st.actions.indexable() {
                index.always.push(i);
                continue;
            }
            for (h, full) in &st.actions.exact {
                file(&mut index.exact, *h, full, i);
                let service = full.split_once(':').map_or(&**full, |(s, _)| s);
                index.service_bits |= service_bit(crate::request::key_hash(service));
            }
            for (h, svc, _) in &st.actions.by_service {
                file(&mut index.by_service, *h, svc, i);
                index.service_bits |= service_bit(*h);
            }
        }
        index
    }

    /// Candidate statement indices for the request's action, in document order, each
    /// once.
    #[inline]
    pub(crate) fn candidates(&self, action: &crate::request::Action) -> Candidates<'_> {
        fn probe<'m>(map: &'m IdMap<Vec<(Box<str>, Vec<u32>)>>, hash: u64, key: &str) -> &'m [u32] {
            map.get(&hash)
                .and_then(|b| b.iter().find(|(k, _)| **k == *key))
                .map_or(&[][..], |(_, v)| v.as_slice())
        }
        // No statement names the action's service (or nothing is indexed: policies of
        // `*` statements): no probe.
        if self.service_bits & service_bit(action.service_hash) == 0 {
            return Candidates::One(self.always.iter(), false);
        }
        let exact = if self.exact.is_empty() {
            &[][..]
        } else {
            probe(&self.exact, action.full_hash, &action.lc)
        };
        let by_service = if self.by_service.is_empty() {
            &[][..]
        } else {
            probe(&self.by_service, action.service_hash, action.service())
        };
        Candidates::new([exact, by_service, &self.always])
    }
}

/// The merge of three sorted index lists (statements naming the action exactly, naming
/// a wildcard name in its service, not indexed), without repeats.
pub(crate) enum Candidates<'a> {
    /// At most one list is not empty (the common case): no merging. The flag: the list
    /// is that of the statements naming the action exactly.
    One(std::slice::Iter<'a, u32>, bool),
    Merge([&'a [u32]; 3]),
}

impl<'a> Candidates<'a> {
    /// Whether there is no candidate at all.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Candidates::One(it, _) => it.len() == 0,
            Candidates::Merge(_) => false,
        }
    }

    fn new(lists: [&'a [u32]; 3]) -> Candidates<'a> {
        match lists {
            [l, [], []] => Candidates::One(l.iter(), true),
            [[], l, []] | [[], [], l] => Candidates::One(l.iter(), false),
            _ => Candidates::Merge(lists),
        }
    }

    /// The next candidate, and whether its `Action` element names the request's action
    /// exactly (a valid entry equal to it: the statement's action match is then `True`
    /// without matching again, S-MATCH-1).
    pub(crate) fn next_tagged(&mut self) -> Option<(usize, bool)> {
        let lists = match self {
            Candidates::One(it, exact) => return it.next().map(|&i| (i as usize, *exact)),
            Candidates::Merge(lists) => lists,
        };
        let min = lists.iter().filter_map(|l| l.first()).min().copied()?;
        let exact = lists.first().and_then(|l| l.first()) == Some(&min);
        for l in lists.iter_mut() {
            if l.first() == Some(&min) {
                *l = l.get(1..).unwrap_or_default();
            }
        }
        Some((min as usize, exact))
    }
}

impl Iterator for Candidates<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        self.next_tagged().map(|(i, _)| i)
    }
}

/// One compiled `Resource`/`NotResource` entry (S-MATCH-2).
#[derive(Debug, Clone)]
pub(crate) enum ResourcePattern {
    Arn(ArnPattern),
    /// Holds policy variables, resolved per request (S-VAR-1).
    Var(Template),
}

impl ResourcePattern {
    /// The pattern as written (variables kept).
    pub(crate) fn text(&self) -> String {
        match self {
            ResourcePattern::Var(t) => t.source().to_string(),
            ResourcePattern::Arn(a) => a.text(),
        }
    }
}

/// One `Principal`/`NotPrincipal` entry (S-MATCH-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous included.
    Everyone,
    /// A 12-digit id or `arn:aws:iam::<id>:root`: the account (delegates, S-EVAL-5).
    /// `partition`: the ARN's partition; `None` for a bare id, which means the
    /// partition of the policy's own resource ("IAM roles and resource-based policies
    /// delegate access across accounts only within a single partition",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html>).
    Account { partition: Option<String>, account: String },
    /// An IAM user, assumed-role session or federated-user ARN: exact match.
    Arn(String),
    /// An IAM role ARN: the role and its sessions.
    Role {
        partition: String,
        account: String,
        name: String,
        arn: String,
    },
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
            return PrincipalEntry::Account {
                partition: None,
                account: v.to_string(),
            };
        }
        if let Some([_, partition, service, _, account, res]) = crate::arn::split(v) {
            if crate::request::is_account_id(account) {
                match (service, res.split_once('/')) {
                    ("iam", None) if res == "root" => {
                        return PrincipalEntry::Account {
                            partition: Some(partition.to_string()),
                            account: account.to_string(),
                        }
                    }
                    ("iam", Some(("role", rest))) if !rest.is_empty() => {
                        return PrincipalEntry::Role {
                            partition: partition.to_string(),
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

impl Statement {
    /// Its `Action`/`NotAction` element against `action` (S-MATCH-1): `Indeterminate`
    /// when the answer hinges on a malformed entry.
    pub(crate) fn action_tri(&self, action: &crate::request::Action) -> crate::condition::Tri {
        let t = self.actions.matches_tri(action);
        if self.not_action {
            t.negate()
        } else {
            t
        }
    }

    /// The `Resource`/`NotResource` patterns holding policy variables, as written (for
    /// the "allowed if" atoms and residuals that hinge on them).
    pub(crate) fn variable_resource_sources(&self) -> Vec<String> {
        self.resource
            .as_ref()
            .map(|(_, pats)| {
                pats.iter()
                    .filter_map(|p| match p {
                        ResourcePattern::Var(t) => Some(t.source().to_string()),
                        ResourcePattern::Arn(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
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
    /// Where the policy document sits in its file, as a JSON path
    /// (`RoleDetailList[3].RolePolicyList[0].PolicyDocument`), when it is not the whole file.
    pub(crate) pointer: Option<Arc<str>>,
    /// Whether the policy is public in S3's sense (S-S3-1), worked out once when parsed.
    pub(crate) public: bool,
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

    /// The policy with its place in its file given as a JSON path (`prefix`, e.g.
    /// `RoleDetailList[3].RolePolicyList[0].PolicyDocument` in the output of
    /// `aws iam get-account-authorization-details`): deciding statements then carry
    /// `path` = `prefix.Statement[i]` in the response (a single-object `Statement` is
    /// index 0).
    pub fn with_pointer(mut self, prefix: impl Into<Arc<str>>) -> Policy {
        self.pointer = Some(prefix.into());
        self
    }

    /// Whether an `Allow` statement may apply to `action`, by its action element alone
    /// (an indeterminate match counts: the caller looks further).
    pub(crate) fn may_allow(&self, action: &crate::request::Action) -> bool {
        self.index.candidates(action).any(|i| {
            self.statements
                .get(i)
                .is_some_and(|s| s.effect == Effect::Allow && s.action_tri(action) != crate::condition::Tri::False)
        })
    }

    /// The JSON path of the policy document in its file, if set ([`Policy::with_pointer`]).
    pub fn pointer(&self) -> Option<&str> {
        self.pointer.as_deref()
    }
}
