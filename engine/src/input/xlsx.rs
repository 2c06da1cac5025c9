//! Reading applications from an Excel workbook (`.xlsx`): a sheet laid out like the CSV input,
//! a header row of field names (or the pack's aliases) and an application per row. The cells
//! are read by `load/workbook.rs`.

use std::collections::HashMap;
use std::io::{Read, Seek};

use crate::input::{self, RawApplication};
use crate::load::workbook::{self, Bounds, Fail};
use crate::model::pos::Pos;

/// The most rows a sheet of applications may have, its header included: Excel's own
pub(crate) const MAX_ROWS: usize = 1_048_576;

/// What reading applications from a workbook may take: a sheet or its shared strings of up to
/// 1 GiB uncompressed (a zip bomb stops there, refused), Excel's rows and one more, to see
/// whether there are more
const BOUNDS: Bounds = Bounds {
    max_part: 1 << 30,
    max_rows: MAX_ROWS + 1,
};

/// What a workbook held in memory (an upload) may take: its parts uncompressed to 64 MiB, so a
/// small zip bomb costs at most that
pub(crate) const MEMORY_BOUNDS: Bounds = Bounds {
    max_part: 64 << 20,
    max_rows: MAX_ROWS + 1,
};

/// The applications of one sheet (the first, unless named)
pub(crate) fn read<R: Read + Seek>(
    workbook: R,
    sheet: Option<&str>,
    aliases: &HashMap<String, String>,
) -> Result<Vec<RawApplication>, Fail> {
    read_within(workbook, sheet, aliases, BOUNDS)
}

/// [`read`] within `bounds`
pub(crate) fn read_within<R: Read + Seek>(
    workbook: R,
    sheet: Option<&str>,
    aliases: &HashMap<String, String>,
    bounds: Bounds,
) -> Result<Vec<RawApplication>, Fail> {
    let rows = workbook::read_sheet(workbook, sheet, bounds)?;
    if let Some((line, _)) = rows.get(MAX_ROWS) {
        return Err((
            Some(Pos {
                line: *line,
                col: 1,
            }),
            format!("the sheet has more than {MAX_ROWS} rows, the most a sheet may have"),
        ));
    }
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let columns = input::csv_columns(&header.dense(), aliases);
    Ok(rows
        .enumerate()
        .map(|(i, (line, cells))| input::sparse_row(&columns, cells.iter(), cells.width(), i, line))
        .collect())
}
