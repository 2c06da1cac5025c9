//! Full-width punctuation where the syntax needs half-width: the mistake a drafter typing
//! with a Chinese input method makes most, and the one the parsers explain worst (YAML's
//! "mapping values are not allowed in this context" a line too late, Rhai's "Undefined
//! variable: award" for `award（…）`).
//!
//! Both scanners look only where the syntax is: in YAML, the indentation, list dashes, the
//! colon after a key and flow collections, never a value's text (`text: …（重点实验室…），…`
//! and `title: 奖励：说明` are Chinese written as it should be); in a script, the code outside
//! strings and comments. Each finding is the character's line and column (in characters, as
//! [`Pos`] counts them) and its half-width replacement.
//!
//! They are asked only after the parser has refused a file (see [`yaml_error`] and
//! [`compile`]): a file that parses is never second-guessed, so a value the scanner
//! misreads can never refuse a good pack.

use std::path::Path;

use crate::model::error::LoadError;
use crate::model::pos::Pos;
use crate::script::host::{Script, ScriptHost};

/// A full-width character where the syntax needs its half-width twin
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// Where the character is
    pub(crate) pos: Pos,
    /// The character found
    pub(crate) found: char,
    /// What to write instead
    pub(crate) fix: char,
    /// Whether it is wrong whatever the parser says (a full-width colon after a key on a
    /// line of its own), or only a likely cause of the parser's complaint on its line (a
    /// value between full-width quotes)
    certain: bool,
    /// Why the half-width one is needed, in Chinese and English
    why: (&'static str, &'static str),
}

/// The Chinese and English names of a full-width character the scanners report
fn names(c: char) -> Option<(&'static str, &'static str)> {
    Some(match c {
        '：' => ("冒号", "colon"),
        '，' => ("逗号", "comma"),
        '；' => ("分号", "semicolon"),
        '！' => ("感叹号", "exclamation mark"),
        '（' => ("左括号", "opening bracket"),
        '）' => ("右括号", "closing bracket"),
        '［' => ("左方括号", "opening square bracket"),
        '］' => ("右方括号", "closing square bracket"),
        '｛' => ("左花括号", "opening brace"),
        '｝' => ("右花括号", "closing brace"),
        '“' => ("左双引号", "opening quote"),
        '”' => ("右双引号", "closing quote"),
        '‘' => ("左单引号", "opening single quote"),
        '’' => ("右单引号", "closing single quote"),
        '＝' => ("等号", "equals sign"),
        '＜' => ("小于号", "less-than sign"),
        '＞' => ("大于号", "greater-than sign"),
        '＋' => ("加号", "plus sign"),
        '－' => ("减号（短横线）", "minus sign (dash)"),
        '\u{3000}' => ("空格", "space"),
        '０'..='９' => ("数字", "digit"),
        _ => return None,
    })
}

/// The half-width twin of a full-width character (quotes: the straight double quote)
fn half(c: char) -> Option<char> {
    Some(match c {
        '：' => ':',
        '，' => ',',
        '；' => ';',
        '！' => '!',
        '（' => '(',
        '）' => ')',
        '［' => '[',
        '］' => ']',
        '｛' => '{',
        '｝' => '}',
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        '＝' => '=',
        '＜' => '<',
        '＞' => '>',
        '＋' => '+',
        '－' => '-',
        '\u{3000}' => ' ',
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
        _ => return None,
    })
}

impl Finding {
    fn new(
        line: usize,
        col: usize,
        found: char,
        certain: bool,
        why: (&'static str, &'static str),
    ) -> Finding {
        Finding {
            pos: Pos { line, col },
            found,
            fix: half(found).unwrap_or(found),
            certain,
            why,
        }
    }

    /// `第14行第10列是全角冒号“：”，请改为半角冒号“:”` and why
    pub(crate) fn zh(&self) -> String {
        let Pos { line, col } = self.pos;
        let (name, _) = names(self.found).unwrap_or(("字符", "character"));
        // A quote is shown between 「」, where “” would hide it; the half-width quote has no
        // left or right.
        let quote = matches!(self.found, '“' | '”' | '‘' | '’');
        let (open, close) = if quote {
            ('「', '」')
        } else {
            ('“', '”')
        };
        let fixed = match self.fix {
            '"' => "双引号",
            '\'' => "单引号",
            _ => name,
        };
        let what = if self.found == '\u{3000}' {
            format!("第{line}行第{col}列是全角空格，请改为半角空格")
        } else {
            format!(
                "第{line}行第{col}列是全角{name}{open}{}{close}，请改为半角{fixed}{open}{}{close}",
                self.found, self.fix
            )
        };
        format!("{what}（{}）", self.why.0)
    }

