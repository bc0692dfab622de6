//! `policy-sim test`: policy test suites for CI, with statement coverage.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use policy_core::estate::Estate;
use policy_core::suite::{CaseResult, Coverage, Outcome, Suite, SuiteLoader};
use policy_core::{DocumentError, PartialDocument, PolicyLoader, Source};
use serde_json::{json, Value};

use crate::loader::{display_path, FsLoader};
use crate::{render, Format, EXIT_INPUT};

/// Exit code of `test` when some test failed.
pub const EXIT_TESTS_FAILED: u8 = 6;
/// Exit code of `test` when every test passed but statement coverage is below
/// `--coverage-min`.
pub const EXIT_COVERAGE_LOW: u8 = 7;

/// File names that directories are searched for.
const SUITE_SUFFIXES: [&str; 6] = [
    ".test.yaml",
    ".test.yml",
    ".test.json",
    "_test.yaml",
    "_test.yml",
    "_test.json",
];

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Suite files (YAML or JSON), or directories searched for `*.test.yaml`,
    /// `*.test.yml`, `*.test.json` (or `_test.` instead of `.test.`).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    paths: Vec<PathBuf>,
    /// Run only the tests whose name contains NAME (a quantified test's cases are named
    /// `name [principal, action]`).
    #[arg(long, value_name = "NAME")]
    filter: Option<String>,
    /// Output format: one line per test and the failures explained, or one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Report statement coverage: per policy file, the statements that decided at least
    /// one test and those that never did.
    #[arg(long)]
    coverage: bool,
    /// Write the coverage as JSON shaped like OPA's `opa test --coverage` to FILE.
    #[arg(long, value_name = "FILE")]
    coverage_json: Option<PathBuf>,
    /// Write the coverage as an LCOV tracefile to FILE (genhtml, Codecov).
    #[arg(long, value_name = "FILE")]
    lcov: Option<PathBuf>,
    /// Fail (exit 7) when fewer than PCT percent of the statements decided a test.
    #[arg(long, value_name = "PCT", value_parser = percent)]
    coverage_min: Option<f64>,
    /// Write each test's current outcome into its suite as its expectation (tests whose
    /// expectation holds are left alone); with --filter, only the matching tests.
    #[arg(long)]
    record: bool,
    /// Do not fill `aws:CurrentTime` and `aws:EpochTime` from the clock.
    #[arg(long)]
    no_clock: bool,
    /// For suites over an estate: how to read its snapshot, as `eval --estate` does.
    #[command(flatten)]
    snapshot: crate::estate::SnapshotArgs,
}

fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is not between 0 and 100"))
    }
}

/// Writes `bytes` to `path` whole or not at all: a temporary file in the same folder
/// (created when missing), renamed over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let shown = display_path(path);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    tmp.persist(path)
        .map(|_| ())
        .map_err(|e| format!("cannot write `{shown}`: {}", e.error))
}

/// The suite files named by `paths` (directories searched recursively), sorted within
/// each directory.
fn suite_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| SUITE_SUFFIXES.iter().any(|s| n.ends_with(s)))
            {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out).map_err(|e| format!("cannot read `{}`: {e}", display_path(p)))?;
            if out.len() == before {
                return Err(format!(
                    "`{}` holds no suite (files named `*.test.yaml`, `*.test.yml` or `*.test.json`)",
                    display_path(p)
                ));
            }
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("`{}` does not exist", display_path(p)));
        }
    }
    Ok(out)
}

/// What a suite reads: policies by path (relative to its folder; one cache for the
/// run) and estate snapshots (each read once for the run, however many suites name it).
#[derive(Clone)]
struct SuiteFiles {
    policies: FsLoader,
    dir: PathBuf,
    estates: Rc<RefCell<HashMap<PathBuf, Arc<Estate>>>>,
    /// `--aws-managed-policies`, `--layout`.
    snapshot: crate::estate::SnapshotArgs,
}

impl SuiteFiles {
    /// The same caches, for the suite in folder `dir`.
    fn at(&self, dir: &Path) -> SuiteFiles {
        SuiteFiles {
            policies: self.policies.with_base(dir),
            dir: dir.to_path_buf(),
            estates: self.estates.clone(),
            snapshot: self.snapshot.clone(),
        }
    }
}

impl SuiteLoader for SuiteFiles {
    fn policies(&mut self) -> &mut dyn PolicyLoader {
        &mut self.policies
    }

    fn estate(&mut self, path: &str) -> Result<Arc<Estate>, String> {
        let full = self.dir.join(path);
        let key = full.canonicalize().unwrap_or_else(|_| full.clone());
        if let Some(e) = self.estates.borrow().get(&key) {
            return Ok(e.clone());
        }
        // `estate::load` says what is wrong on standard error, as `eval --estate` does.
        let est = crate::estate::load(&full, &self.snapshot)
            .map_err(|_| format!("cannot read the estate snapshot `{}`", display_path(&full)))?;
        crate::estate::print_warnings(&est);
        let est = Arc::new(est);
        self.estates.borrow_mut().insert(key, est.clone());
        Ok(est)
    }
}

