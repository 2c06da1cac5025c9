//! Self-contained HTML reports: one file, styles and charts inline (SVG drawn here), no network.
//!
//! Chart geometry is computed with `Decimal` like everything else: no float anywhere near an
//! amount, and the same input gives the same bytes.

use rust_decimal::Decimal;

use policy_engine::{
    group_thousands, BudgetLine, Lang, Pack, Progress, ScenarioComparison, SweepPoint,
};

use super::{progress_cells, wan};
use crate::messages as m;

const WIDTH: i64 = 760;
const LABEL: i64 = 190;
const BAR: i64 = 14;

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// 万元 on a chart: two decimals, thousands grouped
fn chart_wan(d: Decimal) -> String {
    group_thousands(wan(d, Some(2)))
}

/// `value / max * span`, to one decimal, for a coordinate
fn scale(value: Decimal, max: Decimal, span: i64) -> Decimal {
    if max <= Decimal::ZERO || value <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    (value * Decimal::from(span) / max).round_dp(1)
}

/// Horizontal grouped bars: one group per category, one bar per series
fn grouped_bars(
    title: &str,
    categories: &[(String, String)],
    series: &[(&str, &str, Vec<Decimal>)],
    unit: &str,
) -> String {
    let max = series
        .iter()
        .flat_map(|(_, _, v)| v.iter().copied())
        .max()
        .unwrap_or(Decimal::ZERO);
    let group_h = BAR * series.len() as i64 + 10;
    let height = 40 + group_h * categories.len() as i64 + 20;
    let span = WIDTH - LABEL - 110;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\n<text x=\"0\" y=\"16\" class=\"title\">{t}</text>\n",
        t = escape(title)
    );
    // Legend
    let mut lx = LABEL;
    for (name, class, _) in series {
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"24\" width=\"10\" height=\"10\" class=\"{class}\"/><text x=\"{}\" y=\"33\" class=\"legend\">{}</text>\n",
            lx + 14,
            escape(name)
        ));
        lx += 24 + 13 * name.chars().count() as i64;
    }
    // Each category: its label beside the bars, and its whole name for the tooltip.
    for (ci, (cat, whole)) in categories.iter().enumerate() {
        let y0 = 44 + group_h * ci as i64;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}</text>\n",
            LABEL - 8,
            y0 + group_h / 2,
            escape(cat)
        ));
        for (si, (name, class, values)) in series.iter().enumerate() {
            let v = values.get(ci).copied().unwrap_or(Decimal::ZERO);
            let w = scale(v, max, span);
            let y = y0 + BAR * si as i64;
            svg.push_str(&format!(
                "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{}\" class=\"{class}\"><title>{} {}：{} {unit}</title></rect>\n<text x=\"{}\" y=\"{}\" class=\"value\">{}</text>\n",
                BAR - 2,
                escape(name),
                escape(whole),
                chart_wan(v),
                Decimal::from(LABEL + 4) + w,
                y + BAR - 4,
                chart_wan(v)
            ));
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// A line through the points of a sweep
fn line_chart(title: &str, xs: &[String], ys: &[Decimal], x_label: &str) -> String {
    let (w, h, left, bottom, top) = (WIDTH, 320i64, 90i64, 40i64, 40i64);
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
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">\n<text x=\"0\" y=\"16\" class=\"title\">{t}</text>\n<line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" class=\"axis\"/>\n<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" class=\"axis\"/>\n<text x=\"{lx}\" y=\"{ty}\" class=\"label\" text-anchor=\"end\">{m} 万元</text>\n<text x=\"{lx}\" y=\"{b}\" class=\"label\" text-anchor=\"end\">{l} 万元</text>\n<text x=\"{r}\" y=\"{xl}\" class=\"label\" text-anchor=\"end\">{xlab}</text>\n",
        t = escape(title),
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
            "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"4\" class=\"dot\"><title>{}：{} 万元</title></circle>\n<text x=\"{cx}\" y=\"{}\" class=\"label\" text-anchor=\"middle\">{}</text>\n",
            escape(x),
            chart_wan(*y),
            top + plot_h + 16,
            escape(x)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// One bar per target: the share reached, with the figure as the 100% mark
fn progress_chart(progress: &[Progress]) -> String {
    let rows: Vec<&Progress> = progress.iter().collect();
    let height = 40 + 26 * rows.len() as i64;
    // 100% sits at two thirds of the bar space; bars stop at 150%, the label says the rest.
    let span = (WIDTH - LABEL - 170) * 2 / 3;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"发展目标进度\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\n<text x=\"0\" y=\"16\" class=\"title\">发展目标进度 progress toward the targets</text>\n<line x1=\"{x}\" y1=\"26\" x2=\"{x}\" y2=\"{b}\" class=\"mark\"/>\n",
        x = LABEL + span,
        b = height - 4
    );
    for (i, p) in rows.iter().enumerate() {
        let y = 32 + 26 * i as i64;
        let title: String = p.title.chars().take(14).collect();
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}<title>{}</title></text>\n",
            LABEL - 8,
            y + 13,
            escape(&title),
            escape(&p.title)
        ));
        match (p.reached, p.percent) {
            (Some(r), Some(pct)) => {
                let shown = pct.min(Decimal::from(150));
                let w = scale(shown, Decimal::ONE_HUNDRED, span);
                let class = if p.met == Some(true) { "met" } else { "short" };
                svg.push_str(&format!(
                    "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"16\" class=\"{class}\"><title>{r} / {} {}</title></rect>\n<text x=\"{}\" y=\"{}\" class=\"value\">{r} / {} {}（{pct}%）</text>\n",
                    p.target,
                    escape(&p.unit),
                    Decimal::from(LABEL + 6) + w,
                    y + 13,
                    p.target,
                    escape(&p.unit)
                ));
            }
            _ => svg.push_str(&format!(
                "<text x=\"{LABEL}\" y=\"{}\" class=\"na\">目标 {} {}：本政策包无条款计量 not measured by any clause</text>\n",
                y + 13,
                p.target,
                escape(&p.unit)
            )),
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// `text` cut to `n` characters, with "…" where it was cut
fn short_label(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut out: String = text.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A change with its sign: `+1,000.00` for an increase, `-1,000.00` for a decrease
fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", group_thousands(d))
    } else {
        group_thousands(d)
    }
}

