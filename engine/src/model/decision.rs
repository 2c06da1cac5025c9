//! The decision on one application, its rank under a count limit, and totals over a batch.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::money;
use crate::model::pack::RankKey;

/// What became of an application
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// An amount is awarded (possibly cut down by a per-item cap)
    Awarded,
    /// The rules give nothing
    Ineligible,
    /// Eligible, but a count limit was reached, or a cap per applicant left nothing to award
    Capped,
    /// Eligible, but a settlement rule (就高不重复) paid the same applicant's higher award
    /// instead: nothing is awarded
    Superseded,
    /// The application or its clause's script is faulty; nothing is decided
    Error,
}

impl Status {
    /// The status as written in the output
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Awarded => "awarded",
            Status::Ineligible => "ineligible",
            Status::Capped => "capped",
            Status::Superseded => "superseded",
            Status::Error => "error",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decision on one application
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The application's id; `null` if it had none
    pub id: Option<String>,
    /// Its kind as written; `null` if it had none
    pub kind: Option<String>,
    /// The clause that decided it; `null` if none could
    pub clause: Option<String>,
    /// What became of it
    pub status: Status,
    /// Yuan awarded, rounded by the pack's rule; zero unless awarded
    #[serde(serialize_with = "money::as_text")]
    pub amount: Decimal,
    /// Why, in words, citing the article
    pub reasons: Vec<String>,
    /// Where it stood under its clause's count limit, if the clause has one
    #[serde(skip)]
    pub rank: Option<Rank>,
    /// The outcomes of its clause this decision reached, for test coverage: `award@14:5`,
    /// `ineligible@9:12` (script call sites), `cap`, `count-limit`, `precondition:<field>`
    #[serde(skip)]
    pub reached: Vec<String>,
}

/// An application's place under a count limit
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rank {
    /// The group, e.g. `year=2025`
    pub group: String,
    /// Its place in the group, from 1
    pub place: usize,
    /// How many eligible applications the group has
    pub of: usize,
    /// The limit
    pub max: i64,
    /// The keys ranked by, in order (then id)
    pub rank_by: Vec<RankKey>,
    /// The application's value for each key, as written; `None` where it has none
    pub values: Vec<Option<String>>,
}

/// Totals over a batch of decisions
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Applications decided
    pub applications: usize,
    /// Applications awarded
    pub awarded: usize,
    /// Total yuan awarded
    #[serde(serialize_with = "money::as_text")]
    pub amount: Decimal,
}

/// Adds amounts; with every award at most 10^18 yuan (the ceiling of one award) the sum cannot
/// overflow, but a sum that somehow would is held at the largest decimal rather than panicking
pub fn sum_amounts(amounts: impl IntoIterator<Item = Decimal>) -> Decimal {
    amounts.into_iter().fold(Decimal::ZERO, add)
}

/// Two amounts added as [`sum_amounts`] adds them, for totals kept as decisions pass
pub(crate) fn add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(Decimal::MAX)
}

/// Sums a batch of decisions
pub fn totals(decisions: &[Decision], rounding: money::Rounding) -> Totals {
    Totals {
        applications: decisions.len(),
        awarded: decisions
            .iter()
            .filter(|d| d.status == Status::Awarded)
            .count(),
        amount: awarded_total(decisions, rounding),
    }
}

/// Yuan awarded over some decisions (a clause's, a year's), rounded by the pack's rule: the
/// figure a table or a sheet shows beside them, so no renderer rounds by itself
pub fn awarded_total<'a>(
    decisions: impl IntoIterator<Item = &'a Decision>,
    rounding: money::Rounding,
) -> Decimal {
    let awarded = decisions
        .into_iter()
        .filter(|d| d.status == Status::Awarded)
        .map(|d| d.amount);
    rounding.apply(sum_amounts(awarded))
}

/// The coverage key of a script outcome: `award@14:5`
pub(crate) fn outcome_key(what: &str, at: Option<crate::model::pos::Pos>) -> String {
    // Built by hand: one per decision, and `core::fmt` was 2% of a large run.
    let mut key = String::with_capacity(what.len() + 12);
    key.push_str(what);
    if let Some(p) = at {
        let mut digits = itoa::Buffer::new();
        key.push('@');
        key.push_str(digits.format(p.line));
        key.push(':');
        key.push_str(digits.format(p.col));
    }
    key
}

/// The largest amount one decision may award: 10^18 yuan. Far above any real award, it keeps
/// every total of up to 10^10 decisions inside `Decimal`'s 28 digits, so sums never overflow.
pub(crate) fn max_award() -> Decimal {
    Decimal::from(1_000_000_000_000_000_000_i64)
}
