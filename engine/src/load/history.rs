//! Reading the record of earlier payments (`--history`), checked against the pack:
//!
//! - a ledger with the columns `applicant`, `clause`, `period` and `amount` (or 申报单位, 条款,
//!   年度, 金额), as CSV or as the first sheet of an `.xlsx` workbook;
//! - an earlier decisions output of `policy run` (JSON, JSONL or CSV) that carries, beside each
//!   decision, the pack's `applicant:` fields and its `period:` field (`policy run
//!   --with-applicant` writes them). Only an `awarded` or `capped` decision of more than
//!   nothing was paid.
//!
//! The form is told by the file's name and its first bytes; a name and content that disagree,
//! or JSON whose name does not say which of the two JSON forms it is, are refused.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::Path;

use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};

use crate::load::params::parse_param_value;
use crate::load::workbook::{self, Bounds};
use crate::model::error::{LoadError, LoadErrors};
use crate::model::history::{same_applicant, History, Paid};
use crate::model::pack::{Pack, Unit};
use crate::model::pos::Pos;
use crate::model::suggest::did_you_mean;
use crate::model::value::Value;

/// The largest ledger read: far above any real record of payments
const MAX_BYTES: u64 = 256 << 20;

/// The most payments a ledger may record (or decisions an earlier output may hold): far above
/// any real record, and a bound on the memory a ledger of tiny rows could take
const MAX_ROWS: usize = 5_000_000;

/// The column names a ledger may use for each of its four columns
const COLUMNS: [(&str, &[&str]); 4] = [
    ("applicant", &["applicant", "申报单位", "单位"]),
    ("clause", &["clause", "条款"]),
    ("period", &["period", "year", "年度"]),
    ("amount", &["amount", "金额", "金额（元）"]),
];

/// The first columns of the decisions CSV `policy run --format csv` writes (its header is
/// `CSV_HEADER` in the CLI's `render/stream.rs`)
const DECISIONS_CSV: [&str; 6] = ["id", "kind", "clause", "status", "amount", "reasons"];

/// The forms a history file can take
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A ledger, or the decisions `policy run --format csv` writes: the header says which
    Csv,
    /// A ledger as the first sheet of an `.xlsx` workbook
    Workbook,
    /// The decisions document of `policy run --format json`
    Json,
    /// The decisions of `policy run --format jsonl`, one a line
    Jsonl,
}

/// Reads and checks the record at `path` for `pack`: every clause known, every period a whole
/// year, every amount yuan (`60万` understood) and not negative; every fault with its place
pub(crate) fn read_history(path: &Path, pack: &Pack) -> Result<History, LoadErrors> {
    let fail =
        |pos: Option<Pos>, message: String| LoadErrors(vec![LoadError::new(path, pos, message)]);
    let size = std::fs::metadata(path)
        .map_err(|e| fail(None, format!("cannot read: {e}")))?
        .len();
    if size > MAX_BYTES {
        return Err(fail(
            None,
            format!("the file is {size} bytes, over the {MAX_BYTES} a history may have"),
        ));
    }
    // The size above is 0 for a device or a pipe: the read is bounded too.
    let bytes = crate::load::files::read_at_most(path, MAX_BYTES).map_err(|m| fail(None, m))?;
    let form = form_of(path, &bytes).map_err(|m| fail(None, m))?;
    if form == Form::Workbook {
        return workbook_ledger(path, pack, bytes).map(History::new);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(
            None,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let paid = match form {
        Form::Json => {
            let decisions = json_decisions(pack, text).map_err(|(pos, m)| fail(Some(pos), m))?;
            earlier_payments(path, pack, decisions)?
        }
        Form::Jsonl => earlier_payments(path, pack, jsonl_decisions(pack, text))?,
        _ => csv_payments(path, pack, text)?,
    };
    Ok(History::new(paid))
}

/// The form of a history file, from its name and its first bytes
fn form_of(path: &Path, bytes: &[u8]) -> Result<Form, String> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let json = matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    );
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let named = |ext: &str| format!("the file is named .{ext}");
    match ext.as_deref() {
        Some("xlsx") if zip => Ok(Form::Workbook),
        Some("xlsx") => Err(format!(
            "{} but is no workbook (not a zip archive, as an .xlsx file is)",
            named("xlsx")
        )),
        Some(ext @ ("csv" | "json" | "jsonl" | "ndjson")) if zip => Err(format!(
            "{} but is a zip archive, as an .xlsx workbook is: name a ledger workbook .xlsx",
            named(ext)
        )),
        Some("json") => Ok(Form::Json),
        Some("jsonl" | "ndjson") => Ok(Form::Jsonl),
        Some("csv") if json => Err(format!(
            "{} but holds JSON: name decisions written by `policy run --format json` .json, and those of `--format jsonl` .jsonl",
            named("csv")
        )),
        Some("csv") => Ok(Form::Csv),
        _ if zip => Ok(Form::Workbook),
        _ if json => Err(
            "the file holds JSON, but its name does not say which kind: name decisions written by `policy run --format json` .json, and those of `--format jsonl` (one a line) .jsonl"
                .into(),
        ),
        // A ledger as it always was: CSV, whatever its name.
        _ => Ok(Form::Csv),
    }
}

