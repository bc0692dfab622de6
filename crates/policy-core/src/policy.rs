//! The policy document model (SEMANTICS §2): statements with their action, resource,
//! principal and condition parts, compiled for matching, each with its source span.

use std::sync::{Arc, OnceLock};

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
        self.matches_name(&ActionName::of(action))
    }

    fn matches_name(&self, action: &ActionName<'_>) -> bool {
        if self.any || self.whole.iter().any(|g| g.is_match(action.lc)) {
            return true;
        }
        let eq = |a: &str, b: &str| crate::pattern::bytes_eq(a.as_bytes(), b.as_bytes());
        if sorted_find(&self.exact, action.full_hash, |(h, _)| *h).any(|(_, full)| eq(full, action.lc)) {
            return true;
        }
        let (service, name) = (action.service(), action.name());
        sorted_find(&self.by_service, action.service_hash, |(h, _, _)| *h)
            .any(|(_, s, g)| eq(s, service) && g.is_match(name))
    }

    /// Whether some malformed entry could concern an action of `service` (when no valid
    /// entry matches, the statement's action match is then indeterminate).
    fn malformed_may_match_service(&self, service: &str) -> bool {
        self.malformed
            .iter()
            .any(|(s, _)| s.as_deref().is_none_or(|s| s == service))
    }

    /// The statement's action match: `True` when a valid entry matches, `Indeterminate`
    /// when none does but a malformed entry could (S-MATCH-1), else `False`.
    fn matches_tri(&self, action: &ActionName<'_>) -> crate::condition::Tri {
        use crate::condition::Tri;
        if self.matches_name(action) {
            Tri::True
        } else if !self.malformed.is_empty() && self.malformed_may_match_service(action.service()) {
            Tri::Indeterminate
        } else {
            Tri::False
        }
    }

    /// [`ActionSet::matches_tri`] for every action of `service` that no exact entry of
    /// the policy names, when the service alone decides it (`None`: the name does).
    fn tri_for_service(&self, service: &str) -> Option<crate::condition::Tri> {
        use crate::condition::Tri;
        let mut wildcard = !self.whole.is_empty();
        for (_, s, g) in &self.by_service {
            if **s == *service {
                if matches!(g, Glob::Any) {
                    return Some(Tri::True);
                }
                wildcard = true;
            }
        }
        if self.any {
            return Some(Tri::True);
        }
        if wildcard {
            return None;
        }
        // No entry matches such an action.
        Some(if self.malformed_may_match_service(service) {
            Tri::Indeterminate
        } else {
            Tri::False
        })
    }

    /// [`ActionSet::matches_tri`] for every action of a service that no entry of the
    /// policy names, when known (`None`: it depends on the action).
    fn tri_for_other_service(&self) -> Option<crate::condition::Tri> {
        use crate::condition::Tri;
        if self.any {
            Some(Tri::True)
        } else if self.whole.is_empty() && self.malformed.is_empty() {
            Some(Tri::False)
        } else {
            None
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

/// What matching an `Action` element reads of an action: its lower-cased
/// `service:name` and their hashes, borrowed (from a request's [`crate::request::Action`],
/// or from a policy's own entry when the index is built).
struct ActionName<'a> {
    lc: &'a str,
    colon: usize,
    service_hash: u64,
    full_hash: u64,
}

impl<'a> ActionName<'a> {
    fn of(action: &'a crate::request::Action) -> ActionName<'a> {
        ActionName {
            lc: &action.lc,
            colon: action.colon,
            service_hash: action.service_hash,
            full_hash: action.full_hash,
        }
    }

    /// The lower-cased `service:name` `lc` of hash `full_hash`, as
    /// [`crate::request::Action::parse`] reads it (the service ends at the first colon).
    fn new(lc: &'a str, full_hash: u64) -> ActionName<'a> {
        let colon = lc.find(':').unwrap_or(lc.len());
        ActionName {
            lc,
            colon,
            service_hash: crate::request::key_hash(lc.get(..colon).unwrap_or("")),
            full_hash,
        }
    }

    fn service(&self) -> &'a str {
        self.lc.get(..self.colon).unwrap_or("")
    }

    fn name(&self) -> &'a str {
        self.lc.get(self.colon + 1..).unwrap_or("")
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

/// Which statements can apply to a request's action, built once per policy, each with
/// its action match (S-MATCH-1) when that is known at load time:
/// - for each action some entry names exactly (`s3:getobject`): every statement whose
///   `Action`/`NotAction` element does not exclude it, its action match worked out;
/// - for each service some entry names (`s3`), for its actions that no entry names
///   exactly: every statement that may match them, its action match known when the
///   service alone decides it (`s3:*`: true; a `NotAction` of `s3:*` is left out);
/// - for the services no entry names: every statement that may match their actions.
///
/// Keyed by precomputed hashes, so a look-up is at most two hash-table probes, and
/// the candidates are one slice, in document order.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    /// The lists of the actions named exactly, by the hash of `service:name`.
    exact: NameTable,
    /// The lists of the named services, by the hash of the service prefix.
    by_service: NameTable,
    /// The names of `exact` and `by_service`, one after the other.
    names: String,
    /// The range of `lists` for a service no entry names.
    other: (u32, u32),
    /// The candidate lists, one after the other.
    lists: Vec<Candidate>,
    /// One bit per named service (bit `hash % 64` of its prefix): a request whose
    /// service's bit is clear takes the `other` list, without a look-up.
    service_bits: u64,
    /// What is left to match of the candidates whose action match depends on the
    /// action's name ([`Candidate::residual`]).
    residuals: Vec<Residual>,
}

/// The part of a statement's `Action`/`NotAction` element that can still match the
/// actions of one candidate list of the index, when the list's actions are all those
/// of one named service that no entry of the policy names exactly, or all those of
/// services no entry names (S-MATCH-1). Exact because of what the list's actions
/// cannot be: no exact entry can match them (their `service:name` is none of the
/// policy's exact names), no wildcard name of another service can (its service prefix
/// differs), and whether a malformed entry may concern them depends only on their
/// service, which the list fixes. What is left: the wildcard names of the list's
/// service, the entries with a wildcard in their service part, and the answer when
/// none of these matches.
#[derive(Debug, Clone)]
struct Residual {
    /// Name patterns of the list's service, matched against the action's name.
    names: Box<[Glob]>,
    /// Patterns with a wildcard service part, matched against `service:name`.
    whole: Box<[Glob]>,
    /// The element's match (before `NotAction`'s negation) when no pattern matches:
    /// `Indeterminate` when a malformed entry may concern the service, else `False`.
    otherwise: crate::condition::Tri,
    not_action: bool,
}

impl Residual {
    /// The residual of `st` for the actions of `service` that no exact entry of the
    /// policy names (`Some(service)`) or of the services no entry names (`None`), when
    /// the index does not know its action match; `None` when it cannot be made (an
    /// `*` entry, which the index always knows, or for services no entry names, a
    /// malformed entry naming a service, which might be the request's).
    fn new(st: &Statement, service: Option<&str>) -> Option<Residual> {
        use crate::condition::Tri;
        let set = &st.actions;
        if set.any {
            return None;
        }
        let (names, may_be_malformed) = match service {
            Some(service) => (
                set.by_service
                    .iter()
                    .filter(|(_, s, _)| **s == *service)
                    .map(|(_, _, g)| g.clone())
                    .collect(),
                set.malformed_may_match_service(service),
            ),
            None => {
                if set.malformed.iter().any(|(s, _)| s.is_some()) {
                    return None;
                }
                (Box::default(), !set.malformed.is_empty())
            }
        };
        Some(Residual {
            names,
            whole: set.whole.clone().into_boxed_slice(),
            otherwise: if may_be_malformed {
                Tri::Indeterminate
            } else {
                Tri::False
            },
            not_action: st.not_action,
        })
    }

    /// [`Statement::action_tri`] of the statement for `action`, one of the list's.
    #[inline]
    fn tri(&self, action: &crate::request::Action) -> crate::condition::Tri {
        use crate::condition::Tri;
        // Most name patterns are `Get*`-style prefixes: compared in place, without a
        // call (`Glob::is_match` answers the same).
        let name_match = |g: &Glob, name: &str| match g {
            Glob::Prefix(p) => crate::pattern::has_prefix(name, p),
            g => g.is_match(name),
        };
        let matched = self.names.iter().any(|g| name_match(g, action.name()))
            || self.whole.iter().any(|g| name_match(g, &action.lc));
        match (matched, self.not_action) {
            (true, false) => Tri::True,
            (true, true) => Tri::False,
            (false, false) => self.otherwise,
            (false, true) => self.otherwise.negate(),
        }
    }
}

/// A name's hash, the name (a range of [`ActionIndex::names`]) and its candidates (a
/// range of [`ActionIndex::lists`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexEntry {
    pub(crate) hash: u64,
    pub(crate) name: (u32, u32),
    pub(crate) list: (u32, u32),
}

/// Names with their lists, found by hash (open addressing, at most half full: one
/// probe or a few; hashes may collide, names are compared).
#[derive(Debug, Clone, Default)]
pub(crate) struct NameTable {
    /// A power of two of slots (or none).
    slots: Box<[Option<IndexEntry>]>,
    /// 64 − log2 of the number of slots: a hash's first slot is the top bits of its
    /// product with a constant (Fibonacci hashing).
    shift: u32,
}

impl NameTable {
    pub(crate) fn new(entries: &[IndexEntry]) -> NameTable {
        if entries.is_empty() {
            return NameTable::default();
        }
        let len = (entries.len() * 2).next_power_of_two();
        let mut table = NameTable {
            slots: vec![None; len].into_boxed_slice(),
            shift: 64 - len.trailing_zeros(),
        };
        for e in entries {
            let mut i = table.first_slot(e.hash);
            while let Some(slot) = table.slots.get_mut(i) {
                if slot.is_none() {
                    *slot = Some(*e);
                    break;
                }
                i = (i + 1) & (len - 1);
            }
        }
        table
    }

    #[inline]
    fn first_slot(&self, hash: u64) -> usize {
        // `shift` < 64 whenever there is a slot.
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (self.shift & 63)) as usize
    }

    /// Every entry's hash and name (names in `names`), in no particular order.
    fn names<'a>(&'a self, names: &'a str) -> impl Iterator<Item = (u64, &'a str)> + 'a {
        self.slots.iter().flatten().map(move |e| {
            let name = names.get(e.name.0 as usize..e.name.1 as usize).unwrap_or_default();
            (e.hash, name)
        })
    }

    /// The list of `name` (of hash `hash`; names in `names`), if it has one.
    #[inline]
    pub(crate) fn get(&self, names: &str, hash: u64, name: &str) -> Option<(u32, u32)> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = self.first_slot(hash) & mask;
        loop {
            // At most half full: an empty slot ends the search.
            let e = self.slots.get(i)?.as_ref()?;
            if e.hash == hash
                && names
                    .as_bytes()
                    .get(e.name.0 as usize..e.name.1 as usize)
                    .is_some_and(|n| crate::pattern::bytes_eq(n, name.as_bytes()))
            {
                return Some(e.list);
            }
            i = (i + 1) & mask;
        }
    }
}

