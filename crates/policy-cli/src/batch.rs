//! `policy-sim batch`: JSON Lines in, one JSON response per line out, in order, on all
//! cores. Policies are parsed once per batch (the base document's once, files named by
//! path once per path).

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;
use policy_core::{
    evaluate, evaluate_into, write_response_json, Detail, EvalOptions, Evaluation, LineReader, LineRequest,
    PartialDocument, PolicySet, ResponseWriter, SetIndex, Source,
};

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
    /// Worker threads (default: all cores). Besides them, one thread reads the input
    /// and one writes the answers; with one worker on a machine of more than one core,
    /// the reading thread also reads each line's request, so that reading and deciding
    /// run side by side. With one worker on one core (e.g. under `taskset -c 0`), a
    /// single thread reads, answers and writes each block in turn.
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Do not fill `aws:CurrentTime` and `aws:EpochTime` from the clock.
    #[arg(long)]
    no_clock: bool,
    /// How much each response says: `decision` (only `id` and `decision`), `brief`
    /// (decision, deciding statements with Sid, reasons, per-type verdicts, missing
    /// keys) or `full` (also statement locations and derived context keys, as
    /// `eval --format json`).
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
    Decision,
    Brief,
    Full,
}

/// Input read per job: a job is the complete lines of one block.
const BLOCK: usize = 256 * 1024;

/// Longest batch line read, in bytes (its newline excluded): a longer line gets a
/// `line-too-long` error response, is read past without being kept, and the batch goes
/// on. 8 MiB holds a request document with a policy of each type inline at the policy
/// size limit ([`policy_core::MAX_POLICY_BYTES`], 1 MiB).
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

/// One block of input lines for a worker: `seq` orders the output.
struct Job {
    seq: u64,
    first_line: usize,
    bytes: Vec<u8>,
    /// Where each line of `bytes` ends ([`Chunk::Lines`]).
    ends: Vec<usize>,
    /// The job is line `first_line`, over [`MAX_LINE_BYTES`]: its length in bytes and
    /// the column where the limit falls.
    too_long: Option<(u64, u32)>,
    /// The requests the reading thread already read ([`ReadAhead`]): the block's line
    /// `i`'s at `i`, `None` for a line left to the worker (blank, not of the plain
    /// form, or in error). Empty: the worker reads every line.
    parsed: Vec<Option<LineRequest>>,
}

impl Job {
    /// Job `seq` of `chunk`; `read` gives the requests of its lines read ahead
    /// ([`Job::parsed`]).
    fn new(seq: u64, chunk: Chunk, read: impl FnOnce(&[u8], &[usize]) -> Decided) -> Job {
        match chunk {
            Chunk::Lines {
                first_line,
                bytes,
                ends,
            } => Job {
                seq,
                first_line,
                parsed: read(&bytes, &ends),
                bytes,
                ends,
                too_long: None,
            },
            Chunk::TooLong { line, length, column } => Job {
                seq,
                first_line: line,
                bytes: Vec::new(),
                ends: Vec::new(),
                too_long: Some((length, column)),
                parsed: Vec::new(),
            },
        }
    }
}

/// Read requests a worker has decided, sent back to the reading thread for
/// [`LineReader::recycle`].
type Decided = Vec<Option<LineRequest>>;

/// A worker's answers to one job, in line order.
struct Answers {
    seq: u64,
    out: Vec<u8>,
    bad: bool,
}

/// Buffers handed back for reuse (input blocks, their lists of line ends, and answer
/// buffers), so that a batch does not allocate, fault in and free a block of memory per
/// job.
struct Pool<T = u8>(std::sync::Mutex<Vec<Vec<T>>>);

impl<T> Default for Pool<T> {
    fn default() -> Pool<T> {
        Pool(std::sync::Mutex::default())
    }
}

impl<T> Pool<T> {
    fn take(&self) -> Vec<T> {
        self.0.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default()
    }
    fn give(&self, mut buf: Vec<T>) {
        buf.clear();
        if let Ok(mut v) = self.0.lock() {
            if v.len() < 64 {
                v.push(buf);
            }
        }
    }
}

