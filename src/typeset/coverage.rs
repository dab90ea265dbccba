//! Glyph coverage: every character of the chapters and of the data an edition prints must be
//! drawable by some font in `fonts/` — Typst would silently print a tofu box instead.

use std::collections::BTreeSet;

use crate::diag::{Problem, Problems};
use crate::model::contact::Contact;
use crate::project::languages::LANGUAGES;
use crate::project::{CONFIG, Edition, Project};

use super::fonts::Fonts;

fn needs_glyph(c: char) -> bool {
    !c.is_control()
        && !c.is_whitespace()
        && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}')
}

/// The first character of `text` that needs a glyph and that no font in `fonts/` has.
pub fn first_undrawable(text: &str, fonts: &Fonts) -> Option<char> {
    text.chars().find(|&c| needs_glyph(c) && !fonts.covers(c))
}

/// What is wrong with the character `c`, which no font has (the one wording of every glyph check).
pub fn message(c: char) -> String {
    format!(
        "the character \"{c}\" (U+{:04X}) cannot be drawn by any font in fonts/; remove or replace it, or add a font that has it",
        c as u32
    )
}

/// Checks a text file line by line; reports each missing character once per file.
pub fn check_text(rel: &str, text: &str, fonts: &Fonts, problems: &mut Problems) {
    let mut seen = BTreeSet::new();
    let mut drawable = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        for (col, c) in line.chars().enumerate() {
            if !needs_glyph(c) || drawable.contains(&c) {
                continue;
            }
            if fonts.covers(c) {
                drawable.insert(c);
            } else if seen.insert(c) {
                problems.push(Problem {
                    file: rel.into(),
                    line: Some(i + 1),
                    column: Some(col + 1),
                    message: message(c),
                });
            }
        }
    }
}

/// Every face layouts/languages.toml names for the edition's languages must be a family in fonts/:
/// a missing one is reported once, where the file first names it.
fn check_faces(project: &Project, edition: &Edition, fonts: &Fonts, problems: &mut Problems) {
    let langs = &project.languages;
    let mut seen = BTreeSet::new();
    for tag in &edition.languages {
        for face in langs.faces_of(tag) {
            if !fonts.has_family(&face) && seen.insert(face.clone()) {
                problems.push(Problem::at(
                    LANGUAGES,
                    &langs.text,
                    langs.face_offset(&face),
                    format!(
                        "the face \"{face}\" is not the family of any font in fonts/ (they have: {}); add the font's files to fonts/, or correct the name here and wherever else this file names it",
                        fonts.families().join(", ")
                    ),
                ));
            }
        }
    }
}

fn contact_strings(c: &Contact) -> impl Iterator<Item = &String> {
    c.name
        .values()
        .chain(c.address.values())
        .chain(c.hours.values())
        .chain(c.languages.values())
        .chain(c.notes.values())
        .chain(c.channels.iter().flat_map(|ch| std::iter::once(&ch.text).chain(ch.alt.iter())))
}

/// Checks an edition: its chapters, its data (guide titles, edition names, every contact).
pub fn check_edition(project: &Project, edition: &Edition, fonts: &Fonts) -> Problems {
    let mut problems = Problems::default();
    check_faces(project, edition, fonts, &mut problems);
    for lang in &edition.languages {
        for ch in project.chapters.get(lang).into_iter().flatten() {
            let rel = ch.path.trim_start_matches('/');
            if let Ok(text) = crate::input::read_text(&project.root.join(rel)) {
                check_text(rel, &text, fonts, &mut problems);
            }
        }
    }
    let mut strings: Vec<&String> = project.guide.title.values().chain(project.guide.subtitle.values()).collect();
    strings.extend(project.guide.publisher.values());
    strings.extend(edition.name.values());
    strings.extend(edition.contacts.iter().flat_map(contact_strings));
    let bad: BTreeSet<char> =
        strings.iter().flat_map(|s| s.chars()).filter(|&c| needs_glyph(c) && !fonts.covers(c)).collect();
    for c in bad {
        // Locate the character in the file it came from: the edition file or guidepress.toml.
        let edition_file = format!("editions/{}.toml", edition.id);
        let located = [edition_file.as_str(), CONFIG].into_iter().find_map(|rel| {
            let text = crate::input::read_text(&project.root.join(rel)).ok()?;
            let offset = text.find(c)?;
            Some(Problem::at(rel, &text, offset, message(c)))
        });
        problems.push(located.unwrap_or_else(|| Problem::file(edition_file.clone(), message(c))));
    }
    problems
}
