//! Which numbers an edition's card prints, and the checks on them.

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::model::contact::{Channel, Contact, Kind};
use crate::project::{Edition, Project};

use super::MAX_NUMBERS;

/// One number on a card: the contact and the one channel of it the card prints.
#[derive(Debug, Clone)]
pub struct CardNumber<'a> {
    /// The contact, as validated for the contacts pages.
    pub contact: &'a Contact,
    /// The channel printed (the same value as on the contacts pages).
    pub channel: &'a Channel,
}

impl CardNumber<'_> {
    /// The contact's name for messages (English if it has one).
    pub fn display_name(&self) -> String {
        let name = &self.contact.name;
        name.get("en").or_else(|| name.values().next()).cloned().unwrap_or_default()
    }

    /// The number as the card prints it: a phone's international form, else the channel's text.
    pub fn printed(&self) -> &str {
        self.channel.alt.as_deref().unwrap_or(&self.channel.text)
    }
}

/// The channel kinds a card prints, in the order one is chosen from a contact: the 24-hour
/// line of a consulate before its office number, a dialled number before a text line.
const CARD_CHANNELS: [&str; 4] = ["emergency-phone", "phone", "short", "sms"];

/// The channel of `contact` its card prints, if it has a number.
fn card_channel(contact: &Contact) -> Option<&Channel> {
    CARD_CHANNELS.iter().find_map(|kind| contact.channels.iter().find(|ch| ch.kind == *kind))
}

/// The numbers an edition's card prints, in order: the contacts marked `card = true` (the
/// edition's own, then the shared ones of guidepress.toml), or by default the local emergency
/// number, the first trafficking hotline (else police line), the first Korean consulate or
/// embassy, and the first Korean line with a number dialled from abroad (not a short number).
pub fn card_numbers<'a>(project: &Project, edition: &'a Edition) -> Result<Vec<CardNumber<'a>>, Error> {
    let marked: Vec<&Contact> = edition.contacts.iter().filter(|c| c.card).collect();
    let mut problems = Problems::default();
    let mut numbers = Vec::new();
    if marked.is_empty() {
        let first = |kinds: &[Kind], dialled_from_abroad: bool| {
            edition.contacts.iter().filter(|c| kinds.contains(&c.kind)).find_map(|c| {
                let ch = card_channel(c)?;
                (!dialled_from_abroad || ch.kind != "short").then_some(CardNumber { contact: c, channel: ch })
            })
        };
        let hotline = first(&[Kind::Hotline], false).or_else(|| first(&[Kind::Police], false));
        let picks = [
            first(&[Kind::Emergency], false),
            hotline,
            first(&[Kind::Consulate, Kind::Embassy], false),
            first(&[Kind::KoreaCounselling], true),
        ];
        numbers.extend(picks.into_iter().flatten());
    } else {
        for (i, c) in marked.iter().enumerate() {
            let name = c.display_name();
            match card_channel(c) {
                _ if i >= MAX_NUMBERS => problems.push(Problem::located(
                    &c.origin,
                    format!(
                        "contact \"{name}\": edition `{}` has {} contacts with `card = true`, but a wallet card prints at most {MAX_NUMBERS} numbers; remove `card = true` from this one or another",
                        edition.id,
                        marked.len()
                    ),
                )),
                None => problems.push(Problem::located(
                    &c.origin,
                    format!(
                        "contact \"{name}\" has `card = true` but no phone, emergency-phone, short or sms number for edition `{}`'s wallet card; add a number or remove `card = true`",
                        edition.id
                    ),
                )),
                Some(channel) => numbers.push(CardNumber { contact: c, channel }),
            }
        }
    }
    if edition.cards.discreet {
        sensitive_words(project, edition, &numbers, &mut problems);
    }
    problems.into_result()?;
    Ok(numbers)
}

/// Every word listed as `sensitive` in the `[<lang>.card]` tables of layouts/strings.toml, any
/// language, in lower case.
/// A strings file that cannot be read or is not TOML is an error: no list would mean no word
/// is checked.
pub fn sensitive_list(project: &Project) -> Result<Vec<String>, Problems> {
    let needed = "the layouts' printed words, and the words a discreet card must not print, are in it";
    let table: toml::Table = crate::project::layout_toml::read(&project.root, crate::project::STRINGS, needed)?.value;
    let mut words = Vec::new();
    let mut problems = Problems::default();
    let file = crate::project::STRINGS;
    let mut listed = false;
    for (lang, t) in &table {
        let Some(card) = t.get("card") else { continue };
        let Some(list) = card.get("sensitive") else { continue };
        listed = true;
        match list.as_array().filter(|a| a.iter().all(toml::Value::is_str)) {
            Some(a) => words.extend(a.iter().filter_map(|w| w.as_str().map(str::to_lowercase))),
            None => problems.push(Problem::file(
                file,
                format!("`{lang}.card.sensitive` must be a list of words in quotes, e.g. sensitive = [\"trafficking\", \"prostitution\"]"),
            )),
        }
    }
    if !listed {
        problems.push(Problem::file(
            file,
            "no `[<language>.card]` table lists `sensitive` words, so a discreet card could print any word; list them, e.g. sensitive = [\"trafficking\"]",
        ));
    }
    problems.into_result()?;
    words.sort();
    words.dedup();
    Ok(words)
}

/// A discreet card prints no sensitive word: the data it prints (hours, languages) is checked
/// here; the layout's own words come from the `-discreet` keys of strings.toml.
fn sensitive_words(project: &Project, edition: &Edition, numbers: &[CardNumber], problems: &mut Problems) {
    let words = match sensitive_list(project) {
        Ok(words) => words,
        Err(found) => return problems.0.extend(found.0),
    };
    for n in numbers {
        let fields = [("hours", &n.contact.hours), ("languages", &n.contact.languages)];
        for (field, map) in fields {
            for (lang, text) in map {
                let lower = text.to_lowercase();
                if let Some(word) = words.iter().find(|w| lower.contains(w.as_str())) {
                    problems.push(Problem::located(
                        &n.contact.origin,
                        format!(
                            "contact \"{}\": `{field}.{lang}` contains \"{word}\", a word listed as sensitive (`sensitive` in the `.card` tables of layouts/strings.toml), and edition `{}` has a discreet wallet card (`[cards] discreet = true`); reword it, or do not print this contact on the card",
                            n.display_name(),
                            edition.id
                        ),
                    ));
                }
            }
        }
    }
}
