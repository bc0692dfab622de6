//! What in a request the catalog does not know: the action's service or name, context
//! keys, and context values that are not of their key's type.

use std::fmt;

use serde::Serialize;

use super::{Catalog, KeyType};
use crate::request::Request;
use crate::suggest::closest;

/// What a [`CatalogWarning`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CatalogWarningKind {
    /// The action's service prefix is not in the catalog.
    UnknownService,
    /// The service is known, the action name is not.
    UnknownAction,
    /// A context key that is neither a global key, nor a key (or pattern key) of the
    /// action's service.
    UnknownContextKey,
    /// A context value that does not parse as its key's type (`abc` for a `Numeric` key).
    InvalidContextValue,
}

impl CatalogWarningKind {
    /// A stable code for output: `unknown-service`, `unknown-action`,
    /// `unknown-context-key`, `invalid-context-value`.
    pub fn code(self) -> &'static str {
        match self {
            CatalogWarningKind::UnknownService => "unknown-service",
            CatalogWarningKind::UnknownAction => "unknown-action",
            CatalogWarningKind::UnknownContextKey => "unknown-context-key",
            CatalogWarningKind::InvalidContextValue => "invalid-context-value",
        }
    }
}

/// A warning about a request: the request is still decided, but probably not the one
/// that was meant (a typo in an action or key name makes policies not match).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogWarning {
    /// What it is about.
    pub kind: CatalogWarningKind,
    /// The action or context key concerned, as the request wrote it.
    pub subject: String,
    /// The warning in words (lower-case, names in backticks).
    pub message: String,
}

impl fmt::Display for CatalogWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
}

/// Checks `request` against the embedded catalog ([`Catalog::get`]); see
/// [`check_request_with`].
pub fn check_request(request: &Request) -> Vec<CatalogWarning> {
    check_request_with(Catalog::get(), request)
}

/// Checks `request` against `catalog`, in request order:
/// - the action's service prefix and action name must be in the catalog
///   ([`CatalogWarningKind::UnknownService`], [`CatalogWarningKind::UnknownAction`]);
/// - each context key given (not the keys the engine derived) must be a global key
///   (`aws:SourceIp`, `aws:PrincipalTag/…`) or a key, or an instance of a pattern key,
///   of the action's service (`s3:prefix`, `kms:EncryptionContext:…`); when the
///   service is unknown, of any service; for `sts`, a key of a web-identity provider
///   (`<provider URL>:<claim>`, such as `token.actions.githubusercontent.com:sub`) is
///   accepted too, the reference listing only some providers' claims
///   ([`CatalogWarningKind::UnknownContextKey`]);
/// - each value of a known key must parse as the key's type
///   ([`KeyType::accepts`]; [`CatalogWarningKind::InvalidContextValue`]).
///
/// Key names are compared case-insensitively. No warning changes the decision.
pub fn check_request_with(catalog: &Catalog, request: &Request) -> Vec<CatalogWarning> {
    let mut out = Vec::new();
    let action = request.action();
    let (svc_name, act_name) = (action.service(), action.name());
    let service = catalog.service(svc_name);
    match service {
        None => {
            let prefixes: Vec<&str> = catalog.services().map(|s| s.prefix()).collect();
            out.push(CatalogWarning {
                kind: CatalogWarningKind::UnknownService,
                subject: action.as_str().to_string(),
                message: format!(
                    "action `{}`: `{}` is not a service prefix of the service authorization reference{}",
                    action.as_str(),
                    action.as_str().split(':').next().unwrap_or(svc_name),
                    did_you_mean(closest(svc_name, &prefixes))
                ),
            });
        }
        Some(s) if s.action(act_name).is_none() => {
            let names: Vec<&str> = s.actions().map(|a| a.name()).collect();
            let hint = closest(act_name, &names).map(|n| format!("{}:{n}", s.prefix()));
            out.push(CatalogWarning {
                kind: CatalogWarningKind::UnknownAction,
                subject: action.as_str().to_string(),
                message: format!(
                    "action `{}` is not an action of service `{}`{}",
                    action.as_str(),
                    s.prefix(),
                    did_you_mean(hint.as_deref())
                ),
            });
        }
        Some(_) => {}
    }
    let derived = request.derived_keys();
    for (key, values) in request.context().iter() {
        if derived.iter().any(|d| d.eq_ignore_ascii_case(key)) {
            continue;
        }
        let global = catalog.condition_key(key).filter(|k| k.is_global());
        let found = match (global, service) {
            (Some(k), _) => Some(k),
            (None, Some(s)) => s.condition_key(key),
            (None, None) => catalog.condition_key(key),
        };
        if found.is_none() && service.is_some_and(|s| s.prefix() == "sts") && is_federation_key(key) {
            // Keys of a web-identity provider (`token.actions.githubusercontent.com:sub`):
            // any OIDC provider URL can be a prefix, and the reference lists only some
            // of their claims.
            continue;
        }
        let Some(k) = found else {
            let elsewhere = catalog.condition_key(key);
            let message = match (elsewhere, service) {
                (Some(k), Some(s)) => format!(
                    "context key `{key}` is not a condition key of service `{}` (`{}` is a key of other services): AWS does not send it with `{}`",
                    s.prefix(),
                    k.name(),
                    action.as_str()
                ),
                _ => {
                    let hint = service.and_then(|s| {
                        let names: Vec<&str> = s
                            .condition_keys()
                            .chain(catalog.global_condition_keys())
                            .filter(|k| !k.is_pattern())
                            .map(|k| k.name())
                            .collect();
                        closest(key, &names)
                    });
                    format!(
                        "context key `{key}` is not a global condition key{}{}",
                        service
                            .map(|s| format!(" nor a condition key of service `{}`", s.prefix()))
                            .unwrap_or_else(|| " nor a condition key of any service".into()),
                        did_you_mean(hint)
                    )
                }
            };
            out.push(CatalogWarning {
                kind: CatalogWarningKind::UnknownContextKey,
                subject: key.to_string(),
                message,
            });
            continue;
        };
        let ty = k.key_type();
        for v in values {
            if !ty.accepts(v) {
                out.push(CatalogWarning {
                    kind: CatalogWarningKind::InvalidContextValue,
                    subject: key.to_string(),
                    message: format!(
                        "context key `{key}` is of type {ty}, and `{v}` is not {}: conditions of its type do not match it",
                        type_words(ty.scalar())
                    ),
                });
            }
        }
    }
    for w in &mut out {
        w.message = crate::span::clip_quoted(std::mem::take(&mut w.message));
    }
    out
}

/// `<provider URL>:<claim>`: a prefix with a `.` (a host name), as the keys of web-identity
/// federation (`sts:AssumeRoleWithWebIdentity`) are named.
fn is_federation_key(key: &str) -> bool {
    key.rsplit_once(':')
        .is_some_and(|(provider, claim)| provider.contains('.') && !claim.is_empty())
}

fn type_words(t: KeyType) -> &'static str {
    match t {
        KeyType::Numeric => "a number",
        KeyType::Date => "an ISO 8601 date or epoch seconds",
        KeyType::Bool => "`true` or `false`",
        KeyType::IPAddress => "an IP address or CIDR block",
        KeyType::ARN => "an ARN",
        KeyType::Binary => "base64",
        _ => "a string",
    }
}
