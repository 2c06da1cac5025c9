//! A streamed run of a pack with settlement rules: every application decided once.
//!
//! Pass 1 reads the input, decides every application (before count limits and settlement),
//! writes each decision to the [`Spool`], and keeps only what the cross-application rules
//! need: id hashes (for repeats), contenders of limited clauses and settlement entries. Then
//! the repeats are confirmed, the contenders ranked and the applicants settled. Pass 2 reads
//! the spool back, applies each decision's rank and settlement effect, and renders it. Memory
//! holds the entries, not the decisions.

use std::io;

use rayon::prelude::*;

use crate::decide::by_index::ByIndex;
use crate::decide::count_limit::{self, Contender};
use crate::decide::engine::Engine;
use crate::decide::first_pass::{repeats_among, Placed};
use crate::decide::repeats::{where_first, Repeats};
use crate::decide::settle::{self, Entries, Groups};
use crate::decide::spool::{self, Spool};
use crate::decide::stream::{
    buffer, clause_index, write_in_order, DecisionCounts, Pieces, Sink, StreamError, PIECE,
};
use crate::decide::{check, clause};
use crate::input::file::{bytes_of, Chunk, InputFile, Pool, Ready};
use crate::input::validate::kind_text;
use crate::model::decision::{Decision, Status};
use crate::model::facts::Checked;

/// What one piece of pass 1 keeps: spooled decisions, id hashes, contenders, entries and each
/// entry's group key hashes (one per rule, flat)
#[derive(Default)]
struct Kept {
    spooled: Vec<u8>,
    hashes: Vec<(u64, u32)>,
    contenders: Vec<(usize, Contender)>,
    entries: Entries,
    keys: Vec<Option<u128>>,
    /// The group keys of the record at hand, their strings reused from record to record
    names: Vec<Option<String>>,
}

/// Emptied [`Kept`]s handed back by the merger. A piece's vectors are filled on a worker
/// thread and emptied on the merger's: made fresh each time, they came from memory the
/// allocator had given back to the system, and the kernel zeroed it again on every first touch.
struct KeptPool(std::sync::Mutex<Vec<Kept>>, usize);

impl KeptPool {
    fn take(&self) -> Kept {
        let kept = self.0.lock().ok().and_then(|mut p| p.pop());
        kept.unwrap_or_else(|| Kept {
            spooled: Vec::with_capacity(PIECE * 512),
            hashes: Vec::with_capacity(PIECE),
            contenders: Vec::new(),
            entries: Entries::with_capacity(self.1, PIECE),
            keys: Vec::new(),
            names: Vec::new(),
        })
    }

    fn give(&self, mut kept: Kept) {
        kept.spooled.clear();
        kept.hashes.clear();
        kept.contenders.clear();
        kept.entries.clear();
        kept.keys.clear();
        if let Ok(mut p) = self.0.lock() {
            // More than are ever in flight at once (two chunks of pieces).
            if p.len() < 1024 {
                p.push(kept);
            }
        }
    }
}

impl Engine {
    /// The settled stream: pass 1 into the spool, settlement, pass 2 out of it; the counts
    pub(crate) fn spooled_stream(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
        id_hash: fn(&str) -> u64,
    ) -> Result<DecisionCounts, StreamError> {
        let pool = Pool::default();
        let mut spool = Spool::new().map_err(|e| {
            StreamError::Input(source.fail(None, format!("cannot make a temporary file: {e}")))
        })?;
        let found = self.spool_pass(source, &pool, &mut spool, sink, id_hash)?;
        write(&sink.begin()).map_err(StreamError::Output)?;
        let counts = self.unspool_pass(spool, sink, &found, write, progress);
        // What settlement found is let go on the pool, not while the caller waits: a settled
        // million's was hundreds of thousands of small frees, a thirtieth of the run.
        rayon::spawn(move || drop(found));
        counts
    }

