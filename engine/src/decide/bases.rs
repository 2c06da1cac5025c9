//! The pass before a streamed run of a pack whose clauses read other decisions
//! (`depends_on`, `others.amount("id")` in a script).
//!
//! A clause that depends on others is decided with the same applicant's awards under them in
//! the same period, so those awards must be known before the run decides anything. This pass
//! reads the input once per layer of dependencies (one, for the usual "在此基础上再给予"),
//! decides only the applications of the clauses others depend on, leaves out repeated ids and
//! awards a count limit places out, and keeps the totals per applicant and period, not the
//! decisions. The run then decides every application as a pack without dependencies does,
//! with the totals at hand.

use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;

use crate::decide::count_limit::{self, Contender};
use crate::decide::engine::Engine;
use crate::decide::first_pass::repeats_among;
use crate::decide::{check, clause};
use crate::input::file::{bytes_of, Chunk, InputFile, Pool, Ready, Record};
use crate::input::InputError;
use crate::model::decided::{self, applicant_period, Decided};
use crate::model::decision::Status;
use crate::model::facts::Checked;

/// What the pass keeps of one record: its index, its id's hash, and, for an award of a clause
/// others depend on, its clause, applicant and period, amount and standing under a count limit
type Look = (usize, Option<u64>, Option<Award>);
type Award = (usize, u128, Decimal, Option<Contender>);

impl Engine {
    /// This engine with the awards of the clauses others depend on, read from `source`; the
    /// engine itself where no clause depends on another
    pub(crate) fn with_decided_from(
        &self,
        source: &InputFile,
        pool: &Pool,
        id_hash: fn(&str) -> u64,
    ) -> Result<Engine, InputError> {
        let pack = self.pack();
        let mut engine = self.clone();
        if !decided::any(pack) {
            return Ok(engine);
        }
        let layers = decided::layers(pack);
        let depth = layers.iter().copied().max().unwrap_or(0);
        engine.code.decided = Arc::default();
        for below in 0..depth {
            let wanted: Vec<bool> = (0..pack.clauses.len())
                .map(|ci| layers[ci] == below && decided::depended_on(pack, ci))
                .collect();
            let found = engine.base_pass(source, pool, &wanted, id_hash)?;
            let mut all = (*engine.code.decided).clone();
            all.merge(found);
            engine.code.decided = Arc::new(all);
        }
        Ok(engine)
    }

    /// One pass over the input: the awards of the clauses `wanted` marks, totalled
    fn base_pass(
        &self,
        source: &InputFile,
        pool: &Pool,
        wanted: &[bool],
        id_hash: fn(&str) -> u64,
    ) -> Result<Decided, InputError> {
        let pack = self.pack();
        let mut hashes: Vec<(u64, u32)> = Vec::with_capacity(source.size_hint());
        let mut contenders: Vec<Vec<Contender>> = vec![Vec::new(); pack.clauses.len()];
        let mut awards: Vec<(usize, usize, u128, Decimal)> = Vec::new();
        let mut seen: Vec<Look> = Vec::new();
        source.chunks_ahead(pool, &mut |chunk| {
            let Chunk { block, records } = chunk;
            let bytes = bytes_of(&block);
            seen.clear();
            seen.par_extend(
                records
                    .into_par_iter()
                    .map(|r| self.base_look(r, bytes, wanted, id_hash)),
            );
            for (index, id, award) in seen.drain(..) {
                let at = u32::try_from(index).unwrap_or(u32::MAX);
                if let Some(h) = id {
                    hashes.push((h, at));
                }
                if let Some((ci, key, amount, k)) = award {
                    if let Some(k) = k {
                        contenders[ci].push(k);
                    }
                    awards.push((index, ci, key, amount));
                }
            }
            pool.give(block);
            Ok(())
        })?;
        let repeats = repeats_among(source, pool, hashes)?;
        let repeat = |index: usize| u32::try_from(index).is_ok_and(|at| repeats.contains_key(&at));
        let mut placed_out = FxHashSet::default();
        for (ci, mut list) in contenders.into_iter().enumerate() {
            list.retain(|k| !repeat(k.index));
            for (index, placement) in count_limit::rank_contenders(pack, ci, list) {
                if !count_limit::keeps_award(&placement) {
                    placed_out.insert(index);
                }
            }
        }
        let mut found = Decided::default();
        for (index, ci, key, amount) in awards {
            if !repeat(index) && !placed_out.contains(&index) {
                found.add(key, ci, amount);
            }
        }
        Ok(found)
    }

    /// One record of the pass: decided only if its clause is wanted
    fn base_look(
        &self,
        r: Record,
        bytes: &[u8],
        wanted: &[bool],
        id_hash: fn(&str) -> u64,
    ) -> Look {
        let pack = self.pack();
        let ready = r.ready(pack, bytes);
        let index = ready.index();
        let id = ready.id().map(id_hash);
        let checked: Option<Checked> = match ready {
            Ready::Fast { checked, .. } => Some(checked),
            Ready::Slow(raw) => check::check_one(pack, &raw).ok(),
        };
        let Some(c) = checked.filter(|c| wanted.get(c.clause).copied().unwrap_or(false)) else {
            return (index, id, None);
        };
        let (d, _) = clause::decide_one(pack, &self.code, &c, false);
        if d.status != Status::Awarded {
            return (index, id, None);
        }
        let Some(key) = applicant_period(pack, &c.facts) else {
            return (index, id, None);
        };
        let amount = pack.rounding.apply(d.amount);
        let contender = count_limit::contender(pack, c.clause, index, &c.facts);
        (index, id, Some((c.clause, key, amount, contender)))
    }
}
