//! `guidepress contacts verify`: records that someone confirmed a contact, by setting its
//! `verified` and `source` in the TOML file where it is written. Everything else in the file —
//! comments, order, spacing — stays as it was (toml_edit).

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::error::Error;
use crate::model::contact::{Contact, ContactDef};
use crate::model::date::{format_date, parse_date};
use crate::output::write_atomic;
use crate::project::{CONFIG, Project};

/// The edition id that stands for the contacts of `guidepress.toml`, shared by every edition.
pub const SHARED: &str = "shared";

/// One confirmation to record.
#[derive(Debug, Clone)]
pub struct Verification<'a> {
    /// An edition id, or [`SHARED`].
    pub edition: &'a str,
    /// The contact's id.
    pub contact: &'a str,
    /// The day it was confirmed, `YYYY-MM-DD`.
    pub on: &'a str,
    /// Where it was confirmed.
    pub source: &'a str,
    /// Today, as days since 1970-01-01 (see [`crate::model::date::today_anywhere`]).
    pub today: i64,
}

/// What was recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The file changed, relative to the project.
    pub file: String,
    /// The line of the contact's `[[contact]]` header.
    pub line: usize,
    /// The contact's id.
    pub id: String,
    /// The `verified` date it had before, if any.
    pub was: Option<String>,
    /// The editions that print the contact (and so are rebuilt by the next build).
    pub editions: Vec<String>,
}

/// Records `v` in the file where the contact is written; refuses (writing nothing) an unknown
/// edition or contact, a date that is malformed, after today or after the guide's date, and an
/// empty source.
pub fn verify(project: &Project, v: &Verification) -> Result<Recorded, Error> {
    let file = file_of(project, v.edition)?;
    let contacts = contacts_of(project, &file);
    let Some(index) = contacts.iter().position(|c| c.id == v.contact) else {
        return Err(unknown_contact(project, v, &file, &contacts));
    };
    let contact = contacts[index];
    check_date(project, v)?;
    let source = v.source.trim();
    if source.is_empty() || source.chars().any(char::is_control) {
        return Err(Error::Refused(
            "the source must say, on one line, where the details were confirmed (e.g. \"phoned the hotline, 2026-11-30\")"
                .into(),
        ));
    }
    let path = project.root.join(&file);
    let text = crate::input::read_text(&path).map_err(|e| Error::io(&path, e))?;
    let edited = edit(&text, index, v.contact, v.on, source)
        .map_err(|why| Error::Refused(format!("{file}:{}: contact `{}`: {why}", contact.origin.line, v.contact)))?;
    write_atomic(&path, edited.as_bytes())?;
    let editions = project
        .editions
        .iter()
        .filter(|e| e.contacts.iter().any(|c| c.origin == contact.origin))
        .map(|e| e.id.clone())
        .collect();
    Ok(Recorded { file, line: contact.origin.line, id: v.contact.to_string(), was: contact.verified.clone(), editions })
}

/// The file an edition id (or [`SHARED`]) names.
fn file_of(project: &Project, edition: &str) -> Result<String, Error> {
    if edition == SHARED {
        return Ok(CONFIG.to_string());
    }
    if project.edition(edition).is_some() {
        return Ok(format!("editions/{edition}.toml"));
    }
    Err(Error::Refused(format!(
        "there is no edition `{edition}`; write one of {}, or `{SHARED}` for the contacts of {CONFIG} that every edition prints",
        project.edition_ids().join(", ")
    )))
}

/// The contacts written in `file`, in file order, each once.
fn contacts_of<'a>(project: &'a Project, file: &str) -> Vec<&'a Contact> {
    let mut out: Vec<&Contact> = Vec::new();
    for c in project.editions.iter().flat_map(|e| &e.contacts).filter(|c| c.origin.file == file) {
        if !out.iter().any(|o| o.origin == c.origin) {
            out.push(c);
        }
    }
    out.sort_by_key(|c| (c.origin.line, c.origin.column));
    out
}

fn unknown_contact(project: &Project, v: &Verification, file: &str, contacts: &[&Contact]) -> Error {
    let ids: Vec<&str> = contacts.iter().map(|c| c.id.as_str()).collect();
    let shared = contacts_of(project, CONFIG);
    let hint = if v.edition != SHARED && shared.iter().any(|c| c.id == v.contact) {
        format!(" (`{}` is a shared contact of {CONFIG}: write `{SHARED}` instead of `{}`)", v.contact, v.edition)
    } else {
        String::new()
    };
    let list = if ids.is_empty() { "none".to_string() } else { ids.join(", ") };
    Error::Refused(format!("{file} has no contact `{}`{hint}; its contacts are: {list}", v.contact))
}

