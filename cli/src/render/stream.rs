//! Decisions written as they are decided: the JSON, JSONL and CSV sinks of the engine's stream.

use policy_engine::{is_plain_json_text, push_decimal, Decision, Pack, Sink, Totals};

/// Indents every line of a pretty JSON text
fn indent(text: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(by);
        out.push_str(line);
    }
    out
}

/// The decisions document, byte for byte as `serde_json::to_string_pretty` writes it whole
pub struct JsonSink {
    head: String,
}

impl JsonSink {
    pub fn new(pack: &Pack) -> JsonSink {
        let pack_ref = serde_json::json!({
            "id": pack.id,
            "version": pack.version,
            "fingerprint": pack.fingerprint,
        });
        let pretty = serde_json::to_string_pretty(&pack_ref).unwrap_or_default();
        JsonSink {
            head: format!(
                "{{\n  \"pack\": {},\n  \"decisions\": [",
                indent(&pretty, "  ").trim_start()
            ),
        }
    }
}

impl Sink for JsonSink {
    fn begin(&self) -> Vec<u8> {
        self.head.clone().into_bytes()
    }

    fn render(&self, n: usize, d: &Decision, out: &mut Vec<u8>) {
        out.extend_from_slice(if n == 0 { b"\n" } else { b",\n" });
        pretty_decision(out, d);
    }

    fn end(&self, count: usize, totals: &Totals) -> Vec<u8> {
        let pretty = serde_json::to_string_pretty(totals).unwrap_or_default();
        let close = if count == 0 { "]" } else { "\n  ]" };
        format!(
            "{close},\n  \"totals\": {}\n}}\n",
            indent(&pretty, "  ").trim_start()
        )
        .into_bytes()
    }
}

