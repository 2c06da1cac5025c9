//! Everything the CLI prints: decisions as table, JSON or YAML; explanations; clause lists;
//! pack errors with the source line and a caret.

use rust_decimal::Decimal;
use serde::Serialize;

use policy_engine::{group_thousands, Decision, Explanation, LoadErrors, Pack, Status, Totals};

use crate::table::{Align, Table};

/// The decisions document of POLICY.md section 3
#[derive(Serialize)]
struct DecisionsDoc<'a> {
    pack: PackRef<'a>,
    decisions: &'a [Decision],
    totals: &'a Totals,
}

#[derive(Serialize)]
struct PackRef<'a> {
    id: &'a str,
    version: &'a str,
    fingerprint: &'a str,
}

fn doc<'a>(pack: &'a Pack, decisions: &'a [Decision], totals: &'a Totals) -> DecisionsDoc<'a> {
    DecisionsDoc {
        pack: PackRef {
            id: &pack.id,
            version: &pack.version,
            fingerprint: &pack.fingerprint,
        },
        decisions,
        totals,
    }
}

pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| format!("error: cannot write JSON: {e}"))
}

pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| format!("error: cannot write YAML: {e}"))
}

pub fn decisions_json(
    pack: &Pack,
    decisions: &[Decision],
    totals: &Totals,
) -> Result<String, String> {
    to_json(&doc(pack, decisions, totals))
}

pub fn decisions_yaml(
    pack: &Pack,
    decisions: &[Decision],
    totals: &Totals,
) -> Result<String, String> {
    to_yaml(&doc(pack, decisions, totals))
}

fn wan(amount: Decimal) -> String {
    (amount / Decimal::from(10_000)).normalize().to_string()
}

pub fn decisions_table(pack: &Pack, decisions: &[Decision], totals: &Totals) -> String {
    let mut t = Table::new(&[
        ("编号 id", Align::Left),
        ("条款 clause", Align::Left),
        ("状态 status", Align::Left),
        ("金额（元）", Align::Right),
        ("万元", Align::Right),
        ("理由 reasons", Align::Left),
    ]);
    for d in decisions {
        t.row(vec![
            d.id.clone().unwrap_or_else(|| "(no id)".into()),
            d.clause.clone().unwrap_or_else(|| "-".into()),
            d.status.to_string(),
            group_thousands(d.amount),
            wan(d.amount),
            d.reasons.join("；"),
        ]);
    }
    let mut out = format!("{}（{}）\n\n", pack.title, pack.version);
    out.push_str(&t.render());
    out.push('\n');

    let mut s = Table::new(&[
        ("条款 clause", Align::Left),
        ("条文", Align::Left),
        ("申报", Align::Right),
        ("awarded", Align::Right),
        ("ineligible", Align::Right),
        ("capped", Align::Right),
        ("error", Align::Right),
        ("金额（元）", Align::Right),
        ("万元", Align::Right),
    ]);
    let mut add = |label: String, article: String, of: Vec<&Decision>| {
        let count = |st: Status| of.iter().filter(|d| d.status == st).count().to_string();
        let amount = policy_engine::sum(
            of.iter()
                .filter(|d| d.status == Status::Awarded)
                .map(|d| d.amount),
        );
        let amount = pack.rounding.apply(amount);
        s.row(vec![
            label,
            article,
            of.len().to_string(),
            count(Status::Awarded),
            count(Status::Ineligible),
            count(Status::Capped),
            count(Status::Error),
            group_thousands(amount),
            wan(amount),
        ]);
    };
    for c in &pack.clauses {
        let of: Vec<&Decision> = decisions
            .iter()
            .filter(|d| d.clause.as_deref() == Some(c.id.as_str()))
            .collect();
        add(c.id.clone(), c.article.clone(), of);
    }
    let unassigned: Vec<&Decision> = decisions.iter().filter(|d| d.clause.is_none()).collect();
    if !unassigned.is_empty() {
        add("(no clause)".into(), "-".into(), unassigned);
    }
    add(
        "合计 total".into(),
        String::new(),
        decisions.iter().collect(),
    );
    out.push_str("按条款合计 totals by clause\n\n");
    out.push_str(&s.render());
    out.push_str(&format!(
        "\n{} applications, {} awarded, {} 元（{} 万元）\n",
        totals.applications,
        totals.awarded,
        group_thousands(totals.amount),
        wan(totals.amount)
    ));
    out
}

