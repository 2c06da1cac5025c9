//! Deciding a batch: check each application, apply the pack's preconditions, run its clause,
//! cap and round the amount, then enforce count limits across the batch.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::input::RawApplication;
use crate::memo::Found;
use crate::money;
use crate::pack::{Clause, Pack};
use crate::script::{Facts, FactsView, Outcome, ParamsView, ScriptError, ScriptHost, Trace};
use crate::validate::{self, kind_text};
use crate::value::Value;

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
    /// Eligible, but a count limit was reached, so nothing is awarded
    Capped,
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
    #[serde(serialize_with = "as_text")]
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

fn as_text<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
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
    /// The field ranked by
    pub rank_by: String,
}

/// Totals over a batch of decisions
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Applications decided
    pub applications: usize,
    /// Applications awarded
    pub awarded: usize,
    /// Total yuan awarded
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
}

/// Adds amounts; with every award at most [`max_award`] the sum cannot overflow, but a sum
/// that somehow would is held at the largest decimal rather than panicking
pub fn sum(amounts: impl IntoIterator<Item = Decimal>) -> Decimal {
    amounts.into_iter().fold(Decimal::ZERO, add)
}

/// Two amounts added as [`sum`] adds them, for totals kept as decisions pass
pub(crate) fn add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(Decimal::MAX)
}

/// Sums a batch of decisions
pub fn totals(decisions: &[Decision], rounding: money::Rounding) -> Totals {
    let awarded: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.status == Status::Awarded)
        .collect();
    Totals {
        applications: decisions.len(),
        awarded: awarded.len(),
        amount: rounding.apply(sum(awarded.iter().map(|d| d.amount))),
    }
}

/// The coverage key of a script outcome: `award@14:5`
pub(crate) fn outcome_key(what: &str, at: Option<crate::yaml::Pos>) -> String {
    // Built by hand: one per decision, and `format!` showed in the profile.
    let mut key = String::with_capacity(what.len() + 12);
    key.push_str(what);
    if let Some(p) = at {
        use std::fmt::Write;
        let _ = write!(key, "@{}:{}", p.line, p.col);
    }
    key
}

/// The largest amount one decision may award: 10^18 yuan. Far above any real award, it keeps
/// every total of up to 10^10 decisions inside `Decimal`'s 28 digits, so sums never overflow.
pub(crate) fn max_award() -> Decimal {
    Decimal::from(1_000_000_000_000_000_000_i64)
}

/// An application that passed its checks, with what the decision needs of it
#[derive(Clone)]
pub(crate) struct Checked {
    pub(crate) facts: Arc<Facts>,
    pub(crate) clause: usize,
}

fn error_decision(
    raw: &RawApplication,
    kind: Option<String>,
    clause: Option<String>,
    reasons: Vec<String>,
) -> Decision {
    Decision {
        id: raw.id().map(str::to_string),
        kind,
        clause,
        status: Status::Error,
        amount: Decimal::ZERO,
        reasons,
        rank: None,
        reached: Vec::new(),
    }
}

fn script_reason(clause: &Clause, e: &ScriptError, pack: &Pack) -> String {
    let file = clause
        .script_path()
        .strip_prefix(&pack.dir)
        .unwrap_or(clause.script_path())
        .display()
        .to_string();
    match e.pos {
        Some(p) => format!("clause script {file}:{}:{}: {}", p.line, p.col, e.message),
        None => format!("clause script {file}: {}", e.message),
    }
}

/// Decides one checked application by its clause, before count limits. With `trace`, also
/// returns what the script read and computed and the engine's own steps.
/// What a clause's script sees as `params` for one application
pub(crate) fn params_view(pack: &Pack, clause: &Clause, facts: &Facts) -> ParamsView {
    ParamsView {
        clause: clause.id.as_str().into(),
        params: clause.parameters.clone(),
        period: pack.period_of(facts),
        period_field: pack
            .period
            .as_deref()
            .and_then(|p| facts.fields.iter().position(|f| f.name == p)),
    }
}

