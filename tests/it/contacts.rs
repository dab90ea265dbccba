//! `guidepress contacts`: the statuses of the sample's contacts, the CSV file, the call sheet, and
//! `contacts verify` (the TOML edited in place, the next build rebuilding only what prints it).

use crate::support::{self, guidepress, stderr};

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use guidepress::model::contact::days_from_civil;

/// Every `[[contact]]` of the project's TOML files, read with the toml crate alone: (file, table).
fn contact_tables(root: &Path) -> Vec<(String, toml::Table)> {
    let mut files = vec!["guidepress.toml".to_string()];
    let mut editions: Vec<String> = fs::read_dir(root.join("editions"))
        .unwrap()
        .map(|e| format!("editions/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    editions.sort();
    files.extend(editions);
    let mut out = Vec::new();
    for rel in files {
        let table: toml::Table = fs::read_to_string(root.join(&rel)).unwrap().parse().unwrap();
        for c in table.get("contact").and_then(|c| c.as_array()).into_iter().flatten() {
            out.push((rel.clone(), c.as_table().unwrap().clone()));
        }
    }
    out
}

fn day(d: &toml::value::Datetime) -> i64 {
    let d = d.date.unwrap();
    days_from_civil(i64::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// Counts per status computed straight from the files: unverified without `verified`, overdue
/// when confirmed more than `stale-after-days` before `guide.date`, due when that falls within 90
/// days of it, else ok.
fn expected_counts(root: &Path) -> BTreeMap<&'static str, usize> {
    let config: toml::Table = fs::read_to_string(root.join("guidepress.toml")).unwrap().parse().unwrap();
    let guide = config["guide"].as_table().unwrap();
    let as_of = day(guide["date"].as_datetime().unwrap());
    let stale = guide.get("stale-after-days").map_or(730, |v| v.as_integer().unwrap());
    let mut counts = BTreeMap::from([("ok", 0), ("due", 0), ("overdue", 0), ("unverified", 0)]);
    for (_, c) in contact_tables(root) {
        let status = match c.get("verified").and_then(|v| v.as_datetime()) {
            None => "unverified",
            Some(v) if as_of - day(v) > stale => "overdue",
            Some(v) if day(v) + stale - as_of <= 90 => "due",
            Some(_) => "ok",
        };
        *counts.get_mut(status).unwrap() += 1;
    }
    counts
}

fn summary(counts: &BTreeMap<&str, usize>) -> String {
    let n: usize = counts.values().sum();
    format!(
        "{n} contacts as of 2026-11-29 (guide.date): {} ok, {} due, {} overdue, {} unverified",
        counts["ok"], counts["due"], counts["overdue"], counts["unverified"]
    )
}

/// Terminal columns of a line (East Asian wide characters take two).
fn columns(line: &str) -> usize {
    line.chars().map(|c| if matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60) { 2 } else { 1 }).sum()
}

#[test]
fn the_sample_counts_per_status() {
    let root = support::sample_root();
    let out = guidepress(&root, &["contacts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let counts = expected_counts(&root);
    // Pinned: every sample edition is a draft. Update these with the sample when staff confirm contacts.
    assert_eq!(counts, BTreeMap::from([("ok", 0), ("due", 0), ("overdue", 4), ("unverified", 23)]));
    assert_eq!(stderr(&out).trim_end().lines().last().unwrap(), summary(&counts));

    // The table: every contact once, each shared one once with all six editions, 100 columns.
    let table = String::from_utf8(out.stdout).unwrap();
    for line in table.lines() {
        assert!(columns(line) <= 100, "wider than 100 columns: {line}");
    }
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && !l.trim_start().starts_with("ID "))
        .collect();
    assert_eq!(rows.len(), counts.values().sum::<usize>(), "{table}");
    assert!(table.contains("guidepress.toml (shared; printed in au, ca, jp, mo, nz, us)\n"), "{table}");
    assert!(table.contains("editions/nz.toml (edition nz)\n"));
    let hotline =
        table.lines().position(|l| l.trim_start().starts_with("national-human-trafficking-hotline ")).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[hotline].split_whitespace().collect::<Vec<_>>(),
        ["national-human-trafficking-hotline", "hotline", "unverified", "-", "-"]
    );
    assert_eq!(lines[hotline + 1].trim(), "National Human Trafficking Hotline");
    assert_eq!(lines[hotline + 2].trim(), "phone +1 888-373-7888 · text 233733 · web humantraffickinghotline.org");
    let police = table.lines().find(|l| l.trim_start().starts_with("new-zealand-police-non-emergency ")).unwrap();
    assert_eq!(
        police.split_whitespace().collect::<Vec<_>>(),
        ["new-zealand-police-non-emergency", "police", "overdue", "2021-07-30", "2023-07-30"]
    );

    // One edition: its own contacts and the shared ones.
    let out = guidepress(&root, &["contacts", "jp"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).ends_with("6 contacts as of 2026-11-29 (guide.date): 0 ok, 0 due, 2 overdue, 4 unverified\n"),
        "{}",
        stderr(&out)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("guidepress.toml (shared; printed in jp)\n"));
    for id in ["emergency", "police", "iom"] {
        assert!(table.lines().any(|l| l.trim_start().starts_with(&format!("{id} "))), "jp's {id}: {table}");
    }
    let out = guidepress(&root, &["contacts", "xx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: no edition `xx` in this project; the editions are: au, ca, jp, mo, nz, us\n");
}

#[test]
fn the_csv_reads_back() {
    let root = support::sample_root();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contacts.csv");
    let out = guidepress(&root, &["contacts", "--csv", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, guidepress::contacts::spreadsheet::COLUMNS);
    let rows: Vec<BTreeMap<String, String>> = reader.deserialize().map(Result::unwrap).collect();
    let counts = expected_counts(&root);
    assert_eq!(rows.len(), counts.values().sum::<usize>());
    for (status, n) in &counts {
        assert_eq!(rows.iter().filter(|r| r["status"] == *status).count(), *n, "{status}");
    }
    let ids: std::collections::BTreeSet<(&str, &str)> =
        rows.iter().map(|r| (r["file"].as_str(), r["id"].as_str())).collect();
    assert_eq!(ids.len(), rows.len(), "each contact once");
    let hotline = rows.iter().find(|r| r["id"] == "national-human-trafficking-hotline").unwrap();
    assert_eq!(hotline["phone"], "+1 888-373-7888");
    assert_eq!(hotline["sms"], "233733");
    assert_eq!(hotline["web"], "humantraffickinghotline.org");
    assert_eq!(hotline["editions"], "us");
    assert_eq!(hotline["file"], "editions/us.toml");
    let consular = rows.iter().find(|r| r["file"] == "guidepress.toml").unwrap();
    assert_eq!(consular["name"], "Consular Call Center, Ministry of Foreign Affairs of Korea");
    assert_eq!(consular["phone"], "+82 2-3210-0404");
    assert_eq!((consular["verified"].as_str(), consular["due"].as_str()), ("2024-04-13", "2026-04-13"));
    assert_eq!(consular["status"], "overdue");
    assert_eq!(
        consular["source"],
        "kmnews 2024-02-21 (number, 24 h, the seven interpretation languages, free-call app since Nov 2020, KakaoTalk/WeChat/LINE chat); YTN 2024-04-13"
    );
    assert_eq!(consular["editions"], "au ca jp mo nz us");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
}

#[test]
fn the_call_sheet_has_one_row_per_contact() {
    let root = support::sample_root();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.pdf");
    let out = guidepress(&root, &["contacts", "--sheet", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = lopdf::Document::load(&path).unwrap();
    for (_, page) in doc.get_pages() {
        let media = doc.get_dictionary(page).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
        let size: Vec<f32> = media.iter().map(|v| v.as_float().unwrap()).collect();
        assert!((size[2] - 841.89).abs() < 0.1 && (size[3] - 595.28).abs() < 0.1, "A4 landscape: {size:?}");
    }
    let text = support::pdftotext(&path);
    let csv_path = dir.path().join("c.csv");
    assert!(guidepress(&root, &["contacts", "--csv", csv_path.to_str().unwrap()]).status.success());
    let rows: Vec<BTreeMap<String, String>> =
        csv::Reader::from_path(&csv_path).unwrap().deserialize().map(Result::unwrap).collect();
    for r in &rows {
        assert_eq!(
            text.matches(&format!("{}:{}", r["file"], r["line"])).count(),
            1,
            "{} {}:\n{text}",
            r["id"],
            r["file"]
        );
        assert!(text.split_whitespace().any(|w| w == r["id"]), "id {}", r["id"]);
    }
    // No other place is printed: one row per contact.
    let places = regex::Regex::new(r"(editions/[a-z-]+\.toml|guidepress\.toml):[0-9]+").unwrap();
    assert_eq!(places.find_iter(&text).count(), rows.len(), "{text}");
    assert_eq!(text.matches("correct").count(), rows.len() + 1, "one per row and one in the instructions");
}

/// A copy of the sample with only the nz and jp editions.
fn two_editions() -> tempfile::TempDir {
    let dir = support::sample_copy();
    for id in ["au", "ca", "mo", "us"] {
        fs::remove_file(dir.path().join(format!("editions/{id}.toml"))).unwrap();
    }
    dir
}

fn built(root: &Path) -> Vec<String> {
    let out = guidepress(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut ids: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("built"))
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Lines of `before` and `after` that differ, as (line number, before, after), by position.
fn changed(before: &str, after: &str) -> Vec<(usize, String, String)> {
    assert_eq!(before.lines().count(), after.lines().count(), "lines added or removed:\n{after}");
    before
        .lines()
        .zip(after.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i + 1, a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn verify_edits_only_its_lines_and_the_next_build_rebuilds_only_what_prints_it() {
    let dir = two_editions();
    let root = dir.path();
    assert_eq!(built(root), ["jp", "nz"]);

    let before = fs::read_to_string(root.join("editions/nz.toml")).unwrap();
    let args = [
        "contacts",
        "verify",
        "nz",
        "crimestoppers-anonymous-reports",
        "--on",
        "2026-11-20",
        "--source",
        "phoned 0800 555 111",
    ];
    let out = guidepress(root, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "recorded editions/nz.toml:24: `crimestoppers-anonymous-reports` verified = 2026-11-20 (was 2021-07-30)\n\
         the next build rebuilds nz\n"
    );
    let after = fs::read_to_string(root.join("editions/nz.toml")).unwrap();
    assert_eq!(
        changed(&before, &after),
        [
            (29, "verified = 2021-07-30".into(), "verified = 2026-11-20".into()),
            (
                30,
                "source = \"Immigration New Zealand, 2021-07-30 (confirms the 0800 number only)\"".into(),
                "source = \"phoned 0800 555 111\"".into()
            ),
        ]
    );
    assert_eq!(built(root), ["nz"]);
    let table = String::from_utf8(guidepress(root, &["contacts", "nz"]).stdout).unwrap();
    let row = table.lines().find(|l| l.trim_start().starts_with("crimestoppers-anonymous-reports ")).unwrap();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["crimestoppers-anonymous-reports", "hotline", "ok", "2026-11-20", "2028-11-19"]
    );

    // A contact never confirmed gains a `verified` line at the end of its table.
    let before = after;
    let out = guidepress(
        root,
        &[
            "contacts",
            "verify",
            "nz",
            "migrant-exploitation-line-mbie",
            "--on",
            "2026-11-21",
            "--source",
            "mbie.govt.nz",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let after = fs::read_to_string(root.join("editions/nz.toml")).unwrap();
    let mut lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines.remove(48), "verified = 2026-11-21");
    assert_eq!(
        changed(&before, &(lines.join("\n") + "\n")),
        [(
            48,
            "source = \"INZ 2021-07-01 gives 0800 20 00 88; Victim Support NZ gives 0800 200 008; an older MBIE page gives 0800 20 90 20 [VERIFY: sources disagree]\"".into(),
            "source = \"mbie.govt.nz\"".into()
        )]
    );
    assert_eq!(built(root), ["nz"]);

    // A shared contact: every edition prints it; guidepress.toml keeps its comments.
    let before = fs::read_to_string(root.join("guidepress.toml")).unwrap();
    let out = guidepress(
        root,
        &[
            "contacts",
            "verify",
            "shared",
            "womens-emergency-line-1366",
            "--on",
            "2026-11-22",
            "--source",
            "women1366.kr",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).ends_with("the next build rebuilds jp, nz\n"), "{}", stderr(&out));
    let after = fs::read_to_string(root.join("guidepress.toml")).unwrap();
    assert_eq!(
        changed(&before, &after),
        [
            (81, "verified = 2023-09-24".into(), "verified = 2026-11-22".into()),
            (
                82,
                "source = \"AsiaToday 2023-09-24 (1366, area code + 1366, 24 h every day, website women1366.kr, KakaoTalk ID women1366); SBS 2023; dialling from abroad not found\"".into(),
                "source = \"women1366.kr\"".into(),
            ),
        ]
    );
    assert_eq!(built(root), ["jp", "nz"]);
}

#[test]
fn verify_refuses_what_it_cannot_record() {
    let dir = two_editions();
    let root = dir.path();
    let files = || (fs::read(root.join("editions/nz.toml")).unwrap(), fs::read(root.join("guidepress.toml")).unwrap());
    let before = files();
    let cases: [(&[&str], &str); 7] = [
        (&["nz", "crimestoppers-anonymous-reports", "--on", "2999-01-01"], "error: the date 2999-01-01 is after today"),
        (
            &["nz", "crimestoppers-anonymous-reports", "--on", "2026-02-30"],
            "error: the date 2026-02-30 is not a date; write the day the details were confirmed as year-month-day, e.g. 2026-11-30; nothing was written.\n",
        ),
        (
            &["nz", "crimestoppers-anonymous-reports", "--on", "30.11.2026"],
            "error: the date 30.11.2026 is not a date; write the day the details were confirmed as year-month-day, e.g. 2026-11-30; nothing was written.\n",
        ),
        (
            &["nz", "crimestoppers-anonymous-reports", "--on", "2026-11-30"],
            "error: the date 2026-11-30 is after the guide's date (2026-11-29), which the build refuses; set `date` in [guide] of guidepress.toml to the day this version goes to print first, then record the confirmation; nothing was written.\n",
        ),
        (
            &["fr", "crimestoppers-anonymous-reports", "--on", "2026-11-20"],
            "error: there is no edition `fr`; write one of jp, nz, or `shared` for the contacts of guidepress.toml that every edition prints; nothing was written.\n",
        ),
        (
            &["nz", "crimestoppers", "--on", "2026-11-20"],
            "error: editions/nz.toml has no contact `crimestoppers`; its contacts are: emergency-police-ambulance, new-zealand-police-non-emergency, crimestoppers-anonymous-reports, crimestoppers-number-calls-from-overseas, migrant-exploitation-line-mbie, immigration-new-zealand, embassy-republic-korea-auckland-branch; nothing was written.\n",
        ),
        (
            &["nz", "womens-emergency-line-1366", "--on", "2026-11-20"],
            "error: editions/nz.toml has no contact `womens-emergency-line-1366` (`womens-emergency-line-1366` is a shared contact of guidepress.toml: write `shared` instead of `nz`); its contacts are: emergency-police-ambulance, new-zealand-police-non-emergency, crimestoppers-anonymous-reports, crimestoppers-number-calls-from-overseas, migrant-exploitation-line-mbie, immigration-new-zealand, embassy-republic-korea-auckland-branch; nothing was written.\n",
        ),
    ];
    for (args, expected) in cases {
        let out = guidepress(root, &[&["contacts", "verify"][..], args, &["--source", "x"]].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with(expected), "{args:?}:\n{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    let out = guidepress(
        root,
        &["contacts", "verify", "nz", "crimestoppers-anonymous-reports", "--on", "2026-11-20", "--source", " "],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: the source must say, on one line, where the details were confirmed"));
    assert_eq!(files(), before, "nothing was written");
}

#[test]
fn a_call_sheet_that_cannot_be_drawn_is_refused_with_its_place() {
    let dir = two_editions();
    let root = dir.path();
    support::edit(
        root,
        "editions/nz.toml",
        "source = \"Immigration New Zealand, 2021-07-30 (confirms",
        "source = \"😀 Immigration New Zealand, 2021-07-30 (confirms",
    );
    let sheet = root.join("calls.pdf");
    let out = guidepress(
        root,
        &["contacts", "--sheet", sheet.to_str().unwrap(), "--csv", root.join("c.csv").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: editions/nz.toml:24: contact `crimestoppers-anonymous-reports`: `source` has the character \"😀\" (U+1F600), \
         which no font in fonts/ can draw, so the call sheet cannot print it; replace it\n1 problem found; nothing was written.\n"
    );
    assert!(out.stdout.is_empty());
    assert!(!sheet.exists() && !root.join("c.csv").exists(), "nothing written");
}
