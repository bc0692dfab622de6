//! Estates on the command line: `policy-sim estate summary`, and the `--estate` mode of
//! `eval` and `batch` (the snapshot is read once per process, its accounts in parallel).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use policy_core::estate::{self, Estate, EstateBuilder, EstateInfo, Layout, ManagedPolicies, Resolved, SnapshotSource};
use policy_core::{evaluate_with, Detail, EvalOptions, RequestDocument, Response};
use rayon::prelude::*;
use serde::Serialize;

use crate::loader::display_path;
use crate::{render, Format, EXIT_INPUT};

/// A snapshot folder on disk.
pub struct FsSnapshot {
    root: PathBuf,
    shown: String,
}

impl FsSnapshot {
    /// The snapshot in folder `root` (its files shown relative to the working folder).
    pub fn new(root: &Path) -> FsSnapshot {
        let shown = display_path(root);
        FsSnapshot {
            root: root.to_path_buf(),
            shown: if shown.is_empty() || shown.ends_with('/') {
                shown
            } else {
                shown + "/"
            },
        }
    }
}

impl SnapshotSource for FsSnapshot {
    fn read(&self, path: &str) -> Result<Option<String>, String> {
        match std::fs::read_to_string(self.root.join(path)) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn list(&self, path: &str) -> Result<Vec<String>, String> {
        let dir = self.root.join(path);
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(Vec::new())
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut names = Vec::new();
        for e in rd {
            let e = e.map_err(|e| e.to_string())?;
            names.push(e.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn display(&self, path: &str) -> String {
        format!("{}{path}", self.shown)
    }
}

/// `--layout`: how the snapshot's files are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LayoutArg {
    /// A folder of AWS CLI outputs (README, "Estates").
    AwsCli,
    /// The file store that iam-collect writes (`aws/<partition>/accounts/…`), or one
    /// partition's folder of it.
    IamCollect,
}

impl From<LayoutArg> for Layout {
    fn from(l: LayoutArg) -> Layout {
        match l {
            LayoutArg::AwsCli => Layout::AwsCli,
            LayoutArg::IamCollect => Layout::IamCollect,
        }
    }
}

/// How to read a snapshot: the options every command that reads one takes (`eval
/// --estate`, `batch --estate`, `estate summary`, `who-can`, `principal-can`,
/// `exposure`, `test`), defined once and flattened into each.
#[derive(Debug, Clone, Default, Args)]
#[group(skip)]
pub(crate) struct SnapshotArgs {
    /// A folder of AWS managed policy documents (`<PolicyName>.json`, e.g.
    /// `fixtures/corpus/managed`) for those the snapshot names but does not hold.
    #[arg(long, value_name = "DIR")]
    pub(crate) aws_managed_policies: Option<PathBuf>,
    /// How the snapshot's files are laid out (detected when not given).
    #[arg(long, value_enum)]
    pub(crate) layout: Option<LayoutArg>,
}

/// The ids of [`SnapshotArgs`]' options, for commands where they need `--estate`.
pub(crate) const SNAPSHOT_ARGS: [&str; 2] = ["aws_managed_policies", "layout"];

/// The options of every question over a snapshot (`who-can`, `exposure`,
/// `principal-can`), defined once and flattened into each.
#[derive(Debug, Args)]
#[group(skip)]
pub(crate) struct QuestionArgs {
    /// The estate snapshot folder (README, "Estates").
    #[arg(long, value_name = "SNAPSHOT")]
    pub(crate) estate: PathBuf,
    /// Request context fixed for every request, KEY=VALUE (repeat a key for several
    /// values); every other key the policies test and the estate does not determine is
    /// unknown.
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    pub(crate) context: Vec<String>,
    /// Leave `aws:CurrentTime` and `aws:EpochTime` unknown instead of the clock's.
    #[arg(long)]
    pub(crate) no_clock: bool,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

/// What a question over a snapshot starts from: the request context its `--context`
/// flags give (clock keys unless `--no-clock`), the snapshot (its warnings printed),
/// and how long loading took. Errors (printed): a bad `--context`, or as [`load`].
pub(crate) fn question_inputs(q: &QuestionArgs) -> Result<(policy_core::Context, Estate, std::time::Duration), u8> {
    let context = crate::context_flags(&q.context, !q.no_clock).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_INPUT
    })?;
    let started = std::time::Instant::now();
    let estate = load(&q.estate, &q.snapshot)?;
    print_warnings(&estate);
    Ok((context, estate, started.elapsed()))
}

/// Reads the snapshot in `dir` (accounts in parallel) as `o` says: in its `--layout`
/// (detected when not given), `--aws-managed-policies` filling in the AWS managed
/// policies the snapshot lacks.
/// Errors (printed): the folder does not exist or is not a snapshot.
pub(crate) fn load(dir: &Path, o: &SnapshotArgs) -> Result<Estate, u8> {
    let (managed, layout) = (o.aws_managed_policies.as_deref(), o.layout);
    if !dir.is_dir() {
        eprintln!("error: cannot read snapshot `{}`: not a folder", display_path(dir));
        return Err(EXIT_INPUT);
    }
    let src = FsSnapshot::new(dir);
    let layout = match layout.map(Layout::from).or_else(|| Layout::detect(&src)) {
        Some(l) => l,
        None => {
            eprintln!(
                "error: `{}` is not a snapshot: it has neither `organizations/` nor `accounts/` (the AWS CLI layout, README \"Estates\") nor `aws/<partition>/` (an iam-collect store)",
                display_path(dir)
            );
            return Err(EXIT_INPUT);
        }
    };
    if let Some(m) = managed {
        if !m.is_dir() {
            eprintln!(
                "error: cannot read `--aws-managed-policies {}`: not a folder",
                display_path(m)
            );
            return Err(EXIT_INPUT);
        }
    }
    let mut b = EstateBuilder::new();
    b.organization(layout.read_organization(&src));
    let ids = layout.account_ids(&src);
    let parts: Vec<_> = ids.par_iter().map(|id| layout.read_account(&src, id)).collect();
    for p in parts {
        b.add_account(p);
    }
    let managed_src = managed.map(FsSnapshot::new);
    let m = managed_src.as_ref().map(|s| ManagedPolicies { source: s });
    Ok(b.finish(m.as_ref()))
}

/// Hands the estate to the end of the process instead of dropping it: freeing a large
/// estate's millions of small values one by one takes longer than the operating
/// system's reclaiming the process's memory (about 5 % of `estate summary` on the
/// 100 x 1,000 benchmark, BENCHMARKS.md "Estates").
pub(crate) fn keep_until_exit(e: Estate) {
    std::mem::forget(e);
}

/// Prints the estate's warnings to standard error, one a line.
pub(crate) fn print_warnings(e: &Estate) {
    let mut err = std::io::stderr().lock();
    for w in e.warnings() {
        let _ = writeln!(err, "warning: {w}");
    }
}

#[derive(Debug, Args)]
pub struct EstateArgs {
    #[command(subcommand)]
    command: EstateCommand,
}

#[derive(Debug, Subcommand)]
enum EstateCommand {
    /// What a snapshot holds (accounts, OUs, principals, policies, resources by kind) and
    /// every warning (unreadable files, policies that do not parse with file:line:column,
    /// unknown AWS managed policies, truncated outputs).
    ///
    /// Exit codes: 0 the snapshot loaded (warnings or not, unless --strict); 1 bad input
    /// (no such folder, not a snapshot; with --strict, any warning).
    Summary(SummaryArgs),
}

#[derive(Debug, Args)]
struct SummaryArgs {
    /// The snapshot folder (README, "Estates").
    snapshot: PathBuf,
    #[command(flatten)]
    options: SnapshotArgs,
    /// Any warning is an error (exit 1): unreadable files and policies, SCP and RCP
    /// levels the snapshot does not list (evaluated fail-closed).
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(a: EstateArgs) -> u8 {
    match a.command {
        EstateCommand::Summary(s) => summary(s),
    }
}

fn summary(a: SummaryArgs) -> u8 {
    let e = match load(&a.snapshot, &a.options) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let s = e.summary();
    keep_until_exit(e);
    let out = match a.format {
        Format::Json => match crate::pretty_json(&s) {
            Ok(out) => out,
            Err(code) => return code,
        },
        Format::Human => {
            let mut o = String::new();
            let _ = writeln!(o, "Snapshot {}", display_path(&a.snapshot));
            if let Some(org) = &s.organization {
                let _ = writeln!(
                    o,
                    "  organization {org}, management account {}",
                    s.management_account.as_deref().unwrap_or("unknown")
                );
            }
            let _ = writeln!(
                o,
                "  {} accounts ({} with IAM data), {} organizational units",
                s.accounts, s.accounts_collected, s.organizational_units
            );
            let _ = writeln!(o, "  {} users, {} groups, {} roles", s.users, s.groups, s.roles);
            let list = |m: &std::collections::BTreeMap<String, usize>| {
                m.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ")
            };
            let _ = writeln!(
                o,
                "  policies: {} ({} do not parse)",
                list(&s.policies),
                s.invalid_policies
            );
            let _ = writeln!(o, "  resources: {}", list(&s.resources));
            let _ = writeln!(o, "  VPC endpoints: {}", s.vpc_endpoints);
            if s.warnings.is_empty() {
                let _ = writeln!(o, "No warnings.");
            } else {
                let _ = writeln!(o, "\n{} warnings:", s.warnings.len());
                for w in &s.warnings {
                    let _ = writeln!(o, "  {w}");
                }
            }
            o
        }
    };
    if let Err(code) = crate::print_out(&out) {
        return code;
    }
    if a.strict && !s.warnings.is_empty() {
        eprintln!("error: --strict: the snapshot has {} warnings", s.warnings.len());
        return EXIT_INPUT;
    }
    0
}

/// The `--estate` options of `eval`.
pub(crate) struct EvalEstate<'a> {
    pub(crate) snapshot: &'a Path,
    pub(crate) options: &'a SnapshotArgs,
    /// `--session-tag K=V`.
    pub(crate) session_tags: &'a [String],
    /// The clock's keys the clock filled (those the request does not give, in any
    /// spelling): listed as derived.
    pub(crate) clock_keys: &'a [&'a str],
}

/// A response with the estate's part.
#[derive(Serialize)]
struct EstateResponse<'a> {
    #[serde(flatten)]
    response: &'a Response,
    estate: &'a EstateInfo,
}