/// A JSON string, escaped as serde_json escapes it
fn string(out: &mut Vec<u8>, s: &str) {
    // Reasons and ids rarely hold a quote, a backslash or a control character: then the text
    // goes as it is (serde_json escapes nothing else; its byte-by-byte pass was 3% of a run).
    if is_plain_json_text(s) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A decision as `serde_json::to_string_pretty` writes it inside the `decisions` array (four
/// spaces in), written directly: this runs once per application, and the general serializer
/// with an indentation pass cost a fifth of a large run
fn pretty_decision(out: &mut Vec<u8>, d: &Decision) {
    out.extend_from_slice(b"    {\n      \"id\": ");
    opt_string(out, d.id.as_deref());
    out.extend_from_slice(b",\n      \"kind\": ");
    opt_string(out, d.kind.as_deref());
    out.extend_from_slice(b",\n      \"clause\": ");
    opt_string(out, d.clause.as_deref());
    out.extend_from_slice(b",\n      \"status\": \"");
    out.extend_from_slice(d.status.as_str().as_bytes());
    out.extend_from_slice(b"\",\n      \"amount\": \"");
    push_decimal(out, d.amount);
    out.extend_from_slice(b"\",\n      \"reasons\": [");
    for (i, r) in d.reasons.iter().enumerate() {
        out.extend_from_slice(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        });
        string(out, r);
    }
    if d.reasons.is_empty() {
        out.extend_from_slice(b"]\n    }");
    } else {
        out.extend_from_slice(b"\n      ]\n    }");
    }
}

/// One compact JSON decision per line
pub struct JsonlSink;

impl Sink for JsonlSink {
    fn begin(&self) -> Vec<u8> {
        Vec::new()
    }

    fn render(&self, _: usize, d: &Decision, out: &mut Vec<u8>) {
        let at = out.len();
        if serde_json::to_writer(&mut *out, d).is_err() {
            out.truncate(at);
        }
        out.push(b'\n');
    }

    fn end(&self, _: usize, _: &Totals) -> Vec<u8> {
        Vec::new()
    }
}

/// One CSV row per decision; reasons joined by `；`
pub struct CsvSink;

pub const CSV_HEADER: [&str; 6] = ["id", "kind", "clause", "status", "amount", "reasons"];

/// The fields of a decision as they are (an `.xlsx` writes each as a text cell, never a
/// formula)
pub fn decision_fields(d: &Decision) -> [String; 6] {
    [
        d.id.clone().unwrap_or_default(),
        d.kind.clone().unwrap_or_default(),
        d.clause.clone().unwrap_or_default(),
        d.status.to_string(),
        d.amount.to_string(),
        d.reasons.join("；"),
    ]
}

/// The fields of a decision as written in a CSV, text cells kept from being read as formulas
/// (`super::csv::cell`; the status and the amount are never text that could be one)
pub fn csv_fields(d: &Decision) -> [String; 6] {
    decision_fields(d).map(|f| super::csv::cell(&f).into_owned())
}

impl Sink for CsvSink {
    fn begin(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(CSV_HEADER);
        w.into_inner().unwrap_or_default()
    }

    fn render(&self, _: usize, d: &Decision, out: &mut Vec<u8>) {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(csv_fields(d));
        out.extend_from_slice(&w.into_inner().unwrap_or_default());
    }

    fn end(&self, _: usize, _: &Totals) -> Vec<u8> {
        Vec::new()
    }
}

/// The form `WithFields` writes
#[derive(Clone, Copy)]
pub enum Form {
    Json,
    Jsonl,
    Csv,
}

/// Decisions with fields of their applications beside them (`policy run --with-applicant`:
/// the pack's `applicant:` fields and its period), so a later run can read them as its
/// `--history`. In JSON a dotted name nests (`applicant.name` is `name` inside `applicant`),
/// as in the applications; in CSV it is the column's name. A value is as the application
/// wrote it, `null` (an empty cell) where it has none.
pub struct WithFields {
    form: Form,
    json: JsonSink,
    names: Vec<String>,
    /// Each application's values, in input order
    values: Vec<Vec<Option<String>>>,
}

impl WithFields {
    pub fn new(
        form: Form,
        pack: &Pack,
        names: Vec<String>,
        values: Vec<Vec<Option<String>>>,
    ) -> WithFields {
        WithFields {
            form,
            json: JsonSink::new(pack),
            names,
            values,
        }
    }

    /// The decision as a JSON object with the fields added
    fn object(&self, n: usize, d: &Decision) -> serde_json::Value {
        let mut value = serde_json::to_value(d).unwrap_or_default();
        let row = self.values.get(n);
        for (i, name) in self.names.iter().enumerate() {
            let given = row.and_then(|r| r.get(i)).cloned().flatten();
            let mut at = &mut value;
            let mut parts = name.split('.').peekable();
            while let Some(part) = parts.next() {
                let Some(object) = at.as_object_mut() else {
                    break;
                };
                if parts.peek().is_none() {
                    object.insert(
                        part.to_string(),
                        given.clone().map_or(serde_json::Value::Null, Into::into),
                    );
                    break;
                }
                at = object
                    .entry(part.to_string())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
            }
        }
        value
    }
}

impl Sink for WithFields {
    fn begin(&self) -> Vec<u8> {
        match self.form {
            Form::Json => self.json.begin(),
            Form::Jsonl => Vec::new(),
            Form::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                let header = CSV_HEADER
                    .iter()
                    .copied()
                    .chain(self.names.iter().map(String::as_str));
                let _ = w.write_record(header);
                w.into_inner().unwrap_or_default()
            }
        }
    }

    fn render(&self, n: usize, d: &Decision, out: &mut Vec<u8>) {
        match self.form {
            Form::Json => {
                out.extend_from_slice(if n == 0 { b"\n" } else { b",\n" });
                let pretty = serde_json::to_string_pretty(&self.object(n, d)).unwrap_or_default();
                out.extend_from_slice(indent(&pretty, "    ").as_bytes());
            }
            Form::Jsonl => {
                let at = out.len();
                if serde_json::to_writer(&mut *out, &self.object(n, d)).is_err() {
                    out.truncate(at);
                }
                out.push(b'\n');
            }
            Form::Csv => {
                let row = self.values.get(n);
                let extra = (0..self.names.len()).map(|i| {
                    let value = row.and_then(|r| r.get(i)).cloned().flatten();
                    super::csv::cell(&value.unwrap_or_default()).into_owned()
                });
                let mut w = csv::Writer::from_writer(Vec::new());
                let _ = w.write_record(csv_fields(d).into_iter().chain(extra));
                out.extend_from_slice(&w.into_inner().unwrap_or_default());
            }
        }
    }

    fn end(&self, count: usize, totals: &Totals) -> Vec<u8> {
        match self.form {
            Form::Json => self.json.end(count, totals),
            Form::Jsonl | Form::Csv => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use policy_engine::Status;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain",
            "四(四)8 补助：按实际支付额 3,735,150.64 元计",
            "quote \" in",
            "back\\slash",
            "tab\tnew\nline\u{1}",
            "del \u{7f} and \u{2028}",
            "emoji 🎉",
        ] {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    fn decision(id: Option<&str>, reasons: &[&str]) -> Decision {
        let mut d: Decision = Decision {
            id: id.map(str::to_string),
            kind: Some("tech_transfer".into()),
            clause: None,
            status: Status::Error,
            amount: "0.00".parse().unwrap(),
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            rank: None,
            reached: Vec::new(),
        };
        d.amount.rescale(2);
        d
    }

    #[test]
    fn the_hand_written_json_is_serde_json_pretty() {
        for d in [
            decision(Some("A-1"), &["一", "two \"quoted\" \\ back\nslash\t\u{1}"]),
            decision(None, &[]),
            decision(Some("x"), &["only"]),
        ] {
            let mut ours = Vec::new();
            pretty_decision(&mut ours, &d);
            let theirs = indent(&serde_json::to_string_pretty(&d).unwrap(), "    ");
            assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        }
    }
}
