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

mod analyse;
mod decide;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod input;
mod load;
mod model;
mod script;

pub use analyse::compare::{AppChange, ClauseBudget, Comparison, Line, SweepPoint, LARGEST};
pub use analyse::explain::{ClauseCited, Explanation, FactRead, LimitApplied, ParameterRead};
pub use analyse::schema::{application_schema, decisions_schema};
pub use analyse::targets::Progress;
pub use analyse::testing::{
    CaseResult, Coverage, Example, ExampleRow, Failure, OutcomeCovered, TestReport,
};
pub use decide::stream::{InputFile, Sink, StreamError, Summary, DEFAULT_MAX_LINE_BYTES};
pub use decide::Engine;
pub use input::{parse_applications, read_applications, InputError, InputFormat, RawApplication};
pub use load::revision::{diff, Revision};
pub use load::scenario::{Change, Origin, Scenario};
pub use model::decision::{sum, totals, Decision, Rank, Status, Totals};
pub use model::error::{LoadError, LoadErrors};
pub use model::money::{
    group_thousands, parse_decimal, yuan_words, NumberError, Rounding, RoundingMode,
};
pub use model::outcome::ScriptError;
pub use model::pack::{
    Clause, Comparison as TargetComparison, CountLimit, Counts, Dated, Field, Kind, Pack,
    Parameter, Precondition, Source, Target, Unit,
};
pub use model::pos::Pos;
pub use model::value::{FieldType, TextFormat, Value};
pub use script::limits::ScriptLimits;
