//! The clause browser (条款浏览) of `policy serve` at `/clauses`: every clause of the pack with
//! its article, original text, parameters and the pack's tests as worked examples; the version
//! and fingerprint `/v1/pack` reports; with `--previous`, what changed since that version; the
//! pack's words escaped; English with `lang=en`; and in a real headless Chromium, the page at a
//! phone's width and a desktop's with no console error and Chinese drawn with real glyphs.

#![cfg(unix)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use policy_tests::unescape;
use serde_json::{json, Value};

fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    policy_tests::http_with(addr, "GET", path, &[], b"")
}

/// `policy serve` on `pack`, with `previous` as the pack's previous version
fn serve_with_previous(pack: &Path, previous: Option<&Path>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = policy_cli::serve::Options {
        pack: pack.to_path_buf(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        decision_log: None,
        require_tests: false,
        max_body_bytes: 8 << 20,
        timeout: Duration::from_secs(30),
    };
    let previous = previous.map(|p| policy_engine::Engine::load(p).expect("the previous loads"));
    std::thread::spawn(move || {
        policy_cli::serve::serve_with_previous(
            opts,
            policy_cli::serve::Limits::default(),
            previous,
            Some(tx),
        )
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the server starts")
}

/// The HTML of the element that opens with `open` (its attributes included), up to `close`
fn after<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).unwrap_or_else(|| panic!("no {open}"));
    let rest = &html[start..];
    &rest[..rest.find(close).unwrap_or(rest.len())]
}

/// The text inside the element that opens with `open`, up to `close`
fn inside<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let rest = after(html, open, close);
    &rest[rest.find('>').map_or(0, |i| i + 1)..]
}

#[test]
fn every_clause_is_shown_with_its_article_text_parameters_and_examples() {
    let addr = policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20);
    let (code, head, page) = get(addr, "/clauses");
    assert_eq!(code, 200, "{page}");
    assert!(head.contains("content-type: text/html; charset=utf-8"));
    assert!(head.contains("content-security-policy: default-src 'none'"));
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(page.contains("<title>条款浏览</title>"));
    // Every page can reach both pages.
    assert!(page.contains("<a href=\"/\">政策计算器</a>"), "{page}");
    assert!(page.contains("<a href=\"/clauses\" aria-current=\"page\">条款浏览</a>"));

    let engine = policy_engine::Engine::load(policy_tests::suzhou_pack()).expect("loads");
    let pack = engine.pack();
    assert!(pack.clauses.len() >= 8);
    let toc = inside(&page, "<nav class=\"toc\"", "</nav>");
    for c in &pack.clauses {
        let section = after(
            &page,
            &format!("<section class=\"clause\" id=\"{}\"", c.id),
            "</section>",
        );
        let heading = unescape(inside(section, "<h2", "</h2>"));
        assert!(heading.contains(&c.article), "{}: {heading}", c.id);
        assert!(heading.contains(&c.title), "{}: {heading}", c.id);
        let quoted = unescape(inside(
            section,
            "<blockquote class=\"source\"",
            "</blockquote>",
        ));
        assert_eq!(quoted, c.text, "{}", c.id);
        for p in c.parameters.iter() {
            assert!(
                section.contains(&format!("data-parameter=\"{}.{}\"", c.id, p.name)),
                "{}.{}",
                c.id,
                p.name
            );
        }
        // The table of contents links to it, with its article.
        let link = format!("<a href=\"#{}\">{} ", c.id, c.article);
        assert!(toc.contains(&link), "{link} in {toc}");
    }

    // A parameter: its value with its unit, and its unit's name.
    let row = after(&page, "data-parameter=\"tech-transfer.cap\"", "</tr>");
    assert!(row.contains("500,000 元（50 万元）"), "{row}");
    assert!(row.contains("<td class=\"unit\">元（yuan）</td>"), "{row}");
    let row = after(&page, "data-parameter=\"tech-transfer.rate\"", "</tr>");
    assert!(row.contains("0.10（10%）"), "{row}");
    // A cap and a count limit.
    let tt = after(&page, "id=\"tech-transfer\"", "</section>");
    assert!(tt.contains("单项上限：tech-transfer.cap"), "{tt}");
    let sc = after(&page, "id=\"scenario-case\"", "</section>");
    assert!(sc.contains("数量限额：每组（year）"), "{sc}");

    // A worked example from the pack's tests (tests/tech-transfer.yaml, TR-1): its facts,
    // its outcome and its amount.
    let ex = after(tt, "data-id=\"TR-1\"", "</tr>");
    for fact in [
        "seller_in_city = false",
        "contract_amount = 3000000",
        "paid_amount = 1234567.85",
    ] {
        assert!(ex.contains(&format!("<li>{fact}</li>")), "{fact}: {ex}");
    }
    assert!(ex.contains("<td class=\"status\">给予奖励</td>"), "{ex}");
    assert!(
        ex.contains("data-yuan=\"123456.79\">123,456.79</td>"),
        "{ex}"
    );
    let ex = after(tt, "data-id=\"TR-LOCAL\"", "</tr>");
    assert!(ex.contains("<td class=\"status\">不予支持</td>"), "{ex}");

    // Without --previous, a note says how to see the changes, and no changes section.
    assert!(page.contains("id=\"no-previous\""));
    assert!(!page.contains("id=\"changes\""));
}

