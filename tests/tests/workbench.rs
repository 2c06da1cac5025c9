//! The drafter's workbench: `policy test` (tests as data, coverage), errors that point at the
//! line, and what `policy check` catches before a run.

use std::fs;
use std::path::Path;

use policy_tests::{pack_copy, policy};

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
