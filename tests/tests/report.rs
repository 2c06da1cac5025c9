//! The HTML reports of compare, sweep and targets, and the `doc` page, opened in a real
//! headless Chromium: the page loads offline, its script runs without a console error, its
//! charts are there, every CJK character it shows is drawn with a real glyph (no tofu box), no
//! text is cut, and screenshots at phone and desktop width are kept under the target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use policy_tests::policy;

const PACK: &str = "policies/suzhou-future-industries";
const INPUT: &str = "policies/suzhou-future-industries/examples/applications.yaml";

fn chromium() -> Option<String> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Loads a page headless and returns (DOM after scripts ran, console lines)
fn open(browser: &str, page: &Path) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {out:?}");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[test]
fn reports_render_in_chromium_with_their_charts() {
    let Some(browser) = chromium() else {
        // CI installs Chromium (.ci/run); a developer machine without it skips, loudly.
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium");
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let compare = dir.path().join("compare.html");
    let sweep = dir.path().join("sweep.html");
    let targets = dir.path().join("targets.html");
    let s = "policies/suzhou-future-industries/scenarios";
    let (code, _, err) = policy(&[
        "compare",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--scenario",
        &format!("{s}/provincial-platform-60wan.yaml"),
        "--scenario",
        &format!("{s}/scenario-cases-8-per-year.yaml"),
        "--report",
        &compare.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = policy(&[
        "sweep",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--param",
        "tech-transfer.cap",
        "--from",
        "100000",
        "--to",
        "600000",
        "--step",
        "100000",
        "--report",
        &sweep.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = policy(&[
        "targets",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--report",
        &targets.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");

    // Two charts per scenario (per clause, per year) and the targets chart; one curve; one chart.
    for (page, charts) in [(&compare, 5), (&sweep, 1), (&targets, 1)] {
        let html = std::fs::read_to_string(page).expect("report");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no network in {}",
            page.display()
        );
        let (dom, console) = open(&browser, page);
        assert!(
            console.is_empty(),
            "console messages in {}: {console:?}",
            page.display()
        );
        assert!(
            dom.contains(&format!("data-charts=\"{charts}\"")),
            "{} should show {charts} charts",
            page.display()
        );
        assert!(dom.contains("class=\"chart "), "{}", page.display());
    }
}

#[test]
fn reports_are_deterministic() {
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a.html");
    let b = dir.path().join("b.html");
    for f in [&a, &b] {
        let (code, _, _) = policy(&[
            "compare",
            "--pack",
            PACK,
            "--input",
            INPUT,
            "--set",
            "tech-transfer.rate=15%",
            "--report",
            &f.to_string_lossy(),
        ]);
        assert_eq!(code, 0);
    }
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
}

#[test]
fn the_compare_report_names_clauses_by_title_and_signs_increases() {
    let dir = tempfile::tempdir().expect("dir");
    let page = dir.path().join("compare.html");
    let (code, _, err) = policy(&[
        "compare",
        "--lang",
        "zh",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--scenario",
        "policies/suzhou-future-industries/scenarios/provincial-platform-60wan.yaml",
        "--report",
        &page.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).expect("report");
    // Bars are labelled with the clause's whole title (it wraps), not its id.
    assert!(
        html.contains("<div class=\"label\" title=\"新认定国家级、省级研发平台奖励（rd-platform）\">新认定国家级、省级研发平台奖励</div>"),
        "bar label by title"
    );
    assert!(!html.contains("\">rd-platform</div>"), "no id on a bar");
    assert!(
        html.contains("title=\"基线 新认定国家级、省级研发平台奖励（rd-platform）：240.00 万元\""),
        "the whole title in the tooltip"
    );
    // The table names the clause by title and id, and an increase carries its sign.
    assert!(
        html.contains("<td>新认定国家级、省级研发平台奖励（rd-platform）</td>"),
        "title in the table"
    );
    assert!(html.contains("<td>+200,000.00</td>"), "a signed increase");
    assert!(html.contains("给予奖励 400,000.00"), "statuses in Chinese");
    // The scenario's description, as its author wrote it, under its name.
    let scenario = std::fs::read_to_string(
        policy_tests::root()
            .join("policies/suzhou-future-industries/scenarios/provincial-platform-60wan.yaml"),
    )
    .expect("scenario");
    let first_line = scenario
        .lines()
        .skip_while(|l| !l.starts_with("description"))
        .nth(1)
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    assert!(!first_line.is_empty(), "the scenario has a description");
    assert!(
        html.contains("<p class=\"description\">"),
        "a description paragraph"
    );
    assert!(
        html.contains(&first_line),
        "the description's words: {first_line}"
    );
}

/// Measures a page in the browser and writes what it found, as JSON, into
/// `<script id="policy-check">` (a script's text survives `--dump-dom` unescaped):
/// - `chars`: the CJK characters the page shows; `tofu`: those drawn as the box of a missing
///   glyph (their canvas pixels equal those of codepoints no font has) or not drawn at all
/// - `families`: the named fonts of the page's font stack that this machine has (a font is
///   there when text set in it, then a generic face, measures otherwise than the generic alone)
/// - `cut`: text boxes whose content overflows them, unless shortened with an ellipsis and the
///   whole text in a `title`; `page_overflow`: the page is wider than the window
/// - `crossed`: text that a chart's 100% line runs through
/// - `bar_labels`: the labels of the per-clause bars
const CHECKER: &str = r##"<script>
(function () {
  function px(ctx, ch) {
    ctx.clearRect(0, 0, 48, 48);
    ctx.fillText(ch, 4, 4);
    var d = ctx.getImageData(0, 0, 48, 48).data, h = 0, ink = 0;
    for (var i = 3; i < d.length; i += 4) { h = (h * 31 + d[i] * (i + 1)) % 1000000007; ink += d[i]; }
    return ink === 0 ? "blank" : String(h);
  }
  function width(font, text) {
    var c = document.createElement("canvas").getContext("2d");
    c.font = font;
    return c.measureText(text).width;
  }
  function boxes(el) { return Array.prototype.slice.call(el.getClientRects()); }
  function meets(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  function run() {
    var out = { chars: [], tofu: [], families: [], stack: "", cut: [], crossed: [], page_overflow: 0, bar_labels: [] };
    var text = document.body.innerText;
    document.querySelectorAll("svg text").forEach(function (t) { text += t.textContent; });
    var seen = {};
    Array.from(text).forEach(function (c) {
      // A space (U+3000 among them) draws nothing by right: only visible characters count.
      if (c.trim() !== "" && /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/.test(c)) { seen[c] = true; }
    });
    out.chars = Object.keys(seen).sort();
    out.stack = getComputedStyle(document.body).fontFamily;
    var canvas = document.createElement("canvas");
    canvas.width = 48; canvas.height = 48;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.font = "36px " + out.stack;
    ctx.textBaseline = "top";
    ctx.fillStyle = "#000";
    // Codepoints no font draws: whatever they render as is what a missing glyph looks like.
    var missing = {};
    ["\u0378", "\u0379", "\uFDD0", "\u{2FFFD}", "\u{10FFFD}"].forEach(function (c) { missing[px(ctx, c)] = true; });
    missing["blank"] = true;
    out.chars.forEach(function (c) { if (missing[px(ctx, c)]) { out.tofu.push(c); } });
    var sample = "中文字体检查 Agj 0123";
    out.stack.split(",").map(function (f) { return f.trim(); }).forEach(function (f) {
      if (/^(serif|sans-serif|monospace|cursive|fantasy|system-ui)$/.test(f)) { return; }
      var there = ["monospace", "serif"].some(function (g) {
        return width("20px " + f + ", " + g, sample) !== width("20px " + g, sample);
      });
      if (there) { out.families.push(f.replace(/"/g, "")); }
    });
    var sel = "h1, h2, h3, p, li, figcaption, .label, .value, .legend-text, th, td, blockquote, pre";
    document.querySelectorAll(sel).forEach(function (el) {
      var s = getComputedStyle(el);
      if (el.clientWidth === 0 || /auto|scroll/.test(s.overflowX)) { return; }
      var shortened = s.textOverflow === "ellipsis" && el.hasAttribute("title");
      if (el.scrollWidth > el.clientWidth + 1 && !shortened) {
        out.cut.push(el.tagName + "." + el.className + ": " + el.textContent.slice(0, 40));
      }
    });
    document.querySelectorAll("svg").forEach(function (svg) {
      var vb = svg.viewBox.baseVal;
      svg.querySelectorAll("text").forEach(function (t) {
        var b = t.getBBox();
        if (b.x < 0 || b.y < 0 || b.x + b.width > vb.width + 0.5 || b.y + b.height > vb.height + 0.5) {
          out.cut.push("svg text: " + t.textContent);
        }
      });
    });
    out.page_overflow = Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
    var words = document.querySelectorAll(".label, .value, .legend-text, figcaption");
    document.querySelectorAll(".track .mark").forEach(function (m) {
      var r = m.getBoundingClientRect();
      words.forEach(function (el) {
        if (boxes(el).some(function (b) { return meets(r, b); })) { out.crossed.push(el.textContent); }
      });
    });
    document.querySelectorAll(".by-clause .label").forEach(function (el) { out.bar_labels.push(el.textContent); });
    var s = document.createElement("script");
    s.type = "application/json";
    s.id = "policy-check";
    s.textContent = JSON.stringify(out);
    document.body.appendChild(s);
  }
  window.addEventListener("load", function () { document.fonts.ready.then(run); });
})();
</script>
"##;

/// Where a test keeps its screenshots: `screenshots/` in the cargo target directory
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            // The test binary is target/<profile>/deps/report-<hash>.
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        })
        .unwrap_or_else(|| policy_tests::root().join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

fn browser_args(profile: &Path, width: u32) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--virtual-time-budget=5000",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain([
        format!("--user-data-dir={}", profile.display()),
        format!("--window-size={width},1600"),
    ])
    .collect()
}

/// The page measured at `width` pixels by [`CHECKER`], and a screenshot of it kept as `shot`
fn measure(browser: &str, page: &Path, width: u32, shot: &Path) -> serde_json::Value {
    let profile = tempfile::tempdir().expect("profile dir");
    let html = std::fs::read_to_string(page).expect("page");
    assert!(html.contains("</body>"), "{}", page.display());
    let checked = page.with_extension("check.html");
    std::fs::write(
        &checked,
        html.replacen("</body>", &format!("{CHECKER}</body>"), 1),
    )
    .expect("checked copy");
    let out = Command::new(browser)
        .args(browser_args(profile.path(), width))
        .arg("--dump-dom")
        .arg(format!("file://{}", checked.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {out:?}");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<script type=\"application/json\" id=\"policy-check\">")
        .map(|i| i + "<script type=\"application/json\" id=\"policy-check\">".len())
        .unwrap_or_else(|| panic!("the checker did not run on {}", page.display()));
    let end = dom[start..].find("</script>").expect("end of the check") + start;
    let shot_out = Command::new(browser)
        .args(browser_args(profile.path(), width))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(shot_out.status.success(), "screenshot failed: {shot_out:?}");
    serde_json::from_str(&dom[start..end]).expect("the check is JSON")
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Each clause title of the Suzhou pack, from its clause files
fn clause_titles() -> Vec<String> {
    let dir = policy_tests::root().join(PACK).join("clauses");
    let mut titles: Vec<String> = std::fs::read_dir(dir)
        .expect("clauses")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| {
            std::fs::read_to_string(p).ok().and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("title:").map(|t| t.trim().to_string()))
            })
        })
        .collect();
    titles.sort();
    titles
}

#[test]
fn chinese_pages_draw_real_glyphs_and_cut_no_text_at_phone_and_desktop_width() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium");
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let compare = dir.path().join("compare.html");
    let (code, _, err) = policy(&[
        "compare",
        "--lang",
        "zh",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--scenario",
        "policies/suzhou-future-industries/scenarios/provincial-platform-60wan.yaml",
        "--report",
        &compare.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let doc = dir.path().join("doc.html");
    let (code, html, err) = policy(&["doc", "--lang", "zh", PACK, "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&doc, html).expect("doc page");
    let sweep = dir.path().join("sweep.html");
    let (code, _, err) = policy(&[
        "sweep",
        "--lang",
        "zh",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--param",
        "tech-transfer.cap",
        "--from",
        "100000",
        "--to",
        "600000",
        "--step",
        "100000",
        "--report",
        &sweep.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");

    let shots = screenshot_dir();
    println!("screenshots: {}", shots.display());
    let titles = clause_titles();
    assert_eq!(titles.len(), 8, "{titles:?}");
    let mut problems = Vec::new();
    for (name, page) in [("compare", &compare), ("doc", &doc), ("sweep", &sweep)] {
        for width in [390u32, 1280] {
            let shot = shots.join(format!("{name}-{width}.png"));
            let found = measure(&browser, page, width, &shot);
            let at = format!("{name} at {width}px ({})", shot.display());
            let chars = strings(&found["chars"]);
            assert!(chars.len() > 20, "{at}: the page shows Chinese: {chars:?}");
            let tofu = strings(&found["tofu"]);
            if !tofu.is_empty() {
                problems.push(format!(
                    "{at}: {} of {} CJK characters have no glyph (tofu): {}",
                    tofu.len(),
                    chars.len(),
                    tofu.concat()
                ));
            }
            let families = strings(&found["families"]);
            if families.is_empty() {
                problems.push(format!(
                    "{at}: no font of the stack `{}` is on this machine",
                    found["stack"].as_str().unwrap_or_default()
                ));
            }
            let cut = strings(&found["cut"]);
            if !cut.is_empty() {
                problems.push(format!("{at}: text cut: {cut:?}"));
            }
            if found["page_overflow"].as_i64() != Some(0) {
                problems.push(format!(
                    "{at}: the page is {} px wider than the window",
                    found["page_overflow"]
                ));
            }
            let crossed = strings(&found["crossed"]);
            if !crossed.is_empty() {
                problems.push(format!("{at}: the 100% line crosses {crossed:?}"));
            }
            if name == "compare" {
                let mut labels = strings(&found["bar_labels"]);
                labels.sort();
                if labels != titles {
                    problems.push(format!(
                        "{at}: the bars are labelled {labels:?}, not the clause titles {titles:?}"
                    ));
                }
            }
            println!("{at}: {} CJK characters, fonts {families:?}", chars.len());
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_targets_chart_has_a_legend_for_each_colour_and_its_line_crosses_no_text() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium");
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let page = dir.path().join("targets.html");
    let (code, _, err) = policy(&[
        "targets",
        "--lang",
        "zh",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--report",
        &page.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).expect("report");
    // Every colour a bar can have is in the legend: met, short, the 100% line, not measured.
    for class in ["met", "short", "mark", "na"] {
        assert!(
            html.contains(&format!("<span class=\"swatch {class}\"></span>")),
            "legend for {class}"
        );
    }
    let shots = screenshot_dir();
    for width in [390u32, 1280] {
        let found = measure(
            &browser,
            &page,
            width,
            &shots.join(format!("targets-{width}.png")),
        );
        assert_eq!(
            strings(&found["crossed"]),
            Vec::<String>::new(),
            "{width}px"
        );
        assert_eq!(strings(&found["cut"]), Vec::<String>::new(), "{width}px");
        assert_eq!(found["page_overflow"].as_i64(), Some(0), "{width}px");
    }
}

#[test]
fn reports_and_the_doc_page_speak_the_chosen_language() {
    let dir = tempfile::tempdir().expect("dir");
    let page = |lang: &str, what: &str| -> String {
        let file = dir.path().join(format!("{what}-{lang}.html"));
        let f = file.to_string_lossy().into_owned();
        let s = "policies/suzhou-future-industries/scenarios/provincial-platform-60wan.yaml";
        let args: Vec<&str> = match what {
            "compare" => vec![
                "compare",
                "--lang",
                lang,
                "--pack",
                PACK,
                "--input",
                INPUT,
                "--scenario",
                s,
                "--report",
                &f,
            ],
            "sweep" => vec![
                "sweep",
                "--lang",
                lang,
                "--pack",
                PACK,
                "--input",
                INPUT,
                "--param",
                "tech-transfer.cap",
                "--from",
                "100000",
                "--to",
                "300000",
                "--step",
                "100000",
                "--report",
                &f,
            ],
            _ => vec![
                "targets", "--lang", lang, "--pack", PACK, "--input", INPUT, "--report", &f,
            ],
        };
        let (code, _, err) = policy(&args);
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(&file).expect("report")
    };
    let doc = |lang: &str| {
        let (code, html, err) = policy(&["doc", "--lang", lang, PACK, "--format", "html"]);
        assert_eq!(code, 0, "{err}");
        html
    };
    let zh = [
        page("zh", "compare"),
        page("zh", "sweep"),
        page("zh", "targets"),
        doc("zh"),
    ];
    let en = [
        page("en", "compare"),
        page("en", "sweep"),
        page("en", "targets"),
        doc("en"),
    ];
    // The same headings and legends, one language each.
    let pairs = [
        (0, "<h1>情景比较</h1>", "<h1>What-if comparison</h1>"),
        (
            0,
            "<span class=\"legend-text\">基线</span>",
            "<span class=\"legend-text\">baseline</span>",
        ),
        (0, "<th>基线奖励数</th>", "<th>awarded (baseline)</th>"),
        (0, "<td>合计</td>", "<td>total</td>"),
        (
            0,
            "<h2>发展目标（基线）</h2>",
            "<h2>Targets (baseline)</h2>",
        ),
        (
            1,
            "<h1>参数扫描：tech-transfer.cap</h1>",
            "<h1>Sweep of tech-transfer.cap</h1>",
        ),
        (
            2,
            "<span class=\"legend-text\">已达到目标</span>",
            "<span class=\"legend-text\">target met</span>",
        ),
        (2, "<th>计量条款</th>", "<th>counted from</th>"),
        (3, "<h2>共同规则</h2>", "<h2>Rules every clause shares</h2>"),
        (
            3,
            "<th>参数</th><th>取值</th>",
            "<th>parameter</th><th>value</th>",
        ),
        (3, "给予奖励 123,456.79 元", "awarded 123,456.79 元"),
    ];
    for (i, z, e) in pairs {
        assert!(zh[i].contains(z), "zh page {i}: {z}");
        assert!(en[i].contains(e), "en page {i}: {e}");
        assert!(!zh[i].contains(e), "zh page {i} has the English {e}");
        assert!(!en[i].contains(z), "en page {i} has the Chinese {z}");
    }
    for h in &zh {
        assert!(h.contains("<html lang=\"zh-CN\">"));
        assert!(h.contains("\"Noto Sans CJK SC\""), "the CJK font stack");
    }
    for h in &en {
        assert!(h.contains("<html lang=\"en\">"));
    }
    // The pages load nothing: no link, no web font, no script from elsewhere.
    for h in zh.iter().chain(&en) {
        for banned in ["http://", "https://", "@import", "@font-face", "<link"] {
            assert!(!h.contains(banned), "{banned}");
        }
    }
}
