//! A file of applications read in chunks, as often as a run needs.
//!
//! A pipe is copied to a temporary file first, so it can be read twice; JSONL is split into
//! lines in pooled blocks (each line parsed later, in parallel, by `Record::ready`); the
//! other formats are read whole and handed on in chunks.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::input::{
    self, csv_quotes, over_bound, quick, InputError, InputFormat, RawApplication,
    DEFAULT_MAX_INPUT_BYTES,
};
use crate::model::facts::Checked;
use crate::model::lang::{said, Message};
use crate::model::pack::Pack;
use crate::model::pos::Pos;

/// How many records are parsed and decided together
const CHUNK: usize = 8192;

/// A file of applications that can be read more than once
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The file as named, in messages
    path: PathBuf,
    /// A pipe's (or device's) contents, copied on first reading; shared by clones
    spool: Option<Arc<OnceLock<Result<File, String>>>>,
    /// A regular file, opened once and held with its size and time then: a run that reads
    /// twice reads the same file both times even if the name is given to another meanwhile,
    /// and refuses one changed in place; shared by clones
    held: Arc<OnceLock<Result<Held, String>>>,
    format: InputFormat,
    aliases: HashMap<String, String>,
    sheet: Option<String>,
    max_line_bytes: usize,
    max_input_bytes: u64,
}

/// A regular input file as first opened
#[derive(Debug)]
struct Held {
    file: File,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

/// A pipe's contents copied to a file that has no name: created unlinked (`O_TMPFILE`, or
/// removed as soon as it is open) and owner-only, so nothing is left behind whatever ends the
/// run, a `kill -9` included, and no other user can read it. Copied up to `max` bytes; one
/// more is an error, and the copy goes with it.
fn spool_of(path: &Path, max: u64) -> Result<File, String> {
    let fail = |e: io::Error| format!("cannot read (copying it to a temporary file): {e}");
    let mut out = tempfile::tempfile().map_err(fail)?;
    let input = File::open(path).map_err(fail)?;
    let copied = io::copy(&mut input.take(max.saturating_add(1)), &mut out).map_err(fail)?;
    if copied > max {
        return Err(over_bound(max));
    }
    Ok(out)
}

/// An input opened for one reading: the file itself, or the copy of a pipe read at its own
/// offset, so two readings of one copy never move each other's place
enum Reading {
    /// A held file or a pipe's copy, read at an offset of this reading's own
    Spool { file: File, at: u64 },
}

impl Read for Reading {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Reading::Spool { file, at } => {
                let n = read_at(file, buf, *at)?;
                *at += n as u64;
                Ok(n)
            }
        }
    }
}

impl io::Seek for Reading {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        match self {
            Reading::Spool { file, at } => {
                let len = file.metadata()?.len();
                let new = match to {
                    io::SeekFrom::Start(n) => Some(n),
                    io::SeekFrom::End(d) => len.checked_add_signed(d),
                    io::SeekFrom::Current(d) => at.checked_add_signed(d),
                };
                *at = new.ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, "seek before the start")
                })?;
                Ok(*at)
            }
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "a pipe cannot be read twice here: give a file",
    ))
}

/// The most columns a CSV row may have: Excel's (`XFD`), as for a workbook
const MAX_CSV_COLUMNS: usize = crate::load::workbook::MAX_COLUMNS;

/// The error for an input with nothing in it
const EMPTY: &str = "the file is empty: it holds no applications (a CSV has a header row and a row an application, YAML and JSON a list, JSONL an object a line)";

/// The longest JSONL line read by default: a record is a few hundred bytes
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

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
        // Not cleared: its length stays, so the reader writes over bytes already there.
        if let Some(Ok(bytes)) = block.map(Arc::try_unwrap) {
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

/// A JSONL line of a chunk, as text
pub(crate) struct Line<'b> {
    pub(crate) index: usize,
    pub(crate) line: usize,
    pub(crate) text: &'b str,
}

