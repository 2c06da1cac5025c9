//! A pack's clause scripts compiled for one sandbox, with the memo of the outcomes they have
//! decided. The runtime half of an engine: the pack itself stays plain data.

use std::sync::Arc;

use crate::model::decided::Decided;
use crate::model::history::History;
use crate::script::host::{Script, ScriptHost};
use crate::script::memo::Memo;

/// Compiled scripts, one per clause in the pack's order, and what they have decided so far
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    /// The sandbox the scripts run in
    pub(crate) host: Arc<ScriptHost>,
    /// The compiled script of each clause, by the clause's index in the pack
    pub(crate) scripts: Vec<Script>,
    /// Outcomes already decided, per combination of categorical facts
    pub(crate) memo: Arc<Memo>,
    /// What was paid before (`--history`), read by the settlement rules; empty without one.
    /// Kept here, beside the scripts, because every path that decides a batch carries them.
    pub(crate) history: Arc<History>,
    /// The awards of the clauses others depend on, for the run under way (`others` in a
    /// script); empty until a run of a pack with dependencies has decided them
    pub(crate) decided: Arc<Decided>,
}

impl Compiled {
    /// Scripts for a pack, with an empty memo (other parameters or scripts, other outcomes)
    pub(crate) fn new(host: Arc<ScriptHost>, scripts: Vec<Script>) -> Compiled {
        let memo = Arc::new(Memo::new(scripts.len()));
        Compiled {
            host,
            scripts,
            memo,
            history: Arc::default(),
            decided: Arc::default(),
        }
    }
}
