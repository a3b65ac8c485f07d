//! Contacts: the people an organisation knows, and the units they are linked to.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::ContactId;
use proplink_shared::records::{ContactKind, RecordType};

use super::Staff;
use super::view::{
    ListParams, TrailParams, codes, list_page, record_page, select, text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Section, Table, headers};
use crate::error::AppResult;
use crate::services::people;
use crate::store::people::ContactFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/contacts", get(contacts))
        .route("/contacts/{id}", get(contact))
}

async fn contacts(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let filter = ContactFilter {
        kind: params.coded(&params.kind, "kind", ContactKind::from_code)?,
        text: params.text(),
    };
    let page = people::contacts(&app, staff.actor(), &filter, &params.at(3)?).await?;
    let pager = params.pager("/contacts", &page);
    let rows = page
        .items
        .into_iter()
        .map(|c| {
            vec![
                Cell::link(c.full_name(), format!("/contacts/{}", c.id)),
                Cell::text(c.kind.label()),
                Cell::text(c.email.clone().unwrap_or_default()),
                Cell::text(&c.phone),
            ]
        })
        .collect();
    let table = Table {
        caption: "Contacts, by surname".into(),
        headers: headers(&["Name", "Type", "Email", "Phone"]),
        rows,
        empty: "No contacts match.".into(),
    };
    let filters = vec![
        select(
            "kind",
            "Type",
            codes(ContactKind::ALL, ContactKind::code, ContactKind::label),
            params.kind.as_deref(),
        ),
        text_filter("Name or email", params.q.as_deref()),
    ];
    Ok(list_page(
        &staff,
        "/contacts",
        "Contacts",
        filters,
        table,
        pager,
    ))
}

async fn contact(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<ContactId>,
    Query(at): Query<TrailParams>,
) -> AppResult<Response> {
    let (c, links) = people::contact(&app, staff.actor(), id).await?;
    let rows = links
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.unit_name, format!("/units/{}", o.unit_id)),
                Cell::text(o.role.label()),
                Cell::date(o.start_date),
            ]
        })
        .collect();
    let summary = vec![
        ("Type".into(), Cell::text(c.kind.label())),
        (
            "Email".into(),
            Cell::text(c.email.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            "Phone".into(),
            Cell::text(if c.phone.is_empty() { "—" } else { &c.phone }),
        ),
    ];
    let table = Table {
        caption: "Units".into(),
        headers: headers(&["Unit", "Role", "From"]),
        rows,
        empty: "Not linked to any unit.".into(),
    };
    let audit = trail(&app, &staff, RecordType::Contact, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/contacts",
        c.full_name(),
        "Contact",
        summary,
        vec![Section {
            heading: "Units".into(),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}
