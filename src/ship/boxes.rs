//! Weights of printed copies and how a shipment's copies are split into boxes.

use std::collections::BTreeMap;

/// The numbers that turn copies into box weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightModel {
    /// Inner paper weight in grams per square metre.
    pub inner_gsm: f64,
    /// Cover paper weight in grams per square metre.
    pub cover_gsm: f64,
    /// Weight of one empty box with its filler, in grams.
    pub packaging_g: f64,
    /// Heaviest box allowed, packaging included, in grams.
    pub max_box_g: f64,
}

impl Default for WeightModel {
    /// 80 gsm inner pages, 250 gsm cover, 300 g for box and filler, 5 kg per box.
    fn default() -> Self {
        Self { inner_gsm: 80.0, cover_gsm: 250.0, packaging_g: 300.0, max_box_g: 5000.0 }
    }
}

/// Weight of the two staples of a saddle-stitched booklet, in grams.
pub const STAPLES_G: f64 = 0.5;

/// Weight in grams of one saddle-stitched copy of `pages` pages with a trim of
/// `trim_mm` = (width, height) in millimetres.
///
/// A saddle-stitched booklet is made of sheets twice the trim width, folded once; each sheet
/// carries 4 pages. With `A` = 2 × width × height (in m²) the area of one sheet:
///
/// ```text
/// weight = A × cover_gsm                       the cover: pages 1, 2 and the last two
///        + ceil((pages − 4) / 4) × A × inner_gsm   the inner sheets
///        + 0.5 g                               staples (STAPLES_G)
/// ```
///
/// `pages` counts the cover's 4 pages; a page count that is not a multiple of 4 is rounded up
/// to whole sheets, as the printer would. Ink is ignored (well under 1 %). Example: 48 pages
/// of A5 (148 × 210 mm) on 80 gsm with a 250 gsm cover weigh about 70.8 g.
pub fn copy_weight_g(pages: u32, trim_mm: (f64, f64), inner_gsm: f64, cover_gsm: f64) -> f64 {
    let sheet_m2 = 2.0 * (trim_mm.0 / 1000.0) * (trim_mm.1 / 1000.0);
    let inner_sheets = pages.saturating_sub(4).div_ceil(4);
    sheet_m2 * cover_gsm + f64::from(inner_sheets) * sheet_m2 * inner_gsm + STAPLES_G
}

/// One box of a shipment: what goes in it and what it weighs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BoxPlan {
    /// (edition id, copies), in the order the editions were first listed in the shipment.
    pub contents: Vec<(String, u32)>,
    /// Total weight in grams, packaging included.
    pub weight_g: f64,
}

impl BoxPlan {
    /// Number of copies in this box, all editions together.
    pub fn copies(&self) -> u64 {
        self.contents.iter().map(|(_, n)| u64::from(*n)).sum()
    }
}

/// Why a shipment could not be split into boxes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PackError {
    /// One copy alone is heavier than a box may carry.
    #[error(
        "one copy of edition `{edition}` weighs {copy_g:.0} g, but a box may hold only \
         {room_g:.0} g of books ({max_box_g:.0} g in all minus {packaging_g:.0} g of packaging); \
         check the edition's page count and trim size, or raise the maximum box weight in the \
         shipping settings"
    )]
    CopyTooHeavy {
        /// The edition whose copies do not fit.
        edition: String,
        /// Weight of one copy in grams.
        copy_g: f64,
        /// Room for books in one box, in grams.
        room_g: f64,
        /// The maximum box weight in grams.
        max_box_g: f64,
        /// The packaging weight in grams.
        packaging_g: f64,
    },
    /// No weight is known for an edition the shipment contains.
    #[error(
        "no weight is known for edition `{edition}`; build the edition first so its page count \
         is known, or remove it from the order"
    )]
    UnknownEdition {
        /// The edition without a weight.
        edition: String,
    },
    /// The weight given for an edition is not a positive number of grams.
    #[error(
        "the weight of one copy of edition `{edition}` is {copy_g} g, which is not possible; it must be more than 0 g"
    )]
    BadCopyWeight {
        /// The edition with the impossible weight.
        edition: String,
        /// The weight given.
        copy_g: f64,
    },
    /// The box limits leave no room for books.
    #[error(
        "a box may weigh at most {max_box_g} g but its packaging alone weighs {packaging_g} g; \
         fix the box weight settings so the maximum is more than the packaging"
    )]
    BadModel {
        /// The maximum box weight in grams.
        max_box_g: f64,
        /// The packaging weight in grams.
        packaging_g: f64,
    },
}

