//! `policy test`: run the pack's tests and report outcome coverage.

use super::{load, Io};
use crate::args::{Format, TestArgs};
use crate::exit::{EXIT_APPLICATION_ERRORS, EXIT_OK};
use crate::messages as m;
use crate::render::diagnostics::load_errors_in;
use crate::render::{text, to_json, to_yaml};

pub fn run(io: &mut Io<'_>, args: &TestArgs) -> Result<u8, String> {
    let (pack, format) = (&args.pack, args.format);
    let min = match &args.min_coverage {
        None => None,
        Some(t) => Some(
            policy_engine::parse_decimal(t.trim_end_matches('%'))
                .map_err(|e| format!("error: --min-coverage `{t}`: {e}"))?,
        ),
    };
    let engine = load(pack, io.error_format, io.lang)?;
    let report = engine
        .run_tests()
        .map_err(|e| load_errors_in(&e, io.error_format, io.lang))?;
    let lang = io.lang_of(engine.pack());
    let out = match format {
        Format::Json => to_json(&report)?,
        Format::Yaml => to_yaml(&report)?,
        Format::Table => text::test_report(engine.pack(), &report, lang),
    };
    io.emit(&out);
    let mut failed = report.failed > 0;
    if report.cases.is_empty() {
        io.warn(&m::TEST_NONE.fill(lang, &[&pack.join("tests").display()]));
        failed = true;
    }
    if let Some(min) = min {
        if report.coverage.percent < min {
            io.warn(&m::TEST_BELOW_COVERAGE.fill(lang, &[&report.coverage.percent, &min]));
            failed = true;
        }
    }
    if matches!(format, Format::Table) {
        let line = m::TEST_SUMMARY.fill(lang, &[&report.passed, &report.failed]);
        io.emit(&format!("{line}\n"));
    }
    Ok(if failed {
        EXIT_APPLICATION_ERRORS
    } else {
        EXIT_OK
    })
}
