//! BuildingThread for residents of higher-risk buildings, at `<org>.<thread_domain>`: they sign
//! in with an emailed code and read, in plain words, what keeps their building safe, what to do
//! in a fire and who is accountable for it — the parts of the golden thread meant for them, as
//! they stand. Nobody else's building, and no building that is not higher-risk, is there.
//! Inspectors of the Building Safety Regulator sign in at the same door ([`regulator`]).

mod regulator;

use crate::doors::web::sent;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use proplink_shared::BuildingId;
use proplink_shared::london::format_date;
use proplink_shared::records::{EVACUATION_STRATEGIES, GoldenThreadCategory as Part};

use super::admin::forms::{Draft, Filler, answer};
use super::admin::{logo, logo_src};
use super::extract::Path;
use super::pages::{
    Actions, Cell, Choice, Chrome, Field, Form, Input, NavItem, RecordPage, Section, Table,
    headers, respond,
};
use super::web::CsrfForm;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::{self, ThreadSession};
use crate::services::golden_thread::concerns::{self, Concern};
use crate::services::golden_thread::handover::Format;
use crate::services::golden_thread::{self, PartVersion, fire_safety};
use crate::store::orgs::Organisation;
use proplink_shared::records::{CommunalArea, Occurrence};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .merge(super::sign_in::router())
        .route("/dev/mailbox", get(super::admin::mailbox))
        .route("/brand/logo/{sha}", get(logo))
        .route("/buildings/{id}", get(building))
        .route(
            "/buildings/{id}/concerns",
            axum::routing::post(raise_concern),
        )
        .route("/buildings/{id}/parts/{part}", get(part))
        .route("/buildings/{id}/documents/{document}", get(document))
        .route("/buildings/{id}/handover.pdf", get(pack_pdf))
        .route("/buildings/{id}/handover.json", get(pack_json))
        .fallback(|| async { AppError::NotFound })
}

/// A signed-in resident of a higher-risk building of the organisation the host names.
pub struct Reader {
    org: Organisation,
    session: ThreadSession,
    dev_mode: bool,
}

impl Reader {
    fn chrome(&self, current: &str) -> Chrome {
        let mut chrome = Chrome::new(
            &self.org.name,
            "BuildingThread",
            &self.org.brand_colour,
            self.dev_mode,
        );
        chrome.user_name = Some(self.session.contact.display_name());
        chrome.logo = logo_src(&self.org);
        chrome.csrf = self.session.csrf_token.clone();
        chrome.has_profile = false;
        chrome.nav = vec![NavItem {
            label: "Your building",
            href: "/",
            current: current == "/",
        }];
        chrome
    }
}

/// Whoever is signed in: a resident, or an inspector of the Regulator.
pub enum Visitor {
    Resident(Reader),
    Inspector(regulator::Inspector),
}

impl Visitor {
    /// The resident; an inspector has no resident's pages (not found).
    fn resident(self) -> AppResult<Reader> {
        match self {
            Visitor::Resident(r) => Ok(r),
            Visitor::Inspector(_) => Err(AppError::NotFound),
        }
    }

    /// The inspector; a resident has no inspector's pages (not found).
    fn inspector(self) -> AppResult<regulator::Inspector> {
        match self {
            Visitor::Inspector(i) => Ok(i),
            Visitor::Resident(_) => Err(AppError::NotFound),
        }
    }
}

impl FromRequestParts<App> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let (org, token) = super::residence::signed_in_to(parts, app)?;
        if let Some(session) = auth::thread_session(app, &org, &token).await? {
            return Ok(Visitor::Resident(Reader {
                org,
                session,
                dev_mode: app.config.dev,
            }));
        }
        let session = auth::inspector_session(app, &org, &token)
            .await?
            .ok_or(AppError::SignInRequired)?;
        Ok(Visitor::Inspector(regulator::Inspector {
            org,
            session,
            dev_mode: app.config.dev,
        }))
    }
}

