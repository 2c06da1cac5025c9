//! Every text the command line shows a person, in Chinese and in English: one catalogue, so a
//! message cannot exist in one language only (a test checks each entry has both, with the same
//! placeholders). Machine formats (JSON, JSONL, CSV) keep POLICY.md's English status codes.
//!
//! A message is a pair of templates; `{0}`, `{1}` … stand for its arguments, which the two
//! languages may place in different orders.

use policy_engine::{Lang, Status};

/// One message in both languages
pub struct Msg {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Msg {
    /// The message in `lang`, its placeholders filled with `args` in order
    pub fn fill(&self, lang: Lang, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = lang.pick(self.zh, self.en).to_string();
        for (i, a) in args.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), &a.to_string());
        }
        out
    }

    /// The message in `lang`, without arguments
    pub fn get(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

macro_rules! catalogue {
    ($($name:ident: $zh:literal, $en:literal;)*) => {
        $(pub const $name: Msg = Msg { zh: $zh, en: $en };)*
        /// Every message, for the test that each has both languages
        #[cfg(test)]
        pub const ALL: &[(&str, Msg)] = &[$((stringify!($name), Msg { zh: $zh, en: $en })),*];
    };
}

catalogue! {
    // Statuses, as a person reads them.
    AWARDED: "给予奖励", "awarded";
    INELIGIBLE: "不予支持", "ineligible";
    CAPPED: "超出限额", "capped";
    SUPERSEDED: "不重复享受", "superseded";
    ERROR_STATUS: "有错误", "error";

    // The decisions table of `policy run`.
    COL_ID: "编号", "id";
    COL_CLAUSE: "条款", "clause";
    COL_STATUS: "状态", "status";
    COL_YUAN: "金额（元）", "amount (yuan)";
    COL_WAN: "万元", "10k yuan";
    COL_REASONS: "理由", "reasons";
    COL_ARTICLE: "条文", "article";
    COL_TITLE: "条款名称", "title";
    SHORTENED: "（理由较长的已截短，加 --wide 显示全文，或用 policy explain --id 查看）", "(long reasons are shortened: --wide shows them whole, as does policy explain --id)";
    COL_APPLICATIONS: "申报", "applications";
    ROW_TOTAL: "合计", "total";
    NO_ID: "（无编号）", "(no id)";
    NO_CLAUSE: "（无条款）", "(no clause)";
    TOTALS_BY_CLAUSE: "按条款合计", "totals by clause";
    RUN_SUMMARY: "共 {0} 项申报，{1} 项给予奖励，合计 {2} 元（{3} 万元）", "{0} applications, {1} awarded, {2} yuan ({3} 万元)";
    RUN_HAD_ERRORS: "{1} 项申报中有 {0} 项有错误；其余申报均已决定", "{0} of {1} applications had errors; every other application was decided";

    // `policy check` and the diagnostics of a pack.
    CHECK_OK: "检查通过：{0} {1}（{2}）：{3} 个条款，{4} 类申报\n指纹 {5}", "ok: {0} {1} ({2}): {3} clauses, {4} kinds of application\nfingerprint {5}";
    SEVERITY_ERROR: "错误", "error";
    SEVERITY_WARNING: "警告", "warning";
    ERRORS_ONE: "1 个错误", "1 error";
    ERRORS_MANY: "{0} 个错误", "{0} errors";
    WARNINGS_ONE: "1 个警告", "1 warning";
    WARNINGS_MANY: "{0} 个警告", "{0} warnings";
    WARNINGS_DENIED: "错误：不允许有警告（--deny-warnings）", "error: warnings are denied (--deny-warnings)";

    // `policy clauses`: the columns, and each unit with the name YAML gives it.
    COL_PARAMETER: "参数", "parameter";
    COL_VALUE: "取值", "value";
    COL_UNIT: "单位", "unit";
    COL_DESCRIPTION: "说明", "description";
    UNIT_YUAN: "元（yuan）", "yuan";
    UNIT_RATIO: "比例（ratio）", "ratio";
    UNIT_COUNT: "项数（count）", "count";
    UNIT_NUMBER: "数值（number）", "number";
    UNIT_DATE: "日期（date）", "date";
    UNIT_BANDS: "分档表（bands）", "bands";

    // `policy explain`.
    EX_APPLICATION: "申报 {0}（{1}）", "application {0} ({1})";
    EX_DECISION: "决定：{0}，{1} 元（{2} 万元）", "decision: {0}, {1} yuan ({2} 万元)";
    EX_CLAUSE: "条款：{0}  {1}  {2}", "clause: {0}  {1}  {2}";
    EX_TEXT: "原文：{0}", "text: {0}";
    EX_PARAMETERS: "读取的参数：", "parameters read:";
    EX_FACTS: "读取的事实：", "facts read:";
    EX_ABSENT: "（未填写）", "(absent)";
    EX_ARITHMETIC: "计算过程：", "arithmetic:";
    EX_LIMIT: "数量限额：{0} 组内{1}，第 {2} 名，共 {3} 项，限额 {4} 项：{5}", "count limit: in group {0}, {1}; place {2} of {3}, limit {4}: {5}";
    EX_OVER_LIMIT: "超过限额，不予奖励", "over the limit, not awarded";
    EX_WITHIN_LIMIT: "在限额之内", "within the limit";
    EX_SETTLEMENT: "结算：本条款核定 {0} 元（{1}）；适用结算规则后 {2} 元（{3}），依次适用 {4}", "settlement: the clause decided {0} yuan ({1}); after the settlement rules {2} yuan ({3}), applying {4} in turn";
    EX_REASONS: "理由：", "reasons:";
    EX_PRINTED: "脚本输出：", "printed by the script:";
    EX_PACK: "政策包 {0} {1} {2}", "pack {0} {1} {2}";

    // `policy test`.
    TEST_PASS: "通过", "PASS";
    TEST_FAIL: "失败", "FAIL";
    TEST_EXPECTED: "应为", "expected";
    TEST_ACTUAL: "实际", "actual";
    TEST_COVERAGE: "覆盖率：{2} 个条款结果中测试到 {1} 个（{0}%）", "coverage: {1} of {2} clause outcomes reached ({0}%)";
    TEST_NOT_REACHED: "没有任何测试到达的结果：", "not reached by any test:";
    TEST_SUMMARY: "{0} 项通过，{1} 项失败", "{0} passed, {1} failed";
    TEST_NONE: "错误：{0} 中没有测试；请在 tests/*.yaml 中编写测试用例", "error: no tests found in {0}: write test cases in tests/*.yaml";
    TEST_BELOW_COVERAGE: "错误：结果覆盖率 {0}% 低于 --min-coverage {1}%", "error: outcome coverage {0}% is below --min-coverage {1}%";
}

/// A status as a person reads it in `lang`
pub fn status(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::Awarded => AWARDED.get(lang),
        Status::Ineligible => INELIGIBLE.get(lang),
        Status::Capped => CAPPED.get(lang),
        Status::Superseded => SUPERSEDED.get(lang),
        Status::Error => ERROR_STATUS.get(lang),
    }
}

