//! The commands of the `policy-sim` binary.
//!
//! Exit codes (no decision shares a code with an error):
//! - `eval`: 0 Allow, 2 ExplicitDeny, 3 ImplicitDeny, 8 AllowIf (`--discover`); with
//!   `--expect`, 0 when the decision is the expected one and 4 when it is not; 1 for bad
//!   input.
//! - every command: 64 for a usage error (an unknown flag, a bad flag value such as
//!   `--expect deny`), as `sysexits.h`'s `EX_USAGE`.
//! - `batch`: 0 when every line was evaluated, 1 when some line (or the base document)
//!   was bad input (those lines carry an `error` member; the others are answered).
//! - `lint`: 0 when no finding is at or above `--min-severity`, 5 when some is, 1 for
//!   bad input (a path that does not exist or cannot be read, no file matching a glob,
//!   an invalid `--config` file). An invalid policy is a finding (`Error`), not bad
//!   input.
//! - `test`: 0 when every test passed, 6 when some test failed, 7 when every test
//!   passed but statement coverage is below `--coverage-min`, 1 for bad input (a suite
//!   that does not parse, with file, line and column; a path that does not exist; an
//!   output file that cannot be written).

mod batch;
mod estate;
mod eval;
mod exposure;
mod lint;
mod loader;
mod principal_can;
mod render;
mod sarif;
mod test_cmd;
mod who_can;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use lint::EXIT_FINDINGS;
pub use loader::FsLoader;
pub use test_cmd::{EXIT_COVERAGE_LOW, EXIT_TESTS_FAILED};

/// Exit code for bad input.
pub const EXIT_INPUT: u8 = 1;
/// Exit code for a usage error (unknown flag, bad flag value), `sysexits.h`'s
/// `EX_USAGE`: no decision or finding uses it.
pub const EXIT_USAGE: u8 = 64;
/// Exit code of `eval` for an explicit deny.
pub const EXIT_EXPLICIT_DENY: u8 = 2;
/// Exit code of `eval` for an implicit deny.
pub const EXIT_IMPLICIT_DENY: u8 = 3;
/// Exit code of `eval --expect` when the decision is not the expected one.
pub const EXIT_UNEXPECTED: u8 = 4;
/// Exit code of `eval --discover` for `AllowIf` (allowed under some values of the
/// unknown condition keys).
pub const EXIT_ALLOW_IF: u8 = 8;

/// Most diagnostics (or lint findings) printed for one document; the rest are counted
/// (`… and 4950 more errors`), so that output stays bounded whatever the input. `lint
/// --format json|sarif|github` list every finding.
pub const MAX_DIAGNOSTICS_SHOWN: usize = 50;

/// policy-sim: would this AWS request be allowed, and why not? Decides requests offline
/// with AWS's authorization logic (identity, resource, boundary, session, SCP, RCP and
/// VPC endpoint policies).
#[derive(Debug, Parser)]
#[command(name = "policy-sim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide one request and explain the decision.
    ///
    /// Exit codes: 0 Allow, 2 ExplicitDeny, 3 ImplicitDeny, 8 AllowIf (--discover), 1 bad
    /// input, 64 usage error (unknown flag, bad flag value). With --expect: 0 when the
    /// decision is the expected one, 4 when not, 1 bad input, 64 usage error.
    Eval(Box<eval::EvalArgs>),
    /// Decide request documents given as JSON Lines, one JSON response per line, in
    /// order, on all cores.
    ///
    /// Each line is a request document; with --base, every line inherits the base
    /// document's members (typically the policies) and may override them. A policy
    /// file is read and parsed once per batch. A bad line gets an `error` response and
    /// does not stop the batch: `{"id"?, "error": {"code", "message", "file", "line",
    /// "column", "path", "diagnostics"}}`, with the line's `id` when it has one. Blank
    /// lines are skipped (no response; line numbers still count them). Exit codes: 0 all
    /// lines answered, 1 some line was bad input, 64 usage error.
    Batch(batch::BatchArgs),
    /// Validate policies for CI: IAM Access Analyzer's checks, offline.
    ///
    /// Lints policy files, the policies in CloudFormation templates (JSON, YAML) and
    /// Terraform plans (`terraform show -json`), directories and globs. Every finding has
    /// a code, a severity (error, security-warning, warning, suggestion), a message, the
    /// fix, and file:line:column with the JSON path. Exit codes: 0 no finding at or above
    /// --min-severity, 5 some finding at or above it, 1 bad input (a path that cannot be
    /// read, a glob matching nothing, an invalid --config), 64 usage error.
    Lint(lint::LintArgs),
    /// Estate snapshots: folders of AWS CLI outputs describing an organization
    /// (README, "Estates"); `eval --estate` and `batch --estate` decide requests against
    /// them.
    Estate(estate::EstateArgs),
    /// Who can act on a resource of an estate: every user and role (and every grantee
    /// outside the estate the resource's policy names) allowed each action, with the
    /// condition on the request context under which it is (partial evaluation).
    ///
    /// Keys the estate determines (principal and resource facts, tags, organization
    /// paths) are known; every other key the policies test is unknown, unless --context
    /// fixes it. Exit codes: 0 answered, 1 bad input, 64 usage error.
    WhoCan(who_can::WhoCanArgs),
    /// What each resource of an estate with a resource-based policy (buckets, keys,
    /// queues, topics, functions, secrets, roles' trust policies) grants outside its
    /// account: to other accounts of the organization, outside the organization, to AWS
    /// services, to everyone — a finding per resource and grantee with actions,
    /// conditions and a witness request `eval --estate` allows (IAM Access Analyzer's
    /// external access findings, offline).
    ///
    /// Exit codes: 0 answered (5 with --fail-on when some finding is of that scope or
    /// wider), 1 bad input, 64 usage error.
    Exposure(exposure::ExposureArgs),
    /// What a principal of an estate can do: each action on each resource of the
    /// snapshot (`*` for actions without resource types), by service and access level,
    /// with the condition under which it is allowed; --policy prints it as one
    /// synthesized identity-based policy.
    ///
    /// Exit codes: 0 answered, 1 bad input (the principal is not in the snapshot), 64
    /// usage error.
    PrincipalCan(principal_can::PrincipalCanArgs),
    /// Run policy test suites for CI: requests with the decisions they must get, and
    /// statement coverage.
    ///
    /// A suite (YAML or JSON) names its policies as a request document does and lists
    /// tests: principal, action, resource, context and the expected outcome (`Allow`,
    /// `Deny`, `ExplicitDeny`, `ImplicitDeny`, optionally the deciding statement's `Sid`
    /// and the policy type that must block); lists of principals, actions or resources
    /// run every combination. Failures print the expectation and the explanation `eval`
    /// prints, and the run closes with `N passed, N failed`. Exit codes: 0 every test
    /// passed, 6 some test failed, 7 statement coverage below --coverage-min, 1 bad
    /// input (a suite that does not parse, each error with file:line:column; a path that
    /// does not exist; an output that cannot be written), 64 usage error.
    Test(test_cmd::TestArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// The response as one JSON object.
    Json,
}

