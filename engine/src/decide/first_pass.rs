//! The first pass of a streamed run under count limits or settlement rules: repeated ids
//! found, contenders ranked, applicants settled.
//!
//! Every record's id is hashed to find the repeats; each awarded application of a limited
//! clause is ranked, and each awarded application of a clause a settlement rule looks at is
//! kept as a small [`Entry`] (clause, id, amount, groups) and settled with its applicant's
//! others, before the second pass (`stream.rs`) decides any. Only entries are kept, never
//! decisions: the second pass decides again and applies what the first found.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::decide::by_index::ByIndex;
use crate::decide::count_limit::{Contender, Placement};
use crate::decide::engine::Engine;
use crate::decide::repeats::{FirstSeen, Repeats};
use crate::decide::settle::{self, Entry, Groups, Settlement};
use crate::decide::spool;
use crate::decide::{check, clause, count_limit};
use crate::input::file::{bytes_of, Chunk, InputFile, Pool, Record};
use crate::input::{self, quick, InputError, RawApplication};
use crate::model::decision::{Decision, Status};
use crate::model::facts::Checked;
use crate::model::pack::Pack;

/// Where each contender of a limited clause was placed, by application index: its clause and
/// placement
pub(crate) type Placements = ByIndex<(usize, Placement)>;

/// What the first pass found for one engine: placements under count limits, and what
/// settlement does to each decision it changes
#[derive(Debug, Default, Clone)]
pub(crate) struct Placed {
    pub(crate) ranks: Placements,
    pub(crate) settled: Settlement,
    /// Decisions the first pass made already, before count limits, for the second pass to
    /// finish rather than read and decide again: (index, clause, decision as a spool record),
    /// in input order. Only a plain stream's, within [`KEPT_DECISIONS`] bytes.
    pub(crate) decided: Vec<Kept>,
}

impl Placed {
    /// An award of clause `ci`, the application at `index`, placed under the clause's count
    /// limit if it has one (only a limited clause's award is looked up: looking up every award
    /// missed the cache)
    pub(crate) fn place(&self, pack: &Pack, ci: usize, index: usize, d: &mut Decision) {
        let limited = pack
            .clauses
            .get(ci)
            .is_some_and(|c| c.count_limit.is_some());
        if d.status == Status::Awarded && limited {
            if let Some((ci, p)) = self.ranks.get(index) {
                count_limit::apply_placement(pack, *ci, d, p);
            }
        }
    }
}

/// A decision the first pass kept: its application's index, its clause and the decision in
/// the spool's compact form (`spool::read`); compact, since decisions kept whole doubled the
/// memory of a run, and the kernel's clearing of it cost what deciding again saved
pub(crate) type Kept = (usize, usize, Box<[u8]>);

/// How many bytes of decisions a first pass keeps for the second: the applications of limited
/// clauses, read and decided in both passes, were a twentieth of a large run
const KEPT_DECISIONS: usize = 64 << 20;

/// An awarded application of a settled clause, before its groups are numbered: (index, clause,
/// id, amount, period, group key under each rule)
pub(crate) type LooseEntry = (
    usize,
    usize,
    Box<str>,
    rust_decimal::Decimal,
    Option<i64>,
    Vec<Option<u128>>,
    Box<[(rust_decimal::Decimal, u32)]>,
);

/// An id's hash for the first pass: FxHash, unkeyed, so the same file finds the same
/// candidates on every run; equal hashes are only candidates, confirmed on the ids themselves.
/// (SipHash was a third of the first pass's instructions.)
pub(crate) fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    id.hash(&mut h);
    h.finish()
}

/// The standing of an application under each engine that limits or settles its clause, where
/// it is awarded there: (engine, clause, contender if limited, entry if settled)
type Standing = Vec<(usize, usize, Option<Contender>, Option<LooseEntry>)>;

/// What the first pass keeps of a record: its index, its id's hash, its standing, and the first
/// engine's decision where it made one to keep (with its clause)
type Seen = (usize, Option<u64>, Standing, KeptHere);

/// The first engine's decision on a record, kept with its clause (see [`Kept`])
type KeptHere = Option<(usize, Box<[u8]>)>;

/// The engines a first pass ranks for (the first one's, then variants of its pack: the same
/// clauses and kinds) and which of their clauses have count limits
struct Limits<'e> {
    pack: &'e Pack,
    engines: Vec<&'e Engine>,
    /// Per engine, per clause: whether it has a count limit
    limited: Vec<Vec<bool>>,
    /// Per engine, per clause: whether a settlement rule looks at it
    settled: Vec<Vec<bool>>,
    /// The kinds whose applications go to a clause some engine limits or settles (a few at
    /// most: looked up for every record, a scan of every clause was a tenth of the pass)
    watched_kinds: Vec<&'e str>,
    /// Whether the first engine's decisions are kept for the second pass
    keep: bool,
}

