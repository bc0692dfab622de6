//! STS: role trust policies (S-STS-1), `sts:GetCallerIdentity` (S-STS-2), web identity
//! and SAML callers (S-STS-3, matched as `Federated` principals), and the requests STS
//! refuses whatever the policies say (S-STS-4).
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html>,
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>,
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html>.

use super::facts::Service;
use crate::request::{PrincipalKind, Request};

/// S-STS-2: `sts:GetCallerIdentity` is always allowed, even under an explicit deny.
pub(super) fn always_allowed(req: &Request) -> bool {
    req.action.facts.caller_identity
}

/// Whether the STS action `name` (lower-cased) is `GetCallerIdentity` (S-STS-2).
pub(super) fn is_caller_identity(name: &str) -> bool {
    name == "getcalleridentity"
}

/// Whether the STS action `name` (lower-cased) is governed by the trust policy of the
/// role it is asked on (S-STS-1): `AssumeRole*`, and the session options passed with it.
pub(super) fn is_trust_action(name: &str) -> bool {
    name.starts_with("assumerole") || matches!(name, "tagsession" | "setsourceidentity" | "setcontext")
}

/// S-STS-1: `AssumeRole*` and the session options passed with them (`TagSession`,
/// `SetSourceIdentity`, `SetContext`) on a role are governed by its trust policy
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html>).
pub(super) fn governed_by_trust_policy(req: &Request, parts: Option<&[&str; 6]>) -> bool {
    req.action.facts.trust && parts.is_some_and(|p| p[2] == "iam" && p[5].starts_with("role/"))
}

/// S-STS-4: STS refuses role assumption with root credentials, and STS and KMS refuse
/// unsigned (anonymous) requests, whatever the policies say.
pub(super) fn refusal(req: &Request, role_trust: bool) -> Option<&'static str> {
    let kind = req.principal.kind;
    if role_trust && kind == PrincipalKind::Root {
        Some("the root user cannot assume roles: STS rejects `AssumeRole*` with root credentials")
    } else if kind == PrincipalKind::Anonymous && matches!(req.action.facts.service, Service::Sts | Service::Kms) {
        Some("STS and KMS reject unsigned (anonymous) requests")
    } else {
        None
    }
}
