//! Whether each translated chapter still says what its source chapter says. The source language
//! is `guide.source-language` (default `ko`); every other folder of `chapters/` holds
//! translations, and beside its chapters a record, `chapters/<lang>/translations.toml`, of what
//! each was translated from: the source chapter's fingerprints (`fingerprint.rs`) and who
//! confirmed the translation, and when. Contents are compared, never file dates, so a tarball or
//! a shallow clone says the same. An edition printing a translation that is outdated or was never
//! confirmed is a draft, and `build --final` refuses it.

pub mod fingerprint;
mod record;

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Location, Problems};
use crate::model::edition::Chapter;

pub use fingerprint::Paragraph;
pub use record::{Confirmed, RECORD, record_path};

/// The source language when `guide.source-language` is not set.
pub const DEFAULT_SOURCE: &str = "ko";

/// Where a translated chapter stands against its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Confirmed against the source as it is now.
    Current,
    /// Confirmed against an earlier text of the source.
    Outdated {
        /// The source paragraphs that are new or changed since (their current text and lines).
        changed: Vec<Paragraph>,
        /// How many paragraphs of the confirmed source are gone (removed, or changed).
        gone: usize,
    },
    /// There is no record of it in the language's `translations.toml`.
    NeverConfirmed,
    /// The source chapter has no file in this language.
    Missing,
}

impl Standing {
    /// One word for tables and status lines.
    pub fn word(&self) -> &'static str {
        match self {
            Standing::Current => "current",
            Standing::Outdated { .. } => "outdated",
            Standing::NeverConfirmed => "never confirmed",
            Standing::Missing => "missing",
        }
    }
}

/// One chapter in one translation language.
#[derive(Debug, Clone)]
pub struct ChapterTranslation {
    /// The translation's language.
    pub lang: String,
    /// The chapter's NN.
    pub number: u32,
    /// The chapter's slug.
    pub slug: String,
    /// The translation, from the project root (`chapters/en/03-….typ`).
    pub file: String,
    /// Its source, from the project root (`chapters/ko/03-….typ`).
    pub source_file: String,
    /// The last confirmation recorded, if any.
    pub confirmed: Option<Confirmed>,
    /// Where it stands.
    pub standing: Standing,
}

impl ChapterTranslation {
    /// `en/03`, as status lines name it.
    pub fn short(&self) -> String {
        format!("{}/{:02}", self.lang, self.number)
    }

    /// True when an edition printing it is a draft.
    pub fn behind(&self) -> bool {
        matches!(self.standing, Standing::Outdated { .. } | Standing::NeverConfirmed)
    }
}

/// The source chapters and where every translation of them stands.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    /// The source language.
    pub source: String,
    /// The source chapters' paragraphs, by chapter number.
    pub paragraphs: BTreeMap<u32, Vec<Paragraph>>,
    /// Every (language, chapter), by language then chapter number.
    pub chapters: Vec<ChapterTranslation>,
}

impl Translations {
    /// Reads the source chapters and each translation language's record, reporting every
    /// problem of the records at once.
    pub fn load(
        root: &Path,
        source: &str,
        chapters: &BTreeMap<String, Vec<Chapter>>,
        problems: &mut Problems,
    ) -> Translations {
        let mut out = Translations { source: source.to_string(), ..Default::default() };
        let source_chapters = chapters.get(source).cloned().unwrap_or_default();
        for c in &source_chapters {
            // Read as the chapters were (a file that is not a regular one was reported there).
            let text = crate::input::read_text(&root.join(c.path.trim_start_matches('/'))).unwrap_or_default();
            out.paragraphs.insert(c.number, recall(&c.path, &text));
        }
        if chapters.contains_key(source) && root.join(record_path(source)).exists() {
            problems.push(crate::diag::Problem::file(
                record_path(source),
                format!("{source} is the source language, whose chapters are not translations; delete this file (or set `guide.source-language`)"),
            ));
        }
        for (lang, own) in chapters.iter().filter(|(l, _)| *l != source) {
            let records = record::read(root, lang, own, &source_chapters, source, problems);
            for s in &source_chapters {
                let translated = own.iter().find(|c| c.number == s.number && c.slug == s.slug);
                let confirmed = records.get(&s.number).cloned();
                let standing = match (translated, &confirmed) {
                    (None, _) => Standing::Missing,
                    (Some(_), None) => Standing::NeverConfirmed,
                    (Some(_), Some(conf)) => out.compare(s.number, conf),
                };
                out.chapters.push(ChapterTranslation {
                    lang: lang.clone(),
                    number: s.number,
                    slug: s.slug.clone(),
                    file: format!("chapters/{lang}/{:02}-{}.typ", s.number, s.slug),
                    source_file: s.path.trim_start_matches('/').to_string(),
                    confirmed,
                    standing,
                });
            }
        }
        out
    }

