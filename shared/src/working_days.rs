//! Working days in England and Wales: Monday to Friday, not a bank holiday. A mandatory
//! occurrence report is due to the Building Safety Regulator within 10 of them.
//!
//! Bank holidays follow their rules (the Banking and Financial Dealings Act 1971 and the
//! proclamations since): New Year's Day, Good Friday, Easter Monday, the first and last
//! Mondays of May, the last Monday of August, Christmas Day and Boxing Day, with a holiday
//! that falls at a weekend moved to the next weekday — and the one-off changes made by
//! proclamation, listed here as they are announced.

use time::{Date, Duration, Month, Weekday};

/// Holidays moved or added by proclamation in one year.
struct Proclamation {
    year: i32,
    added: &'static [(Month, u8)],
    /// Days the rules give that were not holidays that year.
    dropped: &'static [(Month, u8)],
}

const PROCLAIMED: &[Proclamation] = &[
    // VE Day's 75th anniversary: the early May holiday moved to Friday 8 May.
    Proclamation {
        year: 2020,
        added: &[(Month::May, 8)],
        dropped: &[(Month::May, 4)],
    },
    // The Platinum Jubilee: the spring holiday moved to Thursday 2 June, and Friday 3 June added.
    Proclamation {
        year: 2022,
        added: &[(Month::June, 2), (Month::June, 3)],
        dropped: &[(Month::May, 30)],
    },
    // The state funeral of Queen Elizabeth II.
    Proclamation {
        year: 2022,
        added: &[(Month::September, 19)],
        dropped: &[],
    },
    // The coronation of King Charles III.
    Proclamation {
        year: 2023,
        added: &[(Month::May, 8)],
        dropped: &[],
    },
];

fn date(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
#[must_use]
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 {
        Month::March
    } else {
        Month::April
    };
    date(year, month, u8::try_from(day).unwrap_or(1))
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The first `weekday` of a month, or its last.
fn nth_weekday(year: i32, month: Month, weekday: Weekday, last: bool) -> Date {
    let mut day = if last {
        let next = match month {
            Month::December => date(year + 1, Month::January, 1),
            m => date(year, m.next(), 1),
        };
        next.previous_day().unwrap_or(Date::MIN)
    } else {
        date(year, month, 1)
    };
    while day.weekday() != weekday {
        day = if last {
            day.previous_day().unwrap_or(Date::MIN)
        } else {
            day.next_day().unwrap_or(Date::MAX)
        };
    }
    day
}

/// The bank holidays of `year` in England and Wales, in order.
#[must_use]
pub fn bank_holidays(year: i32) -> Vec<Date> {
    let mut days = Vec::new();
    // New Year's Day, or the Monday after a weekend.
    let mut new_year = date(year, Month::January, 1);
    while is_weekend(new_year) {
        new_year = new_year.next_day().unwrap_or(Date::MAX);
    }
    days.push(new_year);
    let easter = easter_sunday(year);
    days.push(easter - Duration::days(2));
    days.push(easter + Duration::days(1));
    days.push(nth_weekday(year, Month::May, Weekday::Monday, false));
    days.push(nth_weekday(year, Month::May, Weekday::Monday, true));
    days.push(nth_weekday(year, Month::August, Weekday::Monday, true));
    // Christmas and Boxing Day; either at a weekend moves to the next free weekday.
    let mut taken: Vec<Date> = Vec::new();
    for day in [
        date(year, Month::December, 25),
        date(year, Month::December, 26),
    ] {
        let mut holiday = day;
        while is_weekend(holiday) || taken.contains(&holiday) {
            holiday = holiday.next_day().unwrap_or(Date::MAX);
        }
        taken.push(holiday);
    }
    days.extend(taken);
    for p in PROCLAIMED.iter().filter(|p| p.year == year) {
        days.retain(|d| !p.dropped.iter().any(|(m, n)| *d == date(year, *m, *n)));
        days.extend(p.added.iter().map(|(m, n)| date(year, *m, *n)));
    }
    days.sort();
    days.dedup();
    days
}

/// Whether `day` is a working day in England and Wales.
#[must_use]
pub fn is_working_day(day: Date) -> bool {
    !is_weekend(day) && !bank_holidays(day.year()).contains(&day)
}

/// The working day `n` working days after `from` (not counting `from` itself).
#[must_use]
pub fn add_working_days(from: Date, n: u32) -> Date {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.next_day().unwrap_or(Date::MAX);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: Month, day: u8) -> Date {
        date(year, month, day)
    }

    #[test]
    fn easter_falls_where_the_almanac_says() {
        assert_eq!(easter_sunday(2024), d(2024, Month::March, 31));
        assert_eq!(easter_sunday(2025), d(2025, Month::April, 20));
        assert_eq!(easter_sunday(2026), d(2026, Month::April, 5));
        assert_eq!(easter_sunday(2027), d(2027, Month::March, 28));
        assert_eq!(easter_sunday(2038), d(2038, Month::April, 25));
    }

    #[test]
    fn the_bank_holidays_are_the_published_ones() {
        // As published for England and Wales.
        assert_eq!(
            bank_holidays(2026),
            vec![
                d(2026, Month::January, 1),
                d(2026, Month::April, 3),
                d(2026, Month::April, 6),
                d(2026, Month::May, 4),
                d(2026, Month::May, 25),
                d(2026, Month::August, 31),
                d(2026, Month::December, 25),
                d(2026, Month::December, 28),
            ]
        );
        // Christmas on a Saturday: the 27th and 28th.
        let y2027 = bank_holidays(2027);
        assert!(y2027.contains(&d(2027, Month::December, 27)));
        assert!(y2027.contains(&d(2027, Month::December, 28)));
        // New Year's Day on a Saturday: Monday 3 January.
        assert!(bank_holidays(2022).contains(&d(2022, Month::January, 3)));
        // Proclaimed: the Jubilee, the state funeral, the coronation, VE Day moved.
        let y2022 = bank_holidays(2022);
        assert!(
            y2022.contains(&d(2022, Month::June, 2)) && y2022.contains(&d(2022, Month::June, 3))
        );
        assert!(!y2022.contains(&d(2022, Month::May, 30)));
        assert!(y2022.contains(&d(2022, Month::September, 19)));
        assert!(bank_holidays(2023).contains(&d(2023, Month::May, 8)));
        assert!(bank_holidays(2020).contains(&d(2020, Month::May, 8)));
        assert!(!bank_holidays(2020).contains(&d(2020, Month::May, 4)));
    }

    #[test]
    fn ten_working_days_skip_weekends_and_bank_holidays() {
        // Aware on Wednesday 1 April 2026: Good Friday and Easter Monday are not counted.
        assert_eq!(
            add_working_days(d(2026, Month::April, 1), 10),
            d(2026, Month::April, 17)
        );
        // Aware on a Friday: the weekend is not counted.
        assert_eq!(
            add_working_days(d(2026, Month::June, 5), 10),
            d(2026, Month::June, 19)
        );
        // Across Christmas and New Year.
        assert_eq!(
            add_working_days(d(2026, Month::December, 21), 10),
            d(2027, Month::January, 7)
        );
        assert!(!is_working_day(d(2026, Month::December, 28)));
        assert!(is_working_day(d(2026, Month::December, 29)));
    }
}
