//! Building an [`Estate`] from parts that can be read independently: the organization,
//! and one account at a time ([`AccountPart`]: a caller may read accounts in parallel
//! and add them in any order). [`EstateBuilder::finish`] resolves what spans accounts
//! (AWS managed policies, ACL grantees) and computes each account's SCP and RCP chains
//! once.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::model::{
    AccountRec, Chain, Endpoint, Estate, EstatePrincipalKind, EstateWarning, GroupRec, Level, ManagedRef, OrgRec,
    PolicyRec, PrincipalRec, PublicAccessBlock, RawGrantee, ResourceRec,
};
use super::source::SnapshotSource;
use super::text::{locate_document, parse_text, DocText, Encoding, Origin};
use crate::parse::{parse_policy, Severity};
use crate::policy::PolicyType;
use crate::request::AclGrantee;
use crate::span::{Source, Span};

/// Reads files of a snapshot, collecting warnings.
pub(crate) struct Reader<'s> {
    pub(crate) src: &'s dyn SnapshotSource,
    pub(crate) warnings: Vec<EstateWarning>,
    /// Policies parsed so far, by the hash of their text and their type: a document
    /// whose text another one has (a trust policy many roles share) shares its parse.
    seen: FxHashMap<(u64, PolicyType), Vec<Arc<crate::policy::Policy>>>,
}