/// A statement that may apply to a request's action, and its action match when the
/// index knows it (`None`: match at run time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    index: u32,
    action: Option<crate::condition::Tri>,
    /// The statement applies to every request for these actions: its action match is
    /// true, and it has no condition, no `Principal`/`NotPrincipal`, and no `Resource`
    /// or one whose first pattern is `*` (which matches every resource, S-MATCH-2,
    /// before any later pattern is looked at).
    applies: bool,
    /// When `action` is `None`: the index of its [`Residual`] in
    /// [`ActionIndex::residuals`], or [`NO_RESIDUAL`] (match the whole element).
    residual: u16,
}

/// [`Candidate::residual`] when the candidate has none.
const NO_RESIDUAL: u16 = u16::MAX;

impl Candidate {
    fn new(index: u32, action: Option<crate::condition::Tri>, st: &Statement) -> Candidate {
        let any_resource = match &st.resource {
            None => true,
            Some((negated, pats)) => !negated && matches!(pats.first(), Some(ResourcePattern::Arn(ArnPattern::Any))),
        };
        Candidate {
            index,
            action,
            applies: action == Some(crate::condition::Tri::True)
                && any_resource
                && st.principal.is_none()
                && st.conditions.is_empty(),
            residual: NO_RESIDUAL,
        }
    }
}

