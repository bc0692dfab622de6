//! `policy-sim batch`: JSON Lines in, one JSON response per line out, in order, on all
//! cores. Policies are parsed once per batch (the base document's once, files named by
//! path once per path).

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use clap::Args;
use policy_core::{evaluate, Detail, PartialDocument, Response, Source};
use rayon::prelude::*;
use serde_json::json;

use crate::loader::{display_path, FsLoader};
use crate::EXIT_INPUT;

#[derive(Debug, Args)]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DetailArg {
    Brief,
    Full,
}

/// Lines evaluated per parallel chunk.
const CHUNK: usize = 2048;

fn answer(
    line: &str,
    name: String,
    base: &PartialDocument,
    loader: &FsLoader,
    detail: Detail,
) -> Result<Vec<u8>, Vec<u8>> {
    let src = Source::new(name, line);
    let mut l = loader.clone();
    let doc = PartialDocument::parse(&src, &mut l)
        .and_then(|d| d.over(base).finish(&src))
        .map_err(|e| {
            let diags: Vec<String> = e.diagnostics.iter().map(ToString::to_string).collect();
            json!({
                "error": {
                    "message": e.message,
                    "line": e.line,
                    "column": e.column,
                    "path": e.path,
                    "diagnostics": diags,
                }
            })
            .to_string()
            .into_bytes()
        })?;
    let ev = evaluate(&doc.policies, &doc.request);
    let resp = Response::with_detail(&ev, &doc.policies, &doc.request, doc.id, detail);
    let mut out = Vec::with_capacity(1024);
    serde_json::to_writer(&mut out, &resp).map_err(|e| {
        json!({ "error": { "message": e.to_string() } })
            .to_string()
            .into_bytes()
    })?;
    Ok(out)
}

pub fn run(a: BatchArgs) -> u8 {
    if let Some(j) = a.jobs {
        if rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .is_err()
        {
            eprintln!("error: cannot start {j} worker threads");
            return EXIT_INPUT;
        }
    }
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
        _ => (Box::new(std::io::stdin().lock()), "<stdin>".to_string(), cwd.clone()),
    };
    let loader = FsLoader::new(&base_dir);
    let mut base = PartialDocument::default();
    if let Some(bp) = &a.base {
        match crate::read_document(bp, "base", &loader) {
            Ok((d, _)) => {
                for w in d.warnings() {
                    eprint!("{}", w.render());
                }
                base = d;
            }
            Err(code) => return code,
        }
    }
    if !a.no_clock {
        base = base.over(&crate::clock_document());
    }
    // Lines that name no policies share the base's set instead of copying it.
    base.share_policies();
    let mut lines = BufReader::with_capacity(1 << 20, reader).lines();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut lineno = 0usize;
    let mut bad = false;
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
        for line in lines.by_ref() {
            lineno += 1;
            match line {
                Ok(l) if l.trim().is_empty() => continue,
                Ok(l) => chunk.push((lineno, l)),
                Err(e) => {
                    eprintln!("error: {name}:{lineno}: {e}");
                    bad = true;
                    break;
                }
            }
            if chunk.len() == CHUNK {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let detail = match a.detail {
            DetailArg::Brief => Detail::Brief,
            DetailArg::Full => Detail::Full,
        };
        let answers: Vec<Result<Vec<u8>, Vec<u8>>> = chunk
            .par_iter()
            .map(|(n, l)| answer(l, format!("{name}:{n}"), &base, &loader, detail))
            .collect();
        for r in answers {
            let s = match r {
                Ok(s) => s,
                Err(s) => {
                    bad = true;
                    s
                }
            };
            if out.write_all(&s).and_then(|()| out.write_all(b"\n")).is_err() {
                return EXIT_INPUT;
            }
        }
    }
    if out.flush().is_err() {
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
