//! A unit: its people, its account (balance, arrears, credit, latest movements) and the
//! accountant's forms: raise an invoice, record a payment, allocate credit.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::records::{
    InvoiceCategory, InvoiceLine, PaymentMethod, RecordType, ValidationErrors, VatRate,
};
use proplink_shared::{Action, Domain, InvoiceId, Money, Resource, UnitId, authorize};
use serde::Deserialize;
use time::Duration;

use super::Staff;
use super::forms::{Done, Draft, Filler, amount_field, answer, date_field, none_choice, options};
use super::view::{TrailParams, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Card, Cell, Choice, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{self, ledger, people, places};
use crate::store::places::Unit;

pub fn router() -> Router<App> {
    Router::new()
        .route("/units/{id}", get(unit))
        .route("/units/{id}/invoices", post(raise_invoice))
        .route("/units/{id}/payments", post(record_payment))
        .route("/units/{id}/allocations", post(allocate))
}

/// How many of the latest movements the unit's page shows; the statement has them all.
const LATEST: usize = 8;

async fn unit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    Ok(respond(
        &unit_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "created" => "The unit was added. Add its leaseholder next.",
            "edit" => "The unit's details were saved.",
            "join" => "They were linked to the unit.",
            "leave" => "Their link to the unit was ended.",
            "payment" => "The payment was recorded and set against the oldest invoices first.",
            "allocate" => "The credit was allocated to the invoice.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn unit_page(
    app: &App,
    staff: &Staff,
    id: UnitId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let u = places::unit(app, actor, id).await?;
    let occupancy = people::occupancy(app, actor, id).await?;
    let people_rows = occupancy
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.contact_name, format!("/contacts/{}", o.contact_id)),
                Cell::text(o.role.label()),
                Cell::text(if o.billable { "Yes" } else { "No" }),
                Cell::date(o.start_date),
                o.end_date.map_or_else(
                    || Cell::tag("Current", "green"),
                    |d| Cell::text(format!("Until {}", proplink_shared::london::format_date(d))),
                ),
            ]
        })
        .collect();
    let mut sections = vec![Section {
        heading: "People".into(),
        table: Some(Table {
            caption: format!("People linked to {}", u.name),
            headers: headers(&["Name", "Role", "Billable", "From", "Now"]),
            rows: people_rows,
            empty: "Nobody is linked to this unit.".into(),
        }),
        ..Section::default()
    }];
    let mut cards = Vec::new();
    let mut forms = super::occupancy::forms(app, staff, &u, &occupancy, draft.as_ref());
    // The account needs finance access; operational staff see the unit without it.
    match ledger::statement(app, actor, id, None).await {
        Ok(mut statement) => {
            let credit = ledger::unit_credit(app, actor, id).await?;
            cards = vec![
                Card {
                    figure: statement.balance.as_balance(),
                    label: "Balance: see the statement".into(),
                    href: Some(format!("/units/{id}/statement")),
                },
                Card {
                    figure: statement.arrears.to_string(),
                    label: "In arrears (past due)".into(),
                    href: None,
                },
                Card {
                    figure: credit.to_string(),
                    label: "Credit not yet allocated".into(),
                    href: None,
                },
            ];
            let shown = statement.lines.len().saturating_sub(LATEST);
            statement.lines.drain(..shown);
            let mut table = crate::doors::pdf::statement_table(&statement);
            table.caption = format!("Latest movements on {}", u.name);
            sections.push(Section {
                heading: "Account".into(),
                table: Some(table),
                ..Section::default()
            });
            let mut money = money_forms(app, staff, &u, credit, draft.as_ref()).await?;
            money.append(&mut forms);
            forms = money;
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
    let audit = trail(app, staff, RecordType::Unit, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: u.name.clone(),
        caption: Some(u.building_name.clone()),
        cards,
        summary,
        sections,
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

/// The lines an invoice form offers; the first is required.
const LINES: [(&str, &str, &str); 3] = [
    ("line1_description", "line1_amount", "line1_vat"),
    ("line2_description", "line2_amount", "line2_vat"),
    ("line3_description", "line3_amount", "line3_vat"),
];

const LINE_LABELS: [(&str, &str, &str); 3] = [
    (
        "Line 1: what for",
        "Line 1: amount before VAT",
        "Line 1: VAT",
    ),
    (
        "Line 2: what for (optional)",
        "Line 2: amount before VAT",
        "Line 2: VAT",
    ),
    (
        "Line 3: what for (optional)",
        "Line 3: amount before VAT",
        "Line 3: VAT",
    ),
];

/// The accountant's forms on a unit, for those who may write its account.
async fn money_forms(
    app: &App,
    staff: &Staff,
    u: &Unit,
    credit: Money,
    draft: Option<&Draft>,
) -> AppResult<Vec<Form>> {
    let actor = staff.actor();
    let mut res = Resource::on_site(actor.org, Domain::Finance, u.site_id).with_unit(u.id);
    res.contact = u.billable_contact_id;
    if authorize(actor, Action::Create, &res).is_err() || u.billable_contact_id.is_none() {
        return Ok(Vec::new());
    }
    let fill = Filler { draft };
    let today = services::today(app);
    let date = |d: time::Date| crate::store::date_text(d);
    let action = |what: &str| format!("/units/{}/{what}", u.id);
    let text =
        |form: &'static str, name: &'static str, label: &'static str, hint, default: &str| Field {
            name,
            label,
            hint,
            input: Input::Text(fill.value(form, name, default)),
            error: fill.error(form, name),
        };
    let mut invoice_fields = vec![
        Field {
            name: "category",
            label: "Charge",
            hint: None,
            input: Input::Select(options(
                InvoiceCategory::ALL,
                InvoiceCategory::code,
                InvoiceCategory::label,
                &fill.value("invoice", "category", InvoiceCategory::ServiceCharge.code()),
            )),
            error: fill.error("invoice", "category"),
        },
        text(
            "invoice",
            "description",
            "Description",
            Some("The leaseholder sees this on the invoice and the statement."),
            "",
        ),
    ];
    for ((d, a, v), (dl, al, vl)) in LINES.iter().zip(LINE_LABELS) {
        invoice_fields.push(text("invoice", d, dl, None, ""));
        invoice_fields.push(Field {
            name: a,
            label: al,
            hint: None,
            input: Input::Amount(fill.value("invoice", a, "")),
            error: fill.error("invoice", a),
        });
        invoice_fields.push(Field {
            name: v,
            label: vl,
            hint: None,
            input: Input::Select(options(
                VatRate::ALL,
                VatRate::code,
                VatRate::label,
                &fill.value("invoice", v, VatRate::Exempt.code()),
            )),
            error: fill.error("invoice", v),
        });
    }
    for (name, label, default) in [
        ("issue_date", "Issue date", today),
        ("due_date", "Due date", today + Duration::days(30)),
    ] {
        invoice_fields.push(Field {
            name,
            label,
            hint: None,
            input: Input::Date(fill.value("invoice", name, &date(default))),
            error: fill.error("invoice", name),
        });
    }
    let mut forms = vec![
        Form {
            id: "invoice",
            heading: "Raise an invoice",
            action: action("invoices"),
            hidden: Vec::new(),
            fields: invoice_fields,
            submit: "Raise invoice",
            warning: false,
        },
        Form {
            id: "payment",
            heading: "Record a payment",
            action: action("payments"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "amount",
                    label: "Amount received",
                    hint: Some(
                        "Set against the oldest invoices first; anything over is kept as credit.",
                    ),
                    input: Input::Amount(fill.value("payment", "amount", "")),
                    error: fill.error("payment", "amount"),
                },
                Field {
                    name: "method",
                    label: "How it was paid",
                    hint: None,
                    input: Input::Select(options(
                        PaymentMethod::ALL,
                        PaymentMethod::code,
                        PaymentMethod::label,
                        &fill.value("payment", "method", PaymentMethod::Bacs.code()),
                    )),
                    error: fill.error("payment", "method"),
                },
                Field {
                    name: "received_on",
                    label: "Received on",
                    hint: None,
                    input: Input::Date(fill.value("payment", "received_on", &date(today))),
                    error: fill.error("payment", "received_on"),
                },
                text(
                    "payment",
                    "reference",
                    "Payer's reference (optional)",
                    None,
                    "",
                ),
            ],
            submit: "Record payment",
            warning: false,
        },
    ];
    let open = ledger::open_invoices(app, actor, u.id).await?;
    if credit.pence() > 0 && !open.is_empty() {
        let chosen = fill.value("allocate", "invoice", "");
        let mut choices = vec![none_choice("Choose an invoice", chosen.is_empty())];
        choices.extend(open.iter().map(|i| Choice {
            selected: i.id.to_string() == chosen,
            value: i.id.to_string(),
            label: format!("{}: {} left to pay", i.number, i.outstanding()),
        }));
        forms.push(Form {
            id: "allocate",
            heading: "Allocate credit",
            action: action("allocations"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "invoice",
                    label: "Invoice",
                    hint: None,
                    input: Input::Select(choices),
                    error: fill.error("allocate", "invoice"),
                },
                Field {
                    name: "amount",
                    label: "Amount",
                    hint: Some(
                        "No more than the credit on the unit or what the invoice has left to pay.",
                    ),
                    input: Input::Amount(fill.value(
                        "allocate",
                        "amount",
                        &credit.to_string().replace('£', ""),
                    )),
                    error: fill.error("allocate", "amount"),
                },
            ],
            submit: "Allocate credit",
            warning: false,
        });
    }
    Ok(forms)
}

