//! Mandatory occurrence reports to the Building Safety Regulator: the test, when a report is
//! due, how long it is kept, and what staff record of one.

use super::{ValidationErrors, required_text};

/// Mandatory occurrence reports are due to the Regulator within 10 working days.
pub const OCCURRENCE_REPORT_WORKING_DAYS: u32 = 10;

/// Occurrence reports are kept at least 15 years.
pub const OCCURRENCE_RETENTION_YEARS: i32 = 15;

/// When the report of an occurrence someone became aware of on `aware` is due: 10 working days
/// later in England and Wales (weekends and bank holidays not counted).
#[must_use]
pub fn occurrence_due(aware: time::Date) -> time::Date {
    crate::working_days::add_working_days(aware, OCCURRENCE_REPORT_WORKING_DAYS)
}

/// The first day an occurrence report sent on `sent` may be let go: 15 years on (a report
/// sent on 29 February is kept to 1 March, never a day short).
#[must_use]
pub fn occurrence_kept_until(sent: time::Date) -> time::Date {
    let year = sent.year() + OCCURRENCE_RETENTION_YEARS;
    time::Date::from_calendar_date(year, sent.month(), sent.day())
        .or_else(|_| time::Date::from_calendar_date(year, time::Month::March, 1))
        .unwrap_or(time::Date::MAX)
}

/// The higher-risk building regime began on 1 October 2023: no occurrence to report before it.
pub const REGIME_STARTED: time::Date = time::macros::date!(2023 - 10 - 01);

/// What staff record of a possible mandatory occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOccurrenceReport {
    pub what_happened: String,
    /// The day someone became aware of it: the report is due 10 working days on.
    pub aware_on: time::Date,
    pub signs: Occurrence,
}

impl NewOccurrenceReport {
    /// Checks what was entered on `today`: something said, and a day between the regime's start
    /// and today.
    pub fn validate(
        what_happened: &str,
        aware_on: &str,
        signs: Occurrence,
        today: time::Date,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let what_happened = required_text(
            &mut errors,
            "what_happened",
            "what happened",
            what_happened,
            4000,
        );
        let aware_on = super::date_field(
            &mut errors,
            "aware_on",
            "day someone became aware of it",
            aware_on,
        );
        match aware_on {
            Some(d) if d > today => errors.add("aware_on", "That day has not come yet"),
            Some(d) if d < REGIME_STARTED => errors.add(
                "aware_on",
                "Occurrences are reported from 1 October 2023, when the regime began",
            ),
            _ => {}
        }
        errors.into_result(())?;
        Ok(NewOccurrenceReport {
            what_happened,
            aware_on: aware_on.unwrap_or(today),
            signs,
        })
    }
}

/// Whether an occurrence report is past its due day and not yet sent or settled.
#[must_use]
pub fn occurrence_overdue(
    status: crate::states::OccurrenceStatus,
    due_on: time::Date,
    today: time::Date,
) -> bool {
    use crate::states::OccurrenceStatus as S;
    matches!(status, S::Draft | S::Notified) && due_on < today
}

/// Whether the Regulator has been told of an occurrence: the ones they see in the thread.
#[must_use]
pub fn occurrence_notified(status: crate::states::OccurrenceStatus) -> bool {
    use crate::states::OccurrenceStatus as S;
    matches!(status, S::Notified | S::Reported)
}

/// What a resident's safety concern, or a finding on site, says happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Occurrence {
    /// Fire or smoke spread, or something that would let them spread (a compartment or fire
    /// door failing, a fire-stopping gap).
    pub fire_or_smoke_spread: bool,
    /// A structural part failing, or at risk of failing.
    pub structural_failure: bool,
    /// It could cause the death of, or serious injury to, a number of people.
    pub significant_harm: bool,
}

impl Occurrence {
    /// The mandatory-occurrence test: a structural failure, or fire or smoke spreading, that
    /// could cause significant harm. One that meets it prompts staff with a prefilled notice.
    #[must_use]
    pub fn is_mandatory(self) -> bool {
        (self.fire_or_smoke_spread || self.structural_failure) && self.significant_harm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn d(y: i32, m: Month, day: u8) -> time::Date {
        time::Date::from_calendar_date(y, m, day).unwrap_or(time::Date::MIN)
    }

    #[test]
    fn a_report_is_due_in_ten_working_days_and_kept_fifteen_years() {
        // Aware the day before Good Friday: Easter's two bank holidays are not counted.
        assert_eq!(
            occurrence_due(d(2026, Month::April, 2)),
            d(2026, Month::April, 20)
        );
        assert_eq!(
            occurrence_kept_until(d(2026, Month::May, 6)),
            d(2041, Month::May, 6)
        );
        assert_eq!(
            occurrence_kept_until(d(2028, Month::February, 29)),
            d(2043, Month::March, 1)
        );
    }

    #[test]
    fn only_spread_or_failure_that_could_do_significant_harm_is_mandatory() {
        let harm = |fire, structure, harm| Occurrence {
            fire_or_smoke_spread: fire,
            structural_failure: structure,
            significant_harm: harm,
        };
        assert!(harm(true, false, true).is_mandatory());
        assert!(harm(false, true, true).is_mandatory());
        assert!(!harm(true, true, false).is_mandatory());
        assert!(!harm(false, false, true).is_mandatory());
    }

    #[test]
    fn an_occurrence_is_recorded_from_the_regimes_start_to_today_and_overdue_only_while_open() {
        use crate::states::OccurrenceStatus as S;
        let today = d(2026, Month::December, 7);
        let signs = Occurrence::default();
        assert!(NewOccurrenceReport::validate("A vent failed", "2026-12-07", signs, today).is_ok());
        for (aware, field) in [
            ("2026-12-08", "aware_on"),
            ("2023-09-30", "aware_on"),
            ("", "aware_on"),
        ] {
            let e =
                NewOccurrenceReport::validate("A vent failed", aware, signs, today).unwrap_err();
            assert!(e.for_field(field).is_some(), "{aware}: {e:?}");
        }
        assert!(
            NewOccurrenceReport::validate(" ", "2026-12-01", signs, today)
                .unwrap_err()
                .for_field("what_happened")
                .is_some()
        );
        let due = d(2026, Month::December, 1);
        assert!(occurrence_overdue(S::Draft, due, today));
        assert!(occurrence_overdue(S::Notified, due, today));
        assert!(!occurrence_overdue(S::Reported, due, today));
        assert!(!occurrence_overdue(S::Dismissed, due, today));
        assert!(
            !occurrence_overdue(S::Draft, today, today),
            "due today is not late"
        );
        assert!(occurrence_notified(S::Reported) && !occurrence_notified(S::Draft));
    }

    #[test]
    fn an_occurrence_report_goes_notice_then_report_or_is_dismissed() {
        use crate::states::OccurrenceStatus as S;
        assert!(S::Draft.next_states().contains(&S::Notified));
        assert!(S::Notified.next_states().contains(&S::Reported));
        assert!(
            !S::Draft.next_states().contains(&S::Reported),
            "the notice comes first"
        );
        assert!(S::Reported.is_terminal() && S::Dismissed.is_terminal());
    }
}
