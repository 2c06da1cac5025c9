//! `policy new pack`: a new pack folder that checks clean and passes its own test at once, with
//! one example clause to rewrite or replace.
//!
//! The folder holds `pack.yaml`, one clause (YAML and script), a test that reaches every outcome
//! of the clause, example applications, and `source/policy.txt` for the policy's text. Nothing
//! is written unless the folder is new or empty.

use std::fs;
use std::path::Path;

use policy_engine::Engine;

use super::new::{quote, valid_id};
use super::Io;
use crate::args::NewPackArgs;
use crate::exit::EXIT_OK;
use crate::render::diagnostics::load_errors_in;

/// The example clause's sentence; the source file holds it, so the clause's `text` is found there
const EXAMPLE_TEXT: &str = "对符合条件的申报单位，给予10万元奖励。";

/// `policy new pack`
pub fn pack(io: &mut Io<'_>, args: &NewPackArgs) -> Result<u8, String> {
    let written = new_pack(args)?;
    // What was written must load and pass its own test; anything else is a fault here.
    let engine =
        Engine::load(&args.dir).map_err(|e| load_errors_in(&e, io.error_format, io.lang))?;
    let report = engine
        .run_tests()
        .map_err(|e| load_errors_in(&e, io.error_format, io.lang))?;
    if report.failed > 0 {
        return Err("error: the new pack's own test fails; please report this".into());
    }
    io.emit(&format!(
        "wrote {}\nnext: paste the policy's text into source/policy.txt, rewrite the example clause \
         (or add clauses with `policy new clause`), then `policy check` and `policy test`\n",
        written.join(", ")
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
fn new_pack(n: &NewPackArgs) -> Result<Vec<String>, String> {
    if !valid_id(&n.id) {
        return Err(format!(
            "error: `{}` cannot be a pack id: use lower-case letters, digits and `-`",
            n.id
        ));
    }
    if let Some(bad) = [&n.title, &n.issuer]
        .into_iter()
        .find(|t| t.trim().is_empty() || t.chars().any(char::is_control))
    {
        return Err(format!(
            "error: `{}` cannot be a title or an issuer: one line of text, not empty",
            bad.escape_debug()
        ));
    }
    if !is_new_or_empty(&n.dir)? {
        return Err(format!(
            "error: {} is not empty: a new pack needs a new or empty folder",
            n.dir.display()
        ));
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
    for (rel, text) in files {
        let path = n.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("error: {}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("error: {}: {e}", path.display()))?;
        written.push(path.display().to_string());
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
         // Read the application as `app.<field>` and the parameters as `params.<name>`;\n\
         // end with award(amount, reason) or ineligible(reason).\n\
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
