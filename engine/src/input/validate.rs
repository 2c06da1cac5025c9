//! Checking one application against its kind: every field typed, every problem named.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::input::RawApplication;
use crate::load::yaml::{Node, NodeValue};
use crate::model::facts::Facts;
use crate::model::lang::{said, Message};
use crate::model::pack::{Kind, Pack};
use crate::model::suggest;
use crate::model::value::{FieldType, Value};

/// An application that failed its checks: every problem found, each naming the field
pub(crate) struct Invalid {
    pub(crate) kind: Option<String>,
    pub(crate) problems: Vec<Message>,
}

/// Where a node is, in both languages (nothing when not known)
fn at(node: &Node) -> Message {
    match node.pos {
        Some(p) => {
            let (line, col) = (p.line, p.col);
            said!("（第{line}行第{col}列）", " (line {line}, column {col})")
        }
        None => said!("", ""),
    }
}

/// The `kind` as written, if it is a text
pub(crate) fn kind_text(raw: &RawApplication) -> Option<String> {
    let n = raw.node.get("kind")?;
    match n.as_scalar() {
        Some((t, _)) if !n.is_null() => Some(t.to_string()),
        _ => None,
    }
}

/// An application checked against its kind: its facts, or every problem found
pub(crate) fn validate(pack: &Pack, raw: &RawApplication) -> Result<Arc<Facts>, Invalid> {
    let kind_written = kind_text(raw);
    let invalid = |problems: Vec<Message>| Invalid {
        kind: kind_written.clone(),
        problems,
    };
    if let Some(problem) = &raw.problem {
        return Err(invalid(vec![(**problem).clone()]));
    }
    let Some(entries) = raw.node.as_map() else {
        let (found, at) = (raw.node.describing(), at(&raw.node));
        let (fz, fe, az, ae) = (found.zh, found.en, at.zh, at.en);
        return Err(invalid(vec![said!(
            "一项申报应是由字段组成的映射，实际是{fz}{az}",
            "an application must be a mapping of fields, found {fe}{ae}"
        )]));
    };
    let mut problems = Vec::new();
    let id = id_of(raw, &mut problems);
    let kind = kind_of(pack, raw, kind_written.as_deref(), &mut problems);
    let Some(kind) = kind else {
        return Err(invalid(problems));
    };

    // Nested mappings become dotted names: `applicant: {in_city: true}` is `applicant.in_city`.
    // Each entry lands in its field's slot; names are built only for messages.
    let mut slots: Vec<Option<&Node>> = vec![None; kind.fields.len()];
    let mut unknown: Vec<(String, &Node)> = Vec::new();
    let mut name = String::new();
    flatten(
        entries,
        &mut name,
        kind,
        &mut slots,
        &mut unknown,
        &mut problems,
    );

    let mut values: Vec<Option<Value>> = Vec::with_capacity(kind.fields.len());
    for (field, node) in kind.fields.iter().zip(&slots) {
        match node {
            None => {
                if field.required {
                    let name = &field.name;
                    let Message { zh: ez, en: ee } = field.ty.expectation();
                    problems.push(said!(
                        "缺少字段 `{name}`：应为{ez}",
                        "missing field `{name}`: expected {ee}"
                    ));
                }
                values.push(None);
            }
            Some(n) if n.is_null() && !field.required => values.push(None),
            Some(n) => match field.ty.parse_node(n) {
                Ok(v) => values.push(Some(v)),
                Err(e) => {
                    let (name, at) = (&field.name, at(n));
                    let (az, ae, ez, ee) = (at.zh, at.en, e.zh, e.en);
                    problems.push(said!("字段 `{name}`{az}：{ez}", "field `{name}`{ae}: {ee}"));
                    values.push(None);
                }
            },
        }
    }
    for (name, node) in &unknown {
        let near = suggest::nearest(name, kind.fields.iter().map(|f| f.name.as_str()));
        let Message { zh: hz, en: he } = hint(near);
        let Message { zh: az, en: ae } = at(node);
        let k = &kind.name;
        problems.push(said!(
            "`{k}` 类申报没有字段 `{name}`{az}{hz}",
            "unknown field `{name}`{ae} for kind `{k}`{he}"
        ));
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    Ok(Arc::new(Facts {
        id,
        kind: kind.name.clone(),
        fields: kind.fields.clone(),
        values,
    }))
}

/// The `id`, or nothing with a problem when it is missing or not a plain value
fn id_of(raw: &RawApplication, problems: &mut Vec<Message>) -> String {
    match raw.node.get("id") {
        None => {
            problems.push(said!("缺少编号 `id`", "missing `id`"));
            String::new()
        }
        Some(n) => match raw.id() {
            // ` C1` and `C1 ` beside `C1` would be three applications of one: refused.
            Some(id) if id.trim() != id || id.is_empty() => {
                let Message { zh: az, en: ae } = at(n);
                problems.push(said!(
                    "字段 `id`{az}：编号 `{id}` 为空或首尾有空白，请去掉空白",
                    "field `id`{ae}: the id `{id}` is empty or has spaces at its start or end"
                ));
                id.to_string()
            }
            Some(id) => id.to_string(),
            None => {
                let Message { zh: az, en: ae } = at(n);
                let Message { zh: fz, en: fe } = n.describing();
                problems.push(said!(
                    "字段 `id`{az}：应为文本，实际是{fz}",
                    "field `id`{ae}: expected a text, found {fe}"
                ));
                String::new()
            }
        },
    }
}

/// "did you mean" for the nearest name, if any
fn hint(near: Option<&str>) -> Message {
    match near {
        Some(s) => said!("；是否应为 `{s}`？", "; did you mean `{s}`?"),
        None => said!("", ""),
    }
}

/// The kind `written` names, or `None` with a problem (a hint where a kind is near it)
fn kind_of<'p>(
    pack: &'p Pack,
    raw: &RawApplication,
    written: Option<&str>,
    problems: &mut Vec<Message>,
) -> Option<&'p Kind> {
    let Message { zh: lz, en: le } = kind_list(pack);
    let Some(n) = raw.node.get("kind") else {
        problems.push(said!(
            "缺少申报类别 `kind`：应为以下之一：{lz}",
            "missing `kind`: expected one of {le}"
        ));
        return None;
    };
    if let Some(k) = written.and_then(|k| pack.kind(k)) {
        return Some(k);
    }
    let near =
        written.and_then(|k| suggest::nearest(k, pack.kinds.iter().map(|k| k.name.as_str())));
    let Message { zh: hz, en: he } = hint(near);
    let Message { zh: az, en: ae } = at(n);
    let Message { zh: fz, en: fe } = n.describing();
    problems.push(said!(
        "字段 `kind`{az}：没有申报类别{fz}{hz}（应为以下之一：{lz}）",
        "field `kind`{ae}: unknown kind {fe}{he} (expected one of {le})"
    ));
    None
}

