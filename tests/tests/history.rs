//! `--history` in each form it takes: a ledger as CSV, a ledger as an `.xlsx` workbook, and the
//! decisions an earlier `policy run --with-applicant` wrote (JSON, JSONL, CSV). The same
//! cumulative cap binds to the same fen whichever it is; only what was paid counts (a
//! `superseded` or `ineligible` decision does not); faults are refused with their place.

use policy_tests::{pack_with_rules, policy_on};

/// Sentences the rules below quote, added to the copy's source document
const SENTENCES: &str = "\n同一企业获得技术成果转化补助累计不超过70万元。同一企业同一事项符合多项政策的，按照就高不重复原则给予支持。\n";

/// 就高不重复 between a platform and a tech transfer, and a cap of 70万 on tech transfers over
/// every year (`per: []`)
const RULES: &str = "  - id: platforms-highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [rd-platform, tech-transfer]\n  - id: lifetime-cap\n    title: 累计上限\n    article: 附则\n    text: 同一企业获得技术成果转化补助累计不超过70万元\n    cap: max\n    clauses: [tech-transfer]\n    cut: largest-first\n    per: []\n    parameters:\n      max:\n        value: 70万\n        unit: yuan\n        description: 每家企业技术成果转化补助累计上限\n";

/// 丙 gives its credit code, which the pack's `applicant:` fields put before the name
const BING: &str =
    r#""applicant":{"name":"丙公司","in_city":true,"credit_code":"91341302MA2T12345E"}"#;

fn who(name: &str) -> String {
    format!(r#""applicant":{{"name":"{name}","in_city":true}}"#)
}

/// A tech transfer bought from outside the city: 10% of `paid`, at most 500,000.00 an item
fn transfer(id: &str, year: i64, applicant: &str, paid: &str) -> String {
    format!(
        r#"{{"id":"{id}","year":{year},"kind":"tech_transfer",{applicant},"seller_in_city":false,"contract_amount":9000000,"paid_amount":{paid}}}"#
    )
}

/// 2024: 甲 paid 500,000.00; 乙's transfer (390,000.00) gives way to its platform (400,000.00);
/// 丙 paid 234,567.89; 丁's transfer is ineligible (its seller is in the city)
fn year_2024() -> Vec<String> {
    vec![
        transfer("H-1", 2024, &who("甲公司"), "6000000"),
        format!(
            r#"{{"id":"H-2","year":2024,"kind":"rd_platform",{},"level":"provincial","platform_type":"key_lab","newly_recognized":true}}"#,
            who("乙公司")
        ),
        transfer("H-3", 2024, &who("乙公司"), "3900000"),
        transfer("H-4", 2024, BING, "2345678.90"),
        transfer("H-5", 2024, &who("丁公司"), "6000000")
            .replace(r#""seller_in_city":false"#, r#""seller_in_city":true"#),
    ]
}

/// 2025: each of the four asks 500,000.00 for a transfer
fn year_2025() -> Vec<String> {
    vec![
        transfer("N-1", 2025, &who("甲公司"), "6000000"),
        transfer("N-2", 2025, &who("乙公司"), "6000000"),
        transfer("N-3", 2025, BING, "6000000"),
        transfer("N-4", 2025, &who("丁公司"), "6000000"),
    ]
}

/// What was paid in 2024, as a ledger's rows
const PAID_2024: [(&str, &str, i64, &str); 3] = [
    ("甲公司", "tech-transfer", 2024, "500000.00"),
    ("乙公司", "rd-platform", 2024, "400000.00"),
    ("91341302MA2T12345E", "tech-transfer", 2024, "234567.89"),
];

/// A file in the pack's copy; its path
fn write(pack: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = pack.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// `policy run` of `input` as JSON, with `extra` arguments: (exit code, stdout, stderr)
fn run(pack: &tempfile::TempDir, input: &str, extra: &[&str]) -> (u8, String, String) {
    // The reasons asserted here are the pack's own words: Chinese.
    let mut args = vec![
        "run", "--pack", "<pack>", "--input", input, "--format", "json", "--lang", "zh",
    ];
    args.extend(extra);
    policy_on(pack, &args)
}

/// (id, status, amount) of each decision of a JSON decisions document
fn outcomes(json: &str) -> Vec<(String, String, String)> {
    let value: serde_json::Value = serde_json::from_str(json).expect("a decisions document");
    value["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            let text = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (text("id"), text("status"), text("amount"))
        })
        .collect()
}

fn expect(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// The 2024 decisions, written by `policy run --with-applicant` as `format`; the file's path
fn decisions_2024(pack: &tempfile::TempDir, format: &str) -> String {
    let input = write(pack, "2024.jsonl", &(year_2024().join("\n") + "\n"));
    let file = pack
        .path()
        .join(format!("decisions-2024.{format}"))
        .to_string_lossy()
        .into_owned();
    let (code, _, err) = policy_on(
        pack,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--format",
            format,
            "--with-applicant",
            "--output",
            &file,
        ],
    );
    assert_eq!(code, 0, "{err}");
    file
}

/// A workbook of one sheet: these rows of cells, a number where a cell parses as one
fn workbook(pack: &tempfile::TempDir, name: &str, rows: &[Vec<&str>]) -> String {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) => ws.write_number(r, c, n).map(|_| ()),
                Err(_) => ws.write_string(r, c, *cell).map(|_| ()),
            }
            .expect("cell");
        }
    }
    let path = pack.path().join(name);
    wb.save(&path).expect("save the workbook");
    path.to_string_lossy().into_owned()
}

