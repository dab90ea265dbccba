//! The record of print runs and shipments, through the command line as staff use it: an order
//! book shipped twice ships once, raised copies ship the difference, a voided batch ships again,
//! `--reprint` gives the same bytes, print runs are drawn oldest first, `stock` adds up, `forget`
//! keeps every total, a backup opens — and a `ship` killed at any moment, or two at once, never
//! ship a line twice or leave the files and the record disagreeing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use guidepress::model::record::ShipmentFilter;
use guidepress::output::sha256_hex;
use guidepress::records::Record;

use crate::support;

const HEADER: &str = "order_id,received,organization,recipient,email,phone,address_line1,address_line2,city,region,postal_code,country,edition,copies,notes\n";

/// An order book of `(order id, edition, copies)` lines, all to one New Zealand address each.
fn orders(root: &Path, name: &str, lines: &[(&str, &str, u32)]) -> PathBuf {
    let mut text = HEADER.to_string();
    for (id, edition, copies) in lines {
        text.push_str(&format!(
            "{id},2026-11-20,Org {id},Person {id},p{id}@example.org,,1 Queen St,,Auckland,,1010,NZ,{edition},{copies},\n"
        ));
    }
    let path = root.join("orders").join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Runs guidepress in the project folder, as staff do.
fn run(root: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guidepress")).current_dir(root).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), support::stderr(&out))
}

fn ok(root: &Path, args: &[&str]) -> String {
    let (success, _, err) = run(root, args);
    assert!(success, "guidepress {args:?} failed:\n{err}");
    err
}

fn record(root: &Path) -> Record {
    Record::open_existing(&root.join("records/guidepress.sqlite")).unwrap().expect("the record exists")
}

/// Copies shipped (batches not voided) per (order id, edition).
fn shipped(root: &Path) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for s in record(root).read().shipments(&ShipmentFilter::default()).unwrap() {
        if !s.voided {
            *out.entry((s.line.order_id.clone(), s.line.edition.clone())).or_default() += s.line.copies;
        }
    }
    out
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    ["labels.pdf", "packing.pdf", "picklist.csv", "summary.json"]
        .iter()
        .filter_map(|n| Some((n.to_string(), fs::read(dir.join(n)).ok()?)))
        .collect()
}

fn batch_of(stderr: &str) -> String {
    let line = stderr.lines().find(|l| l.starts_with("recorded batch ")).unwrap_or_else(|| panic!("{stderr}"));
    line["recorded batch ".len()..].split(':').next().unwrap().to_string()
}