fn lines_html(first: &str, lines: &[&BudgetLine], pack: &Pack) -> String {
    let mut h = format!(
        "<table><thead><tr><th>{}</th><th>基线奖励数</th><th>情景奖励数</th><th>基线金额（元）</th><th>情景金额（元）</th><th>变化（元）</th><th>变化 %</th></tr></thead><tbody>\n",
        escape(first)
    );
    for l in lines {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&match pack.clause(&l.key) {
                Some(c) => format!("{}（{}）", c.title, c.id),
                None => l.key.clone(),
            }),
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
    h.push_str("</tbody></table>\n");
    h
}

fn progress_table(progress: &[Progress]) -> String {
    let mut h = String::from(
        "<table><thead><tr><th>目标</th><th>目标值</th><th>已达到</th><th>进度</th><th>计量条款</th></tr></thead><tbody>\n",
    );
    for p in progress {
        let [reached, percent] = progress_cells(p);
        h.push_str(&format!(
            "<tr><td>{}</td><td>{} {}（{}）</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&p.title),
            p.target,
            escape(&p.unit),
            match p.comparison {
                policy_engine::TargetComparison::About => "左右",
                policy_engine::TargetComparison::AtLeast => "以上",
                policy_engine::TargetComparison::Over => "突破",
            },
            reached,
            percent,
            escape(&p.counted_from.join(", "))
        ));
    }
    h.push_str("</tbody></table>\n");
    h
}

