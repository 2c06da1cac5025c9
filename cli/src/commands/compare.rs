//! `policy compare`: the baseline against each scenario, with an optional HTML report.

use policy_engine::{Engine, Scenario};

use super::{input_file, load, Io};
use crate::args::{CompareArgs, TableFormat};
use crate::atomic::write_atomically;
use crate::exit::EXIT_OK;
use crate::render::diagnostics::load_errors_in;
use crate::render::{csv, json, report, text};

pub fn run(io: &mut Io<'_>, args: &CompareArgs) -> Result<u8, String> {
    let (batch, changes) = (&args.what_if.batch, &args.what_if.changes);
    let mut base = load(&batch.pack, io.error_format, io.lang)?;
    // A scenario's or a history's errors are told in the language chosen for this pack.
    let lang = io.lang.or(base.pack().language);
    // The record of earlier payments is the same on both sides.
    if let Some(history) = &changes.history {
        base = base
            .with_history(history)
            .map_err(|e| load_errors_in(&e, io.error_format, lang))?;
    }
    // Every scenario is checked before anything is decided.
    let mut variants: Vec<(String, Engine)> = Vec::new();
    // Each scenario's description, by name, for the report.
    let mut descriptions: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for file in &changes.scenario {
        match Scenario::load(file).and_then(|s| {
            if let Some(d) = &s.description {
                descriptions.push((s.name.clone(), d.clone()));
            }
            Ok((s.name.clone(), base.with_scenario(&s)?))
        }) {
            Ok(v) => variants.push(v),
            Err(e) => problems.push(load_errors_in(&e, io.error_format, lang)),
        }
    }
    if !changes.set.is_empty() {
        match base.with_sets(&changes.set) {
            Ok(e) => variants.push((changes.set.join(" "), e)),
            Err(e) => problems.push(load_errors_in(&e, io.error_format, lang)),
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
        .map_err(|e| e.shown(base.pack().shown_language()))?;
    let out = match args.what_if.format {
        TableFormat::Json => json::comparisons_json(base.pack(), &comparisons)?,
        TableFormat::Csv => csv::comparisons_csv(&comparisons)?,
        TableFormat::Table => {
            text::comparisons_table(base.pack(), &comparisons, io.lang_of(base.pack()))
        }
    };
    if let Some(path) = &args.report {
        let html = report::compare_report(
            base.pack(),
            io.lang_of(base.pack()),
            &comparisons,
            &progress,
            &descriptions,
        );
        write_atomically(path, html.as_bytes())?;
    }
    io.emit(&out);
    Ok(EXIT_OK)
}