/// Input blocks and the lists of their line ends, back from the workers.
#[derive(Default)]
struct Blocks {
    bytes: Pool,
    ends: Pool<usize>,
}

impl Blocks {
    /// Takes back a job's buffers.
    fn give(&self, job: Job) {
        self.bytes.give(job.bytes);
        self.ends.give(job.ends);
    }
}

/// What every worker shares.
struct Shared<'a> {
    /// Input blocks, back from the workers.
    blocks: Blocks,
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
fn answer(line: &str, lineno: usize, w: &mut Worker<'_, '_, '_>, sh: &Shared<'_>, out: &mut Vec<u8>) -> bool {
    let reader = &mut w.lines;
    if let (Some(be), Some(r)) = (sh.estate, w.resolver.as_mut()) {
        let cx = crate::estate::LineCx {
            name: sh.name,
            base: sh.base,
            loader: sh.loader,
            detail: sh.detail,
        };
        return crate::estate::answer_line(be, r, &mut w.writer, line, lineno, &cx, out);
    }
    if let Some(doc) = reader.read(line) {
        if let Some(plain) = w.plain.as_mut() {
            decide(&doc, plain, sh.detail, out);
            // The next line is read into this one's buffers.
            reader.recycle(doc);
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

/// Decides a line [`LineReader::read`] read and writes its response into `out`.
fn decide(doc: &LineRequest, plain: &mut Plain<'_>, detail: Detail, out: &mut Vec<u8>) {
    let Plain {
        policies,
        index,
        ev,
        writer,
    } = plain;
    evaluate_into(policies, Some(index), doc.request(), EvalOptions::default(), ev);
    writer.write(ev, policies, doc.request(), doc.id.as_ref(), detail, out);
}

/// A block's text when all of it is UTF-8 (`None`: some line is not, and each line is
/// checked on its own to say which): checked with `simdutf8` (SIMD where the CPU has it,
/// a third of `std`'s instructions on batch lines).
fn block_text(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// The lines of a block whose lines end at `ends` ([`Chunk::Lines`]): `(i, range)` for
/// its `i`th line, the range of its bytes without the newline.
fn block_lines(ends: &[usize]) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
    let mut start = 0;
    ends.iter().enumerate().map(move |(i, &end)| {
        let range = start..end;
        start = end + 1;
        (i, range)
    })
}

/// The text of a block's line (`range` from [`block_lines`]) without its trailing
/// `\r`, or `Err` with its raw bytes when it is not UTF-8. `text`: the whole block,
/// when it is known to be UTF-8 (else the line is checked).
fn line_text<'a>(bytes: &'a [u8], text: Option<&'a str>, range: std::ops::Range<usize>) -> Result<&'a str, &'a [u8]> {
    let raw = bytes.get(range.clone()).unwrap_or_default();
    let line = match text {
        // Cut at `\n` bytes, so at character boundaries.
        Some(t) => Ok(t.get(range).unwrap_or_default()),
        None => std::str::from_utf8(raw),
    };
    match line {
        Ok(l) => Ok(l.strip_suffix('\r').unwrap_or(l)),
        Err(_) => Err(raw.strip_suffix(b"\r").unwrap_or(raw)),
    }
}

/// A worker's readers: of plain lines, and of estate requests (`--estate`); and what
/// it decides plain lines with.
struct Worker<'b, 'e, 's> {
    lines: LineReader<'b>,
    resolver: Option<policy_core::estate::Resolver<'e>>,
    /// When the base's policies are shared ([`LineReader::policies`]).
    plain: Option<Plain<'s>>,
    /// The writer of the estate requests' answers (`--estate`).
    writer: ResponseWriter,
}

/// What a worker decides the lines [`LineReader::read`] reads with: their policy set
/// (the base's), its [`SetIndex`] built once, the evaluation each is decided into, and
/// the writer of the answers.
struct Plain<'s> {
    policies: &'s PolicySet,
    index: SetIndex,
    ev: Evaluation<'s>,
    writer: ResponseWriter,
}