/// The [`ActionIndex::service_bits`] bit of a service prefix hash.
pub(crate) fn service_bit(hash: u64) -> u64 {
    1 << (hash % 64)
}

/// The service prefix of a lower-cased `service:name`.
pub(crate) fn service_of(full: &str) -> &str {
    full.split_once(':').map_or(full, |(s, _)| s)
}

impl ActionIndex {
    pub(crate) fn new(statements: &[Statement]) -> ActionIndex {
        use crate::condition::Tri;
        use crate::request::key_hash;
        let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        // `(hash of service, statement, service)` for each service an entry names (an
        // exact or a wildcard name in it), the exact names `(hash, service:name)`, and
        // the statements whose element is not only such names (`*`, wildcard services,
        // malformed entries, `NotAction`): they may concern any action.
        let mut naming: Vec<(u64, u32, &str)> = Vec::new();
        let mut keys: Vec<(u64, &str)> = Vec::new();
        let mut open: Vec<u32> = Vec::new();
        for (i, st) in statements.iter().enumerate() {
            if st.not_action || !st.actions.indexable() {
                open.push(id(i));
            }
            for (h, full) in &st.actions.exact {
                keys.push((*h, full));
                let service = service_of(full);
                naming.push((key_hash(service), id(i), service));
            }
            for (h, svc, _) in &st.actions.by_service {
                naming.push((*h, id(i), svc));
            }
        }
        naming.sort_unstable_by_key(|&(h, i, _)| (h, i));
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        keys.dedup();
        // Each named service with the statements naming it, in document order.
        let mut services: Vec<(u64, &str, Vec<u32>)> = Vec::new();
        for &(h, i, svc) in &naming {
            let same = services
                .iter_mut()
                .rev()
                .take_while(|(sh, _, _)| *sh == h)
                .find(|(_, s, _)| *s == svc);
            match same {
                Some((_, _, list)) => {
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
                None => services.push((h, svc, vec![i])),
            }
        }
        // Quadratic at worst (names × statements): past this size, one list of every
        // statement, matched at run time.
        let budget = statements.len().saturating_mul(64).max(1 << 16);
        let mut index = ActionIndex::default();
        // Files the statements of `named` and `open` (both sorted), with their action
        // match as `tri` says, leaving out those that cannot match; those whose match it
        // leaves open with their residual for the list's actions (`service`: see
        // `Residual::new`; `None` for exact names, whose matches `tri` always knows).
        let push = |index: &mut ActionIndex,
                    named: &[u32],
                    tri: &dyn Fn(&Statement) -> Option<Tri>,
                    service: Option<Option<&str>>| {
            let start = id(index.lists.len());
            let (mut a, mut b) = (named.iter().peekable(), open.iter().peekable());
            loop {
                let i = match (a.peek(), b.peek()) {
                    (Some(&&x), Some(&&y)) if x == y => {
                        a.next();
                        b.next();
                        x
                    }
                    (Some(&&x), Some(&&y)) if x < y => {
                        a.next();
                        x
                    }
                    (_, Some(&&y)) => {
                        b.next();
                        y
                    }
                    (Some(&&x), None) => {
                        a.next();
                        x
                    }
                    (None, None) => break,
                };
                let Some(st) = statements.get(i as usize) else { continue };
                let t = tri(st);
                if t != Some(Tri::False) {
                    let mut c = Candidate::new(i, t, st);
                    if let (None, Some(service)) = (t, service) {
                        let room = u16::try_from(index.residuals.len()).is_ok_and(|n| n < NO_RESIDUAL);
                        if let Some(r) = Residual::new(st, service).filter(|_| room) {
                            c.residual = u16::try_from(index.residuals.len()).unwrap_or(NO_RESIDUAL);
                            index.residuals.push(r);
                        }
                    }
                    index.lists.push(c);
                }
            }
            (start, id(index.lists.len()))
        };
        let negated = |st: &Statement, t: Option<Tri>| if st.not_action { t.map(Tri::negate) } else { t };
        let file = |entries: &mut Vec<IndexEntry>, names: &mut String, hash: u64, key: &str, list: (u32, u32)| {
            let start = id(names.len());
            names.push_str(key);
            entries.push(IndexEntry {
                hash,
                name: (start, id(names.len())),
                list,
            });
        };
        let (mut exact, mut by_service) = (Vec::new(), Vec::new());
        let all: Vec<u32> = (0..statements.len()).map(id).collect();
        index.other = push(
            &mut index,
            &all,
            &|st| negated(st, st.actions.tri_for_other_service()),
            Some(None),
        );
        for (h, service, named) in &services {
            let range = push(
                &mut index,
                named,
                &|st| negated(st, st.actions.tri_for_service(service)),
                Some(Some(service)),
            );
            file(&mut by_service, &mut index.names, *h, service, range);
            index.service_bits |= service_bit(*h);
        }
        for &(h, key) in &keys {
            if index.lists.len() > budget {
                break;
            }
            let name = ActionName::new(key, h);
            let first = services.partition_point(|(sh, _, _)| *sh < name.service_hash);
            let Some((_, _, named)) = services
                .get(first..)
                .unwrap_or_default()
                .iter()
                .take_while(|(sh, _, _)| *sh == name.service_hash)
                .find(|(_, s, _)| *s == name.service())
            else {
                continue;
            };
            let range = push(&mut index, named, &|st| Some(st.action_tri_name(&name)), None);
            file(&mut exact, &mut index.names, h, key, range);
        }
        index.exact = NameTable::new(&exact);
        index.by_service = NameTable::new(&by_service);
        if index.lists.len() > budget {
            index = ActionIndex {
                lists: all
                    .iter()
                    .map(|&index| Candidate {
                        index,
                        action: None,
                        applies: false,
                        residual: NO_RESIDUAL,
                    })
                    .collect(),
                other: (0, id(all.len())),
                ..ActionIndex::default()
            };
        }
        index
    }

    /// Candidate statements for the request's action, in document order, each once.
    #[inline(always)]
    pub(crate) fn candidates(&self, action: &crate::request::Action) -> Candidates<'_> {
        self.candidates_in(self.range(action))
    }

