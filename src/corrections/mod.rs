//! Corrections for copies already in the field: `corrections` lists every shipped print code
//! whose printed contacts are no longer today's, with who holds it; `corrections make` writes
//! stickers, notices, labels and a recipients list for them and records what was sent.
//!
//! The comparison is pure ([`diff`]); the documents come from layouts/corrections.typ
//! ([`render`]). A make run holds the record's write lock from reading what is owed to recording
//! what it wrote: its files are written into a partial folder first, the batch is committed,
//! then the folder is renamed into place (a run stopped in between is completed by the next).

pub mod diff;
pub mod render;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::model::contact::{Contact, Status};
use crate::model::correction::correction_lines;
use crate::model::date::Date;
use crate::model::record::{CorrectionBatch, ShipmentFilter};
use crate::project::{Edition, Project};
use crate::records::{Reader, Record};

pub use diff::{Entry, Holder, Outdated};

/// What `corrections` found.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Print codes with outdated entries (with every holder, corrected or not).
    pub outdated: Vec<Outdated>,
    /// Why there is nothing to compare (no record, nothing shipped), when so.
    pub nothing: Option<String>,
}

/// Options of `corrections make`.
#[derive(Debug, Clone, Default)]
pub struct MakeOptions {
    /// Stickers per entry per recipient beyond the copies shipped.
    pub spares: u64,
    /// Label stock for the address labels (default: the shipping default).
    pub stock: Option<String>,
    /// Show what would be made; write and record nothing.
    pub dry_run: bool,
    /// The date recorded (default: today or `SOURCE_DATE_EPOCH`'s day).
    pub date: Option<Date>,
    /// Output folder (default `<project>/out`).
    pub out: Option<PathBuf>,
}

/// What `corrections make` made (or, with `dry_run`, would make).
#[derive(Debug, Clone, Default)]
pub struct Made {
    /// The correction batch's id (none for a dry run or when nothing is owed).
    pub id: Option<String>,
    /// The folder written.
    pub dir: Option<PathBuf>,
    /// The groups (recipient × print code) corrected.
    pub groups: Vec<render::Group>,
    /// The files written, with their sizes.
    pub files: Vec<(PathBuf, usize)>,
    /// Why nothing was made, when so.
    pub nothing: Option<String>,
    /// Copies whose recipients were forgotten: no correction can reach them.
    pub unreachable: u64,
}

const NO_RECORD: &str = "there is no record of shipments yet, so no copies to correct";

/// Every shipped print code of `editions` whose printed contacts differ from today's.
pub fn list(project: &Project, editions: &[&Edition]) -> Result<Listing, Error> {
    let Some(record) = Record::open_existing(&project.record_path())? else {
        return Ok(Listing { nothing: Some(NO_RECORD.into()), ..Listing::default() });
    };
    let read = record.read();
    let outdated = outdated(&read, editions)?;
    let nothing = match read.shipments(&ShipmentFilter::default())?.is_empty() {
        true => Some("nothing has been shipped yet, so no copies to correct".to_string()),
        false => None,
    };
    Ok(Listing { outdated, nothing })
}

fn outdated(read: &Reader, editions: &[&Edition]) -> Result<Vec<Outdated>, Error> {
    let ids: Vec<&str> = editions.iter().map(|e| e.id.as_str()).collect();
    let releases: Vec<_> = read.releases(None)?.into_iter().filter(|r| ids.contains(&r.edition.as_str())).collect();
    let shipments = read.shipments(&ShipmentFilter::default())?;
    let today: BTreeMap<String, &[Contact]> = editions.iter().map(|e| (e.id.clone(), e.contacts.as_slice())).collect();
    let corrected = read.correction_lines()?;
    Ok(diff::outdated(&diff::Inputs {
        releases: &releases,
        shipments: &shipments,
        today: &today,
        corrected: &corrected,
    }))
}

