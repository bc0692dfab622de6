//! The request: principal, action, resource and request context (SEMANTICS §1, §3).

use std::fmt;
use std::sync::{Arc, OnceLock};

use smallvec::SmallVec;

use serde::Serialize;

use crate::arn;

/// The request context: condition key → one or more values, all held as text
/// (JSON numbers and booleans are read as their text, S-DOC-4). Key names are
/// case-insensitive (S-MATCH-4).
#[derive(Debug, Clone)]
pub struct Context {
    entries: Vec<ContextEntry>,
    /// Holds (at least) the hash of every entry's key: a look-up of a key whose bit is
    /// clear answers "absent" without a scan. Bits are added where keys are added or
    /// renamed, and may stay when keys go (a superset is still exact).
    bits: KeyBits,
    /// The text of `aws:SourceIp`'s first value and what it reads as, read when the
    /// request is built ([`RequestBuilder::build_knowing`]) for the IP operators, once
    /// they have asked for it ([`Context::source_ip`]).
    pub(crate) source_ip: SourceIp,
}

impl Default for Context {
    fn default() -> Context {
        Context {
            entries: Vec::new(),
            bits: KeyBits::EMPTY,
            source_ip: SourceIp::default(),
        }
    }
}

/// The hash of `aws:sourceip`.
const SOURCE_IP_HASH: u64 = key_hash("aws:sourceip");

/// Where requests last had `aws:SourceIp` ([`Context::get_hinted`]).
static SOURCE_IP_HINT: KeyHint = KeyHint(std::sync::atomic::AtomicU32::new(0));

/// `aws:SourceIp` read once per request for the IP operators, in a context that
/// requests are built into again and again (batch mode reads each line into the
/// context of an earlier one). Read at build only once an IP operator has asked for an
/// address ([`Context::source_ip`]), so that requests decided by policies without IP
/// operators (or that rarely reach one) do not pay for it. A clone starts afresh.
#[derive(Debug, Default)]
pub(crate) struct SourceIp {
    /// An IP operator asked since the last build (a relaxed flag: a hint of use,
    /// never a result).
    pub(crate) asked: std::sync::atomic::AtomicBool,
    /// The last text read and what it reads as.
    pub(crate) read: Option<Box<IpText>>,
}

/// A text and what [`crate::condition::ip::request_addr`] reads it as (`None`: not an
/// address). The answer depends on the text alone, so it holds whatever the context
/// holds since.
#[derive(Debug, Default)]
pub(crate) struct IpText {
    pub(crate) text: String,
    pub(crate) addr: Option<std::net::IpAddr>,
}

impl Clone for SourceIp {
    fn clone(&self) -> SourceIp {
        SourceIp::default()
    }
}

#[derive(Debug, Clone)]
struct ContextEntry {
    hash: u64,
    key_lc: Name,
    key: Name,
    values: Values,
}

/// A key name: static text (derived keys) or shared text (parsed once per batch).
#[derive(Debug, Clone)]
enum Name {
    Static(&'static str),
    Shared(Arc<str>),
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

/// A key's values: the request's own, or shared (derived keys of a shared principal).
#[derive(Debug, Clone)]
enum Values {
    Owned(Vec<String>),
    Shared(Arc<[String]>),
}

impl Values {
    fn as_slice(&self) -> &[String] {
        match self {
            Values::Owned(v) => v,
            Values::Shared(v) => v,
        }
    }
}

/// Where a policy's condition key (or policy variable) was last found in a request
/// context, for [`Context::get_hinted`]. Shared by the threads evaluating one policy
/// (a relaxed atomic: a guess, never a result); compares equal to every other hint and
/// clones as a fresh guess of the same position, so it changes no policy's meaning.
#[derive(Default)]
pub(crate) struct KeyHint(std::sync::atomic::AtomicU32);

impl KeyHint {
    #[inline]
    fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed) as usize
    }

