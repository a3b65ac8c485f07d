//! The golden thread of a higher-risk building: structured, versioned safety information.

use super::{ValidationErrors, coded_enum, required_text};

coded_enum! {
    /// The Key Building Information categories and the other parts of the golden thread.
    GoldenThreadCategory {
        Registration => "registration", "Registration with the Regulator";
        BuildingUse => "building_use", "Use and change of use";
        ExternalWalls => "external_walls", "External walls and insulation";
        WallFixtures => "wall_fixtures", "Fixtures on the external walls";
        Roof => "roof", "Roof";
        Structure => "structure", "Structure";
        StoreysAndStaircases => "storeys_and_staircases", "Storeys and staircases";
        EnergySupply => "energy_supply", "Energy supply and storage";
        EvacuationStrategy => "evacuation_strategy", "Evacuation strategy";
        FireAndSmokeControl => "fire_and_smoke_control", "Fire and smoke control equipment";
        AncillaryBuildings => "ancillary_buildings", "Ancillary buildings";
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

/// The folders a higher-risk building's golden-thread documents are filed in, as the
/// Regulator and whoever keeps the thread next expect to find them.
pub const GOLDEN_THREAD_FOLDERS: &[&str] = &[
    "Building control and completion",
    "Fire strategy",
    "Fire risk assessments",
    "External walls",
    "Structure",
    "Safety case",
    "Maintenance and testing",
    "Resident engagement",
    "Occurrence reports",
];

/// How a field of the golden thread is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A line: a reference, a name, a figure.
    Line,
    /// Paragraphs.
    Text,
    /// One of a list of codes, with what people read.
    Choice(&'static [(&'static str, &'static str)]),
}

/// One field of a part of the golden thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadField {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

const fn line(name: &'static str, label: &'static str) -> ThreadField {
    ThreadField {
        name,
        label,
        kind: FieldKind::Line,
        required: true,
    }
}

const fn text(name: &'static str, label: &'static str) -> ThreadField {
    ThreadField {
        name,
        label,
        kind: FieldKind::Text,
        required: true,
    }
}

const fn optional(field: ThreadField) -> ThreadField {
    ThreadField {
        required: false,
        ..field
    }
}

/// The evacuation strategies a building may have, and what each means for a resident.
pub const EVACUATION_STRATEGIES: &[(&str, &str)] = &[
    ("stay_put", "Stay put"),
    ("simultaneous", "Simultaneous evacuation"),
    ("phased", "Phased evacuation"),
    (
        "temporary_simultaneous",
        "Temporary simultaneous evacuation (waking watch)",
    ),
];

const REGISTRATION: &[ThreadField] = &[
    line("bsr_reference", "BSR registration reference"),
    line("registered_on", "Registered on"),
    line("height", "Height (metres)"),
    line("storeys", "Storeys"),
    line("residential_units", "Residential units"),
];
const BUILDING_USE: &[ThreadField] = &[
    text("current_use", "What the building is used for"),
    optional(text("changes_of_use", "Changes of use, and when")),
];
const EXTERNAL_WALLS: &[ThreadField] = &[
    text("wall_system", "Wall system and cladding"),
    text("insulation", "Insulation"),
    optional(text("remediation", "Remediation done or planned")),
];
const WALL_FIXTURES: &[ThreadField] = &[text(
    "fixtures",
    "Balconies, solar shading and other fixtures",
)];
const ROOF: &[ThreadField] = &[
    text("covering", "Roof covering"),
    optional(text("insulation", "Roof insulation")),
];
const STRUCTURE: &[ThreadField] = &[
    text("frame", "Structural frame"),
    optional(text("transfer_structures", "Transfer structures")),
];
const STOREYS_AND_STAIRCASES: &[ThreadField] = &[
    line("storeys_above_ground", "Storeys above ground"),
    optional(line("storeys_below_ground", "Storeys below ground")),
    text("staircases", "Staircases"),
];
const ENERGY_SUPPLY: &[ThreadField] = &[
    text("supplies", "Energy supplies"),
    optional(text("storage", "Energy storage")),
];
const EVACUATION_STRATEGY: &[ThreadField] = &[
    ThreadField {
        name: "strategy",
        label: "Evacuation strategy",
        kind: FieldKind::Choice(EVACUATION_STRATEGIES),
        required: true,
    },
    text("what_to_do", "What residents do in a fire"),
];
const FIRE_AND_SMOKE_CONTROL: &[ThreadField] = &[
    text("equipment", "Fire and smoke control equipment"),
    optional(text("maintenance", "How it is tested and maintained")),
];
const ANCILLARY_BUILDINGS: &[ThreadField] = &[text("buildings", "Ancillary buildings")];
const ACCOUNTABLE_PERSONS: &[ThreadField] = &[
    line("principal", "Principal Accountable Person"),
    text("principal_contact", "How to contact them"),
    optional(text(
        "others",
        "Other accountable persons, and the parts they answer for",
    )),
];
const SAFETY_CASE_REPORT: &[ThreadField] = &[
    text("summary", "Safety case report"),
    optional(line("document", "Full report (document reference)")),
];
const RESIDENT_SUMMARY: &[ThreadField] = &[text("summary", "What keeps you safe")];
const FIRE_RISK_ASSESSMENT: &[ThreadField] = &[
    line("assessed_on", "Assessed on"),
    line("assessor", "Assessor"),
    line("risk_rating", "Risk rating"),
    text("actions", "Actions and their progress"),
];
const RESIDENT_ENGAGEMENT: &[ThreadField] = &[text("strategy", "Resident engagement strategy")];
const FIRE_SAFETY_INFORMATION: &[ThreadField] =
    &[text("information", "Fire safety information for residents")];
const MANDATORY_OCCURRENCE: &[ThreadField] = &[text("what_happened", "What happened")];

impl GoldenThreadCategory {
    /// What this part of the golden thread records.
    #[must_use]
    pub fn fields(self) -> &'static [ThreadField] {
        use GoldenThreadCategory as C;
        match self {
            C::Registration => REGISTRATION,
            C::BuildingUse => BUILDING_USE,
            C::ExternalWalls => EXTERNAL_WALLS,
            C::WallFixtures => WALL_FIXTURES,
            C::Roof => ROOF,
            C::Structure => STRUCTURE,
            C::StoreysAndStaircases => STOREYS_AND_STAIRCASES,
            C::EnergySupply => ENERGY_SUPPLY,
            C::EvacuationStrategy => EVACUATION_STRATEGY,
            C::FireAndSmokeControl => FIRE_AND_SMOKE_CONTROL,
            C::AncillaryBuildings => ANCILLARY_BUILDINGS,
            C::AccountablePersons => ACCOUNTABLE_PERSONS,
            C::SafetyCaseReport => SAFETY_CASE_REPORT,
            C::ResidentSummary => RESIDENT_SUMMARY,
            C::FireRiskAssessment => FIRE_RISK_ASSESSMENT,
            C::ResidentEngagement => RESIDENT_ENGAGEMENT,
            C::FireSafetyInformation => FIRE_SAFETY_INFORMATION,
            C::MandatoryOccurrence => MANDATORY_OCCURRENCE,
        }
    }
}

/// A part of the golden thread as written: field name to what it says.
pub type ThreadBody = std::collections::BTreeMap<String, String>;

/// A new version of one part of the golden thread. Every change is a new version; older
/// versions stay readable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewThreadVersion {
    pub category: GoldenThreadCategory,
    pub body: ThreadBody,
    /// Why it changed, shown in the version history.
    pub change_note: String,
}