    /// Where a confirmed translation stands against the source as it is now.
    fn compare(&self, number: u32, conf: &Confirmed) -> Standing {
        let now = self.paragraphs.get(&number).map(Vec::as_slice).unwrap_or_default();
        if fingerprint::chapter_fingerprint(now) == conf.source {
            return Standing::Current;
        }
        // Each recorded paragraph answers for one current paragraph with the same text.
        let mut recorded: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &conf.paragraphs {
            *recorded.entry(p.as_str()).or_default() += 1;
        }
        let mut changed = Vec::new();
        for p in now {
            match recorded.get_mut(p.fingerprint.as_str()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => changed.push(p.clone()),
            }
        }
        Standing::Outdated { changed, gone: recorded.values().sum() }
    }

    /// The translations these languages print that make an edition a draft, in order.
    pub fn behind<'a>(&'a self, languages: &'a [String]) -> impl Iterator<Item = &'a ChapterTranslation> + 'a {
        self.chapters.iter().filter(move |c| c.behind() && languages.contains(&c.lang))
    }

    /// The chapter `chapter` (its NN, `3` or `03`, or its file name or stem) in `lang`.
    pub fn find(&self, lang: &str, chapter: &str) -> Option<&ChapterTranslation> {
        let stem = chapter.trim_end_matches(".typ");
        let number: Option<u32> = stem.parse().ok();
        self.chapters
            .iter()
            .find(|c| c.lang == lang && (Some(c.number) == number || format!("{:02}-{}", c.number, c.slug) == stem))
    }

    /// The fingerprints of the source chapter `number` as it is now: the chapter's and its
    /// paragraphs', for a new confirmation.
    pub fn source_now(&self, number: u32) -> Option<(String, Vec<String>)> {
        let paragraphs = self.paragraphs.get(&number)?;
        let all = paragraphs.iter().map(|p| p.fingerprint.clone()).collect();
        Some((fingerprint::chapter_fingerprint(paragraphs), all))
    }
}

/// The paragraphs of a source chapter, remembered per file while its text is the same: `watch`
/// reloads the project every round, and most chapters are unchanged.
fn recall(path: &str, text: &str) -> Vec<Paragraph> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Seen = HashMap<String, (String, Vec<Paragraph>)>;
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some((was, paragraphs)) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(path)
        && was == text
    {
        return paragraphs.clone();
    }
    let paragraphs = fingerprint::paragraphs(text);
    seen.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), (text.to_string(), paragraphs.clone()));
    paragraphs
}

/// The source lines of changed paragraphs, as `12, 20–22`.
pub fn line_list(changed: &[Paragraph]) -> String {
    let parts: Vec<String> = changed
        .iter()
        .map(|p| if p.line == p.last_line { p.line.to_string() } else { format!("{}–{}", p.line, p.last_line) })
        .collect();
    parts.join(", ")
}

/// `line 12` or `lines 12, 20–22`.
pub fn lines_phrase(changed: &[Paragraph]) -> String {
    let one = changed.len() == 1 && changed[0].line == changed[0].last_line;
    format!("{} {}", if one { "line" } else { "lines" }, line_list(changed))
}

/// Where a problem about a translation is reported: its source's first changed paragraph when
/// outdated, else the translation's record entry, else the translation's file.
pub fn location(c: &ChapterTranslation) -> Location {
    match (&c.standing, &c.confirmed) {
        (Standing::Outdated { changed, .. }, _) if !changed.is_empty() => {
            Location { file: c.source_file.clone(), line: changed[0].line, column: 1 }
        }
        (_, Some(conf)) => conf.at.clone(),
        _ => Location { file: c.file.clone(), line: 1, column: 1 },
    }
}

/// Why a final build refuses an edition printing `c`, and what to do; `refuses` says which.
pub fn refusal(c: &ChapterTranslation, refuses: &str) -> String {
    let nn = format!("{:02}", c.number);
    let confirm = format!("`guidepress translations confirm {} {nn} --by NAME`", c.lang);
    match (&c.standing, &c.confirmed) {
        (Standing::Outdated { changed, gone }, Some(conf)) => {
            let what = match (changed.is_empty(), *gone) {
                (false, _) => format!("source {} of {} changed since", lines_phrase(changed), c.source_file),
                (true, _) => format!("paragraphs of {} were removed or moved since", c.source_file),
            };
            format!(
                "the {} translation ({}) was confirmed on {} by {} against an earlier text of chapter {nn}; {what}, {refuses}; re-translate them (`guidepress translations --diff {} {nn}` shows them), then run {confirm}",
                c.lang, c.file, conf.on, conf.by, c.lang
            )
        }
        _ => format!(
            "the {} translation of chapter {nn} was never confirmed against its source {} (chapters/{}/{RECORD} has no `[{nn}-{}]`), {refuses}; check it against the source, then run {confirm}",
            c.lang, c.source_file, c.lang, c.slug
        ),
    }
}
