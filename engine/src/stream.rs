//! Deciding a file of any size with flat memory and both cores: applications are read in
//! chunks, parsed and decided in parallel, and written in input order as they are decided.
//!
//! Count limits need every contender before any is placed, so a pack with one reads the input
//! twice: a first pass parses only `id` and `kind` of each record (JSONL), decides the
//! applications of limited clauses and ranks them; the second pass decides everything and
//! places each contender by its rank. Only the ranks and the ids (for duplicates) are kept
//! across the file.

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::decide::{self, Checked, Decision, Placement, Status, Totals};
use crate::input::{self, InputError, InputFormat, RawApplication};
use crate::Engine;

/// How many records are parsed and decided together
const CHUNK: usize = 8192;

/// A file of applications that can be read more than once
#[derive(Debug, Clone)]
pub struct InputFile {
    path: PathBuf,
    format: InputFormat,
    aliases: HashMap<String, String>,
    sheet: Option<String>,
}

/// One record of a source, parsed where it is decided (in parallel) unless it came parsed
enum Record {
    Parsed(RawApplication),
    JsonLine {
        index: usize,
        line: usize,
        text: String,
    },
}

impl Record {
    fn parse(self, light: bool) -> RawApplication {
        match self {
            Record::Parsed(r) => r,
            Record::JsonLine { index, line, text } if light => {
                input::json_line_light(&text, index, line)
            }
            Record::JsonLine { index, line, text } => input::json_line(&text, index, line),
        }
    }
}

impl InputFile {
    /// A file in the format its name implies, unless `format` says otherwise
    ///
    /// # Errors
    /// A name that implies no format.
    pub fn new(path: &Path, format: Option<InputFormat>) -> Result<InputFile, InputError> {
        let format = format.or_else(|| InputFormat::from_path(path)).ok_or_else(|| InputError {
            file: path.to_path_buf(),
            pos: None,
            message: "unknown input format: name the file .yaml, .json, .jsonl, .csv or .xlsx, or give --input-format".into(),
        })?;
        Ok(InputFile {
            path: path.to_path_buf(),
            format,
            aliases: HashMap::new(),
            sheet: None,
        })
    }

    /// Column names (e.g. `申报编号`) read as field names (e.g. `id`), for CSV and Excel
    pub fn with_aliases(mut self, aliases: HashMap<String, String>) -> InputFile {
        self.aliases = aliases;
        self
    }

    /// The Excel sheet to read; the first one otherwise
    pub fn with_sheet(mut self, sheet: Option<String>) -> InputFile {
        self.sheet = sheet;
        self
    }

    /// The input format
    pub fn format(&self) -> InputFormat {
        self.format
    }

    fn fail(&self, pos: Option<crate::yaml::Pos>, message: String) -> InputError {
        InputError {
            file: self.path.clone(),
            pos,
            message,
        }
    }

