//! A clause that reads the same applicant's other decisions (`depends_on`, `others.amount`):
//! exact amounts, the same decisions streamed, in memory and over HTTP, a repeated or
//! ineligible base that counts for nothing, a comparison that decides the dependent clause
//! again, and what `check` refuses.

use policy_tests::{pack_copy, policy_on};

/// The Suzhou pack with `applicant:` and a high-tech award that adds 10% of the same
/// applicant's R&D platform award of the same year
fn pack() -> tempfile::TempDir {
    let pack = pack_copy();
    let meta = pack.path().join("pack.yaml");
    let mut yaml = std::fs::read_to_string(&meta).expect("pack.yaml");
    yaml.push_str("\napplicant: [applicant.credit_code, applicant.name]\n");
    std::fs::write(&meta, yaml).expect("write pack.yaml");
    let clause = pack.path().join("clauses/high-tech-enterprise.yaml");
    let mut yaml = std::fs::read_to_string(&clause).expect("clause");
    yaml.push_str("  on_platform:\n    value: 10%\n    unit: ratio\n    description: 同年获研发平台奖励的，另按该奖励的比例加给\ndepends_on: [rd-platform]\n");
    std::fs::write(&clause, yaml).expect("write clause");
    std::fs::write(
        pack.path().join("clauses/high-tech-enterprise.rhai"),
        r#"let base = if app.recognition == "first" { params.first } else { params.repeat };
let platform = others.amount("rd-platform");
if platform > 0 {
    award(base + platform * params.on_platform, `高企奖励 ${yuan(base)} 元，另按同年 ${others.count("rd-platform")} 项研发平台奖励 ${yuan(platform)} 元的比例加给`)
} else {
    award(base, `高企奖励 ${yuan(base)} 元`)
}
"#,
    )
    .expect("write script");
    pack
}

const A: &str =
    r#""applicant":{"name":"甲公司","in_city":true,"credit_code":"91341300MA2NAAAA05"}"#;
const B: &str = r#""applicant":{"name":"乙公司","in_city":true}"#;

/// 甲 holds a national platform (2,000,000.00) in 2025 and a first and a repeat high-tech
/// recognition in 2025 and 2026; 乙's city platform is not awarded, its high-tech award is
fn lines() -> Vec<String> {
    vec![
        format!(
            r#"{{"id":"P-1","year":2025,"kind":"rd_platform",{A},"level":"national","platform_type":"key_lab","newly_recognized":true}}"#
        ),
        format!(
            r#"{{"id":"H-1","year":2025,"kind":"high_tech_enterprise",{A},"recognition":"first"}}"#
        ),
        format!(
            r#"{{"id":"H-2","year":2026,"kind":"high_tech_enterprise",{A},"recognition":"repeat"}}"#
        ),
        format!(
            r#"{{"id":"P-2","year":2025,"kind":"rd_platform",{B},"level":"city","platform_type":"key_lab","newly_recognized":true}}"#
        ),
        format!(
            r#"{{"id":"H-3","year":2025,"kind":"high_tech_enterprise",{B},"recognition":"first"}}"#
        ),
    ]
}

/// (id, status, amount, reasons)
type Decided = Vec<(String, String, String, String)>;

fn decisions(value: &serde_json::Value) -> Decided {
    value["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let reasons: Vec<String> = d["reasons"]
                .as_array()
                .map(|r| r.iter().map(text).collect())
                .unwrap_or_default();
            (
                text(&d["id"]),
                text(&d["status"]),
                text(&d["amount"]),
                reasons.join("\n"),
            )
        })
        .collect()
}

/// The lines run streamed (JSON) and in memory (YAML), which must agree
fn run(pack: &tempfile::TempDir, lines: &[String]) -> Decided {
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let go = |format: &str| {
        let (code, out, err) = policy_on(
            pack,
            &[
                "run", "--pack", "<pack>", "--input", &input, "--format", format,
            ],
        );
        assert!(code == 0 || code == 1, "exit {code}: {err}");
        out
    };
    let streamed: serde_json::Value = serde_json::from_str(&go("json")).expect("JSON");
    let in_memory: serde_json::Value = serde_yaml::from_str(&go("yaml")).expect("YAML");
    let (a, b) = (decisions(&streamed), decisions(&in_memory));
    assert_eq!(a, b, "the streamed run and the in-memory run agree");
    a
}

