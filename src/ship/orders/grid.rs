//! The filled cells of a sheet, row by row, as an order book needs them: empty rows left out, so
//! that memory follows the cells a sheet really holds, not the area it claims.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use calamine::{Data, DataRef, Dimensions, Range, Xlsx};

use super::bounds::{MAX_COLUMNS, MAX_MERGED_CELLS, MAX_ROWS, MAX_SHEET_CELLS};
use super::sheet::column_letters;

/// The filled rows of a sheet, in order: (row from 0, cells from column `col0` to the row's last
/// filled cell).
#[derive(Debug, Default)]
pub struct Grid {
    /// The first column (from 0) holding a value in any row.
    pub col0: u32,
    /// Each row that holds a value, with its cells from `col0`.
    pub rows: Vec<(u32, Vec<Data>)>,
}

impl Grid {
    /// The grid of cells at (row, column), from 0.
    fn of_cells(cells: BTreeMap<(u32, u32), Data>) -> Grid {
        let col0 = cells.keys().map(|(_, c)| *c).min().unwrap_or(0);
        let mut rows: Vec<(u32, Vec<Data>)> = Vec::new();
        for ((r, c), value) in cells {
            if rows.last().is_none_or(|(last, _)| *last != r) {
                rows.push((r, Vec::new()));
            }
            if let Some((_, row)) = rows.last_mut() {
                row.resize((c - col0) as usize, Data::Empty);
                row.push(value);
            }
        }
        Grid { col0, rows }
    }

    /// The grid of a calamine range, rows without a value left out.
    pub fn of_range(range: &Range<Data>) -> Grid {
        let Some((row0, col0)) = range.start() else { return Grid::default() };
        let rows = range
            .rows()
            .enumerate()
            .filter(|(_, cells)| cells.iter().any(|c| *c != Data::Empty))
            .map(|(i, cells)| (row0 + i as u32, cells.to_vec()))
            .collect();
        Grid { col0, rows }
    }
}

/// A cell reference such as `B7` for (row, column) from 0.
fn cell_name((row, col): (u32, u32)) -> String {
    format!("{}{}", column_letters(col as usize), u64::from(row) + 1)
}

/// Reads sheet `name` of an Excel workbook cell by cell, refusing a value beyond the rows and
/// columns an order book may have and merged ranges covering more than [`MAX_MERGED_CELLS`];
/// merged cells take the value of their first cell, as the sheet shows them.
///
/// `unreadable` words an error of calamine's.
pub fn read_xlsx<RS: Read + Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
    unreadable: &dyn Fn(&dyn std::fmt::Display) -> String,
) -> Result<Grid, String> {
    let here = format!("sheet \"{name}\"");
    let mut cells: BTreeMap<(u32, u32), Data> = BTreeMap::new();
    let mut reader = book.worksheet_cells_reader(name).map_err(|e| unreadable(&e))?;
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let at = cell.get_position();
        if at.0 as usize >= MAX_ROWS {
            return Err(format!(
                "{here}, cell {}: the cell is beyond the {MAX_ROWS} rows an order book may have; delete the rows \
                 below the orders, or split the orders into several files",
                cell_name(at)
            ));
        }
        if at.1 >= MAX_COLUMNS {
            return Err(format!(
                "{here}, cell {}: the cell is beyond the {MAX_COLUMNS} columns an order book may have; delete the \
                 columns right of the orders",
                cell_name(at)
            ));
        }
        cells.insert(at, cell.get_value().clone().into());
        if cells.len() as u64 > MAX_SHEET_CELLS {
            return Err(format!(
                "{here}, cell {}: the sheet fills more than the {MAX_SHEET_CELLS} cells an order book may have; \
                 delete what is not an order, or split the orders into several files",
                cell_name(at)
            ));
        }
    }
    drop(reader);
    book.load_merged_regions().map_err(|e| unreadable(&e))?;
    let merged: Vec<Dimensions> = book.merged_regions_by_sheet(name).iter().map(|(_, _, d)| **d).collect();
    let mut covered = 0u64;
    for d in &merged {
        // A range written backwards (B2:A1) counts as one cell; nothing is filled for it.
        let span = |a: u32, b: u32| u64::from(b.saturating_sub(a)) + 1;
        covered += span(d.start.0, d.end.0) * span(d.start.1, d.end.1);
        if covered > MAX_MERGED_CELLS {
            return Err(format!(
                "{here}, cells {}:{}: the merged ranges of the sheet cover more than the {MAX_MERGED_CELLS} cells \
                 an order book may merge; select the sheet, unmerge its cells and save it again",
                cell_name(d.start),
                cell_name(d.end)
            ));
        }
    }
    for d in &merged {
        let Some(value) = cells.get(&d.start).cloned() else { continue };
        for row in d.start.0..=d.end.0.min(MAX_ROWS as u32 - 1) {
            for col in d.start.1..=d.end.1.min(MAX_COLUMNS - 1) {
                cells.entry((row, col)).or_insert_with(|| value.clone());
            }
        }
    }
    Ok(Grid::of_cells(cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_numbers_and_start_at_the_first_column() {
        let cells = BTreeMap::from([
            ((0, 1), Data::String("a".into())),
            ((0, 3), Data::String("b".into())),
            ((999_990, 2), Data::Int(1)),
        ]);
        let grid = Grid::of_cells(cells);
        assert_eq!(grid.col0, 1);
        assert_eq!(grid.rows.len(), 2);
        assert_eq!(grid.rows[0].1, [Data::String("a".into()), Data::Empty, Data::String("b".into())]);
        assert_eq!(grid.rows[1], (999_990, vec![Data::Empty, Data::Int(1)]));
    }
}
