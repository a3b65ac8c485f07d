//! Who reads a higher-risk building's golden thread from outside the organisation: the
//! Regulator's inspectors given access until a day, and residents given the fire-safety
//! information at move-in and yearly.

use super::{ValidationErrors, required_text};

/// The longest the organisation gives an inspector access for at once: a year, renewed if the
/// inspection goes on.
pub const LONGEST_GRANT_DAYS: i64 = 366;

/// What the organisation enters to give an inspector of the Building Safety Regulator access to
/// a building's golden thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRegulatorAccess {
    pub name: String,
    pub email: String,
    /// The last day of access: it ends at midnight that day, London time.
    pub until: time::Date,
}

impl NewRegulatorAccess {
    /// Checks what was entered on `today`: a name, an address, and a last day from today to a
    /// year on.
    pub fn validate(
        name: &str,
        email: &str,
        until: &str,
        today: time::Date,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = required_text(&mut errors, "name", "the inspector's name", name, 120);
        let email = super::validate_email(email)
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let until = super::date_field(&mut errors, "until", "last day of access", until);
        match until {
            Some(d) if d < today => {
                errors.add("until", "The last day of access cannot be in the past")
            }
            Some(d) if d > today + time::Duration::days(LONGEST_GRANT_DAYS) => errors.add(
                "until",
                "Access can be given for a year at most; renew it when it ends",
            ),
            _ => {}
        }
        errors.into_result(())?;
        Ok(NewRegulatorAccess {
            name,
            email: email.unwrap_or_default(),
            until: until.unwrap_or(today),
        })
    }
}

/// Residents are given the fire-safety information again this long after the last time.
pub const FIRE_SAFETY_REISSUE_DAYS: i64 = 365;

/// When a resident given the fire-safety information on `issued` is due it again.
#[must_use]
pub fn fire_safety_reissue_on(issued: time::Date) -> time::Date {
    issued + time::Duration::days(FIRE_SAFETY_REISSUE_DAYS)
}

/// Whether a resident is due the fire-safety information on `today`: never given it, given it
/// a year ago or more, or — when `changes_count` — given an older version than `current`.
#[must_use]
pub fn fire_safety_due(
    last: Option<(time::Date, i64)>,
    current: i64,
    today: time::Date,
    changes_count: bool,
) -> bool {
    match last {
        None => true,
        Some((issued, version)) => {
            today >= fire_safety_reissue_on(issued) || (changes_count && version < current)
        }
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
    fn a_grant_needs_a_name_an_address_and_a_last_day_within_a_year() {
        let today = d(2026, Month::December, 7);
        let access = |name, email, until| NewRegulatorAccess::validate(name, email, until, today);
        assert!(access("Ann Inspector", "ann@bsr.example", "2027-03-31").is_ok());
        assert!(access("Ann Inspector", "ann@bsr.example", "2026-12-07").is_ok());
        let e = access(" ", "not an address", "2026-12-06").unwrap_err();
        for field in ["name", "email", "until"] {
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
        let e = access("Ann", "ann@bsr.example", "2028-01-01").unwrap_err();
        assert!(e.for_field("until").unwrap_or_default().contains("a year"));
        assert!(
            access("Ann", "ann@bsr.example", "31/03/2027")
                .unwrap_err()
                .for_field("until")
                .is_some()
        );
    }

    #[test]
    fn fire_safety_information_is_due_at_move_in_yearly_and_when_it_changes_if_that_counts() {
        let today = d(2026, Month::December, 7);
        assert!(fire_safety_due(None, 1, today, false));
        assert!(!fire_safety_due(
            Some((d(2026, Month::January, 1), 1)),
            1,
            today,
            true
        ));
        assert!(fire_safety_due(
            Some((d(2025, Month::December, 7), 1)),
            1,
            today,
            false
        ));
        assert!(!fire_safety_due(
            Some((d(2025, Month::December, 8), 1)),
            1,
            today,
            false
        ));
        assert!(fire_safety_due(
            Some((d(2026, Month::November, 1), 1)),
            2,
            today,
            true
        ));
        assert!(!fire_safety_due(
            Some((d(2026, Month::November, 1), 1)),
            2,
            today,
            false
        ));
    }
}
