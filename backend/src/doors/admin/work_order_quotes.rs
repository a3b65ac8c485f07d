//! The quotes of a work order: compared side by side, one awarded (once), others turned down
//! with the reason the contractor is told.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{QuoteId, WorkOrderId};
use serde::Deserialize;

use super::Staff;
use super::forms::{Filler, none_choice};
use super::work_orders::after;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Cell, Choice, Field, Form, Header, Input, Table};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::work_orders::WorkOrderView;
use crate::services::{quotes, work_orders};
use crate::store::work_orders::Quote;
use proplink_shared::london::format_date_time;

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-orders/{id}/award", post(award))
        .route("/work-orders/{id}/reject", post(reject))
}

/// A quote as a choice: who, and for how much.
fn choices(open: &[&Quote], chosen: &str) -> Vec<Choice> {
    let mut choices = vec![none_choice("Choose a quote", chosen.is_empty())];
    choices.extend(open.iter().map(|q| Choice {
        selected: q.id.to_string() == chosen,
        value: q.id.to_string(),
        label: format!("{}: {} + {} VAT", q.vendor_name, q.net, q.vat),
    }));
    choices
}

/// The award and turn-down forms, while the work order waits for a decision on open quotes.
/// The caller has checked the actor may approve.
pub(super) fn forms(view: &WorkOrderView, fill: Filler<'_>) -> Vec<Form> {
    let w = &view.work_order;
    let open: Vec<&Quote> = view
        .quotes
        .iter()
        .filter(|q| !q.awarded && !q.rejected)
        .collect();
    if open.is_empty() || !w.status.next_states().contains(&WorkOrderStatus::Approved) {
        return Vec::new();
    }
    let action = |what: &str| format!("/work-orders/{}/{what}", w.id);
    vec![
        Form {
            id: "award",
            heading: "Award the work",
            action: action("award"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "quote",
                label: "Quote",
                hint: Some("The contractor of the quote chosen does the work, at its price."),
                input: Input::Select(choices(&open, &fill.value("award", "quote", ""))),
                error: fill.error("award", "quote"),
            }],
            submit: "Award",
            warning: false,
        },
        Form {
            id: "reject",
            heading: "Turn a quote down",
            action: action("reject"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "quote",
                    label: "Quote",
                    hint: None,
                    input: Input::Select(choices(&open, &fill.value("reject", "quote", ""))),
                    error: fill.error("reject", "quote"),
                },
                Field {
                    name: "reason",
                    label: "Reason",
                    hint: Some("The contractor is emailed this."),
                    input: Input::Text(fill.value("reject", "reason", "")),
                    error: fill.error("reject", "reason"),
                },
            ],
            submit: "Turn down",
            warning: true,
        },
    ]
}

/// The quotes side by side: one column per contractor, one row per thing to compare.
pub(super) fn comparison(view: &WorkOrderView) -> Table {
    let mut h = vec![Header {
        label: "Compare".into(),
        numeric: false,
    }];
    h.extend(view.quotes.iter().map(|q| Header {
        label: q.vendor_name.clone().into(),
        numeric: false,
    }));
    let lowest = view
        .quotes
        .iter()
        .filter(|q| !q.rejected)
        .map(|q| q.net.pence() + q.vat.pence())
        .min();
    let row = |label: &str, cell: &dyn Fn(&Quote) -> Cell| {
        let mut r = vec![Cell::text(label)];
        r.extend(view.quotes.iter().map(cell));
        r
    };
    let rows = if view.quotes.is_empty() {
        Vec::new()
    } else {
        vec![
            row("Type", &|q| Cell::text(q.kind.label())),
            row("Net", &|q| Cell::money(q.net)),
            row("VAT", &|q| Cell::money(q.vat)),
            row("Total", &|q| {
                let total = q.net.pence() + q.vat.pence();
                let text = proplink_shared::Money::from_pence(total).to_string();
                if Some(total) == lowest && view.quotes.len() > 1 {
                    Cell::text(format!("{text} (lowest)")).numeric()
                } else {
                    Cell::text(text).numeric()
                }
            }),
            row("Notes", &|q| {
                Cell::text(if q.notes.is_empty() { "—" } else { &q.notes })
            }),
            row("Document", &|q| match &q.file_sha256 {
                Some(_) => Cell::link(
                    "Quote PDF",
                    format!("/work-orders/{}/quotes/{}/file", view.work_order.id, q.id),
                ),
                None => Cell::text("—"),
            }),
            row("Received", &|q| {
                Cell::text(format!(
                    "{} via {}",
                    format_date_time(q.submitted_at),
                    q.channel.label()
                ))
            }),
            row("Decision", &|q| {
                if q.awarded {
                    Cell::tag("Awarded", "green")
                } else if q.rejected {
                    Cell::tag(format!("Turned down: {}", q.rejection_reason), "grey")
                } else {
                    Cell::tag("Waiting for a decision", "amber")
                }
            }),
        ]
    };
    Table {
        caption: "Quotes received, side by side".into(),
        headers: h,
        rows,
        empty: "No quotes yet.".into(),
    }
}

#[derive(Deserialize)]
struct AwardForm {
    #[serde(default)]
    quote: String,
}

async fn award(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<AwardForm>,
) -> AppResult<Response> {
    let outcome = match form.quote.parse::<QuoteId>() {
        Ok(quote) => work_orders::award(&app, staff.actor(), id, quote).await,
        Err(_) => Err(AppError::invalid(
            "quote",
            "Choose the quote to award the work to",
        )),
    };
    after(
        &app,
        &staff,
        id,
        "award",
        outcome,
        vec![("quote", form.quote)],
    )
    .await
}

#[derive(Deserialize)]
struct RejectForm {
    #[serde(default)]
    quote: String,
    #[serde(default)]
    reason: String,
}

async fn reject(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<RejectForm>,
) -> AppResult<Response> {
    let outcome = match form.quote.parse::<QuoteId>() {
        Ok(quote) => quotes::reject(&app, staff.actor(), id, quote, &form.reason).await,
        Err(_) => Err(AppError::invalid("quote", "Choose the quote to turn down")),
    };
    let typed = vec![("quote", form.quote), ("reason", form.reason)];
    after(&app, &staff, id, "reject", outcome, typed).await
}
