//! Notices to residents: the list, publishing one to the organisation, a site or a building,
//! and each notice's page where it is corrected (a stale edit refused).

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::london::format_date;
use proplink_shared::records::{NewNotice, RecordType, ValidationErrors};
use proplink_shared::{Action, BuildingId, Domain, NoticeId, Resource, SiteId, authorize};
use serde::Deserialize;
use time::Duration;

use super::Staff;
use super::forms::{Done, Draft, Filler, answer, date_field, sent_back};
use super::view::{
    ListParams, TrailParams, invalid_filter, may_create_somewhere, select, site_filter,
    text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, ListPage, RecordPage, Section, Table, headers,
    respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{self, notices, places};
use crate::store::notices::{Notice, NoticeFilter, NoticePlace};

pub fn router() -> Router<App> {
    Router::new()
        .route("/notices", get(list).post(publish))
        .route("/notices/new", get(new_form))
        .route("/notices/{id}", get(notice))
        .route("/notices/{id}/edit", post(edit))
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let filter = NoticeFilter {
        site: params.site()?,
        current_on: match params.status.as_deref().map(str::trim) {
            Some("current") => Some(services::today(&app)),
            Some("") | None => None,
            Some(_) => return Err(invalid_filter("status")),
        },
        text: params.text(),
    };
    let page = notices::notices(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/notices", &page);
    let rows = page
        .items
        .iter()
        .map(|n| {
            vec![
                Cell::link(&n.title, format!("/notices/{}", n.id)),
                Cell::date(n.publish_on),
                Cell::text(n.expires_on.map_or_else(|| "—".into(), format_date)),
                if n.urgent {
                    Cell::tag("Urgent", "red")
                } else {
                    Cell::text("")
                },
                Cell::text(&n.place),
            ]
        })
        .collect();
    let table = Table {
        caption: "Notices to residents, newest first".into(),
        headers: headers(&["Title", "Published", "Expires", "Urgency", "For"]),
        rows,
        empty: "No notices match.".into(),
    };
    let sites = places::site_choices(&app, staff.actor()).await?;
    let filters = vec![
        site_filter(&sites, params.site.as_deref()),
        select(
            "status",
            "Showing",
            [("current".to_owned(), "Current only".to_owned())],
            params.status.as_deref(),
        ),
        text_filter("Title", params.q.as_deref()),
    ];
    let links = if may_create_somewhere(&app, &staff, Domain::Notices).await? {
        vec![("Publish a notice".to_owned(), "/notices/new".to_owned())]
    } else {
        Vec::new()
    };
    Ok(respond(&ListPage {
        chrome: staff.chrome("/notices"),
        title: "Notices".into(),
        intro: None,
        links,
        filters,
        action: "/notices",
        table,
        pager,
    }))
}

/// The places something can be filed: each site, each building, and (when `whole`) the
/// organisation as a whole.
pub(super) async fn place_choices(
    app: &App,
    staff: &Staff,
    chosen: &str,
    whole: bool,
) -> AppResult<Vec<Choice>> {
    let actor = staff.actor();
    let sites = places::site_choices(app, actor).await?;
    let mut choices = vec![Choice {
        value: String::new(),
        label: if whole {
            "The whole organisation".into()
        } else {
            "Choose a site or building".into()
        },
        selected: chosen.is_empty(),
    }];
    for (id, name) in &sites {
        let value = format!("site:{id}");
        choices.push(Choice {
            selected: value == chosen,
            value,
            label: format!("Everyone at {name}"),
        });
    }
    for b in places::buildings(app, actor).await? {
        let site = sites
            .iter()
            .find(|(s, _)| *s == b.site_id)
            .map_or("", |(_, n)| n.as_str());
        let value = format!("building:{}:{}", b.site_id, b.id);
        choices.push(Choice {
            selected: value == chosen,
            value,
            label: format!("{} only ({site})", b.name),
        });
    }
    Ok(choices)
}

pub(super) fn parse_place(text: &str) -> AppResult<NoticePlace> {
    let bad = || AppError::invalid("place", "Choose who the notice is for");
    match text.split(':').collect::<Vec<_>>().as_slice() {
        [""] => Ok(NoticePlace::Organisation),
        ["site", site] => Ok(NoticePlace::Site(
            site.parse::<SiteId>().map_err(|_| bad())?,
        )),
        ["building", site, building] => Ok(NoticePlace::Building(
            site.parse::<SiteId>().map_err(|_| bad())?,
            building.parse::<BuildingId>().map_err(|_| bad())?,
        )),
        _ => Err(bad()),
    }
}

/// The fields of a notice: what it says, when it shows, how urgent.
fn notice_fields(
    fill: Filler<'_>,
    form: &'static str,
    current: Option<&Notice>,
    today: time::Date,
) -> Vec<Field> {
    let date = crate::store::date_text;
    let (title, body, publish, expires, urgent) = match current {
        Some(n) => (
            n.title.clone(),
            n.body.clone(),
            date(n.publish_on),
            n.expires_on.map(date).unwrap_or_default(),
            if n.urgent { "yes" } else { "no" },
        ),
        None => (
            String::new(),
            String::new(),
            date(today),
            date(today + Duration::days(30)),
            "no",
        ),
    };
    let urgent = fill.value(form, "urgent", urgent);
    vec![
        Field {
            name: "title",
            label: "Title",
            hint: None,
            input: Input::Text(fill.value(form, "title", &title)),
            error: fill.error(form, "title"),
        },
        Field {
            name: "body",
            label: "Notice",
            hint: Some("What residents need to know. A blank line starts a new paragraph."),
            input: Input::TextArea(fill.value(form, "body", &body)),
            error: fill.error(form, "body"),
        },
        Field {
            name: "publish_on",
            label: "Show from",
            hint: None,
            input: Input::Date(fill.value(form, "publish_on", &publish)),
            error: fill.error(form, "publish_on"),
        },
        Field {
            name: "expires_on",
            label: "Take down on (optional)",
            hint: Some("Left empty, the notice shows until it is changed."),
            input: Input::Date(fill.value(form, "expires_on", &expires)),
            error: fill.error(form, "expires_on"),
        },
        Field {
            name: "urgent",
            label: "Urgency",
            hint: Some(
                "Urgent notices are shown first and in red, on every page of ResidencePort.",
            ),
            input: Input::Select(
                [("no", "Not urgent"), ("yes", "Urgent")]
                    .iter()
                    .map(|(v, l)| Choice {
                        value: (*v).to_owned(),
                        label: (*l).to_owned(),
                        selected: *v == urgent,
                    })
                    .collect(),
            ),
            error: fill.error(form, "urgent"),
        },
    ]
}

async fn new_page(app: &App, staff: &Staff, draft: Option<Draft>) -> AppResult<RecordPage> {
    if !may_create_somewhere(app, staff, Domain::Notices).await? {
        return Err(AppError::Forbidden);
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut fields = vec![Field {
        name: "place",
        label: "For",
        hint: None,
        input: Input::Select(
            place_choices(app, staff, &fill.value("new", "place", ""), true).await?,
        ),
        error: fill.error("new", "place"),
    }];
    fields.extend(notice_fields(fill, "new", None, services::today(app)));
    Ok(RecordPage {
        chrome: staff.chrome("/notices"),
        title: "Publish a notice".into(),
        caption: Some("Notices".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: Vec::new(),
        actions: Actions {
            notice: None,
            problems: draft.as_ref().map(Draft::problems).unwrap_or_default(),
            forms: vec![Form {
                id: "new",
                heading: "The notice",
                action: "/notices".into(),
                hidden: Vec::new(),
                fields,
                submit: "Publish notice",
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
struct NoticeForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    publish_on: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    urgent: String,
}

impl NoticeForm {
    fn validate(&self) -> AppResult<NewNotice> {
        let mut errors = ValidationErrors::default();
        let publish_on = date_field(
            &mut errors,
            "publish_on",
            "date it shows from",
            &self.publish_on,
        );
        let expires_on = if self.expires_on.trim().is_empty() {
            None
        } else {
            date_field(
                &mut errors,
                "expires_on",
                "date it is taken down",
                &self.expires_on,
            )
        };
        let urgent = match self.urgent.as_str() {
            "yes" => true,
            "no" | "" => false,
            _ => {
                errors.add("urgent", "Choose whether the notice is urgent");
                false
            }
        };
        let checked = NewNotice::validate(
            &self.title,
            &self.body,
            publish_on.unwrap_or(time::Date::MIN),
            expires_on,
            urgent,
        );
        match (checked, publish_on) {
            (Ok(n), Some(_)) if errors.0.is_empty() => Ok(n),
            (Ok(_), _) => Err(AppError::Invalid(errors)),
            (Err(e), _) => {
                for err in e.0 {
                    if !errors.0.iter().any(|x| x.field == err.field) {
                        errors.0.push(err);
                    }
                }
                Err(AppError::Invalid(errors))
            }
        }
    }

    fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("version", self.version),
            ("place", self.place),
            ("title", self.title),
            ("body", self.body),
            ("publish_on", self.publish_on),
            ("expires_on", self.expires_on),
            ("urgent", self.urgent),
        ]
    }
}

async fn publish(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<NoticeForm>,
) -> AppResult<Response> {
    let outcome = match (parse_place(&form.place), form.validate()) {
        (Ok(place), Ok(new)) => notices::publish(&app, staff.actor(), place, &new).await,
        (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
            a.0.extend(b.0);
            Err(AppError::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/notices/{id}?done=published")).into_response()),
        Err(e) => match sent_back("new", Err(e), form.typed())? {
            Some((status, draft)) => {
                Ok((status, respond(&new_page(&app, &staff, Some(draft)).await?)).into_response())
            }
            None => Ok(Redirect::to("/notices").into_response()),
        },
    }
}

fn notice_message(form: &str) -> Option<String> {
    Some(
        match form {
            "published" => "The notice was published.",
            "edit" => "The notice was changed.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn notice(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let message = done.done.as_deref().and_then(notice_message);
    Ok(respond(
        &notice_page(&app, &staff, id, &at, message, None).await?,
    ))
}

async fn notice_page(
    app: &App,
    staff: &Staff,
    id: NoticeId,
    at: &TrailParams,
    message: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let n = notices::notice(app, actor, id).await?;
    let today = services::today(app);
    let showing = if n.publish_on > today {
        Cell::tag("Scheduled", "amber")
    } else if n.expires_on.is_some_and(|e| e <= today) {
        Cell::tag("Taken down", "grey")
    } else {
        Cell::tag("Showing", "green")
    };
    let summary = vec![
        ("Status".into(), showing),
        ("For".into(), Cell::text(&n.place)),
        ("Shows from".into(), Cell::date(n.publish_on)),
        (
            "Taken down on".into(),
            Cell::text(n.expires_on.map_or_else(|| "—".into(), format_date)),
        ),
        (
            "Urgency".into(),
            if n.urgent {
                Cell::tag("Urgent", "red")
            } else {
                Cell::text("Not urgent")
            },
        ),
    ];
    let mut res = Resource::org_wide(actor.org, Domain::Notices);
    res.site = n.site_id;
    res.building = n.building_id;
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(actor, Action::Update, &res).is_ok() {
        let version = fill.value("edit", "version", &n.version.to_string());
        forms.push(Form {
            id: "edit",
            heading: "Change the notice",
            action: format!("/notices/{id}/edit"),
            hidden: vec![("version", version)],
            fields: notice_fields(fill, "edit", Some(&n), today),
            submit: "Save notice",
            warning: false,
        });
    }
    let audit = trail(app, staff, RecordType::Notice, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/notices"),
        title: n.title.clone(),
        caption: Some("Notice".into()),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: "What residents read".into(),
            paragraphs: crate::doors::pages::paragraphs(&n.body),
            ..Section::default()
        }],
        actions: Actions::answering(message, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn edit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    CsrfForm(form): CsrfForm<NoticeForm>,
) -> AppResult<Response> {
    let outcome = match (form.validate(), form.version.parse::<i64>()) {
        (Ok(new), Ok(version)) => notices::update(&app, staff.actor(), id, version, &new).await,
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    let done = format!("/notices/{id}?done=edit");
    let first = TrailParams::default();
    answer("edit", outcome, form.typed(), done, |draft| {
        notice_page(&app, &staff, id, &first, None, Some(draft))
    })
    .await
}
