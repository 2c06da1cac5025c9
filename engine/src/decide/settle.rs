//! Settlement: each applicant's awards looked at as a whole, once every application is decided
//! by its clause and count limits are applied. The pack's rules run in the order listed, each
//! on what the ones before left: 就高不重复 keeps an applicant's highest award in a group, a cap
//! cuts the excess of an applicant's awards over a sum, `requires` withdraws an award whose
//! base is missing.
//!
//! The rules see only [`Entry`] values (an awarded decision's clause, id, amount and groups),
//! so a batch in memory and a streamed file, whose first pass keeps only entries, settle alike.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::model::decision::{add, Decision, Status};
use crate::model::facts::{Checked, Facts};
use crate::model::money::group_thousands;
use crate::model::pack::Pack;
use crate::model::pack::{CutMethod, RuleKind, SettlementRule};
use crate::model::value::Value;

/// An awarded decision as settlement sees it
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The application's place in the input
    pub(crate) index: usize,
    /// Its clause's index in the pack
    pub(crate) clause: usize,
    /// Its id, the last tie-break
    pub(crate) id: Box<str>,
    /// The amount its clause awarded (after count limits), at the pack's scale
    pub(crate) amount: Decimal,
    /// Its period, which picks a rule parameter's value
    pub(crate) period: Option<i64>,
    /// For each rule of the pack, its group there (an index into [`Groups`]); `None` where
    /// the rule does not look at this clause
    pub(crate) groups: Box<[Option<u32>]>,
}

/// The groups entries fall in, each named by its key (`applicant.name=某公司 · year=2025`)
#[derive(Debug, Default)]
pub(crate) struct Groups {
    index: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Groups {
    /// The number of a group's key, given it a new one if it is new
    pub(crate) fn intern(&mut self, key: &str) -> u32 {
        if let Some(n) = self.index.get(key) {
            return *n;
        }
        let n = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(key.into());
        self.index.insert(key.into(), n);
        n
    }

    fn name(&self, n: u32) -> &str {
        self.names.get(n as usize).map(|s| &**s).unwrap_or("")
    }
}

/// An awarded decision's groups under each rule, as key texts; interned by the caller
pub(crate) fn group_keys(pack: &Pack, clause: usize, facts: &Facts) -> Vec<Option<String>> {
    let id = &pack.clauses[clause].id;
    pack.settlement
        .iter()
        .map(|r| r.covers(id).then(|| group_key(r, facts)))
        .collect()
}

/// The group of an application under a rule: who the applicant is (the first of the rule's
/// applicant fields it has; else the application alone, by its id) and its `per` values
fn group_key(rule: &SettlementRule, facts: &Facts) -> String {
    let shown = |v: &Value| v.to_string();
    let who = rule
        .applicant
        .iter()
        .find_map(|f| match facts.get(f) {
            Some(Value::Text(t)) if t.trim().is_empty() => None,
            Some(v) => Some(format!("{f}={}", shown(v))),
            None => None,
        })
        .unwrap_or_else(|| format!("id={}", facts.id));
    let mut key = who;
    for f in &rule.per {
        key.push_str(" · ");
        key.push_str(f);
        key.push('=');
        if let Some(v) = facts.get(f) {
            key.push_str(&shown(v));
        }
    }
    key
}

/// Whether any rule looks at decisions of clause `ci`
pub(crate) fn settled_clause(pack: &Pack, ci: usize) -> bool {
    let id = &pack.clauses[ci].id;
    pack.settlement.iter().any(|r| r.covers(id))
}

/// What settlement did to one decision
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Effect {
    pub(crate) status: Status,
    pub(crate) amount: Decimal,
    pub(crate) reasons: Vec<String>,
    pub(crate) reached: Vec<String>,
}

impl Effect {
    /// Applies the effect to the decision it was found for
    pub(crate) fn apply(&self, d: &mut Decision) {
        d.status = self.status;
        d.amount = self.amount;
        d.reasons.extend(self.reasons.iter().cloned());
        d.reached.extend(self.reached.iter().cloned());
    }
}

/// Effects by application index
pub(crate) type Effects = FxHashMap<usize, Effect>;

/// One entry's standing while the rules run
struct Standing {
    status: Status,
    amount: Decimal,
    touched: bool,
    reasons: Vec<String>,
    reached: Vec<String>,
}

/// Runs the pack's rules over the entries; the effect on each decision any rule touched
pub(crate) fn settle(pack: &Pack, entries: &[Entry], groups: &Groups) -> Effects {
    let mut state: Vec<Standing> = entries
        .iter()
        .map(|e| Standing {
            status: Status::Awarded,
            amount: e.amount,
            touched: false,
            reasons: Vec::new(),
            reached: Vec::new(),
        })
        .collect();
    for (r, rule) in pack.settlement.iter().enumerate() {
        // The entries this rule looks at that are still awarded, by group, in input order.
        let mut by_group: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            if let Some(Some(g)) = e.groups.get(r) {
                if state[i].status == Status::Awarded {
                    by_group.entry(*g).or_default().push(i);
                }
            }
        }
        let mut keys: Vec<u32> = by_group.keys().copied().collect();
        keys.sort_unstable();
        for g in keys {
            let members = &by_group[&g];
            let cx = Group {
                pack,
                rule,
                name: groups.name(g),
                entries,
                members,
            };
            match &rule.what {
                RuleKind::Exclusive { clauses } => exclusive(&cx, clauses, &mut state),
                RuleKind::Cap { clauses, max, cut } => {
                    cap(&cx, clauses.as_deref(), max, *cut, &mut state)
                }
                RuleKind::Requires { clause, requires } => needs(&cx, clause, requires, &mut state),
            }
        }
    }
    entries
        .iter()
        .zip(state)
        .filter(|(_, s)| s.touched)
        .map(|(e, s)| {
            (
                e.index,
                Effect {
                    status: s.status,
                    amount: pack.rounding.apply(s.amount),
                    reasons: s.reasons,
                    reached: s.reached,
                },
            )
        })
        .collect()
}