    #[inline]
    fn set(&self, at: usize) {
        self.0.store(
            u32::try_from(at).unwrap_or(u32::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
    }
}

impl Clone for KeyHint {
    fn clone(&self) -> KeyHint {
        KeyHint(std::sync::atomic::AtomicU32::new(
            self.0.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }
}

impl fmt::Debug for KeyHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyHint")
    }
}

impl PartialEq for KeyHint {
    fn eq(&self, _: &KeyHint) -> bool {
        true
    }
}

impl Eq for KeyHint {}

/// A context key's name, lower-cased and hashed once: batch mode reads the same key
/// names on every line.
#[derive(Debug, Clone)]
pub(crate) struct KeyName {
    hash: u64,
    key_lc: Arc<str>,
    key: Arc<str>,
}

impl KeyName {
    /// The hash of the lower-cased name.
    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    pub(crate) fn new(key: &str) -> KeyName {
        let lc = key.to_ascii_lowercase();
        let key_lc: Arc<str> = Arc::from(lc.as_str());
        KeyName {
            hash: key_hash(&lc),
            key: if lc == key { key_lc.clone() } else { Arc::from(key) },
            key_lc,
        }
    }
}

impl Context {
    /// Sets `key` to `values` (one element for a single-valued key), replacing any
    /// earlier value of the same key (compared case-insensitively).
    pub fn insert(&mut self, key: &str, values: Vec<String>) {
        self.insert_named(&KeyName::new(key), values);
    }

    /// As [`Context::insert`], with the key's name already lower-cased and hashed.
    pub(crate) fn insert_named(&mut self, name: &KeyName, values: Vec<String>) {
        if let Some(e) = self
            .entries
            .iter_mut()
            .find(|e| e.hash == name.hash && *e.key_lc == *name.key_lc)
        {
            e.values = Values::Owned(values);
            return;
        }
        // Room for a few keys and the derived ones, grown once.
        if self.entries.capacity() == 0 {
            self.entries.reserve(12);
        }
        self.bits.add(name.hash);
        self.entries.push(ContextEntry {
            hash: name.hash,
            key_lc: Name::Shared(name.key_lc.clone()),
            key: Name::Shared(name.key.clone()),
            values: Values::Owned(values),
        });
    }

    /// Adds a key known not to be present, named by static text (derived keys), with
    /// `hash` = `key_hash(key_lc)`. The caller adds `hash` to the key bits (once for
    /// all the keys it adds) before the next look-up of that key.
    fn push_static(&mut self, key: &'static str, key_lc: &'static str, hash: u64, values: Values) {
        self.entries.push(ContextEntry {
            hash,
            key_lc: Name::Static(key_lc),
            key: Name::Static(key),
            values,
        });
    }

    /// The values of the key whose lower-cased name is `key_lc`.
    pub fn get(&self, key_lc: &str) -> Option<&[String]> {
        self.get_hashed(key_hash(key_lc), key_lc)
    }

    /// As [`Context::get`], with `hash` = `key_hash(key_lc)` computed once by the caller.
    pub(crate) fn get_hashed(&self, hash: u64, key_lc: &str) -> Option<&[String]> {
        if !self.bits.may_hold(hash) {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.hash == hash && crate::pattern::bytes_eq(e.key_lc.as_bytes(), key_lc.as_bytes()))
            .map(|e| e.values.as_slice())
    }

    /// As [`Context::get_hashed`], trying first the position `hint` holds (where the
    /// key was found last time) and remembering where it is found: the contexts of a
    /// batch list their keys in the same order, so a policy's look-up of a key costs
    /// one comparison instead of a scan. A wrong or stale hint only costs the scan, and
    /// the answer is [`Context::get_hashed`]'s: a context holds each key once. A key
    /// whose bit is clear (one the context lacks, mostly) costs neither.
    #[inline(always)]
    pub(crate) fn get_hinted(&self, hash: u64, key_lc: &str, hint: &KeyHint) -> Option<&[String]> {
        let at = hint.get();
        if let Some(e) = self.entries.get(at) {
            if e.hash == hash && crate::pattern::bytes_eq(e.key_lc.as_bytes(), key_lc.as_bytes()) {
                return Some(e.values.as_slice());
            }
        }
        if !self.bits.may_hold(hash) {
            return None;
        }
        let i = self
            .entries
            .iter()
            .position(|e| e.hash == hash && crate::pattern::bytes_eq(e.key_lc.as_bytes(), key_lc.as_bytes()))?;
        hint.set(i);
        self.entries.get(i).map(|e| e.values.as_slice())
    }

    /// A copy with allocations of its own (not shared with `self`, which other threads
    /// may be cloning), its values shared, so that clones of the copy (a batch base's
    /// context, one per line) copy no text and touch no other thread's counters.
    pub(crate) fn detached(&self) -> Context {
        let name = |n: &Name| match n {
            Name::Static(s) => Name::Static(s),
            Name::Shared(s) => Name::Shared(Arc::from(&**s)),
        };
        Context {
            entries: self
                .entries
                .iter()
                .map(|e| ContextEntry {
                    hash: e.hash,
                    key_lc: name(&e.key_lc),
                    key: name(&e.key),
                    values: Values::Shared(Arc::from(e.values.as_slice())),
                })
                .collect(),
            bits: self.bits,
            source_ip: SourceIp::default(),
        }
    }

    /// Removes the key whose lower-cased name is `key_lc` (a prefix when it ends in
    /// `*`): what an analysis leaves unknown.
    pub(crate) fn remove(&mut self, key_lc: &str) {
        match key_lc.strip_suffix('*') {
            Some(prefix) => self.entries.retain(|e| !e.key_lc.starts_with(prefix)),
            None => self.entries.retain(|e| *e.key_lc != *key_lc),
        }
        self.bits = self.key_bits();
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(key as given, values)` in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|e| (&*e.key, e.values.as_slice()))
    }

    /// The number of keys.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The hashes of the keys, as a [`KeyBits`] set.
    pub(crate) fn key_bits(&self) -> KeyBits {
        let mut bits = KeyBits::EMPTY;
        for e in &self.entries {
            bits.add(e.hash);
        }
        bits
    }

    /// The name of key `at` as given (case included).
    pub(crate) fn key_at(&self, at: usize) -> Option<&str> {
        self.entries.get(at).map(|e| &*e.key)
    }

    /// Sets the values of key `at`, which the caller knows is named as the line's key
    /// (compared with [`Context::key_at`]), to `values` (as [`Context::refill`]) and
    /// gives its hash: batch mode's reader recognises a key that a line has where the
    /// line before had it by one comparison of names, without hashing the name.
    #[inline]
    pub(crate) fn refill_known(&mut self, at: usize, values: &[&str], pool: &mut ValuePool) -> Option<u64> {
        let e = self.entries.get_mut(at)?;
        pool.fill(&mut e.values, values);
        Some(e.hash)
    }

    /// Whether one of the keys at positions `from..to` has hash `hash` (positions past
    /// the end are none).
    pub(crate) fn has_hash_in(&self, from: usize, to: usize, hash: u64) -> bool {
        self.entries
            .get(from..to.min(self.entries.len()))
            .is_some_and(|es| es.iter().any(|e| e.hash == hash))
    }

    /// The position, among the first `within` keys, of the key `name`.
    pub(crate) fn position(&self, name: &KeyName, within: usize) -> Option<usize> {
        self.entries
            .get(..within)?
            .iter()
            .position(|e| e.hash == name.hash && crate::pattern::bytes_eq(e.key_lc.as_bytes(), name.key_lc.as_bytes()))
    }

    /// Sets the values of key `at` (which exists) to `values`, in the buffers it has
    /// or the pool's.
    pub(crate) fn refill(&mut self, at: usize, values: &[&str], pool: &mut ValuePool) {
        if let Some(e) = self.entries.get_mut(at) {
            pool.fill(&mut e.values, values);
        }
    }

    /// Makes key `at` (`at` ≤ the number of keys) the key `name` with `values`.
    pub(crate) fn put(&mut self, at: usize, name: &KeyName, values: &[&str], pool: &mut ValuePool) {
        if at >= self.entries.len() {
            let mut v = Values::Owned(pool.vec());
            pool.fill(&mut v, values);
            self.bits.add(name.hash);
            self.entries.push(ContextEntry {
                hash: name.hash,
                key_lc: Name::Shared(name.key_lc.clone()),
                key: Name::Shared(name.key.clone()),
                values: v,
            });
        } else if let Some(e) = self.entries.get_mut(at) {
            self.bits.add(name.hash);
            e.hash = name.hash;
            e.key_lc = Name::Shared(name.key_lc.clone());
            e.key = Name::Shared(name.key.clone());
            pool.fill(&mut e.values, values);
        }
    }

    /// Keeps the first `len` keys; the values of the others go to `pool`. The bits of
    /// the keys that go stay (batch mode truncates every line; its reader knows the
    /// line's keys, which [`RequestBuilder::build_knowing`] narrows the bits to).
    pub(crate) fn truncate(&mut self, len: usize, pool: &mut ValuePool) {
        // The owned values' buffers are taken in place (not each entry moved out);
        // the rest, mostly derived keys whose values are shared, are only dropped.
        for e in self.entries.get_mut(len..).unwrap_or_default() {
            if let Values::Owned(v) = &mut e.values {
                pool.give_owned(std::mem::take(v));
            }
        }
        self.entries.truncate(len);
    }

    /// Whether the first keys are `base`'s, by the same names (those a
    /// [`ValuePool`]-filling reader copied from `base`). The values of those `base`
    /// shares, which a line replaced, are put back (their buffers to `pool`).
    pub(crate) fn reset_to_base(&mut self, base: &Context, pool: &mut ValuePool) -> bool {
        if self.entries.len() < base.entries.len() {
            return false;
        }
        for (e, b) in self.entries.iter_mut().zip(&base.entries) {
            let same = match (&e.key_lc, &b.key_lc) {
                (Name::Shared(x), Name::Shared(y)) => Arc::ptr_eq(x, y),
                (Name::Static(x), Name::Static(y)) => std::ptr::eq(*x, *y),
                _ => false,
            };
            if !same || e.key.len() != b.key.len() {
                return false;
            }
            // A base key's values are shared ([`Context::detached`]): owned ones are a
            // line's.
            if matches!(e.values, Values::Owned(_)) {
                let old = std::mem::replace(&mut e.values, b.values.clone());
                pool.give(old);
            }
        }
        true
    }

    /// Reads `aws:SourceIp`'s first value as an address for [`Context::source_ip`], if
    /// an IP operator asked for one since the last build and the text is not the one
    /// read last time.
    fn read_source_ip(&mut self) {
        if !*self.source_ip.asked.get_mut() || !self.bits.may_hold(SOURCE_IP_HASH) {
            return;
        }
        *self.source_ip.asked.get_mut() = false;
        // Taken out while the context's value is borrowed.
        let mut read = self.source_ip.read.take().unwrap_or_default();
        if let Some(v) = self
            .get_hinted(SOURCE_IP_HASH, "aws:sourceip", &SOURCE_IP_HINT)
            .and_then(<[String]>::first)
        {
            if !crate::pattern::bytes_eq(v.as_bytes(), read.text.as_bytes()) {
                read.addr = crate::condition::ip::request_addr(v);
                read.text.clear();
                read.text.push_str(v);
            }
        }
        self.source_ip.read = Some(read);
    }

    /// `v` read as an address by [`crate::condition::ip::request_addr`] (`Some(None)`:
    /// not an address) when it is the text last read by [`Context::read_source_ip`]
    /// (mostly `aws:SourceIp`'s); `None` for another text, and then the next build
    /// of a request with this context reads `aws:SourceIp`.
    #[inline(always)]
    pub(crate) fn source_ip(&self, v: &str) -> Option<Option<std::net::IpAddr>> {
        self.source_ip.asked.store(true, std::sync::atomic::Ordering::Relaxed);
        let read = self.source_ip.read.as_deref()?;
        crate::pattern::bytes_eq(v.as_bytes(), read.text.as_bytes()).then_some(read.addr)
    }
}

/// Text buffers of context values, reused from line to line by batch mode's reader: a
/// line's values are copied into the buffers of earlier lines' values instead of
/// allocated. Holds at most [`ValuePool::MAX`] strings and lists.
#[derive(Debug, Default)]
pub(crate) struct ValuePool {
    strings: Vec<String>,
    lists: Vec<Vec<String>>,
}

impl ValuePool {
    const MAX: usize = 4096;

    fn vec(&mut self) -> Vec<String> {
        self.lists.pop().unwrap_or_default()
    }

    /// Sets `values` to `new`, reusing its own buffers first.
    #[inline(always)]
    fn fill(&mut self, values: &mut Values, new: &[&str]) {
        // Most keys have one value, as they had on the line before: one copy, none
        // when the value is the line before's too (as many of a batch's are).
        if let (Values::Owned(v), [text]) = (&mut *values, new) {
            if let [s] = v.as_mut_slice() {
                if !crate::pattern::bytes_eq(s.as_bytes(), text.as_bytes()) {
                    s.clear();
                    s.push_str(text);
                }
                return;
            }
        }
        self.fill_any(values, new);
    }

    /// [`ValuePool::fill`] for any number of values.
    #[inline(never)]
    fn fill_any(&mut self, values: &mut Values, new: &[&str]) {
        if let Values::Shared(_) = values {
            *values = Values::Owned(self.vec());
        }
        let Values::Owned(v) = values else { return };
        for (i, text) in new.iter().enumerate() {
            match v.get_mut(i) {
                // Not copied again when it is the line before's.
                Some(s) => {
                    if !crate::pattern::bytes_eq(s.as_bytes(), text.as_bytes()) {
                        s.clear();
                        s.push_str(text);
                    }
                }
                None => {
                    let mut s = self.strings.pop().unwrap_or_default();
                    s.clear();
                    s.push_str(text);
                    v.push(s);
                }
            }
        }
        while v.len() > new.len() {
            if let Some(s) = v.pop() {
                if self.strings.len() < Self::MAX {
                    self.strings.push(s);
                }
            }
        }
    }

    /// Takes the buffers of `values` (owned ones; shared ones are only dropped).
    #[inline(always)]
    fn give(&mut self, values: Values) {
        if let Values::Owned(v) = values {
            self.give_owned(v);
        }
    }

    /// [`ValuePool::give`] for owned values.
    #[inline(never)]
    fn give_owned(&mut self, mut v: Vec<String>) {
        let room = Self::MAX.saturating_sub(self.strings.len());
        self.strings.extend(v.drain(..).take(room));
        v.clear();
        if self.lists.len() < Self::MAX {
            self.lists.push(v);
        }
    }
}

/// A set of context key hashes as a 64-bit Bloom filter: bit `hash % 64` of each
/// [`key_hash`] in the set. A clear bit is an answer (no key of that hash is in the
/// set); a set bit only says "maybe", and the caller looks the key up. The default is
/// every bit set: "any key may be present", which is always true.
///
/// Batch mode's reader knows the hashes of the keys it writes into a line's context, so
/// that [`RequestBuilder::build_knowing`] skips the look-ups of derived keys that the context
/// surely lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyBits(u64);

impl Default for KeyBits {
    fn default() -> KeyBits {
        KeyBits(u64::MAX)
    }
}

impl KeyBits {
    /// The empty set.
    pub(crate) const EMPTY: KeyBits = KeyBits(0);

    #[inline(always)]
    const fn bit(hash: u64) -> u64 {
        1 << (hash & 63)
    }

    /// Whether a key of hash `hash` may be in the set (`false`: it surely is not).
    #[inline(always)]
    pub(crate) const fn may_hold(self, hash: u64) -> bool {
        self.0 & KeyBits::bit(hash) != 0
    }

    /// Adds `hash`.
    #[inline(always)]
    pub(crate) fn add(&mut self, hash: u64) {
        self.0 |= KeyBits::bit(hash);
    }

    /// The hashes both sets may hold.
    #[inline(always)]
    pub(crate) const fn intersect(self, other: KeyBits) -> KeyBits {
        KeyBits(self.0 & other.0)
    }

    /// Both sets.
    #[inline(always)]
    pub(crate) const fn union(self, other: KeyBits) -> KeyBits {
        KeyBits(self.0 | other.0)
    }
}

/// FNV-1a over the bytes of a lower-cased key: compared before the text, so a look-up
/// rarely compares strings that differ.
pub(crate) const fn key_hash(key_lc: &str) -> u64 {
    let mut rest = key_lc.as_bytes();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    while let [b, tail @ ..] = rest {
        h = (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
        rest = tail;
    }
    h
}

/// What kind of caller makes the request (S-MATCH-3a: a caller is a chain of
/// identities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    /// No credentials.
    Anonymous,
    /// The account's root user.
    Root,
    /// An IAM user.
    User,
    /// An IAM role (given by its ARN rather than a session's).
    Role,
    /// An assumed-role session (`arn:aws:sts::<id>:assumed-role/<role>/<session>`).
    AssumedRole,
    /// A federated-user session from `GetFederationToken`.
    FederatedUser,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// A web-identity or SAML caller, named by its identity provider (S-STS-3).
    Federated,
    /// An S3 canonical user.
    CanonicalUser,
}

/// A context key derived from the principal (S-EVAL-11).
#[derive(Debug, Clone)]
struct DerivedKey {
    /// The key as reported (`aws:PrincipalArn`).
    key: &'static str,
    /// `key` lower-cased, and its [`key_hash`].
    key_lc: &'static str,
    hash: u64,
    /// The value, shared by every request of the principal.
    values: Arc<[String]>,
    /// Where the contexts of the principal's requests were last seen to give the key
    /// themselves (a batch's lines list their keys in the same order).
    hint: KeyHint,
}

/// [`key_hash`] of `aws:ResourceAccount`.
const RESOURCE_ACCOUNT_HASH: u64 = key_hash("aws:resourceaccount");

/// What [`RequestBuilder::build`] adds to the context of each request of a principal,
/// computed once per principal.
#[derive(Debug, Clone, Default)]
struct Derived {
    /// The keys derived from the principal alone, in the order they are added.
    keys: Vec<DerivedKey>,
    /// The value of `aws:PrincipalAccount` (shared), which is `aws:ResourceAccount`'s
    /// too when the resource is in the principal's account.
    account: Option<Arc<[String]>>,
    /// Where the contexts of the principal's requests were last seen to give
    /// `aws:ResourceAccount` themselves.
    resource_account_hint: KeyHint,
    /// The hashes of `keys` and of `aws:ResourceAccount`: the key bits of a context
    /// with the derived keys added hold them.
    bits: KeyBits,
    /// The principal's `issuer` escaped for a JSON string (without the quotes), for
    /// answers whose assumptions name it ([`Request::for_each_assumption`]).
    issuer_escaped: Option<Box<str>>,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub(crate) kind: PrincipalKind,
    /// The caller's account, when it has one.
    pub(crate) account: Option<String>,
    /// The caller's own identifier as written (ARN, service name, provider…).
    pub(crate) id: String,
    /// For sessions: the role or IAM user behind the session.
    pub(crate) issuer: Option<String>,
    pub(crate) partition: String,
    /// Role name, for matching a role ARN against its sessions.
    pub(crate) role_name: Option<String>,
    /// `issuer` was built from the session ARN (no path known).
    pub(crate) issuer_from_session: bool,
    /// The context keys derived from the principal alone, computed on first use.
    derived: OnceLock<Derived>,
    /// [`Principal::is_service_linked_role`], computed on first use.
    service_linked: OnceLock<bool>,
}

/// A request that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The principal is not a form AWS uses.
    #[error("invalid principal `{0}`: expected an IAM user, role, assumed-role or federated-user ARN, an account root ARN or 12-digit id, a service principal such as `lambda.amazonaws.com`, `anonymous`, or an object such as {{\"Federated\": \"accounts.google.com\"}}")]
    InvalidPrincipal(String),
    /// The action is not `service:Name`.
    #[error("invalid action `{0}`: expected `service:ActionName`, e.g. `s3:GetObject`")]
    InvalidAction(String),
    /// An account id is not 12 digits.
    #[error("invalid account id `{0}`: expected 12 digits")]
    InvalidAccount(String),
    /// A required member is missing.
    #[error("missing `{0}`")]
    Missing(&'static str),
    /// A member holds a value of the wrong form.
    #[error("invalid `{field}`: {message}")]
    Invalid {
        /// The member.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl RequestError {
    /// A stable code for the kind of error (`invalid-principal`, `invalid-action`,
    /// `invalid-account`, `missing-member`, `invalid-value`).
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::InvalidPrincipal(_) => "invalid-principal",
            RequestError::InvalidAction(_) => "invalid-action",
            RequestError::InvalidAccount(_) => "invalid-account",
            RequestError::Missing(_) => "missing-member",
            RequestError::Invalid { .. } => "invalid-value",
        }
    }
}

pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_service_principal(s: &str) -> bool {
    !s.starts_with("arn:") && (s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn")) && !s.contains('/')
}

impl Principal {
    /// Parses the `AWS`-style form: an ARN, a 12-digit account id, a service principal,
    /// or `anonymous`.
    pub fn parse(text: &str) -> Result<Principal, RequestError> {
        let bad = || RequestError::InvalidPrincipal(text.to_string());
        if text == "anonymous" {
            return Ok(Principal::simple(PrincipalKind::Anonymous, None, text));
        }
        if is_account_id(text) {
            return Ok(Principal::simple(PrincipalKind::Root, Some(text), text));
        }
        if is_service_principal(text) {
            return Ok(Principal::simple(PrincipalKind::Service, None, text));
        }
        let parts = arn::split(text).ok_or_else(bad)?;
        let [_, partition, service, _region, account, res] = parts;
        if !is_account_id(account) {
            return Err(bad());
        }
        let mut p = Principal::simple(PrincipalKind::User, Some(account), text);
        p.partition = partition.to_string();
        match (service, res.split_once('/')) {
            ("iam", None) if res == "root" => p.kind = PrincipalKind::Root,
            ("iam", Some(("user", rest))) if !rest.is_empty() => p.kind = PrincipalKind::User,
            ("iam", Some(("role", rest))) if !rest.is_empty() => {
                p.kind = PrincipalKind::Role;
                p.role_name = rest.rsplit('/').next().map(str::to_string);
            }
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest.split_once('/').ok_or_else(bad)?;
                if role.is_empty() || session.is_empty() {
                    return Err(bad());
                }
                p.kind = PrincipalKind::AssumedRole;
                p.role_name = Some(role.to_string());
                p.issuer = Some(format!("arn:{partition}:iam::{account}:role/{role}"));
                p.issuer_from_session = true;
            }
            ("sts", Some(("federated-user", rest))) if !rest.is_empty() => {
                p.kind = PrincipalKind::FederatedUser;
            }
            _ => return Err(bad()),
        }
        Ok(p)
    }

    /// A service principal (`{"Service": …}`).
    pub fn service(name: &str) -> Principal {
        Principal::simple(PrincipalKind::Service, None, name)
    }

    /// A web-identity or SAML identity provider (`{"Federated": …}`, S-STS-3).
    pub fn federated(provider: &str) -> Principal {
        Principal::simple(PrincipalKind::Federated, None, provider)
    }

    /// An S3 canonical user (`{"CanonicalUser": …}`).
    pub fn canonical_user(id: &str) -> Principal {
        Principal::simple(PrincipalKind::CanonicalUser, None, id)
    }

    fn simple(kind: PrincipalKind, account: Option<&str>, id: &str) -> Principal {
        Principal {
            kind,
            account: account.map(str::to_string),
            id: id.to_string(),
            issuer: None,
            partition: "aws".to_string(),
            role_name: None,
            issuer_from_session: false,
            derived: OnceLock::new(),
            service_linked: OnceLock::new(),
        }
    }

    /// Sets the role or IAM user behind a session (`sessionIssuer`); for an
    /// assumed-role session this gives the role's path.
    pub fn with_session_issuer(mut self, issuer: &str) -> Result<Principal, RequestError> {
        let parts = arn::split(issuer).ok_or_else(|| RequestError::InvalidPrincipal(issuer.to_string()))?;
        if let Some(name) = parts[5].strip_prefix("role/") {
            self.role_name = name.rsplit('/').next().map(str::to_string);
        }
        self.issuer = Some(issuer.to_string());
        self.issuer_from_session = false;
        self.derived = OnceLock::new();
        self.service_linked = OnceLock::new();
        Ok(self)
    }

    /// The kind of caller.
    pub fn kind(&self) -> PrincipalKind {
        self.kind
    }

    /// The caller's account, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The caller as written.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `aws:PrincipalArn`: the role ARN for role sessions, else the caller's ARN.
    pub(crate) fn principal_arn(&self) -> Option<String> {
        match self.kind {
            PrincipalKind::AssumedRole | PrincipalKind::Role => self.issuer.clone().or_else(|| Some(self.id.clone())),
            PrincipalKind::Root => Some(format!(
                "arn:{}:iam::{}:root",
                self.partition,
                self.account.as_deref().unwrap_or_default()
            )),
            PrincipalKind::User | PrincipalKind::FederatedUser => Some(self.id.clone()),
            _ => None,
        }
    }

    /// The context keys derived from the principal (S-EVAL-11): `aws:PrincipalArn`,
    /// `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
    /// `aws:PrincipalIsAWSService` and `aws:PrincipalServiceName`, where they apply;
    /// computed once per principal.
    fn derived(&self) -> &Derived {
        self.derived.get_or_init(|| {
            let kind = self.kind;
            let mut keys = Vec::with_capacity(6);
            let mut derive = |key, key_lc, value: Option<String>| {
                if let Some(v) = value {
                    keys.push(DerivedKey {
                        key,
                        key_lc,
                        hash: key_hash(key_lc),
                        values: Arc::from(vec![v]),
                        hint: KeyHint::default(),
                    });
                }
            };
            derive("aws:PrincipalArn", "aws:principalarn", self.principal_arn());
            derive("aws:PrincipalAccount", "aws:principalaccount", self.account.clone());
            derive(
                "aws:PrincipalType",
                "aws:principaltype",
                match kind {
                    PrincipalKind::Root => Some("Account"),
                    PrincipalKind::User => Some("User"),
                    PrincipalKind::FederatedUser => Some("FederatedUser"),
                    PrincipalKind::AssumedRole | PrincipalKind::Role => Some("AssumedRole"),
                    PrincipalKind::Anonymous => Some("Anonymous"),
                    _ => None,
                }
                .map(str::to_string),
            );
            derive(
                "aws:username",
                "aws:username",
                (kind == PrincipalKind::User)
                    .then(|| self.id.rsplit('/').next().map(str::to_string))
                    .flatten(),
            );
            // Anonymous requests do not include `aws:PrincipalIsAWSService`
            // (reference_policies_condition-keys, aws:PrincipalIsAWSService).
            derive(
                "aws:PrincipalIsAWSService",
                "aws:principalisawsservice",
                (kind != PrincipalKind::Anonymous).then(|| (kind == PrincipalKind::Service).to_string()),
            );
            derive(
                "aws:PrincipalServiceName",
                "aws:principalservicename",
                (kind == PrincipalKind::Service).then(|| self.id.clone()),
            );
            let account = keys
                .iter()
                .find(|d| d.key == "aws:PrincipalAccount")
                .map(|d| d.values.clone());
            let mut bits = KeyBits::EMPTY;
            bits.add(RESOURCE_ACCOUNT_HASH);
            for k in &keys {
                bits.add(k.hash);
            }
            let issuer_escaped = self.issuer.as_deref().map(|issuer| {
                let mut out = Vec::with_capacity(issuer.len());
                crate::json_out::push_escaped_contents(&mut out, issuer);
                String::from_utf8(out).unwrap_or_default().into_boxed_str()
            });
            Derived {
                keys,
                account,
                resource_account_hint: KeyHint::default(),
                bits,
                issuer_escaped,
            }
        })
    }

    /// Whether this is a service-linked role or one of its sessions (path
    /// `/aws-service-role/` or a name starting `AWSServiceRoleFor`).
    pub(crate) fn is_service_linked_role(&self) -> bool {
        *self.service_linked.get_or_init(|| {
            let by_path = [Some(&self.id), self.issuer.as_ref()]
                .into_iter()
                .flatten()
                .any(|a| a.contains(":role/aws-service-role/"));
            let by_name = self
                .role_name
                .as_deref()
                .is_some_and(|n| n.starts_with("AWSServiceRoleFor"));
            matches!(self.kind, PrincipalKind::Role | PrincipalKind::AssumedRole) && (by_path || by_name)
        })
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// The action, `service:Name`; both parts case-insensitive (S-MATCH-1).
#[derive(Debug, Clone)]
pub struct Action {
    pub(crate) text: String,
    /// `service:name`, lower-cased.
    pub(crate) lc: String,
    pub(crate) colon: usize,
    /// Hash of the lower-cased service prefix, for the action indexes.
    pub(crate) service_hash: u64,
    /// Hash of the lower-cased `service:name`, for the action indexes.
    pub(crate) full_hash: u64,
    /// What the evaluation rules need to know of the action alone.
    pub(crate) facts: crate::eval::ActionFacts,
}

impl Action {
    /// Parses `service:Name`.
    pub fn parse(text: &str) -> Result<Action, RequestError> {
        let colon = text
            .find(':')
            .filter(|&i| i > 0 && i + 1 < text.len() && !text.contains(char::is_whitespace))
            .ok_or_else(|| RequestError::InvalidAction(text.to_string()))?;
        let lc = text.to_ascii_lowercase();
        let service_hash = key_hash(lc.get(..colon).unwrap_or(""));
        let full_hash = key_hash(&lc);
        let facts = crate::eval::ActionFacts::of(
            lc.get(..colon).unwrap_or_default(),
            lc.get(colon + 1..).unwrap_or_default(),
        );
        Ok(Action {
            text: text.to_string(),
            lc,
            colon,
            service_hash,
            full_hash,
            facts,
        })
    }

    /// The lower-cased service prefix.
    pub(crate) fn service(&self) -> &str {
        self.lc.get(..self.colon).unwrap_or("")
    }

    /// The lower-cased action name.
    pub(crate) fn name(&self) -> &str {
        self.lc.get(self.colon + 1..).unwrap_or("")
    }

    /// The action as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// S3 Block Public Access settings that bear on evaluation (S-S3-1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockPublicAccess {
    /// `RestrictPublicBuckets` on the bucket or the account.
    pub restrict_public_buckets: bool,
}

/// S3 Object Ownership (S-S3-2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// ACLs disabled (the default for new buckets since April 2023).
    #[default]
    BucketOwnerEnforced,
    /// ACLs enabled, bucket owner preferred.
    BucketOwnerPreferred,
    /// ACLs enabled, object writer owns.
    ObjectWriter,
}

/// An S3 ACL grantee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclGrantee {
    /// `http://acs.amazonaws.com/groups/global/AllUsers`: everyone, anonymous included.
    AllUsers,
    /// `…/AuthenticatedUsers`: every signed request of any account.
    AuthenticatedUsers,
    /// An account (by 12-digit id).
    Account(String),
}

/// An S3 ACL permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclPermission {
    /// `READ`
    Read,
    /// `WRITE`
    Write,
    /// `READ_ACP`
    ReadAcp,
    /// `WRITE_ACP`
    WriteAcp,
    /// `FULL_CONTROL`
    FullControl,
}

/// Bucket or object ACL (S-S3-2).
#[derive(Debug, Clone, Default)]
pub struct Acl {
    /// Object Ownership of the bucket; `BucketOwnerEnforced` disables ACLs.
    pub object_ownership: ObjectOwnership,
    /// The grants.
    pub grants: Vec<(AclGrantee, AclPermission)>,
}

/// A KMS grant (S-KMS-3).
#[derive(Debug, Clone, Default)]
pub struct KmsGrant {
    /// The grantee principal ARN (a role ARN also covers its sessions).
    pub grantee: String,
    /// Operation names without the `kms:` prefix (`Decrypt`).
    pub operations: Vec<String>,
    /// `EncryptionContextSubset`: these pairs must be in the request's encryption context.
    pub encryption_context_subset: Option<Vec<(String, String)>>,
    /// `EncryptionContextEquals`: the request's encryption context must be exactly these.
    pub encryption_context_equals: Option<Vec<(String, String)>>,
}

impl KmsGrant {
    /// A grant from its parts as a request document or `aws kms list-grants` gives them:
    /// operations with or without the `kms:` prefix, constraints as key → value maps.
    pub(crate) fn new(
        grantee: String,
        operations: &[String],
        subset: Option<&std::collections::BTreeMap<String, String>>,
        equals: Option<&std::collections::BTreeMap<String, String>>,
    ) -> KmsGrant {
        let pairs =
            |m: &std::collections::BTreeMap<String, String>| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        KmsGrant {
            grantee,
            operations: operations
                .iter()
                .map(|o| o.trim_start_matches("kms:").to_string())
                .collect(),
            encryption_context_subset: subset.map(pairs),
            encryption_context_equals: equals.map(pairs),
        }
    }
}

/// One request to decide: who (principal), what (action), on what (resource), with
/// which request context. Build with [`Request::builder`].
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) principal: std::sync::Arc<Principal>,
    pub(crate) action: Arc<Action>,
    pub(crate) resource: String,
    pub(crate) resource_account: Option<String>,
    pub(crate) context: Context,
    /// At most seven: the six principal keys and `aws:ResourceAccount` (a request is
    /// moved whole between batch mode's threads, so it is kept no larger).
    pub(crate) derived_keys: SmallVec<[&'static str; 7]>,
    /// The resource account was not given and the ARN names none: the principal's
    /// account was assumed.
    pub(crate) resource_account_assumed: bool,
    /// The resource ARN's account is `aws` (AWS managed policies) and no
    /// `resourceAccount` was given: the resource belongs to AWS (S-EVAL-12).
    pub(crate) aws_owned_resource: bool,
    /// The lengths of the resource ARN's first five segments (`None`: not an ARN).
    pub(crate) parts: Option<ArnParts>,
    pub(crate) management_account: Option<String>,
    pub(crate) block_public_access: BlockPublicAccess,
    pub(crate) acl: Option<Acl>,
    pub(crate) kms_grants: Vec<KmsGrant>,
    /// The KMS key of the request is an AWS managed key (`KeyManager: AWS`).
    pub(crate) aws_managed_kms_key: bool,
}

/// The lengths in bytes of an ARN's first five segments ([`arn::split`]), each followed
/// by a `:`: where the six segments are, cut again by [`segments`] without a scan.
pub(crate) type ArnParts = [u32; 5];

/// The lengths of the first five segments of an ARN whose colons after them are at
/// `cuts` ([`arn::cuts`]).
fn part_lengths(cuts: [usize; 5]) -> ArnParts {
    let [c0, c1, c2, c3, c4] = cuts;
    [c0, c1 - c0 - 1, c2 - c1 - 1, c3 - c2 - 1, c4 - c3 - 1].map(|l| u32::try_from(l).unwrap_or(u32::MAX))
}

/// `text` cut into six segments: the first five of lengths `lens`, each followed by a
/// `:` (dropped), then the rest. For the lengths of [`arn::split`]'s first five segments
/// of `text` ([`part_lengths`]), its segments again: each segment ends at a `:` (checked
/// here), so no `:` is skipped and none is split. Five cuts checked once each
/// (`split_at_checked`) and five `:` compared as bytes (`strip_prefix`), instead of two
/// checked ends per segment: about 90 instructions instead of 157 (callgrind, realistic
/// batch workload), on every evaluation ([`Request::resource_parts`]).
#[inline]
fn segments(text: &str, lens: ArnParts) -> Option<[&str; 6]> {
    let [l0, l1, l2, l3, l4] = lens.map(|l| l as usize);
    let (s0, r) = text.split_at_checked(l0)?;
    let (s1, r) = r.strip_prefix(':')?.split_at_checked(l1)?;
    let (s2, r) = r.strip_prefix(':')?.split_at_checked(l2)?;
    let (s3, r) = r.strip_prefix(':')?.split_at_checked(l3)?;
    let (s4, r) = r.strip_prefix(':')?.split_at_checked(l4)?;
    Some([s0, s1, s2, s3, s4, r.strip_prefix(':')?])
}

/// The fifth segment (the account's) of `text`, whose first five segments have the
/// lengths `lens` ([`part_lengths`] of its [`arn::cuts`]): `segments(text, lens)`'s
/// fifth, cut without the other four (the `:` around it checked; the others were when
/// `lens` were found for this text).
#[inline]
fn account_segment(text: &str, lens: ArnParts) -> Option<&str> {
    let [l0, l1, l2, l3, l4] = lens.map(|l| l as usize);
    let start = l0.checked_add(l1)?.checked_add(l2)?.checked_add(l3)?.checked_add(4)?;
    let end = start.checked_add(l4)?;
    let bytes = text.as_bytes();
    if bytes.get(start - 1) != Some(&b':') || bytes.get(end) != Some(&b':') {
        return None;
    }
    text.get(start..end)
}

/// What the caller of [`RequestBuilder::build_knowing`] knows of the request before it
/// is built; by default nothing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Known {
    /// Holds (at least) the hash of every key of the builder's context: a derived key
    /// whose bit is clear is added without looking it up.
    pub(crate) key_bits: KeyBits,
    /// `Some`: the segments of the builder's resource, as [`Request::parts`] holds them
    /// (`Some(None)`: not an ARN), computed for a resource of the same text.
    pub(crate) parts: Option<Option<ArnParts>>,
    /// The builder's resource and management accounts are 12-digit account ids (a batch
    /// base's, checked when it was read): not checked again.
    pub(crate) accounts_checked: bool,
    /// No policy the request is decided against has an IP operator
    /// ([`crate::condition::ip::used_by`]): `aws:SourceIp` is not read as an address
    /// at build (an IP operator would still read it, on the spot).
    pub(crate) no_ip_conditions: bool,
}

