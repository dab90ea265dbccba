//! Measures the record at the sizes it must handle: 100,000 lines recorded in one batch, then a
//! record of 1,000,000 lines read back (shipped, shipments, stock) and reopened with its check.
//! Run with `cargo bench --bench record`.

use std::path::Path;
use std::time::{Duration, Instant};

use guidepress::model::record::{Batch, PrintRun, Release, ShipmentFilter, ShipmentLine};
use guidepress::records::Record;

/// Editions the lines are spread over (and one release each, two for the first).
const EDITIONS: [&str; 5] = ["nz", "jp", "au", "ca", "de"];

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("record.sqlite");
    let mut record = Record::open(&path).expect("a new record");
    setup_releases(&mut record);

    let lines = lines(0, 100_000);
    let (wall, cpu) = timed(|| {
        let tx = record.write().unwrap();
        tx.add_batch(&batch(0), &lines).unwrap();
        tx.commit().unwrap();
    });
    report("add_batch, 100,000 lines (incl. commit)", wall, cpu);

    ship_recording(&mut record);

    for b in 1..10 {
        let tx = record.write().unwrap();
        tx.add_batch(&batch(b), &self::lines(b * 100_000, 100_000)).unwrap();
        tx.commit().unwrap();
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("record: 1,000,000 lines, {:.1} MB", size as f64 / 1e6);

    let keys: Vec<(String, String)> = (0..100_000).map(|i| key(i * 7 % 1_000_000)).collect();
    let (wall, cpu) = timed(|| assert_eq!(record.read().shipped(&keys).unwrap().len(), 100_000));
    report("shipped, 100,000 keys", wall, cpu);

    let filter = ShipmentFilter { edition: Some("jp".into()), print_code: None };
    let (wall, cpu) = timed(|| println!("  ({} lines)", record.read().shipments(&filter).unwrap().len()));
    report("shipments, one edition", wall, cpu);
    let filter = ShipmentFilter { edition: None, print_code: Some("NZ-2".into()) };
    let (wall, cpu) = timed(|| println!("  ({} lines)", record.read().shipments(&filter).unwrap().len()));
    report("shipments, one print code", wall, cpu);
    let (wall, cpu) = timed(|| assert_eq!(record.read().stock().unwrap().len(), EDITIONS.len() + 1));
    report("stock", wall, cpu);
    let (wall, cpu) = timed(|| {
        let tx = record.write().unwrap();
        tx.draw("nz", 1000).unwrap();
    });
    report("draw", wall, cpu);
    drop(record);

    let (wall, cpu) = timed(|| drop(Record::open(&path).unwrap()));
    report("open (quick_check skipped above the size limit)", wall, cpu);
    let record = Record::open(&path).unwrap();
    let (wall, cpu) = timed(|| record.check().unwrap());
    report("quick_check, 1,000,000 lines", wall, cpu);
    small_open(dir.path());
}

