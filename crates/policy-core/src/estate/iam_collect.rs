//! The file store that `iam-collect` writes (<https://github.com/act-security-labs/iam-collect>,
//! its `docs/Storage.md`, and the collector's own code for each file), read into the same
//! estate model as the AWS CLI layout.
//!
//! ```text
//! aws/<partition>/                                  (or the store pointed at one partition)
//!   accounts/<account-id>/
//!     s3-bpa.json                                   GetPublicAccessBlock (s3control): the configuration
//!     iam/role/<id>/      metadata.json (arn, name, id, path, permissionBoundary),
//!                         trust-policy.json, inline-policies.json ([{PolicyName, PolicyDocument}]),
//!                         managed-policies.json ([ARN]), tags.json ({key: value})
//!     iam/user/<id>/      metadata.json (arn, name, id, path, permissionBoundary),
//!                         inline-policies.json, managed-policies.json, groups.json ([group ARN]), tags.json
//!     iam/group/<id>/     metadata.json (arn, name, id, path), inline-policies.json, managed-policies.json
//!     iam/policy/<id>/    metadata.json (arn, name, defaultVersionId…), current-policy.json
//!     iam/aws/policy/<id>/                          AWS managed policies, as above
//!     s3/<bucket>/        metadata.json (arn, name, region, abacEnabled), policy.json, bpa.json, tags.json
//!     kms/<region>/key/<key-id>/      metadata.json (arn, id, awsManaged), policy.json, tags.json
//!     sqs/<region>/<queue>/           metadata.json (arn, name), policy.json, tags.json
//!     sns/<region>/<topic>/           metadata.json (arn, name), policy.json, tags.json
//!     lambda/<region>/function/<name>/            metadata.json (arn, name), policy.json, tags.json
//!     secretsmanager/<region>/secret/<name>/      metadata.json (arn, name), policy.json, tags.json
//!     ec2/<region>/vpc-endpoint/<id>/ metadata.json (arn, id, vpc ARN), endpoint-policy.json
//!   organizations/<organization-id>/
//!     metadata.json       id, rootOu, rootAccountId (the management account), features
//!                         ({SERVICE_CONTROL_POLICY: bool, RESOURCE_CONTROL_POLICY: bool…})
//!     accounts.json       {account-id: {ou: parent id, scps: [ARN], rcps: [ARN]}}
//!     ous.json            {root or OU id: {parent (absent for the root), scps: [ARN], rcps: [ARN]}}
//!     structure.json      the nested tree (read when `ous.json` is missing)
//!     scps/<policy-id>/   metadata.json (arn, name), policy.json     (and rcps/)
//!   indexes/              look-up tables the engine does not need
//! ```
//!
//! The collector names resource folders by the ARN's resource part, URL-encoded and
//! lower-cased, so names are read from each `metadata.json` (its `arn`), never from the
//! folder. It writes documents as JSON objects (URL-decoded, keys and arrays in its own
//! sorted order) and deletes a file rather than write an empty value: a missing
//! `tags.json` is no tags, a missing `policy.json` no policy. What it does not collect
//! (bucket ACLs and Object Ownership, KMS grants and aliases, account names) is missing
//! from the estate as it is from a CLI snapshot without those files, and responses say so.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::build::{is_aws_managed, push, AccountPart, OrgPart, Reader};
use super::model::{
    EstatePrincipalKind, GroupRec, KmsSettings, ManagedRef, PrincipalRec, PublicAccessBlock, ResourceKind, ResourceRec,
    S3Settings,
};
use crate::policy::PolicyType;
use crate::span::Source;

