//! What was paid before: a ledger of earlier awards (applicant, clause, period, amount) that
//! settlement rules read, so a cap over years or an award that builds on an earlier one is
//! decided from the record rather than from what an application says of itself.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::model::decision::add;

/// One earlier payment
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    /// Who was paid, as the rules know the applicant: the value of the first of the pack's
    /// `applicant` fields it has (its credit code, else its name)
    pub applicant: String,
    /// The clause that paid
    pub clause: String,
    /// The period (year) it was paid for
    pub period: Option<i64>,
    /// Yuan paid
    pub amount: Decimal,
}

/// The ledger, indexed by applicant
#[derive(Debug, Clone, Default)]
pub struct History {
    by_applicant: FxHashMap<String, Vec<(String, Option<i64>, Decimal)>>,
    rows: usize,
}

impl History {
    /// A ledger of these payments
    pub fn new(paid: Vec<Paid>) -> History {
        let mut h = History {
            rows: paid.len(),
            ..History::default()
        };
        for p in paid {
            h.by_applicant
                .entry(p.applicant)
                .or_default()
                .push((p.clause, p.period, p.amount));
        }
        h
    }

    /// How many payments it records
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether it records none
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// How many payments of more than nothing to `applicant` under any of `clauses` the ledger
    /// records in a period before `period` (or with no period; every row when `period` is
    /// `None`)
    pub(crate) fn paid_before(
        &self,
        applicant: &str,
        clauses: &[String],
        period: Option<i64>,
    ) -> usize {
        let Some(rows) = self.by_applicant.get(applicant) else {
            return 0;
        };
        rows.iter()
            .filter(|(c, p, a)| {
                !a.is_zero()
                    && clauses.iter().any(|x| x == c)
                    && match (p, period) {
                        (Some(p), Some(now)) => *p < now,
                        _ => true,
                    }
            })
            .count()
    }

    /// Yuan paid to `applicant` under `clause` in periods before `period` (every row when
    /// `None`), and how many payments of more than nothing
    pub(crate) fn before(
        &self,
        applicant: &str,
        clause: &str,
        period: Option<i64>,
    ) -> (Decimal, usize) {
        let Some(rows) = self.by_applicant.get(applicant) else {
            return (Decimal::ZERO, 0);
        };
        rows.iter()
            .filter(|(c, p, _)| {
                c == clause
                    && match (p, period) {
                        (Some(p), Some(now)) => *p < now,
                        _ => true,
                    }
            })
            .fold((Decimal::ZERO, 0), |(sum, n), (_, _, a)| {
                (add(sum, *a), n + usize::from(!a.is_zero()))
            })
    }

    /// Yuan paid to `applicant` under any of `clauses` (every clause when `None`), in `period`
    /// (every period when `None`), and how many payments (of more than nothing: a row of 0 is
    /// no award to build on)
    pub(crate) fn paid(
        &self,
        applicant: &str,
        clauses: Option<&[String]>,
        period: Option<Option<i64>>,
    ) -> (Decimal, usize) {
        let Some(rows) = self.by_applicant.get(applicant) else {
            return (Decimal::ZERO, 0);
        };
        rows.iter()
            .filter(|(c, p, _)| {
                clauses.is_none_or(|list| list.iter().any(|x| x == c))
                    && period.is_none_or(|want| *p == want)
            })
            .fold((Decimal::ZERO, 0), |(sum, n), (_, _, a)| {
                (add(sum, *a), n + usize::from(!a.is_zero()))
            })
    }
}

/// An applicant's name or code as the rules compare it: without the spaces (full-width ones
/// too) and invisible marks a copy and paste leaves around it, so `乙公司 ` and `乙公司` are one
/// applicant, in applications and in the history alike
pub(crate) fn same_applicant(value: &str) -> String {
    value.trim_matches(not_applicant).to_string()
}

/// Where in `value` the part [`same_applicant`] keeps lies (empty if none is kept): for a
/// caller that trims a text in place
pub(crate) fn applicant_span(value: &str) -> std::ops::Range<usize> {
    let start = value.len() - value.trim_start_matches(not_applicant).len();
    let end = value.trim_end_matches(not_applicant).len();
    start..end.max(start)
}

/// What a copy and paste leaves around a name: spaces and invisible marks
fn not_applicant(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The span trims in place exactly what `same_applicant` trims
    #[test]
    fn the_span_is_what_same_applicant_keeps() {
        for v in [
            "乙公司",
            " 乙公司\u{3000}",
            "\u{feff}\u{200b} 甲 乙 \t",
            "   ",
            "",
            "\u{200d}",
            "a",
        ] {
            let span = applicant_span(v);
            assert_eq!(&v[span], same_applicant(v), "{v:?}");
        }
    }
}
