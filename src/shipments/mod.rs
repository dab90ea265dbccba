//! The record's own commands: `printed` (a print run of an edition's current build), `stock`
//! (per print code: printed, shipped, left, and whether its contacts are still today's),
//! `shipments` (who received what, when; `void`, `forget`) and `records backup`. `ship` writes
//! batches itself (src/ship/ledger.rs); this module reads them back and keeps the record.

pub mod table;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
use crate::model::date::Date;
use crate::model::fields::{Fields, printed_fields};
use crate::model::record::{PrintRun, Release, Shipment, ShipmentFilter, StockRow};
use crate::project::Project;
use crate::records::Record;

/// What `printed` recorded.
#[derive(Debug, Clone)]
pub struct PrintedRun {
    /// The run, as recorded.
    pub run: PrintRun,
    /// Whether this was the first print run (or shipment) of its print code.
    pub new_release: bool,
}

/// Records a print run of `copies` copies of `release` (the edition's current build) on `on`.
/// A draft is recorded only when `draft` says so.
pub fn printed(
    project: &Project,
    release: &Release,
    copies: u64,
    on: Date,
    note: &str,
    draft: bool,
) -> Result<PrintedRun, Error> {
    if copies == 0 {
        return Err(Error::Usage("--copies must be at least 1".into()));
    }
    if !release.is_final && !draft {
        return Err(Error::Refused(format!(
            "edition {} ({}) is a draft: some of its contacts are unconfirmed or stale, or a passage is marked \
             unconfirmed; confirm them and build again, or record the run with --draft if draft copies were really \
             printed",
            release.edition, release.print_code
        )));
    }
    let mut record = Record::open(&project.record_path())?;
    let tx = record.write()?;
    let new_release = tx.put_release(release)?;
    let run = PrintRun {
        print_code: release.print_code.clone(),
        edition: release.edition.clone(),
        copies,
        date: on.to_string(),
        note: note.to_string(),
        draft: !release.is_final,
    };
    tx.add_print_run(&run)?;
    tx.commit()?;
    Ok(PrintedRun { run, new_release })
}

/// The record, if the project has one yet.
fn existing(project: &Project) -> Result<Option<Record>, Error> {
    Record::open_existing(&project.record_path())
}

/// Shipment lines matching `filter`, newest first; none when there is no record yet. A print
/// code the record does not know is an error listing the ones it knows.
pub fn shipments(project: &Project, filter: &ShipmentFilter) -> Result<Vec<Shipment>, Error> {
    let Some(record) = existing(project)? else { return Ok(Vec::new()) };
    let read = record.read();
    if let Some(code) = &filter.print_code {
        let known: Vec<String> = read.releases(None)?.into_iter().map(|r| r.print_code).collect();
        if !known.contains(code) {
            return Err(Error::Refused(format!(
                "{} knows no print code {code}; it knows: {}",
                project.record_path().display(),
                if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
            )));
        }
    }
    read.shipments(filter)
}

/// One print code in stock, with what today's data says of its contacts.
#[derive(Debug, Clone)]
pub struct StockLine {
    /// Printed, shipped, left.
    pub row: StockRow,
    /// The contacts it prints that no longer read as today's data says (changed or removed,
    /// by name), and today's contacts it lacks; empty when it is current. `None` when the
    /// record holds no release for it.
    pub outdated: Option<Vec<String>>,
}

/// Per edition and print code: printed, shipped, left, and whether its contacts are current.
pub fn stock(project: &Project) -> Result<Vec<StockLine>, Error> {
    let Some(record) = existing(project)? else { return Ok(Vec::new()) };
    let read = record.read();
    let mut out = Vec::new();
    for row in read.stock()? {
        let outdated = read.release(&row.print_code)?.map(|r| outdated_contacts(project, &r));
        out.push(StockLine { row, outdated });
    }
    Ok(out)
}

/// The contacts of `release` whose printed fields differ from today's data of its edition, and
/// today's contacts it does not print (all of them when the edition is gone).
pub fn outdated_contacts(project: &Project, release: &Release) -> Vec<String> {
    let Some(edition) = project.edition(&release.edition) else {
        return vec![format!("edition {} is no longer in the project", release.edition)];
    };
    let today: BTreeMap<String, Fields> = edition.contacts.iter().map(|c| (c.id.clone(), printed_fields(c))).collect();
    let printed: BTreeMap<String, Fields> = release.contacts.iter().map(|c| (c.id.clone(), c.fields.clone())).collect();
    let diff = crate::model::fields::diff_contacts(&printed, &today);
    let mut out: Vec<String> = diff.contacts_changed.iter().map(|c| format!("{} changed", c.name)).collect();
    out.extend(diff.contacts_removed.iter().map(|c| format!("{} removed", c.name)));
    out.extend(diff.contacts_added.iter().map(|c| format!("{} added", c.name)));
    out
}

/// Marks batch `id` as not sent: its lines no longer count as shipped (a later `ship` sends
/// them again).
pub fn void(project: &Project, id: &str, why: &str, on: Date) -> Result<(), Error> {
    if why.trim().is_empty() {
        return Err(Error::Usage("--why must say why the batch did not go out".into()));
    }
    let Some(mut record) = existing(project)? else {
        return Err(Error::Refused(format!(
            "there is no record yet ({}), so no batch {id} to void",
            project.record_path().display()
        )));
    };
    let tx = record.write()?;
    tx.void(id, &on.to_string(), why)?;
    tx.commit()
}

/// Removes the personal data (organisation, recipient, address, e-mail, and the batches' files)
/// of shipments recorded before `before`, keeping every count; returns the lines reduced.
pub fn forget(project: &Project, before: Date) -> Result<u64, Error> {
    let Some(mut record) = existing(project)? else { return Ok(0) };
    let mut tx = record.write()?;
    let n = tx.forget(&before.to_string())?;
    tx.commit()?;
    Ok(n)
}

/// Writes a consistent copy of the record to `dest` (which must not exist), while other commands
/// may be running.
pub fn backup(project: &Project, dest: &Path) -> Result<(), Error> {
    let Some(record) = existing(project)? else {
        return Err(Error::Refused(format!("there is no record yet ({}) to back up", project.record_path().display())));
    };
    record.backup(dest)
}

/// Writes the files of batch `id` again into the folder it wrote them to, byte for byte, from
/// the record (nothing is recorded); returns each file written with its size.
pub fn reprint(project: &Project, id: &str) -> Result<Vec<(std::path::PathBuf, usize)>, Error> {
    let Some(record) = existing(project)? else {
        return Err(Error::Refused(format!(
            "there is no record yet ({}), so no batch {id}",
            project.record_path().display()
        )));
    };
    let read = record.read();
    let Some((batch, _)) = read.batch(id)? else {
        let known: Vec<String> = read.batches()?.into_iter().rev().take(10).map(|b| b.id).collect();
        return Err(Error::Refused(format!(
            "there is no batch {id} in {}; the last batches are: {}",
            project.record_path().display(),
            if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
        )));
    };
    let files = read.batch_files(id)?;
    if files.is_empty() {
        return Err(Error::Refused(format!(
            "batch {id}'s files are no longer in the record (`shipments forget` removed them with its personal data)"
        )));
    }
    let dir = project.root.join(&batch.out_dir);
    crate::output::write_verified(&dir, &files, &batch.files)?;
    Ok(files.iter().map(|(name, bytes)| (dir.join(name), bytes.len())).collect())
}
