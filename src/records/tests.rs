//! Tests of the record: opening and refusing, the arithmetic of shipped and stock, void, draw,
//! forget, backup, the write lock, and a property test of shipped totals.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use proptest::prelude::*;
use tempfile::TempDir;

use super::Record;
use crate::model::record::{Batch, ChapterHash, PrintRun, PrintedContact, Release, ShipmentFilter, ShipmentLine};

fn temp() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records").join("record.sqlite");
    (dir, path)
}

fn release(code: &str, edition: &str) -> Release {
    let fields = BTreeMap::from([("phone".to_string(), "+64 9 123 4567".to_string())]);
    Release {
        print_code: code.into(),
        edition: edition.into(),
        guide_version: "3.1".into(),
        guide_date: "2026-01-15".into(),
        is_final: true,
        contacts: vec![PrintedContact {
            id: "shelter-a".into(),
            kind: "shelter".into(),
            name: "쉼터 A".into(),
            fields,
            page: 4,
            x_mm: 12.5,
            y_mm: 30.0,
            w_mm: 80.0,
            h_mm: 22.25,
        }],
        chapters: vec![ChapterHash { path: "chapters/01.md".into(), sha256: "ab".repeat(32) }],
    }
}

fn run(code: &str, edition: &str, copies: u64, date: &str) -> PrintRun {
    PrintRun {
        print_code: code.into(),
        edition: edition.into(),
        copies,
        date: date.into(),
        note: String::new(),
        draft: false,
    }
}

fn batch(id: &str, date: &str) -> Batch {
    Batch {
        id: id.into(),
        orders_file: "orders/2026-03.csv".into(),
        orders_sha256: "cd".repeat(32),
        date: date.into(),
        stock: "avery-l7163".into(),
        start: 1,
        out_dir: "out/ship".into(),
        files: vec![("labels.pdf".into(), "ef".repeat(32))],
        voided: None,
    }
}

fn line(order: &str, edition: &str, code: &str, copies: u64) -> ShipmentLine {
    ShipmentLine {
        order_id: order.into(),
        edition: edition.into(),
        print_code: code.into(),
        copies,
        organization: format!("Org of {order}"),
        recipient: format!("Recipient {order}"),
        address: format!("{order} Queen Street\nAuckland 1010"),
        country: "NZ".into(),
        email: format!("{order}@example.org"),
        row: 2,
    }
}

fn key(order: &str, edition: &str) -> (String, String) {
    (order.to_string(), edition.to_string())
}

/// A record with releases A (nz, printed first) and B (nz) and C (jp), and their print runs.
fn stocked(path: &Path) -> Record {
    let mut record = Record::open(path).unwrap();
    let tx = record.write().unwrap();
    for (code, edition) in [("A", "nz"), ("B", "nz"), ("C", "jp")] {
        assert!(tx.put_release(&release(code, edition)).unwrap());
    }
    tx.add_print_run(&run("B", "nz", 50, "2026-02-01")).unwrap();
    tx.add_print_run(&run("A", "nz", 10, "2026-01-20")).unwrap();
    tx.add_print_run(&run("A", "nz", 5, "2026-02-10")).unwrap();
    tx.add_print_run(&run("C", "jp", 7, "2026-01-01")).unwrap();
    tx.commit().unwrap();
    record
}

fn message(e: crate::Error) -> String {
    e.to_string()
}

#[test]
fn opens_creates_migrates_and_reopens() {
    let (_dir, path) = temp();
    assert!(Record::open_existing(&path).unwrap().is_none());
    assert!(!path.exists());
    drop(stocked(&path));
    let record = Record::open_existing(&path).unwrap().unwrap();
    assert_eq!(record.read().release("A").unwrap(), Some(release("A", "nz")));
    assert_eq!(record.read().releases(Some("nz")).unwrap().len(), 2);
    assert_eq!(record.read().print_runs(None).unwrap()[0], run("C", "jp", 7, "2026-01-01"));
    let version: u32 = record.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, super::VERSION);
    record.check().unwrap();
}

