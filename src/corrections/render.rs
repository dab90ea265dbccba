//! The correction documents: what each recipient gets (a [`Group`]) as JSON for
//! layouts/corrections.typ, typeset into stickers.pdf, notices.pdf and labels.pdf, plus
//! recipients.csv for an e-mail merge.

use serde_json::{Value, json};

use super::diff::Outdated;
use crate::error::Error;
use crate::model::contact::Contact;
pub use crate::model::correction::{Group, GroupEntry};
use crate::model::date::Date;
use crate::model::edition::default_office_paper;
use crate::model::fields::FieldChange;
use crate::model::stock::Stock;
use crate::project::Project;
use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::qr;
use crate::typeset::world::{Base, DocWorld};

/// The layout.
pub const LAYOUT: &str = "/layouts/corrections.typ";
/// Where the layout finds its data.
pub const DATA: &str = "/.guidepress/corrections.json";

/// The groups still owed a correction: one per holder with something owed, per print code.
pub fn groups(_project: &Project, found: &[Outdated], spares: u64) -> Vec<Group> {
    let mut out = Vec::new();
    for o in found {
        for h in o.holders.iter().filter(|h| !h.corrected()) {
            let entries = o
                .entries
                .iter()
                .zip(&h.owed)
                .filter(|(_, owed)| **owed > 0)
                .map(|(e, owed)| GroupEntry::of(e, *owed, owed + spares))
                .collect();
            out.push(Group {
                edition: o.edition.clone(),
                print_code: o.print_code.clone(),
                organization: h.organization.clone(),
                recipient: h.recipient.clone(),
                address: h.address.lines().map(str::to_string).collect(),
                country: h.country.clone(),
                email: h.email.clone(),
                copies: h.copies,
                key: h.key.clone(),
                entries,
            });
        }
    }
    out
}

/// stickers.pdf, notices.pdf, labels.pdf and recipients.csv for `groups` (in memory); a sticker
/// whose new entry does not fit the recorded box is an error naming contact and print code.
pub fn documents(
    project: &Project,
    groups: &[Group],
    stock: &Stock,
    date: Date,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut out = Vec::new();
    for mode in ["stickers", "notices", "labels"] {
        out.push((format!("{mode}.pdf"), typeset(project, groups, stock, date, mode)?));
    }
    out.push(("recipients.csv".into(), recipients_csv(groups)?));
    Ok(out)
}

/// stickers.pdf alone (for copies `ship` packs with stickers).
pub fn stickers(project: &Project, groups: &[Group], date: Date) -> Result<Vec<u8>, Error> {
    typeset(project, groups, &crate::model::stock::STOCKS[0], date, "stickers")
}

/// One of the documents: `mode` is `stickers`, `notices` or `labels`.
fn typeset(project: &Project, groups: &[Group], stock: &Stock, date: Date, mode: &str) -> Result<Vec<u8>, Error> {
    let base = Base::load(&project.root)?;
    let (mut data, mut files) = data(project, groups, stock, date)?;
    data["mode"] = json!(mode);
    files.push((DATA.to_string(), serde_json::to_vec(&data).map_err(Error::internal)?));
    let world = DocWorld::new(&base, LAYOUT, files, date).map_err(Error::internal)?;
    let compiled = compile::compile(&world).map_err(Error::typst_unnamed)?;
    let overflows = compile::metadata(&compiled.document, "gp-overflow");
    if let Some(o) = overflows.first() {
        return Err(Error::Refused(overflow_message(o)));
    }
    let ident = format!("guidepress/corrections/{mode}");
    let settings = PdfSettings { ident: &ident, date, standards: &[], tagged: false };
    compile::export_pdf(&world, &compiled.document, &settings).map_err(Error::typst_unnamed)
}

fn overflow_message(o: &Value) -> String {
    let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    let n = |k: &str| o.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    format!(
        "the new entry of contact `{}` needs {:.1} mm, but its box in print code {} is {:.1} mm tall, even at 90 %; \
         a sticker is never made smaller than that nor cut off: shorten the entry (e.g. its notes), or send the \
         recipients a new copy instead",
        s("contact"),
        n("need_mm"),
        s("print_code"),
        n("have_mm")
    )
}

