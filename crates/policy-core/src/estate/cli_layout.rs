//! The AWS CLI layout: a folder of `aws … --output json` outputs (the contract is in the
//! module docs of [`super`] and in README "Estates").
//!
//! Shapes, from the AWS CLI command references and the API references of each call:
//! `organizations` (DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent,
//! ListAccountsForParent, ListPoliciesForTarget, DescribePolicy), `iam`
//! (GetAccountAuthorizationDetails), `s3control`/`s3api` (GetPublicAccessBlock,
//! GetBucketPolicy, GetBucketOwnershipControls, GetBucketAcl, GetBucketTagging,
//! GetBucketAbac), `kms` (DescribeKey, GetKeyPolicy, ListGrants, ListResourceTags,
//! ListAliases), `sqs` (GetQueueAttributes, ListQueueTags), `sns` (GetTopicAttributes,
//! ListTagsForResource), `lambda` (GetPolicy, ListTags), `secretsmanager`
//! (GetResourcePolicy, DescribeSecret), `ec2` (DescribeVpcEndpoints). Members the engine
//! does not use are ignored.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::build::{is_aws_managed, join_path, push, AccountPart, OrgPart, Reader};
use super::model::{
    EstatePrincipalKind, GroupRec, KmsSettings, PolicyRec, PrincipalRec, PublicAccessBlock, RawGrantee, ResourceKind,
    ResourceRec, S3Settings,
};
use crate::policy::PolicyType;
use crate::request::{AclGrantee, AclPermission, KmsGrant, ObjectOwnership};
use crate::span::Source;

