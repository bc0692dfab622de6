//! `policy-sim lint`: validate policies (and the policies in CloudFormation templates
//! and Terraform plans) for CI, with human, JSON, SARIF and GitHub annotation output.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use policy_core::lint::embedded::{detect, lint_document, DocumentKind};
use policy_core::lint::{retired, rule, rules, Rule};
use policy_core::{Finding, LintPolicyType, LintReport, LintSeverity, Source};
use serde::{Deserialize, Serialize};

use crate::loader::display_path;
use crate::EXIT_INPUT;

/// Exit code of `lint` when some finding is at or above `--min-severity`.
pub const EXIT_FINDINGS: u8 = 5;

/// Output format of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Compiler-style diagnostics with the source line and the span underlined.
    Human,
    /// One JSON object: every report with its findings, and a summary.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, other CI systems).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`).
    Github,
}

/// A severity threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    /// Suggestions and above (everything).
    Suggestion,
    /// Warnings and above.
    Warning,
    /// Security warnings and errors.
    #[value(name = "security-warning")]
    SecurityWarning,
    /// Errors only.
    Error,
}

impl SeverityArg {
    fn core(self) -> LintSeverity {
        match self {
            SeverityArg::Suggestion => LintSeverity::Suggestion,
            SeverityArg::Warning => LintSeverity::Warning,
            SeverityArg::SecurityWarning => LintSeverity::SecurityWarning,
            SeverityArg::Error => LintSeverity::Error,
        }
    }
}

/// A policy type for `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    /// Identity-based policy.
    Identity,
    /// Resource-based policy.
    Resource,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
    /// Role trust policy.
    Trust,
    /// KMS key policy.
    Key,
    /// VPC endpoint policy.
    Endpoint,
}

impl TypeArg {
    fn core(self) -> LintPolicyType {
        match self {
            TypeArg::Identity => LintPolicyType::Identity,
            TypeArg::Resource => LintPolicyType::Resource,
            TypeArg::Scp => LintPolicyType::Scp,
            TypeArg::Rcp => LintPolicyType::Rcp,
            TypeArg::Boundary => LintPolicyType::Boundary,
            TypeArg::Session => LintPolicyType::Session,
            TypeArg::Trust => LintPolicyType::Trust,
            TypeArg::Key => LintPolicyType::Key,
            TypeArg::Endpoint => LintPolicyType::Endpoint,
        }
    }
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, CloudFormation templates (JSON, YAML), Terraform plans
    /// (`terraform show -json`), directories (searched recursively for `.json`, `.yaml`,
    /// `.yml` and `.template` files that hold a policy or a template), glob patterns
    /// (`policies/**/*.json`, quoted), or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: LintFormat,
    /// Report only findings at or above this severity; any reported finding makes the
    /// exit code 5.
    #[arg(long, value_enum, default_value = "suggestion", value_name = "LEVEL")]
    min_severity: SeverityArg,
    /// The policy type of plain policy files (default: inferred from each policy, and
    /// stated in the output). Policies in templates take the type of their place.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    ty: Option<TypeArg>,
    /// A TOML file of severity overrides and suppressions:
    /// `[severity]` with `code = "warning"` (or `"off"`), and `[[suppress]]` tables with
    /// `code`, an optional `path` glob, and a required `reason`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

// ---------------------------------------------------------------------------------
// The configuration file.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    suppress: Vec<Suppress>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Suppress {
    code: String,
    #[serde(default)]
    path: Option<String>,
    reason: String,
}

/// The configuration, checked: every code known, every reason given.
struct Settings {
    severity: BTreeMap<String, Option<LintSeverity>>,
    suppress: Vec<(String, Option<globset::GlobMatcher>, String)>,
}

