//! `policy-sim`: would this AWS request be allowed, and why not?

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: `batch` allocates many small, short-lived values per request line on every
/// core, where the system allocator is the bottleneck (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = policy_cli::Cli::parse();
    ExitCode::from(policy_cli::run(cli))
}
