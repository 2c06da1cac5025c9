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

    // `policy new pack` and `policy new clause`.
    // The text of `compare`, `sweep`, `targets` and `diff`.
    CMP_BASELINE: "基线：{0} {1} {2}", "baseline: {0} {1} {2}";
    CMP_SCENARIO: "情景：{0}", "scenario: {0}";
    CMP_FINGERPRINT: "指纹 {0}", "fingerprint {0}";
    CMP_CLAUSES_CHANGED: "改动的条款：{0}", "clauses changed: {0}";
    CMP_RULES_CHANGED: "改动的结算规则：{0}", "settlement rules changed: {0}";
    CMP_NONE: "（无）", "(none)";
    CMP_BY_CLAUSE: "按条款", "by clause";
    CMP_BY_YEAR: "按年度", "by year";
    CMP_YEAR: "年度", "year";
    CMP_BASE_AWARDED: "基线奖励数", "awarded (baseline)";
    CMP_SCEN_AWARDED: "情景奖励数", "awarded (scenario)";
    CMP_BASE_YUAN: "基线金额（元）", "baseline (yuan)";
    CMP_SCEN_YUAN: "情景金额（元）", "scenario (yuan)";
    CMP_CHANGE_YUAN: "变化（元）", "change (yuan)";
    CMP_CHANGE_PCT: "变化 %", "change %";
    CMP_WINNERS: "获益 {0} 项，受损 {1} 项，不变 {2} 项", "winners {0}, losers {1}, unchanged {2}";
    CMP_BY_APPLICANT: "按申报单位：获益 {0} 家，受损 {1} 家（计入其所有变动的奖励）", "by applicant: {0} gain, {1} lose (all of each one's changed awards counted)";
    CMP_LARGEST: "变化最大的申报（前 {0} 项）", "largest changes (top {0})";
    CMP_BASELINE_COL: "基线", "baseline";
    CMP_SCENARIO_COL: "情景", "scenario";
    CMP_BASE_AMOUNT: "基线金额", "baseline amount";
    CMP_SCEN_AMOUNT: "情景金额", "scenario amount";
    SWEEP_TITLE: "{0} {1}：预算随 {2} 变化", "{0} {1}: budget by {2}";
    SWEEP_AWARDED: "奖励数", "awarded";
    SWEEP_TOTAL: "总金额（元）", "total (yuan)";
    TGT_TITLE: "{0}：发展目标进度", "{0}: progress toward the targets";
    TGT_TARGET: "目标", "target";
    TGT_VALUE: "目标值", "goal";
    TGT_REACHED: "已达到", "reached";
    TGT_PROGRESS: "进度", "progress";
    TGT_COUNTED: "计量条款", "counted from";
    TGT_NO_CLAUSE: "（没有条款计量）", "(no clause measures it)";
    TGT_ABOUT: "左右", "about";
    TGT_AT_LEAST: "以上", "at least";
    TGT_OVER: "突破", "over";
    DIFF_TITLE: "修改对照表：{0} {1} → {2}", "revision table: {0} {1} → {2}";
    DIFF_NONE: "没有修改：两个版本的决定完全相同", "no changes: the two packs decide alike";
    DIFF_ITEM: "修改项", "item";
    DIFF_OLD: "原", "old";
    DIFF_NEW: "新", "new";
    DIFF_PACK: "（整体）", "(pack)";
    DIFF_SEE_BELOW: "（见下方）", "(see below)";
    DIFF_SCRIPT_OF: "{0} 的脚本：", "script of {0}:";
    DIFF_EFFECT: "对申报的影响：{1} 项中有 {0} 项变化", "effect on the applications: {0} of {1} change";
    DIFF_OLD_AMOUNT: "原金额", "old amount";
    DIFF_NEW_AMOUNT: "新金额", "new amount";
    DIFF_TOTAL: "合计：{0} 元 → {1} 元（{2} 元）", "total: {0} yuan → {1} yuan ({2} yuan)";

    OUTPUT_IS_INPUT: "错误：--output {0} 就是输入文件：写出结果会覆盖申报数据，请另给一个文件名", "error: --output {0} is the input file: writing the decisions would replace the applications; give another name";
    EXPLAIN_NO_ID: "错误：{1} 中没有编号为 `{0}` 的申报", "error: no application with id `{0}` in {1}";
    NEW_WROTE: "已写入 {0}", "wrote {0}";
    NEW_PACK_NEXT: "下一步：把政策原文粘贴到 source/policy.txt，改写示例条款（或用 `policy new clause` 新增条款），然后运行 `policy check` 和 `policy test`", "next: paste the policy's text into source/policy.txt, rewrite the example clause (or add clauses with `policy new clause`), then `policy check` and `policy test`";
    NEW_CLAUSE_NEXT: "下一步：修改脚本和测试，然后运行 `policy check` 和 `policy test`", "next: edit the script and the test, then `policy check` and `policy test`";
    NEW_PACK_ID: "错误：`{0}` 不能作为政策包编号：请用小写字母、数字和 `-`", "error: `{0}` cannot be a pack id: use lower-case letters, digits and `-`";
    NEW_PACK_TITLE: "错误：`{0}` 不能作为标题或发布单位：应为一行非空文字", "error: `{0}` cannot be a title or an issuer: one line of text, not empty";
    NEW_PACK_NOT_EMPTY: "错误：{0} 不是空文件夹：新政策包需要一个新的或空的文件夹", "error: {0} is not empty: a new pack needs a new or empty folder";
    NEW_CLAUSE_ID: "错误：`{0}` 不能作为条款编号：请用小写字母、数字和 `-`", "error: `{0}` cannot be a clause id: use lower-case letters, digits and `-`";
    NEW_CLAUSE_EXISTS: "错误：政策包中已有条款 `{0}`", "error: the pack already has a clause `{0}`";
    NEW_CLAUSE_KIND_TAKEN: "错误：`{0}` 类申报已由条款 `{1}` 处理；一类申报只由一个条款处理，请另给 --kind", "error: kind `{0}` is already decided by clause `{1}`; one clause decides a kind: give a new --kind";
    NEW_FILE_EXISTS: "错误：{0} 已经存在", "error: {0} exists already";
    NEW_PACK_OWN_TEST: "错误：新政策包自带的测试没有通过，请报告此问题", "error: the new pack's own test fails; please report this";
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