fn page(title: &str, pack: &Pack, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 900px; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }}
.meta {{ color: #666; font-size: 0.85em; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }}
th, td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
svg.chart {{ display: block; margin: 1em 0; max-width: 100%; height: auto; }}
svg .title {{ font-size: 14px; font-weight: bold; }}
svg .label, svg .legend, svg .value, svg .na {{ font-size: 11px; }}
svg .na {{ fill: #999; }}
svg .base {{ fill: #9aa9bd; }} svg .scen {{ fill: #d9822b; }}
svg .met {{ fill: #3a8f5c; }} svg .short {{ fill: #d9822b; }}
svg .axis {{ stroke: #888; }} svg .mark {{ stroke: #444; stroke-dasharray: 4 3; }}
svg .curve {{ fill: none; stroke: #d9822b; stroke-width: 2; }} svg .dot {{ fill: #d9822b; }}
</style>
</head>
<body>
<h1>{t}</h1>
<p class="meta">{pt} · {v} · {fp}</p>
{body}
<script>
// Marks the page once its charts exist, so a headless browser can check it rendered.
(function () {{
  var n = document.querySelectorAll("svg.chart").length;
  document.body.setAttribute("data-charts", String(n));
}})();
</script>
</body>
</html>
"#,
        t = escape(title),
        pt = escape(&pack.title),
        v = escape(&pack.version),
        fp = escape(&pack.fingerprint),
    )
}

/// Baseline and scenario amounts as a bar beside a bar, one pair a line of a comparison
fn baseline_beside_scenario(
    title: &str,
    categories: &[(String, String)],
    lines: &[BudgetLine],
) -> String {
    grouped_bars(
        title,
        categories,
        &[
            (
                "基线",
                "base",
                lines.iter().map(|l| l.baseline_amount).collect(),
            ),
            (
                "情景",
                "scen",
                lines.iter().map(|l| l.scenario_amount).collect(),
            ),
        ],
        "万元",
    )
}

pub fn compare_report(
    pack: &Pack,
    comparisons: &[ScenarioComparison],
    progress: &[Progress],
    descriptions: &[(String, String)],
) -> String {
    let mut body = String::new();
    for c in comparisons {
        body.push_str(&format!("<h2>情景 {}</h2>\n", escape(&c.scenario)));
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
            "<p class=\"meta\">改动条款 {} · {}</p>\n",
            escape(&c.changed_clauses.join(", ")),
            escape(&c.fingerprint)
        ));
        // A 局长 reads the clause's title, not its id: the title, cut to fit the label column
        // (the whole of it in the bar's tooltip and in the table below).
        let cats: Vec<(String, String)> = c
            .by_clause
            .iter()
            .map(|l| match pack.clause(&l.key) {
                Some(cl) => (
                    short_label(&cl.title, 12),
                    format!("{}（{}）", cl.title, cl.id),
                ),
                None => (l.key.clone(), l.key.clone()),
            })
            .collect();
        body.push_str(&baseline_beside_scenario(
            "按条款：基线与情景金额（万元）",
            &cats,
            &c.by_clause,
        ));
        let years: Vec<(String, String)> = c
            .by_year
            .iter()
            .map(|l| (format!("{} 年", l.key), format!("{} 年", l.key)))
            .collect();
        body.push_str(&baseline_beside_scenario(
            "按年度：预算（万元）",
            &years,
            &c.by_year,
        ));
        let mut lines: Vec<&BudgetLine> = c.by_clause.iter().collect();
        lines.push(&c.total);
        body.push_str(&lines_html("条款", &lines, pack));
        body.push_str(&format!(
            "<p>获益 {} 项，受损 {} 项，不变 {} 项。</p>\n",
            c.winners, c.losers, c.unchanged
        ));
        if !c.largest.is_empty() {
            body.push_str("<table><thead><tr><th>变化最大的申报</th><th>条款</th><th>基线</th><th>情景</th><th>变化（元）</th></tr></thead><tbody>\n");
            for a in &c.largest {
                body.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{} {}</td><td>{}</td></tr>\n",
                    escape(a.id.as_deref().unwrap_or("-")),
                    escape(a.clause.as_deref().unwrap_or("-")),
                    m::status(a.baseline_status, Lang::Zh),
                    group_thousands(a.baseline_amount),
                    m::status(a.scenario_status, Lang::Zh),
                    group_thousands(a.scenario_amount),
                    signed(a.change)
                ));
            }
            body.push_str("</tbody></table>\n");
        }
    }
    if !progress.is_empty() {
        body.push_str("<h2>发展目标（基线）</h2>\n");
        body.push_str(&progress_chart(progress));
        body.push_str(&progress_table(progress));
    }
    page("情景比较 what-if comparison", pack, &body)
}

pub fn sweep_report(pack: &Pack, param: &str, points: &[SweepPoint]) -> String {
    let xs: Vec<String> = points.iter().map(|p| p.value.clone()).collect();
    let ys: Vec<Decimal> = points.iter().map(|p| p.amount).collect();
    let mut body = line_chart(&format!("总预算随 {param} 变化（万元）"), &xs, &ys, param);
    body.push_str("<table><thead><tr><th>");
    body.push_str(&escape(param));
    body.push_str("</th><th>奖励数</th><th>总金额（元）</th></tr></thead><tbody>\n");
    for p in points {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&p.value),
            p.awarded,
            group_thousands(p.amount)
        ));
    }
    body.push_str("</tbody></table>\n");
    page(&format!("参数扫描 sweep of {param}"), pack, &body)
}

pub fn targets_report(pack: &Pack, progress: &[Progress]) -> String {
    let mut body = progress_chart(progress);
    body.push_str(&progress_table(progress));
    page("发展目标进度 progress toward the targets", pack, &body)
}
