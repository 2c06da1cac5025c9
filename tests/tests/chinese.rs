//! What a drafter reads, in Chinese: `run`, `check` and `test` with `--lang zh` (the default for
//! a pack whose `language:` is zh), against the same in English.

use policy_tests::{pack_copy, policy, policy_on};

#[test]
fn run_speaks_chinese_statuses_headers_and_summary() {
    let (code, out, err) = policy(&[
        "--lang",
        "zh",
        "run",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        "policies/suzhou-future-industries/examples/applications.yaml",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    for word in ["编号", "状态", "给予奖励", "不予支持", "按条款合计", "共 "] {
        assert!(out.contains(word), "`{word}` in:\n{out}");
    }
    for word in ["awarded", "ineligible", "applications,", "totals by clause"] {
        assert!(!out.contains(word), "no `{word}` in:\n{out}");
    }
    insta::assert_snapshot!("run_table_zh", out);
    if code == 1 {
        assert!(err.contains("项有错误；其余申报均已决定"), "{err}");
    }
}

#[test]
fn check_speaks_chinese_and_english() {
    let (code, out, err) = policy(&["--lang", "zh", "check", "policies/xianju-tech-innovation"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("检查通过：xianju-tech-innovation"), "{out}");
    assert!(out.contains("7 个条款，7 类申报"), "{out}");
    let (_, en, _) = policy(&["--lang", "en", "check", "policies/xianju-tech-innovation"]);
    assert!(en.contains("7 clauses, 7 kinds of application"), "{en}");
    // A broken pack: the severity and the count in Chinese, at the same place.
    let pack = pack_copy();
    let yaml = pack.path().join("clauses/rd-platform.yaml");
    let text = std::fs::read_to_string(&yaml).expect("read");
    std::fs::write(
        &yaml,
        text.replace("kind: rd_platform", "kind: rd_platfrom"),
    )
    .expect("write");
    let (code, _, zh) = policy_on(&pack, &["--lang", "zh", "check", "<pack>"]);
    assert_eq!(code, 2, "{zh}");
    assert!(
        zh.starts_with("错误: <pack>/clauses/rd-platform.yaml:5:7:"),
        "{zh}"
    );
    assert!(zh.trim_end().ends_with("1 个错误"), "{zh}");
    let (_, _, en) = policy_on(&pack, &["--lang", "en", "check", "<pack>"]);
    assert!(
        en.starts_with("error: <pack>/clauses/rd-platform.yaml:5:7:"),
        "{en}"
    );
    assert!(en.trim_end().ends_with("1 error"), "{en}");
}

#[test]
fn test_speaks_chinese() {
    let (code, out, err) = policy(&["--lang", "zh", "test", "policies/xianju-tech-innovation"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("通过 "), "{out}");
    assert!(
        out.contains("覆盖率：35 个条款结果中测试到 35 个（100.0%）"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("40 项通过，0 项失败"), "{out}");
    assert!(!out.contains("PASS"), "{out}");
}

#[test]
fn a_wrong_expectation_reads_expected_against_actual_in_chinese() {
    let pack = pack_copy();
    let tests = pack.path().join("tests");
    let file = std::fs::read_dir(&tests)
        .expect("tests")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("amount: 200000")))
        .expect("a test expecting 200000");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("amount: 200000", "amount: 200001", 1)).expect("write");
    let (code, out, _) = policy_on(&pack, &["--lang", "zh", "test", "<pack>"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("失败 "), "{out}");
    assert!(out.contains(": 应为 ") && out.contains("  实际 "), "{out}");
    assert!(
        out.contains("应为 状态 给予奖励，金额 2000010.00，条款 rd-platform"),
        "{out}"
    );
    assert!(
        out.contains("实际 状态 给予奖励，金额 2000000.00，条款 rd-platform"),
        "{out}"
    );
    assert!(out.contains("项通过，1 项失败"), "{out}");
}

#[test]
fn explain_speaks_chinese() {
    let (code, out, err) = policy(&[
        "--lang",
        "zh",
        "explain",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        "policies/suzhou-future-industries/examples/applications.yaml",
        "--id",
        "2025-SC-11",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("explain_zh", out);
    assert!(
        out.contains("决定：超出限额，0.00 元（0.00 万元）"),
        "{out}"
    );
    assert!(!out.contains("decision"), "{out}");
}

#[test]
fn the_table_fits_a_terminal_unless_wide() {
    let run = |wide: bool| {
        let mut args = vec![
            "--lang",
            "zh",
            "run",
            "--pack",
            "policies/suzhou-future-industries",
            "--input",
            "policies/suzhou-future-industries/examples/applications.yaml",
        ];
        if wide {
            args.push("--wide");
        }
        let (code, out, err) = policy(&args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let columns = |line: &str| unicode_width::UnicodeWidthStr::width(line);
    let narrow = run(false);
    assert!(narrow.lines().all(|l| columns(l) <= 140), "{narrow}");
    assert!(narrow.contains("…"), "{narrow}");
    assert!(narrow.contains("加 --wide 显示全文"), "{narrow}");
    // The totals name each clause in Chinese beside its id.
    assert!(
        narrow.contains("新认定国家级、省级研发平台奖励"),
        "{narrow}"
    );
    let wide = run(true);
    assert!(
        wide.contains("本项第 10 名，共 12 项，在限额 10 项（每年评选不超过的项数）之内"),
        "{wide}"
    );
    assert!(!wide.contains("加 --wide 显示全文"), "{wide}");
}

#[test]
fn clauses_name_units_in_chinese_with_the_yaml_word() {
    let (code, out, err) = policy(&["--lang", "zh", "clauses", "policies/xianju-tech-innovation"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("参数") && out.contains("单位"), "{out}");
    assert!(
        out.contains("比例（ratio）") && out.contains("元（yuan）"),
        "{out}"
    );
    let (_, en, _) = policy(&["--lang", "en", "clauses", "policies/xianju-tech-innovation"]);
    assert!(!en.contains("元（yuan）") && en.contains(" yuan "), "{en}");
}

/// The pack mistakes a drafter makes most, each refused in Chinese at its line and column:
/// a misspelt key, an amount that is not one, a script that does not parse, a value the quoted
/// sentence does not mention; and an application's errors in a run
#[test]
fn the_common_mistakes_are_explained_in_chinese() {
    let pack = pack_copy();
    let edit = |rel: &str, from: &str, to: &str| {
        let path = pack.path().join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{rel}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    edit(
        "clauses/rd-platform.yaml",
        "    unit: yuan",
        "    unti: yuan",
    );
    edit("clauses/incubator.yaml", "value: 500000", "value: 50万x");
    edit("clauses/talent-team.rhai", "award(", "let x = ;\naward(");
    let (code, _, err) = policy_on(&pack, &["--lang", "zh", "check", "<pack>"]);
    assert_eq!(code, 2, "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("错误")).collect();
    let expected = [
        "clauses/incubator.yaml:",
        "参数 `national`：`50万x` 不是以元为单位的金额（如 `600000` 或 `60万`）",
        "clauses/rd-platform.yaml:",
        "没有 `unti` 这一项，应为以下之一：",
        "是否应为 `unit`？",
        "clauses/talent-team.rhai:",
        "脚本语法错误：",
    ];
    for needle in expected {
        assert!(err.contains(needle), "`{needle}` in:\n{err}");
    }
    assert!(
        errors
            .iter()
            .all(|l| !l.contains("expected") && !l.contains("syntax")),
        "{err}"
    );

    // A warning: a parameter whose value the quoted sentence does not state.
    let pack = pack_copy();
    let path = pack.path().join("clauses/rd-platform.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("value: 400000", "value: 450000", 1)).expect("write");
    let (_, out, err) = policy_on(&pack, &["--lang", "zh", "check", "<pack>"]);
    let all = format!("{out}{err}");
    assert!(
        all.contains("`rd-platform.provincial` 是 450,000 元")
            && all.contains("条款引用的原文中没有这个数：取值或引用的原文已经过时"),
        "{all}"
    );

    // An application's errors, as a run shows them.
    let (_, out, _) = policy(&[
        "--lang",
        "zh",
        "run",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        "policies/suzhou-future-industries/examples/malformed.yaml",
        "--wide",
    ]);
    for needle in [
        "字段 `paid_amount`（第14行第16列）：金额 `-10` 是负数",
        "字段 `tier`（第36行第9列）：`4` 大于允许的最大值 3",
        "编号 `2025-CA-04` 重复：第 8 项申报（第55行）已用此编号，只处理第一项",
        "`incubator` 类申报没有字段 `newly_recognised`（第82行第21列）；是否应为 `newly_recognized`？",
    ] {
        assert!(out.contains(needle), "`{needle}` in:\n{out}");
    }
}

/// `compare`, `targets` and `diff` speak one language at a time: Chinese for the bundled packs
#[test]
fn compare_targets_and_diff_speak_chinese() {
    let s = "policies/suzhou-future-industries";
    let examples = "policies/suzhou-future-industries/examples/applications.yaml";
    let scenario = "policies/suzhou-future-industries/scenarios/provincial-platform-60wan.yaml";
    let (code, out, err) = policy(&[
        "--lang",
        "zh",
        "compare",
        "--pack",
        s,
        "--input",
        examples,
        "--scenario",
        scenario,
    ]);
    assert_eq!(code, 0, "{err}");
    for word in [
        "基线：",
        "情景：省级研发平台奖励提高到60万",
        "按条款",
        "获益 1 项，受损 0 项",
    ] {
        assert!(out.contains(word), "`{word}` in:\n{out}");
    }
    for word in ["baseline", "winners", "by clause", "largest"] {
        assert!(!out.contains(word), "no `{word}` in:\n{out}");
    }
    let (_, out, _) = policy(&["--lang", "zh", "targets", "--pack", s, "--input", examples]);
    assert!(
        out.contains("发展目标进度") && out.contains("（没有条款计量）"),
        "{out}"
    );
    assert!(!out.contains("progress") && !out.contains("about"), "{out}");
    let (_, out, _) = policy(&["--lang", "zh", "diff", s, s]);
    assert!(out.contains("没有修改：两个版本的决定完全相同"), "{out}");
}

/// `check`, `test` and `watch` on the same faulty pack, in each language: the snapshots hold what
/// a drafter reads, word for word
#[test]
fn check_test_and_watch_in_both_languages() {
    // A value the quoted sentence does not state (a warning) that also fails a test…
    let pack = pack_copy();
    let path = pack.path().join("clauses/rd-platform.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("value: 400000", "value: 450000", 1)).expect("write");
    // …and a pack that does not load: a misspelt key.
    let broken = pack_copy();
    let path = broken.path().join("clauses/incubator.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("    unit: yuan", "    unti: yuan", 1)).expect("write");
    for lang in ["zh", "en"] {
        let (code, out, err) = policy_on(&broken, &["--lang", lang, "check", "<pack>"]);
        assert_eq!(code, 2, "{out}{err}");
        insta::assert_snapshot!(format!("check_{lang}"), err);
        let (code, out, _) = policy_on(&pack, &["--lang", lang, "test", "<pack>"]);
        assert_eq!(code, 1, "{out}");
        insta::assert_snapshot!(format!("test_{lang}"), out);
        let (code, out, err) =
            policy_on(&pack, &["--lang", lang, "watch", "<pack>", "--runs", "0"]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(format!("watch_{lang}"), out);
        let (_, out, _) = policy_on(&broken, &["--lang", lang, "watch", "<pack>", "--runs", "0"]);
        insta::assert_snapshot!(format!("watch_broken_{lang}"), out);
    }
}

/// A `--set` or a scenario that names nothing, or a value not in its unit, is refused in the
/// pack's language when no other is chosen
#[test]
fn changes_are_refused_in_chinese() {
    let s = "policies/suzhou-future-industries";
    let input = "policies/suzhou-future-industries/examples/applications.yaml";
    for (set, needle) in [
        (
            "rd-platform.provincal=60万",
            "条款 `rd-platform` 没有参数 `provincal`；是否应为 `rd-platform.provincial`？",
        ),
        (
            "rd-platform.provincial=abc",
            "`rd-platform.provincial`（单位 yuan）：`abc` 不是以元为单位的金额",
        ),
        (
            "rd-platfrm.provincial=1",
            "没有条款 `rd-platfrm`；是否应为 `rd-platform`？",
        ),
    ] {
        let (code, _, err) = policy(&[
            "--lang", "zh", "run", "--pack", s, "--input", input, "--set", set,
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(needle), "`{needle}` in:\n{err}");
    }
}