pub(crate) fn decide_one(
    pack: &Pack,
    host: &ScriptHost,
    checked: &Checked,
    trace: bool,
) -> (Decision, Option<Trace>) {
    let clause = &pack.clauses[checked.clause];
    let facts = &checked.facts;
    let mut decision = Decision {
        id: Some(facts.id.clone()),
        kind: Some(facts.kind.clone()),
        clause: Some(clause.id.clone()),
        status: Status::Ineligible,
        amount: Decimal::ZERO,
        reasons: Vec::new(),
        rank: None,
        reached: Vec::new(),
    };
    for p in &pack.preconditions {
        if facts.get(&p.field) != Some(&p.equals) {
            decision.reasons.push(p.reason.clone());
            decision.reached.push(format!("precondition:{}", p.field));
            let t = trace.then(|| Trace {
                facts: vec![(p.field.clone(), facts.get(&p.field).cloned())],
                ..Trace::default()
            });
            return (decision, t);
        }
    }
    if !clause.enabled {
        decision.reasons.push(format!(
            "{} {}：本情景停用此条款（{}），不予支持",
            clause.article, clause.title, clause.id
        ));
        return (decision, trace.then(Trace::default));
    }
    let period = pack.period_of(facts);
    // What the script sees, built only when it runs (a remembered outcome needs neither).
    let params = || params_view(pack, clause, facts);
    let view = || FactsView::new(facts.clone());
    let (outcome, mut recorded) = if trace {
        host.run(&clause.script, view(), params(), true)
    } else {
        match pack.memo.find(checked.clause, &facts.values) {
            Found::Outcome(o) => (Ok((*o).clone()), None),
            Found::Run => host.run(&clause.script, view(), params(), false),
            Found::Learn => {
                let ((outcome, _), reads) =
                    host.run_noting(&clause.script, view(), params(), false, true);
                if let (Ok(o), Some(reads)) = (&outcome, reads) {
                    pack.memo.learn(checked.clause, &facts.values, &reads, o);
                }
                (outcome, None)
            }
        }
    };
    // `四(四)8 title：reason`, in one allocation: this runs for every application.
    let cite = |reason: &str| {
        let mut r =
            String::with_capacity(clause.article.len() + clause.title.len() + reason.len() + 4);
        r.push_str(&clause.article);
        r.push(' ');
        r.push_str(&clause.title);
        r.push('：');
        r.push_str(reason);
        r
    };
    match outcome {
        Err(e) => {
            decision.status = Status::Error;
            decision.reasons.push(script_reason(clause, &e, pack));
        }
        Ok(Outcome::Ineligible { reason, at }) => {
            decision.reached.push(outcome_key("ineligible", at));
            decision.reasons.push(cite(&reason));
        }
        Ok(Outcome::Award { amount, reason, at }) => {
            decision.reached.push(outcome_key("award", at));
            if amount > max_award() {
                decision.status = Status::Error;
                decision.reasons.push(script_reason(
                    clause,
                    &ScriptError {
                        message: format!(
                            "the script awarded {amount}, above the engine's ceiling of {} for one award",
                            max_award()
                        ),
                        pos: None,
                    },
                    pack,
                ));
                return (decision, recorded);
            }
            if amount.is_sign_negative() && !amount.is_zero() {
                decision.status = Status::Error;
                decision.reasons.push(script_reason(
                    clause,
                    &ScriptError {
                        message: format!("the script awarded a negative amount ({amount})"),
                        pos: None,
                    },
                    pack,
                ));
                return (decision, recorded);
            }
            decision.status = Status::Awarded;
            decision.reasons.push(cite(&reason));
            let mut steps = Vec::new();
            let mut capped = amount;
            if let Some(cap_name) = &clause.cap {
                let cap = match clause.parameter(cap_name).map(|p| p.value_for(period)) {
                    Some(Some(Value::Decimal(cap))) => Some(*cap),
                    _ => None,
                };
                let Some(cap) = cap else {
                    decision.status = Status::Error;
                    decision.reasons.push(format!(
                        "`{}.{cap_name}` has no value in force for this application's period ({})",
                        clause.id,
                        period
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| "none".into())
                    ));
                    return (decision, recorded);
                };
                {
                    if trace {
                        steps.push(format!(
                            "min({}, {cap_name} {cap}) = {}",
                            amount.normalize(),
                            amount.min(cap).normalize()
                        ));
                    }
                    if amount > cap {
                        decision.reasons.push(format!(
                            "计算金额 {} 元超过单项上限 {} 元（{}.{}），按上限核定",
                            money::group_thousands(amount.normalize()),
                            money::group_thousands(cap),
                            clause.id,
                            cap_name
                        ));
                        capped = cap;
                        decision.reached.push("cap".into());
                    }
                    if let Some(t) = recorded.as_mut() {
                        if !t.params.contains(cap_name) {
                            t.params.push(cap_name.clone());
                        }
                    }
                }
            }
            let rounded = pack.rounding.apply(capped);
            if trace {
                steps.push(format!(
                    "{} {} → {}",
                    pack.rounding.describe(),
                    capped.normalize(),
                    rounded
                ));
            }
            if rounded != capped {
                decision.reasons.push(format!(
                    "金额 {} 元{}为 {} 元",
                    money::group_thousands(capped.normalize()),
                    pack.rounding.describe(),
                    money::group_thousands(rounded)
                ));
            }
            decision.amount = rounded;
            if rounded.is_zero() {
                // "0.00" means nothing was awarded: such an outcome is not an award.
                decision.status = Status::Ineligible;
                decision.reasons.push(format!(
                    "金额{}为 0，无可发放金额",
                    pack.rounding.describe()
                ));
            }
            if let Some(t) = recorded.as_mut() {
                t.steps.extend(steps);
            }
        }
    }
    decision.amount = pack.rounding.apply(decision.amount);
    (decision, recorded)
}

