//! An amount in an application file is written as a parameter is: `1234567.85`, `123.456785万`,
//! `0.0123456785亿`, in YAML, JSON, JSONL and CSV, and decides to the same fen whether the
//! decisions are streamed (`--format json`) or kept in memory (`--format yaml`). A malformed
//! amount is refused with the field, its place and what is expected.

use std::fs;

use policy_tests::policy;
use serde_json::Value;

const PACK: &str = "policies/suzhou-future-industries";

/// The tech-transfer application of the examples (2025-TR-0007), its paid amount as written
const FIELDS: [(&str, &str); 7] = [
    ("id", "2025-TR-0007"),
    ("year", "2025"),
    ("kind", "tech_transfer"),
    ("applicant.name", "宿州某新材料有限公司"),
    ("applicant.in_city", "true"),
    ("seller_in_city", "false"),
    ("contract_amount", "3000000"),
];

/// The application in `format` with `paid_amount` written `paid` (`quoted`: a string in YAML
/// and JSON, else a number)
fn application(format: &str, paid: &str, quoted: bool) -> String {
    let value = |v: &str, text: bool| {
        if text {
            format!("\"{v}\"")
        } else {
            v.to_string()
        }
    };
    match format {
        "yaml" => format!(
            "- id: 2025-TR-0007\n  year: 2025\n  kind: tech_transfer\n  applicant: {{ name: 宿州某新材料有限公司, in_city: true }}\n  seller_in_city: false\n  contract_amount: 3000000\n  paid_amount: {}\n",
            value(paid, quoted)
        ),
        "json" | "jsonl" => {
            let line = format!(
                "{{\"id\":\"2025-TR-0007\",\"year\":2025,\"kind\":\"tech_transfer\",\"applicant\":{{\"name\":\"宿州某新材料有限公司\",\"in_city\":true}},\"seller_in_city\":false,\"contract_amount\":3000000,\"paid_amount\":{}}}",
                value(paid, quoted)
            );
            if format == "json" {
                format!("[\n{line}\n]\n")
            } else {
                line + "\n"
            }
        }
        "csv" => {
            let names: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).collect();
            let values: Vec<&str> = FIELDS.iter().map(|(_, v)| *v).collect();
            format!(
                "{},paid_amount\n{},{paid}\n",
                names.join(","),
                values.join(",")
            )
        }
        _ => unreachable!("{format}"),
    }
}

/// The one decision of a run of `input`, as JSON (`out` is `json` or `yaml`)
fn decide(input: &std::path::Path, out: &str) -> Value {
    let (code, stdout, stderr) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        out,
    ]);
    let doc: Value = match out {
        "json" => serde_json::from_str(&stdout).expect("JSON"),
        _ => serde_yaml::from_str(&stdout).expect("YAML"),
    };
    let decisions = doc["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 1, "{stdout}{stderr}");
    let d = decisions[0].clone();
    assert_eq!(code, u8::from(d["status"] == "error"), "{stdout}{stderr}");
    d
}

fn write(dir: &tempfile::TempDir, format: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(format!("app.{format}"));
    fs::write(&path, text).expect("write");
    path
}

#[test]
fn an_amount_decides_alike_however_it_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    // (paid_amount as written, whether YAML and JSON quote it)
    let forms = [
        ("1234567.85", false),
        ("1234567.85", true),
        ("123.456785万", true),
        ("0.0123456785亿", true),
        ("123.456785万元", true),
        ("1234567.85元", true),
    ];
    for format in ["yaml", "json", "jsonl", "csv"] {
        for (paid, quoted) in forms {
            let path = write(&dir, format, &application(format, paid, quoted));
            for out in ["json", "yaml"] {
                let d = decide(&path, out);
                let amount = match &d["amount"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(
                    (d["status"].as_str(), amount.as_str()),
                    (Some("awarded"), "123456.79"),
                    "{format} with paid_amount {paid}, --format {out}: {d}"
                );
            }
        }
    }
}

#[test]
fn an_amount_in_wan_is_exact_to_the_fen() {
    // 60.5万 is 605000 exactly: the award is 10% of it, with no float's remainder.
    let dir = tempfile::tempdir().expect("dir");
    let path = write(&dir, "jsonl", &application("jsonl", "60.5万", true));
    let d = decide(&path, "json");
    assert_eq!(d["amount"], "60500.00", "{d}");
}

/// The reasons of the one decision for an application in `format` whose `paid_amount` is
/// `written`
fn refusal(format: &str, written: &str) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = write(&dir, format, &application(format, written, true));
    let d = decide(&path, "json");
    assert_eq!(d["status"], "error", "{d}");
    let reasons: Vec<String> = d["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().map_or_else(|| r.to_string(), str::to_string))
        .collect();
    reasons.join("\n")
}

#[test]
fn a_malformed_amount_is_refused_naming_the_field_its_place_and_what_is_expected() {
    let expected = "expected an amount in yuan (e.g. `600000` or `60万`)";
    for written in ["六十万", "60w", "60万万", "60万 元", "万"] {
        assert_eq!(
            refusal("yaml", written),
            format!("field `paid_amount` (line 7, column 16): {expected}, found `{written}`"),
        );
    }
    assert_eq!(
        refusal("yaml", "-60万"),
        "field `paid_amount` (line 7, column 16): amount `-60万` is negative"
    );
    assert_eq!(
        refusal("yaml", "0.0000001万"),
        "field `paid_amount` (line 7, column 16): amount `0.0000001万` is 0.001 yuan, more than 2 decimals: amounts are whole fen"
    );
    // Full-width digits stay refused, and the message says so and how to write them.
    assert_eq!(
        refusal("yaml", "６０．５万"),
        "field `paid_amount` (line 7, column 16): expected an amount in yuan, found `６０．５万`: full-width (全角) characters; write `60.5万`"
    );
    // The quick JSONL reader refuses what the general reader refuses, with its words.
    let jsonl = refusal("jsonl", "60w");
    assert!(jsonl.contains("field `paid_amount`"), "{jsonl}");
    assert!(
        jsonl.contains(&format!("{expected}, found `60w`")),
        "{jsonl}"
    );
    let csv = refusal("csv", "60万万");
    assert!(csv.contains("field `paid_amount`"), "{csv}");
    assert!(
        csv.contains(&format!("{expected}, found `60万万`")),
        "{csv}"
    );
}

#[test]
fn a_packs_test_writes_amounts_with_wan_in_applications_and_expectations() {
    let dir = policy_tests::pack_copy();
    fs::write(
        dir.path().join("tests/amounts.yaml"),
        "name: 万与亿\ncases:\n  - name: 申报与预期都可写万\n    applications:\n      - { id: TR-WAN, year: 2025, kind: tech_transfer, applicant: { name: 宿州某新材料有限公司, in_city: true }, seller_in_city: false, contract_amount: 0.03亿, paid_amount: 123.456785万 }\n    expect:\n      - { id: TR-WAN, status: awarded, amount: 12.345679万 }\n",
    )
    .expect("write");
    let (code, out, err) = policy_tests::policy_on(&dir, &["test", "<pack>"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PASS tests/amounts.yaml"), "{out}");
}
