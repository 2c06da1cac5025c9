//! Settlement rules through the CLI and HTTP: an applicant's awards looked at as a whole.
//! Exact amounts to the fen for each way a cap cuts, 就高不重复 with a tie, an award that
//! builds on one that was not given, the errors `check` gives, and the same decisions from a
//! streamed run, an in-memory run and `policy serve`.

use policy_tests::{pack_copy, policy_on};

/// Sentences the rules below quote, added to the copy's source document
const SENTENCES: &str = "\n同一企业同一年度获得本方案奖补资金累计不超过50万元。同一企业同一事项符合多项政策的，按照就高不重复原则给予支持。大赛获奖企业为国家高新技术企业的，在此基础上再给予奖励。\n";

/// The Suzhou pack with `applicant:` and these settlement rules in pack.yaml
fn pack_with(rules: &str) -> tempfile::TempDir {
    policy_tests::pack_with_rules(SENTENCES, rules)
}

/// A yearly cap of 50万 over every clause, cut by `cut`
fn cap_rule(cut: &str) -> String {
    format!(
        "  - id: yearly-cap\n    title: 年度奖补上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    cap: max\n    clauses: all\n    cut: {cut}\n    parameters:\n      max:\n        value: 50万\n        unit: yuan\n        description: 每家企业每年奖补合计上限\n"
    )
}

const APPLICANT: &str = r#""applicant":{"name":"甲公司","in_city":true}"#;

/// One applicant's three awards in 2025: a provincial R&D platform (400,000.00), a city
/// academician workstation (200,000.00) and a tech transfer paying 1,234,567.85
/// (123,456.79): 723,456.79 in all, 223,456.79 over a cap of 50万
fn three_awards() -> Vec<String> {
    vec![
        format!(
            r#"{{"id":"A-1","year":2025,"kind":"rd_platform",{APPLICANT},"level":"provincial","platform_type":"key_lab","newly_recognized":true}}"#
        ),
        format!(
            r#"{{"id":"A-2","year":2025,"kind":"academician_station",{APPLICANT},"level":"city","station_type":"workstation","newly_approved":true}}"#
        ),
        format!(
            r#"{{"id":"A-3","year":2025,"kind":"tech_transfer",{APPLICANT},"seller_in_city":false,"contract_amount":2000000,"paid_amount":1234567.85}}"#
        ),
        // Another applicant, under the cap: untouched.
        r#"{"id":"B-1","year":2025,"kind":"rd_platform","applicant":{"name":"乙公司","in_city":true},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#.to_string(),
    ]
}

/// (id, status, amount, reasons) of each decision
type Decided = Vec<(String, String, String, Vec<String>)>;

