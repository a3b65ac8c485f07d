//! Issues logged on site: the list with its filters, each issue, and its photos.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::IssueId;
use proplink_shared::london::format_date_time;
use proplink_shared::records::{Priority, RecordType};
use proplink_shared::states::IssueStatus;

use super::Staff;
use super::view::{
    ListParams, TrailParams, age_filter, codes, list_page, record_page, select, site_filter,
    status_tone, text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Section, Table, headers};
use crate::error::AppResult;
use crate::services::{issues, places};
use crate::store::requests::{IssueFilter, Openness};

pub fn router() -> Router<App> {
    Router::new()
        .route("/issues", get(list))
        .route("/issues/{id}", get(issue))
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
    Ok(list_page(
        &staff, "/issues", "Issues", filters, table, pager,
    ))
}

async fn issue(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<IssueId>,
    Query(at): Query<TrailParams>,
) -> AppResult<Response> {
    let (i, photos) = issues::issue(&app, staff.actor(), id).await?;
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
    let audit = trail(&app, &staff, RecordType::Issue, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/issues",
        i.title.clone(),
        "Issue",
        summary,
        sections,
        audit,
    ))
}

async fn photo(
    State(app): State<App>,
    staff: Staff,
    Path((id, sha)): Path<(IssueId, String)>,
) -> AppResult<Response> {
    let (_, photos) = issues::issue(&app, staff.actor(), id).await?;
    super::photos::response(&app, staff.actor(), &photos, &sha).await
}