/// A rule's group: the entries of one applicant (and period) the rule looks at
struct Group<'a> {
    pack: &'a Pack,
    rule: &'a SettlementRule,
    name: &'a str,
    entries: &'a [Entry],
    /// Indices into `entries`, still awarded, in input order
    members: &'a [usize],
}

impl Group<'_> {
    /// `五(三) 就高不重复（platform-highest）：`
    fn cite(&self) -> String {
        format!(
            "{} {}（{}）：",
            self.rule.article, self.rule.title, self.rule.id
        )
    }

    fn clause_id(&self, i: usize) -> &str {
        &self.pack.clauses[self.entries[i].clause].id
    }

    /// `A-1（rd-platform，400,000.00 元）`
    fn describe(&self, i: usize, amount: Decimal) -> String {
        format!(
            "{}（{}，{} 元）",
            self.entries[i].id,
            self.clause_id(i),
            group_thousands(amount)
        )
    }

    fn key(&self, what: &str) -> String {
        format!("rule:{}:{what}", self.rule.id)
    }
}

/// 就高不重复: the highest award in the group is kept (ties: the clause listed first, then the
/// smaller id); the others are superseded
fn exclusive(cx: &Group<'_>, clauses: &[String], state: &mut [Standing]) {
    let listed = |i: usize| {
        clauses
            .iter()
            .position(|c| c == cx.clause_id(i))
            .unwrap_or(usize::MAX)
    };
    if cx.members.len() < 2 {
        return;
    }
    let Some(&kept) = cx.members.iter().min_by(|&&a, &&b| {
        state[b]
            .amount
            .cmp(&state[a].amount)
            .then_with(|| listed(a).cmp(&listed(b)))
            .then_with(|| cx.entries[a].id.cmp(&cx.entries[b].id))
    }) else {
        return;
    };
    let n = cx.members.len();
    let kept_text = cx.describe(kept, state[kept].amount);
    let others: Vec<String> = cx
        .members
        .iter()
        .filter(|&&i| i != kept)
        .map(|&i| cx.describe(i, state[i].amount))
        .collect();
    for &i in cx.members {
        let s = &mut state[i];
        s.touched = true;
        if i == kept {
            s.reasons.push(format!(
                "{}同一申报单位（{}）有 {n} 项奖励就高不重复，本项金额最高，予以保留；不再支持 {}",
                cx.cite(),
                cx.name,
                others.join("、")
            ));
            s.reached.push(cx.key("kept"));
        } else {
            s.reasons.push(format!(
                "{}同一申报单位（{}）有 {n} 项奖励就高不重复，保留金额最高的 {kept_text}，本项 {} 元不再支持",
                cx.cite(),
                cx.name,
                group_thousands(s.amount)
            ));
            s.status = Status::Superseded;
            s.amount = Decimal::ZERO;
            s.reached.push(cx.key("superseded"));
        }
    }
}

