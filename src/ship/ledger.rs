//! What a shipping run reads from and writes to the record (`records/guidepress.sqlite`): per
//! order line, the copies still owed (ordered − already shipped in batches not voided); the print
//! codes the copies are drawn from (print runs, oldest first, then the current build); and the
//! batch itself — its lines and its files, byte for byte — in the one transaction the run holds
//! from start to end, so that two runs at once never ship a line twice.
//!
//! The record is the commit point: the batch is recorded, then its files are put in place. A run
//! stopped between the two leaves a recorded batch whose folder still shows older files; the next
//! run on that folder puts the recorded files in place first ([`recover`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::model::record::{Release, ShipmentLine, Shipped};
use crate::output::sha256_hex;
use crate::records::{Reader, Tx};
use crate::ship::orders::OrderLine;

/// An order line that was already shipped in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlreadyShipped {
    /// Its row in the orders file.
    pub row: usize,
    /// Its order id.
    pub order_id: String,
    /// Its edition.
    pub edition: String,
    /// The copies it orders, all shipped.
    pub copies: u64,
    /// The batches that shipped them, (id, date).
    pub batches: Vec<(String, String)>,
}

/// The order lines split by what the record says of them.
#[derive(Debug, Clone, Default)]
pub struct Owed {
    /// Lines with copies still owed, `copies` set to what is owed (rows as in the file).
    pub lines: Vec<OrderLine>,
    /// Lines shipped in full already.
    pub already: Vec<AlreadyShipped>,
    /// Lines whose copies were raised since they were shipped: (row, shipped before).
    pub topped_up: Vec<(usize, u64)>,
}