/// The words of the HTML pages (`--report` of compare, sweep and targets; `doc --format html`):
/// a block of its own, with its own check that each entry has both languages.
pub mod html {
    use super::Msg;

    catalogue! {
        // The reports' titles and headings.
        R_COMPARE_TITLE: "情景比较", "What-if comparison";
        R_SWEEP_TITLE: "参数扫描：{0}", "Sweep of {0}";
        R_TARGETS_TITLE: "发展目标进度", "Progress toward the targets";
        R_SCENARIO: "情景：{0}", "Scenario: {0}";
        R_CHANGED: "改动条款：{0}", "Clauses changed: {0}";
        R_VERSION: "版本 {0}", "version {0}";

        // The charts of a comparison.
        R_BY_CLAUSE: "按条款：基线与情景金额（万元）", "By clause: baseline and scenario amounts (10k yuan)";
        R_BY_YEAR: "按年度：基线与情景预算（万元）", "By year: baseline and scenario budgets (10k yuan)";
        R_BASELINE: "基线", "baseline";
        R_SCENARIO_SERIES: "情景", "scenario";
        R_YEAR: "{0} 年", "{0}";
        R_BAR_TIP: "{0} {1}：{2} 万元", "{0} {1}: {2} (10k yuan)";
        R_LEGEND: "图例", "Legend";

        // The tables of a comparison.
        R_COL_BASE_AWARDED: "基线奖励数", "awarded (baseline)";
        R_COL_SCEN_AWARDED: "情景奖励数", "awarded (scenario)";
        R_COL_BASE_YUAN: "基线金额（元）", "baseline (yuan)";
        R_COL_SCEN_YUAN: "情景金额（元）", "scenario (yuan)";
        R_COL_CHANGE_YUAN: "变化（元）", "change (yuan)";
        R_COL_CHANGE_PCT: "变化 %", "change %";
        R_WINNERS: "获益 {0} 项，受损 {1} 项，不变 {2} 项。", "{0} better off, {1} worse off, {2} unchanged.";
        R_LARGEST: "变化最大的申报", "largest changes";

        // Targets.
        R_TARGETS_BASELINE: "发展目标（基线）", "Targets (baseline)";
        R_COL_TARGET: "目标", "target";
        R_COL_TARGET_VALUE: "目标值", "target value";
        R_COL_REACHED: "已达到", "reached";
        R_COL_PROGRESS: "进度", "progress";
        R_COL_COUNTED_FROM: "计量条款", "counted from";
        R_ABOUT: "左右", "about";
        R_AT_LEAST: "以上", "at least";
        R_OVER: "突破", "over";
        R_MET: "已达到目标", "target met";
        R_SHORT: "尚未达到目标", "short of the target";
        R_MARK: "虚线：目标值（100%），超过 150% 的进度条截于 150%", "dashed line: the target (100%); bars stop at 150%";
        R_NOT_MEASURED: "本政策包无条款计量", "not measured by any clause";
        R_NOT_MEASURED_ROW: "目标 {0} {1}：未计量", "target {0} {1}: not measured";

        // A sweep.
        R_SWEEP_CHART: "总预算随 {0} 变化（万元）", "Total budget by {0} (10k yuan)";
        R_SWEEP_POINT: "{0}：{1} 万元", "{0}: {1} (10k yuan)";
        R_COL_AWARDED: "奖励数", "awarded";
        R_COL_TOTAL_YUAN: "总金额（元）", "total (yuan)";

        // `policy doc --format html`.
        D_SHARED_RULES: "共同规则", "Rules every clause shares";
        D_ROUNDING: "金额{0}", "amounts: {0}";
        D_PRECONDITION: "前提：{0} = {1}；否则：{2}", "precondition: {0} = {1}; otherwise: {2}";
        D_NOTES: "解读：{0}", "readings: {0}";
        D_EXAMPLES: "示例（由本包测试用例现场计算）", "Worked examples (the pack's tests, decided now)";
        D_SETTLEMENT: "结算规则", "Settlement rules";
        D_SETTLEMENT_ORDER: "各条款核定后，按所列顺序依次适用", "applied in the order listed, after each clause has decided";
        D_RULE: "规则（{0}）：{1}", "rule ({0}): {1}";
        D_APPLICANT: "同一申报单位：依次按 {0} 认定（规则另有规定的除外）", "the same applicant: identified by {0}, in that order (unless a rule says otherwise)";
        D_CAP: "单项上限：{0}（引擎在四舍五入前执行）", "cap: {0} (applied before rounding)";
        D_RANK_ONE: "按 {0}、同分按编号升序", "ranked by {0}, ties by id ascending";
        D_RANK_MANY: "依次按 {0}、均相同按编号升序", "ranked by {0} in turn, ties by id ascending";
        D_COUNT_LIMIT: "数量限额：每组（{0}）{1}，不超过 {2} 项，超出者为“超出限额”", "count limit: in each group ({0}), {1}, at most {2}; the rest are capped";
        D_DEPENDS: "依赖：在 {0} 之后决定，读取同一申报单位同期在这些条款下的奖励", "depends on: decided after {0}, reading the same applicant's awards under those clauses in the same period";
        D_BANDS: "分档 {0}{1}（{2}：{3}）", "bands {0}{1} ({2}: {3})";
        D_BANDS_FROM_YEAR: "，{0} 年起", ", from {0}";
        D_BAND: "档", "band";
        D_BAND_FROM: "起点（{0}）", "from ({0})";
        D_BAND_VALUE: "取值（{0}）", "value ({0})";
        D_AWARDED: "给予奖励 {0} 元", "awarded {0} 元";
        D_SCRIPT: "脚本", "script";
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn every_page_word_has_both_languages() {
            for (name, m) in super::ALL {
                assert!(!m.zh.trim().is_empty() && !m.en.trim().is_empty(), "{name}");
                for i in 0..10 {
                    let p = format!("{{{i}}}");
                    assert_eq!(m.zh.contains(&p), m.en.contains(&p), "{name}: {p}");
                }
                assert!(
                    m.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{name}: `{}` is not Chinese",
                    m.zh
                );
            }
        }
    }
}

