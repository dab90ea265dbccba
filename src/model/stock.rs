//! Label sheet geometry: where each label sits on each printed page, in millimetres.

/// One kind of label sheet (or roll), measured from the top-left corner of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stock {
    /// The stock's name, as a run chooses it.
    pub name: &'static str,
    /// Page width and height in mm.
    pub page_mm: (f64, f64),
    /// Labels across.
    pub cols: u32,
    /// Labels down.
    pub rows: u32,
    /// Label width and height in mm.
    pub label_mm: (f64, f64),
    /// Corner radius of the die-cut label in mm (for outlines on test prints).
    pub radius_mm: f64,
    /// Top-left corner of the first (top-left) label, in mm from the page's top-left corner.
    pub origin_mm: (f64, f64),
    /// Distance from one label's left (top) edge to the next label's left (top) edge, in mm.
    pub pitch_mm: (f64, f64),
}

const INCH: f64 = 25.4;

/// Every label stock guidepress knows; the first is the default.
///
/// **Avery L7163** (A4, 2 × 7 labels of 99.1 × 38.1 mm): first label at x 4.65 mm, y 15.15 mm,
/// pitch 101.6 × 38.1 mm (a 2.5 mm gap between the columns, none between rows). This is the
/// only published set of figures that adds up exactly on A4 with symmetric margins:
/// 4.65 + 99.1 + 2.5 + 99.1 + 4.65 = 210 and 15.15 + 7 × 38.1 + 15.15 = 297; Avery's own
/// template rounds it to "side margin 4.7 mm, top margin 15.1 mm". gLabels' template
/// (x 3.35 mm, y 15.17 mm, pitch 103.0 mm — its values in points: 9.5, 43, 292) also fits on
/// the page, but leaves 3.35 mm on the left and 4.55 mm on the right, i.e. the left column
/// printed 1.3 mm too far left; LibreOffice's x 4.67 mm differs from ours by 0.02 mm. Sheets
/// and printers vary by more than that anyway: `place` takes an offset to shift everything.
///
/// **Avery 5163** (US Letter, 2 × 5 labels of 4 × 2 in): first label at x 0.15625 in (5/32),
/// y 0.5 in, pitch 4.1875 × 2 in, which is symmetric: 5/32 + 4 + 3/16 + 4 + 5/32 = 8.5 and
/// 0.5 + 5 × 2 + 0.5 = 11. (gLabels' x 0.1625 in is 0.16 mm off and asymmetric.) Corner
/// radius 0.125 in, as in gLabels.
///
/// **thermal-4x6**: one 4 × 6 in label per page, the page being the label.
pub const STOCKS: &[Stock] = &[
    Stock {
        name: "avery-l7163",
        page_mm: (210.0, 297.0),
        cols: 2,
        rows: 7,
        label_mm: (99.1, 38.1),
        radius_mm: 1.8,
        origin_mm: (4.65, 15.15),
        pitch_mm: (101.6, 38.1),
    },
    Stock {
        name: "avery-5163",
        page_mm: (8.5 * INCH, 11.0 * INCH),
        cols: 2,
        rows: 5,
        label_mm: (4.0 * INCH, 2.0 * INCH),
        radius_mm: 0.125 * INCH,
        origin_mm: (0.15625 * INCH, 0.5 * INCH),
        pitch_mm: (4.1875 * INCH, 2.0 * INCH),
    },
    Stock {
        name: "thermal-4x6",
        page_mm: (4.0 * INCH, 6.0 * INCH),
        cols: 1,
        rows: 1,
        label_mm: (4.0 * INCH, 6.0 * INCH),
        radius_mm: 0.0,
        origin_mm: (0.0, 0.0),
        pitch_mm: (4.0 * INCH, 6.0 * INCH),
    },
];

/// The name of the stock used when none is given.
pub const DEFAULT_STOCK: &str = "avery-l7163";

/// The stock called `name` (ignoring case and surrounding spaces), if there is one.
pub fn stock(name: &str) -> Option<&'static Stock> {
    let name = name.trim();
    STOCKS.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

impl Stock {
    /// How many labels one sheet holds.
    pub fn per_sheet(&self) -> usize {
        self.cols as usize * self.rows as usize
    }
}