/// The error decision of an application whose id an earlier one has
pub(crate) fn duplicate(
    pack: &Pack,
    raw: &RawApplication,
    id: &str,
    where_first: &str,
) -> Decision {
    duplicate_of(pack, id, kind_text(raw), where_first)
}

/// The same, from the id and the kind as written
pub(crate) fn duplicate_of(
    pack: &Pack,
    id: &str,
    kind: Option<String>,
    where_first: &str,
) -> Decision {
    let clause = kind
        .as_deref()
        .and_then(|k| pack.clause_for_kind(k))
        .map(|c| c.id.clone());
    Decision {
        id: Some(id.to_string()),
        kind,
        clause,
        status: Status::Error,
        amount: Decimal::ZERO,
        reasons: vec![format!(
            "duplicate id `{id}`: {where_first} has it already; only the first is decided"
        )],
        rank: None,
        reached: Vec::new(),
    }
}

/// Checks one application against its kind and finds its clause
pub(crate) fn check_one(pack: &Pack, raw: &RawApplication) -> Result<Checked, Box<Decision>> {
    match validate::validate(pack, raw) {
        Err(invalid) => {
            let clause = invalid
                .kind
                .as_deref()
                .and_then(|k| pack.clause_for_kind(k))
                .map(|c| c.id.clone());
            Err(Box::new(error_decision(
                raw,
                invalid.kind,
                clause,
                invalid.problems,
            )))
        }
        Ok(facts) => match pack.clauses.iter().position(|c| c.kind == facts.kind) {
            Some(clause) => Ok(Checked { facts, clause }),
            None => Err(Box::new(error_decision(
                raw,
                Some(facts.kind.clone()),
                None,
                vec![format!(
                    "no clause of this pack decides kind `{}`",
                    facts.kind
                )],
            ))),
        },
    }
}

/// Checks every application, in order; duplicates of an earlier id are refused
pub(crate) fn check_all(
    pack: &Pack,
    apps: &[RawApplication],
) -> Vec<Result<Checked, Box<Decision>>> {
    let mut first_seen: HashMap<&str, &RawApplication> = HashMap::new();
    apps.iter()
        .map(|raw| {
            if let Some(id) = raw.id() {
                if let Some(first) = first_seen.get(id) {
                    let where_first = match first.pos {
                        Some(p) => format!("application #{} (line {})", first.index + 1, p.line),
                        None => format!("application #{}", first.index + 1),
                    };
                    return Err(Box::new(duplicate(pack, raw, id, &where_first)));
                }
                first_seen.insert(id, raw);
            }
            check_one(pack, raw)
        })
        .collect()
}

/// Decides a batch: every application gets exactly one decision, in input order
pub(crate) fn decide_all(pack: &Pack, host: &ScriptHost, apps: &[RawApplication]) -> Vec<Decision> {
    decide_all_checked(pack, host, &check_all(pack, apps))
}

/// Decides applications already checked, then applies the count limits
pub(crate) fn decide_all_checked(
    pack: &Pack,
    host: &ScriptHost,
    checked: &[Result<Checked, Box<Decision>>],
) -> Vec<Decision> {
    let mut decisions: Vec<Decision> = checked
        .iter()
        .map(|c| match c {
            Ok(c) => decide_one(pack, host, c, false).0,
            Err(d) => (**d).clone(),
        })
        .collect();
    apply_count_limits(pack, checked, &mut decisions, None);
    // Every amount, awarded or zero, leaves with the pack's scale: `0.00`, never `0`.
    for d in &mut decisions {
        d.amount = pack.rounding.apply(d.amount);
    }
    decisions
}

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
