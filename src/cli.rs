//! The command line: clap types (here), what each command does with the library
//! (`commands.rs`) and every status line it prints on stderr (`report.rs`). Only the binary sees
//! this module; the library takes plain options.

pub mod bug;
pub mod commands;
pub mod corrections;
pub mod record;
pub mod report;
pub mod translations;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Typesets per-country guidebook editions and turns order batches into shipping labels.
#[derive(Debug, Parser)]
#[command(name = "guidepress", version, about)]
pub struct Cli {
    /// The project folder (holding guidepress.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR", env = "GUIDEPRESS_PROJECT")]
    pub project: PathBuf,
    /// Where outputs go (default: <project>/out).
    #[arg(long, global = true, value_name = "DIR", env = "GUIDEPRESS_OUT")]
    pub out: Option<PathBuf>,
    /// The record of print runs and shipments (default: `records.path` of guidepress.toml,
    /// records/guidepress.sqlite).
    #[arg(long, global = true, value_name = "FILE", env = "GUIDEPRESS_RECORD")]
    pub record: Option<PathBuf>,
    /// How errors and warnings are printed: `human` (with the source excerpt, like typst) or
    /// `short` (file:line:col: message, one per line, for editors' tools).
    #[arg(long, global = true, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub diagnostic_format: DiagnosticFormat,
    /// Print no status lines or progress (errors and warnings still go to stderr).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Typeset editions into out/editions/<id>.pdf.
    Build(BuildArgs),
    /// Validate data and layouts of every edition; write nothing.
    Check(JobsArg),
    /// Render pages of one edition to PNG under out/preview/<id>/.
    Preview(PreviewArgs),
    /// Rebuild the editions a change affects, until stopped (Ctrl-C).
    Watch(WatchArgs),
    /// Write one edition as a plain Typst project (same pages with typst-cli).
    Export(ExportArgs),
    /// Turn an orders file into labels, packing sheets and a pick list under out/shipping/<stem>/.
    Ship(ShipArgs),
    /// List every contact with when it was last confirmed and when it is due again (table, CSV,
    /// call sheet PDF); `contacts verify` records a confirmation.
    Contacts(ContactsArgs),
    /// Where each translated chapter stands against its source chapter (current, outdated, never
    /// confirmed, missing); `--diff LANG CHAPTER` shows what to re-translate, `translations
    /// confirm` records a checked translation.
    Translations(TranslationsArgs),
    /// Make a new project in DIR that builds at once: one edition, one chapter per language, the
    /// layouts and fonts of the current project (--project) copied.
    Init(InitArgs),
    /// Add something to the project: `new edition ID --country CC --languages ko,xx`.
    New(NewArgs),
    /// Print a completion script for a shell (e.g. `guidepress completions bash`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `guidepress man | man -l -`.
    Man,
    /// Print what the last build changed, per edition: contacts field by field, chapters, and
    /// the pages to proofread (the same as out/index.html and out/review/changes.json).
    Changes(ChangesArgs),
    /// Order books: `orders template FILE.xlsx|FILE.csv` writes an empty one to fill in.
    #[command(subcommand)]
    Orders(OrdersAction),
    /// Record a print run of an edition's current build (its print code and copies).
    Printed(PrintedArgs),
    /// Who received what, when (from the record); `shipments void` and `shipments forget`.
    Shipments(ShipmentsArgs),
    /// Per edition and print code: copies printed, shipped and left, and whether the contacts
    /// they carry are still today's.
    Stock,
    /// The record itself: `records backup FILE` writes a consistent copy.
    #[command(subcommand)]
    Records(RecordsAction),
    /// Copies in the field whose contacts changed: who holds them, and (`corrections make`)
    /// stickers, notices and labels to send them.
    Corrections(corrections::CorrectionsArgs),
}

/// `printed` options.
#[derive(Debug, Args)]
pub struct PrintedArgs {
    /// The edition printed (its current build: run `guidepress build` first).
    #[arg(value_name = "EDITION")]
    pub edition: String,
    /// Copies that came back from the printer.
    #[arg(long, value_name = "N")]
    pub copies: u64,
    /// The day they were printed, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// A note (printer, invoice …).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
    /// Record a run of a draft build (unconfirmed contacts or passages) all the same.
    #[arg(long)]
    pub draft: bool,
}

