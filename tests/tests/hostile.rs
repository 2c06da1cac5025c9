//! Regression tests for hostile or odd inputs and packs found in review: each ends with a
//! clear error (for the application, or exit 2 for the file) and no crash.

use std::fs;
use std::path::Path;

use policy_tests::{pack_copy, policy, suzhou_pack};

const PACK: &str = "policies/suzhou-future-industries";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

fn run_json(input: &str) -> (u8, serde_json::Value, String) {
    let (code, out, err) = policy(&["run", "--pack", PACK, "--input", input, "--format", "json"]);
    let doc = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    (code, doc, err)
}

const GOOD: &str = "- id: OK-1
  year: 2025
  kind: competition_award
  applicant: { name: 宿州某团队, in_city: true }
  prize: third
";

#[test]
fn deeply_nested_block_yaml_is_an_input_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(
        dir.path(),
        "deep.yaml",
        &format!("{}x\n", "- ".repeat(20_000)),
    );
    let (code, _, err) = run_json(&input);
    assert_eq!(code, 2);
    assert!(err.contains("nested deeper than 64"), "{err}");
}

#[test]
fn a_second_yaml_document_is_an_error_not_dropped() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(dir.path(), "two.yaml", &format!("{GOOD}---\n{GOOD}"));
    let (code, _, err) = run_json(&input);
    assert_eq!(code, 2);
    assert!(err.contains("second YAML document"), "{err}");
}

#[test]
fn a_field_given_twice_costs_only_its_application() {
    let dir = tempfile::tempdir().expect("dir");
    let text = format!(
        "{GOOD}- id: TWICE-1
  year: 2025
  kind: competition_award
  applicant.in_city: false
  applicant: {{ name: 宿州某团队, in_city: true }}
  prize: third
- id: TWICE-2
  year: 2025
  kind: competition_award
  applicant: {{ name: 宿州某团队, in_city: true }}
  prize: third
  prize: first
"
    );
    let input = write(dir.path(), "twice.yaml", &text);
    let (code, doc, _) = run_json(&input);
    assert_eq!(code, 1);
    let d = doc["decisions"].as_array().expect("decisions");
    assert_eq!(d[0]["status"], "awarded");
    for (i, field) in [(1, "applicant.in_city"), (2, "prize")] {
        assert_eq!(d[i]["status"], "error");
        let reason = d[i]["reasons"][0].as_str().expect("reason");
        assert!(
            reason.contains(&format!("field `{field}` is given twice")),
            "{reason}"
        );
    }
    let json = write(
        dir.path(),
        "twice.json",
        r#"[{"id":"J","year":2025,"year":2026,"kind":"competition_award",
             "applicant":{"name":"x","in_city":true},"prize":"third"},
            {"id":"K","year":2025,"kind":"competition_award",
             "applicant":{"name":"x","in_city":true},"prize":"third"}]"#,
    );
    let (code, doc, _) = run_json(&json);
    assert_eq!(code, 1);
    assert_eq!(doc["decisions"][0]["status"], "error");
    assert_eq!(doc["decisions"][1]["status"], "awarded");
}

#[test]
fn an_award_that_rounds_to_nothing_is_not_an_award() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(
        dir.path(),
        "tiny.yaml",
        "- id: TINY
  year: 2025
  kind: tech_transfer
  applicant: { name: 宿州某公司, in_city: true }
  seller_in_city: false
  contract_amount: 0.04
  paid_amount: 0.04
",
    );
    let (code, doc, _) = run_json(&input);
    assert_eq!(code, 0);
    assert_eq!(doc["decisions"][0]["status"], "ineligible");
    assert_eq!(doc["decisions"][0]["amount"], "0.00");
    assert_eq!(doc["totals"]["awarded"], 0);
}

