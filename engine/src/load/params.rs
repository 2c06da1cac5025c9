//! Parameter values as drafters write them (`60万`, `15%`, a timeline by year, a band table),
//! read exactly in their unit.

use std::sync::Arc;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use std::path::Path;

use crate::load::files::{BandFile, ParamFile, TimelineEntry};
use crate::load::references::is_identifier;
use crate::load::yaml::{pos_in, Node};
use crate::model::bands::{Band, BandMethod, BandUnit, Bands};
use crate::model::date::Date;
use crate::model::error::{LoadError, LoadErrors};
use crate::model::lang::{said, Lang, Message};
use crate::model::money;
use crate::model::pack::{DatedValue, Parameter, Unit};
use crate::model::pos::Pos;
use crate::model::value::Value;

/// A band of a list (from 0) and its key (`from` or `value`), where a fault is inside one
pub(crate) type BandAt = Option<(usize, &'static str)>;

/// A parameter's value refused, and where: the keys below the parameter's own node (`value`,
/// `values` then a year, `bands`, `of` …; none for the parameter itself), and inside a list of
/// bands the band (from 0) and its key
pub(crate) struct Fault {
    pub(crate) keys: Vec<String>,
    pub(crate) band: BandAt,
    pub(crate) message: String,
    /// The same in Chinese, where written
    pub(crate) zh: Option<String>,
}

impl Fault {
    fn at(keys: &[&str], message: String) -> Fault {
        Fault {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            band: None,
            message,
            zh: None,
        }
    }
}

/// A band table's header: the units of its thresholds and values, and its method
#[derive(Clone, Copy)]
struct Head {
    of: BandUnit,
    gives: BandUnit,
    method: BandMethod,
}

/// A parameter's values as written under `pname`: one value (`value`), a timeline (`values`),
/// or a band table (`unit: bands` with `of`, `gives`, `method` and `bands`, or `values` of
/// bands by year)
pub(crate) fn read_values(pname: &str, p: &ParamFile) -> Result<Vec<DatedValue>, Fault> {
    let head = band_head(pname, p)?;
    match (&p.value, &p.values, &p.bands) {
        (Some(v), None, None) if head.is_none() => parse_param_value_said(&v.0, p.unit)
            .map(|value| vec![DatedValue { from: None, value }])
            .map_err(|e| Fault {
                zh: Some(format!("参数 `{pname}`：{}", e.zh)),
                ..Fault::at(&["value"], format!("parameter `{pname}`: {}", e.en))
            }),
        (None, Some(timeline), None) => {
            parse_timeline(timeline, p.unit, head).map_err(|(year, band, e)| {
                let message = match &band {
                    Some((i, _)) => format!("parameter `{pname}`, year `{year}`, band {}: {e}", i + 1),
                    None => format!("parameter `{pname}`, year `{year}`: {e}"),
                };
                Fault {
                    keys: vec!["values".into(), year],
                    band,
                    message,
                    zh: None,
                }
            })
        }
        (None, None, Some(rows)) => match head {
            Some(head) => parse_bands(rows, head)
                .map(|b| vec![DatedValue { from: None, value: Value::Bands(Arc::new(b)) }])
                .map_err(|(band, e)| Fault {
                    keys: vec!["bands".into()],
                    band,
                    message: match band {
                        Some((i, _)) => format!("parameter `{pname}`, band {}: {e}", i + 1),
                        None => format!("parameter `{pname}`: {e}"),
                    },
                    zh: None,
                }),
            // `band_head` refuses `bands` without `unit: bands`.
            None => Err(Fault::at(&["bands"], format!("parameter `{pname}`: `bands` is for a band table"))),
        },
        (Some(_), None, None) => Err(Fault::at(
            &["value"],
            format!("parameter `{pname}` is a band table: write its bands as a list under `bands:` (`- {{ from: 500万, value: 8% }}`), not `value:`"),
        )),
        (None, None, None) if head.is_some() => Err(Fault::at(
            &[],
            format!("parameter `{pname}` is a band table: it needs `bands:`, a list of `{{ from: …, value: … }}` (or `values:` with such a list for each year)"),
        )),
        (_, _, Some(_)) => Err(Fault::at(
            &[],
            format!("parameter `{pname}` is a band table: give its bands under `bands:`, or a table for each year under `values:`, not both (and no `value:`)"),
        )),
        _ => Err(Fault::at(
            &[],
            format!("parameter `{pname}` needs either `value` or `values` (a timeline by year), not both"),
        )),
    }
}

/// `of`, `gives` and `method` of a band table: all three for `unit: bands`, none otherwise; a
/// progressive table pays rates
fn band_head(pname: &str, p: &ParamFile) -> Result<Option<Head>, Fault> {
    if p.unit != Unit::Bands {
        let given = [
            ("of", p.of.is_some()),
            ("gives", p.gives.is_some()),
            ("method", p.method.is_some()),
            ("bands", p.bands.is_some()),
        ];
        if let Some((key, _)) = given.iter().find(|(_, g)| *g) {
            return Err(Fault::at(
                &[key],
                format!(
                    "parameter `{pname}` has unit {}: `{key}` is for a band table (`unit: bands`)",
                    p.unit.name()
                ),
            ));
        }
        return Ok(None);
    }
    let missing = |key: &str, what: &str| {
        Fault::at(
            &[],
            format!(
                "parameter `{pname}` is a band table (`unit: bands`) and needs `{key}`: {what}"
            ),
        )
    };
    let units = "yuan, ratio, number or count";
    let of =
        p.of.ok_or_else(|| missing("of", &format!("the unit of the thresholds, {units}")))?;
    let gives = p
        .gives
        .ok_or_else(|| missing("gives", &format!("the unit of each band's value, {units}")))?;
    let method = p.method.ok_or_else(|| {
        missing(
            "method",
            "`step` (the band the fact reaches decides) or `progressive` (each part of the fact at its band's rate)",
        )
    })?;
    if method == BandMethod::Progressive && gives != BandUnit::Ratio {
        return Err(Fault::at(
            &["gives"],
            format!(
                "parameter `{pname}`: a progressive table pays each part of the fact at its band's rate, so it gives `ratio`, not {}",
                gives.name()
            ),
        ));
    }
    Ok(Some(Head { of, gives, method }))
}

/// A timeline `{2025: 400000, 2027: 600000}` (for a band table, a list of bands for each year):
/// years ascending, each with a value; `Err` names the year at fault, and the band (from 0)
/// with its key where one is
fn parse_timeline(
    timeline: &IndexMap<String, TimelineEntry>,
    unit: Unit,
    head: Option<Head>,
) -> Result<Vec<DatedValue>, (String, BandAt, String)> {
    if timeline.is_empty() {
        return Err((String::new(), None, "the timeline is empty".into()));
    }
    let mut out: Vec<DatedValue> = Vec::new();
    for (year, raw) in timeline {
        let fail = |e: String| (year.clone(), None, e);
        let y: i64 = year
            .parse()
            .map_err(|_| fail("a timeline is keyed by year, e.g. `2027:`".to_string()))?;
        if out.last().is_some_and(|d| d.from >= Some(y)) {
            return Err(fail("years must be in ascending order".into()));
        }
        let value = match (raw, head) {
            (TimelineEntry::One(raw), None) => parse_param_value(&raw.0, unit).map_err(fail)?,
            (TimelineEntry::Bands(rows), Some(head)) => parse_bands(rows, head)
                .map(|b| Value::Bands(Arc::new(b)))
                .map_err(|(band, e)| (year.clone(), band, e))?,
            (TimelineEntry::One(_), Some(_)) => {
                return Err(fail(
                    "a band table's year needs its list of bands (`- { from: …, value: … }`)"
                        .into(),
                ))
            }
            (TimelineEntry::Bands(_), None) => {
                return Err(fail(format!(
                    "a list of bands is for a band table (`unit: bands`), not unit {}",
                    unit.name()
                )))
            }
        };
        out.push(DatedValue {
            from: Some(y),
            value,
        });
    }
    Ok(out)
}

/// A list of bands: at least one, each threshold in the table's `of` unit and each value in its
/// `gives` unit, thresholds strictly increasing; `Err` names the band (from 0) and its key
fn parse_bands(rows: &[BandFile], head: Head) -> Result<Bands, (BandAt, String)> {
    if rows.is_empty() {
        return Err((
            None,
            "a band table needs at least one band, e.g. `- { from: 500万, value: 8% }`".into(),
        ));
    }
    let mut bands: Vec<Band> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let from = band_number(&row.from.0, head.of)
            .map_err(|e| (Some((i, "from")), format!("`from`: {e}")))?;
        let value = band_number(&row.value.0, head.gives)
            .map_err(|e| (Some((i, "value")), format!("`value`: {e}")))?;
        if let Some(before) = bands.last() {
            if from <= before.from {
                return Err((
                    Some((i, "from")),
                    format!(
                        "`from: {}` is not above band {i}'s `from: {}`: thresholds must strictly increase, each band starting above the one before",
                        row.from.0,
                        rows[i - 1].from.0
                    ),
                ));
            }
        }
        bands.push(Band { from, value });
    }
    Ok(Bands {
        of: head.of,
        gives: head.gives,
        method: head.method,
        bands,
    })
}