/// The calculator page that `policy serve` serves at `/` (cli/src/web)
pub mod web {
    use super::Msg;

    catalogue! {
        W_TITLE: "政策计算器", "Policy calculator";
        W_LANG_OTHER: "English", "中文";
        W_PACK: "政策：{0}（版本 {1}）", "Policy: {0} (version {1})";
        W_CHOOSE: "选择申报类别", "Choose what you apply for";
        W_CHOOSE_HINT: "选一项，填写申报信息，即可算出按条款应得的奖补。", "Pick one, fill in the application, and see what the clauses award.";
        W_FORM_HINT: "带 * 的为必填项。金额以元为单位，也可写“万”，如 123.5万。", "Fields marked * are required. Amounts are in yuan; 万 is understood, e.g. 123.5万.";
        W_REQUIRED: "必填", "required";
        W_PICK: "请选择", "choose";
        W_YES: "是", "yes";
        W_NO: "否", "no";
        W_SUBMIT: "计算", "Calculate";
        W_OTHER_KIND: "换一个申报类别", "Choose another kind";
        W_RESULT: "计算结果", "Result";
        W_STATUS: "结论", "Outcome";
        W_AMOUNT: "金额", "Amount";
        W_ARTICLE: "依据条文", "Article";
        W_STEPS: "计算过程", "Arithmetic";
        W_REASONS: "理由", "Reasons";
        W_PARAMETERS: "适用参数", "Parameters applied";
        W_LINK: "本结果的链接（含所填信息，可收藏或转发）", "Link to this result (it holds the facts entered; bookmark or share it)";
        W_NOTE: "本结果按政策条款自动计算，仅供参考，以主管部门审核为准。", "Computed from the policy's clauses, for reference only; the department's review decides.";
        W_FIX: "有 {0} 项需要修改，见各项下方的说明；未作出决定。", "{0} fields need changing, see the note under each; nothing was decided.";
        W_NOT_DECIDED: "申报有误，未作出决定：", "The application has errors; nothing was decided:";
        W_ERR_REQUIRED: "请填写此项", "fill this in";
        W_ERR_INTEGER: "应为整数，如 2025", "a whole number, e.g. 2025";
        W_ERR_DECIMAL: "应为数字，如 85.5", "a number, e.g. 85.5";
        W_ERR_MONEY: "应为以元为单位的金额，如 1234567.85 或 123.5万", "an amount in yuan, e.g. 1234567.85 or 123.5万";
        W_ERR_NEGATIVE: "金额不能为负数", "an amount cannot be negative";
        W_ERR_FEN: "金额最多精确到分（两位小数）", "an amount has at most two decimals (whole fen)";
        W_ERR_BOOL: "请选择“是”或“否”", "choose yes or no";
        W_ERR_ONE_OF: "请从列表中选择一项", "choose one from the list";
        W_ERR_TOO_LONG: "内容过长（最多 {0} 个字符）", "too long (at most {0} characters)";
        W_UNKNOWN_KIND: "没有这一申报类别：{0}", "no such kind of application: {0}";
        W_NOT_FORM: "此页只接受 application/x-www-form-urlencoded 表单或 application/json 提交", "this page takes only application/x-www-form-urlencoded forms or application/json posts";
        W_NOT_JSON_FORM: "JSON 提交应为一个对象，每个字段一个文本值，字段不重复", "a JSON post must be one object with a text for each field, no field given twice";
        W_BUSY: "服务繁忙：请稍后重试", "the server is busy: retry shortly";
        W_NO_PAGE: "没有这个页面", "there is no such page";
        W_NO_METHOD: "此页不接受这种请求方法", "this page does not take that method";
        W_BYTES: "{0} 字节", "{0} bytes";
        W_BODY_TOO_LARGE: "提交的内容过大：至多 {0}；未作处理", "what was sent is too large: at most {0}; nothing was done";
        W_BODY_TOO_SLOW: "提交的内容未在时限内送达；未作处理", "what was sent did not arrive in time; nothing was done";
        W_BODY_BROKEN: "提交的内容中途断开，无法读取；未作处理", "what was sent broke off and cannot be read; nothing was done";
        W_TOO_SLOW: "请求超过 {0} 毫秒的时限，已停止，没有作出决定", "the request took longer than {0} ms and was stopped; nothing was decided";
        W_CROSS_SITE: "只接受本站页面提交的表单", "only forms sent from this site's own page are accepted";
        W_ALL: "我可能获得哪些奖补？", "Which awards might my enterprise get?";
        W_ALL_LINK: "我可能获得哪些奖补？一次填写，按全部申报类别测算", "Which awards might my enterprise get? Fill in once, assessed under every kind";
        W_ALL_HINT: "填写一次，按每个申报类别分别计算。只填与本单位有关的项；某类别的必填项没有填写时，该类别不计算。", "Fill in once; each kind of application is assessed on its own. Fill in what applies to you; a kind whose required fields are left empty is not assessed.";
        W_USED_BY: "用于：{0}", "Used by: {0}";
        W_ALL_RESULT: "各类别测算结果", "Result for each kind";
        W_TOTAL: "合计", "Total";
        W_TOTAL_NOTE: "合计为各类别分别计算的金额之和。同一单位多项奖补之间的结算规则（如就高不重复、年度合计上限）须合并全部申报才能确定，这里没有扣减，见各类别的“适用的限制”。", "The total adds the amounts of each kind assessed on its own. Settlement rules between one applicant's awards (highest only, yearly caps) need all its applications together and are not deducted here: see each kind's limits.";
        W_MISSING: "未计算：缺少 {0}", "Not assessed: missing {0}";
        W_FULL: "查看完整说明", "Full explanation";
        W_COMPLETE: "单独填写此类别", "Fill in this kind on its own";
        W_LIMITS: "适用的限制", "Limits that apply";
        W_RANKED: "须参与排名：每{0}至多 {1} 项，按{2}排序，相同的按申报编号；是否获得以当期全部申报的排名为准。", "Subject to ranking: at most {1} per {0}, ranked by {2}, ties by application id; whether it is paid depends on the ranking of all that period's applications.";
        W_RULE_EXCLUSIVE: "就高不重复：同一单位在 {0} 中只得金额最高的一项", "Highest only: of {0}, one applicant gets only the highest award";
        W_RULE_CAP: "合计上限：同一单位在 {0} 获得的奖补合计不超过 {1}", "Cap: one applicant's awards under {0} add up to at most {1}";
        W_RULE_REQUIRES: "在此基础上：{0} 的奖励须同一单位已获得 {1} 的奖励", "On top of: {0} is paid only where the same applicant has an award under {1}";
        W_RULE_FIRST: "首次：{0} 的奖励只给此前没有在 {1} 获得过奖补的单位", "First time only: {0} is paid only to an applicant never paid before under {1}";
        W_RULE_PER: "（按{0}分别计）", " (per {0})";
        W_RULES_NOTE: "结算规则要合并同一单位的全部申报才能确定；此处按单份申报计算，仅作提示。", "Settlement rules need all of one applicant's applications; this answer decides one application, so they are shown as notes.";
        W_COMMON: "基本信息（全部类别都用）", "About the applicant (every kind uses these)";
        W_EVERY_CLAUSE: "全部条款", "every clause";
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn every_calculator_word_has_both_languages() {
            for (name, m) in super::ALL {
                assert!(!m.zh.trim().is_empty() && !m.en.trim().is_empty(), "{name}");
                for i in 0..10 {
                    let p = format!("{{{i}}}");
                    assert_eq!(m.zh.contains(&p), m.en.contains(&p), "{name}: {p}");
                }
            }
        }
    }
}

