//! Baseline against scenarios: what each change costs, per clause and per year, and who gains
//! or loses.
//!
//! Only what a scenario touches is decided again: applications of clauses whose parameters,
//! script or switch are unchanged keep their baseline decisions (count limits are per clause).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decide::{self, Checked, Decision, Status};
use crate::pack::Pack;
use crate::script::ScriptHost;

/// One scenario set against the baseline
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The scenario's name
    pub scenario: String,
    /// The scenario's fingerprint
    pub fingerprint: String,
    /// The clauses the scenario changes
    pub changed_clauses: Vec<String>,
    /// Per clause, in pack order
    pub by_clause: Vec<Line>,
    /// Per period (year), ascending
    pub by_year: Vec<Line>,
    /// Over everything
    pub total: Line,
    /// Applications that get more
    pub winners: usize,
    /// Applications that get less
    pub losers: usize,
    /// Applications whose amount is the same
    pub unchanged: usize,
    /// The largest changes by application, largest first (ties by id)
    pub largest: Vec<AppChange>,
}

/// Baseline and scenario side by side for one group of applications
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The group: a clause id, a year, or `total`
    pub key: String,
    /// Applications awarded in the baseline
    pub baseline_awarded: usize,
    /// Applications awarded in the scenario
    pub scenario_awarded: usize,
    /// Yuan awarded in the baseline
    #[serde(serialize_with = "as_text")]
    pub baseline_amount: Decimal,
    /// Yuan awarded in the scenario
    #[serde(serialize_with = "as_text")]
    pub scenario_amount: Decimal,
    /// Scenario minus baseline
    #[serde(serialize_with = "as_text")]
    pub change: Decimal,
    /// The change as a percentage of the baseline, to 2 decimals; `None` when the baseline is 0
    #[serde(serialize_with = "opt_as_text")]
    pub percent: Option<Decimal>,
}

/// How one application's decision changes
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppChange {
    /// The application's id
    pub id: Option<String>,
    /// Its clause
    pub clause: Option<String>,
    /// Status in the baseline
    pub baseline_status: Status,
    /// Status in the scenario
    pub scenario_status: Status,
    /// Yuan in the baseline
    #[serde(serialize_with = "as_text")]
    pub baseline_amount: Decimal,
    /// Yuan in the scenario
    #[serde(serialize_with = "as_text")]
    pub scenario_amount: Decimal,
    /// Scenario minus baseline
    #[serde(serialize_with = "as_text")]
    pub change: Decimal,
}

fn as_text<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

fn opt_as_text<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// How many applications `largest` lists
pub const LARGEST: usize = 10;

/// Which clauses of `variant` differ from `base`: parameters, script or switch
pub(crate) fn changed_clauses(base: &Pack, variant: &Pack) -> Vec<bool> {
    base.clauses
        .iter()
        .zip(&variant.clauses)
        .map(|(b, v)| {
            b.enabled != v.enabled
                || *b.parameters != *v.parameters
                || b.script.source != v.script.source
        })
        .collect()
}

/// Decides a variant of `base`, reusing the baseline's decisions for the clauses the variant
/// does not change
pub(crate) fn decide_variant(
    base: &Pack,
    variant: &Pack,
    host: &ScriptHost,
    checked: &[Result<Checked, Box<Decision>>],
    baseline: &[Decision],
) -> Vec<Decision> {
    let changed = &changed_clauses(base, variant);
    let mut decisions = baseline.to_vec();
    for (i, c) in checked.iter().enumerate() {
        if let Ok(c) = c {
            if changed[c.clause] {
                decisions[i] = decide::decide_one(variant, host, c, false).0;
            }
        }
    }
    decide::apply_count_limits(variant, checked, &mut decisions, Some(changed));
    for d in &mut decisions {
        d.amount = variant.rounding.apply(d.amount);
    }
    decisions
}

fn awarded(d: &Decision) -> Decimal {
    if d.status == Status::Awarded {
        d.amount
    } else {
        Decimal::ZERO
    }
}

#[derive(Default)]
struct Acc {
    b_awarded: usize,
    s_awarded: usize,
    b: Vec<Decimal>,
    s: Vec<Decimal>,
}

impl Acc {
    fn add(&mut self, b: &Decision, s: &Decision) {
        self.b_awarded += usize::from(b.status == Status::Awarded);
        self.s_awarded += usize::from(s.status == Status::Awarded);
        self.b.push(awarded(b));
        self.s.push(awarded(s));
    }

    fn line(&self, key: String, pack: &Pack) -> Line {
        let b = pack.rounding.apply(decide::sum(self.b.iter().copied()));
        let s = pack.rounding.apply(decide::sum(self.s.iter().copied()));
        let change = s - b;
        let percent = (!b.is_zero()).then(|| {
            let mut p = (change * Decimal::ONE_HUNDRED / b)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            p.rescale(2);
            p
        });
        Line {
            key,
            baseline_awarded: self.b_awarded,
            scenario_awarded: self.s_awarded,
            baseline_amount: b,
            scenario_amount: s,
            change,
            percent,
        }
    }
}