/// The 2025 decisions with what 2024 paid: 甲's 500,000.00 before leaves 200,000.00 under
/// 70万; 乙's superseded transfer paid nothing, so its 500,000.00 stands; 丙 (by its credit
/// code) had 234,567.89, so 465,432.11 is left; 丁's ineligible transfer paid nothing
fn capped_2025() -> Vec<(String, String, String)> {
    expect(&[
        ("N-1", "awarded", "200000.00"),
        ("N-2", "awarded", "500000.00"),
        ("N-3", "awarded", "465432.11"),
        ("N-4", "awarded", "500000.00"),
    ])
}

#[test]
fn a_cumulative_cap_binds_alike_from_a_ledger_a_workbook_and_earlier_decisions() {
    let pack = pack_with_rules(SENTENCES, RULES);
    let earlier = write(&pack, "2024.jsonl", &(year_2024().join("\n") + "\n"));
    let (code, out, err) = run(&pack, &earlier, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        outcomes(&out),
        expect(&[
            ("H-1", "awarded", "500000.00"),
            ("H-2", "awarded", "400000.00"),
            ("H-3", "superseded", "0.00"),
            ("H-4", "awarded", "234567.89"),
            ("H-5", "ineligible", "0.00"),
        ])
    );

    let mut histories: Vec<String> = ["json", "jsonl", "csv"]
        .iter()
        .map(|f| decisions_2024(&pack, f))
        .collect();
    // The decisions CSV carries the pack's applicant fields and its period after its own.
    let csv = std::fs::read_to_string(&histories[2]).expect("read");
    assert_eq!(
        csv.lines().next(),
        Some("id,kind,clause,status,amount,reasons,applicant.credit_code,applicant.name,year")
    );
    assert!(csv.contains(",91341302MA2T12345E,丙公司,2024\n"), "{csv}");
    let mut ledger = String::from("申报单位,条款,年度,金额\n");
    for (who, clause, year, amount) in PAID_2024 {
        ledger.push_str(&format!("{who},{clause},{year},{amount}\n"));
    }
    histories.push(write(&pack, "ledger.csv", &ledger));
    let years: Vec<String> = PAID_2024.iter().map(|p| p.2.to_string()).collect();
    let mut rows = vec![vec!["申报单位", "条款", "年度", "金额"]];
    for (p, year) in PAID_2024.iter().zip(&years) {
        // Numbers as numbers: the year and the amount are number cells.
        rows.push(vec![p.0, p.1, year, p.3]);
    }
    histories.push(workbook(&pack, "ledger.xlsx", &rows));

    let now = write(&pack, "2025.jsonl", &(year_2025().join("\n") + "\n"));
    let (_, without, _) = run(&pack, &now, &[]);
    assert_eq!(
        outcomes(&without),
        expect(&[
            ("N-1", "awarded", "500000.00"),
            ("N-2", "awarded", "500000.00"),
            ("N-3", "awarded", "500000.00"),
            ("N-4", "awarded", "500000.00"),
        ])
    );
    let mut first: Option<String> = None;
    for history in &histories {
        let (code, out, err) = run(&pack, &now, &["--history", history]);
        assert_eq!(code, 0, "{history}: {err}");
        assert_eq!(outcomes(&out), capped_2025(), "{history}");
        // A reason shows what was paid before with the digits the history wrote it in: a
        // number cell's 500000 is 500,000, a decision's 500000.00 is 500,000.00.
        if history.ends_with(".xlsx") {
            assert!(out.contains("另有此前已发放 500,000 元"), "{out}");
            continue;
        }
        assert!(out.contains("另有此前已发放 500,000.00 元"), "{out}");
        // The same decisions, byte for byte, from the earlier decisions and the CSV ledger.
        match &first {
            None => first = Some(out),
            Some(f) => assert_eq!(&out, f, "{history}"),
        }
    }
}