/// A cap per applicant: when the group's awards add up to more than the cap, the excess is
/// cut by the rule's method; an award cut to nothing is `capped`
fn cap(
    cx: &Group<'_>,
    clauses: Option<&[String]>,
    max: &str,
    cut: CutMethod,
    state: &mut [Standing],
) {
    let pack = cx.pack;
    let period = cx.members.first().and_then(|&i| cx.entries[i].period);
    let limit = match cx.rule.parameter(max).and_then(|p| p.value_for(period)) {
        Some(Value::Decimal(d)) => pack.rounding.apply(*d),
        _ => {
            for &i in cx.members {
                let s = &mut state[i];
                s.touched = true;
                s.status = Status::Error;
                s.amount = Decimal::ZERO;
                s.reasons.push(format!(
                    "{}`{}.{max}` has no value in force for period {}",
                    cx.cite(),
                    cx.rule.id,
                    period
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "none".into())
                ));
            }
            return;
        }
    };
    let total = cx
        .members
        .iter()
        .fold(Decimal::ZERO, |t, &i| add(t, state[i].amount));
    if total <= limit {
        return;
    }
    let excess = total - limit;
    // Clause order: the rule's list when it has one, else the pack's; then id.
    let rank = |i: usize| match clauses {
        Some(list) => list
            .iter()
            .position(|c| c == cx.clause_id(i))
            .unwrap_or(usize::MAX),
        None => cx.entries[i].clause,
    };
    let by_order = |a: &usize, b: &usize| {
        rank(*a)
            .cmp(&rank(*b))
            .then_with(|| cx.entries[*a].id.cmp(&cx.entries[*b].id))
    };
    let amounts: Vec<Decimal> = cx.members.iter().map(|&i| state[i].amount).collect();
    let cuts: Option<Vec<Decimal>> = match cut {
        CutMethod::LargestFirst => {
            let mut order: Vec<usize> = (0..cx.members.len()).collect();
            order.sort_by(|&a, &b| {
                amounts[b]
                    .cmp(&amounts[a])
                    .then_with(|| by_order(&cx.members[a], &cx.members[b]))
            });
            Some(cut_in_order(&amounts, &order, excess))
        }
        CutMethod::ClauseOrder => {
            let mut order: Vec<usize> = (0..cx.members.len()).collect();
            // Paid in clause order until the cap: cut from the last.
            order.sort_by(|&a, &b| by_order(&cx.members[b], &cx.members[a]));
            Some(cut_in_order(&amounts, &order, excess))
        }
        CutMethod::ProRata => pro_rata(&amounts, excess, pack.rounding.scale, &|a, b| {
            by_order(&cx.members[a], &cx.members[b])
        }),
    };
    let Some(cuts) = cuts else {
        for &i in cx.members {
            let s = &mut state[i];
            s.touched = true;
            s.status = Status::Error;
            s.amount = Decimal::ZERO;
            s.reasons.push(format!(
                "{}the awards are too large to cut in proportion exactly",
                cx.cite()
            ));
        }
        return;
    };
    let head = format!(
        "{}同一申报单位（{}）纳入上限的奖补合计 {} 元，超过上限 {} 元（{}.{max}），超出的 {} 元{}",
        cx.cite(),
        cx.name,
        group_thousands(total),
        group_thousands(limit),
        cx.rule.id,
        group_thousands(excess),
        cut.words()
    );
    for (&i, c) in cx.members.iter().zip(cuts) {
        let s = &mut state[i];
        s.touched = true;
        if c.is_zero() {
            s.reasons.push(format!("{head}；本项不核减"));
            s.reached.push(cx.key("within"));
            continue;
        }
        let left = s.amount - c;
        s.reached.push(cx.key("cut"));
        if left.is_zero() {
            s.reasons.push(format!(
                "{head}；本项 {} 元全部核减，不予发放",
                group_thousands(s.amount)
            ));
            s.status = Status::Capped;
        } else {
            s.reasons.push(format!(
                "{head}；本项核减 {} 元，核定 {} 元",
                group_thousands(c),
                group_thousands(left)
            ));
        }
        s.amount = left;
    }
}

/// Cuts `excess` from the amounts in the given order, each down to zero at most
fn cut_in_order(amounts: &[Decimal], order: &[usize], excess: Decimal) -> Vec<Decimal> {
    let mut cuts = vec![Decimal::ZERO; amounts.len()];
    let mut left = excess;
    for &k in order {
        if left <= Decimal::ZERO {
            break;
        }
        let c = amounts[k].min(left);
        cuts[k] = c;
        left -= c;
    }
    cuts
}

