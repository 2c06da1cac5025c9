//! The decisions as an Excel workbook: a `decisions` sheet and a `totals` sheet.

use policy_engine::{Decision, Pack, Totals};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::csv::LINE_COLUMNS;
use super::stream::{decision_fields, CSV_HEADER};

/// Whether an amount has at most 15 significant digits, the precision of an Excel number
fn fits_excel(text: &str) -> bool {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .trim_start_matches('0')
        .trim_end_matches('0')
        .len()
        <= 15
}

/// An amount in a cell: an Excel number shown as `money` where it fits, else its exact text
fn write_amount(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: Decimal,
    money: &Format,
) -> Result<(), XlsxError> {
    let text = d.to_string();
    // The only float in the program: Excel stores numbers as floats, and a decimal of at
    // most 15 significant digits converts and prints back exactly.
    match text.parse::<f64>() {
        Ok(f) if fits_excel(&text) => ws.write_number_with_format(row, col, f, money).map(|_| ()),
        _ => ws.write_string(row, col, &text).map(|_| ()),
    }
}

/// The decisions as a workbook: a `decisions` sheet and a `totals` sheet. Amounts are Excel numbers (shown with two decimals) where Excel can hold
/// them exactly, which is any amount of up to 15 significant digits; others are written as
/// text rather than rounded.
pub fn decisions_workbook(
    pack: &Pack,
    decisions: &[Decision],
    totals: &Totals,
) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let amount =
        |ws: &mut Worksheet, row: u32, col: u16, d: Decimal| write_amount(ws, row, col, d, &money);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("decisions")?;
    for (c, h) in CSV_HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, d) in decisions.iter().enumerate() {
        let row = i as u32 + 1;
        // As they are: a string cell is text to Excel whatever it starts with.
        let fields = decision_fields(d);
        for (c, v) in fields.iter().enumerate() {
            if c == 4 {
                amount(ws, row, 4, d.amount)?;
            } else {
                ws.write_string(row, c as u16, v)?;
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("totals")?;
    for (c, h) in ["clause", "article", "applications", "awarded", "amount"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1u32;
    for c in &pack.clauses {
        let mine: Vec<&Decision> = decisions
            .iter()
            .filter(|d| d.clause.as_deref() == Some(c.id.as_str()))
            .collect();
        let awarded: Vec<&&Decision> = mine
            .iter()
            .filter(|d| d.status == policy_engine::Status::Awarded)
            .collect();
        let sum = policy_engine::awarded_total(mine.iter().copied(), pack.rounding);
        ws.write_string(row, 0, &c.id)?;
        ws.write_string(row, 1, &c.article)?;
        ws.write_number(row, 2, mine.len() as f64)?;
        ws.write_number(row, 3, awarded.len() as f64)?;
        amount(ws, row, 4, sum)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "total", &bold)?;
    ws.write_number(row, 2, totals.applications as f64)?;
    ws.write_number(row, 3, totals.awarded as f64)?;
    amount(ws, row, 4, totals.amount)?;
    wb.save_to_buffer()
}

/// One comparison as a workbook, for the what-if page's download: `by_clause`, `by_year` and
/// `largest` sheets, amounts written as [`decisions_workbook`] writes them
pub fn comparison_workbook(c: &policy_engine::ScenarioComparison) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let amount =
        |ws: &mut Worksheet, row: u32, col: u16, d: Decimal| write_amount(ws, row, col, d, &money);
    let mut wb = Workbook::new();
    let mut lines_sheet =
        |name: &str, lines: &[&policy_engine::BudgetLine]| -> Result<(), XlsxError> {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            for (c, h) in LINE_COLUMNS.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold)?;
            }
            for (i, l) in lines.iter().enumerate() {
                let row = i as u32 + 1;
                ws.write_string(row, 0, &l.key)?;
                ws.write_number(row, 1, l.baseline_awarded as f64)?;
                ws.write_number(row, 2, l.scenario_awarded as f64)?;
                amount(ws, row, 3, l.baseline_amount)?;
                amount(ws, row, 4, l.scenario_amount)?;
                amount(ws, row, 5, l.change)?;
                if let Some(p) = l.percent {
                    ws.write_string(row, 6, p.to_string())?;
                }
            }
            Ok(())
        };
    let mut by_clause: Vec<&policy_engine::BudgetLine> = c.by_clause.iter().collect();
    by_clause.push(&c.total);
    lines_sheet("by_clause", &by_clause)?;
    lines_sheet("by_year", &c.by_year.iter().collect::<Vec<_>>())?;
    let ws = wb.add_worksheet();
    ws.set_name("largest")?;
    for (col, h) in [
        "id",
        "clause",
        "baseline_status",
        "scenario_status",
        "baseline_amount",
        "scenario_amount",
        "change",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, a) in c.largest.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, a.id.as_deref().unwrap_or_default())?;
        ws.write_string(row, 1, a.clause.as_deref().unwrap_or_default())?;
        ws.write_string(row, 2, a.baseline_status.as_str())?;
        ws.write_string(row, 3, a.scenario_status.as_str())?;
        amount(ws, row, 4, a.baseline_amount)?;
        amount(ws, row, 5, a.scenario_amount)?;
        amount(ws, row, 6, a.change)?;
    }
    wb.save_to_buffer()
}