#[test]
fn only_an_awarded_decision_was_paid() {
    let pack = pack_with_rules(SENTENCES, RULES);
    let now = write(&pack, "2025.jsonl", &(year_2025().join("\n") + "\n"));
    let history = decisions_2024(&pack, "jsonl");
    let text = std::fs::read_to_string(&history).expect("read");
    assert!(text.contains(r#""id":"H-3","kind":"tech_transfer","clause":"tech-transfer","status":"superseded","amount":"0.00""#), "{text}");
    // Had 乙's transfer been paid, its 390,000.00 would leave 310,000.00 under 70万.
    let paid = text.replace(
        r#""status":"superseded","amount":"0.00""#,
        r#""status":"awarded","amount":"390000.00""#,
    );
    let edited = write(&pack, "edited.jsonl", &paid);
    let (code, out, err) = run(&pack, &now, &["--history", &edited]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        outcomes(&out)[1],
        expect(&[("N-2", "awarded", "310000.00")])[0]
    );
    // As written, superseded: nothing paid, nothing cut.
    let (_, out, _) = run(&pack, &now, &["--history", &history]);
    assert_eq!(outcomes(&out), capped_2025());

    // A run whose input repeats an id gives the repeat an `error` decision with that id:
    // it paid nothing, and the output still serves as a history.
    let mut repeated = year_2024();
    repeated.push(transfer("H-1", 2024, &who("戊公司"), "6000000"));
    let input = write(&pack, "repeated.jsonl", &(repeated.join("\n") + "\n"));
    let file = pack
        .path()
        .join("repeated-decisions.csv")
        .to_string_lossy()
        .into_owned();
    let (code, _, _) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--format",
            "csv",
            "--with-applicant",
            "--output",
            &file,
        ],
    );
    assert_eq!(code, 1, "one application had an error");
    let written = std::fs::read_to_string(&file).expect("read");
    assert!(
        written.contains("\nH-1,tech_transfer,tech-transfer,error,0.00,duplicate id `H-1`"),
        "{written}"
    );
    let (code, out, err) = run(&pack, &now, &["--history", &file]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(outcomes(&out), capped_2025());
}

#[test]
fn faulty_histories_are_refused_with_their_place() {
    let pack = pack_with_rules(SENTENCES, RULES);
    let now = write(&pack, "2025.jsonl", &(year_2025().join("\n") + "\n"));
    let refused = |history: &str| {
        let (code, out, err) = run(&pack, &now, &["--history", history]);
        assert_eq!(code, 2, "{out}");
        err
    };

    // A ledger without a column, and a bad amount in its third line.
    let csv = write(
        &pack,
        "ledger.csv",
        "申报单位,条款,金额\n甲公司,tech-transfer,50万\n",
    );
    let err = refused(&csv);
    assert!(
        err.contains("ledger.csv:1:1: no `period` column (also written year or 年度); a ledger has the columns applicant, clause, period and amount"),
        "{err}"
    );
    let csv = write(
        &pack,
        "ledger.csv",
        "申报单位,条款,年度,金额\n甲公司,tech-transfer,2024,50万\n乙公司,tech-transfer,2024,五十万\n",
    );
    let err = refused(&csv);
    assert!(err.contains("ledger.csv:3:1: amount `五十万`: "), "{err}");

    // The same in a workbook: the row and the column, and the cell as a spreadsheet names it.
    let xlsx = workbook(
        &pack,
        "ledger.xlsx",
        &[
            vec!["申报单位", "条款", "金额"],
            vec!["甲公司", "tech-transfer", "500000"],
        ],
    );
    let err = refused(&xlsx);
    assert!(
        err.contains("ledger.xlsx:1:1: cell A1: no `period` column (also written year or 年度)"),
        "{err}"
    );
    let xlsx = workbook(
        &pack,
        "ledger.xlsx",
        &[
            vec!["applicant", "clause", "period", "amount"],
            vec!["甲公司", "tech-transfer", "2024", "500000"],
            vec!["乙公司", "tech-transfr", "2024", "-5"],
            vec!["丙公司", "tech-transfer", "2024", "五十万"],
        ],
    );
    let err = refused(&xlsx);
    assert!(
        err.contains("ledger.xlsx:3:2: cell B3: `tech-transfr` is no clause of the pack; did you mean `tech-transfer`?"),
        "{err}"
    );
    assert!(
        err.contains("ledger.xlsx:4:4: cell D4: amount `五十万`: "),
        "{err}"
    );

    // One decision twice in an earlier output: which was paid cannot be told.
    let jsonl = decisions_2024(&pack, "jsonl");
    let mut text = std::fs::read_to_string(&jsonl).expect("read");
    let first = text.lines().next().unwrap_or_default().to_string();
    text.push_str(&first.replace("500000.00", "1.00"));
    text.push('\n');
    let twice = write(&pack, "twice.jsonl", &text);
    let err = refused(&twice);
    assert!(
        err.contains("twice.jsonl:6:1: decision `H-1` again (line 1 has it already): a decisions output has one decision per application, so which one was paid cannot be told"),
        "{err}"
    );
    let json = decisions_2024(&pack, "json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("JSON");
    let again = doc["decisions"][0].clone();
    doc["decisions"]
        .as_array_mut()
        .expect("decisions")
        .push(again);
    let twice = write(
        &pack,
        "twice.json",
        &serde_json::to_string_pretty(&doc).expect("JSON"),
    );
    let err = refused(&twice);
    assert!(
        err.contains("decision `H-1` again (line 8 has it already)"),
        "{err}"
    );

    // Decisions written without --with-applicant say whose application by id alone.
    let input = write(&pack, "2024.jsonl", &(year_2024().join("\n") + "\n"));
    let (_, plain, _) = run(&pack, &input, &[]);
    let plain = write(&pack, "plain.json", &plain);
    let err = refused(&plain);
    assert!(
        err.contains("plain.json: a decisions output without the applicant: each decision says which application was paid (its id), not who applied (`applicant.credit_code`, `applicant.name`: the pack's `applicant:` fields) nor its period (`year`). Write the earlier year's decisions with `policy run … --with-applicant`"),
        "{err}"
    );

    // JSON whose name does not say which JSON it is.
    let unnamed = write(
        &pack,
        "decisions.txt",
        &std::fs::read_to_string(&json).expect("read"),
    );
    let err = refused(&unnamed);
    assert!(
        err.contains("decisions.txt: the file holds JSON, but its name does not say which kind"),
        "{err}"
    );

    // --with-applicant only where a later run can read it, and only where the pack says who.
    let (code, _, err) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--format",
            "yaml",
            "--with-applicant",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--with-applicant is for --format json, jsonl or csv"),
        "{err}"
    );
    let (code, _, err) = policy_tests::policy(&[
        "run",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        "policies/suzhou-future-industries/examples/applications.yaml",
        "--format",
        "csv",
        "--with-applicant",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("pack.yaml names none"), "{err}");
}
