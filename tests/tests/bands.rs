//! Band tables (分档) through the CLI, on a small pack of two clauses: a step table (研发投入增量
//! 500万元以上的补助8%，1000万元以上的补助10%) and a progressive one (100万元以内部分补助10%，超过
//! 100万元的部分补助5%). Amounts are checked to the fen at each threshold and one fen below it.

use policy_tests::policy_on;

const PACK_YAML: &str = "id: bands-demo
title: 研发投入与技术转化补助（示例）
issuer: 示例科技局
status: 草稿
version: 0.1.0
source:
  title: 研发投入与技术转化补助（示例）
  file: source/policy.txt
clauses:
  - rd-increase
  - transfer
period: year
rounding:
  scale: 2
  mode: half-up
fields:
  year:
    type: integer
    description: 申报年度
  applicant.name:
    type: text
    description: 申报单位名称
kinds:
  rd_increase:
    title: 研发投入增量补助
    fields:
      rd_increase:
        type: money
        description: 研发投入增量（元）
  transfer:
    title: 技术转化补助
    fields:
      paid:
        type: money
        description: 实际支付额（元）
";

const SOURCE: &str = "一、研发投入增量500万元以上的补助8%，1000万元以上的补助10%。
二、购买技术成果的，按实际支付额，100万元以内部分补助10%，超过100万元的部分补助5%。
";

/// The step table's parameter, as its clause file writes it
const STEP: &str = "  increment_rate:
    description: 研发投入增量补助比例
    unit: bands
    of: yuan
    gives: ratio
    method: step
    bands:
      - { from: 500万, value: 8% }
      - { from: 1000万, value: 10% }
";

const RD_SCRIPT: &str = "let rate = band(params.increment_rate, app.rd_increase);
if rate == 0 {
    return ineligible(`研发投入增量 ${yuan(app.rd_increase)} 元，未达到第一档`);
}
let amount = app.rd_increase * rate;
award(amount, `研发投入增量 ${yuan(app.rd_increase)} 元，补助 ${percent(rate)}，计 ${yuan(amount)} 元`)
";

/// The progressive table's parameter
const PROGRESSIVE: &str = "  rate:
    description: 分段补助比例
    unit: bands
    of: yuan
    gives: ratio
    method: progressive
    bands:
      - { from: 0, value: 10% }
      - { from: 100万, value: 5% }
";

const TRANSFER_SCRIPT: &str = "let amount = band(params.rate, app.paid);
award(amount, `按实际支付额 ${yuan(app.paid)} 元分段补助，计 ${yuan(amount)} 元`)
";

/// The pack in a temporary folder, with these parameters for its two clauses
fn pack_with(step: &str, progressive: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    };
    write("pack.yaml", PACK_YAML);
    write("source/policy.txt", SOURCE);
    write(
        "clauses/rd-increase.yaml",
        &format!("id: rd-increase\ntitle: 研发投入增量补助\narticle: 一\ntext: 研发投入增量500万元以上的补助8%，1000万元以上的补助10%。\nkind: rd_increase\nparameters:\n{step}"),
    );
    write("clauses/rd-increase.rhai", RD_SCRIPT);
    write(
        "clauses/transfer.yaml",
        &format!("id: transfer\ntitle: 技术转化分段补助\narticle: 二\ntext: 按实际支付额，100万元以内部分补助10%，超过100万元的部分补助5%。\nkind: transfer\nparameters:\n{progressive}"),
    );
    write("clauses/transfer.rhai", TRANSFER_SCRIPT);
    dir
}

fn pack() -> tempfile::TempDir {
    pack_with(STEP, PROGRESSIVE)
}

/// A JSONL line of one application
fn line(id: &str, year: i64, kind: &str, field: &str, amount: &str) -> String {
    format!(
        r#"{{"id":"{id}","year":{year},"kind":"{kind}","applicant":{{"name":"{id} 公司"}},"{field}":"{amount}"}}"#
    )
}

fn step_line(id: &str, amount: &str) -> String {
    line(id, 2025, "rd_increase", "rd_increase", amount)
}

fn progressive_line(id: &str, amount: &str) -> String {
    line(id, 2025, "transfer", "paid", amount)
}

