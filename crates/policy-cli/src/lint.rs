//! `policy-sim lint`: validate policies (and the policies in CloudFormation templates
//! and Terraform plans) for CI, with human, JSON, SARIF and GitHub annotation output.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use policy_core::lint::embedded::{detect, DocumentKind};
use policy_core::lint::{lint_bytes, retired, rule, rules, security_severity, unreadable, Rule};
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
    /// The folder SARIF artifact URIs are relative to (default: the git repository
    /// holding the current folder, else the current folder). URIs are never absolute.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// List the files a directory walk skipped (not a policy or a template), on standard
    /// error.
    #[arg(long, short)]
    verbose: bool,
    /// Skip named files that hold no policy or template, as a directory walk does (for
    /// pre-commit, which names every changed `.json` file).
    #[arg(long)]
    only_policies: bool,
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
    /// Applies overrides and suppressions, keeping the findings to report; returns how
    /// many were suppressed (by `[[suppress]]` or an `off` severity) and how many fell
    /// below `min`.
    fn apply(&self, report: &mut LintReport, min: LintSeverity) -> (usize, usize) {
        let file = report.file.clone();
        let (mut suppressed, mut below) = (0, 0);
        report.findings.retain_mut(|f| {
            if let Some(over) = self.severity.get(f.code) {
                match over {
                    Some(s) => f.severity = *s,
                    None => {
                        suppressed += 1;
                        return false;
                    }
                }
            }
            if self
                .suppress
                .iter()
                .any(|(code, glob, _)| code == f.code && glob.as_ref().is_none_or(|g| g.is_match(&file)))
            {
                suppressed += 1;
                return false;
            }
            if f.severity < min {
                below += 1;
                return false;
            }
            true
        });
        (suppressed, below)
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

/// The candidate files under `dir`, in name order. A folder below `dir` that cannot be
/// read is an [`Input::Unreadable`] (a finding), not the end of the walk.
fn walk(dir: &Path, out: &mut Vec<Input>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let p = e.path();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            if name != "target" && name != "node_modules" {
                if let Err(err) = walk(&p, out) {
                    out.push(Input::Unreadable(p, err.to_string()));
                }
            }
        } else if candidate(&p) {
            out.push(Input::File(p, false));
        }
    }
    Ok(())
}

/// One input: its display name and where to read it.
enum Input {
    Stdin,
    /// A file; `explicit` when named directly (linted whatever it holds).
    File(PathBuf, bool),
    /// A folder found by a walk that could not be read, and why.
    Unreadable(PathBuf, String),
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
            if let Err(e) = walk(path, &mut inputs) {
                errors.push(format!("cannot read directory `{p}`: {e}"));
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
            let mut found = Vec::new();
            if let Err(e) = walk(&base, &mut found) {
                errors.push(format!("cannot read directory `{}`: {e}", base.display()));
                continue;
            }
            let before = inputs.len();
            for f in found {
                match f {
                    Input::File(f, _) if glob.is_match(&f) || glob.is_match(f.strip_prefix("./").unwrap_or(&f)) => {
                        inputs.push(Input::File(f, true));
                    }
                    u @ Input::Unreadable(..) => inputs.push(u),
                    _ => {}
                }
            }
            if inputs.len() == before {
                errors.push(format!("no files match `{p}`"));
            }
        } else {
            errors.push(format!("cannot read `{p}`: no such file or directory"));
        }
    }
    (inputs, errors)
}

/// Whether a file found by a directory walk holds a policy or a template (a file that
/// is not UTF-8 is linted: it gets a `not-utf8` finding).
fn worth_linting(name: &str, bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return true;
    };
    match detect(name, text) {
        DocumentKind::Policy => text.contains("\"Statement\""),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------
// Running.

/// What a run saw besides the reports: the counts the summaries give.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Tally {
    /// Findings a `[[suppress]]` entry or an `off` severity removed.
    suppressed: usize,
    /// Findings under `--min-severity`.
    below_min_severity: usize,
    /// Files a directory walk found and did not lint (not a policy or a template).
    skipped: Vec<String>,
}

