//! `layouts/languages.toml`: the languages the layouts can print, as data. Each language is a
//! BCP 47 tag written in a script; the script gives its faces, so a Latin-script language needs no
//! entry. `layouts/style.typ` resolves a tag the same way; this module checks the file and says,
//! for a tag, why the layouts cannot print it (unknown, right to left, no faces for its script);
//! `check_project` checks the languages every edition file lists, and their words.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::layout_toml;
use super::words::Marked;
use crate::diag::{Problem, Problems, key_offset};
use crate::model::edition::Edition;

/// The file's path in a project.
pub const LANGUAGES: &str = "layouts/languages.toml";

/// What `layouts/languages.toml` may say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LanguagesFile {
    /// The faces of text whose language is not known.
    #[serde(default)]
    pub mixed: Mixed,
    /// The wallet cards' first faces.
    #[serde(default)]
    pub cards: Cards,
    /// Which words of strings.toml not every language needs.
    #[serde(default)]
    pub words: WordsNeeded,
    /// Languages whose defaults are wrong, by tag.
    #[serde(default)]
    pub language: BTreeMap<String, LanguageDef>,
    /// Scripts, by name.
    #[serde(default)]
    pub script: BTreeMap<String, ScriptDef>,
}

/// `[mixed]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Mixed {
    /// Scripts in the order their `mixed` faces are tried.
    #[serde(default)]
    pub order: Vec<String>,
    /// Scripts whose `mixed` faces every edition gets.
    #[serde(default)]
    pub always: Vec<String>,
}

/// `[cards]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Cards {
    /// Faces every card tries first.
    #[serde(default)]
    pub faces: Vec<String>,
}

/// `[words]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WordsNeeded {
    /// Keys (or `prefix*`) of strings.toml's `[en]` that other languages may leave out.
    #[serde(default)]
    pub not_needed: Vec<String>,
}

/// `[language.<tag>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LanguageDef {
    /// The script's name.
    pub script: Option<String>,
    /// Typst's `lang`.
    pub lang: Option<String>,
    /// Typst's `region`.
    pub region: Option<String>,
    /// Faces of running text, instead of the script's.
    pub body: Option<Vec<String>>,
    /// Faces of headings, instead of the script's.
    pub heading: Option<Vec<String>>,
}

/// `[script.<name>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScriptDef {
    /// The script's name in messages.
    pub name: String,
    /// ISO 15924 code.
    pub subtag: Option<String>,
    /// ISO 639 codes written in this script by default.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Faces of running text.
    #[serde(default)]
    pub body: Vec<String>,
    /// Faces of headings.
    #[serde(default)]
    pub heading: Vec<String>,
    /// Faces added to text whose language is not known.
    #[serde(default)]
    pub mixed: Vec<String>,
    /// Faces added to the wallet cards.
    #[serde(default)]
    pub card: Vec<String>,
    /// What to add to fonts/ for a script without faces.
    pub add_font: Option<String>,
    /// `rtl` for a script written right to left.
    pub direction: Option<String>,
}

/// The languages file as read, with its text (to locate problems).
#[derive(Debug, Clone, Default)]
pub struct Languages {
    /// What it says.
    pub file: LanguagesFile,
    /// Its text.
    pub text: String,
}

/// A language the layouts can print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language<'a> {
    /// Its script's key in the file (`latin`).
    pub script: &'a str,
    /// Faces of running text.
    pub body: &'a [String],
    /// Faces of headings.
    pub heading: &'a [String],
}

/// A BCP 47 tag split: language, script subtag, region.
fn split_tag(tag: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let mut parts = tag.split('-');
    let lang = parts.next()?;
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let (mut script, mut region) = (None, None);
    for part in parts {
        let b = part.as_bytes();
        if script.is_none() && region.is_none() && b.len() == 4 && b[0].is_ascii_uppercase() {
            if !b[1..].iter().all(u8::is_ascii_lowercase) {
                return None;
            }
            script = Some(part);
        } else if region.is_none()
            && ((b.len() == 2 && b.iter().all(u8::is_ascii_uppercase))
                || (b.len() == 3 && b.iter().all(u8::is_ascii_digit)))
        {
            region = Some(part);
        } else {
            return None;
        }
    }
    Some((lang, script, region))
}

impl Languages {
    /// Reads `layouts/languages.toml` of the project at `root` and checks it; a project without one
    /// is a problem (every layout needs it).
    pub fn load(root: &Path) -> Result<Languages, Problems> {
        let read = layout_toml::read::<LanguagesFile>(
            root,
            LANGUAGES,
            "the layouts read it for every language's faces; copy it from the sample project",
        )?;
        let languages = Languages { file: read.value, text: read.text };
        let mut problems = Problems::default();
        languages.validate(&mut problems);
        problems.into_result().map(|()| languages)
    }

    fn at(&self, table: &str, key: &str, message: String) -> Problem {
        Problem::at(LANGUAGES, &self.text, key_offset(&self.text, table, key), message)
    }