/// Builds a [`Request`]; [`RequestBuilder::build`] validates once.
#[derive(Debug, Default, Clone)]
pub struct RequestBuilder {
    pub(crate) principal: Option<std::sync::Arc<Principal>>,
    pub(crate) action: Option<String>,
    pub(crate) parsed_action: Option<Arc<Action>>,
    pub(crate) resource: Option<String>,
    pub(crate) resource_account: Option<String>,
    pub(crate) context: Context,
    pub(crate) management_account: Option<String>,
    pub(crate) block_public_access: BlockPublicAccess,
    pub(crate) acl: Option<Acl>,
    pub(crate) kms_grants: Vec<KmsGrant>,
    pub(crate) aws_managed_kms_key: bool,
}

impl Request {
    /// A builder with nothing set.
    pub fn builder() -> RequestBuilder {
        RequestBuilder::default()
    }

    /// The principal.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The action.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The resource (an ARN or `*`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The request context, including derived keys.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The resource ARN's six segments, as [`arn::split`] gives them (found once at
    /// build, cut again here without a scan: [`segments`]).
    pub(crate) fn resource_parts(&self) -> Option<[&str; 6]> {
        segments(&self.resource, self.parts?)
    }

    /// The resource account: given, else the ARN's account, else the principal's.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }

