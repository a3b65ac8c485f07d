//! Organisation settings and branding: details, contact, brand colour (refused with its
//! contrast ratio when white text on it is hard to read), the portals' welcomes, and the logo.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::records::{OrgSettings, RecordType};
use proplink_shared::{Action, Domain, Resource, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Empty, Filler, answer};
use super::view::{TrailParams, trail};
use crate::app::App;
use crate::doors::extract::Query;
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, RecordPage, Section, respond,
};
use crate::doors::web::{CsrfForm, CsrfMultipart};
use crate::error::{AppError, AppResult};
use crate::services::settings;

pub fn router() -> Router<App> {
    Router::new()
        .route("/settings", get(page).post(save))
        .route("/settings/logo", post(upload_logo))
        .route("/settings/logo/remove", post(remove_logo))
        .route("/settings/tenants", post(save_tenants))
}

fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "settings" => "The settings were saved. The portals show them at once.",
            "logo" => "The logo was uploaded.",
            "remove-logo" => "The logo was removed.",
            "tenants" => "What tenants see on ResidencePort was saved.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn page(
    State(app): State<App>,
    staff: Staff,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    Ok(respond(
        &settings_page(&app, &staff, &at, notice, None).await?,
    ))
}

/// The fields of the settings form: `(name, label, hint, long text)`.
const FIELDS: [(&str, &str, Option<&str>, bool); 10] = [
    (
        "name",
        "Organisation name",
        Some("As residents and contractors see it."),
        false,
    ),
    (
        "legal_name",
        "Legal name",
        Some("Printed on statements and letters."),
        false,
    ),
    ("company_number", "Company number", None, false),
    ("vat_number", "VAT number", None, false),
    ("address", "Address", None, true),
    (
        "contact_email",
        "Contact email",
        Some("Where residents can write to you."),
        false,
    ),
    ("contact_phone", "Contact phone", None, false),
    (
        "brand_colour",
        "Brand colour",
        Some(
            "The masthead and buttons: white text sits on it, so it must have a contrast ratio of at least 4.5:1 with white (WCAG AA).",
        ),
        false,
    ),
    (
        "welcome_text",
        "ResidencePort welcome",
        Some("The first thing leaseholders and tenants read. A blank line starts a new paragraph."),
        true,
    ),
    (
        "thread_welcome_text",
        "BuildingThread welcome",
        Some("For residents of higher-risk buildings and the Building Safety Regulator."),
        true,
    ),
];

fn value_of<'a>(s: &'a OrgSettings, name: &str) -> &'a str {
    match name {
        "name" => &s.name,
        "legal_name" => &s.legal_name,
        "company_number" => &s.company_number,
        "vat_number" => &s.vat_number,
        "address" => &s.address,
        "contact_email" => &s.contact_email,
        "contact_phone" => &s.contact_phone,
        "brand_colour" => &s.brand_colour,
        "welcome_text" => &s.welcome_text,
        _ => &s.thread_welcome_text,
    }
}

