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
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod decide;
mod error;
mod explain;
mod input;
mod money;
mod pack;
mod script;
mod script_refs;
mod suggest;
mod validate;
mod value;
mod yaml;

use std::path::Path;

pub use decide::{sum, totals, Decision, Rank, Status, Totals};
pub use error::{LoadError, LoadErrors};
pub use explain::{ClauseCited, Explanation, FactRead, LimitApplied, ParameterRead};
pub use input::{parse_applications, read_applications, InputError, InputFormat, RawApplication};
pub use money::{group_thousands, parse_decimal, yuan_words, NumberError, Rounding, RoundingMode};
pub use pack::{
    Clause, CountLimit, Field, Kind, Pack, Parameter, Precondition, Source, TextFormat, Unit,
};
pub use script::{ScriptError, ScriptLimits};
pub use value::{FieldType, Value};
pub use yaml::Pos;

/// A loaded pack, ready to decide. `Send + Sync`: share one across threads.
#[derive(Debug)]
pub struct Engine {
    pack: Pack,
    host: script::ScriptHost,
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
        Ok(Engine { pack, host })
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