impl NewThreadVersion {
    /// Checks a part's fields as its form sent them (unknown names are ignored).
    pub fn validate(
        category: &str,
        given: &[(&str, &str)],
        change_note: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let Some(category) = GoldenThreadCategory::from_code(category) else {
            errors.add("category", "Choose which part of the golden thread this is");
            return Err(errors);
        };
        let mut body = ThreadBody::new();
        for field in category.fields() {
            let value = given
                .iter()
                .find(|(name, _)| *name == field.name)
                .map_or("", |(_, v)| v.trim());
            let max = match field.kind {
                FieldKind::Line | FieldKind::Choice(_) => 200,
                FieldKind::Text => 20_000,
            };
            if value.is_empty() {
                if field.required {
                    errors.add(field.name, format!("Enter {}", field.label.to_lowercase()));
                }
                continue;
            }
            if value.chars().count() > max {
                errors.add(
                    field.name,
                    format!("{} must be {max} characters or fewer", field.label),
                );
                continue;
            }
            if let FieldKind::Choice(choices) = field.kind {
                if !choices.iter().any(|(code, _)| *code == value) {
                    errors.add(
                        field.name,
                        format!("Choose the {}", field.label.to_lowercase()),
                    );
                    continue;
                }
            }
            body.insert(field.name.to_owned(), value.to_owned());
        }
        let change_note = required_text(
            &mut errors,
            "change_note",
            "what changed and why",
            change_note,
            500,
        );
        errors.into_result(NewThreadVersion {
            category,
            body,
            change_note,
        })
    }
}

