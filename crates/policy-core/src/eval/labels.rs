//! Labels of policies and verdicts in explanations (`scp[1][0]`, `rcp[0]`), written
//! without `fmt` on the per-request path.

use std::borrow::Cow;
use std::fmt;

use super::PolicySlot;
use crate::json_out::TextOut;

/// Appends `n` in decimal (faster than `fmt` on the per-request path).
pub(crate) fn push_num(out: &mut impl TextOut, n: usize) {
    // Statement and policy indices are mostly one digit.
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match DIGITS.get(n) {
        Some(d) => out.put(d),
        None => out.put(crate::json_out::Digits::new(n as u64).as_str()),
    }
}

impl PolicySlot {
    /// Appends the label (`scp[1][0]`) to `out`.
    pub(crate) fn push_label(self, out: &mut impl TextOut) {
        let (name, a, b) = match self {
            PolicySlot::Identity(i) => ("identity", Some(i), None),
            PolicySlot::Resource => ("resource", None, None),
            PolicySlot::PermissionsBoundary => ("permissionsBoundary", None, None),
            PolicySlot::Session => ("session", None, None),
            PolicySlot::Scp(l, i) => ("scp", Some(l), Some(i)),
            PolicySlot::Rcp(l, i) => ("rcp", Some(l), Some(i)),
            PolicySlot::VpcEndpoint(i) => ("vpcEndpoint", Some(i), None),
        };
        out.put(name);
        for n in [a, b].into_iter().flatten() {
            out.put("[");
            push_num(out, n);
            out.put("]");
        }
    }
}

impl fmt::Display for PolicySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySlot::Identity(i) => write!(f, "identity[{i}]"),
            PolicySlot::Resource => f.write_str("resource"),
            PolicySlot::PermissionsBoundary => f.write_str("permissionsBoundary"),
            PolicySlot::Session => f.write_str("session"),
            PolicySlot::Scp(l, i) => write!(f, "scp[{l}][{i}]"),
            PolicySlot::Rcp(l, i) => write!(f, "rcp[{l}][{i}]"),
            PolicySlot::VpcEndpoint(i) => write!(f, "vpcEndpoint[{i}]"),
        }
    }
}

/// Which policy type (or level) a verdict is about; displays as `identity`,
/// `resource`, `permissionsBoundary`, `session`, `scp[1]`, `rcp[0]`, `vpcEndpoint[0]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerdictLabel {
    Identity,
    Resource,
    PermissionsBoundary,
    Session,
    Scp(usize),
    Rcp(usize),
    VpcEndpoint(usize),
}

impl VerdictLabel {
    /// The verdict a statement of `slot` counts toward.
    pub(crate) fn of(slot: PolicySlot) -> VerdictLabel {
        match slot {
            PolicySlot::Identity(_) => VerdictLabel::Identity,
            PolicySlot::Resource => VerdictLabel::Resource,
            PolicySlot::PermissionsBoundary => VerdictLabel::PermissionsBoundary,
            PolicySlot::Session => VerdictLabel::Session,
            PolicySlot::Scp(l, _) => VerdictLabel::Scp(l),
            PolicySlot::Rcp(l, _) => VerdictLabel::Rcp(l),
            PolicySlot::VpcEndpoint(i) => VerdictLabel::VpcEndpoint(i),
        }
    }

    /// Its bit in a mask of verdicts: the policy types, then 20 SCP levels, 20 RCP
    /// levels and 20 VPC endpoint policies; `None` past those.
    pub(crate) fn bit(self) -> Option<u64> {
        let at = match self {
            VerdictLabel::Identity => 0,
            VerdictLabel::Resource => 1,
            VerdictLabel::PermissionsBoundary => 2,
            VerdictLabel::Session => 3,
            VerdictLabel::Scp(l) if l < 20 => 4 + l,
            VerdictLabel::Rcp(l) if l < 20 => 24 + l,
            VerdictLabel::VpcEndpoint(i) if i < 20 => 44 + i,
            VerdictLabel::Scp(_) | VerdictLabel::Rcp(_) | VerdictLabel::VpcEndpoint(_) => return None,
        };
        Some(1 << at)
    }

    /// The label as text, without `fmt` for the common, level-less labels.
    pub(crate) fn text(self) -> Cow<'static, str> {
        match self.fixed() {
            Ok(name) => Cow::Borrowed(name),
            Err(_) => {
                let mut s = String::with_capacity(16);
                self.push(&mut s);
                Cow::Owned(s)
            }
        }
    }

    /// The label's text, or its prefix and level (index) for `scp[l]`, `rcp[l]` and
    /// `vpcEndpoint[i]`.
    fn fixed(self) -> Result<&'static str, (&'static str, usize)> {
        match self {
            VerdictLabel::Identity => Ok("identity"),
            VerdictLabel::Resource => Ok("resource"),
            VerdictLabel::PermissionsBoundary => Ok("permissionsBoundary"),
            VerdictLabel::Session => Ok("session"),
            VerdictLabel::Scp(l) => Err(("scp[", l)),
            VerdictLabel::Rcp(l) => Err(("rcp[", l)),
            VerdictLabel::VpcEndpoint(i) => Err(("vpcEndpoint[", i)),
        }
    }

    /// Appends the label's text (which needs no JSON escaping) to `out`.
    pub(crate) fn push(self, out: &mut impl TextOut) {
        const SCP: [&str; 6] = ["scp[0]", "scp[1]", "scp[2]", "scp[3]", "scp[4]", "scp[5]"];
        const RCP: [&str; 6] = ["rcp[0]", "rcp[1]", "rcp[2]", "rcp[3]", "rcp[4]", "rcp[5]"];
        let level = match self {
            VerdictLabel::Scp(l) => SCP.get(l),
            VerdictLabel::Rcp(l) => RCP.get(l),
            _ => None,
        };
        if let Some(text) = level {
            out.put(text);
            return;
        }
        match self.fixed() {
            Ok(name) => out.put(name),
            Err((prefix, n)) => {
                out.put(prefix);
                push_num(out, n);
                out.put("]");
            }
        }
    }
}

impl fmt::Display for VerdictLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerdictLabel::Identity => f.write_str("identity"),
            VerdictLabel::Resource => f.write_str("resource"),
            VerdictLabel::PermissionsBoundary => f.write_str("permissionsBoundary"),
            VerdictLabel::Session => f.write_str("session"),
            VerdictLabel::Scp(l) => write!(f, "scp[{l}]"),
            VerdictLabel::Rcp(l) => write!(f, "rcp[{l}]"),
            VerdictLabel::VpcEndpoint(i) => write!(f, "vpcEndpoint[{i}]"),
        }
    }
}