/// Runs the command; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Eval(a) => eval::run(*a),
        Command::Batch(a) => batch::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Estate(a) => estate::run(a),
        Command::WhoCan(a) => who_can::run(a),
        Command::Exposure(a) => exposure::run(a),
        Command::PrincipalCan(a) => principal_can::run(a),
        Command::Test(a) => test_cmd::run(a),
    }
}

/// Resolves `p` against the working folder.
pub(crate) fn absolute(p: &std::path::Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// The context keys the CLI fills from the clock (the core never reads it).
pub(crate) const CLOCK_KEYS: [&str; 2] = ["aws:CurrentTime", "aws:EpochTime"];

/// [`CLOCK_KEYS`] now: `aws:CurrentTime` (ISO 8601, UTC) and `aws:EpochTime` (seconds).
pub(crate) fn clock_values() -> [(&'static str, String); 2] {
    let now = chrono::Utc::now();
    let [current, epoch] = CLOCK_KEYS;
    [
        (current, now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        (epoch, now.timestamp().to_string()),
    ]
}

/// The request context `--context KEY=VALUE` flags give (a key repeated: several
/// values), with the clock's `aws:CurrentTime` and `aws:EpochTime` when `clock`.
///
/// Errors: a flag without `=`.
/// Writes `out` to standard output and flushes it; `Err(EXIT_INPUT)` when it cannot be
/// written (a closed pipe, a full disk).
pub(crate) fn print_out(out: &str) -> Result<(), u8> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|_| EXIT_INPUT)
}

/// Prints a question's answer (`out`, or the exit code of its failure) over `estate`,
/// which is not freed: the process ends next, and freeing a large estate piece by piece
/// would only add time.
pub(crate) fn print_answer(out: Result<String, u8>, estate: policy_core::estate::Estate) -> Result<(), u8> {
    let written = out.and_then(|out| print_out(&out));
    std::mem::forget(estate);
    written
}

pub(crate) fn context_flags(flags: &[String], clock: bool) -> Result<policy_core::Context, String> {
    let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
    for kv in flags {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--context `{kv}`: expected KEY=VALUE"))?;
        match pairs.iter_mut().find(|(x, _)| x.eq_ignore_ascii_case(k)) {
            Some((_, vals)) => vals.push(v.to_string()),
            None => pairs.push((k.to_string(), vec![v.to_string()])),
        }
    }
    if clock {
        for (k, v) in clock_values() {
            if !pairs.iter().any(|(x, _)| x.eq_ignore_ascii_case(k)) {
                pairs.push((k.to_string(), vec![v]));
            }
        }
    }
    let mut ctx = policy_core::Context::default();
    for (k, v) in pairs {
        ctx.insert(&k, v);
    }
    Ok(ctx)
}

/// A document holding only the clock's `aws:CurrentTime` and `aws:EpochTime`, to lay
/// requests over.
pub(crate) fn clock_document() -> policy_core::PartialDocument {
    let context: serde_json::Map<String, serde_json::Value> = clock_values()
        .into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
        .collect();
    let text = serde_json::json!({ "context": context }).to_string();
    policy_core::PartialDocument::parse(&policy_core::Source::new("<clock>", text), &mut policy_core::NoFiles)
        .unwrap_or_default()
}

/// `value` as pretty-printed JSON and a newline, for a command's whole output; when it
/// cannot be serialized (a map with non-string keys, a failing `Serialize`), the error is
/// printed on standard error and the result is [`EXIT_INPUT`], so that a command never
/// writes an empty answer and exits 0.
pub(crate) fn pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, u8> {
    serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(|e| {
        eprintln!("error: cannot write the JSON output: {e}");
        EXIT_INPUT
    })
}

/// An input error as JSON: `{"id"?, "error": {"code", "message", "file", "line",
/// "column", "path", "diagnostics"}}` (`id` when the input had one), what `batch`
/// writes for a bad line and `eval --format json` prints for bad input.
#[expect(clippy::too_many_arguments, reason = "one argument per member of the error object")]
pub(crate) fn error_json(
    id: Option<serde_json::Value>,
    code: &str,
    message: &str,
    file: &str,
    line: usize,
    column: u32,
    path: &str,
    diagnostics: &[policy_core::Diagnostic],
) -> String {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        code: &'a str,
        message: &'a str,
        file: &'a str,
        line: usize,
        column: u32,
        path: &'a str,
        diagnostics: Vec<String>,
        /// Diagnostics past [`MAX_DIAGNOSTICS_SHOWN`], counted.
        #[serde(rename = "moreDiagnostics", skip_serializing_if = "is_zero")]
        more_diagnostics: usize,
    }
    fn is_zero(n: &usize) -> bool {
        *n == 0
    }
    #[derive(serde::Serialize)]
    struct ErrorResponse<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
        error: Body<'a>,
    }
    let e = ErrorResponse {
        id,
        error: Body {
            code,
            message,
            file,
            line,
            column,
            path,
            diagnostics: diagnostics
                .iter()
                .take(MAX_DIAGNOSTICS_SHOWN)
                .map(ToString::to_string)
                .collect(),
            more_diagnostics: diagnostics.len().saturating_sub(MAX_DIAGNOSTICS_SHOWN),
        },
    };
    serde_json::to_string(&e).unwrap_or_default()
}

