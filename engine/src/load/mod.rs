//! Reading a pack from disk: YAML with positions, the pack's files, parameter values, script
//! references, lint warnings; scenarios that change a pack, and the differences between two
//! versions of one.

pub(crate) mod files;
pub(crate) mod history;
pub(crate) mod lint;
pub(crate) mod pack;
pub(crate) mod params;
pub(crate) mod references;
pub(crate) mod revision;
pub(crate) mod scenario;
pub(crate) mod script_refs;
pub(crate) mod settlement;
pub(crate) mod yaml;
