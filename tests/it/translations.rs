//! Translations that fall behind the Korean source: a changed Korean paragraph makes exactly the
//! editions printing a translation of that chapter drafts, names that paragraph and no other,
//! and blocks `--final` until the translation is confirmed; whitespace never counts; the record
//! is edited in place; bad records are located errors.

use crate::support::{self, guidepress, stderr};

use std::fs;
use std::path::Path;

const KO_03: &str = "chapters/ko/03-fake-overseas-job-sites.typ";
const FIGURE_OLD: &str = "최대 400만 원을";
const FIGURE_NEW: &str = "최대 500만 원을";
/// The line of chapters/ko/03 holding the figure.
const FIGURE_LINE: usize = 12;

/// A copy of the sample whose contacts were all confirmed recently, with a Korean-only edition
/// `kr` beside the others.
fn fresh_copy() -> tempfile::TempDir {
    let dir = support::sample_copy();
    let root = dir.path();
    support::confirm_every_contact(root);
    let nz = fs::read_to_string(root.join("editions/nz.toml")).unwrap();
    fs::write(root.join("editions/kr.toml"), nz.replace("languages = [\"ko\", \"en\"]", "languages = [\"ko\"]"))
        .unwrap();
    dir
}

/// The `id   standing` lines `build` and `check` print, by edition id.
fn standings(err: &str) -> std::collections::BTreeMap<String, String> {
    err.lines()
        .filter_map(|l| {
            let (id, rest) = l.split_once(' ')?;
            let rest = rest.trim_start();
            (rest == "final" || rest.starts_with("draft: ")).then(|| (id.to_string(), rest.to_string()))
        })
        .collect()
}

/// The editions a build rebuilt (`built …` lines).
fn rebuilt(err: &str) -> Vec<String> {
    err.lines().filter_map(|l| l.strip_prefix("built ")).map(|l| l.split_whitespace().next().unwrap().into()).collect()
}

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(fs::read(path).unwrap()).to_vec()
}

