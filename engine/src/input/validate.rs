//! Checking one application against its kind: every field typed, every problem named.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::input::RawApplication;
use crate::load::yaml::{Node, NodeValue};
use crate::model::facts::Facts;
use crate::model::pack::{Kind, Pack};
use crate::model::suggest;
use crate::model::value::{FieldType, Value};

/// An application that failed its checks: every problem found, each naming the field
pub(crate) struct Invalid {
    pub(crate) kind: Option<String>,
    pub(crate) problems: Vec<String>,
}

fn at(node: &Node) -> String {
    node.pos
        .map(|p| format!(" (line {}, column {})", p.line, p.col))
        .unwrap_or_default()
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
    let invalid = |problems: Vec<String>| Invalid {
        kind: kind_written.clone(),
        problems,
    };
    if let Some(problem) = &raw.problem {
        return Err(invalid(vec![problem.clone()]));
    }
    let Some(entries) = raw.node.as_map() else {
        return Err(invalid(vec![format!(
            "an application must be a mapping of fields, found {}{}",
            raw.node.describe(),
            at(&raw.node)
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
                    problems.push(format!(
                        "missing field `{}`: expected {}",
                        field.name,
                        field.ty.expectation()
                    ));
                }
                values.push(None);
            }
            Some(n) if n.is_null() && !field.required => values.push(None),
            Some(n) => match field.ty.parse_node(n) {
                Ok(v) => values.push(Some(v)),
                Err(e) => {
                    problems.push(format!("field `{}`{}: {e}", field.name, at(n)));
                    values.push(None);
                }
            },
        }
    }
    for (name, node) in &unknown {
        let hint = suggest::nearest(name, kind.fields.iter().map(|f| f.name.as_str()))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        problems.push(format!(
            "unknown field `{name}`{} for kind `{}`{hint}",
            at(node),
            kind.name
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
fn id_of(raw: &RawApplication, problems: &mut Vec<String>) -> String {
    match raw.node.get("id") {
        None => {
            problems.push("missing `id`".to_string());
            String::new()
        }
        Some(n) => match raw.id() {
            Some(id) => id.to_string(),
            None => {
                problems.push(format!(
                    "field `id`{}: expected a text, found {}",
                    at(n),
                    n.describe()
                ));
                String::new()
            }
        },
    }
}

/// The kind `written` names, or `None` with a problem (a hint where a kind is near it)
fn kind_of<'p>(
    pack: &'p Pack,
    raw: &RawApplication,
    written: Option<&str>,
    problems: &mut Vec<String>,
) -> Option<&'p Kind> {
    let Some(n) = raw.node.get("kind") else {
        problems.push(format!(
            "missing `kind`: expected one of {}",
            kind_list(pack)
        ));
        return None;
    };
    if let Some(k) = written.and_then(|k| pack.kind(k)) {
        return Some(k);
    }
    let hint = written
        .and_then(|k| suggest::nearest(k, pack.kinds.iter().map(|k| k.name.as_str())))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    problems.push(format!(
        "field `kind`{}: unknown kind {}{hint} (expected one of {})",
        at(n),
        n.describe(),
        kind_list(pack)
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
    problems: &mut Vec<String>,
) {
    let base = name.len();
    for (k, v) in entries {
        let Some((key, _)) = k.as_scalar() else {
            problems.push(format!("a field name must be a text{}", at(k)));
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
                Some(first) => problems.push(format!(
                    "field `{name}` is given twice{}{}: give it once",
                    at(first),
                    at(v)
                )),
                None => slots[i] = Some(v),
            }
            continue;
        }
        if is_group(kind, name) {
            match &v.value {
                NodeValue::Map(inner) => flatten(inner, name, kind, slots, unknown, problems),
                _ if v.is_null() => {}
                _ => problems.push(format!(
                    "field `{name}`{}: expected a mapping of {}, found {}",
                    at(v),
                    group_members(kind, &format!("{name}.")),
                    v.describe()
                )),
            }
            continue;
        }
        unknown.push((name.clone(), v));
    }
    name.truncate(base);
}

fn group_members(kind: &Kind, group: &str) -> String {
    let names: Vec<String> = kind
        .fields
        .iter()
        .filter_map(|f| f.name.strip_prefix(group))
        .map(|n| format!("`{n}`"))
        .collect();
    names.join(", ")
}

fn kind_list(pack: &Pack) -> String {
    let names: Vec<String> = pack.kinds.iter().map(|k| format!("`{}`", k.name)).collect();
    names.join(", ")
}

/// Reading a value from a document node belongs to input: the model knows only text.
impl FieldType {
    /// Reads a value from a YAML/JSON node: `Err` says what is wrong, in words
    pub fn parse_node(&self, node: &Node) -> Result<Value, String> {
        let found = || node.describe();
        let mismatch = || format!("expected {}, found {}", self.expectation(), found());
        let Some((text, quoted)) = node.as_scalar() else {
            return Err(mismatch());
        };
        match self {
            FieldType::Bool => node
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| format!("expected true or false, found {}", found())),
            FieldType::Integer { .. } => {
                let n = if quoted { None } else { node.as_int() };
                let n = n.ok_or_else(|| format!("expected a whole number, found {}", found()))?;
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
