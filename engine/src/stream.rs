//! Deciding a file of any size with flat memory and both cores: applications are read in
//! chunks, parsed and decided in parallel, and written in input order as they are decided.
//!
//! Count limits need every contender before any is placed, so a pack with one reads the input
//! twice: a first pass parses only `id` and `kind` of each record (JSONL), decides the
//! applications of limited clauses and ranks them; the second pass decides everything and
//! places each contender by its rank. Only the ranks and the ids (for duplicates) are kept
//! across the file.

use std::collections::HashMap;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

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
    max_line_bytes: usize,
}

/// The longest JSONL line read by default: a record is a few hundred bytes
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// A line of a JSONL chunk: (index, line number, start, end) in the chunk's block, or a record
/// already known to be broken
type Span = Result<(usize, usize, usize, usize), RawApplication>;

/// Blocks of finished chunks, given back to the reader: a fresh multi-megabyte block per chunk
/// costs the kernel zeroing fresh (huge) pages, measured at a tenth of a large run
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

impl Pool {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_else(|| Vec::with_capacity(CHUNK * 320))
    }

    /// Gives a chunk's block back once no record holds it any more
    fn give(&self, block: Option<Arc<String>>) {
        if let Some(Ok(text)) = block.map(Arc::try_unwrap) {
            let mut bytes = text.into_bytes();
            bytes.clear();
            if let Ok(mut p) = self.0.lock() {
                if p.len() < 4 {
                    p.push(bytes);
                }
            }
        }
    }
}

/// The block a chunk's JSONL records share, if they do
fn block_of(chunk: &[Record]) -> Option<Arc<String>> {
    chunk.iter().find_map(|r| match r {
        Record::JsonLine { block, .. } => Some(block.clone()),
        Record::Parsed(_) => None,
    })
}

/// One record of a source, parsed where it is decided (in parallel) unless it came parsed
enum Record {
    Parsed(RawApplication),
    /// A JSONL line: its text in a block shared by its chunk (one allocation per chunk, not
    /// per line)
    JsonLine {
        index: usize,
        line: usize,
        block: Arc<String>,
        start: usize,
        end: usize,
    },
}

fn line_text(block: &str, start: usize, end: usize) -> &str {
    block.get(start..end).unwrap_or_default()
}

