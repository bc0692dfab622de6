//! S3: Block Public Access `RestrictPublicBuckets` (S-S3-1) and ACL grants (S-S3-2).
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html>.

use smallvec::SmallVec;

use super::facts::Service;
use super::principal::Grant;
use super::PolicySet;
use crate::narrowing::{narrows, S3_NARROWING_KEYS};
use crate::policy::{Effect, Policy, PrincipalEntry};
use crate::request::{AclGrantee, AclPermission, ObjectOwnership, PrincipalKind, Request};

/// S-S3-2: the ACL grants (index, grant kind) that give the caller the request's action;
/// none when Object Ownership is `BucketOwnerEnforced` (ACLs disabled).
pub(super) fn acl_grants(req: &Request) -> SmallVec<[(usize, Grant); 2]> {
    let p = &req.principal;
    let Some(acl) = req
        .acl
        .as_ref()
        .filter(|a| a.object_ownership != ObjectOwnership::BucketOwnerEnforced)
    else {
        return SmallVec::new();
    };
    acl.grants
        .iter()
        .enumerate()
        .filter(|(_, (_, perm))| acl_grants_action(*perm, req))
        .filter_map(|(i, (grantee, _))| {
            let g = match grantee {
                AclGrantee::AllUsers => Some(Grant::Everyone),
                AclGrantee::AuthenticatedUsers => (p.kind != PrincipalKind::Anonymous).then_some(Grant::Everyone),
                AclGrantee::Account(a) => (p.account.as_deref() == Some(a.as_str())).then_some(Grant::Account),
            };
            g.map(|g| (i, g))
        })
        .collect()
}

/// S-S3-1: `RestrictPublicBuckets` is on, the bucket policy is public and the caller is
/// anonymous or of another account: the bucket policy and ACLs grant it nothing.
pub(super) fn public_access_blocked(policies: &PolicySet, req: &Request, same_account: bool) -> bool {
    let p = &req.principal;
    req.block_public_access.restrict_public_buckets
        && req.action.facts.service == Service::S3
        && policies.resource.as_deref().is_some_and(|r| r.public)
        && (p.kind == PrincipalKind::Anonymous || (p.account.is_some() && !same_account))
}

/// S-S3-1: a policy is public when some `Allow` grants `*`, a `NotPrincipal`, or a
/// `Federated` provider without a condition that fixes a narrowing key to values without
/// wildcards or variables (`crate::narrowing`); an `aws:SourceIp` range wider than /8
/// (IPv4) or /32 (IPv6), outside RFC 1918, does not narrow
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>).
pub(crate) fn policy_is_public(p: &Policy) -> bool {
    let fixing_operator = |c: &crate::condition::Condition| {
        !c.negated
            && !c.if_exists
            && c.qualifier.is_none()
            && (c.operator.starts_with("String") || c.operator.starts_with("Arn") || c.operator == "IpAddress")
    };
    p.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && s.principal.as_ref().is_some_and(|ps| {
                ps.negated
                    || ps
                        .entries
                        .iter()
                        .any(|e| matches!(e, PrincipalEntry::Everyone | PrincipalEntry::Federated(_)))
            })
            && !s
                .conditions
                .iter()
                .any(|c| fixing_operator(c) && narrows(S3_NARROWING_KEYS, &c.key_lc, &c.raw_values))
    })
}

fn acl_grants_action(perm: AclPermission, req: &Request) -> bool {
    let name = req.action.name();
    let Some(parts) = req.resource_parts().filter(|p| p[2] == "s3") else {
        // ACLs exist only on S3 buckets and objects.
        return false;
    };
    let object = parts[5].contains('/');
    let read: &[&str] = if object {
        &["getobject", "getobjectversion"]
    } else {
        &["listbucket", "listbucketversions", "listbucketmultipartuploads"]
    };
    let write: &[&str] = &["putobject", "deleteobject", "deleteobjectversion"];
    let read_acp: &[&str] = &["getbucketacl", "getobjectacl", "getobjectversionacl"];
    let write_acp: &[&str] = &["putbucketacl", "putobjectacl", "putobjectversionacl"];
    req.action.facts.service == Service::S3
        && match perm {
            AclPermission::Read => read.contains(&name),
            AclPermission::Write => write.contains(&name),
            AclPermission::ReadAcp => read_acp.contains(&name),
            AclPermission::WriteAcp => write_acp.contains(&name),
            AclPermission::FullControl => [read, write, read_acp, write_acp].iter().any(|l| l.contains(&name)),
        }
}
