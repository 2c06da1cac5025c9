//! Warnings about a pack that loads: legal, but most likely a mistake (a parameter never
//! read, a kind no clause decides, an amount the clause's text does not mention …).

use rust_decimal::Decimal;

use std::path::Path;

use crate::load::references::key_pos;
use crate::load::script_refs::{Found, Reference};
use crate::load::yaml::{self, Node, YamlLimits};
use crate::model::bands::BandUnit;
use crate::model::date::Date;
use crate::model::error::LoadError;
use crate::model::pack::{Clause, DatedValue, Kind, Parameter, Unit};
use crate::model::value::Value;
use crate::script::host::Script;

/// Mistakes that still load: a parameter nothing reads, a kind no clause decides, a ratio
/// above 100%, a ratio or count awarded as if it were money
pub(crate) fn lint(
    pack_path: &Path,
    pack_node: &Option<Node>,
    kinds: &[Kind],
    clauses: &[Clause],
    scripts: &[Script],
) -> Vec<LoadError> {
    let mut warnings = Vec::new();
    for k in kinds {
        if !clauses.iter().any(|c| c.kind == k.name) {
            warnings.push(LoadError::new(
                pack_path,
                key_pos(pack_node, &["kinds", &k.name]),
                format!(
                    "kind `{}` is decided by no clause: its applications will be errors",
                    k.name
                ),
            ));
        }
    }
    for (c, script) in clauses.iter().zip(scripts) {
        let source = c.script_source();
        let found = crate::load::script_refs::find(script.ast());
        let read = refs_read(&found.references);
        let meta: Option<Node> = std::fs::read_to_string(&c.meta_path)
            .ok()
            .and_then(|t| yaml::parse(&t, YamlLimits::default()).ok());
        for p in c.parameters.iter() {
            lint_parameter(c, p, &read, &meta, &mut warnings);
        }
        lint_award_units(c, source, &found, &mut warnings);
    }
    warnings
}

/// Whether a clause's text states a value: `200万` or `2000000` for yuan, `10%` for a ratio
fn text_mentions(text: &str, v: Decimal, unit: Unit) -> bool {
    let squeezed = squeeze(text);
    // A sentence that states no figure at all cannot be out of date with one.
    if !squeezed.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let candidates: Vec<String> = match unit {
        Unit::Yuan => {
            let mut c = vec![v.normalize().to_string()];
            let wan = v / Decimal::from(10_000);
            c.push(format!("{}万", wan.normalize()));
            let yi = v / Decimal::from(100_000_000);
            c.push(format!("{}亿", yi.normalize()));
            c
        }
        Unit::Ratio => match v.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => vec![format!("{}%", p.normalize())],
            None => Vec::new(),
        },
        // Dates are not decimals; `date_mentioned` looks for them. A band table's figures are
        // looked for one by one, each in its unit (`lint_bands`).
        Unit::Count | Unit::Number | Unit::Date | Unit::Bands => vec![v.normalize().to_string()],
    };
    candidates.iter().any(|c| squeezed.contains(c.as_str()))
}

/// Whether a clause's text states a date: `2026年12月31日` or `2026-12-31`
fn date_mentioned(text: &str, d: Date) -> bool {
    let squeezed = squeeze(text);
    if !squeezed.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let (y, m, day) = d.ymd();
    [
        format!("{y}年{m}月{day}日"),
        format!("{y}年{m:02}月{day:02}日"),
        d.to_string(),
    ]
    .iter()
    .any(|c| squeezed.contains(c.as_str()))
}

/// Whitespace does not count when a clause's text is looked up in its source
pub(crate) fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether a clause's `text` is found word for word in a source document: the check the loader
/// makes of every clause (and settlement rule), with whitespace not counting on either side, so
/// that a line break in the source or a space in the text changes nothing. For tools that
/// write a clause and want to refuse a text before the pack fails to load.
pub fn text_in_source(source: &str, text: &str) -> bool {
    squeeze(source).contains(&squeeze(text))
}

/// The parameters a script reads (`params.x`)
fn refs_read(refs: &[Reference]) -> Vec<&str> {
    refs.iter()
        .filter(|r| r.root == "params")
        .filter_map(|r| r.chain.first().map(String::as_str))
        .collect()
}