/// A parameter's unit as a person reads it in `lang` (with a band table's kind)
pub fn unit(p: &policy_engine::Parameter, lang: Lang) -> String {
    use policy_engine::Unit;
    let name = match p.unit {
        Unit::Yuan => UNIT_YUAN.get(lang),
        Unit::Ratio => UNIT_RATIO.get(lang),
        Unit::Count => UNIT_COUNT.get(lang),
        Unit::Number => UNIT_NUMBER.get(lang),
        Unit::Date => UNIT_DATE.get(lang),
        Unit::Bands => UNIT_BANDS.get(lang),
    };
    match p.unit {
        Unit::Bands => p.unit_text().replacen("bands", name, 1),
        _ => name.to_string(),
    }
}

/// A test's expected or actual outcome (the engine writes `status awarded, amount 300000.00,
/// clause rd-platform` and `a reason containing “…”`) in `lang`: the engine's few fixed words
/// are swapped for the reader's, the values left as they are
pub fn outcome_words(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let mut out = text.to_string();
    for s in [
        Status::Awarded,
        Status::Ineligible,
        Status::Capped,
        Status::Superseded,
        Status::Error,
    ] {
        out = out.replace(
            &format!("status {}", s.as_str()),
            &format!("状态 {}", status(s, lang)),
        );
    }
    for (en, zh) in [
        ("amount ", "金额 "),
        ("clause ", "条款 "),
        ("a reason containing ", "理由包含 "),
        ("reasons ", "理由 "),
        (
            "no application with this id in the case",
            "本用例中没有这个编号的申报",
        ),
        ("a decision", "一项决定"),
        (", ", "，"),
    ] {
        out = out.replace(en, zh);
    }
    out
}

/// The language a command shows: `--lang`, else the environment (both in `given`), else the
/// pack's `language:`, else English
pub fn resolve(given: Option<Lang>, pack: Option<Lang>) -> Lang {
    given.or(pack).unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(t: &str) -> Vec<String> {
        let mut found: Vec<String> = (0..10)
            .map(|i| format!("{{{i}}}"))
            .filter(|p| t.contains(p.as_str()))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_message_has_both_languages_with_the_same_placeholders() {
        for (name, m) in ALL {
            assert!(!m.zh.trim().is_empty(), "{name} has no Chinese");
            assert!(!m.en.trim().is_empty(), "{name} has no English");
            assert_eq!(
                placeholders(m.zh),
                placeholders(m.en),
                "{name}: the two languages take other arguments"
            );
            // A Chinese message is written in Chinese: at least one CJK character.
            assert!(
                m.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{name}: `{}` is not Chinese",
                m.zh
            );
        }
    }

    #[test]
    fn the_flag_or_environment_wins_over_the_pack() {
        assert_eq!(resolve(Some(Lang::En), Some(Lang::Zh)), Lang::En);
        assert_eq!(resolve(None, Some(Lang::Zh)), Lang::Zh);
        assert_eq!(resolve(None, None), Lang::En);
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("C.UTF-8"), None);
        assert_eq!(
            RUN_HAD_ERRORS.fill(Lang::Zh, &[&3, &55]),
            "55 项申报中有 3 项有错误；其余申报均已决定"
        );
    }
}
