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
use super::forms::{Filler, date_field, options};
use super::work_orders::after;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Choice, Field, Form, Input, Section};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::work_orders::{self, WorkOrderView};
use crate::store::vendors::Cover;
use crate::store::work_orders::WorkOrder;
use proplink_shared::records::{CertificateKind, ServiceCategory, ValidationErrors};

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-orders/{id}/access", post(access))
        .route("/work-orders/{id}/invite-new", post(invite_new))
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
pub(super) fn request_photos_section(view: &WorkOrderView, unshared: &[String]) -> Option<Section> {
    let w = &view.work_order;
    let ticket = w.ticket_id?;
    if unshared.is_empty() {
        return None;
    }
    Some(Section {
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
    })
}

/// Invites a contractor who is not on the list yet: their details, and the public liability
/// cover nobody is invited without.
pub(super) fn invite_new_form(w: &WorkOrder, fill: Filler<'_>) -> Form {
    let id = "invite-new";
    Form {
        id,
        heading: "Invite a contractor not on the list",
        action: format!("/work-orders/{}/invite-new", w.id),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "name",
                label: "Company",
                hint: None,
                input: Input::Text(fill.value(id, "name", "")),
                error: fill.error(id, "name"),
            },
            Field {
                name: "email",
                label: "Email",
                hint: Some("Their link goes here."),
                input: Input::Email(fill.value(id, "email", "")),
                error: fill.error(id, "email"),
            },
            Field {
                name: "phone",
                label: "Phone (optional)",
                hint: None,
                input: Input::Text(fill.value(id, "phone", "")),
                error: fill.error(id, "phone"),
            },
            Field {
                name: "category",
                label: "Trade",
                hint: None,
                input: Input::Select(options(
                    ServiceCategory::ALL,
                    ServiceCategory::code,
                    ServiceCategory::label,
                    &fill.value(id, "category", w.service_category.code()),
                )),
                error: fill.error(id, "category"),
            },
            Field {
                name: "provider",
                label: "Public liability insurer",
                hint: Some("Nobody is invited without cover on file."),
                input: Input::Text(fill.value(id, "provider", "")),
                error: fill.error(id, "provider"),
            },
            Field {
                name: "policy_number",
                label: "Policy number",
                hint: None,
                input: Input::Text(fill.value(id, "policy_number", "")),
                error: fill.error(id, "policy_number"),
            },
            Field {
                name: "expires_on",
                label: "Cover expires on",
                hint: None,
                input: Input::Date(fill.value(id, "expires_on", "")),
                error: fill.error(id, "expires_on"),
            },
        ],
        submit: "Add and invite",
        warning: false,
    }
}

/// The forms that set what the contractor sees, for those who may update the work order.
pub(super) fn forms(
    staff: &Staff,
    view: &WorkOrderView,
    unshared: &[String],
    fill: Filler<'_>,
) -> Vec<Form> {
    let actor = staff.actor();
    let w = &view.work_order;
    if authorize(actor, Action::Update, &work_orders::resource(actor, w)).is_err()
        || w.status.is_terminal()
    {
        return Vec::new();
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
    // Only a work order from a request has request photos to share.
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
    forms
}

#[derive(Deserialize)]
struct InviteNewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    policy_number: String,
    #[serde(default)]
    expires_on: String,
}

async fn invite_new(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<InviteNewForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let category = ServiceCategory::from_code(&form.category);
    if category.is_none() {
        errors.add("category", "Choose their trade");
    }
    let expires_on = date_field(
        &mut errors,
        "expires_on",
        "cover's expiry date",
        &form.expires_on,
    );
    let outcome = match (errors.into_result(()), category, expires_on) {
        (Ok(()), Some(category), Some(expires_on)) => {
            let new = work_orders::NewContractor {
                name: &form.name,
                email: &form.email,
                phone: &form.phone,
                category,
                cover: Cover {
                    kind: CertificateKind::PublicLiability,
                    provider: form.provider.trim().to_owned(),
                    policy_number: form.policy_number.trim().to_owned(),
                    sum_insured: None,
                    expires_on,
                },
            };
            work_orders::invite_new(&app, staff.actor(), id, &new)
                .await
                .map(|_| ())
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("category", "Choose their trade")),
    };
    let typed = vec![
        ("name", form.name),
        ("email", form.email),
        ("phone", form.phone),
        ("category", form.category),
        ("provider", form.provider),
        ("policy_number", form.policy_number),
        ("expires_on", form.expires_on),
    ];
    after(&app, &staff, id, "invite-new", outcome, typed).await
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
