//! Tickets: the queue with its filters and SLA badges, and each ticket's page, where staff
//! reply, add internal notes, triage, assign and move it along its states.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::london::format_date_time;
use proplink_shared::records::{EntryKind, Priority, RecordType, TicketCategory, sla_badge};
use proplink_shared::states::{CloseReason, TicketStatus};
use proplink_shared::{Action, Domain, StaffUserId, TicketId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Filler, answer, none_choice, options};
use super::view::{
    ListParams, TrailParams, age_filter, codes, list_page, select, site_filter, status_tone,
    text_filter, trail,
};
use super::work_orders::NewWorkOrderForm;
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Entry, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{places, tickets, work_orders};
use crate::store::requests::{Openness, Ticket, TicketFilter};

pub fn router() -> Router<App> {
    Router::new()
        .route("/tickets", get(list))
        .route("/tickets/{id}", get(ticket))
        .route("/tickets/{id}/reply", post(reply))
        .route("/tickets/{id}/note", post(note))
        .route("/tickets/{id}/triage", post(triage))
        .route("/tickets/{id}/assign", post(assign))
        .route("/tickets/{id}/status", post(move_to))
        .route("/tickets/{id}/work-order", post(create_work_order))
        .route("/tickets/{id}/photos/{sha}", get(photo))
}