    /// Context keys the engine derived from the principal (not given in the request).
    pub fn derived_keys(&self) -> &[&'static str] {
        &self.derived_keys
    }

    /// What the engine assumed because the request did not say, in words.
    pub fn assumptions(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_assumption(|before, value, after, _| out.push([before, value, after].concat()));
        out
    }

    /// Calls `f` with each assumption's text in three pieces, fixed text (nothing in it
    /// to escape in JSON, a test checks), the request's value, and fixed text again:
    /// concatenated, they are one entry of [`Request::assumptions`]. Writers copy the
    /// fixed pieces as they are and escape only the value, or copy the value's escaped
    /// text when `f` is given it (the fourth argument; kept per principal).
    pub(crate) fn for_each_assumption(&self, mut f: impl FnMut(&'static str, &str, &'static str, Option<&str>)) {
        if self.resource_account_assumed {
            let (before, after) = ASSUMED_RESOURCE_ACCOUNT;
            f(
                before,
                self.resource_account.as_deref().unwrap_or_default(),
                after,
                None,
            );
        }
        if self.principal.kind == PrincipalKind::AssumedRole
            && self.principal.issuer_from_session
            && self.derived_keys.contains(&"aws:PrincipalArn")
        {
            let (before, after) = DERIVED_PRINCIPAL_ARN;
            let escaped = self.principal.derived().issuer_escaped.as_deref();
            f(
                before,
                self.principal.issuer.as_deref().unwrap_or_default(),
                after,
                escaped,
            );
        }
    }
}

