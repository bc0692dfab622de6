//! The request document: the JSON contract `policy-sim eval --request`, `batch` and the
//! wasm API read (README, "The request document"). Parsing is pure: policies given by
//! path are fetched through a [`PolicyLoader`] the caller supplies.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::eval::PolicySet;
use crate::parse::{parse_policy_at, Diagnostic};
use crate::policy::{Policy, PolicyType};
use crate::request::{
    Acl, AclGrantee, AclPermission, BlockPublicAccess, Context, KeyBits, KmsGrant, ObjectOwnership, Principal, Request,
};
use crate::span::{Source, Span};

/// A request document that cannot be used: where and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}{}", if path.is_empty() { String::new() } else { format!(" (at {path})") })]
pub struct DocumentError {
    /// A stable code for the kind of error: `json-syntax`, `unknown-member`,
    /// `missing-member`, `invalid-value`, `invalid-principal`, `invalid-action`,
    /// `invalid-account`, `invalid-policy` (the policy does not parse; see
    /// `diagnostics`), `unreadable-policy` (a policy path that cannot be loaded).
    pub code: &'static str,
    /// The source's name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// JSON path of the offending member (`policies.identity[1]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// For invalid policies: every diagnostic of the policy.
    pub diagnostics: Vec<Diagnostic>,
}

/// The text of a file's bytes, or a `not-utf8` error that says precisely why not: a
/// UTF-16 byte-order mark (`FF FE` / `FE FF`: the file is UTF-16), or the first byte
/// that is not UTF-8, with its value, line and column (1-based; the column counts the
/// characters before it). IAM reads policies as UTF-8 JSON. A UTF-8 byte-order mark is
/// valid UTF-8: the JSON readers report it.
///
/// Errors: `code` `not-utf8`, `file` `name`.
pub fn decode_utf8(name: &str, bytes: Vec<u8>) -> Result<String, DocumentError> {
    let e = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let bytes = e.as_bytes();
    let err = |line: u32, column: u32, message: String| DocumentError {
        code: "not-utf8",
        file: name.to_string(),
        line,
        column,
        path: String::new(),
        message,
        diagnostics: Vec::new(),
    };
    if let Some(bom) = [&[0xFF, 0xFE], &[0xFE, 0xFF]]
        .into_iter()
        .find(|b| bytes.starts_with(&b[..]))
    {
        return Err(err(
            1,
            1,
            format!(
                "not UTF-8: the file starts with a UTF-16 byte-order mark ({:02X} {:02X}): save it as UTF-8",
                bom[0], bom[1]
            ),
        ));
    }
    let at = e.utf8_error().valid_up_to();
    let valid = std::str::from_utf8(bytes.get(..at).unwrap_or_default()).unwrap_or_default();
    let line = valid.matches('\n').count() + 1;
    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let byte = bytes.get(at).copied().unwrap_or(0);
    Err(err(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
        format!("not UTF-8: byte 0x{byte:02X} at line {line}, column {column} (offset {at}) is not part of a UTF-8 character: save the file as UTF-8"),
    ))
}

/// Loads a policy named by path in a request document. Implementations resolve the
/// path (relative to the request file), read and parse it, and may cache by path.
pub trait PolicyLoader {
    /// Loads the policy at `path` as a policy of type `ty`.
    ///
    /// Errors: the message (a missing file, say) and, for an invalid policy, its
    /// diagnostics.
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)>;
}

/// A loader for environments without files (the browser): every path is an error.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoFiles;

