//! The people of a unit: someone joins it (a contact the organisation knows by email, or a new
//! one), someone leaves it, and the unit's own details are corrected.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use proplink_shared::records::{ContactKind, NewContact, NewUnit, UnitRole, ValidationErrors};
use proplink_shared::{Action, ContactId, Domain, Resource, UnitId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Draft, Filler, date_field, none_choice, options};
use super::units::after;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Choice, Field, Form, Input};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{self, people, places};
use crate::store::people::Occupancy;
use crate::store::places::Unit;

pub fn router() -> Router<App> {
    Router::new()
        .route("/units/{id}/edit", post(edit))
        .route("/units/{id}/people", post(join))
        .route("/units/{id}/people/end", post(leave))
}

/// The unit's people forms and its details form, for those who may change the unit.
pub(super) fn forms(
    app: &App,
    staff: &Staff,
    u: &Unit,
    occupancy: &[Occupancy],
    draft: Option<&Draft>,
) -> Vec<Form> {
    let actor = staff.actor();
    let res = Resource::on_site(actor.org, Domain::Portfolio, u.site_id).with_unit(u.id);
    if authorize(actor, Action::Update, &res).is_err() {
        return Vec::new();
    }
    let fill = Filler { draft };
    let today = crate::store::date_text(services::today(app));
    let text = |form: &'static str,
                name: &'static str,
                label: &'static str,
                hint: Option<&'static str>| Field {
        name,
        label,
        hint,
        input: Input::Text(fill.value(form, name, "")),
        error: fill.error(form, name),
    };
    let role = fill.value("join", "role", UnitRole::Leaseholder.code());
    let billable = fill.value("join", "billable", "yes");
    let mut forms = vec![Form {
        id: "join",
        heading: "Add a person",
        action: format!("/units/{}/people", u.id),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "role",
                label: "As",
                hint: None,
                input: Input::Select(options(
                    UnitRole::ALL,
                    UnitRole::code,
                    UnitRole::label,
                    &role,
                )),
                error: fill.error("join", "role"),
            },
            text("join", "title", "Title (optional)", Some("Mr, Ms, Dr…")),
            text("join", "first_name", "First name", None),
            text("join", "last_name", "Last name", None),
            Field {
                name: "email",
                label: "Email address",
                hint: Some(
                    "If the organisation already knows someone with this address, they are linked instead of added again.",
                ),
                input: Input::Email(fill.value("join", "email", "")),
                error: fill.error("join", "email"),
            },
            text("join", "phone", "Phone (optional)", None),
            Field {
                name: "billable",
                label: "Billed for the unit",
                hint: Some("Invoices and statements go to the billed person."),
                input: Input::Select(
                    [("yes", "Yes, invoices go to them"), ("no", "No")]
                        .iter()
                        .map(|(v, l)| Choice {
                            value: (*v).to_owned(),
                            label: (*l).to_owned(),
                            selected: *v == billable,
                        })
                        .collect(),
                ),
                error: fill.error("join", "billable"),
            },
            Field {
                name: "start_date",
                label: "From",
                hint: None,
                input: Input::Date(fill.value("join", "start_date", &today)),
                error: fill.error("join", "start_date"),
            },
        ],
        submit: "Add person",
        warning: false,
    }];
    let current: Vec<&Occupancy> = occupancy.iter().filter(|o| o.end_date.is_none()).collect();
    if !current.is_empty() {
        let chosen = fill.value("leave", "contact", "");
        let mut choices = vec![none_choice("Choose who", chosen.is_empty())];
        choices.extend(current.iter().map(|o| Choice {
            selected: o.contact_id.to_string() == chosen,
            value: o.contact_id.to_string(),
            label: format!("{} ({})", o.contact_name, o.role.label()),
        }));
        forms.push(Form {
            id: "leave",
            heading: "Someone leaves",
            action: format!("/units/{}/people/end", u.id),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "contact",
                    label: "Who",
                    hint: None,
                    input: Input::Select(choices),
                    error: fill.error("leave", "contact"),
                },
                Field {
                    name: "end_date",
                    label: "Last day",
                    hint: Some("They sold or moved out. Their history stays on the unit."),
                    input: Input::Date(fill.value("leave", "end_date", &today)),
                    error: fill.error("leave", "end_date"),
                },
            ],
            submit: "End their link",
            warning: true,
        });
    }
    forms.push(Form {
        id: "edit",
        heading: "The unit's details",
        action: format!("/units/{}/edit", u.id),
        hidden: vec![(
            "version",
            fill.value("edit", "version", &u.version.to_string()),
        )],
        fields: vec![
            Field {
                name: "name",
                label: "Unit",
                hint: None,
                input: Input::Text(fill.value("edit", "name", &u.name)),
                error: fill.error("edit", "name"),
            },
            Field {
                name: "floor",
                label: "Floor (optional)",
                hint: None,
                input: Input::Text(fill.value("edit", "floor", &u.floor)),
                error: fill.error("edit", "floor"),
            },
        ],
        submit: "Save details",
        warning: false,
    });
    forms
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    floor: String,
}

