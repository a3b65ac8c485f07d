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
pub const OCCURRENCE_REPORT_WORKING_DAYS: i64 = 10;

/// Occurrence reports are kept at least 15 years.
pub const OCCURRENCE_RETENTION_YEARS: i32 = 15;

#[cfg(test)]
mod tests {
    use super::*;

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
