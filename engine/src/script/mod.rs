//! Running clause scripts: the Rhai sandbox and what scripts see, the lowered interpreter for
//! the common subset, the memo of decided outcomes, and a pack's scripts compiled together.

pub(crate) mod compiled;
pub(crate) mod host;
pub(crate) mod limits;
pub(crate) mod lowered;
pub(crate) mod memo;
pub(crate) mod views;
