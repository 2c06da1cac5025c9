//! Self-contained HTML reports: one file, styles and charts inline, no network, in the reader's
//! language (`Lang`: Chinese for the bundled packs, English with `--lang en`).
//!
//! The bar charts are HTML, not SVG: a label is text in a box, so a long clause title wraps
//! at any width (phone or desktop) instead of being cut, and the bars scale with the page. The
//! sweep's line is SVG. Geometry is computed with `Decimal` like everything else: no float
//! anywhere near an amount, and the same input gives the same bytes.
//!
//! Fonts: no web font is fetched. [`FONT_STACK`] names the CJK fonts a reader's machine has:
//! Noto Sans CJK SC (Debian's `fonts-noto-cjk`), Source Han Sans SC (the same design under
//! Adobe's name), PingFang SC (macOS), Microsoft YaHei (Windows), then WenQuanYi.

use rust_decimal::Decimal;

use policy_engine::{
    group_thousands, BudgetLine, Lang, Pack, Progress, ScenarioComparison, SweepPoint,
};

use super::{progress_cells, wan};
use crate::messages::{self as m, html as w};

/// The fonts of every page, CJK first; `doc --format html` uses it too
pub const FONT_STACK: &str = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Hiragino Sans GB\", \"Microsoft YaHei\", \"WenQuanYi Micro Hei\", \"Noto Sans SC\", sans-serif";

/// Code: a monospace face for the Latin, the CJK stack for Chinese comments and strings
pub const MONO_STACK: &str = "\"DejaVu Sans Mono\", Menlo, Consolas, \"Noto Sans Mono CJK SC\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", monospace";

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `lang` attribute of a page
pub fn html_lang(lang: Lang) -> &'static str {
    lang.pick("zh-CN", "en")
}

/// 万元 on a chart: always two decimals, thousands grouped, so the figures line up
fn chart_wan(d: Decimal) -> String {
    let mut w = wan(d, Some(2));
    w.rescale(2);
    group_thousands(w)
}

/// `value / max * span`, to one decimal, for a coordinate
fn scale(value: Decimal, max: Decimal, span: i64) -> Decimal {
    if max <= Decimal::ZERO || value <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    (value * Decimal::from(span) / max).round_dp(1)
}

/// A bar's width as a CSS percentage of its track (`max` fills the track)
fn percent_of(value: Decimal, max: Decimal) -> String {
    format!("{}%", scale(value, max, 100))
}

/// A legend: one swatch per colour, each with what it means
fn legend(lang: Lang, items: &[(&str, &str)]) -> String {
    let mut h = format!(
        "<ul class=\"legend\" aria-label=\"{}\">",
        escape(w::R_LEGEND.get(lang))
    );
    for (class, text) in items {
        h.push_str(&format!(
            "<li><span class=\"swatch {class}\"></span><span class=\"legend-text\">{}</span></li>",
            escape(text)
        ));
    }
    h.push_str("</ul>\n");
    h
}

/// One bar chart category: what its label shows, and the whole of it for the tooltip
struct Category {
    label: String,
    whole: String,
}

/// Horizontal grouped bars: one row per category (its label wraps), one bar per series, and
/// the figures in a column of their own so no bar runs into them
fn grouped_bars(
    lang: Lang,
    class: &str,
    title: &str,
    categories: &[Category],
    series: &[(&str, &str, Vec<Decimal>)],
) -> String {
    let max = series
        .iter()
        .flat_map(|(_, _, v)| v.iter().copied())
        .max()
        .unwrap_or(Decimal::ZERO);
    let mut h = format!(
        "<figure class=\"chart bars {class}\">\n<figcaption class=\"title\">{}</figcaption>\n",
        escape(title)
    );
    let items: Vec<(&str, &str)> = series.iter().map(|(n, c, _)| (*c, *n)).collect();
    h.push_str(&legend(lang, &items));
    h.push_str("<div class=\"grid\">\n");
    for (ci, cat) in categories.iter().enumerate() {
        h.push_str(&format!(
            "<div class=\"row\"><div class=\"label\" title=\"{}\">{}</div><div class=\"track\">",
            escape(&cat.whole),
            escape(&cat.label)
        ));
        let mut figures = String::new();
        for (name, class, values) in series {
            let v = values.get(ci).copied().unwrap_or(Decimal::ZERO);
            let tip = w::R_BAR_TIP.fill(lang, &[name, &cat.whole, &chart_wan(v)]);
            h.push_str(&format!(
                "<div class=\"bar {class}\" style=\"width:{}\" title=\"{}\"></div>",
                percent_of(v, max),
                escape(&tip)
            ));
            figures.push_str(&format!(
                "<span class=\"value {class}\" title=\"{}\">{}</span>",
                escape(&tip),
                chart_wan(v)
            ));
        }
        h.push_str(&format!(
            "</div><div class=\"values\">{figures}</div></div>\n"
        ));
    }
    h.push_str("</div>\n</figure>\n");
    h
}

