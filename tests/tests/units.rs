//! Parameter units as drafters write them: `亿` wherever `万` is understood (YAML, `--set`, test
//! expectations), and the `number` unit for scores and thresholds, read exactly and usable in
//! a script.

use policy_tests::{pack_copy, policy_on};

const APPS: &str = r#"[
  {"id": "HI", "year": 2025, "kind": "scenario_case", "applicant": {"name": "甲", "in_city": true}, "selected": true, "score": 89.5},
  {"id": "LO", "year": 2025, "kind": "scenario_case", "applicant": {"name": "乙", "in_city": true}, "selected": true, "score": 89.4}
]"#;

/// Replaces `from` by `to` in a file of a pack copy
fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} holds {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

/// The Suzhou pack with a passing score on the scenario-case clause, a `number` parameter
fn pack_with_passing_score() -> tempfile::TempDir {
    let pack = pack_copy();
    edit(
        &pack.path().join("clauses/scenario-case.yaml"),
        "  yearly_limit:\n",
        "  passing_score:\n    value: 89.5\n    unit: number\n    description: 入选案例的最低评审得分\n  yearly_limit:\n",
    );
    edit(
        &pack.path().join("clauses/scenario-case.rhai"),
        "award(params.award,",
        "if app.score < params.passing_score {\n    return ineligible(`评审得分低于 ${params.passing_score} 分`);\n}\naward(params.award,",
    );
    std::fs::write(pack.path().join("apps.json"), APPS).expect("write");
    pack
}

fn statuses(json: &str) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap_or_default().to_string(),
                d["status"].as_str().unwrap_or_default().to_string(),
                d["amount"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_number_parameter_is_a_threshold_a_script_compares_with() {
    let pack = pack_with_passing_score();
    let dir = pack.path().to_string_lossy().into_owned();
    let (code, out, err) = policy_on(&pack, &["check", &dir]);
    assert_eq!(code, 0, "{out}{err}");
    let apps = pack.path().join("apps.json").to_string_lossy().into_owned();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--pack", &dir, "--input", &apps, "--format", "json"];
        args.extend(extra);
        let (code, out, err) = policy_on(&pack, &args);
        assert_eq!(code, 0, "{err}");
        statuses(&out)
    };
    assert_eq!(
        run(&[]),
        [
            ("HI".into(), "awarded".into(), "200000.00".into()),
            ("LO".into(), "ineligible".into(), "0.00".into()),
        ]
    );
    // Set like any parameter, exactly: 89.4 lets the second one in.
    assert_eq!(
        run(&["--set", "scenario-case.passing_score=89.4"])[1],
        ("LO".into(), "awarded".into(), "200000.00".into())
    );
    let (code, out, _) = policy_on(&pack, &["clauses", &dir]);
    assert_eq!(code, 0);
    assert!(
        out.contains("passing_score") && out.contains("89.5"),
        "{out}"
    );
    let (code, _, err) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            &dir,
            "--input",
            &apps,
            "--set",
            "scenario-case.passing_score=89.5分",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`89.5分` is not a number"), "{err}");
}

#[test]
fn yi_is_understood_in_yaml_set_and_test_expectations() {
    let pack = pack_copy();
    let dir = pack.path().to_string_lossy().into_owned();
    edit(
        &pack.path().join("clauses/scenario-case.yaml"),
        "value: 200000\n",
        "value: 0.002亿\n",
    );
    std::fs::write(pack.path().join("apps.json"), APPS).expect("write");
    let apps = pack.path().join("apps.json").to_string_lossy().into_owned();
    let (code, out, err) = policy_on(
        &pack,
        &["run", "--pack", &dir, "--input", &apps, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(statuses(&out)[0].2, "200000.00");
    let (code, out, err) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            &dir,
            "--input",
            &apps,
            "--format",
            "json",
            "--set",
            "scenario-case.award=1.5亿元",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(statuses(&out)[0].2, "150000000.00");
    // A test case expects an amount written with 亿, as parameters are written.
    let case = pack.path().join("tests/yi.yaml");
    std::fs::write(
        &case,
        "name: 亿\ncases:\n  - name: 以亿元书写的预期金额\n    applications:\n      - { id: Y, year: 2025, kind: scenario_case, applicant: { name: 甲, in_city: true }, selected: true, score: 90 }\n    expect:\n      - { id: Y, status: awarded, amount: 0.002亿 }\n",
    )
    .expect("write");
    let (code, out, err) = policy_on(&pack, &["test", &dir]);
    assert_eq!(code, 0, "{out}{err}");
}
