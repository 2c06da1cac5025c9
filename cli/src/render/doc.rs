//! The pack as a document (`policy doc`), in Markdown or HTML.
//!
//! Each article's original text beside its parameters and its script, with the pack's tests
//! decided now as worked examples.

use policy_engine::{
    group_thousands, Clause, Lang, Pack, Parameter, SettlementRule, Status, Value, WorkedExample,
};

use super::report::{escape, html_lang, FONT_STACK, MONO_STACK};
use crate::messages::{self as m, html as w};

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
/// `lang` is the HTML page's language; `None` keeps the Markdown's Chinese-with-English words
pub(crate) fn band_tables(
    owner: &str,
    parameters: &[Parameter],
    lang: Option<Lang>,
) -> Vec<(String, [String; 3], Vec<[String; 3]>)> {
    let mut out = Vec::new();
    for p in parameters {
        for d in &p.values {
            let Value::Bands(b) = &d.value else {
                continue;
            };
            let (title, header) = match lang {
                None => {
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
                    (title, header)
                }
                Some(l) => {
                    let year = d
                        .from
                        .map(|y| w::D_BANDS_FROM_YEAR.fill(l, &[&y]))
                        .unwrap_or_default();
                    let title = w::D_BANDS.fill(
                        l,
                        &[
                            &format!("{owner}.{}", p.name),
                            &year,
                            &b.method.name(),
                            &b.method.words(),
                        ],
                    );
                    let header = [
                        w::D_BAND.get(l).to_string(),
                        w::D_BAND_FROM.fill(l, &[&b.of.name()]),
                        w::D_BAND_VALUE.fill(l, &[&b.gives.name()]),
                    ];
                    (title, header)
                }
            };
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
pub(crate) fn examples_of<'a>(
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
    for (title, header, rows) in band_tables(owner, parameters, None) {
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

/// A clause's limits in `lang`, as `limits` gives them for the Markdown
pub(crate) fn limits_in(c: &Clause, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(cap) = &c.cap {
        out.push(w::D_CAP.fill(lang, &[&format!("{}.{cap}", c.id)]));
    }
    if let Some(l) = &c.count_limit {
        let keys: Vec<String> = l
            .rank_by
            .iter()
            .map(|k| format!("{} {}", k.field, k.order.words()))
            .collect();
        let ranked = match keys.as_slice() {
            [k] => w::D_RANK_ONE.fill(lang, &[k]),
            _ => w::D_RANK_MANY.fill(lang, &[&keys.join(lang.pick("、", ", "))]),
        };
        out.push(w::D_COUNT_LIMIT.fill(
            lang,
            &[&l.per.join(", "), &ranked, &format!("{}.{}", c.id, l.max)],
        ));
    }
    if !c.depends_on.is_empty() {
        out.push(w::D_DEPENDS.fill(lang, &[&c.depends_on.join(lang.pick("、", ", "))]));
    }
    out
}

/// Who "the same applicant" is, in `lang`
fn applicant_in(pack: &Pack, lang: Lang) -> Option<String> {
    (!pack.applicant.is_empty())
        .then(|| w::D_APPLICANT.fill(lang, &[&pack.applicant.join(lang.pick("、", ", "))]))
}

/// A worked example's outcome in `lang`
fn outcome_in(r: &policy_engine::WorkedExampleRow, lang: Lang) -> String {
    let d = &r.decision;
    match d.status {
        Status::Awarded => w::D_AWARDED.fill(lang, &[&group_thousands(d.amount)]),
        s => m::status(s, lang).to_string(),
    }
}

/// A parameter table's header row, opened for `params_html`'s rows
fn params_table_open(lang: Lang) -> String {
    format!(
        "<div class=\"table\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        m::COL_PARAMETER.get(lang),
        m::COL_VALUE.get(lang),
        m::COL_UNIT.get(lang),
        m::COL_DESCRIPTION.get(lang)
    )
}

/// A clause's or a rule's parameter rows (inside an open table body), then its band tables
fn params_html(owner: &str, parameters: &[Parameter], lang: Lang) -> String {
    let mut body = String::new();
    for p in parameters {
        body.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&format!("{owner}.{}", p.name)),
            escape(&p.display()),
            escape(&m::unit(p, lang)),
            escape(&p.description)
        ));
    }
    body.push_str("</tbody></table></div>\n");
    for (title, header, rows) in band_tables(owner, parameters, Some(lang)) {
        body.push_str(&format!(
            "<p>{}</p><div class=\"table\"><table><thead><tr>",
            escape(&title)
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
        body.push_str("</tbody></table></div>\n");
    }
    body
}

/// The settlement rules after the clauses, as `rules_markdown` lists them
fn rules_html(pack: &Pack, lang: Lang) -> String {
    if pack.settlement.is_empty() {
        return String::new();
    }
    let mut body = format!(
        "<section class=\"settlement\"><h2>{} <small>{}</small></h2>\n",
        escape(w::D_SETTLEMENT.get(lang)),
        escape(w::D_SETTLEMENT_ORDER.get(lang))
    );
    if let Some(line) = applicant_in(pack, lang) {
        body.push_str(&format!("<p>{}</p>\n", escape(&line)));
    }
    for r in &pack.settlement {
        body.push_str(&rule_html(r, lang));
    }
    body.push_str("</section>\n");
    body
}

fn rule_html(r: &SettlementRule, lang: Lang) -> String {
    let mut body = format!(
        "<section class=\"clause rule\" id=\"{id}\"><h2>{a} {t} <small>{id}</small></h2>\n<div class=\"law\"><blockquote>{text}</blockquote>\n<p>{what}</p>\n",
        id = escape(&r.id),
        a = escape(&r.article),
        t = escape(&r.title),
        text = escape(&r.text),
        what = escape(&w::D_RULE.fill(lang, &[&r.kind_name(), &r.describe()]))
    );
    if !r.parameters.is_empty() {
        body.push_str(&params_table_open(lang));
        body.push_str(&params_html(&r.id, &r.parameters, lang));
    }
    if let Some(n) = &r.notes {
        body.push_str(&format!(
            "<p class=\"notes\">{}</p>",
            escape(&w::D_NOTES.fill(lang, &[&n.trim()]))
        ));
    }
    body.push_str("</div></section>\n");
    body
}

/// The page's styles: the CJK font stack of the reports, one column on a narrow screen
fn doc_styles() -> String {
    format!(
        r#"body {{ font-family: {FONT_STACK}; margin: 2em; color: #222; line-height: 1.5; }}
h1, h2, p, li, blockquote {{ overflow-wrap: anywhere; }}
td:first-child {{ min-width: 8em; }}
.meta {{ color: #666; font-size: 0.85em; }}
.side {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5em; align-items: start; }}
blockquote {{ margin: 0; padding: 0.6em 1em; background: #f6f3ea; border-left: 4px solid #c9a227; }}
.table {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 0.8em 0; }}
th, td {{ border: 1px solid #ddd; padding: 3px 6px; text-align: left; }}
pre.code {{ font-family: {MONO_STACK}; background: #f4f5f7; padding: 0.8em; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8em; margin: 0; }}
h2 small {{ color: #888; font-weight: normal; font-size: 0.6em; }}
section.clause {{ border-top: 1px solid #ddd; margin-top: 1.5em; }}
@media (max-width: 700px) {{ body {{ margin: 1em; }} .side {{ grid-template-columns: minmax(0, 1fr); }} }}
"#
    )
}

// Long because the page is one template with its styles inline: a self-contained file.
pub fn html(pack: &Pack, lang: Lang, examples: &[WorkedExample]) -> String {
    let mut body = String::new();
    body.push_str(&format!(
        "<p class=\"meta\">{} · {} · {} · {}</p>\n<section class=\"rules\"><h2>{}</h2><ul><li>{}</li>",
        escape(&pack.issuer),
        escape(&pack.status),
        escape(&w::R_VERSION.fill(lang, &[&pack.version])),
        escape(&pack.fingerprint),
        escape(w::D_SHARED_RULES.get(lang)),
        escape(&w::D_ROUNDING.fill(lang, &[&pack.rounding.describe()]))
    ));
    for p in &pack.preconditions {
        body.push_str(&format!(
            "<li>{}</li>",
            escape(&w::D_PRECONDITION.fill(lang, &[&p.field, &p.equals, &p.reason]))
        ));
    }
    body.push_str("</ul></section>\n");
    for c in &pack.clauses {
        body.push_str(&format!(
            "<section class=\"clause\" id=\"{id}\"><h2>{a} {t} <small>{id}</small></h2>\n<div class=\"side\"><div class=\"law\"><blockquote>{text}</blockquote>\n{table}",
            id = escape(&c.id),
            a = escape(&c.article),
            t = escape(&c.title),
            text = escape(&c.text),
            table = params_table_open(lang)
        ));
        body.push_str(&params_html(&c.id, &c.parameters, lang));
        for l in limits_in(c, lang) {
            body.push_str(&format!("<p>{}</p>", escape(&l)));
        }
        if let Some(n) = &c.notes {
            body.push_str(&format!(
                "<p class=\"notes\">{}</p>",
                escape(&w::D_NOTES.fill(lang, &[&n.trim()]))
            ));
        }
        let mine = examples_of(c, examples);
        if !mine.is_empty() {
            body.push_str(&format!("<h3>{}</h3><ul>", escape(w::D_EXAMPLES.get(lang))));
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
                        escape(&r.facts.join(lang.pick("，", ", "))),
                        escape(&outcome_in(r, lang)),
                        escape(&r.decision.reasons.join(lang.pick("；", "; ")))
                    ));
                }
                body.push_str("</ul></li>");
            }
            body.push_str("</ul>");
        }
        body.push_str(&format!(
            "</div><pre class=\"code\" aria-label=\"{}\"><code>{}</code></pre></div></section>\n",
            escape(w::D_SCRIPT.get(lang)),
            escape(c.script_source().trim_end())
        ));
    }
    body.push_str(&rules_html(pack, lang));
    format!(
        r#"<!doctype html>
<html lang="{hl}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t}</title>
<style>
{css}</style>
</head>
<body>
<h1>{t}</h1>
{body}</body>
</html>
"#,
        hl = html_lang(lang),
        t = escape(&pack.title),
        css = doc_styles()
    )
}
