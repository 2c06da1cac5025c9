//! One application decided by its clause: preconditions, the script (lowered, remembered or
//! run in the sandbox), the cap and the rounding.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::decide::check::check_all;
use crate::decide::count_limit::apply_count_limits;
use crate::decide::settle::apply_settlement;
use crate::input::RawApplication;
use crate::model::decided::{self, applicant_period, Decided};
use crate::model::decision::{max_award, outcome_key, Decision, Status};
use crate::model::facts::{Checked, Facts};
use crate::model::history::History;
use crate::model::lang::{said_in, Lang};
use crate::model::money;
use crate::model::outcome::{Outcome, ScriptError, Trace};
use crate::model::pack::{short_label, Clause, Pack};
use crate::model::value::Value;
use crate::script::compiled::Compiled;
use crate::script::memo::Found;
use crate::script::views::{FactsView, HistoryView, OthersView, ParamsView};

fn script_reason(clause: &Clause, e: &ScriptError, pack: &Pack) -> String {
    let file = clause
        .script_path()
        .strip_prefix(&pack.dir)
        .unwrap_or(clause.script_path())
        .display()
        .to_string();
    let lang = pack.shown_language();
    let message = match (lang, &e.message_zh) {
        (Lang::Zh, Some(zh)) => zh,
        _ => &e.message,
    };
    match (lang, e.pos) {
        (Lang::Zh, Some(p)) => format!("条款脚本 {file} 第{}行第{}列：{message}", p.line, p.col),
        (Lang::Zh, None) => format!("条款脚本 {file}：{message}"),
        (Lang::En, Some(p)) => format!("clause script {file}:{}:{}: {message}", p.line, p.col),
        (Lang::En, None) => format!("clause script {file}: {message}"),
    }
}

/// What a clause's script sees as `params` for one application (with `history` and `others`)
pub(crate) fn params_view(
    pack: &Pack,
    clause: &Clause,
    facts: &Facts,
    code: &Compiled,
) -> ParamsView {
    let history = &code.history;
    ParamsView {
        clause: clause.id.as_str().into(),
        params: clause.parameters.clone(),
        period: pack.period_of(facts),
        period_field: pack
            .period
            .as_deref()
            .and_then(|p| facts.fields.iter().position(|f| f.name == p)),
        history: history_view(pack, facts, history),
        others: others_view(pack, clause, facts, &code.decided),
    }
}

/// What a script sees as `others`: the same applicant's awards in the period under the clauses
/// its clause depends on (nothing for a clause that depends on none)
fn others_view(pack: &Pack, clause: &Clause, facts: &Facts, decided: &Arc<Decided>) -> OthersView {
    if clause.depends_on.is_empty() {
        return OthersView::default();
    }
    let readable: Vec<(String, usize)> = clause
        .depends_on
        .iter()
        .filter_map(|d| Some((d.clone(), pack.clauses.iter().position(|c| &c.id == d)?)))
        .collect();
    OthersView {
        decided: decided.clone(),
        key: applicant_period(pack, facts),
        readable: readable.into(),
    }
}

/// What a script sees as `history`: the same applicant's earlier payments, the applicant named
/// by the pack's `applicant:` fields (empty without a history, or without those fields)
fn history_view(pack: &Pack, facts: &Facts, history: &Arc<History>) -> HistoryView {
    if history.is_empty() {
        return HistoryView::default();
    }
    let who = decided::applicant(pack, facts).map(|(_, v)| v);
    HistoryView {
        history: history.clone(),
        who,
        period: pack.period_of(facts),
    }
}

