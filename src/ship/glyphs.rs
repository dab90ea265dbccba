//! Before typesetting: every character printed from the orders file and the `[sender]` must be
//! drawable by some font in fonts/ (Typst would silently print an empty box), checked with the
//! rule and wording of the editions' check ([`crate::typeset::coverage`]).

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::project::{CONFIG, Sender};
use crate::ship::orders::OrderLine;
use crate::typeset::coverage::{first_undrawable, message};
use crate::typeset::fonts::Fonts;

/// The columns of an order line that labels or packing sheets print.
fn printed(l: &OrderLine) -> [(&'static str, &str); 12] {
    [
        ("order_id", &l.order_id),
        ("organization", &l.organization),
        ("recipient", &l.recipient),
        ("email", &l.email),
        ("phone", &l.phone),
        ("address_line1", &l.address_line1),
        ("address_line2", &l.address_line2),
        ("city", &l.city),
        ("region", &l.region),
        ("postal_code", &l.postal_code),
        ("notes", &l.notes),
        ("received", &l.received),
    ]
}

/// Every character of `lines` (in the orders file `file`) and of `sender` that no font draws,
/// once per field, as one error.
pub fn check(fonts: &Fonts, file: &str, lines: &[OrderLine], sender: &Sender) -> Result<(), Error> {
    let mut problems = Problems::default();
    let sender_text = [&sender.name].into_iter().chain(&sender.lines).chain([&sender.email, &sender.phone]);
    for c in sender_text.filter_map(|t| first_undrawable(t, fonts)) {
        problems.push(Problem::file(CONFIG, format!("[sender]: {}", message(c))));
    }
    for l in lines {
        for (column, text) in printed(l) {
            if let Some(c) = first_undrawable(text, fonts) {
                problems.push(Problem::line(file, l.row, format!("column `{column}`: {}", message(c))));
            }
        }
    }
    problems.into_result().map_err(Error::from)
}
