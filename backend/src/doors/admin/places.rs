//! Sites and buildings, with their units.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::records::RecordType;
use proplink_shared::{Action, BuildingId, Domain, Resource, SiteId, authorize};
use serde::Deserialize;

use super::Staff;
use super::view::{ListParams, TrailParams, list_page, record_page, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Actions, Cell, RecordPage, Section, Table, headers, respond};
use crate::error::AppResult;
use crate::services::places;

pub fn router() -> Router<App> {
    Router::new()
        .route("/sites", get(sites))
        .route("/sites/{id}", get(site))
        .route("/buildings/{id}", get(building))
}

fn height(decimetres: Option<i64>) -> String {
    decimetres.map_or("—".into(), |h| format!("{}.{} m", h / 10, h % 10))
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
    let table = Table {
        caption: "Sites you can see".into(),
        headers: headers(&["Reference", "Name", "Address", "Buildings"]),
        rows,
        empty: "No sites yet.".into(),
    };
    Ok(list_page(
        &staff,
        "/sites",
        "Sites",
        Vec::new(),
        table,
        pager,
    ))
}

async fn site(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<SiteId>,
    Query(at): Query<TrailParams>,
) -> AppResult<Response> {
    let (site, buildings) = places::site(&app, staff.actor(), id).await?;
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
    let audit = trail(&app, &staff, RecordType::Site, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/sites",
        site.name.clone(),
        "Site",
        summary,
        vec![Section {
            heading: "Buildings".into(),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}

/// What the building's page says after a demand was raised from it.
#[derive(Deserialize)]
struct DemandDone {
    done: Option<String>,
    raised: Option<usize>,
}

async fn building(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    Query(params): Query<ListParams>,
    Query(at): Query<TrailParams>,
    Query(done): Query<DemandDone>,
) -> AppResult<Response> {
    let (b, units) = places::building(&app, staff.actor(), id, &params.at(2)?).await?;
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
        summary.push((
            "BSR registration".into(),
            Cell::text(if b.bsr_registration.is_empty() {
                "Not registered"
            } else {
                &b.bsr_registration
            }),
        ));
    }
    let audit = trail(&app, &staff, RecordType::Building, &id.to_string(), &at).await?;
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
    let notice = match (done.done.as_deref(), done.raised) {
        (Some("demand"), Some(n)) => Some(format!(
            "The demand was raised: {n} invoice{} approved and posted.",
            if n == 1 { "" } else { "s" }
        )),
        _ => None,
    };
    Ok(respond(&RecordPage {
        chrome: staff.chrome("/sites"),
        title: b.name.clone(),
        caption: Some("Building".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions {
            notice,
            ..Actions::default()
        },
        audit: Some(audit),
    }))
}