/// Splits a shipment's copies into as few boxes as possible, none heavier than
/// `model.max_box_g`.
///
/// `items` lists (edition id, copies); an edition listed twice is counted once with the copies
/// added up, and zero copies are ignored (no empty box is ever made). Editions share boxes.
///
/// The method is first-fit decreasing: editions are taken heaviest copy first (ties by id);
/// each edition's copies first top up the boxes already open, in order, then fill new boxes.
/// Each box ends with less free room than one copy of every edition still waiting, so for
/// booklets that are small next to a box the count reaches the lower bound
/// ceil(total weight / room per box) in practice. The result depends only on the inputs.
pub fn pack_shipment(
    items: &[(String, u32)],
    per_copy_g: &BTreeMap<String, f64>,
    model: &WeightModel,
) -> Result<Vec<BoxPlan>, PackError> {
    if !(model.max_box_g.is_finite()
        && model.packaging_g.is_finite()
        && model.packaging_g >= 0.0
        && model.max_box_g > model.packaging_g)
    {
        return Err(PackError::BadModel { max_box_g: model.max_box_g, packaging_g: model.packaging_g });
    }
    let wanted = merge(items);
    let mut weighted = weigh(&wanted, per_copy_g, model)?;
    weighted.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.1.cmp(b.1)));

    // Each open box: load in grams (books only) and copies per edition (by input order).
    let mut boxes: Vec<(f64, Vec<u64>)> = Vec::new();
    for &(order, edition, w, copies) in &weighted {
        let mut left = copies;
        for (load, counts) in boxes.iter_mut() {
            if left == 0 {
                break;
            }
            let n = how_many(model, *load, w, left);
            if n > 0 {
                *load += n as f64 * w;
                counts[order] += n;
                left -= n;
            }
        }
        while left > 0 {
            let n = how_many(model, 0.0, w, left);
            if n == 0 {
                // Not reached: one copy fits in an empty box, as checked above with the same
                // arithmetic. Never drop copies silently, though.
                return Err(too_heavy(edition, w, model));
            }
            let mut counts = vec![0; wanted.len()];
            counts[order] = n;
            boxes.push((n as f64 * w, counts));
            left -= n;
        }
    }

    Ok(boxes
        .into_iter()
        .map(|(load, counts)| BoxPlan {
            contents: wanted
                .iter()
                .zip(&counts)
                .filter(|(_, n)| **n > 0)
                // `how_many` keeps every count within u32.
                .map(|((e, _), n)| (e.to_string(), u32::try_from(*n).unwrap_or(u32::MAX)))
                .collect(),
            weight_g: model.packaging_g + load,
        })
        .collect())
}

/// Repeated editions merged (copies added up), zero copies left out, in order of first appearance.
fn merge(items: &[(String, u32)]) -> Vec<(&str, u64)> {
    let mut wanted: Vec<(&str, u64)> = Vec::new();
    for (edition, copies) in items {
        if *copies == 0 {
            continue;
        }
        match wanted.iter_mut().find(|(e, _)| e == edition) {
            Some((_, n)) => *n += u64::from(*copies),
            None => wanted.push((edition, u64::from(*copies))),
        }
    }
    wanted
}