/// Sets two batches of decisions on the same applications side by side
pub(crate) fn compare(
    name: &str,
    base: &Pack,
    variant: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    baseline: &[Decision],
    scenario: &[Decision],
) -> Comparison {
    let changed = changed_clauses(base, variant);
    let mut by_clause: Vec<Acc> = base.clauses.iter().map(|_| Acc::default()).collect();
    let mut no_clause = Acc::default();
    let mut by_year: BTreeMap<Option<i64>, Acc> = BTreeMap::new();
    let mut total = Acc::default();
    let (mut winners, mut losers, mut unchanged) = (0, 0, 0);
    let mut changes = Vec::new();
    for (i, (b, s)) in baseline.iter().zip(scenario).enumerate() {
        total.add(b, s);
        match b
            .clause
            .as_deref()
            .and_then(|id| base.clauses.iter().position(|c| c.id == id))
        {
            Some(ci) => by_clause[ci].add(b, s),
            None => no_clause.add(b, s),
        }
        let period = match &checked[i] {
            Ok(c) => base.period_of(&c.facts),
            Err(_) => None,
        };
        by_year.entry(period).or_default().add(b, s);
        let delta = awarded(s) - awarded(b);
        match delta.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => winners += 1,
            std::cmp::Ordering::Less => losers += 1,
            std::cmp::Ordering::Equal => unchanged += 1,
        }
        if !delta.is_zero() || b.status != s.status {
            changes.push(AppChange {
                id: b.id.clone(),
                clause: b.clause.clone(),
                baseline_status: b.status,
                scenario_status: s.status,
                baseline_amount: base.rounding.apply(awarded(b)),
                scenario_amount: base.rounding.apply(awarded(s)),
                change: base.rounding.apply(delta),
            });
        }
    }
    changes.sort_by(|x, y| {
        y.change
            .abs()
            .cmp(&x.change.abs())
            .then_with(|| x.id.cmp(&y.id))
    });
    changes.truncate(LARGEST);
    let mut clause_lines: Vec<Line> = base
        .clauses
        .iter()
        .zip(&by_clause)
        .map(|(c, acc)| acc.line(c.id.clone(), base))
        .collect();
    let idle = |acc: &Acc| acc.b_awarded == 0 && acc.s_awarded == 0;
    if !no_clause.b.is_empty() && !idle(&no_clause) {
        clause_lines.push(no_clause.line("(no clause)".into(), base));
    }
    Comparison {
        scenario: name.to_string(),
        fingerprint: variant.fingerprint.clone(),
        changed_clauses: base
            .clauses
            .iter()
            .zip(&changed)
            .filter(|(_, ch)| **ch)
            .map(|(c, _)| c.id.clone())
            .collect(),
        by_clause: clause_lines,
        // A group where nothing is awarded on either side (applications with errors and no
        // year) would only add a row of zeros.
        by_year: by_year
            .iter()
            .filter(|(y, acc)| y.is_some() || !idle(acc))
            .map(|(y, acc)| {
                let key = y.map(|y| y.to_string()).unwrap_or_else(|| "-".into());
                acc.line(key, base)
            })
            .collect(),
        total: total.line("total".into(), base),
        winners,
        losers,
        unchanged,
        largest: changes,
    }
}

/// The budget at one value of a swept parameter
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepPoint {
    /// The parameter's value, as written
    pub value: String,
    /// Applications awarded
    pub awarded: usize,
    /// Total yuan awarded
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
    /// Per clause, in pack order: (clause id, applications awarded, yuan)
    pub by_clause: Vec<ClauseBudget>,
}

/// One clause's budget at one sweep value
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseBudget {
    /// Clause id
    pub clause: String,
    /// Applications awarded
    pub awarded: usize,
    /// Yuan awarded
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
}

pub(crate) fn budget(pack: &Pack, value: String, decisions: &[Decision]) -> SweepPoint {
    let by_clause = pack
        .clauses
        .iter()
        .map(|c| {
            let mine: Vec<&Decision> = decisions
                .iter()
                .filter(|d| {
                    d.status == Status::Awarded && d.clause.as_deref() == Some(c.id.as_str())
                })
                .collect();
            ClauseBudget {
                clause: c.id.clone(),
                awarded: mine.len(),
                amount: pack
                    .rounding
                    .apply(decide::sum(mine.iter().map(|d| d.amount))),
            }
        })
        .collect();
    let t = decide::totals(decisions, pack.rounding);
    SweepPoint {
        value,
        awarded: t.awarded,
        amount: t.amount,
        by_clause,
    }
}