/// `eval --estate`: resolves the request document's principal, action and resource
/// against the snapshot; the document's policies replace the estate's members they
/// give. Returns the response, the resolved request and the estate's part, or the exit
/// code of an error (printed).
pub(crate) fn eval(o: &EvalEstate<'_>, doc: &RequestDocument) -> Result<(Response, Resolved, EstateInfo), u8> {
    let est = load(o.snapshot, o.options)?;
    print_warnings(&est);
    let mut tags = Vec::new();
    for kv in o.session_tags {
        match kv.split_once('=') {
            Some((k, v)) => tags.push((k.to_string(), v.to_string())),
            None => {
                eprintln!("error: --session-tag `{kv}`: expected KEY=VALUE");
                return Err(EXIT_INPUT);
            }
        }
    }
    let mut resolver = est.resolver();
    let resolved = resolver
        .resolve_request(&doc.request, doc.policies.session.clone(), &tags)
        .map_err(|e| {
            eprintln!("error: {e}");
            EXIT_INPUT
        })?;
    let resolved = resolved.with_policies(&doc.policies);
    let ev = evaluate_with(
        resolved.policies(),
        resolved.request(),
        EvalOptions { near_misses: true },
    );
    let mut resp = Response::new(&ev, resolved.policies(), resolved.request(), doc.id.clone());
    resolved.relocate(&est, &mut resp);
    let mut info = resolved.info(&est);
    for key in o.clock_keys {
        if let Some(v) = resolved.request().context().get(&key.to_ascii_lowercase()) {
            info.derived_context.insert((*key).to_string(), v.to_vec());
        }
    }
    keep_until_exit(est);
    Ok((resp, resolved, info))
}

