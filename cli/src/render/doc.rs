//! The pack as a document (`policy doc`), in Markdown or HTML.
//!
//! Each article's original text beside its parameters and its script, with the pack's tests
//! decided now as worked examples.

use policy_engine::{
    group_thousands, Clause, Pack, Parameter, SettlementRule, Status, Value, WorkedExample,
};

use super::report::escape;

/// The parameters of a clause or a settlement rule (`owner`), one row each
fn param_rows(owner: &str, parameters: &[Parameter]) -> Vec<[String; 4]> {
    parameters
        .iter()
        .map(|p| {
            [
                format!("{owner}.{}", p.name),
                p.display(),
                p.unit_text(),
                p.description.clone(),
            ]
        })
        .collect()
}

/// Each band table of a clause or a settlement rule (`owner`), one for each year of a timeline:
/// its title (`c.p`, the year, the method in words), its header and its rows (the band as
/// `--set` names it, the threshold and the value for people)
fn band_tables(
    owner: &str,
    parameters: &[Parameter],
) -> Vec<(String, [String; 3], Vec<[String; 3]>)> {
    let mut out = Vec::new();
    for p in parameters {
        for d in &p.values {
            let Value::Bands(b) = &d.value else {
                continue;
            };
            let year = d.from.map(|y| format!("，{y} 年起")).unwrap_or_default();
            let title = format!(
                "分档 `{owner}.{}`{year}（{}：{}）",
                p.name,
                b.method.name(),
                b.method.words()
            );
            let header = [
                "档 band".to_string(),
                format!("起点 from（{}）", b.of.name()),
                format!("取值 value（{}）", b.gives.name()),
            ];
            let rows = b
                .bands
                .iter()
                .enumerate()
                .map(|(i, band)| {
                    [
                        format!("[{}]", i + 1),
                        b.of.show(band.from),
                        b.gives.show(band.value),
                    ]
                })
                .collect();
            out.push((title, header, rows));
        }
    }
    out
}

fn limits(c: &Clause) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(cap) = &c.cap {
        out.push(format!(
            "单项上限 cap：`{}.{cap}`（引擎在四舍五入前执行）",
            c.id
        ));
    }
    if let Some(l) = &c.count_limit {
        let keys: Vec<String> = l
            .rank_by
            .iter()
            .map(|k| format!("`{}` {}", k.field, k.order.words()))
            .collect();
        let ranked = match keys.as_slice() {
            [k] => format!("按 {k}、同分按编号升序"),
            _ => format!("依次按 {}、均相同按编号升序", keys.join("、")),
        };
        out.push(format!(
            "数量限额 count limit：每组（{}）{}，不超过 `{}.{}` 项，超出者为 capped",
            l.per.join(", "),
            ranked,
            c.id,
            l.max
        ));
    }
    if !c.depends_on.is_empty() {
        out.push(format!(
            "依赖 depends on：在 `{}` 之后决定，读取同一申报单位同期在这些条款下的奖励",
            c.depends_on.join("`、`")
        ));
    }
    out
}

/// The example rows that this clause decided
fn examples_of<'a>(
    c: &Clause,
    examples: &'a [WorkedExample],
) -> Vec<(&'a WorkedExample, Vec<&'a policy_engine::WorkedExampleRow>)> {
    examples
        .iter()
        .map(|e| {
            let rows: Vec<_> = e
                .rows
                .iter()
                .filter(|r| r.decision.clause.as_deref() == Some(c.id.as_str()))
                .collect();
            (e, rows)
        })
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
}

fn outcome(r: &policy_engine::WorkedExampleRow) -> String {
    let d = &r.decision;
    match d.status {
        Status::Awarded => format!("awarded {} 元", group_thousands(d.amount)),
        s => s.to_string(),
    }
}

