//! From checked order lines to boxes, the pick list and the totals of a shipping run (pure).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ship::boxes::{BoxPlan, PackError, WeightModel, pack_shipment};
use crate::ship::orders::{OrderLine, OrderProblem, Shipment, group_shipments};

/// What shipping needs to know about one edition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditionInfo {
    /// Edition id.
    pub id: String,
    /// Human title for pick lists and packing sheets, e.g. `Macao edition`.
    pub title: String,
    /// Languages in print order.
    pub languages: Vec<String>,
    /// Real page count of the printed copy.
    pub pages: u32,
    /// Weight of one copy in grams.
    pub copy_g: f64,
}

/// One box of one shipment.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedBox {
    /// Index of the shipment in [`Plan::shipments`].
    pub shipment: usize,
    /// Box number within the shipment, from 1.
    pub k: usize,
    /// Number of boxes of the shipment.
    pub n: usize,
    /// What goes in it and what it weighs.
    pub plan: BoxPlan,
    /// The barcode text, `<order_id>-<k>`.
    pub code: String,
}

/// Every shipment and every box of a run, boxes grouped by shipment in file order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Shipments in order of first appearance.
    pub shipments: Vec<Shipment>,
    /// Boxes, shipment by shipment.
    pub boxes: Vec<PlannedBox>,
}

/// Groups lines into shipments and splits each into boxes.
///
/// A shipment that cannot be packed is reported on the row of the edition at fault (or its
/// first row), column `edition`; every shipment is tried, so all problems come at once.
pub fn plan(
    lines: &[OrderLine],
    editions: &BTreeMap<String, EditionInfo>,
    model: &WeightModel,
) -> Result<Plan, Vec<OrderProblem>> {
    plan_with_limits(lines, editions, model, &|_| model.max_box_g)
}

/// Like [`plan`], but the boxes of each shipment weigh at most `max_box_g(country)` grams, the
/// limit of the shipment's destination (instead of `model.max_box_g`).
pub fn plan_with_limits(
    lines: &[OrderLine],
    editions: &BTreeMap<String, EditionInfo>,
    model: &WeightModel,
    max_box_g: &dyn Fn(&str) -> f64,
) -> Result<Plan, Vec<OrderProblem>> {
    let shipments = group_shipments(lines);
    let per_copy: BTreeMap<String, f64> = editions.iter().map(|(id, e)| (id.clone(), e.copy_g)).collect();
    let mut boxes = Vec::new();
    let mut problems = Vec::new();
    for (s, shipment) in shipments.iter().enumerate() {
        let country = shipment.lines.first().map_or("", |l| l.country.as_str());
        let model = WeightModel { max_box_g: max_box_g(country), ..*model };
        match pack_shipment(&shipment.items(), &per_copy, &model) {
            Ok(plans) => {
                let n = plans.len();
                for (i, plan) in plans.into_iter().enumerate() {
                    let code = format!("{}-{}", shipment.order_id, i + 1);
                    boxes.push(PlannedBox { shipment: s, k: i + 1, n, plan, code });
                }
            }
            Err(e) => {
                let edition = match &e {
                    PackError::CopyTooHeavy { edition, .. }
                    | PackError::UnknownEdition { edition }
                    | PackError::BadCopyWeight { edition, .. } => Some(edition.as_str()),
                    PackError::BadModel { .. } => None,
                };
                let row = edition
                    .and_then(|ed| shipment.lines.iter().find(|l| l.edition == ed))
                    .or(shipment.lines.first())
                    .map(|l| l.row);
                problems.push(OrderProblem {
                    row,
                    column: Some("edition".into()),
                    message: e.to_string(),
                    place: None,
                });
            }
        }
    }
    if problems.is_empty() { Ok(Plan { shipments, boxes }) } else { Err(problems) }
}

