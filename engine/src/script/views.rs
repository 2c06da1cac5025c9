//! What a script sees of the world: `app` (one application's facts; `app.applicant` is the
//! group of its fields named `applicant.…`) and `params` (its clause's parameters for the
//! application's year).

use std::sync::Arc;

use crate::model::bands::Bands;
use crate::model::decided::Decided;
use crate::model::facts::Facts;
use crate::model::history::History;
use crate::model::pack::Parameter;

/// The facts of one application as a script sees them; `prefix` selects a group such as
/// `applicant`
#[derive(Clone)]
pub(crate) struct FactsView {
    pub(crate) facts: Arc<Facts>,
    pub(crate) prefix: Option<Arc<str>>,
}

impl FactsView {
    pub(crate) fn new(facts: Arc<Facts>) -> FactsView {
        FactsView {
            facts,
            prefix: None,
        }
    }
}

/// A clause's parameters as a script sees them
#[derive(Clone)]
pub(crate) struct ParamsView {
    pub(crate) clause: Arc<str>,
    pub(crate) params: Arc<Vec<Parameter>>,
    /// The application's period (year), which picks a value from a timeline
    pub(crate) period: Option<i64>,
    /// Where the period is among the application's fields, so reading a timeline counts as
    /// reading the period (for the memo)
    pub(crate) period_field: Option<usize>,
    /// What the script sees as `history`, carried here because every run is given its
    /// parameters (the run puts it in the scope under its own name)
    pub(crate) history: HistoryView,
    /// What the script sees as `others`, carried here for the same reason
    pub(crate) others: OthersView,
}

/// The same applicant's other decisions in the period, as a script sees them:
/// `others.amount("clause-id")` and `others.count("clause-id")` for the clauses its clause
/// `depends_on`; nothing where the application names no applicant
#[derive(Clone, Default)]
pub(crate) struct OthersView {
    pub(crate) decided: Arc<Decided>,
    /// The application's applicant and period, as [`Decided`] knows them
    pub(crate) key: Option<u128>,
    /// The clauses the script may read, with their index in the pack
    pub(crate) readable: Arc<[(String, usize)]>,
}

/// The record of earlier payments (`--history`) as a script sees it: the same applicant's
/// payments in years before the application's. `history.count("clause-id")` and
/// `history.sum("clause-id")`; empty without a history or an applicant
#[derive(Clone, Default)]
pub(crate) struct HistoryView {
    pub(crate) history: Arc<History>,
    /// The applicant as the pack's `applicant:` fields name it
    pub(crate) who: Option<String>,
    pub(crate) period: Option<i64>,
}

/// A band table parameter as a script holds it, with its name for explanations:
/// `band(params.rate, app.amount)` looks a fact up in it
#[derive(Clone)]
pub(crate) struct BandsView {
    pub(crate) name: Arc<str>,
    pub(crate) table: Arc<Bands>,
}
