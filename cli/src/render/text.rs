//! Aligned text for people, for every command that prints a table or a report in text.
//!
//! Decisions with totals per clause, explanations, clause lists, comparisons, sweeps,
//! targets, test runs and revision tables.

use rust_decimal::Decimal;

use policy_engine::{
    group_thousands, BudgetLine, Clause, Decision, Explanation, Lang, Pack, Parameter, Progress,
    Revision, ScenarioComparison, Status, SweepPoint, TestReport, Totals, Value,
};

use unicode_width::UnicodeWidthStr;

use super::table::{Align, Table};
use super::{changed_scripts, progress_cells, wan_shown};
use crate::effect::Effect;
use crate::messages as m;

/// The most display columns a reason takes in the table unless `--wide`: with the id, clause,
/// status and amounts beside it, a row fits a 130-column terminal
const REASON_WIDTH: usize = 60;

/// `text` cut to `width` display columns (CJK counts two), with "…" where it was cut
fn shortened(text: &str, width: usize) -> (String, bool) {
    if text.width() <= width {
        return (text.to_string(), false);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    (out, true)
}

pub fn decisions_table(
    pack: &Pack,
    decisions: &[Decision],
    totals: &Totals,
    lang: Lang,
    wide: bool,
) -> String {
    let mut cut_any = false;
    let mut t = Table::new(&[
        (m::COL_ID.get(lang), Align::Left),
        (m::COL_CLAUSE.get(lang), Align::Left),
        (m::COL_STATUS.get(lang), Align::Left),
        (m::COL_YUAN.get(lang), Align::Right),
        (m::COL_WAN.get(lang), Align::Right),
        (m::COL_REASONS.get(lang), Align::Left),
    ]);
    for d in decisions {
        t.row(vec![
            d.id.clone().unwrap_or_else(|| m::NO_ID.get(lang).into()),
            d.clause.clone().unwrap_or_else(|| "-".into()),
            m::status(d.status, lang).to_string(),
            group_thousands(d.amount),
            wan_shown(d.amount),
            {
                let all = d.reasons.join(lang.pick("；", "; "));
                // An error's reason is what to fix: never cut.
                if wide || d.status == Status::Error {
                    all
                } else {
                    let (text, cut) = shortened(&all, REASON_WIDTH);
                    cut_any |= cut;
                    text
                }
            },
        ]);
    }
    let mut out = format!("{}（{}）\n\n", pack.title, pack.version);
    out.push_str(&t.render());
    if cut_any {
        out.push_str(m::SHORTENED.get(lang));
        out.push('\n');
    }
    out.push('\n');

    // `superseded` only comes from settlement rules: a column only where the pack has some.
    let settles = !pack.settlement.is_empty();
    let mut statuses = vec![Status::Awarded, Status::Ineligible, Status::Capped];
    if settles {
        statuses.push(Status::Superseded);
    }
    statuses.push(Status::Error);
    let mut columns = vec![
        (m::COL_CLAUSE.get(lang), Align::Left),
        (m::COL_ARTICLE.get(lang), Align::Left),
        (m::COL_TITLE.get(lang), Align::Left),
        (m::COL_APPLICATIONS.get(lang), Align::Right),
    ];
    columns.extend(statuses.iter().map(|s| (m::status(*s, lang), Align::Right)));
    columns.extend([
        (m::COL_YUAN.get(lang), Align::Right),
        (m::COL_WAN.get(lang), Align::Right),
    ]);
    let mut s = Table::new(&columns);
    let mut add = |label: String, article: String, title: String, of: Vec<&Decision>| {
        let count = |st: Status| of.iter().filter(|d| d.status == st).count().to_string();
        let amount = policy_engine::awarded_total(of.iter().copied(), pack.rounding);
        let mut row = vec![label, article, title, of.len().to_string()];
        row.extend(statuses.iter().map(|st| count(*st)));
        row.extend([group_thousands(amount), wan_shown(amount)]);
        s.row(row);
    };
    for c in &pack.clauses {
        let of: Vec<&Decision> = decisions
            .iter()
            .filter(|d| d.clause.as_deref() == Some(c.id.as_str()))
            .collect();
        add(c.id.clone(), c.article.clone(), c.title.clone(), of);
    }
    let unassigned: Vec<&Decision> = decisions.iter().filter(|d| d.clause.is_none()).collect();
    if !unassigned.is_empty() {
        add(
            m::NO_CLAUSE.get(lang).into(),
            "-".into(),
            String::new(),
            unassigned,
        );
    }
    add(
        m::ROW_TOTAL.get(lang).into(),
        String::new(),
        String::new(),
        decisions.iter().collect(),
    );
    out.push_str(m::TOTALS_BY_CLAUSE.get(lang));
    out.push_str("\n\n");
    out.push_str(&s.render());
    out.push('\n');
    out.push_str(&m::RUN_SUMMARY.fill(
        lang,
        &[
            &totals.applications,
            &totals.awarded,
            &group_thousands(totals.amount),
            &wan_shown(totals.amount),
        ],
    ));
    out.push('\n');
    out
}

pub fn explanation_text(pack: &Pack, e: &Explanation, lang: Lang) -> String {
    let d = &e.decision;
    let mut out = String::new();
    let id = d.id.as_deref().unwrap_or(m::NO_ID.get(lang));
    let kind = d.kind.as_deref().unwrap_or("?");
    let line = |out: &mut String, text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(&mut out, m::EX_APPLICATION.fill(lang, &[&id, &kind]));
    line(
        &mut out,
        m::EX_DECISION.fill(
            lang,
            &[
                &m::status(d.status, lang),
                &group_thousands(d.amount),
                &wan_shown(d.amount),
            ],
        ),
    );
    if let Some(c) = &e.clause {
        out.push('\n');
        line(
            &mut out,
            m::EX_CLAUSE.fill(lang, &[&c.id, &c.article, &c.title]),
        );
        line(&mut out, m::EX_TEXT.fill(lang, &[&c.text]));
    }
    let absent = m::EX_ABSENT.get(lang);
    if !e.parameters.is_empty() {
        out.push('\n');
        line(&mut out, m::EX_PARAMETERS.get(lang).into());
        let mut t = Table::new(&[("", Align::Left), ("", Align::Left), ("", Align::Left)]);
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
        out.push('\n');
        line(&mut out, m::EX_FACTS.get(lang).into());
        let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
        for f in &e.facts {
            t.row(vec![
                format!("  {}", f.field),
                f.value.clone().unwrap_or_else(|| absent.into()),
            ]);
        }
        out.push_str(&skip_header(&t.render()));
    }
    if !e.steps.is_empty() {
        out.push('\n');
        line(&mut out, m::EX_ARITHMETIC.get(lang).into());
        for s in &e.steps {
            out.push_str(&format!("  {s}\n"));
        }
    }
    if let Some(l) = &e.limit {
        let value =
            |k: &policy_engine::KeyApplied| k.value.clone().unwrap_or_else(|| absent.into());
        let ranked = match (lang, l.keys.as_slice()) {
            (Lang::Zh, [k]) => format!("按 {} {}排名（同分按编号升序）", k.field, k.order.words()),
            (Lang::Zh, keys) => format!(
                "依次按 {}排名（均相同按编号升序）",
                keys.iter()
                    .map(|k| format!("{}（本项 {}）{}", k.field, value(k), k.order.words()))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            (Lang::En, [k]) => format!("ranked by {} {} (ties by id)", k.field, k.order.words_en()),
            (Lang::En, keys) => format!(
                "ranked by {} (all equal: by id)",
                keys.iter()
                    .map(|k| format!("{} ({}) {}", k.field, value(k), k.order.words_en()))
                    .collect::<Vec<_>>()
                    .join(", then ")
            ),
        };
        let verdict = if (l.place as i64) > l.max {
            m::EX_OVER_LIMIT.get(lang)
        } else {
            m::EX_WITHIN_LIMIT.get(lang)
        };
        out.push('\n');
        line(
            &mut out,
            m::EX_LIMIT.fill(
                lang,
                &[&l.group, &ranked, &l.place, &l.of, &l.max, &verdict],
            ),
        );
    }
    // The chain: the clause's own amount first; the rules' reasons follow in order below.
    if let Some(st) = e.settlement.as_ref().filter(|st| st.changed(d)) {
        let ids: Vec<&str> = st.rules.iter().map(|r| r.id.as_str()).collect();
        out.push('\n');
        line(
            &mut out,
            m::EX_SETTLEMENT.fill(
                lang,
                &[
                    &group_thousands(st.before_amount),
                    &m::status(st.before_status, lang),
                    &group_thousands(d.amount),
                    &m::status(d.status, lang),
                    &ids.join(" → "),
                ],
            ),
        );
    }
    out.push('\n');
    line(&mut out, m::EX_REASONS.get(lang).into());
    for r in &d.reasons {
        out.push_str(&format!("  - {r}\n"));
    }
    if !e.printed.is_empty() {
        out.push('\n');
        line(&mut out, m::EX_PRINTED.get(lang).into());
        for p in &e.printed {
            out.push_str(&format!("  {p}\n"));
        }
    }
    out.push('\n');
    line(
        &mut out,
        m::EX_PACK.fill(lang, &[&pack.id, &pack.version, &pack.fingerprint]),
    );
    out
}

/// Drops a table's header and rule, for indented key–value lists
fn skip_header(rendered: &str) -> String {
    rendered.lines().skip(2).map(|l| format!("{l}\n")).collect()
}

pub fn clauses_text(pack: &Pack, lang: Lang) -> String {
    let mut out = format!(
        "{}\n{} · {} · {}\n\n",
        pack.title, pack.issuer, pack.status, pack.version
    );
    let mut t = Table::new(&[
        (m::COL_CLAUSE.get(lang), Align::Left),
        (m::COL_ARTICLE.get(lang), Align::Left),
        (m::COL_PARAMETER.get(lang), Align::Left),
        (m::COL_VALUE.get(lang), Align::Right),
        (m::COL_UNIT.get(lang), Align::Left),
        (m::COL_DESCRIPTION.get(lang), Align::Left),
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
                value_cell(p),
                m::unit(p, lang),
                p.description.clone(),
            ]);
        }
    }
    for r in &pack.settlement {
        for (i, p) in r.parameters.iter().enumerate() {
            let (id, article) = if i == 0 {
                (r.id.clone(), r.article.clone())
            } else {
                (String::new(), String::new())
            };
            t.row(vec![
                id,
                article,
                p.name.clone(),
                p.written(),
                m::unit(p, lang),
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
        for p in c.parameters.iter() {
            out.push_str(&band_tables(c, p));
        }
        if let Some(cap) = &c.cap {
            out.push_str(&format!("  单项上限 cap: {}.{}\n", c.id, cap));
        }
        if let Some(l) = &c.count_limit {
            let keys: Vec<String> = l
                .rank_by
                .iter()
                .map(|k| format!("{} {}", k.field, k.order.words()))
                .collect();
            let ranked = match keys.as_slice() {
                [k] => format!("按 {k}、同分按编号"),
                _ => format!("依次按 {}、均相同按编号", keys.join("、")),
            };
            out.push_str(&format!(
                "  限额 count limit: 每组（{}）{}，不超过 {}.{} 项\n",
                l.per.join(", "),
                ranked,
                c.id,
                l.max
            ));
        }
        if !c.depends_on.is_empty() {
            out.push_str(&format!(
                "  依赖 depends on: {}（读取同一申报单位同期在这些条款下的奖励）
",
                c.depends_on.join(", ")
            ));
        }
    }
    if !pack.settlement.is_empty() {
        out.push_str("\n结算规则 settlement（按所列顺序依次适用）\n");
        for r in &pack.settlement {
            out.push_str(&format!(
                "{}  {}  {}\n  {}\n",
                r.id,
                r.article,
                r.title,
                r.describe()
            ));
        }
    }
    out
}

/// A parameter's value in the clause list: as written, or for a band table how many bands
/// (the bands follow under the clause)
fn value_cell(p: &Parameter) -> String {
    let bands = |v: &Value| match v {
        Value::Bands(b) => Some(format!("{} 档 bands", b.bands.len())),
        _ => None,
    };
    let parts: Option<Vec<String>> = p
        .values
        .iter()
        .map(|d| {
            bands(&d.value).map(|n| match d.from {
                None => n,
                Some(y) => format!("{y}: {n}"),
            })
        })
        .collect();
    parts.map_or_else(|| p.written(), |parts| parts.join(", "))
}

/// A band table parameter's bands, one table for each year of a timeline, indented under its
/// clause: each band's number (as `--set` names it), threshold and value as written
fn band_tables(c: &Clause, p: &Parameter) -> String {
    let mut out = String::new();
    for d in &p.values {
        let Value::Bands(b) = &d.value else {
            continue;
        };
        let year = d.from.map(|y| format!("，{y} 年起")).unwrap_or_default();
        out.push_str(&format!(
            "  分档 bands {}.{}{year}（{}：{}）\n",
            c.id,
            p.name,
            b.method.name(),
            b.method.words()
        ));
        let from = format!("起点 from（{}）", b.of.name());
        let value = format!("取值 value（{}）", b.gives.name());
        let mut t = Table::new(&[
            ("档 band", Align::Left),
            (from.as_str(), Align::Right),
            (value.as_str(), Align::Right),
        ]);
        for (i, band) in b.bands.iter().enumerate() {
            t.row(vec![
                format!("[{}]", i + 1),
                band.from.to_string(),
                band.value.to_string(),
            ]);
        }
        for line in t.render().lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

fn percent(p: Option<Decimal>) -> String {
    match p {
        Some(p) if p > Decimal::ZERO => format!("+{p}%"),
        Some(p) => format!("{p}%"),
        None => "-".into(),
    }
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", group_thousands(d))
    } else {
        group_thousands(d)
    }
}

fn lines_table(first: &str, lines: &[&BudgetLine], lang: Lang) -> String {
    let mut t = Table::new(&[
        (first, Align::Left),
        (m::CMP_BASE_AWARDED.get(lang), Align::Right),
        (m::CMP_SCEN_AWARDED.get(lang), Align::Right),
        (m::CMP_BASE_YUAN.get(lang), Align::Right),
        (m::CMP_SCEN_YUAN.get(lang), Align::Right),
        (m::CMP_CHANGE_YUAN.get(lang), Align::Right),
        (m::CMP_CHANGE_PCT.get(lang), Align::Right),
    ]);
    for l in lines {
        t.row(vec![
            l.key.clone(),
            l.baseline_awarded.to_string(),
            l.scenario_awarded.to_string(),
            group_thousands(l.baseline_amount),
            group_thousands(l.scenario_amount),
            signed(l.change),
            percent(l.percent),
        ]);
    }
    t.render()
}

pub fn comparisons_table(pack: &Pack, comparisons: &[ScenarioComparison], lang: Lang) -> String {
    let mut out = format!(
        "{}\n",
        m::CMP_BASELINE.fill(lang, &[&pack.id, &pack.version, &pack.fingerprint])
    );
    let list = |ids: &[String]| {
        if ids.is_empty() {
            m::CMP_NONE.get(lang).to_string()
        } else {
            ids.join(lang.pick("、", ", "))
        }
    };
    for c in comparisons {
        out.push_str(&format!(
            "\n{}\n",
            m::CMP_SCENARIO.fill(lang, &[&c.scenario])
        ));
        out.push_str(&format!(
            "{}\n",
            m::CMP_FINGERPRINT.fill(lang, &[&c.fingerprint])
        ));
        out.push_str(&format!(
            "{}\n",
            m::CMP_CLAUSES_CHANGED.fill(lang, &[&list(&c.changed_clauses)])
        ));
        if !c.changed_rules.is_empty() {
            out.push_str(&format!(
                "{}\n",
                m::CMP_RULES_CHANGED.fill(lang, &[&list(&c.changed_rules)])
            ));
        }
        out.push('\n');
        let mut by_clause: Vec<&BudgetLine> = c.by_clause.iter().collect();
        by_clause.push(&c.total);
        out.push_str(&format!("{}\n", m::CMP_BY_CLAUSE.get(lang)));
        out.push_str(&lines_table(m::COL_CLAUSE.get(lang), &by_clause, lang));
        let mut by_year: Vec<&BudgetLine> = c.by_year.iter().collect();
        by_year.push(&c.total);
        out.push_str(&format!("\n{}\n", m::CMP_BY_YEAR.get(lang)));
        out.push_str(&lines_table(m::CMP_YEAR.get(lang), &by_year, lang));
        out.push_str(&format!(
            "\n{}\n",
            m::CMP_WINNERS.fill(lang, &[&c.winners, &c.losers, &c.unchanged])
        ));
        if let (Some(w), Some(l)) = (c.winning_applicants, c.losing_applicants) {
            // With settlement rules one applicant's awards move together: count applicants too.
            out.push_str(&format!("{}\n", m::CMP_BY_APPLICANT.fill(lang, &[&w, &l])));
        }
        if !c.largest.is_empty() {
            out.push_str(&format!(
                "\n{}\n",
                m::CMP_LARGEST.fill(lang, &[&c.largest.len()])
            ));
            let mut t = Table::new(&[
                (m::COL_ID.get(lang), Align::Left),
                (m::COL_CLAUSE.get(lang), Align::Left),
                (m::CMP_BASELINE_COL.get(lang), Align::Left),
                (m::CMP_SCENARIO_COL.get(lang), Align::Left),
                (m::CMP_BASE_AMOUNT.get(lang), Align::Right),
                (m::CMP_SCEN_AMOUNT.get(lang), Align::Right),
                (m::CMP_CHANGE_YUAN.get(lang), Align::Right),
            ]);
            for a in &c.largest {
                t.row(vec![
                    a.id.clone().unwrap_or_else(|| m::NO_ID.get(lang).into()),
                    a.clause.clone().unwrap_or_else(|| "-".into()),
                    m::status(a.baseline_status, lang).to_string(),
                    m::status(a.scenario_status, lang).to_string(),
                    group_thousands(a.baseline_amount),
                    group_thousands(a.scenario_amount),
                    signed(a.change),
                ]);
            }
            out.push_str(&t.render());
        }
    }
    out
}

pub fn sweep_table(pack: &Pack, param: &str, points: &[SweepPoint], lang: Lang) -> String {
    let mut header: Vec<(String, Align)> = vec![
        (param.to_string(), Align::Right),
        (m::SWEEP_AWARDED.get(lang).into(), Align::Right),
        (m::SWEEP_TOTAL.get(lang).into(), Align::Right),
        (m::COL_WAN.get(lang).into(), Align::Right),
    ];
    header.extend(pack.clauses.iter().map(|c| (c.id.clone(), Align::Right)));
    let refs: Vec<(&str, Align)> = header.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut t = Table::new(&refs);
    for p in points {
        let mut row = vec![
            p.value.clone(),
            p.awarded.to_string(),
            group_thousands(p.amount),
            wan_shown(p.amount),
        ];
        row.extend(p.by_clause.iter().map(|c| group_thousands(c.amount)));
        t.row(row);
    }
    format!(
        "{}\n\n{}",
        m::SWEEP_TITLE.fill(lang, &[&pack.id, &pack.version, &param]),
        t.render()
    )
}

/// A target's comparison in words: 左右 / 以上 / 突破
fn comparison_in(c: policy_engine::TargetComparison, lang: Lang) -> &'static str {
    use policy_engine::TargetComparison as T;
    match c {
        T::About => m::TGT_ABOUT.get(lang),
        T::AtLeast => m::TGT_AT_LEAST.get(lang),
        T::Over => m::TGT_OVER.get(lang),
    }
}

pub fn targets_table(pack: &Pack, progress: &[Progress], lang: Lang) -> String {
    let mut t = Table::new(&[
        (m::TGT_TARGET.get(lang), Align::Left),
        (m::TGT_VALUE.get(lang), Align::Right),
        ("", Align::Left),
        (m::TGT_REACHED.get(lang), Align::Right),
        (m::TGT_PROGRESS.get(lang), Align::Right),
        (m::TGT_COUNTED.get(lang), Align::Left),
    ]);
    for p in progress {
        let [reached, percent] = progress_cells(p);
        t.row(vec![
            p.title.clone(),
            format!("{} {}", p.target, p.unit),
            comparison_in(p.comparison, lang).to_string(),
            reached,
            percent,
            if p.counted_from.is_empty() {
                m::TGT_NO_CLAUSE.get(lang).into()
            } else {
                p.counted_from.join(lang.pick("、", ", "))
            },
        ]);
    }
    format!("{}\n\n{}", m::TGT_TITLE.fill(lang, &[&pack.id]), t.render())
}

/// A test run for people: each case, each failure with its explanation, the coverage; the
/// closing `N passed, M failed` line is printed by the caller
pub fn test_report(pack: &Pack, report: &TestReport, lang: Lang) -> String {
    let mut out = String::new();
    for c in &report.cases {
        let place = match c.line {
            Some(l) => format!("{}:{l}", c.file),
            None => c.file.clone(),
        };
        let verdict = if c.passed {
            &m::TEST_PASS
        } else {
            &m::TEST_FAIL
        };
        out.push_str(&format!(
            "{} {place}  {} › {}\n",
            verdict.get(lang),
            c.suite,
            c.case
        ));
        let (expected, actual) = (m::TEST_EXPECTED.get(lang), m::TEST_ACTUAL.get(lang));
        // The two labels padded to one width, so expected and actual line up.
        let width = expected.width().max(actual.width());
        let pad = |s: &str| format!("{s}{}", " ".repeat(width - s.width()));
        for f in &c.failures {
            out.push_str(&format!(
                "  {}: {} {}\n",
                f.id,
                pad(expected),
                m::outcome_words(&f.expected, lang)
            ));
            out.push_str(&format!(
                "  {}  {} {}\n",
                " ".repeat(f.id.width()),
                pad(actual),
                m::outcome_words(&f.actual, lang)
            ));
            if let Some(e) = &f.explanation {
                for line in explanation_text(pack, e, lang).lines() {
                    out.push_str(&format!("    | {line}\n").replace("    | \n", "    |\n"));
                }
            }
        }
    }
    let cov = &report.coverage;
    out.push('\n');
    out.push_str(&m::TEST_COVERAGE.fill(lang, &[&cov.percent, &cov.reached, &cov.total]));
    out.push('\n');
    let missing: Vec<_> = cov.outcomes.iter().filter(|o| !o.reached).collect();
    if !missing.is_empty() {
        out.push_str(m::TEST_NOT_REACHED.get(lang));
        out.push('\n');
        for o in missing {
            out.push_str(&format!("  {:<22} {}\n", o.clause, o.description));
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

pub fn diff_table(
    old: &Pack,
    new: &Pack,
    rows: &[Revision],
    effect: Option<&Effect>,
    lang: Lang,
) -> String {
    let mut out = format!(
        "{}\n\n",
        m::DIFF_TITLE.fill(lang, &[&new.id, &old.version, &new.version])
    );
    if rows.is_empty() {
        out.push_str(&format!("{}\n", m::DIFF_NONE.get(lang)));
    } else {
        let mut t = Table::new(&[
            (m::COL_CLAUSE.get(lang), Align::Left),
            (m::COL_ARTICLE.get(lang), Align::Left),
            (m::DIFF_ITEM.get(lang), Align::Left),
            (m::DIFF_OLD.get(lang), Align::Left),
            (m::DIFF_NEW.get(lang), Align::Left),
        ]);
        for r in rows {
            let is_script = r.item == "script";
            t.row(vec![
                r.clause
                    .clone()
                    .unwrap_or_else(|| m::DIFF_PACK.get(lang).into()),
                r.article.clone().unwrap_or_default(),
                r.item.clone(),
                one_line(&r.old),
                if is_script {
                    m::DIFF_SEE_BELOW.get(lang).into()
                } else {
                    one_line(&r.new)
                },
            ]);
        }
        out.push_str(&t.render());
        for (clause, script) in changed_scripts(rows) {
            out.push_str(&format!(
                "\n{}\n{script}\n",
                m::DIFF_SCRIPT_OF.fill(lang, &[&clause])
            ));
        }
    }
    if let Some(e) = effect {
        out.push_str(&effect_text(e, lang));
    }
    out
}

pub(super) fn effect_text(e: &Effect, lang: Lang) -> String {
    let mut out = format!(
        "\n{}\n",
        m::DIFF_EFFECT.fill(lang, &[&e.changed.len(), &e.old.applications])
    );
    if !e.changed.is_empty() {
        let mut t = Table::new(&[
            (m::COL_ID.get(lang), Align::Left),
            (m::COL_CLAUSE.get(lang), Align::Left),
            (m::DIFF_OLD.get(lang), Align::Left),
            (m::DIFF_NEW.get(lang), Align::Left),
            (m::DIFF_OLD_AMOUNT.get(lang), Align::Right),
            (m::DIFF_NEW_AMOUNT.get(lang), Align::Right),
        ]);
        for r in &e.changed {
            t.row(vec![
                r.id.clone().unwrap_or_else(|| m::NO_ID.get(lang).into()),
                r.clause.clone().unwrap_or_else(|| "-".into()),
                m::status(r.old_status, lang).to_string(),
                m::status(r.new_status, lang).to_string(),
                r.old_amount.clone(),
                r.new_amount.clone(),
            ]);
        }
        out.push_str(&t.render());
    }
    let change = e.new.amount - e.old.amount;
    out.push_str(&format!(
        "{}\n",
        m::DIFF_TOTAL.fill(
            lang,
            &[
                &group_thousands(e.old.amount),
                &group_thousands(e.new.amount),
                &signed(change),
            ]
        )
    ));
    out
}