    /// `line 14, column 10 is a full-width colon '：'; write a half-width ':'` and why
    pub(crate) fn en(&self) -> String {
        let Pos { line, col } = self.pos;
        let (_, name) = names(self.found).unwrap_or(("字符", "character"));
        let what = if self.found == '\u{3000}' {
            format!("line {line}, column {col} is a full-width space (U+3000); write a half-width space")
        } else {
            format!(
                "line {line}, column {col} is a full-width {name} '{}'; write a half-width '{}'",
                self.found, self.fix
            )
        };
        format!("{what} ({})", self.why.1)
    }
}

// --- YAML -------------------------------------------------------------------------------------

const KEY_COLON: (&str, &str) = (
    "YAML 的键后面要用半角冒号和一个空格，如 `value: 600000`",
    "a YAML key is followed by a half-width colon and a space, e.g. `value: 600000`",
);
const INDENT: (&str, &str) = (
    "YAML 的缩进只能用半角空格",
    "YAML indents with half-width spaces only",
);
const AFTER_COLON: (&str, &str) = (
    "YAML 的冒号后面要用半角空格",
    "a YAML colon is followed by a half-width space",
);
const KEY_SPACE: (&str, &str) = (
    "全角空格会成为键名的一部分",
    "a full-width space becomes part of the key's name",
);
const DASH: (&str, &str) = (
    "YAML 列表的每一项以半角短横线和一个空格开头，如 `- rd-platform`",
    "a YAML list item starts with a half-width dash and a space, e.g. `- rd-platform`",
);
const FLOW: (&str, &str) = (
    "YAML 的 [列表] 和 {映射} 要用半角括号和半角逗号，如 `[rd-platform, incubator]`",
    "a YAML [list] or {mapping} is written with half-width brackets and commas, e.g. `[rd-platform, incubator]`",
);
const QUOTE: (&str, &str) = (
    "YAML 用半角引号把值括起来；全角引号只是文字",
    "YAML quotes a value with half-width quotes; full-width quotes are just text",
);

/// What the YAML scanner carries from one line to the next
#[derive(Default)]
struct YamlState {
    /// In a block scalar (`|`, `>`): lines indented more than this are its text
    block_indent: Option<usize>,
    /// After a plain value: lines indented more than this continue it
    continues_past: Option<usize>,
    /// Inside a quoted scalar that goes on to the next line
    quote: Option<char>,
    /// The open flow collections (`[` or `{`), innermost last
    flow: Vec<char>,
    findings: Vec<Finding>,
}

/// Every full-width character found where YAML's syntax needs a half-width one, in order
pub(crate) fn scan_yaml(text: &str) -> Vec<Finding> {
    let mut st = YamlState::default();
    for (i, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        st.line(i + 1, &chars);
    }
    st.findings
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{3000}'
}

/// Whether `c` may be part of a key or a list item written in ASCII (`value`, `rd-platform`)
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

impl YamlState {
    fn find(
        &mut self,
        line: usize,
        at: usize,
        c: char,
        certain: bool,
        why: (&'static str, &'static str),
    ) {
        self.findings
            .push(Finding::new(line, at + 1, c, certain, why));
    }

