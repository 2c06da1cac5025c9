//! `policy run`: decide every application of an input file; JSON, JSONL and CSV are written as
//! they are decided, the other formats once everything is decided.

use policy_engine::Status;

use super::{input_file, load_changed, Io};
use crate::args::{RunArgs, RunFormat};
use crate::atomic::AtomicFile;
use crate::render::{stream, text, xlsx, yaml};
use crate::{EXIT_APPLICATION_ERRORS, EXIT_OK};

pub fn run(io: &mut Io<'_>, args: &RunArgs) -> Result<u8, String> {
    let (format, output, quiet) = (args.format, args.output.as_deref(), args.quiet);
    let engine = load_changed(&args.batch, &args.changes, io.error_format)?;
    let source = input_file(&args.batch, &engine)?;
    let (count, errors) = match format {
        RunFormat::Json | RunFormat::Jsonl | RunFormat::Csv => {
            let sink: Box<dyn policy_engine::Sink> = match format {
                RunFormat::Json => Box::new(stream::JsonSink::new(engine.pack())),
                RunFormat::Jsonl => Box::new(stream::JsonlSink),
                _ => Box::new(stream::CsvSink),
            };
            let mut file = output.map(AtomicFile::create).transpose()?;
            let out = &mut io.out;
            // A progress line only for a person watching: stderr a terminal, not --quiet.
            let bar = if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                indicatif::ProgressBar::hidden()
            } else {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {human_pos} applications decided in {elapsed}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar
            };
            let summary = engine
                .decide_stream_with_progress(
                    &source,
                    sink.as_ref(),
                    &mut |bytes| match &mut file {
                        Some(f) => f.write(bytes),
                        None => out.write_all(bytes),
                    },
                    &mut |n| bar.set_position(n as u64),
                )
                .map_err(|e| format!("error: {e}"))?;
            bar.finish_and_clear();
            if let Some(f) = file {
                f.finish()?;
            }
            let errors = summary
                .by_status
                .iter()
                .find(|(s, _)| *s == Status::Error)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (summary.totals.applications, errors)
        }
        RunFormat::Table | RunFormat::Yaml | RunFormat::Xlsx => {
            let apps = source.read_all().map_err(|e| format!("error: {e}"))?;
            let decisions = engine.decide(&apps);
            let totals = engine.totals(&decisions);
            let text = match format {
                RunFormat::Yaml => yaml::decisions_yaml(engine.pack(), &decisions, &totals)?,
                RunFormat::Xlsx => {
                    let Some(path) = output else {
                        return Err(
                            "error: --format xlsx writes a workbook: give --output <file.xlsx>"
                                .into(),
                        );
                    };
                    xlsx::write_xlsx(path, engine.pack(), &decisions, &totals)?;
                    String::new()
                }
                _ => text::decisions_table(engine.pack(), &decisions, &totals),
            };
            match output {
                Some(_) if matches!(format, RunFormat::Xlsx) => {}
                Some(path) => {
                    let mut f = AtomicFile::create(path)?;
                    f.write(text.as_bytes())
                        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
                    f.finish()?;
                }
                None => io.emit(&text),
            }
            let errors = decisions
                .iter()
                .filter(|d| d.status == Status::Error)
                .count();
            (decisions.len(), errors)
        }
    };
    if errors > 0 {
        io.warn(&format!(
            "{errors} of {count} applications had errors; every other application was decided"
        ));
        return Ok(EXIT_APPLICATION_ERRORS);
    }
    Ok(EXIT_OK)
}