/// `eval --estate`'s output.
pub(crate) fn render_eval(
    resp: &Response,
    resolved: &Resolved,
    info: &EstateInfo,
    format: Format,
) -> Result<String, u8> {
    match format {
        Format::Json => crate::pretty_json(&EstateResponse {
            response: resp,
            estate: info,
        }),
        Format::Human => {
            let mut o = render::response(resp, resolved.request(), resolved.policies(), &[]);
            o.push_str(&human_info(info));
            Ok(o)
        }
    }
}

/// The estate's part for people.
fn human_info(info: &EstateInfo) -> String {
    let mut o = String::new();
    let entity = |e: &estate::FoundEntity| {
        let mut s = e.arn.clone();
        match (&e.kind, &e.account) {
            (Some(k), Some(a)) => {
                let _ = write!(s, " ({k} in {a})");
            }
            (None, Some(a)) => {
                let _ = write!(s, " (in {a})");
            }
            _ => {}
        }
        if !e.found {
            s.push_str(" — not in the snapshot");
        }
        s
    };
    let _ = writeln!(o, "\nEstate:");
    let _ = writeln!(o, "  principal: {}", entity(&info.principal));
    if let Some(r) = &info.resource {
        let _ = writeln!(o, "  resource: {}", entity(r));
    }
    if !info.policies.is_empty() {
        let _ = writeln!(o, "  policies found:");
        for p in &info.policies {
            let at = match (&p.file, p.line, p.column) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
                _ => String::new(),
            };
            let path = if p.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.path)
            };
            let _ = writeln!(o, "    {}: {} — {at}{path}", p.policy, p.name);
        }
    }
    if !info.derived_context.is_empty() {
        let _ = writeln!(o, "  derived context:");
        for (k, v) in &info.derived_context {
            let _ = writeln!(o, "    {k} = {}", v.join(", "));
        }
    }
    if !info.assumptions.is_empty() {
        let _ = writeln!(o, "  assumptions:");
        for a in &info.assumptions {
            let _ = writeln!(o, "    - {a}");
        }
    }
    o
}

