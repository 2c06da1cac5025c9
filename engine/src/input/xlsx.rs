//! Reading applications from an Excel workbook (`.xlsx`): a sheet laid out like the CSV input,
//! a header row of field names (or the pack's aliases) and an application per row. The cells
//! are read by `load/workbook.rs`.

use std::collections::HashMap;
use std::path::Path;

use crate::input::{self, RawApplication};
use crate::load::workbook::{self, Bounds, Fail};

/// What reading applications from a workbook may take: a part of up to 1 GiB uncompressed
/// (a zip bomb stops there), any number of rows
const BOUNDS: Bounds = Bounds {
    max_part: 1 << 30,
    max_rows: usize::MAX,
};

/// The applications of one sheet (the first, unless named)
pub(crate) fn read(
    path: &Path,
    sheet: Option<&str>,
    aliases: &HashMap<String, String>,
) -> Result<Vec<RawApplication>, Fail> {
    let file = std::fs::File::open(path).map_err(|e| (None, format!("cannot read: {e}")))?;
    let rows = workbook::read_sheet(std::io::BufReader::new(file), sheet, BOUNDS)?;
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let columns = input::csv_columns(&header, aliases);
    Ok(rows
        .enumerate()
        .map(|(i, (line, cells))| input::csv_row(&columns, &cells, i, line))
        .collect())
}
