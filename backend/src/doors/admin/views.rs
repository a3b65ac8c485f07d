//! The admin app's read views: dashboard, portfolio, contacts, tickets, issues, work orders,
//! invoices and statements, contractors, notices, and each record's audit trail.
//!
//! Every handler goes through a service, which checks the signed-in user's role and scope;
//! a record of another organisation or outside the scope is a 404 like any missing page.

use std::str::FromStr;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{CoverStatus, sla_badge};
use proplink_shared::{Money, OrgId};

use super::Staff;
use crate::app::App;
use crate::clock::from_micros;
use crate::doors::pages::{
    Card, Cell, Entry, ListPage, RecordPage, Section, Table, Trail, headers, render, trail_item,
};
use crate::error::{AppError, AppResult};
use crate::services::{self, audit, issues, ledger, people, places, requests, works};

pub fn router() -> Router<App> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/sites", get(sites))
        .route("/sites/{id}", get(site))
        .route("/buildings/{id}", get(building))
        .route("/units/{id}", get(unit))
        .route("/contacts", get(contacts))
        .route("/contacts/{id}", get(contact))
        .route("/tickets", get(tickets))
        .route("/tickets/{id}", get(ticket))
        .route("/issues", get(issues_list))
        .route("/issues/{id}", get(issue))
        .route("/issues/{id}/photos/{sha}", get(issue_photo))
        .route("/work-orders", get(work_orders))
        .route("/work-orders/{id}", get(work_order))
        .route("/work-orders/{id}/photos/{sha}", get(work_order_photo))
        .route("/invoices", get(invoices))
        .route("/invoices/{id}", get(invoice))
        .route("/contractors", get(contractors))
        .route("/contractors/{id}", get(contractor))
        .route("/notices", get(notices))
        .route("/audit", get(audit_log))
}

/// An id from the path; a malformed one is simply a page that does not exist.
fn id<T: FromStr>(raw: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::NotFound)
}

fn date(text: &str) -> String {
    services::parse_date(text).map_or_else(|| text.to_owned(), format_date)
}

fn when(micros: i64) -> String {
    format_date_time(from_micros(micros))
}

async fn trail(
    app: &App,
    org: OrgId,
    record_type: &str,
    record_id: &str,
) -> AppResult<Option<Trail>> {
    let rows = audit::trail(&app.db, org, record_type, record_id).await?;
    Ok(Some(Trail {
        heading: "Audit trail",
        items: rows.iter().map(trail_item).collect(),
    }))
}

fn list(
    staff: &Staff,
    current: &str,
    title: &str,
    intro: Option<String>,
    tables: Vec<Table>,
) -> Response {
    render(&ListPage {
        chrome: staff.chrome(current),
        title: title.into(),
        intro,
        tables,
    })
    .into_response()
}

fn record(
    staff: &Staff,
    current: &str,
    title: String,
    caption: Option<String>,
    summary: Vec<(String, Cell)>,
    sections: Vec<Section>,
    audit: Option<Trail>,
) -> Response {
    render(&RecordPage {
        chrome: staff.chrome(current),
        title,
        caption,
        cards: Vec::new(),
        summary,
        sections,
        audit,
    })
    .into_response()
}

fn status_tone(terminal: bool) -> &'static str {
    if terminal { "grey" } else { "green" }
}

