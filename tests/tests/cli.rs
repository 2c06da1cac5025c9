//! The `policy` command's output, locked by snapshots: run (table, JSON, YAML), explain,
//! clauses, check, and the errors of broken packs and inputs with their exit codes.

use std::fs;
use std::path::Path;

use policy_tests::{pack_copy, policy, policy_on};

const PACK: &str = "policies/suzhou-future-industries";
const INPUT: &str = "policies/suzhou-future-industries/examples/applications.yaml";
const MALFORMED: &str = "policies/suzhou-future-industries/examples/malformed.yaml";

#[test]
fn run_json_is_the_decisions_document() {
    let (code, out, _) = policy(&["run", "--pack", PACK, "--input", INPUT, "--format", "json"]);
    // The examples are all well formed: exit 0 (the malformed ones are a file of their own).
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let keys: Vec<&String> = doc.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["pack", "decisions", "totals"]);
    for d in doc["decisions"].as_array().expect("decisions") {
        let keys: Vec<&String> = d.as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            ["id", "kind", "clause", "status", "amount", "reasons"]
        );
        let amount = d["amount"].as_str().expect("amount is a string");
        assert_eq!(
            amount.split_once('.').map(|(_, f)| f.len()),
            Some(2),
            "{amount}"
        );
    }
    insta::assert_snapshot!("run_json", out);
}

#[test]
fn run_table_and_yaml() {
    let (code, out, err) = policy(&["run", "--pack", PACK, "--input", INPUT]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    insta::assert_snapshot!("run_table", out);
    let (_, yaml, _) = policy(&["run", "--pack", PACK, "--input", INPUT, "--format", "yaml"]);
    insta::assert_snapshot!("run_yaml", yaml);
}

#[test]
fn malformed_applications_are_refused_one_by_one() {
    // Each malformed example is an `error` decision; the others are still decided: exit 1.
    let (code, out, err) = policy(&["run", "--pack", PACK, "--input", MALFORMED]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("run_malformed_table", out);
    insta::assert_snapshot!("run_malformed_stderr", err);
}

#[test]
fn explain_text() {
    for (id, input) in [
        ("2025-TR-0007", INPUT),
        ("2025-SC-11", INPUT),
        ("2025-HT-03", INPUT),
        ("2025-TR-0015", MALFORMED),
    ] {
        let (_, out, _) = policy(&["explain", "--pack", PACK, "--input", input, "--id", id]);
        insta::with_settings!({ snapshot_suffix => id }, {
            insta::assert_snapshot!("explain_text", out);
        });
    }
    let (code, _, err) = policy(&["explain", "--pack", PACK, "--input", INPUT, "--id", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no application with id `nope`"), "{err}");
}

#[test]
fn clauses_and_check() {
    let (code, out, _) = policy(&["clauses", PACK]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("clauses", out);
    let (code, out, _) = policy(&["check", PACK]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok: suzhou-future-industries"), "{out}");
}

/// A copy of the Suzhou pack in a temporary directory, broken by `edit`
fn broken_copy(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = pack_copy();
    edit(dir.path());
    dir
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn script_syntax_error_names_file_line_and_column() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/tech-transfer.rhai"),
            "let base = min(app.paid_amount, app.contract_amount);",
            "let base = min(app.paid_amount, app.contract_amount;",
        )
    });
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("<pack>/clauses/tech-transfer.rhai:8:52:"),
        "{err}"
    );
    insta::assert_snapshot!("check_script_syntax_error", err);
    let (code, out, err2) = policy_on(&dir, &["run", "--pack", "<pack>", "--input", INPUT]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err, err2);
}

#[test]
fn unknown_key_and_misspelt_type_in_yaml() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/rd-platform.yaml"),
            "parameters:",
            "paramters:",
        );
    });
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("<pack>/clauses/rd-platform.yaml:8:1:"),
        "{err}"
    );
    assert!(err.contains("did you mean `parameters`"), "{err}");
    insta::assert_snapshot!("check_unknown_key", err);

    let dir = broken_copy(|p| replace_in(&p.join("pack.yaml"), "type: money", "type: mony"));
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `money`"), "{err}");
    insta::assert_snapshot!("check_misspelt_type", err);
}

