//! KMS: key policies as the root of access (S-KMS-1, S-KMS-2), grants (S-KMS-3), and
//! the operations no other account may be granted (S-KMS-5).
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/grants.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html>.

use smallvec::SmallVec;

use super::principal::{entry_grant, Grant};
use super::Reason;
use crate::policy::PrincipalEntry;
use crate::request::Request;

/// Whether the resource ARN's segments name a KMS key (`arn:…:kms:…:key/…`).
pub(super) fn is_key_arn(parts: &[&str; 6]) -> bool {
    parts[2] == "kms" && parts[5].starts_with("key/")
}

/// KMS alias operations, lower-cased.
const ALIAS_WRITES: &[&str] = &["createalias", "deletealias", "updatealias"];

/// Whether the KMS action `name` (lower-cased) writes an alias (S-KMS-6).
pub(super) fn is_alias_write(name: &str) -> bool {
    ALIAS_WRITES.contains(&name)
}

/// S-KMS-6: KMS refuses alias operations on names that begin with `alias/aws/`, which
/// AWS reserves for AWS managed keys ("The alias name cannot begin with alias/aws/",
/// <https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html>): a
/// service constraint, not an authorization result.
pub(super) fn alias_constraint(req: &Request, parts: Option<&[&str; 6]>) -> Option<Reason> {
    if !req.action.facts.kms_alias_write {
        return None;
    }
    let parts = parts?;
    (parts[2] == "kms" && parts[5].starts_with("alias/aws/")).then(|| {
        Reason::new(
            "S-KMS-6",
            "KMS refuses this whatever the policies say: alias names beginning with `alias/aws/` are reserved for AWS managed keys",
        )
    })
}

/// S-KMS-5: whether the action may be used on a key of another account.
pub(super) fn allowed_across_accounts(req: &Request) -> bool {
    KMS_CROSS_ACCOUNT.contains(&req.action.name())
}

/// S-KMS-3: the grants that give the caller the request's operation on the key, their
/// constraints holding: each grant's index and how its grantee names the caller
/// ([`Grant::Direct`], or [`Grant::Role`] for a role session whose role is the grantee);
/// `partition` is the key's.
pub(super) fn allowing_grants(req: &Request, partition: &str) -> SmallVec<[(usize, Grant); 2]> {
    req.kms_grants
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let grant = entry_grant(&PrincipalEntry::from_aws(&g.grantee), &req.principal, partition)
                .filter(|gr| matches!(gr, Grant::Direct | Grant::Role))?;
            let op_ok = g.operations.iter().any(|o| o.eq_ignore_ascii_case(req.action.name()));
            (op_ok && constraints_hold(g, req)).then_some((i, grant))
        })
        .collect()
}

/// S-KMS-3, for partial evaluation: the grants that give the caller the request's
/// operation on the key once their encryption-context constraints hold, though they do
/// not hold with the request's context as it is (each grant's index). A grant without
/// constraints, or for an operation that takes no encryption context, is decided by
/// [`allowing_grants`] as it is.
pub(crate) fn constrained_grants(req: &Request) -> Vec<usize> {
    let Some(partition) = req.resource_parts().map(|p| p[1]) else {
        return Vec::new();
    };
    req.kms_grants
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            entry_grant(&PrincipalEntry::from_aws(&g.grantee), &req.principal, partition)
                .is_some_and(|gr| matches!(gr, Grant::Direct | Grant::Role))
                && g.operations.iter().any(|o| o.eq_ignore_ascii_case(req.action.name()))
                && (g.encryption_context_subset.is_some() || g.encryption_context_equals.is_some())
                && !constraints_hold(g, req)
        })
        .map(|(i, _)| i)
        .collect()
}

/// KMS operations that principals of other accounts may be granted (S-KMS-5), from
/// <https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html>
/// ("Cross-account use" column), lower-cased.
const KMS_CROSS_ACCOUNT: &[&str] = &[
    "decrypt",
    "encrypt",
    "generatedatakey",
    "generatedatakeypair",
    "generatedatakeypairwithoutplaintext",
    "generatedatakeywithoutplaintext",
    "generatemac",
    "verifymac",
    "reencryptfrom",
    "reencryptto",
    "sign",
    "verify",
    "derivesharedsecret",
    "describekey",
    "getpublickey",
    "getkeyrotationstatus",
    "creategrant",
    "listgrants",
    "revokegrant",
    "retiregrant",
];

/// S-KMS-3: grant constraints apply only to operations that take an encryption context
/// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html>).
fn constraints_hold(g: &crate::request::KmsGrant, req: &Request) -> bool {
    const WITH_CONTEXT: &[&str] = &[
        "encrypt",
        "decrypt",
        "generatedatakey",
        "generatedatakeypair",
        "generatedatakeypairwithoutplaintext",
        "generatedatakeywithoutplaintext",
        "reencryptfrom",
        "reencryptto",
    ];
    if !WITH_CONTEXT.contains(&req.action.name()) {
        return true;
    }
    let ctx_value = |k: &str| {
        req.context
            .get(&format!("kms:encryptioncontext:{}", k.to_ascii_lowercase()))
            .and_then(|v| v.first().cloned())
    };
    if let Some(subset) = &g.encryption_context_subset {
        if !subset.iter().all(|(k, v)| ctx_value(k).as_deref() == Some(v.as_str())) {
            return false;
        }
    }
    if let Some(equals) = &g.encryption_context_equals {
        let keys = req
            .context
            .iter()
            .filter(|(k, _)| k.to_ascii_lowercase().starts_with("kms:encryptioncontext:"))
            .count();
        if keys != equals.len() || !equals.iter().all(|(k, v)| ctx_value(k).as_deref() == Some(v.as_str())) {
            return false;
        }
    }
    true
}