#[test]
fn a_version_1_record_is_migrated_keeping_its_shipments_and_takes_corrections() {
    let (_dir, path) = temp();
    // A record as the first released guidepress wrote it: only the first step applied.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(super::schema::MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    let mut record = Record::open(&path).unwrap();
    let tx = record.write().unwrap();
    tx.put_release(&release("A", "nz")).unwrap();
    tx.add_batch(&batch("20260102-1", "2026-01-02"), &[line("o1", "nz", "A", 3)]).unwrap();
    let id = tx.next_correction_id("2026-02-01").unwrap();
    assert_eq!(id, "20260201-c1");
    let c = crate::model::record::CorrectionBatch {
        id: id.clone(),
        kind: "make".into(),
        date: "2026-02-01".into(),
        out_dir: "out/corrections/20260201-c1".into(),
        files: vec![("stickers.pdf".into(), "ab".into())],
    };
    let l = crate::model::record::CorrectionLine {
        print_code: "A".into(),
        contact: "x".into(),
        target: "t".into(),
        recipient: "r".into(),
        copies: 3,
    };
    tx.add_correction(&c, std::slice::from_ref(&l)).unwrap();
    assert_eq!(tx.next_correction_id("2026-02-01").unwrap(), "20260201-c2");
    tx.commit().unwrap();
    drop(record);
    let record = Record::open_existing(&path).unwrap().unwrap();
    assert_eq!(record.read().corrections().unwrap(), vec![c]);
    assert_eq!(record.read().correction_lines().unwrap(), vec![l.clone()]);
    assert_eq!(record.read().shipments(&ShipmentFilter::default()).unwrap().len(), 1);
    drop(record);

    // Stickers packed by a shipping batch count until that batch is voided.
    let mut record = Record::open(&path).unwrap();
    let tx = record.write().unwrap();
    let packed = crate::model::record::CorrectionBatch {
        id: "20260102-1".into(),
        kind: "ship".into(),
        date: "2026-01-02".into(),
        out_dir: "out/shipping/x".into(),
        files: vec![],
    };
    let l2 = crate::model::record::CorrectionLine { recipient: "r2".into(), ..l.clone() };
    tx.add_correction(&packed, std::slice::from_ref(&l2)).unwrap();
    assert_eq!(tx.read().correction_lines().unwrap(), vec![l.clone(), l2]);
    tx.void("20260102-1", "2026-01-03", "returned").unwrap();
    assert_eq!(tx.read().correction_lines().unwrap(), vec![l]);
    tx.commit().unwrap();
}

