//! Sites: the list, adding one, and each site's page with its buildings, where the site is
//! corrected and buildings added. Buildings have their own page (`buildings.rs`).

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::records::{NewBuilding, NewSite, RecordType, ValidationErrors, parse_metres};
use proplink_shared::{Action, Domain, Resource, SiteId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Filler, answer, sent_back};
use super::view::{ListParams, TrailParams, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, ListPage, RecordPage, Section, Table, headers,
    respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::places;

pub fn router() -> Router<App> {
    Router::new()
        .route("/sites", get(sites).post(create))
        .route("/sites/new", get(new_form))
        .route("/sites/{id}", get(site))
        .route("/sites/{id}/edit", post(edit))
        .route("/sites/{id}/buildings", post(add_building))
}

pub(super) fn height(decimetres: Option<i64>) -> String {
    decimetres.map_or("—".into(), |h| format!("{}.{} m", h / 10, h % 10))
}

fn may_add_site(staff: &Staff) -> bool {
    let actor = staff.actor();
    authorize(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Portfolio),
    )
    .is_ok()
}

async fn sites(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = places::sites(&app, staff.actor(), &params.at(2)?).await?;
    let pager = params.pager("/sites", &page);
    let rows = page
        .items
        .into_iter()
        .map(|s| {
            vec![
                Cell::link(&s.reference, format!("/sites/{}", s.id)),
                Cell::text(&s.name),
                Cell::text(&s.address),
                Cell::text(s.buildings.to_string()),
            ]
        })
        .collect();
    let links = if may_add_site(&staff) {
        vec![("Add a site".to_owned(), "/sites/new".to_owned())]
    } else {
        Vec::new()
    };
    Ok(respond(&ListPage {
        chrome: staff.chrome("/sites"),
        title: "Sites".into(),
        intro: None,
        links,
        filters: Vec::new(),
        action: "/sites",
        table: Table {
            caption: "Sites you can see".into(),
            headers: headers(&["Reference", "Name", "Address", "Buildings"]),
            rows,
            empty: "No sites yet.".into(),
        },
        pager,
    }))
}

fn site_fields(fill: Filler<'_>, form: &'static str, current: (&str, &str, &str)) -> Vec<Field> {
    let (reference, name, address) = current;
    vec![
        Field {
            name: "reference",
            label: "Reference",
            hint: Some("Short, unique in the organisation: A1, HPT."),
            input: Input::Text(fill.value(form, "reference", reference)),
            error: fill.error(form, "reference"),
        },
        Field {
            name: "name",
            label: "Name",
            hint: None,
            input: Input::Text(fill.value(form, "name", name)),
            error: fill.error(form, "name"),
        },
        Field {
            name: "address",
            label: "Address",
            hint: None,
            input: Input::TextArea(fill.value(form, "address", address)),
            error: fill.error(form, "address"),
        },
    ]
}

