//! Reads YAML into a tree of [`Node`]s that keeps every scalar's exact text and position.
//!
//! Why not `serde_yaml`: it hands numbers over as `f64` (an amount with more than about 15
//! digits silently loses some) and its values carry no line numbers. Here a scalar stays the text
//! the drafter wrote, so money is parsed once, exactly, by [`crate::model::money`], and every error can
//! point at its line. All YAML parsing of the engine goes through this module.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::pos::Pos;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

impl Pos {
    fn from_marker(m: &Marker) -> Pos {
        Pos {
            line: m.line(),
            col: m.col() + 1,
        }
    }
}

/// One YAML value with the place it was written
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value
    pub value: NodeValue,
    /// Where it starts, when it came from a text with positions
    pub pos: Option<Pos>,
}

/// The value of a [`Node`]
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// A scalar as written; `quoted` is true for quoted scalars and JSON strings, which are
    /// always text, never numbers, booleans or null
    Scalar {
        /// The exact text, after YAML unescaping
        text: String,
        /// Whether it was quoted (or tagged `!!str`)
        quoted: bool,
    },
    /// A sequence
    Seq(Vec<Node>),
    /// A mapping, keys in document order
    Map(Vec<(Node, Node)>),
}

/// Limits that keep a hostile document from exhausting memory or the stack
#[derive(Debug, Clone, Copy)]
pub struct YamlLimits {
    /// Deepest nesting of sequences and mappings
    pub max_depth: usize,
    /// Most nodes in one document, counting every copy an alias makes
    pub max_nodes: usize,
    /// Most bytes of text aliases may copy in one document: a few nodes of long strings,
    /// aliased over and over, passed the node count at gigabytes
    pub max_alias_bytes: usize,
    /// Whether a key repeated in one mapping is a syntax error (metadata); when false both
    /// entries are kept, so the reader of one application can refuse that application alone
    pub reject_duplicate_keys: bool,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 64,
            max_nodes: 5_000_000,
            max_alias_bytes: 64 << 20,
            reject_duplicate_keys: true,
        }
    }
}

/// A YAML syntax error, or a document past the limits
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What is wrong
    pub message: String,
    /// Where
    pub pos: Option<Pos>,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Parses one YAML document. An empty document is a null scalar.
pub fn parse(text: &str, limits: YamlLimits) -> Result<Node, YamlError> {
    // A byte-order mark is legal at the start of a YAML stream; the scanner handles it, but a
    // BOM elsewhere would be content, so only the leading one is dropped here.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder {
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        alias_bytes: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one at a time: yaml-rust2's `load` recurses once per nesting level and
    // a deeply nested document would overflow the stack before any limit here could act.
    let mut documents = 0usize;
    loop {
        // The parser is third-party code fed by hostile input; a panic in it becomes an error.
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.next_token()));
        let (event, mark) = match next {
            Err(_) => {
                return Err(YamlError {
                    message: "the YAML parser failed on this document".into(),
                    pos: None,
                })
            }
            Ok(Err(e)) => {
                return Err(YamlError {
                    message: e.info().to_string(),
                    pos: Some(Pos::from_marker(e.marker())),
                })
            }
            Ok(Ok(ev)) => ev,
        };
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(YamlError {
                        message: "a second YAML document (after `---`): a file holds one document"
                            .into(),
                        pos: Some(Pos::from_marker(&mark)),
                    });
                }
            }
            ev => builder.on_event(ev, mark),
        }
        if builder.error.is_some() {
            break;
        }
    }
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(builder.root.unwrap_or(Node {
        value: NodeValue::Scalar {
            text: String::new(),
            quoted: false,
        },
        pos: Some(Pos { line: 1, col: 1 }),
    }))
}

enum Open {
    Seq(Node, usize, Vec<Node>),
    Map(
        Node,
        usize,
        Vec<(Node, Node)>,
        Option<Node>,
        HashSet<String>,
    ),
}

struct Builder {
    limits: YamlLimits,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    /// Bytes of text copied by aliases so far
    alias_bytes: usize,
    error: Option<YamlError>,
}

impl Builder {
    fn fail(&mut self, message: String, pos: Pos) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                message,
                pos: Some(pos),
            });
        }
    }

    fn count(&mut self, n: usize, pos: Pos) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            self.fail(
                format!(
                    "document has more than {} values (an alias bomb?)",
                    self.limits.max_nodes
                ),
                pos,
            );
            return false;
        }
        true
    }

    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, key, seen)) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let fresh = scalar_text(&k).is_none_or(|t| seen.insert(t.to_string()));
                    if fresh || !self.limits.reject_duplicate_keys {
                        entries.push((k, node));
                    } else {
                        let pos = k.pos.unwrap_or(Pos { line: 1, col: 1 });
                        let name = scalar_text(&k).unwrap_or("?").to_string();
                        self.fail(format!("duplicate key `{name}`"), pos);
                    }
                }
            },
        }
    }
}

