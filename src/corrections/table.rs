//! `corrections` as text: a terminal report per print code, and `--csv` with one row per
//! change and recipient.

use super::Listing;
use super::diff::{Entry, Outdated};
use crate::error::Error;

/// A field change as `old → new` (a dash for absent).
fn change(e: &Entry) -> Vec<String> {
    if e.today.is_none() {
        let instead = e.replacement.as_ref().map(|c| format!("; instead: {}", c.display_name())).unwrap_or_default();
        return vec![format!("removed: no longer in service{instead}")];
    }
    e.fields
        .iter()
        .filter(|f| f.field != "kind")
        .map(|f| {
            let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "—".into()).replace('\n', " / ");
            format!("{}: {} → {}", f.field, v(&f.old), v(&f.new))
        })
        .collect()
}

/// The terminal report.
pub fn text(listing: &Listing) -> String {
    if let Some(why) = &listing.nothing {
        return format!("{why}\n");
    }
    if listing.outdated.is_empty() {
        return "every print code shipped still prints today's contacts: nothing to correct\n".into();
    }
    let owed: usize = listing.outdated.iter().map(|o| o.holders.iter().filter(|h| !h.corrected()).count()).sum();
    let sent: usize = listing.outdated.iter().map(|o| o.holders.iter().filter(|h| h.corrected()).count()).sum();
    let mut out = String::new();
    for o in listing.outdated.iter().filter(|o| o.holders.iter().any(|h| !h.corrected())) {
        out.push_str(&print_code(o));
    }
    if sent > 0 {
        out.push_str(&format!(
            "{sent} recipient{} of outdated copies {} already been sent the correction of today's data\n",
            if sent == 1 { "" } else { "s" },
            if sent == 1 { "has" } else { "have" }
        ));
    }
    if owed == 0 {
        out.push_str("nothing to correct\n");
        return out;
    }
    out.push_str(&format!(
        "{owed} recipient{} still to correct; `guidepress corrections make` writes their stickers, notices and labels\n",
        if owed == 1 { "" } else { "s" }
    ));
    out
}

fn print_code(o: &Outdated) -> String {
    let copies: u64 = o.holders.iter().map(|h| h.copies).sum::<u64>() + o.forgotten_copies;
    let mut out = format!("{} ({}): {copies} copies shipped\n", o.print_code, o.edition);
    for e in &o.entries {
        out.push_str(&format!("  p. {} {}\n", e.printed.page, e.printed.name));
        for line in change(e) {
            out.push_str(&format!("      {line}\n"));
        }
    }
    for h in o.holders.iter().filter(|h| !h.corrected()) {
        let partly = match h.owed.contains(&0) || h.owed.iter().any(|n| *n < h.copies) {
            true => "  (partly corrected before)",
            false => "",
        };
        out.push_str(&format!("  {:>5} copies  {}  {}{partly}\n", h.copies, h.country, h.organization));
    }
    if o.forgotten_copies > 0 {
        out.push_str(&format!(
            "  {} copies went to recipients whose details were forgotten: no correction can reach them\n",
            o.forgotten_copies
        ));
    }
    out
}

/// `--csv`: one row per changed field (or removed entry) and recipient.
pub fn csv(listing: &Listing) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header =
        ["edition", "print_code", "page", "contact", "change", "organization", "country", "copies", "correction_sent"];
    w.write_record(header).map_err(Error::internal)?;
    for o in &listing.outdated {
        for (i, e) in o.entries.iter().enumerate() {
            for line in change(e) {
                for h in &o.holders {
                    let sent = if h.owed[i] == 0 { "yes" } else { "no" };
                    let row = [
                        o.edition.clone(),
                        o.print_code.clone(),
                        e.printed.page.to_string(),
                        e.printed.id.clone(),
                        line.clone(),
                        safe_cell(&h.organization),
                        h.country.clone(),
                        h.copies.to_string(),
                        sent.to_string(),
                    ];
                    w.write_record(row).map_err(Error::internal)?;
                }
            }
        }
    }
    w.into_inner().map_err(Error::internal)
}

/// A cell a spreadsheet will not run as a formula (order data comes from strangers).
pub fn safe_cell(text: &str) -> String {
    match text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{text}"),
        false => text.to_string(),
    }
}
