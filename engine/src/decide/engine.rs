//! The [`Engine`]: a pack loaded and compiled, ready to decide. Its other abilities (explain,
//! compare, sweep, targets, tests, streams) are `impl Engine` blocks in the modules that own them.

use std::path::Path;
use std::sync::Arc;

use crate::decide::clause;
use crate::input::RawApplication;
use crate::load;
use crate::load::scenario::Scenario;
use crate::model::decision::{self, Decision, Totals};
use crate::model::error::LoadErrors;
use crate::model::lang::Lang;
use crate::model::pack::Pack;
use crate::script::compiled::Compiled;
use crate::script::host::ScriptHost;
use crate::script::limits::ScriptLimits;

/// A loaded pack, ready to decide. `Send + Sync`: share one across threads.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The pack as read: plain data
    pub(crate) pack: Pack,
    /// Its scripts compiled, with the memo of what they decided
    pub(crate) code: Compiled,
}

impl Engine {
    /// Shows a person what the engine itself writes (an error decision's reasons, a count
    /// limit's or settlement rule's explanation) in `lang` rather than the pack's `language`
    ///
    /// ```
    /// use policy_engine::{Engine, Lang};
    /// let mut engine = Engine::load("../policies/suzhou-future-industries").unwrap();
    /// engine.set_language(Lang::En);
    /// let apps = policy_engine::parse_applications(
    ///     "- {id: A, kind: talent_team}",
    ///     policy_engine::InputFormat::Yaml,
    /// )
    /// .unwrap();
    /// let d = &engine.decide(&apps)[0];
    /// assert_eq!(d.reasons[0], "missing field `year`: expected a whole number");
    /// engine.set_language(Lang::Zh);
    /// assert_eq!(engine.decide(&apps)[0].reasons[0], "缺少字段 `year`：应为整数");
    /// ```
    pub fn set_language(&mut self, lang: Lang) {
        self.pack.shown = lang;
    }

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
        let host = ScriptHost::new(limits);
        let (pack, scripts) = load::pack::load(dir.as_ref(), &host)?;
        let code = Compiled::new(Arc::new(host), scripts);
        Ok(Engine { pack, code })
    }

    /// This engine with a scenario's changes applied; the whole scenario is checked first
    ///
    /// # Errors
    /// Every unknown clause or parameter (with the nearest name), every value not in its
    /// parameter's unit, every replacement script that does not compile.
    pub fn with_scenario(&self, scenario: &Scenario) -> Result<Engine, LoadErrors> {
        let (pack, scripts) =
            load::scenario::apply(&self.pack, &self.code.scripts, &self.code.host, scenario)?;
        // Other parameters, other outcomes: the variant remembers its own. The record of what
        // was paid before is the same.
        let mut code = Compiled::new(self.code.host.clone(), scripts);
        code.history = self.code.history.clone();
        Ok(Engine { pack, code })
    }

    /// This engine with a record of what was paid before (`--history`): a ledger (CSV, or the
    /// first sheet of an .xlsx workbook) with the columns `applicant` (the value the rules know
    /// the applicant by: its credit code, else its name), `clause`, `period` and `amount` (or
    /// 申报单位, 条款, 年度, 金额), or an earlier run's decisions (JSON, JSONL or CSV) written
    /// with the applicant's fields (`policy run --with-applicant`). Settlement rules
    /// read it: a cap counts what the same applicant was paid before toward its limit (in the
    /// group's year, or in every year for a rule with `per: []`), and an award that builds on
    /// another is paid where the base was paid before.
    ///
    /// # Errors
    /// A ledger that cannot be read, a missing column, and every row with an unknown clause, a
    /// period that is not a year or an amount that is not yuan, each with its line.
    pub fn with_history(&self, path: impl AsRef<Path>) -> Result<Engine, LoadErrors> {
        let history = load::history::read_history(path.as_ref(), &self.pack)?;
        let mut engine = self.clone();
        engine.code.history = Arc::new(history);
        Ok(engine)
    }

    /// How many earlier payments the engine's history records (0 without one)
    pub fn history_len(&self) -> usize {
        self.code.history.len()
    }

    /// The sandbox the scripts run in
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn host(&self) -> &ScriptHost {
        &self.code.host
    }

    /// This engine deciding every script's outcome without the memo: the lowered tree where it
    /// answers, else Rhai. For the differential tests, which compare the ways to an outcome.
    #[cfg(feature = "fuzzing")]
    #[doc(hidden)]
    pub fn without_memo(&self) -> Engine {
        self.with_paths(crate::script::memo::Paths::NoMemo)
    }

    /// This engine deciding every script's outcome in Rhai alone (no memo, no lowered tree).
    /// For the differential tests.
    #[cfg(feature = "fuzzing")]
    #[doc(hidden)]
    pub fn rhai_only(&self) -> Engine {
        self.with_paths(crate::script::memo::Paths::RhaiOnly)
    }

    /// The ids of the clauses whose script the lowered tree runs (where it answers). For the
    /// differential tests, to know they compare something.
    #[cfg(feature = "fuzzing")]
    #[doc(hidden)]
    pub fn lowered_clauses(&self) -> Vec<String> {
        self.pack
            .clauses
            .iter()
            .zip(&self.code.scripts)
            .filter(|(_, s)| s.plan().is_some())
            .map(|(c, _)| c.id.clone())
            .collect()
    }

    #[cfg(feature = "fuzzing")]
    fn with_paths(&self, paths: crate::script::memo::Paths) -> Engine {
        let mut engine = self.clone();
        engine.code.memo = Arc::new(crate::script::memo::Memo::with_paths(
            self.code.scripts.len(),
            paths,
        ));
        engine
    }

    /// The loaded pack: its identity, kinds and clauses
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// Decides every application, in input order: exactly one decision each
    pub fn decide(&self, apps: &[RawApplication]) -> Vec<Decision> {
        clause::decide_all(&self.pack, &self.code, apps)
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
        // Every argument is checked: those that parse against the pack, alongside those that do not.
        let (scenario, mut errors) = Scenario::from_sets_partly(args);
        match self.with_scenario(&scenario) {
            Ok(engine) if errors.is_empty() => Ok(engine),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.0.extend(more.0);
                Err(errors)
            }
        }
    }

    /// Totals of a batch of decisions
    pub fn totals(&self, decisions: &[Decision]) -> Totals {
        decision::totals(decisions, self.pack.rounding)
    }
}

/// The engine on the pack the repository ships, for the unit tests of every stage
#[cfg(test)]
pub(crate) fn shipped() -> Engine {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../policies/suzhou-future-industries"
    );
    match Engine::load(dir) {
        Ok(engine) => engine,
        Err(e) => panic!("the shipped pack loads: {e}"),
    }
}

/// The shipped pack's clause with a count limit, for the tests of ranking
#[cfg(test)]
pub(crate) fn limited_clause(engine: &Engine) -> usize {
    match engine
        .pack()
        .clauses
        .iter()
        .position(|c| c.count_limit.is_some())
    {
        Some(ci) => ci,
        None => panic!("the shipped pack has a count limit"),
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