#[test]
fn newer_record_is_refused_and_untouched() {
    let (_dir, path) = temp();
    drop(Record::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    let e = message(Record::open(&path).unwrap_err());
    let expected = format!(
        "made by a newer guidepress (record version 99; this one knows up to {}); update guidepress",
        super::VERSION
    );
    assert_eq!(e, format!("{}: {expected}", path.display()));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn garbage_is_refused_and_untouched() {
    let (dir, _) = temp();
    let path = dir.path().join("record.sqlite");
    let garbage: Vec<u8> = b"not a database, a note about shipments\n".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    for _ in 0..2 {
        let e = message(Record::open(&path).unwrap_err());
        assert!(e.starts_with(&format!("{}: is damaged or not a guidepress record", path.display())), "{e}");
        assert!(e.contains("restore it from a backup"), "{e}");
        assert!(Record::open_existing(&path).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }
}

#[test]
fn damaged_pages_are_refused_and_untouched() {
    let (_dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    tx.add_batch(&batch("20260301-1", "2026-03-01"), &vec![line("o1", "nz", "A", 1); 500]).unwrap();
    tx.commit().unwrap();
    drop(record);
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    bytes[len / 2..len / 2 + 4096].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();
    let e = message(Record::open(&path).unwrap_err());
    assert!(e.contains("is damaged or not a guidepress record"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn another_sqlite_database_is_refused() {
    let (dir, _) = temp();
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(conn);
    let e = message(Record::open(&path).unwrap_err());
    assert!(e.ends_with("is an SQLite database but not a guidepress record; give another path for the record"));
}

#[test]
fn releases_and_print_runs_are_checked() {
    let (_dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    let mut changed = release("A", "nz");
    changed.guide_version = "9".into();
    assert!(!tx.put_release(&changed).unwrap());
    assert_eq!(tx.read().release("A").unwrap().unwrap().guide_version, "3.1");
    let e = message(tx.put_release(&release("A", "jp")).unwrap_err());
    assert!(e.ends_with(
        "print code A is already recorded for edition nz, not jp; every edition's build must have its own print code"
    ));
    let e = message(tx.add_print_run(&run("Z", "nz", 1, "2026-01-01")).unwrap_err());
    assert!(e.contains("print code Z is not in the record; build the edition"), "{e}");
    let e = message(tx.add_print_run(&run("A", "nz", 1, "2026-1-1")).unwrap_err());
    assert!(e.ends_with("the print run's date `2026-1-1` is not a date; write it as YYYY-MM-DD"), "{e}");
}

#[test]
fn batches_shipped_and_void() {
    let (_dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    let id = tx.next_batch_id("2026-03-01").unwrap();
    assert_eq!(id, "20260301-1");
    let lines = [line("o1", "nz", "A", 2), line("o2", "nz", "A", 1), line("o1", "jp", "C", 3)];
    tx.add_batch(&batch(&id, "2026-03-01"), &lines).unwrap();
    let id2 = tx.next_batch_id("2026-03-01").unwrap();
    assert_eq!(id2, "20260301-2");
    tx.add_batch(&batch(&id2, "2026-03-01"), &[line("o1", "nz", "B", 4)]).unwrap();
    let e = message(tx.add_batch(&batch(&id2, "2026-03-01"), &[]).unwrap_err());
    assert!(e.contains("batch 20260301-2 is already in the record"), "{e}");
    tx.commit().unwrap();

    let (got, got_lines) = record.read().batch(&id).unwrap().unwrap();
    assert_eq!((got, got_lines.as_slice()), (batch(&id, "2026-03-01"), &lines[..]));
    let keys = [key("o1", "nz"), key("o1", "jp"), key("o9", "nz"), key("o1", "nz")];
    let shipped = record.read().shipped(&keys).unwrap();
    assert_eq!(shipped.len(), 2);
    let o1 = &shipped[&key("o1", "nz")];
    assert_eq!((o1.copies, o1.organization.as_str()), (6, "Org of o1"));
    assert_eq!(o1.batches, vec![(id.clone(), "2026-03-01".into()), (id2.clone(), "2026-03-01".into())]);

    let tx = record.write().unwrap();
    tx.void(&id2, "2026-03-02", "labels jammed").unwrap();
    let e = message(tx.void(&id2, "2026-03-03", "again").unwrap_err());
    assert!(e.ends_with("batch 20260301-2 was already voided on 2026-03-02 (labels jammed); nothing to do"), "{e}");
    let e = message(tx.void("20990101-1", "2026-03-03", "?").unwrap_err());
    assert!(e.ends_with("there is no batch 20990101-1; the last batches are: 20260301-1, 20260301-2"), "{e}");
    assert_eq!(tx.read().shipped(&keys).unwrap()[&key("o1", "nz")].copies, 2);
    tx.commit().unwrap();
    let all = record.read().shipments(&ShipmentFilter::default()).unwrap();
    assert_eq!(all.len(), 4);
    assert!(all[0].voided && all[0].batch == id2 && !all[1].voided);
    let filter = ShipmentFilter { edition: Some("nz".into()), print_code: Some("A".into()) };
    let a = record.read().shipments(&filter).unwrap();
    assert_eq!(a.iter().map(|s| s.line.order_id.as_str()).collect::<Vec<_>>(), ["o1", "o2"]);
    assert_eq!(record.read().batches().unwrap()[1].voided.as_ref().unwrap().why, "labels jammed");
}

#[test]
fn dropping_a_tx_rolls_back() {
    let (_dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    tx.add_batch(&batch("20260301-1", "2026-03-01"), &[line("o1", "nz", "A", 2)]).unwrap();
    drop(tx);
    assert!(record.read().batches().unwrap().is_empty());
}

#[test]
fn stock_and_draw() {
    let (_dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    assert!(tx.put_release(&release("D", "nz")).unwrap());
    let lines = [line("o1", "nz", "A", 12), line("o2", "nz", "D", 2), line("o3", "jp", "C", 9)];
    tx.add_batch(&batch("20260301-1", "2026-03-01"), &lines).unwrap();
    tx.add_batch(&batch("20260302-1", "2026-03-02"), &[line("o4", "nz", "B", 30)]).unwrap();
    tx.void("20260302-1", "2026-03-02", "wrong stock").unwrap();
    let draw = tx.draw("nz", 20).unwrap();
    assert_eq!((draw.from, draw.short), (vec![("A".to_string(), 3), ("B".to_string(), 17)], 0));
    let draw = tx.draw("nz", 60).unwrap();
    assert_eq!((draw.from, draw.short), (vec![("A".to_string(), 3), ("B".to_string(), 50)], 7));
    assert_eq!(tx.draw("jp", 1).unwrap().short, 1);
    assert_eq!(tx.draw("xx", 0).unwrap(), Default::default());
    tx.commit().unwrap();
    let rows: Vec<_> = record
        .read()
        .stock()
        .unwrap()
        .into_iter()
        .map(|r| (r.edition.clone(), r.print_code.clone(), r.printed, r.shipped, r.first_printed.clone(), r.left()))
        .collect();
    let d = |s: &str| Some(s.to_string());
    let s = |s: &str| s.to_string();
    assert_eq!(
        rows,
        vec![
            (s("jp"), s("C"), 7, 9, d("2026-01-01"), -2),
            (s("nz"), s("A"), 15, 12, d("2026-01-20"), 3),
            (s("nz"), s("B"), 50, 0, d("2026-02-01"), 50),
            (s("nz"), s("D"), 0, 2, None, -2),
        ]
    );
}

#[test]
fn forget_keeps_totals_and_removes_personal_data() {
    let (_dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    tx.add_batch(&batch("20260101-1", "2026-01-01"), &[line("secretorder", "nz", "A", 2)]).unwrap();
    tx.add_batch(&batch("20260301-1", "2026-03-01"), &[line("keptorder", "nz", "A", 1)]).unwrap();
    tx.commit().unwrap();
    let keys = [key("secretorder", "nz"), key("keptorder", "nz")];
    let stock = record.read().stock().unwrap();
    let mut tx = record.write().unwrap();
    assert_eq!(tx.forget("2026-02-01").unwrap(), 1);
    assert_eq!(tx.forget("2026-02-01").unwrap(), 0);
    tx.commit().unwrap();
    assert_eq!(record.read().stock().unwrap(), stock);
    let shipped = record.read().shipped(&keys).unwrap();
    assert_eq!((shipped[&keys[0]].copies, shipped[&keys[0]].organization.as_str()), (2, ""));
    assert_eq!(shipped[&keys[1]].organization, "Org of keptorder");
    let (_, lines) = record.read().batch("20260101-1").unwrap().unwrap();
    assert_eq!((lines[0].order_id.as_str(), lines[0].address.as_str(), lines[0].copies), ("secretorder", "", 2));
    let all = record.read().shipments(&ShipmentFilter::default()).unwrap();
    assert!(all[1].forgotten && !all[0].forgotten);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(path.with_extension("sqlite-wal")).unwrap_or_default());
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("Org of keptorder") && has("secretorder"));
    for gone in ["Org of secretorder", "Recipient secretorder", "secretorder Queen Street", "secretorder@example.org"] {
        assert!(!has(gone), "{gone} is still in the file");
    }
}

#[test]
fn backup_is_a_copy() {
    let (dir, path) = temp();
    let mut record = stocked(&path);
    let tx = record.write().unwrap();
    tx.add_batch(&batch("20260301-1", "2026-03-01"), &[line("o1", "nz", "A", 2)]).unwrap();
    tx.commit().unwrap();
    let dest = dir.path().join("backup.sqlite");
    record.backup(&dest).unwrap();
    let e = message(record.backup(&dest).unwrap_err());
    assert_eq!(e, format!("{}: already exists; give a new file name for the backup", dest.display()));
    let copy = Record::open(&dest).unwrap();
    assert_eq!(copy.read().releases(None).unwrap(), record.read().releases(None).unwrap());
    assert_eq!(copy.read().stock().unwrap(), record.read().stock().unwrap());
    assert_eq!(copy.read().batch("20260301-1").unwrap(), record.read().batch("20260301-1").unwrap());
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().contains("partial")), "{names:?}");
}

#[test]
fn a_second_writer_waits_then_refuses() {
    let (_dir, path) = temp();
    let mut first = Record::open(&path).unwrap();
    let mut second = Record::open(&path).unwrap();
    second.set_busy_timeout(Duration::from_millis(100)).unwrap();
    let tx = first.write().unwrap();
    let started = std::time::Instant::now();
    let e = message(second.write().unwrap_err());
    assert!(started.elapsed() >= Duration::from_millis(90));
    let expected = "in use by another guidepress command; try again when it has finished";
    assert_eq!(e, format!("{}: {expected}", path.display()));
    assert!(second.read().batches().unwrap().is_empty());
    drop(tx);
    second.write().unwrap().commit().unwrap();
}

#[derive(Debug, Clone)]
enum Op {
    Add(Vec<(usize, u64)>),
    Void(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => prop::collection::vec((0..6usize, 0..5u64), 0..6).prop_map(Op::Add),
        1 => (0..8usize).prop_map(Op::Void),
    ]
}

/// A batch as the property test remembers it: id, (key index, copies) lines, voided.
type ModelBatch = (String, Vec<(usize, u64)>, bool);

const KEYS: [(&str, &str); 6] = [("o1", "nz"), ("o1", "jp"), ("o2", "nz"), ("o3", "nz"), ("o3", "jp"), ("o4", "nz")];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn shipped_is_the_sum_of_non_void_lines(ops in prop::collection::vec(op(), 1..12)) {
        let (_dir, path) = temp();
        let mut record = Record::open(&path).unwrap();
        let mut batches: Vec<ModelBatch> = Vec::new();
        let tx = record.write().unwrap();
        for op in ops {
            match op {
                Op::Add(lines) => {
                    let id = tx.next_batch_id("2026-04-01").unwrap();
                    let rows: Vec<_> = lines.iter().map(|&(k, c)| line(KEYS[k].0, KEYS[k].1, "A", c)).collect();
                    tx.add_batch(&batch(&id, "2026-04-01"), &rows).unwrap();
                    batches.push((id, lines, false));
                }
                Op::Void(i) => {
                    let Some(b) = batches.get_mut(i) else { continue };
                    prop_assert_eq!(tx.void(&b.0, "2026-04-02", "test").is_ok(), !b.2);
                    b.2 = true;
                }
            }
        }
        tx.commit().unwrap();
        let keys: Vec<_> = KEYS.iter().map(|(o, e)| key(o, e)).collect();
        let shipped = record.read().shipped(&keys).unwrap();
        let mut expected: HashMap<(String, String), u64> = HashMap::new();
        for (_, lines, voided) in &batches {
            for &(k, c) in lines.iter().filter(|_| !voided) {
                *expected.entry(keys[k].clone()).or_default() += c;
            }
        }
        for k in &keys {
            prop_assert_eq!(shipped.get(k).map_or(0, |s| s.copies), expected.get(k).copied().unwrap_or(0));
        }
        let total: u64 = record.read().stock().unwrap().iter().map(|r| r.shipped).sum();
        prop_assert_eq!(total, expected.values().sum::<u64>());
    }
}
