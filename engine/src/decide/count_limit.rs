//! Count limits ("no more than N per year"): awarded applications of a limited clause ranked in
//! their group, those past the limit capped.

use rust_decimal::Decimal;

use crate::model::decision::{Decision, Rank, Status};
use crate::model::facts::{Checked, Facts};
use crate::model::pack::Pack;
use crate::model::value::Value;

/// A comparable rank value; decimals and integers compare as numbers, a missing one ranks last
fn rank_value(facts: &Facts, field: &str) -> Decimal {
    match facts.get(field) {
        Some(Value::Decimal(d)) => *d,
        Some(Value::Int(i)) => Decimal::from(*i),
        _ => Decimal::MIN,
    }
}

/// An awarded application of a limited clause, as the count limit ranks it
#[derive(Debug, Clone)]
pub(crate) struct Contender {
    pub(crate) index: usize,
    id: String,
    group: String,
    rank: Decimal,
    rank_text: String,
    period: Option<i64>,
}

/// Where a contender stands under its clause's limit
#[derive(Debug, Clone)]
pub(crate) enum Placement {
    Ranked {
        rank: Rank,
        rank_text: String,
    },
    /// The limit parameter has no value for the group's period
    NoLimit {
        period: Option<i64>,
    },
}

/// An awarded application of clause `ci` as its count limit sees it
pub(crate) fn contender(pack: &Pack, ci: usize, index: usize, facts: &Facts) -> Option<Contender> {
    let limit = pack.clauses.get(ci)?.count_limit.as_ref()?;
    let key: Vec<String> = limit
        .per
        .iter()
        .map(|f| {
            let v = facts.get(f).map(|v| v.to_string()).unwrap_or_default();
            format!("{f}={v}")
        })
        .collect();
    Some(Contender {
        index,
        id: facts.id.clone(),
        group: key.join(", "),
        rank: rank_value(facts, &limit.rank_by),
        rank_text: facts
            .get(&limit.rank_by)
            .map(|v| v.to_string())
            .unwrap_or_default(),
        period: pack.period_of(facts),
    })
}

/// Ranks the contenders of clause `ci`: per group, highest first, ties by id ascending
pub(crate) fn rank_contenders(
    pack: &Pack,
    ci: usize,
    mut contenders: Vec<Contender>,
) -> Vec<(usize, Placement)> {
    let clause = &pack.clauses[ci];
    let (Some(limit), Some(max_param)) = (
        clause.count_limit.as_ref(),
        clause
            .count_limit
            .as_ref()
            .and_then(|l| clause.parameter(&l.max)),
    ) else {
        return Vec::new();
    };
    contenders.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then_with(|| b.rank.cmp(&a.rank))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut out = Vec::with_capacity(contenders.len());
    for group in contenders.chunk_by(|a, b| a.group == b.group) {
        let of = group.len();
        // The limit in force for the group's period (its first member's; a group per year
        // shares one).
        let period = group.first().and_then(|c| c.period);
        match max_param.value_for(period) {
            Some(Value::Int(max)) => {
                for (place0, c) in group.iter().enumerate() {
                    out.push((
                        c.index,
                        Placement::Ranked {
                            rank: Rank {
                                group: c.group.clone(),
                                place: place0 + 1,
                                of,
                                max: *max,
                                rank_by: limit.rank_by.clone(),
                            },
                            rank_text: c.rank_text.clone(),
                        },
                    ));
                }
            }
            _ => out.extend(
                group
                    .iter()
                    .map(|c| (c.index, Placement::NoLimit { period })),
            ),
        }
    }
    out
}

/// Applies a placement to the decision of an awarded application
pub(crate) fn apply_placement(pack: &Pack, ci: usize, d: &mut Decision, placement: &Placement) {
    let clause = &pack.clauses[ci];
    let Some(limit) = &clause.count_limit else {
        return;
    };
    match placement {
        Placement::NoLimit { period } => {
            d.status = Status::Error;
            d.amount = pack.rounding.apply(Decimal::ZERO);
            d.reasons.push(format!(
                "`{}.{}` has no value in force for period {}",
                clause.id,
                limit.max,
                period
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "none".into())
            ));
        }
        Placement::Ranked { rank, rank_text } => {
            let standing = format!(
                "{} 组内按 {}（本项 {}）从高到低排名、同分按编号，本项第 {} 名，共 {} 项",
                rank.group, rank.rank_by, rank_text, rank.place, rank.of
            );
            if (rank.place as i64) > rank.max {
                d.status = Status::Capped;
                d.reached.push("count-limit".into());
                d.amount = pack.rounding.apply(Decimal::ZERO);
                d.reasons.push(format!(
                    "{}：{}，超过每组不超过 {} 项的限额（{}.{}），不予奖励",
                    clause.article, standing, rank.max, clause.id, limit.max
                ));
            } else {
                d.reasons.push(format!(
                    "{}：{}，在限额 {} 项（{}.{}）之内",
                    clause.article, standing, rank.max, clause.id, limit.max
                ));
            }
            d.rank = Some(rank.clone());
        }
    }
}

/// Enforces "no more than N per group": awarded applications of a limited clause are grouped,
/// ranked by the clause's field (highest first, ties by id ascending), and those past N capped.
pub(crate) fn apply_count_limits(
    pack: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &mut [Decision],
    only: Option<&[bool]>,
) {
    for (ci, clause) in pack.clauses.iter().enumerate() {
        if clause.count_limit.is_none()
            || only.is_some_and(|o| !o.get(ci).copied().unwrap_or(false))
        {
            continue;
        }
        let contenders: Vec<Contender> = checked
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Ok(c) if c.clause == ci && decisions[i].status == Status::Awarded => {
                    contender(pack, ci, i, &c.facts)
                }
                _ => None,
            })
            .collect();
        for (i, placement) in rank_contenders(pack, ci, contenders) {
            apply_placement(pack, ci, &mut decisions[i], &placement);
        }
    }
}