/// One row of `picklist.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PickRow {
    /// Edition id.
    pub edition: String,
    /// Edition title.
    pub title: String,
    /// Languages, joined by `+`.
    pub languages: String,
    /// Pages per copy.
    pub pages: u32,
    /// Grams per copy, rounded.
    pub copy_weight_g: u32,
    /// Copies to pull or print.
    pub copies: u64,
    /// Orders asking for this edition.
    pub orders: usize,
    /// Boxes holding at least one copy of it.
    pub boxes: usize,
    /// The printings to pull, `CODE ×N` joined by `; ` (print codes, oldest first).
    pub print_codes: String,
}

/// Copies, orders and boxes per edition, in edition-id order; editions nobody ordered are left out.
pub fn pick_list(plan: &Plan, editions: &BTreeMap<String, EditionInfo>) -> Vec<PickRow> {
    let mut rows = Vec::new();
    for (id, e) in editions {
        let copies: u64 = plan
            .boxes
            .iter()
            .flat_map(|b| &b.plan.contents)
            .filter(|(ed, _)| ed == id)
            .map(|(_, n)| u64::from(*n))
            .sum();
        if copies == 0 {
            continue;
        }
        let orders = plan.shipments.iter().filter(|s| s.lines.iter().any(|l| &l.edition == id)).count();
        let boxes = plan.boxes.iter().filter(|b| b.plan.contents.iter().any(|(ed, _)| ed == id)).count();
        rows.push(PickRow {
            edition: id.clone(),
            title: e.title.clone(),
            languages: e.languages.join("+"),
            pages: e.pages,
            copy_weight_g: e.copy_g.round() as u32,
            copies,
            orders,
            boxes,
            print_codes: String::new(),
        });
    }
    rows
}

