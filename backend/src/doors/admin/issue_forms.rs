//! Raising a site issue from the office, and correcting one while it is open.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::records::{IssueCategory, NewIssue, Priority};
use proplink_shared::{Action, Domain, IssueId, Resource, TicketId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Draft, Filler, options, sent_back};
use super::notices::{parse_place, place_choices};
use super::view::may_create_somewhere;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Actions, Field, Form, Input, RecordPage, respond};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{issues, tickets};
use crate::store::notices::NoticePlace;
use crate::store::requests::{Issue, IssuePlace, Ticket};

pub fn router() -> Router<App> {
    Router::new()
        .route("/issues/new", get(new_form))
        .route("/issues", post(raise))
        .route("/issues/{id}/edit", post(edit))
        .route("/tickets/{id}/issue", post(from_ticket))
}

/// The form that logs a site issue from a request, for those who may log issues on its site.
pub(super) fn ticket_issue_form(staff: &Staff, t: &Ticket, draft: Option<&Draft>) -> Option<Form> {
    let actor = staff.actor();
    let here = Resource::on_site(actor.org, Domain::Issues, t.site_id);
    if t.status.is_terminal() || authorize(actor, Action::Create, &here).is_err() {
        return None;
    }
    let fill = Filler { draft };
    Some(Form {
        id: "issue",
        heading: "Log a site issue",
        action: format!("/tickets/{}/issue", t.id),
        hidden: Vec::new(),
        fields: issue_fields(
            fill,
            "issue",
            (
                &t.subject,
                "",
                "",
                IssueCategory::Other.code(),
                t.priority.code(),
            ),
        ),
        submit: "Log issue",
        warning: false,
    })
}

