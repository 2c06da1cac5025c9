//! What a revision of a pack changed, as the side-by-side table (修改对照表) drafters circulate
//! during a consultation: one row per changed item, the old text beside the new.

use serde::Serialize;

use crate::model::pack::{Clause, Pack, Parameter, RuleKind, SettlementRule};
use crate::model::value::Value;

/// One changed item
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// The clause or settlement rule, or `None` for the pack as a whole
    pub clause: Option<String>,
    /// The clause's or rule's article (new one where it exists)
    pub article: Option<String>,
    /// What changed: `parameter provincial`, `text`, `script`, `clause` …
    pub item: String,
    /// Before; empty when added
    pub old: String,
    /// After; empty when removed
    pub new: String,
}

/// A clause or a settlement rule, as a row names it: its id and article
type Owner<'a> = Option<(&'a str, &'a str)>;

fn of_clause(c: &Clause) -> Owner<'_> {
    Some((&c.id, &c.article))
}

fn of_rule(r: &SettlementRule) -> Owner<'_> {
    Some((&r.id, &r.article))
}

fn row(owner: Owner<'_>, item: &str, old: String, new: String) -> Revision {
    Revision {
        clause: owner.map(|(id, _)| id.to_string()),
        article: owner.map(|(_, article)| article.to_string()),
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
fn band_cell_rows(o: &Parameter, p: &Parameter, owner: Owner<'_>) -> Option<Vec<Revision>> {
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
                        owner,
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
/// order, removed clauses, then settlement rules the same way
pub fn diff_packs(old: &Pack, new: &Pack) -> Vec<Revision> {
    let mut out = Vec::new();
    pack_rows(old, new, &mut out);
    kind_rows(old, new, &mut out);
    for c in &new.clauses {
        let Some(o) = old.clause(&c.id) else {
            out.push(row(
                of_clause(c),
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
                of_clause(o),
                "clause",
                format!("{} {}：{}", o.article, o.title, o.text),
                String::new(),
            ));
        }
    }
    rule_rows(old, new, &mut out);
    out
}

/// Settlement rules added, changed or removed, as clauses are
fn rule_rows(old: &Pack, new: &Pack, out: &mut Vec<Revision>) {
    fn find<'a>(p: &'a Pack, id: &str) -> Option<&'a SettlementRule> {
        p.settlement.iter().find(|r| r.id == id)
    }
    let cited = |r: &SettlementRule| format!("{} {}：{}", r.article, r.title, r.text);
    for r in &new.settlement {
        match find(old, &r.id) {
            None => out.push(row(of_rule(r), "rule", String::new(), cited(r))),
            Some(o) => one_rule_rows(o, r, (old, new), out),
        }
    }
    for o in &old.settlement {
        if find(new, &o.id).is_none() {
            out.push(row(of_rule(o), "rule", cited(o), String::new()));
        }
    }
}

/// What a rule does, as its keys are written in YAML
fn what_text(r: &SettlementRule) -> String {
    let list = |l: &[String]| format!("[{}]", l.join(", "));
    match &r.what {
        RuleKind::Exclusive { clauses } => format!("exclusive: {}", list(clauses)),
        RuleKind::Cap { clauses, max, cut } => format!(
            "cap: {max}, clauses: {}, cut: {}",
            clauses.as_deref().map_or_else(|| "all".to_string(), list),
            cut.name()
        ),
        RuleKind::Requires { clause, requires } => {
            format!("clause: {clause}, requires: {}", list(requires))
        }
        RuleKind::FirstTime { clause, before } => {
            format!("clause: {clause}, first_time: {}", list(before))
        }
    }
}

/// One rule in both versions: its texts, what it does, who the applicant is, its groups and
/// its parameters. A rule that takes the pack's `applicant` in both has no applicant row of its
/// own: the pack's row says it.
fn one_rule_rows(
    o: &SettlementRule,
    r: &SettlementRule,
    (old, new): (&Pack, &Pack),
    out: &mut Vec<Revision>,
) {
    let follows_pack = o.applicant == old.applicant && r.applicant == new.applicant;
    let texts = [
        ("article", o.article.clone(), r.article.clone()),
        ("title", o.title.clone(), r.title.clone()),
        ("text", o.text.clone(), r.text.clone()),
        ("what", what_text(o), what_text(r)),
        ("applicant", o.applicant.join(", "), r.applicant.join(", ")),
        ("per", o.per.join(", "), r.per.join(", ")),
    ];
    for (item, a, b) in texts {
        if a != b && !(item == "applicant" && follows_pack) {
            out.push(row(of_rule(r), item, a, b));
        }
    }
    parameter_rows(&o.parameters, &r.parameters, of_rule(r), out);
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
    if old.applicant != new.applicant {
        out.push(row(
            None,
            "applicant",
            old.applicant.join(", "),
            new.applicant.join(", "),
        ));
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
            out.push(row(of_clause(c), item, a.clone(), b.clone()));
        }
    }
    parameter_rows(&o.parameters, &c.parameters, of_clause(c), out);
    if o.cap != c.cap {
        out.push(row(
            of_clause(c),
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
        out.push(row(of_clause(c), "count_limit", limit(o), limit(c)));
    }
    if o.script_source() != c.script_source() {
        out.push(row(
            of_clause(c),
            "script",
            String::new(),
            script_diff(o.script_source(), c.script_source()),
        ));
    }
}

/// A clause's or rule's parameters in both versions: added, changed (a band table cell by
/// cell where its shape is kept) and removed
fn parameter_rows(old: &[Parameter], new: &[Parameter], owner: Owner<'_>, out: &mut Vec<Revision>) {
    let find = |list: &'_ [Parameter], name: &str| list.iter().position(|p| p.name == name);
    for p in new {
        match find(old, &p.name).map(|i| &old[i]) {
            None => out.push(row(
                owner,
                &format!("parameter {}", p.name),
                String::new(),
                param_text(p),
            )),
            Some(q) if q.values != p.values || q.unit != p.unit => {
                match band_cell_rows(q, p, owner) {
                    Some(cells) => out.extend(cells),
                    None => out.push(row(
                        owner,
                        &format!("parameter {}", p.name),
                        param_text(q),
                        param_text(p),
                    )),
                }
            }
            Some(_) => {}
        }
    }
    for q in old {
        if find(new, &q.name).is_none() {
            out.push(row(
                owner,
                &format!("parameter {}", q.name),
                param_text(q),
                String::new(),
            ));
        }
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
