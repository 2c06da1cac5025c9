//! The `date` type through the CLI: a date field on the high-tech-enterprise kind, a validity
//! window (`unit: date` parameters) and "within three years of recognition" in its script.

use policy_tests::{pack_copy, policy_on};

/// The Suzhou pack where a high-tech enterprise has `recognized_on` (认定日期) and
/// `applied_on` (申报日期), and the clause awards only inside 2024-01-01 … 2026-12-31 and
/// within three years of recognition
fn pack_with_dates() -> tempfile::TempDir {
    let pack = pack_copy();
    let edit = |file: &str, from: &str, to: &str| {
        let path = pack.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} has `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    edit(
        "pack.yaml",
        "        description: 首次认定 / 再次认定\n",
        "        description: 首次认定 / 再次认定\n      recognized_on:\n        type: date\n        description: 认定日期\n      applied_on:\n        type: date\n        min: 2020-01-01\n        description: 申报日期\n",
    );
    edit(
        "pack.yaml",
        "  认定类型: recognition\n",
        "  认定类型: recognition\n  认定日期: recognized_on\n  申报日期: applied_on\n",
    );
    edit(
        "clauses/high-tech-enterprise.yaml",
        "    description: 再次认定国家高新技术企业奖励\n",
        "    description: 再次认定国家高新技术企业奖励\n  valid_from:\n    value: 2024-01-01\n    unit: date\n    description: 有效期起\n  valid_to:\n    value: 2026-12-31\n    unit: date\n    description: 有效期止\n",
    );
    edit(
        "clauses/high-tech-enterprise.rhai",
        "if app.recognition",
        "if app.recognized_on < params.valid_from || app.recognized_on > params.valid_to {\n    return ineligible(`认定日期 ${app.recognized_on} 不在有效期 ${params.valid_from} 至 ${params.valid_to} 内`);\n}\nif app.applied_on > add_years(app.recognized_on, 3) {\n    return ineligible(`申报日期 ${app.applied_on} 已超过认定之日起三年（${add_years(app.recognized_on, 3)}）`);\n}\nif app.recognition",
    );
    pack
}

/// A JSONL line of a high-tech enterprise recognised and applying on these days
fn line(id: &str, recognized_on: &str, applied_on: &str) -> String {
    format!(
        r#"{{"id":"{id}","year":2025,"kind":"high_tech_enterprise","applicant":{{"name":"{id} 公司","in_city":true}},"recognition":"first","recognized_on":"{recognized_on}","applied_on":"{applied_on}"}}"#
    )
}

/// (id, status, amount, first reason) of each decision in a JSON or YAML run
fn decisions(value: &serde_json::Value) -> Vec<(String, String, String, String)> {
    value["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (
                text(&d["id"]),
                text(&d["status"]),
                text(&d["amount"]),
                text(&d["reasons"][0]),
            )
        })
        .collect()
}

/// Runs `policy run` on the lines (a JSONL file) with `--format json` (streamed) and
/// `--format yaml` (in memory), checks they agree, and returns the decisions
fn run(
    pack: &tempfile::TempDir,
    lines: &[String],
    extra: &[&str],
) -> Vec<(String, String, String, String)> {
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let go = |format: &str| {
        let mut args = vec![
            "run", "--pack", "<pack>", "--input", &input, "--format", format,
        ];
        args.extend(extra);
        let (code, out, err) = policy_on(pack, &args);
        assert!(code == 0 || code == 1, "exit {code}: {err}");
        out
    };
    let streamed: serde_json::Value = serde_json::from_str(&go("json")).expect("JSON");
    let in_memory: serde_json::Value = serde_yaml::from_str(&go("yaml")).expect("YAML");
    let (a, b) = (decisions(&streamed), decisions(&in_memory));
    assert_eq!(a, b, "the streamed run and the in-memory run agree");
    a
}

/// `policy run --format json` on an input file of the pack copy: its decisions
fn decided_from(pack: &tempfile::TempDir, input: &str) -> Vec<(String, String, String, String)> {
    let (_, out, err) = policy_on(
        pack,
        &[
            "run", "--pack", "<pack>", "--input", input, "--format", "json",
        ],
    );
    let value: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    decisions(&value)
}

fn status_of(decided: &[(String, String, String, String)], id: &str) -> String {
    decided
        .iter()
        .find(|d| d.0 == id)
        .map(|d| d.1.clone())
        .unwrap_or_else(|| panic!("{id} decided"))
}

#[test]
fn a_validity_window_awards_its_first_and_last_day_and_not_the_days_around_it() {
    let pack = pack_with_dates();
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 0, "{out}{err}");
    let decided = run(
        &pack,
        &[
            line("BEFORE", "2023-12-31", "2024-06-01"),
            line("FIRST", "2024-01-01", "2024-06-01"),
            line("LEAP", "2024-02-29", "2024-06-01"),
            line("LAST", "2026-12-31", "2027-01-05"),
            line("AFTER", "2027-01-01", "2027-01-05"),
        ],
        &[],
    );
    let statuses: Vec<(&str, &str)> = decided
        .iter()
        .map(|d| (d.0.as_str(), d.1.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("BEFORE", "ineligible"),
            ("FIRST", "awarded"),
            ("LEAP", "awarded"),
            ("LAST", "awarded"),
            ("AFTER", "ineligible"),
        ]
    );
    assert_eq!(decided[1].2, "200000.00");
    // The reason shows dates as written, ISO.
    assert!(
        decided[0]
            .3
            .contains("认定日期 2023-12-31 不在有效期 2024-01-01 至 2026-12-31 内"),
        "{}",
        decided[0].3
    );
}

#[test]
fn an_impossible_date_is_an_error_naming_the_field() {
    let pack = pack_with_dates();
    let decided = run(
        &pack,
        &[
            line("FEB30", "2023-02-30", "2024-06-01"),
            line("MONTH13", "2024-13-01", "2024-06-01"),
            line("SHORT", "2024-3-5", "2024-06-01"),
            line("EARLY", "2024-03-05", "2019-12-31"),
            line("FINE", "2024-03-05", "2024-06-01"),
        ],
        &[],
    );
    let reason = |id: &str| {
        decided
            .iter()
            .find(|d| d.0 == id)
            .map(|d| (d.1.clone(), d.3.clone()))
    };
    assert_eq!(
        reason("FEB30"),
        Some((
            "error".into(),
            "field `recognized_on`: expected a date written yyyy-mm-dd (e.g. 2024-03-25), found `2023-02-30`, which is not a day of the calendar".into()
        ))
    );
    assert_eq!(reason("MONTH13").map(|r| r.0), Some("error".into()));
    assert!(reason("MONTH13").is_some_and(|r| r.1.contains("`2024-13-01`")));
    assert_eq!(
        reason("SHORT").map(|r| r.1),
        Some("field `recognized_on`: expected a date written yyyy-mm-dd (e.g. 2024-03-25), found `2024-3-5`".into())
    );
    assert_eq!(
        reason("EARLY").map(|r| r.1),
        Some(
            "field `applied_on`: `2019-12-31` is before the earliest allowed date 2020-01-01"
                .into()
        )
    );
    assert_eq!(status_of(&decided, "FINE"), "awarded");
    // A number is not a date either, nor is a YAML application's unquoted 20240305.
    let (_, out, _) = {
        let input = pack.path().join("apps.yaml");
        std::fs::write(
            &input,
            "- {id: N, year: 2025, kind: high_tech_enterprise, applicant: {name: 甲, in_city: true}, recognition: first, recognized_on: 20240305, applied_on: 2024-06-01}\n",
        )
        .expect("write");
        let input = input.to_string_lossy().into_owned();
        policy_on(
            &pack,
            &[
                "run", "--pack", "<pack>", "--input", &input, "--format", "json",
            ],
        )
    };
    assert!(
        out.contains("field `recognized_on` (line 1, column") && out.contains("found `20240305`"),
        "{out}"
    );
}

#[test]
fn set_moves_the_end_of_the_window() {
    let pack = pack_with_dates();
    let lines = [
        line("MID", "2025-06-30", "2025-07-01"),
        line("LATE", "2025-07-01", "2025-07-02"),
    ];
    let before = run(&pack, &lines, &[]);
    assert_eq!(status_of(&before, "MID"), "awarded");
    assert_eq!(status_of(&before, "LATE"), "awarded");
    let after = run(
        &pack,
        &lines,
        &["--set", "high-tech-enterprise.valid_to=2025-06-30"],
    );
    assert_eq!(status_of(&after, "MID"), "awarded");
    assert_eq!(status_of(&after, "LATE"), "ineligible");
    // A value that is not a date is refused before anything is decided.
    let input = pack
        .path()
        .join("apps.jsonl")
        .to_string_lossy()
        .into_owned();
    let (code, _, err) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--set",
            "high-tech-enterprise.valid_to=2025-06-31",
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("high-tech-enterprise.valid_to") && err.contains("`2025-06-31` is not a date"),
        "{err}"
    );
}

#[test]
fn sweep_moves_the_end_of_the_window_day_by_day() {
    let pack = pack_with_dates();
    let input = pack.path().join("apps.jsonl");
    std::fs::write(
        &input,
        [
            line("MID", "2025-06-30", "2025-07-01"),
            line("LATE", "2025-07-01", "2025-07-02"),
        ]
        .join("\n")
            + "\n",
    )
    .expect("write");
    let input = input.to_string_lossy().into_owned();
    let sweep = |from: &str, to: &str, step: &str| {
        policy_on(
            &pack,
            &[
                "sweep",
                "--pack",
                "<pack>",
                "--input",
                &input,
                "--param",
                "high-tech-enterprise.valid_to",
                "--from",
                from,
                "--to",
                to,
                "--step",
                step,
                "--format",
                "json",
            ],
        )
    };
    let (code, out, err) = sweep("2025-06-29", "2025-07-02", "1");
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let points: Vec<(String, u64)> = doc["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            (
                p["value"].as_str().unwrap_or_default().to_string(),
                p["awarded"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("2025-06-29".to_string(), 0),
            ("2025-06-30".to_string(), 1),
            ("2025-07-01".to_string(), 2),
            ("2025-07-02".to_string(), 2),
        ]
    );
    // Across a month's end, every 30 days, the last day reached when the steps reach it.
    let (code, out, _) = sweep("2025-06-01", "2025-07-31", "30");
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let values: Vec<&str> = doc["points"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p["value"].as_str())
        .collect();
    assert_eq!(values, ["2025-06-01", "2025-07-01", "2025-07-31"]);
    for ((from, to, step), expected) in [
        (
            ("2025-06-01", "30", "1"),
            "error: --to `30`: --from is a date, so --to is one too",
        ),
        (
            ("2025-06-01", "2025-06-30", "0.5"),
            "error: --step `0.5`: between dates the step is a whole number of days above zero",
        ),
        (
            ("2025-06-30", "2025-06-01", "1"),
            "error: --to must not be before --from",
        ),
    ] {
        let (code, _, err) = sweep(from, to, step);
        assert_eq!(code, 2, "{from} {to} {step}");
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn within_three_years_of_recognition_on_the_boundary_day() {
    let pack = pack_with_dates();
    let decided = run(
        &pack,
        &[
            line("ON", "2024-03-25", "2027-03-25"),
            line("PAST", "2024-03-25", "2027-03-26"),
            // 29 February three years on is 28 February.
            line("LEAP-ON", "2024-02-29", "2027-02-28"),
            line("LEAP-PAST", "2024-02-29", "2027-03-01"),
        ],
        &[],
    );
    assert_eq!(status_of(&decided, "ON"), "awarded");
    assert_eq!(status_of(&decided, "PAST"), "ineligible");
    assert_eq!(status_of(&decided, "LEAP-ON"), "awarded");
    assert_eq!(status_of(&decided, "LEAP-PAST"), "ineligible");
    let past = decided
        .iter()
        .find(|d| d.0 == "LEAP-PAST")
        .map(|d| d.3.clone());
    assert!(
        past.as_deref()
            .is_some_and(|r| r.contains("（2027-02-28）")),
        "{past:?}"
    );
}

#[test]
fn a_csv_with_date_columns_is_read_by_their_chinese_names() {
    let pack = pack_with_dates();
    let input = pack.path().join("apps.csv");
    std::fs::write(
        &input,
        "申报编号,评审年度,申报类别,申报单位,是否在宿,认定类型,认定日期,申报日期\n\
         C1,2025,high_tech_enterprise,甲,true,first,2024-01-01,2024-02-01\n\
         C2,2025,high_tech_enterprise,乙,true,repeat,2027-01-01,2027-02-01\n\
         C3,2025,high_tech_enterprise,丙,true,repeat,2023-02-29,2024-02-01\n",
    )
    .expect("write");
    let input = input.to_string_lossy().into_owned();
    let decided = decided_from(&pack, &input);
    assert_eq!(status_of(&decided, "C1"), "awarded");
    assert_eq!(decided[0].2, "200000.00");
    assert_eq!(status_of(&decided, "C2"), "ineligible");
    assert_eq!(status_of(&decided, "C3"), "error");
    assert!(
        decided[2].3.contains("field `recognized_on`"),
        "{}",
        decided[2].3
    );
}

#[test]
fn dates_show_as_iso_in_explanations_clauses_and_the_schema() {
    let pack = pack_with_dates();
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, line("X", "2024-02-29", "2027-03-01") + "\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let (code, out, err) = policy_on(
        &pack,
        &[
            "explain", "--pack", "<pack>", "--input", &input, "--id", "X", "--format", "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let facts = v["facts"].as_array().expect("facts");
    let fact = |name: &str| {
        facts
            .iter()
            .find(|f| f["field"] == name)
            .map(|f| f["value"].clone())
    };
    assert_eq!(fact("recognized_on"), Some(serde_json::json!("2024-02-29")));
    assert_eq!(fact("applied_on"), Some(serde_json::json!("2027-03-01")));
    let params = v["parameters"].as_array().expect("parameters");
    assert!(
        params.iter().any(
            |p| p["name"].as_str().is_some_and(|n| n.ends_with("valid_to"))
                && p["value"] == "2026-12-31"
        ),
        "{params:?}"
    );

    let (code, out, _) = policy_on(&pack, &["clauses", "<pack>"]);
    assert_eq!(code, 0);
    assert!(out.contains("2026-12-31") && out.contains("date"), "{out}");

    let (code, out, _) = policy_on(&pack, &["schema", "<pack>"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        find(&schema, "recognized_on"),
        Some(&serde_json::json!({
            "type": "string",
            "format": "date",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}$",
            "description": "认定日期"
        }))
    );
}

/// The first value under `key` anywhere in a JSON document
fn find<'v>(v: &'v serde_json::Value, key: &str) -> Option<&'v serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m
            .get(key)
            .or_else(|| m.values().find_map(|inner| find(inner, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|inner| find(inner, key)),
        _ => None,
    }
}

#[test]
fn generated_applications_have_valid_dates() {
    let pack = pack_with_dates();
    let out_file = pack.path().join("gen.jsonl");
    let out_path = out_file.to_string_lossy().into_owned();
    let (code, _, err) = policy_on(
        &pack,
        &[
            "gen", "--pack", "<pack>", "--count", "300", "--seed", "7", "--output", &out_path,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, err) = policy_on(
        &pack,
        &[
            "run", "--pack", "<pack>", "--input", &out_path, "--format", "json",
        ],
    );
    let value: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let decided = decisions(&value);
    let dated: Vec<_> = decided.iter().filter(|d| d.0.starts_with("HTE")).collect();
    assert!(!dated.is_empty(), "some high-tech enterprises generated");
    assert!(
        dated.iter().all(|d| d.1 != "error"),
        "{:?}",
        dated.iter().find(|d| d.1 == "error")
    );
}

#[test]
fn a_date_timeline_picks_the_value_by_year() {
    let pack = pack_with_dates();
    let meta = pack.path().join("clauses/high-tech-enterprise.yaml");
    let text = std::fs::read_to_string(&meta).expect("read");
    std::fs::write(
        &meta,
        text.replace(
            "  valid_to:\n    value: 2026-12-31\n",
            "  valid_to:\n    values:\n      2025: 2025-12-31\n      2026: 2026-12-31\n",
        ),
    )
    .expect("write");
    let at = |year: u32| {
        line(&format!("Y{year}"), "2026-03-01", "2026-04-01")
            .replace("\"year\":2025", &format!("\"year\":{year}"))
    };
    let decided = run(&pack, &[at(2025), at(2026)], &[]);
    assert_eq!(status_of(&decided, "Y2025"), "ineligible");
    assert_eq!(status_of(&decided, "Y2026"), "awarded");
}

/// A workbook of one sheet, written by hand: text cells inline, `(number, style)` cells with
/// style 1 a date format (built-in 14) and style 0 none
fn workbook(path: &std::path::Path, rows: &[Vec<(&str, Option<u32>)>]) {
    use std::io::Write;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (text, style) in row {
            match style {
                None => sheet.push_str(&format!(r#"<c t="inlineStr"><is><t>{text}</t></is></c>"#)),
                Some(s) => sheet.push_str(&format!(r#"<c s="{s}"><v>{text}</v></c>"#)),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="申报" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let file = std::fs::File::create(path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("part");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.finish().expect("finish");
}

#[test]
fn an_xlsx_date_cell_or_iso_text_is_a_date_and_a_plain_number_is_not() {
    let pack = pack_with_dates();
    let path = pack.path().join("apps.xlsx");
    let head = [
        "申报编号",
        "评审年度",
        "申报类别",
        "申报单位",
        "是否在宿",
        "认定类型",
        "认定日期",
        "申报日期",
    ];
    let row = |id: &'static str,
               recognized: (&'static str, Option<u32>),
               applied: (&'static str, Option<u32>)| {
        vec![
            (id, None),
            ("2025", Some(0)),
            ("high_tech_enterprise", None),
            (id, None),
            ("true", None),
            ("first", None),
            recognized,
            applied,
        ]
    };
    workbook(
        &path,
        &[
            head.iter().map(|h| (*h, None)).collect(),
            // 45376 in a date cell is 2024-03-25; 46022 is 2025-12-31.
            row("SERIAL", ("45376", Some(1)), ("46022", Some(1))),
            row("TEXT", ("2024-03-25", None), ("2025-12-31", None)),
            // Three years and a day: 2027-03-26 is 46472.
            row("LATE", ("45376", Some(1)), ("46472", Some(1))),
            row("NUMBER", ("45376", Some(0)), ("2025-12-31", None)),
        ],
    );
    let input = path.to_string_lossy().into_owned();
    let decided = decided_from(&pack, &input);
    assert_eq!(status_of(&decided, "SERIAL"), "awarded");
    assert_eq!(status_of(&decided, "TEXT"), "awarded");
    assert_eq!(status_of(&decided, "LATE"), "ineligible");
    assert!(
        decided[2].3.contains("申报日期 2027-03-26"),
        "{}",
        decided[2].3
    );
    assert_eq!(status_of(&decided, "NUMBER"), "error");
    assert!(
        decided[3].3.contains("field `recognized_on`") && decided[3].3.contains("spreadsheet date"),
        "{}",
        decided[3].3
    );
}
