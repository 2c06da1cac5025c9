//! Count limits ("no more than N per year"): awarded applications of a limited clause ranked in
//! their group, those past the limit capped.

use std::cmp::Ordering;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::model::decision::{Decision, Rank, Status};
use crate::model::facts::{Checked, Facts};
use crate::model::lang::{said_in, Lang};
use crate::model::pack::{short_label, Clause, Pack, RankKey, RankOrder};
use crate::model::value::Value;

/// A comparable rank value: decimals (money too) and integers compare as numbers, a date as its
/// day number; `None` for a missing one, which ranks last
fn rank_value(facts: &Facts, field: &str) -> Option<Decimal> {
    match facts.get(field) {
        Some(Value::Decimal(d)) => Some(*d),
        Some(Value::Int(i)) => Some(Decimal::from(*i)),
        Some(Value::Date(d)) => Some(Decimal::from(d.day_number())),
        _ => None,
    }
}

/// Compares two contenders' key values, key by key, each in its order; a missing value ranks
/// after any value whatever the order. `Equal` when every key is equal (the caller then goes by id).
fn by_keys(keys: &[RankKey], a: &[Option<Decimal>], b: &[Option<Decimal>]) -> Ordering {
    for ((key, a), b) in keys.iter().zip(a).zip(b) {
        let o = match (a, b) {
            (Some(a), Some(b)) => match key.order {
                RankOrder::Desc => b.cmp(a),
                RankOrder::Asc => a.cmp(b),
            },
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// An awarded application of a limited clause, as the count limit ranks it
#[derive(Debug, Clone)]
pub(crate) struct Contender {
    pub(crate) index: usize,
    id: String,
    group: String,
    /// Its value for each rank key, in the limit's order
    keys: Vec<Option<Decimal>>,
    /// The same values as written, for the reason
    values: Vec<Option<String>>,
    period: Option<i64>,
}

/// Where a contender stands under its clause's limit
#[derive(Debug, Clone)]
pub(crate) enum Placement {
    Ranked(Rank),
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
        keys: limit
            .rank_by
            .iter()
            .map(|k| rank_value(facts, &k.field))
            .collect(),
        values: limit
            .rank_by
            .iter()
            .map(|k| facts.get(&k.field).map(|v| v.to_string()))
            .collect(),
        period: pack.period_of(facts),
    })
}

/// Ranks the contenders of clause `ci`: per group, by the limit's keys in order, ties by id
/// ascending
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
    // Sorted on every core (a stable sort, so the order is the one-core order): between the
    // passes of a stream nothing else runs, and a million contenders took a tenth of a second.
    contenders.par_sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then_with(|| by_keys(&limit.rank_by, &a.keys, &b.keys))
            .then_with(|| a.id.cmp(&b.id))
    });
    // Each contender's group, as (first place in the sorted list, size)
    let mut bounds = Vec::with_capacity(contenders.len());
    let mut first = 0;
    for group in contenders.chunk_by(|a, b| a.group == b.group) {
        bounds.extend(std::iter::repeat_n((first, group.len()), group.len()));
        first += group.len();
    }
    // Placed on every core, in the sorted order
    contenders
        .par_iter()
        .zip(bounds)
        .enumerate()
        .map(|(k, (c, (first, of)))| {
            // The limit in force for the group's period (its first member's; a group per
            // year shares one)
            let period = contenders[first].period;
            match max_param.value_for(period) {
                Some(Value::Int(max)) => (
                    c.index,
                    Placement::Ranked(Rank {
                        group: c.group.clone(),
                        place: k - first + 1,
                        of,
                        max: *max,
                        rank_by: limit.rank_by.clone(),
                        values: c.values.clone(),
                    }),
                ),
                _ => (c.index, Placement::NoLimit { period }),
            }
        })
        .collect()
}

/// Whether an awarded application keeps its award where it is placed
pub(crate) fn keeps_award(placement: &Placement) -> bool {
    match placement {
        Placement::NoLimit { .. } => false,
        Placement::Ranked(rank) => (rank.place as i64) <= rank.max,
    }
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
            let (id, max_name) = (&clause.id, &limit.max);
            let period = period
                .map(|p| p.to_string())
                .unwrap_or_else(|| "none".into());
            d.reasons.push(said_in!(
                pack.shown_language(),
                "参数 `{id}.{max_name}` 在申报年度 {period} 没有有效取值",
                "`{id}.{max_name}` has no value in force for period {period}"
            ));
        }
        Placement::Ranked(rank) => {
            let capped = (rank.place as i64) > rank.max;
            if capped {
                d.status = Status::Capped;
                d.reached.push("count-limit".into());
                d.amount = pack.rounding.apply(Decimal::ZERO);
            }
            d.reasons
                .push(limit_reason(pack, clause, &limit.max, rank, capped));
            d.rank = Some(rank.clone());
        }
    }
}