async fn dashboard(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let actor = &staff.session.actor;
    let tickets = requests::tickets(&app, actor, 10_000).await?;
    let open_tickets = tickets.iter().filter(|t| !t.status.is_terminal()).count();
    let issues = issues::issues(&app, actor, 10_000).await?;
    let open_issues = issues.iter().filter(|i| !i.status.is_terminal()).count();
    let wos = works::work_orders(&app, actor, 10_000).await?;
    let open_wos = wos.iter().filter(|w| !w.status.is_terminal()).count();
    let mut cards = vec![
        Card {
            figure: open_tickets.to_string(),
            label: "open tickets".into(),
            href: Some("/tickets".into()),
        },
        Card {
            figure: open_issues.to_string(),
            label: "open issues".into(),
            href: Some("/issues".into()),
        },
        Card {
            figure: open_wos.to_string(),
            label: "open work orders".into(),
            href: Some("/work-orders".into()),
        },
    ];
    // Only roles that may read the accounts see the arrears figure.
    match ledger::overdue_total(&app, actor).await {
        Ok(overdue) => cards.push(Card {
            figure: overdue.to_string(),
            label: "overdue (arrears)".into(),
            href: Some("/invoices".into()),
        }),
        Err(AppError::NotFound | AppError::Forbidden) => {}
        Err(e) => return Err(e),
    }
    let now = app.clock.now();
    let rows = tickets
        .iter()
        .filter(|t| !t.status.is_terminal())
        .take(10)
        .map(|t| {
            let (_, resolution) = t.priority.sla();
            let start = from_micros(t.created_at);
            let badge = sla_badge(start, resolution.due(start), now);
            vec![
                Cell::link(&t.reference, format!("/tickets/{}", t.id)),
                Cell::text(&t.subject),
                Cell::text(&t.site_name),
                Cell::text(t.priority.label()),
                Cell::tag(badge.label(), badge.code()),
            ]
        })
        .collect();
    let open = Table {
        caption: "Open tickets".into(),
        headers: headers(&["Reference", "Subject", "Site", "Priority", "SLA"]),
        rows,
        empty: "No open tickets.".into(),
    };
    let activity = audit::latest(&app.db, actor, 15)
        .await
        .ok()
        .map(|rows| Trail {
            heading: "Latest activity",
            items: rows.iter().map(trail_item).collect(),
        });
    let page = RecordPage {
        chrome: staff.chrome("/dashboard"),
        title: "Dashboard".into(),
        caption: Some(format!(
            "Signed in as {} ({})",
            staff.session.staff.name,
            staff.session.staff.role.map_or("no role", |r| r.label())
        )),
        cards,
        summary: Vec::new(),
        sections: vec![Section {
            heading: "Needs attention".into(),
            table: Some(open),
            ..Section::default()
        }],
        audit: activity,
    };
    Ok(render(&page).into_response())
}

async fn sites(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let actor = &staff.session.actor;
    let buildings = places::buildings(&app, actor).await?;
    let rows = places::sites(&app, actor)
        .await?
        .into_iter()
        .map(|s| {
            let n = buildings.iter().filter(|b| b.site_id == s.id).count();
            vec![
                Cell::link(&s.reference, format!("/sites/{}", s.id)),
                Cell::text(&s.name),
                Cell::text(&s.address),
                Cell::text(n.to_string()),
            ]
        })
        .collect();
    let table = Table {
        caption: "Sites you can see".into(),
        headers: headers(&["Reference", "Name", "Address", "Buildings"]),
        rows,
        empty: "No sites yet.".into(),
    };
    Ok(list(&staff, "/sites", "Sites", None, vec![table]))
}

