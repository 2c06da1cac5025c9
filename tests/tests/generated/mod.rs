//! Applications generated for any shipped pack, for the differential tests that decide the same
//! applications by different paths (`lowered_vs_rhai.rs`, `memo.rs`).
//!
//! The base is what `policy gen` makes (valid, varied); then, with a fixed seed, fields are
//! swapped for the boundary values of their type (zero, one fen, the bounds, amounts past any
//! cap, a decimal with more places than money allows, absent), so the scripts meet the edges
//! and the checks meet bad values.

#![allow(dead_code, reason = "each test binary uses part of this module")]

use std::path::PathBuf;

use policy_engine::{Date, Engine, FieldType, InputFormat, RawApplication};
use rust_decimal::Decimal;
use serde_json::Value;

use policy_tests::{policy, root};

/// Every pack shipped under `policies/`
pub fn packs() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("policies"))
        .expect("policies folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("pack.yaml").is_file())
        .collect();
    out.sort();
    assert!(out.len() >= 2, "the shipped packs: {out:?}");
    out
}

/// SplitMix64, so that a failure is found again with the same seed
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn number(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(text.to_string()))
}

/// A number as JSON, or the same as a numeric text (both are accepted for amounts)
fn amount(rng: &mut Rng, text: String) -> Value {
    if rng.chance(50) {
        number(&text)
    } else {
        Value::String(text)
    }
}

/// The values at the edges of a field's type
pub fn boundary(rng: &mut Rng, ty: &FieldType, period: bool) -> Value {
    match ty {
        FieldType::Bool => Value::Bool(rng.chance(50)),
        FieldType::Integer { min, max } => {
            if period {
                return number(&(2023 + rng.below(10) as i64).to_string());
            }
            let mut picks: Vec<Decimal> = vec![0.into(), 1.into(), 2.into(), 3.into(), (-1).into()];
            for b in [min, max].into_iter().flatten() {
                picks.extend([*b, *b - Decimal::ONE, *b + Decimal::ONE]);
            }
            number(&rng.pick(&picks).to_string())
        }
        FieldType::Decimal { min, max } => {
            let mut picks: Vec<String> = ["0", "0.5", "1", "59.99", "60", "60.0001", "100", "1e2"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            for b in [min, max].into_iter().flatten() {
                picks.extend([b.to_string(), (*b - Decimal::new(1, 2)).to_string()]);
            }
            picks.push(format!("{}.{:04}", rng.below(200), rng.below(10_000)));
            let text = rng.pick(&picks).clone();
            amount(rng, text)
        }
        FieldType::Money { max } => {
            let mut picks: Vec<String> = [
                "0",
                "0.00",
                "0.01",
                "0.1",
                "1",
                "99999.99",
                "100000",
                "499999.99",
                "500000",
                "5000000.00",
                "4999999.995",
                "99999999999",
                "12.345",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if let Some(m) = max {
                picks.extend([m.to_string(), (*m - Decimal::new(1, 2)).to_string()]);
            }
            let fen = rng.next() % 2_000_000_000;
            picks.push(format!("{}.{:02}", fen / 100, fen % 100));
            let text = rng.pick(&picks).clone();
            amount(rng, text)
        }
        FieldType::Text { .. } => Value::String(
            rng.pick(&["", "某某有限公司", "x", "91341300MA2NXXXX0X", "a\tb"])
                .to_string(),
        ),
        FieldType::OneOf { values } => {
            if rng.chance(90) && !values.is_empty() {
                Value::String(rng.pick(values).clone())
            } else {
                Value::String("none-of-these".into())
            }
        }
        FieldType::Date { min, max } => {
            let mut picks: Vec<Date> = Vec::new();
            for b in [min, max].into_iter().flatten() {
                picks.push(*b);
                picks.extend(b.add_days(-1));
                picks.extend(b.add_days(1));
            }
            picks.extend(Date::from_ymd(2024, 2, 29));
            picks.extend(Date::from_ymd(2026, 12, 31));
            Value::String(rng.pick(&picks).to_string())
        }
    }
}

fn set(obj: &mut serde_json::Map<String, Value>, path: &str, v: Option<Value>) {
    match path.split_once('.') {
        None => match v {
            Some(v) => {
                obj.insert(path.to_string(), v);
            }
            None => {
                obj.remove(path);
            }
        },
        Some((head, rest)) => {
            let entry = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(inner) = entry {
                set(inner, rest, v);
            }
        }
    }
}

/// `count` applications for the pack of `engine` (at `dir`), as JSON values, with their ids made
/// unique. About two fields in five hold a boundary value or is left out.
pub fn applications(engine: &Engine, dir: &std::path::Path, seed: u64, count: usize) -> Vec<Value> {
    let pack = engine.pack();
    let dir = dir.to_string_lossy().into_owned();
    let (code, out, err) = policy(&[
        "gen",
        "--pack",
        &dir,
        "--count",
        &count.to_string(),
        "--seed",
        &seed.to_string(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 0, "policy gen: {err}");
    let mut rng = Rng(seed);
    let mut apps = Vec::with_capacity(count);
    for (i, line) in out.lines().enumerate() {
        let mut app: Value = serde_json::from_str(line).expect("gen writes JSON");
        let Some(kind) = app["kind"].as_str().and_then(|k| pack.kind(k)).cloned() else {
            continue;
        };
        let Value::Object(obj) = &mut app else {
            continue;
        };
        obj.insert("id".into(), format!("G-{seed}-{i}").into());
        for f in kind.fields.iter() {
            if !rng.chance(40) {
                continue;
            }
            let period = pack.period.as_deref() == Some(f.name.as_str());
            let v = if rng.chance(10) {
                None
            } else {
                Some(boundary(&mut rng, &f.ty, period))
            };
            set(obj, &f.name, v);
        }
        apps.push(app);
    }
    apps
}

/// The applications read as the engine reads a JSONL file
pub fn raw(apps: &[Value]) -> Vec<RawApplication> {
    let text: String = apps.iter().map(|a| format!("{a}\n")).collect();
    policy_engine::parse_applications(&text, InputFormat::Jsonl).expect("generated JSONL reads")
}

/// Each decision in full (its amount with its scale, which `==` on decimals ignores), to compare
pub fn shown(d: &policy_engine::Decision) -> String {
    format!("{d:?}")
}

/// Asserts that two runs decided every application alike, naming the first that differs
pub fn assert_same(
    what: &str,
    apps: &[Value],
    left: &[policy_engine::Decision],
    right: &[policy_engine::Decision],
) {
    assert_eq!(left.len(), right.len(), "{what}: one decision each");
    for (i, (l, r)) in left.iter().zip(right).enumerate() {
        let (l, r) = (shown(l), shown(r));
        assert!(
            l == r,
            "{what}: the decisions of application {i} differ\napplication: {}\n{l}\n{r}",
            apps.get(i).map(|a| a.to_string()).unwrap_or_default()
        );
    }
}