fn load_config(path: Option<&Path>) -> Result<Settings, String> {
    let mut s = Settings {
        severity: BTreeMap::new(),
        suppress: Vec::new(),
    };
    let Some(path) = path else { return Ok(s) };
    let shown = display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config `{shown}`: {e}"))?;
    let cfg: Config = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|sp| {
                let loc = Source::new(&shown, text.clone()).locate(policy_core::Span::new(sp.start, sp.end));
                format!("{}:{}: ", loc.line, loc.column)
            })
            .unwrap_or_default();
        format!("invalid config `{shown}`: {at}{}", e.message())
    })?;
    for (code, sev) in cfg.severity {
        if let Some(why) = retired(&code) {
            eprintln!("warning: config `{shown}`: [severity] names `{code}`, which is no longer raised: {why}");
            continue;
        }
        if rule(&code).is_none() {
            return Err(format!("config `{shown}`: [severity] names unknown code `{code}`"));
        }
        let level = if sev == "off" {
            None
        } else {
            Some(LintSeverity::parse(&sev).ok_or_else(|| {
                format!("config `{shown}`: severity `{sev}` for `{code}`: expected error, security-warning, warning, suggestion or off")
            })?)
        };
        s.severity.insert(code, level);
    }
    for sup in cfg.suppress {
        if let Some(why) = retired(&sup.code) {
            eprintln!(
                "warning: config `{shown}`: [[suppress]] names `{}`, which is no longer raised: {why}",
                sup.code
            );
            continue;
        }
        if rule(&sup.code).is_none() {
            return Err(format!(
                "config `{shown}`: [[suppress]] names unknown code `{}`",
                sup.code
            ));
        }
        if sup.reason.trim().is_empty() {
            return Err(format!(
                "config `{shown}`: [[suppress]] of `{}` needs a `reason`",
                sup.code
            ));
        }
        let glob = match &sup.path {
            Some(p) => Some(
                globset::GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("config `{shown}`: [[suppress]] path `{p}`: {e}"))?
                    .compile_matcher(),
            ),
            None => None,
        };
        s.suppress.push((sup.code, glob, sup.reason));
    }
    Ok(s)
}

impl Settings {
    /// Applies overrides and suppressions; returns the findings to report.
    fn apply(&self, report: &mut LintReport, min: LintSeverity) {
        let file = report.file.clone();
        report.findings.retain_mut(|f| {
            if let Some(over) = self.severity.get(f.code) {
                match over {
                    Some(s) => f.severity = *s,
                    None => return false,
                }
            }
            let suppressed = self
                .suppress
                .iter()
                .any(|(code, glob, _)| code == f.code && glob.as_ref().is_none_or(|g| g.is_match(&file)));
            !suppressed && f.severity >= min
        });
    }

    fn severity_of(&self, r: &Rule) -> Option<LintSeverity> {
        match self.severity.get(r.code) {
            Some(s) => *s,
            None => Some(r.severity),
        }
    }
}

// ---------------------------------------------------------------------------------
// Inputs.

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

fn candidate(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "yaml" | "yml" | "template")
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let p = e.path();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type()?.is_dir() {
            if name != "target" && name != "node_modules" {
                walk(&p, out)?;
            }
        } else if candidate(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// One input: its display name and where to read it.
enum Input {
    Stdin,
    /// A file; `explicit` when named directly (linted whatever it holds).
    File(PathBuf, bool),
}

fn collect(paths: &[String]) -> (Vec<Input>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        if path.is_file() {
            inputs.push(Input::File(path.to_path_buf(), true));
        } else if path.is_dir() {
            let mut files = Vec::new();
            match walk(path, &mut files) {
                Ok(()) => inputs.extend(files.into_iter().map(|f| Input::File(f, false))),
                Err(e) => errors.push(format!("cannot read directory `{p}`: {e}")),
            }
        } else if is_glob(p) {
            let glob = match globset::GlobBuilder::new(p).literal_separator(true).build() {
                Ok(g) => g.compile_matcher(),
                Err(e) => {
                    errors.push(format!("invalid glob `{p}`: {e}"));
                    continue;
                }
            };
            // Walk from the longest literal directory prefix.
            let literal: PathBuf = path
                .components()
                .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
                .collect();
            let base = if literal.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                literal
            };
            let mut files = Vec::new();
            if let Err(e) = walk(&base, &mut files) {
                errors.push(format!("cannot read directory `{}`: {e}", base.display()));
                continue;
            }
            let matched: Vec<PathBuf> = files
                .into_iter()
                .filter(|f| glob.is_match(f) || glob.is_match(f.strip_prefix("./").unwrap_or(f)))
                .collect();
            if matched.is_empty() {
                errors.push(format!("no files match `{p}`"));
            }
            inputs.extend(matched.into_iter().map(|f| Input::File(f, true)));
        } else {
            errors.push(format!("cannot read `{p}`: no such file or directory"));
        }
    }
    (inputs, errors)
}

