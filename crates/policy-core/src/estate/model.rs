//! The estate model: organization tree, accounts, principals, resources and every
//! policy document with its origin, and the indexes over them (principals by ARN and by
//! account and name, resources by ARN and kind, SCP and RCP chains per account), built
//! once at load.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::text::Origin;
use crate::policy::{Policy, PolicyType};
use crate::request::{AclGrantee, AclPermission, KmsGrant, ObjectOwnership};

/// A problem with the snapshot that did not stop the rest of it from loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EstateWarning {
    /// Stable code: `unreadable-file`, `invalid-json`, `unexpected-shape`,
    /// `invalid-policy`, `unknown-managed-policy`, `truncated`, `missing-policy`,
    /// `filled-in-managed-policy`.
    pub code: &'static str,
    /// The snapshot file, as the source displays it.
    pub file: String,
    /// 1-based line, when the problem has a position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// JSON path of the offending member (`RoleDetailList[3].RolePolicyList[0].PolicyDocument`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// What is wrong, lower-case.
    pub message: String,
}

impl std::fmt::Display for EstateWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        write!(f, " [{}]", self.code)
    }
}

/// One policy document of the estate.
#[derive(Debug, Clone)]
pub(crate) struct PolicyRec {
    /// `None`: the document did not parse (a warning says why).
    pub(crate) policy: Option<Arc<Policy>>,
    /// Where it is in the snapshot (`None` for documents the engine supplied itself).
    pub(crate) origin: Option<Origin>,
    /// What it is, for people: `inline policy `s3` of role `ci``.
    pub(crate) name: Box<str>,
    pub(crate) ty: PolicyType,
}

/// A reference to a managed policy: the estate's policy, or the ARN that could not be
/// resolved (a warning names it).
pub(crate) type ManagedRef = Result<u32, Box<str>>;

/// What kind of estate principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EstatePrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

/// An IAM user or role of the estate.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalRec {
    pub(crate) kind: EstatePrincipalKind,
    pub(crate) account: u32,
    pub(crate) arn: Box<str>,
    pub(crate) name: Box<str>,
    /// `UserId` / `RoleId`.
    pub(crate) unique_id: Box<str>,
    pub(crate) tags: Vec<(Box<str>, Box<str>)>,
    pub(crate) inline: Vec<u32>,
    pub(crate) managed: Vec<ManagedRef>,
    /// Users: their groups (estate group indices); names not found are in `missing_groups`.
    pub(crate) groups: Vec<u32>,
    pub(crate) missing_groups: Vec<Box<str>>,
    pub(crate) boundary: Option<ManagedRef>,
    /// Roles: the trust policy.
    pub(crate) trust: Option<u32>,
    /// The GAAD file and the record's JSON path in it.
    pub(crate) file: Arc<str>,
    pub(crate) path: Box<str>,
}

/// An IAM group.
#[derive(Debug, Clone)]
pub(crate) struct GroupRec {
    pub(crate) name: Box<str>,
    pub(crate) inline: Vec<u32>,
    pub(crate) managed: Vec<ManagedRef>,
}

/// The kinds of resource the estate holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    /// An S3 bucket (and its objects).
    Bucket,
    /// A KMS key.
    KmsKey,
    /// An SQS queue.
    Queue,
    /// An SNS topic.
    Topic,
    /// A Lambda function.
    Function,
    /// A Secrets Manager secret.
    Secret,
}

impl ResourceKind {
    /// The name used in messages and summaries.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Bucket => "bucket",
            ResourceKind::KmsKey => "kmsKey",
            ResourceKind::Queue => "queue",
            ResourceKind::Topic => "topic",
            ResourceKind::Function => "function",
            ResourceKind::Secret => "secret",
        }
    }
}

/// S3 Block Public Access, as `get-public-access-block` prints it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PublicAccessBlock {
    pub(crate) ignore_public_acls: bool,
    pub(crate) restrict_public_buckets: bool,
}

/// A bucket's S3 settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct S3Settings {
    pub(crate) bpa: Option<PublicAccessBlock>,
    /// `None`: `get-bucket-ownership-controls.json` is not in the snapshot.
    pub(crate) ownership: Option<ObjectOwnership>,
    /// The bucket ACL's grants (account grantees resolved from canonical ids at finish).
    pub(crate) acl: Option<Vec<(RawGrantee, AclPermission)>>,
    /// The bucket owner's canonical id (from the ACL).
    pub(crate) owner_canonical: Option<Box<str>>,
    /// `get-bucket-abac.json`: `Some(true)` when ABAC is enabled.
    pub(crate) abac: Option<bool>,
}

