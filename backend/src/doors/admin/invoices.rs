//! Invoices: the list with its filters and totals, and each invoice with its lines and the
//! payments set against it.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::InvoiceId;
use proplink_shared::records::RecordType;
use proplink_shared::states::InvoiceStatus;

use super::Staff;
use super::view::{
    ListParams, TrailParams, codes, list_page, record_page, select, site_filter, status_tone,
    text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Section, Table, headers};
use crate::error::AppResult;
use crate::services::{self, ledger, places};
use crate::store::finance::InvoiceFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/invoices", get(list))
        .route("/invoices/{id}", get(invoice))
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
) -> AppResult<Response> {
    let view = ledger::invoice(&app, staff.actor(), id).await?;
    let i = &view.invoice;
    let summary = vec![
        (
            "Status".into(),
            Cell::tag(i.status.label(), status_tone(i.status.is_terminal())),
        ),
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
                Cell::date(a.received_on),
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
    let audit = trail(&app, &staff, RecordType::Invoice, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/invoices",
        format!("Invoice {}", i.number),
        "Invoice",
        summary,
        sections,
        audit,
    ))
}