/// `(input order, edition, copy weight, copies)` of every edition wanted, each weight checked.
fn weigh<'a>(
    wanted: &[(&'a str, u64)],
    per_copy_g: &BTreeMap<String, f64>,
    model: &WeightModel,
) -> Result<Vec<(usize, &'a str, f64, u64)>, PackError> {
    let mut weighted = Vec::with_capacity(wanted.len());
    for (order, &(edition, copies)) in wanted.iter().enumerate() {
        let Some(&w) = per_copy_g.get(edition) else {
            return Err(PackError::UnknownEdition { edition: edition.to_string() });
        };
        if !(w.is_finite() && w > 0.0) {
            return Err(PackError::BadCopyWeight { edition: edition.to_string(), copy_g: w });
        }
        if model.packaging_g + w > model.max_box_g {
            return Err(too_heavy(edition, w, model));
        }
        weighted.push((order, edition, w, copies));
    }
    Ok(weighted)
}

fn too_heavy(edition: &str, w: f64, model: &WeightModel) -> PackError {
    PackError::CopyTooHeavy {
        edition: edition.to_string(),
        copy_g: w,
        room_g: model.max_box_g - model.packaging_g,
        max_box_g: model.max_box_g,
        packaging_g: model.packaging_g,
    }
}

/// Whether `n` copies of weight `w` fit on top of `load`.
fn fits(model: &WeightModel, load: f64, n: u64, w: f64) -> bool {
    model.packaging_g + (load + n as f64 * w) <= model.max_box_g
}

/// How many copies of weight `w` still fit on top of `load`, at most `left` (and at most what a
/// u32 count holds).
fn how_many(model: &WeightModel, load: f64, w: f64, left: u64) -> u64 {
    let left = left.min(u64::from(u32::MAX));
    let free = model.max_box_g - model.packaging_g - load;
    // `as` saturates: a negative or NaN quotient gives 0.
    let mut n = ((free / w).floor() as u64).min(left);
    // Floating-point rounding can be one copy off either way; settle it exactly.
    while n > 0 && !fits(model, load, n, w) {
        n -= 1;
    }
    while n < left && fits(model, load, n + 1, w) {
        n += 1;
    }
    n
}

/// The fewest boxes any split could use: ceil(total book weight / room for books in a box).
///
/// Returns 0 for an empty shipment, and `None` when an edition has no usable weight or the
/// model leaves no room.
pub fn lower_bound_boxes(
    items: &[(String, u32)],
    per_copy_g: &BTreeMap<String, f64>,
    model: &WeightModel,
) -> Option<usize> {
    let room = model.max_box_g - model.packaging_g;
    if !(room.is_finite() && room > 0.0) {
        return None;
    }
    let mut total = 0.0;
    for (edition, copies) in items {
        let w = *per_copy_g.get(edition)?;
        if !(w.is_finite() && w > 0.0) {
            return None;
        }
        total += f64::from(*copies) * w;
    }
    Some((total / room - 1e-9).ceil().max(0.0) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weights(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(e, w)| (e.to_string(), *w)).collect()
    }

    fn items(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|(e, n)| (e.to_string(), *n)).collect()
    }

    fn totals(boxes: &[BoxPlan]) -> BTreeMap<String, u64> {
        let mut t = BTreeMap::new();
        for b in boxes {
            for (e, n) in &b.contents {
                *t.entry(e.clone()).or_insert(0) += u64::from(*n);
            }
        }
        t
    }

    #[test]
    fn copy_weight_follows_the_documented_formula() {
        // A5, 48 pages: sheet 2 × 0.148 × 0.210 = 0.06216 m²; cover 15.54 g, 11 inner
        // sheets 54.7008 g, staples 0.5 g.
        let w = copy_weight_g(48, (148.0, 210.0), 80.0, 250.0);
        assert!((w - (0.06216 * 250.0 + 11.0 * 0.06216 * 80.0 + 0.5)).abs() < 1e-9, "{w}");
        assert!((w - 70.7408).abs() < 1e-9);
        // 4 pages: cover only; 0 pages cannot go negative.
        let cover_only = copy_weight_g(4, (148.0, 210.0), 80.0, 250.0);
        assert!((cover_only - 16.04).abs() < 1e-9);
        assert_eq!(copy_weight_g(0, (148.0, 210.0), 80.0, 250.0), cover_only);
        // 50 pages are printed on the same sheets as 52.
        assert_eq!(copy_weight_g(50, (148.0, 210.0), 80.0, 250.0), copy_weight_g(52, (148.0, 210.0), 80.0, 250.0));
        // More pages weigh more.
        assert!(copy_weight_g(52, (148.0, 210.0), 80.0, 250.0) > w);
    }

    #[test]
    fn default_model() {
        let m = WeightModel::default();
        assert_eq!((m.inner_gsm, m.cover_gsm, m.packaging_g, m.max_box_g), (80.0, 250.0, 300.0, 5000.0));
    }

    #[test]
    fn large_single_edition_order_uses_the_fewest_boxes() {
        let w = weights(&[("us", 70.7408)]);
        let order = items(&[("us", 120)]);
        let boxes = pack_shipment(&order, &w, &WeightModel::default()).unwrap();
        // 4700 g of room holds 66 copies; 120 copies need 2 boxes.
        assert_eq!(boxes.len(), 2);
        assert_eq!(boxes[0].contents, vec![("us".to_string(), 66)]);
        assert_eq!(boxes[1].contents, vec![("us".to_string(), 54)]);
        assert!(boxes.iter().all(|b| b.weight_g <= 5000.0));
        assert!((boxes[1].weight_g - (300.0 + 54.0 * 70.7408)).abs() < 1e-6);
        assert_eq!(lower_bound_boxes(&order, &w, &WeightModel::default()), Some(2));
    }

    #[test]
    fn editions_share_boxes_and_heavier_copies_go_first() {
        let w = weights(&[("us", 80.0), ("jp", 60.0), ("mo", 100.0)]);
        let order = items(&[("us", 10), ("jp", 5), ("mo", 3)]);
        let boxes = pack_shipment(&order, &w, &WeightModel::default()).unwrap();
        assert_eq!(boxes.len(), 1);
        // Contents keep the order of the shipment, not the packing order.
        assert_eq!(boxes[0].contents, items(&[("us", 10), ("jp", 5), ("mo", 3)]));
        assert_eq!(boxes[0].weight_g, 300.0 + 800.0 + 300.0 + 300.0);
        assert_eq!(boxes[0].copies(), 18);
    }

    #[test]
    fn lower_bound_is_reached_on_typical_shipments() {
        let w = weights(&[("us", 72.3), ("ca", 72.3), ("au", 68.9), ("nz", 68.9), ("mo", 95.4), ("jp", 61.2)]);
        let model = WeightModel::default();
        let cases: &[&[(&str, u32)]] = &[
            &[("us", 120)],
            &[("us", 40), ("ca", 40), ("jp", 40)],
            &[("mo", 30), ("jp", 25), ("us", 5)],
            &[("au", 200), ("nz", 35)],
            &[("us", 1000)],
            &[("us", 65), ("ca", 1)],
            &[("mo", 49), ("jp", 1), ("au", 1)],
            &[("us", 10), ("ca", 10), ("au", 10), ("nz", 10), ("mo", 10), ("jp", 10)],
            &[("us", 333), ("mo", 77), ("jp", 150)],
        ];
        for case in cases {
            let order = items(case);
            let boxes = pack_shipment(&order, &w, &model).unwrap();
            let lb = lower_bound_boxes(&order, &w, &model).unwrap();
            assert_eq!(boxes.len(), lb, "{case:?}: {boxes:?}");
        }
    }

    #[test]
    fn repeated_editions_merge_and_zero_copies_are_ignored() {
        let w = weights(&[("us", 50.0), ("jp", 40.0)]);
        let order = items(&[("us", 3), ("jp", 0), ("us", 2)]);
        let boxes = pack_shipment(&order, &w, &WeightModel::default()).unwrap();
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].contents, items(&[("us", 5)]));
        assert!(pack_shipment(&[], &w, &WeightModel::default()).unwrap().is_empty());
        assert!(pack_shipment(&items(&[("jp", 0)]), &w, &WeightModel::default()).unwrap().is_empty());
    }

    #[test]
    fn a_copy_heavier_than_a_box_is_an_error_naming_the_edition() {
        let w = weights(&[("us", 4800.0)]);
        let err = pack_shipment(&items(&[("us", 1)]), &w, &WeightModel::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "one copy of edition `us` weighs 4800 g, but a box may hold only 4700 g of books \
             (5000 g in all minus 300 g of packaging); check the edition's page count and trim \
             size, or raise the maximum box weight in the shipping settings"
        );
        // Exactly the room left is fine.
        let w = weights(&[("us", 4700.0)]);
        let boxes = pack_shipment(&items(&[("us", 2)]), &w, &WeightModel::default()).unwrap();
        assert_eq!(boxes.len(), 2);
        assert!(boxes.iter().all(|b| b.weight_g == 5000.0));
    }

    #[test]
    fn bad_weights_and_models_are_errors_not_panics() {
        let m = WeightModel::default();
        let order = items(&[("us", 1)]);
        assert_eq!(
            pack_shipment(&order, &BTreeMap::new(), &m).unwrap_err(),
            PackError::UnknownEdition { edition: "us".into() }
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = pack_shipment(&order, &weights(&[("us", bad)]), &m).unwrap_err();
            assert!(matches!(err, PackError::BadCopyWeight { .. }), "{bad}");
        }
        for (max, pack) in [(300.0, 300.0), (100.0, 300.0), (f64::NAN, 1.0), (5000.0, -1.0)] {
            let model = WeightModel { max_box_g: max, packaging_g: pack, ..m };
            let err = pack_shipment(&order, &weights(&[("us", 1.0)]), &model).unwrap_err();
            assert!(matches!(err, PackError::BadModel { .. }));
        }
        // Tiny copies in huge numbers: still fine.
        let boxes = pack_shipment(&items(&[("us", u32::MAX)]), &weights(&[("us", 1e-3)]), &m).unwrap();
        assert_eq!(totals(&boxes)["us"], u64::from(u32::MAX));
    }

    proptest! {
        #[test]
        fn copies_in_equal_copies_out_and_no_box_is_overweight(
            order in prop::collection::vec((0usize..6, 0u32..400), 0..8),
            weights_g in prop::collection::vec(1.0f64..2500.0, 6),
            packaging in 0.0f64..1000.0,
            room in 2500.0f64..20000.0,
        ) {
            let ids = ["us", "ca", "au", "nz", "mo", "jp"];
            let per_copy: BTreeMap<String, f64> =
                ids.iter().zip(&weights_g).map(|(e, w)| (e.to_string(), *w)).collect();
            let order: Vec<(String, u32)> =
                order.iter().map(|(i, n)| (ids[*i].to_string(), *n)).collect();
            let model = WeightModel { packaging_g: packaging, max_box_g: packaging + room, ..WeightModel::default() };
            let boxes = pack_shipment(&order, &per_copy, &model).unwrap();

            let mut ordered: BTreeMap<String, u64> = BTreeMap::new();
            for (e, n) in &order {
                if *n > 0 {
                    *ordered.entry(e.clone()).or_insert(0) += u64::from(*n);
                }
            }
            prop_assert_eq!(totals(&boxes), ordered);
            for b in &boxes {
                prop_assert!(b.weight_g <= model.max_box_g, "{:?}", b);
                prop_assert!(!b.contents.is_empty());
                prop_assert!(b.contents.iter().all(|(_, n)| *n > 0));
                let expected: f64 = packaging + b.contents.iter().map(|(e, n)| per_copy[e] * f64::from(*n)).sum::<f64>();
                prop_assert!((b.weight_g - expected).abs() < 1e-6 * expected.max(1.0));
            }
            let lb = lower_bound_boxes(&order, &per_copy, &model).unwrap();
            prop_assert!(boxes.len() >= lb);
            // Deterministic.
            prop_assert_eq!(pack_shipment(&order, &per_copy, &model).unwrap(), boxes);
        }

        #[test]
        fn no_two_boxes_could_be_merged(
            order in prop::collection::vec((0usize..6, 1u32..300), 1..8),
            weights_g in prop::collection::vec(40.0f64..2000.0, 6),
        ) {
            // First-fit decreasing never leaves two boxes whose contents would fit in one:
            // a copy only opens or goes to a later box when it did not fit in an earlier one.
            let ids = ["us", "ca", "au", "nz", "mo", "jp"];
            let per_copy: BTreeMap<String, f64> =
                ids.iter().zip(&weights_g).map(|(e, w)| (e.to_string(), *w)).collect();
            let order: Vec<(String, u32)> =
                order.iter().map(|(i, n)| (ids[*i].to_string(), *n)).collect();
            let model = WeightModel::default();
            let boxes = pack_shipment(&order, &per_copy, &model).unwrap();
            let room = model.max_box_g - model.packaging_g;
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    let together = (a.weight_g - model.packaging_g) + (b.weight_g - model.packaging_g);
                    prop_assert!(together > room - 1e-6, "{:?} and {:?} fit in one box", a, b);
                }
            }
        }
    }
}
