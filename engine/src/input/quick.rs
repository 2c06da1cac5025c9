//! The quick way from a JSON line to checked facts, for the common case of a valid application.
//!
//! No tree of nodes, no parser: field names are compared in place, values parsed from the
//! text. Where it answers, it answers as the general reader and checker (`validate.rs`) do; on
//! anything else, however harmless, it gives up (returns `None`): the general path then decides
//! that record and words its errors. So every error message still comes from one place.
//!
//! The line is read by a small scanner of strict JSON (RFC 8259) that hands back keys and
//! scalar values where they stand in the line. It knows an object of members, each a scalar or
//! an object of scalars (a group such as `applicant`); anything else a valid application never
//! has (arrays, deeper objects, escapes in keys, very many members) makes the quick path give
//! up.

use std::borrow::Cow;
use std::sync::Arc;

use crate::input::validate::is_group;
use crate::model::facts::Checked;
use crate::model::facts::Facts;
use crate::model::json_text;
use crate::model::pack::Pack;
use crate::model::value::{FieldType, Value};

/// How a member's value was written
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A string without escapes; the text is its contents
    Str,
    /// A string with escapes; the text is its contents as written, escapes and all
    Escaped,
    /// A number; the text as written
    Number,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// An object at the top level: its members are the items that follow, in its group
    Object,
    /// An array, or an object inside a group: checked and skipped, never a field's value
    Other,
}

/// One member of the line's object, or of an object inside it
#[derive(Debug, Clone, Copy)]
struct Item<'a> {
    /// The place of the object item this is a member of, or `TOP`
    group: u8,
    /// The key; keys with escapes are given up on
    key: &'a str,
    /// The value's text (see [`Form`])
    text: &'a str,
    form: Form,
}

/// The group of a top-level member
const TOP: u8 = u8::MAX;

/// Items one line may have before the quick path gives up (a valid application of the
/// bundled pack has at most a dozen)
const MAX_ITEMS: usize = 48;

/// A line's items, on the stack: nothing written before it is used (a filled array of
/// `MAX_ITEMS` placeholders, twice a line, was 2% of a large run)
type Items<'a> = arrayvec::ArrayVec<Item<'a>, MAX_ITEMS>;

/// Nesting allowed inside a skipped value (serde_json's own limit is 128)
const MAX_DEPTH: usize = 100;

/// The number four hex digits stand for
fn hex4(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

/// A strict JSON reader over the bytes of one line; every method returns `None` on anything
/// it does not accept
struct Scanner<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    /// Skips JSON whitespace: space, tab, line feed, carriage return
    fn ws(&mut self) {
        let b = self.text.as_bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string starting at `"`: its contents as written and whether they hold escapes. Each
    /// escape is checked here, as serde_json checks it (a surrogate must be the high half of
    /// a pair); control characters are refused.
    fn string(&mut self) -> Option<(&'a str, bool)> {
        let b = self.text.as_bytes();
        let start = self.i + 1;
        let mut j = start;
        let mut escaped = false;
        loop {
            // Eight bytes at a time: on to the first special one, if any
            if let Some(chunk) = b.get(j..j + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                match json_text::specials(u64::from_le_bytes(word)) {
                    0 => {
                        j += 8;
                        continue;
                    }
                    found => j += (found.trailing_zeros() / 8) as usize,
                }
            }
            match *b.get(j)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match *b.get(j + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                        b'u' => match hex4(b.get(j + 2..j + 6)?)? {
                            // A surrogate pair: a high one, then at once a low one.
                            0xD800..=0xDBFF => {
                                if b.get(j + 6..j + 8)? != b"\\u"
                                    || !(0xDC00..=0xDFFF).contains(&hex4(b.get(j + 8..j + 12)?)?)
                                {
                                    return None;
                                }
                                j += 12;
                            }
                            0xDC00..=0xDFFF => return None,
                            _ => j += 6,
                        },
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => j += 1,
            }
        }
        self.i = j + 1;
        Some((self.text.get(start..j)?, escaped))
    }

    /// A number by RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<&'a str> {
        let b = self.text.as_bytes();
        let digits = |mut j: usize| {
            while let Some(b'0'..=b'9') = b.get(j) {
                j += 1;
            }
            j
        };
        let start = self.i;
        let mut j = start;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        match b.get(j)? {
            b'0' => j += 1,
            b'1'..=b'9' => j = digits(j + 1),
            _ => return None,
        }
        if b.get(j) == Some(&b'.') {
            let after = digits(j + 1);
            if after == j + 1 {
                return None;
            }
            j = after;
        }
        if let Some(b'e' | b'E') = b.get(j) {
            j += 1;
            if let Some(b'+' | b'-') = b.get(j) {
                j += 1;
            }
            let after = digits(j);
            if after == j {
                return None;
            }
            j = after;
        }
        self.i = j;
        self.text.get(start..j)
    }

    fn word(&mut self, word: &'static str, form: Form) -> Option<(&'a str, Form)> {
        let end = self.i + word.len();
        if self.text.as_bytes().get(self.i..end)? == word.as_bytes() {
            self.i = end;
            Some((word, form))
        } else {
            None
        }
    }

    /// A scalar value; `None` for objects and arrays too
    fn scalar(&mut self) -> Option<(&'a str, Form)> {
        match self.peek()? {
            b'"' => {
                let (text, escaped) = self.string()?;
                Some((text, if escaped { Form::Escaped } else { Form::Str }))
            }
            b't' => self.word("true", Form::True),
            b'f' => self.word("false", Form::False),
            b'n' => self.word("null", Form::Null),
            b'-' | b'0'..=b'9' => Some((self.number()?, Form::Number)),
            _ => None,
        }
    }

    /// The members of an object starting at `{`, each key (without escapes) handed to
    /// `member` with the scanner at the start of its value, which `member` must read
    fn members(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            let (key, escaped) = self.string()?;
            // serde_json hands an arbitrary-precision number to the general reader as an
            // object of this one key, and that reader takes any object so keyed for one.
            if escaped || key == "$serde_json::private::Number" {
                return None;
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Any value, checked and skipped
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.members(|s, _| s.skip(depth + 1)),
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.i += 1;
                            self.ws();
                        }
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.scalar().map(|_| ()),
        }
    }

    /// A value that is not a scalar, skipped; its text as written
    fn other(&mut self) -> Option<&'a str> {
        let start = self.i;
        self.skip(1)?;
        self.text.get(start..self.i)
    }
}

