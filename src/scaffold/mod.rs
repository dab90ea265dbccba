//! New projects and new editions: `init` writes a minimal project that builds at once (one
//! edition, one language pair, the layouts and fonts copied from a template project, a README for
//! editors); `new_edition` adds an edition file. What they write is in `templates.rs`.

mod templates;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::country::country_name;
use crate::project::STRINGS;
use crate::project::languages::Languages;

/// What a scaffolding command wrote, and what the editors must do next.
#[derive(Debug, Default)]
pub struct Created {
    /// Files written, relative to the project folder.
    pub files: Vec<String>,
    /// What is left to do, one sentence each.
    pub next: Vec<String>,
}

/// A new edition: id, country and languages in print order.
#[derive(Debug, Clone)]
pub struct NewEdition<'a> {
    /// The edition id (the file name `editions/<id>.toml`).
    pub id: &'a str,
    /// ISO 3166 alpha-2 country code.
    pub country: &'a str,
    /// Languages in print order, e.g. `["ko", "en"]`.
    pub languages: &'a [String],
}

/// Writes a new project in `dir` (which must not exist or be empty), copying `layouts/` and
/// `fonts/` from the project in `template`. The guide's date is `date` (YYYY-MM-DD).
pub fn init(dir: &Path, template: &Path, edition: &NewEdition, date: &str) -> Result<Created, Error> {
    check_edition(edition)?;
    if fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(Error::Refused(format!("{} is not empty; choose a new folder", dir.display())));
    }
    for needed in ["layouts", "fonts"] {
        if !template.join(needed).is_dir() {
            return Err(Error::Usage(format!(
                "{} has no {needed}/ to copy; run init from a guidepress project (its layouts and fonts are copied)",
                template.display()
            )));
        }
    }
    let langs = check_languages(template, edition.languages)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    files.push(("guidepress.toml".into(), templates::config(edition.languages, date).into_bytes()));
    files.push((format!("editions/{}.toml", edition.id), templates::edition(edition).into_bytes()));
    for lang in edition.languages {
        files.push((format!("chapters/{lang}/01-introduction.typ"), templates::chapter(lang).into_bytes()));
    }
    files.push(("README.md".into(), templates::readme(edition).into_bytes()));
    // The record of shipments holds strangers' addresses: it never goes into a repository.
    let ignore = "# Generated, disposable.\n/out/\n# The record of print runs and shipments holds personal data (names, addresses): never commit\n# it; back it up with `guidepress records backup FILE`.\n/records/\n";
    files.push((".gitignore".into(), ignore.as_bytes().to_vec()));
    for sub in ["layouts", "fonts"] {
        for rel in tree(&template.join(sub))? {
            let path = template.join(sub).join(&rel);
            let bytes =
                crate::input::read_limited(&path, crate::input::MAX_ASSET_FILE).map_err(|e| Error::io(&path, e))?;
            files.push((format!("{sub}/{rel}"), bytes));
        }
    }
    let mut untranslated = Vec::new();
    if let Some((_, bytes)) = files.iter_mut().find(|(rel, _)| rel == STRINGS) {
        let (added, tags) = new_words(&String::from_utf8_lossy(bytes), &langs, edition.languages);
        bytes.extend(added.into_bytes());
        untranslated = tags;
    }
    let mut created = Created::default();
    let written: Vec<(PathBuf, Vec<u8>)> = files.iter().map(|(rel, b)| (dir.join(rel), b.clone())).collect();
    crate::output::write_all(&written)?;
    created.files = files.into_iter().map(|(rel, _)| rel).collect();
    created.next.push(format!(
        "write the chapters in chapters/{}/ (each starts marked #unconfirmed, so a final build refuses it until an editor has checked it)",
        edition.languages.join("/, chapters/")
    ));
    created
        .next
        .push(format!("add the contacts of editions/{}.toml and confirm each one (guidepress contacts)", edition.id));
    created.next.extend(translate_words(&untranslated));
    Ok(created)
}

