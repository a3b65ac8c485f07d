//! The organisation's audit log: every change, payment, upload and sign-in, with its door.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::Principal;
use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::london::{format_date_time, midnight};
use proplink_shared::records::RecordType;

use super::Staff;
use super::view::{ListParams, codes, date_filter, select, text_filter};
use crate::app::App;
use crate::doors::extract::Query;
use crate::doors::pages::{
    Actions, Cell, FilterField, ListPage, RecordPage, Section, Table, headers, respond,
};
use crate::error::AppResult;
use crate::services::{audit, mail};
use crate::store::audit::AuditFilter;
use crate::store::mail::MailFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/audit", get(log))
        .route("/audit/verify", get(verify))
        .route("/communications", get(communications))
        .route("/communications/push", get(push_log))
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
        person: params.person(),
        since: params.day(&params.from, "from")?.map(midnight),
        before: params
            .day(&params.to, "to")?
            .map(|d| midnight(d + time::Duration::days(1))),
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
        FilterField::Text {
            name: "person",
            label: "Person",
            value: params.person.clone().unwrap_or_default(),
        },
        date_filter("from", "From", params.from.as_deref()),
        date_filter("to", "To", params.to.as_deref()),
        text_filter("Words", params.q.as_deref()),
    ];
    let actor = staff.actor();
    let mut links = vec![(
        "Communications log".to_owned(),
        "/communications".to_owned(),
    )];
    if matches!(actor.principal, Principal::Staff { role: Some(r), .. } if r.administers()) {
        links.push((
            "Check the trail is intact".to_owned(),
            "/audit/verify".to_owned(),
        ));
    }
    Ok(respond(&ListPage {
        chrome: staff.chrome("/audit"),
        title: "Audit log".into(),
        intro: Some(
            "Every change, payment, upload and sign-in, with the door it came through. Entries can never be edited or deleted."
                .into(),
        ),
        links,
        filters,
        action: "/audit",
        table,
        pager,
    }))
}

async fn verify(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let report = audit::verify_mine(&app, staff.actor()).await?;
    let intact = report.problems.is_empty();
    let mut paragraphs = vec![if intact {
        format!(
            "All {} events of the trail were re-computed from the first: each follows the one before it and none was changed after it was written.",
            report.events
        )
    } else {
        format!(
            "The trail of {} events has {} problem{}: someone with access to the database changed it. Keep the database and the checkpoint file as they are, and call whoever runs your server.",
            report.events,
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" }
        )
    }];
    paragraphs.push(match report.checkpoint {
        Some((seq, at)) => format!(
            "It was also held to the signed checkpoint of {} (event {seq}), kept outside the database: the trail was not cut short or rewritten before it.",
            format_date_time(at)
        ),
        None => "No signed checkpoint covers it yet: the server signs one every minute.".into(),
    });
    let rows = report
        .problems
        .iter()
        .map(|p| vec![Cell::text(p)])
        .collect();
    Ok(respond(&RecordPage {
        chrome: staff.chrome("/audit"),
        title: "Is the audit trail intact?".into(),
        caption: Some("Audit log".into()),
        cards: vec![crate::doors::pages::Card {
            figure: if intact {
                "Intact".into()
            } else {
                "Broken".into()
            },
            label: format!("{} events checked", report.events),
            href: None,
        }],
        summary: Vec::new(),
        sections: vec![Section {
            heading: "What was checked".into(),
            paragraphs,
            table: (!intact).then(|| Table {
                caption: "Problems found".into(),
                headers: headers(&["Problem"]),
                rows,
                empty: String::new(),
            }),
            ..Section::default()
        }],
        actions: Actions::default(),
        audit: None,
    }))
}

