//! Contractors: the list (with who needs chasing for cover), adding one, and each contractor's
//! page where their details are edited and their insurance and certificates filed.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::london::format_date;
use proplink_shared::records::{
    CertificateKind, CoverStatus, RecordType, ServiceCategory, ValidationErrors, contractor_cover,
    cover_status,
};
use proplink_shared::{Action, Domain, Resource, VendorId, authorize};
use serde::Deserialize;
use time::Duration;

use super::Staff;
use super::forms::{Done, Draft, Filler, amount_field, answer, date_field, options, sent_back};
use super::view::{ListParams, TrailParams, codes, select, text_filter, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Field, Form, Input, ListPage, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{self, vendors};
use crate::store::vendors::{Cover, CoverFilter, VendorFilter};

pub fn router() -> Router<App> {
    Router::new()
        .route("/contractors", get(list).post(create))
        .route("/contractors/new", get(new_form))
        .route("/contractors/{id}", get(contractor))
        .route("/contractors/{id}/details", post(update))
        .route("/contractors/{id}/cover", post(add_cover))
}

/// Cover runs out "soon" within this many days: the list to chase.
const EXPIRING_DAYS: i64 = 60;

fn cover_cell(status: CoverStatus) -> Cell {
    match status {
        CoverStatus::Valid => Cell::tag("Valid", "green"),
        CoverStatus::ExpiringSoon => Cell::tag("Expiring soon", "amber"),
        CoverStatus::Lapsed => Cell::tag("Lapsed – cannot be dispatched", "red"),
    }
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let today = services::today(&app);
    let cover = match params.status.as_deref() {
        Some("expiring") => Some(CoverFilter::ExpiringBetween(
            today,
            today + Duration::days(EXPIRING_DAYS),
        )),
        Some("lapsed") => Some(CoverFilter::LapsedOn(today)),
        None | Some("") => None,
        Some(_) => {
            return Err(AppError::bad_request(
                "bad_filter",
                "That insurance filter is not one of the choices.",
            ));
        }
    };
    let filter = VendorFilter {
        category: params.coded(&params.kind, "service", ServiceCategory::from_code)?,
        cover,
        text: params.text(),
    };
    let page = vendors::vendors(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/contractors", &page);
    let rows = page
        .items
        .iter()
        .map(|v| {
            vec![
                Cell::link(&v.name, format!("/contractors/{}", v.id)),
                Cell::text(v.service_category.label()),
                Cell::text(&v.email),
                cover_cell(contractor_cover(
                    v.has_liability_cover,
                    v.earliest_expiry,
                    today,
                )),
            ]
        })
        .collect();
    let table = Table {
        caption: "Contractors, by name".into(),
        headers: headers(&["Name", "Service", "Email", "Insurance"]),
        rows,
        empty: "No contractors match.".into(),
    };
    let filters = vec![
        select(
            "kind",
            "Service",
            codes(
                ServiceCategory::ALL,
                ServiceCategory::code,
                ServiceCategory::label,
            ),
            params.kind.as_deref(),
        ),
        select(
            "status",
            "Insurance",
            vec![
                (
                    "expiring".into(),
                    format!("Expiring within {EXPIRING_DAYS} days"),
                ),
                ("lapsed".into(), "Lapsed or missing".into()),
            ],
            params.status.as_deref(),
        ),
        text_filter("Name or email", params.q.as_deref()),
    ];
    let actor = staff.actor();
    let links = if authorize(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )
    .is_ok()
    {
        vec![("Add a contractor".to_owned(), "/contractors/new".to_owned())]
    } else {
        Vec::new()
    };
    Ok(respond(&ListPage {
        chrome: staff.chrome("/contractors"),
        title: "Contractors".into(),
        intro: None,
        links,
        filters,
        action: "/contractors",
        table,
        pager,
    }))
}

/// The fields of a contractor's details, filled from `(name, email, phone, service)`.
fn detail_fields(
    fill: Filler<'_>,
    form: &'static str,
    current: (&str, &str, &str, &str),
) -> Vec<Field> {
    let (name, email, phone, service) = current;
    vec![
        Field {
            name: "name",
            label: "Name",
            hint: None,
            input: Input::Text(fill.value(form, "name", name)),
            error: fill.error(form, "name"),
        },
        Field {
            name: "email",
            label: "Email address",
            hint: Some("Invitations to quote and the work order's link go here."),
            input: Input::Email(fill.value(form, "email", email)),
            error: fill.error(form, "email"),
        },
        Field {
            name: "phone",
            label: "Phone (optional)",
            hint: None,
            input: Input::Text(fill.value(form, "phone", phone)),
            error: fill.error(form, "phone"),
        },
        Field {
            name: "service",
            label: "Trade",
            hint: None,
            input: Input::Select(options(
                ServiceCategory::ALL,
                ServiceCategory::code,
                ServiceCategory::label,
                &fill.value(form, "service", service),
            )),
            error: fill.error(form, "service"),
        },
    ]
}

async fn new_page(staff: &Staff, draft: Option<Draft>) -> AppResult<RecordPage> {
    let actor = staff.actor();
    if authorize(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )
    .is_err()
    {
        return Err(AppError::Forbidden);
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    Ok(RecordPage {
        chrome: staff.chrome("/contractors"),
        title: "Add a contractor".into(),
        caption: Some("Contractors".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: vec![Section {
            heading: "Before you start".into(),
            paragraphs: vec![
                "File their public liability insurance on their page next: until it is on file and current, they cannot be invited to quote.".into(),
            ],
            ..Section::default()
        }],
        actions: Actions {
            notice: None,
            problems: draft.as_ref().map(Draft::problems).unwrap_or_default(),
            forms: vec![Form {
                id: "new",
                heading: "Their details",
                action: "/contractors".into(),
                hidden: Vec::new(),
                fields: detail_fields(fill, "new", ("", "", "", ServiceCategory::General.code())),
                submit: "Add contractor",
                warning: false,
            }],
        },
        audit: None,
    })
}

async fn new_form(staff: Staff) -> AppResult<Response> {
    Ok(respond(&new_page(&staff, None).await?))
}

#[derive(Deserialize)]
struct DetailsForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    service: String,
}

impl DetailsForm {
    fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name),
            ("email", self.email),
            ("phone", self.phone),
            ("service", self.service),
        ]
    }

    fn service(&self) -> AppResult<ServiceCategory> {
        ServiceCategory::from_code(&self.service)
            .ok_or_else(|| AppError::invalid("service", "Choose their trade"))
    }
}