impl PolicyLoader for NoFiles {
    fn load(&mut self, path: &str, _ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        Err((format!("cannot read `{path}` here: give the policy inline"), Vec::new()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawDoc<'a> {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(borrow, default)]
    principal: Option<&'a RawValue>,
    #[serde(borrow, default)]
    action: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource_account: Option<&'a RawValue>,
    #[serde(default)]
    context: Option<ContextDoc>,
    #[serde(borrow, default)]
    organization: Option<&'a RawValue>,
    #[serde(borrow, default)]
    policies: Option<RawPolicies<'a>>,
    #[serde(borrow, default)]
    session_issuer: Option<&'a RawValue>,
    #[serde(default)]
    block_public_access: Option<RawBpa>,
    #[serde(borrow, default)]
    acl: Option<&'a RawValue>,
    #[serde(default)]
    kms_grants: Option<Vec<RawGrant>>,
    #[serde(borrow, default)]
    kms_key_manager: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawOrg<'a> {
    #[serde(borrow, default)]
    management_account: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawBpa {
    #[serde(default)]
    restrict_public_buckets: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawAcl {
    #[serde(default)]
    object_ownership: Option<String>,
    #[serde(default)]
    grants: Vec<RawAclGrant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAclGrant {
    grantee: String,
    permission: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawGrant {
    grantee: String,
    operations: Vec<String>,
    #[serde(default)]
    constraints: Option<RawConstraints>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConstraints {
    #[serde(default)]
    encryption_context_subset: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    encryption_context_equals: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawPolicies<'a> {
    #[serde(borrow, default)]
    identity: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
    #[serde(borrow, default)]
    permissions_boundary: Option<&'a RawValue>,
    #[serde(borrow, default)]
    session: Option<&'a RawValue>,
    #[serde(borrow, default)]
    scp: Option<Vec<Vec<&'a RawValue>>>,
    #[serde(borrow, default)]
    rcp: Option<Vec<Vec<&'a RawValue>>>,
    #[serde(borrow, default)]
    vpc_endpoint: Option<Vec<&'a RawValue>>,
}

/// A parsed request document whose members may be incomplete: a `--base` document, or a
/// batch line before it is merged with its base.
#[derive(Debug, Clone, Default)]
pub struct PartialDocument {
    id: Option<serde_json::Value>,
    principal: Option<Principal>,
    action: Option<String>,
    resource: Option<String>,
    resource_account: Option<String>,
    context: Context,
    management_account: Option<String>,
    session_issuer: Option<String>,
    block_public_access: Option<BlockPublicAccess>,
    acl: Option<Acl>,
    kms_grants: Option<Vec<KmsGrant>>,
    /// `kmsKeyManager` is `AWS`.
    aws_managed_kms_key: Option<bool>,
    identity: Option<Vec<Arc<Policy>>>,
    resource_policy: Option<Option<Arc<Policy>>>,
    permissions_boundary: Option<Option<Arc<Policy>>>,
    session: Option<Option<Arc<Policy>>>,
    scp: Option<Vec<Vec<Arc<Policy>>>>,
    rcp: Option<Vec<Vec<Arc<Policy>>>>,
    vpc_endpoint: Option<Vec<Arc<Policy>>>,
    /// The policies as one shared set (see [`PartialDocument::share_policies`]).
    shared: Option<Arc<PolicySet>>,
    warnings: Vec<Diagnostic>,
}

/// A complete request document: the request, its policies, and parse warnings.
#[derive(Debug, Clone)]
pub struct RequestDocument {
    /// `id`, echoed in the response.
    pub id: Option<serde_json::Value>,
    /// The request.
    pub request: Request,
    /// The policies (shared with the base document when the request names none).
    pub policies: Arc<PolicySet>,
    /// Warnings from parsing the policies (unknown operators…).
    pub warnings: Vec<Diagnostic>,
}

struct Cx<'s, 'l> {
    source: &'s Arc<Source>,
    loader: &'l mut dyn PolicyLoader,
    warnings: Vec<Diagnostic>,
}

impl Cx<'_, '_> {
    fn offset(&self, raw: &RawValue) -> usize {
        (raw.get().as_ptr() as usize).saturating_sub(self.source.text().as_ptr() as usize)
    }

    fn err_at(&self, code: &'static str, raw: Option<&RawValue>, path: &str, message: String) -> DocumentError {
        let start = raw.map_or(0, |r| self.offset(r));
        let end = raw.map_or(0, |r| start + r.get().len());
        let loc = self.source.locate(Span::new(start, end));
        DocumentError {
            code,
            file: self.source.name().to_string(),
            line: loc.line,
            column: loc.column,
            path: path.to_string(),
            message,
            diagnostics: Vec::new(),
        }
    }

    fn string(&self, raw: &RawValue, path: &str) -> Result<String, DocumentError> {
        serde_json::from_str::<String>(raw.get())
            .map_err(|_| self.err_at("invalid-value", Some(raw), path, "expected a string".into()))
    }

    /// A member read as `T`; an error points at the member's value.
    fn member<'r, T: Deserialize<'r>>(&self, raw: &'r RawValue, path: &str) -> Result<T, DocumentError> {
        serde_json::from_str::<T>(raw.get()).map_err(|e| {
            let msg = e.to_string();
            let code = if msg.starts_with("unknown field") {
                "unknown-member"
            } else if msg.starts_with("missing field") {
                "missing-member"
            } else {
                "invalid-value"
            };
            let message = msg.split(" at line ").next().unwrap_or_default().to_string();
            self.err_at(code, Some(raw), path, format!("{path}: {message}"))
        })
    }

    /// A 12-digit account id.
    fn account(&self, raw: &RawValue, path: &str) -> Result<String, DocumentError> {
        let a = self.string(raw, path)?;
        if crate::request::is_account_id(&a) {
            Ok(a)
        } else {
            Err(self.err_at(
                "invalid-account",
                Some(raw),
                path,
                crate::request::RequestError::InvalidAccount(a).to_string(),
            ))
        }
    }

    fn policy(&mut self, raw: &RawValue, path: &str, ty: PolicyType) -> Result<Arc<Policy>, DocumentError> {
        let text = raw.get();
        if text.starts_with('"') {
            let p = self.string(raw, path)?;
            return self.loader.load(&p, ty).map_err(|(message, diagnostics)| {
                let code = if diagnostics.is_empty() {
                    "unreadable-policy"
                } else {
                    "invalid-policy"
                };
                let mut e = self.err_at(code, Some(raw), path, message);
                e.diagnostics = diagnostics;
                e
            });
        }
        if !text.starts_with('{') {
            return Err(self.err_at(
                "invalid-value",
                Some(raw),
                path,
                "expected a policy object or a path to a policy file".into(),
            ));
        }
        let start = self.offset(raw);
        match parse_policy_at(self.source, Span::new(start, start + text.len()), ty) {
            Ok(parsed) => {
                self.warnings.extend(parsed.warnings);
                Ok(Arc::new(parsed.policy))
            }
            Err(e) => {
                let first = e.diagnostics.first();
                let loc = first.map(|d| d.location());
                Err(DocumentError {
                    code: "invalid-policy",
                    file: self.source.name().to_string(),
                    line: loc.as_ref().map_or(1, |l| l.line),
                    column: loc.as_ref().map_or(1, |l| l.column),
                    path: match first {
                        Some(d) if !d.path.is_empty() => format!("{path}.{}", d.path),
                        _ => path.to_string(),
                    },
                    message: first.map_or_else(|| "invalid policy".to_string(), |d| d.message.clone()),
                    diagnostics: e.diagnostics,
                })
            }
        }
    }

    fn principal(&self, raw: &RawValue) -> Result<Principal, DocumentError> {
        let bad = |m: String| self.err_at("invalid-principal", Some(raw), "principal", m);
        if raw.get().starts_with('"') {
            let s = self.string(raw, "principal")?;
            return Principal::parse(&s).map_err(|e| bad(e.to_string()));
        }
        let obj: std::collections::BTreeMap<String, String> = serde_json::from_str(raw.get()).map_err(|_| {
            bad("expected a string or a one-key object such as {\"Service\": \"lambda.amazonaws.com\"}".into())
        })?;
        let mut it = obj.into_iter();
        match (it.next(), it.next()) {
            (Some((k, v)), None) => match k.as_str() {
                "AWS" => Principal::parse(&v).map_err(|e| bad(e.to_string())),
                "Service" => Ok(Principal::service(&v)),
                "Federated" => Ok(Principal::federated(&v)),
                "CanonicalUser" => Ok(Principal::canonical_user(&v)),
                other => Err(bad(format!(
                    "unknown principal type `{other}`: expected `AWS`, `Service`, `Federated` or `CanonicalUser`"
                ))),
            },
            _ => Err(bad("a principal object has exactly one key".into())),
        }
    }
}

/// The `context` member, read straight into a [`Context`]: key → a string, number or
/// boolean, or an array of them (S-DOC-4: numbers and booleans are read as their text).
struct ContextDoc(Context);

impl<'de> Deserialize<'de> for ContextDoc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut ctx = Context::default();
        serde::de::DeserializeSeed::deserialize(ContextInto(&mut ctx), d)?;
        Ok(ContextDoc(ctx))
    }
}

/// Most keys a request document's `context` may hold (a request to AWS carries a few
/// dozen); more is a `limit` error, so that no document makes the context's look-ups
/// cost more than this per condition.
pub const MAX_CONTEXT_KEYS: usize = 1000;

/// Reads a `context` member's keys into an existing [`Context`], replacing keys it
/// already has.
struct ContextInto<'c>(&'c mut Context);

impl<'de> serde::de::DeserializeSeed<'de> for ContextInto<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        struct MapVisitor<'c>(&'c mut Context);
        impl<'de> serde::de::Visitor<'de> for MapVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of condition keys")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                use serde::de::Error as _;
                // The keys of this object, lower-cased: condition key names are
                // case-insensitive, so two spellings of one key are an error, never
                // "the last one wins" (IAM Access Analyzer: "Duplicate keys with
                // different case").
                let mut seen: rustc_hash::FxHashMap<String, String> = rustc_hash::FxHashMap::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if let Some(first) = seen.insert(key.to_ascii_lowercase(), key.to_string()) {
                        return Err(A::Error::custom(crate::span::clip_quoted(format!(
                            "duplicate context key `{key}`: `{first}` is the same key (condition key names are case-insensitive)"
                        ))));
                    }
                    if seen.len() > MAX_CONTEXT_KEYS {
                        return Err(A::Error::custom(format!(
                            "context limit: more than {MAX_CONTEXT_KEYS} keys"
                        )));
                    }
                    let ContextValues(values) = map.next_value()?;
                    self.0.insert(&key, values);
                }
                Ok(())
            }
        }
        d.deserialize_map(MapVisitor(self.0))
    }
}

