//! A resident's requests: the list, reporting a problem (where first, so a problem in a shared
//! area already reported can be joined instead of reported again; then what, with photos),
//! and each request with its targets, its conversation and a reply.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::TicketId;
use proplink_shared::london::format_date_time;
use proplink_shared::records::{EntryKind, SlaState};
use serde::Deserialize;

use super::Resident;
use super::home::{requests_table, status_cell};
use crate::app::App;
use crate::doors::admin::forms::{Draft, Filler, sent_back};
use crate::doors::admin::view::ListParams;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Entry, Field, Form, Input, ListPage, RecordPage, Section, Table, headers,
    respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::requests;
use crate::services::tickets;
use crate::store::requests::Ticket;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/requests",
            get(list)
                .post(super::report::raise)
                .layer(DefaultBodyLimit::max(super::report::FORM_MAX)),
        )
        .route(
            "/requests/new",
            get(super::report::where_form).post(super::report::choose_place),
        )
        .route("/requests/new/details", get(super::report::details))
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
