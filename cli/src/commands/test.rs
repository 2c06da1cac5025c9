//! `policy test`: run the pack's tests and report outcome coverage.

use super::{load, Io};
use crate::args::{Format, TestArgs};
use crate::exit::{EXIT_APPLICATION_ERRORS, EXIT_OK};
use crate::render::diagnostics::load_errors;
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
    let engine = load(pack, io.error_format)?;
    let report = engine
        .run_tests()
        .map_err(|e| load_errors(&e, io.error_format))?;
    let out = match format {
        Format::Json => to_json(&report)?,
        Format::Yaml => to_yaml(&report)?,
        Format::Table => text::test_report(engine.pack(), &report),
    };
    io.emit(&out);
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
