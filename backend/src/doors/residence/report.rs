//! Reporting a problem: where first (a home, or a shared area of a building, where what
//! neighbours already reported is shown to join instead), then what, with photos.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use proplink_shared::london::{format_date, local};
use proplink_shared::records::{CommunalArea, TicketCategory};
use proplink_shared::{BuildingId, UnitId};
use serde::Deserialize;

use super::Resident;
use crate::app::App;
use crate::doors::admin::forms::{Draft, Filler, none_choice, options, sent_back};
use crate::doors::extract::Query;
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::{CsrfForm, CsrfMultipart};
use crate::error::{AppError, AppResult};
use crate::services::requests::{self, MAX_PHOTO_BYTES, RequestForm, RequestPlace, SentPhoto};

/// A photo up to the limit, and a byte over so a larger one is refused by the rule with the
/// rest of the form kept.
const PHOTO_MAX: usize = MAX_PHOTO_BYTES + 1;
pub(super) const FORM_MAX: usize = requests::MAX_PHOTOS * PHOTO_MAX + 256 * 1024;

/// `home:<unit>` or `shared:<building>`: where a request is, as the forms carry it.
fn parse_place(place: &str, area: &str) -> Option<RequestPlace> {
    match place.split_once(':')? {
        ("home", unit) => unit.parse::<UnitId>().ok().map(RequestPlace::Home),
        ("shared", building) => Some(RequestPlace::Shared(
            building.parse::<BuildingId>().ok()?,
            CommunalArea::from_code(area)?,
        )),
        _ => None,
    }
}

fn place_choices(me: &Resident, selected: &str) -> Vec<Choice> {
    let mut choices = vec![none_choice("Choose where", selected.is_empty())];
    for h in &me.session.homes {
        let value = format!("home:{}", h.unit_id);
        choices.push(Choice {
            label: format!("Inside my home: {}, {}", h.unit_name, h.building_name),
            selected: value == selected,
            value,
        });
    }
    let mut buildings: Vec<(BuildingId, &str)> = me
        .session
        .homes
        .iter()
        .map(|h| (h.building_id, h.building_name.as_str()))
        .collect();
    buildings.sort();
    buildings.dedup();
    for (id, name) in buildings {
        let value = format!("shared:{id}");
        choices.push(Choice {
            label: format!("A shared area of {name}"),
            selected: value == selected,
            value,
        });
    }
    choices
}

fn where_page(me: &Resident, draft: Option<&Draft>) -> RecordPage {
    let fill = Filler { draft };
    let mut actions = Actions {
        problems: draft.map(Draft::problems).unwrap_or_default(),
        ..Actions::default()
    };
    actions.forms.push(Form {
        id: "where",
        heading: "Where is the problem?",
        action: "/requests/new".into(),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "place",
                label: "Where",
                hint: None,
                input: Input::Select(place_choices(me, &fill.value("where", "place", ""))),
                error: fill.error("where", "place"),
            },
            Field {
                name: "area",
                label: "Which shared area",
                hint: Some(
                    "Only for a problem outside your home, such as a broken light on the stairs.",
                ),
                input: Input::Select({
                    let chosen = fill.value("where", "area", "");
                    let mut areas = vec![none_choice("Not a shared area", chosen.is_empty())];
                    areas.extend(options(
                        CommunalArea::ALL,
                        CommunalArea::code,
                        CommunalArea::label,
                        &chosen,
                    ));
                    areas
                }),
                error: fill.error("where", "area"),
            },
        ],
        submit: "Continue",
        warning: false,
    });
    RecordPage {
        chrome: me.chrome("/requests"),
        title: "Report a problem".into(),
        caption: Some("Step 1 of 2".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: vec![Section {
            heading: "In an emergency".into(),
            paragraphs: vec![
                "If there is a fire, a gas leak or danger to life, call 999 first.".into(),
            ],
            ..Section::default()
        }],
        actions,
        audit: None,
    }
}

pub(super) async fn where_form(me: Resident) -> Response {
    respond(&where_page(&me, None)).into_response()
}

#[derive(Deserialize)]
pub(super) struct WhereForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    area: String,
}

