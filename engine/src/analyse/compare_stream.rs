//! Scenarios compared with a baseline over a file of any size, in flat memory: one streamed
//! pass decides each application for the baseline and, only where a scenario changes its
//! clause, for the scenario.

use rayon::prelude::*;

use crate::analyse::compare::{
    applicant_fields, applicant_key, changed_clauses, point_of, ScenarioComparison, ScenarioTally,
    SweepPoint,
};
use crate::analyse::targets::{self, Progress};
use crate::decide::first_pass::{id_hash, Placed};
use crate::decide::repeats::Repeats;
use crate::decide::stream::{StreamError, PIECE};
use crate::decide::{self, Engine};
use crate::input::file::{bytes_of, Chunk, InputFile, Pool, Ready};
use crate::load::scenario::Scenario;
use crate::model::decided;
use crate::model::pack::Pack;

impl Engine {
    /// Compares each scenario with this engine (the baseline) over every application of a
    /// source, in memory that does not grow with the file: the same comparisons as
    /// [`Engine::compare`], and the baseline's progress toward the pack's targets. Only the
    /// clauses a scenario changes are decided again for it.
    ///
    /// # Errors
    /// An input that cannot be read at all.
    pub fn compare_stream(
        &self,
        source: &InputFile,
        scenarios: &[(&str, &Engine)],
    ) -> Result<(Vec<ScenarioComparison>, Vec<Progress>), StreamError> {
        let reads_others =
            decided::any(self.pack()) || scenarios.iter().any(|(_, v)| decided::any(v.pack()));
        if !reads_others {
            return self.compare_decided(source, scenarios);
        }
        // Clauses that read others' decisions: each side's first (`decide/bases.rs`).
        let pool = Pool::default();
        let with = |e: &Engine| {
            e.with_decided_from(source, &pool, id_hash)
                .map_err(StreamError::Input)
        };
        let base = with(self)?;
        let variants = scenarios
            .iter()
            .map(|(_, v)| with(v))
            .collect::<Result<Vec<Engine>, StreamError>>()?;
        let named: Vec<(&str, &Engine)> = scenarios
            .iter()
            .zip(&variants)
            .map(|((name, _), v)| (*name, v))
            .collect();
        base.compare_decided(source, &named)
    }

    /// As [`Engine::compare_stream`], once the decisions other clauses read are known
    fn compare_decided(
        &self,
        source: &InputFile,
        scenarios: &[(&str, &Engine)],
    ) -> Result<(Vec<ScenarioComparison>, Vec<Progress>), StreamError> {
        let base = self.pack();
        let pool = Pool::default();
        let changed: Vec<Vec<bool>> = scenarios
            .iter()
            .map(|(_, v)| changed_clauses(base, v.pack()))
            .collect();
        let settles: Vec<bool> = scenarios
            .iter()
            .map(|(_, v)| !v.pack().settlement.is_empty() || !base.settlement.is_empty())
            .collect();
        let settles = &settles;
        let fields: Vec<Option<&[String]>> = scenarios
            .iter()
            .map(|(_, v)| applicant_fields(base, v.pack()))
            .collect();
        let fields = &fields;
        // Pass 1: repeats, and placements under the limits of the baseline and of each
        // scenario that changes a limited clause (the others place as the baseline does).
        let (repeats, base_placements, placements) =
            self.place_all(source, &pool, scenarios, &changed)?;

        // Pass 2: each application decided for the baseline once, and again for a scenario
        // only where the scenario changes its clause; counted in pieces, merged in order.
        type Counted = (Vec<ScenarioTally>, targets::Counter);
        let fresh = || -> Counted {
            (
                vec![ScenarioTally::new(base); scenarios.len()],
                targets::Counter::new(base),
            )
        };
        let mut total = fresh();
        let repeats = &repeats;
        source
            .chunks_ahead(&pool, &mut |chunk| {
                let Chunk { block, records } = chunk;
                let bytes = bytes_of(&block);
                let pieces: Vec<Counted> = records
                    .into_par_iter()
                    .chunks(PIECE)
                    .map(|piece| {
                        let mut counted = fresh();
                        for r in piece {
                            let r = r.ready(base, bytes);
                            let b = self.decide_ready(&r, repeats, &base_placements);
                            // The checked facts, unless the application is a repeat or fails
                            // its checks
                            let slow;
                            let checked = match &r {
                                _ if repeats.earlier(r.index(), r.id()).is_some() => None,
                                Ready::Fast { checked, .. } => Some(checked),
                                Ready::Slow(raw) => {
                                    slow = decide::check_one(base, raw).ok();
                                    slow.as_ref()
                                }
                            };
                            let clause = checked.map(|c| c.clause);
                            let period = checked.and_then(|c| base.period_of(&c.facts));
                            let who: Vec<Option<u128>> = fields
                                .iter()
                                .map(|f| f.zip(checked).map(|(f, c)| applicant_key(f, &c.facts)))
                                .collect();
                            counted.1.add(base, &b, checked.map(|c| &*c.facts));
                            for (i, (_, variant)) in scenarios.iter().enumerate() {
                                let again = clause.is_some_and(|ci| changed[i][ci]) || settles[i];
                                if again {
                                    let s = variant.decide_ready(&r, repeats, &placements[i]);
                                    counted.0[i].add(base, &b, &s, clause, period, who[i]);
                                } else {
                                    counted.0[i].add(base, &b, &b, clause, period, who[i]);
                                }
                            }
                        }
                        counted
                    })
                    .collect();
                pool.give(block);
                for (tallies, counter) in pieces {
                    for (t, later) in total.0.iter_mut().zip(tallies) {
                        t.merge(later);
                    }
                    total.1.merge(counter);
                }
                Ok(())
            })
            .map_err(StreamError::Input)?;
        let comparisons = total
            .0
            .into_iter()
            .zip(scenarios)
            .map(|(t, (name, variant))| t.finish(name, base, variant.pack()))
            .collect();
        Ok((comparisons, total.1.finish(base)))
    }