pub fn explanation_text(pack: &Pack, e: &Explanation) -> String {
    let d = &e.decision;
    let mut out = String::new();
    let id = d.id.as_deref().unwrap_or("(no id)");
    let kind = d.kind.as_deref().unwrap_or("?");
    out.push_str(&format!("申报 application {id}（{kind}）\n"));
    out.push_str(&format!(
        "决定 decision: {}，{} 元（{} 万元）\n",
        d.status,
        group_thousands(d.amount),
        wan(d.amount)
    ));
    if let Some(c) = &e.clause {
        out.push_str(&format!(
            "\n条款 clause: {}  {}  {}\n原文 text: {}\n",
            c.id, c.article, c.title, c.text
        ));
    }
    if !e.parameters.is_empty() {
        out.push_str("\n读取的参数 parameters read:\n");
        let mut t = Table::new(&[
            ("  参数", Align::Left),
            ("取值", Align::Left),
            ("说明", Align::Left),
        ]);
        for p in &e.parameters {
            t.row(vec![
                format!("  {}", p.name),
                p.shown.clone(),
                p.description.clone(),
            ]);
        }
        out.push_str(&skip_header(&t.render()));
    }
    if !e.facts.is_empty() {
        out.push_str("\n读取的事实 facts read:\n");
        let mut t = Table::new(&[("  字段", Align::Left), ("取值", Align::Left)]);
        for f in &e.facts {
            t.row(vec![
                format!("  {}", f.field),
                f.value.clone().unwrap_or_else(|| "(absent)".into()),
            ]);
        }
        out.push_str(&skip_header(&t.render()));
    }
    if !e.steps.is_empty() {
        out.push_str("\n计算 arithmetic:\n");
        for s in &e.steps {
            out.push_str(&format!("  {s}\n"));
        }
    }
    if let Some(l) = &e.limit {
        out.push_str(&format!(
            "\n限额 limit: {} 组内按 {} 从高到低排名（同分按编号升序），第 {} 名，共 {} 项，限额 {} 项：{}\n",
            l.group,
            l.rank_by,
            l.place,
            l.of,
            l.max,
            if (l.place as i64) > l.max { "超过限额，不予奖励" } else { "在限额之内" }
        ));
    }
    out.push_str("\n理由 reasons:\n");
    for r in &d.reasons {
        out.push_str(&format!("  - {r}\n"));
    }
    if !e.printed.is_empty() {
        out.push_str("\n脚本输出 printed by the script:\n");
        for p in &e.printed {
            out.push_str(&format!("  {p}\n"));
        }
    }
    out.push_str(&format!(
        "\npack {} {} {}\n",
        pack.id, pack.version, pack.fingerprint
    ));
    out
}

/// Drops a table's header and rule, for indented key–value lists
fn skip_header(rendered: &str) -> String {
    rendered.lines().skip(2).map(|l| format!("{l}\n")).collect()
}

pub fn clauses_text(pack: &Pack) -> String {
    let mut out = format!(
        "{}\n{} · {} · {}\n\n",
        pack.title, pack.issuer, pack.status, pack.version
    );
    let mut t = Table::new(&[
        ("条款 clause", Align::Left),
        ("条文", Align::Left),
        ("参数 parameter", Align::Left),
        ("取值 value", Align::Right),
        ("单位 unit", Align::Left),
        ("说明", Align::Left),
    ]);
    for c in &pack.clauses {
        for (i, p) in c.parameters.iter().enumerate() {
            let (id, article) = if i == 0 {
                (c.id.clone(), c.article.clone())
            } else {
                (String::new(), String::new())
            };
            t.row(vec![
                id,
                article,
                p.name.clone(),
                p.written(),
                p.unit.name().to_string(),
                p.description.clone(),
            ]);
        }
    }
    out.push_str(&t.render());
    out.push('\n');
    for c in &pack.clauses {
        out.push_str(&format!(
            "{}  {}  {}（kind {}）\n",
            c.id, c.article, c.title, c.kind
        ));
        if let Some(cap) = &c.cap {
            out.push_str(&format!("  单项上限 cap: {}.{}\n", c.id, cap));
        }
        if let Some(l) = &c.count_limit {
            out.push_str(&format!(
                "  限额 count limit: 每组（{}）按 {} 从高到低、同分按编号，不超过 {}.{} 项\n",
                l.per.join(", "),
                l.rank_by,
                c.id,
                l.max
            ));
        }
    }
    out
}

/// Pack errors as `error: file:line:col: message`, then the line with a caret under the column
pub fn load_errors(errors: &LoadErrors) -> String {
    let mut out = String::new();
    for e in &errors.0 {
        out.push_str(&format!("error: {e}\n"));
        let Some(pos) = e.pos else { continue };
        let Ok(text) = std::fs::read_to_string(&e.file) else {
            continue;
        };
        let Some(line) = text.lines().nth(pos.line.saturating_sub(1)) else {
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
    let n = errors.0.len();
    out.push_str(&format!(
        "{n} error{} in the pack",
        if n == 1 { "" } else { "s" }
    ));
    out
}
