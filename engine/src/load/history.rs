//! Reading a ledger of earlier payments (`--history`): a CSV file with the columns `applicant`,
//! `clause`, `period` and `amount` (or 申报单位, 条款, 年度, 金额), checked against the pack.

use std::path::Path;

use crate::load::params::parse_param_value;
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

/// Reads and checks the ledger at `path` for `pack`: every clause known, every period a whole
/// year, every amount yuan (`60万` understood) and not negative; every fault with its line
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
    let text =
        std::fs::read_to_string(path).map_err(|e| fail(None, format!("cannot read: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let at_line = |line: u64| {
        Some(Pos {
            line: line as usize,
            col: 1,
        })
    };
    let headers = reader
        .headers()
        .map_err(|e| fail(at_line(1), format!("CSV: {e}")))?
        .clone();
    let mut index = [usize::MAX; 4];
    for (k, (name, names)) in COLUMNS.iter().enumerate() {
        let found: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| names.contains(&h.trim()))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => index[k] = *i,
            // Two columns for one meaning (`amount` and `金额`): neither may silently win.
            [_, _, ..] => {
                let given: Vec<&str> = found.iter().filter_map(|i| headers.get(*i)).collect();
                return Err(fail(
                    at_line(1),
                    format!(
                        "the columns `{}` all stand for `{name}`: keep one",
                        given.join("`, `")
                    ),
                ));
            }
            [] => {
                return Err(fail(
                    at_line(1),
                    format!(
                        "no `{name}` column (also written {}); a ledger has the columns applicant, clause, period and amount",
                        names[1..].join(" or ")
                    ),
                ))
            }
        }
    }
    let mut errors = LoadErrors::default();
    let mut paid = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(LoadError::new(path, at_line(line), format!("CSV: {e}")));
                // A row of the wrong length: the others are still checked; anything worse
                // (a stray quote) leaves nothing to trust after it.
                if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) && errors.len() < 100 {
                    continue;
                }
                break;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if paid.len() >= MAX_ROWS {
            errors.push(LoadError::new(
                path,
                at_line(line),
                format!("the ledger has more than {MAX_ROWS} payments, the most one may have"),
            ));
            break;
        }
        let cell = |k: usize| record.get(index[k]).unwrap_or("").trim();
        let mut bad = |message: String| errors.push(LoadError::new(path, at_line(line), message));
        let applicant = same_applicant(cell(0));
        if applicant.is_empty() {
            bad("`applicant` is empty: write the credit code or name the rules know the applicant by".into());
            continue;
        }
        let clause = cell(1);
        if pack.clause(clause).is_none() {
            let hint = did_you_mean(clause, pack.clauses.iter().map(|c| c.id.as_str()));
            bad(format!("`{clause}` is no clause of the pack{hint}"));
            continue;
        }
        let period = match cell(2) {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(y) => Some(y),
                Err(_) => {
                    bad(format!("period `{p}` is not a whole year such as 2025"));
                    continue;
                }
            },
        };
        let amount = match parse_param_value(cell(3), Unit::Yuan) {
            Ok(Value::Decimal(d)) if d.normalize().scale() > pack.rounding.scale => {
                bad(format!(
                    "amount `{}` has more decimals than the pack pays ({}): a ledger records amounts paid",
                    cell(3),
                    pack.rounding.scale
                ));
                continue;
            }
            Ok(Value::Decimal(d)) if !d.is_sign_negative() => d,
            Ok(_) => {
                bad(format!(
                    "amount `{}` is negative: a ledger records what was paid",
                    cell(3)
                ));
                continue;
            }
            Err(e) => {
                bad(format!("amount `{}`: {e}", cell(3)));
                continue;
            }
        };
        paid.push(Paid {
            applicant,
            clause: clause.to_string(),
            period,
            amount,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(History::new(paid))
}
