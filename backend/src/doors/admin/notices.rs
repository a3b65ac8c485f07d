//! Notices to residents.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::london::format_date;

use super::Staff;
use super::view::{ListParams, invalid_filter, list_page, select, site_filter, text_filter};
use crate::app::App;
use crate::doors::extract::Query;
use crate::doors::pages::{Cell, Table, headers};
use crate::error::AppResult;
use crate::services::{self, notices, places};
use crate::store::notices::NoticeFilter;

pub fn router() -> Router<App> {
    Router::new().route("/notices", get(list))
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
                Cell::text(&n.title),
                Cell::date(n.publish_on),
                Cell::text(n.expires_on.map_or_else(|| "—".into(), format_date)),
                if n.urgent {
                    Cell::tag("Urgent", "red")
                } else {
                    Cell::text("")
                },
                Cell::text(if n.site_id.is_some() {
                    "One site"
                } else {
                    "Whole organisation"
                }),
            ]
        })
        .collect();
    let table = Table {
        caption: "Notices to residents, newest first".into(),
        headers: headers(&["Title", "Published", "Expires", "Urgency", "Audience"]),
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
    Ok(list_page(
        &staff, "/notices", "Notices", filters, table, pager,
    ))
}