impl<'e> Limits<'e> {
    fn new(engine: &'e Engine, others: &[&'e Engine], keep: bool) -> Limits<'e> {
        let engines: Vec<&Engine> = std::iter::once(engine)
            .chain(others.iter().copied())
            .collect();
        let limited = engines
            .iter()
            .map(|e| {
                e.pack()
                    .clauses
                    .iter()
                    .map(|c| c.count_limit.is_some())
                    .collect()
            })
            .collect();
        let settled = engines
            .iter()
            .map(|e| {
                (0..e.pack().clauses.len())
                    .map(|ci| settle::settled_clause(e.pack(), ci))
                    .collect()
            })
            .collect();
        let mut limits = Limits {
            pack: engine.pack(),
            engines,
            limited,
            settled,
            watched_kinds: Vec::new(),
            // Only a plain stream (one engine, no settlement) finishes kept decisions; a
            // comparison's first pass (which may have no others either) has nothing to finish.
            keep: keep && others.is_empty() && engine.pack().settlement.is_empty(),
        };
        let pack = limits.pack;
        limits.watched_kinds = pack
            .clauses
            .iter()
            .enumerate()
            // A kind's applications go to the first clause of that kind.
            .filter(|(ci, c)| pack.clauses.iter().position(|o| o.kind == c.kind) == Some(*ci))
            .filter(|(ci, _)| (0..limits.engines.len()).any(|e| limits.watches(e, *ci)))
            .map(|(_, c)| c.kind.as_str())
            .collect();
        limits
    }

    /// Whether engine `e` limits or settles clause `ci`
    fn watches(&self, e: usize, ci: usize) -> bool {
        self.limited[e].get(ci).copied().unwrap_or(false)
            || self.settled[e].get(ci).copied().unwrap_or(false)
    }

    /// Whether applications of `kind` go to a clause some engine limits or settles
    fn limited_at(&self, kind: &str) -> bool {
        self.watched_kinds.contains(&kind)
    }

    fn limited_kind(&self, raw: &RawApplication) -> bool {
        input::validate::kind_text(raw).is_some_and(|k| self.limited_at(&k))
    }

    /// The standing of a checked application, and the first engine's decision on it if it is
    /// to be kept
    fn standing(&self, c: &Checked, index: usize) -> (Standing, KeptHere) {
        let mut kept = None;
        let standing = self
            .engines
            .iter()
            .enumerate()
            .filter(|(e, _)| self.watches(*e, c.clause))
            .filter_map(|(e, engine)| {
                let p = engine.pack();
                let (d, _) = clause::decide_one(p, &engine.code, c, false);
                let awarded = d.status == Status::Awarded;
                let amount = d.amount;
                if e == 0 && self.keep {
                    let mut record = Vec::with_capacity(512);
                    let entry = spool::Entry {
                        decision: &d,
                        clause: Some(c.clause),
                        written_kind: None,
                        full: Some(&[]),
                    };
                    spool::write(&mut record, &entry, &mut |_| {});
                    // Without its length
                    kept = record.get(4..).map(|r| (c.clause, r.into()));
                }
                if !awarded {
                    return None;
                }
                let contender = count_limit::contender(p, c.clause, index, &c.facts);
                let entry = self.settled[e][c.clause].then(|| {
                    (
                        index,
                        c.clause,
                        c.facts.id.as_str().into(),
                        amount,
                        p.period_of(&c.facts),
                        settle::group_hashes(p, c.clause, &c.facts),
                        settle::priors(p, &engine.code.history, c.clause, &c.facts),
                    )
                });
                Some((e, c.clause, contender, entry))
            })
            .collect();
        (standing, kept)
    }

    /// What the first pass keeps of one record; only a record of a limited kind is read whole
    /// and checked
    fn look(&self, r: Record, bytes: &[u8], id_hash: fn(&str) -> u64) -> Seen {
        // Most lines begin with their id and kind: a line of a kind nobody limits or settles
        // needs no more, not even a check of all its text (why an id so read is safe to hash:
        // see `leading_id_kind`; a full scan of every line was a seventh of a large run).
        if let Some((id, kind)) = r.bytes(bytes).and_then(quick::leading_id_kind) {
            if !self.limited_at(kind) {
                return (r.place().0, Some(id_hash(id)), Vec::new(), None);
            }
        }
        let raw = match r.line(bytes) {
            Ok(l) => {
                // Else id and kind found by a byte scan, nothing built; a line of a limited
                // kind is then read whole.
                if let Some((id, kind)) = quick::scan_id_kind(l.text) {
                    if !kind.is_some_and(|k| self.limited_at(k)) {
                        return (l.index, id.map(id_hash), Vec::new(), None);
                    }
                    if let Some(c) = quick::json_facts(self.pack, l.text) {
                        let id = Some(id_hash(&c.facts.id));
                        let (standing, kept) = self.standing(&c, l.index);
                        return (l.index, id, standing, kept);
                    }
                }
                let light = light(&l);
                if !self.limited_kind(&light) {
                    return (l.index, light.id().map(id_hash), Vec::new(), None);
                }
                input::json_line(l.text, l.index, l.line)
            }
            // Parsed already, or not text (an error of its own in the second pass, with no id)
            Err(raw) => raw,
        };
        let id = raw.id().map(id_hash);
        let (standing, kept) = if self.limited_kind(&raw) {
            check::check_one(self.pack, &raw)
                .map(|c| self.standing(&c, raw.index))
                .unwrap_or_default()
        } else {
            (Vec::new(), None)
        };
        (raw.index, id, standing, kept)
    }

    /// The contenders of each engine's limited clauses ranked, repeats left out
    fn rank(
        &self,
        contenders: Vec<Vec<Vec<Contender>>>,
        repeats: &FxHashMap<u32, FirstSeen>,
    ) -> Vec<Placements> {
        self.engines
            .iter()
            .zip(contenders)
            .map(|(engine, lists)| {
                let mut placements = Vec::with_capacity(lists.iter().map(Vec::len).sum());
                for (ci, mut list) in lists.into_iter().enumerate() {
                    list.retain(|k| {
                        u32::try_from(k.index)
                            .map(|at| !repeats.contains_key(&at))
                            .unwrap_or(true)
                    });
                    for (index, placement) in count_limit::rank_contenders(engine.pack(), ci, list)
                    {
                        placements.push((index, (ci, placement)));
                    }
                }
                ByIndex::new(placements)
            })
            .collect()
    }
}