/// One context value: a scalar (one value) or an array of scalars.
struct ContextValues(Vec<String>);

impl<'de> Deserialize<'de> for ContextValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        const EXPECTING: &str = "a string, number, boolean or an array of them";
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ContextValues;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(EXPECTING)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ContextValues, E> {
                Ok(ContextValues(vec![v.to_string()]))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ContextValues, E> {
                Ok(ContextValues(vec![v]))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ContextValues, E> {
                Ok(ContextValues(vec![v.to_string()]))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ContextValues, E> {
                Ok(ContextValues(vec![v.to_string()]))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ContextValues, E> {
                Ok(ContextValues(vec![v.to_string()]))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ContextValues, E> {
                Ok(ContextValues(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ContextValues, A::Error> {
                let mut out = Vec::new();
                while let Some(Scalar(v)) = seq.next_element()? {
                    out.push(v);
                }
                Ok(ContextValues(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar element of a context array.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl PartialDocument {
    /// Parses a request document (complete or not) from the whole of `source`.
    ///
    /// Errors: JSON syntax or an unknown member (with line and column), a principal,
    /// action or context value of the wrong form, a policy that does not parse (with all
    /// its diagnostics) or cannot be loaded.
    pub fn parse(source: &Arc<Source>, loader: &mut dyn PolicyLoader) -> Result<PartialDocument, DocumentError> {
        PartialDocument::parse_at(source, Span::new(0, source.text().len()), loader)
    }

    /// Parses the request document at `span` inside `source` (a document embedded in a
    /// larger file); positions stay relative to the whole source.
    ///
    /// Errors: as [`PartialDocument::parse`].
    pub fn parse_at(
        source: &Arc<Source>,
        span: Span,
        loader: &mut dyn PolicyLoader,
    ) -> Result<PartialDocument, DocumentError> {
        let text = source.slice(span);
        let body = text.trim_start();
        if body.starts_with('\u{feff}') {
            let at = span.start as usize + (text.len() - body.len());
            let loc = source.locate(Span::new(at, at));
            return Err(DocumentError {
                code: "json-syntax",
                file: source.name().to_string(),
                line: loc.line,
                column: loc.column,
                path: String::new(),
                message: "the text starts with a byte-order mark (U+FEFF), which JSON does not allow: save it as UTF-8 without one".into(),
                diagnostics: Vec::new(),
            });
        }
        if !body.starts_with('{') {
            // A JSON array would be read member by member, by position: a request
            // document must be an object.
            let at = span.start as usize + (text.len() - body.len());
            let loc = source.locate(Span::new(at, at));
            return Err(DocumentError {
                code: if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok() {
                    "invalid-value"
                } else {
                    "json-syntax"
                },
                file: source.name().to_string(),
                line: loc.line,
                column: loc.column,
                path: String::new(),
                message: "a request document is a JSON object (`{\"principal\": …, \"action\": …}`)".into(),
                diagnostics: Vec::new(),
            });
        }
        let raw: RawDoc<'_> = serde_json::from_str(text).map_err(|e| {
            let start = source.locate(Span::new(span.start as usize, span.start as usize));
            let (line, mut column) = serde_position(&e, text);
            // serde reports an unknown member at its closing quote: point at the opening one.
            let msg = e.to_string();
            if let Some(field) = msg.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
                column = column
                    .saturating_sub(u32::try_from(field.chars().count() + 1).unwrap_or(0))
                    .max(1);
            }
            DocumentError {
                code: if msg.starts_with("unknown field") {
                    "unknown-member"
                } else if msg.starts_with("duplicate context key") {
                    "duplicate-context-key"
                } else if msg.starts_with("context limit") {
                    "limit"
                } else if msg.starts_with("missing field") {
                    "missing-member"
                } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
                    "invalid-value"
                } else {
                    "json-syntax"
                },
                file: source.name().to_string(),
                line: line.saturating_add(start.line).saturating_sub(1),
                column: if line <= 1 {
                    column.saturating_add(start.column).saturating_sub(1)
                } else {
                    column
                },
                path: String::new(),
                message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
                diagnostics: Vec::new(),
            }
        })?;
        let mut cx = Cx {
            source,
            loader,
            warnings: Vec::new(),
        };
        let mut d = PartialDocument {
            id: raw.id,
            ..PartialDocument::default()
        };
        if let Some(p) = raw.principal {
            d.principal = Some(cx.principal(p)?);
        }
        if let Some(a) = raw.action {
            let s = cx.string(a, "action")?;
            crate::request::Action::parse(&s)
                .map_err(|e| cx.err_at("invalid-action", Some(a), "action", e.to_string()))?;
            d.action = Some(s);
        }
        if let Some(r) = raw.resource {
            d.resource = Some(cx.string(r, "resource")?);
        }
        if let Some(r) = raw.resource_account {
            d.resource_account = Some(cx.account(r, "resourceAccount")?);
        }
        if let Some(ContextDoc(ctx)) = raw.context {
            d.context = ctx;
        }
        if let Some(o) = raw.organization {
            let org: RawOrg<'_> = cx.member(o, "organization")?;
            if let Some(m) = org.management_account {
                d.management_account = Some(cx.account(m, "organization.managementAccount")?);
            }
        }
        if let Some(i) = raw.session_issuer {
            let issuer = cx.string(i, "sessionIssuer")?;
            if crate::arn::split(&issuer).is_none() {
                return Err(cx.err_at(
                    "invalid-principal",
                    Some(i),
                    "sessionIssuer",
                    format!(
                        "sessionIssuer: {}",
                        crate::request::RequestError::InvalidPrincipal(issuer)
                    ),
                ));
            }
            d.session_issuer = Some(issuer);
        }
        d.block_public_access = raw.block_public_access.map(|b| BlockPublicAccess {
            restrict_public_buckets: b.restrict_public_buckets,
        });
        if let Some(a) = raw.acl {
            let acl: RawAcl = cx.member(a, "acl")?;
            d.acl = Some(convert_acl(acl).map_err(|m| cx.err_at("invalid-value", Some(a), "acl", m))?);
        }
        let kms_key_manager = raw
            .kms_key_manager
            .map(|k| Ok((cx.string(k, "kmsKeyManager")?, k)))
            .transpose()?;
        d.aws_managed_kms_key = match kms_key_manager.as_ref().map(|(k, raw)| (k.as_str(), *raw)) {
            None => None,
            Some(("AWS", _)) => Some(true),
            Some(("CUSTOMER", _)) => Some(false),
            Some((other, at)) => {
                return Err(cx.err_at(
                    "invalid-value",
                    Some(at),
                    "kmsKeyManager",
                    format!(
                    "unknown kmsKeyManager `{other}`: expected `AWS` or `CUSTOMER` (as `aws kms describe-key` prints)"
                ),
                ))
            }
        };
        d.kms_grants = raw.kms_grants.map(|gs| {
            gs.into_iter()
                .map(|g| {
                    let c = g.constraints.as_ref();
                    KmsGrant::new(
                        g.grantee,
                        &g.operations,
                        c.and_then(|c| c.encryption_context_subset.as_ref()),
                        c.and_then(|c| c.encryption_context_equals.as_ref()),
                    )
                })
                .collect()
        });
        let pols = raw.policies.unwrap_or_default();
        if let Some(list) = pols.identity {
            let mut v = Vec::with_capacity(list.len());
            for (i, p) in list.iter().enumerate() {
                v.push(cx.policy(p, &format!("policies.identity[{i}]"), PolicyType::Identity)?);
            }
            d.identity = Some(v);
        }
        if let Some(p) = pols.resource {
            d.resource_policy = Some(Some(cx.policy(p, "policies.resource", PolicyType::Resource)?));
        }
        if let Some(p) = pols.permissions_boundary {
            d.permissions_boundary = Some(Some(cx.policy(
                p,
                "policies.permissionsBoundary",
                PolicyType::PermissionsBoundary,
            )?));
        }
        if let Some(p) = pols.session {
            d.session = Some(Some(cx.policy(p, "policies.session", PolicyType::Session)?));
        }
        for (name, levels, ty) in [("scp", pols.scp, PolicyType::Scp), ("rcp", pols.rcp, PolicyType::Rcp)] {
            if let Some(levels) = levels {
                let mut out = Vec::with_capacity(levels.len());
                for (l, level) in levels.iter().enumerate() {
                    let mut lv = Vec::with_capacity(level.len());
                    for (i, p) in level.iter().enumerate() {
                        lv.push(cx.policy(p, &format!("policies.{name}[{l}][{i}]"), ty)?);
                    }
                    out.push(lv);
                }
                if ty == PolicyType::Scp {
                    d.scp = Some(out);
                } else {
                    d.rcp = Some(out);
                }
            }
        }
        if let Some(list) = pols.vpc_endpoint {
            let mut v = Vec::with_capacity(list.len());
            for (i, p) in list.iter().enumerate() {
                v.push(cx.policy(p, &format!("policies.vpcEndpoint[{i}]"), PolicyType::VpcEndpoint)?);
            }
            d.vpc_endpoint = Some(v);
        }
        d.warnings = cx.warnings;
        Ok(d)
    }

    /// The request context the document gives (keys compared case-insensitively:
    /// [`Context::get`] takes the lower-cased name).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Warnings from parsing this document's policies (unknown operators…).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Freezes this document's policies into one shared set, so that documents laid
    /// over it (batch lines) that name no policies share it instead of copying it.
    pub fn share_policies(&mut self) {
        self.shared = Some(Arc::new(self.policy_set()));
    }

    /// The set [`PartialDocument::share_policies`] froze (`None` before it is called):
    /// the policies of every [`LineReader`] line over this document.
    pub fn shared_policies(&self) -> Option<&PolicySet> {
        self.shared.as_deref()
    }

    fn has_policies(&self) -> bool {
        self.identity.is_some()
            || self.resource_policy.is_some()
            || self.permissions_boundary.is_some()
            || self.session.is_some()
            || self.scp.is_some()
            || self.rcp.is_some()
            || self.vpc_endpoint.is_some()
    }

    fn policy_set(&self) -> PolicySet {
        PolicySet {
            identity: self.identity.clone().unwrap_or_default(),
            resource: self.resource_policy.clone().flatten(),
            permissions_boundary: self.permissions_boundary.clone().flatten(),
            session: self.session.clone().flatten(),
            scp: self.scp.clone().unwrap_or_default(),
            rcp: self.rcp.clone().unwrap_or_default(),
            vpc_endpoint: self.vpc_endpoint.clone().unwrap_or_default(),
        }
    }

    /// This document's members over `base`'s: a member given here replaces the base's;
    /// context keys are merged key by key; each `policies` member replaces the base's.
    pub fn over(mut self, base: &PartialDocument) -> PartialDocument {
        self.warnings.extend(base.warnings.iter().cloned());
        if !self.has_policies() && base.shared.is_some() {
            self.shared = base.shared.clone();
        }
        let share = self.shared.is_some();
        macro_rules! inherit {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = base.$f.clone(); } )* };
        }
        inherit!(
            id,
            principal,
            action,
            resource,
            resource_account,
            management_account,
            session_issuer,
            block_public_access,
            acl,
            kms_grants,
            aws_managed_kms_key
        );
        if !share {
            inherit!(
                identity,
                resource_policy,
                permissions_boundary,
                session,
                scp,
                rcp,
                vpc_endpoint
            );
        }
        if !base.context.is_empty() {
            let mut ctx = base.context.clone();
            for (k, v) in self.context.iter() {
                ctx.insert(k, v.to_vec());
            }
            self.context = ctx;
        }
        self
    }

    /// Completes the document: builds and validates the request.
    ///
    /// Errors: a missing principal or action, an invalid account id or session issuer;
    /// reported against `source` (the line or file the document came from).
    pub fn finish(self, source: &Source) -> Result<RequestDocument, DocumentError> {
        let err = |code: &'static str, message: String| DocumentError {
            code,
            file: source.name().to_string(),
            line: 1,
            column: 1,
            path: String::new(),
            message,
            diagnostics: Vec::new(),
        };
        let policies = match &self.shared {
            Some(shared) if !self.has_policies() => shared.clone(),
            _ => Arc::new(self.policy_set()),
        };
        let mut b = Request::builder();
        if let Some(mut p) = self.principal {
            if let Some(issuer) = &self.session_issuer {
                p = p
                    .with_session_issuer(issuer)
                    .map_err(|e| err("invalid-principal", format!("sessionIssuer: {e}")))?;
            }
            b = b.principal(p);
        }
        if let Some(a) = self.action {
            b = b.action(a);
        }
        if let Some(r) = self.resource {
            b = b.resource(r);
        }
        if let Some(a) = self.resource_account {
            b = b.resource_account(a);
        }
        if let Some(m) = self.management_account {
            b = b.management_account(m);
        }
        b = b.context(self.context);
        if let Some(bpa) = self.block_public_access {
            b = b.block_public_access(bpa);
        }
        if let Some(acl) = self.acl {
            b = b.acl(acl);
        }
        if let Some(g) = self.kms_grants {
            b = b.kms_grants(g);
        }
        b = b.aws_managed_kms_key(self.aws_managed_kms_key.unwrap_or(false));
        let request = b.build().map_err(|e| err(e.code(), e.to_string()))?;
        Ok(RequestDocument {
            id: self.id,
            request,
            policies,
            warnings: self.warnings,
        })
    }
}

/// `serde_json`'s line and column of `e` in `text`, made 1-based where serde says
/// column 0 (at a line break: the error is then at the end of the line before), and
/// just after the last character for an unexpected end of the text.
fn serde_position(e: &serde_json::Error, text: &str) -> (u32, u32) {
    let line = u32::try_from(e.line()).unwrap_or(u32::MAX).max(1);
    let column = u32::try_from(e.column()).unwrap_or(u32::MAX);
    if column > 0 && !e.is_eof() {
        return (line, column);
    }
    let source = Source::new("", text.trim_end_matches(['\n', '\r']));
    if e.is_eof() {
        // Just after the last character (serde names the last one read).
        let end = source.locate(Span::new(source.text().len(), source.text().len()));
        return (end.line, end.column);
    }
    // Column 0 of line `line`: the line break that ends line `line - 1`.
    let prev = line.saturating_sub(1).max(1);
    let chars = u32::try_from(source.line_text(prev).chars().count()).unwrap_or(u32::MAX);
    (prev, chars.saturating_add(1))
}

fn convert_acl(raw: RawAcl) -> Result<Acl, String> {
    let object_ownership = match raw.object_ownership.as_deref() {
        None | Some("BucketOwnerEnforced") => ObjectOwnership::BucketOwnerEnforced,
        Some("BucketOwnerPreferred") => ObjectOwnership::BucketOwnerPreferred,
        Some("ObjectWriter") => ObjectOwnership::ObjectWriter,
        Some(o) => {
            return Err(format!(
            "unknown objectOwnership `{o}`: expected `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`"
        ))
        }
    };
    let mut grants = Vec::new();
    for g in raw.grants {
        let grantee = match g.grantee.as_str() {
            "AllUsers" | "http://acs.amazonaws.com/groups/global/AllUsers" => AclGrantee::AllUsers,
            "AuthenticatedUsers" | "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" => {
                AclGrantee::AuthenticatedUsers
            }
            a if crate::request::is_account_id(a) => AclGrantee::Account(a.to_string()),
            other => {
                return Err(format!(
                    "unknown ACL grantee `{other}`: expected `AllUsers`, `AuthenticatedUsers` or a 12-digit account id"
                ))
            }
        };
        let permission = match g.permission.as_str() {
            "READ" => AclPermission::Read,
            "WRITE" => AclPermission::Write,
            "READ_ACP" => AclPermission::ReadAcp,
            "WRITE_ACP" => AclPermission::WriteAcp,
            "FULL_CONTROL" => AclPermission::FullControl,
            other => return Err(format!("unknown ACL permission `{other}`")),
        };
        grants.push((grantee, permission));
    }
    Ok(Acl {
        object_ownership,
        grants,
    })
}

/// Parses a complete request document from `source`.
///
/// Errors: as [`PartialDocument::parse`] and [`PartialDocument::finish`].
pub fn parse_request_document(
    source: &Arc<Source>,
    loader: &mut dyn PolicyLoader,
) -> Result<RequestDocument, DocumentError> {
    PartialDocument::parse(source, loader)?.finish(source)
}

/// A batch line read by [`LineReader::read`].
#[derive(Debug, Clone)]
pub struct LineRequest {
    /// `id`, echoed in the response.
    pub id: Option<serde_json::Value>,
    /// The request (boxed: a line is handed from the reader to the decider and back
    /// without copying the request; the box is reused by the next line). Read-only
    /// ([`LineRequest::request`]): its context is what [`LineReader::recycle`] takes
    /// back to read a later line into.
    request: Box<Request>,
    /// The number of base and line keys of the request's context (after them: derived
    /// keys), for [`LineReader::recycle`].
    line_keys: usize,
    /// The context's text, for the next line read into it ([`ContextMemo`]).
    memo: ContextMemo,
}

impl LineRequest {
    /// The request the line reads to.
    pub fn request(&self) -> &Request {
        &self.request
    }
}

/// The text of the context object a context was read from, with what the reader knew
/// after reading it: a later line read into that context whose context object has the
/// same text, byte for byte, leaves it as it is (batch lines of a sweep mostly repeat
/// their context), read by one comparison instead of key by key. Empty text: none
/// (a context that a line left to the general path, or in which a line replaced a base
/// key's values, which [`LineReader::recycle`] puts back).
#[derive(Debug, Clone, Default)]
struct ContextMemo {
    text: String,
    /// The hashes of the line's keys ([`LineKeys::bits`]).
    bits: KeyBits,
}

/// What [`LineReader::read`] reads a line into: a context given back (the base's keys,
/// then the keys of an earlier line, distinct and none of them a base key, with their
/// buffers), and the resource ARN's buffer.
#[derive(Debug)]
struct Spare {
    context: Context,
    resource: String,
    /// The box of the request `resource` was taken from (its context taken out too),
    /// which the next request is written into: its resource account is a buffer for
    /// the next one, and its segments ([`Request::parts`]) are `resource`'s, for a
    /// line of the same resource.
    boxed: Option<Box<Request>>,
    /// The text `context` was read from, its keys being the base's and the line's.
    memo: ContextMemo,
}

/// Most contexts a [`LineReader`] keeps for reuse: more than the lines of the blocks a
/// batch has in flight.
const MAX_SPARES: usize = 16 * 1024;

/// Context key names seen so far, lower-cased and hashed (at most [`LINE_CACHE`]).
type KeyNames = rustc_hash::FxHashMap<Box<str>, crate::request::KeyName>;

/// Most principals and actions a batch names repeat; this many of each are kept parsed.
const LINE_CACHE: usize = 4096;

/// Reads batch lines laid over one base document, fast: a line of the plain form
/// (`id`, `principal` as a string, `action`, `resource`, `resourceAccount`,
/// `context`, and no other member) is read without building a [`Source`], sharing the
/// base's policies, with principals, session issuer and actions parsed once per batch
/// (a small cache per reader). Any other line, and any line with an error, is left to
/// the general path (`PartialDocument::parse(…)?.over(base).finish(…)`), which reads it
/// to the same request or reports the error with line and column.
///
/// Read, evaluate, then give the request back with [`LineReader::recycle`]: the next
/// line's context is then written into that request's context in place — a key the
/// line has at the same place as the line before is recognised by its name alone and
/// its values copied into the buffers already there — so that a line of many context
/// keys is read without allocating per key; and a line whose context object is, byte
/// for byte, the one that context was read from (a sweep over principals, actions or
/// resources in one context) leaves it as it is, read by one comparison.
#[derive(Debug)]
pub struct LineReader<'b> {
    base: &'b PartialDocument,
    /// The base's context, its values shared: the first keys of every line's context.
    context: Context,
    /// Contexts to read the next lines into, each with a buffer for the resource ARN.
    /// The last one given back is used first; a request holds its context until it is
    /// given back, so there are as many as requests have been read and not given back
    /// (at most [`MAX_SPARES`] are kept).
    spares: Vec<Spare>,
    /// Buffers of values.
    pool: crate::request::ValuePool,
    policies: Option<Arc<PolicySet>>,
    /// The hashes of the base's keys.
    base_bits: KeyBits,
    /// No policy of the base has an IP operator ([`crate::condition::ip::used_by`]).
    no_ip_conditions: bool,
    /// The base's principal, made on first use ([`LineReader::base_principal`]).
    base_principal: Option<Arc<Principal>>,
    principals: Cache<Principal>,
    actions: Cache<crate::request::Action>,
    keys: KeyNames,
    /// Lines read since one whose context repeated its context's text ([`ContextMemo`]).
    since_repeat: u32,
    /// The members of the line read last, in order: the guess for the next line's.
    members: crate::plain_line::MemberOrder,
}

/// After this many lines none of whose contexts repeated the one read into before, the
/// text of one line's context in this many is kept ([`ContextMemo`]).
const MEMO_TRIES: u32 = 64;

/// A plain line's context keys, written into a context read into before
/// ([`LineReader::read`]): a key given twice in any case, or more than
/// [`MAX_CONTEXT_KEYS`] keys, is the general path's error (`refused`).
struct LineKeys<'r> {
    context: &'r mut Context,
    keys: &'r mut KeyNames,
    pool: &'r mut crate::request::ValuePool,
    /// The hashes of the line's keys, so that most keys are compared with no other;
    /// those that are not base keys are at `base_keys..at`, the base keys the line
    /// gives are in `overrides`.
    bits: KeyBits,
    overrides: smallvec::SmallVec<[u64; 4]>,
    refused: bool,
    base_keys: usize,
    /// The number of keys the context had (the base's, then the line before's).
    old_keys: usize,
    /// Where the line's next new key goes.
    at: usize,
    /// The text of the context object the context holds (empty: none).
    memo: &'r ContextMemo,
    /// The line's context object is `memo`'s text: the context was left as it was.
    repeated: bool,
}

impl LineKeys<'_> {
    /// Whether the line gave a key of hash `hash` before (the fields of that name,
    /// borrowed apart from the key names).
    #[inline(always)]
    fn seen(context: &Context, bits: KeyBits, overrides: &[u64], base_keys: usize, at: usize, hash: u64) -> bool {
        bits.may_hold(hash) && (context.has_hash_in(base_keys, at, hash) || overrides.contains(&hash))
    }
}