async fn edit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> AppResult<Response> {
    let outcome = match (
        NewUnit::validate(&form.name, &form.floor),
        form.version.parse::<i64>(),
    ) {
        (Ok(new), Ok(version)) => places::update_unit(&app, staff.actor(), id, version, &new).await,
        (Err(e), _) => Err(AppError::Invalid(e)),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    let typed = vec![
        ("version", form.version),
        ("name", form.name),
        ("floor", form.floor),
    ];
    after(&app, &staff, id, "edit", outcome, typed).await
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default)]
    role: String,
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
    #[serde(default)]
    billable: String,
    #[serde(default)]
    start_date: String,
}

async fn join(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let role = UnitRole::from_code(&form.role);
    if role.is_none() {
        errors.add("role", "Choose how they are linked to the unit");
    }
    let start = date_field(
        &mut errors,
        "start_date",
        "date they start",
        &form.start_date,
    );
    let kind = match role {
        Some(UnitRole::Tenant) => ContactKind::Tenant,
        Some(UnitRole::Occupier) => ContactKind::Resident,
        _ => ContactKind::Leaseholder,
    };
    let person = NewContact::validate(
        kind,
        &form.title,
        &form.first_name,
        &form.last_name,
        &form.email,
        &form.phone,
    );
    if person.as_ref().is_ok_and(|p| p.email.is_none()) {
        errors.add("email", "Enter their email address: it is how they reach ResidencePort and how the organisation knows them");
    }
    let outcome = match (person, role, start) {
        (Ok(person), Some(role), Some(start_date)) if errors.0.is_empty() => people::add_to_unit(
            &app,
            staff.actor(),
            id,
            &person,
            &people::Joining {
                role,
                billable: form.billable != "no",
                start_date,
            },
        )
        .await
        .map(drop),
        (Err(e), ..) => {
            errors.0.extend(e.0);
            Err(AppError::Invalid(errors))
        }
        _ => Err(AppError::Invalid(errors)),
    };
    let typed = vec![
        ("role", form.role),
        ("title", form.title),
        ("first_name", form.first_name),
        ("last_name", form.last_name),
        ("email", form.email),
        ("phone", form.phone),
        ("billable", form.billable),
        ("start_date", form.start_date),
    ];
    after(&app, &staff, id, "join", outcome, typed).await
}

#[derive(Deserialize)]
struct LeaveForm {
    #[serde(default)]
    contact: String,
    #[serde(default)]
    end_date: String,
}

async fn leave(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    CsrfForm(form): CsrfForm<LeaveForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::default();
    let contact = form.contact.parse::<ContactId>().ok();
    if contact.is_none() {
        errors.add("contact", "Choose who leaves");
    }
    let end = date_field(&mut errors, "end_date", "last day", &form.end_date);
    let outcome = match (errors.into_result(()), contact, end) {
        (Ok(()), Some(contact), Some(end)) => {
            people::end_occupancy(&app, staff.actor(), id, contact, end).await
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("contact", "Choose who leaves")),
    };
    let typed = vec![("contact", form.contact), ("end_date", form.end_date)];
    after(&app, &staff, id, "leave", outcome, typed).await
}