impl<'s> Reader<'s> {
    pub(crate) fn new(src: &'s dyn SnapshotSource) -> Reader<'s> {
        Reader {
            src,
            warnings: Vec::new(),
            seen: FxHashMap::default(),
        }
    }

    pub(crate) fn warn(&mut self, code: &'static str, file: &str, message: impl Into<String>) {
        self.warnings.push(EstateWarning {
            code,
            file: file.to_string(),
            line: None,
            column: None,
            path: String::new(),
            message: message.into(),
        });
    }

    pub(crate) fn warn_at(&mut self, code: &'static str, file: &Source, at: usize, path: &str, message: String) {
        let loc = file.locate(Span::new(at, at));
        self.warnings.push(EstateWarning {
            code,
            file: file.name().to_string(),
            line: Some(loc.line),
            column: Some(loc.column),
            path: path.to_string(),
            message,
        });
    }

    /// The file at `path`, or `None` (absent, or unreadable: a warning).
    pub(crate) fn file(&mut self, path: &str) -> Option<Arc<Source>> {
        match self.src.read(path) {
            Ok(Some(text)) => Some(Source::new(self.src.display(path), text)),
            Ok(None) => None,
            Err(e) => {
                self.warn(
                    "unreadable-file",
                    &self.src.display(path),
                    format!("cannot read the file: {e}"),
                );
                None
            }
        }
    }

    /// The entries of folder `path` (none when absent; unreadable: a warning).
    pub(crate) fn list(&mut self, path: &str) -> Vec<String> {
        match self.src.list(path) {
            Ok(v) => v,
            Err(e) => {
                self.warn(
                    "unreadable-file",
                    &self.src.display(path),
                    format!("cannot list the folder: {e}"),
                );
                Vec::new()
            }
        }
    }

    /// Deserializes `text` (all of `file`'s text, or a part of it) as `T`; on error, a
    /// warning with the position and the JSON path of the offending member.
    pub(crate) fn parse<'a, T: Deserialize<'a>>(&mut self, file: &'a Source, text: &'a str, prefix: &str) -> Option<T> {
        let base = text.as_ptr() as usize - file.text().as_ptr() as usize;
        let mut de = serde_json::Deserializer::from_str(text);
        let result = match serde_path_to_error::deserialize(&mut de) {
            Ok(v) => de.end().map(|()| v).map_err(|e| (String::new(), e)),
            Err(e) => Err((e.path().to_string(), e.into_inner())),
        };
        match result {
            Ok(v) => Some(v),
            Err((path, inner)) => {
                let path = join_path(prefix, &path);
                let at = base + offset_of(text, inner.line(), inner.column());
                let code = if inner.is_data() {
                    "unexpected-shape"
                } else {
                    "invalid-json"
                };
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or_default().to_string();
                self.warn_at(code, file, at, &path, msg);
                None
            }
        }
    }

    /// Parses the policy document `raw` in `file` and adds it to `policies`; an invalid
    /// document is kept (`policy: None`) and warned about with its position.
    pub(crate) fn document(
        &mut self,
        policies: &mut Vec<PolicyRec>,
        file: &Arc<Source>,
        raw: &RawValue,
        path: &str,
        ty: PolicyType,
        name: String,
    ) -> u32 {
        let (origin, text) = locate_document(file, raw, path);
        type Parsed = Result<(Arc<crate::policy::Policy>, Vec<crate::parse::Diagnostic>), super::text::DocError>;
        let parsed: Result<Parsed, String> = match text {
            Ok(text) => {
                let body = match &text {
                    DocText::Object => origin.file.slice(origin.span),
                    DocText::Decoded(s) => s.as_str(),
                };
                let key = (text_hash(body), ty);
                let known = self
                    .seen
                    .get(&key)
                    .and_then(|v| v.iter().find(|p| p.source.slice(p.span) == body))
                    .cloned();
                match known {
                    Some(p) => Ok(Ok((p, Vec::new()))),
                    None => {
                        let parsed = parse_text(&origin, text, ty).map(|(p, w)| (Arc::new(p.with_pointer(path)), w));
                        if let Ok((p, _)) = &parsed {
                            self.seen.entry(key).or_default().push(p.clone());
                        }
                        Ok(parsed)
                    }
                }
            }
            Err(message) => Err(message),
        };
        let policy = match parsed {
            Ok(Ok((p, warnings))) => {
                for d in warnings {
                    let at = origin.file_offset((d.span.start as usize).saturating_sub(p.span.start as usize));
                    self.warn_at(
                        "policy-warning",
                        file,
                        at,
                        &join_path(path, &d.path),
                        format!("{name}: {}", d.message),
                    );
                }
                Some(p)
            }
            Ok(Err(e)) => {
                match e.diagnostics.iter().find(|d| d.severity == Severity::Error) {
                    Some(d) => {
                        let rel = match origin.encoding {
                            Encoding::Object => (d.span.start as usize).saturating_sub(origin.span.start as usize),
                            _ => d.span.start as usize,
                        };
                        self.warn_at(
                            "invalid-policy",
                            file,
                            origin.file_offset(rel),
                            &join_path(path, &d.path),
                            format!("{name} is not a valid {}: {}", ty.name(), d.message),
                        );
                    }
                    None => self.warn_at(
                        "invalid-policy",
                        file,
                        origin.span.start as usize,
                        path,
                        format!("{name}: {}", e.message),
                    ),
                }
                None
            }
            Err(message) => {
                self.warn_at(
                    "invalid-policy",
                    file,
                    origin.span.start as usize,
                    path,
                    format!("{name}: {message}"),
                );
                None
            }
        };
        push(
            policies,
            PolicyRec {
                policy,
                origin: Some(origin),
                name: name.into(),
                ty,
            },
        )
    }
}

/// A fast hash of a document's text.
fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

/// The byte offset of 1-based `line`, `column` (characters) in `text`.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text.get(start..).and_then(|r| r.find('\n')) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let rest = text.get(start..).unwrap_or("");
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// `prefix.rest`, either possibly empty; serde's root path `.` counts as empty.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    let rest = rest.trim_start_matches('.');
    match (prefix.is_empty(), rest.is_empty()) {
        (_, true) => prefix.to_string(),
        (true, false) => rest.to_string(),
        (false, false) if rest.starts_with('[') => format!("{prefix}{rest}"),
        _ => format!("{prefix}.{rest}"),
    }
}

