//! Deciding applications: check each one, run its clause, enforce count limits across the batch;
//! the [`Engine`] that holds a compiled pack; the streaming decision of large files.

pub(crate) mod bases;
pub(crate) mod by_index;
pub(crate) mod check;
pub(crate) mod clause;
pub(crate) mod count_limit;
pub(crate) mod engine;
pub(crate) mod first_pass;
pub(crate) mod repeats;
pub(crate) mod settle;
pub(crate) mod spool;
pub(crate) mod spooled;
pub(crate) mod stream;

pub(crate) use check::{check_all, check_one};
pub(crate) use clause::{decide_all_checked, decide_one, decide_unsettled, decide_unsettled_with};
pub(crate) use count_limit::apply_count_limits;
pub use engine::Engine;
pub(crate) use settle::apply_settlement;
