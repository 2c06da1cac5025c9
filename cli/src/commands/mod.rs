//! One module a subcommand, and what they share.
//!
//! Each module has a `run` taking its parsed arguments; here are where they write, loading
//! the pack with its changes, and reading the input file.

pub mod check;
pub mod clauses;
pub mod compare;
pub mod diff;
pub mod doc;
pub mod explain;
pub mod gen;
pub mod new;
pub mod new_pack;
pub mod replay;
pub mod run;
pub mod schema;
pub mod serve;
pub mod sweep;
pub mod targets;
pub mod test;
pub mod watch;

use std::io::Write;
use std::path::Path;

use policy_engine::{Engine, Lang, Scenario};

use crate::args::{Batch, Changes, InFormat};
use crate::render::diagnostics::{load_errors_in, ErrorFormat};

/// Where the command writes, and how it writes pack errors
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// `--error-format`: every pack error a command reports follows it
    pub error_format: ErrorFormat,
    /// `--lang`, else the language the environment names; the pack's decides otherwise
    pub lang: Option<Lang>,
    /// The first write to `out` that failed (but for a closed pipe): the command then fails
    pub out_failed: Option<std::io::Error>,
}

impl Io<'_> {
    /// The language to show a person, for this pack
    pub fn lang_of(&self, pack: &policy_engine::Pack) -> Lang {
        crate::messages::resolve(self.lang, pack.language)
    }

    /// Writes to standard output. A closed pipe (`policy run … | head`) is normal and stays
    /// quiet; any other failure (a full disk) is kept in `out_failed`, which fails the command.
    pub fn emit(&mut self, text: &str) {
        let written = self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush());
        if let Err(e) = written {
            if e.kind() != std::io::ErrorKind::BrokenPipe && self.out_failed.is_none() {
                self.out_failed = Some(e);
            }
        }
    }

    pub fn warn(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }
}

/// The pack, or its errors written as `--error-format` says, in the language `lang` (`--lang`
/// or the environment) or the pack's
pub fn load(pack: &Path, format: ErrorFormat, lang: Option<Lang>) -> Result<Engine, String> {
    let mut engine = Engine::load(pack).map_err(|e| load_errors_in(&e, format, lang))?;
    // What the engine writes for a person (an error decision's reasons) follows the same choice.
    if let Some(lang) = lang {
        engine.set_language(lang);
    }
    Ok(engine)
}

/// The base engine with every scenario file, then every `--set`, applied in order
pub fn load_changed(
    batch: &Batch,
    changes: &Changes,
    format: ErrorFormat,
    lang: Option<Lang>,
) -> Result<Engine, String> {
    let mut engine = load(&batch.pack, format, lang)?;
    // Errors in a scenario, a `--set` or a history name no pack file: they are told in the
    // language chosen for this pack.
    let lang = lang.or(engine.pack().language);
    for file in &changes.scenario {
        let scenario = Scenario::load(file).map_err(|e| load_errors_in(&e, format, lang))?;
        engine = engine
            .with_scenario(&scenario)
            .map_err(|e| load_errors_in(&e, format, lang))?;
    }
    if !changes.set.is_empty() {
        engine = engine
            .with_sets(&changes.set)
            .map_err(|e| load_errors_in(&e, format, lang))?;
    }
    if let Some(history) = &changes.history {
        engine = engine
            .with_history(history)
            .map_err(|e| load_errors_in(&e, format, lang))?;
    }
    Ok(engine)
}

/// The input file of a batch, read with the pack's column aliases
pub fn input_file(batch: &Batch, engine: &Engine) -> Result<policy_engine::InputFile, String> {
    policy_engine::InputFile::new(&batch.input, batch.input_format.map(InFormat::engine))
        .map(|f| {
            f.with_aliases(engine.pack().aliases.clone())
                .with_sheet(batch.sheet.clone())
                .with_max_line_bytes(batch.max_line_bytes)
                .with_max_input_bytes(batch.max_input_bytes)
        })
        .map_err(|e| e.shown(engine.pack().shown_language()))
}

/// Every application of the input file, for the commands that need them all at once
pub fn read_input(
    batch: &Batch,
    engine: &Engine,
) -> Result<Vec<policy_engine::RawApplication>, String> {
    input_file(batch, engine)?
        .read_all()
        .map_err(|e| e.shown(engine.pack().shown_language()))
}
