//! Deciding a file of any size with flat memory and both cores: applications are read in
//! chunks, parsed and decided in parallel, and written in input order as they are decided.
//!
//! Count limits need every contender before any is placed, so a pack with one reads the input
//! twice: a first pass parses only `id` and `kind` of each record (JSONL), decides the
//! applications of limited clauses and ranks them; the second pass decides everything and
//! places each contender by its rank. Only the ranks and the ids (for duplicates) are kept
//! across the file.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::decide::Engine;
use crate::decide::{self, Placement};
use crate::input::{self, InputError, InputFormat, RawApplication};
use crate::model::decision::{add, Decision, Status, Totals};
use crate::model::facts::Checked;

/// How many records are parsed and decided together
const CHUNK: usize = 8192;

/// A file of applications that can be read more than once
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The file as named, in messages
    path: PathBuf,
    /// Where it is read from: the file itself, or a copy of a pipe's contents
    read_from: PathBuf,
    /// Held for its removal when the last clone goes
    _spool: Option<Arc<Spool>>,
    format: InputFormat,
    aliases: HashMap<String, String>,
    sheet: Option<String>,
    max_line_bytes: usize,
}

/// A copy of a pipe's contents in the temporary directory, removed when the last input using
/// it goes
#[derive(Debug)]
struct Spool(PathBuf);

impl Spool {
    fn copy(path: &Path) -> Result<Spool, InputError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let fail = |e: io::Error| InputError {
            file: path.to_path_buf(),
            pos: None,
            message: format!("cannot read (copying it to a temporary file): {e}"),
        };
        let to = std::env::temp_dir().join(format!(
            ".policy-input-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&to)
            .map_err(fail)?;
        let spool = Spool(to);
        let mut input = std::fs::File::open(path).map_err(fail)?;
        io::copy(&mut input, &mut out).map_err(fail)?;
        Ok(spool)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The longest JSONL line read by default: a record is a few hundred bytes
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// A line of a JSONL chunk: (index, line number, start, end) in the chunk's block, or a record
/// already known to be broken
type Span = Result<(usize, usize, usize, usize), RawApplication>;

/// Blocks of finished chunks, given back to the reader: a fresh multi-megabyte block per chunk
/// costs the kernel zeroing fresh (huge) pages, measured at a tenth of a large run
#[derive(Default)]
pub(crate) struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

impl Pool {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_else(|| Vec::with_capacity(BLOCK))
    }

    /// Gives a chunk's block back once no record holds it any more
    pub(crate) fn give(&self, block: Option<Arc<Vec<u8>>>) {
        if let Some(Ok(mut bytes)) = block.map(Arc::try_unwrap) {
            bytes.clear();
            if let Ok(mut p) = self.0.lock() {
                if p.len() < 8 {
                    p.push(bytes);
                }
            }
        }
    }
}

/// Records read together, and the block of bytes their JSONL lines are in. The block is held
/// by the chunk, not by each record: a reference count per record, dropped on two cores at
/// once, passed its cache line back and forth a million times.
pub(crate) struct Chunk {
    pub(crate) block: Option<Arc<Vec<u8>>>,
    pub(crate) records: Vec<Record>,
}

impl Chunk {
    fn parsed(records: Vec<Record>) -> Chunk {
        Chunk {
            block: None,
            records,
        }
    }
}

/// A chunk's block as bytes (none for records that came parsed)
pub(crate) fn bytes_of(block: &Option<Arc<Vec<u8>>>) -> &[u8] {
    block.as_deref().map_or(&[][..], Vec::as_slice)
}

/// One record of a source, parsed where it is decided (in parallel) unless it came parsed
pub(crate) enum Record {
    Parsed(RawApplication),
    /// A JSONL line: where its bytes are in its chunk's block (one allocation per chunk, not
    /// per line), checked to be UTF-8 where it is parsed (in parallel)
    JsonLine {
        index: usize,
        line: usize,
        start: usize,
        end: usize,
    },
}

/// A JSONL line's text, or the broken record it is when it is not UTF-8
fn line_text(
    block: &[u8],
    start: usize,
    end: usize,
    index: usize,
    line: usize,
) -> Result<&str, RawApplication> {
    let bytes = block.get(start..end).unwrap_or_default();
    // simdutf8 checks valid text several times faster than std; std words the failure.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => Err(broken(
            index,
            line,
            match std::str::from_utf8(bytes) {
                Err(e) => format!("line {line}: not valid UTF-8 ({e})"),
                Ok(_) => format!("line {line}: not valid UTF-8"),
            },
        )),
    }
}

/// The most records tables are sized for before reading (past it they grow): a guess from the
/// file's size must not reserve gigabytes for a file of a few long lines
const SIZE_HINT_MAX: u64 = 4_000_000;

/// How many bytes the JSONL reader asks for at a time
const READ: usize = 1 << 20;

/// The size a JSONL block starts at: a chunk's lines and one read more
const BLOCK: usize = CHUNK * 256 + 2 * READ;

