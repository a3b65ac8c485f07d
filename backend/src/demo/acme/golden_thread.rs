//! Harbour Point Tower's golden thread, kept over three years: registration, the Key Building
//! Information, the accountable persons, the safety case and what residents are told — with
//! the cladding remediation, the end of the waking watch and a new battery store each leaving
//! a new version behind.

use time::{Date, Duration};

use super::Acme;
use crate::demo::{R, at};
use crate::services::golden_thread;
use crate::services::golden_thread::fire_safety;
use crate::services::golden_thread::occurrences::{self, NewOccurrence, Next};
use crate::services::golden_thread::regulators::{self, NewAccess};
use proplink_shared::records::NewThreadVersion;
use proplink_shared::records::Occurrence;

/// One save: how many days ago, which part, what it said, and why it changed.
struct Step {
    days_ago: i64,
    part: &'static str,
    fields: &'static [(&'static str, &'static str)],
    note: &'static str,
}

const STEPS: &[Step] = &[
    Step {
        days_ago: 1180,
        part: "registration",
        fields: &[
            ("bsr_reference", "HRB-2023-118842"),
            ("registered_on", "14 September 2023"),
            ("height", "21.4"),
            ("storeys", "8"),
            ("residential_units", "24"),
        ],
        note: "Registered with the Building Safety Regulator",
    },
    Step {
        days_ago: 1175,
        part: "building_use",
        fields: &[(
            "current_use",
            "24 flats on floors 1 to 7; a café and the residents' entrance on the ground floor.",
        )],
        note: "Key Building Information submitted at registration",
    },
    Step {
        days_ago: 1175,
        part: "external_walls",
        fields: &[
            (
                "wall_system",
                "High-pressure laminate (HPL) rainscreen panels on aluminium rails, floors 2 to 8; brick slips on the ground floor.",
            ),
            (
                "insulation",
                "PIR boards behind the rainscreen (combustible).",
            ),
            (
                "remediation",
                "Panels and insulation to be replaced: funded by the Building Safety Fund, works planned for 2025.",
            ),
        ],
        note: "Key Building Information submitted at registration",
    },
    Step {
        days_ago: 1175,
        part: "structure",
        fields: &[
            ("frame", "Reinforced concrete frame and flat slabs, 2008."),
            (
                "transfer_structures",
                "A transfer slab at first floor carries the flats over the café.",
            ),
        ],
        note: "Key Building Information submitted at registration",
    },
    Step {
        days_ago: 1175,
        part: "storeys_and_staircases",
        fields: &[
            ("storeys_above_ground", "8"),
            ("storeys_below_ground", "1 (plant room and bin store)"),
            (
                "staircases",
                "One protected stair with a firefighting lift and a dry riser outlet on every floor.",
            ),
        ],
        note: "Key Building Information submitted at registration",
    },
    Step {
        days_ago: 1175,
        part: "energy_supply",
        fields: &[(
            "supplies",
            "Mains electricity to each flat; a communal gas boiler in the basement plant room for heating and hot water.",
        )],
        note: "Key Building Information submitted at registration",
    },
    Step {
        days_ago: 1170,
        part: "evacuation_strategy",
        fields: &[
            ("strategy", "temporary_simultaneous"),
            (
                "what_to_do",
                "A waking watch patrols every floor day and night while the cladding is replaced. If you hear the alarm or a warden tells you, leave by the stair at once. Do not use the lift.",
            ),
        ],
        note: "Interim strategy while the cladding is unsafe",
    },
    Step {
        days_ago: 1170,
        part: "fire_and_smoke_control",
        fields: &[
            (
                "equipment",
                "Automatic opening smoke vents at the head of the stair and in each corridor; fire doors to every flat; a dry riser; emergency lighting.",
            ),
            (
                "maintenance",
                "Smoke vents and emergency lighting tested monthly; fire doors checked every three months; the dry riser serviced every six months.",
            ),
        ],
        note: "Key Building Information submitted at registration",
    },
    Step {
        days_ago: 1160,
        part: "accountable_persons",
        fields: &[
            ("principal", "Quay Street Freehold Ltd"),
            (
                "principal_contact",
                "Write to 9 Quay Street, Manchester M3 3JE, or email safety@quaystreetfreehold.example. Acme Estates manages the building on their behalf.",
            ),
        ],
        note: "Principal Accountable Person recorded",
    },
    Step {
        days_ago: 700,
        part: "accountable_persons",
        fields: &[
            ("principal", "Harbour Point RMC Ltd"),
            (
                "principal_contact",
                "The residents' management company, through Acme Estates: email safety@acme.example or call 0161 496 0000.",
            ),
            (
                "others",
                "Quay Street Freehold Ltd remains accountable for the ground-floor café and its shopfront.",
            ),
        ],
        note: "The freehold passed to the residents' management company",
    },
    Step {
        days_ago: 420,
        part: "external_walls",
        fields: &[
            (
                "wall_system",
                "Fibre cement rainscreen panels (A2-s1,d0) on aluminium rails, floors 2 to 8; brick slips on the ground floor.",
            ),
            (
                "insulation",
                "Mineral wool (A1, non-combustible) throughout.",
            ),
            (
                "remediation",
                "HPL panels and PIR insulation removed and replaced; signed off by the fire engineer.",
            ),
        ],
        note: "Cladding remediation complete",
    },
    Step {
        days_ago: 410,
        part: "evacuation_strategy",
        fields: &[
            ("strategy", "stay_put"),
            (
                "what_to_do",
                "Your flat is built to hold a fire back. If the fire is in your flat, get everyone out, close the door behind you and call 999. If it is elsewhere, stay in your flat with the door shut unless heat or smoke reaches you, or the fire service tells you to leave.",
            ),
        ],
        note: "Waking watch ended after remediation; stay put restored on the fire engineer's advice",
    },
    Step {
        days_ago: 400,
        part: "resident_summary",
        fields: &[(
            "summary",
            "Harbour Point Tower has new non-combustible cladding, fire doors to every flat, smoke vents that open automatically, and one protected stair. The safety case shows the risk of fire spreading between flats is low. We check the fire doors every three months and test the alarms and vents every month.",
        )],
        note: "Resident summary of the safety case",
    },
    Step {
        days_ago: 400,
        part: "safety_case_report",
        fields: &[
            (
                "summary",
                "The major fire and structural hazards are identified and managed: remediated external walls, compartmentation checked floor by floor, smoke control tested monthly, and the transfer slab inspected each year.",
            ),
            (
                "document",
                "Safety case report, version 2 (after remediation)",
            ),
        ],
        note: "Safety case report after remediation",
    },
    Step {
        days_ago: 120,
        part: "energy_supply",
        fields: &[
            (
                "supplies",
                "Mains electricity to each flat; a communal gas boiler in the basement plant room for heating and hot water; solar panels on the roof.",
            ),
            (
                "storage",
                "A lithium-ion battery store for the solar panels in a fire-separated room off the plant room, with its own detection.",
            ),
        ],
        note: "Roof solar panels and a battery store added",
    },
    Step {
        days_ago: 60,
        part: "fire_risk_assessment",
        fields: &[
            ("assessed_on", "{the day}"),
            ("assessor", "Northline Fire Safety Ltd"),
            ("risk_rating", "Tolerable"),
            (
                "actions",
                "Replace two self-closers on floor 6 fire doors (done); add signage to the battery store door (done); re-test the floor 8 smoke vent (booked).",
            ),
        ],
        note: "Annual fire risk assessment",
    },
    Step {
        days_ago: 30,
        part: "fire_safety_information",
        fields: &[(
            "information",
            "Keep your front door shut and never wedge it open. Do not store anything in the corridors or the stair. Test your smoke alarm every month. Tell us at once if a fire door is damaged or does not close by itself. If there is a fire, follow the evacuation advice: stay put unless heat or smoke reaches you.",
        )],
        note: "Annual fire safety information for residents",
    },
];

