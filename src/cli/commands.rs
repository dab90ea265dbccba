//! What each command does: turn its arguments into the library's options, call the library, hand
//! the outcome to [`Report`].

use clap::CommandFactory;
use guidepress::diag::{Problem, Problems};
use guidepress::editions::{self, BuildOptions};
use guidepress::watch::Event;
use guidepress::{Error, Project};

use super::record;
use super::report::{Report, plural};
use super::{BuildArgs, Cli, Command, ContactsAction, ContactsArgs, NewWhat, OrdersAction};
use guidepress::scaffold::{self, NewEdition};

/// Runs the command `cli` names.
pub fn run(cli: Cli, report: &Report) -> Result<(), Error> {
    let cli = &cli;
    match &cli.command {
        Command::Build(args) => {
            let options = build_options(cli, args, report);
            match guidepress::press::up_to_date_fast(&cli.project, &options) {
                Some(built) => report.built(&built, false),
                None => {
                    let project = load(cli, true)?;
                    let built = guidepress::press::build(&project, &options)?;
                    report.built(&built, args.timings);
                    super::corrections::remind(&project, &built, report)?;
                }
            }
        }
        Command::Check(jobs) => check(&load(cli, true)?, jobs, report)?,
        Command::Ship(args) => ship(cli, args, report)?,
        Command::Watch(args) => watch(cli, &load(cli, true)?, args, report)?,
        Command::Export(args) => {
            let files = guidepress::export::export(&load(cli, false)?, &args.id, &args.dir)?;
            report.exported(files.len(), &args.dir);
        }
        Command::Contacts(args) => contacts(&load(cli, args.sheet.is_some())?, args, report)?,
        Command::Translations(args) => super::translations::run(&load(cli, false)?, args, report)?,
        Command::Orders(OrdersAction::Template { file }) => {
            let project = load(cli, false)?;
            for path in guidepress::ship::template::write_template(&project.root, &project.edition_ids(), file)? {
                report.wrote(&path, "order book");
            }
        }
        Command::Preview(args) => {
            for path in editions::preview(&load(cli, true)?, &args.id, args.page, cli.out.as_deref())? {
                println!("{}", path.display());
            }
        }
        Command::Printed(args) => record::printed(cli, &load(cli, false)?, args, report)?,
        Command::Shipments(args) => record::shipments(&load(cli, false)?, args, report)?,
        Command::Stock => record::stock(&load(cli, false)?)?,
        Command::Records(action) => record::records(&load(cli, false)?, action, report)?,
        Command::Corrections(args) => super::corrections::run(cli, &load(cli, true)?, args, report)?,
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "guidepress", &mut std::io::stdout());
        }
        Command::Man => {
            let page = clap_mangen::Man::new(Cli::command());
            page.render(&mut std::io::stdout()).map_err(|e| Error::io("<stdout>", e))?;
        }
        Command::Changes(args) => {
            let out = guidepress::output::out_dir(&cli.project, cli.out.as_deref());
            let changes = guidepress::review::changes::load(&out)?;
            print!("{}", guidepress::review::changes::text(&changes, &args.ids)?);
        }
        Command::Init(args) => {
            let id = args.country.to_ascii_lowercase();
            let edition = NewEdition { id: &id, country: &args.country, languages: &args.languages };
            let created = scaffold::init(&args.dir, &cli.project, &edition, &guidepress::project::document_date())?;
            report.created(&created, &args.dir);
        }
        Command::New(args) => {
            let NewWhat::Edition(e) = &args.what;
            let edition = NewEdition { id: &e.id, country: &e.country, languages: &e.languages };
            let chapters = scaffold::chapter_files(&cli.project);
            report.created(&scaffold::new_edition(&cli.project, &edition, &chapters)?, &cli.project);
        }
    }
    Ok(())
}

/// `check`: every edition compiled; unconfirmed passages and translations behind as notes; each
/// edition's standing.
fn check(project: &Project, jobs: &super::JobsArg, report: &Report) -> Result<(), Error> {
    let checked = editions::check(project, jobs.jobs)?;
    let all: Vec<_> = project.editions.iter().collect();
    let behind: Vec<_> = project
        .translations_behind(&all)
        .into_iter()
        .map(|(c, ids)| {
            let what =
                format!("{} {}, printed in {}; build --final refuses it", c.short(), c.standing.word(), ids.join(", "));
            (guidepress::project::translations::location(c), what)
        })
        .collect();
    let standings: Vec<_> = all.iter().map(|e| (e.id.clone(), project.standing_line(e))).collect();
    report.checked(&checked, project.unconfirmed_passages(&all), &behind, &standings);
    Ok(())
}

