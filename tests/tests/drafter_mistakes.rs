//! The mistakes drafters make, caught where they are made: each error points at the faulty
//! character's line and column and says what to write instead, in Chinese (the engine's
//! `message_zh`) and English (what `policy check` prints today).

use policy_engine::{Engine, LoadError, Pos};
use policy_tests::{pack_copy, policy_on};

/// A copy of the Suzhou pack with `file` (relative to the pack) edited by `edit`
fn pack_with(file: &str, edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let pack = pack_copy();
    let path = pack.path().join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, edit(text)).expect("write");
    pack
}

/// The one error loading the pack gives
fn the_error(pack: &tempfile::TempDir) -> LoadError {
    let errors = Engine::load(pack.path())
        .expect_err("the pack is refused")
        .0;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().expect("one error")
}

fn at(e: &LoadError) -> (usize, usize) {
    let Pos { line, col } = e.pos.expect("a position");
    (line, col)
}

fn zh(e: &LoadError) -> &str {
    e.message_zh.as_deref().expect("a Chinese message")
}

/// `policy check` on the pack: its exit code and what it printed on stderr
fn check(pack: &tempfile::TempDir) -> (u8, String) {
    let (code, _, err) = policy_on(pack, &["check", "<pack>"]);
    (code, err)
}

// --- 1. full-width punctuation in YAML ----------------------------------------------------

#[test]
fn a_full_width_colon_after_a_key() {
    let pack = pack_with("clauses/rd-platform.yaml", |t| {
        t.replace("    value: 2000000", "    value：2000000")
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (10, 10));
    assert!(
        zh(&e).starts_with("YAML 语法：第10行第10列是全角冒号“：”，请改为半角冒号“:”"),
        "{}",
        zh(&e)
    );
    let (code, err) = check(&pack);
    assert_ne!(code, 0);
    insta::assert_snapshot!(err);
}

#[test]
fn a_full_width_colon_on_the_last_line() {
    let pack = pack_with("clauses/rd-platform.yaml", |t| {
        format!("{}depends_on： []\n", t)
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (17, 11));
    assert!(
        zh(&e).starts_with("YAML 语法：第17行第11列是全角冒号“：”"),
        "{}",
        zh(&e)
    );
}

#[test]
fn a_full_width_space_in_the_indentation() {
    let pack = pack_with("clauses/rd-platform.yaml", |t| {
        t.replace(
            "    unit: yuan\n    description: 新认定省级",
            "　　unit: yuan\n    description: 新认定省级",
        )
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (15, 1));
    assert!(
        zh(&e).starts_with("YAML 语法：第15行第1列是全角空格，请改为半角空格"),
        "{}",
        zh(&e)
    );
    assert!(e.message.starts_with("YAML syntax: line 15, column 1 is a full-width space (U+3000); write a half-width space"), "{}", e.message);
}

#[test]
fn full_width_brackets_and_dashes_in_pack_yaml() {
    let pack = pack_with("pack.yaml", |t| {
        format!("{t}\napplicant: ［applicant.credit_code, applicant.name］\n")
    });
    let e = the_error(&pack);
    let line = std::fs::read_to_string(pack.path().join("pack.yaml"))
        .expect("read")
        .lines()
        .count();
    assert_eq!(at(&e), (line, 12));
    assert!(
        zh(&e).contains("是全角左方括号“［”，请改为半角左方括号“[”"),
        "{}",
        zh(&e)
    );

    let pack = pack_with("pack.yaml", |t| {
        format!("{t}\napplicant:\n  － applicant.credit_code\n")
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (line + 1, 3));
    assert!(
        zh(&e).contains("是全角减号（短横线）“－”，请改为半角减号（短横线）“-”"),
        "{}",
        zh(&e)
    );
}

#[test]
fn chinese_punctuation_in_a_value_is_text() {
    // The pack's own texts are full of （）、：and “”; a title with a colon after its first
    // half-width one is a value, and loads.
    let pack = pack_with("clauses/rd-platform.yaml", |t| {
        t.replace(
            "title: 新认定国家级、省级研发平台奖励",
            "title: 研发平台奖励：国家级、省级（“新认定”）",
        )
    });
    assert!(Engine::load(pack.path()).is_ok());
}

#[test]
fn a_scenario_file_with_a_full_width_colon() {
    let pack = pack_copy();
    let scenario = pack.path().join("scenarios/fullwidth.yaml");
    std::fs::write(&scenario, "name: 试算\ndescription： 全角冒号\n").expect("write");
    let errors = policy_engine::Scenario::load(&scenario)
        .expect_err("refused")
        .0;
    assert_eq!(at(&errors[0]), (2, 12));
    assert!(
        zh(&errors[0]).contains("第2行第12列是全角冒号"),
        "{}",
        zh(&errors[0])
    );
}

// --- 2. full-width punctuation in scripts --------------------------------------------------

#[test]
fn full_width_brackets_in_a_script() {
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        t.replace(
            "return ineligible(\"本条只奖励新认定的研发平台，本平台不是新认定\");",
            "return ineligible（\"本条只奖励新认定的研发平台，本平台不是新认定\"）;",
        )
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (5, 22));
    assert!(
        zh(&e).starts_with("脚本语法：第5行第22列是全角左括号“（”，请改为半角左括号“(”"),
        "{}",
        zh(&e)
    );
    let (code, err) = check(&pack);
    assert_ne!(code, 0);
    insta::assert_snapshot!(err);
}

#[test]
fn full_width_quotes_in_a_script() {
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        t.replace(
            "ineligible(\"本条只奖励新认定的研发平台，本平台不是新认定\")",
            "ineligible(“本条只奖励新认定的研发平台，本平台不是新认定”)",
        )
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (5, 23));
    assert!(
        zh(&e).contains("第5行第23列是全角左双引号「“」，请改为半角双引号「\"」"),
        "{}",
        zh(&e)
    );
}

#[test]
fn a_string_closed_with_a_full_width_quote() {
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        t.replace(
            "ineligible(\"本条只奖励新认定的研发平台，本平台不是新认定\")",
            "ineligible(\"本条只奖励新认定的研发平台，本平台不是新认定”)",
        )
    });
    let e = the_error(&pack);
    // The closing quote, not the opening one Rhai reports
    assert_eq!(at(&e), (5, 46));
    assert!(
        zh(&e).contains("第5行第46列是全角右双引号「”」，请改为半角双引号「\"」"),
        "{}",
        zh(&e)
    );
    assert!(
        e.message
            .contains("this text opens with a half-width quote"),
        "{}",
        e.message
    );
}