/// The words of the what-if page (情景测算) of `policy serve`
pub mod whatif {
    use super::Msg;

    catalogue! {
        WI_TITLE: "情景测算", "What-if scenarios";
        WI_INTRO: "修改政策参数，用申报数据测算预算变化：基线（现行参数）与情景（修改后参数）逐条款、逐年度对比。页面上的修改不会写入政策包。", "Change the policy's parameters and see what the budget does over a set of applications: the baseline (parameters in force) against the scenario (as edited), by clause and by year. Nothing here changes the pack.";
        WI_SCENARIOS: "从政策包的情景载入", "Load one of the pack's scenarios";
        WI_SCENARIO_NONE: "（现行参数）", "(parameters in force)";
        WI_LOAD: "载入", "Load";
        WI_SCENARIOS_SKIPPED: "以下情景替换条款脚本或增加结算规则，无法在页面上编辑，请用 policy compare --scenario：{0}", "These scenarios replace a script or add settlement rules, which this page cannot edit; use policy compare --scenario: {0}";
        WI_PARAMETERS: "参数", "Parameters";
        WI_PARAM_HINT: "金额以元为单位，也可写“万”“亿”，如 60万；比例可写 0.15 或 15%。", "Amounts are in yuan; 万 and 亿 are understood, e.g. 60万. A ratio is 0.15 or 15%.";
        WI_CURRENT: "现行：{0}", "in force: {0}";
        WI_UNIT: "单位：{0}", "unit: {0}";
        WI_FROM: "{0} 年起", "from {0}";
        WI_READ_ONLY: "分档表不能在此页修改，请用情景文件：{0}", "a band table cannot be edited here; use a scenario file: {0}";
        WI_NAME: "情景名称", "Scenario name";
        WI_NAME_DEFAULT: "页面情景", "page scenario";
        WI_APPLICATIONS: "申报数据", "Applications";
        WI_SOURCE_EXAMPLES: "政策包的示例申报（{0} 条）", "the pack's example applications ({0})";
        WI_SOURCE_UPLOAD: "上传文件", "an uploaded file";
        WI_FILE: "申报文件（YAML、JSON、JSONL、CSV 或 xlsx）", "Applications file (YAML, JSON, JSONL, CSV or xlsx)";
        WI_FILE_BOUND: "文件不超过 {0}，至多 {1} 条申报；只在内存中读取，不保存。", "At most {0} and {1} applications; read in memory, never stored.";
        WI_RUN: "测算", "Compare";
        WI_DOWNLOAD_YAML: "下载情景（YAML）", "Download the scenario (YAML)";
        WI_DOWNLOAD_XLSX: "下载结果（xlsx）", "Download the result (xlsx)";
        WI_DOWNLOAD_HINT: "情景文件可用 policy compare --scenario 载入。上传的文件不会保留：下载结果时请重新选择文件。", "The scenario file loads with policy compare --scenario. An upload is not kept: choose the file again to download its result.";
        WI_RESULT: "测算结果", "Result";
        WI_TOTAL_BASE: "基线合计", "Baseline total";
        WI_TOTAL_SCEN: "情景合计", "Scenario total";
        WI_TOTAL_CHANGE: "变化", "Change";
        WI_COUNT: "申报 {0} 条", "{0} applications";
        WI_SETS: "改动的参数", "Parameters changed";
        WI_TABLE_BUDGET: "各条款预算表（可横向滚动）", "Budget by clause (the table scrolls sideways)";
        WI_TABLE_LARGEST: "变化最大的申报（可横向滚动）", "Largest changes (the table scrolls sideways)";
        WI_FIX: "有 {0} 项需要修改，见各项下方的说明；未作测算。", "{0} fields need changing, see the note under each; nothing was compared.";
        WI_NO_CHANGE: "没有改动任何参数：请至少修改一项再测算。", "No parameter was changed: change at least one to compare.";
        WI_ERR_REQUIRED: "请填写此项", "fill this in";
        WI_ERR_TOO_LONG: "内容过长（最多 {0} 个字符）", "too long (at most {0} characters)";
        WI_ERR_NO_FILE: "请选择要上传的文件", "choose a file to upload";
        WI_ERR_FORMAT: "无法识别文件格式：文件名应以 .yaml、.yml、.json、.jsonl、.csv 或 .xlsx 结尾", "unknown format: the file name must end in .yaml, .yml, .json, .jsonl, .csv or .xlsx";
        WI_ERR_FILE_SIZE: "文件过大：上传文件不超过 {0}", "the file is too large: an upload may have at most {0}";
        WI_ERR_ROWS: "申报过多：{0} 条，至多 {1} 条", "too many applications: {0}, at most {1}";
        WI_ERR_READ: "无法读取文件：{0}", "cannot read the file: {0}";
        WI_ERR_EXAMPLES: "无法读取政策包的示例申报：{0}", "cannot read the pack's example applications: {0}";
        WI_ERR_BODY_SIZE: "提交的内容过大：上传文件不超过 {0}；未作测算", "what was sent is too large: an upload may have at most {0}; nothing was compared";
        WI_ERR_NOT_FORM: "此页只接受 multipart/form-data 或 application/x-www-form-urlencoded 表单提交", "this page takes only multipart/form-data or application/x-www-form-urlencoded form posts";
        WI_ERR_MALFORMED: "无法读取提交的表单", "the form sent cannot be read";
        WI_ERR_SCENARIO: "情景无法应用：{0}", "the scenario does not apply: {0}";
        WI_UNKNOWN_SCENARIO: "政策包没有这个情景：{0}", "the pack has no such scenario: {0}";
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn every_what_if_word_has_both_languages() {
            for (name, m) in super::ALL {
                assert!(!m.zh.trim().is_empty() && !m.en.trim().is_empty(), "{name}");
                for i in 0..10 {
                    let p = format!("{{{i}}}");
                    assert_eq!(m.zh.contains(&p), m.en.contains(&p), "{name}: {p}");
                }
            }
        }
    }
}

