//! The command line: every subcommand, flag and format that clap parses.
//!
//! Each subcommand's flags are one struct, so a command's module takes its arguments whole.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::render::diagnostics::ErrorFormat;

#[derive(Parser)]
#[command(
    name = "policy",
    version,
    about = "Decide subsidies and awards from a policy pack"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How errors in packs are written: human (with the source line) or json (for editors)
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// The language of what a person reads: zh or en (else LC_ALL / LANG, else the pack's
    /// `language:`, else en). JSON, JSONL and CSV keep their English codes
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<policy_engine::Lang>,
}

fn parse_lang(text: &str) -> Result<policy_engine::Lang, String> {
    match text {
        "zh" => Ok(policy_engine::Lang::Zh),
        "en" => Ok(policy_engine::Lang::En),
        _ => Err(format!("`{text}`: expected zh (中文) or en (English)")),
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Check a pack: metadata, fields, parameters and scripts; errors name file, line and column
    Check(CheckArgs),
    /// Decide every application of an input file
    Run(RunArgs),
    /// Explain the decision on one application: clause, text, parameters, facts, arithmetic
    Explain(ExplainArgs),
    /// Run the pack's tests (`tests/*.yaml`) and report outcome coverage; ends with
    /// `N passed, M failed`
    Test(TestArgs),
    /// What a revision changed, old beside new (修改对照表); with --input, what it does to each
    /// application and to the total
    Diff(DiffArgs),
    /// The pack as a document: each article's text beside its parameters and script, with the
    /// pack's tests as worked examples
    Doc(DocArgs),
    /// Re-check and re-test a pack on every save, printing only what changed (Ctrl-C stops)
    Watch(WatchArgs),
    /// Generate valid synthetic applications for a pack (deterministic: same seed, same bytes)
    Gen(GenArgs),
    /// Serve the engine over HTTP, reloading the pack when it changes (loopback by default)
    Serve(ServeArgs),
    /// Decide again every decision of a decision log and report any that differs
    Replay(ReplayArgs),
    /// JSON Schemas of the pack's applications and of the decisions document
    Schema(SchemaArgs),
    /// Scaffold something new in a pack
    New {
        #[command(subcommand)]
        what: NewWhat,
    },
    /// List the clauses with their articles, parameters, values (and timelines) and units
    Clauses(ClausesArgs),
    /// Baseline against each scenario (each --scenario file; all --set together as one):
    /// cost per clause and per year, winners and losers
    Compare(CompareArgs),
    /// Progress toward the pack's stated targets, counted from the decisions
    Targets(TargetsArgs),
    /// The budget for each value of one parameter, from A to B by S
    Sweep(SweepArgs),
}

// The structs below carry no `///` of their own: the variant's doc comment above is the
// subcommand's help, and a struct's doc comment would compete with it.

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The pack directory
    pub pack: PathBuf,
    /// Treat warnings (a parameter never read, a kind no clause decides …) as errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub batch: Batch,
    #[command(flatten)]
    pub changes: Changes,
    /// Output format; JSON, JSONL and CSV are written as they are decided
    #[arg(long, value_enum, default_value_t = RunFormat::Table)]
    pub format: RunFormat,
    /// Write to this file (through a temporary name, renamed when complete) instead of
    /// standard output
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress line, even on a terminal
    #[arg(long)]
    pub quiet: bool,
    /// Beside each decision (JSON, JSONL, CSV), the application's `applicant:` fields and its
    /// period, as written, so a later run can read the output as its --history; decided in
    /// memory
    #[arg(long)]
    pub with_applicant: bool,
    /// The table with every reason whole; by default a reason longer than fits a terminal is
    /// shortened with "…" (`policy explain --id` shows it whole)
    #[arg(long)]
    pub wide: bool,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub batch: Batch,
    #[command(flatten)]
    pub changes: Changes,
    /// The application's id
    #[arg(long)]
    pub id: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::Args)]
pub struct TestArgs {
    /// The pack directory
    pub pack: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Fail when fewer than this percentage of clause outcomes are reached by a test
    #[arg(long, value_name = "PERCENT")]
    pub min_coverage: Option<String>,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The pack before
    pub old: PathBuf,
    /// The pack after
    pub new: PathBuf,
    /// Applications to decide under both
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Output format: table, json, or md (a Markdown table to paste into a document)
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
}

