//! Every read is bounded: a corpus of hostile inputs written here by the tests (a named pipe, a
//! device, zips that unpack to gigabytes or lie about their sizes, a million empty rows, a merge
//! over a whole sheet, a 60,000 × 60,000 picture, a 100 MB CSV line). Each run of the binary
//! must end within seconds, exit 1 with a message naming the file and the place, leave earlier
//! outputs untouched, and peak under 1 GB of memory.

use crate::sheets::{Cell, Sheet, sample_cells, write_ods, write_xlsx};
use crate::support;

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A run of the binary with its peak memory (kB of resident memory) and how long it took.
struct Run {
    out: Output,
    peak_kb: u64,
    took: Duration,
}

impl Run {
    fn stderr(&self) -> String {
        support::stderr(&self.out)
    }
}

/// Runs guidepress on `root`, measuring the child's peak memory: with `/usr/bin/time -v` when
/// the machine has it, else from `VmHWM` in `/proc/<pid>/status`, read while it runs.
fn run(root: &Path, args: &[&str]) -> Run {
    let bin = env!("CARGO_BIN_EXE_guidepress");
    let started = Instant::now();
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(bin);
        c
    } else {
        Command::new(bin)
    };
    // Into files, not pipes: a child blocked on a full pipe would look like a hang.
    let logs = tempfile::tempdir().unwrap();
    let (stdout, stderr) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let file = |p: &Path| Stdio::from(fs::File::create(p).unwrap());
    cmd.arg("--project").arg(root).args(args).stdout(file(&stdout)).stderr(file(&stderr));
    cmd.env_remove("RUST_BACKTRACE").current_dir(root);
    let mut child = cmd.spawn().unwrap();
    let mut polled = 0u64;
    while child.try_wait().unwrap().is_none() {
        let status = fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().split(' ').next()?.parse().ok());
        polled = polled.max(hwm.unwrap_or(0));
        assert!(started.elapsed() < Duration::from_secs(120), "guidepress {args:?} still runs after two minutes");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    let mut out = Output { status, stdout: fs::read(&stdout).unwrap(), stderr: fs::read(&stderr).unwrap() };
    let took = started.elapsed();
    let mut peak_kb = polled;
    if time.exists() {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let (own, report) = err.split_once("\tCommand being timed").unwrap_or((&err, ""));
        peak_kb = report
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))
            .and_then(|v| v.parse().ok())
            .unwrap_or(polled);
        let code = report.lines().find_map(|l| l.trim().strip_prefix("Exit status: ")).and_then(|v| v.parse().ok());
        out.stderr = own.as_bytes().to_vec();
        assert_eq!(out.status.code(), code, "time passes the exit status on");
    }
    eprintln!("guidepress {args:?}: {} MB peak, {:.1} s", peak_kb / 1024, took.as_secs_f64());
    Run { out, peak_kb, took }
}

/// The run failed as a bad input should: exit 1, quickly, under 1 GB, its message containing
/// every one of `needles`.
fn refused(run: &Run, needles: &[&str]) {
    let err = run.stderr();
    assert_eq!(run.out.status.code(), Some(1), "{err}");
    assert!(run.peak_kb < 1024 * 1024, "peak memory {} MB: {err}", run.peak_kb / 1024);
    assert!(run.took < Duration::from_secs(30), "took {:?}: {err}", run.took);
    for n in needles {
        assert!(err.contains(n), "{n:?} is not in: {err}");
    }
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

/// A copy of the sample with only the nz edition, and an earlier shipping output for `stem`
/// that a refused run must leave as it is.
fn project(stem: &str) -> tempfile::TempDir {
    let dir = support::sample_copy();
    for id in ["au", "ca", "mo", "us", "jp"] {
        fs::remove_file(dir.path().join(format!("editions/{id}.toml"))).unwrap();
    }
    let earlier = dir.path().join("out/shipping").join(stem);
    fs::create_dir_all(&earlier).unwrap();
    fs::write(earlier.join("labels.pdf"), b"earlier labels").unwrap();
    dir
}

fn untouched(root: &Path, stem: &str) {
    let dir = root.join("out/shipping").join(stem);
    assert_eq!(fs::read(dir.join("labels.pdf")).unwrap(), b"earlier labels");
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "nothing else was written");
}

/// The sample orders as a workbook's sheet "Requests", each order row nz.
fn sample_sheet() -> Sheet {
    Sheet { name: "Requests".into(), rows: sample_cells(), merge: Vec::new() }
}

