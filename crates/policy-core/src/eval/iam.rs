//! IAM: resources AWS owns (S-EVAL-12) and the writes IAM refuses whatever the policies
//! say (S-IAM-1, S-IAM-2). Refusals are service constraints, not authorization results:
//! the decision stays what the policies say (AWS's own policy simulator reports only
//! that, <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html>),
//! and the response lists the constraint beside it.
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html> (`UnmodifiableEntity`).

use super::Reason;
use crate::request::Request;

/// IAM actions that change a managed policy ("You cannot change the permissions defined
/// in AWS managed policies", access_policies_managed-vs-inline), lower-cased.
const POLICY_WRITES: &[&str] = &[
    "createpolicy",
    "createpolicyversion",
    "deletepolicy",
    "deletepolicyversion",
    "setdefaultpolicyversion",
    "tagpolicy",
    "untagpolicy",
];

/// IAM actions that change a role, lower-cased. `CreateServiceLinkedRole` and
/// `DeleteServiceLinkedRole` are how service-linked roles are made and removed, and
/// `PassRole` changes nothing: not listed.
const ROLE_WRITES: &[&str] = &[
    "attachrolepolicy",
    "createrole",
    "deleterole",
    "deleterolepermissionsboundary",
    "deleterolepolicy",
    "detachrolepolicy",
    "putrolepermissionsboundary",
    "putrolepolicy",
    "tagrole",
    "untagrole",
    "updateassumerolepolicy",
    "updaterole",
    "updateroledescription",
];

/// Whether the IAM action `name` (lower-cased) changes a managed policy or a role: the
/// writes [`constraint`] looks at.
pub(super) fn is_write(name: &str) -> bool {
    POLICY_WRITES.contains(&name) || ROLE_WRITES.contains(&name)
}

/// S-IAM-1 and S-IAM-2: the constraint IAM puts on this request, if any.
pub(super) fn constraint(req: &Request, parts: Option<&[&str; 6]>) -> Option<Reason> {
    if !req.action.facts.iam_write {
        return None;
    }
    let parts = parts?;
    if parts[2] != "iam" {
        return None;
    }
    let name = req.action.name();
    if parts[4] == "aws" && parts[5].starts_with("policy/") && POLICY_WRITES.contains(&name) {
        return Some(Reason::new(
            "S-IAM-1",
            "IAM refuses this whatever the policies say: AWS managed policies cannot be changed (\"You cannot change the permissions defined in AWS managed policies\")",
        ));
    }
    let role_path = parts[5].strip_prefix("role/")?;
    let reserved = if role_path.starts_with("aws-service-role/") {
        "a service-linked role (path `/aws-service-role/`): only the service that depends on it can change it"
    } else if role_path.starts_with("aws-reserved/") {
        "a role AWS reserves (path `/aws-reserved/`, such as IAM Identity Center's roles): it cannot be changed in IAM"
    } else {
        return None;
    };
    ROLE_WRITES.contains(&name).then(|| {
        Reason::new(
            "S-IAM-2",
            format!("IAM refuses this whatever the policies say (`UnmodifiableEntity`, HTTP 400): the resource is {reserved}"),
        )
    })
}