#[derive(clap::Args)]
pub struct DocArgs {
    /// The pack directory
    pub pack: PathBuf,
    /// md (Markdown) or html (one self-contained page)
    #[arg(long, value_enum, default_value_t = DocFormat::Md)]
    pub format: DocFormat,
}

#[derive(clap::Args)]
pub struct WatchArgs {
    /// The pack directory
    pub pack: PathBuf,
    /// Stop after this many re-runs (for scripts and tests)
    #[arg(long, hide = true)]
    pub runs: Option<usize>,
}

#[derive(clap::Args)]
pub struct GenArgs {
    /// The pack directory
    #[arg(long)]
    pub pack: PathBuf,
    /// How many applications
    #[arg(long)]
    pub count: u64,
    /// The seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Percent of applications made by an applicant met a little earlier, in the same period
    /// (for settlement rules); 0 makes every applicant new
    #[arg(long, default_value_t = 0)]
    pub repeat_applicants: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = GenOut::Jsonl)]
    pub format: GenOut,
    /// Write to this file instead of standard output
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The pack directory
    #[arg(long)]
    pub pack: PathBuf,
    /// The pack's previous version: /clauses then shows what changed since it (loaded once,
    /// at start)
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Where to listen
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Append one JSON line per decision to this file (for `policy replay`)
    #[arg(long)]
    pub decision_log: Option<PathBuf>,
    /// Swap in a changed pack only if its own tests pass too
    #[arg(long)]
    pub require_tests: bool,
    /// Largest request body, in bytes
    #[arg(long, default_value_t = 8 << 20)]
    pub max_body_bytes: usize,
    /// Time limit of one request, in milliseconds: its work stops there, and it gets 503
    #[arg(long, default_value_t = 30_000)]
    pub timeout_ms: u64,
    /// Most applications in one request (413 past it)
    #[arg(long, default_value_t = 10_000)]
    pub max_applications: usize,
    /// Most connections open at once; one more gets 503 and is closed
    #[arg(long, default_value_t = 512)]
    pub max_connections: usize,
    /// Requests decided at once (default: one per core)
    #[arg(long)]
    pub workers: Option<usize>,
    /// Requests waiting for a worker; one more gets 503 with Retry-After
    #[arg(long, default_value_t = 64)]
    pub queue: usize,
    /// Time for a client to send a request's headers, and then its body, in milliseconds
    #[arg(long, default_value_t = 10_000)]
    pub read_timeout_ms: u64,
    /// fsync the decision log before each answer (default: once a second)
    #[arg(long)]
    pub fsync_log: bool,
}

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// The decision log written by `policy serve --decision-log`
    pub log: PathBuf,
    /// The pack to decide with
    #[arg(long)]
    pub pack: PathBuf,
}

#[derive(clap::Args)]
pub struct SchemaArgs {
    /// The pack directory
    pub pack: PathBuf,
    /// Which schema: application (default) or decisions
    #[arg(long, default_value = "application")]
    pub of: String,
}

#[derive(clap::Args)]
pub struct ClausesArgs {
    /// The pack directory
    pub pack: PathBuf,
}

