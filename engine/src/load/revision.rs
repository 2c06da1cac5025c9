//! What a revision of a pack changed, as the side-by-side table (修改对照表) drafters circulate
//! during a consultation: one row per changed item, the old text beside the new.

use serde::Serialize;

use crate::model::pack::{Clause, Pack, Parameter};
use crate::model::value::Value;

/// One changed item
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// The clause, or `None` for the pack as a whole
    pub clause: Option<String>,
    /// The clause's article (new one where it exists)
    pub article: Option<String>,
    /// What changed: `parameter provincial`, `text`, `script`, `clause` …
    pub item: String,
    /// Before; empty when added
    pub old: String,
    /// After; empty when removed
    pub new: String,
}

fn row(clause: Option<&Clause>, item: &str, old: String, new: String) -> Revision {
    Revision {
        clause: clause.map(|c| c.id.clone()),
        article: clause.map(|c| c.article.clone()),
        item: item.to_string(),
        old,
        new,
    }
}

fn param_text(p: &Parameter) -> String {
    format!("{}（{}）", p.written(), p.unit_text())
}

/// The cells of a band table parameter that changed, one row each (`parameter rate[2]`,
/// `parameter rate[2].from`, with `@year` in a timeline), when the two versions have tables of
/// the same shape (years, units, method, number of bands); `None` otherwise
fn band_cell_rows(o: &Parameter, p: &Parameter, c: &Clause) -> Option<Vec<Revision>> {
    if o.values.len() != p.values.len() {
        return None;
    }
    let mut rows = Vec::new();
    for (a, b) in o.values.iter().zip(&p.values) {
        let (Value::Bands(x), Value::Bands(y)) = (&a.value, &b.value) else {
            return None;
        };
        let same_shape = a.from == b.from
            && (x.of, x.gives, x.method) == (y.of, y.gives, y.method)
            && x.bands.len() == y.bands.len();
        if !same_shape {
            return None;
        }
        let year = b.from.map(|y| format!("@{y}")).unwrap_or_default();
        for (i, (u, v)) in x.bands.iter().zip(&y.bands).enumerate() {
            let n = i + 1;
            let cells = [
                (format!("[{n}].from"), u.from, v.from, x.of),
                (format!("[{n}]"), u.value, v.value, x.gives),
            ];
            for (cell, old, new, unit) in cells {
                if old != new {
                    rows.push(row(
                        Some(c),
                        &format!("parameter {}{cell}{year}", p.name),
                        format!("{old}（{}）", unit.name()),
                        format!("{new}（{}）", unit.name()),
                    ));
                }
            }
        }
    }
    Some(rows)
}

/// Every difference between two packs, pack-level rows first, then clauses in the new pack's
/// order, removed clauses last
pub fn diff_packs(old: &Pack, new: &Pack) -> Vec<Revision> {
    let mut out = Vec::new();
    pack_rows(old, new, &mut out);
    kind_rows(old, new, &mut out);
    for c in &new.clauses {
        let Some(o) = old.clause(&c.id) else {
            out.push(row(
                Some(c),
                "clause",
                String::new(),
                format!("{} {}：{}", c.article, c.title, c.text),
            ));
            continue;
        };
        clause_rows(o, c, &mut out);
    }
    for o in &old.clauses {
        if new.clause(&o.id).is_none() {
            out.push(row(
                Some(o),
                "clause",
                format!("{} {}：{}", o.article, o.title, o.text),
                String::new(),
            ));
        }
    }
    out
}

/// The pack's own items: identity, rounding, preconditions
fn pack_rows(old: &Pack, new: &Pack, out: &mut Vec<Revision>) {
    let pack_items = [
        ("title", &old.title, &new.title),
        ("issuer", &old.issuer, &new.issuer),
        ("status", &old.status, &new.status),
        ("version", &old.version, &new.version),
    ];
    for (item, a, b) in pack_items {
        if a != b {
            out.push(row(None, item, a.clone(), b.clone()));
        }
    }
    let rounding = |p: &Pack| format!("{:?} to {} decimals", p.rounding.mode, p.rounding.scale);
    if old.rounding != new.rounding {
        out.push(row(None, "rounding", rounding(old), rounding(new)));
    }
    let pre = |p: &Pack| {
        p.preconditions
            .iter()
            .map(|c| format!("{} = {}", c.field, c.equals))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if pre(old) != pre(new) {
        out.push(row(None, "preconditions", pre(old), pre(new)));
    }
}

/// Kinds added, changed (their fields) or removed
fn kind_rows(old: &Pack, new: &Pack, out: &mut Vec<Revision>) {
    for k in &new.kinds {
        let fields = |kind: &crate::model::pack::Kind| {
            kind.fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}{}",
                        f.name,
                        f.ty.name(),
                        if f.required { "" } else { "?" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match old.kind(&k.name) {
            None => out.push(row(
                None,
                &format!("kind {}", k.name),
                String::new(),
                fields(k),
            )),
            Some(o) if fields(o) != fields(k) || o.fields != k.fields => {
                out.push(row(None, &format!("kind {}", k.name), fields(o), fields(k)))
            }
            Some(_) => {}
        }
    }
    for k in &old.kinds {
        if new.kind(&k.name).is_none() {
            out.push(row(
                None,
                &format!("kind {}", k.name),
                k.title.clone(),
                String::new(),
            ));
        }
    }
}

/// One clause in both versions: its texts, parameters, cap, count limit and script
fn clause_rows(o: &Clause, c: &Clause, out: &mut Vec<Revision>) {
    let texts = [
        ("article", &o.article, &c.article),
        ("title", &o.title, &c.title),
        ("text", &o.text, &c.text),
        ("kind", &o.kind, &c.kind),
    ];
    for (item, a, b) in texts {
        if a != b {
            out.push(row(Some(c), item, a.clone(), b.clone()));
        }
    }
    for p in c.parameters.iter() {
        match o.parameter(&p.name) {
            None => out.push(row(
                Some(c),
                &format!("parameter {}", p.name),
                String::new(),
                param_text(p),
            )),
            Some(q) if q.values != p.values || q.unit != p.unit => match band_cell_rows(q, p, c) {
                Some(cells) => out.extend(cells),
                None => out.push(row(
                    Some(c),
                    &format!("parameter {}", p.name),
                    param_text(q),
                    param_text(p),
                )),
            },
            Some(_) => {}
        }
    }
    for q in o.parameters.iter() {
        if c.parameter(&q.name).is_none() {
            out.push(row(
                Some(c),
                &format!("parameter {}", q.name),
                param_text(q),
                String::new(),
            ));
        }
    }
    if o.cap != c.cap {
        out.push(row(
            Some(c),
            "cap",
            o.cap.clone().unwrap_or_default(),
            c.cap.clone().unwrap_or_default(),
        ));
    }
    let limit = |cl: &Clause| {
        cl.count_limit
            .as_ref()
            .map(|l| {
                format!(
                    "max {} per {} by {}",
                    l.max,
                    l.per.join(", "),
                    l.rank_by_text()
                )
            })
            .unwrap_or_default()
    };
    if limit(o) != limit(c) {
        out.push(row(Some(c), "count_limit", limit(o), limit(c)));
    }
    if o.script_source() != c.script_source() {
        out.push(row(
            Some(c),
            "script",
            String::new(),
            script_diff(o.script_source(), c.script_source()),
        ));
    }
}

/// The changed lines of a script, `-` old and `+` new
fn script_diff(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => continue,
        };
        out.push_str(sign);
        out.push_str(change.value().trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}
