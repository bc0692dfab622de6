//! `policy-sim`: would this AWS request be allowed, and why not?

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: `batch` allocates many small, short-lived values per request line on every
/// core, where the system allocator is the bottleneck (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match policy_cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors; a usage error exits with a code
            // no decision uses (not clap's 2, which is `eval`'s ExplicitDeny).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { policy_cli::EXIT_USAGE } else { 0 });
        }
    };
    ExitCode::from(policy_cli::run(cli))
}
