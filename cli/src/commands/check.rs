//! `policy check`: load a pack and report its errors and warnings, human or JSON.

use policy_engine::Engine;

use super::Io;
use crate::args::CheckArgs;
use crate::exit::{EXIT_FAILURE, EXIT_OK};
use crate::messages as m;
use crate::render::diagnostics::{diagnostics_in, load_errors_in, ErrorFormat};

pub fn run(io: &mut Io<'_>, args: &CheckArgs) -> Result<u8, String> {
    let format = io.error_format;
    let json = format == ErrorFormat::Json;
    let engine = match Engine::load(&args.pack) {
        Ok(e) => e,
        Err(e) if json => {
            // For editors the diagnostics are the output.
            io.emit(&format!("{}\n", diagnostics_in(&e.0, &[], format, io.lang)));
            return Ok(EXIT_FAILURE);
        }
        Err(e) => return Err(load_errors_in(&e, format, io.lang)),
    };
    let p = engine.pack();
    let lang = io.lang_of(p);
    let failing = args.deny_warnings && !p.warnings.is_empty();
    if json {
        let (errors, warnings): (&[policy_engine::LoadError], &[policy_engine::LoadError]) =
            if failing {
                (&p.warnings, &[])
            } else {
                (&[], &p.warnings)
            };
        io.emit(&format!(
            "{}\n",
            diagnostics_in(errors, warnings, format, Some(lang))
        ));
    } else {
        if !p.warnings.is_empty() {
            io.warn(&diagnostics_in(&[], &p.warnings, format, Some(lang)));
        }
        if failing {
            io.warn(m::WARNINGS_DENIED.get(lang));
        } else {
            let ok = m::CHECK_OK.fill(
                lang,
                &[
                    &p.id,
                    &p.version,
                    &p.status,
                    &p.clauses.len(),
                    &p.kinds.len(),
                    &p.fingerprint,
                ],
            );
            io.emit(&format!("{ok}\n"));
        }
    }
    Ok(if failing { EXIT_FAILURE } else { EXIT_OK })
}
