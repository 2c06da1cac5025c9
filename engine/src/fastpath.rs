//! The quick way from a JSON line to checked facts, for the common case of a valid
//! application: no tree of nodes, field names compared in place, values parsed from the text.
//!
//! It accepts exactly what the general reader and checker accept, and gives up (returns
//! `None`) on anything else, however harmless: the general path then decides that record and
//! words its errors. So every error message still comes from one place.

use std::borrow::Cow;
use std::sync::Arc;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::decide::Checked;
use crate::pack::{Kind, Pack};
use crate::script::Facts;
use crate::value::{FieldType, Value};

type Entries<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

/// The members of a JSON object, in order, values left as their raw text
fn object(text: &str) -> Option<Entries<'_>> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Entries<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
            let mut out = Vec::with_capacity(16);
            while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                let v: &'de RawValue = map.next_value()?;
                out.push((k, v));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let entries = (&mut de).deserialize_map(V).ok()?;
    de.end().ok()?;
    Some(entries)
}

/// A scalar's text and whether it was a string; `None` for objects and arrays
fn scalar(raw: &RawValue) -> Option<(Cow<'_, str>, bool)> {
    let t = raw.get().trim();
    match t.as_bytes().first()? {
        b'"' => {
            let inner = &t[1..t.len().checked_sub(1)?];
            if inner.contains('\\') {
                serde_json::from_str::<String>(t)
                    .ok()
                    .map(|s| (Cow::Owned(s), true))
            } else {
                Some((Cow::Borrowed(inner), true))
            }
        }
        b'{' | b'[' => None,
        _ => Some((Cow::Borrowed(t), false)),
    }
}

fn is_null(text: &str, quoted: bool) -> bool {
    !quoted && text == "null"
}

fn plain_bool(text: &str, quoted: bool) -> Option<bool> {
    match (text, quoted) {
        ("true", false) => Some(true),
        ("false", false) => Some(false),
        _ => None,
    }
}

/// The value a scalar gives a field, accepting exactly what `FieldType::parse_node` accepts
fn value(ty: &FieldType, text: &str, quoted: bool) -> Option<Value> {
    match ty {
        FieldType::Bool => plain_bool(text, quoted).map(Value::Bool),
        FieldType::Integer { .. } => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            if quoted || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            ty.parse_text(text).ok()
        }
        FieldType::Decimal { .. } | FieldType::Money { .. } => {
            if is_null(text, quoted) || plain_bool(text, quoted).is_some() {
                return None;
            }
            ty.parse_text(text).ok()
        }
        FieldType::Text { .. } | FieldType::OneOf { .. } => {
            if is_null(text, quoted) || plain_bool(text, quoted).is_some() {
                return None;
            }
            ty.parse_text(text).ok()
        }
    }
}

/// Whether field `name` is `group.key`
fn is_member(name: &str, group: &str, key: &str) -> bool {
    name.len() == group.len() + 1 + key.len()
        && name.starts_with(group)
        && name.as_bytes()[group.len()] == b'.'
        && name.ends_with(key)
}