/// The folders that hold one partition each (`aws/aws`, `aws/aws-cn`…; `""` when the
/// snapshot is itself one partition's folder; `aws-cn` when it is the `aws/` folder).
pub(crate) fn partition_roots(r: &mut Reader<'_>) -> Vec<String> {
    let is_partition = |entries: &[String]| {
        entries
            .iter()
            .any(|e| e == "accounts" || e == "organizations" || e == "indexes")
    };
    let top = r.list("");
    if is_partition(&top) {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    for (prefix, names) in [("aws/", r.list("aws")), ("", top)] {
        for p in names {
            let dir = format!("{prefix}{p}");
            if is_partition(&r.list(&dir)) {
                out.push(dir);
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// The folders of an account's `iam/` (`aws/` holds AWS managed policies).
const IAM_FOLDERS: [&str; 5] = ["role", "user", "group", "policy", "aws"];

/// Whether the snapshot is an iam-collect store: a partition folder with `indexes/`, an
/// organization folder (`organizations/o-…`), or an account whose IAM data is in
/// folders (`iam/role/`…) rather than in `get-account-authorization-details.json`.
pub(crate) fn detect(r: &mut Reader<'_>) -> bool {
    for root in partition_roots(r) {
        let top = r.list(&root);
        if top.iter().any(|e| e == "indexes") {
            return true;
        }
        if r.list(&join(&root, "organizations"))
            .iter()
            .any(|e| e.starts_with("o-"))
        {
            return true;
        }
        let accounts = r.list(&join(&root, "accounts"));
        if let Some(a) = accounts.iter().find(|a| crate::request::is_account_id(a)) {
            let iam = r.list(&join(&root, &format!("accounts/{a}/iam")));
            if iam.iter().any(|e| IAM_FOLDERS.contains(&e.as_str())) {
                return true;
            }
            let acct = r.list(&join(&root, &format!("accounts/{a}")));
            if acct.iter().any(|e| e == "s3-bpa.json" || e == "organization.json") {
                return true;
            }
        }
    }
    false
}

fn join(root: &str, rest: &str) -> String {
    if root.is_empty() {
        rest.to_string()
    } else {
        format!("{root}/{rest}")
    }
}

/// The account ids with a folder under some partition's `accounts/`.
pub(crate) fn account_ids(r: &mut Reader<'_>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for root in partition_roots(r) {
        ids.extend(
            r.list(&join(&root, "accounts"))
                .into_iter()
                .filter(|a| crate::request::is_account_id(a)),
        );
    }
    ids.sort();
    ids.dedup();
    ids
}

// ---------------------------------------------------------------- organizations

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgMetadata {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    root_ou: Option<String>,
    #[serde(default)]
    root_account_id: Option<String>,
    #[serde(default)]
    features: Option<BTreeMap<String, bool>>,
}

/// An entry of `accounts.json` or `ous.json`.
#[derive(Deserialize)]
struct Node {
    /// `accounts.json`: the parent.
    #[serde(default)]
    ou: Option<String>,
    /// `ous.json`: the parent (absent for the root).
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    scps: Option<Vec<String>>,
    #[serde(default)]
    rcps: Option<Vec<String>>,
}

/// `structure.json`: `{id: {children: {…}, accounts: [account ARN]}}`.
#[derive(Deserialize)]
struct StructureNode {
    #[serde(default)]
    children: Option<BTreeMap<String, StructureNode>>,
    #[serde(default)]
    accounts: Option<Vec<Option<String>>>,
}

#[derive(Deserialize)]
struct NameMeta {
    #[serde(default)]
    name: Option<String>,
}

/// `FullAWSAccess`'s fixed content, as in [`super::cli_layout`].
const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The policy id at the end of an organization policy ARN
/// (`arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`).
fn policy_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Reads `organizations/<id>/` of the first partition that has one.
pub(crate) fn read_organization(r: &mut Reader<'_>) -> OrgPart {
    let mut part = OrgPart::default();
    let mut orgs: Vec<String> = Vec::new();
    for root in partition_roots(r) {
        let dir = join(&root, "organizations");
        for o in r.list(&dir) {
            if !o.ends_with(".json") {
                orgs.push(format!("{dir}/{o}"));
            }
        }
    }
    let Some(dir) = orgs.first().cloned() else {
        part.warnings = std::mem::take(&mut r.warnings);
        return part;
    };
    for other in orgs.iter().skip(1) {
        r.warn(
            "unexpected-shape",
            &r.src.display(other),
            format!(
                "the store holds more than one organization: only `{}` is loaded",
                r.src.display(&dir)
            ),
        );
    }
    part.present = true;
    let folder_id = dir.rsplit('/').next().unwrap_or_default().to_string();
    part.org.id = Some(folder_id.as_str().into());
    if let Some(f) = r.file(&format!("{dir}/metadata.json")) {
        if let Some(m) = r.parse::<OrgMetadata>(&f, f.text(), "") {
            if let Some(id) = m.id {
                part.org.id = Some(id.into());
            }
            part.org.management_account = m.root_account_id.map(Into::into);
            if let Some(features) = &m.features {
                let on = |k: &str| features.get(k).copied().unwrap_or(false);
                part.scp_enabled = Some(on("SERVICE_CONTROL_POLICY"));
                part.rcp_enabled = Some(on("RESOURCE_CONTROL_POLICY"));
            }
            if let Some(root) = m.root_ou {
                part.roots.push(root.into());
            }
        }
    } else {
        r.warn(
            "unexpected-shape",
            &r.src.display(&format!("{dir}/metadata.json")),
            "the organization's `metadata.json` is missing: the management account is not known and SCPs and RCPs are taken to be enabled",
        );
    }
    let mut by_id: FxHashMap<String, u32> = FxHashMap::default();
    let mut attach = |r: &mut Reader<'_>, part: &mut OrgPart, target: &str, node: &Node| {
        for (list, ty) in [(&node.scps, PolicyType::Scp), (&node.rcps, PolicyType::Rcp)] {
            let Some(arns) = list else { continue };
            let mut attached = Vec::new();
            for arn in arns {
                let id = policy_id(arn);
                // `RCPFullAWSAccess` is implied at every level (the engine adds it).
                if ty == PolicyType::Rcp && id == "p-RCPFullAWSAccess" {
                    continue;
                }
                let key = format!("{}/{}", ty.name(), id.to_ascii_lowercase());
                let idx = match by_id.get(&key) {
                    Some(i) => *i,
                    None => {
                        let i = org_policy(r, part, &dir, id, ty);
                        by_id.insert(key, i);
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
    };
    let ous_path = format!("{dir}/ous.json");
    let ous = r
        .file(&ous_path)
        .and_then(|f| r.parse::<BTreeMap<String, Node>>(&f, f.text(), ""));
    match ous {
        Some(ous) => {
            for (id, node) in &ous {
                match node.parent.as_deref() {
                    Some(p) => {
                        part.org.ous += 1;
                        part.parent.insert(id.as_str().into(), p.into());
                    }
                    None => {
                        if !part.roots.iter().any(|x| **x == **id) {
                            part.roots.push(id.as_str().into());
                        }
                    }
                }
                attach(r, &mut part, id, node);
            }
        }
        None => {
            // Older stores: the tree from `structure.json`; the policies attached to
            // the root and the OUs are then not known.
            if let Some(f) = r.file(&format!("{dir}/structure.json")) {
                if let Some(s) = r.parse::<BTreeMap<String, StructureNode>>(&f, f.text(), "") {
                    fn walk(part: &mut OrgPart, parent: Option<&str>, nodes: &BTreeMap<String, StructureNode>) {
                        for (id, n) in nodes {
                            match parent {
                                Some(p) => {
                                    part.org.ous += 1;
                                    part.parent.insert(id.as_str().into(), p.into());
                                }
                                None => part.roots.push(id.as_str().into()),
                            }
                            for a in n.accounts.iter().flatten().flatten() {
                                let acct = a.rsplit('/').next().unwrap_or_default();
                                part.parent.insert(acct.into(), id.as_str().into());
                            }
                            if let Some(c) = &n.children {
                                walk(part, Some(id), c);
                            }
                        }
                    }
                    walk(&mut part, None, &s);
                }
            }
        }
    }
    if let Some(f) = r.file(&format!("{dir}/accounts.json")) {
        if let Some(accounts) = r.parse::<BTreeMap<String, Node>>(&f, f.text(), "") {
            for (id, node) in &accounts {
                if let Some(ou) = &node.ou {
                    part.parent.insert(id.as_str().into(), ou.as_str().into());
                }
                attach(r, &mut part, id, node);
            }
        }
    }
    part.roots.sort();
    part.roots.dedup();
    part.org.roots = part.roots.len();
    part.warnings = std::mem::take(&mut r.warnings);
    part
}

/// Reads `scps/<id>/policy.json` (or `rcps/`); `FullAWSAccess` filled in when absent.
fn org_policy(r: &mut Reader<'_>, part: &mut OrgPart, dir: &str, id: &str, ty: PolicyType) -> u32 {
    let (what, sub) = if ty == PolicyType::Scp {
        ("SCP", "scps")
    } else {
        ("RCP", "rcps")
    };
    let folder = format!("{dir}/{sub}/{}", id.to_ascii_lowercase());
    let shown = r
        .file(&format!("{folder}/metadata.json"))
        .and_then(|f| r.parse::<NameMeta>(&f, f.text(), ""))
        .and_then(|m| m.name)
        .unwrap_or_else(|| id.to_string());
    let name = format!("{what} `{shown}` ({id})");
    let path = format!("{folder}/policy.json");
    if let Some(f) = r.file(&path) {
        if let Some(raw) = r.parse::<&RawValue>(&f, f.text(), "") {
            return r.document(&mut part.policies, &f, raw, "", ty, name);
        }
    } else if ty == PolicyType::Scp && id == "p-FullAWSAccess" {
        let src = Source::new(r.src.display(&path), FULL_AWS_ACCESS);
        if let Ok(raw) = serde_json::from_str::<&RawValue>(src.text()) {
            r.warn(
                "filled-in-managed-policy",
                src.name(),
                "the file is missing: `FullAWSAccess` has fixed content (Allow `*` on `*`), used as is",
            );
            return r.document(&mut part.policies, &src, raw, "", ty, name);
        }
    } else {
        r.warn(
            "missing-policy",
            &r.src.display(&path),
            format!("{name} is attached but its document is not in the store: evaluated without it"),
        );
    }
    push(
        &mut part.policies,
        super::model::PolicyRec {
            policy: None,
            origin: None,
            name: name.into(),
            ty,
        },
    )
}

// ---------------------------------------------------------------- accounts

/// `metadata.json` of any resource: the members the engine uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    arn: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    permission_boundary: Option<String>,
    #[serde(default)]
    default_version_id: Option<String>,
    /// Buckets: `true` when ABAC is enabled (absent otherwise).
    #[serde(default)]
    abac_enabled: Option<bool>,
    /// KMS keys: `true` for AWS managed keys (absent otherwise).
    #[serde(default)]
    aws_managed: Option<bool>,
    /// VPC endpoints: the VPC's ARN.
    #[serde(default)]
    vpc: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inline<'a> {
    #[serde(default)]
    policy_name: Option<String>,
    #[serde(borrow)]
    policy_document: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BpaShape {
    #[serde(default)]
    ignore_public_acls: bool,
    #[serde(default)]
    restrict_public_buckets: bool,
}

/// One resource folder: its metadata (`None` when missing or unreadable).
struct Folder {
    dir: String,
    meta: Option<Meta>,
}

fn read_meta(r: &mut Reader<'_>, dir: &str) -> Folder {
    let meta = r
        .file(&format!("{dir}/metadata.json"))
        .and_then(|f| r.parse::<Meta>(&f, f.text(), ""));
    Folder {
        dir: dir.to_string(),
        meta,
    }
}

/// The subfolders of `dir` (entries without `.json`).
fn folders(r: &mut Reader<'_>, dir: &str) -> Vec<String> {
    r.list(dir)
        .into_iter()
        .filter(|e| !e.ends_with(".json"))
        .map(|e| format!("{dir}/{e}"))
        .collect()
}

/// `tags.json`: a map of tag keys to values; no file, no tags.
fn read_tags(r: &mut Reader<'_>, dir: &str) -> Vec<(Box<str>, Box<str>)> {
    r.file(&format!("{dir}/tags.json"))
        .and_then(|f| r.parse::<BTreeMap<String, String>>(&f, f.text(), ""))
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// A JSON array file of strings (`managed-policies.json`, `groups.json`); no file, none.
fn read_strings(r: &mut Reader<'_>, path: &str) -> Vec<String> {
    r.file(path)
        .and_then(|f| r.parse::<Vec<Option<String>>>(&f, f.text(), ""))
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// A policy document file holding one document (`policy.json`, `trust-policy.json`…).
fn read_doc(
    r: &mut Reader<'_>,
    part: &mut AccountPart,
    path: &str,
    ty: PolicyType,
    name: impl FnOnce() -> String,
) -> Option<u32> {
    let f: Arc<Source> = r.file(path)?;
    let raw = r.parse::<&RawValue>(&f, f.text(), "")?;
    Some(r.document(&mut part.policies, &f, raw, "", ty, name()))
}

/// `inline-policies.json`.
fn read_inline(r: &mut Reader<'_>, part: &mut AccountPart, dir: &str, whom: &str) -> Vec<u32> {
    let Some(f) = r.file(&format!("{dir}/inline-policies.json")) else {
        return Vec::new();
    };
    let Some(list) = r.parse::<Vec<Inline<'_>>>(&f, f.text(), "") else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .map(|(j, p)| {
            r.document(
                &mut part.policies,
                &f,
                p.policy_document,
                &format!("[{j}].PolicyDocument"),
                PolicyType::Identity,
                format!("inline policy `{}` of {whom}", p.policy_name.as_deref().unwrap_or("")),
            )
        })
        .collect()
}

/// The ARN of a folder's resource; a warning when `metadata.json` does not give it.
fn arn_of(r: &mut Reader<'_>, f: &Folder) -> Option<String> {
    let arn = f.meta.as_ref().and_then(|m| m.arn.clone());
    if arn.is_none() {
        r.warn(
            "unexpected-shape",
            &r.src.display(&format!("{}/metadata.json", f.dir)),
            "no `arn` in the resource's `metadata.json` (or no such file): the resource is not loaded",
        );
    }
    arn
}

/// Reads the IAM folders of an account: managed policies first, then groups, users and
/// roles.
fn read_iam(r: &mut Reader<'_>, part: &mut AccountPart, base: &str) {
    let iam = format!("{base}/iam");
    let entries = r.list(&iam);
    if !entries.iter().any(|e| IAM_FOLDERS.contains(&e.as_str())) {
        return;
    }
    part.has_iam = true;
    let mut managed: FxHashMap<String, u32> = FxHashMap::default();
    for (dir, aws) in [(format!("{iam}/aws/policy"), true), (format!("{iam}/policy"), false)] {
        for pdir in folders(r, &dir) {
            let f = read_meta(r, &pdir);
            let Some(arn) = arn_of(r, &f) else { continue };
            let meta = f.meta.as_ref();
            let name = if aws || is_aws_managed(&arn) {
                let short = arn.rsplit('/').next().unwrap_or_default();
                format!(
                    "AWS managed policy `{}`",
                    meta.and_then(|m| m.name.as_deref()).unwrap_or(short)
                )
            } else {
                format!("managed policy `{arn}`")
            };
            let Some(idx) = read_doc(
                r,
                part,
                &format!("{pdir}/current-policy.json"),
                PolicyType::Identity,
                || name,
            ) else {
                r.warn(
                    "missing-policy",
                    &r.src.display(&format!("{pdir}/current-policy.json")),
                    format!("managed policy `{arn}` has no default version document"),
                );
                continue;
            };
            if is_aws_managed(&arn) {
                let version = meta.and_then(|m| m.default_version_id.clone()).unwrap_or_default();
                part.aws_managed.push((arn.as_str().into(), version.into(), idx));
            }
            managed.insert(arn, idx);
        }
    }
    let resolve = |arn: &str| -> ManagedRef { managed.get(arn).copied().ok_or_else(|| arn.into()) };
    let mut missing: Vec<(String, String)> = Vec::new();
    let mut note = |arn: &str, whom: &str| {
        if !is_aws_managed(arn) && !managed.contains_key(arn) {
            missing.push((arn.to_string(), whom.to_string()));
        }
    };
    let mut group_index: FxHashMap<String, u32> = FxHashMap::default();
    for gdir in folders(r, &format!("{iam}/group")) {
        let f = read_meta(r, &gdir);
        let Some(arn) = arn_of(r, &f) else { continue };
        let name = f
            .meta
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
        let whom = format!("group `{name}`");
        let inline = read_inline(r, part, &gdir, &whom);
        let attached = read_strings(r, &format!("{gdir}/managed-policies.json"));
        attached.iter().for_each(|a| note(a, &whom));
        let idx = push(
            &mut part.groups,
            GroupRec {
                name: name.into(),
                inline,
                managed: attached.iter().map(|a| resolve(a)).collect(),
            },
        );
        group_index.insert(arn, idx);
    }
    for (kind, sub) in [(EstatePrincipalKind::User, "user"), (EstatePrincipalKind::Role, "role")] {
        for pdir in folders(r, &format!("{iam}/{sub}")) {
            let f = read_meta(r, &pdir);
            let Some(arn) = arn_of(r, &f) else { continue };
            let meta = f.meta.as_ref();
            let name = meta
                .and_then(|m| m.name.clone())
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
            let whom = format!("{sub} `{name}`");
            let inline = read_inline(r, part, &pdir, &whom);
            let attached = read_strings(r, &format!("{pdir}/managed-policies.json"));
            attached.iter().for_each(|a| note(a, &whom));
            let boundary = meta.and_then(|m| m.permission_boundary.clone());
            if let Some(b) = &boundary {
                note(b, &whom);
            }
            let (mut groups, mut missing_groups) = (Vec::new(), Vec::new());
            if kind == EstatePrincipalKind::User {
                for g in read_strings(r, &format!("{pdir}/groups.json")) {
                    match group_index.get(&g) {
                        Some(i) => groups.push(*i),
                        None => missing_groups.push(g.rsplit('/').next().unwrap_or_default().into()),
                    }
                }
            }
            let trust = if kind == EstatePrincipalKind::Role {
                read_doc(
                    r,
                    part,
                    &format!("{pdir}/trust-policy.json"),
                    PolicyType::Resource,
                    || format!("trust policy of {whom}"),
                )
            } else {
                None
            };
            let tags = read_tags(r, &pdir);
            part.principals.push(PrincipalRec {
                kind,
                account: 0,
                unique_id: meta.and_then(|m| m.id.clone()).unwrap_or_default().into(),
                arn: arn.into(),
                name: name.into(),
                tags,
                inline,
                managed: attached.iter().map(|a| resolve(a)).collect(),
                groups,
                missing_groups,
                boundary: boundary.as_deref().map(resolve),
                trust,
                file: Arc::from(r.src.display(&format!("{pdir}/metadata.json"))),
                path: "".into(),
            });
        }
    }
    missing.sort();
    missing.dedup();
    for (arn, whom) in missing {
        r.warn(
            "missing-policy",
            &r.src.display(&iam),
            format!("managed policy `{arn}` is attached to {whom} but is not in `iam/policy/`: evaluated without it"),
        );
    }
}

/// A resource with a policy file and tags (`kind`, named `what` in messages).
fn resource(
    r: &mut Reader<'_>,
    part: &mut AccountPart,
    dir: &str,
    kind: ResourceKind,
    what: &str,
    policy_file: &str,
) -> Option<(u32, Folder)> {
    let f = read_meta(r, dir);
    let arn = arn_of(r, &f)?;
    let policy = read_doc(r, part, &format!("{dir}/{policy_file}"), PolicyType::Resource, || {
        // Named as the AWS CLI layout names them: buckets by name, the rest by ARN.
        let shown = match kind {
            ResourceKind::Bucket => arn.rsplit(':').next().unwrap_or(&arn),
            _ => &arn,
        };
        format!("{what} policy of `{shown}`")
    });
    let tags = read_tags(r, dir);
    let idx = push(
        &mut part.resources,
        ResourceRec {
            kind,
            account: 0,
            arn: arn.into(),
            policy,
            tags: Some(tags),
            s3: None,
            kms: None,
            folder: r.src.display(dir).into(),
        },
    );
    Some((idx, f))
}

/// `<service>/<region>/[<type>/]<id>` folders of an account.
fn regional(r: &mut Reader<'_>, base: &str, service: &str, ty: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for region in folders(r, &format!("{base}/{service}")) {
        let dir = match ty {
            Some(t) => format!("{region}/{t}"),
            None => region,
        };
        out.extend(folders(r, &dir));
    }
    out
}

fn bpa(r: &mut Reader<'_>, path: &str) -> Option<PublicAccessBlock> {
    let f = r.file(path)?;
    let d = r.parse::<BpaShape>(&f, f.text(), "")?;
    Some(PublicAccessBlock {
        ignore_public_acls: d.ignore_public_acls,
        restrict_public_buckets: d.restrict_public_buckets,
    })
}

/// Reads `accounts/<id>/` of the partition that has it.
pub(crate) fn read_account(r: &mut Reader<'_>, id: &str) -> AccountPart {
    let mut part = AccountPart {
        id: id.to_string(),
        ..AccountPart::default()
    };
    let roots = partition_roots(r);
    let mut base = None;
    for root in roots {
        let b = join(&root, &format!("accounts/{id}"));
        if !r.list(&b).is_empty() {
            base = Some(b);
            break;
        }
    }
    let Some(base) = base else {
        part.warnings = std::mem::take(&mut r.warnings);
        return part;
    };
    part.collected = true;
    read_iam(r, &mut part, &base);
    part.bpa = bpa(r, &format!("{base}/s3-bpa.json"));
    // Buckets: `s3/<bucket>/`; other S3 resources (access points…) have other ARNs.
    for dir in folders(r, &format!("{base}/s3")) {
        if !r.list(&dir).iter().any(|e| e == "metadata.json") {
            continue;
        }
        let Some((idx, f)) = resource(r, &mut part, &dir, ResourceKind::Bucket, "bucket", "policy.json") else {
            continue;
        };
        let Some(rec) = part.resources.get(idx as usize) else {
            continue;
        };
        let is_bucket =
            crate::arn::split(&rec.arn).is_some_and(|p| p[3].is_empty() && p[4].is_empty() && !p[5].contains('/'));
        if !is_bucket {
            part.resources.pop();
            continue;
        }
        let s3 = S3Settings {
            bpa: bpa(r, &format!("{dir}/bpa.json")),
            abac: f.meta.as_ref().map(|m| m.abac_enabled == Some(true)).filter(|on| *on),
            ..S3Settings::default()
        };
        if let Some(rec) = part.resources.get_mut(idx as usize) {
            rec.s3 = Some(Box::new(s3));
        }
    }
    for dir in regional(r, &base, "kms", Some("key")) {
        if let Some((idx, f)) = resource(r, &mut part, &dir, ResourceKind::KmsKey, "key", "policy.json") {
            let kms = KmsSettings {
                aws_managed: f.meta.as_ref().and_then(|m| m.aws_managed).filter(|m| *m),
                grants: Vec::new(),
            };
            if let Some(rec) = part.resources.get_mut(idx as usize) {
                rec.kms = Some(Box::new(kms));
            }
        }
    }
    for (service, ty, kind, what) in [
        ("sqs", None, ResourceKind::Queue, "queue"),
        ("sns", None, ResourceKind::Topic, "topic"),
        ("lambda", Some("function"), ResourceKind::Function, "function"),
        ("secretsmanager", Some("secret"), ResourceKind::Secret, "secret"),
    ] {
        for dir in regional(r, &base, service, ty) {
            resource(r, &mut part, &dir, kind, what, "policy.json");
        }
    }
    for dir in regional(r, &base, "ec2", Some("vpc-endpoint")) {
        let f = read_meta(r, &dir);
        let Some(meta) = &f.meta else { continue };
        let Some(id) = meta.id.clone().or_else(|| {
            meta.arn
                .as_deref()
                .and_then(|a| a.rsplit('/').next())
                .map(str::to_string)
        }) else {
            continue;
        };
        let vpc = meta.vpc.as_deref().map(|v| v.rsplit('/').next().unwrap_or(v).into());
        let policy = read_doc(
            r,
            &mut part,
            &format!("{dir}/endpoint-policy.json"),
            PolicyType::VpcEndpoint,
            || format!("VPC endpoint policy of `{id}`"),
        );
        part.endpoints.push((
            id.as_str().into(),
            super::model::Endpoint {
                account: 0,
                vpc,
                policy,
            },
        ));
    }
    part.warnings = std::mem::take(&mut r.warnings);
    part
}