fn amount(decided: &Decided, id: &str) -> (String, String) {
    decided
        .iter()
        .find(|d| d.0 == id)
        .map(|d| (d.1.clone(), d.2.clone()))
        .unwrap_or_else(|| panic!("{id} decided"))
}

fn pair(status: &str, amount: &str) -> (String, String) {
    (status.into(), amount.into())
}

#[test]
fn a_clause_reads_the_same_applicants_award_of_the_same_year() {
    let pack = pack();
    let decided = run(&pack, &lines());
    assert_eq!(amount(&decided, "P-1"), pair("awarded", "2000000.00"));
    // 200,000 + 10% of 甲's 2,000,000 platform award in 2025.
    assert_eq!(amount(&decided, "H-1"), pair("awarded", "400000.00"));
    let why = &decided.iter().find(|d| d.0 == "H-1").expect("H-1").3;
    assert!(
        why.contains("另按同年 1 项研发平台奖励 2,000,000 元"),
        "{why}"
    );
    // 2026: 甲 has no platform award that year.
    assert_eq!(amount(&decided, "H-2"), pair("awarded", "100000.00"));
    // 乙's city platform is ineligible: nothing to build on.
    assert_eq!(amount(&decided, "P-2").0, "ineligible");
    assert_eq!(amount(&decided, "H-3"), pair("awarded", "200000.00"));
}

#[test]
fn a_repeated_base_counts_once_and_the_applicant_is_its_credit_code() {
    let pack = pack();
    let mut lines = lines();
    // The same platform application sent twice: the repeat is an error and adds nothing.
    lines.push(lines[0].clone());
    // The same credit code under another name is the same applicant.
    lines.push(
        r#"{"id":"P-3","year":2025,"kind":"rd_platform","applicant":{"name":"甲公司（更名）","in_city":true,"credit_code":"91341300MA2NAAAA05"},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#
            .to_string(),
    );
    let decided = run(&pack, &lines);
    assert_eq!(amount(&decided, "P-1").0, "awarded");
    assert_eq!(
        decided
            .iter()
            .filter(|d| d.0 == "P-1")
            .nth(1)
            .map(|d| d.1.as_str()),
        Some("error")
    );
    // 200,000 + 10% of (2,000,000 + 400,000).
    assert_eq!(amount(&decided, "H-1"), pair("awarded", "440000.00"));
}

#[test]
fn http_reads_the_requests_other_decisions_as_run_does() {
    let pack = pack();
    let lines = lines();
    let decided = run(&pack, &lines);
    let addr = policy_tests::serve_on(pack.path(), None, 1 << 20);
    let body = format!("[{}]", lines.join(","));
    let (status, _, served) = policy_tests::http(addr, "POST", "/v1/decide", body.as_bytes());
    assert_eq!(status, 200, "{served}");
    let served: serde_json::Value = serde_json::from_str(&served).expect("JSON");
    assert_eq!(decisions(&served), decided);
}

