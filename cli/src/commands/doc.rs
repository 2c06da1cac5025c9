//! `policy doc`: the pack as a Markdown or HTML document (written by [`crate::render::doc`]).

use super::{load, Io};
use crate::args::{DocArgs, DocFormat};
use crate::exit::EXIT_OK;
use crate::render::{diagnostics::load_errors_in, doc};

pub fn run(io: &mut Io<'_>, args: &DocArgs) -> Result<u8, String> {
    let engine = load(&args.pack, io.error_format, io.lang)?;
    let examples = engine
        .examples()
        .map_err(|e| load_errors_in(&e, io.error_format, io.lang))?;
    io.emit(&match args.format {
        DocFormat::Md => doc::markdown(engine.pack(), &examples),
        DocFormat::Html => doc::html(engine.pack(), io.lang_of(engine.pack()), &examples),
    });
    Ok(EXIT_OK)
}
