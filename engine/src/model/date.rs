//! Calendar dates: written ISO `yyyy-mm-dd`, counted as whole days, years 0001 to 9999.
//!
//! A date is a number of days from 1970-01-01 in the proleptic Gregorian calendar, so it
//! orders, compares and subtracts as an integer. Only a checked parser makes one: `2023-02-30`,
//! `2024-13-01` and `2024-3-5` are not dates.

use std::fmt;

/// A day of the calendar, 0001-01-01 to 9999-12-31
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days from 1970-01-01 (negative before it)
    days: i32,
}

const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to a valid year, month and day (H. Hinnant's `days_from_civil`)
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    // Years start in March, so a leap day is the last of its year; y >= 0 for years >= 1.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // 0..=399
    let mp = (i32::try_from(month).unwrap_or(1) + 9) % 12; // March is 0
    let doy = (153 * mp + 2) / 5 + i32::try_from(day).unwrap_or(1) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year, month and day of a day count (H. Hinnant's `civil_from_days`)
fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i32::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

impl Date {
    /// The date of a year, month and day, if there is one (years 1 to 9999)
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Reads ISO `yyyy-mm-dd` exactly: ten characters, four-digit year, two-digit month and
    /// day, a real day of the calendar. Anything else (`2024-3-5`, `2023-02-30`, a time of
    /// day, spaces) is `None`.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &b[range];
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        Date::from_ymd(year, number(5..7)?, number(8..10)?)
    }

    /// Days since 1970-01-01 (negative before): dates compare as their day numbers do
    pub(crate) fn day_number(self) -> i32 {
        self.days
    }

    /// The year, month (1 to 12) and day (1 to 31)
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }

    /// `other` minus `self`, in days (negative when `other` is earlier)
    pub fn days_until(self, other: Date) -> i64 {
        i64::from(other.days) - i64::from(self.days)
    }

    /// The date `n` days later (earlier when `n` is negative); `None` past year 9999 or
    /// before year 1
    pub fn add_days(self, n: i64) -> Option<Date> {
        // The range is checked on the count, before any calendar arithmetic can overflow.
        let first = i64::from(days_from_civil(MIN_YEAR, 1, 1));
        let last = i64::from(days_from_civil(MAX_YEAR, 12, 31));
        let days = i64::from(self.days).checked_add(n)?;
        if !(first..=last).contains(&days) {
            return None;
        }
        Some(Date {
            days: i32::try_from(days).ok()?,
        })
    }

    /// The same month and day `n` years later (earlier when `n` is negative). 29 February
    /// becomes 28 February in a year that has no 29 February (the month's last day, as the
    /// Civil Code, art. 201, counts a period in years). `None` outside years 1 to 9999.
    pub fn add_years(self, n: i64) -> Option<Date> {
        let (year, month, day) = self.ymd();
        let year = i32::try_from(i64::from(year).checked_add(n)?).ok()?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        Date::from_ymd(year, month, day.min(days_in_month(year, month)))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| panic!("{text} is a date"))
    }

    #[test]
    fn iso_dates_read_and_print_the_same() {
        for text in [
            "1970-01-01",
            "2024-02-29",
            "2000-02-29",
            "2023-12-31",
            "0001-01-01",
            "9999-12-31",
            "1969-12-31",
            "2026-03-01",
        ] {
            assert_eq!(d(text).to_string(), text);
        }
        assert_eq!(d("1970-01-01").days, 0);
        assert_eq!(d("1970-01-02").days, 1);
        assert_eq!(d("1969-12-31").days, -1);
        assert_eq!(d("2000-03-01").days, 11_017);
    }

    #[test]
    fn impossible_or_loose_texts_are_not_dates() {
        for text in [
            "2023-02-30",
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-04-31",
            "2024-3-5",
            "2024-03-5",
            "24-03-05",
            "0000-01-01",
            "2024/03/05",
            "2024-03-05T00:00:00",
            " 2024-03-05",
            "2024-03-05 ",
            "+024-03-05",
            "2024-0３-05",
            "20240305",
            "",
            "２０２４-03-05",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips_in_order() {
        let mut last: Option<Date> = None;
        for year in 1999..=2401 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    let date = Date::from_ymd(year, month, day).unwrap();
                    assert_eq!(date.ymd(), (year, month, day));
                    if let Some(prev) = last {
                        assert_eq!(prev.days_until(date), 1, "{date}");
                        assert_eq!(prev.add_days(1), Some(date));
                    }
                    last = Some(date);
                }
            }
        }
    }

    #[test]
    fn arithmetic_in_days_and_years() {
        assert_eq!(d("2024-01-01").days_until(d("2024-12-31")), 365);
        assert_eq!(d("2023-01-01").days_until(d("2023-12-31")), 364);
        assert_eq!(d("2024-12-31").days_until(d("2024-01-01")), -365);
        assert_eq!(d("2024-02-28").add_days(1), Some(d("2024-02-29")));
        assert_eq!(d("2024-03-01").add_days(-1), Some(d("2024-02-29")));
        assert_eq!(d("2021-03-25").add_years(3), Some(d("2024-03-25")));
        // 29 February lands on 28 February in a common year, and stays in a leap year.
        assert_eq!(d("2024-02-29").add_years(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-02-29").add_years(4), Some(d("2028-02-29")));
        assert_eq!(d("2024-02-29").add_years(-1), Some(d("2023-02-28")));
        assert_eq!(d("9999-12-31").add_days(1), None);
        assert_eq!(d("0001-01-01").add_days(-1), None);
        assert_eq!(d("2024-01-01").add_days(i64::MAX), None);
        assert_eq!(d("2024-01-01").add_days(i64::MIN), None);
        assert_eq!(d("2024-01-01").add_days(2_000_000_000), None);
        assert_eq!(d("2024-01-01").add_days(-2_000_000_000), None);
        assert_eq!(d("2024-01-01").add_days(i64::from(i32::MAX)), None);
        assert_eq!(d("0001-01-01").add_days(3_652_058), Some(d("9999-12-31")));
        assert_eq!(d("9999-12-31").add_days(-3_652_058), Some(d("0001-01-01")));
        assert_eq!(d("2024-01-01").add_years(i64::MIN), None);
        assert_eq!(d("2024-01-01").add_years(8000), None);
        assert_eq!(
            d("0001-01-01").days_until(d("9999-12-31")),
            3_652_058,
            "the whole range fits an i32 of days"
        );
        assert!(d("2024-01-01") < d("2024-01-02"));
        assert!(d("2023-12-31") < d("2024-01-01"));
    }
}
