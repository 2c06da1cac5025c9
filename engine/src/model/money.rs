//! Exact decimal numbers: reading them from text, the one rounding rule of a pack, and money as
//! people read it (`1,234.50`, `元` with `万元`) and as JSON writes it (a string).
//!
//! Every number that can reach an amount is read here from the text that was written, never
//! through a binary float. Rounding happens in exactly one place, [`Rounding::apply`], on the
//! final amount of a decision.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::lang::Lang;
use serde::Deserialize;

/// Why a text is not an exact decimal number
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number at all
    NotANumber,
    /// More digits than a 96-bit decimal holds (28)
    TooManyDigits,
}

impl NumberError {
    /// What is wrong, in `lang`
    pub fn in_lang(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Zh => match self {
                NumberError::NotANumber => "不是数值".into(),
                NumberError::TooManyDigits => "位数太多，无法精确保存（有效数字最多 28 位）".into(),
            },
        }
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::NotANumber => f.write_str("not a decimal number"),
            NumberError::TooManyDigits => {
                f.write_str("too many digits to hold exactly (at most 28 significant digits)")
            }
        }
    }
}

/// Reads a decimal number exactly: `123`, `-4.50`, `1234567.85`, `1.5e3`
///
/// No thousands separators, spaces, `NaN` or infinities; a number that cannot be held exactly is
/// an error, never rounded.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    if let Some(d) = plain_decimal(text) {
        return Ok(d);
    }
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(int_part) || !frac_part.is_none_or(digits_ok) {
        return Err(NumberError::NotANumber);
    }
    let significant = unsigned
        .trim_start_matches(['0', '.'])
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if significant > 28 {
        return Err(NumberError::TooManyDigits);
    }
    let base = Decimal::from_str_exact(mantissa).map_err(|_| NumberError::TooManyDigits)?;
    match exponent {
        None => Ok(base),
        Some(e) => {
            let e_digits = e.strip_prefix(['-', '+']).unwrap_or(e);
            if !digits_ok(e_digits) || e_digits.len() > 3 {
                return Err(NumberError::NotANumber);
            }
            let exp: i64 = e.parse().map_err(|_| NumberError::NotANumber)?;
            scale_by_power_of_ten(base, exp)
        }
    }
}

/// The common case read directly: digits, at most one `.` with digits on both sides, no sign
/// or exponent, at most 18 digits (so it fits an `i64`); the same decimal, to the bit, as
/// `Decimal::from_str_exact` gives. `None` for anything else.
fn plain_decimal(text: &str) -> Option<Decimal> {
    if text.len() > 19 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut point = None;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'0'..=b'9' => mantissa = mantissa * 10 + i64::from(b - b'0'),
            b'.' if point.is_none() && i > 0 && i + 1 < text.len() => point = Some(i),
            _ => return None,
        }
    }
    let digits = text.len() - usize::from(point.is_some());
    if digits == 0 || digits > 18 {
        return None;
    }
    let scale = point.map_or(0, |p| text.len() - p - 1);
    Decimal::try_new(mantissa, u32::try_from(scale).ok()?).ok()
}

/// Why a text is not an amount in yuan
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YuanError {
    /// Not a number of yuan, 万 or 亿
    NotAnAmount,
    /// More digits than a 96-bit decimal holds (28), before or after the multiplier
    TooManyDigits,
    /// Full-width (全角) digits or signs; the text written half-width, when that is an amount
    FullWidth(Option<String>),
}

impl YuanError {
    /// What is wrong, in `lang`
    pub fn in_lang(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Zh, YuanError::NotAnAmount) => "不是以元为单位的金额".into(),
            (Lang::Zh, YuanError::TooManyDigits) => NumberError::TooManyDigits.in_lang(lang),
            (Lang::Zh, YuanError::FullWidth(Some(fix))) => {
                format!("含有全角字符，请写作半角的 `{fix}`")
            }
            (Lang::Zh, YuanError::FullWidth(None)) => {
                "含有全角字符，数字、`.` 和 `-` 请用半角".into()
            }
        }
    }
}

