//! Every output that has a JSON Schema (`policy schema`) is validated against it: the decisions
//! document (`--format json`), each line of `--format jsonl`, both also with `--with-applicant`,
//! and the applications the pack's examples and `policy gen` give against the application schema.
//! For every shipped pack, and for copies of one with `rounding.scale` 0 and 4, whose amounts
//! have other decimals than the usual two.

mod generated;

use std::path::{Path, PathBuf};

use jsonschema::Validator;
use serde_json::Value;

use policy_tests::{pack_copy, policy};

fn schema(pack: &Path, of: &str) -> Value {
    let pack = pack.to_string_lossy();
    let (code, out, err) = policy(&["schema", &pack, "--of", of]);
    assert_eq!(code, 0, "policy schema {pack} --of {of}: {err}");
    serde_json::from_str(&out).expect("a schema is JSON")
}

fn validator(schema: &Value) -> Validator {
    jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("a valid schema: {e}\n{schema}"))
}

/// Each reason the document breaks the schema, with where
fn problems(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid(what: &str, v: &Validator, doc: &Value) {
    let found = problems(v, doc);
    let shown: String = doc.to_string().chars().take(2000).collect();
    assert!(found.is_empty(), "{what}: {found:#?}\n{shown}");
}

/// The well-formed example applications of a pack (not `malformed.*`, meant to be refused)
fn examples(pack: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(pack.join("examples"))
        .expect("examples folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !name.starts_with("malformed") && !name.ends_with(".xlsx")
        })
        .collect();
    out.sort();
    out
}

/// A run's output, parsed: the whole document for JSON, one value a line for JSONL
fn run(pack: &Path, input: &Path, format: &str, with_applicant: bool) -> Vec<Value> {
    let (pack, input) = (pack.to_string_lossy(), input.to_string_lossy());
    let mut args = vec![
        "run", "--pack", &pack, "--input", &input, "--format", format,
    ];
    if with_applicant {
        args.push("--with-applicant");
    }
    let (code, out, err) = policy(&args);
    // 0, or the exit code that says some applications were errors: the output is written.
    assert!(code <= 2, "policy {args:?}: {code} {err}");
    match format {
        "json" => vec![serde_json::from_str(&out).expect("JSON")],
        _ => out
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect(),
    }
}

/// Validates everything a pack writes that has a schema; returns the amounts it saw
fn check_pack(pack: &Path) -> Vec<String> {
    let decisions = schema(pack, "decisions");
    let whole = validator(&decisions);
    let mut item = decisions["properties"]["decisions"]["items"].clone();
    item["$schema"] = decisions["$schema"].clone();
    let line = validator(&item);
    let applications = validator(&schema(pack, "application"));
    let with_applicant = std::fs::read_to_string(pack.join("pack.yaml"))
        .expect("pack.yaml")
        .lines()
        .any(|l| l.starts_with("applicant:"));
    let mut amounts = Vec::new();
    let inputs = examples(pack);
    assert!(!inputs.is_empty(), "{}: examples", pack.display());
    for input in &inputs {
        let what = |f: &str| format!("{} {} --format {f}", pack.display(), input.display());
        for applicant in [false, true] {
            if applicant && !with_applicant {
                continue;
            }
            for doc in run(pack, input, "json", applicant) {
                assert_valid(&what("json"), &whole, &doc);
                for d in doc["decisions"].as_array().into_iter().flatten() {
                    amounts.push(d["amount"].as_str().unwrap_or_default().to_string());
                }
            }
            for doc in run(pack, input, "jsonl", applicant) {
                assert_valid(&what("jsonl"), &line, &doc);
            }
        }
        // The example applications themselves meet the application schema.
        if input.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(input).expect("examples");
            let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
            let json: Value = serde_json::to_value(yaml).expect("YAML as JSON");
            let apps = match &json {
                Value::Array(a) => a.clone(),
                other => other["applications"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            };
            assert!(!apps.is_empty(), "{}: applications", input.display());
            for app in apps {
                assert_valid(
                    &format!("{} application", input.display()),
                    &applications,
                    &app,
                );
            }
        }
    }
    // What `policy gen` makes is valid input.
    let (code, out, err) = policy(&[
        "gen",
        "--pack",
        &pack.to_string_lossy(),
        "--count",
        "300",
        "--seed",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    for l in out.lines() {
        let app: Value = serde_json::from_str(l).expect("JSON line");
        assert_valid("policy gen application", &applications, &app);
    }
    amounts
}

#[test]
fn shipped_packs_outputs_meet_their_schemas() {
    for pack in generated::packs() {
        let amounts = check_pack(&pack);
        assert!(
            amounts
                .iter()
                .any(|a| !a.trim_start_matches(['0', '.']).is_empty()),
            "{}: some award was checked",
            pack.display()
        );
    }
}

/// A copy of the Suzhou pack rounding to `scale` decimals
fn rounded(scale: u32) -> tempfile::TempDir {
    let dir = pack_copy();
    let meta = dir.path().join("pack.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("pack.yaml");
    assert!(
        yaml.contains("  scale: 2\n"),
        "the Suzhou pack rounds to the fen"
    );
    std::fs::write(
        &meta,
        yaml.replace("  scale: 2\n", &format!("  scale: {scale}\n")),
    )
    .expect("write pack.yaml");
    dir
}

#[test]
fn a_pack_rounding_to_other_decimals_meets_its_schema() {
    for (scale, decimals) in [(0u32, None), (4, Some(4usize))] {
        let dir = rounded(scale);
        let amounts = check_pack(dir.path());
        // The runs did write amounts of that scale, so the schema was tried on them.
        assert!(!amounts.is_empty());
        for a in &amounts {
            assert_eq!(
                a.split_once('.').map(|(_, f)| f.len()),
                decimals,
                "scale {scale}: {a}"
            );
        }
        // And the schema is the pack's own: a scale-2 amount breaks it.
        let schema = schema(dir.path(), "decisions");
        let v = validator(&schema);
        let (code, out, _) = policy(&[
            "run",
            "--pack",
            policy_tests::suzhou_pack().to_string_lossy().as_ref(),
            "--input",
            policy_tests::suzhou_examples().to_string_lossy().as_ref(),
            "--format",
            "json",
        ]);
        assert!(code <= 2);
        let two: Value = serde_json::from_str(&out).expect("JSON");
        assert!(!problems(&v, &two).is_empty(), "scale {scale} refuses 0.00");
    }
}
