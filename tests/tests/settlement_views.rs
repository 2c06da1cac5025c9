//! Settlement rules in the other views of a pack, as clauses are shown there: `doc` lists each
//! rule with its parameters, `diff` has rows for rules added, removed and changed, `explain`
//! shows the clause's own amount before the rules, and the HTTP service describes them.

use policy_tests::{pack_copy, policy, policy_on};

/// Sentences the rules below quote, added to the copy's source document
const SENTENCES: &str = "\n同一企业同一年度获得本方案奖补资金累计不超过50万元。同一企业同一事项符合多项政策的，按照就高不重复原则给予支持。\n";

/// 就高不重复 between a tech transfer and an R&D platform
const HIGHEST: &str = "  - id: highest\n    title: 就高不重复\n    article: 附则\n    text: 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n    exclusive: [tech-transfer, rd-platform]\n";

/// A yearly cap over every clause, its `max` written as `value` (e.g. `value: 50万`)
fn yearly_cap(value: &str) -> String {
    format!(
        "  - id: yearly-cap\n    title: 年度奖补上限\n    article: 附则\n    text: 同一企业同一年度获得本方案奖补资金累计不超过50万元\n    notes: 同一企业按统一社会信用代码认定\n    cap: max\n    clauses: all\n    cut: largest-first\n    parameters:\n      max:\n        {value}\n        unit: yuan\n        description: 每家企业每年奖补合计上限\n"
    )
}

/// The Suzhou pack with `applicant:` and these settlement rules in pack.yaml
fn pack_with(rules: &str) -> tempfile::TempDir {
    policy_tests::pack_with_rules(SENTENCES, rules)
}

fn both_rules(cap: &str) -> tempfile::TempDir {
    pack_with(&format!("{HIGHEST}{}", yearly_cap(cap)))
}

fn path(dir: &tempfile::TempDir) -> String {
    dir.path().to_string_lossy().into_owned()
}

