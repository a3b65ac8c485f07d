//! The golden thread of a higher-risk building: structured, versioned safety information.

use super::{ValidationErrors, coded_enum, required_text};

coded_enum! {
    /// The Key Building Information categories and the other parts of the golden thread.
    GoldenThreadCategory {
        BuildingUse => "building_use", "Use of the building";
        ExternalWalls => "external_walls", "External walls and insulation";
        Roof => "roof", "Roof";
        Structure => "structure", "Structure";
        StoreysAndStaircases => "storeys_and_staircases", "Storeys and staircases";
        EnergySupply => "energy_supply", "Energy supply and storage";
        EvacuationStrategy => "evacuation_strategy", "Evacuation strategy";
        FireAndSmokeControl => "fire_and_smoke_control", "Fire and smoke control equipment";
        AccountablePersons => "accountable_persons", "Principal Accountable Person and accountable persons";
        SafetyCaseReport => "safety_case_report", "Safety case report";
        ResidentSummary => "resident_summary", "Safety case summary for residents";
        FireRiskAssessment => "fire_risk_assessment", "Fire risk assessment";
        ResidentEngagement => "resident_engagement", "Resident engagement strategy";
        FireSafetyInformation => "fire_safety_information", "Fire safety information for residents";
        MandatoryOccurrence => "mandatory_occurrence", "Mandatory occurrence report";
    }
}

impl GoldenThreadCategory {
    /// Whether residents see this part on BuildingThread (the Regulator sees everything).
    #[must_use]
    pub fn shown_to_residents(self) -> bool {
        matches!(
            self,
            GoldenThreadCategory::EvacuationStrategy
                | GoldenThreadCategory::ResidentSummary
                | GoldenThreadCategory::ResidentEngagement
                | GoldenThreadCategory::FireSafetyInformation
                | GoldenThreadCategory::AccountablePersons
        )
    }
}

/// A new version of one part of the golden thread. Every change is a new version; older
/// versions stay readable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewThreadVersion {
    pub category: GoldenThreadCategory,
    pub title: String,
    pub body: String,
    /// Why it changed, shown in the version history.
    pub change_note: String,
}

impl NewThreadVersion {
    pub fn validate(
        category: &str,
        title: &str,
        body: &str,
        change_note: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let category = GoldenThreadCategory::from_code(category);
        if category.is_none() {
            errors.add("category", "Choose which part of the golden thread this is");
        }
        let title = required_text(&mut errors, "title", "a title", title, 200);
        let body = required_text(&mut errors, "body", "the information", body, 100_000);
        let change_note = required_text(
            &mut errors,
            "change_note",
            "what changed and why",
            change_note,
            500,
        );
        match category {
            Some(category) => errors.into_result(NewThreadVersion {
                category,
                title,
                body,
                change_note,
            }),
            None => Err(errors),
        }
    }
}

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

    #[test]
    fn every_version_says_what_changed() {
        let e =
            NewThreadVersion::validate("roof", "Roof", "Membrane replaced 2024", "").unwrap_err();
        assert!(e.for_field("change_note").is_some());
        assert!(NewThreadVersion::validate("nonsense", "x", "y", "z").is_err());
        assert!(GoldenThreadCategory::ResidentSummary.shown_to_residents());
        assert!(!GoldenThreadCategory::Structure.shown_to_residents());
    }
}
