//! `policy clauses`: the pack's clauses with their articles, parameters and units.

use super::{load, Io};
use crate::args::ClausesArgs;
use crate::exit::EXIT_OK;
use crate::render::text;

pub fn run(io: &mut Io<'_>, args: &ClausesArgs) -> Result<u8, String> {
    let engine = load(&args.pack, io.error_format, io.lang)?;
    let lang = io.lang_of(engine.pack());
    io.emit(&text::clauses_text(engine.pack(), lang));
    Ok(EXIT_OK)
}