/// An ACL grantee as the ACL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawGrantee {
    Group(AclGrantee),
    Canonical(Box<str>),
    Other(Box<str>),
}

/// A KMS key's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct KmsSettings {
    /// `KeyManager` is `AWS`; `None` when `describe-key.json` is missing.
    pub(crate) aws_managed: Option<bool>,
    pub(crate) grants: Vec<KmsGrant>,
}

/// A resource of the estate.
#[derive(Debug, Clone)]
pub(crate) struct ResourceRec {
    pub(crate) kind: ResourceKind,
    pub(crate) account: u32,
    pub(crate) arn: Box<str>,
    pub(crate) policy: Option<u32>,
    /// `None`: the tags were not collected.
    pub(crate) tags: Option<Vec<(Box<str>, Box<str>)>>,
    pub(crate) s3: Option<Box<S3Settings>>,
    pub(crate) kms: Option<Box<KmsSettings>>,
    /// The folder the resource's files are in.
    pub(crate) folder: Box<str>,
}

/// A VPC endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) account: u32,
    pub(crate) vpc: Option<Box<str>>,
    pub(crate) policy: Option<u32>,
}

/// One level of an organization path (root, OU or the account) and the SCPs or RCPs
/// attached to it: `None` when the snapshot does not say.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    pub(crate) target: Box<str>,
    pub(crate) policies: Option<Vec<u32>>,
}

/// SCPs or RCPs from the root to an account, computed once at load.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chain {
    /// The levels whose policies are known, root first, as `PolicySet` wants them.
    pub(crate) levels: Vec<Vec<Arc<Policy>>>,
    /// The estate policy index of each entry of `levels`.
    pub(crate) ids: Vec<Vec<u32>>,
    /// What the chain leaves out (levels not collected, documents that did not parse).
    pub(crate) notes: Vec<String>,
}

/// An account of the estate (in the organization, collected, or both).
#[derive(Debug, Clone)]
pub(crate) struct AccountRec {
    pub(crate) id: Box<str>,
    pub(crate) name: Option<Box<str>>,
    /// Root, OUs (root first); empty when the account is not in the organization data.
    pub(crate) parents: Vec<Box<str>>,
    /// `o-…/r-…/ou-…/`, for `aws:PrincipalOrgPaths` and `aws:ResourceOrgPaths`.
    pub(crate) org_path: Option<Box<str>>,
    /// `None`: SCPs do not apply (no organization, the policy type not enabled).
    pub(crate) scp: Option<Arc<Chain>>,
    pub(crate) rcp: Option<Arc<Chain>>,
    pub(crate) bpa: Option<PublicAccessBlock>,
    /// `accounts/<id>/` is in the snapshot.
    pub(crate) collected: bool,
    /// `iam/get-account-authorization-details.json` was read.
    pub(crate) has_iam: bool,
}

/// The organization.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgRec {
    pub(crate) id: Option<Box<str>>,
    pub(crate) management_account: Option<Box<str>>,
    pub(crate) ous: usize,
    pub(crate) roots: usize,
}

/// An organization snapshot loaded for evaluation: see [`super`].
#[derive(Debug, Default)]
pub struct Estate {
    pub(crate) org: Option<OrgRec>,
    pub(crate) accounts: Vec<AccountRec>,
    pub(crate) account_index: FxHashMap<Box<str>, u32>,
    pub(crate) policies: Vec<PolicyRec>,
    pub(crate) principals: Vec<PrincipalRec>,
    pub(crate) groups: Vec<GroupRec>,
    /// Principal ARN → principal.
    pub(crate) principal_index: FxHashMap<Box<str>, u32>,
    /// (account, kind, lower-cased name) → principal: role sessions name their role
    /// without its path.
    pub(crate) principal_names: FxHashMap<(u32, EstatePrincipalKind, Box<str>), u32>,
    pub(crate) resources: Vec<ResourceRec>,
    /// Resource ARN (and KMS alias ARN, and secret ARN without its random suffix) →
    /// resource.
    pub(crate) resource_index: FxHashMap<Box<str>, u32>,
    /// Bucket name → resource.
    pub(crate) buckets: FxHashMap<Box<str>, u32>,
    pub(crate) endpoints: FxHashMap<Box<str>, Endpoint>,
    pub(crate) warnings: Vec<EstateWarning>,
}