    fn line(&mut self, n: usize, l: &[char]) {
        let mut at = 0;
        if let Some(q) = self.quote {
            match close_quote(l, 0, q) {
                Some(end) => {
                    self.quote = None;
                    at = end + 1;
                }
                None => return,
            }
        }
        if !self.flow.is_empty() {
            self.flow_from(n, l, at);
            return;
        }
        if at > 0 {
            return;
        }
        let content = l.iter().position(|c| !is_blank(*c));
        let Some(start) = content else {
            return;
        };
        if l[start] == '#' {
            return;
        }
        // YAML indents with half-width spaces: a full-width one starts the line's text.
        let indent = l.iter().take_while(|c| **c == ' ').count();
        if let Some(b) = self.block_indent {
            if indent > b {
                return;
            }
            self.block_indent = None;
        }
        if let Some(c) = self.continues_past {
            if indent > c {
                return;
            }
            self.continues_past = None;
        }
        if let Some(i) = l[..start].iter().position(|c| *c == '\u{3000}') {
            self.find(n, i, '\u{3000}', true, INDENT);
        }
        // List dashes, `- ` or `- - `; a full-width one is a dash written wrong.
        let mut at = start;
        let mut item = false;
        let mut dash = start;
        while at < l.len()
            && matches!(l[at], '-' | '－')
            && l.get(at + 1).is_none_or(|c| is_blank(*c))
        {
            if l[at] == '－' {
                self.find(n, at, '－', true, DASH);
            }
            item = true;
            dash = at;
            at += 1;
            while at < l.len() && is_blank(l[at]) {
                at += 1;
            }
        }
        if at >= l.len() {
            return;
        }
        // The column a key's value, or an item's, must be indented past to go on
        let node = at;
        let item_node = if item { dash } else { at };
        // A key, or an item's text: up to its colon
        if matches!(l[at], '"' | '\'') {
            match close_quote(l, at + 1, l[at]) {
                Some(end) => at = end + 1,
                None => {
                    self.quote = Some(l[at]);
                    return;
                }
            }
            match key_colon(l, at) {
                Some(colon) => self.value(n, l, colon + 1, node),
                None => self.continues_past = Some(item_node),
            }
            return;
        }
        if matches!(l[at], '[' | '{' | '［' | '｛' | '“' | '‘' | '|' | '>') {
            self.value(n, l, at, item_node);
            return;
        }
        // The key ends at the first half-width `: ` (or `:` at the end); a full-width colon
        // before it is the key's colon written wrong, when the line is a key's: a line of a
        // mapping (never an item's text, `- 奖励：说明`, unless the item is an ASCII word).
        let mut i = at;
        while i < l.len() {
            let c = l[i];
            if c == '#' && i > at && is_blank(l[i - 1]) {
                return;
            }
            if c == ':' {
                match l.get(i + 1) {
                    None | Some(' ' | '\t') => {
                        if let Some(k) = (at..i).rev().find(|k| l[*k] != ' ' && l[*k] != '\t') {
                            if l[k] == '\u{3000}' {
                                self.find(n, k, '\u{3000}', true, KEY_SPACE);
                            }
                        }
                        self.value(n, l, i + 1, node);
                        return;
                    }
                    Some('\u{3000}') => {
                        self.find(n, i + 1, '\u{3000}', true, AFTER_COLON);
                        self.value(n, l, i + 2, node);
                        return;
                    }
                    _ => {}
                }
            }
            if c == '：' {
                let key = &l[at..i];
                if !item || (!key.is_empty() && key.iter().all(|c| is_word(*c))) {
                    self.find(n, i, '：', true, KEY_COLON);
                    self.value(n, l, i + 1, node);
                }
                return;
            }
            i += 1;
        }
        // A line of text: an item's, or the start of a value that goes on
        self.continues_past = Some(item_node);
    }

    /// A value from `at` (after its key's colon) of the node starting at column `node`
    fn value(&mut self, n: usize, l: &[char], mut at: usize, node: usize) {
        while at < l.len() && is_blank(l[at]) {
            at += 1;
        }
        let Some(&c) = l.get(at) else {
            return;
        };
        let end = l[at..]
            .iter()
            .rposition(|c| !is_blank(*c))
            .map_or(at, |e| at + e);
        match c {
            '#' => {}
            '|' | '>' => self.block_indent = Some(node),
            '"' | '\'' => match close_quote(l, at + 1, c) {
                Some(e) => self.flow_from(n, l, e + 1),
                None => self.quote = Some(c),
            },
            '[' | '{' => self.flow_from(n, l, at),
            // A value between full-width brackets is a flow collection written wrong
            '［' | '｛' => {
                let closer = if c == '［' { '］' } else { '｝' };
                if l[end] == closer && end > at {
                    self.find(n, at, c, true, FLOW);
                }
            }
            // Between full-width quotes: text, which YAML may refuse for what it holds
            '“' | '‘' => {
                let closer = if c == '“' { '”' } else { '’' };
                if l[end] == closer && end > at {
                    self.find(n, at, c, false, QUOTE);
                }
                self.continues_past = Some(node);
            }
            _ => self.continues_past = Some(node),
        }
    }

