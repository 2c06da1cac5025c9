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
            let kind = &k.name;
            warnings.push(LoadError::both(
                pack_path,
                key_pos(pack_node, &["kinds", kind]),
                format!("申报类别 `{kind}` 没有条款处理：这类申报都会是“有错误”"),
                format!("kind `{kind}` is decided by no clause: its applications will be errors"),
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
        let (id, name) = (&c.id, &p.name);
        let script = c
            .script_path()
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        warnings.push(LoadError::both(
            &c.meta_path,
            key_pos(meta, &["parameters", name]),
            format!("参数 `{id}.{name}` 没有被用到：{script} 没有读取它，它也不是 `cap` 或 `count_limit`"),
            format!("parameter `{id}.{name}` is never read: not by {script}, not as `cap` or `count_limit`"),
        ));
    }
    if let [DatedValue {
        from: None,
        value: Value::Decimal(v),
    }] = p.values.as_slice()
    {
        if !text_mentions(&c.text, *v, p.unit) {
            let (id, name, shown) = (&c.id, &p.name, p.show(&Value::Decimal(*v)));
            warnings.push(LoadError::both(
                &c.meta_path,
                key_pos(meta, &["parameters", name]),
                format!("`{id}.{name}` 是 {shown}，条款引用的原文中没有这个数：取值或引用的原文已经过时"),
                format!("`{id}.{name}` is {shown}, which the clause's quoted text does not mention: the value or the quoted sentence is out of date"),
            ));
        }
    }
    if let [DatedValue {
        from: None,
        value: Value::Int(n),
    }] = p.values.as_slice()
    {
        if !text_mentions(&c.text, Decimal::from(*n), Unit::Count) {
            let (id, name) = (&c.id, &p.name);
            warnings.push(LoadError::both(
                &c.meta_path,
                key_pos(meta, &["parameters", name]),
                format!("`{id}.{name}` 是 {n}，条款引用的原文中没有这个数：取值或引用的原文已经过时"),
                format!("`{id}.{name}` is {n}, which the clause's quoted text does not mention: the value or the quoted sentence is out of date"),
            ));
        }
    }
    if let [DatedValue {
        from: None,
        value: Value::Date(d),
    }] = p.values.as_slice()
    {
        if !date_mentioned(&c.text, *d) {
            let (id, name) = (&c.id, &p.name);
            let (y, m, day) = d.ymd();
            let written = format!("{y}年{m}月{day}日");
            warnings.push(LoadError::both(
                &c.meta_path,
                key_pos(meta, &["parameters", name]),
                format!("`{id}.{name}` 是 {d}，条款引用的原文中没有这个日期（{written} 或 {d}）：取值或引用的原文已经过时"),
                format!("`{id}.{name}` is {d}, which the clause's quoted text does not mention (as {written} or {d}): the value or the quoted sentence is out of date"),
            ));
        }
    }
    lint_bands(c, p, meta, warnings);
    if p.unit == Unit::Ratio {
        for d in &p.values {
            if let Value::Decimal(v) = &d.value {
                if *v > Decimal::ONE {
                    let (id, name) = (&c.id, &p.name);
                    warnings.push(LoadError::both(
                        &c.meta_path,
                        key_pos(meta, &["parameters", name]),
                        format!("比例 `{id}.{name}` 是 {v}，大于 1（100%）：10% 应写作 0.10 或 10%"),
                        format!("ratio `{id}.{name}` is {v}, above 1 (100%): a share is written 0.10 for 10%"),
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
            let (id, name) = (&c.id, &p.name);
            let (zh, en) = (unstated.join("、"), unstated.join(", "));
            warnings.push(LoadError::both(
                &c.meta_path,
                at(),
                format!("`{id}.{name}` 中的 {zh} 在条款引用的原文中没有出现：分档表或引用的原文已经过时"),
                format!("`{id}.{name}` has {en}, which the clause's quoted text does not mention: the table or the quoted sentence is out of date"),
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
                let (n, id, name, v) = (i + 1, &c.id, &p.name, band.value);
                warnings.push(LoadError::both(
                    &c.meta_path,
                    at(),
                    format!("`{id}.{name}` 第 {n} 档的取值是 {v}，大于 1（100%）：8% 应写作 0.08 或 8%"),
                    format!("band {n} of `{id}.{name}` gives {v}, above 1 (100%): a share is written 0.08 or 8%"),
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
                let unit = p.unit.name();
                warnings.push(LoadError::both(
                    c.script_path(),
                    Some(site.pos),
                    format!(
                        "把 `params.{name}` 作为金额发放，但它的单位是 {unit}，不是 yuan（元）"
                    ),
                    format!(
                        "awards `params.{name}` as an amount, but its unit is {unit} (not yuan)"
                    ),
                ));
            }
        }
    }
}