impl<'a> crate::plain_line::ContextSink<'a> for LineKeys<'_> {
    /// The key the line before had here (neither a base key nor one seen before on
    /// that line).
    fn expected(&self) -> Option<&str> {
        if self.refused || self.at >= self.old_keys {
            return None;
        }
        self.context.key_at(self.at)
    }

    /// The line's context object is the one the context was read from (its text
    /// compared byte for byte; none was, when empty): its keys and values are there
    /// already, and so were the line's keys' hashes. The scanner asks before any key
    /// (a context object comes once per line); should a key have been given already,
    /// the context is not the memo's, and the answer is no.
    fn repeated(&mut self, rest: &str) -> Option<usize> {
        let text = self.memo.text.as_bytes();
        let same = !text.is_empty()
            && !self.refused
            && self.at == self.base_keys
            && rest
                .as_bytes()
                .get(..text.len())
                .is_some_and(|r| crate::pattern::bytes_eq(r, text));
        if !same {
            return None;
        }
        // The context holds the base's keys, then that line's (`recycle` truncated it
        // to them, and that line replaced no base key's values).
        self.at = self.old_keys;
        self.bits = self.memo.bits;
        self.repeated = true;
        Some(text.len())
    }

    /// The key the scanner found named as [`ContextSink::expected`] said (`None`, most
    /// keys of most lines) in line: its values are written at once (`expected` said
    /// the key at `at`, which is there); any other by [`LineKeys::any_key`].
    ///
    /// [`ContextSink::expected`]: crate::plain_line::ContextSink::expected
    #[inline(always)]
    fn key(&mut self, key: Option<&'a str>, values: &[&'a str]) {
        match key {
            None => match self.context.refill_known(self.at, values, self.pool) {
                Some(hash) => self.placed(hash),
                // Not reached (`expected` named the key at `at`); the general path
                // would read the line.
                None => self.refused = true,
            },
            Some(key) => self.any_key(key, values),
        }
    }
}

