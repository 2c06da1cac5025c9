//! Count limits ("no more than N per year"): awarded applications of a limited clause ranked in
//! their group, those past the limit capped.

use std::cmp::Ordering;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::model::decision::{Decision, Rank, Status};
use crate::model::facts::{Checked, Facts};
use crate::model::lang::{said_in, Lang};
use crate::model::pack::{short_label, Clause, CountLimit, Pack, RankKey, RankOrder};
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

/// Every contender's value for rank key `k` as a whole number that sorts as `by_keys` sorts
/// the values: scaled to the key's largest scale, negated where the highest comes first, a
/// missing one last. `None` where a value would not fit.
fn whole_key(key: &RankKey, k: usize, contenders: &[Contender]) -> Option<Vec<i128>> {
    let value = |c: &Contender| c.keys.get(k).copied().flatten();
    let scale = contenders
        .iter()
        .filter_map(value)
        .map(|v| v.scale())
        .max()
        .unwrap_or(0);
    contenders
        .iter()
        .map(|c| match value(c) {
            // A mantissa is under 2^96: times 10^9 it still fits.
            Some(v) if scale - v.scale() <= 9 => {
                let whole = v.mantissa() * 10i128.pow(scale - v.scale());
                Some(match key.order {
                    RankOrder::Desc => -whole,
                    RankOrder::Asc => whole,
                })
            }
            Some(_) => None,
            None => Some(i128::MAX),
        })
        .collect()
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

/// Where a contender stands under its clause's limit. Kept small (a large stream holds one per
/// contender between its passes): the [`Rank`] a decision shows is made when it is applied.
#[derive(Debug, Clone)]
pub(crate) enum Placement {
    Ranked {
        /// The group and its reasons' words, shared by its members
        words: std::sync::Arc<GroupWords>,
        place: usize,
        of: usize,
        max: i64,
        /// The contender's rank values as written
        values: Vec<Option<String>>,
    },
    /// The limit parameter has no value for the group's period
    NoLimit { period: Option<i64> },
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
    contenders: Vec<Contender>,
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
    // Each group's place among the groups: the groups are few, and comparing their numbers
    // rather than their texts halved the sort
    // Each group's place among the groups: the groups are few (found through a table, then
    // sorted), and numbers compare faster than texts
    let mut seen: rustc_hash::FxHashMap<&str, u32> = Default::default();
    let mut group_of: Vec<u32> = contenders
        .iter()
        .map(|c| {
            let next = seen.len() as u32;
            *seen.entry(c.group.as_str()).or_insert(next)
        })
        .collect();
    let mut names: Vec<(&str, u32)> = seen.into_iter().collect();
    names.sort_unstable();
    let mut renumber = vec![0u32; names.len()];
    for (place, (_, found)) in names.iter().enumerate() {
        renumber[*found as usize] = place as u32;
    }
    for g in &mut group_of {
        *g = renumber[*g as usize];
    }
    let clause_words = ClauseWords::new(pack, clause, limit);
    let shared: Vec<std::sync::Arc<GroupWords>> = names
        .iter()
        .map(|(n, _)| std::sync::Arc::new(clause_words.group(n)))
        .collect();
    // The contenders' places in rank order, sorted on every core (between the passes of a
    // stream nothing else runs). Ties end at the index, unique, so the unstable sort gives
    // the order a stable one would.
    let ranked = |a: u32, b: u32| {
        let (ca, cb) = (&contenders[a as usize], &contenders[b as usize]);
        by_keys(&limit.rank_by, &ca.keys, &cb.keys)
            .then_with(|| ca.id.cmp(&cb.id))
            .then_with(|| ca.index.cmp(&cb.index))
    };
    // Sorted by group and the first key as a whole number, on every core; then each run
    // alike in both by the other keys, the id and the index (unique: the unstable sorts give
    // the order a stable one would). Comparing decimals of different scales rescaled one of
    // them each time, and reaching each contender through its place missed the cache: most
    // of a sort of a hundred thousand.
    let first_key = limit
        .rank_by
        .first()
        .and_then(|key| whole_key(key, 0, &contenders));
    let mut items: Vec<(u32, i128, u32)> = (0..contenders.len())
        .map(|i| {
            let key = first_key.as_ref().map_or(0, |keys| keys[i]);
            (group_of[i], key, i as u32)
        })
        .collect();
    items.par_sort_unstable();
    let whole = first_key.is_some() && limit.rank_by.len() == 1;
    items
        .par_chunk_by_mut(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|run| run.len() > 1)
        .for_each(|run| {
            if whole {
                // Alike in the one key: by id, then index
                run.sort_unstable_by(|a, b| {
                    let (ca, cb) = (&contenders[a.2 as usize], &contenders[b.2 as usize]);
                    ca.id.cmp(&cb.id).then(ca.index.cmp(&cb.index))
                });
            } else {
                run.sort_unstable_by(|a, b| ranked(a.2, b.2));
            }
        });
    let order: Vec<u32> = items.into_iter().map(|(_, _, at)| at).collect();
    // Each group's first place in the order and its size
    let mut bounds = Vec::with_capacity(order.len());
    let mut first = 0;
    for group in order.chunk_by(|&a, &b| group_of[a as usize] == group_of[b as usize]) {
        bounds.extend(std::iter::repeat_n((first, group.len()), group.len()));
        first += group.len();
    }
    // The limit in force for each group's period (its first member's; a group per year
    // shares one)
    // (a group without one names that period in each member's error)
    let maxima: Vec<(Option<i64>, Option<i64>)> = bounds
        .iter()
        .map(|&(first, _)| {
            let period = contenders[order[first] as usize].period;
            match max_param.value_for(period) {
                Some(Value::Int(max)) => (period, Some(*max)),
                _ => (period, None),
            }
        })
        .collect();
    // Each contender's place in the order
    let mut place_of = vec![0u32; order.len()];
    for (k, &at) in order.iter().enumerate() {
        place_of[at as usize] = k as u32;
    }
    // Placed on every core, each contender's values moved into its placement
    contenders
        .into_par_iter()
        .zip(place_of)
        .zip(group_of)
        .map(|((c, k), g)| {
            let k = k as usize;
            let (first, of) = bounds[k];
            let placement = match maxima[k] {
                (_, Some(max)) => Placement::Ranked {
                    words: shared[g as usize].clone(),
                    place: k - first + 1,
                    of,
                    max,
                    values: c.values,
                },
                (period, None) => Placement::NoLimit { period },
            };
            (c.index, placement)
        })
        .collect()
}

/// Whether an awarded application keeps its award where it is placed
pub(crate) fn keeps_award(placement: &Placement) -> bool {
    match placement {
        Placement::NoLimit { .. } => false,
        Placement::Ranked { place, max, .. } => (*place as i64) <= *max,
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
        Placement::Ranked {
            words,
            place,
            of,
            max,
            values,
        } => {
            let rank = Rank {
                group: words.group.clone(),
                place: *place,
                of: *of,
                max: *max,
                rank_by: limit.rank_by.clone(),
                values: values.clone(),
            };
            let capped = (rank.place as i64) > rank.max;
            if capped {
                d.status = Status::Capped;
                d.reached.push("count-limit".into());
                d.amount = pack.rounding.apply(Decimal::ZERO);
            }
            d.reasons.push(words.reason(&rank, capped));
            d.rank = Some(rank);
        }
    }
}

/// What every reason under one clause's limit says alike, worked out once: looking up the
/// same labels for each of a hundred thousand contenders was most of placing them
struct ClauseWords<'p> {
    pack: &'p Pack,
    clause: &'p Clause,
    zh: bool,
    /// Per rank key: its name as the reason gives it (a label in Chinese, the field in
    /// English) and its order's words
    keys: Vec<(String, &'static str)>,
    /// The limit as the reason names it
    limit: String,
}

impl<'p> ClauseWords<'p> {
    fn new(pack: &'p Pack, clause: &'p Clause, limit: &'p CountLimit) -> ClauseWords<'p> {
        let zh = pack.shown_language() == Lang::Zh;
        let max_name = limit.max.as_str();
        ClauseWords {
            pack,
            clause,
            zh,
            keys: limit
                .rank_by
                .iter()
                .map(|k| {
                    if zh {
                        (pack.field_label(&clause.kind, &k.field), k.order.words())
                    } else {
                        (k.field.clone(), k.order.words_en())
                    }
                })
                .collect(),
            limit: if zh {
                clause
                    .parameter(max_name)
                    .map(|p| short_label(Some(&p.description), max_name))
                    .unwrap_or_else(|| max_name.to_string())
            } else {
                format!("{}.{max_name}", clause.id)
            },
        }
    }

    /// The words of group `group` (written `field=value, …`, see `contender`)
    fn group(&self, group: &str) -> GroupWords {
        let article = &self.clause.article;
        let (open, sep, close) = if self.zh {
            match self.keys.len() {
                1 => ("按", "", "排名、同分按编号"),
                _ => ("依次按", "、", "排名、均相同按编号"),
            }
        } else {
            ("", ", then ", ", ties by id")
        };
        let mut head = if self.zh {
            // A value holding either separator is shown as written.
            let shown: Vec<String> = group
                .split(", ")
                .map(|part| match part.split_once('=') {
                    Some((f, v)) => {
                        format!("{} {v}", self.pack.field_label(&self.clause.kind, f))
                    }
                    None => part.to_string(),
                })
                .collect();
            format!("{article}：{} 的申报{open}", shown.join("、"))
        } else {
            format!("{article}: in group {group}, ranked by ")
        };
        // Each key's value goes between what comes before it and what follows it.
        let mut after = Vec::with_capacity(self.keys.len());
        let (value_open, value_close) = if self.zh {
            ("（本项 ", "）")
        } else {
            (" (", ") ")
        };
        for (k, (name, order)) in self.keys.iter().enumerate() {
            let before = if k == 0 {
                &mut head
            } else {
                let last: &mut String = after.last_mut().unwrap_or(&mut head);
                last.push_str(sep);
                last
            };
            before.push_str(name);
            before.push_str(value_open);
            after.push(format!("{value_close}{order}"));
        }
        after.last_mut().unwrap_or(&mut head).push_str(close);
        GroupWords {
            group: group.to_string(),
            head,
            after,
            limit: self.limit.clone(),
            zh: self.zh,
        }
    }
}

/// A group under a count limit and the words its members' reasons share: the reason up to the
/// first rank value, what follows each value, and the limit's name
#[derive(Debug)]
pub(crate) struct GroupWords {
    /// The group as `field=value, …`
    group: String,
    head: String,
    after: Vec<String>,
    limit: String,
    zh: bool,
}

impl GroupWords {
    /// Where an application stands under its clause's limit, for a person: in Chinese with the
    /// fields' and the limit's own words (`评审年度 2025 的申报按评审得分（本项 89.9）从高到低排名…`),
    /// in English with the names a program uses
    fn reason(&self, rank: &Rank, capped: bool) -> String {
        let mut out = String::with_capacity(self.head.len() + 160);
        out.push_str(&self.head);
        for (i, after) in self.after.iter().enumerate() {
            out.push_str(rank.values.get(i).and_then(|v| v.as_deref()).unwrap_or(""));
            out.push_str(after);
        }
        let mut n = itoa::Buffer::new();
        let (place, of, max) = (rank.place, rank.of, rank.max);
        let put = |out: &mut String, parts: &[&str]| parts.iter().for_each(|p| out.push_str(p));
        if self.zh {
            put(&mut out, &["，本项第 ", n.format(place), " 名，共 "]);
            put(&mut out, &[n.format(of), " 项，"]);
            let tail = if capped {
                "超过限额 "
            } else {
                "在限额 "
            };
            put(&mut out, &[tail, n.format(max), " 项（", &self.limit]);
            out.push_str(if capped {
                "），不予奖励"
            } else {
                "）之内"
            });
        } else {
            put(&mut out, &[": place ", n.format(place), " of "]);
            put(&mut out, &[n.format(of), ", "]);
            let tail = if capped {
                "past the limit of "
            } else {
                "within the limit of "
            };
            put(&mut out, &[tail, n.format(max), " (", &self.limit]);
            out.push_str(if capped { "); not awarded" } else { ")" });
        }
        out
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

    /// A group whose limit has no value for its period: every member's error names the period
    /// of the group's first-ranked member (the one the limit was looked up for), as before the
    /// ranking was reworked, not each member's own period
    #[test]
    fn a_group_without_a_limit_names_its_first_members_period() {
        use crate::model::pack::DatedValue;
        let engine = crate::decide::engine::shipped();
        let ci = crate::decide::engine::limited_clause(&engine);
        let mut pack = engine.pack().clone();
        let clause = &mut pack.clauses[ci];
        let Some(limit) = clause.count_limit.as_mut() else {
            panic!("limited");
        };
        // One group for all years; the limit only in force from 2025.
        limit.per.clear();
        limit.rank_by = vec![key("score", RankOrder::Desc)];
        let max = limit.max.clone();
        let mut parameters = (*clause.parameters).clone();
        let Some(param) = parameters.iter_mut().find(|p| p.name == max) else {
            panic!("the limit's parameter");
        };
        param.values = vec![DatedValue {
            from: Some(2025),
            value: Value::Int(10),
        }];
        clause.parameters = std::sync::Arc::new(parameters);
        let contender = |index: usize, score: i64, period: i64| Contender {
            index,
            id: format!("C-{index}"),
            group: String::new(),
            keys: vec![d(score)],
            values: vec![Some(score.to_string())],
            period: Some(period),
        };
        // The highest score is from 2020, before the limit: the group has no limit.
        let contenders = vec![contender(0, 50, 2026), contender(1, 90, 2020)];
        let mut periods: Vec<(usize, Option<i64>)> = rank_contenders(&pack, ci, contenders)
            .into_iter()
            .map(|(index, p)| match p {
                Placement::NoLimit { period } => (index, period),
                Placement::Ranked { .. } => (index, None),
            })
            .collect();
        periods.sort_unstable();
        assert_eq!(periods, vec![(0, Some(2020)), (1, Some(2020))]);
    }

    /// The reason as it was written before its words were worked out once per group (the
    /// reference for the bytes)
    fn reason_as_before(
        pack: &Pack,
        clause: &Clause,
        max_name: &str,
        rank: &Rank,
        capped: bool,
    ) -> String {
        let (article, place, of, max) = (&clause.article, rank.place, rank.of, rank.max);
        let value = |i: usize| rank.values.get(i).cloned().flatten().unwrap_or_default();
        match pack.shown_language() {
            Lang::Zh => {
                let label = |f: &str| pack.field_label(&clause.kind, f);
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

    /// Reasons written from the words worked out per group are the bytes the reason had when
    /// written whole: both languages, zero to three keys, either order, missing values, capped
    /// or not, groups of several fields and values holding the separators
    #[test]
    fn reasons_from_group_words_are_the_reasons_written_whole() {
        let engine = crate::decide::engine::shipped();
        let ci = crate::decide::engine::limited_clause(&engine);
        let groups = [
            "year=2025",
            "",
            "year=2025, applicant.name=甲, 乙=丙",
            "year=",
            "no separator",
        ];
        let all = [
            key("score", RankOrder::Desc),
            key("day", RankOrder::Asc),
            key("year", RankOrder::Desc),
        ];
        for lang in [Lang::Zh, Lang::En] {
            for n in 0..=all.len() {
                let mut pack = engine.pack().clone();
                pack.shown = lang;
                if let Some(limit) = pack.clauses[ci].count_limit.as_mut() {
                    limit.rank_by = all[..n].to_vec();
                }
                let clause = &pack.clauses[ci];
                let Some(limit) = clause.count_limit.as_ref() else {
                    panic!("limited");
                };
                let words = ClauseWords::new(&pack, clause, limit);
                for group in groups {
                    let g = words.group(group);
                    for (place, values) in [
                        (1, vec![Some("89.5".to_string()), None, Some("2025".into())]),
                        (12, vec![None, Some("-3".into())]),
                        (3, vec![]),
                    ] {
                        let rank = Rank {
                            group: group.to_string(),
                            place,
                            of: 12,
                            max: 10,
                            rank_by: limit.rank_by.clone(),
                            values: values.into_iter().take(n).collect(),
                        };
                        let capped = place > 10;
                        assert_eq!(
                            g.reason(&rank, capped),
                            reason_as_before(&pack, clause, &limit.max, &rank, capped),
                            "{lang:?}, {n} keys, group {group:?}"
                        );
                    }
                }
            }
        }
    }

    /// Values at the edges of a decimal rank as the decimals do: the largest and smallest,
    /// a negative zero, scales nine and ten apart (whole numbers, then the fallback), in
    /// either order, with ties by id
    #[test]
    fn extreme_values_rank_as_decimals_compare() {
        let engine = crate::decide::engine::shipped();
        let ci = crate::decide::engine::limited_clause(&engine);
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        let sets: Vec<Vec<Option<Decimal>>> = vec![
            vec![
                Some(Decimal::MAX),
                Some(Decimal::MIN),
                None,
                d(0),
                Some(negative_zero),
                d(-1),
            ],
            vec![
                Some(Decimal::MAX),
                Some(Decimal::new(1, 9)),
                Some(Decimal::MIN),
                Some(Decimal::new(-1, 9)),
                d(0),
            ],
            vec![
                Some(Decimal::MAX),
                Some(Decimal::new(1, 10)),
                Some(Decimal::MIN),
                Some(Decimal::new(-1, 10)),
                d(0),
            ],
            vec![
                Some(Decimal::new(i64::MAX, 9)),
                Some(Decimal::new(i64::MIN, 0)),
                Some(Decimal::new(-5, 1)),
                d(-1),
            ],
        ];
        for order in [RankOrder::Desc, RankOrder::Asc] {
            for set in &sets {
                let mut pack = engine.pack().clone();
                let keys = vec![key("score", order)];
                if let Some(limit) = pack.clauses[ci].count_limit.as_mut() {
                    limit.rank_by = keys.clone();
                }
                // Each value twice, under ids in the opposite order of the indexes
                let contenders: Vec<Contender> = set
                    .iter()
                    .chain(set)
                    .enumerate()
                    .map(|(index, v)| Contender {
                        index,
                        id: format!("C-{}", 99 - index),
                        group: "year=2025".into(),
                        keys: vec![*v],
                        values: vec![v.map(|v| v.to_string())],
                        period: Some(2025),
                    })
                    .collect();
                let mut expected = contenders.clone();
                expected
                    .sort_by(|a, b| by_keys(&keys, &a.keys, &b.keys).then_with(|| a.id.cmp(&b.id)));
                let mut places = std::collections::HashMap::new();
                for (index, p) in rank_contenders(&pack, ci, contenders) {
                    if let Placement::Ranked { place, .. } = p {
                        places.insert(index, place);
                    }
                }
                for (k, c) in expected.iter().enumerate() {
                    assert_eq!(places.get(&c.index), Some(&(k + 1)), "{order:?} {set:?}");
                }
            }
        }
    }

    /// The sort by whole numbers and group numbers places every contender where a plain
    /// stable sort by group text, keys and id puts it: decimals of mixed scales and signs,
    /// missing values, ties on every key, ids given twice, one key or two, either order, and
    /// values too finely scaled for whole numbers
    #[test]
    fn ranking_places_as_the_plain_sort_by_group_keys_and_id() {
        let engine = crate::decide::engine::shipped();
        let ci = crate::decide::engine::limited_clause(&engine);
        let mut seed = 11u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let orders = [RankOrder::Desc, RankOrder::Asc];
        for case in 0..12 {
            let mut pack = engine.pack().clone();
            let keys: Vec<RankKey> = (0..1 + case % 2)
                .map(|k| {
                    key(
                        if k == 0 { "score" } else { "day" },
                        orders[(case / 2 + k) % 2],
                    )
                })
                .collect();
            if let Some(limit) = pack.clauses[ci].count_limit.as_mut() {
                limit.rank_by = keys.clone();
            }
            let fine = case >= 8;
            let contenders: Vec<Contender> = (0..400)
                .map(|index| {
                    let value = |next: &mut dyn FnMut(u64) -> u64| match next(7) {
                        0 => None,
                        1 => Some(Decimal::new(next(5) as i64 * 10 - 20, 1)),
                        2 if fine => Some(Decimal::new(next(3) as i64, 20)),
                        _ => Some(Decimal::from(next(5) as i64 - 2)),
                    };
                    let keys: Vec<Option<Decimal>> =
                        keys.iter().map(|_| value(&mut next)).collect();
                    Contender {
                        index,
                        id: format!("C-{}", next(300)),
                        group: format!("year={}", 2024 + next(3)),
                        values: keys.iter().map(|k| k.map(|v| v.to_string())).collect(),
                        keys,
                        period: Some(2025),
                    }
                })
                .collect();
            let mut expected = contenders.clone();
            expected.sort_by(|a, b| {
                a.group
                    .cmp(&b.group)
                    .then_with(|| by_keys(&keys, &a.keys, &b.keys))
                    .then_with(|| a.id.cmp(&b.id))
            });
            let mut places = std::collections::HashMap::new();
            for (index, p) in rank_contenders(&pack, ci, contenders) {
                if let Placement::Ranked { place, words, .. } = p {
                    places.insert(index, (words.group.clone(), place));
                }
            }
            let mut place = 0;
            for (k, c) in expected.iter().enumerate() {
                place = if k > 0 && expected[k - 1].group == c.group {
                    place + 1
                } else {
                    1
                };
                assert_eq!(
                    places.get(&c.index),
                    Some(&(c.group.clone(), place)),
                    "case {case}, contender {}",
                    c.index
                );
            }
        }
    }
}
