//! Parameter values as drafters write them (`60万`, `15%`, a timeline by year), read exactly
//! in their unit.

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::load::files::RawScalar;
use crate::model::money;
use crate::model::pack::{DatedValue, Unit};
use crate::model::value::Value;

/// A timeline `{2025: 400000, 2027: 600000}`: years ascending, each with a value; `Err` names
/// the year at fault
pub(crate) fn parse_timeline(
    timeline: &IndexMap<String, RawScalar>,
    unit: Unit,
) -> Result<Vec<DatedValue>, (String, String)> {
    if timeline.is_empty() {
        return Err((String::new(), "the timeline is empty".into()));
    }
    let mut out: Vec<DatedValue> = Vec::new();
    for (year, raw) in timeline {
        let y: i64 = year.parse().map_err(|_| {
            (
                year.clone(),
                "a timeline is keyed by year, e.g. `2027:`".to_string(),
            )
        })?;
        if out.last().is_some_and(|d| d.from >= Some(y)) {
            return Err((year.clone(), "years must be in ascending order".into()));
        }
        let value = parse_param_value(&raw.0, unit).map_err(|e| (year.clone(), e))?;
        out.push(DatedValue {
            from: Some(y),
            value,
        });
    }
    Ok(out)
}

/// Reads one parameter value in its unit. Yuan may be written `600000`, `60万` or `600000元`;
/// a ratio `0.15` or `15%`; a count as a whole number. Always exact.
pub(crate) fn parse_param_value(text: &str, unit: Unit) -> Result<Value, String> {
    match unit {
        Unit::Count => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Value::Int(n)),
            _ => Err(format!(
                "`{text}` is not a whole number of things (unit count)"
            )),
        },
        Unit::Yuan | Unit::Ratio => {
            let (number, scale) = match unit {
                Unit::Yuan => {
                    let t = text.strip_suffix('元').unwrap_or(text);
                    match t.strip_suffix('万') {
                        Some(n) => (n, Decimal::from(10_000)),
                        None => (t, Decimal::ONE),
                    }
                }
                _ => match text.strip_suffix('%') {
                    Some(n) => (n, Decimal::new(1, 2)),
                    None => (text, Decimal::ONE),
                },
            };
            let d = money::parse_decimal(number.trim_end())
                .ok()
                .and_then(|d| d.checked_mul(scale))
                .ok_or_else(|| {
                    format!(
                        "`{text}` is not {}",
                        match unit {
                            Unit::Yuan => "an amount in yuan (e.g. `600000` or `60万`)",
                            _ => "a ratio (e.g. `0.15` or `15%`)",
                        }
                    )
                })?;
            if d.is_sign_negative() {
                return Err(format!("`{text}` is negative"));
            }
            Ok(Value::Decimal(d))
        }
    }
}
