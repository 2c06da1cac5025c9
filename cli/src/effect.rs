//! What a revision of a pack does to a batch of applications: the decisions that change, and
//! the totals before and after.

use policy_engine::{Engine, RawApplication, Status, Totals};
use serde::Serialize;

/// What a revision does to a batch of applications
#[derive(Serialize)]
pub struct Effect {
    /// Applications whose decision changes
    pub changed: Vec<EffectRow>,
    /// Totals before
    pub old: Totals,
    /// Totals after
    pub new: Totals,
}

/// One application's decision before and after
#[derive(Serialize)]
pub struct EffectRow {
    pub id: Option<String>,
    pub clause: Option<String>,
    pub old_status: Status,
    pub new_status: Status,
    pub old_amount: String,
    pub new_amount: String,
}

impl Effect {
    pub fn of(a: &Engine, b: &Engine, apps: &[RawApplication]) -> Effect {
        let (da, db) = (a.decide(apps), b.decide(apps));
        let changed = da
            .iter()
            .zip(&db)
            .filter(|(x, y)| x.status != y.status || x.amount != y.amount)
            .map(|(x, y)| EffectRow {
                id: x.id.clone(),
                clause: y.clause.clone().or_else(|| x.clause.clone()),
                old_status: x.status,
                new_status: y.status,
                old_amount: x.amount.to_string(),
                new_amount: y.amount.to_string(),
            })
            .collect();
        Effect {
            changed,
            old: a.totals(&da),
            new: b.totals(&db),
        }
    }
}
