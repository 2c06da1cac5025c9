//! `policy new pack`: a new pack folder that checks clean and passes its own test at once, with
//! one example clause to rewrite or replace.
//!
//! The folder holds `pack.yaml`, one clause (YAML and script), a test that reaches every outcome
//! of the clause, example applications, and `source/policy.txt` for the policy's text. Nothing
//! is written unless the folder is new or empty.

use std::fs;
use std::path::Path;

use policy_engine::{Engine, Lang};

use super::new::{quote, valid_id};
use super::Io;
use crate::args::NewPackArgs;
use crate::exit::EXIT_OK;
use crate::messages as m;
use crate::render::diagnostics::load_errors_in;

/// The example clause's sentence; the source file holds it, so the clause's `text` is found there
const EXAMPLE_TEXT: &str = "对符合条件的申报单位，给予10万元奖励。";

/// `policy new pack`
pub fn pack(io: &mut Io<'_>, args: &NewPackArgs) -> Result<u8, String> {
    // The new pack is written in Chinese and says `language: zh`; what this command shows
    // follows `--lang` or the environment, else the pack's language.
    let lang = crate::messages::resolve(io.lang, Some(policy_engine::Lang::Zh));
    let written = new_pack(args, lang)?;
    // What was written must load and pass its own test; anything else is a fault here.
    let engine =
        Engine::load(&args.dir).map_err(|e| load_errors_in(&e, io.error_format, io.lang))?;
    let report = engine
        .run_tests()
        .map_err(|e| load_errors_in(&e, io.error_format, io.lang))?;
    if report.failed > 0 {
        return Err(m::NEW_PACK_OWN_TEST.get(lang).into());
    }
    io.emit(&format!(
        "{}\n{}\n",
        m::NEW_WROTE.fill(lang, &[&written.join(lang.pick("、", ", "))]),
        m::NEW_PACK_NEXT.get(lang)
    ));
    Ok(EXIT_OK)
}

/// Whether a folder may receive the new pack: it does not exist yet, or is empty
fn is_new_or_empty(dir: &Path) -> Result<bool, String> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(format!("error: {}: {e}", dir.display())),
    }
}

/// Writes the pack; returns the files written, for the message
fn new_pack(n: &NewPackArgs, lang: Lang) -> Result<Vec<String>, String> {
    if !valid_id(&n.id) {
        return Err(m::NEW_PACK_ID.fill(lang, &[&n.id]));
    }
    if let Some(bad) = [&n.title, &n.issuer]
        .into_iter()
        .find(|t| t.trim().is_empty() || t.chars().any(char::is_control))
    {
        return Err(m::NEW_PACK_TITLE.fill(lang, &[&bad.escape_debug()]));
    }
    if !is_new_or_empty(&n.dir)? {
        return Err(m::NEW_PACK_NOT_EMPTY.fill(lang, &[&n.dir.display()]));
    }
    let files: [(&str, String); 6] = [
        ("pack.yaml", pack_yaml(n)),
        ("source/policy.txt", source_text(n)),
        ("clauses/example-award.yaml", clause_yaml()),
        ("clauses/example-award.rhai", clause_script()),
        ("tests/example-award.yaml", clause_test()),
        ("examples/applications.yaml", examples()),
    ];
    let mut written = Vec::new();
    let mut made = Vec::new();
    let mut write_all = || -> Result<(), String> {
        for (rel, text) in &files {
            let path = n.dir.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("error: {}: {e}", parent.display()))?;
            }
            made.push(path.clone());
            fs::write(&path, text).map_err(|e| format!("error: {}: {e}", path.display()))?;
            written.push(path.display().to_string());
        }
        Ok(())
    };
    if let Err(e) = write_all() {
        // A half-written pack (a full disk) would stop the next try ("not empty"): the folder
        // is left as empty as it was found.
        for p in &made {
            let _ = fs::remove_file(p);
        }
        for sub in ["source", "clauses", "tests", "examples", ""] {
            let _ = fs::remove_dir(n.dir.join(sub));
        }
        return Err(e);
    }
    Ok(written)
}