/// What an estate holds, by kind (`policy-sim estate summary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EstateSummary {
    /// The organization id, when the snapshot has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The management account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_account: Option<String>,
    /// Accounts (in the organization data or collected).
    pub accounts: usize,
    /// Accounts whose IAM data was collected.
    pub accounts_collected: usize,
    /// Organizational units.
    pub organizational_units: usize,
    /// IAM users.
    pub users: usize,
    /// IAM groups.
    pub groups: usize,
    /// IAM roles.
    pub roles: usize,
    /// Policy documents by type (`identity`, `resource`, `scp`…), parsed or not.
    pub policies: BTreeMap<String, usize>,
    /// Policy documents that did not parse.
    pub invalid_policies: usize,
    /// Resources by kind (`bucket`, `kmsKey`…).
    pub resources: BTreeMap<String, usize>,
    /// VPC endpoints.
    pub vpc_endpoints: usize,
    /// Every warning.
    pub warnings: Vec<EstateWarning>,
}

fn type_key(t: PolicyType) -> &'static str {
    match t {
        PolicyType::Identity => "identity",
        PolicyType::Resource => "resource",
        PolicyType::PermissionsBoundary => "permissionsBoundary",
        PolicyType::Session => "session",
        PolicyType::Scp => "scp",
        PolicyType::Rcp => "rcp",
        PolicyType::VpcEndpoint => "vpcEndpoint",
    }
}

impl Estate {
    /// Every warning of the load, in the order met.
    pub fn warnings(&self) -> &[EstateWarning] {
        &self.warnings
    }

    /// The organization's management account, if the snapshot names it.
    pub fn management_account(&self) -> Option<&str> {
        self.org.as_ref().and_then(|o| o.management_account.as_deref())
    }

    /// The ids of the estate's accounts, in the order loaded (sorted).
    pub fn account_ids(&self) -> impl Iterator<Item = &str> {
        self.accounts.iter().map(|a| &*a.id)
    }

    /// The ARNs of the estate's users and roles, with their kind.
    pub fn principal_arns(&self) -> impl Iterator<Item = (&str, EstatePrincipalKind)> {
        self.principals.iter().map(|p| (&*p.arn, p.kind))
    }

    /// The ARNs of the estate's resources, with their kind.
    pub fn resource_arns(&self) -> impl Iterator<Item = (&str, ResourceKind)> {
        self.resources.iter().map(|r| (&*r.arn, r.kind))
    }

    /// Counts by kind, and every warning.
    pub fn summary(&self) -> EstateSummary {
        let mut policies = BTreeMap::new();
        for p in &self.policies {
            *policies.entry(type_key(p.ty).to_string()).or_insert(0) += 1;
        }
        let mut resources = BTreeMap::new();
        for r in &self.resources {
            *resources.entry(r.kind.name().to_string()).or_insert(0) += 1;
        }
        let count = |k| self.principals.iter().filter(|p| p.kind == k).count();
        EstateSummary {
            organization: self.org.as_ref().and_then(|o| o.id.as_deref()).map(str::to_string),
            management_account: self.management_account().map(str::to_string),
            accounts: self.accounts.len(),
            accounts_collected: self.accounts.iter().filter(|a| a.has_iam).count(),
            organizational_units: self.org.as_ref().map_or(0, |o| o.ous),
            users: count(EstatePrincipalKind::User),
            groups: self.groups.len(),
            roles: count(EstatePrincipalKind::Role),
            policies,
            invalid_policies: self.policies.iter().filter(|p| p.policy.is_none()).count(),
            resources,
            vpc_endpoints: self.endpoints.len(),
            warnings: self.warnings.clone(),
        }
    }

    pub(crate) fn policy(&self, i: u32) -> Option<&PolicyRec> {
        self.policies.get(i as usize)
    }

    pub(crate) fn account(&self, i: u32) -> Option<&AccountRec> {
        self.accounts.get(i as usize)
    }

    pub(crate) fn account_of(&self, id: &str) -> Option<(u32, &AccountRec)> {
        let i = *self.account_index.get(id)?;
        Some((i, self.account(i)?))
    }

    /// The organization id of an account in the organization.
    pub(crate) fn org_id_of(&self, account: &AccountRec) -> Option<&str> {
        account.org_path.as_ref()?;
        self.org.as_ref()?.id.as_deref()
    }
}
