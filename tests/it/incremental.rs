//! Rebuild only what changed: the manifest, change detection per input kind, altered outputs,
//! no-op builds that write nothing, shards, and watch mode.

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use guidepress::editions::BuildOptions;
use guidepress::manifest::Manifest;
use guidepress::output::sha256_hex;
use guidepress::project::Project;

/// A copy of the sample with only the nz (ko + en) and jp (ko + ja) editions, and real font files.
fn fixture() -> tempfile::TempDir {
    let dir = support::sample_copy();
    for id in ["au", "ca", "mo", "us"] {
        fs::remove_file(dir.path().join(format!("editions/{id}.toml"))).unwrap();
    }
    fs::remove_file(dir.path().join("fonts")).unwrap();
    fs::create_dir(dir.path().join("fonts")).unwrap();
    for entry in fs::read_dir(support::sample_root().join("fonts")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            fs::copy(entry.path(), dir.path().join("fonts").join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// Builds and returns the ids that were typeset (not up to date).
fn rebuilt(root: &Path, extra: impl FnOnce(&mut BuildOptions)) -> Vec<String> {
    let project = Project::load(root).unwrap();
    let mut options = BuildOptions::default();
    extra(&mut options);
    guidepress::press::build(&project, &options)
        .unwrap()
        .into_iter()
        .filter(|b| b.rebuilt.is_some())
        .map(|b| b.id)
        .collect()
}

fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir.join("editions")).unwrap() {
        let entry = entry.unwrap();
        out.insert(entry.file_name().to_string_lossy().into_owned(), entry.metadata().unwrap().modified().unwrap());
    }
    out.insert("manifest.json".into(), fs::metadata(dir.join("manifest.json")).unwrap().modified().unwrap());
    out
}

#[test]
fn only_what_changed_is_rebuilt() {
    let dir = fixture();
    let root = dir.path();
    let out = root.join("out");
    assert_eq!(rebuilt(root, |_| {}), ["jp", "nz"]);

    // The manifest describes what was written, with the real hashes.
    let manifest = Manifest::load(&out);
    assert_eq!(manifest.editions.keys().collect::<Vec<_>>(), ["jp", "nz"]);
    let nz = &manifest.editions["nz"];
    assert_eq!(nz.languages, ["ko", "en"]);
    assert_eq!(nz.pages["press"] % 4, 0);
    assert_eq!(nz.pages["booklet"], nz.pages["press"] / 2);
    for (rel, stamp) in &nz.files {
        assert_eq!(stamp.sha256, sha256_hex(&fs::read(out.join(rel)).unwrap()), "{rel}");
    }
    for input in [
        "layouts/book.typ",
        "layouts/contacts.typ",
        "layouts/strings.toml",
        "editions/nz.toml",
        "fonts/NotoSerifKR-Regular.otf",
    ] {
        assert!(nz.inputs.contains_key(input), "nz inputs lack {input}: {:?}", nz.inputs.keys());
    }
    assert!(nz.inputs.keys().any(|k| k.starts_with("chapters/en/")));
    assert!(!nz.inputs.keys().any(|k| k.starts_with("chapters/ja/")));

    // An up-to-date build writes nothing.
    let before = mtimes(&out);
    std::thread::sleep(Duration::from_millis(20));
    assert!(rebuilt(root, |_| {}).is_empty());
    assert_eq!(mtimes(&out), before);

    // A contact in editions/nz.toml: nz only.
    support::edit(root, "editions/nz.toml", "0800 555 111", "0800 555 112");
    assert_eq!(rebuilt(root, |_| {}), ["nz"]);
    // A comment in an edition file: that edition (its file is an input).
    fs::write(root.join("editions/jp.toml"), fs::read_to_string(root.join("editions/jp.toml")).unwrap() + "# note\n")
        .unwrap();
    assert_eq!(rebuilt(root, |_| {}), ["jp"]);
    // A chapter in English: the editions using English.
    support::edit(root, "chapters/en/03-fake-overseas-job-sites.typ", "\n", "\n\n");
    assert_eq!(rebuilt(root, |_| {}), ["nz"]);
    // A chapter in Korean: both.
    support::edit(root, "chapters/ko/01-victims-under-korean-law.typ", "\n", "\n\n");
    assert_eq!(rebuilt(root, |_| {}), ["jp", "nz"]);
    // A shared contact in guidepress.toml: all.
    support::edit(root, "guidepress.toml", "+82-2-3210-0404", "+82 2 3210 0404 ");
    assert!(rebuilt(root, |_| {}).is_empty(), "same number, same data: nothing to do");
    support::edit(root, "guidepress.toml", "verified = 2024-04-13", "verified = 2024-04-14");
    assert_eq!(rebuilt(root, |_| {}), ["jp", "nz"]);
    // A layout: all.
    support::edit(root, "layouts/contacts.typ", "spacing: 5mm", "spacing: 5.5mm");
    assert_eq!(rebuilt(root, |_| {}), ["jp", "nz"]);
    // A font: all.
    fs::copy(root.join("fonts/Pretendard-Regular.otf"), root.join("fonts/Extra-Regular.otf")).unwrap();
    assert_eq!(rebuilt(root, |_| {}), ["jp", "nz"]);
    // An option (bleed): all.
    support::edit(root, "guidepress.toml", "bleed-mm = 3", "bleed-mm = 5");
    assert_eq!(rebuilt(root, |_| {}), ["jp", "nz"]);
    // A deleted output, an altered output.
    fs::remove_file(out.join("editions/jp-booklet.pdf")).unwrap();
    assert_eq!(rebuilt(root, |_| {}), ["jp"]);
    let mut bytes = fs::read(out.join("editions/nz-screen.pdf")).unwrap();
    bytes.extend_from_slice(b"\n%tampered\n");
    fs::write(out.join("editions/nz-screen.pdf"), bytes).unwrap();
    assert_eq!(rebuilt(root, |_| {}), ["nz"]);
    // --force and --shard.
    assert_eq!(rebuilt(root, |o| o.force = true), ["jp", "nz"]);
    assert_eq!(
        rebuilt(root, |o| {
            o.force = true;
            o.shard = Some((2, 2))
        }),
        ["nz"]
    );
}

#[test]
fn a_failed_build_keeps_outputs_and_manifest() {
    let dir = fixture();
    let root = dir.path();
    rebuilt(root, |_| {});
    let before: Vec<Vec<u8>> = ["manifest.json", "editions/nz.pdf", "editions/jp.pdf"]
        .iter()
        .map(|f| fs::read(root.join("out").join(f)).unwrap())
        .collect();
    support::edit(root, "layouts/book.typ", "  contacts-section(data, pal)", "  contacts-section(data, pal, 1)");
    let project = Project::load(root).unwrap();
    let err = guidepress::press::build(&project, &BuildOptions::default()).unwrap_err();
    assert!(err.to_string().contains("layouts/book.typ"), "{err}");
    let after: Vec<Vec<u8>> = ["manifest.json", "editions/nz.pdf", "editions/jp.pdf"]
        .iter()
        .map(|f| fs::read(root.join("out").join(f)).unwrap())
        .collect();
    assert!(before == after, "a failed build changed earlier outputs");
}

/// Runs `guidepress watch` on `root` (as `--project .` from inside it, or with the absolute
/// path and `--timings`) and returns the child and its stderr lines as they come.
fn spawn_watch(root: &Path, relative: bool) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidepress"));
    if relative {
        cmd.current_dir(root).args(["--project", ".", "watch"]);
    } else {
        cmd.args(["--project", root.to_str().unwrap(), "watch", "--timings"]);
    }
    let mut child = cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// Lines until one contains `needle` (Ok), or all lines seen when `within` ran out (Err).
fn lines_until(
    rx: &std::sync::mpsc::Receiver<String>,
    needle: &str,
    within: Duration,
) -> Result<Vec<String>, Vec<String>> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let hit = line.contains(needle);
            seen.push(line);
            if hit {
                return Ok(seen);
            }
        }
    }
    Err(seen)
}