/// Whether a file found by a directory walk holds a policy or a template.
fn worth_linting(name: &str, text: &str) -> bool {
    match detect(name, text) {
        DocumentKind::Policy => text.contains("\"Statement\""),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------
// Running.

/// Runs `lint`; returns the exit code.
pub fn run(a: LintArgs) -> u8 {
    let settings = match load_config(a.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    let (inputs, mut errors) = collect(&a.paths);
    let min = a.min_severity.core();
    let ty = a.ty.map(TypeArg::core);
    // Read in order (standard input at most once), then lint on all cores; the
    // reports keep the order of the inputs.
    let mut sources = Vec::new();
    for input in inputs {
        let (name, text, explicit) = match input {
            Input::Stdin => {
                let mut s = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                    errors.push(format!("cannot read standard input: {e}"));
                    continue;
                }
                ("<stdin>".to_string(), s, true)
            }
            Input::File(p, explicit) => match std::fs::read_to_string(&p) {
                Ok(s) => (display_path(&p), s, explicit),
                Err(e) => {
                    errors.push(format!("cannot read `{}`: {e}", display_path(&p)));
                    continue;
                }
            },
        };
        if !explicit && !worth_linting(&name, &text) {
            continue;
        }
        sources.push(Source::new(name, text));
    }
    let reports: Vec<LintReport> = {
        use rayon::prelude::*;
        sources
            .par_iter()
            .map(|src| {
                let mut rs = lint_document(src, ty);
                for r in &mut rs {
                    settings.apply(r, min);
                }
                rs
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect()
    };
    let stdout = std::io::stdout();
    let mut o = std::io::BufWriter::new(stdout.lock());
    let written = match a.format {
        LintFormat::Human => human(&mut o, &reports, std::io::stdout().is_terminal()),
        LintFormat::Json => json(&mut o, &reports),
        LintFormat::Sarif => serde_json::to_string_pretty(&sarif(&reports, &settings))
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(o, "{s}")),
        LintFormat::Github => github(&mut o, &reports),
    };
    let written = written.and_then(|()| o.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
            return EXIT_INPUT;
        }
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    if !errors.is_empty() {
        EXIT_INPUT
    } else if reports.iter().any(|r| !r.findings.is_empty()) {
        EXIT_FINDINGS
    } else {
        0
    }
}

fn full_path(r: &LintReport, f: &Finding) -> String {
    match (r.pointer.is_empty(), f.path.is_empty()) {
        (true, _) => f.path.clone(),
        (false, true) => r.pointer.clone(),
        (false, false) => format!("{}.{}", r.pointer, f.path),
    }
}

fn counts(reports: &[LintReport]) -> BTreeMap<LintSeverity, usize> {
    let mut c = BTreeMap::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        *c.entry(f.severity).or_insert(0) += 1;
    }
    c
}

fn human(o: &mut impl std::io::Write, reports: &[LintReport], _tty: bool) -> std::io::Result<()> {
    for r in reports {
        if r.findings.is_empty() {
            continue;
        }
        if let Some(why) = &r.inferred {
            let at = if r.pointer.is_empty() {
                r.file.clone()
            } else {
                format!("{} ({})", r.file, r.pointer)
            };
            writeln!(o, "note: {at}: {why}")?;
        }
        for f in &r.findings {
            let mut shown = f.clone();
            shown.path = full_path(r, f);
            let mut text = shown.render(r.source());
            if let Some(n) = &f.location_note {
                let pad = " ".repeat(f.line.to_string().len());
                text.push_str(&format!(
                    "{pad} = note: the exact place inside the policy is unknown; pointing at {n}\n"
                ));
            }
            writeln!(o, "{text}")?;
        }
    }
    let c = counts(reports);
    let files: std::collections::BTreeSet<&str> = reports.iter().map(|r| r.file.as_str()).collect();
    let parts: Vec<String> = LintSeverity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            c.get(s)
                .map(|n| format!("{n} {}{}", s.as_str(), if *n == 1 { "" } else { "s" }))
        })
        .collect();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let scope = format!(
        "{} ({})",
        plural(reports.len(), "policy", "policies"),
        plural(files.len(), "file", "files")
    );
    if parts.is_empty() {
        writeln!(o, "no findings in {scope}")
    } else {
        writeln!(o, "{} in {scope}", parts.join(", "))
    }
}

/// The `--format json` document.
#[derive(Serialize)]
struct JsonOutput<'a> {
    reports: &'a [LintReport],
    summary: BTreeMap<&'static str, usize>,
}