async fn new_page(staff: &Staff, draft: Option<Draft>) -> AppResult<RecordPage> {
    if !may_add_site(staff) {
        return Err(AppError::Forbidden);
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: "Add a site".into(),
        caption: Some("Sites".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: Vec::new(),
        actions: Actions {
            notice: None,
            problems: draft.as_ref().map(Draft::problems).unwrap_or_default(),
            forms: vec![Form {
                id: "new",
                heading: "The site",
                action: "/sites".into(),
                hidden: Vec::new(),
                fields: site_fields(fill, "new", ("", "", "")),
                submit: "Add site",
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
struct SiteForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
}

impl SiteForm {
    fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("version", self.version),
            ("reference", self.reference),
            ("name", self.name),
            ("address", self.address),
        ]
    }
}

async fn create(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<SiteForm>,
) -> AppResult<Response> {
    let outcome = match NewSite::validate(&form.reference, &form.name, &form.address) {
        Ok(new) => places::add_site(&app, staff.actor(), &new).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/sites/{id}?done=created")).into_response()),
        Err(e) => match sent_back("new", Err(e), form.typed())? {
            Some((status, draft)) => {
                Ok((status, respond(&new_page(&staff, Some(draft)).await?)).into_response())
            }
            None => Ok(Redirect::to("/sites").into_response()),
        },
    }
}

fn message(form: &str) -> Option<String> {
    Some(
        match form {
            "created" => "The site was added. Add its buildings next.",
            "edit" => "The site's details were saved.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn site(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<SiteId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(message);
    Ok(respond(
        &site_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

/// The fields of a building, from `(name, storeys, height, HRB, BSR registration)`.
pub(super) fn building_fields(
    fill: Filler<'_>,
    form: &'static str,
    current: (&str, &str, &str, bool, &str),
) -> Vec<Field> {
    let (name, storeys, height, hrb, bsr) = current;
    let hrb = fill.value(form, "hrb", if hrb { "yes" } else { "no" });
    vec![
        Field {
            name: "name",
            label: "Building name",
            hint: None,
            input: Input::Text(fill.value(form, "name", name)),
            error: fill.error(form, "name"),
        },
        Field {
            name: "storeys",
            label: "Storeys (optional)",
            hint: None,
            input: Input::Text(fill.value(form, "storeys", storeys)),
            error: fill.error(form, "storeys"),
        },
        Field {
            name: "height",
            label: "Height in metres (optional)",
            hint: Some("To the top floor's surface, as the Building Safety Act measures it."),
            input: Input::Text(fill.value(form, "height", height)),
            error: fill.error(form, "height"),
        },
        Field {
            name: "hrb",
            label: "Higher-risk building",
            hint: Some(
                "18 m or taller, or 7 storeys or more, with at least 2 homes: it needs a golden thread on BuildingThread.",
            ),
            input: Input::Select(
                [("no", "No"), ("yes", "Yes, a higher-risk building")]
                    .iter()
                    .map(|(v, l)| Choice {
                        value: (*v).to_owned(),
                        label: (*l).to_owned(),
                        selected: *v == hrb,
                    })
                    .collect(),
            ),
            error: fill.error(form, "hrb"),
        },
        Field {
            name: "bsr_registration",
            label: "BSR registration (optional)",
            hint: None,
            input: Input::Text(fill.value(form, "bsr_registration", bsr)),
            error: fill.error(form, "bsr_registration"),
        },
    ]
}

/// What a building form sends.
#[derive(Deserialize)]
pub(super) struct BuildingForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    storeys: String,
    #[serde(default)]
    height: String,
    #[serde(default)]
    hrb: String,
    #[serde(default)]
    bsr_registration: String,
}

impl BuildingForm {
    pub(super) fn validate(&self) -> AppResult<NewBuilding> {
        let mut errors = ValidationErrors::default();
        let storeys = match self.storeys.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.add("storeys", "Enter the number of storeys, like 12");
                    None
                }
            },
        };
        let height = parse_metres(&self.height).unwrap_or_else(|e| {
            errors.add("height", e);
            None
        });
        let checked = NewBuilding::validate(
            &self.name,
            height,
            storeys,
            self.hrb == "yes",
            &self.bsr_registration,
        );
        match checked {
            Ok(b) if errors.0.is_empty() => Ok(b),
            Ok(_) => Err(AppError::Invalid(errors)),
            Err(e) => {
                errors.0.extend(e.0);
                Err(AppError::Invalid(errors))
            }
        }
    }

    pub(super) fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("version", self.version),
            ("name", self.name),
            ("storeys", self.storeys),
            ("height", self.height),
            ("hrb", self.hrb),
            ("bsr_registration", self.bsr_registration),
        ]
    }
}

async fn site_page(
    app: &App,
    staff: &Staff,
    id: SiteId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let (site, buildings) = places::site(app, staff.actor(), id).await?;
    let rows = buildings
        .iter()
        .map(|b| {
            vec![
                Cell::link(&b.name, format!("/buildings/{}", b.id)),
                Cell::text(b.units.to_string()),
                Cell::text(b.storeys.map_or("—".into(), |s| s.to_string())),
                Cell::text(height(b.height_decimetres)),
                if b.is_hrb {
                    Cell::tag("Higher-risk building", "amber")
                } else {
                    Cell::text("No")
                },
            ]
        })
        .collect();
    let table = Table {
        caption: format!("Buildings at {}", site.name),
        headers: headers(&["Building", "Units", "Storeys", "Height", "HRB"]),
        rows,
        empty: "No buildings yet.".into(),
    };
    let summary = vec![
        ("Reference".into(), Cell::text(&site.reference)),
        ("Address".into(), Cell::text(&site.address)),
    ];
    let actor = staff.actor();
    let res = Resource::on_site(actor.org, Domain::Portfolio, id);
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(actor, Action::Create, &res).is_ok() {
        forms.push(Form {
            id: "building",
            heading: "Add a building",
            action: format!("/sites/{id}/buildings"),
            hidden: Vec::new(),
            fields: building_fields(fill, "building", ("", "", "", false, "")),
            submit: "Add building",
            warning: false,
        });
    }
    if authorize(actor, Action::Update, &res).is_ok() {
        forms.push(Form {
            id: "edit",
            heading: "The site's details",
            action: format!("/sites/{id}/edit"),
            hidden: vec![(
                "version",
                fill.value("edit", "version", &site.version.to_string()),
            )],
            fields: site_fields(fill, "edit", (&site.reference, &site.name, &site.address)),
            submit: "Save details",
            warning: false,
        });
    }
    let audit = trail(app, staff, RecordType::Site, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: site.name.clone(),
        caption: Some("Site".into()),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: "Buildings".into(),
            table: Some(table),
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn edit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<SiteId>,
    CsrfForm(form): CsrfForm<SiteForm>,
) -> AppResult<Response> {
    let outcome = match (
        NewSite::validate(&form.reference, &form.name, &form.address),
        form.version.parse::<i64>(),
    ) {
        (Ok(new), Ok(version)) => places::update_site(&app, staff.actor(), id, version, &new).await,
        (Err(e), _) => Err(AppError::Invalid(e)),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing its version. Reload the page.",
        )),
    };
    let done = format!("/sites/{id}?done=edit");
    let first = TrailParams::default();
    answer("edit", outcome, form.typed(), done, |draft| {
        site_page(&app, &staff, id, &first, None, Some(draft))
    })
    .await
}

async fn add_building(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<SiteId>,
    CsrfForm(form): CsrfForm<BuildingForm>,
) -> AppResult<Response> {
    let outcome = match form.validate() {
        Ok(new) => places::add_building(&app, staff.actor(), id, &new).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(building) => {
            Ok(Redirect::to(&format!("/buildings/{building}?done=created")).into_response())
        }
        Err(e) => {
            let first = TrailParams::default();
            match sent_back("building", Err(e), form.typed())? {
                Some((status, draft)) => Ok((
                    status,
                    respond(&site_page(&app, &staff, id, &first, None, Some(draft)).await?),
                )
                    .into_response()),
                None => Ok(Redirect::to(&format!("/sites/{id}")).into_response()),
            }
        }
    }
}