/// Splits `lines` into what is owed and what was shipped already. A line ordering fewer copies
/// than were shipped is a problem naming its row (the orders file must not undo a shipment).
pub fn owed(read: &Reader, lines: &[OrderLine]) -> Result<Owed, Vec<(usize, String)>> {
    let keys: Vec<(String, String)> = lines.iter().map(|l| (l.order_id.clone(), l.edition.clone())).collect();
    let shipped = read.shipped(&keys).map_err(|e| vec![(0, e.to_string())])?;
    let mut out = Owed::default();
    let mut problems = Vec::new();
    for l in lines {
        let before = shipped.get(&(l.order_id.clone(), l.edition.clone())).cloned().unwrap_or_default();
        let ordered = u64::from(l.copies);
        match ordered.cmp(&before.copies) {
            std::cmp::Ordering::Less => problems.push((l.row, fewer_than_shipped(l, &before))),
            std::cmp::Ordering::Equal => out.already.push(AlreadyShipped {
                row: l.row,
                order_id: l.order_id.clone(),
                edition: l.edition.clone(),
                copies: ordered,
                batches: before.batches,
            }),
            std::cmp::Ordering::Greater => {
                let mut line = l.clone();
                line.copies = u32::try_from(ordered - before.copies).unwrap_or(u32::MAX);
                if before.copies > 0 {
                    out.topped_up.push((l.row, before.copies));
                }
                out.lines.push(line);
            }
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

fn fewer_than_shipped(l: &OrderLine, before: &Shipped) -> String {
    let batches: Vec<String> = before.batches.iter().map(|(id, date)| format!("{id} of {date}")).collect();
    format!(
        "order {} asks for {} cop{} of `{}`, but {} were already shipped (batch {}); a shipment cannot be undone by \
         the orders file: write the copies shipped, or void the batch with `guidepress shipments void BATCH --why \
         TEXT` if it never left",
        l.order_id,
        l.copies,
        if l.copies == 1 { "y" } else { "ies" },
        l.edition,
        before.copies,
        batches.join(", ")
    )
}

/// (print code, copies) parts of one order line's copies.
pub type Parts = Vec<(String, u64)>;

/// The parts of every order line, and the warnings about copies the stock did not cover.
pub type Drawn = (Vec<Parts>, Vec<String>);

/// The print codes the owed copies come from, per order line (same order as `lines`): drawn
/// from print runs oldest first, per edition in file order; what the stock cannot cover comes
/// from the edition's current build (`current`), with a warning.
pub fn draw(tx: &Tx, lines: &[OrderLine], current: &BTreeMap<String, Release>) -> Result<Drawn, Error> {
    let mut per_edition: BTreeMap<&str, u64> = BTreeMap::new();
    for l in lines {
        *per_edition.entry(&l.edition).or_default() += u64::from(l.copies);
    }
    let mut pools: HashMap<&str, Vec<(String, u64)>> = HashMap::new();
    let mut warnings = Vec::new();
    // Editions with no printed stock at all, said in one line: (edition, copies, draft).
    let mut unstocked: Vec<(&str, u64, bool)> = Vec::new();
    for (edition, copies) in per_edition {
        let drawn = tx.draw(edition, copies)?;
        let mut pool = drawn.from;
        if drawn.short > 0 {
            let Some(release) = current.get(edition) else {
                return Err(Error::internal(format!("no current build of edition {edition} to ship from")));
            };
            let stock = copies - drawn.short;
            if stock == 0 {
                unstocked.push((edition, copies, !release.is_final));
            } else {
                warnings.push(format!(
                    "edition {edition}: {copies} copies to ship and {stock} left of its recorded print runs; the other \
                     {} are recorded as copies of its current build, {}{}",
                    drawn.short,
                    release.print_code,
                    if release.is_final { "" } else { " (a draft)" }
                ));
            }
            pool.push((release.print_code.clone(), drawn.short));
        }
        pools.insert(edition, pool);
    }
    if !unstocked.is_empty() {
        let names: Vec<&str> = unstocked.iter().map(|(e, _, _)| *e).collect();
        let copies: u64 = unstocked.iter().map(|(_, n, _)| n).sum();
        let drafts = unstocked.iter().filter(|(_, _, d)| *d).count();
        warnings.insert(
            0,
            format!(
                "no print run is recorded for {} (`guidepress printed EDITION --copies N` records one): {copies} \
                 copies are recorded as copies of the current build{}{}",
                names.join(", "),
                if names.len() == 1 { "" } else { "s" },
                match drafts {
                    0 => String::new(),
                    1 if names.len() == 1 => ", which is a draft".to_string(),
                    n if n == names.len() => ", which are drafts".to_string(),
                    n => format!(", {n} of them drafts"),
                }
            ),
        );
    }
    let mut out = Vec::new();
    for l in lines {
        let pool = pools.get_mut(l.edition.as_str()).expect("every edition drawn");
        out.push(take(pool, u64::from(l.copies)));
    }
    Ok((out, warnings))
}

/// Like [`draw`] for a dry run without a record: every copy from the current build.
pub fn draw_without_record(lines: &[OrderLine], current: &BTreeMap<String, Release>) -> Drawn {
    let code = |e: &str| current.get(e).map(|r| r.print_code.clone()).unwrap_or_default();
    (lines.iter().map(|l| vec![(code(&l.edition), u64::from(l.copies))]).collect(), Vec::new())
}

/// Takes `n` copies from the front of `pool`: (print code, copies) parts.
fn take(pool: &mut Vec<(String, u64)>, mut n: u64) -> Vec<(String, u64)> {
    let mut parts = Vec::new();
    while n > 0 && !pool.is_empty() {
        let k = pool[0].1.min(n);
        parts.push((pool[0].0.clone(), k));
        pool[0].1 -= k;
        n -= k;
        if pool[0].1 == 0 {
            pool.remove(0);
        }
    }
    parts
}

/// The record's lines of a batch: one per order line and print code.
pub fn shipment_lines(lines: &[OrderLine], codes: &[Vec<(String, u64)>]) -> Vec<ShipmentLine> {
    let mut out = Vec::new();
    for (l, parts) in lines.iter().zip(codes) {
        let address: Vec<String> = crate::ship::view::address_lines(l).into_iter().map(|line| line.text).collect();
        for (code, copies) in parts {
            out.push(ShipmentLine {
                order_id: l.order_id.clone(),
                edition: l.edition.clone(),
                print_code: code.clone(),
                copies: *copies,
                organization: l.organization.clone(),
                recipient: l.recipient.clone(),
                address: address.join("\n"),
                country: l.country.clone(),
                email: l.email.clone(),
                row: u32::try_from(l.row).unwrap_or(u32::MAX),
            });
        }
    }
    out
}

/// Puts in place the files of the last batch recorded for the folder `dir` (named `rel` in the
/// record) when they are not there: a run stopped after recording its batch and before its files
/// were all renamed into place. Returns the batch completed, if any.
pub fn recover(read: &Reader, dir: &Path, rel: &str) -> Result<Option<String>, Error> {
    let Some(batch) = read.latest_batch_in(rel)? else { return Ok(None) };
    let current = |name: &str| std::fs::read(dir.join(name)).ok().map(|b| sha256_hex(&b));
    if batch.files.iter().all(|(name, sha)| current(name).as_deref() == Some(sha.as_str())) {
        return Ok(None);
    }
    let files = read.batch_files(&batch.id)?;
    if files.is_empty() {
        return Ok(None);
    }
    crate::output::write_verified(dir, &files, &batch.files)?;
    Ok(Some(batch.id))
}

/// Order-line problems found against the record, located in `file`.
pub fn problems(file: &str, found: Vec<(usize, String)>) -> Problems {
    Problems(
        found
            .into_iter()
            .map(|(row, message)| Problem { file: file.to_string(), line: Some(row), column: None, message })
            .collect(),
    )
}