/// (id, status, amount) of each decision of a JSON or YAML run
fn decisions(value: &serde_json::Value) -> Vec<(String, String, String)> {
    value["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (text(&d["id"]), text(&d["status"]), text(&d["amount"]))
        })
        .collect()
}

/// Writes the lines as the pack's `apps.jsonl`; returns its path
fn input(pack: &tempfile::TempDir, lines: &[String]) -> String {
    let path = pack.path().join("apps.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    path.to_string_lossy().into_owned()
}

/// `policy run` on the lines, streamed (JSON) and in memory (YAML), which must agree: the
/// decisions
fn run(
    pack: &tempfile::TempDir,
    lines: &[String],
    extra: &[&str],
) -> Vec<(String, String, String)> {
    let input = input(pack, lines);
    let go = |format: &str| {
        let mut args = vec![
            "run", "--pack", "<pack>", "--input", &input, "--format", format,
        ];
        args.extend(extra);
        let (code, out, err) = policy_on(pack, &args);
        assert_eq!(code, 0, "{out}{err}");
        out
    };
    let streamed: serde_json::Value = serde_json::from_str(&go("json")).expect("JSON");
    let in_memory: serde_json::Value = serde_yaml::from_str(&go("yaml")).expect("YAML");
    let (a, b) = (decisions(&streamed), decisions(&in_memory));
    assert_eq!(a, b, "the streamed run and the in-memory run agree");
    a
}

fn decided(id: &str, status: &str, amount: &str) -> (String, String, String) {
    (id.into(), status.into(), amount.into())
}

#[test]
fn the_pack_checks_clean() {
    let pack = pack();
    let (code, out, err) = policy_on(&pack, &["check", "<pack>", "--deny-warnings"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_step_table_pays_the_band_reached_its_threshold_included() {
    let pack = pack();
    let got = run(
        &pack,
        &[
            step_line("FIRST-1FEN", "4999999.99"),
            step_line("FIRST", "5000000.00"),
            step_line("SECOND-1FEN", "9999999.99"),
            step_line("SECOND", "10000000"),
            step_line("ABOVE", "12345678.91"),
            step_line("ZERO", "0"),
        ],
        &[],
    );
    assert_eq!(
        got,
        [
            decided("FIRST-1FEN", "ineligible", "0.00"),
            decided("FIRST", "awarded", "400000.00"),
            // 9999999.99 × 8% = 799999.9992, rounded once, to the fen
            decided("SECOND-1FEN", "awarded", "800000.00"),
            decided("SECOND", "awarded", "1000000.00"),
            // 12345678.91 × 10% = 1234567.891
            decided("ABOVE", "awarded", "1234567.89"),
            decided("ZERO", "ineligible", "0.00"),
        ]
    );
}

#[test]
fn a_progressive_table_pays_each_part_at_its_rate() {
    let pack = pack();
    let got = run(
        &pack,
        &[
            progressive_line("BELOW-1FEN", "999999.99"),
            progressive_line("BELOW", "999999.90"),
            progressive_line("AT", "1000000.00"),
            progressive_line("ABOVE-20FEN", "1000000.20"),
            progressive_line("ABOVE", "1234567.89"),
            progressive_line("NOTHING", "0"),
        ],
        &[],
    );
    assert_eq!(
        got,
        [
            // 999999.99 × 10% = 99999.999
            decided("BELOW-1FEN", "awarded", "100000.00"),
            decided("BELOW", "awarded", "99999.99"),
            decided("AT", "awarded", "100000.00"),
            // 1000000 × 10% + 0.20 × 5%
            decided("ABOVE-20FEN", "awarded", "100000.01"),
            // 1000000 × 10% + 234567.89 × 5% = 111728.3945
            decided("ABOVE", "awarded", "111728.39"),
            // An award of 0.00 is no award.
            decided("NOTHING", "ineligible", "0.00"),
        ]
    );
    // The explanation shows the table and each part at its rate.
    let input = input(&pack, &[progressive_line("ABOVE", "1234567.89")]);
    let (code, out, err) = policy_on(
        &pack,
        &[
            "explain", "--pack", "<pack>", "--input", &input, "--id", "ABOVE",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for expected in [
        "transfer.rate  累进：0 元至 100 万元的部分 10%，100 万元以上的部分 5%  分段补助比例",
        "band(rate, 1234567.89) = 1000000 × 0.10（第 1 档） + 234567.89 × 0.05（第 2 档） = 111728.3945",
        "四舍五入到分 111728.3945 → 111728.39",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
}

#[test]
fn explain_names_the_band_picked() {
    let pack = pack();
    let input = input(
        &pack,
        &[
            step_line("SECOND-1FEN", "9999999.99"),
            step_line("LOW", "100"),
        ],
    );
    let explain = |id: &str| {
        let (code, out, err) = policy_on(
            &pack,
            &["explain", "--pack", "<pack>", "--input", &input, "--id", id],
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let out = explain("SECOND-1FEN");
    assert!(
        out.contains("band(increment_rate, 9999999.99) = 0.08（第 1 档，5000000 起）"),
        "{out}"
    );
    assert!(out.contains("9999999.99 × 0.08 = 799999.9992"), "{out}");
    let out = explain("LOW");
    assert!(
        out.contains("band(increment_rate, 100) = 0（低于第 1 档起点 5000000）"),
        "{out}"
    );
}

#[test]
fn unsorted_thresholds_are_refused_with_file_and_line() {
    let pack = pack_with(
        &STEP.replace(
            "      - { from: 500万, value: 8% }\n      - { from: 1000万, value: 10% }\n",
            "      - { from: 1000万, value: 10% }\n      - { from: 500万, value: 8% }\n",
        ),
        &PROGRESSIVE.replace("gives: ratio", "gives: yuan"),
    );
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains(
            "error: <pack>/clauses/rd-increase.yaml:15:17: parameter `increment_rate`, band 2: `from: 500万` is not above band 1's `from: 1000万`: thresholds must strictly increase, each band starting above the one before\n   |\n15 |       - { from: 500万, value: 8% }\n   |                 ^"
        ),
        "{err}"
    );
    assert!(
        err.contains("error: <pack>/clauses/transfer.yaml:11:12: parameter `rate`: a progressive table pays each part of the fact at its band's rate, so it gives `ratio`, not yuan"),
        "{err}"
    );
    assert!(err.ends_with("2 errors\n"), "{err}");
    // A band with a key that is not `from` or `value`, or a value not in its unit.
    let pack = pack_with(
        &STEP.replace(
            "{ from: 1000万, value: 10% }",
            "{ from: 1000万, value: 10%, to: 2000万 }",
        ),
        &PROGRESSIVE.replace("{ from: 100万, value: 5% }", "{ from: 100w, value: 5% }"),
    );
    let (code, _, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rd-increase.yaml:15:36: unknown field `to`, expected `from` or `value`"),
        "{err}"
    );
    assert!(
        err.contains("transfer.yaml:15:17: parameter `rate`, band 2: `from`: `100w` is not an amount in yuan (e.g. `600000` or `60万`)"),
        "{err}"
    );
}

#[test]
fn set_changes_one_cell() {
    let pack = pack();
    let lines = [
        step_line("FIRST", "5000000.00"),
        step_line("SECOND-1FEN", "9999999.99"),
        step_line("SECOND", "10000000"),
    ];
    let amounts = |extra: &[&str]| -> Vec<String> {
        run(&pack, &lines, extra).into_iter().map(|d| d.2).collect()
    };
    assert_eq!(amounts(&[]), ["400000.00", "800000.00", "1000000.00"]);
    // The second band's value.
    assert_eq!(
        amounts(&["--set", "rd-increase.increment_rate[2]=12%"]),
        ["400000.00", "800000.00", "1200000.00"]
    );
    // The second band's threshold: 9999999.99 now reaches it.
    assert_eq!(
        amounts(&["--set", "rd-increase.increment_rate[2].from=900万"]),
        ["400000.00", "1000000.00", "1000000.00"]
    );
    // From a scenario file's `set:` too (9999999.99 × 9% = 899999.9991).
    let scenario = pack.path().join("first-9pct.yaml");
    std::fs::write(
        &scenario,
        "name: 第一档提高到9%\nset:\n  rd-increase.increment_rate[1]: 9%\n",
    )
    .expect("write");
    let scenario = scenario.to_string_lossy().into_owned();
    assert_eq!(
        amounts(&["--scenario", &scenario]),
        ["450000.00", "900000.00", "1000000.00"]
    );
    // A cell set to 12% or to 0.12 is one change: one fingerprint.
    let input = input(&pack, &lines);
    let fingerprint = |set: &str| {
        let (_, out, _) = policy_on(
            &pack,
            &[
                "run", "--pack", "<pack>", "--input", &input, "--format", "json", "--set", set,
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        v["pack"]["fingerprint"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        fingerprint("rd-increase.increment_rate[2]=12%"),
        fingerprint("rd-increase.increment_rate[2]=0.12")
    );
    assert_ne!(
        fingerprint("rd-increase.increment_rate[2]=12%"),
        fingerprint("rd-increase.increment_rate[1]=12%")
    );
    // Each mistake says what is expected, and nothing is decided.
    for (set, expected) in [
        (
            "rd-increase.increment_rate[3]=12%",
            "error: --set: band 3 does not exist; the table `rd-increase.increment_rate` has 2 bands",
        ),
        (
            "rd-increase.increment_rate[2].from=400万",
            "error: --set: `rd-increase.increment_rate[2].from` = `400万` must be above band 1's 5000000: thresholds strictly increase",
        ),
        (
            "rd-increase.increment_rate[1].from=1000万",
            "must be below band 2's 10000000",
        ),
        (
            "rd-increase.increment_rate=12%",
            "error: --set: `rd-increase.increment_rate` is a band table of 2 bands: set one band's value as `rd-increase.increment_rate[n]=…` or its threshold as `rd-increase.increment_rate[n].from=…`",
        ),
        (
            "rd-increase.increment_rate[2]=百分之十二",
            "error: --set: `rd-increase.increment_rate[2]` (band 2's value, unit ratio): `百分之十二` is not a ratio (e.g. `0.15` or `15%`)",
        ),
        (
            "rd-increase.increment_rate[0]=12%",
            "bands count from 1: `[1]` is the first band",
        ),
        (
            "rd-increase.increment_rat[2]=12%",
            "clause `rd-increase` has no parameter `increment_rat`; did you mean `rd-increase.increment_rate`?",
        ),
    ] {
        let (code, out, err) = policy_on(
            &pack,
            &["run", "--pack", "<pack>", "--input", &input, "--set", set],
        );
        assert_eq!((code, out.as_str()), (2, ""), "{set}");
        assert!(err.contains(expected), "{set}: {err}");
    }
}

#[test]
fn a_table_by_year_and_one_year_of_it_set() {
    let by_year = STEP.replace(
        "    bands:\n      - { from: 500万, value: 8% }\n      - { from: 1000万, value: 10% }\n",
        "    values:\n      2025:\n        - { from: 500万, value: 8% }\n        - { from: 1000万, value: 10% }\n      2027:\n        - { from: 500万, value: 9% }\n        - { from: 1000万, value: 12% }\n",
    );
    let pack = pack_with(&by_year, PROGRESSIVE);
    let lines = [
        line("Y2024", 2024, "rd_increase", "rd_increase", "10000000"),
        line("Y2026", 2026, "rd_increase", "rd_increase", "10000000"),
        line("Y2027", 2027, "rd_increase", "rd_increase", "10000000"),
    ];
    let got = |extra: &[&str]| -> Vec<(String, String)> {
        let input = input(&pack, &lines);
        let mut args = vec![
            "run", "--pack", "<pack>", "--input", &input, "--format", "json",
        ];
        args.extend(extra);
        let (code, out, err) = policy_on(&pack, &args);
        assert!(code == 0 || code == 1, "{err}");
        decisions(&serde_json::from_str(&out).expect("JSON"))
            .into_iter()
            .map(|d| (d.1, d.2))
            .collect()
    };
    let pair = |s: &str, a: &str| (s.to_string(), a.to_string());
    assert_eq!(
        got(&[]),
        [
            pair("error", "0.00"),
            pair("awarded", "1000000.00"),
            pair("awarded", "1200000.00"),
        ]
    );
    assert_eq!(
        got(&["--set", "rd-increase.increment_rate[2]@2027=15%"])[2],
        pair("awarded", "1500000.00")
    );
    // A year without an entry gets the table in force then, with the cell changed.
    assert_eq!(
        got(&["--set", "rd-increase.increment_rate[2]@2026=11%"]),
        [
            pair("error", "0.00"),
            pair("awarded", "1100000.00"),
            pair("awarded", "1200000.00"),
        ]
    );
    let input = input(&pack, &lines);
    let (code, _, err) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--set",
            "rd-increase.increment_rate[2]=15%",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("has a table for each year: say which year's band to change, e.g. `rd-increase.increment_rate[1]@2025`"),
        "{err}"
    );
    let (code, out, _) = policy_on(&pack, &["clauses", "<pack>"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "increment_rate  2025: 2 档 bands, 2027: 2 档 bands  bands (step, yuan → ratio)"
        ),
        "{out}"
    );
    assert!(
        out.contains("  分档 bands rd-increase.increment_rate，2027 年起（step："),
        "{out}"
    );
}

#[test]
fn clauses_and_doc_show_the_table() {
    let pack = pack();
    let (code, out, err) = policy_on(&pack, &["clauses", "<pack>"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("rd-increase  一       increment_rate  2 档 bands  bands (step, yuan → ratio)         研发投入增量补助比例\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "rd-increase  一  研发投入增量补助（kind rd_increase）
  分档 bands rd-increase.increment_rate（step：按达到的档位取值，起点含本数，低于第 1 档为 0）
    档 band  起点 from（yuan）  取值 value（ratio）
    -------  -----------------  -------------------
    [1]                5000000                 0.08
    [2]               10000000                 0.10
transfer  二  技术转化分段补助（kind transfer）
  分档 bands transfer.rate（progressive：各档部分按本档比例计算后相加，起点含本数）
    档 band  起点 from（yuan）  取值 value（ratio）
    -------  -----------------  -------------------
    [1]                      0                 0.10
    [2]                1000000                 0.05
"
        ),
        "{out}"
    );
    let (code, doc, err) = policy_on(&pack, &["doc", "<pack>"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        doc.contains("| `rd-increase.increment_rate` | 分档：500 万元及以上 8%，1000 万元及以上 10% | bands (step, yuan → ratio) | 研发投入增量补助比例 |"),
        "{doc}"
    );
    assert!(
        doc.contains("| 档 band | 起点 from（yuan） | 取值 value（ratio） |\n|---|---|---|\n| `[1]` | 500 万元 | 8% |\n| `[2]` | 1000 万元 | 10% |\n"),
        "{doc}"
    );
}

#[test]
fn diff_names_the_cell_that_changed() {
    let old = pack();
    let new = pack_with(
        &STEP.replace(
            "{ from: 1000万, value: 10% }",
            "{ from: 800万, value: 12% }",
        ),
        PROGRESSIVE,
    );
    let new_path = new.path().to_string_lossy().into_owned();
    let (code, out, err) = policy_on(&old, &["diff", "<pack>", &new_path]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().skip(4).collect();
    assert_eq!(
        rows,
        [
            "rd-increase  一       parameter increment_rate[2].from  10000000（yuan）  8000000（yuan）",
            "rd-increase  一       parameter increment_rate[2]       0.10（ratio）     0.12（ratio）",
        ],
        "{out}"
    );
}

#[test]
fn a_sweep_over_one_band() {
    let pack = pack();
    let input = input(
        &pack,
        &[
            step_line("FIRST", "5000000.00"),
            step_line("SECOND", "10000000"),
        ],
    );
    let (code, out, err) = policy_on(
        &pack,
        &[
            "sweep",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--param",
            "rd-increase.increment_rate[2]",
            "--from",
            "0.10",
            "--to",
            "0.12",
            "--step",
            "0.01",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "value,awarded,amount,rd-increase,transfer\n0.1,2,1400000.00,1400000.00,0.00\n0.11,2,1500000.00,1500000.00,0.00\n0.12,2,1600000.00,1600000.00,0.00\n"
    );
}