fn decisions(value: &serde_json::Value) -> Decided {
    value["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            let text = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (
                text(&d["id"]),
                text(&d["status"]),
                text(&d["amount"]),
                d["reasons"]
                    .as_array()
                    .map(|r| r.iter().map(text).collect())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// `policy run` on the lines, streamed (`--format json`) and in memory (`--format yaml`),
/// which must agree; the decisions
fn run(pack: &tempfile::TempDir, lines: &[String], extra: &[&str]) -> Decided {
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let go = |format: &str| {
        // The reasons asserted here are the pack's own words: Chinese.
        let mut args = vec![
            "run", "--pack", "<pack>", "--input", &input, "--format", format, "--lang", "zh",
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

fn outcome(decided: &Decided, id: &str) -> (String, String) {
    decided
        .iter()
        .find(|d| d.0 == id)
        .map(|d| (d.1.clone(), d.2.clone()))
        .unwrap_or_else(|| panic!("{id} decided"))
}

fn reasons(decided: &Decided, id: &str) -> String {
    decided
        .iter()
        .find(|d| d.0 == id)
        .map(|d| d.3.join("\n"))
        .unwrap_or_default()
}

/// The amounts of A-1, A-2, A-3 and their total, in fen
fn cut_amounts(decided: &Decided) -> ([(String, String); 3], i64) {
    let get = |id| outcome(decided, id);
    let fen = |s: &str| -> i64 { s.replace('.', "").parse().expect("amount") };
    let all = [get("A-1"), get("A-2"), get("A-3")];
    let total = all.iter().map(|(_, a)| fen(a)).sum();
    (all, total)
}

fn pair(status: &str, amount: &str) -> (String, String) {
    (status.to_string(), amount.to_string())
}

#[test]
fn a_yearly_cap_cuts_the_largest_award_first() {
    let pack = pack_with(&cap_rule("largest-first"));
    let decided = run(&pack, &three_awards(), &[]);
    let (amounts, total) = cut_amounts(&decided);
    // The excess, 223,456.79, comes off the platform's 400,000.00.
    assert_eq!(
        amounts,
        [
            pair("awarded", "176543.21"),
            pair("awarded", "200000.00"),
            pair("awarded", "123456.79"),
        ]
    );
    assert_eq!(total, 50_000_000);
    assert_eq!(outcome(&decided, "B-1"), pair("awarded", "400000.00"));
    let why = reasons(&decided, "A-1");
    assert!(
        why.contains("合计 723,456.79 元，超过上限 500,000.00 元，超出的 223,456.79 元")
            && why.contains("本项核减 223,456.79 元，核定 176,543.21 元"),
        "{why}"
    );
    assert!(reasons(&decided, "A-2").contains("本项不核减"));
}

/// Two applicants over two caps: each member's reason names its own group and its own
/// group's figures (a cap's sentences are numbered across groups and rules, in group order;
/// a number off by one puts another applicant's total in a reason)
#[test]
fn each_group_over_a_cap_is_put_in_its_own_words() {
    let lifetime = "  - id: lifetime-cap\n    title: 累计上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    cap: max\n    clauses: all\n    cut: largest-first\n    per: []\n    parameters:\n      max:\n        value: 45万\n        unit: yuan\n        description: 每家企业奖补累计上限\n";
    let pack = pack_with(&(cap_rule("largest-first") + lifetime));
    // 乙 first, so its group is numbered before 甲's: 600,000.00 in all.
    let mut lines = vec![
        r#"{"id":"B-1","year":2025,"kind":"rd_platform","applicant":{"name":"乙公司","in_city":true},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#.to_string(),
        r#"{"id":"B-2","year":2025,"kind":"academician_station","applicant":{"name":"乙公司","in_city":true},"level":"city","station_type":"workstation","newly_approved":true}"#.to_string(),
    ];
    // 甲: 723,456.79 in all (the first three lines of three_awards)
    lines.extend(three_awards().into_iter().take(3));
    let decided = run(&pack, &lines, &[]);
    for (id, own, other) in [
        ("A-1", "甲公司", "乙公司"),
        ("A-2", "甲公司", "乙公司"),
        ("B-1", "乙公司", "甲公司"),
        ("B-2", "乙公司", "甲公司"),
    ] {
        let why = reasons(&decided, id);
        assert!(
            why.contains(&format!("同一申报单位（{own}")) && !why.contains(other),
            "{id}: {why}"
        );
    }
    let a = reasons(&decided, "A-1");
    assert!(
        a.contains("合计 723,456.79 元，超过上限 500,000.00 元")
            && a.contains("合计 500,000.00 元，超过上限 450,000.00 元")
            && !a.contains("600,000.00"),
        "{a}"
    );
    let b = reasons(&decided, "B-1");
    assert!(
        b.contains("合计 600,000.00 元，超过上限 500,000.00 元")
            && b.contains("合计 500,000.00 元，超过上限 450,000.00 元")
            && !b.contains("723,456.79"),
        "{b}"
    );
    assert_eq!(outcome(&decided, "B-1"), pair("awarded", "250000.00"));
    assert_eq!(outcome(&decided, "B-2"), pair("awarded", "200000.00"));
}

/// The English reasons, word for word as they were written with `format!`: a kept award
/// naming three others, a superseded one naming the kept, and a cap that cuts one award whole
#[test]
fn english_reasons_of_the_highest_kept_and_a_cut_whole() {
    let rules = "  - id: highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [rd-platform, academician-station, incubator]\n  - id: yearly-cap\n    title: 年度奖补上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    cap: max\n    clauses: [incubator, tech-transfer]\n    cut: clause-order\n    parameters:\n      max:\n        value: 50万\n        unit: yuan\n        description: 每家企业每年奖补合计上限\n";
    let pack = pack_with(rules);
    let mut lines: Vec<String> = three_awards().into_iter().take(3).collect();
    lines.push(format!(
        r#"{{"id":"A-4","year":2025,"kind":"incubator",{APPLICANT},"level":"national","newly_recognized":true}}"#
    ));
    lines.push(lines[0].replace("A-1", "A-5"));
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let mut decided = Vec::new();
    for format in ["json", "yaml"] {
        let args = [
            "run", "--pack", "<pack>", "--input", &input, "--format", format,
        ];
        let (code, out, err) = policy_on(&pack, &[&args[..], &["--lang", "en"]].concat());
        assert!(code == 0 || code == 1, "exit {code}: {err}");
        decided.push(if format == "json" {
            decisions(&serde_json::from_str(&out).expect("JSON"))
        } else {
            decisions(&serde_yaml::from_str(&out).expect("YAML"))
        });
    }
    assert_eq!(decided[0], decided[1], "streamed and in memory");
    let decided = &decided[0];
    let group = "附则 就高不重复 (highest): the same applicant (applicant.name=甲公司 · year=2025) has 4 awards of which only the highest is paid";
    assert_eq!(outcome(decided, "A-4"), pair("awarded", "500000.00"));
    assert!(reasons(decided, "A-4").ends_with(&format!("{group}; this one is the highest and is kept; not paid: A-1 (rd-platform, 400,000.00 yuan), A-2 (academician-station, 200,000.00 yuan), A-5 (rd-platform, 400,000.00 yuan)\n附则 年度奖补上限 (yearly-cap): the same applicant (applicant.name=甲公司 · year=2025) has 623,456.79 yuan of awards under the cap, above the cap of 500,000.00 yuan (yearly-cap.max); the excess of 123,456.79 yuan is cut from the last clause in order up; this one is not cut")), "{}", reasons(decided, "A-4"));
    assert_eq!(outcome(decided, "A-5"), pair("superseded", "0.00"));
    assert!(reasons(decided, "A-5").ends_with(&format!("{group}: A-4 (incubator, 500,000.00 yuan) is kept; this one's 400,000.00 yuan is not paid")), "{}", reasons(decided, "A-5"));
    assert_eq!(outcome(decided, "A-3"), pair("capped", "0.00"));
    assert!(reasons(decided, "A-3").ends_with("(yearly-cap.max); the excess of 123,456.79 yuan is cut from the last clause in order up; this one's 123,456.79 yuan is cut whole; not paid"), "{}", reasons(decided, "A-3"));
}

#[test]
fn a_yearly_cap_in_clause_order_cuts_the_last_clauses_first() {
    let pack = pack_with(&cap_rule("clause-order"));
    let decided = run(&pack, &three_awards(), &[]);
    let (amounts, total) = cut_amounts(&decided);
    // Paid in the pack's clause order until the cap: the tech transfer (last) loses all of its
    // 123,456.79, the workstation the other 100,000.00.
    assert_eq!(
        amounts,
        [
            pair("awarded", "400000.00"),
            pair("awarded", "100000.00"),
            pair("capped", "0.00"),
        ]
    );
    assert_eq!(total, 50_000_000);
    assert!(reasons(&decided, "A-3").contains("本项 123,456.79 元全部核减，不予发放"));
}

#[test]
fn a_yearly_cap_pro_rata_cuts_to_the_fen_and_the_cuts_add_up_to_the_excess() {
    let pack = pack_with(&cap_rule("pro-rata"));
    let decided = run(&pack, &three_awards(), &[]);
    let (amounts, total) = cut_amounts(&decided);
    // Shares of 223,456.79 rounded down to the fen: 123,549.48, 61,774.74 and 38,132.55, two
    // fen short; the two largest remainders (the platform's, then the transfer's) get one each.
    assert_eq!(
        amounts,
        [
            pair("awarded", "276450.51"),
            pair("awarded", "138225.26"),
            pair("awarded", "85324.23"),
        ]
    );
    assert_eq!(total, 50_000_000);
    let cuts: i64 = [
        (40_000_000, "A-1"),
        (20_000_000, "A-2"),
        (12_345_679, "A-3"),
    ]
    .iter()
    .map(|(before, id)| {
        before
            - outcome(&decided, id)
                .1
                .replace('.', "")
                .parse::<i64>()
                .expect("fen")
    })
    .sum();
    assert_eq!(cuts, 22_345_679, "the cuts add up to the excess exactly");
}

#[test]
fn highest_award_kept_and_a_tie_goes_to_the_clause_listed_first() {
    let rule = "  - id: highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [tech-transfer, rd-platform]\n";
    let pack = pack_with(rule);
    let lines = vec![
        // 400,000.00 each: a tie, and tech-transfer is listed first.
        format!(
            r#"{{"id":"T-1","year":2025,"kind":"rd_platform",{APPLICANT},"level":"provincial","platform_type":"key_lab","newly_recognized":true}}"#
        ),
        format!(
            r#"{{"id":"T-2","year":2025,"kind":"tech_transfer",{APPLICANT},"seller_in_city":false,"contract_amount":4000000,"paid_amount":4000000}}"#
        ),
        // The same applicant a year later: a group of its own.
        format!(
            r#"{{"id":"T-3","year":2026,"kind":"rd_platform",{APPLICANT},"level":"provincial","platform_type":"key_lab","newly_recognized":true}}"#
        ),
        // By credit code: the same enterprise under another name is the same applicant.
        r#"{"id":"C-1","year":2025,"kind":"rd_platform","applicant":{"name":"丙公司","in_city":true,"credit_code":"91341300MA2N0X123Y"},"level":"national","platform_type":"key_lab","newly_recognized":true}"#.to_string(),
        r#"{"id":"C-2","year":2025,"kind":"tech_transfer","applicant":{"name":"丙公司（宿州）","in_city":true,"credit_code":"91341300MA2N0X123Y"},"seller_in_city":false,"contract_amount":9000000,"paid_amount":1000000}"#.to_string(),
    ];
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 0, "{out}{err}");
    let decided = run(&pack, &lines, &[]);
    assert_eq!(outcome(&decided, "T-2"), pair("awarded", "400000.00"));
    assert_eq!(outcome(&decided, "T-1"), pair("superseded", "0.00"));
    assert!(
        reasons(&decided, "T-1")
            .contains("保留金额最高的 T-2（购买市外先进技术成果在宿转化补助，400,000.00 元）"),
        "{}",
        reasons(&decided, "T-1")
    );
    assert_eq!(outcome(&decided, "T-3"), pair("awarded", "400000.00"));
    assert_eq!(outcome(&decided, "C-1"), pair("awarded", "2000000.00"));
    assert_eq!(outcome(&decided, "C-2"), pair("superseded", "0.00"));
}

#[test]
fn an_award_that_builds_on_one_not_given_is_not_paid() {
    let rule = "  - id: prize-on-hte\n    title: 在高新技术企业基础上再奖励\n    article: 附则\n    text: 大赛获奖企业为国家高新技术企业的，在此基础上再给予奖励\n    clause: competition-award\n    requires: [high-tech-enterprise]\n";
    let pack = pack_with(rule);
    let lines = vec![
        // 甲: its high-tech recognition is refused (outside the city), so no prize either.
        r#"{"id":"H-1","year":2025,"kind":"high_tech_enterprise","applicant":{"name":"甲公司","in_city":false},"recognition":"first"}"#.to_string(),
        format!(r#"{{"id":"P-1","year":2025,"kind":"competition_award",{APPLICANT},"prize":"first"}}"#),
        // 乙: recognised, so its prize is paid.
        r#"{"id":"H-2","year":2025,"kind":"high_tech_enterprise","applicant":{"name":"乙公司","in_city":true},"recognition":"first"}"#.to_string(),
        r#"{"id":"P-2","year":2025,"kind":"competition_award","applicant":{"name":"乙公司","in_city":true},"prize":"first"}"#.to_string(),
    ];
    let decided = run(&pack, &lines, &[]);
    assert_eq!(outcome(&decided, "H-1").0, "ineligible");
    assert_eq!(outcome(&decided, "P-1"), pair("ineligible", "0.00"));
    assert!(reasons(&decided, "P-1")
        .contains("获得“国家高新技术企业认定奖励”的基础上给予，该单位没有获得"));
    assert_eq!(outcome(&decided, "P-2"), pair("awarded", "50000.00"));
    assert!(reasons(&decided, "P-2").contains("已获得 H-2（国家高新技术企业认定奖励）"));
}

#[test]
fn a_rule_parameter_is_set_like_a_clause_parameter() {
    let pack = pack_with(&cap_rule("largest-first"));
    let decided = run(&pack, &three_awards(), &["--set", "yearly-cap.max=60万"]);
    assert_eq!(outcome(&decided, "A-1"), pair("awarded", "276543.21"));
    let (code, _, err) = policy_on(
        &pack,
        &[
            "run",
            "--pack",
            "<pack>",
            "--input",
            "<pack>/examples/applications.yaml",
            "--set",
            "yearly-cap.mx=60万",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("rule `yearly-cap` has no parameter `mx`; did you mean `yearly-cap.max`?"),
        "{err}"
    );
}

#[test]
fn check_refuses_unknown_clauses_cycles_and_unused_parameters() {
    let rules = "  - id: loop-a\n    title: a\n    article: 附则\n    text: 在此基础上再给予奖励\n    clause: competition-award\n    requires: [high-tech-enterprise]\n  - id: loop-b\n    title: b\n    article: 附则\n    text: 在此基础上再给予奖励\n    clause: high-tech-enterprise\n    requires: [competition-award]\n  - id: typo\n    title: c\n    article: 附则\n    text: 按照就高不重复原则给予支持\n    exclusive: [rd-platfrom, incubator]\n    parameters:\n      spare:\n        value: 1\n        unit: count\n        description: 没有用到\n";
    let pack = pack_with(rules);
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2, "{out}{err}");
    for expected in [
        "`exclusive` names `rd-platfrom`, which is no clause of the pack; did you mean `rd-platform`?",
        "parameter `typo.spare` is not used by the rule",
        "the awards build on each other in a circle: competition-award → high-tech-enterprise → competition-award",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(
        err.contains("pack.yaml:"),
        "errors name the file and line: {err}"
    );
}

#[test]
fn http_settles_a_requests_applications_together_as_run_does() {
    // 就高不重复 first, then the cap on what is left.
    let mut rules = "  - id: highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [academician-station, incubator]\n".to_string();
    rules.push_str(&cap_rule("pro-rata"));
    let pack = pack_with(&rules);
    let mut lines = three_awards();
    lines.push(format!(
        r#"{{"id":"A-4","year":2025,"kind":"incubator",{APPLICANT},"level":"provincial","newly_recognized":true}}"#
    ));
    let decided = run(&pack, &lines, &[]);
    // The incubator's 250,000.00 beats the workstation's 200,000.00; the cap then cuts the
    // 773,456.79 left.
    assert_eq!(outcome(&decided, "A-2"), pair("superseded", "0.00"));
    assert_eq!(outcome(&decided, "A-4").0, "awarded");
    let addr = policy_tests::serve_on(pack.path(), None, 1 << 20);
    let body = format!("[{}]", lines.join(","));
    let (status, _, served) = policy_tests::http(addr, "POST", "/v1/decide", body.as_bytes());
    assert_eq!(status, 200, "{served}");
    let served: serde_json::Value = serde_json::from_str(&served).expect("JSON");
    assert_eq!(decisions(&served), decided);
}

#[test]
fn compare_settles_both_sides_streamed_and_in_memory_alike() {
    let pack = pack_copy();
    let dir = tempfile::tempdir().expect("dir");
    let jsonl = dir.path().join("apps.jsonl");
    let (code, _, err) = policy_on(
        &pack,
        &[
            "gen",
            "--pack",
            "<pack>",
            "--count",
            "3000",
            "--seed",
            "5",
            "--repeat-applicants",
            "60",
            "--output",
            &jsonl.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    // The same applications as one JSON document: read in memory, not streamed.
    let apps: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .expect("apps")
        .lines()
        .map(|l| serde_json::from_str(l).expect("line"))
        .collect();
    let json = dir.path().join("apps.json");
    std::fs::write(&json, serde_json::to_string(&apps).expect("JSON")).expect("write");
    let scenario = pack
        .path()
        .join("scenarios/yearly-cap-300wan-platforms-highest.yaml")
        .to_string_lossy()
        .into_owned();
    let compare = |input: &std::path::Path| {
        let (code, out, err) = policy_on(
            &pack,
            &[
                "compare",
                "--pack",
                "<pack>",
                "--input",
                &input.to_string_lossy(),
                "--scenario",
                &scenario,
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let streamed = compare(&jsonl);
    assert_eq!(streamed, compare(&json));
    let value: serde_json::Value = serde_json::from_str(&streamed).expect("JSON");
    let c = &value["comparisons"][0];
    assert_eq!(
        c["changed_rules"],
        serde_json::json!(["+platforms-highest", "+yearly-cap"])
    );
    assert!(c["losers"].as_u64().unwrap_or(0) > 50, "{c}");
    assert_eq!(c["winners"], 0, "rules only take away");
    // Applicants counted once however many of their awards moved.
    let losing = c["losing_applicants"].as_u64().unwrap_or(0);
    assert!(
        losing > 0 && losing < c["losers"].as_u64().unwrap_or(0),
        "{c}"
    );
    assert_eq!(c["winning_applicants"], 0, "{c}");
}

#[test]
fn history_makes_a_cumulative_cap_bind_and_finds_an_earlier_base() {
    // 累计最高: 100万 over every year on tech transfers, and a prize on an earlier recognition.
    let rules = "  - id: lifetime-cap\n    title: 累计上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    cap: max\n    clauses: [tech-transfer]\n    cut: largest-first\n    per: []\n    parameters:\n      max:\n        value: 100万\n        unit: yuan\n        description: 每家企业技术成果转化补助累计上限\n  - id: prize-on-hte\n    title: 在高新技术企业基础上再奖励\n    article: 附则\n    text: 大赛获奖企业为国家高新技术企业的，在此基础上再给予奖励\n    clause: competition-award\n    requires: [high-tech-enterprise]\n";
    let pack = pack_with(rules);
    let ledger = pack.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        "申报单位,条款,年度,金额\n甲公司,tech-transfer,2023,50万\n甲公司,tech-transfer,2024,30万\n甲公司,high-tech-enterprise,2025,20万\n乙公司,tech-transfer,2024,50万\n",
    )
    .expect("ledger");
    let lines = vec![
        // 500,000.00 this year; 800,000.00 paid before: only 200,000.00 is left under 100万.
        format!(
            r#"{{"id":"L-1","year":2025,"kind":"tech_transfer",{APPLICANT},"seller_in_city":false,"contract_amount":9000000,"paid_amount":6000000}}"#
        ),
        // 甲 was recognised as a high-tech enterprise in 2025 (in the ledger): its prize is paid.
        format!(r#"{{"id":"L-2","year":2025,"kind":"competition_award",{APPLICANT},"prize":"second"}}"#),
        // 乙: 500,000.00 before and 500,000.00 now: exactly the cap, nothing cut.
        r#"{"id":"L-3","year":2025,"kind":"tech_transfer","applicant":{"name":"乙公司","in_city":true},"seller_in_city":false,"contract_amount":9000000,"paid_amount":5000000}"#.to_string(),
    ];
    let history = ledger.to_string_lossy().into_owned();
    let decided = run(&pack, &lines, &["--history", &history]);
    assert_eq!(outcome(&decided, "L-1"), pair("awarded", "200000.00"));
    assert!(
        reasons(&decided, "L-1").contains("另有此前已发放 800,000 元"),
        "{}",
        reasons(&decided, "L-1")
    );
    assert_eq!(outcome(&decided, "L-2").0, "awarded");
    assert!(reasons(&decided, "L-2").contains("此前的 1 项"));
    assert_eq!(outcome(&decided, "L-3"), pair("awarded", "500000.00"));
    // Without the history the cap does not bind and the prize has no base.
    let without = run(&pack, &lines, &[]);
    assert_eq!(outcome(&without, "L-1"), pair("awarded", "500000.00"));
    assert_eq!(outcome(&without, "L-2"), pair("ineligible", "0.00"));
    // A faulty ledger: each row's fault with its line.
    std::fs::write(&ledger, "applicant,clause,period,amount\n甲公司,tech-transfr,2025,1\n甲公司,tech-transfer,2025,-5\n").expect("ledger");
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
            "--history",
            &history,
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("ledger.csv:2:1: `tech-transfr` is no clause of the pack; did you mean `tech-transfer`?"), "{err}");
    assert!(
        err.contains("ledger.csv:3:1: amount `-5`: `-5` is negative"),
        "{err}"
    );
}

#[test]
fn what_a_hostile_review_found_is_refused_or_decided_as_documented() {
    // A `requires` rule listed before a rule that can still take its base away is refused.
    let rules = "  - id: prize\n    title: 再奖励\n    article: 附则\n    text: 大赛获奖企业为国家高新技术企业的，在此基础上再给予奖励\n    clause: competition-award\n    requires: [rd-platform]\n  - id: highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [tech-transfer, rd-platform]\n";
    let pack = pack_with(rules);
    let (code, _, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rule `prize` looks at the awards of `rd-platform`, which rule `highest` listed after it still changes: list `highest` first"),
        "{err}"
    );
    let pack = pack_with(&format!(
        "{}    per: [year, year]\n",
        &rules[rules.find("  - id: highest").unwrap_or(0)..]
    ));
    let (code, _, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(err.contains("`per` names `year` twice"), "{err}");

    // Spaces around a name (full-width too) do not make another applicant.
    let rule = "  - id: highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [tech-transfer, rd-platform]\n  - id: prize-on-hte\n    title: 在高新技术企业基础上再奖励\n    article: 附则\n    text: 大赛获奖企业为国家高新技术企业的，在此基础上再给予奖励\n    clause: competition-award\n    requires: [high-tech-enterprise]\n";
    let pack = pack_with(rule);
    let lines = vec![
        r#"{"id":"W-1","year":2025,"kind":"rd_platform","applicant":{"name":"乙公司 ","in_city":true},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#.to_string(),
        r#"{"id":"W-2","year":2025,"kind":"tech_transfer","applicant":{"name":"　乙公司","in_city":true},"seller_in_city":false,"contract_amount":9000000,"paid_amount":1000000}"#.to_string(),
        r#"{"id":"W-3","year":2025,"kind":"competition_award","applicant":{"name":"丁公司","in_city":true},"prize":"first"}"#.to_string(),
    ];
    // A ledger row of nothing paid is no base to build on.
    let ledger = pack.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        "applicant,clause,period,amount\n丁公司 ,high-tech-enterprise,2025,0\n",
    )
    .expect("ledger");
    let history = ledger.to_string_lossy().into_owned();
    let decided = run(&pack, &lines, &["--history", &history]);
    assert_eq!(outcome(&decided, "W-1"), pair("awarded", "400000.00"));
    assert_eq!(outcome(&decided, "W-2"), pair("superseded", "0.00"));
    assert_eq!(outcome(&decided, "W-3"), pair("ineligible", "0.00"));
    // A ledger amount below the fen is refused.
    std::fs::write(
        &ledger,
        "applicant,clause,period,amount\n丁公司,high-tech-enterprise,2025,0.001\n",
    )
    .expect("ledger");
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
            "--history",
            &history,
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("amount `0.001` has more decimals than the pack pays (2)"),
        "{err}"
    );
}

#[test]
fn a_first_time_award_is_withdrawn_where_the_history_shows_one_before() {
    let rule = "  - id: first-recognition\n    title: 首次认定奖励\n    article: 附则\n    text: 大赛获奖企业为国家高新技术企业的，在此基础上再给予奖励\n    clause: high-tech-enterprise\n    first_time: [high-tech-enterprise]\n";
    let pack = pack_with(rule);
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 0, "{out}{err}");
    let ledger = pack.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        "申报单位,条款,年度,金额\n甲公司,high-tech-enterprise,2022,20万\n乙公司,high-tech-enterprise,2026,20万\n",
    )
    .expect("ledger");
    let lines = vec![
        // 甲 was paid in 2022: not the first time.
        format!(r#"{{"id":"F-1","year":2025,"kind":"high_tech_enterprise",{APPLICANT},"recognition":"first"}}"#),
        // 乙's payment is in a later year than this application: still the first.
        r#"{"id":"F-2","year":2025,"kind":"high_tech_enterprise","applicant":{"name":"乙公司","in_city":true},"recognition":"first"}"#.to_string(),
    ];
    let history = ledger.to_string_lossy().into_owned();
    let decided = run(&pack, &lines, &["--history", &history]);
    assert_eq!(outcome(&decided, "F-1"), pair("ineligible", "0.00"));
    assert!(reasons(&decided, "F-1").contains("往年已获得过 1 次此类奖补，本项不是首次"));
    assert_eq!(outcome(&decided, "F-2").0, "awarded");
    assert!(reasons(&decided, "F-2").contains("本项为首次"));
    // Without a history nothing can be checked, and the reason says so.
    let unchecked = run(&pack, &lines, &[]);
    assert_eq!(outcome(&unchecked, "F-1").0, "awarded");
    assert!(reasons(&unchecked, "F-1").contains("没有提供此前的发放记录，无法核对是否首次"));
}

#[test]
fn a_script_reads_the_applicants_earlier_payments() {
    // No rules needed: `applicant:` says who the applicant is, the script asks the history.
    let pack = pack_copy();
    let meta = pack.path().join("pack.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("pack.yaml");
    std::fs::write(
        &meta,
        yaml.clone() + "\napplicant: [applicant.credit_code, applicant.name]\n",
    )
    .expect("write");
    let script = pack.path().join("clauses/high-tech-enterprise.rhai");
    let text = std::fs::read_to_string(&script).expect("script");
    std::fs::write(
        &script,
        format!(
            "if history.count(\"high-tech-enterprise\") > 0 {{\n    return ineligible(`此前已获 ${{history.count(\"high-tech-enterprise\")}} 次、共 ${{history.sum(\"high-tech-enterprise\")}} 元高新技术企业奖励，不是首次`);\n}}\n{text}"
        ),
    )
    .expect("write");
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 0, "{out}{err}");
    // Without `applicant:` the script could not know whose payments to read: refused.
    std::fs::write(&meta, &yaml).expect("write");
    let (code, _, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the script reads `history`, but pack.yaml names no `applicant:` fields"),
        "{err}"
    );
    std::fs::write(
        &meta,
        yaml.clone() + "\napplicant: [applicant.credit_code, applicant.name]\n",
    )
    .expect("write");
    let ledger = pack.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        "申报单位,条款,年度,金额\n甲公司,high-tech-enterprise,2022,20万\n甲公司,high-tech-enterprise,2025,20万\n",
    )
    .expect("ledger");
    // Many alike, so the memo is tried: it must not remember an outcome that read the history.
    let mut lines = Vec::new();
    for i in 0..40 {
        let who = if i % 2 == 0 { "甲公司" } else { "乙公司" };
        lines.push(format!(
            r#"{{"id":"H-{i:02}","year":2025,"kind":"high_tech_enterprise","applicant":{{"name":"{who}","in_city":true}},"recognition":"first"}}"#
        ));
    }
    let history = ledger.to_string_lossy().into_owned();
    let decided = run(&pack, &lines, &["--history", &history]);
    for i in 0..40 {
        let id = format!("H-{i:02}");
        let (status, _) = outcome(&decided, &id);
        // Only the 2022 payment is earlier than 2025.
        let want = if i % 2 == 0 { "ineligible" } else { "awarded" };
        assert_eq!(status, want, "{id}");
    }
    assert!(
        reasons(&decided, "H-00").contains("此前已获 1 次、共 200000 元"),
        "{}",
        reasons(&decided, "H-00")
    );
    // Without a history the script sees none.
    let without = run(&pack, &lines, &[]);
    assert_eq!(outcome(&without, "H-00").0, "awarded");
}

#[test]
fn two_caps_on_several_applicants_quote_each_groups_own_heads_and_a_timeline_picks_by_year() {
    // A yearly cap over every clause whose limit is a timeline (50万 from 2025, 60万 from 2026),
    // then a cap of 10万 on tech transfers. Each applicant's group is cut under both rules, so
    // every group holds a head of each rule: a reason that quoted another group's head, or the
    // other rule's, would show another total or limit.
    let rules = "  - id: yearly-cap\n    title: 年度奖补上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    cap: max\n    clauses: all\n    cut: largest-first\n    parameters:\n      max:\n        values:\n          2025: 50万\n          2026: 60万\n        unit: yuan\n        description: 每家企业每年奖补合计上限\n  - id: transfer-cap\n    title: 转化补助上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    cap: max\n    clauses: [tech-transfer]\n    cut: largest-first\n    parameters:\n      max:\n        value: 10万\n        unit: yuan\n        description: 每家企业每年技术成果转化补助上限\n";
    let pack = pack_with(rules);
    let platform = |id: &str, year: u32, who: &str| {
        format!(
            r#"{{"id":"{id}","year":{year},"kind":"rd_platform","applicant":{{"name":"{who}","in_city":true}},"level":"provincial","platform_type":"key_lab","newly_recognized":true}}"#
        )
    };
    // 123,456.79 each
    let transfer = |id: &str, year: u32, who: &str| {
        format!(
            r#"{{"id":"{id}","year":{year},"kind":"tech_transfer","applicant":{{"name":"{who}","in_city":true}},"seller_in_city":false,"contract_amount":2000000,"paid_amount":1234567.85}}"#
        )
    };
    let lines = vec![
        platform("A-1", 2025, "甲公司"),
        transfer("A-3", 2025, "甲公司"),
        platform("B-1", 2025, "乙公司"),
        format!(
            r#"{{"id":"B-2","year":2025,"kind":"academician_station","applicant":{{"name":"乙公司","in_city":true}},"level":"city","station_type":"workstation","newly_approved":true}}"#
        ),
        transfer("B-3", 2025, "乙公司"),
        // Before the timeline's first year: the documented error, and the later cap skips them
        platform("C-1", 2024, "丙公司"),
        transfer("C-2", 2024, "丙公司"),
        // 2026: 523,456.79 is within 60万; only the transfer cap cuts
        platform("D-1", 2026, "丁公司"),
        transfer("D-3", 2026, "丁公司"),
    ];
    let decided = run(&pack, &lines, &[]);
    let amounts: Vec<(String, String)> = [
        "A-1", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2", "D-1", "D-3",
    ]
    .iter()
    .map(|id| outcome(&decided, id))
    .collect();
    assert_eq!(
        amounts,
        [
            pair("awarded", "376543.21"),
            pair("awarded", "100000.00"),
            pair("awarded", "176543.21"),
            pair("awarded", "200000.00"),
            pair("awarded", "100000.00"),
            pair("error", "0.00"),
            pair("error", "0.00"),
            pair("awarded", "400000.00"),
            pair("awarded", "100000.00"),
        ]
    );
    let yearly = |who: &str, total: &str, excess: &str| {
        format!("年度奖补上限：同一申报单位（{who}，评审年度 2025）纳入上限的奖补合计 {total} 元，超过上限 500,000.00 元，超出的 {excess} 元")
    };
    let transfers = |who: &str, year: u32| {
        format!("转化补助上限：同一申报单位（{who}，评审年度 {year}）纳入上限的奖补合计 123,456.79 元，超过上限 100,000.00 元，超出的 23,456.79 元从金额最大的一项起依次核减；本项核减 23,456.79 元，核定 100,000.00 元")
    };
    for (id, who, total, excess) in [
        ("A-3", "甲公司", "523,456.79", "23,456.79"),
        ("B-3", "乙公司", "723,456.79", "223,456.79"),
    ] {
        let why = reasons(&decided, id);
        let (first, second) = (yearly(who, total, excess), transfers(who, 2025));
        // Both heads, in the rules' order
        let (Some(at_first), Some(at_second)) = (why.find(&first), why.find(&second)) else {
            panic!("{id}: {why}");
        };
        assert!(at_first < at_second, "{id}: {why}");
    }
    for (id, cut) in [
        ("A-1", "本项核减 23,456.79 元，核定 376,543.21 元"),
        ("B-1", "本项核减 223,456.79 元，核定 176,543.21 元"),
        ("B-2", "本项不核减"),
    ] {
        assert!(
            reasons(&decided, id).contains(cut),
            "{id}: {}",
            reasons(&decided, id)
        );
    }
    for id in ["C-1", "C-2"] {
        let why = reasons(&decided, id);
        assert!(
            why.contains("参数 `yearly-cap.max` 在申报年度 2024 没有有效取值")
                && !why.contains("转化补助上限"),
            "{id}: {why}"
        );
    }
    let why = reasons(&decided, "D-3");
    assert!(
        why.contains(&transfers("丁公司", 2026)) && !why.contains("年度奖补上限"),
        "D-3: {why}"
    );
}
