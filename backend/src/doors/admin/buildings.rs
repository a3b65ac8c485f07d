//! A building: its units, where the building is corrected, units added, and the accountant's
//! service-charge demand starts.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::records::{NewUnit, RecordType};
use proplink_shared::{Action, BuildingId, Domain, Resource, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Draft, Filler, answer, sent_back};
use super::places::{BuildingForm, building_fields, height};
use super::view::{ListParams, TrailParams, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::places;

pub fn router() -> Router<App> {
    Router::new()
        .route("/buildings/{id}", get(building))
        .route("/buildings/{id}/edit", post(edit))
        .route("/buildings/{id}/units", post(add_unit))
}

/// What the building's page says after a form, or a demand raised from it.
#[derive(Deserialize)]
struct BuildingDone {
    done: Option<String>,
    raised: Option<usize>,
}

impl BuildingDone {
    fn message(&self) -> Option<String> {
        match (self.done.as_deref(), self.raised) {
            (Some("demand"), Some(n)) => Some(format!(
                "The demand was raised: {n} invoice{} approved and posted.",
                if n == 1 { "" } else { "s" }
            )),
            (Some("created"), _) => Some("The building was added. Add its units next.".into()),
            (Some("edit"), _) => Some("The building's details were saved.".into()),
            (Some("unit"), _) => Some("The unit was added.".into()),
            _ => None,
        }
    }
}

async fn building(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    Query(params): Query<ListParams>,
    Query(at): Query<TrailParams>,
    Query(done): Query<BuildingDone>,
) -> AppResult<Response> {
    Ok(respond(
        &building_page(&app, &staff, id, &params, &at, done.message(), None).await?,
    ))
}

async fn building_page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    params: &ListParams,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let (b, units) = places::building(app, staff.actor(), id, &params.at(2)?).await?;
    let pager = params.pager(&format!("/buildings/{id}"), &units);
    let rows = units
        .items
        .iter()
        .map(|u| {
            vec![
                Cell::link(&u.name, format!("/units/{}", u.id)),
                Cell::text(&u.floor),
            ]
        })
        .collect();
    let table = Table {
        caption: format!("Units in {}", b.name),
        headers: headers(&["Unit", "Floor"]),
        rows,
        empty: "No units yet.".into(),
    };
    let mut summary = vec![
        (
            "Site".into(),
            Cell::link("View site", format!("/sites/{}", b.site_id)),
        ),
        (
            "Storeys".into(),
            Cell::text(b.storeys.map_or("—".into(), |s| s.to_string())),
        ),
        ("Height".into(), Cell::text(height(b.height_decimetres))),
        (
            "Higher-risk building".into(),
            if b.is_hrb {
                Cell::tag("Yes", "amber")
            } else {
                Cell::text("No")
            },
        ),
    ];
    if b.is_hrb {
        let mut thread = Resource::on_site(staff.actor().org, Domain::GoldenThread, b.site_id);
        thread.building = Some(id);
        if authorize(staff.actor(), Action::Read, &thread).is_ok() {
            summary.push((
                "Golden thread".into(),
                Cell::link(
                    "Open the golden thread",
                    format!("/buildings/{id}/golden-thread"),
                ),
            ));
        }
        summary.push((
            "BSR registration".into(),
            Cell::text(if b.bsr_registration.is_empty() {
                "Not registered"
            } else {
                &b.bsr_registration
            }),
        ));
    }
    let actor = staff.actor();
    let may_bill = authorize(
        actor,
        Action::Create,
        &Resource::on_site(actor.org, Domain::Finance, b.site_id),
    )
    .is_ok();
    let sections = vec![Section {
        heading: format!("Units ({})", b.units),
        links: if may_bill {
            vec![(
                "Raise a service-charge demand for every unit".into(),
                format!("/buildings/{id}/demand"),
            )]
        } else {
            Vec::new()
        },
        table: Some(table),
        pager,
        ..Section::default()
    }];
    let res = Resource::on_site(actor.org, Domain::Portfolio, b.site_id).with_building(id);
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(actor, Action::Create, &res).is_ok() {
        forms.push(Form {
            id: "unit",
            heading: "Add a unit",
            action: format!("/buildings/{id}/units"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "name",
                    label: "Unit",
                    hint: Some("As it is known: Flat 12, Penthouse B."),
                    input: Input::Text(fill.value("unit", "name", "")),
                    error: fill.error("unit", "name"),
                },
                Field {
                    name: "floor",
                    label: "Floor (optional)",
                    hint: None,
                    input: Input::Text(fill.value("unit", "floor", "")),
                    error: fill.error("unit", "floor"),
                },
            ],
            submit: "Add unit",
            warning: false,
        });
    }
    if authorize(actor, Action::Update, &res).is_ok() {
        let storeys = b.storeys.map(|s| s.to_string()).unwrap_or_default();
        let metres = b
            .height_decimetres
            .map(|h| format!("{}.{}", h / 10, h % 10))
            .unwrap_or_default();
        forms.push(Form {
            id: "edit",
            heading: "The building's details",
            action: format!("/buildings/{id}/edit"),
            hidden: vec![(
                "version",
                fill.value("edit", "version", &b.version.to_string()),
            )],
            fields: building_fields(
                fill,
                "edit",
                (&b.name, &storeys, &metres, b.is_hrb, &b.bsr_registration),
            ),
            submit: "Save details",
            warning: false,
        });
    }
    let audit = trail(app, staff, RecordType::Building, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: b.name.clone(),
        caption: Some("Building".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn edit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(form): CsrfForm<BuildingForm>,
) -> AppResult<Response> {
    let outcome = match (form.validate(), form.version.parse::<i64>()) {
        (Ok(new), Ok(version)) => {
            places::update_building(&app, staff.actor(), id, version, &new).await
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    let done = format!("/buildings/{id}?done=edit");
    let (params, first) = (ListParams::default(), TrailParams::default());
    answer("edit", outcome, form.typed(), done, |draft| {
        building_page(&app, &staff, id, &params, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    floor: String,
}

async fn add_unit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> AppResult<Response> {
    let outcome = match NewUnit::validate(&form.name, &form.floor) {
        Ok(new) => places::add_unit(&app, staff.actor(), id, &new).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match outcome {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{unit}?done=created")).into_response()),
        Err(e) => {
            let typed = vec![("name", form.name), ("floor", form.floor)];
            let (params, first) = (ListParams::default(), TrailParams::default());
            match sent_back("unit", Err(e), typed)? {
                Some((status, draft)) => Ok((
                    status,
                    respond(
                        &building_page(&app, &staff, id, &params, &first, None, Some(draft))
                            .await?,
                    ),
                )
                    .into_response()),
                None => Ok(Redirect::to(&format!("/buildings/{id}")).into_response()),
            }
        }
    }
}
