//! The one work order a contractor's link opened: where, how to get in, what, by when, its
//! photos and notes, their own quotes and certificates, and the one thing to do next. Nothing
//! else of the organisation: no residents (unless the office shares an access contact), no
//! other records, no other contractor's prices or files.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{CertificateKind, QuoteKind, VatRate};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{CertificateId, Principal, QuoteId, VendorId, WorkStep};

use super::{Contractor, chrome};
use crate::app::App;
use crate::doors::admin::forms::{Draft, Filler, options};
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Entry, Field, Form, Input, RecordPage, Section, Table, headers, paragraphs,
    respond,
};
use crate::error::{AppError, AppResult};
use crate::services::contractor_links::ContractorSession;
use crate::services::work_orders::{self, WorkOrderView};
use crate::store::work_orders::{Quote, WorkOrder};

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-order", get(work_order))
        .route("/work-order/photos/{sha}", get(photo))
        .route("/work-order/quotes/{quote}/file", get(quote_file))
        .route(
            "/work-order/certificates/{certificate}/file",
            get(certificate_file),
        )
}

#[derive(serde::Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn work_order(
    State(app): State<App>,
    Contractor(me): Contractor,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = match done.done.as_str() {
        "quote" => Some("Your quote was sent. The office is told, and you will hear from them."),
        "progress" => Some("Your update was sent to the office."),
        "certificate" => Some("Your certificate was filed with the work order."),
        "complete" => Some("You marked the work complete. The office is told, and will review it."),
        _ => None,
    };
    let mut page = work_order_page(&app, &me, None).await?;
    page.actions.notice = notice.map(str::to_owned);
    Ok(respond(&page).into_response())
}

/// The work order and its contractor, as their session names them.
pub(super) fn mine(me: &ContractorSession) -> AppResult<(proplink_shared::WorkOrderId, VendorId)> {
    match me.actor.principal {
        Principal::Contractor { work_order, vendor } => Ok((work_order, vendor)),
        _ => Err(AppError::NotFound),
    }
}

/// Where the work stands for this contractor, in one sentence, and the form it points to.
fn next_step(w: &WorkOrder, vendor: VendorId, mine: &[&Quote]) -> (String, Option<&'static str>) {
    let awarded_to_me = w.vendor_id == Some(vendor);
    match w.status {
        _ if w.vendor_id.is_some() && !awarded_to_me => (
            "The office chose another quote for this work. Thank you for quoting.".into(),
            None,
        ),
        s if s.takes_quotes() && mine.is_empty() => (
            "Look over the job, then send your quote below. You can attach your own quotation as a PDF.".into(),
            Some("quote"),
        ),
        s if s.takes_quotes() => (
            "Your quote is with the office. You can send a revised one until they decide.".into(),
            Some("quote"),
        ),
        WorkOrderStatus::Approved => (
            "Your quote was accepted. Start when agreed; when the job is done, mark it complete below with a note and photos.".into(),
            Some("complete"),
        ),
        WorkOrderStatus::InProgress => (
            "The work is under way. Send updates as you go; when the job is done, mark it complete below.".into(),
            Some("complete"),
        ),
        WorkOrderStatus::Completed | WorkOrderStatus::PendingReview => (
            "You marked the work complete. The office will review it: there is nothing more to do here, and the work order is now read-only.".into(),
            None,
        ),
        _ => (
            format!(
                "This work order is {}: there is nothing to do here.",
                w.status.label().to_lowercase()
            ),
            None,
        ),
    }
}

