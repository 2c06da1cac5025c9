//! Reading a file of applications: YAML or JSON, a list of mappings, numbers kept exact.
//!
//! Reading only splits the file into applications; checking each against its kind happens when
//! it is decided, so one bad application never stops the others.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::yaml::{self, Node, NodeValue, Pos, YamlLimits};

/// The formats an input file can have
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// A YAML list of mappings
    Yaml,
    /// A JSON array of objects
    Json,
}

impl InputFormat {
    /// The format a file name implies: `.yaml`/`.yml` or `.json`
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(InputFormat::Yaml),
            "json" => Some(InputFormat::Json),
            _ => None,
        }
    }
}

/// One application as read, not yet checked against the pack
#[derive(Debug, Clone, PartialEq)]
pub struct RawApplication {
    /// Its place in the file, from 0
    pub index: usize,
    /// Where it starts in the file, for YAML
    pub pos: Option<Pos>,
    pub(crate) node: Node,
}

impl RawApplication {
    /// The `id` as written, if it is a plain value
    pub fn id(&self) -> Option<&str> {
        let n = self.node.get("id")?;
        match n.as_scalar() {
            Some((t, _)) if !n.is_null() && n.as_bool().is_none() && !t.is_empty() => Some(t),
            _ => None,
        }
    }
}

/// A file that cannot be read as a list of applications at all
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file
    pub file: PathBuf,
    /// Where, when known
    pub pos: Option<Pos>,
    /// What is wrong
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}: {}", self.file.display(), p, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// Reads a file of applications; the format comes from `format` or else the file name
pub fn read_applications(
    path: &Path,
    format: Option<InputFormat>,
) -> Result<Vec<RawApplication>, InputError> {
    let fail = |pos, message: String| InputError {
        file: path.to_path_buf(),
        pos,
        message,
    };
    let format = format
        .or_else(|| InputFormat::from_path(path))
        .ok_or_else(|| {
            fail(
                None,
                "unknown input format: name the file .yaml, .yml or .json".into(),
            )
        })?;
    let bytes = std::fs::read(path).map_err(|e| fail(None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(
            None,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    parse_applications(&text, format).map_err(|(pos, m)| fail(pos, m))
}

/// Splits a text into applications
pub fn parse_applications(
    text: &str,
    format: InputFormat,
) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    let root = match format {
        InputFormat::Yaml => yaml::parse(
            text,
            YamlLimits {
                // A repeated key costs its own application, not the whole file.
                reject_duplicate_keys: false,
                ..YamlLimits::default()
            },
        )
        .map_err(|e| (e.pos, format!("YAML syntax: {}", e.message)))?,
        InputFormat::Json => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut de = serde_json::Deserializer::from_str(text);
            let node = JsonNode::deserialize(&mut de)
                .and_then(|n| de.end().map(|_| n))
                .map_err(|e| {
                    (
                        Some(Pos {
                            line: e.line(),
                            col: e.column(),
                        }),
                        format!("JSON: {e}"),
                    )
                })?;
            node.0
        }
    };
    applications_from_node(root)
}

/// The applications of a list node (a test case's `applications:`)
pub(crate) fn applications_from_node(
    root: Node,
) -> Result<Vec<RawApplication>, (Option<Pos>, String)> {
    match root.value {
        NodeValue::Seq(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(index, node)| RawApplication {
                index,
                pos: node.pos,
                node,
            })
            .collect()),
        _ => Err((
            root.pos,
            format!("expected a list of applications, found {}", root.describe()),
        )),
    }
}

/// A JSON value read into a [`Node`]: numbers keep their text (serde_json's
/// `arbitrary_precision`), strings are quoted scalars, and a repeated key is kept twice (never
/// a silent overwrite), so checking that application refuses it.
struct JsonNode(Node);

// serde_json hands an arbitrary-precision number over as a one-entry map under this key.
const JSON_NUMBER_KEY: &str = "$serde_json::private::Number";

impl<'de> Deserialize<'de> for JsonNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = JsonNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<JsonNode, E> {
        Ok(JsonNode(Node::scalar(v.to_string(), false)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<JsonNode, E> {
        Ok(JsonNode(Node::scalar(v.to_string(), false)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<JsonNode, E> {
        Ok(JsonNode(Node::scalar(v.to_string(), false)))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<JsonNode, E> {
        Err(E::custom("a number reached the reader as a binary float"))
    }

    fn visit_str<E>(self, v: &str) -> Result<JsonNode, E> {
        Ok(JsonNode(Node::scalar(v, true)))
    }

    fn visit_unit<E>(self) -> Result<JsonNode, E> {
        Ok(JsonNode(Node::scalar("null", false)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonNode, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonNode(n)) = seq.next_element()? {
            items.push(n);
        }
        Ok(JsonNode(Node {
            value: NodeValue::Seq(items),
            pos: None,
        }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonNode, A::Error> {
        let mut entries: Vec<(Node, Node)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == JSON_NUMBER_KEY {
                let text: String = map.next_value()?;
                return Ok(JsonNode(Node::scalar(text, false)));
            }
            let JsonNode(v) = map.next_value()?;
            entries.push((Node::scalar(key, true), v));
        }
        Ok(JsonNode(Node {
            value: NodeValue::Map(entries),
            pos: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_keep_their_digits() {
        let apps = parse_applications(
            r#"[{"id": "a", "paid_amount": 1234567.85, "big": 123456789012345678.12}]"#,
            InputFormat::Json,
        )
        .unwrap();
        let n = &apps[0].node;
        assert_eq!(
            n.get("paid_amount").unwrap().as_scalar(),
            Some(("1234567.85", false))
        );
        assert_eq!(
            n.get("big").unwrap().as_scalar(),
            Some(("123456789012345678.12", false))
        );
        assert_eq!(apps[0].id(), Some("a"));
    }

    #[test]
    fn duplicate_keys_are_kept_for_the_application_check() {
        let apps = parse_applications(r#"[{"id": "a", "id": "b"}]"#, InputFormat::Json).unwrap();
        assert_eq!(apps[0].node.as_map().map(|m| m.len()), Some(2));
        let apps = parse_applications("- id: a\n  id: b\n", InputFormat::Yaml).unwrap();
        assert_eq!(apps[0].node.as_map().map(|m| m.len()), Some(2));
    }

    #[test]
    fn a_mapping_is_not_a_list() {
        let e = parse_applications("id: a\n", InputFormat::Yaml).unwrap_err();
        assert!(e.1.contains("expected a list"), "{e:?}");
    }
}