pub fn markdown(pack: &Pack, examples: &[WorkedExample]) -> String {
    let mut out = format!(
        "# {}\n\n{} · {} · 版本 {}\n\n指纹 fingerprint `{}`\n\n",
        pack.title, pack.issuer, pack.status, pack.version, pack.fingerprint
    );
    out.push_str("## 共同规则 rules every clause shares\n\n");
    out.push_str(&format!("- 金额{}（rounding）\n", pack.rounding.describe()));
    for p in &pack.preconditions {
        out.push_str(&format!(
            "- 前提 precondition：`{}` = {}；否则：{}\n",
            p.field, p.equals, p.reason
        ));
    }
    out.push('\n');
    for c in &pack.clauses {
        out.push_str(&format!("## {} {}（`{}`）\n\n", c.article, c.title, c.id));
        out.push_str(&format!("> {}\n\n", c.text));
        out.push_str(&format!("申报类别 kind：`{}`\n\n", c.kind));
        out.push_str(&params_markdown(&c.id, &c.parameters));
        for l in limits(c) {
            out.push_str(&format!("- {l}\n"));
        }
        if let Some(n) = &c.notes {
            out.push_str(&format!(
                "\n解读 readings：{}\n",
                n.trim().replace('\n', " ")
            ));
        }
        out.push_str(&format!(
            "\n```rhai\n// {}\n{}\n```\n\n",
            c.script_path()
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            c.script_source().trim_end()
        ));
        let mine = examples_of(c, examples);
        if !mine.is_empty() {
            out.push_str("示例 worked examples（由本包测试用例现场计算）\n\n");
            for (e, rows) in mine {
                let over = if e.overrides.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", e.overrides.join(", "))
                };
                out.push_str(&format!("- {}{over}\n", e.case));
                for r in rows {
                    out.push_str(&format!(
                        "  - `{}`：{} → **{}**；{}\n",
                        r.decision.id.as_deref().unwrap_or("-"),
                        r.facts.join("，"),
                        outcome(r),
                        r.decision.reasons.join("；")
                    ));
                }
            }
            out.push('\n');
        }
    }
    out.push_str(&rules_markdown(pack));
    out
}

/// A clause's or a rule's parameter table and its band tables, in Markdown
fn params_markdown(owner: &str, parameters: &[Parameter]) -> String {
    let mut out =
        "| 参数 parameter | 取值 value | 单位 unit | 说明 |\n|---|---|---|---|\n".to_string();
    for [name, value, unit, desc] in param_rows(owner, parameters) {
        out.push_str(&format!("| `{name}` | {value} | {unit} | {desc} |\n"));
    }
    out.push('\n');
    for (title, header, rows) in band_tables(owner, parameters) {
        out.push_str(&format!(
            "{title}\n\n| {} |\n|---|---|---|\n",
            header.join(" | ")
        ));
        for [band, from, value] in rows {
            out.push_str(&format!("| `{band}` | {from} | {value} |\n"));
        }
        out.push('\n');
    }
    out
}

/// Who "the same applicant" is, when the pack says
fn applicant_line(pack: &Pack) -> Option<String> {
    (!pack.applicant.is_empty()).then(|| {
        let fields: Vec<String> = pack.applicant.iter().map(|f| format!("`{f}`")).collect();
        format!(
            "同一申报单位 applicant：依次按 {} 认定（规则另有规定的除外）",
            fields.join("、")
        )
    })
}

/// The settlement rules after the clauses: each with its article, the sentence it encodes,
/// what it does and its parameters; nothing for a pack without rules
fn rules_markdown(pack: &Pack) -> String {
    if pack.settlement.is_empty() {
        return String::new();
    }
    let mut out = "## 结算规则 settlement（各条款核定后，按所列顺序依次适用）\n\n".to_string();
    if let Some(line) = applicant_line(pack) {
        out.push_str(&format!("{line}\n\n"));
    }
    for r in &pack.settlement {
        out.push_str(&format!("### {} {}（`{}`）\n\n", r.article, r.title, r.id));
        out.push_str(&format!("> {}\n\n", r.text));
        out.push_str(&format!(
            "规则 rule（{}）：{}\n\n",
            r.kind_name(),
            r.describe()
        ));
        if !r.parameters.is_empty() {
            out.push_str(&params_markdown(&r.id, &r.parameters));
        }
        if let Some(n) = &r.notes {
            out.push_str(&format!(
                "解读 readings：{}\n\n",
                n.trim().replace('\n', " ")
            ));
        }
    }
    out
}

/// A clause's or a rule's parameter rows (inside an open table body), then its band tables
fn params_html(owner: &str, parameters: &[Parameter]) -> String {
    let mut body = String::new();
    for [name, value, unit, desc] in param_rows(owner, parameters) {
        body.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&name),
            escape(&value),
            escape(&unit),
            escape(&desc)
        ));
    }
    body.push_str("</tbody></table>\n");
    for (title, header, rows) in band_tables(owner, parameters) {
        body.push_str(&format!(
            "<p>{}</p><table><thead><tr>",
            escape(&title.replace('`', ""))
        ));
        for h in &header {
            body.push_str(&format!("<th>{}</th>", escape(h)));
        }
        body.push_str("</tr></thead><tbody>");
        for row in &rows {
            body.push_str("<tr>");
            for cell in row {
                body.push_str(&format!("<td>{}</td>", escape(cell)));
            }
            body.push_str("</tr>");
        }
        body.push_str("</tbody></table>\n");
    }
    body
}

/// The settlement rules after the clauses, as `rules_markdown` lists them
fn rules_html(pack: &Pack) -> String {
    if pack.settlement.is_empty() {
        return String::new();
    }
    let mut body =
        "<section class=\"settlement\"><h2>结算规则 <small>各条款核定后，按所列顺序依次适用</small></h2>\n"
            .to_string();
    if let Some(line) = applicant_line(pack) {
        body.push_str(&format!("<p>{}</p>\n", escape(&line.replace('`', ""))));
    }
    for r in &pack.settlement {
        body.push_str(&rule_html(r));
    }
    body.push_str("</section>\n");
    body
}