impl fmt::Display for YuanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YuanError::NotAnAmount => f.write_str("not an amount in yuan"),
            YuanError::TooManyDigits => NumberError::TooManyDigits.fmt(f),
            YuanError::FullWidth(Some(fix)) => {
                write!(f, "full-width (全角) characters; write `{fix}`")
            }
            YuanError::FullWidth(None) => f.write_str(
                "full-width (全角) characters; write the digits, `.` and `-` half-width",
            ),
        }
    }
}

/// Reads an amount in yuan as drafters and applicants write one: `600000`, `600000.5`, `60万`,
/// `60.5万`, `1.2亿`, each optionally followed by `元` (`60万元`, `600000元`). The number before
/// the unit is read by [`parse_decimal`], so the sign is kept for the caller to judge and
/// spaces are refused except between the number and its unit (`60 万`). The one reader of
/// amounts for parameters, `--set`, tests' expectations and application fields.
///
/// Exact: `60.5万` is 605000 and `1.2亿` 120000000 (a multiplier's zeros are not decimals);
/// a plain number keeps its scale (`1234.50`).
pub fn parse_yuan(text: &str) -> Result<Decimal, YuanError> {
    if text.chars().any(is_full_width) {
        let half: String = text.chars().map(half_width).collect();
        let fix = parse_yuan(&half).ok().map(|_| half);
        return Err(YuanError::FullWidth(fix));
    }
    let (t, unit) = match text.strip_suffix('元') {
        Some(t) => (t, true),
        None => (text, false),
    };
    let (number, scale) = if let Some(n) = t.strip_suffix('万') {
        (n, Some(Decimal::from(10_000)))
    } else if let Some(n) = t.strip_suffix('亿') {
        (n, Some(Decimal::from(100_000_000)))
    } else {
        (t, None)
    };
    let number = if unit || scale.is_some() {
        number.trim_end()
    } else {
        number
    };
    let d = parse_decimal(number).map_err(|e| match e {
        NumberError::NotANumber => YuanError::NotAnAmount,
        NumberError::TooManyDigits => YuanError::TooManyDigits,
    })?;
    match scale {
        None => Ok(d),
        Some(scale) => d
            .checked_mul(scale)
            .map(|d| d.normalize())
            .ok_or(YuanError::TooManyDigits),
    }
}

/// A full-width (全角) digit, sign, point or space, as an input method types them
fn is_full_width(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

/// The half-width twin of a full-width character; any other character as it is
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn scale_by_power_of_ten(mut d: Decimal, exp: i64) -> Result<Decimal, NumberError> {
    let ten = Decimal::TEN;
    if exp >= 0 {
        for _ in 0..exp {
            d = d.checked_mul(ten).ok_or(NumberError::TooManyDigits)?;
        }
    } else {
        for _ in 0..(-exp) {
            // Division by ten is exact until the 28-digit scale limit.
            if d.scale() >= 28 {
                return Err(NumberError::TooManyDigits);
            }
            d = d.checked_div(ten).ok_or(NumberError::TooManyDigits)?;
        }
    }
    Ok(d.normalize())
}

/// How the final amount of a decision is rounded: to `scale` decimals (2 = the fen) by `mode`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// Decimals kept: 2 rounds to the fen
    pub scale: u32,
    /// How a dropped remainder is rounded
    pub mode: RoundingMode,
}

/// The rounding rules a pack may choose
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    /// 四舍五入: a remainder of one half or more rounds away from zero
    HalfUp,
    /// Banker's rounding: a half rounds to the even neighbour
    HalfEven,
    /// Truncate: the remainder is dropped
    Down,
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding {
            scale: 2,
            mode: RoundingMode::HalfUp,
        }
    }
}

impl Rounding {
    /// Rounds an amount by this rule and fixes its scale, so it prints with exactly `scale`
    /// decimals (`0.00`, `123456.79`)
    pub fn apply(&self, amount: Decimal) -> Decimal {
        // At the scale already, rounding and rescaling change nothing (an amount is rounded
        // as it is decided and again as it leaves a stream)
        if amount.scale() == self.scale {
            return amount;
        }
        let strategy = match self.mode {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::Down => RoundingStrategy::ToZero,
        };
        let mut r = amount.round_dp_with_strategy(self.scale, strategy);
        r.rescale(self.scale);
        r
    }