/// After a form: on to the unit's page, or back to the form with what was wrong.
pub(super) async fn after(
    app: &App,
    staff: &Staff,
    id: UnitId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/units/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        unit_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct InvoiceForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    line1_description: String,
    #[serde(default)]
    line1_amount: String,
    #[serde(default)]
    line1_vat: String,
    #[serde(default)]
    line2_description: String,
    #[serde(default)]
    line2_amount: String,
    #[serde(default)]
    line2_vat: String,
    #[serde(default)]
    line3_description: String,
    #[serde(default)]
    line3_amount: String,
    #[serde(default)]
    line3_vat: String,
    #[serde(default)]
    issue_date: String,
    #[serde(default)]
    due_date: String,
}

impl InvoiceForm {
    fn lines(&self) -> [(&str, &str, &str); 3] {
        [
            (&self.line1_description, &self.line1_amount, &self.line1_vat),
            (&self.line2_description, &self.line2_amount, &self.line2_vat),
            (&self.line3_description, &self.line3_amount, &self.line3_vat),
        ]
    }

    fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("category", self.category),
            ("description", self.description),
            ("line1_description", self.line1_description),
            ("line1_amount", self.line1_amount),
            ("line1_vat", self.line1_vat),
            ("line2_description", self.line2_description),
            ("line2_amount", self.line2_amount),
            ("line2_vat", self.line2_vat),
            ("line3_description", self.line3_description),
            ("line3_amount", self.line3_amount),
            ("line3_vat", self.line3_vat),
            ("issue_date", self.issue_date),
            ("due_date", self.due_date),
        ]
    }
}

