//! Progress toward the policy's stated targets, counted from decisions.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decide::{self, Engine};
use crate::input::RawApplication;
use crate::model::decision::{Decision, Status};
use crate::model::facts::Checked;
use crate::model::facts::Facts;
use crate::model::money;
use crate::model::pack::{Pack, TargetComparison};

/// How far the decisions go toward one target
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Target id
    pub id: String,
    /// What is targeted
    pub title: String,
    /// The figure
    #[serde(serialize_with = "money::as_text")]
    pub target: Decimal,
    /// How the figure is meant
    pub comparison: TargetComparison,
    /// Its unit
    pub unit: String,
    /// The year it is meant for
    pub by: Option<i64>,
    /// The clauses whose awards count; empty when no clause measures the target
    pub counted_from: Vec<String>,
    /// What the decisions reach; `None` when no clause measures the target
    pub reached: Option<usize>,
    /// `reached` as a percentage of the figure, to 1 decimal
    #[serde(serialize_with = "money::opt_as_text")]
    pub percent: Option<Decimal>,
    /// Whether the figure is reached (for `over`, passed)
    pub met: Option<bool>,
}

/// Progress being counted, decision by decision (or piece by piece, merged), so a file of any
/// size is counted in memory that grows only with the distinct values a target counts
#[derive(Clone)]
pub(crate) struct Counter {
    /// Per target: awarded decisions counted, and the distinct values seen where the target
    /// counts distinct values
    counts: Vec<(usize, BTreeSet<String>)>,
}

impl Counter {
    pub(crate) fn new(pack: &Pack) -> Counter {
        Counter {
            counts: vec![(0, BTreeSet::new()); pack.targets.len()],
        }
    }

    /// One decision, with its application's facts when it was checked
    pub(crate) fn add(&mut self, pack: &Pack, d: &Decision, facts: Option<&Facts>) {
        if d.status != Status::Awarded {
            return;
        }
        for (t, (n, distinct)) in pack.targets.iter().zip(&mut self.counts) {
            let Some(c) = &t.counts else { continue };
            if !d
                .clause
                .as_deref()
                .is_some_and(|id| c.clauses.iter().any(|x| x == id))
            {
                continue;
            }
            *n += 1;
            if let (Some(field), Some(facts)) = (&c.distinct, facts) {
                if let Some(v) = facts.get(field) {
                    distinct.insert(v.to_string());
                }
            }
        }
    }

    pub(crate) fn merge(&mut self, other: Counter) {
        for ((n, d), (m, e)) in self.counts.iter_mut().zip(other.counts) {
            *n += m;
            d.extend(e);
        }
    }

    pub(crate) fn finish(self, pack: &Pack) -> Vec<Progress> {
        pack.targets
            .iter()
            .zip(self.counts)
            .map(|(t, (n, distinct))| {
                let reached = t.counts.as_ref().map(|c| match &c.distinct {
                    None => n,
                    Some(_) => distinct.len(),
                });
                let percent = reached.and_then(|r| {
                    if t.target.is_zero() {
                        return None;
                    }
                    let mut p = (Decimal::from(r) * Decimal::ONE_HUNDRED / t.target).round_dp(1);
                    p.rescale(1);
                    Some(p)
                });
                let met = reached.map(|r| {
                    let r = Decimal::from(r);
                    match t.comparison {
                        TargetComparison::Over => r > t.target,
                        TargetComparison::About | TargetComparison::AtLeast => r >= t.target,
                    }
                });
                Progress {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    target: t.target,
                    comparison: t.comparison,
                    unit: t.unit.clone(),
                    by: t.by,
                    counted_from: t
                        .counts
                        .as_ref()
                        .map(|c| c.clauses.clone())
                        .unwrap_or_default(),
                    reached,
                    percent,
                    met,
                }
            })
            .collect()
    }
}

pub(crate) fn progress(
    pack: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &[Decision],
) -> Vec<Progress> {
    let mut counter = Counter::new(pack);
    for (d, c) in decisions.iter().zip(checked) {
        counter.add(pack, d, c.as_ref().ok().map(|c| &*c.facts));
    }
    counter.finish(pack)
}

impl Engine {
    /// Decides the applications and counts progress toward each of the pack's targets
    pub fn targets(&self, apps: &[RawApplication]) -> (Vec<Decision>, Vec<Progress>) {
        let checked = decide::check_all(&self.pack, apps);
        let decisions = decide::decide_all_checked(&self.pack, &self.code, &checked);
        let progress = progress(&self.pack, &checked, &decisions);
        (decisions, progress)
    }
}