impl<'s> Plain<'s> {
    fn new(policies: &'s PolicySet) -> Plain<'s> {
        Plain {
            policies,
            index: SetIndex::new(policies),
            ev: Evaluation::default(),
            writer: ResponseWriter::default(),
        }
    }
}

impl<'b> Worker<'b, 'b, 'b> {
    /// A worker's readers over `sh`'s base, with the base's shared policies indexed.
    fn new(sh: &Shared<'b>) -> Self {
        Worker {
            lines: LineReader::new(sh.base),
            resolver: sh.estate.map(|e| e.estate.resolver()),
            plain: sh.base.shared_policies().map(Plain::new),
            writer: ResponseWriter::default(),
        }
    }
}

/// Answers every line of a job.
fn work(job: &Job, w: &mut Worker<'_, '_, '_>, sh: &Shared<'_>) -> Answers {
    let mut out = sh.answers.take();
    if let Some((length, column)) = job.too_long {
        let v = crate::error_json(
            None,
            "line-too-long",
            &format!("line is {length} bytes long, more than the limit of {MAX_LINE_BYTES} bytes: it was not read"),
            sh.name,
            job.first_line,
            column,
            "",
            &[],
        );
        out.extend_from_slice(v.as_bytes());
        out.push(b'\n');
        return Answers {
            seq: job.seq,
            out,
            bad: true,
        };
    }
    // Room for the answers at once: a brief answer is often twice its line or more,
    // and growing the buffer copies it (reserved pages cost nothing until written).
    out.reserve(job.bytes.len() * 4);
    let mut bad = false;
    // One UTF-8 check for the whole block; line by line only when it fails, to say
    // which line is bad. Lines read ahead were checked by the reading thread.
    let text = if job.parsed.is_empty() {
        block_text(&job.bytes)
    } else {
        None
    };
    for (i, range) in block_lines(&job.ends) {
        if let (Some(Some(doc)), Some(plain)) = (job.parsed.get(i), w.plain.as_mut()) {
            decide(doc, plain, sh.detail, &mut out);
            out.push(b'\n');
            continue;
        }
        let lineno = job.first_line + i;
        match line_text(&job.bytes, text, range) {
            // (`trim_start`: empty exactly when `trim` is, without a scan from the end.)
            Ok(l) if l.trim_start().is_empty() => continue,
            Ok(l) => bad |= !answer(l, lineno, w, sh, &mut out),
            Err(raw) => {
                bad = true;
                if let Err(e) = policy_core::decode_utf8(sh.name, raw.to_vec()) {
                    let message = e.message.replacen(" at line 1,", " at", 1);
                    let v = crate::error_json(None, e.code, &message, sh.name, lineno, e.column, "", &[]);
                    out.extend_from_slice(v.as_bytes());
                }
            }
        }
        out.push(b'\n');
    }
    Answers { seq: job.seq, out, bad }
}

/// One piece of the input, in order: complete lines, or a line over the length limit
/// (read past without keeping it).
#[derive(Debug, PartialEq, Eq)]
enum Chunk {
    /// Complete lines (without the last one's newline), the first numbered `first_line`;
    /// `ends` holds where each ends: the offset of each newline in `bytes`, then
    /// `bytes.len()` (the lines are found once, as the block is cut).
    Lines {
        first_line: usize,
        bytes: Vec<u8>,
        ends: Vec<usize>,
    },
    /// Line `line` has `length` bytes, more than the limit; the limit falls at
    /// character `column` (1-based) of it.
    TooLong { line: usize, length: u64, column: u32 },
}

/// The 1-based column of the character after the UTF-8 (or not) text `prefix`: one
/// per byte that does not continue a character.
fn column_after(prefix: &[u8]) -> u32 {
    let chars = prefix.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    u32::try_from(chars + 1).unwrap_or(u32::MAX)
}

/// Reads `input` in blocks of complete lines and gives them, in order, to `send`
/// (which says `false` to stop). Linear in the input: a long line is read on into the
/// same buffer, never copied again; a line over `max_line` bytes is skipped to its
/// newline in blocks and given as [`Chunk::TooLong`], so memory stays under
/// `max_line` + one block whatever the input. `Err` is the read error's message.
/// Appends at most one block of `input` to `buf`; the number of bytes read (0 at the end).
fn read_block(input: &mut impl Read, buf: &mut Vec<u8>) -> Result<usize, String> {
    // Room for the whole block at once (`read_to_end` would grow the buffer step by
    // step, copying it each time). It reads in steps of 8 KiB doubling to the block's
    // end, without zeroing the room first: one `read` into a zeroed block costs more
    // (the zeroing, measured) than the five calls it saves.
    buf.reserve(BLOCK);
    input
        .by_ref()
        .take(BLOCK as u64)
        .read_to_end(buf)
        .map_err(|e| e.to_string())
}

fn read_chunks(
    mut input: impl Read,
    max_line: usize,
    pools: &Blocks,
    mut send: impl FnMut(Chunk) -> bool,
) -> Result<(), String> {
    let pool = &pools.bytes;
    let mut line = 1;
    // The current unfinished line (then more text read after it); `scanned` bytes of it
    // hold no newline.
    let mut buf = pool.take();
    let mut scanned = 0;
    loop {
        let first = memchr::memchr(b'\n', buf.get(scanned..).unwrap_or_default()).map(|i| scanned + i);
        let Some(first) = first else {
            if buf.len() > max_line {
                // Over the limit: the rest of the line is read and dropped.
                let column = column_after(buf.get(..max_line).unwrap_or_default());
                let mut length = buf.len() as u64;
                buf.clear();
                loop {
                    let n = read_block(&mut input, &mut buf)?;
                    if n == 0 {
                        send(Chunk::TooLong { line, length, column });
                        return Ok(());
                    }
                    if let Some(i) = memchr::memchr(b'\n', &buf) {
                        length += i as u64;
                        buf.drain(..=i);
                        break;
                    }
                    length += n as u64;
                    buf.clear();
                }
                if !send(Chunk::TooLong { line, length, column }) {
                    return Ok(());
                }
                line += 1;
                scanned = 0;
                continue;
            }
            scanned = buf.len();
            let n = read_block(&mut input, &mut buf)?;
            if n == 0 {
                // The last line, without a newline (within the limit: checked above).
                if !buf.is_empty() {
                    let mut ends = pools.ends.take();
                    ends.push(buf.len());
                    send(Chunk::Lines {
                        first_line: line,
                        bytes: buf,
                        ends,
                    });
                }
                return Ok(());
            }
            continue;
        };
        // Complete lines: from the current line to the last newline read.
        let mut start = 0;
        if first > max_line {
            let column = column_after(buf.get(..max_line).unwrap_or_default());
            if !send(Chunk::TooLong {
                line,
                length: first as u64,
                column,
            }) {
                return Ok(());
            }
            line += 1;
            start = first + 1;
        }
        let last = memchr::memrchr(b'\n', buf.get(first..).unwrap_or_default()).map_or(first, |i| first + i);
        let mut next = pool.take();
        next.extend_from_slice(buf.get(last + 1..).unwrap_or_default());
        if start <= last {
            buf.truncate(last);
            if start > 0 {
                buf.drain(..start);
            }
            let mut ends = pools.ends.take();
            ends.extend(memchr::memchr_iter(b'\n', &buf));
            ends.push(buf.len());
            let lines = ends.len();
            if !send(Chunk::Lines {
                first_line: line,
                bytes: buf,
                ends,
            }) {
                return Ok(());
            }
            line += lines;
        } else {
            pool.give(buf);
        }
        buf = next;
        scanned = 0;
    }
}

/// With one worker and more than one core, the reading thread also reads each plain
/// line's request, so that reading runs on one core and deciding and writing on
/// another. With more workers each reads its own lines (the reading thread would be
/// the bottleneck); on one core handing requests over between threads only costs.
struct ReadAhead<'b> {
    lines: LineReader<'b>,
    /// Requests the worker has decided, to read later lines into.
    decided: std::sync::mpsc::Receiver<Decided>,
    /// Emptied lists, for the next blocks.
    lists: Vec<Decided>,
}

