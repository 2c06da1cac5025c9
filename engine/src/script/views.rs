//! What a script sees of the world: `app` (one application's facts; `app.applicant` is the
//! group of its fields named `applicant.…`) and `params` (its clause's parameters for the
//! application's year).

use std::sync::Arc;

use crate::model::bands::Bands;
use crate::model::facts::Facts;
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
}

/// A band table parameter as a script holds it, with its name for explanations:
/// `band(params.rate, app.amount)` looks a fact up in it
#[derive(Clone)]
pub(crate) struct BandsView {
    pub(crate) name: Arc<str>,
    pub(crate) table: Arc<Bands>,
}
