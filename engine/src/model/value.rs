//! Typed facts: the types a field can have and the values an application gives them.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::model::bands::Bands;
use crate::model::date::Date;
use crate::model::lang::{said, Lang, Message};
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
    pub fn expectation(&self) -> Message {
        match self {
            FieldType::Bool => said!("布尔值 true 或 false", "true or false"),
            FieldType::Integer { .. } => said!("整数", "a whole number"),
            FieldType::Decimal { .. } => said!("数值", "a decimal number"),
            FieldType::Money { .. } => said!(
                "以元为单位的金额（数字或数字文本，如 `600000` 或 `60万`，不为负数，最多两位小数）",
                "an amount in yuan (a number or numeric text such as `600000` or `60万`, not negative, at most 2 decimals)"
            ),
            FieldType::Text {
                format: Some(TextFormat::CreditCode),
            } => said!(
                "18 位统一社会信用代码",
                "an 18-character unified social credit code (统一社会信用代码)"
            ),
            FieldType::Text { format: None } => said!("文本", "a text"),
            FieldType::OneOf { values } => {
                let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                let zh = list.join("、");
                let en = list.join(", ");
                said!("以下之一：{zh}", "one of {en}")
            }
            FieldType::Date { .. } => said!(
                "按 yyyy-mm-dd 书写的日期（如 2024-03-25）",
                "a date written yyyy-mm-dd (e.g. 2024-03-25)"
            ),
        }
    }

    /// Reads a value from its text (CSV cells, overrides, YAML metadata)
    ///
    /// # Errors
    /// What was expected and what was found, in both languages.
    pub fn parse_text(&self, text: &str) -> Result<Value, Message> {
        // Shown only when refused: shortened as it is written, never built on the good path.
        let short = Shortened(text);
        match self {
            FieldType::Bool => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(said!(
                    "应为 true 或 false，实际是 `{short}`",
                    "expected true or false, found `{short}`"
                )),
            },
            FieldType::Integer { .. } => {
                let n: i64 = text.parse().map_err(|_| {
                    said!(
                        "应为整数，实际是 `{short}`",
                        "expected a whole number, found `{short}`"
                    )
                })?;
                self.check_bounds(Decimal::from(n))?;
                Ok(Value::Int(n))
            }
            FieldType::Decimal { .. } => {
                let d = money::parse_decimal(text).map_err(|e| {
                    let (zh, en) = (e.in_lang(Lang::Zh), e.to_string());
                    said!(
                        "应为数值，实际是 `{short}`：{zh}",
                        "expected a decimal number, found `{short}`: {en}"
                    )
                })?;
                self.check_bounds(d)?;
                Ok(Value::Decimal(d.normalize()))
            }
            FieldType::Money { .. } => {
                // Written as parameters are: `600000`, `60.5万`, `1.2亿`, `60万元`.
                let d = money::parse_yuan(text).map_err(|e| match e {
                    money::YuanError::NotAnAmount => said!(
                        "应为以元为单位的金额（如 `600000` 或 `60万`），实际是 `{short}`",
                        "expected an amount in yuan (e.g. `600000` or `60万`), found `{short}`"
                    ),
                    _ => {
                        let (zh, en) = (e.in_lang(Lang::Zh), e.to_string());
                        said!(
                            "应为以元为单位的金额，实际是 `{short}`：{zh}",
                            "expected an amount in yuan, found `{short}`: {en}"
                        )
                    }
                })?;
                if d.is_sign_negative() && !d.is_zero() {
                    return Err(said!(
                        "金额 `{short}` 是负数",
                        "amount `{short}` is negative"
                    ));
                }
                let normal = d.normalize();
                if normal.scale() > 2 {
                    let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                    return Err(if plain {
                        said!(
                            "金额 `{short}` 超过两位小数：金额最小到分",
                            "amount `{short}` has more than 2 decimals: amounts are whole fen"
                        )
                    } else {
                        said!(
                            "金额 `{short}` 即 {normal} 元，超过两位小数：金额最小到分",
                            "amount `{short}` is {normal} yuan, more than 2 decimals: amounts are whole fen"
                        )
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
                    let near =
                        crate::model::suggest::nearest(text, values.iter().map(String::as_str));
                    let hint_zh = near
                        .map(|s| format!("；是否应为 `{s}`？"))
                        .unwrap_or_default();
                    let hint_en = near
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    let Message { zh: ez, en: ee } = self.expectation();
                    Err(said!(
                        "应为{ez}，实际是 `{short}`{hint_zh}",
                        "expected {ee}, found `{short}`{hint_en}"
                    ))
                }
            }
            FieldType::Date { min, max } => {
                let Some(d) = Date::parse(text) else {
                    return Err(date_problem(text));
                };
                if let Some(m) = min.filter(|m| d < *m) {
                    return Err(said!(
                        "`{d}` 早于允许的最早日期 {m}",
                        "`{d}` is before the earliest allowed date {m}"
                    ));
                }
                if let Some(m) = max.filter(|m| d > *m) {
                    return Err(said!(
                        "`{d}` 晚于允许的最晚日期 {m}",
                        "`{d}` is after the latest allowed date {m}"
                    ));
                }
                Ok(Value::Date(d))
            }
        }
    }

    pub(crate) fn check_bounds(&self, d: Decimal) -> Result<(), Message> {
        let (min, max) = match self {
            FieldType::Integer { min, max } | FieldType::Decimal { min, max } => (*min, *max),
            FieldType::Money { max } => (None, *max),
            _ => (None, None),
        };
        if let Some(m) = min {
            if d < m {
                return Err(said!(
                    "`{d}` 小于允许的最小值 {m}",
                    "`{d}` is below the smallest allowed value {m}"
                ));
            }
        }
        if let Some(m) = max {
            if d > m {
                return Err(said!(
                    "`{d}` 大于允许的最大值 {m}",
                    "`{d}` is above the largest allowed value {m}"
                ));
            }
        }
        Ok(())
    }
}

