//! Baseline against scenarios: what each change costs, per clause and per year, and who gains
//! or loses.
//!
//! Only what a scenario touches is decided again: applications of clauses whose parameters,
//! script or switch are unchanged keep their baseline decisions (count limits are per clause).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decide;
use crate::decide::settle::key_hash;
use crate::decide::Engine;
use crate::input::RawApplication;
use crate::load::scenario::Scenario;
use crate::model::decided;
use crate::model::decision::{add, Decision, Status};
use crate::model::error::LoadErrors;
use crate::model::facts::{Checked, Facts};
use crate::model::history::same_applicant;
use crate::model::money;
use crate::model::pack::Pack;
use crate::script::compiled::Compiled;

/// One scenario set against the baseline
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioComparison {
    /// The scenario's name
    pub scenario: String,
    /// The scenario's fingerprint
    pub fingerprint: String,
    /// The clauses the scenario changes
    pub changed_clauses: Vec<String>,
    /// The settlement rules the scenario adds, drops or changes (`+id`, `-id`, `id`)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_rules: Vec<String>,
    /// Per clause, in pack order
    pub by_clause: Vec<BudgetLine>,
    /// Per period (year), ascending
    pub by_year: Vec<BudgetLine>,
    /// Over everything
    pub total: BudgetLine,
    /// Applications that get more
    pub winners: usize,
    /// Applications that get less
    pub losers: usize,
    /// Applications whose amount is the same
    pub unchanged: usize,
    /// With settlement rules on either side: applicants (not applications) whose awards add up
    /// to more in the scenario, counting every award of theirs that moved
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winning_applicants: Option<usize>,
    /// With settlement rules: applicants whose awards add up to less
    #[serde(skip_serializing_if = "Option::is_none")]
    pub losing_applicants: Option<usize>,
    /// The largest changes by application, largest first (ties by id)
    pub largest: Vec<AppChange>,
}

/// Baseline and scenario side by side for one group of applications
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetLine {
    /// The group: a clause id, a year, or `total`
    pub key: String,
    /// Applications awarded in the baseline
    pub baseline_awarded: usize,
    /// Applications awarded in the scenario
    pub scenario_awarded: usize,
    /// Yuan awarded in the baseline
    #[serde(serialize_with = "money::as_text")]
    pub baseline_amount: Decimal,
    /// Yuan awarded in the scenario
    #[serde(serialize_with = "money::as_text")]
    pub scenario_amount: Decimal,
    /// Scenario minus baseline
    #[serde(serialize_with = "money::as_text")]
    pub change: Decimal,
    /// The change as a percentage of the baseline, to 2 decimals; `None` when the baseline is 0
    #[serde(serialize_with = "money::opt_as_text")]
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
    #[serde(serialize_with = "money::as_text")]
    pub baseline_amount: Decimal,
    /// Yuan in the scenario
    #[serde(serialize_with = "money::as_text")]
    pub scenario_amount: Decimal,
    /// Scenario minus baseline
    #[serde(serialize_with = "money::as_text")]
    pub change: Decimal,
}

/// How many applications `largest` lists
pub const LARGEST_CHANGES: usize = 10;

/// The settlement rules `variant` adds (`+id`), drops (`-id`) or changes (`id`) from `base`
pub(crate) fn changed_rules(base: &Pack, variant: &Pack) -> Vec<String> {
    let mut out = Vec::new();
    for r in &variant.settlement {
        match base.settlement.iter().find(|b| b.id == r.id) {
            None => out.push(format!("+{}", r.id)),
            Some(b) if b != r => out.push(r.id.clone()),
            Some(_) => {}
        }
    }
    for b in &base.settlement {
        if !variant.settlement.iter().any(|r| r.id == b.id) {
            out.push(format!("-{}", b.id));
        }
    }
    out
}

