//! What the office shares with a work order's contractor — how to get in, whom to call, the
//! request's photos — and the files the contractor sent (a quote's document, certificates),
//! opened from the work order's page.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::{Action, CertificateId, QuoteId, WorkOrderId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::Filler;
use super::work_orders::after;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Choice, Field, Form, Input, Section};
use crate::doors::web::CsrfForm;
use crate::error::AppResult;
use crate::services::work_orders::{self, WorkOrderView};

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-orders/{id}/access", post(access))
        .route("/work-orders/{id}/share-photos", post(share_photos))
        .route("/work-orders/{id}/quotes/{quote}/file", get(quote_file))
        .route(
            "/work-orders/{id}/certificates/{certificate}/file",
            get(certificate_file),
        )
}

/// What the contractor is told about getting in, as the office sees it.
pub(super) fn access_section(view: &WorkOrderView) -> Section {
    let w = &view.work_order;
    let mut paragraphs = Vec::new();
    if !w.access_contact.is_empty() {
        paragraphs.push(format!("Access contact: {}", w.access_contact));
    }
    paragraphs.extend(crate::doors::pages::paragraphs(&w.access_notes));
    if paragraphs.is_empty() {
        paragraphs.push("No access notes: the contractor is told only the address.".into());
    }
    Section {
        heading: "Access, as the contractor sees it".into(),
        paragraphs,
        ..Section::default()
    }
}

/// The request's photos not yet shared, shown small for the office to choose from.
pub(super) async fn request_photos_section(
    app: &App,
    staff: &Staff,
    view: &WorkOrderView,
) -> AppResult<Option<Section>> {
    let w = &view.work_order;
    let Some(ticket) = w.ticket_id else {
        return Ok(None);
    };
    let unshared = work_orders::unshared_request_photos(app, staff.actor(), w.id).await?;
    if unshared.is_empty() {
        return Ok(None);
    }
    Ok(Some(Section {
        heading: "The request's photos, not shared with the contractor".into(),
        gallery: unshared
            .iter()
            .enumerate()
            .map(|(i, sha)| {
                (
                    format!("/tickets/{ticket}/photos/{sha}"),
                    format!("Request photo {}", i + 1),
                )
            })
            .collect(),
        ..Section::default()
    }))
}

/// The forms that set what the contractor sees, for those who may update the work order.
pub(super) async fn forms(
    app: &App,
    staff: &Staff,
    view: &WorkOrderView,
    fill: Filler<'_>,
) -> AppResult<Vec<Form>> {
    let actor = staff.actor();
    let w = &view.work_order;
    if authorize(actor, Action::Update, &work_orders::resource(actor, w)).is_err()
        || w.status.is_terminal()
    {
        return Ok(Vec::new());
    }
    let mut forms = vec![Form {
        id: "access",
        heading: "Access for the contractor",
        action: format!("/work-orders/{}/access", w.id),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "access_notes",
                label: "How to get in",
                hint: Some("Keys, codes, parking, times. The contractor sees this on their link."),
                input: Input::TextArea(fill.value("access", "access_notes", &w.access_notes)),
                error: fill.error("access", "access_notes"),
            },
            Field {
                name: "access_contact",
                label: "Access contact (optional)",
                hint: Some(
                    "Someone who lets them in, with a phone number: the concierge, or a resident who agreed to be named. Nobody else's details are shown.",
                ),
                input: Input::Text(fill.value("access", "access_contact", &w.access_contact)),
                error: fill.error("access", "access_contact"),
            },
        ],
        submit: "Save access details",
        warning: false,
    }];
    if w.ticket_id.is_some() {
        let unshared = work_orders::unshared_request_photos(app, actor, w.id).await?;
        if !unshared.is_empty() {
            forms.push(Form {
                id: "share",
                heading: "Share the request's photos",
                action: format!("/work-orders/{}/share-photos", w.id),
                hidden: Vec::new(),
                fields: vec![Field {
                    name: "photos",
                    label: "Photos to show the contractor",
                    hint: Some("They appear on the work order, for staff and its contractors."),
                    input: Input::Checkboxes(
                        unshared
                            .iter()
                            .enumerate()
                            .map(|(i, sha)| Choice {
                                selected: false,
                                value: sha.clone(),
                                label: format!("Request photo {}", i + 1),
                            })
                            .collect(),
                    ),
                    error: fill.error("share", "photos"),
                }],
                submit: "Share with the contractor",
                warning: false,
            });
        }
    }
    Ok(forms)
}

#[derive(Deserialize)]
struct AccessForm {
    #[serde(default)]
    access_notes: String,
    #[serde(default)]
    access_contact: String,
}

async fn access(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<AccessForm>,
) -> AppResult<Response> {
    let outcome = work_orders::set_access(
        &app,
        staff.actor(),
        id,
        &form.access_notes,
        &form.access_contact,
    )
    .await;
    let typed = vec![
        ("access_notes", form.access_notes),
        ("access_contact", form.access_contact),
    ];
    after(&app, &staff, id, "access", outcome, typed).await
}

async fn share_photos(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let chosen: Vec<String> = sent
        .into_iter()
        .filter(|(k, _)| k == "photos")
        .map(|(_, v)| v)
        .collect();
    let outcome = work_orders::share_request_photos(&app, staff.actor(), id, &chosen).await;
    after(&app, &staff, id, "share", outcome, Vec::new()).await
}

async fn quote_file(
    State(app): State<App>,
    staff: Staff,
    Path((id, quote)): Path<(WorkOrderId, QuoteId)>,
) -> AppResult<Response> {
    let file = work_orders::quote_file(&app, staff.actor(), id, quote).await?;
    Ok(super::documents::hand_over(file))
}

async fn certificate_file(
    State(app): State<App>,
    staff: Staff,
    Path((id, certificate)): Path<(WorkOrderId, CertificateId)>,
) -> AppResult<Response> {
    let file = work_orders::certificate_file(&app, staff.actor(), id, certificate).await?;
    Ok(super::documents::hand_over(file))
}
