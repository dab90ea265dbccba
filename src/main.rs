//! The guidepress command: parse arguments, run the library, print the outcome, exit with its code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cli::bug::install(cli::bug::command_line());
    let cli = cli::Cli::parse();
    let report = cli::report::Report { quiet: cli.quiet, format: cli.diagnostic_format };
    match cli::commands::run(cli, &report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report.error(&e);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
