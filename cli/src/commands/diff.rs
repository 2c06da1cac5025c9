//! `policy diff`: what a revision changed, and what it does to a batch of applications.

use super::{load, Io};
use crate::args::{DiffArgs, DiffFormat};
use crate::effect::Effect;
use crate::exit::EXIT_OK;
use crate::render::{json, markdown, text};

pub fn run(io: &mut Io<'_>, args: &DiffArgs) -> Result<u8, String> {
    let (a, b) = (
        load(&args.old, io.error_format, io.lang)?,
        load(&args.new, io.error_format, io.lang)?,
    );
    let rows = policy_engine::diff_packs(a.pack(), b.pack());
    let effect = match &args.input {
        None => None,
        Some(path) => {
            let apps = policy_engine::InputFile::new(path, None)
                .map(|f| f.with_aliases(a.pack().aliases.clone()))
                .and_then(|f| f.read_all())
                .map_err(|e| format!("error: {e}"))?;
            Some(Effect::of(&a, &b, &apps))
        }
    };
    let out = match args.format {
        DiffFormat::Json => json::diff_json(a.pack(), b.pack(), &rows, effect.as_ref())?,
        DiffFormat::Md => markdown::diff_markdown(a.pack(), b.pack(), &rows, effect.as_ref()),
        DiffFormat::Table => text::diff_table(
            a.pack(),
            b.pack(),
            &rows,
            effect.as_ref(),
            io.lang_of(b.pack()),
        ),
    };
    io.emit(&out);
    Ok(EXIT_OK)
}