/// Whether `name` is a group of the kind's dotted fields (`applicant` of `applicant.name`);
/// the quick reader (`input::quick`) asks this too
pub(crate) fn is_group(kind: &Kind, name: &str) -> bool {
    // No field name starts with a dot (the pack's loader refuses one), so "" is no group.
    !name.is_empty()
        && kind.fields.iter().any(|f| {
            f.name.len() > name.len()
                && f.name.starts_with(name)
                && f.name.as_bytes()[name.len()] == b'.'
        })
}

fn flatten<'a>(
    entries: &'a [(Node, Node)],
    name: &mut String,
    kind: &Kind,
    slots: &mut [Option<&'a Node>],
    unknown: &mut Vec<(String, &'a Node)>,
    problems: &mut Vec<Message>,
) {
    let base = name.len();
    // A key written twice in one mapping (`id`, `kind` or a group such as `applicant` too) is
    // refused like a field given twice: which one counts must never depend on the order.
    let mut seen: Vec<(&str, &Node)> = Vec::new();
    for (k, v) in entries {
        if let Some((key, _)) = k.as_scalar() {
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == key) {
                name.truncate(base);
                if base > 0 {
                    name.push('.');
                }
                name.push_str(key);
                let (a1, a2) = (at(first), at(k));
                let (z1, e1, z2, e2) = (a1.zh, a1.en, a2.zh, a2.en);
                problems.push(said!(
                    "字段 `{name}` 出现了两次{z1}{z2}：只能写一次",
                    "field `{name}` is given twice{e1}{e2}: give it once"
                ));
                continue;
            }
            seen.push((key, k));
        }
        let Some((key, _)) = k.as_scalar() else {
            let Message { zh: az, en: ae } = at(k);
            problems.push(said!(
                "字段名应是文本{az}",
                "a field name must be a text{ae}"
            ));
            continue;
        };
        name.truncate(base);
        if base > 0 {
            name.push('.');
        }
        name.push_str(key);
        if base == 0 && (key == "id" || key == "kind") {
            continue;
        }
        if let Some(i) = kind.fields.iter().position(|f| f.name == *name) {
            match slots[i] {
                // A field given twice (a repeated key, or `applicant.in_city` beside
                // `applicant: {in_city}`) is refused: which one counts must never depend on
                // the order written.
                Some(first) => {
                    let (a1, a2) = (at(first), at(v));
                    let (z1, e1, z2, e2) = (a1.zh, a1.en, a2.zh, a2.en);
                    problems.push(said!(
                        "字段 `{name}` 出现了两次{z1}{z2}：只能写一次",
                        "field `{name}` is given twice{e1}{e2}: give it once"
                    ))
                }
                None => slots[i] = Some(v),
            }
            continue;
        }
        if is_group(kind, name) {
            match &v.value {
                NodeValue::Map(inner) => flatten(inner, name, kind, slots, unknown, problems),
                _ if v.is_null() => {}
                _ => {
                    let Message { zh: az, en: ae } = at(v);
                    let Message { zh: fz, en: fe } = v.describing();
                    let Message { zh: mz, en: me } = group_members(kind, &format!("{name}."));
                    problems.push(said!(
                        "字段 `{name}`{az}：应为由 {mz} 组成的映射，实际是{fz}",
                        "field `{name}`{ae}: expected a mapping of {me}, found {fe}"
                    ))
                }
            }
            continue;
        }
        unknown.push((name.clone(), v));
    }
    name.truncate(base);
}

