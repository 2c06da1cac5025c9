//! Reading Excel workbooks (`.xlsx`).

use std::collections::HashMap;
use std::path::Path;

use crate::input::RawApplication;
use crate::yaml::Pos;

/// The applications of one sheet (the first, unless named)
pub(crate) fn read(
    _path: &Path,
    _sheet: Option<&str>,
    _aliases: &HashMap<String, String>,
) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    Err((None, "reading .xlsx is not supported yet".into()))
}
