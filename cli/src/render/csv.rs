//! CSV for spreadsheets: the comparisons, sweeps and targets, a row a line of their tables.

use policy_engine::{Pack, Progress, ScenarioComparison, SweepPoint};

use super::comparison_word;

/// A text cell as a spreadsheet must not take it for a formula: one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a `'` in front (what Excel and LibreOffice read
/// as "this is text"), so an id like `=HYPERLINK(…)` opens as the text it is. A cell that is a
/// number as written (`-5`, `+3.20`, `1e3` is not one) is left as it is: a spreadsheet reads
/// it as that number, never as a formula.
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !plain_number(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// `-5`, `+3.20`, `-0.5`: a sign, digits, at most one point between digits
fn plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn csv_text(rows: Vec<Vec<String>>) -> Result<String, String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r.iter().map(|c| cell(c).into_owned()))
            .map_err(|e| format!("error: cannot write CSV: {e}"))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| format!("error: cannot write CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("error: cannot write CSV: {e}"))
}

/// The columns of a line of a comparison's table (by clause, by year, largest), as the CSV
/// and the workbook both head them
pub const LINE_COLUMNS: [&str; 7] = [
    "key",
    "baseline_awarded",
    "scenario_awarded",
    "baseline_amount",
    "scenario_amount",
    "change",
    "percent",
];

pub fn comparisons_csv(comparisons: &[ScenarioComparison]) -> Result<String, String> {
    let mut rows = vec![["scenario", "group"]
        .into_iter()
        .chain(LINE_COLUMNS)
        .map(String::from)
        .collect::<Vec<_>>()];
    for c in comparisons {
        let groups = c
            .by_clause
            .iter()
            .map(|l| ("clause", l))
            .chain(c.by_year.iter().map(|l| ("year", l)))
            .chain(std::iter::once(("total", &c.total)));
        for (group, l) in groups {
            rows.push(vec![
                c.scenario.clone(),
                group.to_string(),
                l.key.clone(),
                l.baseline_awarded.to_string(),
                l.scenario_awarded.to_string(),
                l.baseline_amount.to_string(),
                l.scenario_amount.to_string(),
                l.change.to_string(),
                l.percent.map(|p| p.to_string()).unwrap_or_default(),
            ]);
        }
    }
    csv_text(rows)
}

pub fn sweep_csv(pack: &Pack, points: &[SweepPoint]) -> Result<String, String> {
    let mut header = vec!["value".to_string(), "awarded".into(), "amount".into()];
    header.extend(pack.clauses.iter().map(|c| c.id.clone()));
    let mut rows = vec![header];
    for p in points {
        let mut row = vec![p.value.clone(), p.awarded.to_string(), p.amount.to_string()];
        row.extend(p.by_clause.iter().map(|c| c.amount.to_string()));
        rows.push(row);
    }
    csv_text(rows)
}

pub fn targets_csv(progress: &[Progress]) -> Result<String, String> {
    let mut rows = vec![[
        "id",
        "title",
        "target",
        "comparison",
        "unit",
        "by",
        "reached",
        "percent",
        "met",
    ]
    .map(String::from)
    .to_vec()];
    for p in progress {
        rows.push(vec![
            p.id.clone(),
            p.title.clone(),
            p.target.to_string(),
            comparison_word(p.comparison).to_string(),
            p.unit.clone(),
            p.by.map(|b| b.to_string()).unwrap_or_default(),
            p.reached.map(|r| r.to_string()).unwrap_or_default(),
            p.percent.map(|x| x.to_string()).unwrap_or_default(),
            p.met.map(|m| m.to_string()).unwrap_or_default(),
        ]);
    }
    csv_text(rows)
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formula_cells_are_text_and_numbers_stay_numbers() {
        for (given, written) in [
            (
                "=HYPERLINK(\"http://x\",\"点此\")",
                "'=HYPERLINK(\"http://x\",\"点此\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-A12", "'-A12"),
            ("-", "'-"),
            ("-5", "-5"),
            ("+3.20", "+3.20"),
            ("-0.5", "-0.5"),
            ("A-1", "A-1"),
            ("苏州=1", "苏州=1"),
            ("", ""),
        ] {
            assert_eq!(cell(given), written, "{given:?}");
        }
    }
}