#[test]
fn an_absurd_award_is_an_error_not_an_overflow() {
    let dir = pack_copy();
    fs::write(
        dir.path().join("clauses/competition-award.rhai"),
        "award(79228162514264337593543950335, `x ${percent(params.first)}`)",
    )
    .expect("write");
    let pack = dir.path().to_string_lossy().into_owned();
    let input = suzhou_pack().join("examples/applications.yaml");
    let (code, out, _) = policy(&[
        "run",
        "--pack",
        &pack,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let ca = doc["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["id"] == "2025-CA-02")
        .expect("2025-CA-02");
    assert_eq!(ca["status"], "error");
    assert!(ca["reasons"][0]
        .as_str()
        .expect("reason")
        .contains("ceiling"));
}

#[test]
fn the_source_document_must_be_inside_the_pack() {
    let dir = pack_copy();
    let p = dir.path().join("pack.yaml");
    let text = fs::read_to_string(&p).expect("read");
    fs::write(
        &p,
        text.replace("file: source/draft.zh.txt", "file: ../outside.txt"),
    )
    .expect("write");
    let (code, _, err) = policy(&["check", &dir.path().to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains("must be a path inside the pack"), "{err}");
}

/// Replaces the competition-award script, decides the examples, and returns the decisions of
/// that clause and of another, for a hostile script
fn with_script(script: &str) -> (u8, Vec<serde_json::Value>, String) {
    let dir = pack_copy();
    fs::write(dir.path().join("clauses/competition-award.rhai"), script).expect("write");
    let pack = dir.path().to_string_lossy().into_owned();
    let input = suzhou_pack().join("examples/applications.yaml");
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        &pack,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    (
        code,
        doc["decisions"].as_array().cloned().unwrap_or_default(),
        err,
    )
}

#[test]
fn hostile_scripts_fail_their_own_applications_only() {
    let cases = [
        ("loop { }", "does not finish"),
        ("fn f(n) { f(n + 1) } f(0)", "nested deeper"),
        (
            "let s = \"x\"; loop { s += s; }",
            "grew past the sandbox limit",
        ),
        (
            "let a = [1]; loop { a += a; }",
            "grew past the sandbox limit",
        ),
        ("42", "must end with"),
        ("award(-5, \"x\")", "negative amount"),
        ("award(\"lots\", \"x\")", "Function not found: award"),
        ("throw \"refused by the script\"", "refused by the script"),
    ];
    for (script, needle) in cases {
        let (code, d, err) = with_script(script);
        assert_eq!(code, 1, "{script}: {err}");
        let ca = d.iter().find(|x| x["id"] == "2025-CA-02").expect("CA-02");
        assert_eq!(ca["status"], "error", "{script}");
        let reason = ca["reasons"][0].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("clause script clauses/competition-award.rhai"),
            "{script}: {reason}"
        );
        assert!(reason.contains(needle), "{script}: {reason}");
        // Every other clause still decides.
        let tr = d
            .iter()
            .find(|x| x["id"] == "2025-TR-0007")
            .expect("TR-0007");
        assert_eq!(tr["amount"], "123456.79", "{script}");
    }
    // A function that exists nowhere is refused when the pack is loaded, before any run
    // (a call with the wrong types, above, still fails at run time).
    let (code, d, err) = with_script("no_such_function(1)");
    assert_eq!((code, d.len()), (2, 0), "{err}");
    assert!(
        err.contains("`no_such_function(…)` is not a function a script can call"),
        "{err}"
    );
}

#[test]
fn import_and_eval_are_refused_when_the_pack_loads() {
    for (script, needle) in [
        ("import \"os\" as os;\naward(1, \"x\")", "script syntax"),
        ("eval(\"award(1, \\\"x\\\")\")", "eval"),
    ] {
        let dir = pack_copy();
        fs::write(dir.path().join("clauses/competition-award.rhai"), script).expect("write");
        let (code, _, err) = policy(&["check", &dir.path().to_string_lossy()]);
        assert_eq!(code, 2, "{script}");
        assert!(
            err.contains("clauses/competition-award.rhai:1:"),
            "{script}: {err}"
        );
        assert!(err.contains(needle), "{script}: {err}");
    }
}

#[test]
fn hostile_lines_cost_only_themselves() {
    let dir = tempfile::tempdir().expect("dir");
    let ok = |id: &str| {
        format!("{{\"id\":\"{id}\",\"year\":2025,\"kind\":\"competition_award\",\"applicant\":{{\"name\":\"宿州\",\"in_city\":true}},\"prize\":\"third\"}}")
    };
    let long = format!("{{\"id\":\"LONG\",\"pad\":\"{}\"}}", "x".repeat(5000));
    let forty = "1234567890123456789012345678901234567890";
    let text = format!(
        "\u{feff}{}\r\n{long}\r\n{{\"id\":\"BIG\",\"year\":2025,\"kind\":\"tech_transfer\",\"applicant\":{{\"name\":\"x\",\"in_city\":true}},\"seller_in_city\":false,\"contract_amount\":{forty},\"paid_amount\":1}}\r\n{{\"id\":\"FEN\",\"year\":2025,\"kind\":\"tech_transfer\",\"applicant\":{{\"name\":\"x\",\"in_city\":true}},\"seller_in_city\":false,\"contract_amount\":100,\"paid_amount\":\"1.005\"}}\r\n{{\"id\":\"DEEP\",\"x\":{}{}}}\r\n{}\r\n",
        ok("A"),
        "[".repeat(200),
        "]".repeat(200),
        ok("Z"),
    );
    let input = write(dir.path(), "apps.jsonl", &text);
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input,
        "--format",
        "json",
        "--max-line-bytes",
        "4096",
    ]);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let d = doc["decisions"].as_array().expect("decisions");
    assert_eq!(d.len(), 6, "every line, broken or not, has its decision");
    assert_eq!(
        d[0]["amount"], "10000.00",
        "a byte-order mark and CRLF line ends are fine"
    );
    assert!(d[1]["reasons"][0]
        .as_str()
        .expect("r")
        .contains("longer than 4096 bytes"));
    assert!(d[2]["reasons"][0]
        .as_str()
        .expect("r")
        .contains("too many digits"));
    assert!(d[3]["reasons"][0]
        .as_str()
        .expect("r")
        .contains("more than 2 decimals"));
    assert!(d[4]["reasons"][0]
        .as_str()
        .expect("r")
        .contains("not a JSON object"));
    assert_eq!(d[5]["amount"], "10000.00");
}

#[test]
fn crlf_and_bom_in_yaml_input() {
    let dir = tempfile::tempdir().expect("dir");
    let yaml = "\u{feff}- id: A\r\n  year: 2025\r\n  kind: competition_award\r\n  applicant: { name: 宿州, in_city: true }\r\n  prize: first\r\n";
    let input = write(dir.path(), "apps.yaml", yaml);
    let (code, out, err) = policy(&["run", "--pack", PACK, "--input", &input, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"amount\": \"50000.00\""));
}