/// A place on a line, at column 1 (a CSV row's)
fn at_line(line: usize) -> Pos {
    Pos { line, col: 1 }
}

// --- ledgers ---------------------------------------------------------------------------------

/// Where a header has the ledger's four columns, or the header column at fault and why
fn ledger_columns<'h>(
    header: impl IntoIterator<Item = &'h str>,
) -> Result<[usize; 4], (usize, String)> {
    let header: Vec<&str> = header.into_iter().map(str::trim).collect();
    let mut index = [usize::MAX; 4];
    for (k, (name, names)) in COLUMNS.iter().enumerate() {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| names.contains(h))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => index[k] = *i,
            // Two columns for one meaning (`amount` and `金额`): neither may silently win.
            [_, second, ..] => {
                let given: Vec<&str> = found.iter().map(|i| header[*i]).collect();
                return Err((
                    *second,
                    format!(
                        "the columns `{}` all stand for `{name}`: keep one",
                        given.join("`, `")
                    ),
                ));
            }
            [] => {
                return Err((
                    0,
                    format!(
                        "no `{name}` column (also written {}); a ledger has the columns applicant, clause, period and amount",
                        names[1..].join(" or ")
                    ),
                ))
            }
        }
    }
    Ok(index)
}

/// A ledger row's four cells (applicant, clause, period, amount) checked against the pack: the
/// payment, or which of the four is at fault and why
fn ledger_row(pack: &Pack, cells: [&str; 4]) -> Result<Paid, (usize, String)> {
    let applicant = same_applicant(cells[0]);
    if applicant.is_empty() {
        return Err((
            0,
            "`applicant` is empty: write the credit code or name the rules know the applicant by"
                .into(),
        ));
    }
    let clause = cells[1];
    if pack.clause(clause).is_none() {
        let hint = did_you_mean(clause, pack.clauses.iter().map(|c| c.id.as_str()));
        return Err((1, format!("`{clause}` is no clause of the pack{hint}")));
    }
    let period = match cells[2] {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| (2, format!("period `{p}` is not a whole year such as 2025")))?,
        ),
    };
    let amount = paid_amount(pack, cells[3]).map_err(|m| (3, m))?;
    Ok(Paid {
        applicant,
        clause: clause.to_string(),
        period,
        amount,
    })
}

/// An amount paid: yuan (`60万` understood), not negative, no finer than the pack pays
fn paid_amount(pack: &Pack, text: &str) -> Result<rust_decimal::Decimal, String> {
    match parse_param_value(text, Unit::Yuan) {
        Ok(Value::Decimal(d)) if d.normalize().scale() > pack.rounding.scale => Err(format!(
            "amount `{text}` has more decimals than the pack pays ({}): a ledger records amounts paid",
            pack.rounding.scale
        )),
        Ok(Value::Decimal(d)) if !d.is_sign_negative() => Ok(d),
        Ok(_) => Err(format!(
            "amount `{text}` is negative: a ledger records what was paid"
        )),
        Err(e) => Err(format!("amount `{text}`: {e}")),
    }
}

