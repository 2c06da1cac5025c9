//! The exit codes of `policy`, which scripts and CI read.

/// Every application decided
pub const EXIT_OK: u8 = 0;
/// Some applications had errors; all others were decided and printed
pub const EXIT_APPLICATION_ERRORS: u8 = 1;
/// A usage, input-file or pack error
pub const EXIT_FAILURE: u8 = 2;
