//! Reading applications: YAML, JSON, JSONL, CSV and xlsx into `RawApplication`s (document trees
//! that keep each value's text and place), numbers kept exact.
//!
//! Reading only splits the file into applications; checking each against its kind happens when
//! it is decided, so one bad application never stops the others.

pub(crate) mod csv_quotes;
pub(crate) mod file;
pub(crate) mod quick;
pub(crate) mod validate;
pub(crate) mod xlsx;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::load::yaml::{self, Node, NodeValue, YamlLimits};
use crate::model::lang::{said, Lang, Message};
use crate::model::pos::Pos;

/// The formats an input file can have
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// A YAML list of mappings
    Yaml,
    /// A JSON array of objects
    Json,
    /// One JSON object per line
    Jsonl,
    /// Comma-separated values with a header row; `applicant.name` columns nest
    Csv,
    /// An Excel workbook (`.xlsx`): a sheet laid out like the CSV
    Xlsx,
}

impl InputFormat {
    /// The format a file name implies: `.yaml`/`.yml`, `.json`, `.jsonl`/`.ndjson`, `.csv`,
    /// `.xlsx`
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(InputFormat::Yaml),
            "json" => Some(InputFormat::Json),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            "xlsx" => Some(InputFormat::Xlsx),
            _ => None,
        }
    }

    /// The format's name, as `--input-format` takes it
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Yaml => "yaml",
            InputFormat::Json => "json",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Csv => "csv",
            InputFormat::Xlsx => "xlsx",
        }
    }
}

/// Whether a JSONL line holds nothing but JSON's whitespace (space, tab, CR, LF), and so is
/// no record; any other line is one, read or broken. The stream and the whole-text reader
/// both ask here, so they count records alike.
pub(crate) fn blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// One application as read, not yet checked against the pack
#[derive(Debug, Clone, PartialEq)]
pub struct RawApplication {
    /// Its place in the file, from 0
    pub index: usize,
    /// Where it starts in the file (YAML, JSONL, CSV)
    pub pos: Option<Pos>,
    pub(crate) node: Node,
    /// Why the record could not be read as an application at all (a JSONL line that is not
    /// JSON, say); it becomes an error decision, and the others are still decided
    /// Boxed: most applications have none, and the record stays small
    pub(crate) problem: Option<Box<Message>>,
}

impl RawApplication {
    /// The `id` as written, if it is a plain value
    pub fn id(&self) -> Option<&str> {
        let n = self.node.get("id")?;
        match n.as_scalar() {
            Some((t, _)) if !n.is_null() && n.as_bool().is_none() && !t.is_empty() => Some(t),
            _ => None,
        }
    }

    /// A field's value as written, by its dotted name (`applicant.name`), if it is a plain
    /// value and not null
    pub fn text(&self, field: &str) -> Option<&str> {
        let mut node = &self.node;
        for part in field.split('.') {
            node = node.get(part)?;
        }
        match node.as_scalar() {
            Some((t, _)) if !node.is_null() => Some(t),
            _ => None,
        }
    }
}

