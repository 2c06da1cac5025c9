//! The HTML reports of compare, sweep and targets, opened in a real headless Chromium: the page
//! loads offline, its script runs without a console error, and its charts are there.

use std::path::Path;
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
        assert!(dom.contains("<svg class=\"chart\""), "{}", page.display());
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
    // Bars are labelled with the clause's title, cut to fit, not its id.
    assert!(
        html.contains(">新认定国家级、省级研发…</text>"),
        "bar label by title"
    );
    assert!(
        !html.contains("class=\"label\" text-anchor=\"end\">rd-platform<"),
        "no id on a bar"
    );
    assert!(
        html.contains("<title>基线 新认定国家级、省级研发平台奖励（rd-platform）："),
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