    fn validate(&self, problems: &mut Problems) {
        let f = &self.file;
        let known: Vec<&str> = f.script.keys().map(String::as_str).collect();
        let unknown = |name: &str| -> Option<String> {
            (!f.script.contains_key(name)).then(|| {
                format!("there is no script `{name}`; use one of {} (a [script.NAME] table)", known.join(", "))
            })
        };
        for (key, list) in [("order", &f.mixed.order), ("always", &f.mixed.always)] {
            for name in list {
                if let Some(m) = unknown(name) {
                    problems.push(self.at("mixed", key, m));
                }
            }
        }
        for (tag, def) in &f.language {
            let table = format!("language.{tag}");
            if split_tag(tag).is_none() {
                problems.push(self.at(
                    &table,
                    "",
                    format!("`{tag}` is not a BCP 47 language tag; write e.g. fr, fr-CA or zh-Hant"),
                ));
            }
            if let Some(m) = def.script.as_deref().and_then(unknown) {
                problems.push(self.at(&table, "script", m));
            }
            if let Some(r) =
                def.region.as_deref().filter(|r| r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()))
            {
                problems.push(self.at(
                    &table,
                    "region",
                    format!("`region = \"{r}\"` is not a two-letter country code in capitals (ISO 3166-1), e.g. CA"),
                ));
            }
        }
        for (name, s) in &f.script {
            let table = format!("script.{name}");
            if s.body.is_empty() != s.heading.is_empty() {
                problems.push(self.at(
                    &table,
                    if s.body.is_empty() { "heading" } else { "body" },
                    format!("script `{name}` needs both `body` and `heading` faces, or neither"),
                ));
            }
            if s.direction.as_deref().is_some_and(|d| d != "rtl") {
                problems.push(self.at(&table, "direction", format!("`direction` of script `{name}` can only be \"rtl\"; delete it for a script written left to right")));
            }
        }
    }

    /// The language `tag`, or why the layouts cannot print it (a sentence saying what to do).
    pub fn resolve(&self, tag: &str) -> Result<Language<'_>, String> {
        let f = &self.file;
        let Some((lang, subtag, _)) = split_tag(tag) else {
            return Err(format!(
                "`{tag}` is not a BCP 47 language tag; write the language's ISO 639 code, then its script or region if needed, e.g. fr, fr-CA, es-US, zh-Hant"
            ));
        };
        let own = f.language.get(tag);
        let found = match (own.and_then(|d| d.script.as_deref()), subtag) {
            (Some(name), _) => f.script.get_key_value(name),
            (None, Some(sub)) => f.script.iter().find(|(_, s)| s.subtag.as_deref() == Some(sub)),
            (None, None) => f.script.iter().find(|(_, s)| s.languages.iter().any(|l| l == lang)),
        };
        let Some((key, script)) = found else {
            return Err(match subtag {
                Some(sub) => format!(
                    "language `{tag}`: no script in {LANGUAGES} has the subtag `{sub}`; add a [script.NAME] table with `subtag = \"{sub}\"` and its faces"
                ),
                None => format!(
                    "language `{tag}` is not known to {LANGUAGES}; if it is written in the Latin script, add \"{lang}\" to `languages` of [script.latin] there; else add a [language.{tag}] table naming its `script`"
                ),
            });
        };
        if script.direction.as_deref() == Some("rtl") {
            return Err(format!(
                "language `{tag}` is written in the {} script, right to left, which the layouts do not support yet",
                script.name
            ));
        }
        let body = own.and_then(|d| d.body.as_deref()).unwrap_or(&script.body);
        let heading = own.and_then(|d| d.heading.as_deref()).unwrap_or(&script.heading);
        if body.is_empty() || heading.is_empty() {
            let add = script.add_font.as_deref().unwrap_or("a font for it");
            return Err(format!(
                "language `{tag}` is written in the {} script, which no font in fonts/ is chosen for; add {add} to fonts/ (with its licence in fonts/licenses/), then list its family as `body` and `heading` of [script.{key}] in {LANGUAGES}",
                script.name
            ));
        }
        Ok(Language { script: key, body, heading })
    }

    /// Every face the layouts may ask for when printing `tag`: body, heading, mixed and card faces.
    pub fn faces_of(&self, tag: &str) -> Vec<String> {
        let Ok(l) = self.resolve(tag) else { return Vec::new() };
        let script = &self.file.script[l.script];
        let lists = [l.body, l.heading, &script.mixed, &script.card, &self.file.cards.faces];
        let mut out: Vec<String> = Vec::new();
        for face in lists.into_iter().flatten() {
            if !out.contains(face) {
                out.push(face.clone());
            }
        }
        out
    }

    /// Byte offset of the first place the file names `face` (for locating a missing face).
    pub fn face_offset(&self, face: &str) -> usize {
        self.text.find(&format!("\"{face}\"")).map_or(0, |i| i + 1)
    }

    /// False for the keys of strings.toml that `[words] not-needed` lets a language leave out.
    pub fn word_needed(&self, key: &str) -> bool {
        !self.file.words.not_needed.iter().any(|n| match n.strip_suffix('*') {
            Some(prefix) => key.starts_with(prefix),
            None => key == n,
        })
    }
}