/// A file that cannot be read as a list of applications at all
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file
    pub file: PathBuf,
    /// Where, when known
    pub pos: Option<Pos>,
    /// What is wrong
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A text parsed in memory has no file to name.
        match (self.file.as_os_str().is_empty(), self.pos) {
            (false, Some(p)) => write!(f, "{}:{}: {}", self.file.display(), p, self.message),
            (false, None) => write!(f, "{}: {}", self.file.display(), self.message),
            (true, Some(p)) => write!(f, "{p}: {}", self.message),
            (true, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for InputError {}

impl InputError {
    /// What is wrong, in `lang`: the reader's own messages have Chinese words; anything else
    /// (a library's detail) is shown as it was written
    pub fn message_in(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => zh_for(&self.message).unwrap_or_else(|| self.message.clone()),
            Lang::En => self.message.clone(),
        }
    }

    /// The whole error for a person, led by `错误:` or `error:`, with the file and place
    pub fn shown(&self, lang: Lang) -> String {
        let head = lang.pick("错误", "error");
        let message = self.message_in(lang);
        match (self.file.as_os_str().is_empty(), self.pos) {
            (false, Some(p)) => format!("{head}: {}:{p}: {message}", self.file.display()),
            (false, None) => format!("{head}: {}: {message}", self.file.display()),
            (true, Some(p)) => format!("{head}: {p}: {message}"),
            (true, None) => format!("{head}: {message}"),
        }
    }
}

/// The Chinese of a message the input readers write (they keep one English text, the same in
/// every language's machine output); `None` for one not written here
fn zh_for(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("cannot read (copying it to a temporary file): ") {
        return Some(format!("无法读取（复制到临时文件时）：{rest}"));
    }
    if let Some(rest) = message.strip_prefix("cannot read: ") {
        return Some(format!("无法读取：{rest}"));
    }
    if let Some(rest) = message.strip_prefix("YAML syntax: ") {
        return Some(format!("YAML 语法错误：{rest}"));
    }
    if let Some(rest) = message.strip_prefix("JSON: ") {
        return Some(format!("JSON 格式错误：{rest}"));
    }
    if let Some(rest) = message.strip_prefix("CSV header: ") {
        if rest.to_ascii_lowercase().contains("utf-8") {
            return Some(
                "CSV 表头有误：文件不是 UTF-8 编码（可能是 GBK），请另存为 UTF-8（Excel 可选“CSV UTF-8”）"
                    .into(),
            );
        }
        return Some(format!("CSV 表头有误：{rest}"));
    }
    if let Some(at) = message
        .strip_prefix("not valid UTF-8 (at byte ")
        .and_then(|r| r.strip_suffix(')'))
    {
        return Some(format!(
            "不是有效的 UTF-8 文本（第 {at} 字节处）：请把文件另存为 UTF-8 编码（Excel 可选“CSV UTF-8”）"
        ));
    }
    if let Some(max) = message.strip_prefix("longer than ").and_then(|r| {
        r.strip_suffix(" bytes, the most an input may have (`--max-input-bytes` raises it)")
    }) {
        return Some(format!(
            "超过输入最多允许的 {max} 字节（可用 `--max-input-bytes` 调高）"
        ));
    }
    if message.starts_with("unknown input format") {
        return Some("无法判断输入格式：请把文件命名为 .yaml、.json、.jsonl、.csv 或 .xlsx，或用 --input-format 指定".into());
    }
    if message.starts_with("the file is empty") {
        return Some("文件是空的，没有申报（CSV 须有表头行、每项申报一行，YAML 和 JSON 须是列表，JSONL 每行一个对象）".into());
    }
    if let Some((first, rest)) = message
        .strip_prefix("the first sheet `")
        .and_then(|r| r.split_once("` holds no applications while the workbook has other sheets: "))
    {
        let others = rest
            .strip_suffix("; name the one to read with --sheet")
            .unwrap_or(rest)
            .replace("`, `", "`、`");
        return Some(format!(
            "第一个工作表 `{first}` 中没有申报，而工作簿还有其他工作表：{others}；请用 --sheet 指定要读取的工作表"
        ));
    }
    if message.starts_with("the file changed while it was being read") {
        return Some("读取过程中文件被修改了：请在文件写完后重新运行".into());
    }
    None
}

/// The most bytes an input may have, a file or what a pipe gives: far above a million
/// applications (about 210 MiB of JSONL), and a bound on the copy a pipe makes
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1 << 30;

/// The words of the error for an input over its bound
pub(crate) fn over_bound(max: u64) -> String {
    format!("longer than {max} bytes, the most an input may have (`--max-input-bytes` raises it)")
}

/// Reads a file of applications; the format comes from `format` or else the file name
pub fn read_applications(
    path: &Path,
    format: Option<InputFormat>,
) -> Result<Vec<RawApplication>, InputError> {
    let fail = |pos, message: String| InputError {
        file: path.to_path_buf(),
        pos,
        message,
    };
    let format = format
        .or_else(|| InputFormat::from_path(path))
        .ok_or_else(|| {
            fail(
                None,
                "unknown input format: name the file .yaml, .yml or .json".into(),
            )
        })?;
    let max = DEFAULT_MAX_INPUT_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, max + 1), &mut bytes))
        .map_err(|e| fail(None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(fail(None, over_bound(max)));
    }
    applications_from_bytes(bytes, format).map_err(|(pos, m)| fail(pos, m))
}