/// Runs `lint`; returns the exit code.
pub fn run(a: LintArgs) -> u8 {
    let settings = match load_config(a.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    // Every path must exist (or match) before anything is linted or printed.
    let (inputs, errors) = collect(&a.paths);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        return EXIT_INPUT;
    }
    let min = a.min_severity.core();
    let ty = a.ty.map(TypeArg::core);
    let mut tally = Tally::default();
    // Read in order (standard input at most once), then lint on all cores; the
    // reports keep the order of the inputs. A file that cannot be read, or is not
    // UTF-8, is a finding for that file.
    enum Read {
        Bytes(String, Vec<u8>),
        Failed(String, String),
    }
    let mut read = Vec::new();
    for input in inputs {
        let (name, bytes, explicit) = match input {
            Input::Stdin => {
                let mut b = Vec::new();
                if let Err(e) = std::io::stdin().read_to_end(&mut b) {
                    read.push(Read::Failed("<stdin>".into(), e.to_string()));
                    continue;
                }
                ("<stdin>".to_string(), b, true)
            }
            Input::Unreadable(p, why) => {
                read.push(Read::Failed(display_path(&p), why));
                continue;
            }
            Input::File(p, explicit) => match std::fs::read(&p) {
                Ok(b) => (display_path(&p), b, explicit),
                Err(e) => {
                    read.push(Read::Failed(display_path(&p), e.to_string()));
                    continue;
                }
            },
        };
        if (!explicit || a.only_policies) && !worth_linting(&name, &bytes) {
            tally.skipped.push(name);
            continue;
        }
        read.push(Read::Bytes(name, bytes));
    }
    let (reports, counts): (Vec<Vec<LintReport>>, Vec<(usize, usize)>) = {
        use rayon::prelude::*;
        read.into_par_iter()
            .map(|r| {
                let mut rs = match r {
                    Read::Bytes(name, bytes) => lint_bytes(&name, bytes, ty),
                    Read::Failed(name, message) => vec![unreadable(&name, &message)],
                };
                let mut n = (0, 0);
                for r in &mut rs {
                    let (s, b) = settings.apply(r, min);
                    n = (n.0 + s, n.1 + b);
                }
                (rs, n)
            })
            .unzip()
    };
    let reports: Vec<LintReport> = reports.into_iter().flatten().collect();
    for (s, b) in counts {
        tally.suppressed += s;
        tally.below_min_severity += b;
    }
    if a.verbose {
        for f in &tally.skipped {
            eprintln!("skipped `{f}`: not a policy or a template");
        }
    }
    let stdout = std::io::stdout();
    let mut o = std::io::BufWriter::new(stdout.lock());
    let written = match a.format {
        LintFormat::Human => human(&mut o, &reports, &tally, a.verbose),
        LintFormat::Json => json(&mut o, &reports, &tally),
        LintFormat::Sarif => {
            let root = sarif_root(a.root.as_deref());
            serde_json::to_string_pretty(&sarif(&reports, &settings, &root))
                .map_err(std::io::Error::other)
                .and_then(|s| writeln!(o, "{s}"))
        }
        LintFormat::Github => github(&mut o, &reports),
    };
    let written = written.and_then(|()| o.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
            return EXIT_INPUT;
        }
    }
    if reports.iter().any(|r| !r.findings.is_empty()) {
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

fn human(o: &mut impl std::io::Write, reports: &[LintReport], tally: &Tally, verbose: bool) -> std::io::Result<()> {
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
        for f in r.findings.iter().take(crate::MAX_DIAGNOSTICS_SHOWN) {
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
        if let Some(rest) = r
            .findings
            .len()
            .checked_sub(crate::MAX_DIAGNOSTICS_SHOWN)
            .filter(|n| *n > 0)
        {
            writeln!(
                o,
                "… and {rest} more finding{} in {} not shown (`--format json` lists every one)\n",
                if rest == 1 { "" } else { "s" },
                r.file
            )?;
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
    let mut extra = Vec::new();
    if tally.suppressed > 0 {
        extra.push(format!("{} suppressed by the config", tally.suppressed));
    }
    if tally.below_min_severity > 0 {
        extra.push(format!("{} below --min-severity", tally.below_min_severity));
    }
    if !tally.skipped.is_empty() {
        extra.push(format!(
            "{} skipped (not a policy or a template{})",
            plural(tally.skipped.len(), "file", "files"),
            if verbose { "" } else { "; --verbose lists them" }
        ));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!("; {}", extra.join(", "))
    };
    if parts.is_empty() {
        writeln!(o, "no findings in {scope}{extra}")
    } else {
        writeln!(o, "{} in {scope}{extra}", parts.join(", "))
    }
}

/// The `--format json` document.
#[derive(Serialize)]
struct JsonOutput<'a> {
    reports: &'a [LintReport],
    /// Reported findings per severity.
    summary: BTreeMap<&'static str, usize>,
    /// Suppressed and filtered findings, skipped files.
    #[serde(flatten)]
    tally: &'a Tally,
}

fn json(o: &mut impl std::io::Write, reports: &[LintReport], tally: &Tally) -> std::io::Result<()> {
    let c = counts(reports);
    let summary = LintSeverity::ALL
        .iter()
        .map(|s| (s.as_str(), c.get(s).copied().unwrap_or(0)))
        .collect();
    serde_json::to_writer_pretty(
        &mut *o,
        &JsonOutput {
            reports,
            summary,
            tally,
        },
    )
    .map_err(std::io::Error::other)?;
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

use crate::sarif::*;

fn sarif_level(s: LintSeverity) -> &'static str {
    match s {
        LintSeverity::Error | LintSeverity::SecurityWarning => "error",
        LintSeverity::Warning => "warning",
        LintSeverity::Suggestion => "note",
    }
}

/// A finding's identity across commits: its code, file, place in the policy
/// (template pointer and JSON path) and the text it points at, whitespace removed,
/// then how many earlier findings of the same file had that identity. Line numbers
/// are left out, so the alert survives edits above it.
fn fingerprint(uri: &str, r: &LintReport, f: &Finding, seen: &mut BTreeMap<u64, usize>) -> String {
    let text: String = r
        .source()
        .slice(f.span)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let base = fnv1a(&[f.code, uri, &r.pointer, &f.path, &text]);
    let n = seen.entry(base).or_insert(0);
    *n += 1;
    format!("{base:016x}:{n}")
}

fn sarif(reports: &[LintReport], settings: &Settings, root: &Path) -> Sarif {
    let all = rules();
    let sarif_rules = all
        .iter()
        .map(|r| {
            let sev = settings.severity_of(r);
            let level = sev.map_or("none", sarif_level);
            let security_severity = sev.and(security_severity(r.code));
            let security = security_severity.is_some();
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
                    security_severity,
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
    let mut seen: BTreeMap<String, BTreeMap<u64, usize>> = BTreeMap::new();
    for r in reports {
        let file_uri = uri(&r.file, root);
        for f in &r.findings {
            let id = fingerprint(&file_uri, r, f, seen.entry(file_uri.clone()).or_default());
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
                        artifact_location: ArtifactLocation {
                            uri: file_uri.clone(),
                            uri_base_id: Some("%SRCROOT%"),
                        },
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
                partial_fingerprints: BTreeMap::from([("policySim/v1", id)]),
            });
        }
    }
    Sarif::policy_sim(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
        sarif_rules,
        results,
    )
}
