//! `policy sweep`: the budget for each value of one parameter, with an optional HTML report.

use policy_engine::Date;

use super::{input_file, load, Io};
use crate::args::{SweepArgs, TableFormat};
use crate::atomic::write_atomically;
use crate::exit::EXIT_OK;
use crate::render::diagnostics::load_errors_in;
use crate::render::{csv, json, report, text};

/// Values from `from` to `to` by `step`, exact; at most 1000 of them. Dates (`2026-06-30`) go
/// by a whole number of days.
fn sweep_values(from: &str, to: &str, step: &str) -> Result<Vec<String>, String> {
    if let Some(first) = Date::parse(from) {
        return sweep_dates(first, to, step);
    }
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

/// Days from `from` to `to` every `step` days (a whole number above zero); at most 1000
fn sweep_dates(from: Date, to: &str, step: &str) -> Result<Vec<String>, String> {
    let to = Date::parse(to).ok_or_else(|| {
        format!("error: --to `{to}`: --from is a date, so --to is one too, written yyyy-mm-dd (e.g. 2026-12-31)")
    })?;
    let step: i64 = match step.parse() {
        Ok(n) if n > 0 => n,
        _ => {
            return Err(format!(
                "error: --step `{step}`: between dates the step is a whole number of days above zero, e.g. `30`"
            ))
        }
    };
    if to < from {
        return Err("error: --to must not be before --from".into());
    }
    let mut values = Vec::new();
    let mut day = Some(from);
    while let Some(d) = day.filter(|d| *d <= to) {
        if values.len() == 1000 {
            return Err("error: more than 1000 values: use a larger --step".into());
        }
        values.push(d.to_string());
        day = d.add_days(step);
    }
    Ok(values)
}

pub fn run(io: &mut Io<'_>, args: &SweepArgs) -> Result<u8, String> {
    let (batch, param) = (&args.batch, args.param.as_str());
    let engine = load(&batch.pack, io.error_format, io.lang)?;
    let values = sweep_values(&args.from, &args.to, &args.step)?;
    // Streamed: every value is decided in one pass over a file of any size.
    let source = input_file(batch, &engine)?;
    let points = engine
        .sweep_stream(&source, param, &values)
        .map_err(|e| match e {
            policy_engine::StreamError::Changes(e) => {
                load_errors_in(&e, io.error_format, io.lang.or(engine.pack().language))
            }
            e => format!("error: {e}"),
        })?;
    let out = match args.format {
        TableFormat::Json => json::sweep_json(engine.pack(), param, &points)?,
        TableFormat::Csv => csv::sweep_csv(engine.pack(), &points)?,
        TableFormat::Table => {
            text::sweep_table(engine.pack(), param, &points, io.lang_of(engine.pack()))
        }
    };
    if let Some(path) = &args.report {
        let html = report::sweep_report(engine.pack(), io.lang_of(engine.pack()), param, &points);
        write_atomically(path, html.as_bytes())?;
    }
    io.emit(&out);
    Ok(EXIT_OK)
}
