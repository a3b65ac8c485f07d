//! Tickets: the queue with its filters and SLA badges, and each ticket's conversation.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::TicketId;
use proplink_shared::london::format_date_time;
use proplink_shared::records::{EntryKind, Priority, RecordType, sla_badge};
use proplink_shared::states::TicketStatus;

use super::Staff;
use super::view::{
    ListParams, TrailParams, age_filter, codes, list_page, record_page, select, site_filter,
    status_tone, text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Entry, Section, Table, headers};
use crate::error::AppResult;
use crate::services::{places, tickets};
use crate::store::requests::{Openness, Ticket, TicketFilter};

pub fn router() -> Router<App> {
    Router::new()
        .route("/tickets", get(list))
        .route("/tickets/{id}", get(ticket))
}

/// The SLA badge of an open ticket against its resolution target.
pub fn sla_cell(t: &Ticket, now: time::OffsetDateTime) -> Cell {
    if t.status.is_terminal() {
        return Cell::tag("Closed", "grey");
    }
    let (_, resolution) = t.priority.sla();
    let badge = sla_badge(t.created_at, resolution.due(t.created_at), now);
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
) -> AppResult<Response> {
    let (t, entries) = tickets::ticket(&app, staff.actor(), id).await?;
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
            Cell::when(first.due(t.created_at)),
        ),
    ];
    if let Some(unit) = t.unit_id {
        summary.insert(
            3,
            (
                "Unit".into(),
                Cell::link("View unit", format!("/units/{unit}")),
            ),
        );
    }
    match (t.closed_at, t.close_reason) {
        (Some(at), Some(reason)) => summary.push((
            "Closed".into(),
            Cell::text(format!("{} ({})", format_date_time(at), reason.label())),
        )),
        _ => {
            let due = resolution.due(t.created_at);
            let badge = sla_badge(t.created_at, due, app.clock.now());
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
    let audit = trail(&app, &staff, RecordType::Ticket, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/tickets",
        format!("{}: {}", t.reference, t.subject),
        "Ticket",
        summary,
        vec![Section {
            heading: "Conversation".into(),
            entries: thread,
            ..Section::default()
        }],
        audit,
    ))
}
