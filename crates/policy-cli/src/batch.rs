//! `policy-sim batch`: JSON Lines in, one JSON response per line out, in order, on all
//! cores. Policies are parsed once per batch (the base document's once, files named by
//! path once per path).

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;
use policy_core::{evaluate, write_response_json, Detail, LineReader, PartialDocument, Source};

use crate::loader::{display_path, FsLoader};
use crate::EXIT_INPUT;

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("snapshot-options")
        .args(crate::estate::SNAPSHOT_ARGS)
        .multiple(true)
        .requires("estate")
))]
pub struct BatchArgs {
    /// JSON Lines file of request documents; `-` or absent for standard input.
    input: Option<PathBuf>,
    /// A request document every line inherits (typically the policies); a line's
    /// members override it, its context keys are merged.
    #[arg(long, value_name = "FILE")]
    base: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Do not fill `aws:CurrentTime` and `aws:EpochTime` from the clock.
    #[arg(long)]
    no_clock: bool,
    /// How much each response says: `brief` (decision, deciding statements with Sid,
    /// reasons, per-type verdicts, missing keys) or `full` (also statement locations and
    /// derived context keys, as `eval --format json`).
    #[arg(long, value_enum, default_value = "brief")]
    detail: DetailArg,
    /// Decide every line against an estate snapshot folder (README, "Estates"), read
    /// once; a line's non-empty `policies` members replace the estate's.
    #[arg(long, value_name = "SNAPSHOT")]
    estate: Option<PathBuf>,
    /// With --estate: how to read the snapshot.
    #[command(flatten)]
    snapshot: crate::estate::SnapshotArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DetailArg {
    Brief,
    Full,
}

/// Input read per job: a job is the complete lines of one block.
const BLOCK: usize = 256 * 1024;

/// One block of input lines for a worker: `seq` orders the output.
struct Job {
    seq: u64,
    first_line: usize,
    bytes: Vec<u8>,
}

/// A worker's answers to one job, in line order.
struct Answers {
    seq: u64,
    out: Vec<u8>,
    bad: bool,
}

/// Buffers handed back for reuse (input blocks and answer buffers), so that a batch
/// does not allocate, fault in and free a block of memory per job.
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

impl Pool {
    fn take(&self) -> Vec<u8> {
        self.0.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default()
    }
    fn give(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut v) = self.0.lock() {
            if v.len() < 64 {
                v.push(buf);
            }
        }
    }
}

/// What every worker shares.
struct Shared<'a> {
    /// Input blocks, back from the workers.
    blocks: Pool,
    /// Answer buffers, back from the writer.
    answers: Pool,
    name: &'a str,
    base: &'a PartialDocument,
    loader: &'a FsLoader,
    detail: Detail,
    estate: Option<&'a crate::estate::BatchEstate>,
}

/// The error response of input line `lineno`: `{"id"?, "error": {…}}` (see
/// [`crate::error_json`]), its `line` the input's line number (a request document in
/// a batch is one line), with the line's `id` when the line is a JSON object that has
/// one, so that every answer can be traced to its request.
pub(crate) fn error_line(e: &policy_core::DocumentError, name: &str, line: &str, lineno: usize, out: &mut Vec<u8>) {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        #[serde(default)]
        id: Option<serde_json::Value>,
    }
    let id = serde_json::from_str::<IdOnly>(line).ok().and_then(|d| d.id);
    out.extend_from_slice(
        crate::error_json(
            id,
            e.code,
            &e.message,
            name,
            lineno + e.line.saturating_sub(1) as usize,
            e.column,
            &e.path,
            &e.diagnostics,
        )
        .as_bytes(),
    );
}