/// The bytes of a whole YAML, JSON, JSONL or CSV file as applications
pub(crate) fn applications_from_bytes(
    bytes: Vec<u8>,
    format: InputFormat,
) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    let text = String::from_utf8(bytes).map_err(|e| {
        (
            None,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    split(&text, format)
}

/// Splits a text into applications
///
/// # Errors
/// A text that is not a list of applications in `format` at all, with the place (its `file`
/// is empty: the text came from no file).
pub fn parse_applications(
    text: &str,
    format: InputFormat,
) -> Result<Vec<RawApplication>, InputError> {
    split(text, format).map_err(|(pos, message)| InputError {
        file: PathBuf::new(),
        pos,
        message,
    })
}

/// A text split into applications, or the place and the reason it cannot be
fn split(text: &str, format: InputFormat) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    let root = match format {
        InputFormat::Yaml => yaml::parse(
            text,
            YamlLimits {
                // A repeated key costs its own application, not the whole file.
                reject_duplicate_keys: false,
                ..YamlLimits::default()
            },
        )
        .map_err(|e| (e.pos, format!("YAML syntax: {}", e.message)))?,
        InputFormat::Json => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut de = serde_json::Deserializer::from_str(text);
            let node = json_document(&mut de)
                .and_then(|n| de.end().map(|_| n))
                .map_err(|e| {
                    (
                        Some(Pos {
                            line: e.line(),
                            col: e.column(),
                        }),
                        format!("JSON: {e}"),
                    )
                })?;
            node.0
        }
        InputFormat::Jsonl => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut apps = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if blank(line.as_bytes()) {
                    continue;
                }
                apps.push(json_line(line, apps.len(), i + 1));
            }
            return Ok(apps);
        }
        InputFormat::Csv => return csv_text(text, &std::collections::HashMap::new()),
        InputFormat::Xlsx => {
            return Err((
                None,
                "an .xlsx workbook is binary: read it from its file".into(),
            ))
        }
    };
    applications_from_node(root)
}

/// The applications of a list node (a test case's `applications:`)
pub(crate) fn applications_from_node(
    root: Node,
) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    match root.value {
        NodeValue::Seq(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(index, node)| RawApplication {
                index,
                pos: node.pos,
                node,
                problem: None,
            })
            .collect()),
        _ => Err((
            root.pos,
            format!("expected a list of applications, found {}", root.describe()),
        )),
    }
}

/// One JSONL line as an application; a line that is not a JSON object becomes an application
/// with a problem, so it gets an error decision and the others are still decided
pub(crate) fn json_line(text: &str, index: usize, line: usize) -> RawApplication {
    let pos = Some(Pos { line, col: 1 });
    let mut de = serde_json::Deserializer::from_str(text);
    match json_document(&mut de).and_then(|n| de.end().map(|_| n)) {
        Ok(JsonNode(node)) => RawApplication {
            index,
            pos,
            node,
            problem: None,
        },
        Err(e) => RawApplication {
            index,
            pos,
            node: Node::scalar("", false),
            problem: Some(Box::new(said!(
                "第{line}行：不是 JSON 对象：{e}",
                "line {line}: not a JSON object: {e}"
            ))),
        },
    }
}

/// Only the `id` and `kind` of a JSONL line, for a first pass that needs no more. The line is
/// read whole, so its id is the one [`json_line`] finds: none for a line that is not JSON
/// (trailing text, a lone surrogate anywhere). Only lines the quick path gives up on come here.
pub(crate) fn json_line_light(text: &str, index: usize, line: usize) -> RawApplication {
    let mut raw = json_line(text, index, line);
    if let NodeValue::Map(entries) = &mut raw.node.value {
        entries.retain(|(k, _)| matches!(k.as_scalar(), Some(("id" | "kind", _))));
    }
    raw
}

/// The column paths of a CSV header: each name through the aliases, split at dots
pub(crate) fn csv_columns(
    header: &[String],
    aliases: &std::collections::HashMap<String, String>,
) -> Vec<Vec<String>> {
    header
        .iter()
        .map(|h| {
            let h = h.trim_start_matches('\u{feff}').trim();
            let name = aliases.get(h).map(String::as_str).unwrap_or(h);
            name.split('.').map(str::to_string).collect()
        })
        .collect()
}