/// Virtual files: (path, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// The layout's data, and the QR codes' virtual files.
fn data(project: &Project, groups: &[Group], stock: &Stock, date: Date) -> Result<(Value, Files), Error> {
    // Every contact printed, once, with its QR codes attached.
    let mut contacts: Vec<Contact> = Vec::new();
    for e in groups.iter().flat_map(|g| &g.entries) {
        for c in e.contact.iter().chain(&e.replacement) {
            if !contacts.iter().any(|k| k.id == c.id) {
                contacts.push(c.clone());
            }
        }
    }
    let files = qr::attach(&mut contacts, 0, true)?.virtuals;
    let by_id = |id: &str| contacts.iter().find(|c| c.id == id);
    let groups: Vec<Value> = groups.iter().map(|g| group_json(project, g, &by_id)).collect();
    let sender = project.sender.clone().unwrap_or_default();
    let data = json!({
        "mode": "",
        "updated": format!("{:04}-{:02}", date.year, date.month),
        "sender": sender,
        "stock": {
            "page": [stock.page_mm.0, stock.page_mm.1],
            "label": [stock.label_mm.0, stock.label_mm.1],
            "origin": [stock.origin_mm.0, stock.origin_mm.1],
            "pitch": [stock.pitch_mm.0, stock.pitch_mm.1],
            "cols": stock.cols,
            "rows": stock.rows,
        },
        "start": 0,
        "groups": groups,
    });
    Ok((data, files))
}

fn group_json<'a>(project: &Project, g: &Group, by_id: &impl Fn(&str) -> Option<&'a Contact>) -> Value {
    let edition = project.edition(&g.edition);
    let languages = edition.map(|e| e.languages.clone()).unwrap_or_else(|| vec!["en".into()]);
    let title = edition
        .and_then(|e| e.name.get("en").or_else(|| e.name.values().next()).cloned())
        .unwrap_or_else(|| g.edition.clone());
    let paper = match default_office_paper(&g.country) {
        "letter" => "us-letter",
        _ => "a4",
    };
    let entries: Vec<Value> = g.entries.iter().map(|e| entry_json(e, &g.print_code, by_id)).collect();
    json!({
        "edition": { "id": g.edition, "languages": languages, "title": title },
        "print_code": g.print_code,
        "organization": g.organization,
        "recipient": g.recipient,
        "address": g.address,
        "copies": g.copies,
        "paper": paper,
        "entries": entries,
    })
}

fn entry_json<'a>(e: &GroupEntry, print_code: &str, by_id: &impl Fn(&str) -> Option<&'a Contact>) -> Value {
    let contact = e.contact.as_ref().and_then(|c| by_id(&c.id));
    let replacement = e.replacement.as_ref().and_then(|c| by_id(&c.id));
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let changes: Vec<Value> = match contact {
        Some(_) => {
            e.fields.iter().map(|f| json!({ "field": f.field, "old": dash(&f.old), "new": dash(&f.new) })).collect()
        }
        None => Vec::new(),
    };
    json!({
        "id": e.id,
        "print_code": print_code,
        "name": e.name,
        "page": e.page,
        "w": e.box_mm.0,
        "h": e.box_mm.1,
        "stickers": e.stickers,
        "contact": contact,
        "replacement": replacement,
        "removed": e.contact.is_none(),
        "changes": changes,
        "qr": contact.or(replacement).and_then(|c| changed_channel(c, &e.fields)),
    })
}

/// The QR code of the first channel whose printed text changed (the new number), if any.
fn changed_channel(c: &Contact, fields: &[FieldChange]) -> Option<Value> {
    let mut seen: std::collections::BTreeMap<&str, usize> = Default::default();
    let keys: Vec<String> = c
        .channels
        .iter()
        .map(|ch| {
            let n = seen.entry(ch.kind).or_default();
            *n += 1;
            if *n == 1 { ch.kind.to_string() } else { format!("{} {n}", ch.kind) }
        })
        .collect();
    let changed = |k: &String| fields.is_empty() || fields.iter().any(|f| &f.field == k);
    let (_, ch) = keys.iter().zip(&c.channels).find(|(k, ch)| changed(k) && ch.qr.is_some())?;
    Some(json!({ "file": ch.qr, "payload": ch.payload, "text": ch.text }))
}

/// recipients.csv: one row per recipient and print code, for an e-mail merge.
fn recipients_csv(groups: &[Group]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["organization", "recipient", "email", "country", "edition", "print_code", "copies", "changes"];
    w.write_record(header).map_err(Error::internal)?;
    for g in groups {
        let changes: Vec<String> = g
            .entries
            .iter()
            .map(|e| match &e.contact {
                None => format!("p. {} {}: no longer in service", e.page, e.name),
                Some(_) => {
                    let f: Vec<String> =
                        e.fields.iter().map(|f| format!("{} → {}", dash(&f.old), dash(&f.new))).collect();
                    format!("p. {} {}: {}", e.page, e.name, f.join("; "))
                }
            })
            .collect();
        let copies = g.copies.to_string();
        let safe = super::table::safe_cell;
        let row = [
            safe(&g.organization),
            safe(&g.recipient),
            safe(&g.email),
            g.country.clone(),
            g.edition.clone(),
            g.print_code.clone(),
            copies,
            changes.join(" | "),
        ];
        w.write_record(row).map_err(Error::internal)?;
    }
    w.into_inner().map_err(Error::internal)
}

fn dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}