    /// Inside `[…]` or `{…}`, from `at`: commas between ASCII words, closing brackets and a
    /// mapping's colons must be half-width
    fn flow_from(&mut self, n: usize, l: &[char], mut at: usize) {
        while at < l.len() {
            let c = l[at];
            match c {
                '#' if at == 0 || is_blank(l[at - 1]) => return,
                '"' | '\'' if !self.flow.is_empty() => match close_quote(l, at + 1, c) {
                    Some(e) => at = e,
                    None => {
                        self.quote = Some(c);
                        return;
                    }
                },
                '[' | '{' => self.flow.push(c),
                ']' | '}' => {
                    self.flow.pop();
                }
                '，' if !self.flow.is_empty() => {
                    let before = l[..at].iter().rev().find(|c| !is_blank(**c));
                    let after = l[at + 1..].iter().find(|c| !is_blank(**c));
                    if before.is_some_and(|c| is_word(*c)) && after.is_some_and(|c| is_word(*c)) {
                        self.find(n, at, c, true, FLOW);
                    }
                }
                '］' | '｝' if !self.flow.is_empty() => {
                    let open = if c == '］' { '[' } else { '{' };
                    let last = l[at + 1..].iter().all(|c| is_blank(*c));
                    if self.flow.last() == Some(&open) && last {
                        self.find(n, at, c, true, FLOW);
                    }
                }
                '：' if self.flow.last() == Some(&'{') => {
                    let key = l[..at]
                        .iter()
                        .rev()
                        .take_while(|c| !matches!(c, ',' | '{'))
                        .filter(|c| !is_blank(**c))
                        .collect::<Vec<_>>();
                    if !key.is_empty() && key.iter().all(|c| is_word(**c)) {
                        self.find(n, at, c, true, FLOW);
                    }
                }
                _ => {}
            }
            at += 1;
        }
    }
}