/// The SLA badge of an open ticket against its resolution target.
pub fn sla_cell(t: &Ticket, now: time::OffsetDateTime) -> Cell {
    if t.status.is_terminal() {
        return Cell::tag("Closed", "grey");
    }
    let (_, resolution) = t.priority.sla();
    let badge = sla_badge(t.sla_from, resolution.due(t.sla_from), now);
    Cell::tag(badge.label(), badge.code())
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let now = app.clock.now();
    let (status, openness) = match params.status.as_deref() {
        Some("open") => (None, Openness::Open),
        _ => (
            params.coded(&params.status, "status", TicketStatus::from_code)?,
            Openness::Any,
        ),
    };
    let filter = TicketFilter {
        site: params.site()?,
        status,
        openness,
        priority: params.coded(&params.priority, "priority", Priority::from_code)?,
        raised_before: params.older_than(now)?,
        text: params.text(),
    };
    let page = tickets::tickets(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/tickets", &page);
    let rows = page
        .items
        .iter()
        .map(|t| {
            vec![
                Cell::link(&t.reference, format!("/tickets/{}", t.id)),
                Cell::text(&t.subject),
                Cell::text(&t.site_name),
                Cell::text(t.priority.label()),
                Cell::tag(t.status.label(), status_tone(t.status.is_terminal())),
                sla_cell(t, now),
            ]
        })
        .collect();
    let table = Table {
        caption: "Tickets, newest first".into(),
        headers: headers(&["Reference", "Subject", "Site", "Priority", "Status", "SLA"]),
        rows,
        empty: "No tickets match.".into(),
    };
    let sites = places::site_choices(&app, staff.actor()).await?;
    let mut statuses = vec![("open".to_owned(), "Not closed".to_owned())];
    statuses.extend(codes(
        TicketStatus::ALL,
        TicketStatus::code,
        TicketStatus::label,
    ));
    let filters = vec![
        site_filter(&sites, params.site.as_deref()),
        select("status", "Status", statuses, params.status.as_deref()),
        select(
            "priority",
            "Priority",
            codes(Priority::ALL, Priority::code, Priority::label),
            params.priority.as_deref(),
        ),
        age_filter(params.age.as_deref()),
        text_filter("Subject or reference", params.q.as_deref()),
    ];
    Ok(list_page(
        &staff, "/tickets", "Tickets", filters, table, pager,
    ))
}

async fn ticket(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    let page = ticket_page(&app, &staff, id, &at, notice, None).await?;
    Ok(respond(&page))
}

/// What the page says after a form went through.
fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "reply" => "Your reply was added to the conversation.",
            "note" => "Your internal note was added. Only staff see it.",
            "triage" => "The request was triaged. Its SLA targets start again from now.",
            "assign" => "The request's assignee was changed.",
            "status" => "The request's status was changed.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// The forms the actor may use on `t`, filled with what they typed last time.
async fn forms(
    app: &App,
    staff: &Staff,
    t: &Ticket,
    draft: Option<&Draft>,
) -> AppResult<Vec<Form>> {
    let actor = staff.actor();
    let res = tickets::resource(actor, t);
    let may = |action| authorize(actor, action, &res).is_ok();
    let fill = Filler { draft };
    let typed = |form: &str, field: &str, default: &str| fill.value(form, field, default);
    let error = |form: &str, field: &str| fill.error(form, field);
    let action = |what: &str| format!("/tickets/{}/{what}", t.id);
    let version = vec![("version", t.version.to_string())];
    let mut forms = Vec::new();
    if may(Action::Reply) && t.status != TicketStatus::Closed {
        forms.push(Form {
            id: "reply",
            heading: "Reply",
            action: action("reply"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "body",
                label: "Message",
                hint: Some(
                    "Everyone on the request sees this, the resident who raised it included.",
                ),
                input: Input::TextArea(typed("reply", "body", "")),
                error: error("reply", "body"),
            }],
            submit: "Send reply",
            warning: false,
        });
    }
    if may(Action::AddInternalNote) {
        forms.push(Form {
            id: "note",
            heading: "Internal note",
            action: action("note"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "body",
                label: "Note",
                hint: Some("Only staff see internal notes, never the resident."),
                input: Input::TextArea(typed("note", "body", "")),
                error: error("note", "body"),
            }],
            submit: "Add internal note",
            warning: false,
        });
    }
    forms.extend(super::issue_forms::ticket_issue_form(staff, t, draft));
    let work_here = proplink_shared::Resource::on_site(actor.org, Domain::WorkOrders, t.site_id);
    if !t.status.is_terminal() && authorize(actor, Action::Create, &work_here).is_ok() {
        forms.push(super::work_orders::new_work_order_form(
            action("work-order"),
            fill,
            "Issues logged against this request join the work order.",
            (&t.subject, "", t.priority),
        ));
    }
    if !may(Action::Update) {
        return Ok(forms);
    }
    if !t.status.is_terminal() {
        forms.push(Form {
            id: "triage",
            heading: "Triage",
            action: action("triage"),
            hidden: version.clone(),
            fields: vec![
                Field {
                    name: "category",
                    label: "Category",
                    hint: None,
                    input: Input::Select(options(
                        TicketCategory::ALL,
                        TicketCategory::code,
                        TicketCategory::label,
                        &typed("triage", "category", t.category.code()),
                    )),
                    error: error("triage", "category"),
                },
                Field {
                    name: "priority",
                    label: "Priority",
                    hint: Some("Saving restarts the SLA targets from now, for this priority."),
                    input: Input::Select(options(
                        Priority::ALL,
                        Priority::code,
                        Priority::label,
                        &typed("triage", "priority", t.priority.code()),
                    )),
                    error: error("triage", "priority"),
                },
            ],
            submit: "Save triage",
            warning: false,
        });
    }
    let current = t.assignee_id.map(|a| a.to_string()).unwrap_or_default();
    let chosen = typed("assign", "assignee", &current);
    let people = super::forms::staff_choices(tickets::assignable(app, actor, t).await?, &chosen);
    forms.push(Form {
        id: "assign",
        heading: "Assign",
        action: action("assign"),
        hidden: version.clone(),
        fields: vec![Field {
            name: "assignee",
            label: "Assigned to",
            hint: Some("Only staff who work on this request's site are listed."),
            input: Input::Select(people),
            error: error("assign", "assignee"),
        }],
        submit: "Assign",
        warning: false,
    });
    let next = t.status.next_states();
    let chosen = typed("status", "status", next.first().map_or("", |s| s.code()));
    let reason = typed("status", "reason", "");
    let mut reasons = vec![none_choice("Not closing", reason.is_empty())];
    reasons.extend(options(
        CloseReason::ALL,
        CloseReason::code,
        CloseReason::label,
        &reason,
    ));
    forms.push(Form {
        id: "status",
        heading: "Status",
        action: action("status"),
        hidden: version,
        fields: vec![
            Field {
                name: "status",
                label: "Move to",
                hint: None,
                input: Input::Select(options(
                    next,
                    TicketStatus::code,
                    TicketStatus::label,
                    &chosen,
                )),
                error: error("status", "status"),
            },
            Field {
                name: "reason",
                label: "Reason for closing",
                hint: Some("Needed only to close the request."),
                input: Input::Select(reasons),
                error: error("status", "reason"),
            },
        ],
        submit: "Change status",
        warning: false,
    });
    Ok(forms)
}