    /// Where the candidates of the request's action are in the index (what
    /// [`ActionIndex::candidates_in`] turns into candidates): at most two hash look-ups.
    #[inline]
    pub(crate) fn range(&self, action: &crate::request::Action) -> (u32, u32) {
        self.range_of(action.full_hash, &action.lc, action.service_hash, action.service())
    }

    /// [`ActionIndex::range`] of the lower-cased action `lc` (`service:name`, of hash
    /// `full_hash`) of the service `service` (of hash `service_hash`).
    // Always inlined: most requests take `other` after the bit test, without a call.
    #[inline(always)]
    pub(crate) fn range_of(&self, full_hash: u64, lc: &str, service_hash: u64, service: &str) -> (u32, u32) {
        // No entry names the action's service: no look-up.
        if self.service_bits & service_bit(service_hash) == 0 {
            self.other
        } else {
            self.exact
                .get(&self.names, full_hash, lc)
                .or_else(|| self.by_service.get(&self.names, service_hash, service))
                .unwrap_or(self.other)
        }
    }

    /// [`ActionIndex::range`] of the actions of the services no entry names.
    pub(crate) fn other_range(&self) -> (u32, u32) {
        self.other
    }

    /// [`ActionIndex::range`] of the actions of `service` (of hash `service_hash`) that
    /// no entry names exactly.
    pub(crate) fn range_of_service(&self, service_hash: u64, service: &str) -> (u32, u32) {
        if self.service_bits & service_bit(service_hash) == 0 {
            self.other
        } else {
            self.by_service
                .get(&self.names, service_hash, service)
                .unwrap_or(self.other)
        }
    }