// --- 3. a misspelt function ---------------------------------------------------------------

#[test]
fn a_misspelt_function_fails_check_not_the_run() {
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        t.replace("return ineligible(", "return ineligble(")
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (5, 12));
    assert_eq!(
        zh(&e),
        "第5行第12列调用的函数“ineligble”不存在，是否应为“ineligible”？"
    );
    let (code, err) = check(&pack);
    assert_ne!(code, 0);
    assert!(
        err.contains("rd-platform.rhai:5:12: `ineligble(…)` is not a function a script can call; did you mean `ineligible`?"),
        "{err}"
    );
}

#[test]
fn functions_the_script_defines_or_rhai_has_are_known() {
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        format!(
            "fn half(x) {{ x / 2 }}\nlet f = Fn(\"half\");\nlet n = max(1, abs(-2)) + \"ab\".len() + parse_int(\"1\");\nprint(type_of(n) + to_string(f));\n{t}"
        )
    });
    assert!(Engine::load(pack.path()).is_ok());
}

// --- 4. an outcome thrown away -------------------------------------------------------------

#[test]
fn an_award_not_returned_is_refused() {
    // The `if` is not the script's last statement: its award is dropped and the script goes
    // on to the switch, which would pay the national amount to a platform that is not new.
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        t.replace(
            "    return ineligible(\"本条只奖励新认定的研发平台，本平台不是新认定\");",
            "    ineligible(\"本条只奖励新认定的研发平台，本平台不是新认定\")",
        )
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (5, 5));
    assert_eq!(
        zh(&e),
        "第5行第5列的 ineligible(…) 的结果被丢弃了：它后面还有语句，脚本并不以它结束，会接着往下执行。请写成 return ineligible(…)"
    );
    let (code, err) = check(&pack);
    assert_ne!(code, 0);
    insta::assert_snapshot!(err);
}

#[test]
fn an_award_followed_by_more_statements_is_refused() {
    let pack = pack_with("clauses/rd-platform.rhai", |t| {
        format!("award(params.national, \"先给国家级\");\n{t}")
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (1, 1));
    assert!(
        e.message
            .starts_with("the outcome of this `award(…)` is thrown away"),
        "{}",
        e.message
    );
}

// --- 5. a stale `text:` --------------------------------------------------------------------

#[test]
fn a_stale_text_shows_the_nearest_sentence_of_the_source() {
    let pack = pack_with("clauses/rd-platform.yaml", |t| {
        t.replace(
            "分别给予200万元、40万元奖励。",
            "分别给予300万元、40万元奖励。",
        )
    });
    let e = the_error(&pack);
    assert_eq!(at(&e), (4, 7));
    assert_eq!(
        zh(&e),
        "`text` 在政策原文中找不到一字不差的对应句子。原文最接近的一句是「…对新认定的国家级、省级研发平台（重点实验室、技术创新中心、企业研发中心等），分别给予【2】00万元、40万元奖励。」，【】处 `text` 写的是“3”"
    );
    let (code, err) = check(&pack);
    assert_ne!(code, 0);
    insta::assert_snapshot!(err);
}
