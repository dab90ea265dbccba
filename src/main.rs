//! The guidepress command: parse arguments, run the library, print the outcome, exit with its code.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};
use guidepress::{Error, Project, build};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let project = Project::load(&cli.project)?;
    match cli.command {
        Command::Build(args) => {
            let options =
                build::BuildOptions { ids: args.ids, jobs: args.jobs.jobs, out: cli.out, final_: args.final_ };
            for b in build::build(&project, &options)? {
                eprint!("{}", b.warnings);
                eprintln!(
                    "built {:<4} {:>3} pages  {:>6.2} s  {}",
                    b.id,
                    b.pages,
                    b.elapsed.as_secs_f64(),
                    b.path.display()
                );
            }
        }
        Command::Check(jobs) => {
            for (id, pages, warnings) in build::check(&project, jobs.jobs)? {
                eprint!("{warnings}");
                eprintln!("ok {id:<4} {pages:>3} pages");
            }
        }
        Command::Preview(args) => {
            for path in build::preview(&project, &args.id, args.page, cli.out.as_deref())? {
                println!("{}", path.display());
            }
        }
    }
    Ok(())
}