/// One field that differs between two versions of a part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub label: &'static str,
    /// Empty where the field was blank.
    pub before: String,
    pub after: String,
}

/// What changed from `old` to `new` in a part, field by field in the part's order; a choice is
/// said as people read it.
#[must_use]
pub fn diff(
    category: GoldenThreadCategory,
    old: &ThreadBody,
    new: &ThreadBody,
) -> Vec<FieldChange> {
    let said = |field: &ThreadField, body: &ThreadBody| -> String {
        let value = body.get(field.name).cloned().unwrap_or_default();
        match field.kind {
            FieldKind::Choice(choices) => choices
                .iter()
                .find(|(code, _)| *code == value)
                .map_or(value, |(_, label)| (*label).to_owned()),
            _ => value,
        }
    };
    category
        .fields()
        .iter()
        .filter_map(|field| {
            let (before, after) = (said(field, old), said(field, new));
            (before != after).then_some(FieldChange {
                label: field.label,
                before,
                after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_version_says_what_changed_and_fills_what_it_must() {
        let e = NewThreadVersion::validate("roof", &[("covering", "Membrane replaced 2024")], "")
            .unwrap_err();
        assert!(e.for_field("change_note").is_some());
        assert!(
            e.for_field("insulation").is_none(),
            "an optional field may stay blank"
        );
        let e =
            NewThreadVersion::validate("evacuation_strategy", &[("strategy", "run")], "New FRA")
                .unwrap_err();
        assert!(e.for_field("strategy").is_some());
        assert!(e.for_field("what_to_do").is_some());
        assert!(NewThreadVersion::validate("nonsense", &[], "z").is_err());
        let ok = NewThreadVersion::validate(
            "roof",
            &[
                ("covering", " Single-ply membrane "),
                ("unknown", "ignored"),
            ],
            "Survey 2026",
        )
        .unwrap();
        assert_eq!(
            ok.body.get("covering").map(String::as_str),
            Some("Single-ply membrane")
        );
        assert_eq!(ok.body.len(), 1);
        assert!(GoldenThreadCategory::ResidentSummary.shown_to_residents());
        assert!(!GoldenThreadCategory::Structure.shown_to_residents());
        assert!(
            GoldenThreadCategory::ALL
                .iter()
                .all(|c| !c.fields().is_empty())
        );
    }

    #[test]
    fn a_diff_names_each_changed_field_in_order_as_people_read_it() {
        let body = |pairs: &[(&str, &str)]| -> ThreadBody {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let old = body(&[
            ("strategy", "stay_put"),
            ("what_to_do", "Stay in your flat."),
        ]);
        let new = body(&[
            ("strategy", "simultaneous"),
            ("what_to_do", "Stay in your flat."),
        ]);
        assert_eq!(
            diff(GoldenThreadCategory::EvacuationStrategy, &old, &new),
            vec![FieldChange {
                label: "Evacuation strategy",
                before: "Stay put".into(),
                after: "Simultaneous evacuation".into(),
            }]
        );
        let walls_v1 = body(&[("wall_system", "HPL panels"), ("insulation", "PIR")]);
        let walls_v2 = body(&[
            ("wall_system", "Fibre cement, A2-s1,d0"),
            ("insulation", "PIR"),
            ("remediation", "Replaced 2025"),
        ]);
        let changes = diff(GoldenThreadCategory::ExternalWalls, &walls_v1, &walls_v2);
        assert_eq!(
            changes.iter().map(|c| c.label).collect::<Vec<_>>(),
            ["Wall system and cladding", "Remediation done or planned"]
        );
        assert_eq!(changes[1].before, "");
        assert!(diff(GoldenThreadCategory::Roof, &walls_v1, &walls_v1).is_empty());
    }
}
