//! The guidepress command: parse arguments, run the library, print the outcome, exit with its code.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};
use guidepress::watch::Event;
use guidepress::{Error, Project, build};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                Error::Usage(_) | Error::Io { .. } | Error::Refused(_) => eprintln!("error: {e}"),
                _ => eprintln!("{e}"),
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    if let Command::Build(args) = &cli.command
        && let Some(report) = fast_no_op(&cli, args)
    {
        for b in report {
            eprintln!("up to date {:<4} {:>3} pages", b.id, b.pages);
        }
        return Ok(());
    }
    // Every command but export and contacts typesets: read the fonts while the project loads.
    let typesets = match &cli.command {
        Command::Export(_) | Command::Orders(_) => false,
        Command::Contacts(args) => args.sheet.is_some(),
        _ => true,
    };
    if typesets {
        guidepress::typeset::fonts::prefetch(&cli.project);
    }
    let project = Project::load(&cli.project)?;
    match cli.command {
        Command::Build(args) => {
            let shard = args.shard.as_deref().map(build::parse_shard).transpose().map_err(Error::Usage)?;
            let options = build::BuildOptions {
                ids: args.ids,
                jobs: args.jobs.jobs,
                out: cli.out,
                final_: args.final_,
                force: args.force,
                shard,
            };
            for b in build::build(&project, &options)? {
                eprint!("{}", b.warnings);
                match &b.rebuilt {
                    Some(why) => eprintln!(
                        "built      {:<4} {:>3} pages {:>7.2} s  ({why})",
                        b.id,
                        b.pages,
                        b.elapsed.as_secs_f64()
                    ),
                    None => eprintln!("up to date {:<4} {:>3} pages", b.id, b.pages),
                }
                if args.timings && b.rebuilt.is_some() {
                    let t = b.timings;
                    eprintln!(
                        "           load {:.3} s  compile {:.3} s  export {:.3} s  write {:.3} s",
                        t.load.as_secs_f64(),
                        t.compile.as_secs_f64(),
                        t.export.as_secs_f64(),
                        t.write.as_secs_f64()
                    );
                }
            }
        }
        Command::Check(jobs) => {
            for (id, pages, warnings) in build::check(&project, jobs.jobs)? {
                eprint!("{warnings}");
                eprintln!("ok {id:<4} {pages:>3} pages");
            }
            let editions: Vec<_> = project.editions.iter().collect();
            for (at, ids) in project.unconfirmed_passages(&editions) {
                eprintln!(
                    "note: {}:{}:{}: unconfirmed passage, printed marked in {}; build --final refuses it",
                    at.file,
                    at.line,
                    at.column,
                    ids.join(", ")
                );
            }
        }
        Command::Ship(args) => {
            let options = guidepress::ship::ShipOptions {
                orders: args.orders,
                stock: args.stock,
                start: args.start,
                out: cli.out,
                jobs: args.jobs.jobs,
                sheet: args.sheet,
            };
            let report = guidepress::ship::ship(&project, &options)?;
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            for (path, what) in &report.files {
                eprintln!("wrote {}  ({what})", path.display());
            }
            if args.timings {
                eprintln!("{}", report.timings);
            }
        }
        Command::Watch(args) => {
            let options =
                build::BuildOptions { ids: args.ids, jobs: args.jobs.jobs, out: cli.out, ..Default::default() };
            build::select(&project, &options.ids)?;
            guidepress::watch::watch(&cli.project, &options, |event| match event {
                Event::Built(built, took) => {
                    // One line per round: which editions were rebuilt and why.
                    let rebuilt: Vec<String> = built
                        .iter()
                        .inspect(|b| eprint!("{}", b.warnings))
                        .filter_map(|b| b.rebuilt.as_ref().map(|why| format!("{} ({why})", b.id)))
                        .collect();
                    if rebuilt.is_empty() {
                        eprintln!("up to date: {} edition{}", built.len(), if built.len() == 1 { "" } else { "s" });
                    } else {
                        eprintln!("rebuilt {} in {:.2} s", rebuilt.join(", "), took.as_secs_f64());
                    }
                }
                Event::Failed(e) => eprintln!("{e}\nthe last good PDFs are kept"),
                Event::Waiting => eprintln!("watching for changes (Ctrl-C to stop)"),
            })?;
        }
        Command::Export(args) => {
            let files = guidepress::export::export(&project, &args.id, &args.dir)?;
            eprintln!("wrote {} files to {}", files.len(), args.dir.display());
            eprintln!("typst compile --font-path {0}/fonts --ignore-system-fonts {0}/main.typ", args.dir.display());
        }
        Command::Contacts(args) => contacts(&project, args)?,
        Command::Orders(cli::OrdersAction::Template { file }) => {
            for path in guidepress::ship::template::write_template(&project.root, &project.edition_ids(), &file)? {
                eprintln!("wrote {}", path.display());
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

/// `contacts`: the table on stdout, the files asked for, the counts on stderr; or `contacts verify`.
fn contacts(project: &Project, args: cli::ContactsArgs) -> Result<(), Error> {
    use guidepress::contacts::{self, verify};
    if let Some(cli::ContactsAction::Verify(v)) = args.action {
        let request = verify::Verification {
            edition: &v.edition,
            contact: &v.contact,
            on: &v.on,
            source: &v.source,
            today: contacts::today_anywhere(),
        };
        let done = verify::verify(project, &request)?;
        let was = done.was.map_or("never confirmed before".to_string(), |d| format!("was {d}"));
        eprintln!("recorded {}:{}: `{}` verified = {} ({was})", done.file, done.line, done.id, v.on);
        eprintln!("the next build rebuilds {}", done.editions.join(", "));
        return Ok(());
    }
    let report = contacts::report(project, &args.ids)?;
    // Everything is made before anything is written.
    let sheet = args.sheet.as_ref().map(|_| contacts::sheet::call_sheet(project, &report)).transpose()?;
    let csv = args.csv.as_ref().map(|_| contacts::spreadsheet::to_csv(&report));
    print!("{}", contacts::table::table(&report));
    if let (Some(path), Some(bytes)) = (&args.csv, csv) {
        guidepress::output::write_atomic(path, &bytes)?;
        eprintln!("wrote {}  ({} contacts)", path.display(), report.rows.len());
    }
    if let (Some(path), Some(sheet)) = (&args.sheet, sheet) {
        eprint!("{}", sheet.warnings);
        guidepress::output::write_atomic(path, &sheet.pdf)?;
        eprintln!(
            "wrote {}  (call sheet, {} page{})",
            path.display(),
            sheet.pages,
            if sheet.pages == 1 { "" } else { "s" }
        );
    }
    eprintln!("{}", report.summary());
    Ok(())
}

/// `build` when nothing changed since the last build: answered from the manifest alone.
fn fast_no_op(cli: &Cli, args: &cli::BuildArgs) -> Option<Vec<build::Built>> {
    let shard = match args.shard.as_deref().map(build::parse_shard) {
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => return None,
        None => None,
    };
    let options = build::BuildOptions {
        ids: args.ids.clone(),
        out: cli.out.clone(),
        final_: args.final_,
        force: args.force,
        shard,
        ..Default::default()
    };
    build::up_to_date_fast(&cli.project, &options)
}
