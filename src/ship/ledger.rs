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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::model::record::{Batch, ShipmentFilter};
    use crate::records::Record;

    fn line(row: usize, order: &str, edition: &str, copies: u32) -> OrderLine {
        crate::ship::orders::test_line(row, order, edition, copies)
    }

    /// Copies per (order id, edition).
    type Sent = BTreeMap<(String, String), u64>;

    fn release(edition: &str) -> Release {
        Release {
            print_code: format!("{}-1-0000", edition.to_uppercase()),
            edition: edition.into(),
            guide_version: "1".into(),
            guide_date: "2026-01-01".into(),
            is_final: true,
            contacts: Vec::new(),
            chapters: Vec::new(),
        }
    }

    /// One `ship` run's recording, as `ship` does it: what is owed, drawn, recorded; returns the
    /// batch id and the copies per (order, edition) it recorded.
    fn ship(record: &mut Record, book: &[OrderLine]) -> Option<(String, Sent)> {
        let tx = record.write().unwrap();
        let owed = owed(&tx.read(), book).ok()?;
        if owed.lines.is_empty() {
            return None;
        }
        let current: BTreeMap<String, Release> = ["nz", "jp"].iter().map(|e| (e.to_string(), release(e))).collect();
        for r in current.values() {
            tx.put_release(r).unwrap();
        }
        let (parts, _) = draw(&tx, &owed.lines, &current).unwrap();
        let lines = shipment_lines(&owed.lines, &parts);
        let id = tx.next_batch_id("2026-12-07").unwrap();
        let batch = Batch {
            id: id.clone(),
            orders_file: "orders.csv".into(),
            orders_sha256: String::new(),
            date: "2026-12-07".into(),
            stock: "avery-l7163".into(),
            start: 0,
            out_dir: "out/shipping/orders".into(),
            files: Vec::new(),
            voided: None,
        };
        tx.add_batch(&batch, &lines).unwrap();
        tx.commit().unwrap();
        let mut sent = BTreeMap::new();
        for l in &lines {
            *sent.entry((l.order_id.clone(), l.edition.clone())).or_default() += l.copies;
        }
        Some((id, sent))
    }

    /// A step of a random history: ship an order book whose lines ask for these copies, or void
    /// one of the batches so far.
    #[derive(Debug, Clone)]
    enum Step {
        Ship(Vec<(u8, bool, u32)>),
        Void(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => prop::collection::vec((0u8..5, any::<bool>(), 1u32..6), 1..6).prop_map(Step::Ship),
            1 => (0usize..8).prop_map(Step::Void),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Over any history of order books, ships and voids: what the record counts as shipped
        /// per line never exceeds what the latest book orders, and equals the copies of the
        /// batches not voided (which are what their labels show: see the integration tests).
        #[test]
        fn shipped_never_exceeds_ordered(steps in prop::collection::vec(step(), 1..10)) {
            let dir = tempfile::tempdir().unwrap();
            let mut record = Record::open(&dir.path().join("r.sqlite")).unwrap();
            let mut ordered: BTreeMap<(String, String), u32> = BTreeMap::new();
            // (batch id, copies it sent, voided)
            let mut batches: Vec<(String, Sent, bool)> = Vec::new();
            for s in steps {
                match s {
                    Step::Ship(rows) => {
                        // Order books only grow: a line keeps at least the copies it asked before.
                        let mut book: BTreeMap<(String, String), u32> = ordered.clone();
                        for (order, jp, copies) in rows {
                            let key = (format!("O{order}"), if jp { "jp" } else { "nz" }.to_string());
                            let entry = book.entry(key).or_insert(0);
                            *entry += copies;
                        }
                        let lines: Vec<OrderLine> = book
                            .iter()
                            .enumerate()
                            .map(|(i, ((o, e), n))| line(i + 2, o, e, *n))
                            .collect();
                        ordered = book;
                        if let Some((id, sent)) = ship(&mut record, &lines) {
                            batches.push((id, sent, false));
                        }
                    }
                    Step::Void(i) => {
                        if let Some(b) = batches.get_mut(i).filter(|b| !b.2) {
                            let tx = record.write().unwrap();
                            tx.void(&b.0, "2026-12-08", "returned").unwrap();
                            tx.commit().unwrap();
                            b.2 = true;
                        }
                    }
                }
                let mut recorded: BTreeMap<(String, String), u64> = BTreeMap::new();
                for s in record.read().shipments(&ShipmentFilter::default()).unwrap() {
                    if !s.voided {
                        *recorded.entry((s.line.order_id.clone(), s.line.edition.clone())).or_default() += s.line.copies;
                    }
                }
                let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
                for (_, sent, voided) in &batches {
                    for (k, n) in sent.iter().filter(|_| !voided) {
                        *expected.entry(k.clone()).or_default() += n;
                    }
                }
                prop_assert_eq!(&recorded, &expected);
                for (k, n) in &recorded {
                    prop_assert!(*n <= u64::from(ordered[k]), "{:?}: {} shipped, {} ordered", k, n, ordered[k]);
                }
            }
            // A last ship of the latest book leaves every line shipped exactly as ordered.
            let lines: Vec<OrderLine> =
                ordered.iter().enumerate().map(|(i, ((o, e), n))| line(i + 2, o, e, *n)).collect();
            ship(&mut record, &lines);
            let keys: Vec<(String, String)> = ordered.keys().cloned().collect();
            let shipped = record.read().shipped(&keys).unwrap();
            for (k, n) in &ordered {
                prop_assert_eq!(shipped.get(k).map_or(0, |s| s.copies), u64::from(*n));
            }
        }
    }

    #[test]
    fn fewer_copies_than_shipped_is_a_problem_on_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = Record::open(&dir.path().join("r.sqlite")).unwrap();
        ship(&mut record, &[line(2, "A", "nz", 5)]).unwrap();
        let tx = record.write().unwrap();
        let found = owed(&tx.read(), &[line(7, "A", "nz", 3)]).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 7);
        assert!(
            found[0].1.starts_with(
                "order A asks for 3 copies of `nz`, but 5 were already shipped (batch 20261207-1 of 2026-12-07)"
            ),
            "{found:?}"
        );
    }
}