/// Why a text is not a date: what was expected, and what was found
fn date_problem(text: &str) -> Message {
    let Message { zh: ez, en: ee } = FieldType::Date {
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
        return said!(
            "应为{ez}，实际是 `{text}`，日历上没有这一天",
            "expected {ee}, found `{text}`, which is not a day of the calendar"
        );
    }
    if !text.is_empty() && text.len() <= 6 && text.bytes().all(|c| c.is_ascii_digit()) {
        return said!(
            "应为{ez}，实际是 `{text}`（可能是表格把日期存成了数字？请把日期写成文本 yyyy-mm-dd）",
            "expected {ee}, found `{text}` (a spreadsheet date stored as a number? write the date as text yyyy-mm-dd)"
        );
    }
    let short = shorten(text);
    said!(
        "应为{ez}，实际是 `{short}`",
        "expected {ee}, found `{short}`"
    )
}

/// A text as an error shows it: its first 40 characters, then `…`
struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(40) {
            Some((cut, _)) => write!(f, "{}…", &self.0[..cut]),
            None => f.write_str(self.0),
        }
    }
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
fn check_credit_code(code: &str) -> Result<(), Message> {
    const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    // Every symbol is ASCII, so a valid code is 18 bytes.
    if code.len() != 18 {
        let count = code.chars().count();
        if count != 18 {
            let short = shorten(code);
            return Err(said!(
                "信用代码 `{short}` 有 {count} 个字符，统一社会信用代码应为 18 位",
                "credit code `{short}` has {count} characters; a unified social credit code has 18"
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
            return Err(said!(
                "信用代码 `{code}` 含有 `{c}`，它不是代码所用的数字或大写字母（不用 I、O、S、V、Z）",
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
        return Err(said!(
            "信用代码 `{code}` 校验位不对：第 18 位应为 `{expected}`",
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
        assert!(m
            .parse_node(&node("-10"))
            .unwrap_err()
            .en
            .contains("negative"));
        assert!(m
            .parse_node(&node("1.005"))
            .unwrap_err()
            .en
            .contains("2 decimals"));
        assert!(m
            .parse_node(&node("abc"))
            .unwrap_err()
            .en
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
            m.parse_node(&node("0.0000001万")).map_err(|e| e.en),
            Err(
                "amount `0.0000001万` is 0.001 yuan, more than 2 decimals: amounts are whole fen"
                    .into()
            )
        );
        assert_eq!(
            m.parse_node(&node("60w")).map_err(|e| e.en),
            Err("expected an amount in yuan (e.g. `600000` or `60万`), found `60w`".into())
        );
        assert_eq!(
            m.parse_node(&node("６０万")).map_err(|e| e.en),
            Err("expected an amount in yuan, found `６０万`: full-width (全角) characters; write `60万`".into())
        );
        assert!(m.parse_node(&node("true")).is_err());
        assert!(m.parse_node(&node("~")).is_err());
        assert!(m
            .parse_node(&node("1234567890123456789012345678901234567890"))
            .unwrap_err()
            .en
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
    fn messages_come_in_both_languages() {
        let m = FieldType::Money { max: None };
        let e = m.parse_node(&node("-10")).unwrap_err();
        assert_eq!(e.zh, "金额 `-10` 是负数");
        assert_eq!(e.en, "amount `-10` is negative");
        let e = FieldType::Bool.parse_node(&node("\"true\"")).unwrap_err();
        assert_eq!(e.zh, "应为布尔值 true 或 false，实际是文本 \"true\"");
    }

    #[test]
    fn one_of_suggests() {
        let t = FieldType::OneOf {
            values: vec!["national".into(), "provincial".into(), "city".into()],
        };
        let e = t.parse_node(&node("provincal")).unwrap_err().en;
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
            t.parse_text("2023-02-30").map_err(|e| e.en),
            Err("expected a date written yyyy-mm-dd (e.g. 2024-03-25), found `2023-02-30`, which is not a day of the calendar".into())
        );
        assert!(t
            .parse_text("2024-13-01")
            .unwrap_err()
            .en
            .contains("not a day of the calendar"));
        assert_eq!(
            t.parse_text("2024-3-5").map_err(|e| e.en),
            Err("expected a date written yyyy-mm-dd (e.g. 2024-03-25), found `2024-3-5`".into())
        );
        assert!(t
            .parse_text("45376")
            .unwrap_err()
            .en
            .contains("spreadsheet date"));
        assert!(t
            .parse_text(&"9".repeat(100_000))
            .unwrap_err()
            .en
            .contains("…"));
        assert_eq!(
            t.parse_text("2019-12-31").map_err(|e| e.en),
            Err("`2019-12-31` is before the earliest allowed date 2020-01-01".into())
        );
        assert!(t.parse_text("2031-01-01").unwrap_err().en.contains("after"));
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
        assert!(check_credit_code("12345").unwrap_err().en.contains("18"));
        assert!(check_credit_code("9111000060003734IL")
            .unwrap_err()
            .en
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
