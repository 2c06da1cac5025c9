//! `policy check`: load a pack and report its errors and warnings, human or JSON.

use policy_engine::Engine;

use super::Io;
use crate::args::CheckArgs;
use crate::exit::{EXIT_FAILURE, EXIT_OK};
use crate::render::diagnostics::{diagnostics, load_errors, ErrorFormat};

pub fn run(io: &mut Io<'_>, args: &CheckArgs) -> Result<u8, String> {
    let format = io.error_format;
    let json = format == ErrorFormat::Json;
    let engine = match Engine::load(&args.pack) {
        Ok(e) => e,
        Err(e) if json => {
            // For editors the diagnostics are the output.
            io.emit(&format!("{}\n", diagnostics(&e.0, &[], format)));
            return Ok(EXIT_FAILURE);
        }
        Err(e) => return Err(load_errors(&e, format)),
    };
    let p = engine.pack();
    let failing = args.deny_warnings && !p.warnings.is_empty();
    if json {
        let (errors, warnings): (&[policy_engine::LoadError], &[policy_engine::LoadError]) =
            if failing {
                (&p.warnings, &[])
            } else {
                (&[], &p.warnings)
            };
        io.emit(&format!("{}\n", diagnostics(errors, warnings, format)));
    } else {
        if !p.warnings.is_empty() {
            io.warn(&diagnostics(&[], &p.warnings, format));
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
