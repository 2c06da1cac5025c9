//! Band tables (分档): a value by bracket of a fact, as policies pay "500万元以上的补助8%，1000万元
//! 以上的补助10%" (step) or "100万元以内部分补助10%，超过100万元的部分补助5%" (progressive).
//!
//! A table is a list of bands, each with the threshold it starts at (`from`, included: 以上 in
//! policy usage includes the figure) and its value. Thresholds strictly increase. Looking a
//! fact up is exact decimal arithmetic, never rounded here.

use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::model::money;

/// A band table: what its thresholds and values are, how a fact is looked up, and the bands
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bands {
    /// The unit of the thresholds (`from`), the unit of the fact looked up
    pub of: BandUnit,
    /// The unit of each band's value
    pub gives: BandUnit,
    /// Step (the band the fact falls in decides) or progressive (each part at its band's rate)
    pub method: BandMethod,
    /// The bands, thresholds strictly increasing; at least one
    pub bands: Vec<Band>,
}

/// One band: from its threshold (included) up to the next band's
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Band {
    /// Where the band starts; a fact equal to it is in this band
    pub from: Decimal,
    /// The band's value (an amount, a rate, a number)
    pub value: Decimal,
}

/// How a fact is looked up in a table
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandMethod {
    /// The value of the band the fact falls in; 0 below the first threshold
    Step,
    /// The sum, over the bands, of the part of the fact inside each band times its rate;
    /// nothing for the part below the first threshold
    Progressive,
}

/// The units a table's thresholds and values may have: a parameter's units, without dates
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandUnit {
    /// Yuan (`500万`)
    Yuan,
    /// A share (`8%`)
    Ratio,
    /// A plain number, of either sign
    Number,
    /// A whole number of things
    Count,
}

impl BandUnit {
    /// The unit's name as written in YAML
    pub fn name(self) -> &'static str {
        match self {
            BandUnit::Yuan => "yuan",
            BandUnit::Ratio => "ratio",
            BandUnit::Number => "number",
            BandUnit::Count => "count",
        }
    }

    /// A number in this unit for people: `500 万元`, `8%`, `3`
    pub fn show(self, d: Decimal) -> String {
        match self {
            BandUnit::Yuan if d.abs() >= Decimal::from(10_000) => {
                format!("{} 万元", (d / Decimal::from(10_000)).normalize())
            }
            BandUnit::Yuan => format!("{} 元", d.normalize()),
            BandUnit::Ratio => money::percent_text(d).unwrap_or_else(|| d.normalize().to_string()),
            BandUnit::Number | BandUnit::Count => d.normalize().to_string(),
        }
    }
}

impl BandMethod {
    /// The method's name as written in YAML
    pub fn name(self) -> &'static str {
        match self {
            BandMethod::Step => "step",
            BandMethod::Progressive => "progressive",
        }
    }

    /// What the method does, in Chinese, as listings write it
    pub fn words(self) -> &'static str {
        match self {
            BandMethod::Step => "按达到的档位取值，起点含本数，低于第 1 档为 0",
            BandMethod::Progressive => "各档部分按本档比例计算后相加，起点含本数",
        }
    }
}

impl Bands {
    /// The value for a fact `x`: for a step table, the value of the last band whose threshold
    /// is at most `x` (0 below the first); for a progressive one, the sum over the bands of the
    /// part of `x` inside each times its value. Exact; `None` only past the decimal range.
    pub fn lookup(&self, x: Decimal) -> Option<Decimal> {
        match self.method {
            BandMethod::Step => Some(
                self.band_of(x)
                    .map_or(Decimal::ZERO, |i| self.bands[i].value),
            ),
            BandMethod::Progressive => {
                let mut sum = Decimal::ZERO;
                for (_, part, rate) in self.parts(x)? {
                    sum = sum.checked_add(part.checked_mul(rate)?)?;
                }
                Some(sum)
            }
        }
    }

    /// The index of the band a fact falls in (the last whose threshold it reaches), if any
    pub fn band_of(&self, x: Decimal) -> Option<usize> {
        self.bands.iter().rposition(|b| b.from <= x)
    }

    /// For a progressive lookup: each band `x` goes past the start of, with the part of `x`
    /// inside it and the band's rate
    fn parts(&self, x: Decimal) -> Option<Vec<(usize, Decimal, Decimal)>> {
        let mut out = Vec::new();
        for (i, b) in self.bands.iter().enumerate() {
            if x <= b.from {
                break;
            }
            let top = match self.bands.get(i + 1) {
                Some(next) => x.min(next.from),
                None => x,
            };
            out.push((i, top.checked_sub(b.from)?, b.value));
        }
        Some(out)
    }

    /// The lookup in words, for an explanation: `0.08（第 1 档，5000000 起）` or
    /// `1000000 × 0.10（第 1 档） + 500000 × 0.05（第 2 档） = 125000`
    pub fn explain(&self, x: Decimal) -> Option<String> {
        let value = self.lookup(x)?;
        let first = self.bands.first().map(|b| b.from).unwrap_or_default();
        Some(match self.method {
            BandMethod::Step => match self.band_of(x) {
                Some(i) => format!(
                    "{value}（第 {} 档，{} 起）",
                    i + 1,
                    self.bands[i].from.normalize()
                ),
                None => format!("{value}（低于第 1 档起点 {}）", first.normalize()),
            },
            BandMethod::Progressive => {
                let parts: Vec<String> = self
                    .parts(x)?
                    .iter()
                    .map(|(i, part, rate)| {
                        format!("{} × {rate}（第 {} 档）", part.normalize(), i + 1)
                    })
                    .collect();
                if parts.is_empty() {
                    format!("{value}（未超过第 1 档起点 {}）", first.normalize())
                } else {
                    format!("{} = {}", parts.join(" + "), value.normalize())
                }
            }
        })
    }

