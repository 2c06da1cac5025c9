//! Reading a sheet of an Excel workbook (`.xlsx`) as rows of cell text: the cell reader that
//! application files (`input/xlsx.rs`) and the ledger of `--history` (`load/history.rs`) share.
//!
//! Read straight from the workbook's XML, where a number is stored as the text Excel wrote,
//! so money is read from its digits, never through a float. Excel keeps 15 significant digits;
//! a number written with more (`0.30000000000000004`) is rounded to 15, in decimal.
//!
//! A date cell is a number (days from 1899-12-30, or from 1904-01-01 in a workbook so set)
//! shown through a date format; a whole day in such a cell is read as ISO `2024-03-25`, so a
//! `date` field takes it. A date with a time of day stays a number, which no field reads as a
//! date.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::model::date::Date;
use crate::model::pos::Pos;

/// What one reading of a sheet may take
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// The largest part of the workbook (a sheet, its shared strings) read, uncompressed: a
    /// zip bomb stops here, refused
    pub(crate) max_part: u64,
    /// The most rows (that hold anything) kept; a reader that must refuse more asks for one
    /// more than it allows, and sees whether it got it
    pub(crate) max_rows: usize,
}

/// Why a workbook cannot be read, and where in its sheet when known
pub(crate) type Fail = (Option<Pos>, String);

/// The most columns a sheet may have: Excel's own (`XFD`); a cell past it holding anything is
/// an error, never dropped
pub(crate) const MAX_COLUMNS: usize = 16_384;

/// The most a part other than a sheet and its strings (the workbook, its relations, its
/// styles) may take uncompressed: these are read whole, and a real one is a few kilobytes
const SMALL_PART: u64 = 64 << 20;

/// Why a part is over its bound, naming it and the bound
fn too_big(name: &str, max: u64) -> Fail {
    (
        None,
        format!("`{name}` in the workbook is over {max} bytes uncompressed, the most read"),
    )
}

/// The longest run of text (between two tags) or tag read whole from a streamed part: a
/// cell holds at most 32,767 characters in Excel, some 200 KB escaped. The XML reader holds
/// one such run at a time, so this bounds its memory; blank space past it between tags
/// (padding) is dropped, anything else past it refuses the part.
const MAX_RUN: usize = 1 << 20;

/// Why a streamed part was refused, kept where the reader that failed can see it, so the
/// failure is worded as the bound, not as broken XML
#[derive(Default)]
struct Refused(std::cell::Cell<Option<u8>>);

const OVER_PART: u8 = 1;
const OVER_RUN: u8 = 2;

/// A part's bytes as they are uncompressed: refused past `max` in all, or a run of text or a
/// tag past [`MAX_RUN`]; padding past that is dropped
struct Bounded<R> {
    inner: R,
    read: u64,
    max: u64,
    refused: std::rc::Rc<Refused>,
    in_tag: bool,
    run: usize,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            self.read = self.read.saturating_add(n as u64);
            if self.read > self.max {
                self.refused.0.set(Some(OVER_PART));
                return Err(std::io::Error::other("over the bound"));
            }
            let mut kept = 0;
            for i in 0..n {
                let b = buf[i];
                match b {
                    b'<' => {
                        self.in_tag = true;
                        self.run = 0;
                    }
                    b'>' if self.in_tag => {
                        self.in_tag = false;
                        self.run = 0;
                        buf[kept] = b;
                        kept += 1;
                        continue;
                    }
                    _ => self.run += 1,
                }
                if self.run > MAX_RUN {
                    if !self.in_tag && b.is_ascii_whitespace() {
                        continue;
                    }
                    self.refused.0.set(Some(OVER_RUN));
                    return Err(std::io::Error::other("over the bound"));
                }
                buf[kept] = b;
                kept += 1;
            }
            // All of it dropped padding: read on, rather than say the part ended.
            if kept > 0 || n == 0 {
                return Ok(kept);
            }
        }
    }
}

