//! # policy-engine
//!
//! A rules engine for public-money policy: subsidies, awards and grants written as clauses that
//! the people who draft the policy can read and change. A **pack** is a directory:
//!
//! - `pack.yaml`: the policy's identity, its rounding rule, the kinds of application with their
//!   typed fields, and preconditions every clause shares;
//! - `clauses/<id>.yaml`: one clause's article, original text, parameters (value, unit) and
//!   limits;
//! - `clauses/<id>.rhai`: that clause's logic, a short [Rhai](https://rhai.rs) script.
//!
//! Money is [`rust_decimal::Decimal`] from input to output, inside scripts too; amounts are
//! rounded once, by the pack's [`Rounding`]. Scripts run in a sandbox with bounded operations,
//! call depth and sizes; a script that fails or never ends gives an `error` decision for that
//! application only.
//!
//! ```
//! use policy_engine::{parse_applications, Engine, InputFormat, Status};
//!
//! let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries");
//! let engine = Engine::load(pack)?;
//! let apps = parse_applications(
//!     r#"[{"id": "A-1", "year": 2025, "kind": "competition_award",
//!          "applicant": {"name": "某科技有限公司", "in_city": true}, "prize": "second"}]"#,
//!     InputFormat::Json,
//! )
//! .map_err(|(_, message)| message)?;
//! let decisions = engine.decide(&apps);
//! assert_eq!(decisions[0].status, Status::Awarded);
//! assert_eq!(decisions[0].amount.to_string(), "30000.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod compare;
mod decide;
mod error;
mod explain;
mod fastpath;
mod input;
mod lowered;
mod memo;
mod money;
mod pack;
mod revision;
mod scenario;
mod schema;
mod script;
mod script_refs;
mod stream;
mod suggest;
mod targets;
mod testing;
mod validate;
mod value;
mod xlsx;
mod yaml;

use std::path::Path;

pub use compare::{AppChange, ClauseBudget, Comparison, Line, SweepPoint, LARGEST};
pub use decide::{sum, totals, Decision, Rank, Status, Totals};
pub use error::{LoadError, LoadErrors};
pub use explain::{ClauseCited, Explanation, FactRead, LimitApplied, ParameterRead};
pub use input::{parse_applications, read_applications, InputError, InputFormat, RawApplication};
pub use money::{group_thousands, parse_decimal, yuan_words, NumberError, Rounding, RoundingMode};
pub use pack::{
    Clause, Comparison as TargetComparison, CountLimit, Counts, Dated, Field, Kind, Pack,
    Parameter, Precondition, Source, Target, TextFormat, Unit,
};
pub use revision::{diff, Revision};
pub use scenario::{Change, Origin, Scenario};
pub use schema::{application_schema, decisions_schema};
pub use script::{ScriptError, ScriptLimits};
pub use stream::{InputFile, Sink, StreamError, Summary, DEFAULT_MAX_LINE_BYTES};
pub use targets::Progress;
pub use testing::{CaseResult, Coverage, Example, ExampleRow, Failure, OutcomeCovered, TestReport};
pub use value::{FieldType, Value};
pub use yaml::Pos;

/// A loaded pack, ready to decide. `Send + Sync`: share one across threads.
#[derive(Debug, Clone)]
pub struct Engine {
    pack: Pack,
    host: std::sync::Arc<script::ScriptHost>,
}

impl Engine {
    /// Loads, checks and compiles the pack in `dir` with the default sandbox limits
    ///
    /// # Errors
    /// Every problem found in the pack, each with its file and, where known, line and column.
    pub fn load(dir: impl AsRef<Path>) -> Result<Engine, LoadErrors> {
        Engine::load_with_limits(dir, ScriptLimits::default())
    }

    /// Loads a pack with the given sandbox limits
    ///
    /// # Errors
    /// As [`Engine::load`].
    pub fn load_with_limits(
        dir: impl AsRef<Path>,
        limits: ScriptLimits,
    ) -> Result<Engine, LoadErrors> {
        let host = script::ScriptHost::new(limits);
        let pack = pack::load(dir.as_ref(), &host)?;
        Ok(Engine {
            pack,
            host: std::sync::Arc::new(host),
        })
    }

