//! A resident's requests: the list, reporting a problem (where first, so a problem in a shared
//! area already reported can be joined instead of reported again; then what, with photos),
//! and each request with its targets, its conversation and a reply.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::london::{format_date, format_date_time, local};
use proplink_shared::records::{CommunalArea, EntryKind, SlaState, TicketCategory};
use proplink_shared::{BuildingId, TicketId, UnitId};
use serde::Deserialize;

use super::Resident;
use super::home::{requests_table, status_cell};
use crate::app::App;
use crate::doors::admin::forms::{Draft, Filler, none_choice, options, sent_back};
use crate::doors::admin::view::ListParams;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Entry, Field, Form, Input, ListPage, RecordPage, Section, Table,
    headers, respond,
};
use crate::doors::web::{CsrfForm, CsrfMultipart};
use crate::error::{AppError, AppResult};
use crate::services::requests::{self, MAX_PHOTO_BYTES, RequestForm, RequestPlace, SentPhoto};
use crate::services::tickets;
use crate::store::requests::Ticket;

/// A photo up to the limit, and a byte over so a larger one is refused by the rule with the
/// rest of the form kept.
const PHOTO_MAX: usize = MAX_PHOTO_BYTES + 1;
const FORM_MAX: usize = requests::MAX_PHOTOS * PHOTO_MAX + 256 * 1024;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/requests",
            get(list).post(raise).layer(DefaultBodyLimit::max(FORM_MAX)),
        )
        .route("/requests/new", get(where_form).post(choose_place))
        .route("/requests/new/details", get(details))
        .route("/requests/{id}", get(request))
        .route("/requests/{id}/reply", post(reply))
        .route("/requests/join", post(add_me))
        .route("/requests/{id}/photos/{sha}", get(photo))
}

/// Where a request is, as people say it.
pub(super) fn place_of(t: &Ticket) -> String {
    match (t.area, &t.location) {
        (Some(area), Some(building)) => format!("{}, {building}", area.label()),
        (None, Some(place)) => place.clone(),
        _ => t.site_name.clone(),
    }
}

async fn list(
    State(app): State<App>,
    me: Resident,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = tickets::tickets(
        &app,
        me.actor(),
        &crate::store::requests::TicketFilter::default(),
        &params.at(2)?,
    )
    .await?;
    Ok(respond(&ListPage {
        chrome: me.chrome("/requests"),
        title: "Your requests".into(),
        intro: Some("Requests you raised, and those in shared areas you added yourself to.".into()),
        links: vec![("Report a problem".into(), "/requests/new".into())],
        filters: Vec::new(),
        action: "/requests",
        table: requests_table(
            &page.items,
            "Your requests",
            "You have not raised a request yet.",
        ),
        pager: params.pager("/requests", &page),
    })
    .into_response())
}

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

async fn where_form(me: Resident) -> Response {
    respond(&where_page(&me, None)).into_response()
}

#[derive(Deserialize)]
struct WhereForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    area: String,
}