fn place<'a>(
    kind: &Kind,
    slots: &mut [Option<(Cow<'a, str>, bool)>],
    index: usize,
    raw: &'a RawValue,
) -> Option<()> {
    let (text, quoted) = scalar(raw)?;
    if slots[index].is_some() {
        return None;
    }
    if is_null(&text, quoted) && !kind.fields[index].required {
        // An optional field given as null is absent; keep a marker so a repeat still fails.
        slots[index] = Some((Cow::Borrowed("null"), false));
        return Some(());
    }
    slots[index] = Some((text, quoted));
    Some(())
}

/// The checked facts of a valid application written as one JSON object, or `None`
pub(crate) fn json_facts(pack: &Pack, text: &str) -> Option<Checked> {
    let entries = object(text)?;
    let mut id = None;
    let mut kind_name = None;
    for (k, v) in &entries {
        match k.as_ref() {
            "id" => {
                if id.is_some() {
                    return None;
                }
                let (t, quoted) = scalar(v)?;
                if t.is_empty() || is_null(&t, quoted) || plain_bool(&t, quoted).is_some() {
                    return None;
                }
                id = Some(t.into_owned());
            }
            "kind" => {
                if kind_name.is_some() {
                    return None;
                }
                let (t, quoted) = scalar(v)?;
                if is_null(&t, quoted) {
                    return None;
                }
                kind_name = Some(t);
            }
            _ => {}
        }
    }
    let kind = pack.kind(kind_name.as_deref()?)?;
    let clause = pack.clauses.iter().position(|c| c.kind == kind.name)?;
    let mut slots: Vec<Option<(Cow<'_, str>, bool)>> = vec![None; kind.fields.len()];
    let mut nested: Vec<Entries<'_>> = Vec::new();
    for (k, v) in &entries {
        let key = k.as_ref();
        if key == "id" || key == "kind" {
            continue;
        }
        if let Some(i) = kind.fields.iter().position(|f| f.name == key) {
            place(kind, &mut slots, i, v)?;
            continue;
        }
        // A group such as `applicant`: its members are `applicant.<key>`.
        let inner = object(v.get())?;
        for (ik, iv) in &inner {
            let i = kind
                .fields
                .iter()
                .position(|f| is_member(&f.name, key, ik))?;
            place(kind, &mut slots, i, iv)?;
        }
        nested.push(inner);
    }
    let mut values = Vec::with_capacity(kind.fields.len());
    for (field, slot) in kind.fields.iter().zip(&slots) {
        match slot {
            None if field.required => return None,
            None => values.push(None),
            Some((t, q)) if is_null(t, *q) => {
                if field.required {
                    return None;
                }
                values.push(None);
            }
            Some((t, q)) => values.push(Some(value(&field.ty, t, *q)?)),
        }
    }
    Some(Checked {
        facts: Arc::new(Facts {
            id: id?,
            kind: kind.name.clone(),
            fields: kind.fields.clone(),
            values,
        }),
        clause,
    })
}

/// Only the `id` and `kind` of a JSON line, as an application of two fields (a first pass
/// needs no more); `None` where the general reader should look
pub(crate) fn light(text: &str, index: usize, line: usize) -> Option<crate::input::RawApplication> {
    use crate::yaml::{Node, NodeValue, Pos};
    let entries = object(text)?;
    let mut kept = Vec::with_capacity(2);
    for (k, v) in &entries {
        if k == "id" || k == "kind" {
            let (t, quoted) = scalar(v)?;
            kept.push((
                Node::scalar(k.as_ref(), true),
                Node::scalar(t.into_owned(), quoted),
            ));
        }
    }
    Some(crate::input::RawApplication {
        index,
        pos: Some(Pos { line, col: 1 }),
        node: Node {
            value: NodeValue::Map(kept),
            pos: None,
        },
        problem: None,
    })
}

/// The top-level `id` and `kind` of a JSON object, found by walking its bytes without building
/// anything; `None` whenever anything is unusual (escapes in them, repeats, odd syntax): the
/// caller then asks a real parser
pub(crate) fn scan_id_kind(text: &str) -> Option<(Option<&str>, Option<&str>)> {
    let b = text.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    // A string starting at b[i] == '"': its contents if free of escapes, and the index after it
    let string = |i: usize| -> Option<(&str, usize, bool)> {
        let mut j = i + 1;
        let mut escaped = false;
        while j < b.len() {
            match b[j] {
                b'"' => return Some((text.get(i + 1..j)?, j + 1, escaped)),
                b'\\' => {
                    escaped = true;
                    j += 2;
                }
                _ => j += 1,
            }
        }
        None
    };
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let (mut id, mut kind) = (None, None);
    loop {
        ws(&mut i);
        match b.get(i)? {
            b'}' => break,
            b'"' => {}
            _ => return None,
        }
        let (key, after, key_escaped) = string(i)?;
        i = after;
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let wanted = !key_escaped && (key == "id" || key == "kind");
        let start = i;
        // Skip the value, noting a plain string or number for the wanted keys.
        let (value, plain) = match b.get(i)? {
            b'"' => {
                let (s, after, escaped) = string(i)?;
                i = after;
                (s, !escaped)
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match b.get(i)? {
                        b'{' | b'[' => {
                            depth += 1;
                            i += 1;
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            i += 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'"' => i = string(i)?.1,
                        _ => i += 1,
                    }
                }
                ("", false)
            }
            _ => {
                while i < b.len() && !matches!(b[i], b',' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                let literal = text.get(start..i)?;
                // Only a number is a plain id; true, false and null are not.
                let number = literal
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'));
                (literal, number && key == "id")
            }
        };
        if wanted {
            if !plain || value.is_empty() {
                return None;
            }
            let slot = if key == "id" { &mut id } else { &mut kind };
            if slot.is_some() {
                return None;
            }
            *slot = Some(value);
        }
        ws(&mut i);
        match b.get(i)? {
            b',' => i += 1,
            b'}' => break,
            _ => return None,
        }
    }
    Some((id, kind))
}

#[cfg(test)]
mod tests {
    use super::scan_id_kind;

    #[test]
    fn scans_top_level_id_and_kind_only() {
        let line = r#"{"applicant":{"id":"no","kind":"x"},"id":"2025-TR-1","year":2025,"kind":"tech_transfer","n":[1,{"a":"}"}]}"#;
        assert_eq!(
            scan_id_kind(line),
            Some((Some("2025-TR-1"), Some("tech_transfer")))
        );
        assert_eq!(
            scan_id_kind(r#"{"id":12,"kind":"a"}"#),
            Some((Some("12"), Some("a")))
        );
        assert_eq!(scan_id_kind(r#"{"kind":"a"}"#), Some((None, Some("a"))));
        // Unusual: escapes, repeats, true as an id, broken syntax.
        assert_eq!(scan_id_kind(r#"{"id":"a\"b","kind":"a"}"#), None);
        assert_eq!(scan_id_kind(r#"{"id":"a","id":"b"}"#), None);
        assert_eq!(scan_id_kind(r#"{"id":true}"#), None);
        assert_eq!(scan_id_kind(r#"{"id":"a" "kind":"b"}"#), None);
        assert_eq!(scan_id_kind("[1]"), None);
    }
}