    /// The actions the index's entries name exactly: `(hash, service:name)`, lower-cased.
    pub(crate) fn names(&self) -> impl Iterator<Item = (u64, &str)> {
        self.exact.names(&self.names)
    }

    /// The services the index's entries name: `(hash, service)`.
    pub(crate) fn services(&self) -> impl Iterator<Item = (u64, &str)> {
        self.by_service.names(&self.names)
    }

    /// The candidates at `range`, a [`ActionIndex::range`] of this index.
    #[inline]
    pub(crate) fn candidates_in(&self, range: (u32, u32)) -> Candidates<'_> {
        Candidates(
            self.lists
                .get(range.0 as usize..range.1 as usize)
                .unwrap_or_default()
                .iter(),
        )
    }
}

/// The candidates of [`ActionIndex::candidates`].
pub(crate) struct Candidates<'a>(std::slice::Iter<'a, Candidate>);

impl<'a> Candidates<'a> {
    /// Whether there is no candidate at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.len() == 0
    }

    /// The next candidate.
    #[inline]
    pub(crate) fn next_candidate(&mut self) -> Option<&'a Candidate> {
        self.0.next()
    }
}

impl Candidate {
    /// The statement's index in its policy.
    #[inline(always)]
    pub(crate) fn statement(&self) -> usize {
        self.index as usize
    }