fn group_members(kind: &Kind, group: &str) -> Message {
    let names: Vec<String> = kind
        .fields
        .iter()
        .filter_map(|f| f.name.strip_prefix(group))
        .map(|n| format!("`{n}`"))
        .collect();
    listed(&names)
}

fn kind_list(pack: &Pack) -> Message {
    let names: Vec<String> = pack.kinds.iter().map(|k| format!("`{}`", k.name)).collect();
    listed(&names)
}

/// Names listed as each language lists them: `a`、`b` and `a`, `b`
fn listed(names: &[String]) -> Message {
    let (zh, en) = (names.join("、"), names.join(", "));
    said!("{zh}", "{en}")
}

/// Reading a value from a document node belongs to input: the model knows only text.
impl FieldType {
    /// Reads a value from a YAML/JSON node: `Err` says what is wrong, in words
    pub fn parse_node(&self, node: &Node) -> Result<Value, Message> {
        let mismatch = || {
            let Message { zh: ez, en: ee } = self.expectation();
            let Message { zh: fz, en: fe } = node.describing();
            said!("应为{ez}，实际是{fz}", "expected {ee}, found {fe}")
        };
        let Some((text, quoted)) = node.as_scalar() else {
            return Err(mismatch());
        };
        match self {
            FieldType::Bool => node.as_bool().map(Value::Bool).ok_or_else(mismatch),
            FieldType::Integer { .. } => {
                let n = if quoted { None } else { node.as_int() };
                let n = n.ok_or_else(mismatch)?;
                self.check_bounds(Decimal::from(n))?;
                Ok(Value::Int(n))
            }
            FieldType::Decimal { .. } | FieldType::Money { .. } => {
                if node.as_bool().is_some() || node.is_null() {
                    return Err(mismatch());
                }
                self.parse_text(text)
            }
            FieldType::Text { .. } | FieldType::OneOf { .. } | FieldType::Date { .. } => {
                if !quoted && (node.is_null() || node.as_bool().is_some()) {
                    return Err(mismatch());
                }
                self.parse_text(text)
            }
        }
    }
}
