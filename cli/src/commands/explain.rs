//! `policy explain`: the decision on one application, with everything that led to it.

use policy_engine::Status;

use super::{load_changed, read_input, Io};
use crate::args::{ExplainArgs, Format};
use crate::exit::{EXIT_APPLICATION_ERRORS, EXIT_OK};
use crate::render::{text, to_json, to_yaml};

pub fn run(io: &mut Io<'_>, args: &ExplainArgs) -> Result<u8, String> {
    let engine = load_changed(&args.batch, &args.changes, io.error_format, io.lang)?;
    let apps = read_input(&args.batch, &engine)?;
    let id = &args.id;
    let Some(explanation) = engine.explain(&apps, id) else {
        let lang = io.lang_of(engine.pack());
        return Err(crate::messages::EXPLAIN_NO_ID.fill(lang, &[id, &args.batch.input.display()]));
    };
    let out = match args.format {
        Format::Json => to_json(&explanation)?,
        Format::Yaml => to_yaml(&explanation)?,
        Format::Table => {
            text::explanation_text(engine.pack(), &explanation, io.lang_of(engine.pack()))
        }
    };
    io.emit(&out);
    Ok(if explanation.decision.status == Status::Error {
        EXIT_APPLICATION_ERRORS
    } else {
        EXIT_OK
    })
}
