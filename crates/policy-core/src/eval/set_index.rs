//! The action index of a whole policy set, built once when the set is loaded.

use std::sync::Arc;

use crate::policy::{service_bit, service_of, IndexEntry, NameTable, Policy};
use crate::request::{key_hash, Action};

use super::{slots, PolicySet};

/// Most entries (policies × names) a [`SetIndex`] holds: past this, it answers nothing
/// and each policy's own index is asked (8 bytes an entry: 8 MiB).
const MAX_ENTRIES: usize = 1 << 20;

/// Which statements of every policy of a [`PolicySet`] can apply to a request's
/// action, in one hash look-up (two when the action is not named exactly) for the
/// whole set instead of one or two per policy.
///
/// Shape: the set's policies in evaluation order (identity, resource, permissions
/// boundary, session, SCPs level by level, RCPs level by level, VPC endpoint
/// policies), each held (`Arc` clones: strong references, so no other policy can take
/// an address while the index lives); and a table of rows, one entry per policy, each
/// entry where that policy's own action index keeps its candidate statements:
/// - a row for every action some policy names exactly (`s3:getobject`);
/// - a row for every service some policy names (`s3`), for its other actions;
/// - a row for the actions of the services no policy names.
///
/// Built once per set, at load time ([`SetIndex::new`]): O(names × policies) look-ups
/// and memory (past a million entries it holds no rows, and evaluation asks each
/// policy's own index). [`crate::evaluate_indexed`] and [`crate::evaluate_into`] use a
/// row only for the policies that are still the very same policy at the same place of
/// the set being evaluated; for any other (a set changed after the index was built)
/// they ask the policy's own index, so the decision never depends on whether the index
/// is up to date, only the speed.
#[derive(Debug, Clone, Default)]
pub struct SetIndex {
    /// The set's policies, in evaluation order ([`slots`]).
    policies: Vec<Arc<Policy>>,
    /// The rows of the actions named exactly, by the hash of `service:name`.
    exact: NameTable,
    /// The rows of the named services, by the hash of the service prefix.
    by_service: NameTable,
    /// The names of `exact` and `by_service`, one after the other.
    names: String,
    /// Where the row of the actions of services no policy names is in `ranges`.
    other: (u32, u32),
    /// The rows, one after the other: per policy, its [`crate::policy::ActionIndex::range`].
    ranges: Vec<(u32, u32)>,
    /// One bit per named service (as in the policies' own indexes): a request whose
    /// service's bit is clear takes the `other` row, without a look-up.
    service_bits: u64,
}

/// The candidate ranges of one action for the policies of a [`SetIndex`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SetRow<'i> {
    policies: &'i [Arc<Policy>],
    ranges: &'i [(u32, u32)],
}

impl SetRow<'_> {
    /// The range of the candidates of `policy`, the `k`th policy of the set evaluated
    /// (in [`slots`] order), when the index's `k`th policy is this very policy.
    #[inline]
    pub(crate) fn range(&self, k: usize, policy: &Policy) -> Option<(u32, u32)> {
        let held = self.policies.get(k)?;
        if std::ptr::eq(Arc::as_ptr(held), policy) {
            self.ranges.get(k).copied()
        } else {
            None
        }
    }
}

/// The number of policies of `policies`.
fn policy_count(policies: &PolicySet) -> usize {
    let levels = |l: &[Vec<Arc<Policy>>]| l.iter().map(Vec::len).sum::<usize>();
    policies.identity.len()
        + usize::from(policies.resource.is_some())
        + usize::from(policies.permissions_boundary.is_some())
        + usize::from(policies.session.is_some())
        + levels(&policies.scp)
        + levels(&policies.rcp)
        + policies.vpc_endpoint.len()
}

impl SetIndex {
    /// The index of `policies` (see [`SetIndex`] for its cost).
    pub fn new(policies: &PolicySet) -> SetIndex {
        let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let held: Vec<Arc<Policy>> = slots(policies).map(|(_, p)| Arc::clone(p)).collect();
        let n = held.len();
        let mut exact: Vec<(u64, &str)> = held.iter().flat_map(|p| p.index.names()).collect();
        exact.sort_unstable();
        exact.dedup();
        // The services named, also those of the exact names.
        let mut services: Vec<(u64, &str)> = held
            .iter()
            .flat_map(|p| p.index.services())
            .chain(exact.iter().map(|&(_, name)| {
                let service = service_of(name);
                (key_hash(service), service)
            }))
            .collect();
        services.sort_unstable();
        services.dedup();
        let rows = exact.len() + services.len() + 1;
        if rows.saturating_mul(n) > MAX_ENTRIES || u32::try_from(rows.saturating_mul(n)).is_err() {
            return SetIndex {
                policies: held,
                ..SetIndex::default()
            };
        }
        let mut index = SetIndex {
            ranges: Vec::with_capacity(rows * n),
            ..SetIndex::default()
        };
        let push = |index: &mut SetIndex, range: &dyn Fn(&Policy) -> (u32, u32)| {
            let start = id(index.ranges.len());
            index.ranges.extend(held.iter().map(|p| range(p)));
            (start, id(index.ranges.len()))
        };
        index.other = push(&mut index, &|p| p.index.other_range());
        let file = |index: &mut SetIndex, hash: u64, name: &str, row: (u32, u32)| {
            let start = id(index.names.len());
            index.names.push_str(name);
            IndexEntry {
                hash,
                name: (start, id(index.names.len())),
                list: row,
            }
        };
        let mut by_service = Vec::with_capacity(services.len());
        for &(h, service) in &services {
            let row = push(&mut index, &|p| p.index.range_of_service(h, service));
            by_service.push(file(&mut index, h, service, row));
            index.service_bits |= service_bit(h);
        }
        let mut by_name = Vec::with_capacity(exact.len());
        for &(h, name) in &exact {
            let service = service_of(name);
            let sh = key_hash(service);
            let row = push(&mut index, &|p| p.index.range_of(h, name, sh, service));
            by_name.push(file(&mut index, h, name, row));
        }
        index.exact = NameTable::new(&by_name);
        index.by_service = NameTable::new(&by_service);
        index.policies = held;
        index
    }

