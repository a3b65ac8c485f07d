//! Times shown to people are in Europe/London: GMT in winter, BST (UTC+1) from 01:00 UTC on
//! the last Sunday of March to 01:00 UTC on the last Sunday of October.
//!
//! The rule is fixed in law (the Summer Time Order 2002), so it lives here rather than in a
//! time-zone database the phone would have to carry.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

/// The Europe/London offset in force at `instant`.
#[must_use]
pub fn offset_at(instant: OffsetDateTime) -> UtcOffset {
    let utc = instant.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let starts = last_sunday(year, Month::March).midnight().assume_utc() + time::Duration::hours(1);
    let ends = last_sunday(year, Month::October).midnight().assume_utc() + time::Duration::hours(1);
    if utc >= starts && utc < ends {
        UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC)
    } else {
        UtcOffset::UTC
    }
}

/// `instant` as a London wall-clock time.
#[must_use]
pub fn local(instant: OffsetDateTime) -> OffsetDateTime {
    instant.to_offset(offset_at(instant))
}

/// The instant London's `day` begins: midnight there (the clocks never change at midnight).
#[must_use]
pub fn midnight(day: Date) -> OffsetDateTime {
    let naive = day.midnight();
    naive.assume_offset(offset_at(naive.assume_utc()))
}

fn last_sunday(year: i32, month: Month) -> Date {
    let next_month_first = match month {
        Month::December => Date::from_calendar_date(year + 1, Month::January, 1),
        m => Date::from_calendar_date(year, m.next(), 1),
    }
    .unwrap_or(Date::MIN);
    let mut day = next_month_first.previous_day().unwrap_or(Date::MIN);
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().unwrap_or(Date::MIN);
    }
    day
}

/// "10 May 2026".
#[must_use]
pub fn format_date(date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// "10 May 2026 at 14:05" in London time.
#[must_use]
pub fn format_date_time(instant: OffsetDateTime) -> String {
    let l = local(instant);
    format!(
        "{} at {:02}:{:02}",
        format_date(l.date()),
        l.hour(),
        l.minute()
    )
}

/// "14:05" in London time.
#[must_use]
pub fn format_time(instant: OffsetDateTime) -> String {
    let l = local(instant);
    format!("{:02}:{:02}", l.hour(), l.minute())
}

fn month_name(m: Month) -> &'static str {
    match m {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn summer_time_boundaries_2026() {
        // BST 2026: 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            offset_at(datetime!(2026-03-29 00:59:59 UTC)).whole_hours(),
            0
        );
        assert_eq!(
            offset_at(datetime!(2026-03-29 01:00:00 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            offset_at(datetime!(2026-10-25 00:59:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            offset_at(datetime!(2026-10-25 01:00:00 UTC)).whole_hours(),
            0
        );
    }

    #[test]
    fn late_evening_utc_in_summer_is_the_next_day_in_london() {
        assert_eq!(
            format_date_time(datetime!(2026-05-09 23:30 UTC)),
            "10 May 2026 at 00:30"
        );
        assert_eq!(
            format_date_time(datetime!(2026-12-09 23:30 UTC)),
            "9 December 2026 at 23:30"
        );
    }
}