#[test]
fn yaml_syntax_error_names_the_line() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/incubator.yaml"),
            "  national:\n",
            "  national\n",
        );
    });
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("check_yaml_syntax", err);
}

#[test]
fn editing_a_parameter_changes_the_next_run() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/rd-platform.yaml"),
            "value: 400000",
            "value: 600000",
        )
    });
    let (_, out, _) = policy_on(
        &dir,
        &[
            "run", "--pack", "<pack>", "--input", INPUT, "--format", "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let rp02 = doc["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["id"] == "2025-RP-02")
        .expect("2025-RP-02");
    assert_eq!(rp02["amount"], "600000.00");
    // The fingerprint says the pack changed.
    let (_, original, _) = policy(&["run", "--pack", PACK, "--input", INPUT, "--format", "json"]);
    let original: serde_json::Value = serde_json::from_str(&original).expect("JSON");
    assert_ne!(doc["pack"]["fingerprint"], original["pack"]["fingerprint"]);
}

#[test]
fn endless_loop_is_an_error_for_that_application_only() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/incubator.rhai"),
            "if !app.newly_recognized {",
            "if app.level == \"city\" { loop { } }\nif !app.newly_recognized {",
        )
    });
    let started = std::time::Instant::now();
    let (code, out, _) = policy_on(
        &dir,
        &[
            "run", "--pack", "<pack>", "--input", INPUT, "--format", "json",
        ],
    );
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let by_id = |id: &str| {
        doc["decisions"]
            .as_array()
            .expect("decisions")
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .expect("decision")
    };
    let looped = by_id("2025-IN-03");
    assert_eq!(looped["status"], "error");
    let reason = looped["reasons"][0].as_str().expect("reason");
    assert!(reason.contains("clauses/incubator.rhai:3:"), "{reason}");
    assert!(reason.contains("does not finish"), "{reason}");
    assert_eq!(by_id("2025-IN-01")["amount"], "500000.00");
    assert_eq!(by_id("2025-TR-0007")["amount"], "123456.79");
    // Not a timing assertion on speed: a generous bound that only an unbounded loop breaks.
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn input_that_is_not_a_list_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("apps.yaml");
    fs::write(&input, "id: x\n").expect("write");
    let (code, out, err) = policy(&["run", "--pack", PACK, "--input", &input.to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("expected a list of applications"), "{err}");
    let json = dir.path().join("apps.json");
    fs::write(&json, "[{\"id\": 1,}]").expect("write");
    let (code, _, err) = policy(&["run", "--pack", PACK, "--input", &json.to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains(":1:"), "{err}");
}

#[test]
fn json_input_decides_like_yaml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("apps.json");
    fs::write(
        &json,
        r#"[{"id":"2025-TT-0007","year":2025,"kind":"tech_transfer",
            "applicant":{"name":"宿州某新材料有限公司","in_city":true},"area":"先进材料",
            "seller_in_city":false,"contract_amount":3000000,"paid_amount":1234567.85},
           {"id":"2025-TT-0008","year":2025,"kind":"tech_transfer",
            "applicant":{"name":"宿州某公司","in_city":true},
            "seller_in_city":false,"contract_amount":"4.45","paid_amount":4.45}]"#,
    )
    .expect("write");
    let (code, out, _) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &json.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["decisions"][0]["amount"], "123456.79");
    assert_eq!(doc["decisions"][1]["amount"], "0.45");
    assert_eq!(doc["totals"]["amount"], "123457.24");
}

#[test]
fn misspelt_parameter_names_the_yaml_line_and_the_right_name() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/rd-platform.yaml"),
            "  provincial:",
            "  provincal:",
        )
    });
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("<pack>/clauses/rd-platform.yaml:13:3: parameter `provincal` is never read"),
        "{err}"
    );
    assert!(err.contains("did you mean `provincial`?"), "{err}");
    insta::assert_snapshot!("check_misspelt_parameter", err);
}

#[test]
fn misspelt_field_in_a_script_is_caught_by_check() {
    let dir = broken_copy(|p| {
        replace_in(
            &p.join("clauses/tech-transfer.rhai"),
            "app.seller_in_city",
            "app.seller_in_cty",
        )
    });
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("<pack>/clauses/tech-transfer.rhai:5:8:"),
        "{err}"
    );
    assert!(err.contains("did you mean `seller_in_city`?"), "{err}");
}