/// Where an application stands under its clause's limit, for a person: in Chinese with the
/// fields' and the limit's own words (`评审年度 2025 的申报按评审得分（本项 89.9）从高到低排名…`),
/// in English with the names a program uses
fn limit_reason(pack: &Pack, clause: &Clause, max_name: &str, rank: &Rank, capped: bool) -> String {
    let (article, place, of, max) = (&clause.article, rank.place, rank.of, rank.max);
    let value = |i: usize| rank.values.get(i).cloned().flatten().unwrap_or_default();
    match pack.shown_language() {
        Lang::Zh => {
            let label = |f: &str| pack.field_label(&clause.kind, f);
            // The group is written `field=value, …` (see `contender`); a value holding either
            // separator is shown as written.
            let group: Vec<String> = rank
                .group
                .split(", ")
                .map(|part| match part.split_once('=') {
                    Some((f, v)) => format!("{} {v}", label(f)),
                    None => part.to_string(),
                })
                .collect();
            let group = group.join("、");
            let keys: Vec<String> = rank
                .rank_by
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    format!(
                        "{}（本项 {}）{}",
                        label(&k.field),
                        value(i),
                        k.order.words()
                    )
                })
                .collect();
            let ranking = if keys.len() == 1 {
                format!("按{}排名、同分按编号", keys[0])
            } else {
                format!("依次按{}排名、均相同按编号", keys.join("、"))
            };
            let limit = clause
                .parameter(max_name)
                .map(|p| short_label(Some(&p.description), max_name))
                .unwrap_or_else(|| max_name.to_string());
            if capped {
                format!("{article}：{group} 的申报{ranking}，本项第 {place} 名，共 {of} 项，超过限额 {max} 项（{limit}），不予奖励")
            } else {
                format!("{article}：{group} 的申报{ranking}，本项第 {place} 名，共 {of} 项，在限额 {max} 项（{limit}）之内")
            }
        }
        Lang::En => {
            let group = &rank.group;
            let keys: Vec<String> = rank
                .rank_by
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{} ({}) {}", k.field, value(i), k.order.words_en()))
                .collect();
            let keys = keys.join(", then ");
            let id = &clause.id;
            if capped {
                format!("{article}: in group {group}, ranked by {keys}, ties by id: place {place} of {of}, past the limit of {max} ({id}.{max_name}); not awarded")
            } else {
                format!("{article}: in group {group}, ranked by {keys}, ties by id: place {place} of {of}, within the limit of {max} ({id}.{max_name})")
            }
        }
    }
}

/// Enforces "no more than N per group": awarded applications of a limited clause are grouped,
/// ranked by the limit's keys (each highest or lowest first, ties by id ascending), and those
/// past N capped.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(field: &str, order: RankOrder) -> RankKey {
        RankKey {
            field: field.into(),
            order,
        }
    }

    fn d(v: i64) -> Option<Decimal> {
        Some(Decimal::from(v))
    }

    #[test]
    fn keys_compare_in_order_each_in_its_direction_missing_last() {
        let keys = [key("score", RankOrder::Desc), key("day", RankOrder::Asc)];
        // The first key decides when it differs.
        assert_eq!(
            by_keys(&keys, &[d(90), d(1)], &[d(80), d(0)]),
            Ordering::Less
        );
        // A tie on it goes to the second, lowest first.
        assert_eq!(
            by_keys(&keys, &[d(90), d(2)], &[d(90), d(1)]),
            Ordering::Greater
        );
        // A missing value ranks last in either order.
        assert_eq!(
            by_keys(&keys, &[None, d(1)], &[d(0), d(9)]),
            Ordering::Greater
        );
        assert_eq!(
            by_keys(&keys, &[d(90), None], &[d(90), d(9)]),
            Ordering::Greater
        );
        // Equal on every key (missing on both counts as equal): the caller goes by id.
        assert_eq!(
            by_keys(&keys, &[d(90), None], &[d(90), None]),
            Ordering::Equal
        );
    }
}
