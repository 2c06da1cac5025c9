//! The domain as plain data: positions, money, values, the pack, an application's facts, what a
//! script decided, decisions, load errors. No Rhai, no files, no parsing of documents: every
//! other stage builds or reads these.

pub(crate) mod bands;
pub(crate) mod date;
pub(crate) mod decided;
pub(crate) mod decision;
pub(crate) mod error;
pub(crate) mod facts;
pub(crate) mod history;
pub(crate) mod json_text;
pub(crate) mod lang;
pub(crate) mod money;
pub(crate) mod outcome;
pub(crate) mod pack;
pub(crate) mod pos;
pub(crate) mod suggest;
pub(crate) mod value;
