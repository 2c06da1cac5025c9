//! Progress toward the policy's stated targets, counted from decisions.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decide::{Checked, Decision, Status};
use crate::pack::{Comparison, Pack};

/// How far the decisions go toward one target
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Target id
    pub id: String,
    /// What is targeted
    pub title: String,
    /// The figure
    #[serde(serialize_with = "as_text")]
    pub target: Decimal,
    /// How the figure is meant
    pub comparison: Comparison,
    /// Its unit
    pub unit: String,
    /// The year it is meant for
    pub by: Option<i64>,
    /// The clauses whose awards count; empty when no clause measures the target
    pub counted_from: Vec<String>,
    /// What the decisions reach; `None` when no clause measures the target
    pub reached: Option<usize>,
    /// `reached` as a percentage of the figure, to 1 decimal
    #[serde(serialize_with = "opt_as_text")]
    pub percent: Option<Decimal>,
    /// Whether the figure is reached (for `over`, passed)
    pub met: Option<bool>,
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

pub(crate) fn progress(
    pack: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &[Decision],
) -> Vec<Progress> {
    pack.targets
        .iter()
        .map(|t| {
            let reached = t.counts.as_ref().map(|c| {
                let counted = decisions.iter().zip(checked).filter(|(d, _)| {
                    d.status == Status::Awarded
                        && d.clause
                            .as_deref()
                            .is_some_and(|id| c.clauses.iter().any(|x| x == id))
                });
                match &c.distinct {
                    None => counted.count(),
                    Some(field) => counted
                        .filter_map(|(_, ch)| ch.as_ref().ok())
                        .filter_map(|ch| ch.facts.get(field).map(|v| v.to_string()))
                        .collect::<BTreeSet<String>>()
                        .len(),
                }
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
                    Comparison::Over => r > t.target,
                    Comparison::About | Comparison::AtLeast => r >= t.target,
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