/// The fixed text before and after the resource account in the assumption that an S3
/// resource is in the principal's account ([`Request::for_each_assumption`]).
const ASSUMED_RESOURCE_ACCOUNT: (&str, &str) = (
    "the resource ARN names no account and `resourceAccount` is not given: the resource is taken to be in the principal's account ",
    " (same-account rules); give `resourceAccount` for a bucket of another account",
);

/// The fixed text before and after the role's ARN in the assumption that a session's
/// role has no path ([`Request::for_each_assumption`]).
const DERIVED_PRINCIPAL_ARN: (&str, &str) = (
    "`aws:PrincipalArn` is derived as `",
    "` without a path; give `sessionIssuer` if the role has one",
);

impl RequestBuilder {
    /// The caller.
    pub fn principal(mut self, p: Principal) -> Self {
        self.principal = Some(std::sync::Arc::new(p));
        self
    }
    /// `service:Name`.
    pub fn action(mut self, a: impl Into<String>) -> Self {
        self.action = Some(a.into());
        self
    }
    /// An ARN or `*`.
    pub fn resource(mut self, r: impl Into<String>) -> Self {
        self.resource = Some(r.into());
        self
    }
    /// The resource's account when the ARN does not say (S3 ARNs carry none).
    pub fn resource_account(mut self, a: impl Into<String>) -> Self {
        self.resource_account = Some(a.into());
        self
    }
    /// The whole request context (replacing any set so far).
    pub fn context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }
    /// One context key with its values.
    pub fn context_value(mut self, key: &str, values: Vec<String>) -> Self {
        self.context.insert(key, values);
        self
    }
    /// The organization's management account (exempt from SCPs and RCPs).
    pub fn management_account(mut self, a: impl Into<String>) -> Self {
        self.management_account = Some(a.into());
        self
    }
    /// S3 Block Public Access (S-S3-1).
    pub fn block_public_access(mut self, b: BlockPublicAccess) -> Self {
        self.block_public_access = b;
        self
    }
    /// S3 ACL (S-S3-2).
    pub fn acl(mut self, acl: Acl) -> Self {
        self.acl = Some(acl);
        self
    }
    /// KMS grants on the key (S-KMS-3).
    pub fn kms_grants(mut self, g: Vec<KmsGrant>) -> Self {
        self.kms_grants = g;
        self
    }
    /// Whether the request's KMS key is an AWS managed key (`KeyManager` `AWS` in
    /// `aws kms describe-key`): such keys are outside RCPs (S-EVAL-3,
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>).
    pub fn aws_managed_kms_key(mut self, aws_managed: bool) -> Self {
        self.aws_managed_kms_key = aws_managed;
        self
    }

    /// Validates and derives the principal's context keys (`aws:PrincipalArn`,
    /// `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
    /// `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`, `aws:ResourceAccount`)
    /// where the context does not give them.
    ///
    /// Errors: a missing principal or action, an action not of the form
    /// `service:Name`, an account id that is not 12 digits.
    pub fn build(self) -> Result<Request, RequestError> {
        self.build_knowing(Known::default())
    }

    /// As [`RequestBuilder::build`], with what the caller already knows of the request
    /// (batch mode's reader: the hashes of the context's keys, the resource's segments
    /// when the line before had the same resource).
    pub(crate) fn build_knowing(mut self, known: Known) -> Result<Request, RequestError> {
        let (principal, action) = self.validate(&known)?;
        let mut request = Request {
            principal,
            action,
            resource: String::new(),
            resource_account: None,
            context: Context::default(),
            derived_keys: SmallVec::new(),
            resource_account_assumed: false,
            aws_owned_resource: false,
            parts: None,
            management_account: None,
            block_public_access: BlockPublicAccess::default(),
            acl: None,
            kms_grants: Vec::new(),
            aws_managed_kms_key: false,
        };
        self.fill(known, &mut request);
        Ok(request)
    }

    /// As [`RequestBuilder::build_knowing`], writing the request into `into` (every
    /// member replaced, as if `*into` were assigned the request built) rather than
    /// returning it: batch mode's reader writes each line's request into the box of an
    /// earlier line's, without copying a whole request twice and dropping the old one
    /// whole. On error `into` is left as it was.
    #[inline(never)]
    pub(crate) fn build_into(mut self, known: Known, into: &mut Request) -> Result<(), RequestError> {
        let (principal, action) = self.validate(&known)?;
        into.principal = principal;
        into.action = action;
        self.fill(known, into);
        Ok(())
    }

    /// The checks of [`RequestBuilder::build`], in its order (principal, action,
    /// accounts), and the principal and action (taken out of the builder).
    #[inline(always)]
    fn validate(&mut self, known: &Known) -> Result<(Arc<Principal>, Arc<Action>), RequestError> {
        let principal = self.principal.take().ok_or(RequestError::Missing("principal"))?;
        let action = match self.parsed_action.take() {
            Some(a) => a,
            None => Arc::new(Action::parse(
                self.action.as_deref().ok_or(RequestError::Missing("action"))?,
            )?),
        };
        if !known.accounts_checked {
            for a in [&self.resource_account, &self.management_account].into_iter().flatten() {
                if !is_account_id(a) {
                    return Err(RequestError::InvalidAccount(a.clone()));
                }
            }
        }
        Ok((principal, action))
    }

    /// Writes every member of `into` but its principal and action (set by the caller
    /// from [`RequestBuilder::validate`]): the resource and its segments, the resource
    /// account, and the context with the derived keys added.
    #[inline(always)]
    fn fill(self, known: Known, into: &mut Request) {
        let principal = &*into.principal;
        let resource = self.resource.unwrap_or_else(|| "*".to_string());
        // The ARN's segments' lengths, and its account segment.
        let (parts, account) = match known.parts {
            Some(parts) => (parts, parts.and_then(|p| account_segment(&resource, p))),
            None => {
                // The colons' offsets, without cutting the six segments (only the
                // account's is wanted here).
                let cuts = arn::cuts(&resource);
                (
                    cuts.map(part_lengths),
                    cuts.and_then(|[.., c3, c4]| resource.get(c3 + 1..c4)),
                )
            }
        };
        // An account id there (copied only when it is the resource account).
        let from_arn = account.filter(|a| is_account_id(a));
        // S-EVAL-12: `arn:aws:iam::aws:policy/…` belongs to AWS, not to the caller.
        let aws_owned_resource = self.resource_account.is_none() && account == Some("aws");
        let resource_account_assumed = self.resource_account.is_none()
            && from_arn.is_none()
            && !aws_owned_resource
            && resource != "*"
            && principal.account.is_some();
        let resource_account = if aws_owned_resource {
            None
        } else {
            match self.resource_account {
                Some(a) => Some(a),
                // Written into the buffer of the request written over (batch mode's
                // reader: mostly the account of the line before, not copied again).
                None => from_arn.or(principal.account.as_deref()).map(|a| {
                    let mut buf = into.resource_account.take().unwrap_or_default();
                    if !crate::pattern::bytes_eq(buf.as_bytes(), a.as_bytes()) {
                        buf.clear();
                        buf.push_str(a);
                    }
                    buf
                }),
            }
        };
        let mut context = self.context;
        // Both are supersets of the context's keys, and so is their intersection.
        context.bits = context.bits.intersect(known.key_bits);
        let derived = &mut into.derived_keys;
        derived.clear();
        // A derived key is added where the context does not give it. A clear bit says
        // so without a look-up; a look-up starts where the principal's requests last
        // had the key. (The derived keys' bits are added after: each is looked up
        // before any is added, and none is another's.)
        let given = |context: &Context, hash: u64, key_lc: &str, hint: &KeyHint| {
            context.bits.may_hold(hash) && context.get_hinted(hash, key_lc, hint).is_some()
        };
        let d = principal.derived();
        for k in &d.keys {
            if !given(&context, k.hash, k.key_lc, &k.hint) {
                context.push_static(k.key, k.key_lc, k.hash, Values::Shared(k.values.clone()));
                derived.push(k.key);
            }
        }
        if let Some(a) = &resource_account {
            const HASH: u64 = RESOURCE_ACCOUNT_HASH;
            if !given(&context, HASH, "aws:resourceaccount", &d.resource_account_hint) {
                // Mostly the principal's own account, whose value is already shared.
                let values = match &d.account {
                    Some(v)
                        if v.first()
                            .is_some_and(|own| crate::pattern::bytes_eq(own.as_bytes(), a.as_bytes())) =>
                    {
                        Values::Shared(v.clone())
                    }
                    _ => Values::Owned(vec![a.clone()]),
                };
                context.push_static("aws:ResourceAccount", "aws:resourceaccount", HASH, values);
                derived.push("aws:ResourceAccount");
            }
        }
        context.bits = context.bits.union(d.bits);
        if !known.no_ip_conditions {
            context.read_source_ip();
        }
        into.resource = resource;
        into.resource_account = resource_account;
        into.context = context;
        into.resource_account_assumed = resource_account_assumed;
        into.aws_owned_resource = aws_owned_resource;
        into.parts = parts;
        into.management_account = self.management_account;
        into.block_public_access = self.block_public_access;
        into.acl = self.acl;
        into.kms_grants = self.kms_grants;
        into.aws_managed_kms_key = self.aws_managed_kms_key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed text of the assumptions is copied into JSON unescaped.
    #[test]
    fn assumption_texts_need_no_json_escaping() {
        let (a, b) = (ASSUMED_RESOURCE_ACCOUNT, DERIVED_PRINCIPAL_ARN);
        for t in [a.0, a.1, b.0, b.1] {
            assert_eq!(crate::json_out::first_escape(t.as_bytes()), None, "{t}");
        }
    }

    #[test]
    fn parses_principal_forms() {
        let k = |s: &str| Principal::parse(s).map(|p| p.kind);
        assert_eq!(k("arn:aws:iam::111122223333:user/alice"), Ok(PrincipalKind::User));
        assert_eq!(k("arn:aws:iam::111122223333:root"), Ok(PrincipalKind::Root));
        assert_eq!(k("111122223333"), Ok(PrincipalKind::Root));
        assert_eq!(k("arn:aws:iam::111122223333:role/a/b"), Ok(PrincipalKind::Role));
        assert_eq!(
            k("arn:aws:sts::111122223333:assumed-role/r/s"),
            Ok(PrincipalKind::AssumedRole)
        );
        assert_eq!(
            k("arn:aws:sts::111122223333:federated-user/bob"),
            Ok(PrincipalKind::FederatedUser)
        );
        assert_eq!(k("lambda.amazonaws.com"), Ok(PrincipalKind::Service));
        assert_eq!(k("anonymous"), Ok(PrincipalKind::Anonymous));
        assert!(k("alice").is_err());
        assert!(k("arn:aws:iam::1234:user/x").is_err());
    }

    #[test]
    fn derives_principal_keys() {
        let r = Request::builder()
            .principal(Principal::parse("arn:aws:sts::111122223333:assumed-role/r/s").unwrap())
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .build()
            .unwrap();
        assert_eq!(
            r.context().get("aws:principalarn"),
            Some(&["arn:aws:iam::111122223333:role/r".to_string()][..])
        );
        assert_eq!(r.resource_account(), Some("111122223333"));
        assert_eq!(r.action().service(), "s3");
        assert_eq!(r.action().name(), "getobject");
    }

    /// One step of [`context_filter_matches_a_scan`]; keys are `KEYS[i]`.
    #[derive(Debug, Clone)]
    enum Step {
        Insert(usize, String),
        Put(usize, usize, String),
        Truncate(usize),
        Remove(usize),
        RemovePrefix(usize),
        Reset,
        Detach,
        Build,
    }

    /// Enough keys that several share a bit of the 64 (`key_hash % 64`).
    const KEYS: [&str; 40] = [
        "aws:SourceIp",
        "aws:SecureTransport",
        "aws:MultiFactorAuthAge",
        "aws:CurrentTime",
        "aws:PrincipalTag/team",
        "aws:PrincipalOrgID",
        "aws:username",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:ResourceAccount",
        "aws:RequestedRegion",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
        "s3:prefix",
        "s3:x-amz-acl",
        "kms:ViaService",
        "ec2:InstanceType",
        "aws:ResourceTag/env",
        "aws:RequestTag/env",
        "aws:TagKeys",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:userid",
        "aws:TokenIssueTime",
        "aws:ViaAWSService",
        "aws:CalledVia",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:EpochTime",
        "s3:ExistingObjectTag/a",
        "s3:delimiter",
        "s3:max-keys",
        "iam:PassedToService",
        "iam:PolicyARN",
        "sts:ExternalId",
        "sts:RoleSessionName",
        "aws:Referer",
        "aws:UserAgent",
        "aws:PrincipalTag/Team",
    ];

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        let k = 0..KEYS.len();
        prop_oneof![
            (k.clone(), "[a-c]{0,2}").prop_map(|(k, v)| Step::Insert(k, v)),
            (0..24usize, k.clone(), "[a-c]{0,2}").prop_map(|(at, k, v)| Step::Put(at, k, v)),
            (0..24usize).prop_map(Step::Truncate),
            k.clone().prop_map(Step::Remove),
            (0..KEYS.len()).prop_map(Step::RemovePrefix),
            Just(Step::Reset),
            Just(Step::Detach),
            Just(Step::Build),
        ]
    }

    /// The answer of a plain scan, without hash or filter.
    fn scan<'c>(c: &'c Context, key_lc: &str) -> Option<&'c [String]> {
        c.entries
            .iter()
            .find(|e| *e.key_lc == *key_lc)
            .map(|e| e.values.as_slice())
    }

    proptest::proptest! {
        /// The key filter of [`Context`] never hides a key it holds: `get`,
        /// `get_hashed` and `get_hinted` answer as a plain scan after any sequence of
        /// the context's changes (a key put twice at different places by `put`, which
        /// batch mode never does, is left out: the scan and the look-ups may then pick
        /// different entries).
        #[test]
        fn context_filter_matches_a_scan(steps in proptest::collection::vec(step(), 0..60)) {
            let base = {
                let mut b = Context::default();
                b.insert("aws:SourceIp", vec!["10.0.0.1".into()]);
                b.insert("aws:PrincipalTag/team", vec!["x".into()]);
                b.detached()
            };
            let mut c = base.clone();
            let mut pool = ValuePool::default();
            let hints: Vec<KeyHint> = KEYS.iter().map(|_| KeyHint::default()).collect();
            for s in steps {
                match s {
                    Step::Insert(k, v) => c.insert(KEYS[k], vec![v]),
                    Step::Put(at, k, v) => {
                        let name = KeyName::new(KEYS[k]);
                        let at = at.min(c.len());
                        let elsewhere = c.position(&name, c.len()).is_some_and(|i| i != at);
                        if !elsewhere {
                            c.put(at, &name, &[v.as_str()], &mut pool);
                        }
                    }
                    Step::Truncate(n) => c.truncate(n, &mut pool),
                    Step::Remove(k) => c.remove(&KEYS[k].to_ascii_lowercase()),
                    Step::RemovePrefix(k) => {
                        let lc = KEYS[k].to_ascii_lowercase();
                        let cut = lc.find(':').map_or(lc.len(), |i| i + 1);
                        c.remove(&format!("{}*", lc.get(..cut).unwrap_or("")));
                    }
                    Step::Reset => {
                        c.reset_to_base(&base, &mut pool);
                    }
                    Step::Detach => c = c.detached(),
                    Step::Build => {
                        // As batch mode's reader: the context's keys' hashes are known.
                        let known = Known { key_bits: c.key_bits(), ..Known::default() };
                        let r = Request::builder()
                            .principal(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
                            .action("s3:GetObject")
                            .context(c.clone())
                            .build_knowing(known)
                            .unwrap();
                        c = r.context;
                    }
                }
                for (k, hint) in KEYS.iter().zip(&hints) {
                    let lc = k.to_ascii_lowercase();
                    let want = scan(&c, &lc);
                    proptest::prop_assert_eq!(c.get(&lc), want, "get {}", k);
                    proptest::prop_assert_eq!(c.get_hashed(key_hash(&lc), &lc), want, "get_hashed {}", k);
                    proptest::prop_assert_eq!(c.get_hinted(key_hash(&lc), &lc, hint), want, "get_hinted {}", k);
                }
            }
        }
    }

    /// The segments a request keeps (the lengths of the first five) cut its resource as
    /// [`arn::split`] does, whether found at build or known from the line before
    /// ([`Known::parts`]): empty segments, colons and non-ASCII text in the last one,
    /// and text that is not an ARN.
    #[test]
    fn resource_parts_are_the_split_segments() {
        let texts = [
            "arn:aws:s3:::b/k",
            "arn:aws:iam::111122223333:role/r",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:sqs:eu-west-1:444455556666:q",
            "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1",
            "arn:aws-cn:s3:::é/ü:x:y",
            "arn:é:ß:ü:ö:",
            "arn:::::",
            "arn:a:b:c:d:e:f:g",
            "arn:aws:s3::",
            "not-an-arn",
            "*",
            "",
        ];
        let alice = || Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap();
        for text in texts {
            let want = arn::split(text);
            let lens = arn::cuts(text).map(part_lengths);
            assert_eq!(lens.and_then(|l| segments(text, l)), want, "{text}");
            assert_eq!(
                lens.and_then(|l| account_segment(text, l)),
                want.map(|s| s[4]),
                "{text}"
            );
            // The resource account (the ARN's account segment, when it is an account
            // id) is the same whether the segments are found or known.
            let mut accounts = Vec::new();
            for known in [None, Some(lens)] {
                let r = Request::builder()
                    .principal(alice())
                    .action("s3:GetObject")
                    .resource(text)
                    .build_knowing(Known {
                        parts: known,
                        ..Known::default()
                    })
                    .unwrap();
                assert_eq!(r.resource_parts(), want, "{text}");
                accounts.push(r.resource_account().map(str::to_string));
            }
            assert_eq!(accounts[0], accounts[1], "{text}");
        }
        // Lengths that do not end at a `:` cut nothing.
        assert_eq!(segments("arn:aws:s3:::b/k", [3, 3, 2, 0, 1]), None);
        assert_eq!(segments("arn:aws", [3, 3, 0, 0, 0]), None);
        assert_eq!(account_segment("arn:aws:s3:::b/k", [3, 3, 2, 0, 1]), None);
        assert_eq!(account_segment("arn:aws", [3, 3, 0, 0, 0]), None);
        assert_eq!(account_segment("arn:aws:s3::", [3, 3, 2, 0, 0]), None);
    }

    /// A key's single value refilled in place: a value equal to the one there is kept (not
    /// copied again), any other replaces it, the same length or not.
    #[test]
    fn refilled_values_are_the_new_ones() {
        let mut pool = ValuePool::default();
        let mut c = Context::default();
        c.put(0, &KeyName::new("aws:SourceIp"), &["10.0.0.1"], &mut pool);
        let ip = |c: &Context| c.get("aws:sourceip").map(<[String]>::to_vec);
        for v in [
            "10.0.0.1",
            "10.0.0.2",
            "10.0.0.2",
            "10.1.0.2",
            "1.2.3.4",
            "",
            "10.0.0.10",
            "10.0.0.1",
        ] {
            c.refill(0, &[v], &mut pool);
            assert_eq!(ip(&c), Some(vec![v.to_string()]));
            assert_eq!(c.refill_known(0, &[v], &mut pool), Some(key_hash("aws:sourceip")));
            assert_eq!(ip(&c), Some(vec![v.to_string()]));
        }
    }

    /// A key's several values refilled in place, from lists of any length: values
    /// equal to those there are kept (not copied again), others replace them.
    #[test]
    fn refilled_value_lists_are_the_new_ones() {
        let mut pool = ValuePool::default();
        let mut c = Context::default();
        c.put(0, &KeyName::new("s3:RequestObjectTagKeys"), &["Owner"], &mut pool);
        let lists: [&[&str]; 9] = [
            &["Owner", "CreationDate"],
            &["Owner", "CreationDate"],
            &["Owner", "Creation"],
            &["Owne", "CreationDate", "x"],
            &["Owner"],
            &[],
            &["a", "b"],
            &["b", "a"],
            &["b", "a", "a", "b"],
        ];
        for values in lists {
            c.refill(0, values, &mut pool);
            let want: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            assert_eq!(c.get("s3:requestobjecttagkeys"), Some(&want[..]), "{values:?}");
        }
    }

    /// The filter answers at once for a key the context lacks, and a key that went
    /// (`truncate`) leaves its bit until a build narrows the bits to what the caller knows.
    #[test]
    fn context_bits_follow_keys() {
        let mut c = Context::default();
        assert_eq!(c.bits, KeyBits::EMPTY);
        c.insert("aws:SourceIp", vec!["10.0.0.1".into()]);
        let h = key_hash("aws:sourceip");
        assert!(c.bits.may_hold(h));
        let mut pool = ValuePool::default();
        c.truncate(0, &mut pool);
        assert!(c.bits.may_hold(h));
        let r = Request::builder()
            .principal(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
            .action("s3:GetObject")
            .context(c.clone())
            .build_knowing(Known {
                key_bits: c.key_bits(),
                ..Known::default()
            })
            .unwrap();
        assert_eq!(r.context.bits, r.context.key_bits());
    }
}