/// The most records tables are sized for before reading (past it they grow): a guess from the
/// file's size must not reserve gigabytes for a file of a few long lines
const SIZE_HINT_MAX: u64 = 4_000_000;

/// How many bytes the JSONL reader asks for at a time
const READ: usize = 1 << 20;

/// The size a JSONL block starts at: a chunk's lines and one read more
const BLOCK: usize = CHUNK * 256 + 2 * READ;

impl Record {
    /// The record's place: its index, and its line (0 when unknown)
    pub(crate) fn place(&self) -> (usize, usize) {
        match self {
            Record::Parsed(raw) => (raw.index, raw.pos.map_or(0, |p| p.line)),
            Record::JsonLine { index, line, .. } => (*index, *line),
        }
    }

    /// The bytes of a JSONL line, not yet known to be UTF-8
    pub(crate) fn bytes<'b>(&self, block: &'b [u8]) -> Option<&'b [u8]> {
        match self {
            Record::JsonLine { start, end, .. } => block.get(*start..*end),
            Record::Parsed(_) => None,
        }
    }

    /// The record's text if it is a JSONL line of valid UTF-8 (in `block`, its chunk's);
    /// otherwise the application it is, a broken one for a line that is not UTF-8
    pub(crate) fn line(self, block: &[u8]) -> Result<Line<'_>, RawApplication> {
        let (index, line, start, end) = match self {
            Record::Parsed(raw) => return Err(raw),
            Record::JsonLine {
                index,
                line,
                start,
                end,
            } => (index, line, start, end),
        };
        let bytes = block.get(start..end).unwrap_or_default();
        // simdutf8 checks valid text several times faster than std; std words the failure.
        match simdutf8::basic::from_utf8(bytes) {
            Ok(text) => Ok(Line { index, line, text }),
            Err(_) => Err(broken(
                index,
                line,
                match std::str::from_utf8(bytes) {
                    Err(e) => said!(
                        "第{line}行：不是有效的 UTF-8 文本（{e}）",
                        "line {line}: not valid UTF-8 ({e})"
                    ),
                    Ok(_) => said!(
                        "第{line}行：不是有效的 UTF-8 文本",
                        "line {line}: not valid UTF-8"
                    ),
                },
            )),
        }
    }

    /// The record as an application for the general checker
    fn parse(self, block: &[u8]) -> RawApplication {
        match self.line(block) {
            Ok(l) => input::json_line(l.text, l.index, l.line),
            Err(raw) => raw,
        }
    }

    /// The record parsed: by the quick path where it answers, else for the general checker
    pub(crate) fn ready(self, pack: &Pack, block: &[u8]) -> Ready {
        match self.line(block) {
            Ok(l) => match quick::json_facts(pack, l.text) {
                Some(checked) => Ready::Fast {
                    index: l.index,
                    pos: Some(Pos {
                        line: l.line,
                        col: 1,
                    }),
                    checked,
                },
                None => Ready::Slow(input::json_line(l.text, l.index, l.line)),
            },
            Err(raw) => Ready::Slow(raw),
        }
    }
}