/// A line through the points of a sweep (SVG; its title and legend are HTML, so they wrap)
fn line_chart(lang: Lang, title: &str, xs: &[String], ys: &[Decimal], x_label: &str) -> String {
    let (w, h, left, bottom, top) = (520i64, 260i64, 70i64, 40i64, 20i64);
    let plot_w = w - left - 30;
    let plot_h = h - top - bottom;
    // The axis spans the values themselves (a tenth of their range below and above), so a
    // change of a few percent shows as a slope, not a flat line; the labels give the scale.
    let hi_v = ys.iter().copied().max().unwrap_or(Decimal::ZERO);
    let lo_v = ys.iter().copied().min().unwrap_or(Decimal::ZERO);
    let pad = ((hi_v - lo_v) / Decimal::TEN).max(Decimal::ONE);
    let lo = (lo_v - pad).max(Decimal::ZERO);
    let hi = hi_v + pad;
    let n = xs.len().max(1) as i64;
    let x_at = |i: i64| -> Decimal {
        if n == 1 {
            Decimal::from(left + plot_w / 2)
        } else {
            Decimal::from(left) + (Decimal::from(plot_w * i) / Decimal::from(n - 1)).round_dp(1)
        }
    };
    let y_at = |v: Decimal| Decimal::from(top + plot_h) - scale(v - lo, hi - lo, plot_h);
    let mut svg = format!(
        "<figure class=\"chart line\">\n<figcaption class=\"title\">{t}</figcaption>\n{legend}<svg role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">\n<line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" class=\"axis\"/>\n<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" class=\"axis\"/>\n<text x=\"{lx}\" y=\"{ty}\" class=\"label\" text-anchor=\"end\">{m}</text>\n<text x=\"{lx}\" y=\"{b}\" class=\"label\" text-anchor=\"end\">{l}</text>\n<text x=\"{r}\" y=\"{xl}\" class=\"label\" text-anchor=\"end\">{xlab}</text>\n",
        t = escape(title),
        legend = legend(lang, &[("scen", &w::R_SWEEP_CHART.fill(lang, &[&x_label]))]),
        b = top + plot_h,
        r = left + plot_w,
        lx = left - 4,
        ty = top + 4,
        m = chart_wan(hi),
        l = chart_wan(lo),
        xl = h - 4,
        xlab = escape(x_label)
    );
    let points: Vec<String> = ys
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{},{}", x_at(i as i64), y_at(*v)))
        .collect();
    svg.push_str(&format!(
        "<polyline points=\"{}\" class=\"curve\"/>\n",
        points.join(" ")
    ));
    for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
        let cx = x_at(i as i64);
        let cy = y_at(*y);
        svg.push_str(&format!(
            "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"4\" class=\"dot\"><title>{}</title></circle>\n<text x=\"{cx}\" y=\"{}\" class=\"label\" text-anchor=\"middle\">{}</text>\n",
            escape(&w::R_SWEEP_POINT.fill(lang, &[x, &chart_wan(*y)])),
            top + plot_h + 16,
            escape(x)
        ));
    }
    svg.push_str("</svg>\n</figure>\n");
    svg
}