async fn ticket_page(
    app: &App,
    staff: &Staff,
    id: TicketId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let (t, entries) = tickets::ticket(app, staff.actor(), id).await?;
    let (first, resolution) = t.priority.sla();
    let mut summary = vec![
        (
            "Status".into(),
            Cell::tag(t.status.label(), status_tone(t.status.is_terminal())),
        ),
        ("Subject".into(), Cell::text(&t.subject)),
        (
            "Site".into(),
            Cell::link(&t.site_name, format!("/sites/{}", t.site_id)),
        ),
        ("Category".into(), Cell::text(t.category.label())),
        ("Priority".into(), Cell::text(t.priority.label())),
        (
            "Reported by".into(),
            match (t.reporter_contact_id, &t.reporter_name) {
                (Some(c), Some(name)) => Cell::link(name, format!("/contacts/{c}")),
                _ => Cell::text("Staff"),
            },
        ),
        (
            "Assigned to".into(),
            Cell::text(
                t.assignee_name
                    .clone()
                    .unwrap_or_else(|| "Unassigned".into()),
            ),
        ),
        (
            "Raised".into(),
            Cell::text(format!(
                "{} via {}",
                format_date_time(t.created_at),
                t.source.label()
            )),
        ),
        (
            "First response due".into(),
            Cell::when(first.due(t.sla_from)),
        ),
    ];
    if let Some(unit) = t.unit_id {
        summary.insert(
            3,
            (
                "Unit".into(),
                Cell::link(
                    t.location.clone().unwrap_or_else(|| "View unit".into()),
                    format!("/units/{unit}"),
                ),
            ),
        );
    }
    if let (Some(area), Some(building)) = (t.area, &t.location) {
        summary.insert(
            3,
            (
                "Where".into(),
                Cell::text(format!("{}, {building} (a shared area)", area.label())),
            ),
        );
    }
    let followers = tickets::followers(app, staff.actor(), &t).await?;
    if !followers.is_empty() {
        summary.push((
            "Also affected".into(),
            Cell::text(format!(
                "{}: added themselves on ResidencePort",
                followers.join(", ")
            )),
        ));
    }
    match (t.closed_at, t.close_reason) {
        (Some(at), Some(reason)) => summary.push((
            "Closed".into(),
            Cell::text(format!("{} ({})", format_date_time(at), reason.label())),
        )),
        _ => {
            let due = resolution.due(t.sla_from);
            let badge = sla_badge(t.sla_from, due, app.clock.now());
            summary.push((
                "Resolution due".into(),
                Cell::tag(
                    format!("{} – {}", format_date_time(due), badge.label()),
                    badge.code(),
                ),
            ));
        }
    }
    let thread = entries
        .iter()
        .map(|e| {
            let internal = e.kind == EntryKind::InternalNote;
            Entry {
                meta: format!(
                    "{} · {} via {}{}",
                    e.author_name,
                    format_date_time(e.created_at),
                    e.channel.label(),
                    if internal { " · internal note" } else { "" }
                ),
                body: e.body.clone(),
                internal,
            }
        })
        .collect();
    let audit = trail(app, staff, RecordType::Ticket, &id.to_string(), at).await?;
    let photos = crate::services::requests::photos_of(app, staff.actor(), &t).await?;
    let forms = forms(app, staff, &t, draft.as_ref()).await?;
    let problems = draft.as_ref().map(Draft::problems).unwrap_or_default();
    Ok(RecordPage {
        chrome: staff.chrome("/tickets"),
        title: format!("{}: {}", t.reference, t.subject),
        caption: Some("Ticket".into()),
        cards: Vec::new(),
        summary,
        sections: {
            let mut sections = vec![Section {
                heading: "Conversation".into(),
                entries: thread,
                ..Section::default()
            }];
            if !photos.is_empty() {
                sections.push(super::photos::section(&format!("/tickets/{id}"), &photos));
            }
            sections
        },
        actions: Actions {
            notice,
            problems,
            forms,
        },
        audit: Some(audit),
    })
}

