//! `policy targets`: progress toward the pack's stated targets, with an optional HTML report.

use super::{input_file, load_changed, Io};
use crate::args::{TableFormat, TargetsArgs, WhatIf};
use crate::atomic::write_atomically;
use crate::exit::EXIT_OK;
use crate::render::{csv, report, text, to_json};

pub fn run(io: &mut Io<'_>, args: &TargetsArgs) -> Result<u8, String> {
    let WhatIf {
        batch,
        changes,
        format,
    } = &args.what_if;
    let engine = load_changed(batch, changes, io.error_format, io.lang)?;
    // Streamed: counted over a file of any size (a comparison with no scenario counts the
    // baseline's progress alone).
    let source = input_file(batch, &engine)?;
    let (_, progress) = engine
        .compare_stream(&source, &[])
        .map_err(|e| e.shown(engine.pack().shown_language()))?;
    let out = match format {
        TableFormat::Json => to_json(&progress)?,
        TableFormat::Csv => csv::targets_csv(&progress)?,
        TableFormat::Table => {
            text::targets_table(engine.pack(), &progress, io.lang_of(engine.pack()))
        }
    };
    if let Some(path) = &args.report {
        let html = report::targets_report(engine.pack(), io.lang_of(engine.pack()), &progress);
        write_atomically(path, html.as_bytes())?;
    }
    io.emit(&out);
    Ok(EXIT_OK)
}