/// Where one label goes: the page (0-based) and the label's top-left corner in mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Page number, counting from 0.
    pub page: usize,
    /// Distance of the label's left edge from the page's left edge, in mm.
    pub x_mm: f64,
    /// Distance of the label's top edge from the page's top edge, in mm.
    pub y_mm: f64,
}

/// Positions for `count` labels, filling each sheet row by row (left to right, then down).
///
/// The first `start` positions of the first sheet are skipped, so a partly used sheet can be
/// fed again; a `start` of a whole sheet or more skips whole sheets (callers should refuse
/// that, see [`Stock::per_sheet`]). `offset_mm` shifts every label (right and down are
/// positive) to correct a printer's misalignment. A stock with no labels gives no positions.
pub fn place(stock: &Stock, count: usize, start: usize, offset_mm: (f64, f64)) -> Vec<Placement> {
    let per_sheet = stock.per_sheet();
    if per_sheet == 0 {
        return Vec::new();
    }
    let cols = stock.cols as usize;
    (0..count)
        .map(|i| {
            let slot = start.saturating_add(i);
            let within = slot % per_sheet;
            let (row, col) = (within / cols, within % cols);
            Placement {
                page: slot / per_sheet,
                x_mm: stock.origin_mm.0 + col as f64 * stock.pitch_mm.0 + offset_mm.0,
                y_mm: stock.origin_mm.1 + row as f64 * stock.pitch_mm.1 + offset_mm.1,
            }
        })
        .collect()
}