#[derive(clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub what_if: WhatIf,
    /// Also write a self-contained HTML report with charts
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct TargetsArgs {
    #[command(flatten)]
    pub what_if: WhatIf,
    /// Also write a self-contained HTML report with a chart
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

// What compare and targets both take: the batch, the changes and the table format.
#[derive(clap::Args)]
pub struct WhatIf {
    #[command(flatten)]
    pub batch: Batch,
    #[command(flatten)]
    pub changes: Changes,
    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub batch: Batch,
    /// The parameter, `clause-id.param` (`clause-id.param[n]` for band n of a band table)
    #[arg(long)]
    pub param: String,
    /// First value: a number, or a date (`2026-06-30`) for a date parameter
    #[arg(long)]
    pub from: String,
    /// Last value (included when the steps reach it)
    #[arg(long)]
    pub to: String,
    /// Step between values (between dates, a whole number of days)
    #[arg(long)]
    pub step: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    /// Also write a self-contained HTML report with the curve
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum NewWhat {
    /// A clause: its YAML, its script and a test, entered in pack.yaml
    Clause(NewClauseArgs),
    /// A pack: pack.yaml, one example clause with its test, example applications and a place
    /// for the policy's text; it checks clean and passes its test at once
    Pack(NewPackArgs),
}

#[derive(clap::Args)]
pub struct NewPackArgs {
    /// The folder to create (new or empty)
    pub dir: PathBuf,
    /// The pack's id, e.g. `hefei-rd-subsidies`
    #[arg(long)]
    pub id: String,
    /// The policy's title
    #[arg(long)]
    pub title: String,
    /// Who issues the policy, e.g. 某市科学技术局
    #[arg(long)]
    pub issuer: String,
}

#[derive(clap::Args)]
pub struct NewClauseArgs {
    /// The pack directory
    pub pack: PathBuf,
    /// The new clause's id, e.g. `tech-research`
    pub id: String,
    /// The kind of application it decides (a new kind is added to pack.yaml)
    #[arg(long)]
    pub kind: String,
    /// The article it encodes, e.g. 四(一)2
    #[arg(long)]
    pub article: String,
    /// Its title
    #[arg(long)]
    pub title: String,
    /// The exact sentence of the source it encodes
    #[arg(long)]
    pub text: Option<String>,
}

/// The pack and the applications to decide
#[derive(clap::Args)]
pub struct Batch {
    /// The pack directory
    #[arg(long)]
    pub pack: PathBuf,
    /// The applications: .yaml, .json, .jsonl, .csv or .xlsx
    #[arg(long)]
    pub input: PathBuf,
    /// The input's format, when its file name does not say it
    #[arg(long, value_enum)]
    pub input_format: Option<InFormat>,
    /// The sheet of an .xlsx input (the first sheet otherwise)
    #[arg(long)]
    pub sheet: Option<String>,
    /// The longest JSONL line read; a longer one is an error for that line only
    #[arg(long, default_value_t = policy_engine::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    /// The most bytes the input may have (a file, or what a pipe gives); more is refused
    #[arg(long, default_value_t = policy_engine::DEFAULT_MAX_INPUT_BYTES)]
    pub max_input_bytes: u64,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum InFormat {
    Yaml,
    Json,
    Jsonl,
    Csv,
    Xlsx,
}

impl InFormat {
    pub fn engine(self) -> policy_engine::InputFormat {
        use policy_engine::InputFormat as F;
        match self {
            InFormat::Yaml => F::Yaml,
            InFormat::Json => F::Json,
            InFormat::Jsonl => F::Jsonl,
            InFormat::Csv => F::Csv,
            InFormat::Xlsx => F::Xlsx,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RunFormat {
    /// Aligned text for people, with totals per clause
    Table,
    /// The decisions document: pack, decisions, totals
    Json,
    /// One decision per line
    Jsonl,
    /// YAML
    Yaml,
    /// One decision per row
    Csv,
    /// An Excel workbook: a decisions sheet and a totals sheet (needs --output)
    Xlsx,
}

/// What-if changes to the pack
#[derive(clap::Args)]
pub struct Changes {
    /// Override a parameter: `clause-id.param=value` (`60万`, `15%` allowed); `@year` sets one
    /// year of a timeline. Repeatable
    #[arg(long = "set", value_name = "CLAUSE.PARAM=VALUE")]
    pub set: Vec<String>,
    /// A scenario file (name, description, set / disable / replace). Repeatable
    #[arg(long, value_name = "FILE")]
    pub scenario: Vec<PathBuf>,
    /// What was paid before, which the pack's settlement rules and scripts read: a ledger
    /// (CSV or .xlsx: applicant, clause, period, amount), or an earlier run's decisions
    /// (.json, .jsonl, .csv) written with `--with-applicant`
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Aligned text for people
    Table,
    /// JSON (for `run`, the decisions document: pack, decisions, totals)
    Json,
    /// YAML
    Yaml,
}

/// Output formats of `policy gen`
#[derive(Clone, Copy, ValueEnum)]
pub enum GenOut {
    Jsonl,
    Json,
    Yaml,
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DocFormat {
    /// Markdown
    Md,
    /// HTML
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    /// Aligned text for people
    Table,
    /// JSON
    Json,
    /// Markdown
    Md,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TableFormat {
    /// Aligned text for people
    Table,
    /// JSON
    Json,
    /// CSV, one row per line of the tables
    Csv,
}
