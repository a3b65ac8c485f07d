//! The dashboard: what is open, what is owed, what needs attention, what happened last.
//! Every figure is a count or a sum in the database, however large the organisation.

use axum::extract::State;
use axum::response::Response;

use super::Staff;
use super::tickets::sla_cell;
use crate::app::App;
use crate::doors::pages::{
    Actions, Card, Cell, RecordPage, Section, Table, Trail, headers, respond, trail_item,
};
use crate::error::{AppError, AppResult};
use crate::services::{audit, issues, ledger, tickets, work_orders};
use crate::store::requests::{IssueFilter, Openness, TicketFilter};
use crate::store::work_orders::WorkOrderFilter;

pub async fn page(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let actor = staff.actor();
    let open_tickets = TicketFilter {
        openness: Openness::Open,
        ..TicketFilter::default()
    };
    let (ticket_count, attention) = tickets::summary(&app, actor, &open_tickets, 10).await?;
    let issue_count = issues::count(
        &app,
        actor,
        &IssueFilter {
            openness: Openness::Open,
            ..IssueFilter::default()
        },
    )
    .await?;
    let work_order_count = work_orders::count(
        &app,
        actor,
        &WorkOrderFilter {
            openness: Openness::Open,
            ..WorkOrderFilter::default()
        },
    )
    .await?;
    let mut cards = vec![
        Card {
            figure: ticket_count.to_string(),
            label: "open tickets".into(),
            href: Some("/tickets?status=open".into()),
        },
        Card {
            figure: issue_count.to_string(),
            label: "open issues".into(),
            href: Some("/issues?status=open".into()),
        },
        Card {
            figure: work_order_count.to_string(),
            label: "open work orders".into(),
            href: Some("/work-orders?status=open".into()),
        },
    ];
    // Only roles that may read the accounts see the arrears figure.
    match ledger::arrears(&app, actor).await {
        Ok((_, owed)) => cards.push(Card {
            figure: owed.to_string(),
            label: "overdue (arrears)".into(),
            href: Some("/invoices?status=overdue".into()),
        }),
        Err(AppError::NotFound | AppError::Forbidden) => {}
        Err(e) => return Err(e),
    }
    let now = app.clock.now();
    let rows = attention
        .iter()
        .map(|t| {
            vec![
                Cell::link(&t.reference, format!("/tickets/{}", t.id)),
                Cell::text(&t.subject),
                Cell::text(&t.site_name),
                Cell::text(t.priority.label()),
                sla_cell(t, now),
            ]
        })
        .collect();
    let open = Table {
        caption: "Open tickets, newest first".into(),
        headers: headers(&["Reference", "Subject", "Site", "Priority", "SLA"]),
        rows,
        empty: "No open tickets.".into(),
    };
    let activity = match audit::latest(&app, actor, 15).await {
        Ok(events) => Some(Trail {
            heading: "Latest activity",
            items: events.iter().map(trail_item).collect(),
            pager: Default::default(),
        }),
        Err(AppError::NotFound | AppError::Forbidden) => None,
        Err(e) => return Err(e),
    };
    Ok(respond(&RecordPage {
        chrome: staff.chrome("/dashboard"),
        title: "Dashboard".into(),
        caption: Some(format!(
            "Signed in as {} ({})",
            staff.session.staff.name,
            staff.session.staff.role.map_or("no role", |r| r.label())
        )),
        cards,
        summary: Vec::new(),
        actions: Actions::default(),
        sections: vec![Section {
            heading: "Needs attention".into(),
            table: Some(open),
            ..Section::default()
        }],
        audit: activity,
    }))
}