impl ReadAhead<'_> {
    /// The requests of a block's lines ([`Job::parsed`]), after taking back the ones the
    /// worker has decided; empty when no line is of the plain form.
    fn read(&mut self, bytes: &[u8], ends: &[usize]) -> Decided {
        while let Ok(mut list) = self.decided.try_recv() {
            for doc in list.drain(..).flatten() {
                self.lines.recycle(doc);
            }
            if self.lists.len() < 8 {
                self.lists.push(list);
            }
        }
        let mut parsed = self.lists.pop().unwrap_or_default();
        let text = block_text(bytes);
        for (_, range) in block_lines(ends) {
            parsed.push(match line_text(bytes, text, range) {
                Ok(l) if !l.trim_start().is_empty() => self.lines.read(l),
                _ => None,
            });
        }
        if parsed.iter().all(Option::is_none) {
            parsed.clear();
        }
        parsed
    }
}

/// Reads `input` as [`read_chunks`] does and sends the chunks as jobs (with their lines
/// read, given `ahead`).
fn read_jobs(
    input: Box<dyn Read>,
    jobs: &std::sync::mpsc::SyncSender<Job>,
    pools: &Blocks,
    mut ahead: Option<ReadAhead<'_>>,
) -> Result<(), String> {
    let mut seq = 0;
    read_chunks(input, MAX_LINE_BYTES, pools, |chunk| {
        let job = Job::new(seq, chunk, |bytes, ends| {
            ahead.as_mut().map(|a| a.read(bytes, ends)).unwrap_or_default()
        });
        seq += 1;
        jobs.send(job).is_ok()
    })
}

