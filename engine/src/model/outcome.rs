//! What a clause script decided, how it failed, and what a traced run read and computed.

use rust_decimal::Decimal;

use crate::model::pos::Pos;
use crate::model::value::Value;

/// What a script decided, and where in the script (the `award`/`ineligible` call)
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Award {
        amount: Decimal,
        reason: String,
        at: Option<Pos>,
    },
    Ineligible {
        reason: String,
        at: Option<Pos>,
    },
}

/// A script that failed: the message and where in the script
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// What went wrong
    pub message: String,
    /// The same in Chinese, where the engine wrote it in both
    pub message_zh: Option<String>,
    /// Where in the script, when known
    pub pos: Option<Pos>,
}

/// A run's outcome, with its trace when traced
pub(crate) type Ran = (Result<Outcome, ScriptError>, Option<Trace>);

/// Everything one traced run read and computed
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Trace {
    pub(crate) facts: Vec<(String, Option<Value>)>,
    pub(crate) params: Vec<String>,
    pub(crate) steps: Vec<String>,
    pub(crate) printed: Vec<String>,
}
