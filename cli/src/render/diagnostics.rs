//! Pack errors and warnings as diagnostics, for people or (as JSON) for editors.
//!
//! For people: the source line and a caret under the column.

use serde::Serialize;

use policy_engine::{Lang, LoadError, LoadErrors};

use crate::messages::{self as m, resolve};

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

fn diagnostic(severity: &'static str, e: &LoadError, lang: Lang) -> Diagnostic {
    let text = e.message_in(lang);
    let (message, hint) = match text.split_once("; did you mean") {
        Some((m, rest)) => (m.to_string(), Some(format!("did you mean{rest}"))),
        None => (text.to_string(), None),
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

/// The pack a file of it belongs to: the nearest folder above it with a pack.yaml
fn pack_dir_of(file: &std::path::Path) -> Option<&std::path::Path> {
    file.ancestors()
        .skip(1)
        .take(4)
        .find(|d| d.join("pack.yaml").is_file())
}

/// Errors and warnings, human or JSON, in English
pub fn diagnostics(errors: &[LoadError], warnings: &[LoadError], format: ErrorFormat) -> String {
    diagnostics_in(errors, warnings, format, Some(Lang::En))
}

/// Errors and warnings, human or JSON, in the language `given` (`--lang` or the environment),
/// else the language of the pack they are about
pub fn diagnostics_in(
    errors: &[LoadError],
    warnings: &[LoadError],
    format: ErrorFormat,
    given: Option<Lang>,
) -> String {
    let first = errors.iter().chain(warnings).next();
    let pack = first
        .and_then(|e| pack_dir_of(&e.file))
        .and_then(policy_engine::pack_language);
    let lang = resolve(given, pack);
    if format == ErrorFormat::Json {
        let all: Vec<Diagnostic> = errors
            .iter()
            .map(|e| diagnostic("error", e, lang))
            .chain(warnings.iter().map(|w| diagnostic("warning", w, lang)))
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
    let (error, warning) = (m::SEVERITY_ERROR.get(lang), m::SEVERITY_WARNING.get(lang));
    for (severity, e) in errors
        .iter()
        .map(|e| (error, e))
        .chain(warnings.iter().map(|w| (warning, w)))
    {
        let place = match e.pos {
            Some(p) => format!("{}:{p}", e.file.display()),
            None => e.file.display().to_string(),
        };
        out.push_str(&format!("{severity}: {place}: {}\n", e.message_in(lang)));
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
    let count = |n: usize, one: &m::Msg, many: &m::Msg| {
        if n == 1 {
            one.get(lang).to_string()
        } else {
            many.fill(lang, &[&n])
        }
    };
    let comma = lang.pick("，", ", ");
    match (errors.len(), warnings.len()) {
        (e, 0) => out.push_str(&count(e, &m::ERRORS_ONE, &m::ERRORS_MANY)),
        (0, w) => out.push_str(&count(w, &m::WARNINGS_ONE, &m::WARNINGS_MANY)),
        (e, w) => out.push_str(&format!(
            "{}{comma}{}",
            count(e, &m::ERRORS_ONE, &m::ERRORS_MANY),
            count(w, &m::WARNINGS_ONE, &m::WARNINGS_MANY)
        )),
    }
    out
}

/// Pack errors, as [`diagnostics`] writes them (in English)
pub fn load_errors(errors: &LoadErrors, format: ErrorFormat) -> String {
    diagnostics(&errors.0, &[], format)
}

/// Pack errors, as [`diagnostics_in`] writes them
pub fn load_errors_in(errors: &LoadErrors, format: ErrorFormat, given: Option<Lang>) -> String {
    diagnostics_in(&errors.0, &[], format, given)
}