/// Cuts `excess` in proportion to the amounts, in whole units of the pack's scale: each cut is
/// the proportional share rounded down, and the units left over go one each to the largest
/// remainders (ties: the larger amount, then `tie`'s order). The cuts add up to the excess
/// exactly. `None` if the figures are too large for exact integer arithmetic.
fn pro_rata(
    amounts: &[Decimal],
    excess: Decimal,
    scale: u32,
    tie: &dyn Fn(usize, usize) -> std::cmp::Ordering,
) -> Option<Vec<Decimal>> {
    let units = |d: Decimal| -> i128 {
        let mut d = d;
        d.rescale(scale);
        d.mantissa()
    };
    let a: Vec<i128> = amounts.iter().map(|d| units(*d)).collect();
    let e = units(excess);
    let sum: i128 = a.iter().try_fold(0i128, |t, x| t.checked_add(*x))?;
    if sum <= 0 {
        return None;
    }
    let mut cuts = Vec::with_capacity(a.len());
    let mut rems = Vec::with_capacity(a.len());
    for x in &a {
        let p = e.checked_mul(*x)?;
        cuts.push(p / sum);
        rems.push(p % sum);
    }
    let given: i128 = cuts.iter().sum();
    let mut left = e - given;
    let mut order: Vec<usize> = (0..a.len()).collect();
    order.sort_by(|&x, &y| {
        rems[y]
            .cmp(&rems[x])
            .then_with(|| a[y].cmp(&a[x]))
            .then_with(|| tie(x, y))
    });
    for &k in &order {
        if left <= 0 {
            break;
        }
        if rems[k] > 0 {
            cuts[k] += 1;
            left -= 1;
        }
    }
    if left != 0 {
        return None;
    }
    Some(
        cuts.into_iter()
            .map(|c| Decimal::from_i128_with_scale(c, scale))
            .collect(),
    )
}

/// An award that builds on another: paid only where the group has an award of one of
/// `requires` still standing
fn needs(cx: &Group<'_>, clause: &str, requires: &[String], state: &mut [Standing]) {
    let bases: Vec<usize> = cx
        .members
        .iter()
        .copied()
        .filter(|&i| requires.iter().any(|r| r == cx.clause_id(i)))
        .collect();
    for &i in cx.members.iter().filter(|&&i| cx.clause_id(i) == clause) {
        let s = &mut state[i];
        s.touched = true;
        if bases.is_empty() {
            s.reasons.push(format!(
                "{}本项在同一申报单位（{}）获得 {} 奖励的基础上给予，该单位没有获得，不予支持",
                cx.cite(),
                cx.name,
                requires.join(" 或 ")
            ));
            s.status = Status::Ineligible;
            s.amount = Decimal::ZERO;
            s.reached.push(cx.key("unmet"));
        } else {
            let shown: Vec<String> = bases
                .iter()
                .map(|&b| format!("{}（{}）", cx.entries[b].id, cx.clause_id(b)))
                .collect();
            s.reasons.push(format!(
                "{}同一申报单位（{}）已获得 {}，本项在此基础上给予",
                cx.cite(),
                cx.name,
                shown.join("、")
            ));
            s.reached.push(cx.key("met"));
        }
    }
}

/// The entries of a batch decided in memory: every awarded decision of a clause some rule
/// looks at
pub(crate) fn entries_of(
    pack: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &[Decision],
) -> (Vec<Entry>, Groups) {
    let mut groups = Groups::default();
    let mut entries = Vec::new();
    for (i, (c, d)) in checked.iter().zip(decisions).enumerate() {
        let Ok(c) = c else { continue };
        if d.status != Status::Awarded || !settled_clause(pack, c.clause) {
            continue;
        }
        let keys = group_keys(pack, c.clause, &c.facts);
        entries.push(Entry {
            index: i,
            clause: c.clause,
            id: c.facts.id.as_str().into(),
            amount: d.amount,
            period: pack.period_of(&c.facts),
            groups: keys
                .iter()
                .map(|k| k.as_deref().map(|k| groups.intern(k)))
                .collect(),
        });
    }
    (entries, groups)
}

/// Settles a batch decided in memory (after its count limits)
pub(crate) fn apply_settlement(
    pack: &Pack,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &mut [Decision],
) {
    if pack.settlement.is_empty() {
        return;
    }
    let (entries, groups) = entries_of(pack, checked, decisions);
    for (i, effect) in settle(pack, &entries, &groups) {
        if let Some(d) = decisions.get_mut(i) {
            effect.apply(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn pro_rata_cuts_add_up_to_the_excess_to_the_fen() {
        // 100 + 200 + 300.01 over a cap of 300: an excess of 300.01.
        let amounts = [d("100.00"), d("200.00"), d("300.01")];
        let cuts = pro_rata(&amounts, d("300.01"), 2, &|a, b| a.cmp(&b)).unwrap_or_default();
        let total: Decimal = cuts.iter().sum();
        assert_eq!(total, d("300.01"));
        assert_eq!(
            cuts.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ["50.00", "100.00", "150.01"]
        );
        // Thirds: one fen left over goes to the largest remainder, then the larger amount.
        let cuts = pro_rata(&[d("1.00"), d("1.00"), d("1.00")], d("1.00"), 2, &|a, b| {
            a.cmp(&b)
        })
        .unwrap_or_default();
        assert_eq!(
            cuts.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ["0.34", "0.33", "0.33"]
        );
    }

    #[test]
    fn cuts_in_order_stop_at_zero() {
        let cuts = cut_in_order(&[d("5"), d("3"), d("2")], &[0, 1, 2], d("6"));
        assert_eq!(cuts, vec![d("5"), d("1"), d("0")]);
    }
}