#[test]
fn a_changed_korean_paragraph_outdates_exactly_its_translations_until_confirmed() {
    let dir = fresh_copy();
    let root = dir.path();
    let out = guidepress(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = standings(&stderr(&out));
    assert_eq!(before.len(), 7, "{}", stderr(&out));
    assert!(before.values().all(|s| s == "final"), "{before:?}");

    support::edit(root, KO_03, FIGURE_OLD, FIGURE_NEW);
    let out = guidepress(root, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now = standings(&stderr(&out));
    let expected = [
        ("au", "draft: en/03 outdated"),
        ("ca", "draft: en/03 outdated"),
        ("jp", "draft: ja/03 outdated"),
        ("kr", "final"),
        ("mo", "draft: en/03, zh-Hant/03 outdated"),
        ("nz", "draft: en/03 outdated"),
        ("us", "draft: en/03 outdated"),
    ];
    let expected: std::collections::BTreeMap<String, String> =
        expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(now, expected);
    assert!(
        stderr(&out).contains(&format!("note: {KO_03}:{FIGURE_LINE}:1: en/03 outdated, printed in au, ca, mo, nz, us"))
    );

    // The report names that paragraph and no other.
    let out = guidepress(root, &["translations", "--diff", "en", "03"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = String::from_utf8(out.stdout.clone()).unwrap();
    let marked: Vec<&str> = diff.lines().filter(|l| l.starts_with("+ ")).collect();
    assert_eq!(marked.len(), 1, "{diff}");
    assert!(marked[0].contains(FIGURE_NEW), "{diff}");
    assert!(diff.contains(&format!("{KO_03}:{FIGURE_LINE}\n")), "{diff}");
    let csv_path = root.join("t.csv");
    let out = guidepress(root, &["translations", "--csv", csv_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = fs::read_to_string(&csv_path).unwrap();
    let outdated: Vec<&str> = csv.lines().filter(|l| l.contains(",outdated,")).collect();
    assert_eq!(outdated.len(), 3, "{csv}");
    assert!(outdated.iter().all(|l| l.contains(",03,") && l.ends_with(&format!(",{FIGURE_LINE}"))), "{csv}");
    assert_eq!(csv.lines().filter(|l| l.contains(",current,")).count(), 18, "{csv}");

    // The drafts are typeset as drafts, with the reason in the contacts box.
    let out = guidepress(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut built = rebuilt(&stderr(&out));
    built.sort();
    assert_eq!(built, ["au", "ca", "jp", "kr", "mo", "nz", "us"], "every edition prints ko/03 or a translation of it");
    let changes = String::from_utf8(guidepress(root, &["changes", "nz", "kr"]).stdout).unwrap();
    let line = format!("  translation now outdated  en/03: {KO_03} line {FIGURE_LINE}\n");
    assert_eq!(changes.matches("translation now outdated").count(), 1, "{changes}");
    assert!(changes.contains(&line), "{changes}");
    let page = fs::read_to_string(root.join("out/index.html")).unwrap();
    assert!(page.contains(&format!("<li>en/03: {KO_03} line {FIGURE_LINE}</li>")), "the review page says it too");
    let strings: toml::Table = toml::from_str(&fs::read_to_string(root.join("layouts/strings.toml")).unwrap()).unwrap();
    let reason = strings["en"]["draft-translation"].as_str().unwrap();
    let text = support::pdftotext(&root.join("out/editions/nz.pdf")).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(reason), "nz's contacts box says why");
    assert!(text.contains(strings["en"]["draft-mark"].as_str().unwrap()));
    let kr = support::pdftotext(&root.join("out/editions/kr.pdf"));
    assert!(!kr.contains(strings["ko"]["draft-mark"].as_str().unwrap()), "the Korean-only edition stays final");

    // --final refuses with chapter, language and line, and writes nothing.
    let pdf = root.join("out/editions/nz.pdf");
    let was = sha(&pdf);
    let out = guidepress(root, &["build", "--final", "nz"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("error: {KO_03}:{FIGURE_LINE}:1: the en translation (chapters/en/03-")), "{err}");
    assert!(err.contains(&format!("source line {FIGURE_LINE} of {KO_03} changed since")), "{err}");
    assert_eq!(err.matches("error: ").count(), 1, "only the translation stops nz: {err}");
    assert_eq!(sha(&pdf), was);
    let out = guidepress(root, &["build", "--final", "kr"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Confirming changes only the chapter's record lines, and rebuilds only the English editions.
    let record = root.join("chapters/en/translations.toml");
    let old = fs::read_to_string(&record).unwrap();
    let out = guidepress(root, &["translations", "confirm", "en", "03", "--by", "Lee Su-jin", "--on", "2026-12-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let new = fs::read_to_string(&record).unwrap();
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    assert_eq!(old_lines.len(), new_lines.len());
    let changed: Vec<(usize, &str)> =
        new_lines.iter().enumerate().filter(|(i, l)| old_lines[*i] != **l).map(|(i, l)| (i, *l)).collect();
    assert_eq!(changed.len(), 4, "source, one paragraph, confirmed-by, confirmed-on: {changed:?}");
    let header = new_lines.iter().position(|l| *l == "[03-fake-overseas-job-sites]").unwrap();
    let next = new_lines.iter().skip(header + 1).position(|l| l.starts_with('[')).unwrap() + header + 1;
    assert!(changed.iter().all(|(i, _)| (header..next).contains(i)), "{changed:?}");
    assert!(changed.iter().any(|(_, l)| *l == "confirmed-by = \"Lee Su-jin\""));
    assert!(changed.iter().any(|(_, l)| *l == "confirmed-on = 2026-12-01"));
    let out = guidepress(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut built = rebuilt(&stderr(&out));
    built.sort();
    assert_eq!(built, ["au", "ca", "mo", "nz", "us"], "{}", stderr(&out));
    let out = guidepress(root, &["build", "--final", "nz"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(standings(&stderr(&out))["nz"], "final");
}

#[test]
fn whitespace_and_line_ends_do_not_outdate_a_translation_but_a_number_does() {
    let dir = support::sample_copy();
    let root = dir.path();
    let path = root.join(KO_03);
    let text = fs::read_to_string(&path).unwrap();
    let reflowed = text
        .replace("\n\n", "\n\n\n")
        .replace(". ", ".   \n")
        .lines()
        .map(|l| format!("{l}  "))
        .collect::<Vec<_>>()
        .join("\r\n");
    fs::write(&path, &reflowed).unwrap();
    let out = guidepress(root, &["translations"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!table.contains("outdated"), "{table}");
    assert!(stderr(&out).contains("21 translated chapters: 21 current"), "{}", stderr(&out));

    fs::write(&path, reflowed.replace("2만 5천 달러", "2만 6천 달러")).unwrap();
    let out = guidepress(root, &["translations", "ja"]);
    let table = String::from_utf8(out.stdout.clone()).unwrap();
    let row = table.lines().find(|l| l.starts_with("03 ")).unwrap();
    assert!(row.ends_with("outdated"), "{table}");
    assert_eq!(table.matches("outdated").count(), 2, "the row and one detail line: {table}");
}

#[test]
fn bad_records_are_located_all_at_once_and_nothing_is_written() {
    let dir = support::sample_copy();
    let root = dir.path();
    let record = root.join("chapters/ja/translations.toml");
    let text = fs::read_to_string(&record).unwrap();
    let broken = text
        .replacen("[02-trafficking-and-exploitation-cases]", "[09-no-such-chapter]", 1)
        .replacen("source = \"", "source = \"zz", 1)
        .replacen("confirmed-on = 2026-11-29", "confirmed-on = \"yesterday\"", 1);
    fs::write(&record, &broken).unwrap();
    fs::write(root.join("chapters/ko/translations.toml"), "").unwrap();
    let out = guidepress(root, &["--diagnostic-format", "short", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let line_of = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (line, what) in [
        (line_of("source = \"zz"), "`source` is not a fingerprint"),
        (line_of("\"yesterday\""), "`confirmed-on` must be a date"),
        (line_of("[09-no-such-chapter]"), "`[09-no-such-chapter]` names no chapter of chapters/ja/ or chapters/ko/"),
    ] {
        assert!(err.contains(&format!("chapters/ja/translations.toml:{line}:")), "{what} at line {line}: {err}");
        assert!(err.contains(what), "{what}: {err}");
    }
    assert!(err.contains("chapters/ko/translations.toml: error: ko is the source language"), "{err}");
    assert_eq!(err.matches(": error: ").count(), 4, "{err}");
    assert!(!root.join("out").exists());

    // A confirmation of a project with errors writes nothing.
    let out = guidepress(root, &["translations", "confirm", "ja", "01", "--by", "X"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&record).unwrap(), broken);
}

#[test]
fn a_confirmation_needs_a_source_a_known_language_and_a_name() {
    let dir = support::sample_copy();
    let root = dir.path();
    // A language no edition prints yet, with one chapter more than the source has.
    fs::create_dir(root.join("chapters/fr")).unwrap();
    fs::copy(
        root.join("chapters/en/01-victims-under-korean-law.typ"),
        root.join("chapters/fr/01-victims-under-korean-law.typ"),
    )
    .unwrap();
    fs::write(root.join("chapters/fr/02-extra.typ"), "= Extra\n\nText.\n").unwrap();
    let out = guidepress(root, &["translations", "confirm", "fr", "02", "--by", "X"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("chapters/fr/02-extra.typ has no source"), "{}", stderr(&out));
    let out = guidepress(root, &["translations", "confirm", "de", "01", "--by", "X"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the translation languages are: en, fr, ja, zh-Hant"), "{}", stderr(&out));
    let out = guidepress(root, &["translations", "confirm", "fr", "01", "--by", " "]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!root.join("chapters/fr/translations.toml").exists());
    // A new record starts with its explanation, then the chapter's entry.
    let out = guidepress(root, &["translations", "confirm", "fr", "1", "--by", "X", "--on", "2026-11-30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let record = fs::read_to_string(root.join("chapters/fr/translations.toml")).unwrap();
    assert!(record.starts_with("# What each fr chapter was translated from"), "{record}");
    let out = guidepress(root, &["translations", "fr"]);
    let table = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        table.contains("01 victims-under-korean-law") && table.lines().nth(1).unwrap().ends_with("current"),
        "{table}"
    );
}
