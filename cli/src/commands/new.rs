//! `policy new clause`: a new clause's YAML, script and test, entered in `pack.yaml`.
//!
//! The files are ready to edit; the clause (and its kind, if new) is added to the pack.

use std::fs;

use policy_engine::{Engine, FieldType, Kind};

use super::Io;
use crate::args::NewClauseArgs;
use crate::exit::EXIT_OK;
use crate::render::diagnostics::{load_errors, ErrorFormat};

/// `policy new clause`
pub fn clause(io: &mut Io<'_>, args: &NewClauseArgs) -> Result<u8, String> {
    let written = new_clause(args, io.error_format)?;
    io.emit(&format!(
        "wrote {}\nnext: edit the script and the test, then `policy check` and `policy test`\n",
        written.join(", ")
    ));
    Ok(EXIT_OK)
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML)
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Whether a text can be an id: lower-case letters, digits and `-`, not starting with `-`
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

/// Adds `- id` to a block list under `key:` at the top level of a YAML text; `None` if the
/// text has no such block list
fn append_to_list(text: &str, key: &str, item: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == format!("{key}:"))?;
    let mut last = start;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if l.trim_start().starts_with("- ") {
            last = i;
        } else if !l.trim().is_empty() && !l.starts_with(' ') && !l.starts_with('#') {
            break;
        }
    }
    let indent: String = lines
        .get(last)
        .filter(|_| last > start)
        .map(|l| l.chars().take_while(|c| *c == ' ').collect())
        .unwrap_or_else(|| "  ".into());
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(last + 1, format!("{indent}- {item}"));
    Some(out.join("\n") + "\n")
}

/// Adds a kind with no fields of its own at the end of the top-level `kinds:` mapping
fn append_kind(text: &str, kind: &str, title: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == "kinds:")?;
    let mut end = lines.len();
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if !l.trim().is_empty() && !l.starts_with(' ') && !l.starts_with('#') {
            end = i;
            break;
        }
    }
    // Back over blank and comment lines that belong to the next block.
    while end > start + 1 && {
        let l = lines[end - 1];
        l.trim().is_empty() || l.starts_with('#')
    } {
        end -= 1;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(
        end,
        format!("  {kind}:\n    title: {title}\n    fields: {{}}"),
    );
    Some(out.join("\n") + "\n")
}

fn example_value(ty: &FieldType) -> String {
    match ty {
        FieldType::Bool => "true".into(),
        FieldType::Integer { min, .. } => min.map(|m| m.to_string()).unwrap_or_else(|| "1".into()),
        FieldType::Decimal { min, .. } => min.map(|m| m.to_string()).unwrap_or_else(|| "1".into()),
        FieldType::Money { .. } => "100000".into(),
        FieldType::Text { .. } => "示例".into(),
        FieldType::OneOf { values } => values.first().cloned().unwrap_or_default(),
        FieldType::Date { min, .. } => min
            .map(|m| m.to_string())
            .unwrap_or_else(|| "2025-01-01".into()),
    }
}

