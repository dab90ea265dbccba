//! `corrections [ID...] [--csv FILE]` and `corrections make [ID...] [--spares N] [--stock NAME]
//! [--dry-run]`: copies in the field whose contacts changed, and what to send their holders.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use guidepress::corrections::{self, MakeOptions};
use guidepress::{Error, Project};

use super::Cli;
use super::report::Report;

/// `corrections` options.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CorrectionsArgs {
    /// Make the stickers, notices and labels instead of listing.
    #[command(subcommand)]
    pub action: Option<CorrectionsAction>,
    /// Only these editions (default: all).
    #[arg(value_name = "ID")]
    pub editions: Vec<String>,
    /// Also write the list as a CSV file (one row per change and recipient).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// `corrections` subcommands.
#[derive(Debug, Subcommand)]
pub enum CorrectionsAction {
    /// Write out/corrections/<batch>/: stickers.pdf, notices.pdf, labels.pdf and recipients.csv
    /// for every recipient still owed a correction, and record that they were sent.
    Make {
        /// Only these editions (default: all).
        #[arg(value_name = "ID")]
        editions: Vec<String>,
        /// Extra stickers per entry for each recipient.
        #[arg(long, value_name = "N", default_value_t = 0)]
        spares: u64,
        /// Label stock for the address labels (avery-l7163, avery-5163, thermal-4x6).
        #[arg(long, value_name = "NAME")]
        stock: Option<String>,
        /// Show what would be made; write and record nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs `corrections`.
pub fn run(cli: &Cli, project: &Project, args: &CorrectionsArgs, report: &Report) -> Result<(), Error> {
    match &args.action {
        None => {
            let editions = select(project, &args.editions)?;
            let listing = corrections::list(project, &editions)?;
            let csv = args.csv.as_ref().map(|_| corrections::table::csv(&listing)).transpose()?;
            print!("{}", corrections::table::text(&listing));
            if let (Some(path), Some(bytes)) = (&args.csv, csv) {
                guidepress::output::write_atomic(path, &bytes)?;
                report.wrote(path, "the corrections owed, one row per change and recipient");
            }
        }
        Some(CorrectionsAction::Make { editions, spares, stock, dry_run }) => {
            let editions = select(project, editions)?;
            let options = MakeOptions {
                spares: *spares,
                stock: stock.clone(),
                dry_run: *dry_run,
                date: None,
                out: cli.out.clone(),
            };
            let made = corrections::make(project, &editions, &options)?;
            made_report(&made, *dry_run, report);
        }
    }
    Ok(())
}

fn select<'a>(project: &'a Project, ids: &[String]) -> Result<Vec<&'a guidepress::project::Edition>, Error> {
    match ids.is_empty() {
        true => Ok(project.editions.iter().collect()),
        false => project.select(ids),
    }
}

fn made_report(made: &corrections::Made, dry_run: bool, report: &Report) {
    if let Some(why) = &made.nothing {
        report.line(why.clone());
    }
    let stickers: u64 = made.groups.iter().flat_map(|g| &g.entries).map(|e| e.stickers).sum();
    if !made.groups.is_empty() {
        let verb = if dry_run { "would correct" } else { "correcting" };
        report.line(format!(
            "{verb} the copies of {} recipient{} ({stickers} stickers){}",
            made.groups.len(),
            if made.groups.len() == 1 { "" } else { "s" },
            if dry_run { "; nothing written or recorded (--dry-run)" } else { "" }
        ));
    }
    for (path, bytes) in &made.files {
        report.wrote(path, &format!("{bytes} bytes"));
    }
    if let Some(id) = &made.id {
        report.line(format!("recorded as correction batch {id}"));
    }
    if made.unreachable > 0 {
        report.line(format!(
            "{} copies went to recipients whose details were forgotten: no correction can reach them",
            made.unreachable
        ));
    }
}

/// After a build: a note per rebuilt edition whose copies in the field now carry contacts that
/// changed, with recipients not yet sent a correction (so staff learn it where they look).
pub fn remind(project: &Project, built: &[guidepress::editions::Built], report: &Report) -> Result<(), Error> {
    let rebuilt: Vec<String> = built.iter().filter(|b| b.rebuilt.is_some()).map(|b| b.id.clone()).collect();
    if rebuilt.is_empty() {
        return Ok(());
    }
    let editions: Vec<_> = project.editions.iter().filter(|e| rebuilt.contains(&e.id)).collect();
    for o in corrections::list(project, &editions)?.outdated {
        let owed = o.holders.iter().filter(|h| !h.corrected()).count();
        if owed > 0 {
            let copies: u64 = o.holders.iter().filter(|h| !h.corrected()).map(|h| h.copies).sum();
            report.line(format!(
                "note: {copies} copies of {} ({}) already sent to {owed} recipient{} print contacts that changed; \
                 `guidepress corrections {}` lists them, `corrections make {}` writes their stickers",
                o.print_code,
                o.edition,
                if owed == 1 { "" } else { "s" },
                o.edition,
                o.edition
            ));
        }
    }
    Ok(())
}