/// Adds `editions/<id>.toml` to the project in `root`; `chapters` are the languages that have
/// chapters. The next steps name the languages that still need theirs.
pub fn new_edition(root: &Path, edition: &NewEdition, chapters: &[(String, Vec<String>)]) -> Result<Created, Error> {
    check_edition(edition)?;
    let langs = check_languages(root, edition.languages)?;
    let rel = format!("editions/{}.toml", edition.id);
    if root.join(&rel).exists() {
        return Err(Error::Refused(format!("{rel} already exists; choose another id or edit that file")));
    }
    let mut files = vec![(root.join(&rel), templates::edition(edition).into_bytes())];
    let strings = crate::input::read_text(&root.join(STRINGS)).map_err(|e| Error::io(root.join(STRINGS), e))?;
    let (added, untranslated) = new_words(&strings, &langs, edition.languages);
    if !added.is_empty() {
        files.push((root.join(STRINGS), (strings + &added).into_bytes()));
    }
    crate::output::write_all(&files)?;
    let mut created = Created { files: vec![rel.clone()], next: translate_words(&untranslated) };
    if !added.is_empty() {
        created.files.push(STRINGS.into());
    }
    let reference = chapters.iter().find(|(l, _)| edition.languages.contains(l)).or(chapters.first());
    for lang in edition.languages.iter().filter(|l| !chapters.iter().any(|(c, _)| c == *l)) {
        let names = reference
            .map(|(l, files)| files.iter().map(|f| format!("chapters/{l}/{f}")).collect::<Vec<_>>().join(", "));
        created.next.push(format!(
            "language `{lang}` has no chapters yet: translate {} into chapters/{lang}/ under the same file names",
            names.unwrap_or_else(|| "the chapters".into())
        ));
    }
    created.next.push(format!(
        "translate the names marked `translate` in {rel}, add the contacts, and confirm each one (guidepress contacts)"
    ));
    created.next.push("run guidepress check: it lists what else the edition's languages need (the guide's title in each, the layouts' words)".into());
    Ok(created)
}

/// The chapter files of each language of the project in `root` (empty when there are none).
pub fn chapter_files(root: &Path) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let Ok(dirs) = fs::read_dir(root.join("chapters")) else { return out };
    for dir in dirs.filter_map(Result::ok).filter(|d| d.path().is_dir()) {
        let mut files: Vec<String> = fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|f| f.file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".typ"))
            .collect();
        files.sort();
        out.push((dir.file_name().to_string_lossy().into_owned(), files));
    }
    out.sort();
    out
}

/// The id, country and languages are well formed.
fn check_edition(e: &NewEdition) -> Result<(), Error> {
    if e.id.is_empty() || !e.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(Error::Usage(format!(
            "`{}` is not an edition id; use lower-case letters, digits and dashes, e.g. nz",
            e.id
        )));
    }
    if country_name(&e.country.to_ascii_uppercase()).is_none() {
        return Err(Error::Usage(format!(
            "`{}` is not an ISO 3166 two-letter country code (e.g. US, NZ, MO)",
            e.country
        )));
    }
    let bad = |l: &String| l.is_empty() || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if e.languages.is_empty() || e.languages.iter().any(bad) {
        return Err(Error::Usage("list the edition's languages in print order, e.g. ko,en".into()));
    }
    Ok(())
}

/// The layouts of the project in `root` can print every language (layouts/languages.toml): else
/// why not, for each language that fails.
fn check_languages(root: &Path, languages: &[String]) -> Result<Languages, Error> {
    let langs = Languages::load(root)?;
    let why: Vec<String> = languages.iter().filter_map(|l| langs.resolve(l).err()).collect();
    if why.is_empty() { Ok(langs) } else { Err(Error::Refused(why.join("\n"))) }
}

/// The tables of words (in English, marked for translation) of the languages that strings.toml
/// (`strings`) has no table for, and those languages.
fn new_words(strings: &str, langs: &Languages, languages: &[String]) -> (String, Vec<String>) {
    let table: toml::Table = strings.parse().unwrap_or_default();
    let mut added = String::new();
    let mut tags = Vec::new();
    for tag in languages.iter().filter(|l| !table.contains_key(*l)) {
        if let Some(words) = templates::words(strings, tag, &|key| langs.word_needed(key)) {
            added.push_str(&words);
            tags.push(tag.clone());
        }
    }
    (added, tags)
}

/// The next step for languages whose words were written in English.
fn translate_words(tags: &[String]) -> Vec<String> {
    tags.iter()
        .map(|t| format!("translate the words of [{t}], [{t}.card] and [{t}.corrections] in {STRINGS} and delete each `# translate` mark (until then they print in English and the edition is a draft)"))
        .collect()
}

/// Every file under `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(sub) = stack.pop() {
        let entries = fs::read_dir(dir.join(&sub)).map_err(|e| Error::io(dir.join(&sub), e))?;
        for entry in entries.filter_map(Result::ok) {
            let rel = sub.join(entry.file_name());
            if entry.path().is_dir() {
                stack.push(rel);
            } else {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    Ok(out)
}
