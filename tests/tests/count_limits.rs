//! Count limits ranked by more than one key: a copy of the Suzhou pack whose `scenario-case`
//! limit ranks by score (highest first), then R&D intensity (highest first), then the date of
//! application (earliest first), two a year.

use policy_engine::{parse_applications, Decision, Engine, InputFormat, Status};
use policy_tests::{pack_copy, policy_on};

/// Three keys, as the drafter's guide writes them
const THREE_KEYS: &str = "  rank_by:
    - score
    - {field: rd_intensity, order: desc}
    - {field: applied_on, order: asc}
";

/// The Suzhou pack with two more number fields on `scenario_case`, a limit of two a year, and
/// `rank_by` as given (the YAML lines that replace `  rank_by: score`)
fn pack_ranked_by(rank_by: &str) -> tempfile::TempDir {
    let dir = pack_copy();
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    edit(
        "pack.yaml",
        "        description: 评审得分（入选案例须有；用于每年限额内排序，高分优先）\n",
        "        description: 评审得分（入选案例须有；用于每年限额内排序，高分优先）
      rd_intensity:
        type: decimal
        min: 0
        required: false
        description: 研发投入强度（%），同分时高者优先
      applied_on:
        type: integer
        required: false
        description: 申报日期（YYYYMMDD），以上均相同时早者优先
",
    );
    edit(
        "clauses/scenario-case.yaml",
        "  yearly_limit:\n    value: 10\n",
        "  yearly_limit:\n    value: 2\n",
    );
    edit("clauses/scenario-case.yaml", "  rank_by: score\n", rank_by);
    dir
}

