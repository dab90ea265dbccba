//! Fuzzing the project loader: random damage to `guidepress.toml` and an edition file (byte
//! flips, deletions, repeated lines, random text in values) never panics, and every rejected
//! project gets problems that name a file and, in these TOML files, a line.

use crate::support;

use std::fs;
use std::path::Path;

use guidepress::project::Project;
use proptest::prelude::*;

/// The files the mutations damage.
const FILES: [&str; 2] = ["guidepress.toml", "editions/nz.toml"];

/// One kind of damage to a text file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip the bits of one byte (the file may stop being UTF-8).
    Flip(prop::sample::Index, u8),
    /// Delete a run of bytes.
    Delete(prop::sample::Index, usize),
    /// Repeat one line.
    DuplicateLine(prop::sample::Index),
    /// Replace the value of one `key = value` line by random text.
    Value(prop::sample::Index, String),
    /// Insert a byte TOML gives meaning to.
    Insert(prop::sample::Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), 1usize..60).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        (
            any::<prop::sample::Index>(),
            prop_oneof![
                "\\PC{0,20}",
                "\"[^\"\\\\]{0,30}\"",
                "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}",
                "-?[0-9]{1,12}(\\.[0-9]+)?",
                "\\[[\"a-z, ]{0,20}\\]",
                Just("\"https://\"".to_string()),
                Just("\"+\"".to_string()),
                Just("\"a@b\"".to_string()),
            ]
        )
            .prop_map(|(i, s)| Mutation::Value(i, s)),
        (any::<prop::sample::Index>(), prop::sample::select(vec![b'"', b'[', b']', b'=', b'\n', b'.', b'#', 0xE2]))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Flip(i, b) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            bytes[i] ^= b;
        }
        Mutation::Delete(i, n) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            bytes.drain(i..(i + n).min(bytes.len()));
        }
        Mutation::DuplicateLine(i) => {
            let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
            if !lines.is_empty() {
                let k = i.index(lines.len());
                let mut out = Vec::new();
                for (j, l) in lines.iter().enumerate() {
                    out.extend_from_slice(l);
                    if j == k {
                        out.extend_from_slice(l);
                    }
                }
                *bytes = out;
            }
        }
        Mutation::Value(i, value) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let settings: Vec<usize> =
                text.lines().enumerate().filter(|(_, l)| l.contains(" = ")).map(|(k, _)| k).collect();
            if !settings.is_empty() {
                let k = settings[i.index(settings.len())];
                let lines: Vec<String> = text
                    .lines()
                    .enumerate()
                    .map(|(j, l)| match l.split_once(" = ") {
                        Some((key, _)) if j == k => format!("{key} = {value}"),
                        _ => l.to_string(),
                    })
                    .collect();
                *bytes = (lines.join("\n") + "\n").into_bytes();
            }
        }
        Mutation::Insert(i, b) => {
            let i = i.index(bytes.len() + 1);
            bytes.insert(i, *b);
        }
        _ => {}
    }
}

/// Loads the project after damaging one of [`FILES`]; checks the outcome; restores the file.
fn check(root: &Path, file: &str, original: &[u8], mutations: &[Mutation]) -> Result<(), TestCaseError> {
    let mut bytes = original.to_vec();
    for m in mutations {
        mutate(&mut bytes, m);
    }
    fs::write(root.join(file), &bytes).unwrap();
    let loaded = Project::load(root);
    fs::write(root.join(file), original).unwrap();
    if let Err(problems) = loaded {
        prop_assert!(!problems.0.is_empty(), "rejected without a problem");
        for p in &problems.0 {
            prop_assert!(
                FILES.contains(&p.file.as_str()) || p.file.starts_with("editions/"),
                "a problem in a file that was not damaged: {}",
                p
            );
            prop_assert!(p.line.is_some(), "a problem in a TOML file without a line: {}", p);
            prop_assert!(!p.message.trim().is_empty());
        }
    }
    Ok(())
}

#[test]
fn damaged_project_files_load_or_give_located_problems() {
    let project = support::sample_copy();
    let root = project.path();
    let originals: Vec<Vec<u8>> = FILES.iter().map(|f| fs::read(root.join(f)).unwrap()).collect();
    let config = ProptestConfig { cases: 800, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let strategy = (0..FILES.len(), prop::collection::vec(mutation(), 1..5));
    let result = runner.run(&strategy, |(k, mutations)| check(root, FILES[k], &originals[k], &mutations));
    if let Err(e) = result {
        panic!("{e}");
    }
}
