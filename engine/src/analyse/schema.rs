//! JSON Schemas of a pack's applications (from its declared kinds and fields) and of the
//! decisions document, for other tools to validate against before they call the engine.

use serde_json::{json, Map, Value};

use crate::decide::Engine;
use crate::model::pack::Pack;
use crate::model::value::FieldType;
use crate::model::value::TextFormat;

fn field_schema(ty: &FieldType, description: Option<&str>) -> Value {
    let number_or_text = |pattern: &str| json!({"anyOf": [{"type": "number"}, {"type": "string", "pattern": pattern}]});
    let mut s = match ty {
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::Integer { min, max } => {
            let mut s = json!({"type": "integer"});
            if let Some(m) = min {
                s["minimum"] = json!(m.to_string().parse::<i64>().unwrap_or(i64::MIN));
            }
            if let Some(m) = max {
                s["maximum"] = json!(m.to_string().parse::<i64>().unwrap_or(i64::MAX));
            }
            s
        }
        FieldType::Decimal { .. } => number_or_text(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$"),
        // Yuan: not negative, at most two decimals; a string keeps every digit, and may be
        // written with 万 or 亿 as a parameter is (`60.5万`; whole fen is checked on reading).
        FieldType::Money { .. } => {
            number_or_text(r"^\+?\d+(\.\d{1,2})?(\s*元)?$|^\+?\d+(\.\d+)?\s*[万亿]元?$")
        }
        FieldType::Text {
            format: Some(TextFormat::CreditCode),
        } => json!({"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"}),
        FieldType::Text { format: None } => json!({"type": "string"}),
        FieldType::OneOf { values } => json!({"type": "string", "enum": values}),
        // `format` alone is often not checked by validators; the pattern is.
        FieldType::Date { .. } => {
            json!({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})
        }
    };
    if let (Some(d), Some(o)) = (description, s.as_object_mut()) {
        o.insert("description".into(), json!(d));
    }
    s
}

/// Puts a dotted field's schema into nested object schemas
fn place(
    props: &mut Map<String, Value>,
    required: &mut Vec<String>,
    path: &[&str],
    schema: Value,
    is_required: bool,
) {
    match path {
        [] => {}
        [leaf] => {
            props.insert((*leaf).to_string(), schema);
            if is_required && !required.iter().any(|r| r == leaf) {
                required.push((*leaf).to_string());
            }
        }
        [group, rest @ ..] => {
            let entry = props
                .entry((*group).to_string())
                .or_insert_with(|| json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}));
            if is_required && !required.iter().any(|r| r == group) {
                required.push((*group).to_string());
            }
            let mut inner_props = entry["properties"].as_object().cloned().unwrap_or_default();
            let mut inner_required: Vec<String> = entry["required"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            place(
                &mut inner_props,
                &mut inner_required,
                rest,
                schema,
                is_required,
            );
            entry["properties"] = Value::Object(inner_props);
            entry["required"] = json!(inner_required);
        }
    }
}

/// A JSON Schema (2020-12) of one application of the pack: one branch per kind
pub fn application_schema(pack: &Pack) -> Value {
    let branches: Vec<Value> = pack
        .kinds
        .iter()
        .map(|k| {
            let mut props = Map::new();
            let mut required = vec!["id".to_string(), "kind".to_string()];
            props.insert("id".into(), json!({"type": ["string", "integer"], "description": "the application's reference, unique in a file"}));
            props.insert("kind".into(), json!({"const": k.name, "description": k.title}));
            for f in k.fields.iter() {
                let path: Vec<&str> = f.name.split('.').collect();
                place(&mut props, &mut required, &path, field_schema(&f.ty, f.description.as_deref()), f.required);
            }
            json!({
                "title": k.title,
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": false,
            })
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("An application to {}", pack.title),
        "oneOf": branches,
    })
}