/// Writes a batch line's answer for a resolved request: the core's JSON, with the
/// estate's part (`decision`: none; `brief`: the assumptions, when there are any;
/// `full`: all of it).
pub(crate) fn write_answer(
    est: &Estate,
    resolved: &Resolved,
    id: Option<&serde_json::Value>,
    detail: Detail,
    writer: &mut policy_core::ResponseWriter,
    out: &mut Vec<u8>,
) {
    let policies = resolved.policies();
    let req = resolved.request();
    if detail == Detail::Full {
        let ev = resolved.evaluate();
        let mut resp = Response::with_detail(&ev, policies, req, id.cloned(), detail);
        resolved.relocate(est, &mut resp);
        let info = resolved.info(est);
        let _ = serde_json::to_writer(
            &mut *out,
            &EstateResponse {
                response: &resp,
                estate: &info,
            },
        );
        return;
    }
    let ev = resolved.evaluate();
    let start = out.len();
    writer.write(&ev, policies, req, id, detail, out);
    let mut notes = resolved.assumptions().peekable();
    if detail == Detail::Decision || notes.peek().is_none() || out.len() <= start || out.last() != Some(&b'}') {
        return;
    }
    out.pop();
    out.extend_from_slice(b",\"estate\":{\"assumptions\":");
    let notes: Vec<&str> = notes.collect();
    let _ = serde_json::to_writer(&mut *out, &notes);
    out.extend_from_slice(b"}}");
}

/// What `batch --estate` shares between workers.
pub(crate) struct BatchEstate {
    pub(crate) estate: Estate,
    /// The clock's keys, under every line's context (empty with `--no-clock`).
    pub(crate) clock: policy_core::Context,
    /// Lines are read through the base document (`--base`): no fast path.
    pub(crate) has_base: bool,
}