/// A JSONL line's `id` and `kind` only: by the quick path where it answers, else read whole
fn light(l: &crate::input::file::Line<'_>) -> RawApplication {
    quick::light(l.text, l.index, l.line)
        .unwrap_or_else(|| input::json_line_light(l.text, l.index, l.line))
}

impl Engine {
    /// The first pass of a pack with count limits: every record's id hashed and each awarded
    /// application of a limited clause ranked, for this engine and `others`; the ranks are
    /// returned in that order, with the repeated ids. Ids are kept as 64-bit hashes (a million
    /// ids in 16 MB, no lookups in the second pass); records whose hashes meet are read again
    /// and compared by their ids. `keep`: whether the caller's second pass finishes the
    /// decisions made here ([`Placed::decided`]; a plain stream's only).
    pub(crate) fn first_pass(
        &self,
        source: &InputFile,
        pool: &Pool,
        others: &[&Engine],
        id_hash: fn(&str) -> u64,
        keep: bool,
    ) -> Result<(Repeats, Vec<Placed>), InputError> {
        let limits = Limits::new(self, others, keep);
        // Every id's hash and record, appended as the file goes (no lookups: a table of a
        // million ids was a cache miss per record on the one sequential path), sorted once at
        // the end to find the hashes that meet.
        let mut hashes: Vec<(u64, u32)> = Vec::with_capacity(source.size_hint());
        let mut contenders: Vec<Vec<Vec<Contender>>> =
            vec![vec![Vec::new(); self.pack().clauses.len()]; limits.engines.len()];
        let mut entries: Vec<(Vec<Entry>, Groups)> = (0..limits.engines.len())
            .map(|_| (Vec::new(), Groups::default()))
            .collect();
        let mut seen: Vec<Seen> = Vec::new();
        let (mut decided, mut decided_bytes) = (Vec::new(), 0usize);
        source.chunks_ahead(pool, &mut |chunk| {
            let Chunk { block, records } = chunk;
            let bytes = bytes_of(&block);
            // In parallel: each record's id hash and line, and, for a limited clause, its
            // standing if it is awarded (repeats are weeded out below, in order).
            // Collected into one vector kept across chunks: a fresh one per chunk was fresh
            // memory for the kernel to clear each time.
            seen.clear();
            seen.par_extend(
                records
                    .into_par_iter()
                    .map(|r| limits.look(r, bytes, id_hash)),
            );
            for (index, id, standing, kept) in seen.drain(..) {
                let at = u32::try_from(index).unwrap_or(u32::MAX);
                if let Some((clause, record)) = kept {
                    decided_bytes += record.len() + 48;
                    if decided_bytes <= KEPT_DECISIONS {
                        decided.push((index, clause, record));
                    }
                }
                if let Some(h) = id {
                    hashes.push((h, at));
                }
                for (e, ci, k, entry) in standing {
                    if let Some(k) = k {
                        contenders[e][ci].push(k);
                    }
                    if let Some((index, clause, id, amount, period, keys, prior)) = entry {
                        let (list, groups) = &mut entries[e];
                        list.push(Entry {
                            index,
                            clause,
                            id,
                            amount,
                            period,
                            groups: keys.iter().map(|k| k.map(|k| groups.intern(k))).collect(),
                            prior,
                        });
                    }
                }
            }
            pool.give(block);
            Ok(())
        })?;
        let repeats = repeats_among(source, pool, hashes)?;
        let placements = limits.rank(contenders, &repeats);
        let mut decided = Some(decided);
        let placed = limits
            .engines
            .iter()
            .zip(placements)
            .zip(entries)
            .map(|((engine, ranks), (mut list, _))| {
                // Settled: what is still awarded once repeats and count limits are known.
                list.retain(|en| {
                    let repeat = u32::try_from(en.index).is_ok_and(|at| repeats.contains_key(&at));
                    let placed_out = ranks
                        .get(en.index)
                        .is_some_and(|(_, p)| !count_limit::keeps_award(p));
                    !repeat && !placed_out
                });
                let settled = if list.is_empty() {
                    Settlement::default()
                } else {
                    settle::settle(engine.pack(), list)
                };
                Placed {
                    ranks,
                    settled,
                    // The first engine's, the only one kept
                    decided: decided.take().unwrap_or_default(),
                }
            })
            .collect();
        Ok((Repeats::Known(repeats), placed))
    }
}