/// Answers one line into `out` (no newline); `false` when the line is bad input.
fn answer(line: &str, lineno: usize, w: &mut Worker<'_, '_>, sh: &Shared<'_>, out: &mut Vec<u8>) -> bool {
    let reader = &mut w.lines;
    if let (Some(be), Some(r)) = (sh.estate, w.resolver.as_mut()) {
        let cx = crate::estate::LineCx {
            name: sh.name,
            base: sh.base,
            loader: sh.loader,
            detail: sh.detail,
        };
        return crate::estate::answer_line(be, r, line, lineno, &cx, out);
    }
    if let Some(doc) = reader.read(line) {
        if let Some(policies) = reader.policies() {
            let ev = evaluate(policies, &doc.request);
            write_response_json(&ev, policies, &doc.request, doc.id.as_ref(), sh.detail, out);
            return true;
        }
    }
    // The general path: any line form, and errors with line and column.
    let src = Source::new(format!("{}:{lineno}", sh.name), line);
    let mut l = sh.loader.clone();
    match PartialDocument::parse(&src, &mut l).and_then(|d| d.over(sh.base).finish(&src)) {
        Ok(doc) => {
            let ev = evaluate(&doc.policies, &doc.request);
            write_response_json(&ev, &doc.policies, &doc.request, doc.id.as_ref(), sh.detail, out);
            true
        }
        Err(e) => {
            error_line(&e, sh.name, line, lineno, out);
            false
        }
    }
}

/// A worker's readers: of plain lines, and of estate requests (`--estate`).
struct Worker<'b, 'e> {
    lines: LineReader<'b>,
    resolver: Option<policy_core::estate::Resolver<'e>>,
}

/// Answers every line of a job.
fn work(job: &Job, w: &mut Worker<'_, '_>, sh: &Shared<'_>) -> Answers {
    let mut out = sh.answers.take();
    out.reserve(job.bytes.len() * 2);
    let mut bad = false;
    // One UTF-8 check for the whole block; line by line only when it fails, to say
    // which line is bad.
    let text = std::str::from_utf8(&job.bytes).ok();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', &job.bytes).chain(std::iter::once(job.bytes.len()));
    for (i, end) in ends.enumerate() {
        let raw = job.bytes.get(start..end).unwrap_or_default();
        let line = match text {
            // Cut at `\n` bytes, so at character boundaries.
            Some(t) => Ok(t.get(start..end).unwrap_or_default()),
            None => std::str::from_utf8(raw),
        };
        start = end + 1;
        let lineno = job.first_line + i;
        match line.map(|l| l.strip_suffix('\r').unwrap_or(l)) {
            Ok(l) if l.trim().is_empty() => continue,
            Ok(l) => bad |= !answer(l, lineno, w, sh, &mut out),
            Err(e) => {
                bad = true;
                let v = crate::error_json(
                    None,
                    "not-utf8",
                    &format!("line is not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                    sh.name,
                    lineno,
                    1,
                    "",
                    &[],
                );
                out.extend_from_slice(v.as_bytes());
            }
        }
        out.push(b'\n');
    }
    Answers { seq: job.seq, out, bad }
}

/// Reads `input` in blocks of complete lines and sends them as jobs; `Err` is the
/// read error's message.
fn read_jobs(mut input: Box<dyn Read>, jobs: &std::sync::mpsc::SyncSender<Job>, pool: &Pool) -> Result<(), String> {
    let mut seq = 0;
    let mut line = 1;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buf = pool.take();
        buf.extend_from_slice(&carry);
        buf.reserve(BLOCK);
        let n = input
            .by_ref()
            .take(BLOCK as u64)
            .read_to_end(&mut buf)
            .map_err(|e| e.to_string())?;
        if n == 0 {
            if !buf.is_empty() {
                let _ = jobs.send(Job {
                    seq,
                    first_line: line,
                    bytes: buf,
                });
            }
            return Ok(());
        }
        // Send the complete lines; keep the partial last one for the next block.
        let Some(end) = memchr::memrchr(b'\n', &buf) else {
            carry = buf;
            continue;
        };
        carry.clear();
        carry.extend_from_slice(buf.get(end + 1..).unwrap_or_default());
        buf.truncate(end);
        let lines = memchr::memchr_iter(b'\n', &buf).count() + 1;
        if jobs
            .send(Job {
                seq,
                first_line: line,
                bytes: buf,
            })
            .is_err()
        {
            return Ok(());
        }
        seq += 1;
        line += lines;
    }
}