/// A selected 2025 case; `rd` and `on` left out where `None`
fn case(id: &str, score: &str, rd: Option<&str>, on: Option<u32>) -> String {
    let mut line = format!(
        r#"{{"id": "{id}", "year": 2025, "kind": "scenario_case", "applicant": {{"name": "宿州场景{id}", "in_city": true}}, "selected": true, "score": {score}"#
    );
    if let Some(rd) = rd {
        line.push_str(&format!(r#", "rd_intensity": {rd}"#));
    }
    if let Some(on) = on {
        line.push_str(&format!(r#", "applied_on": {on}"#));
    }
    line.push('}');
    line
}

/// Seven cases, one group (2025). Ranked by the three keys: SC-01 (the top score), SC-03 (a
/// tie at 90 won on R&D intensity 5.5), SC-04 and SC-02 (90 and 2.5 both, SC-04 applied
/// earlier), SC-06 (90 and 2.5, no date: last of those), SC-05 (90, no R&D intensity, though
/// it applied first), SC-07 (the lowest score).
fn cases() -> String {
    [
        case("2025-SC-01", "95.5", Some("1.5"), Some(20250301)),
        case("2025-SC-02", "90", Some("2.5"), Some(20250301)),
        case("2025-SC-03", "90", Some("5.5"), Some(20250305)),
        case("2025-SC-04", "90", Some("2.5"), Some(20250201)),
        case("2025-SC-05", "90", None, Some(20250101)),
        case("2025-SC-06", "90", Some("2.5"), None),
        case("2025-SC-07", "70", Some("9.5"), Some(20240101)),
    ]
    .join("\n")
        + "\n"
}

fn decide(dir: &tempfile::TempDir) -> Vec<Decision> {
    let engine = Engine::load(dir.path()).expect("the pack loads");
    engine.decide(&parse_applications(&cases(), InputFormat::Jsonl).expect("parse"))
}

/// (id, place, status) in input order
fn places(decisions: &[Decision]) -> Vec<(String, usize, Status)> {
    decisions
        .iter()
        .map(|d| {
            let place = d.rank.as_ref().map(|r| r.place).unwrap_or(0);
            (d.id.clone().unwrap_or_default(), place, d.status)
        })
        .collect()
}

#[test]
fn ties_go_to_the_next_key_in_its_order_and_missing_values_rank_last() {
    let dir = pack_ranked_by(THREE_KEYS);
    let d = decide(&dir);
    let got = places(&d);
    let want = [
        ("2025-SC-01", 1, Status::Awarded),
        ("2025-SC-02", 4, Status::Capped),
        ("2025-SC-03", 2, Status::Awarded),
        ("2025-SC-04", 3, Status::Capped),
        ("2025-SC-05", 6, Status::Capped),
        ("2025-SC-06", 5, Status::Capped),
        ("2025-SC-07", 7, Status::Capped),
    ]
    .map(|(id, place, status)| (id.to_string(), place, status));
    assert_eq!(got, want);
    assert!(d.iter().all(|d| d.rank.as_ref().is_some_and(|r| r.of == 7)));
    // The reason lists every key with this application's value and its order.
    assert_eq!(
        d[1].reasons.last().map(String::as_str),
        Some(
            "四(一)1：评审年度 2025 的申报依次按评审得分（本项 90）从高到低、研发投入强度（本项 2.5）从高到低、\
             申报日期（本项 20250301）从低到高排名、均相同按编号，本项第 4 名，共 7 项，\
             超过限额 2 项（每年评选不超过的项数），不予奖励"
        )
    );
    // A missing value is shown empty, and still ranks last.
    assert!(
        d[4].reasons
            .last()
            .is_some_and(|r| r.contains("研发投入强度（本项 ）从高到低")),
        "{:?}",
        d[4].reasons
    );
}

#[test]
fn the_second_key_changes_who_is_awarded_compared_with_ties_by_id() {
    // The same pack and cases, ranked by score alone: the tie at 90 goes by id.
    let by_score = places(&decide(&pack_ranked_by("  rank_by: score\n")));
    let by_keys = places(&decide(&pack_ranked_by(THREE_KEYS)));
    let status = |p: &[(String, usize, Status)], id: &str| {
        p.iter().find(|(i, _, _)| i == id).map(|(_, _, s)| *s)
    };
    assert_eq!(status(&by_score, "2025-SC-02"), Some(Status::Awarded));
    assert_eq!(status(&by_score, "2025-SC-03"), Some(Status::Capped));
    assert_eq!(status(&by_keys, "2025-SC-02"), Some(Status::Capped));
    assert_eq!(status(&by_keys, "2025-SC-03"), Some(Status::Awarded));
}

#[test]
fn a_single_key_lowest_first_ranks_ascending() {
    let dir = pack_ranked_by("  rank_by:\n    - {field: applied_on, order: asc}\n");
    let d = decide(&dir);
    // Earliest first: SC-07 (2024), SC-05, SC-04, then SC-01 and SC-02 on the same day by id,
    // SC-03, and SC-06 without a date last.
    let order: Vec<(String, usize, Status)> = places(&d);
    let place = |id: &str| order.iter().find(|(i, _, _)| i == id).map(|(_, p, _)| *p);
    let got: Vec<Option<usize>> = [
        "2025-SC-07",
        "2025-SC-05",
        "2025-SC-04",
        "2025-SC-01",
        "2025-SC-02",
        "2025-SC-03",
        "2025-SC-06",
    ]
    .iter()
    .map(|id| place(id))
    .collect();
    assert_eq!(got, (1..=7).map(Some).collect::<Vec<_>>());
    assert!(
        d[6].reasons.last().is_some_and(|r| r.contains(
            "评审年度 2025 的申报按申报日期（本项 20240101）从低到高排名、同分按编号，本项第 1 名"
        )),
        "{:?}",
        d[6].reasons
    );
}

#[test]
fn a_misspelt_key_is_refused_at_check_with_its_line_and_the_nearest_name() {
    let dir = pack_ranked_by(
        "  rank_by:
    - score
    - {field: rd_intensty, order: desc}
",
    );
    let yaml =
        std::fs::read_to_string(dir.path().join("clauses/scenario-case.yaml")).expect("read");
    let (line, col) = yaml
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("rd_intensty").map(|c| (i + 1, c + 1)))
        .expect("the misspelt key");
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "<pack>/clauses/scenario-case.yaml:{line}:{col}: count_limit `rank_by[1]` names \
             `rd_intensty`, which is not a field of kind `scenario_case`; did you mean `rd_intensity`?"
        )),
        "{err}"
    );

    // A text field cannot rank, and an order is desc or asc.
    let dir = pack_ranked_by("  rank_by:\n    - score\n    - area\n");
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("count_limit `rank_by[1]` names `area`, which must be a number field"),
        "{err}"
    );
    let dir = pack_ranked_by("  rank_by:\n    - {field: score, order: up}\n");
    let (code, _, err) = policy_on(&dir, &["check", "<pack>"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown variant `up`"), "{err}");
}

#[test]
fn the_streamed_run_agrees_with_the_in_memory_one() {
    let dir = pack_ranked_by(THREE_KEYS);
    let input = dir.path().join("cases.jsonl");
    std::fs::write(&input, cases()).expect("write");
    let input = input.to_string_lossy().into_owned();
    let run = |format: &str| {
        let (code, out, err) = policy_on(
            &dir,
            &[
                "run", "--pack", "<pack>", "--input", &input, "--format", format, "--lang", "zh",
            ],
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    // JSON is written as decided, after a first pass that ranks; YAML from the whole batch.
    let streamed: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    let in_memory: serde_json::Value = serde_yaml::from_str(&run("yaml")).expect("yaml");
    assert_eq!(streamed["decisions"], in_memory["decisions"]);
    let engine: serde_json::Value = serde_json::to_value(decide(&dir)).expect("decisions");
    assert_eq!(streamed["decisions"], engine);
    let statuses: Vec<&str> = streamed["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| d["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["awarded", "capped", "awarded", "capped", "capped", "capped", "capped"]
    );
}

#[test]
fn the_explanation_and_the_diff_show_every_key_and_its_order() {
    let dir = pack_ranked_by(THREE_KEYS);
    let input = dir.path().join("cases.jsonl");
    std::fs::write(&input, cases()).expect("write");
    let input = input.to_string_lossy().into_owned();
    let (code, out, err) = policy_on(
        &dir,
        &[
            "--lang",
            "zh",
            "explain",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--id",
            "2025-SC-05",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "数量限额：year=2025 组内依次按 score（本项 90）从高到低、rd_intensity（本项 （未填写））从高到低、\
             applied_on（本项 20250101）从低到高排名（均相同按编号升序），第 6 名，共 7 项"
        ),
        "{out}"
    );
    let (_, out, err) = policy_on(
        &dir,
        &[
            "explain",
            "--pack",
            "<pack>",
            "--input",
            &input,
            "--id",
            "2025-SC-05",
            "--format",
            "yaml",
        ],
    );
    let doc: serde_json::Value = serde_yaml::from_str(&out).expect(&err);
    assert_eq!(
        doc["limit"]["rank_by"],
        "score desc, rd_intensity desc, applied_on asc"
    );
    assert_eq!(
        doc["limit"]["keys"],
        serde_json::json!([
            {"field": "score", "order": "desc", "value": "90"},
            {"field": "rd_intensity", "order": "desc", "value": null},
            {"field": "applied_on", "order": "asc", "value": "20250101"},
        ])
    );

    let plain = pack_ranked_by("  rank_by: score\n");
    let old = plain.path().to_string_lossy().into_owned();
    let (_, out, err) = policy_on(&dir, &["diff", &old, "<pack>"]);
    assert!(
        out.contains(
            "max yearly_limit per year by score  max yearly_limit per year by score desc, \
             rd_intensity desc, applied_on asc"
        ),
        "{out}{err}"
    );
}

/// A date field as a key, earliest first: the same order as the dates written as numbers, and
/// the reason shows the date as written
#[test]
fn a_date_key_ranks_earliest_first_and_reads_as_a_date() {
    let dir = pack_ranked_by("  rank_by:\n    - {field: applied_on, order: asc}\n");
    let pack = dir.path().join("pack.yaml");
    let text = std::fs::read_to_string(&pack).expect("read");
    let text = text.replacen(
        "      applied_on:\n        type: integer\n",
        "      applied_on:\n        type: date\n",
        1,
    );
    std::fs::write(&pack, text).expect("write");
    let engine = Engine::load(dir.path()).expect("loads");
    let iso = |on: u32| format!("{}-{:02}-{:02}", on / 10_000, on / 100 % 100, on % 100);
    let lines: Vec<String> = [
        ("A", Some(20250301)),
        ("B", None),
        ("C", Some(20250105)),
        ("D", Some(20241231)),
    ]
    .iter()
    .map(|(id, on)| {
        let date = on.map(|on| format!(r#", "applied_on": "{}""#, iso(on))).unwrap_or_default();
        format!(
            r#"{{"id": "{id}", "year": 2025, "kind": "scenario_case", "applicant": {{"name": "宿州{id}", "in_city": true}}, "selected": true, "score": 90{date}}}"#
        )
    })
    .collect();
    let apps =
        parse_applications(&format!("[{}]", lines.join(",")), InputFormat::Json).expect("parse");
    let decided = engine.decide(&apps);
    let status = |id: &str| {
        decided
            .iter()
            .find(|d| d.id.as_deref() == Some(id))
            .map(|d| d.status)
    };
    // D (2024-12-31) and C (2025-01-05) come first; A is third and B, without a date, last.
    assert_eq!(status("D"), Some(Status::Awarded));
    assert_eq!(status("C"), Some(Status::Awarded));
    assert_eq!(status("A"), Some(Status::Capped));
    assert_eq!(status("B"), Some(Status::Capped));
    let a = decided
        .iter()
        .find(|d| d.id.as_deref() == Some("A"))
        .expect("A");
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("申报日期（本项 2025-03-01）从低到高") && r.contains("第 3 名")),
        "{:?}",
        a.reasons
    );
}