/// A threshold or a band's value, read as a parameter of that unit is (`500万`, `8%`), as a
/// decimal
pub(crate) fn band_number(text: &str, unit: BandUnit) -> Result<Decimal, String> {
    match parse_param_value(text, unit.into())? {
        Value::Decimal(d) => Ok(d),
        Value::Int(n) => Ok(Decimal::from(n)),
        other => Err(format!("`{other}` is not a number")),
    }
}

/// Reads one parameter value in its unit. Yuan may be written `600000`, `60万`, `1.2亿` or
/// `600000元`; a ratio `0.15` or `15%`; a count as a whole number; a number (a score, a
/// threshold) as a plain decimal, of either sign; a date as `2026-12-31`. Always exact.
pub(crate) fn parse_param_value(text: &str, unit: Unit) -> Result<Value, String> {
    parse_param_value_said(text, unit).map_err(|m| m.en)
}

/// Reads one parameter value in its unit, as a scenario's `set` and `--set` read it (`60万`,
/// `15%`, `8`, `2026-12-31`), or says in both languages why it cannot: for a form that edits
/// parameters and must name the field the way `policy compare` would refuse it
pub fn parse_parameter_value(text: &str, unit: Unit) -> Result<Value, Message> {
    parse_param_value_said(text, unit)
}