fn scalar_text(n: &Node) -> Option<&str> {
    match &n.value {
        NodeValue::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

fn node_count(n: &Node) -> usize {
    match &n.value {
        NodeValue::Scalar { .. } => 1,
        NodeValue::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeValue::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
    }
}

/// The bytes of text in a node and everything under it
fn node_bytes(n: &Node) -> usize {
    match &n.value {
        NodeValue::Scalar { text, .. } => text.len(),
        NodeValue::Seq(items) => items.iter().map(node_bytes).sum(),
        NodeValue::Map(entries) => entries
            .iter()
            .map(|(k, v)| node_bytes(k) + node_bytes(v))
            .sum(),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = Pos::from_marker(&mark);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                if !self.count(1, pos) {
                    return;
                }
                // `!!str` arrives expanded to its full handle.
                let tagged_str = tag.as_ref().is_some_and(|t| {
                    t.suffix == "str" && (t.handle == "!!" || t.handle == "tag:yaml.org,2002:")
                });
                let quoted = !matches!(style, TScalarStyle::Plain) || tagged_str;
                let node = Node {
                    value: NodeValue::Scalar { text, quoted },
                    pos: Some(pos),
                };
                self.push_value(node, anchor);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if !self.count(1, pos) {
                    return;
                }
                if self.stack.len() >= self.limits.max_depth {
                    self.fail(
                        format!("nested deeper than {} levels", self.limits.max_depth),
                        pos,
                    );
                    return;
                }
                let placeholder = Node {
                    value: NodeValue::Seq(Vec::new()),
                    pos: Some(pos),
                };
                if matches!(ev, Event::SequenceStart(..)) {
                    self.stack.push(Open::Seq(placeholder, anchor, Vec::new()));
                } else {
                    self.stack.push(Open::Map(
                        placeholder,
                        anchor,
                        Vec::new(),
                        None,
                        HashSet::new(),
                    ));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(mut node, anchor, items)) => {
                    node.value = NodeValue::Seq(items);
                    self.push_value(node, anchor);
                }
                Some(Open::Map(mut node, anchor, entries, _, _)) => {
                    node.value = NodeValue::Map(entries);
                    self.push_value(node, anchor);
                }
                None => self.fail("unbalanced collection end".into(), pos),
            },
            Event::Alias(id) => match self
                .anchors
                .get(&id)
                .map(|node| (node_count(node), node_bytes(node)))
            {
                // Counted before it is copied: the copy is what a bomb is made of.
                Some((n, bytes)) => {
                    self.alias_bytes = self.alias_bytes.saturating_add(bytes);
                    if self.alias_bytes > self.limits.max_alias_bytes {
                        let limit = self.limits.max_alias_bytes;
                        self.fail(
                            format!(
                                "aliases (`*name`) copy more than {} MiB of text (an alias bomb?)",
                                limit >> 20
                            ),
                            pos,
                        );
                    } else if self.count(n, pos) {
                        if let Some(node) = self.anchors.get(&id).cloned() {
                            self.push_value(node, 0);
                        }
                    }
                }
                None => self.fail("alias to an unknown anchor".into(), pos),
            },
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
    }
}

impl Node {
    /// Position of the key at the end of a path of keys, e.g. the `provincial:` of a parameter
    pub(crate) fn key_pos(&self, keys: &[&str]) -> Option<Pos> {
        let (last, parents) = keys.split_last()?;
        let mut n = self;
        for k in parents {
            n = n.get(k)?;
        }
        n.as_map()?
            .iter()
            .find(|(k, _)| k.as_scalar().map(|(t, _)| t) == Some(*last))
            .and_then(|(k, _)| k.pos)
    }

    /// A scalar node without a position (used to carry JSON and CSV values)
    pub fn scalar(text: impl Into<String>, quoted: bool) -> Node {
        Node {
            value: NodeValue::Scalar {
                text: text.into(),
                quoted,
            },
            pos: None,
        }
    }

    /// The scalar's text, if this is a scalar
    pub fn as_scalar(&self) -> Option<(&str, bool)> {
        match &self.value {
            NodeValue::Scalar { text, quoted } => Some((text, *quoted)),
            _ => None,
        }
    }

    /// Whether this is YAML's null: an empty or `~` or `null` plain scalar
    pub fn is_null(&self) -> bool {
        matches!(self.as_scalar(), Some((t, false)) if matches!(t, "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The boolean a plain `true` or `false` scalar stands for (YAML 1.2 core schema)
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar() {
            Some(("true" | "True" | "TRUE", false)) => Some(true),
            Some(("false" | "False" | "FALSE", false)) => Some(false),
            _ => None,
        }
    }

    /// The integer a plain decimal-integer scalar stands for
    pub fn as_int(&self) -> Option<i64> {
        match self.as_scalar() {
            Some((t, false)) if is_int_literal(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// The entries of a mapping
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            NodeValue::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under a scalar key of a mapping
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| scalar_text(k) == Some(key))
            .map(|(_, v)| v)
    }

    /// A short description of what this node is, for "expected X, found Y" messages
    pub fn describe(&self) -> String {
        self.describing().en
    }

    /// The same in both languages
    pub(crate) fn describing(&self) -> crate::model::lang::Message {
        use crate::model::lang::said;
        match &self.value {
            NodeValue::Seq(_) => said!("列表", "a list"),
            NodeValue::Map(_) => said!("映射", "a mapping"),
            NodeValue::Scalar { .. } if self.is_null() => said!("空值（null）", "nothing (null)"),
            NodeValue::Scalar { text, quoted } => {
                let shown: String = text.chars().take(40).collect();
                let more = if text.chars().count() > 40 { "…" } else { "" };
                if *quoted {
                    said!("文本 \"{shown}{more}\"", "the text \"{shown}{more}\"")
                } else {
                    said!(" `{shown}{more}`", "`{shown}{more}`")
                }
            }
        }
    }
}

fn is_int_literal(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------------
// serde: metadata structs derive `Deserialize` and are read from a `Node` with positions kept.

/// A metadata error: the message and, when known, where
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// What is wrong
    pub message: String,
    /// The same in Chinese, where serde's own words were replaced by ours
    pub zh: Option<String>,
    /// Where, when known
    pub pos: Option<Pos>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            zh: None,
            pos: None,
        }
    }

    // serde's usual errors in both languages: a drafter's typo in a key or a value is the most
    // common mistake in metadata.
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let (en, zh) = names(expected);
        DeError::both(
            format!("unknown field `{field}`, expected {en}"),
            format!("没有 `{field}` 这一项，应为{zh}"),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let (en, zh) = names(expected);
        DeError::both(
            format!("unknown variant `{variant}`, expected {en}"),
            format!("`{variant}` 不是可用的取值，应为{zh}"),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        DeError::both(
            format!("missing field `{field}`"),
            format!("缺少 `{field}` 这一项"),
        )
    }

    fn duplicate_field(field: &'static str) -> Self {
        DeError::both(
            format!("duplicate field `{field}`"),
            format!("`{field}` 这一项写了两次"),
        )
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let (en, zh) = expected_words(exp);
        DeError::both(
            format!("invalid type: {unexp}, expected {en}"),
            format!("类型不对：实际是{}，应为{zh}", unexpected_zh(&unexp)),
        )
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let (en, zh) = expected_words(exp);
        DeError::both(
            format!("invalid value: {unexp}, expected {en}"),
            format!("取值不对：实际是{}，应为{zh}", unexpected_zh(&unexp)),
        )
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        // A list where a struct is expected comes here: say that, not the struct's size.
        if exp.to_string().starts_with("struct ") {
            let (en, zh) = expected_words(exp);
            return DeError::both(
                format!("expected {en}, found a list of {len}"),
                format!("应为{zh}，实际是有 {len} 项的列表"),
            );
        }
        DeError::both(
            format!("invalid length {len}, expected {exp}"),
            format!("长度不对：有 {len} 项，应为 {exp}"),
        )
    }
}

/// serde's list of names: `` `a`, `b` or `c` `` in English, `` `a`、`b`、`c` `` in Chinese
fn names(expected: &[&str]) -> (String, String) {
    let quoted: Vec<String> = expected.iter().map(|n| format!("`{n}`")).collect();
    let en = match quoted.as_slice() {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [a, b] => format!("`{}` or `{}`", a.trim_matches('`'), b.trim_matches('`')),
        _ => format!("one of {}", quoted.join(", ")),
    };
    let zh = match quoted.as_slice() {
        [] => "空".to_string(),
        [one] => one.clone(),
        _ => format!("以下之一：{}", quoted.join("、")),
    };
    (en, zh)
}

/// What serde expected, in a drafter's words: serde names Rust types (`struct ClauseFile`),
/// which say nothing to someone writing YAML
fn expected_words(exp: &dyn de::Expected) -> (String, String) {
    let text = exp.to_string();
    let (en, zh) = if text.starts_with("struct ") || text.starts_with("a map") {
        (
            "a mapping (`key: value` lines)",
            "映射（`键: 值` 的若干行）",
        )
    } else if text.starts_with("a sequence") || text.starts_with("tuple") {
        ("a list (`- item` lines)", "列表（`- 项` 的若干行）")
    } else if text.starts_with("a string") || text.starts_with("a borrowed string") {
        ("a text", "文本")
    } else if text.starts_with("a boolean") {
        ("true or false", "布尔值 true 或 false")
    } else if text.starts_with("u") || text.starts_with("i") || text.contains("integer") {
        ("a whole number", "整数")
    } else {
        return (text.clone(), format!(" {text}"));
    };
    (en.to_string(), zh.to_string())
}

/// What serde found, in Chinese
fn unexpected_zh(u: &de::Unexpected<'_>) -> String {
    use de::Unexpected as U;
    match u {
        U::Bool(b) => format!("布尔值 {b}"),
        U::Unsigned(n) => format!("整数 {n}"),
        U::Signed(n) => format!("整数 {n}"),
        U::Float(f) => format!("数 {f}"),
        U::Char(c) => format!("字符 `{c}`"),
        U::Str(s) => format!("文本 \"{s}\""),
        U::Seq => "列表".into(),
        U::Map => "映射".into(),
        U::Unit | U::Option => "空值".into(),
        other => other.to_string(),
    }
}

impl DeError {
    fn both(en: String, zh: String) -> Self {
        DeError {
            message: en,
            zh: Some(zh),
            pos: None,
        }
    }

    fn at(mut self, pos: Option<Pos>) -> Self {
        if self.pos.is_none() {
            self.pos = pos;
        }
        self
    }
}

/// Deserializes a `T` from a node; errors carry the position of the value at fault
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    T::deserialize(NodeDe(node)).map_err(|e| with_suggestion(e.at(node.pos)))
}

/// serde says "unknown field `x`, expected one of `a`, `b`"; add the nearest name
fn with_suggestion(mut e: DeError) -> DeError {
    for prefix in ["unknown field `", "unknown variant `"] {
        let Some(rest) = e.message.strip_prefix(prefix) else {
            continue;
        };
        let Some((wrong, expected)) = rest.split_once('`') else {
            continue;
        };
        let names: Vec<&str> = expected
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        if let Some(best) =
            crate::model::suggest::nearest(wrong, names.iter().copied()).map(str::to_string)
        {
            e.message = format!("{}; did you mean `{best}`?", e.message);
            if let Some(zh) = &mut e.zh {
                zh.push_str(&format!("；是否应为 `{best}`？"));
            }
        }
    }
    e
}

struct NodeDe<'a>(&'a Node);

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let n = self.0;
        let r = match &n.value {
            NodeValue::Seq(items) => v.visit_seq(SeqDe { iter: items.iter() }),
            NodeValue::Map(entries) => v.visit_map(MapDe {
                iter: entries.iter(),
                value: None,
            }),
            NodeValue::Scalar { text, quoted } => {
                if *quoted {
                    v.visit_str(text)
                } else if n.is_null() {
                    v.visit_unit()
                } else if let Some(b) = n.as_bool() {
                    v.visit_bool(b)
                } else if let Some(i) = n.as_int() {
                    v.visit_i64(i)
                } else {
                    // Never `visit_f64`: a decimal stays text and is parsed exactly where used.
                    v.visit_str(text)
                }
            }
        };
        r.map_err(|e| e.at(n.pos))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        if self.0.is_null() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.0.value {
            NodeValue::Scalar { text, .. } if !self.0.is_null() => {
                v.visit_str(text).map_err(|e: DeError| e.at(self.0.pos))
            }
            _ => Err({
                let found = self.0.describing();
                DeError {
                    message: format!("expected a text, found {}", found.en),
                    zh: Some(format!("应为文本，实际是{}", found.zh)),
                    pos: self.0.pos,
                }
            }),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0.as_bool() {
            Some(b) => v.visit_bool(b),
            None => Err({
                let found = self.0.describing();
                DeError {
                    message: format!("expected true or false, found {}", found.en),
                    zh: Some(format!("应为布尔值 true 或 false，实际是{}", found.zh)),
                    pos: self.0.pos,
                }
            }),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match &self.0.value {
            NodeValue::Scalar { text, .. } => v
                .visit_enum(text.as_str().into_deserializer())
                .map_err(|e: DeError| e.at(self.0.pos)),
            _ => Err({
                let found = self.0.describing();
                DeError {
                    message: format!("expected a name, found {}", found.en),
                    zh: Some(format!("应为一个名称，实际是{}", found.zh)),
                    pos: self.0.pos,
                }
            }),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct ignored_any
    }
}

struct SeqDe<'a> {
    iter: std::slice::Iter<'a, Node>,
}

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.iter.next() {
            None => Ok(None),
            Some(n) => seed
                .deserialize(NodeDe(n))
                .map(Some)
                .map_err(|e| e.at(n.pos)),
        }
    }
}

