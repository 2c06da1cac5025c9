//! The clause browser (条款浏览) of `policy serve`: every clause of the pack with its article,
//! original sentence, parameters (units, values by year), limits, the settlement rules that
//! involve it and the pack's tests as worked examples; the pack's version and fingerprint; and,
//! given the previous version, what changed since it (the rows of `policy diff`).
//!
//! Everything shown is read from the loaded engine (the pack's model, its worked examples, the
//! engine's diff), never parsed again from the files. maud escapes every text it writes, so a
//! pack's words cannot become markup.

use maud::{html, Markup};
use policy_engine::{
    group_thousands, Clause, Lang, Pack, Parameter, Revision, SettlementRule, WorkedExample,
};

use super::{page_frame, with_lang};
use crate::messages::{self as m, browse as b, html as d};
use crate::render::doc::{band_tables, examples_of, limits_in};

/// What the page shows
pub(crate) struct Browse<'a> {
    pub(crate) pack: &'a Pack,
    /// The pack's tests decided now, or why they could not be
    pub(crate) examples: Result<&'a [WorkedExample], &'a str>,
    /// The previous version and the rows that differ from it, when the server was given one
    pub(crate) previous: Option<(&'a Pack, &'a [Revision])>,
    /// This calendar year: the value of a timeline in force now is marked
    pub(crate) year: i64,
    pub(crate) lang: Lang,
}

/// The whole page
pub(crate) fn clauses_page(v: &Browse<'_>) -> Markup {
    let lang = v.lang;
    let other = match lang {
        Lang::Zh => "/clauses?lang=en",
        Lang::En => "/clauses",
    };
    page_frame(
        lang,
        v.pack,
        b::B_TITLE.get(lang),
        "/clauses",
        other,
        html! {
            (pack_section(v))
            (changes_section(v))
            (toc(v.pack, lang))
            @for c in &v.pack.clauses { (clause_section(c, v)) }
            @if !v.pack.settlement.is_empty() {
                section.rules #settlement aria-labelledby="settlement-h" {
                    h2 #settlement-h { (d::D_SETTLEMENT.get(lang)) }
                    p.hint { (d::D_SETTLEMENT_ORDER.get(lang)) }
                    @for r in &v.pack.settlement { (rule_block(r, v.year, lang)) }
                }
            }
        },
    )
}

/// Title, issuer, status, version and fingerprint
fn pack_section(v: &Browse<'_>) -> Markup {
    let (p, lang) = (v.pack, v.lang);
    html! {
        section.pack-facts aria-labelledby="pack-h" {
            h2 #pack-h { (b::B_PACK.get(lang)) }
            p.hint { (b::B_INTRO.get(lang)) }
            dl.facts {
                dt { (b::B_PACK_TITLE.get(lang)) } dd #pack-title lang="zh-CN" { (p.title) }
                dt { (b::B_ISSUER.get(lang)) } dd lang="zh-CN" { (p.issuer) }
                dt { (b::B_STATUS.get(lang)) } dd { (p.status) }
                dt { (b::B_VERSION.get(lang)) } dd #version { (p.version) }
                dt { (b::B_FINGERPRINT.get(lang)) } dd { code #fingerprint { (p.fingerprint) } }
            }
            ul.shared {
                li { (d::D_ROUNDING.fill(lang, &[&p.rounding.describe_in(lang)])) }
                @for pre in &p.preconditions {
                    li { (d::D_PRECONDITION.fill(lang, &[&pre.field, &pre.equals, &pre.reason])) }
                }
            }
            @if v.previous.is_none() { p.note #no-previous { (b::B_NO_PREVIOUS.get(lang)) } }
        }
    }
}

/// What changed since the previous version, when there is one: the engine's diff rows
fn changes_section(v: &Browse<'_>) -> Markup {
    let Some((old, rows)) = v.previous else {
        return html! {};
    };
    let lang = v.lang;
    let from = b::B_CHANGES_FROM.fill(lang, &[&old.version, &old.fingerprint, &v.pack.version]);
    html! {
        section.changes #changes aria-labelledby="changes-h" {
            h2 #changes-h { (b::B_CHANGES.get(lang)) }
            p { (from) }
            @if rows.is_empty() {
                p #no-changes { (b::B_NO_CHANGES.get(lang)) }
            } @else {
                (scroller(b::B_CHANGES.get(lang), html! {
                    table {
                        thead { tr {
                            th scope="col" { (m::COL_CLAUSE.get(lang)) }
                            th scope="col" { (m::COL_ARTICLE.get(lang)) }
                            th scope="col" { (m::DIFF_ITEM.get(lang)) }
                            th scope="col" { (m::DIFF_OLD.get(lang)) }
                            th scope="col" { (m::DIFF_NEW.get(lang)) }
                        } }
                        tbody {
                            @for r in rows.iter() { (change_row(r, v.pack, lang)) }
                        }
                    }
                }))
            }
        }
    }
}

fn change_row(r: &Revision, pack: &Pack, lang: Lang) -> Markup {
    let here = r
        .clause
        .as_deref()
        .filter(|id| pack.clause(id).is_some() || pack.settlement.iter().any(|s| s.id == *id));
    html! {
        tr data-item=(r.item) data-clause=[r.clause.as_deref()] {
            td {
                @match (&r.clause, here) {
                    (None, _) => (m::DIFF_PACK.get(lang)),
                    (Some(id), Some(_)) => a href={ "#" (id) } { code { (id) } },
                    (Some(id), None) => { code { (id) } " " (b::B_REMOVED.get(lang)) },
                }
            }
            td { (r.article.as_deref().unwrap_or_default()) }
            td { code { (r.item) } }
            @if r.item == "script" {
                td colspan="2" {
                    (b::B_SCRIPT_CHANGED.get(lang))
                    details { summary { (b::B_SHOW_OLD.get(lang)) } pre { code { (r.old) } } }
                    details { summary { (b::B_SHOW_NEW.get(lang)) } pre { code { (r.new) } } }
                }
            } @else {
                td.old { (r.old) }
                td.new { (r.new) }
            }
        }
    }
}

/// A table in a box that scrolls sideways on a narrow screen rather than widening the page;
/// focusable so a keyboard can scroll it too
fn scroller(label: &str, table: Markup) -> Markup {
    html! {
        div.table role="region" tabindex="0" aria-label=(label) { (table) }
    }
}

/// The table of contents: each clause and the settlement rules, as links to their sections
fn toc(pack: &Pack, lang: Lang) -> Markup {
    html! {
        nav.toc #toc aria-labelledby="toc-h" {
            h2 #toc-h { (b::B_TOC.get(lang)) }
            ol {
                @for c in &pack.clauses {
                    li { a href={ "#" (c.id) } { (c.article) " " (c.title) } }
                }
                @if !pack.settlement.is_empty() {
                    li { a href="#settlement" { (d::D_SETTLEMENT.get(lang)) } }
                }
            }
        }
    }
}