/// The repeated ids among records, given their id hashes: index → where the id first appeared.
/// Only records whose hashes meet another's are read again, and their ids compared; the first
/// of each id in the file stays.
pub(crate) fn repeats_among(
    source: &InputFile,
    pool: &Pool,
    hashes: Vec<(u64, u32)>,
) -> Result<FxHashMap<u32, FirstSeen>, InputError> {
    // Equal hashes share their top bit: the two halves are sorted on a core each. (A parallel
    // sort of the whole partitions it on one core first: a tenth of a second on a million,
    // while the other core waited.)
    let (mut low, mut high): (Vec<_>, Vec<_>) =
        hashes.into_par_iter().partition(|(h, _)| h >> 63 == 0);
    rayon::join(|| low.sort_unstable(), || high.sort_unstable());
    let mut suspects: FxHashSet<u32> = Default::default();
    for half in [&low, &high] {
        for run in half.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            suspects.extend(run.iter().map(|(_, at)| *at));
        }
    }
    drop((low, high));
    let mut known: FxHashMap<u32, FirstSeen> = FxHashMap::default();
    if !suspects.is_empty() {
        let mut ids = ids_at(source, pool, &suspects)?;
        ids.sort_by_key(|(at, _, _)| *at);
        let mut first: FxHashMap<String, FirstSeen> = FxHashMap::default();
        for (at, line, id) in ids {
            match first.entry(id) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((at, line));
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    known.insert(at, *o.get());
                }
            }
        }
    }
    Ok(known)
}

/// The ids of the records at `wanted`, with their lines, read again from the source: the
/// first pass keeps only hashes of ids, and equal hashes are confirmed here
fn ids_at(
    source: &InputFile,
    pool: &Pool,
    wanted: &FxHashSet<u32>,
) -> Result<Vec<(u32, u32, String)>, InputError> {
    let mut found = Vec::with_capacity(wanted.len());
    source.chunks(pool, &mut |chunk| {
        let Chunk { block, records } = chunk;
        let bytes = bytes_of(&block);
        for r in records {
            let (index, line) = r.place();
            let at = u32::try_from(index).unwrap_or(u32::MAX);
            if !wanted.contains(&at) {
                continue;
            }
            let raw = match r.line(bytes) {
                Ok(l) => light(&l),
                Err(raw) => raw,
            };
            if let Some(id) = raw.id() {
                let line = u32::try_from(line).unwrap_or(0);
                found.push((at, line, id.to_string()));
            }
        }
        pool.give(block);
        Ok(())
    })?;
    Ok(found)
}
