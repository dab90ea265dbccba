//! Hostile and broken input in project data: printed literally, confined to the project, and
//! characters no font can draw reported before typesetting.

use crate::support;

use std::fs;

use guidepress::Error;
use guidepress::editions::BuildOptions;
use guidepress::project::Project;

/// A copy of the sample with only the nz edition.
fn nz_only() -> tempfile::TempDir {
    let dir = support::sample_copy();
    for id in ["au", "ca", "mo", "us", "jp"] {
        fs::remove_file(dir.path().join(format!("editions/{id}.toml"))).unwrap();
    }
    dir
}

fn build_err(root: &std::path::Path) -> String {
    let project = Project::load(root).unwrap();
    match guidepress::press::build(&project, &BuildOptions::default()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("the build should have failed"),
    }
}

#[test]
fn data_strings_are_printed_literally() {
    let dir = nz_only();
    let root = dir.path();
    let hostile = [
        r##"#read("/etc/passwd")"##,
        "]#[ $x$ *bold* _it_ <label> @ref",
        r"back\slash // not a comment /* nor this */",
        "\"quoted\" `raw` ~tilde = heading",
    ];
    let toml_str = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let notes = format!(
        "notes.en = \"{}\"\nnotes.ko = \"{}\"\nhours.en = \"{}\"\nhours.ko = \"{}\"\n",
        toml_str(hostile[0]),
        toml_str(hostile[1]),
        toml_str(hostile[2]),
        toml_str(hostile[3])
    );
    support::edit(root, "editions/nz.toml", "short = \"111\"\n", &format!("short = \"111\"\n{notes}"));
    let project = Project::load(root).unwrap();
    guidepress::press::build(&project, &BuildOptions::default()).unwrap();
    let text = support::pdftotext(&root.join("out/editions/nz-screen.pdf"));
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for s in hostile {
        let want: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&want), "{s:?} is not printed literally");
    }
    assert!(!flat.contains("root:x:0"), "a data string read a file");
}

#[test]
fn a_100_kb_name_is_refused_with_its_place() {
    let dir = nz_only();
    let root = dir.path();
    let long_name = "N".repeat(100_000);
    support::edit(
        root,
        "editions/nz.toml",
        "name.en = \"Emergency (police, ambulance)\"",
        &format!("name.en = \"{long_name}\""),
    );
    let line =
        fs::read_to_string(root.join("editions/nz.toml")).unwrap().lines().position(|l| l.contains("NNNN")).unwrap()
            + 1;
    let err = Project::load(root).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "editions/nz.toml:{line}:12: contact \"{}…\": `name.en` is 100000 characters long; at most 120 fit on a contacts page, so shorten it",
            &long_name[..60]
        )),
        "{}",
        &err[..300.min(err.len())]
    );
}

#[test]
fn layouts_and_chapters_cannot_read_outside_the_project() {
    let dir = nz_only();
    let root = dir.path();
    let outside = tempfile::NamedTempFile::new().unwrap();
    fs::write(outside.path(), "secret").unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("layouts/escape.txt")).unwrap();
    let chapter = "chapters/en/01-victims-under-korean-law.typ";
    for (probe, needle) in [
        ("#read(\"/layouts/escape.txt\")", "is outside the project folder"),
        ("#read(\"../../../../../../etc/hostname\")", "escape"),
        (&format!("#read(\"{}\")", outside.path().display()), "not found"),
    ] {
        let original = fs::read_to_string(root.join(chapter)).unwrap();
        fs::write(root.join(chapter), format!("{original}\n{probe}\n")).unwrap();
        let err = build_err(root);
        assert!(err.contains(chapter) && err.to_lowercase().contains(needle), "{probe}: {err}");
        assert!(!err.contains("secret"));
        fs::write(root.join(chapter), original).unwrap();
    }
}

