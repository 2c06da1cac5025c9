//! The drafter's workbench: `policy test` (tests as data, coverage), errors that point at the
//! line, and what `policy check` catches before a run.

use std::fs;
use std::path::Path;

use policy_tests::{pack_copy, policy, policy_on};

const PACK: &str = "policies/suzhou-future-industries";

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn the_pack_tests_pass_with_full_outcome_coverage() {
    let (code, out, err) = policy(&["test", PACK, "--min-coverage", "100"]);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().expect("a closing line");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert!(out.contains("(100.0%)"), "{out}");
}

#[test]
fn a_wrong_expectation_fails_with_expected_and_actual() {
    let dir = pack_copy();
    replace_in(
        &dir.path().join("tests/tech-transfer.yaml"),
        "amount: 123456.79",
        "amount: 123456.78",
    );
    let pack = dir.path().to_string_lossy().into_owned();
    let (code, out, _) = policy(&["test", &pack]);
    assert_eq!(code, 1);
    assert!(
        out.lines()
            .last()
            .expect("closing")
            .ends_with(" passed, 1 failed"),
        "{out}"
    );
    let failure: String = out
        .lines()
        .skip_while(|l| !l.starts_with("FAIL"))
        .take_while(|l| !l.starts_with("PASS"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("wrong_expectation", failure.replace(&pack, "<pack>"));
    let (code, json, _) = policy(&["test", &pack, "--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["failed"], 1);
    let f = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["passed"] == false)
        .expect("a failed case");
    assert_eq!(f["failures"][0]["id"], "TR-1");
    assert!(f["failures"][0]["expected"]
        .as_str()
        .expect("e")
        .contains("123456.78"));
    assert!(f["failures"][0]["actual"]
        .as_str()
        .expect("a")
        .contains("123456.79"));
}

#[test]
fn no_tests_is_a_failure_and_missing_coverage_is_named() {
    let dir = pack_copy();
    fs::remove_dir_all(dir.path().join("tests")).expect("rm");
    let pack = dir.path().to_string_lossy().into_owned();
    let (code, out, err) = policy(&["test", &pack]);
    assert_eq!(code, 1);
    assert!(err.contains("no tests found"), "{err}");
    assert!(out.ends_with("0 passed, 0 failed\n"), "{out}");

    let dir = pack_copy();
    fs::remove_file(dir.path().join("tests/incubator.yaml")).expect("rm");
    let pack = dir.path().to_string_lossy().into_owned();
    let (code, out, err) = policy(&["test", &pack, "--min-coverage", "100"]);
    assert_eq!(code, 1);
    assert!(err.contains("below --min-coverage 100%"), "{err}");
    assert!(
        out.contains("incubator              ineligible at incubator.rhai:4"),
        "{out}"
    );
    // Without a threshold, missing coverage is reported but does not fail.
    let (code, _, _) = policy(&["test", &pack]);
    assert_eq!(code, 0);
}

#[test]
fn check_warns_and_deny_warnings_fails() {
    let dir = pack_copy();
    replace_in(
        &dir.path().join("clauses/tech-transfer.yaml"),
        "value: 0.10",
        "value: 1.5",
    );
    let meta = dir.path().join("clauses/high-tech-enterprise.yaml");
    let mut text = fs::read_to_string(&meta).expect("read");
    text.push_str("  third_time:\n    value: 50000\n    unit: yuan\n    description: 第三次认定\n");
    fs::write(&meta, text).expect("write");
    let (code, out, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok:"), "{out}");
    insta::assert_snapshot!("check_warnings", err);
    let (code, out, err) = policy_on(&dir, &["check", "<pack>", "--deny-warnings"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("warnings are denied"), "{err}");
    let (code, out, _) = policy_on(
        &dir,
        &[
            "check",
            "<pack>",
            "--deny-warnings",
            "--error-format",
            "json",
        ],
    );
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    // The two mistakes above, and for each the quoted text that no longer states the value.
    assert_eq!(doc["errors"], 4);
}

#[test]
fn a_changed_amount_is_flagged_against_the_quoted_text() {
    let dir = pack_copy();
    replace_in(
        &dir.path().join("clauses/rd-platform.yaml"),
        "value: 400000",
        "value: 50万",
    );
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("`rd-platform.provincial` is 500,000 元（50 万元）, which the clause's quoted text does not mention"),
        "{err}"
    );
}

#[test]
fn json_errors_for_editors() {
    let dir = pack_copy();
    replace_in(
        &dir.path().join("clauses/rd-platform.yaml"),
        "  provincial:",
        "  provincal:",
    );
    let (code, out, _) = policy_on(&dir, &["check", "<pack>", "--error-format", "json"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("check_json_errors", out);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let first = &doc["diagnostics"][0];
    assert_eq!(first["file"], "<pack>/clauses/rd-platform.yaml");
    assert_eq!(first["line"], 13);
    assert_eq!(first["column"], 3);
    assert_eq!(first["hint"], "did you mean `provincial`?");
    // Other commands write the same document to stderr when the pack does not load.
    let (code, _, err) = policy_on(
        &dir,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            "x.yaml",
            "--error-format",
            "json",
        ],
    );
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&err).expect("JSON on stderr");
    assert_eq!(doc["errors"], 2);
}

#[test]
fn a_script_runtime_error_names_file_line_and_column() {
    let dir = pack_copy();
    replace_in(
        &dir.path().join("clauses/talent-team.rhai"),
        "let amount = switch app.tier {",
        "let boom = 1 / (app.tier - app.tier);\nlet amount = switch app.tier {",
    );
    let (code, out, _) = policy_on(
        &dir,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            "policies/suzhou-future-industries/examples/applications.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let tt = doc["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["id"] == "2025-TT-01")
        .expect("2025-TT-01")
        .clone();
    assert_eq!(tt["status"], "error");
    let reason = tt["reasons"][0].as_str().expect("reason");
    assert!(
        reason.starts_with("clause script clauses/talent-team.rhai:3:"),
        "{reason}"
    );
    assert!(reason.contains("Division by zero"), "{reason}");
}

#[test]
fn diff_shows_exactly_the_changed_amount() {
    let dir = pack_copy();
    replace_in(
        &dir.path().join("clauses/rd-platform.yaml"),
        "value: 400000",
        "value: 600000",
    );
    let (code, out, _) = policy_on(&dir, &["diff", PACK, "<pack>", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let changes = doc["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["clause"], "rd-platform");
    assert_eq!(changes[0]["item"], "parameter provincial");
    assert_eq!(changes[0]["old"], "400000（yuan）");
    assert_eq!(changes[0]["new"], "600000（yuan）");
    let (_, table, _) = policy_on(
        &dir,
        &[
            "diff",
            PACK,
            "<pack>",
            "--input",
            "policies/suzhou-future-industries/examples/applications.yaml",
        ],
    );
    insta::assert_snapshot!("diff_one_amount", table);
    let (_, same, _) = policy(&["diff", PACK, PACK]);
    assert!(same.contains("no changes"), "{same}");
}

#[test]
fn new_clause_scaffolds_a_clause_that_checks_and_tests() {
    let dir = pack_copy();
    let (code, out, err) = policy_on(
        &dir,
        &[
            "new",
            "clause",
            "<pack>",
            "research-project",
            "--kind",
            "research_project",
            "--article",
            "四(一)2",
            "--title",
            "科技攻关项目",
            "--text",
            "每年组织实施一批科技攻关项目，支持企业联合高校和科研院所实施关键核心技术攻关。",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("<pack>/clauses/research-project.rhai"),
        "{out}"
    );
    let (code, _, err) = policy_on(&dir, &["check", "<pack>", "--deny-warnings"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = policy_on(&dir, &["test", "<pack>", "--min-coverage", "100"]);
    assert_eq!(code, 0, "{out}");
    let (_, clauses, _) = policy_on(&dir, &["clauses", "<pack>"]);
    assert!(clauses.contains("research-project"), "{clauses}");
    // Its own test passes at once.
    let (code, out, _) = policy_on(&dir, &["test", "<pack>"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("科技攻关项目"), "{out}");
    // Entered in article order: 四(一)2 after 四(一)1, before 四(二)3, its comment in line.
    let pack_yaml = fs::read_to_string(dir.path().join("pack.yaml")).expect("pack.yaml");
    assert!(
        pack_yaml.contains(
            "  - scenario-case          # 四(一)1\n  - research-project       # 四(一)2\n  - rd-platform            # 四(二)3\n"
        ),
        "{pack_yaml}"
    );
    // A later article goes later: 四(六)11 after 四(五)10, before 四(六)12.
    let (code, _, err) = policy_on(
        &dir,
        &[
            "new",
            "clause",
            "<pack>",
            "seed-investment",
            "--kind",
            "seed_investment",
            "--article",
            "四(六)11",
            "--title",
            "投小投早",
            "--text",
            "鼓励种子期投资、天使投资、风险投资等投小投早，发挥“耐心资本”作用。",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let pack_yaml = fs::read_to_string(dir.path().join("pack.yaml")).expect("pack.yaml");
    let at = |id: &str| pack_yaml.find(&format!("- {id} ")).expect(id);
    assert!(
        at("high-tech-enterprise") < at("seed-investment"),
        "{pack_yaml}"
    );
    assert!(
        at("seed-investment") < at("competition-award"),
        "{pack_yaml}"
    );
    let (code, out, _) = policy_on(&dir, &["test", "<pack>"]);
    assert_eq!(code, 0, "{out}");
    // A text that is not in the source is refused before anything is written, with the
    // nearest sentence of the source.
    let before = fs::read_to_string(dir.path().join("pack.yaml")).expect("pack.yaml");
    let (code, _, err) = policy_on(
        &dir,
        &[
            "new",
            "clause",
            "<pack>",
            "research-grant",
            "--kind",
            "research_grant",
            "--article",
            "四(一)2",
            "--title",
            "科技攻关项目",
            "--text",
            "每年组织实施一批科技攻关项目，支持企业联合高校实施关键技术攻关。",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("error: --text is not found word for word"),
        "{err}"
    );
    assert!(
        err.contains("the nearest sentence of the source: 聚焦未来产业重点领域")
            && err.contains(
                "每年组织实施一批科技攻关项目，支持企业联合高校和科研院所实施关键核心技术攻关。"
            ),
        "{err}"
    );
    assert!(!dir.path().join("clauses/research-grant.yaml").exists());
    assert_eq!(
        fs::read_to_string(dir.path().join("pack.yaml")).expect("pack.yaml"),
        before
    );
    // A pack with a source document needs the text.
    let (code, _, err) = policy_on(
        &dir,
        &[
            "new",
            "clause",
            "<pack>",
            "research-grant",
            "--kind",
            "research_grant",
            "--article",
            "四(一)2",
            "--title",
            "科技攻关项目",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("give --text"), "{err}");
    // Twice is refused, and so is a kind another clause decides.
    let (code, _, err) = policy_on(
        &dir,
        &[
            "new",
            "clause",
            "<pack>",
            "research-project",
            "--kind",
            "x",
            "--article",
            "a",
            "--title",
            "t",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("already has a clause"), "{err}");
    let (code, _, err) = policy_on(
        &dir,
        &[
            "new",
            "clause",
            "<pack>",
            "another",
            "--kind",
            "talent_team",
            "--article",
            "a",
            "--title",
            "t",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("already decided by clause `talent-team`"),
        "{err}"
    );
}

#[test]
fn doc_renders_law_beside_code_with_worked_examples() {
    let (code, md, _) = policy(&["doc", PACK]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("doc_markdown", md);
    let (code, html, _) = policy(&["doc", PACK, "--format", "html"]);
    assert_eq!(code, 0);
    for id in [
        "scenario-case",
        "rd-platform",
        "tech-transfer",
        "competition-award",
    ] {
        assert!(
            html.contains(&format!("<section class=\"clause\" id=\"{id}\">")),
            "{id}"
        );
    }
    // A worked example from tests/tech-transfer.yaml, decided now.
    assert!(
        html.contains("awarded 123,456.79 元"),
        "the rounding example is shown"
    );
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn watch_reports_what_a_save_changed() {
    let dir = pack_copy();
    let meta = dir.path().join("clauses/rd-platform.yaml");
    let editor = std::thread::spawn(move || {
        // After the first check, a drafter saves a typo.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        replace_in(&meta, "  provincial:", "  provincal:");
    });
    let (code, out, _) = policy_on(&dir, &["watch", "<pack>", "--runs", "1"]);
    editor.join().expect("editor");
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "watching <pack>: check: ok", "{out}");
    assert!(lines[1].starts_with("  tests: "), "{out}");
    assert!(lines[1].contains(" passed, 0 failed; coverage "), "{out}");
    assert_eq!(
        lines[2], "changed clauses/rd-platform.yaml: check: errors",
        "{out}"
    );
    // The error in full, with its line and a caret; no test results while the pack is broken.
    assert!(
        out.contains("  error: <pack>/clauses/rd-platform.yaml:13:3:"),
        "{out}"
    );
    assert!(out.contains("did you mean `provincial`?"), "{out}");
    assert!(out.contains("13 |   provincal:"), "{out}");
    assert!(!out.contains("PASS") && !out.contains("gone"), "{out}");
    assert!(
        out.ends_with("  tests not run: the pack does not load; fix the errors above first\n"),
        "{out}"
    );
}