impl LineKeys<'_> {
    /// After the key at `at` (of hash `hash`) got the line's values: should the line
    /// have given the key before, it is refused, and the entry at `at` dropped; else
    /// the next key goes to the next place.
    #[inline(always)]
    fn placed(&mut self, hash: u64) {
        if LineKeys::seen(self.context, self.bits, &self.overrides, self.base_keys, self.at, hash) {
            self.refused = true;
        } else {
            self.bits.add(hash);
            self.at += 1;
        }
    }

    /// [`ContextSink::key`](crate::plain_line::ContextSink::key) for any key.
    #[inline(never)]
    fn any_key(&mut self, key: &str, values: &[&str]) {
        if self.refused {
            return;
        }
        // The key the line before had here: its values are written at once.
        if self.at < self.old_keys {
            let named = self
                .context
                .key_at(self.at)
                .is_some_and(|k| crate::pattern::bytes_eq(k.as_bytes(), key.as_bytes()));
            if let Some(hash) = named
                .then(|| self.context.refill_known(self.at, values, self.pool))
                .flatten()
            {
                self.placed(hash);
                return;
            }
        }
        // Any key, by its name lower-cased and hashed once per batch.
        if self.keys.len() >= LINE_CACHE {
            self.keys.clear();
        }
        let name = match self.keys.get(key) {
            Some(name) => name,
            None => self
                .keys
                .entry(Box::from(key))
                .or_insert_with(|| crate::request::KeyName::new(key)),
        };
        let hash = name.hash();
        if LineKeys::seen(self.context, self.bits, &self.overrides, self.base_keys, self.at, hash) {
            self.refused = true;
            return;
        }
        self.bits.add(hash);
        match self.context.position(name, self.base_keys) {
            // A line's key replaces the base's.
            Some(i) => {
                self.overrides.push(hash);
                self.context.refill(i, values, self.pool);
            }
            // A new key: the context grows to at most MAX_CONTEXT_KEYS line keys
            // (and a key the line before had at the same place does not grow it).
            None if self.at - self.base_keys >= MAX_CONTEXT_KEYS => self.refused = true,
            None => {
                self.context.put(self.at, name, values, self.pool);
                self.at += 1;
            }
        }
    }
}