/// One bar per target: the share reached, the target (100%) a dashed line at two thirds of
/// the track; bars stop at 150%. The figures sit in their own column, so the line never
/// crosses a word.
fn progress_chart(lang: Lang, progress: &[Progress]) -> String {
    let mut h = format!(
        "<figure class=\"chart bars targets\">\n<figcaption class=\"title\">{}</figcaption>\n",
        escape(w::R_TARGETS_TITLE.get(lang))
    );
    h.push_str(&legend(
        lang,
        &[
            ("met", w::R_MET.get(lang)),
            ("short", w::R_SHORT.get(lang)),
            ("mark", w::R_MARK.get(lang)),
            ("na", w::R_NOT_MEASURED.get(lang)),
        ],
    ));
    h.push_str("<div class=\"grid\">\n");
    let cap = Decimal::from(150);
    let mark = percent_of(Decimal::ONE_HUNDRED, cap);
    for p in progress {
        h.push_str(&format!(
            "<div class=\"row\"><div class=\"label\" title=\"{t}\">{t}</div><div class=\"track\"><div class=\"mark\" style=\"left:{mark}\"></div>",
            t = escape(&p.title)
        ));
        match (p.reached, p.percent) {
            (Some(r), Some(pct)) => {
                let class = if p.met == Some(true) { "met" } else { "short" };
                let figure = format!("{r} / {} {}{}", p.target, p.unit, paren(lang, &format!("{pct}%")));
                h.push_str(&format!(
                    "<div class=\"bar {class}\" style=\"width:{}\" title=\"{f}\"></div></div><div class=\"values\"><span class=\"value\">{f}</span></div></div>\n",
                    percent_of(pct.min(cap), cap),
                    f = escape(&figure)
                ));
            }
            _ => h.push_str(&format!(
                "<div class=\"bar na\" style=\"width:0%\"></div></div><div class=\"values\"><span class=\"value na\" title=\"{}\">{}</span></div></div>\n",
                escape(w::R_NOT_MEASURED.get(lang)),
                escape(&w::R_NOT_MEASURED_ROW.fill(lang, &[&p.target, &p.unit]))
            )),
        }
    }
    h.push_str("</div>\n</figure>\n");
    h
}

/// `text` in brackets: full-width ones after Chinese, `(…)` after a space in English
fn paren(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("（{text}）"),
        Lang::En => format!(" ({text})"),
    }
}

/// A change with its sign: `+1,000.00` for an increase, `-1,000.00` for a decrease
fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", group_thousands(d))
    } else {
        group_thousands(d)
    }
}

/// A clause as a table names it: its title with its id, or the key where the pack has none
fn clause_name(pack: &Pack, key: &str) -> String {
    match pack.clause(key) {
        Some(c) => format!("{}（{}）", c.title, c.id),
        None => key.to_string(),
    }
}

/// A table with its header; wide tables scroll inside their own box on a narrow screen, and a
/// box that scrolls takes the keyboard's focus (to be scrolled without a mouse) and so a name
fn table_open(name: &str, headers: &[&str]) -> String {
    let mut h = format!(
        "<div class=\"table\" role=\"region\" tabindex=\"0\" aria-label=\"{}\"><table><thead><tr>",
        escape(name)
    );
    for t in headers {
        h.push_str(&format!("<th>{}</th>", escape(t)));
    }
    h.push_str("</tr></thead><tbody>\n");
    h
}

const TABLE_CLOSE: &str = "</tbody></table></div>\n";

/// A table's name for its scrolling box: what it holds, and that it scrolls
fn scrolls(lang: Lang, what: &str) -> String {
    format!(
        "{what}{}",
        lang.pick("（可横向滚动）", " (the table scrolls sideways)")
    )
}