impl Record {
    /// The record as an application for the general checker
    fn parse(self, block: &[u8]) -> RawApplication {
        match self {
            Record::Parsed(r) => r,
            Record::JsonLine {
                index,
                line,
                start,
                end,
            } => match line_text(block, start, end, index, line) {
                Ok(text) => input::json_line(text, index, line),
                Err(broken) => broken,
            },
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
        // A pipe (or any file that is not a regular one) reads once; a run may read twice.
        let spool = match std::fs::metadata(path) {
            Ok(m) if !m.is_file() && !m.is_dir() => Some(Arc::new(Spool::copy(path)?)),
            _ => None,
        };
        Ok(InputFile {
            path: path.to_path_buf(),
            read_from: spool
                .as_ref()
                .map_or_else(|| path.to_path_buf(), |s| s.0.clone()),
            _spool: spool,
            format,
            aliases: HashMap::new(),
            sheet: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
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

    /// The longest JSONL line read; a longer one becomes an error decision without being held
    /// in memory
    pub fn with_max_line_bytes(mut self, bytes: usize) -> InputFile {
        self.max_line_bytes = bytes.max(1);
        self
    }

    /// The input format
    pub fn format(&self) -> InputFormat {
        self.format
    }

    fn fail(&self, pos: Option<crate::model::pos::Pos>, message: String) -> InputError {
        InputError {
            file: self.path.clone(),
            pos,
            message,
        }
    }

    /// Every application, in order, in chunks
    fn chunks(
        &self,
        pool: &Pool,
        each: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        match self.format {
            InputFormat::Jsonl => {
                let mut file = std::fs::File::open(&self.read_from)
                    .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                let limit = self.max_line_bytes;
                // Big reads straight into the block; lines found with memchr. The reader is the
                // one step that is not parallel, so it only splits: each line is checked to be
                // UTF-8 and parsed by the workers.
                let mut block: Vec<u8> = pool.take();
                let mut spans: Vec<Span> = Vec::with_capacity(CHUNK);
                let mut index = 0;
                let mut line_no = 0;
                // Where the line being read starts in `block`, and where to look for its end
                let mut line_start = 0;
                let mut look = 0;
                // Inside a line longer than the limit, whose bytes are dropped as they come
                let mut skipping = false;
                loop {
                    let n = (&mut file)
                        .take(READ as u64)
                        .read_to_end(&mut block)
                        .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                    let eof = n == 0;
                    loop {
                        let found = block
                            .get(look..)
                            .and_then(|rest| memchr::memchr(b'\n', rest))
                            .map(|p| look + p);
                        let end = match found {
                            Some(p) => p,
                            None if eof && (skipping || line_start < block.len()) => block.len(),
                            None => {
                                if skipping || block.len() - line_start > limit {
                                    // Too long: what was read goes, the rest is skipped unread.
                                    block.truncate(line_start);
                                    skipping = true;
                                }
                                look = block.len();
                                break;
                            }
                        };
                        line_no += 1;
                        if skipping || end - line_start > limit {
                            spans.push(Err(broken(
                                index,
                                line_no,
                                format!("line {line_no}: longer than {limit} bytes, the most a line may have"),
                            )));
                            index += 1;
                            skipping = false;
                            // Its bytes go; what follows it moves up.
                            let next = (end + 1).min(block.len());
                            block.drain(line_start..next);
                            look = line_start;
                        } else {
                            let mut stop = end;
                            while stop > line_start && block[stop - 1] == b'\r' {
                                stop -= 1;
                            }
                            let mut begin = line_start;
                            if line_no == 1 && block[begin..stop].starts_with("\u{feff}".as_bytes())
                            {
                                begin += 3;
                            }
                            if !input::blank(&block[begin..stop]) {
                                spans.push(Ok((index, line_no, begin, stop)));
                                index += 1;
                            }
                            line_start = (end + 1).min(block.len());
                            look = line_start;
                        }
                        if eof && line_start >= block.len() {
                            break;
                        }
                    }
                    if spans.len() >= CHUNK || (eof && !spans.is_empty()) {
                        // The line being read moves to the next block.
                        let mut next = pool.take();
                        next.extend_from_slice(&block[line_start..]);
                        block.truncate(line_start);
                        let shared = Arc::new(std::mem::replace(&mut block, next));
                        look -= line_start;
                        line_start = 0;
                        let records = spans
                            .drain(..)
                            .map(|s| match s {
                                Ok((index, line, start, end)) => Record::JsonLine {
                                    index,
                                    line,
                                    start,
                                    end,
                                },
                                Err(raw) => Record::Parsed(raw),
                            })
                            .collect();
                        each(Chunk {
                            block: Some(shared),
                            records,
                        })?;
                    }
                    if eof {
                        break;
                    }
                }
                Ok(())
            }
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_path(&self.read_from)
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
                        each(Chunk::parsed(std::mem::replace(
                            &mut chunk,
                            Vec::with_capacity(CHUNK),
                        )))?;
                    }
                }
                if !chunk.is_empty() {
                    each(Chunk::parsed(chunk))?;
                }
                Ok(())
            }
            InputFormat::Xlsx => {
                let apps =
                    crate::input::xlsx::read(&self.read_from, self.sheet.as_deref(), &self.aliases)
                        .map_err(|(pos, m)| self.fail(pos, m))?;
                for c in apps.chunks(CHUNK) {
                    each(Chunk::parsed(
                        c.iter().cloned().map(Record::Parsed).collect(),
                    ))?;
                }
                Ok(())
            }
            InputFormat::Yaml | InputFormat::Json => {
                let apps = input::read_applications(&self.read_from, Some(self.format)).map_err(
                    |mut e| {
                        e.file = self.path.clone();
                        e
                    },
                )?;
                let mut apps = apps.into_iter();
                loop {
                    let chunk: Vec<Record> =
                        apps.by_ref().take(CHUNK).map(Record::Parsed).collect();
                    if chunk.is_empty() {
                        break;
                    }
                    each(Chunk::parsed(chunk))?;
                }
                Ok(())
            }
        }
    }

    /// As [`InputFile::chunks`], with the reading done on a thread of its own, a chunk or two
    /// ahead of the one being decided: reading is the one step that cannot be parallel
    pub(crate) fn chunks_ahead(
        &self,
        pool: &Pool,
        each: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
            let reader = scope.spawn(move || {
                self.chunks(pool, &mut |chunk| {
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
        self.chunks(&Pool::default(), &mut |chunk| {
            let Chunk { block, records } = chunk;
            let bytes = bytes_of(&block);
            all.extend(records.into_iter().map(|r| r.parse(bytes)));
            Ok(())
        })?;
        Ok(all)
    }
}

fn broken(index: usize, line: usize, problem: String) -> RawApplication {
    RawApplication {
        index,
        pos: Some(crate::model::pos::Pos { line, col: 1 }),
        node: crate::load::yaml::Node::scalar("", false),
        problem: Some(problem),
    }
}

/// How decisions are written: each rendered to bytes (in parallel), the pieces written in
/// order by the caller
pub trait Sink: Sync {
    /// What comes before the first decision
    fn begin(&self) -> Vec<u8>;
    /// One decision, appended to `out`; `n` is its place in the output, from 0. Called in
    /// parallel.
    fn render(&self, n: usize, decision: &Decision, out: &mut Vec<u8>);
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
    /// A change asked of the pack (a swept value) does not apply; nothing was read
    Changes(crate::model::error::LoadErrors),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Input(e) => write!(f, "{e}"),
            StreamError::Output(e) => write!(f, "cannot write the output: {e}"),
            StreamError::Changes(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// A record parsed: checked facts straight from the quick path, or an application for the
/// general checker
pub(crate) enum Ready {
    Fast {
        index: usize,
        pos: Option<crate::model::pos::Pos>,
        checked: Checked,
    },
    Slow(RawApplication),
}

impl Ready {
    pub(crate) fn id(&self) -> Option<&str> {
        match self {
            Ready::Fast { checked, .. } => Some(&checked.facts.id),
            Ready::Slow(raw) => raw.id(),
        }
    }

    pub(crate) fn index(&self) -> usize {
        match self {
            Ready::Fast { index, .. } => *index,
            Ready::Slow(raw) => raw.index,
        }
    }

    fn pos(&self) -> Option<crate::model::pos::Pos> {
        match self {
            Ready::Fast { pos, .. } => *pos,
            Ready::Slow(raw) => raw.pos,
        }
    }
}

impl Record {
    pub(crate) fn ready(self, pack: &crate::model::pack::Pack, block: &[u8]) -> Ready {
        match self {
            Record::JsonLine {
                index,
                line,
                start,
                end,
            } => {
                let text = match line_text(block, start, end, index, line) {
                    Ok(text) => text,
                    Err(broken) => return Ready::Slow(broken),
                };
                match crate::input::quick::json_facts(pack, text) {
                    Some(checked) => Ready::Fast {
                        index,
                        pos: Some(crate::model::pos::Pos { line, col: 1 }),
                        checked,
                    },
                    None => Ready::Slow(input::json_line(text, index, line)),
                }
            }
            Record::Parsed(raw) => Ready::Slow(raw),
        }
    }
}

/// Where an id was first seen: its application's place and line (0 when unknown), kept small
/// because there is one per application of the file
type FirstSeen = (u32, u32);

type FirstMap = FxHashMap<Box<str>, FirstSeen>;

/// Where each contender of a limited clause was placed, by application index: its clause and
/// placement
pub(crate) type Placements = FxHashMap<usize, (usize, Placement)>;

fn seen_at(index: usize, pos: Option<crate::model::pos::Pos>) -> FirstSeen {
    (
        u32::try_from(index).unwrap_or(u32::MAX),
        pos.and_then(|p| u32::try_from(p.line).ok()).unwrap_or(0),
    )
}

fn where_first(index: usize, pos: Option<crate::model::pos::Pos>) -> String {
    match pos {
        Some(p) => format!("application #{} (line {})", index + 1, p.line),
        None => format!("application #{}", index + 1),
    }
}

/// How many records one parallel task decides and renders in a row
pub(crate) const PIECE: usize = 512;

const STATUSES: [Status; 4] = [
    Status::Awarded,
    Status::Ineligible,
    Status::Capped,
    Status::Error,
];

/// Counts and sums of a run, kept as decisions pass
struct Tally {
    count: usize,
    by_status: [usize; 4],
    by_clause: Vec<(usize, usize, Decimal)>,
    amount: Decimal,
}

impl Tally {
    fn new(clauses: usize) -> Tally {
        Tally {
            count: 0,
            by_status: [0; 4],
            by_clause: vec![(0, 0, Decimal::ZERO); clauses],
            amount: Decimal::ZERO,
        }
    }

    /// Counts a decision; `clause` is its clause's index when the caller knows it
    fn add(&mut self, pack: &crate::model::pack::Pack, d: &Decision, clause: Option<usize>) {
        self.count += 1;
        let s = STATUSES.iter().position(|s| *s == d.status).unwrap_or(3);
        self.by_status[s] += 1;
        let awarded = d.status == Status::Awarded;
        if awarded {
            self.amount = add(self.amount, d.amount);
        }
        let clause = clause.or_else(|| {
            d.clause
                .as_deref()
                .and_then(|id| pack.clauses.iter().position(|c| c.id == id))
        });
        if let Some(entry) = clause.and_then(|ci| self.by_clause.get_mut(ci)) {
            entry.0 += 1;
            if awarded {
                entry.1 += 1;
                entry.2 = add(entry.2, d.amount);
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.count += other.count;
        for (a, b) in self.by_status.iter_mut().zip(other.by_status) {
            *a += b;
        }
        for (a, b) in self.by_clause.iter_mut().zip(other.by_clause) {
            a.0 += b.0;
            a.1 += b.1;
            a.2 = add(a.2, b.2);
        }
        self.amount = add(self.amount, other.amount);
    }
}

fn unpack(index: u32, line: u32) -> (usize, Option<crate::model::pos::Pos>) {
    (
        index as usize,
        (line > 0).then_some(crate::model::pos::Pos {
            line: line as usize,
            col: 1,
        }),
    )
}

/// Checks one application for the stream; `first` says where its id was first seen if that
/// was an earlier application
fn check_one(
    engine: &Engine,
    raw: &RawApplication,
    first: Option<FirstSeen>,
) -> Result<Checked, Box<Decision>> {
    let pack = engine.pack();
    if let (Some(id), Some((first_index, first_line))) = (raw.id(), first) {
        let (first_index, first_pos) = unpack(first_index, first_line);
        return Err(Box::new(decide::duplicate(
            pack,
            raw,
            id,
            &where_first(first_index, first_pos),
        )));
    }
    decide::check_one(pack, raw)
}

/// Which applications repeat an earlier one's id, and where that one is
pub(crate) enum Repeats {
    /// Known before deciding (a first pass found them): index → where the id first appeared
    Known(FxHashMap<u32, FirstSeen>),
    /// Found as the stream goes: every id seen so far, and where
    Running(FirstMap),
}

impl Repeats {
    /// Where the id of the record at `index` first appeared, if at an earlier record
    pub(crate) fn earlier(&self, index: usize, id: Option<&str>) -> Option<FirstSeen> {
        match self {
            Repeats::Known(map) => map.get(&u32::try_from(index).ok()?).copied(),
            Repeats::Running(first) => first
                .get(id?)
                .copied()
                .filter(|&(at, line)| unpack(at, line).0 != index),
        }
    }
}

/// An id's hash for the first pass: a keyed-nothing SipHash, so the same file finds the same
/// candidates on every run; equal hashes are only candidates, confirmed on the ids themselves
pub(crate) fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl Engine {
    /// The decision on one parsed record of a stream
    pub(crate) fn decide_ready(
        &self,
        r: &Ready,
        repeats: &Repeats,
        placements: &FxHashMap<usize, (usize, Placement)>,
    ) -> Decision {
        let pack = self.pack();
        let earlier = repeats.earlier(r.index(), r.id());
        let checked = match r {
            Ready::Slow(raw) => check_one(self, raw, earlier),
            Ready::Fast { checked, .. } => match earlier {
                Some((at, line)) => {
                    let (at, at_pos) = unpack(at, line);
                    Err(Box::new(decide::duplicate_of(
                        pack,
                        &checked.facts.id,
                        Some(checked.facts.kind.clone()),
                        &where_first(at, at_pos),
                    )))
                }
                None => Ok(checked.clone()),
            },
        };
        let mut d = match checked {
            Err(d) => *d,
            Ok(c) => {
                let (mut d, _) = decide::decide_one(pack, &self.code, &c, false);
                if d.status == Status::Awarded {
                    if let Some((ci, p)) = placements.get(&r.index()) {
                        decide::apply_placement(pack, *ci, &mut d, p);
                    }
                }
                d
            }
        };
        d.amount = pack.rounding.apply(d.amount);
        d
    }

    /// Decides, renders and tallies consecutive records, the first being the `first`th
    fn render_piece(
        &self,
        sink: &dyn Sink,
        first: usize,
        piece: impl Iterator<Item = Ready>,
        repeats: &Repeats,
        placements: &FxHashMap<usize, (usize, Placement)>,
    ) -> (Vec<u8>, Tally) {
        let pack = self.pack();
        let mut buf = Vec::with_capacity(PIECE * 400);
        let mut tally = Tally::new(pack.clauses.len());
        for (j, r) in piece.enumerate() {
            let d = self.decide_ready(&r, repeats, placements);
            sink.render(first + j, &d, &mut buf);
            // A record read the quick way names its clause; its decision is that clause's.
            let clause = match &r {
                Ready::Fast { checked, .. } => Some(checked.clause),
                Ready::Slow(_) => None,
            };
            tally.add(pack, &d, clause);
        }
        (buf, tally)
    }

    /// The ids of the records at `wanted`, with their lines, read again from the source: the
    /// first pass keeps only hashes of ids, and equal hashes are confirmed here
    fn ids_at(
        &self,
        source: &InputFile,
        pool: &Pool,
        wanted: &rustc_hash::FxHashSet<u32>,
    ) -> Result<Vec<(u32, u32, String)>, InputError> {
        let mut found = Vec::with_capacity(wanted.len());
        source.chunks(pool, &mut |chunk| {
            let Chunk { block, records } = chunk;
            let bytes = bytes_of(&block);
            for r in records {
                let (index, line) = match &r {
                    Record::Parsed(raw) => (raw.index, raw.pos.map_or(0, |p| p.line)),
                    Record::JsonLine { index, line, .. } => (*index, *line),
                };
                let at = u32::try_from(index).unwrap_or(u32::MAX);
                if !wanted.contains(&at) {
                    continue;
                }
                let raw = match r {
                    Record::Parsed(raw) => raw,
                    Record::JsonLine {
                        index,
                        line,
                        start,
                        end,
                    } => match line_text(bytes, start, end, index, line) {
                        Ok(text) => crate::input::quick::light(text, index, line)
                            .unwrap_or_else(|| input::json_line_light(text, index, line)),
                        Err(broken) => broken,
                    },
                };
                if let Some(id) = raw.id() {
                    let line = u32::try_from(line).unwrap_or(0);
                    found.push((at, line, id.to_string()));
                }
            }
            pool.give(block);
            Ok(())
        })?;
        Ok(found)
    }

    /// The first pass of a pack with count limits: every record's id hashed and each awarded
    /// application of a limited clause ranked; the ranks go to `placements`, the repeated ids
    /// are returned. Ids are kept as 64-bit hashes (a million ids in 16 MB, no lookups in the
    /// second pass); records whose hashes meet are read again and compared by their ids.
    pub(crate) fn first_pass(
        &self,
        source: &InputFile,
        pool: &Pool,
        others: &[&Engine],
        id_hash: fn(&str) -> u64,
    ) -> Result<(Repeats, Vec<Placements>), InputError> {
        let pack = self.pack();
        // This engine, then the others (variants of its pack: the same clauses and kinds).
        let engines: Vec<&Engine> = std::iter::once(self)
            .chain(others.iter().copied())
            .collect();
        let limited: Vec<Vec<bool>> = engines
            .iter()
            .map(|e| {
                e.pack()
                    .clauses
                    .iter()
                    .map(|c| c.count_limit.is_some())
                    .collect()
            })
            .collect();
        let any_limited = |ci: usize| limited.iter().any(|l| l.get(ci).copied().unwrap_or(false));
        let limited_at = |kind: &str| -> bool {
            pack.clauses
                .iter()
                .position(|c| c.kind == kind)
                .is_some_and(any_limited)
        };
        let limited_kind = |raw: &RawApplication| -> bool {
            crate::input::validate::kind_text(raw).is_some_and(|k| limited_at(&k))
        };
        // The standing of an application of a limited clause under each engine that limits
        // it, where it is awarded there
        type Standing = Vec<(usize, usize, decide::Contender)>;
        let standing = |c: &Checked, index: usize| -> Standing {
            engines
                .iter()
                .enumerate()
                .filter(|(e, _)| limited[*e].get(c.clause).copied().unwrap_or(false))
                .filter_map(|(e, engine)| {
                    let p = engine.pack();
                    let (d, _) = decide::decide_one(p, &engine.code, c, false);
                    (d.status == Status::Awarded)
                        .then(|| decide::contender(p, c.clause, index, &c.facts))
                        .flatten()
                        .map(|k| (e, c.clause, k))
                })
                .collect()
        };
        let size_hint = std::fs::metadata(&source.read_from)
            .map(|m| m.len() / 200)
            .unwrap_or(0);
        // Every id's hash and record, appended as the file goes (no lookups: a table of a
        // million ids was a cache miss per record on the one sequential path), sorted once at
        // the end to find the hashes that meet.
        let mut hashes: Vec<(u64, u32)> =
            Vec::with_capacity(usize::try_from(size_hint.min(SIZE_HINT_MAX)).unwrap_or(0));
        let mut contenders: Vec<Vec<Vec<decide::Contender>>> =
            vec![vec![Vec::new(); pack.clauses.len()]; engines.len()];
        type Seen = (usize, Option<u64>, Standing);
        let mut seen: Vec<Seen> = Vec::new();
        source.chunks_ahead(pool, &mut |chunk| {
            let Chunk { block, records } = chunk;
            let bytes = bytes_of(&block);
            // In parallel: each record's id hash and line, and, for a limited clause, its
            // standing if it is awarded (repeats are weeded out below, in order).
            // Collected into one vector kept across chunks: a fresh one per chunk was fresh
            // memory for the kernel to clear each time.
            seen.clear();
            seen.par_extend(records.into_par_iter().map(|r| {
                let raw = match r {
                    Record::JsonLine {
                        index,
                        line,
                        start,
                        end,
                    } => {
                        let text = match line_text(bytes, start, end, index, line) {
                            Ok(text) => text,
                            // Not text: an error of its own in the second pass, with no id.
                            Err(_) => return (index, None, Vec::new()),
                        };
                        // Most lines: id and kind found by a byte scan, nothing built; a
                        // line of a limited kind is then read whole.
                        if let Some((id, kind)) = crate::input::quick::scan_id_kind(text) {
                            if !kind.is_some_and(limited_at) {
                                return (index, id.map(id_hash), Vec::new());
                            }
                            if let Some(c) = crate::input::quick::json_facts(pack, text) {
                                let id = Some(id_hash(&c.facts.id));
                                return (index, id, standing(&c, index));
                            }
                        }
                        let light = crate::input::quick::light(text, index, line)
                            .unwrap_or_else(|| input::json_line_light(text, index, line));
                        if !limited_kind(&light) {
                            return (index, light.id().map(id_hash), Vec::new());
                        }
                        input::json_line(text, index, line)
                    }
                    Record::Parsed(raw) => raw,
                };
                let id = raw.id().map(id_hash);
                let standing = if limited_kind(&raw) {
                    decide::check_one(pack, &raw)
                        .map(|c| standing(&c, raw.index))
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                (raw.index, id, standing)
            }));
            for (index, id, standing) in seen.drain(..) {
                let at = u32::try_from(index).unwrap_or(u32::MAX);
                if let Some(h) = id {
                    hashes.push((h, at));
                }
                for (e, ci, k) in standing {
                    contenders[e][ci].push(k);
                }
            }
            pool.give(block);
            Ok(())
        })?;
        // Records whose id hash meets another's: only these are read again, for their ids.
        hashes.par_sort_unstable();
        let mut suspects: rustc_hash::FxHashSet<u32> = Default::default();
        for run in hashes
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
        {
            suspects.extend(run.iter().map(|(_, at)| *at));
        }
        drop(hashes);
        // Equal hashes confirmed on the ids: the first of each id in the file stays.
        let mut known: FxHashMap<u32, FirstSeen> = FxHashMap::default();
        if !suspects.is_empty() {
            let mut ids = self.ids_at(source, pool, &suspects)?;
            ids.sort_by_key(|(at, _, _)| *at);
            let mut first: FxHashMap<String, FirstSeen> = FxHashMap::default();
            for (at, line, id) in ids {
                match first.entry(id) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert((at, line));
                    }
                    std::collections::hash_map::Entry::Occupied(o) => {
                        known.insert(at, *o.get());
                    }
                }
            }
        }
        let placements = engines
            .iter()
            .zip(contenders)
            .map(|(engine, lists)| {
                let mut placements = Placements::with_capacity_and_hasher(
                    lists.iter().map(Vec::len).sum(),
                    Default::default(),
                );
                for (ci, mut list) in lists.into_iter().enumerate() {
                    list.retain(|k| {
                        u32::try_from(k.index)
                            .map(|at| !known.contains_key(&at))
                            .unwrap_or(true)
                    });
                    for (index, placement) in decide::rank_contenders(engine.pack(), ci, list) {
                        placements.insert(index, (ci, placement));
                    }
                }
                placements
            })
            .collect();
        Ok((Repeats::Known(known), placements))
    }

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
        self.decide_stream_with_progress(source, sink, write, &mut |_| {})
    }

    /// As [`Engine::decide_stream`], telling `progress` how many applications are decided
    /// after each chunk
    ///
    /// # Errors
    /// As [`Engine::decide_stream`].
    pub fn decide_stream_with_progress(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Summary, StreamError> {
        self.stream(source, sink, write, progress, id_hash)
    }

    /// The stream, with the hash the first pass keeps of ids (tests make it collide)
    fn stream(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
        hash: fn(&str) -> u64,
    ) -> Result<Summary, StreamError> {
        let pack = self.pack();
        let limited: Vec<bool> = pack
            .clauses
            .iter()
            .map(|c| c.count_limit.is_some())
            .collect();
        let pool = Pool::default();
        // Pass 1, only with count limits: rank the awarded applications of limited clauses, and
        // find the repeated ids (a repeat is no contender).
        let two_pass = limited.iter().any(|l| *l);
        let (mut repeats, placements) = if two_pass {
            let (repeats, mut placements) = self
                .first_pass(source, &pool, &[], hash)
                .map_err(StreamError::Input)?;
            (repeats, placements.pop().unwrap_or_default())
        } else {
            // One pass: ids kept as they come. Sized from the file at about 200 bytes a record,
            // so the table is not rebuilt as it grows (every rebuild touched fresh memory).
            let size_hint = std::fs::metadata(&source.read_from)
                .map(|m| m.len() / 200)
                .unwrap_or(0);
            let first = FxHashMap::with_capacity_and_hasher(
                usize::try_from(size_hint.min(SIZE_HINT_MAX)).unwrap_or(0),
                Default::default(),
            );
            (Repeats::Running(first), Placements::default())
        };

        // Pass 2: decide, render and write, chunk by chunk, in order. A driver thread reads
        // and decides (on the rayon pool); this thread writes the rendered pieces as they come,
        // so writing overlaps deciding.
        write(&sink.begin()).map_err(StreamError::Output)?;
        let mut count = 0usize;
        let mut totals_so_far = Tally::new(pack.clauses.len());
        let mut write_error = None;
        let placements = &placements;
        let decided = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Vec<u8>, Tally)>>(2);
            let pool = &pool;
            let driver = scope.spawn(move || {
                let mut sent = 0usize;
                source.chunks_ahead(pool, &mut |chunk| {
                    let base = sent;
                    sent += chunk.records.len();
                    let Chunk { block, records } = chunk;
                    let bytes = bytes_of(&block);
                    let pieces = match &mut repeats {
                        // Repeats known already: each piece is parsed, decided and rendered
                        // in one go.
                        Repeats::Known(_) => {
                            let repeats = &repeats;
                            records
                                .into_par_iter()
                                .chunks(PIECE)
                                .enumerate()
                                .map(|(p, piece)| {
                                    let ready = piece.into_iter().map(|r| r.ready(pack, bytes));
                                    self.render_piece(
                                        sink,
                                        base + p * PIECE,
                                        ready,
                                        repeats,
                                        placements,
                                    )
                                })
                                .collect()
                        }
                        // Ids registered in order between parsing and deciding.
                        Repeats::Running(first) => {
                            let ready: Vec<Ready> = records
                                .into_par_iter()
                                .map(|r| r.ready(pack, bytes))
                                .collect();
                            for r in &ready {
                                if let Some(id) = r.id() {
                                    first
                                        .entry(id.into())
                                        .or_insert(seen_at(r.index(), r.pos()));
                                }
                            }
                            let repeats = &repeats;
                            ready
                                .into_par_iter()
                                .chunks(PIECE)
                                .enumerate()
                                .map(|(p, piece)| {
                                    self.render_piece(
                                        sink,
                                        base + p * PIECE,
                                        piece.into_iter(),
                                        repeats,
                                        placements,
                                    )
                                })
                                .collect()
                        }
                    };
                    pool.give(block);
                    // A closed channel means the writer stopped (it failed): stop reading.
                    tx.send(pieces).map_err(|_| InputError {
                        file: PathBuf::new(),
                        pos: None,
                        message: "stopped".into(),
                    })
                })
            });
            for pieces in rx.iter() {
                for (buf, t) in pieces {
                    count += t.count;
                    totals_so_far.merge(t);
                    if write_error.is_none() {
                        if let Err(e) = write(&buf) {
                            write_error = Some(e);
                        }
                    }
                }
                if write_error.is_some() {
                    break;
                }
                progress(count);
            }
            // Dropping the receiver ends the driver if it is still going.
            drop(rx);
            driver.join()
        });
        if let Some(e) = write_error {
            return Err(StreamError::Output(e));
        }
        match decided {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(StreamError::Input(e)),
            Err(_) => return Err(StreamError::Input(InputError {
                file: source.path.clone(),
                pos: None,
                message:
                    "deciding stopped on an internal error (a bug: please report it with the input)"
                        .into(),
            })),
        }
        let t = totals_so_far;
        let totals = Totals {
            applications: count,
            awarded: t.by_status[0],
            amount: pack.rounding.apply(t.amount),
        };
        write(&sink.end(count, &totals)).map_err(StreamError::Output)?;
        Ok(Summary {
            totals,
            by_status: STATUSES
                .iter()
                .zip(t.by_status)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (*s, n))
                .collect(),
            by_clause: pack
                .clauses
                .iter()
                .zip(t.by_clause)
                .map(|(c, (n, a, amount))| (c.id.clone(), n, a, pack.rounding.apply(amount)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines;

    impl Sink for Lines {
        fn begin(&self) -> Vec<u8> {
            Vec::new()
        }
        fn render(&self, n: usize, d: &Decision, out: &mut Vec<u8>) {
            out.extend_from_slice(format!("{n} {d:?}\n").as_bytes());
        }
        fn end(&self, count: usize, totals: &Totals) -> Vec<u8> {
            format!("{count} {totals:?}\n").into_bytes()
        }
    }

    fn run(engine: &Engine, file: &InputFile, hash: fn(&str) -> u64) -> String {
        let mut out = Vec::new();
        let mut write = |b: &[u8]| -> io::Result<()> {
            out.extend_from_slice(b);
            Ok(())
        };
        let result = engine.stream(file, &Lines, &mut write, &mut |_| {}, hash);
        assert!(result.is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    /// The engine on the pack the repository ships
    fn shipped_pack() -> Engine {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        match Engine::load(Path::new(dir)) {
            Ok(engine) => engine,
            Err(e) => panic!("the shipped pack loads: {e}"),
        }
    }

    /// The records of a JSONL file as (line, id or problem)
    fn records(content: &[u8], limit: usize) -> Vec<(usize, Option<usize>, String)> {
        let path = std::env::temp_dir().join(format!(
            "stream-lines-{}-{}.jsonl",
            std::process::id(),
            content.len()
        ));
        assert!(std::fs::write(&path, content).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let all = file.with_max_line_bytes(limit).read_all();
        let _ = std::fs::remove_file(&path);
        let Ok(all) = all else {
            panic!("readable");
        };
        all.iter()
            .map(|r| {
                let what = match (&r.problem, r.id()) {
                    (Some(p), _) => p.clone(),
                    (None, Some(id)) => id.to_string(),
                    (None, None) => "?".into(),
                };
                (r.index, r.pos.map(|p| p.line), what)
            })
            .collect()
    }

    fn line(id: &str, pad: usize) -> String {
        format!("{{\"id\":\"{id}\",\"pad\":\"{}\"}}", "x".repeat(pad))
    }

    /// Lines are split by the reader and checked by the workers: blank lines, a BOM, CRLF,
    /// over-long lines (skipped unread, each an error of its own, wherever they fall, longer
    /// or shorter than one read) and invalid UTF-8 all keep their line numbers
    #[test]
    fn jsonl_lines_keep_their_numbers_whatever_their_shape() {
        let mut text = Vec::new();
        text.extend_from_slice("\u{feff}".as_bytes());
        text.extend_from_slice(format!("{}\r\n\n   \n", line("a", 0)).as_bytes());
        text.extend_from_slice(format!("{}\n", line("long", 200)).as_bytes());
        text.extend_from_slice(b"{\"id\":\"bad\xff\"}\n");
        text.extend_from_slice(format!("{}\n", line("b", 10)).as_bytes());
        text.extend_from_slice(line("last-long", 300).as_bytes());
        let got = records(&text, 100);
        let long = |n: usize| format!("line {n}: longer than 100 bytes, the most a line may have");
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], (0, Some(1), "a".into()));
        assert_eq!(got[1], (1, Some(4), long(4)));
        assert_eq!((got[2].0, got[2].1), (2, Some(5)));
        assert!(got[2].2.starts_with("line 5: not valid UTF-8"), "{got:?}");
        assert_eq!(got[3], (3, Some(6), "b".into()));
        assert_eq!(got[4], (4, Some(7), long(7)));

        // Lines longer than one read (1 MiB): kept under a larger limit, skipped over a smaller.
        let big = line("big", 3 << 20);
        let text = format!("{big}\n{}\n{big}", line("after", 5));
        let got = records(text.as_bytes(), 4 << 20);
        let ids: Vec<&str> = got.iter().map(|g| g.2.as_str()).collect();
        assert_eq!(ids, ["big", "after", "big"]);
        let got = records(text.as_bytes(), 2 << 20);
        assert_eq!(got.len(), 3);
        assert!(got[0].2.contains("longer than"), "{:?}", got[0].1);
        assert_eq!(got[1], (1, Some(2), "after".into()));
        assert!(got[2].2.contains("longer than"));

        // A file without a final newline, and one of nothing.
        let got = records(
            format!("{}\n{}", line("x", 1), line("y", 1)).as_bytes(),
            100,
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], (1, Some(2), "y".into()));
        assert!(records(b"", 100).is_empty());

        // Only JSON's whitespace makes a blank line: a line of an ideographic space or a form
        // feed is a (broken) record, streamed or read whole.
        let text = format!(
            "{}\n \t\r\n\u{3000}\n\u{c}\n{}\n",
            line("p", 1),
            line("q", 1)
        );
        let streamed = records(text.as_bytes(), 100);
        let Ok(whole) = crate::parse_applications(&text, crate::InputFormat::Jsonl) else {
            panic!("JSONL reads");
        };
        assert_eq!(streamed.len(), 4, "{streamed:?}");
        assert_eq!(whole.len(), 4);
        let lines: Vec<Option<usize>> = whole.iter().map(|r| r.pos.map(|p| p.line)).collect();
        assert_eq!(lines, streamed.iter().map(|r| r.1).collect::<Vec<_>>());
    }

    /// A streamed run decides as the whole file read at once does, on lines the quick path
    /// gives up on: a line that is not JSON (trailing text, a lone surrogate) has no id, so a
    /// later line with its id is no repeat; ids written with an exponent or an escaped key are
    /// the ids serde_json reads.
    #[test]
    fn odd_lines_have_the_ids_the_general_reader_finds() {
        let engine = shipped_pack();
        let line = |id: &str, name: &str| {
            format!(
                "{{{id},\"year\":2026,\"kind\":\"competition_award\",\"applicant\":{{\"name\":\"{name}\",\"in_city\":true}},\"prize\":\"first\"}}"
            )
        };
        let lines = [
            line("\"id\":\"R-1\"", "A") + " x",
            line("\"id\":\"R-1\"", "A"),
            line("\"id\":\"R-2\"", "\\ud83d"),
            line("\"id\":\"R-2\"", "B"),
            line("\"id\":1E5", "C"),
            line("\"id\":\"1e+5\"", "C"),
            line("\"\\u0069d\":\"R-3\"", "D"),
            line("\"id\":\"R-3\"", "D"),
        ];
        let text = lines.join("\n") + "\n";
        let path = std::env::temp_dir().join(format!("stream-odd-{}.jsonl", std::process::id()));
        assert!(std::fs::write(&path, &text).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let streamed = run(&engine, &file, id_hash);
        let _ = std::fs::remove_file(&path);
        let Ok(apps) = crate::parse_applications(&text, crate::InputFormat::Jsonl) else {
            panic!("JSONL reads");
        };
        let whole: String = engine
            .decide(&apps)
            .iter()
            .enumerate()
            .map(|(n, d)| format!("{n} {d:?}\n"))
            .collect();
        let streamed: String = streamed
            .lines()
            .take(lines.len())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(streamed, whole);
        assert_eq!(whole.matches("duplicate id").count(), 2, "{whole}");
    }

    /// The first pass keeps only hashes of ids: when hashes meet, the ids themselves decide.
    /// Every hash equal (all suspects) or a few equal (by length) must decide the same as
    /// the real hash, with each repeat found and no repeat ranked under a count limit.
    #[test]
    fn colliding_id_hashes_decide_as_distinct_ids() {
        let engine = shipped_pack();
        let mut text = String::new();
        for i in 0..40 {
            // A repeat every seventh line, of an id seen 5 lines before; scenario cases so
            // the yearly limit (10) binds.
            let n = if i % 7 == 6 { i - 5 } else { i };
            text.push_str(&format!(
                "{{\"id\":\"C-{n}\",\"year\":2026,\"kind\":\"scenario_case\",\"applicant\":{{\"name\":\"A{n}\",\"in_city\":true}},\"selected\":true,\"score\":{}}}\n",
                90 - i % 13
            ));
        }
        let path =
            std::env::temp_dir().join(format!("stream-collide-{}.jsonl", std::process::id()));
        assert!(std::fs::write(&path, &text).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let real = run(&engine, &file, id_hash);
        let all_equal = run(&engine, &file, |_| 0);
        let by_length = run(&engine, &file, |id| id.len() as u64);
        let _ = std::fs::remove_file(&path);
        assert_eq!(real.matches("duplicate id").count(), 5, "{real}");
        assert_eq!(real.matches("Capped").count(), 40 - 5 - 10, "{real}");
        assert_eq!(real, all_equal);
        assert_eq!(real, by_length);
    }
}
