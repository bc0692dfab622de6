//! `policy-sim who-can`: who can act on a resource of an estate, and under which
//! conditions.

use clap::Args;
use policy_core::analysis::{WhoCan, WhoCanAnswer, WhoCanQuery, WhoCanResult};
use rayon::prelude::*;

use crate::Format;

#[derive(Debug, Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    question: crate::estate::QuestionArgs,
    /// The resource ARN.
    #[arg(long)]
    resource: String,
    /// The actions to ask about (repeat); none: every action the service catalog lists
    /// for the resource's type.
    #[arg(long = "action", value_name = "ACTION")]
    actions: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Print how long loading the estate and answering took, on standard error.
    #[arg(long)]
    timings: bool,
}

/// Runs `work` on `jobs` threads (all cores when `None`).
pub(crate) fn pool(jobs: Option<usize>) -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .ok()
}

/// A progress bar on standard error for `n` steps of work: shown only on a terminal
/// and when the work is long enough to need one.
pub(crate) fn progress(n: usize, what: &str) -> indicatif::ProgressBar {
    let bar = if n >= 2000 {
        indicatif::ProgressBar::new(n as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

pub fn run(a: WhoCanArgs) -> u8 {
    let started = std::time::Instant::now();
    let (context, estate, loaded) = match crate::estate::question_inputs(&a.question) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let q = WhoCanQuery {
        resource: a.resource.clone(),
        actions: a.actions.clone(),
        context,
    };
    let mut prepared = std::time::Duration::ZERO;
    let mut ask = || {
        let t = std::time::Instant::now();
        let wc = WhoCan::new(&estate, q.clone());
        prepared = t.elapsed();
        who_can(&wc)
    };
    let answer = match pool(a.jobs) {
        Some(pool) => pool.install(ask),
        None => ask(),
    };
    if a.timings {
        eprintln!(
            "timings: load {:.1} ms, who-can {:.1} ms (preparing {:.1} ms)",
            loaded.as_secs_f64() * 1e3,
            (started.elapsed() - loaded).as_secs_f64() * 1e3,
            prepared.as_secs_f64() * 1e3
        );
    }
    let out = match a.format {
        Format::Json => crate::pretty_json(&answer),
        Format::Human => Ok(human(&answer)),
    };
    if let Err(code) = crate::print_answer(out, estate) {
        return code;
    }
    0
}

/// Answers `wc` on the current rayon pool: the candidate principals in parallel, one
/// resolver per chunk.
fn who_can(wc: &WhoCan<'_>) -> WhoCanAnswer {
    let candidates = wc.principals();
    let bar = progress(candidates.len(), "principals");
    let mut results: Vec<WhoCanResult> = candidates
        .par_chunks(256)
        .flat_map_iter(|chunk| {
            let mut resolver = wc.estate().resolver();
            let out: Vec<WhoCanResult> = chunk.iter().flat_map(|&i| wc.principal(&mut resolver, i)).collect();
            bar.inc(chunk.len() as u64);
            out
        })
        .collect();
    bar.finish_and_clear();
    results.extend(wc.external(&mut wc.estate().resolver()));
    wc.answer_of(results, candidates.len())
}

/// The access levels in the order people read them.
const LEVELS: &[&str] = &["List", "Read", "Write", "Permissions management", "Tagging"];

/// The answer for people: a table per access level.
pub(crate) fn human(a: &WhoCanAnswer) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "Who can act on {} ({} action{}; {} of {} principals evaluated, the others cannot be allowed)\n",
        a.resource,
        a.actions.len(),
        if a.actions.len() == 1 { "" } else { "s" },
        a.evaluated,
        a.principals
    ));
    for n in &a.notes {
        o.push_str(&format!("note: {n}\n"));
    }
    if a.results.is_empty() {
        o.push_str("\nNo principal is allowed.\n");
        return o;
    }
    let level_of = |r: &WhoCanResult| r.access_level.unwrap_or("Other");
    let mut levels: Vec<&str> = LEVELS.to_vec();
    for r in &a.results {
        if !levels.contains(&level_of(r)) {
            levels.push(level_of(r));
        }
    }
    for level in levels {
        let rows: Vec<&WhoCanResult> = a.results.iter().filter(|r| level_of(r) == level).collect();
        if rows.is_empty() {
            continue;
        }
        let mut t = comfy_table::Table::new();
        t.load_style(comfy_table::presets::ASCII_MARKDOWN);
        t.set_header(vec!["principal", "action", "decision", "only if"]);
        for r in rows {
            let who = if r.external {
                format!("{} ({}, outside)", r.principal, r.kind)
            } else {
                r.principal.clone()
            };
            t.add_row(vec![
                who,
                r.action.clone(),
                format!("{:?}", r.answer.decision),
                r.answer.description.clone().unwrap_or_default(),
            ]);
        }
        o.push_str(&format!("\n{level}:\n{t}\n"));
    }
    o
}