/// Their building's thread; with homes in several higher-risk buildings, the list of them. An
/// inspector's buildings.
async fn home(State(app): State<App>, visitor: Visitor) -> AppResult<Response> {
    let reader = match visitor {
        Visitor::Resident(reader) => reader,
        Visitor::Inspector(inspector) => return Ok(regulator::home(&app, &inspector)),
    };
    let buildings = reader.session.buildings();
    if let [(only, _)] = buildings.as_slice() {
        return Ok(Redirect::to(&format!("/buildings/{only}")).into_response());
    }
    Ok(respond(&RecordPage {
        chrome: reader.chrome("/"),
        title: "Your buildings".into(),
        caption: Some(reader.org.name.clone()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: vec![Section {
            heading: "Choose a building".into(),
            table: Some(Table {
                caption: "The higher-risk buildings you live in".into(),
                headers: headers(&["Building"]),
                rows: buildings
                    .iter()
                    .map(|(id, name)| vec![Cell::link(name, format!("/buildings/{id}"))])
                    .collect(),
                empty: String::new(),
            }),
            ..Section::default()
        }],
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}

fn said(parts: &[PartVersion], part: Part, field: &str) -> Option<String> {
    parts
        .iter()
        .find(|p| p.section == part)
        .and_then(|p| p.body.get(field))
        .filter(|v| !v.is_empty())
        .cloned()
}

fn updated(parts: &[PartVersion], part: Part) -> Option<String> {
    parts
        .iter()
        .find(|p| p.section == part)
        .map(|p| format!("Last updated {}.", format_date(p.at.date())))
}

/// A section in plain words: what the thread says, or that it is not written down yet.
fn section(heading: &str, paragraphs: Vec<String>, missing: &str) -> Section {
    Section {
        heading: heading.into(),
        paragraphs: if paragraphs.is_empty() {
            vec![missing.into()]
        } else {
            paragraphs
        },
        ..Section::default()
    }
}

/// The last year's safety works on the shared parts, in plain words.
fn safety_works_section(works: &[crate::store::work_orders::SafetyWork]) -> Section {
    Section {
        heading: "Recent safety works".into(),
        paragraphs: vec![if works.is_empty() {
            "No fire safety, electrical, gas or lift works on the shared parts of the building in the last year.".into()
        } else {
            "Fire safety, electrical, gas and lift works on the shared parts of the building in the last year. Ask the managing agent about any of them.".into()
        }],
        table: (!works.is_empty()).then(|| Table {
            caption: "Safety works in the last year".into(),
            headers: headers(&["Works", "Where they stand", "Since"]),
            rows: works
                .iter()
                .map(|w| {
                    vec![
                        Cell::text(format!("{} works", w.service_category.label())),
                        Cell::text(w.status.as_residents_see_it()),
                        Cell::date(proplink_shared::london::local(w.created_at).date()),
                    ]
                })
                .collect(),
            empty: String::new(),
        }),
        ..Section::default()
    }
}

/// What the building's page says after a concern was raised.
#[derive(Deserialize, Default)]
struct Raised {
    concern: Option<String>,
    mandatory: Option<String>,
}

async fn building(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<BuildingId>,
    super::extract::Query(raised): super::extract::Query<Raised>,
) -> AppResult<Response> {
    let reader = match visitor {
        Visitor::Resident(reader) => reader,
        Visitor::Inspector(inspector) => return regulator::building(&app, &inspector, id).await,
    };
    // Thanked only for a concern of their own: the address cannot put words on this page.
    let mine = match (
        raised.concern.and_then(|c| c.parse().ok()),
        reader.session.resident(&reader.org),
    ) {
        (Some(ticket), Some(resident)) => {
            concerns::reference_of_mine(&app, &resident, ticket).await?
        }
        _ => None,
    };
    let notice = mine.map(|reference| {
        if raised.mandatory.is_some() {
            format!("Thank you. Your concern is request {reference}. It may need reporting to the Building Safety Regulator: the building's managers have been alerted.")
        } else {
            format!("Thank you. Your concern is request {reference}; you can follow it on ResidencePort.")
        }
    });
    let page = building_page(&app, &reader, id, notice, None).await?;
    // The page holds the fire-safety information: opening it is the proof of delivery.
    if let Some(actor) = reader.session.actor_for(id) {
        fire_safety::opened(&app, &actor, id).await?;
    }
    Ok(respond(&page).into_response())
}

async fn part(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, code)): Path<(BuildingId, String)>,
) -> AppResult<Response> {
    regulator::part(&app, &visitor.inspector()?, id, &code).await
}

async fn document(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, doc)): Path<(BuildingId, proplink_shared::DocumentId)>,
) -> AppResult<Response> {
    regulator::document(&app, &visitor.inspector()?, id, doc).await
}