/// Loads the project of `--project`; `typesets` starts reading the fonts while it loads.
fn load(cli: &Cli, typesets: bool) -> Result<Project, Error> {
    if typesets {
        guidepress::typeset::fonts::prefetch(&cli.project);
    }
    if !cli.project.join(guidepress::project::CONFIG).exists() {
        // Said here, not by the library, because the advice names the command line's ways.
        let why = format!(
            "not found in {}; run guidepress in a project folder, pass --project DIR or set GUIDEPRESS_PROJECT",
            cli.project.display()
        );
        return Err(Problems(vec![Problem::file(guidepress::project::CONFIG, why)]).into());
    }
    let mut project = Project::load(&cli.project)?;
    if let Some(record) = &cli.record {
        project.records.path =
            std::path::absolute(record).unwrap_or_else(|_| record.clone()).to_string_lossy().into_owned();
    }
    Ok(project)
}

/// `ship`: labels, packing sheets and a pick list for what is owed (or `--reprint`, `--dry-run`).
fn ship(cli: &Cli, args: &super::ShipArgs, report: &Report) -> Result<(), Error> {
    if let Some(batch) = &args.reprint {
        return record::reprint(&load(cli, false)?, batch, report);
    }
    let project = load(cli, true)?;
    let options = guidepress::ship::ShipOptions {
        orders: args.orders.clone().unwrap_or_default(),
        stock: args.stock.clone(),
        start: args.start,
        out: cli.out.clone(),
        jobs: args.jobs.jobs,
        sheet: args.sheet.clone(),
        progress: report.progress(),
        dry_run: args.dry_run,
        date: None,
    };
    report.shipped(&guidepress::press::ship(&project, &options)?, args.timings, args.dry_run);
    Ok(())
}

/// `watch`: one line per round that rebuilt something.
fn watch(cli: &Cli, project: &Project, args: &super::WatchArgs, report: &Report) -> Result<(), Error> {
    let options =
        BuildOptions { ids: args.ids.clone(), jobs: args.jobs.jobs, out: cli.out.clone(), ..Default::default() };
    project.select(&options.ids)?;
    guidepress::watch::watch(&cli.project, &options, |event| match event {
        Event::Built { editions, took, reading } => {
            report.watch_round(&editions, took);
            if args.timings {
                report.watch_timings(&editions, reading);
            }
        }
        Event::Failed(e) => report.watch_failed(&e),
        Event::Waiting => report.watching(),
    })
}

/// The library's options for `build`.
fn build_options(cli: &Cli, args: &BuildArgs, report: &Report) -> BuildOptions {
    BuildOptions {
        ids: args.ids.clone(),
        jobs: args.jobs.jobs,
        out: cli.out.clone(),
        final_: args.final_,
        force: args.force,
        shard: args.shard,
        progress: report.progress(),
    }
}

/// `contacts`: the table on stdout, the files asked for, the counts on stderr; or `contacts verify`.
fn contacts(project: &Project, args: &ContactsArgs, report: &Report) -> Result<(), Error> {
    use guidepress::contacts::{self, verify};
    if let Some(ContactsAction::Verify(v)) = &args.action {
        let request = verify::Verification {
            edition: &v.edition,
            contact: &v.contact,
            on: &v.on,
            source: &v.source,
            today: guidepress::model::date::today_anywhere(),
        };
        report.verified(&verify::verify(project, &request)?, &v.on);
        return Ok(());
    }
    let list = guidepress::project::standing::report(project, &args.ids)?;
    // Everything is made before anything is written.
    let sheet = args.sheet.as_ref().map(|_| contacts::sheet::call_sheet(project, &list)).transpose()?;
    let csv = args.csv.as_ref().map(|_| contacts::spreadsheet::to_csv(&list));
    print!("{}", contacts::table::table(&list));
    if let (Some(path), Some(bytes)) = (&args.csv, csv) {
        guidepress::output::write_atomic(path, &bytes)?;
        report.wrote(path, &format!("{} contacts", list.rows.len()));
    }
    if let (Some(path), Some(sheet)) = (&args.sheet, sheet) {
        report.warnings(&sheet.warnings);
        guidepress::output::write_atomic(path, &sheet.pdf)?;
        report.wrote(path, &format!("call sheet, {} page{}", sheet.pages, plural(sheet.pages)));
    }
    report.line(list.summary());
    Ok(())
}