fn json(o: &mut impl std::io::Write, reports: &[LintReport]) -> std::io::Result<()> {
    let c = counts(reports);
    let summary = LintSeverity::ALL
        .iter()
        .map(|s| (s.as_str(), c.get(s).copied().unwrap_or(0)))
        .collect();
    serde_json::to_writer_pretty(&mut *o, &JsonOutput { reports, summary }).map_err(std::io::Error::other)?;
    writeln!(o)
}

/// Escapes workflow command data (`%`, CR, LF) and, in properties, `:` and `,`.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

fn github(o: &mut impl std::io::Write, reports: &[LintReport]) -> std::io::Result<()> {
    for r in reports {
        for f in &r.findings {
            let level = match f.severity {
                LintSeverity::Error => "error",
                LintSeverity::SecurityWarning | LintSeverity::Warning => "warning",
                LintSeverity::Suggestion => "notice",
            };
            let path = full_path(r, f);
            let mut msg = format!("{} [{}]", f.message, f.severity.as_str());
            if let Some(h) = &f.help {
                msg.push_str(&format!("\nhelp: {h}"));
            }
            if !path.is_empty() {
                msg.push_str(&format!("\nat {path}"));
            }
            writeln!(
                o,
                "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                gh_escape(&r.file, true),
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                gh_escape(f.code, true),
                gh_escape(&msg, false)
            )?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// SARIF 2.1.0: the parts GitHub code scanning reads.
// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

#[derive(Debug, Serialize)]
struct Sarif {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Debug, Serialize)]
struct Text {
    text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help_uri: &'static str,
    help: Markdown,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Debug, Serialize)]
struct Markdown {
    text: String,
    markdown: String,
}

#[derive(Debug, Serialize)]
struct Configuration {
    level: &'static str,
    enabled: bool,
}

#[derive(Debug, Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

fn sarif_level(s: LintSeverity) -> &'static str {
    match s {
        LintSeverity::Error | LintSeverity::SecurityWarning => "error",
        LintSeverity::Warning => "warning",
        LintSeverity::Suggestion => "note",
    }
}

fn pascal(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn uri(file: &str) -> String {
    if file == "<stdin>" {
        return "stdin".into();
    }
    let path = file.replace('\\', "/").replace('%', "%25").replace(' ', "%20");
    // Relative paths stay relative (GitHub resolves them against the checkout); an
    // absolute path becomes a file URI.
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        path
    }
}

fn sarif(reports: &[LintReport], settings: &Settings) -> Sarif {
    let all = rules();
    let sarif_rules = all
        .iter()
        .map(|r| {
            let sev = settings.severity_of(r);
            let level = sev.map_or("none", sarif_level);
            let security = sev == Some(LintSeverity::SecurityWarning);
            SarifRule {
                id: r.code,
                name: pascal(r.code),
                short_description: Text {
                    text: r.summary.to_string(),
                },
                full_description: Text {
                    text: r.description.to_string(),
                },
                help_uri: r.url,
                help: Markdown {
                    text: format!("{}\n\nSource: {}", r.description, r.url),
                    markdown: format!(
                        "**{}**\n\n{}\n\nSource: [{}]({})",
                        r.summary, r.description, r.url, r.url
                    ),
                },
                default_configuration: Configuration {
                    level,
                    enabled: sev.is_some(),
                },
                properties: RuleProperties {
                    tags: if security { vec!["security", "iam"] } else { vec!["iam"] },
                    security_severity: security.then_some("7.5"),
                    precision: "high",
                    problem_severity: match sev {
                        Some(LintSeverity::Error) => "error",
                        Some(LintSeverity::SecurityWarning | LintSeverity::Warning) => "warning",
                        _ => "recommendation",
                    },
                },
            }
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        for f in &r.findings {
            let path = full_path(r, f);
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str(&format!(". Help: {h}"));
            }
            results.push(SarifResult {
                rule_id: f.code,
                rule_index: all.iter().position(|x| x.code == f.code).unwrap_or(0),
                level: sarif_level(f.severity),
                message: Text { text },
                locations: vec![SarifLocation {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: uri(&r.file) },
                        region: Region {
                            start_line: f.line.max(1),
                            start_column: f.column.max(1),
                            end_line: f.end_line.max(f.line).max(1),
                            end_column: f.end_column.max(1),
                        },
                    },
                    logical_locations: if path.is_empty() {
                        Vec::new()
                    } else {
                        vec![LogicalLocation {
                            fully_qualified_name: path,
                            kind: "element",
                        }]
                    },
                }],
            });
        }
    }
    Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "policy-sim",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri:
                        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                    rules: sarif_rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}
