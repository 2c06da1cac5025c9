//! The `policy` command as a library: [`main_with`] takes the arguments and the two output
//! streams, so tests drive exactly what the binary runs.
//!
//! Exit codes: 0 every application decided; 1 some applications had errors (every other one
//! is still decided and printed); 2 a usage, input-file or pack error.

mod render;
mod table;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use policy_engine::{read_applications, Engine, Status};

#[derive(Parser)]
#[command(
    name = "policy",
    version,
    about = "Decide subsidies and awards from a policy pack"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a pack: metadata, fields, parameters and scripts; errors name file, line and column
    Check {
        /// The pack directory
        pack: PathBuf,
    },
    /// Decide every application of an input file
    Run {
        /// The pack directory
        #[arg(long)]
        pack: PathBuf,
        /// The applications: .yaml, .yml or .json
        #[arg(long)]
        input: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Explain the decision on one application: clause, text, parameters, facts, arithmetic
    Explain {
        /// The pack directory
        #[arg(long)]
        pack: PathBuf,
        /// The applications: .yaml, .yml or .json
        #[arg(long)]
        input: PathBuf,
        /// The application's id
        #[arg(long)]
        id: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the clauses with their articles, parameters, values and units
    Clauses {
        /// The pack directory
        pack: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned text for people
    Table,
    /// JSON (for `run`: the decisions document of POLICY.md section 3)
    Json,
    /// YAML
    Yaml,
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
    let result = match cli.command {
        Command::Check { pack } => check(&mut io, &pack),
        Command::Run {
            pack,
            input,
            format,
        } => run(&mut io, &pack, &input, format),
        Command::Explain {
            pack,
            input,
            id,
            format,
        } => explain(&mut io, &pack, &input, &id, format),
        Command::Clauses { pack } => clauses(&mut io, &pack),
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

fn check(io: &mut Io<'_>, pack: &Path) -> Result<u8, String> {
    let engine = load(pack)?;
    let p = engine.pack();
    io.emit(&format!(
        "ok: {} {} ({}): {} clauses, {} kinds of application\nfingerprint {}\n",
        p.id,
        p.version,
        p.status,
        p.clauses.len(),
        p.kinds.len(),
        p.fingerprint
    ));
    Ok(EXIT_OK)
}

fn read_input(input: &Path) -> Result<Vec<policy_engine::RawApplication>, String> {
    read_applications(input, None).map_err(|e| format!("error: {e}"))
}

fn run(io: &mut Io<'_>, pack: &Path, input: &Path, format: Format) -> Result<u8, String> {
    let engine = load(pack)?;
    let apps = read_input(input)?;
    let decisions = engine.decide(&apps);
    let totals = engine.totals(&decisions);
    let text = match format {
        Format::Json => render::decisions_json(engine.pack(), &decisions, &totals)?,
        Format::Yaml => render::decisions_yaml(engine.pack(), &decisions, &totals)?,
        Format::Table => render::decisions_table(engine.pack(), &decisions, &totals),
    };
    io.emit(&text);
    let errors = decisions
        .iter()
        .filter(|d| d.status == Status::Error)
        .count();
    if errors > 0 {
        io.warn(&format!(
            "{errors} of {} applications had errors; every other application was decided",
            decisions.len()
        ));
        return Ok(EXIT_APPLICATION_ERRORS);
    }
    Ok(EXIT_OK)
}

fn explain(
    io: &mut Io<'_>,
    pack: &Path,
    input: &Path,
    id: &str,
    format: Format,
) -> Result<u8, String> {
    let engine = load(pack)?;
    let apps = read_input(input)?;
    let Some(explanation) = engine.explain(&apps, id) else {
        return Err(format!(
            "error: no application with id `{id}` in {}",
            input.display()
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