fn check_date(project: &Project, v: &Verification) -> Result<(), Error> {
    let Some(day) = parse_date(v.on) else {
        return Err(Error::Refused(format!(
            "the date {} is not a date; write the day the details were confirmed as year-month-day, e.g. 2026-11-30",
            v.on
        )));
    };
    if day > v.today {
        return Err(Error::Refused(format!(
            "the date {} is after today ({}); write the day the details were really confirmed",
            v.on,
            format_date(v.today)
        )));
    }
    if day > parse_date(&project.guide.date).unwrap_or(i64::MAX) {
        return Err(Error::Refused(format!(
            "the date {} is after the guide's date ({}), which the build refuses; set `date` in [guide] of {CONFIG} \
             to the day this version goes to print first, then record the confirmation",
            v.on, project.guide.date
        )));
    }
    Ok(())
}

/// `text` with the `index`-th `[[contact]]` table's `verified` and `source` set; the table must
/// be the contact `id` (a check that the file did not change since it was read).
pub fn edit(text: &str, index: usize, id: &str, on: &str, source: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("the file cannot be read as TOML: {e}"))?;
    let table = doc
        .get_mut("contact")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|a| a.get_mut(index))
        .ok_or("its [[contact]] table was not found; write contacts as [[contact]] tables")?;
    let def: ContactDef = toml::from_str(&table.to_string()).map_err(|e| format!("cannot be read: {e}"))?;
    if def.id() != id {
        return Err(format!("the file changed while it was read (found `{}` here); run the command again", def.id()));
    }
    let date: toml_edit::Datetime = on.parse().map_err(|_| format!("{on} is not a date"))?;
    set(table, "verified", Value::from(date));
    set(table, "source", Value::from(source));
    Ok(doc.to_string())
}

/// Sets `key` to `value` in `table`, keeping the spacing and comment around the old value; a
/// new key goes after the table's last one.
fn set(table: &mut Table, key: &str, value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = value;
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# head\ncountry = \"NZ\"\n\n[[contact]]\nkind = \"police\"\nname.en = \"Ab cd\"\n\
        verified = 2021-07-30   # from the site\nsource = \"old\"\n\n# second\n[[contact]]\nkind = \"hotline\"\n\
        name.en = \"C\"\nphone = \"1\"\n\n[[contact]]\nid = \"e\"\nkind = \"ngo\"\nname.en = \"D\"\n";

    fn changed_lines(a: &str, b: &str) -> Vec<(String, String)> {
        a.lines().zip(b.lines()).filter(|(x, y)| x != y).map(|(x, y)| (x.to_string(), y.to_string())).collect()
    }

    #[test]
    fn replaces_values_in_place() {
        let out = edit(TEXT, 0, "ab-cd", "2026-11-20", "phoned \"them\"").unwrap();
        assert_eq!(out.lines().count(), TEXT.lines().count());
        assert_eq!(
            changed_lines(TEXT, &out),
            [
                ("verified = 2021-07-30   # from the site".into(), "verified = 2026-11-20   # from the site".into()),
                ("source = \"old\"".into(), "source = 'phoned \"them\"'".into())
            ]
        );
    }

    #[test]
    fn adds_missing_keys_at_the_end_of_the_table() {
        let out = edit(TEXT, 1, "c", "2026-11-20", "site").unwrap();
        let expected = TEXT.replace("phone = \"1\"\n", "phone = \"1\"\nverified = 2026-11-20\nsource = \"site\"\n");
        assert_eq!(out, expected);
        let out = edit(TEXT, 2, "e", "2026-11-20", "site").unwrap();
        assert_eq!(out, format!("{TEXT}verified = 2026-11-20\nsource = \"site\"\n"));
    }

    #[test]
    fn refuses_another_table() {
        assert!(edit(TEXT, 1, "ab-cd", "2026-11-20", "x").unwrap_err().contains("found `c`"));
        assert!(edit(TEXT, 3, "ab-cd", "2026-11-20", "x").is_err());
    }
}