    /// The first pass of a comparison: repeats, the baseline's placements under its count
    /// limits, and each scenario's (its own where it changes a limited clause, else the
    /// baseline's)
    fn place_all(
        &self,
        source: &InputFile,
        pool: &Pool,
        scenarios: &[(&str, &Engine)],
        changed: &[Vec<bool>],
    ) -> Result<(Repeats, Placed, Vec<Placed>), StreamError> {
        let base = self.pack();
        let limited =
            |p: &Pack, ci: usize| p.clauses.get(ci).is_some_and(|c| c.count_limit.is_some());
        let own: Vec<usize> = scenarios
            .iter()
            .zip(changed)
            .enumerate()
            .filter(|(_, ((_, v), ch))| {
                // Settlement looks at every decision of an applicant: a scenario settles on its
                // own whenever either side has rules.
                !v.pack().settlement.is_empty()
                    || !base.settlement.is_empty()
                    || ch
                        .iter()
                        .enumerate()
                        .any(|(ci, c)| *c && (limited(v.pack(), ci) || limited(base, ci)))
            })
            .map(|(i, _)| i)
            .collect();
        let others: Vec<&Engine> = own.iter().map(|i| scenarios[*i].1).collect();
        let (repeats, mut placed) = self
            .first_pass(source, pool, &others, id_hash, false)
            .map_err(StreamError::Input)?;
        let base_placements = placed.remove(0);
        let mut own_placements = placed.into_iter();
        let placements: Vec<Placed> = (0..scenarios.len())
            .map(|i| {
                if own.contains(&i) {
                    own_placements.next().unwrap_or_default()
                } else {
                    base_placements.clone()
                }
            })
            .collect();
        Ok((repeats, base_placements, placements))
    }

    /// As [`Engine::sweep`], over a source of any size in flat memory: each value is a
    /// scenario compared with this engine in one streamed pass
    ///
    /// # Errors
    /// A value that does not apply ([`StreamError::Changes`], before anything is read), or an
    /// input that cannot be read.
    pub fn sweep_stream(
        &self,
        source: &InputFile,
        target: &str,
        values: &[String],
    ) -> Result<Vec<SweepPoint>, StreamError> {
        let mut variants = Vec::with_capacity(values.len());
        for v in values {
            let scenario =
                Scenario::from_sets(&[format!("{target}={v}")]).map_err(StreamError::Changes)?;
            variants.push(
                self.with_scenario(&scenario)
                    .map_err(StreamError::Changes)?,
            );
        }
        let pairs: Vec<(&str, &Engine)> = values
            .iter()
            .map(String::as_str)
            .zip(variants.iter())
            .collect();
        let (comparisons, _) = self.compare_stream(source, &pairs)?;
        Ok(comparisons
            .iter()
            .map(|c| point_of(self.pack(), c))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A comparison has no second pass that finishes decisions: its first pass keeps none
    /// (they were made, encoded and held for nothing, and cloned for each scenario that places
    /// as the baseline does, up to 64 MiB each)
    #[test]
    fn a_comparisons_first_pass_keeps_no_decisions() {
        let engine = crate::decide::engine::shipped();
        let mut text = String::new();
        for i in 0..30 {
            text.push_str(&format!(
                "{{\"id\":\"C-{i}\",\"year\":2026,\"kind\":\"scenario_case\",\"applicant\":{{\"name\":\"A{i}\",\"in_city\":true}},\"selected\":true,\"score\":{}}}\n",
                90 - i % 13
            ));
        }
        let path = std::env::temp_dir().join(format!("compare-kept-{}.jsonl", std::process::id()));
        assert!(std::fs::write(&path, &text).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let Ok(variant) = engine.with_sets(&["talent-team.tier1=1".to_string()]) else {
            panic!("the change applies");
        };
        let scenarios = [("v", &variant)];
        let changed = vec![changed_clauses(engine.pack(), variant.pack())];
        let pool = Pool::default();
        let alone = engine.place_all(&file, &pool, &[], &[]);
        let beside = engine.place_all(&file, &pool, &scenarios, &changed);
        // A plain stream's does keep them.
        let stream = engine.first_pass(&file, &pool, &[], id_hash, true);
        let _ = std::fs::remove_file(&path);
        let Ok((_, stream)) = stream else {
            panic!("the first pass reads the file");
        };
        assert_eq!(stream.first().map(|p| p.decided.len()), Some(30));
        let (Ok((_, alone, _)), Ok((_, base, placements))) = (alone, beside) else {
            panic!("the first passes read the file");
        };
        assert!(!alone.ranks.is_empty());
        assert!(alone.decided.is_empty(), "{}", alone.decided.len());
        assert!(base.decided.is_empty(), "{}", base.decided.len());
        assert!(placements.iter().all(|p| p.decided.is_empty()));
    }
}
