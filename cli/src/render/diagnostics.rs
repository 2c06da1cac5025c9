//! Pack errors and warnings as diagnostics, for people or (as JSON) for editors.
//!
//! For people: the source line and a caret under the column.

use serde::Serialize;

use policy_engine::{LoadError, LoadErrors};

use super::to_json;

/// How errors and warnings about packs are written
#[derive(Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// `error: file:line:col: message`, the source line and a caret
    #[default]
    Human,
    /// One JSON document of diagnostics, for editors and other tools
    Json,
}

/// One diagnostic for the JSON error format
#[derive(Serialize)]
struct Diagnostic {
    severity: &'static str,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    hint: Option<String>,
    source: Option<String>,
}

fn source_line(e: &LoadError) -> Option<String> {
    let pos = e.pos?;
    let text = std::fs::read_to_string(&e.file).ok()?;
    text.lines()
        .nth(pos.line.saturating_sub(1))
        .map(str::to_string)
}

fn diagnostic(severity: &'static str, e: &LoadError) -> Diagnostic {
    let (message, hint) = match e.message.split_once("; did you mean") {
        Some((m, rest)) => (m.to_string(), Some(format!("did you mean{rest}"))),
        None => (e.message.clone(), None),
    };
    Diagnostic {
        severity,
        file: e.file.display().to_string(),
        line: e.pos.map(|p| p.line),
        column: e.pos.map(|p| p.col),
        message,
        hint,
        source: source_line(e),
    }
}

/// Errors and warnings, human or JSON
pub fn diagnostics(errors: &[LoadError], warnings: &[LoadError], format: ErrorFormat) -> String {
    if format == ErrorFormat::Json {
        let all: Vec<Diagnostic> = errors
            .iter()
            .map(|e| diagnostic("error", e))
            .chain(warnings.iter().map(|w| diagnostic("warning", w)))
            .collect();
        #[derive(Serialize)]
        struct Doc {
            errors: usize,
            warnings: usize,
            diagnostics: Vec<Diagnostic>,
        }
        return to_json(&Doc {
            errors: errors.len(),
            warnings: warnings.len(),
            diagnostics: all,
        })
        .unwrap_or_default()
        .trim_end()
        .to_string();
    }
    let mut out = String::new();
    for (severity, e) in errors
        .iter()
        .map(|e| ("error", e))
        .chain(warnings.iter().map(|w| ("warning", w)))
    {
        out.push_str(&format!("{severity}: {e}\n"));
        let (Some(pos), Some(line)) = (e.pos, source_line(e)) else {
            continue;
        };
        let number = pos.line.to_string();
        let gutter = " ".repeat(number.len());
        // The caret sits under the column, counted in display width (CJK is two wide).
        let before: String = line.chars().take(pos.col.saturating_sub(1)).collect();
        let indent = unicode_width::UnicodeWidthStr::width(before.as_str());
        out.push_str(&format!(
            "{gutter} |\n{number} | {line}\n{gutter} | {}^\n",
            " ".repeat(indent)
        ));
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors.len(), warnings.len()) {
        (e, 0) => out.push_str(&plural(e, "error")),
        (0, w) => out.push_str(&plural(w, "warning")),
        (e, w) => out.push_str(&format!("{}, {}", plural(e, "error"), plural(w, "warning"))),
    }
    out
}

/// Pack errors, as [`diagnostics`] writes them
pub fn load_errors(errors: &LoadErrors, format: ErrorFormat) -> String {
    diagnostics(&errors.0, &[], format)
}
