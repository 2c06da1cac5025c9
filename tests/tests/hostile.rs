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