fn pack_yaml(n: &NewPackArgs) -> String {
    format!(
        "# {title}\n\
         id: {id}\n\
         title: {qtitle}\n\
         issuer: {issuer}\n\
         status: 草稿\n\
         version: 0.1.0\n\
         source:\n  title: {qtitle}\n  file: source/policy.txt\n\
         \n\
         # 起草人读中文：命令行的提示、状态和汇总用中文（--lang en 改为英文）。\n\
         language: zh\n\
         \n\
         # 条款，按条文顺序；每个条款是 clauses/<id>.yaml 与 clauses/<id>.rhai。\n\
         clauses:\n  - example-award\n\
         \n\
         # 申报年度：参数可按年度取值。\n\
         period: year\n\
         \n\
         # 奖补金额四舍五入到分。\n\
         rounding:\n  scale: 2\n  mode: half-up\n\
         \n\
         # 每类申报都有的字段。\n\
         fields:\n\
         \x20 year:\n    type: integer\n    min: 2000\n    max: 2100\n    description: 申报年度\n\
         \x20 applicant.name:\n    type: text\n    description: 申报单位名称\n\
         \n\
         # 申报类别及其字段。\n\
         kinds:\n\
         \x20 example:\n    title: 示例申报\n    fields:\n      \
         eligible:\n        type: bool\n        description: 是否符合条件（示例字段，请按原文修改）\n",
        title = n.title,
        id = n.id,
        qtitle = quote(&n.title),
        issuer = quote(&n.issuer),
    )
}

fn source_text(n: &NewPackArgs) -> String {
    format!(
        "{}\n\n（请把政策原文粘贴到这里，替换下面的示例条文。每个条款的 text 必须能在这里逐字找到。）\n\n{EXAMPLE_TEXT}\n",
        n.title
    )
}

fn clause_yaml() -> String {
    format!(
        "id: example-award\n\
         title: 示例奖励\n\
         article: 一\n\
         text: {text}\n\
         kind: example\n\
         notes: 示例条款：请按原文改写，或删除后用 `policy new clause` 新建条款。\n\
         parameters:\n  amount:\n    value: 10万\n    unit: yuan\n    description: 奖励金额\n",
        text = quote(EXAMPLE_TEXT)
    )
}

fn clause_script() -> String {
    format!(
        "// 一 示例奖励\n// {EXAMPLE_TEXT}\n\n\
         // 用 app.<字段> 读取申报的事实，用 params.<名称> 读取参数；\n\
         // 最后写 award(金额, 理由) 给予奖励，或 ineligible(理由) 不予支持。\n\
         if !app.eligible {{\n    return ineligible(\"不符合条件\");\n}}\n\
         award(params.amount, `符合条件，奖励 ${{yuan(params.amount)}} 元`)\n"
    )
}

fn clause_test() -> String {
    "name: 一 示例奖励\n\
     cases:\n  - name: 符合条件的申报获得奖励\n    applications:\n      \
     - { id: EX-1, year: 2025, kind: example, applicant: { name: 示例公司 }, eligible: true }\n    \
     expect:\n      - { id: EX-1, status: awarded, amount: 10万, clause: example-award }\n  \
     - name: 不符合条件的不予奖励\n    applications:\n      \
     - { id: EX-2, year: 2025, kind: example, applicant: { name: 示例公司 }, eligible: false }\n    \
     expect:\n      - { id: EX-2, status: ineligible, amount: 0, reason: 不符合条件 }\n"
        .to_string()
}

fn examples() -> String {
    "# 示例申报，可用 `policy run --pack <本目录> --input examples/applications.yaml` 试算。\n\
     - { id: EX-1, year: 2025, kind: example, applicant: { name: 示例公司甲 }, eligible: true }\n\
     - { id: EX-2, year: 2025, kind: example, applicant: { name: 示例公司乙 }, eligible: false }\n"
        .to_string()
}