fn clause_section(c: &Clause, v: &Browse<'_>) -> Markup {
    let lang = v.lang;
    let heading = format!("{}-h", c.id);
    let rules: Vec<&SettlementRule> = v
        .pack
        .settlement
        .iter()
        .filter(|r| r.covers(&c.id))
        .collect();
    let limits = limits_in(c, lang);
    html! {
        section.clause id=(c.id) aria-labelledby=(heading) {
            h2 id=(heading) { span.article { (c.article) } " " (c.title) " " small.id { code { (c.id) } } }
            blockquote.source lang="zh-CN" { (c.text) }
            p.kind { (b::B_KIND.fill(lang, &[&kind_title(v.pack, &c.kind, lang)])) }
            (parameters(&c.id, &c.parameters, v.year, lang, false))
            @if !limits.is_empty() {
                h3 { (b::B_LIMITS.get(lang)) }
                ul.limits { @for l in &limits { li { (l) } } }
            }
            @if let Some(n) = &c.notes {
                p.notes lang="zh-CN" { (d::D_NOTES.fill(lang, &[&n.trim()])) }
            }
            @if !rules.is_empty() {
                h3 { (b::B_RULES_OF.get(lang)) }
                ul.rules-of {
                    @for r in &rules {
                        li { a href={ "#" (r.id) } { (r.article) " " (r.title) } (colon(lang)) span { (r.describe_in(lang)) } }
                    }
                }
            }
            h3 { (b::B_EXAMPLES.get(lang)) }
            (examples(c, v))
            p.top { a href=(with_lang(lang, "/clauses")) { (b::B_BACK_TO_TOC.get(lang)) } }
        }
    }
}

/// The kind's title and its name, e.g. `购买市外先进技术成果在宿转化（tech_transfer）`
fn kind_title(pack: &Pack, kind: &str, lang: Lang) -> String {
    match pack.kinds.iter().find(|k| k.name == kind) {
        Some(k) if k.title != k.name => match lang {
            Lang::Zh => format!("{}（{kind}）", k.title),
            Lang::En => format!("{} ({kind})", k.title),
        },
        _ => kind.to_string(),
    }
}

/// A clause's or rule's parameters: name, value(s) by year with the unit, description; then
/// each band table. `nested`: under a rule's h3, so the heading is an h4
fn parameters(owner: &str, ps: &[Parameter], year: i64, lang: Lang, nested: bool) -> Markup {
    if ps.is_empty() {
        return html! { p.hint { (b::B_NO_PARAMETERS.get(lang)) } };
    }
    html! {
        @if nested { h4 { (b::B_PARAMETERS.get(lang)) } } @else { h3 { (b::B_PARAMETERS.get(lang)) } }
        (scroller(&format!("{owner}{}{}", colon(lang), b::B_PARAMETERS.get(lang)), html! {
            table.params {
                thead { tr {
                    th scope="col" { (m::COL_PARAMETER.get(lang)) }
                    th scope="col" { (m::COL_VALUE.get(lang)) }
                    th scope="col" { (m::COL_UNIT.get(lang)) }
                    th scope="col" { (m::COL_DESCRIPTION.get(lang)) }
                } }
                tbody {
                    @for p in ps {
                        tr data-parameter={ (owner) "." (p.name) } {
                            th scope="row" { code { (owner) "." (p.name) } }
                            td.value { (values(p, year, lang)) }
                            td.unit { (m::unit(p, lang)) }
                            td lang="zh-CN" { (p.description) }
                        }
                    }
                }
            }
        }))
        @for (title, header, rows) in band_tables(owner, ps, Some(lang)) {
            (scroller(&title, html! {
                table.bands {
                    caption { (title) }
                    thead { tr { @for h in &header { th scope="col" { (h) } } } }
                    tbody { @for row in &rows { tr { @for cell in row { td { (cell) } } } } }
                }
            }))
        }
    }
}