pub(super) async fn choose_place(
    me: Resident,
    CsrfForm(form): CsrfForm<WhereForm>,
) -> AppResult<Response> {
    let mut errors = proplink_shared::records::ValidationErrors::default();
    if form.place.is_empty() {
        errors.add("place", "Choose where the problem is");
    } else if form.place.starts_with("shared:") && form.area.is_empty() {
        errors.add("area", "Choose which shared area the problem is in");
    } else if parse_place(&form.place, &form.area).is_none() {
        errors.add("place", "Choose one of the places listed");
    }
    let outcome = errors.into_result(()).map_err(AppError::Invalid);
    let typed = vec![("place", form.place.clone()), ("area", form.area.clone())];
    match sent_back("where", outcome, typed)? {
        Some((status, draft)) => {
            Ok((status, respond(&where_page(&me, Some(&draft)))).into_response())
        }
        None => {
            let area = if form.place.starts_with("shared:") {
                form.area
            } else {
                String::new()
            };
            let query = serde_urlencoded::to_string([("place", form.place), ("area", area)])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/requests/new/details?{query}")).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct DetailsQuery {
    #[serde(default)]
    place: String,
    #[serde(default)]
    area: String,
    /// The resident looked at what was already reported and has a different problem.
    #[serde(default)]
    different: bool,
}

pub(super) async fn details(
    State(app): State<App>,
    me: Resident,
    Query(q): Query<DetailsQuery>,
) -> AppResult<Response> {
    let place = parse_place(&q.place, &q.area).ok_or(AppError::NotFound)?;
    if let (RequestPlace::Shared(building, area), false) = (place, q.different) {
        let reported = requests::already_reported(&app, me.actor(), building, area).await?;
        if !reported.is_empty() {
            return Ok(respond(&already_reported_page(&me, &q, area, &reported)).into_response());
        }
    }
    Ok(respond(&details_page(&me, &q.place, &q.area, None)).into_response())
}

/// What neighbours already reported in the same shared area, to join instead.
fn already_reported_page(
    me: &Resident,
    q: &DetailsQuery,
    area: CommunalArea,
    reported: &[crate::store::requests::AreaReport],
) -> RecordPage {
    let different = serde_urlencoded::to_string([
        ("place", q.place.as_str()),
        ("area", q.area.as_str()),
        ("different", "true"),
    ])
    .unwrap_or_default();
    let mut page = RecordPage {
        chrome: me.chrome("/requests"),
        title: format!("Already reported: {}", area.label().to_lowercase()),
        caption: Some("Step 2 of 2".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: vec![Section {
            heading: "Is it one of these?".into(),
            paragraphs: vec![
                "Your neighbours have already reported these problems here, and they are being dealt with. If yours is one of them, add yourself to it: you will follow its progress and be told when it is fixed, without reporting it again.".into(),
            ],
            table: Some(Table {
                caption: "Open requests in this shared area".into(),
                headers: headers(&["Request", "Problem", "Status", "Reported", "Also affected"]),
                rows: reported
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::text(&r.reference),
                            Cell::text(&r.subject),
                            Cell::tag(r.status.label(), "green"),
                            Cell::text(format_date(local(r.created_at).date())),
                            Cell::text(match r.followers {
                                0 => "Nobody yet".to_owned(),
                                1 => "1 neighbour".to_owned(),
                                n => format!("{n} neighbours"),
                            }),
                        ]
                    })
                    .collect(),
                empty: String::new(),
            }),
            links: vec![(
                "My problem is different: report it".into(),
                format!("/requests/new/details?{different}"),
            )],
            ..Section::default()
        }],
        actions: Actions::default(),
        audit: None,
    };
    page.actions.forms.push(Form {
        id: "join",
        heading: "Add yourself to one of them",
        action: "/requests/join".into(),
        hidden: Vec::new(),
        fields: vec![Field {
            name: "request",
            label: "The problem you have too",
            hint: None,
            input: Input::Select(
                reported
                    .iter()
                    .enumerate()
                    .map(|(i, r)| Choice {
                        value: r.id.to_string(),
                        label: format!("{}: {}", r.reference, r.subject),
                        selected: i == 0,
                    })
                    .collect(),
            ),
            error: None,
        }],
        submit: "This is my problem too",
        warning: false,
    });
    page
}

