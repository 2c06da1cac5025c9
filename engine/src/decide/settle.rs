//! Settlement: each applicant's awards looked at as a whole, once every application is decided
//! by its clause and count limits are applied. The pack's rules run in the order listed, each
//! on what the ones before left: 就高不重复 keeps an applicant's highest award in a group, a cap
//! cuts the excess of an applicant's awards over a sum, `requires` withdraws an award whose
//! base is missing.
//!
//! The rules see only [`Entry`] values (an awarded decision's clause, id, amount and groups),
//! so a batch in memory and a streamed file, whose first pass keeps only entries, settle alike.

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::decide::by_index::ByIndex;
use crate::model::decision::{add, Decision, Status};
use crate::model::facts::{Checked, Facts};
use crate::model::history::{applicant_span, same_applicant, History};
use crate::model::lang::Lang;
use crate::model::money::{group_thousands, push_thousands};
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
    /// For each rule, what the history records for the group: yuan paid and payments (empty
    /// without a history)
    pub(crate) prior: Box<[(Decimal, u32)]>,
}

/// `Entries::groups` where a rule does not look at an entry's clause
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// Entries kept column by column: a few large vectors rather than a small value and three
/// boxes per entry. A stream keeps one per settled award (about 600,000 for a million
/// applications); as [`Entry`] values, with their boxed ids and groups, they were most of the
/// fresh memory a settled run asked of the system, which the kernel clears page by page.
#[derive(Debug, Default, Clone)]
pub(crate) struct Entries {
    rules: usize,
    index: Vec<usize>,
    clause: Vec<u32>,
    amount: Vec<Decimal>,
    period: Vec<Option<i64>>,
    /// `rules` per entry ([`NO_GROUP`] where a rule does not look at it); empty while the
    /// groups are not numbered yet (a piece of a stream's first pass)
    groups: Vec<u32>,
    /// `rules` per entry once any entry has a history, else empty
    prior: Vec<Option<(Decimal, u32)>>,
    /// The ids one after another; entry `i`'s ends at `id_end[i]`
    ids: String,
    id_end: Vec<usize>,
}

impl Entries {
    /// No entries, room for `n`
    pub(crate) fn with_capacity(rules: usize, n: usize) -> Entries {
        Entries {
            rules,
            index: Vec::with_capacity(n),
            clause: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
            period: Vec::with_capacity(n),
            groups: Vec::with_capacity(n * rules),
            prior: Vec::new(),
            ids: String::with_capacity(n * 12),
            id_end: Vec::with_capacity(n),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.id_end.len()
    }

    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.clause.clear();
        self.amount.clear();
        self.period.clear();
        self.groups.clear();
        self.prior.clear();
        self.ids.clear();
        self.id_end.clear();
    }

    /// Adds an entry whose groups are not numbered yet (see [`Entries::append`])
    pub(crate) fn push_loose(
        &mut self,
        index: usize,
        clause: usize,
        id: &str,
        amount: Decimal,
        period: Option<i64>,
        prior: &[(Decimal, u32)],
    ) {
        self.push_prior(prior);
        self.index.push(index);
        self.clause.push(u32::try_from(clause).unwrap_or(u32::MAX));
        self.amount.push(amount);
        self.period.push(period);
        self.ids.push_str(id);
        self.id_end.push(self.ids.len());
    }

    /// Adds an entry with its group under each rule
    fn push(&mut self, e: &Entry) {
        self.push_loose(e.index, e.clause, &e.id, e.amount, e.period, &e.prior);
        self.groups.extend(
            (0..self.rules).map(|r| e.groups.get(r).copied().flatten().unwrap_or(NO_GROUP)),
        );
    }

    /// The history's record under each rule, padded to `rules`; the column is made only when
    /// the first entry with a record comes
    fn push_prior(&mut self, prior: &[(Decimal, u32)]) {
        if prior.is_empty() && self.prior.is_empty() {
            return;
        }
        if self.prior.is_empty() {
            self.prior.resize(self.len() * self.rules, None);
        }
        self.prior
            .extend((0..self.rules).map(|r| prior.get(r).copied()));
    }

    /// Appends the entries of `other` (whose groups are not numbered), with their groups:
    /// `rules` numbers per entry, [`NO_GROUP`] where a rule does not look
    pub(crate) fn append(&mut self, other: &Entries, groups: &[u32]) {
        let base = self.ids.len();
        if !other.prior.is_empty() || !self.prior.is_empty() {
            if self.prior.is_empty() {
                self.prior.resize(self.len() * self.rules, None);
            }
            if other.prior.is_empty() {
                self.prior
                    .resize(self.prior.len() + other.len() * self.rules, None);
            } else {
                self.prior.extend_from_slice(&other.prior);
            }
        }
        self.index.extend_from_slice(&other.index);
        self.clause.extend_from_slice(&other.clause);
        self.amount.extend_from_slice(&other.amount);
        self.period.extend_from_slice(&other.period);
        self.groups.extend_from_slice(groups);
        self.ids.push_str(&other.ids);
        self.id_end.extend(other.id_end.iter().map(|e| e + base));
    }

    /// Entry `i`'s id
    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.id_end[i - 1] };
        self.ids.get(start..self.id_end[i]).unwrap_or("")
    }

    fn clause(&self, i: usize) -> usize {
        self.clause[i] as usize
    }

    /// Entry `i`'s group under rule `r`
    fn group(&self, i: usize, r: usize) -> Option<u32> {
        self.groups
            .get(i * self.rules + r)
            .copied()
            .filter(|g| *g != NO_GROUP)
    }

    /// What the history records for entry `i` under rule `r`
    fn prior(&self, i: usize, r: usize) -> Option<(Decimal, u32)> {
        self.prior.get(i * self.rules + r).copied().flatten()
    }

    /// Only what reasons are written from (ids and clauses): the rest let go
    fn keep_names(&mut self) {
        self.index = Vec::new();
        self.amount = Vec::new();
        self.period = Vec::new();
        self.groups = Vec::new();
        self.prior = Vec::new();
    }
}

