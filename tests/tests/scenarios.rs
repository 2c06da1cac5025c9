//! What-if: overrides, scenario files, timelines, compare and sweep.

use std::collections::BTreeMap;
use std::fs;

use policy_tests::{pack_copy, policy};
use serde_json::Value;

const PACK: &str = "policies/suzhou-future-industries";
const INPUT: &str = "policies/suzhou-future-industries/examples/applications.yaml";
const SCENARIOS: &str = "policies/suzhou-future-industries/scenarios";

fn run_json(extra: &[&str]) -> Value {
    let mut args = vec!["run", "--pack", PACK, "--input", INPUT, "--format", "json"];
    args.extend(extra);
    let (code, out, err) = policy(&args);
    assert!(code <= 1, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

/// A decision's status and amount
type Outcome = (String, String);

/// id → (status, amount), for applications with an id (the first of a duplicate)
fn by_id(doc: &Value) -> BTreeMap<String, Outcome> {
    let mut m = BTreeMap::new();
    for d in doc["decisions"].as_array().expect("decisions") {
        if let Some(id) = d["id"].as_str() {
            m.entry(id.to_string()).or_insert((
                d["status"].as_str().unwrap_or_default().to_string(),
                d["amount"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    m
}

const SETS: [&str; 6] = [
    "--set",
    "rd-platform.provincial=600000",
    "--set",
    "scenario-case.yearly_limit=11",
    "--set",
    "tech-transfer.cap=300000",
];

#[test]
fn overrides_change_exactly_the_decisions_they_govern() {
    let base = run_json(&[]);
    let changed = run_json(&SETS);
    let (b, c) = (by_id(&base), by_id(&changed));
    let differing: Vec<(&String, &Outcome, &Outcome)> = b
        .iter()
        .filter(|(id, v)| c.get(*id) != Some(v))
        .map(|(id, v)| (id, v, &c[id]))
        .collect();
    let expected = [
        (
            "2025-RP-02",
            ("awarded", "400000.00"),
            ("awarded", "600000.00"),
        ),
        ("2025-SC-11", ("capped", "0.00"), ("awarded", "200000.00")),
        (
            "2025-TR-0011",
            ("awarded", "500000.00"),
            ("awarded", "300000.00"),
        ),
        (
            "2025-TR-0012",
            ("awarded", "500000.00"),
            ("awarded", "300000.00"),
        ),
    ];
    assert_eq!(differing.len(), expected.len(), "{differing:?}");
    for ((id, before, after), (eid, eb, ea)) in differing.iter().zip(expected) {
        assert_eq!(id.as_str(), eid);
        assert_eq!((before.0.as_str(), before.1.as_str()), eb);
        assert_eq!((after.0.as_str(), after.1.as_str()), ea);
    }
    // 2025-TR-0007 (123456.79) is under the new cap and keeps its amount to the fen.
    assert_eq!(c["2025-TR-0007"].1, "123456.79");
    assert_ne!(base["pack"]["fingerprint"], changed["pack"]["fingerprint"]);
}

#[test]
fn restating_a_default_changes_no_decision() {
    let base = run_json(&[]);
    let same = run_json(&[
        "--set",
        "rd-platform.provincial=40万",
        "--set",
        "tech-transfer.rate=10%",
    ]);
    assert_eq!(base["decisions"], same["decisions"]);
    assert_eq!(base["totals"], same["totals"]);
}

#[test]
fn every_bad_override_is_reported_before_anything_runs() {
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--set",
        "rd-platfrom.provincial=1",
        "--set",
        "rd-platform.provincal=1",
        "--set",
        "scenario-case.yearly_limit=10.5",
        "--set",
        "tech-transfer.rate=abc",
        "--set",
        "nonsense",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    insta::assert_snapshot!("bad_overrides", err);
    assert!(
        err.contains("`nonsense`: expected `clause-id.parameter=value`"),
        "{err}"
    );
    assert!(
        err.contains("unknown clause `rd-platfrom`; did you mean `rd-platform`?"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `rd-platform.provincial`?"),
        "{err}"
    );
    assert!(
        err.contains("`scenario-case.yearly_limit` (unit count)"),
        "{err}"
    );
    assert!(err.contains("`tech-transfer.rate` (unit ratio)"), "{err}");
}

#[test]
fn compare_totals_equal_the_sums_of_the_two_runs() {
    let base = run_json(&[]);
    let changed = run_json(&SETS);
    let mut args = vec![
        "compare", "--pack", PACK, "--input", INPUT, "--format", "json",
    ];
    args.extend(SETS);
    let (code, out, _) = policy(&args);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let c = &doc["comparisons"][0];
    assert_eq!(c["total"]["baseline_amount"], base["totals"]["amount"]);
    assert_eq!(c["total"]["scenario_amount"], changed["totals"]["amount"]);
    assert_eq!(c["total"]["scenario_awarded"], changed["totals"]["awarded"]);
    // Per clause: the sum of the run's awarded decisions of that clause, to the fen.
    for line in c["by_clause"].as_array().expect("lines") {
        let clause = line["key"].as_str().expect("key");
        for (doc, field) in [(&base, "baseline_amount"), (&changed, "scenario_amount")] {
            let sum: rust_decimal::Decimal = doc["decisions"]
                .as_array()
                .expect("decisions")
                .iter()
                .filter(|d| d["clause"] == clause && d["status"] == "awarded")
                .map(|d| {
                    d["amount"]
                        .as_str()
                        .expect("amount")
                        .parse::<rust_decimal::Decimal>()
                        .expect("decimal")
                })
                .sum();
            assert_eq!(
                line[field].as_str().expect(field),
                format!("{sum:.2}"),
                "{clause} {field}"
            );
        }
    }
    assert_eq!(c["winners"], 2);
    assert_eq!(c["losers"], 2);
    insta::assert_snapshot!("compare_sets_json", out);
}

#[test]
fn compare_the_shipped_scenarios() {
    let mut args = vec!["compare", "--pack", PACK, "--input", INPUT];
    let files: Vec<String> = [
        "provincial-platform-60wan.yaml",
        "tech-transfer-15pct-cap-30wan.yaml",
        "scenario-cases-8-per-year.yaml",
        "tech-transfer-tiered.yaml",
    ]
    .iter()
    .map(|f| format!("{SCENARIOS}/{f}"))
    .collect();
    for f in &files {
        args.push("--scenario");
        args.push(f);
    }
    let (code, table, err) = policy(&args);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("compare_scenarios_table", table);
    args.extend(["--format", "csv"]);
    let (_, csv, _) = policy(&args);
    insta::assert_snapshot!("compare_scenarios_csv", csv);
}

#[test]
fn sweep_the_tech_transfer_rate() {
    let args = [
        "sweep",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--param",
        "tech-transfer.rate",
        "--from",
        "0.05",
        "--to",
        "0.20",
        "--step",
        "0.05",
    ];
    let (code, out, _) = policy(&args);
    assert_eq!(code, 0);
    insta::assert_snapshot!("sweep_rate_table", out);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (_, out, _) = policy(&json_args);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let points = doc["points"].as_array().expect("points");
    assert_eq!(points.len(), 4);
    // The point at the pack's own value is the baseline run's total.
    let base = run_json(&[]);
    assert_eq!(points[1]["amount"], base["totals"]["amount"]);
    let (code, _, err) = policy(&[
        "sweep",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--param",
        "tech-transfer.rat",
        "--from",
        "0",
        "--to",
        "1",
        "--step",
        "0.5",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `tech-transfer.rate`?"), "{err}");
}

#[test]
fn a_switched_off_clause_gives_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("off.yaml");
    fs::write(&file, "name: 停用大赛奖励\ndisable: [competition-award]\n").expect("write");
    let doc = run_json(&["--scenario", &file.to_string_lossy()]);
    let m = by_id(&doc);
    assert_eq!(m["2025-CA-01"], ("ineligible".into(), "0.00".into()));
    assert_eq!(m["2025-TT-01"], ("awarded".into(), "3000000.00".into()));
    let bad = dir.path().join("bad.yaml");
    fs::write(
        &bad,
        "name: x\ndisable: [competition-awards]\nset:\n  tech-transfer.cap: lots\n",
    )
    .expect("write");
    let (code, _, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--scenario",
        &bad.to_string_lossy(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.yaml:2:"), "{err}");
    assert!(err.contains("did you mean `competition-award`?"), "{err}");
    assert!(
        err.contains("bad.yaml:4:3: `tech-transfer.cap` (unit yuan)"),
        "{err}"
    );
}

#[test]
fn a_timeline_gives_each_year_its_value() {
    let dir = pack_copy();
    let meta = dir.path().join("clauses/rd-platform.yaml");
    let text = fs::read_to_string(&meta).expect("read");
    fs::write(
        &meta,
        text.replace(
            "    value: 400000\n",
            "    values:\n      2025: 400000\n      2027: 60万\n",
        ),
    )
    .expect("write");
    let input = dir.path().join("apps.yaml");
    let mut apps = String::new();
    for year in [2024, 2025, 2026, 2027, 2030] {
        apps.push_str(&format!(
            "- id: RP-{year}\n  year: {year}\n  kind: rd_platform\n  applicant: {{ name: 某平台, in_city: true }}\n  level: provincial\n  platform_type: key_lab\n  newly_recognized: true\n"
        ));
    }
    fs::write(&input, apps).expect("write");
    let pack = dir.path().to_string_lossy().into_owned();
    let input = input.to_string_lossy().into_owned();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--pack",
            pack.as_str(),
            "--input",
            input.as_str(),
            "--format",
            "json",
        ];
        args.extend(extra);
        let (code, out, _) = policy(&args);
        (code, by_id(&serde_json::from_str(&out).expect("JSON")))
    };
    let (code, m) = run(&[]);
    assert_eq!(code, 1, "2024 is before the timeline starts");
    assert_eq!(m["RP-2024"].0, "error");
    assert_eq!(m["RP-2025"].1, "400000.00");
    assert_eq!(m["RP-2026"].1, "400000.00");
    assert_eq!(m["RP-2027"].1, "600000.00");
    assert_eq!(m["RP-2030"].1, "600000.00");
    let (_, m) = run(&["--set", "rd-platform.provincial@2030=700000"]);
    assert_eq!(m["RP-2027"].1, "600000.00");
    assert_eq!(m["RP-2030"].1, "700000.00");
    let (_, out, _) = policy(&["clauses", &pack]);
    assert!(out.contains("2025: 400000, 2027: 600000"), "{out}");
    let (code, _, err) = policy(&[
        "run",
        "--pack",
        &pack,
        "--input",
        &input,
        "--set",
        "tech-transfer.cap@2027=1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a timeline"), "{err}");
}

#[test]
fn explain_shows_the_overridden_value() {
    let (_, out, _) = policy(&[
        "--lang",
        "zh",
        "explain",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--id",
        "2025-TR-0011",
        "--set",
        "tech-transfer.cap=30万",
    ]);
    assert!(out.contains("300,000 元（30 万元）"), "{out}");
    assert!(out.contains("决定：给予奖励，300,000.00 元"), "{out}");
}

#[test]
fn targets_count_progress_from_the_decisions() {
    let (code, table, _) = policy(&["targets", "--pack", PACK, "--input", INPUT]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("targets_table", table);
    let (_, out, _) = policy(&[
        "targets", "--pack", PACK, "--input", INPUT, "--format", "json",
    ]);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let get = |id: &str| {
        doc.as_array()
            .expect("list")
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .expect("target")
    };
    // Three talent teams funded in the examples, against about 10.
    assert_eq!(get("talent-teams")["reached"], 3);
    assert_eq!(get("talent-teams")["percent"], "30.0");
    // Two distinct high-tech enterprises (the out-of-city and erroneous ones do not count).
    assert_eq!(get("high-tech-enterprises")["reached"], 2);
    // No clause measures the number of S&T SMEs.
    assert_eq!(get("tech-smes")["reached"], Value::Null);
    // With 8 scenario cases a year, 9 count (8 in 2025, 1 in 2026).
    let (_, out, _) = policy(&[
        "targets",
        "--pack",
        PACK,
        "--input",
        INPUT,
        "--format",
        "json",
        "--set",
        "scenario-case.yearly_limit=8",
    ]);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let sc = doc
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["id"] == "scenario-cases")
        .cloned()
        .expect("t");
    assert_eq!(sc["reached"], 9);
}

#[test]
fn a_value_written_two_ways_is_one_scenario() {
    let a = run_json(&["--set", "rd-platform.provincial=60万"]);
    let b = run_json(&["--set", "rd-platform.provincial=600000"]);
    let c = run_json(&["--set", "rd-platform.provincial=60万元"]);
    assert_eq!(a, b);
    assert_eq!(b, c);
}

/// The streamed comparison and sweep (the CLI's) give what the in-memory ones give, and the
/// same progress toward the targets, on the examples (errors and a duplicate id among them) and
/// on generated applications (the yearly limit binding), for every shipped scenario at once
#[test]
fn streamed_compare_equals_in_memory_compare() {
    use policy_engine::{Engine, InputFile, Scenario};
    let root = policy_tests::root();
    let engine = Engine::load(root.join(PACK)).expect("pack");
    let mut scenarios = Vec::new();
    for entry in fs::read_dir(root.join(SCENARIOS)).expect("scenarios") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let s = Scenario::load(&path).expect("scenario");
            scenarios.push((s.name.clone(), engine.with_scenario(&s).expect("applies")));
        }
    }
    assert!(scenarios.len() >= 4);
    let pairs: Vec<(&str, &Engine)> = scenarios.iter().map(|(n, e)| (n.as_str(), e)).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = dir.path().join("gen.jsonl");
    let (code, _, err) = policy(&[
        "gen",
        "--pack",
        PACK,
        "--count",
        "3000",
        "--seed",
        "5",
        "--output",
        generated.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{err}");
    for input in [root.join(INPUT), generated] {
        let source = InputFile::new(&input, None).expect("format");
        let apps = source.read_all().expect("read");
        let in_memory = engine.compare(&apps, &pairs);
        let (_, progress) = engine.targets(&apps);
        let (streamed, streamed_progress) =
            engine.compare_stream(&source, &pairs).expect("streamed");
        assert_eq!(streamed, in_memory, "{}", input.display());
        assert_eq!(streamed_progress, progress);
        assert!(streamed.iter().any(|c| c.winners + c.losers > 0));
        // A sweep is a comparison per value: streamed and in memory alike.
        for (param, values) in [
            ("tech-transfer.rate", ["0.05", "0.1", "0.2"]),
            ("scenario-case.yearly_limit", ["1", "10", "50"]),
        ] {
            let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            let swept = engine.sweep(&apps, param, &values).expect("sweep");
            let streamed = engine
                .sweep_stream(&source, param, &values)
                .expect("streamed sweep");
            assert_eq!(streamed, swept, "{param}");
        }
        assert!(matches!(
            engine.sweep_stream(&source, "tech-transfer.nope", &["1".to_string()]),
            Err(policy_engine::StreamError::Changes(_))
        ));
    }
}