/// [`parse_param_value`], its refusal in both languages
pub(crate) fn parse_param_value_said(text: &str, unit: Unit) -> Result<Value, Message> {
    match unit {
        Unit::Count => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Value::Int(n)),
            _ => Err(said!(
                "`{text}` 不是项数（单位 count 须为不小于 0 的整数）",
                "`{text}` is not a whole number of things (unit count)"
            )),
        },
        Unit::Number => money::parse_decimal(text.trim()).map(Value::Decimal).map_err(|_| {
            said!(
                "`{text}` 不是数值（如 `89.5` 或 `-3`）",
                "`{text}` is not a number (e.g. `89.5` or `-3`)"
            )
        }),
        Unit::Bands => Err(said!(
            "分档表不是单个取值（`{text}`）：某一档的取值写作 `条款.参数[n]=…`，起点写作 `条款.参数[n].from=…`",
            "a band table is not one value (`{text}`): set one band's value as `clause.param[n]=…` or its threshold as `clause.param[n].from=…`"
        )),
        Unit::Date => Date::parse(text).map(Value::Date).ok_or_else(|| {
            said!(
                "`{text}` 不是按 yyyy-mm-dd 书写的日期（如 `2026-12-31`），或日历上没有这一天",
                "`{text}` is not a date written yyyy-mm-dd (e.g. `2026-12-31`), a day of the calendar"
            )
        }),
        Unit::Yuan => {
            let d = money::parse_yuan(text).map_err(|e| {
                let full_width = matches!(e, money::YuanError::FullWidth(_));
                let (zh, en) = (e.in_lang(Lang::Zh), e.to_string());
                match full_width {
                    true => said!(
                        "`{text}` 不是以元为单位的金额（如 `600000` 或 `60万`）：{zh}",
                        "`{text}` is not an amount in yuan (e.g. `600000` or `60万`): {en}"
                    ),
                    false => said!(
                        "`{text}` 不是以元为单位的金额（如 `600000` 或 `60万`）",
                        "`{text}` is not an amount in yuan (e.g. `600000` or `60万`)"
                    ),
                }
            })?;
            if d.is_sign_negative() {
                return Err(said!("`{text}` 是负数", "`{text}` is negative"));
            }
            Ok(Value::Decimal(d))
        }
        Unit::Ratio => {
            let (number, scale) = match text.strip_suffix('%') {
                Some(n) => (n, Decimal::new(1, 2)),
                None => (text, Decimal::ONE),
            };
            let d = money::parse_decimal(number.trim_end())
                .ok()
                .and_then(|d| d.checked_mul(scale))
                .ok_or_else(|| {
                    said!(
                        "`{text}` 不是比例（如 `0.15` 或 `15%`）",
                        "`{text}` is not a ratio (e.g. `0.15` or `15%`)"
                    )
                })?;
            if d.is_sign_negative() {
                return Err(said!("`{text}` 是负数", "`{text}` is negative"));
            }
            Ok(Value::Decimal(d))
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
        if !is_identifier(pname) {
            errors.push(LoadError::new(
                meta_path,
                pos_in(node, &["parameters", pname]),
                format!("`{pname}` cannot name a parameter: use letters, digits and `_`"),
            ));
            continue;
        }
        match read_values(pname, p) {
            Ok(values) => parameters.push(Parameter {
                name: pname.clone(),
                values,
                unit: p.unit,
                description: p.description.clone(),
            }),
            Err(fault) => {
                let at = fault_pos(node, pname, &fault);
                errors.push(match fault.zh {
                    Some(zh) => LoadError::both(meta_path, at, zh, fault.message),
                    None => LoadError::new(meta_path, at, fault.message),
                })
            }
        }
    }
    parameters
}