/// Pushes `v` and returns its index.
pub(crate) fn push<T>(v: &mut Vec<T>, item: T) -> u32 {
    v.push(item);
    u32::try_from(v.len() - 1).unwrap_or(u32::MAX)
}

/// One account's data, read on its own (indices are local to the part).
#[derive(Debug, Default)]
pub struct AccountPart {
    pub(crate) id: String,
    pub(crate) collected: bool,
    pub(crate) has_iam: bool,
    pub(crate) policies: Vec<PolicyRec>,
    pub(crate) principals: Vec<PrincipalRec>,
    pub(crate) groups: Vec<GroupRec>,
    pub(crate) resources: Vec<ResourceRec>,
    pub(crate) endpoints: Vec<(Box<str>, Endpoint)>,
    pub(crate) aliases: Vec<(Box<str>, u32)>,
    pub(crate) bpa: Option<PublicAccessBlock>,
    /// AWS managed policies in this part: `(ARN, default version, local policy index)`.
    pub(crate) aws_managed: Vec<(Box<str>, Box<str>, u32)>,
    pub(crate) warnings: Vec<EstateWarning>,
}

impl AccountPart {
    /// The account id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The organization's data, read on its own.
#[derive(Debug, Default)]
pub struct OrgPart {
    pub(crate) org: OrgRec,
    pub(crate) policies: Vec<PolicyRec>,
    /// Target (root, OU or account id) → attached SCPs / RCPs (local indices); `None`
    /// when the listing is not in the snapshot.
    pub(crate) scp: FxHashMap<Box<str>, Vec<u32>>,
    pub(crate) rcp: FxHashMap<Box<str>, Vec<u32>>,
    /// Child (OU or account) → parent.
    pub(crate) parent: FxHashMap<Box<str>, Box<str>>,
    pub(crate) roots: Vec<Box<str>>,
    pub(crate) account_names: FxHashMap<Box<str>, Box<str>>,
    /// `None`: not known (no `list-roots.json`).
    pub(crate) scp_enabled: Option<bool>,
    pub(crate) rcp_enabled: Option<bool>,
    pub(crate) present: bool,
    pub(crate) warnings: Vec<EstateWarning>,
}

/// Builds an [`Estate`] from an [`OrgPart`] and [`AccountPart`]s (see the module docs).
#[derive(Debug, Default)]
pub struct EstateBuilder {
    estate: Estate,
    org: Option<OrgPart>,
    /// (AWS managed policy ARN) → estate policy (the first version met), for accounts
    /// whose GAAD lacks the document.
    aws_managed: FxHashMap<Box<str>, u32>,
    /// (AWS managed policy ARN, version) → estate policy: one copy per version.
    aws_versions: FxHashMap<(Box<str>, Box<str>), u32>,
    aliases: Vec<(Box<str>, u32)>,
    /// Directory policies could not be read from: the fill-in folder's name.
    fill_in: Option<String>,
}

/// Where AWS managed policies missing from the snapshot can be read: a folder of
/// `<PolicyName>.json` documents (`fixtures/corpus/managed/` in this repository).
pub struct ManagedPolicies<'a> {
    /// The folder's files.
    pub source: &'a dyn SnapshotSource,
}

impl EstateBuilder {
    /// An empty builder.
    pub fn new() -> EstateBuilder {
        EstateBuilder::default()
    }

    /// Sets the organization's data.
    pub fn organization(&mut self, org: OrgPart) {
        self.org = Some(org);
    }