/// One parameter: read by the script or the engine, mentioned by the clause's quoted text, a
/// ratio no more than 1
fn lint_parameter(
    c: &Clause,
    p: &Parameter,
    read: &[&str],
    meta: &Option<Node>,
    warnings: &mut Vec<LoadError>,
) {
    let read_by_script = read.contains(&p.name.as_str());
    let read_by_engine =
        c.cap.as_ref() == Some(&p.name) || c.count_limit.as_ref().is_some_and(|l| l.max == p.name);
    if !read_by_script && !read_by_engine {
        warnings.push(LoadError::new(
            &c.meta_path,
            key_pos(meta, &["parameters", &p.name]),
            format!(
                "parameter `{}.{}` is never read: not by {}, not as `cap` or `count_limit`",
                c.id,
                p.name,
                c.script_path()
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        ));
    }
    if let [DatedValue {
        from: None,
        value: Value::Decimal(v),
    }] = p.values.as_slice()
    {
        if !text_mentions(&c.text, *v, p.unit) {
            warnings.push(LoadError::new(
                &c.meta_path,
                key_pos(meta, &["parameters", &p.name]),
                format!(
                    "`{}.{}` is {}, which the clause's quoted text does not mention: the value or the quoted sentence is out of date",
                    c.id,
                    p.name,
                    p.show(&Value::Decimal(*v))
                ),
            ));
        }
    }
    if let [DatedValue {
        from: None,
        value: Value::Int(n),
    }] = p.values.as_slice()
    {
        if !text_mentions(&c.text, Decimal::from(*n), Unit::Count) {
            warnings.push(LoadError::new(
                &c.meta_path,
                key_pos(meta, &["parameters", &p.name]),
                format!(
                    "`{}.{}` is {n}, which the clause's quoted text does not mention: the value or the quoted sentence is out of date",
                    c.id, p.name
                ),
            ));
        }
    }
    if let [DatedValue {
        from: None,
        value: Value::Date(d),
    }] = p.values.as_slice()
    {
        if !date_mentioned(&c.text, *d) {
            warnings.push(LoadError::new(
                &c.meta_path,
                key_pos(meta, &["parameters", &p.name]),
                format!(
                    "`{}.{}` is {d}, which the clause's quoted text does not mention (as {} or {d}): the value or the quoted sentence is out of date",
                    c.id,
                    p.name,
                    {
                        let (y, m, day) = d.ymd();
                        format!("{y}年{m}月{day}日")
                    }
                ),
            ));
        }
    }
    lint_bands(c, p, meta, warnings);
    if p.unit == Unit::Ratio {
        for d in &p.values {
            if let Value::Decimal(v) = &d.value {
                if *v > Decimal::ONE {
                    warnings.push(LoadError::new(
                        &c.meta_path,
                        key_pos(meta, &["parameters", &p.name]),
                        format!(
                            "ratio `{}.{}` is {v}, above 1 (100%): a share is written 0.10 for 10%",
                            c.id, p.name
                        ),
                    ));
                }
            }
        }
    }
}

/// A band table: its figures stated by the clause's quoted text (a plain table; a threshold of
/// 0 goes without saying), and its rates no more than 1
fn lint_bands(c: &Clause, p: &Parameter, meta: &Option<Node>, warnings: &mut Vec<LoadError>) {
    let at = || key_pos(meta, &["parameters", &p.name]);
    if let [DatedValue {
        from: None,
        value: Value::Bands(b),
    }] = p.values.as_slice()
    {
        let figures = b.bands.iter().flat_map(|band| {
            [(band.from, b.of), (band.value, b.gives)]
                .into_iter()
                .filter(|(v, _)| !v.is_zero())
        });
        let unstated: Vec<String> = figures
            .filter(|(v, unit)| !text_mentions(&c.text, *v, Unit::from(*unit)))
            .map(|(v, _)| v.normalize().to_string())
            .collect();
        if !unstated.is_empty() {
            warnings.push(LoadError::new(
                &c.meta_path,
                at(),
                format!(
                    "`{}.{}` has {}, which the clause's quoted text does not mention: the table or the quoted sentence is out of date",
                    c.id,
                    p.name,
                    unstated.join(", ")
                ),
            ));
        }
    }
    for d in &p.values {
        let Value::Bands(b) = &d.value else {
            continue;
        };
        if b.gives != BandUnit::Ratio {
            continue;
        }
        for (i, band) in b.bands.iter().enumerate() {
            if band.value > Decimal::ONE {
                warnings.push(LoadError::new(
                    &c.meta_path,
                    at(),
                    format!(
                        "band {} of `{}.{}` gives {}, above 1 (100%): a share is written 0.08 or 8%",
                        i + 1,
                        c.id,
                        p.name,
                        band.value
                    ),
                ));
            }
        }
    }
}

/// `award(params.x, …)` where x is not money pays a ratio or a count as yuan
fn lint_award_units(c: &Clause, source: &str, found: &Found, warnings: &mut Vec<LoadError>) {
    for site in found.outcome_sites.iter().filter(|s| s.name == "award") {
        let Some(line) = source.lines().nth(site.pos.line.saturating_sub(1)) else {
            continue;
        };
        let after: String = line
            .chars()
            .skip(site.pos.col.saturating_sub(1) + "award".len())
            .collect();
        let arg = after.trim_start().trim_start_matches('(').trim_start();
        let Some(rest) = arg.strip_prefix("params.") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
            .collect();
        if let Some(p) = c.parameter(&name) {
            if p.unit != Unit::Yuan {
                warnings.push(LoadError::new(
                    c.script_path(),
                    Some(site.pos),
                    format!(
                        "awards `params.{name}` as an amount, but its unit is {} (not yuan)",
                        p.unit.name()
                    ),
                ));
            }
        }
    }
}