#[test]
fn an_order_book_shipped_twice_ships_once_and_only_what_is_owed_after() {
    let dir = support::sample_copy();
    let root = dir.path();
    let book = [("A1", "nz", 10), ("A2", "nz", 4), ("A3", "au", 3)];
    orders(root, "week.csv", &book);
    let out = root.join("out/shipping/week");
    let first = ok(root, &["ship", "orders/week.csv"]);
    let b1 = batch_of(&first);
    assert_eq!(summary(&out)["copies"]["labelled"], 17);
    let written = files(&out);

    // Again: nothing owed, nothing written, exit 0, every line listed with its batch.
    let again = ok(root, &["ship", "orders/week.csv"]);
    assert!(again.contains("nothing owed: all 3 order lines of orders/week.csv were shipped already"), "{again}");
    assert!(again.contains(&format!("already shipped: row 2 order A1 nz ×10 (batch {b1} of ")), "{again}");
    assert_eq!(files(&out), written, "nothing was rewritten");

    // A folder that lost the files of the batch recorded last (a run stopped after recording
    // it, or a hand that deleted them) gets them back, byte for byte, from the record.
    fs::remove_file(out.join("labels.pdf")).unwrap();
    let again = ok(root, &["ship", "orders/week.csv"]);
    assert!(again.contains(&format!("put in place the files of batch {b1}")), "{again}");
    assert_eq!(files(&out), written);

    // One order raised from 10 to 15 copies, and one line added: only the difference ships.
    orders(root, "week.csv", &[("A1", "nz", 15), ("A2", "nz", 4), ("A3", "au", 3), ("A4", "au", 2)]);
    let b2 = batch_of(&ok(root, &["ship", "orders/week.csv"]));
    let s = summary(&out);
    assert_eq!(s["copies"]["ordered"], 7);
    assert_eq!(s["copies"]["labelled"], 7);
    assert_eq!(s["copies-per-edition"]["nz"], 5);
    let b2_files = files(&out);
    let want: BTreeMap<(String, String), u64> = [("A1", "nz", 15), ("A2", "nz", 4), ("A3", "au", 3), ("A4", "au", 2)]
        .iter()
        .map(|(o, e, n)| ((o.to_string(), e.to_string()), *n))
        .collect();
    assert_eq!(shipped(root), want);

    // Fewer copies than were shipped: an error naming the row; nothing written or recorded.
    orders(root, "week.csv", &[("A1", "nz", 12), ("A2", "nz", 4), ("A3", "au", 3), ("A4", "au", 2)]);
    let (success, _, err) = run(root, &["ship", "orders/week.csv"]);
    assert!(!success);
    assert!(
        err.contains("orders/week.csv:2: order A1 asks for 12 copies of `nz`, but 15 were already shipped"),
        "{err}"
    );
    assert_eq!(shipped(root), want);
    assert_eq!(files(&out), b2_files);

    // The first batch never left: voided, its copies are owed again.
    orders(root, "week.csv", &[("A1", "nz", 15), ("A2", "nz", 4), ("A3", "au", 3), ("A4", "au", 2)]);
    ok(root, &["shipments", "void", &b1, "--why", "returned by the courier"]);
    let (success, _, err) = run(root, &["shipments", "void", &b1, "--why", "again"]);
    assert!(!success && err.contains("already voided"), "{err}");
    let b3 = batch_of(&ok(root, &["ship", "orders/week.csv"]));
    assert_eq!(summary(&out)["copies"]["labelled"], 17, "the voided batch's copies ship again");
    assert_eq!(shipped(root), want);

    // --reprint writes the second batch's files again, byte for byte, and records nothing.
    let lines_before = record(root).read().shipments(&ShipmentFilter::default()).unwrap().len();
    ok(root, &["ship", "--reprint", &b2]);
    assert_eq!(files(&out), b2_files);
    assert_eq!(record(root).read().shipments(&ShipmentFilter::default()).unwrap().len(), lines_before);
    let (success, _, err) = run(root, &["ship", "--reprint", "19990101-1"]);
    assert!(!success && err.contains("there is no batch 19990101-1") && err.contains(&b3), "{err}");

    // Who received what: the list and the CSV name the organisations and print codes; a print
    // code the record does not know is an error, not an empty list.
    let (success, _, err) = run(root, &["shipments", "--print-code", "NZ-2026.1-0000"]);
    assert!(!success && err.contains("knows no print code NZ-2026.1-0000; it knows: "), "{err}");
    let (_, table, _) = run(root, &["shipments", "--edition", "au"]);
    assert!(table.contains("Org A4") && !table.contains("Org A1"), "{table}");
    ok(root, &["shipments", "--csv", "all.csv"]);
    let csv = fs::read_to_string(root.join("all.csv")).unwrap();
    assert_eq!(csv::Reader::from_reader(csv.as_bytes()).records().count(), lines_before, "{csv}");
    assert!(csv.contains(",A1,nz,") && csv.contains("Org A1") && csv.contains("pA1@example.org"), "{csv}");
}

