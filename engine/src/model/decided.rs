//! What a script sees of the same applicant's other decisions (`others.amount("clause-id")`):
//! the awards under the clauses it depends on, summed per applicant and period.
//!
//! A clause that `depends_on` others is decided after them: the clauses fall in layers (a
//! clause with no dependencies is in layer 0, one that depends on layer-0 clauses in layer 1,
//! and so on), and each layer is decided with the totals of the layers before it.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::model::facts::Facts;
use crate::model::history::same_applicant;
use crate::model::pack::Pack;

/// The awards of the clauses others depend on, per applicant and period: yuan and how many
#[derive(Debug, Default, Clone)]
pub(crate) struct Decided {
    totals: FxHashMap<(u128, u16), (Decimal, u32)>,
}

impl Decided {
    /// Counts one award of clause `ci` to the applicant and period `key`
    pub(crate) fn add(&mut self, key: u128, ci: usize, amount: Decimal) {
        let ci = u16::try_from(ci).unwrap_or(u16::MAX);
        let t = self.totals.entry((key, ci)).or_default();
        t.0 += amount;
        t.1 = t.1.saturating_add(1);
    }

    /// Adds everything `other` counted
    pub(crate) fn merge(&mut self, other: Decided) {
        for ((key, ci), (amount, n)) in other.totals {
            let t = self.totals.entry((key, ci)).or_default();
            t.0 += amount;
            t.1 = t.1.saturating_add(n);
        }
    }

    /// The yuan and the number of awards under clause `ci` for the applicant and period `key`
    pub(crate) fn get(&self, key: u128, ci: usize) -> (Decimal, u32) {
        let ci = u16::try_from(ci).unwrap_or(u16::MAX);
        self.totals.get(&(key, ci)).copied().unwrap_or_default()
    }
}

/// A 128-bit hash of a key text: XXH3-128 with its fixed default secret, so a run is the same
/// on every machine; two different keys meeting in 128 bits is not a real risk
pub(crate) fn key_hash(key: &str) -> u128 {
    twox_hash::XxHash3_128::oneshot(key.as_bytes())
}

/// Who applied, as the pack's `applicant:` fields name it (the first with a value), with the
/// period: the key of [`Decided`]. `None` where the application names no applicant: it sees no
/// other decision, as nobody can be told to be the same.
pub(crate) fn applicant_period(pack: &Pack, facts: &Facts) -> Option<u128> {
    let (field, value) = applicant(pack, facts)?;
    let who = format!("{field}={value}");
    let key = match pack.period_of(facts) {
        Some(p) => format!("{who}\u{1f}{p}"),
        None => who,
    };
    Some(key_hash(&key))
}

/// The applicant as the pack's `applicant:` fields name it: the first of those fields the
/// application has, not empty, and its value (spaces and invisible marks around it dropped)
pub(crate) fn applicant<'p>(pack: &'p Pack, facts: &Facts) -> Option<(&'p str, String)> {
    pack.applicant.iter().find_map(|f| {
        let v = same_applicant(&facts.get(f)?.to_string());
        (!v.is_empty()).then_some((f.as_str(), v))
    })
}

/// Each clause's layer: 0 without dependencies, else one more than the highest layer it
/// depends on. Loading refuses a cycle; were one here, its clauses would stop at the bound.
pub(crate) fn layers(pack: &Pack) -> Vec<usize> {
    let n = pack.clauses.len();
    let mut layer = vec![0usize; n];
    // At most n rounds settle an acyclic graph of n clauses.
    for _ in 0..n {
        let mut changed = false;
        for (ci, c) in pack.clauses.iter().enumerate() {
            let want = c
                .depends_on
                .iter()
                .filter_map(|d| pack.clauses.iter().position(|o| &o.id == d))
                .map(|d| layer[d] + 1)
                .max()
                .unwrap_or(0)
                .min(n);
            if want != layer[ci] {
                layer[ci] = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// Whether some clause of the pack depends on clause `ci`
pub(crate) fn depended_on(pack: &Pack, ci: usize) -> bool {
    let id = &pack.clauses[ci].id;
    pack.clauses.iter().any(|c| c.depends_on.contains(id))
}

/// Whether any clause of the pack reads other decisions
pub(crate) fn any(pack: &Pack) -> bool {
    pack.clauses.iter().any(|c| !c.depends_on.is_empty())
}