#[test]
fn compare_decides_a_dependent_clause_again_when_its_base_changes() {
    let pack = pack();
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, lines().join("\n") + "\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let (code, out, err) = policy_on(
        &pack,
        &[
            "compare",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--set",
            "rd-platform.national=400万",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let c = &report["comparisons"][0];
    let changed: Vec<&str> = c["changed_clauses"]
        .as_array()
        .expect("changed")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(changed, ["rd-platform", "high-tech-enterprise"]);
    let line = c["by_clause"]
        .as_array()
        .expect("by clause")
        .iter()
        .find(|l| l["key"] == "high-tech-enterprise")
        .expect("high-tech line");
    // H-1 goes from 400,000 to 600,000 (10% of 4,000,000); H-2 and H-3 stay.
    assert_eq!(line["baseline_amount"], "700000.00");
    assert_eq!(line["scenario_amount"], "900000.00");
}

/// `policy check` on the pack after `edit`; its exit code and what it printed
fn check_after(edit: impl FnOnce(&std::path::Path)) -> (u8, String) {
    let pack = pack();
    edit(pack.path());
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    (code, format!("{out}{err}"))
}

fn replace(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} in {}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

#[test]
fn check_refuses_an_unknown_an_unread_or_an_undeclared_dependency() {
    let (code, out) = check_after(|p| {
        replace(
            &p.join("clauses/high-tech-enterprise.yaml"),
            "depends_on: [rd-platform]",
            "depends_on: [rd-platfrom]",
        )
    });
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("high-tech-enterprise.yaml:19:") && out.contains("`depends_on` names `rd-platfrom`, which is no clause of the pack; did you mean `rd-platform`?"),
        "{out}"
    );
    assert!(
        out.contains("high-tech-enterprise.rhai:2:")
            && out.contains("does not name it in `depends_on`"),
        "{out}"
    );
    // The same, for a drafter reading Chinese.
    let pack = pack();
    replace(
        &pack.path().join("clauses/high-tech-enterprise.yaml"),
        "depends_on: [rd-platform]",
        "depends_on: [rd-platfrom]",
    );
    let (_, _, zh) = policy_on(&pack, &["--lang", "zh", "check", "<pack>"]);
    assert!(
        zh.contains("`depends_on` 写的 `rd-platfrom` 不是本政策包的条款"),
        "{zh}"
    );
    assert!(zh.contains("的 `depends_on` 没有写它"), "{zh}");
    let (code, out) = check_after(|p| {
        replace(
            &p.join("clauses/high-tech-enterprise.yaml"),
            "depends_on: [rd-platform]",
            "depends_on: [rd-platform, incubator]",
        )
    });
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("`depends_on` names `incubator`, but the script never reads it"),
        "{out}"
    );
    let (code, out) = check_after(|p| {
        replace(
            &p.join("clauses/high-tech-enterprise.rhai"),
            r#"others.amount("rd-platform")"#,
            r#"others.amount("rd-platform") + others.amount("incubator")"#,
        )
    });
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("the script reads the decisions of `incubator`, but clause `high-tech-enterprise` does not name it in `depends_on`"),
        "{out}"
    );
}

#[test]
fn check_refuses_a_circle_and_a_pack_that_cannot_tell_who_the_applicant_is() {
    let (code, out) = check_after(|p| {
        let yaml = p.join("clauses/rd-platform.yaml");
        let mut text = std::fs::read_to_string(&yaml).expect("read");
        text.push_str("depends_on: [high-tech-enterprise]\n");
        std::fs::write(&yaml, text).expect("write");
        replace(
            &p.join("clauses/rd-platform.rhai"),
            "if ",
            "let hte = others.amount(\"high-tech-enterprise\");\nif ",
        );
    });
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(
            "`depends_on` goes round in a circle: rd-platform → high-tech-enterprise → rd-platform"
        ),
        "{out}"
    );
    let (code, out) = check_after(|p| {
        replace(
            &p.join("pack.yaml"),
            "\napplicant: [applicant.credit_code, applicant.name]\n",
            "\n",
        )
    });
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("pack.yaml names no `applicant:` fields to tell who the same applicant is"),
        "{out}"
    );
}

#[test]
fn a_settled_run_reads_other_decisions_before_its_rules_apply() {
    // A yearly cap of 50万 on high-tech awards: 甲's 400,000 is under it; with the platform
    // bonus doubled by a 20% rate, 600,000 is cut to the cap, streamed and in memory alike.
    let pack = pack();
    let source = pack.path().join("source/draft.zh.txt");
    let mut text = std::fs::read_to_string(&source).expect("source");
    text.push_str("\n同一企业同一年度获得高新技术企业奖励累计不超过50万元。\n");
    std::fs::write(&source, text).expect("write source");
    let meta = pack.path().join("pack.yaml");
    let mut yaml = std::fs::read_to_string(&meta).expect("pack.yaml");
    yaml.push_str("settlement:\n  - id: hte-cap\n    title: 高企奖励年度上限\n    article: 附则\n    text: 同一企业同一年度获得高新技术企业奖励累计不超过50万元\n    cap: max\n    clauses: [high-tech-enterprise]\n    cut: largest-first\n    parameters:\n      max:\n        value: 50万\n        unit: yuan\n        description: 每家企业每年高企奖励合计上限\n");
    std::fs::write(&meta, yaml).expect("write pack.yaml");
    let decided = run(&pack, &lines());
    assert_eq!(amount(&decided, "H-1"), pair("awarded", "400000.00"));
    replace(
        &pack.path().join("clauses/high-tech-enterprise.yaml"),
        "value: 10%",
        "value: 20%",
    );
    let decided = run(&pack, &lines());
    assert_eq!(amount(&decided, "H-1"), pair("awarded", "500000.00"));
}