pub fn run(a: BatchArgs) -> u8 {
    let workers = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
        .max(1);
    let cwd = std::env::current_dir().unwrap_or_default();
    let (reader, name, base_dir): (Box<dyn Read>, String, PathBuf) = match &a.input {
        Some(p) if p.as_os_str() != "-" => match std::fs::File::open(p) {
            Ok(f) => (
                Box::new(f),
                display_path(p),
                crate::absolute(p)
                    .parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or(cwd.clone()),
            ),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", display_path(p));
                return EXIT_INPUT;
            }
        },
        _ => (Box::new(std::io::stdin()), "<stdin>".to_string(), cwd.clone()),
    };
    let loader = FsLoader::new(&base_dir);
    let estate = match &a.estate {
        Some(dir) => match crate::estate::BatchEstate::load(dir, &a.snapshot, !a.no_clock, a.base.is_some()) {
            Ok(e) => Some(e),
            Err(code) => return code,
        },
        None => None,
    };
    let mut base = PartialDocument::default();
    if let Some(bp) = &a.base {
        match crate::read_document(bp, &loader) {
            Ok((d, _)) => {
                for w in d.warnings() {
                    eprint!("{}", w.render());
                }
                base = d;
            }
            Err(e) => return e.report(crate::Format::Human),
        }
    }
    if !a.no_clock {
        base = base.over(&crate::clock_document());
    }
    // Lines that name no policies share the base's set instead of copying it.
    base.share_policies();
    let sh = Shared {
        blocks: Pool::default(),
        answers: Pool::default(),
        name: &name,
        base: &base,
        loader: &loader,
        detail: match a.detail {
            DetailArg::Brief => Detail::Brief,
            DetailArg::Full => Detail::Full,
        },
        estate: estate.as_ref(),
    };
    // Reading, answering and writing overlap: this thread reads blocks of lines, the
    // workers answer them, the writer puts the answers out in input order.
    let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Job>(workers * 2);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (ans_tx, ans_rx) = std::sync::mpsc::sync_channel::<Answers>(workers * 2);
    let (read_result, write_result) = std::thread::scope(|scope| {
        for _ in 0..workers {
            let ans_tx = ans_tx.clone();
            let (job_rx, sh) = (&job_rx, &sh);
            scope.spawn(move || {
                let mut w = Worker {
                    lines: LineReader::new(sh.base),
                    resolver: sh.estate.map(|e| e.estate.resolver()),
                };
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let answers = work(&job, &mut w, sh);
                    sh.blocks.give(job.bytes);
                    if ans_tx.send(answers).is_err() {
                        return;
                    }
                }
            });
        }
        drop(ans_tx);
        let answers_pool = &sh.answers;
        let writer = scope.spawn(move || -> (bool, bool) {
            let stdout = std::io::stdout();
            // Each answer buffer holds whole lines: written as is, not copied into a buffer.
            let mut out = stdout.lock();
            let mut pending = std::collections::BTreeMap::new();
            let (mut next, mut bad, mut failed) = (0u64, false, false);
            for ans in ans_rx {
                pending.insert(ans.seq, ans);
                while let Some(ans) = pending.remove(&next) {
                    bad |= ans.bad;
                    failed = failed || out.write_all(&ans.out).is_err();
                    answers_pool.give(ans.out);
                    next += 1;
                }
            }
            failed = failed || out.flush().is_err();
            (bad, failed)
        });
        let read = read_jobs(reader, &job_tx, &sh.blocks);
        drop(job_tx);
        (read, writer.join().unwrap_or((true, true)))
    });
    let (mut bad, failed) = write_result;
    if let Err(e) = read_result {
        eprintln!("error: cannot read `{name}`: {e}");
        bad = true;
    }
    if failed {
        return EXIT_INPUT;
    }
    if let Ok(w) = loader.warnings.lock() {
        for w in w.iter() {
            eprintln!("warning: {w}");
        }
    }
    if bad {
        EXIT_INPUT
    } else {
        0
    }
}