/// The index of the quote that closes a scalar opened with `q`, searching from `from`
fn close_quote(l: &[char], from: usize, q: char) -> Option<usize> {
    let mut i = from;
    while i < l.len() {
        if q == '"' && l[i] == '\\' {
            i += 2;
            continue;
        }
        if l[i] == q {
            // `''` inside a single-quoted scalar is one quote
            if q == '\'' && l.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The colon that ends a quoted key (`"a b": 1`), if any
fn key_colon(l: &[char], at: usize) -> Option<usize> {
    let mut i = at;
    while i < l.len() && is_blank(l[i]) {
        i += 1;
    }
    (l.get(i) == Some(&':') && l.get(i + 1).is_none_or(|c| is_blank(*c))).then_some(i)
}

/// The error for a YAML file the parser refused (or whose values could not be read) at
/// `pos`: a full-width character where the syntax needs a half-width one, when the scanner
/// finds one that explains it, else the parser's own message (`message`, in English).
///
/// Which finding explains it: a certain one (a full-width colon after a key, a full-width
/// space in the indentation…) on or before the line the parser complained of, since the
/// parser often notices a line late; a likely one (a value between full-width quotes) only on
/// that line or the one before. A finding after the complaint is left alone: the parser saw
/// something else wrong first.
pub(crate) fn yaml_error(
    path: &Path,
    text: &str,
    pos: Option<crate::model::pos::Pos>,
    message: String,
    message_zh: Option<String>,
) -> LoadError {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let found = scan_yaml(text).into_iter().find(|f| match pos {
        None => f.certain,
        Some(p) if f.certain => f.pos.line <= p.line,
        Some(p) => f.pos.line <= p.line && f.pos.line + 1 >= p.line,
    });
    match found {
        Some(f) => LoadError::both(
            path,
            Some(f.pos),
            format!("YAML 语法：{}", f.zh()),
            format!("YAML syntax: {}", f.en()),
        ),
        None => match message_zh {
            Some(zh) => LoadError::both(path, pos, zh, message),
            None => LoadError::new(path, pos, message),
        },
    }
}

// --- scripts ----------------------------------------------------------------------------------

const SCRIPT: (&str, &str) = (
    "脚本中的括号、引号、标点和数字都要用半角，只有引号里的文字可以用全角",
    "a script's brackets, quotes, punctuation and digits are half-width; only the text between quotes may be full-width",
);
const CLOSING: (&str, &str) = (
    "这段文字以半角引号“\"”开头，也要以半角引号结尾",
    "this text opens with a half-width quote '\"' and must close with one",
);

/// What the script scanner is inside
#[derive(Clone, Copy, PartialEq)]
enum In {
    /// Code, with the `{` opened in it not yet closed (inside a template's `${…}`)
    Code(usize),
    /// A template string between backquotes
    Template,
}

/// The first full-width character in a script's code (outside strings and comments), or the
/// full-width quote that closes a string opened with a half-width one
pub(crate) fn scan_rhai(src: &str) -> Option<Finding> {
    let chars: Vec<char> = src.chars().collect();
    let (mut line, mut col) = (1, 1);
    let mut stack = vec![In::Code(0)];
    let mut i = 0;
    // Moves past `k` characters, keeping the line and column
    let step = |i: &mut usize, line: &mut usize, col: &mut usize, k: usize| {
        for _ in 0..k {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *col = 1;
            } else {
                *col += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let top = *stack.last().unwrap_or(&In::Code(0));
        match top {
            In::Template => match c {
                '\\' => {
                    step(&mut i, &mut line, &mut col, 2);
                    continue;
                }
                '`' => {
                    stack.pop();
                }
                '$' if next == Some('{') => {
                    stack.push(In::Code(0));
                    step(&mut i, &mut line, &mut col, 2);
                    continue;
                }
                _ => {}
            },
            In::Code(depth) => match c {
                '/' if next == Some('/') => {
                    while i < chars.len() && chars[i] != '\n' {
                        step(&mut i, &mut line, &mut col, 1);
                    }
                    continue;
                }
                '/' if next == Some('*') => {
                    let mut nested = 0usize;
                    while i < chars.len() {
                        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                            nested += 1;
                            step(&mut i, &mut line, &mut col, 2);
                        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                            nested -= 1;
                            step(&mut i, &mut line, &mut col, 2);
                            if nested == 0 {
                                break;
                            }
                        } else {
                            step(&mut i, &mut line, &mut col, 1);
                        }
                    }
                    continue;
                }
                '"' => {
                    // A string ends at the next unescaped `"` on its line (a `\` at the end
                    // of a line goes on to the next). One that does not, but has a
                    // full-width closing quote, was closed with the wrong one.
                    step(&mut i, &mut line, &mut col, 1);
                    let mut last_curly = None;
                    loop {
                        match chars.get(i) {
                            None | Some('\n') => {
                                return last_curly
                                    .map(|(l, c, ch)| Finding::new(l, c, ch, true, CLOSING));
                            }
                            Some('\\') => step(&mut i, &mut line, &mut col, 2),
                            Some('"') => {
                                step(&mut i, &mut line, &mut col, 1);
                                break;
                            }
                            Some(&q @ ('”' | '“')) => {
                                last_curly = Some((line, col, q));
                                step(&mut i, &mut line, &mut col, 1);
                            }
                            Some(_) => step(&mut i, &mut line, &mut col, 1),
                        }
                    }
                    continue;
                }
                '\'' => {
                    // A character literal: up to the next `'` on the line
                    step(&mut i, &mut line, &mut col, 1);
                    while let Some(&ch) = chars.get(i) {
                        if ch == '\n' {
                            break;
                        }
                        let k = if ch == '\\' { 2 } else { 1 };
                        step(&mut i, &mut line, &mut col, k);
                        if ch == '\'' {
                            break;
                        }
                    }
                    continue;
                }
                '`' => stack.push(In::Template),
                '{' => {
                    if let Some(In::Code(d)) = stack.last_mut() {
                        *d += 1;
                    }
                }
                '}' => {
                    if depth == 0 && stack.len() > 1 {
                        stack.pop();
                    } else if let Some(In::Code(d)) = stack.last_mut() {
                        *d = d.saturating_sub(1);
                    }
                }
                _ if names(c).is_some() || matches!(c, '［' | '］' | '｛' | '｝') => {
                    let mut f = Finding::new(line, col, c, true, SCRIPT);
                    // Rhai's text is between double quotes, whichever quote was meant
                    if matches!(c, '‘' | '’') {
                        f.fix = '"';
                    }
                    return Some(f);
                }
                _ => {}
            },
        }
        step(&mut i, &mut line, &mut col, 1);
    }
    None
}

/// Compiles a clause script as [`ScriptHost::compile`] does; when it does not compile and a
/// full-width character in its code explains why, the error says which and where. Any such
/// character is wrong (Rhai's code is ASCII outside its strings and comments), and fixing it
/// comes before anything Rhai says about the code around it.
pub(crate) fn compile(host: &ScriptHost, path: &Path, source: String) -> Result<Script, LoadError> {
    match host.compile(path, source.clone()) {
        Ok(s) => Ok(s),
        Err(e) => match scan_rhai(&source) {
            Some(f) => Err(LoadError::both(
                path,
                Some(f.pos),
                format!("脚本语法：{}", f.zh()),
                format!("script syntax: {}", f.en()),
            )),
            None => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<(usize, usize, char)> {
        scan_yaml(text)
            .first()
            .map(|f| (f.pos.line, f.pos.col, f.found))
    }

    #[test]
    fn a_full_width_colon_after_a_key() {
        let doc = "id: rd\nparameters:\n  national:\n    value：600000\n    unit: yuan\n";
        assert_eq!(first(doc), Some((4, 10, '：')));
        let f = &scan_yaml(doc)[0];
        assert_eq!(
            f.zh(),
            "第4行第10列是全角冒号“：”，请改为半角冒号“:”（YAML 的键后面要用半角冒号和一个空格，如 `value: 600000`）"
        );
        assert!(f
            .en()
            .starts_with("line 4, column 10 is a full-width colon '：'; write a half-width ':'"));
        // At the end of the file, and with a space after it
        assert_eq!(first("id: rd\nkind： x"), Some((2, 5, '：')));
        // An item that is an ASCII word is a key written wrong
        assert_eq!(first("rank_by:\n  - field：score\n"), Some((2, 10, '：')));
    }

    #[test]
    fn chinese_text_in_values_is_left_alone() {
        let doc = "\
text: 对新认定的国家级、省级研发平台（重点实验室、技术创新中心等），分别给予200万元、40万元奖励。
title: 奖励：说明
notes: “就高不重复”：同一项目
reason: \"引号里：可以\"
quoted: '单引号里：也可以'
values: [国家级，省级]
list:
  - 奖励：说明
  - 第一行
    第二行：续写
  - |
    块：也是
    value：1
  - “带引号”的文字
block: |
  块里：随便写
  － 也可以
  　全角空格也行
folded: >-
  折叠：也是
plain: 第一行
  第二行：续写
  　续写
# 注释：里面
after: 1 # 注释：里面
";
        assert_eq!(scan_yaml(doc), vec![]);
    }

    #[test]
    fn full_width_spaces_where_yaml_needs_half_width() {
        assert_eq!(first("id: rd\n　title: x\n"), Some((2, 1, '\u{3000}')));
        assert_eq!(first("a:\n  b:\n 　c: 1\n"), Some((3, 2, '\u{3000}')));
        assert_eq!(first("id:　rd\n"), Some((1, 4, '\u{3000}')));
        assert_eq!(first("id　: rd\n"), Some((1, 3, '\u{3000}')));
        let f = &scan_yaml("id: rd\n　title: x\n")[0];
        assert_eq!(
            f.zh(),
            "第2行第1列是全角空格，请改为半角空格（YAML 的缩进只能用半角空格）"
        );
    }

    #[test]
    fn full_width_dashes_brackets_and_commas() {
        assert_eq!(first("per:\n  － applicant.name\n"), Some((2, 3, '－')));
        assert_eq!(first("per: ［applicant.name］\n"), Some((1, 6, '［')));
        assert_eq!(first("per: [a.b，c]\n"), Some((1, 10, '，')));
        assert_eq!(first("per: [a.b, c］\n"), Some((1, 13, '］')));
        assert_eq!(first("x: {from: 1, value：2}\n"), Some((1, 19, '：')));
        // A flow list over lines
        assert_eq!(first("per: [\n  a，\n  b]\n"), None);
        assert_eq!(first("per: [\n  a，b]\n"), Some((2, 4, '，')));
    }

    #[test]
    fn full_width_quotes_are_only_a_likely_cause() {
        let f = &scan_yaml("title: “a: b”\n")[0];
        assert_eq!((f.pos.line, f.pos.col, f.certain), (1, 8, false));
    }

    #[test]
    fn the_parser_error_is_kept_when_nothing_explains_it() {
        let p = Path::new("c.yaml");
        // A certain finding on or before the complaint explains it…
        let e = yaml_error(
            p,
            "a: 1\nb：2\nc: 3\n",
            Some(Pos { line: 3, col: 2 }),
            "x".into(),
            None,
        );
        assert_eq!(e.pos, Some(Pos { line: 2, col: 2 }));
        assert!(e.message_zh.is_some());
        // …one after it does not
        let e = yaml_error(
            p,
            "a: [\nb: 1\nc：2\n",
            Some(Pos { line: 2, col: 2 }),
            "x".into(),
            None,
        );
        assert_eq!(
            (e.pos, e.message.as_str()),
            (Some(Pos { line: 2, col: 2 }), "x")
        );
        // A likely one only on the line complained of, or the one before
        let text = "t: “a: b”\nx: 1\ny: 2\nz: [\n";
        let e = yaml_error(p, text, Some(Pos { line: 1, col: 6 }), "x".into(), None);
        assert_eq!(e.pos, Some(Pos { line: 1, col: 4 }));
        let e = yaml_error(p, text, Some(Pos { line: 4, col: 1 }), "x".into(), None);
        assert_eq!(e.message, "x");
    }

    fn rhai(src: &str) -> Option<(usize, usize, char, char)> {
        scan_rhai(src).map(|f| (f.pos.line, f.pos.col, f.found, f.fix))
    }

    #[test]
    fn full_width_in_script_code() {
        assert_eq!(
            rhai("let a = 1;\naward（a, \"x\")"),
            Some((2, 6, '（', '('))
        );
        assert_eq!(rhai("award(1, “奖励”)"), Some((1, 10, '“', '"')));
        assert_eq!(rhai("award(1, ‘奖励’)"), Some((1, 10, '‘', '"')));
        assert_eq!(rhai("let a = １;"), Some((1, 9, '１', '1')));
        assert_eq!(rhai("let a = 1；"), Some((1, 10, '；', ';')));
        assert_eq!(rhai("if a ＞ 1 { }"), Some((1, 6, '＞', '>')));
        assert_eq!(rhai("let a =\u{3000}1;"), Some((1, 8, '\u{3000}', ' ')));
    }

    #[test]
    fn a_string_closed_with_a_full_width_quote() {
        let f = scan_rhai("award(1, \"奖励“优秀”单位”)\nx").unwrap();
        assert_eq!((f.pos.line, f.pos.col, f.found, f.fix), (1, 19, '”', '"'));
        assert!(
            f.zh()
                .starts_with("第1行第19列是全角右双引号「”」，请改为半角双引号「\"」"),
            "{}",
            f.zh()
        );
    }

    #[test]
    fn strings_comments_and_templates_are_text() {
        let src = "// 注释（全角）：随便\n/* 块（注释）/* 嵌套： */ ！ */\nlet a = \"文字（全角）：“引号”\";\nlet b = 'x';\naward(1, `模板（${yuan(a)}）元：${ if a == \"x\" { \"（\" } else { \"）\" } }`)";
        assert_eq!(rhai(src), None);
        // Code inside `${…}` is code
        assert_eq!(rhai("award(1, `元 ${yuan（1)}`)"), Some((1, 19, '（', '(')));
    }

    /// Every YAML file and script of the bundled packs is clean: the scanners find nothing
    /// in a file the parsers accept.
    #[test]
    fn the_bundled_packs_have_nothing_to_report() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies"),
            &mut files,
        );
        let mut seen = 0;
        for f in files {
            let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            match ext {
                "yaml" => assert_eq!(super::scan_yaml(&text), vec![], "{}", f.display()),
                "rhai" => assert_eq!(super::scan_rhai(&text), None, "{}", f.display()),
                _ => continue,
            }
            seen += 1;
        }
        assert!(seen > 20, "{seen}");
    }
}