#[test]
fn print_runs_are_drawn_oldest_first_and_stock_adds_up() {
    let dir = support::sample_copy();
    let root = dir.path();
    ok(root, &["build", "nz"]);
    let (success, _, err) = run(root, &["printed", "nz", "--copies", "20"]);
    assert!(!success && err.contains("is a draft"), "the sample's nz is a draft: {err}");
    ok(root, &["printed", "nz", "--copies", "20", "--draft", "--note", "first run"]);
    orders(root, "one.csv", &[("B1", "nz", 15)]);
    let err = ok(root, &["ship", "orders/one.csv"]);
    assert!(!err.contains("no print run"), "{err}");
    let first_code = record(root).read().stock().unwrap()[0].print_code.clone();

    // A number changes: a new build, a new print code, a new print run; the old stock goes first.
    support::edit(root, "editions/nz.toml", "0800 555 111", "0800 555 112");
    ok(root, &["build", "nz"]);
    ok(root, &["printed", "nz", "--copies", "10", "--draft"]);
    orders(root, "two.csv", &[("B2", "nz", 12)]);
    ok(root, &["ship", "orders/two.csv"]);
    let stock = record(root).read().stock().unwrap();
    let rows: Vec<(String, u64, u64)> = stock.iter().map(|r| (r.print_code.clone(), r.printed, r.shipped)).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], (first_code.clone(), 20, 20));
    assert_eq!((rows[1].1, rows[1].2), (10, 7));
    let pick = fs::read_to_string(root.join("out/shipping/two/picklist.csv")).unwrap();
    assert!(pick.contains(&format!("{first_code} ×5; {} ×7", rows[1].0)), "{pick}");
    let (_, table, _) = run(root, &["stock"]);
    let old = table.lines().find(|l| l.contains(&first_code)).unwrap();
    assert!(old.contains("OUTDATED: Crimestoppers (anonymous reports) changed"), "{table}");
    let new = table.lines().find(|l| l.contains(&rows[1].0)).unwrap();
    assert!(new.contains(" 3 ") && new.ends_with("current"), "{table}");
}

#[test]
fn forget_keeps_every_total_and_a_backup_opens_with_the_same_rows() {
    let dir = support::sample_copy();
    let root = dir.path();
    orders(root, "week.csv", &[("C1", "nz", 2), ("C2", "nz", 3)]);
    ok(root, &["ship", "orders/week.csv"]);
    let backup = root.join("backup.sqlite");
    ok(root, &["records", "backup", backup.to_str().unwrap()]);
    let (success, _, err) = run(root, &["records", "backup", backup.to_str().unwrap()]);
    assert!(!success, "a backup is never overwritten: {err}");
    let copy = Record::open(&backup).unwrap();
    let all = ShipmentFilter::default();
    assert_eq!(copy.read().shipments(&all).unwrap(), record(root).read().shipments(&all).unwrap());

    let before = record(root).read().stock().unwrap();
    let totals = shipped(root);
    ok(root, &["shipments", "forget", "--before", "2100-01-01"]);
    assert_eq!(record(root).read().stock().unwrap(), before);
    assert_eq!(shipped(root), totals);
    for s in record(root).read().shipments(&all).unwrap() {
        assert!(s.forgotten && s.line.organization.is_empty() && s.line.address.is_empty(), "{s:?}");
    }
    let bytes = fs::read(root.join("records/guidepress.sqlite")).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Org C1"), "the organisation is gone from the file");
    // Still nothing owed: the counts remember what went out.
    assert!(ok(root, &["ship", "orders/week.csv"]).contains("nothing owed"));
}

/// The files in `dir` and the record agree: the folder holds exactly the files of the last batch
/// recorded for it (or none, when none is), or — a run stopped between recording and renaming —
/// the recorded files wait under temporary names for the next run to put them in place.
fn agree(root: &Path, dir: &Path) -> bool {
    let Some(rec) = Record::open_existing(&root.join("records/guidepress.sqlite")).unwrap() else {
        return files(dir).is_empty();
    };
    let Some(batch) = rec.read().latest_batch_in("out/shipping/kill").unwrap() else {
        return files(dir).is_empty();
    };
    let hash = |p: &Path| fs::read(p).ok().map(|b| sha256_hex(&b));
    let temps: Vec<PathBuf> =
        fs::read_dir(dir).map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    batch.files.iter().all(|(name, sha)| {
        hash(&dir.join(name)).as_deref() == Some(sha)
            || temps.iter().any(|t| {
                t.file_name().unwrap().to_string_lossy().starts_with(&format!(".{name}.tmp-"))
                    && hash(t).as_deref() == Some(sha)
            })
    })
}