impl Acme<'_> {
    /// Plays Harbour Point Tower's golden thread, oldest save first, as Mark kept it.
    pub(super) async fn golden_thread(&self, today: Date) -> R<()> {
        let building = self.groups[0].buildings[2];
        let mut saved: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        for step in STEPS {
            self.app
                .clock
                .set(at(today - Duration::days(step.days_ago), 10, 0));
            let day = proplink_shared::london::format_date(today - Duration::days(step.days_ago));
            let fields: Vec<(&str, String)> = step
                .fields
                .iter()
                .map(|(name, value)| (*name, value.replace("{the day}", &day)))
                .collect();
            let given: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let new = NewThreadVersion::validate(step.part, &given, step.note)?;
            let based_on = saved.get(step.part).copied().unwrap_or(0);
            let version =
                golden_thread::save(self.app, &self.mark, building, based_on, &new).await?;
            saved.insert(step.part, version);
            if step.part == "fire_safety_information" {
                fire_safety::issue(self.app, &self.mark, building).await?;
            }
        }
        // The smoke vent that failed its test: recorded, notified, then reported.
        let aware = today - Duration::days(200);
        self.app.clock.set(at(aware, 15, 30));
        let occurrence = occurrences::record(
            self.app,
            &self.mark,
            building,
            &NewOccurrence {
                what_happened: "At the quarterly test the automatic opening vent at the head of stair B did not open. \
                    With no vent, smoke in a fire could have filled the only stair above floor 4. The vent was opened \
                    by hand and a waking watch kept the stair until the actuator was replaced the next day.",
                aware_on: &aware.to_string(),
                signs: Occurrence {
                    fire_or_smoke_spread: true,
                    structural_failure: false,
                    significant_harm: true,
                },
            },
        )
        .await?;
        for (days, next) in [
            (
                1,
                Next::Notice {
                    reference: "BSR-MOR-2026-004117",
                },
            ),
            (
                6,
                Next::Report {
                    report: "Cause: the vent's actuator had seized; the six-monthly service had not tested it under load. \
                    Action: actuator replaced the next day; every vent and actuator in the building now tested under \
                    load each quarter; the service contract now names the vents. No one was harmed.",
                },
            ),
        ] {
            self.app.clock.set(at(aware + Duration::days(days), 11, 0));
            occurrences::advance(self.app, &self.mark, building, &occurrence, &next).await?;
        }
        // An inspection two years ago whose access has ended, and the one under way now.
        for (days_ago, name, email, days) in [
            (400, "Daniel Price", "daniel.price@bsr.example", 30),
            (5, INSPECTOR.1, INSPECTOR.0, 60),
        ] {
            let from = today - Duration::days(days_ago);
            self.app.clock.set(at(from, 11, 0));
            regulators::grant(
                self.app,
                &self.mark,
                building,
                &NewAccess {
                    name,
                    email,
                    until: &(from + Duration::days(days)).to_string(),
                },
            )
            .await?;
        }
        Ok(())
    }
}

/// The inspector of the Building Safety Regulator the demo gives Harbour Point Tower's thread
/// to: their address and name.
pub const INSPECTOR: (&str, &str) = ("ruth.okafor@bsr.example", "Ruth Okafor");
