//! Typed facts: the types a field can have and the values an application gives them.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::model::bands::Bands;
use crate::model::date::Date;
use crate::model::money;
use serde::Deserialize;

/// A fact of an application, or a parameter's value
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// true or false
    Bool(bool),
    /// A whole number
    Int(i64),
    /// An exact decimal (money, shares, scores)
    Decimal(Decimal),
    /// A text
    Text(String),
    /// A day of the calendar, shown ISO `2024-03-25`
    Date(Date),
    /// A band table: a parameter's value only, never a fact
    Bands(Arc<Bands>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write!(f, "{d}"),
            Value::Bands(b) => write!(f, "{b}"),
        }
    }
}

/// What values a field takes
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `true` or `false`; a quoted "true" is text, not a boolean
    Bool,
    /// A whole number, optionally bounded
    Integer {
        /// Smallest allowed
        min: Option<Decimal>,
        /// Largest allowed
        max: Option<Decimal>,
    },
    /// An exact decimal, written as a number or a numeric text, optionally bounded
    Decimal {
        /// Smallest allowed
        min: Option<Decimal>,
        /// Largest allowed
        max: Option<Decimal>,
    },
    /// Yuan: a non-negative decimal with at most two decimals (whole fen)
    Money {
        /// Largest allowed
        max: Option<Decimal>,
    },
    /// A text, optionally in a checked format
    Text {
        /// The format it must follow
        format: Option<TextFormat>,
    },
    /// One of a fixed list of texts
    OneOf {
        /// The allowed values
        values: Vec<String>,
    },
    /// A day of the calendar, written ISO `2024-03-25`, optionally bounded
    Date {
        /// Earliest allowed
        min: Option<Date>,
        /// Latest allowed
        max: Option<Date>,
    },
}

impl FieldType {
    /// Whether values of this type are few and repeat (booleans, choices, whole numbers), so a
    /// clause's outcome may be remembered per value
    pub(crate) fn is_categorical(&self) -> bool {
        matches!(
            self,
            FieldType::Bool | FieldType::OneOf { .. } | FieldType::Integer { .. }
        )
    }

    /// The type's name as written in a pack
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Bool => "bool",
            FieldType::Integer { .. } => "integer",
            FieldType::Decimal { .. } => "decimal",
            FieldType::Money { .. } => "money",
            FieldType::Text { .. } => "text",
            FieldType::OneOf { .. } => "one-of",
            FieldType::Date { .. } => "date",
        }
    }

    /// What a value must look like, for error messages
    pub fn expectation(&self) -> String {
        match self {
            FieldType::Bool => "true or false".into(),
            FieldType::Integer { .. } => "a whole number".into(),
            FieldType::Decimal { .. } => "a decimal number".into(),
            FieldType::Money { .. } => {
                "an amount in yuan (a number or numeric text such as `600000` or `60万`, not negative, at most 2 decimals)"
                    .into()
            }
            FieldType::Text {
                format: Some(TextFormat::CreditCode),
            } => "an 18-character unified social credit code (统一社会信用代码)".into(),
            FieldType::Text { format: None } => "a text".into(),
            FieldType::OneOf { values } => {
                let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                format!("one of {}", list.join(", "))
            }
            FieldType::Date { .. } => "a date written yyyy-mm-dd (e.g. 2024-03-25)".into(),
        }
    }

    /// Reads a value from its text (CSV cells, overrides, YAML metadata)
    pub fn parse_text(&self, text: &str) -> Result<Value, String> {
        match self {
            FieldType::Bool => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("expected true or false, found `{text}`")),
            },
            FieldType::Integer { .. } => {
                let n: i64 = text
                    .parse()
                    .map_err(|_| format!("expected a whole number, found `{text}`"))?;
                self.check_bounds(Decimal::from(n))?;
                Ok(Value::Int(n))
            }
            FieldType::Decimal { .. } => {
                let d = money::parse_decimal(text)
                    .map_err(|e| format!("expected a decimal number, found `{text}`: {e}"))?;
                self.check_bounds(d)?;
                Ok(Value::Decimal(d.normalize()))
            }
            FieldType::Money { .. } => {
                // Written as parameters are: `600000`, `60.5万`, `1.2亿`, `60万元`.
                let d = money::parse_yuan(text).map_err(|e| match e {
                    money::YuanError::NotAnAmount => format!(
                        "expected an amount in yuan (e.g. `600000` or `60万`), found `{}`",
                        shorten(text)
                    ),
                    _ => format!("expected an amount in yuan, found `{}`: {e}", shorten(text)),
                })?;
                if d.is_sign_negative() && !d.is_zero() {
                    return Err(format!("amount `{text}` is negative"));
                }
                let normal = d.normalize();
                if normal.scale() > 2 {
                    let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                    return Err(if plain {
                        format!("amount `{text}` has more than 2 decimals: amounts are whole fen")
                    } else {
                        format!("amount `{text}` is {normal} yuan, more than 2 decimals: amounts are whole fen")
                    });
                }
                self.check_bounds(d)?;
                Ok(Value::Decimal(normal))
            }
            FieldType::Text { format } => {
                if let Some(TextFormat::CreditCode) = format {
                    check_credit_code(text)?;
                }
                Ok(Value::Text(text.to_string()))
            }
            FieldType::OneOf { values } => {
                if values.iter().any(|v| v == text) {
                    Ok(Value::Text(text.to_string()))
                } else {
                    let hint =
                        crate::model::suggest::nearest(text, values.iter().map(String::as_str))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                    Err(format!(
                        "expected {}, found `{}`{hint}",
                        self.expectation(),
                        shorten(text)
                    ))
                }
            }
            FieldType::Date { min, max } => {
                let Some(d) = Date::parse(text) else {
                    return Err(date_problem(text));
                };
                if let Some(m) = min.filter(|m| d < *m) {
                    return Err(format!("`{d}` is before the earliest allowed date {m}"));
                }
                if let Some(m) = max.filter(|m| d > *m) {
                    return Err(format!("`{d}` is after the latest allowed date {m}"));
                }
                Ok(Value::Date(d))
            }
        }
    }

    pub(crate) fn check_bounds(&self, d: Decimal) -> Result<(), String> {
        let (min, max) = match self {
            FieldType::Integer { min, max } | FieldType::Decimal { min, max } => (*min, *max),
            FieldType::Money { max } => (None, *max),
            _ => (None, None),
        };
        if let Some(m) = min {
            if d < m {
                return Err(format!("`{d}` is below the smallest allowed value {m}"));
            }
        }
        if let Some(m) = max {
            if d > m {
                return Err(format!("`{d}` is above the largest allowed value {m}"));
            }
        }
        Ok(())
    }
}