async fn create(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> AppResult<Response> {
    let outcome = match form.service() {
        Ok(service) => {
            vendors::add_vendor(
                &app,
                staff.actor(),
                &form.name,
                &form.email,
                &form.phone,
                service,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/contractors/{id}?done=created")).into_response()),
        Err(e) => match sent_back("new", Err(e), form.typed())? {
            Some((status, draft)) => {
                Ok((status, respond(&new_page(&staff, Some(draft)).await?)).into_response())
            }
            None => Ok(Redirect::to("/contractors").into_response()),
        },
    }
}

fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "created" => "The contractor was added. File their insurance next.",
            "details" => "Their details were saved.",
            "cover" => "The certificate was filed.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn contractor(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<VendorId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    Ok(respond(
        &contractor_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

async fn contractor_page(
    app: &App,
    staff: &Staff,
    id: VendorId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let (v, cover) = vendors::vendor(app, staff.actor(), id).await?;
    let today = services::today(app);
    let rows = cover
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.kind.label()),
                Cell::text(&c.provider),
                Cell::text(&c.policy_number),
                Cell::text(c.sum_insured.map_or_else(|| "—".into(), |m| m.to_string())),
                Cell::text(format_date(c.expires_on)),
                cover_cell(cover_status(c.expires_on, today)),
            ]
        })
        .collect();
    let summary = vec![
        ("Trade".into(), Cell::text(v.service_category.label())),
        ("Email".into(), Cell::text(&v.email)),
        (
            "Phone".into(),
            Cell::text(if v.phone.is_empty() { "—" } else { &v.phone }),
        ),
        (
            "Insurance".into(),
            cover_cell(contractor_cover(
                v.has_liability_cover,
                v.earliest_expiry,
                today,
            )),
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
    let actor = staff.actor();
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(
        actor,
        Action::Update,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )
    .is_ok()
    {
        forms.push(Form {
            id: "cover",
            heading: "File insurance or a certificate",
            action: format!("/contractors/{id}/cover"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "kind",
                    label: "Type",
                    hint: None,
                    input: Input::Select(options(
                        CertificateKind::ALL,
                        CertificateKind::code,
                        CertificateKind::label,
                        &fill.value("cover", "kind", CertificateKind::PublicLiability.code()),
                    )),
                    error: fill.error("cover", "kind"),
                },
                Field {
                    name: "provider",
                    label: "Insurer or issuing body",
                    hint: None,
                    input: Input::Text(fill.value("cover", "provider", "")),
                    error: fill.error("cover", "provider"),
                },
                Field {
                    name: "policy_number",
                    label: "Policy or registration number",
                    hint: None,
                    input: Input::Text(fill.value("cover", "policy_number", "")),
                    error: fill.error("cover", "policy_number"),
                },
                Field {
                    name: "sum_insured",
                    label: "Sum insured (optional)",
                    hint: None,
                    input: Input::Amount(fill.value("cover", "sum_insured", "")),
                    error: fill.error("cover", "sum_insured"),
                },
                Field {
                    name: "expires_on",
                    label: "Expires on",
                    hint: None,
                    input: Input::Date(fill.value("cover", "expires_on", "")),
                    error: fill.error("cover", "expires_on"),
                },
            ],
            submit: "File certificate",
            warning: false,
        });
        let mut details = Form {
            id: "details",
            heading: "Their details",
            action: format!("/contractors/{id}/details"),
            hidden: vec![("version", v.version.to_string())],
            fields: detail_fields(
                fill,
                "details",
                (&v.name, &v.email, &v.phone, v.service_category.code()),
            ),
            submit: "Save details",
            warning: false,
        };
        if let Some(d) = draft.as_ref().filter(|d| d.form == "details") {
            if let Some((_, version)) = d.typed.iter().find(|(k, _)| *k == "version") {
                details.hidden = vec![("version", version.clone())];
            }
        }
        forms.push(details);
    }
    let audit = trail(app, staff, RecordType::Vendor, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/contractors"),
        title: v.name.clone(),
        caption: Some("Contractor".into()),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: "Cover".into(),
            table: Some(table),
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn after(
    app: &App,
    staff: &Staff,
    id: VendorId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/contractors/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        contractor_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

async fn update(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<VendorId>,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> AppResult<Response> {
    let outcome = match (form.service(), form.version.parse::<i64>()) {
        (Ok(service), Ok(version)) => {
            vendors::update_vendor(
                &app,
                staff.actor(),
                id,
                version,
                (&form.name, &form.email, &form.phone, service),
            )
            .await
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    // A conflict keeps the stale version, so saving again without reloading is refused again.
    let mut typed = vec![("version", form.version.clone())];
    typed.extend(form.typed());
    after(&app, &staff, id, "details", outcome, typed).await
}

#[derive(Deserialize)]
struct CoverForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    policy_number: String,
    #[serde(default)]
    sum_insured: String,
    #[serde(default)]
    expires_on: String,
}

async fn add_cover(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<VendorId>,
    CsrfForm(form): CsrfForm<CoverForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let kind = CertificateKind::from_code(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Choose the type of certificate");
    }
    let sum_insured = if form.sum_insured.trim().is_empty() {
        None
    } else {
        amount_field(&mut errors, "sum_insured", &form.sum_insured)
    };
    let expires_on = date_field(&mut errors, "expires_on", "expiry date", &form.expires_on);
    let outcome = match (errors.into_result(()), kind, expires_on) {
        (Ok(()), Some(kind), Some(expires_on)) => {
            let cover = Cover {
                kind,
                provider: form.provider.trim().to_owned(),
                policy_number: form.policy_number.trim().to_owned(),
                sum_insured,
                expires_on,
            };
            vendors::add_cover(&app, staff.actor(), id, &cover).await
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("kind", "Check the certificate")),
    };
    let typed = vec![
        ("kind", form.kind),
        ("provider", form.provider),
        ("policy_number", form.policy_number),
        ("sum_insured", form.sum_insured),
        ("expires_on", form.expires_on),
    ];
    after(&app, &staff, id, "cover", outcome, typed).await
}