#[test]
fn watch_rebuilds_after_a_change_and_is_silent_at_rest() {
    for relative in [true, false] {
        let dir = fixture();
        let root = dir.path();
        let (mut child, rx) = spawn_watch(root, relative);
        let first = lines_until(&rx, "watching for changes", Duration::from_secs(120));
        assert!(first.is_ok(), "watch did not finish its first build: {first:?}");
        // At rest: no build round, nothing printed.
        let idle = lines_until(&rx, "", Duration::from_secs(5));
        assert_eq!(idle, Err(vec![]), "watch printed without any change (relative: {relative})");
        support::edit(root, "editions/nz.toml", "0800 555 111", "0800 555 113");
        let second = lines_until(&rx, "rebuilt", Duration::from_secs(120));
        let lines = second.expect("no rebuild after the change");
        let last = lines.last().unwrap();
        assert!(last.contains("nz ("), "{lines:?}");
        assert!(!last.contains("jp ("), "{lines:?}");
        if !relative {
            // `--timings`: the project's reading, then nz's stages and files.
            let stages = lines_until(&rx, "cards-press", Duration::from_secs(5)).expect("no timings after the round");
            let joined = stages.join("\n");
            for part in ["project ", "nz: load ", " export ", "nz: press ", " booklet ", " ms"] {
                assert!(joined.contains(part), "no `{part}` in {stages:?}");
            }
            assert!(!joined.contains("jp:"), "{stages:?}");
        }
        // And at rest again after the round.
        let idle = lines_until(&rx, "", Duration::from_secs(2));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(idle, Err(vec![]), "watch printed after its round (relative: {relative})");
    }
}

