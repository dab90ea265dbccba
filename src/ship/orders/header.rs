//! The header row of an orders file: which column is which, and what each needs.

use std::collections::HashMap;

use super::fields::{edition_list, show};
use super::{COLUMNS, Cells, OrderProblem, REQUIRED};

/// Maps column names to their index, reporting missing, repeated and unknown columns.
pub(super) fn read_header(
    row: usize,
    header: &Cells,
    body: &[(usize, Cells)],
    problems: &mut Vec<OrderProblem>,
    warnings: &mut Vec<OrderProblem>,
) -> HashMap<&'static str, usize> {
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    for (i, (text, utf8)) in header.iter().enumerate() {
        let text = match utf8 {
            true => text.clone(),
            false => {
                problems.push(OrderProblem::new(
                    Some(row),
                    None,
                    format!(
                        "the name of column {} is not UTF-8 text; save the file as \"CSV UTF-8\" \
                         and try again",
                        i + 1
                    ),
                ));
                continue;
            }
        };
        let key = text.to_lowercase().replace([' ', '-'], "_");
        if let Some(&name) = COLUMNS.iter().find(|c| **c == key) {
            if let Some(&first) = columns.get(name) {
                problems.push(OrderProblem::new(
                    Some(row),
                    Some(name),
                    format!(
                        "the header row has this column twice (columns {} and {}); delete one of them",
                        first + 1,
                        i + 1
                    ),
                ));
            } else {
                columns.insert(name, i);
            }
        } else if text.is_empty() {
            let used = body.iter().any(|(_, r)| r.get(i).is_some_and(|(f, _)| !f.is_empty()));
            if used {
                warnings.push(OrderProblem::new(
                    Some(row),
                    None,
                    format!(
                        "column {} has no name in the header row, so its values are ignored; \
                         give it one of the column names guidepress knows if it should be used",
                        i + 1
                    ),
                ));
            }
        } else {
            warnings.push(OrderProblem::new(
                Some(row),
                Some(&text),
                "guidepress does not use this column, so its values are ignored; the columns \
                 it knows are: "
                    .to_string()
                    + &COLUMNS.join(", "),
            ));
        }
    }
    if let Some(p) = missing_columns(row, header, &columns) {
        problems.push(p);
    }
    columns
}

/// A header row that names no column (it is an order), or lacks required columns.
fn missing_columns(row: usize, header: &Cells, columns: &HashMap<&'static str, usize>) -> Option<OrderProblem> {
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !columns.contains_key(c)).collect();
    if columns.is_empty() && header.len() > 1 {
        // No value of the first row names a column: it is an order, not a header.
        let first = header.iter().map(|(h, _)| h.clone()).find(|h| !h.is_empty());
        Some(OrderProblem::new(
            Some(row),
            None,
            format!(
                "the file has no header row: this first row holds values (such as {}), not column names; \
                 insert a row above it naming the columns, e.g. {}",
                show(&first.unwrap_or_default()),
                COLUMNS.join(",")
            ),
        ))
    } else if !missing.is_empty() {
        let list = missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        let mut message = if missing.len() == 1 {
            format!("the header row has no {list} column, which every orders file needs; add it")
        } else {
            format!("the header row is missing the columns {list}, which every orders file needs; add them")
        };
        if header.len() == 1 {
            let only = &header[0].0;
            if only.contains(';') || only.contains('\t') {
                message.push_str(
                    " (the values in this file seem to be separated by semicolons or tabs; \
                     guidepress needs commas, so export the sheet as \"CSV UTF-8 (Comma delimited)\")",
                );
            }
        }
        Some(OrderProblem::new(Some(row), None, message))
    } else {
        None
    }
}

/// `column `name`` for a column index, or `column N` when the header gives no name.
pub(super) fn column_label(header: &Cells, i: usize) -> String {
    match header.get(i).map(|(h, _)| h.clone()) {
        Some(name) if !name.is_empty() => format!("column `{name}`"),
        _ => format!("column {}", i + 1),
    }
}

/// What a required column holds, for the "this is empty" message.
pub(super) fn needs(column: &str, editions: &[&str]) -> String {
    match column {
        "order_id" => "an order id, e.g. 2026-11-001".into(),
        "received" => "the date the request came in, written like 2026-11-03".into(),
        "organization" => "the name of the organization the books go to".into(),
        "recipient" => "the name of the person who receives the box".into(),
        "address_line1" => "the street address".into(),
        "city" => "the city or town".into(),
        "country" => "a two-letter country code, e.g. US or JP".into(),
        "edition" => format!("the edition to send ({})", edition_list(editions)),
        "copies" => "the number of copies, e.g. 20".into(),
        other => format!("a value in `{other}`"),
    }
}