async fn pack_pdf(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    regulator::pack(&app, &visitor.inspector()?, id, Format::Pdf).await
}

async fn pack_json(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    regulator::pack(&app, &visitor.inspector()?, id, Format::Json).await
}

async fn building_page(
    app: &App,
    reader: &Reader,
    id: BuildingId,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    // Not one of their buildings, or not a higher-risk one: not found, as for a stranger.
    let actor = reader.session.actor_for(id).ok_or(AppError::NotFound)?;
    let (b, parts) = golden_thread::current(app, &actor, id).await?;
    let strategy = said(&parts, Part::EvacuationStrategy, "strategy").map(|code| {
        EVACUATION_STRATEGIES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code.clone(), |(_, label)| {
                format!("This building's strategy: {label}.")
            })
    });
    let with_date = |mut text: Vec<String>, part: Part| {
        if !text.is_empty() {
            text.extend(updated(&parts, part));
        }
        text
    };
    let accountable: Vec<String> = [
        said(&parts, Part::AccountablePersons, "principal")
            .map(|p| format!("The Principal Accountable Person is {p}.")),
        said(&parts, Part::AccountablePersons, "principal_contact"),
        said(&parts, Part::AccountablePersons, "others"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let sections = vec![
        section(
            "What keeps you safe",
            with_date(
                said(&parts, Part::ResidentSummary, "summary")
                    .into_iter()
                    .collect(),
                Part::ResidentSummary,
            ),
            "Your building's safety summary is being written. Ask the managing agent for it in the meantime.",
        ),
        section(
            "If there is a fire",
            with_date(
                [
                    strategy,
                    said(&parts, Part::EvacuationStrategy, "what_to_do"),
                ]
                .into_iter()
                .flatten()
                .collect(),
                Part::EvacuationStrategy,
            ),
            "Call 999, leave by the stairs and never use the lift, unless the notices in your building say otherwise.",
        ),
        section(
            "Who is accountable for your building's safety",
            with_date(accountable, Part::AccountablePersons),
            "The accountable person has not been recorded here yet.",
        ),
        section(
            "Fire safety information",
            with_date(
                said(&parts, Part::FireSafetyInformation, "information")
                    .into_iter()
                    .collect(),
                Part::FireSafetyInformation,
            ),
            "This year's fire safety information has not been published here yet.",
        ),
        section(
            "How we involve residents",
            with_date(
                said(&parts, Part::ResidentEngagement, "strategy")
                    .into_iter()
                    .collect(),
                Part::ResidentEngagement,
            ),
            "The resident engagement strategy has not been published here yet.",
        ),
        safety_works_section(&golden_thread::safety_works(app, &actor, id).await?),
        Section {
            heading: "Worried about safety?".into(),
            paragraphs: vec![
                "If there is a fire or you are in danger now, call 999.".into(),
                "Otherwise, tell the building's managers below: a fire door that does not close, a smoke vent that did not open, blocked stairs, cracks in a wall. It becomes a request you can follow on ResidencePort.".into(),
            ],
            ..Section::default()
        },
    ];
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let area = fill.value("concern", "area", "");
    let mut areas = vec![Choice {
        selected: area.is_empty(),
        value: String::new(),
        label: "Choose where".into(),
    }];
    areas.extend(CommunalArea::ALL.iter().map(|a| Choice {
        selected: a.code() == area,
        value: a.code().into(),
        label: a.label().into(),
    }));
    let ticked = |name: &str| fill.value("concern", name, "") == "yes";
    let form = Form {
        id: "concern",
        heading: "Raise a safety concern",
        action: format!("/buildings/{id}/concerns"),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "area",
                label: "Where is it",
                hint: None,
                input: Input::Select(areas),
                error: fill.error("concern", "area"),
            },
            Field {
                name: "body",
                label: "What is wrong",
                hint: Some("What you saw, where exactly, and since when."),
                input: Input::TextArea(fill.value("concern", "body", "")),
                error: fill.error("concern", "body"),
            },
            Field {
                name: "signs",
                label: "Does it involve any of these? (optional)",
                hint: None,
                input: Input::Checkboxes(vec![
                    Choice {
                        selected: ticked("fire"),
                        value: "fire".into(),
                        label: "Fire or smoke could spread (a fire door, a vent, a gap in a wall)"
                            .into(),
                    },
                    Choice {
                        selected: ticked("structure"),
                        value: "structure".into(),
                        label: "Something structural (cracks, movement, a failing balcony)".into(),
                    },
                    Choice {
                        selected: ticked("harm"),
                        value: "harm".into(),
                        label: "It could seriously hurt people".into(),
                    },
                ]),
                error: None,
            },
        ],
        submit: "Send my concern",
        warning: false,
    };
    Ok(RecordPage {
        chrome: reader.chrome("/"),
        title: b.name.clone(),
        caption: Some("Your building's safety".into()),
        cards: Vec::new(),
        summary: vec![(
            "Registered with the Building Safety Regulator".into(),
            Cell::text(if b.bsr_registration.is_empty() {
                "Not yet".to_owned()
            } else {
                b.bsr_registration.clone()
            }),
        )],
        sections,
        actions: Actions::answering(notice, draft.as_ref(), vec![form]),
        audit: None,
    })
}

