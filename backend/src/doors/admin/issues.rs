//! Issues logged on site: the list with its filters, each issue, and its photos.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::london::format_date_time;
use proplink_shared::records::{Priority, RecordType};
use proplink_shared::states::IssueStatus;
use proplink_shared::{Action, Domain, IssueId, Resource, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Filler, answer, options};
use super::view::{
    ListParams, TrailParams, age_filter, codes, select, site_filter, status_tone, text_filter,
    trail,
};
use super::work_orders::{NewWorkOrderForm, new_work_order_form};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Field, Form, Input, ListPage, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{issues, places, work_orders};
use crate::store::requests::Issue;
use crate::store::requests::{IssueFilter, Openness};

pub fn router() -> Router<App> {
    Router::new()
        .route("/issues", get(list))
        .route("/issues/{id}", get(issue))
        .route("/issues/{id}/status", post(move_to))
        .route("/issues/{id}/work-order", post(create_work_order))
        .route("/issues/{id}/photos/{sha}", get(photo))
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let (status, openness) = match params.status.as_deref() {
        Some("open") => (None, Openness::Open),
        _ => (
            params.coded(&params.status, "status", IssueStatus::from_code)?,
            Openness::Any,
        ),
    };
    let filter = IssueFilter {
        site: params.site()?,
        status,
        openness,
        priority: params.coded(&params.priority, "priority", Priority::from_code)?,
        logged_before: params.older_than(app.clock.now())?,
        text: params.text(),
    };
    let page = issues::issues(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/issues", &page);
    let rows = page
        .items
        .iter()
        .map(|i| {
            vec![
                Cell::link(&i.title, format!("/issues/{}", i.id)),
                Cell::text(&i.site_name),
                Cell::text(&i.location),
                Cell::text(i.priority.label()),
                Cell::tag(i.status.label(), status_tone(i.status.is_terminal())),
                Cell::when(i.created_at),
            ]
        })
        .collect();
    let table = Table {
        caption: "Issues logged on site, newest first".into(),
        headers: headers(&["Issue", "Site", "Location", "Priority", "Status", "Logged"]),
        rows,
        empty: "No issues match.".into(),
    };
    let sites = places::site_choices(&app, staff.actor()).await?;
    let mut statuses = vec![("open".to_owned(), "Not resolved or dismissed".to_owned())];
    statuses.extend(codes(
        IssueStatus::ALL,
        IssueStatus::code,
        IssueStatus::label,
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
        text_filter("Title or location", params.q.as_deref()),
    ];
    Ok(respond(&ListPage {
        chrome: staff.chrome("/issues"),
        title: "Issues".into(),
        intro: None,
        links: if super::view::may_create_somewhere(&app, &staff, Domain::Issues).await? {
            vec![("Raise an issue".to_owned(), "/issues/new".to_owned())]
        } else {
            Vec::new()
        },
        filters,
        action: "/issues",
        table,
        pager,
    }))
}

async fn issue(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<IssueId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = match done.done.as_deref() {
        Some("status") => Some("The issue's status was changed.".to_owned()),
        Some("created") => Some("The issue was raised.".to_owned()),
        Some("edit") => Some("The issue was corrected.".to_owned()),
        _ => None,
    };
    Ok(respond(
        &issue_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

/// The forms the actor may use on the issue as it stands.
fn forms(staff: &Staff, i: &Issue, draft: Option<&Draft>) -> Vec<Form> {
    let actor = staff.actor();
    let fill = Filler { draft };
    let action = |what: &str| format!("/issues/{}/{what}", i.id);
    let mut forms = Vec::new();
    if i.status.is_terminal() {
        return forms;
    }
    let work_here = Resource::on_site(actor.org, Domain::WorkOrders, i.site_id);
    if i.work_order_id.is_none() && authorize(actor, Action::Create, &work_here).is_ok() {
        forms.push(new_work_order_form(
            action("work-order"),
            fill,
            "The issue joins the work order and is resolved when it closes.",
            (&i.title, &i.description, i.priority),
        ));
    }
    if authorize(actor, Action::Update, &issues::resource(actor, i)).is_ok() {
        let next = i.status.next_states();
        let chosen = fill.value("status", "status", next.first().map_or("", |s| s.code()));
        forms.push(Form {
            id: "status",
            heading: "Status",
            action: action("status"),
            hidden: vec![("from", i.status.code().to_owned())],
            fields: vec![
                Field {
                    name: "status",
                    label: "Move to",
                    hint: None,
                    input: Input::Select(options(next, IssueStatus::code, IssueStatus::label, &chosen)),
                    error: fill.error("status", "status"),
                },
                Field {
                    name: "reason",
                    label: "Reason for dismissing",
                    hint: Some("Needed only to dismiss the issue: the site manager who logged it sees this."),
                    input: Input::Text(fill.value("status", "reason", "")),
                    error: fill.error("status", "reason"),
                },
            ],
            submit: "Change status",
            warning: false,
        });
    }
    forms
}

async fn issue_page(
    app: &App,
    staff: &Staff,
    id: IssueId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let (i, photos) = issues::issue(app, staff.actor(), id).await?;
    let mut summary = vec![
        (
            "Status".into(),
            Cell::tag(i.status.label(), status_tone(i.status.is_terminal())),
        ),
        (
            "Site".into(),
            Cell::link(&i.site_name, format!("/sites/{}", i.site_id)),
        ),
        ("Location".into(), Cell::text(&i.location)),
        ("Category".into(), Cell::text(i.category.label())),
        ("Priority".into(), Cell::text(i.priority.label())),
        (
            "Logged by".into(),
            Cell::text(format!(
                "{} on {}",
                i.reported_by,
                format_date_time(i.created_at)
            )),
        ),
    ];
    if let Some(reason) = &i.dismiss_reason {
        summary.push(("Dismissed because".into(), Cell::text(reason)));
    }
    if let Some(t) = i.ticket_id {
        summary.push((
            "Ticket".into(),
            Cell::link("View ticket", format!("/tickets/{t}")),
        ));
    }
    if let Some(w) = i.work_order_id {
        summary.push((
            "Work order".into(),
            Cell::link("View work order", format!("/work-orders/{w}")),
        ));
    }
    let mut sections = if i.description.is_empty() {
        Vec::new()
    } else {
        vec![Section {
            heading: "Description".into(),
            paragraphs: vec![i.description.clone()],
            ..Section::default()
        }]
    };
    sections.push(super::photos::section(&format!("/issues/{id}"), &photos));
    let audit = trail(app, staff, RecordType::Issue, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/issues"),
        title: i.title.clone(),
        caption: Some("Issue".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions {
            notice,
            problems: draft.as_ref().map(Draft::problems).unwrap_or_default(),
            forms: {
                let mut forms = forms(staff, &i, draft.as_ref());
                forms.extend(super::issue_forms::edit_form(staff, &i, draft.as_ref()));
                forms
            },
        },
        audit: Some(audit),
    })
}

/// Back to the issue's form with what was wrong, or on.
pub(super) async fn sent_back_to(
    app: &App,
    staff: &Staff,
    id: IssueId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/issues/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        issue_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

async fn move_to(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<IssueId>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let from = IssueStatus::from_code(&form.from).ok_or_else(|| {
        AppError::bad_request(
            "bad_form",
            "The form is missing the status it was filled in for: reload the page and try again",
        )
    })?;
    let outcome = match IssueStatus::from_code(&form.status) {
        None => Err(AppError::invalid(
            "status",
            "Choose the status to move the issue to",
        )),
        Some(to) => {
            issues::move_issue(&app, staff.actor(), id, Some(from), to, Some(&form.reason)).await
        }
    };
    let typed = vec![("status", form.status), ("reason", form.reason)];
    sent_back_to(&app, &staff, id, "status", outcome, typed).await
}

async fn create_work_order(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<IssueId>,
    CsrfForm(form): CsrfForm<NewWorkOrderForm>,
) -> AppResult<Response> {
    let created = match form.validate(&app) {
        Ok(new) => work_orders::create_from_issue(&app, staff.actor(), id, &new).await,
        Err(e) => Err(e),
    };
    let refused = match created {
        Ok(w) => return Ok(Redirect::to(&format!("/work-orders/{w}?done=created")).into_response()),
        Err(e) => e,
    };
    sent_back_to(&app, &staff, id, "work-order", Err(refused), form.typed()).await
}

async fn photo(
    State(app): State<App>,
    staff: Staff,
    Path((id, sha)): Path<(IssueId, String)>,
) -> AppResult<Response> {
    let (_, photos) = issues::issue(&app, staff.actor(), id).await?;
    super::photos::response(&app, staff.actor(), &photos, &sha).await
}
