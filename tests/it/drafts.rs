//! A draft never passes for final: every page of a draft edition's three files says "draft", a
//! final build has no such line, and `build --final` refuses unconfirmed contacts and passages.

use crate::support::{self, guidepress};

use std::fs;
use std::path::Path;

use guidepress::editions::BuildOptions;
use guidepress::project::Project;

/// The draft line in `lang`, from the layouts' strings.
fn mark(lang: &str) -> String {
    let strings: toml::Table =
        toml::from_str(&fs::read_to_string(support::sample_root().join("layouts/strings.toml")).unwrap()).unwrap();
    strings[lang]["draft-mark"].as_str().unwrap().to_string()
}

/// Pages of a PDF's text as pdftotext gives them (split at form feeds; the last is empty).
fn pages(pdf: &Path) -> Vec<String> {
    let text = support::pdftotext(pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    pages.pop();
    pages
}

/// A copy of the sample whose every contact was confirmed recently and whose chapters have no
/// unconfirmed passage: what `--final` accepts.
fn final_ready_copy() -> tempfile::TempDir {
    let dir = support::sample_copy();
    let root = dir.path();
    support::confirm_every_contact(root);
    for lang in fs::read_dir(root.join("chapters")).unwrap() {
        let lang = lang.unwrap().path();
        if !lang.is_dir() {
            continue; // chapters/GLOSSARY.md
        }
        for file in fs::read_dir(lang).unwrap() {
            let path = file.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, text.replace("#unconfirmed[", "#[")).unwrap();
        }
    }
    dir
}

#[test]
fn every_page_of_a_draft_says_so_in_every_file() {
    let p = support::sample_copy();
    let out = guidepress(p.path(), &["build", "nz", "jp", "mo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let project = Project::load(p.path()).unwrap();
    for id in ["nz", "jp", "mo"] {
        let edition = project.edition(id).unwrap();
        assert!(edition.draft, "{id} is a draft in the sample");
        // pdftotext may break the line between its languages; each language's words are there.
        let marks: Vec<String> = edition.languages.iter().map(|l| mark(l)).collect();
        for (file, per_page) in
            [(format!("{id}.pdf"), 1), (format!("{id}-screen.pdf"), 1), (format!("{id}-booklet.pdf"), 2)]
        {
            let pdf = p.path().join("out/editions").join(&file);
            let pages = pages(&pdf);
            assert!(pages.len() >= 4, "{file}: {} pages", pages.len());
            for (i, text) in pages.iter().enumerate() {
                let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                for m in &marks {
                    let m: String = m.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert_eq!(
                        flat.matches(&m).count(),
                        per_page,
                        "{file} page {}: the mark {m:?} is not there {per_page}×:\n{flat}",
                        i + 1
                    );
                }
            }
        }
    }
}

#[test]
fn a_final_build_of_confirmed_contacts_has_no_draft_line() {
    let p = final_ready_copy();
    let out = guidepress(p.path(), &["build", "--final", "nz", "jp"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for id in ["nz", "jp"] {
        for file in [format!("{id}.pdf"), format!("{id}-screen.pdf"), format!("{id}-booklet.pdf")] {
            let text = support::pdftotext(&p.path().join("out/editions").join(&file));
            for lang in ["ko", "en", "ja"] {
                let first_word = mark(lang).split_whitespace().next().unwrap().to_string();
                assert!(!text.contains(&mark(lang)), "{file}: draft line in a final build");
                // Not even the first word of the line ("DRAFT", "초안" …) as it is printed.
                assert!(!text.contains(&format!("{first_word} —")), "{file}: {first_word} — in a final build");
            }
        }
    }
}

#[test]
fn an_unconfirmed_passage_marks_the_edition_a_draft_and_blocks_final() {
    let p = final_ready_copy();
    let root = p.path();
    let rel = "chapters/en/02-trafficking-and-exploitation-cases.typ";
    let path = root.join(rel);
    if !path.exists() {
        panic!("{rel} is not in the sample; pick another chapter");
    }
    let text = fs::read_to_string(&path).unwrap();
    let (title, rest) = text.split_once('\n').unwrap();
    let edited = format!(
        "#import \"/layouts/prose.typ\": unconfirmed\n{title}\n\nA sourced sentence. #unconfirmed[A sentence no source confirms.]\n{rest}"
    );
    fs::write(&path, edited).unwrap();
    // check lists it.
    let out = guidepress(root, &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "note: {rel}:4:21: unconfirmed passage, printed marked in au, ca, mo, nz, us; build --final refuses it"
        )),
        "{stderr}"
    );
    // --final refuses every edition printing English, naming the place, and writes nothing.
    let out = guidepress(root, &["build", "--final"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: {rel}:4:21: this passage is marked #unconfirmed, so a final build refuses editions au, ca, mo, nz, us; confirm it from a source and remove the mark, or delete the passage\n1 problem found; nothing was written.\n"
        )
    );
    assert!(!root.join("out/editions").exists());
    // A plain build prints it marked, and the edition is a draft on every page; jp (ko + ja) is not.
    let project = Project::load(root).unwrap();
    assert!(project.edition("nz").unwrap().draft);
    assert!(!project.edition("jp").unwrap().draft);
    let options = BuildOptions { ids: vec!["nz".into(), "jp".into()], ..Default::default() };
    guidepress::press::build(&project, &options).unwrap();
    let nz = pages(&root.join("out/editions/nz.pdf"));
    assert!(nz.iter().all(|t| t.contains(&mark("en"))), "nz: a page without the draft line");
    let all = nz.join("\n");
    assert!(all.contains("A sentence no source confirms. [unconfirmed]"), "the passage is not tagged");
    let jp = support::pdftotext(&root.join("out/editions/jp.pdf"));
    assert!(!jp.contains(&mark("ko")), "jp prints no English chapter and must not be a draft");
}