/// What `ship` adds to the record for 100,000 order lines, in its one transaction: what was
/// shipped already (100,000 keys), the draw from print runs per edition, the batch's lines and its
/// four files byte for byte (at the sizes a 100,000-line run writes: labels.pdf 33 MB,
/// packing.pdf 157 MB), then the commit. The files are read back from disk as `ship` reads them.
fn ship_recording(record: &mut Record) {
    let dir = tempfile::tempdir().unwrap();
    let sizes =
        [("labels.pdf", 33_100_000), ("packing.pdf", 156_500_000), ("picklist.csv", 600), ("summary.json", 2_000)];
    for (name, size) in sizes {
        // Bytes that do not compress (as PDF streams do not), written before the clock starts.
        let bytes: Vec<u8> = (0..size).map(|i: usize| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let new: Vec<ShipmentLine> = lines(5_000_000, 100_000);
    let keys: Vec<(String, String)> = new.iter().map(|l| (l.order_id.clone(), l.edition.clone())).collect();
    let (wall, cpu) = timed(|| {
        let tx = record.write().unwrap();
        assert!(tx.read().shipped(&keys).unwrap().is_empty());
        for edition in EDITIONS {
            tx.draw(edition, 40_000).unwrap();
        }
        let id = tx.next_batch_id("2026-03-02").unwrap();
        let mut b = batch(0);
        b.id.clone_from(&id);
        tx.add_batch(&b, &new).unwrap();
        for (name, _) in sizes {
            tx.add_batch_file(&id, name, &std::fs::read(dir.path().join(name)).unwrap()).unwrap();
        }
        tx.commit().unwrap();
    });
    report("ship's recording of 100,000 lines (owed, draw, lines, 190 MB of files, commit)", wall, cpu);
    let (wall, cpu) = timed(|| {
        let tx = record.write().unwrap();
        let id = tx.next_batch_id("2026-03-03").unwrap();
        let mut b = batch(0);
        b.id.clone_from(&id);
        tx.add_batch(&b, &lines(6_000_000, 100_000)).unwrap();
        tx.commit().unwrap();
    });
    report("  the same lines without the files", wall, cpu);
}

/// Times opening (with quick_check) a record of 10,000 lines.
fn small_open(dir: &Path) {
    let path = dir.join("small.sqlite");
    let mut record = Record::open(&path).unwrap();
    setup_releases(&mut record);
    let tx = record.write().unwrap();
    tx.add_batch(&batch(0), &lines(0, 10_000)).unwrap();
    tx.commit().unwrap();
    drop(record);
    let (wall, cpu) = timed(|| drop(Record::open(&path).unwrap()));
    report("open with quick_check, 10,000 lines", wall, cpu);
}

fn setup_releases(record: &mut Record) {
    let tx = record.write().unwrap();
    for (i, edition) in EDITIONS.iter().enumerate() {
        let codes = if i == 0 { vec!["NZ-1".to_string(), "NZ-2".to_string()] } else { vec![edition.to_uppercase()] };
        for code in codes {
            let release = Release {
                print_code: code.clone(),
                edition: edition.to_string(),
                guide_version: "1".into(),
                guide_date: "2026-01-01".into(),
                is_final: true,
                contacts: Vec::new(),
                chapters: Vec::new(),
            };
            tx.put_release(&release).unwrap();
            let run = PrintRun {
                print_code: code,
                edition: edition.to_string(),
                copies: 500_000,
                date: "2026-01-02".into(),
                note: String::new(),
                draft: false,
            };
            tx.add_print_run(&run).unwrap();
        }
    }
    tx.commit().unwrap();
}

fn key(i: usize) -> (String, String) {
    (format!("ORD-{:07}", i / EDITIONS.len()), EDITIONS[i % EDITIONS.len()].to_string())
}

fn lines(from: usize, n: usize) -> Vec<ShipmentLine> {
    (from..from + n)
        .map(|i| {
            let (order_id, edition) = key(i);
            let print_code = if edition == "nz" { format!("NZ-{}", 1 + i % 2) } else { edition.to_uppercase() };
            ShipmentLine {
                order_id,
                edition,
                print_code,
                copies: 1 + (i % 3) as u64,
                organization: format!("Organisation number {i}"),
                recipient: format!("Recipient {i}"),
                address: format!("{i} Long Street Name\nSuburb\nCity 1010"),
                country: "NZ".into(),
                email: format!("person{i}@example.org"),
                row: (i % 100_000) as u32 + 2,
            }
        })
        .collect()
}

fn batch(b: usize) -> Batch {
    Batch {
        id: format!("20260301-{}", b + 1),
        orders_file: "orders.csv".into(),
        orders_sha256: "0".repeat(64),
        date: "2026-03-01".into(),
        stock: "a4-21".into(),
        start: 1,
        out_dir: "out".into(),
        files: vec![("labels.pdf".into(), "0".repeat(64))],
        voided: None,
    }
}

/// Wall-clock and process CPU time of `f`.
fn timed(f: impl FnOnce()) -> (Duration, Duration) {
    let cpu = cpu_time();
    let start = Instant::now();
    f();
    (start.elapsed(), cpu_time().saturating_sub(cpu))
}

fn report(what: &str, wall: Duration, cpu: Duration) {
    println!("{what}: wall {:.3} s, cpu {:.3} s", wall.as_secs_f64(), cpu.as_secs_f64());
}

/// CPU time of this process (user + system), from /proc on Linux; zero elsewhere.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return Duration::ZERO };
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11..13).map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}