/// Writes `out/corrections/<id>/` stickers.pdf, notices.pdf, labels.pdf and recipients.csv for
/// every recipient still owed a correction, and records them; nothing is written or recorded
/// unless every step succeeds.
pub fn make(project: &Project, editions: &[&Edition], options: &MakeOptions) -> Result<Made, Error> {
    let stock = crate::model::stock::choose(options.stock.as_deref(), 0)?;
    let path = project.record_path();
    let mut record = match options.dry_run {
        true => Record::open_existing(&path)?,
        false => match path.exists() {
            true => Some(Record::open(&path)?),
            false => None,
        },
    };
    let Some(record) = record.as_mut() else {
        return Ok(Made { nothing: Some(NO_RECORD.into()), ..Made::default() });
    };
    let out = crate::output::out_dir(&project.root, options.out.as_deref());
    let tx = record.write()?;
    recover(&tx.read(), project, &out)?;
    let found = outdated(&tx.read(), editions)?;
    let unreachable = found.iter().map(|o| o.forgotten_copies).sum();
    let groups = render::groups(project, &found, options.spares);
    if groups.is_empty() {
        tx.commit()?;
        let nothing = "no copies in the field are owed a correction".to_string();
        return Ok(Made { nothing: Some(nothing), unreachable, ..Made::default() });
    }
    check_truth(&groups)?;
    let date = options.date.unwrap_or_else(Date::now);
    let docs = render::documents(project, &groups, stock, date)?;
    if options.dry_run {
        return Ok(Made { groups, unreachable, ..Made::default() });
    }
    let id = tx.next_correction_id(&date.to_string())?;
    let dir = out.join("corrections").join(&id);
    let partial = partial_dir(&dir);
    let files = write_partial(&partial, &docs)?;
    let batch = CorrectionBatch {
        id: id.clone(),
        kind: "make".into(),
        date: date.to_string(),
        out_dir: project.folder_key(&dir),
        files: docs.iter().map(|(n, b)| (n.clone(), crate::output::sha256_hex(b))).collect(),
    };
    tx.add_correction(&batch, &correction_lines(&groups))?;
    tx.commit()?;
    std::fs::rename(&partial, &dir).map_err(|e| Error::io(&dir, e))?;
    let files = files.into_iter().map(|(name, n)| (dir.join(name), n)).collect();
    Ok(Made { id: Some(id), dir: Some(dir), groups, files, nothing: None, unreachable })
}

/// A correction carries only entries that would pass `build --final`: every contact it prints
/// (the new entry, or a removed one's replacement) confirmed and not overdue.
fn check_truth(groups: &[render::Group]) -> Result<(), Error> {
    let mut problems = Problems::default();
    let mut seen = Vec::new();
    for g in groups {
        for c in g.entries.iter().flat_map(|e| e.contact.iter().chain(&e.replacement)) {
            if c.status == Status::Verified || seen.contains(&&c.id) {
                continue;
            }
            seen.push(&c.id);
            let state = if c.status == Status::Stale { "overdue for confirmation" } else { "not confirmed" };
            let message = format!(
                "contact \"{}\" is {state}, and a correction prints only confirmed entries; confirm it \
                 (`guidepress contacts verify {} {} --on DATE --source TEXT`), then make the correction",
                c.display_name(),
                g.edition,
                c.id
            );
            problems.push(Problem::located(&c.origin, message));
        }
    }
    problems.into_result().map_err(Error::from)
}

/// Where a batch's files are written before it is recorded.
fn partial_dir(dir: &Path) -> PathBuf {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dir.with_file_name(format!(".{name}.partial"))
}

fn write_partial(partial: &Path, docs: &[(String, Vec<u8>)]) -> Result<Vec<(String, usize)>, Error> {
    if partial.exists() {
        std::fs::remove_dir_all(partial).map_err(|e| Error::io(partial, e))?;
    }
    std::fs::create_dir_all(partial).map_err(|e| Error::io(partial, e))?;
    let mut files = Vec::new();
    for (name, bytes) in docs {
        crate::output::write_atomic(&partial.join(name), bytes)?;
        files.push((name.clone(), bytes.len()));
    }
    Ok(files)
}

/// Completes a recorded batch whose folder was not renamed into place (a run stopped after
/// recording), and removes partial folders no batch recorded (a run stopped before).
fn recover(read: &Reader, project: &Project, out: &Path) -> Result<(), Error> {
    let batches = read.corrections()?;
    for b in batches.iter().filter(|b| b.kind == "make") {
        let dir = project.root.join(&b.out_dir);
        let partial = partial_dir(&dir);
        if !dir.exists() && partial.exists() {
            std::fs::rename(&partial, &dir).map_err(|e| Error::io(&dir, e))?;
        }
    }
    let folder = out.join("corrections");
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(()) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".partial") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}
