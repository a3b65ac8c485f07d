//! Sites, buildings and units, with each unit's people and statement.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::records::RecordType;
use proplink_shared::{BuildingId, Money, SiteId, UnitId};

use super::Staff;
use super::view::{ListParams, TrailParams, list_page, record_page, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Section, Table, headers};
use crate::error::{AppError, AppResult};
use crate::services::{self, ledger, people, places};

pub fn router() -> Router<App> {
    Router::new()
        .route("/sites", get(sites))
        .route("/sites/{id}", get(site))
        .route("/buildings/{id}", get(building))
        .route("/units/{id}", get(unit))
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

async fn building(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    Query(params): Query<ListParams>,
    Query(at): Query<TrailParams>,
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
    let sections = vec![Section {
        heading: format!("Units ({})", b.units),
        table: Some(table),
        pager,
        ..Section::default()
    }];
    Ok(record_page(
        &staff,
        "/sites",
        b.name.clone(),
        "Building",
        summary,
        sections,
        audit,
    ))
}

async fn unit(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    Query(at): Query<TrailParams>,
) -> AppResult<Response> {
    let actor = staff.actor();
    let u = places::unit(&app, actor, id).await?;
    let occupancy = people::occupancy(&app, actor, id).await?;
    let people_rows = occupancy
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.contact_name, format!("/contacts/{}", o.contact_id)),
                Cell::text(o.role.label()),
                Cell::text(if o.billable { "Yes" } else { "No" }),
                Cell::date(o.start_date),
            ]
        })
        .collect();
    let mut sections = vec![Section {
        heading: "People".into(),
        table: Some(Table {
            caption: format!("People linked to {}", u.name),
            headers: headers(&["Name", "Role", "Billable", "From"]),
            rows: people_rows,
            empty: "Nobody is linked to this unit.".into(),
        }),
        ..Section::default()
    }];
    // The statement needs finance access; operational staff see the unit without it.
    match ledger::statement(&app, actor, id).await {
        Ok(statement) => {
            let rows = statement
                .lines
                .iter()
                .map(|l| {
                    vec![
                        Cell::date(l.date),
                        Cell::text(&l.description),
                        Cell::text(&l.reference),
                        l.debit.map_or_else(|| Cell::text(""), Cell::money),
                        l.credit.map_or_else(|| Cell::text(""), Cell::money),
                        Cell::money(l.balance),
                    ]
                })
                .collect();
            let mut h = headers(&[
                "Date",
                "Description",
                "Reference",
                "Debit",
                "Credit",
                "Balance",
            ]);
            for col in &mut h[3..] {
                col.numeric = true;
            }
            sections.push(Section {
                heading: "Statement".into(),
                paragraphs: vec![format!(
                    "Balance {}: {}.",
                    if statement.balance.is_negative() {
                        "in credit"
                    } else {
                        "owed"
                    },
                    Money::from_pence(statement.balance.pence().abs())
                )],
                table: Some(Table {
                    caption: format!(
                        "Statement for {} as at {}",
                        u.name,
                        proplink_shared::london::format_date(services::today(&app))
                    ),
                    headers: h,
                    rows,
                    empty: "No charges or payments yet.".into(),
                }),
                ..Section::default()
            });
        }
        Err(AppError::Forbidden | AppError::NotFound) => {}
        Err(e) => return Err(e),
    }
    let summary = vec![
        (
            "Building".into(),
            Cell::link(&u.building_name, format!("/buildings/{}", u.building_id)),
        ),
        ("Floor".into(), Cell::text(&u.floor)),
    ];
    let audit = trail(&app, &staff, RecordType::Unit, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/sites",
        u.name.clone(),
        &u.building_name,
        summary,
        sections,
        audit,
    ))
}