/// Why a text is not a date: what was expected, and what was found
fn date_problem(text: &str) -> String {
    let expected = FieldType::Date {
        min: None,
        max: None,
    }
    .expectation();
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if shaped {
        return format!("expected {expected}, found `{text}`, which is not a day of the calendar");
    }
    if !text.is_empty() && text.len() <= 6 && text.bytes().all(|c| c.is_ascii_digit()) {
        return format!(
            "expected {expected}, found `{text}` (a spreadsheet date stored as a number? write the date as text yyyy-mm-dd)"
        );
    }
    format!("expected {expected}, found `{}`", shorten(text))
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        let head: String = text.chars().take(40).collect();
        format!("{head}…")
    } else {
        text.to_string()
    }
}

/// GB 32100-2015: 18 characters from a 31-symbol alphabet, the last a check character
fn check_credit_code(code: &str) -> Result<(), String> {
    const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    // Every symbol is ASCII, so a valid code is 18 bytes.
    if code.len() != 18 {
        let count = code.chars().count();
        if count != 18 {
            return Err(format!(
                "credit code `{}` has {count} characters; a unified social credit code has 18",
                shorten(code),
            ));
        }
    }
    let mut sum = 0;
    let mut last = 0;
    for (i, c) in code.chars().enumerate() {
        let value = u8::try_from(c)
            .ok()
            .and_then(|b| ALPHABET.iter().position(|&a| a == b));
        let Some(value) = value else {
            return Err(format!(
                "credit code `{code}` has `{c}`, which is not a digit or an upper-case letter of the code (I, O, S, V and Z are not used)"
            ));
        };
        match WEIGHTS.get(i) {
            Some(w) => sum += value * w,
            None => last = value,
        }
    }
    let check = (31 - sum % 31) % 31;
    if last != check {
        let expected = ALPHABET.get(check).map_or('?', |&b| char::from(b));
        return Err(format!(
            "credit code `{code}` fails its check character: the 18th should be `{expected}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::{parse, Node, YamlLimits};

    fn node(s: &str) -> Node {
        parse(s, YamlLimits::default()).unwrap()
    }

    #[test]
    fn money_is_exact_and_whole_fen() {
        let m = FieldType::Money { max: None };
        assert_eq!(
            m.parse_node(&node("\"1234567.85\"")),
            Ok(Value::Decimal(money::literal("1234567.85").unwrap()))
        );
        assert_eq!(
            m.parse_node(&node("3000000")),
            Ok(Value::Decimal(Decimal::from(3_000_000)))
        );
        assert!(m.parse_node(&node("-10")).unwrap_err().contains("negative"));
        assert!(m
            .parse_node(&node("1.005"))
            .unwrap_err()
            .contains("2 decimals"));
        assert!(m
            .parse_node(&node("abc"))
            .unwrap_err()
            .contains("expected an amount"));
        assert_eq!(
            m.parse_node(&node("\"60.5万\"")),
            Ok(Value::Decimal(Decimal::from(605_000)))
        );
        assert_eq!(
            m.parse_node(&node("1.2亿元")),
            Ok(Value::Decimal(Decimal::from(120_000_000)))
        );
        assert_eq!(
            m.parse_node(&node("0.0000001万")),
            Err(
                "amount `0.0000001万` is 0.001 yuan, more than 2 decimals: amounts are whole fen"
                    .into()
            )
        );
        assert_eq!(
            m.parse_node(&node("60w")),
            Err("expected an amount in yuan (e.g. `600000` or `60万`), found `60w`".into())
        );
        assert_eq!(
            m.parse_node(&node("６０万")),
            Err("expected an amount in yuan, found `６０万`: full-width (全角) characters; write `60万`".into())
        );
        assert!(m.parse_node(&node("true")).is_err());
        assert!(m.parse_node(&node("~")).is_err());
        assert!(m
            .parse_node(&node("1234567890123456789012345678901234567890"))
            .unwrap_err()
            .contains("too many digits"));
    }

    #[test]
    fn booleans_are_not_texts() {
        assert_eq!(
            FieldType::Bool.parse_node(&node("true")),
            Ok(Value::Bool(true))
        );
        assert!(FieldType::Bool.parse_node(&node("\"true\"")).is_err());
        assert!(FieldType::Bool.parse_node(&node("1")).is_err());
        assert!(FieldType::Bool.parse_node(&node("yes")).is_err());
    }

    #[test]
    fn one_of_suggests() {
        let t = FieldType::OneOf {
            values: vec!["national".into(), "provincial".into(), "city".into()],
        };
        let e = t.parse_node(&node("provincal")).unwrap_err();
        assert!(e.contains("did you mean `provincial`"), "{e}");
    }

    #[test]
    fn integers_with_bounds() {
        let t = FieldType::Integer {
            min: Some(Decimal::ONE),
            max: Some(Decimal::from(3)),
        };
        assert_eq!(t.parse_node(&node("2")), Ok(Value::Int(2)));
        assert!(t.parse_node(&node("4")).is_err());
        assert!(t.parse_node(&node("2.0")).is_err());
        assert!(t.parse_node(&node("\"2\"")).is_err());
    }

    #[test]
    fn dates_are_iso_days_of_the_calendar() {
        let t = FieldType::Date {
            min: Date::parse("2020-01-01"),
            max: Date::parse("2030-12-31"),
        };
        assert_eq!(
            t.parse_node(&node("2024-03-25")),
            Ok(Value::Date(Date::parse("2024-03-25").unwrap()))
        );
        assert_eq!(
            t.parse_node(&node("\"2024-02-29\"")).map(|v| v.to_string()),
            Ok("2024-02-29".into())
        );
        assert_eq!(
            t.parse_text("2023-02-30"),
            Err("expected a date written yyyy-mm-dd (e.g. 2024-03-25), found `2023-02-30`, which is not a day of the calendar".into())
        );
        assert!(t
            .parse_text("2024-13-01")
            .unwrap_err()
            .contains("not a day of the calendar"));
        assert_eq!(
            t.parse_text("2024-3-5"),
            Err("expected a date written yyyy-mm-dd (e.g. 2024-03-25), found `2024-3-5`".into())
        );
        assert!(t
            .parse_text("45376")
            .unwrap_err()
            .contains("spreadsheet date"));
        assert!(t
            .parse_text(&"9".repeat(100_000))
            .unwrap_err()
            .contains("…"));
        assert_eq!(
            t.parse_text("2019-12-31"),
            Err("`2019-12-31` is before the earliest allowed date 2020-01-01".into())
        );
        assert!(t.parse_text("2031-01-01").unwrap_err().contains("after"));
        assert!(t.parse_text("2030-12-31").is_ok());
        assert!(t.parse_node(&node("20240325")).is_err());
        assert!(t.parse_node(&node("~")).is_err());
        assert!(t.parse_node(&node("true")).is_err());
        assert!(t.parse_node(&node("[2024-03-25]")).is_err());
        assert!(!t.is_categorical(), "a date is not a memo key");
    }

    #[test]
    fn credit_codes_are_checked() {
        // Check characters computed by hand from GB 32100-2015's weights.
        assert!(check_credit_code("91341302MA2T12345E").is_ok());
        assert!(check_credit_code("91341300MA2NXXXX01").is_ok());
        assert!(check_credit_code("91110000600037341L").is_ok());
        assert!(check_credit_code("91110000600037341M").is_err());
        assert!(check_credit_code("12345").unwrap_err().contains("18"));
        assert!(check_credit_code("9111000060003734IL")
            .unwrap_err()
            .contains("`I`"));
    }
}

/// Formats a text field can be checked against
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextFormat {
    /// 统一社会信用代码 (GB 32100-2015): 18 characters with a check character
    CreditCode,
}