/// A part read as it is uncompressed, never whole: `each` is given an XML reader over it, and
/// any failure past a bound is that bound's error
fn stream_part<R: Read + std::io::Seek, T>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    max: u64,
    each: impl FnOnce(
        &mut Reader<std::io::BufReader<Bounded<zip::read::ZipFile<'_, R>>>>,
    ) -> Result<T, Fail>,
) -> Result<Option<T>, Fail> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err((None, format!("not a readable .xlsx workbook: {e}"))),
    };
    let refused = std::rc::Rc::new(Refused::default());
    let bounded = Bounded {
        inner: file,
        read: 0,
        max,
        refused: refused.clone(),
        in_tag: false,
        run: 0,
    };
    let mut reader = Reader::from_reader(std::io::BufReader::new(bounded));
    let out = each(&mut reader);
    match refused.0.get() {
        Some(OVER_PART) => Err(too_big(name, max)),
        Some(_) => Err((
            None,
            format!(
                "`{name}` in the workbook holds a text or a tag over {MAX_RUN} bytes, the most read (a cell holds at most 32,767 characters)"
            ),
        )),
        None => out.map(Some),
    }
}

/// A small part (the workbook, its relations, its styles) as text, refused past `max`
fn part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    max: u64,
) -> Result<Option<String>, Fail> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err((None, format!("not a readable .xlsx workbook: {e}"))),
    };
    let mut text = String::new();
    file.take(max.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|e| (None, format!("cannot read `{name}` in the workbook: {e}")))?;
    if text.len() as u64 > max {
        return Err(too_big(name, max));
    }
    Ok(Some(text))
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key || a.key.local_name().as_ref() == key)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

fn xml_error(name: &str, e: impl std::fmt::Display) -> Fail {
    (
        None,
        format!("`{name}` in the workbook is not valid XML: {e}"),
    )
}