/// The items of a line holding one JSON object, pushed onto `out`; their number, or `None`
/// when the line is not strict JSON, is not an object, or has too many items
fn items<'a>(text: &'a str, out: &mut Items<'a>) -> Option<usize> {
    let mut s = Scanner { text, i: 0 };
    let mut n = 0usize;
    s.ws();
    s.members(|s, key| {
        let at = n;
        let group = u8::try_from(at).ok()?;
        let (text, form) = match s.peek()? {
            b'{' => ("", Form::Object),
            b'[' => (s.other()?, Form::Other),
            _ => s.scalar()?,
        };
        out.try_push(Item {
            group: TOP,
            key,
            text,
            form,
        })
        .ok()?;
        n += 1;
        if form == Form::Object {
            s.members(|s, key| {
                let (text, form) = match s.peek()? {
                    b'{' | b'[' => (s.other()?, Form::Other),
                    _ => s.scalar()?,
                };
                out.try_push(Item {
                    group,
                    key,
                    text,
                    form,
                })
                .ok()?;
                n += 1;
                Some(())
            })?;
        }
        Some(())
    })?;
    s.ws();
    (s.i == text.len()).then_some(n)
}

/// The text of a string with escapes, unescaped as serde_json does; `None` for a lone
/// surrogate or anything else it refuses
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at)?);
        let b = rest.as_bytes();
        let (c, len) = match *b.get(at + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => match hex4(b.get(at + 2..at + 6)?)? {
                high @ 0xD800..=0xDBFF => {
                    if b.get(at + 6..at + 8)? != b"\\u" {
                        return None;
                    }
                    let low = hex4(b.get(at + 8..at + 12)?)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    (char::from_u32(c)?, 12)
                }
                n => (char::from_u32(n)?, 6),
            },
            _ => return None,
        };
        out.push(c);
        rest = rest.get(at + len..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// The text a string or number item stands for, as the general reader has it; `None` for a
/// number with an exponent (serde_json rewrites `1E5` as `1e+5`) and for other forms
fn text_of<'a>(item: &Item<'a>) -> Option<(Cow<'a, str>, bool)> {
    match item.form {
        Form::Str => Some((Cow::Borrowed(item.text), true)),
        Form::Escaped => Some((Cow::Owned(unescape(item.text)?), true)),
        Form::Number if !item.text.contains(['e', 'E']) => Some((Cow::Borrowed(item.text), false)),
        _ => None,
    }
}

/// The value an item gives a field: a subset of what `FieldType::parse_node` accepts (that
/// rule, read on the item's text), `None` for the rest
fn value(ty: &FieldType, item: &Item<'_>) -> Option<Value> {
    match (ty, item.form) {
        (FieldType::Bool, Form::True) => Some(Value::Bool(true)),
        (FieldType::Bool, Form::False) => Some(Value::Bool(false)),
        (FieldType::Integer { .. }, Form::Number) => {
            let digits = item.text.strip_prefix('-').unwrap_or(item.text);
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            ty.parse_text(item.text).ok()
        }
        // An exponent reads the same however it is written, so the number's text serves.
        (FieldType::Decimal { .. } | FieldType::Money { .. }, Form::Number | Form::Str) => {
            ty.parse_text(item.text).ok()
        }
        (FieldType::Decimal { .. } | FieldType::Money { .. }, Form::Escaped)
        | (
            FieldType::Text { .. } | FieldType::OneOf { .. },
            Form::Str | Form::Escaped | Form::Number,
        ) => ty.parse_text(&text_of(item)?.0).ok(),
        // A date is a string; the general reader refuses a number, so hand that back.
        (FieldType::Date { .. }, Form::Str | Form::Escaped) => {
            ty.parse_text(&text_of(item)?.0).ok()
        }
        _ => None,
    }
}

/// Whether field `name` is `group.key`: the dotted name `validate`'s `flatten` builds for a
/// member of a group, compared without building it
fn is_member(name: &str, group: &str, key: &str) -> bool {
    name.len() == group.len() + 1 + key.len()
        && name.starts_with(group)
        && name.as_bytes()[group.len()] == b'.'
        && name.ends_with(key)
}

/// The top-level `id` and `kind` items of a line, if any
type IdKind<'i, 'a> = (Option<&'i Item<'a>>, Option<&'i Item<'a>>);