    /// The rule in words, for reasons and explanations
    pub fn describe(&self) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow;
        // Written into every rounded award's reason: the usual rules without formatting.
        Cow::Borrowed(match (self.mode, self.scale) {
            (RoundingMode::HalfUp, 0) => "四舍五入到元",
            (RoundingMode::HalfUp, 1) => "四舍五入到角",
            (RoundingMode::HalfUp, 2) => "四舍五入到分",
            (RoundingMode::HalfEven, 0) => "银行家舍入到元",
            (RoundingMode::HalfEven, 1) => "银行家舍入到角",
            (RoundingMode::HalfEven, 2) => "银行家舍入到分",
            (RoundingMode::Down, 0) => "舍去到元",
            (RoundingMode::Down, 1) => "舍去到角",
            (RoundingMode::Down, 2) => "舍去到分",
            (mode, n) => {
                let mode = match mode {
                    RoundingMode::HalfUp => "四舍五入",
                    RoundingMode::HalfEven => "银行家舍入",
                    RoundingMode::Down => "舍去",
                };
                return Cow::Owned(format!("{mode}到{n} 位小数"));
            }
        })
    }
}

impl Rounding {
    /// The rule in `lang`: Chinese as [`Rounding::describe`], English `rounded half up to the fen`
    pub fn describe_in(&self, lang: Lang) -> std::borrow::Cow<'static, str> {
        if lang == Lang::Zh {
            return self.describe();
        }
        let mode = match self.mode {
            RoundingMode::HalfUp => "rounded half up",
            RoundingMode::HalfEven => "rounded half to even",
            RoundingMode::Down => "rounded down",
        };
        let to = match self.scale {
            0 => "the yuan".to_string(),
            1 => "the jiao (0.1 yuan)".to_string(),
            2 => "the fen (0.01 yuan)".to_string(),
            n => format!("{n} decimals"),
        };
        std::borrow::Cow::Owned(format!("{mode} to {to}"))
    }
}

/// An amount in yuan written for people: `1,234,567.85 元（123.456785 万元）`
pub fn yuan_and_wan(amount: Decimal) -> String {
    let wan = (amount / Decimal::from(10_000)).normalize();
    format!("{} 元（{} 万元）", group_thousands(amount), wan)
}

/// [`yuan_and_wan`] in `lang`: English writes `1,234,567.85 yuan (123.456785 万元)`, keeping
/// 万元 as the unit a Chinese document states
///
/// ```
/// use policy_engine::{yuan_and_wan_in, Lang};
/// use rust_decimal::Decimal;
/// let d = Decimal::new(123456785, 2);
/// assert_eq!(yuan_and_wan_in(d, Lang::Zh), "1,234,567.85 元（123.456785 万元）");
/// assert_eq!(yuan_and_wan_in(d, Lang::En), "1,234,567.85 yuan (123.456785 万元)");
/// ```
pub fn yuan_and_wan_in(amount: Decimal, lang: Lang) -> String {
    match lang {
        Lang::Zh => yuan_and_wan(amount),
        Lang::En => format!(
            "{} yuan ({} 万元)",
            group_thousands(amount),
            (amount / Decimal::from(10_000)).normalize()
        ),
    }
}

/// Appends `d` as its `Display` writes it: a `-` when its sign is negative (zero too), its
/// digits, and as many after the point as its scale. Every decision writes its amount, and
/// every award one or more in its reasons; rust_decimal's general formatter (96-bit division
/// by ten per digit, then padding) was a twentieth of a large run.
///
/// ```
/// use rust_decimal::Decimal;
/// let mut out = Vec::new();
/// policy_engine::push_decimal(&mut out, Decimal::new(-5, 3));
/// assert_eq!(out, b"-0.005");
/// ```
pub fn push_decimal(out: &mut Vec<u8>, d: Decimal) {
    let Ok(mantissa) = u64::try_from(d.mantissa().unsigned_abs()) else {
        // Past 2^64 (no amount comes near): the general formatter
        out.extend_from_slice(d.to_string().as_bytes());
        return;
    };
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = mantissa;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = &digits[at..];
    let scale = d.scale() as usize;
    if d.is_sign_negative() {
        out.push(b'-');
    }
    if scale == 0 {
        out.extend_from_slice(digits);
    } else if digits.len() > scale {
        let (whole, frac) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + scale - digits.len(), b'0');
        out.extend_from_slice(digits);
    }
}

