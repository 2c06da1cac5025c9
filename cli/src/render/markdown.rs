//! Markdown: the revision table of `diff --format md`, to paste into a document.

use policy_engine::{Lang, Pack, Revision};

use super::changed_scripts;
use super::text::effect_text;
use crate::effect::Effect;

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

pub fn diff_markdown(old: &Pack, new: &Pack, rows: &[Revision], effect: Option<&Effect>) -> String {
    let mut out = format!(
        "# 修改对照表：{}\n\n{} → {}\n\n| 条款 | 条文 | 修改项 | 原 | 新 |\n|---|---|---|---|---|\n",
        md_cell(&new.title),
        md_cell(&old.version),
        md_cell(&new.version)
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md_cell(r.clause.as_deref().unwrap_or("（整体）")),
            md_cell(r.article.as_deref().unwrap_or("")),
            md_cell(&r.item),
            md_cell(&r.old),
            if r.item == "script" {
                "见下方".to_string()
            } else {
                md_cell(&r.new)
            }
        ));
    }
    for (clause, script) in changed_scripts(rows) {
        out.push_str(&format!(
            "\n`{clause}` 脚本修改：\n\n```diff\n{script}\n```\n"
        ));
    }
    if let Some(e) = effect {
        out.push_str(&format!(
            "\n```\n{}```\n",
            effect_text(e, Lang::Zh).trim_start()
        ));
    }
    out
}
