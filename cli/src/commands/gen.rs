//! `policy gen`: valid synthetic applications for any pack, for load tests and rehearsals.
//!
//! Built from the pack's declared kinds and fields; the same pack, count and seed give the
//! same bytes.

use std::io::Write;

use policy_engine::{Date, FieldType, Pack, TextFormat};

use super::{load, Io};
use crate::args::{GenArgs, GenOut};
use crate::atomic::write_atomically;
use crate::exit::EXIT_OK;

pub fn run(io: &mut Io<'_>, args: &GenArgs) -> Result<u8, String> {
    let engine = load(&args.pack, io.error_format, io.lang)?;
    let (count, format) = (args.count, args.format);
    if args.repeat_applicants > 100 {
        return Err(format!(
            "error: --repeat-applicants {} is a percentage: 0 to 100",
            args.repeat_applicants
        ));
    }
    let maker = || Maker::new(engine.pack(), args.seed, args.repeat_applicants);
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            generate(maker(), count, format, &mut buf).map_err(|e| format!("error: {e}"))?;
            write_atomically(path, &buf)?;
        }
        None => generate(maker(), count, format, &mut io.out).map_err(|e| format!("error: {e}"))?,
    }
    Ok(EXIT_OK)
}

/// SplitMix64: small, fast, and the same sequence on every machine and version
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0)
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` / 100
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u64; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_code(rng: &mut Rng) -> String {
    let mut body: Vec<u8> = b"91341".to_vec();
    while body.len() < 17 {
        body.push(CREDIT_ALPHABET[rng.below(31) as usize]);
    }
    let sum: u64 = body
        .iter()
        .zip(CREDIT_WEIGHTS)
        .map(|(c, w)| CREDIT_ALPHABET.iter().position(|a| a == c).unwrap_or(0) as u64 * w)
        .sum();
    body.push(CREDIT_ALPHABET[((31 - sum % 31) % 31) as usize]);
    String::from_utf8(body).unwrap_or_default()
}

/// A value for a field, as a JSON value (numbers as JSON numbers or strings, exact)
fn value(rng: &mut Rng, name: &str, ty: &FieldType, period: bool) -> serde_json::Value {
    use serde_json::Value as J;
    let number = |text: String| -> J {
        serde_json::from_str::<serde_json::Number>(&text)
            .map(J::Number)
            .unwrap_or(J::String(text))
    };
    match ty {
        FieldType::Bool => J::Bool(rng.chance(if name.ends_with("in_city") { 95 } else { 80 })),
        FieldType::Integer { min, max } => {
            let (lo, hi) = if period {
                (2025, 2030)
            } else {
                let lo = min
                    .and_then(|m| m.to_string().parse::<i64>().ok())
                    .unwrap_or(1);
                let hi = max
                    .and_then(|m| m.to_string().parse::<i64>().ok())
                    .unwrap_or(lo + 99);
                (lo, hi.max(lo))
            };
            let v = lo + rng.below((hi - lo + 1) as u64) as i64;
            number(v.to_string())
        }
        FieldType::Decimal { min, .. } => {
            let lo = min
                .and_then(|m| m.to_string().parse::<i64>().ok())
                .unwrap_or(0);
            let tenths = rng.below(1000);
            number(format!(
                "{}.{}",
                lo + 50 + (tenths / 10) as i64 / 2,
                tenths % 10
            ))
        }
        FieldType::Money { .. } => {
            // 1万 .. 1000万 yuan, in fen; half as JSON numbers, half as strings
            let fen = 1_000_000 + rng.below(999_000_000);
            let text = format!("{}.{:02}", fen / 100, fen % 100);
            if rng.chance(50) {
                number(text)
            } else {
                J::String(text)
            }
        }
        FieldType::Text {
            format: Some(TextFormat::CreditCode),
        } => J::String(credit_code(rng)),
        FieldType::Text { .. } => J::String(format!(
            "{} {:06}",
            name.replace('.', " "),
            rng.below(1_000_000)
        )),
        FieldType::OneOf { values } => J::String(
            values
                .get(rng.below(values.len() as u64) as usize)
                .cloned()
                .unwrap_or_default(),
        ),
        FieldType::Date { min, max } => {
            // A day in its bounds, 2020 to 2026 where unbounded: always a valid date.
            let lo = min.or_else(|| Date::from_ymd(2020, 1, 1));
            let hi = max.or_else(|| Date::from_ymd(2026, 12, 31));
            let day = match (lo, hi) {
                (Some(lo), Some(hi)) if lo <= hi => {
                    let span = lo.days_until(hi) as u64 + 1;
                    lo.add_days(rng.below(span) as i64)
                }
                // Defaults that miss a one-sided bound: the bound itself.
                _ => min.or(*max),
            };
            J::String(day.map(|d| d.to_string()).unwrap_or_default())
        }
    }
}

fn insert(obj: &mut serde_json::Map<String, serde_json::Value>, path: &str, v: serde_json::Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), v);
        }
        Some((head, rest)) => {
            let entry = obj
                .entry(head.to_string())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let serde_json::Value::Object(inner) = entry {
                insert(inner, rest, v);
            }
        }
    }
}

/// The `i`-th application
fn application(pack: &Pack, rng: &mut Rng, i: u64) -> serde_json::Value {
    let kinds: Vec<_> = pack
        .kinds
        .iter()
        .filter(|k| pack.clause_for_kind(&k.name).is_some())
        .collect();
    let Some(kind) = kinds.get(rng.below(kinds.len() as u64) as usize) else {
        return serde_json::Value::Null;
    };
    let mut obj = serde_json::Map::new();
    let code: String = kind
        .name
        .split('_')
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_uppercase();
    obj.insert("id".into(), format!("{code}-{i:07}").into());
    obj.insert("kind".into(), kind.name.clone().into());
    for f in kind.fields.iter() {
        // A field a count limit ranks by is always given: without it there is no rank.
        let ranks = pack.clauses.iter().any(|c| {
            c.count_limit
                .as_ref()
                .is_some_and(|l| l.rank_by.iter().any(|k| k.field == f.name))
        });
        if !f.required && !ranks && !rng.chance(70) {
            continue;
        }
        let period = pack.period.as_deref() == Some(f.name.as_str());
        insert(&mut obj, &f.name, value(rng, &f.name, &f.ty, period));
    }
    serde_json::Value::Object(obj)
}

fn flat(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flat(&name, v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// How many earlier applicants a repeat draws from
const RECENT: usize = 256;

/// Makes the applications one after another: each new, or with a set share of them made by an
/// applicant seen a little earlier, in the same period (so settlement rules have several
/// awards of one applicant to look at)
struct Maker<'p> {
    pack: &'p Pack,
    rng: Rng,
    repeat: u64,
    /// The last applicants: their `applicant` object and period value
    recent: Vec<(serde_json::Value, serde_json::Value)>,
}

impl<'p> Maker<'p> {
    fn new(pack: &'p Pack, seed: u64, repeat: u64) -> Maker<'p> {
        Maker {
            pack,
            rng: Rng(seed),
            repeat,
            recent: Vec::new(),
        }
    }

    /// The `i`-th application
    fn next(&mut self, i: u64) -> serde_json::Value {
        let mut app = application(self.pack, &mut self.rng, i);
        // No draws at all without repeats: the same seed gives the same bytes as before.
        if self.repeat == 0 {
            return app;
        }
        let period = self.pack.period.clone().unwrap_or_default();
        let Some(obj) = app.as_object_mut() else {
            return app;
        };
        if !self.recent.is_empty() && self.rng.chance(self.repeat) {
            let (who, when) =
                self.recent[self.rng.below(self.recent.len() as u64) as usize].clone();
            obj.insert("applicant".into(), who);
            if !when.is_null() {
                obj.insert(period, when);
            }
        } else {
            let who = obj.get("applicant").cloned().unwrap_or_default();
            let when = obj.get(&period).cloned().unwrap_or_default();
            if self.recent.len() == RECENT {
                let at = (i as usize) % RECENT;
                self.recent[at] = (who, when);
            } else {
                self.recent.push((who, when));
            }
        }
        app
    }
}

/// Writes `count` applications
fn generate(
    mut maker: Maker<'_>,
    count: u64,
    format: GenOut,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let pack = maker.pack;
    match format {
        GenOut::Jsonl => {
            for i in 0..count {
                serde_json::to_writer(&mut *out, &maker.next(i))?;
                out.write_all(b"\n")?;
            }
        }
        GenOut::Json => {
            out.write_all(b"[")?;
            for i in 0..count {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *out, &maker.next(i))?;
            }
            out.write_all(b"\n]\n")?;
        }
        GenOut::Yaml => {
            if count == 0 {
                out.write_all(b"[]\n")?;
            }
            for i in 0..count {
                // JSON is YAML: one flow mapping an item keeps numbers exactly as written.
                let line = serde_json::to_string(&maker.next(i))?;
                writeln!(out, "- {line}")?;
            }
        }
        GenOut::Xlsx => {
            let (columns, rows) = table(pack, &mut maker, count);
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let fail = |e: rust_xlsxwriter::XlsxError| std::io::Error::other(e.to_string());
            for (c, name) in columns.iter().enumerate() {
                ws.write_string(0, c as u16, name).map_err(fail)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if !cell.is_empty() {
                        // Text cells: what a drafter types into a text-formatted column.
                        ws.write_string(r as u32 + 1, c as u16, cell)
                            .map_err(fail)?;
                    }
                }
            }
            out.write_all(&wb.save_to_buffer().map_err(fail)?)?;
        }
        GenOut::Csv => {
            let (columns, rows) = table(pack, &mut maker, count);
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(&columns)?;
            for row in rows {
                w.write_record(&row)?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// The applications as a table: the columns (every field of every kind) and the rows
fn table(pack: &Pack, maker: &mut Maker<'_>, count: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let mut columns: Vec<String> = vec!["id".into(), "kind".into()];
    for k in &pack.kinds {
        for f in k.fields.iter() {
            if !columns.contains(&f.name) {
                columns.push(f.name.clone());
            }
        }
    }
    let rows = (0..count)
        .map(|i| {
            let mut cells = Vec::new();
            flat("", &maker.next(i), &mut cells);
            columns
                .iter()
                .map(|c| {
                    cells
                        .iter()
                        .find(|(n, _)| n == c)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    (columns, rows)
}