async fn from_ticket(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<TicketId>,
    CsrfForm(form): CsrfForm<IssueForm>,
) -> AppResult<Response> {
    let (t, _) = tickets::ticket(&app, staff.actor(), id).await?;
    let outcome = match form.validate() {
        Ok(new) => {
            let place = IssuePlace {
                site: t.site_id,
                building: None,
                ticket: Some(id),
            };
            issues::log(&app, staff.actor(), place, &new).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(issue) => Ok(Redirect::to(&format!("/issues/{issue}?done=created")).into_response()),
        Err(e) => super::tickets::after(&app, &staff, id, "issue", Err(e), form.typed()).await,
    }
}

/// What an issue says, filled from `current` (title, description, location, category,
/// priority).
fn issue_fields(
    fill: Filler<'_>,
    form: &'static str,
    current: (&str, &str, &str, &str, &str),
) -> Vec<Field> {
    let (title, description, location, category, priority) = current;
    vec![
        Field {
            name: "title",
            label: "What is wrong",
            hint: Some("Short, like \"Water coming through the plant room ceiling\"."),
            input: Input::Text(fill.value(form, "title", title)),
            error: fill.error(form, "title"),
        },
        Field {
            name: "location",
            label: "Where in the building",
            hint: Some("Floor, stairwell, room."),
            input: Input::Text(fill.value(form, "location", location)),
            error: fill.error(form, "location"),
        },
        Field {
            name: "description",
            label: "Details (optional)",
            hint: None,
            input: Input::TextArea(fill.value(form, "description", description)),
            error: fill.error(form, "description"),
        },
        Field {
            name: "category",
            label: "Category",
            hint: None,
            input: Input::Select(options(
                IssueCategory::ALL,
                IssueCategory::code,
                IssueCategory::label,
                &fill.value(form, "category", category),
            )),
            error: fill.error(form, "category"),
        },
        Field {
            name: "priority",
            label: "Priority",
            hint: None,
            input: Input::Select(options(
                Priority::ALL,
                Priority::code,
                Priority::label,
                &fill.value(form, "priority", priority),
            )),
            error: fill.error(form, "priority"),
        },
    ]
}

/// The form that corrects an open issue, for those who may.
pub(super) fn edit_form(staff: &Staff, i: &Issue, draft: Option<&Draft>) -> Option<Form> {
    let actor = staff.actor();
    if i.status.is_terminal()
        || authorize(actor, Action::Update, &issues::resource(actor, i)).is_err()
    {
        return None;
    }
    let fill = Filler { draft };
    Some(Form {
        id: "edit",
        heading: "Correct the issue",
        action: format!("/issues/{}/edit", i.id),
        hidden: vec![(
            "version",
            fill.value("edit", "version", &i.version.to_string()),
        )],
        fields: issue_fields(
            fill,
            "edit",
            (
                &i.title,
                &i.description,
                &i.location,
                i.category.code(),
                i.priority.code(),
            ),
        ),
        submit: "Save issue",
        warning: false,
    })
}

async fn new_page(app: &App, staff: &Staff, draft: Option<Draft>) -> AppResult<RecordPage> {
    if !may_create_somewhere(app, staff, Domain::Issues).await? {
        return Err(AppError::Forbidden);
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut fields = vec![Field {
        name: "place",
        label: "Where",
        hint: None,
        input: Input::Select(
            place_choices(app, staff, &fill.value("new", "place", ""), false).await?,
        ),
        error: fill.error("new", "place"),
    }];
    fields.extend(issue_fields(
        fill,
        "new",
        (
            "",
            "",
            "",
            IssueCategory::Other.code(),
            Priority::Medium.code(),
        ),
    ));
    Ok(RecordPage {
        chrome: staff.chrome("/issues"),
        title: "Raise an issue".into(),
        caption: Some("Issues".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: Vec::new(),
        actions: Actions {
            notice: None,
            problems: draft.as_ref().map(Draft::problems).unwrap_or_default(),
            forms: vec![Form {
                id: "new",
                heading: "The issue",
                action: "/issues".into(),
                hidden: Vec::new(),
                fields,
                submit: "Raise issue",
                warning: false,
            }],
        },
        audit: None,
    })
}

async fn new_form(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    Ok(respond(&new_page(&app, &staff, None).await?))
}

#[derive(Deserialize)]
struct IssueForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    priority: String,
}

impl IssueForm {
    fn validate(&self) -> AppResult<NewIssue> {
        NewIssue::validate(
            &self.title,
            &self.description,
            &self.location,
            &self.category,
            &self.priority,
        )
        .map_err(AppError::Invalid)
    }

    fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("version", self.version),
            ("place", self.place),
            ("title", self.title),
            ("description", self.description),
            ("location", self.location),
            ("category", self.category),
            ("priority", self.priority),
        ]
    }
}

async fn raise(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<IssueForm>,
) -> AppResult<Response> {
    let place = match parse_place(&form.place) {
        Ok(NoticePlace::Site(site)) => Ok(IssuePlace {
            site,
            building: None,
            ticket: None,
        }),
        Ok(NoticePlace::Building(site, building)) => Ok(IssuePlace {
            site,
            building: Some(building),
            ticket: None,
        }),
        _ => Err(AppError::invalid(
            "place",
            "Choose the site or building it is at",
        )),
    };
    let outcome = match (place, form.validate()) {
        (Ok(place), Ok(new)) => issues::log(&app, staff.actor(), place, &new).await,
        (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
            a.0.extend(b.0);
            Err(AppError::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/issues/{id}?done=created")).into_response()),
        Err(e) => match sent_back("new", Err(e), form.typed())? {
            Some((status, draft)) => {
                Ok((status, respond(&new_page(&app, &staff, Some(draft)).await?)).into_response())
            }
            None => Ok(Redirect::to("/issues").into_response()),
        },
    }
}

async fn edit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<IssueId>,
    CsrfForm(form): CsrfForm<IssueForm>,
) -> AppResult<Response> {
    let outcome = match (form.validate(), form.version.parse::<i64>()) {
        (Ok(new), Ok(version)) => issues::update(&app, staff.actor(), id, version, &new).await,
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    super::issues::sent_back_to(&app, &staff, id, "edit", outcome, form.typed()).await
}