pub fn run(a: BatchArgs) -> u8 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let workers = a.jobs.unwrap_or(cores).max(1);
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
                eprint!("{}", crate::render::diagnostics(d.warnings(), ""));
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
        blocks: Blocks::default(),
        answers: Pool::default(),
        name: &name,
        base: &base,
        loader: &loader,
        detail: match a.detail {
            DetailArg::Decision => Detail::Decision,
            DetailArg::Brief => Detail::Brief,
            DetailArg::Full => Detail::Full,
        },
        estate: estate.as_ref(),
    };
    let (read_result, write_result) = if workers == 1 && cores == 1 {
        run_inline(reader, &sh)
    } else {
        run_threads(reader, &sh, workers, cores)
    };
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

/// One core and one worker: this thread reads a block, answers it and writes the
/// answers, one block after another (threads handing blocks over on one core only
/// cost context switches). `(read result, (bad input, write failed))`.
fn run_inline(reader: Box<dyn Read>, sh: &Shared<'_>) -> (Result<(), String>, (bool, bool)) {
    let mut w = Worker::new(sh);
    let mut out = std::io::stdout().lock();
    let (mut bad, mut failed) = (false, false);
    let mut seq = 0;
    let read = read_chunks(reader, MAX_LINE_BYTES, &sh.blocks, |chunk| {
        let job = Job::new(seq, chunk, |_, _| Vec::new());
        seq += 1;
        let answers = work(&job, &mut w, sh);
        sh.blocks.give(job);
        bad |= answers.bad;
        failed = out.write_all(&answers.out).is_err();
        sh.answers.give(answers.out);
        !failed
    });
    failed = failed || out.flush().is_err();
    (read, (bad, failed))
}

