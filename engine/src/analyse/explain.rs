//! Explaining one decision: the clause and its text, every parameter and fact read, the
//! arithmetic, the limit applied, and what settlement rules did after the clause.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decide;
use crate::decide::Engine;
use crate::input::RawApplication;
use crate::model::decision::{Decision, Rank, Status};
use crate::model::money;
use crate::model::pack::{rank_keys_text, Pack, RankOrder};
use crate::script::compiled::Compiled;

/// Why one application got what it got
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The decision explained
    pub decision: Decision,
    /// The clause that decided, if one did
    pub clause: Option<ClauseCited>,
    /// Parameters read, with their values
    pub parameters: Vec<ParameterRead>,
    /// Facts of the application read, with their values (`null` where absent)
    pub facts: Vec<FactRead>,
    /// The arithmetic, step by step, ending with the rounding
    pub steps: Vec<String>,
    /// Its place under a count limit, if the clause has one
    pub limit: Option<LimitApplied>,
    /// What the script printed
    pub printed: Vec<String>,
    /// What settlement rules did after the clause, when any looked at this decision; left out
    /// of the output otherwise
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementApplied>,
}

/// The clause's own decision and the settlement rules that then looked at it
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementApplied {
    /// The status the clause (and its count limit) gave, before the rules
    pub before_status: Status,
    /// The amount the clause (and its count limit) gave, before the rules
    #[serde(serialize_with = "money::as_text")]
    pub before_amount: Decimal,
    /// The rules, in the order applied, each with the reason it added
    pub rules: Vec<RuleApplied>,
}

impl SettlementApplied {
    /// Whether the rules changed the clause's status or amount
    pub fn changed(&self, d: &Decision) -> bool {
        self.before_status != d.status || self.before_amount != d.amount
    }
}

/// A settlement rule as applied to this decision
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleApplied {
    /// Rule id
    pub id: String,
    /// Its article
    pub article: String,
    /// Its title
    pub title: String,
    /// The reason it added to the decision
    pub reason: String,
}

/// The clause that decided, with the text it encodes
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseCited {
    /// Clause id
    pub id: String,
    /// Title
    pub title: String,
    /// Article
    pub article: String,
    /// The original sentence
    pub text: String,
}

/// A parameter that was read
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterRead {
    /// `clause-id.name`
    pub name: String,
    /// The value in force for this application, as written
    pub value: String,
    /// The whole timeline, when the value changes over time (`2025: 400000, 2027: 600000`)
    pub timeline: Option<String>,
    /// Its unit
    pub unit: String,
    /// Its value for people, with the unit
    pub shown: String,
    /// What it means
    pub description: String,
}

/// A fact that was read
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactRead {
    /// The field
    pub field: String,
    /// Its value, `None` where the application leaves it out
    pub value: Option<String>,
}

/// A count limit as applied to this application
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitApplied {
    /// The group
    pub group: String,
    /// The keys ranked by, as one text: the field alone for a single key highest first
    /// (`score`), otherwise each field with its order (`score desc, applied_on asc`); ties by id
    pub rank_by: String,
    /// Each key with its order and this application's value; left out of the output for a
    /// single key highest first, where `rank_by` and the facts say it all
    #[serde(skip_serializing_if = "single_highest_first")]
    pub keys: Vec<KeyApplied>,
    /// Place in the group, from 1
    pub place: usize,
    /// Applications ranked in the group
    pub of: usize,
    /// The limit
    pub max: i64,
}

/// One key of a count limit, as applied to this application
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyApplied {
    /// The field
    pub field: String,
    /// `desc` (highest first) or `asc` (lowest first)
    pub order: RankOrder,
    /// The application's value, `None` where it has none (it then ranks last)
    pub value: Option<String>,
}

fn single_highest_first(keys: &[KeyApplied]) -> bool {
    matches!(keys, [k] if k.order == RankOrder::Desc)
}

impl From<&Rank> for LimitApplied {
    fn from(r: &Rank) -> Self {
        LimitApplied {
            group: r.group.clone(),
            rank_by: rank_keys_text(&r.rank_by),
            keys: r
                .rank_by
                .iter()
                .enumerate()
                .map(|(i, k)| KeyApplied {
                    field: k.field.clone(),
                    order: k.order,
                    value: r.values.get(i).cloned().flatten(),
                })
                .collect(),
            place: r.place,
            of: r.of,
            max: r.max,
        }
    }
}