async fn settings_page(
    app: &App,
    staff: &Staff,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let org = settings::organisation(app, actor).await?;
    let current = org.settings();
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let may = authorize(
        actor,
        Action::Update,
        &Resource::org_wide(actor.org, Domain::Settings),
    )
    .is_ok();
    let summary = vec![
        ("Subdomain".into(), Cell::text(&org.slug)),
        ("Brand colour".into(), Cell::text(&org.brand_colour)),
    ];
    let logo = Section {
        heading: "Logo".into(),
        paragraphs: vec![if org.logo_sha.is_some() {
            "Shown beside the organisation's name at the top of every page, in the admin app and the portals.".into()
        } else {
            "No logo yet: the portals show the organisation's name alone.".into()
        }],
        image: org.logo_sha.as_ref().map(|sha| {
            (
                format!("/brand/logo/{sha}"),
                format!("The logo of {}", org.name),
            )
        }),
        ..Section::default()
    };
    let mut forms = Vec::new();
    if may {
        let form = "settings";
        let fields = FIELDS
            .iter()
            .map(|(name, label, hint, long)| {
                let value = fill.value(form, name, value_of(&current, name));
                Field {
                    name,
                    label,
                    hint: *hint,
                    input: match *name {
                        "brand_colour" => Input::Colour(value),
                        "contact_email" => Input::Email(value),
                        _ if *long => Input::TextArea(value),
                        _ => Input::Text(value),
                    },
                    error: fill.error(form, name),
                }
            })
            .collect();
        forms.push(Form {
            id: form,
            heading: "Details and branding",
            action: "/settings".into(),
            hidden: vec![("version", org.version.to_string())],
            fields,
            submit: "Save settings",
            warning: false,
        });
        forms.push(Form {
            id: "logo",
            heading: "Upload a logo",
            action: "/settings/logo".into(),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "logo",
                label: "Logo (PNG)",
                hint: Some("A PNG up to 512 KB and 2048 pixels a side, ideally on a transparent or white background. SVG files are not accepted."),
                input: Input::File("image/png"),
                error: fill.error("logo", "logo"),
            }],
            submit: "Upload logo",
            warning: false,
        });
        let shared = fill.value(
            "tenants",
            "share",
            if org.tenants_see_account { "yes" } else { "no" },
        );
        forms.push(Form {
            id: "tenants",
            heading: "Tenants on ResidencePort",
            action: "/settings/tenants".into(),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "share",
                label: "Tenants see the account of the home they rent",
                hint: Some("Its statement and the leaseholder's invoices. Tenants always see their own requests, their building's notices and the documents shared with residents."),
                input: Input::Select(vec![
                    Choice { value: "no".into(), label: "No: only the leaseholder sees it".into(), selected: shared != "yes" },
                    Choice { value: "yes".into(), label: "Yes: tenants see it too".into(), selected: shared == "yes" },
                ]),
                error: None,
            }],
            submit: "Save",
            warning: false,
        });
        if org.logo_sha.is_some() {
            forms.push(Form {
                id: "remove-logo",
                heading: "Remove the logo",
                action: "/settings/logo/remove".into(),
                hidden: Vec::new(),
                fields: Vec::new(),
                submit: "Remove logo",
                warning: true,
            });
        }
    }
    let audit = trail(
        app,
        staff,
        RecordType::Organisation,
        &org.id.to_string(),
        at,
    )
    .await?;
    Ok(RecordPage {
        chrome: staff.chrome("/settings"),
        title: "Settings".into(),
        caption: Some(org.name.clone()),
        cards: Vec::new(),
        summary,
        sections: vec![logo],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn after(
    app: &App,
    staff: &Staff,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/settings?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        settings_page(app, staff, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_name: String,
    #[serde(default)]
    company_number: String,
    #[serde(default)]
    vat_number: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    brand_colour: String,
    #[serde(default)]
    welcome_text: String,
    #[serde(default)]
    thread_welcome_text: String,
}

async fn save(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<Response> {
    let typed = OrgSettings {
        name: form.name,
        legal_name: form.legal_name,
        company_number: form.company_number,
        vat_number: form.vat_number,
        address: form.address,
        contact_email: form.contact_email,
        contact_phone: form.contact_phone,
        brand_colour: form.brand_colour,
        welcome_text: form.welcome_text,
        thread_welcome_text: form.thread_welcome_text,
    };
    let outcome = match form.version.parse::<i64>() {
        Ok(version) => settings::update(&app, staff.actor(), version, &typed).await,
        Err(_) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    let kept = FIELDS
        .iter()
        .map(|(name, ..)| (*name, value_of(&typed, name).to_owned()))
        .collect();
    after(&app, &staff, "settings", outcome, kept).await
}

/// The largest upload the logo form reads: a little over the limit, so a file over it is
/// refused as too large by the rule, not cut short.
const LOGO_FORM_MAX: usize = settings::LOGO_MAX_BYTES + 1;

async fn upload_logo(
    State(app): State<App>,
    staff: Staff,
    form: Result<CsrfMultipart<LOGO_FORM_MAX>, AppError>,
) -> AppResult<Response> {
    let outcome = match form {
        Ok(form) => match form.file("logo") {
            Some(bytes) => settings::set_logo(&app, staff.actor(), bytes).await,
            None => Err(AppError::invalid("logo", "Choose a PNG file for the logo")),
        },
        // Too large: said by the field, like any other problem with it.
        Err(AppError::PayloadTooLarge(_)) => {
            settings::organisation(&app, staff.actor()).await?;
            Err(AppError::invalid(
                "logo",
                "The logo must be 512 KB or smaller",
            ))
        }
        Err(e) => Err(e),
    };
    let status_if_large = matches!(&outcome, Err(AppError::Invalid(e)) if e.0.iter().any(|f| f.message.contains("512 KB")));
    let response = after(&app, &staff, "logo", outcome, Vec::new()).await?;
    if status_if_large {
        let mut response = response;
        *response.status_mut() = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
        return Ok(response);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct TenantsForm {
    #[serde(default)]
    share: String,
}

async fn save_tenants(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<TenantsForm>,
) -> AppResult<Response> {
    let outcome =
        settings::share_accounts_with_tenants(&app, staff.actor(), form.share == "yes").await;
    after(
        &app,
        &staff,
        "tenants",
        outcome,
        vec![("share", form.share)],
    )
    .await
}

async fn remove_logo(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = settings::remove_logo(&app, staff.actor()).await;
    after(&app, &staff, "remove-logo", outcome, Vec::new()).await
}
