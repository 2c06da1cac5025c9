//! Reading a ledger of earlier payments (`--history`): the columns `applicant`, `clause`,
//! `period` and `amount` (or 申报单位, 条款, 年度, 金额), as CSV or as the first sheet of an
//! `.xlsx` workbook (told by its name, or by its first bytes), checked against the pack.

use std::path::Path;

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

/// The most payments a ledger may record: far above any real record, and a bound on the memory
/// a ledger of tiny rows could take
const MAX_ROWS: usize = 5_000_000;

/// The column names a ledger may use for each of its four columns
const COLUMNS: [(&str, &[&str]); 4] = [
    ("applicant", &["applicant", "申报单位", "单位"]),
    ("clause", &["clause", "条款"]),
    ("period", &["period", "year", "年度"]),
    ("amount", &["amount", "金额", "金额（元）"]),
];

/// The forms a ledger can take
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// CSV with a header row
    Csv,
    /// The first sheet of an `.xlsx` workbook
    Workbook,
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
            format!("the ledger is {size} bytes, over the {MAX_BYTES} a ledger may have"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(None, format!("cannot read: {e}")))?;
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
    Ok(History::new(csv_payments(path, pack, text)?))
}

/// The form of a ledger, from its name and its first bytes
fn form_of(path: &Path, bytes: &[u8]) -> Result<Form, String> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx") if zip => Ok(Form::Workbook),
        Some("xlsx") => Err(
            "the file is named .xlsx but is no workbook (not a zip archive, as an .xlsx file is)"
                .into(),
        ),
        Some("csv") if zip => Err(
            "the file is named .csv but is a zip archive, as an .xlsx workbook is: name a ledger workbook .xlsx"
                .into(),
        ),
        _ if zip => Ok(Form::Workbook),
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

/// A ledger as CSV: a header row, then a payment a line
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
    let index = ledger_columns(headers.iter()).map_err(|(_, m)| fail(1, m))?;
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
        let cell = |k: usize| cells.get(index[k]).map_or("", |c| c.trim());
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