/// Decides one checked application by its clause, before count limits. With `trace`, also
/// returns what the script read and computed and the engine's own steps.
pub(crate) fn decide_one(
    pack: &Pack,
    code: &Compiled,
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
    if let Some(stopped) = stop_before_script(pack, clause, facts, trace, &mut decision) {
        return (decision, stopped);
    }
    let period = pack.period_of(facts);
    // What the script sees, built only when it runs (a remembered outcome needs neither).
    let params = || params_view(pack, clause, facts, code);
    let view = || FactsView::new(facts.clone());
    let (host, script) = (&code.host, &code.scripts[checked.clause]);
    let (outcome, mut recorded) = if trace {
        host.run(script, view(), params(), true)
    } else {
        match code.memo.find(checked.clause, &facts.values) {
            Found::Outcome(o) => (Ok((*o).clone()), None),
            Found::Run => host.run(script, view(), params(), false),
            Found::Learn => {
                let ((outcome, _), reads) = host.run_noting(script, view(), params(), false, true);
                if let (Ok(o), Some(reads)) = (&outcome, reads) {
                    code.memo.learn(checked.clause, &facts.values, &reads, o);
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
                        message: {
                            let ceiling = max_award();
                            said_in!(
pack.shown_language(),
                                "脚本给出的金额 {amount} 超过引擎对单项奖励的上限 {ceiling}",
                                "the script awarded {amount}, above the engine's ceiling of {ceiling} for one award"
                            )
                        },
                        message_zh: None,
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
                        message: said_in!(
                            pack.shown_language(),
                            "脚本给出的金额是负数（{amount}）",
                            "the script awarded a negative amount ({amount})"
                        ),
                        message_zh: None,
                        pos: None,
                    },
                    pack,
                ));
                return (decision, recorded);
            }
            decision.status = Status::Awarded;
            decision.reasons.push(cite(&reason));
            if !cap_and_round(
                pack,
                clause,
                period,
                amount,
                trace,
                &mut decision,
                &mut recorded,
            ) {
                return (decision, recorded);
            }
        }
    }
    decision.amount = pack.rounding.apply(decision.amount);
    (decision, recorded)
}

/// What stops an application before its clause's script runs: a precondition it fails, or its
/// clause switched off by a scenario. `Some` with the trace when it stops (the reasons are in
/// `decision`), `None` when the script is to run.
fn stop_before_script(
    pack: &Pack,
    clause: &Clause,
    facts: &Facts,
    trace: bool,
    decision: &mut Decision,
) -> Option<Option<Trace>> {
    for p in &pack.preconditions {
        if facts.get(&p.field) != Some(&p.equals) {
            decision.reasons.push(p.reason.clone());
            decision.reached.push(format!("precondition:{}", p.field));
            let t = trace.then(|| Trace {
                facts: vec![(p.field.clone(), facts.get(&p.field).cloned())],
                ..Trace::default()
            });
            return Some(t);
        }
    }
    if !clause.enabled {
        let (article, title, id) = (&clause.article, &clause.title, &clause.id);
        decision.reasons.push(said_in!(
            pack.shown_language(),
            "{article} {title}：本情景停用此条款，不予支持",
            "{article} {title}: this scenario switches the clause off ({id}); not supported"
        ));
        return Some(trace.then(Trace::default));
    }
    None
}