// ---------------------------------------------------------------- organizations

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeOrganization {
    organization: OrgShape,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrgShape {
    id: String,
    #[serde(default)]
    master_account_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRoots {
    roots: Vec<RootShape>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RootShape {
    id: String,
    #[serde(default)]
    policy_types: Vec<PolicyTypeShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyTypeShape {
    #[serde(rename = "Type")]
    ty: String,
    status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListOus {
    organizational_units: Vec<IdName>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAccounts {
    accounts: Vec<IdName>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdName {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListPolicies {
    policies: Vec<IdName>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribePolicy<'a> {
    #[serde(borrow)]
    policy: DescribedPolicy<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribedPolicy<'a> {
    #[serde(default)]
    policy_summary: Option<IdName>,
    #[serde(borrow)]
    content: &'a RawValue,
}

/// `FullAWSAccess`, the AWS managed SCP attached to every root, OU and account when SCPs
/// are enabled; its content is fixed by AWS
/// (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>).
const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn truncated(r: &mut Reader<'_>, file: &Source, next: &Option<String>) {
    if next.is_some() {
        r.warn(
            "truncated",
            file.name(),
            "the output has a `NextToken`: it is one page of several, and the rest is missing (run the command without `--max-items`/`--no-paginate`)",
        );
    }
}

/// `name.json` entries of `folder`, without the extension.
fn json_stems(r: &mut Reader<'_>, folder: &str) -> Vec<String> {
    r.list(folder)
        .into_iter()
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .collect()
}

/// Reads `organizations/`.
pub(crate) fn read_organization(r: &mut Reader<'_>) -> OrgPart {
    let mut part = OrgPart::default();
    let dir = "organizations";
    if r.list(dir).is_empty() {
        return part;
    }
    part.present = true;
    if let Some(f) = r.file("organizations/describe-organization.json") {
        if let Some(d) = r.parse::<DescribeOrganization>(&f, f.text(), "") {
            part.org.id = Some(d.organization.id.into());
            part.org.management_account = d.organization.master_account_id.map(Into::into);
        }
    }
    if let Some(f) = r.file("organizations/list-roots.json") {
        if let Some(d) = r.parse::<ListRoots>(&f, f.text(), "") {
            truncated(r, &f, &d.next_token);
            let enabled = |ty: &str| {
                d.roots
                    .iter()
                    .any(|root| root.policy_types.iter().any(|p| p.ty == ty && p.status == "ENABLED"))
            };
            part.scp_enabled = Some(enabled("SERVICE_CONTROL_POLICY"));
            part.rcp_enabled = Some(enabled("RESOURCE_CONTROL_POLICY"));
            part.roots = d.roots.iter().map(|x| x.id.as_str().into()).collect();
        }
    }
    for parent in json_stems(r, "organizations/list-organizational-units-for-parent") {
        let path = format!("organizations/list-organizational-units-for-parent/{parent}.json");
        let Some(f) = r.file(&path) else { continue };
        if let Some(d) = r.parse::<ListOus>(&f, f.text(), "") {
            truncated(r, &f, &d.next_token);
            for ou in d.organizational_units {
                part.org.ous += 1;
                part.parent.insert(ou.id.into(), parent.as_str().into());
            }
        }
    }
    for parent in json_stems(r, "organizations/list-accounts-for-parent") {
        let path = format!("organizations/list-accounts-for-parent/{parent}.json");
        let Some(f) = r.file(&path) else { continue };
        if let Some(d) = r.parse::<ListAccounts>(&f, f.text(), "") {
            truncated(r, &f, &d.next_token);
            for a in d.accounts {
                if let Some(n) = a.name {
                    part.account_names.insert(a.id.as_str().into(), n.into());
                }
                part.parent.insert(a.id.into(), parent.as_str().into());
            }
        }
    }
    part.org.roots = part.roots.len();
    // Policies attached to each target, each document read once.
    let mut by_id: FxHashMap<String, u32> = FxHashMap::default();
    for stem in json_stems(r, "organizations/list-policies-for-target") {
        let (target, ty) = match stem.rsplit_once('.') {
            Some((t, "SERVICE_CONTROL_POLICY")) => (t.to_string(), PolicyType::Scp),
            Some((t, "RESOURCE_CONTROL_POLICY")) => (t.to_string(), PolicyType::Rcp),
            _ => continue,
        };
        let path = format!("organizations/list-policies-for-target/{stem}.json");
        let Some(f) = r.file(&path) else { continue };
        let Some(d) = r.parse::<ListPolicies>(&f, f.text(), "") else {
            continue;
        };
        truncated(r, &f, &d.next_token);
        let mut attached = Vec::new();
        for p in d.policies {
            // `RCPFullAWSAccess` is implied at every level (the engine adds it).
            if ty == PolicyType::Rcp && p.id == "p-RCPFullAWSAccess" {
                continue;
            }
            let idx = match by_id.get(&p.id) {
                Some(i) => *i,
                None => {
                    let i = org_policy(r, &mut part.policies, &p, ty);
                    by_id.insert(p.id.clone(), i);
                    i
                }
            };
            attached.push(idx);
        }
        let map = if ty == PolicyType::Scp {
            &mut part.scp
        } else {
            &mut part.rcp
        };
        map.insert(target.into(), attached);
    }
    part.warnings = std::mem::take(&mut r.warnings);
    part
}

/// Reads `describe-policy/<id>.json` (`FullAWSAccess` filled in when absent).
fn org_policy(r: &mut Reader<'_>, policies: &mut Vec<PolicyRec>, p: &IdName, ty: PolicyType) -> u32 {
    let what = if ty == PolicyType::Scp { "SCP" } else { "RCP" };
    let name = format!("{what} `{}` ({})", p.name.as_deref().unwrap_or(&p.id), p.id);
    let path = format!("organizations/describe-policy/{}.json", p.id);
    let file = r.file(&path);
    if let Some(f) = &file {
        if let Some(d) = r.parse::<DescribePolicy<'_>>(f, f.text(), "") {
            let name = match &d.policy.policy_summary {
                Some(s) => format!("{what} `{}` ({})", s.name.as_deref().unwrap_or(&s.id), s.id),
                None => name,
            };
            return r.document(policies, f, d.policy.content, "Policy.Content", ty, name);
        }
    } else if ty == PolicyType::Scp && p.id == "p-FullAWSAccess" {
        let src = Source::new(r.src.display(&path), FULL_AWS_ACCESS);
        let raw: Option<&RawValue> = serde_json::from_str(src.text()).ok();
        if let Some(raw) = raw {
            r.warn(
                "filled-in-managed-policy",
                src.name(),
                "the file is missing: `FullAWSAccess` has fixed content (Allow `*` on `*`), used as is",
            );
            return r.document(policies, &src, raw, "", ty, name);
        }
    }
    r.unreadable_policy(policies, &path, file.is_some(), ty, name)
}

// ---------------------------------------------------------------- IAM (GAAD)

/// A GAAD page: each list entry is read on its own, so that one malformed entry is a
/// warning and not the loss of the page.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GaadPage<'a> {
    #[serde(borrow, default)]
    user_detail_list: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    group_detail_list: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    role_detail_list: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    policies: Vec<&'a RawValue>,
    #[serde(default)]
    is_truncated: bool,
}

/// A GAAD file that is one well-formed object, read in one pass.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GaadWhole<'a> {
    #[serde(borrow, default)]
    user_detail_list: Vec<UserDetail<'a>>,
    #[serde(borrow, default)]
    group_detail_list: Vec<GroupDetail<'a>>,
    #[serde(borrow, default)]
    role_detail_list: Vec<RoleDetail<'a>>,
    #[serde(borrow, default)]
    policies: Vec<ManagedPolicy<'a>>,
    #[serde(default)]
    is_truncated: bool,
}

/// A GAAD page's entries, read.
struct Gaad<'a> {
    /// `(JSON path, entry)`.
    user_detail_list: Vec<(String, UserDetail<'a>)>,
    group_detail_list: Vec<(String, GroupDetail<'a>)>,
    role_detail_list: Vec<(String, RoleDetail<'a>)>,
    policies: Vec<(String, ManagedPolicy<'a>)>,
    is_truncated: bool,
}

/// Reads each entry of `list` (at `prefix.name[i]`), warning about the ones that do not
/// have the expected shape.
fn entries<'a, T: Deserialize<'a>>(
    r: &mut Reader<'_>,
    f: &'a Source,
    list: &[&'a RawValue],
    prefix: &str,
    name: &str,
) -> Vec<(String, T)> {
    list.iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let at = join_path(prefix, &format!("{name}[{i}]"));
            r.parse::<T>(f, raw.get(), &at).map(|v| (at, v))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inline<'a> {
    policy_name: String,
    #[serde(borrow)]
    policy_document: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attached {
    policy_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Boundary {
    permissions_boundary_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserDetail<'a> {
    user_name: String,
    user_id: String,
    arn: String,
    #[serde(borrow, default)]
    user_policy_list: Vec<Inline<'a>>,
    #[serde(default)]
    group_list: Vec<String>,
    #[serde(default)]
    attached_managed_policies: Vec<Attached>,
    #[serde(default)]
    permissions_boundary: Option<Boundary>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupDetail<'a> {
    group_name: String,
    #[serde(borrow, default)]
    group_policy_list: Vec<Inline<'a>>,
    #[serde(default)]
    attached_managed_policies: Vec<Attached>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleDetail<'a> {
    role_name: String,
    role_id: String,
    arn: String,
    #[serde(borrow, default)]
    assume_role_policy_document: Option<&'a RawValue>,
    #[serde(borrow, default)]
    role_policy_list: Vec<Inline<'a>>,
    #[serde(default)]
    attached_managed_policies: Vec<Attached>,
    #[serde(default)]
    permissions_boundary: Option<Boundary>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManagedPolicy<'a> {
    #[serde(default)]
    policy_name: Option<String>,
    arn: String,
    #[serde(default)]
    default_version_id: Option<String>,
    #[serde(borrow, default)]
    policy_version_list: Vec<PolicyVersionShape<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyVersionShape<'a> {
    #[serde(borrow, default)]
    document: Option<&'a RawValue>,
    #[serde(default)]
    version_id: Option<String>,
    #[serde(default)]
    is_default_version: bool,
}

/// The pages of a GAAD file: one object (the CLI joins pages), a JSON array of pages, or
/// pages one after another (API responses appended).
fn pages(text: &str) -> Result<Vec<&RawValue>, serde_json::Error> {
    let mut values = Vec::new();
    for v in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
        values.push(v?);
    }
    if let [one] = values.as_slice() {
        if one.get().starts_with('[') {
            return serde_json::from_str(one.get());
        }
    }
    Ok(values)
}

fn tags(t: Vec<Tag>) -> Vec<(Box<str>, Box<str>)> {
    t.into_iter().map(|t| (t.key.into(), t.value.into())).collect()
}

/// Reads `accounts/<id>/iam/get-account-authorization-details.json` into `part`.
fn read_gaad(r: &mut Reader<'_>, part: &mut AccountPart, base: &str) {
    let path = format!("{base}/iam/get-account-authorization-details.json");
    let Some(f) = r.file(&path) else { return };
    let f: Arc<Source> = f;
    // The common case, one well-formed object, in one pass; otherwise page by page and
    // entry by entry, so that a malformed entry is a warning and not the loss of the file.
    if let Ok(g) = serde_json::from_str::<GaadWhole<'_>>(f.text()) {
        part.has_iam = true;
        fn numbered<T>(name: &str, list: Vec<T>) -> Vec<(String, T)> {
            list.into_iter()
                .enumerate()
                .map(|(i, e)| (format!("{name}[{i}]"), e))
                .collect()
        }
        let g = Gaad {
            user_detail_list: numbered("UserDetailList", g.user_detail_list),
            group_detail_list: numbered("GroupDetailList", g.group_detail_list),
            role_detail_list: numbered("RoleDetailList", g.role_detail_list),
            policies: numbered("Policies", g.policies),
            is_truncated: g.is_truncated,
        };
        return read_gaad_pages(r, part, &f, vec![(String::new(), g)]);
    }
    let raw_pages = match pages(f.text()) {
        Ok(p) => p,
        Err(e) => {
            let at = super::build::offset_of(f.text(), e.line(), e.column());
            r.warn_at(
                "invalid-json",
                &f,
                at,
                "",
                e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
            );
            return;
        }
    };
    part.has_iam = true;
    let many = raw_pages.len() > 1;
    let mut gaads = Vec::new();
    for (n, raw) in raw_pages.iter().enumerate() {
        let prefix = if many { format!("[{n}]") } else { String::new() };
        if let Some(g) = r.parse::<GaadPage<'_>>(&f, raw.get(), &prefix) {
            let g = Gaad {
                user_detail_list: entries(r, &f, &g.user_detail_list, &prefix, "UserDetailList"),
                group_detail_list: entries(r, &f, &g.group_detail_list, &prefix, "GroupDetailList"),
                role_detail_list: entries(r, &f, &g.role_detail_list, &prefix, "RoleDetailList"),
                policies: entries(r, &f, &g.policies, &prefix, "Policies"),
                is_truncated: g.is_truncated,
            };
            gaads.push((prefix, g));
        }
    }
    read_gaad_pages(r, part, &f, gaads);
}

/// Reads the entries of a GAAD file's pages into `part`.
fn read_gaad_pages(r: &mut Reader<'_>, part: &mut AccountPart, f: &Arc<Source>, gaads: Vec<(String, Gaad<'_>)>) {
    let mut managed: FxHashMap<String, u32> = FxHashMap::default();
    if gaads.last().is_some_and(|(_, g)| g.is_truncated) {
        r.warn(
            "truncated",
            f.name(),
            "`IsTruncated` is true: the output is one page of several and the rest is missing",
        );
    }
    // Managed policies first: the default version of each.
    for (_, g) in &gaads {
        for (at_p, p) in &g.policies {
            let versions = &p.policy_version_list;
            let default = versions
                .iter()
                .position(|v| v.is_default_version)
                .or_else(|| {
                    versions
                        .iter()
                        .position(|v| v.version_id.is_some() && v.version_id == p.default_version_id)
                })
                .or(if versions.len() == 1 { Some(0) } else { None });
            let Some((vi, doc)) = default.and_then(|vi| Some((vi, versions.get(vi)?.document?))) else {
                r.warn(
                    "missing-policy",
                    f.name(),
                    format!("managed policy `{}` has no default version document", p.arn),
                );
                continue;
            };
            let at = format!("{at_p}.PolicyVersionList[{vi}].Document");
            let name = if is_aws_managed(&p.arn) {
                let short = p.arn.rsplit('/').next().unwrap_or_default();
                format!("AWS managed policy `{}`", p.policy_name.as_deref().unwrap_or(short))
            } else {
                format!("managed policy `{}`", p.arn)
            };
            let idx = r.document(&mut part.policies, f, doc, &at, PolicyType::Identity, name);
            if is_aws_managed(&p.arn) {
                let version = p.default_version_id.clone().unwrap_or_default();
                part.aws_managed.push((p.arn.as_str().into(), version.into(), idx));
            }
            managed.insert(p.arn.clone(), idx);
        }
    }
    let resolve = |arn: &str| -> Result<u32, Box<str>> { managed.get(arn).copied().ok_or_else(|| arn.into()) };
    let mut missing_customer: Vec<(String, String)> = Vec::new();
    let mut note_missing = |arn: &str, whom: &str| {
        if !is_aws_managed(arn) && !managed.contains_key(arn) {
            missing_customer.push((arn.to_string(), whom.to_string()));
        }
    };
    let mut group_index: FxHashMap<String, u32> = FxHashMap::default();
    for (_, g) in &gaads {
        for (at_g, gd) in &g.group_detail_list {
            let inline = inline_docs(
                r,
                part,
                f,
                &gd.group_policy_list,
                &format!("{at_g}.GroupPolicyList"),
                &format!("group `{}`", gd.group_name),
            );
            for a in &gd.attached_managed_policies {
                note_missing(&a.policy_arn, &format!("group `{}`", gd.group_name));
            }
            let idx = push(
                &mut part.groups,
                GroupRec {
                    name: gd.group_name.as_str().into(),
                    inline,
                    managed: gd
                        .attached_managed_policies
                        .iter()
                        .map(|a| resolve(&a.policy_arn))
                        .collect(),
                },
            );
            group_index.insert(gd.group_name.clone(), idx);
        }
    }
    let file_name: Arc<str> = Arc::from(f.name());
    for (_, g) in gaads {
        for (at, u) in g.user_detail_list {
            let whom = format!("user `{}`", u.user_name);
            let inline = inline_docs(r, part, f, &u.user_policy_list, &format!("{at}.UserPolicyList"), &whom);
            for a in &u.attached_managed_policies {
                note_missing(&a.policy_arn, &whom);
            }
            if let Some(b) = &u.permissions_boundary {
                note_missing(&b.permissions_boundary_arn, &whom);
            }
            let (groups, missing_groups): (Vec<_>, Vec<_>) =
                u.group_list.iter().partition(|n| group_index.contains_key(*n));
            part.principals.push(PrincipalRec {
                kind: EstatePrincipalKind::User,
                account: 0,
                arn: u.arn.into(),
                name: u.user_name.into(),
                unique_id: u.user_id.into(),
                tags: tags(u.tags),
                inline,
                managed: u
                    .attached_managed_policies
                    .iter()
                    .map(|a| resolve(&a.policy_arn))
                    .collect(),
                groups: groups.iter().filter_map(|n| group_index.get(*n).copied()).collect(),
                missing_groups: missing_groups.iter().map(|n| n.as_str().into()).collect(),
                boundary: u
                    .permissions_boundary
                    .as_ref()
                    .map(|b| resolve(&b.permissions_boundary_arn)),
                trust: None,
                file: file_name.clone(),
                path: at.into(),
            });
        }
        for (at, ro) in g.role_detail_list {
            let whom = format!("role `{}`", ro.role_name);
            let inline = inline_docs(r, part, f, &ro.role_policy_list, &format!("{at}.RolePolicyList"), &whom);
            let trust = ro.assume_role_policy_document.map(|d| {
                r.document(
                    &mut part.policies,
                    f,
                    d,
                    &format!("{at}.AssumeRolePolicyDocument"),
                    PolicyType::Resource,
                    format!("trust policy of {whom}"),
                )
            });
            for a in &ro.attached_managed_policies {
                note_missing(&a.policy_arn, &whom);
            }
            if let Some(b) = &ro.permissions_boundary {
                note_missing(&b.permissions_boundary_arn, &whom);
            }
            part.principals.push(PrincipalRec {
                kind: EstatePrincipalKind::Role,
                account: 0,
                arn: ro.arn.into(),
                name: ro.role_name.into(),
                unique_id: ro.role_id.into(),
                tags: tags(ro.tags),
                inline,
                managed: ro
                    .attached_managed_policies
                    .iter()
                    .map(|a| resolve(&a.policy_arn))
                    .collect(),
                groups: Vec::new(),
                missing_groups: Vec::new(),
                boundary: ro
                    .permissions_boundary
                    .as_ref()
                    .map(|b| resolve(&b.permissions_boundary_arn)),
                trust,
                file: file_name.clone(),
                path: at.into(),
            });
        }
    }
    missing_customer.sort();
    missing_customer.dedup();
    for (arn, whom) in missing_customer {
        r.warn(
            "missing-policy",
            f.name(),
            format!("managed policy `{arn}` is attached to {whom} but is not in `Policies`: evaluated without it"),
        );
    }
}

fn inline_docs(
    r: &mut Reader<'_>,
    part: &mut AccountPart,
    f: &Arc<Source>,
    list: &[Inline<'_>],
    at: &str,
    whom: &str,
) -> Vec<u32> {
    list.iter()
        .enumerate()
        .map(|(j, p)| {
            r.document(
                &mut part.policies,
                f,
                p.policy_document,
                &format!("{at}[{j}].PolicyDocument"),
                PolicyType::Identity,
                format!("inline policy `{}` of {whom}", p.policy_name),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- resources

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyString<'a> {
    #[serde(borrow)]
    policy: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PublicAccessBlockOutput {
    public_access_block_configuration: BpaShape,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BpaShape {
    #[serde(default)]
    ignore_public_acls: bool,
    #[serde(default)]
    restrict_public_buckets: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnershipOutput {
    ownership_controls: OwnershipControls,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnershipControls {
    rules: Vec<OwnershipRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnershipRule {
    object_ownership: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AclOutput {
    #[serde(default)]
    owner: Option<AclOwner>,
    #[serde(default)]
    grants: Vec<AclGrant>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AclOwner {
    #[serde(rename = "ID")]
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AclGrant {
    grantee: AclGranteeShape,
    permission: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AclGranteeShape {
    #[serde(rename = "Type")]
    ty: String,
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "URI", default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagSet {
    tag_set: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AbacOutput {
    abac_status: AbacStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AbacStatus {
    status: String,
}

/// A bucket's or account's Block Public Access.
fn bpa(r: &mut Reader<'_>, path: &str) -> Option<PublicAccessBlock> {
    let f = r.file(path)?;
    let d = r.parse::<PublicAccessBlockOutput>(&f, f.text(), "")?;
    Some(PublicAccessBlock {
        ignore_public_acls: d.public_access_block_configuration.ignore_public_acls,
        restrict_public_buckets: d.public_access_block_configuration.restrict_public_buckets,
    })
}

fn read_bucket(r: &mut Reader<'_>, part: &mut AccountPart, base: &str, bucket: &str, partition: &str) {
    let dir = format!("{base}/s3/{bucket}");
    let mut s3 = S3Settings {
        bpa: bpa(r, &format!("{dir}/get-public-access-block.json")),
        ..S3Settings::default()
    };
    let mut policy = None;
    if let Some(f) = r.file(&format!("{dir}/get-bucket-policy.json")) {
        if let Some(d) = r.parse::<PolicyString<'_>>(&f, f.text(), "") {
            policy = Some(r.document(
                &mut part.policies,
                &f,
                d.policy,
                "Policy",
                PolicyType::Resource,
                format!("bucket policy of `{bucket}`"),
            ));
        }
    }
    if let Some(f) = r.file(&format!("{dir}/get-bucket-ownership-controls.json")) {
        if let Some(d) = r.parse::<OwnershipOutput>(&f, f.text(), "") {
            s3.ownership = match d.ownership_controls.rules.first().map(|x| x.object_ownership.as_str()) {
                Some("BucketOwnerEnforced") => Some(ObjectOwnership::BucketOwnerEnforced),
                Some("BucketOwnerPreferred") => Some(ObjectOwnership::BucketOwnerPreferred),
                Some("ObjectWriter") => Some(ObjectOwnership::ObjectWriter),
                other => {
                    r.warn(
                        "unexpected-shape",
                        f.name(),
                        format!("unknown `ObjectOwnership` {other:?}: expected `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`"),
                    );
                    None
                }
            };
        }
    }
    if let Some(f) = r.file(&format!("{dir}/get-bucket-acl.json")) {
        if let Some(d) = r.parse::<AclOutput>(&f, f.text(), "") {
            s3.owner_canonical = d.owner.map(|o| o.id.into());
            let mut grants = Vec::new();
            for g in d.grants {
                let perm = match g.permission.as_str() {
                    "READ" => AclPermission::Read,
                    "WRITE" => AclPermission::Write,
                    "READ_ACP" => AclPermission::ReadAcp,
                    "WRITE_ACP" => AclPermission::WriteAcp,
                    "FULL_CONTROL" => AclPermission::FullControl,
                    other => {
                        r.warn(
                            "unexpected-shape",
                            f.name(),
                            format!("unknown ACL permission `{other}`"),
                        );
                        continue;
                    }
                };
                let grantee = match (g.grantee.ty.as_str(), g.grantee.uri.as_deref(), g.grantee.id) {
                    ("Group", Some(u), _) if u.ends_with("/global/AllUsers") => RawGrantee::Group(AclGrantee::AllUsers),
                    ("Group", Some(u), _) if u.ends_with("/global/AuthenticatedUsers") => {
                        RawGrantee::Group(AclGrantee::AuthenticatedUsers)
                    }
                    ("CanonicalUser", _, Some(id)) => RawGrantee::Canonical(id.into()),
                    (_, uri, id) => RawGrantee::Other(uri.map(str::to_string).or(id).unwrap_or_default().into()),
                };
                grants.push((grantee, perm));
            }
            s3.acl = Some(grants);
        }
    }
    let mut tag_list = None;
    if let Some(f) = r.file(&format!("{dir}/get-bucket-tagging.json")) {
        tag_list = r.parse::<TagSet>(&f, f.text(), "").map(|d| tags(d.tag_set));
    }
    if let Some(f) = r.file(&format!("{dir}/get-bucket-abac.json")) {
        s3.abac = r
            .parse::<AbacOutput>(&f, f.text(), "")
            .map(|d| d.abac_status.status == "Enabled");
    }
    part.resources.push(ResourceRec {
        kind: ResourceKind::Bucket,
        account: 0,
        arn: format!("arn:{partition}:s3:::{bucket}").into(),
        policy,
        tags: tag_list,
        s3: Some(Box::new(s3)),
        kms: None,
        folder: r.src.display(&dir).into(),
    });
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeKey {
    key_metadata: KeyMetadata,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyMetadata {
    #[serde(default)]
    arn: Option<String>,
    #[serde(default)]
    key_manager: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGrants {
    grants: Vec<GrantShape>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GrantShape {
    #[serde(default)]
    grantee_principal: Option<String>,
    #[serde(default)]
    operations: Vec<String>,
    #[serde(default)]
    constraints: Option<GrantConstraints>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GrantConstraints {
    #[serde(default)]
    encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default)]
    encryption_context_equals: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KmsTags {
    tags: Vec<KmsTag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KmsTag {
    tag_key: String,
    tag_value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAliases {
    aliases: Vec<AliasShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AliasShape {
    #[serde(default)]
    alias_arn: Option<String>,
    #[serde(default)]
    target_key_id: Option<String>,
}

fn read_kms_region(r: &mut Reader<'_>, part: &mut AccountPart, base: &str, region: &str, partition: &str) {
    let dir = format!("{base}/kms/{region}");
    let mut by_key_id: FxHashMap<String, u32> = FxHashMap::default();
    for key_id in r.list(&dir) {
        if key_id.ends_with(".json") {
            continue;
        }
        let kdir = format!("{dir}/{key_id}");
        let mut arn = format!("arn:{partition}:kms:{region}:{}:key/{key_id}", part.id);
        let mut kms = KmsSettings::default();
        if let Some(f) = r.file(&format!("{kdir}/describe-key.json")) {
            if let Some(d) = r.parse::<DescribeKey>(&f, f.text(), "") {
                if let Some(a) = d.key_metadata.arn {
                    arn = a;
                }
                kms.aws_managed = d.key_metadata.key_manager.map(|m| m == "AWS");
            }
        }
        let mut policy = None;
        if let Some(f) = r.file(&format!("{kdir}/get-key-policy.json")) {
            if let Some(d) = r.parse::<PolicyString<'_>>(&f, f.text(), "") {
                policy = Some(r.document(
                    &mut part.policies,
                    &f,
                    d.policy,
                    "Policy",
                    PolicyType::Resource,
                    format!("key policy of `{arn}`"),
                ));
            }
        }
        if let Some(f) = r.file(&format!("{kdir}/list-grants.json")) {
            if let Some(d) = r.parse::<ListGrants>(&f, f.text(), "") {
                if d.truncated {
                    r.warn("truncated", f.name(), "`Truncated` is true: some grants are missing");
                }
                kms.grants = d
                    .grants
                    .into_iter()
                    .filter_map(|g| {
                        let c = g.constraints.as_ref();
                        Some(KmsGrant::new(
                            g.grantee_principal?,
                            &g.operations,
                            c.and_then(|c| c.encryption_context_subset.as_ref()),
                            c.and_then(|c| c.encryption_context_equals.as_ref()),
                        ))
                    })
                    .collect();
            }
        }
        let mut tag_list = None;
        if let Some(f) = r.file(&format!("{kdir}/list-resource-tags.json")) {
            tag_list = r.parse::<KmsTags>(&f, f.text(), "").map(|d| {
                d.tags
                    .into_iter()
                    .map(|t| (t.tag_key.into(), t.tag_value.into()))
                    .collect()
            });
        }
        let idx = push(
            &mut part.resources,
            ResourceRec {
                kind: ResourceKind::KmsKey,
                account: 0,
                arn: arn.into(),
                policy,
                tags: tag_list,
                s3: None,
                kms: Some(Box::new(kms)),
                folder: r.src.display(&kdir).into(),
            },
        );
        by_key_id.insert(key_id, idx);
    }
    if let Some(f) = r.file(&format!("{dir}/list-aliases.json")) {
        if let Some(d) = r.parse::<ListAliases>(&f, f.text(), "") {
            for a in d.aliases {
                if let (Some(arn), Some(k)) = (a.alias_arn, a.target_key_id.and_then(|k| by_key_id.get(&k).copied())) {
                    part.aliases.push((arn.into(), k));
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attributes<'a> {
    #[serde(borrow, default)]
    attributes: BTreeMap<String, &'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagMap {
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagList {
    #[serde(default)]
    tags: Vec<Tag>,
}

/// Queues and topics: `get-…-attributes.json` with `Policy` and the ARN attribute.
#[allow(clippy::too_many_arguments)]
fn read_attributes(
    r: &mut Reader<'_>,
    part: &mut AccountPart,
    dir: &str,
    file: &str,
    arn_key: &str,
    arn: String,
    kind: ResourceKind,
    what: &str,
) -> Option<u32> {
    let f = r.file(&format!("{dir}/{file}"))?;
    let d = r.parse::<Attributes<'_>>(&f, f.text(), "")?;
    let arn = d
        .attributes
        .get(arn_key)
        .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        .unwrap_or(arn);
    let policy = d.attributes.get("Policy").map(|raw| {
        r.document(
            &mut part.policies,
            &f,
            raw,
            "Attributes.Policy",
            PolicyType::Resource,
            format!("{what} policy of `{arn}`"),
        )
    });
    Some(push(
        &mut part.resources,
        ResourceRec {
            kind,
            account: 0,
            arn: arn.into(),
            policy,
            tags: None,
            s3: None,
            kms: None,
            folder: r.src.display(dir).into(),
        },
    ))
}

fn set_tags(part: &mut AccountPart, idx: Option<u32>, t: Option<Vec<(Box<str>, Box<str>)>>) {
    if let (Some(i), Some(t)) = (idx, t) {
        if let Some(rec) = part.resources.get_mut(i as usize) {
            rec.tags = Some(t);
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecretPolicy<'a> {
    #[serde(rename = "ARN", default)]
    arn: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(borrow, default)]
    resource_policy: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeSecret {
    #[serde(rename = "ARN", default)]
    arn: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// Secrets: names may hold `/`, so their folders may nest.
fn read_secrets(r: &mut Reader<'_>, part: &mut AccountPart, dir: &str, region: &str, partition: &str, depth: usize) {
    let entries = r.list(dir);
    let has = |n: &str| entries.iter().any(|e| e == n);
    if has("get-resource-policy.json") || has("describe-secret.json") {
        let mut arn = None;
        let mut policy = None;
        let mut tag_list = None;
        if let Some(f) = r.file(&format!("{dir}/describe-secret.json")) {
            if let Some(d) = r.parse::<DescribeSecret>(&f, f.text(), "") {
                arn = d.arn;
                tag_list = Some(tags(d.tags));
            }
        }
        if let Some(f) = r.file(&format!("{dir}/get-resource-policy.json")) {
            if let Some(d) = r.parse::<SecretPolicy<'_>>(&f, f.text(), "") {
                arn = arn.or(d.arn);
                let name = d.name.unwrap_or_default();
                let shown = arn.clone().unwrap_or(name);
                if let Some(raw) = d.resource_policy {
                    policy = Some(r.document(
                        &mut part.policies,
                        &f,
                        raw,
                        "ResourcePolicy",
                        PolicyType::Resource,
                        format!("secret policy of `{shown}`"),
                    ));
                }
            }
        }
        let arn = arn.unwrap_or_else(|| {
            let rel = dir
                .rsplit_once(&format!("secretsmanager/{region}/"))
                .map_or("", |x| x.1);
            format!("arn:{partition}:secretsmanager:{region}:{}:secret:{rel}", part.id)
        });
        part.resources.push(ResourceRec {
            kind: ResourceKind::Secret,
            account: 0,
            arn: arn.into(),
            policy,
            tags: tag_list,
            s3: None,
            kms: None,
            folder: r.src.display(dir).into(),
        });
        return;
    }
    if depth > 16 {
        return;
    }
    for e in entries {
        if !e.ends_with(".json") {
            read_secrets(r, part, &format!("{dir}/{e}"), region, partition, depth + 1);
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeEndpoints<'a> {
    #[serde(borrow)]
    vpc_endpoints: Vec<EndpointShape<'a>>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EndpointShape<'a> {
    vpc_endpoint_id: String,
    #[serde(default)]
    vpc_id: Option<String>,
    #[serde(borrow, default)]
    policy_document: Option<&'a RawValue>,
}

/// The partition of the account's ARNs (`aws` unless its GAAD says otherwise).
fn partition_of(part: &AccountPart) -> String {
    part.principals
        .first()
        .and_then(|p| crate::arn::split(&p.arn).map(|s| s[1].to_string()))
        .unwrap_or_else(|| "aws".to_string())
}

/// Reads `accounts/<id>/`.
pub(crate) fn read_account(r: &mut Reader<'_>, id: &str) -> AccountPart {
    let mut part = AccountPart {
        id: id.to_string(),
        ..AccountPart::default()
    };
    let base = format!("accounts/{id}");
    let top = r.list(&base);
    part.collected = !top.is_empty();
    read_gaad(r, &mut part, &base);
    let partition = partition_of(&part);
    part.bpa = bpa(r, &format!("{base}/s3control/get-public-access-block.json"));
    for bucket in r.list(&format!("{base}/s3")) {
        read_bucket(r, &mut part, &base, &bucket, &partition);
    }
    for region in r.list(&format!("{base}/kms")) {
        read_kms_region(r, &mut part, &base, &region, &partition);
    }
    for region in r.list(&format!("{base}/sqs")) {
        for queue in r.list(&format!("{base}/sqs/{region}")) {
            let dir = format!("{base}/sqs/{region}/{queue}");
            let arn = format!("arn:{partition}:sqs:{region}:{id}:{queue}");
            let idx = read_attributes(
                r,
                &mut part,
                &dir,
                "get-queue-attributes.json",
                "QueueArn",
                arn,
                ResourceKind::Queue,
                "queue",
            );
            let t = r
                .file(&format!("{dir}/list-queue-tags.json"))
                .and_then(|f| r.parse::<TagMap>(&f, f.text(), ""))
                .map(|d| d.tags.into_iter().map(|(k, v)| (k.into(), v.into())).collect());
            set_tags(&mut part, idx, t);
        }
    }
    for region in r.list(&format!("{base}/sns")) {
        for topic in r.list(&format!("{base}/sns/{region}")) {
            let dir = format!("{base}/sns/{region}/{topic}");
            let arn = format!("arn:{partition}:sns:{region}:{id}:{topic}");
            let idx = read_attributes(
                r,
                &mut part,
                &dir,
                "get-topic-attributes.json",
                "TopicArn",
                arn,
                ResourceKind::Topic,
                "topic",
            );
            let t = r
                .file(&format!("{dir}/list-tags-for-resource.json"))
                .and_then(|f| r.parse::<TagList>(&f, f.text(), ""))
                .map(|d| tags(d.tags));
            set_tags(&mut part, idx, t);
        }
    }
    for region in r.list(&format!("{base}/lambda")) {
        for func in r.list(&format!("{base}/lambda/{region}")) {
            let dir = format!("{base}/lambda/{region}/{func}");
            let arn = format!("arn:{partition}:lambda:{region}:{id}:function:{func}");
            let mut policy = None;
            if let Some(f) = r.file(&format!("{dir}/get-policy.json")) {
                if let Some(d) = r.parse::<PolicyString<'_>>(&f, f.text(), "") {
                    policy = Some(r.document(
                        &mut part.policies,
                        &f,
                        d.policy,
                        "Policy",
                        PolicyType::Resource,
                        format!("function policy of `{arn}`"),
                    ));
                }
            }
            let t = r
                .file(&format!("{dir}/list-tags.json"))
                .and_then(|f| r.parse::<TagMap>(&f, f.text(), ""))
                .map(|d| d.tags.into_iter().map(|(k, v)| (k.into(), v.into())).collect());
            part.resources.push(ResourceRec {
                kind: ResourceKind::Function,
                account: 0,
                arn: arn.into(),
                policy,
                tags: t,
                s3: None,
                kms: None,
                folder: r.src.display(&dir).into(),
            });
        }
    }
    for region in r.list(&format!("{base}/secretsmanager")) {
        let dir = format!("{base}/secretsmanager/{region}");
        read_secrets(r, &mut part, &dir, &region, &partition, 0);
    }
    for region in r.list(&format!("{base}/ec2")) {
        let path = format!("{base}/ec2/{region}/describe-vpc-endpoints.json");
        let Some(f) = r.file(&path) else { continue };
        let Some(d) = r.parse::<DescribeEndpoints<'_>>(&f, f.text(), "") else {
            continue;
        };
        truncated(r, &f, &d.next_token);
        for (i, e) in d.vpc_endpoints.iter().enumerate() {
            let policy = e.policy_document.map(|raw| {
                r.document(
                    &mut part.policies,
                    &f,
                    raw,
                    &format!("VpcEndpoints[{i}].PolicyDocument"),
                    PolicyType::VpcEndpoint,
                    format!("VPC endpoint policy of `{}`", e.vpc_endpoint_id),
                )
            });
            part.endpoints.push((
                e.vpc_endpoint_id.as_str().into(),
                super::model::Endpoint {
                    account: 0,
                    vpc: e.vpc_id.as_deref().map(Into::into),
                    policy,
                },
            ));
        }
    }
    part.warnings = std::mem::take(&mut r.warnings);
    part
}

/// The account ids with a folder under `accounts/`.
pub(crate) fn account_ids(r: &mut Reader<'_>) -> Vec<String> {
    r.list("accounts")
        .into_iter()
        .filter(|a| crate::request::is_account_id(a))
        .collect()
}
