//! Facts about a request that several rules need: those of the action alone worked out
//! once when the action is parsed ([`ActionFacts`]; batch mode parses each distinct
//! action once), the rest once per evaluation ([`Facts`]).

use crate::request::Request;

/// The services whose rules look at the action's service prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Service {
    Iam,
    Kms,
    S3,
    Sts,
    #[default]
    Other,
}

/// What the evaluation rules need to know of an action, from its lower-cased service
/// prefix and name alone: worked out when the action is parsed
/// ([`crate::request::Action::parse`]), not per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ActionFacts {
    pub(crate) service: Service,
    /// `sts:GetCallerIdentity`, always allowed (S-STS-2).
    pub(crate) caller_identity: bool,
    /// An STS action a role's trust policy governs on the role (S-STS-1).
    pub(crate) trust: bool,
    /// RCPs govern the action's service (S-EVAL-3).
    pub(crate) rcp_service: bool,
    /// `kms:RetireGrant`, which RCPs do not affect (S-EVAL-3).
    pub(crate) retire_grant: bool,
    /// An IAM write that IAM may refuse whatever the policies say (S-IAM-1, S-IAM-2).
    pub(crate) iam_write: bool,
    /// A KMS alias write that KMS may refuse whatever the policies say (S-KMS-6).
    pub(crate) kms_alias_write: bool,
}

impl ActionFacts {
    /// The facts of the action `service:name` (both lower-cased).
    pub(crate) fn of(service: &str, name: &str) -> ActionFacts {
        let kind = match service {
            "iam" => Service::Iam,
            "kms" => Service::Kms,
            "s3" => Service::S3,
            "sts" => Service::Sts,
            _ => Service::Other,
        };
        ActionFacts {
            service: kind,
            caller_identity: kind == Service::Sts && super::sts::is_caller_identity(name),
            trust: kind == Service::Sts && super::sts::is_trust_action(name),
            rcp_service: super::organizations::rcp_governs(service),
            retire_grant: kind == Service::Kms && name == "retiregrant",
            iam_write: kind == Service::Iam && super::iam::is_write(name),
            kms_alias_write: kind == Service::Kms && super::kms::is_alias_write(name),
        }
    }
}

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
}

impl Facts {
    /// `parts`: the resource ARN's segments (`Request::resource_parts`).
    pub(super) fn new(req: &Request, parts: Option<&[&str; 6]>) -> Facts {
        Facts {
            kms_key: parts.is_some_and(super::kms::is_key_arn),
            role_trust: super::sts::governed_by_trust_policy(req, parts),
            service_linked_role: req.principal.is_service_linked_role(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::request::Action;

    fn facts(action: &str) -> ActionFacts {
        Action::parse(action).unwrap().facts
    }

    /// Each fact is read from the parsed action, whatever the case it is written in.
    #[test]
    fn action_facts_are_worked_out_at_parse() {
        let f = facts("STS:GetCallerIdentity");
        assert!(f.caller_identity && !f.trust && f.service == Service::Sts && f.rcp_service);
        for a in [
            "sts:AssumeRole",
            "sts:assumerolewithsaml",
            "sts:TagSession",
            "sts:SetSourceIdentity",
            "sts:SetContext",
        ] {
            assert!(facts(a).trust, "{a}");
        }
        assert!(!facts("sts:GetSessionToken").trust);
        assert!(
            !facts("iam:AssumeRole").trust,
            "only STS actions are governed by a trust policy"
        );
        assert!(facts("iam:CreatePolicyVersion").iam_write && facts("IAM:UpdateAssumeRolePolicy").iam_write);
        assert!(!facts("iam:PassRole").iam_write && !facts("s3:CreatePolicy").iam_write);
        assert!(facts("kms:CreateAlias").kms_alias_write && !facts("kms:Decrypt").kms_alias_write);
        assert!(facts("KMS:RetireGrant").retire_grant && !facts("s3:RetireGrant").retire_grant);
        assert_eq!(facts("S3:GetObject").service, Service::S3);
        assert_eq!(facts("s3express:CreateSession").service, Service::Other);
        assert!(facts("dynamodb:GetItem").rcp_service && !facts("ec2:RunInstances").rcp_service);
        assert!(!facts("ec2:RunInstances").caller_identity);
    }
}
