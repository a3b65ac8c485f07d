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
            today - issued >= time::Duration::days(FIRE_SAFETY_REISSUE_DAYS)
                || (changes_count && version < current)
        }
    }
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