#[test]
fn version_and_fingerprint_are_those_of_v1_pack() {
    let addr = policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20);
    let (_, _, body) = get(addr, "/v1/pack");
    let info: Value = serde_json::from_str(&body).expect("JSON");
    let (_, _, page) = get(addr, "/clauses");
    assert_eq!(
        inside(&page, "id=\"version\"", "</dd>"),
        info["version"].as_str().expect("version")
    );
    let fingerprint = info["fingerprint"].as_str().expect("fingerprint");
    assert!(fingerprint.starts_with("sha256:"), "{fingerprint}");
    assert_eq!(inside(&page, "id=\"fingerprint\"", "</code>"), fingerprint);
}

#[test]
fn with_previous_the_changed_parameter_shows_old_and_new_values() {
    // The previous version: the same pack with 四(二)3's provincial award at 30万, not 40万.
    let previous = policy_tests::pack_copy();
    let meta = previous.path().join("clauses/rd-platform.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("read");
    assert!(yaml.contains("value: 400000"));
    std::fs::write(&meta, yaml.replace("value: 400000", "value: 300000")).expect("write");

    let addr = serve_with_previous(&policy_tests::suzhou_pack(), Some(previous.path()));
    let (code, _, page) = get(addr, "/clauses");
    assert_eq!(code, 200, "{page}");
    assert!(!page.contains("id=\"no-previous\""));
    let changes = after(
        &page,
        "<section class=\"changes\" id=\"changes\"",
        "</section>",
    );
    // One row: the parameter, with its clause linked, old and new values.
    assert_eq!(changes.matches("<tr data-item=").count(), 1, "{changes}");
    let row = after(changes, "<tr data-item=\"parameter provincial\"", "</tr>");
    assert!(row.contains("data-clause=\"rd-platform\""), "{row}");
    assert!(row.contains("<a href=\"#rd-platform\">"), "{row}");
    assert!(row.contains("四(二)3"), "{row}");
    assert_eq!(inside(row, "<td class=\"old\"", "</td>"), "300000（yuan）");
    assert_eq!(inside(row, "<td class=\"new\"", "</td>"), "400000（yuan）");
    // The same in English.
    let (_, _, page) = get(addr, "/clauses?lang=en");
    let changes = after(&page, "id=\"changes\"", "</section>");
    assert!(changes.contains("What changed since the previous version"));
    assert!(changes.contains("<th scope=\"col\">old</th>"), "{changes}");

    // A clause removed and a text changed since the previous version show too.
    let newer = policy_tests::pack_copy();
    std::fs::remove_file(newer.path().join("clauses/incubator.yaml")).expect("rm");
    std::fs::remove_file(newer.path().join("clauses/incubator.rhai")).expect("rm");
    std::fs::remove_file(newer.path().join("tests/incubator.yaml")).expect("rm");
    let meta = newer.path().join("pack.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("read");
    let yaml: String = yaml
        .lines()
        .filter(|l| !l.trim_start().starts_with("- incubator"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&meta, yaml).expect("write");
    let addr = serve_with_previous(newer.path(), Some(&policy_tests::suzhou_pack()));
    let (code, _, page) = get(addr, "/clauses");
    assert_eq!(code, 200, "{page}");
    let row = after(&page, "data-clause=\"incubator\"", "</tr>");
    assert!(row.contains("（已删除）"), "{row}");
    assert!(!page.contains("<section class=\"clause\" id=\"incubator\""));
}

#[test]
fn settlement_rules_are_shown_with_the_clauses_they_involve() {
    let sentences = "\n同一企业同一年度获得本方案奖补资金累计不超过50万元。同一企业同一事项符合多项政策的，按照就高不重复原则给予支持。\n";
    let rules = concat!(
        "  - id: highest\n    title: 就高不重复\n    article: 附则\n",
        "    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n",
        "    exclusive: [tech-transfer, rd-platform]\n",
        "  - id: yearly-cap\n    title: 年度奖补上限\n    article: 附则\n",
        "    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n",
        "    cap: max\n    clauses: all\n    cut: largest-first\n    parameters:\n",
        "      max:\n        value: 50万\n        unit: yuan\n        description: 每家企业每年奖补合计上限\n",
    );
    let pack = policy_tests::pack_with_rules(sentences, rules);
    let addr = policy_tests::serve_on(pack.path(), None, 8 << 20);
    let (code, _, page) = get(addr, "/clauses");
    assert_eq!(code, 200, "{page}");
    // Under 四(四)8: both rules, linked; under 四(六)12 only the cap over every clause.
    let tt = after(
        &page,
        "<section class=\"clause\" id=\"tech-transfer\"",
        "<p class=\"top\">",
    );
    let rules_of = inside(tt, "<ul class=\"rules-of\"", "</ul>");
    assert!(
        rules_of.contains("<a href=\"#highest\">附则 就高不重复</a>"),
        "{rules_of}"
    );
    assert!(rules_of.contains("<a href=\"#yearly-cap\">"), "{rules_of}");
    let ca = after(
        &page,
        "<section class=\"clause\" id=\"competition-award\"",
        "<p class=\"top\">",
    );
    let rules_of = inside(ca, "<ul class=\"rules-of\"", "</ul>");
    assert!(!rules_of.contains("#highest"), "{rules_of}");
    assert!(rules_of.contains("#yearly-cap"), "{rules_of}");
    // Each rule's own section, with its sentence and its parameter.
    let cap = after(
        &page,
        "<section class=\"rule\" id=\"yearly-cap\"",
        "</section>",
    );
    assert!(
        cap.contains("同一企业同一年度获得本方案奖补资金累计不超过50万元"),
        "{cap}"
    );
    let row = after(cap, "data-parameter=\"yearly-cap.max\"", "</tr>");
    assert!(row.contains("500,000 元（50 万元）"), "{row}");
    assert!(
        page.contains("<a href=\"#settlement\">结算规则</a>"),
        "in the contents"
    );
    // In English, what each rule does and its amounts are in English too.
    let (code, _, page) = get(addr, "/clauses?lang=en");
    assert_eq!(code, 200, "{page}");
    let cap = after(
        &page,
        "<section class=\"rule\" id=\"yearly-cap\"",
        "</section>",
    );
    assert!(
        cap.contains("combined cap: what the same applicant (identified by applicant.credit_code, then applicant.name in turn) in each group (year) is awarded under every clause is at most yearly-cap.max (500,000 yuan (50 万元)) in all; the excess is cut from the largest award down (largest-first)"),
        "{cap}"
    );
    let row = after(cap, "data-parameter=\"yearly-cap.max\"", "</tr>");
    assert!(row.contains("500,000 yuan (50 万元)"), "{row}");
    let tt = after(
        &page,
        "<section class=\"clause\" id=\"tech-transfer\"",
        "<p class=\"top\">",
    );
    assert!(tt.contains("highest only: the same applicant"), "{tt}");
}

#[test]
fn a_reloaded_pack_is_browsed_with_its_own_examples_and_changes() {
    let pack = policy_tests::pack_copy();
    let addr = serve_with_previous(pack.path(), Some(&policy_tests::suzhou_pack()));
    let (_, _, page) = get(addr, "/clauses");
    assert!(
        page.contains("id=\"no-changes\""),
        "the same pack: no changes"
    );
    let ex = after(&page, "data-id=\"TR-1\"", "</tr>");
    assert!(ex.contains("data-yuan=\"123456.79\""), "{ex}");

    // 四(四)8's rate from 10% to 20%: the page, its examples and its changes follow the reload.
    let meta = pack.path().join("clauses/tech-transfer.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("read");
    assert!(yaml.contains("value: 0.10"));
    std::fs::write(&meta, yaml.replace("value: 0.10", "value: 0.20")).expect("write");
    let started = Instant::now();
    let mut page = String::new();
    // A bound on waiting for the reload (settle, check, swap), not a speed.
    while started.elapsed() < Duration::from_secs(60) {
        page = get(addr, "/clauses").2;
        if page.contains("0.20（20%）") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let row = after(&page, "data-parameter=\"tech-transfer.rate\"", "</tr>");
    assert!(row.contains("0.20（20%）"), "the reload is shown: {row}");
    let ex = after(&page, "data-id=\"TR-1\"", "</tr>");
    assert!(
        ex.contains("data-yuan=\"246913.57\""),
        "decided again: {ex}"
    );
    let diff = after(&page, "<tr data-item=\"parameter rate\"", "</tr>");
    assert_eq!(inside(diff, "<td class=\"old\"", "</td>"), "0.10（ratio）");
    assert_eq!(inside(diff, "<td class=\"new\"", "</td>"), "0.20（ratio）");
}

#[test]
fn a_previous_pack_that_does_not_load_stops_the_start_naming_it() {
    let missing = "/nonexistent/previous-pack";
    let pack = "policies/suzhou-future-industries";
    let (code, _, err) = policy_tests::policy(&[
        "--lang",
        "zh",
        "serve",
        "--pack",
        pack,
        "--previous",
        missing,
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains(missing), "{err}");
    assert!(err.contains("--previous 给出的上一版本政策包"), "{err}");
    // The load's own words in the same language.
    assert!(err.contains("1 个错误"), "{err}");
    let (code, _, err) = policy_tests::policy(&[
        "--lang",
        "en",
        "serve",
        "--pack",
        pack,
        "--previous",
        missing,
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "the previous pack given by --previous, {missing}, cannot be loaded"
        )),
        "{err}"
    );
}

#[test]
fn english_with_lang_en() {
    let addr = policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20);
    let (code, _, page) = get(addr, "/clauses?lang=en");
    assert_eq!(code, 200);
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("<title>Clause browser</title>"));
    assert!(
        page.contains("<a href=\"/?lang=en\">Policy calculator</a>"),
        "{page}"
    );
    assert!(page.contains("<h2 id=\"toc-h\">Contents</h2>"));
    let row = after(&page, "data-parameter=\"tech-transfer.cap\"", "</tr>");
    assert!(row.contains("<td class=\"unit\">yuan</td>"), "{row}");
    let tt = after(&page, "id=\"tech-transfer\"", "</section>");
    assert!(
        tt.contains("cap: tech-transfer.cap (applied before rounding)"),
        "{tt}"
    );
    let ex = after(tt, "data-id=\"TR-1\"", "</tr>");
    assert!(ex.contains("<td class=\"status\">awarded</td>"), "{ex}");
    // The source text stays Chinese, marked as such for the browser and screen readers.
    assert!(tt.contains("<blockquote class=\"source\" lang=\"zh-CN\">"));
    // The switch back to Chinese.
    assert!(page.contains("<a class=\"lang\" href=\"/clauses\" lang=\"zh-CN\">中文</a>"));
}

#[test]
fn a_timeline_shows_each_value_from_its_year() {
    let dir = policy_tests::pack_copy();
    let meta = dir.path().join("clauses/rd-platform.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("read");
    let yaml = yaml.replace("value: 400000", "values: {2025: 400000, 2027: 60万}");
    std::fs::write(&meta, yaml).expect("write");
    let addr = serve_with_previous(dir.path(), Some(&policy_tests::suzhou_pack()));
    let (code, _, page) = get(addr, "/clauses");
    assert_eq!(code, 200, "{page}");
    let row = after(&page, "data-parameter=\"rd-platform.provincial\"", "</tr>");
    assert!(row.contains("2025 年起：400,000 元（40 万元）"), "{row}");
    assert!(row.contains("2027 年起：600,000 元（60 万元）"), "{row}");
    // The value in force this year is marked, once.
    assert_eq!(row.matches("年现行").count(), 1, "{row}");
    let (_, _, en) = get(addr, "/clauses?lang=en");
    let row = after(&en, "data-parameter=\"rd-platform.provincial\"", "</tr>");
    assert!(row.contains("from 2027: 600,000 yuan (60 万元)"), "{row}");
    assert_eq!(row.matches("(in force in ").count(), 1, "{row}");
    // And the change from the plain value to the timeline is listed.
    let changes = after(&page, "id=\"changes\"", "</section>");
    let diff = after(changes, "<tr data-item=\"parameter provincial\"", "</tr>");
    assert!(diff.contains("400000（yuan）"), "{diff}");
    assert!(diff.contains("2027: 600000"), "{diff}");
}

#[test]
fn a_hostile_title_or_text_is_shown_as_text_not_markup() {
    let dir = policy_tests::pack_copy();
    let hostile_title = "<script>alert('t')</script>\"><b onmouseover=x>";
    let hostile_text = "对<img src=x onerror=alert(1)>“购买”&amp;企业，给予 10%的补助。";
    let source = dir.path().join("source/draft.zh.txt");
    let mut text = std::fs::read_to_string(&source).expect("source");
    text.push_str(&format!("\n{hostile_text}\n"));
    std::fs::write(&source, text).expect("write");
    let meta = dir.path().join("clauses/tech-transfer.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("read");
    let mut out = String::new();
    for line in yaml.lines() {
        if line.starts_with("title:") {
            out.push_str(&format!("title: '{}'\n", hostile_title.replace('\'', "''")));
        } else if line.starts_with("text:") {
            out.push_str(&format!("text: '{hostile_text}'\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(&meta, out).expect("write");
    let addr = policy_tests::serve_on(dir.path(), None, 8 << 20);
    let (code, _, page) = get(addr, "/clauses");
    assert_eq!(code, 200, "{page}");
    // The page's own script tag, the calculator's, is the only one.
    let own = "<script src=\"/assets/calculator.js\" defer></script>";
    assert_eq!(page.matches(own).count(), 1, "{page}");
    assert!(
        !page.replacen(own, "", 1).contains("<script"),
        "a script element: {page}"
    );
    assert!(!page.contains("<img"), "an img element");
    assert!(!page.contains("<b onmouseover"), "an injected element");
    // Shown as written, escaped, in the heading, the contents and the quote.
    let section = after(
        &page,
        "<section class=\"clause\" id=\"tech-transfer\"",
        "</section>",
    );
    assert!(unescape(inside(section, "<h2", "</h2>")).contains(hostile_title));
    assert_eq!(
        unescape(inside(
            section,
            "<blockquote class=\"source\"",
            "</blockquote>"
        )),
        hostile_text
    );
    assert!(
        page.contains("&lt;script&gt;alert('t')&lt;/script&gt;&quot;&gt;"),
        "escaped"
    );
}

// ---- In a real browser ----

use policy_tests::browser::{screenshots, with_chromium, WAIT};

/// Run in the page: the CJK characters it shows that are drawn as a missing glyph (their
/// pixels equal those of codepoints no font has, or nothing at all), the number of CJK
/// characters checked, and how much wider than the window the page is
const GLYPHS: &str = r#"
const chars = [...new Set([...document.body.innerText].filter(c => /[\u3400-\u9fff]/.test(c)))];
const canvas = document.createElement('canvas');
canvas.width = 48; canvas.height = 48;
const ctx = canvas.getContext('2d', { willReadFrequently: true });
ctx.font = '36px ' + getComputedStyle(document.body).fontFamily;
ctx.textBaseline = 'top';
const px = (c) => {
  ctx.clearRect(0, 0, 48, 48);
  ctx.fillText(c, 4, 4);
  const d = ctx.getImageData(0, 0, 48, 48).data;
  let h = 0, ink = 0;
  for (let i = 3; i < d.length; i += 4) { h = (h * 31 + d[i] * (i + 1)) % 1000000007; ink += d[i]; }
  return ink === 0 ? 'blank' : String(h);
};
const missing = new Set(['blank', ...['\u0378', '\u0379', '\uFDD0', '\u{10FFFD}'].map(px)]);
return {
  checked: chars.length,
  tofu: chars.filter(c => missing.has(px(c))),
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  // The elements whose content sticks out of them, but for those a scrolling box holds: the
  // culprits of an overflow
  wide: [...document.querySelectorAll('body *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
      && getComputedStyle(e).overflowX === 'visible' && !e.closest('div.table'))
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40)),
};
"#;

/// Run in the page: the elements whose own text has a contrast ratio under 4.5:1 (WCAG AA for
/// normal text) against the first background colour behind them
const CONTRAST: &str = r#"
const rgba = (c) => { const m = (c.match(/[\d.]+/g) || ['0', '0', '0', '0']).map(Number); return m.length === 3 ? [...m, 1] : m; };
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const behind = (e) => {
  for (; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0) return c; }
  return [255, 255, 255, 1];
};
const low = [];
let checked = 0;
document.querySelectorAll('body *').forEach((e) => {
  if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) return;
  checked++;
  const a = lum(rgba(getComputedStyle(e).color)), b = lum(behind(e));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) low.push(e.tagName + '.' + e.className + ' ' + ratio.toFixed(2) + ': ' + e.textContent.trim().slice(0, 30));
});
return { checked, low: low.slice(0, 10) };
"#;

#[test]
fn the_clause_browser_works_in_headless_chromium() {
    let previous = policy_tests::pack_copy();
    let meta = previous.path().join("clauses/rd-platform.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("read");
    std::fs::write(&meta, yaml.replace("value: 400000", "value: 300000")).expect("write");
    let addr = serve_with_previous(&policy_tests::suzhou_pack(), Some(previous.path()));
    let plain = serve_with_previous(&policy_tests::suzhou_pack(), None);
    with_chromium(|c| in_browser(c, addr, plain));
}

async fn in_browser(c: fantoccini::Client, addr: SocketAddr, plain: SocketAddr) {
    use fantoccini::{key::Key, Locator};

    let base = format!("http://{addr}");
    let shots = screenshots(env!("CARGO_TARGET_TMPDIR"));

    // From the calculator, the header's link leads here.
    c.goto(&format!("{base}/")).await.expect("open /");
    c.find(Locator::LinkText("条款浏览"))
        .await
        .expect("the link in the header")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("toc"))
        .await
        .expect("the contents");
    assert_eq!(c.title().await.expect("title"), "条款浏览");

    // The table of contents from the keyboard: tab to its first link, Enter goes to the clause.
    let first = c
        .find(Locator::Css("nav.toc a"))
        .await
        .expect("a link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    let mut reached = false;
    for _ in 0..40 {
        let focused = policy_tests::browser::tab_on(&c).await;
        if focused.attr("href").await.expect("href").as_deref() == Some(first.as_str()) {
            focused
                .send_keys(&char::from(Key::Enter).to_string())
                .await
                .expect("enter");
            reached = true;
            break;
        }
    }
    assert!(reached, "the contents' first link is reachable with Tab");
    let hash = c
        .execute("return location.hash", vec![])
        .await
        .expect("script");
    assert_eq!(hash, json!(first));

    // Headings in order: no level skipped going down.
    let skipped = c
        .execute(
            "let last = 1, bad = []; document.querySelectorAll('h1,h2,h3,h4,h5,h6').forEach(h => {\
               const l = +h.tagName[1]; if (l > last + 1) bad.push(h.textContent); last = l; });\
             return bad",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(skipped, json!([]), "headings skip a level");
    // Every table has header cells; every link has text.
    let bare = c
        .execute(
            "return [...document.querySelectorAll('table')].filter(t => !t.querySelector('th')).length \
             + [...document.querySelectorAll('a')].filter(a => !a.textContent.trim()).length",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(bare, json!(0));
    let contrast = c.execute(CONTRAST, vec![]).await.expect("script");
    assert!(
        contrast["checked"].as_u64().unwrap_or(0) > 100,
        "text checked: {contrast}"
    );
    assert_eq!(contrast["low"], json!([]), "text under 4.5:1");

    for (width, name) in [(390, "browse-390.png"), (1280, "browse-1280.png")] {
        c.set_window_size(width, 900).await.expect("resize");
        c.goto(&format!("{base}/clauses")).await.expect("open");
        c.wait()
            .at_most(WAIT)
            .for_element(Locator::Id("changes"))
            .await
            .expect("the changes");
        // Saved first: a failing check below leaves the picture to look at.
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(shots.join(name), png).expect("save the screenshot");
        let found = c.execute(GLYPHS, vec![]).await.expect("script");
        assert!(
            found["checked"].as_u64().unwrap_or(0) > 100,
            "Chinese text on the page: {found}"
        );
        assert_eq!(found["tofu"], json!([]), "CJK without a glyph at {width}px");
        assert_eq!(
            found["overflow"],
            json!(0),
            "wider than the window at {width}px: {}",
            found["wide"]
        );
    }

    // A clause at a phone's width, reached by its anchor: its parameters and examples.
    c.set_window_size(390, 900).await.expect("resize");
    c.goto(&format!("{base}/clauses#tech-transfer"))
        .await
        .expect("open the clause");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("browse-390-clause.png"), png).expect("save the screenshot");

    // The accessibility audit (axe-core, WCAG 2 A/AA) at a phone's width and a desktop's: with
    // no previous version, with the changes since it, and in English.
    for (what, page) in [
        ("/clauses", format!("http://{plain}/clauses")),
        ("/clauses with --previous", format!("{base}/clauses")),
        ("/clauses in English", format!("{base}/clauses?lang=en")),
    ] {
        c.goto(&page).await.expect("open");
        policy_tests::browser::assert_accessible_at_widths(&c, what).await;
    }
}