/// The stock called `name` (the default when `None`), checking that `start` positions are
/// within one sheet: the run's choice of stock and start position.
pub fn choose(name: Option<&str>, start: usize) -> Result<&'static Stock, crate::error::Error> {
    use crate::error::Error;
    let name = name.unwrap_or(DEFAULT_STOCK);
    let Some(stock) = stock(name) else {
        let names: Vec<&str> = STOCKS.iter().map(|s| s.name).collect();
        return Err(Error::Usage(format!("no label stock `{name}`; the stocks are: {}", names.join(", "))));
    };
    let n = stock.per_sheet();
    if start >= n {
        let range = if n == 1 { "0".to_string() } else { format!("0 to {}", n - 1) };
        return Err(Error::Usage(format!(
            "start position {start}: stock {} has {n} label{} per sheet, so the start position must be {range} (the number of labels already used on the first sheet)",
            stock.name,
            if n == 1 { "" } else { "s" },
        )));
    }
    Ok(stock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_must_be_within_one_sheet() {
        assert!(choose(None, 13).is_ok());
        assert_eq!(
            choose(Some("thermal-4x6"), 1).unwrap_err().to_string(),
            "start position 1: stock thermal-4x6 has 1 label per sheet, so the start position must be 0 (the number of labels already used on the first sheet)"
        );
    }

    const EPS: f64 = 1e-9;

    #[test]
    fn lookup_by_name() {
        assert_eq!(stock("avery-l7163").map(|s| s.name), Some("avery-l7163"));
        assert_eq!(stock(" AVERY-5163 ").map(|s| s.name), Some("avery-5163"));
        assert_eq!(stock("thermal-4x6").map(|s| s.per_sheet()), Some(1));
        assert!(stock("avery-l7160").is_none());
        assert!(stock("").is_none());
        assert_eq!(STOCKS[0].name, DEFAULT_STOCK);
    }

    #[test]
    fn every_label_of_every_stock_lies_within_its_page() {
        for s in STOCKS {
            for p in place(s, s.per_sheet(), 0, (0.0, 0.0)) {
                assert_eq!(p.page, 0);
                assert!(p.x_mm >= -EPS && p.y_mm >= -EPS, "{}: {p:?}", s.name);
                assert!(p.x_mm + s.label_mm.0 <= s.page_mm.0 + EPS, "{}: {p:?}", s.name);
                assert!(p.y_mm + s.label_mm.1 <= s.page_mm.1 + EPS, "{}: {p:?}", s.name);
            }
        }
    }

    #[test]
    fn labels_do_not_overlap() {
        for s in STOCKS {
            assert!(s.pitch_mm.0 + EPS >= s.label_mm.0, "{}", s.name);
            assert!(s.pitch_mm.1 + EPS >= s.label_mm.1, "{}", s.name);
            let all = place(s, s.per_sheet(), 0, (0.0, 0.0));
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    let apart_x = (a.x_mm - b.x_mm).abs() + EPS >= s.label_mm.0;
                    let apart_y = (a.y_mm - b.y_mm).abs() + EPS >= s.label_mm.1;
                    assert!(apart_x || apart_y, "{}: {a:?} overlaps {b:?}", s.name);
                }
            }
        }
    }

    #[test]
    fn avery_sheets_have_symmetric_margins() {
        for name in ["avery-l7163", "avery-5163"] {
            let s = stock(name).unwrap();
            let right = s.page_mm.0 - (s.origin_mm.0 + (s.cols - 1) as f64 * s.pitch_mm.0 + s.label_mm.0);
            let bottom = s.page_mm.1 - (s.origin_mm.1 + (s.rows - 1) as f64 * s.pitch_mm.1 + s.label_mm.1);
            assert!((right - s.origin_mm.0).abs() < 1e-6, "{name}: right {right}");
            assert!((bottom - s.origin_mm.1).abs() < 1e-6, "{name}: bottom {bottom}");
        }
    }

    #[test]
    fn l7163_fills_row_by_row_and_position_14_starts_sheet_2() {
        let s = stock("avery-l7163").unwrap();
        let all = place(s, 15, 0, (0.0, 0.0));
        assert_eq!(all.len(), 15);
        assert_eq!((all[0].page, all[0].x_mm, all[0].y_mm), (0, 4.65, 15.15));
        assert_eq!(all[1].page, 0);
        assert!((all[1].x_mm - 106.25).abs() < EPS && (all[1].y_mm - 15.15).abs() < EPS);
        assert!((all[2].x_mm - 4.65).abs() < EPS && (all[2].y_mm - 53.25).abs() < EPS);
        assert!((all[13].x_mm - 106.25).abs() < EPS && (all[13].y_mm - 243.75).abs() < EPS);
        assert_eq!(all[13].page, 0);
        assert_eq!(all[14], Placement { page: 1, x_mm: 4.65, y_mm: 15.15 });
    }

    #[test]
    fn start_skips_used_positions_on_the_first_sheet_only() {
        let s = stock("avery-l7163").unwrap();
        let all = place(s, 4, 13, (0.0, 0.0));
        assert_eq!(all[0].page, 0);
        assert!((all[0].x_mm - 106.25).abs() < EPS && (all[0].y_mm - 243.75).abs() < EPS);
        assert_eq!(all[1], Placement { page: 1, x_mm: 4.65, y_mm: 15.15 });
        assert_eq!(all[3].page, 1);
        // Skipping 3 on a 10-up Letter sheet starts at the right of the second row.
        let letter = stock("avery-5163").unwrap();
        let p = place(letter, 1, 3, (0.0, 0.0))[0];
        assert!((p.x_mm - (0.15625 + 4.1875) * 25.4).abs() < EPS);
        assert!((p.y_mm - 2.5 * 25.4).abs() < EPS);
        // Thermal: every label its own page, start skips pages.
        let thermal = stock("thermal-4x6").unwrap();
        let t = place(thermal, 3, 0, (0.0, 0.0));
        assert_eq!(t.iter().map(|p| p.page).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(t.iter().all(|p| p.x_mm == 0.0 && p.y_mm == 0.0));
    }

    #[test]
    fn offset_shifts_every_label() {
        let s = stock("avery-l7163").unwrap();
        let plain = place(s, 14, 0, (0.0, 0.0));
        let moved = place(s, 14, 0, (1.5, -0.5));
        for (a, b) in plain.iter().zip(&moved) {
            assert_eq!(a.page, b.page);
            assert!((b.x_mm - a.x_mm - 1.5).abs() < EPS);
            assert!((b.y_mm - a.y_mm + 0.5).abs() < EPS);
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let empty = Stock { cols: 0, ..STOCKS[0] };
        assert!(place(&empty, 5, 3, (0.0, 0.0)).is_empty());
        assert!(place(&STOCKS[0], 0, 0, (0.0, 0.0)).is_empty());
        let far = place(&STOCKS[0], 2, usize::MAX, (0.0, 0.0));
        assert_eq!(far.len(), 2);
    }
}