/// A CSV file: a ledger, or the decisions of `policy run --format csv` when its header starts
/// as theirs does
fn csv_payments(path: &Path, pack: &Pack, text: &str) -> Result<Vec<Paid>, LoadErrors> {
    let fail = |line: usize, message: String| {
        LoadErrors(vec![LoadError::new(path, Some(at_line(line)), message)])
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| fail(1, format!("CSV: {e}")))?
        .clone();
    let header: Vec<&str> = headers.iter().map(str::trim).collect();
    if header.len() >= DECISIONS_CSV.len() && header[..DECISIONS_CSV.len()] == DECISIONS_CSV {
        return earlier_payments(path, pack, csv_decisions(pack, &header, reader));
    }
    let index = ledger_columns(header.iter().copied()).map_err(|(_, m)| fail(1, m))?;
    let mut errors = LoadErrors::default();
    let mut paid = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                errors.push(LoadError::new(
                    path,
                    Some(at_line(line)),
                    format!("CSV: {e}"),
                ));
                // A row of the wrong length: the others are still checked; anything worse
                // (a stray quote) leaves nothing to trust after it.
                if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) && errors.len() < 100 {
                    continue;
                }
                break;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if paid.len() >= MAX_ROWS {
            errors.push(LoadError::new(
                path,
                Some(at_line(line)),
                format!("the ledger has more than {MAX_ROWS} payments, the most one may have"),
            ));
            break;
        }
        let cell = |k: usize| record.get(index[k]).unwrap_or("").trim();
        match ledger_row(pack, [cell(0), cell(1), cell(2), cell(3)]) {
            Ok(p) => paid.push(p),
            Err((_, message)) => errors.push(LoadError::new(path, Some(at_line(line)), message)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(paid)
}

/// `C12` for column 2 (from 0) of row 12, as a spreadsheet names the cell
fn cell_name(col: usize, row: usize) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// A ledger as the first sheet of a workbook: a header row, then a payment a row; each fault
/// with its row, column and cell
fn workbook_ledger(path: &Path, pack: &Pack, bytes: Vec<u8>) -> Result<Vec<Paid>, LoadErrors> {
    let at = |row: usize, col: usize, message: String| {
        LoadError::new(
            path,
            Some(Pos {
                line: row,
                col: col + 1,
            }),
            format!("cell {}: {message}", cell_name(col, row)),
        )
    };
    let bounds = Bounds {
        max_part: MAX_BYTES,
        // The header, the most payments, and one more to see whether there are more.
        max_rows: MAX_ROWS + 2,
    };
    let rows = workbook::read_sheet(std::io::Cursor::new(bytes), None, bounds)
        .map_err(|(pos, m)| LoadErrors(vec![LoadError::new(path, pos, m)]))?;
    let mut rows = rows.into_iter();
    let Some((head_row, header)) = rows.next() else {
        return Err(LoadErrors(vec![LoadError::new(
            path,
            None,
            "the first sheet is empty: a ledger has a header row (applicant, clause, period, amount) and a payment a row".into(),
        )]));
    };
    let header = header.dense();
    let index = ledger_columns(header.iter().map(String::as_str))
        .map_err(|(col, m)| LoadErrors(vec![at(head_row, col, m)]))?;
    let mut errors = LoadErrors::default();
    let mut paid = Vec::new();
    for (n, (row, cells)) in rows.enumerate() {
        if n >= MAX_ROWS {
            errors.push(LoadError::new(
                path,
                Some(at_line(row)),
                format!("the ledger has more than {MAX_ROWS} payments, the most one may have"),
            ));
            break;
        }
        let cell = |k: usize| cells.get(index[k]).map_or("", str::trim);
        match ledger_row(pack, [cell(0), cell(1), cell(2), cell(3)]) {
            Ok(p) => paid.push(p),
            Err((k, message)) => errors.push(at(row, index[k], message)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(paid)
}

// --- an earlier decisions output ---------------------------------------------------------------

/// One decision of an earlier output, as read
struct Earlier {
    pos: Pos,
    id: Option<String>,
    clause: Option<String>,
    status: String,
    amount: String,
    /// Whether the decision carries any of the pack's `applicant:` fields (as a key, or a
    /// column of the file)
    says_who: bool,
    /// The value of the first of them it has, not empty
    who: Option<String>,
    /// Whether it carries the pack's `period:` field
    says_period: bool,
    /// Its value, not empty
    period: Option<String>,
}

/// A decision read, or where it could not be and why
type Read = Result<Earlier, (Pos, String)>;

/// The statuses a decision may have, as written
const STATUSES: [&str; 5] = ["awarded", "ineligible", "capped", "superseded", "error"];

/// The payments an earlier decisions output records: its `awarded` and `capped` decisions of
/// more than nothing, each under the first of the pack's `applicant:` fields it has and in the
/// period its `period:` field gives. An id met twice is refused, unless the second is the
/// `error` decision a run gives an application whose id came before (it paid nothing).
fn earlier_payments(
    path: &Path,
    pack: &Pack,
    decisions: impl IntoIterator<Item = Read>,
) -> Result<Vec<Paid>, LoadErrors> {
    let fault = |pos: Pos, message: String| LoadError::new(path, Some(pos), message);
    if pack.applicant.is_empty() {
        return Err(LoadErrors(vec![LoadError::new(
            path,
            None,
            "a decisions output says who was paid by the pack's `applicant:` fields, and pack.yaml names none: give a ledger of applicant, clause, period and amount".into(),
        )]));
    }
    let fields = format!("`{}`", pack.applicant.join("`, `"));
    let mut errors = LoadErrors::default();
    let mut paid = Vec::new();
    let mut first_at: HashMap<String, usize> = HashMap::new();
    // Paid decisions that do not say who or when: (where, id), and how many were paid at all.
    let mut unsaid: Vec<(Pos, String)> = Vec::new();
    let mut paying = 0usize;
    for (n, decision) in decisions.into_iter().enumerate() {
        if n >= MAX_ROWS {
            let pos = match &decision {
                Ok(d) => d.pos,
                Err((pos, _)) => *pos,
            };
            errors.push(fault(
                pos,
                format!("the decisions output has more than {MAX_ROWS} decisions, the most read"),
            ));
            break;
        }
        let d = match decision {
            Ok(d) => d,
            Err((pos, message)) => {
                errors.push(fault(pos, message));
                continue;
            }
        };
        if !STATUSES.contains(&d.status.as_str()) {
            errors.push(fault(
                d.pos,
                format!(
                    "status `{}` is none of {}",
                    d.status,
                    STATUSES.map(|s| format!("`{s}`")).join(", ")
                ),
            ));
            continue;
        }
        let id = d.id.clone().unwrap_or_default();
        if let Some(id) = &d.id {
            match first_at.entry(id.clone()) {
                Entry::Vacant(v) => {
                    v.insert(d.pos.line);
                }
                // The error a run gives a repeated application pays nothing.
                Entry::Occupied(_) if d.status == "error" => {}
                Entry::Occupied(o) => {
                    errors.push(fault(
                        d.pos,
                        format!(
                            "decision `{id}` again (line {} has it already): a decisions output has one decision per application, so which one was paid cannot be told",
                            o.get()
                        ),
                    ));
                    continue;
                }
            }
        }
        if !matches!(d.status.as_str(), "awarded" | "capped") {
            continue;
        }
        let amount = match paid_amount(pack, d.amount.trim()) {
            Ok(a) if a.is_zero() => continue,
            Ok(a) => a,
            Err(m) => {
                errors.push(fault(d.pos, format!("decision `{id}`: {m}")));
                continue;
            }
        };
        paying += 1;
        let clause = d.clause.unwrap_or_default();
        if pack.clause(&clause).is_none() {
            let hint = did_you_mean(&clause, pack.clauses.iter().map(|c| c.id.as_str()));
            errors.push(fault(
                d.pos,
                format!("decision `{id}`: `{clause}` is no clause of the pack{hint}"),
            ));
            continue;
        }
        if !d.says_who || (pack.period.is_some() && !d.says_period) {
            unsaid.push((d.pos, id));
            continue;
        }
        let Some(applicant) = d.who else {
            errors.push(fault(
                d.pos,
                format!("decision `{id}` was paid, but {fields} are all empty: who was paid cannot be told"),
            ));
            continue;
        };
        let period = match d.period.as_deref().map(str::parse::<i64>) {
            None => None,
            Some(Ok(y)) => Some(y),
            Some(Err(_)) => {
                errors.push(fault(
                    d.pos,
                    format!(
                        "decision `{id}`: `{}` `{}` is not a whole year such as 2025",
                        pack.period.as_deref().unwrap_or("period"),
                        d.period.as_deref().unwrap_or("")
                    ),
                ));
                continue;
            }
        };
        paid.push(Paid {
            applicant,
            clause,
            period,
            amount,
        });
    }
    let wanted = match &pack.period {
        Some(p) => format!("{fields} and `{p}`"),
        None => fields.clone(),
    };
    if !unsaid.is_empty() && unsaid.len() == paying {
        // Written without them: say so once, and how to write one with them.
        let period = match &pack.period {
            Some(p) => format!(" nor its period (`{p}`)"),
            None => String::new(),
        };
        errors.push(LoadError::new(
            path,
            None,
            format!(
                "a decisions output without the applicant: each decision says which application was paid (its id), not who applied ({fields}: the pack's `applicant:` fields){period}. Write the earlier year's decisions with `policy run … --with-applicant`, which adds them, or give a ledger of applicant, clause, period and amount"
            ),
        ));
    } else {
        for (pos, id) in unsaid {
            errors.push(fault(
                pos,
                format!("decision `{id}` was paid, but does not carry {wanted}: who was paid, and when, cannot be told"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(paid)
}

/// A JSON value as the text of a field: `None` for null
fn json_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A field of a decision object by its dotted name: `applicant.name` as written
/// (`"applicant.name": …`) or nested (`"applicant": {"name": …}`)
fn json_field<'m>(object: &'m Map<String, Json>, name: &str) -> Option<&'m Json> {
    if let Some(v) = object.get(name) {
        return Some(v);
    }
    let mut parts = name.split('.');
    let mut v = object.get(parts.next()?)?;
    for part in parts {
        v = v.as_object()?.get(part)?;
    }
    Some(v)
}

/// A decision object read
fn json_decision(pack: &Pack, pos: Pos, object: &Map<String, Json>) -> Result<Earlier, String> {
    let status = match object.get("status") {
        Some(Json::String(s)) => s.clone(),
        Some(other) => return Err(format!("`status` is {other}, not a text such as `awarded`")),
        None => {
            return Err(
                "no `status`: this is no decision of `policy run` (is it an application?)".into(),
            )
        }
    };
    let amount = match object.get("amount") {
        Some(Json::String(s)) => s.clone(),
        Some(n @ Json::Number(_)) => n.to_string(),
        _ => {
            return Err(
                "no `amount`: a decision has its amount as a text such as `\"0.00\"`".into(),
            )
        }
    };
    let applicant: Vec<Option<&Json>> = pack
        .applicant
        .iter()
        .map(|f| json_field(object, f))
        .collect();
    let period = pack.period.as_deref().and_then(|p| json_field(object, p));
    Ok(Earlier {
        pos,
        id: object.get("id").and_then(json_text),
        clause: object.get("clause").and_then(json_text),
        status,
        amount,
        says_who: applicant.iter().any(Option::is_some),
        who: applicant.iter().flatten().find_map(|v| {
            let v = same_applicant(&json_text(v)?);
            (!v.is_empty()).then_some(v)
        }),
        says_period: period.is_some(),
        period: period
            .and_then(json_text)
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty()),
    })
}

/// The decisions of a `policy run --format json` document, each with its place
fn json_decisions(pack: &Pack, text: &str) -> Result<Vec<Read>, (Pos, String)> {
    #[derive(serde::Deserialize)]
    struct Document<'a> {
        #[serde(borrow)]
        decisions: Vec<&'a RawValue>,
    }
    if text.trim_start().starts_with('[') {
        return Err((
            Pos { line: 1, col: 1 },
            "a JSON array, where a decisions output of `policy run --format json` is an object with `pack`, `decisions` and `totals` (a history is no list of applications)".into(),
        ));
    }
    let document: Document<'_> = serde_json::from_str(text).map_err(|e| {
        (
            Pos {
                line: e.line().max(1),
                col: e.column().max(1),
            },
            format!("JSON: {e}; a decisions output of `policy run --format json` is an object with `pack`, `decisions` and `totals`"),
        )
    })?;
    // Each decision's place, from where its text lies in the document (in order).
    let base = text.as_ptr() as usize;
    let (mut line, mut line_start, mut seen) = (1usize, 0usize, 0usize);
    let mut out = Vec::with_capacity(document.decisions.len());
    for raw in document.decisions {
        let at = (raw.get().as_ptr() as usize)
            .saturating_sub(base)
            .clamp(seen, text.len());
        for nl in memchr::memchr_iter(b'\n', &text.as_bytes()[seen..at]) {
            line += 1;
            line_start = seen + nl + 1;
        }
        seen = at;
        let col = text
            .get(line_start..at)
            .map_or(1, |s| s.chars().count() + 1);
        let pos = Pos { line, col };
        out.push(match serde_json::from_str::<Map<String, Json>>(raw.get()) {
            Ok(object) => json_decision(pack, pos, &object).map_err(|m| (pos, m)),
            Err(e) => Err((pos, format!("a decision is a JSON object: {e}"))),
        });
    }
    Ok(out)
}

/// The decisions of a `policy run --format jsonl` file, one a line (blank lines aside)
fn jsonl_decisions<'t>(pack: &'t Pack, text: &'t str) -> impl Iterator<Item = Read> + 't {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let pos = at_line(i + 1);
            match serde_json::from_str::<Map<String, Json>>(l) {
                Ok(object) => json_decision(pack, pos, &object).map_err(|m| (pos, m)),
                Err(e) => Err((pos, format!("not a JSON object: {e}"))),
            }
        })
}

/// The decisions of a `policy run --format csv` file, its header already read
fn csv_decisions<'t>(
    pack: &'t Pack,
    header: &[&str],
    reader: csv::Reader<&'t [u8]>,
) -> impl Iterator<Item = Read> + 't {
    let column = |name: &str| header.iter().position(|h| *h == name);
    let applicant: Vec<usize> = pack.applicant.iter().filter_map(|f| column(f)).collect();
    let period = pack.period.as_deref().and_then(column);
    reader.into_records().map(move |record| {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            (at_line(line), format!("CSV: {e}"))
        })?;
        let pos = at_line(record.position().map_or(0, |p| p.line() as usize));
        let cell = |i: usize| {
            record
                .get(i)
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
        };
        Ok(Earlier {
            pos,
            id: cell(0),
            clause: cell(2),
            status: cell(3).unwrap_or_default(),
            amount: cell(4).unwrap_or_default(),
            says_who: !applicant.is_empty(),
            who: applicant.iter().find_map(|i| {
                let v = same_applicant(&cell(*i)?);
                (!v.is_empty()).then_some(v)
            }),
            says_period: period.is_some(),
            period: period.and_then(cell),
        })
    })
}