    /// Pass 1: every record decided and spooled; repeats, ranks and settlement found
    fn spool_pass(
        &self,
        source: &InputFile,
        pool: &Pool,
        spool: &mut Spool,
        sink: &dyn Sink,
        id_hash: fn(&str) -> u64,
    ) -> Result<(Repeats, Placed), StreamError> {
        let pack = self.pack();
        // What is kept across the file, merged in order by a thread of its own while the next
        // chunk is decided.
        struct Merged {
            hashes: Vec<(u64, u32)>,
            contenders: Vec<Vec<Contender>>,
            entries: Entries,
            groups: Groups,
        }
        let mut merged = Merged {
            hashes: Vec::with_capacity(source.size_hint()),
            contenders: vec![Vec::new(); pack.clauses.len()],
            // Sized for the file at once: growing by doubling copied the entries over and over,
            // and memory not yet written costs nothing (not so for the hash table of groups,
            // whose inserts land all over it).
            entries: Entries::with_capacity(pack.settlement.len(), source.size_hint()),
            // Fewer groups than applications: sized for half as many, the table grows at most
            // once (a settled million has about half as many groups as applications; sized for
            // a million, its table was 64 MB of the run's 244 MB peak, now 24 MB)
            groups: Groups::with_capacity(source.size_hint() / 2),
        };
        let mut spool_error = None;
        let kept_pool = &KeptPool(Default::default(), pack.settlement.len());
        let plan = &settle::KeyPlan::new(pack);
        let read = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Kept>>(2);
            let (m, spool_error) = (&mut merged, &mut spool_error);
            let merger = scope.spawn(move || {
                let rules = pack.settlement.len();
                let mut groups = Vec::new();
                for pieces in rx.iter() {
                    for mut kept in pieces {
                        m.hashes.extend_from_slice(&kept.hashes);
                        for (ci, k) in kept.contenders.drain(..) {
                            m.contenders[ci].push(k);
                        }
                        groups.clear();
                        // An entry's rules that group alike have one key: looked up once.
                        let keys = &kept.keys[..kept.entries.len() * rules];
                        // The piece's slots fetched together first: their misses overlap.
                        std::hint::black_box(m.groups.fetch(keys));
                        for entry in keys.chunks(rules.max(1)) {
                            let mut last: Option<(u128, u32)> = None;
                            for k in entry {
                                groups.push(match (k, last) {
                                    (None, _) => settle::NO_GROUP,
                                    (Some(k), Some((lk, g))) if *k == lk => g,
                                    (Some(k), _) => {
                                        let g = m.groups.intern(*k);
                                        last = Some((*k, g));
                                        g
                                    }
                                });
                            }
                        }
                        m.entries.append(&kept.entries, &groups);
                        if let Err(e) = spool.append(&kept.spooled) {
                            *spool_error = Some(e);
                            // Dropping the receiver stops the reading.
                            return;
                        }
                        kept_pool.give(kept);
                    }
                }
            });
            let read = source.chunks_ahead(pool, &mut |chunk| {
                let Chunk { block, records } = chunk;
                let bytes = bytes_of(&block);
                let pieces: Vec<Kept> = records
                    .into_par_iter()
                    .chunks(PIECE)
                    .map(|piece| {
                        // Sized for a piece's records, so the buffer is not grown by copying.
                        let mut kept = kept_pool.take();
                        for r in piece {
                            self.keep(r.ready(pack, bytes), &mut kept, (sink, plan), id_hash);
                        }
                        kept
                    })
                    .collect();
                pool.give(block);
                tx.send(pieces)
                    .map_err(|_| source.fail(None, "stopped".into()))
            });
            drop(tx);
            let joined = merger.join();
            (read, joined.is_ok())
        });
        let (read, merged_ok) = read;
        if let Some(io) = spool_error.take() {
            return Err(StreamError::Input(
                source.fail(None, format!("cannot write the temporary file: {io}")),
            ));
        }
        read.map_err(StreamError::Input)?;
        if !merged_ok {
            return Err(StreamError::Input(source.fail(
                None,
                "deciding stopped on an internal error (a bug: please report it with the input)"
                    .into(),
            )));
        }
        let Merged {
            hashes,
            contenders,
            entries,
            groups,
        } = merged;
        // Every entry has its group numbers: the table of keys is not needed any more.
        drop(groups);
        let repeats = repeats_among(source, pool, hashes).map_err(StreamError::Input)?;
        // Sized at once: grown by doubling, a table of large placements was copied and its
        // fresh memory cleared again at each step.
        let mut ranks = Vec::with_capacity(contenders.iter().map(Vec::len).sum());
        for (ci, mut list) in contenders.into_iter().enumerate() {
            list.retain(|k| u32::try_from(k.index).is_ok_and(|at| !repeats.contains_key(&at)));
            for (index, placement) in count_limit::rank_contenders(pack, ci, list) {
                ranks.push((index, (ci, placement)));
            }
        }
        let ranks = ByIndex::new(ranks);
        // Settled: what is still awarded once repeats and count limits are known.
        let settled = settle::settle_entries(pack, entries, |index| {
            let repeat = u32::try_from(index).is_ok_and(|at| repeats.contains_key(&at));
            let placed_out = ranks
                .get(index)
                .is_some_and(|(_, p)| !count_limit::keeps_award(p));
            !repeat && !placed_out
        });
        Ok((
            Repeats::Known(repeats),
            Placed {
                ranks,
                settled,
                decided: Vec::new(),
            },
        ))
    }

    /// One record of pass 1: decided, rendered and spooled, and kept where a rule needs it
    fn keep(
        &self,
        ready: Ready,
        kept: &mut Kept,
        (sink, plan): (&dyn Sink, &settle::KeyPlan),
        id_hash: fn(&str) -> u64,
    ) {
        let pack = self.pack();
        let index = ready.index();
        let at = u32::try_from(index).unwrap_or(u32::MAX);
        if let Some(id) = ready.id() {
            kept.hashes.push((id_hash(id), at));
        }
        // The kind as written: a checked one's is its kind's name, borrowed (a copy of it for
        // every record was an allocation and a free each)
        let (slow_kind, checked): (Option<Option<String>>, Result<Checked, Box<Decision>>) =
            match ready {
                Ready::Fast { checked, .. } => (None, Ok(checked)),
                Ready::Slow(raw) => (Some(kind_text(&raw)), check::check_one(pack, &raw)),
            };
        let written_kind = match (&slow_kind, &checked) {
            (Some(k), _) => k.as_deref(),
            (None, Ok(c)) => Some(c.facts.kind.as_str()),
            (None, Err(_)) => None,
        };
        let mut d = match &checked {
            Ok(c) => clause::decide_one(pack, &self.code, c, false).0,
            Err(d) => (**d).clone(),
        };
        // As a finished decision leaves the stream: the pack's scale on every amount.
        d.amount = pack.rounding.apply(d.amount);
        // An award a rank or a rule may still change keeps the decision itself, with its
        // groups where a rule looks at it.
        let mut full: Option<&[Option<String>]> = None;
        if let (Ok(c), Status::Awarded) = (&checked, d.status) {
            if let Some(k) = count_limit::contender(pack, c.clause, index, &c.facts) {
                kept.contenders.push((c.clause, k));
                full = Some(&[]);
            }
            if plan.settled(c.clause) {
                plan.keys_into(pack, c.clause, &c.facts, &mut kept.names);
                // Rules that group alike share one key text: hashed once.
                let mut last: Option<(&str, u128)> = None;
                for k in &kept.names {
                    kept.keys.push(k.as_deref().map(|k| match last {
                        Some((text, h)) if text == k => h,
                        _ => {
                            let h = settle::key_hash(k);
                            last = Some((k, h));
                            h
                        }
                    }));
                }
                kept.entries.push_loose(
                    index,
                    c.clause,
                    &c.facts.id,
                    d.amount,
                    pack.period_of(&c.facts),
                    &settle::priors(pack, &self.code.history, c.clause, &c.facts),
                );
                full = Some(&kept.names);
            }
        }
        let clause = match &checked {
            Ok(c) => Some(c.clause),
            Err(_) => clause_index(pack, &d),
        };
        let entry = spool::Entry {
            decision: &d,
            clause,
            written_kind,
            full,
        };
        spool::write(&mut kept.spooled, &entry, &mut |out| {
            sink.render(index, &d, out)
        });
    }

    /// The `n`th decision out of its record, rendered into `out` and counted: a repeat's
    /// error; a decision a rank or a rule changes, read into `d` (a scratch decision), finished
    /// and rendered again; any other, its bytes from pass 1 as they are
    fn finish(
        &self,
        n: usize,
        record: &[u8],
        (repeats, placed): &(Repeats, Placed),
        sink: &dyn Sink,
        (out, counts): (&mut Vec<u8>, &mut DecisionCounts),
        (d, groups): &mut (Decision, Vec<Option<String>>),
    ) {
        let pack = self.pack();
        // Only this module writes the spool; a record it cannot read is a bug, said so.
        let unreadable = |out: &mut Vec<u8>, counts: &mut DecisionCounts| {
            let d = Decision {
                id: None,
                kind: None,
                clause: None,
                status: Status::Error,
                amount: pack.rounding.apply(rust_decimal::Decimal::ZERO),
                reasons: vec!["internal error: a decision could not be read back from the temporary file (a bug: please report it)".into()],
                rank: None,
                reached: Vec::new(),
            };
            sink.render(n, &d, out);
            counts.add(pack, &d, None);
        };
        let Some(rec) = spool::read(record) else {
            unreadable(out, counts);
            return;
        };
        // A settled stream knows its repeats by place: the id is read only for a repeat.
        let first = match repeats {
            Repeats::Known(_) => repeats.earlier(n, None),
            Repeats::Running(_) => repeats.earlier(n, rec.id()),
        };
        if let (Some(first), Some(id)) = (first, first.and_then(|_| rec.id())) {
            let mut d = check::duplicate_of(
                pack,
                id,
                rec.written_kind().map(str::to_string),
                &where_first(first),
            );
            d.amount = pack.rounding.apply(d.amount);
            sink.render(n, &d, out);
            counts.add(pack, &d, None);
            return;
        }
        if !rec.has_decision() {
            out.extend_from_slice(rec.rendered);
            counts.add_parts(rec.status, rec.amount, rec.clause);
            return;
        }
        let names = rec
            .clause
            .and_then(|ci| pack.clauses.get(ci))
            .map(|c| (c.kind.as_str(), c.id.as_str()));
        if names
            .and_then(|names| {
                // Only a decision a rule changed is put in words with its groups.
                let touched = placed.settled.touches(n);
                rec.decision_into(d, touched.then_some(&mut *groups), names)
            })
            .is_none()
        {
            unreadable(out, counts);
            return;
        }
        if let Some(ci) = rec.clause {
            placed.place(pack, ci, n, d);
        }
        if d.status == Status::Awarded {
            placed.settled.apply_named(pack, n, d, groups, false);
        }
        d.amount = pack.rounding.apply(d.amount);
        sink.render(n, d, out);
        counts.add_parts(d.status, d.amount, rec.clause);
    }

    /// Pass 2: the spool read back in order, each decision finished and rendered (in parallel,
    /// on a driver thread) while this thread writes what is rendered, so writing overlaps
    /// deciding as in the unsettled stream
    fn unspool_pass(
        &self,
        spool: Spool,
        sink: &dyn Sink,
        found: &(Repeats, Placed),
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<DecisionCounts, StreamError> {
        let pack = self.pack();
        let mut counts = DecisionCounts::new(pack.clauses.len());
        let mut write_error = None;
        let read = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Pieces>(2);
            let driver = scope.spawn(move || {
                let mut first = 0usize;
                spool.read_back(&mut |block| {
                    let records = spool::records(block);
                    let at = first;
                    first += records.len();
                    let pieces: Pieces = records
                        .par_chunks(PIECE)
                        .enumerate()
                        .map(|(p, piece)| {
                            let mut buf = buffer(PIECE * 400);
                            let mut c = DecisionCounts::new(pack.clauses.len());
                            // One decision read into again and again, its strings reused
                            let mut scratch = (spool::scratch(), Vec::new());
                            for (j, rec) in piece.iter().enumerate() {
                                let n = at + p * PIECE + j;
                                self.finish(n, rec, found, sink, (&mut buf, &mut c), &mut scratch);
                            }
                            (buf, c)
                        })
                        .collect();
                    // A closed channel means the writer stopped (it failed): stop reading.
                    Ok(tx.send(pieces).is_ok())
                })
            });
            write_error = write_in_order(&rx, &mut counts, write, progress);
            drop(rx);
            driver.join()
        });
        if let Some(e) = write_error {
            return Err(StreamError::Output(e));
        }
        let read = read.unwrap_or_else(|_| Err(io::Error::other("stopped on an internal error")));
        read.map_err(|e| {
            StreamError::Output(io::Error::other(format!(
                "cannot read the temporary file back: {e}"
            )))
        })?;
        Ok(counts)
    }
}
