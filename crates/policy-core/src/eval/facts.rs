//! Facts about a request that several rules need, worked out once per evaluation.

use crate::request::Request;

/// What kind of resource and action the request is about, for the service rules.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Facts {
    /// The resource is a KMS key (`arn:…:kms:…:key/…`): its key policy is the root of
    /// access (S-KMS-1).
    pub(super) kms_key: bool,
    /// The request is governed by a role's trust policy (S-STS-1).
    pub(super) role_trust: bool,
    /// The caller is a service-linked role or one of its sessions (exempt from SCPs and
    /// RCPs).
    pub(super) service_linked_role: bool,
    /// RCPs govern the action's service (S-EVAL-3).
    pub(super) rcp_service: bool,
}

impl Facts {
    /// `parts`: the resource ARN's segments (`Request::resource_parts`).
    pub(super) fn new(req: &Request, parts: Option<&[&str; 6]>) -> Facts {
        Facts {
            kms_key: parts.is_some_and(super::kms::is_key_arn),
            role_trust: super::sts::governed_by_trust_policy(req, parts),
            service_linked_role: req.principal.is_service_linked_role(),
            rcp_service: super::organizations::rcp_governs(req.action.service()),
        }
    }
}