/// `1234567.85` as `1,234,567.85`
pub fn group_thousands(amount: Decimal) -> String {
    let mut out = String::with_capacity(40);
    push_thousands(&mut out, amount);
    out
}

/// [`group_thousands`] appended to `out` (reasons are written straight into their string)
pub(crate) fn push_thousands(out: &mut String, amount: Decimal) {
    let Ok(mut rest) = u64::try_from(amount.mantissa().unsigned_abs()) else {
        // Past 2^64 (no amount comes near): through the general digits
        return push_thousands_general(out, amount);
    };
    // Written from the right into one buffer, then appended at once: a settled million writes
    // a few hundred thousand amounts into its reasons, and going through `push_decimal`'s
    // buffer and a push per group of three was most of each one's making.
    // 28 decimals, a point, 20 digits, 6 commas and a sign fit.
    let mut buf = [0u8; 64];
    let mut at = buf.len();
    let scale = amount.scale() as usize;
    if scale > 0 {
        for _ in 0..scale {
            at -= 1;
            buf[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        at -= 1;
        buf[at] = b'.';
    }
    let mut whole = 0;
    loop {
        if whole > 0 && whole % 3 == 0 {
            at -= 1;
            buf[at] = b',';
        }
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        whole += 1;
        if rest == 0 {
            break;
        }
    }
    if amount.is_sign_negative() {
        at -= 1;
        buf[at] = b'-';
    }
    // ASCII only: the check cannot fail
    out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

/// [`push_thousands`] for any amount, from [`push_decimal`]'s text
fn push_thousands_general(out: &mut String, amount: Decimal) {
    let mut text = Vec::with_capacity(40);
    push_decimal(&mut text, amount);
    // ASCII digits, sign and point: every cut is at a character
    fn ascii(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap_or_default()
    }
    let sign = usize::from(text.first() == Some(&b'-'));
    let whole_end = text[sign..]
        .iter()
        .position(|&c| c == b'.')
        .map_or(text.len(), |p| p + sign);
    let digits = whole_end - sign;
    let commas = digits.saturating_sub(1) / 3;
    let first = sign + digits - 3 * commas;
    out.reserve(text.len() + commas);
    out.push_str(ascii(&text[..first]));
    for group in text[first..whole_end].chunks(3) {
        out.push(',');
        out.push_str(ascii(group));
    }
    out.push_str(ascii(&text[whole_end..]));
}

/// Parses a plain decimal literal that is known to be valid (constants in tests)
/// `1234567.85` → `1,234,567.85`, for reasons a person reads
pub(crate) fn yuan(d: Decimal) -> String {
    crate::model::money::group_thousands(d.normalize())
}

/// `0.1` → `10%`; `None` past the decimal range
pub(crate) fn percent_text(d: Decimal) -> Option<String> {
    let p = d.checked_mul(Decimal::ONE_HUNDRED)?;
    let mut text = Vec::with_capacity(16);
    push_decimal(&mut text, p.normalize());
    text.push(b'%');
    String::from_utf8(text).ok()
}

/// Serializes an amount as a JSON string (`"1234.50"`): exact, and kept with its scale, where a
/// JSON number would pass through binary floats in many readers
pub(crate) fn as_text<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

/// [`as_text`] for an amount that may be missing (`null`)
pub(crate) fn opt_as_text<S: serde::Serializer>(
    d: &Option<Decimal>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => as_text(d, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
pub(crate) fn literal(text: &str) -> Option<Decimal> {
    <Decimal as std::str::FromStr>::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        literal(s).unwrap()
    }

    /// An amount at the rule's scale already comes back as it is, bit for bit, as the full
    /// rounding and rescaling would give it (negative zero and the extremes too)
    #[test]
    fn an_amount_at_the_scale_already_is_left_alone() {
        let mut zero = Decimal::ZERO;
        zero.set_sign_negative(true);
        zero.rescale(2);
        for mode in [
            RoundingMode::HalfUp,
            RoundingMode::HalfEven,
            RoundingMode::Down,
        ] {
            for scale in [0u32, 2, 4] {
                let rule = Rounding { scale, mode };
                let strategy = match mode {
                    RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
                    RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
                    RoundingMode::Down => RoundingStrategy::ToZero,
                };
                let mut max = Decimal::MAX;
                max.rescale(scale);
                let mut min = Decimal::MIN;
                min.rescale(scale);
                for x in [
                    d("0"),
                    d("1.5"),
                    d("-2.25"),
                    d("123456.785"),
                    zero,
                    max,
                    min,
                ] {
                    let mut x = x;
                    x.rescale(scale);
                    let mut full = x.round_dp_with_strategy(scale, strategy);
                    full.rescale(scale);
                    assert_eq!(
                        rule.apply(x).serialize(),
                        full.serialize(),
                        "{x} at {scale}"
                    );
                }
            }
        }
    }

    /// Mantissas near every power of ten and of two, with every scale and both signs
    fn decimals() -> Vec<Decimal> {
        let mut mantissas: Vec<i128> = vec![0, 1, 5, 9, 10, 99, 100, 101];
        for p in 1..29 {
            let ten = 10i128.pow(p);
            mantissas.extend([ten - 1, ten, ten + 1, ten * 7 / 3]);
        }
        for p in 1..96 {
            let two = 1i128 << p;
            mantissas.extend([two - 1, two, two + 1]);
        }
        let mut out = Vec::new();
        for m in mantissas.into_iter().filter(|m| *m < (1i128 << 96)) {
            for scale in 0..=28 {
                for sign in [1, -1] {
                    if let Ok(x) = Decimal::try_from_i128_with_scale(m * sign, scale) {
                        out.push(x);
                    }
                }
            }
        }
        // Negative zero, which `Display` writes with its sign
        let mut z = Decimal::new(0, 2);
        z.set_sign_negative(true);
        out.push(z);
        out
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for x in decimals() {
            let mut out = Vec::new();
            push_decimal(&mut out, x);
            assert_eq!(String::from_utf8(out).unwrap(), x.to_string(), "{x:?}");
        }
    }

    #[test]
    fn thousands_are_grouped_in_the_whole_part_only() {
        // The rule restated on `Display`'s text: a comma before each group of three digits
        // of the whole part, counted from the point
        let reference = |x: Decimal| {
            let text = x.to_string();
            let (sign, unsigned) = match text.strip_prefix('-') {
                Some(r) => ("-", r),
                None => ("", text.as_str()),
            };
            let (whole, frac) = match unsigned.split_once('.') {
                Some((w, f)) => (w, format!(".{f}")),
                None => (unsigned, String::new()),
            };
            let mut grouped = String::new();
            for (i, c) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            format!("{sign}{grouped}{frac}")
        };
        for x in decimals() {
            assert_eq!(group_thousands(x), reference(x), "{x:?}");
            // The general way, taken past 2^64, agrees on every amount
            let mut general = String::new();
            push_thousands_general(&mut general, x);
            assert_eq!(general, reference(x), "{x:?}");
        }
        assert_eq!(group_thousands(d("1234567.85")), "1,234,567.85");
        assert_eq!(group_thousands(d("-1000")), "-1,000");
        assert_eq!(group_thousands(d("0.005")), "0.005");
        assert_eq!(group_thousands(d("123456.7891")), "123,456.7891");
    }

    #[test]
    fn reads_exactly() {
        assert_eq!(parse_decimal("1234567.85"), Ok(d("1234567.85")));
        assert_eq!(parse_decimal("0.10").unwrap().to_string(), "0.10");
        assert_eq!(parse_decimal("1.5e3"), Ok(d("1500")));
        assert_eq!(parse_decimal("25E-2"), Ok(d("0.25")));
        assert_eq!(parse_decimal("-4"), Ok(d("-4")));
    }

    #[test]
    fn the_plain_case_reads_as_the_general_one() {
        for text in [
            "0",
            "00",
            "7",
            "0.10",
            "4912100.00",
            "4912100",
            "000.5",
            "123456789012345678",
            "12345678901234567.8",
            "0.00000000000000001",
            "1.5",
            "999999999999999999",
        ] {
            let quick = plain_decimal(text).unwrap();
            let general = Decimal::from_str_exact(text).unwrap();
            assert_eq!(quick.serialize(), general.serialize(), "{text}");
            assert_eq!(quick.to_string(), general.to_string(), "{text}");
            assert_eq!(parse_decimal(text), Ok(general), "{text}");
        }
        for text in [
            "",
            ".",
            "1.",
            ".5",
            "1..2",
            "1.2.3",
            "-1",
            "+1",
            "1e5",
            " 1",
            "1,0",
            "١",
            "1234567890123456789",
            "12345678901234567.89",
        ] {
            assert_eq!(plain_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_exact_or_not_a_number() {
        assert_eq!(
            parse_decimal("123456789012345678901234567890.12"),
            Err(NumberError::TooManyDigits)
        );
        for bad in [
            "", "1,000", "1_000", " 1", "abc", "NaN", "inf", "1.", ".5", "0x10", "1e",
        ] {
            assert_eq!(parse_decimal(bad), Err(NumberError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn yuan_is_read_with_its_multiplier_exactly() {
        let y = |s: &str| parse_yuan(s).map(|d| d.to_string());
        assert_eq!(y("600000"), Ok("600000".into()));
        assert_eq!(
            y("1234.50"),
            Ok("1234.50".into()),
            "a plain amount keeps its scale"
        );
        assert_eq!(y("60万"), Ok("600000".into()));
        assert_eq!(y("60.5万"), Ok("605000".into()));
        assert_eq!(y("1.2亿"), Ok("120000000".into()));
        assert_eq!(y("5亿元"), Ok("500000000".into()));
        assert_eq!(y("123.456785万"), Ok("1234567.85".into()));
        assert_eq!(y("0.0123456785亿"), Ok("1234567.85".into()));
        assert_eq!(y("60 万"), Ok("600000".into()));
        assert_eq!(y("600000元"), Ok("600000".into()));
        assert_eq!(y("-1万"), Ok("-10000".into()), "the caller judges the sign");
        for bad in [
            "六十万",
            "60w",
            "60万万",
            "万",
            "亿",
            "5亿万",
            "60万 元",
            " 60万",
            "60,0万",
            "",
        ] {
            assert_eq!(parse_yuan(bad), Err(YuanError::NotAnAmount), "{bad}");
        }
        assert_eq!(
            parse_yuan("６０万"),
            Err(YuanError::FullWidth(Some("60万".into())))
        );
        assert_eq!(
            parse_yuan("６０．５万").unwrap_err().to_string(),
            "full-width (全角) characters; write `60.5万`"
        );
        assert_eq!(parse_yuan("六十万０"), Err(YuanError::FullWidth(None)));
        assert_eq!(
            parse_yuan("999999999999999999999亿"),
            Err(YuanError::TooManyDigits)
        );
    }

    #[test]
    fn half_up_to_the_fen_where_bankers_rounding_differs() {
        let r = Rounding::default();
        // 10% of 0.25 and of 4.45: banker's rounding gives 0.02 and 0.44.
        assert_eq!(r.apply(d("0.025")).to_string(), "0.03");
        assert_eq!(r.apply(d("0.445")).to_string(), "0.45");
        assert_eq!(r.apply(d("123456.785")).to_string(), "123456.79");
        assert_eq!(r.apply(d("123456.784999")).to_string(), "123456.78");
        assert_eq!(r.apply(Decimal::ZERO).to_string(), "0.00");
        assert_eq!(r.apply(d("200000")).to_string(), "200000.00");
        let even = Rounding {
            scale: 2,
            mode: RoundingMode::HalfEven,
        };
        assert_eq!(even.apply(d("0.025")).to_string(), "0.02");
    }

    #[test]
    fn words() {
        assert_eq!(yuan_and_wan(d("2000000.00")), "2,000,000.00 元（200 万元）");
        assert_eq!(group_thousands(d("123456.79")), "123,456.79");
        assert_eq!(group_thousands(d("999")), "999");
    }
}