impl Record {
    /// The record as an application for the general checker
    fn parse(self) -> RawApplication {
        match self {
            Record::Parsed(r) => r,
            Record::JsonLine {
                index,
                line,
                block,
                start,
                end,
            } => input::json_line(line_text(&block, start, end), index, line),
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
        pool: &Pool,
        each: &mut dyn FnMut(Vec<Record>) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        match self.format {
            InputFormat::Jsonl => {
                let file = std::fs::File::open(&self.path)
                    .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                let mut reader = io::BufReader::with_capacity(1 << 20, file);
                let mut block: Vec<u8> = pool.take();
                // (index, line, start, end) of each line in `block`, or a broken record
                let mut spans: Vec<Span> = Vec::with_capacity(CHUNK);
                let mut index = 0;
                let mut line_no = 0;
                // The block is checked to be UTF-8 once, whole, when the chunk is complete; only
                // if that fails are its lines checked one by one to find the broken ones.
                let flush = |block: &mut Vec<u8>, spans: &mut Vec<Span>| -> Vec<Record> {
                    let bytes = std::mem::replace(block, pool.take());
                    let text = match String::from_utf8(bytes) {
                        Ok(t) => t,
                        Err(e) => {
                            let bytes = e.into_bytes();
                            let mut clean = String::with_capacity(bytes.len());
                            for s in spans.iter_mut() {
                                if let Ok((index, line, start, end)) = *s {
                                    match std::str::from_utf8(&bytes[start..end]) {
                                        Ok(t) => {
                                            let at = clean.len();
                                            clean.push_str(t);
                                            *s = Ok((index, line, at, clean.len()));
                                        }
                                        Err(e) => {
                                            *s = Err(broken(
                                                index,
                                                line,
                                                format!("line {line}: not valid UTF-8 ({e})"),
                                            ))
                                        }
                                    }
                                }
                            }
                            clean
                        }
                    };
                    let shared = Arc::new(text);
                    spans
                        .drain(..)
                        .map(|s| match s {
                            Ok((index, line, start, end)) => Record::JsonLine {
                                index,
                                line,
                                block: shared.clone(),
                                start,
                                end,
                            },
                            Err(raw) => Record::Parsed(raw),
                        })
                        .collect()
                };
                let limit = self.max_line_bytes;
                loop {
                    let start = block.len();
                    let n = (&mut reader)
                        .take(limit as u64 + 1)
                        .read_until(b'\n', &mut block)
                        .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                    if n == 0 {
                        break;
                    }
                    line_no += 1;
                    if n > limit && block.last() != Some(&b'\n') {
                        // Too long: what was read goes, the rest of the line is skipped unread.
                        block.truncate(start);
                        skip_line(&mut reader)
                            .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                        spans.push(Err(broken(
                            index,
                            line_no,
                            format!("line {line_no}: longer than {limit} bytes, the most a line may have"),
                        )));
                        index += 1;
                        continue;
                    }
                    let mut end = block.len();
                    while end > start && matches!(block[end - 1], b'\n' | b'\r') {
                        end -= 1;
                    }
                    let mut begin = start;
                    if line_no == 1 && block[start..end].starts_with("\u{feff}".as_bytes()) {
                        begin += 3;
                    }
                    if block[begin..end].iter().all(u8::is_ascii_whitespace) {
                        block.truncate(start);
                    } else {
                        spans.push(Ok((index, line_no, begin, end)));
                        index += 1;
                    }
                    if spans.len() == CHUNK {
                        each(flush(&mut block, &mut spans))?;
                    }
                }
                if !spans.is_empty() {
                    each(flush(&mut block, &mut spans))?;
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
        pool: &Pool,
        each: &mut dyn FnMut(Vec<Record>) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Record>>(2);
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
            all.extend(chunk.into_iter().map(|r| r.parse()));
            Ok(())
        })?;
        Ok(all)
    }
}

/// Consumes input up to and including the next newline, holding none of it
fn skip_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(p) => {
                reader.consume(p + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
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

/// A record parsed: checked facts straight from the quick path, or an application for the
/// general checker
enum Ready {
    Fast {
        index: usize,
        pos: Option<crate::yaml::Pos>,
        checked: Checked,
    },
    Slow(RawApplication),
}

impl Ready {
    fn id(&self) -> Option<&str> {
        match self {
            Ready::Fast { checked, .. } => Some(&checked.facts.id),
            Ready::Slow(raw) => raw.id(),
        }
    }

    fn index(&self) -> usize {
        match self {
            Ready::Fast { index, .. } => *index,
            Ready::Slow(raw) => raw.index,
        }
    }

    fn pos(&self) -> Option<crate::yaml::Pos> {
        match self {
            Ready::Fast { pos, .. } => *pos,
            Ready::Slow(raw) => raw.pos,
        }
    }
}

impl Record {
    fn ready(self, pack: &crate::pack::Pack) -> Ready {
        match self {
            Record::JsonLine {
                index,
                line,
                block,
                start,
                end,
            } => {
                let text = line_text(&block, start, end);
                match crate::fastpath::json_facts(pack, text) {
                    Some(checked) => Ready::Fast {
                        index,
                        pos: Some(crate::yaml::Pos { line, col: 1 }),
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

fn seen_at(index: usize, pos: Option<crate::yaml::Pos>) -> FirstSeen {
    (
        u32::try_from(index).unwrap_or(u32::MAX),
        pos.and_then(|p| u32::try_from(p.line).ok()).unwrap_or(0),
    )
}

fn where_first(index: usize, pos: Option<crate::yaml::Pos>) -> String {
    match pos {
        Some(p) => format!("application #{} (line {})", index + 1, p.line),
        None => format!("application #{}", index + 1),
    }
}

/// How many records one parallel task decides and renders in a row
const PIECE: usize = 512;

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

    fn add(&mut self, pack: &crate::pack::Pack, d: &Decision) {
        self.count += 1;
        let s = STATUSES.iter().position(|s| *s == d.status).unwrap_or(3);
        self.by_status[s] += 1;
        let awarded = d.status == Status::Awarded;
        if awarded {
            self.amount = decide::sum([self.amount, d.amount]);
        }
        let clause = d
            .clause
            .as_deref()
            .and_then(|id| pack.clauses.iter().position(|c| c.id == id));
        if let Some(entry) = clause.and_then(|ci| self.by_clause.get_mut(ci)) {
            entry.0 += 1;
            if awarded {
                entry.1 += 1;
                entry.2 = decide::sum([entry.2, d.amount]);
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
            a.2 = decide::sum([a.2, b.2]);
        }
        self.amount = decide::sum([self.amount, other.amount]);
    }
}

fn unpack(index: u32, line: u32) -> (usize, Option<crate::yaml::Pos>) {
    (
        index as usize,
        (line > 0).then_some(crate::yaml::Pos {
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
enum Repeats {
    /// Known before deciding (a first pass found them): index → where the id first appeared
    Known(FxHashMap<u32, FirstSeen>),
    /// Found as the stream goes: every id seen so far, and where
    Running(FirstMap),
}

impl Repeats {
    /// Where the id of the record at `index` first appeared, if at an earlier record
    fn earlier(&self, index: usize, id: Option<&str>) -> Option<FirstSeen> {
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
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl Engine {
    /// The decision on one parsed record of a stream
    fn decide_ready(
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
                let (mut d, _) = decide::decide_one(pack, self.host(), &c, false);
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
            let block = block_of(&chunk);
            for r in chunk {
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
                        block,
                        start,
                        end,
                    } => {
                        let text = line_text(&block, start, end);
                        crate::fastpath::light(text, index, line)
                            .unwrap_or_else(|| input::json_line_light(text, index, line))
                    }
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
    fn first_pass(
        &self,
        source: &InputFile,
        pool: &Pool,
        limited: &[bool],
        placements: &mut FxHashMap<usize, (usize, Placement)>,
        id_hash: fn(&str) -> u64,
    ) -> Result<Repeats, InputError> {
        let pack = self.pack();
        let limited_at = |kind: &str| -> bool {
            pack.clauses
                .iter()
                .position(|c| c.kind == kind)
                .is_some_and(|ci| limited[ci])
        };
        let limited_kind = |raw: &RawApplication| -> bool {
            crate::validate::kind_text(raw).is_some_and(|k| limited_at(&k))
        };
        // The standing of an awarded application of a limited clause
        let standing = |c: &Checked, index: usize| -> Option<(usize, decide::Contender)> {
            let (d, _) = decide::decide_one(pack, self.host(), c, false);
            (d.status == Status::Awarded)
                .then(|| decide::contender(pack, c.clause, index, &c.facts))
                .flatten()
                .map(|k| (c.clause, k))
        };
        let size_hint = std::fs::metadata(&source.path)
            .map(|m| m.len() / 200)
            .unwrap_or(0);
        let mut hashes: FxHashMap<u64, FirstSeen> = FxHashMap::with_capacity_and_hasher(
            usize::try_from(size_hint.min(50_000_000)).unwrap_or(0),
            Default::default(),
        );
        // Records whose id hash met an earlier one's, and those earlier ones
        let mut suspects: rustc_hash::FxHashSet<u32> = Default::default();
        let mut contenders: Vec<Vec<decide::Contender>> = vec![Vec::new(); pack.clauses.len()];
        source.chunks_ahead(pool, &mut |chunk| {
            let block = block_of(&chunk);
            // In parallel: each record's id hash and line, and, for a limited clause, its
            // standing if it is awarded (repeats are weeded out below, in order).
            type Seen = (usize, Option<u64>, u32, Option<(usize, decide::Contender)>);
            let seen: Vec<Seen> = chunk
                .into_par_iter()
                .map(|r| {
                    let raw = match r {
                        Record::JsonLine {
                            index,
                            line,
                            block,
                            start,
                            end,
                        } => {
                            let text = line_text(&block, start, end);
                            let line32 = u32::try_from(line).unwrap_or(0);
                            // Most lines: id and kind found by a byte scan, nothing built; a
                            // line of a limited kind is then read whole.
                            if let Some((id, kind)) = crate::fastpath::scan_id_kind(text) {
                                if !kind.is_some_and(limited_at) {
                                    return (index, id.map(id_hash), line32, None);
                                }
                                if let Some(c) = crate::fastpath::json_facts(pack, text) {
                                    let id = Some(id_hash(&c.facts.id));
                                    return (index, id, line32, standing(&c, index));
                                }
                            }
                            let light = crate::fastpath::light(text, index, line)
                                .unwrap_or_else(|| input::json_line_light(text, index, line));
                            if !limited_kind(&light) {
                                return (index, light.id().map(id_hash), line32, None);
                            }
                            input::json_line(text, index, line)
                        }
                        Record::Parsed(raw) => raw,
                    };
                    let id = raw.id().map(id_hash);
                    let line = raw
                        .pos
                        .and_then(|p| u32::try_from(p.line).ok())
                        .unwrap_or(0);
                    let standing = if limited_kind(&raw) {
                        decide::check_one(pack, &raw)
                            .ok()
                            .and_then(|c| standing(&c, raw.index))
                    } else {
                        None
                    };
                    (raw.index, id, line, standing)
                })
                .collect();
            for (index, id, line, standing) in seen {
                let at = u32::try_from(index).unwrap_or(u32::MAX);
                if let Some(h) = id {
                    match hashes.entry(h) {
                        std::collections::hash_map::Entry::Vacant(v) => {
                            v.insert((at, line));
                        }
                        std::collections::hash_map::Entry::Occupied(o) => {
                            suspects.insert(o.get().0);
                            suspects.insert(at);
                        }
                    }
                }
                if let Some((ci, k)) = standing {
                    contenders[ci].push(k);
                }
            }
            pool.give(block);
            Ok(())
        })?;
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
        for (ci, mut list) in contenders.into_iter().enumerate() {
            list.retain(|k| {
                u32::try_from(k.index)
                    .map(|at| !known.contains_key(&at))
                    .unwrap_or(true)
            });
            for (index, placement) in decide::rank_contenders(pack, ci, list) {
                placements.insert(index, (ci, placement));
            }
        }
        Ok(Repeats::Known(known))
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
        let mut placements: FxHashMap<usize, (usize, Placement)> = FxHashMap::default();
        let two_pass = limited.iter().any(|l| *l);
        let mut repeats = if two_pass {
            self.first_pass(source, &pool, &limited, &mut placements, hash)
                .map_err(StreamError::Input)?
        } else {
            // One pass: ids kept as they come. Sized from the file at about 200 bytes a record,
            // so the table is not rebuilt as it grows (every rebuild touched fresh memory).
            let size_hint = std::fs::metadata(&source.path)
                .map(|m| m.len() / 200)
                .unwrap_or(0);
            Repeats::Running(FxHashMap::with_capacity_and_hasher(
                usize::try_from(size_hint.min(50_000_000)).unwrap_or(0),
                Default::default(),
            ))
        };

        // Pass 2: decide, render and write, chunk by chunk, in order.
        write(&sink.begin()).map_err(StreamError::Output)?;
        let mut count = 0usize;
        let mut totals_so_far = Tally::new(pack.clauses.len());
        let mut write_error = None;
        source
            .chunks_ahead(&pool, &mut |chunk| {
                let block = block_of(&chunk);
                let ready: Vec<Ready> = chunk.into_par_iter().map(|r| r.ready(pack)).collect();
                pool.give(block);
                if let Repeats::Running(first) = &mut repeats {
                    for r in &ready {
                        if let Some(id) = r.id() {
                            first
                                .entry(id.into())
                                .or_insert(seen_at(r.index(), r.pos()));
                        }
                    }
                }
                let repeats = &repeats;
                let base = count;
                // Decided, rendered and tallied in parallel, in pieces of consecutive records;
                // only the pieces' bytes are written in order.
                let pieces: Vec<(Vec<u8>, Tally)> = ready
                    .par_chunks(PIECE)
                    .enumerate()
                    .map(|(p, piece)| {
                        let mut buf = Vec::with_capacity(piece.len() * 400);
                        let mut tally = Tally::new(pack.clauses.len());
                        for (j, r) in piece.iter().enumerate() {
                            let d = self.decide_ready(r, repeats, &placements);
                            buf.extend_from_slice(&sink.render(base + p * PIECE + j, &d));
                            tally.add(pack, &d);
                        }
                        (buf, tally)
                    })
                    .collect();
                let mut wrote = Ok(());
                for (buf, t) in pieces {
                    count += t.count;
                    progress(count);
                    totals_so_far.merge(t);
                    if wrote.is_ok() {
                        wrote = write(&buf);
                    }
                }
                if let Err(e) = wrote {
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
        fn render(&self, n: usize, d: &Decision) -> Vec<u8> {
            format!("{n} {d:?}\n").into_bytes()
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

    /// A streamed run decides as the whole file read at once does, on lines the quick path
    /// gives up on: a line that is not JSON (trailing text, a lone surrogate) has no id, so a
    /// later line with its id is no repeat; ids written with an exponent or an escaped key are
    /// the ids serde_json reads.
    #[test]
    fn odd_lines_have_the_ids_the_general_reader_finds() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        let Ok(engine) = Engine::load(Path::new(dir)) else {
            panic!("the Suzhou pack loads");
        };
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
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        let Ok(engine) = Engine::load(Path::new(dir)) else {
            panic!("the Suzhou pack loads");
        };
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