/// A JSON Schema of the decisions document `policy run --format json` writes, for a pack of any
/// rounding: amounts with 0 to 10 decimals, the range `rounding.scale` allows. A pack's own
/// schema ([`Engine::decisions_schema`]) holds amounts to its scale exactly.
pub fn decisions_schema() -> Value {
    schema_of_decisions(
        r"^\d+(\.\d{1,10})?$",
        "yuan, with the decimals of the pack's rounding.scale (0 to 10); zero unless awarded",
    )
}

impl Engine {
    /// The JSON Schema of this pack's decisions document (`policy run --format json`; each line
    /// of `--format jsonl` is one of its `decisions`): every amount has exactly the decimals of
    /// the pack's `rounding.scale`
    pub fn decisions_schema(&self) -> Value {
        let scale = self.pack.rounding.scale;
        let (pattern, description) = if scale == 0 {
            (
                r"^\d+$".to_string(),
                "yuan, whole (rounding.scale 0); 0 unless awarded".to_string(),
            )
        } else {
            (
                format!(r"^\d+\.\d{{{scale}}}$"),
                format!("yuan, exactly {scale} decimals (rounding.scale); zero unless awarded"),
            )
        };
        let mut schema = schema_of_decisions(&pattern, &description);
        // `--with-applicant` writes the pack's `applicant:` fields and its period beside each
        // decision, as text (or null where the application had none), nested as in the input.
        let item = &mut schema["properties"]["decisions"]["items"];
        let mut props = item["properties"].as_object().cloned().unwrap_or_default();
        let mut required = Vec::new();
        for name in self.pack.applicant.iter().chain(&self.pack.period) {
            let path: Vec<&str> = name.split('.').collect();
            let text = json!({"type": ["string", "null"], "description": "with --with-applicant"});
            place(&mut props, &mut required, &path, text, false);
        }
        item["properties"] = Value::Object(props);
        schema
    }
}

fn schema_of_decisions(amount: &str, description: &str) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Decisions",
        "type": "object",
        "required": ["pack", "decisions", "totals"],
        "additionalProperties": false,
        "properties": {
            "pack": {
                "type": "object",
                "required": ["id", "version", "fingerprint"],
                "properties": {
                    "id": {"type": "string"},
                    "version": {"type": "string"},
                    "fingerprint": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}
                }
            },
            "decisions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "kind", "clause", "status", "amount", "reasons"],
                    "additionalProperties": false,
                    "properties": {
                        "id": {"type": ["string", "null"]},
                        "kind": {"type": ["string", "null"]},
                        "clause": {"type": ["string", "null"]},
                        "status": {"enum": ["awarded", "ineligible", "capped", "superseded", "error"]},
                        "amount": {"type": "string", "pattern": amount, "description": description},
                        "reasons": {"type": "array", "items": {"type": "string"}}
                    }
                }
            },
            "totals": {
                "type": "object",
                "required": ["applications", "awarded", "amount"],
                "properties": {
                    "applications": {"type": "integer", "minimum": 0},
                    "awarded": {"type": "integer", "minimum": 0},
                    "amount": {"type": "string", "pattern": amount}
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn amount_pattern(schema: &Value) -> &str {
        schema["properties"]["decisions"]["items"]["properties"]["amount"]["pattern"]
            .as_str()
            .unwrap_or_default()
    }

    #[test]
    fn a_packs_amounts_have_its_scale() {
        let mut engine = crate::decide::engine::shipped();
        for (scale, pattern) in [(2, r"^\d+\.\d{2}$"), (0, r"^\d+$"), (4, r"^\d+\.\d{4}$")] {
            engine.pack.rounding.scale = scale;
            let schema = engine.decisions_schema();
            assert_eq!(amount_pattern(&schema), pattern, "scale {scale}");
            assert_eq!(
                schema["properties"]["totals"]["properties"]["amount"]["pattern"],
                pattern
            );
        }
        // The schema for any pack takes every scale the packs may choose.
        assert_eq!(
            amount_pattern(&super::decisions_schema()),
            r"^\d+(\.\d{1,10})?$"
        );
    }
}
