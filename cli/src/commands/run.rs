//! `policy run`: decide every application of an input file and write the decisions.
//!
//! JSON, JSONL and CSV are written as they are decided, the other formats once everything
//! is decided.

use std::path::Path;

use policy_engine::{Engine, InputFile, Sink, Status};

use super::{input_file, load_changed, Io};
use crate::args::{RunArgs, RunFormat};
use crate::atomic::{write_atomically, AtomicFile};
use crate::exit::{EXIT_APPLICATION_ERRORS, EXIT_OK};
use crate::messages as m;
use crate::render::{stream, text, xlsx, yaml};

/// Whether two paths name one file (the same device and inode), so `--output` would replace
/// the input it reads
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

pub fn run(io: &mut Io<'_>, args: &RunArgs) -> Result<u8, String> {
    if let Some(out) = args.output.as_deref() {
        if same_file(out, &args.batch.input) {
            let lang =
                crate::messages::resolve(io.lang, policy_engine::pack_language(&args.batch.pack));
            return Err(m::OUTPUT_IS_INPUT.fill(lang, &[&out.display()]));
        }
    }
    let engine = load_changed(&args.batch, &args.changes, io.error_format, io.lang)?;
    let source = input_file(&args.batch, &engine)?;
    let run = Run {
        engine: &engine,
        source: &source,
        format: args.format,
        output: args.output.as_deref(),
        wide: args.wide,
    };
    let (count, errors) = match args.format {
        RunFormat::Json | RunFormat::Jsonl | RunFormat::Csv if args.with_applicant => {
            run.with_applicant(io)?
        }
        _ if args.with_applicant => {
            return Err(
                "error: --with-applicant is for --format json, jsonl or csv, the decisions a later --history reads"
                    .into(),
            )
        }
        RunFormat::Json | RunFormat::Jsonl | RunFormat::Csv => run.streamed(io, args.quiet)?,
        RunFormat::Table | RunFormat::Yaml | RunFormat::Xlsx => run.whole(io)?,
    };
    if errors > 0 {
        let lang = io.lang_of(engine.pack());
        io.warn(&m::RUN_HAD_ERRORS.fill(lang, &[&errors, &count]));
        return Ok(EXIT_APPLICATION_ERRORS);
    }
    Ok(EXIT_OK)
}

/// What one run decides and where it writes
struct Run<'a> {
    engine: &'a Engine,
    source: &'a InputFile,
    format: RunFormat,
    output: Option<&'a Path>,
    /// Every reason whole in the table
    wide: bool,
}

impl Run<'_> {
    /// JSON, JSONL or CSV, written as the applications are decided; returns (applications, errors)
    fn streamed(&self, io: &mut Io<'_>, quiet: bool) -> Result<(usize, usize), String> {
        let (engine, source, format, output) = (self.engine, self.source, self.format, self.output);
        let sink: Box<dyn policy_engine::Sink> = match format {
            RunFormat::Json => Box::new(stream::JsonSink::new(engine.pack())),
            RunFormat::Jsonl => Box::new(stream::JsonlSink),
            _ => Box::new(stream::CsvSink),
        };
        let mut file = output.map(AtomicFile::create).transpose()?;
        let out = &mut io.out;
        let bar = progress_bar(quiet);
        let summary = engine
            .decide_stream_with_progress(
                source,
                sink.as_ref(),
                &mut |bytes| match &mut file {
                    Some(f) => f.write(bytes),
                    None => out.write_all(bytes),
                },
                &mut |n| bar.set_position(n as u64),
            )
            .map_err(|e| e.shown(engine.pack().shown_language()))?;
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
        Ok((summary.totals.applications, errors))
    }

    /// JSON, JSONL or CSV with each application's `applicant:` fields and period beside its
    /// decision, decided in memory (each decision is its application's, by place); returns
    /// (applications, errors)
    fn with_applicant(&self, io: &mut Io<'_>) -> Result<(usize, usize), String> {
        let (engine, source, output) = (self.engine, self.source, self.output);
        let pack = engine.pack();
        if pack.applicant.is_empty() {
            return Err(
                "error: --with-applicant writes the pack's `applicant:` fields, and pack.yaml names none: add `applicant: [applicant.credit_code, applicant.name]` (the fields that tell who applied)"
                    .into(),
            );
        }
        let names: Vec<String> = pack.applicant.iter().chain(&pack.period).cloned().collect();
        if let Some(clash) = names.iter().find(|n| {
            let top = n.split('.').next().unwrap_or(n);
            stream::CSV_HEADER.contains(&top)
        }) {
            return Err(format!(
                "error: --with-applicant cannot write the field `{clash}` beside a decision, which has a `{clash}` of its own"
            ));
        }
        let apps = source
            .read_all()
            .map_err(|e| e.shown(engine.pack().shown_language()))?;
        let decisions = engine.decide(&apps);
        let totals = engine.totals(&decisions);
        let values = apps
            .iter()
            .map(|a| {
                names
                    .iter()
                    .map(|n| a.text(n).map(str::to_string))
                    .collect()
            })
            .collect();
        let form = match self.format {
            RunFormat::Json => stream::Form::Json,
            RunFormat::Jsonl => stream::Form::Jsonl,
            _ => stream::Form::Csv,
        };
        let sink = stream::WithFields::new(form, pack, names, values);
        let mut bytes = sink.begin();
        for (n, d) in decisions.iter().enumerate() {
            sink.render(n, d, &mut bytes);
        }
        bytes.extend_from_slice(&sink.end(decisions.len(), &totals));
        match output {
            Some(path) => write_atomically(path, &bytes)?,
            None => {
                io.out
                    .write_all(&bytes)
                    .map_err(|e| format!("error: cannot write the output: {e}"))?;
                let _ = io.out.flush();
            }
        }
        let errors = decisions
            .iter()
            .filter(|d| d.status == Status::Error)
            .count();
        Ok((decisions.len(), errors))
    }

    /// The table, YAML or workbook, written once every application is decided (the totals come
    /// first in the table, and a workbook is one zip); returns (applications, errors)
    fn whole(&self, io: &mut Io<'_>) -> Result<(usize, usize), String> {
        let (engine, source, format, output) = (self.engine, self.source, self.format, self.output);
        let apps = source
            .read_all()
            .map_err(|e| e.shown(engine.pack().shown_language()))?;
        let decisions = engine.decide(&apps);
        let totals = engine.totals(&decisions);
        if let RunFormat::Xlsx = format {
            let Some(path) = output else {
                return Err(
                    "error: --format xlsx writes a workbook: give --output <file.xlsx>".into(),
                );
            };
            let bytes = xlsx::decisions_workbook(engine.pack(), &decisions, &totals)
                .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
            write_atomically(path, &bytes)?;
        } else {
            let text = match format {
                RunFormat::Yaml => yaml::decisions_yaml(engine.pack(), &decisions, &totals)?,
                _ => text::decisions_table(
                    engine.pack(),
                    &decisions,
                    &totals,
                    io.lang_of(engine.pack()),
                    self.wide,
                ),
            };
            match output {
                Some(path) => write_atomically(path, text.as_bytes())?,
                None => io.emit(&text),
            }
        }
        let errors = decisions
            .iter()
            .filter(|d| d.status == Status::Error)
            .count();
        Ok((decisions.len(), errors))
    }
}

/// A progress line only for a person watching: stderr a terminal, not --quiet
fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} applications decided in {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar
}
