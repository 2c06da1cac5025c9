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
//! ## Load a pack
//!
//! [`Engine::load`] reads, checks and compiles a pack: every problem comes back at once as
//! [`LoadErrors`], each with its file, line and column. [`Engine::pack`] is the [`Pack`] as
//! plain data (clauses, parameters, kinds, targets); the compiled scripts stay inside the engine.
//!
//! ## Decide
//!
//! [`Engine::decide`] gives exactly one [`Decision`] per application, in input order: a status,
//! an amount and the reasons, citing the article. Applications come from
//! [`parse_applications`] (a text), [`read_applications`] (a file), or an [`InputFile`] that
//! [`Engine::decide_stream`] decides into a [`Sink`] in flat memory, however large the file.
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
//! )?;
//! let decisions = engine.decide(&apps);
//! assert_eq!(decisions[0].status, Status::Awarded);
//! assert_eq!(decisions[0].amount.to_string(), "30000.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Explain
//!
//! [`Engine::explain`] re-runs one decision traced: the clause and its original sentence, every
//! parameter and fact read with its value, each step of the arithmetic, and the count limit
//! that applied.
//!
//! ```
//! # use policy_engine::{parse_applications, Engine, InputFormat};
//! # let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries");
//! # let engine = Engine::load(pack)?;
//! # let apps = parse_applications(
//! #     r#"[{"id": "A-1", "year": 2025, "kind": "competition_award",
//! #          "applicant": {"name": "某科技有限公司", "in_city": true}, "prize": "second"}]"#,
//! #     InputFormat::Json,
//! # )?;
//! let why = engine.explain(&apps, "A-1").ok_or("no such application")?;
//! let clause = why.clause.as_ref().ok_or("decided by a clause")?;
//! assert_eq!(clause.id, "competition-award");
//! assert!(!clause.text.is_empty(), "the sentence of the source it encodes");
//! assert!(why.parameters.iter().any(|p| p.name == "competition-award.second"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Compare
//!
//! A [`Scenario`] changes parameters, switches clauses off or replaces scripts;
//! [`Engine::with_scenario`] (or [`Engine::with_sets`] for `clause.param=value` overrides)
//! checks it whole and gives the changed engine. [`Engine::compare`] sets scenarios against
//! this engine on the same applications: a [`ScenarioComparison`] per scenario, with budgets per
//! clause and per year, winners, losers and the largest changes. [`Engine::sweep`] tries a range
//! of values of one parameter; [`Engine::targets`] counts progress toward the policy's targets;
//! [`Engine::compare_stream`] compares over a file of any size.
//!
//! ```
//! # use policy_engine::{parse_applications, Engine, InputFormat};
//! # let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries");
//! # let engine = Engine::load(pack)?;
//! # let apps = parse_applications(
//! #     r#"[{"id": "A-1", "year": 2025, "kind": "competition_award",
//! #          "applicant": {"name": "某科技有限公司", "in_city": true}, "prize": "second"}]"#,
//! #     InputFormat::Json,
//! # )?;
//! let raised = engine.with_sets(&["competition-award.second=5万".to_string()])?;
//! let c = &engine.compare(&apps, &[("二等奖 5 万", &raised)])[0];
//! assert_eq!(c.total.change.to_string(), "20000.00");
//! assert_eq!(c.winners, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Test and document
//!
//! [`Engine::run_tests`] runs the pack's own tests and measures which outcomes of each clause
//! they reach; [`diff_packs`] lists what changed between two versions of a pack;
//! [`application_schema`] and [`decisions_schema`] describe the input and the output as JSON
//! Schema.
//!
//! ## Inside
//!
//! The modules follow the pipeline an application takes (see `ARCHITECTURE.md` at the
//! repository root): `model` (plain data) → `script` (the sandbox) → `load` (pack files) →
//! `input` (application files) → `decide` → `analyse` (explain, compare, targets, tests).
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

pub use analyse::compare::{
    AppChange, BudgetLine, ClauseBudget, ScenarioComparison, SweepPoint, LARGEST_CHANGES,
};
pub use analyse::explain::{
    ClauseCited, Explanation, FactRead, KeyApplied, LimitApplied, ParameterRead, RuleApplied,
    SettlementApplied,
};
pub use analyse::schema::{application_schema, decisions_schema};
pub use analyse::targets::Progress;
pub use analyse::testing::{
    CaseResult, Coverage, Failure, OutcomeCovered, TestReport, WorkedExample, WorkedExampleRow,
};
pub use decide::stream::{Sink, StreamError, Summary};
pub use decide::Engine;
pub use input::file::{parse_application_bytes, InputFile, DEFAULT_MAX_LINE_BYTES};
pub use input::DEFAULT_MAX_INPUT_BYTES;
pub use input::{parse_applications, read_applications, InputError, InputFormat, RawApplication};
pub use load::language::pack_language;
pub use load::lint::text_in_source;
pub use load::params::parse_parameter_value;
pub use load::revision::{diff_packs, Revision};
pub use load::scenario::{ChangeOrigin, Scenario, ScenarioChange};
pub use model::bands::{Band, BandMethod, BandUnit, Bands};
pub use model::date::Date;
pub use model::decision::{awarded_total, sum_amounts, totals, Decision, Rank, Status, Totals};
pub use model::error::{LoadError, LoadErrors};
pub use model::history::{History, Paid};
pub use model::json_text::is_plain_json_text;
pub use model::lang::{Lang, Message};
pub use model::money::{
    group_thousands, parse_decimal, push_decimal, yuan_and_wan, yuan_and_wan_in, NumberError,
    Rounding, RoundingMode,
};
pub use model::pack::{
    Clause, CountLimit, CutMethod, DatedValue, Field, Kind, Pack, Parameter, Precondition, RankKey,
    RankOrder, RuleKind, SettlementRule, Source, Target, TargetComparison, TargetMeasure, Unit,
};
pub use model::pos::Pos;
pub use model::value::{FieldType, TextFormat, Value};
pub use script::host::with_deadline;
pub use script::limits::ScriptLimits;