/// A suite read from its file.
struct Loaded {
    path: PathBuf,
    suite: Suite,
    /// What read its policies and estate (its folder).
    files: SuiteFiles,
}

/// Reads and parses every suite; all errors of all suites on failure.
fn load(files: &[PathBuf], env: &PartialDocument, loader: &SuiteFiles) -> Result<Vec<Loaded>, Vec<DocumentError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let shown = display_path(path);
        let text = match std::fs::read(path) {
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(e) => {
                    let bad = e.utf8_error().valid_up_to();
                    let src = Source::new(shown.clone(), String::from_utf8_lossy(e.as_bytes()).into_owned());
                    let loc = src.locate(policy_core::Span::new(bad, bad));
                    errors.push(DocumentError {
                        code: "not-utf8",
                        file: shown,
                        line: loc.line,
                        column: loc.column,
                        path: String::new(),
                        message: "the file is not valid UTF-8".into(),
                        diagnostics: Vec::new(),
                    });
                    continue;
                }
            },
            Err(e) => {
                errors.push(DocumentError {
                    code: "unreadable-file",
                    file: shown.clone(),
                    line: 1,
                    column: 1,
                    path: String::new(),
                    message: format!("cannot read `{shown}`: {e}"),
                    diagnostics: Vec::new(),
                });
                continue;
            }
        };
        let src = Source::new(shown, text);
        let dir = crate::absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut l = loader.at(&dir);
        match Suite::parse(&src, &mut l, env) {
            Ok(suite) => out.push(Loaded {
                path: path.clone(),
                suite,
                files: l,
            }),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Warns on standard error, once per test and message, about what the service catalog
/// does not know in the tests' requests: an action name with a typo would make a test
/// that expects a deny pass for the wrong reason.
fn catalog_warnings(loaded: &[Loaded], filter: Option<&str>) {
    for l in loaded {
        for t in &l.suite.tests {
            let mut seen: Vec<String> = Vec::new();
            let requests = t
                .cases
                .iter()
                .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
                .map(|c| policy_core::check_request(&c.document.request));
            let who_can = t
                .who_can
                .iter()
                .filter(|_| filter.is_none_or(|f| t.name.contains(f)))
                .map(|w| w.catalog_warnings());
            for warnings in requests.chain(who_can) {
                for w in warnings {
                    if seen.contains(&w.message) {
                        continue;
                    }
                    eprintln!(
                        "warning[{}]: {}:{}:{}: {} (test `{}`)",
                        w.kind.code(),
                        l.suite.source().name(),
                        t.location.line,
                        t.location.column,
                        w.message,
                        t.name
                    );
                    seen.push(w.message);
                }
            }
        }
    }
}

fn report_errors(errors: &[DocumentError], format: Format) -> u8 {
    match format {
        Format::Human => {
            for e in errors {
                eprint!("{}", render::document_error(e));
            }
            let n = errors.len();
            eprintln!(
                "error: {n} error{} in the suites: no test was run",
                if n == 1 { "" } else { "s" }
            );
        }
        Format::Json => {
            let list: Vec<Value> = errors
                .iter()
                .map(|e| {
                    json!({
                        "code": e.code, "message": e.message, "file": e.file, "line": e.line,
                        "column": e.column, "path": e.path,
                        "diagnostics": e.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!("{}", json!({ "errors": list }));
        }
    }
    EXIT_INPUT
}

/// The explanation of a failed case: what was expected, then exactly what `eval` (or
/// `eval --estate`) prints; for a who-can test, the principals unexpected or missing,
/// then exactly what `who-can` prints.
fn explain(l: &Loaded, r: &CaseResult) -> String {
    let why = r.failure.as_deref().unwrap_or_default();
    let response = match &r.outcome {
        Outcome::WhoCan(w) => return format!("{why}\n\n{}", crate::who_can::human(&w.answer)),
        Outcome::Response(resp) => resp,
    };
    let Some((_, case)) = l.suite.case_of(r) else {
        return String::new();
    };
    if let (Some(resolved), Some(est)) = (case.resolved(), l.suite.estate()) {
        let text = crate::estate::render_eval(response, resolved, &resolved.info(est), Format::Human);
        return format!("{why}\n\n{}", text.unwrap_or_default());
    }
    let doc = &case.document;
    let mut warnings = doc.warnings.clone();
    if let Ok(w) = l.files.policies.warnings.lock() {
        let names: Vec<&str> = case.policies().map(|p| p.source().name()).collect();
        warnings.extend(w.iter().filter(|d| names.contains(&d.source.name())).cloned());
    }
    format!(
        "{why}\n\n{}",
        render::response(response, &doc.request, &doc.policies, &warnings)
    )
}

fn junit(runs: &[(&Loaded, Vec<CaseResult>, Duration)]) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("policy-sim test");
    let mut total = Duration::ZERO;
    for (l, results, time) in runs {
        let mut ts = TestSuite::new(l.suite.name.as_str());
        ts.set_time(*time);
        total += *time;
        for r in results {
            let Some(test) = l.suite.test_of(r) else {
                continue;
            };
            let status = if r.passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                // The first line: a who-can test's lists each principal on a line of its
                // own, in the description.
                let failure = r.failure.as_deref().unwrap_or_default();
                s.set_message(failure.lines().next().unwrap_or_default());
                s.set_type(match r.outcome {
                    Outcome::Response(_) => "unexpected-decision",
                    Outcome::WhoCan(_) => "unexpected-principals",
                });
                s.set_description(explain(l, r));
                s
            };
            let mut tc = TestCase::new(l.suite.name_of(r), status);
            tc.set_classname(format!("{}:{}", l.suite.source().name(), test.location.line));
            ts.add_test_case(tc);
        }
        report.add_test_suite(ts);
    }
    report.set_time(total);
    report.to_string().map_err(|e| e.to_string())
}

fn record(loaded: &[Loaded], filter: Option<&str>, env: &PartialDocument) -> u8 {
    let mut code = 0;
    for l in loaded {
        let rec = l.suite.record(filter);
        let name = l.suite.source().name();
        if rec.text != l.suite.source().text() {
            // The new text must still be a valid suite before it replaces the old one.
            let src = Source::new(name, rec.text.clone());
            let mut files = l.files.clone();
            if let Err(errors) = Suite::parse(&src, &mut files, env) {
                for e in &errors {
                    eprint!("{}", render::document_error(e));
                }
                eprintln!("error: recording into `{name}` would break it: left unchanged");
                code = EXIT_INPUT;
                continue;
            }
            if let Err(e) = write_atomically(&l.path, rec.text.as_bytes()) {
                eprintln!("error: {e}");
                code = EXIT_INPUT;
                continue;
            }
        }
        println!(
            "{name}: {} expectation{} recorded, {} test{} split into cases, {} unchanged",
            rec.recorded,
            if rec.recorded == 1 { "" } else { "s" },
            rec.split,
            if rec.split == 1 { "" } else { "s" },
            rec.unchanged
        );
    }
    code
}

pub fn run(a: TestArgs) -> u8 {
    let files = match suite_files(&a.paths) {
        Ok(f) => f,
        Err(e) => {
            if a.format == Format::Json {
                println!(
                    "{}",
                    json!({"errors": [{"code": "unreadable-file", "message": e, "file": "", "line": 1, "column": 1, "path": "", "diagnostics": []}]})
                );
            } else {
                eprintln!("error: {e}");
            }
            return EXIT_INPUT;
        }
    };
    let env = if a.no_clock {
        PartialDocument::default()
    } else {
        crate::clock_document()
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let loader = SuiteFiles {
        policies: FsLoader::new(&cwd),
        dir: cwd,
        estates: Rc::default(),
        snapshot: a.snapshot.clone(),
    };
    let loaded = match load(&files, &env, &loader) {
        Ok(l) => l,
        Err(errors) => return report_errors(&errors, a.format),
    };
    let filter = a.filter.as_deref();
    if a.record {
        return record(&loaded, filter, &env);
    }

    catalog_warnings(&loaded, filter);
    let want_coverage = a.coverage || a.coverage_json.is_some() || a.lcov.is_some() || a.coverage_min.is_some();
    let mut coverage = Coverage::new();
    if want_coverage {
        for l in &loaded {
            coverage.add_suite(&l.suite);
        }
    }
    let mut runs = Vec::with_capacity(loaded.len());
    for l in &loaded {
        let start = Instant::now();
        let results = l.suite.run(filter, want_coverage.then_some(&mut coverage));
        runs.push((l, results, start.elapsed()));
    }
    let passed = runs.iter().flat_map(|r| &r.1).filter(|r| r.passed).count();
    let failed = runs.iter().flat_map(|r| &r.1).filter(|r| !r.passed).count();

    let out = match a.format {
        Format::Human => human(&runs, want_coverage.then_some(&coverage), a.coverage, passed, failed),
        Format::Json => {
            let mut v = json_report(&runs, passed, failed);
            if let (true, Value::Object(m)) = (want_coverage, &mut v) {
                m.insert("coverage".into(), coverage.to_opa_json());
            }
            match crate::pretty_json(&v) {
                Ok(s) => s,
                Err(code) => return code,
            }
        }
    };
    if let Err(code) = crate::print_out(&out) {
        return code;
    }
    if passed + failed == 0 {
        eprintln!(
            "warning: no test {}",
            match filter {
                Some(f) => format!("has a name containing `{f}`"),
                None => "in the suites".to_string(),
            }
        );
    }

    let mut outputs: Vec<(&PathBuf, String)> = Vec::new();
    if let Some(p) = &a.junit {
        match junit(&runs) {
            Ok(x) => outputs.push((p, x)),
            Err(e) => {
                eprintln!("error: cannot write the JUnit report: {e}");
                return EXIT_INPUT;
            }
        }
    }
    if let Some(p) = &a.coverage_json {
        outputs.push((p, format!("{:#}\n", coverage.to_opa_json())));
    }
    if let Some(p) = &a.lcov {
        outputs.push((p, coverage.to_lcov()));
    }
    for (p, text) in outputs {
        if let Err(e) = write_atomically(p, text.as_bytes()) {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    }
    if failed > 0 {
        return EXIT_TESTS_FAILED;
    }
    if let Some(min) = a.coverage_min {
        let pct = coverage.percent();
        if pct < min {
            eprintln!("error: statement coverage {pct:.1}% is below --coverage-min {min}%");
            return EXIT_COVERAGE_LOW;
        }
    }
    0
}

fn human(
    runs: &[(&Loaded, Vec<CaseResult>, Duration)],
    coverage: Option<&Coverage>,
    print_coverage: bool,
    passed: usize,
    failed: usize,
) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    for (l, results, _) in runs {
        let n = results.len();
        let _ = writeln!(
            o,
            "{} ({}): {n} test{}",
            l.suite.source().name(),
            l.suite.name,
            if n == 1 { "" } else { "s" }
        );
        for r in results {
            let _ = writeln!(
                o,
                "  {}  {}",
                if r.passed { "ok  " } else { "FAIL" },
                l.suite.name_of(r)
            );
        }
    }
    let failures: Vec<(&Loaded, &CaseResult)> = runs
        .iter()
        .flat_map(|(l, rs, _)| rs.iter().filter(|r| !r.passed).map(move |r| (*l, r)))
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(o, "\nfailures:");
        for (l, r) in failures {
            let at = l
                .suite
                .test_of(r)
                .map(|t| format!("{}:{}:{}", l.suite.source().name(), t.location.line, t.location.column))
                .unwrap_or_default();
            let name = l.suite.name_of(r);
            let _ = writeln!(o, "\n---- {name} ({at})");
            o.push_str(&explain(l, r));
        }
    }
    if let (Some(cov), true) = (coverage, print_coverage) {
        o.push('\n');
        o.push_str(&render::coverage(cov));
    }
    let _ = writeln!(o, "\n{passed} passed, {failed} failed");
    o
}

fn json_report(runs: &[(&Loaded, Vec<CaseResult>, Duration)], passed: usize, failed: usize) -> Value {
    let suites: Vec<Value> = runs
        .iter()
        .map(|(l, results, _)| {
            let tests: Vec<Value> = results
                .iter()
                .filter_map(|r| {
                    let t = l.suite.test_of(r)?;
                    let mut v = json!({
                        "name": l.suite.name_of(r),
                        "test": t.name,
                        "file": l.suite.source().name(),
                        "line": t.location.line,
                        "column": t.location.column,
                        "passed": r.passed,
                    });
                    let Value::Object(m) = &mut v else { return None };
                    match &r.outcome {
                        Outcome::Response(resp) => {
                            m.insert("expect".into(), json!(t.expect));
                            m.insert("decision".into(), json!(resp.decision));
                            if !r.passed {
                                m.insert("failure".into(), json!(r.failure));
                                m.insert("response".into(), serde_json::to_value(resp).unwrap_or(Value::Null));
                            }
                        }
                        Outcome::WhoCan(w) => {
                            m.insert(
                                "expect".into(),
                                json!(t.who_can.as_ref().and_then(|q| q.expect.as_ref())),
                            );
                            m.insert("allowed".into(), json!(w.allowed));
                            if !r.passed {
                                m.insert("failure".into(), json!(r.failure));
                                m.insert("unexpected".into(), json!(w.unexpected));
                                m.insert("missing".into(), json!(w.missing));
                                m.insert("answer".into(), serde_json::to_value(&w.answer).unwrap_or(Value::Null));
                            }
                        }
                    }
                    Some(v)
                })
                .collect();
            json!({"file": l.suite.source().name(), "name": l.suite.name, "tests": tests})
        })
        .collect();
    json!({"suites": suites, "passed": passed, "failed": failed})
}