    /// The table for people, one band after another: `分档：500 万元及以上 8%，1000 万元及以上
    /// 10%` or `累进：0 元至 100 万元的部分 10%，100 万元以上的部分 5%`
    pub fn show(&self) -> String {
        let (of, gives) = (self.of, self.gives);
        let rows: Vec<String> = self
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| match (self.method, self.bands.get(i + 1)) {
                (BandMethod::Step, _) => {
                    format!("{}及以上 {}", of.show(b.from), gives.show(b.value))
                }
                (BandMethod::Progressive, Some(next)) => format!(
                    "{}至 {}的部分 {}",
                    of.show(b.from),
                    of.show(next.from),
                    gives.show(b.value)
                ),
                (BandMethod::Progressive, None) => {
                    format!("{}以上的部分 {}", of.show(b.from), gives.show(b.value))
                }
            })
            .collect();
        let method = match self.method {
            BandMethod::Step => "分档",
            BandMethod::Progressive => "累进",
        };
        format!("{method}：{}", rows.join("，"))
    }

    /// What sort of table it is: `step, yuan → ratio`
    pub fn kind_text(&self) -> String {
        format!(
            "{}, {} → {}",
            self.method.name(),
            self.of.name(),
            self.gives.name()
        )
    }

    /// One band as written: `from 5000000: 0.08`
    pub fn band_text(&self, i: usize) -> String {
        self.bands
            .get(i)
            .map(|b| format!("from {}: {}", b.from, b.value))
            .unwrap_or_default()
    }
}

/// As written, compactly: `step [from 5000000: 0.08, from 10000000: 0.10]`
impl fmt::Display for Bands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<String> = (0..self.bands.len()).map(|i| self.band_text(i)).collect();
        write!(f, "{} [{}]", self.method.name(), rows.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        money::literal(s).unwrap()
    }

    fn table(method: BandMethod, bands: &[(&str, &str)]) -> Bands {
        Bands {
            of: BandUnit::Yuan,
            gives: BandUnit::Ratio,
            method,
            bands: bands
                .iter()
                .map(|(f, v)| Band {
                    from: d(f),
                    value: d(v),
                })
                .collect(),
        }
    }

    #[test]
    fn a_step_table_gives_the_band_the_fact_reaches() {
        let t = table(
            BandMethod::Step,
            &[("5000000", "0.08"), ("10000000", "0.10")],
        );
        let at = |x: &str| t.lookup(d(x)).unwrap().to_string();
        assert_eq!(at("4999999.99"), "0");
        assert_eq!(at("5000000"), "0.08", "a threshold is in its band");
        assert_eq!(at("9999999.99"), "0.08");
        assert_eq!(at("10000000.00"), "0.10");
        assert_eq!(at("-1"), "0");
        assert_eq!(
            t.explain(d("6000000")).unwrap(),
            "0.08（第 1 档，5000000 起）"
        );
        assert_eq!(t.explain(d("1")).unwrap(), "0（低于第 1 档起点 5000000）");
        assert_eq!(t.show(), "分档：500 万元及以上 8%，1000 万元及以上 10%");
        assert_eq!(
            t.to_string(),
            "step [from 5000000: 0.08, from 10000000: 0.10]"
        );
    }

    #[test]
    fn a_progressive_table_adds_each_part_at_its_rate() {
        let t = table(
            BandMethod::Progressive,
            &[("0", "0.10"), ("1000000", "0.05")],
        );
        let at = |x: &str| t.lookup(d(x)).unwrap().normalize().to_string();
        assert_eq!(at("0"), "0");
        assert_eq!(at("999999.99"), "99999.999");
        assert_eq!(at("1000000"), "100000");
        assert_eq!(at("1000000.01"), "100000.0005");
        assert_eq!(at("1500000"), "125000");
        assert_eq!(
            t.explain(d("1500000")).unwrap(),
            "1000000 × 0.10（第 1 档） + 500000 × 0.05（第 2 档） = 125000"
        );
        assert_eq!(
            t.show(),
            "累进：0 元至 100 万元的部分 10%，100 万元以上的部分 5%"
        );
        // Nothing for the part below a first threshold above zero.
        let above = table(BandMethod::Progressive, &[("1000000", "0.05")]);
        assert_eq!(
            above.lookup(d("1200000")).unwrap().normalize().to_string(),
            "10000"
        );
        assert_eq!(above.lookup(d("900000")).unwrap().to_string(), "0");
    }

    #[test]
    fn past_the_decimal_range_is_none_not_a_wrong_number() {
        let t = table(
            BandMethod::Progressive,
            &[("0", "79228162514264337593543950335")],
        );
        assert_eq!(t.lookup(d("2")), None);
    }
}
