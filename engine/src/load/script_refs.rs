//! Finds what a clause script reads — `params.<name>` and `app.<field>` chains — so that a
//! misspelt parameter or field is an error when the pack is checked, not when an application
//! happens to reach that line.
//!
//! A small scanner rather than Rhai's AST: walking the AST needs rhai's unstable `internals`
//! feature. The scanner skips comments and string literals, and scans code inside `${…}` of
//! template strings.

use crate::model::pos::Pos;

/// One read found in a script: the root (`params` or `app`), the property chain, and where the
/// first property starts
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub(crate) root: &'static str,
    pub(crate) chain: Vec<String>,
    pub(crate) pos: Pos,
}

struct Scanner {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
}

impl Scanner {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0) {
            if c.is_alphanumeric() || c == '_' {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
        s
    }

    fn skip_spaces(&mut self) {
        while self.peek(0).is_some_and(|c| c == ' ' || c == '\t') {
            self.bump();
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Where a script calls `award(…)` or `ineligible(…)`: the outcomes a test can reach
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallSite {
    pub(crate) name: &'static str,
    pub(crate) pos: Pos,
}

/// Every `params.x` and `app.a.b` read in a script's code
pub(crate) fn references(source: &str) -> Vec<Reference> {
    scan(source).0
}

/// Every `award(` and `ineligible(` call in a script's code
pub(crate) fn outcome_sites(source: &str) -> Vec<CallSite> {
    scan(source).1
}

fn scan(source: &str) -> (Vec<Reference>, Vec<CallSite>) {
    let mut s = Scanner {
        chars: source.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    let mut out = Vec::new();
    let mut calls = Vec::new();
    // Each entry is the brace depth at which a `${` opened inside a template string.
    let mut templates: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut prev_significant: Option<char> = None;
    while let Some(c) = s.peek(0) {
        match c {
            '/' if s.peek(1) == Some('/') => {
                while s.peek(0).is_some_and(|c| c != '\n') {
                    s.bump();
                }
            }
            '/' if s.peek(1) == Some('*') => {
                let mut nest = 0usize;
                while let Some(c) = s.bump() {
                    if c == '/' && s.peek(0) == Some('*') {
                        s.bump();
                        nest += 1;
                    } else if c == '*' && s.peek(0) == Some('/') {
                        s.bump();
                        nest = nest.saturating_sub(1);
                        if nest == 0 {
                            break;
                        }
                    }
                }
            }
            '"' | '\'' => {
                s.bump();
                while let Some(d) = s.bump() {
                    if d == '\\' {
                        s.bump();
                    } else if d == c {
                        break;
                    }
                }
                prev_significant = Some(c);
            }
            '`' => {
                s.bump();
                if scan_template_text(&mut s) {
                    templates.push(depth);
                    depth += 1;
                }
                prev_significant = Some('`');
            }
            '{' => {
                s.bump();
                depth += 1;
                prev_significant = Some('{');
            }
            '}' => {
                s.bump();
                depth = depth.saturating_sub(1);
                if templates.last() == Some(&depth) {
                    templates.pop();
                    // Back in the template's text after `${…}`.
                    if scan_template_text(&mut s) {
                        templates.push(depth);
                        depth += 1;
                    }
                }
                prev_significant = Some('}');
            }
            c if is_ident_start(c) => {
                let at = s.pos();
                let word = s.ident();
                if (word == "award" || word == "ineligible") && prev_significant != Some('.') {
                    let mut k = 0;
                    while s.peek(k).is_some_and(|c| c == ' ' || c == '\t') {
                        k += 1;
                    }
                    if s.peek(k) == Some('(') {
                        let name = if word == "award" {
                            "award"
                        } else {
                            "ineligible"
                        };
                        calls.push(CallSite { name, pos: at });
                    }
                }
                let is_root = (word == "params" || word == "app") && prev_significant != Some('.');
                prev_significant = Some('a');
                if !is_root || s.peek(0) != Some('.') {
                    continue;
                }
                let root = if word == "params" { "params" } else { "app" };
                let mut chain = Vec::new();
                let mut pos = None;
                while s.peek(0) == Some('.') && s.peek(1).is_some_and(is_ident_start) {
                    s.bump();
                    let at = s.pos();
                    let prop = s.ident();
                    s.skip_spaces();
                    if s.peek(0) == Some('(') {
                        // A method call such as `.to_string()` ends the chain.
                        break;
                    }
                    pos.get_or_insert(at);
                    chain.push(prop);
                    if root == "params" {
                        break;
                    }
                }
                if let (Some(pos), false) = (pos, chain.is_empty()) {
                    out.push(Reference { root, chain, pos });
                }
            }
            c => {
                s.bump();
                if !c.is_whitespace() {
                    prev_significant = Some(c);
                }
            }
        }
    }
    (out, calls)
}

/// Skips template text up to its closing backtick (false) or an opening `${` (true)
fn scan_template_text(s: &mut Scanner) -> bool {
    while let Some(c) = s.bump() {
        match c {
            '\\' => {
                s.bump();
            }
            '`' => return false,
            '$' if s.peek(0) == Some('{') => {
                s.bump();
                return true;
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<String> {
        references(src)
            .into_iter()
            .map(|r| format!("{}.{}", r.root, r.chain.join(".")))
            .collect()
    }

    #[test]
    fn finds_reads_in_code_and_templates_only() {
        let src = r#"// params.in_comment
/* app.in_block /* nested */ still */
let x = "params.in_string";
if app.applicant.in_city && app.score.to_string() != "" {
    award(params.rate * 2, `计 ${yuan(params.cap)} 元 params.in_text ${app.year}`)
}
let y = other.params.not_root;
"#;
        assert_eq!(
            names(src),
            vec![
                "app.applicant.in_city",
                "app.score",
                "params.rate",
                "params.cap",
                "app.year"
            ]
        );
    }

    #[test]
    fn finds_outcome_call_sites() {
        let src = "// award(1)\nif x { return ineligible(\"a\"); }\naward (1, `award(${y})`)";
        let sites: Vec<String> = outcome_sites(src)
            .iter()
            .map(|c| format!("{}@{}:{}", c.name, c.pos.line, c.pos.col))
            .collect();
        assert_eq!(sites, ["ineligible@2:15", "award@3:1"]);
    }

    #[test]
    fn positions_point_at_the_property() {
        let r = references("let a = 1;\n  award(params.nationl, \"x\")");
        assert_eq!(r[0].pos, Pos { line: 2, col: 16 });
    }
}