#[test]
fn a_build_killed_while_writing_leaves_only_complete_files() {
    let dir = fixture();
    let root = dir.path();
    rebuilt(root, |_| {});
    let editions = root.join("out/editions");
    let mut caught = false;
    for attempt in 0..8 {
        // Change a layout so that every file is written again.
        support::edit(root, "layouts/contacts.typ", "spacing: 5mm", &format!("spacing: 5.{attempt}1mm"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidepress"))
            .args(["--project", root.to_str().unwrap(), "build"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        loop {
            let writing = fs::read_dir(&editions)
                .unwrap()
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().contains(".tmp-"));
            if writing {
                child.kill().unwrap();
                caught = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.wait();
        support::edit(root, "layouts/contacts.typ", &format!("spacing: 5.{attempt}1mm"), "spacing: 5mm");
        // Every file under its real name is a whole PDF.
        for entry in fs::read_dir(&editions).unwrap().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') {
                let bytes = fs::read(entry.path()).unwrap();
                assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"), "{name} is not a complete PDF");
                lopdf::Document::load_mem(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        if caught {
            break;
        }
    }
    assert!(caught, "never caught the build while it was writing");
    // The next run removes the killed run's temporary files, rebuilds and the manifest matches.
    rebuilt(root, |_| {});
    let leftovers: Vec<String> = fs::read_dir(&editions)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let manifest = Manifest::load(&root.join("out"));
    for entry in manifest.editions.values() {
        for (rel, stamp) in &entry.files {
            assert_eq!(stamp.sha256, sha256_hex(&fs::read(root.join("out").join(rel)).unwrap()), "{rel}");
        }
    }
    assert!(rebuilt(root, |_| {}).is_empty());
}

#[test]
fn the_binarys_no_op_answer_from_the_manifest_sees_every_kind_of_change() {
    let dir = fixture();
    let root = dir.path();
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_guidepress"))
            .args(["--project", root.to_str().unwrap(), "build"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut built: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("built"))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .collect();
        built.sort();
        built
    };
    assert_eq!(run(), ["jp", "nz"]);
    assert!(run().is_empty());
    support::edit(root, "editions/nz.toml", "0800 555 111", "0800 555 114");
    assert_eq!(run(), ["nz"]);
    support::edit(root, "chapters/ja/05-how-women-are-controlled.typ", "\n", "\n\n");
    assert_eq!(run(), ["jp"]);
    fs::copy(root.join("chapters/en/07-counselling-and-help.typ"), root.join("chapters/en/08-more.typ")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_guidepress"))
        .args(["--project", root.to_str().unwrap(), "build"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a chapter only in English must be reported, not skipped as up to date");
    fs::remove_file(root.join("chapters/en/08-more.typ")).unwrap();
    assert!(run().is_empty());
    fs::remove_file(root.join("out/editions/nz-booklet.pdf")).unwrap();
    assert_eq!(run(), ["nz"]);
}
