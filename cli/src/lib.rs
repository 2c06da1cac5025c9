//! The `policy` command as a library: [`main_with`] takes the arguments and the two output
//! streams, so tests drive exactly what the binary runs.
//!
//! Exit codes: 0 every application decided; 1 some applications had errors (every other one
//! is still decided and printed); 2 a usage, input-file or pack error.

mod doc;
mod gen;
mod output;
mod render;
mod report;
mod scaffold;
pub mod serve;
mod table;
mod watch;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use policy_engine::{Engine, Scenario, Status};

#[derive(Parser)]
#[command(
    name = "policy",
    version,
    about = "Decide subsidies and awards from a policy pack"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How errors in packs are written: human (with the source line) or json (for editors)
    #[arg(long, global = true, value_enum, default_value_t = render::ErrorFormat::Human)]
    error_format: render::ErrorFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Check a pack: metadata, fields, parameters and scripts; errors name file, line and column
    Check {
        /// The pack directory
        pack: PathBuf,
        /// Treat warnings (a parameter never read, a kind no clause decides …) as errors
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Decide every application of an input file
    Run {
        #[command(flatten)]
        batch: Batch,
        #[command(flatten)]
        changes: Changes,
        /// Output format; JSON, JSONL and CSV are written as they are decided
        #[arg(long, value_enum, default_value_t = RunFormat::Table)]
        format: RunFormat,
        /// Write to this file (through a temporary name, renamed when complete) instead of
        /// standard output
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// No progress line, even on a terminal
        #[arg(long)]
        quiet: bool,
    },
    /// Explain the decision on one application: clause, text, parameters, facts, arithmetic
    Explain {
        #[command(flatten)]
        batch: Batch,
        #[command(flatten)]
        changes: Changes,
        /// The application's id
        #[arg(long)]
        id: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Run the pack's tests (`tests/*.yaml`) and report outcome coverage; ends with
    /// `N passed, M failed`
    Test {
        /// The pack directory
        pack: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Fail when fewer than this percentage of clause outcomes are reached by a test
        #[arg(long, value_name = "PERCENT")]
        min_coverage: Option<String>,
    },
    /// What a revision changed, old beside new (修改对照表); with --input, what it does to each
    /// application and to the total
    Diff {
        /// The pack before
        old: PathBuf,
        /// The pack after
        new: PathBuf,
        /// Applications to decide under both
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output format: table, json, or md (a Markdown table to paste into a document)
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
    },
    /// The pack as a document: each article's text beside its parameters and script, with the
    /// pack's tests as worked examples
    Doc {
        /// The pack directory
        pack: PathBuf,
        /// md (Markdown) or html (one self-contained page)
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
    },
    /// Re-check and re-test a pack on every save, printing only what changed (Ctrl-C stops)
    Watch {
        /// The pack directory
        pack: PathBuf,
        /// Stop after this many re-runs (for scripts and tests)
        #[arg(long, hide = true)]
        runs: Option<usize>,
    },
    /// Generate valid synthetic applications for a pack (deterministic: same seed, same bytes)
    Gen {
        /// The pack directory
        #[arg(long)]
        pack: PathBuf,
        /// How many applications
        #[arg(long)]
        count: u64,
        /// The seed
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output format
        #[arg(long, value_enum, default_value_t = GenOut::Jsonl)]
        format: GenOut,
        /// Write to this file instead of standard output
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Serve the engine over HTTP, reloading the pack when it changes (loopback by default)
    Serve {
        /// The pack directory
        #[arg(long)]
        pack: PathBuf,
        /// Where to listen
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Append one JSON line per decision to this file (for `policy replay`)
        #[arg(long)]
        decision_log: Option<PathBuf>,
        /// Swap in a changed pack only if its own tests pass too
        #[arg(long)]
        require_tests: bool,
        /// Largest request body, in bytes
        #[arg(long, default_value_t = 8 << 20)]
        max_body_bytes: usize,
        /// Time limit of one request, in milliseconds
        #[arg(long, default_value_t = 30_000)]
        timeout_ms: u64,
    },
    /// Decide again every decision of a decision log and report any that differs
    Replay {
        /// The decision log written by `policy serve --decision-log`
        log: PathBuf,
        /// The pack to decide with
        #[arg(long)]
        pack: PathBuf,
    },
    /// JSON Schemas of the pack's applications and of the decisions document
    Schema {
        /// The pack directory
        pack: PathBuf,
        /// Which schema: application (default) or decisions
        #[arg(long, default_value = "application")]
        of: String,
    },
    /// Scaffold something new in a pack
    New {
        #[command(subcommand)]
        what: NewWhat,
    },
    /// List the clauses with their articles, parameters, values (and timelines) and units
    Clauses {
        /// The pack directory
        pack: PathBuf,
    },
    /// Baseline against each scenario (each --scenario file; all --set together as one):
    /// cost per clause and per year, winners and losers
    Compare {
        #[command(flatten)]
        batch: Batch,
        #[command(flatten)]
        changes: Changes,
        /// Output format
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        /// Also write a self-contained HTML report with charts
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
    },
    /// Progress toward the pack's stated targets, counted from the decisions
    Targets {
        #[command(flatten)]
        batch: Batch,
        #[command(flatten)]
        changes: Changes,
        /// Output format
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        /// Also write a self-contained HTML report with a chart
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
    },
    /// The budget for each value of one parameter, from A to B by S
    Sweep {
        #[command(flatten)]
        batch: Batch,
        /// The parameter, `clause-id.param`
        #[arg(long)]
        param: String,
        /// First value
        #[arg(long)]
        from: String,
        /// Last value (included when the steps reach it)
        #[arg(long)]
        to: String,
        /// Step between values
        #[arg(long)]
        step: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        /// Also write a self-contained HTML report with the curve
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum NewWhat {
    /// A clause: its YAML, its script and a test, entered in pack.yaml
    Clause {
        /// The pack directory
        pack: PathBuf,
        /// The new clause's id, e.g. `tech-research`
        id: String,
        /// The kind of application it decides (a new kind is added to pack.yaml)
        #[arg(long)]
        kind: String,
        /// The article it encodes, e.g. 四(一)2
        #[arg(long)]
        article: String,
        /// Its title
        #[arg(long)]
        title: String,
        /// The exact sentence of the source it encodes
        #[arg(long)]
        text: Option<String>,
    },
}

/// The pack and the applications to decide
#[derive(clap::Args)]
struct Batch {
    /// The pack directory
    #[arg(long)]
    pack: PathBuf,
    /// The applications: .yaml, .json, .jsonl, .csv or .xlsx
    #[arg(long)]
    input: PathBuf,
    /// The input's format, when its file name does not say it
    #[arg(long, value_enum)]
    input_format: Option<InFormat>,
    /// The sheet of an .xlsx input (the first sheet otherwise)
    #[arg(long)]
    sheet: Option<String>,
    /// The longest JSONL line read; a longer one is an error for that line only
    #[arg(long, default_value_t = policy_engine::DEFAULT_MAX_LINE_BYTES)]
    max_line_bytes: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum InFormat {
    Yaml,
    Json,
    Jsonl,
    Csv,
    Xlsx,
}

impl InFormat {
    fn engine(self) -> policy_engine::InputFormat {
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
enum RunFormat {
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
struct Changes {
    /// Override a parameter: `clause-id.param=value` (`60万`, `15%` allowed); `@year` sets one
    /// year of a timeline. Repeatable
    #[arg(long = "set", value_name = "CLAUSE.PARAM=VALUE")]
    set: Vec<String>,
    /// A scenario file (name, description, set / disable / replace). Repeatable
    #[arg(long, value_name = "FILE")]
    scenario: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned text for people
    Table,
    /// JSON (for `run`, the decisions document: pack, decisions, totals)
    Json,
    /// YAML
    Yaml,
}

#[derive(Clone, Copy, ValueEnum)]
enum GenOut {
    Jsonl,
    Json,
    Yaml,
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum DocFormat {
    /// Markdown
    Md,
    /// HTML
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Aligned text for people
    Table,
    /// JSON
    Json,
    /// Markdown
    Md,
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    /// Aligned text for people
    Table,
    /// JSON
    Json,
    /// CSV, one row per line of the tables
    Csv,
}

/// Every application decided
pub const EXIT_OK: u8 = 0;
/// Some applications had errors; all others were decided and printed
pub const EXIT_APPLICATION_ERRORS: u8 = 1;
/// A usage, input-file or pack error
pub const EXIT_FAILURE: u8 = 2;

/// Where the command writes
struct Io<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

impl Io<'_> {
    /// A closed pipe (`policy run … | head`) is not worth a panic: write errors are ignored
    fn emit(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    fn warn(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }
}

/// Runs `policy` with these arguments (the first is the program name) and returns the exit code
pub fn main_with<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut io = Io { out, err };
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                io.warn(text.trim_end());
                return EXIT_FAILURE;
            }
            io.emit(&text);
            return EXIT_OK;
        }
    };
    render::set_error_format(cli.error_format);
    let result = match cli.command {
        Command::Check {
            pack,
            deny_warnings,
        } => check(&mut io, &pack, deny_warnings),
        Command::Run {
            batch,
            changes,
            format,
            output,
            quiet,
        } => run(&mut io, &batch, &changes, format, output.as_deref(), quiet),
        Command::Explain {
            batch,
            changes,
            id,
            format,
        } => explain(&mut io, &batch, &changes, &id, format),
        Command::Clauses { pack } => clauses(&mut io, &pack),
        Command::Schema { pack, of } => load(&pack).and_then(|engine| {
            let schema = match of.as_str() {
                "application" => policy_engine::application_schema(engine.pack()),
                "decisions" => policy_engine::decisions_schema(),
                other => {
                    return Err(format!(
                        "error: --of `{other}`: expected `application` or `decisions`"
                    ))
                }
            };
            io.emit(&render::to_json(&schema)?);
            Ok(EXIT_OK)
        }),
        Command::Serve {
            pack,
            addr,
            decision_log,
            require_tests,
            max_body_bytes,
            timeout_ms,
        } => serve::serve(
            serve::Options {
                pack,
                addr,
                decision_log,
                require_tests,
                max_body_bytes,
                timeout: std::time::Duration::from_millis(timeout_ms),
            },
            None,
        )
        .map(|_| EXIT_OK),
        Command::Replay { log, pack } => {
            serve::replay(&log, &pack, &mut |line| io.emit(&format!("{line}\n"))).map(|all_same| {
                if all_same {
                    EXIT_OK
                } else {
                    EXIT_APPLICATION_ERRORS
                }
            })
        }
        Command::Gen {
            pack,
            count,
            seed,
            format,
            output,
        } => load(&pack).and_then(|engine| {
            let format = match format {
                GenOut::Jsonl => gen::GenFormat::Jsonl,
                GenOut::Json => gen::GenFormat::Json,
                GenOut::Yaml => gen::GenFormat::Yaml,
                GenOut::Csv => gen::GenFormat::Csv,
                GenOut::Xlsx => gen::GenFormat::Xlsx,
            };
            match output {
                Some(path) => {
                    let mut file = output::AtomicFile::create(&path)?;
                    let mut buf = Vec::new();
                    gen::generate(engine.pack(), count, seed, format, &mut buf)
                        .map_err(|e| format!("error: {e}"))?;
                    file.write(&buf)
                        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
                    file.finish()?;
                }
                None => gen::generate(engine.pack(), count, seed, format, &mut io.out)
                    .map_err(|e| format!("error: {e}"))?,
            }
            Ok(EXIT_OK)
        }),
        Command::Watch { pack, runs } => {
            watch::watch(&pack, runs, &mut |line| io.emit(&format!("{line}\n")));
            Ok(EXIT_OK)
        }
        Command::Doc { pack, format } => load(&pack).and_then(|engine| {
            let examples = engine.examples().map_err(|e| render::load_errors(&e))?;
            io.emit(&match format {
                DocFormat::Md => doc::markdown(engine.pack(), &examples),
                DocFormat::Html => doc::html(engine.pack(), &examples),
            });
            Ok(EXIT_OK)
        }),
        Command::New {
            what:
                NewWhat::Clause {
                    pack,
                    id,
                    kind,
                    article,
                    title,
                    text,
                },
        } => scaffold::new_clause(&scaffold::NewClause {
            pack: &pack,
            id: &id,
            kind: &kind,
            article: &article,
            title: &title,
            text: text.as_deref(),
        })
        .map(|written| {
            io.emit(&format!(
                "wrote {}\nnext: edit the script and the test, then `policy check` and `policy test`\n",
                written.join(", ")
            ));
            EXIT_OK
        }),
        Command::Diff {
            old,
            new,
            input,
            format,
        } => diff(&mut io, &old, &new, input.as_deref(), format),
        Command::Test {
            pack,
            format,
            min_coverage,
        } => test(&mut io, &pack, format, min_coverage.as_deref()),
        Command::Compare {
            batch,
            changes,
            format,
            report,
        } => compare(&mut io, &batch, &changes, format, report.as_deref()),
        Command::Targets {
            batch,
            changes,
            format,
            report,
        } => targets(&mut io, &batch, &changes, format, report.as_deref()),
        Command::Sweep {
            batch,
            param,
            from,
            to,
            step,
            format,
            report,
        } => sweep(
            &mut io,
            &batch,
            &param,
            [&from, &to, &step],
            format,
            report.as_deref(),
        ),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            io.warn(&message);
            EXIT_FAILURE
        }
    }
}

fn load(pack: &Path) -> Result<Engine, String> {
    Engine::load(pack).map_err(|e| render::load_errors(&e))
}

fn check(io: &mut Io<'_>, pack: &Path, deny_warnings: bool) -> Result<u8, String> {
    let json = render::error_format() == render::ErrorFormat::Json;
    let engine = match Engine::load(pack) {
        Ok(e) => e,
        Err(e) if json => {
            // For editors the diagnostics are the output.
            io.emit(&format!("{}\n", render::diagnostics(&e.0, &[])));
            return Ok(EXIT_FAILURE);
        }
        Err(e) => return Err(render::load_errors(&e)),
    };
    let p = engine.pack();
    let failing = deny_warnings && !p.warnings.is_empty();
    if json {
        let (errors, warnings): (&[policy_engine::LoadError], &[policy_engine::LoadError]) =
            if failing {
                (&p.warnings, &[])
            } else {
                (&[], &p.warnings)
            };
        io.emit(&format!("{}\n", render::diagnostics(errors, warnings)));
    } else {
        if !p.warnings.is_empty() {
            io.warn(&render::diagnostics(&[], &p.warnings));
        }
        if failing {
            io.warn("error: warnings are denied (--deny-warnings)");
        } else {
            io.emit(&format!(
                "ok: {} {} ({}): {} clauses, {} kinds of application\nfingerprint {}\n",
                p.id,
                p.version,
                p.status,
                p.clauses.len(),
                p.kinds.len(),
                p.fingerprint
            ));
        }
    }
    Ok(if failing { EXIT_FAILURE } else { EXIT_OK })
}

/// The base engine with every scenario file, then every `--set`, applied in order
fn load_changed(batch: &Batch, changes: &Changes) -> Result<Engine, String> {
    let mut engine = load(&batch.pack)?;
    for file in &changes.scenario {
        let scenario = Scenario::load(file).map_err(|e| render::load_errors(&e))?;
        engine = engine
            .with_scenario(&scenario)
            .map_err(|e| render::load_errors(&e))?;
    }
    if !changes.set.is_empty() {
        engine = engine
            .with_sets(&changes.set)
            .map_err(|e| render::load_errors(&e))?;
    }
    Ok(engine)
}

/// The input file of a batch, read with the pack's column aliases
fn input_file(batch: &Batch, engine: &Engine) -> Result<policy_engine::InputFile, String> {
    policy_engine::InputFile::new(&batch.input, batch.input_format.map(InFormat::engine))
        .map(|f| {
            f.with_aliases(engine.pack().aliases.clone())
                .with_sheet(batch.sheet.clone())
                .with_max_line_bytes(batch.max_line_bytes)
        })
        .map_err(|e| format!("error: {e}"))
}

fn read_input(
    batch: &Batch,
    engine: &Engine,
) -> Result<Vec<policy_engine::RawApplication>, String> {
    input_file(batch, engine)?
        .read_all()
        .map_err(|e| format!("error: {e}"))
}

fn run(
    io: &mut Io<'_>,
    batch: &Batch,
    changes: &Changes,
    format: RunFormat,
    output: Option<&Path>,
    quiet: bool,
) -> Result<u8, String> {
    let engine = load_changed(batch, changes)?;
    let source = input_file(batch, &engine)?;
    let (count, errors) = match format {
        RunFormat::Json | RunFormat::Jsonl | RunFormat::Csv => {
            let sink: Box<dyn policy_engine::Sink> = match format {
                RunFormat::Json => Box::new(output::JsonSink::new(engine.pack())),
                RunFormat::Jsonl => Box::new(output::JsonlSink),
                _ => Box::new(output::CsvSink),
            };
            let mut file = output.map(output::AtomicFile::create).transpose()?;
            let out = &mut io.out;
            // A progress line only for a person watching: stderr a terminal, not --quiet.
            let bar = if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                indicatif::ProgressBar::hidden()
            } else {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {human_pos} applications decided in {elapsed}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar
            };
            let summary = engine
                .decide_stream_with_progress(
                    &source,
                    sink.as_ref(),
                    &mut |bytes| match &mut file {
                        Some(f) => f.write(bytes),
                        None => out.write_all(bytes),
                    },
                    &mut |n| bar.set_position(n as u64),
                )
                .map_err(|e| format!("error: {e}"))?;
            bar.finish_and_clear();
            if let Some(f) = file {
                f.finish()?;
            }
            let errors = summary
                .by_status
                .iter()
                .find(|(s, _)| *s == Status::Error)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (summary.totals.applications, errors)
        }
        RunFormat::Table | RunFormat::Yaml | RunFormat::Xlsx => {
            let apps = source.read_all().map_err(|e| format!("error: {e}"))?;
            let decisions = engine.decide(&apps);
            let totals = engine.totals(&decisions);
            let text = match format {
                RunFormat::Yaml => render::decisions_yaml(engine.pack(), &decisions, &totals)?,
                RunFormat::Xlsx => {
                    let Some(path) = output else {
                        return Err(
                            "error: --format xlsx writes a workbook: give --output <file.xlsx>"
                                .into(),
                        );
                    };
                    output::write_xlsx(path, engine.pack(), &decisions, &totals)?;
                    String::new()
                }
                _ => render::decisions_table(engine.pack(), &decisions, &totals),
            };
            match output {
                Some(_) if matches!(format, RunFormat::Xlsx) => {}
                Some(path) => {
                    let mut f = output::AtomicFile::create(path)?;
                    f.write(text.as_bytes())
                        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
                    f.finish()?;
                }
                None => io.emit(&text),
            }
            let errors = decisions
                .iter()
                .filter(|d| d.status == Status::Error)
                .count();
            (decisions.len(), errors)
        }
    };
    if errors > 0 {
        io.warn(&format!(
            "{errors} of {count} applications had errors; every other application was decided"
        ));
        return Ok(EXIT_APPLICATION_ERRORS);
    }
    Ok(EXIT_OK)
}

fn explain(
    io: &mut Io<'_>,
    batch: &Batch,
    changes: &Changes,
    id: &str,
    format: Format,
) -> Result<u8, String> {
    let engine = load_changed(batch, changes)?;
    let apps = read_input(batch, &engine)?;
    let Some(explanation) = engine.explain(&apps, id) else {
        return Err(format!(
            "error: no application with id `{id}` in {}",
            batch.input.display()
        ));
    };
    let text = match format {
        Format::Json => render::to_json(&explanation)?,
        Format::Yaml => render::to_yaml(&explanation)?,
        Format::Table => render::explanation_text(engine.pack(), &explanation),
    };
    io.emit(&text);
    Ok(if explanation.decision.status == Status::Error {
        EXIT_APPLICATION_ERRORS
    } else {
        EXIT_OK
    })
}

fn clauses(io: &mut Io<'_>, pack: &Path) -> Result<u8, String> {
    let engine = load(pack)?;
    io.emit(&render::clauses_text(engine.pack()));
    Ok(EXIT_OK)
}

fn compare(
    io: &mut Io<'_>,
    batch: &Batch,
    changes: &Changes,
    format: TableFormat,
    report: Option<&Path>,
) -> Result<u8, String> {
    let base = load(&batch.pack)?;
    // Every scenario is checked before anything is decided.
    let mut variants: Vec<(String, Engine)> = Vec::new();
    let mut problems = Vec::new();
    for file in &changes.scenario {
        match Scenario::load(file).and_then(|s| Ok((s.name.clone(), base.with_scenario(&s)?))) {
            Ok(v) => variants.push(v),
            Err(e) => problems.push(render::load_errors(&e)),
        }
    }
    if !changes.set.is_empty() {
        match base.with_sets(&changes.set) {
            Ok(e) => variants.push((changes.set.join(" "), e)),
            Err(e) => problems.push(render::load_errors(&e)),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    if variants.is_empty() {
        return Err(
            "error: nothing to compare: give --scenario <file> or --set clause.param=value".into(),
        );
    }
    // Streamed: a file of any size compares in flat memory.
    let source = input_file(batch, &base)?;
    let pairs: Vec<(&str, &Engine)> = variants.iter().map(|(n, e)| (n.as_str(), e)).collect();
    let (comparisons, progress) = base
        .compare_stream(&source, &pairs)
        .map_err(|e| format!("error: {e}"))?;
    let text = match format {
        TableFormat::Json => render::comparisons_json(base.pack(), &comparisons)?,
        TableFormat::Csv => render::comparisons_csv(&comparisons)?,
        TableFormat::Table => render::comparisons_table(base.pack(), &comparisons),
    };
    if let Some(path) = report {
        report::write_atomically(
            path,
            &report::compare_report(base.pack(), &comparisons, &progress),
        )?;
    }
    io.emit(&text);
    Ok(EXIT_OK)
}

fn targets(
    io: &mut Io<'_>,
    batch: &Batch,
    changes: &Changes,
    format: TableFormat,
    report: Option<&Path>,
) -> Result<u8, String> {
    let engine = load_changed(batch, changes)?;
    // Streamed: counted over a file of any size (a comparison with no scenario counts the
    // baseline's progress alone).
    let source = input_file(batch, &engine)?;
    let (_, progress) = engine
        .compare_stream(&source, &[])
        .map_err(|e| format!("error: {e}"))?;
    let text = match format {
        TableFormat::Json => render::to_json(&progress)?,
        TableFormat::Csv => render::targets_csv(&progress)?,
        TableFormat::Table => render::targets_table(engine.pack(), &progress),
    };
    if let Some(path) = report {
        report::write_atomically(path, &report::targets_report(engine.pack(), &progress))?;
    }
    io.emit(&text);
    Ok(EXIT_OK)
}

/// Values from `from` to `to` by `step`, exact; at most 1000 of them
fn sweep_values(from: &str, to: &str, step: &str) -> Result<Vec<String>, String> {
    let num = |name: &str, t: &str| {
        policy_engine::parse_decimal(t).map_err(|e| format!("error: --{name} `{t}`: {e}"))
    };
    let (from, to, step) = (num("from", from)?, num("to", to)?, num("step", step)?);
    if step <= rust_decimal::Decimal::ZERO {
        return Err("error: --step must be above zero".into());
    }
    if to < from {
        return Err("error: --to must not be below --from".into());
    }
    let mut values = Vec::new();
    let mut v = from;
    while v <= to {
        if values.len() == 1000 {
            return Err("error: more than 1000 values: use a larger --step".into());
        }
        values.push(v.normalize().to_string());
        v = v.checked_add(step).ok_or("error: the sweep overflows")?;
    }
    Ok(values)
}

fn sweep(
    io: &mut Io<'_>,
    batch: &Batch,
    param: &str,
    [from, to, step]: [&String; 3],
    format: TableFormat,
    report: Option<&Path>,
) -> Result<u8, String> {
    let engine = load(&batch.pack)?;
    let values = sweep_values(from, to, step)?;
    // Streamed: every value is decided in one pass over a file of any size.
    let source = input_file(batch, &engine)?;
    let points = engine
        .sweep_stream(&source, param, &values)
        .map_err(|e| match e {
            policy_engine::StreamError::Changes(e) => render::load_errors(&e),
            e => format!("error: {e}"),
        })?;
    let text = match format {
        TableFormat::Json => render::sweep_json(engine.pack(), param, &points)?,
        TableFormat::Csv => render::sweep_csv(engine.pack(), &points)?,
        TableFormat::Table => render::sweep_table(engine.pack(), param, &points),
    };
    if let Some(path) = report {
        report::write_atomically(path, &report::sweep_report(engine.pack(), param, &points))?;
    }
    io.emit(&text);
    Ok(EXIT_OK)
}

fn test(
    io: &mut Io<'_>,
    pack: &Path,
    format: Format,
    min_coverage: Option<&str>,
) -> Result<u8, String> {
    let min = match min_coverage {
        None => None,
        Some(t) => Some(
            policy_engine::parse_decimal(t.trim_end_matches('%'))
                .map_err(|e| format!("error: --min-coverage `{t}`: {e}"))?,
        ),
    };
    let engine = load(pack)?;
    let report = engine.run_tests().map_err(|e| render::load_errors(&e))?;
    let text = match format {
        Format::Json => render::to_json(&report)?,
        Format::Yaml => render::to_yaml(&report)?,
        Format::Table => render::test_report(engine.pack(), &report),
    };
    io.emit(&text);
    let mut failed = report.failed > 0;
    if report.cases.is_empty() {
        io.warn(&format!(
            "error: no tests found in {}: write test cases in tests/*.yaml",
            pack.join("tests").display()
        ));
        failed = true;
    }
    if let Some(min) = min {
        if report.coverage.percent < min {
            io.warn(&format!(
                "error: outcome coverage {}% is below --min-coverage {min}%",
                report.coverage.percent
            ));
            failed = true;
        }
    }
    if matches!(format, Format::Table) {
        io.emit(&format!(
            "{} passed, {} failed\n",
            report.passed, report.failed
        ));
    }
    Ok(if failed {
        EXIT_APPLICATION_ERRORS
    } else {
        EXIT_OK
    })
}

fn diff(
    io: &mut Io<'_>,
    old: &Path,
    new: &Path,
    input: Option<&Path>,
    format: DiffFormat,
) -> Result<u8, String> {
    let (a, b) = (load(old)?, load(new)?);
    let rows = policy_engine::diff(a.pack(), b.pack());
    let effect = match input {
        None => None,
        Some(path) => {
            let apps = policy_engine::InputFile::new(path, None)
                .map(|f| f.with_aliases(a.pack().aliases.clone()))
                .and_then(|f| f.read_all())
                .map_err(|e| format!("error: {e}"))?;
            Some(render::Effect::of(&a, &b, &apps))
        }
    };
    let text = match format {
        DiffFormat::Json => render::diff_json(a.pack(), b.pack(), &rows, effect.as_ref())?,
        DiffFormat::Md => render::diff_markdown(a.pack(), b.pack(), &rows, effect.as_ref()),
        DiffFormat::Table => render::diff_table(a.pack(), b.pack(), &rows, effect.as_ref()),
    };
    io.emit(&text);
    Ok(EXIT_OK)
}