/// What the history records for an application's group under each rule: the yuan paid to the
/// same applicant under the rule's clauses (for a cap; for `requires`, under the clauses it
/// builds on) in the group's period (every period when the rule groups by nothing else), and
/// how many payments. Only rules grouped by the applicant alone or with the period read it.
pub(crate) fn priors(
    pack: &Pack,
    history: &History,
    clause: usize,
    facts: &Facts,
) -> Box<[(Decimal, u32)]> {
    if history.is_empty() {
        return Box::new([]);
    }
    let id = &pack.clauses[clause].id;
    pack.settlement
        .iter()
        .map(|rule| {
            if !rule.covers(id) {
                return (Decimal::ZERO, 0);
            }
            if let RuleKind::FirstTime { before, .. } = &rule.what {
                // Any earlier period counts, whatever the rule groups by.
                let Some(who) = applicant_value(rule, facts) else {
                    return (Decimal::ZERO, 0);
                };
                let n = history.paid_before(&who, before, pack.period_of(facts));
                return (Decimal::ZERO, u32::try_from(n).unwrap_or(u32::MAX));
            }
            let period = match rule.per.as_slice() {
                [] => None,
                [p] if Some(p.as_str()) == pack.period.as_deref() => Some(pack.period_of(facts)),
                _ => return (Decimal::ZERO, 0),
            };
            let Some(who) = applicant_value(rule, facts) else {
                return (Decimal::ZERO, 0);
            };
            let clauses = match &rule.what {
                RuleKind::Cap { clauses, .. } => clauses.as_deref(),
                RuleKind::Requires { requires, .. } => Some(requires.as_slice()),
                RuleKind::Exclusive { .. } | RuleKind::FirstTime { .. } => {
                    return (Decimal::ZERO, 0)
                }
            };
            let (paid, n) = history.paid(&who, clauses, period);
            (paid, u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect()
}

/// The value of the first of a rule's applicant fields an application has, not empty
fn applicant_value(rule: &SettlementRule, facts: &Facts) -> Option<String> {
    rule.applicant.iter().find_map(|f| {
        let v = same_applicant(&facts.get(f)?.to_string());
        (!v.is_empty()).then_some(v)
    })
}

/// The groups entries fall in, numbered as entries are collected. A group is known by a
/// 128-bit hash of its key (`applicant.name=某公司 · year=2025`), so a million applicants cost
/// a few megabytes rather than their names; two keys meeting by chance (about 1 in 10^26 for
/// a million groups) would be taken as one applicant. The names are written again from each
/// decision's own facts when its reasons are.
#[derive(Debug)]
pub(crate) struct Groups {
    /// Open addressing, probed in order from the slot [`Groups::start`] picks; the length a
    /// power of two (or none yet). A slot holds the key whole and its number. (A general hash
    /// table kept its control bytes apart from its slots: two places to miss in for each of a
    /// settled million's awards, and its slots could not be fetched ahead.)
    slots: Vec<GroupSlot>,
    len: usize,
    /// Odd, drawn for each table: key texts chosen so that their hashes start in one slot
    /// (the hash's secret is fixed and public) cannot pile up in one run of slots. Where a key
    /// sits changes from run to run; its number does not.
    mix: u64,
}

impl Default for Groups {
    fn default() -> Groups {
        use std::hash::BuildHasher as _;
        Groups {
            slots: Vec::new(),
            len: 0,
            mix: std::collections::hash_map::RandomState::new().hash_one(0u64) | 1,
        }
    }
}

/// Slot of `slots` (a power of two) where a key's search starts: multiplied by an odd number,
/// the top bits
fn start_in(slots: usize, mix: u64, lo: u64, hi: u64) -> usize {
    let bits = slots.trailing_zeros();
    if bits == 0 {
        return 0;
    }
    ((lo ^ hi.rotate_left(32)).wrapping_mul(mix) >> (64 - bits)) as usize
}

/// One slot of [`Groups`]: a key hash in two halves and its number, [`NO_GROUP`] when empty (24
/// bytes, where a `u128` would pad it to 32)
#[derive(Debug, Clone, Copy)]
struct GroupSlot {
    lo: u64,
    hi: u64,
    number: u32,
}

const EMPTY_SLOT: GroupSlot = GroupSlot {
    lo: 0,
    hi: 0,
    number: NO_GROUP,
};

impl Groups {
    /// Room for `n` groups at once: grown by doubling, a table of a million was rehashed, and
    /// its fresh memory cleared, at every step
    pub(crate) fn with_capacity(n: usize) -> Groups {
        Groups {
            slots: vec![EMPTY_SLOT; Self::slots_for(n)],
            ..Groups::default()
        }
    }

    /// Slots enough for `n` groups at most three quarters full
    fn slots_for(n: usize) -> usize {
        (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(16)
    }

    /// Where the search for a key (its halves) starts: the top bits of the halves mixed
    fn start(&self, lo: u64, hi: u64) -> usize {
        start_in(self.slots.len(), self.mix, lo, hi)
    }

    /// Reads the slots where `keys` will be looked for, before they are: the reads do not wait
    /// on each other, so their cache misses overlap instead of coming one after another as
    /// each lookup's did. Returns what it read, for the caller to hand to `black_box`.
    pub(crate) fn fetch(&self, keys: &[Option<u128>]) -> u64 {
        if self.slots.is_empty() {
            return 0;
        }
        keys.iter().flatten().fold(0, |seen, k| {
            seen ^ self.slots[self.start(*k as u64, (*k >> 64) as u64)].lo
        })
    }

    /// The number of a group's key hash, given it a new one if it is new
    pub(crate) fn intern(&mut self, key: u128) -> u32 {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let (lo, hi) = (key as u64, (key >> 64) as u64);
        let mask = self.slots.len() - 1;
        let mut at = self.start(lo, hi);
        loop {
            let slot = &mut self.slots[at];
            if slot.number == NO_GROUP {
                // Past four billion groups (never met) they share the last number, not "no group".
                let number = u32::try_from(self.len).map_or(NO_GROUP - 1, |n| n.min(NO_GROUP - 1));
                *slot = GroupSlot { lo, hi, number };
                self.len += 1;
                return number;
            }
            if slot.lo == lo && slot.hi == hi {
                return slot.number;
            }
            at = (at + 1) & mask;
        }
    }

    /// Twice the slots, every key placed again
    fn grow(&mut self) {
        let old = std::mem::replace(
            &mut self.slots,
            vec![EMPTY_SLOT; Self::slots_for(self.len.max(12) * 2)],
        );
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.number != NO_GROUP) {
            let mut at = self.start(slot.lo, slot.hi);
            while self.slots[at].number != NO_GROUP {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }
}

pub(crate) use crate::model::decided::key_hash;

/// An awarded decision's groups under each rule, as hashes of their keys
pub(crate) fn group_hashes(pack: &Pack, clause: usize, facts: &Facts) -> Vec<Option<u128>> {
    group_keys(pack, clause, facts)
        .iter()
        .map(|k| k.as_deref().map(key_hash))
        .collect()
}

/// An awarded decision's groups under each rule, as key texts; interned by the caller
pub(crate) fn group_keys(pack: &Pack, clause: usize, facts: &Facts) -> Vec<Option<String>> {
    let mut keys = Vec::new();
    keys_into(pack, &key_ways(pack, clause), facts, &mut keys);
    keys
}

/// How an award's key under one rule is made
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyWay {
    /// The rule does not look at the clause: no key
    Not,
    /// The same key as under an earlier rule (rules that group alike, the usual case)
    Same(usize),
    /// Its own
    Own,
}

/// How an award of clause `ci` is keyed under each rule
fn key_ways(pack: &Pack, ci: usize) -> Vec<KeyWay> {
    let id = &pack.clauses[ci].id;
    let mut ways: Vec<KeyWay> = Vec::with_capacity(pack.settlement.len());
    for (r, rule) in pack.settlement.iter().enumerate() {
        if !rule.covers(id) {
            ways.push(KeyWay::Not);
            continue;
        }
        let same = pack.settlement[..r].iter().zip(&ways).position(|(o, w)| {
            *w != KeyWay::Not && o.applicant == rule.applicant && o.per == rule.per
        });
        ways.push(same.map_or(KeyWay::Own, KeyWay::Same));
    }
    ways
}

/// The keys `ways` says, written into `keys` (one per rule), reusing the strings it holds
fn keys_into(pack: &Pack, ways: &[KeyWay], facts: &Facts, keys: &mut Vec<Option<String>>) {
    keys.resize_with(ways.len(), || None);
    for (r, way) in ways.iter().enumerate() {
        let (before, this) = keys.split_at_mut(r);
        let slot = &mut this[0];
        match way {
            KeyWay::Not => *slot = None,
            KeyWay::Own => group_key_into(&pack.settlement[r], facts, slot.get_or_insert_default()),
            KeyWay::Same(o) => match before.get(*o).and_then(Option::as_deref) {
                Some(same) => {
                    let into = slot.get_or_insert_default();
                    into.clear();
                    into.push_str(same);
                }
                None => *slot = None,
            },
        }
    }
}

/// How the awards of each clause are keyed under each rule, worked out once for a stream
/// rather than for each of its awards
pub(crate) struct KeyPlan {
    /// Per clause; empty where no rule looks at the clause
    clauses: Vec<Vec<KeyWay>>,
}

impl KeyPlan {
    pub(crate) fn new(pack: &Pack) -> KeyPlan {
        KeyPlan {
            clauses: (0..pack.clauses.len())
                .map(|ci| {
                    let ways = key_ways(pack, ci);
                    if ways.iter().all(|w| *w == KeyWay::Not) {
                        Vec::new()
                    } else {
                        ways
                    }
                })
                .collect(),
        }
    }

    /// Whether a rule looks at the awards of clause `ci` ([`settled_clause`])
    pub(crate) fn settled(&self, ci: usize) -> bool {
        self.clauses.get(ci).is_some_and(|w| !w.is_empty())
    }

    /// [`group_keys`], written into `keys`, reusing the strings it holds
    pub(crate) fn keys_into(
        &self,
        pack: &Pack,
        ci: usize,
        facts: &Facts,
        keys: &mut Vec<Option<String>>,
    ) {
        let ways = self.clauses.get(ci).map_or(&[][..], Vec::as_slice);
        keys_into(pack, ways, facts, keys);
    }
}

/// The group of an application under a rule: who the applicant is (the first of the rule's
/// applicant fields it has; else the application alone, by its id) and its `per` values,
/// written into `key`
fn group_key_into(rule: &SettlementRule, facts: &Facts, key: &mut String) {
    key.clear();
    // The applicant: the first of the rule's fields with a value that is not blank, written
    // straight into the key and trimmed there (a settled run makes a key for every award)
    let who = rule.applicant.iter().any(|f| {
        let Some(v) = facts.get(f) else {
            return false;
        };
        key.clear();
        key.push_str(f);
        key.push('=');
        let start = key.len();
        push_shown(key, v);
        let kept = applicant_span(&key[start..]);
        key.truncate(start + kept.end);
        // Nothing to take off the front of most names: not even a no-op's bookkeeping
        if kept.start > 0 {
            key.replace_range(start..start + kept.start, "");
        }
        !kept.is_empty()
    });
    if !who {
        key.clear();
        key.push_str("id=");
        key.push_str(&facts.id);
    }
    for f in &rule.per {
        key.push_str(" · ");
        key.push_str(f);
        key.push('=');
        if let Some(v) = facts.get(f) {
            push_shown(key, v);
        }
    }
}

/// Appends a value as `Display` writes it; texts and numbers without `core::fmt`, since a
/// settled run makes a group key for every award
fn push_shown(out: &mut String, v: &Value) {
    match v {
        Value::Text(t) => out.push_str(t),
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        other => {
            use std::fmt::Write as _;
            let _ = write!(out, "{other}");
        }
    }
}

/// A group key ([`group_key`]) for a person reading Chinese: the applicant as written, then each
/// `per` field by its label; a part that is not `field=value` is shown as it stands
/// (`labels`: fields' labels looked up already, by field)
fn group_in_words(pack: &Pack, key: &str, labels: &[(String, String)]) -> String {
    let mut parts = key_parts(key);
    let mut out = String::with_capacity(key.len() + 16);
    match parts.next().and_then(|p| p.split_once('=')) {
        Some((_, who)) => out.push_str(who),
        None => out.push_str(key),
    }
    for part in parts {
        out.push('，');
        match part.split_once('=') {
            Some((f, v)) => {
                match labels.iter().find(|(field, _)| field == f) {
                    Some((_, label)) => out.push_str(label),
                    None => out.push_str(&pack.any_field_label(f)),
                }
                out.push(' ');
                out.push_str(v);
            }
            None => out.push_str(part),
        }
    }
    out
}

/// A group key's parts (`field=value`), as `key.split(" · ")` gives them; found by the middle
/// dot, a character search, where a substring search was set up again for every key (a fifth of
/// putting a group in words)
fn key_parts(key: &str) -> impl Iterator<Item = &str> {
    const DOT: usize = '·'.len_utf8();
    let mut rest = Some(key);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut from = 0;
        while let Some(p) = text[from..].find('·') {
            let at = from + p;
            if text[..at].ends_with(' ') && text[at + DOT..].starts_with(' ') {
                rest = Some(&text[at + DOT + 1..]);
                return Some(&text[..at - 1]);
            }
            from = at + DOT;
        }
        rest = None;
        Some(text)
    })
}

/// Whether any rule looks at decisions of clause `ci`
pub(crate) fn settled_clause(pack: &Pack, ci: usize) -> bool {
    let id = &pack.clauses[ci].id;
    pack.settlement.iter().any(|r| r.covers(id))
}

/// One thing a rule did to a decision, kept small (a million of them may wait for the second
/// pass of a stream) and put in words only when the decision is finished
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Kept as the highest of its group; the others (entry, amount)
    Kept {
        rule: u16,
        others: Box<[(u32, Decimal)]>,
    },
    /// Superseded by `kept`, in a group of `n`
    Superseded {
        rule: u16,
        n: u32,
        kept: u32,
        kept_amount: Decimal,
        amount: Decimal,
    },
    /// In a group over the cap (`head`), not cut
    Within { rule: u16, head: u32 },
    /// Cut by `cut` from `before`
    Cut {
        rule: u16,
        head: u32,
        cut: Decimal,
        before: Decimal,
    },
    /// The cap has no value for the period
    NoValue { rule: u16, period: Option<i64> },
    /// The pro-rata arithmetic would overflow
    TooLarge { rule: u16 },
    /// The base of a `requires` rule is missing
    Unmet { rule: u16 },
    /// The history shows the first award (`first`) or `earlier` ones
    FirstTime { rule: u16, earlier: u32 },
    /// The bases found (entries), and how many earlier payments the history records
    Met {
        rule: u16,
        bases: Box<[u32]>,
        earlier: u32,
    },
}

/// A piece of a settlement reason: text as it stands, an amount grouped in thousands, a count,
/// or another award (entry, amount) named
enum Part<'a> {
    Text(&'a str),
    Amount(Decimal),
    Count(usize),
    Award(u32, Decimal),
}

/// The rule a step was taken under
fn step_rule(step: &Step) -> u16 {
    match step {
        Step::Kept { rule, .. }
        | Step::Superseded { rule, .. }
        | Step::Within { rule, .. }
        | Step::Cut { rule, .. }
        | Step::NoValue { rule, .. }
        | Step::TooLarge { rule }
        | Step::Unmet { rule }
        | Step::FirstTime { rule, .. }
        | Step::Met { rule, .. } => *rule,
    }
}

/// A group over a cap: what every member's reason begins with
#[derive(Debug, Clone, PartialEq, Eq)]
struct CapHead {
    total: Decimal,
    /// Paid before, from the history
    prior: Decimal,
    limit: Decimal,
    excess: Decimal,
}

/// What settlement did to one decision
#[derive(Debug, Clone, PartialEq, Eq)]
struct Effect {
    status: Status,
    amount: Decimal,
    steps: Vec<Step>,
}

/// What settling a batch found: the effect on each decision a rule touched, by application
/// index, with what its reasons are written from
#[derive(Debug, Default, Clone)]
pub(crate) struct Settlement {
    entries: Entries,
    heads: Vec<CapHead>,
    /// By application index: most decisions a rule looks at it leaves alone, and looking each
    /// up in a large table missed the cache every time
    effects: ByIndex<Effect>,
    /// Per rule, how its reasons cite it; and the labels of the fields rules group by. Worked
    /// out once: for each of a hundred thousand reasons they were a third of its making.
    cites: Vec<String>,
    labels: Vec<(String, String)>,
    /// Each cap head's sentence, made by the first of its group's decisions to be finished and
    /// taken by the others (the same words for every member of a capped group)
    head_texts: Vec<std::sync::OnceLock<String>>,
}

/// How a rule's reasons begin: in Chinese by its title, in English by its id too
fn cite(pack: &Pack, rule: &SettlementRule) -> String {
    if pack.shown_language() == Lang::Zh {
        format!("{} {}：", rule.article, rule.title)
    } else {
        format!("{} {} ({}): ", rule.article, rule.title, rule.id)
    }
}

impl Settlement {
    /// Whether a rule changed the decision at `index`
    pub(crate) fn touches(&self, index: usize) -> bool {
        self.effects.contains(index)
    }

    /// Applies what settlement found for the application at `index` to its decision (made again
    /// the same way): status, amount, a reason and an outcome per step. `names` gives the
    /// decision's group key under each rule ([`group_keys`]), asked only if a rule touched it.
    pub(crate) fn apply(
        &self,
        pack: &Pack,
        index: usize,
        d: &mut Decision,
        names: &dyn Fn() -> Vec<Option<String>>,
    ) {
        if self.touches(index) {
            self.apply_named(pack, index, d, &names(), true);
        }
    }

    /// [`Settlement::apply`] given the decision's group keys themselves; the outcomes reached
    /// (`rule:<id>:<what>`) only where `outcomes` asks for them (a stream writes none)
    pub(crate) fn apply_named(
        &self,
        pack: &Pack,
        index: usize,
        d: &mut Decision,
        names: &[Option<String>],
        outcomes: bool,
    ) {
        let Some(effect) = self.effects.get(index) else {
            return;
        };
        d.status = effect.status;
        d.amount = effect.amount;
        for step in &effect.steps {
            let (reason, what) = self.words(pack, names, step);
            d.reasons.push(reason);
            if outcomes {
                let rule = step_rule(step);
                let id = pack.settlement.get(usize::from(rule)).map_or("", |r| &r.id);
                d.reached.push(format!("rule:{id}:{what}"));
            }
        }
    }

    /// The sentence of cap head `at` under `rule`, for a group named `name`
    fn head_words(
        &self,
        pack: &Pack,
        rule: &SettlementRule,
        cite: &str,
        name: &str,
        at: u32,
    ) -> String {
        let zh = pack.shown_language() == Lang::Zh;
        let Some(h) = self.heads.get(at as usize) else {
            return String::new();
        };
        let (max, cut) = match &rule.what {
            RuleKind::Cap { max, cut, .. } => (max.as_str(), *cut),
            _ => ("", CutMethod::LargestFirst),
        };
        let (total, limit, excess) = (
            group_thousands(h.total),
            group_thousands(h.limit),
            group_thousands(h.excess),
        );
        let prior = group_thousands(h.prior);
        if zh {
            let earlier = if h.prior.is_zero() {
                String::new()
            } else {
                format!("，另有此前已发放 {prior} 元")
            };
            format!(
                "{cite}同一申报单位（{name}）纳入上限的奖补合计 {total} 元{earlier}，超过上限 {limit} 元，超出的 {excess} 元{}",
                cut.words()
            )
        } else {
            let earlier = if h.prior.is_zero() {
                String::new()
            } else {
                format!(", besides {prior} yuan paid before (history)")
            };
            format!(
                "{cite}the same applicant ({name}) has {total} yuan of awards under the cap{earlier}, above the cap of {limit} yuan ({}.{max}); the excess of {excess} yuan is cut {}",
                rule.id,
                cut.words_en()
            )
        }
    }

    /// The reason for one step, and what its outcome is called (the `<what>` of
    /// `rule:<id>:<what>`)
    fn words(&self, pack: &Pack, names: &[Option<String>], step: &Step) -> (String, &'static str) {
        let r = step_rule(step);
        let rule = &pack.settlement[r as usize];
        // In Chinese the rule and clauses go by their titles; in English by their ids too.
        let zh = pack.shown_language() == Lang::Zh;
        let cite_now;
        let cite = match self.cites.get(r as usize) {
            Some(c) => c.as_str(),
            None => {
                cite_now = cite(pack, rule);
                cite_now.as_str()
            }
        };
        let key_text = names
            .get(r as usize)
            .and_then(|n| n.as_deref())
            .unwrap_or("");
        // The group key (`applicant.name=甲公司 · year=2025`) in a person's words: `甲公司，评审年度 2025`.
        // Made only where a sentence names the group and is not made already (a cap head's).
        let name_now = || -> std::borrow::Cow<'_, str> {
            if zh {
                group_in_words(pack, key_text, &self.labels).into()
            } else {
                key_text.into()
            }
        };
        use Part::{Amount as A, Award, Count as N, Text as T};
        // A reason's pieces written one after another; an award named by its id, clause and
        // amount (every kept and superseded award names another)
        let push_parts = |out: &mut String, parts: &[Part<'_>]| {
            for part in parts {
                match part {
                    T(t) => out.push_str(t),
                    A(a) => push_thousands(out, *a),
                    N(n) => out.push_str(itoa::Buffer::new().format(*n)),
                    Award(e, amount) => {
                        let e = *e as usize;
                        if e < self.entries.len() {
                            let clause = &pack.clauses[self.entries.clause(e)];
                            out.push_str(self.entries.id(e));
                            out.push_str(if zh { "（" } else { " (" });
                            out.push_str(if zh { &clause.title } else { &clause.id });
                            out.push_str(if zh { "，" } else { ", " });
                            push_thousands(out, *amount);
                            out.push_str(if zh { " 元）" } else { " yuan)" });
                        }
                    }
                }
            }
        };
        // A cap head's sentence: made by the first of its group to need it, then shared
        let head = |at: u32| -> std::borrow::Cow<'_, str> {
            let made = || self.head_words(pack, rule, cite, &name_now(), at);
            match self.head_texts.get(at as usize) {
                Some(text) => text.get_or_init(made).as_str().into(),
                None => made().into(),
            }
        };
        // How 就高不重复's reasons begin: the rule, the group, how many awards it has
        let opening = |out: &mut String, name: &str, n: usize| {
            let parts = if zh {
                [T(cite), T("同一申报单位（"), T(name), T("）有 "), N(n)]
            } else {
                [
                    T(cite),
                    T("the same applicant ("),
                    T(name),
                    T(") has "),
                    N(n),
                ]
            };
            push_parts(out, &parts);
        };
        match step {
            Step::Kept { others, .. } => {
                let name = name_now();
                let n = others.len() + 1;
                let mut out = String::with_capacity(256);
                opening(&mut out, &name, n);
                out.push_str(if zh {
                    " 项奖励就高不重复，本项金额最高，予以保留；不再支持 "
                } else {
                    " awards of which only the highest is paid; this one is the highest and is kept; not paid: "
                });
                for (k, (e, a)) in others.iter().enumerate() {
                    if k > 0 {
                        out.push_str(if zh { "、" } else { ", " });
                    }
                    push_parts(&mut out, &[Award(*e, *a)]);
                }
                (out, "kept")
            }
            Step::Superseded {
                n,
                kept,
                kept_amount,
                amount,
                ..
            } => {
                let name = name_now();
                let (n, kept) = (*n as usize, Award(*kept, *kept_amount));
                let mut out = String::with_capacity(256);
                opening(&mut out, &name, n);
                let parts: &[Part<'_>] = if zh {
                    &[
                        T(" 项奖励就高不重复，保留金额最高的 "),
                        kept,
                        T("，本项 "),
                        A(*amount),
                        T(" 元不再支持"),
                    ]
                } else {
                    &[
                        T(" awards of which only the highest is paid: "),
                        kept,
                        T(" is kept; this one's "),
                        A(*amount),
                        T(" yuan is not paid"),
                    ]
                };
                push_parts(&mut out, parts);
                (out, "superseded")
            }
            Step::Within { head: h, .. } => {
                let head = head(*h);
                let tail = if zh {
                    "；本项不核减"
                } else {
                    "; this one is not cut"
                };
                let mut out = String::with_capacity(head.len() + tail.len());
                out.push_str(&head);
                out.push_str(tail);
                (out, "within")
            }
            Step::Cut {
                head: h,
                cut,
                before,
                ..
            } => {
                let left = *before - *cut;
                let head = head(*h);
                let mut out = String::with_capacity(head.len() + 96);
                out.push_str(&head);
                let tail: &[Part<'_>] = match (zh, left.is_zero()) {
                    (true, true) => &[T("；本项 "), A(*before), T(" 元全部核减，不予发放")],
                    (true, false) => &[
                        T("；本项核减 "),
                        A(*cut),
                        T(" 元，核定 "),
                        A(left),
                        T(" 元"),
                    ],
                    (false, true) => &[
                        T("; this one's "),
                        A(*before),
                        T(" yuan is cut whole; not paid"),
                    ],
                    (false, false) => &[
                        T("; this one is cut by "),
                        A(*cut),
                        T(" yuan to "),
                        A(left),
                        T(" yuan"),
                    ],
                };
                push_parts(&mut out, tail);
                (out, "cut")
            }
            Step::NoValue { period, .. } => {
                let max = match &rule.what {
                    RuleKind::Cap { max, .. } => max.as_str(),
                    _ => "",
                };
                let id = &rule.id;
                let period = period
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "none".into());
                (
                    if zh {
                        format!("{cite}参数 `{id}.{max}` 在申报年度 {period} 没有有效取值")
                    } else {
                        format!("{cite}`{id}.{max}` has no value in force for period {period}")
                    },
                    "error",
                )
            }
            Step::TooLarge { .. } => (
                if zh {
                    format!("{cite}奖补金额过大，无法按比例精确核减")
                } else {
                    format!("{cite}the awards are too large to cut in proportion exactly")
                },
                "error",
            ),
            Step::Unmet { .. } => {
                let name = name_now();
                let requires: Vec<String> = match &rule.what {
                    RuleKind::Requires { requires, .. } => requires
                        .iter()
                        .map(|c| {
                            if zh {
                                pack.clause(c)
                                    .map_or_else(|| c.clone(), |c| c.title.clone())
                            } else {
                                c.clone()
                            }
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                (
                    if zh {
                        format!(
                            "{cite}本项在同一申报单位（{name}）获得“{}”的基础上给予，该单位没有获得，不予支持",
                            requires.join("”或“")
                        )
                    } else {
                        format!(
                            "{cite}this award builds on the same applicant ({name}) holding an award under {}, which it does not; not supported",
                            requires.join(" or ")
                        )
                    },
                    "unmet",
                )
            }
            Step::FirstTime {
                earlier: NO_HISTORY,
                ..
            } => (
                if zh {
                    format!("{cite}没有提供此前的发放记录，无法核对是否首次，按首次处理")
                } else {
                    format!("{cite}no record of earlier payments was given (--history), so whether this is the first cannot be checked; taken as the first")
                },
                "unchecked",
            ),
            Step::FirstTime { earlier: 0, .. } => (
                if zh {
                    let name = name_now();
                    format!("{cite}据此前的发放记录，同一申报单位（{name}）往年没有获得过此类奖补，本项为首次，予以支持")
                } else {
                    let name = name_now();
                    format!("{cite}by the record of earlier payments, the same applicant ({name}) has had no such award before: this is the first, supported")
                },
                "first",
            ),
            Step::FirstTime { earlier, .. } => (
                if zh {
                    let name = name_now();
                    format!("{cite}据此前的发放记录，同一申报单位（{name}）往年已获得过 {earlier} 次此类奖补，本项不是首次，不予支持")
                } else {
                    let name = name_now();
                    format!("{cite}by the record of earlier payments, the same applicant ({name}) has had {earlier} such awards before: this is not the first, not supported")
                },
                "not-first",
            ),
            Step::Met { bases, earlier, .. } => {
                let name = name_now();
                let mut shown: Vec<String> = bases
                    .iter()
                    .map(|b| *b as usize)
                    .filter(|b| *b < self.entries.len())
                    .map(|b| {
                        let clause = &pack.clauses[self.entries.clause(b)];
                        if zh {
                            format!("{}（{}）", self.entries.id(b), clause.title)
                        } else {
                            format!("{} ({})", self.entries.id(b), clause.id)
                        }
                    })
                    .collect();
                if *earlier > 0 {
                    shown.push(if zh {
                        format!("此前的 {earlier} 项")
                    } else {
                        format!("{earlier} earlier (history)")
                    });
                }
                (
                    if zh {
                        format!(
                            "{cite}同一申报单位（{name}）已获得 {}，本项在此基础上给予",
                            shown.join("、")
                        )
                    } else {
                        format!(
                            "{cite}the same applicant ({name}) holds {}; this award builds on it",
                            shown.join(", ")
                        )
                    },
                    "met",
                )
            }
        }
    }
}

/// One entry's standing while the rules run; kept small, as there is one per entry (the
/// default is only a placeholder while a group's standings are settled apart)
struct Standing {
    status: Status,
    amount: Decimal,
    steps: Steps,
}

impl Default for Standing {
    fn default() -> Standing {
        Standing {
            status: Status::Ineligible,
            amount: Decimal::ZERO,
            steps: Steps::default(),
        }
    }
}

/// The steps of one entry: most entries have none, so none costs one word (a boxed slice, not
/// a `Vec`, whose empty form is three); an entry gets one or two, so growing by copying is cheap
#[derive(Default)]
struct Steps(Option<Box<[Step]>>);

impl Steps {
    fn push(&mut self, step: Step) {
        let mut v = self.0.take().map(Vec::from).unwrap_or_default();
        v.push(step);
        self.0 = Some(v.into_boxed_slice());
    }

    fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// `more` after these steps
    fn append(&mut self, more: Steps) {
        let Some(more) = more.0 else { return };
        self.0 = Some(match self.0.take() {
            None => more,
            Some(these) => {
                let mut all = Vec::from(these);
                all.extend(Vec::from(more));
                all.into_boxed_slice()
            }
        });
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut Step> {
        self.0.iter_mut().flat_map(|steps| steps.iter_mut())
    }

    fn into_vec(self) -> Vec<Step> {
        self.0.map(Vec::from).unwrap_or_default()
    }
}

/// What one group's settling under a rule changed: the members it gave steps (entry, new
/// standing with this rule's steps only) and its cap heads, numbered from 0 in the group
struct Changed {
    members: Vec<(u32, Standing)>,
    heads: Vec<CapHead>,
}

/// What settling needs of a rule besides the rule, worked out once
struct RulePlan<'a> {
    rule: &'a SettlementRule,
    /// Where each clause stands in the rule's order: its list, else the pack's
    order: Vec<usize>,
    limits: Option<CapLimits<'a>>,
    /// 就高不重复, which changes no group of one
    exclusive: bool,
}

fn rule_plans(pack: &Pack) -> Vec<RulePlan<'_>> {
    pack.settlement
        .iter()
        .map(|rule| {
            let list = match &rule.what {
                RuleKind::Exclusive { clauses } => Some(clauses.as_slice()),
                RuleKind::Cap { clauses, .. } => clauses.as_deref(),
                _ => None,
            };
            let order = pack
                .clauses
                .iter()
                .enumerate()
                .map(|(ci, c)| match list {
                    Some(list) => list.iter().position(|x| *x == c.id).unwrap_or(usize::MAX),
                    None => ci,
                })
                .collect();
            RulePlan {
                rule,
                order,
                limits: match &rule.what {
                    RuleKind::Cap { max, .. } => Some(CapLimits::new(pack, rule, max)),
                    _ => None,
                },
                exclusive: matches!(rule.what, RuleKind::Exclusive { .. }),
            }
        })
        .collect()
}

/// Runs a rule over one group's standings (`local`, in the order of `cx.members`)
fn run_rule(cx: &Group<'_>, plan: &RulePlan<'_>, local: &mut [Standing], heads: &mut Vec<CapHead>) {
    match &plan.rule.what {
        RuleKind::Exclusive { .. } => exclusive(cx, local),
        RuleKind::Cap { cut, .. } => {
            if let Some(limits) = &plan.limits {
                cap(cx, *cut, limits, local, heads)
            }
        }
        RuleKind::Requires { clause, requires } => needs(cx, clause, requires, local),
        RuleKind::FirstTime { clause, .. } => first_time(cx, clause, local),
    }
}

/// The entries by group, each group's in input order, as `member` makes them: group `g`'s are
/// `members[starts[g]..starts[g + 1]]` (the groups are numbered from 0, so this is a counting
/// sort, not a comparison sort; `blank` only fills the places before they are)
fn by_group<T: Copy>(
    n: usize,
    groups: usize,
    group_of: impl Fn(usize) -> Option<u32>,
    blank: T,
    member: impl Fn(usize) -> T,
) -> (Vec<u32>, Vec<T>) {
    let mut starts = vec![0u32; groups + 1];
    for i in 0..n {
        if let Some(g) = group_of(i) {
            starts[g as usize + 1] += 1;
        }
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    let mut members = vec![blank; starts[groups] as usize];
    let mut next = starts.clone();
    for i in 0..n {
        if let Some(g) = group_of(i) {
            let at = &mut next[g as usize];
            members[*at as usize] = member(i);
            *at += 1;
        }
    }
    (starts, members)
}

/// Whether every entry is in one group under all the rules that look at it (rules that group
/// alike: the usual case). Then no rule's group reaches past a group of another, and each
/// group can be settled under every rule in turn on its own.
fn one_grouping(entries: &Entries) -> bool {
    // (A member's rules are bits of a `u32`.)
    entries.rules <= 32
        && entries.groups.par_chunks(entries.rules.max(1)).all(|gs| {
            let mut looked = gs.iter().filter(|g| **g != NO_GROUP);
            looked.next().is_none_or(|first| looked.all(|g| g == first))
        })
}

/// What one rule's settling changed, written into place in group order: each group's cap heads
/// numbered after those already in `heads` (only the rule's own steps name them), then added
fn place_changed(
    changed: Vec<Vec<Changed>>,
    r: usize,
    state: &mut [Standing],
    heads: &mut Vec<CapHead>,
) {
    for Changed {
        members,
        heads: group,
    } in changed.into_iter().flatten()
    {
        let offset = heads.len() as u32;
        for (i, mut standing) in members {
            if offset > 0 {
                for step in standing.steps.iter_mut() {
                    if let Step::Within { rule, head } | Step::Cut { rule, head, .. } = step {
                        if usize::from(*rule) == r {
                            *head += offset;
                        }
                    }
                }
            }
            let now = &mut state[i as usize];
            now.status = standing.status;
            now.amount = standing.amount;
            now.steps.append(standing.steps);
        }
        heads.extend(group);
    }
}

/// A group's member as settling reads it: laid out in group order while the entries are sorted
/// by group, and read in that order (gathered from entry order instead, a settled million's
/// standings, rules and amounts missed the cache member by member: most of the settling)
#[derive(Clone, Copy)]
struct Member {
    entry: u32,
    /// Bit `r`: rule `r` looks at it
    looks: u32,
    awarded: bool,
    amount: Decimal,
}

/// Each group settled under every rule in turn, on every core, on copies of its members'
/// standings; the members a rule changed come back as effects, by application index, with the
/// cap heads their steps name. For packs whose rules group alike ([`one_grouping`]): one sort of
/// the entries by group, and each group's standings read once for all the rules.
fn settle_together(
    pack: &Pack,
    entries: &Entries,
    plans: &[RulePlan<'_>],
    groups: usize,
    awarded: &[bool],
) -> (Vec<(usize, Effect)>, Vec<CapHead>) {
    let rules = plans.len();
    let blank = Member {
        entry: 0,
        looks: 0,
        awarded: false,
        amount: Decimal::ZERO,
    };
    // An entry's group: the one every rule that looks at it puts it in
    let (starts, members) = by_group(
        entries.len(),
        groups,
        |i| (0..rules).find_map(|r| entries.group(i, r)),
        blank,
        |i| Member {
            entry: i as u32,
            looks: (0..rules)
                .filter(|&r| entries.group(i, r).is_some())
                .fold(0, |bits, r| bits | 1 << r),
            awarded: awarded[i],
            amount: entries.amount[i],
        },
    );
    #[derive(Default)]
    struct Scratch {
        /// The group's standings, all its members
        all: Vec<Standing>,
        /// Under one rule: the entries it looks at, still awarded; their places in `all`; and
        /// copies of their standings, the rule's steps starting empty
        looked: Vec<u32>,
        places: Vec<usize>,
        local: Vec<Standing>,
        out: Vec<Changed>,
    }
    let changed: Vec<Vec<Changed>> = (0..groups)
        .into_par_iter()
        .with_min_len(256)
        .fold(Scratch::default, |mut s, g| {
            let members = &members[starts[g] as usize..starts[g + 1] as usize];
            s.all.clear();
            s.all.extend(members.iter().map(|m| Standing {
                status: if m.awarded {
                    Status::Awarded
                } else {
                    Status::Ineligible
                },
                amount: m.amount,
                steps: Steps::default(),
            }));
            let mut group_heads = Vec::new();
            for (r, plan) in plans.iter().enumerate() {
                s.looked.clear();
                s.places.clear();
                for (k, m) in members.iter().enumerate() {
                    if m.looks & 1 << r != 0 && s.all[k].status == Status::Awarded {
                        s.looked.push(m.entry);
                        s.places.push(k);
                    }
                }
                // No rule changes an empty group, nor 就高不重复 a group of one.
                if s.looked.is_empty() || (plan.exclusive && s.looked.len() < 2) {
                    continue;
                }
                let all = &s.all;
                s.local.clear();
                s.local.extend(s.places.iter().map(|&k| Standing {
                    status: all[k].status,
                    amount: all[k].amount,
                    steps: Steps::default(),
                }));
                let cx = Group {
                    pack,
                    r: r as u16,
                    entries,
                    members: &s.looked,
                    order: &plan.order,
                };
                run_rule(&cx, plan, &mut s.local, &mut group_heads);
                // A rule that changes a standing gives it a step.
                for (&k, local) in s.places.iter().zip(s.local.drain(..)) {
                    if !local.steps.is_empty() {
                        let now = &mut s.all[k];
                        now.status = local.status;
                        now.amount = local.amount;
                        now.steps.append(local.steps);
                    }
                }
            }
            let changed: Vec<(u32, Standing)> = members
                .iter()
                .zip(s.all.drain(..))
                .filter(|(_, st)| !st.steps.is_empty())
                .map(|(m, st)| (m.entry, st))
                .collect();
            if !changed.is_empty() || !group_heads.is_empty() {
                s.out.push(Changed {
                    members: changed,
                    heads: group_heads,
                });
            }
            s
        })
        .map(|s| s.out)
        .collect();
    drop(members);
    drop(starts);
    // Each group's heads numbered after the groups' before it, in group order; every step
    // here was made by this settling, so each names its group's heads.
    let mut changed: Vec<Changed> = changed.into_iter().flatten().collect();
    let mut heads = Vec::new();
    let mut offsets = Vec::with_capacity(changed.len());
    for c in &mut changed {
        offsets.push(heads.len() as u32);
        heads.append(&mut c.heads);
    }
    let mut effects: Vec<(usize, Effect)> = changed
        .into_par_iter()
        .zip(offsets)
        .flat_map_iter(|(c, offset)| {
            c.members.into_iter().map(move |(i, mut standing)| {
                for step in standing.steps.iter_mut() {
                    if let Step::Within { head, .. } | Step::Cut { head, .. } = step {
                        *head += offset;
                    }
                }
                let effect = Effect {
                    status: standing.status,
                    amount: pack.rounding.apply(standing.amount),
                    steps: standing.steps.into_vec(),
                };
                (entries.index[i as usize], effect)
            })
        })
        .collect();
    // In group order: put back in input order
    effects.par_sort_by_key(|(i, _)| *i);
    (effects, heads)
}

/// Rule by rule, each over all its groups (rules that group differently: a rule's group may
/// take in decisions of several groups of a rule before it)
fn settle_rule_by_rule(
    pack: &Pack,
    entries: &Entries,
    plans: &[RulePlan<'_>],
    groups: usize,
    awarded: &[bool],
) -> (Vec<(usize, Effect)>, Vec<CapHead>) {
    let mut state: Vec<Standing> = (0..entries.len())
        .into_par_iter()
        .map(|i| Standing {
            status: if awarded[i] {
                Status::Awarded
            } else {
                Status::Ineligible
            },
            amount: entries.amount[i],
            steps: Steps::default(),
        })
        .collect();
    let mut heads = Vec::new();
    for (r, plan) in plans.iter().enumerate() {
        let (starts, members) = by_group(
            entries.len(),
            groups,
            |i| {
                entries
                    .group(i, r)
                    .filter(|_| state[i].status == Status::Awarded)
            },
            0,
            |i| i as u32,
        );
        // Each group settled on its own, on every core, on copies of its members' standings
        // (status and amount; the rule's steps start empty); only the members a rule changed
        // come back, and are written into place in group order. (Between the passes of a
        // stream nothing else runs: one core settling a million entries left the other idle;
        // moving every member's standing out of place and back was a third of the settling.)
        let state_now = &state;
        let changed: Vec<Vec<Changed>> = (0..groups)
            .into_par_iter()
            .with_min_len(256)
            .fold(
                || (Vec::new(), Vec::new()),
                |(mut local, mut out): (Vec<Standing>, Vec<Changed>), g| {
                    let members = &members[starts[g] as usize..starts[g + 1] as usize];
                    // No rule changes an empty group, nor 就高不重复 a group of one.
                    if members.is_empty() || (plan.exclusive && members.len() < 2) {
                        return (local, out);
                    }
                    local.clear();
                    local.extend(members.iter().map(|&i| {
                        let now = &state_now[i as usize];
                        Standing {
                            status: now.status,
                            amount: now.amount,
                            steps: Steps::default(),
                        }
                    }));
                    let cx = Group {
                        pack,
                        r: r as u16,
                        entries,
                        members,
                        order: &plan.order,
                    };
                    let mut heads = Vec::new();
                    run_rule(&cx, plan, &mut local, &mut heads);
                    // A rule that changes a standing gives it a step.
                    let members: Vec<(u32, Standing)> = members
                        .iter()
                        .zip(local.drain(..))
                        .filter(|(_, s)| !s.steps.is_empty())
                        .map(|(&i, s)| (i, s))
                        .collect();
                    if !members.is_empty() || !heads.is_empty() {
                        out.push(Changed { members, heads });
                    }
                    (local, out)
                },
            )
            .map(|(_, out)| out)
            .collect();
        // Written into place in group order; a cap's heads numbered in that order too, as one
        // core would have numbered them
        place_changed(changed, r, &mut state, &mut heads);
    }
    // On every core, in entry order
    let effects = state
        .into_par_iter()
        .enumerate()
        .filter(|(_, s)| !s.steps.is_empty())
        .map(|(i, s)| {
            let effect = Effect {
                status: s.status,
                amount: pack.rounding.apply(s.amount),
                steps: s.steps.into_vec(),
            };
            (entries.index[i], effect)
        })
        .collect();
    (effects, heads)
}

/// Runs the pack's rules over the entries (each rule on what the ones before left)
pub(crate) fn settle(pack: &Pack, entries: Vec<Entry>) -> Settlement {
    let mut columns = Entries::with_capacity(pack.settlement.len(), entries.len());
    for e in &entries {
        columns.push(e);
    }
    drop(entries);
    settle_entries(pack, columns, |_| true)
}

/// Runs the pack's rules over the entries whose application `live` keeps (a stream leaves out
/// repeats and awards placed past a count limit)
pub(crate) fn settle_entries(
    pack: &Pack,
    mut entries: Entries,
    live: impl Fn(usize) -> bool + Sync,
) -> Settlement {
    let n = entries.len();
    // On every core: `live` looks up each entry's repeat and rank. An entry left out is never
    // awarded here, so no rule looks at it.
    let awarded: Vec<bool> = (0..n)
        .into_par_iter()
        .map(|i| live(entries.index[i]))
        .collect();
    let groups = entries
        .groups
        .iter()
        .filter(|g| **g != NO_GROUP)
        .max()
        .map_or(0, |g| *g as usize + 1);
    let plans = rule_plans(pack);
    let (effects, heads) = if one_grouping(&entries) {
        settle_together(pack, &entries, &plans, groups, &awarded)
    } else {
        settle_rule_by_rule(pack, &entries, &plans, groups, &awarded)
    };
    // Entries come in input order (should they not, they are sorted)
    let effects = ByIndex::new(effects);
    entries.keep_names();
    let head_texts = (0..heads.len()).map(|_| Default::default()).collect();
    let mut labels: Vec<(String, String)> = Vec::new();
    for field in pack.settlement.iter().flat_map(|r| &r.per) {
        if !labels.iter().any(|(f, _)| f == field) {
            labels.push((field.clone(), pack.any_field_label(field)));
        }
    }
    Settlement {
        entries,
        heads,
        effects,
        cites: pack.settlement.iter().map(|r| cite(pack, r)).collect(),
        labels,
        head_texts,
    }
}

/// A rule's group: the entries of one applicant (and period) the rule looks at
struct Group<'a> {
    pack: &'a Pack,
    r: u16,
    entries: &'a Entries,
    /// Indices into `entries`, still awarded, in input order
    members: &'a [u32],
    /// Per clause of the pack: its place in the rule's list of clauses (`usize::MAX` if not
    /// listed), or in the pack where the rule has no list
    order: &'a [usize],
}

impl Group<'_> {
    fn clause_id(&self, i: usize) -> &str {
        &self.pack.clauses[self.entries.clause(i)].id
    }

    /// The members, as indices into `entries`
    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().map(|&i| i as usize)
    }

    /// The entry at place `k` of the group
    fn entry(&self, k: usize) -> usize {
        self.members[k] as usize
    }

    /// Entry `i`'s clause's place in the rule's order
    fn listed(&self, i: usize) -> usize {
        self.order
            .get(self.entries.clause(i))
            .copied()
            .unwrap_or(usize::MAX)
    }
}

/// 就高不重复: the highest award in the group is kept (ties: the clause listed first, then the
/// smaller id); the others are superseded
fn exclusive(cx: &Group<'_>, state: &mut [Standing]) {
    if cx.members.len() < 2 {
        return;
    }
    // Places in the group (`state` is the group's, in the members' order)
    let Some(kept) = (0..cx.members.len()).min_by(|&a, &b| {
        let (ea, eb) = (cx.entry(a), cx.entry(b));
        state[b]
            .amount
            .cmp(&state[a].amount)
            .then_with(|| cx.listed(ea).cmp(&cx.listed(eb)))
            .then_with(|| cx.entries.id(ea).cmp(cx.entries.id(eb)))
    }) else {
        return;
    };
    let n = cx.members.len() as u32;
    let kept_amount = state[kept].amount;
    let others: Box<[(u32, Decimal)]> = (0..cx.members.len())
        .filter(|&k| k != kept)
        .map(|k| (cx.entry(k) as u32, state[k].amount))
        .collect();
    let kept_entry = cx.entry(kept);
    for (k, s) in state.iter_mut().enumerate() {
        if k == kept {
            s.steps.push(Step::Kept {
                rule: cx.r,
                others: others.clone(),
            });
        } else {
            s.steps.push(Step::Superseded {
                rule: cx.r,
                n,
                kept: kept_entry as u32,
                kept_amount,
                amount: s.amount,
            });
            s.status = Status::Superseded;
            s.amount = Decimal::ZERO;
        }
    }
}

/// A cap rule's limit in each period, found and rounded once for all its groups: looked up by
/// the parameter's name and rounded for each of a settled million's half a million groups, it
/// was most of their settling
struct CapLimits<'a> {
    parameter: Option<&'a crate::model::pack::Parameter>,
    /// Per value of the parameter: the limit, rounded; `None` where it is not an amount
    rounded: Vec<Option<Decimal>>,
}