/// A whole CSV text as applications
pub(crate) fn csv_text(
    text: &str,
    aliases: &std::collections::HashMap<String, String>,
) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    // Each record's quotes are checked on its bytes: a quote left open would take the
    // records after it into one field.
    let quotes = |start: u64, end: u64, line: usize| {
        let start = usize::try_from(start)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let end = usize::try_from(end).unwrap_or(usize::MAX).min(bytes.len());
        csv_quotes::check(&bytes[start.min(end)..end], line).map_err(|(p, m)| (Some(p), m))
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| (None, format!("CSV header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    quotes(0, reader.position().byte(), 1)?;
    let columns = csv_columns(&header, aliases);
    let mut apps = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let (start, line) = (reader.position().byte(), reader.position().line() as usize);
        let read = reader.read_record(&mut record);
        if !matches!(read, Ok(false)) {
            quotes(start, reader.position().byte(), line)?;
        }
        match read {
            Ok(false) => break,
            Ok(true) => {
                let cells: Vec<String> = record.iter().map(str::to_string).collect();
                apps.push(csv_row(&columns, &cells, apps.len(), line));
            }
            Err(e) => apps.push(RawApplication {
                index: apps.len(),
                pos: Some(Pos { line, col: 1 }),
                node: Node::scalar("", false),
                problem: Some(Box::new(said!(
                    "第{line}行：不是一条有效的 CSV 记录：{e}",
                    "line {line}: not a CSV record: {e}"
                ))),
            }),
        }
    }
    Ok(apps)
}

/// A CSV row as an application: each cell under its column's dotted name (after aliases);
/// an empty cell is left out, as an absent field
pub(crate) fn csv_row(
    columns: &[Vec<String>],
    cells: &[String],
    index: usize,
    line: usize,
) -> RawApplication {
    sparse_row(
        columns,
        cells.iter().map(String::as_str).enumerate(),
        cells.len(),
        index,
        line,
    )
}

/// A row given as its cells that hold text, by column, and its width (one past its last
/// cell): a workbook's row, where a cell far to the right is not padded up to
pub(crate) fn sparse_row<'c>(
    columns: &[Vec<String>],
    cells: impl Iterator<Item = (usize, &'c str)>,
    width: usize,
    index: usize,
    line: usize,
) -> RawApplication {
    let mut root: Vec<(Node, Node)> = Vec::new();
    for (col, cell) in cells {
        let Some(path) = columns.get(col) else {
            continue;
        };
        if cell.is_empty() || path.is_empty() {
            continue;
        }
        insert_path(&mut root, path, Node::scalar(cell.to_string(), false));
    }
    RawApplication {
        index,
        pos: Some(Pos { line, col: 1 }),
        node: Node {
            value: NodeValue::Map(root),
            pos: Some(Pos { line, col: 1 }),
        },
        problem: (width > columns.len()).then(|| {
            let columns = columns.len();
            Box::new(said!(
                "第{line}行：单元格（{width} 个）比列（{columns} 列）多",
                "line {line}: more cells ({width}) than columns ({columns})"
            ))
        }),
    }
}

fn insert_path(entries: &mut Vec<(Node, Node)>, path: &[String], value: Node) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        entries.push((Node::scalar(first.clone(), true), value));
        return;
    }
    let existing = entries.iter_mut().find(|(k, v)| {
        k.as_scalar().map(|(t, _)| t) == Some(first.as_str())
            && matches!(v.value, NodeValue::Map(_))
    });
    match existing {
        Some((
            _,
            Node {
                value: NodeValue::Map(inner),
                ..
            },
        )) => insert_path(inner, rest, value),
        _ => {
            let mut inner = Vec::new();
            insert_path(&mut inner, rest, value);
            entries.push((
                Node::scalar(first.clone(), true),
                Node {
                    value: NodeValue::Map(inner),
                    pos: None,
                },
            ));
        }
    }
}

/// A JSON value read into a [`Node`]: numbers keep their text (serde_json's
/// `arbitrary_precision`), strings are quoted scalars, and a repeated key is kept twice (never
/// a silent overwrite), so checking that application refuses it.
struct JsonNode(Node);

/// The most values one JSON document may hold, as for YAML (`YamlLimits::max_nodes`): a
/// gigabyte of `[[],[],…]` would otherwise build hundreds of millions of nodes
pub(crate) const MAX_JSON_VALUES: usize = 5_000_000;

std::thread_local! {
    /// Values read so far in the JSON document being read on this thread
    static JSON_VALUES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// The bound on this thread: [`MAX_JSON_VALUES`], lowered only by a test
    static JSON_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(MAX_JSON_VALUES) };
}

/// A JSON document read as a node tree, its values counted and bounded
fn json_document<'de, D: Deserializer<'de>>(d: D) -> Result<JsonNode, D::Error> {
    JSON_VALUES.with(|n| n.set(0));
    JsonNode::deserialize(d)
}

/// Counts one value more; past the bound, the document is refused
fn count_value<E: de::Error>() -> Result<(), E> {
    let n = JSON_VALUES.with(|n| {
        let v = n.get() + 1;
        n.set(v);
        v
    });
    let max = JSON_LIMIT.with(std::cell::Cell::get);
    if n > max {
        return Err(E::custom(format!(
            "more than {max} values in one document, the most read"
        )));
    }
    Ok(())
}

// serde_json hands an arbitrary-precision number over as a one-entry map under this key.
const JSON_NUMBER_KEY: &str = "$serde_json::private::Number";