/// `shipments` options.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ShipmentsArgs {
    /// Void a batch, or forget old personal data, instead of listing.
    #[command(subcommand)]
    pub action: Option<ShipmentsAction>,
    /// Only this edition.
    #[arg(long, value_name = "ID")]
    pub edition: Option<String>,
    /// Only copies of this print code.
    #[arg(long, value_name = "CODE")]
    pub print_code: Option<String>,
    /// Also write the lines (with addresses) as a CSV file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// `shipments` subcommands.
#[derive(Debug, Subcommand)]
pub enum ShipmentsAction {
    /// Mark a batch as not sent: its lines no longer count, and the next `ship` sends them again.
    Void {
        /// The batch id, as `ship` and `shipments` print it (e.g. 20261207-1).
        #[arg(value_name = "BATCH")]
        batch: String,
        /// Why it did not go out.
        #[arg(long, value_name = "TEXT")]
        why: String,
    },
    /// Reduce shipments recorded before DATE to counts: organisations, recipients, addresses,
    /// e-mails and the batches' files are removed; order ids, editions, print codes, countries
    /// and copies stay, so every total and "already shipped" stays true.
    Forget {
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        before: String,
    },
}

/// `records` subcommands.
#[derive(Debug, Subcommand)]
pub enum RecordsAction {
    /// Write a consistent copy of the record to FILE (not overwritten), even while other
    /// commands run.
    Backup {
        /// The copy to write.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// `orders` subcommands.
#[derive(Debug, Subcommand)]
pub enum OrdersAction {
    /// Write an empty order book: the header row, notes on each column, and (in .xlsx) lists
    /// of the editions and country codes. Never overwrites a file.
    Template {
        /// The file to write: .xlsx, or .csv (with its column notes in FILE.columns.txt).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// The file, line and column with the source excerpt and hints, like typst-cli.
    Human,
    /// `file:line:col: error: message`, one per line.
    Short,
}

/// `init` options.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of the new project (new or empty).
    pub dir: PathBuf,
    /// The country of its first edition (ISO 3166 alpha-2; the edition id is its lower case).
    #[arg(long, value_name = "CC", default_value = "US")]
    pub country: String,
    /// The languages of its first edition, in print order.
    #[arg(long, value_name = "ko,xx", value_delimiter = ',', default_value = "ko,en")]
    pub languages: Vec<String>,
}

/// `new` options.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to add.
    #[command(subcommand)]
    pub what: NewWhat,
}

/// What `new` adds.
#[derive(Debug, Subcommand)]
pub enum NewWhat {
    /// A new edition file, editions/ID.toml, with the country's name and a contact to fill in.
    Edition(NewEditionArgs),
}

/// `new edition` options.
#[derive(Debug, Args)]
pub struct NewEditionArgs {
    /// The edition id (lower-case letters, digits and dashes).
    pub id: String,
    /// The country (ISO 3166 alpha-2).
    #[arg(long, value_name = "CC")]
    pub country: String,
    /// The languages in print order.
    #[arg(long, value_name = "ko,xx", value_delimiter = ',', required = true)]
    pub languages: Vec<String>,
}

/// `completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `changes` options.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// Edition ids (default: all).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
}

/// `build` options.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Edition ids to build (default: all).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Refuse editions with unverified or stale contacts.
    #[arg(long = "final")]
    pub final_: bool,
    /// Rebuild every selected edition, even when up to date.
    #[arg(long)]
    pub force: bool,
    /// Build only the I-th of N slices of the editions (for spreading a build over machines).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Print the time of each stage (load, compile, export, write) per edition.
    #[arg(long)]
    pub timings: bool,
    /// Worker threads.
    #[command(flatten)]
    pub jobs: JobsArg,
}

/// `--jobs N`.
#[derive(Debug, Args)]
pub struct JobsArg {
    /// Number of editions typeset at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N", env = "GUIDEPRESS_JOBS")]
    pub jobs: Option<usize>,
}

/// `preview` options.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The edition id.
    pub id: String,
    /// Only this page (1-based).
    #[arg(long, value_name = "N")]
    pub page: Option<usize>,
}

