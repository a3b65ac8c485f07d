//! The resident's home page: the balance of each home whose account they read, what needs
//! them, their open requests and the latest notices.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use proplink_shared::london::format_date;
use proplink_shared::states::TicketStatus;

use super::Resident;
use crate::app::App;
use crate::doors::pages::{Actions, Card, Cell, RecordPage, Section, Table, headers, respond};
use crate::error::{AppError, AppResult};
use crate::services::{ledger, notices, tickets};
use crate::store::notices::NoticeFilter;
use crate::store::query::PageAt;
use crate::store::requests::{Openness, Ticket, TicketFilter};

/// How a resident reads a request's status.
pub(super) fn status_cell(t: &Ticket) -> Cell {
    let tone = match t.status {
        TicketStatus::Closed => "grey",
        TicketStatus::WaitingOnCustomer => "amber",
        TicketStatus::Open | TicketStatus::InProgress => "green",
    };
    let label = match t.status {
        TicketStatus::WaitingOnCustomer => "Waiting for you",
        other => other.label(),
    };
    Cell::tag(label, tone)
}

/// The resident's requests as a table.
pub(super) fn requests_table(items: &[Ticket], caption: &str, empty: &str) -> Table {
    Table {
        caption: caption.into(),
        headers: headers(&["Request", "What", "Where", "Status", "Raised"]),
        rows: items
            .iter()
            .map(|t| {
                vec![
                    Cell::link(&t.reference, format!("/requests/{}", t.id)),
                    Cell::text(&t.subject),
                    Cell::text(super::requests::place_of(t)),
                    status_cell(t),
                    Cell::text(format_date(
                        proplink_shared::london::local(t.created_at).date(),
                    )),
                ]
            })
            .collect(),
        empty: empty.into(),
    }
}

pub async fn page(State(app): State<App>, me: Resident) -> AppResult<Response> {
    let actor = me.actor();
    let today = proplink_shared::london::local(app.clock.now()).date();
    let mut cards = Vec::new();
    let mut attention: Vec<Vec<Cell>> = Vec::new();
    for h in &me.session.homes {
        let s = match ledger::statement(&app, actor, h.unit_id, None).await {
            Ok(s) => s,
            // A tenant does not read the account of the home they rent.
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        cards.push(Card {
            figure: s.balance.as_balance(),
            label: if s.balance.pence() > 0 {
                format!("owed on {}", h.unit_name)
            } else {
                format!("balance of {}", h.unit_name)
            },
            href: Some(format!("/account/{}", h.unit_id)),
        });
        for inv in ledger::open_invoices(&app, actor, h.unit_id).await? {
            let overdue = inv.is_overdue(today);
            attention.push(vec![
                Cell::tag(
                    if overdue { "Overdue" } else { "To pay" },
                    if overdue { "red" } else { "amber" },
                ),
                Cell::text(format!(
                    "Invoice {} for {}: {} to pay by {}",
                    inv.number,
                    h.unit_name,
                    inv.outstanding(),
                    format_date(inv.due_date)
                )),
                Cell::link("Pay now", format!("/invoices/{}", inv.id)),
            ]);
        }
    }
    let open = tickets::tickets(
        &app,
        actor,
        &TicketFilter {
            openness: Openness::Open,
            ..TicketFilter::default()
        },
        &PageAt::First,
    )
    .await?;
    for t in open
        .items
        .iter()
        .filter(|t| t.status == TicketStatus::WaitingOnCustomer)
    {
        attention.push(vec![
            Cell::tag("Reply", "amber"),
            Cell::text(format!(
                "{} is waiting for your answer: \"{}\"",
                t.reference, t.subject
            )),
            Cell::link("Answer", format!("/requests/{}", t.id)),
        ]);
    }
    let latest = notices::notices(
        &app,
        actor,
        &NoticeFilter {
            current_on: Some(today),
            ..NoticeFilter::default()
        },
        &PageAt::First,
    )
    .await?;
    for n in latest.items.iter().filter(|n| n.urgent) {
        attention.push(vec![
            Cell::tag("Urgent", "red"),
            Cell::text(&n.title),
            Cell::link("Read", format!("/notices/{}", n.id)),
        ]);
    }
    cards.push(Card {
        figure: open.items.len().to_string(),
        label: if open.items.len() == 1 {
            "open request".into()
        } else {
            "open requests".into()
        },
        href: Some("/requests".into()),
    });
    let mut sections = Vec::new();
    if !attention.is_empty() {
        sections.push(Section {
            heading: "Needs your attention".into(),
            table: Some(Table {
                caption: "What needs you now".into(),
                headers: headers(&["", "What", ""]),
                rows: attention,
                empty: String::new(),
            }),
            ..Section::default()
        });
    }
    sections.push(Section {
        heading: "Your open requests".into(),
        links: vec![("Report a problem".into(), "/requests/new".into())],
        table: Some(requests_table(
            &open.items,
            "Your requests still open",
            "You have no open requests.",
        )),
        ..Section::default()
    });
    sections.push(Section {
        heading: "Latest notices".into(),
        table: Some(Table {
            caption: "Notices for your building".into(),
            headers: headers(&["Notice", "For", "Published"]),
            rows: latest
                .items
                .iter()
                .take(5)
                .map(|n| {
                    vec![
                        Cell::link(&n.title, format!("/notices/{}", n.id)),
                        Cell::text(&n.place),
                        Cell::date(n.publish_on),
                    ]
                })
                .collect(),
            empty: "No notices at the moment.".into(),
        }),
        ..Section::default()
    });
    let homes: Vec<String> = me
        .session
        .homes
        .iter()
        .map(|h| format!("{}, {}", h.unit_name, h.building_name))
        .collect();
    Ok(respond(&RecordPage {
        chrome: me.chrome("/"),
        title: format!("Welcome, {}", me.session.contact.display_name()),
        caption: Some(homes.join(" · ")),
        cards,
        summary: Vec::new(),
        sections,
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}
