//! The account of a resident's home: its statement (on screen and as a PDF) and each invoice,
//! with the way to pay it.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use proplink_shared::london::format_date;
use proplink_shared::{Action, InvoiceId, UnitId, authorize};

use super::Resident;
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Card, Cell, Field, Form, Input, ListPage, Pager, RecordPage, Section, Table, headers,
    respond,
};
use crate::error::{AppError, AppResult};
use crate::services::ledger;

pub fn router() -> Router<App> {
    Router::new()
        .route("/account", get(accounts))
        .route("/account/{unit}", get(statement))
        .route("/account/{unit}/statement.pdf", get(statement_pdf))
        .route("/invoices/{id}", get(invoice))
}

/// The homes whose account the resident reads: straight to the one, or a list of several.
async fn accounts(State(app): State<App>, me: Resident) -> AppResult<Response> {
    let mut rows = Vec::new();
    for h in &me.session.homes {
        match ledger::statement(&app, me.actor(), h.unit_id, None).await {
            Ok(s) => rows.push((h, s)),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    if let [(h, _)] = rows.as_slice() {
        return Ok(Redirect::to(&format!("/account/{}", h.unit_id)).into_response());
    }
    Ok(respond(&ListPage {
        chrome: me.chrome("/account"),
        title: "Your account".into(),
        intro: Some(if rows.is_empty() {
            format!(
                "{} does not share the account of the home you rent. Your landlord pays its service charges.",
                me.org.name
            )
        } else {
            "Choose a home to see its statement and pay what is owed.".into()
        }),
        links: Vec::new(),
        filters: Vec::new(),
        action: "/account",
        table: Table {
            caption: "Your homes and their balances".into(),
            headers: headers(&["Home", "Building", "Balance", "In arrears"]),
            rows: rows
                .iter()
                .map(|(h, s)| {
                    vec![
                        Cell::link(&h.unit_name, format!("/account/{}", h.unit_id)),
                        Cell::text(&h.building_name),
                        Cell::text(s.balance.as_balance()).numeric(),
                        Cell::money(s.arrears),
                    ]
                })
                .collect(),
            empty: "There is no account to show.".into(),
        },
        pager: Pager::default(),
    })
    .into_response())
}

#[derive(serde::Deserialize, Default)]
struct Period {
    /// The whole history rather than the last twelve months.
    #[serde(default)]
    all: bool,
}

/// The statement of one home: the same statement the accountant sees, the last twelve months
/// (with the balance brought forward) unless the whole history is asked for.
async fn statement(
    State(app): State<App>,
    me: Resident,
    Path(unit): Path<UnitId>,
    Query(period): Query<Period>,
) -> AppResult<Response> {
    let year_ago =
        proplink_shared::london::local(app.clock.now()).date() - time::Duration::days(365);
    let from = (!period.all).then_some(year_ago);
    let s = ledger::statement(&app, me.actor(), unit, from).await?;
    let open = ledger::open_invoices(&app, me.actor(), unit).await?;
    let today = s.as_at;
    let cards = vec![
        Card {
            figure: s.balance.as_balance(),
            label: if s.balance.pence() > 0 {
                "to pay".into()
            } else {
                "balance".into()
            },
            href: None,
        },
        Card {
            figure: s.arrears.to_string(),
            label: "overdue".into(),
            href: None,
        },
    ];
    let to_pay = Section {
        heading: "Invoices to pay".into(),
        table: Some(Table {
            caption: "Invoices with money still owed".into(),
            headers: headers(&["Invoice", "For", "Due", "Left to pay", ""]),
            rows: open
                .iter()
                .map(|i| {
                    vec![
                        Cell::link(&i.number, format!("/invoices/{}", i.id)),
                        Cell::text(&i.description),
                        if i.is_overdue(today) {
                            Cell::tag(format!("Overdue since {}", format_date(i.due_date)), "red")
                        } else {
                            Cell::date(i.due_date)
                        },
                        Cell::money(i.outstanding()),
                        Cell::link(format!("Pay {}", i.number), format!("/invoices/{}", i.id)),
                    ]
                })
                .collect(),
            empty: "Nothing to pay: thank you.".into(),
        }),
        ..Section::default()
    };
    let movements = Section {
        heading: "Statement".into(),
        paragraphs: match s.from {
            Some(f) => vec![format!(
                "The last twelve months, from {}. Brought forward: {}.",
                format_date(f),
                s.opening.as_balance()
            )],
            None => vec!["Everything since the account began.".into()],
        },
        links: vec![
            (
                "Download the statement (PDF)".into(),
                format!(
                    "/account/{unit}/statement.pdf{}",
                    if period.all { "?all=true" } else { "" }
                ),
            ),
            if period.all {
                (
                    "Show the last twelve months".into(),
                    format!("/account/{unit}"),
                )
            } else {
                (
                    "Show the whole history".into(),
                    format!("/account/{unit}?all=true"),
                )
            },
        ],
        table: Some(crate::doors::pdf::statement_table(&s)),
        ..Section::default()
    };
    Ok(respond(&RecordPage {
        chrome: me.chrome("/account"),
        title: format!("Account: {}", s.unit_name),
        caption: Some(s.building_name.clone()),
        cards,
        summary: vec![
            (
                "Billed to".into(),
                Cell::text(
                    s.contact
                        .as_ref()
                        .map_or_else(|| "Nobody yet".into(), |(_, n)| n.clone()),
                ),
            ),
            ("As at".into(), Cell::text(format_date(s.as_at))),
        ],
        sections: vec![to_pay, movements],
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}

async fn statement_pdf(
    State(app): State<App>,
    me: Resident,
    Path(unit): Path<UnitId>,
    Query(period): Query<Period>,
) -> AppResult<Response> {
    let year_ago =
        proplink_shared::london::local(app.clock.now()).date() - time::Duration::days(365);
    let s = ledger::statement(&app, me.actor(), unit, (!period.all).then_some(year_ago)).await?;
    Ok(crate::doors::pdf::statement_download(&me.org.name, &s))
}

/// An invoice, what was paid against it, and the form to pay what is left.
async fn invoice(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<InvoiceId>,
) -> AppResult<Response> {
    let page = invoice_page(&app, &me, id, None).await?;
    Ok(respond(&page).into_response())
}

/// The invoice's page; `problem` is what went wrong with the last attempt to pay, kept with
/// what was typed.
pub(super) async fn invoice_page(
    app: &App,
    me: &Resident,
    id: InvoiceId,
    problem: Option<(String, String)>,
) -> AppResult<RecordPage> {
    let view = ledger::invoice(app, me.actor(), id).await?;
    let i = &view.invoice;
    let today = proplink_shared::london::local(app.clock.now()).date();
    let lines = Section {
        heading: "What it is for".into(),
        table: Some(Table {
            caption: format!("Lines of invoice {}", i.number),
            headers: headers(&["Description", "VAT", "Net", "VAT amount"]),
            rows: view
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
                .collect(),
            empty: "No lines.".into(),
        }),
        ..Section::default()
    };
    let paid = Section {
        heading: "Paid so far".into(),
        table: Some(Table {
            caption: format!("Payments towards invoice {}", i.number),
            headers: headers(&["Date", "How", "Amount"]),
            rows: view
                .allocations
                .iter()
                .map(|a| {
                    vec![
                        Cell::date(a.received_on),
                        Cell::text(a.method.label()),
                        Cell::money(a.amount),
                    ]
                })
                .collect(),
            empty: "Nothing has been paid towards this invoice yet.".into(),
        }),
        ..Section::default()
    };
    let mut actions = Actions::default();
    let payable = i.outstanding().pence() > 0
        && i.status.is_posted()
        && authorize(me.actor(), Action::Pay, &ledger::resource(me.actor(), i)).is_ok();
    let mut sections = vec![lines, paid];
    if payable && !crate::services::payments::enabled(app) {
        sections.push(Section {
            heading: "How to pay".into(),
            paragraphs: vec![format!(
                "Pay by bank transfer, quoting {} as the reference. For the bank details, contact {}{}.",
                i.number,
                me.org.name,
                if me.org.contact_email.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", me.org.contact_email)
                }
            )],
            ..Section::default()
        });
    }
    let offered = payable && crate::services::payments::enabled(app);
    if let (Some((_, message)), false) = (&problem, offered) {
        actions.problems.push(crate::doors::pages::Problem {
            href: "#content".into(),
            message: message.clone(),
        });
    }
    if offered {
        let (typed, error) = match &problem {
            Some((typed, error)) => (typed.clone(), Some(error.clone())),
            None => {
                let left = i.outstanding().pence();
                (format!("{}.{:02}", left / 100, left % 100), None)
            }
        };
        if let Some(message) = &error {
            actions.problems.push(crate::doors::pages::Problem {
                href: "#pay-amount".into(),
                message: message.clone(),
            });
        }
        actions.forms.push(Form {
            id: "pay",
            heading: "Pay by card",
            action: format!("/invoices/{id}/pay"),
            // A new key each time the page is drawn: the same form sent twice is one payment.
            hidden: vec![("attempt", crate::app::random_token())],
            fields: vec![Field {
                name: "amount",
                label: "Amount to pay",
                hint: Some(
                    "The whole amount left, or part of it. You pay on a secure card page, then come back here.",
                ),
                input: Input::Amount(typed),
                error,
            }],
            submit: "Continue to payment",
            warning: false,
        });
    }
    let status = if i.outstanding().pence() == 0 {
        Cell::tag("Paid", "green")
    } else if i.is_overdue(today) {
        Cell::tag("Overdue", "red")
    } else {
        Cell::tag("To pay", "amber")
    };
    Ok(RecordPage {
        chrome: me.chrome("/account"),
        title: format!("Invoice {}", i.number),
        caption: Some(format!("{}, {}", i.description, i.unit_name)),
        cards: vec![
            Card {
                figure: i.total.to_string(),
                label: "total".into(),
                href: None,
            },
            Card {
                figure: i.outstanding().to_string(),
                label: "left to pay".into(),
                href: None,
            },
        ],
        summary: vec![
            ("Status".into(), status),
            ("Issued".into(), Cell::date(i.issue_date)),
            ("Due".into(), Cell::date(i.due_date)),
            (
                "Home".into(),
                Cell::link(&i.unit_name, format!("/account/{}", i.unit_id)),
            ),
            ("Billed to".into(), Cell::text(&i.contact_name)),
        ],
        sections,
        actions,
        audit: None,
    })
}