impl<'a> CapLimits<'a> {
    fn new(pack: &'a Pack, rule: &'a SettlementRule, max: &str) -> CapLimits<'a> {
        let parameter = rule.parameter(max);
        let rounded = parameter
            .map(|p| {
                p.values
                    .iter()
                    .map(|v| match &v.value {
                        Value::Decimal(d) => Some(pack.rounding.apply(*d)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        CapLimits { parameter, rounded }
    }

    /// The limit in force for `period`, as `parameter.value_for(period)` rounded; `None` where
    /// there is none, or it is not an amount
    fn for_period(&self, period: Option<i64>) -> Option<Decimal> {
        let place = self.parameter?.place_for(period)?;
        self.rounded.get(place).copied().flatten()
    }
}

/// A cap per applicant: when the group's awards add up to more than the cap, the excess is
/// cut by the rule's method; an award cut to nothing is `capped`
fn cap(
    cx: &Group<'_>,
    cut: CutMethod,
    limits: &CapLimits<'_>,
    state: &mut [Standing],
    heads: &mut Vec<CapHead>,
) {
    let pack = cx.pack;
    let period = cx.members().next().and_then(|i| cx.entries.period[i]);
    let limit = match limits.for_period(period) {
        Some(limit) => limit,
        None => {
            for s in state.iter_mut() {
                s.status = Status::Error;
                s.amount = Decimal::ZERO;
                s.steps.push(Step::NoValue { rule: cx.r, period });
            }
            return;
        }
    };
    let total = state.iter().fold(Decimal::ZERO, |t, s| add(t, s.amount));
    // Paid before counts toward the cap; only this batch's awards can be cut.
    let prior = cx
        .members()
        .next()
        .and_then(|i| cx.entries.prior(i, cx.r as usize))
        .map(|p| p.0)
        .unwrap_or(Decimal::ZERO);
    let with_prior = add(total, prior);
    if with_prior <= limit {
        return;
    }
    let excess = (with_prior - limit).min(total);
    // Clause order: the rule's list when it has one, else the pack's; then id.
    let by_order = |a: &u32, b: &u32| {
        let (a, b) = (*a as usize, *b as usize);
        cx.listed(a)
            .cmp(&cx.listed(b))
            .then_with(|| cx.entries.id(a).cmp(cx.entries.id(b)))
    };
    let amounts: Vec<Decimal> = state.iter().map(|s| s.amount).collect();
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
        for s in state.iter_mut() {
            s.status = Status::Error;
            s.amount = Decimal::ZERO;
            s.steps.push(Step::TooLarge { rule: cx.r });
        }
        return;
    };
    let head = heads.len() as u32;
    heads.push(CapHead {
        total,
        prior,
        limit,
        excess,
    });
    for (s, c) in state.iter_mut().zip(cuts) {
        if c.is_zero() {
            s.steps.push(Step::Within { rule: cx.r, head });
            continue;
        }
        s.steps.push(Step::Cut {
            rule: cx.r,
            head,
            cut: c,
            before: s.amount,
        });
        s.amount -= c;
        if s.amount.is_zero() {
            s.status = Status::Capped;
        }
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

/// 首次: an award is withdrawn where the history shows the applicant paid before
fn first_time(cx: &Group<'_>, clause: &str, state: &mut [Standing]) {
    for (k, i) in cx.members().enumerate() {
        if cx.clause_id(i) != clause {
            continue;
        }
        // No history at all: nothing to check against, said so in the reason.
        let earlier = cx
            .entries
            .prior(i, cx.r as usize)
            .map(|p| p.1)
            .unwrap_or(NO_HISTORY);
        let s = &mut state[k];
        s.steps.push(Step::FirstTime {
            rule: cx.r,
            earlier,
        });
        if earlier > 0 && earlier != NO_HISTORY {
            s.status = Status::Ineligible;
            s.amount = Decimal::ZERO;
        }
    }
}

/// `earlier` of a first-time step when the run was given no history
const NO_HISTORY: u32 = u32::MAX;

/// An award that builds on another: paid only where the group has an award of one of
/// `requires` still standing
fn needs(cx: &Group<'_>, clause: &str, requires: &[String], state: &mut [Standing]) {
    let bases: Box<[u32]> = cx
        .members()
        .filter(|&i| requires.iter().any(|r| r == cx.clause_id(i)))
        .map(|i| i as u32)
        .collect();
    for (k, i) in cx.members().enumerate() {
        if cx.clause_id(i) != clause {
            continue;
        }
        let earlier = cx.entries.prior(i, cx.r as usize).map(|p| p.1).unwrap_or(0);
        let s = &mut state[k];
        if bases.is_empty() && earlier == 0 {
            s.steps.push(Step::Unmet { rule: cx.r });
            s.status = Status::Ineligible;
            s.amount = Decimal::ZERO;
        } else {
            s.steps.push(Step::Met {
                rule: cx.r,
                bases: bases.clone(),
                earlier,
            });
        }
    }
}

/// The entries of a batch decided in memory: every awarded decision of a clause some rule
/// looks at
pub(crate) fn entries_of(
    pack: &Pack,
    history: &History,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &[Decision],
) -> Vec<Entry> {
    let mut groups = Groups::default();
    let mut entries = Vec::new();
    for (i, (c, d)) in checked.iter().zip(decisions).enumerate() {
        let Ok(c) = c else { continue };
        if d.status != Status::Awarded || !settled_clause(pack, c.clause) {
            continue;
        }
        let keys = group_hashes(pack, c.clause, &c.facts);
        entries.push(Entry {
            index: i,
            clause: c.clause,
            id: c.facts.id.as_str().into(),
            amount: d.amount,
            period: pack.period_of(&c.facts),
            groups: keys.iter().map(|k| k.map(|k| groups.intern(k))).collect(),
            prior: priors(pack, history, c.clause, &c.facts),
        });
    }
    entries
}

/// Settles a batch decided in memory (after its count limits)
pub(crate) fn apply_settlement(
    pack: &Pack,
    history: &History,
    checked: &[Result<Checked, Box<Decision>>],
    decisions: &mut [Decision],
) {
    if pack.settlement.is_empty() {
        return;
    }
    let settled = settle(pack, entries_of(pack, history, checked, decisions));
    for (i, (c, d)) in checked.iter().zip(decisions.iter_mut()).enumerate() {
        if let Ok(c) = c {
            settled.apply(pack, i, d, &|| group_keys(pack, c.clause, &c.facts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    /// Effects with each cap head named by what it holds rather than by its number (the two
    /// ways of settling number heads in different orders; no output shows the numbers)
    fn named(effects: &[(usize, Effect)], heads: &[CapHead]) -> Vec<String> {
        effects
            .iter()
            .map(|(i, e)| {
                let steps: Vec<String> = e
                    .steps
                    .iter()
                    .map(|step| match step {
                        Step::Within { rule, head } => {
                            format!("within {rule} {:?}", heads[*head as usize])
                        }
                        Step::Cut {
                            rule,
                            head,
                            cut,
                            before,
                        } => {
                            format!("cut {rule} {cut} {before} {:?}", heads[*head as usize])
                        }
                        other => format!("{other:?}"),
                    })
                    .collect();
                format!("{i} {:?} {} {steps:?}", e.status, e.amount)
            })
            .collect()
    }

    #[test]
    fn rules_that_group_alike_settle_group_by_group_as_rule_by_rule() {
        let scenario = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries/scenarios/yearly-cap-300wan-platforms-highest.yaml"
        );
        let Ok(scenario) = crate::Scenario::load(std::path::Path::new(scenario)) else {
            panic!("the scenario loads");
        };
        let Ok(engine) = crate::decide::engine::shipped().with_scenario(&scenario) else {
            panic!("the scenario applies");
        };
        let pack = engine.pack();
        let rules = pack.settlement.len();
        assert!(rules >= 2, "a 就高不重复 rule and a cap");
        let settled: Vec<usize> = (0..pack.clauses.len())
            .filter(|&ci| settled_clause(pack, ci))
            .collect();
        // Awards of 40 applicants in 2 years, amounts from a few (ties, caps passed and not),
        // some left out as repeats or ranked out would be
        let amounts = [
            "100000.00",
            "200000.00",
            "500000.00",
            "1000000.00",
            "2500000.00",
        ];
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % n) as usize
        };
        let mut entries = Entries::with_capacity(rules, 600);
        let mut awarded = Vec::new();
        for index in 0..600 {
            let ci = settled[next(settled.len() as u64)];
            let (who, year) = (next(40), next(2));
            let clause = &pack.clauses[ci].id;
            let groups: Box<[Option<u32>]> = pack
                .settlement
                .iter()
                .map(|r| r.covers(clause).then_some((who * 2 + year) as u32))
                .collect();
            entries.push(&Entry {
                index,
                clause: ci,
                id: format!("X-{:04}", next(10000)).into(),
                amount: d(amounts[next(amounts.len() as u64)]),
                period: Some(2025 + year as i64),
                groups,
                prior: Box::new([]),
            });
            awarded.push(next(10) != 0);
        }
        assert!(one_grouping(&entries));
        let plans = rule_plans(pack);
        let groups = 80;
        let (together, heads_t) = settle_together(pack, &entries, &plans, groups, &awarded);
        let (by_rule, heads_r) = settle_rule_by_rule(pack, &entries, &plans, groups, &awarded);
        assert!(
            together.len() > 100,
            "rules changed many awards: {}",
            together.len()
        );
        assert!(!heads_t.is_empty(), "some groups passed the cap");
        assert_eq!(named(&together, &heads_t), named(&by_rule, &heads_r));
        // An entry two rules look at, put in another group by the later: settled rule by rule
        let Some(both) =
            (0..entries.len()).find(|&i| (0..rules).all(|r| entries.group(i, r).is_some()))
        else {
            panic!("an award both rules look at");
        };
        entries.groups[both * rules + rules - 1] = 79;
        assert!(!one_grouping(&entries));
    }

    #[test]
    fn groups_are_numbered_by_first_appearance_through_growth_and_shared_halves() {
        // Against a hash map: a fresh table grown many times, keys met again, and keys that
        // share their low half (the slot they start from) or their high half
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed
        };
        let fresh: Vec<u128> = (0..20_000)
            .map(|k| match k % 4 {
                0 => u128::from(next()) << 64 | 5,
                1 => 7u128 << 64 | u128::from(next()),
                _ => u128::from(next()) << 64 | u128::from(next()),
            })
            .collect();
        for mut groups in [Groups::default(), Groups::with_capacity(3)] {
            let mut reference: std::collections::HashMap<u128, u32> = Default::default();
            for round in 0..3 {
                for (k, key) in fresh.iter().enumerate() {
                    if round == 0 || k % 3 == round {
                        let _ = std::hint::black_box(groups.fetch(&[Some(*key), None]));
                        let expected = reference.len() as u32;
                        let expected = *reference.entry(*key).or_insert(expected);
                        assert_eq!(groups.intern(*key), expected, "key {k} in round {round}");
                    }
                }
            }
            assert_eq!(groups.len, reference.len());
        }
        assert_eq!(Groups::default().fetch(&[Some(1)]), 0);
    }

    #[test]
    fn key_parts_split_as_the_separator_does() {
        for key in [
            "",
            "applicant.name=甲公司 · year=2025",
            "applicant.name=甲·乙公司 · year=2025",
            "a · · b",
            " · ",
            "·",
            " ·",
            "· ",
            "a ·  · b · ",
            "x=1 · y=2 · z=3",
            "甲 ·乙· 丙 · 丁",
        ] {
            let ours: Vec<&str> = key_parts(key).collect();
            let theirs: Vec<&str> = key.split(" · ").collect();
            assert_eq!(ours, theirs, "{key:?}");
        }
    }

    #[test]
    fn key_parts_split_as_the_separator_does_on_every_short_key() {
        // Every key of up to 7 characters from spaces, middle dots, a letter and `=`: runs of
        // separators, dots without both spaces, separators sharing a space
        let alphabet = [' ', '·', 'a', '='];
        let mut keys = vec![String::new()];
        let mut checked = 0;
        for _ in 0..7 {
            let mut longer = Vec::with_capacity(keys.len() * alphabet.len());
            for key in &keys {
                for c in alphabet {
                    let mut k = key.clone();
                    k.push(c);
                    let ours: Vec<&str> = key_parts(&k).collect();
                    let theirs: Vec<&str> = k.split(" · ").collect();
                    assert_eq!(ours, theirs, "{k:?}");
                    checked += 1;
                    longer.push(k);
                }
            }
            keys = longer;
        }
        assert_eq!(checked, (1..=7).map(|n| 4usize.pow(n)).sum::<usize>());
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

    /// A stream's keys, written into strings reused from award to award of other clauses
    /// (rules that cover one clause and not the next, keys shared and not), are the keys each
    /// award's own would be
    #[test]
    fn keys_written_over_reused_strings_are_each_awards_own() {
        let engine = crate::decide::engine::shipped();
        let mut pack = engine.pack().clone();
        let rule = |id: &str, what: RuleKind, applicant: &[&str], per: &[&str]| SettlementRule {
            id: id.into(),
            title: id.into(),
            article: String::new(),
            text: String::new(),
            notes: None,
            what,
            applicant: applicant.iter().map(|s| s.to_string()).collect(),
            per: per.iter().map(|s| s.to_string()).collect(),
            parameters: Default::default(),
            declared_in: Default::default(),
            pos: None,
        };
        let platforms = vec!["rd-platform".to_string(), "incubator".to_string()];
        pack.settlement = vec![
            rule(
                "highest",
                RuleKind::Exclusive { clauses: platforms },
                &["applicant.name"],
                &["year"],
            ),
            rule(
                "cap",
                RuleKind::Cap {
                    clauses: None,
                    max: "max".into(),
                    cut: CutMethod::LargestFirst,
                },
                &["applicant.name"],
                &["year"],
            ),
            rule(
                "by-code",
                RuleKind::Cap {
                    clauses: None,
                    max: "max".into(),
                    cut: CutMethod::LargestFirst,
                },
                &["applicant.credit_code", "applicant.name"],
                &[],
            ),
        ];
        let text = [
            r#"{"id":"I-1","kind":"incubator","year":2026,"applicant":{"name":" 甲公司 ","in_city":true},"level":"national","newly_recognized":true}"#,
            r#"{"id":"CA-2","kind":"competition_award","year":2030,"applicant":{"name":"乙","in_city":true,"credit_code":"913413PNL2YGYHL1A5"},"prize":"third"}"#,
            r#"{"id":"I-3","kind":"incubator","year":2027,"applicant":{"name":"丙","in_city":true,"credit_code":"913413PNL2YGYHL1A5"},"level":"national","newly_recognized":true}"#,
            r#"{"id":"CA-4","kind":"competition_award","year":2026,"applicant":{"name":"丁","in_city":true},"prize":"first"}"#,
        ]
        .join("\n");
        let Ok(apps) = crate::parse_applications(&text, crate::InputFormat::Jsonl) else {
            panic!("the lines read");
        };
        let plan = KeyPlan::new(&pack);
        let mut reused = Vec::new();
        for raw in &apps {
            let Ok(c) = crate::decide::check::check_one(&pack, raw) else {
                panic!("{raw:?} passes its checks");
            };
            assert!(plan.settled(c.clause));
            plan.keys_into(&pack, c.clause, &c.facts, &mut reused);
            assert_eq!(reused, group_keys(&pack, c.clause, &c.facts));
        }
        // What the keys are, spelled out for the last two
        assert_eq!(
            reused,
            [
                None,
                Some("applicant.name=丁 · year=2026".to_string()),
                Some("applicant.name=丁".to_string()),
            ]
        );
        let Ok(c) = crate::decide::check::check_one(&pack, &apps[2]) else {
            panic!("the third line passes");
        };
        assert_eq!(
            group_keys(&pack, c.clause, &c.facts),
            [
                Some("applicant.name=丙 · year=2027".to_string()),
                Some("applicant.name=丙 · year=2027".to_string()),
                Some("applicant.credit_code=913413PNL2YGYHL1A5".to_string()),
            ]
        );
    }

    #[test]
    fn cuts_in_order_stop_at_zero() {
        let cuts = cut_in_order(&[d("5"), d("3"), d("2")], &[0, 1, 2], d("6"));
        assert_eq!(cuts, vec![d("5"), d("1"), d("0")]);
    }
}