    /// Every application, in order, in chunks
    fn chunks(
        &self,
        each: &mut dyn FnMut(Vec<Record>) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        match self.format {
            InputFormat::Jsonl => {
                let file = std::fs::File::open(&self.path)
                    .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                let mut reader = io::BufReader::with_capacity(1 << 20, file);
                let mut chunk = Vec::with_capacity(CHUNK);
                let mut index = 0;
                let mut line_no = 0;
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    let n = reader
                        .read_until(b'\n', &mut buf)
                        .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                    if n == 0 {
                        break;
                    }
                    line_no += 1;
                    let text = match std::str::from_utf8(&buf) {
                        Ok(t) => t,
                        Err(e) => {
                            chunk.push(Record::Parsed(broken(
                                index,
                                line_no,
                                format!("line {line_no}: not valid UTF-8 ({e})"),
                            )));
                            index += 1;
                            continue;
                        }
                    };
                    let text = if line_no == 1 {
                        text.strip_prefix('\u{feff}').unwrap_or(text)
                    } else {
                        text
                    };
                    let text = text.trim_end_matches(['\n', '\r']);
                    if text.trim().is_empty() {
                        continue;
                    }
                    chunk.push(Record::JsonLine {
                        index,
                        line: line_no,
                        text: text.to_string(),
                    });
                    index += 1;
                    if chunk.len() == CHUNK {
                        each(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))?;
                    }
                }
                if !chunk.is_empty() {
                    each(chunk)?;
                }
                Ok(())
            }
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_path(&self.path)
                    .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| self.fail(None, format!("CSV header: {e}")))?
                    .iter()
                    .map(str::to_string)
                    .collect();
                let columns = input::csv_columns(&header, &self.aliases);
                let mut chunk = Vec::with_capacity(CHUNK);
                let mut record = csv::StringRecord::new();
                let mut index = 0;
                loop {
                    let line = reader.position().line() as usize;
                    match reader.read_record(&mut record) {
                        Ok(false) => break,
                        Ok(true) => {
                            let cells: Vec<String> = record.iter().map(str::to_string).collect();
                            chunk.push(Record::Parsed(input::csv_row(
                                &columns, &cells, index, line,
                            )));
                        }
                        Err(e) => chunk.push(Record::Parsed(broken(
                            index,
                            line,
                            format!("line {line}: not a CSV record: {e}"),
                        ))),
                    }
                    index += 1;
                    if chunk.len() == CHUNK {
                        each(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))?;
                    }
                }
                if !chunk.is_empty() {
                    each(chunk)?;
                }
                Ok(())
            }
            InputFormat::Xlsx => {
                let apps = crate::xlsx::read(&self.path, self.sheet.as_deref(), &self.aliases)
                    .map_err(|(pos, m)| self.fail(pos, m))?;
                for c in apps.chunks(CHUNK) {
                    each(c.iter().cloned().map(Record::Parsed).collect())?;
                }
                Ok(())
            }
            InputFormat::Yaml | InputFormat::Json => {
                let apps = input::read_applications(&self.path, Some(self.format))?;
                let mut apps = apps.into_iter();
                loop {
                    let chunk: Vec<Record> =
                        apps.by_ref().take(CHUNK).map(Record::Parsed).collect();
                    if chunk.is_empty() {
                        break;
                    }
                    each(chunk)?;
                }
                Ok(())
            }
        }
    }

    /// As [`InputFile::chunks`], with the reading done on a thread of its own, a chunk or two
    /// ahead of the one being decided: reading is the one step that cannot be parallel
    fn chunks_ahead(
        &self,
        each: &mut dyn FnMut(Vec<Record>) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Record>>(2);
            let reader = scope.spawn(move || {
                self.chunks(&mut |chunk| {
                    // A closed channel means the consumer stopped (it failed): stop reading.
                    tx.send(chunk)
                        .map_err(|_| self.fail(None, "stopped".into()))
                })
            });
            let mut result = Ok(());
            for chunk in rx.iter() {
                if let Err(e) = each(chunk) {
                    result = Err(e);
                    break;
                }
            }
            // Dropping the receiver ends the reader if it is still going.
            drop(rx);
            let read = reader
                .join()
                .unwrap_or_else(|_| Err(self.fail(None, "the reader failed".into())));
            result.and(read.or_else(|e| {
                if e.message == "stopped" {
                    Ok(())
                } else {
                    Err(e)
                }
            }))
        })
    }

    /// Every application of the file, in order, in memory (for small files and tests)
    ///
    /// # Errors
    /// A file that cannot be read as applications at all.
    pub fn read_all(&self) -> Result<Vec<RawApplication>, InputError> {
        let mut all = Vec::new();
        self.chunks(&mut |chunk| {
            all.extend(chunk.into_iter().map(|r| r.parse(false)));
            Ok(())
        })?;
        Ok(all)
    }
}

fn broken(index: usize, line: usize, problem: String) -> RawApplication {
    RawApplication {
        index,
        pos: Some(crate::yaml::Pos { line, col: 1 }),
        node: crate::yaml::Node::scalar("", false),
        problem: Some(problem),
    }
}

/// How decisions are written: each rendered to bytes (in parallel), the pieces written in
/// order by the caller
pub trait Sink: Sync {
    /// What comes before the first decision
    fn begin(&self) -> Vec<u8>;
    /// One decision; `n` is its place in the output, from 0. Called in parallel.
    fn render(&self, n: usize, decision: &Decision) -> Vec<u8>;
    /// What comes after the last decision, given how many there were and their totals
    fn end(&self, count: usize, totals: &Totals) -> Vec<u8>;
}