impl<'b> LineReader<'b> {
    /// A reader of lines over `base`; the fast path needs the base's policies shared
    /// ([`PartialDocument::share_policies`]).
    pub fn new(base: &'b PartialDocument) -> LineReader<'b> {
        let context = base.context.detached();
        LineReader {
            base_bits: context.key_bits(),
            no_ip_conditions: base
                .shared
                .as_deref()
                .is_some_and(|p| !crate::condition::ip::used_by(p)),
            base_principal: None,
            spares: Vec::new(),
            context,
            pool: crate::request::ValuePool::default(),
            base,
            policies: base.shared.clone(),
            principals: Cache::default(),
            actions: Cache::default(),
            keys: KeyNames::default(),
            since_repeat: 0,
            members: crate::plain_line::MemberOrder::default(),
        }
    }

    /// The base's policies, which every line read by [`LineReader::read`] is decided
    /// against (`None`: the base's policies are not shared, and no line is read here).
    pub fn policies(&self) -> Option<&PolicySet> {
        self.policies.as_deref()
    }

    /// The line's request and `id`, or `None` when the line is not of the plain form or
    /// has any error: then the general path must read it. Its policies are
    /// [`LineReader::policies`]; its warnings are the base's (the caller has them).
    pub fn read(&mut self, line: &str) -> Option<LineRequest> {
        self.policies.as_ref()?;
        let base = self.base;
        let base_keys = self.context.len();
        // A context given back, or a fresh one (the base's keys only).
        let Spare {
            mut context,
            mut resource,
            mut boxed,
            mut memo,
        } = self.spares.pop().unwrap_or_else(|| Spare {
            context: self.context.clone(),
            resource: String::new(),
            boxed: None,
            memo: ContextMemo::default(),
        });
        let old_keys = context.len();
        let mut sink = LineKeys {
            context: &mut context,
            keys: &mut self.keys,
            pool: &mut self.pool,
            bits: KeyBits::EMPTY,
            overrides: smallvec::SmallVec::new(),
            refused: false,
            base_keys,
            old_keys,
            at: base_keys,
            memo: &memo,
            repeated: false,
        };
        let raw = crate::plain_line::scan_into(line, &mut sink, &mut self.members);
        let LineKeys {
            mut refused,
            at,
            overrides,
            bits,
            repeated,
            ..
        } = sink;
        // The line's keys (each given once) number `at - base_keys`, and the base keys
        // it gives.
        refused |= at - base_keys + overrides.len() > MAX_CONTEXT_KEYS;
        // The keys of the line before that this one does not have.
        context.truncate(at, &mut self.pool);
        let line_keys = at;
        // The principal and action, parsed once per batch: a line whose principal or
        // action does not parse (or that names none, nor does the base) is left to the
        // general path, which reports the error.
        let found = raw.filter(|_| !refused).and_then(|raw| {
            let principal = match raw.principal {
                Some(p) => self.principal(p),
                None => self.base_principal(),
            }?;
            let action = match raw.action {
                Some(a) => (None, Some(self.action(a)?)),
                None => (Some(base.action.clone()?), None),
            };
            Some((raw, principal, action))
        });
        let Some((raw, principal, (action, parsed_action))) = found else {
            self.give_back(Spare {
                context,
                resource,
                boxed,
                memo,
            });
            return None;
        };
        // The context's text for the next line read into it: the line's context, but
        // for one that replaced a base key's values (put back at `recycle`). Kept for
        // every line while contexts repeat, and for one line in MEMO_TRIES when none
        // has for that many lines: lines whose contexts differ pay little for it.
        if repeated {
            self.since_repeat = 0;
        } else {
            self.since_repeat = self.since_repeat.saturating_add(1);
            memo.text.clear();
            let keep = self.since_repeat <= MEMO_TRIES || self.since_repeat % MEMO_TRIES == 0;
            if keep && overrides.is_empty() {
                memo.text.push_str(raw.context.unwrap_or_default());
                memo.bits = bits;
            }
        }
        // The resource: mostly that of the line before, whose segments are known.
        let parts = boxed.as_ref().map(|b| b.parts);
        let (resource, parts) = match raw.resource {
            Some(r) if parts.is_some() && crate::pattern::bytes_eq(r.as_bytes(), resource.as_bytes()) => {
                (Some(resource), parts)
            }
            Some(r) => {
                resource.clear();
                resource.push_str(r);
                (Some(resource), None)
            }
            None => (base.resource.clone(), None),
        };
        let b = crate::request::RequestBuilder {
            principal: Some(principal),
            action,
            parsed_action,
            resource,
            resource_account: raw.resource_account.or(base.resource_account.as_deref()).map(|a| {
                // Mostly the account of the line before (the base's): not copied again.
                let mut account = boxed
                    .as_mut()
                    .and_then(|b| b.resource_account.take())
                    .unwrap_or_default();
                if !crate::pattern::bytes_eq(account.as_bytes(), a.as_bytes()) {
                    account.clear();
                    account.push_str(a);
                }
                account
            }),
            context,
            management_account: base.management_account.clone(),
            block_public_access: base.block_public_access.unwrap_or_default(),
            acl: base.acl.clone(),
            kms_grants: base.kms_grants.clone().unwrap_or_default(),
            aws_managed_kms_key: base.aws_managed_kms_key.unwrap_or(false),
        };
        // The context's keys are the base's and the line's: their hashes are known.
        let known = crate::request::Known {
            key_bits: self.base_bits.union(bits),
            parts,
            // The base's accounts were checked when it was read; a line's is not yet.
            accounts_checked: raw.resource_account.is_none(),
            no_ip_conditions: self.no_ip_conditions,
        };
        // Written into the box of an earlier line's request, in place.
        let request = match boxed {
            Some(mut boxed) => {
                b.build_into(known, &mut boxed).ok()?;
                boxed
            }
            None => Box::new(b.build_knowing(known).ok()?),
        };
        Some(LineRequest {
            id: raw.id.or_else(|| base.id.clone()),
            request,
            line_keys,
            memo,
        })
    }

    /// Keeps the context of a line that [`LineReader::read`] leaves to the general path
    /// (its keys are the base's and the line's, no derived ones), with the base's values
    /// put back: the next line read into it may not give the base keys this one gave.
    fn give_back(&mut self, mut spare: Spare) {
        // Read into half-way, or with base values replaced: of no line's text.
        spare.memo.text.clear();
        if self.spares.len() < MAX_SPARES && spare.context.reset_to_base(&self.context, &mut self.pool) {
            self.spares.push(spare);
        }
    }

    /// Takes back a request [`LineReader::read`] gave, to read a later line into its
    /// context and buffers. Requests may be given back in any order, on any thread that
    /// owns the reader (batch mode reads on one thread and decides on another); one
    /// whose context is not of this reader's base is dropped.
    pub fn recycle(&mut self, line: LineRequest) {
        let mut request = line.request;
        let mut context = std::mem::take(&mut request.context);
        if self.spares.len() < MAX_SPARES
            && context.len() >= line.line_keys
            && context.reset_to_base(&self.context, &mut self.pool)
        {
            // The derived keys go; the line's stay for the next line to overwrite.
            context.truncate(line.line_keys, &mut self.pool);
            self.spares.push(Spare {
                context,
                resource: std::mem::take(&mut request.resource),
                boxed: Some(request),
                memo: line.memo,
            });
        }
    }

    /// The base's principal, with its session issuer, for the lines that name none:
    /// made once, so that its derived keys are too.
    fn base_principal(&mut self) -> Option<Arc<Principal>> {
        if self.base_principal.is_none() {
            let mut p = self.base.principal.clone()?;
            if let Some(issuer) = &self.base.session_issuer {
                p = p.with_session_issuer(issuer).ok()?;
            }
            self.base_principal = Some(Arc::new(p));
        }
        self.base_principal.clone()
    }

    /// The principal named `text`, with the base's session issuer, parsed once.
    fn principal(&mut self, text: &str) -> Option<Arc<Principal>> {
        let issuer = self.base.session_issuer.as_deref();
        self.principals.get(text, || {
            let p = Principal::parse(text).ok()?;
            match issuer {
                Some(i) => p.with_session_issuer(i).ok(),
                None => Some(p),
            }
        })
    }

    /// The action named `text`, parsed once.
    fn action(&mut self, text: &str) -> Option<Arc<crate::request::Action>> {
        self.actions.get(text, || crate::request::Action::parse(text).ok())
    }
}

/// Values made from text (principals, actions), kept by their text (at most
/// [`LINE_CACHE`] of them). The last one asked for is tried first, by comparing texts:
/// most lines of a batch name the principal and the action of the line before.
#[derive(Debug)]
struct Cache<T> {
    /// The position in `items` of each text.
    map: rustc_hash::FxHashMap<Box<str>, usize>,
    /// The texts and their values, in the order they were made.
    items: Vec<(Box<str>, Arc<T>)>,
    /// The position in `items` of the one last asked for (none when `items` is empty).
    last: usize,
}

impl<T> Default for Cache<T> {
    fn default() -> Cache<T> {
        Cache {
            map: rustc_hash::FxHashMap::default(),
            items: Vec::new(),
            last: 0,
        }
    }
}

impl<T> Cache<T> {
    /// The value of `text`, made by `make` and kept when missing (`None`: `make`
    /// failed, and nothing is kept).
    fn get(&mut self, text: &str, make: impl FnOnce() -> Option<T>) -> Option<Arc<T>> {
        if let Some((t, v)) = self.items.get(self.last) {
            if crate::pattern::bytes_eq(t.as_bytes(), text.as_bytes()) {
                return Some(v.clone());
            }
        }
        let at = match self.map.get(text) {
            Some(&at) => at,
            None => {
                let v = Arc::new(make()?);
                if self.items.len() >= LINE_CACHE {
                    self.map.clear();
                    self.items.clear();
                }
                let at = self.items.len();
                self.map.insert(text.into(), at);
                self.items.push((text.into(), v));
                at
            }
        };
        self.last = at;
        self.items.get(at).map(|(_, v)| v.clone())
    }
}