impl BatchEstate {
    /// Loads the snapshot for `batch --estate` (errors printed).
    pub(crate) fn load(dir: &Path, options: &SnapshotArgs, clock: bool, has_base: bool) -> Result<BatchEstate, u8> {
        let estate = load(dir, options)?;
        print_warnings(&estate);
        let mut ctx = policy_core::Context::default();
        if clock {
            for (k, v) in crate::clock_values() {
                ctx.insert(k, vec![v]);
            }
        }
        Ok(BatchEstate {
            estate,
            clock: ctx,
            has_base,
        })
    }
}

/// A request the estate could not resolve, as an error of the line `src` (one JSON
/// object): at the member the error concerns when the line has it (`principal` for an
/// invalid principal, `action`, `resourceAccount` or the member an `invalid-value` names),
/// else at the line's start, with the error's own code.
fn resolve_error(e: &policy_core::RequestError, src: &policy_core::Source) -> policy_core::DocumentError {
    use policy_core::RequestError as E;
    let member = match e {
        E::InvalidPrincipal(_) => Some("principal"),
        E::InvalidAction(_) => Some("action"),
        E::InvalidAccount(_) => Some("resourceAccount"),
        E::Invalid { field, .. } => Some(*field),
        E::Missing(_) => None,
    };
    let members: std::collections::BTreeMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(src.text()).unwrap_or_default();
    let at = member.and_then(|m| {
        let raw = members.get(m)?;
        // `InvalidAccount` may name the estate's management account, not the line's.
        if let E::InvalidAccount(a) = e {
            if serde_json::from_str::<String>(raw.get()).ok().as_deref() != Some(a.as_str()) {
                return None;
            }
        }
        let offset = (raw.get().as_ptr() as usize).checked_sub(src.text().as_ptr() as usize)?;
        Some((m, src.locate(policy_core::Span::new(offset, offset))))
    });
    policy_core::DocumentError {
        code: e.code(),
        file: src.name().to_string(),
        line: at.as_ref().map_or(1, |(_, l)| l.line),
        column: at.as_ref().map_or(1, |(_, l)| l.column),
        path: at.map(|(m, _)| m.to_string()).unwrap_or_default(),
        message: e.to_string(),
        diagnostics: Vec::new(),
    }
}

/// What a `batch --estate` line is read with: the input's name, the base document, the
/// policy loader, the detail of the answers.
pub(crate) struct LineCx<'a> {
    pub(crate) name: &'a str,
    pub(crate) base: &'a policy_core::PartialDocument,
    pub(crate) loader: &'a crate::loader::FsLoader,
    pub(crate) detail: Detail,
}

/// Answers one `batch --estate` line into `out` (no newline): the plain form through
/// the resolver's fast path; any other line as a request document over the base, its
/// non-empty `policies` members replacing the estate's, each answer written by the
/// worker's `writer`. `false` for bad input (the `error` answer is written).
pub(crate) fn answer_line(
    be: &BatchEstate,
    resolver: &mut estate::Resolver<'_>,
    writer: &mut policy_core::ResponseWriter,
    line: &str,
    lineno: usize,
    cx: &LineCx<'_>,
    out: &mut Vec<u8>,
) -> bool {
    let (src_name, base, loader, detail) = (cx.name, cx.base, cx.loader, cx.detail);
    if !be.has_base {
        if let Some((id, resolved)) = resolver.read_line(line, &be.clock) {
            write_answer(&be.estate, &resolved, id.as_ref(), detail, writer, out);
            return true;
        }
    }
    let src = policy_core::Source::new(format!("{src_name}:{lineno}"), line);
    let mut l = loader.clone();
    let doc = policy_core::PartialDocument::parse(&src, &mut l).and_then(|d| d.over(base).finish(&src));
    match doc {
        Ok(doc) => match resolver.resolve_request(&doc.request, doc.policies.session.clone(), &[]) {
            Ok(r) => {
                let r = r.with_policies(&doc.policies);
                write_answer(&be.estate, &r, doc.id.as_ref(), detail, writer, out);
                true
            }
            Err(e) => {
                crate::batch::error_line(&resolve_error(&e, &src), src_name, line, lineno, out);
                false
            }
        },
        Err(e) => {
            crate::batch::error_line(&e, src_name, line, lineno, out);
            false
        }
    }
}
