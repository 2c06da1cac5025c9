//! Plain-text tables whose columns line up with Chinese text.
//!
//! Widths are display columns (a CJK character takes two), not bytes or characters.

use unicode_width::UnicodeWidthStr;

/// `cell` with its control characters (and bidirectional overrides) written as escapes
fn visible(cell: String) -> String {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !cell.chars().any(hidden) {
        return cell;
    }
    cell.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if hidden(c) => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// How a column's cells sit in it
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table: a header, rows, and an alignment per column
pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[(&str, Align)]) -> Table {
        Table {
            header: header.iter().map(|(h, _)| h.to_string()).collect(),
            align: header.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row. A control character in a cell (a line break or an escape sequence in an
    /// application's id) is shown as an escape (`\n`, `\u{1b}`): written raw it could forge
    /// a row of the table or recolour the terminal.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(visible).collect());
    }

    /// Renders with two spaces between columns and a rule under the header; the last column
    /// is not padded, so long reasons do not drag trailing spaces
    pub fn render(&self) -> String {
        let n = self.header.len();
        let mut widths = vec![0usize; n];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate().take(n) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        let line = |row: &Vec<String>, out: &mut String| {
            let mut text = String::new();
            for (i, cell) in row.iter().enumerate().take(n) {
                let pad = widths[i].saturating_sub(cell.width());
                let last = i + 1 == n;
                if i > 0 {
                    text.push_str("  ");
                }
                match self.align[i] {
                    Align::Right => {
                        text.push_str(&" ".repeat(pad));
                        text.push_str(cell);
                    }
                    Align::Left => {
                        text.push_str(cell);
                        if !last {
                            text.push_str(&" ".repeat(pad));
                        }
                    }
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&self.header, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, &mut out);
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_lines_up() {
        let mut t = Table::new(&[
            ("名称", Align::Left),
            ("金额", Align::Right),
            ("x", Align::Left),
        ]);
        t.row(vec!["宿州某公司".into(), "1.00".into(), "a".into()]);
        t.row(vec!["ab".into(), "200000.00".into(), "b".into()]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2], "宿州某公司       1.00  a");
        assert_eq!(lines[3], "ab          200000.00  b");
    }
}