/// Which clauses of `variant` decide differently from `base`: parameters, script or switch,
/// and every clause that reads the decisions of one that does
pub(crate) fn changed_clauses(base: &Pack, variant: &Pack) -> Vec<bool> {
    let mut changed: Vec<bool> = base
        .clauses
        .iter()
        .zip(&variant.clauses)
        .map(|(b, v)| {
            b.enabled != v.enabled
                || *b.parameters != *v.parameters
                || b.script_source != v.script_source
        })
        .collect();
    // Each round reaches one layer further; the clauses bound the rounds.
    for _ in 0..variant.clauses.len() {
        let mut more = false;
        for (ci, c) in variant.clauses.iter().enumerate() {
            let reads_changed = c.depends_on.iter().any(|d| {
                variant
                    .clauses
                    .iter()
                    .position(|o| &o.id == d)
                    .is_some_and(|di| changed[di])
            });
            if reads_changed && !changed[ci] {
                changed[ci] = true;
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    changed
}

/// Decides a variant of `base`, reusing the baseline's decisions (before settlement) for the
/// clauses the variant does not change; then settles by the variant's rules
pub(crate) fn decide_variant(
    base: &Pack,
    variant: &Pack,
    code: &Compiled,
    checked: &[Result<Checked, Box<Decision>>],
    baseline: &[Decision],
) -> Vec<Decision> {
    if decided::any(variant) {
        // A clause reading others' decisions reads the variant's: decided whole, layer by layer.
        let mut decisions = decide::decide_unsettled(variant, code, checked);
        decide::apply_settlement(variant, &code.history, checked, &mut decisions);
        return decisions;
    }
    let changed = &changed_clauses(base, variant);
    let mut decisions = baseline.to_vec();
    for (i, c) in checked.iter().enumerate() {
        if let Ok(c) = c {
            if changed[c.clause] {
                decisions[i] = decide::decide_one(variant, code, c, false).0;
            }
        }
    }
    decide::apply_count_limits(variant, checked, &mut decisions, Some(changed));
    for d in &mut decisions {
        d.amount = variant.rounding.apply(d.amount);
    }
    decide::apply_settlement(variant, &code.history, checked, &mut decisions);
    decisions
}

fn awarded(d: &Decision) -> Decimal {
    if d.status == Status::Awarded {
        d.amount
    } else {
        Decimal::ZERO
    }
}

/// Baseline and scenario sums for one group
#[derive(Default, Clone)]
struct Acc {
    /// Applications in the group
    n: usize,
    b_awarded: usize,
    s_awarded: usize,
    b: Decimal,
    s: Decimal,
}

impl Acc {
    fn add(&mut self, b: &Decision, s: &Decision) {
        self.n += 1;
        self.b_awarded += usize::from(b.status == Status::Awarded);
        self.s_awarded += usize::from(s.status == Status::Awarded);
        self.b = add(self.b, awarded(b));
        self.s = add(self.s, awarded(s));
    }

    fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.b_awarded += o.b_awarded;
        self.s_awarded += o.s_awarded;
        self.b = add(self.b, o.b);
        self.s = add(self.s, o.s);
    }

    fn line(&self, key: String, pack: &Pack) -> BudgetLine {
        let b = pack.rounding.apply(self.b);
        let s = pack.rounding.apply(self.s);
        let change = s - b;
        let percent = (!b.is_zero()).then(|| {
            let mut p = (change * Decimal::ONE_HUNDRED / b)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            p.rescale(2);
            p
        });
        BudgetLine {
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

/// Largest change first, ties by id; a stable sort keeps input order among equals
fn by_size(x: &AppChange, y: &AppChange) -> std::cmp::Ordering {
    y.change
        .abs()
        .cmp(&x.change.abs())
        .then_with(|| x.id.cmp(&y.id))
}

/// A comparison being counted: fed pairs of decisions in input order (or pieces of them,
/// merged in order), it keeps sums and the largest changes only, so a file of any size
/// compares in flat memory
#[derive(Clone)]
pub(crate) struct ScenarioTally {
    by_clause: Vec<Acc>,
    no_clause: Acc,
    by_year: BTreeMap<Option<i64>, Acc>,
    total: Acc,
    winners: usize,
    losers: usize,
    unchanged: usize,
    changes: Vec<AppChange>,
    /// Net change per applicant (by key hash), of the applications that changed; kept only
    /// when settlement rules make applicants matter
    by_applicant: rustc_hash::FxHashMap<u128, Decimal>,
}

impl ScenarioTally {
    pub(crate) fn new(base: &Pack) -> ScenarioTally {
        ScenarioTally {
            by_clause: vec![Acc::default(); base.clauses.len()],
            no_clause: Acc::default(),
            by_year: BTreeMap::new(),
            total: Acc::default(),
            winners: 0,
            losers: 0,
            unchanged: 0,
            changes: Vec::new(),
            by_applicant: Default::default(),
        }
    }

    /// One application: its baseline and scenario decisions, its clause's index when known,
    /// and its period (`None` for an application that was not checked)
    pub(crate) fn add(
        &mut self,
        base: &Pack,
        b: &Decision,
        s: &Decision,
        clause: Option<usize>,
        period: Option<i64>,
        who: Option<u128>,
    ) {
        self.total.add(b, s);
        let clause = clause.or_else(|| {
            b.clause
                .as_deref()
                .and_then(|id| base.clauses.iter().position(|c| c.id == id))
        });
        match clause.and_then(|ci| self.by_clause.get_mut(ci)) {
            Some(acc) => acc.add(b, s),
            None => self.no_clause.add(b, s),
        }
        self.by_year.entry(period).or_default().add(b, s);
        let delta = awarded(s) - awarded(b);
        match delta.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => self.winners += 1,
            std::cmp::Ordering::Less => self.losers += 1,
            std::cmp::Ordering::Equal => self.unchanged += 1,
        }
        if let (Some(who), false) = (who, delta.is_zero()) {
            let net = self.by_applicant.entry(who).or_default();
            *net = add(*net, delta);
        }
        if !delta.is_zero() || b.status != s.status {
            self.changes.push(AppChange {
                id: b.id.clone(),
                clause: b.clause.clone(),
                baseline_status: b.status,
                scenario_status: s.status,
                baseline_amount: base.rounding.apply(awarded(b)),
                scenario_amount: base.rounding.apply(awarded(s)),
                change: base.rounding.apply(delta),
            });
            if self.changes.len() >= 8 * LARGEST_CHANGES {
                self.keep_largest();
            }
        }
    }

    /// Only the largest changes can be among the largest of the whole file
    fn keep_largest(&mut self) {
        self.changes.sort_by(by_size);
        self.changes.truncate(LARGEST_CHANGES);
    }

    /// Adds the counts of the applications that follow this tally's
    pub(crate) fn merge(&mut self, later: ScenarioTally) {
        for (a, b) in self.by_clause.iter_mut().zip(&later.by_clause) {
            a.merge(b);
        }
        self.no_clause.merge(&later.no_clause);
        for (k, acc) in &later.by_year {
            self.by_year.entry(*k).or_default().merge(acc);
        }
        self.total.merge(&later.total);
        self.winners += later.winners;
        self.losers += later.losers;
        self.unchanged += later.unchanged;
        for (who, d) in later.by_applicant {
            let net = self.by_applicant.entry(who).or_default();
            *net = add(*net, d);
        }
        self.changes.extend(later.changes);
        if self.changes.len() >= 8 * LARGEST_CHANGES {
            self.keep_largest();
        }
    }

    pub(crate) fn finish(mut self, name: &str, base: &Pack, variant: &Pack) -> ScenarioComparison {
        self.keep_largest();
        let changed = changed_clauses(base, variant);
        let mut clause_lines: Vec<BudgetLine> = base
            .clauses
            .iter()
            .zip(&self.by_clause)
            .map(|(c, acc)| acc.line(c.id.clone(), base))
            .collect();
        let idle = |acc: &Acc| acc.b_awarded == 0 && acc.s_awarded == 0;
        if self.no_clause.n > 0 && !idle(&self.no_clause) {
            clause_lines.push(self.no_clause.line("(no clause)".into(), base));
        }
        ScenarioComparison {
            scenario: name.to_string(),
            fingerprint: variant.fingerprint.clone(),
            changed_clauses: base
                .clauses
                .iter()
                .zip(&changed)
                .filter(|(_, ch)| **ch)
                .map(|(c, _)| c.id.clone())
                .collect(),
            changed_rules: changed_rules(base, variant),
            by_clause: clause_lines,
            // A group where nothing is awarded on either side (applications with errors and no
            // year) would only add a row of zeros.
            by_year: self
                .by_year
                .iter()
                .filter(|(y, acc)| y.is_some() || !idle(acc))
                .map(|(y, acc)| {
                    let key = y.map(|y| y.to_string()).unwrap_or_else(|| "-".into());
                    acc.line(key, base)
                })
                .collect(),
            total: self.total.line("total".into(), base),
            winners: self.winners,
            losers: self.losers,
            unchanged: self.unchanged,
            winning_applicants: applicant_fields(base, variant).map(|_| {
                self.by_applicant
                    .values()
                    .filter(|d| d.is_sign_positive() && !d.is_zero())
                    .count()
            }),
            losing_applicants: applicant_fields(base, variant).map(|_| {
                self.by_applicant
                    .values()
                    .filter(|d| d.is_sign_negative() && !d.is_zero())
                    .count()
            }),
            largest: self.changes,
        }
    }
}

/// Sets two batches of decisions on the same applications side by side
pub(crate) fn comparison_of(
    name: &str,
    base: &Pack,
    variant: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    baseline: &[Decision],
    scenario: &[Decision],
) -> ScenarioComparison {
    let mut tally = ScenarioTally::new(base);
    let fields = applicant_fields(base, variant);
    for (i, (b, s)) in baseline.iter().zip(scenario).enumerate() {
        let (clause, period, who) = match &checked[i] {
            Ok(c) => (
                Some(c.clause),
                base.period_of(&c.facts),
                fields.map(|f| applicant_key(f, &c.facts)),
            ),
            Err(_) => (None, None, None),
        };
        tally.add(base, b, s, clause, period, who);
    }
    tally.finish(name, base, variant)
}

/// The fields that tell who an applicant is, when either side has settlement rules: the pack's
/// `applicant:`, else the first rule's
pub(crate) fn applicant_fields<'p>(base: &'p Pack, variant: &'p Pack) -> Option<&'p [String]> {
    if base.settlement.is_empty() && variant.settlement.is_empty() {
        return None;
    }
    [&variant.applicant, &base.applicant]
        .into_iter()
        .find(|a| !a.is_empty())
        .or_else(|| variant.settlement.first().map(|r| &r.applicant))
        .or_else(|| base.settlement.first().map(|r| &r.applicant))
        .map(Vec::as_slice)
}

/// An application's applicant as settlement knows it (the first of `fields` it has), hashed;
/// an application with none is an applicant of its own
pub(crate) fn applicant_key(fields: &[String], facts: &Facts) -> u128 {
    let who = fields
        .iter()
        .find_map(|f| {
            let v = same_applicant(&facts.get(f)?.to_string());
            (!v.is_empty()).then(|| format!("{f}={v}"))
        })
        .unwrap_or_else(|| format!("id={}", facts.id));
    key_hash(&who)
}

/// The budget at one value of a swept parameter
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepPoint {
    /// The parameter's value, as written
    pub value: String,
    /// Applications awarded
    pub awarded: usize,
    /// Total yuan awarded
    #[serde(serialize_with = "money::as_text")]
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
    #[serde(serialize_with = "money::as_text")]
    pub amount: Decimal,
}

/// The scenario side of a comparison as a sweep point (the comparison's name is the value)
pub(crate) fn point_of(pack: &Pack, c: &ScenarioComparison) -> SweepPoint {
    SweepPoint {
        value: c.scenario.clone(),
        awarded: c.total.scenario_awarded,
        amount: c.total.scenario_amount,
        by_clause: pack
            .clauses
            .iter()
            .zip(&c.by_clause)
            .map(|(clause, line)| ClauseBudget {
                clause: clause.id.clone(),
                awarded: line.scenario_awarded,
                amount: line.scenario_amount,
            })
            .collect(),
    }
}

impl Engine {
    /// Sets each scenario engine (made with [`Engine::with_scenario`] from this one) against
    /// this one as the baseline, on the same applications. Applications of clauses a scenario
    /// leaves unchanged are not decided again.
    ///
    /// ```
    /// # use policy_engine::{parse_applications, Engine, InputFormat};
    /// # let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries");
    /// let engine = Engine::load(pack)?;
    /// let apps = parse_applications(
    ///     r#"[{"id": "P", "year": 2025, "kind": "rd_platform",
    ///          "applicant": {"name": "某中心", "in_city": true},
    ///          "level": "provincial", "platform_type": "key_lab", "newly_recognized": true}]"#,
    ///     InputFormat::Json,
    /// )?;
    /// let raised = engine.with_sets(&["rd-platform.provincial=60万".to_string()])?;
    /// let c = &engine.compare(&apps, &[("60万", &raised)])[0];
    /// assert_eq!(c.total.change.to_string(), "200000.00");
    /// assert_eq!(c.winners, 1);
    /// // And why the new amount is what it is:
    /// let why = raised.explain(&apps, "P").ok_or("explained")?;
    /// assert_eq!(why.decision.amount.to_string(), "600000.00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compare(
        &self,
        apps: &[RawApplication],
        scenarios: &[(&str, &Engine)],
    ) -> Vec<ScenarioComparison> {
        let checked = decide::check_all(&self.pack, apps);
        let unsettled = decide::decide_unsettled(&self.pack, &self.code, &checked);
        let mut settled = None;
        if !self.pack.settlement.is_empty() {
            let mut s = unsettled.clone();
            decide::apply_settlement(&self.pack, &self.code.history, &checked, &mut s);
            settled = Some(s);
        }
        let baseline = settled.as_deref().unwrap_or(&unsettled);
        scenarios
            .iter()
            .map(|(name, variant)| {
                let decided = decide_variant(
                    &self.pack,
                    &variant.pack,
                    &variant.code,
                    &checked,
                    &unsettled,
                );
                comparison_of(
                    name,
                    &self.pack,
                    &variant.pack,
                    &checked,
                    baseline,
                    &decided,
                )
            })
            .collect()
    }

    /// The budget for each value of one parameter (`clause-id.param`), everything else as in
    /// this engine
    ///
    /// # Errors
    /// An unknown clause or parameter, or a value not in the parameter's unit.
    pub fn sweep(
        &self,
        apps: &[RawApplication],
        target: &str,
        values: &[String],
    ) -> Result<Vec<SweepPoint>, LoadErrors> {
        // A sweep is a comparison with a scenario per value, as in `sweep_stream`.
        let mut variants = Vec::with_capacity(values.len());
        for v in values {
            let scenario = Scenario::from_sets(&[format!("{target}={v}")])?;
            variants.push(self.with_scenario(&scenario)?);
        }
        let pairs: Vec<(&str, &Engine)> = values
            .iter()
            .map(String::as_str)
            .zip(variants.iter())
            .collect();
        Ok(self
            .compare(apps, &pairs)
            .iter()
            .map(|c| point_of(&self.pack, c))
            .collect())
    }
}