fn rule_html(r: &SettlementRule) -> String {
    let mut body = format!(
        "<section class=\"clause rule\" id=\"{id}\"><h2>{a} {t} <small>{id}</small></h2>\n<div class=\"law\"><blockquote>{text}</blockquote>\n<p>规则（{kind}）：{what}</p>\n",
        id = escape(&r.id),
        a = escape(&r.article),
        t = escape(&r.title),
        text = escape(&r.text),
        kind = escape(r.kind_name()),
        what = escape(&r.describe())
    );
    if !r.parameters.is_empty() {
        body.push_str(
            "<table><thead><tr><th>参数</th><th>取值</th><th>单位</th><th>说明</th></tr></thead><tbody>",
        );
        body.push_str(&params_html(&r.id, &r.parameters));
    }
    if let Some(n) = &r.notes {
        body.push_str(&format!(
            "<p class=\"notes\">解读：{}</p>",
            escape(n.trim())
        ));
    }
    body.push_str("</div></section>\n");
    body
}

// Long because the page is one template with its styles inline: a self-contained file.
pub fn html(pack: &Pack, examples: &[WorkedExample]) -> String {
    let mut body = String::new();
    body.push_str(&format!(
        "<p class=\"meta\">{} · {} · 版本 {} · {}</p>\n<section class=\"rules\"><h2>共同规则</h2><ul><li>金额{}</li>",
        escape(&pack.issuer),
        escape(&pack.status),
        escape(&pack.version),
        escape(&pack.fingerprint),
        escape(&pack.rounding.describe())
    ));
    for p in &pack.preconditions {
        body.push_str(&format!(
            "<li>前提：<code>{}</code> = {}；否则：{}</li>",
            escape(&p.field),
            escape(&p.equals.to_string()),
            escape(&p.reason)
        ));
    }
    body.push_str("</ul></section>\n");
    for c in &pack.clauses {
        body.push_str(&format!(
            "<section class=\"clause\" id=\"{id}\"><h2>{a} {t} <small>{id}</small></h2>\n<div class=\"side\"><div class=\"law\"><blockquote>{text}</blockquote>\n<table><thead><tr><th>参数</th><th>取值</th><th>单位</th><th>说明</th></tr></thead><tbody>",
            id = escape(&c.id),
            a = escape(&c.article),
            t = escape(&c.title),
            text = escape(&c.text)
        ));
        body.push_str(&params_html(&c.id, &c.parameters));
        for l in limits(c) {
            body.push_str(&format!("<p>{}</p>", escape(&l.replace('`', ""))));
        }
        if let Some(n) = &c.notes {
            body.push_str(&format!(
                "<p class=\"notes\">解读：{}</p>",
                escape(n.trim())
            ));
        }
        let mine = examples_of(c, examples);
        if !mine.is_empty() {
            body.push_str("<h3>示例</h3><ul>");
            for (e, rows) in mine {
                body.push_str(&format!("<li>{}", escape(&e.case)));
                if !e.overrides.is_empty() {
                    body.push_str(&format!("（{}）", escape(&e.overrides.join(", "))));
                }
                body.push_str("<ul>");
                for r in rows {
                    body.push_str(&format!(
                        "<li><code>{}</code>：{} → <b>{}</b><br><small>{}</small></li>",
                        escape(r.decision.id.as_deref().unwrap_or("-")),
                        escape(&r.facts.join("，")),
                        escape(&outcome(r)),
                        escape(&r.decision.reasons.join("；"))
                    ));
                }
                body.push_str("</ul></li>");
            }
            body.push_str("</ul>");
        }
        body.push_str(&format!(
            "</div><pre class=\"code\"><code>{}</code></pre></div></section>\n",
            escape(c.script_source().trim_end())
        ));
    }
    body.push_str(&rules_html(pack));
    format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{t}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }}
.meta {{ color: #666; font-size: 0.85em; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; align-items: start; }}
blockquote {{ margin: 0; padding: 0.6em 1em; background: #f6f3ea; border-left: 4px solid #c9a227; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 0.8em 0; }}
th, td {{ border: 1px solid #ddd; padding: 3px 6px; text-align: left; }}
pre.code {{ background: #f4f5f7; padding: 0.8em; white-space: pre-wrap; font-size: 0.8em; margin: 0; }}
h2 small {{ color: #888; font-weight: normal; font-size: 0.6em; }}
section.clause {{ border-top: 1px solid #ddd; margin-top: 1.5em; }}
</style>
</head>
<body>
<h1>{t}</h1>
{body}</body>
</html>
"#,
        t = escape(&pack.title)
    )
}