/// Where a parameter's refused value is: the node at the fault's keys below the parameter,
/// and inside a list of bands the band's key (the deepest of these that exists)
fn fault_pos(node: Option<&Node>, pname: &str, fault: &Fault) -> Option<Pos> {
    let mut n = node?.get("parameters")?.get(pname)?;
    for k in &fault.keys {
        match n.get(k) {
            Some(next) => n = next,
            None => return n.pos,
        }
    }
    if let Some((i, key)) = fault.band {
        if let Some(item) = n.as_seq_item(i) {
            n = item.get(key).unwrap_or(item);
        }
    }
    n.pos
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
        assert_eq!(
            yuan("６０万"),
            Err("`６０万` is not an amount in yuan (e.g. `600000` or `60万`): full-width (全角) characters; write `60万`".into())
        );
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

    /// A parameter as a clause file writes it, read
    fn read(yaml: &str) -> Result<String, (Vec<String>, BandAt, String)> {
        let node = crate::load::yaml::parse(yaml, crate::load::yaml::YamlLimits::default())
            .unwrap_or_else(|e| panic!("{yaml}: {e:?}"));
        let file: ParamFile =
            crate::load::yaml::from_node(&node).unwrap_or_else(|e| panic!("{yaml}: {e}"));
        read_values("rate", &file)
            .map(|values| {
                values
                    .iter()
                    .map(|d| match d.from {
                        None => d.value.to_string(),
                        Some(y) => format!("{y}: {}", d.value),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .map_err(|f| (f.keys, f.band, f.message))
    }

    const HEAD: &str = "description: 比例\nunit: bands\nof: yuan\ngives: ratio\nmethod: step\n";

    #[test]
    fn a_band_table_reads_its_units_and_bands() {
        assert_eq!(
            read(&format!("{HEAD}bands:\n  - {{ from: 500万, value: 8% }}\n  - {{ from: 0.1亿, value: 0.10 }}\n")),
            Ok("step [from 5000000: 0.08, from 10000000: 0.10]".into())
        );
        assert_eq!(
            read(&format!("{HEAD}values:\n  2025:\n    - {{ from: 500万, value: 8% }}\n  2027:\n    - {{ from: 400万, value: 9% }}\n")),
            Ok("2025: step [from 5000000: 0.08], 2027: step [from 4000000: 0.09]".into())
        );
        let counts = "description: 按人数\nunit: bands\nof: count\ngives: yuan\nmethod: step\nbands:\n  - { from: 10, value: 5万 }\n";
        assert_eq!(read(counts), Ok("step [from 10: 50000]".into()));
    }

    #[test]
    fn a_malformed_band_table_says_which_band_and_why() {
        let err = |yaml: &str| read(yaml).unwrap_err();
        assert_eq!(
            err(&format!("{HEAD}bands:\n  - {{ from: 1000万, value: 10% }}\n  - {{ from: 500万, value: 8% }}\n")),
            (
                vec!["bands".into()],
                Some((1, "from")),
                "parameter `rate`, band 2: `from: 500万` is not above band 1's `from: 1000万`: thresholds must strictly increase, each band starting above the one before".into()
            )
        );
        assert_eq!(
            err(&format!("{HEAD}bands:\n  - {{ from: 500万, value: 8% }}\n  - {{ from: 500万, value: 9% }}\n")).1,
            Some((1, "from")),
            "an equal threshold is refused too"
        );
        assert_eq!(
            err(&format!("{HEAD}bands:\n  - {{ from: 500w, value: 8% }}\n")),
            (
                vec!["bands".into()],
                Some((0, "from")),
                "parameter `rate`, band 1: `from`: `500w` is not an amount in yuan (e.g. `600000` or `60万`)".into()
            )
        );
        assert_eq!(
            err(&format!(
                "{HEAD}bands:\n  - {{ from: 500万, value: 百分之八 }}\n"
            ))
            .1,
            Some((0, "value"))
        );
        assert!(err(&format!("{HEAD}bands: []\n"))
            .2
            .contains("at least one band"));
        assert!(err(&format!("{HEAD}value: 8%\n"))
            .2
            .contains("not `value:`"));
        assert!(err(HEAD).2.contains("needs `bands:`"));
        assert_eq!(
            err("description: x\nunit: bands\ngives: ratio\nmethod: step\nbands: []\n").2,
            "parameter `rate` is a band table (`unit: bands`) and needs `of`: the unit of the thresholds, yuan, ratio, number or count"
        );
        assert_eq!(
            err("description: x\nunit: bands\nof: yuan\ngives: yuan\nmethod: progressive\nbands: []\n"),
            (
                vec!["gives".into()],
                None,
                "parameter `rate`: a progressive table pays each part of the fact at its band's rate, so it gives `ratio`, not yuan".into()
            )
        );
        assert_eq!(
            err("description: x\nunit: ratio\nvalue: 8%\nmethod: step\n").0,
            vec!["method".to_string()]
        );
        let year = err(&format!("{HEAD}values:\n  2025:\n    - {{ from: 500万, value: 8% }}\n  2027:\n    - {{ from: 9, value: 9% }}\n    - {{ from: 8, value: 9% }}\n"));
        assert_eq!(
            (year.0, year.1),
            (
                vec!["values".to_string(), "2027".to_string()],
                Some((1, "from"))
            )
        );
        assert!(
            year.2
                .starts_with("parameter `rate`, year `2027`, band 2: "),
            "{}",
            year.2
        );
        assert!(err(&format!("{HEAD}values: {{2025: 8%}}\n"))
            .2
            .contains("needs its list of bands"));
    }
}