/// A record parsed: checked facts straight from the quick path, or an application for the
/// general checker
pub(crate) enum Ready {
    Fast {
        index: usize,
        pos: Option<Pos>,
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

    pub(crate) fn pos(&self) -> Option<Pos> {
        match self {
            Ready::Fast { pos, .. } => *pos,
            Ready::Slow(raw) => raw.pos,
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
        // A pipe (or any file that is not a regular one) reads once; a run may read twice,
        // so it is copied when first read, under the byte bound then set.
        let spool = match std::fs::metadata(path) {
            Ok(m) if !m.is_file() && !m.is_dir() => Some(Arc::new(OnceLock::new())),
            _ => None,
        };
        Ok(InputFile {
            path: path.to_path_buf(),
            spool,
            held: Arc::new(OnceLock::new()),
            format,
            aliases: HashMap::new(),
            sheet: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
        })
    }

    /// The most bytes the input may have ([`DEFAULT_MAX_INPUT_BYTES`] unless set): a file or
    /// a pipe over it is refused, naming the bound, and a pipe is copied no further
    pub fn with_max_input_bytes(mut self, bytes: u64) -> InputFile {
        self.max_input_bytes = bytes;
        self
    }

    /// The input opened for one reading, its size within the bound
    fn open(&self) -> Result<Reading, InputError> {
        let max = self.max_input_bytes;
        if let Some(spool) = &self.spool {
            let copy = spool.get_or_init(|| spool_of(&self.path, max));
            return match copy {
                Ok(f) => f
                    .try_clone()
                    .map(|file| Reading::Spool { file, at: 0 })
                    .map_err(|e| self.fail(None, format!("cannot read: {e}"))),
                Err(m) => Err(self.fail(None, m.clone())),
            };
        }
        let held = self.held.get_or_init(|| {
            let file = File::open(&self.path).map_err(|e| format!("cannot read: {e}"))?;
            let m = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
            Ok(Held {
                len: m.len(),
                modified: m.modified().ok(),
                file,
            })
        });
        let held = held.as_ref().map_err(|m| self.fail(None, m.clone()))?;
        if held.len > max {
            return Err(self.fail(None, over_bound(max)));
        }
        // Written to while the run reads it: the passes would see different files.
        let now = held
            .file
            .metadata()
            .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
        if now.len() != held.len || now.modified().ok() != held.modified {
            return Err(self.fail(
                None,
                "the file changed while it was being read: run again once it is complete".into(),
            ));
        }
        // Each reading has its own offset into the one file held.
        let file = held
            .file
            .try_clone()
            .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
        Ok(Reading::Spool { file, at: 0 })
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

    /// The longest JSONL line, or CSV record, read; a longer one becomes an error decision (a
    /// JSONL line without being held in memory)
    pub fn with_max_line_bytes(mut self, bytes: usize) -> InputFile {
        self.max_line_bytes = bytes.max(1);
        self
    }

    /// The input format
    pub fn format(&self) -> InputFormat {
        self.format
    }

    /// An error reading this file
    pub(crate) fn fail(&self, pos: Option<Pos>, message: String) -> InputError {
        InputError {
            file: self.path.clone(),
            pos,
            message,
        }
    }

    /// How many records to size tables for before reading: a guess from the file's size at
    /// about 200 bytes a record, so a table is not rebuilt as it grows (every rebuild touched
    /// fresh memory)
    pub(crate) fn size_hint(&self) -> usize {
        let len = match &self.spool {
            Some(s) => s
                .get()
                .and_then(|f| f.as_ref().ok()?.metadata().ok())
                .map_or(0, |m| m.len()),
            None => std::fs::metadata(&self.path).map_or(0, |m| m.len()),
        };
        let guess = len / 200;
        usize::try_from(guess.min(SIZE_HINT_MAX)).unwrap_or(0)
    }

    /// Every application, in order, in chunks. A file with nothing in it (no bytes, or only
    /// blank lines) is an error in every format alike: it holds no applications, which is
    /// more likely a mistake than a batch of none (a CSV header alone, or `[]`, is that).
    pub(crate) fn chunks(
        &self,
        pool: &Pool,
        each: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut any = false;
        self.chunks_of_format(pool, &mut |chunk| {
            any |= !chunk.records.is_empty();
            each(chunk)
        })?;
        if !any && self.is_blank()? {
            return Err(self.fail(None, EMPTY.into()));
        }
        Ok(())
    }

    /// Whether the input holds nothing but a byte-order mark and blank space
    fn is_blank(&self) -> Result<bool, InputError> {
        let mut file = self.open()?;
        let mut buf = vec![0u8; 1 << 16];
        let mut first = true;
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
            if n == 0 {
                return Ok(true);
            }
            let mut bytes = &buf[..n];
            if first {
                bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
                first = false;
            }
            if !input::blank(bytes) {
                return Ok(false);
            }
        }
    }

    fn chunks_of_format(
        &self,
        pool: &Pool,
        each: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        match self.format {
            InputFormat::Jsonl => self.jsonl_chunks(pool, each),
            InputFormat::Csv => self.csv_chunks(each),
            InputFormat::Xlsx => {
                let apps = crate::input::xlsx::read(
                    io::BufReader::new(self.open()?),
                    self.sheet.as_deref(),
                    &self.aliases,
                )
                .map_err(|(pos, m)| self.fail(pos, m))?;
                for c in apps.chunks(CHUNK) {
                    each(Chunk::parsed(
                        c.iter().cloned().map(Record::Parsed).collect(),
                    ))?;
                }
                Ok(())
            }
            InputFormat::Yaml | InputFormat::Json => {
                // Read whole; the file's size was checked on opening, a pipe's as it was copied,
                // and one byte past the bound is still refused should the file grow meanwhile.
                let mut bytes = Vec::new();
                self.open()?
                    .take(self.max_input_bytes.saturating_add(1))
                    .read_to_end(&mut bytes)
                    .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
                if bytes.len() as u64 > self.max_input_bytes {
                    return Err(self.fail(None, over_bound(self.max_input_bytes)));
                }
                let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
                if input::blank(text) {
                    return Err(self.fail(None, EMPTY.into()));
                }
                let apps = input::applications_from_bytes(bytes, self.format)
                    .map_err(|(pos, m)| self.fail(pos, m))?;
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

    /// A JSONL file in chunks of lines. Big reads straight into the block; lines found with
    /// memchr. The reader is the one step that is not parallel, so it only splits: each line
    /// is checked to be UTF-8 and parsed by the workers.
    fn jsonl_chunks(
        &self,
        pool: &Pool,
        each: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut file = self.open()?;
        let limit = self.max_line_bytes;
        let mut block: Vec<u8> = pool.take();
        // The bytes of `block` read so far: past them it holds bytes of an earlier use, kept
        // so a read needs no fresh zeroing (zeroing each megabyte read was 2% of a large run)
        let mut filled = 0;
        // The lines found so far, for the next chunk
        let mut lines: Vec<Record> = Vec::with_capacity(CHUNK);
        let mut index = 0;
        let mut line_no = 0;
        // Where the line being read starts in `block`, and where to look for its end
        let mut line_start = 0;
        let mut look = 0;
        // Inside a line longer than the limit, whose bytes are dropped as they come
        let mut skipping = false;
        loop {
            if block.len() < filled + READ {
                block.resize(filled + READ, 0);
            }
            let n = read_full(&mut file, &mut block[filled..filled + READ])
                .map_err(|e| self.fail(None, format!("cannot read: {e}")))?;
            filled += n;
            let eof = n == 0;
            loop {
                let found = block
                    .get(look..filled)
                    .and_then(|rest| memchr::memchr(b'\n', rest))
                    .map(|p| look + p);
                let end = match found {
                    Some(p) => p,
                    None if eof && (skipping || line_start < filled) => filled,
                    None => {
                        if skipping || filled - line_start > limit {
                            // Too long: what was read goes, the rest is skipped unread.
                            filled = line_start;
                            skipping = true;
                        }
                        look = filled;
                        break;
                    }
                };
                line_no += 1;
                if skipping || end - line_start > limit {
                    lines.push(Record::Parsed(broken(
                        index,
                        line_no,
                        said!(
                            "第{line_no}行：超过一行最多允许的 {limit} 字节",
                            "line {line_no}: longer than {limit} bytes, the most a line may have"
                        ),
                    )));
                    index += 1;
                    skipping = false;
                    // Its bytes go; what follows it moves up.
                    let next = (end + 1).min(filled);
                    block.copy_within(next..filled, line_start);
                    filled -= next - line_start;
                    look = line_start;
                } else {
                    let mut stop = end;
                    while stop > line_start && block[stop - 1] == b'\r' {
                        stop -= 1;
                    }
                    let mut begin = line_start;
                    if line_no == 1 && block[begin..stop].starts_with("\u{feff}".as_bytes()) {
                        begin += 3;
                    }
                    if !input::blank(&block[begin..stop]) {
                        lines.push(Record::JsonLine {
                            index,
                            line: line_no,
                            start: begin,
                            end: stop,
                        });
                        index += 1;
                    }
                    line_start = (end + 1).min(filled);
                    look = line_start;
                }
                if eof && line_start >= filled {
                    break;
                }
            }
            if lines.len() >= CHUNK || (eof && !lines.is_empty()) {
                let chunk = hand_over(pool, &mut block, line_start..filled, &mut lines);
                look -= line_start;
                filled -= line_start;
                line_start = 0;
                each(chunk)?;
            }
            if eof {
                break;
            }
        }
        Ok(())
    }

    /// A CSV file in chunks of rows, each row read into an application by its header
    fn csv_chunks(
        &self,
        each: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let file = self.open()?;
        // Each record's quotes are checked on its bytes, kept by the tee: a quote left open
        // would take the records after it into one field.
        let (tee, mut raw) = csv_quotes::Tee::new(file);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(tee);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| self.fail(None, format!("CSV header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        raw.check(0, reader.position().byte(), 1)
            .map_err(|(p, m)| self.fail(Some(p), m))?;
        if header.len() > MAX_CSV_COLUMNS {
            return Err(self.fail(
                Some(Pos { line: 1, col: 1 }),
                format!(
                    "the header has {} columns, more than {MAX_CSV_COLUMNS}, the most a row may have",
                    header.len()
                ),
            ));
        }
        let columns = input::csv_columns(&header, &self.aliases);
        let limit = self.max_line_bytes as u64;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut record = csv::StringRecord::new();
        let mut index = 0;
        loop {
            let (start, line) = (reader.position().byte(), reader.position().line() as usize);
            let read = reader.read_record(&mut record);
            if !matches!(read, Ok(false)) {
                raw.check(start, reader.position().byte(), line)
                    .map_err(|(p, m)| self.fail(Some(p), m))?;
            }
            match read {
                Ok(false) => break,
                // The same bound as a JSONL line, and Excel's columns: each an error of that
                // record only, its cells never copied out.
                Ok(true) if reader.position().byte() - start > limit => {
                    chunk.push(Record::Parsed(broken(
                        index,
                        line,
                        said!(
                            "第{line}行：超过一条记录最多允许的 {limit} 字节",
                            "line {line}: longer than {limit} bytes, the most a record may have"
                        ),
                    )))
                }
                Ok(true) if record.len() > MAX_CSV_COLUMNS => chunk.push(Record::Parsed(broken(
                    index,
                    line,
                    {
                        let cells = record.len();
                        said!(
                            "第{line}行：有 {cells} 个单元格，超过一行最多允许的 {MAX_CSV_COLUMNS} 个",
                            "line {line}: {cells} cells, more than {MAX_CSV_COLUMNS}, the most a row may have"
                        )
                    },
                ))),
                Ok(true) => {
                    let cells: Vec<String> = record.iter().map(str::to_string).collect();
                    chunk.push(Record::Parsed(input::csv_row(
                        &columns, &cells, index, line,
                    )));
                }
                Err(e) => chunk.push(Record::Parsed(broken(
                    index,
                    line,
                    said!(
                        "第{line}行：不是一条有效的 CSV 记录：{e}",
                        "line {line}: not a CSV record: {e}"
                    ),
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

/// The lines found so far as a chunk, with the block they are in; the bytes of the line being
/// read (from `line_start`) move to a fresh block from the pool, which `block` becomes
fn hand_over(
    pool: &Pool,
    block: &mut Vec<u8>,
    rest: std::ops::Range<usize>,
    lines: &mut Vec<Record>,
) -> Chunk {
    // The line begun at the end moves to the next block, over whatever that block held.
    let mut next = pool.take();
    let len = rest.len();
    if next.len() < len {
        next.resize(len, 0);
    }
    next[..len].copy_from_slice(&block[rest]);
    Chunk {
        block: Some(Arc::new(std::mem::replace(block, next))),
        records: std::mem::replace(lines, Vec::with_capacity(CHUNK)),
    }
}

/// Reads until `buf` is full or the file ends; the bytes read
fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn broken(index: usize, line: usize, problem: Message) -> RawApplication {
    RawApplication {
        index,
        pos: Some(Pos { line, col: 1 }),
        node: crate::load::yaml::Node::scalar("", false),
        problem: Some(Box::new(problem)),
    }
}

/// The bytes of a whole input held in memory (an upload, never written to disk) as
/// applications, in any format, an .xlsx workbook's first sheet included; CSV and xlsx columns
/// may use the pack's `aliases`, as they may in a file
///
/// # Errors
/// Bytes that are not a list of applications in `format` at all (its `file` is empty).
pub fn parse_application_bytes(
    bytes: &[u8],
    format: InputFormat,
    aliases: &std::collections::HashMap<String, String>,
) -> Result<Vec<RawApplication>, InputError> {
    let fail = |(pos, message)| InputError {
        file: PathBuf::new(),
        pos,
        message,
    };
    match format {
        InputFormat::Xlsx => crate::input::xlsx::read_within(
            std::io::Cursor::new(bytes),
            None,
            aliases,
            crate::input::xlsx::MEMORY_BOUNDS,
        )
        .map_err(fail),
        InputFormat::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|e| {
                fail((
                    None,
                    format!("not valid UTF-8 (at byte {})", e.valid_up_to()),
                ))
            })?;
            crate::input::csv_text(text, aliases).map_err(fail)
        }
        _ => crate::input::applications_from_bytes(bytes.to_vec(), format).map_err(fail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run reads its input more than once (count limits rank first): every reading is of the
    /// file as first opened, even once its name is given to another file, and one written to
    /// in between is refused rather than read half old, half new
    #[test]
    fn every_reading_is_of_the_file_first_opened() {
        let dir = std::env::temp_dir().join(format!("held-input-{}", std::process::id()));
        assert!(std::fs::create_dir_all(&dir).is_ok());
        let path = dir.join("in.jsonl");
        let ids = |file: &InputFile| -> Vec<String> {
            match file.read_all() {
                Ok(all) => all
                    .iter()
                    .filter_map(|r| r.id().map(str::to_string))
                    .collect(),
                Err(e) => vec![format!("error: {e}")],
            }
        };
        assert!(std::fs::write(&path, "{\"id\":\"A1\"}\n{\"id\":\"A2\"}\n").is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        assert_eq!(ids(&file), ["A1", "A2"]);
        // Another file renamed over the name: the run goes on reading the first.
        let other = dir.join("other.jsonl");
        assert!(std::fs::write(&other, "{\"id\":\"B1\"}\n").is_ok());
        assert!(std::fs::rename(&other, &path).is_ok());
        assert_eq!(ids(&file), ["A1", "A2"]);
        // The held file written to in place: refused.
        let fresh = InputFile::new(&path, None).ok();
        let Some(fresh) = fresh else {
            panic!("a .jsonl name");
        };
        assert_eq!(ids(&fresh), ["B1"]);
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"id\":\"B2\"}\n"));
        assert!(appended.is_ok());
        let again = ids(&fresh);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            again[0].contains("changed while it was being read"),
            "{again:?}"
        );
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
                    (Some(p), _) => p.en.clone(),
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
        // A file of nothing, or of blank lines, holds no applications: an error, as in
        // every format.
        for empty in [&b""[..], b"\n  \r\n", b"\xef\xbb\xbf\n"] {
            let path = std::env::temp_dir().join(format!(
                "stream-empty-{}-{}.jsonl",
                std::process::id(),
                empty.len()
            ));
            assert!(std::fs::write(&path, empty).is_ok());
            let read = InputFile::new(&path, None).map(|f| f.read_all());
            let _ = std::fs::remove_file(&path);
            let Ok(Err(e)) = read else {
                panic!("refused: {read:?}");
            };
            assert!(e.message.contains("no applications"), "{e}");
        }

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
}