async fn photo(
    State(app): State<App>,
    staff: Staff,
    Path((id, sha)): Path<(TicketId, String)>,
) -> AppResult<Response> {
    let (t, _) = tickets::ticket(&app, staff.actor(), id).await?;
    let photos = crate::services::requests::photos_of(&app, staff.actor(), &t).await?;
    super::photos::response(&app, staff.actor(), &photos, &sha).await
}

/// After a form: on to the ticket's page, or back to the form with what was wrong and what
/// was typed.
pub(super) async fn after(
    app: &App,
    staff: &Staff,
    id: TicketId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/tickets/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        ticket_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn reply(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> AppResult<Response> {
    let outcome = tickets::add_entry(&app, staff.actor(), id, &form.body, false).await;
    after(
        &app,
        &staff,
        id,
        "reply",
        outcome,
        vec![("body", form.body)],
    )
    .await
}

async fn note(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> AppResult<Response> {
    let outcome = tickets::add_entry(&app, staff.actor(), id, &form.body, true).await;
    after(&app, &staff, id, "note", outcome, vec![("body", form.body)]).await
}

/// The version a form was filled in against; a form without one was not made by this page.
fn version(text: &str) -> AppResult<i64> {
    text.parse().map_err(|_| {
        AppError::bad_request(
            "bad_form",
            "The form is missing its version: reload the page and try again",
        )
    })
}

#[derive(Deserialize)]
struct TriageForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    priority: String,
}

async fn triage(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<TriageForm>,
) -> AppResult<Response> {
    let version = version(&form.version)?;
    let mut errors = proplink_shared::records::ValidationErrors::default();
    let category = TicketCategory::from_code(&form.category);
    if category.is_none() {
        errors.add("category", "Choose a category");
    }
    let priority = Priority::from_code(&form.priority);
    if priority.is_none() {
        errors.add("priority", "Choose a priority");
    }
    let outcome = match (category, priority) {
        (Some(c), Some(p)) => tickets::triage(&app, staff.actor(), id, version, c, p).await,
        _ => Err(AppError::Invalid(errors)),
    };
    let typed = vec![("category", form.category), ("priority", form.priority)];
    after(&app, &staff, id, "triage", outcome, typed).await
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    assignee: String,
}

async fn assign(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> AppResult<Response> {
    let version = version(&form.version)?;
    let outcome = match form.assignee.as_str() {
        "" => tickets::assign(&app, staff.actor(), id, version, None).await,
        text => match text.parse::<StaffUserId>() {
            Ok(user) => tickets::assign(&app, staff.actor(), id, version, Some(user)).await,
            Err(_) => Err(AppError::invalid(
                "assignee",
                "Choose who to assign the request to",
            )),
        },
    };
    after(
        &app,
        &staff,
        id,
        "assign",
        outcome,
        vec![("assignee", form.assignee)],
    )
    .await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

async fn move_to(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let version = version(&form.version)?;
    let reason = CloseReason::ALL
        .iter()
        .copied()
        .find(|r| r.code() == form.reason);
    let outcome = match TicketStatus::from_code(&form.status) {
        None => Err(AppError::invalid(
            "status",
            "Choose the status to move the request to",
        )),
        Some(TicketStatus::Closed) if reason.is_none() => Err(AppError::invalid(
            "reason",
            "Choose why the request is being closed",
        )),
        Some(to) => {
            let reason = reason.filter(|_| to == TicketStatus::Closed);
            tickets::move_ticket(&app, staff.actor(), id, Some(version), to, reason).await
        }
    };
    let typed = vec![("status", form.status), ("reason", form.reason)];
    after(&app, &staff, id, "status", outcome, typed).await
}

async fn create_work_order(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<NewWorkOrderForm>,
) -> AppResult<Response> {
    let created = match form.validate(&app) {
        Ok(new) => work_orders::create_from_ticket(&app, staff.actor(), id, &new).await,
        Err(e) => Err(e),
    };
    let refused = match created {
        Ok(w) => return Ok(Redirect::to(&format!("/work-orders/{w}?done=created")).into_response()),
        Err(e) => e,
    };
    after(&app, &staff, id, "work-order", Err(refused), form.typed()).await
}