#[test]
fn doc_shows_each_rule_after_the_clauses_with_its_parameters() {
    let pack = both_rules("value: 50万");
    let (code, md, err) = policy_on(&pack, &["doc", "<pack>"]);
    assert_eq!(code, 0, "{err}");
    let section = md
        .find("## 结算规则 settlement")
        .expect("a section for the rules");
    let last_clause = md.rfind("```rhai").expect("the clauses' scripts");
    assert!(section > last_clause, "the rules come after the clauses");
    let rules = &md[section..];
    for expected in [
        "同一申报单位 applicant：依次按 `applicant.credit_code`、`applicant.name` 认定",
        "### 附则 就高不重复（`highest`）\n\n> 同一企业同一事项符合多项政策的，按照就高不重复原则给予支持\n",
        "规则 rule（exclusive）：就高不重复：同一申报单位（依次按 applicant.credit_code、applicant.name 认定）每组（year）在 tech-transfer、rd-platform 中只支持金额最高的一项",
        "### 附则 年度奖补上限（`yearly-cap`）\n\n> 同一企业同一年度获得本方案奖补资金累计不超过50万元\n",
        "规则 rule（cap）：合计上限：",
        "| `yearly-cap.max` | 500,000 元（50 万元） | yuan | 每家企业每年奖补合计上限 |",
        "解读 readings：同一企业按统一社会信用代码认定",
    ] {
        assert!(rules.contains(expected), "{expected}\n---\n{rules}");
    }
    let (code, html, _) = policy_on(&pack, &["doc", "<pack>", "--format", "html"]);
    assert_eq!(code, 0);
    for expected in [
        "<section class=\"clause rule\" id=\"yearly-cap\"><h2>附则 年度奖补上限 <small>yearly-cap</small></h2>",
        "<blockquote>同一企业同一年度获得本方案奖补资金累计不超过50万元</blockquote>",
        "<tr><td><code>yearly-cap.max</code></td><td>500,000 元（50 万元）</td><td>yuan</td>",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
}

#[test]
fn doc_shows_a_rule_parameters_timeline() {
    let pack = both_rules("values:\n          2025: 50万\n          2027: 60万");
    let (code, md, err) = policy_on(&pack, &["doc", "<pack>"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.contains("| `yearly-cap.max` | 2025 年起 500,000 元（50 万元）；2027 年起 600,000 元（60 万元） | yuan |"),
        "{md}"
    );
}

#[test]
fn doc_of_a_pack_without_rules_has_no_rule_section() {
    let (code, md, _) = policy(&["doc", "policies/suzhou-future-industries"]);
    assert_eq!(code, 0);
    assert!(!md.contains("结算规则"));
}

/// `policy diff old new --format json`: each row as (clause, article, item, old, new)
fn diff_rows(old: &str, new: &str) -> Vec<[String; 5]> {
    let (code, out, err) = policy(&["diff", old, new, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|r| {
            [
                s(&r["clause"]),
                s(&r["article"]),
                s(&r["item"]),
                s(&r["old"]),
                s(&r["new"]),
            ]
        })
        .collect()
}

fn cells(row: [&str; 5]) -> [String; 5] {
    row.map(str::to_string)
}

#[test]
fn diff_shows_a_rule_parameter_changed_as_a_clause_parameter() {
    let old = both_rules("value: 50万");
    let new = both_rules("value: 60万");
    assert_eq!(
        diff_rows(&path(&old), &path(&new)),
        vec![cells([
            "yearly-cap",
            "附则",
            "parameter max",
            "500000（yuan）",
            "600000（yuan）"
        ])]
    );
    let (code, table, _) = policy(&["diff", &path(&old), &path(&new)]);
    assert_eq!(code, 0);
    assert!(
        table.lines().any(|l| l.starts_with("yearly-cap")
            && l.contains("parameter max")
            && l.contains("500000（yuan）")
            && l.contains("600000（yuan）")),
        "{table}"
    );
}

#[test]
fn diff_shows_rules_added_removed_and_what_a_rule_does() {
    let plain = pack_copy();
    let one = pack_with(&yearly_cap("value: 50万"));
    let two = both_rules("value: 50万");
    let added = cells([
        "highest",
        "附则",
        "rule",
        "",
        "附则 就高不重复：同一企业同一事项符合多项政策的，按照就高不重复原则给予支持",
    ]);
    assert_eq!(diff_rows(&path(&one), &path(&two)), vec![added.clone()]);
    let [c, a, i, new, old] = added;
    assert_eq!(
        diff_rows(&path(&two), &path(&one)),
        vec![[c, a, i, old, new]],
        "removed: the old text, nothing new"
    );
    // Rules and who the applicant is, from a pack that had none.
    let rows = diff_rows(&path(&plain), &path(&one));
    assert_eq!(
        rows[0],
        cells([
            "",
            "",
            "applicant",
            "",
            "applicant.credit_code, applicant.name"
        ])
    );
    assert_eq!(
        rows[1][..3],
        cells(["yearly-cap", "附则", "rule", "", ""])[..3]
    );
    // Who the applicant is, for the pack: one row, none for each rule that follows the pack.
    let by_name = both_rules("value: 50万");
    let meta = by_name.path().join("pack.yaml");
    let yaml = std::fs::read_to_string(&meta).expect("pack.yaml").replace(
        "applicant: [applicant.credit_code, applicant.name]",
        "applicant: [applicant.name]",
    );
    std::fs::write(&meta, yaml).expect("write pack.yaml");
    assert_eq!(
        diff_rows(&path(&two), &path(&by_name)),
        vec![cells([
            "",
            "",
            "applicant",
            "applicant.credit_code, applicant.name",
            "applicant.name"
        ])]
    );
    // What a rule does, and the groups it looks at.
    let changed = pack_with(&format!(
        "{}{}",
        HIGHEST.replace(
            "exclusive: [tech-transfer, rd-platform]",
            "exclusive: [rd-platform, tech-transfer]\n    per: []"
        ),
        yearly_cap("value: 50万")
    ));
    assert_eq!(
        diff_rows(&path(&two), &path(&changed)),
        vec![
            cells([
                "highest",
                "附则",
                "what",
                "exclusive: [tech-transfer, rd-platform]",
                "exclusive: [rd-platform, tech-transfer]"
            ]),
            cells(["highest", "附则", "per", "year", ""]),
        ]
    );
}

const APPLICANT: &str = r#""applicant":{"name":"甲公司","in_city":true}"#;

/// 甲's R&D platform (400,000.00) and tech transfer (400,000.00) of 2025: a tie that the tech
/// transfer, listed first, wins; the cap of 50万 then leaves it untouched
fn tie() -> String {
    format!(
        "{{\"id\":\"T-1\",\"year\":2025,\"kind\":\"rd_platform\",{APPLICANT},\"level\":\"provincial\",\"platform_type\":\"key_lab\",\"newly_recognized\":true}}\n{{\"id\":\"T-2\",\"year\":2025,\"kind\":\"tech_transfer\",{APPLICANT},\"seller_in_city\":false,\"contract_amount\":4000000,\"paid_amount\":4000000}}\n"
    )
}

fn explain(pack: &tempfile::TempDir, id: &str, format: &str) -> String {
    let input = pack.path().join("apps.jsonl");
    std::fs::write(&input, tie()).expect("write");
    let input = input.to_string_lossy().into_owned();
    let (code, out, err) = policy_on(
        pack,
        &[
            "--lang", "zh", "explain", "--pack", "<pack>", "--input", &input, "--id", id,
            "--format", format,
        ],
    );
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn explain_of_a_superseded_award_shows_the_clause_amount_then_the_rule_and_the_kept_one() {
    let pack = both_rules("value: 50万");
    let text = explain(&pack, "T-1", "table");
    assert!(text.contains("决定：不重复享受，0.00 元"), "{text}");
    let settled = text
        .find("结算：本条款核定 400,000.00 元（给予奖励）；适用结算规则后 0.00 元（不重复享受），依次适用 highest")
        .unwrap_or_else(|| panic!("the clause's own amount before the rule: {text}"));
    let reasons = text.find("理由：").expect("reasons");
    assert!(settled < reasons, "{text}");
    let clause = text
        .find("  - 四(二)3 新认定国家级、省级研发平台奖励：新认定省级研发平台，奖励 400,000 元")
        .expect("the clause's reason");
    let rule = text
        .find("  - 附则 就高不重复：")
        .expect("the rule's reason");
    assert!(clause < rule, "the clause's reason first, then the rule's");
    assert!(
        text[rule..].contains(
            "保留金额最高的 T-2（购买市外先进技术成果在宿转化补助，400,000.00 元），本项 400,000.00 元不再支持"
        ),
        "{text}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&explain(&pack, "T-1", "json")).expect("JSON");
    let s = &json["settlement"];
    assert_eq!(s["before_status"], "awarded");
    assert_eq!(s["before_amount"], "400000.00");
    assert_eq!(s["rules"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["rules"][0]["id"], "highest");
    assert!(s["rules"][0]["reason"]
        .as_str()
        .unwrap_or_default()
        .contains("T-2"));

    // The kept award: the rules looked at it but did not change it, so no line for them.
    let kept = explain(&pack, "T-2", "table");
    assert!(kept.contains("决定：给予奖励，400,000.00 元"), "{kept}");
    assert!(!kept.contains("结算："), "{kept}");
    assert!(kept.contains("本项金额最高，予以保留"), "{kept}");
}

#[test]
fn explain_without_rules_says_nothing_of_settlement() {
    let pack = pack_copy();
    let json = explain(&pack, "T-1", "json");
    assert!(!json.contains("settlement"), "{json}");
    assert!(!explain(&pack, "T-1", "table").contains("结算"));
}

fn serve(pack: &tempfile::TempDir) -> std::net::SocketAddr {
    policy_tests::serve_on(pack.path(), None, 1 << 20)
}

fn get_json(addr: std::net::SocketAddr, path: &str) -> serde_json::Value {
    let (status, _, body) = policy_tests::http(addr, "GET", path, b"");
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).expect("JSON")
}

#[test]
fn the_http_service_describes_settlement_and_lists_the_rules() {
    let pack = both_rules("value: 50万");
    let addr = serve(&pack);
    let api = get_json(addr, "/openapi.json");
    let decide = &api["paths"]["/v1/decide"]["post"];
    assert!(
        decide["description"].as_str().unwrap_or_default().contains(
            "settlement rules look at all of one applicant's applications in the request"
        ),
        "{decide}"
    );
    let status = &decide["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        ["decisions"]["items"]["properties"]["status"]["enum"];
    // The statuses of the JSON Schema of decisions.
    let schema = policy_engine::decisions_schema();
    assert_eq!(
        *status,
        schema["properties"]["decisions"]["items"]["properties"]["status"]["enum"]
    );
    assert!(status
        .as_array()
        .is_some_and(|s| s.iter().any(|x| x == "superseded")));

    let clauses = get_json(addr, "/v1/clauses");
    assert_eq!(
        clauses["applicant"],
        serde_json::json!(["applicant.credit_code", "applicant.name"])
    );
    let rules = &clauses["settlement"];
    assert_eq!(rules[0]["id"], "highest");
    assert_eq!(rules[0]["rule"], "exclusive");
    assert_eq!(rules[1]["id"], "yearly-cap");
    assert_eq!(rules[1]["article"], "附则");
    assert_eq!(
        rules[1]["text"],
        "同一企业同一年度获得本方案奖补资金累计不超过50万元"
    );
    assert_eq!(
        rules[1]["parameters"],
        serde_json::json!([{"name": "max", "value": "500000", "unit": "yuan", "description": "每家企业每年奖补合计上限"}])
    );
    assert!(rules[1]["what"]
        .as_str()
        .unwrap_or_default()
        .starts_with("合计上限："));
}

#[test]
fn the_clause_list_of_a_pack_without_rules_is_as_before() {
    let pack = pack_copy();
    let addr = serve(&pack);
    let clauses = get_json(addr, "/v1/clauses");
    let keys: Vec<&String> = clauses.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["pack", "clauses"]);
}
