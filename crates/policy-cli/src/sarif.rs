//! SARIF 2.1.0, the parts GitHub code scanning reads: the typed model `lint` and
//! `exposure` write. Spec: <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct Sarif {
    #[serde(rename = "$schema")]
    pub(crate) schema: &'static str,
    pub(crate) version: &'static str,
    pub(crate) runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Run {
    pub(crate) tool: Tool,
    pub(crate) column_kind: &'static str,
    pub(crate) results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Tool {
    pub(crate) driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Driver {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) information_uri: &'static str,
    pub(crate) rules: Vec<SarifRule>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Text {
    pub(crate) text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifRule {
    pub(crate) id: &'static str,
    pub(crate) name: String,
    pub(crate) short_description: Text,
    pub(crate) full_description: Text,
    pub(crate) help_uri: &'static str,
    pub(crate) help: Markdown,
    pub(crate) default_configuration: Configuration,
    pub(crate) properties: RuleProperties,
}

#[derive(Debug, Serialize)]
pub(crate) struct Markdown {
    pub(crate) text: String,
    pub(crate) markdown: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Configuration {
    pub(crate) level: &'static str,
    pub(crate) enabled: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct RuleProperties {
    pub(crate) tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    pub(crate) security_severity: Option<&'static str>,
    pub(crate) precision: &'static str,
    #[serde(rename = "problem.severity")]
    pub(crate) problem_severity: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifResult {
    pub(crate) rule_id: &'static str,
    pub(crate) rule_index: usize,
    pub(crate) level: &'static str,
    pub(crate) message: Text,
    pub(crate) locations: Vec<SarifLocation>,
    /// Stable identity across commits: see [`fingerprint`].
    pub(crate) partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifLocation {
    pub(crate) physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) logical_locations: Vec<LogicalLocation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhysicalLocation {
    pub(crate) artifact_location: ArtifactLocation,
    pub(crate) region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtifactLocation {
    pub(crate) uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Region {
    pub(crate) start_line: u32,
    pub(crate) start_column: u32,
    pub(crate) end_line: u32,
    pub(crate) end_column: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogicalLocation {
    pub(crate) fully_qualified_name: String,
    pub(crate) kind: &'static str,
}

pub(crate) fn pascal(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The folder SARIF URIs are relative to: `--root`, else the top of the git
/// repository holding the current folder, else the current folder.
pub(crate) fn sarif_root(given: Option<&Path>) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = match given {
        Some(r) => cwd.join(r),
        None => std::process::Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| PathBuf::from(s.trim_end_matches(['\n', '\r'])))
            .unwrap_or_else(|| cwd.clone()),
    };
    root.canonicalize().unwrap_or(root)
}

/// `file` (as displayed: relative to the current folder, or absolute) as a URI relative
/// to `root`, with `/` separators and `%`-escapes; `..` segments where the file lies
/// outside it. Never absolute.
pub(crate) fn uri(file: &str, root: &Path) -> String {
    if file == "<stdin>" {
        return "stdin".into();
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let abs = cwd.join(file);
    let abs = abs.canonicalize().unwrap_or(abs);
    let (a, r): (Vec<_>, Vec<_>) = (abs.components().collect(), root.components().collect());
    let common = a.iter().zip(&r).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = r.iter().skip(common).map(|_| "..".to_string()).collect();
    parts.extend(
        a.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    let rel = parts.join("/");
    let mut out = String::with_capacity(rel.len());
    for ch in rel.chars() {
        match ch {
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '\\' => out.push('/'),
            c => out.push(c),
        }
    }
    out
}

/// FNV-1a, 64 bits: a hash that is the same on every platform and release (the
/// standard library's is not promised to be).
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}