async fn choose_place(me: Resident, CsrfForm(form): CsrfForm<WhereForm>) -> AppResult<Response> {
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
struct DetailsQuery {
    #[serde(default)]
    place: String,
    #[serde(default)]
    area: String,
    /// The resident looked at what was already reported and has a different problem.
    #[serde(default)]
    different: bool,
}

async fn details(
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

async fn raise(
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

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn request(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<TicketId>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    Ok(respond(&request_page(&app, &me, id, &done.done, None).await?).into_response())
}

async fn request_page(
    app: &App,
    me: &Resident,
    id: TicketId,
    done: &str,
    draft: Option<&Draft>,
) -> AppResult<RecordPage> {
    let (t, entries) = tickets::ticket(app, me.actor(), id).await?;
    let photos = requests::photos_of(app, me.actor(), &t).await?;
    let now = app.clock.now();
    let me_contact = me.session.contact.id;
    let thread = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Message)
        .map(|e| {
            let who = if e.author_contact == Some(me_contact) {
                "You".to_owned()
            } else if e.author_contact.is_some() {
                // Neighbours on a shared request stay anonymous to each other.
                "Another resident".to_owned()
            } else {
                format!("{} ({})", e.author_name, me.org.name)
            };
            Entry {
                meta: format!("{who} · {}", format_date_time(e.created_at)),
                body: e.body.clone(),
                internal: false,
            }
        })
        .collect();
    let (first, resolve) = t.priority.sla();
    let (first_due, resolve_due) = (first.due(t.sla_from), resolve.due(t.sla_from));
    let reply_state = SlaState::of(t.sla_from, first_due, t.first_response_at, now);
    let resolve_state = SlaState::of(t.sla_from, resolve_due, t.closed_at, now);
    let target = |what: &str, due: time::OffsetDateTime, state: SlaState| {
        let (label, tone) = state.label();
        vec![
            Cell::text(what),
            Cell::text(format_date_time(due)),
            Cell::tag(label, tone),
        ]
    };
    let sla = Section {
        heading: "Our promise".into(),
        paragraphs: vec![format!(
            "{} commits to answering a {} priority request within {} and resolving it within {}.",
            me.org.name,
            t.priority.label().to_lowercase(),
            describe(first),
            describe(resolve)
        )],
        table: Some(Table {
            caption: "Targets for this request".into(),
            headers: headers(&["Target", "By", "How it is going"]),
            rows: vec![
                target("First reply", first_due, reply_state),
                target("Resolved", resolve_due, resolve_state),
            ],
            empty: String::new(),
        }),
        ..Section::default()
    };
    let conversation = Section {
        heading: "Conversation".into(),
        entries: thread,
        ..Section::default()
    };
    let mut sections = vec![sla, conversation];
    if !photos.is_empty() {
        sections.push(Section {
            heading: format!("Photos ({})", photos.len()),
            gallery: photos
                .iter()
                .enumerate()
                .map(|(i, sha)| {
                    (
                        format!("/requests/{id}/photos/{sha}"),
                        format!("Photo {} of the request, opens full size", i + 1),
                    )
                })
                .collect(),
            ..Section::default()
        });
    }
    let fill = Filler { draft };
    let mut actions = Actions {
        notice: match done {
            "raised" => Some(format!(
                "Your request {} was sent. We will reply here and by email.",
                t.reference
            )),
            "replied" => Some("Your reply was sent.".into()),
            "joined" => Some(format!(
                "You were added to {}: you will be told of its progress.",
                t.reference
            )),
            _ => None,
        },
        problems: draft.map(Draft::problems).unwrap_or_default(),
        forms: Vec::new(),
    };
    if !t.status.is_terminal() {
        actions.forms.push(Form {
            id: "reply",
            heading: "Reply",
            action: format!("/requests/{id}/reply"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "body",
                label: "Your message",
                hint: None,
                input: Input::TextArea(fill.value("reply", "body", "")),
                error: fill.error("reply", "body"),
            }],
            submit: "Send reply",
            warning: false,
        });
    } else {
        sections.push(Section {
            heading: "This request is closed".into(),
            paragraphs: vec![
                "If the problem comes back, report it again and mention this request's reference."
                    .into(),
            ],
            links: vec![("Report a problem".into(), "/requests/new".into())],
            ..Section::default()
        });
    }
    Ok(RecordPage {
        chrome: me.chrome("/requests"),
        title: t.subject.clone(),
        caption: Some(t.reference.clone()),
        cards: Vec::new(),
        summary: vec![
            ("Status".into(), status_cell(&t)),
            ("Where".into(), Cell::text(place_of(&t))),
            ("Kind".into(), Cell::text(t.category.label())),
            ("Priority".into(), Cell::text(t.priority.label())),
            ("Raised".into(), Cell::text(format_date_time(t.created_at))),
        ],
        sections,
        actions,
        audit: None,
    })
}

/// A target as a resident reads it: "1 hour", "10 working days".
fn describe(target: proplink_shared::records::SlaTarget) -> String {
    use proplink_shared::records::SlaTarget;
    match target {
        SlaTarget::Hours(1) => "1 hour".into(),
        SlaTarget::Hours(h) => format!("{h} hours"),
        SlaTarget::WorkingDays(1) => "1 working day".into(),
        SlaTarget::WorkingDays(d) => format!("{d} working days"),
    }
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
}

async fn reply(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<Response> {
    let outcome = tickets::add_entry(&app, me.actor(), id, &form.body, false).await;
    match sent_back("reply", outcome, vec![("body", form.body)])? {
        None => Ok(Redirect::to(&format!("/requests/{id}?done=replied")).into_response()),
        Some((status, draft)) => Ok((
            status,
            respond(&request_page(&app, &me, id, "", Some(&draft)).await?),
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default)]
    request: String,
}

async fn add_me(
    State(app): State<App>,
    me: Resident,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: TicketId = form.request.parse().map_err(|_| AppError::NotFound)?;
    requests::add_me(&app, me.actor(), id).await?;
    Ok(Redirect::to(&format!("/requests/{id}?done=joined")).into_response())
}

async fn photo(
    State(app): State<App>,
    me: Resident,
    Path((id, sha)): Path<(TicketId, String)>,
) -> AppResult<Response> {
    let (t, _) = tickets::ticket(&app, me.actor(), id).await?;
    let photos = requests::photos_of(&app, me.actor(), &t).await?;
    crate::doors::admin::photos::response(&app, me.actor(), &photos, &sha).await
}