async fn site(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (site, buildings) = places::site(&app, &staff.session.actor, id(&raw)?).await?;
    let rows = buildings
        .iter()
        .map(|b| {
            vec![
                Cell::link(&b.name, format!("/buildings/{}", b.id)),
                Cell::text(b.storeys.map_or("—".into(), |s| s.to_string())),
                Cell::text(
                    b.height_decimetres
                        .map_or("—".into(), |h| format!("{}.{} m", h / 10, h % 10)),
                ),
                if b.is_hrb == 1 {
                    Cell::tag("Higher-risk building", "amber")
                } else {
                    Cell::text("No")
                },
            ]
        })
        .collect();
    let table = Table {
        caption: format!("Buildings at {}", site.name),
        headers: headers(&["Building", "Storeys", "Height", "HRB"]),
        rows,
        empty: "No buildings yet.".into(),
    };
    let summary = vec![
        ("Reference".into(), Cell::text(&site.reference)),
        ("Address".into(), Cell::text(&site.address)),
    ];
    let audit = trail(&app, staff.org.id, "site", &site.id.to_string()).await?;
    Ok(record(
        &staff,
        "/sites",
        site.name.clone(),
        Some("Site".into()),
        summary,
        vec![Section {
            heading: "Buildings".into(),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}

async fn building(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (b, units) = places::building(&app, &staff.session.actor, id(&raw)?).await?;
    let rows = units
        .iter()
        .map(|u| {
            vec![
                Cell::link(&u.name, format!("/units/{}", u.id)),
                Cell::text(&u.floor),
            ]
        })
        .collect();
    let table = Table {
        caption: format!("Units in {}", b.name),
        headers: headers(&["Unit", "Floor"]),
        rows,
        empty: "No units yet.".into(),
    };
    let mut summary = vec![
        (
            "Site".into(),
            Cell::link("View site", format!("/sites/{}", b.site_id)),
        ),
        (
            "Storeys".into(),
            Cell::text(b.storeys.map_or("—".into(), |s| s.to_string())),
        ),
        (
            "Height".into(),
            Cell::text(
                b.height_decimetres
                    .map_or("—".into(), |h| format!("{}.{} m", h / 10, h % 10)),
            ),
        ),
        (
            "Higher-risk building".into(),
            if b.is_hrb == 1 {
                Cell::tag("Yes", "amber")
            } else {
                Cell::text("No")
            },
        ),
    ];
    if b.is_hrb == 1 {
        summary.push((
            "BSR registration".into(),
            Cell::text(if b.bsr_registration.is_empty() {
                "Not registered"
            } else {
                &b.bsr_registration
            }),
        ));
    }
    let audit = trail(&app, staff.org.id, "building", &b.id.to_string()).await?;
    Ok(record(
        &staff,
        "/sites",
        b.name.clone(),
        Some("Building".into()),
        summary,
        vec![Section {
            heading: format!("Units ({})", units.len()),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}

async fn unit(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let actor = &staff.session.actor;
    let unit_id = id(&raw)?;
    let u = places::unit(&app, actor, unit_id).await?;
    let occupancy = people::occupancy(&app, actor, unit_id).await?;
    let people_rows = occupancy
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.contact_name, format!("/contacts/{}", o.contact_id)),
                Cell::text(o.role.label()),
                Cell::text(if o.billable == 1 { "Yes" } else { "No" }),
                Cell::text(date(&o.start_date)),
            ]
        })
        .collect();
    let mut sections = vec![Section {
        heading: "People".into(),
        table: Some(Table {
            caption: format!("People linked to {}", u.name),
            headers: headers(&["Name", "Role", "Billable", "From"]),
            rows: people_rows,
            empty: "Nobody is linked to this unit.".into(),
        }),
        ..Section::default()
    }];
    // The statement needs finance access; operational staff see the unit without it.
    match ledger::statement(&app, actor, unit_id).await {
        Ok(statement) => {
            let rows = statement
                .lines
                .iter()
                .map(|l| {
                    vec![
                        Cell::text(date(&l.date)),
                        Cell::text(&l.description),
                        Cell::text(&l.reference),
                        l.debit.map_or_else(|| Cell::text(""), Cell::money),
                        l.credit.map_or_else(|| Cell::text(""), Cell::money),
                        Cell::money(l.balance),
                    ]
                })
                .collect();
            let mut h = headers(&[
                "Date",
                "Description",
                "Reference",
                "Debit",
                "Credit",
                "Balance",
            ]);
            for col in &mut h[3..] {
                col.numeric = true;
            }
            sections.push(Section {
                heading: "Statement".into(),
                paragraphs: vec![format!(
                    "Balance {}: {}.",
                    if statement.balance.is_negative() {
                        "in credit"
                    } else {
                        "owed"
                    },
                    Money::from_pence(statement.balance.pence().abs())
                )],
                table: Some(Table {
                    caption: format!(
                        "Statement for {} as at {}",
                        u.name,
                        format_date(services::today(&app))
                    ),
                    headers: h,
                    rows,
                    empty: "No charges or payments yet.".into(),
                }),
                ..Section::default()
            });
        }
        Err(AppError::Forbidden | AppError::NotFound) => {}
        Err(e) => return Err(e),
    }
    let summary = vec![
        (
            "Building".into(),
            Cell::link(&u.building_name, format!("/buildings/{}", u.building_id)),
        ),
        ("Floor".into(), Cell::text(&u.floor)),
    ];
    let audit = trail(&app, staff.org.id, "unit", &u.id.to_string()).await?;
    Ok(record(
        &staff,
        "/sites",
        u.name.clone(),
        Some(u.building_name.clone()),
        summary,
        sections,
        audit,
    ))
}

async fn contacts(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let rows = people::contacts(&app, &staff.session.actor)
        .await?
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
        caption: "Contacts".into(),
        headers: headers(&["Name", "Type", "Email", "Phone"]),
        rows,
        empty: "No contacts yet.".into(),
    };
    Ok(list(&staff, "/contacts", "Contacts", None, vec![table]))
}

async fn contact(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (c, links) = people::contact(&app, &staff.session.actor, id(&raw)?).await?;
    let rows = links
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.unit_name, format!("/units/{}", o.unit_id)),
                Cell::text(o.role.label()),
                Cell::text(date(&o.start_date)),
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
    let audit = trail(&app, staff.org.id, "contact", &c.id.to_string()).await?;
    Ok(record(
        &staff,
        "/contacts",
        c.full_name(),
        Some("Contact".into()),
        summary,
        vec![Section {
            heading: "Units".into(),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}

async fn tickets(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let now = app.clock.now();
    let rows = requests::tickets(&app, &staff.session.actor, 500)
        .await?
        .into_iter()
        .map(|t| {
            let sla = if t.status.is_terminal() {
                Cell::tag("Closed", "grey")
            } else {
                let (_, resolution) = t.priority.sla();
                let start = from_micros(t.created_at);
                let badge = sla_badge(start, resolution.due(start), now);
                Cell::tag(badge.label(), badge.code())
            };
            vec![
                Cell::link(&t.reference, format!("/tickets/{}", t.id)),
                Cell::text(&t.subject),
                Cell::text(&t.site_name),
                Cell::text(t.category.label()),
                Cell::text(t.priority.label()),
                Cell::tag(t.status.label(), status_tone(t.status.is_terminal())),
                sla,
            ]
        })
        .collect();
    let table = Table {
        caption: "Tickets, newest first".into(),
        headers: headers(&[
            "Reference",
            "Subject",
            "Site",
            "Category",
            "Priority",
            "Status",
            "SLA",
        ]),
        rows,
        empty: "No tickets yet.".into(),
    };
    Ok(list(&staff, "/tickets", "Tickets", None, vec![table]))
}

async fn ticket(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (t, entries) = requests::ticket(&app, &staff.session.actor, id(&raw)?).await?;
    let start = from_micros(t.created_at);
    let (first, resolution) = t.priority.sla();
    let badge = sla_badge(start, resolution.due(start), app.clock.now());
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
            Cell::text(format!("{} via {}", when(t.created_at), t.source.label())),
        ),
        (
            "First response due".into(),
            Cell::text(when(crate::clock::to_micros(first.due(start)))),
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
            Cell::text(format!("{} ({})", when(at), reason.label())),
        )),
        _ => summary.push((
            "Resolution due".into(),
            Cell::tag(
                format!(
                    "{} – {}",
                    when(crate::clock::to_micros(resolution.due(start))),
                    badge.label()
                ),
                badge.code(),
            ),
        )),
    }
    let thread = entries
        .iter()
        .map(|e| Entry {
            meta: format!(
                "{} · {} via {}{}",
                e.author_name,
                when(e.created_at),
                e.channel.label(),
                if e.kind == "internal_note" {
                    " · internal note"
                } else {
                    ""
                }
            ),
            body: e.body.clone(),
            internal: e.kind == "internal_note",
        })
        .collect();
    let audit = trail(&app, staff.org.id, "ticket", &t.id.to_string()).await?;
    Ok(record(
        &staff,
        "/tickets",
        format!("{}: {}", t.reference, t.subject),
        Some("Ticket".into()),
        summary,
        vec![Section {
            heading: "Conversation".into(),
            entries: thread,
            ..Section::default()
        }],
        audit,
    ))
}

async fn issues_list(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let rows = issues::issues(&app, &staff.session.actor, 500)
        .await?
        .into_iter()
        .map(|i| {
            vec![
                Cell::link(&i.title, format!("/issues/{}", i.id)),
                Cell::text(&i.site_name),
                Cell::text(&i.location),
                Cell::text(i.category.label()),
                Cell::text(i.priority.label()),
                Cell::tag(i.status.label(), status_tone(i.status.is_terminal())),
                Cell::text(when(i.created_at)),
            ]
        })
        .collect();
    let table = Table {
        caption: "Issues logged on site, newest first".into(),
        headers: headers(&[
            "Issue", "Site", "Location", "Category", "Priority", "Status", "Logged",
        ]),
        rows,
        empty: "No issues yet.".into(),
    };
    Ok(list(&staff, "/issues", "Issues", None, vec![table]))
}

async fn issue(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (i, photos) = issues::issue(&app, &staff.session.actor, id(&raw)?).await?;
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
            Cell::text(format!("{} on {}", i.reported_by, when(i.created_at))),
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
    sections.push(photos_section(&format!("/issues/{}", i.id), &photos));
    let audit = trail(&app, staff.org.id, "issue", &i.id.to_string()).await?;
    Ok(record(
        &staff,
        "/issues",
        i.title.clone(),
        Some("Issue".into()),
        summary,
        sections,
        audit,
    ))
}

async fn work_orders(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let rows = works::work_orders(&app, &staff.session.actor, 500)
        .await?
        .into_iter()
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
        empty: "No work orders yet.".into(),
    };
    Ok(list(
        &staff,
        "/work-orders",
        "Work orders",
        None,
        vec![table],
    ))
}

async fn work_order(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let view = works::work_order(&app, &staff.session.actor, id(&raw)?).await?;
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
            Cell::text(w.deadline.as_deref().map_or_else(|| "—".into(), date)),
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
                if q.awarded == 1 {
                    Cell::tag("Awarded", "green")
                } else {
                    Cell::text("")
                },
            ]
        })
        .collect();
    let mut qh = headers(&["Contractor", "Type", "Net", "VAT", "Notes", ""]);
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
                Cell::text(date(&c.issued_on)),
                Cell::text(c.expires_on.as_deref().map_or_else(|| "—".into(), date)),
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
                when(n.created_at),
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
        photos_section(&format!("/work-orders/{}", w.id), &view.photos),
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
    let audit = trail(&app, staff.org.id, "work_order", &w.id.to_string()).await?;
    Ok(record(
        &staff,
        "/work-orders",
        format!("{}: {}", w.reference, w.title),
        Some("Work order".into()),
        summary,
        sections,
        audit,
    ))
}