async fn raise_invoice(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    CsrfForm(form): CsrfForm<InvoiceForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let category = InvoiceCategory::from_code(&form.category);
    if category.is_none() {
        errors.add("category", "Choose what the invoice charges for");
    }
    let mut lines = Vec::new();
    for (i, ((description, amount, vat), (d, a, v))) in
        form.lines().into_iter().zip(LINES).enumerate()
    {
        let blank = description.trim().is_empty() && amount.trim().is_empty();
        if blank && i > 0 {
            continue;
        }
        let Some(rate) = VatRate::from_code(vat) else {
            errors.add(v, "Choose a VAT rate");
            continue;
        };
        match InvoiceLine::validate(description, amount, rate) {
            Ok(line) => lines.push(line),
            Err(e) => {
                for err in e.0 {
                    let field = if err.field == "description" { d } else { a };
                    errors.add(field, err.message);
                }
            }
        }
    }
    let issue = date_field(&mut errors, "issue_date", "issue date", &form.issue_date);
    let due = date_field(&mut errors, "due_date", "due date", &form.due_date);
    let outcome = match (errors.into_result(()), category, issue, due) {
        (Ok(()), Some(category), Some(issue_date), Some(due_date)) => {
            ledger::raise_invoice(
                &app,
                staff.actor(),
                id,
                &ledger::Charge {
                    category,
                    description: &form.description,
                    lines: &lines,
                    issue_date,
                    due_date,
                },
            )
            .await
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("description", "Check the invoice")),
    };
    match outcome {
        // A new invoice is followed to its own page, to submit it for approval.
        Ok(invoice) => {
            Ok(Redirect::to(&format!("/invoices/{invoice}?done=created")).into_response())
        }
        Err(e) => after(&app, &staff, id, "invoice", Err(e), form.typed()).await,
    }
}