/// `ship` options.
#[derive(Debug, Args)]
pub struct ShipArgs {
    /// The orders file (CSV, .xlsx or .ods), e.g. orders/2026-11.csv.
    #[arg(value_name = "ORDERS", required_unless_present = "reprint")]
    pub orders: Option<PathBuf>,
    /// The sheet of an .xlsx or .ods orders file to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Label stock: avery-l7163 (A4, 14 per sheet; default), avery-5163 (Letter, 10), thermal-4x6.
    #[arg(long, value_name = "NAME")]
    pub stock: Option<String>,
    /// Label positions already used on the first sheet, to skip.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub start: usize,
    /// Print how long each stage took (orders, page counts, plan, forms, labels, packing sheets, writing).
    #[arg(long)]
    pub timings: bool,
    /// Show what would ship (copies still owed, print codes) and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the files of an earlier batch again, byte for byte, from the record; record nothing.
    #[arg(long, value_name = "BATCH")]
    pub reprint: Option<String>,
    /// Worker threads.
    #[command(flatten)]
    pub jobs: JobsArg,
}

/// `watch` options.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Edition ids to keep built (default: all).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Print, for each round that rebuilt something, the time of each stage: reading the
    /// project, then per edition load, compile, export and write, and each file's own time.
    #[arg(long)]
    pub timings: bool,
    /// Worker threads.
    #[command(flatten)]
    pub jobs: JobsArg,
}

/// `export` options.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The edition id.
    pub id: String,
    /// The folder to write the Typst project into.
    pub dir: PathBuf,
}

/// `contacts` options.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ContactsArgs {
    /// Record a confirmation instead of listing.
    #[command(subcommand)]
    pub action: Option<ContactsAction>,
    /// Edition ids whose contacts to list (default: all).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Also write the list as a CSV file for a spreadsheet.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write a call sheet to print (A4 landscape PDF): one row per contact, with boxes to tick.
    #[arg(long, value_name = "FILE.pdf")]
    pub sheet: Option<PathBuf>,
}

/// `contacts` subcommands.
#[derive(Debug, Subcommand)]
pub enum ContactsAction {
    /// Record that a contact was confirmed: sets its `verified` and `source` in the TOML file.
    Verify(VerifyArgs),
}

/// `contacts verify` options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The edition id whose file holds the contact, or `shared` for the contacts of guidepress.toml.
    pub edition: String,
    /// The contact's id (as `guidepress contacts` lists it).
    pub contact: String,
    /// The day the details were confirmed, YYYY-MM-DD (not after today).
    #[arg(long, value_name = "DATE")]
    pub on: String,
    /// Where they were confirmed (e.g. "phoned the hotline").
    #[arg(long, value_name = "TEXT")]
    pub source: String,
}

/// `translations` options.
#[derive(Debug, Args)]
pub struct TranslationsArgs {
    /// Record a checked translation instead of listing.
    #[command(subcommand)]
    pub action: Option<TranslationsAction>,
    /// Languages to list (default: every translation language).
    #[arg(value_name = "LANG")]
    pub langs: Vec<String>,
    /// Also write the list as a CSV file for a spreadsheet.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Print the source paragraphs that changed since LANG's CHAPTER was confirmed.
    #[arg(long, num_args = 2, value_names = ["LANG", "CHAPTER"], conflicts_with = "csv")]
    pub diff: Option<Vec<String>>,
}

/// `translations` subcommands.
#[derive(Debug, Subcommand)]
pub enum TranslationsAction {
    /// Record that a translated chapter says what its source says now.
    Confirm(ConfirmArgs),
}

/// `translations confirm` options.
#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// The translation's language (e.g. en).
    pub lang: String,
    /// The chapter: its number (03) or file name.
    pub chapter: String,
    /// Who checked the translation against the source.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// The day it was checked, YYYY-MM-DD (default: today; not after today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
}

/// Parses `I/N` for `--shard` (1 ≤ I ≤ N).
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{text}` must be I/N with 1 ≤ I ≤ N, e.g. --shard 2/3");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn shards() {
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
        assert_eq!(parse_shard("3/2").unwrap_err(), "`3/2` must be I/N with 1 ≤ I ≤ N, e.g. --shard 2/3");
        assert!(parse_shard("0/2").is_err());
    }
}