async fn invoices(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let today = services::today(&app);
    let rows = ledger::invoices(&app, &staff.session.actor, 500)
        .await?
        .into_iter()
        .map(|i| {
            let overdue = i.is_overdue(today);
            vec![
                Cell::link(&i.number, format!("/invoices/{}", i.id)),
                Cell::link(&i.unit_name, format!("/units/{}", i.unit_id)),
                Cell::text(&i.contact_name),
                Cell::text(date(&i.issue_date)),
                Cell::text(date(&i.due_date)),
                Cell::money(i.total),
                Cell::money(i.outstanding()),
                if overdue {
                    Cell::tag("Overdue", "red")
                } else {
                    Cell::tag(i.status.label(), status_tone(i.status.is_terminal()))
                },
            ]
        })
        .collect();
    let mut h = headers(&[
        "Number",
        "Unit",
        "Billed to",
        "Issued",
        "Due",
        "Total",
        "Outstanding",
        "Status",
    ]);
    h[5].numeric = true;
    h[6].numeric = true;
    let table = Table {
        caption: "Invoices, newest first (latest 500)".into(),
        headers: h,
        rows,
        empty: "No invoices yet.".into(),
    };
    Ok(list(&staff, "/invoices", "Invoices", None, vec![table]))
}

async fn invoice(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let view = ledger::invoice(&app, &staff.session.actor, id(&raw)?).await?;
    let i = &view.invoice;
    let summary = vec![
        (
            "Status".into(),
            Cell::tag(i.status.label(), status_tone(i.status.is_terminal())),
        ),
        (
            "Unit".into(),
            Cell::link(&i.unit_name, format!("/units/{}", i.unit_id)),
        ),
        (
            "Billed to".into(),
            Cell::link(&i.contact_name, format!("/contacts/{}", i.contact_id)),
        ),
        ("Issued".into(), Cell::text(date(&i.issue_date))),
        ("Due".into(), Cell::text(date(&i.due_date))),
        ("Net".into(), Cell::text(i.net.to_string())),
        ("VAT".into(), Cell::text(i.vat.to_string())),
        ("Total".into(), Cell::text(i.total.to_string())),
        ("Paid".into(), Cell::text(i.paid.to_string())),
        (
            "Outstanding".into(),
            Cell::text(i.outstanding().to_string()),
        ),
    ];
    let line_rows = view
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::text(&l.description),
                Cell::text(l.vat_rate.label()),
                Cell::money(l.net),
                Cell::money(l.vat),
            ]
        })
        .collect();
    let mut lh = headers(&["Description", "VAT rate", "Net", "VAT"]);
    lh[2].numeric = true;
    lh[3].numeric = true;
    let pay_rows = view
        .allocations
        .iter()
        .map(|a| {
            vec![
                Cell::text(date(&a.received_on)),
                Cell::text(a.method.label()),
                Cell::money(a.amount),
            ]
        })
        .collect();
    let mut ph = headers(&["Received", "Method", "Amount"]);
    ph[2].numeric = true;
    let sections = vec![
        Section {
            heading: "Lines".into(),
            table: Some(Table {
                caption: "Invoice lines".into(),
                headers: lh,
                rows: line_rows,
                empty: "No lines.".into(),
            }),
            ..Section::default()
        },
        Section {
            heading: "Payments".into(),
            table: Some(Table {
                caption: "Payments allocated".into(),
                headers: ph,
                rows: pay_rows,
                empty: "No payments yet.".into(),
            }),
            ..Section::default()
        },
    ];
    let audit = trail(&app, staff.org.id, "invoice", &i.id.to_string()).await?;
    Ok(record(
        &staff,
        "/invoices",
        format!("Invoice {}", i.number),
        Some(i.description.clone()),
        summary,
        sections,
        audit,
    ))
}