async fn communications(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    const STATUSES: [(&str, &str); 4] = [
        ("sent", "Delivered to the mail server"),
        ("failed", "Failed"),
        ("queued", "Waiting to send"),
        ("held", "Kept in the development mailbox"),
    ];
    let status = match params.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            STATUSES
                .iter()
                .find(|(code, _)| *code == s)
                .map(|(code, _)| *code)
                .ok_or_else(|| super::view::invalid_filter("status"))?,
        ),
    };
    let filter = MailFilter {
        status,
        text: params.text(),
    };
    let page = mail::log(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/communications", &page);
    let rows = page
        .items
        .iter()
        .map(|m| {
            let about = match (&m.record_type, &m.record_id) {
                (Some(t), Some(id)) => match record_href(*t, id) {
                    Some(href) => Cell::link(t.label(), href),
                    None => Cell::text(t.label()),
                },
                _ => Cell::text("—"),
            };
            let status = match m.status.as_str() {
                "sent" => Cell::tag("Delivered", "green"),
                "failed" => Cell::tag(
                    format!("Failed: {}", m.last_error.clone().unwrap_or_default()),
                    "red",
                ),
                "held" => Cell::tag("Development mailbox", "grey"),
                _ => Cell::tag("Waiting to send", "amber"),
            };
            vec![
                Cell::when(m.created_at),
                Cell::text(&m.recipient),
                Cell::text(&m.subject),
                about,
                status,
            ]
        })
        .collect();
    Ok(respond(&ListPage {
        chrome: staff.chrome("/audit"),
        title: "Communications log".into(),
        intro: Some("Every email the organisation sent, to whom and about what, and whether it was delivered. Sign-in codes are never shown.".into()),
        links: vec![
            ("Audit log".to_owned(), "/audit".to_owned()),
            ("Push notifications".to_owned(), "/communications/push".to_owned()),
        ],
        filters: vec![
            select(
                "status",
                "Delivery",
                STATUSES.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())),
                params.status.as_deref(),
            ),
            text_filter("Recipient or subject", params.q.as_deref()),
        ],
        action: "/communications",
        table: Table {
            caption: "Emails, newest first".into(),
            headers: headers(&["When", "To", "Subject", "About", "Delivery"]),
            rows,
            empty: "No emails match.".into(),
        },
        pager,
    }))
}

/// Every push notification the organisation sent (the latest 200), and whether the push
/// service took it.
async fn push_log(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let pushes = crate::services::push::log(&app, staff.actor(), 200).await?;
    let rows = pushes
        .iter()
        .map(|p| {
            let said: serde_json::Value = serde_json::from_str(&p.payload).unwrap_or_default();
            let text = |k: &str| said[k].as_str().unwrap_or_default().to_owned();
            let status = match p.status.as_str() {
                "sent" => Cell::tag("Delivered to the push service", "green"),
                "gone" => Cell::tag(
                    format!("Not sent: {}", p.last_error.clone().unwrap_or_default()),
                    "grey",
                ),
                "failed" => Cell::tag(
                    format!("Failed: {}", p.last_error.clone().unwrap_or_default()),
                    "red",
                ),
                _ => Cell::tag(
                    match &p.last_error {
                        Some(e) => format!("Waiting to try again: {e}"),
                        None => "Waiting to send".to_owned(),
                    },
                    "amber",
                ),
            };
            vec![
                Cell::when(p.created_at),
                Cell::text(text("title")),
                Cell::text(text("body")),
                Cell::text(p.attempts.to_string()).numeric(),
                status,
            ]
        })
        .collect();
    Ok(respond(&ListPage {
        chrome: staff.chrome("/audit"),
        title: "Push notifications".into(),
        intro: Some("Every push notification sent to people's browsers and devices, newest first, with what the push service said. A device the push service no longer knows is forgotten at once.".into()),
        links: vec![("Emails".to_owned(), "/communications".to_owned())],
        filters: Vec::new(),
        action: "/communications/push",
        table: Table {
            caption: "Push notifications, newest first".into(),
            headers: headers(&["When", "Title", "Text", "Tries", "Delivery"]),
            rows,
            empty: "No push notifications yet.".into(),
        },
        pager: crate::doors::pages::Pager::default(),
    }))
}

/// The admin page of a record an email was about, where it has one.
fn record_href(record: RecordType, id: &str) -> Option<String> {
    let base = match record {
        RecordType::Invoice => "invoices",
        RecordType::Ticket => "tickets",
        RecordType::WorkOrder => "work-orders",
        RecordType::Contact => "contacts",
        RecordType::StaffUser => "staff",
        RecordType::Unit => "units",
        RecordType::Issue => "issues",
        RecordType::Notice => "notices",
        RecordType::Document => "documents",
        RecordType::Vendor => "contractors",
        RecordType::Site => "sites",
        RecordType::Building => "buildings",
        _ => return None,
    };
    Some(format!("/{base}/{id}"))
}