async fn raise_concern(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<BuildingId>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reader = visitor.resident()?;
    reader.session.actor_for(id).ok_or(AppError::NotFound)?;
    let value = |name: &str| sent(&form, name);
    let ticked = |sign: &str| crate::doors::web::ticked(&form, "signs", sign);
    let resident = reader
        .session
        .resident(&reader.org)
        .ok_or(AppError::NotFound)?;
    let outcome = concerns::raise(
        &app,
        &resident,
        id,
        &Concern {
            area: value("area"),
            what: value("body"),
            occurrence: Occurrence {
                fire_or_smoke_spread: ticked("fire"),
                structural_failure: ticked("structure"),
                significant_harm: ticked("harm"),
            },
        },
    )
    .await;
    let done = match &outcome {
        Ok(r) => format!(
            "/buildings/{id}?concern={}{}",
            r.ticket,
            if r.may_be_mandatory {
                "&mandatory=yes"
            } else {
                ""
            }
        ),
        Err(_) => String::new(),
    };
    let yes = |b: bool| if b { "yes".to_owned() } else { String::new() };
    let typed = vec![
        ("area", value("area").to_owned()),
        ("body", value("body").to_owned()),
        ("fire", yes(ticked("fire"))),
        ("structure", yes(ticked("structure"))),
        ("harm", yes(ticked("harm"))),
    ];
    answer("concern", outcome.map(|_| ()), typed, done, |draft| {
        building_page(&app, &reader, id, None, Some(draft))
    })
    .await
}