impl<'de> Deserialize<'de> for JsonNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = JsonNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<JsonNode, E> {
        count_value()?;
        Ok(JsonNode(Node::scalar(v.to_string(), false)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<JsonNode, E> {
        count_value()?;
        Ok(JsonNode(Node::scalar(v.to_string(), false)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<JsonNode, E> {
        count_value()?;
        Ok(JsonNode(Node::scalar(v.to_string(), false)))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<JsonNode, E> {
        Err(E::custom("a number reached the reader as a binary float"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonNode, E> {
        count_value()?;
        Ok(JsonNode(Node::scalar(v, true)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<JsonNode, E> {
        count_value()?;
        Ok(JsonNode(Node::scalar("null", false)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonNode, A::Error> {
        count_value()?;
        let mut items = Vec::new();
        while let Some(JsonNode(n)) = seq.next_element()? {
            items.push(n);
        }
        Ok(JsonNode(Node {
            value: NodeValue::Seq(items),
            pos: None,
        }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonNode, A::Error> {
        count_value()?;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == JSON_NUMBER_KEY {
                let text: String = map.next_value()?;
                return Ok(JsonNode(Node::scalar(text, false)));
            }
            let JsonNode(v) = map.next_value()?;
            entries.push((Node::scalar(key, true), v));
        }
        Ok(JsonNode(Node {
            value: NodeValue::Map(entries),
            pos: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    /// Each message the readers write has Chinese words; a library's detail stays as written
    #[test]
    fn input_errors_read_in_chinese() {
        let e = |m: &str| InputError {
            file: PathBuf::from("a.csv"),
            pos: None,
            message: m.into(),
        };
        for (en, zh) in [
            ("cannot read: gone", "错误: a.csv: 无法读取：gone"),
            (
                "not valid UTF-8 (at byte 3)",
                "错误: a.csv: 不是有效的 UTF-8 文本（第 3 字节处）",
            ),
            (&over_bound(10), "错误: a.csv: 超过输入最多允许的 10 字节"),
            (
                "the file changed while it was being read: run again once it is complete",
                "错误: a.csv: 读取过程中文件被修改了",
            ),
            (
                "CSV header: invalid utf-8 in field 0",
                "错误: a.csv: CSV 表头有误：文件不是 UTF-8 编码",
            ),
        ] {
            assert!(
                e(en).shown(Lang::Zh).starts_with(zh),
                "{en}: {}",
                e(en).shown(Lang::Zh)
            );
            assert_eq!(e(en).shown(Lang::En), format!("error: a.csv: {en}"));
        }
    }

    use super::*;

    /// A JSON document of more values than its bound is refused, naming the bound; at the
    /// bound, read (the bound lowered on this test's thread, the same code counting)
    #[test]
    fn json_values_are_bounded() {
        assert_eq!(JSON_LIMIT.with(std::cell::Cell::get), 5_000_000);
        JSON_LIMIT.with(|l| l.set(1000));
        let many = |n: usize| format!("[{}[]]", "[],".repeat(n - 2));
        let over = parse_applications(&many(1001), InputFormat::Json);
        let at = parse_applications(&many(1000), InputFormat::Json);
        let nested = parse_applications(&format!("[{{\"a\":{}}}]", many(999)), InputFormat::Json);
        JSON_LIMIT.with(|l| l.set(MAX_JSON_VALUES));
        let Err(e) = over else {
            panic!("refused");
        };
        assert!(e.message.contains("more than 1000 values"), "{e}");
        assert_eq!(at.map(|a| a.len()), Ok(999));
        assert!(nested.is_err(), "values inside values count");
    }

    #[test]
    fn json_numbers_keep_their_digits() {
        let apps = parse_applications(
            r#"[{"id": "a", "paid_amount": 1234567.85, "big": 123456789012345678.12}]"#,
            InputFormat::Json,
        )
        .unwrap();
        let n = &apps[0].node;
        assert_eq!(
            n.get("paid_amount").unwrap().as_scalar(),
            Some(("1234567.85", false))
        );
        assert_eq!(
            n.get("big").unwrap().as_scalar(),
            Some(("123456789012345678.12", false))
        );
        assert_eq!(apps[0].id(), Some("a"));
    }

    #[test]
    fn duplicate_keys_are_kept_for_the_application_check() {
        let apps = parse_applications(r#"[{"id": "a", "id": "b"}]"#, InputFormat::Json).unwrap();
        assert_eq!(apps[0].node.as_map().map(|m| m.len()), Some(2));
        let apps = parse_applications("- id: a\n  id: b\n", InputFormat::Yaml).unwrap();
        assert_eq!(apps[0].node.as_map().map(|m| m.len()), Some(2));
    }

    #[test]
    fn a_mapping_is_not_a_list() {
        let e = parse_applications("id: a\n", InputFormat::Yaml).unwrap_err();
        assert!(e.message.contains("expected a list"), "{e:?}");
    }
}