pub(super) async fn work_order_page(
    app: &App,
    me: &ContractorSession,
    draft: Option<&Draft>,
) -> AppResult<RecordPage> {
    let (id, vendor) = mine(me)?;
    let view = work_orders::work_order(app, &me.actor, id).await?;
    let w = &view.work_order;
    let place = work_orders::contractor_address(app, &me.actor, w).await?;
    let mut summary = vec![
        ("Status".into(), Cell::tag(w.status.label(), "green")),
        ("Where".into(), Cell::text(place)),
    ];
    if !w.access_contact.is_empty() {
        summary.push(("Access contact".into(), Cell::text(&w.access_contact)));
    }
    summary.push(("Trade".into(), Cell::text(w.service_category.label())));
    summary.push(("Priority".into(), Cell::text(w.priority.label())));
    if let Some(deadline) = w.deadline {
        summary.push(("Needed by".into(), Cell::text(format_date(deadline))));
    }
    let my_quotes: Vec<&Quote> = view
        .quotes
        .iter()
        .filter(|q| q.vendor_id == vendor)
        .collect();
    let (next, form) = next_step(w, vendor, &my_quotes);
    let mut sections = vec![Section {
        heading: "What happens next".into(),
        paragraphs: vec![next],
        links: form
            .map(|f| vec![("Go to the form".to_owned(), format!("#{f}-heading"))])
            .unwrap_or_default(),
        ..Section::default()
    }];
    if !w.access_notes.is_empty() {
        sections.push(Section {
            heading: "Getting in".into(),
            paragraphs: paragraphs(&w.access_notes),
            ..Section::default()
        });
    }
    sections.push(Section {
        heading: "Scope of works".into(),
        paragraphs: paragraphs(&w.scope),
        ..Section::default()
    });
    if !view.photos.is_empty() {
        sections.push(Section {
            heading: format!("Photos ({})", view.photos.len()),
            gallery: view
                .photos
                .iter()
                .enumerate()
                .map(|(i, sha)| {
                    (
                        format!("/work-order/photos/{sha}"),
                        format!("Photo {}", i + 1),
                    )
                })
                .collect(),
            ..Section::default()
        });
    }
    if !view.notes.is_empty() {
        sections.push(Section {
            heading: "Notes".into(),
            entries: view
                .notes
                .iter()
                .map(|n| Entry {
                    meta: format!("{} · {}", n.author_name, format_date_time(n.created_at)),
                    body: n.body.clone(),
                    internal: false,
                })
                .collect(),
            ..Section::default()
        });
    }
    sections.push(quotes_section(&my_quotes, w));
    if w.vendor_id == Some(vendor) {
        sections.push(certificates_section(&view, vendor));
    }
    let mut c = chrome(app);
    c.csrf = me.csrf_token.clone();
    Ok(RecordPage {
        chrome: c,
        title: format!("{}: {}", w.reference, w.title),
        caption: Some(format!(
            "{}: a work order for {}",
            me.organisation, me.actor.display_name
        )),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions {
            notice: None,
            problems: draft.map(Draft::problems).unwrap_or_default(),
            forms: forms(
                w,
                vendor,
                &my_quotes,
                &me.actor.display_name,
                Filler { draft },
            ),
        },
        audit: None,
    })
}

fn quotes_section(mine: &[&Quote], w: &WorkOrder) -> Section {
    Section {
        heading: "Your quotes".into(),
        table: Some(Table {
            caption: "The quotes you sent for this work order".into(),
            headers: headers(&["Sent", "Kind", "Price", "VAT", "Document", "Decision"]),
            rows: mine
                .iter()
                .map(|q| {
                    vec![
                        Cell::text(format_date_time(q.submitted_at)),
                        Cell::text(q.kind.label()),
                        Cell::money(q.net),
                        Cell::money(q.vat),
                        match q.file_sha256 {
                            Some(_) => {
                                Cell::link("Your PDF", format!("/work-order/quotes/{}/file", q.id))
                            }
                            None => Cell::text("—"),
                        },
                        match (q.awarded, q.rejected) {
                            (true, _) => Cell::tag("Accepted", "green"),
                            (_, true) => {
                                Cell::tag(format!("Turned down: {}", q.rejection_reason), "red")
                            }
                            _ if w.vendor_id.is_some() => Cell::tag("Not chosen", "grey"),
                            _ => Cell::tag("Waiting for a decision", "amber"),
                        },
                    ]
                })
                .collect(),
            empty: "You have not sent a quote yet.".into(),
        }),
        ..Section::default()
    }
}

fn certificates_section(view: &WorkOrderView, vendor: VendorId) -> Section {
    Section {
        heading: "Your certificates".into(),
        table: Some(Table {
            caption: "The certificates you filed for this work order".into(),
            headers: headers(&["Type", "Issued", "Expires", "File"]),
            rows: view
                .certificates
                .iter()
                .filter(|c| c.vendor_id == Some(vendor))
                .map(|c| {
                    vec![
                        Cell::text(c.kind.label()),
                        Cell::date(c.issued_on),
                        Cell::text(c.expires_on.map_or_else(|| "—".into(), format_date)),
                        match c.file_sha256 {
                            Some(_) => Cell::link(
                                "Open",
                                format!("/work-order/certificates/{}/file", c.id),
                            ),
                            None => Cell::text("—"),
                        },
                    ]
                })
                .collect(),
            empty: "No certificates filed yet.".into(),
        }),
        ..Section::default()
    }
}

/// The forms open to this contractor now: a quote while quotes are taken; on work awarded to
/// them and under way, an update, a certificate, and marking it complete.
fn forms(
    w: &WorkOrder,
    vendor: VendorId,
    mine: &[&Quote],
    name: &str,
    fill: Filler<'_>,
) -> Vec<Form> {
    let mut forms = Vec::new();
    if WorkStep::Quote.open_to(vendor, w.vendor_id, w.status) {
        forms.push(quote_form(mine.is_empty(), fill));
    }
    if WorkStep::Complete.open_to(vendor, w.vendor_id, w.status) {
        forms.push(report_form(
            "complete",
            "Mark the work complete",
            "What was done",
            "What you did and anything the office should know. Add photos of the finished work.",
            "Mark complete",
            fill,
        ));
        forms.push(certificate_form(name, fill));
        forms.push(report_form(
            "progress",
            "Send an update",
            "Update",
            "Started, waiting for parts, back on Tuesday… The office is emailed.",
            "Send update",
            fill,
        ));
    }
    forms
}

