//! Work orders: the list with its filters, and each order with its quotes, certificates,
//! notes and photos.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::WorkOrderId;
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{Priority, RecordType};
use proplink_shared::states::WorkOrderStatus;

use super::Staff;
use super::view::{
    ListParams, TrailParams, age_filter, codes, list_page, record_page, select, site_filter,
    status_tone, text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Entry, Section, Table, headers};
use crate::error::AppResult;
use crate::services::{places, work_orders};
use crate::store::requests::Openness;
use crate::store::work_orders::WorkOrderFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-orders", get(list))
        .route("/work-orders/{id}", get(work_order))
        .route("/work-orders/{id}/photos/{sha}", get(photo))
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let (status, openness, awaiting_decision) = match params.status.as_deref() {
        Some("open") => (None, Openness::Open, false),
        Some("decision") => (None, Openness::Any, true),
        _ => (
            params.coded(&params.status, "status", WorkOrderStatus::from_code)?,
            Openness::Any,
            false,
        ),
    };
    let filter = WorkOrderFilter {
        site: params.site()?,
        status,
        openness,
        priority: params.coded(&params.priority, "priority", Priority::from_code)?,
        created_before: params.older_than(app.clock.now())?,
        awaiting_decision,
        text: params.text(),
    };
    let page = work_orders::work_orders(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/work-orders", &page);
    let rows = page
        .items
        .iter()
        .map(|w| {
            vec![
                Cell::link(&w.reference, format!("/work-orders/{}", w.id)),
                Cell::text(&w.title),
                Cell::text(&w.site_name),
                Cell::text(w.vendor_name.clone().unwrap_or_else(|| "—".into())),
                Cell::text(w.priority.label()),
                Cell::tag(w.status.label(), status_tone(w.status.is_terminal())),
            ]
        })
        .collect();
    let table = Table {
        caption: "Work orders, newest first".into(),
        headers: headers(&[
            "Reference",
            "Title",
            "Site",
            "Contractor",
            "Priority",
            "Status",
        ]),
        rows,
        empty: "No work orders match.".into(),
    };
    let sites = places::site_choices(&app, staff.actor()).await?;
    let mut statuses = vec![
        ("open".to_owned(), "Not closed or cancelled".to_owned()),
        ("decision".to_owned(), "Waiting for a decision".to_owned()),
    ];
    statuses.extend(codes(
        WorkOrderStatus::ALL,
        WorkOrderStatus::code,
        WorkOrderStatus::label,
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
        text_filter("Title or reference", params.q.as_deref()),
    ];
    Ok(list_page(
        &staff,
        "/work-orders",
        "Work orders",
        filters,
        table,
        pager,
    ))
}

async fn work_order(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    Query(at): Query<TrailParams>,
) -> AppResult<Response> {
    let view = work_orders::work_order(&app, staff.actor(), id).await?;
    let w = &view.work_order;
    let mut summary = vec![
        (
            "Status".into(),
            Cell::tag(w.status.label(), status_tone(w.status.is_terminal())),
        ),
        (
            "Site".into(),
            Cell::link(&w.site_name, format!("/sites/{}", w.site_id)),
        ),
        ("Service".into(), Cell::text(w.service_category.label())),
        ("Priority".into(), Cell::text(w.priority.label())),
        (
            "Deadline".into(),
            Cell::text(w.deadline.map_or_else(|| "—".into(), format_date)),
        ),
        (
            "Contractor".into(),
            match (w.vendor_id, &w.vendor_name) {
                (Some(v), Some(name)) => Cell::link(name, format!("/contractors/{v}")),
                _ => Cell::text("Not awarded yet"),
            },
        ),
        (
            "Approved cost".into(),
            Cell::text(
                w.approved_cost
                    .map_or_else(|| "—".into(), |c| format!("{c} including VAT")),
            ),
        ),
    ];
    if let Some(t) = w.ticket_id {
        summary.push((
            "Ticket".into(),
            Cell::link("View ticket", format!("/tickets/{t}")),
        ));
    }
    let quote_rows = view
        .quotes
        .iter()
        .map(|q| {
            vec![
                Cell::text(&q.vendor_name),
                Cell::text(q.kind.label()),
                Cell::money(q.net),
                Cell::money(q.vat),
                Cell::text(&q.notes),
                if q.awarded {
                    Cell::tag("Awarded", "green")
                } else {
                    Cell::text("")
                },
            ]
        })
        .collect();
    let mut qh = headers(&["Contractor", "Type", "Net", "VAT", "Notes", "Decision"]);
    qh[2].numeric = true;
    qh[3].numeric = true;
    let cert_rows = view
        .certificates
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.kind.label()),
                Cell::text(&c.body),
                Cell::text(&c.registration_number),
                Cell::date(c.issued_on),
                Cell::text(c.expires_on.map_or_else(|| "—".into(), format_date)),
            ]
        })
        .collect();
    let notes = view
        .notes
        .iter()
        .map(|n| Entry {
            meta: format!(
                "{} · {} via {}",
                n.author_name,
                format_date_time(n.created_at),
                n.channel.label()
            ),
            body: n.body.clone(),
            internal: false,
        })
        .collect();
    let sections = vec![
        Section {
            heading: "Notes from the site".into(),
            entries: notes,
            paragraphs: if view.notes.is_empty() {
                vec!["No notes yet.".into()]
            } else {
                Vec::new()
            },
            ..Section::default()
        },
        super::photos::section(&format!("/work-orders/{id}"), &view.photos),
        Section {
            heading: "Scope of works".into(),
            paragraphs: vec![w.scope.clone()],
            ..Section::default()
        },
        Section {
            heading: "Quotes".into(),
            table: Some(Table {
                caption: "Quotes received".into(),
                headers: qh,
                rows: quote_rows,
                empty: "No quotes yet.".into(),
            }),
            ..Section::default()
        },
        Section {
            heading: "Certificates".into(),
            table: Some(Table {
                caption: "Certificates filed".into(),
                headers: headers(&["Type", "Issued by", "Registration", "Issued", "Expires"]),
                rows: cert_rows,
                empty: "No certificates yet.".into(),
            }),
            ..Section::default()
        },
    ];
    let audit = trail(&app, &staff, RecordType::WorkOrder, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/work-orders",
        format!("{}: {}", w.reference, w.title),
        "Work order",
        summary,
        sections,
        audit,
    ))
}

async fn photo(
    State(app): State<App>,
    staff: Staff,
    Path((id, sha)): Path<(WorkOrderId, String)>,
) -> AppResult<Response> {
    let view = work_orders::work_order(&app, staff.actor(), id).await?;
    super::photos::response(&app, staff.actor(), &view.photos, &sha).await
}
