//! What is built on decisions: one explained, scenarios compared and swept, progress toward the
//! policy's targets, the pack's own tests, and JSON Schemas of the input and output.

pub(crate) mod compare;
pub(crate) mod compare_stream;
pub(crate) mod explain;
pub(crate) mod schema;
pub(crate) mod targets;
pub(crate) mod testing;