/// One example application of a kind, in flow YAML, with every required field
fn example_application(kind: &Kind, id: &str, period: Option<&str>) -> String {
    let mut top: Vec<(String, String)> =
        vec![("id".into(), id.into()), ("kind".into(), kind.name.clone())];
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for f in kind.fields.iter().filter(|f| f.required) {
        let mut value = example_value(&f.ty);
        if Some(f.name.as_str()) == period {
            value = "2025".into();
        }
        match f.name.split_once('.') {
            Some((group, leaf)) => match groups.iter_mut().find(|(g, _)| g == group) {
                Some((_, members)) => members.push((leaf.into(), value)),
                None => groups.push((group.into(), vec![(leaf.into(), value)])),
            },
            None => top.push((f.name.clone(), value)),
        }
    }
    let mut parts: Vec<String> = top.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
    for (g, members) in groups {
        let inner: Vec<String> = members
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        parts.push(format!("{g}: {{ {} }}", inner.join(", ")));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// Writes the clause; returns the paths written, for the message
fn new_clause(n: &NewClauseArgs, format: ErrorFormat) -> Result<Vec<String>, String> {
    if !valid_id(&n.id) {
        return Err(format!(
            "error: `{}` cannot be a clause id: use lower-case letters, digits and `-`",
            n.id
        ));
    }
    let engine = Engine::load(&n.pack).map_err(|e| load_errors(&e, format))?;
    let pack = engine.pack();
    if pack.clause(&n.id).is_some() {
        return Err(format!("error: the pack already has a clause `{}`", n.id));
    }
    if let Some(c) = pack.clause_for_kind(&n.kind) {
        return Err(format!(
            "error: kind `{}` is already decided by clause `{}`; one clause decides a kind: give a new --kind",
            n.kind, c.id
        ));
    }
    let pack_yaml = n.pack.join("pack.yaml");
    let mut pack_text = fs::read_to_string(&pack_yaml).map_err(|e| format!("error: {e}"))?;
    if pack.kind(&n.kind).is_none() {
        pack_text = append_kind(&pack_text, &n.kind, &n.title)
            .ok_or("error: pack.yaml has no top-level `kinds:` block to add the kind to")?;
    }
    if pack_text.lines().any(|l| l.trim_end() == "clauses:") {
        pack_text = append_to_list(&pack_text, "clauses", &n.id)
            .ok_or("error: cannot add the clause to the `clauses:` list of pack.yaml")?;
    }
    let meta = n.pack.join("clauses").join(format!("{}.yaml", n.id));
    let script = n.pack.join("clauses").join(format!("{}.rhai", n.id));
    let test = n.pack.join("tests").join(format!("{}.yaml", n.id));
    for p in [&meta, &script, &test] {
        if p.exists() {
            return Err(format!("error: {} exists already", p.display()));
        }
    }
    let write = |path: &std::path::Path, text: &str| {
        fs::write(path, text).map_err(|e| format!("error: {e}"))
    };
    write(&pack_yaml, &pack_text)?;
    write(&meta, &clause_yaml(n))?;
    write(&script, &clause_script(n))?;
    // The test needs the kind as the pack now declares it.
    let reloaded = Engine::load(&n.pack);
    let kind = match &reloaded {
        Ok(e) => e.pack().kind(&n.kind).cloned(),
        Err(_) => Engine::load(&n.pack)
            .ok()
            .and_then(|e| e.pack().kind(&n.kind).cloned()),
    };
    let app = match &kind {
        Some(k) => example_application(
            k,
            &format!("{}-1", n.id.to_uppercase()),
            pack.period.as_deref(),
        ),
        None => format!("{{ id: {}-1, kind: {} }}", n.id.to_uppercase(), n.kind),
    };
    fs::create_dir_all(n.pack.join("tests")).map_err(|e| format!("error: {e}"))?;
    write(&test, &clause_test(n, &app))?;
    Ok([&pack_yaml, &meta, &script, &test]
        .iter()
        .map(|p| p.display().to_string())
        .collect())
}

/// The sentence the clause encodes, or where to put it
fn source_text(n: &NewClauseArgs) -> &str {
    n.text
        .as_deref()
        .unwrap_or("TODO: paste the exact sentence of the source document this clause encodes")
}

/// The clause's YAML, with an example parameter
fn clause_yaml(n: &NewClauseArgs) -> String {
    let text = source_text(n);
    format!(
        "id: {id}\ntitle: {title}\narticle: {article}\ntext: {text}\nkind: {kind}\nparameters:\n  amount:\n    value: 100000\n    unit: yuan\n    description: 奖励金额（示例，请按原文修改）\n",
        id = n.id,
        // Quoted: a title or text may hold `:` or `#`, which YAML would read otherwise.
        title = quote(&n.title),
        article = quote(&n.article),
        text = quote(text),
        kind = n.kind
    )
}

/// The clause's script: its article and text as a comment, and an award to edit
fn clause_script(n: &NewClauseArgs) -> String {
    let text = source_text(n);
    format!(
        "// {article} {title}\n// {text}\n\n// Read the application as `app.<field>` and the parameters as `params.<name>`;\n// end with award(amount, reason) or ineligible(reason).\naward(params.amount, `奖励 ${{yuan(params.amount)}} 元`)\n",
        article = n.article,
        title = n.title,
    )
}

/// A test of the clause: one application it awards
fn clause_test(n: &NewClauseArgs, app: &str) -> String {
    format!(
        "name: {article} {title}\ncases:\n  - name: 示例：符合条件的申报获得奖励\n    applications:\n      - {app}\n    expect:\n      - {{ id: {id}-1, status: awarded, amount: 100000.00, clause: {clause} }}\n",
        article = n.article,
        title = n.title,
        id = n.id.to_uppercase(),
        clause = n.id
    )
}