    /// Its `Action`/`NotAction` element's match when the index knows it whatever the
    /// action (`None`: [`ActionIndex::open_action_tri`] says).
    #[inline(always)]
    pub(crate) fn action(&self) -> Option<crate::condition::Tri> {
        self.action
    }

    /// Whether the statement applies whatever the request (see [`Candidate::applies`]).
    #[inline(always)]
    pub(crate) fn applies(&self) -> bool {
        self.applies
    }
}

impl ActionIndex {
    /// The `Action`/`NotAction` match of candidate `c` of this index, statement `stmt`,
    /// for `action`, the action its candidates were looked up for, when
    /// [`Candidate::action`] is `None`: from its [`Residual`] when it has one, else
    /// [`Statement::action_tri`]. Not inlined: most candidates' match is known.
    #[inline(never)]
    pub(crate) fn open_action_tri(
        &self,
        c: &Candidate,
        stmt: &Statement,
        action: &crate::request::Action,
    ) -> crate::condition::Tri {
        // `NO_RESIDUAL` is past the end of the residuals.
        match self.residuals.get(usize::from(c.residual)) {
            Some(r) => r.tri(action),
            None => stmt.action_tri(action),
        }
    }
}

impl Iterator for Candidates<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        self.0.next().map(|c| c.index as usize)
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
        self.action_tri_name(&ActionName::of(action))
    }

    fn action_tri_name(&self, action: &ActionName<'_>) -> crate::condition::Tri {
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
    /// The JSON of each statement's deciding item but its closing brace,
    /// `{"label":"identity[0].Statement[2]","effect":"Allow","sid":"Reports"`, for the
    /// first few slots the policy was written from (written on first use).
    pub(crate) deciding_json: DecidingJson,
}

/// How many slots of a [`PolicySet`](crate::PolicySet) (or of the policy sets an estate
/// builds, one per principal) [`DecidingJson`] keeps the deciding items of: a managed
/// policy attached to several principals sits in a different slot for each.
const DECIDING_SLOTS: usize = 4;

/// A policy's deciding items ([`Policy::deciding_json`]) for up to [`DECIDING_SLOTS`]
/// slots, each table built the first time the policy decides from that slot. Cells
/// are filled in order and never change: a look-up reads them without a lock.
#[derive(Debug, Clone, Default)]
pub(crate) struct DecidingJson([OnceLock<SlotItems>; DECIDING_SLOTS]);