    /// The row of `action` for `policies`, or `None` when `policies` has not as many
    /// policies as the index (or the index holds no rows).
    #[inline]
    pub(crate) fn row(&self, policies: &PolicySet, action: &Action) -> Option<SetRow<'_>> {
        if self.ranges.is_empty() || policy_count(policies) != self.policies.len() {
            return None;
        }
        let row = if self.service_bits & service_bit(action.service_hash) == 0 {
            self.other
        } else {
            self.exact
                .get(&self.names, action.full_hash, &action.lc)
                .or_else(|| self.by_service.get(&self.names, action.service_hash, action.service()))
                .unwrap_or(self.other)
        };
        Some(SetRow {
            policies: &self.policies,
            ranges: self.ranges.get(row.0 as usize..row.1 as usize)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyType;
    use crate::span::Source;

    fn policy(ty: PolicyType, statements: &[&str]) -> Arc<Policy> {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","));
        Arc::new(
            crate::parse::parse_policy(&Source::new("p.json", text), ty)
                .unwrap()
                .policy,
        )
    }

    /// Every policy of an unchanged set gets its row entry, and the entry is what the
    /// policy's own index answers, for actions named exactly, by service, by wildcard,
    /// through `NotAction`, and not at all.
    #[test]
    fn rows_are_the_policies_own_answers() {
        let allow = |a: &str| format!(r#"{{"Effect":"Allow","Action":{a},"Resource":"*"}}"#);
        let set = PolicySet {
            identity: vec![
                policy(PolicyType::Identity, &[&allow(r#""s3:GetObject""#)]),
                policy(PolicyType::Identity, &[&allow(r#"["ec2:*","iam:List*"]"#)]),
            ],
            resource: Some(policy(
                PolicyType::Resource,
                &[r#"{"Effect":"Deny","Principal":"*","NotAction":"s3:Get*","Resource":"*"}"#],
            )),
            permissions_boundary: Some(policy(PolicyType::PermissionsBoundary, &[&allow(r#""*""#)])),
            session: Some(policy(PolicyType::Session, &[&allow(r#""s3:*""#)])),
            scp: vec![
                vec![policy(PolicyType::Scp, &[&allow(r#""*""#)])],
                vec![
                    policy(PolicyType::Scp, &[&allow(r#""s3:PutObject""#)]),
                    policy(PolicyType::Scp, &[&allow(r#""*:Describe*""#)]),
                ],
            ],
            rcp: vec![vec![policy(
                PolicyType::Rcp,
                &[r#"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"}"#],
            )]],
            vpc_endpoint: vec![policy(PolicyType::VpcEndpoint, &[&allow(r#""ec2:RunInstances""#)])],
        };
        let index = SetIndex::new(&set);
        assert_eq!(index.policies.len(), 10);
        for action in [
            "s3:GetObject",
            "S3:PutObject",
            "s3:DeleteObject",
            "s3:ListBucket",
            "ec2:RunInstances",
            "ec2:DescribeVpcs",
            "iam:ListUsers",
            "iam:CreateUser",
            "sqs:SendMessage",
        ] {
            let action = Action::parse(action).unwrap();
            let row = index.row(&set, &action).unwrap();
            for (k, (slot, p)) in slots(&set).enumerate() {
                assert_eq!(row.range(k, p), Some(p.index.range(&action)), "{action:?} {slot}");
            }
        }
        // Another set of as many policies: rows, but no entry for a policy not held.
        let mut changed = set.clone();
        changed.identity.swap(0, 1);
        let action = Action::parse("s3:GetObject").unwrap();
        let row = index.row(&changed, &action).unwrap();
        assert_eq!(row.range(0, &changed.identity[0]), None);
        let resource = changed.resource.as_ref().unwrap();
        assert_eq!(row.range(2, resource), Some(resource.index.range(&action)));
        // A set of another size: no row.
        changed.vpc_endpoint.clear();
        assert!(index.row(&changed, &action).is_none());
    }
}