/// A line's items, and the top-level `id` and `kind` among them, handed to `read`: the one
/// place the quick readers scan a line and find its id and kind; each reader keeps its own
/// rules on their forms. `None` when the line does not scan or either is given twice (the
/// general reader says what a repeat means).
fn read_line<'a, R>(
    text: &'a str,
    read: impl FnOnce(&[Item<'a>], IdKind<'_, 'a>) -> Option<R>,
) -> Option<R> {
    let mut buf = Items::new();
    let n = items(text, &mut buf)?;
    let items = buf.get(..n)?;
    let (mut id, mut kind) = (None, None);
    for item in items.iter().filter(|i| i.group == TOP) {
        let slot = match item.key {
            "id" => &mut id,
            "kind" => &mut kind,
            _ => continue,
        };
        if slot.replace(item).is_some() {
            return None;
        }
    }
    read(items, (id, kind))
}

/// Fields a kind may have for the quick path
const MAX_FIELDS: usize = 64;

/// The checked facts of a valid application written as one JSON object, or `None`: a subset
/// of what `validate::validate` accepts, by its rules
pub(crate) fn json_facts(pack: &Pack, text: &str) -> Option<Checked> {
    read_line(text, |items, (id, kind)| facts(pack, items, id?, kind?))
}

/// The checked facts of a line's items, given its `id` and `kind`
fn facts(pack: &Pack, items: &[Item<'_>], id: &Item<'_>, kind: &Item<'_>) -> Option<Checked> {
    // `validate`'s rule for the kind, on an unescaped text only
    let kind = match kind.form {
        Form::Str => pack.kind(kind.text)?,
        _ => return None,
    };
    let clause = pack.clauses.iter().position(|c| c.kind == kind.name)?;
    let fields = &kind.fields;
    if fields.len() > MAX_FIELDS {
        return None;
    }
    // The item giving each field, as `validate`'s `flatten` finds it; where that gives a
    // problem (an unknown name, a field given twice) the quick path gives up.
    let mut slots = [u8::MAX; MAX_FIELDS];
    // Groups seen at the top: one given twice is `validate`'s problem, not the quick path's.
    let mut groups: [&str; 4] = [""; 4];
    let mut group_count = 0;
    // Lines are mostly written in the kind's field order: the field after the last one found
    // is tried first, before the search (comparing names was 2% of a large run).
    let mut next = 0;
    let find = |next: usize, name: &str| match fields.get(next) {
        Some(f) if f.name == name => Some(next),
        _ => fields.iter().position(|f| f.name == name),
    };
    for (at, item) in items.iter().enumerate() {
        let index = if item.group == TOP {
            if item.key == "id" || item.key == "kind" {
                continue;
            }
            match find(next, item.key) {
                Some(i) => i,
                // A group such as `applicant`: its members follow; null gives none.
                None if matches!(item.form, Form::Object | Form::Null)
                    && is_group(kind, item.key) =>
                {
                    if groups[..group_count].contains(&item.key) || group_count == groups.len() {
                        return None;
                    }
                    groups[group_count] = item.key;
                    group_count += 1;
                    continue;
                }
                None => return None,
            }
        } else {
            let group = items.get(usize::from(item.group))?.key;
            match fields.get(next) {
                Some(f) if is_member(&f.name, group, item.key) => next,
                _ => fields
                    .iter()
                    .position(|f| is_member(&f.name, group, item.key))?,
            }
        };
        next = index + 1;
        let slot = slots.get_mut(index)?;
        if *slot != u8::MAX {
            return None;
        }
        *slot = u8::try_from(at).ok()?;
    }
    let mut values = Vec::with_capacity(fields.len());
    for (field, &slot) in fields.iter().zip(&slots) {
        let item = match slot {
            u8::MAX => None,
            at => Some(items.get(usize::from(at))?),
        };
        match item {
            // `validate`'s rule: an optional field may be missing or null; a required one
            // missing is a problem, so the quick path gives up.
            None
            | Some(Item {
                form: Form::Null, ..
            }) => {
                if field.required {
                    return None;
                }
                values.push(None);
            }
            Some(item) => values.push(Some(value(&field.ty, item)?)),
        }
    }
    // `RawApplication::id`'s rule, less the forms it takes that are rare
    let id = match text_of(id)? {
        (id, _) if id.is_empty() || id.trim() != id => return None,
        (id, _) => id.into_owned(),
    };
    Some(Checked {
        facts: Arc::new(Facts {
            id,
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
    use crate::load::yaml::{Node, NodeValue};
    use crate::model::pos::Pos;
    read_line(text, |_, (id, kind)| {
        let mut kept = Vec::with_capacity(2);
        for item in [id, kind].into_iter().flatten() {
            // The node the general reader builds for a scalar: its text, and whether quoted
            let (t, quoted) = match item.form {
                Form::True | Form::False | Form::Null => (Cow::Borrowed(item.text), false),
                _ => text_of(item)?,
            };
            kept.push((Node::scalar(item.key, true), Node::scalar(t, quoted)));
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
    })
}

/// The `id` and `kind` of a line, read from the members before them only, where those are
/// all plain: a key and a text without escapes, a number, `true`, `false` or `null` (as in
/// `{"id": "…", "year": 2025, "kind": "…", …}`). What follows is not looked at, so the line
/// may not even be JSON or UTF-8. `None` where anything else comes first, or the id or kind is not a
/// plain, non-empty text.
///
/// Only for hashing ids in a first pass. Where the line is a valid application, these are
/// the id and kind the general reader finds (it takes the first `id` and `kind` of an object,
/// and refuses one given twice). Where it is not, the line's decision is an error whatever
/// its kind, and the id hashed may be one the general reader would not give it: a hash met
/// twice is confirmed by reading both lines again whole (`first_pass::repeats_among`), so such
/// an id never makes another application a repeat.
pub(crate) fn leading_id_kind(b: &[u8]) -> Option<(&str, &str)> {
    let mut i = 0;
    let ws = |i: &mut usize| {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(*i) {
            *i += 1;
        }
    };
    // A text of plain bytes (no escape, no control character) starting at `i`. The line's
    // bytes are not known to be UTF-8: only the id and kind found are checked, so a first
    // pass need not validate every line (an invalid line's id is no id; see above).
    let plain = |i: &mut usize| -> Option<&[u8]> {
        if b.get(*i) != Some(&b'"') {
            return None;
        }
        let start = *i + 1;
        // Eight bytes at a time to the first special byte, which must be the closing quote
        let mut j = start;
        while let Some(chunk) = b.get(j..j + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            match json_text::specials(u64::from_le_bytes(word)) {
                0 => j += 8,
                found => {
                    j += (found.trailing_zeros() / 8) as usize;
                    break;
                }
            }
        }
        while *b.get(j)? >= 0x20 && b[j] != b'"' && b[j] != b'\\' {
            j += 1;
        }
        if b[j] != b'"' {
            return None;
        }
        *i = j + 1;
        b.get(start..j)
    };
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let (mut id, mut kind) = (None, None);
    // A few members at most: an application's id and kind come early if they are plain.
    for _ in 0..8 {
        ws(&mut i);
        let key = plain(&mut i)?;
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let value = match b.get(i)? {
            b'"' => Some(plain(&mut i)?),
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                // Past it to the next delimiter; in valid JSON that is where it ends.
                while let Some(c) = b.get(i) {
                    if matches!(c, b',' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    if !c.is_ascii_alphanumeric() && !matches!(c, b'-' | b'+' | b'.') {
                        return None;
                    }
                    i += 1;
                }
                None
            }
            _ => return None,
        };
        // A number, or an empty text, for either: the full scan decides.
        match key {
            b"id" if id.is_none() => id = Some(value.filter(|v| !v.is_empty())?),
            b"kind" if kind.is_none() => kind = Some(value.filter(|v| !v.is_empty())?),
            _ => {}
        }
        if let (Some(id), Some(kind)) = (id, kind) {
            return Some((
                std::str::from_utf8(id).ok()?,
                std::str::from_utf8(kind).ok()?,
            ));
        }
        ws(&mut i);
        if b.get(i) != Some(&b',') {
            return None;
        }
        i += 1;
    }
    None
}

/// The top-level `id` and `kind` of a JSON object, found by scanning its bytes without
/// building anything; `None` whenever anything is unusual (escapes in them, repeats, an `id`
/// that is not a text or a plain number, a line that is not strict JSON): the caller then asks
/// a real parser
pub(crate) fn scan_id_kind<'a>(text: &'a str) -> Option<(Option<&'a str>, Option<&'a str>)> {
    // A subset of `RawApplication::id` and `validate::kind_text`: texts without escapes, not
    // empty, and (for the id) numbers serde_json keeps as written
    let plain = |item: Option<&Item<'a>>, numbers: bool| -> Option<Option<&'a str>> {
        let Some(item) = item else {
            return Some(None);
        };
        let plain = match item.form {
            Form::Str => true,
            Form::Number => numbers && !item.text.contains(['e', 'E']),
            _ => false,
        };
        (plain && !item.text.is_empty()).then_some(Some(item.text))
    };
    read_line(text, |_, (id, kind)| {
        Some((plain(id, true)?, plain(kind, false)?))
    })
}

#[cfg(test)]
mod tests {
    use super::{leading_id_kind, light, scan_id_kind};
    use crate::decide::check::quick_path_agrees as agrees;
    use crate::decide::Engine;
    use crate::model::pack::Pack;
    use crate::model::value::FieldType;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(crate::decide::engine::shipped)
    }

    const TT: &str = r#"{"id":"2030-TR-4","year":2030,"kind":"tech_transfer","applicant":{"name":"宿州市云计算92362股份有限公司","in_city":true,"credit_code":"91341302MA2T12345E"},"area":"先进材料","seller_in_city":false,"contract_amount":4912100,"paid_amount":"4912100.00"}"#;

    // Long, as a table of cases is: one line and one answer a row.
    #[test]
    fn tricky_lines_are_read_alike_or_given_up() {
        let pack = engine().pack();
        // (line, whether the quick path must answer)
        let cases: Vec<(String, bool)> = vec![
            (TT.to_string(), true),
            // whitespace everywhere JSON allows it, and only there
            (
                TT.replace(':', " :\t")
                    .replace(',', "\r\n ,  ")
                    .replace('{', " { ")
                    .replace('}', " } "),
                true,
            ),
            (TT.replace(",\"", ", \u{a0}\""), false),
            (TT.replace(",\"", ",\u{c}\""), false),
            // escapes: in values read as serde_json reads them, in keys given up on
            (
                TT.replace("股份", r#"\"股\\份\/\n\t\u0041\ud83d\ude00\u00e9"#),
                true,
            ),
            (TT.replace("2030-TR-4", r"2030\u002dTR-4"), true),
            (TT.replace("先进材料", r"\u5148\u8fdb\u6750\u6599"), true),
            (TT.replace("\"4912100.00\"", r#""4912100.\u0030""#), true),
            (TT.replace("\"area\"", r#""\u0061rea""#), false),
            (TT.replace("股份", r"\ud83d"), false),
            (TT.replace("股份", r"\ude00"), false),
            (TT.replace("股份", r"\ud83d\u0041"), false),
            (TT.replace("股份", r"\x41"), false),
            (TT.replace("股份", r"\u00g1"), false),
            (TT.replace("股份", r"\u00"), false),
            (TT.replace("股份", "\t"), false),
            (TT.replace("股份", "\u{7f}"), true),
            (TT.replace("股份", "\u{1f}"), false),
            (TT.replace("股份", "\\"), false),
            // numbers
            (TT.replace("4912100,", "4.9121e6,"), true),
            (TT.replace("4912100,", "49121E+2,"), true),
            (TT.replace("4912100,", "491210000e-2,"), true),
            (TT.replace("4912100,", "4912100.0,"), true),
            (TT.replace("4912100,", "4912100.001,"), false),
            (TT.replace("4912100,", "-0,"), true),
            (TT.replace("4912100,", "-0.0,"), true),
            (TT.replace("4912100,", "0,"), true),
            (TT.replace("4912100,", "-1,"), false),
            (TT.replace("4912100,", "01,"), false),
            (TT.replace("4912100,", "1.,"), false),
            (TT.replace("4912100,", ".5,"), false),
            (TT.replace("4912100,", "+5,"), false),
            (TT.replace("4912100,", "1e,"), false),
            (TT.replace("4912100,", "1e+,"), false),
            (TT.replace("4912100,", "1E5000,"), false),
            (TT.replace("4912100,", "0x10,"), false),
            (TT.replace("4912100,", "NaN,"), false),
            (TT.replace("4912100,", "Infinity,"), false),
            (TT.replace("4912100,", "1 2,"), false),
            (TT.replace("4912100,", "\"1e5\","), true),
            // amounts written with 万 or 亿, as parameters are
            (TT.replace("\"4912100.00\"", "\"491.21万\""), true),
            (TT.replace("\"4912100.00\"", "\"0.049121亿元\""), true),
            (TT.replace("\"4912100.00\"", r#""491.21\u4e07""#), true),
            (TT.replace("\"4912100.00\"", "\"491.21 万\""), true),
            (TT.replace("\"4912100.00\"", "\"491.2100001万\""), false),
            (TT.replace("\"4912100.00\"", "\"491万万\""), false),
            (TT.replace("\"4912100.00\"", "\"491w\""), false),
            (TT.replace("\"4912100.00\"", "\"四百九十一万\""), false),
            (TT.replace("\"4912100.00\"", "\"４９１万\""), false),
            (TT.replace("\"4912100.00\"", "\"-491万\""), false),
            (TT.replace("4912100,", "\" 1\","), false),
            (
                TT.replace("4912100,", "123456789012345678901234567890,"),
                false,
            ),
            (
                TT.replace("4912100,", "1234567890123456789012345678,"),
                true,
            ),
            (TT.replace("2030,", "2030.0,"), false),
            (TT.replace("2030,", "2e3,"), false),
            (TT.replace("2030,", "-0,"), true),
            (TT.replace("2030,", "\"2030\","), false),
            (TT.replace("2030,", "99999999999999999999,"), false),
            (TT.replace("\"2030-TR-4\"", "12"), true),
            (TT.replace("\"2030-TR-4\"", "-0.50"), true),
            (TT.replace("\"2030-TR-4\"", "1e5"), false),
            (TT.replace("\"2030-TR-4\"", "true"), false),
            (TT.replace("\"2030-TR-4\"", "null"), false),
            (TT.replace("\"2030-TR-4\"", "\"\""), false),
            (TT.replace("\"2030-TR-4\"", "\"null\""), true),
            // literals
            (TT.replace("false", "False"), false),
            (TT.replace("false", "fals"), false),
            (TT.replace("false", "falsey"), false),
            (TT.replace("false", "\"false\""), false),
            (TT.replace("true", "tru"), false),
            (
                TT.replace(
                    ",\"credit_code\":\"91341302MA2T12345E\"",
                    ",\"credit_code\":null",
                ),
                true,
            ),
            (
                TT.replace(
                    ",\"credit_code\":\"91341302MA2T12345E\"",
                    ",\"credit_code\":nul",
                ),
                false,
            ),
            (
                TT.replace(",\"credit_code\":\"91341302MA2T12345E\"", ""),
                true,
            ),
            (
                TT.replace("\"91341302MA2T12345E\"", "\"91341302MA2T12345F\""),
                false,
            ),
            (TT.replace("\"先进材料\"", "null"), true),
            (TT.replace("\"先进材料\"", "\"先进材\""), false),
            (
                TT.replace("\"宿州市云计算92362股份有限公司\"", "12.50"),
                true,
            ),
            (
                TT.replace("\"宿州市云计算92362股份有限公司\"", "1e5"),
                false,
            ),
            (
                TT.replace("\"宿州市云计算92362股份有限公司\"", "true"),
                false,
            ),
            (
                TT.replace("\"宿州市云计算92362股份有限公司\"", "null"),
                false,
            ),
            (
                TT.replace("\"宿州市云计算92362股份有限公司\"", "\"\""),
                true,
            ),
            // structure
            (format!("{TT} "), true),
            (format!(" \t{TT}\r"), true),
            (format!("{TT}x"), false),
            (format!("{TT},"), false),
            (format!("{TT}{{}}"), false),
            (format!("\u{feff}{TT}"), false),
            (format!("[{TT}]"), false),
            (TT.replace("}", ",}"), false),
            (TT.replacen(',', ",,", 3), false),
            (TT.replace(":", "::"), false),
            (TT.replacen(':', "", 1), false),
            (TT[..TT.len() - 1].to_string(), false),
            (TT.replace("\"", "'"), false),
            (TT.replace("}", "}/*c*/"), false),
            (TT.replace("\"year\"", "year"), false),
            (
                TT.replace(",\"seller_in_city\"", " \"seller_in_city\""),
                false,
            ),
            // repeats: of a key, of a field through its group, of a group
            (
                TT.replace("\"year\":2030,", "\"year\":2030,\"year\":2030,"),
                false,
            ),
            (TT.replace("\"kind\"", "\"id\":\"x\",\"kind\""), false),
            (
                TT.replace("\"year\"", "\"kind\":\"tech_transfer\",\"year\""),
                false,
            ),
            (
                TT.replace("\"year\"", "\"applicant.in_city\":true,\"year\""),
                false,
            ),
            (
                TT.replace(",\"in_city\":true", "")
                    .replace("\"year\"", "\"applicant.in_city\":true,\"year\""),
                true,
            ),
            // A group written twice is refused (the general reader's problem): never merged.
            (
                TT.replace(",\"in_city\":true", "")
                    .replace("\"year\"", "\"applicant\":{\"in_city\":true},\"year\""),
                false,
            ),
            (
                TT.replace("\"year\"", "\"applicant\":{\"in_city\":true},\"year\""),
                false,
            ),
            (TT.replace("\"year\"", "\"applicant\":{},\"year\""), false),
            (TT.replace("\"year\"", "\"applicant\":null,\"year\""), false),
            (TT.replace("\"year\"", "\"area\":{},\"year\""), false),
            (TT.replace("\"year\"", "\"zzz\":{},\"year\""), false),
            (TT.replace("\"year\"", "\"zzz\":null,\"year\""), false),
            (TT.replace("\"year\"", "\"zzz\":1,\"year\""), false),
            (TT.replace("\"year\"", "\"\":{},\"year\""), false),
            (TT.replace("\"year\"", "\"applicant\":[],\"year\""), false),
            (TT.replace("\"year\"", "\"applicant\":1,\"year\""), false),
            (TT.replace("\"in_city\":true", "\"in_city\":{}"), false),
            (TT.replace("\"in_city\":true", "\"in_city\":[true]"), false),
            (
                TT.replace("\"in_city\":true", "\"in_city\":true,\"id\":\"x\""),
                false,
            ),
            (
                TT.replace("\"in_city\":true", "\"in_city\":true,\"in_city\":true"),
                false,
            ),
            (TT.replace("\"area\"", "\"applicant.area\""), false),
            (
                TT.replace("\"kind\":\"tech_transfer\"", "\"kind\":\"tech_transfe\""),
                false,
            ),
            (TT.replace("\"kind\":\"tech_transfer\",", ""), false),
            (TT.replace("\"id\":\"2030-TR-4\",", ""), false),
            (TT.replace("\"year\":2030,", ""), false),
            (TT.replace("\"year\":2030,", "\"year\":null,"), false),
            (
                TT.replace("\"kind\":\"tech_transfer\"", "\"kind\":null"),
                false,
            ),
            (
                TT.replace(
                    "\"kind\":\"tech_transfer\"",
                    "\"kind\":\"tech\\u005ftransfer\"",
                ),
                false,
            ),
            (
                TT.replace(
                    "\"kind\"",
                    "\"$serde_json::private::Number\":\"1\",\"kind\"",
                ),
                false,
            ),
            (
                TT.replace(
                    "\"in_city\"",
                    "\"$serde_json::private::Number\":\"1\",\"in_city\"",
                ),
                false,
            ),
            ("{}".to_string(), false),
            (String::new(), false),
            ("null".to_string(), false),
        ];
        for (line, answers) in &cases {
            let answered = agrees(pack, line);
            assert_eq!(answered, *answers, "{line}");
        }
    }

    /// A small deterministic generator (xorshift64*)
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, in_100: usize) -> bool {
            self.below(100) < in_100
        }
        fn pick<T: Clone>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())].clone()
        }
    }

    /// Whitespace, usually none
    fn ws(rng: &mut Rng) -> &'static str {
        if rng.chance(85) {
            ""
        } else {
            rng.pick(&[" ", "  ", "\t", "\r\n", " \n "])
        }
    }

    /// A JSON string of `text`, some characters escaped in the ways JSON allows
    fn quoted(rng: &mut Rng, text: &str) -> String {
        let escapes = rng.chance(20);
        quoted_with(rng, text, escapes)
    }

    /// A key (or a kind) as JSON: escapes are rare, the quick path gives up on them
    fn key(rng: &mut Rng, text: &str) -> String {
        let escapes = rng.chance(2);
        quoted_with(rng, text, escapes)
    }

    fn quoted_with(rng: &mut Rng, text: &str, escapes: bool) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c if escapes && rng.chance(30) => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        if rng.chance(50) {
                            out.push_str(&format!("\\u{u:04X}"));
                        } else {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                }
                '/' if rng.chance(50) => out.push_str("\\/"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn digits(rng: &mut Rng, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect()
    }

    /// A number as JSON writes it, sometimes with a fraction or an exponent
    fn number(rng: &mut Rng, fraction: usize) -> String {
        let mut s = String::new();
        if rng.chance(5) {
            s.push('-');
        }
        let whole = match rng.below(10) {
            0 => "0".to_string(),
            1 => format!("{}{}", 1 + rng.below(9), digits(rng, 25)),
            _ => {
                let (first, n) = (1 + rng.below(9), rng.below(9));
                format!("{first}{}", digits(rng, n))
            }
        };
        s.push_str(&whole);
        if fraction > 0 && rng.chance(60) {
            s.push('.');
            let n = 1 + rng.below(fraction);
            s.push_str(&digits(rng, n));
        }
        if rng.chance(8) {
            s.push(rng.pick(&['e', 'E']));
            s.push_str(rng.pick(&["", "+", "-"]));
            let n = 1 + rng.below(3);
            s.push_str(&digits(rng, n));
        }
        s
    }

    /// A value for a field of type `ty`, as JSON: mostly valid, sometimes not
    fn field_value(rng: &mut Rng, ty: &FieldType) -> String {
        let odd = rng.chance(4);
        if odd {
            return rng
                .pick(&[
                    "null", "true", "false", "\"\"", "\"true\"", "1", "-1", "0", "\"1\"", "2.5",
                    "1e2", "{}", "[]", "\"x\"",
                ])
                .to_string();
        }
        match ty {
            FieldType::Bool => rng.pick(&["true", "false"]).to_string(),
            FieldType::Integer { .. } => {
                let n = match rng.below(4) {
                    0 => number(rng, 0),
                    _ => format!("{}", 2020 + rng.below(12)),
                };
                n
            }
            FieldType::Decimal { .. } => {
                let n = number(rng, 3);
                if rng.chance(50) {
                    quoted(rng, &n)
                } else {
                    n
                }
            }
            FieldType::Money { .. } => {
                let n = if rng.chance(80) {
                    let cents = if rng.chance(50) {
                        let n = 1 + rng.below(2);
                        format!(".{}", digits(rng, n))
                    } else {
                        String::new()
                    };
                    let (first, n) = (1 + rng.below(9), rng.below(8));
                    format!("{first}{}{cents}", digits(rng, n))
                } else {
                    number(rng, 4)
                };
                if rng.chance(10) {
                    // as parameters are written, and a few ways not to
                    let unit = rng.pick(&["万", "亿", "万元", "元", " 万", "万万", "w", "０万"]);
                    quoted(rng, &format!("{n}{unit}"))
                } else if rng.chance(50) {
                    quoted(rng, &n)
                } else {
                    n
                }
            }
            FieldType::Text {
                format: Some(crate::model::value::TextFormat::CreditCode),
            } => {
                let code = rng.pick(&[
                    "91341302MA2T12345E",
                    "91341300MA2NXXXX01",
                    "91110000600037341L",
                    "91110000600037341M",
                ]);
                quoted(rng, code)
            }
            FieldType::Text { .. } => {
                let text = rng.pick(&[
                    "宿州市云计算92362股份有限公司",
                    "A \"quoted\" name\\with/slashes",
                    "tab\there, line\nfeed",
                    "emoji 😀 and é",
                    "",
                    "  spaced  ",
                    "\u{7f}\u{2028}",
                ]);
                quoted(rng, text)
            }
            FieldType::OneOf { values } => {
                let v = rng.pick(values);
                let v = if rng.chance(5) { format!("{v}x") } else { v };
                quoted(rng, &v)
            }
            FieldType::Date { .. } => {
                let d = rng.pick(&[
                    "2024-03-25",
                    "2024-02-29",
                    "2023-02-29",
                    "2023-02-30",
                    "2024-13-01",
                    "2024-3-5",
                    "2021-12-31",
                    "0001-01-01",
                    "9999-12-31",
                    "2024-03-25T00:00:00",
                    "20240325",
                ]);
                if rng.chance(5) {
                    d.to_string()
                } else {
                    quoted(rng, d)
                }
            }
        }
    }

    /// A line for a random kind of the pack, in a random shape
    fn application(rng: &mut Rng, pack: &Pack) -> String {
        let kind = &pack.kinds[rng.below(pack.kinds.len())];
        let mut top: Vec<(String, String)> = Vec::new();
        let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
        let id = match rng.below(10) {
            0 => number(rng, 2),
            _ => {
                let n = rng.below(1000);
                quoted(rng, &format!("2030-X-{n}"))
            }
        };
        top.push(("id".into(), id));
        top.push(("kind".into(), key(rng, &kind.name)));
        for f in kind.fields.iter() {
            if !f.required && rng.chance(30) {
                continue;
            }
            let v = if !f.required && rng.chance(10) {
                "null".to_string()
            } else {
                field_value(rng, &f.ty)
            };
            match f.name.split_once('.') {
                Some((g, k)) if rng.chance(90) => {
                    match groups.iter_mut().find(|(name, _)| name == g) {
                        Some((_, members)) => members.push((k.into(), v)),
                        None => groups.push((g.into(), vec![(k.into(), v)])),
                    }
                }
                _ => top.push((f.name.clone(), v)),
            }
        }
        for (g, mut members) in groups {
            shuffle(rng, &mut members);
            let inner: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}{}:{}{v}{}", key(rng, k), ws(rng), ws(rng), ws(rng)))
                .collect();
            top.push((g, format!("{{{}{}}}", ws(rng), inner.join(","))));
        }
        shuffle(rng, &mut top);
        let members: Vec<String> = top
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}{}{}:{}{v}{}",
                    ws(rng),
                    key(rng, k),
                    ws(rng),
                    ws(rng),
                    ws(rng)
                )
            })
            .collect();
        format!("{}{{{}}}{}", ws(rng), members.join(","), ws(rng))
    }

    fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, rng.below(i + 1));
        }
    }

    /// The line with a few bytes deleted, repeated, swapped or put in; `None` if that breaks
    /// its UTF-8
    fn mutate(rng: &mut Rng, line: &str) -> Option<String> {
        let mut b = line.as_bytes().to_vec();
        for _ in 0..1 + rng.below(3) {
            if b.is_empty() {
                break;
            }
            let i = rng.below(b.len());
            match rng.below(4) {
                0 => {
                    b.remove(i);
                }
                1 => b.insert(i, b[i]),
                2 => {
                    let j = rng.below(b.len());
                    b.swap(i, j);
                }
                _ => {
                    let tokens: &[&[u8]] = &[
                        b"\"",
                        b"\\",
                        b",",
                        b":",
                        b"{",
                        b"}",
                        b"[",
                        b"]",
                        b"e",
                        b"E",
                        b"-",
                        b"+",
                        b".",
                        b"0",
                        b"1",
                        b" ",
                        b"\t",
                        b"\x01",
                        b"null",
                        b"\\u00e9",
                        b"\\ud83d",
                        "é".as_bytes(),
                    ];
                    let t = rng.pick(tokens);
                    b.splice(i..i, t.iter().copied());
                }
            }
        }
        String::from_utf8(b).ok()
    }

    #[test]
    fn leading_id_and_kind_are_the_general_readers_or_the_line_is_an_error() {
        let pack = engine().pack();
        let cases = [
            (
                r#"{"id":"a","kind":"tech_transfer"}"#,
                Some(("a", "tech_transfer")),
            ),
            (r#" { "id" :	"a" ,"kind": "b" , "x": 1}"#, Some(("a", "b"))),
            // Not JSON past the beginning, or the id given twice: an error, so the id hashed
            // never counts (a meeting hash is read again whole)
            (r#"{"id":"a","kind":"b","#, Some(("a", "b"))),
            (r#"{"id":"a","kind":"b","id":"c"}"#, Some(("a", "b"))),
            (r#"{"id":"a","kind":"b"} trailing"#, Some(("a", "b"))),
            // Anything not plain before both: the full scan decides
            (r#"{"kind":"b","id":"a"}"#, Some(("a", "b"))),
            (r#"{"id":"","kind":"b"}"#, None),
            (r#"{"id":"a\u0041","kind":"b"}"#, None),
            (r#"{"id":7,"kind":"b"}"#, None),
            (r#"{"id":"a","kind":null}"#, None),
            ("{\"id\":\"a\tb\",\"kind\":\"b\"}", None),
            (r#"["id","a","kind","b"]"#, None),
            (r#"{"id":"a""#, None),
            (r#"{"id":"a","year":2025,"kind":"b"}"#, Some(("a", "b"))),
            (
                r#"{"year": -2.5e3, "ok": true, "n": null, "kind": "b", "id": "a", "x": [1]}"#,
                Some(("a", "b")),
            ),
            (r#"{"applicant":{"id":"x"},"id":"a","kind":"b"}"#, None),
            (r#"{"year":2025,"id":"a","x":"\"","kind":"b"}"#, None),
            (r#"{"id":"a","year":20 25,"kind":"b"}"#, None),
            (r#"{"id":"a","kind":"b","kind":"c"}"#, Some(("a", "b"))),
        ];
        for (line, expected) in cases {
            assert_eq!(leading_id_kind(line.as_bytes()), expected, "{line}");
            agrees(pack, line);
        }
        // Generated lines with their id and kind moved to the front, and mutants of them
        // (a byte changed, cut short, spaces): each agrees with the general reader.
        let mut rng = Rng(7);
        let (mut answered, mut mutants) = (0, 0);
        for _ in 0..2000 {
            let line = application(&mut rng, pack);
            let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(&line) else {
                continue;
            };
            let (Some(id), Some(kind)) = (map.shift_remove("id"), map.shift_remove("kind")) else {
                continue;
            };
            let mut front = serde_json::Map::new();
            front.insert("id".into(), id);
            front.insert("kind".into(), kind);
            front.extend(map);
            let line = serde_json::Value::Object(front).to_string();
            answered += usize::from(leading_id_kind(line.as_bytes()).is_some());
            agrees(pack, &line);
            for _ in 0..4 {
                if let Some(m) = mutate(&mut rng, &line) {
                    mutants += 1;
                    agrees(pack, &m);
                }
            }
        }
        assert!(answered > 1000 && mutants > 1000, "{answered}, {mutants}");
    }

    #[test]
    fn generated_and_mutated_lines_are_read_alike_or_given_up() {
        let pack = engine().pack();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut lines, mut answered, mut mutants, mut mutants_answered) = (0, 0, 0, 0);
        for _ in 0..6000 {
            let line = application(&mut rng, pack);
            lines += 1;
            answered += usize::from(agrees(pack, &line));
            for _ in 0..4 {
                if let Some(m) = mutate(&mut rng, &line) {
                    mutants += 1;
                    mutants_answered += usize::from(agrees(pack, &m));
                }
            }
        }
        eprintln!(
            "quick answers: {answered} of {lines} lines, {mutants_answered} of {mutants} mutants"
        );
        // The quick path must still answer most valid lines, and some mutants (a changed digit
        // or a space).
        assert!(answered * 3 > lines, "{answered} of {lines}");
        assert!(
            mutants_answered > 0 && mutants > lines,
            "{mutants_answered} of {mutants}"
        );
    }

    /// The sample pack with a date field `recognized_on` added to every kind
    fn pack_with_a_date() -> Pack {
        let mut pack = engine().pack().clone();
        for kind in &mut pack.kinds {
            let mut fields = (*kind.fields).clone();
            let mut field = fields[0].clone();
            field.name = "recognized_on".into();
            field.ty = FieldType::Date {
                min: None,
                max: crate::model::date::Date::parse("2030-12-31"),
            };
            field.required = true;
            fields.push(field);
            kind.fields = std::sync::Arc::new(fields);
        }
        pack
    }

    #[test]
    fn date_fields_are_read_alike_or_given_up() {
        let pack = pack_with_a_date();
        let with = |date: &str| {
            TT.replace(
                "\"year\":2030,",
                &format!("\"year\":2030,\"recognized_on\":{date},"),
            )
        };
        for (date, answers) in [
            ("\"2024-03-25\"", true),
            ("\"2024-02-29\"", true),
            ("\"2024\\u002d02-29\"", true),
            ("\"2023-02-29\"", false),
            ("\"2031-01-01\"", false),
            ("\"2024-3-5\"", false),
            ("\"2024-03-25 \"", false),
            ("20240325", false),
            ("null", false),
            ("true", false),
        ] {
            let line = with(date);
            assert_eq!(agrees(&pack, &line), answers, "{line}");
        }
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut answered = 0;
        for _ in 0..2000 {
            let line = application(&mut rng, &pack);
            answered += usize::from(agrees(&pack, &line));
            if let Some(m) = mutate(&mut rng, &line) {
                agrees(&pack, &m);
            }
        }
        assert!(answered > 100, "{answered} of 2000");
    }

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
        assert!(light(r#"{"id":"a","kind":"b","kind":"b"}"#, 0, 1).is_none());
        assert_eq!(scan_id_kind(r#"{"id":true}"#), None);
        assert_eq!(scan_id_kind(r#"{"id":"a" "kind":"b"}"#), None);
        assert_eq!(scan_id_kind("[1]"), None);
        // An exponent (serde_json writes it again), a key with an escape, trailing text.
        assert_eq!(scan_id_kind(r#"{"id":1E5,"kind":"a"}"#), None);
        assert_eq!(scan_id_kind(r#"{"\u0069d":"b","kind":"a"}"#), None);
        assert_eq!(scan_id_kind(r#"{"id":"a","kind":"b"} x"#), None);
        assert_eq!(scan_id_kind(r#"{"id":"a","kind":"b","n":[1,]}"#), None);
    }
}
