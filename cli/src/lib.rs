//! The `policy` command as a library: [`main_with`] runs it on given arguments and streams.
//!
//! Tests drive exactly what the binary runs.
//!
//! Exit codes: 0 every application decided; 1 some applications had errors (every other one
//! is still decided and printed); 2 a usage, input-file or pack error.
//!
//! `args` parses the command line, each module of `commands` runs one subcommand, `render`
//! writes what they print, and [`serve`] is the HTTP server of `policy serve`.

mod args;
mod atomic;
mod commands;
mod effect;
mod exit;
mod messages;
mod pack_files;
mod render;
pub mod serve;
mod web;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

use args::{Cli, Command, NewWhat};
use commands::Io;
use render::diagnostics::ErrorFormat;

pub use exit::{EXIT_APPLICATION_ERRORS, EXIT_FAILURE, EXIT_OK};
/// The decisions JSON of `policy run`, for the stage benchmarks (`benches/stages.rs`); not
/// part of the API
#[doc(hidden)]
pub use render::stream::JsonSink;

/// Runs `policy` with these arguments (the first is the program name) and returns the exit code
pub fn main_with<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // The error format is not known before parsing; clap's own errors do not use it.
    let mut io = Io {
        out,
        err,
        error_format: ErrorFormat::default(),
        lang: None,
        out_failed: None,
    };
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
    io.error_format = cli.error_format;
    io.lang = cli.lang.or_else(policy_engine::Lang::from_env);
    let io = &mut io;
    let result = match &cli.command {
        Command::Check(a) => commands::check::run(io, a),
        Command::Run(a) => commands::run::run(io, a),
        Command::Explain(a) => commands::explain::run(io, a),
        Command::Test(a) => commands::test::run(io, a),
        Command::Diff(a) => commands::diff::run(io, a),
        Command::Doc(a) => commands::doc::run(io, a),
        Command::Watch(a) => commands::watch::run(io, a),
        Command::Gen(a) => commands::gen::run(io, a),
        Command::Serve(a) => commands::serve::run(io, a),
        Command::Replay(a) => commands::replay::run(io, a),
        Command::Schema(a) => commands::schema::run(io, a),
        Command::New {
            what: NewWhat::Clause(a),
        } => commands::new::clause(io, a),
        Command::New {
            what: NewWhat::Pack(a),
        } => commands::new_pack::pack(io, a),
        Command::Clauses(a) => commands::clauses::run(io, a),
        Command::Compare(a) => commands::compare::run(io, a),
        Command::Targets(a) => commands::targets::run(io, a),
        Command::Sweep(a) => commands::sweep::run(io, a),
    };
    let code = match result {
        Ok(code) => code,
        Err(message) => {
            io.warn(&message);
            EXIT_FAILURE
        }
    };
    // Output cut short is a failure, whatever the command found.
    match io.out_failed.take() {
        Some(e) => {
            io.warn(&format!("error: cannot write to standard output: {e}"));
            EXIT_FAILURE
        }
        None => code,
    }
}
