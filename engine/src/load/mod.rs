//! Reading a pack from disk: YAML with positions, the pack's files, parameter values, script
//! references, lint warnings; scenarios that change a pack, and the differences between two
//! versions of one. Also the documents other stages read with the same care: a workbook's
//! cells (`workbook.rs`, for application files too) and the record of what was paid before
//! (`history.rs`).

pub(crate) mod files;
pub(crate) mod fullwidth;
pub(crate) mod history;
pub(crate) mod language;
pub(crate) mod lint;
pub(crate) mod nearest;
pub(crate) mod pack;
pub(crate) mod params;
pub(crate) mod references;
pub(crate) mod revision;
pub(crate) mod scenario;
pub(crate) mod script_refs;
pub(crate) mod settlement;
pub(crate) mod workbook;
pub(crate) mod yaml;
