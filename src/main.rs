//! The `salle` binary: parses the command line and runs the chosen command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = salle::cli::Cli::parse();
    salle::telemetry::init(cli.json_logs());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("salle: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(salle::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line a person can act on: the chain of contexts, no backtrace.
            eprintln!("salle: {e:#}");
            ExitCode::FAILURE
        }
    }
}