fn details_page(me: &Resident, place: &str, area: &str, draft: Option<&Draft>) -> RecordPage {
    let fill = Filler { draft };
    let where_label = place_choices(me, place)
        .into_iter()
        .find(|c| c.selected)
        .map(|c| c.label)
        .unwrap_or_default();
    let shared = CommunalArea::from_code(area);
    let where_label = match shared {
        Some(a) => format!("{}: {}", where_label, a.label()),
        None => where_label,
    };
    let actions = Actions {
        problems: draft.map(Draft::problems).unwrap_or_default(),
        notice: None,
        forms: vec![Form {
            id: "request",
            heading: "What is the problem?",
            action: "/requests".into(),
            hidden: vec![("place", place.to_owned()), ("area", area.to_owned())],
            fields: vec![
                Field {
                    name: "category",
                    label: "What kind of problem",
                    hint: None,
                    input: Input::Select({
                        let chosen = fill.value("request", "category", "maintenance");
                        options(
                            TicketCategory::ALL,
                            TicketCategory::code,
                            TicketCategory::label,
                            &chosen,
                        )
                    }),
                    error: fill.error("request", "category"),
                },
                Field {
                    name: "subject",
                    label: "In a few words",
                    hint: Some("For example: Water leaking from the ceiling"),
                    input: Input::Text(fill.value("request", "subject", "")),
                    error: fill.error("request", "subject"),
                },
                Field {
                    name: "body",
                    label: "Tell us more",
                    hint: Some(
                        "What is wrong, exactly where, since when, and how to get in if we need to.",
                    ),
                    input: Input::TextArea(fill.value("request", "body", "")),
                    error: fill.error("request", "body"),
                },
                Field {
                    name: "emergency",
                    label: "Is it an emergency?",
                    hint: Some(
                        "Water pouring in, no heating or hot water, a door that will not lock, a danger to anyone.",
                    ),
                    input: Input::Select({
                        let chosen = fill.value("request", "emergency", "no");
                        vec![
                            Choice {
                                value: "no".into(),
                                label: "No".into(),
                                selected: chosen != "yes",
                            },
                            Choice {
                                value: "yes".into(),
                                label: "Yes, it is an emergency".into(),
                                selected: chosen == "yes",
                            },
                        ]
                    }),
                    error: None,
                },
                Field {
                    name: "photos",
                    label: "Photos (optional)",
                    hint: Some(
                        "Up to 5 photos, JPEG, PNG or WebP, each up to 10 MB. Their location and camera details are removed before they are kept.",
                    ),
                    input: Input::Files("image/jpeg,image/png,image/webp"),
                    error: fill.error("request", "photos"),
                },
            ],
            submit: "Send the request",
            warning: false,
        }],
    };
    RecordPage {
        chrome: me.chrome("/requests"),
        title: "Report a problem".into(),
        caption: Some("Step 2 of 2".into()),
        cards: Vec::new(),
        summary: vec![("Where".into(), Cell::link(where_label, "/requests/new"))],
        sections: if shared.is_some() {
            vec![Section {
                heading: "A shared area".into(),
                paragraphs: vec![
                    "Neighbours who have the same problem can add themselves to your request: they will read its conversation and see its photos, but not your name.".into(),
                ],
                ..Section::default()
            }]
        } else {
            Vec::new()
        },
        actions,
        audit: None,
    }
}

pub(super) async fn raise(
    State(app): State<App>,
    me: Resident,
    form: Result<CsrfMultipart<PHOTO_MAX>, AppError>,
) -> AppResult<Response> {
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge(_)) => {
            // Too large to read: nothing was kept. Say so on the form to fill in again.
            let draft = Draft {
                form: "request",
                typed: Vec::new(),
                errors: vec![proplink_shared::records::FieldError {
                    field: "photos".into(),
                    message: format!(
                        "A photo is larger than {} MB, so nothing was sent. Choose smaller photos and send the request again.",
                        MAX_PHOTO_BYTES / (1024 * 1024)
                    ),
                }],
                problem: None,
            };
            return Ok((
                StatusCode::PAYLOAD_TOO_LARGE,
                respond(&details_page(&me, "", "", Some(&draft))),
            )
                .into_response());
        }
        Err(e) => return Err(e),
    };
    let (place, area) = (form.field("place"), form.field("area"));
    let Some(where_) = parse_place(&place, &area) else {
        return Ok(Redirect::to("/requests/new").into_response());
    };
    let photos: Vec<SentPhoto<'_>> = form
        .files
        .iter()
        .filter(|(name, _, _)| name == "photos")
        .map(|(_, file, bytes)| SentPhoto { name: file, bytes })
        .collect();
    let typed_form = RequestForm {
        category: &form.field("category"),
        subject: &form.field("subject"),
        body: &form.field("body"),
        emergency: form.field("emergency") == "yes",
    };
    let outcome = requests::raise(&app, me.actor(), where_, &typed_form, &photos).await;
    let id = match outcome {
        Ok(id) => id,
        Err(e) => {
            let typed = ["category", "subject", "body", "emergency"]
                .into_iter()
                .map(|f| (f, form.field(f)))
                .collect();
            let Some((status, draft)) = sent_back("request", Err(e), typed)? else {
                return Err(AppError::NotFound);
            };
            return Ok((
                status,
                respond(&details_page(&me, &place, &area, Some(&draft))),
            )
                .into_response());
        }
    };
    Ok(Redirect::to(&format!("/requests/{id}?done=raised")).into_response())
}