/// A plain value with its unit, or a timeline: each value from its year, the one in force this
/// year marked
fn values(p: &Parameter, year: i64, lang: Lang) -> Markup {
    if !p.is_timeline() {
        return html! { @for dv in &p.values { (p.show_in(&dv.value, lang)) } };
    }
    let now = p.value_for(Some(year));
    html! {
        ul.timeline {
            @for dv in &p.values {
                @let current = now.is_some_and(|n| std::ptr::eq(n, &dv.value));
                li.current[current] {
                    @if let Some(from) = dv.from { (b::B_FROM_YEAR.fill(lang, &[&from])) (colon(lang)) }
                    (p.show_in(&dv.value, lang))
                    @if current { " " strong { (b::B_IN_FORCE.fill(lang, &[&year])) } }
                }
            }
        }
    }
}

/// The pack's test cases this clause decided: the facts, the outcome and the amount
fn examples(c: &Clause, v: &Browse<'_>) -> Markup {
    let lang = v.lang;
    let all = match v.examples {
        Ok(all) => all,
        Err(why) => return html! { p.problems { (b::B_EXAMPLES_FAILED.fill(lang, &[&why])) } },
    };
    let mine = examples_of(c, all);
    // The engine writes its reasons in the pack's language, whatever the page's.
    let shown = v.pack.shown_language();
    let (reasons_lang, reasons_lang_sep) = (shown.pick("zh-CN", "en"), shown.pick("；", "; "));
    if mine.is_empty() {
        return html! { p.hint { (b::B_NO_EXAMPLES.get(lang)) } };
    }
    html! {
        (scroller(&format!("{}：{}", c.id, b::B_COL_CASE.get(lang)), html! {
            table.examples {
                thead { tr {
                    th scope="col" { (b::B_COL_CASE.get(lang)) }
                    th scope="col" { (m::COL_ID.get(lang)) }
                    th scope="col" { (b::B_COL_FACTS.get(lang)) }
                    th scope="col" { (b::B_COL_STATUS.get(lang)) }
                    th scope="col" { (b::B_COL_AMOUNT.get(lang)) }
                    th scope="col" { (b::B_COL_REASONS.get(lang)) }
                } }
                tbody {
                    @for (e, rows) in &mine {
                        @for r in rows {
                            tr.example data-id=[r.decision.id.as_deref()] {
                                td lang="zh-CN" {
                                    (e.case)
                                    @if !e.overrides.is_empty() { " " small { "[" (e.overrides.join(", ")) "]" } }
                                }
                                td { code { (r.decision.id.as_deref().unwrap_or("-")) } }
                                td.facts { ul { @for f in &r.facts { li { (f) } } } }
                                td.status { (m::status(r.decision.status, lang)) }
                                td.amount data-yuan=(r.decision.amount) { (group_thousands(r.decision.amount)) }
                                td.reasons lang=(reasons_lang) { (r.decision.reasons.join(reasons_lang_sep)) }
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// A colon as each language writes it
fn colon(lang: Lang) -> &'static str {
    lang.pick("：", ": ")
}

/// A settlement rule: its article, sentence, what it does and its parameters
fn rule_block(r: &SettlementRule, year: i64, lang: Lang) -> Markup {
    let heading = format!("{}-h", r.id);
    html! {
        section.rule id=(r.id) aria-labelledby=(heading) {
            h3 id=(heading) { span.article { (r.article) } " " (r.title) " " small.id { code { (r.id) } } }
            blockquote.source lang="zh-CN" { (r.text) }
            p { (d::D_RULE.fill(lang, &[&r.kind_name(), &r.describe_in(lang)])) }
            @if !r.parameters.is_empty() {
                (parameters(&r.id, &r.parameters, year, lang, true))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> policy_engine::Engine {
        let pack = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        policy_engine::Engine::load(pack).expect("the Suzhou pack loads")
    }

    #[test]
    fn every_clause_has_its_section_and_toc_link() {
        let e = engine();
        let ex = e.examples().expect("examples");
        let page = clauses_page(&Browse {
            pack: e.pack(),
            examples: Ok(&ex),
            previous: None,
            year: 2026,
            lang: Lang::Zh,
        })
        .into_string();
        for c in &e.pack().clauses {
            assert!(page.contains(&format!("<section class=\"clause\" id=\"{}\"", c.id)));
            assert!(page.contains(&format!("<a href=\"#{}\">", c.id)));
        }
        assert!(page.contains("id=\"no-previous\""));
    }
}
