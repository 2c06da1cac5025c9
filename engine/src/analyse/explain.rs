//! Explaining one decision: the clause and its text, every parameter and fact read, the
//! arithmetic, and the limit applied.

use serde::Serialize;

use crate::decide;
use crate::decide::Engine;
use crate::input::RawApplication;
use crate::model::decision::{Decision, Rank};
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
    let decision = decide::decide_all_checked(pack, code, &checked).swap_remove(index);
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
        decision,
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