#[test]
fn a_ship_killed_at_any_moment_leaves_record_and_files_agreeing() {
    let dir = support::sample_copy();
    let root = dir.path();
    let lines: Vec<(String, &str, u32)> = (1..=12).map(|i| (format!("K{i}"), "nz", 1 + i % 4)).collect();
    let borrowed: Vec<(&str, &str, u32)> = lines.iter().map(|(o, e, n)| (o.as_str(), *e, *n)).collect();
    ok(root, &["build", "nz"]);
    let out = root.join("out/shipping/kill");
    // How long a whole run takes here, to spread the kills over it.
    let probe = support::sample_copy();
    ok(probe.path(), &["build", "nz"]);
    orders(probe.path(), "kill.csv", &borrowed);
    let t = Instant::now();
    ok(probe.path(), &["ship", "orders/kill.csv"]);
    let mut full = t.elapsed();
    // Kills that came before the batch was recorded, and after.
    let (mut before, mut after) = (0, 0);
    // Ten kills spread from the very start to just past the end of a run; then, as long as one
    // side has none (a machine under load runs slower than the runs measured), kills placed
    // further out or nearer the start, up to six more.
    let mut fractions: Vec<f64> = (0..10).map(|s| f64::from(s) / 9.0 * 1.1).collect();
    let mut step = 0;
    while step < fractions.len() {
        let fraction = fractions[step];
        let step_u32 = u32::try_from(step).unwrap();
        // Each round raises every line by one copy, so there is always something owed.
        let book: Vec<(&str, &str, u32)> = borrowed.iter().map(|(o, e, c)| (*o, *e, c + step_u32)).collect();
        orders(root, "kill.csv", &book);
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidepress"))
            .current_dir(root)
            .args(["--quiet", "ship", "orders/kill.csv"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From the very start to just past the end, in ten steps.
        let count = || {
            let rec = Record::open_existing(&root.join("records/guidepress.sqlite")).unwrap();
            rec.map_or(0, |r| r.read().batches().unwrap().len())
        };
        let batches = count();
        std::thread::sleep(full.mul_f64(fraction));
        child.kill().unwrap();
        child.wait().unwrap();
        match count() > batches {
            true => after += 1,
            false => before += 1,
        }
        assert!(agree(root, &out), "after a kill at step {step}, the folder and the record disagree");
        // A rerun completes, and ships every line exactly as ordered; it takes what a whole run
        // takes now, which places the next kills.
        let t = Instant::now();
        ok(root, &["--quiet", "ship", "orders/kill.csv"]);
        full = full.max(t.elapsed());
        assert!(agree(root, &out), "after the rerun of step {step}");
        let want: BTreeMap<(String, String), u64> =
            book.iter().map(|(o, e, c)| ((o.to_string(), e.to_string()), u64::from(*c))).collect();
        assert_eq!(shipped(root), want, "step {step}");
        assert_eq!(
            summary(&out)["copies"]["labelled"].as_u64().unwrap(),
            record(root)
                .read()
                .batches()
                .unwrap()
                .last()
                .map_or(0, |b| { record(root).read().batch(&b.id).unwrap().unwrap().1.iter().map(|l| l.copies).sum() }),
            "the labels in the folder are the last batch's"
        );
        step += 1;
        if step == fractions.len() && fractions.len() < 16 {
            match (before, after) {
                (_, 0) => fractions.push(fraction * 1.5 + 0.5),
                (0, _) => fractions.push(0.02),
                _ => {}
            }
        }
    }
    assert!(before > 0 && after > 0, "the kills fell {before} before and {after} after the recording");
}

#[test]
fn two_ships_at_once_never_ship_a_line_twice() {
    let dir = support::sample_copy();
    let root = dir.path();
    ok(root, &["build", "nz"]);
    orders(root, "both.csv", &[("D1", "nz", 3), ("D2", "nz", 2), ("D3", "nz", 5)]);
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_guidepress"))
            .current_dir(root)
            .args(["ship", "orders/both.csv"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(), start());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let texts = [support::stderr(&a), support::stderr(&b)];
    let recorded = texts.iter().filter(|t| t.contains("recorded batch")).count();
    assert_eq!(recorded, 1, "exactly one run ships:\n{}\n---\n{}", texts[0], texts[1]);
    // The other waited and found nothing owed, or refused because the record was in use.
    assert!(
        texts.iter().any(|t| t.contains("nothing owed") || t.contains("in use by another guidepress command")),
        "{texts:?}"
    );
    let want: BTreeMap<(String, String), u64> =
        [("D1", 3), ("D2", 2), ("D3", 5)].iter().map(|(o, n)| ((o.to_string(), "nz".to_string()), *n)).collect();
    assert_eq!(shipped(root), want);
}
