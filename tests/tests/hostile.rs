//! Regression tests for hostile or odd inputs found in review that need code: inputs generated
//! to a size. Each ends with a clear error (for the application, or exit 2 for the file) and no
//! crash. The cases that are plain data (an input, a command, an outcome) are files in
//! `tests/hostile/`, run by `hostile_cases.rs`.

use std::fs;
use std::path::Path;

use policy_tests::policy;

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