/// What a streamed run decided, in sum
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Totals over every decision
    pub totals: Totals,
    /// Decisions per status
    pub by_status: Vec<(Status, usize)>,
    /// Per clause, in pack order: (clause id, applications, awarded, amount)
    pub by_clause: Vec<(String, usize, usize, Decimal)>,
}

/// A failure of a streamed run: the input, or writing the output
#[derive(Debug)]
pub enum StreamError {
    /// The input could not be read at all
    Input(InputError),
    /// Writing failed
    Output(io::Error),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Input(e) => write!(f, "{e}"),
            StreamError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// Checks one application for the stream; `first` says where its id was first seen
fn check_one(
    engine: &Engine,
    raw: &RawApplication,
    first: Option<&(usize, Option<crate::yaml::Pos>)>,
) -> Result<Checked, Box<Decision>> {
    let pack = engine.pack();
    if let (Some(id), Some((first_index, first_pos))) = (raw.id(), first) {
        if *first_index != raw.index {
            let where_first = match first_pos {
                Some(p) => format!("application #{} (line {})", first_index + 1, p.line),
                None => format!("application #{}", first_index + 1),
            };
            return Err(Box::new(decide::duplicate(pack, raw, id, &where_first)));
        }
    }
    decide::check_one(pack, raw)
}

impl Engine {
    /// Decides every application of a source into a sink, in input order, with memory that
    /// does not grow with the file (but for the ids, kept to find duplicates)
    ///
    /// # Errors
    /// An input that cannot be read at all, or an output that cannot be written.
    pub fn decide_stream(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<Summary, StreamError> {
        let pack = self.pack();
        let limited: Vec<bool> = pack
            .clauses
            .iter()
            .map(|c| c.count_limit.is_some())
            .collect();
        let limited_kind = |raw: &RawApplication| -> bool {
            crate::validate::kind_text(raw)
                .and_then(|k| pack.clauses.iter().position(|c| c.kind == k))
                .is_some_and(|ci| limited[ci])
        };

        // Where each id first appears, for duplicates.
        let mut first: HashMap<String, (usize, Option<crate::yaml::Pos>)> = HashMap::new();
        // Pass 1, only with count limits: rank the awarded applications of limited clauses.
        let mut placements: HashMap<usize, (usize, Placement)> = HashMap::new();
        let two_pass = limited.iter().any(|l| *l);
        if two_pass {
            let mut contenders: Vec<Vec<decide::Contender>> = vec![Vec::new(); pack.clauses.len()];
            source
                .chunks_ahead(&mut |chunk| {
                    // In parallel: each record's id, and, for a limited clause, its standing
                    // if it is awarded (duplicates are weeded out below, in order).
                    type Seen = (
                        usize,
                        Option<String>,
                        Option<crate::yaml::Pos>,
                        Option<(usize, decide::Contender)>,
                    );
                    let seen: Vec<Seen> = chunk
                        .into_par_iter()
                        .map(|r| {
                            let raw = match r {
                                Record::JsonLine { index, line, text } => {
                                    let light = input::json_line_light(&text, index, line);
                                    if !limited_kind(&light) {
                                        return (
                                            index,
                                            light.id().map(str::to_string),
                                            light.pos,
                                            None,
                                        );
                                    }
                                    input::json_line(&text, index, line)
                                }
                                Record::Parsed(raw) => raw,
                            };
                            let id = raw.id().map(str::to_string);
                            let standing = if limited_kind(&raw) {
                                decide::check_one(pack, &raw).ok().and_then(|c| {
                                    let (d, _) = decide::decide_one(pack, self.host(), &c, false);
                                    (d.status == Status::Awarded)
                                        .then(|| {
                                            decide::contender(pack, c.clause, raw.index, &c.facts)
                                        })
                                        .flatten()
                                        .map(|k| (c.clause, k))
                                })
                            } else {
                                None
                            };
                            (raw.index, id, raw.pos, standing)
                        })
                        .collect();
                    for (index, id, pos, standing) in seen {
                        let duplicate = match id {
                            Some(id) => {
                                let entry = first.entry(id).or_insert((index, pos));
                                entry.0 != index
                            }
                            None => false,
                        };
                        if let (false, Some((ci, k))) = (duplicate, standing) {
                            contenders[ci].push(k);
                        }
                    }
                    Ok(())
                })
                .map_err(StreamError::Input)?;
            for (ci, list) in contenders.into_iter().enumerate() {
                for (index, placement) in decide::rank_contenders(pack, ci, list) {
                    placements.insert(index, (ci, placement));
                }
            }
        }

        let timing = std::env::var_os("POLICY_TIMING").is_some();
        let t0 = std::time::Instant::now();
        if timing {
            eprintln!("pass 1 done");
        }
        // Pass 2: decide, render and write, chunk by chunk, in order.
        write(&sink.begin()).map_err(StreamError::Output)?;
        let mut count = 0usize;
        let mut by_status: HashMap<Status, usize> = HashMap::new();
        let mut by_clause: Vec<(usize, usize, Vec<Decimal>)> =
            vec![(0, 0, Vec::new()); pack.clauses.len()];
        let mut awarded_amounts: Vec<Decimal> = Vec::new();
        let mut write_error = None;
        source
            .chunks_ahead(&mut |chunk| {
                let raws: Vec<RawApplication> =
                    chunk.into_par_iter().map(|r| r.parse(false)).collect();
                if !two_pass {
                    for raw in &raws {
                        if let Some(id) = raw.id() {
                            first.entry(id.to_string()).or_insert((raw.index, raw.pos));
                        }
                    }
                }
                let base = count;
                let done: Vec<(Decision, Vec<u8>)> = raws
                    .par_iter()
                    .enumerate()
                    .map(|(k, raw)| {
                        let mut d =
                            match check_one(self, raw, raw.id().and_then(|id| first.get(id))) {
                                Err(d) => *d,
                                Ok(c) => {
                                    let (mut d, _) =
                                        decide::decide_one(pack, self.host(), &c, false);
                                    if d.status == Status::Awarded {
                                        if let Some((ci, p)) = placements.get(&raw.index) {
                                            decide::apply_placement(pack, *ci, &mut d, p);
                                        }
                                    }
                                    d
                                }
                            };
                        d.amount = pack.rounding.apply(d.amount);
                        let bytes = sink.render(base + k, &d);
                        (d, bytes)
                    })
                    .collect();
                let mut out = Vec::with_capacity(done.iter().map(|(_, b)| b.len()).sum());
                for (d, bytes) in &done {
                    out.extend_from_slice(bytes);
                    *by_status.entry(d.status).or_default() += 1;
                    if let Some(ci) = d
                        .clause
                        .as_deref()
                        .and_then(|id| pack.clauses.iter().position(|c| c.id == id))
                    {
                        by_clause[ci].0 += 1;
                        if d.status == Status::Awarded {
                            by_clause[ci].1 += 1;
                            by_clause[ci].2.push(d.amount);
                        }
                    }
                    if d.status == Status::Awarded {
                        awarded_amounts.push(d.amount);
                    }
                }
                // Sums per chunk keep the kept amounts few.
                let subtotal = decide::sum(awarded_amounts.drain(..));
                awarded_amounts.push(subtotal);
                for c in &mut by_clause {
                    let s = decide::sum(c.2.drain(..));
                    c.2.push(s);
                }
                count += done.len();
                if let Err(e) = write(&out) {
                    write_error = Some(e);
                    return Err(InputError {
                        file: PathBuf::new(),
                        pos: None,
                        message: "output failed".into(),
                    });
                }
                Ok(())
            })
            .map_err(|e| match write_error.take() {
                Some(w) => StreamError::Output(w),
                None => StreamError::Input(e),
            })?;
        if timing {
            eprintln!("pass 2: {:?}", t0.elapsed());
        }
        let awarded = by_status.get(&Status::Awarded).copied().unwrap_or(0);
        let totals = Totals {
            applications: count,
            awarded,
            amount: pack.rounding.apply(decide::sum(awarded_amounts)),
        };
        write(&sink.end(count, &totals)).map_err(StreamError::Output)?;
        let mut by_status: Vec<(Status, usize)> = by_status.into_iter().collect();
        by_status.sort();
        Ok(Summary {
            totals,
            by_status,
            by_clause: pack
                .clauses
                .iter()
                .zip(by_clause)
                .map(|(c, (n, a, amounts))| {
                    (
                        c.id.clone(),
                        n,
                        a,
                        pack.rounding.apply(decide::sum(amounts)),
                    )
                })
                .collect(),
        })
    }
}
