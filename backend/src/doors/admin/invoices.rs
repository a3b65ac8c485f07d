//! Invoices: the list with its filters and totals, and each invoice with its lines and the
//! payments set against it.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::records::{RecordType, ValidationErrors};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{Action, InvoiceId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Filler, amount_field, answer, date_field};
use super::view::{
    ListParams, TrailParams, codes, list_page, select, site_filter, status_tone, text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::ledger::InvoiceView;
use crate::services::{self, ledger, places};
use crate::store::finance::InvoiceFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/invoices", get(list))
        .route("/invoices/{id}", get(invoice))
        .route("/invoices/{id}/status", post(move_invoice))
        .route("/invoices/{id}/credit-notes", post(credit_note))
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let today = services::today(&app);
    let (status, overdue_on) = match params.status.as_deref() {
        Some("overdue") => (None, Some(today)),
        _ => (
            params.coded(&params.status, "status", InvoiceStatus::from_code)?,
            None,
        ),
    };
    let filter = InvoiceFilter {
        site: params.site()?,
        status,
        overdue_on,
        text: params.text(),
    };
    let page = ledger::invoices(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/invoices", &page);
    let rows = page
        .items
        .iter()
        .map(|i| {
            vec![
                Cell::link(&i.number, format!("/invoices/{}", i.id)),
                Cell::link(&i.unit_name, format!("/units/{}", i.unit_id)),
                Cell::text(&i.contact_name),
                Cell::date(i.issue_date),
                Cell::date(i.due_date),
                Cell::money(i.total),
                Cell::money(i.outstanding()),
                if i.is_overdue(today) {
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
        caption: "Invoices, newest first".into(),
        headers: h,
        rows,
        empty: "No invoices match.".into(),
    };
    let sites = places::site_choices(&app, staff.actor()).await?;
    let mut statuses = vec![("overdue".to_owned(), "Overdue".to_owned())];
    statuses.extend(codes(
        InvoiceStatus::ALL,
        InvoiceStatus::code,
        InvoiceStatus::label,
    ));
    let filters = vec![
        site_filter(&sites, params.site.as_deref()),
        select("status", "Status", statuses, params.status.as_deref()),
        text_filter("Number, unit or name", params.q.as_deref()),
    ];
    Ok(list_page(
        &staff,
        "/invoices",
        "Invoices",
        filters,
        table,
        pager,
    ))
}

async fn invoice(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<InvoiceId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    Ok(respond(
        &invoice_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "created" => {
                "The invoice was raised as a draft. Submit it for approval when it is right."
            }
            "submit" => "The invoice was submitted for approval.",
            "approve" => "The invoice was approved and posted to the unit's account.",
            "redraft" => "The invoice is a draft again and can be corrected.",
            "send" => "The invoice was emailed to the account holder.",
            "void" => "The invoice was voided.",
            "credit" => "The credit note was raised and taken off the invoice.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// The form that moves an invoice to `to`: its id, heading and button.
fn move_form(to: InvoiceStatus) -> Option<(&'static str, &'static str, &'static str, bool)> {
    Some(match to {
        InvoiceStatus::PendingApproval => (
            "submit",
            "Submit for approval",
            "Submit for approval",
            false,
        ),
        InvoiceStatus::Approved => ("approve", "Approve", "Approve and post", false),
        InvoiceStatus::Draft => ("redraft", "Return to draft", "Return to draft", false),
        InvoiceStatus::Sent => ("send", "Send", "Email to the account holder", false),
        InvoiceStatus::Voided => ("void", "Void", "Void invoice", true),
        // Paid follows from payments and credit, never from a button.
        InvoiceStatus::Paid => return None,
    })
}

fn forms(app: &App, staff: &Staff, view: &InvoiceView, draft: Option<&Draft>) -> Vec<Form> {
    let actor = staff.actor();
    let i = &view.invoice;
    let res = ledger::resource(actor, i);
    let fill = Filler { draft };
    let mut forms = Vec::new();
    for to in i.status.next_states() {
        let Some((form, heading, submit, warning)) = move_form(*to) else {
            continue;
        };
        let action = match to {
            InvoiceStatus::Approved => Action::Approve,
            InvoiceStatus::Voided => Action::Archive,
            _ => Action::Update,
        };
        if authorize(actor, action, &res).is_err()
            || *to == InvoiceStatus::Voided && i.paid.pence() > 0
        {
            continue;
        }
        forms.push(Form {
            id: form,
            heading,
            action: format!("/invoices/{}/status", i.id),
            hidden: vec![("to", to.code().to_owned())],
            fields: Vec::new(),
            submit,
            warning,
        });
    }
    if authorize(actor, Action::Create, &res).is_ok()
        && i.status.is_posted()
        && !i.status.is_terminal()
        && i.outstanding().pence() > 0
    {
        forms.push(Form {
            id: "credit",
            heading: "Credit note",
            action: format!("/invoices/{}/credit-notes", i.id),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "amount",
                    label: "Amount to credit",
                    hint: Some("No more than what is left to pay on the invoice."),
                    input: Input::Amount(fill.value("credit", "amount", "")),
                    error: fill.error("credit", "amount"),
                },
                Field {
                    name: "reason",
                    label: "Reason",
                    hint: Some("Shown on the statement: \"charged twice\", \"not liable\"."),
                    input: Input::Text(fill.value("credit", "reason", "")),
                    error: fill.error("credit", "reason"),
                },
                Field {
                    name: "issue_date",
                    label: "Date",
                    hint: None,
                    input: Input::Date(fill.value(
                        "credit",
                        "issue_date",
                        &crate::store::date_text(services::today(app)),
                    )),
                    error: fill.error("credit", "issue_date"),
                },
            ],
            submit: "Raise credit note",
            warning: false,
        });
    }
    forms
}

async fn invoice_page(
    app: &App,
    staff: &Staff,
    id: InvoiceId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let view = ledger::invoice(app, staff.actor(), id).await?;
    let i = &view.invoice;
    let summary = vec![
        (
            "Status".into(),
            Cell::tag(i.status.label(), status_tone(i.status.is_terminal())),
        ),
        ("Charge".into(), Cell::text(i.category.label())),
        ("Description".into(), Cell::text(&i.description)),
        (
            "Unit".into(),
            Cell::link(&i.unit_name, format!("/units/{}", i.unit_id)),
        ),
        (
            "Billed to".into(),
            Cell::link(&i.contact_name, format!("/contacts/{}", i.contact_id)),
        ),
        ("Issued".into(), Cell::date(i.issue_date)),
        ("Due".into(), Cell::date(i.due_date)),
        ("Net".into(), Cell::text(i.net.to_string())),
        ("VAT".into(), Cell::text(i.vat.to_string())),
        ("Total".into(), Cell::text(i.total.to_string())),
        ("Paid or credited".into(), Cell::text(i.paid.to_string())),
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
                Cell::date(a.received_on),
                Cell::text(a.method.label()),
                Cell::money(a.amount),
            ]
        })
        .collect();
    let mut ph = headers(&["Received", "Method", "Amount"]);
    ph[2].numeric = true;
    let credit_rows = view
        .credit_notes
        .iter()
        .map(|c| {
            vec![
                Cell::text(&c.number),
                Cell::date(c.issue_date),
                Cell::text(&c.reason),
                Cell::money(c.amount),
            ]
        })
        .collect();
    let mut ch = headers(&["Number", "Date", "Reason", "Amount"]);
    ch[3].numeric = true;
    let mut sections = vec![
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
    if !view.credit_notes.is_empty() {
        sections.push(Section {
            heading: "Credit notes".into(),
            table: Some(Table {
                caption: "Credit notes against this invoice".into(),
                headers: ch,
                rows: credit_rows,
                empty: String::new(),
            }),
            ..Section::default()
        });
    }
    let audit = trail(app, staff, RecordType::Invoice, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/invoices"),
        title: format!("Invoice {}", i.number),
        caption: Some("Invoice".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions::answering(
            notice,
            draft.as_ref(),
            forms(app, staff, &view, draft.as_ref()),
        ),
        audit: Some(audit),
    })
}

/// After a form: on to the invoice's page, or back to the form with what was wrong.
async fn after(
    app: &App,
    staff: &Staff,
    id: InvoiceId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/invoices/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        invoice_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    to: String,
}

async fn move_invoice(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<InvoiceId>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> AppResult<Response> {
    let (to, form_id) =
        match InvoiceStatus::from_code(&form.to).and_then(|to| move_form(to).map(|f| (to, f.0))) {
            Some(found) => found,
            None => {
                return Err(AppError::bad_request(
                    "bad_status",
                    "That is not a step an invoice can be moved to from here.",
                ));
            }
        };
    let outcome = ledger::move_invoice(&app, staff.actor(), id, to).await;
    after(&app, &staff, id, form_id, outcome, Vec::new()).await
}

#[derive(Deserialize)]
struct CreditForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    issue_date: String,
}

async fn credit_note(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<InvoiceId>,
    CsrfForm(form): CsrfForm<CreditForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let amount = amount_field(&mut errors, "amount", &form.amount);
    let date = date_field(&mut errors, "issue_date", "date", &form.issue_date);
    if form.reason.trim().is_empty() {
        errors.add("reason", "Say why the money is not owed");
    }
    let outcome = match (errors.into_result(()), amount, date) {
        (Ok(()), Some(amount), Some(date)) => {
            ledger::credit_note(&app, staff.actor(), id, amount, &form.reason, date)
                .await
                .map(drop)
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("amount", "Check the credit note")),
    };
    let typed = vec![
        ("amount", form.amount),
        ("reason", form.reason),
        ("issue_date", form.issue_date),
    ];
    after(&app, &staff, id, "credit", outcome, typed).await
}