/// [`error_json`] of a [`policy_core::DocumentError`].
pub(crate) fn document_error_json(e: &policy_core::DocumentError, id: Option<serde_json::Value>) -> String {
    error_json(
        id,
        e.code,
        &e.message,
        &e.file,
        e.line as usize,
        e.column,
        &e.path,
        &e.diagnostics,
    )
}

/// Input that could not be used: a file that cannot be read, or a document error.
#[derive(Debug)]
pub(crate) enum InputError {
    /// `file` cannot be read.
    Read { file: String, message: String },
    /// The document is not a valid request document.
    Document(policy_core::DocumentError),
}

impl InputError {
    /// Reports the error: for people on standard error, or as JSON
    /// ([`error_json`]) on standard output. Returns [`EXIT_INPUT`].
    pub(crate) fn report(&self, format: Format) -> u8 {
        match (self, format) {
            (InputError::Read { file, message }, Format::Human) => {
                eprintln!("error: cannot read `{file}`: {message}");
            }
            (InputError::Document(e), Format::Human) => eprint!("{}", render::document_error(e)),
            (InputError::Read { file, message }, Format::Json) => println!(
                "{}",
                error_json(
                    None,
                    "unreadable-file",
                    &format!("cannot read `{file}`: {message}"),
                    file,
                    1,
                    1,
                    "",
                    &[]
                )
            ),
            (InputError::Document(e), Format::Json) => println!("{}", document_error_json(e, None)),
        }
        EXIT_INPUT
    }
}

/// Reads and parses the request document at `path` (`-`: standard input), its policy
/// paths resolved against its folder (the working folder for standard input).
pub(crate) fn read_document(
    path: &std::path::Path,
    loader: &FsLoader,
) -> Result<(policy_core::PartialDocument, std::sync::Arc<policy_core::Source>), InputError> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        loader::display_path(path)
    };
    let read = if stdin {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    let bytes = read.map_err(|e| InputError::Read {
        file: name.clone(),
        message: e.to_string(),
    })?;
    let text = policy_core::decode_utf8(&name, bytes).map_err(InputError::Document)?;
    let src = policy_core::Source::new(name, text);
    let dir = if stdin {
        std::env::current_dir().unwrap_or_default()
    } else {
        absolute(path)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    };
    policy_core::PartialDocument::parse(&src, &mut loader.with_base(&dir))
        .map(|d| (d, src))
        .map_err(InputError::Document)
}