/// An awarded amount held to the clause's cap (a parameter in yuan, in force for the period)
/// and rounded by the pack's rule, each step given as a reason; `false` when the cap has no
/// value for the period (an `error` decision, returned as it stands)
fn cap_and_round(
    pack: &Pack,
    clause: &Clause,
    period: Option<i64>,
    amount: Decimal,
    trace: bool,
    decision: &mut Decision,
    recorded: &mut Option<Trace>,
) -> bool {
    let mut steps = Vec::new();
    let mut capped = amount;
    if let Some(cap_name) = &clause.cap {
        let cap = match clause.parameter(cap_name).map(|p| p.value_for(period)) {
            Some(Some(Value::Decimal(cap))) => Some(*cap),
            _ => None,
        };
        let Some(cap) = cap else {
            decision.status = Status::Error;
            let id = &clause.id;
            let period = period
                .map(|p| p.to_string())
                .unwrap_or_else(|| "none".into());
            decision.reasons.push(said_in!(
                pack.shown_language(),
                "参数 `{id}.{cap_name}` 在本申报的年度（{period}）没有有效取值",
                "`{id}.{cap_name}` has no value in force for this application's period ({period})"
            ));
            return false;
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
                let (computed, cap_shown, id) = (
                    money::group_thousands(amount.normalize()),
                    money::group_thousands(cap),
                    &clause.id,
                );
                let cap_label = clause
                    .parameter(cap_name)
                    .map(|p| short_label(Some(&p.description), cap_name))
                    .unwrap_or_else(|| cap_name.clone());
                decision.reasons.push(
                    said_in!(
pack.shown_language(),
                        "计算金额 {computed} 元超过上限 {cap_shown} 元（{cap_label}），按上限核定",
                        "the computed {computed} yuan is above the cap of {cap_shown} yuan ({id}.{cap_name}); the cap is awarded"
                    ),
                );
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
        let lang = pack.shown_language();
        let (before, rule, after) = (
            money::group_thousands(capped.normalize()),
            pack.rounding.describe_in(lang),
            money::group_thousands(rounded),
        );
        decision.reasons.push(said_in!(
            lang,
            "金额 {before} 元{rule}为 {after} 元",
            "the amount of {before} yuan is {rule}: {after} yuan"
        ));
    }
    decision.amount = rounded;
    if rounded.is_zero() {
        // "0.00" means nothing was awarded: such an outcome is not an award.
        decision.status = Status::Ineligible;
        let lang = pack.shown_language();
        let rule = pack.rounding.describe_in(lang);
        decision.reasons.push(said_in!(
            lang,
            "金额{rule}为 0，无可发放金额",
            "the amount {rule} is 0: nothing to pay"
        ));
    }
    if let Some(t) = recorded.as_mut() {
        t.steps.extend(steps);
    }
    true
}

/// Decides a batch: every application gets exactly one decision, in input order
pub(crate) fn decide_all(pack: &Pack, code: &Compiled, apps: &[RawApplication]) -> Vec<Decision> {
    decide_all_checked(pack, code, &check_all(pack, apps))
}

/// Decides applications already checked, then applies the count limits and the settlement
/// rules
pub(crate) fn decide_all_checked(
    pack: &Pack,
    code: &Compiled,
    checked: &[Result<Checked, Box<Decision>>],
) -> Vec<Decision> {
    let mut decisions = decide_unsettled(pack, code, checked);
    apply_settlement(pack, &code.history, checked, &mut decisions);
    decisions
}

/// Decides applications already checked and applies the count limits, before settlement: what
/// a comparison reuses for the clauses a scenario leaves alone. Where clauses depend on others,
/// the batch is decided layer by layer, each with the awards of the layers before it.
pub(crate) fn decide_unsettled(
    pack: &Pack,
    code: &Compiled,
    checked: &[Result<Checked, Box<Decision>>],
) -> Vec<Decision> {
    if !decided::any(pack) {
        return decide_layer(pack, code, checked);
    }
    decide_unsettled_with(pack, code, checked).0
}

/// As [`decide_unsettled`], with the scripts and the awards the last layer read (what an
/// explanation runs the clause with again)
pub(crate) fn decide_unsettled_with(
    pack: &Pack,
    code: &Compiled,
    checked: &[Result<Checked, Box<Decision>>],
) -> (Vec<Decision>, Compiled) {
    let mut code = code.clone();
    code.decided = Arc::default();
    let mut decisions = decide_layer(pack, &code, checked);
    let layers = decided::layers(pack);
    let depth = layers.iter().copied().max().unwrap_or(0);
    for below in 0..depth {
        // The awards of layers up to `below` are final now: the next layer reads them.
        let bases = |ci: usize| layers[ci] <= below && decided::depended_on(pack, ci);
        code.decided = Arc::new(decided_of(pack, checked, &decisions, &bases));
        decisions = decide_layer(pack, &code, checked);
    }
    (decisions, code)
}

/// The awards of the clauses `bases` picks, per applicant and period
pub(crate) fn decided_of(
    pack: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &[Decision],
    bases: &dyn Fn(usize) -> bool,
) -> Decided {
    let mut out = Decided::default();
    for (c, d) in checked.iter().zip(decisions) {
        let Ok(c) = c else { continue };
        if d.status != Status::Awarded || !bases(c.clause) {
            continue;
        }
        if let Some(key) = applicant_period(pack, &c.facts) {
            out.add(key, c.clause, d.amount);
        }
    }
    out
}

/// Decides every checked application once with what `code` knows of other decisions, and
/// applies the count limits
fn decide_layer(
    pack: &Pack,
    code: &Compiled,
    checked: &[Result<Checked, Box<Decision>>],
) -> Vec<Decision> {
    let mut decisions: Vec<Decision> = checked
        .iter()
        .map(|c| match c {
            Ok(c) => decide_one(pack, code, c, false).0,
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
