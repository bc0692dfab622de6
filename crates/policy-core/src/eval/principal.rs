//! Principal matching (S-MATCH-3, S-MATCH-3a, S-MATCH-3b): which link of the caller's chain a
//! `Principal` entry names, and how strongly (the grant kind decides S-EVAL-5's
//! same-account rules).
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>.

use crate::policy::{Effect, PrincipalEntry, PrincipalSpec};
use crate::request::{Principal, PrincipalKind, Request};

/// How a resource-based policy's `Principal` named the caller (S-EVAL-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// The account (12-digit id or `:root`): delegates to the account's IAM policies.
    Account,
    /// The role of a role session, or the IAM user behind a federated-user session:
    /// limited by the boundary and the session policy.
    Role,
    /// The caller itself (user, session, service, provider, canonical user).
    Direct,
    /// `*`: everyone.
    Everyone,
}

/// The links of the caller's chain that `entry` lists (S-MATCH-3, S-MATCH-3a):
/// returns the grant kind when it names some link. `partition` is the partition of the
/// policy's own resource, which a bare 12-digit account id means; an entry of another
/// partition never names the caller ("IAM roles and resource-based policies delegate
/// access across accounts only within a single partition",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html>).
pub(super) fn entry_grant(entry: &PrincipalEntry, p: &Principal, partition: &str) -> Option<Grant> {
    use PrincipalKind as K;
    let iam_caller = matches!(p.kind, K::Root | K::User | K::Role | K::AssumedRole | K::FederatedUser);
    match entry {
        PrincipalEntry::Everyone => Some(Grant::Everyone),
        PrincipalEntry::Account {
            partition: entry_partition,
            account,
        } => (iam_caller
            && p.partition == entry_partition.as_deref().unwrap_or(partition)
            && p.account.as_deref() == Some(account.as_str()))
        .then_some(Grant::Account),
        // Full ARNs: the partition is part of the text compared.
        PrincipalEntry::Arn(a) => {
            if iam_caller && p.id == *a {
                Some(Grant::Direct)
            } else if p.kind == K::FederatedUser && p.issuer.as_deref() == Some(a.as_str()) {
                Some(Grant::Role)
            } else {
                None
            }
        }
        PrincipalEntry::Role {
            partition: role_partition,
            account,
            name,
            arn,
        } => {
            let is_role = matches!(p.kind, K::Role | K::AssumedRole)
                && p.partition == *role_partition
                && p.account.as_deref() == Some(account.as_str())
                && (p.role_name.as_deref() == Some(name.as_str()) || p.issuer.as_deref() == Some(arn.as_str()));
            is_role.then_some(Grant::Role)
        }
        PrincipalEntry::Service(s) => (p.kind == K::Service && p.id.eq_ignore_ascii_case(s)).then_some(Grant::Direct),
        PrincipalEntry::Federated(s) => (p.kind == K::Federated && p.id == *s).then_some(Grant::Direct),
        PrincipalEntry::CanonicalUser(s) => (p.kind == K::CanonicalUser && p.id == *s).then_some(Grant::Direct),
        PrincipalEntry::Unresolved(_) => None,
    }
}

/// An unresolvable entry (a unique id) matches the request whose `aws:userid` is that id
/// (`AIDA…` for users, `AROA…:session` for role sessions).
pub(super) fn unresolved_matches(entry: &PrincipalEntry, req: &Request) -> bool {
    let PrincipalEntry::Unresolved(id) = entry else {
        return false;
    };
    req.context.get("aws:userid").is_some_and(|v| {
        v.iter()
            .any(|u| u == id || u.strip_prefix(id.as_str()).is_some_and(|r| r.starts_with(':')))
    })
}

/// How a `NotPrincipal` element's statement treats the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotPrincipal {
    /// The statement applies to the caller.
    Applies,
    /// The caller is excluded.
    Excluded,
    /// The caller would be excluded, but has a permissions boundary: a `Deny` with
    /// `NotPrincipal` applies to it all the same (S-MATCH-3a).
    AppliesBecauseOfBoundary,
    /// An `Allow`'s `NotPrincipal` names a unique id the engine cannot resolve and the
    /// request gives no `aws:userid` to compare it with: whether the caller is the one
    /// excluded cannot be known, so the statement does not allow (S-MATCH-3b, S-COND-8).
    Indeterminate,
}

/// `Principal`: the strongest grant among listed links (S-MATCH-3).
pub(super) fn principal_matches(spec: &PrincipalSpec, p: &Principal, partition: &str) -> Option<Grant> {
    // `*` is the strongest grant: the most common entry of resource-based policies
    // answers without looking at the caller.
    if let [PrincipalEntry::Everyone] = spec.entries.as_slice() {
        return Some(Grant::Everyone);
    }
    spec.entries.iter().filter_map(|e| entry_grant(e, p, partition)).max()
}

/// `NotPrincipal` (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>):
/// - with `Deny` (S-MATCH-3a), the caller is excluded only when every link of its
///   chain is listed (its account, its user or role, its session), and never when it
///   has a permissions boundary: "The NotPrincipal element with a Deny effect will
///   always deny any IAM principal that has a permissions boundary policy attached,
///   regardless of the values specified in the NotPrincipal element"
///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>);
/// - with `Allow` (S-MATCH-3b), "all principals *except* the one named": the caller is
///   excluded when any link of its chain is listed (fail closed: an account listed
///   excludes its principals).
///
/// A unique id (`AIDA…`, `AROA…`) the engine cannot resolve lists the caller whose
/// `aws:userid` it is (a direct link); with `Allow` and no `aws:userid` in the request
/// the answer is [`NotPrincipal::Indeterminate`] (never fail open).
pub(super) fn not_principal(
    spec: &PrincipalSpec,
    req: &Request,
    partition: &str,
    effect: Effect,
    has_boundary: bool,
) -> NotPrincipal {
    let p = &req.principal;
    let listed = |want: &dyn Fn(Grant) -> bool| {
        spec.entries.iter().any(|e| {
            entry_grant(e, p, partition).is_some_and(want) || (want(Grant::Direct) && unresolved_matches(e, req))
        })
    };
    if effect == Effect::Allow {
        return if listed(&|_| true) {
            NotPrincipal::Excluded
        } else if req.context.get("aws:userid").is_none()
            && spec.entries.iter().any(|e| matches!(e, PrincipalEntry::Unresolved(_)))
        {
            NotPrincipal::Indeterminate
        } else {
            NotPrincipal::Applies
        };
    }
    use PrincipalKind as K;
    let account = || listed(&|g| matches!(g, Grant::Account | Grant::Everyone));
    let direct = || listed(&|g| matches!(g, Grant::Direct | Grant::Everyone));
    let role = || listed(&|g| matches!(g, Grant::Role | Grant::Everyone));
    let excluded = match p.kind {
        K::Root => account(),
        K::User | K::FederatedUser => account() && direct(),
        K::Role => account() && role(),
        K::AssumedRole => account() && role() && direct(),
        K::Anonymous => listed(&|g| g == Grant::Everyone),
        K::Service | K::Federated | K::CanonicalUser => direct(),
    };
    match (excluded, has_boundary) {
        (false, _) => NotPrincipal::Applies,
        (true, false) => NotPrincipal::Excluded,
        (true, true) => NotPrincipal::AppliesBecauseOfBoundary,
    }
}