/// `picklist.csv` as bytes: a header row and one row per edition.
pub fn pick_list_csv(rows: &[PickRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    if rows.is_empty() {
        w.write_record([
            "edition",
            "title",
            "languages",
            "pages",
            "copy_weight_g",
            "copies",
            "orders",
            "boxes",
            "print_codes",
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Copies per edition, counted from one stage of the run.
pub type Count = BTreeMap<String, u64>;

/// Copies per edition of the order lines.
pub fn ordered(lines: &[OrderLine]) -> Count {
    let mut c = Count::new();
    for l in lines {
        *c.entry(l.edition.clone()).or_default() += u64::from(l.copies);
    }
    c
}

/// Copies per edition in the boxes.
pub fn boxed(plan: &Plan) -> Count {
    let mut c = Count::new();
    for b in &plan.boxes {
        for (e, n) in &b.plan.contents {
            *c.entry(e.clone()).or_default() += u64::from(*n);
        }
    }
    c
}

/// Total of a count.
pub fn total(c: &Count) -> u64 {
    c.values().sum()
}

/// Kilograms with one decimal, as printed on labels: `3.2 kg`.
pub fn kg(grams: f64) -> String {
    format!("{:.1} kg", grams / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(row: usize, order: &str, edition: &str, copies: u32) -> OrderLine {
        crate::ship::orders::test_line(row, order, edition, copies)
    }

    fn editions() -> BTreeMap<String, EditionInfo> {
        [("us", 70.8), ("mo", 95.0), ("big", 4800.0)]
            .into_iter()
            .map(|(id, g)| {
                (
                    id.to_string(),
                    EditionInfo { id: id.into(), title: id.into(), languages: vec!["ko".into()], pages: 48, copy_g: g },
                )
            })
            .collect()
    }

    #[test]
    fn boxes_are_numbered_per_shipment_with_codes() {
        let lines = vec![line(2, "A", "us", 120), line(3, "B", "us", 5), line(4, "A", "mo", 10)];
        let p = plan(&lines, &editions(), &WeightModel::default()).unwrap();
        assert_eq!(p.shipments.len(), 2);
        let a: Vec<_> = p.boxes.iter().filter(|b| b.shipment == 0).collect();
        assert!(a.len() >= 2);
        assert!(a.iter().enumerate().all(|(i, b)| b.k == i + 1 && b.n == a.len() && b.code == format!("A-{}", i + 1)));
        assert_eq!(ordered(&lines), boxed(&p));
        let pick = pick_list(&p, &editions());
        assert_eq!(
            pick.iter().map(|r| (r.edition.as_str(), r.copies, r.orders)).collect::<Vec<_>>(),
            [("mo", 10, 1), ("us", 125, 2)]
        );
        let csv = String::from_utf8(pick_list_csv(&pick).unwrap()).unwrap();
        assert!(
            csv.starts_with("edition,title,languages,pages,copy_weight_g,copies,orders,boxes,print_codes\n"),
            "{csv}"
        );
    }

    #[test]
    fn a_copy_too_heavy_names_its_row_and_edition() {
        let model = WeightModel { max_box_g: 5000.0, packaging_g: 300.0, ..Default::default() };
        let lines = vec![line(2, "A", "us", 1), line(3, "A", "big", 1)];
        let e = plan(&lines, &editions(), &model).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, Some(3));
        assert_eq!(e[0].column.as_deref(), Some("edition"));
    }

    #[test]
    fn kilograms_have_one_decimal() {
        assert_eq!(kg(3249.0), "3.2 kg");
        assert_eq!(kg(300.0), "0.3 kg");
    }

    proptest! {
        #[test]
        fn copies_reconcile_and_no_box_is_too_heavy(
            orders in proptest::collection::vec((0usize..5, 0usize..2, 1u32..400), 1..30)
        ) {
            let eds = ["us", "mo"];
            let mut seen = std::collections::BTreeSet::new();
            let lines: Vec<OrderLine> = orders
                .iter()
                .enumerate()
                .filter(|(_, (o, e, _))| seen.insert((*o, *e)))
                .map(|(i, (o, e, n))| line(i + 2, &format!("O{o}"), eds[*e], *n))
                .collect();
            let model = WeightModel::default();
            let p = plan(&lines, &editions(), &model).unwrap();
            prop_assert_eq!(ordered(&lines), boxed(&p));
            for b in &p.boxes {
                prop_assert!(b.plan.weight_g <= model.max_box_g + 1e-9);
                prop_assert!(b.plan.copies() > 0);
            }
        }

        #[test]
        fn every_box_keeps_to_its_destination_limit(
            orders in proptest::collection::vec((0usize..6, 0usize..2, 1u32..400), 1..30),
            ca_kg in 0.5f64..5.0,
        ) {
            let eds = ["us", "mo"];
            let mut seen = std::collections::BTreeSet::new();
            let lines: Vec<OrderLine> = orders
                .iter()
                .enumerate()
                .filter(|(_, (o, e, _))| seen.insert((*o, *e)))
                .map(|(i, (o, e, n))| {
                    // Orders O0, O2, O4 go to Canada, the others to New Zealand.
                    let country = if o % 2 == 0 { "CA" } else { "NZ" };
                    OrderLine { country: country.into(), ..line(i + 2, &format!("O{o}"), eds[*e], *n) }
                })
                .collect();
            let model = WeightModel { packaging_g: 200.0, ..WeightModel::default() };
            let limit = |c: &str| if c == "CA" { ca_kg * 1000.0 } else { model.max_box_g };
            let p = plan_with_limits(&lines, &editions(), &model, &limit).unwrap();
            prop_assert_eq!(ordered(&lines), boxed(&p));
            for b in &p.boxes {
                let country = &p.shipments[b.shipment].lines[0].country;
                prop_assert!(b.plan.weight_g <= limit(country) + 1e-9, "{} box of {} g", country, b.plan.weight_g);
                prop_assert!(b.plan.copies() > 0);
            }
            // The same orders under one limit for all need no more boxes to Canada.
            let uniform = plan(&lines, &editions(), &model).unwrap();
            let to_ca = |p: &Plan| p.boxes.iter().filter(|b| p.shipments[b.shipment].lines[0].country == "CA").count();
            prop_assert!(to_ca(&p) >= to_ca(&uniform));
        }
    }
}