fn cover_cell(status: CoverStatus) -> Cell {
    match status {
        CoverStatus::Valid => Cell::tag("Valid", "green"),
        CoverStatus::ExpiringSoon => Cell::tag("Expiring soon", "amber"),
        CoverStatus::Lapsed => Cell::tag("Lapsed – cannot be dispatched", "red"),
    }
}

async fn contractors(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let rows = works::vendors(&app, &staff.session.actor)
        .await?
        .into_iter()
        .map(|(v, cover)| {
            vec![
                Cell::link(&v.name, format!("/contractors/{}", v.id)),
                Cell::text(v.service_category.label()),
                Cell::text(&v.email),
                cover_cell(cover),
            ]
        })
        .collect();
    let table = Table {
        caption: "Contractors".into(),
        headers: headers(&["Name", "Service", "Email", "Insurance"]),
        rows,
        empty: "No contractors yet.".into(),
    };
    Ok(list(
        &staff,
        "/contractors",
        "Contractors",
        None,
        vec![table],
    ))
}

async fn contractor(
    State(app): State<App>,
    staff: Staff,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (v, cover) = works::vendor(&app, &staff.session.actor, id(&raw)?).await?;
    let today = services::today(&app);
    let rows = cover
        .iter()
        .map(|c| {
            let status = services::parse_date(&c.expires_on).map_or(CoverStatus::Lapsed, |d| {
                proplink_shared::records::cover_status(d, today)
            });
            vec![
                Cell::text(c.kind.label()),
                Cell::text(&c.provider),
                Cell::text(&c.policy_number),
                Cell::text(c.sum_insured.map_or_else(|| "—".into(), |m| m.to_string())),
                Cell::text(date(&c.expires_on)),
                cover_cell(status),
            ]
        })
        .collect();
    let summary = vec![
        ("Service".into(), Cell::text(v.service_category.label())),
        ("Email".into(), Cell::text(&v.email)),
        ("Phone".into(), Cell::text(&v.phone)),
        (
            "Insurance".into(),
            cover_cell(works::worst_cover(&cover, today)),
        ),
    ];
    let table = Table {
        caption: "Insurance and certificates".into(),
        headers: headers(&[
            "Type",
            "Provider",
            "Policy / registration",
            "Cover",
            "Expires",
            "Status",
        ]),
        rows,
        empty: "Nothing on file.".into(),
    };
    let audit = trail(&app, staff.org.id, "vendor", &v.id.to_string()).await?;
    Ok(record(
        &staff,
        "/contractors",
        v.name.clone(),
        Some("Contractor".into()),
        summary,
        vec![Section {
            heading: "Cover".into(),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}

async fn notices(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let rows = works::notices(&app, &staff.session.actor)
        .await?
        .into_iter()
        .map(|n| {
            vec![
                Cell::text(&n.title),
                Cell::text(date(&n.publish_on)),
                Cell::text(n.expires_on.as_deref().map_or_else(|| "—".into(), date)),
                if n.urgent == 1 {
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
        caption: "Notices to residents".into(),
        headers: headers(&["Title", "Published", "Expires", "", "Audience"]),
        rows,
        empty: "No notices yet.".into(),
    };
    Ok(list(&staff, "/notices", "Notices", None, vec![table]))
}

async fn audit_log(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let rows = audit::latest(&app.db, &staff.session.actor, 200).await?;
    let table_rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::text(when(r.occurred_at)),
                Cell::text(&r.sentence),
                Cell::text(r.channel.label()),
                Cell::text(r.action.code().replace('_', " ")),
            ]
        })
        .collect();
    let table = Table {
        caption: "The latest 200 events".into(),
        headers: headers(&["When", "What", "Door", "Action"]),
        rows: table_rows,
        empty: "Nothing recorded yet.".into(),
    };
    Ok(list(&staff, "/audit", "Audit log", Some("Every change, payment, upload and sign-in, with the door it came through. Entries can never be edited or deleted.".into()), vec![table]))
}

/// The photos of a record, as links to open each one.
fn photos_section(base: &str, photos: &[String]) -> Section {
    let rows = photos
        .iter()
        .enumerate()
        .map(|(i, sha)| {
            vec![
                Cell::link(format!("Photo {}", i + 1), format!("{base}/photos/{sha}")),
                Cell::text(&sha[..12.min(sha.len())]),
            ]
        })
        .collect();
    Section {
        heading: format!("Photos ({})", photos.len()),
        table: Some(Table {
            caption: "Photos taken on site".into(),
            headers: headers(&["Photo", "Fingerprint"]),
            rows,
            empty: "No photos.".into(),
        }),
        ..Section::default()
    }
}

/// A photo's bytes, only if it belongs to a record the user may read.
async fn photo_response(
    app: &App,
    org: OrgId,
    photos: &[String],
    sha: &str,
) -> AppResult<Response> {
    if !photos.iter().any(|p| p == sha) {
        return Err(AppError::NotFound);
    }
    let (content_type, bytes) = crate::services::files::read(app, org, sha).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.jpg\"", &sha[..12.min(sha.len())]),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                "private, max-age=3600".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn issue_photo(
    State(app): State<App>,
    staff: Staff,
    Path((raw, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    let (_, photos) = issues::issue(&app, &staff.session.actor, id(&raw)?).await?;
    photo_response(&app, staff.org.id, &photos, &sha).await
}

async fn work_order_photo(
    State(app): State<App>,
    staff: Staff,
    Path((raw, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    let view = works::work_order(&app, &staff.session.actor, id(&raw)?).await?;
    photo_response(&app, staff.org.id, &view.photos, &sha).await
}