/// The sheets: (name, path inside the zip), in workbook order
fn sheets<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    max: u64,
) -> Result<Vec<(String, String)>, Fail> {
    let max = max.min(SMALL_PART);
    let workbook = part(zip, "xl/workbook.xml", max)?.ok_or((
        None,
        "not an .xlsx workbook: no xl/workbook.xml".to_string(),
    ))?;
    let rels = part(zip, "xl/_rels/workbook.xml.rels", max)?.unwrap_or_default();
    let mut targets = HashMap::new();
    let mut r = Reader::from_str(&rels);
    loop {
        match r
            .read_event()
            .map_err(|e| xml_error("workbook.xml.rels", e))?
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut r = Reader::from_str(&workbook);
    loop {
        match r.read_event().map_err(|e| xml_error("workbook.xml", e))? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"sheet" => {
                let name = attr(&e, b"name").unwrap_or_default();
                if let Some(path) = attr(&e, b"id").and_then(|id| targets.get(&id).cloned()) {
                    out.push((name, path));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The workbook's shared strings, in one buffer with where each ends: an empty `<si/>` costs
/// eight bytes, not a string's twenty-four
#[derive(Default)]
pub(crate) struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)?,
        };
        self.text.get(start..end)
    }

    fn end_one(&mut self) {
        self.ends.push(self.text.len());
    }
}

fn shared_strings<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    max: u64,
) -> Result<Strings, Fail> {
    const NAME: &str = "xl/sharedStrings.xml";
    let read = stream_part(zip, NAME, max, |r| {
        let mut out = Strings::default();
        let mut buf = Vec::new();
        let mut open = false;
        let mut in_t = false;
        // Phonetic runs (<rPh>) are readings, not the cell's text.
        let mut in_phonetic = false;
        loop {
            buf.clear();
            match r
                .read_event_into(&mut buf)
                .map_err(|e| xml_error("sharedStrings.xml", e))?
            {
                Event::Eof => break,
                Event::Start(e) => match e.local_name().as_ref() {
                    b"si" => open = true,
                    b"t" => in_t = true,
                    b"rPh" => in_phonetic = true,
                    _ => {}
                },
                Event::Empty(e) if e.local_name().as_ref() == b"si" => out.end_one(),
                Event::Text(t) if open && in_t && !in_phonetic => {
                    if let Ok(text) = t.unescape() {
                        out.text.push_str(&text);
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    b"si" => {
                        out.end_one();
                        open = false;
                    }
                    b"t" => in_t = false,
                    b"rPh" => in_phonetic = false,
                    _ => {}
                },
                _ => {}
            }
        }
        Ok(out)
    })?;
    Ok(read.unwrap_or_default())
}

/// Whether a number format shows a date: Excel's built-in date formats (14–17, 22, and the
/// East Asian 27–36 and 50–58), or a format code with a year or day in it (`yyyy"年"m"月"d"日"`),
/// quoted text, `[…]` and escaped characters aside
fn is_date_format(id: u32, code: Option<&str>) -> bool {
    if matches!(id, 14..=17 | 22 | 27..=36 | 50..=58) {
        return true;
    }
    let Some(code) = code else {
        return false;
    };
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if !quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'y' | 'Y' | 'd' | 'D' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// For each cell style (`s="N"` on a cell), whether it shows a date, from `xl/styles.xml`
fn date_styles(xml: &str) -> Result<Vec<bool>, Fail> {
    let mut codes: HashMap<u32, String> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    let mut r = Reader::from_str(xml);
    loop {
        match r.read_event().map_err(|e| xml_error("styles.xml", e))? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"numFmt" => {
                if let (Some(id), Some(code)) = (
                    attr(&e, b"numFmtId").and_then(|i| i.parse().ok()),
                    attr(&e, b"formatCode"),
                ) {
                    codes.insert(id, code);
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = true,
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = false,
            Event::Start(e) | Event::Empty(e) if in_xfs && e.local_name().as_ref() == b"xf" => {
                let id = attr(&e, b"numFmtId")
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0);
                out.push(is_date_format(id, codes.get(&id).map(String::as_str)));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Whether the workbook counts days from 1904 (`<workbookPr date1904="1"/>`)
fn counts_from_1904(workbook: &str) -> bool {
    let mut r = Reader::from_str(workbook);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"workbookPr" => {
                return matches!(attr(&e, b"date1904").as_deref(), Some("1" | "true"));
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
    }
}

/// A date cell's number as ISO, when it is a whole day; `None` otherwise (a time of day,
/// Excel's 1900-02-29 that never was, out of range)
fn serial_date(text: &str, from_1904: bool) -> Option<String> {
    let t = text.trim();
    let whole = t.strip_suffix(".0").unwrap_or(t);
    if whole.is_empty() || whole.len() > 7 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = whole.parse().ok()?;
    let day = if from_1904 {
        Date::from_ymd(1904, 1, 1)?.add_days(n)?
    } else {
        match n {
            // Excel counts 1900 as a leap year: serial 60 is a 29 February that never was.
            1..=59 => Date::from_ymd(1899, 12, 31)?.add_days(n)?,
            61.. => Date::from_ymd(1899, 12, 30)?.add_days(n)?,
            _ => return None,
        }
    };
    Some(day.to_string())
}

/// `C12` → column 2 (from 0)
fn column_of(reference: &str) -> Option<usize> {
    let mut col = 0usize;
    let mut any = false;
    for c in reference.chars().take_while(char::is_ascii_alphabetic) {
        col = col
            .checked_mul(26)?
            .checked_add((c.to_ascii_uppercase() as usize) - ('A' as usize) + 1)?;
        any = true;
    }
    (any && col > 0).then(|| col - 1)
}

/// A number as Excel wrote it, at most 15 significant digits (Excel's own precision), exact
fn excel_number(text: &str) -> String {
    let Ok(d) = crate::model::money::parse_decimal(text.trim()) else {
        return text.trim().to_string();
    };
    let digits = d
        .mantissa()
        .unsigned_abs()
        .to_string()
        .trim_end_matches('0')
        .len();
    if digits <= 15 {
        return d.normalize().to_string();
    }
    // Round to 15 significant digits: the float noise Excel itself never shows.
    let int_digits = d.trunc().abs().to_string().trim_start_matches('0').len() as i64;
    let keep = (15 - int_digits).max(0) as u32;
    d.round_dp_with_strategy(keep, rust_decimal::RoundingStrategy::MidpointNearestEven)
        .normalize()
        .to_string()
}

/// How a workbook shows numbers as dates: the date styles, and the day it counts from
#[derive(Default)]
struct DateCells {
    styles: Vec<bool>,
    from_1904: bool,
}

/// One row's cells that hold text, by column (from 0), in column order, each column once:
/// kept sparse, so a cell far to the right (`XFD1`) costs one cell, not sixteen thousand
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cells(Vec<(usize, String)>);

impl Cells {
    /// The text in a column, if it holds any
    pub(crate) fn get(&self, col: usize) -> Option<&str> {
        self.0
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// The cells that hold text, in column order
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &str)> {
        self.0.iter().map(|(c, t)| (*c, t.as_str()))
    }

    /// One past the last column holding text
    pub(crate) fn width(&self) -> usize {
        self.0.last().map_or(0, |(c, _)| c + 1)
    }

    /// Every column up to the last that holds text, empty ones as `""` (a header row: at most
    /// [`MAX_COLUMNS`] of them)
    pub(crate) fn dense(&self) -> Vec<String> {
        let mut out = vec![String::new(); self.width()];
        for (c, t) in &self.0 {
            out[*c] = t.clone();
        }
        out
    }

    /// In column order, a column given twice keeping its last text
    fn finish(&mut self) {
        self.0.sort_by_key(|(c, _)| *c);
        let mut kept: Vec<(usize, String)> = Vec::with_capacity(self.0.len());
        for (c, t) in self.0.drain(..) {
            match kept.last_mut() {
                Some(last) if last.0 == c => last.1 = t,
                _ => kept.push((c, t)),
            }
        }
        self.0 = kept;
    }
}

/// `A`, `Z`, `AA` … for a column from 0
pub(crate) fn column_name(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A sheet's rows that hold anything, as cells of text with their row numbers (at most
/// `max_rows` of them), read as the XML comes: shared strings looked up, booleans as
/// `true`/`false`, a whole day in a date cell as ISO, other numbers as Excel shows them. A
/// cell holding anything past the last column Excel has is an error.
fn sheet_rows<B: std::io::BufRead>(
    r: &mut Reader<B>,
    sheet_path: &str,
    strings: &Strings,
    dates: &DateCells,
    max_rows: usize,
) -> Result<Vec<(usize, Cells)>, Fail> {
    let mut rows: Vec<(usize, Cells)> = Vec::new();
    let mut buf = Vec::new();
    let mut row: Option<(usize, Cells)> = None;
    let mut cell: Option<(usize, String, bool)> = None; // (column, type, date style)
    let mut value = String::new();
    let mut in_value = false;
    // A phonetic reading (<rPh>) is not the cell's text; a second <v> in one cell is refused.
    let mut in_phonetic = false;
    let mut values_seen = 0usize;
    let mut next_row = 1usize;
    loop {
        buf.clear();
        match r
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(sheet_path, e))?
        {
            Event::Eof => break,
            Event::Start(e) if e.local_name().as_ref() == b"row" => {
                let n = attr(&e, b"r")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(next_row);
                next_row = n.saturating_add(1);
                row = Some((n, Cells::default()));
            }
            Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                let n: usize = attr(&e, b"r")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(next_row);
                next_row = n.saturating_add(1);
            }
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                let col = attr(&e, b"r")
                    .and_then(|r| column_of(&r))
                    .unwrap_or_else(|| {
                        row.as_ref()
                            .and_then(|(_, c)| c.0.last().map(|(c, _)| c + 1))
                            .unwrap_or(0)
                    });
                let dated = attr(&e, b"s")
                    .and_then(|s| s.parse::<usize>().ok())
                    .and_then(|s| dates.styles.get(s).copied())
                    .unwrap_or(false);
                cell = Some((col, attr(&e, b"t").unwrap_or_default(), dated));
                value.clear();
                values_seen = 0;
            }
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => in_phonetic = true,
            Event::End(e) if e.local_name().as_ref() == b"rPh" => in_phonetic = false,
            Event::Start(e) if matches!(e.local_name().as_ref(), b"v" | b"t") && !in_phonetic => {
                if e.local_name().as_ref() == b"v" {
                    values_seen += 1;
                }
                in_value = true;
            }
            Event::End(e) if matches!(e.local_name().as_ref(), b"v" | b"t") => in_value = false,
            Event::Text(t) if in_value && !in_phonetic => {
                if let Ok(text) = t.unescape() {
                    value.push_str(&text);
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"c" => {
                if let (Some((col, ty, dated)), Some((n, cells))) = (cell.take(), row.as_mut()) {
                    let at = Some(Pos { line: *n, col: 1 });
                    let name = format!("{}{n}", column_name(col));
                    // What Excel never writes is refused rather than read one way or another.
                    if values_seen > 1 {
                        return Err((at, format!("cell {name} holds {values_seen} values")));
                    }
                    if cells.0.last().is_some_and(|(last, _)| *last >= col) {
                        return Err((
                            at,
                            format!("cell {name} is given twice, or after a cell to its right"),
                        ));
                    }
                    let text = match ty.as_str() {
                        "s" if value.trim().is_empty() => String::new(),
                        "s" => match value.trim().parse::<usize>().ok().and_then(|i| strings.get(i)) {
                            Some(t) => t.to_string(),
                            None => {
                                return Err((
                                    at,
                                    format!(
                                        "cell {name} names shared text {}, which the workbook does not have",
                                        value.trim()
                                    ),
                                ))
                            }
                        },
                        "b" => match value.trim() {
                            "1" => "true".to_string(),
                            "0" => "false".to_string(),
                            "" => String::new(),
                            other => {
                                return Err((
                                    at,
                                    format!("cell {name} is a true/false cell holding `{other}`, not 1 or 0"),
                                ))
                            }
                        },
                        "str" | "inlineStr" | "e" | "d" => value.clone(),
                        _ if dated => serial_date(&value, dates.from_1904)
                            .unwrap_or_else(|| excel_number(&value)),
                        _ => excel_number(&value),
                    };
                    if text.is_empty() {
                        continue;
                    }
                    if col >= MAX_COLUMNS {
                        return Err((
                            Some(Pos { line: *n, col: 1 }),
                            format!(
                                "row {n}: a cell holds `{}` past column {} ({}), the last a sheet may have",
                                text.chars().take(40).collect::<String>(),
                                column_name(MAX_COLUMNS - 1),
                                MAX_COLUMNS
                            ),
                        ));
                    }
                    cells.0.push((col, text));
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"row" => {
                if let Some(mut r) = row.take().filter(|(_, c)| !c.0.is_empty()) {
                    r.1.finish();
                    rows.push(r);
                    if rows.len() >= max_rows {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(rows)
}

/// The rows of one sheet (the first, unless named) that hold anything, as cells of text with
/// their row numbers; at most `bounds.max_rows` of them. The sheet is read as it is
/// uncompressed, never held whole.
pub(crate) fn read_sheet<R: Read + std::io::Seek>(
    workbook: R,
    sheet: Option<&str>,
    bounds: Bounds,
) -> Result<Vec<(usize, Cells)>, Fail> {
    let max = bounds.max_part;
    let mut zip = zip::ZipArchive::new(workbook)
        .map_err(|e| (None, format!("not an .xlsx workbook: {e}")))?;
    let all = sheets(&mut zip, max)?;
    let chosen = match sheet {
        None => all.first(),
        Some(name) => all.iter().find(|(n, _)| n == name),
    };
    let Some((_, sheet_path)) = chosen.cloned() else {
        let names: Vec<String> = all.iter().map(|(n, _)| format!("`{n}`")).collect();
        return Err((
            None,
            match sheet {
                Some(s) => format!(
                    "no sheet `{s}` in the workbook (it has {})",
                    names.join(", ")
                ),
                None => "the workbook has no sheet".into(),
            },
        ));
    };
    let strings = shared_strings(&mut zip, max)?;
    let small = max.min(SMALL_PART);
    let dates = DateCells {
        styles: match part(&mut zip, "xl/styles.xml", small)? {
            Some(xml) => date_styles(&xml)?,
            None => Vec::new(),
        },
        from_1904: part(&mut zip, "xl/workbook.xml", small)?.is_some_and(|w| counts_from_1904(&w)),
    };
    let rows = stream_part(&mut zip, &sheet_path, max, |r| {
        sheet_rows(r, &sheet_path, &strings, &dates, bounds.max_rows)
    })?
    .ok_or((
        None,
        format!("the workbook lists `{sheet_path}` but does not hold it"),
    ))?;
    // A first sheet with a header at most, beside other sheets, most likely is not the one
    // meant: reading it would decide nothing and say nothing.
    if sheet.is_none() && rows.len() <= 1 && all.len() > 1 {
        let first = &all[0].0;
        let others: Vec<String> = all[1..].iter().map(|(n, _)| format!("`{n}`")).collect();
        return Err((
            None,
            format!(
                "the first sheet `{first}` holds no applications while the workbook has other sheets: {}; name the one to read with --sheet",
                others.join(", ")
            ),
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits_and_lose_float_noise() {
        assert_eq!(excel_number("1234567.85"), "1234567.85");
        assert_eq!(excel_number("4.45"), "4.45");
        assert_eq!(excel_number("3000000"), "3000000");
        assert_eq!(excel_number("0.30000000000000004"), "0.3");
        assert_eq!(excel_number("1234567.8500000001"), "1234567.85");
        assert_eq!(excel_number("not a number"), "not a number");
    }

    #[test]
    fn date_cells_are_read_as_iso_days() {
        assert_eq!(serial_date("45376", false).as_deref(), Some("2024-03-25"));
        assert_eq!(serial_date("45351", false).as_deref(), Some("2024-02-29"));
        assert_eq!(serial_date("61", false).as_deref(), Some("1900-03-01"));
        assert_eq!(serial_date("59", false).as_deref(), Some("1900-02-28"));
        assert_eq!(serial_date("1", false).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_date("60", false), None, "1900-02-29 never was");
        assert_eq!(serial_date("0", false), None);
        assert_eq!(serial_date("43914", true).as_deref(), Some("2024-03-25"));
        assert_eq!(serial_date("45376.5", false), None, "a time of day");
        assert_eq!(serial_date("-1", false), None);
        assert_eq!(serial_date("99999999999", false), None);
        assert_eq!(serial_date("2958465", false).as_deref(), Some("9999-12-31"));
        assert_eq!(serial_date("2958466", false), None);

        let styles = r##"<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="#,##0.00&quot;元 day&quot;"/></numFmts>
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
            <cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="20"/></cellXfs></styleSheet>"##;
        let Ok(flags) = date_styles(styles) else {
            panic!("styles read");
        };
        assert_eq!(flags, [false, true, true, false, false]);
        let sheet = r#"<worksheet><sheetData>
            <row r="1"><c r="A1" t="inlineStr"><is><t>d</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>45376</v></c><c r="B2" s="0"><v>45376</v></c><c r="C2" s="2"><v>45376.25</v></c><c r="D2" s="3"><v>45376</v></c></row>
            </sheetData></worksheet>"#;
        let dates = DateCells {
            styles: flags,
            from_1904: false,
        };
        let mut reader = Reader::from_reader(sheet.as_bytes());
        let Ok(rows) = sheet_rows(
            &mut reader,
            "sheet1.xml",
            &Strings::default(),
            &dates,
            usize::MAX,
        ) else {
            panic!("rows read");
        };
        assert_eq!(
            rows[1].1.dense(),
            ["2024-03-25", "45376", "45376.25", "45376"]
        );
        assert!(counts_from_1904(
            r#"<workbook><workbookPr date1904="1"/></workbook>"#
        ));
        assert!(!counts_from_1904(r#"<workbook><workbookPr/></workbook>"#));
    }

    /// A workbook of one sheet whose XML is `sheet`, built here as a hostile tester would
    fn workbook(sheet: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, &[u8]); 3] = [
            (
                "xl/workbook.xml",
                br#"<workbook><sheets><sheet name="apps" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                br#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        for (name, bytes) in parts {
            assert!(zip.start_file(name, deflated).is_ok());
            assert!(zip.write_all(bytes).is_ok());
        }
        let Ok(done) = zip.finish() else {
            panic!("zip written");
        };
        done.into_inner()
    }

    /// A first sheet with a header alone, beside a sheet of applications: refused, naming the
    /// other sheet, rather than deciding nothing; named with `--sheet`, the second is read
    #[test]
    fn an_empty_first_sheet_beside_others_is_refused() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default();
        let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>"#;
        let data = r#"<row r="2"><c r="A2" t="inlineStr"><is><t>X1</t></is></c></row>"#;
        let sheet = |rows: &str| format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
        let parts: [(&str, String); 4] = [
            (
                "xl/workbook.xml",
                r#"<workbook><sheets><sheet name="说明" r:id="rId1"/><sheet name="申报" r:id="rId2"/></sheets></workbook>"#.into(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>"#.into(),
            ),
            ("xl/worksheets/sheet1.xml", sheet(header)),
            ("xl/worksheets/sheet2.xml", sheet(&format!("{header}{data}"))),
        ];
        for (name, text) in &parts {
            assert!(zip.start_file(*name, stored).is_ok());
            assert!(zip.write_all(text.as_bytes()).is_ok());
        }
        let Ok(done) = zip.finish() else {
            panic!("zip written");
        };
        let bytes = done.into_inner();
        let first = read_sheet(std::io::Cursor::new(&bytes), None, bounds(1 << 20));
        assert!(
            first.as_ref().is_err_and(
                |(_, m)| m.contains("`说明` holds no applications") && m.contains("`申报`")
            ),
            "{first:?}"
        );
        let named = read_sheet(std::io::Cursor::new(&bytes), Some("申报"), bounds(1 << 20));
        assert_eq!(named.map(|r| r.len()), Ok(2));
    }

    fn bounds(max_part: u64) -> Bounds {
        Bounds {
            max_part,
            max_rows: usize::MAX,
        }
    }

    /// Cells no spreadsheet program writes are refused, never read one way or another: two
    /// values in a cell, a cell given twice, a true/false cell holding neither 1 nor 0, shared
    /// text the workbook lacks; a phonetic reading is not part of a cell's text
    #[test]
    fn crafted_cells_are_refused_and_readings_left_out() {
        let read = |cells: &str| {
            let xml = format!(
                r#"<worksheet><sheetData><row r="1">{cells}</row></sheetData></worksheet>"#
            );
            read_sheet(
                std::io::Cursor::new(workbook(xml.as_bytes())),
                None,
                bounds(1 << 20),
            )
            .map(|rows| rows[0].1.get(1).map(str::to_string))
            .map_err(|(_, m)| m)
        };
        assert_eq!(
            read(
                r#"<c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="inlineStr"><is><t>100000</t><rPh sb="0" eb="1"><t>5</t></rPh></is></c>"#
            ),
            Ok(Some("100000".into()))
        );
        let refused = |cells: &str, needle: &str| {
            let got = read(cells);
            assert!(
                got.as_ref().is_err_and(|m| m.contains(needle)),
                "{cells}: {got:?}"
            );
        };
        refused(
            r#"<c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1"><v>100000</v><f>SUM(1)</f><v>5</v></c>"#,
            "cell B1 holds 2 values",
        );
        refused(
            r#"<c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1"><v>100000</v></c><c r="B1"><v>900000</v></c>"#,
            "cell B1 is given twice",
        );
        refused(
            r#"<c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="b"><v>TRUE</v></c>"#,
            "not 1 or 0",
        );
        refused(
            r#"<c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="s"><v>7</v></c>"#,
            "shared text 7",
        );
    }

    /// A sheet past the bound is refused, naming the part and the bound, wherever the rows
    /// fall in it: never its first rows read and the rest dropped
    #[test]
    fn a_sheet_over_its_bound_is_refused_never_cut() {
        let row = |n: usize| {
            format!(r#"<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>R{n}</t></is></c></row>"#)
        };
        let mut xml = String::from("<worksheet><sheetData>");
        for n in 1..=13 {
            xml.push_str(&row(n));
            xml.push_str(&" ".repeat(200_000));
        }
        xml.push_str("</sheetData></worksheet>");
        let bytes = workbook(xml.as_bytes());
        assert!(bytes.len() < 100_000, "compressible: {}", bytes.len());
        let read = read_sheet(std::io::Cursor::new(&bytes), None, bounds(1 << 20));
        let Err((_, message)) = read else {
            panic!("refused, not {} rows", read.map_or(0, |r| r.len()));
        };
        assert!(message.contains("xl/worksheets/sheet1.xml"), "{message}");
        assert!(message.contains("over 1048576 bytes"), "{message}");
        // Under a bound it fits, all thirteen rows.
        let read = read_sheet(std::io::Cursor::new(&bytes), None, bounds(4 << 20));
        assert_eq!(read.map(|r| r.len()), Ok(13));
    }

    /// Padding between rows, however long, is dropped as it is read (the XML reader never
    /// holds it); a cell's text past the run bound refuses the part
    #[test]
    fn long_runs_are_dropped_if_blank_and_refused_otherwise() {
        let row = |n: usize| {
            format!(r#"<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>R{n}</t></is></c></row>"#)
        };
        let xml = format!(
            "<worksheet><sheetData>{}{}{}</sheetData></worksheet>",
            row(1),
            " \n".repeat(MAX_RUN * 2),
            row(2)
        );
        let read = read_sheet(
            std::io::Cursor::new(workbook(xml.as_bytes())),
            None,
            bounds(1 << 30),
        );
        let Ok(rows) = read else {
            panic!("read: {read:?}");
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].1.get(0), Some("R2"));
        let xml = format!(
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row></sheetData></worksheet>"#,
            "x".repeat(MAX_RUN + 1)
        );
        let read = read_sheet(
            std::io::Cursor::new(workbook(xml.as_bytes())),
            None,
            bounds(1 << 30),
        );
        let Err((_, message)) = read else {
            panic!("refused");
        };
        assert!(message.contains("over 1048576 bytes"), "{message}");
        assert!(message.contains("sheet1.xml"), "{message}");
    }

    /// A cell far to the right costs one cell, not a row padded to it; a cell holding anything
    /// past Excel's last column is an error, never dropped
    #[test]
    fn a_far_column_is_not_padded_and_past_excel_is_refused() {
        let mut xml = String::from(
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>"#,
        );
        for n in 2..2000 {
            xml.push_str(&format!(
                r#"<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="XFD{n}"><v>1</v></c></row>"#
            ));
        }
        xml.push_str("</sheetData></worksheet>");
        let Ok(rows) = read_sheet(
            std::io::Cursor::new(workbook(xml.as_bytes())),
            None,
            bounds(1 << 30),
        ) else {
            panic!("read");
        };
        assert_eq!(rows.len(), 1999);
        for (_, cells) in &rows {
            assert_eq!(cells.0.len(), 2, "two cells kept, not sixteen thousand");
            assert_eq!(cells.width(), MAX_COLUMNS);
        }
        assert_eq!(rows[5].1.get(16_383), Some("1"));
        assert_eq!(rows[5].1.get(100), None);

        let past = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="7"><c r="A7"><v>2</v></c><c r="XFE7"><v>3</v></c></row></sheetData></worksheet>"#;
        let read = read_sheet(
            std::io::Cursor::new(workbook(past.as_bytes())),
            None,
            bounds(1 << 30),
        );
        let Err((pos, message)) = read else {
            panic!("refused, not {:?}", read);
        };
        assert_eq!(pos.map(|p| p.line), Some(7));
        assert!(message.contains("XFD"), "{message}");
        // An empty cell out there (a style, no value) is no content, and no error.
        let empty = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="ZZZZ1" s="3"/></row></sheetData></worksheet>"#;
        let read = read_sheet(
            std::io::Cursor::new(workbook(empty.as_bytes())),
            None,
            bounds(1 << 30),
        );
        assert_eq!(read.map(|r| r[0].1.width()), Ok(1));
    }

    #[test]
    fn columns_from_references() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("Z9"), Some(25));
        assert_eq!(column_of("AA10"), Some(26));
        assert_eq!(column_of("12"), None);
        for (col, name) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (701, "ZZ"),
            (16_383, "XFD"),
        ] {
            assert_eq!(column_name(col), name);
            assert_eq!(column_of(&format!("{name}1")), Some(col));
        }
    }
}