/// A slot and the deciding item of each statement in it.
type SlotItems = (crate::eval::PolicySlot, Box<[Box<str>]>);

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

    /// The JSON of the deciding item of statement `index` in `slot` but its closing
    /// brace: `{"label":"identity[0].Statement[2]","effect":"Allow"` and `,"sid":"…"`
    /// when it has a `Sid`. Built for every statement the first time one is asked for
    /// in that slot (batch mode writes the same statements on many lines), for up to
    /// [`DECIDING_SLOTS`] slots; `None` past them (a policy shared by more slots) or for
    /// no such statement.
    pub(crate) fn deciding_json(&self, slot: crate::eval::PolicySlot, index: usize) -> Option<&str> {
        for cell in &self.deciding_json.0 {
            let (built_for, all) = cell.get_or_init(|| (slot, self.deciding_items(slot)));
            if *built_for == slot {
                return all.get(index).map(|s| &**s);
            }
        }
        None
    }

    /// Every statement's deciding item in `slot`, for [`Policy::deciding_json`].
    fn deciding_items(&self, slot: crate::eval::PolicySlot) -> Box<[Box<str>]> {
        self.statements
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let mut out = Vec::with_capacity(64);
                out.extend_from_slice(b"{\"label\":\"");
                slot.push_label(&mut out);
                out.extend_from_slice(b".Statement[");
                out.extend_from_slice(crate::json_out::Digits::new(i as u64).as_str().as_bytes());
                out.extend_from_slice(match st.effect {
                    Effect::Allow => b"]\",\"effect\":\"Allow\"",
                    Effect::Deny => b"]\",\"effect\":\"Deny\"",
                });
                if let Some(sid) = &st.sid {
                    crate::json_out::push_str_member(&mut out, "sid", sid);
                }
                String::from_utf8(out).unwrap_or_default().into_boxed_str()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ENTRIES: &[&str] = &[
        "s3:GetObject",
        "S3:getobject",
        "s3:Get*",
        "s3:*",
        "s3:Put*",
        "iam:*",
        "iam:PassRole",
        "*",
        "s?:Get*",
        "s3:",
        "bogus",
        "s3:GetObject ",
        "kms:Decrypt",
        "ec2:Describe*",
        "*:Get*",
        "sx:",
        "s3:*Object",
    ];
    const ACTIONS: &[&str] = &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "iam:PassRole",
        "iam:CreateUser",
        "kms:Decrypt",
        "ec2:DescribeInstances",
        "sqs:SendMessage",
        "sx:GetThing",
        "s3:GetObjectAcl",
        "sqs:GetQueueUrl",
    ];

    proptest! {
        /// The index leaves out only statements whose action match is false, lists the
        /// others in document order, and its known action matches (from the index, and
        /// from the residuals for the request's action) are `action_tri`'s.
        #[test]
        fn index_agrees_with_action_tri(
            stmts in proptest::collection::vec(
                (any::<bool>(), proptest::collection::vec(0..ENTRIES.len(), 1..4)),
                1..6,
            ),
        ) {
            let statements: Vec<String> = stmts
                .iter()
                .map(|(not, es)| {
                    let es: Vec<String> = es.iter().filter_map(|&e| ENTRIES.get(e)).map(|e| format!("{e:?}")).collect();
                    format!(
                        r#"{{"Effect":"Allow","{}":[{}],"Resource":"*"}}"#,
                        if *not { "NotAction" } else { "Action" },
                        es.join(",")
                    )
                })
                .collect();
            let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","));
            let source = crate::span::Source::new("p.json", text);
            let policy = crate::parse::parse_policy(&source, PolicyType::Identity).unwrap().policy;
            for a in ACTIONS {
                let action = crate::request::Action::parse(a).unwrap();
                let mut listed = Vec::new();
                let mut c = policy.index.candidates(&action);
                while let Some(cand) = c.next_candidate() {
                    let (i, known, applies) = (cand.statement(), cand.action(), cand.applies());
                    let t = policy.statements[i].action_tri(&action);
                    if let Some(k) = known {
                        prop_assert_eq!(k, t, "{} statement {}", a, i);
                    }
                    // Every statement of this test has `Resource: *` and nothing else.
                    prop_assert_eq!(applies, known == Some(crate::condition::Tri::True), "{} statement {}", a, i);
                    listed.push(i);
                }
                prop_assert!(listed.windows(2).all(|w| w[0] < w[1]), "{}: {:?}", a, listed);
                // The action matches worked out from the residuals are `action_tri`'s too.
                let mut c = policy.index.candidates(&action);
                while let Some(cand) = c.next_candidate() {
                    let st = &policy.statements[cand.statement()];
                    if cand.action().is_none() {
                        let t = policy.index.open_action_tri(cand, st, &action);
                        prop_assert_eq!(t, st.action_tri(&action), "{} statement {} (residual)", a, cand.statement());
                    }
                }
                for (i, st) in policy.statements.iter().enumerate() {
                    if !listed.contains(&i) {
                        prop_assert_eq!(st.action_tri(&action), crate::condition::Tri::False, "{} statement {}", a, i);
                    }
                }
            }
        }
    }
}