/// `bytes` (a zip) with part `name` replaced by what `write` streams into it, deflated.
fn repack(bytes: &[u8], name: &str, write: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut write = Some(write);
    for i in 0..src.len() {
        let part = src.by_index_raw(i).unwrap();
        if part.name() == name {
            drop(part);
            out.start_file(name, deflated).unwrap();
            (write.take().unwrap())(&mut out);
        } else {
            out.raw_copy_file(part).unwrap();
        }
    }
    assert!(write.is_none(), "the zip has no part {name}");
    out.finish().unwrap().into_inner()
}

/// The text of part `name` of a zip.
fn part(bytes: &[u8], name: &str) -> String {
    let mut text = String::new();
    zip::ZipArchive::new(Cursor::new(bytes)).unwrap().by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

/// Makes part `name` of a zip declare `size` bytes unpacked, in its local and central headers.
fn lie_about_size(bytes: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for at in 0..bytes.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &bytes[at..at + 4] {
            b"PK\x03\x04" => (22, 26, 30),
            b"PK\x01\x02" => (24, 28, 46),
            _ => continue,
        };
        let len = u16::from_le_bytes([bytes[at + name_len_at], bytes[at + name_len_at + 1]]) as usize;
        if bytes.get(at + name_at..at + name_at + len) == Some(name.as_bytes()) {
            bytes[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "{name}: a local and a central header");
}

/// An .xlsx of the sample whose first order's notes are 2 GB of text (2 MB packed), written as
/// it streams; with `declared`, the part says it unpacks to that many bytes.
fn two_gb_cell(declared: Option<u32>) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut sheet = sample_sheet();
    let notes = sheet.rows[0].iter().position(|c| *c == Cell::Text("notes".into())).unwrap();
    sheet.rows[1][notes] = Cell::Text("HUGE-CELL".into());
    write_xlsx(&dir.path().join("a.xlsx"), &[sheet]);
    let bytes = fs::read(dir.path().join("a.xlsx")).unwrap();
    let strings = part(&bytes, "xl/sharedStrings.xml");
    let (before, after) = strings.split_once("HUGE-CELL").unwrap();
    let mut out = repack(&bytes, "xl/sharedStrings.xml", |w| {
        w.write_all(before.as_bytes()).unwrap();
        let chunk = vec![b'A'; 1 << 20];
        for _ in 0..2000 {
            w.write_all(&chunk).unwrap();
        }
        w.write_all(after.as_bytes()).unwrap();
    });
    if let Some(size) = declared {
        lie_about_size(&mut out, "xl/sharedStrings.xml", size);
    }
    out
}

#[test]
fn a_two_gb_cell_and_a_zip_that_lies_about_its_sizes_are_refused_unpacked() {
    let dir = project("big");
    let root = dir.path();
    let honest = two_gb_cell(None);
    assert!(honest.len() < 4 << 20, "the bomb is small packed: {} bytes", honest.len());
    fs::write(root.join("orders/big.xlsx"), &honest).unwrap();
    let r = run(root, &["ship", "orders/big.xlsx"]);
    refused(&r, &["orders/big.xlsx", "part xl/sharedStrings.xml", "unpacks to 1.9 GB", "128 MB"]);
    untouched(root, "big");
    // The same part declaring 4 KB: unpacking stops just past them.
    let mut lying = honest;
    lie_about_size(&mut lying, "xl/sharedStrings.xml", 4096);
    fs::write(root.join("orders/big.xlsx"), &lying).unwrap();
    let r = run(root, &["ship", "orders/big.xlsx"]);
    refused(&r, &["orders/big.xlsx", "part xl/sharedStrings.xml", "more than the 4 KB it declares"]);
    assert!(r.took < Duration::from_secs(10), "{:?}", r.took);
    untouched(root, "big");
}

#[test]
fn a_merge_over_a_whole_sheet_and_a_cell_a_million_rows_down_are_refused() {
    let dir = project("wide");
    let root = dir.path();
    let xlsx = root.join("orders/wide.xlsx");
    write_xlsx(&xlsx, &[sample_sheet()]);
    let bytes = fs::read(&xlsx).unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    let merged = sheet
        .replace("</sheetData>", "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:XFD1048576\"/></mergeCells>");
    fs::write(&xlsx, repack(&bytes, "xl/worksheets/sheet1.xml", |w| w.write_all(merged.as_bytes()).unwrap())).unwrap();
    let r = run(root, &["ship", "orders/wide.xlsx"]);
    refused(&r, &["orders/wide.xlsx: sheet \"Requests\", cells A1:XFD1048576", "1000000 cells"]);
    untouched(root, "wide");
    // A value far below the orders (the million rows between are empty), and far to the right.
    for (cell, what) in [("A1000005", "beyond the 150000 rows"), ("ZZ3", "beyond the 100 columns")] {
        let far = sheet.replace(
            "</sheetData>",
            &format!(
                "<row r=\"{}\"><c r=\"{cell}\"><v>1</v></c></row></sheetData>",
                &cell[cell.find(|c: char| c.is_ascii_digit()).unwrap()..]
            ),
        );
        fs::write(&xlsx, repack(&bytes, "xl/worksheets/sheet1.xml", |w| w.write_all(far.as_bytes()).unwrap())).unwrap();
        let r = run(root, &["ship", "orders/wide.xlsx"]);
        refused(&r, &[&format!("orders/wide.xlsx: sheet \"Requests\", cell {cell}"), what]);
    }
    untouched(root, "wide");
}

#[test]
fn a_million_empty_rows_in_an_ods_or_csv_are_refused_without_laying_them_out() {
    let dir = project("rows");
    let root = dir.path();
    let ods = root.join("orders/rows.ods");
    write_ods(&ods, &[sample_sheet()]);
    let bytes = fs::read(&ods).unwrap();
    let content = part(&bytes, "content.xml");
    let empty = "<table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>";
    let content = content.replacen("</table:table-row>", &format!("</table:table-row>{empty}"), 1);
    fs::write(&ods, repack(&bytes, "content.xml", |w| w.write_all(content.as_bytes()).unwrap())).unwrap();
    let r = run(root, &["ship", "orders/rows.ods"]);
    refused(&r, &["orders/rows.ods", "sheet \"Requests\" has a value in row 10000", "beyond the 150000 rows"]);
    let csv = fs::read_to_string(root.join("orders/sample-requests.csv")).unwrap();
    let (header, body) = csv.split_once('\n').unwrap();
    fs::write(root.join("orders/rows.csv"), format!("{header}\n{}{body}", "\n".repeat(1_000_000))).unwrap();
    let r = run(root, &["ship", "orders/rows.csv"]);
    refused(&r, &["orders/rows.csv:1000002: the file has more than the 150000 rows", "more than the 150000 rows"]);
    untouched(root, "rows");
}

#[test]
fn a_100_mb_csv_line_and_a_40000_character_value_are_refused_with_their_row() {
    let dir = project("long");
    let root = dir.path();
    let csv = fs::read_to_string(root.join("orders/sample-requests.csv")).unwrap();
    let (header, body) = csv.split_once('\n').unwrap();
    let mut file = fs::File::create(root.join("orders/long.csv")).unwrap();
    write!(file, "{header}\n{body}").unwrap();
    let chunk = "x".repeat(1 << 20);
    for _ in 0..100 {
        file.write_all(chunk.as_bytes()).unwrap();
    }
    drop(file);
    let rows = body.lines().count();
    let r = run(root, &["ship", "orders/long.csv"]);
    refused(&r, &[&format!("orders/long.csv:{}: this row holds 100 MB", rows + 1), "1 MB one row may hold"]);
    untouched(root, "long");
    let notes = header.split(',').position(|c| c == "notes").unwrap();
    let mut first: Vec<String> = body.lines().next().unwrap().split(',').map(str::to_string).collect();
    first[notes] = "y".repeat(40_000);
    fs::write(root.join("orders/long.csv"), format!("{header}\n{}\n", first.join(","))).unwrap();
    let r = run(root, &["ship", "orders/long.csv"]);
    refused(&r, &["orders/long.csv:2: column `notes`: the value has 40000 characters", "32767"]);
    untouched(root, "long");
}

#[test]
fn pipes_and_devices_anywhere_in_a_project_or_as_orders_are_errors_naming_them() {
    let dir = project("zero");
    let root = dir.path();
    let r = run(root, &["ship", "/dev/zero"]);
    refused(&r, &["/dev/zero: this is a device, not a regular file"]);
    std::os::unix::fs::symlink("/dev/zero", root.join("orders/zero.csv")).unwrap();
    let r = run(root, &["ship", "orders/zero.csv"]);
    refused(&r, &["orders/zero.csv: this is a device, not a regular file"]);
    untouched(root, "zero");
    fs::create_dir_all(root.join("records")).unwrap();
    assert!(Command::new("mkfifo").arg(root.join("records/guidepress.sqlite")).status().unwrap().success());
    let header =
        fs::read_to_string(root.join("orders/sample-requests.csv")).unwrap().lines().next().unwrap().to_string();
    fs::write(
        root.join("orders/few.csv"),
        format!("{header}\nT-1,2026-11-02,Org,Name,,,1 Main St,,Wellington,,6011,NZ,nz,2,\n"),
    )
    .unwrap();
    let r = run(root, &["ship", "orders/few.csv"]);
    refused(&r, &["records/guidepress.sqlite", "is not a file"]);
    fs::remove_file(root.join("records/guidepress.sqlite")).unwrap();
    for rel in ["editions/pipe.toml", "chapters/en/09-pipe.typ", "layouts/pipe.typ"] {
        let made = Command::new("mkfifo").arg(root.join(rel)).status().unwrap();
        assert!(made.success(), "mkfifo");
        let r = run(root, &["check"]);
        refused(&r, &[rel, "this is a named pipe (FIFO), not a regular file"]);
        fs::remove_file(root.join(rel)).unwrap();
    }
}

/// Writes a 60,000 × 60,000 black-and-white PNG (a few hundred kB packed, 3.6 billion pixels).
fn huge_png(path: &Path) {
    let mut encoder = png::Encoder::new(fs::File::create(path).unwrap(), 60_000, 60_000);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap().into_stream_writer().unwrap();
    let row = vec![0u8; 7_500];
    for _ in 0..60_000 {
        writer.write_all(&row).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_decompression_bomb_image_is_an_error_at_the_chapters_line() {
    let dir = project("none");
    let root = dir.path();
    huge_png(&root.join("chapters/bomb.png"));
    assert!(fs::metadata(root.join("chapters/bomb.png")).unwrap().len() < 4 << 20);
    let chapter = "chapters/en/01-victims-under-korean-law.typ";
    let text = fs::read_to_string(root.join(chapter)).unwrap();
    let text = text.trim_end();
    let line = text.lines().count() + 1;
    fs::write(root.join(chapter), format!("{text}\n#image(\"/chapters/bomb.png\")\n")).unwrap();
    fs::create_dir_all(root.join("out/editions")).unwrap();
    fs::write(root.join("out/editions/nz.pdf"), b"earlier pdf").unwrap();
    let r = run(root, &["build", "nz"]);
    refused(&r, &[&format!("{chapter}:{line}"), "60000 × 60000 pixels", "50 million"]);
    assert_eq!(fs::read(root.join("out/editions/nz.pdf")).unwrap(), b"earlier pdf");
}

/// A bug (a panic; here a test-only one that debug builds raise when asked) prints one line
/// naming the command and version, exits 101 and leaves earlier outputs as they were.
#[test]
#[cfg(debug_assertions)]
fn a_panic_is_one_line_naming_the_command_and_leaves_outputs_untouched() {
    let dir = project("none");
    let root = dir.path();
    let template = root.join("orders/template.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_guidepress"))
        .arg("--project")
        .arg(root)
        .args(["orders", "template"])
        .arg(&template)
        .env("GUIDEPRESS_TEST_PANIC_AT_COMMIT", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(101), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let version = env!("CARGO_PKG_VERSION");
    assert!(err.starts_with(&format!("error: this is a bug in guidepress {version} (`guidepress --project")), "{err}");
    assert!(err.contains("orders template") && err.contains("test-only panic"), "{err}");
    assert!(!template.exists(), "nothing was put in place");
    let left: Vec<_> =
        fs::read_dir(root.join("orders")).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().contains(".tmp-")), "{left:?}");
    // The backtrace, only when asked for.
    let out = Command::new(env!("CARGO_BIN_EXE_guidepress"))
        .arg("--project")
        .arg(root)
        .args(["orders", "template"])
        .arg(&template)
        .env("GUIDEPRESS_TEST_PANIC_AT_COMMIT", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let traced = support::stderr(&out);
    assert_eq!(out.status.code(), Some(101), "{traced}");
    assert!(traced.lines().count() > 3 && traced.starts_with("error: this is a bug in guidepress"), "{traced}");
}

/// Structures nested a hundred thousand deep are refused by the readers' own depth limits, at
/// their place, not by overflowing the stack.
#[test]
fn deep_nesting_is_an_error_at_its_place() {
    let dir = project("none");
    let root = dir.path();
    let edition = fs::read_to_string(root.join("editions/nz.toml")).unwrap();
    let deep = format!("{edition}\nx = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    fs::write(root.join("editions/nz.toml"), deep).unwrap();
    let r = run(root, &["check"]);
    refused(&r, &["editions/nz.toml:", "recursion limit exceeded"]);
    fs::write(root.join("editions/nz.toml"), edition).unwrap();
    let chapter = "chapters/en/01-victims-under-korean-law.typ";
    let text = fs::read_to_string(root.join(chapter)).unwrap();
    let text = text.trim_end();
    let line = text.lines().count() + 1;
    fs::write(root.join(chapter), format!("{text}\n#{}{}\n", "(".repeat(100_000), ")".repeat(100_000))).unwrap();
    let r = run(root, &["build", "nz"]);
    refused(&r, &[&format!("{chapter}:{line}"), "maximum parsing depth exceeded"]);
}