fn lines_html(lang: Lang, lines: &[&BudgetLine], pack: &Pack) -> String {
    let mut h = table_open(
        crate::messages::whatif::WI_TABLE_BUDGET.get(lang),
        &[
            m::COL_CLAUSE.get(lang),
            w::R_COL_BASE_AWARDED.get(lang),
            w::R_COL_SCEN_AWARDED.get(lang),
            w::R_COL_BASE_YUAN.get(lang),
            w::R_COL_SCEN_YUAN.get(lang),
            w::R_COL_CHANGE_YUAN.get(lang),
            w::R_COL_CHANGE_PCT.get(lang),
        ],
    );
    for l in lines {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&clause_name(pack, &l.key)),
            l.baseline_awarded,
            l.scenario_awarded,
            group_thousands(l.baseline_amount),
            group_thousands(l.scenario_amount),
            signed(l.change),
            l.percent
                .map(|p| if p > Decimal::ZERO { format!("+{p}%") } else { format!("{p}%") })
                .unwrap_or_else(|| "-".into())
        ));
    }
    h.push_str(TABLE_CLOSE);
    h
}

fn progress_table(lang: Lang, progress: &[Progress]) -> String {
    let mut h = table_open(
        &scrolls(lang, w::R_TARGETS_TITLE.get(lang)),
        &[
            w::R_COL_TARGET.get(lang),
            w::R_COL_TARGET_VALUE.get(lang),
            w::R_COL_REACHED.get(lang),
            w::R_COL_PROGRESS.get(lang),
            w::R_COL_COUNTED_FROM.get(lang),
        ],
    );
    for p in progress {
        let [reached, percent] = progress_cells(p);
        let how = match p.comparison {
            policy_engine::TargetComparison::About => w::R_ABOUT,
            policy_engine::TargetComparison::AtLeast => w::R_AT_LEAST,
            policy_engine::TargetComparison::Over => w::R_OVER,
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&p.title),
            escape(&format!(
                "{} {}{}",
                p.target,
                p.unit,
                paren(lang, how.get(lang))
            )),
            reached,
            percent,
            escape(&p.counted_from.join(", "))
        ));
    }
    h.push_str(TABLE_CLOSE);
    h
}