    /// This engine with a scenario's changes applied; the whole scenario is checked first
    ///
    /// # Errors
    /// Every unknown clause or parameter (with the nearest name), every value not in its
    /// parameter's unit, every replacement script that does not compile.
    pub fn with_scenario(&self, scenario: &Scenario) -> Result<Engine, LoadErrors> {
        let pack = scenario::apply(&self.pack, &self.host, scenario)?;
        Ok(Engine {
            pack,
            host: self.host.clone(),
        })
    }

    pub(crate) fn host(&self) -> &script::ScriptHost {
        &self.host
    }

    /// The loaded pack: its identity, kinds and clauses
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// Decides every application, in input order: exactly one decision each
    pub fn decide(&self, apps: &[RawApplication]) -> Vec<Decision> {
        decide::decide_all(&self.pack, &self.host, apps)
    }

    /// Explains the decision on the first application with this id, in the context of the
    /// whole batch (count limits rank it against the others); `None` if no application has it
    pub fn explain(&self, apps: &[RawApplication], id: &str) -> Option<Explanation> {
        explain::explain(&self.pack, &self.host, apps, id)
    }

    /// This engine with `--set` style overrides (`clause-id.param=value`, `@year` for one year
    /// of a timeline) applied; every argument is checked, and every problem reported at once
    ///
    /// ```
    /// # let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries");
    /// let engine = policy_engine::Engine::load(pack)?;
    /// let raised = engine.with_sets(&["rd-platform.provincial=60万".to_string()])?;
    /// assert_ne!(raised.pack().fingerprint, engine.pack().fingerprint);
    /// // A misspelt name is refused with the nearest one.
    /// let err = engine.with_sets(&["rd-platfrom.provincial=1".to_string()]).unwrap_err();
    /// assert!(err.to_string().contains("did you mean `rd-platform`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Malformed arguments, unknown clauses or parameters (with the nearest name), values not
    /// in their parameter's unit.
    pub fn with_sets(&self, args: &[String]) -> Result<Engine, LoadErrors> {
        let mut errors = LoadErrors::default();
        let mut changes = Vec::new();
        for a in args {
            match Change::parse_set(a) {
                Ok(c) => changes.push(c),
                Err(e) => errors.push(LoadError::new(Path::new("--set"), None, e)),
            }
        }
        let scenario = Scenario {
            name: args.join(" "),
            description: None,
            changes,
        };
        match self.with_scenario(&scenario) {
            Ok(engine) if errors.is_empty() => Ok(engine),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.0.extend(more.0);
                Err(errors)
            }
        }
    }

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
    /// ).map_err(|(_, m)| m)?;
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
    ) -> Vec<Comparison> {
        let checked = decide::check_all(&self.pack, apps);
        let baseline = decide::decide_all_checked(&self.pack, &self.host, &checked);
        scenarios
            .iter()
            .map(|(name, variant)| {
                let decided = compare::decide_variant(
                    &self.pack,
                    &variant.pack,
                    &variant.host,
                    &checked,
                    &baseline,
                );
                compare::compare(
                    name,
                    &self.pack,
                    &variant.pack,
                    &checked,
                    &baseline,
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
            .map(|c| compare::point_of(&self.pack, c))
            .collect())
    }

    /// Decides the applications and counts progress toward each of the pack's targets
    pub fn targets(&self, apps: &[RawApplication]) -> (Vec<Decision>, Vec<Progress>) {
        let checked = decide::check_all(&self.pack, apps);
        let decisions = decide::decide_all_checked(&self.pack, &self.host, &checked);
        let progress = targets::progress(&self.pack, &checked, &decisions);
        (decisions, progress)
    }

    /// Runs the pack's own tests (`tests/*.yaml`) and measures which outcomes of each clause
    /// they reach
    ///
    /// # Errors
    /// A test file that cannot be read, or a case whose overrides or scenario do not apply.
    pub fn run_tests(&self) -> Result<TestReport, LoadErrors> {
        testing::run(self)
    }

    /// The pack's test cases decided now, as worked examples for its documentation
    ///
    /// # Errors
    /// As [`Engine::run_tests`].
    pub fn examples(&self) -> Result<Vec<Example>, LoadErrors> {
        testing::examples(self)
    }

    /// Totals of a batch of decisions
    pub fn totals(&self, decisions: &[Decision]) -> Totals {
        decide::totals(decisions, self.pack.rounding)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::Engine>();
    }
}

/// Entry points for the fuzz targets in `fuzz/`: not part of the API
#[doc(hidden)]
pub mod fuzzing {
    use super::*;

    /// Reads a text as YAML and as pack and clause metadata; must never panic or hang
    pub fn metadata(text: &str) {
        pack::fuzz_metadata(text);
    }

    /// Compiles a text as the first clause's script and runs it for `applications` (JSON)
    pub fn script(engine: &Engine, source: &str, applications: &str) {
        let limits = ScriptLimits {
            max_operations: 10_000,
            ..ScriptLimits::default()
        };
        let host = script::ScriptHost::new(limits);
        if let Ok(compiled) = host.compile(Path::new("fuzz.rhai"), source.to_string()) {
            let mut pack = engine.pack.clone();
            if let Some(c) = pack.clauses.first_mut() {
                c.script = compiled;
            }
            pack.memo = std::sync::Arc::new(memo::Memo::new(pack.clauses.len()));
            let apps = parse_applications(applications, InputFormat::Json).unwrap_or_default();
            let fuzzed = Engine {
                pack,
                host: std::sync::Arc::new(host),
            };
            let _ = fuzzed.decide(&apps);
            // Wherever the lowered script answers, Rhai must answer the same.
            let pack = fuzzed.pack();
            for raw in &apps {
                if let Ok(c) = decide::check_one(pack, raw) {
                    let clause = &pack.clauses[c.clause];
                    let params = decide::params_view(pack, clause, &c.facts);
                    let agreed = lowered::agrees(fuzzed.host(), &clause.script, &c.facts, &params);
                    assert!(agreed.is_ok(), "{agreed:?}");
                }
            }
        }
    }

    /// Reads bytes as applications in every text format and decides them with `engine`
    pub fn applications(engine: &Engine, data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        for format in [
            InputFormat::Yaml,
            InputFormat::Json,
            InputFormat::Jsonl,
            InputFormat::Csv,
        ] {
            if let Ok(apps) = parse_applications(text, format) {
                let decisions = engine.decide(&apps);
                assert_eq!(decisions.len(), apps.len(), "one decision per application");
            }
        }
        for line in text.lines() {
            // The quick readers must agree with the general one wherever they answer.
            let general = input::json_line(line, 0, 1);
            if let Some((id, kind)) = fastpath::scan_id_kind(line) {
                assert_eq!(id, general.id(), "{line}");
                assert_eq!(
                    kind.map(str::to_string),
                    validate::kind_text(&general),
                    "{line}"
                );
            }
            if let Some(light) = fastpath::light(line, 0, 1) {
                assert_eq!(light.id(), general.id(), "{line}");
                assert_eq!(
                    validate::kind_text(&light),
                    validate::kind_text(&general),
                    "{line}"
                );
            }
            if let Some(c) = fastpath::json_facts(engine.pack(), line) {
                let checked = decide::check_one(engine.pack(), &general);
                assert!(
                    checked.is_ok(),
                    "quick path accepted what the checker refuses: {line}"
                );
                if let Ok(g) = checked {
                    assert_eq!(c.facts.values, g.facts.values, "{line}");
                    assert_eq!(c.facts.id, g.facts.id, "{line}");
                    assert_eq!(c.clause, g.clause, "{line}");
                }
            }
        }
    }
}
