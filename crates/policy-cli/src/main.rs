//! `policy-sim`: would this AWS request be allowed, and why not?

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = policy_cli::Cli::parse();
    ExitCode::from(policy_cli::run(cli))
}