fn quote_form(first: bool, fill: Filler<'_>) -> Form {
    Form {
        id: "quote",
        heading: if first {
            "Send your quote"
        } else {
            "Send a revised quote"
        },
        action: "/work-order/quote".into(),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "kind",
                label: "Kind of quote",
                hint: None,
                input: Input::Select(options(
                    QuoteKind::ALL,
                    QuoteKind::code,
                    QuoteKind::label,
                    &fill.value("quote", "kind", "fixed_price"),
                )),
                error: fill.error("quote", "kind"),
            },
            Field {
                name: "net",
                label: "Price before VAT",
                hint: Some("For a day-rate estimate, the total for the days you expect."),
                input: Input::Amount(fill.value("quote", "net", "")),
                error: fill.error("quote", "net"),
            },
            Field {
                name: "vat_rate",
                label: "VAT",
                hint: None,
                input: Input::Select(options(
                    VatRate::ALL,
                    VatRate::code,
                    VatRate::label,
                    &fill.value("quote", "vat_rate", "standard"),
                )),
                error: fill.error("quote", "vat_rate"),
            },
            Field {
                name: "notes",
                label: "Notes (optional)",
                hint: Some("What is included, how long it takes, when you could start."),
                input: Input::TextArea(fill.value("quote", "notes", "")),
                error: fill.error("quote", "notes"),
            },
            Field {
                name: "pdf",
                label: "Your quotation as a PDF (optional)",
                hint: Some("Up to 25 MB."),
                input: Input::File("application/pdf"),
                error: fill.error("quote", "pdf"),
            },
        ],
        submit: "Send quote",
        warning: false,
    }
}

fn report_form(
    id: &'static str,
    heading: &'static str,
    label: &'static str,
    hint: &'static str,
    submit: &'static str,
    fill: Filler<'_>,
) -> Form {
    Form {
        id,
        heading,
        action: format!("/work-order/{id}"),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "note",
                label,
                hint: Some(hint),
                input: Input::TextArea(fill.value(id, "note", "")),
                error: fill.error(id, "note"),
            },
            Field {
                name: "photos",
                label: "Photos (optional)",
                hint: Some("Up to 5 photos, each up to 10 MB. Their location is removed."),
                input: Input::Files("image/jpeg,image/png,image/webp"),
                error: fill.error(id, "photos"),
            },
        ],
        submit,
        warning: false,
    }
}

fn certificate_form(name: &str, fill: Filler<'_>) -> Form {
    Form {
        id: "certificate",
        heading: "Upload a certificate",
        action: "/work-order/certificate".into(),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "kind",
                label: "Type of certificate",
                hint: None,
                input: Input::Select(options(
                    CertificateKind::FOR_WORK,
                    CertificateKind::code,
                    CertificateKind::label,
                    &fill.value("certificate", "kind", ""),
                )),
                error: fill.error("certificate", "kind"),
            },
            Field {
                name: "body",
                label: "Issued by",
                hint: Some("Your company, or the certification body."),
                input: Input::Text(fill.value("certificate", "body", name)),
                error: fill.error("certificate", "body"),
            },
            Field {
                name: "registration",
                label: "Registration or certificate number (optional)",
                hint: None,
                input: Input::Text(fill.value("certificate", "registration", "")),
                error: fill.error("certificate", "registration"),
            },
            Field {
                name: "issued_on",
                label: "Date issued",
                hint: None,
                input: Input::Date(fill.value("certificate", "issued_on", "")),
                error: fill.error("certificate", "issued_on"),
            },
            Field {
                name: "expires_on",
                label: "Expiry date (optional)",
                hint: Some("When the next inspection is due, if the certificate says."),
                input: Input::Date(fill.value("certificate", "expires_on", "")),
                error: fill.error("certificate", "expires_on"),
            },
            Field {
                name: "file",
                label: "The certificate",
                hint: Some("A PDF, or a clear photo of it. Up to 25 MB."),
                input: Input::File("application/pdf,image/jpeg,image/png,image/webp"),
                error: fill.error("certificate", "file"),
            },
        ],
        submit: "Upload certificate",
        warning: false,
    }
}

async fn photo(
    State(app): State<App>,
    Contractor(me): Contractor,
    Path(sha): Path<String>,
) -> AppResult<Response> {
    let (id, _) = mine(&me)?;
    let view = work_orders::work_order(&app, &me.actor, id).await?;
    crate::doors::admin::photos::response(&app, &me.actor, &view.photos, &sha).await
}

async fn quote_file(
    State(app): State<App>,
    Contractor(me): Contractor,
    Path(quote): Path<QuoteId>,
) -> AppResult<Response> {
    let (id, _) = mine(&me)?;
    let file = work_orders::quote_file(&app, &me.actor, id, quote).await?;
    Ok(crate::doors::admin::documents::hand_over(file))
}

async fn certificate_file(
    State(app): State<App>,
    Contractor(me): Contractor,
    Path(certificate): Path<CertificateId>,
) -> AppResult<Response> {
    let (id, _) = mine(&me)?;
    let file = work_orders::certificate_file(&app, &me.actor, id, certificate).await?;
    Ok(crate::doors::admin::documents::hand_over(file))
}