/// The clause browser (条款浏览) that `policy serve` serves at `/clauses` (cli/src/web/browse.rs)
pub mod browse {
    use super::Msg;

    catalogue! {
        B_TITLE: "条款浏览", "Clause browser";
        B_NAV: "页面", "Pages";
        B_INTRO: "本政策包的全部条款：原文、参数及其单位与历年取值、限额、结算规则，以及本包测试用例作为示例。", "Every clause of the pack: its original text, parameters with units and values by year, limits, settlement rules, and the pack's tests as worked examples.";
        B_PACK: "政策包", "The pack";
        B_PACK_TITLE: "标题", "Title";
        B_ISSUER: "发布单位", "Issuer";
        B_STATUS: "状态", "Status";
        B_VERSION: "版本", "Version";
        B_FINGERPRINT: "指纹", "Fingerprint";
        B_NO_PREVIOUS: "启动服务时加 --previous <上一版本的政策包目录>，此处即列出与上一版本相比的变化。", "Start the server with --previous <the previous version's pack directory> to list here what changed since that version.";
        B_CHANGES: "与上一版本相比的变化", "What changed since the previous version";
        B_CHANGES_FROM: "上一版本：{0}（指纹 {1}）→ 本版本：{2}", "Previous version: {0} (fingerprint {1}) → this version: {2}";
        B_NO_CHANGES: "没有变化：两个版本的条款、参数和规则完全相同。", "No changes: the two versions have the same clauses, parameters and rules.";
        B_REMOVED: "（已删除）", "(removed)";
        B_TOC: "目录", "Contents";
        B_KIND: "申报类别：{0}", "Kind of application: {0}";
        B_PARAMETERS: "参数", "Parameters";
        B_NO_PARAMETERS: "本条款没有参数。", "This clause has no parameters.";
        B_FROM_YEAR: "{0} 年起", "from {0}";
        B_IN_FORCE: "（{0} 年现行）", "(in force in {0})";
        B_LIMITS: "限额", "Limits";
        B_RULES_OF: "涉及本条款的结算规则", "Settlement rules that involve this clause";
        B_EXAMPLES: "示例（本包测试用例，由引擎现场计算）", "Worked examples (the pack's tests, decided now by the engine)";
        B_NO_EXAMPLES: "本包测试用例中没有本条款的示例。", "The pack's tests have no example of this clause.";
        B_EXAMPLES_FAILED: "本包测试用例无法读取，未列出示例：{0}", "The pack's tests cannot be read, so no examples are shown: {0}";
        B_COL_CASE: "用例", "Case";
        B_COL_FACTS: "申报信息", "Facts";
        B_COL_STATUS: "结论", "Outcome";
        B_COL_AMOUNT: "金额（元）", "Amount (yuan)";
        B_COL_REASONS: "理由", "Reasons";
        B_SCRIPT_CHANGED: "脚本有修改", "the script changed";
        B_SHOW_OLD: "原脚本", "old script";
        B_SHOW_NEW: "新脚本", "new script";
        B_PREVIOUS_BAD: "错误：--previous 给出的上一版本政策包 {0} 无法载入：\n{1}", "error: the previous pack given by --previous, {0}, cannot be loaded:\n{1}";
        B_BACK_TO_TOC: "回到目录", "Back to contents";
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn every_browser_word_has_both_languages() {
            for (name, m) in super::ALL {
                assert!(!m.zh.trim().is_empty() && !m.en.trim().is_empty(), "{name}");
                for i in 0..10 {
                    let p = format!("{{{i}}}");
                    assert_eq!(m.zh.contains(&p), m.en.contains(&p), "{name}: {p}");
                }
            }
        }
    }
}
