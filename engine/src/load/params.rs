//! Parameter values as drafters write them (`60万`, `15%`, a timeline by year), read exactly
//! in their unit.

use indexmap::IndexMap;
use rust_decimal::Decimal;

use std::path::Path;

use crate::load::files::{ParamFile, RawScalar};
use crate::load::references::is_identifier;
use crate::load::yaml::{pos_in, Node};
use crate::model::date::Date;
use crate::model::error::{LoadError, LoadErrors};
use crate::model::money;
use crate::model::pack::{DatedValue, Parameter, Unit};
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

/// Reads one parameter value in its unit. Yuan may be written `600000`, `60万`, `1.2亿` or
/// `600000元`; a ratio `0.15` or `15%`; a count as a whole number; a number (a score, a
/// threshold) as a plain decimal, of either sign; a date as `2026-12-31`. Always exact.
pub(crate) fn parse_param_value(text: &str, unit: Unit) -> Result<Value, String> {
    match unit {
        Unit::Count => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Value::Int(n)),
            _ => Err(format!(
                "`{text}` is not a whole number of things (unit count)"
            )),
        },
        Unit::Number => money::parse_decimal(text.trim())
            .map(Value::Decimal)
            .map_err(|_| format!("`{text}` is not a number (e.g. `89.5` or `-3`)")),
        Unit::Date => Date::parse(text).map(Value::Date).ok_or_else(|| {
            format!("`{text}` is not a date written yyyy-mm-dd (e.g. `2026-12-31`), a day of the calendar")
        }),
        Unit::Yuan | Unit::Ratio => {
            let (number, scale) = match unit {
                Unit::Yuan => {
                    let t = text.strip_suffix('元').unwrap_or(text);
                    if let Some(n) = t.strip_suffix('万') {
                        (n, Decimal::from(10_000))
                    } else if let Some(n) = t.strip_suffix('亿') {
                        (n, Decimal::from(100_000_000))
                    } else {
                        (t, Decimal::ONE)
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
            // `1.2亿` is 120000000, not 120000000.0: a multiplier's zeros are not decimals.
            Ok(Value::Decimal(if scale > Decimal::ONE {
                d.normalize()
            } else {
                d
            }))
        }
    }
}

/// A clause's parameters, each value read exactly in its unit; a refused one is reported and
/// left out
pub(crate) fn build_parameters(
    declared: &IndexMap<String, ParamFile>,
    node: Option<&Node>,
    meta_path: &Path,
    errors: &mut LoadErrors,
) -> Vec<Parameter> {
    let mut parameters = Vec::new();
    for (pname, p) in declared {
        let at = pos_in(node, &["parameters", pname, "value"]);
        if !is_identifier(pname) {
            errors.push(LoadError::new(
                meta_path,
                pos_in(node, &["parameters", pname]),
                format!("`{pname}` cannot name a parameter: use letters, digits and `_`"),
            ));
            continue;
        }
        let values = match (&p.value, &p.values) {
            (Some(v), None) => parse_param_value(&v.0, p.unit)
                .map(|value| vec![DatedValue { from: None, value }])
                .map_err(|e| (at, format!("parameter `{pname}`: {e}"))),
            (None, Some(timeline)) => {
                parse_timeline(timeline, p.unit).map_err(|(year, e)| {
                    let at = pos_in(node, &["parameters", pname, "values", &year]);
                    (at, format!("parameter `{pname}`, year `{year}`: {e}"))
                })
            }
            _ => Err((
                pos_in(node, &["parameters", pname]),
                format!("parameter `{pname}` needs either `value` or `values` (a timeline by year), not both"),
            )),
        };
        match values {
            Ok(values) => parameters.push(Parameter {
                name: pname.clone(),
                values,
                unit: p.unit,
                description: p.description.clone(),
            }),
            Err((at, e)) => errors.push(LoadError::new(meta_path, at, e)),
        }
    }
    parameters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(text: &str) -> Result<String, String> {
        parse_param_value(text, Unit::Yuan).map(|v| v.to_string())
    }

    #[test]
    fn yi_is_understood_wherever_wan_is() {
        assert_eq!(yuan("5亿"), Ok("500000000".into()));
        assert_eq!(yuan("1.2亿元"), Ok("120000000".into()));
        assert_eq!(yuan("0.005亿"), Ok("500000".into()));
        assert_eq!(yuan("60.5万"), Ok("605000".into()));
        assert_eq!(
            yuan("1234.50"),
            Ok("1234.50".into()),
            "a plain value keeps its scale"
        );
        assert_eq!(yuan("60万元"), Ok("600000".into()));
        assert!(yuan("亿").is_err());
        assert!(yuan("5亿万").is_err());
        assert_eq!(yuan("-1亿"), Err("`-1亿` is negative".into()));
    }

    #[test]
    fn a_number_is_a_plain_decimal_of_either_sign() {
        let number = |t: &str| parse_param_value(t, Unit::Number).map(|v| v.to_string());
        assert_eq!(number("89.5"), Ok("89.5".into()));
        assert_eq!(number("-3"), Ok("-3".into()));
        assert_eq!(
            number("89.5分"),
            Err("`89.5分` is not a number (e.g. `89.5` or `-3`)".into())
        );
        assert!(number("60万").is_err(), "万 is for money");
    }

    #[test]
    fn a_date_is_iso_and_real() {
        let date = |t: &str| parse_param_value(t, Unit::Date).map(|v| v.to_string());
        assert_eq!(date("2026-12-31"), Ok("2026-12-31".into()));
        assert_eq!(date("2028-02-29"), Ok("2028-02-29".into()));
        assert_eq!(
            date("2026-02-29"),
            Err("`2026-02-29` is not a date written yyyy-mm-dd (e.g. `2026-12-31`), a day of the calendar".into())
        );
        assert!(date("2026-12-31 ").is_err());
        assert!(date("20261231").is_err());
        assert!(date("2026年12月31日").is_err());
    }
}
