//! The organisation's audit log: every change, payment, upload and sign-in, with its door.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::RecordType;

use super::Staff;
use super::view::{ListParams, codes, select, text_filter};
use crate::app::App;
use crate::doors::extract::Query;
use crate::doors::pages::{Cell, ListPage, Table, headers, respond};
use crate::error::AppResult;
use crate::services::audit;
use crate::store::audit::AuditFilter;

pub fn router() -> Router<App> {
    Router::new().route("/audit", get(log))
}

async fn log(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let filter = AuditFilter {
        record_type: params.coded(&params.record, "record", RecordType::from_code)?,
        channel: params.coded(&params.door, "door", Channel::from_code)?,
        action: params.coded(&params.action, "action", AuditAction::from_code)?,
        text: params.text(),
    };
    let page = audit::log(&app, staff.actor(), &filter, &params.at(1)?).await?;
    let pager = params.pager("/audit", &page);
    let rows = page
        .items
        .iter()
        .map(|e| {
            vec![
                Cell::when(e.occurred_at),
                Cell::text(&e.sentence),
                Cell::text(e.channel.label()),
                Cell::text(e.action.code().replace('_', " ")),
            ]
        })
        .collect();
    let table = Table {
        caption: "Events, newest first".into(),
        headers: headers(&["When", "What", "Door", "Action"]),
        rows,
        empty: "Nothing recorded matches.".into(),
    };
    let filters = vec![
        select(
            "record",
            "Record",
            codes(RecordType::ALL, RecordType::code, RecordType::label),
            params.record.as_deref(),
        ),
        select(
            "door",
            "Door",
            codes(Channel::ALL, Channel::code, Channel::label),
            params.door.as_deref(),
        ),
        select(
            "action",
            "Action",
            AuditAction::ALL
                .iter()
                .map(|a| (a.code().to_owned(), a.code().replace('_', " ")))
                .collect::<Vec<_>>(),
            params.action.as_deref(),
        ),
        text_filter("Words or name", params.q.as_deref()),
    ];
    Ok(respond(&ListPage {
        chrome: staff.chrome("/audit"),
        title: "Audit log".into(),
        intro: Some(
            "Every change, payment, upload and sign-in, with the door it came through. Entries can never be edited or deleted."
                .into(),
        ),
        links: Vec::new(),
        filters,
        action: "/audit",
        table,
        pager,
    }))
}
