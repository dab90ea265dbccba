//! The record's commands as text: `shipments` and `stock` as terminal tables, `shipments --csv`
//! as a CSV file.

use crate::error::Error;
use crate::model::record::Shipment;

use super::StockLine;

/// Lines of text as columns padded to their widest cell (the last column not padded).
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..n).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| if i + 1 == row.len() { c.clone() } else { format!("{c:<w$}", w = widths[i]) })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `guidepress shipments`: one row per shipment line, newest batch first.
pub fn shipments(rows: &[Shipment]) -> String {
    let mut table = vec![
        ["batch", "date", "order", "edition", "print code", "copies", "country", "organization"]
            .map(String::from)
            .to_vec(),
    ];
    for s in rows {
        let l = &s.line;
        let org = match (s.forgotten, s.voided) {
            (true, _) => "(forgotten)".to_string(),
            (false, true) => format!("{} (batch voided)", l.organization),
            (false, false) => l.organization.clone(),
        };
        table.push(vec![
            s.batch.clone(),
            s.date.clone(),
            l.order_id.clone(),
            l.edition.clone(),
            l.print_code.clone(),
            l.copies.to_string(),
            l.country.clone(),
            org,
        ]);
    }
    let sent: u64 = rows.iter().filter(|s| !s.voided).map(|s| s.line.copies).sum();
    format!(
        "{}{} line{}, {sent} copies sent (voided batches not counted)\n",
        columns(&table),
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}

/// `guidepress shipments --csv`: every field of every line.
pub fn shipments_csv(rows: &[Shipment]) -> Result<Vec<u8>, Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let header = [
        "batch",
        "date",
        "voided",
        "order_id",
        "edition",
        "print_code",
        "copies",
        "organization",
        "recipient",
        "address",
        "country",
        "email",
        "row",
    ];
    w.write_record(header).map_err(Error::internal)?;
    for s in rows {
        let l = &s.line;
        let record = [
            s.batch.clone(),
            s.date.clone(),
            s.voided.to_string(),
            l.order_id.clone(),
            l.edition.clone(),
            l.print_code.clone(),
            l.copies.to_string(),
            l.organization.clone(),
            l.recipient.clone(),
            l.address.clone(),
            l.country.clone(),
            l.email.clone(),
            l.row.to_string(),
        ];
        w.write_record(&record).map_err(Error::internal)?;
    }
    w.into_inner().map_err(|e| Error::internal(e.into_error()))
}

/// `guidepress stock`: per edition and print code, printed, shipped, left, and whether its
/// contacts are still today's.
pub fn stock(lines: &[StockLine]) -> String {
    let mut table =
        vec![["edition", "print code", "printed", "shipped", "left", "contacts"].map(String::from).to_vec()];
    for s in lines {
        let r = &s.row;
        let contacts = match &s.outdated {
            None => "unknown (no release recorded)".to_string(),
            Some(changes) if changes.is_empty() => "current".to_string(),
            Some(changes) => format!("OUTDATED: {}", changes.join("; ")),
        };
        table.push(vec![
            r.edition.clone(),
            r.print_code.clone(),
            r.printed.to_string(),
            r.shipped.to_string(),
            r.left().to_string(),
            contacts,
        ]);
    }
    let mut out = columns(&table);
    if lines.iter().any(|s| s.row.left() < 0) {
        out.push_str(
            "left below 0: more copies shipped than print runs recorded; record them with `guidepress printed EDITION --copies N`\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_pad_all_but_the_last() {
        let t = columns(&[vec!["a".into(), "bb".into(), "c".into()], vec!["ccc".into(), "d".into(), "eeee".into()]]);
        assert_eq!(t, "a    bb  c\nccc  d   eeee\n");
    }
}
