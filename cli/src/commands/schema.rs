//! `policy schema`: the JSON Schema of the pack's applications or of the decisions document.

use super::{load, Io};
use crate::args::SchemaArgs;
use crate::exit::EXIT_OK;
use crate::render::to_json;

pub fn run(io: &mut Io<'_>, args: &SchemaArgs) -> Result<u8, String> {
    let engine = load(&args.pack, io.error_format, io.lang)?;
    let schema = match args.of.as_str() {
        "application" => policy_engine::application_schema(engine.pack()),
        "decisions" => engine.decisions_schema(),
        other => {
            return Err(format!(
                "error: --of `{other}`: expected `application` or `decisions`"
            ))
        }
    };
    io.emit(&to_json(&schema)?);
    Ok(EXIT_OK)
}