#[test]
fn characters_no_font_can_draw_are_errors_with_their_place() {
    let dir = nz_only();
    let root = dir.path();
    support::edit(
        root,
        "editions/nz.toml",
        "name.en = \"Crimestoppers (anonymous reports)\"",
        "name.en = \"Crimestoppers 🙂\"",
    );
    support::edit(root, "chapters/en/02-trafficking-and-exploitation-cases.typ", "\n\n", "\n\nกรุงเทพ\n\n");
    let project = Project::load(root).unwrap();
    let err = guidepress::press::build(&project, &BuildOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Problems(_)));
    let text = err.to_string();
    assert!(
        text.contains("chapters/en/02-trafficking-and-exploitation-cases.typ:3:1: the character \"ก\" (U+0E01) cannot be drawn by any font in fonts/"),
        "{text}"
    );
    let line =
        fs::read_to_string(root.join("editions/nz.toml")).unwrap().lines().position(|l| l.contains('🙂')).unwrap() + 1;
    assert!(text.contains(&format!("editions/nz.toml:{line}:")) && text.contains("U+1F642"), "{text}");
    assert!(!root.join("out/editions/nz.pdf").exists(), "nothing is written");
}

#[test]
fn blank_letters_hidden_symbols_and_pages_outside_ascii_are_refused_at_once() {
    let dir = nz_only();
    let root = dir.path();
    let chapter = "chapters/en/02-trafficking-and-exploitation-cases.typ";
    support::edit(root, chapter, "\n\n", "\n\nCall#sym.zwj us.\n\n");
    support::edit(
        root,
        "editions/nz.toml",
        "name.en = \"Crimestoppers (anonymous reports)\"",
        "name.en = \"Crimestoppers\u{3164}\"",
    );
    support::edit(
        root,
        "editions/nz.toml",
        "url = \"https://105.police.govt.nz\"",
        "url = \"https://105.police.govt.nz/도움\"",
    );
    let text = Project::load(root).unwrap_err().to_string();
    assert!(
        text.contains(&format!(
            "{chapter}:3:6: the text has the symbol `sym.zwj`, which stands for U+200D ZERO WIDTH JOINER, an invisible \
             character that joins or separates letters"
        )),
        "{text}"
    );
    assert!(text.contains("U+3164 HANGUL FILLER, a Hangul filler, which prints as nothing"), "{text}");
    assert!(
        text.contains(
            "has letters outside a-z in the page part `/도움`, which some phones read wrongly from a QR code; write it \
             as a browser copies it, https://105.police.govt.nz/%EB%8F%84%EC%9B%80"
        ),
        "{text}"
    );
}

#[test]
fn files_an_editor_leaves_beside_the_sources_are_not_read() {
    let dir = nz_only();
    let root = dir.path();
    let chapter = "chapters/en/02-trafficking-and-exploitation-cases.typ";
    for (from, to) in [("editions/nz.toml", "editions/nz.toml~"), (chapter, &format!("{chapter}~"))] {
        fs::copy(root.join(from), root.join(to)).unwrap();
    }
    fs::copy(root.join("editions/nz.toml"), root.join("editions/#nz.toml#")).unwrap();
    let project = Project::load(root).unwrap();
    assert_eq!(project.edition_ids(), ["nz"]);
    assert!(project.chapters["en"].iter().all(|c| !c.path.ends_with('~')));
}

/// A chapter that reads a named pipe gets an error naming the file and the chapter's line, at
/// once: the build does not block on the pipe. (A device outside the project, e.g. a link to
/// /dev/zero, is refused as outside the project, above.)
#[test]
fn a_named_pipe_read_by_a_chapter_is_an_error_not_a_hang() {
    let dir = nz_only();
    let root = dir.path();
    let fifo = root.join("chapters/pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let chapter = "chapters/en/01-victims-under-korean-law.typ";
    let original = fs::read_to_string(root.join(chapter)).unwrap();
    for probe in ["#read(\"/chapters/pipe.txt\")", "#image(\"/chapters/pipe.txt\")"] {
        fs::write(root.join(chapter), format!("{original}\n{probe}\n")).unwrap();
        let started = std::time::Instant::now();
        let err = build_err(root);
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{probe} took {:?}", started.elapsed());
        assert!(
            err.contains(chapter) && err.contains("pipe.txt: this is a named pipe (FIFO), not a regular file"),
            "{probe}: {err}"
        );
    }
    assert!(!root.join("out/editions/nz.pdf").exists());
}