/// Every edition's languages must be ones the layouts can print (layouts/languages.toml) and have
/// their words (layouts/strings.toml); an edition printing words still marked for translation is
/// a draft.
pub(super) fn check_project(root: &Path, editions: &mut [Edition], problems: &mut Problems) -> (Languages, Marked) {
    let langs = match Languages::load(root) {
        Ok(l) => l,
        Err(p) => {
            problems.0.extend(p.0);
            return Default::default();
        }
    };
    // The languages as the edition files list them, also of editions with other problems, so
    // that everything is reported in one run.
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files: Vec<PathBuf> =
        fs::read_dir(root.join("editions")).into_iter().flatten().filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".toml").filter(|_| !super::is_editor_leftover(&name)) else { continue };
        // Read as the editions are (a special or oversized file is reported there, never read).
        let text = crate::input::read_text(&path).unwrap_or_default();
        let Ok(table) = text.parse::<toml::Table>() else { continue };
        let rel = format!("editions/{name}");
        for tag in
            table.get("languages").and_then(toml::Value::as_array).into_iter().flatten().filter_map(toml::Value::as_str)
        {
            match langs.resolve(tag) {
                Ok(_) => used.entry(tag.to_string()).or_default().push(id.to_string()),
                Err(why) => problems.push(Problem::at(&rel, &text, key_offset(&text, "", "languages"), why)),
            }
        }
    }
    let marked = super::words::check(root, &langs, &used, problems);
    for e in editions.iter_mut() {
        e.draft |= e.languages.iter().any(|l| marked.contains_key(l));
    }
    (langs, marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Languages {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Languages::load(root).unwrap()
    }

    #[test]
    fn latin_languages_need_no_entry_and_the_sample_keeps_its_faces() {
        let l = sample();
        for tag in ["fr", "fr-CA", "es", "es-US", "de", "pt-BR", "vi", "tl", "en"] {
            let lang = l.resolve(tag).unwrap();
            assert_eq!(
                (lang.script, lang.body[0].as_str(), lang.heading[0].as_str()),
                ("latin", "Source Serif 4", "Pretendard"),
                "{tag}"
            );
        }
        assert_eq!(l.resolve("ko").unwrap().body[0], "Noto Serif KR");
        assert_eq!(l.resolve("ja").unwrap().body[0], "Noto Sans JP");
        assert_eq!(l.resolve("zh-Hant").unwrap().body[0], "Noto Sans TC");
        assert_eq!(l.resolve("zh-Hant").unwrap().script, "han-traditional");
    }

    #[test]
    fn what_the_fonts_cannot_print_is_refused_saying_why() {
        let l = sample();
        let hans = l.resolve("zh-Hans").unwrap_err();
        assert!(
            hans.contains("Simplified Chinese") && hans.contains("Noto Sans SC") && hans.contains("fonts/"),
            "{hans}"
        );
        let zh = l.resolve("zh").unwrap_err();
        assert!(zh.contains("Simplified Chinese"), "{zh}");
        let th = l.resolve("th").unwrap_err();
        assert!(th.contains("`th` is written in the Thai script") && th.contains("Noto Serif Thai"), "{th}");
        let ar = l.resolve("ar").unwrap_err();
        assert!(ar.contains("right to left") && ar.contains("do not support"), "{ar}");
        assert!(l.resolve("xx").unwrap_err().contains("is not known"));
        for bad in ["French", "fr_CA", "fr-ca", "f", "fr-CA-CA", ""] {
            assert!(l.resolve(bad).unwrap_err().contains("is not a BCP 47 language tag"), "{bad}");
        }
        assert!(l.resolve("sr-Zzzz").unwrap_err().contains("subtag `Zzzz`"));
    }

    #[test]
    fn a_broken_file_is_reported_at_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("layouts")).unwrap();
        let text = "[mixed]\norder = [\"latin\", \"klingon\"]\n\n[language.fr]\nregion = \"ca\"\nscript = \"runic\"\n\n[script.latin]\nname = \"Latin\"\nbody = [\"Source Serif 4\"]\n";
        std::fs::write(dir.path().join(LANGUAGES), text).unwrap();
        let problems: Vec<String> =
            Languages::load(dir.path()).unwrap_err().0.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].starts_with("layouts/languages.toml:2:1: there is no script `klingon`"), "{problems:#?}");
        assert!(problems[1].starts_with("layouts/languages.toml:5:1: `region = \"ca\"`"), "{problems:#?}");
        assert!(problems[2].starts_with("layouts/languages.toml:6:1: there is no script `runic`"), "{problems:#?}");
        assert!(problems[3].starts_with("layouts/languages.toml:10:1: script `latin` needs both"), "{problems:#?}");
        std::fs::write(dir.path().join(LANGUAGES), "[script.latin]\nname = \"Latin\"\nfaces = []\n").unwrap();
        let unknown = Languages::load(dir.path()).unwrap_err().0[0].to_string();
        assert!(unknown.starts_with("layouts/languages.toml:3:1:"), "{unknown}");
    }
}