/// Reading, answering and writing overlap: this thread reads blocks of lines, the
/// workers answer them, the writer puts the answers out in input order.
/// `(read result, (bad input, write failed))`.
fn run_threads(
    reader: Box<dyn Read>,
    sh: &Shared<'_>,
    workers: usize,
    cores: usize,
) -> (Result<(), String>, (bool, bool)) {
    let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Job>(workers * 2);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (ans_tx, ans_rx) = std::sync::mpsc::sync_channel::<Answers>(workers * 2);
    let (decided_tx, decided_rx) = std::sync::mpsc::channel::<Decided>();
    // With one worker and a core to spare, the reading thread reads the requests too.
    let ahead = (workers == 1 && cores > 1 && sh.estate.is_none()).then(|| ReadAhead {
        lines: LineReader::new(sh.base),
        decided: decided_rx,
        lists: Vec::new(),
    });
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let ans_tx = ans_tx.clone();
            let decided_tx = decided_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || {
                let mut w = Worker::new(sh);
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(mut job) = job else { return };
                    let answers = work(&job, &mut w, sh);
                    if !job.parsed.is_empty() {
                        // The reading thread reads later lines into these requests.
                        let _ = decided_tx.send(std::mem::take(&mut job.parsed));
                    }
                    sh.blocks.give(job);
                    if ans_tx.send(answers).is_err() {
                        return;
                    }
                }
            });
        }
        drop((ans_tx, decided_tx));
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
        let read = read_jobs(reader, &job_tx, &sh.blocks, ahead);
        drop(job_tx);
        (read, writer.join().unwrap_or((true, true)))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A line as read: its number, and its text or, over the limit, `(length, column)`.
    type Line = (usize, Result<String, (u64, u32)>);

    /// Each input line as `(number, Ok(text))`, or `(number, Err((length, column)))` when
    /// over the limit, from the chunks `read_chunks` gives.
    fn lines(input: &[u8], max_line: usize) -> Vec<Line> {
        let mut out = Vec::new();
        read_chunks(input, max_line, &Blocks::default(), |c| {
            match c {
                Chunk::Lines {
                    first_line,
                    bytes,
                    ends,
                } => {
                    // The line ends listed are the newlines, then the end.
                    let mut want: Vec<usize> = memchr::memchr_iter(b'\n', &bytes).collect();
                    want.push(bytes.len());
                    assert_eq!(ends, want);
                    for (i, range) in block_lines(&ends) {
                        out.push((first_line + i, Ok(String::from_utf8(bytes[range].to_vec()).unwrap())));
                    }
                }
                Chunk::TooLong { line, length, column } => out.push((line, Err((length, column)))),
            }
            true
        })
        .unwrap();
        out
    }

    fn ok(n: usize, s: &str) -> Line {
        (n, Ok(s.to_string()))
    }

    #[test]
    fn a_line_at_the_limit_is_read_and_one_byte_past_it_is_skipped() {
        assert_eq!(lines(b"aaaa\nbb\n", 4), vec![ok(1, "aaaa"), ok(2, "bb")]);
        assert_eq!(lines(b"aaaaa\nbb\n", 4), vec![(1, Err((5, 5))), ok(2, "bb")]);
        // The last line without a newline, at and past the limit.
        assert_eq!(lines(b"x\naaaa", 4), vec![ok(1, "x"), ok(2, "aaaa")]);
        assert_eq!(lines(b"x\naaaaa", 4), vec![ok(1, "x"), (2, Err((5, 5)))]);
    }

    #[test]
    fn long_lines_across_blocks_keep_line_numbers_and_columns_in_characters() {
        // A line of three and a half blocks: skipped in blocks, the next lines read.
        let long = "é".repeat(BLOCK * 7 / 4);
        let input = format!("first\n{long}\nthird\n\nfifth");
        let column = u32::try_from(BLOCK / 2 + 1).unwrap();
        assert_eq!(
            lines(input.as_bytes(), BLOCK),
            vec![
                ok(1, "first"),
                (2, Err((long.len() as u64, column))),
                ok(3, "third"),
                ok(4, ""),
                ok(5, "fifth")
            ]
        );
        // Within the limit, the same line is read whole.
        assert_eq!(
            lines(input.as_bytes(), long.len()),
            vec![ok(1, "first"), ok(2, &long), ok(3, "third"), ok(4, ""), ok(5, "fifth")]
        );
    }

    #[test]
    fn lines_split_at_block_boundaries_are_whole() {
        let n = BLOCK / 1000 * 3;
        let input = format!("{}\n", "x".repeat(999)).repeat(n);
        let got = lines(input.as_bytes(), MAX_LINE_BYTES);
        assert_eq!(got.len(), n);
        for (i, (line, text)) in got.iter().enumerate() {
            assert_eq!((*line, text.as_ref().map(String::len)), (i + 1, Ok(999)));
        }
    }
}