pub(crate) fn explain_in_batch(
    pack: &Pack,
    code: &Compiled,
    apps: &[RawApplication],
    id: &str,
) -> Option<Explanation> {
    let index = apps.iter().position(|a| a.id() == Some(id))?;
    let checked = decide::check_all(pack, apps);
    // Decided as `decide_all_checked` does, keeping the clause's own decision before settlement.
    // The scripts as the last layer ran them: a clause that reads others' decisions sees them.
    let (mut decisions, code) = decide::decide_unsettled_with(pack, code, &checked);
    let code = &code;
    let before = decisions.get(index).cloned();
    decide::apply_settlement(pack, &code.history, &checked, &mut decisions);
    let decision = decisions.swap_remove(index);
    let settlement = before.and_then(|b| settled(pack, &b, &decision));
    let Ok(c) = &checked[index] else {
        return Some(Explanation {
            clause: decision
                .clause
                .as_deref()
                .and_then(|cid| pack.clause(cid))
                .map(cite),
            decision,
            parameters: Vec::new(),
            facts: Vec::new(),
            steps: Vec::new(),
            limit: None,
            printed: Vec::new(),
            settlement,
        });
    };
    let clause = &pack.clauses[c.clause];
    let (_, trace) = decide::decide_one(pack, code, c, true);
    let trace = trace.unwrap_or_default();
    let mut param_names = trace.params.clone();
    let mut fact_names: Vec<(String, Option<String>)> = trace
        .facts
        .iter()
        .map(|(n, v)| (n.clone(), v.as_ref().map(|v| v.to_string())))
        .collect();
    for p in pack.preconditions.iter().rev() {
        if !fact_names.iter().any(|(n, _)| n == &p.field) {
            let v = c.facts.get(&p.field).map(|v| v.to_string());
            fact_names.insert(0, (p.field.clone(), v));
        }
    }
    if let (Some(limit), Some(_)) = (&clause.count_limit, &decision.rank) {
        if !param_names.contains(&limit.max) {
            param_names.push(limit.max.clone());
        }
        for f in limit
            .per
            .iter()
            .chain(limit.rank_by.iter().map(|k| &k.field))
        {
            if !fact_names.iter().any(|(n, _)| n == f) {
                fact_names.push((f.clone(), c.facts.get(f).map(|v| v.to_string())));
            }
        }
    }
    let period = pack.period_of(&c.facts);
    let parameters = param_names
        .iter()
        .filter_map(|n| clause.parameter(n))
        .map(|p| {
            let value = p.value_for(period);
            ParameterRead {
                name: format!("{}.{}", clause.id, p.name),
                value: value.map(|v| v.to_string()).unwrap_or_default(),
                timeline: p.is_timeline().then(|| p.written()),
                unit: p.unit.name().to_string(),
                shown: value
                    .map(|v| p.show(v))
                    .unwrap_or_else(|| "(none in force)".into()),
                description: p.description.clone(),
            }
        })
        .collect();
    Some(Explanation {
        clause: Some(cite(clause)),
        parameters,
        facts: fact_names
            .into_iter()
            .map(|(field, value)| FactRead { field, value })
            .collect(),
        steps: trace.steps,
        limit: decision.rank.as_ref().map(LimitApplied::from),
        printed: trace.printed,
        settlement,
        decision,
    })
}

/// What the rules did: the reasons settlement added after the clause's, each matched to the
/// rule by the outcome key it added beside it (`rule:<id>:<what>`, one per reason, in step);
/// `None` when no rule looked at the decision
fn settled(pack: &Pack, before: &Decision, after: &Decision) -> Option<SettlementApplied> {
    let added = after
        .reasons
        .get(before.reasons.len()..)
        .unwrap_or_default();
    if added.is_empty() {
        return None;
    }
    let keys = after
        .reached
        .get(before.reached.len()..)
        .unwrap_or_default()
        .iter()
        .filter(|k| k.starts_with("rule:"));
    let rules = added
        .iter()
        .zip(keys)
        .filter_map(|(reason, key)| {
            let id = key.strip_prefix("rule:")?.rsplit_once(':')?.0;
            let r = pack.settlement.iter().find(|r| r.id == id)?;
            Some(RuleApplied {
                id: r.id.clone(),
                article: r.article.clone(),
                title: r.title.clone(),
                reason: reason.clone(),
            })
        })
        .collect();
    Some(SettlementApplied {
        before_status: before.status,
        before_amount: before.amount,
        rules,
    })
}

fn cite(c: &crate::model::pack::Clause) -> ClauseCited {
    ClauseCited {
        id: c.id.clone(),
        title: c.title.clone(),
        article: c.article.clone(),
        text: c.text.clone(),
    }
}

impl Engine {
    /// Explains the decision on the first application with this id, in the context of the
    /// whole batch (count limits rank it against the others); `None` if no application has it
    pub fn explain(&self, apps: &[RawApplication], id: &str) -> Option<Explanation> {
        explain_in_batch(&self.pack, &self.code, apps, id)
    }
}