    /// Adds one account's data.
    pub fn add_account(&mut self, part: AccountPart) {
        let est = &mut self.estate;
        let acct = account_slot(est, &part.id);
        if let Some(a) = est.accounts.get_mut(acct as usize) {
            a.collected |= part.collected;
            a.has_iam |= part.has_iam;
            a.bpa = a.bpa.or(part.bpa);
        }
        // Policies: AWS managed ones already in the estate (same ARN and version) are
        // shared, not added again.
        let dup: FxHashMap<u32, u32> = part
            .aws_managed
            .iter()
            .filter_map(|(arn, v, local)| self.aws_versions.get(&(arn.clone(), v.clone())).map(|g| (*local, *g)))
            .collect();
        let mut remap = Vec::with_capacity(part.policies.len());
        for (i, rec) in part.policies.into_iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match dup.get(&i) {
                Some(g) => remap.push(*g),
                None => remap.push(push(&mut est.policies, rec)),
            }
        }
        let map = |i: u32| remap.get(i as usize).copied().unwrap_or(u32::MAX);
        for (arn, v, local) in &part.aws_managed {
            self.aws_versions
                .entry((arn.clone(), v.clone()))
                .or_insert_with(|| map(*local));
            self.aws_managed.entry(arn.clone()).or_insert_with(|| map(*local));
        }
        let map_ref = |r: &ManagedRef| r.as_ref().map(|i| map(*i)).map_err(Clone::clone);
        let group_base = u32::try_from(est.groups.len()).unwrap_or(u32::MAX);
        for g in part.groups {
            est.groups.push(GroupRec {
                name: g.name,
                inline: g.inline.iter().map(|i| map(*i)).collect(),
                managed: g.managed.iter().map(map_ref).collect(),
            });
        }
        for mut p in part.principals {
            p.account = acct;
            p.inline = p.inline.iter().map(|i| map(*i)).collect();
            p.managed = p.managed.iter().map(map_ref).collect();
            p.boundary = p.boundary.as_ref().map(map_ref);
            p.trust = p.trust.map(map);
            p.groups = p.groups.iter().map(|g| g + group_base).collect();
            let idx = push(&mut est.principals, p);
            if let Some(p) = est.principals.get(idx as usize) {
                est.principal_index.insert(p.arn.clone(), idx);
                est.principal_names
                    .insert((acct, p.kind, p.name.to_ascii_lowercase().into()), idx);
            }
        }
        let res_base = u32::try_from(est.resources.len()).unwrap_or(u32::MAX);
        for mut r in part.resources {
            r.account = acct;
            r.policy = r.policy.map(map);
            let idx = push(&mut est.resources, r);
            if let Some(r) = est.resources.get(idx as usize) {
                est.resource_index.insert(r.arn.clone(), idx);
                match r.kind {
                    super::model::ResourceKind::Bucket => {
                        let name = r.arn.rsplit(':').next().unwrap_or_default();
                        est.buckets.insert(name.into(), idx);
                    }
                    super::model::ResourceKind::Secret => {
                        // The ARN ends `-` and six random characters; requests may leave
                        // them out (a partial ARN).
                        if let Some((stem, suffix)) = r.arn.rsplit_once('-') {
                            if suffix.len() == 6 {
                                est.resource_index.entry(stem.into()).or_insert(idx);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for (alias, key) in part.aliases {
            self.aliases.push((alias, key + res_base));
        }
        for (id, mut e) in part.endpoints {
            e.account = acct;
            e.policy = e.policy.map(map);
            est.endpoints.insert(id, e);
        }
        est.warnings.extend(part.warnings);
    }

    /// Resolves what spans accounts and computes the chains. `managed` fills in AWS
    /// managed policies the snapshot names but does not hold.
    pub fn finish(mut self, managed: Option<&ManagedPolicies<'_>>) -> Estate {
        self.fill_in = managed.map(|m| m.source.display(""));
        self.resolve_managed(managed);
        for (alias, key) in std::mem::take(&mut self.aliases) {
            self.estate.resource_index.entry(alias).or_insert(key);
        }
        self.resolve_acls();
        if let Some(org) = self.org.take() {
            self.apply_org(org);
        }
        let mut est = self.estate;
        // Accounts in id order, indices remapped.
        let mut order: Vec<u32> = (0..u32::try_from(est.accounts.len()).unwrap_or(0)).collect();
        order.sort_by(|a, b| {
            let id = |i: &u32| est.accounts.get(*i as usize).map(|a| a.id.clone());
            id(a).cmp(&id(b))
        });
        let mut new_index = vec![0u32; order.len()];
        for (new, old) in order.iter().enumerate() {
            if let Some(slot) = new_index.get_mut(*old as usize) {
                *slot = u32::try_from(new).unwrap_or(u32::MAX);
            }
        }
        let renum = |i: u32| new_index.get(i as usize).copied().unwrap_or(i);
        let mut accounts: Vec<Option<AccountRec>> = est.accounts.into_iter().map(Some).collect();
        est.accounts = order
            .iter()
            .filter_map(|o| accounts.get_mut(*o as usize).and_then(Option::take))
            .collect();
        est.account_index = est
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        for p in &mut est.principals {
            p.account = renum(p.account);
        }
        est.principal_names = est
            .principal_names
            .into_iter()
            .map(|((a, k, n), v)| ((renum(a), k, n), v))
            .collect();
        for r in &mut est.resources {
            r.account = renum(r.account);
        }
        for e in est.endpoints.values_mut() {
            e.account = renum(e.account);
        }
        est
    }

    /// AWS managed policies named by attachments but not in the same account's GAAD:
    /// another account's copy, the fill-in folder, or a warning.
    fn resolve_managed(&mut self, managed: Option<&ManagedPolicies<'_>>) {
        let mut wanted: Vec<Box<str>> = Vec::new();
        let est = &self.estate;
        let refs = est
            .principals
            .iter()
            .flat_map(|p| p.managed.iter().chain(p.boundary.iter()))
            .chain(est.groups.iter().flat_map(|g| g.managed.iter()));
        for r in refs {
            if let Err(arn) = r {
                if is_aws_managed(arn) && !self.aws_managed.contains_key(arn) && !wanted.contains(arn) {
                    wanted.push(arn.clone());
                }
            }
        }
        let mut missing: Vec<Box<str>> = Vec::new();
        for arn in wanted {
            let name = arn.rsplit('/').next().unwrap_or_default().to_string();
            let file = format!("{name}.json");
            let text = managed.and_then(|m| m.source.read(&file).ok().flatten());
            match (managed, text) {
                (Some(m), Some(text)) => {
                    let src = Source::new(m.source.display(&file), text);
                    let (policy, warn) = match parse_policy(&src, PolicyType::Identity) {
                        Ok(p) => (Some(Arc::new(p.policy)), None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    let origin = Origin {
                        span: Span::new(0, src.text().len()),
                        file: src,
                        encoding: Encoding::Object,
                        path: "".into(),
                    };
                    let idx = push(
                        &mut self.estate.policies,
                        PolicyRec {
                            policy,
                            origin: Some(origin),
                            name: format!("AWS managed policy `{arn}`").into(),
                            ty: PolicyType::Identity,
                        },
                    );
                    let display = m.source.display(&file);
                    self.estate.warnings.push(EstateWarning {
                        code: "filled-in-managed-policy",
                        file: display.clone(),
                        line: None,
                        column: None,
                        path: String::new(),
                        message: match warn {
                            None => format!(
                                "AWS managed policy `{arn}` is not in the snapshot: read from `{display}` (its version there may differ from the account's)"
                            ),
                            Some(e) => format!("AWS managed policy `{arn}` from `{display}` does not parse: {e}"),
                        },
                    });
                    self.aws_managed.insert(arn, idx);
                }
                _ => missing.push(arn),
            }
        }
        let aws = &self.aws_managed;
        let fix = |r: &mut ManagedRef| {
            if let Err(arn) = r {
                if let Some(i) = aws.get(&**arn) {
                    *r = Ok(*i);
                }
            }
        };
        for p in &mut self.estate.principals {
            p.managed.iter_mut().for_each(fix);
            p.boundary.iter_mut().for_each(fix);
        }
        for g in &mut self.estate.groups {
            g.managed.iter_mut().for_each(fix);
        }
        for arn in missing {
            let whom: Vec<String> = self
                .estate
                .principals
                .iter()
                .filter(|p| {
                    p.managed
                        .iter()
                        .chain(p.boundary.iter())
                        .any(|r| r.as_ref().err() == Some(&arn))
                })
                .map(|p| p.arn.to_string())
                .take(3)
                .collect();
            let hint = match &self.fill_in {
                Some(dir) => format!("; not in `{dir}` either"),
                None => "; give a folder of AWS managed policies (`--aws-managed-policies fixtures/corpus/managed`) to fill it in".to_string(),
            };
            self.estate.warnings.push(EstateWarning {
                code: "unknown-managed-policy",
                file: String::new(),
                line: None,
                column: None,
                path: String::new(),
                message: format!(
                    "AWS managed policy `{arn}` is attached (to {}) but its document is not in the snapshot: evaluated without it{hint}",
                    if whom.is_empty() { "a group".to_string() } else { whom.join(", ") }
                ),
            });
        }
    }

    /// Canonical user ids of ACL grants: estate accounts' ids (learned from their
    /// buckets' ACL owners) become account grantees.
    fn resolve_acls(&mut self) {
        let mut owners: FxHashMap<Box<str>, u32> = FxHashMap::default();
        for r in &self.estate.resources {
            if let Some(c) = r.s3.as_ref().and_then(|s| s.owner_canonical.clone()) {
                owners.insert(c, r.account);
            }
        }
        let ids: Vec<Box<str>> = self.estate.accounts.iter().map(|a| a.id.clone()).collect();
        for r in &mut self.estate.resources {
            let Some(acl) = r.s3.as_mut().and_then(|s| s.acl.as_mut()) else {
                continue;
            };
            for (g, _) in acl.iter_mut() {
                if let RawGrantee::Canonical(c) = g {
                    if let Some(id) = owners.get(&**c).and_then(|a| ids.get(*a as usize)) {
                        *g = RawGrantee::Group(AclGrantee::Account(id.to_string()));
                    }
                }
            }
        }
    }

    /// Places accounts in the organization and computes their SCP and RCP chains.
    fn apply_org(&mut self, org: OrgPart) {
        let est = &mut self.estate;
        let base = u32::try_from(est.policies.len()).unwrap_or(u32::MAX);
        est.policies.extend(org.policies);
        est.warnings.extend(org.warnings);
        if !org.present {
            return;
        }
        let mut accounts: Vec<Box<str>> = org
            .parent
            .keys()
            .filter(|k| crate::request::is_account_id(k))
            .cloned()
            .collect();
        accounts.sort();
        for a in &accounts {
            account_slot(est, a);
        }
        let org_id = org.org.id.clone();
        for acct in est.accounts.iter_mut() {
            if let Some(n) = org.account_names.get(&acct.id) {
                acct.name = Some(n.clone());
            }
            // The path from the root: parents until one has none.
            let mut parents: Vec<Box<str>> = Vec::new();
            let mut at = org.parent.get(&acct.id);
            while let Some(p) = at {
                if parents.contains(p) || parents.len() > 8 {
                    break;
                }
                parents.push(p.clone());
                at = org.parent.get(p);
            }
            parents.reverse();
            let in_org = !parents.is_empty() || org.org.management_account.as_deref() == Some(&*acct.id);
            if !in_org {
                continue;
            }
            acct.org_path = org_id.as_ref().map(|o| {
                let mut s = format!("{o}/");
                for p in &parents {
                    s.push_str(p);
                    s.push('/');
                }
                s.into()
            });
            let levels = |attached: &FxHashMap<Box<str>, Vec<u32>>| -> Vec<Level> {
                parents
                    .iter()
                    .chain(std::iter::once(&acct.id))
                    .map(|t| Level {
                        target: t.clone(),
                        policies: attached.get(t).map(|v| v.iter().map(|i| i + base).collect()),
                    })
                    .collect()
            };
            if org.scp_enabled != Some(false) && !parents.is_empty() {
                acct.scp = Some(Arc::new(chain(
                    &est.policies,
                    &levels(&org.scp),
                    "SCP",
                    org.scp_enabled,
                )));
            }
            if org.rcp_enabled != Some(false) && !parents.is_empty() {
                acct.rcp = Some(Arc::new(chain(
                    &est.policies,
                    &levels(&org.rcp),
                    "RCP",
                    org.rcp_enabled,
                )));
            }
            acct.parents = parents;
        }
        est.org = Some(org.org);
    }
}

/// The chain of `levels`: known levels' parsed policies; notes for the rest.
fn chain(policies: &[PolicyRec], levels: &[Level], what: &str, enabled: Option<bool>) -> Chain {
    let mut c = Chain::default();
    if enabled.is_none() {
        c.notes.push(format!(
            "the snapshot has no `organizations/list-roots.json`: {what}s are taken to be enabled"
        ));
    }
    for level in levels {
        let Some(ids) = &level.policies else {
            c.notes.push(format!(
                "the {what}s attached to `{}` are not in the snapshot (`list-policies-for-target`, or iam-collect's `ous.json`): that level is not evaluated",
                level.target
            ));
            continue;
        };
        let mut lv = Vec::with_capacity(ids.len());
        let mut lid = Vec::with_capacity(ids.len());
        for &i in ids {
            match policies.get(i as usize) {
                Some(PolicyRec { policy: Some(p), .. }) => {
                    lv.push(p.clone());
                    lid.push(i);
                }
                Some(rec) => c.notes.push(format!(
                    "{} attached to `{}` could not be read: evaluated without it",
                    rec.name, level.target
                )),
                None => {}
            }
        }
        c.levels.push(lv);
        c.ids.push(lid);
    }
    c
}

/// The estate index of account `id`, added when new.
fn account_slot(est: &mut Estate, id: &str) -> u32 {
    if let Some(i) = est.account_index.get(id) {
        return *i;
    }
    let i = push(
        &mut est.accounts,
        AccountRec {
            id: id.into(),
            name: None,
            parents: Vec::new(),
            org_path: None,
            scp: None,
            rcp: None,
            bpa: None,
            collected: false,
            has_iam: false,
        },
    );
    est.account_index.insert(id.into(), i);
    i
}

/// `arn:<partition>:iam::aws:policy/…`.
pub(crate) fn is_aws_managed(arn: &str) -> bool {
    crate::arn::split(arn).is_some_and(|p| p[2] == "iam" && p[4] == "aws" && p[5].starts_with("policy/"))
}

/// The kind of a principal ARN (`user/…`, `role/…`).
pub(crate) fn principal_kind_of(arn: &str) -> Option<EstatePrincipalKind> {
    let p = crate::arn::split(arn)?;
    match p[5].split_once('/')?.0 {
        "user" => Some(EstatePrincipalKind::User),
        "role" => Some(EstatePrincipalKind::Role),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_paths() {
        assert_eq!(offset_of("ab\ncdé\nf", 2, 3), 5);
        assert_eq!(offset_of("ab\ncdé\nf", 3, 1), 8);
        assert_eq!(join_path("A[1]", "B.C"), "A[1].B.C");
        assert_eq!(join_path("", "."), "");
        assert_eq!(join_path("A", "[2].B"), "A[2].B");
        assert_eq!(join_path("A", ""), "A");
        assert!(is_aws_managed("arn:aws:iam::aws:policy/service-role/X"));
        assert!(!is_aws_managed("arn:aws:iam::111122223333:policy/X"));
    }
}
