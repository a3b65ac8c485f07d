//! Contacts: the people an organisation knows, and the units they are linked to.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{ContactKind, NewContact, RecordType};
use proplink_shared::{Action, ContactId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Empty, Filler, answer, options};
use super::view::{ListParams, TrailParams, codes, list_page, select, text_filter, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::people;
use crate::store::people::ContactFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/contacts", get(contacts))
        .route("/contacts/{id}", get(contact))
        .route("/contacts/{id}/edit", post(edit))
        .route("/contacts/{id}/invite", post(invite))
}

async fn contacts(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let filter = ContactFilter {
        kind: params.coded(&params.kind, "kind", ContactKind::from_code)?,
        text: params.text(),
    };
    let page = people::contacts(&app, staff.actor(), &filter, &params.at(3)?).await?;
    let pager = params.pager("/contacts", &page);
    let rows = page
        .items
        .into_iter()
        .map(|c| {
            vec![
                Cell::link(c.full_name(), format!("/contacts/{}", c.id)),
                Cell::text(c.kind.label()),
                Cell::text(c.email.clone().unwrap_or_default()),
                Cell::text(&c.phone),
            ]
        })
        .collect();
    let table = Table {
        caption: "Contacts, by surname".into(),
        headers: headers(&["Name", "Type", "Email", "Phone"]),
        rows,
        empty: "No contacts match.".into(),
    };
    let filters = vec![
        select(
            "kind",
            "Type",
            codes(ContactKind::ALL, ContactKind::code, ContactKind::label),
            params.kind.as_deref(),
        ),
        text_filter("Name or email", params.q.as_deref()),
    ];
    Ok(list_page(
        &staff,
        "/contacts",
        "Contacts",
        filters,
        table,
        pager,
    ))
}

fn message(form: &str) -> Option<String> {
    Some(
        match form {
            "edit" => "Their details were saved.",
            "invite" => "The invitation to ResidencePort was sent.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn contact(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<ContactId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(message);
    Ok(respond(
        &contact_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

async fn contact_page(
    app: &App,
    staff: &Staff,
    id: ContactId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (c, links) = people::contact(app, actor, id).await?;
    let rows = links
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.unit_name, format!("/units/{}", o.unit_id)),
                Cell::text(o.role.label()),
                Cell::date(o.start_date),
                o.end_date.map_or_else(
                    || Cell::tag("Current", "green"),
                    |d| Cell::text(format!("Until {}", format_date(d))),
                ),
            ]
        })
        .collect();
    let summary = vec![
        ("Type".into(), Cell::text(c.kind.label())),
        (
            "Email".into(),
            Cell::text(c.email.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            "Phone".into(),
            Cell::text(if c.phone.is_empty() { "—" } else { &c.phone }),
        ),
        (
            "ResidencePort".into(),
            match c.invited_at {
                Some(at) => Cell::text(format!("Invited {}", format_date_time(at))),
                None if c.kind.may_use_residenceport() => Cell::text("Not invited yet"),
                None => Cell::text("Not a resident"),
            },
        ),
    ];
    let table = Table {
        caption: "Units".into(),
        headers: headers(&["Unit", "Role", "From", "Now"]),
        rows,
        empty: "Not linked to any unit.".into(),
    };
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(actor, Action::Update, &people::resource(actor, &c)).is_ok() {
        if c.kind.may_use_residenceport()
            && c.email.is_some()
            && links.iter().any(|o| o.end_date.is_none())
        {
            forms.push(Form {
                id: "invite",
                heading: "ResidencePort",
                action: format!("/contacts/{id}/invite"),
                hidden: Vec::new(),
                fields: Vec::new(),
                submit: if c.invited_at.is_some() {
                    "Invite again"
                } else {
                    "Invite to ResidencePort"
                },
                warning: false,
            });
        }
        let form = "edit";
        let text = |name: &'static str, label: &'static str, value: &str| Field {
            name,
            label,
            hint: None,
            input: Input::Text(fill.value(form, name, value)),
            error: fill.error(form, name),
        };
        forms.push(Form {
            id: form,
            heading: "Their details",
            action: format!("/contacts/{id}/edit"),
            hidden: vec![(
                "version",
                fill.value(form, "version", &c.version.to_string()),
            )],
            fields: vec![
                Field {
                    name: "kind",
                    label: "Type",
                    hint: None,
                    input: Input::Select(options(
                        ContactKind::ALL,
                        ContactKind::code,
                        ContactKind::label,
                        &fill.value(form, "kind", c.kind.code()),
                    )),
                    error: fill.error(form, "kind"),
                },
                text("title", "Title (optional)", &c.title),
                text("first_name", "First name", &c.first_name),
                text("last_name", "Last name", &c.last_name),
                Field {
                    name: "email",
                    label: "Email address",
                    hint: None,
                    input: Input::Email(fill.value(
                        form,
                        "email",
                        c.email.as_deref().unwrap_or(""),
                    )),
                    error: fill.error(form, "email"),
                },
                text("phone", "Phone (optional)", &c.phone),
            ],
            submit: "Save details",
            warning: false,
        });
    }
    let audit = trail(app, staff, RecordType::Contact, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/contacts"),
        title: c.full_name(),
        caption: Some("Contact".into()),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: "Units".into(),
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
    id: ContactId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/contacts/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        contact_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

async fn edit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<ContactId>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> AppResult<Response> {
    let outcome = match (
        ContactKind::from_code(&form.kind),
        form.version.parse::<i64>(),
    ) {
        (Some(kind), Ok(version)) => match NewContact::validate(
            kind,
            &form.title,
            &form.first_name,
            &form.last_name,
            &form.email,
            &form.phone,
        ) {
            Ok(new) => people::update_contact(&app, staff.actor(), id, version, &new).await,
            Err(e) => Err(AppError::Invalid(e)),
        },
        (None, _) => Err(AppError::invalid(
            "kind",
            "Choose what they are to the organisation",
        )),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    let typed = vec![
        ("version", form.version),
        ("kind", form.kind),
        ("title", form.title),
        ("first_name", form.first_name),
        ("last_name", form.last_name),
        ("email", form.email),
        ("phone", form.phone),
    ];
    after(&app, &staff, id, "edit", outcome, typed).await
}

async fn invite(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<ContactId>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = people::invite_resident(&app, staff.actor(), id).await;
    after(&app, &staff, id, "invite", outcome, Vec::new()).await
}