struct MapDe<'a> {
    iter: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            None => Ok(None),
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(NodeDe(k))
                    .map(Some)
                    .map_err(|e| e.at(k.pos))
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(n) => seed.deserialize(NodeDe(n)).map_err(|e| e.at(n.pos)),
            None => Err(de::Error::custom("value without a key")),
        }
    }
}

/// Position of the node at a path of keys below `root`
pub(crate) fn pos_in(root: Option<&Node>, keys: &[&str]) -> Option<Pos> {
    let mut n = root?;
    for k in keys {
        n = n.get(k)?;
    }
    n.pos
}

impl Node {
    /// The `i`th item of a sequence
    pub(crate) fn as_seq_item(&self, i: usize) -> Option<&Node> {
        match &self.value {
            NodeValue::Seq(items) => items.get(i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_text() {
        let n = parse(
            "a: 123456789012345678.12\nb: '0.10'\nc: 0.10",
            YamlLimits::default(),
        )
        .unwrap();
        assert_eq!(
            n.get("a").unwrap().as_scalar(),
            Some(("123456789012345678.12", false))
        );
        assert_eq!(n.get("b").unwrap().as_scalar(), Some(("0.10", true)));
        assert_eq!(n.get("c").unwrap().as_scalar(), Some(("0.10", false)));
    }

    #[test]
    fn positions_are_one_based() {
        let n = parse("x: 1\ny:\n  z: true\n", YamlLimits::default()).unwrap();
        let z = n.get("y").unwrap().get("z").unwrap();
        assert_eq!(z.pos, Some(Pos { line: 3, col: 6 }));
        assert_eq!(z.as_bool(), Some(true));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\na: 2\n", YamlLimits::default()).unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 2, col: 1 }));
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn a_bomb_of_long_strings_is_refused_before_it_is_built() {
        // 4,000 bytes, copied 10^5 times by five levels of ten aliases: 400 MB of text in a
        // document of a few kilobytes, and only about 10^5 nodes.
        let mut doc = format!("s0: &s0 \"{}\"\n", "x".repeat(4000));
        for i in 1..=5 {
            let p = i - 1;
            let items = vec![format!("*s{p}"); 10].join(", ");
            doc.push_str(&format!("s{i}: &s{i} [{items}]\n"));
        }
        let started = std::time::Instant::now();
        let e = parse(&doc, YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{e}");
        assert!(e.message.contains("64 MiB"), "{e}");
        // Refused on the way, not after building it (a bound, not a speed: generous).
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        // The same shape with short strings stays within both limits.
        let small = doc.replace(&"x".repeat(4000), "x");
        assert!(parse(&small, YamlLimits::default()).is_ok());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&doc, YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let e = parse(&doc, YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("nested deeper than 64"), "{e}");
        // Far deeper: the scanner's own limit answers first, still an error, not a crash.
        assert!(parse(&"[".repeat(100_000), YamlLimits::default()).is_err());
        // Block style, which yaml-rust2 would load by recursion.
        let block = format!("{}x", "- ".repeat(20_000));
        let e = parse(&block, YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("nested deeper than 64"), "{e}");
    }

    #[test]
    fn a_second_document_is_an_error_not_dropped() {
        let e = parse("- a\n---\n- b\n", YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("second YAML document"), "{e}");
        assert_eq!(e.pos.map(|p| p.line), Some(2));
    }

    #[test]
    fn str_tag_makes_text() {
        let n = parse("a: !!str 2025\n", YamlLimits::default()).unwrap();
        assert_eq!(n.get("a").unwrap().as_scalar(), Some(("2025", true)));
    }
}