/// The charts' styles: the reports inline them, the what-if page serves them as a stylesheet
pub(crate) const CHART_CSS: &str = r#"figure.chart { margin: 1.5em 0; }
figure.chart .title { font-weight: bold; font-size: 0.95em; margin-bottom: 0.3em; }
.legend { list-style: none; padding: 0; margin: 0 0 0.5em; display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; font-size: 0.8em; }
.legend li { display: flex; align-items: center; gap: 0.4em; }
.swatch { display: inline-block; width: 12px; height: 12px; flex: none; }
.swatch.mark { width: 0; height: 14px; border-left: 2px dashed #444; }
.swatch.na { background: #fff; border: 1px solid #999; box-sizing: border-box; }
.bars .grid { display: grid; grid-template-columns: minmax(6em, 15em) minmax(3em, 1fr) auto; gap: 6px 8px; align-items: center; font-size: 0.8em; }
.bars .row { display: contents; }
.bars .label { text-align: right; }
.bars .track { position: relative; align-self: stretch; display: flex; flex-direction: column; justify-content: center; gap: 2px; }
.bars .bar { height: 12px; min-width: 1px; }
.bars .values { display: flex; flex-direction: column; gap: 2px; white-space: nowrap; font-size: 0.95em; }
.bars .values .value { line-height: 12px; }
.track .mark { position: absolute; top: -3px; bottom: -3px; border-left: 2px dashed #444; }
.base:not(.value) { background: #9aa9bd; } .scen:not(.value) { background: #d9822b; }
.met { background: #3a8f5c; } .short { background: #d9822b; }
.bar.na { background: none; } .value.na { color: #666; }
.chart.line svg { display: block; max-width: 100%; height: auto; }
svg .label { font-size: 12px; }
svg .axis { stroke: #888; }
svg .curve { fill: none; stroke: #d9822b; stroke-width: 2; } svg .dot { fill: #d9822b; }
"#;

/// The styles every report shares
fn styles() -> String {
    format!(
        r#"body {{ font-family: {FONT_STACK}; margin: 2em auto; padding: 0 1em; max-width: 960px; color: #222; line-height: 1.5; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }}
h1, h2, p, figcaption, .label {{ overflow-wrap: anywhere; }}
.meta {{ color: #666; font-size: 0.85em; }}
.table {{ overflow-x: auto; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }}
th, td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; min-width: 8em; }}
td:not(:first-child), th:not(:first-child) {{ white-space: nowrap; }}
{CHART_CSS}@media (max-width: 600px) {{ body {{ margin: 1em auto; }} .bars .grid {{ grid-template-columns: minmax(5em, 35%) minmax(3em, 1fr) auto; }} }}
"#
    )
}

fn page(lang: Lang, title: &str, pack: &Pack, body: &str) -> String {
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
<p class="meta">{pt} · {v} · {fp}</p>
{body}
<script>
// Marks the page once its charts exist, so a headless browser can check it rendered.
(function () {{
  var n = document.querySelectorAll(".chart").length;
  document.body.setAttribute("data-charts", String(n));
}})();
</script>
</body>
</html>
"#,
        hl = html_lang(lang),
        t = escape(title),
        css = styles(),
        pt = escape(&pack.title),
        v = escape(&w::R_VERSION.fill(lang, &[&pack.version])),
        fp = escape(&pack.fingerprint),
    )
}

/// Baseline and scenario amounts as a bar beside a bar, one pair a line of a comparison
fn baseline_beside_scenario(
    lang: Lang,
    class: &str,
    title: &str,
    categories: &[Category],
    lines: &[BudgetLine],
) -> String {
    grouped_bars(
        lang,
        class,
        title,
        categories,
        &[
            (
                w::R_BASELINE.get(lang),
                "base",
                lines.iter().map(|l| l.baseline_amount).collect(),
            ),
            (
                w::R_SCENARIO_SERIES.get(lang),
                "scen",
                lines.iter().map(|l| l.scenario_amount).collect(),
            ),
        ],
    )
}

/// One scenario against the baseline: its heading and description, the charts by clause and by
/// year, the budget table, winners and losers, and the largest changes (the report's section,
/// and the what-if page's result)
pub(crate) fn comparison_html(
    pack: &Pack,
    lang: Lang,
    c: &ScenarioComparison,
    descriptions: &[(String, String)],
) -> String {
    let mut body = String::new();
    body.push_str(&format!(
        "<h2>{}</h2>\n",
        escape(&w::R_SCENARIO.fill(lang, &[&c.scenario]))
    ));
    // What the scenario is for, in the words of whoever wrote it.
    if let Some((_, d)) = descriptions.iter().find(|(n, _)| n == &c.scenario) {
        for para in d.split("\n\n").filter(|p| !p.trim().is_empty()) {
            body.push_str(&format!(
                "<p class=\"description\">{}</p>\n",
                escape(para.trim()).replace('\n', "<br>")
            ));
        }
    }
    body.push_str(&format!(
        "<p class=\"meta\">{} · {}</p>\n",
        escape(&w::R_CHANGED.fill(lang, &[&c.changed_clauses.join(", ")])),
        escape(&c.fingerprint)
    ));
    // A 局长 reads the clause's title, not its id: the whole title, wrapping in its column
    // (with the id in the tooltip and in the table below).
    let cats: Vec<Category> = c
        .by_clause
        .iter()
        .map(|l| match pack.clause(&l.key) {
            Some(cl) => Category {
                label: cl.title.clone(),
                whole: format!("{}（{}）", cl.title, cl.id),
            },
            None => Category {
                label: l.key.clone(),
                whole: l.key.clone(),
            },
        })
        .collect();
    body.push_str(&baseline_beside_scenario(
        lang,
        "by-clause",
        w::R_BY_CLAUSE.get(lang),
        &cats,
        &c.by_clause,
    ));
    let years: Vec<Category> = c
        .by_year
        .iter()
        .map(|l| {
            let y = w::R_YEAR.fill(lang, &[&l.key]);
            Category {
                label: y.clone(),
                whole: y,
            }
        })
        .collect();
    body.push_str(&baseline_beside_scenario(
        lang,
        "by-year",
        w::R_BY_YEAR.get(lang),
        &years,
        &c.by_year,
    ));
    let mut total = c.total.clone();
    total.key = m::ROW_TOTAL.get(lang).to_string();
    let mut lines: Vec<&BudgetLine> = c.by_clause.iter().collect();
    lines.push(&total);
    body.push_str(&lines_html(lang, &lines, pack));
    body.push_str(&format!(
        "<p>{}</p>\n",
        escape(&w::R_WINNERS.fill(lang, &[&c.winners, &c.losers, &c.unchanged]))
    ));
    if !c.largest.is_empty() {
        body.push_str(&table_open(
            crate::messages::whatif::WI_TABLE_LARGEST.get(lang),
            &[
                w::R_LARGEST.get(lang),
                m::COL_CLAUSE.get(lang),
                w::R_BASELINE.get(lang),
                w::R_SCENARIO_SERIES.get(lang),
                w::R_COL_CHANGE_YUAN.get(lang),
            ],
        ));
        for a in &c.largest {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{} {}</td><td>{}</td></tr>\n",
                escape(a.id.as_deref().unwrap_or("-")),
                escape(
                    &a.clause
                        .as_deref()
                        .map_or("-".into(), |k| clause_name(pack, k))
                ),
                m::status(a.baseline_status, lang),
                group_thousands(a.baseline_amount),
                m::status(a.scenario_status, lang),
                group_thousands(a.scenario_amount),
                signed(a.change)
            ));
        }
        body.push_str(TABLE_CLOSE);
    }
    body
}

pub fn compare_report(
    pack: &Pack,
    lang: Lang,
    comparisons: &[ScenarioComparison],
    progress: &[Progress],
    descriptions: &[(String, String)],
) -> String {
    let mut body = String::new();
    for c in comparisons {
        body.push_str(&comparison_html(pack, lang, c, descriptions));
    }
    if !progress.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(w::R_TARGETS_BASELINE.get(lang))
        ));
        body.push_str(&progress_chart(lang, progress));
        body.push_str(&progress_table(lang, progress));
    }
    page(lang, w::R_COMPARE_TITLE.get(lang), pack, &body)
}

pub fn sweep_report(pack: &Pack, lang: Lang, param: &str, points: &[SweepPoint]) -> String {
    let xs: Vec<String> = points.iter().map(|p| p.value.clone()).collect();
    let ys: Vec<Decimal> = points.iter().map(|p| p.amount).collect();
    let mut body = line_chart(
        lang,
        &w::R_SWEEP_CHART.fill(lang, &[&param]),
        &xs,
        &ys,
        param,
    );
    body.push_str(&table_open(
        &scrolls(lang, &w::R_SWEEP_TITLE.fill(lang, &[&param])),
        &[
            param,
            w::R_COL_AWARDED.get(lang),
            w::R_COL_TOTAL_YUAN.get(lang),
        ],
    ));
    for p in points {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&p.value),
            p.awarded,
            group_thousands(p.amount)
        ));
    }
    body.push_str(TABLE_CLOSE);
    page(lang, &w::R_SWEEP_TITLE.fill(lang, &[&param]), pack, &body)
}

pub fn targets_report(pack: &Pack, lang: Lang, progress: &[Progress]) -> String {
    let mut body = progress_chart(lang, progress);
    body.push_str(&progress_table(lang, progress));
    page(lang, w::R_TARGETS_TITLE.get(lang), pack, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_scrolls_in_a_named_box_that_takes_the_focus() {
        let open = table_open(&scrolls(Lang::En, "a <b>"), &["x"]);
        assert_eq!(
            open,
            "<div class=\"table\" role=\"region\" tabindex=\"0\" aria-label=\"a &lt;b&gt; (the table scrolls sideways)\"><table><thead><tr><th>x</th></tr></thead><tbody>\n"
        );
        assert!(scrolls(Lang::Zh, "目标").ends_with("（可横向滚动）"));
    }
}