#[derive(Deserialize)]
struct PaymentForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    reference: String,
}

async fn record_payment(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    CsrfForm(form): CsrfForm<PaymentForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let amount = amount_field(&mut errors, "amount", &form.amount);
    let method = PaymentMethod::from_code(&form.method);
    if method.is_none() {
        errors.add("method", "Choose how it was paid");
    }
    let received_on = date_field(
        &mut errors,
        "received_on",
        "date received",
        &form.received_on,
    );
    if received_on.is_some_and(|d| d > services::today(&app)) {
        errors.add("received_on", "The date received cannot be in the future");
    }
    if form.reference.chars().count() > 100 {
        errors.add("reference", "The reference must be 100 characters or fewer");
    }
    let outcome = match (errors.into_result(()), amount, method, received_on) {
        (Ok(()), Some(amount), Some(method), Some(received_on)) => ledger::record_payment(
            &app,
            staff.actor(),
            id,
            &ledger::Receipt {
                amount,
                method,
                received_on,
                reference: &form.reference,
            },
        )
        .await
        .map(drop),
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("amount", "Check the payment")),
    };
    let typed = vec![
        ("amount", form.amount),
        ("method", form.method),
        ("received_on", form.received_on),
        ("reference", form.reference),
    ];
    after(&app, &staff, id, "payment", outcome, typed).await
}

#[derive(Deserialize)]
struct AllocateForm {
    #[serde(default)]
    invoice: String,
    #[serde(default)]
    amount: String,
}

async fn allocate(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    CsrfForm(form): CsrfForm<AllocateForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let invoice = form.invoice.parse::<InvoiceId>().ok();
    if invoice.is_none() {
        errors.add("invoice", "Choose the invoice to allocate the credit to");
    }
    let amount = amount_field(&mut errors, "amount", &form.amount);
    let outcome = match (errors.into_result(()), invoice, amount) {
        (Ok(()), Some(invoice), Some(amount)) => {
            // The invoice must be this unit's: another unit's id answers as missing.
            let view = ledger::invoice(&app, staff.actor(), invoice).await?;
            if view.invoice.unit_id != id {
                return Err(AppError::NotFound);
            }
            ledger::allocate_credit(&app, staff.actor(), invoice, amount).await
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("amount", "Check the allocation")),
    };
    let typed = vec![("invoice", form.invoice), ("amount", form.amount)];
    after(&app, &staff, id, "allocate", outcome, typed).await
}
